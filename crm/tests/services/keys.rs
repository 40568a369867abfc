//! Key rotation: data keys and the master key, crash-safe, resumable, repeatable; old keys
//! are deleted once nothing uses them; the master key guards everything.

use crate::each_backend;
use crate::helpers::{TestApp, card, foreign_passport, internal_passport, t0};
use crm::crypto::{CryptoError, DataKey, MasterKey};
use crm::services::{Client, MasterKeyHome, MasterStep};
use crm::{Actor, Conflict, Crm, Error};
use secrecy::ExposeSecret;
use std::path::Path;
use std::sync::LazyLock;
use testkit::Backend;

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

async fn assert_all_open(crm: &Crm, clients: &[Client], backend: Backend) {
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
    assert!(report.deleted.is_empty());
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
    assert_eq!(finished.deleted, vec![old_key.clone()]);
    assert_eq!(records_under(&app, &old_key).await, 0);
    assert_eq!(key_states(&app).await, vec![(report.new_key.clone(), "active".to_owned())], "the old key is deleted");
    assert_all_open(&restarted, &clients, app.backend).await;
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients, app.backend).await;
    // Nothing is left to do.
    let again = restarted.finish_rotation(&Actor::System).await.unwrap();
    assert_eq!((again.resealed, again.deleted.len()), (0, 0));
});

each_backend!(a_full_rotation_runs_twice_in_a_row_and_deletes_the_keys_nothing_uses, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    let first_key = key_states(&app).await[0].0.clone();
    let first = app.crm.rotate_keys(&Actor::System).await.unwrap();
    assert_eq!(first.resealed, 61, "{}", app.backend);
    assert_eq!(first.deleted, vec![first_key.clone()]);
    assert_all_open(&app.crm, &clients, app.backend).await;
    let second = app.crm.rotate_keys(&Actor::System).await.unwrap();
    assert_eq!(second.resealed, 61);
    assert_eq!(second.deleted, vec![first.new_key.clone()]);
    assert_all_open(&app.crm, &clients, app.backend).await;
    assert_eq!(key_states(&app).await, vec![(second.new_key.clone(), "active".to_owned())], "{}", app.backend);
    assert_eq!(records_under(&app, &second.new_key).await, 61);
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients, app.backend).await;
    let audit = |action: &str| {
        let filter = crm::services::AuditFilter { action: Some(action.into()), limit: 10, ..Default::default() };
        let crm = app.crm.clone();
        async move { crm.audit_log(&Actor::System, &filter).await.unwrap() }
    };
    assert_eq!(audit("keys.rotate").await.len(), 2);
    // Re-sealing decrypts every record but shows none: one audit row per run, with the count.
    let resealed = audit("keys.resealed").await;
    assert_eq!(resealed.len(), 2);
    assert!(
        resealed.iter().all(|r| r.detail(crm::audit::AuditField::Records).as_deref() == Some("61")),
        "{resealed:?}"
    );
});

each_backend!(a_key_left_retired_by_an_older_version_is_deleted_but_a_key_in_use_never, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    // A key an older version left `retired` (they kept unused keys).
    let left_over = DataKey::generate();
    let master = MasterKey::from_base64(&MASTER).unwrap();
    let mut tx = app.crm.store().begin().await.unwrap();
    crm::store::keys::insert(&mut tx, &left_over.id, &left_over.wrap(&master).unwrap(), "retired", t0()).await.unwrap();
    tx.commit().await.unwrap();
    let active = key_states(&app).await.into_iter().find(|(_, s)| s == "active").unwrap().0;
    // Interrupted: the previously active key still seals most records and must stay.
    let report = app.crm.rotate_keys_interrupted(&Actor::System, Some(5)).await.unwrap();
    assert_eq!(state_of(&app, &active).await, "retiring");
    let finished = app.reopen(&MASTER).await.unwrap().finish_rotation(&Actor::System).await.unwrap();
    let mut deleted = finished.deleted.clone();
    deleted.sort();
    let mut expected = vec![active.clone(), left_over.id.clone()];
    expected.sort();
    assert_eq!(deleted, expected, "{}", app.backend);
    assert_eq!(key_states(&app).await, vec![(report.new_key.clone(), "active".to_owned())]);
    assert_all_open(&app.reopen(&MASTER).await.unwrap(), &clients, app.backend).await;
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
    let report = other.rotate_keys(&Actor::System).await.unwrap();
    assert_eq!(report.deleted.len(), 1, "the key the server still seals with is gone");
    for c in &clients {
        app.crm.open_documents(&Actor::System, c.id).await.unwrap();
    }
    // The server's next write would use the deleted key: it loads the new keyring instead.
    let other_app = app.reopen(MASTER.as_str()).await.unwrap();
    other_app.rotate_keys(&Actor::System).await.unwrap();
    app.crm.put_internal_passport(&Actor::System, clients[2].id, &internal_passport()).await.unwrap();
    let docs = other_app.open_documents(&Actor::System, clients[2].id).await.unwrap();
    assert_eq!(docs.internal_passport, Some(internal_passport()), "{}", app.backend);
});

/// The key file of an installation whose master key is `MASTER`.
fn key_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("master.key");
    crm::private_fs::create_new(&path, MASTER.as_bytes()).unwrap();
    path
}

