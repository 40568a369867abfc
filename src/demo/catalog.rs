//! The demo's catalog: partner hotels (managers, rooms, two seasons, cancellation terms,
//! agreements, correspondence) and the tours built on them, entered by the demo operators.

use super::data::{self, State, TourSeed};
use super::hotels::{self, HotelSeed};
use super::{Cast, Prng, Summary};
use chrono::{Duration, NaiveDate};
use crm::domain::{
    CancellationRule, CancellationTerms, Currency, DepartureId, Direction, Email, HotelId, InteractionKind, IntlPhone,
    MealPlan, Money, PenaltyKind, RoomId, Stars, TourId, TourKind,
};
use crm::services::{
    AgreementInput, CorrespondenceInput, HotelInput, ManagerInput, RoomInput, RoutePoint, SeasonInput, TourHotelLink,
    TourInput,
};
use crm::{Actor, Crm, Error};

/// The first season starts a month ago and runs this many days from today; the second one
/// follows it and lasts past a year, so every departure of the demo has a price for each night.
const FIRST_SEASON_DAYS: i64 = 150;
const SECOND_SEASON_DAYS: i64 = 400;

pub(crate) struct HotelMade {
    pub key: &'static str,
    pub id: HotelId,
    /// Room id and capacity, in the order of the seed.
    pub rooms: Vec<(RoomId, i64)>,
}

/// A departure of a published tour that the sales part may book.
pub(crate) struct Sellable {
    pub departure: DepartureId,
    pub starts_on: NaiveDate,
    pub tour: TourId,
    pub operator: Actor,
    pub package: bool,
    /// A bigger room of the package's hotel, for families who choose their rooms.
    pub family_room: Option<(RoomId, i64)>,
}

pub(crate) struct Made {
    pub sellable: Vec<Sellable>,
}

fn rub(roubles: i64) -> Money {
    Money::new(roubles * 100, Currency::RUB)
}

pub(crate) async fn build(crm: &Crm, cast: &Cast, rng: &mut Prng, summary: &mut Summary) -> crm::Result<Made> {
    let mut made = Vec::new();
    for (i, seed) in hotels::HOTELS.iter().enumerate() {
        let op = &cast.operators[i % cast.operators.len()];
        made.push(hotel(crm, op, seed, i < 3, summary).await?);
    }
    let mut sellable = Vec::new();
    for (i, seed) in data::TOURS.iter().enumerate() {
        let op = &cast.operators[i % cast.operators.len()];
        tour(crm, op, seed, &made, rng, summary, &mut sellable).await?;
    }
    Ok(Made { sellable })
}

async fn hotel(
    crm: &Crm,
    op: &Actor,
    s: &HotelSeed,
    old_agreement: bool,
    summary: &mut Summary,
) -> crm::Result<HotelMade> {
    let today = crm.today();
    let input = HotelInput {
        name: s.name.into(),
        country: s.country.into(),
        city: s.city.into(),
        address: s.address.into(),
        stars: Some(Stars::new(s.stars)?),
        description: s.description.into(),
    };
    let h = crm.create_hotel(op, input).await?;
    let (name, position, phone, email, telegram) = s.manager;
    let manager = ManagerInput {
        name: name.into(),
        position: position.into(),
        phone: Some(IntlPhone::parse(phone)?),
        email: Some(Email::parse(email)?),
        telegram: telegram.map(str::to_owned),
    };
    crm.add_manager(op, h.id, manager).await?;
    let mut rooms = Vec::new();
    for r in s.rooms {
        let input = RoomInput {
            room_type: r.room_type.into(),
            capacity: r.capacity,
            meal_plan: MealPlan::parse(r.meal_plan)?,
            description: String::new(),
        };
        let room = crm.add_room(op, h.id, input).await?;
        let first_end = today + Duration::days(FIRST_SEASON_DAYS);
        let first = SeasonInput {
            starts_on: today - Duration::days(30),
            ends_on: first_end,
            price_per_night: rub(r.first_rub),
        };
        crm.add_season(op, room.id, first).await?;
        let second = SeasonInput {
            starts_on: first_end + Duration::days(1),
            ends_on: today + Duration::days(SECOND_SEASON_DAYS),
            price_per_night: rub(r.second_rub),
        };
        crm.add_season(op, room.id, second).await?;
        rooms.push((room.id, room.capacity));
        summary.rooms += 1;
    }
    let rules = s
        .rules
        .iter()
        .map(|&(min_days, max_days, bp)| CancellationRule { min_days, max_days, penalty: PenaltyKind::Percent(bp) })
        .collect();
    crm.set_cancellation_terms(op, h.id, CancellationTerms::new(s.free_days, rules)?).await?;
    if old_agreement {
        // Last year's terms stay on file beside the new ones: agreements are versioned.
        let old = AgreementInput {
            agreed_on: today - Duration::days(400),
            commission_bp: Some(s.commission_bp - 200),
            allotment: Some(s.allotment / 2),
            special_prices: String::new(),
            terms: s.terms.into(),
        };
        crm.record_agreement(op, h.id, old).await?;
    }
    let agreement = AgreementInput {
        agreed_on: today - Duration::days(45),
        commission_bp: Some(s.commission_bp),
        allotment: Some(s.allotment),
        special_prices: s.special_prices.into(),
        terms: s.terms.into(),
    };
    crm.record_agreement(op, h.id, agreement).await?;
    for &(kind, incoming, body, days_ago) in s.letters {
        let when = crm.now() - Duration::days(days_ago) - Duration::hours(days_ago % 7 + 1);
        let direction = if incoming { Direction::In } else { Direction::Out };
        let letter = CorrespondenceInput {
            kind: InteractionKind::parse(kind)?,
            direction,
            subject: String::new(),
            body: body.into(),
            occurred_at: Some(when),
            manager_id: None,
        };
        crm.log_hotel_correspondence(op, h.id, letter).await?;
    }
    summary.hotels += 1;
    Ok(HotelMade { key: s.key, id: h.id, rooms })
}

