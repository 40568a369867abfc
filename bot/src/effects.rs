//! Data effects of the client dialogues, run through `crm` with the client as the actor, and
//! answered as `dialogues` outcomes. Views are filled here in the shape the texts need.

use crate::BotError;
use crate::conversation::{Ctx, TgBot};
use chrono::{Duration, NaiveDate};
use crm::domain::{BookingId, BookingStatus, Cause, ClientId, DepartureId, Money, TourId};
use crm::domain::{format_ru_date, format_ru_range};
use crm::services::{Booking, BookingRequest, Installment, TourFilter as CrmTourFilter, TourOffer};
use crm::{Actor, Error};
use dialogues::client::catalog::{PAGE_SIZE, TourFilter};
use dialogues::event::{Outcome, PhoneCheck};
use dialogues::views::{
    BookingItem, DepartureItem, HotelStay, InstalmentView, MyBookingView, QuoteRoom, QuoteView, RouteDay, Settings,
    TourItem, TourPage, TourView,
};
use dialogues::{Event, Reply};
use teloxide::prelude::*;

fn month_range(yyyymm: u32) -> Option<(NaiveDate, NaiveDate)> {
    let y = i32::try_from(yyyymm / 100).ok()?;
    let m = yyyymm % 100;
    let from = NaiveDate::from_ymd_opt(y, m, 1)?;
    let until = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(y, m + 1, 1)? };
    Some((from, until))
}

/// The tours a client asked for, a page of them. The list and its filter speak of one price:
/// what one person really pays, accommodation included, on a departure the list may show (in
/// the chosen month, with a seat) — the budget is checked against it, not the tour's own price
/// without the hotel, and «ближайший заезд» is the first such departure.
pub async fn find_tours(ctx: &Ctx, actor: &Actor, filter: &TourFilter, page: u32) -> Result<Event, BotError> {
    let today = ctx.crm.today();
    let (departs_from, departs_until) = match filter.month.and_then(month_range) {
        Some((from, until)) => (from.max(today + Duration::days(1)), Some(until)),
        // Only tours that can still be booked: a departure after today with a seat.
        None => (today + Duration::days(1), None),
    };
    let budget = filter.budget_k.map(|k| i64::from(k) * 1000 * 100);
    let start = usize::try_from(page * PAGE_SIZE).unwrap_or(usize::MAX);
    let page_size = PAGE_SIZE as usize;
    // The tour's own price never exceeds what a person pays with the hotel, so the store may
    // drop what is over budget by it; what is left is checked against the real price below,
    // so more candidates than a page are read when a budget is set.
    let wanted = if budget.is_some() { 200 } else { i64::try_from(start + page_size + 1).unwrap_or(200) };
    let tours = ctx
        .crm
        .list_tours(
            actor,
            CrmTourFilter {
                text: filter.destination.clone(),
                departs_from: Some(departs_from),
                departs_until,
                max_price: budget,
                hot_on: filter.hot.then_some(today),
                limit: wanted,
                ..Default::default()
            },
        )
        .await?;
    let mut matched = 0;
    let mut has_more = false;
    let mut items = Vec::new();
    for t in tours {
        if budget.is_none() && matched < start {
            // Nothing to check on a page before this one: counted, not priced.
            matched += 1;
            continue;
        }
        let offer = ctx.crm.tour_offer(actor, t.id).await?;
        let shown = |d: &crm::services::Departure| {
            d.starts_on >= departs_from && departs_until.is_none_or(|u| d.starts_on < u) && d.seats_left() > 0
        };
        let next = offer.card.departures.iter().find(|d| shown(d));
        // The list says «от»: the least one person pays on a departure it shows.
        let least = offer.least_per_person(shown);
        if budget.is_some_and(|b| least.minor > b) {
            continue;
        }
        matched += 1;
        if matched <= start {
            continue;
        }
        if items.len() == page_size {
            has_more = true;
            break;
        }
        items.push(TourItem {
            id: t.id.0,
            title: t.title.clone(),
            place: place(&t.country, &t.region),
            price: least.to_string(),
            next_departure: next.map(|d| format_ru_range(d.starts_on, d.ends_on)),
            hot: t.is_hot_on(today),
        });
    }
    Ok(Event::Outcome(Outcome::Tours(TourPage { items, page, has_more })))
}

fn place(country: &str, region: &str) -> String {
    if region.is_empty() { country.to_owned() } else { format!("{country}, {region}") }
}

