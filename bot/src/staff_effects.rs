//! Staff effects of the dialogues, run through `crm` with the staff member as the actor. The
//! services decide what an agent may touch; a refusal becomes a polite answer, not an error.

use crate::BotError;
use crate::conversation::{Ctx, TgBot, send};
use crm::domain::{
    BookingId, BookingStatus, ClientId, Direction, DocField, DocKind, InteractionKind, Money, Role, TravellerId,
};
use crm::services::{Booking, BookingFilter, NewClient, NewInteractionInput, NewTraveller, PaymentInput};
use crm::{Actor, Error};
use dialogues::client::registration::Collected;
use dialogues::event::Outcome;
use dialogues::views::{
    BookingItem, ClientCardView, ClientItem, DocLine, StaffBookingView, TravellerLine, TravellersView,
};
use dialogues::{Callback, Effect, Event, Reply};
use teloxide::prelude::*;

/// A staff action's success, worded by a template (`staff_done_*`), with the card it was on.
pub(crate) fn done(ctx: &Ctx, message: Reply, back: Option<Callback>) -> Event {
    Event::Outcome(Outcome::Done { message: ctx.texts.message(&message), back })
}

/// A page of a list: `limit` items asked as `limit + 1`, so a cut list says so.
const PAGE: i64 = 20;

/// A refusal worded by a template (`staff_refused_*`).
fn refusal(ctx: &Ctx, reason: Reply) -> Event {
    Event::Outcome(Outcome::Refused(ctx.texts.message(&reason)))
}

/// A refusal in the user's words; anything that is not the user's doing stays an error.
pub(crate) fn refused(ctx: &Ctx, e: Error) -> Result<Event, BotError> {
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
        client: b.client_name.clone(),
        documents: Vec::new(),
    }
}

