//! The hotel card: details, rooms with their seasons, cancellation terms, managers' contacts,
//! the agreements' history and the correspondence, with a form for each. A refused form
//! re-renders the card with the reasons beside its fields and the input kept.

use super::forms::{AgreementFields, Errors, HotelForm, LetterFields, ManagerFields, RoomFields};
use super::terms::TermsFields;
use super::{see, stars, submit};
use crate::clients::staff_names;
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crm::domain::{CancellationTerms, Currency, HotelId, InteractionKind, MAX_FREE_DAYS, MealPlan, PenaltyKind};
use crm::services::{Capability, PanelSession, Season};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The card's forms by the section they sit in; a refusal names one of them.
const FORMS: [&str; 5] = ["rooms", "terms", "managers", "agreements", "correspondence"];

/// The kinds of correspondence a hotel has (a booking or complaint belongs to a client).
const LETTER_KINDS: [InteractionKind; 5] = [
    InteractionKind::Email,
    InteractionKind::Call,
    InteractionKind::Message,
    InteractionKind::Meeting,
    InteractionKind::Note,
];

/// A refused form: which one, what was typed, and why.
pub struct Refusal {
    form: &'static str,
    values: Value,
    errors: Errors,
}

impl Refusal {
    fn of(form: &'static str, fields: &impl serde::Serialize, errors: Errors) -> Refusal {
        Refusal { form, values: json!(fields), errors }
    }
}

pub(super) fn meal_plans() -> Vec<Value> {
    MealPlan::ALL
        .iter()
        .map(|m| json!({"value": m.as_str(), "title": format!("{} — {}", m.as_str(), m.title_ru())}))
        .collect()
}

pub(super) fn currencies() -> Vec<Value> {
    [Currency::RUB, Currency::USD, Currency::EUR, Currency::TRY, Currency::AED, Currency::CNY, Currency::KZT]
        .iter()
        .map(|c| json!({"value": c.code(), "title": c.code()}))
        .collect()
}

/// A room's seasons as the card and the room's page list them.
pub(super) fn season_rows(seasons: &[Season]) -> Vec<Value> {
    seasons
        .iter()
        .map(|s| {
            json!({"id": s.id, "starts_on": views::day(s.starts_on), "ends_on": views::day(s.ends_on),
                   "price": s.price_per_night.to_string()})
        })
        .collect()
}

fn penalty(p: PenaltyKind) -> String {
    match p {
        PenaltyKind::Percent(bp) => format!("{} %", views::percent(bp)),
        PenaltyKind::Fixed(m) => m.to_string(),
    }
}

fn terms_view(t: &CancellationTerms) -> Value {
    let rules: Vec<_> = t
        .rules
        .iter()
        .map(|r| json!({"min_days": r.min_days, "max_days": r.max_days, "penalty": penalty(r.penalty)}))
        .collect();
    json!({
        "free_days": t.free_days,
        "non_refundable": t.free_days >= MAX_FREE_DAYS && t.rules.is_empty(),
        "entered": t.free_days > 0 || !t.rules.is_empty(),
        "rules": rules,
    })
}

