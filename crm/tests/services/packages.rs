//! Package tours (flight + hotel): each night priced by its own season, default and chosen
//! rooms, the refusals of pricing, the hotel penalty and the refund at cancellation by the days
//! left, and booked prices that later tour and room changes do not rewrite.

// Sums are kopecks written as `roubles_kopecks` (40_000_00 = 40 000 ₽), which clippy calls
// inconsistent grouping.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::each_backend;
use crate::helpers::{TestApp, t0};
use crate::hotels::{d, hotel_input, room_input, rub, rule, season};
use crate::sales::excursion;
use chrono::{NaiveDate, TimeZone, Utc};
use crm::domain::{
    BookingId, BookingStatus, CancellationTerms, ClientId, Currency, DepartureId, HotelId, Invalid, Money,
    OperationKind, PaymentMethod, PenaltyKind, Role, RoomId, TourId, TourKind,
};
use crm::services::{
    BookingCard, BookingRequest, OperationFilter, OperationInput, PaymentInput, RoomChoice, SeasonInput, TourHotelLink,
    TourInput,
};
use crm::{Actor, Error};

/// Standard (2 places) costs 10 000 ₽ a night until 9 January and 15 000 ₽ from the 10th;
/// Family (4 places) 25 000 ₽ all winter. Free cancellation until 21 days before arrival,
/// 30 % from 20 to 7 days, the whole room from 6 days on.
struct Package {
    operator: Actor,
    agent: Actor,
    hotel: HotelId,
    standard: RoomId,
    family: RoomId,
    tour: TourId,
    /// Arrives 6 January for 7 nights: 4 nights at 10 000 ₽ and 3 at 15 000 ₽.
    departure: DepartureId,
}

const PER_PERSON: i64 = 40_000_00;
/// One Standard room for the stay of [`Package::departure`].
const STANDARD_STAY: i64 = 4 * 10_000_00 + 3 * 15_000_00;
const FAMILY_STAY: i64 = 7 * 25_000_00;

fn package_input(hotel: HotelId, room: Option<RoomId>, nights: i64) -> TourInput {
    TourInput {
        kind: TourKind::Package,
        price: rub(PER_PERSON),
        hotels: vec![TourHotelLink { hotel_id: hotel, room_id: room, nights }],
        ..excursion("Турция, Кемер: всё включено", 0)
    }
}

async fn package(app: &TestApp) -> Package {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let crm = &app.crm;
    let h = crm.create_hotel(&operator, hotel_input("Rixos Sungate", "Турция", "Кемер")).await.unwrap();
    let standard = crm.add_room(&operator, h.id, room_input("Standard", 2)).await.unwrap().id;
    let family = crm.add_room(&operator, h.id, room_input("Family", 4)).await.unwrap().id;
    crm.add_season(&operator, standard, season(d(2026, 12, 1), d(2027, 1, 9), 10_000_00)).await.unwrap();
    crm.add_season(&operator, standard, season(d(2027, 1, 10), d(2027, 3, 31), 15_000_00)).await.unwrap();
    crm.add_season(&operator, family, season(d(2026, 12, 1), d(2027, 3, 31), 25_000_00)).await.unwrap();
    let terms = CancellationTerms {
        free_days: 21,
        rules: vec![rule(0, 6, PenaltyKind::Percent(10_000)), rule(7, 20, PenaltyKind::Percent(3_000))],
    };
    crm.set_cancellation_terms(&operator, h.id, terms).await.unwrap();
    let tour = crm.create_tour(&operator, package_input(h.id, Some(standard), 7)).await.unwrap().tour.id;
    let dep = crm.add_departure(&operator, tour, d(2027, 1, 6), d(2027, 1, 13), 30).await.unwrap();
    crm.publish_tour(&operator, tour).await.unwrap();
    Package { operator, agent, hotel: h.id, standard, family, tour, departure: dep.id }
}

