//! The variables a document template reads, gathered from a booking or a client. One shape for
//! every render (the real one and the panel's preview), so a template that previews renders.

use crate::domain::{BirthCertificate, ForeignPassport, InternalPassport, MealPlan};
use crate::domain::{Money, TourService};
use crate::paperwork::requisites::{AgencyRequisites, OperatorRegistry};
use crate::services::{BookedRoom, Booking, Client, Documents, Installment, RoutePoint, TourHotel};
use crate::store::tours::Tour;
use crate::text;
use chrono::NaiveDate;
use serde_json::{Value, json};

pub(super) fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

pub(super) fn agency(a: &AgencyRequisites) -> Value {
    json!({
        "full_name": a.full_name(),
        "legal_form": a.legal_form,
        "name": a.name,
        "inn": a.inn,
        "ogrn": a.ogrn,
        "address": a.address,
        "city": a.city,
        "phone": a.phone,
        "email": a.email,
        "bank_account": a.bank_account,
        "bik": a.bik,
        "bank_name": a.bank_name,
        "corr_account": a.corr_account,
        "director": a.director,
    })
}

/// The security's term as the contract states it («с 01.01.2027 по 31.12.2027»).
pub(super) fn security_term(o: &OperatorRegistry) -> String {
    let date = |d: Option<NaiveDate>| d.map(day).unwrap_or_default();
    text::fill("documents", "security_term", &[("from", &date(o.security_from)), ("until", &date(o.security_until))])
}

pub(super) fn operator(o: &OperatorRegistry) -> (Value, Value) {
    let date = |d: Option<NaiveDate>| d.map(day).unwrap_or_default();
    let term = security_term(o);
    let operator = json!({
        "full_name": o.full_name,
        "address": o.address,
        "inn": o.inn,
        "registry_number": o.registry_number,
    });
    let security = json!({
        "kind": o.security_kind.title_ru(),
        "amount": Money::new(o.security_amount, crate::domain::Currency::RUB).to_string(),
        "number": o.security_number,
        "date": date(o.security_date),
        "term": term,
        "guarantor_name": o.guarantor_name,
        "guarantor_address": o.guarantor_address,
    });
    (operator, security)
}

/// A document in one line, as a contract names it: for a trip abroad the foreign passport
/// first, at home the internal one; a child's birth certificate when there is no passport.
pub(super) fn document_line(docs: &Documents, abroad: bool) -> Option<String> {
    let internal = docs.internal_passport.as_ref().map(internal_line);
    let foreign = docs.foreign_passport.as_ref().map(foreign_line);
    let (first, second) = if abroad { (foreign, internal) } else { (internal, foreign) };
    first.or(second).or_else(|| docs.birth_certificate.as_ref().map(birth_line))
}

fn birth_line(c: &BirthCertificate) -> String {
    text::fill(
        "documents",
        "birth_certificate_line",
        &[("series", &c.series), ("number", &c.number), ("issued_on", &day(c.issued_on)), ("issuer", &c.issuer)],
    )
}

fn internal_line(p: &InternalPassport) -> String {
    let code = p.division_code.as_deref().map(|c| text::fill("documents", "division_code", &[("code", &c)]));
    text::fill(
        "documents",
        "internal_passport_line",
        &[
            ("series", &p.series),
            ("number", &p.number),
            ("issued_on", &day(p.issued_on)),
            ("issuer", &p.issuer),
            ("division", &code.unwrap_or_default()),
        ],
    )
}

fn foreign_line(p: &ForeignPassport) -> String {
    text::fill(
        "documents",
        "foreign_passport_line",
        &[
            ("number", &p.number),
            ("issued_on", &day(p.issued_on)),
            ("issuer", &p.issuer),
            ("expires_on", &day(p.expires_on)),
        ],
    )
}

/// The identity document as the consent lists it: kind, number, date of issue, issuer.
pub(super) fn document_parts(docs: &Documents) -> Option<(String, String, String, String)> {
    if let Some(p) = &docs.internal_passport {
        return Some((
            text::get("documents", "internal_passport_kind").to_owned(),
            format!("{} {}", p.series, p.number),
            day(p.issued_on),
            p.issuer.clone(),
        ));
    }
    if let Some(p) = &docs.foreign_passport {
        let kind = text::get("documents", "foreign_passport_kind").to_owned();
        return Some((kind, p.number.clone(), day(p.issued_on), p.issuer.clone()));
    }
    docs.birth_certificate.as_ref().map(|c| {
        let kind = text::get("documents", "birth_certificate_kind").to_owned();
        (kind, format!("{} {}", c.series, c.number), day(c.issued_on), c.issuer.clone())
    })
}

/// Stands for data the document lacks: a line to fill in by hand.
pub(super) fn blank() -> String {
    "____________________".to_owned()
}

