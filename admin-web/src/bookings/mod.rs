//! Bookings: the list with its filters (keyset pages) and, in [`card`], the booking card with
//! the status change. Which bookings an actor gets is `crm`'s decision: agents their own,
//! operators those of their tours, admins and the accountant all.

pub mod card;
pub mod payment_offer;
pub mod statement;
pub mod travellers;

use crate::clients::staff_names;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::response::Html;
use crm::domain::{BookingId, BookingStatus, Role, StaffId, TourId, parse_ru_date};
use crm::services::{BookingFilter, Capability, TourFilter};
use crm::text;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    tour: String,
    /// Departure dates, inclusive, `дд.мм.гггг`.
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    before_id: String,
}

fn id_param(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    Capability::ListBookings.check(&session.actor)?;
    let actor = &session.actor;
    // Choosing an agent is for those who see every agent's bookings.
    let by_agent = matches!(session.staff.role, Role::Admin | Role::Accountant);
    let mut errors: HashMap<&str, String> = HashMap::new();
    let mut date = |field, raw: &str| match raw.trim() {
        "" => None,
        s => parse_ru_date(s).map_err(|e| errors.insert(field, e.message_ru().to_owned())).ok(),
    };
    let (starts_from, starts_until) = (date("from", &q.from), date("until", &q.until));
    // A period that ends before it starts holds nothing: said, rather than an empty list.
    if let (Some(from), Some(until)) = (starts_from, starts_until)
        && until < from
    {
        errors.insert("until", crm::domain::Invalid::DatesOrder.message_ru().to_owned());
    }
    let filter = BookingFilter {
        status: BookingStatus::parse(&q.status),
        agent_id: id_param(&q.agent).filter(|_| by_agent).map(StaffId),
        tour_id: id_param(&q.tour).map(TourId),
        starts_from,
        starts_until,
        before_id: id_param(&q.before_id).map(BookingId),
        limit: PAGE_SIZE,
        ..Default::default()
    };
    let bookings = state.crm.list_bookings(actor, filter).await?;
    let names = staff_names(&state.crm, &session).await?;
    let next = match bookings.last() {
        Some(last) if bookings.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("status", &q.status),
            ("agent", &q.agent),
            ("tour", &q.tour),
            ("from", &q.from),
            ("until", &q.until),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let rows: Vec<_> = bookings
        .iter()
        .map(|b| {
            json!({
                "id": b.id.0,
                "client": b.client_name,
                "client_id": b.client_id.0,
                "tour_title": b.tour_title,
                "starts_on": views::day(b.starts_on),
                "ends_on": views::day(b.ends_on),
                "travellers": b.travellers_count,
                "total": b.total.to_string(),
                "status": b.status.as_str(),
                "status_title": b.status.title_ru(),
                "agent": b.agent_id.map(|a| views::actor_name(&format!("staff:{a}"), &names)),
                "created_at": views::day(b.created_at.date_naive()),
            })
        })
        .collect();
    // The tours the actor may filter by: an operator's own, everyone else's catalog.
    let own = (session.staff.role == Role::Operator).then_some(session.staff.id);
    let tours = state.crm.list_tours(actor, TourFilter { operator_id: own, limit: 200, ..Default::default() }).await?;
    let mut tour_options: Vec<_> = tours.iter().map(|t| json!({"id": t.id.0.to_string(), "title": t.title})).collect();
    if let Some(id) = id_param(&q.tour).filter(|id| !tours.iter().any(|t| t.id.0 == *id)) {
        tour_options.push(json!({"id": id.to_string(), "title": text::fill("web", "tour_number", &[("id", &id)])}));
    }
    let agents: Vec<_> = if by_agent {
        state
            .crm
            .staff_directory(actor)
            .await?
            .into_iter()
            .filter(|s| s.role == Role::Agent)
            .map(|s| json!({"id": s.id.0.to_string(), "name": s.name, "active": s.active}))
            .collect()
    } else {
        Vec::new()
    };
    let statuses: Vec<_> =
        BookingStatus::ALL.iter().map(|s| json!({"value": s.as_str(), "title": s.title_ru()})).collect();
    let mut ctx = views::page(&session, "bookings");
    ctx.insert("bookings", &rows);
    ctx.insert("statuses", &statuses);
    ctx.insert("tours", &tour_options);
    ctx.insert("agents", &agents);
    ctx.insert("by_agent", &by_agent);
    ctx.insert("errors", &errors);
    ctx.insert(
        "query",
        &json!({"status": q.status, "agent": q.agent, "tour": q.tour, "from": q.from, "until": q.until}),
    );
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("bookings/list.html", &ctx)
}
