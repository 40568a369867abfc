//! Data effects of the client dialogues, run through `crm` with the client as the actor, and
//! answered as `dialogues` outcomes. Views are filled here in the shape the texts need.

use crate::BotError;
use crate::conversation::{Ctx, TgBot};
use chrono::{Duration, NaiveDate};
use crm::domain::format_ru_range;
use crm::domain::{ClientId, DepartureId, Direction, InteractionKind, TourId};
use crm::services::{Booking, BookingRequest, NewInteractionInput, TourFilter as CrmTourFilter};
use crm::{Actor, Error};
use dialogues::client::catalog::{PAGE_SIZE, TourFilter};
use dialogues::event::Outcome;
use dialogues::views::{BookingItem, DepartureItem, HotelStay, RouteDay, Settings, TourItem, TourPage, TourView};
use dialogues::{Event, Reply};
use teloxide::prelude::*;

fn month_range(yyyymm: u32) -> Option<(NaiveDate, NaiveDate)> {
    let y = i32::try_from(yyyymm / 100).ok()?;
    let m = yyyymm % 100;
    let from = NaiveDate::from_ymd_opt(y, m, 1)?;
    let until = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(y, m + 1, 1)? };
    Some((from, until))
}

pub async fn find_tours(ctx: &Ctx, client: ClientId, filter: &TourFilter, page: u32) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let today = ctx.crm.today();
    let (departs_from, departs_until) = match filter.month.and_then(month_range) {
        Some((from, until)) => (Some(from.max(today + Duration::days(1))), Some(until)),
        // Only tours that can still be booked: a departure after today with a seat.
        None => (Some(today + Duration::days(1)), None),
    };
    let wanted = i64::from((page + 1) * PAGE_SIZE + 1);
    let tours = ctx
        .crm
        .list_tours(
            &actor,
            CrmTourFilter {
                text: filter.destination.clone(),
                departs_from,
                departs_until,
                max_price: filter.budget_k.map(|k| i64::from(k) * 1000 * 100),
                hot_on: filter.hot.then_some(today),
                limit: wanted,
                ..Default::default()
            },
        )
        .await?;
    let start = usize::try_from(page * PAGE_SIZE).unwrap_or(usize::MAX);
    let has_more = tours.len() > start + PAGE_SIZE as usize;
    let mut items = Vec::new();
    for t in tours.into_iter().skip(start).take(PAGE_SIZE as usize) {
        let card = ctx.crm.tour_card(&actor, t.id).await?;
        let next = card.departures.iter().find(|d| d.starts_on > today && d.seats_left() > 0);
        items.push(TourItem {
            id: t.id.0,
            title: t.title.clone(),
            place: place(&t.country, &t.region),
            price: t.price.to_string(),
            next_departure: next.map(|d| format_ru_range(d.starts_on, d.ends_on)),
            hot: t.is_hot_on(today),
        });
    }
    Ok(Event::Outcome(Outcome::Tours(TourPage { items, page, has_more })))
}

fn place(country: &str, region: &str) -> String {
    if region.is_empty() { country.to_owned() } else { format!("{country}, {region}") }
}

pub async fn show_tour(ctx: &Ctx, client: ClientId, id: i64) -> Result<Event, BotError> {
    let today = ctx.crm.today();
    let card = match ctx.crm.tour_card(&Actor::Client(client), TourId(id)).await {
        Ok(c) => c,
        Err(Error::NotFound(_) | Error::Forbidden(_)) => return Ok(Event::Outcome(Outcome::NotFound)),
        Err(e) => return Err(e.into()),
    };
    let t = &card.tour;
    let view = TourView {
        id: t.id.0,
        title: t.title.clone(),
        kind: t.kind.title_ru().to_owned(),
        place: place(&t.country, &t.region),
        description: t.description.clone(),
        price: t.price.to_string(),
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

pub async fn book(ctx: &Ctx, bot: &TgBot, client: ClientId, departure: i64, travellers: u8) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let req = BookingRequest {
        client_id: client,
        departure_id: DepartureId(departure),
        travellers_count: i64::from(travellers),
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: ctx.texts.message(&Reply::text("booking_note")),
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
        Error::NotFound(_) | Error::Forbidden(_) => ctx.texts.message(&Reply::text("book_refused_unavailable")),
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
    let reply = Reply::text("agent_new_booking")
        .var("booking_id", b.id.0)
        .var("client", b.client_name.as_str())
        .var("tour", b.tour_title.as_str())
        .var("dates", format_ru_range(b.starts_on, b.ends_on))
        .var("travellers", b.travellers_count)
        .var("total", b.total.to_string());
    if let Err(e) = crate::conversation::send(ctx, bot, ChatId(chat), &reply).await {
        tracing::warn!(error = %e, booking = b.id.0, "could not notify the agent about a new booking");
    }
}

pub async fn my_bookings(ctx: &Ctx, client: ClientId) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let list = ctx.crm.list_bookings(&actor, crm::services::BookingFilter { limit: 20, ..Default::default() }).await?;
    let mut items = Vec::with_capacity(list.len());
    for b in &list {
        items.push(item(ctx, &actor, b).await?);
    }
    Ok(Event::Outcome(Outcome::Bookings(items)))
}

/// Passes the client's message to their agent and logs it in the client's history.
pub async fn relay_to_agent(ctx: &Ctx, bot: &TgBot, client: ClientId, text: &str) -> Result<Event, BotError> {
    let c = ctx.crm.get_client(&Actor::System, client).await?;
    let Some(agent) = c.agent_id else { return Ok(Event::Outcome(Outcome::NoAgent)) };
    ctx.crm
        .log_interaction(
            &Actor::System,
            NewInteractionInput {
                client_id: client,
                kind: InteractionKind::Message,
                direction: Direction::In,
                body: text.to_owned(),
                occurred_at: None,
            },
        )
        .await?;
    let staff = ctx.crm.get_staff(&Actor::System, agent).await?;
    if let Some(chat) = staff.telegram_id {
        let reply = Reply::text("agent_client_message")
            .var("client", c.full_name.as_str())
            .var("phone", crm::domain::format_phone(&c.phone))
            .var("text", text)
            .keyboard(dialogues::Keyboard::Inline(vec![vec![dialogues::Button::new(
                dialogues::Label::new("reply_to_client"),
                dialogues::Callback::ReplyTo(client.0),
            )]]));
        crate::conversation::send(ctx, bot, ChatId(chat), &reply).await?;
    }
    Ok(Event::Outcome(Outcome::Relayed))
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