/// Documents as the bot lists them: a copy superseded by a newer one is history, left to the
/// panel's cards (in a chat it only lengthens the card).
pub(crate) fn document_items(lines: Vec<crm::services::DocumentLine>) -> Vec<dialogues::views::DocumentItem> {
    lines
        .into_iter()
        .filter(|l| l.state != crm::services::DocumentState::Superseded)
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
        Effect::StaffClients { query, before } => {
            let searched = query.is_some();
            let filter = match query.as_deref() {
                Some(q) => crm::Crm::search_filter(q),
                None => crm::services::ClientFilter::default(),
            };
            let filter = crm::services::ClientFilter { limit: PAGE + 1, before_id: before.map(ClientId), ..filter };
            let mut list = match crm.list_clients(&actor, filter).await {
                Ok(l) => l,
                Err(e) => return refused(ctx, e),
            };
            let cut = list.len() > PAGE as usize;
            list.truncate(PAGE as usize);
            let more = if cut { list.last().map(|c| c.id.0) } else { None };
            let items = list
                .into_iter()
                .map(|c| ClientItem { id: c.id.0, name: c.full_name, phone: crm::domain::format_phone(&c.phone) })
                .collect();
            Ok(Event::Outcome(Outcome::StaffClients { items, more, next_page: before.is_some(), searched }))
        }
        Effect::StaffClientCard(id) => client_card(ctx, &actor, ClientId(id)).await,
        Effect::StaffBookings { requests_only, before } => {
            let status = requests_only.then_some(BookingStatus::ContractPending);
            let filter =
                BookingFilter { status, limit: PAGE + 1, before_id: before.map(BookingId), ..Default::default() };
            let mut list = match crm.list_bookings(&actor, filter).await {
                Ok(l) => l,
                Err(e) => return refused(ctx, e),
            };
            let cut = list.len() > PAGE as usize;
            list.truncate(PAGE as usize);
            let more = if cut { list.last().map(|b| b.id.0) } else { None };
            let mut items = Vec::new();
            for b in &list {
                let (_, due) = crm.booking_balance(&actor, b.id).await?;
                items.push(item(b, due));
            }
            Ok(Event::Outcome(Outcome::StaffBookings { items, requests_only, more, next_page: before.is_some() }))
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
            attempt!(ctx, crm.log_interaction(&actor, input), |_| done(
                ctx,
                Reply::text("staff_done_note_logged"),
                Some(Callback::Client(client))
            ))
        }
        Effect::TagClient { client, tag } => {
            attempt!(ctx, crm.add_tag(&actor, ClientId(client), &tag), |c: crm::services::Client| done(
                ctx,
                Reply::text("staff_done_tagged").var("tags", c.tags),
                Some(Callback::Client(client))
            ))
        }
        Effect::CheckMove { booking, to } => {
            attempt!(ctx, crm.check_booking_move(&actor, BookingId(booking), to), |()| Event::Outcome(
                Outcome::MoveAllowed { booking, to }
            ))
        }
        Effect::MoveBooking { booking, to, reason } => {
            // The client's message is queued by crm in the move's transaction; the outbox delivers it.
            attempt!(ctx, crm.change_booking_status(&actor, BookingId(booking), to, &reason), |_| done(
                ctx,
                Reply::text("staff_done_status").var("booking", booking).var("status", to.title_ru()),
                Some(Callback::Booking(booking))
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
                    .var("status", o.status.title_ru()),
                Some(Callback::Booking(booking))
            ))
        }
        Effect::PaymentChoices(booking) => crate::payment_offers::choices(ctx, &actor, booking).await,
        Effect::PayOffer { booking, amount_minor, via } => {
            crate::payment_offers::send(ctx, &actor, booking, amount_minor, via).await
        }
        Effect::SendTelegramInvoice { booking, amount_minor } => {
            crate::payments::send_invoice_link(ctx, bot, &actor, BookingId(booking), amount_minor).await
        }
        Effect::SetBlacklist { client, on, reason } => {
            let what = Reply::text(if on { "staff_done_blacklisted" } else { "staff_done_unblacklisted" });
            attempt!(ctx, crm.set_blacklist(&actor, ClientId(client), on, &reason), |_| done(
                ctx,
                what,
                Some(Callback::Client(client))
            ))
        }
        Effect::StaffRegister(c) => register(ctx, &actor, c).await,
        Effect::StaffTravellers(id) => travellers(ctx, &actor, BookingId(id)).await,
        Effect::SetAddress { client, address } => {
            attempt!(ctx, crm.set_client_address(&actor, ClientId(client), &address), |remade: Vec<_>| done(
                ctx,
                Reply::text("staff_done_address").var("remade", titles(&remade)),
                Some(Callback::Client(client))
            ))
        }
        Effect::EditClient { client, field, value } => edit_client(ctx, &actor, ClientId(client), field, &value).await,
        Effect::AddTraveller { booking, full_name, birth_date } => {
            // Checked again as any entry is: a stale or crafted state is refused, not stored.
            let checked = crm::domain::PersonName::parse(&full_name).and_then(|full_name| {
                Ok(NewTraveller { full_name, birth_date: crm::domain::BirthDate::new(birth_date, ctx.crm.today())? })
            });
            match checked {
                Ok(t) => match ctx.crm.add_traveller(&actor, BookingId(booking), t).await {
                    Ok(_) => travellers(ctx, &actor, BookingId(booking)).await,
                    Err(e) => refused(ctx, e),
                },
                Err(why) => Ok(Event::Outcome(Outcome::Refused(why.message_ru().to_owned()))),
            }
        }
        Effect::PutTravellerDocument { traveller, kind, fields } => {
            put_document(ctx, &actor, Whose::Traveller(TravellerId(traveller)), kind, &fields).await
        }
        Effect::PutClientDocument { client, kind, fields } => {
            put_document(ctx, &actor, Whose::Client(ClientId(client)), kind, &fields).await
        }
        Effect::PutPaymentDetails { client, by_card, fields } => {
            let value = |f: crm::domain::RefundField| {
                fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or_default()
            };
            match crm::domain::refund_details(by_card, value) {
                Ok(d) => attempt!(ctx, crm.put_payment_details(&actor, ClientId(client), &d), |_| done(
                    ctx,
                    Reply::text("staff_done_refund"),
                    Some(Callback::Client(client))
                )),
                Err(why) => Ok(Event::Outcome(Outcome::Refused(why.message_ru().to_owned()))),
            }
        }
        Effect::CheckPhone { phone, verified } => match crm.phone_on_record(&actor, &phone, verified).await {
            Ok(on_record) => Ok(Event::Outcome(Outcome::PhoneChecked(crate::effects::phone_check(on_record)))),
            Err(e) => refused(ctx, e),
        },
        other => {
            tracing::warn!(?other, "a client effect in a staff dialogue; ignored");
            Ok(Event::Outcome(Outcome::Done { message: String::new(), back: None }))
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
        Ok(h) => {
            let mut lines = Vec::with_capacity(h.len());
            for i in &h {
                let who = author(ctx, &i.author).await;
                lines.push(format!(
                    "{} · {} · {}: {}",
                    i.occurred_at.with_timezone(&crm::domain::AGENCY_TZ).format("%d.%m %H:%M"),
                    i.kind.title_ru(),
                    who,
                    shorten(&i.body)
                ));
            }
            lines
        }
        Err(Error::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let c = card.client;
    let passport_expiry = c.foreign_passport_expires_on;
    let documents = ctx.crm.client_documents(actor, id).await?;
    let consent_unsigned = crm::services::consent_unsigned(&c, &documents);
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
        documents: document_items(documents),
        consent_unsigned,
        on_file: card.documents_on_file.map(|kinds| {
            let today = ctx.crm.today();
            kinds
                .iter()
                .filter_map(|k| crm::domain::DocKind::from_code(k))
                .map(|k| match (k, passport_expiry) {
                    // A passport that ran out (or soon will) is said where the agent looks.
                    (crm::domain::DocKind::ForeignPassport, Some(expires_on)) => {
                        let state = crm::domain::passport_expiry_ru(expires_on, today);
                        let until = crm::domain::format_ru_date(expires_on);
                        ctx.texts
                            .message(&Reply::text("staff_passport_on_file").var("until", until).var("state", state))
                    }
                    _ => k.title_ru().to_owned(),
                })
                .collect()
        }),
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
    let moves = card.manual_moves.iter().map(|m| (*m, card.booking.status.move_title_ru(*m))).collect();
    // The client's reason for asking to cancel, which the next move answers.
    let status_reason = (card.booking.status == crm::domain::BookingStatus::CancellationRequested)
        .then(|| card.history.last().map(|h| h.reason.clone()))
        .flatten();
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
        status_reason,
        refund_left: card.refund_left.filter(|m| m.minor > 0).map(|m| m.to_string()),
        accepts_payments: card.booking.status.accepts_payments(),
        telegram_payments: ctx.crm.telegram_payments_enabled(),
        // Whether a way is on and the client can get it is asked when the button is pressed.
        send_payment: crm::services::Capability::SendPayments.allows(actor),
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
        return Ok(done(ctx, Reply::text("staff_done_logged_no_telegram"), Some(Callback::Client(id.0))));
    };
    let agent = match actor.staff_id() {
        Some(id) => ctx.crm.get_staff(actor, id).await.map(|s| s.name).unwrap_or_default(),
        None => String::new(),
    };
    send(ctx, bot, ChatId(chat), &Reply::text("agent_reply").var("agent", agent).var("text", text)).await?;
    Ok(done(ctx, Reply::text("staff_done_sent"), Some(Callback::Client(id.0))))
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
        Reply::text("staff_done_registered").var("name", name).var("id", c.id.0),
        Some(Callback::Client(c.id.0))
    ))
}

