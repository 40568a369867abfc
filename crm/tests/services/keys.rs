//! Data-key rotation: crash-safe, resumable, repeatable; and the master key guards everything.

use crate::each_backend;
use crate::helpers::{TestApp, card, foreign_passport, internal_passport};
use crm::crypto::MasterKey;
use crm::store::clients::Client;
use crm::{Actor, Crm, Error};
use std::sync::LazyLock;

static MASTER: LazyLock<String> = LazyLock::new(MasterKey::generate_base64);

async fn key_states(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT id, state FROM data_keys ORDER BY created_at, id")
        .fetch_all(app.crm.store().pool())
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, key: &str) -> String {
    sqlx::query_scalar("SELECT state FROM data_keys WHERE id = $1")
        .bind(key)
        .fetch_one(app.crm.store().pool())
        .await
        .unwrap()
}

async fn records_under(app: &TestApp, key: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM secure_documents WHERE key_id = $1")
        .bind(key)
        .fetch_one(app.crm.store().pool())
        .await
        .unwrap()
}

/// Thirty clients, each with a foreign passport and a card (sixty records), and the first one
/// with an internal passport too.
async fn thirty_with_documents(app: &TestApp) -> Vec<Client> {
    let clients = app.clients(30, None).await;
    for c in &clients {
        app.crm.put_foreign_passport(&Actor::System, c.id, &foreign_passport()).await.unwrap();
        app.crm.put_payment_details(&Actor::System, c.id, &card()).await.unwrap();
    }
    app.crm.put_internal_passport(&Actor::System, clients[0].id, &internal_passport()).await.unwrap();
    clients
}

async fn assert_all_open(crm: &Crm, clients: &[Client], backend: &str) {
    for c in clients {
        let docs = crm.open_documents(&Actor::System, c.id).await.unwrap_or_else(|e| panic!("{backend}: {e}"));
        assert_eq!(docs.foreign_passport, Some(foreign_passport()), "{backend}: client {}", c.id);
        assert_eq!(docs.payment_details, Some(card()), "{backend}: client {}", c.id);
    }
}

each_backend!(an_interrupted_rotation_leaves_every_document_readable_after_a_restart, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    let old_key = key_states(&app).await[0].0.clone();
    let report = app.crm.rotate_keys_interrupted(&Actor::System, Some(10)).await.unwrap();
    assert_eq!(report.resealed, 10, "{}", app.backend);
    assert!(report.retired.is_empty());
    assert_ne!(report.new_key, old_key);
    assert_eq!(state_of(&app, &old_key).await, "retiring");
    assert_eq!(state_of(&app, &report.new_key).await, "active");
    assert_eq!(records_under(&app, &report.new_key).await, 10);
    assert_eq!(records_under(&app, &old_key).await, 51);

    // The process died; a new one starts over the same database with the same master key.
    let restarted = app.reopen(&MASTER).await.unwrap();
    assert_all_open(&restarted, &clients, app.backend).await;
    // New writes already use the new key.
    restarted.put_internal_passport(&Actor::System, clients[1].id, &internal_passport()).await.unwrap();
    assert_eq!(records_under(&app, &report.new_key).await, 11);

    let finished = restarted.finish_rotation(&Actor::System).await.unwrap();
    assert_eq!(finished.new_key, report.new_key);
    assert_eq!(finished.resealed, 51, "{}", app.backend);
    assert_eq!(finished.retired, vec![old_key.clone()]);
    assert_eq!(state_of(&app, &old_key).await, "retired");
    assert_eq!(records_under(&app, &old_key).await, 0);
    assert_all_open(&restarted, &clients, app.backend).await;
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients, app.backend).await;
    // Nothing is left to do.
    let again = restarted.finish_rotation(&Actor::System).await.unwrap();
    assert_eq!((again.resealed, again.retired.len()), (0, 0));
});

each_backend!(a_full_rotation_runs_twice_in_a_row, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    let first_key = key_states(&app).await[0].0.clone();
    let first = app.crm.rotate_keys(&Actor::System).await.unwrap();
    assert_eq!(first.resealed, 61, "{}", app.backend);
    assert_eq!(first.retired, vec![first_key.clone()]);
    assert_all_open(&app.crm, &clients, app.backend).await;
    let second = app.crm.rotate_keys(&Actor::System).await.unwrap();
    assert_eq!(second.resealed, 61);
    assert_eq!(second.retired, vec![first.new_key.clone()]);
    assert_all_open(&app.crm, &clients, app.backend).await;
    let states = key_states(&app).await;
    assert_eq!(states.len(), 3);
    assert_eq!(states.iter().filter(|(_, s)| s == "active").count(), 1);
    assert_eq!(state_of(&app, &second.new_key).await, "active");
    assert_eq!(records_under(&app, &second.new_key).await, 61);
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients, app.backend).await;
    let audit = app
        .crm
        .audit_log(
            &Actor::System,
            &crm::store::audit::AuditFilter { action: Some("keys.rotate".into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
});

each_backend!(a_wrong_master_key_cannot_start_the_crm, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    let wrong = app.reopen(&MasterKey::generate_base64()).await;
    assert!(matches!(wrong, Err(Error::Crypto(_))), "{}: {wrong:?}", app.backend);
    let bad = app.reopen("not base64 at all").await;
    assert!(matches!(bad, Err(Error::Crypto(crm::crypto::CryptoError::BadMasterKey))), "{bad:?}");
    // The right one still works, and nothing was changed by the failed attempts.
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients[..3], app.backend).await;
    assert_eq!(key_states(&app).await.len(), 1);
});

each_backend!(a_rotation_by_another_process_is_picked_up_without_errors, master = MASTER.as_str(), |app| {
    let clients = thirty_with_documents(&app).await;
    // `tourcrm keys rotate` runs as its own process while the server keeps its keyring.
    let other = app.reopen(MASTER.as_str()).await.unwrap();
    other.rotate_keys(&Actor::System).await.unwrap();
    for c in &clients {
        app.crm.open_documents(&Actor::System, c.id).await.unwrap();
    }
});
