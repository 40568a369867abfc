//! Automatic notifications and broadcasts on a fixed clock: each kind due, not yet due, already
//! queued, blacklisted, without consent, at the edges of the client's daytime, 29 February;
//! template validation; audiences; the outbox claim and crash recovery.

use crate::each_backend;
use crate::helpers::{TestApp, t0};
use crate::sales::request;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use crm::domain::{
    BirthDate, BookingStatus, City, Currency, ForeignPassport, Money, OutboxId, PaymentMethod, PersonName, Phone, Role,
};
use crm::notify::{BroadcastKind, Daytime, NotificationKind};
use crm::services::notify::BroadcastInput;
use crm::services::{AudienceFilter, Client, NewClient, OutboxFilter, OutboxStatus, PaymentInput};
use crm::{Actor, Error};
use testkit::ClaimOne;

const SYS: Actor = Actor::System;
const SURNAMES: [&str; 20] = [
    "Алексеев",
    "Борисов",
    "Васильев",
    "Григорьев",
    "Дмитриев",
    "Егоров",
    "Жуков",
    "Зайцев",
    "Ильин",
    "Козлов",
    "Лебедев",
    "Морозов",
    "Новиков",
    "Орлов",
    "Павлов",
    "Романов",
    "Соколов",
    "Тарасов",
    "Уткин",
    "Фёдоров",
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

impl TestApp {
    /// A client reachable in Telegram (chat id = 5000 + n), born on `birth`, in `city`.
    async fn tg_client(&self, n: i64, birth: &str, city: &str, marketing: bool) -> Client {
        let new = NewClient {
            full_name: PersonName::parse(&format!("{} Иван", SURNAMES[n as usize % SURNAMES.len()])).unwrap(),
            phone: Phone::parse(&format!("+7 913 {:07}", 1_000_000 + n)).unwrap(),
            birth_date: BirthDate::parse(birth, t0().date_naive()).unwrap(),
            city: City::parse(city).unwrap(),
            telegram_id: Some(5000 + n),
            telegram_username: None,
            source: None,
            personal_data_consent: true,
            marketing_consent: marketing,
            agent_id: None,
        };
        self.crm.register_client(&SYS, new).await.unwrap()
    }

    async fn schedule(&self) -> usize {
        self.crm.schedule_notifications(&SYS, Daytime::default()).await.unwrap().total()
    }

    async fn queued(&self, kind: &str) -> Vec<crm::services::OutboxEntry> {
        let all = self.crm.outbox_entries(&self.admin().await, OutboxFilter { limit: 500, ..Default::default() }).await;
        all.unwrap().into_iter().filter(|e| e.kind == kind).collect()
    }

    async fn admin(&self) -> Actor {
        match self.crm.list_staff(&SYS).await.unwrap().into_iter().find(|s| s.login == "boss") {
            Some(s) => Actor::staff(s.id, Role::Admin),
            None => self.actor("boss", Role::Admin).await,
        }
    }
}

each_backend!(payment_reminders_are_due_three_days_ahead_once_and_not_when_paid, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let client = app.tg_client(1, "05.03.1990", "Новосибирск", false).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    // Booked on 25.11 for a departure on 25.12: deposit due 28.11, balance 11.12.
    let req = request(&client, dep, 2);
    let card = app.crm.create_booking(&SYS, req).await.unwrap();
    // Payments are refused before the contract is signed: no reminder to make one either.
    assert_eq!(app.schedule().await, 0, "contract not signed yet");
    app.crm.change_booking_status(&SYS, card.booking.id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    // 24.11 would be 4 days ahead: set the clock back a day (16:00 in Novosibirsk).
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
    assert_eq!(app.schedule().await, 0, "not yet due");
    app.clock.set(t0());
    assert_eq!(app.schedule().await, 1);
    assert_eq!(app.schedule().await, 0, "already queued");
    let rows = app.queued("payment_due").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].body.contains(&format!("брони №{}", card.booking.id)), "{}", rows[0].body);
    let deposit = crm::domain::Money::new(3_000_000, crm::domain::Currency::RUB).to_string();
    assert!(rows[0].body.contains(&deposit), "deposit of 30% of 100 000: {}", rows[0].body);
    assert!(rows[0].body.contains("28.11.2026"), "{}", rows[0].body);
    // The balance (11.12) is reminded of on 08.12 — unless it is paid by then.
    let pay = crm::services::PaymentInput {
        booking_id: card.booking.id,
        amount: card.booking.total,
        method: crm::domain::PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&SYS, pay).await.unwrap();
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap());
    assert_eq!(app.schedule().await, 0, "paid in full: nothing to remind of");
});

