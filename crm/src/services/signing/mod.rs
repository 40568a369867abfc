//! Documents issued for signing and their simple electronic signature (63-FZ art. 9): a
//! document is issued (rendered, its immutable copy sealed, its SHA-256 and template version
//! recorded) and sent to the client through the outbox; the client reads it, accepts the
//! signature agreement once per version, asks for a one-time code (sent in Telegram, kept only
//! as a keyed hash) and signs with it. Signing a contract moves its booking to «договор
//! подписан» in the signature's own transaction. Evidence is append-only.
//!
//! Never: sign without checking that the stored copy still hashes to what was issued; keep a
//! code in clear anywhere (the outbox carries it sealed); let anyone but the client the
//! document was issued to sign it.

mod code;
mod consent;
mod issue;
mod stale;

pub use code::{CODE_MAX_ATTEMPTS, CODE_RESEND_SECONDS, CODE_TTL_MINUTES};
pub use consent::{ShownText, consent_unsigned};
pub use issue::SIGN_WINDOW_DAYS;

use super::Crm;
use super::clients::Access;
use super::documents::sees_documents;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::crypto::{CryptoError, sha256_hex};
use crate::domain::{BookingId, ClientId, IssuedDocumentId};
use crate::store::signing::{self as store, Channel, DocumentState, IssuedDocument, Signature};
use crate::{Actor, Error, Result, text};
use chrono::{DateTime, Utc};

/// The version of the agreement on using a simple electronic signature; a new text is a new
/// version (and a new file), accepted anew by every client.
pub const AGREEMENT_VERSION: &str = "1";
const AGREEMENT_HTML: &str = include_str!("../../../../templates/docs/es_agreement_v1.html");

/// The agreement's text as shown and its fingerprint (what an acceptance records).
pub fn signature_agreement() -> (&'static str, &'static str, String) {
    (AGREEMENT_VERSION, AGREEMENT_HTML, sha256_hex(AGREEMENT_HTML.as_bytes()))
}

/// Where a request came from, recorded with what it did.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub channel: Channel,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Evidence {
    pub fn chat() -> Evidence {
        Evidence { channel: Channel::Chat, ip: None, user_agent: None }
    }

    pub fn mini_app(ip: Option<String>, user_agent: Option<String>) -> Evidence {
        // A header is whatever the client sent: kept, but bounded.
        let cut = |s: String| s.chars().take(512).collect::<String>();
        Evidence { channel: Channel::MiniApp, ip: ip.map(cut), user_agent: user_agent.map(cut) }
    }
}

/// Why a signing step was refused, in the client's words (`[signing_refusal]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigningRefusal {
    #[error("the document was issued to another client")]
    NotYours,
    #[error("the document is {0:?}")]
    NotSignable(DocumentState),
    #[error("the agreement on the electronic signature is not accepted")]
    AgreementRequired,
    #[error("no code was asked for")]
    NoCode,
    #[error("the code has expired")]
    CodeExpired,
    #[error("the code is wrong, {left} attempts left")]
    CodeWrong { left: i64 },
    #[error("too many wrong codes")]
    CodeExhausted,
    #[error("the code is not six digits")]
    CodeFormat,
    #[error("a code was sent less than a minute ago")]
    CodeTooSoon,
    #[error("the stored copy does not match what was issued")]
    DocumentChanged,
    #[error("the client has no Telegram to send the code to")]
    NoTelegram,
    #[error("the booking is no longer waiting for its contract")]
    BookingMoved,
    #[error("a signed contract cannot be reissued")]
    AlreadySigned,
    #[error("the document lacks data the client enters first")]
    DataMissing,
    #[error("the data the document states changed since it was issued")]
    Outdated,
}

impl SigningRefusal {
    pub fn message_ru(&self) -> String {
        match self {
            SigningRefusal::NotYours => text::get("signing_refusal", "not_yours").to_owned(),
            SigningRefusal::NotSignable(state) => {
                text::fill("signing_refusal", "not_signable", &[("state", &state.title_ru())])
            }
            SigningRefusal::AgreementRequired => text::get("signing_refusal", "agreement_required").to_owned(),
            SigningRefusal::NoCode => text::get("signing_refusal", "no_code").to_owned(),
            SigningRefusal::CodeExpired => text::get("signing_refusal", "code_expired").to_owned(),
            SigningRefusal::CodeWrong { left } => text::fill("signing_refusal", "code_wrong", &[("left", left)]),
            SigningRefusal::CodeExhausted => text::get("signing_refusal", "code_exhausted").to_owned(),
            SigningRefusal::CodeFormat => text::get("signing_refusal", "code_format").to_owned(),
            SigningRefusal::CodeTooSoon => text::get("signing_refusal", "code_too_soon").to_owned(),
            SigningRefusal::DocumentChanged => text::get("signing_refusal", "document_changed").to_owned(),
            SigningRefusal::NoTelegram => text::get("signing_refusal", "no_telegram").to_owned(),
            SigningRefusal::BookingMoved => text::get("signing_refusal", "booking_moved").to_owned(),
            SigningRefusal::AlreadySigned => text::get("signing_refusal", "already_signed").to_owned(),
            SigningRefusal::DataMissing => text::get("signing_refusal", "data_missing").to_owned(),
            SigningRefusal::Outdated => text::get("signing_refusal", "outdated").to_owned(),
        }
    }
}