pub async fn show_tour(ctx: &Ctx, actor: &Actor, id: i64) -> Result<Event, BotError> {
    let today = ctx.crm.today();
    let offer = match ctx.crm.tour_offer(actor, TourId(id)).await {
        Ok(offer) => offer,
        Err(Error::NotFound(_) | Error::Forbidden(_)) => return Ok(Event::Outcome(Outcome::NotFound)),
        Err(e) => return Err(e.into()),
    };
    let least = offer.least_per_person(|_| true);
    let TourOffer { card, prices } = offer;
    let t = &card.tour;
    let price_of = |d: DepartureId| prices.iter().find(|p| p.departure_id == d);
    // «от» when one person's price is not the same on every departure and party size.
    let price_from = prices.iter().any(|p| p.varies || p.per_person != least);
    let view = TourView {
        id: t.id.0,
        title: t.title.clone(),
        kind: t.kind.title_ru().to_owned(),
        place: place(&t.country, &t.region),
        description: t.description.clone(),
        price: least.to_string(),
        price_from,
        route: card
            .route
            .iter()
            .map(|p| RouteDay { day: p.day_number, place: p.place.clone(), description: p.description.clone() })
            .collect(),
        included: card.services.iter().filter(|(_, inc)| *inc).map(|(s, _)| s.title_ru().to_owned()).collect(),
        not_included: card.services.iter().filter(|(_, inc)| !*inc).map(|(s, _)| s.title_ru().to_owned()).collect(),
        hotels: card
            .hotels
            .iter()
            .map(|h| HotelStay {
                name: h.hotel_name.clone(),
                stars: h.stars,
                city: h.city.clone(),
                room: h.room_type.clone(),
                nights: h.nights,
            })
            .collect(),
        departures: card
            .departures
            .iter()
            .filter(|d| d.starts_on > today)
            .map(|d| DepartureItem {
                id: d.id.0,
                dates: format_ru_range(d.starts_on, d.ends_on),
                seats_left: d.seats_left(),
                price: price_of(d.id).map(|p| p.per_person.to_string()),
                price_from: price_of(d.id).is_some_and(|p| p.varies),
            })
            .collect(),
        hot: t.is_hot_on(today),
        early_booking: t.is_early_booking_on(today),
    };
    Ok(Event::Outcome(Outcome::Tour(view)))
}

async fn item(ctx: &Ctx, actor: &Actor, b: &Booking) -> Result<BookingItem, BotError> {
    let (_, due) = ctx.crm.booking_balance(actor, b.id).await?;
    let mut item = crate::staff_effects::item(b, due);
    item.documents = crate::staff_effects::document_items(ctx.crm.booking_documents(actor, b.id).await?);
    Ok(item)
}

/// The request a client makes from the bot: priced for the breakdown and then booked alike.
fn request(ctx: &Ctx, client: ClientId, departure: i64, travellers: u8) -> BookingRequest {
    BookingRequest {
        client_id: client,
        departure_id: DepartureId(departure),
        travellers_count: i64::from(travellers),
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: ctx.texts.message(&Reply::text("booking_note")),
        request_key: None,
    }
}

fn instalments(schedule: &[Installment], paid: i64) -> Vec<InstalmentView> {
    let mut scheduled: i64 = 0;
    schedule
        .iter()
        .map(|i| {
            scheduled = scheduled.saturating_add(i.amount.minor);
            InstalmentView { amount: i.amount.to_string(), due_on: format_ru_date(i.due_on), paid: scheduled <= paid }
        })
        .collect()
}

/// The price of a request before it is made, by the same path as the booking.
pub async fn quote(ctx: &Ctx, client: ClientId, departure: i64, travellers: u8) -> Result<Event, BotError> {
    let q = match ctx.crm.quote_booking(&Actor::Client(client), &request(ctx, client, departure, travellers)).await {
        Ok(q) => q,
        Err(Error::Conflict(crm::Conflict::NoSeatsLeft { left })) => {
            return Ok(Event::Outcome(Outcome::TooFewSeats { left }));
        }
        Err(e) => return Ok(Event::Outcome(Outcome::BookingRefused { reason: refusal(ctx, e)? })),
    };
    let cur = q.total.currency;
    let n = q.travellers.max(1);
    Ok(Event::Outcome(Outcome::Quote(QuoteView {
        departure_id: q.departure.id.0,
        tour: q.tour.title.clone(),
        dates: format_ru_range(q.departure.starts_on, q.departure.ends_on),
        travellers: q.travellers,
        per_person: q.per_person.to_string(),
        tour_total: Money::new(q.per_person.minor.saturating_mul(q.travellers), cur).to_string(),
        rooms: q
            .rooms
            .iter()
            .map(|r| QuoteRoom {
                hotel: r.hotel_name.clone(),
                room: r.room_type.clone(),
                rooms: r.rooms,
                nights: r.nights,
                total: r.total.to_string(),
            })
            .collect(),
        rooms_total: q.rooms_total.to_string(),
        total: q.total.to_string(),
        total_per_person: Money::new((q.total.minor + n - 1) / n, cur).to_string(),
        schedule: instalments(&q.schedule, 0),
        request_key: Some(BookingRequest::new_key()),
    })))
}

