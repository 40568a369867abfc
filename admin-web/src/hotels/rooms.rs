//! A room's page: its description (type, capacity, meal plan), archiving, and its seasons —
//! the price periods, added one after another (a changed price is a new season), with the form
//! to add one and a button to remove a mistyped one.

use super::card::{currencies, meal_plans, season_rows};
use super::forms::{Errors, RoomFields, SeasonFields};
use super::{ArchiveForm, see, submit};
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crm::domain::RoomId;
use crm::services::{Capability, PanelSession};
use serde::Deserialize;
use serde_json::json;

/// The forms of the page as typed, when one comes back refused.
#[derive(Default)]
struct Kept {
    room: Option<(RoomFields, Errors)>,
    season: Option<(SeasonFields, Errors)>,
}

async fn render_room(state: &AppState, session: &PanelSession, id: RoomId, kept: Kept) -> Result<Response, AppError> {
    Capability::ManageHotels.check(&session.actor)?;
    let status =
        if kept.room.is_some() || kept.season.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let r = state.crm.hotel_room(&session.actor, id).await?;
    let hotel = state.crm.get_hotel(&session.actor, r.room.hotel_id).await?;
    let room = &r.room;
    let (room_form, room_errors) = kept.room.unwrap_or_else(|| {
        let form = RoomFields {
            room_type: room.room_type.clone(),
            capacity: room.capacity.to_string(),
            meal_plan: room.meal_plan.as_str().to_owned(),
            description: room.description.clone(),
        };
        (form, Errors::default())
    });
    // A new season goes on from the last one, in its currency.
    let last = r.seasons.last();
    let (season_form, season_errors) = kept.season.unwrap_or_else(|| {
        let mut form = SeasonFields::default();
        if let Some(s) = last {
            form.starts_on = s.ends_on.succ_opt().map(views::day).unwrap_or_default();
            form.currency = s.price_per_night.currency.code().to_owned();
        }
        (form, Errors::default())
    });
    let mut ctx = views::page(session, "hotels");
    ctx.insert("hotel", &json!({"id": hotel.id, "name": hotel.name}));
    ctx.insert("room", &json!({"id": room.id, "room_type": room.room_type, "archived": room.archived}));
    ctx.insert("seasons", &season_rows(&r.seasons));
    ctx.insert("form", &room_form);
    ctx.insert("errors", &room_errors);
    ctx.insert("season", &season_form);
    ctx.insert("season_errors", &season_errors);
    ctx.insert("meal_plans", &meal_plans());
    ctx.insert("currencies", &currencies());
    Ok((status, views::render("hotels/room.html", &ctx)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    render_room(&state, &session, RoomId(parse_id(&id)?), Kept::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<RoomFields>,
) -> Result<Response, AppError> {
    let id = RoomId(parse_id(&id)?);
    match submit(&session, &form, async |input| state.crm.update_room(&session.actor, id, input).await).await? {
        Ok(room) => Ok(see(format!("/hotels/{}#room-{}", room.hotel_id, room.id))),
        Err(errors) => render_room(&state, &session, id, Kept { room: Some((form, errors)), season: None }).await,
    }
}

pub async fn add_season(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<SeasonFields>,
) -> Result<Response, AppError> {
    let id = RoomId(parse_id(&id)?);
    match submit(&session, &form, async |input| state.crm.add_season(&session.actor, id, input).await).await? {
        Ok(_) => Ok(see(format!("/hotels/rooms/{id}#seasons"))),
        Err(errors) => render_room(&state, &session, id, Kept { room: None, season: Some((form, errors)) }).await,
    }
}

/// The season to remove, by its id.
#[derive(Deserialize)]
pub struct SeasonChoice {
    season_id: String,
}

/// Removes a mistyped season; bookings keep their prices (see `Crm::remove_season`).
pub async fn remove_season(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<SeasonChoice>,
) -> Result<Response, AppError> {
    let id = RoomId(parse_id(&id)?);
    state.crm.remove_season(&session.actor, id, parse_id(&form.season_id)?).await?;
    Ok(see(format!("/hotels/rooms/{id}#seasons")))
}

pub async fn archive(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, AppError> {
    let room = state.crm.archive_room(&session.actor, RoomId(parse_id(&id)?), form.archived()).await?;
    Ok(see(format!("/hotels/{}#room-{}", room.hotel_id, room.id)))
}
