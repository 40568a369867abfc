//! The KPIs on both backends: the average check (which statuses count, per destination,
//! operator and month, the month-over-month change) and the social funnel's attribution rule.

use crate::each_backend;
use crate::helpers::new_client;
use crate::sales::{excursion, request};
use chrono::Duration;
use crm::domain::{BookingStatus, Currency, Invalid, Money, PaymentMethod, Role};
use crm::services::{ChannelPost, NewClient, PaymentInput, Period, ReactionCount};
use crm::tabular::{Cell, Table};
use crm::{Actor, Error};

fn rub(r: i64) -> Cell {
    Cell::Money(Money::new(r * 100, Currency::RUB))
}

fn row<'a>(table: &'a Table, key: &str) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| matches!(&r[0], Cell::Text(t) if t == key))
        .unwrap_or_else(|| panic!("no row {key} in {}: {:#?}", table.title, table.rows))
}

each_backend!(the_average_check_counts_sold_bookings_per_destination_operator_and_month, |app| {
    let admin = app.actor("admin", Role::Admin).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let (_, altai) = app.published_tour(&operator, 20).await;
    let mut turkey = excursion("Турция: Каппадокия", 80_000);
    turkey.country = "Турция".into();
    let card = app.crm.create_tour(&operator, turkey).await.unwrap();
    let start = app.crm.today() + Duration::days(40);
    let kapp = app.crm.add_departure(&operator, card.tour.id, start, start + Duration::days(5), 20).await.unwrap().id;
    app.crm.publish_tour(&operator, card.tour.id).await.unwrap();

    let book = |dep, n| app.crm.create_booking(&agent, request(&client, dep, n));
    let sign = |b| app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан");
    // Sold: signed (2 × 50 000), partly paid (1 × 50 000), paid in full (1 × 80 000).
    let b1 = book(altai, 2).await.unwrap().booking.id;
    sign(b1).await.unwrap();
    let b2 = book(altai, 1).await.unwrap().booking.id;
    sign(b2).await.unwrap();
    let pay = |b, r: i64| PaymentInput {
        booking_id: b,
        amount: Money::new(r * 100, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&accountant, pay(b2, 10_000)).await.unwrap();
    let b3 = book(kapp, 1).await.unwrap().booking.id;
    sign(b3).await.unwrap();
    app.crm.record_client_payment(&accountant, pay(b3, 80_000)).await.unwrap();
    // Not sold: awaiting the contract; being cancelled; cancelled.
    book(altai, 3).await.unwrap();
    let b5 = book(altai, 1).await.unwrap().booking.id;
    app.crm.change_booking_status(&agent, b5, BookingStatus::CancellationRequested, "передумали").await.unwrap();
    let b6 = book(kapp, 1).await.unwrap().booking.id;
    app.crm.change_booking_status(&agent, b6, BookingStatus::CancellationRequested, "передумали").await.unwrap();
    app.crm.change_booking_status(&admin, b6, BookingStatus::Cancelled, "отменено").await.unwrap();

    let month = Period::month_of(app.crm.now());
    let check = app.crm.average_check(&accountant, month).await.unwrap();
    assert_eq!(row(&check.by_destination, "Россия")[1..], [Cell::Count(2), rub(150_000), rub(75_000)]);
    assert_eq!(row(&check.by_destination, "Турция")[1..], [Cell::Count(1), rub(80_000), rub(80_000)]);
    let totals = check.by_destination.totals.clone().unwrap();
    let average = Cell::Money(Money::new(7_666_667, Currency::RUB)); // 76 666,67 ₽, rounded
    assert_eq!(totals[1..], [Cell::Count(3), rub(230_000), average.clone()]);
    assert_eq!(row(&check.by_operator, "Сотрудник oleg")[1..], [Cell::Count(3), rub(230_000), average]);
    assert_eq!(check.by_month.rows.len(), 1);
    assert_eq!(check.by_month.rows[0][4], Cell::Percent(None), "no month before to compare with");
    assert_eq!(check.destination_chart.labels, vec!["Россия".to_owned(), "Турция".to_owned()]);

    // A month later one more sale: the trend is the change of the average.
    app.clock.advance(Duration::days(31));
    let b7 = book(kapp, 1).await.unwrap().booking.id;
    sign(b7).await.unwrap();
    let both = Period::new(month.first, app.crm.today()).unwrap();
    let check = app.crm.average_check(&admin, both).await.unwrap();
    assert_eq!(check.by_month.rows.len(), 2, "{:#?}", check.by_month.rows);
    let Cell::Percent(Some(change)) = check.by_month.rows[1][4] else { panic!("{:?}", check.by_month.rows[1]) };
    assert!((change - (80_000.0 / 76_666.67 - 1.0)).abs() < 1e-6, "{change}");
    let summary = app.crm.kpi_summary(&admin).await.unwrap();
    let shown = |minor| Some(Money::new(minor, Currency::RUB).accounting());
    assert_eq!((summary.this_month, summary.last_month), (shown(8_000_000), shown(7_666_667)));

    // Only the admin and the accountant; a period that ends before it starts is refused.
    for who in [&agent, &operator] {
        assert!(matches!(app.crm.average_check(who, month).await, Err(Error::Forbidden(_))));
        assert!(matches!(app.crm.social_funnel(who, month).await, Err(Error::Forbidden(_))));
        assert!(matches!(app.crm.kpi_summary(who).await, Err(Error::Forbidden(_))));
    }
    assert_eq!(Period::new(month.last, month.first), Err(Invalid::DatesOrder));
});

fn from_telegram(phone: &str, telegram_id: i64) -> NewClient {
    NewClient { telegram_id: Some(telegram_id), ..new_client("Соцсетева Вера", phone) }
}

each_backend!(a_client_counts_for_the_first_start_within_thirty_days_before_registering, |app| {
    let admin = app.actor("admin", Role::Admin).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let from = app.crm.today();
    let (tg1, tg2, tg3) = (Actor::Telegram(1), Actor::Telegram(2), Actor::Telegram(3));

    // The channel post of post_1, with reactions; only the bot itself records them.
    let post = ChannelPost {
        chat_id: -100,
        message_id: 5,
        posted_at: app.crm.now(),
        edited_at: None,
        text: "Алтай зовёт\nhttps://t.me/bot?start=post_1".into(),
        payloads: vec!["post_1".into(), "post_1".into(), "<bad>".into()],
    };
    assert!(matches!(app.crm.record_channel_post(&admin, &post).await, Err(Error::Forbidden(_))));
    app.crm.record_channel_post(&Actor::System, &post).await.unwrap();
    let counts = [ReactionCount { kind: "👍".into(), count: 7 }, ReactionCount { kind: "paid".into(), count: 3 }];
    app.crm.record_reactions(&Actor::System, -100, 5, app.crm.now(), &counts).await.unwrap();
    assert!(matches!(app.crm.record_reactions(&tg1, -100, 5, app.crm.now(), &counts).await, Err(Error::Forbidden(_))));

    assert!(app.crm.record_deep_link_start(&tg1, 1, "post_1").await.unwrap());
    assert!(app.crm.record_deep_link_start(&tg2, 1, "src_vk_5").await.unwrap());
    assert!(app.crm.record_deep_link_start(&tg3, 1, "post_1").await.unwrap());
    assert!(matches!(app.crm.record_deep_link_start(&admin, 1, "post_1").await, Err(Error::Forbidden(_))));
    app.clock.advance(Duration::days(1));
    assert!(app.crm.record_deep_link_start(&tg1, 2, "post_2").await.unwrap());
    assert!(!app.crm.record_deep_link_start(&tg1, 2, "post_2").await.unwrap(), "the same update again: no-op");
    app.clock.advance(Duration::days(1));
    let c1 = app.crm.register_client(&tg1, from_telegram("+79130000001", 1)).await.unwrap();
    // Forty days after the start: too late to count for it.
    app.clock.advance(Duration::days(38));
    app.crm.register_client(&tg2, from_telegram("+79130000002", 2)).await.unwrap();

    // The first client books and pays.
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&admin, request(&c1, dep, 1)).await.unwrap().booking.id;
    app.crm.change_booking_status(&admin, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let pay = PaymentInput {
        booking_id: b,
        amount: Money::new(500_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&admin, pay).await.unwrap();

    let period = Period::new(from, app.crm.today()).unwrap();
    let funnel = app.crm.social_funnel(&admin, period).await.unwrap();
    let counts_of = |t: &Table, col: usize, key: &str| -> Vec<i64> {
        let r = t.rows.iter().find(|r| matches!(&r[col], Cell::Text(k) if k == key)).unwrap_or_else(|| {
            panic!("no {key} in {:#?}", t.rows);
        });
        r.iter().filter_map(|c| if let Cell::Count(n) = c { Some(*n) } else { None }).collect()
    };
    // post_1: 10 reactions, two people started, one registered (the first start counts), booked, paid.
    assert_eq!(counts_of(&funnel.by_post, 1, "post_1"), vec![10, 2, 1, 1, 1]);
    assert_eq!(funnel.by_post.rows[0][0], Cell::Text("Алтай зовёт".into()));
    assert_eq!(funnel.by_post.rows[0][7..9], [Cell::Percent(Some(0.2)), Cell::Percent(Some(0.5))]);
    // post_2 was a later start of the same person: started, nothing more; no post received.
    assert_eq!(counts_of(&funnel.by_post, 1, "post_2"), vec![1, 0, 0, 0]);
    assert_eq!(row(&funnel.by_post, "(пост не получен ботом)")[2], Cell::Empty);
    // VK: registered forty days after the start, so not attributed.
    assert_eq!(counts_of(&funnel.by_source, 0, "ВКонтакте"), vec![1, 0, 0, 0]);
    assert_eq!(counts_of(&funnel.by_source, 0, "Telegram-канал"), vec![10, 2, 1, 1, 1]);
    assert_eq!(counts_of(&funnel.by_destination, 0, "Россия"), vec![1, 1]);

    // A period before anything happened is empty, not an error.
    let before = Period::new(from - Duration::days(60), from - Duration::days(31)).unwrap();
    let empty = app.crm.social_funnel(&admin, before).await.unwrap();
    assert!(empty.by_post.rows.is_empty() && empty.by_source.rows.is_empty(), "{:#?}", empty.by_post.rows);
});
