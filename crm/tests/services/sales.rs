//! Tours, bookings and the ledger: the status machine end to end, seats, payments, roles.

use crate::each_backend;
use crate::helpers::{TestApp, new_client};
use chrono::{Duration, NaiveDate};
use crm::domain::{
    BookingStatus, Currency, DepartureId, Money, OperationKind, PaymentMethod, Role, TourId, TourKind, TourService,
};
use crm::services::{BookingRequest, Client, OperationInput, PaymentInput, RoutePoint, TourInput};
use crm::{Actor, Conflict, Error};

pub fn excursion(title: &str, price_rub: i64) -> TourInput {
    TourInput {
        kind: TourKind::Excursion,
        title: title.into(),
        description: "Авторский маршрут с гидом".into(),
        country: "Россия".into(),
        region: "Алтай".into(),
        departure_city: "Новосибирск".into(),
        price: Money::new(price_rub * 100, Currency::RUB),
        route: vec![
            RoutePoint {
                day_number: 1, place: "Горно-Алтайск".into(), description: "Встреча группы".into()
            },
            RoutePoint { day_number: 2, place: "Чемал".into(), description: "Остров Патмос".into() },
        ],
        services: vec![(TourService::Guide, true), (TourService::Flight, false)],
        hotels: vec![],
        hot: None,
        early_booking: None,
    }
}

impl TestApp {
    /// A published excursion tour with one departure a month from now.
    pub async fn published_tour(&self, operator: &Actor, capacity: i64) -> (TourId, DepartureId) {
        let card = self.crm.create_tour(operator, excursion("Алтай: золотые горы", 50_000)).await.unwrap();
        let start = self.crm.today() + Duration::days(30);
        let d =
            self.crm.add_departure(operator, card.tour.id, start, start + Duration::days(6), capacity).await.unwrap();
        self.crm.publish_tour(operator, card.tour.id).await.unwrap();
        (card.tour.id, d.id)
    }
}

pub(crate) fn request(client: &Client, departure: DepartureId, travellers: i64) -> BookingRequest {
    BookingRequest {
        client_id: client.id,
        departure_id: departure,
        travellers_count: travellers,
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    }
}

