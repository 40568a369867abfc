//! What the tour card's per-person prices cost (`Crm::tour_offer`): a package with two
//! hotels of 7 nights each whose default rooms take 4 people (so 4 party sizes are priced per
//! departure, night by night, as a booking is) and 6 departures. The bot's catalog page asks this
//! for each of its 5 tours, the card for its one. Prints the timings; asserts nothing.
//!
//! `cargo bench --bench card_prices` (`BENCH_DATABASE_URL` for PostgreSQL, else a temporary
//! SQLite file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use crm::Actor;
use crm::domain::{Currency, MealPlan, Money, Role, TourKind, TourService};
use crm::services::{HotelInput, NewStaffInput, RoomInput, SeasonInput, TourHotelLink, TourInput};
use std::sync::Arc;
use std::time::Instant;
use testkit::{FixedClock, t0};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = crm::store::Store::open(&url).await.unwrap();
    let key = crm::crypto::MasterKey::from_base64(&crm::crypto::MasterKey::generate_base64()).unwrap();
    let crm = crm::Crm::new(store, key, Arc::new(FixedClock::new(t0()))).await.unwrap();
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "oleg", name: "Орлов Олег", role: Role::Operator })
        .await
        .unwrap();
    let operator = Actor::staff(op.staff.id, Role::Operator);
    let rub = |roubles: i64| Money::new(roubles * 100, Currency::RUB);
    let mut links = Vec::new();
    for (name, city) in [("Rixos Sungate", "Кемер"), ("Titanic Deluxe", "Белек")] {
        let hotel = HotelInput {
            name: name.into(),
            country: "Турция".into(),
            city: city.into(),
            address: "Atatürk Cd. 1".into(),
            stars: None,
            description: String::new(),
        };
        let h = crm.create_hotel(&operator, hotel).await.unwrap();
        let room =
            RoomInput { room_type: "Family".into(), capacity: 4, meal_plan: MealPlan::AI, description: "".into() };
        let r = crm.add_room(&operator, h.id, room).await.unwrap();
        let (from, until) = (crm.today(), crm.today() + Duration::days(365));
        let season = SeasonInput { starts_on: from, ends_on: until, price_per_night: rub(12_000) };
        crm.add_season(&operator, r.id, season).await.unwrap();
        links.push(TourHotelLink { hotel_id: h.id, room_id: Some(r.id), nights: 7 });
    }
    let input = TourInput {
        kind: TourKind::Package,
        title: "Турция: Кемер и Белек".into(),
        description: String::new(),
        country: "Турция".into(),
        region: "Анталья".into(),
        departure_city: "Москва".into(),
        price: rub(40_000),
        route: vec![],
        services: vec![(TourService::Accommodation, true)],
        hotels: links,
        hot: None,
        early_booking: None,
    };
    let tour = crm.create_tour(&operator, input).await.unwrap().tour.id;
    for weeks in 2..8 {
        let start = crm.today() + Duration::weeks(weeks);
        crm.add_departure(&operator, tour, start, start + Duration::days(14), 30).await.unwrap();
    }
    crm.publish_tour(&operator, tour).await.unwrap();

    let client = Actor::System;
    crm.tour_offer(&client, tour).await.unwrap();
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let prices = crm.tour_offer(&client, tour).await.unwrap().prices;
        times.push(t.elapsed());
        assert_eq!(prices.len(), 6);
    }
    times.sort();
    println!(
        "card_prices ({}): 6 departures × 4 party sizes × 14 nights: median {:?}, max {:?}",
        crm.database_backend(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
