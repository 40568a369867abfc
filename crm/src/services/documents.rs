//! Passports, birth certificates and payment details: validated, sealed with the current data
//! key, stored; opened only for the admin, the client's own agent, the client or the system,
//! each opening audited. The accountant and operators never see them. A client's documents are
//! theirs ([`Owner::Client`]), also when they travel; a companion's are sealed under the
//! traveller ([`Owner::Traveller`], see `travellers`).

use super::Crm;
use super::clients::Access;
use super::signing::DocumentLine;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::TravellerDocument;
use crate::domain::{BirthCertificate, ClientId, ForeignPassport, InternalPassport, PaymentDetails, Role};
use crate::store::Conn;
use crate::store::documents::{self as store, DocKind, Owner};
use crate::{Actor, Error, Result};
use chrono::NaiveDate;
use serde::{Serialize, de::DeserializeOwned};

/// A client's or a traveller's documents, decrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Documents {
    pub internal_passport: Option<InternalPassport>,
    pub foreign_passport: Option<ForeignPassport>,
    pub payment_details: Option<PaymentDetails>,
    pub birth_certificate: Option<BirthCertificate>,
    /// The client's address as the documents state it.
    pub address: Option<String>,
}

impl Documents {
    /// The identity documents on file, each as one value.
    pub fn identity(&self) -> Vec<TravellerDocument> {
        let mut out = Vec::new();
        out.extend(self.internal_passport.clone().map(TravellerDocument::InternalPassport));
        out.extend(self.foreign_passport.clone().map(TravellerDocument::ForeignPassport));
        out.extend(self.birth_certificate.clone().map(TravellerDocument::BirthCertificate));
        out
    }
}

/// The kinds of a client's documents on file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnFile(pub Vec<DocKind>);

impl OnFile {
    pub fn address(&self) -> bool {
        self.0.contains(&DocKind::Address)
    }

    /// Any document that proves who the client is (the consent names one).
    pub fn identity(&self) -> bool {
        DocKind::IDENTITY.iter().any(|k| self.0.contains(k))
    }
}

/// Whether the actor may see anything of a client's personal documents: their contents, which
/// of them are on file, the foreign passport's expiry. The accountant and operators never do
/// (README: «never personal documents»), whatever page or report they read.
pub(crate) fn sees_documents(actor: &Actor) -> bool {
    !matches!(actor.role(), Some(Role::Accountant | Role::Operator))
}

pub(crate) fn may_open(actor: &Actor) -> Result<()> {
    if sees_documents(actor) { Ok(()) } else { Err(Error::Forbidden("personal documents are not for this role")) }
}

/// The document as sealed: its JSON.
pub(crate) fn plain_of<T: Serialize>(doc: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(doc).map_err(|_| Error::Crypto(crate::crypto::CryptoError::Encrypt))
}

/// What a sealed write also records in clear: the client's foreign passport expiry, for the
/// «passport expires in 6 months» reminder.
pub(crate) type ClientExpiry = Option<(ClientId, NaiveDate)>;

impl Crm {
    /// Each identity put returns the client's documents made anew because they stated the
    /// previous data (see `signing::stale`).
    pub async fn put_internal_passport(
        &self,
        actor: &Actor,
        client: ClientId,
        p: &InternalPassport,
    ) -> Result<Vec<DocumentLine>> {
        self.put_document(actor, client, DocKind::InternalPassport, p, Some(p.issued_on), None).await
    }

    /// Also keeps the expiry date in clear, for the «passport expires in 6 months» reminder.
    pub async fn put_foreign_passport(
        &self,
        actor: &Actor,
        client: ClientId,
        p: &ForeignPassport,
    ) -> Result<Vec<DocumentLine>> {
        let expiry = Some((client, p.expires_on));
        self.put_document(actor, client, DocKind::ForeignPassport, p, Some(p.issued_on), expiry).await
    }

    /// The card's payment details, which no document states.
    pub async fn put_payment_details(&self, actor: &Actor, client: ClientId, d: &PaymentDetails) -> Result<()> {
        self.put_document(actor, client, DocKind::PaymentDetails, d, None, None).await.map(drop)
    }

