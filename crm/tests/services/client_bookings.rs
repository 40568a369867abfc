//! The client's side of a booking: the price the tour card shows is the price booked, the
//! breakdown before booking, bookings and their moves in the client's history (in the move's
//! own transaction), the client asking to cancel, and who hears of it.

// Sums are kopecks written as `roubles_kopecks` (40_000_00 = 40 000 ₽).
#![allow(clippy::inconsistent_digit_grouping)]

use crate::each_backend;
use crate::helpers::TestApp;
use crate::hotels::{d, hotel_input, room_input, rub, season};
use crate::sales::{excursion, request};
use crm::domain::{
    BookingStatus, Direction, InteractionKind, Invalid, Money, OperationKind, PaymentMethod, Role, TourKind,
};
use crm::services::{PaymentInput, TourHotelLink, TourInput};
use crm::{Actor, Error};

/// A package: 40 000 ₽ a person plus a Standard room (2 places) at 10 000 ₽ a night, 7 nights,
/// departing 6 January (a season until 31 March) and 5 April (no room price entered yet).
async fn package(app: &TestApp, operator: &Actor) -> (crm::domain::TourId, crm::domain::DepartureId) {
    let crm = &app.crm;
    let h = crm.create_hotel(operator, hotel_input("Rixos Sungate", "Турция", "Кемер")).await.unwrap();
    let standard = crm.add_room(operator, h.id, room_input("Standard", 2)).await.unwrap().id;
    crm.add_season(operator, standard, season(d(2026, 12, 1), d(2027, 3, 31), 10_000_00)).await.unwrap();
    let input = TourInput {
        kind: TourKind::Package,
        price: rub(40_000_00),
        hotels: vec![TourHotelLink { hotel_id: h.id, room_id: Some(standard), nights: 7 }],
        ..excursion("Турция, Кемер: всё включено", 0)
    };
    let tour = crm.create_tour(operator, input).await.unwrap().tour.id;
    let dep = crm.add_departure(operator, tour, d(2027, 1, 6), d(2027, 1, 13), 30).await.unwrap();
    crm.add_departure(operator, tour, d(2027, 4, 5), d(2027, 4, 12), 30).await.unwrap();
    crm.publish_tour(operator, tour).await.unwrap();
    (tour, dep.id)
}

each_backend!(the_price_on_the_card_is_the_price_booked, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let (tour, dep) = package(&app, &operator).await;
    let me = Actor::Client(client.id);

    // The card: one person pays 40 000 ₽ and half the room (70 000 ₽ for two) — «от» 75 000 ₽,
    // as one alone pays 110 000 ₽. The April departure has no room price: not offered.
    let prices = app.crm.tour_offer(&me, tour).await.unwrap().prices;
    assert_eq!(prices.len(), 1, "{prices:?}");
    let card = prices[0];
    assert_eq!((card.departure_id, card.per_person, card.travellers, card.varies), (dep, rub(75_000_00), 2, true));
    // A broadcast about the tour says the same «от», the hotel included.
    let hot = crm::notify::BroadcastKind::HotTour;
    let text = app.crm.preview_broadcast(&operator, hot, hot.default_template(), Some(tour)).await.unwrap();
    assert!(text.contains(&format!("Цена от {} за человека", rub(75_000_00))), "{text}");

    // The breakdown before booking, by the same path, and the booking made from the card's numbers.
    let quote = app.crm.quote_booking(&me, &request(&client, dep, card.travellers)).await.unwrap();
    assert_eq!(quote.per_person, rub(40_000_00));
    assert_eq!(quote.rooms_total, rub(70_000_00));
    assert_eq!(quote.total.minor, card.per_person.minor * card.travellers);
    let schedule: i64 = quote.schedule.iter().map(|i| i.amount.minor).sum();
    assert_eq!(schedule, quote.total.minor, "the schedule adds up to the total");
    let booked = app.crm.create_booking(&me, request(&client, dep, card.travellers)).await.unwrap();
    assert_eq!(booked.booking.total.minor, card.per_person.minor * card.travellers, "the card's price, booked");
    assert_eq!(booked.booking.total, quote.total);
    assert_eq!(booked.schedule, quote.schedule);
    // One traveller pays the whole room: what the quote said.
    let alone = app.crm.quote_booking(&me, &request(&client, dep, 1)).await.unwrap();
    assert_eq!(alone.total, rub(110_000_00));

    // A quote is refused like the booking: no price for a night, too many travellers; and it
    // takes no seats.
    let april = app.crm.tour_card(&me, tour).await.unwrap().departures.into_iter().find(|x| x.id != dep).unwrap();
    let no_price = app.crm.quote_booking(&me, &request(&client, april.id, 2)).await;
    assert!(matches!(no_price, Err(Error::Invalid(Invalid::NoPriceForDate))), "{no_price:?}");
    let too_many = app.crm.quote_booking(&me, &request(&client, dep, 31)).await;
    assert!(matches!(too_many, Err(Error::Invalid(Invalid::TravellersCount))), "{too_many:?}");
    let seats = app.crm.tour_card(&me, tour).await.unwrap().departures.into_iter().find(|x| x.id == dep).unwrap();
    assert_eq!(seats.seats_booked, 2, "only the booking took seats");

    // An excursion without rooms: the tour's own price, the same for everyone.
    let (excursion, _) = app.published_tour(&operator, 10).await;
    let prices = app.crm.tour_offer(&me, excursion).await.unwrap().prices;
    assert_eq!((prices[0].per_person, prices[0].varies), (rub(50_000_00), false));
});

