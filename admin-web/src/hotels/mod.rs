//! Partner hotels: the searchable list, the hotel form (new and edit) and archiving; the card
//! with everything agreed with the hotel is in [`card`], a room with its seasons in [`rooms`],
//! a manager in [`managers`]. Operators and admins change hotels; agents and the accountant
//! read them (the service keeps the correspondence from them).

pub mod card;
mod forms;
pub mod managers;
pub mod rooms;
mod terms;

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::HotelId;
use crm::services::{Capability, Hotel, HotelFilter, PanelSession};
use forms::{Errors, HotelFields, HotelForm};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeSet;

/// More than an agency's partner list; past it the page asks for a narrower search.
const LIST_LIMIT: i64 = 500;

/// Parses a form and hands the input to a service call. The outcome is the call's value, or
/// the reasons to show beside the fields; anything but a refused input (no right, no such
/// row) becomes its error page. Only operators and admins get as far as the form.
async fn submit<F: HotelForm, T>(
    session: &PanelSession,
    form: &F,
    call: impl AsyncFnOnce(F::Input) -> crm::Result<T>,
) -> Result<Result<T, Errors>, AppError> {
    Capability::ManageHotels.check(&session.actor)?;
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    match call(input).await {
        Ok(value) => Ok(Ok(value)),
        Err(crm::Error::Invalid(why)) => Ok(Err(Errors::one(F::field_of(&why), &why))),
        Err(e) => Err(e.into()),
    }
}

/// 303 to a page, so a reload does not repeat the POST.
fn see(path: String) -> Response {
    Redirect::to(&path).into_response()
}

fn stars(h: &Hotel) -> String {
    h.stars.map(|s| "★".repeat(usize::try_from(s.get()).unwrap_or(0))).unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    country: String,
    city: String,
    /// `1`: archived hotels too.
    archived: String,
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = HotelFilter {
        country: given(&q.country),
        city: given(&q.city),
        text: given(&q.q),
        include_archived: q.archived == "1",
        limit: LIST_LIMIT,
    };
    let hotels = state.crm.list_hotels(&session.actor, filter).await?;
    // The places to pick from: every hotel's, not only the ones found.
    let everywhere = HotelFilter { include_archived: true, limit: LIST_LIMIT, ..Default::default() };
    let all = state.crm.list_hotels(&session.actor, everywhere).await?;
    let countries: BTreeSet<_> = all.iter().map(|h| h.country.as_str()).collect();
    let cities: BTreeSet<_> = all.iter().map(|h| h.city.as_str()).collect();
    let rows: Vec<_> = hotels
        .iter()
        .map(|h| {
            json!({"id": h.id, "name": h.name, "stars": stars(h), "country": h.country, "city": h.city,
                   "archived": h.archived})
        })
        .collect();
    let mut ctx = views::page(&session, "hotels");
    ctx.insert("hotels", &rows);
    ctx.insert("countries", &countries);
    ctx.insert("cities", &cities);
    ctx.insert("query", &json!({"q": q.q, "country": q.country, "city": q.city, "archived": q.archived}));
    ctx.insert("may_write", &Capability::ManageHotels.allows(&session.actor));
    ctx.insert("cut", &(hotels.len() as i64 == LIST_LIMIT));
    views::render("hotels/list.html", &ctx)
}

/// The hotel form, new (`id` none) or editing; `status` 422 when it comes back refused.
fn hotel_page(
    session: &PanelSession,
    id: Option<HotelId>,
    form: &HotelFields,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::ManageHotels.check(&session.actor)?;
    let mut ctx = views::page(session, "hotels");
    ctx.insert("id", &id);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    Ok((status, views::render("hotels/edit.html", &ctx)?).into_response())
}

pub async fn new_form(Current(session): Current) -> Result<Response, AppError> {
    hotel_page(&session, None, &HotelFields::default(), &Errors::default(), StatusCode::OK)
}

pub async fn create(
    State(state): State<AppState>,
    Current(session): Current,
    Form(form): Form<HotelFields>,
) -> Result<Response, AppError> {
    match submit(&session, &form, async |input| state.crm.create_hotel(&session.actor, input).await).await? {
        Ok(hotel) => Ok(see(format!("/hotels/{}", hotel.id))),
        Err(errors) => hotel_page(&session, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    Capability::ManageHotels.check(&session.actor)?;
    let h = state.crm.get_hotel(&session.actor, HotelId(parse_id(&id)?)).await?;
    let form = HotelFields {
        name: h.name,
        country: h.country,
        city: h.city,
        address: h.address,
        stars: h.stars.map(|s| s.get().to_string()).unwrap_or_default(),
        description: h.description,
    };
    hotel_page(&session, Some(h.id), &form, &Errors::default(), StatusCode::OK)
}

pub async fn update(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<HotelFields>,
) -> Result<Response, AppError> {
    let id = HotelId(parse_id(&id)?);
    match submit(&session, &form, async |input| state.crm.update_hotel(&session.actor, id, input).await).await? {
        Ok(hotel) => Ok(see(format!("/hotels/{}", hotel.id))),
        Err(errors) => hotel_page(&session, Some(id), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ArchiveForm {
    /// `1` archives, `0` restores.
    archived: String,
}

impl ArchiveForm {
    fn archived(&self) -> bool {
        self.archived == "1"
    }
}

pub async fn archive(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, AppError> {
    let hotel = state.crm.archive_hotel(&session.actor, HotelId(parse_id(&id)?), form.archived()).await?;
    Ok(see(format!("/hotels/{}", hotel.id)))
}
