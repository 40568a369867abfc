//! The outbox sender: delivers what the scheduler queued (notifications, broadcasts) within
//! the limits of the [`SendBudget`] it shares with the replies (which go first), obeying
//! Telegram's 429 `retry_after` for the chat or the whole bot, as the budget judges.
//!
//! Exactly once, as far as it can be known: a row is claimed (`sending`) only after the rate
//! limiter let it go, right before its request, and marked with Telegram's answer right after.
//! Only a crash between the two leaves a row in doubt; the next start marks it `unknown` and
//! does not resend it (see `crm::services::notify::outbox`). Errors are sorted by what they
//! say about delivery (`crate::retry::fate`): Telegram's refusals (blocked, chat not found) and
//! 429 are answers — the message did not go; a refused connection never reached Telegram and a
//! 5xx was not carried out — it is retried; a timeout or a broken answer may have been
//! delivered — `unknown`.
//!
//! It keeps no queue in memory beyond the few rows it claimed: a queue would widen the window
//! of doubt at a crash to the whole queue, and would hold replies up behind a broadcast.

use crate::markup::reply_markup;
use crate::{SendBudget, Texts};
use crm::domain::OutboxId;
use crm::services::OutboxStatus;
use crm::{Actor, Crm, text};
use dialogues::{Button, Callback, Keyboard};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::payloads::SendMessage;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, WebAppInfo};
use teloxide::{ApiError, RequestError};
use tokio::sync::{Semaphore, watch};

/// Requests in flight at once: enough to keep a 1 000 msg/s limit busy over a slow link, and
/// the most that can be in doubt at a crash.
const MAX_IN_FLIGHT: usize = 32;
/// How long the sender rests when nothing is due.
const IDLE: Duration = Duration::from_millis(500);
/// How often the marks of sent messages are written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Pause after a connection to Telegram was refused.
const NETWORK_BACKOFF: Duration = Duration::from_secs(5);

/// Marks of sent rows wait here and are written in one transaction: one write per batch, not
/// per message, keeps the database out of the sending rate's way.
type SentBatch = Arc<Mutex<Vec<(OutboxId, Option<i64>)>>>;

pub struct OutboxSender {
    bot: Bot,
    /// The rate shared with the replies.
    budget: SendBudget,
    /// The labels of «Подробнее» and «Отписаться».
    more: String,
    unsubscribe: String,
    /// Documents to sign: where their Mini App lives (`None`: the PDF comes in the chat) and
    /// the buttons' labels.
    settings: crate::BotSettings,
    open_sign: String,
    sign_in_chat: String,
}

impl OutboxSender {
    pub fn new(
        settings: &crate::BotSettings,
        budget: SendBudget,
        texts: &Texts,
    ) -> Result<OutboxSender, crate::BotError> {
        let none = serde_json::json!({});
        Ok(OutboxSender {
            bot: settings.bot()?,
            budget,
            more: texts.render("button_more.tera", &none),
            unsubscribe: texts.render("button_unsubscribe.tera", &none),
            settings: settings.clone(),
            open_sign: texts.render("button_open_sign.tera", &none),
            sign_in_chat: texts.render("button_sign_in_chat.tera", &none),
        })
    }

