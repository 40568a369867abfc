//! The one-time code: six digits sent in Telegram through the outbox (sealed there), kept here
//! only as a keyed hash bound to the document, valid for [`CODE_TTL_MINUTES`] and
//! [`CODE_MAX_ATTEMPTS`] tries; then a new code is needed. Signing with it records the evidence
//! and, for a contract, moves the booking to «договор подписан» in the same transaction.

use super::{AGREEMENT_VERSION, DocumentLine, Evidence, SigningRefusal, signer};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::crypto::{hmac_sha256, same_secret};
use crate::domain::{BookingStatus, Cause, IssuedDocumentId};
use crate::paperwork::DocKind;
use crate::services::Crm;
use crate::store::outbox::{self, NewMessage};
use crate::store::signing::{self as store, Event, Signature};
use crate::{Actor, Conflict, Error, Result, text};
use rand::Rng;

pub const CODE_TTL_MINUTES: i64 = 10;
pub const CODE_MAX_ATTEMPTS: i64 = 5;
/// A new code no sooner than this after the last one (a client's impatience, or a script).
pub const CODE_RESEND_SECONDS: i64 = 60;

impl Crm {
    /// The keyed hash of a code for a document: the server secret never reaches the database,
    /// so a copy of the database does not give the codes away.
    fn code_hash(&self, id: IssuedDocumentId, code: &str) -> String {
        hex::encode(hmac_sha256(self.master().mac_key(), format!("tourcrm/sign-code/{id}/{code}").as_bytes()))
    }

    /// Sends the client a new one-time code for the document (replacing an earlier one).
    pub async fn send_signing_code(&self, actor: &Actor, id: IssuedDocumentId) -> Result<()> {
        let client_id = signer(actor)?;
        let doc = self.issued_for(actor, id).await?;
        let now = self.now();
        let state = doc.state(now);
        if !state.signable() {
            return Err(Error::Signing(SigningRefusal::NotSignable(state)));
        }
        if !doc.missing.is_empty() {
            return Err(Error::Signing(SigningRefusal::DataMissing));
        }
        let mut conn = self.store.conn().await?;
        if !store::agreement_accepted(&mut conn, client_id, AGREEMENT_VERSION).await? {
            return Err(Error::Signing(SigningRefusal::AgreementRequired));
        }
        let client = crate::store::clients::get(&mut conn, client_id).await?.ok_or(Error::NotFound("client"))?;
        if client.telegram_id.is_none() {
            return Err(Error::Signing(SigningRefusal::NoTelegram));
        }
        if let Some(last) = store::active_code(&mut conn, id).await?
            && (now - last.created_at).num_seconds() < CODE_RESEND_SECONDS
        {
            return Err(Error::Signing(SigningRefusal::CodeTooSoon));
        }
        drop(conn);
        // No code for a copy whose data changed since: the client gets the new copy instead.
        self.refuse_stale(&doc).await?;
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        let hash = self.code_hash(id, &code);
        let mut tx = self.audited(actor).await?;
        let code_id =
            store::new_code(&mut tx, id, &hash, now, now + chrono::Duration::minutes(CODE_TTL_MINUTES)).await?;
        let dedup_key = format!("sign_code:{code_id}");
        let body = text::fill(
            "signing",
            "code_message",
            &[("code", &code), ("title", &doc.title), ("minutes", &CODE_TTL_MINUTES)],
        );
        let sealed = self.keyring().seal(&outbox::sealed_aad(&dedup_key), body.as_bytes())?;
        // What the panel's outbox page shows: the code itself travels sealed.
        let shown = text::fill("signing", "code_message_hidden", &[("title", &doc.title)]);
        let message = NewMessage::service(dedup_key, "sign_code", client_id, shown, now);
        outbox::insert_extended(&mut tx, &message, None, Some(&sealed), now).await?;
        // Sending a code changes no record of the log's: the evidence keeps its hash and time.
        tx.commit_unrecorded().await
    }

    /// Signs the document with the code the client typed. A wrong code counts an attempt (and
    /// only that); everything else refused changes nothing.
    pub async fn sign_with_code(
        &self,
        actor: &Actor,
        id: IssuedDocumentId,
        code: &str,
        evidence: &Evidence,
    ) -> Result<DocumentLine> {
        let client_id = signer(actor)?;
        let doc = self.issued_for(actor, id).await?;
        let now = self.now();
        let state = doc.state(now);
        if !state.signable() {
            return Err(Error::Signing(SigningRefusal::NotSignable(state)));
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::Signing(SigningRefusal::CodeFormat));
        }
        if !doc.missing.is_empty() {
            return Err(Error::Signing(SigningRefusal::DataMissing));
        }
        let mut conn = self.store.conn().await?;
        if !store::agreement_accepted(&mut conn, client_id, AGREEMENT_VERSION).await? {
            return Err(Error::Signing(SigningRefusal::AgreementRequired));
        }
        let client = crate::store::clients::get(&mut conn, client_id).await?.ok_or(Error::NotFound("client"))?;
        let Some(telegram_id) = client.telegram_id else { return Err(Error::Signing(SigningRefusal::NoTelegram)) };
        let booking = match (doc.kind, doc.booking_id) {
            (DocKind::Contract, Some(b)) => {
                let b = crate::store::bookings::get(&mut conn, b).await?.ok_or(Error::NotFound("booking"))?;
                if b.status.check_move(BookingStatus::ContractSigned, Cause::Manual).is_err() {
                    return Err(Error::Signing(SigningRefusal::BookingMoved));
                }
                Some(b)
            }
            _ => None,
        };
        drop(conn);
        // The copy must still be what was issued, before any code is spent on it.
        if let Err(e) = self.verified_copy(&doc).await {
            self.audit_refusal(actor, &doc, &e).await?;
            return Err(e);
        }
        // And it must still state what is on file (see `stale`).
        self.refuse_stale(&doc).await?;

