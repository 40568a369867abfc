//! Tours: the list with its filters (keyset pages), the create and edit form (in [`form`]) and,
//! in [`card`], the tour card with publishing, archiving and departures. What an actor sees and
//! may change is what `crm` decides: agents get published tours, operators their own.

pub mod card;
pub mod form;

use crate::clients::staff_names;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{Currency, Role, TourId, TourKind, TourService, TourStatus};
use crm::services::{Capability, Departure, PanelSession, Tour, TourCard, TourFilter};
use crm::text;
use form::{Errors, TourForm};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    departure_city: String,
    #[serde(default)]
    hot: String,
    #[serde(default)]
    early: String,
    /// Operators: `mine` (default, every status) or `all` (everyone's published tours).
    #[serde(default)]
    scope: String,
    #[serde(default)]
    before_id: String,
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    Capability::ViewTours.check(&session.actor)?;
    let today = state.crm.today();
    let mine = session.staff.role == Role::Operator && q.scope != "all";
    let filter = TourFilter {
        status: TourStatus::parse(&q.status),
        operator_id: mine.then_some(session.staff.id),
        country: non_empty(&q.country),
        text: non_empty(&q.q),
        departure_city: non_empty(&q.departure_city),
        hot_on: (q.hot == "1").then_some(today),
        early_booking_on: (q.early == "1").then_some(today),
        before_id: q.before_id.parse::<i64>().ok().filter(|id| *id > 0).map(TourId),
        limit: PAGE_SIZE,
        ..Default::default()
    };
    let tours = state.crm.list_tours(&session.actor, filter).await?;
    let names = staff_names(&state.crm, &session).await?;
    let next = match tours.last() {
        Some(last) if tours.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("q", &q.q),
            ("status", &q.status),
            ("country", &q.country),
            ("departure_city", &q.departure_city),
            ("hot", &q.hot),
            ("early", &q.early),
            ("scope", &q.scope),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let upcoming = state.crm.upcoming_departures(&session.actor, &tours, today).await?;
    let rows: Vec<_> = tours
        .iter()
        .map(|t| {
            let mut row = tour_summary(t, today, &names);
            row["next"] = next_departure(upcoming.iter().filter(|d| d.tour_id == t.id));
            row
        })
        .collect();
    let mut ctx = views::page(&session, "tours");
    ctx.insert("tours", &rows);
    ctx.insert("statuses", &status_options());
    ctx.insert("is_operator", &(session.staff.role == Role::Operator));
    ctx.insert(
        "query",
        &json!({"q": q.q, "status": q.status, "country": q.country, "departure_city": q.departure_city,
                "hot": q.hot, "early": q.early, "scope": if mine { "mine" } else { q.scope.as_str() }}),
    );
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("tours/list.html", &ctx)
}

/// When a tour goes next and with how many free seats, and how many dates it has ahead
/// (`departures` are its upcoming ones in date order); null when none is planned.
fn next_departure<'a>(mut departures: impl Iterator<Item = &'a Departure>) -> Value {
    let Some(first) = departures.next() else { return Value::Null };
    json!({
        "starts_on": views::day(first.starts_on),
        "seats_left": first.seats_left(),
        "capacity": first.capacity,
        "dates_ahead": 1 + departures.count(),
    })
}

/// What the list and the card show of a tour's own fields.
fn tour_summary(t: &Tour, today: chrono::NaiveDate, names: &HashMap<i64, String>) -> Value {
    let period = |p: Option<(chrono::NaiveDate, chrono::NaiveDate)>| {
        p.map(|(f, u)| format!("{} – {}", views::day(f), views::day(u)))
    };
    json!({
        "id": t.id.0,
        "title": t.title,
        "description": t.description,
        "kind_title": t.kind.title_ru(),
        "country": t.country,
        "region": t.region,
        "departure_city": t.departure_city,
        "price": t.price.to_string(),
        "status": t.status.as_str(),
        "status_title": t.status.title_ru(),
        "hot_now": t.is_hot_on(today),
        "early_now": t.is_early_booking_on(today),
        "hot": period(t.hot),
        "early_booking": period(t.early_booking),
        "operator": views::actor_name(&format!("staff:{}", t.operator_id), names),
        "created_at": views::when(t.created_at),
        "updated_at": views::when(t.updated_at),
    })
}

fn status_options() -> Vec<Value> {
    [TourStatus::Draft, TourStatus::Published, TourStatus::Archived]
        .iter()
        .map(|s| json!({"value": s.as_str(), "title": s.title_ru()}))
        .collect()
}