pub(super) fn client(c: &Client, docs: &Documents, address: Option<&str>, abroad: bool) -> Value {
    let (kind, number, issued_on, issuer) = document_parts(docs)
        .unwrap_or_else(|| (text::get("documents", "document_kind_blank").to_owned(), blank(), blank(), blank()));
    json!({
        "full_name": c.full_name,
        "phone": crate::domain::format_phone(&c.phone),
        "birth_date": c.birth_date.map(day).unwrap_or_else(blank),
        "city": c.city.clone().unwrap_or_default(),
        "address": address.map(str::to_owned).unwrap_or_else(blank),
        "document": document_line(docs, abroad).unwrap_or_else(|| text::get("documents", "document_blank").to_owned()),
        "document_kind": kind,
        "document_number": number,
        "document_issued_on": issued_on,
        "document_issuer": issuer,
    })
}

pub(super) fn installment_kind(i: &Installment) -> &'static str {
    match i.kind.as_str() {
        "deposit" => text::get("documents", "installment_deposit"),
        "balance" => text::get("documents", "installment_balance"),
        _ => text::get("documents", "installment_full"),
    }
}

pub(super) struct Trip<'a> {
    pub booking: &'a Booking,
    pub tour: &'a Tour,
    pub route: &'a [RoutePoint],
    pub services: &'a [(TourService, bool)],
    pub hotels: &'a [TourHotel],
    pub rooms: &'a [BookedRoom],
    pub schedule: &'a [Installment],
}

pub(super) fn trip(t: &Trip<'_>) -> Value {
    let b = t.booking;
    let nights = (b.ends_on - b.starts_on).num_days();
    let included = |s: TourService| {
        let yes = t.services.iter().any(|(x, inc)| *x == s && *inc);
        if yes { text::get("documents", "included") } else { text::get("documents", "not_included") }
    };
    let meal = |h: &TourHotel| {
        h.meal_plan.as_deref().map_or_else(
            || text::get("documents", "no_meals").to_owned(),
            |code| MealPlan::parse(code).map_or_else(|_| code.to_owned(), |m| m.title_ru().to_owned()),
        )
    };
    let category = |stars: Option<i64>| match stars {
        Some(n) => text::fill("documents", "stars", &[("n", &n)]),
        None => text::get("documents", "no_category").to_owned(),
    };
    let hotels: Vec<Value> = if t.rooms.is_empty() {
        let mut check_in = b.starts_on;
        t.hotels
            .iter()
            .map(|h| {
                let row = json!({
                    "name": h.hotel_name, "city": h.city, "category": category(h.stars),
                    "room_type": h.room_type.clone().unwrap_or_default(), "meal_plan": meal(h),
                    "check_in": day(check_in), "nights": h.nights,
                });
                check_in += chrono::Duration::days(h.nights);
                row
            })
            .collect()
    } else {
        t.rooms
            .iter()
            .map(|r| {
                let linked = t.hotels.iter().find(|h| h.hotel_id == r.hotel_id);
                json!({
                    "name": r.hotel_name,
                    "city": linked.map(|h| h.city.clone()).unwrap_or_default(),
                    "category": category(linked.and_then(|h| h.stars)),
                    "room_type": text::fill("documents", "rooms", &[("room", &r.room_type), ("count", &r.rooms)]),
                    "meal_plan": linked.map(meal).unwrap_or_else(|| text::get("documents", "no_meals").to_owned()),
                    "check_in": day(r.check_in),
                    "nights": r.nights,
                })
            })
            .collect()
    };
    let services: Vec<&str> = t.services.iter().filter(|(_, inc)| *inc).map(|(s, _)| s.title_ru()).collect();
    let extras: Vec<&str> = t.services.iter().filter(|(_, inc)| !*inc).map(|(s, _)| s.title_ru()).collect();
    json!({
        "tour": {
            "title": t.tour.title,
            "kind": t.tour.kind.title_ru(),
            "country": t.tour.country,
            "region": t.tour.region,
            "departure_city": t.tour.departure_city,
            "programme": t.tour.description,
            "transfer": included(TourService::Transfer),
            "guide": included(TourService::Guide),
        },
        "booking": {
            "number": b.id.to_string(),
            "total": b.total.to_string(),
            "price_per_person": b.tour_price_per_person.to_string(),
            "rooms_total": if b.rooms_total.minor > 0 { b.rooms_total.to_string() } else { String::new() },
            "dates": text::fill("documents", "dates", &[("from", &day(b.starts_on)), ("until", &day(b.ends_on))]),
            "starts_on": day(b.starts_on),
            "ends_on": day(b.ends_on),
            "nights": nights,
            "travellers_count": b.travellers_count,
        },
        "route": t.route.iter().map(|p| json!({"day": p.day_number, "place": p.place, "description": p.description})).collect::<Vec<_>>(),
        "hotels": hotels,
        "services": services,
        "extras": extras,
        "payments": t.schedule.iter().enumerate().map(|(n, i)| json!({
            "n": n + 1, "kind": installment_kind(i), "due_on": day(i.due_on), "amount": i.amount.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// Puts every key of `from` (an object) into `into` (an object).
pub(super) fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}
