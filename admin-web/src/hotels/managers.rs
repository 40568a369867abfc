//! A hotel manager's page: their contacts to edit, and deactivation when they leave the hotel
//! (they stay on record: the correspondence may name them).

use super::forms::{Errors, ManagerFields};
use super::{see, submit};
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crm::services::{Capability, PanelSession};
use serde::Deserialize;
use serde_json::json;

async fn render_manager(
    state: &AppState,
    session: &PanelSession,
    id: i64,
    kept: Option<(ManagerFields, Errors)>,
) -> Result<Response, AppError> {
    Capability::ManageHotels.check(&session.actor)?;
    let status = if kept.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let m = state.crm.hotel_manager(&session.actor, id).await?;
    let hotel = state.crm.get_hotel(&session.actor, m.hotel_id).await?;
    let (form, errors) = kept.unwrap_or_else(|| {
        let form = ManagerFields {
            name: m.name.clone(),
            position: m.position.clone(),
            phone: m.phone.clone().unwrap_or_default(),
            email: m.email.clone().unwrap_or_default(),
            telegram: m.telegram.as_ref().map(|t| format!("@{t}")).unwrap_or_default(),
        };
        (form, Errors::default())
    });
    let mut ctx = views::page(session, "hotels");
    ctx.insert("hotel", &json!({"id": hotel.id, "name": hotel.name}));
    ctx.insert("manager", &json!({"id": m.id, "name": m.name, "active": m.active}));
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    Ok((status, views::render("hotels/manager.html", &ctx)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    render_manager(&state, &session, parse_id(&id)?, None).await
}

pub async fn update(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ManagerFields>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    match submit(&session, &form, async |input| state.crm.update_manager(&session.actor, id, input).await).await? {
        Ok(m) => Ok(see(format!("/hotels/{}#managers", m.hotel_id))),
        Err(errors) => render_manager(&state, &session, id, Some((form, errors))).await,
    }
}

/// `active=0`: the manager left the hotel; `active=1`: came back.
#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let active = form.active == "1";
    let m = state.crm.set_manager_active(&session.actor, parse_id(&id)?, active).await?;
    Ok(see(format!("/hotels/{}#managers", m.hotel_id)))
}