    /// The client's own identity document, whichever kind it is: what the client card and the
    /// signing Mini App (a consent, which has no travellers) enter. A foreign passport's warnings
    /// (expired, a Latin name off the rules) come back with what was made anew; they never stop
    /// it from being saved.
    pub async fn put_client_document(
        &self,
        actor: &Actor,
        client: ClientId,
        doc: &TravellerDocument,
    ) -> Result<crate::services::DocumentSaved> {
        let remade = match doc {
            TravellerDocument::InternalPassport(p) => self.put_internal_passport(actor, client, p).await?,
            TravellerDocument::ForeignPassport(p) => self.put_foreign_passport(actor, client, p).await?,
            TravellerDocument::BirthCertificate(c) => {
                self.put_document(actor, client, DocKind::BirthCertificate, c, Some(c.issued_on), None).await?
            }
        };
        let warnings = match doc {
            TravellerDocument::ForeignPassport(p) => {
                let holder = self.client_for(actor, client, Access::Read).await?;
                crate::domain::own_passport_warnings(p, &holder.full_name, self.today())
            }
            _ => Vec::new(),
        };
        Ok(crate::services::DocumentSaved { warnings, remade })
    }

    /// Which of the client's own documents are on file, without opening any (nothing personal is
    /// read, so nothing is audited): what the signing page asks before offering a form.
    pub async fn client_document_kinds(&self, actor: &Actor, client: ClientId) -> Result<OnFile> {
        may_open(actor)?;
        self.client_for(actor, client, Access::Read).await?;
        let kinds = store::kinds_of(&mut *self.store.conn().await?, Owner::Client(client.0)).await?;
        Ok(OnFile(kinds.iter().filter_map(|k| DocKind::from_code(k)).collect()))
    }

    async fn put_document<T: Serialize>(
        &self,
        actor: &Actor,
        client: ClientId,
        kind: DocKind,
        doc: &T,
        issued_on: Option<NaiveDate>,
        expiry: ClientExpiry,
    ) -> Result<Vec<DocumentLine>> {
        may_open(actor)?;
        let holder = self.client_for(actor, client, Access::Write).await?;
        // An identity document's issue date against the client's birth date, when both are known.
        if let (Some(issued_on), Some(born)) = (issued_on, holder.birth_date) {
            crate::domain::check_issued_to(kind, issued_on, born)?;
        }
        let entry = Entry::new(AuditAction::document_put(kind), AuditObject::Client(client));
        self.seal_and_store(actor, Owner::Client(client.0), kind, &plain_of(doc)?, entry, expiry).await?;
        // No document states the payment details; any other may.
        if kind == DocKind::PaymentDetails {
            return Ok(Vec::new());
        }
        self.remake_stale(client).await
    }

