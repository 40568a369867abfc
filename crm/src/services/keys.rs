//! Key rotation.
//!
//! **Data keys** (`tourcrm keys rotate`). Order matters for crash safety: the new key is stored
//! and activated first (so new writes use it), then records are re-sealed one by one, each in
//! its own statement, and an old key is deleted only when no record uses it. Interrupted
//! anywhere, every record is sealed with a key that is still in the keyring; running it again
//! (or the scheduler's [`Crm::finish_rotation`]) finishes.
//!
//! **The master key** (`tourcrm keys rotate --master`, for when someone learned it). First a
//! data key rotation as above: whoever had the old master key and a copy of the database knows
//! the old data keys, so no record may stay under them. Then every data key is wrapped by the
//! new master key too and stored beside its old form (`wrapped_next`), in one transaction; the
//! old forms still serve every reader. Then the new key is put in place, and only then are the
//! old forms dropped, so at every moment the key in place opens every data key:
//!
//! - key file: the file is replaced atomically (temp file 0600, then rename), and the old forms
//!   are dropped at once. A crash before the rename leaves the old key and the old forms (the
//!   new forms are useless and a rerun replaces them); a crash after it leaves the new key and
//!   the new forms, which the next start promotes.
//! - `TOURCRM_MASTER_KEY`: the environment is the operator's to change, so the new key is
//!   handed back to be printed once and both forms are kept: the service goes on with the old
//!   key until it is started with the new one, and that start drops the old forms. A data key
//!   rotation is refused meanwhile (a new data key could not be wrapped by a key this process
//!   does not have); a rerun of `--master` starts over with another new key.
//!
//! The promotion itself is in the keyring's loading (`load_keyring`): a process whose master
//! key opens a data key's staged form but not its usual one makes the staged form the only one.

use super::Crm;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::crypto::{DataKey, MasterKey};
use crate::domain::Role;
use crate::store;
use crate::{Actor, Conflict, Error, Result};
use secrecy::SecretString;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub new_key: String,
    pub resealed: usize,
    /// Old data keys that no record used any more, deleted.
    pub deleted: Vec<String>,
}

/// Where the master key lives, so where a new one must go.
#[derive(Debug, Clone, Copy)]
pub enum MasterKeyHome<'a> {
    /// The key file: rotation replaces it.
    File(&'a Path),
    /// `TOURCRM_MASTER_KEY`: the operator puts the new key there.
    Environment,
}

/// The steps of a master key rotation, to stop after one (a crash, in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasterStep {
    /// Every data key is also wrapped by the new master key.
    Staged,
    /// The key file holds the new master key; the old forms are not dropped yet.
    KeyFileReplaced,
}

#[derive(Debug)]
pub struct MasterRotation {
    /// The data key rotation that came first.
    pub data: RotationReport,
    /// How many data keys the new master key wraps.
    pub rewrapped: usize,
    /// The new master key, when it lives in the environment: to be shown once. Until the
    /// service starts with it, the old key keeps working.
    pub new_key: Option<SecretString>,
}

const BATCH: i64 = 200;

impl Crm {
    pub async fn rotate_keys(&self, actor: &Actor) -> Result<RotationReport> {
        self.rotate_keys_interrupted(actor, None).await
    }

    /// Re-seals records under the current key without making a new one: finishes a rotation
    /// that was interrupted.
    pub async fn finish_rotation(&self, actor: &Actor) -> Result<RotationReport> {
        actor.require(&[Role::Admin], "only an admin rotates keys")?;
        self.reload_keyring().await?;
        self.reseal_all(actor, None).await
    }

    /// `stop_after` simulates a crash after that many records (tests only need it, but it is
    /// harmless: it just stops early).
    pub async fn rotate_keys_interrupted(&self, actor: &Actor, stop_after: Option<usize>) -> Result<RotationReport> {
        actor.require(&[Role::Admin], "only an admin rotates keys")?;
        let key = DataKey::generate();
        let mut tx = self.audited(actor).await?;
        if store::keys::waiting_for_next(&mut tx).await? > 0 {
            return Err(Error::Conflict(Conflict::MasterKeyWaiting));
        }
        let now = tx.now();
        store::keys::insert(&mut tx, &key.id, &key.wrap(&self.master())?, "retiring", now).await?;
        store::keys::activate(&mut tx, &key.id).await?;
        tx.commit(Entry::new(AuditAction::KeysRotate, AuditObject::DataKey(key.id.clone()))).await?;
        self.reload_keyring().await?;
        self.reseal_all(actor, stop_after).await
    }

