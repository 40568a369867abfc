//! The tour form: what the operator typed, kept as typed so a refusal shows it again, and its
//! parsing into `crm::services::TourInput` with one reason beside each bad field. The formats
//! are the panel's (a route day per line, dates `дд.мм.гггг`); the rules are `crm`'s, asked
//! through `TourInput::problems`.

use crm::domain::{Currency, HotelId, Invalid, Money, RoomId, TourKind, TourService, parse_ru_date};
use crm::services::{LinkableHotel, MAX_ROUTE_DAY, RoutePoint, TourCard, TourHotelLink, TourInput};
use crm::text;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Field name → the reason shown beside it.
pub type Errors = HashMap<&'static str, String>;

/// Empty hotel rows offered below the tour's own.
const SPARE_HOTEL_ROWS: usize = 2;

/// One «отель, номер, ночей» row of the form.
#[derive(Debug, Default, Clone, Serialize)]
pub struct HotelLine {
    pub hotel_id: String,
    pub room_id: String,
    pub nights: String,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct TourForm {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub country: String,
    pub region: String,
    pub departure_city: String,
    pub price: String,
    pub currency: String,
    /// One route point a line: `1: Стамбул — обзорная экскурсия`.
    pub route: String,
    /// Service code → `included`, `excluded` or empty (not mentioned).
    pub services: BTreeMap<String, String>,
    pub hotels: Vec<HotelLine>,
    pub hot_from: String,
    pub hot_until: String,
    pub early_from: String,
    pub early_until: String,
}

impl TourForm {
    /// An empty form: an excursion priced in roubles.
    pub fn blank() -> TourForm {
        let mut f = TourForm { kind: "excursion".into(), currency: "RUB".into(), ..Default::default() };
        f.pad_hotels();
        f
    }