    /// Seals `plain` for `owner` and stores it with its audit entry in one transaction. The
    /// caller has checked who may write.
    pub(crate) async fn seal_and_store(
        &self,
        actor: &Actor,
        owner: Owner,
        kind: DocKind,
        plain: &[u8],
        entry: Entry,
        expiry: ClientExpiry,
    ) -> Result<()> {
        match self.store_sealed(actor, owner, kind, plain, entry.clone(), expiry).await {
            // Another process (`tourcrm keys rotate`) deleted the key this one still sealed
            // with: load the new keyring and seal again.
            Err(Error::Db(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                self.reload_keyring().await?;
                self.store_sealed(actor, owner, kind, plain, entry, expiry).await
            }
            other => other,
        }
    }

    async fn store_sealed(
        &self,
        actor: &Actor,
        owner: Owner,
        kind: DocKind,
        plain: &[u8],
        entry: Entry,
        expiry: ClientExpiry,
    ) -> Result<()> {
        let sealed = self.keyring().seal(&owner.aad(kind), plain)?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::put(&mut tx, owner, kind, &sealed, now).await?;
        if let Some((client, expires_on)) = expiry {
            crate::store::clients::set_foreign_passport_expiry(&mut tx, client, Some(expires_on)).await?;
        }
        tx.commit(entry).await
    }

    /// Decrypts a client's documents for the card's «Показать» action or a contract. The read
    /// is written to the audit log before anything is returned.
    pub async fn open_documents(&self, actor: &Actor, client: ClientId) -> Result<Documents> {
        may_open(actor)?;
        self.client_for(actor, client, Access::Read).await?;
        let entry = Entry::new(AuditAction::DocumentRead, AuditObject::Client(client));
        self.open_owner(actor, Owner::Client(client.0), &DocKind::ALL, entry).await
    }

    /// Opens the documents of `kinds` an owner has, and audits the reading with `entry` (which
    /// documents were opened added to it) before returning them. The caller has checked who
    /// may read.
    pub(crate) async fn open_owner(
        &self,
        actor: &Actor,
        owner: Owner,
        kinds: &[DocKind],
        entry: Entry,
    ) -> Result<Documents> {
        let mut conn = self.store.conn().await?;
        let mut out = Documents::default();
        let mut opened = Vec::new();
        for &kind in kinds {
            if let Some(plain) = self.open_one(&mut conn, owner, kind).await? {
                opened.push(kind.title_ru());
                match kind {
                    DocKind::InternalPassport => out.internal_passport = Some(decode(&plain)?),
                    DocKind::ForeignPassport => out.foreign_passport = Some(decode(&plain)?),
                    DocKind::PaymentDetails => out.payment_details = Some(decode(&plain)?),
                    DocKind::BirthCertificate => out.birth_certificate = Some(decode(&plain)?),
                    DocKind::Address => out.address = Some(decode(&plain)?),
                }
            }
        }
        drop(conn);
        let opened = (!opened.is_empty()).then(|| opened.join(", "));
        self.audit(actor, &entry.with_some(AuditField::Documents, opened)).await?;
        Ok(out)
    }

    /// A corrected birth date must still precede the owner's identity documents on file as
    /// saving them required (`check_issued_to`): a document is not issued before its holder's
    /// birth, an internal passport not before 14. The documents are opened for this, and the
    /// check audited with `entry` when any was.
    pub(crate) async fn check_issued_after_birth(
        &self,
        actor: &Actor,
        owner: Owner,
        entry: Entry,
        born: chrono::NaiveDate,
    ) -> Result<()> {
        let mut conn = self.store.conn().await?;
        let on_file = store::kinds_of(&mut conn, owner).await?;
        let mut verdict = Ok(());
        let mut opened = false;
        for kind in DocKind::IDENTITY.into_iter().filter(|k| on_file.iter().any(|f| f == k.as_str())) {
            let Some(plain) = self.open_one(&mut conn, owner, kind).await? else { continue };
            opened = true;
            let issued_on = match kind {
                DocKind::InternalPassport => decode::<InternalPassport>(&plain)?.issued_on,
                DocKind::ForeignPassport => decode::<ForeignPassport>(&plain)?.issued_on,
                _ => decode::<BirthCertificate>(&plain)?.issued_on,
            };
            if let Err(why) = crate::domain::check_issued_to(kind, issued_on, born) {
                verdict = Err(Error::Invalid(why));
                break;
            }
        }
        drop(conn);
        if opened {
            self.audit(actor, &entry).await?;
        }
        verdict
    }

    /// One document decrypted, or `None` when there is none. Not audited: the callers are.
    pub(crate) async fn open_one(&self, conn: &mut Conn, owner: Owner, kind: DocKind) -> Result<Option<Vec<u8>>> {
        let Some(sealed) = store::get(conn, owner, kind).await? else {
            return Ok(None);
        };
        let plain = match self.keyring().open(&owner.aad(kind), &sealed) {
            // Another process (`tourcrm keys rotate`) made a key this one has not loaded yet.
            Err(crate::crypto::CryptoError::UnknownKey(_)) => {
                self.reload_keyring().await?;
                self.keyring().open(&owner.aad(kind), &sealed)?
            }
            other => other?,
        };
        Ok(Some(plain))
    }
}

pub(crate) fn decode<T: DeserializeOwned>(plain: &[u8]) -> Result<T> {
    serde_json::from_slice(plain).map_err(|_| Error::Crypto(crate::crypto::CryptoError::Malformed))
}
