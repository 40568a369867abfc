//! Composing a broadcast: kind, title, a published tour, the text (the kind's default to start
//! from), the audience (tags, departure city, countries of past trips) and when to send. «Посчитать
//! и проверить» is a second submit button of the same form: the page comes back with the number of
//! recipients and the text as a sample client would get it, the input kept. «Отправить» creates it.

use crate::guard::Current;
use crate::notifications::{filters, variables};
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{AGENCY_TZ, City, Invalid, KNOWN_CITIES, TourId, TourStatus, parse_local_datetime};
use crm::notify::BroadcastKind;
use crm::services::notify::BroadcastInput;
use crm::services::{AudienceFilter, Capability, PanelSession, TourFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// The form as typed. Tags and countries are checkboxes sharing a name, which a plain struct
/// cannot hold, so it is read from the form's pairs.
#[derive(Serialize, Default)]
pub struct BroadcastForm {
    kind: String,
    title: String,
    tour_id: String,
    template: String,
    tags: Vec<String>,
    city: String,
    countries: Vec<String>,
    /// `now` or `at`.
    when: String,
    /// `дд.мм.гггг чч:мм` in the agency's time zone.
    send_at: String,
    /// Set by «Всё равно отправить»: the sender saw that nobody matches now and goes on.
    confirm_empty: bool,
}

impl BroadcastForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> BroadcastForm {
        let mut f = BroadcastForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "tour_id" => f.tour_id = v,
                "template" => f.template = v,
                "tags" => f.tags.push(v),
                "city" => f.city = v,
                "countries" => f.countries.push(v),
                "when" => f.when = v,
                "send_at" => f.send_at = v,
                "confirm_empty" => f.confirm_empty = v == "1",
                _ => {}
            }
        }
        f
    }

    fn starting(kind: BroadcastKind) -> BroadcastForm {
        BroadcastForm {
            kind: kind.as_str().to_owned(),
            template: kind.default_template().to_owned(),
            when: "now".to_owned(),
            ..BroadcastForm::default()
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for BroadcastForm {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, FormRejection> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
        Ok(BroadcastForm::from_pairs(pairs))
    }
}

type Errors = HashMap<&'static str, String>;

/// The form read into a broadcast, each refused field with its reason. What could not be read
/// is left out of the input (an unknown kind reads as the first), so the service can still
/// check the rest and the form shows every reason at once.
fn parse(form: &BroadcastForm) -> (BroadcastInput, Errors) {
    let mut errors = Errors::new();
    let kind = BroadcastKind::parse(&form.kind);
    if kind.is_none() {
        errors.insert("kind", Invalid::KindUnknown.message_ru().to_owned());
    }
    let tour_id = form.tour_id.trim().parse::<i64>().ok().filter(|id| *id > 0).map(TourId);
    if tour_id.is_none() {
        errors.insert("tour_id", Invalid::TourRequired.message_ru().to_owned());
    }
    let audience = match audience(form) {
        Ok(a) => a,
        Err(e) => {
            errors.insert("city", e.message_ru().to_owned());
            AudienceFilter::default()
        }
    };
    let send_at = match form.when.as_str() {
        "at" => match parse_local_datetime(&form.send_at, AGENCY_TZ) {
            Ok(t) => Some(t),
            Err(e) => {
                let reason = if e == Invalid::NoSuchDate { e } else { Invalid::SendAtFormat };
                errors.insert("send_at", reason.message_ru().to_owned());
                None
            }
        },
        _ => None,
    };
    let input = BroadcastInput {
        kind: kind.unwrap_or(BroadcastKind::NewTour),
        title: form.title.clone(),
        template: form.template.clone(),
        tour_id,
        audience,
        send_at,
    };
    (input, errors)
}

/// The form's own reasons and the service's, one per field (the form's first): all at once.
async fn check_all(
    state: &AppState,
    session: &PanelSession,
    form: &BroadcastForm,
) -> Result<(BroadcastInput, Errors, Option<String>), AppError> {
    let (input, mut errors) = parse(form);
    let (problems, preview) = state.crm.check_broadcast(&session.actor, &input).await?;
    for p in problems {
        // Without a tour the text cannot find its `tour` variables: «choose a tour» says it all,
        // and the text is checked once one is chosen.
        if input.tour_id.is_none() && matches!(p, crm::Error::Template(_)) {
            continue;
        }
        let (field, reason) = refused(p)?;
        errors.entry(field).or_insert(reason);
    }
    Ok((input, errors, preview))
}

fn audience(form: &BroadcastForm) -> Result<AudienceFilter, Invalid> {
    let city = match form.city.trim() {
        "" => None,
        c => Some(City::parse(c)?.name().to_owned()),
    };
    Ok(AudienceFilter { tag_keys: form.tags.clone(), city, countries: form.countries.clone() })
}

/// What «Посчитать и проверить» found: the recipients now and the text for a sample client.
struct Checked {
    count: i64,
    preview: String,
    /// «Отправить» met an empty audience: the page asks before sending to nobody.
    ask_empty: bool,
}

async fn compose_page(
    state: &AppState,
    session: &PanelSession,
    form: &BroadcastForm,
    errors: &Errors,
    checked: Option<Checked>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    Capability::Broadcasts.check(actor)?;
    let published = TourFilter { status: Some(TourStatus::Published), limit: 500, ..TourFilter::default() };
    let tours: Vec<_> = state
        .crm
        .list_tours(actor, published)
        .await?
        .into_iter()
        .map(|t| json!({"id": t.id.0.to_string(), "title": t.title, "country": t.country, "city": t.departure_city}))
        .collect();
    let kinds: Vec<_> =
        BroadcastKind::ALL.iter().map(|k| json!({"value": k.as_str(), "title": k.title_ru()})).collect();
    let kind = BroadcastKind::parse(&form.kind).unwrap_or(BroadcastKind::NewTour);
    let mut ctx = views::page(session, "broadcasts");
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("count", &checked.as_ref().map(|c| c.count));
    ctx.insert("preview", &checked.as_ref().map(|c| &c.preview));
    ctx.insert("ask_empty", &checked.as_ref().is_some_and(|c| c.ask_empty));
    ctx.insert("kinds", &kinds);
    ctx.insert("tours", &tours);
    ctx.insert("tags", &state.crm.all_tags(actor).await?);
    ctx.insert("countries", &state.crm.broadcast_countries(actor).await?);
    ctx.insert("cities", &KNOWN_CITIES.iter().map(|(name, _)| *name).collect::<Vec<_>>());
    ctx.insert("variables", &variables(&kind.sample_context()));
    ctx.insert("filters", &filters());
    // A form that comes back with reasons was refused; anything else is a plain page.
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, views::render("broadcasts/new.html", &ctx)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

/// The empty form, its text the default of the kind asked for (`?kind=hot_tour`).
pub async fn new_form(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let form = BroadcastForm::starting(BroadcastKind::parse(&q.kind).unwrap_or(BroadcastKind::NewTour));
    compose_page(&state, &session, &form, &Errors::new(), None).await
}

/// The reason a service refused the broadcast, beside the field it is about.
fn refused(e: crm::Error) -> Result<(&'static str, String), AppError> {
    match e {
        crm::Error::Template(t) => Ok(("template", t.0)),
        crm::Error::Invalid(i @ Invalid::SendAtPast) => Ok(("send_at", i.message_ru().to_owned())),
        crm::Error::Invalid(i @ Invalid::TourRequired) => Ok(("tour_id", i.message_ru().to_owned())),
        crm::Error::Invalid(i) => Ok(("title", i.message_ru().to_owned())),
        crm::Error::NotFound("tour") => Ok(("tour_id", Invalid::TourRequired.message_ru().to_owned())),
        crm::Error::Conflict(c @ crm::Conflict::TourNotBookable) => Ok(("tour_id", c.message_ru())),
        e => Err(e.into()),
    }
}

/// «Посчитать и проверить»: the form again with the recipients and the preview, or the reasons.
pub async fn check(
    State(state): State<AppState>,
    Current(session): Current,
    form: BroadcastForm,
) -> Result<Response, AppError> {
    Capability::Broadcasts.check(&session.actor)?;
    let (input, errors, preview) = check_all(&state, &session, &form).await?;
    let checked = match preview {
        Some(preview) if errors.is_empty() => Some(Checked {
            count: state.crm.audience_size(&session.actor, &input.audience).await?,
            preview,
            ask_empty: false,
        }),
        _ => None,
    };
    compose_page(&state, &session, &form, &errors, checked).await
}

/// «Отправить»: the broadcast is created (sent now or at its time by the bot) and its card opens.
pub async fn create(
    State(state): State<AppState>,
    Current(session): Current,
    form: BroadcastForm,
) -> Result<Response, AppError> {
    Capability::Broadcasts.check(&session.actor)?;
    let (input, errors, preview) = check_all(&state, &session, &form).await?;
    if !errors.is_empty() {
        return compose_page(&state, &session, &form, &errors, None).await;
    }
    if !form.confirm_empty {
        let count = state.crm.audience_size(&session.actor, &input.audience).await?;
        if count == 0 {
            let checked = Checked { count, preview: preview.unwrap_or_default(), ask_empty: true };
            return compose_page(&state, &session, &form, &errors, Some(checked)).await;
        }
    }
    match state.crm.create_broadcast(&session.actor, input).await {
        Ok(b) => Ok(Redirect::to(&format!("/broadcasts/{}", b.id)).into_response()),
        Err(e) => compose_page(&state, &session, &form, &Errors::from([refused(e)?]), None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_the_calendar_lacks_is_named_as_such() {
        let form = BroadcastForm { when: "at".into(), send_at: "31.02.2027 10:00".into(), ..BroadcastForm::default() };
        assert_eq!(parse(&form).1["send_at"], Invalid::NoSuchDate.message_ru());
        let form = BroadcastForm { when: "at".into(), send_at: "01.12.2026 10:00".into(), ..BroadcastForm::default() };
        let (input, errors) = parse(&form);
        assert!(!errors.contains_key("send_at"));
        assert_eq!(
            input.send_at,
            Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 7, 0, 0).unwrap())
        );
    }

    #[test]
    fn the_form_names_each_refused_field() {
        let form = BroadcastForm {
            kind: "spam".into(),
            city: "123".into(),
            when: "at".into(),
            send_at: "завтра".into(),
            ..BroadcastForm::default()
        };
        let (_, errors) = parse(&form);
        let mut fields: Vec<_> = errors.keys().copied().collect();
        fields.sort();
        assert_eq!(fields, ["city", "kind", "send_at", "tour_id"]);
    }
}
