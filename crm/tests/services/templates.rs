//! Templates staff edit, attacked through the services: the preview, a saved notification and a
//! saved broadcast must read nothing outside their variables and cannot make a text Telegram
//! would refuse — such a text is never sent cut: its outbox row fails with the reason.

use crate::each_backend;
use crate::helpers::t0;
use chrono::Duration;
use crm::domain::{BirthDate, City, PersonName, Phone, Role};
use crm::notify::{BroadcastKind, Daytime, NotificationKind};
use crm::services::notify::BroadcastInput;
use crm::services::{AudienceFilter, NewClient, OutboxFilter, OutboxStatus};
use crm::store::Store;
use crm::store::outbox::{self, NewMessage};
use crm::{Actor, Error};
use testkit::ClaimOne;

const SYS: Actor = Actor::System;

/// Texts an attacker with an operator's or admin's account would try.
const ATTACKS: [&str; 6] = [
    r#"{{ get_env(name="TOURCRM_MASTER_KEY") }}"#,
    r#"{{ get_env(name="PATH") }}"#,
    "{% set r = range(end=100000000) %}{{ r | length }}",
    r#"{% include "/etc/passwd" %}"#,
    r#"{{ "x" * 100000000 }}"#,
    "{% for a in [0,0,0,0,0,0,0,0,0,0] %}{% for b in [0,0,0,0,0,0,0,0,0,0] %}{% for c in [0,0,0,0,0,0,0,0,0,0] %}xxxxxxxxxx{% endfor %}{% endfor %}{% endfor %}",
];

fn refused<T: std::fmt::Debug>(r: crm::Result<T>, attack: &str) -> String {
    match r {
        Err(Error::Template(t)) => t.0,
        other => panic!("{attack}: {other:?}"),
    }
}

each_backend!(no_editable_template_reads_the_environment_or_exhausts_the_server, |app| {
    // SAFETY of the test: the variable exists, so a leak would show it.
    assert!(std::env::var("PATH").is_ok_and(|p| !p.is_empty()));
    let admin = app.actor("boss", Role::Admin).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let (tour, _) = app.published_tour(&operator, 10).await;
    let input = |template: &str| BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Новинка".into(),
        template: template.into(),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    for attack in ATTACKS {
        let preview = app.crm.preview_broadcast(&operator, BroadcastKind::NewTour, attack, Some(tour)).await;
        let why = refused(preview, attack);
        assert!(!why.contains(&std::env::var("PATH").unwrap()), "{why}");
        refused(app.crm.create_broadcast(&operator, input(attack)).await, attack);
        refused(app.crm.preview_notification(&admin, NotificationKind::BirthdayGreeting, attack), attack);
        let kind = NotificationKind::BirthdayGreeting;
        refused(app.crm.save_notification_setting(&admin, kind, true, 0, attack).await, attack);
    }
    // The million-character template says why in the admin's words.
    let why = refused(app.crm.preview_notification(&admin, NotificationKind::BirthdayGreeting, ATTACKS[5]), "");
    assert!(why.contains("не больше 4096"), "{why}");
    assert!(app.crm.list_broadcasts(&operator).await.unwrap().is_empty(), "nothing was saved");
});

each_backend!(a_text_over_telegrams_limit_for_one_recipient_fails_with_a_reason_and_is_never_sent, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let (tour, _) = app.published_tour(&operator, 10).await;
    // The sample's name is short, so the template passes; a client with a 150-letter name
    // makes the text 30 × 150 characters.
    let long_name = format!("{} {}", "Ф".repeat(100), "Иван".repeat(12));
    let mut clients = Vec::new();
    for (n, name) in [(1, long_name.as_str()), (2, "Петров Иван")].into_iter() {
        let new = NewClient {
            full_name: PersonName::parse(name).unwrap(),
            phone: Phone::parse(&format!("+7 913 100000{n}")).unwrap(),
            birth_date: BirthDate::parse("05.03.1990", t0().date_naive()).unwrap(),
            city: City::parse("Москва").unwrap(),
            telegram_id: Some(7000 + n),
            telegram_username: None,
            source: None,
            personal_data_consent: true,
            marketing_consent: true,
            agent_id: None,
        };
        clients.push(app.crm.register_client(&SYS, new).await.unwrap().id);
    }
    let template = format!("{{% for i in [{}] %}}{{{{ client.full_name }}}}{{% endfor %}}", ["0"; 30].join(","));
    let bc = BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Длинная".into(),
        template,
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    app.crm.create_broadcast(&operator, bc).await.unwrap();
    app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
    let mut sent = Vec::new();
    while let Some(m) = app.crm.claim_outgoing(&SYS).await.unwrap() {
        assert!(m.body.encode_utf16().count() <= 4096);
        sent.push(m.chat_id);
        app.crm.outgoing_sent(&SYS, &[(m.id, Some(1))]).await.unwrap();
    }
    assert_eq!(sent, [7002]);
    let admin = app.actor("boss", Role::Admin).await;
    let rows = app.crm.outbox_entries(&admin, OutboxFilter { limit: 50, ..Default::default() }).await.unwrap();
    let failed: Vec<_> = rows.iter().filter(|r| r.status == OutboxStatus::Failed).collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    // A text that cannot be made is recorded in place of the message, as every template failure.
    assert!(failed[0].body.contains("4470 знаков") && failed[0].body.contains("4096"), "{:?}", failed[0]);

    // A row written with a long text by any other path is refused at sending, not cut.
    let store = Store::open(app.url()).await.unwrap();
    let msg = NewMessage {
        dedup_key: "test:long".into(),
        kind: "birthday_greeting".into(),
        client_id: clients[1],
        broadcast_id: None,
        tour_id: None,
        advertising: false,
        body: "🎂".repeat(2049),
        not_before: t0() - Duration::minutes(1),
        status: OutboxStatus::Pending,
    };
    let mut conn = store.conn().await.unwrap();
    assert!(outbox::insert(&mut conn, &msg, t0()).await.unwrap());
    drop(conn);
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None);
    let rows = app.crm.outbox_entries(&admin, OutboxFilter { limit: 50, ..Default::default() }).await.unwrap();
    let row = rows.iter().find(|r| r.body.starts_with('🎂')).unwrap();
    assert_eq!(row.status, OutboxStatus::Failed);
    assert!(row.error.as_deref().unwrap_or_default().contains("4098 знаков из 4096"), "{row:?}");
});
