//! Passports and payment details: validated, sealed with the current data key, stored; opened
//! only for the admin, the client's own agent, the client or the system, each opening audited.
//! The accountant and operators never see them.

use super::Crm;
use super::clients::Access;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{ClientId, ForeignPassport, InternalPassport, PaymentDetails, Role};
use crate::store::documents::{self as store, DocKind, Owner};
use crate::{Actor, Error, Result};
use serde::{Serialize, de::DeserializeOwned};

/// A client's documents, decrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Documents {
    pub internal_passport: Option<InternalPassport>,
    pub foreign_passport: Option<ForeignPassport>,
    pub payment_details: Option<PaymentDetails>,
}

/// Whether the actor may see anything of a client's personal documents: their contents, which
/// of them are on file, the foreign passport's expiry. The accountant and operators never do
/// (README: «never personal documents»), whatever page or report they read.
pub(crate) fn sees_documents(actor: &Actor) -> bool {
    !matches!(actor.role(), Some(Role::Accountant | Role::Operator))
}

fn may_open(actor: &Actor) -> Result<()> {
    if sees_documents(actor) { Ok(()) } else { Err(Error::Forbidden("personal documents are not for this role")) }
}

impl Crm {
    pub async fn put_internal_passport(&self, actor: &Actor, client: ClientId, p: &InternalPassport) -> Result<()> {
        self.put_document(actor, client, DocKind::InternalPassport, p).await
    }

    /// Also keeps the expiry date in clear, for the «passport expires in 6 months» reminder.
    pub async fn put_foreign_passport(&self, actor: &Actor, client: ClientId, p: &ForeignPassport) -> Result<()> {
        self.put_document(actor, client, DocKind::ForeignPassport, p).await?;
        let mut conn = self.store.conn().await?;
        crate::store::clients::set_foreign_passport_expiry(&mut conn, client, Some(p.expires_on)).await?;
        Ok(())
    }

    pub async fn put_payment_details(&self, actor: &Actor, client: ClientId, d: &PaymentDetails) -> Result<()> {
        self.put_document(actor, client, DocKind::PaymentDetails, d).await
    }

    async fn put_document<T: Serialize>(&self, actor: &Actor, client: ClientId, kind: DocKind, doc: &T) -> Result<()> {
        may_open(actor)?;
        self.client_for(actor, client, Access::Write).await?;
        let owner = Owner::Client(client.0);
        let plain = serde_json::to_vec(doc).map_err(|_| crate::crypto::CryptoError::Encrypt)?;
        match self.store_document(actor, client, owner, kind, &plain).await {
            // Another process (`tourcrm keys rotate`) deleted the key this one still sealed
            // with: load the new keyring and seal again.
            Err(Error::Db(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                self.reload_keyring().await?;
                self.store_document(actor, client, owner, kind, &plain).await
            }
            other => other,
        }
    }

    async fn store_document(
        &self,
        actor: &Actor,
        client: ClientId,
        owner: Owner,
        kind: DocKind,
        plain: &[u8],
    ) -> Result<()> {
        let sealed = self.keyring().seal(&owner.aad(kind), plain)?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::put(&mut tx, owner, kind, &sealed, now).await?;
        tx.commit(Entry::new(AuditAction::document_put(kind), AuditObject::Client(client))).await
    }

    /// Decrypts a client's documents for the card's «Показать» action or a contract. The read
    /// is written to the audit log before anything is returned.
    pub async fn open_documents(&self, actor: &Actor, client: ClientId) -> Result<Documents> {
        may_open(actor)?;
        self.client_for(actor, client, Access::Read).await?;
        let owner = Owner::Client(client.0);
        let mut conn = self.store.conn().await?;
        let mut out = Documents::default();
        let mut opened = Vec::new();
        for kind in [DocKind::InternalPassport, DocKind::ForeignPassport, DocKind::PaymentDetails] {
            if let Some(sealed) = store::get(&mut conn, owner, kind).await? {
                let plain = match self.keyring().open(&owner.aad(kind), &sealed) {
                    // Another process (`tourcrm keys rotate`) made a key this one has not loaded yet.
                    Err(crate::crypto::CryptoError::UnknownKey(_)) => {
                        self.reload_keyring().await?;
                        self.keyring().open(&owner.aad(kind), &sealed)?
                    }
                    other => other?,
                };
                opened.push(kind.title_ru());
                match kind {
                    DocKind::InternalPassport => out.internal_passport = Some(decode(&plain)?),
                    DocKind::ForeignPassport => out.foreign_passport = Some(decode(&plain)?),
                    DocKind::PaymentDetails => out.payment_details = Some(decode(&plain)?),
                }
            }
        }
        drop(conn);
        let opened = (!opened.is_empty()).then(|| opened.join(", "));
        let entry = Entry::new(AuditAction::DocumentRead, AuditObject::Client(client));
        self.audit(actor, &entry.with_some(AuditField::Documents, opened)).await?;
        Ok(out)
    }
}

fn decode<T: DeserializeOwned>(plain: &[u8]) -> Result<T> {
    serde_json::from_slice(plain).map_err(|_| Error::Crypto(crate::crypto::CryptoError::Malformed))
}