    async fn reseal_all(&self, actor: &Actor, stop_after: Option<usize>) -> Result<RotationReport> {
        let ring = self.keyring();
        let current = ring.current_id().to_owned();
        let mut resealed = 0;
        loop {
            let mut conn = self.store.conn().await?;
            let batch = store::documents::not_under_key(&mut conn, &current, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            for doc in batch {
                if stop_after.is_some_and(|n| resealed >= n) {
                    return Ok(RotationReport { new_key: current, resealed, deleted: Vec::new() });
                }
                let aad = doc.owner.aad(doc.kind);
                let plain = ring.open(&aad, &doc.sealed)?;
                let fresh = ring.seal(&aad, &plain)?;
                // If the record changed meanwhile, the newer write already used the new key.
                if store::documents::reseal(&mut conn, doc.id, &doc.sealed, &fresh).await? {
                    resealed += 1;
                }
            }
        }
        resealed +=
            self.reseal_document_copies(&ring, &current, stop_after.map(|n| n.saturating_sub(resealed))).await?;
        if stop_after.is_some_and(|n| resealed >= n) {
            return Ok(RotationReport { new_key: current, resealed, deleted: Vec::new() });
        }
        let deleted = self.delete_unused_keys().await?;
        // One audit row per run, not per record: re-sealing decrypts records but shows them to
        // nobody. The scheduler calls this every minute: only real work goes to the audit log.
        if resealed > 0 || !deleted.is_empty() {
            let entry = Entry::new(AuditAction::KeysResealed, AuditObject::DataKey(current.clone()))
                .with(AuditField::Records, resealed)
                .with_some(AuditField::DeletedKeys, (!deleted.is_empty()).then(|| deleted.join(", ")));
            self.audit(actor, &entry).await?;
        }
        Ok(RotationReport { new_key: current, resealed, deleted })
    }

    /// The issued documents' copies (signing): the same plaintext under the current key. Their
    /// hashes are of the plaintext, so the evidence still holds.
    async fn reseal_document_copies(
        &self,
        ring: &crate::crypto::Keyring,
        current: &str,
        stop_after: Option<usize>,
    ) -> Result<usize> {
        use crate::store::signing::{copies_not_under_key, copy_aad, reseal_copy};
        let mut resealed = 0;
        loop {
            let mut conn = self.store.conn().await?;
            let batch = copies_not_under_key(&mut conn, current, BATCH).await?;
            if batch.is_empty() {
                return Ok(resealed);
            }
            for (id, pdf, html) in batch {
                if stop_after.is_some_and(|n| resealed >= n) {
                    return Ok(resealed);
                }
                let fresh_pdf = ring.seal(&copy_aad(id, "pdf"), &ring.open(&copy_aad(id, "pdf"), &pdf)?)?;
                let fresh_html = ring.seal(&copy_aad(id, "html"), &ring.open(&copy_aad(id, "html"), &html)?)?;
                if reseal_copy(&mut conn, id, &pdf, &fresh_pdf, &fresh_html).await? {
                    resealed += 1;
                }
            }
        }
    }

    /// Deletes the old data keys that no record uses. Each goes in its own statement, which
    /// checks again: another process may have just written a record under one (its keyring
    /// not reloaded yet), and then that key stays until the next run.
    async fn delete_unused_keys(&self) -> Result<Vec<String>> {
        let mut conn = self.store.conn().await?;
        let mut deleted = Vec::new();
        for id in store::keys::unused(&mut conn).await? {
            match store::keys::delete_if_unused(&mut conn, &id).await {
                Ok(true) => deleted.push(id),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(key = %id, error = %e, "an unused data key could not be deleted; the next rotation tries again")
                }
            }
        }
        Ok(deleted)
    }

    pub async fn rotate_master_key(&self, actor: &Actor, home: MasterKeyHome<'_>) -> Result<MasterRotation> {
        self.rotate_master_key_interrupted(actor, home, None).await
    }

    /// See the module's documentation for the order of the steps. `stop_after` simulates a
    /// crash after that step (for tests, like [`rotate_keys_interrupted`](Self::rotate_keys_interrupted)).
    /// With the key file, this `Crm` goes on with the new master key.
    pub async fn rotate_master_key_interrupted(
        &self,
        actor: &Actor,
        home: MasterKeyHome<'_>,
        stop_after: Option<MasterStep>,
    ) -> Result<MasterRotation> {
        actor.require(&[Role::Admin], "only an admin rotates keys")?;
        // Forms staged by an earlier run for a key that never came into use (this process's
        // key would have promoted them when it loaded): this run replaces that key.
        store::keys::clear_next(&mut *self.store.conn().await?).await?;
        let data = self.rotate_keys(actor).await?;

        let text = MasterKey::generate_base64();
        let new = MasterKey::from_base64(&text)?;
        let rewrapped = self.stage_master_key(actor, &new).await?;
        let mut report = MasterRotation { data, rewrapped, new_key: None };
        if stop_after == Some(MasterStep::Staged) {
            return Ok(report);
        }
        match home {
            MasterKeyHome::Environment => report.new_key = Some(SecretString::from(text)),
            MasterKeyHome::File(path) => {
                MasterKey::replace_file(path, &text)?;
                if stop_after == Some(MasterStep::KeyFileReplaced) {
                    return Ok(report);
                }
                // Loading the keyring with the new key promotes the staged forms.
                *self.master.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(new);
                self.reload_keyring().await?;
            }
        }
        Ok(report)
    }

    /// Stores every data key's form under `new` beside its current one, in one transaction.
    async fn stage_master_key(&self, actor: &Actor, new: &MasterKey) -> Result<usize> {
        let master = self.master();
        let mut tx = self.audited(actor).await?;
        let stored = store::keys::all(&mut tx).await?;
        for k in &stored {
            let key = DataKey::unwrap_from(&k.id, &k.wrapped, &master)?;
            store::keys::set_next(&mut tx, &k.id, &key.wrap(new)?).await?;
        }
        tx.commit(
            Entry::new(AuditAction::KeysMasterRotate, AuditObject::DataKeys).with(AuditField::DataKeys, stored.len()),
        )
        .await?;
        Ok(stored.len())
    }
}