impl Package {
    async fn client(&self, app: &TestApp, phone: &str) -> ClientId {
        app.client(phone, Some(&self.agent)).await.id
    }

    async fn book(
        &self,
        app: &TestApp,
        client: ClientId,
        travellers: i64,
        rooms: Vec<RoomChoice>,
    ) -> crm::Result<BookingCard> {
        let req = BookingRequest {
            client_id: client,
            departure_id: self.departure,
            travellers_count: travellers,
            client_travels: true,
            companions: vec![],
            rooms,
            notes: String::new(),
            request_key: None,
        };
        app.crm.create_booking(&self.agent, req).await
    }

    async fn pay(&self, app: &TestApp, b: BookingId, minor: i64) {
        app.crm.change_booking_status(&self.agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
        let p = PaymentInput {
            booking_id: b,
            amount: rub(minor),
            method: PaymentMethod::Cash,
            external_id: None,
            note: String::new(),
        };
        app.crm.record_client_payment(&self.agent, p).await.unwrap();
    }

    async fn cancel(&self, app: &TestApp, b: BookingId) -> BookingCard {
        let crm = &app.crm;
        crm.change_booking_status(&self.agent, b, BookingStatus::CancellationRequested, "клиент передумал")
            .await
            .unwrap();
        crm.change_booking_status(&self.agent, b, BookingStatus::Cancelled, "отмена подтверждена").await.unwrap()
    }
}

fn invalid<T: std::fmt::Debug>(r: crm::Result<T>) -> Invalid {
    match r {
        Err(Error::Invalid(i)) => i,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn choice(room_id: RoomId, rooms: i64) -> Vec<RoomChoice> {
    vec![RoomChoice { room_id, rooms }]
}

each_backend!(each_night_is_priced_by_its_own_season_and_default_rooms_fit_everyone, |app| {
    let p = package(&app).await;
    let c = p.client(&app, "+79120000001").await;

    let one = p.book(&app, c, 1, vec![]).await.unwrap();
    assert_eq!(one.rooms.len(), 1);
    let r = &one.rooms[0];
    assert_eq!((r.room_id, r.rooms, r.nights, r.check_in), (p.standard, 1, 7, d(2027, 1, 6)));
    assert_eq!(r.total.minor, STANDARD_STAY, "4 nights of the first season, 3 of the second");
    assert_eq!(r.price_per_night.minor, 10_000_00, "the first night's price");
    assert_eq!(one.booking.rooms_total.minor, STANDARD_STAY);
    assert_eq!(one.booking.tour_price_per_person.minor, PER_PERSON);
    assert_eq!(one.booking.total.minor, PER_PERSON + STANDARD_STAY);

    // Three travellers in rooms for two: ceil(3 / 2) = 2 rooms.
    let three = p.book(&app, c, 3, vec![]).await.unwrap();
    assert_eq!(three.rooms[0].rooms, 2);
    assert_eq!(three.booking.rooms_total.minor, 2 * STANDARD_STAY);
    assert_eq!(three.booking.total.minor, 3 * PER_PERSON + 2 * STANDARD_STAY);
    let four = p.book(&app, c, 4, vec![]).await.unwrap();
    assert_eq!(four.rooms[0].rooms, 2, "four fit exactly in two rooms");
    assert_eq!(four.schedule.iter().map(|i| i.amount.minor).sum::<i64>(), four.booking.total.minor);
});

each_backend!(chosen_rooms_are_priced_and_checked, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let c = p.client(&app, "+79120000001").await;

    let family = p.book(&app, c, 3, choice(p.family, 1)).await.unwrap();
    assert_eq!((family.rooms.len(), family.rooms[0].room_id, family.rooms[0].rooms), (1, p.family, 1));
    assert_eq!(family.booking.total.minor, 3 * PER_PERSON + FAMILY_STAY);

    let both = vec![RoomChoice { room_id: p.standard, rooms: 1 }, RoomChoice { room_id: p.family, rooms: 1 }];
    let mixed = p.book(&app, c, 6, both).await.unwrap();
    assert_eq!(mixed.booking.rooms_total.minor, STANDARD_STAY + FAMILY_STAY);
    assert_eq!(mixed.booking.total.minor, 6 * PER_PERSON + STANDARD_STAY + FAMILY_STAY);

    let seats = |app: &TestApp| {
        let crm = app.crm.clone();
        let tour = p.tour;
        async move { crm.tour_card(&Actor::System, tour).await.unwrap().departures[0].seats_booked }
    };
    let booked = seats(&app).await;
    assert_eq!(invalid(p.book(&app, c, 3, choice(p.standard, 1)).await), Invalid::RoomsTooSmall);
    assert_eq!(invalid(p.book(&app, c, 5, choice(p.family, 1)).await), Invalid::RoomsTooSmall);
    assert_eq!(seats(&app).await, booked, "a refused booking takes no seats");

    // A room of a hotel the tour does not include.
    let other = crm.create_hotel(&p.operator, hotel_input("Delphin Imperial", "Турция", "Анталья")).await.unwrap();
    let foreign = crm.add_room(&p.operator, other.id, room_input("Standard", 2)).await.unwrap();
    crm.add_season(&p.operator, foreign.id, season(d(2026, 12, 1), d(2027, 3, 31), 9_000_00)).await.unwrap();
    assert_eq!(invalid(p.book(&app, c, 2, choice(foreign.id, 1)).await), Invalid::RoomNotInTour);

    // A package of two hotels: chosen rooms must cover both, and the second stay starts after the first.
    let two = TourInput {
        hotels: vec![
            TourHotelLink { hotel_id: p.hotel, room_id: Some(p.standard), nights: 3 },
            TourHotelLink { hotel_id: other.id, room_id: Some(foreign.id), nights: 4 },
        ],
        ..package_input(p.hotel, None, 1)
    };
    let t = crm.create_tour(&p.operator, two).await.unwrap().tour.id;
    let dep = crm.add_departure(&p.operator, t, d(2027, 1, 6), d(2027, 1, 13), 10).await.unwrap();
    crm.publish_tour(&p.operator, t).await.unwrap();
    let req = |rooms| BookingRequest {
        client_id: c,
        departure_id: dep.id,
        travellers_count: 2,
        client_travels: true,
        companions: vec![],
        rooms,
        notes: String::new(),
        request_key: None,
    };
    let card = crm.create_booking(&p.agent, req(vec![])).await.unwrap();
    let stays: Vec<_> = card.rooms.iter().map(|r| (r.hotel_id, r.check_in, r.nights, r.total.minor)).collect();
    assert_eq!(stays, [(p.hotel, d(2027, 1, 6), 3, 3 * 10_000_00), (other.id, d(2027, 1, 9), 4, 4 * 9_000_00)]);
    let half = crm.create_booking(&p.agent, req(choice(p.family, 1))).await;
    assert_eq!(invalid(half), Invalid::RoomsTooSmall, "the second hotel would have no room");
});

each_backend!(missing_seasons_and_foreign_currencies_are_refused, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let c = p.client(&app, "+79120000001").await;
    // The last season ends 31 March: a stay from 28 March has nights without a price.
    let late = crm.add_departure(&p.operator, p.tour, d(2027, 3, 28), d(2027, 4, 4), 10).await.unwrap();
    let req = BookingRequest {
        client_id: c,
        departure_id: late.id,
        travellers_count: 2,
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    };
    assert_eq!(invalid(crm.create_booking(&p.agent, req.clone()).await), Invalid::NoPriceForDate);
    // A season added later makes the same request bookable.
    let april = SeasonInput { starts_on: d(2027, 4, 1), ends_on: d(2027, 4, 30), price_per_night: rub(20_000_00) };
    crm.add_season(&p.operator, p.standard, april).await.unwrap();
    let card = crm.create_booking(&p.agent, req).await.unwrap();
    assert_eq!(card.booking.rooms_total.minor, 4 * 15_000_00 + 3 * 20_000_00);

    // A hotel that prices in euros cannot be sold in a rouble tour without a rate.
    let eur_hotel = crm.create_hotel(&p.operator, hotel_input("JA Beach", "ОАЭ", "Дубай")).await.unwrap();
    let eur_room = crm.add_room(&p.operator, eur_hotel.id, room_input("Deluxe", 2)).await.unwrap();
    let eur = SeasonInput {
        starts_on: d(2026, 12, 1),
        ends_on: d(2027, 3, 31),
        price_per_night: Money::new(200_00, Currency::EUR),
    };
    crm.add_season(&p.operator, eur_room.id, eur).await.unwrap();
    let t = crm.create_tour(&p.operator, package_input(eur_hotel.id, Some(eur_room.id), 5)).await.unwrap().tour.id;
    let dep = crm.add_departure(&p.operator, t, d(2027, 2, 1), d(2027, 2, 6), 10).await.unwrap();
    crm.publish_tour(&p.operator, t).await.unwrap();
    let req = BookingRequest {
        client_id: c,
        departure_id: dep.id,
        travellers_count: 1,
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    };
    assert_eq!(invalid(crm.create_booking(&p.agent, req).await), Invalid::CurrencyMismatch);
});

/// Sets "today" (09:00 UTC) to `day`.
fn set_today(app: &TestApp, day: NaiveDate) {
    app.clock.set(Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()));
}

