//! Documents (the admin's): the templates of the contract and the consents with their versions,
//! an editor that previews a text on a real booking before it is saved (a second submit button,
//! as on the notification pages), and the requisites the documents need (`requisites`). A
//! booking's contract can be downloaded as PDF from its card.

pub(crate) mod requisites;

use crate::guard::Current;
use crate::notifications::{filters, variables};
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{BookingId, ClientId};
use crm::services::{BookingFilter, Capability, DocKind, DocSubject, PanelSession, RenderedDocument};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    saved: String,
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let templates = state.crm.document_templates(&session.actor).await?;
    let agency = state.crm.agency_requisites(&session.actor).await?;
    let operators = state.crm.operator_registry(&session.actor).await?;
    let mut ctx = views::page(&session, "documents");
    let rows: Vec<Value> = templates
        .iter()
        .map(|t| {
            json!({
                "kind": t.kind.code(),
                "title": t.kind.title_ru(),
                "version": t.version,
                "created_by": t.created_by,
                "created_at": t.created_at.map(views::when),
            })
        })
        .collect();
    ctx.insert("templates", &rows);
    ctx.insert("agency", &agency.map(|a| a.full_name()));
    let today = state.crm.today();
    let operators: Vec<Value> = operators
        .iter()
        .map(|o| {
            json!({
                "id": o.operator.id.0,
                // The company the contracts name, and the operator's account beside it.
                "company": o.registry.as_ref().map(|r| &r.full_name),
                "name": o.operator.name,
                "registry": o.registry.as_ref().map(|r| &r.registry_number),
                // A contract made today would state a security that does not cover it.
                "security_lapsed": o.registry.as_ref().is_some_and(|r| !r.security_covers(today)),
            })
        })
        .collect();
    ctx.insert("operators", &operators);
    let saved = match q.saved.as_str() {
        "requisites" => Some(crm::text::get("web", "documents_saved_requisites")),
        "operator" => Some(crm::text::get("web", "documents_saved_operator")),
        code => DocKind::from_code(code).map(|k| k.title_ru()),
    };
    ctx.insert("saved", &saved);
    views::render("documents/list.html", &ctx)
}

/// The editor as typed: the text and the booking (or client) it is previewed on.
#[derive(Deserialize, Serialize, Default)]
pub struct TemplateForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    subject: String,
    #[serde(default, skip_serializing)]
    reset: Option<String>,
}

fn kind_of(raw: &str) -> Result<DocKind, AppError> {
    DocKind::from_code(raw).ok_or(AppError::NotFound)
}

/// `b12` is booking 12, `c7` client 7: the contract needs a booking, a consent a client (or
/// a booking, for its client).
fn subject_of(raw: &str) -> Option<DocSubject> {
    let (tag, id) = raw.split_at_checked(1)?;
    let id: i64 = id.parse().ok()?;
    match tag {
        "b" => Some(DocSubject::Booking(BookingId(id))),
        "c" => Some(DocSubject::Client(ClientId(id))),
        _ => None,
    }
}

/// Recent bookings to preview on, newest first; for a consent each stands for its client.
async fn subjects(state: &AppState, session: &PanelSession, kind: DocKind) -> Result<Vec<Value>, AppError> {
    let bookings = state.crm.list_bookings(&session.actor, BookingFilter { limit: 30, ..Default::default() }).await?;
    Ok(bookings
        .iter()
        .map(|b| {
            let value = if kind.for_booking() { format!("b{}", b.id.0) } else { format!("c{}", b.client_id.0) };
            json!({"value": value, "title": format!("№ {} · {} · {} · {}", b.id, b.client_name, b.tour_title, views::day(b.starts_on))})
        })
        .collect())
}

