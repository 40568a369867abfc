//! The Telegram transport: updates in, `dialogues` stepped, effects run through `crm`,
//! messages rendered from `templates/bot/` out.
//!
//! Long polling of our own that confirms an update only once it was handled (`polling`), or a
//! webhook. A reply leaves as soon as it is rendered unless a limit of Telegram's really
//! applies: replies and the outbox sender share one [`SendBudget`] (a short burst then one a
//! second per person, 20 a minute per group, the configured rate overall, replies ahead of the
//! outbox), and a 429 answer pauses the chat or the bot for `retry_after` and the message is
//! sent again, so nothing is dropped. teloxide's `Throttle` is not used: it releases sends on a
//! 250 ms tick and caps private chats at 20 a minute. Dialogue state lives in the database, or
//! in Redis when configured.

#![forbid(unsafe_code)]

mod budget;
// The agency's channel: posts, their deep links and reaction counts.
mod channel;
mod conversation;
mod effects;
mod handlers;
mod markup;
// A getUpdates answer, each update parsed only when new.
mod new_updates;
// Paying from the chat: the choices and the payment message.
mod paying;
// The agent sends the client a payment from the booking card.
mod payment_offers;
// Signing documents in the chat.
pub mod outbox;
// Telegram Payments: invoices, pre-checkout, successful payments.
pub mod payments;
mod polling;
mod retry;
// sendMessage read back as the sent message's id only.
mod sent;
// Signing documents in the chat.
mod signing;
mod staff_effects;
pub mod state;
mod texts;
mod update;
mod webhook;

use crm::Crm;
use teloxide::prelude::*;
use teloxide::types::BotCommand;

pub use budget::SendBudget;
pub use state::{RedisHealth, open_state_storage};
pub use texts::Texts;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("TELOXIDE_API_URL is not a valid URL")]
    ApiUrl,
    #[error("TOURCRM_WEBHOOK_URL is not a valid URL")]
    WebhookUrl,
    #[error("Telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    #[error("{0}")]
    State(#[from] state::StateError),
    #[error("{0}")]
    Crm(#[from] crm::Error),
    /// An error of the erased state storage (teloxide boxes the storage's own error).
    #[error("dialogue state: {0}")]
    StateStore(Box<dyn std::error::Error + Send + Sync>),
}

impl BotError {
    fn state(e: Box<dyn std::error::Error + Send + Sync>) -> BotError {
        BotError::StateStore(e)
    }
}

/// Where the bot talks to, and how fast it may send.
#[derive(Clone)]
pub struct BotSettings {
    pub token: String,
    pub api_url: Option<String>,
    pub redis_url: Option<String>,
    /// Namespace of this installation's Redis keys.
    pub redis_prefix: String,
    /// Messages per second over all chats (Telegram allows about 30), replies and outbox
    /// together (one [`SendBudget`]).
    pub global_rate: u32,
    /// Receive updates through a webhook at this public URL instead of long polling.
    pub webhook_url: Option<String>,
    /// The `X-Telegram-Bot-Api-Secret-Token` to require; generated per start when absent
    /// (set it when several instances share one webhook).
    pub webhook_secret: Option<String>,
    /// The panel's public address (`TOURCRM_PUBLIC_URL`): when it is https, documents to sign
    /// open as a Telegram Mini App served there; otherwise they come as a PDF in the chat.
    pub public_url: Option<String>,
}

impl BotSettings {
    /// Where the Mini App of a document lives, when the public address is https (Telegram
    /// opens Mini Apps over https only).
    pub fn mini_app_url(&self, document: crm::domain::IssuedDocumentId) -> Option<String> {
        self.mini_apps().then(|| format!("{}/sign/{document}", self.public_base()))
    }

    /// Whether documents open as a Mini App, where the client can enter what one lacks.
    pub fn mini_apps(&self) -> bool {
        self.public_base().to_ascii_lowercase().starts_with("https://")
    }

    fn public_base(&self) -> &str {
        self.public_url.as_deref().unwrap_or_default().trim().trim_end_matches('/')
    }
}

impl std::fmt::Debug for BotSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotSettings")
            .field("api_url", &self.api_url)
            .field("global_rate", &self.global_rate)
            .finish_non_exhaustive()
    }
}