async fn render_card(
    state: &AppState,
    session: &PanelSession,
    id: HotelId,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (crm, actor) = (&state.crm, &session.actor);
    let card = crm.hotel_card(actor, id).await?;
    let agreements = crm.hotel_agreements(actor, id).await?;
    // Agents and the accountant read the hotel, not the agency's letters with it.
    let letters = match crm.hotel_correspondence(actor, id, 200).await {
        Ok(l) => Some(l),
        Err(crm::Error::Forbidden(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let names = staff_names(crm, session).await?;
    let who = |audit_name: &str| views::actor_name(audit_name, &names);
    let h = &card.hotel;
    let hotel = json!({
        "id": h.id, "name": h.name, "stars": stars(h), "country": h.country, "city": h.city, "address": h.address,
        "description": h.description, "archived": h.archived, "created_at": views::when(h.created_at),
    });
    let rooms: Vec<_> = card
        .rooms
        .iter()
        .map(|r| {
            let room = &r.room;
            json!({
                "id": room.id, "room_type": room.room_type, "capacity": room.capacity,
                "meal_plan": room.meal_plan.as_str(), "meal_title": room.meal_plan.title_ru(),
                "description": room.description, "archived": room.archived, "seasons": season_rows(&r.seasons),
            })
        })
        .collect();
    let manager_names: HashMap<i64, &str> = card.managers.iter().map(|m| (m.id, m.name.as_str())).collect();
    let in_force = card.agreement.as_ref().map(|a| a.id);
    let agreements: Vec<_> = agreements
        .iter()
        .map(|a| {
            json!({
                "agreed_on": views::day(a.agreed_on), "commission": a.commission_bp.map(views::percent),
                "allotment": a.allotment, "special_prices": a.special_prices, "terms": a.terms,
                "recorded_by": who(&a.recorded_by), "recorded_at": views::when(a.recorded_at),
                "in_force": Some(a.id) == in_force,
            })
        })
        .collect();
    let letters: Option<Vec<_>> = letters.map(|entries| {
        entries
            .iter()
            .map(|i| {
                json!({
                    "kind": i.kind.as_str(), "direction": i.direction.as_str(), "subject": i.subject, "body": i.body,
                    "occurred_at": views::when(i.occurred_at), "author": who(&i.author),
                    "manager": i.hotel_manager_id.and_then(|m| manager_names.get(&m)),
                })
            })
            .collect()
    });
    let mut forms = json!({
        "rooms": RoomFields::default(),
        "terms": TermsFields::of(&card.terms),
        "managers": ManagerFields::default(),
        "agreements": AgreementFields { agreed_on: views::day(state.crm.today()), ..Default::default() },
        "correspondence": LetterFields::default(),
    });
    let mut errors: HashMap<&str, Value> = FORMS.iter().map(|f| (*f, json!({}))).collect();
    let refused = refusal.as_ref().map_or("", |r| r.form);
    if let Some(r) = refusal {
        forms[r.form] = r.values;
        errors.insert(r.form, json!(r.errors));
    }
    let mut ctx = views::page(session, "hotels");
    ctx.insert("hotel", &hotel);
    ctx.insert("rooms", &rooms);
    ctx.insert("terms", &terms_view(&card.terms));
    ctx.insert("managers", &card.managers);
    ctx.insert("agreements", &agreements);
    ctx.insert("letters_visible", &letters.is_some());
    ctx.insert("letters", &letters.unwrap_or_default());
    ctx.insert("may_write", &Capability::ManageHotels.allows(actor));
    ctx.insert("forms", &forms);
    ctx.insert("errors", &errors);
    ctx.insert("refused", refused);
    ctx.insert("meal_plans", &meal_plans());
    ctx.insert("currencies", &currencies());
    ctx.insert("kinds", &LETTER_KINDS.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    Ok((status, views::render("hotels/card.html", &ctx)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    render_card(&state, &session, HotelId(parse_id(&id)?), None, StatusCode::OK).await
}

/// A form of the card sent: back to its section of the card, or the card with the reasons.
async fn card_form<F: HotelForm, T>(
    state: &AppState,
    session: &PanelSession,
    id: HotelId,
    section: &'static str,
    form: &F,
    call: impl AsyncFnOnce(F::Input) -> crm::Result<T>,
) -> Result<Response, AppError> {
    match submit(session, form, call).await? {
        Ok(_) => Ok(see(format!("/hotels/{id}#{section}"))),
        Err(errors) => {
            let refusal = Refusal::of(section, form, errors);
            render_card(state, session, id, Some(refusal), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn add_room(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<RoomFields>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    let call = async |input| state.crm.add_room(&session.actor, id, input).await;
    card_form(&state, &session, id, "rooms", &form, call).await
}

pub async fn set_terms(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    let form = TermsFields::from_form(form);
    let call = async |terms| state.crm.set_cancellation_terms(&session.actor, id, terms).await;
    card_form(&state, &session, id, "terms", &form, call).await
}

pub async fn add_manager(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ManagerFields>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    let call = async |input| state.crm.add_manager(&session.actor, id, input).await;
    card_form(&state, &session, id, "managers", &form, call).await
}

pub async fn record_agreement(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<AgreementFields>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    let call = async |input| state.crm.record_agreement(&session.actor, id, input).await;
    card_form(&state, &session, id, "agreements", &form, call).await
}

pub async fn log_correspondence(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<LetterFields>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    let call = async |input| state.crm.log_hotel_correspondence(&session.actor, id, input).await;
    card_form(&state, &session, id, "correspondence", &form, call).await
}