pub fn pay(booking: crm::domain::BookingId, rub: i64) -> PaymentInput {
    PaymentInput {
        booking_id: booking,
        amount: Money::new(rub * 100, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    }
}

each_backend!(a_booking_walks_the_whole_status_machine_and_payments_move_it, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let (_, dep) = app.published_tour(&operator, 10).await;

    let card = app.crm.create_booking(&agent, request(&client, dep, 2)).await.unwrap();
    let b = card.booking.id;
    assert_eq!(card.booking.status, BookingStatus::ContractPending);
    assert_eq!(card.booking.total.minor, 2 * 50_000 * 100);
    assert_eq!(card.travellers.len(), 1, "the client travels");
    assert_eq!(card.schedule.len(), 2, "deposit and balance");
    assert_eq!(card.schedule.iter().map(|i| i.amount.minor).sum::<i64>(), card.booking.total.minor);

    // No payment before the contract is signed.
    let early = app.crm.record_client_payment(&agent, pay(b, 1000)).await;
    assert!(matches!(early, Err(Error::Conflict(Conflict::PaymentsNotAccepted(_)))), "{early:?}");
    // A manual move to "paid" is illegal: payments do that.
    let illegal = app.crm.change_booking_status(&agent, b, BookingStatus::Paid, "оплатили").await;
    assert!(
        matches!(illegal, Err(Error::IllegalMove(m)) if m.from == BookingStatus::ContractPending && m.to == BookingStatus::Paid)
    );

    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "договор подписан в офисе").await.unwrap();
    let p = app.crm.record_client_payment(&agent, pay(b, 30_000)).await.unwrap();
    assert_eq!(p.status, BookingStatus::PartiallyPaid);
    let over = app.crm.record_client_payment(&accountant, pay(b, 70_001)).await;
    assert!(matches!(over, Err(Error::Conflict(Conflict::Overpayment { due })) if due.minor == 7_000_000), "{over:?}");
    let p = app.crm.record_client_payment(&accountant, pay(b, 70_000)).await.unwrap();
    assert_eq!(p.status, BookingStatus::Paid);

    // A reversed payment moves the booking back.
    app.crm.reverse_operation(&accountant, p.operation.id, "ошибочно проведено").await.unwrap();
    let card = app.crm.booking_card(&agent, b).await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::PartiallyPaid);
    assert_eq!(card.paid.minor, 3_000_000);
    let again = app.crm.reverse_operation(&accountant, p.operation.id, "ещё раз").await;
    assert!(matches!(again, Err(Error::Conflict(Conflict::AlreadyReversed))));

    // The client asks to cancel and changes their mind: the request is withdrawn back to where
    // it was asked from, and only there (not to another status, not by an agent of another's).
    app.crm.change_booking_status(&agent, b, BookingStatus::CancellationRequested, "клиент заболел").await.unwrap();
    let card = app.crm.booking_card(&agent, b).await.unwrap();
    assert_eq!(card.manual_moves, [BookingStatus::Cancelled, BookingStatus::PartiallyPaid]);
    for elsewhere in [BookingStatus::Paid, BookingStatus::ContractSigned, BookingStatus::ContractPending] {
        let e = app.crm.change_booking_status(&agent, b, elsewhere, "клиент передумал").await.unwrap_err();
        assert!(matches!(e, Error::IllegalMove(m) if m.to == elsewhere), "{elsewhere:?}: {e:?}");
    }
    let other = app.actor("boris", Role::Agent).await;
    let e = app.crm.change_booking_status(&other, b, BookingStatus::PartiallyPaid, "клиент передумал").await;
    assert!(matches!(e, Err(Error::Forbidden(_))), "{e:?}");
    let card =
        app.crm.change_booking_status(&agent, b, BookingStatus::PartiallyPaid, "клиент передумал").await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::PartiallyPaid);
    assert!(card.takes_payment(), "payments are taken again");
    assert!(card.manual_moves.contains(&BookingStatus::CancellationRequested));

    app.crm.change_booking_status(&agent, b, BookingStatus::CancellationRequested, "клиент заболел").await.unwrap();
    let card = app.crm.change_booking_status(&agent, b, BookingStatus::Cancelled, "отмена подтверждена").await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::Cancelled);
    assert_eq!(card.booking.penalty.unwrap().minor, 0, "an excursion tour has no hotel penalty");
    assert_eq!(card.booking.refund_due.unwrap().minor, 3_000_000);
    // Nothing is owed on a cancelled booking: what was paid is a refund to make.
    assert_eq!(card.due.minor, 0);
    assert_eq!(app.crm.booking_balance(&agent, b).await.unwrap().1.minor, 0);
    let history: Vec<_> = card.history.iter().map(|h| h.to).collect();
    assert_eq!(
        history,
        [
            BookingStatus::ContractPending,
            BookingStatus::ContractSigned,
            BookingStatus::PartiallyPaid,
            BookingStatus::Paid,
            BookingStatus::PartiallyPaid,
            BookingStatus::CancellationRequested,
            BookingStatus::PartiallyPaid,
            BookingStatus::CancellationRequested,
            BookingStatus::Cancelled
        ]
    );
    assert!(card.history.iter().all(|h| !h.actor.is_empty() && !h.reason.is_empty()));
    assert!(card.manual_moves.is_empty(), "cancelled is final");

    // The refund goes through the ledger and cannot exceed what was paid.
    let refund = |rub: i64| OperationInput {
        kind: OperationKind::ClientRefund,
        booking_id: Some(b),
        amount: Money::new(rub * 100, Currency::RUB),
        counterparty_id: None,
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: "возврат".into(),
    };
    assert!(matches!(app.crm.record_operation(&accountant, refund(30_001)).await, Err(Error::Conflict(_))));
    assert_eq!(app.crm.booking_card(&agent, b).await.unwrap().refund_left.map(|m| m.minor), Some(3_000_000));
    app.crm.record_operation(&accountant, refund(10_000)).await.unwrap();
    let card = app.crm.booking_card(&agent, b).await.unwrap();
    assert_eq!(
        card.refund_left.map(|m| m.minor),
        Some(2_000_000),
        "what is left to return, not the figure at cancelling"
    );
    assert_eq!(card.booking.refund_due.map(|m| m.minor), Some(3_000_000));
    app.crm.record_operation(&accountant, refund(20_000)).await.unwrap();
    assert_eq!(app.crm.booking_card(&agent, b).await.unwrap().refund_left.map(|m| m.minor), Some(0));
    assert!(matches!(app.crm.record_operation(&agent, refund(1)).await, Err(Error::Forbidden(_))));
});