    /// Sends until `stop` turns true, then waits for the requests in flight and records them.
    /// Shared (`Arc`), so a scheduler that lost and regained the lead runs it again.
    pub async fn run(self: Arc<Self>, crm: Crm, mut stop: watch::Receiver<bool>) {
        let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let sent: SentBatch = Arc::default();
        // At high rates messages are claimed a few at a time (one transaction for several); at
        // the default 25/s one by one. Either way only what is claimed and not yet answered can be
        // in doubt at a crash.
        let batch = (self.budget.rate().get() as usize / 100).clamp(1, 16);
        let mut claimed = std::collections::VecDeque::new();
        let this = self;
        let mut flushed = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                break;
            }
            if flushed.elapsed() >= FLUSH_EVERY {
                flush(&crm, &sent).await;
                flushed = tokio::time::Instant::now();
            }
            tokio::select! {
                _ = this.budget.bulk_turn() => {}
                _ = stop.changed() => continue,
            }
            let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
            if claimed.is_empty() {
                match crm.claim_outgoing_batch(&Actor::System, batch).await {
                    Ok(more) if !more.is_empty() => claimed.extend(more),
                    Ok(_) => {
                        drop(permit);
                        flush(&crm, &sent).await;
                        tokio::select! {
                            _ = tokio::time::sleep(IDLE) => {}
                            _ = stop.changed() => {}
                        }
                        continue;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "outbox: claiming failed");
                        drop(permit);
                        tokio::time::sleep(IDLE).await;
                        continue;
                    }
                }
            }
            let Some(msg) = claimed.pop_front() else { continue };
            // Two messages for one chat within a second (a reminder and a greeting): the second waits.
            if let Err(wait) = this.budget.take_chat_turn(msg.chat_id) {
                let at = crm.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                if let Err(e) = crm.outgoing_retry(&Actor::System, msg.id, at, "").await {
                    tracing::error!(error = %e, "outbox: releasing a message failed");
                }
                continue;
            }
            let (this, crm, sent) = (this.clone(), crm.clone(), sent.clone());
            tokio::spawn(async move {
                this.deliver(&crm, msg, &sent).await;
                drop(permit);
            });
        }
        // Claimed but not sent: back to the queue, as they never left.
        for msg in claimed {
            if let Err(e) = crm.outgoing_retry(&Actor::System, msg.id, crm.now(), "").await {
                tracing::error!(error = %e, "outbox: releasing a message failed");
            }
        }
        // Let the requests in flight finish, so nothing is left `sending` by a clean stop.
        let _ = tokio::time::timeout(Duration::from_secs(10), in_flight.acquire_many(MAX_IN_FLIGHT as u32)).await;
        flush(&crm, &sent).await;
    }

    async fn deliver(&self, crm: &Crm, msg: crm::services::notify::OutgoingMessage, sent: &SentBatch) {
        let sys = &Actor::System;
        let result = match (&msg.document, &msg.payment) {
            (Some(doc), _) => self.send_document(&msg, doc).await,
            (None, Some(payment)) => match payment_photo(&msg, payment).await {
                Some((photo, markup)) => self.send_payment(&msg, photo, markup).await,
                None => {
                    // crm checked both when it queued them; a row edited since is not sent.
                    let reason = text::get("outbox_reason", "payment_unusable");
                    if let Err(e) = crm.outgoing_closed(sys, msg.id, OutboxStatus::Failed, reason).await {
                        tracing::error!(error = %e, id = %msg.id, "outbox: recording the answer failed");
                    }
                    return;
                }
            },
            (None, None) => self.send_text(&msg).await,
        };
        let result = match result {
            Ok(message_id) => {
                if let Ok(mut batch) = sent.lock() {
                    batch.push((msg.id, Some(message_id)));
                }
                return;
            }
            Err(e) => e,
        };
        let result = match result {
            RequestError::RetryAfter(s) => {
                // The chat or the whole bot waits, as the budget judges; the row goes back to the queue.
                let paused = self.budget.flood(msg.chat_id, s.duration());
                tracing::warn!(retry_after = s.seconds(), ?paused, "outbox: Telegram asked to slow down");
                let reason = text::get("outbox_reason", "flood_control");
                crm.outgoing_retry(sys, msg.id, crm.now() + s.chrono_duration(), reason).await
            }
            // Telegram's 5xx or a proxy's error page: not carried out, so sent again later.
            e if crate::retry::fate(&e) == crate::retry::Fate::NotSent => {
                tracing::warn!(error = %e, id = %msg.id, "outbox: Telegram failed the request; trying again later");
                let at = crm.now() + chrono::Duration::from_std(NETWORK_BACKOFF).unwrap_or_default();
                crm.outgoing_retry(sys, msg.id, at, text::get("outbox_reason", "no_connection")).await
            }
            RequestError::Api(e) => crm.outgoing_closed(sys, msg.id, OutboxStatus::Failed, &refusal_ru(&e)).await,
            RequestError::MigrateToChatId(_) => {
                let reason = text::get("outbox_reason", "chat_migrated");
                crm.outgoing_closed(sys, msg.id, OutboxStatus::Failed, reason).await
            }
            RequestError::Network(e) if e.is_connect() => {
                let at = crm.now() + chrono::Duration::from_std(NETWORK_BACKOFF).unwrap_or_default();
                crm.outgoing_retry(sys, msg.id, at, text::get("outbox_reason", "no_connection")).await
            }
            e => {
                tracing::warn!(error = %e, id = %msg.id, "outbox: delivery unknown");
                let reason = text::fill("outbox_reason", "no_answer", &[("error", &e)]);
                crm.outgoing_closed(sys, msg.id, OutboxStatus::Unknown, &reason).await
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, id = %msg.id, "outbox: recording the answer failed");
        }
    }
}

