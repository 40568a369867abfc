//! Clients: the searchable list (keyset pagination), the registration form and, in [`card`],
//! the client card with its actions. What an actor sees is what `crm` lets them see: agents
//! get only their own clients from the service, whatever the filter says.

pub mod card;

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{BirthDate, City, ClientId, KNOWN_CITIES, PersonName, Phone, Role, StaffId, TagName};
use crm::services::{Capability, ClientContacts, NewClient, PanelSession};
use crm::{Conflict, Crm, text};
use serde::Deserialize;
use std::collections::HashMap;

const PAGE_SIZE: i64 = 50;

/// Staff names for showing who did what (every staff member reads the directory of names).
pub(crate) async fn staff_names(crm: &Crm, session: &PanelSession) -> Result<HashMap<i64, String>, AppError> {
    Ok(crm.staff_directory(&session.actor).await?.into_iter().map(|s| (s.id.0, s.name)).collect())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    blacklisted: String,
    #[serde(default)]
    before_id: String,
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let mut filter = Crm::search_filter(&q.q);
    filter.limit = PAGE_SIZE;
    filter.tag_key = TagName::parse(&q.tag).ok().map(|t| t.key());
    filter.city = City::parse(&q.city).ok().map(|c| c.name().to_owned());
    filter.blacklisted = match q.blacklisted.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    filter.before_id = q.before_id.parse::<i64>().ok().filter(|id| *id > 0).map(ClientId);
    let clients = state.crm.list_clients(&session.actor, filter).await?;
    let tags = state.crm.all_tags(&session.actor).await?;
    let next = match clients.last() {
        Some(last) if clients.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("q", &q.q),
            ("tag", &q.tag),
            ("city", &q.city),
            ("blacklisted", &q.blacklisted),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let rows: Vec<_> = clients
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id.0,
                "full_name": c.full_name,
                "phone": crm::domain::format_phone(&c.phone),
                "city": c.city,
                "tags": c.tags,
                "blacklisted": c.is_blacklisted(),
                "created_at": views::day(c.created_at.date_naive()),
            })
        })
        .collect();
    let mut ctx = views::page(&session, "clients");
    ctx.insert("clients", &rows);
    ctx.insert("tags", &tags);
    ctx.insert("cities", &KNOWN_CITIES.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    ctx.insert("query", &serde_json::json!({"q": q.q, "tag": q.tag, "city": q.city, "blacklisted": q.blacklisted}));
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("clients/list.html", &ctx)
}

/// The contact fields of a form: registration's, and the card's correction.
#[derive(Deserialize, Default, serde::Serialize)]
pub struct ContactsForm {
    #[serde(default)]
    pub(crate) full_name: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) birth_date: String,
    #[serde(default)]
    pub(crate) city: String,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct NewClientForm {
    #[serde(flatten)]
    contacts: ContactsForm,
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    pd_consent: Option<String>,
    #[serde(default)]
    marketing_consent: Option<String>,
}

async fn new_client_page(
    state: &AppState,
    session: &PanelSession,
    form: &NewClientForm,
    errors: &HashMap<&str, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::RegisterClients.check(&session.actor)?;
    let agents: Vec<_> = if session.staff.role == Role::Admin {
        let staff = state.crm.list_staff(&session.actor).await?;
        staff
            .into_iter()
            .filter(|s| s.active && s.role == Role::Agent)
            .map(|s| serde_json::json!({"id": s.id.0.to_string(), "name": s.name}))
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = views::page(session, "clients");
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("agents", &agents);
    ctx.insert("cities", &KNOWN_CITIES.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    Ok((status, views::render("clients/new.html", &ctx)?).into_response())
}

pub async fn new_form(State(state): State<AppState>, Current(session): Current) -> Result<Response, AppError> {
    new_client_page(&state, &session, &NewClientForm::default(), &HashMap::new(), StatusCode::OK).await
}

/// The contact fields of a form (registration, or the card's correction), parsed with the same
/// domain types the bot uses; every bad field gets its reason.
pub(crate) fn parse_contacts(
    form: &ContactsForm,
    today: chrono::NaiveDate,
) -> Result<ClientContacts, HashMap<&'static str, String>> {
    let mut errors = HashMap::new();
    let mut note = |field, r: Result<(), crm::domain::Invalid>| {
        if let Err(e) = r {
            errors.insert(field, e.message_ru().to_owned());
        }
    };
    let name = PersonName::parse(&form.full_name);
    note("full_name", name.as_ref().map(|_| ()).map_err(Clone::clone));
    let phone = Phone::parse(&form.phone);
    note("phone", phone.as_ref().map(|_| ()).map_err(Clone::clone));
    let birth = BirthDate::parse(&form.birth_date, today);
    note("birth_date", birth.as_ref().map(|_| ()).map_err(Clone::clone));
    let city = City::parse(&form.city);
    note("city", city.as_ref().map(|_| ()).map_err(Clone::clone));
    match (name, phone, birth, city) {
        (Ok(full_name), Ok(phone), Ok(birth_date), Ok(city)) => {
            Ok(ClientContacts { full_name, phone, birth_date, city })
        }
        _ => Err(errors),
    }
}

fn parse_new_client(
    form: &NewClientForm,
    today: chrono::NaiveDate,
) -> Result<NewClient, HashMap<&'static str, String>> {
    let c = parse_contacts(&form.contacts, today)?;
    Ok(NewClient {
        full_name: c.full_name,
        phone: c.phone,
        birth_date: c.birth_date,
        city: c.city,
        telegram_id: None,
        telegram_username: None,
        source: Some("panel".to_owned()),
        personal_data_consent: form.pd_consent.is_some(),
        marketing_consent: form.marketing_consent.is_some(),
        agent_id: form.agent_id.trim().parse::<i64>().ok().map(StaffId),
    })
}

pub async fn create(
    State(state): State<AppState>,
    Current(session): Current,
    Form(form): Form<NewClientForm>,
) -> Result<Response, AppError> {
    Capability::RegisterClients.check(&session.actor)?;
    let new = match parse_new_client(&form, state.crm.today()) {
        Ok(new) => new,
        Err(errors) => {
            return new_client_page(&state, &session, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let refuse = |field: &'static str, message: String| HashMap::from([(field, message)]);
    let errors = match state.crm.register_client(&session.actor, new).await {
        Ok(client) => return Ok(Redirect::to(&format!("/clients/{}", client.id)).into_response()),
        Err(crm::Error::Conflict(c @ Conflict::PhoneTaken(_))) => refuse("phone", c.message_ru()),
        Err(crm::Error::NotFound("agent")) => refuse("agent_id", text::get("web", "choose_agent").to_owned()),
        Err(crm::Error::Invalid(i)) => refuse("full_name", i.message_ru().to_owned()),
        Err(e) => return Err(e.into()),
    };
    new_client_page(&state, &session, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}
