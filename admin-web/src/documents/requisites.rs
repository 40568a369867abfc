//! The agency's requisites and a tour operator's registry data: forms that keep what was typed
//! and name every wrong field at once (the services check them again when saving).

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{Currency, Money, StaffId};
use crm::services::{AgencyRequisites, Capability, OperatorRegistry, PanelSession, RequisiteField, SecurityKind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

type Errors = HashMap<&'static str, String>;

fn errors_of(problems: Vec<(RequisiteField, crm::domain::Invalid)>) -> Errors {
    problems.into_iter().map(|(f, why)| (f.code(), why.message_ru().to_owned())).collect()
}

fn labels() -> Value {
    let map: serde_json::Map<String, Value> =
        RequisiteField::ALL.iter().map(|f| (f.code().to_owned(), Value::from(f.label_ru()))).collect();
    Value::Object(map)
}

async fn agency_page(
    session: &PanelSession,
    form: &AgencyRequisites,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut ctx = views::page(session, "documents");
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("labels", &labels());
    Ok((status, views::render("documents/agency.html", &ctx)?).into_response())
}

pub async fn agency_form(State(state): State<AppState>, Current(session): Current) -> Result<Response, AppError> {
    let form = state.crm.agency_requisites(&session.actor).await?.unwrap_or_default();
    agency_page(&session, &form, &Errors::new(), StatusCode::OK).await
}

pub async fn agency_save(
    State(state): State<AppState>,
    Current(session): Current,
    Form(form): Form<AgencyRequisites>,
) -> Result<Response, AppError> {
    Capability::ManageTemplates.check(&session.actor)?;
    if let Err(problems) = form.checked() {
        return agency_page(&session, &form, &errors_of(problems), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.crm.save_agency_requisites(&session.actor, &form).await?;
    Ok(Redirect::to("/documents?saved=requisites").into_response())
}

/// The registry form as typed: amounts in rubles, dates as dd.mm.yyyy.
#[derive(Deserialize, Serialize, Default)]
pub struct RegistryForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    inn: String,
    #[serde(default)]
    registry_number: String,
    #[serde(default)]
    security_kind: String,
    #[serde(default)]
    security_amount: String,
    #[serde(default)]
    security_number: String,
    #[serde(default)]
    security_date: String,
    #[serde(default)]
    security_from: String,
    #[serde(default)]
    security_until: String,
    #[serde(default)]
    guarantor_name: String,
    #[serde(default)]
    guarantor_address: String,
}

impl RegistryForm {
    fn of(r: &OperatorRegistry) -> RegistryForm {
        let day = |d: Option<chrono::NaiveDate>| d.map(views::day).unwrap_or_default();
        RegistryForm {
            full_name: r.full_name.clone(),
            address: r.address.clone(),
            inn: r.inn.clone(),
            registry_number: r.registry_number.clone(),
            security_kind: r.security_kind.code().to_owned(),
            security_amount: Money::new(r.security_amount, Currency::RUB).as_typed(),
            security_number: r.security_number.clone(),
            security_date: day(r.security_date),
            security_from: day(r.security_from),
            security_until: day(r.security_until),
            guarantor_name: r.guarantor_name.clone(),
            guarantor_address: r.guarantor_address.clone(),
        }
    }

    /// The typed values as registry data, or the fields whose format is wrong.
    fn parse(&self) -> (OperatorRegistry, Errors) {
        let mut errors = Errors::new();
        let mut date = |field: RequisiteField, raw: &str| {
            let d = chrono::NaiveDate::parse_from_str(raw.trim(), "%d.%m.%Y").ok();
            if d.is_none() {
                errors.insert(field.code(), crm::domain::Invalid::DateFormat.message_ru().to_owned());
            }
            d
        };
        let security_date = date(RequisiteField::SecurityDate, &self.security_date);
        let security_from = date(RequisiteField::SecurityFrom, &self.security_from);
        let security_until = date(RequisiteField::SecurityUntil, &self.security_until);
        let kind = SecurityKind::parse(&self.security_kind).unwrap_or_else(|why| {
            errors.insert(RequisiteField::SecurityKind.code(), why.message_ru().to_owned());
            SecurityKind::default()
        });
        let amount = Money::parse(&self.security_amount, Currency::RUB).map(|m| m.minor).unwrap_or_else(|why| {
            errors.insert(RequisiteField::SecurityAmount.code(), why.message_ru().to_owned());
            1
        });
        let r = OperatorRegistry {
            full_name: self.full_name.clone(),
            address: self.address.clone(),
            inn: self.inn.clone(),
            registry_number: self.registry_number.clone(),
            security_kind: kind,
            security_amount: amount,
            security_number: self.security_number.clone(),
            security_date,
            security_from,
            security_until,
            guarantor_name: self.guarantor_name.clone(),
            guarantor_address: self.guarantor_address.clone(),
        };
        if let Err(problems) = r.checked() {
            for (field, why) in problems {
                errors.entry(field.code()).or_insert_with(|| why.message_ru().to_owned());
            }
        }
        (r, errors)
    }
}

async fn operator_page(
    state: &AppState,
    session: &PanelSession,
    id: StaffId,
    form: &RegistryForm,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let operators = state.crm.operator_registry(&session.actor).await?;
    let operator = operators.iter().find(|o| o.operator.id == id).ok_or(AppError::NotFound)?;
    let mut ctx = views::page(session, "documents");
    ctx.insert("operator", &json!({"id": id.0, "name": operator.operator.name}));
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("labels", &labels());
    let kinds: Vec<Value> =
        SecurityKind::ALL.iter().map(|k| json!({"value": k.code(), "title": k.title_ru()})).collect();
    ctx.insert("kinds", &kinds);
    Ok((status, views::render("documents/operator.html", &ctx)?).into_response())
}

pub async fn operator_form(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let operators = state.crm.operator_registry(&session.actor).await?;
    let entry = operators.iter().find(|o| o.operator.id.0 == id).ok_or(AppError::NotFound)?;
    let form = entry.registry.as_ref().map(RegistryForm::of).unwrap_or_default();
    operator_page(&state, &session, StaffId(id), &form, &Errors::new(), StatusCode::OK).await
}

pub async fn operator_save(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<i64>,
    Form(form): Form<RegistryForm>,
) -> Result<Response, AppError> {
    Capability::ManageTemplates.check(&session.actor)?;
    let (registry, errors) = form.parse();
    if !errors.is_empty() {
        return operator_page(&state, &session, StaffId(id), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.crm.save_operator_registry(&session.actor, StaffId(id), &registry).await?;
    Ok(Redirect::to("/documents?saved=operator").into_response())
}