    /// The posted fields in document order; the hotel rows repeat `hotel_id`, `room_id`,
    /// `nights`, so they are matched by position.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> TourForm {
        let mut f = TourForm::default();
        let (mut hotels, mut rooms, mut nights) = (Vec::new(), Vec::new(), Vec::new());
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "description" => f.description = v,
                "country" => f.country = v,
                "region" => f.region = v,
                "departure_city" => f.departure_city = v,
                "price" => f.price = v,
                "currency" => f.currency = v,
                "route" => f.route = v,
                "hot_from" => f.hot_from = v,
                "hot_until" => f.hot_until = v,
                "early_from" => f.early_from = v,
                "early_until" => f.early_until = v,
                "hotel_id" => hotels.push(v),
                "room_id" => rooms.push(v),
                "nights" => nights.push(v),
                other => {
                    if let Some(code) = other.strip_prefix("service_") {
                        f.services.insert(code.to_owned(), v);
                    }
                }
            }
        }
        let rows = hotels.len().max(rooms.len()).max(nights.len());
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        f.hotels = (0..rows)
            .map(|i| HotelLine { hotel_id: at(&hotels, i), room_id: at(&rooms, i), nights: at(&nights, i) })
            .collect();
        f
    }

    /// The stored tour as the edit form shows it.
    pub fn from_card(card: &TourCard) -> TourForm {
        let t = &card.tour;
        let (hot_from, hot_until) = period_text(t.hot);
        let (early_from, early_until) = period_text(t.early_booking);
        let mut f = TourForm {
            kind: t.kind.as_str().into(),
            title: t.title.clone(),
            description: t.description.clone(),
            country: t.country.clone(),
            region: t.region.clone(),
            departure_city: t.departure_city.clone(),
            price: t.price.as_typed(),
            currency: t.price.currency.code().into(),
            route: card.route.iter().map(route_line).collect::<Vec<_>>().join("\n"),
            services: card
                .services
                .iter()
                .map(|(s, inc)| (s.as_str().to_owned(), if *inc { "included" } else { "excluded" }.to_owned()))
                .collect(),
            hotels: card
                .hotels
                .iter()
                .map(|h| HotelLine {
                    hotel_id: h.hotel_id.to_string(),
                    room_id: h.room_id.map(|r| r.to_string()).unwrap_or_default(),
                    nights: h.nights.to_string(),
                })
                .collect(),
            hot_from,
            hot_until,
            early_from,
            early_until,
        };
        f.pad_hotels();
        f
    }

    /// Adds the spare empty rows so another hotel can be linked without scripts.
    pub fn pad_hotels(&mut self) {
        let filled = self.hotels.iter().filter(|h| !h.hotel_id.is_empty()).count();
        self.hotels.retain(|h| !h.hotel_id.is_empty() || !h.room_id.is_empty() || !h.nights.trim().is_empty());
        self.hotels.resize(self.hotels.len().max(filled + SPARE_HOTEL_ROWS), HotelLine::default());
    }

    /// The input for `crm`, or every reason it is refused, each beside its field.
    pub fn parse(&self, choices: &HotelChoices) -> Result<TourInput, Errors> {
        let mut errors = Errors::new();
        let kind = TourKind::parse(&self.kind);
        if kind.is_none() {
            errors.insert("kind", text::get("web", "choose_tour_kind").into());
        }
        let price = Currency::parse(&self.currency).and_then(|c| Money::parse(&self.price, c));
        if let Err(e) = &price {
            errors.insert("price", e.message_ru().into());
        }
        let route = parse_route(&self.route).unwrap_or_else(|bad| {
            errors.insert("route", bad.join("\n"));
            Vec::new()
        });
        let services = self.parse_services().unwrap_or_else(|e| {
            errors.insert("services", e);
            Vec::new()
        });
        let hotels = self.parse_hotels(choices).unwrap_or_else(|e| {
            errors.insert("hotels", e);
            Vec::new()
        });
        let hot = parse_period(&self.hot_from, &self.hot_until).unwrap_or_else(|e| {
            errors.insert("hot", e);
            None
        });
        let early_booking = parse_period(&self.early_from, &self.early_until).unwrap_or_else(|e| {
            errors.insert("early_booking", e);
            None
        });
        let input = TourInput {
            kind: kind.unwrap_or(TourKind::Excursion),
            title: self.title.clone(),
            description: self.description.clone(),
            country: self.country.clone(),
            region: self.region.clone(),
            departure_city: self.departure_city.clone(),
            price: price.unwrap_or(Money::new(0, Currency::RUB)),
            route,
            services,
            hotels,
            hot,
            early_booking,
        };
        for (field, reason) in input.problems() {
            errors.entry(field).or_insert_with(|| reason.message_ru().to_owned());
        }
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }

    fn parse_services(&self) -> Result<Vec<(TourService, bool)>, String> {
        let mut out = Vec::new();
        for s in TourService::ALL {
            match self.services.get(s.as_str()).map(String::as_str).unwrap_or("") {
                "" => {}
                "included" => out.push((s, true)),
                "excluded" => out.push((s, false)),
                _ => return Err(text::get("web", "service_choice").into()),
            }
        }
        Ok(out)
    }

    fn parse_hotels(&self, choices: &HotelChoices) -> Result<Vec<TourHotelLink>, String> {
        let mut out = Vec::new();
        for (i, line) in self.hotels.iter().enumerate() {
            let row = i + 1;
            let (hotel, room, nights) = (line.hotel_id.trim(), line.room_id.trim(), line.nights.trim());
            if hotel.is_empty() {
                if room.is_empty() && nights.is_empty() {
                    continue;
                }
                return Err(text::fill("web", "hotel_row_no_hotel", &[("row", &row)]));
            }
            let Some((hotel_id, rooms)) =
                hotel.parse::<i64>().ok().map(HotelId).and_then(|h| choices.get(&h).map(|r| (h, r)))
            else {
                return Err(text::fill("web", "hotel_row_unknown_hotel", &[("row", &row)]));
            };
            let room_id = match room {
                "" => None,
                r => match r.parse::<i64>().ok().map(RoomId).filter(|r| rooms.contains(r)) {
                    Some(r) => Some(r),
                    None => return Err(text::fill("web", "hotel_row_foreign_room", &[("row", &row)])),
                },
            };
            let Ok(nights) = nights.parse::<i64>() else {
                return Err(text::fill("web", "hotel_row_nights", &[("row", &row)]));
            };
            out.push(TourHotelLink { hotel_id, room_id, nights });
        }
        Ok(out)
    }
}

/// Hotel id → its room ids: what the form may link (those on offer, plus what the tour
/// already links, which stays allowed after it is archived).
pub type HotelChoices = HashMap<HotelId, Vec<RoomId>>;

pub fn choices(offered: &[LinkableHotel], card: Option<&TourCard>) -> HotelChoices {
    let mut out: HotelChoices = offered.iter().map(|h| (h.hotel.id, h.rooms.iter().map(|r| r.id).collect())).collect();
    for linked in card.map(|c| c.hotels.as_slice()).unwrap_or_default() {
        let rooms = out.entry(linked.hotel_id).or_default();
        if let Some(r) = linked.room_id.filter(|r| !rooms.contains(r)) {
            rooms.push(r);
        }
    }
    out
}

/// `1: Стамбул — обзорная экскурсия` (the description after a dash is optional; «День 1:»
/// and `1.` are accepted too). Every bad line is named with its number.
pub fn parse_route(text: &str) -> Result<Vec<RoutePoint>, Vec<String>> {
    let mut points = Vec::new();
    let mut bad = Vec::new();
    let mut last_day = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        match parse_route_line(line) {
            Ok(p) if p.day_number < last_day => bad.push(text::fill(
                "web",
                "route_day_order",
                &[("row", &(i + 1)), ("day", &p.day_number), ("previous", &last_day)],
            )),
            Ok(p) => {
                last_day = p.day_number;
                points.push(p);
            }
            Err(why) => bad.push(text::fill("web", "route_row", &[("row", &(i + 1)), ("reason", &why)])),
        }
    }
    if bad.is_empty() { Ok(points) } else { Err(bad) }
}