/// The form page for a new tour (`card` is `None`) or for editing one.
pub(crate) async fn form_page(
    state: &AppState,
    session: &PanelSession,
    card: Option<&TourCard>,
    form: &TourForm,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::ManageTours.check(&session.actor)?;
    let offered = state.crm.linkable_hotels(&session.actor).await?;
    let mut hotels: Vec<Value> = offered
        .iter()
        .map(|h| {
            let rooms: Vec<_> = h
                .rooms
                .iter()
                .map(|r| {
                    // A closed select shows only the chosen option: it names its hotel itself.
                    let label = text::fill(
                        "panel_words",
                        "tour_room_option",
                        &[("hotel", &h.hotel.name), ("room", &r.room_type), ("meals", &r.meal_plan.title_ru())],
                    );
                    json!({"id": r.id.to_string(), "label": label})
                })
                .collect();
            json!({"id": h.hotel.id.to_string(), "label": format!("{}, {}", h.hotel.name, h.hotel.city), "rooms": rooms})
        })
        .collect();
    // What the tour already links stays selectable after it was archived.
    for linked in card.map(|c| c.hotels.as_slice()).unwrap_or_default() {
        if !offered.iter().any(|h| h.hotel.id == linked.hotel_id) {
            let rooms: Vec<_> = linked
                .room_id
                .map(|r| {
                    let meals = linked.meal_plan.as_deref().and_then(|m| crm::domain::MealPlan::parse(m).ok());
                    let label = text::fill(
                        "panel_words",
                        "tour_room_option",
                        &[
                            ("hotel", &linked.hotel_name),
                            ("room", &linked.room_type.as_deref().unwrap_or_default()),
                            ("meals", &meals.map_or("—", |m| m.title_ru())),
                        ],
                    );
                    json!({"id": r.to_string(), "label": label})
                })
                .into_iter()
                .collect();
            let label = text::fill("web", "archived_hotel", &[("hotel", &linked.hotel_name), ("city", &linked.city)]);
            hotels.push(json!({"id": linked.hotel_id.to_string(), "label": label, "rooms": rooms}));
        }
    }
    let mut form = form.clone();
    form.pad_hotels();
    let mut ctx = views::page(session, "tours");
    ctx.insert("form", &form);
    ctx.insert("errors", errors);
    ctx.insert("hotels", &hotels);
    ctx.insert(
        "kinds",
        &[TourKind::Excursion, TourKind::Package]
            .iter()
            .map(|k| json!({"value": k.as_str(), "title": k.title_ru()}))
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "currencies",
        &[Currency::RUB, Currency::USD, Currency::EUR, Currency::TRY, Currency::AED, Currency::CNY, Currency::KZT]
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "services",
        &TourService::ALL.iter().map(|s| json!({"code": s.as_str(), "title": s.title_ru()})).collect::<Vec<_>>(),
    );
    ctx.insert("tour", &card.map(|c| json!({"id": c.tour.id.0, "title": c.tour.title})));
    Ok((status, views::render("tours/form.html", &ctx)?).into_response())
}

pub async fn new_form(State(state): State<AppState>, Current(session): Current) -> Result<Response, AppError> {
    form_page(&state, &session, None, &TourForm::blank(), &Errors::new(), StatusCode::OK).await
}

/// Where a refusal of the service belongs on the form: the tour's hotels, or the top.
pub(crate) fn refusal_field(reason: &crm::domain::Invalid) -> &'static str {
    use crm::domain::Invalid::{HotelArchived, NightsRange, RoomArchived, RoomNotInTour};
    match reason {
        HotelArchived | RoomArchived | RoomNotInTour | NightsRange => "hotels",
        _ => "form",
    }
}

pub async fn create(
    State(state): State<AppState>,
    Current(session): Current,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    Capability::ManageTours.check(&session.actor)?;
    let form = TourForm::from_pairs(pairs);
    let offered = state.crm.linkable_hotels(&session.actor).await?;
    let input = match form.parse(&form::choices(&offered, None)) {
        Ok(input) => input,
        Err(errors) => {
            return form_page(&state, &session, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.crm.create_tour(&session.actor, input).await {
        Ok(card) => Ok(Redirect::to(&format!("/tours/{}", card.tour.id)).into_response()),
        Err(crm::Error::Invalid(reason)) => {
            let errors = Errors::from([(refusal_field(&reason), reason.message_ru().to_owned())]);
            form_page(&state, &session, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