each_backend!(departure_reminders_come_the_day_before_in_local_daytime_only, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let client = app.tg_client(2, "05.03.1990", "Москва", false).await;
    let (_, dep) = app.published_tour(&operator, 10).await; // departs 25.12.2026
    let time = chrono::NaiveTime::from_hms_opt(6, 40, 0);
    app.crm.set_departure_details(&operator, dep, time, "  аэропорт   Толмачёво, стойка 12 ").await.unwrap();
    let agent = app.actor("anna", Role::Agent).await;
    assert!(matches!(app.crm.set_departure_details(&agent, dep, None, "").await, Err(Error::Forbidden(_))));
    let req = request(&client, dep, 1);
    app.crm.create_booking(&SYS, req).await.unwrap();
    app.crm.schedule_notifications(&SYS, Daytime::default()).await.unwrap();
    assert!(app.queued("departure_tomorrow").await.is_empty(), "a month ahead");
    // 24.12 06:59 UTC is 09:59 in Moscow: quiet hours.
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 24, 6, 59, 0).unwrap());
    app.schedule().await;
    assert!(app.queued("departure_tomorrow").await.is_empty(), "before 10:00 local");
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 24, 7, 0, 0).unwrap());
    app.schedule().await;
    let rows = app.queued("departure_tomorrow").await;
    assert_eq!(rows.len(), 1);
    let body = &rows[0].body;
    assert!(body.contains("Алтай: золотые горы") && body.contains("выезд 25.12.2026 в 06:40"), "{body}");
    assert!(body.contains("место сбора: аэропорт Толмачёво, стойка 12"), "{body}");
    // On the day itself it is too late to say «завтра»: a missed reminder is not made up.
    let other = app.tg_client(3, "05.03.1990", "Москва", false).await;
    let req = request(&other, dep, 1);
    app.clock.set(t0());
    app.crm.create_booking(&SYS, req).await.unwrap();
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 25, 9, 0, 0).unwrap());
    app.schedule().await;
    assert_eq!(app.queued("departure_tomorrow").await.len(), 1);
});

each_backend!(passport_reminders_skip_the_blacklisted_and_respect_the_lead_time, |app| {
    let admin = app.admin().await;
    let soon = app.tg_client(4, "05.03.1990", "Москва", false).await;
    let later = app.tg_client(5, "05.03.1990", "Москва", false).await;
    let banned = app.tg_client(6, "05.03.1990", "Москва", false).await;
    let passport = |expires: NaiveDate| {
        ForeignPassport::parse("75 1234567", d(2017, 1, 1), expires, "МВД 77001", "klientov ivan", t0().date_naive())
            .unwrap()
    };
    app.crm.put_foreign_passport(&SYS, soon.id, &passport(d(2027, 4, 1))).await.unwrap();
    app.crm.put_foreign_passport(&SYS, later.id, &passport(d(2027, 9, 1))).await.unwrap();
    app.crm.put_foreign_passport(&SYS, banned.id, &passport(d(2027, 3, 1))).await.unwrap();
    app.crm.set_blacklist(&admin, banned.id, true, "Хамство").await.unwrap();
    app.schedule().await;
    let rows = app.queued("passport_expiring").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].client_id, soon.id);
    assert!(rows[0].body.contains("01.04.2027"), "{}", rows[0].body);
    // A longer lead time reaches the September expiry too; switched off, nothing more is queued.
    let s = app.crm.notification_settings(&admin).await.unwrap();
    let tpl = s.iter().find(|s| s.kind == NotificationKind::PassportExpiring).unwrap().template.clone();
    app.crm.save_notification_setting(&admin, NotificationKind::PassportExpiring, false, 365, &tpl).await.unwrap();
    app.schedule().await;
    assert_eq!(app.queued("passport_expiring").await.len(), 1, "switched off");
    app.crm.save_notification_setting(&admin, NotificationKind::PassportExpiring, true, 365, &tpl).await.unwrap();
    app.schedule().await;
    assert_eq!(app.queued("passport_expiring").await.len(), 2);
});