each_backend!(cancellation_charges_the_hotel_penalty_by_the_days_left, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let accountant = app.actor("buh", Role::Accountant).await;
    let c = p.client(&app, "+79120000001").await;
    // Two travellers in one Standard room: 165 000 ₽, of which the room is 85 000 ₽.
    let total = 2 * PER_PERSON + STANDARD_STAY;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let b = p.book(&app, c, 2, vec![]).await.unwrap().booking;
        assert_eq!(b.total.minor, total);
        p.pay(&app, b.id, 100_000_00).await;
        ids.push(b.id);
    }
    // A refund already made before the cancellation is not refunded twice.
    let partial = OperationInput {
        kind: OperationKind::ClientRefund,
        booking_id: Some(ids[2]),
        amount: rub(10_000_00),
        counterparty_id: None,
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: "частичный возврат".into(),
    };
    crm.record_operation(&accountant, partial).await.unwrap();

    // (booking, today, penalty, refund due): arrival is 6 January.
    let cases = [
        (ids[0], d(2026, 11, 25), 0, 100_000_00, "42 days: free"),
        (ids[1], d(2026, 12, 16), 0, 100_000_00, "21 days: the last free day"),
        (ids[2], d(2026, 12, 17), 25_500_00, 100_000_00 - 10_000_00 - 25_500_00, "20 days: 30 %, less the refund made"),
        (ids[3], d(2026, 12, 30), 25_500_00, 74_500_00, "7 days: still 30 %"),
        (ids[4], d(2027, 1, 3), STANDARD_STAY, 15_000_00, "3 days: the whole room"),
    ];
    for (id, today, penalty, refund, why) in cases {
        set_today(&app, today);
        let card = p.cancel(&app, id).await;
        assert_eq!(card.booking.status, BookingStatus::Cancelled, "{why}");
        assert_eq!(card.booking.penalty, Some(rub(penalty)), "{why}");
        assert_eq!(card.booking.refund_due, Some(rub(refund)), "{why}");
    }
    // A penalty larger than what was paid leaves nothing to refund, never a negative sum.
    set_today(&app, t0().date_naive());
    let b = p.book(&app, c, 2, vec![]).await.unwrap().booking.id;
    p.pay(&app, b, 50_000_00).await;
    set_today(&app, d(2027, 1, 5));
    let card = p.cancel(&app, b).await;
    assert_eq!((card.booking.penalty, card.booking.refund_due), (Some(rub(STANDARD_STAY)), Some(rub(0))));
});