/// A booking the client confirmed at its price (`Effect::Book`).
pub struct Booked {
    pub departure_id: i64,
    pub travellers: u8,
    pub request_key: Option<String>,
    /// The client's question not passed on, kept as the booking's note and told to the agent.
    pub note: String,
}

pub async fn book(ctx: &Ctx, bot: &TgBot, client: ClientId, b: Booked) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let req = BookingRequest {
        request_key: b.request_key,
        notes: b.note,
        ..request(ctx, client, b.departure_id, b.travellers)
    };
    let card = match ctx.crm.create_booking(&actor, req).await {
        Ok(c) => c,
        Err(e) => return Ok(Event::Outcome(Outcome::BookingRefused { reason: refusal(ctx, e)? })),
    };
    notify_agent(ctx, bot, &card.booking).await;
    Ok(Event::Outcome(Outcome::Booked(item(ctx, &actor, &card.booking).await?)))
}

/// The user's words for why a booking was refused; internal errors stay errors.
fn refusal(ctx: &Ctx, e: Error) -> Result<String, BotError> {
    Ok(match e {
        // No room price for a night is the agency's gap, not something the client can fix.
        Error::NotFound(_) | Error::Forbidden(_) | Error::Invalid(crm::domain::Invalid::NoPriceForDate) => {
            ctx.texts.message(&Reply::text("book_refused_unavailable"))
        }
        other => match other.refusal_ru() {
            Some(reason) => reason,
            None => return Err(BotError::Crm(other)),
        },
    })
}

/// Tells the booking's agent about a new request (if their Telegram is bound).
async fn notify_agent(ctx: &Ctx, bot: &TgBot, b: &Booking) {
    let Some(agent) = b.agent_id else { return };
    let Ok(staff) = ctx.crm.get_staff(&Actor::System, agent).await else { return };
    let Some(chat) = staff.telegram_id else { return };
    let phone = match ctx.crm.get_client(&Actor::System, b.client_id).await {
        Ok(c) => crm::domain::format_phone(&c.phone),
        Err(_) => String::new(),
    };
    let open = |label: &str, cb| dialogues::Button::new(dialogues::Label::new(label), cb);
    let reply = Reply::text("agent_new_booking")
        .var("booking_id", b.id.0)
        .var("client", b.client_name.as_str())
        .var("phone", phone)
        .var("tour", b.tour_title.as_str())
        .var("dates", format_ru_range(b.starts_on, b.ends_on))
        .var("travellers", b.travellers_count)
        .var("total", b.total.to_string())
        .var("notes", b.notes.as_str())
        .keyboard(dialogues::Keyboard::Inline(vec![vec![
            open("open_booking", dialogues::Callback::Booking(b.id.0)),
            open("open_client", dialogues::Callback::Client(b.client_id.0)),
        ]]));
    if let Err(e) = crate::conversation::send(ctx, bot, ChatId(chat), &reply).await {
        tracing::warn!(error = %e, booking = b.id.0, "could not notify the agent about a new booking");
    }
}

/// «Мои брони»: each booking with what is paid, the schedule, what is due next and its
/// documents; then the client's own documents.
pub async fn my_bookings(ctx: &Ctx, client: ClientId) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let list = ctx.crm.list_bookings(&actor, crm::services::BookingFilter { limit: 20, ..Default::default() }).await?;
    let mut items = Vec::with_capacity(list.len());
    for b in &list {
        let card = ctx.crm.booking_card(&actor, b.id).await?;
        let schedule = instalments(&card.schedule, card.paid.minor);
        let next_due = crm::services::next_instalment(&card.schedule, card.paid.minor)
            .filter(|_| card.booking.status.is_active())
            .map(|(amount, on)| InstalmentView { amount: amount.to_string(), due_on: format_ru_date(on), paid: false });
        let mut booking = crate::staff_effects::item(&card.booking, card.due);
        booking.documents = for_the_client(ctx.crm.booking_documents(&actor, b.id).await?);
        items.push(MyBookingView {
            booking,
            paid: card.paid.to_string(),
            next_due,
            schedule,
            may_cancel: card.booking.status.check_move(BookingStatus::CancellationRequested, Cause::Manual).is_ok(),
            may_pay: card.takes_payment(),
        });
    }
    // The client's own documents (the consents): those of a booking are listed with it.
    let own = ctx.crm.client_documents(&actor, client).await?.into_iter().filter(|d| d.document.booking_id.is_none());
    let documents = for_the_client(own.collect());
    Ok(Event::Outcome(Outcome::Bookings { items, documents }))
}

