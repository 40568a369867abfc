//! The panel's side of signing: documents on the booking and client cards, «Выдать договор на
//! подпись» on the booking card, and the download of a document's PDF (its reading audited by
//! the service; the copy checked against the hash recorded at issue).

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, IssuedDocumentId};
use crm::services::{DocKind, DocSubject, DocumentLine};
use serde_json::{Value, json};

/// Documents as the cards' tables show them; who issued each by name (`names`: the staff's).
pub fn rows(lines: &[DocumentLine], names: &std::collections::HashMap<i64, String>) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            let d = &l.document;
            json!({
                "id": d.id.0,
                "title": d.title,
                "kind": l.kind_title,
                "state": l.state_title,
                "state_code": l.state.as_str(),
                "template_version": d.template_version,
                "sha256": d.sha256,
                "sha_short": d.sha256.chars().take(12).collect::<String>(),
                "issued_at": views::when(d.issued_at),
                "expires_at": views::when(d.expires_at),
                "signed_at": d.signed_at.map(views::when),
                "missing": d.missing,
                "issued_by": views::actor_name(&d.issued_by, names),
            })
        })
        .collect()
}

/// Issues (or reissues) the booking's contract for signing; the client gets it in Telegram.
pub async fn issue_contract(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    let line = state.crm.issue_document(&session.actor, DocKind::Contract, DocSubject::Booking(id)).await?;
    // Lacking only the agency's part, it waits instead of going to the client (`issue`).
    let code = if crm::services::waits_for_agency(&line.document.missing) { "contract_held" } else { "contract" };
    let to = crate::saved::url(&format!("/bookings/{id}"), &crate::bookings::card::saved_notices(), code, 0);
    Ok(Redirect::to(&to).into_response())
}

/// A document's PDF, as issued (and, once signed, as signed).
pub async fn pdf(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = IssuedDocumentId(parse_id(&id)?);
    let (_, pdf) = state.crm.document_pdf(&session.actor, id).await?;
    let disposition = format!("attachment; filename=\"document-{id}.pdf\"");
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], pdf)
        .into_response())
}