each_backend!(a_cancelled_sale_takes_back_the_agents_commission, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let admin = app.actor("root", Role::Admin).await;
    crm.set_agent_commission(&admin, p.agent.staff_id().unwrap(), Some(500)).await.unwrap();
    let c = p.client(&app, "+79120000001").await;
    let b = p.book(&app, c, 1, vec![]).await.unwrap().booking;
    p.pay(&app, b.id, b.total.minor).await;
    let commission = |crm: crm::Crm| async move {
        let f = OperationFilter {
            booking_id: Some(b.id),
            kind: Some(OperationKind::CommissionAccrued),
            limit: 10,
            ..Default::default()
        };
        crm.list_operations(&Actor::System, f).await.unwrap().iter().map(|o| o.amount.minor).collect::<Vec<_>>()
    };
    let accrued = crm::domain::share_bp(b.total.minor, 500);
    assert_eq!(commission(crm.clone()).await, [accrued]);
    p.cancel(&app, b.id).await;
    let mut after = commission(crm.clone()).await;
    after.sort_unstable();
    assert_eq!(after, [-accrued, accrued], "reversed, not deleted");
});

each_backend!(booked_prices_survive_later_tour_and_room_changes, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let c = p.client(&app, "+79120000001").await;
    let old = p.book(&app, c, 2, vec![]).await.unwrap();
    p.pay(&app, old.booking.id, 30_000_00).await;

    // The operator raises the price, moves the tour to the Family room for 5 nights, and the
    // hotel gets a spring season: none of it touches the booking already made.
    let mut input = package_input(p.hotel, Some(p.family), 5);
    input.price = rub(55_000_00);
    crm.update_tour(&p.operator, p.tour, input).await.unwrap();
    let spring = SeasonInput { starts_on: d(2027, 4, 1), ends_on: d(2027, 5, 31), price_per_night: rub(30_000_00) };
    crm.add_season(&p.operator, p.standard, spring).await.unwrap();
    let mut room = room_input("Standard renovated", 2);
    room.description = "после ремонта".into();
    crm.update_room(&p.operator, p.standard, room).await.unwrap();

    let again = crm.booking_card(&p.agent, old.booking.id).await.unwrap();
    assert_eq!(again.booking.total, old.booking.total);
    assert_eq!(again.booking.tour_price_per_person.minor, PER_PERSON);
    assert_eq!(again.booking.rooms_total.minor, STANDARD_STAY);
    assert_eq!(again.rooms.len(), 1);
    assert_eq!((again.rooms[0].room_id, again.rooms[0].nights), (p.standard, 7));
    assert_eq!(again.rooms[0].total.minor, STANDARD_STAY);
    assert_eq!(again.schedule, old.schedule);
    assert_eq!(again.due.minor, old.booking.total.minor - 30_000_00);

    let new = p.book(&app, c, 2, vec![]).await.unwrap();
    assert_eq!(new.booking.total.minor, 2 * 55_000_00 + 5 * 25_000_00, "new bookings take the new terms");

    // Cancelling the old booking prices the penalty on the room it booked, not the tour's new one.
    set_today(&app, d(2026, 12, 20));
    let card = p.cancel(&app, old.booking.id).await;
    assert_eq!(card.booking.penalty, Some(rub(crm::domain::share_bp(STANDARD_STAY, 3_000))));
});