fn find<'a>(hotels: &'a [HotelMade], key: &str) -> crm::Result<&'a HotelMade> {
    hotels.iter().find(|h| h.key == key).ok_or(Error::NotFound("demo hotel"))
}

async fn tour(
    crm: &Crm,
    op: &Actor,
    s: &TourSeed,
    hotels: &[HotelMade],
    rng: &mut Prng,
    summary: &mut Summary,
    sellable: &mut Vec<Sellable>,
) -> crm::Result<()> {
    let today = crm.today();
    let last = s.route.len().saturating_sub(1);
    let route = s
        .route
        .iter()
        .enumerate()
        .map(|(i, &(place, what))| RoutePoint {
            // A beach package has three points: arrival, the stay, and the flight home on the last day.
            day_number: if s.package && i == last { s.days } else { i64::try_from(i).unwrap_or(0) + 1 },
            place: place.into(),
            description: what.into(),
        })
        .collect();
    let mut links = Vec::new();
    for &(key, room, nights) in s.hotels {
        let h = find(hotels, key)?;
        let room_id = room.and_then(|r| h.rooms.get(r)).map(|r| r.0);
        links.push(TourHotelLink { hotel_id: h.id, room_id, nights });
    }
    let services = s.included.iter().map(|&sv| (sv, true)).chain(s.excluded.iter().map(|&sv| (sv, false))).collect();
    let input = TourInput {
        kind: if s.package { TourKind::Package } else { TourKind::Excursion },
        title: s.title.into(),
        description: s.description.into(),
        country: s.country.into(),
        region: s.region.into(),
        departure_city: s.departure_city.into(),
        price: rub(s.price_rub),
        route,
        services,
        hotels: links,
        hot: s.hot.then(|| (today, today + Duration::days(14))),
        early_booking: s.early.then(|| (today, today + Duration::days(60))),
    };
    let card = crm.create_tour(op, input).await?;
    let mut departures = Vec::new();
    for &offset in s.starts {
        let start = today + Duration::days(offset + rng.range(0, 2));
        let d = crm.add_departure(op, card.tour.id, start, start + Duration::days(s.days - 1), s.seats).await?;
        departures.push(d);
        summary.departures += 1;
    }
    match s.state {
        State::Draft => summary.tours_draft += 1,
        State::Archived => {
            crm.publish_tour(op, card.tour.id).await?;
            crm.archive_tour(op, card.tour.id).await?;
            summary.tours_archived += 1;
        }
        State::Published => {
            crm.publish_tour(op, card.tour.id).await?;
            summary.tours_published += 1;
            let family_room = match (s.package, s.hotels.first()) {
                (true, Some(&(key, room, _))) => {
                    let h = find(hotels, key)?;
                    let default = room.and_then(|r| h.rooms.get(r)).map(|r| r.0);
                    h.rooms.iter().filter(|r| Some(r.0) != default).max_by_key(|r| r.1).copied()
                }
                _ => None,
            };
            for d in departures {
                sellable.push(Sellable {
                    departure: d.id,
                    starts_on: d.starts_on,
                    tour: card.tour.id,
                    operator: *op,
                    package: s.package,
                    family_room,
                });
            }
        }
    }
    Ok(())
}