        let mut tx = self.audited(actor).await?;
        let Some(active) = store::active_code(&mut tx, id).await? else {
            return Err(Error::Signing(SigningRefusal::NoCode));
        };
        if now >= active.expires_at {
            return Err(Error::Signing(SigningRefusal::CodeExpired));
        }
        if active.attempts >= CODE_MAX_ATTEMPTS {
            return Err(Error::Signing(SigningRefusal::CodeExhausted));
        }
        let Some(attempts) = store::count_attempt(&mut tx, active.id).await? else {
            return Err(Error::Signing(SigningRefusal::NoCode));
        };
        let object = match doc.booking_id {
            Some(b) => AuditObject::Booking(b),
            None => AuditObject::Client(doc.client_id),
        };
        if !same_secret(active.code_hash.as_bytes(), self.code_hash(id, &code).as_bytes()) {
            let left = CODE_MAX_ATTEMPTS - attempts;
            let refusal = if left > 0 { SigningRefusal::CodeWrong { left } } else { SigningRefusal::CodeExhausted };
            // The attempt is kept (that is the limit), with a line in the log.
            let entry = Entry::new(AuditAction::DocumentSignRefused, object)
                .with(AuditField::Title, &doc.title)
                .with(AuditField::Reason, refusal.message_ru());
            tx.commit(entry).await?;
            return Err(Error::Signing(refusal));
        }
        if !store::use_code(&mut tx, active.id).await? {
            return Err(Error::Signing(SigningRefusal::NoCode));
        }
        store::add_event(&mut tx, id, Event::Signed, &actor.audit_name(), now)
            .await
            .map_err(Error::from)
            .map_err(|e| e.on_unique(Conflict::NoChange("the document was signed or reissued meanwhile")))?;
        store::insert_signature(
            &mut tx,
            &Signature {
                document_id: id,
                client_id,
                telegram_id,
                phone: client.phone.clone(),
                sha256: doc.sha256.clone(),
                template_version: doc.template_version.clone(),
                code_hash: active.code_hash.clone(),
                code_sent_at: active.created_at,
                attempts,
                agreement_version: AGREEMENT_VERSION.to_owned(),
                channel: evidence.channel,
                ip: evidence.ip.clone(),
                user_agent: evidence.user_agent.clone(),
                signed_at: now,
            },
        )
        .await?;
        if let Some(b) = &booking {
            let reason = text::get("signing", "signed_reason");
            let Some(move_id) = crate::store::bookings::move_status(
                &mut tx,
                b.id,
                b.status,
                BookingStatus::ContractSigned,
                &actor.audit_name(),
                reason,
                now,
            )
            .await?
            else {
                return Err(Error::Signing(SigningRefusal::BookingMoved));
            };
            // The client's message and the history entry, as every move writes them.
            let (to, who) = (BookingStatus::ContractSigned, actor.audit_name());
            crate::services::booking_events::status_moved(&mut tx, b, to, move_id, &who, reason, now).await?;
            let moved =
                Entry::new(AuditAction::booking_status(BookingStatus::ContractSigned), AuditObject::Booking(b.id));
            tx.record(&moved.with(AuditField::Reason, reason)).await?;
        }
        let note = match &booking {
            Some(b) => text::fill(
                "staff_note",
                "contract_signed",
                &[
                    ("client", &client.full_name),
                    ("booking", &b.id.0),
                    ("tour", &b.tour_title),
                    ("status", &BookingStatus::ContractSigned.title_ru()),
                ],
            ),
            None => {
                text::fill("staff_note", "document_signed", &[("client", &client.full_name), ("title", &doc.title)])
            }
        };
        let agent = match &booking {
            Some(b) => b.agent_id,
            None => client.agent_id,
        };
        crate::services::notify::status::note_agent_of_signature(&mut tx, agent, client_id, id, note, now).await?;
        let entry = Entry::new(AuditAction::DocumentSign, object)
            .with(AuditField::Title, &doc.title)
            .with(AuditField::Sha256, &doc.sha256)
            .with(AuditField::Version, &doc.template_version);
        tx.commit(entry).await?;
        self.issued_document(actor, id).await
    }
}

impl Crm {
    /// What the client may pay now on the booking of a contract just signed (signing moved it to
    /// «договор подписан», which takes payments); `None` for any other document, or nothing due.
    pub async fn due_after_signing(&self, actor: &Actor, signed: &DocumentLine) -> Option<crate::domain::Money> {
        let booking = signed.document.booking_id.filter(|_| signed.document.kind == DocKind::Contract)?;
        let card = self.booking_card(actor, booking).await.ok()?;
        card.takes_payment().then_some(card.due)
    }

    /// The client's document whose code is waiting to be typed in the chat (the newest, if
    /// several): a six-digit message from the client is taken as its code.
    pub async fn document_awaiting_code(&self, actor: &Actor) -> Result<Option<IssuedDocumentId>> {
        let client = signer(actor)?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        for doc in store::of_client(&mut conn, client).await? {
            if !doc.state(now).signable() {
                continue;
            }
            if store::active_code(&mut conn, doc.id).await?.is_some_and(|c| c.expires_at > now) {
                return Ok(Some(doc.id));
            }
        }
        Ok(None)
    }
}
