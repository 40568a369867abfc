//! Issuing: a rendered document becomes an issued one — its copy sealed, its hashes and
//! template version recorded, the previous unsigned copy of the same subject superseded, and the
//! client's message queued in the outbox, all in one transaction.

use super::{DocumentLine, SigningRefusal};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::crypto::sha256_hex;
use crate::domain::{BookingId, BookingStatus, ClientId};
use crate::services::Crm;
use crate::services::clients::Access;
use crate::store::outbox::{self, NewMessage, OutboxStatus};
use crate::store::signing::{self as store, Event, IssuedKind, NewDocument};
use crate::{Actor, Error, Result, text};

/// How long an issued document may be signed; after that it is «истёк» and is issued again.
pub const SIGN_WINDOW_DAYS: i64 = 14;

/// A document rendered for signing: what the documents' templates produce.
#[derive(Debug, Clone)]
pub struct RenderedForSigning {
    pub kind: IssuedKind,
    pub template_version: String,
    pub title: String,
    pub html: String,
    pub pdf: Vec<u8>,
}

impl Crm {
    /// Issues a rendered document to `client` (a contract: for `booking`) and queues the
    /// message that brings it to the client. Staff who may change the client (agent: own) or
    /// the system issue; a signed contract is never reissued.
    pub async fn issue_rendered(
        &self,
        actor: &Actor,
        client: ClientId,
        booking: Option<BookingId>,
        doc: RenderedForSigning,
    ) -> Result<DocumentLine> {
        if matches!(actor, Actor::Client(_)) || !super::sees_documents(actor) {
            return Err(Error::Forbidden("staff issue documents"));
        }
        self.client_for(actor, client, Access::Write).await?;
        if doc.kind == IssuedKind::Contract {
            let Some(b) = booking else { return Err(Error::NotFound("booking")) };
            let b = self.booking_for(actor, b, true).await?;
            if b.client_id != client {
                return Err(Error::Forbidden("the booking is another client's"));
            }
            if b.status != BookingStatus::ContractPending {
                return Err(Error::Signing(SigningRefusal::BookingMoved));
            }
        }
        let pdf_hash = sha256_hex(&doc.pdf);
        let html_hash = sha256_hex(doc.html.as_bytes());
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let booking = if doc.kind == IssuedKind::Contract { booking } else { None };
        let mut previous = None;
        for old in store::open_of(&mut tx, doc.kind, client, booking).await? {
            store::add_event(&mut tx, old.id, Event::Superseded, &actor.audit_name(), now).await?;
            previous = Some(old.id);
        }
        if doc.kind == IssuedKind::Contract
            && let Some(b) = booking
            && store::of_booking(&mut tx, b).await?.iter().any(|d| d.kind == doc.kind && d.signed_at.is_some())
        {
            return Err(Error::Signing(SigningRefusal::AlreadySigned));
        }
        let id = store::insert(
            &mut tx,
            &NewDocument {
                kind: doc.kind,
                client_id: client,
                booking_id: booking,
                title: &doc.title,
                template_version: &doc.template_version,
                sha256: &pdf_hash,
                html_sha256: &html_hash,
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
        let message = NewMessage {
            dedup_key: format!("document:{id}"),
            kind: "document".to_owned(),
            client_id: client,
            broadcast_id: None,
            tour_id: None,
            advertising: false,
            body: text::fill("signing", "document_sent", &[("title", &doc.title)]),
            not_before: now,
            status: OutboxStatus::Pending,
        };
        outbox::insert_extended(&mut tx, &message, Some(id), None, now).await?;
        let object = match booking {
            Some(b) => AuditObject::Booking(b),
            None => AuditObject::Client(client),
        };
        let entry = Entry::new(AuditAction::DocumentIssue, object)
            .with(AuditField::Title, &doc.title)
            .with(AuditField::Version, &doc.template_version)
            .with(AuditField::Sha256, &pdf_hash);
        tx.commit(entry).await?;
        let line = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("document"))?;
        Ok(DocumentLine::new(line, self.now()))
    }
}