impl BotSettings {
    pub fn bot(&self) -> Result<Bot, BotError> {
        let bot = Bot::new(&self.token);
        Ok(match &self.api_url {
            Some(url) => bot.set_api_url(reqwest::Url::parse(url).map_err(|_| BotError::ApiUrl)?),
            None => bot,
        })
    }
}

/// The bot's own username (`getMe`), for invite deep links.
pub async fn username(settings: &BotSettings) -> Result<Option<String>, BotError> {
    let me = settings.bot()?.get_me().await?;
    Ok(me.user.username.clone())
}

/// A running bot: stop it with [`RunningBot::stop`].
pub struct RunningBot {
    /// Turned true to stop: polling ends, the webhook answers 503 and is removed.
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    /// In webhook mode, the route Telegram posts updates to, to mount in the panel's server.
    pub webhook: Option<axum::Router>,
    /// With dialogue state in Redis: whether Redis answers (the health check reports it).
    pub redis: Option<RedisHealth>,
}

impl RunningBot {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The bot's texts, compiled once for the replies and the outbox's buttons, with the agency's
/// phone (told to clients who need a person now).
pub fn texts(crm: &Crm) -> Result<std::sync::Arc<Texts>, BotError> {
    let phone = crm.agency_phone().map(|p| crm::domain::format_phone(p.as_str()));
    Ok(std::sync::Arc::new(Texts::load()?.with_agency_phone(phone)))
}

/// The commands in Telegram's command menu, in order; each described by `command_{name}.tera`.
const COMMANDS: [&str; 7] = ["start", "tours", "bookings", "settings", "help", "cancel", "stop"];

/// Sets the command menu and starts receiving updates in the background: long polling, or a
/// webhook (whose route the caller mounts in its HTTP server; it checks the secret header in
/// constant time, see the `webhook` module).
/// Replies draw from `budget`, which the outbox sender shares.
pub async fn start(
    settings: &BotSettings,
    crm: Crm,
    budget: SendBudget,
    texts: std::sync::Arc<Texts>,
) -> Result<RunningBot, BotError> {
    let bot = settings.bot()?;
    let (states, redis) = open_state_storage(&crm, settings.redis_url.as_deref(), &settings.redis_prefix).await?;
    let commands =
        COMMANDS.map(|c| BotCommand::new(c, texts.render(&format!("command_{c}.tera"), &serde_json::Map::new())));
    if let Err(e) = bot.set_my_commands(commands).await {
        // The menu is a convenience: a bot that cannot set it still works.
        tracing::warn!(error = %e, "setMyCommands failed");
    }
    let ctx = conversation::Ctx {
        crm,
        texts,
        states,
        states_in_db: settings.redis_url.is_none(),
        mini_apps: settings.mini_apps(),
        budget,
    };
    match &settings.webhook_url {
        // Our own polling: an update is confirmed only once handled (see `polling`).
        None => {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let task = tokio::spawn(polling::run(bot, ctx, stopped));
            Ok(RunningBot { stop, task, webhook: None, redis })
        }
        Some(url) => {
            let url = reqwest::Url::parse(url).map_err(|_| BotError::WebhookUrl)?;
            // The secret Telegram must send: configured, or random per start.
            let secret = match &settings.webhook_secret {
                Some(secret) => secret.clone(),
                None => crm::services::random_token(),
            };
            bot.set_webhook(url.clone())
                .secret_token(secret.clone())
                .allowed_updates(handlers::ALLOWED_UPDATES)
                .drop_pending_updates(false)
                .await?;
            let me = bot.get_me().await?;
            let job = polling::Job { bot: bot.clone(), ctx, me };
            let (stop, mut stopping) = tokio::sync::watch::channel(false);
            let router = webhook::router(url.path(), job, &secret, stopping.clone());
            // When the bot stops the webhook is removed, so Telegram keeps the updates until the
            // next start instead of posting them to nobody.
            let task = tokio::spawn(async move {
                while !*stopping.borrow() {
                    if stopping.changed().await.is_err() {
                        break;
                    }
                }
                if let Err(e) = bot.delete_webhook().await {
                    tracing::warn!(error = %e, "deleteWebhook failed on stop");
                }
            });
            Ok(RunningBot { stop, task, webhook: Some(router), redis })
        }
    }
}