/// Who wrote a history entry, as staff read it: a colleague by name, the client, the bot.
async fn author(ctx: &Ctx, stored: &str) -> String {
    let text = |key: &str| ctx.texts.message(&Reply::text(key));
    match stored.split_once(':') {
        Some(("staff", id)) => match id.parse::<i64>() {
            // A colleague's name is no secret to an agent (clients see it too); their record is.
            Ok(id) => match ctx.crm.get_staff(&Actor::System, crm::domain::StaffId(id)).await {
                Ok(s) => s.name,
                Err(_) => text("history_author_staff"),
            },
            Err(_) => text("history_author_staff"),
        },
        Some(("client" | "telegram", _)) => text("history_author_client"),
        _ => text("history_author_system"),
    }
}

/// What a staff member's event needs beyond seeing the record, asked of `crm` before the
/// dialogue asks for a text: an action their role may not take is refused at the button, not
/// after they typed a reason or a message.
pub fn needs(event: &Event) -> Option<crm::services::Capability> {
    use crm::services::Capability;
    use dialogues::MenuItem;
    match event {
        Event::Menu(MenuItem::StaffNewClient)
        | Event::Callback(
            Callback::ReplyTo(_)
            | Callback::Note(..)
            | Callback::Tag(_)
            | Callback::Address(_)
            | Callback::ClientDocuments(_)
            | Callback::ClientDocKind(..),
        ) => Some(Capability::WorkClientsInBot),
        Event::Callback(Callback::Pay(_) | Callback::TelegramInvoice(_)) => Some(Capability::RecordPayments),
        Event::Callback(Callback::SendPayment(_)) => Some(Capability::SendPayments),
        Event::Callback(Callback::Blacklist(_) | Callback::Unblacklist(_)) => Some(Capability::Blacklist),
        _ => None,
    }
}

