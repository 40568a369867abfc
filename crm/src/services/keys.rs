//! Data-key rotation. Order matters for crash safety: the new key is stored and activated
//! first (so new writes use it), then records are re-sealed one by one, each in its own
//! statement, and the old key is retired only when no record uses it. Interrupted anywhere,
//! every record is sealed with a key that is still in the keyring; running it again finishes.

use super::Crm;
use crate::crypto::DataKey;
use crate::domain::Role;
use crate::store::{self, audit};
use crate::{Actor, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub new_key: String,
    pub resealed: usize,
    pub retired: Vec<String>,
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
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::keys::insert(&mut tx, &key.id, &key.wrap(&self.master)?, "retiring", now).await?;
        store::keys::activate(&mut tx, &key.id).await?;
        audit::record(&mut tx, now, &actor.audit_name(), "keys.rotate", "data_key", Some(key.id.clone()), None).await?;
        tx.commit().await?;
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
                    return Ok(RotationReport { new_key: current, resealed, retired: Vec::new() });
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
        let mut conn = self.store.conn().await?;
        let retired = store::keys::retire_unused(&mut conn, self.now()).await?;
        // The scheduler calls this every minute: only real work goes to the audit log.
        if resealed > 0 || !retired.is_empty() {
            audit::record(
                &mut conn,
                self.now(),
                &actor.audit_name(),
                "keys.resealed",
                "data_key",
                Some(current.clone()),
                Some(format!("records={resealed} retired={}", retired.join(","))),
            )
            .await?;
        }
        Ok(RotationReport { new_key: current, resealed, retired })
    }
}