/// What the client can still do something with: sign it, or download it signed (copies
/// superseded or expired unsigned are history, kept on the staff's cards).
fn for_the_client(lines: Vec<crm::services::DocumentLine>) -> Vec<dialogues::views::DocumentItem> {
    crate::staff_effects::document_items(lines).into_iter().filter(|d| d.signable || d.signed).collect()
}

/// The client asks to cancel a booking: the move goes through crm (history, the client's
/// message), then the agent hears of it — the booking's agent, or the agency's staff on duty
/// when it has none reachable (see `Crm::booking_listeners`).
pub async fn request_cancel(
    ctx: &Ctx,
    bot: &TgBot,
    client: ClientId,
    booking: i64,
    reason: &str,
) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let id = BookingId(booking);
    let card = match ctx.crm.change_booking_status(&actor, id, BookingStatus::CancellationRequested, reason).await {
        Ok(c) => c,
        Err(e) => {
            let reason = match e {
                Error::NotFound(_) | Error::Forbidden(_) => ctx.texts.message(&Reply::text("book_refused_unavailable")),
                other => match other.refusal_ru() {
                    Some(reason) => reason,
                    None => return Err(BotError::Crm(other)),
                },
            };
            return Ok(Event::Outcome(Outcome::CancelRefused { reason }));
        }
    };
    let b = &card.booking;
    let c = ctx.crm.get_client(&actor, client).await?;
    let reply = Reply::text("agent_cancel_request")
        .var("booking_id", b.id.0)
        .var("client", b.client_name.as_str())
        .var("phone", crm::domain::format_phone(&c.phone))
        .var("tour", b.tour_title.as_str())
        .var("dates", format_ru_range(b.starts_on, b.ends_on))
        .var("paid", card.paid.to_string())
        .var("total", b.total.to_string())
        .var("reason", reason)
        .keyboard(dialogues::Keyboard::Inline(vec![vec![dialogues::Button::new(
            dialogues::Label::new("open_booking"),
            dialogues::Callback::Booking(b.id.0),
        )]]));
    let listeners = ctx.crm.booking_listeners(&actor, id).await?;
    let mut told_agent = false;
    if let Some(agent) = &listeners.agent
        && let Some(chat) = agent.telegram_id
    {
        match crate::conversation::send(ctx, bot, ChatId(chat), &reply).await {
            Ok(()) => told_agent = true,
            Err(e) => tracing::warn!(error = %e, booking, "the agent could not be told of a cancellation request"),
        }
    }
    if !told_agent {
        // Nobody may miss it: everyone on duty hears of it instead.
        for s in &listeners.duty {
            let Some(chat) = s.telegram_id else { continue };
            if let Err(e) = crate::conversation::send(ctx, bot, ChatId(chat), &reply).await {
                tracing::warn!(error = %e, booking, staff = s.id.0, "a cancellation request could not be passed on");
            }
        }
    }
    let agent = listeners.agent.filter(|_| told_agent).map(|a| a.name);
    Ok(Event::Outcome(Outcome::CancelRequested { booking, agent }))
}

/// What a client's question is about: a departure being booked, and how many travel once the
/// price was shown for a count; or a booking being paid.
pub enum About {
    Departure { departure_id: i64, travellers: Option<u8> },
    Payment { booking: i64, tour: String, due: String },
}