each_backend!(bookings_and_their_moves_are_in_the_clients_history, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&agent, request(&client, dep, 2)).await.unwrap().booking.id;
    let history = || async {
        let all = app.crm.client_history(&agent, client.id, 100).await.unwrap();
        all.into_iter().filter(|i| i.kind == InteractionKind::Booking).collect::<Vec<_>>()
    };
    let h = history().await;
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].booking_id, Some(b));
    assert!(h[0].body.starts_with(&format!("Бронь №{b}: Алтай: золотые горы,")), "{}", h[0].body);
    assert!(h[0].body.contains("статус «заключение договора»") || h[0].body.contains("Статус «заключение договора»"));

    // A refused move writes nothing; a manual one and a payment's each write their entry.
    let illegal = app.crm.change_booking_status(&agent, b, BookingStatus::Paid, "оплатили").await;
    assert!(illegal.is_err());
    assert_eq!(history().await.len(), 1);
    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();
    let pay = PaymentInput {
        booking_id: b,
        amount: Money::new(10_000_00, crm::domain::Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&agent, pay.clone()).await.unwrap();
    // A payment refused (more than is due) moves nothing and writes nothing.
    let over = PaymentInput { amount: Money::new(1_000_000_00, crm::domain::Currency::RUB), ..pay };
    assert!(app.crm.record_client_payment(&agent, over).await.is_err());

    // The client asks to cancel: their own request, in their words.
    let me = Actor::Client(client.id);
    app.crm.change_booking_status(&me, b, BookingStatus::CancellationRequested, "  заболел   ребёнок ").await.unwrap();
    // The client cannot cancel it themself, nor ask for another's booking.
    let cancel = app.crm.change_booking_status(&me, b, BookingStatus::Cancelled, "сам").await;
    assert!(matches!(cancel, Err(Error::Forbidden(_))), "{cancel:?}");
    let other = app.client("+79123450000", Some(&agent)).await;
    let b2 = app.crm.create_booking(&agent, request(&other, dep, 1)).await.unwrap().booking.id;
    let foreign = app.crm.change_booking_status(&me, b2, BookingStatus::CancellationRequested, "чужая").await;
    assert!(matches!(foreign, Err(Error::Forbidden(_))), "{foreign:?}");

    let h = history().await;
    let bodies: Vec<&str> = h.iter().rev().map(|i| i.body.as_str()).collect();
    assert_eq!(bodies.len(), 4, "{bodies:#?}");
    assert_eq!(bodies[1], format!("Бронь №{b}: «заключение договора» → «договор подписан» (подписан в офисе)."));
    assert_eq!(bodies[2], format!("Бронь №{b}: «договор подписан» → «частичная оплата» (оплата)."));
    assert_eq!(bodies[3], format!("Бронь №{b}: «частичная оплата» → «запрос отмены бронирования» (заболел ребёнок)."));
    assert!(h.iter().all(|i| i.booking_id == Some(b) && i.client_id == Some(client.id)));
    let request = &h[0];
    assert_eq!((request.direction, request.author.clone()), (Direction::In, format!("client:{}", client.id)));
    assert_eq!(h[1].direction, Direction::None, "the payment's move is the agency's record");
    let paid = app.crm.booking_balance(&agent, b).await.unwrap().0;
    assert_eq!(paid.minor, 10_000_00);
    let ops = app.crm.list_operations(&agent, Default::default()).await.unwrap();
    assert_eq!(ops.iter().filter(|o| o.kind == OperationKind::ClientPayment).count(), 1);
});

each_backend!(a_clients_request_reaches_the_agent_or_everyone_on_duty, |app| {
    let admin = app.add_staff("boss", Role::Admin).await;
    let agent = app.add_staff("anna", Role::Agent).await;
    let other = app.add_staff("olga", Role::Agent).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let boss = Actor::staff(admin.staff.id, Role::Admin);
    let anna = Actor::staff(agent.staff.id, Role::Agent);
    let client = app.client("+79123456789", Some(&anna)).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&anna, request(&client, dep, 1)).await.unwrap().booking.id;
    let me = Actor::Client(client.id);

    // Nobody in Telegram yet: nobody to tell there (the request is in the panel's list).
    let l = app.crm.booking_listeners(&me, b).await.unwrap();
    assert!(l.agent.is_none() && l.duty.is_empty(), "{l:?}");
    // Colleagues bind Telegram: they are on duty while the agent is not reachable.
    app.crm.redeem_invite(&Actor::Telegram(701), &admin.invite_token, None).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(703), &other.invite_token, None).await.unwrap();
    let l = app.crm.booking_listeners(&me, b).await.unwrap();
    assert!(l.agent.is_none());
    let mut duty: Vec<i64> = l.duty.iter().filter_map(|s| s.telegram_id).collect();
    duty.sort();
    assert_eq!(duty, [701, 703]);
    // The agent binds Telegram: theirs first, the others as a fallback.
    app.crm.redeem_invite(&Actor::Telegram(702), &agent.invite_token, None).await.unwrap();
    let l = app.crm.booking_listeners(&me, b).await.unwrap();
    assert_eq!(l.agent.as_ref().and_then(|a| a.telegram_id), Some(702));
    assert!(l.duty.iter().all(|s| s.id != agent.staff.id));
    // A disabled colleague is on duty no more.
    app.crm.set_staff_active(&boss, other.staff.id, false).await.unwrap();
    let l = app.crm.booking_listeners(&me, b).await.unwrap();
    assert_eq!(l.duty.iter().filter_map(|s| s.telegram_id).collect::<Vec<_>>(), [701]);
    // Another client may not ask who hears of this booking.
    let stranger = app.client("+79123450000", None).await;
    let refused = app.crm.booking_listeners(&Actor::Client(stranger.id), b).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
});
