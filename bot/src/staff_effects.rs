//! Staff effects of the dialogues, run through `crm` with the staff member as the actor. The
//! services decide what an agent may touch; a refusal becomes a polite answer, not an error.

use crate::BotError;
use crate::conversation::{Ctx, TgBot, send};
use crm::domain::{BookingId, BookingStatus, ClientId, Direction, InteractionKind, Money, Role};
use crm::services::{Booking, BookingFilter, NewClient, NewInteractionInput, PaymentInput};
use crm::{Actor, Error};
use dialogues::client::registration::Collected;
use dialogues::event::Outcome;
use dialogues::views::{BookingItem, ClientCardView, ClientItem, StaffBookingView};
use dialogues::{Effect, Event, Reply};
use teloxide::prelude::*;

/// A staff action's success, worded by a template (`staff_done_*`).
fn done(ctx: &Ctx, message: Reply) -> Event {
    Event::Outcome(Outcome::Done(ctx.texts.message(&message)))
}

/// A refusal worded by a template (`staff_refused_*`).
fn refusal(ctx: &Ctx, reason: Reply) -> Event {
    Event::Outcome(Outcome::Refused(ctx.texts.message(&reason)))
}

/// A refusal in the user's words; anything that is not the user's doing stays an error.
fn refused(ctx: &Ctx, e: Error) -> Result<Event, BotError> {
    match e {
        Error::Forbidden(_) => Ok(refusal(ctx, Reply::text("staff_refused_forbidden"))),
        Error::NotFound(_) => Ok(refusal(ctx, Reply::text("staff_refused_not_found"))),
        other => match other.refusal_ru() {
            Some(reason) => Ok(Event::Outcome(Outcome::Refused(reason))),
            None => Err(other.into()),
        },
    }
}

/// Runs a crm call; its refusal is answered, its success mapped by `ok`.
macro_rules! attempt {
    ($ctx:expr, $call:expr, $ok:expr) => {
        match $call.await {
            Ok(v) => Ok($ok(v)),
            Err(e) => refused($ctx, e),
        }
    };
}

/// A booking as the bot's lists and cards show it, to staff and clients alike.
pub(crate) fn item(b: &Booking, due: Money) -> BookingItem {
    BookingItem {
        id: b.id.0,
        tour: b.tour_title.clone(),
        dates: crm::domain::format_ru_range(b.starts_on, b.ends_on),
        status: b.status.title_ru().to_owned(),
        total: b.total.to_string(),
        due: due.to_string(),
        travellers: b.travellers_count,
        documents: Vec::new(),
    }
}

/// Documents as the bot lists them.
pub(crate) fn document_items(lines: Vec<crm::services::DocumentLine>) -> Vec<dialogues::views::DocumentItem> {
    lines
        .into_iter()
        .map(|l| dialogues::views::DocumentItem {
            id: l.document.id.0,
            signable: l.state.signable(),
            signed: l.state == crm::services::DocumentState::Signed,
            state: l.state_title.to_owned(),
            title: l.document.title,
        })
        .collect()
}