each_backend!(birthdays_greet_everyone_but_offer_only_with_consent_and_29_february_is_28th, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    app.published_tour(&operator, 10).await; // a departure on 25.12.2026, from Новосибирск
    let leap = app.tg_client(7, "29.02.2000", "Новосибирск", true).await;
    let no_consent = app.tg_client(8, "05.12.1985", "Новосибирск", false).await;
    let consent = app.tg_client(9, "05.12.1985", "Новосибирск", true).await;
    // 21.11 is 14 days before 05.12: the offer is due for the consenting client only.
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 21, 5, 0, 0).unwrap());
    app.schedule().await;
    let offers = app.queued("birthday_offer").await;
    assert_eq!(offers.iter().map(|o| o.client_id).collect::<Vec<_>>(), [consent.id]);
    assert!(offers[0].body.contains("Алтай: золотые горы"), "the tour departing near the birthday: {}", offers[0].body);
    // On the day both get the greeting (not advertising).
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 5, 5, 0, 0).unwrap());
    app.schedule().await;
    let mut greeted: Vec<_> = app.queued("birthday_greeting").await.into_iter().map(|o| o.client_id).collect();
    greeted.sort();
    assert_eq!(greeted, [no_consent.id, consent.id]);
    // 2027 is not a leap year: the 29 February birthday is greeted on 28 February, once.
    app.clock.set(Utc.with_ymd_and_hms(2027, 2, 27, 5, 0, 0).unwrap());
    app.schedule().await;
    assert!(!app.queued("birthday_greeting").await.iter().any(|o| o.client_id == leap.id));
    app.clock.set(Utc.with_ymd_and_hms(2027, 2, 28, 5, 0, 0).unwrap());
    app.schedule().await;
    app.clock.set(Utc.with_ymd_and_hms(2027, 2, 28, 8, 0, 0).unwrap());
    app.schedule().await;
    assert_eq!(app.queued("birthday_greeting").await.iter().filter(|o| o.client_id == leap.id).count(), 1);
});

each_backend!(a_birthday_offer_waits_for_a_tour_to_offer_and_goes_once_one_is_published, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let client = app.tg_client(9, "05.12.1985", "Новосибирск", true).await;
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 21, 5, 0, 0).unwrap());
    app.schedule().await;
    assert!(app.queued("birthday_offer").await.is_empty(), "nothing to offer yet");
    // Published a minute later, departing 21.12: near the birthday, still in time.
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 21, 5, 1, 0).unwrap());
    app.published_tour(&operator, 10).await;
    app.schedule().await;
    app.schedule().await;
    let offers = app.queued("birthday_offer").await;
    assert_eq!(offers.iter().map(|o| o.client_id).collect::<Vec<_>>(), [client.id]);
    assert!(offers[0].body.contains("Алтай: золотые горы"), "{}", offers[0].body);
});