/// The refusal of an action the staff member's role may not take.
pub fn not_your_role(need: crm::services::Capability) -> Reply {
    match need {
        crm::services::Capability::Blacklist => Reply::text("staff_admin_only"),
        _ => Reply::text("staff_not_your_role"),
    }
}

/// The booking's travellers with their documents' state and warnings (reading them is audited
/// by crm).
async fn travellers(ctx: &Ctx, actor: &Actor, id: BookingId) -> Result<Event, BotError> {
    let list = match ctx.crm.travellers(actor, id).await {
        Ok(l) => l,
        Err(e) => return refused(ctx, e),
    };
    let travellers = list
        .travellers
        .iter()
        .map(|e| TravellerLine {
            id: e.traveller.id.0,
            name: e.traveller.full_name.clone(),
            birth_date: crm::domain::format_ru_date(e.traveller.birth_date),
            is_client: e.is_client,
            documents: e
                .documents
                .iter()
                .map(|d| DocLine {
                    kind: d.kind,
                    title: d.kind.title_ru().to_owned(),
                    needed: d.needed,
                    on_file: d.on_file,
                })
                .collect(),
            warnings: e.warnings.iter().map(|w| w.message_ru()).collect(),
        })
        .collect();
    Ok(Event::Outcome(Outcome::StaffTravellers(TravellersView {
        booking: id.0,
        travellers_count: list.travellers_count,
        travellers,
        can_add: list.can_add,
    })))
}

/// The titles of documents made anew by a change of their data, for the staff's «сохранено».
/// One field of the client's card corrected: the others as the card has them, checked again
/// as any entry is (a stale or crafted state is refused, not stored).
async fn edit_client(
    ctx: &Ctx,
    actor: &Actor,
    id: ClientId,
    field: dialogues::staff::ClientField,
    value: &str,
) -> Result<Event, BotError> {
    use dialogues::staff::ClientField;
    let c = match ctx.crm.get_client(actor, id).await {
        Ok(c) => c,
        Err(e) => return refused(ctx, e),
    };
    let today = ctx.crm.today();
    let typed = |f: ClientField, stored: String| if f == field { value.to_owned() } else { stored };
    let birth = c.birth_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default();
    let contacts =
        crm::domain::PersonName::parse(&typed(ClientField::FullName, c.full_name.clone())).and_then(|full_name| {
            Ok(crm::services::ClientContacts {
                full_name,
                phone: crm::domain::Phone::parse(&typed(ClientField::Phone, c.phone.clone()))?,
                birth_date: crm::domain::BirthDate::parse(&typed(ClientField::BirthDate, birth), today)?,
                city: match field {
                    ClientField::City => crm::domain::City::parse(value)?,
                    _ => crm::domain::City::from_stored(c.city.clone().unwrap_or_default(), c.time_zone.name()),
                },
            })
        });
    let contacts = match contacts {
        Ok(contacts) => contacts,
        Err(why) => return Ok(Event::Outcome(Outcome::Refused(why.message_ru().to_owned()))),
    };
    attempt!(ctx, ctx.crm.edit_client(actor, id, &contacts), |(_, remade): (_, Vec<_>)| done(
        ctx,
        Reply::text("staff_done_contacts").var("field", field.code()).var("remade", titles(&remade)),
        Some(Callback::Client(id.0))
    ))
}