pub async fn run(ctx: &Ctx, bot: &TgBot, staff_id: i64, role: Role, effect: Effect) -> Result<Event, BotError> {
    let actor = Actor::staff(crm::domain::StaffId(staff_id), role);
    let crm = &ctx.crm;
    match effect {
        Effect::StaffClients { query } => {
            let filter = match query.as_deref() {
                Some(q) => crm::Crm::search_filter(q),
                None => crm::services::ClientFilter { limit: 20, ..Default::default() },
            };
            attempt!(
                ctx,
                crm.list_clients(&actor, crm::services::ClientFilter { limit: 20, ..filter }),
                |list: Vec<crm::services::Client>| {
                    Event::Outcome(Outcome::StaffClients(
                        list.into_iter()
                            .map(|c| ClientItem { id: c.id.0, name: c.full_name, phone: c.phone })
                            .collect(),
                    ))
                }
            )
        }
        Effect::StaffClientCard(id) => client_card(ctx, &actor, ClientId(id)).await,
        Effect::StaffBookings { requests_only } => {
            let status = requests_only.then_some(BookingStatus::ContractPending);
            let list = match crm.list_bookings(&actor, BookingFilter { status, limit: 20, ..Default::default() }).await
            {
                Ok(l) => l,
                Err(e) => return refused(ctx, e),
            };
            let mut items = Vec::new();
            for b in &list {
                let (_, due) = crm.booking_balance(&actor, b.id).await?;
                items.push(item(b, due));
            }
            Ok(Event::Outcome(Outcome::StaffBookings(items)))
        }
        Effect::StaffBookingCard(id) => booking_card(ctx, &actor, BookingId(id)).await,
        Effect::MessageClient { client, text } => message_client(ctx, bot, &actor, ClientId(client), &text).await,
        Effect::LogNote { client, kind, text } => {
            let input = NewInteractionInput {
                client_id: ClientId(client),
                kind,
                direction: if kind == InteractionKind::Note { Direction::None } else { Direction::In },
                body: text,
                occurred_at: None,
            };
            attempt!(ctx, crm.log_interaction(&actor, input), |_| done(ctx, Reply::text("staff_done_note_logged")))
        }
        Effect::TagClient { client, tag } => {
            attempt!(ctx, crm.add_tag(&actor, ClientId(client), &tag), |c: crm::services::Client| done(
                ctx,
                Reply::text("staff_done_tagged").var("tags", c.tags)
            ))
        }
        Effect::MoveBooking { booking, to, reason } => {
            // The client's message is queued by crm in the move's transaction; the outbox delivers it.
            attempt!(ctx, crm.change_booking_status(&actor, BookingId(booking), to, &reason), |_| done(
                ctx,
                Reply::text("staff_done_status").var("booking", booking).var("status", to.title_ru())
            ))
        }
        Effect::RecordPayment { booking, method, amount_minor } => {
            let currency = match crm.booking_card(&actor, BookingId(booking)).await {
                Ok(c) => c.booking.total.currency,
                Err(e) => return refused(ctx, e),
            };
            let input = PaymentInput {
                booking_id: BookingId(booking),
                amount: Money::new(amount_minor, currency),
                method,
                external_id: None,
                note: ctx.texts.message(&Reply::text("payment_note")),
            };
            attempt!(ctx, crm.record_client_payment(&actor, input), |o: crm::services::PaymentOutcome| done(
                ctx,
                Reply::text("staff_done_payment")
                    .var("amount", o.operation.amount.to_string())
                    .var("booking", booking)
                    .var("status", o.status.title_ru())
            ))
        }
        Effect::SetBlacklist { client, on, reason } => {
            let what = Reply::text(if on { "staff_done_blacklisted" } else { "staff_done_unblacklisted" });
            attempt!(ctx, crm.set_blacklist(&actor, ClientId(client), on, &reason), |_| done(ctx, what))
        }
        Effect::StaffRegister(c) => register(ctx, &actor, c).await,
        other => {
            tracing::warn!(?other, "a client effect in a staff dialogue; ignored");
            Ok(Event::Outcome(Outcome::Done(String::new())))
        }
    }
}