each_backend!(templates_that_do_not_render_are_refused_and_change_nothing, |app| {
    let admin = app.admin().await;
    let agent = app.actor("anna", Role::Agent).await;
    let kind = NotificationKind::BirthdayGreeting;
    let err = app.crm.save_notification_setting(&admin, kind, true, 0, "{{ client.nickname }}").await.unwrap_err();
    assert!(matches!(&err, Error::Template(t) if t.0.contains("nickname")), "{err:?}");
    let err = app.crm.save_notification_setting(&admin, kind, true, 0, "{% if %}").await.unwrap_err();
    assert!(matches!(err, Error::Template(_)));
    assert!(matches!(
        app.crm.save_notification_setting(&admin, kind, true, 400, kind.default_template()).await,
        Err(Error::Invalid(crm::domain::Invalid::LeadDays))
    ));
    let s = app.crm.notification_settings(&admin).await.unwrap();
    let g = s.iter().find(|s| s.kind == kind).unwrap();
    assert!(!g.customized && g.enabled && g.lead_days == 0);
    assert!(matches!(app.crm.notification_settings(&agent).await, Err(Error::Forbidden(_))));
    let saved =
        app.crm.save_notification_setting(&admin, kind, true, 0, "С днём рождения, {{ client.first_name }}!").await;
    assert!(saved.unwrap().customized);
    app.tg_client(10, "25.11.1980", "Москва", false).await;
    app.schedule().await;
    assert_eq!(app.queued("birthday_greeting").await[0].body, "С днём рождения, Иван!");
});

each_backend!(broadcast_audiences_exclude_the_blacklisted_and_unsubscribed_and_deliver_once, |app| {
    let admin = app.admin().await;
    let operator = app.actor("oleg", Role::Operator).await;
    let (tour, _) = app.published_tour(&operator, 10).await;
    let a = app.tg_client(11, "05.03.1990", "Москва", true).await;
    let b = app.tg_client(12, "05.03.1990", "Москва", true).await;
    let c = app.tg_client(13, "05.03.1990", "Омск", true).await;
    let banned = app.tg_client(14, "05.03.1990", "Москва", true).await;
    app.tg_client(15, "05.03.1990", "Москва", false).await; // no consent
    app.crm.add_tag(&SYS, a.id, "VIP").await.unwrap();
    app.crm.add_tag(&SYS, c.id, "vip").await.unwrap();
    app.crm.set_blacklist(&admin, banned.id, true, "Спам").await.unwrap();
    let size = |a: AudienceFilter| {
        let crm = app.crm.clone();
        let op = operator;
        async move { crm.audience_size(&op, &a).await.unwrap() }
    };
    assert_eq!(size(AudienceFilter::default()).await, 3);
    assert_eq!(size(AudienceFilter { city: Some("Москва".into()), ..Default::default() }).await, 2);
    assert_eq!(size(AudienceFilter { tag_keys: vec!["vip".into()], ..Default::default() }).await, 2);
    assert_eq!(size(AudienceFilter { tag_keys: vec!["VIP".into()], ..Default::default() }).await, 2, "a tag's name");
    assert_eq!(size(AudienceFilter { countries: vec!["Россия".into()], ..Default::default() }).await, 0);
    let agent = app.actor("anna", Role::Agent).await;
    assert!(matches!(app.crm.audience_size(&agent, &AudienceFilter::default()).await, Err(Error::Forbidden(_))));

    let input = BroadcastInput {
        kind: BroadcastKind::HotTour,
        title: "Горящий Алтай".into(),
        template: BroadcastKind::HotTour.default_template().into(),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    let bad = BroadcastInput { template: "{{ tour.nope }}".into(), ..input.clone() };
    assert!(matches!(app.crm.create_broadcast(&operator, bad).await, Err(Error::Template(_))));
    // Without a tour the recipients get no `tour.*`: a template that needs one is refused.
    let no_tour = BroadcastInput { tour_id: None, ..input.clone() };
    assert!(matches!(app.crm.create_broadcast(&operator, no_tour).await, Err(Error::Template(_))));
    let past = BroadcastInput { send_at: Some(t0() - Duration::hours(2)), ..input.clone() };
    assert!(matches!(app.crm.create_broadcast(&operator, past).await, Err(Error::Invalid(_))));
    let bc = app.crm.create_broadcast(&operator, input).await.unwrap();
    // Expanding twice writes each recipient once.
    assert_eq!(app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap(), 3);
    assert_eq!(app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap(), 0);
    let card = app.crm.broadcast_card(&operator, bc.id).await.unwrap();
    assert_eq!((card.broadcast.status.as_str(), card.broadcast.recipients), ("sending", Some(3)));
    // b unsubscribes after the expansion: at claim time the row is skipped, not sent.
    app.crm.set_marketing_consent(&SYS, b.id, false).await.unwrap();
    // Pause holds everything; nothing can be claimed; resume releases.
    app.crm.pause_broadcast(&operator, bc.id).await.unwrap();
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None);
    app.crm.resume_broadcast(&operator, bc.id).await.unwrap();
    let mut chats = Vec::new();
    while let Some(m) = app.crm.claim_outgoing(&SYS).await.unwrap() {
        assert!(m.advertising && m.tour_id == Some(tour.0));
        assert!(m.body.contains("Алтай: золотые горы"), "{}", m.body);
        chats.push(m.chat_id);
        app.crm.outgoing_sent(&SYS, &[(m.id, Some(1))]).await.unwrap();
    }
    chats.sort();
    assert_eq!(chats, [5011, 5013]);
    app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
    let card = app.crm.broadcast_card(&operator, bc.id).await.unwrap();
    assert_eq!(card.broadcast.status, "done");
    assert_eq!((card.count(OutboxStatus::Sent), card.count(OutboxStatus::Skipped)), (2, 1));
    assert!(app.crm.cancel_broadcast(&operator, bc.id).await.is_err(), "a finished broadcast cannot be cancelled");
});

