//! Issuing: a document rendered from its template (`Crm::render_document`) becomes an issued
//! one — its copy sealed, its hashes and template version recorded, the previous unsigned copy
//! of the same subject superseded, and the client's message queued in the outbox, all in one
//! transaction.

use super::{DocumentLine, SigningRefusal};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::crypto::sha256_hex;
use crate::domain::{BookingId, BookingStatus, ClientId};
use crate::paperwork::{DocKind, RenderedDocument};
use crate::services::Crm;
use crate::services::clients::Access;
use crate::services::paperwork::DocSubject;
use crate::store::outbox::{self, NewMessage};
use crate::store::signing::{self as store, Event, NewDocument};
use crate::{Actor, Error, Result, text};

/// How long an issued document may be signed; after that it is «истёк» and is issued again.
pub const SIGN_WINDOW_DAYS: i64 = 14;

impl Crm {
    /// Renders the document of `kind` for `subject` from its template in force and issues it
    /// to the client for signing (a contract: for its booking, still waiting for the contract).
    /// Staff who may change the client (agent: own) or the system issue.
    pub async fn issue_document(&self, actor: &Actor, kind: DocKind, subject: DocSubject) -> Result<DocumentLine> {
        if matches!(actor, Actor::Client(_)) || !super::sees_documents(actor) {
            return Err(Error::Forbidden("staff issue documents"));
        }
        let (client, booking) = match (kind, subject) {
            (DocKind::Contract, DocSubject::Booking(b)) => {
                let b = self.booking_for(actor, b, true).await?;
                if b.status != BookingStatus::ContractPending {
                    return Err(Error::Signing(SigningRefusal::BookingMoved));
                }
                (b.client_id, Some(b.id))
            }
            (DocKind::Contract, DocSubject::Client(_)) => return Err(Error::NotFound("booking")),
            (_, DocSubject::Booking(b)) => (self.booking_for(actor, b, false).await?.client_id, None),
            (_, DocSubject::Client(c)) => (c, None),
        };
        self.client_for(actor, client, Access::Write).await?;
        let subject = match booking {
            Some(b) => DocSubject::Booking(b),
            None => DocSubject::Client(client),
        };
        let rendered = self.render_document(actor, kind, subject).await?;
        self.issue_rendered(actor, client, booking, rendered).await
    }

    /// Issues what was rendered; the checks of [`Crm::issue_document`] are done.
    async fn issue_rendered(
        &self,
        actor: &Actor,
        client: ClientId,
        booking: Option<BookingId>,
        doc: RenderedDocument,
    ) -> Result<DocumentLine> {
        let pdf_hash = sha256_hex(&doc.pdf);
        let html_hash = sha256_hex(doc.html.as_bytes());
        let version = doc.template_version.to_string();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        if let Some(b) = booking
            && store::of_booking(&mut tx, b).await?.iter().any(|d| d.kind == doc.kind && d.signed_at.is_some())
        {
            return Err(Error::Signing(SigningRefusal::AlreadySigned));
        }
        let mut previous = None;
        for old in store::open_of(&mut tx, doc.kind, client, booking).await? {
            store::add_event(&mut tx, old.id, Event::Superseded, &actor.audit_name(), now).await?;
            previous = Some(old.id);
        }
        let missing = doc.missing.join("; ");
        let id = store::insert(
            &mut tx,
            &NewDocument {
                kind: doc.kind,
                client_id: client,
                booking_id: booking,
                title: &doc.title,
                template_version: &version,
                sha256: &pdf_hash,
                html_sha256: &html_hash,
                missing: &missing,
                issued_by: &actor.audit_name(),
                issued_at: now,
                expires_at: now + chrono::Duration::days(SIGN_WINDOW_DAYS),
                supersedes: previous,
            },
        )
        .await?;
        let ring = self.keyring();
        let pdf = ring.seal(&store::copy_aad(id, "pdf"), &doc.pdf)?;
        let html = ring.seal(&store::copy_aad(id, "html"), doc.html.as_bytes())?;
        store::put_copy(&mut tx, id, &pdf, &html).await?;
        // A copy that replaces an unsigned one says so: the client may be reading the old one.
        let body = {
            let title: &[(&str, &dyn std::fmt::Display)] = &[("title", &doc.title)];
            match previous {
                Some(_) => text::fill("signing", "document_replaced", title),
                None => text::fill("signing", "document_sent", title),
            }
        };
        // A copy that lacks only what the agency enters (the travellers, an operator's security)
        // would ask the client for nothing they can give: it goes once it is complete
        // (`remake_completed`), or with the client's own part to enter.
        if crate::services::waits_for_agency(&missing) {
            tracing::info!(document = id.0, "a document waiting for the agency's data is not sent yet");
        } else {
            let message = NewMessage::service(format!("document:{id}"), "document", client, body, now);
            outbox::insert_extended(&mut tx, &message, Some(id), None, now).await?;
        }
        let object = match booking {
            Some(b) => AuditObject::Booking(b),
            None => AuditObject::Client(client),
        };
        let entry = Entry::new(AuditAction::DocumentIssue, object)
            .with(AuditField::Title, &doc.title)
            .with(AuditField::Version, &version)
            .with(AuditField::Sha256, &pdf_hash);
        tx.commit(entry).await?;
        let line = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("document"))?;
        Ok(DocumentLine::new(line, self.now()))
    }
}
