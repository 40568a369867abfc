//! Partner hotels: setup, seasons and prices, versioned agreements, cancellation terms and
//! penalties, correspondence, search and the client's view. The role table is in `roles`.

mod roles;

use crate::each_backend;
use crate::helpers::{TestApp, t0};
use chrono::{Duration, NaiveDate};
use crm::audit::AuditField;
use crm::domain::{
    CancellationRule, CancellationTerms, Currency, Direction, Email, HotelId, InteractionKind, IntlPhone, Invalid,
    MealPlan, Money, PenaltyKind, Role, RoomId, Stars,
};
use crm::services::{
    AgreementInput, AuditFilter, CorrespondenceInput, Hotel, HotelFilter, HotelInput, ManagerInput, Room, RoomInput,
    SeasonInput,
};
use crm::store::hotels;
use crm::{Actor, Error};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn rub(minor: i64) -> Money {
    Money::new(minor, Currency::RUB)
}

pub fn hotel_input(name: &str, country: &str, city: &str) -> HotelInput {
    HotelInput {
        name: name.into(),
        country: country.into(),
        city: city.into(),
        address: "Kemer, Atatürk Cd. 1".into(),
        stars: Some(Stars::new(5).unwrap()),
        description: "У моря, свой пляж".into(),
    }
}

pub fn room_input(room_type: &str, capacity: i64) -> RoomInput {
    RoomInput { room_type: room_type.into(), capacity, meal_plan: MealPlan::AI, description: String::new() }
}

pub fn season(from: NaiveDate, until: NaiveDate, price: i64) -> SeasonInput {
    SeasonInput { starts_on: from, ends_on: until, price_per_night: rub(price) }
}

pub fn rule(min_days: i64, max_days: i64, penalty: PenaltyKind) -> CancellationRule {
    CancellationRule { min_days, max_days, penalty }
}

/// A hotel with one room, as `actor`.
pub async fn hotel_with_room(app: &TestApp, actor: &Actor) -> (Hotel, Room) {
    let h = app.crm.create_hotel(actor, hotel_input("Rixos Premium", "Турция", "Кемер")).await.unwrap();
    let r = app.crm.add_room(actor, h.id, room_input("Standard", 2)).await.unwrap();
    (h, r)
}