/// Passes the client's message to their agent (crm assigns one to a client who has none and
/// logs the message in the client's history) and tells the client who will answer. A question
/// `about` a departure names its tour, dates and count to the agent and in the history.
pub async fn relay_to_agent(
    ctx: &Ctx,
    bot: &TgBot,
    client: ClientId,
    text: &str,
    about: Option<About>,
) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let about = match about {
        Some(About::Departure { departure_id, travellers }) => {
            match ctx.crm.departure_with_tour(&actor, DepartureId(departure_id)).await {
                Ok((tour, d)) => Some(
                    ctx.texts.message(
                        &Reply::text("agent_question_about")
                            .var("tour", tour.title)
                            .var("dates", format_ru_range(d.starts_on, d.ends_on))
                            .var("travellers", travellers),
                    ),
                ),
                // The tour was withdrawn meanwhile: the question still goes, without it.
                Err(Error::NotFound(_) | Error::Forbidden(_)) => None,
                Err(e) => return Err(e.into()),
            }
        }
        // The booking as the client's payment choices showed it (the agent opens it by its
        // number); nothing is read for it.
        Some(About::Payment { booking, tour, due }) => Some(
            ctx.texts
                .message(&Reply::text("agent_question_pay").var("booking", booking).var("tour", tour).var("due", due)),
        ),
        None => None,
    };
    let text = match &about {
        Some(about) => format!("{about}\n{text}"),
        None => text.to_owned(),
    };
    let text = text.as_str();
    let sent = match ctx.crm.client_writes(&actor, client, text).await {
        Ok(m) => m,
        // A message the CRM refuses (empty, blacklisted meanwhile): nobody can take it.
        Err(Error::Invalid(_) | Error::Conflict(_)) => return Ok(Event::Outcome(Outcome::NoAgent)),
        Err(e) => return Err(e.into()),
    };
    let Some(agent) = sent.agent else { return Ok(Event::Outcome(Outcome::NoAgent)) };
    let c = ctx.crm.get_client(&actor, client).await?;
    let mut in_chat = false;
    if let Some(chat) = agent.telegram_id {
        let reply = Reply::text("agent_client_message")
            .var("client", c.full_name.as_str())
            .var("phone", crm::domain::format_phone(&c.phone))
            .var("text", text)
            .var("newly_assigned", sent.newly_assigned)
            .keyboard(dialogues::Keyboard::Inline(vec![vec![
                dialogues::Button::new(
                    dialogues::Label::new("reply_to_client"),
                    dialogues::Callback::ReplyTo(client.0),
                ),
                dialogues::Button::new(dialogues::Label::new("open_client"), dialogues::Callback::Client(client.0)),
            ]]));
        match crate::conversation::send(ctx, bot, ChatId(chat), &reply).await {
            Ok(()) => in_chat = true,
            // The message is in the history whatever Telegram says; the client is told to
            // expect a call rather than an answer here.
            Err(e) => tracing::warn!(error = %e, client = client.0, "could not pass a client's message to the agent"),
        }
    }
    Ok(Event::Outcome(Outcome::Relayed { agent: agent.name, newly_assigned: sent.newly_assigned, in_chat }))
}

/// What the agency has on record for a registering stranger's phone.
pub async fn check_phone(
    ctx: &Ctx,
    actor: &Actor,
    phone: &crm::domain::Phone,
    verified: bool,
) -> Result<Event, BotError> {
    Ok(Event::Outcome(Outcome::PhoneChecked(phone_check(ctx.crm.phone_on_record(actor, phone, verified).await?))))
}

/// crm's answer about a phone, as the dialogues take it (a stranger's or staff's).
pub(crate) fn phone_check(on_record: crm::services::PhoneOnRecord) -> PhoneCheck {
    use crm::services::PhoneOnRecord;
    match on_record {
        PhoneOnRecord::Free => PhoneCheck::Free,
        PhoneOnRecord::Linkable { full_name } => PhoneCheck::OnRecord { full_name },
        PhoneOnRecord::Unconfirmed => PhoneCheck::Unconfirmed,
        PhoneOnRecord::Taken => PhoneCheck::Taken,
        PhoneOnRecord::Declined => PhoneCheck::Declined,
        PhoneOnRecord::Card { client, full_name } => PhoneCheck::Card { client: client.0, full_name },
    }
}

pub async fn show_settings(ctx: &Ctx, client: ClientId) -> Result<Event, BotError> {
    let c = ctx.crm.get_client(&Actor::Client(client), client).await?;
    Ok(Event::Outcome(Outcome::Settings(Settings { city: c.city.unwrap_or_default(), marketing: c.marketing_consent })))
}

pub async fn set_marketing(ctx: &Ctx, client: ClientId, on: bool) -> Result<Event, BotError> {
    ctx.crm.set_marketing_consent(&Actor::Client(client), client, on).await?;
    Ok(Event::Outcome(Outcome::MarketingChanged(on)))
}

pub async fn set_city(ctx: &Ctx, client: ClientId, city: crm::domain::City) -> Result<Event, BotError> {
    let c = ctx.crm.change_city(&Actor::Client(client), client, city).await?;
    Ok(Event::Outcome(Outcome::CityChanged(c.city.unwrap_or_default())))
}
