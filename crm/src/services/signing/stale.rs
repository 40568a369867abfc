//! An issued document states the data on file when it was made. When that data changes (a
//! corrected passport, the address, a companion added or renamed, the agency's requisites), the
//! unsigned copy no longer says what is true and must not be signed: it is made anew from the
//! data on file, superseding the old copy, and the client gets the new one.
//!
//! Whether a copy is stale is decided by rendering it again from the template version it was
//! issued with (rendering is deterministic: the document's date is the booking's or the client's,
//! never today's) and comparing with what was recorded. So a template edited meanwhile does not
//! make a copy stale, and no list of "fields a document uses" has to be kept in step with the
//! templates.
//!
//! Two places ask: every change of the data a document states (staff or the client entering a
//! document, an address, a traveller), right after its own transaction; and signing itself, which
//! refuses a stale copy — so a crash between a change and its remaking, or a change made where no
//! one asked (the agency's requisites), still never lets a stale copy be signed.

use super::{DocumentLine, SigningRefusal};
use crate::crypto::sha256_hex;
use crate::domain::{ClientId, IssuedDocumentId};
use crate::services::Crm;
use crate::services::paperwork::{DocSubject, waits_for_agency};
use crate::store::signing::{self as store, DocumentState, IssuedDocument};
use crate::{Actor, Error, Result};

/// What rendering an issued copy again from the data on file tells.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Freshness {
    /// The copy states exactly what is on file.
    Current,
    /// The data changed; `missing` is what a copy made now would lack (`; `-separated, as
    /// `IssuedDocument::missing`).
    Stale { missing: String },
}

fn subject_of(doc: &IssuedDocument) -> DocSubject {
    match doc.booking_id {
        Some(b) => DocSubject::Booking(b),
        None => DocSubject::Client(doc.client_id),
    }
}

impl Crm {
    /// Whether the copy still states what is on file. The system reads the data (the change
    /// that asks may be the client's own), as issuing does.
    async fn freshness(&self, doc: &IssuedDocument) -> Result<Freshness> {
        let Ok(version) = doc.template_version.parse::<i64>() else {
            return Ok(Freshness::Stale { missing: doc.missing.clone() });
        };
        let (html, missing) = self.document_html_version(&Actor::System, doc.kind, version, subject_of(doc)).await?;
        let missing = missing.join("; ");
        if sha256_hex(html.as_bytes()) == doc.html_sha256 && missing == doc.missing {
            return Ok(Freshness::Current);
        }
        Ok(Freshness::Stale { missing })
    }

    /// Makes anew each of the client's unsigned documents whose data changed, and returns the new
    /// copies. A copy that lacked data and still lacks some of the client's is left: it cannot
    /// be signed, and is made anew once the client's last piece is entered (the client would
    /// otherwise get a new copy for every field typed). Once only the agency's part is lacking
    /// the copy is made anew (and held, not sent, until that comes: `issue`), so it no longer
    /// asks the client for what they entered. A document that cannot be made now (the booking moved on, the
    /// operator's registry entry removed) is left as it is; signing refuses it if stale.
    pub(crate) async fn remake_stale(&self, client: ClientId) -> Result<Vec<DocumentLine>> {
        let now = self.now();
        let mut docs = store::of_client(&mut *self.store.conn().await?, client).await?;
        // In the order they were issued, so the client gets the new copies in the same order.
        docs.sort_by_key(|d| d.id.0);
        let mut remade = Vec::new();
        for doc in docs.into_iter().filter(|d| d.state(now).signable()) {
            let made = match self.freshness(&doc).await {
                Ok(Freshness::Current) => continue,
                // Still lacking some of the client's data: not signable either way.
                Ok(Freshness::Stale { missing })
                    if !doc.missing.is_empty() && !missing.is_empty() && !waits_for_agency(&missing) =>
                {
                    continue;
                }
                Ok(Freshness::Stale { .. }) => self.issue_document(&Actor::System, doc.kind, subject_of(&doc)).await,
                Err(e) => Err(e),
            };
            match made {
                Ok(line) => remade.push(line),
                Err(e @ (Error::Conflict(_) | Error::Signing(_) | Error::NotFound(_))) => {
                    tracing::warn!(document = doc.id.0, error = %e, "a stale document cannot be made anew now");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(remade)
    }

    /// After the agency's own data changed (its requisites, an operator's registry entry): each
    /// unsigned copy that waited for data and now lacks nothing is made anew and sent, so the
    /// client who was told the agency is preparing it gets it without anyone issuing it again.
    /// Copies that lacked nothing are left to signing's check (`refuse_stale`).
    pub(crate) async fn remake_completed(&self) -> Result<Vec<DocumentLine>> {
        let now = self.now();
        let waiting = store::open_lacking(&mut *self.store.conn().await?).await?;
        let mut remade = Vec::new();
        for doc in waiting.into_iter().filter(|d| d.state(now).signable()) {
            match self.freshness(&doc).await {
                Ok(Freshness::Stale { missing }) if missing.is_empty() => {
                    match self.issue_document(&Actor::System, doc.kind, subject_of(&doc)).await {
                        Ok(line) => remade.push(line),
                        // The booking moved on meanwhile: signing refuses the old copy anyway.
                        Err(e) => {
                            tracing::warn!(document = doc.id.0, error = %e, "a completed document was not made anew")
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(document = doc.id.0, error = %e, "a waiting document could not be checked"),
            }
        }
        Ok(remade)
    }

    /// Signing's check: a copy whose data changed since it was issued is made anew (the client
    /// gets it) and refused, before any code is sent or spent on it.
    pub(super) async fn refuse_stale(&self, doc: &IssuedDocument) -> Result<()> {
        if self.freshness(doc).await? == Freshness::Current {
            return Ok(());
        }
        self.issue_document(&Actor::System, doc.kind, subject_of(doc)).await?;
        Err(Error::Signing(SigningRefusal::Outdated))
    }

    /// The copy of a document to show and sign now: the document itself, or, once it was
    /// superseded, the open copy that replaced it (a page or a button of the old copy leads to
    /// the new one). A signed or expired document is itself.
    pub async fn current_copy(&self, actor: &Actor, id: IssuedDocumentId) -> Result<DocumentLine> {
        let doc = self.issued_for(actor, id).await?;
        if doc.state(self.now()) != DocumentState::Superseded {
            return Ok(DocumentLine::new(doc, self.now()));
        }
        let mut conn = self.store.conn().await?;
        let newest = store::open_of(&mut conn, doc.kind, doc.client_id, doc.booking_id).await?.pop();
        drop(conn);
        Ok(DocumentLine::new(newest.filter(|n| n.id.0 > doc.id.0).unwrap_or(doc), self.now()))
    }
}
