//! The outbox as the sender and the panel see it. The sender claims a small batch right
//! before sending it, so at a crash at most the messages of that batch are in doubt; those
//! rows become `unknown` at the next start and are never resent by themselves (a duplicate
//! reminder or advertisement is worse than one the admin re-sends by hand after looking).

use crate::audit::{AuditAction, AuditObject, Entry};
use crate::domain::{OutboxId, Role};
use crate::sandbox::TextLimit;
use crate::services::Crm;
pub use crate::store::outbox::PaymentAttachment as OutgoingPayment;
use crate::store::outbox::{self as store, OutboxEntry, OutboxFilter, OutboxStatus};
use crate::{Actor, Error, Result, text};
use chrono::{DateTime, Utc};

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub id: OutboxId,
    pub chat_id: i64,
    pub body: String,
    /// «Подробнее» opens this tour in the bot.
    pub tour_id: Option<i64>,
    /// Carries «Отписаться».
    pub advertising: bool,
    /// A document to sign: sent as its PDF, or as a button opening the Mini App.
    pub document: Option<OutgoingDocument>,
    /// A payment: the body is the caption of a photo of this QR code (drawn by the sender),
    /// with a URL button for a link.
    pub payment: Option<OutgoingPayment>,
}

/// A document an outgoing message brings, its copy checked against the hash recorded at issue.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingDocument {
    pub id: crate::domain::IssuedDocumentId,
    pub title: String,
    pub pdf: Vec<u8>,
}

impl std::fmt::Debug for OutgoingDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingDocument").field("id", &self.id).field("pdf_bytes", &self.pdf.len()).finish()
    }
}

/// How many undeliverable rows one claim may pass over before it yields.
const SKIPS_PER_CLAIM: usize = 200;

fn system(actor: &Actor) -> Result<()> {
    actor.require(&[], "only the sender works the outbox")
}

impl Crm {
    /// Takes up to `max` due messages (service reminders first) in one transaction and marks
    /// them `sending`. Rows whose client may no longer get them — blacklisted, unsubscribed
    /// from advertising, without Telegram — are closed as `skipped` with the reason, at this
    /// moment, not when queued.
    pub async fn claim_outgoing_batch(&self, actor: &Actor, max: usize) -> Result<Vec<OutgoingMessage>> {
        system(actor)?;
        // A batch whose every message was a document that ended meanwhile is no answer: an
        // empty batch means «nothing due».
        loop {
            let (ready, dropped) = self.claim_batch_once(max).await?;
            if !ready.is_empty() || dropped == 0 {
                return Ok(ready);
            }
        }
    }

