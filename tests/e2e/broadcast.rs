//! Broadcasts end to end against the fake Bot API: a broadcast interrupted by SIGKILL and
//! started again (into a 429 storm) reaches every recipient once and no one twice (counted by the
//! fake per chat);
//! «Подробнее» opens the tour and «Отписаться» unsubscribes at once.

use crate::bot_client::{World, published_tour};
use crate::fake_telegram::WAIT;
use crate::subscribers::subscribers;
use chrono::{Timelike, Utc};
use crm::Actor;
use crm::domain::TourId;
use crm::notify::BroadcastKind;
use crm::services::notify::BroadcastInput;
use crm::services::{AudienceFilter, OutboxFilter, OutboxStatus};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use testkit::backends;

const RECIPIENTS: i64 = 240;
const FIRST_CHAT: i64 = 700_000;
/// Slow enough that the kill lands mid-way, fast enough for a short test.
const RATE: &str = "40";

/// Local daytime around now in Moscow, so the test runs at any hour.
pub(crate) fn hours_around_now() -> String {
    let h = Utc::now().with_timezone(&crm::domain::DEFAULT_TZ).hour();
    format!("{:02}:00-{:02}:00", (h + 22) % 24, (h + 2) % 24)
}

#[tokio::test]
async fn a_broadcast_killed_midway_delivers_every_remaining_recipient_once() {
    for backend in backends() {
        killed_midway(World::on(backend).await).await;
    }
}

async fn killed_midway(w: World) {
    let hours = hours_around_now();
    let env = [("TOURCRM_BOT_RATE", RATE), ("TOURCRM_SCHEDULER_TICK", "1"), ("TOURCRM_NOTIFY_HOURS", hours.as_str())];
    let mut server = w.serve_with(&env).await;
    let crm = w.crm().await;
    let (tour_id, _) = published_tour(&crm).await;
    let chat_of: HashMap<_, _> = subscribers(&crm, RECIPIENTS, FIRST_CHAT, 914).await.into_iter().collect();
    let input = BroadcastInput {
        kind: BroadcastKind::HotTour,
        title: "Горящий Алтай".into(),
        template: BroadcastKind::HotTour.default_template().into(),
        tour_id: Some(TourId(tour_id)),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    let bc = crm.create_broadcast(&Actor::System, input).await.unwrap();
    let received = |fake: &crate::fake_telegram::FakeTelegram| {
        (0..RECIPIENTS).map(|i| fake.count_sent(FIRST_CHAT + i)).collect::<Vec<_>>()
    };

    // Kill it (SIGKILL: no shutdown at all) once about a third has gone out.
    let deadline = Instant::now() + WAIT * 4;
    while received(&w.fake).iter().sum::<usize>() < (RECIPIENTS / 3) as usize {
        assert!(Instant::now() < deadline, "the broadcast did not start: {:?}", server.child.try_wait());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let at_kill: usize = received(&w.fake).iter().sum();
    assert!(at_kill < RECIPIENTS as usize, "killed too late to prove anything");

    // And Telegram asks to slow down right after the restart: obeyed, nothing lost or doubled.
    w.fake.fail_next_with_429(3, 1);
    // The last recipient (sent last, so still pending) has blocked the bot meanwhile.
    let blocked = FIRST_CHAT + RECIPIENTS - 1;
    w.fake.block(&w.fake.user(blocked, "Анна", None));
    let server = w.serve_with(&env).await;
    let admin = Actor::System;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let card = crm.broadcast_card(&admin, bc.id).await.unwrap();
        if card.broadcast.status == "done" {
            break;
        }
        if Instant::now() > deadline {
            let (_, err) = server.stop();
            let tail: Vec<&str> = err.lines().rev().take(30).collect();
            panic!("not done: {:?}\n{}", card.counts, tail.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let per_chat = received(&w.fake);
    assert!(per_chat.iter().all(|n| *n <= 1), "someone got the broadcast twice: {per_chat:?}");
    let rows = crm
        .outbox_entries(&admin, OutboxFilter { broadcast_id: Some(bc.id), limit: 500, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(rows.len() as i64, RECIPIENTS);
    let mut unknown = 0;
    for r in &rows {
        let got = w.fake.count_sent(chat_of[&r.client_id]);
        match r.status {
            OutboxStatus::Sent => assert_eq!(got, 1, "a sent row's chat got {got}"),
            // In flight at the kill: delivered or not, never twice, never resent by itself.
            OutboxStatus::Unknown => unknown += 1,
            OutboxStatus::Failed if chat_of[&r.client_id] == blocked => {
                assert_eq!(r.error.as_deref(), Some("клиент заблокировал бота"));
            }
            other => panic!("row {} ended {other:?}", r.id),
        }
    }
    assert_eq!(w.fake.rejected_429(), 3);
    let lost = per_chat.iter().filter(|n| **n == 0).count() - 1; // the blocked one
    assert!(lost <= unknown, "only rows in doubt may be missing: {lost} missing, {unknown} unknown");
    assert!(unknown <= 32, "more in doubt than can be in flight: {unknown}");
    eprintln!("{RECIPIENTS} recipients: {at_kill} before the kill, {unknown} in doubt, {lost} of them not delivered");

    // The messages carry «Подробнее» (the tour) and «Отписаться».
    let chat = FIRST_CHAT + per_chat.iter().position(|n| *n == 1).unwrap() as i64;
    let msg = w.fake.sent_to(chat).pop().unwrap();
    assert!(msg.text().contains("Алтай: золотые горы"), "{}", msg.text());
    assert_eq!(msg.callback_data(), [format!("t:{tour_id}"), "u".to_owned()]);
    let user = w.fake.user(chat, "Анна", None);
    let seen = w.fake.count_sent(chat);
    w.fake.push_callback(&user, msg.message_id, &format!("t:{tour_id}"));
    w.fake.wait_for_new_message(chat, seen, |m| m.text().contains("Алтай: золотые горы"), WAIT).await;
    let seen = w.fake.count_sent(chat);
    w.fake.push_callback(&user, msg.message_id, "u");
    w.fake.wait_for_new_message(chat, seen, |m| m.text().contains("отписались"), WAIT).await;
    let client = crm.client_by_telegram(&Actor::System, chat).await.unwrap().unwrap();
    assert!(!client.marketing_consent, "unsubscribed at once");
    server.stop();
}