fn titles(remade: &[crm::services::DocumentLine]) -> Vec<String> {
    remade.iter().map(|d| d.document.title.clone()).collect()
}

/// Whose identity document the bot saves: a booking's traveller's, or the client's own.
enum Whose {
    Traveller(TravellerId),
    Client(ClientId),
}

/// Builds the document from the fields the dialogue collected, with the same checks as every
/// entry (a stale or crafted state is refused here, not stored), and saves it.
async fn put_document(
    ctx: &Ctx,
    actor: &Actor,
    whose: Whose,
    kind: DocKind,
    fields: &[(DocField, String)],
) -> Result<Event, BotError> {
    let value = |f: DocField| fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or_default();
    let doc = match crm::domain::parse_document(kind, value, ctx.crm.today()) {
        Ok(doc) => doc,
        Err(errors) => {
            let reason = errors.first().map(|(_, why)| why.message_ru()).unwrap_or_default();
            return Ok(Event::Outcome(Outcome::Refused(reason.to_owned())));
        }
    };
    let (saved, back) = match whose {
        Whose::Traveller(id) => match ctx.crm.put_traveller_document(actor, id, &doc).await {
            // Back to the list: the next traveller's document is what an agent usually enters next.
            Ok(s) => (s, ctx.crm.traveller_booking(actor, id).await.ok().map(|b| Callback::Travellers(b.0))),
            Err(e) => return refused(ctx, e),
        },
        Whose::Client(id) => match ctx.crm.put_client_document(actor, id, &doc).await {
            Ok(saved) => (saved, Some(Callback::Client(id.0))),
            Err(e) => return refused(ctx, e),
        },
    };
    let saved = Reply::text("staff_done_document")
        .var("kind", kind.title_ru())
        .var("warnings", saved.warnings.iter().map(|w| w.message_ru()).collect::<Vec<_>>())
        .var("remade", titles(&saved.remade));
    Ok(done(ctx, saved, back))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialogues::MenuItem;

    /// Which role is refused at the button (before any text is asked), by the crm's role lists.
    #[test]
    fn actions_a_role_may_not_take_are_refused_at_the_button() {
        let allowed = |event: Event, role: Role| match needs(&event) {
            Some(need) => need.allows(&Actor::staff(crm::domain::StaffId(1), role)),
            None => true,
        };
        let write = Event::Callback(Callback::ReplyTo(5));
        let register = Event::Menu(MenuItem::StaffNewClient);
        let pay = Event::Callback(Callback::Pay(7));
        let blacklist = Event::Callback(Callback::Blacklist(5));
        for (event, agent, accountant, operator, admin) in [
            (write, true, false, false, true),
            (register, true, false, false, true),
            (Event::Callback(Callback::Note(5, crm::domain::InteractionKind::Call)), true, false, false, true),
            (pay, true, true, false, true),
            // A payment sent to the client: the booking's agent or an admin, not the accountant.
            (Event::Callback(Callback::SendPayment(7)), true, false, false, true),
            (blacklist, false, false, false, true),
            (Event::Callback(Callback::Client(5)), true, true, true, true),
        ] {
            for (role, expected) in
                [(Role::Agent, agent), (Role::Accountant, accountant), (Role::Operator, operator), (Role::Admin, admin)]
            {
                assert_eq!(allowed(event.clone(), role), expected, "{event:?} by {role:?}");
            }
        }
        assert_eq!(not_your_role(crm::services::Capability::Blacklist).template, "staff_admin_only");
    }
}
