//! The tour card: the tour with its route, services, hotels and departures; for its operator
//! and admins the edit form, publishing, archiving and the departures' forms. A refused action
//! shows the card again with the reason beside its form and the input kept.

use super::form::{self, Errors, TourForm};
use super::{form_page, refusal_field, tour_summary};
use crate::clients::staff_names;
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{DepartureId, TourId, parse_ru_date};
use crm::services::{Capability, PanelSession, TourCard, tour_editable_by};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// What a refused action on the card sends back: reasons by form field (a departure's row is
/// `departure_<id>`) and the typed input.
#[derive(Default)]
struct Refusal {
    errors: HashMap<String, String>,
    values: HashMap<&'static str, String>,
}

impl Refusal {
    fn one(field: impl Into<String>, reason: String) -> Refusal {
        Refusal { errors: HashMap::from([(field.into(), reason)]), values: HashMap::new() }
    }
}

async fn render_card(
    state: &AppState,
    session: &PanelSession,
    id: TourId,
    refusal: Refusal,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let card = state.crm.tour_card(actor, id).await?;
    let names = staff_names(&state.crm, session).await?;
    let today = state.crm.today();
    let departures: Vec<_> = card
        .departures
        .iter()
        .map(|d| {
            let error = refusal.errors.get(&format!("departure_{}", d.id));
            // A refused capacity comes back as typed, in its own row only.
            let typed = error.and_then(|_| refusal.values.get("row_capacity")).cloned();
            json!({
                "id": d.id.0,
                "error": error,
                "capacity_input": typed.unwrap_or_else(|| d.capacity.to_string()),
                "time_input": error
                    .and_then(|_| refusal.values.get("row_departure_time"))
                    .cloned()
                    .unwrap_or_else(|| d.departure_time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()),
                "meeting_input": error
                    .and_then(|_| refusal.values.get("row_meeting_point"))
                    .cloned()
                    .unwrap_or_else(|| d.meeting_point.clone()),
                "departure_time": d.departure_time.map(|t| t.format("%H:%M").to_string()),
                "meeting_point": d.meeting_point,
                "starts_on": views::day(d.starts_on),
                "ends_on": views::day(d.ends_on),
                "capacity": d.capacity,
                "seats_booked": d.seats_booked,
                "seats_left": d.seats_left(),
                "past": d.starts_on <= today,
            })
        })
        .collect();
    let hotels: Vec<_> = card
        .hotels
        .iter()
        .map(|h| {
            json!({
                "hotel_id": h.hotel_id,
                "name": h.hotel_name,
                "stars": h.stars,
                "city": h.city,
                "room_type": h.room_type,
                "meal_plan": h.meal_plan.as_deref().map(|m| crm::domain::MealPlan::parse(m).map_or(m, |m| m.title_ru())),
                "nights": h.nights,
            })
        })
        .collect();
    let services: Vec<_> =
        card.services.iter().map(|(s, included)| json!({"title": s.title_ru(), "included": included})).collect();
    let mut ctx = views::page(session, "tours");
    ctx.insert("tour", &tour_summary(&card.tour, today, &names));
    ctx.insert("route", &card.route);
    ctx.insert("services", &services);
    ctx.insert("hotels", &hotels);
    ctx.insert("departures", &departures);
    ctx.insert("editable", &tour_editable_by(actor, &card.tour));
    ctx.insert("errors", &refusal.errors);
    ctx.insert("values", &refusal.values);
    Ok((status, views::render("tours/card.html", &ctx)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    // The accountant has no tours section (the service would show them the published ones).
    Capability::ViewTours.check(&session.actor)?;
    let id = TourId(parse_id(&id)?);
    render_card(&state, &session, id, Refusal::default(), StatusCode::OK).await
}

/// The card of an existing tour that the actor may change, for the edit form.
async fn editable_card(state: &AppState, session: &PanelSession, id: &str) -> Result<TourCard, AppError> {
    let card = state.crm.tour_card(&session.actor, TourId(parse_id(id)?)).await?;
    if !tour_editable_by(&session.actor, &card.tour) {
        return Err(crm::Error::Forbidden("only the tour's operator or an admin changes it").into());
    }
    Ok(card)
}

pub async fn edit_form(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let card = editable_card(&state, &session, &id).await?;
    let form = TourForm::from_card(&card);
    form_page(&state, &session, Some(&card), &form, &Errors::new(), StatusCode::OK).await
}

pub async fn update(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let card = editable_card(&state, &session, &id).await?;
    let form = TourForm::from_pairs(pairs);
    let offered = state.crm.linkable_hotels(&session.actor).await?;
    let refused = |errors| form_page(&state, &session, Some(&card), &form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    let input = match form.parse(&form::choices(&offered, Some(&card))) {
        Ok(input) => input,
        Err(errors) => return refused(&errors).await,
    };
    match state.crm.update_tour(&session.actor, card.tour.id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tours/{}", card.tour.id)).into_response()),
        Err(crm::Error::Invalid(reason)) => {
            refused(&Errors::from([(refusal_field(&reason), reason.message_ru().to_owned())])).await
        }
        Err(e) => Err(e.into()),
    }
}

/// After an action: back to the card (303), or the card again with the reason beside the
/// form that was refused (422 for bad input, 409 for a clash with what is stored).
async fn answer(
    state: &AppState,
    session: &PanelSession,
    id: TourId,
    result: crm::Result<()>,
    field: String,
    kept: &[(&'static str, &str)],
    anchor: &str,
) -> Result<Response, AppError> {
    let (status, reason) = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/tours/{id}#{anchor}")).into_response()),
        Err(crm::Error::Invalid(reason)) => (StatusCode::UNPROCESSABLE_ENTITY, reason.message_ru().to_owned()),
        Err(crm::Error::Conflict(c)) => (StatusCode::CONFLICT, c.message_ru()),
        Err(e) => return Err(e.into()),
    };
    let mut refusal = Refusal::one(field, reason);
    refusal.values = kept.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    render_card(state, session, id, refusal, status).await
}

/// Publishing, unpublishing (also back from the archive) and archiving.
async fn set_status(
    state: AppState,
    session: PanelSession,
    id: &str,
    to: crm::domain::TourStatus,
) -> Result<Response, AppError> {
    use crm::domain::TourStatus::{Archived, Draft, Published};
    let id = TourId(parse_id(id)?);
    let actor = &session.actor;
    let result = match to {
        Published => state.crm.publish_tour(actor, id).await.map(drop),
        Draft => state.crm.unpublish_tour(actor, id).await,
        Archived => state.crm.archive_tour(actor, id).await,
    };
    answer(&state, &session, id, result, "status".into(), &[], "status").await
}

pub async fn publish(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_status(state, session, &id, crm::domain::TourStatus::Published).await
}

pub async fn unpublish(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_status(state, session, &id, crm::domain::TourStatus::Draft).await
}

pub async fn archive(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_status(state, session, &id, crm::domain::TourStatus::Archived).await
}

#[derive(Deserialize, Default)]
pub struct DepartureForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    departure_time: String,
    #[serde(default)]
    meeting_point: String,
}

/// A meeting time as typed: empty for none, else `ЧЧ:ММ`.
fn meeting_time(raw: &str) -> Result<Option<chrono::NaiveTime>, crm::domain::Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveTime::parse_from_str(raw, "%H:%M").map(Some).map_err(|_| crm::domain::Invalid::TimeFormat)
}

/// Seats as typed: a whole number (the range is the service's).
fn seats(raw: &str) -> Result<i64, crm::Error> {
    raw.trim().parse::<i64>().map_err(|_| crm::Error::Invalid(crm::domain::Invalid::CapacityRange))
}

pub async fn add_departure(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(f): Form<DepartureForm>,
) -> Result<Response, AppError> {
    let id = TourId(parse_id(&id)?);
    let kept = [
        ("starts_on", f.starts_on.as_str()),
        ("ends_on", f.ends_on.as_str()),
        ("capacity", f.capacity.as_str()),
        ("departure_time", f.departure_time.as_str()),
        ("meeting_point", f.meeting_point.as_str()),
    ];
    // Each field is checked on its own so every bad one is named at once.
    let mut refusal = Refusal::default();
    let mut bad = |field: &str, reason: &str| refusal.errors.insert(field.to_owned(), reason.to_owned());
    let starts = parse_ru_date(&f.starts_on).map_err(|e| bad("starts_on", e.message_ru()));
    let ends = parse_ru_date(&f.ends_on).map_err(|e| bad("ends_on", e.message_ru()));
    let capacity = seats(&f.capacity).map_err(|_| bad("capacity", crm::domain::Invalid::CapacityRange.message_ru()));
    let time = meeting_time(&f.departure_time).map_err(|e| bad("departure_time", e.message_ru()));
    let (Ok(starts), Ok(ends), Ok(capacity), Ok(time)) = (starts, ends, capacity, time) else {
        refusal.values = kept.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        return render_card(&state, &session, id, refusal, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let result = match state.crm.add_departure(&session.actor, id, starts, ends, capacity).await {
        Ok(d) if time.is_some() || !f.meeting_point.trim().is_empty() => {
            state.crm.set_departure_details(&session.actor, d.id, time, &f.meeting_point).await.map(drop)
        }
        other => other.map(drop),
    };
    let field = match &result {
        Err(crm::Error::Invalid(crm::domain::Invalid::DatesOrder)) => "ends_on",
        _ => "capacity",
    };
    answer(&state, &session, id, result, field.into(), &kept, "departures").await
}

#[derive(Deserialize, Default)]
pub struct DepartureChange {
    #[serde(default)]
    departure_id: String,
    #[serde(default)]
    capacity: String,
    /// Absent from the removal form: then the details are left alone.
    departure_time: Option<String>,
    meeting_point: Option<String>,
}

/// The tour and one of its departures, from the URL and the form: a departure of another tour
/// names nothing here.
async fn tour_departure(
    state: &AppState,
    session: &PanelSession,
    id: &str,
    departure: &str,
) -> Result<(TourId, DepartureId), AppError> {
    let id = TourId(parse_id(id)?);
    let departure = DepartureId(parse_id(departure)?);
    let card = state.crm.tour_card(&session.actor, id).await?;
    if !card.departures.iter().any(|d| d.id == departure) {
        return Err(AppError::NotFound);
    }
    Ok((id, departure))
}

pub async fn set_capacity(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(f): Form<DepartureChange>,
) -> Result<Response, AppError> {
    let (id, departure) = tour_departure(&state, &session, &id, &f.departure_id).await?;
    let actor = &session.actor;
    let time = f.departure_time.as_deref().map(meeting_time).transpose().map_err(crm::Error::Invalid);
    let result = match (seats(&f.capacity), time) {
        (Ok(capacity), Ok(time)) => match state.crm.set_departure_capacity(actor, departure, capacity).await {
            Ok(_) if f.departure_time.is_some() || f.meeting_point.is_some() => {
                let place = f.meeting_point.as_deref().unwrap_or_default();
                state.crm.set_departure_details(actor, departure, time.flatten(), place).await.map(drop)
            }
            other => other.map(drop),
        },
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let kept = [
        ("row_capacity", f.capacity.as_str()),
        ("row_departure_time", f.departure_time.as_deref().unwrap_or_default()),
        ("row_meeting_point", f.meeting_point.as_deref().unwrap_or_default()),
    ];
    answer(&state, &session, id, result, format!("departure_{departure}"), &kept, "departures").await
}

pub async fn remove_departure(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(f): Form<DepartureChange>,
) -> Result<Response, AppError> {
    let (id, departure) = tour_departure(&state, &session, &id, &f.departure_id).await?;
    let result = state.crm.remove_departure(&session.actor, departure).await;
    answer(&state, &session, id, result, format!("departure_{departure}"), &[], "departures").await
}
