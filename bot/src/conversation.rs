//! One update's trip through the dialogues: find out who is writing, load the chat's state,
//! step, run the effects through `crm` (feeding data answers back as events), save the state.

use crate::{BotError, Texts, effects, markup, paying, staff_effects, update};
use crm::domain::ClientId;
use crm::domain::PersonName;
use crm::services::{NewClient, TelegramAccount};
use crm::{Actor, Conflict, Crm, Error};
use dialogues::client::registration::{Collected, LinkCard};
use dialogues::event::Outcome;
use dialogues::{Effect, Event, Reply, State, Who};
use std::collections::VecDeque;
use std::sync::Arc;
use teloxide::dispatching::dialogue::ErasedStorage;
use teloxide::payloads::{EditMessageText, SendMessage};
use teloxide::prelude::*;
use teloxide::requests::{JsonRequest, Payload, Request};
use teloxide::types::{MessageId, ReplyMarkup};
use teloxide::{ApiError, RequestError};

/// The bot replies go through: plain teloxide, paced by [`crate::SendBudget`] in [`send`].
pub type TgBot = Bot;

/// What every handler needs.
#[derive(Clone)]
pub struct Ctx {
    pub crm: Crm,
    pub texts: Arc<Texts>,
    pub states: Arc<ErasedStorage<State>>,
    /// Whether `states` is the CRM's database (no Redis configured): then who is writing and
    /// the chat's state are read in one query (see [`who_and_state`]).
    pub states_in_db: bool,
    /// Whether documents open as a Mini App (see [`crate::BotSettings::mini_apps`]): only
    /// then can the bot send a client there to enter what a document lacks.
    pub mini_apps: bool,
    /// The sending rate replies share with the outbox.
    pub budget: crate::SendBudget,
}

/// A step never runs more data effects than this for one update (a loop guard).
const MAX_ROUNDS: usize = 8;

/// Who is writing: one look-up per update (staff and client together).
pub async fn who(crm: &Crm, telegram_id: i64) -> Result<Who, crm::Error> {
    Ok(who_of(crm.telegram_account(&Actor::Telegram(telegram_id), telegram_id).await?))
}

fn who_of(account: Option<TelegramAccount>) -> Who {
    match account {
        Some(TelegramAccount::Staff { id, role, name }) => Who::Staff { id: id.0, role, name },
        Some(TelegramAccount::Client { blacklisted: true, .. }) => Who::Blacklisted,
        Some(TelegramAccount::Client { id, full_name, marketing_consent, .. }) => {
            Who::Client { id: id.0, first_name: first_name(&full_name), marketing: marketing_consent }
        }
        None => Who::Stranger,
    }
}

/// Who is writing and what the store holds for the chat (no state reads as the default, so an
/// idle chat is never written). With the states in the database that is one query (a private
/// chat's id is its person's Telegram id); with Redis the look-up and the read go side by side.
async fn who_and_state(ctx: &Ctx, telegram_id: i64, chat: ChatId) -> Result<(Who, State), BotError> {
    if ctx.states_in_db && chat.0 == telegram_id {
        let (account, text) = ctx.crm.telegram_account_and_chat_state(&Actor::System, telegram_id, chat.0).await?;
        return Ok((who_of(account), crate::state::decode(chat, text).unwrap_or_default()));
    }
    let (who, state) = tokio::join!(who(&ctx.crm, telegram_id), ctx.states.clone().get_dialogue(chat));
    Ok((who?, state.map_err(BotError::state)?.unwrap_or_default()))
}

