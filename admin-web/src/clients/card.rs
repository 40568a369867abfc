//! The client card: contacts, tags, interaction history, consents, the blacklist with its
//! history, and the documents on file behind «Показать» (a POST: opening them is audited).
//! Each action is a form; a refused input re-renders the card with the reason beside the field.

use super::staff_names;
use crate::error::parse_id;
use crate::guard::Current;
use crate::saved;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::Crm;
use crm::domain::{ClientId, Direction, DocKind, FieldError, InteractionKind, PaymentDetails};
use crm::services::{BookingFilter, Capability, NewInteractionInput, PanelSession};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// What a refused form on the card sends back: the field, its reason and the input kept.
#[derive(Default)]
struct Refusal {
    errors: HashMap<&'static str, String>,
    values: HashMap<&'static str, String>,
    /// The identity document form that was refused: its kind, its fields' reasons and values.
    document: Option<(DocKind, Vec<FieldError>, HashMap<String, String>)>,
}

/// What an action on the card saved, the section it is told in, and the words.
fn saved_notices() -> [(&'static str, &'static str, &'static str); 11] {
    [
        ("contacts", "contacts", crm::text::get("web", "saved_contacts")),
        ("agent", "contacts", crm::text::get("web", "saved_agent")),
        ("tag", "tags", crm::text::get("web", "saved_tag")),
        ("tag_removed", "tags", crm::text::get("web", "saved_tag_removed")),
        ("note", "history", crm::text::get("web", "saved_note")),
        ("blacklist_on", "blacklist", crm::text::get("web", "saved_blacklist_on")),
        ("blacklist_off", "blacklist", crm::text::get("web", "saved_blacklist_off")),
        ("payment", "documents", crm::text::get("web", "saved_payment")),
        ("address", "documents", crm::text::get("web", "saved_address")),
        ("identity", "documents", crm::text::get("web", "saved_identity")),
        ("consents", "issued", crm::text::get("web", "saved_consents")),
    ]
}

/// Where the card opens after `code` saved, with `remade` documents made anew.
fn saved_url(id: ClientId, code: &str, remade: usize) -> String {
    saved::url(&format!("/clients/{id}"), &saved_notices(), code, remade)
}

/// A form per identity document the card takes: open while the client has none (the contract
/// and the consent name one) or when it was refused.
fn identity_forms(
    on_file: &[String],
    refused: &Option<(DocKind, Vec<FieldError>, HashMap<String, String>)>,
) -> Vec<serde_json::Value> {
    let none = !crm::services::OnFile(on_file.iter().filter_map(|k| DocKind::from_code(k)).collect()).identity();
    DocKind::CLIENT_CARD
        .iter()
        .map(|&kind| {
            let here = refused.as_ref().filter(|(k, _, _)| *k == kind);
            json!({
                "kind": kind.as_str(),
                "on_file": on_file.iter().any(|f| f == kind.as_str()),
                "open": here.is_some() || (none && kind == DocKind::InternalPassport),
                "fields": crate::bookings::travellers::document_fields_json(kind, here.map(|(_, e, v)| (e.as_slice(), v))),
            })
        })
        .collect()
}

async fn render_card(
    crm: &Crm,
    session: &PanelSession,
    id: ClientId,
    refusal: Refusal,
    saved: Option<serde_json::Value>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let card = crm.client_card(actor, id).await?;
    // The accountant reads cards but not the agency's working history.
    let history = match crm.client_history(actor, id, 200).await {
        Ok(h) => Some(h),
        Err(crm::Error::Forbidden(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let names = staff_names(crm, session).await?;
    let c = &card.client;
    let client = json!({
        "id": c.id.0,
        "full_name": c.full_name,
        "phone": c.phone,
        "phone_shown": crm::domain::format_phone(&c.phone),
        "birth_date": c.birth_date.map(views::day),
        "city": c.city,
        "time_zone": crm::domain::zone_title_ru(c.time_zone, crm.now()),
        "telegram_username": c.telegram_username,
        "telegram_bound": c.telegram_id.is_some(),
        "agent": c.agent_id.map(|a| views::actor_name(&format!("staff:{a}"), &names)),
        "source": c.source.as_deref().map(crm::services::source_title_ru),
        "pd_consent_at": c.pd_consent_at.map(views::when),
        "marketing_consent": c.marketing_consent,
        "created_at": views::when(c.created_at),
        "tags": c.tags,
        "blacklist": c.blacklist.as_ref().map(|b| json!({
            "reason": b.reason,
            "at": views::when(b.at),
            "by": b.by.map(|s| views::actor_name(&format!("staff:{s}"), &names)),
        })),
        "passport_expires_on": c.foreign_passport_expires_on.map(views::day),
        "passport_expiry": c.foreign_passport_expires_on.and_then(|d| crm::domain::passport_expiry_ru(d, crm.today())),
    });
    let blacklist_history: Vec<_> = card
        .blacklist_history
        .iter()
        .map(|e| json!({"blacklisted": e.blacklisted, "reason": e.reason, "actor": views::actor_name(&e.actor, &names), "at": views::when(e.at)}))
        .collect();
    let consent_history: Vec<_> = card
        .consent_history
        .iter()
        .map(|e| json!({"kind": e.kind, "granted": e.granted, "actor": views::actor_name(&e.actor, &names), "at": views::when(e.at)}))
        .collect();
    let history: Option<Vec<_>> = history.map(|h| {
        h.iter()
            .map(|i| {
                json!({
                    "kind": i.kind.as_str(),
                    "direction": i.direction.as_str(),
                    "body": i.body,
                    "occurred_at": views::when(i.occurred_at),
                    "author": views::actor_name(&i.author, &names),
                    "corrected": i.corrected_by.is_some(),
                    "correction": i.corrects.is_some(),
                    "booking_id": i.booking_id.map(|b| b.0),
                })
            })
            .collect()
    });
    let bookings = client_bookings(crm, actor, id).await?;
    let mut ctx = views::page(session, "clients");
    ctx.insert("client", &client);
    ctx.insert("bookings", &bookings);
    // The service leaves the documents out for a role that sees none (the accountant).
    let documents_visible = card.documents_on_file.is_some();
    ctx.insert("documents_visible", &documents_visible);
    let issued = crm.client_documents(actor, id).await?;
    ctx.insert("issued_documents", &crate::signing::panel::rows(&issued, &names));
    // Staff may issue (again, once the data it lacked is on the card) a consent not signed.
    let consents_to_issue = documents_visible && crm::services::consent_unsigned(c, &issued);
    ctx.insert("consents_to_issue", &consents_to_issue);
    let on_file = card.documents_on_file.unwrap_or_default();
    ctx.insert("identity_forms", &identity_forms(&on_file, &refusal.document));
    ctx.insert("documents_on_file", &on_file);
    ctx.insert("blacklist_history", &blacklist_history);
    ctx.insert("consent_history", &consent_history);
    ctx.insert("history_visible", &history.is_some());
    ctx.insert("history", &history.unwrap_or_default());
    ctx.insert("kinds", &InteractionKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    ctx.insert("may_write", &Capability::RegisterClients.allows(actor));
    // crm leaves the documents out for whoever may not open them; the service decides again
    // when «Показать» is pressed.
    ctx.insert("may_open_documents", &documents_visible);
    ctx.insert("errors", &refusal.errors);
    ctx.insert("values", &refusal.values);
    ctx.insert("saved", &saved);
    // The card's own agent corrects the contacts too (the documents they prepare state them);
    // the service checks whose client it is.
    ctx.insert("may_correct", &matches!(session.staff.role, crm::domain::Role::Admin | crm::domain::Role::Agent));
    // What the contacts form starts with: the card as it is.
    ctx.insert(
        "contacts",
        &json!({
            "full_name": c.full_name,
            "phone": crm::domain::format_phone(&c.phone),
            "birth_date": c.birth_date.map(views::day).unwrap_or_default(),
            "city": c.city.clone().unwrap_or_default(),
        }),
    );
    ctx.insert("cities", &crm::domain::KNOWN_CITIES.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    // The admin gives the client to another agent.
    let agents: Vec<serde_json::Value> = if session.staff.role == crm::domain::Role::Admin {
        crm.list_staff(actor)
            .await?
            .into_iter()
            .filter(|s| s.active && s.role == crm::domain::Role::Agent)
            .map(|s| json!({"id": s.id.0, "name": s.name, "current": c.agent_id == Some(s.id)}))
            .collect()
    } else {
        Vec::new()
    };
    ctx.insert("agents", &agents);
    Ok((status, views::render("clients/card.html", &ctx)?).into_response())
}

/// The client's bookings as the card lists them, newest first, each linked to its card.
async fn client_bookings(crm: &Crm, actor: &crm::Actor, id: ClientId) -> Result<Vec<serde_json::Value>, AppError> {
    let filter = BookingFilter { client_id: Some(id), limit: 100, ..Default::default() };
    let list = crm.list_bookings(actor, filter).await?;
    Ok(list
        .iter()
        .map(|b| {
            json!({
                "id": b.id.0,
                "tour_title": b.tour_title,
                "starts_on": views::day(b.starts_on),
                "ends_on": views::day(b.ends_on),
                "travellers": b.travellers_count,
                "total": b.total.to_string(),
                "status": b.status.as_str(),
                "status_title": b.status.title_ru(),
            })
        })
        .collect())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Query(q): Query<saved::SavedQuery>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    render_card(&state.crm, &session, id, Refusal::default(), saved::notice(&q, &saved_notices()), StatusCode::OK).await
}

/// After an action: back to the card (303, so a reload does not repeat the POST) saying what
/// was saved (`saved`, a code of [`saved_notices`]) and how many documents were made anew (the `Ok`),
/// or the card again with the reason beside the field when the input was refused.
async fn answer(
    state: &AppState,
    session: &PanelSession,
    id: ClientId,
    result: crm::Result<usize>,
    field: &'static str,
    kept: &[(&'static str, &str)],
    saved: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(remade) => Ok(Redirect::to(&saved_url(id, saved, remade)).into_response()),
        Err(crm::Error::Invalid(reason)) => {
            let refusal = Refusal {
                errors: HashMap::from([(field, reason.message_ru().to_owned())]),
                values: kept.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
                document: None,
            };
            render_card(&state.crm, session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Изменить данные»: the name, phone, birth date and departure city corrected. Every wrong
/// field is marked and the input kept; the documents that state the old data are made anew.
pub async fn contacts(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<super::ContactsForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let kept = [
        ("full_name", form.full_name.as_str()),
        ("phone", form.phone.as_str()),
        ("birth_date", form.birth_date.as_str()),
        ("city", form.city.as_str()),
    ];
    let errors = match super::parse_contacts(&form, state.crm.today()) {
        Ok(new) => match state.crm.edit_client(&session.actor, id, &new).await {
            Ok((_, remade)) => return Ok(Redirect::to(&saved_url(id, "contacts", remade.len())).into_response()),
            Err(crm::Error::Conflict(c @ crm::Conflict::PhoneTaken(_))) => HashMap::from([("phone", c.message_ru())]),
            Err(crm::Error::Conflict(c @ crm::Conflict::NoChange(_))) => HashMap::from([("contacts", c.message_ru())]),
            // A birth date after the client's documents were issued.
            Err(crm::Error::Invalid(why)) => HashMap::from([("birth_date", why.message_ru().to_owned())]),
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    let refusal = Refusal { errors, values: kept.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(), document: None };
    render_card(&state.crm, &session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize, Default)]
pub struct AgentForm {
    #[serde(default)]
    agent_id: String,
}

/// The admin gives the client to another agent (who then answers the client's messages and
/// sees the card).
pub async fn agent(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<AgentForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let chosen = form.agent_id.trim().parse::<i64>().map(crm::domain::StaffId);
    let result = match chosen {
        Ok(agent) => state.crm.assign_agent(&session.actor, id, agent).await.map(drop),
        Err(_) => Err(crm::Error::NotFound("agent")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&saved_url(id, "agent", 0)).into_response()),
        // Not an active agent (a forged form, or one switched off meanwhile).
        Err(crm::Error::NotFound("agent")) => {
            let errors = HashMap::from([("agent_id", crm::text::get("web", "choose_agent").to_owned())]);
            let refusal = Refusal { errors, ..Default::default() };
            render_card(&state.crm, &session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct TagForm {
    #[serde(default)]
    tag: String,
}

pub async fn add_tag(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<TagForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let result = state.crm.add_tag(&session.actor, id, &form.tag).await.map(|_| 0);
    answer(&state, &session, id, result, "tag", &[("tag", &form.tag)], "tag").await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<TagForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let result = state.crm.remove_tag(&session.actor, id, &form.tag).await.map(|_| 0);
    answer(&state, &session, id, result, "tag", &[], "tag_removed").await
}

#[derive(Deserialize, Default)]
pub struct InteractionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    body: String,
}

pub async fn add_interaction(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<InteractionForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let result = async {
        let input = NewInteractionInput {
            client_id: id,
            kind: InteractionKind::parse(&form.kind)?,
            direction: Direction::parse(&form.direction)?,
            body: form.body.clone(),
            occurred_at: None,
        };
        state.crm.log_interaction(&session.actor, input).await.map(|_| 0)
    }
    .await;
    let kept = [("body", form.body.as_str()), ("kind", form.kind.as_str()), ("direction", form.direction.as_str())];
    answer(&state, &session, id, result, "body", &kept, "note").await
}

#[derive(Deserialize, Default)]
pub struct BlacklistForm {
    /// `1` puts the client on the blacklist, `0` takes them off.
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

pub async fn blacklist(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<BlacklistForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let on = form.on == "1";
    let result = state.crm.set_blacklist(&session.actor, id, on, &form.reason).await.map(|_| 0);
    let saved = if on { "blacklist_on" } else { "blacklist_off" };
    answer(&state, &session, id, result, "reason", &[("reason", &form.reason)], saved).await
}

#[derive(Deserialize, Default)]
pub struct PaymentDetailsForm {
    /// `card` or `account`.
    #[serde(default)]
    method: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    bik: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    holder: String,
}

/// The client's refund details (a card, or an account with its BIK), sealed like a passport.
pub async fn payment_details(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<PaymentDetailsForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let details = if form.method == "account" {
        PaymentDetails::account(&form.account, &form.bik, &form.bank, &form.holder)
    } else {
        PaymentDetails::card(&form.card_number, &form.holder)
    };
    let result = match details {
        Ok(d) => state.crm.put_payment_details(&session.actor, id, &d).await.map(|()| 0),
        Err(why) => Err(why.into()),
    };
    // The numbers are not sent back into the form: a refused entry is typed again.
    let kept = [("method", form.method.as_str()), ("bank", form.bank.as_str()), ("holder", form.holder.as_str())];
    answer(&state, &session, id, result, "payment", &kept, "payment").await
}

#[derive(Deserialize, Default)]
pub struct AddressForm {
    #[serde(default)]
    address: String,
}

/// The client's address, which the contract and the personal-data consent state: sealed like a
/// passport. A document issued before it lacks it until it is issued again.
pub async fn address(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<AddressForm>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let result = state.crm.set_client_address(&session.actor, id, &form.address).await.map(|remade| remade.len());
    answer(&state, &session, id, result, "address", &[("address", &form.address)], "address").await
}

/// The client's own passport, entered on the card: what the consent names (it has no
/// travellers page), and the client's document for every contract. Every wrong field is marked
/// and the input kept; a document issued before it lacks it until it is issued again.
pub async fn identity(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    match crate::bookings::travellers::identity_from_form(&form, &DocKind::CLIENT_CARD, state.crm.today())? {
        Ok(doc) => match state.crm.put_client_document(&session.actor, id, &doc).await {
            // Warnings (an expired passport, a Latin name off the rules) are said on the card
            // the redirect opens; the card also marks an expired passport for as long as it is.
            Ok(saved) => {
                let to = saved::url_warned(
                    &format!("/clients/{id}"),
                    &saved_notices(),
                    "identity",
                    saved.remade.len(),
                    &saved.warnings,
                );
                Ok(Redirect::to(&to).into_response())
            }
            Err(crm::Error::Invalid(why)) => {
                let refused = crate::bookings::travellers::issue_date_refused(doc.kind(), why, &form);
                let refusal = Refusal { document: Some(refused), ..Default::default() };
                render_card(&state.crm, &session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => Err(e.into()),
        },
        Err((kind, errors)) => {
            let refusal = Refusal { document: Some((kind, errors, form)), ..Default::default() };
            render_card(&state.crm, &session, id, refusal, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// «Выдать согласие на подпись»: the consents the client has not signed, made anew from what
/// the card holds now; the client gets them in Telegram.
pub async fn issue_consents(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    state.crm.reissue_consents(&session.actor, id).await?;
    Ok(Redirect::to(&saved_url(id, "consents", 0)).into_response())
}

/// «Показать»: decrypts the documents (the service checks the role and writes the audit
/// record first) and shows them on a page of their own that is never cached.
pub async fn documents(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = ClientId(parse_id(&id)?);
    let docs = state.crm.open_documents(&session.actor, id).await?;
    let client = state.crm.get_client(&session.actor, id).await?;
    let internal = docs.internal_passport.as_ref().map(|p| {
        json!({"series": p.series, "number": p.number, "issued_on": views::day(p.issued_on), "issuer": p.issuer, "division_code": p.division_code})
    });
    let foreign = docs.foreign_passport.as_ref().map(|p| {
        json!({"number": p.number, "issued_on": views::day(p.issued_on), "expires_on": views::day(p.expires_on), "issuer": p.issuer, "latin_name": p.latin_name.as_str()})
    });
    let mut ctx = views::page(&session, "clients");
    ctx.insert("client", &json!({"id": client.id.0, "full_name": client.full_name}));
    ctx.insert("internal", &internal);
    ctx.insert("foreign", &foreign);
    ctx.insert("payment", &docs.payment_details);
    ctx.insert("address", &docs.address);
    Ok(views::render("clients/documents.html", &ctx)?.into_response())
}
