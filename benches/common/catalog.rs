//! A published tour for the benchmarks: an operator's excursion from Moscow with departures
//! 2, 4 and 6 weeks ahead (so broadcasts have a tour and birthday offers something to offer).

#![allow(dead_code)]

use chrono::Duration;
use crm::Actor;
use crm::domain::{Currency, Money, Role, TourId, TourKind, TourService};
use crm::services::{NewStaffInput, TourInput};

pub async fn published_tour(crm: &crm::Crm) -> TourId {
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "oleg", name: "Орлов Олег", role: Role::Operator })
        .await
        .unwrap();
    let operator = Actor::staff(op.staff.id, Role::Operator);
    let input = TourInput {
        kind: TourKind::Excursion,
        title: "Алтай: золотые горы".into(),
        description: "Авторский тур с гидом".into(),
        country: "Россия".into(),
        region: "Алтай".into(),
        departure_city: "Москва".into(),
        price: Money::new(5_000_000, Currency::RUB),
        route: vec![],
        services: vec![(TourService::Guide, true)],
        hotels: vec![],
        hot: None,
        early_booking: None,
    };
    let card = crm.create_tour(&operator, input).await.unwrap();
    for weeks in [2, 4, 6] {
        let start = crm.today() + Duration::weeks(weeks);
        crm.add_departure(&operator, card.tour.id, start, start + Duration::days(6), 30).await.unwrap();
    }
    crm.publish_tour(&operator, card.tour.id).await.unwrap();
    card.tour.id
}