/// `pressed`: the bot's message whose button refines a list ([`dialogues::Callback::refines_list`]);
/// the update's first answer with buttons of its own takes that message's place.
pub async fn handle(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    user: &teloxide::types::User,
    event: Event,
    pressed: Option<MessageId>,
) -> Result<(), BotError> {
    let telegram_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    let (mut who, mut saved) = who_and_state(ctx, telegram_id, chat).await?;
    let event = update::menu_event(event, &who, &ctx.texts);
    if let Who::Staff { id, role, .. } = &who
        && let Some(need) = staff_effects::needs(&event)
        && !need.allows(&Actor::staff(crm::domain::StaffId(*id), *role))
    {
        return send(ctx, bot, chat, &staff_effects::not_your_role(need)).await;
    }
    let mut state = saved.clone();
    let mut in_place = pressed;
    let mut events = VecDeque::from([event]);
    let mut rounds = 0;
    while let Some(event) = events.pop_front() {
        rounds += 1;
        if rounds > MAX_ROUNDS {
            tracing::error!(chat = chat.0, "dialogue effects did not settle; stopping this update");
            break;
        }
        let (next, effects) = dialogues::step(state, &who, event, ctx.crm.today());
        state = next;
        // Saved before anything is shown or changed: if the process dies mid-way, the chat
        // resumes from here and data effects are repeated idempotently (see `register`). Reads
        // are harmless to repeat, so a step that only reads saves nothing yet: one write per
        // update in the common case (a read, then the reply showing it).
        if effects.iter().any(|e| !e.reads_only()) {
            save(ctx, chat, &state, &mut saved).await?;
        }
        for effect in effects {
            if let Effect::Reply(reply) = &effect {
                // Only an answer with inline buttons replaces the list (a button gone stale
                // is answered below it, with the menu).
                match in_place.take_if(|_| matches!(reply.keyboard, dialogues::Keyboard::Inline(_))) {
                    Some(id) => replace(ctx, bot, chat, id, reply).await?,
                    None => send(ctx, bot, chat, reply).await?,
                }
                continue;
            }
            if let Effect::Register(collected) = effect {
                let outcome = register(ctx, telegram_id, user, collected).await?;
                // Registered: the rest of this update acts for the new client (a question kept
                // through the registration goes to their agent now).
                if matches!(outcome, Event::Outcome(Outcome::Registered { .. })) {
                    who = self::who(&ctx.crm, telegram_id).await?;
                }
                events.push_back(outcome);
                continue;
            }
            if let Who::Staff { id, role, .. } = &who {
                events.push_back(staff_effects::run(ctx, bot, *id, *role, effect).await?);
                continue;
            }
            // What a stranger may do: look around, and be recognised at registration.
            let guest = Actor::Telegram(telegram_id);
            let looker = match &who {
                Who::Client { id, .. } => Actor::Client(ClientId(*id)),
                _ => guest,
            };
            match effect {
                Effect::FindTours { filter, page } => {
                    events.push_back(effects::find_tours(ctx, &looker, &filter, page).await?);
                    continue;
                }
                Effect::ShowTour(id) => {
                    events.push_back(effects::show_tour(ctx, &looker, id).await?);
                    continue;
                }
                Effect::RecordStart(source) => {
                    ctx.crm.record_start(&guest, &source).await?;
                    continue;
                }
                Effect::CheckPhone { phone, verified } => {
                    events.push_back(effects::check_phone(ctx, &guest, &phone, verified).await?);
                    continue;
                }
                _ => {}
            }
            // Every other effect acts for a registered client.
            let Who::Client { id, .. } = &who else {
                tracing::warn!(chat = chat.0, "a client effect for a non-client; ignored");
                continue;
            };
            let client = ClientId(*id);
            let answer = match effect {
                Effect::Book { departure_id, travellers, request_key, note } => {
                    effects::book(ctx, bot, client, effects::Booked { departure_id, travellers, request_key, note })
                        .await?
                }
                Effect::MyBookings => effects::my_bookings(ctx, client).await?,
                Effect::Quote { departure_id, travellers } => {
                    effects::quote(ctx, client, departure_id, travellers).await?
                }
                Effect::RequestCancel { booking, reason } => {
                    effects::request_cancel(ctx, bot, client, booking, &reason).await?
                }
                Effect::RelayToAgent(text) => effects::relay_to_agent(ctx, bot, client, &text, None).await?,
                Effect::AskAboutDeparture { departure_id, travellers, text } => {
                    let about = effects::About::Departure { departure_id, travellers };
                    effects::relay_to_agent(ctx, bot, client, &text, Some(about)).await?
                }
                Effect::AskAboutPayment { booking, tour, due, text } => {
                    let about = effects::About::Payment { booking, tour, due };
                    effects::relay_to_agent(ctx, bot, client, &text, Some(about)).await?
                }
                Effect::ShowSettings => effects::show_settings(ctx, client).await?,
                Effect::SetMarketing(on) => effects::set_marketing(ctx, client, on).await?,
                Effect::SetCity(city) => effects::set_city(ctx, client, city).await?,
                Effect::PaymentChoices(booking) => paying::choices(ctx, client, booking).await?,
                Effect::PayOffer { booking, amount_minor, via } => {
                    paying::offer(ctx, bot, chat, client, booking, amount_minor, via).await?
                }
                Effect::Reply(_)
                | Effect::Register(_)
                | Effect::FindTours { .. }
                | Effect::ShowTour(_)
                | Effect::RecordStart(_)
                | Effect::CheckPhone { .. } => continue,
                staff_only => {
                    tracing::warn!(?staff_only, "a staff effect for a client; ignored");
                    continue;
                }
            };
            events.push_back(answer);
        }
    }
    save(ctx, chat, &state, &mut saved).await
}