each_backend!(seats_are_counted_and_released, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let (tour, dep) = app.published_tour(&operator, 3).await;
    let c1 = app.client("+79120000001", Some(&agent)).await;
    let c2 = app.crm.register_client(&agent, new_client("Петров Пётр", "+79120000002")).await.unwrap();
    let b1 = app.crm.create_booking(&agent, request(&c1, dep, 2)).await.unwrap().booking.id;
    let no = app.crm.create_booking(&agent, request(&c2, dep, 2)).await;
    assert!(matches!(no, Err(Error::Conflict(Conflict::NoSeatsLeft { left: 1 }))), "{no:?}");
    // The quote says so before any price is shown.
    let quoted = app.crm.quote_booking(&agent, &request(&c2, dep, 2)).await;
    assert!(matches!(quoted, Err(Error::Conflict(Conflict::NoSeatsLeft { left: 1 }))), "{quoted:?}");
    app.crm.create_booking(&agent, request(&c2, dep, 1)).await.unwrap();
    let card = app.crm.tour_card(&agent, tour).await.unwrap();
    assert_eq!(card.departures[0].seats_left(), 0);
    let filtered = app
        .crm
        .list_tours(
            &agent,
            crm::services::TourFilter { departs_from: Some(app.crm.today()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    assert!(filtered.is_empty(), "a full tour is not offered for its month");
    app.crm.change_booking_status(&agent, b1, BookingStatus::CancellationRequested, "передумали").await.unwrap();
    app.crm.change_booking_status(&agent, b1, BookingStatus::Cancelled, "подтверждено").await.unwrap();
    let card = app.crm.tour_card(&agent, tour).await.unwrap();
    assert_eq!(card.departures[0].seats_left(), 2);
    // Capacity cannot drop below the seats booked.
    assert!(app.crm.set_departure_capacity(&operator, dep, 0).await.is_err());
    assert_eq!(app.crm.set_departure_capacity(&operator, dep, 5).await.unwrap().seats_left(), 4);
    // A departure with bookings cannot be removed.
    assert!(matches!(
        app.crm.remove_departure(&operator, dep).await,
        Err(Error::Conflict(Conflict::DepartureHasBookings))
    ));
});

each_backend!(two_agents_booking_the_last_seat_at_once_one_wins, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let a1 = app.actor("anna", Role::Agent).await;
    let a2 = app.actor("boris", Role::Agent).await;
    let (_, dep) = app.published_tour(&operator, 1).await;
    let c1 = app.client("+79120000001", Some(&a1)).await;
    let c2 = app.crm.register_client(&a2, new_client("Петров Пётр", "+79120000002")).await.unwrap();
    for round in 0..5 {
        let (r1, r2) = tokio::join!(
            app.crm.create_booking(&a1, request(&c1, dep, 1)),
            app.crm.create_booking(&a2, request(&c2, dep, 1)),
        );
        let wins = [&r1, &r2].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{}: round {round}: {r1:?} / {r2:?}", app.backend);
        let loser = if r1.is_ok() { r2 } else { r1 };
        assert!(matches!(loser, Err(Error::Conflict(Conflict::NoSeatsLeft { left: 0 }))), "{loser:?}");
        // Free the seat for the next round.
        let winner = app.crm.list_bookings(&Actor::System, Default::default()).await.unwrap();
        let active = winner.iter().find(|b| b.status.is_active()).unwrap();
        app.crm
            .change_booking_status(&Actor::System, active.id, BookingStatus::CancellationRequested, "тест")
            .await
            .unwrap();
        app.crm.change_booking_status(&Actor::System, active.id, BookingStatus::Cancelled, "тест").await.unwrap();
    }
});

each_backend!(paid_in_full_accrues_the_agents_commission_with_tour_override, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let admin = app.actor("root", Role::Admin).await;
    app.crm.set_agent_commission(&admin, agent.staff_id().unwrap(), Some(500)).await.unwrap();
    let (tour, dep) = app.published_tour(&operator, 10).await;
    let client = app.client("+79123456789", Some(&agent)).await;

    let b = app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap().booking;
    assert_eq!(b.commission_bp, 500, "the agent's default");
    app.crm.set_tour_commission(&admin, tour, Some(1000)).await.unwrap();
    let c2 = app.crm.register_client(&agent, new_client("Петров Пётр", "+79120000002")).await.unwrap();
    let b2 = app.crm.create_booking(&agent, request(&c2, dep, 1)).await.unwrap().booking;
    assert_eq!(b2.commission_bp, 1000, "the tour's override");
    assert_eq!(b.commission_bp, 500, "stored with the booking: later rate changes do not rewrite it");

    app.crm.change_booking_status(&agent, b2.id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    app.crm.record_client_payment(&agent, pay(b2.id, 50_000)).await.unwrap();
    let ops = app
        .crm
        .list_operations(
            &admin,
            crm::services::OperationFilter { booking_id: Some(b2.id), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    let accrued: Vec<_> = ops.iter().filter(|o| o.kind == OperationKind::CommissionAccrued).collect();
    assert_eq!(accrued.len(), 1);
    assert_eq!(accrued[0].amount.minor, 500_000);
    assert_eq!(accrued[0].counterparty_id, Some(agent.staff_id().unwrap().0));
    let totals = app.crm.ledger_totals(&admin, None, None).await.unwrap();
    assert!(totals.contains(&(OperationKind::ClientPayment, Money::new(5_000_000, Currency::RUB))));
    assert!(totals.contains(&(OperationKind::CommissionAccrued, Money::new(500_000, Currency::RUB))));
});

each_backend!(online_payments_are_recorded_once_per_provider_id, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let b = app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap().booking.id;
    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let mut p = pay(b, 10_000);
    p.method = PaymentMethod::Online;
    p.external_id = Some("yk-2f1e".into());
    let first = app.crm.record_client_payment(&Actor::System, p.clone()).await.unwrap();
    let second = app.crm.record_client_payment(&Actor::System, p).await.unwrap();
    assert!(!first.duplicate && second.duplicate);
    assert_eq!(first.operation.id, second.operation.id);
    assert_eq!(app.crm.booking_balance(&agent, b).await.unwrap().0.minor, 1_000_000);
});

each_backend!(bookings_respect_roles_and_the_blacklist, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let admin = app.actor("root", Role::Admin).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let (tour, dep) = app.published_tour(&operator, 10).await;
    let client = app.client("+79123456789", Some(&anna)).await;

    assert!(matches!(app.crm.create_booking(&boris, request(&client, dep, 1)).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.create_booking(&accountant, request(&client, dep, 1)).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.create_booking(&operator, request(&client, dep, 1)).await, Err(Error::Forbidden(_))));
    let b = app.crm.create_booking(&Actor::Client(client.id), request(&client, dep, 1)).await.unwrap().booking.id;
    assert!(matches!(
        app.crm.change_booking_status(&boris, b, BookingStatus::ContractSigned, "чужая").await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        app.crm.change_booking_status(&Actor::Client(client.id), b, BookingStatus::ContractSigned, "сам").await,
        Err(Error::Forbidden(_))
    ));
    app.crm
        .change_booking_status(&Actor::Client(client.id), b, BookingStatus::CancellationRequested, "не поеду")
        .await
        .unwrap();
    assert!(app.crm.list_bookings(&boris, Default::default()).await.unwrap().is_empty());
    assert_eq!(app.crm.list_bookings(&anna, Default::default()).await.unwrap().len(), 1);
    assert_eq!(app.crm.list_bookings(&operator, Default::default()).await.unwrap().len(), 1, "bookings of own tours");
    assert_eq!(app.crm.list_bookings(&accountant, Default::default()).await.unwrap().len(), 1);
    // The operator reads the bookings of their tours, without the ledger, and changes nothing.
    let card = app.crm.booking_card(&operator, b).await.unwrap();
    assert!(!card.ledger_visible && card.operations.is_empty());
    assert!(app.crm.booking_card(&accountant, b).await.unwrap().ledger_visible);
    assert!(matches!(app.crm.record_client_payment(&operator, pay(b, 100)).await, Err(Error::Forbidden(_))));
    let cancel = app.crm.change_booking_status(&operator, b, BookingStatus::Cancelled, "сам").await;
    assert!(matches!(cancel, Err(Error::Forbidden(_))), "{cancel:?}");

    // The accountant never changes tours; another operator cannot touch this one.
    let other_op = app.actor("olga", Role::Operator).await;
    assert!(matches!(app.crm.archive_tour(&accountant, tour).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.archive_tour(&other_op, tour).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.booking_card(&other_op, b).await, Err(Error::Forbidden(_))), "not their tour");

    app.crm.set_blacklist(&admin, client.id, true, "не оплатил прошлый тур").await.unwrap();
    let blocked = app.crm.create_booking(&anna, request(&client, dep, 1)).await;
    assert!(matches!(blocked, Err(Error::Conflict(Conflict::Blacklisted))), "{blocked:?}");
});

each_backend!(drafts_are_hidden_and_unbookable_and_publishing_is_checked, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let card = app.crm.create_tour(&operator, excursion("Байкал зимой", 80_000)).await.unwrap();
    let id = card.tour.id;
    assert!(matches!(app.crm.tour_card(&agent, id).await, Err(Error::Forbidden(_))));
    assert!(matches!(
        app.crm.publish_tour(&operator, id).await,
        Err(Error::Invalid(crm::domain::Invalid::NoDepartures))
    ));
    let start = app.crm.today() + Duration::days(10);
    let dep = app.crm.add_departure(&operator, id, start, start + Duration::days(5), 8).await.unwrap();
    let client = app.client("+79123456789", Some(&agent)).await;
    let not_yet = app.crm.create_booking(&agent, request(&client, dep.id, 1)).await;
    assert!(matches!(not_yet, Err(Error::Conflict(Conflict::TourNotBookable))));
    app.crm.publish_tour(&operator, id).await.unwrap();
    assert!(app.crm.tour_card(&agent, id).await.is_ok());
    let mut package = excursion("Турция, всё включено", 90_000);
    package.kind = TourKind::Package;
    let p = app.crm.create_tour(&operator, package).await.unwrap();
    app.crm.add_departure(&operator, p.tour.id, start, start + Duration::days(7), 8).await.unwrap();
    assert!(matches!(
        app.crm.publish_tour(&operator, p.tour.id).await,
        Err(Error::Invalid(crm::domain::Invalid::PackageNeedsHotel))
    ));
    let bad_dates = app.crm.add_departure(&operator, id, start, start - Duration::days(1), 8).await;
    assert!(matches!(bad_dates, Err(Error::Invalid(crm::domain::Invalid::DatesOrder))));
    let _ = NaiveDate::MIN;
});