async fn client_card(ctx: &Ctx, actor: &Actor, id: ClientId) -> Result<Event, BotError> {
    let card = match ctx.crm.client_card(actor, id).await {
        Ok(c) => c,
        Err(e) => return refused(ctx, e),
    };
    let bookings =
        ctx.crm.list_bookings(actor, BookingFilter { client_id: Some(id), limit: 10, ..Default::default() }).await?;
    let mut items = Vec::new();
    for b in &bookings {
        let (_, due) = ctx.crm.booking_balance(actor, b.id).await?;
        let mut i = item(b, due);
        i.documents = document_items(ctx.crm.booking_documents(actor, b.id).await?);
        items.push(i);
    }
    let history = match ctx.crm.client_history(actor, id, 5).await {
        Ok(h) => h
            .iter()
            .map(|i| format!("{} · {} · {}", i.occurred_at.format("%d.%m %H:%M"), i.kind.title_ru(), shorten(&i.body)))
            .collect(),
        Err(Error::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let c = card.client;
    Ok(Event::Outcome(Outcome::StaffClient(ClientCardView {
        id: c.id.0,
        name: c.full_name,
        phone: crm::domain::format_phone(&c.phone),
        city: c.city.unwrap_or_default(),
        birth_date: c.birth_date.map(crm::domain::format_ru_date).unwrap_or_default(),
        tags: c.tags,
        blacklisted: c.blacklist.map(|b| b.reason),
        bookings: items,
        history,
        telegram: c.telegram_id.is_some(),
        documents: document_items(ctx.crm.client_documents(actor, id).await?),
    })))
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

async fn booking_card(ctx: &Ctx, actor: &Actor, id: BookingId) -> Result<Event, BotError> {
    let card = match ctx.crm.booking_card(actor, id).await {
        Ok(c) => c,
        Err(e) => return refused(ctx, e),
    };
    let moves = card.manual_moves.iter().map(|m| (*m, m.title_ru().to_owned())).collect();
    let mut booking = item(&card.booking, card.due);
    booking.documents = document_items(ctx.crm.booking_documents(actor, id).await?);
    // A contract is issued while the booking waits for it and none is signed (crm decides
    // again when the button is pressed).
    let can_issue_contract = card.booking.status == crm::domain::BookingStatus::ContractPending
        && !booking.documents.iter().any(|d| d.signed)
        && !matches!(actor.role(), Some(Role::Accountant | Role::Operator));
    Ok(Event::Outcome(Outcome::StaffBooking(StaffBookingView {
        booking,
        can_issue_contract,
        client_id: card.booking.client_id.0,
        client: card.booking.client_name.clone(),
        paid: card.paid.to_string(),
        moves,
        accepts_payments: card.booking.status.accepts_payments(),
    })))
}

async fn message_client(ctx: &Ctx, bot: &TgBot, actor: &Actor, id: ClientId, text: &str) -> Result<Event, BotError> {
    let client = match ctx.crm.get_client(actor, id).await {
        Ok(c) => c,
        Err(e) => return refused(ctx, e),
    };
    let input = NewInteractionInput {
        client_id: id,
        kind: InteractionKind::Message,
        direction: Direction::Out,
        body: text.to_owned(),
        occurred_at: None,
    };
    if let Err(e) = ctx.crm.log_interaction(actor, input).await {
        return refused(ctx, e);
    }
    let Some(chat) = client.telegram_id else {
        return Ok(done(ctx, Reply::text("staff_done_logged_no_telegram")));
    };
    let agent = match actor.staff_id() {
        Some(id) => ctx.crm.get_staff(actor, id).await.map(|s| s.name).unwrap_or_default(),
        None => String::new(),
    };
    send(ctx, bot, ChatId(chat), &Reply::text("agent_reply").var("agent", agent).var("text", text)).await?;
    Ok(done(ctx, Reply::text("staff_done_sent")))
}

/// Tells the client their booking's status changed (if they use the bot).
async fn register(ctx: &Ctx, actor: &Actor, c: Collected) -> Result<Event, BotError> {
    let (Some(full_name), Some(phone), Some(birth_date), Some(city)) = (c.full_name, c.phone, c.birth_date, c.city)
    else {
        return Ok(refusal(ctx, Reply::text("staff_refused_incomplete_client")));
    };
    let name = full_name.as_str().to_owned();
    let new = NewClient {
        full_name,
        phone,
        birth_date,
        city,
        telegram_id: None,
        telegram_username: None,
        source: Some("agent_bot".into()),
        // Consents are the client's own: given in the bot or when signing the contract.
        personal_data_consent: false,
        marketing_consent: false,
        agent_id: None,
    };
    attempt!(ctx, ctx.crm.register_client(actor, new), |c: crm::services::Client| done(
        ctx,
        Reply::text("staff_done_registered").var("name", name).var("id", c.id.0)
    ))
}