each_backend!(broadcasts_wait_for_each_recipients_daytime_and_cancel_closes_the_rest, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let (tour, _) = app.published_tour(&operator, 10).await;
    app.tg_client(16, "05.03.1990", "Москва", true).await;
    app.tg_client(17, "05.03.1990", "Владивосток", true).await;
    // 12:00 UTC: 15:00 in Moscow, 22:00 in Vladivostok.
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap());
    let input = BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Новинка".into(),
        template: BroadcastKind::NewTour.default_template().into(),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    let bc = app.crm.create_broadcast(&operator, input).await.unwrap();
    app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
    let m = app.crm.claim_outgoing(&SYS).await.unwrap().unwrap();
    assert_eq!(m.chat_id, 5016);
    app.crm.outgoing_sent(&SYS, &[(m.id, None)]).await.unwrap();
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None, "night in Vladivostok");
    app.crm.cancel_broadcast(&operator, bc.id).await.unwrap();
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap());
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None, "cancelled");
    let card = app.crm.broadcast_card(&operator, bc.id).await.unwrap();
    assert_eq!((card.count(OutboxStatus::Sent), card.count(OutboxStatus::Cancelled)), (1, 1));
});

each_backend!(a_message_in_flight_at_a_crash_becomes_unknown_and_is_resent_only_by_the_admin, |app| {
    let admin = app.admin().await;
    app.tg_client(18, "25.11.1980", "Москва", false).await;
    app.schedule().await;
    let m = app.crm.claim_outgoing(&SYS).await.unwrap().unwrap();
    // The process dies here. The next start:
    assert_eq!(app.crm.recover_outbox(&SYS).await.unwrap(), 1);
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None, "never resent by itself");
    let rows = app.queued("birthday_greeting").await;
    assert_eq!(rows[0].status, OutboxStatus::Unknown);
    app.crm.requeue_message(&admin, m.id).await.unwrap();
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap().map(|x| x.id), Some(m.id));
    assert!(app.crm.requeue_message(&admin, m.id).await.is_err(), "sending is not requeued");
    assert!(matches!(app.crm.requeue_message(&admin, OutboxId(m.id.0 + 100)).await, Err(Error::NotFound(_))));
});