each_backend!(the_catalog_filters_by_text_price_month_and_hot_flag, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let (altai, _) = app.published_tour(&operator, 10).await;
    let mut hot = excursion("Горящий Домбай", 30_000);
    hot.region = "Карачаево-Черкесия".into();
    hot.hot = Some((app.crm.today(), app.crm.today() + Duration::days(7)));
    let h = app.crm.create_tour(&operator, hot).await.unwrap().tour.id;
    let start = app.crm.today() + Duration::days(60);
    app.crm.add_departure(&operator, h, start, start + Duration::days(3), 5).await.unwrap();
    app.crm.publish_tour(&operator, h).await.unwrap();
    let crm = &app.crm;
    let f = |f: crm::services::TourFilter| async move {
        crm.list_tours(&Actor::Telegram(1), crm::services::TourFilter { limit: 50, ..f }).await.unwrap()
    };
    let ids = |v: Vec<crm::services::Tour>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(f(crm::services::TourFilter { text: Some("алтай".into()), ..Default::default() }).await), [altai]);
    assert_eq!(ids(f(crm::services::TourFilter { text: Some("ДОМБАЙ".into()), ..Default::default() }).await), [h]);
    // As a chat writes it: the preposition and the case ending do not hide the place.
    assert_eq!(
        ids(f(crm::services::TourFilter { text: Some("на Алтае".into()), ..Default::default() }).await),
        [altai]
    );
    assert_eq!(ids(f(crm::services::TourFilter { max_price: Some(40_000 * 100), ..Default::default() }).await), [h]);
    assert_eq!(ids(f(crm::services::TourFilter { hot_on: Some(app.crm.today()), ..Default::default() }).await), [h]);
    let in_month = crm::services::TourFilter {
        departs_from: Some(start - Duration::days(1)),
        departs_until: Some(start + Duration::days(1)),
        ..Default::default()
    };
    assert_eq!(ids(f(in_month).await), [h]);
});