each_backend!(archived_hotels_and_rooms_are_not_linked_to_tours, |app| {
    let p = package(&app).await;
    let crm = &app.crm;
    let spare = crm.add_room(&p.operator, p.hotel, room_input("Suite", 2)).await.unwrap();
    crm.archive_room(&p.operator, spare.id, true).await.unwrap();
    let refused = crm.create_tour(&p.operator, package_input(p.hotel, Some(spare.id), 7)).await;
    assert_eq!(invalid(refused), Invalid::RoomArchived);
    let other = crm.create_hotel(&p.operator, hotel_input("Closed Resort", "Египет", "Хургада")).await.unwrap();
    crm.archive_hotel(&p.operator, other.id, true).await.unwrap();
    assert_eq!(invalid(crm.create_tour(&p.operator, package_input(other.id, None, 7)).await), Invalid::HotelArchived);
    let adding = crm.update_tour(&p.operator, p.tour, package_input(p.hotel, Some(spare.id), 7)).await;
    assert_eq!(invalid(adding), Invalid::RoomArchived);
    assert_eq!(
        invalid(crm.update_tour(&p.operator, p.tour, package_input(other.id, None, 7)).await),
        Invalid::HotelArchived
    );

    // What the tour already links may be archived later; the tour stays editable.
    crm.archive_room(&p.operator, p.standard, true).await.unwrap();
    crm.archive_hotel(&p.operator, p.hotel, true).await.unwrap();
    let mut same = package_input(p.hotel, Some(p.standard), 7);
    same.description = "Описание поправлено".into();
    let card = crm.update_tour(&p.operator, p.tour, same).await.unwrap();
    assert_eq!(card.tour.description, "Описание поправлено");
    assert_eq!(Invalid::RoomArchived.code(), "room_archived");
});