fn parse_route_line(line: &str) -> Result<RoutePoint, &'static str> {
    let lower = line.to_lowercase();
    let rest = if lower.starts_with("день") { line["день".len()..].trim_start() } else { line };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let shape = text::get("web", "route_shape");
    let day: i64 = rest[..digits].parse().map_err(|_| shape)?;
    let rest = rest[digits..].trim_start();
    let text = rest.strip_prefix([':', '.', ')']).ok_or(shape)?.trim();
    if !(1..=MAX_ROUTE_DAY).contains(&day) {
        return Err(text::get("web", "route_day_range"));
    }
    let (place, description) = match text.split_once(" — ").or_else(|| text.split_once(" - ")) {
        Some((p, d)) => (p.trim(), d.trim()),
        None => (text, ""),
    };
    if place.is_empty() {
        return Err(text::get("web", "route_place_missing"));
    }
    if place.chars().count() > 200 || description.chars().count() > 2000 {
        return Err(text::get("web", "route_too_long"));
    }
    Ok(RoutePoint { day_number: day, place: place.to_owned(), description: description.to_owned() })
}

fn route_line(p: &RoutePoint) -> String {
    if p.description.is_empty() {
        format!("{}: {}", p.day_number, p.place)
    } else {
        format!("{}: {} — {}", p.day_number, p.place, p.description)
    }
}

/// Both dates or neither.
fn parse_period(from: &str, until: &str) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, String> {
    match (from.trim(), until.trim()) {
        ("", "") => Ok(None),
        ("", _) | (_, "") => Err(text::get("web", "period_half").into()),
        (f, u) => {
            let day = |s| parse_ru_date(s).map_err(|e: Invalid| e.message_ru().to_owned());
            Ok(Some((day(f)?, day(u)?)))
        }
    }
}

fn period_text(p: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> (String, String) {
    p.map(|(f, u)| (crate::views::day(f), crate::views::day(u))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_lines_parse_and_every_bad_line_is_named() {
        let ok =
            parse_route("1: Прилёт, трансфер\n\nДень 2. Стамбул — обзорная экскурсия\n2) Вечер на Босфоре").unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!((ok[0].day_number, ok[0].place.as_str(), ok[0].description.as_str()), (1, "Прилёт, трансфер", ""));
        assert_eq!((ok[1].day_number, ok[1].place.as_str()), (2, "Стамбул"));
        assert_eq!(ok[1].description, "обзорная экскурсия");
        let bad = parse_route("Прилёт\n3: Анталья\n2: Кемер\n0: Дом\n4:   \n400: Луна").unwrap_err();
        assert_eq!(bad.len(), 5, "{bad:?}");
        assert!(bad[0].starts_with("Строка 1: начните с номера дня"));
        assert!(bad[1].starts_with("Строка 3: день 2 после дня 3"));
        assert!(bad[2].starts_with("Строка 4: номер дня"));
        assert!(bad[3].starts_with("Строка 5: после номера дня"));
        assert!(bad[4].starts_with("Строка 6: номер дня"));
    }

    #[test]
    fn a_stored_route_reads_back_the_same() {
        let text = "1: Прилёт\n2: Стамбул — обзорная экскурсия";
        let lines: Vec<String> = parse_route(text).unwrap().iter().map(route_line).collect();
        assert_eq!(lines.join("\n"), text);
    }

    #[test]
    fn hotel_rows_are_matched_by_position_and_checked_against_the_offer() {
        let pairs = [("hotel_id", "7"), ("room_id", "70"), ("nights", "7"), ("hotel_id", ""), ("room_id", "")];
        let mut f = TourForm::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(f.hotels.len(), 2, "a row missing its last field still counts");
        let choices = HotelChoices::from([(HotelId(7), vec![RoomId(70)]), (HotelId(8), vec![RoomId(80)])]);
        let linked = vec![TourHotelLink { hotel_id: HotelId(7), room_id: Some(RoomId(70)), nights: 7 }];
        assert_eq!(f.parse_hotels(&choices).unwrap(), linked);
        f.hotels[0].room_id = "80".into();
        assert!(f.parse_hotels(&choices).unwrap_err().contains("не из выбранного отеля"));
        f.hotels[0].hotel_id = "9".into();
        assert!(f.parse_hotels(&choices).unwrap_err().contains("из списка"));
    }

    #[test]
    fn amounts_read_back_as_typed() {
        assert_eq!(Money::new(1_500_000, Currency::RUB).as_typed(), "15000");
        assert_eq!(Money::new(1_500_050, Currency::RUB).as_typed(), "15000,50");
    }
}