/// An issued document with its state now, as lists and cards show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocumentLine {
    #[serde(flatten)]
    pub document: IssuedDocument,
    pub state: DocumentState,
    pub state_title: &'static str,
    pub kind_title: &'static str,
}

impl DocumentLine {
    fn new(document: IssuedDocument, now: DateTime<Utc>) -> DocumentLine {
        let state = document.state(now);
        DocumentLine { state_title: state.title_ru(), kind_title: document.kind.title_ru(), state, document }
    }
}

/// What the client sees when opening a document to sign it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SigningView {
    pub document: DocumentLine,
    /// The document's HTML as issued (checked against its recorded hash).
    pub html: String,
    pub agreement_needed: bool,
    pub agreement_version: &'static str,
    pub agreement_html: &'static str,
    /// A code was sent and may still be typed.
    pub code_pending: bool,
}

impl Crm {
    /// A document as the actor may see it: the client it was issued to, or staff who reach its
    /// client (agent: own) and may see documents.
    pub(crate) async fn issued_for(&self, actor: &Actor, id: IssuedDocumentId) -> Result<IssuedDocument> {
        let doc = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("document"))?;
        match actor {
            Actor::Client(c) if *c == doc.client_id => Ok(doc),
            Actor::Client(_) => Err(Error::Signing(SigningRefusal::NotYours)),
            _ => {
                if !sees_documents(actor) {
                    return Err(Error::Forbidden("documents are not for this role"));
                }
                self.client_for(actor, doc.client_id, Access::Read).await?;
                Ok(doc)
            }
        }
    }

    /// The documents of a booking with their states (empty for roles that see no documents).
    pub async fn booking_documents(&self, actor: &Actor, booking: BookingId) -> Result<Vec<DocumentLine>> {
        self.booking_for(actor, booking, false).await?;
        if !sees_documents(actor) {
            return Ok(Vec::new());
        }
        let now = self.now();
        let docs = store::of_booking(&mut *self.store.conn().await?, booking).await?;
        Ok(docs.into_iter().map(|d| DocumentLine::new(d, now)).collect())
    }

    /// The documents of a client (contracts of every booking, consents) with their states.
    pub async fn client_documents(&self, actor: &Actor, client: ClientId) -> Result<Vec<DocumentLine>> {
        self.client_for(actor, client, Access::Read).await?;
        if !sees_documents(actor) {
            return Ok(Vec::new());
        }
        let now = self.now();
        let docs = store::of_client(&mut *self.store.conn().await?, client).await?;
        Ok(docs.into_iter().map(|d| DocumentLine::new(d, now)).collect())
    }

    /// One document with its state.
    pub async fn issued_document(&self, actor: &Actor, id: IssuedDocumentId) -> Result<DocumentLine> {
        Ok(DocumentLine::new(self.issued_for(actor, id).await?, self.now()))
    }

    /// The evidence of a signed document, for staff and the client.
    pub async fn document_signature(&self, actor: &Actor, id: IssuedDocumentId) -> Result<Option<Signature>> {
        self.issued_for(actor, id).await?;
        Ok(store::signature(&mut *self.store.conn().await?, id).await?)
    }

    /// The stored copy, opened and checked against the hashes recorded at issue: `(pdf, html)`.
    /// A copy that does not open or does not match is refused as changed.
    async fn verified_copy(&self, doc: &IssuedDocument) -> Result<(Vec<u8>, Vec<u8>)> {
        let sealed = store::copy(&mut *self.store.conn().await?, doc.id).await?;
        let Some((pdf, html)) = sealed else { return Err(Error::Signing(SigningRefusal::DocumentChanged)) };
        let open = |part: &str, s: &crate::crypto::Sealed| -> Result<Vec<u8>> {
            match self.keyring().open(&store::copy_aad(doc.id, part), s) {
                Ok(p) => Ok(p),
                Err(CryptoError::UnknownKey(_)) => Err(Error::Crypto(CryptoError::UnknownKey(s.key_id().to_owned()))),
                Err(_) => Err(Error::Signing(SigningRefusal::DocumentChanged)),
            }
        };
        let (pdf, html) = match (open("pdf", &pdf), open("html", &html)) {
            (Err(Error::Crypto(CryptoError::UnknownKey(_))), _)
            | (_, Err(Error::Crypto(CryptoError::UnknownKey(_)))) => {
                // Another process (`tourcrm keys rotate`) made a key this one has not loaded yet.
                self.reload_keyring().await?;
                (open("pdf", &pdf)?, open("html", &html)?)
            }
            (p, h) => (p?, h?),
        };
        let same = |bytes: &[u8], recorded: &str| {
            crate::crypto::same_secret(sha256_hex(bytes).as_bytes(), recorded.as_bytes())
        };
        if !same(&pdf, &doc.sha256) || !same(&html, &doc.html_sha256) {
            return Err(Error::Signing(SigningRefusal::DocumentChanged));
        }
        Ok((pdf, html))
    }

    /// The document's PDF for reading or download, checked against its recorded hash; the
    /// reading is audited (the contract holds passport data).
    pub async fn document_pdf(&self, actor: &Actor, id: IssuedDocumentId) -> Result<(DocumentLine, Vec<u8>)> {
        let doc = self.issued_for(actor, id).await?;
        let checked = self.verified_copy(&doc).await;
        let object = match doc.booking_id {
            Some(b) => AuditObject::Booking(b),
            None => AuditObject::Client(doc.client_id),
        };
        let (pdf, _) = match checked {
            Ok(copy) => copy,
            Err(e) => {
                self.audit_refusal(actor, &doc, &e).await?;
                return Err(e);
            }
        };
        let entry = Entry::new(AuditAction::DocumentDownload, object)
            .with(AuditField::Title, &doc.title)
            .with(AuditField::Sha256, &doc.sha256);
        self.audit(actor, &entry).await?;
        Ok((DocumentLine::new(doc, self.now()), pdf))
    }

    /// The client opens a document to sign it: the view of the signing page (or the chat),
    /// the first opening recorded.
    pub async fn open_for_signing(&self, actor: &Actor, id: IssuedDocumentId) -> Result<SigningView> {
        let client = signer(actor)?;
        let doc = self.issued_for(actor, id).await?;
        let (_, html) = self.verified_copy(&doc).await?;
        let html = String::from_utf8(html).map_err(|_| Error::Signing(SigningRefusal::DocumentChanged))?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        if doc.opened_at.is_none() && doc.state(now).signable() {
            store::add_event(&mut conn, id, store::Event::Opened, &actor.audit_name(), now).await?;
        }
        let agreement_needed = !store::agreement_accepted(&mut conn, client, AGREEMENT_VERSION).await?;
        let code_pending = store::active_code(&mut conn, id)
            .await?
            .is_some_and(|c| c.expires_at > now && c.attempts < CODE_MAX_ATTEMPTS);
        drop(conn);
        let doc = self.issued_for(actor, id).await?;
        Ok(SigningView {
            document: DocumentLine::new(doc, now),
            html,
            agreement_needed,
            agreement_version: AGREEMENT_VERSION,
            agreement_html: AGREEMENT_HTML,
            code_pending,
        })
    }

    /// The client accepts the current signature agreement (once per version; again is a no-op).
    pub async fn accept_signature_agreement(&self, actor: &Actor, evidence: &Evidence) -> Result<()> {
        let client = signer(actor)?;
        let (version, _, hash) = signature_agreement();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let added = store::accept_agreement(
            &mut tx,
            client,
            version,
            &hash,
            evidence.channel,
            evidence.ip.as_deref(),
            evidence.user_agent.as_deref(),
            now,
        )
        .await?;
        if !added {
            return tx.commit_unrecorded().await;
        }
        let entry = Entry::new(AuditAction::SignatureAgreementAccepted, AuditObject::Client(client))
            .with(AuditField::Version, version)
            .with(AuditField::Sha256, hash);
        tx.commit(entry).await
    }

    /// Whether the client has accepted the current signature agreement.
    pub async fn signature_agreement_accepted(&self, actor: &Actor) -> Result<bool> {
        let client = signer(actor)?;
        Ok(store::agreement_accepted(&mut *self.store.conn().await?, client, AGREEMENT_VERSION).await?)
    }

    /// A refused signature or reading is worth a line in the log (a changed document above all).
    async fn audit_refusal(&self, actor: &Actor, doc: &IssuedDocument, e: &Error) -> Result<()> {
        let Error::Signing(refusal) = e else { return Ok(()) };
        let object = match doc.booking_id {
            Some(b) => AuditObject::Booking(b),
            None => AuditObject::Client(doc.client_id),
        };
        let entry = Entry::new(AuditAction::DocumentSignRefused, object)
            .with(AuditField::Title, &doc.title)
            .with(AuditField::Reason, refusal.message_ru());
        self.audit(actor, &entry).await
    }
}

impl Crm {
    /// The document an outbox message brings, checked; `Ok(Err(reason))` when it is not to be
    /// sent any more (signed, superseded or expired meanwhile).
    pub(crate) async fn document_for_delivery(
        &self,
        id: IssuedDocumentId,
    ) -> Result<std::result::Result<super::notify::outbox::OutgoingDocument, String>> {
        let doc = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("document"))?;
        let state = doc.state(self.now());
        if !state.signable() {
            return Ok(Err(text::fill("outbox_reason", "document_ended", &[("state", &state.title_ru())])));
        }
        let (pdf, _) = self.verified_copy(&doc).await?;
        Ok(Ok(super::notify::outbox::OutgoingDocument { id, title: doc.title, pdf }))
    }
}

/// Only a client signs, and only for themself.
fn signer(actor: &Actor) -> Result<ClientId> {
    match actor {
        Actor::Client(c) => Ok(*c),
        _ => Err(Error::Forbidden("only the client signs their documents")),
    }
}