/// Writes `state` unless the store already holds it.
async fn save(ctx: &Ctx, chat: ChatId, state: &State, saved: &mut State) -> Result<(), BotError> {
    if state != saved {
        ctx.states.clone().update_dialogue(chat, state.clone()).await.map_err(BotError::state)?;
        state.clone_into(saved);
    }
    Ok(())
}

/// Sends a reply as soon as Telegram's limits allow (see [`crate::SendBudget`]); a 429 pauses
/// what it names and the same message is sent again, so a reply is never dropped.
pub async fn send(ctx: &Ctx, bot: &TgBot, chat: ChatId, reply: &Reply) -> Result<(), BotError> {
    let mut payload = SendMessage::new(chat, ctx.texts.message(reply));
    payload.reply_markup = markup::reply_markup(&ctx.texts.keyboard(&reply.keyboard));
    within_limits(ctx, chat, &crate::sent::text(bot, payload)).await.map(drop).map_err(BotError::from)
}

/// Shows `reply` in place of the bot's message `id`. Where Telegram will not edit it (a photo,
/// a message gone or too old), the reply is sent as a new message; the same text and buttons
/// again (`message is not modified`) is already what the client sees.
async fn replace(ctx: &Ctx, bot: &TgBot, chat: ChatId, id: MessageId, reply: &Reply) -> Result<(), BotError> {
    let Some(ReplyMarkup::InlineKeyboard(markup)) = markup::reply_markup(&ctx.texts.keyboard(&reply.keyboard)) else {
        return send(ctx, bot, chat, reply).await;
    };
    let mut payload = EditMessageText::new(chat, id, ctx.texts.message(reply));
    payload.reply_markup = Some(markup);
    match within_limits(ctx, chat, &crate::sent::edit(bot, payload)).await {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(RequestError::Api(e)) => {
            tracing::debug!(chat = chat.0, error = %e, "the list could not be edited; sent anew");
            send(ctx, bot, chat, reply).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Makes a request to a chat as soon as Telegram's limits allow: a 5xx or a dropped connection
/// is tried again with backoff (see `retry`); a 429 pauses what the budget judges it names,
/// and the same request waits its next turn.
async fn within_limits<P>(ctx: &Ctx, chat: ChatId, req: &JsonRequest<P>) -> Result<P::Output, RequestError>
where
    P: Payload + serde::Serialize + 'static,
    P::Output: serde::de::DeserializeOwned,
{
    loop {
        ctx.budget.reply_turn(chat.0).await;
        match crate::retry::with_backoff("reply", || req.send_ref()).await {
            Err(RequestError::RetryAfter(after)) => {
                let paused = ctx.budget.flood(chat.0, after.duration());
                tracing::warn!(chat = chat.0, retry_after = after.seconds(), ?paused, "Telegram asked to slow down");
            }
            done => return done,
        }
    }
}

/// Registers the client, or recognises that this Telegram account already did (a repeated
/// effect after a restart), so the answer is the same either way.
async fn register(ctx: &Ctx, telegram_id: i64, user: &teloxide::types::User, c: Collected) -> Result<Event, BotError> {
    let refused = |reason: &str| Event::Outcome(Outcome::RegistrationRefused { reason: reason.to_owned() });
    let actor = Actor::Telegram(telegram_id);
    if let (Some(link), Some(phone)) = (&c.link, &c.phone) {
        return link_card(ctx, &actor, user, phone, link, &c).await;
    }
    let (Some(full_name), Some(phone), Some(birth_date), Some(city)) = (c.full_name, c.phone, c.birth_date, c.city)
    else {
        return Ok(refused("incomplete"));
    };
    let first_name = full_name.first_name().to_owned();
    let registered = Event::Outcome(Outcome::Registered { first_name });
    // A repeated effect (the update came again after a crash, see `polling`): this account
    // registered already. Checked first, since its own phone would now read as taken.
    if ctx.crm.client_by_telegram(&actor, telegram_id).await?.is_some() {
        return Ok(registered);
    }
    let new = NewClient {
        full_name,
        phone: phone.clone(),
        birth_date,
        city,
        telegram_id: Some(telegram_id),
        telegram_username: user.username.clone(),
        source: c.source,
        personal_data_consent: c.personal_data_consent,
        marketing_consent: c.marketing_consent,
        agent_id: None,
    };
    Ok(match ctx.crm.register_client(&actor, new).await {
        Ok(client) => {
            issue_consents(ctx, &actor, client.id).await;
            registered
        }
        // A card took this phone after it was checked: the phone is asked again (and checked).
        Err(Error::Conflict(Conflict::PhoneTaken(_))) => refused("phone_taken"),
        // A repeated effect after a restart: this account is already registered.
        Err(Error::Conflict(Conflict::TelegramTaken)) => registered,
        Err(Error::Invalid(reason)) => refused(reason.code()),
        Err(e) => return Err(e.into()),
    })
}

/// Links this Telegram account to the card an agent made with the client's verified phone,
/// with the name the client confirmed or corrected; greets them by the name now on the card.
async fn link_card(
    ctx: &Ctx,
    actor: &Actor,
    user: &teloxide::types::User,
    phone: &crm::domain::Phone,
    link: &LinkCard,
    c: &Collected,
) -> Result<Event, BotError> {
    let Actor::Telegram(telegram_id) = *actor else {
        return Err(crm::Error::Forbidden("linking is done by the Telegram account itself").into());
    };
    if !c.phone_verified {
        return Ok(Event::Outcome(Outcome::RegistrationRefused { reason: "phone_taken".into() }));
    }
    let linked = ctx
        .crm
        .link_telegram_by_phone(
            actor,
            phone,
            user.username.as_deref(),
            c.personal_data_consent,
            c.marketing_consent,
            link.corrected_name.as_ref(),
        )
        .await;
    let refused = Event::Outcome(Outcome::RegistrationRefused { reason: "phone_taken".into() });
    Ok(match linked {
        Ok(client) => {
            issue_consents(ctx, actor, client.id).await;
            Event::Outcome(Outcome::Registered { first_name: first_name(&client.full_name) })
        }
        // Linked already by a repeated effect after a restart: the same answer. Otherwise the
        // card was linked or removed meanwhile, and the phone is asked again.
        Err(Error::Conflict(_) | Error::NotFound(_)) => match ctx.crm.client_by_telegram(actor, telegram_id).await? {
            Some(client) => Event::Outcome(Outcome::Registered { first_name: first_name(&client.full_name) }),
            None => refused,
        },
        Err(Error::Invalid(reason)) => Event::Outcome(Outcome::RegistrationRefused { reason: reason.code().into() }),
        Err(e) => return Err(e.into()),
    })
}

/// Issues the consents for signing now that the client registered (issue #13: at registration
/// or the first booking). The registration stands whatever happens: a failure is logged.
async fn issue_consents(ctx: &Ctx, actor: &Actor, client: crm::domain::ClientId) {
    if let Err(e) = ctx.crm.ensure_consent(actor, client).await {
        tracing::error!(client = client.0, error = %e, "consent not issued at registration");
    }
}

/// The given name of a full name as stored (the whole of it when it does not parse).
fn first_name(full_name: &str) -> String {
    PersonName::parse(full_name).map(|n| n.first_name().to_owned()).unwrap_or_else(|_| full_name.to_owned())
}