    /// One claim; also how many claimed messages were closed instead (their document ended).
    async fn claim_batch_once(&self, max: usize) -> Result<(Vec<OutgoingMessage>, usize)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        let mut skipped = 0;
        while out.len() < max && skipped < SKIPS_PER_CLAIM {
            let Some(c) = store::next_due(&mut tx, now).await? else { break };
            let length = TextLimit::length(&c.body);
            // A payment goes as a photo, whose caption Telegram keeps shorter than a message.
            let limit = if c.payment.is_some() { TextLimit::Caption } else { TextLimit::Message };
            let refusal = match c.telegram_id {
                _ if c.blacklisted != 0 => {
                    Some((OutboxStatus::Skipped, text::get("outbox_reason", "client_blacklisted").to_owned()))
                }
                _ if c.advertising != 0 && c.marketing_consent == 0 => {
                    Some((OutboxStatus::Skipped, text::get("outbox_reason", "client_unsubscribed").to_owned()))
                }
                None => Some((OutboxStatus::Skipped, text::get("outbox_reason", "no_telegram").to_owned())),
                // Never cut or split silently: Telegram would refuse it, and half a message
                // can say the wrong thing. The admin reads why and edits the template.
                Some(_) if length > limit.max() => Some((
                    OutboxStatus::Failed,
                    text::fill("outbox_reason", "too_long", &[("length", &length), ("max", &limit.max())]),
                )),
                Some(_) => None,
            };
            // A body kept sealed (a one-time code) is opened only now, for the request.
            let (body, refusal) = match (&c.sealed_body, refusal) {
                (Some(sealed), None) => match self.open_sealed_body(&c.dedup_key, sealed) {
                    Some(body) => (body, None),
                    None => (
                        c.body.clone(),
                        Some((OutboxStatus::Failed, text::get("outbox_reason", "sealed_unreadable").to_owned())),
                    ),
                },
                (_, refusal) => (c.body.clone(), refusal),
            };
            match (refusal, c.telegram_id) {
                (None, Some(chat_id)) => {
                    if store::claim(&mut tx, c.id, chat_id, now).await? {
                        out.push(OutgoingMessage {
                            id: c.id,
                            chat_id,
                            body,
                            tour_id: c.tour_id,
                            advertising: c.advertising != 0,
                            document: c.document_id.map(|id| OutgoingDocument {
                                id,
                                title: String::new(),
                                pdf: Vec::new(),
                            }),
                            payment: c.payment.clone(),
                        });
                    }
                }
                (refusal, _) => {
                    let (status, reason) = refusal.unwrap_or_else(|| {
                        (OutboxStatus::Skipped, text::get("outbox_reason", "no_telegram").to_owned())
                    });
                    store::finish(&mut tx, c.id, status, &reason, now).await?;
                    skipped += 1;
                }
            }
        }
        tx.commit().await?;
        // The documents are loaded after the claim's transaction (the copy is opened through
        // another connection); one that ended meanwhile or no longer matches its hash is not sent.
        let mut ready = Vec::with_capacity(out.len());
        let claimed = out.len();
        for mut msg in out {
            if let Some(doc) = msg.document.take() {
                match self.document_for_delivery(doc.id).await {
                    Ok(Ok(doc)) => msg.document = Some(doc),
                    Ok(Err(reason)) => {
                        store::finish(
                            &mut *self.store.write_conn().await?,
                            msg.id,
                            OutboxStatus::Skipped,
                            &reason,
                            now,
                        )
                        .await?;
                        continue;
                    }
                    Err(e) => {
                        let reason = e.refusal_ru().unwrap_or_else(|| e.to_string());
                        store::finish(&mut *self.store.write_conn().await?, msg.id, OutboxStatus::Failed, &reason, now)
                            .await?;
                        continue;
                    }
                }
            }
            ready.push(msg);
        }
        let dropped = claimed - ready.len();
        Ok((ready, dropped))
    }

    fn open_sealed_body(&self, dedup_key: &str, sealed: &[u8]) -> Option<String> {
        let sealed = crate::crypto::Sealed::from_bytes(sealed.to_vec()).ok()?;
        let plain = self.keyring().open(&store::sealed_aad(dedup_key), &sealed).ok()?;
        String::from_utf8(plain).ok()
    }

    /// Telegram accepted the messages (`message_id` as it answered); one transaction for a batch.
    pub async fn outgoing_sent(&self, actor: &Actor, sent: &[(OutboxId, Option<i64>)]) -> Result<()> {
        system(actor)?;
        if sent.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        for (id, message_id) in sent {
            store::mark_sent(&mut tx, *id, *message_id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Telegram refused it before sending (429) or it never left (connection refused): try
    /// again from `not_before`.
    pub async fn outgoing_retry(
        &self,
        actor: &Actor,
        id: OutboxId,
        not_before: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        system(actor)?;
        store::release(&mut *self.store.write_conn().await?, id, not_before, reason, self.now()).await?;
        Ok(())
    }

    /// It will never go (the client blocked the bot, the chat is gone) — or it may have gone
    /// and nobody can tell (`Unknown`); either way it is not sent again by itself.
    pub async fn outgoing_closed(&self, actor: &Actor, id: OutboxId, status: OutboxStatus, reason: &str) -> Result<()> {
        system(actor)?;
        store::finish(&mut *self.store.write_conn().await?, id, status, reason, self.now()).await?;
        Ok(())
    }

    /// At the sender's start: rows left `sending` by a process that died are `unknown`.
    pub async fn recover_outbox(&self, actor: &Actor) -> Result<u64> {
        system(actor)?;
        let n = store::orphans_to_unknown(&mut *self.store.write_conn().await?, self.now()).await?;
        if n > 0 {
            tracing::warn!(rows = n, "outbox: messages in flight at the last stop are marked unknown (not resent)");
        }
        Ok(n)
    }

    /// The outbox for the panel (admins).
    pub async fn outbox_entries(&self, actor: &Actor, filter: OutboxFilter) -> Result<Vec<OutboxEntry>> {
        actor.require(&[Role::Admin], "the outbox is the admin's")?;
        Ok(store::list(&mut *self.store.conn().await?, &filter).await?)
    }

    /// Messages of the last week that need the admin's eye: `(unknown, failed)`.
    pub async fn outbox_attention(&self, actor: &Actor) -> Result<(i64, i64)> {
        actor.require(&[Role::Admin], "the outbox is the admin's")?;
        let since = self.now() - chrono::Duration::days(7);
        let mut conn = self.store.conn().await?;
        let unknown = store::count_since(&mut conn, OutboxStatus::Unknown, since).await?;
        let failed = store::count_since(&mut conn, OutboxStatus::Failed, since).await?;
        Ok((unknown, failed))
    }

    /// The admin decides to send an `unknown` or `failed` message again.
    pub async fn requeue_message(&self, actor: &Actor, id: OutboxId) -> Result<()> {
        actor.require(&[Role::Admin], "the outbox is the admin's")?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::status_of(&mut tx, id).await?.ok_or(Error::NotFound("message"))?;
        let moved = store::move_rows(
            &mut tx,
            None,
            Some(id),
            &[OutboxStatus::Unknown, OutboxStatus::Failed],
            OutboxStatus::Pending,
            now,
        )
        .await?;
        if moved == 0 {
            return Err(Error::Conflict(crate::Conflict::NoChange("only unknown or failed messages are sent again")));
        }
        tx.commit(Entry::new(AuditAction::OutboxRequeue, AuditObject::OutboxMessage(id))).await
    }
}
