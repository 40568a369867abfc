//! The «Туристы» of a booking: the list on the booking card (each traveller's documents and
//! warnings), a new companion from the card, and each traveller's own page — name and birth
//! date as in the passport, one form per identity document with every wrong field marked, and
//! «Показать» (a POST: the opening is audited). Who may do what is `crm`'s decision (the
//! booking's agent and the admin; never the accountant or operators).

use super::card::{Refusal, render_card};
use crate::error::parse_id;
use crate::guard::Current;
use crate::saved;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{
    BirthDate, BookingId, DocField, DocKind, FieldError, PersonName, Role, TravellerDocument, TravellerId,
    document_fields, parse_document,
};
use crm::services::{Documents, NewTraveller, PanelSession, TravellerEntry, TravellerList};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Whether the panel offers this role the forms (the service still checks whose booking it is).
pub(crate) fn may_edit(actor: &crm::Actor) -> bool {
    matches!(actor.role(), Some(Role::Admin | Role::Agent))
}

fn documents_json(e: &TravellerEntry) -> Vec<Value> {
    e.documents
        .iter()
        .map(|d| json!({"kind": d.kind.as_str(), "title": d.kind.title_ru(), "needed": d.needed, "on_file": d.on_file}))
        .collect()
}

/// The list's rows for the booking card.
pub(super) fn rows(list: &TravellerList) -> Vec<Value> {
    list.travellers
        .iter()
        .map(|e| {
            json!({
                "id": e.traveller.id.0,
                "full_name": e.traveller.full_name,
                "birth_date": views::day(e.traveller.birth_date),
                "is_client": e.is_client,
                "age": e.age_on_departure,
                "documents": documents_json(e),
                "missing": !e.missing().is_empty(),
                "warnings": e.warnings.iter().map(|w| w.message_ru()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_date: String,
}

impl PersonForm {
    /// The traveller, or every refused field with its reason.
    fn parse(&self, today: chrono::NaiveDate) -> Result<NewTraveller, HashMap<&'static str, String>> {
        let name = PersonName::parse(&self.full_name);
        let birth = BirthDate::parse(&self.birth_date, today);
        match (name, birth) {
            (Ok(full_name), Ok(birth_date)) => Ok(NewTraveller { full_name, birth_date }),
            (name, birth) => {
                let mut errors = HashMap::new();
                if let Err(e) = name {
                    errors.insert("full_name", e.message_ru().to_owned());
                }
                if let Err(e) = birth {
                    errors.insert("birth_date", e.message_ru().to_owned());
                }
                Err(errors)
            }
        }
    }

    fn kept(&self) -> HashMap<&'static str, String> {
        HashMap::from([("full_name", self.full_name.clone()), ("birth_date", self.birth_date.clone())])
    }
}

/// A new companion, from the booking card.
pub async fn add(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    let (status, errors) = match form.parse(state.crm.today()) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Ok(t) => match state.crm.add_traveller(&session.actor, id, t).await {
            Ok(_) => return Ok(Redirect::to(&format!("/bookings/{id}#travellers")).into_response()),
            Err(crm::Error::Conflict(c)) => (StatusCode::CONFLICT, HashMap::from([("traveller", c.message_ru())])),
            Err(e) => return Err(e.into()),
        },
    };
    render_card(&state, &session, id, Refusal { errors, values: form.kept(), ..Default::default() }, status).await
}

/// What a traveller's page says was saved, where, and the words.
fn saved_notices() -> [(&'static str, &'static str, &'static str); 2] {
    [
        ("traveller", "person", crm::text::get("web", "saved_traveller")),
        ("identity", "documents", crm::text::get("web", "saved_identity")),
    ]
}

fn saved_url(id: TravellerId, code: &str, remade: usize) -> String {
    saved::url(&format!("/travellers/{id}"), &saved_notices(), code, remade)
}

/// What a refused form of the traveller's page sends back.
#[derive(Default)]
struct PageRefusal {
    /// The name form's fields.
    person: HashMap<&'static str, String>,
    person_values: HashMap<&'static str, String>,
    /// The document form that was refused: its kind, its fields' reasons and values.
    document: Option<(DocKind, Vec<FieldError>, HashMap<String, String>)>,
    /// A refusal of the whole page's action (a conflict).
    general: Option<String>,
}

fn field_hint(kind: DocKind, field: DocField) -> &'static str {
    use DocField::*;
    match (kind, field) {
        (DocKind::InternalPassport, Series) => "4 цифры, например 45 08",
        (DocKind::InternalPassport, Number) => "6 цифр",
        (DocKind::InternalPassport, DivisionCode) => "например 770-001",
        (DocKind::ForeignPassport, Number) => "9 цифр: 75 1234567",
        (DocKind::ForeignPassport, LatinName) => "фамилия и имя, как напечатано: IVANOVA MARIIA",
        (DocKind::BirthCertificate, Series) => "римские цифры и две буквы: IV-МЮ",
        (DocKind::BirthCertificate, Number) => "6 цифр",
        (_, IssuedOn | ExpiresOn) => "дд.мм.гггг",
        _ => "",
    }
}

/// The fields of one identity document's form (for `m::field`): label, hint, and for a
/// refused form each field's reason and the typed value. The panel's traveller page and the
/// signing Mini App show the same form.
pub(crate) fn document_fields_json(
    kind: DocKind,
    refused: Option<(&[FieldError], &HashMap<String, String>)>,
) -> Vec<Value> {
    kind.fields()
        .iter()
        .map(|f| {
            let error =
                refused.and_then(|(errors, _)| errors.iter().find(|(ef, _)| ef == f)).map(|(_, why)| why.message_ru());
            let value = refused.and_then(|(_, values)| values.get(f.code())).cloned();
            json!({"name": f.code(), "label": f.title_ru(), "hint": field_hint(kind, *f), "error": error, "value": value})
        })
        .collect()
}

/// One form per identity document: needed ones first, each with its fields, the refused
/// one with its input and reasons.
fn document_forms(
    e: &TravellerEntry,
    refused: &Option<(DocKind, Vec<FieldError>, HashMap<String, String>)>,
) -> Vec<Value> {
    let mut kinds: Vec<DocKind> = DocKind::IDENTITY.to_vec();
    kinds.sort_by_key(|k| !e.documents.iter().any(|d| d.kind == *k && d.needed));
    kinds
        .into_iter()
        .map(|kind| {
            let state = e.documents.iter().find(|d| d.kind == kind);
            let refused_here = refused.as_ref().filter(|(k, _, _)| *k == kind);
            let fields =
                document_fields_json(kind, refused_here.map(|(_, errors, values)| (errors.as_slice(), values)));
            json!({
                "kind": kind.as_str(),
                "title": kind.title_ru(),
                "needed": state.is_some_and(|d| d.needed),
                "on_file": state.is_some_and(|d| d.on_file),
                "open": refused_here.is_some() || state.is_some_and(|d| d.needed && !d.on_file),
                "fields": fields,
            })
        })
        .collect()
}

async fn render_traveller(
    state: &AppState,
    session: &PanelSession,
    id: TravellerId,
    refusal: PageRefusal,
    saved: Option<Value>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let list = state.crm.travellers_of(&session.actor, id).await?;
    let e = list.travellers.iter().find(|t| t.traveller.id == id).ok_or(AppError::NotFound)?;
    let card = state.crm.booking_card(&session.actor, list.booking_id).await?;
    let mut ctx = views::page(session, "bookings");
    ctx.insert(
        "booking",
        &json!({
            "id": list.booking_id.0,
            "tour_title": card.booking.tour_title,
            "dates": format!("{} – {}", views::day(card.booking.starts_on), views::day(card.booking.ends_on)),
            "abroad": list.abroad,
        }),
    );
    ctx.insert(
        "traveller",
        &json!({
            "id": id.0,
            "full_name": e.traveller.full_name,
            "birth_date": views::day(e.traveller.birth_date),
            "is_client": e.is_client,
            "age": e.age_on_departure,
            "warnings": e.warnings.iter().map(|w| w.message_ru()).collect::<Vec<_>>(),
            "any_on_file": e.documents.iter().any(|d| d.on_file),
        }),
    );
    ctx.insert("forms", &document_forms(e, &refusal.document));
    ctx.insert("may_edit", &may_edit(&session.actor));
    ctx.insert("errors", &refusal.person);
    ctx.insert("values", &refusal.person_values);
    ctx.insert("general", &refusal.general);
    ctx.insert("saved", &saved);
    Ok((status, views::render("bookings/traveller.html", &ctx)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Query(q): Query<saved::SavedQuery>,
) -> Result<Response, AppError> {
    let id = TravellerId(parse_id(&id)?);
    let notice = saved::notice(&q, &saved_notices());
    render_traveller(&state, &session, id, PageRefusal::default(), notice, StatusCode::OK).await
}

/// The name and birth date as in the passport.
pub async fn update(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let id = TravellerId(parse_id(&id)?);
    let refusal = match form.parse(state.crm.today()) {
        Err(person) => PageRefusal { person, person_values: form.kept(), ..Default::default() },
        Ok(t) => match state.crm.edit_traveller(&session.actor, id, t).await {
            Ok(_) => return Ok(Redirect::to(&saved_url(id, "traveller", 0)).into_response()),
            Err(crm::Error::Conflict(c)) => {
                PageRefusal { general: Some(c.message_ru()), person_values: form.kept(), ..Default::default() }
            }
            // The birth date against the documents on file (issued before it, or a passport
            // before 14).
            Err(crm::Error::Invalid(why)) => PageRefusal {
                person: HashMap::from([("birth_date", why.message_ru().to_owned())]),
                person_values: form.kept(),
                ..Default::default()
            },
            Err(e) => return Err(e.into()),
        },
    };
    render_traveller(&state, &session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn remove(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = TravellerId(parse_id(&id)?);
    let booking = state.crm.travellers_of(&session.actor, id).await?.booking_id;
    match state.crm.remove_traveller(&session.actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/bookings/{booking}#travellers")).into_response()),
        Err(crm::Error::Conflict(c)) => {
            let refusal = PageRefusal { general: Some(c.message_ru()), ..Default::default() };
            render_traveller(&state, &session, id, refusal, None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An identity document as a form posts it (`kind` and its fields), of one of `kinds`: the
/// document, or the kind with every wrong field's reason. A kind not offered is refused whole.
pub(crate) fn identity_from_form(
    form: &HashMap<String, String>,
    kinds: &[DocKind],
    today: chrono::NaiveDate,
) -> Result<Result<TravellerDocument, (DocKind, Vec<FieldError>)>, AppError> {
    let kind = form
        .get("kind")
        .and_then(|k| DocKind::from_code(k))
        .filter(|k| kinds.contains(k))
        .ok_or(AppError::Crm(crm::Error::Invalid(crm::domain::Invalid::KindUnknown)))?;
    let value = |f: DocField| form.get(f.code()).map(String::as_str).unwrap_or_default();
    Ok(parse_document(kind, value, today).map_err(|errors| (kind, errors)))
}

/// A document the services refused as a whole for its holder (issued before their birth, an
/// internal passport before 14): the form again with the issue date marked and the input kept.
pub(crate) fn issue_date_refused(
    kind: DocKind,
    why: crm::domain::Invalid,
    form: &HashMap<String, String>,
) -> (DocKind, Vec<FieldError>, HashMap<String, String>) {
    (kind, vec![(DocField::IssuedOn, why)], form.clone())
}

/// One identity document: every wrong field is marked and the input kept; a right one is
/// sealed and the page shows its warnings.
pub async fn put_document(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = TravellerId(parse_id(&id)?);
    let (status, refusal) = match identity_from_form(&form, &DocKind::IDENTITY, state.crm.today())? {
        Ok(doc) => match state.crm.put_traveller_document(&session.actor, id, &doc).await {
            Ok(saved) => return Ok(Redirect::to(&saved_url(id, "identity", saved.remade.len())).into_response()),
            Err(crm::Error::Conflict(c)) => {
                (StatusCode::CONFLICT, PageRefusal { general: Some(c.message_ru()), ..Default::default() })
            }
            Err(crm::Error::Invalid(why)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                PageRefusal { document: Some(issue_date_refused(doc.kind(), why, &form)), ..Default::default() },
            ),
            Err(e) => return Err(e.into()),
        },
        Err((kind, errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            PageRefusal { document: Some((kind, errors, form.clone())), ..Default::default() },
        ),
    };
    render_traveller(&state, &session, id, refusal, None, status).await
}

fn shown(doc: &TravellerDocument) -> Value {
    let d = doc.kind();
    let fields: Vec<Value> =
        document_fields(doc).into_iter().map(|(f, v)| json!({"label": f.title_ru(), "value": v})).collect();
    json!({"title": d.title_ru(), "fields": fields})
}

/// «Показать»: the traveller's identity documents decrypted (the service audits first), on a
/// page of their own that is never cached.
pub async fn open_documents(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = TravellerId(parse_id(&id)?);
    let docs: Documents = state.crm.open_traveller_documents(&session.actor, id).await?;
    let mut ctx = views::page(&session, "bookings");
    ctx.insert("traveller", &json!({"id": id.0}));
    ctx.insert("documents", &docs.identity().iter().map(shown).collect::<Vec<_>>());
    Ok(views::render("bookings/traveller_documents.html", &ctx)?.into_response())
}
