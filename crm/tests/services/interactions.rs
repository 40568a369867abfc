//! The interaction history: append-only, corrections point back, newest first.

use crate::each_backend;
use crate::helpers::t0;
use chrono::Duration;
use crm::domain::{ClientId, Direction, InteractionKind, Invalid, Role};
use crm::services::NewInteractionInput;
use crm::{Actor, Error};

fn entry(client_id: ClientId, body: &str, hours_ago: Option<i64>) -> NewInteractionInput {
    NewInteractionInput {
        client_id,
        kind: InteractionKind::Call,
        direction: Direction::In,
        body: body.into(),
        occurred_at: hours_ago.map(|h| t0() - Duration::hours(h)),
    }
}

each_backend!(an_entry_keeps_the_time_it_happened_and_its_author, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    let logged = app.crm.log_interaction(&agent, entry(c.id, "  Звонила насчёт визы  ", Some(72))).await.unwrap();
    assert_eq!(logged.occurred_at, t0() - Duration::hours(72), "{}", app.backend);
    assert_eq!(logged.created_at, t0());
    assert_eq!(logged.body, "Звонила насчёт визы");
    assert_eq!(logged.author, agent.audit_name());
    assert_eq!((logged.corrects, logged.corrected_by), (None, None));
    let now = app.crm.log_interaction(&agent, entry(c.id, "Заметка", None)).await.unwrap();
    assert_eq!(now.occurred_at, t0());
});

each_backend!(a_correction_is_a_new_entry_and_the_old_one_stays_as_it_was, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    let old = app.crm.log_interaction(&agent, entry(c.id, "Хочет в Турцию", Some(5))).await.unwrap();
    app.clock.advance(Duration::minutes(30));
    let fix = app.crm.correct_interaction(&agent, old.id, "Хочет в Египет").await.unwrap();
    assert_ne!(fix.id, old.id);
    assert_eq!(fix.corrects, Some(old.id));
    assert_eq!(fix.body, "Хочет в Египет");
    assert_eq!((fix.kind, fix.direction, fix.occurred_at), (old.kind, old.direction, old.occurred_at));
    assert_eq!(fix.created_at, t0() + Duration::minutes(30));
    let history = app.crm.client_history(&agent, c.id, 10).await.unwrap();
    assert_eq!(history.len(), 2, "{}", app.backend);
    let old_now = history.iter().find(|e| e.id == old.id).unwrap();
    assert_eq!(old_now.body, "Хочет в Турцию", "the old body is unchanged");
    assert_eq!(old_now.corrected_by, Some(fix.id), "{}", app.backend);
    let bad = app.crm.correct_interaction(&agent, old.id, " ").await;
    assert!(matches!(bad, Err(Error::Invalid(Invalid::TextEmpty))));
    let missing = app.crm.correct_interaction(&agent, crm::domain::InteractionId(9999), "x").await;
    assert!(matches!(missing, Err(Error::NotFound(_))));
    // A refused actor learns nothing about which entries exist.
    for who in [Actor::Client(c.id), Actor::Telegram(1), app.actor("buh", Role::Accountant).await] {
        let probe = app.crm.correct_interaction(&who, crm::domain::InteractionId(9999), "x").await;
        assert!(matches!(probe, Err(Error::Forbidden(_))), "{}: {who:?}: {probe:?}", app.backend);
    }
});

each_backend!(empty_and_overlong_bodies_are_refused, |app| {
    let c = app.client("+7 912 345-67-89", None).await;
    let sys = Actor::System;
    for body in ["", "   \n\t "] {
        let r = app.crm.log_interaction(&sys, entry(c.id, body, None)).await;
        assert!(matches!(r, Err(Error::Invalid(Invalid::TextEmpty))), "{}: {r:?}", app.backend);
    }
    let r = app.crm.log_interaction(&sys, entry(c.id, &"я".repeat(10_001), None)).await;
    assert!(matches!(r, Err(Error::Invalid(Invalid::TextTooLong))), "{r:?}");
    let longest = app.crm.log_interaction(&sys, entry(c.id, &"я".repeat(10_000), None)).await.unwrap();
    assert_eq!(longest.body.chars().count(), 10_000, "{}", app.backend);
    assert_eq!(app.crm.client_history(&sys, c.id, 10).await.unwrap().len(), 1, "refusals stored nothing");
    let r = app.crm.log_interaction(&sys, entry(ClientId(9999), "кто это", None)).await;
    assert!(matches!(r, Err(Error::NotFound(_))));
});

each_backend!(the_history_is_newest_first_by_when_it_happened, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    let other = app.client("+7 912 345-67-80", Some(&agent)).await;
    let b = app.crm.log_interaction(&agent, entry(c.id, "второе", Some(48))).await.unwrap();
    let a = app.crm.log_interaction(&agent, entry(c.id, "первое", Some(72))).await.unwrap();
    let d = app.crm.log_interaction(&agent, entry(c.id, "сейчас", None)).await.unwrap();
    let c3 = app.crm.log_interaction(&agent, entry(c.id, "третье", Some(1))).await.unwrap();
    app.crm.log_interaction(&agent, entry(other.id, "чужое", None)).await.unwrap();
    let ids: Vec<_> = app.crm.client_history(&agent, c.id, 10).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, [d.id, c3.id, b.id, a.id], "{}", app.backend);
    let two: Vec<_> = app.crm.client_history(&agent, c.id, 2).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(two, [d.id, c3.id]);
});