/// A template naming every variable of `sample` (each item field of a list too).
fn every_variable(sample: &serde_json::Value) -> String {
    fn walk(name: &str, v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(fields) => {
                for (k, v) in fields {
                    walk(&if name.is_empty() { k.clone() } else { format!("{name}.{k}") }, v, out);
                }
            }
            serde_json::Value::Array(items) => {
                let fields = items.first().and_then(|i| i.as_object()).map(|o| o.keys().cloned().collect::<Vec<_>>());
                let each: String = fields.unwrap_or_default().iter().map(|f| format!("{{{{ x.{f} }}}};")).collect();
                out.push_str(&format!("{{% for x in {name} %}}{each}{{% endfor %}}\n"));
            }
            _ => out.push_str(&format!("{{{{ {name} }}}}\n")),
        }
    }
    let mut out = String::new();
    walk("", sample, &mut out);
    out
}

each_backend!(every_variable_the_preview_offers_is_there_when_sending, |app| {
    let admin = app.admin().await;
    let operator = app.actor("oleg", Role::Operator).await;
    for kind in NotificationKind::ALL {
        let template = every_variable(&kind.sample_context());
        let lead = kind.default_lead_days();
        app.crm.save_notification_setting(&admin, kind, true, lead, &template).await.unwrap();
    }
    let (tour, dep) = app.published_tour(&operator, 10).await; // departs 25.12.2026 from Новосибирск
    // Born today (a greeting) and in 14 days (an offer, with consent); a passport expiring; a
    // deposit due in 3 days.
    let today = app.tg_client(30, "25.11.1980", "Москва", false).await;
    let soon = app.tg_client(31, "09.12.1985", "Новосибирск", true).await;
    let passport = ForeignPassport::parse(
        "75 1234567",
        d(2017, 1, 1),
        d(2027, 4, 1),
        "МВД 77001",
        "ivanov ivan",
        t0().date_naive(),
    );
    app.crm.put_foreign_passport(&SYS, today.id, &passport.unwrap()).await.unwrap();
    let booked = app.crm.create_booking(&SYS, request(&soon, dep, 1)).await.unwrap().booking;
    // Signed (a status message) and paid in part (a payment message): every event kind too.
    app.crm.change_booking_status(&SYS, booked.id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let pay = PaymentInput {
        booking_id: booked.id,
        amount: Money::new(1_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&SYS, pay).await.unwrap();
    app.schedule().await;
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 24, 7, 0, 0).unwrap());
    app.schedule().await;
    let input = BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Все переменные".into(),
        template: every_variable(&BroadcastKind::NewTour.sample_context()),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    app.crm.create_broadcast(&operator, input).await.unwrap();
    app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
    let all = app.crm.outbox_entries(&admin, OutboxFilter { limit: 100, ..Default::default() }).await.unwrap();
    let mut kinds: Vec<&str> = all.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    let expected = [
        "birthday_greeting",
        "birthday_offer",
        "booking_status",
        "departure_tomorrow",
        "new_tour",
        "passport_expiring",
        "payment_due",
        "payment_received",
    ];
    assert_eq!(kinds, expected, "one message of each kind");
    for e in &all {
        assert_ne!(e.status, OutboxStatus::Failed, "{}: {}", e.kind, e.body);
    }
});

/// Only one instance schedules and sends: on PostgreSQL the second one is refused the lock
/// until the first lets go (its connection closes); a SQLite file is always one machine's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_instance_leads_the_notifications() {
    for backend in testkit::backends() {
        let app = crate::helpers::spawn(backend).await;
        let other = crm::store::Store::open(app.url()).await.unwrap();
        let first = app.crm.store().try_lead(42).await.unwrap();
        assert!(first.is_some());
        let second = other.try_lead(42).await.unwrap();
        if backend == testkit::Backend::Postgres {
            assert!(second.is_none(), "two leaders");
            drop(first);
            // The lock goes with its connection; the server notices the close at once.
            let mut taken = None;
            for _ in 0..50 {
                taken = other.try_lead(42).await.unwrap();
                if taken.is_some() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let mut taken = taken.expect("the lock passes to the other instance");
            assert!(taken.still_held().await);
        } else {
            assert!(second.is_some());
        }
    }
}