fn invalid<T: std::fmt::Debug>(r: crm::Result<T>) -> Invalid {
    match r {
        Err(Error::Invalid(i)) => i,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

each_backend!(an_operator_sets_up_a_hotel_completely, |app| {
    let op = app.actor("oper", Role::Operator).await;
    let crm = &app.crm;
    let h = crm.create_hotel(&op, hotel_input("  Rixos   Premium ", "Турция", "Кемер")).await.unwrap();
    assert_eq!((h.name.as_str(), h.stars.map(Stars::get), h.archived), ("Rixos Premium", Some(5), false));

    let mut ayse = ManagerInput {
        name: "Ayşe Yılmaz".into(),
        position: "Reservations".into(),
        phone: Some(IntlPhone::parse("+90 (242) 555-12-34").unwrap()),
        email: Some(Email::parse("Res@Rixos.COM").unwrap()),
        telegram: Some("@rixos_res".into()),
    };
    let m1 = crm.add_manager(&op, h.id, ayse.clone()).await.unwrap();
    assert_eq!(m1.phone.as_deref(), Some("+902425551234"));
    assert_eq!(m1.email.as_deref(), Some("Res@rixos.com"));
    assert_eq!(m1.telegram.as_deref(), Some("rixos_res"));
    ayse.position = "Sales".into();
    ayse.phone = Some(IntlPhone::parse("8 912 345-67-89").unwrap());
    let m1 = crm.update_manager(&op, m1.id, ayse).await.unwrap();
    assert_eq!((m1.position.as_str(), m1.phone.as_deref()), ("Sales", Some("+79123456789")));
    let m2 =
        crm.add_manager(&op, h.id, ManagerInput { name: "Mehmet Kaya".into(), ..Default::default() }).await.unwrap();
    let m2 = crm.set_manager_active(&op, m2.id, false).await.unwrap();
    assert!(!m2.active);
    assert!(matches!(crm.set_manager_active(&op, m2.id, false).await, Err(Error::Conflict(_))));
    assert!(crm.set_manager_active(&op, m2.id, true).await.unwrap().active, "back at the hotel");
    crm.set_manager_active(&op, m2.id, false).await.unwrap();

    let std = crm.add_room(&op, h.id, room_input("Standard", 2)).await.unwrap();
    let mut fam = room_input("Family", 4);
    fam.meal_plan = MealPlan::UAI;
    let fam = crm.add_room(&op, h.id, fam).await.unwrap();
    let fam = crm.update_room(&op, fam.id, RoomInput { capacity: 5, ..room_input("Family Suite", 5) }).await.unwrap();
    assert_eq!((fam.room_type.as_str(), fam.capacity, fam.meal_plan), ("Family Suite", 5, MealPlan::AI));
    crm.add_season(&op, std.id, season(d(2027, 5, 1), d(2027, 5, 31), 900_000)).await.unwrap();
    crm.add_season(&op, std.id, season(d(2027, 6, 1), d(2027, 8, 31), 1_400_000)).await.unwrap();
    crm.add_season(&op, fam.id, season(d(2027, 6, 1), d(2027, 8, 31), 2_600_000)).await.unwrap();
    let terms = CancellationTerms { free_days: 21, rules: vec![rule(0, 6, PenaltyKind::Percent(10_000))] };
    crm.set_cancellation_terms(&op, h.id, terms.clone()).await.unwrap();
    let agreement = AgreementInput {
        agreed_on: t0().date_naive() - Duration::days(30),
        commission_bp: Some(1_200),
        allotment: Some(10),
        special_prices: "Ранее бронирование −10 %".into(),
        terms: "Оплата за 14 дней до заезда".into(),
    };
    crm.record_agreement(&op, h.id, agreement).await.unwrap();
    let updated = crm.update_hotel(&op, h.id, hotel_input("Rixos Premium Tekirova", "Турция", "Кемер")).await.unwrap();
    assert_eq!(updated.name, "Rixos Premium Tekirova");

    let card = crm.hotel_card(&op, h.id).await.unwrap();
    assert_eq!(card.hotel.name, "Rixos Premium Tekirova");
    assert_eq!(
        card.managers.iter().map(|m| (m.name.as_str(), m.active)).collect::<Vec<_>>(),
        [("Ayşe Yılmaz", true), ("Mehmet Kaya", false)]
    );
    assert_eq!(card.rooms.len(), 2);
    assert_eq!(card.rooms[0].seasons.iter().map(|s| s.price_per_night.minor).collect::<Vec<_>>(), [900_000, 1_400_000]);
    assert_eq!(card.terms, terms);
    assert_eq!(card.agreement.as_ref().and_then(|a| a.commission_bp), Some(1_200));
    serde_json::to_string(&card).unwrap();

    let room = hotels::room(&mut crm.store().conn().await.unwrap(), fam.id).await.unwrap().unwrap();
    assert_eq!(room.hotel_id, h.id);
    let archived = crm.archive_room(&op, fam.id, true).await.unwrap();
    assert!(archived.archived);

    let admin = app.actor("admin", Role::Admin).await;
    let log = crm
        .audit_log(&admin, &AuditFilter { entity: Some("hotel".into()), limit: 100, ..Default::default() })
        .await
        .unwrap();
    let mut actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    actions.dedup();
    assert_eq!(
        actions,
        [
            "hotel.agreement.add",
            "hotel.create",
            "hotel.manager.add",
            "hotel.manager.deactivate",
            "hotel.manager.reactivate",
            "hotel.manager.update",
            "hotel.room.add",
            "hotel.room.archive",
            "hotel.room.update",
            "hotel.season.add",
            "hotel.terms.set",
            "hotel.update",
        ]
    );
    assert!(log.iter().all(|e| e.actor == op.audit_name() && e.entity_id == Some(h.id.to_string())));
});

each_backend!(a_mistyped_season_is_removed_and_entered_again, |app| {
    let (h, room) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    let op = app.actor("operator", Role::Operator).await;
    let typo = crm.add_season(&op, room.id, season(d(2027, 6, 1), d(2027, 8, 31), 14_000)).await.unwrap();
    let other = crm.add_room(&op, h.id, room_input("Suite", 2)).await.unwrap();
    let others = crm.add_season(&op, other.id, season(d(2027, 6, 1), d(2027, 8, 31), 30_000_000)).await.unwrap();
    // Only through its own room: another room's season is not found, and nothing is removed.
    assert!(matches!(crm.remove_season(&op, room.id, others.id).await, Err(Error::NotFound("season"))));
    assert!(matches!(crm.remove_season(&op, RoomId(999_999), typo.id).await, Err(Error::NotFound(_))));
    let removed = crm.remove_season(&op, room.id, typo.id).await.unwrap();
    assert_eq!(removed.price_per_night, rub(14_000));
    assert!(matches!(crm.remove_season(&op, room.id, typo.id).await, Err(Error::NotFound("season"))));
    // The same dates can now be entered with the right price.
    crm.add_season(&op, room.id, season(d(2027, 6, 1), d(2027, 8, 31), 1_400_000)).await.unwrap();
    let prices = |s: Vec<hotels::Season>| s.iter().map(|s| s.price_per_night.minor).collect::<Vec<_>>();
    assert_eq!(prices(crm.room_seasons(&op, room.id).await.unwrap()), [1_400_000]);
    assert_eq!(prices(crm.room_seasons(&op, other.id).await.unwrap()), [30_000_000]);
    let admin = app.actor("admin", Role::Admin).await;
    let filter = AuditFilter { action: Some("hotel.season.remove".into()), limit: 10, ..Default::default() };
    let log = crm.audit_log(&admin, &filter).await.unwrap();
    assert_eq!(log.len(), 1);
    // The removed season's room, dates and price, as people read them, to enter it again.
    assert_eq!(log[0].detail(AuditField::Room), Some(format!("{} (№{})", room.room_type, room.id)));
    assert_eq!(log[0].detail(AuditField::Period).as_deref(), Some("01.06–31.08.2027"));
    assert_eq!(log[0].detail(AuditField::PricePerNight).as_deref(), Some("140\u{a0}₽"));
});

each_backend!(overlapping_seasons_are_refused, |app| {
    let (_, room) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    crm.add_season(&Actor::System, room.id, season(d(2027, 6, 1), d(2027, 6, 30), 100)).await.unwrap();
    for (from, until) in [
        (d(2027, 6, 1), d(2027, 6, 30)),
        (d(2027, 6, 10), d(2027, 6, 12)),
        (d(2027, 5, 1), d(2027, 6, 1)),
        (d(2027, 6, 30), d(2027, 7, 5)),
        (d(2027, 5, 1), d(2027, 7, 31)),
    ] {
        let got = crm.add_season(&Actor::System, room.id, season(from, until, 200)).await;
        assert_eq!(invalid(got), Invalid::SeasonsOverlap, "{}: {from}..{until}", app.backend);
    }
    // Adjacent seasons are fine, and another room's seasons are no obstacle.
    crm.add_season(&Actor::System, room.id, season(d(2027, 7, 1), d(2027, 7, 31), 300)).await.unwrap();
    crm.add_season(&Actor::System, room.id, season(d(2027, 5, 31), d(2027, 5, 31), 50)).await.unwrap();
    let other = crm.add_room(&Actor::System, room.hotel_id, room_input("Suite", 2)).await.unwrap();
    crm.add_season(&Actor::System, other.id, season(d(2027, 6, 1), d(2027, 6, 30), 900)).await.unwrap();
    let got = crm.add_season(&Actor::System, room.id, season(d(2027, 9, 2), d(2027, 9, 1), 1)).await;
    assert_eq!(invalid(got), Invalid::DatesOrder);
    let negative = SeasonInput { price_per_night: rub(-1), ..season(d(2027, 9, 1), d(2027, 9, 2), 0) };
    assert_eq!(invalid(crm.add_season(&Actor::System, room.id, negative).await), Invalid::MoneyNegative);
    let all = crm.room_seasons(&Actor::System, room.id).await.unwrap();
    assert_eq!(all.iter().map(|s| s.price_per_night.minor).collect::<Vec<_>>(), [50, 100, 300]);
    assert!(matches!(
        crm.add_season(&Actor::System, RoomId(999_999), season(d(2027, 1, 1), d(2027, 1, 2), 1)).await,
        Err(Error::NotFound(_))
    ));
});

each_backend!(the_price_of_a_night_is_the_season_covering_it, |app| {
    let (_, room) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    crm.add_season(&Actor::System, room.id, season(d(2027, 5, 1), d(2027, 5, 31), 900_000)).await.unwrap();
    let eur =
        SeasonInput { price_per_night: Money::new(15_000, Currency::EUR), ..season(d(2027, 6, 1), d(2027, 8, 31), 0) };
    crm.add_season(&Actor::System, room.id, eur).await.unwrap();
    let mut conn = crm.store().conn().await.unwrap();
    for (on, want) in [
        (d(2027, 4, 30), None),
        (d(2027, 5, 1), Some(rub(900_000))),
        (d(2027, 5, 31), Some(rub(900_000))),
        (d(2027, 6, 1), Some(Money::new(15_000, Currency::EUR))),
        (d(2027, 8, 31), Some(Money::new(15_000, Currency::EUR))),
        (d(2027, 9, 1), None),
    ] {
        assert_eq!(hotels::price_per_night(&mut conn, room.id, on).await.unwrap(), want, "{}: {on}", app.backend);
    }
    assert_eq!(hotels::price_per_night(&mut conn, RoomId(999_999), d(2027, 6, 1)).await.unwrap(), None);
});

each_backend!(agreements_are_versions_and_never_overwrite, |app| {
    let (h, _) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    let agree =
        |on: NaiveDate, bp: i64| AgreementInput { agreed_on: on, commission_bp: Some(bp), ..Default::default() };
    let first = crm.record_agreement(&Actor::System, h.id, agree(d(2026, 1, 15), 1_000)).await.unwrap();
    let second = crm.record_agreement(&Actor::System, h.id, agree(d(2026, 9, 1), 1_200)).await.unwrap();
    assert_eq!(first.recorded_by, "system");
    let in_force = |on| crm.agreement_in_force(&Actor::System, h.id, on);
    assert_eq!(in_force(d(2026, 1, 14)).await.unwrap(), None, "before any agreement");
    assert_eq!(in_force(d(2026, 1, 15)).await.unwrap().map(|a| a.id), Some(first.id));
    assert_eq!(in_force(d(2026, 8, 31)).await.unwrap().map(|a| a.id), Some(first.id));
    assert_eq!(in_force(d(2026, 9, 1)).await.unwrap().map(|a| a.id), Some(second.id));
    assert_eq!(in_force(d(2030, 1, 1)).await.unwrap().map(|a| a.id), Some(second.id));
    // Two agreed on the same day: the one entered last is in force.
    let third = crm.record_agreement(&Actor::System, h.id, agree(d(2026, 9, 1), 1_300)).await.unwrap();
    assert_eq!(in_force(d(2026, 9, 2)).await.unwrap().map(|a| a.id), Some(third.id));
    // A correction for the past is a new version that does not touch the others.
    let history = crm.hotel_agreements(&Actor::System, h.id).await.unwrap();
    assert_eq!(history.iter().map(|a| a.commission_bp).collect::<Vec<_>>(), [Some(1_300), Some(1_200), Some(1_000)]);
    assert_eq!(history[2], first);
    let bad = agree(d(2026, 1, 1), 10_001);
    assert_eq!(invalid(crm.record_agreement(&Actor::System, h.id, bad).await), Invalid::CommissionRange);
    let bad = AgreementInput { allotment: Some(-1), ..agree(d(2026, 1, 1), 0) };
    assert_eq!(invalid(crm.record_agreement(&Actor::System, h.id, bad).await), Invalid::AllotmentRange);
});

each_backend!(cancellation_terms_are_checked_stored_and_priced, |app| {
    let (h, _) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    let sys = &Actor::System;
    let p = PenaltyKind::Percent(5_000);
    for (free_days, rules, want) in [
        (14, vec![rule(0, 7, p), rule(7, 13, p)], Invalid::RulesOverlap),
        (14, vec![rule(5, 3, p)], Invalid::RuleDays),
        (14, vec![rule(7, 14, p)], Invalid::RuleInFreeWindow),
        (14, vec![rule(0, 3, PenaltyKind::Percent(12_000))], Invalid::PenaltyRange),
        (400, vec![], Invalid::FreeDaysRange),
    ] {
        let got = crm.set_cancellation_terms(sys, h.id, CancellationTerms { free_days, rules }).await;
        assert_eq!(invalid(got), want);
    }
    assert_eq!(crm.hotel_cancellation_terms(sys, h.id).await.unwrap(), CancellationTerms::default(), "nothing stored");

    let terms = CancellationTerms {
        free_days: 30,
        rules: vec![
            rule(1, 6, PenaltyKind::Fixed(rub(50_000))),
            rule(15, 29, PenaltyKind::Percent(2_550)),
            rule(7, 14, PenaltyKind::Percent(5_000)),
        ],
    };
    let stored = crm.set_cancellation_terms(sys, h.id, terms).await.unwrap();
    assert_eq!(stored.rules.iter().map(|r| r.min_days).collect::<Vec<_>>(), [1, 7, 15], "sorted");
    let terms = hotels::cancellation_terms(&mut crm.store().conn().await.unwrap(), h.id).await.unwrap();
    assert_eq!(terms, stored);
    for (cost, days, want) in [
        (100_000, 45, 0),
        (100_000, 30, 0),
        (100_000, 29, 25_500),
        (10_001, 20, 2_550), // 2 550.255 → 2 550
        (10_002, 15, 2_551), // 2 550.51 → 2 551
        (10_003, 14, 5_002), // 5 001.5 → half up
        (100_000, 7, 50_000),
        (100_000, 6, 50_000),
        (30_000, 1, 30_000),    // fixed capped at the cost
        (100_000, 0, 100_000),  // no rule for the arrival day: the whole cost
        (100_000, -2, 100_000), // no-show
    ] {
        assert_eq!(terms.penalty(rub(cost), days), rub(want), "{cost} at {days} days");
    }
    // Replacing is whole: the old rules are gone.
    let fewer = CancellationTerms { free_days: 3, rules: vec![rule(0, 2, PenaltyKind::Percent(10_000))] };
    assert_eq!(crm.set_cancellation_terms(sys, h.id, fewer.clone()).await.unwrap(), fewer);
    assert_eq!(crm.hotel_cancellation_terms(sys, h.id).await.unwrap(), fewer);
});

fn entry(kind: InteractionKind, direction: Direction, body: &str, hours_ago: Option<i64>) -> CorrespondenceInput {
    CorrespondenceInput {
        kind,
        direction,
        subject: String::new(),
        body: body.into(),
        occurred_at: hours_ago.map(|h| t0() - Duration::hours(h)),
        manager_id: None,
    }
}

each_backend!(correspondence_is_logged_newest_first, |app| {
    let op = app.actor("oper", Role::Operator).await;
    let (h, _) = hotel_with_room(&app, &op).await;
    let (other, _) = hotel_with_room(&app, &op).await;
    let crm = &app.crm;
    let log = |e: CorrespondenceInput| crm.log_hotel_correspondence(&op, h.id, e);
    let ayse = crm.add_manager(&op, h.id, ManagerInput { name: "Ayşe Yılmaz".into(), ..Default::default() }).await;
    let ayse = ayse.unwrap();
    let letter = CorrespondenceInput {
        subject: "  Квота   на июль ".into(),
        manager_id: Some(ayse.id),
        ..entry(InteractionKind::Email, Direction::Out, "Запрос квоты на июль", Some(48))
    };
    let first = log(letter).await.unwrap();
    assert_eq!((first.subject.as_str(), first.hotel_manager_id), ("Квота на июль", Some(ayse.id)));
    log(entry(InteractionKind::Call, Direction::In, "Подтвердили 10 номеров", Some(2))).await.unwrap();
    log(entry(InteractionKind::Note, Direction::None, "Менеджер в отпуске до 1 декабря", Some(24))).await.unwrap();
    let now = log(entry(InteractionKind::Message, Direction::Out, "Спасибо!", None)).await.unwrap();
    assert_eq!((now.occurred_at, now.subject.as_str(), now.hotel_manager_id), (t0(), "", None));
    crm.log_hotel_correspondence(&op, other.id, entry(InteractionKind::Email, Direction::In, "Другой отель", None))
        .await
        .unwrap();
    for bad in [InteractionKind::Booking, InteractionKind::Complaint] {
        assert_eq!(invalid(log(entry(bad, Direction::In, "x", None)).await), Invalid::KindUnknown);
    }
    let empty = entry(InteractionKind::Note, Direction::None, "  ", None);
    assert_eq!(empty.problems(), [("body", Invalid::TextEmpty)]);
    assert_eq!(invalid(log(empty).await), Invalid::TextEmpty);
    let long_subject =
        CorrespondenceInput { subject: "я".repeat(201), ..entry(InteractionKind::Call, Direction::In, "", None) };
    assert_eq!(long_subject.problems(), [("subject", Invalid::FieldTooLong), ("body", Invalid::TextEmpty)]);
    // Typed to the minute on a clock a little fast is still now; an hour ahead is not.
    let soon = entry(InteractionKind::Call, Direction::In, "Только что", Some(0));
    let soon = CorrespondenceInput { occurred_at: Some(t0() + Duration::minutes(4)), ..soon };
    log(soon).await.unwrap();
    let later = entry(InteractionKind::Call, Direction::In, "Завтрашний звонок", Some(-1));
    assert_eq!(invalid(log(later).await), Invalid::TimeFuture);
    let other_manager = crm.add_manager(&op, other.id, ManagerInput { name: "Other".into(), ..Default::default() });
    for manager in [other_manager.await.unwrap().id, 999_999] {
        let e =
            CorrespondenceInput { manager_id: Some(manager), ..entry(InteractionKind::Call, Direction::In, "x", None) };
        assert_eq!(invalid(log(e).await), Invalid::ManagerNotOfHotel, "manager {manager}");
    }
    let got = crm
        .log_hotel_correspondence(&op, HotelId(999_999), entry(InteractionKind::Note, Direction::None, "x", None))
        .await;
    assert!(matches!(got, Err(Error::NotFound(_))));

    let entries = crm.hotel_correspondence(&op, h.id, 10).await.unwrap();
    let bodies: Vec<_> = entries.iter().map(|e| e.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["Только что", "Спасибо!", "Подтвердили 10 номеров", "Менеджер в отпуске до 1 декабря", "Запрос квоты на июль"]
    );
    assert!(entries.iter().all(|e| e.hotel_id == Some(h.id) && e.client_id.is_none() && e.author == op.audit_name()));
    assert_eq!(crm.hotel_correspondence(&op, h.id, 2).await.unwrap().len(), 2);
});

#[test]
fn inputs_name_every_refused_field() {
    let hotel =
        HotelInput { name: " ".into(), city: "x".repeat(201), address: "a".repeat(1_001), ..Default::default() };
    assert_eq!(
        hotel.problems(),
        [
            ("name", Invalid::TitleEmpty),
            ("country", Invalid::CountryEmpty),
            ("city", Invalid::FieldTooLong),
            ("address", Invalid::TextTooLong)
        ]
    );
    assert!(hotel_input("Rixos", "Турция", "Кемер").problems().is_empty());
    let room = RoomInput { description: "d".repeat(5_001), ..room_input("", 0) };
    assert_eq!(
        room.problems(),
        [
            ("room_type", Invalid::TitleEmpty),
            ("capacity", Invalid::RoomCapacity),
            ("description", Invalid::TextTooLong)
        ]
    );
    let s = SeasonInput { price_per_night: rub(-1), ..season(d(2026, 6, 2), d(2026, 6, 1), 0) };
    assert_eq!(s.problems(), [("ends_on", Invalid::DatesOrder), ("price_per_night", Invalid::MoneyNegative)]);
    let m = ManagerInput { position: "p".repeat(201), telegram: Some("@abc".into()), ..Default::default() };
    assert_eq!(
        m.problems(),
        [("name", Invalid::NameEmpty), ("position", Invalid::FieldTooLong), ("telegram", Invalid::TelegramUsername)]
    );
    let a = AgreementInput {
        commission_bp: Some(10_001),
        allotment: Some(-1),
        terms: "t".repeat(5_001),
        ..Default::default()
    };
    assert_eq!(
        a.problems(),
        [
            ("commission", Invalid::CommissionRange),
            ("allotment", Invalid::AllotmentRange),
            ("terms", Invalid::TextTooLong)
        ]
    );
}

each_backend!(one_room_and_one_manager_are_read_for_their_pages, |app| {
    let op = app.actor("oper", Role::Operator).await;
    let (h, r) = hotel_with_room(&app, &op).await;
    app.crm.add_season(&op, r.id, season(d(2026, 6, 1), d(2026, 6, 30), 100_000)).await.unwrap();
    let got = app.crm.hotel_room(&op, r.id).await.unwrap();
    assert_eq!((got.room, got.seasons.len()), (r, 1));
    let m = app.crm.add_manager(&op, h.id, ManagerInput { name: "Ayşe".into(), ..Default::default() }).await.unwrap();
    assert_eq!(app.crm.hotel_manager(&op, m.id).await.unwrap(), m);
    assert!(matches!(app.crm.hotel_room(&op, RoomId(999_999)).await, Err(Error::NotFound(_))));
    assert!(matches!(app.crm.hotel_manager(&op, 999_999).await, Err(Error::NotFound(_))));
});

each_backend!(hotels_are_searched_by_place_and_text_in_any_case, |app| {
    let sys = &Actor::System;
    let crm = &app.crm;
    let a = crm.create_hotel(sys, hotel_input("Ёлки Парк", "Россия", "Сочи")).await.unwrap();
    let b = crm.create_hotel(sys, hotel_input("Rixos Premium", "Турция", "Кемер")).await.unwrap();
    let c = crm.create_hotel(sys, hotel_input("Atlantis The Palm", "ОАЭ", "Дубай")).await.unwrap();
    let ids = |hs: Vec<Hotel>| hs.into_iter().map(|h| h.id).collect::<Vec<_>>();
    let find = |country: Option<&str>, city: Option<&str>, text: Option<&str>| HotelFilter {
        country: country.map(Into::into),
        city: city.map(Into::into),
        text: text.map(Into::into),
        ..Default::default()
    };
    assert_eq!(ids(crm.list_hotels(sys, find(None, None, None)).await.unwrap()), [c.id, b.id, a.id], "by name");
    assert_eq!(ids(crm.list_hotels(sys, find(Some("турция"), None, None)).await.unwrap()), [b.id]);
    assert_eq!(ids(crm.list_hotels(sys, find(None, Some("СОЧИ"), None)).await.unwrap()), [a.id]);
    assert_eq!(ids(crm.list_hotels(sys, find(None, None, Some("елки"))).await.unwrap()), [a.id]);
    assert_eq!(ids(crm.list_hotels(sys, find(None, None, Some("PALM"))).await.unwrap()), [c.id]);
    assert_eq!(
        ids(crm.list_hotels(sys, find(Some("Турция"), None, Some("palm"))).await.unwrap()),
        Vec::<HotelId>::new()
    );
    crm.archive_hotel(sys, b.id, true).await.unwrap();
    assert!(matches!(crm.archive_hotel(sys, b.id, true).await, Err(Error::Conflict(_))));
    assert_eq!(ids(crm.list_hotels(sys, find(None, None, None)).await.unwrap()), [c.id, a.id]);
    let all = HotelFilter { include_archived: true, ..Default::default() };
    assert_eq!(ids(crm.list_hotels(sys, all).await.unwrap()), [c.id, b.id, a.id]);
    let one = HotelFilter { limit: 1, ..Default::default() };
    assert_eq!(ids(crm.list_hotels(sys, one).await.unwrap()), [c.id]);
    crm.archive_hotel(sys, b.id, false).await.unwrap();
    assert!(!crm.get_hotel(sys, b.id).await.unwrap().archived);
});

each_backend!(a_client_sees_only_public_hotels_and_rooms_on_offer, |app| {
    let client = app.client("+7 912 345-67-89", None).await;
    let me = Actor::Client(client.id);
    let (h, room) = hotel_with_room(&app, &Actor::System).await;
    let crm = &app.crm;
    let old = crm.add_room(&Actor::System, h.id, room_input("Old wing", 2)).await.unwrap();
    crm.archive_room(&Actor::System, old.id, true).await.unwrap();
    assert_eq!(crm.get_hotel(&me, h.id).await.unwrap().name, h.name);
    assert_eq!(crm.hotel_rooms(&me, h.id).await.unwrap(), [room]);
    assert_eq!(crm.hotel_rooms(&Actor::System, h.id).await.unwrap().len(), 2, "staff see archived rooms");
    crm.archive_hotel(&Actor::System, h.id, true).await.unwrap();
    assert!(matches!(crm.get_hotel(&me, h.id).await, Err(Error::NotFound(_))));
    assert!(matches!(crm.hotel_rooms(&me, h.id).await, Err(Error::NotFound(_))));
    assert!(crm.get_hotel(&Actor::System, h.id).await.unwrap().archived);
});

each_backend!(bad_hotel_input_is_refused_and_changes_nothing, |app| {
    let sys = &Actor::System;
    let crm = &app.crm;
    let cases = [
        (hotel_input(" ", "Турция", "Кемер"), Invalid::TitleEmpty),
        (hotel_input(&"Я".repeat(201), "Турция", "Кемер"), Invalid::FieldTooLong),
        (hotel_input("Rixos", "", "Кемер"), Invalid::CountryEmpty),
        (hotel_input("Rixos", "Турция", " "), Invalid::CityEmpty),
    ];
    for (input, want) in cases {
        assert_eq!(invalid(crm.create_hotel(sys, input).await), want);
    }
    assert!(
        crm.list_hotels(sys, HotelFilter { include_archived: true, ..Default::default() }).await.unwrap().is_empty()
    );
    let (h, room) = hotel_with_room(&app, sys).await;
    for cap in [0, 21] {
        assert_eq!(invalid(crm.add_room(sys, h.id, room_input("Suite", cap)).await), Invalid::RoomCapacity);
    }
    assert_eq!(invalid(crm.update_room(sys, room.id, room_input("", 2)).await), Invalid::TitleEmpty);
    let nameless = ManagerInput { name: "  ".into(), ..Default::default() };
    assert_eq!(invalid(crm.add_manager(sys, h.id, nameless).await), Invalid::NameEmpty);
    let bad_tg = ManagerInput { name: "Ali".into(), telegram: Some("@ab".into()), ..Default::default() };
    assert_eq!(invalid(crm.add_manager(sys, h.id, bad_tg).await), Invalid::TelegramUsername);
    assert_eq!(IntlPhone::parse("+90 12"), Err(Invalid::IntlPhoneFormat));
    assert_eq!(Email::parse("sales@hotel"), Err(Invalid::EmailFormat));
    assert_eq!(Stars::new(6), Err(Invalid::StarsRange));
    assert!(crm.hotel_managers(sys, h.id).await.unwrap().is_empty());
    assert!(matches!(crm.add_room(sys, HotelId(999_999), room_input("Suite", 2)).await, Err(Error::NotFound(_))));
    assert!(matches!(
        crm.update_hotel(sys, HotelId(999_999), hotel_input("X", "Y", "Z")).await,
        Err(Error::NotFound(_))
    ));
});
