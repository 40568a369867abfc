//! Online payments in the panel (the accountant's and admins'): the newest payments with their
//! status, the flags that need a person, «Вернуть» for money that must go back (through the
//! provider, with a reason, audited), and YooKassa's notifications at `/webhooks/yookassa`.

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};

use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::Actor;
use crm::services::payments::NotificationOutcome;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// The payment just refunded or resolved, for the note on top.
    #[serde(default)]
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let overview = state.crm.online_payments_overview(&session.actor).await?;
    let flagged: std::collections::HashSet<i64> = overview.flags.iter().map(|f| f.online_payment_id).collect();
    let rows: Vec<_> = overview
        .payments
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "booking_id": p.booking_id.0,
                "amount": p.amount.accounting(),
                "method": p.method.as_str(),
                "status": p.status.as_str(),
                "status_title": p.status.title_ru(),
                "provider_id": p.provider_payment_id,
                "created_at": views::when(p.created_at),
                "may_refund": p.status == crm::services::payments::OnlinePaymentStatus::RefundDue,
                "flagged": flagged.contains(&p.id),
            })
        })
        .collect();
    let flags: Vec<_> = overview
        .flags
        .iter()
        .map(|f| {
            let p = overview.payments.iter().find(|p| p.id == f.online_payment_id);
            json!({
                "payment_id": f.online_payment_id,
                "booking_id": p.map(|p| p.booking_id.0),
                "amount": p.map(|p| p.amount.accounting()),
                "kind": crm::services::payments::flag_kind_title(&f.kind),
                "detail": f.detail,
                "created_at": views::when(f.created_at),
                "may_refund": p.is_some_and(|p| p.status == crm::services::payments::OnlinePaymentStatus::RefundDue),
            })
        })
        .collect();
    let mut ctx = views::page(&session, "payments");
    ctx.insert("payments", &rows);
    ctx.insert("flags", &flags);
    ctx.insert("enabled", &state.crm.online_payments_enabled());
    ctx.insert("done", &q.done.parse::<i64>().ok());
    views::render("payments.html", &ctx)
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// «Вернуть»: the money goes back through the provider; the reason is required.
pub async fn refund(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReasonForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.crm.refund_online_payment(&session.actor, id, &form.reason).await?;
    Ok(Redirect::to(&format!("/payments?done={id}")).into_response())
}

/// «Снять отметку»: the accountant settled it otherwise; the note says how.
pub async fn resolve(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReasonForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.crm.resolve_payment_flags(&session.actor, id, &form.reason).await?;
    Ok(Redirect::to(&format!("/payments?done={id}")).into_response())
}

/// YooKassa's notification. 200 once recorded (or known, or not ours), 400 for a body that is
/// not a notification, 403 for a source outside the allow list, 404 while online payment is
/// off, 5xx when it could not be recorded — YooKassa then sends it again.
pub async fn yookassa_webhook(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Some(peer) = peer else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match state.crm.handle_yookassa_notification(peer, &body).await {
        Ok(NotificationOutcome::Malformed) => StatusCode::BAD_REQUEST.into_response(),
        Ok(_) => StatusCode::OK.into_response(),
        Err(crm::Error::Forbidden(_)) => StatusCode::FORBIDDEN.into_response(),
        Err(crm::Error::Conflict(crm::Conflict::OnlinePaymentsOff)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, actor = %Actor::System.audit_name(), "YooKassa notification not recorded; YooKassa will send it again");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
