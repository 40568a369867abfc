//! Commission rates: each agent's rate and each tour's override, today and scheduled, with
//! their history. The admin changes a rate from a day (today by default); the accountant reads.
//! A refused change comes back on its row with the reason; nothing is written.

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{StaffId, TourId, format_percent_bp, parse_percent_bp, parse_ru_date};
use crm::services::{Capability, PanelSession, RateChange, RateLine, RateOf};
use crm::text;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

fn rate(bp: Option<i64>, of: RateOf) -> String {
    match (bp, of) {
        (Some(bp), _) => format!("{} %", format_percent_bp(bp)),
        (None, RateOf::Agent(_)) => text::get("audit", "commission_none").to_owned(),
        (None, RateOf::Tour(_)) => text::get("audit", "commission_by_agent").to_owned(),
    }
}

fn key(of: RateOf) -> String {
    match of {
        RateOf::Agent(a) => format!("agents/{}", a.0),
        RateOf::Tour(t) => format!("tours/{}", t.0),
    }
}

fn line(l: &RateLine) -> Value {
    json!({
        "key": key(l.of),
        "kind": match l.of { RateOf::Agent(_) => "agents", RateOf::Tour(_) => "tours" },
        "id": match l.of { RateOf::Agent(a) => a.0, RateOf::Tour(t) => t.0 },
        "name": l.name,
        "rate": rate(l.current_bp, l.of),
        "typed": l.current_bp.map(format_percent_bp).unwrap_or_default(),
        "next": l.next.as_ref().map(|c| json!({"rate": rate(c.new_bp, c.of), "from": views::day(c.applies_from)})),
    })
}

/// A refused change: the row's key, the typed values and why.
type Refused = (String, RateFields, String);

async fn page(
    state: &AppState,
    session: &PanelSession,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let rates = state.crm.commission_rates(&session.actor).await?;
    let names = crate::clients::staff_names(&state.crm, session).await?;
    let whose: HashMap<String, &str> =
        rates.agents.iter().chain(rates.tours.iter()).map(|l| (key(l.of), l.name.as_str())).collect();
    let history: Vec<_> = rates
        .history
        .iter()
        .map(|c: &RateChange| {
            let name = whose.get(&key(c.of)).map(|n| (*n).to_owned()).unwrap_or_else(|| match c.of {
                RateOf::Agent(a) => views::actor_name(&format!("staff:{}", a.0), &names),
                RateOf::Tour(t) => text::fill("web", "tour_number", &[("id", &t.0)]),
            });
            json!({
                "at": views::when(c.changed_at),
                "by": views::actor_name(&c.changed_by, &names),
                "agent": matches!(c.of, RateOf::Agent(_)),
                "whose": name,
                "old": rate(c.old_bp, c.of),
                "new": rate(c.new_bp, c.of),
                "from": views::day(c.applies_from),
            })
        })
        .collect();
    let mut ctx = views::page(session, "commissions");
    ctx.insert("agents", &rates.agents.iter().map(line).collect::<Vec<_>>());
    ctx.insert("tours", &rates.tours.iter().map(line).collect::<Vec<_>>());
    ctx.insert("history", &history);
    ctx.insert("may_edit", &Capability::ManageCommissions.allows(&session.actor));
    ctx.insert("today", &views::day(state.crm.today()));
    ctx.insert(
        "refused",
        &refused
            .map(|(k, f, why)| json!({"key": k, "rate": f.rate, "from": f.from, "why": why}))
            .unwrap_or(Value::Null),
    );
    Ok((status, views::render("commissions.html", &ctx)?).into_response())
}

pub async fn show(State(state): State<AppState>, Current(session): Current) -> Result<Response, AppError> {
    page(&state, &session, None, StatusCode::OK).await
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RateFields {
    /// A percent as typed (`7`, `7,5`); empty: no rate.
    rate: String,
    /// `дд.мм.гггг`; empty: today.
    from: String,
}

async fn change(state: AppState, session: PanelSession, of: RateOf, form: RateFields) -> Result<Response, AppError> {
    Capability::ManageCommissions.check(&session.actor)?;
    let refuse = async |why: String| {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        page(&state, &session, Some((key(of), form.clone(), why)), status).await
    };
    let bp = match form.rate.trim() {
        "" => None,
        typed => match parse_percent_bp(typed) {
            Ok(bp) => Some(bp),
            Err(e) => return refuse(e.message_ru().to_owned()).await,
        },
    };
    let from = match form.from.trim() {
        "" => state.crm.today(),
        typed => match parse_ru_date(typed) {
            Ok(d) => d,
            Err(e) => return refuse(e.message_ru().to_owned()).await,
        },
    };
    match state.crm.change_commission(&session.actor, of, bp, from).await {
        Ok(_) => Ok(Redirect::to("/commissions").into_response()),
        Err(crm::Error::Invalid(why)) => refuse(why.message_ru().to_owned()).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn agent(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<RateFields>,
) -> Result<Response, AppError> {
    let of = RateOf::Agent(StaffId(parse_id(&id)?));
    change(state, session, of, form).await
}

pub async fn tour(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<RateFields>,
) -> Result<Response, AppError> {
    let of = RateOf::Tour(TourId(parse_id(&id)?));
    change(state, session, of, form).await
}