#[test]
fn a_tour_input_names_each_bad_field_with_its_reason() {
    let mut t = excursion("  ", 1);
    t.country = " ".into();
    t.route[1].place = String::new();
    let day = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
    t.hot = Some((day, day - Duration::days(1)));
    let problems = t.problems();
    let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["title", "country", "route", "hot"]);
    assert_eq!(problems[1].1, crm::domain::Invalid::CountryEmpty, "an empty country is named as such");
    assert!(excursion("Алтай", 1).problems().is_empty());
}

each_backend!(a_booking_request_repeated_with_its_key_books_once, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let (tour, dep) = app.published_tour(&operator, 5).await;
    let c1 = app.client("+79120000001", Some(&agent)).await;
    let c2 = app.crm.register_client(&agent, new_client("Петров Пётр", "+79120000002")).await.unwrap();
    let keyed = |c: &Client, key: &str| BookingRequest { request_key: Some(key.into()), ..request(c, dep, 2) };
    let seats_left = || async { app.crm.tour_card(&agent, tour).await.unwrap().departures[0].seats_left() };
    // The client's own «да» replayed after a crash: the booking it made answers, seats once.
    let me = Actor::Client(c1.id);
    let first = app.crm.create_booking(&me, keyed(&c1, "q-1")).await.unwrap().booking.id;
    let again = app.crm.create_booking(&me, keyed(&c1, "q-1")).await.unwrap().booking.id;
    assert_eq!(first, again);
    assert_eq!(seats_left().await, 3);
    // Both copies at once (a replay racing the original): still one booking.
    let (r1, r2) =
        tokio::join!(app.crm.create_booking(&me, keyed(&c1, "q-2")), app.crm.create_booking(&me, keyed(&c1, "q-2")));
    let (r1, r2) = (r1.unwrap().booking.id, r2.unwrap().booking.id);
    assert_eq!(r1, r2, "{}", app.backend);
    assert_eq!(seats_left().await, 1);
    // Another client's request cannot reuse a key to reach someone else's booking.
    let theirs = app.crm.create_booking(&agent, BookingRequest { travellers_count: 1, ..keyed(&c2, "q-1") }).await;
    assert!(matches!(theirs, Err(Error::Forbidden(_))), "{theirs:?}");
    assert_eq!(seats_left().await, 1);
    assert_ne!(first, r1, "a new key is a new booking");
    // Without a key each request is a booking of its own, as before.
    app.crm.create_booking(&agent, BookingRequest { travellers_count: 1, ..request(&c2, dep, 1) }).await.unwrap();
    assert_eq!(seats_left().await, 0);
});