each_backend!(a_client_hears_of_each_status_move_once_whoever_made_it, |app| {
    let admin = app.admin().await;
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let maria = app.tg_client(31, "05.03.1990", "Москва", false).await;
    let b = app.crm.create_booking(&SYS, request(&maria, dep, 1)).await.unwrap().booking.id;
    let messages = || async {
        let mut m = app.queued("booking_status").await;
        m.sort_by_key(|e| e.id);
        m
    };
    assert!(messages().await.is_empty(), "a new booking is not a move");

    // The agent (as in the bot), the admin (as in the panel), and a payment.
    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();
    let pay = |rub: i64, id: &str| PaymentInput {
        booking_id: b,
        amount: Money::new(rub * 100, Currency::RUB),
        method: PaymentMethod::Online,
        external_id: Some(id.into()),
        note: String::new(),
    };
    app.crm.record_client_payment(&SYS, pay(10_000, "pay-1")).await.unwrap();
    // The same provider payment again changes nothing and says nothing.
    app.crm.record_client_payment(&SYS, pay(10_000, "pay-1")).await.unwrap();
    app.crm.change_booking_status(&admin, b, BookingStatus::CancellationRequested, "клиент попросил").await.unwrap();
    let got = messages().await;
    let texts: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(texts.len(), 3, "{texts:#?}");
    assert!(texts[0].contains("новый статус — договор подписан"), "{}", texts[0]);
    assert!(texts[1].contains("новый статус — частичная оплата"), "{}", texts[1]);
    assert!(texts[2].contains("новый статус — запрос отмены бронирования"), "{}", texts[2]);
    assert!(texts.iter().all(|t| t.starts_with("Иван, бронь №") && t.contains("Алтай: золотые горы")));
    assert!(got.iter().all(|m| m.client_id == maria.id && m.status == OutboxStatus::Pending));
    // Each is delivered once by the outbox.
    let mut delivered = 0;
    while let Some(m) = app.crm.claim_outgoing(&SYS).await.unwrap() {
        assert_eq!(m.chat_id, 5031);
        delivered += 1;
        app.crm.outgoing_sent(&SYS, &[(m.id, Some(1))]).await.unwrap();
    }
    // Three moves and the payment itself.
    assert_eq!(delivered, 4);
    let paid = app.queued("payment_received").await;
    assert_eq!(paid.len(), 1, "the repeated provider payment says nothing");
    let body = &paid[0].body;
    let ten = Money::new(1_000_000, Currency::RUB).to_string();
    assert!(body.starts_with("Иван, получили вашу оплату") && body.contains(&ten), "{body}");
    assert!(body.contains(&format!("Оплачено {ten} из ")) && body.contains("осталось"), "{body}");

    // Switched off by the admin: moves say nothing. A blacklisted client is never written to.
    let kind = NotificationKind::BookingStatus;
    let tpl = kind.default_template();
    app.crm.save_notification_setting(&admin, kind, false, 0, tpl).await.unwrap();
    app.crm.change_booking_status(&admin, b, BookingStatus::Cancelled, "отменено").await.unwrap();
    assert_eq!(messages().await.len(), 3);
    app.crm.save_notification_setting(&admin, kind, true, 9, tpl).await.unwrap();
    let s = app.crm.notification_settings(&admin).await.unwrap();
    assert_eq!(s.iter().find(|s| s.kind == kind).unwrap().lead_days, 0, "an event has no lead time");
    let b2 = app.crm.create_booking(&SYS, request(&maria, dep, 1)).await.unwrap().booking.id;
    app.crm.set_blacklist(&admin, maria.id, true, "Хамство").await.unwrap();
    app.crm.change_booking_status(&admin, b2, BookingStatus::ContractSigned, "подписан").await.unwrap();
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None);
    let last = messages().await.pop().unwrap();
    assert_eq!(last.status, OutboxStatus::Skipped);
});