each_backend!(one_bank_document_is_not_recorded_on_two_bookings, |app| {
    let p = package(&app).await;
    let c = p.client(&app, "+79120000001").await;
    let a = p.book(&app, c, 1, vec![]).await.unwrap().booking.id;
    let b = p.book(&app, c, 1, vec![]).await.unwrap().booking.id;
    let payment = |booking| PaymentInput {
        booking_id: booking,
        amount: rub(10_000_00),
        method: PaymentMethod::BankTransfer,
        external_id: Some("пп-417".into()),
        note: String::new(),
    };
    for id in [a, b] {
        app.crm.change_booking_status(&p.agent, id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    }
    let first = app.crm.record_client_payment(&p.agent, payment(a)).await.unwrap();
    let retry = app.crm.record_client_payment(&p.agent, payment(a)).await.unwrap();
    assert!(retry.duplicate && retry.operation.id == first.operation.id, "a retry returns the first payment");
    let elsewhere = app.crm.record_client_payment(&p.agent, payment(b)).await;
    assert!(matches!(elsewhere, Err(Error::Conflict(_))), "{elsewhere:?}");
    assert_eq!(app.crm.booking_balance(&p.agent, b).await.unwrap().0.minor, 0);
});

each_backend!(the_tour_form_offers_only_hotels_and_rooms_on_offer, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let crm = &app.crm;
    let open = crm.create_hotel(&operator, hotel_input("Rixos Sungate", "Турция", "Кемер")).await.unwrap();
    let closed = crm.create_hotel(&operator, hotel_input("Old Palace", "Турция", "Кемер")).await.unwrap();
    let standard = crm.add_room(&operator, open.id, room_input("Standard", 2)).await.unwrap().id;
    let family = crm.add_room(&operator, open.id, room_input("Family", 4)).await.unwrap().id;
    crm.add_room(&operator, closed.id, room_input("Standard", 2)).await.unwrap();
    crm.archive_room(&operator, family, true).await.unwrap();
    crm.archive_hotel(&operator, closed.id, true).await.unwrap();
    let offered = crm.linkable_hotels(&operator).await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].hotel.id, open.id);
    assert_eq!(offered[0].rooms.iter().map(|r| r.id).collect::<Vec<_>>(), vec![standard]);
    let agent = app.actor("anna", Role::Agent).await;
    assert!(matches!(crm.linkable_hotels(&agent).await, Err(Error::Forbidden(_))));
});