impl OutboxSender {
    async fn send_text(&self, msg: &crm::services::notify::OutgoingMessage) -> Result<i64, RequestError> {
        let mut buttons = Vec::new();
        if let Some(tour) = msg.tour_id {
            buttons.push(vec![Button { label: self.more.clone(), callback: Callback::Tour(tour) }]);
        }
        if msg.advertising {
            buttons.push(vec![Button { label: self.unsubscribe.clone(), callback: Callback::Unsubscribe }]);
        }
        let mut payload = SendMessage::new(ChatId(msg.chat_id), &msg.body);
        payload.reply_markup =
            reply_markup(&Keyboard::Inline(buttons)).filter(|_| msg.tour_id.is_some() || msg.advertising);
        Ok(i64::from(crate::sent::text(&self.bot, payload).await?.message_id))
    }

    /// A payment: the QR code as a photo with the body as its caption (and the link's button).
    async fn send_payment(
        &self,
        msg: &crm::services::notify::OutgoingMessage,
        photo: InputFile,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<i64, RequestError> {
        let mut request = self.bot.send_photo(ChatId(msg.chat_id), photo).caption(&msg.body);
        if let Some(markup) = markup {
            request = request.reply_markup(markup);
        }
        Ok(i64::from(request.await?.id.0))
    }

    /// A document to sign: a button opening its Mini App when the panel is public over https,
    /// otherwise the PDF itself; either way with «Подписать в чате».
    async fn send_document(
        &self,
        msg: &crm::services::notify::OutgoingMessage,
        doc: &crm::services::notify::OutgoingDocument,
    ) -> Result<i64, RequestError> {
        let in_chat = InlineKeyboardButton::callback(self.sign_in_chat.clone(), Callback::Sign(doc.id.0).encode());
        let chat = ChatId(msg.chat_id);
        let sent = match self.settings.mini_app_url(doc.id).and_then(|u| reqwest::Url::parse(&u).ok()) {
            Some(url) => {
                let open = InlineKeyboardButton::web_app(self.open_sign.clone(), WebAppInfo { url });
                let markup = InlineKeyboardMarkup::new(vec![vec![open], vec![in_chat]]);
                self.bot.send_message(chat, &msg.body).reply_markup(markup).await?
            }
            None => {
                let file = InputFile::memory(doc.pdf.clone()).file_name(format!("document-{}.pdf", doc.id));
                let markup = InlineKeyboardMarkup::new(vec![vec![in_chat]]);
                self.bot.send_document(chat, file).caption(&msg.body).reply_markup(markup).await?
            }
        };
        Ok(i64::from(sent.id.0))
    }
}

/// A payment's QR code drawn from the text it encodes (off the async worker), and its URL
/// button; `None` when either is unusable.
async fn payment_photo(
    msg: &crm::services::notify::OutgoingMessage,
    payment: &crm::services::notify::OutgoingPayment,
) -> Option<(InputFile, Option<InlineKeyboardMarkup>)> {
    let png = crm::qr::png_off_worker(payment.qr_payload.clone()).await.ok()?;
    let markup = match &payment.button {
        Some((label, url)) => {
            let url = reqwest::Url::parse(url).ok()?;
            Some(InlineKeyboardMarkup::new([[InlineKeyboardButton::url(label.clone(), url)]]))
        }
        None => None,
    };
    Some((InputFile::memory(png).file_name(format!("oplata-{}.png", msg.id)), markup))
}

/// Writes the marks of the messages Telegram accepted; a failed write keeps them for the next
/// flush, so no row is left `sending` by a database that blinked.
async fn flush(crm: &Crm, sent: &SentBatch) {
    let batch: Vec<_> = match sent.lock() {
        Ok(mut b) => std::mem::take(&mut *b),
        Err(_) => return,
    };
    if let Err(e) = crm.outgoing_sent(&Actor::System, &batch).await {
        tracing::error!(error = %e, rows = batch.len(), "outbox: recording sent messages failed");
        // Keep them: the next flush tries again rather than leaving them `sending`.
        if let Ok(mut b) = sent.lock() {
            b.extend(batch);
        }
    }
}

/// Telegram's refusal, for the admin.
fn refusal_ru(e: &ApiError) -> String {
    match e {
        ApiError::BotBlocked => text::get("outbox_reason", "bot_blocked").to_owned(),
        ApiError::UserDeactivated => text::get("outbox_reason", "user_deactivated").to_owned(),
        ApiError::ChatNotFound => text::get("outbox_reason", "chat_not_found").to_owned(),
        ApiError::BotKicked | ApiError::BotKickedFromSupergroup => text::get("outbox_reason", "bot_kicked").to_owned(),
        other => text::fill("outbox_reason", "telegram_refused", &[("error", other)]),
    }
}