/// The document's HTML for the preview frame and what it lacks.
fn preview_json(doc: &RenderedDocument) -> Value {
    json!({"html": doc.html, "title": doc.title, "missing": doc.missing, "version": doc.template_version, "sha256": doc.sha256})
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    session: &PanelSession,
    kind: DocKind,
    form: &TemplateForm,
    preview: Option<&RenderedDocument>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let versions = state.crm.document_template_versions(&session.actor, kind).await?;
    let mut ctx = views::page(session, "documents");
    ctx.insert("kind", kind.code());
    ctx.insert("title", kind.title_ru());
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| json!({"version": v.version, "created_by": v.created_by, "created_at": v.created_at.map(views::when)}))
        .collect();
    ctx.insert("versions", &versions);
    ctx.insert("form", form);
    ctx.insert("error", &error);
    ctx.insert("preview", &preview.map(preview_json));
    ctx.insert("subjects", &subjects(state, session, kind).await?);
    let required: Vec<Value> =
        kind.required().iter().map(|t| json!({"code": t.code(), "title": t.title_ru()})).collect();
    ctx.insert("required", &required);
    let sample = match (preview, subject_of(&form.subject)) {
        (Some(_), Some(subject)) => state.crm.document_variables(&session.actor, kind, subject).await.ok(),
        _ => None,
    };
    ctx.insert("variables", &sample.as_ref().map(variables).unwrap_or_default());
    ctx.insert("filters", &filters());
    Ok((status, views::render("documents/edit.html", &ctx)?).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    Capability::ManageTemplates.check(&session.actor)?;
    let kind = kind_of(&kind)?;
    let current = state.crm.document_templates(&session.actor).await?;
    let source = current.into_iter().find(|t| t.kind == kind).map(|t| t.source).unwrap_or_default();
    let subject = subjects(&state, &session, kind).await?.first().and_then(|s| s["value"].as_str().map(str::to_owned));
    let form = TemplateForm { source, subject: subject.clone().unwrap_or_default(), reset: None };
    // What is in force rendered when saved; it opens with its preview on the newest booking.
    let (preview, error) = match subject.as_deref().and_then(subject_of) {
        Some(s) => match state.crm.render_document(&session.actor, kind, s).await {
            Ok(doc) => (Some(doc), None),
            Err(e) => (None, e.refusal_ru().or_else(|| template_error(&e))),
        },
        None => (None, Some(crm::text::get("web", "documents_no_booking").to_owned())),
    };
    edit_page(&state, &session, kind, &form, preview.as_ref(), error, StatusCode::OK).await
}

fn template_error(e: &crm::Error) -> Option<String> {
    match e {
        crm::Error::Template(t) => Some(t.0.clone()),
        _ => None,
    }
}

/// «Предпросмотр» (and «Вернуть текст по умолчанию»): the document as it would be for the
/// chosen booking, or why the text cannot be saved.
pub async fn preview(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
    Form(mut form): Form<TemplateForm>,
) -> Result<Response, AppError> {
    Capability::ManageTemplates.check(&session.actor)?;
    let kind = kind_of(&kind)?;
    if form.reset.is_some() {
        form.source = kind.default_source().to_owned();
    }
    let Some(subject) = subject_of(&form.subject) else {
        let why = crm::text::get("web", "documents_no_booking").to_owned();
        return edit_page(&state, &session, kind, &form, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.crm.preview_document_template(&session.actor, kind, &form.source, subject).await {
        Ok(doc) => edit_page(&state, &session, kind, &form, Some(&doc), None, StatusCode::OK).await,
        Err(e) => match e.refusal_ru().or_else(|| template_error(&e)) {
            Some(why) => {
                edit_page(&state, &session, kind, &form, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(e.into()),
        },
    }
}

/// «Сохранить»: a new version, once it renders for the chosen booking.
pub async fn save(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, AppError> {
    Capability::ManageTemplates.check(&session.actor)?;
    let kind = kind_of(&kind)?;
    let Some(subject) = subject_of(&form.subject) else {
        let why = crm::text::get("web", "documents_no_booking").to_owned();
        return edit_page(&state, &session, kind, &form, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.crm.save_document_template(&session.actor, kind, &form.source, subject).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents?saved={}", kind.code())).into_response()),
        Err(e) => match e.refusal_ru().or_else(|| template_error(&e)) {
            Some(why) => {
                edit_page(&state, &session, kind, &form, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(e.into()),
        },
    }
}

/// The booking's contract as PDF, from the template in force (a draft to read or print; what
/// the client signs is issued and kept by the signing flow).
pub async fn contract_pdf(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let doc = state.crm.render_document(&session.actor, DocKind::Contract, DocSubject::Booking(BookingId(id))).await?;
    let name = format!("contract-{id}.pdf");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        doc.pdf,
    )
        .into_response())
}