fn file_key(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Whoever holds `old` (the leaked master key) and the database opens no data key with it.
async fn old_master_opens_nothing(app: &TestApp, old_b64: &str) {
    let rows: Vec<(String, Vec<u8>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT id, wrapped, wrapped_next FROM data_keys")
            .fetch_all(app.crm.store().pool())
            .await
            .unwrap();
    let old = MasterKey::from_base64(old_b64).unwrap();
    for (id, wrapped, next) in rows {
        assert!(
            DataKey::unwrap_from(&id, &wrapped, &old).is_err(),
            "{}: {id} opens with the old master key",
            app.backend
        );
        assert_eq!(next, None, "{}: {id} keeps a second form", app.backend);
    }
    let again = app.reopen(old_b64).await;
    assert!(matches!(again, Err(Error::Crypto(CryptoError::Decrypt))), "{}: {again:?}", app.backend);
}

each_backend!(master_rotation_with_a_key_file_leaves_the_old_key_opening_nothing, master = &MASTER, |app| {
    let clients = thirty_with_documents(&app).await;
    let first_key = key_states(&app).await[0].0.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = key_file(dir.path());
    let report = app.crm.rotate_master_key(&Actor::System, MasterKeyHome::File(&path)).await.unwrap();
    assert!(report.new_key.is_none(), "a key file's key is never printed");
    assert_eq!(report.data.resealed, 61, "{}", app.backend);
    assert_eq!(report.data.deleted, vec![first_key], "the data keys the old master key knew are gone");
    assert_eq!(report.rewrapped, 1);
    let new = file_key(&path);
    assert_ne!(new, *MASTER);
    assert!(!dir.path().join("master.key.new").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // This process goes on with the new key; a restart reads it from the file.
    assert_all_open(&app.crm, &clients, app.backend).await;
    app.crm.rotate_keys(&Actor::System).await.unwrap();
    assert_all_open(&app.reopen(&new).await.unwrap(), &clients, app.backend).await;
    old_master_opens_nothing(&app, &MASTER).await;
});

each_backend!(
    a_master_rotation_interrupted_before_the_key_file_changes_keeps_the_old_key_working,
    master = &MASTER,
    |app| {
        let clients = thirty_with_documents(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(dir.path());
        let report = app
            .crm
            .rotate_master_key_interrupted(&Actor::System, MasterKeyHome::File(&path), Some(MasterStep::Staged))
            .await
            .unwrap();
        assert_eq!(report.rewrapped, 1);
        // The process died with the new key in memory only: the file still has the old one.
        assert_eq!(file_key(&path), *MASTER);
        let restarted = app.reopen(&file_key(&path)).await.unwrap();
        assert_all_open(&restarted, &clients, app.backend).await;
        // A data key made now could not be wrapped by the key the rotation waits for.
        let refused = restarted.rotate_keys(&Actor::System).await;
        assert!(matches!(refused, Err(Error::Conflict(Conflict::MasterKeyWaiting))), "{refused:?}");
        // The rerun finishes the job.
        restarted.rotate_master_key(&Actor::System, MasterKeyHome::File(&path)).await.unwrap();
        assert_all_open(&app.reopen(&file_key(&path)).await.unwrap(), &clients, app.backend).await;
        old_master_opens_nothing(&app, &MASTER).await;
    }
);

each_backend!(
    a_master_rotation_interrupted_after_the_key_file_changed_is_finished_by_the_next_start,
    master = &MASTER,
    |app| {
        let clients = thirty_with_documents(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(dir.path());
        app.crm
            .rotate_master_key_interrupted(
                &Actor::System,
                MasterKeyHome::File(&path),
                Some(MasterStep::KeyFileReplaced),
            )
            .await
            .unwrap();
        let new = file_key(&path);
        assert_ne!(new, *MASTER);
        // A server started before the rotation still reads everything with the old key.
        assert_all_open(&app.crm, &clients, app.backend).await;
        // The next start reads the new key from the file and drops the old forms.
        let restarted = app.reopen(&new).await.unwrap();
        assert_all_open(&restarted, &clients, app.backend).await;
        old_master_opens_nothing(&app, &MASTER).await;
        let audit = restarted
            .audit_log(
                &Actor::System,
                &crm::services::AuditFilter {
                    action: Some("keys.master_in_place".into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        // Nothing is left to do: another start changes nothing.
        assert_all_open(&app.reopen(&new).await.unwrap(), &clients[..2], app.backend).await;
    }
);

each_backend!(
    a_master_key_from_the_environment_is_printed_and_the_old_one_works_until_the_new_one_is_used,
    master = &MASTER,
    |app| {
        let clients = thirty_with_documents(&app).await;
        let report = app.crm.rotate_master_key(&Actor::System, MasterKeyHome::Environment).await.unwrap();
        let printed = report.new_key.expect("the new key is handed back to be printed").expose_secret().to_owned();
        assert!(MasterKey::from_base64(&printed).is_ok());
        // The operator has not changed TOURCRM_MASTER_KEY yet: restarts with the old key still work.
        assert_all_open(&app.crm, &clients, app.backend).await;
        let old = app.reopen(&MASTER).await.unwrap();
        assert_all_open(&old, &clients, app.backend).await;

        // The operator lost the printed key and runs the command again: the first key is void.
        let again = old.rotate_master_key(&Actor::System, MasterKeyHome::Environment).await.unwrap();
        let printed_again = again.new_key.unwrap().expose_secret().to_owned();
        let void = app.reopen(&printed).await;
        assert!(matches!(void, Err(Error::Crypto(_))), "{}: {void:?}", app.backend);

        // The first start with the new key finishes the rotation.
        let switched = app.reopen(&printed_again).await.unwrap();
        assert_all_open(&switched, &clients, app.backend).await;
        old_master_opens_nothing(&app, &MASTER).await;
        switched.rotate_keys(&Actor::System).await.unwrap();
        assert_all_open(&app.reopen(&printed_again).await.unwrap(), &clients, app.backend).await;
    }
);
