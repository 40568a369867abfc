//! The Telegram transport: updates in, `dialogues` stepped, effects run through `crm`,
//! messages rendered from `templates/bot/` out.
//!
//! This part: the bot starts when a token is configured (long polling, honouring
//! `TELOXIDE_API_URL`) and binds staff accounts through their invite links. The client and
//! agent dialogues arrive with the bot issue and plug into [`handlers`].

#![forbid(unsafe_code)]

mod handlers;
pub mod state;
mod texts;

use crm::Crm;
use std::sync::Arc;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;

pub use state::open_state_storage;
pub use texts::Texts;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("TELOXIDE_API_URL is not a valid URL")]
    ApiUrl,
    #[error("Telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    #[error("{0}")]
    State(#[from] state::StateError),
}

/// Where the bot talks to: a token and, optionally, a self-hosted Bot API server.
#[derive(Clone)]
pub struct BotSettings {
    pub token: String,
    pub api_url: Option<String>,
}

impl std::fmt::Debug for BotSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotSettings").field("api_url", &self.api_url).finish_non_exhaustive()
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
    token: ShutdownToken,
    task: tokio::task::JoinHandle<()>,
}

impl RunningBot {
    pub async fn stop(self) {
        if let Ok(done) = self.token.shutdown() {
            done.await;
        }
        let _ = self.task.await;
    }
}

/// Starts long polling in the background.
pub fn start(settings: &BotSettings, crm: Crm) -> Result<RunningBot, BotError> {
    let bot = settings.bot()?;
    let texts = Arc::new(Texts::load()?);
    let mut dispatcher = Dispatcher::builder(bot, handlers::schema())
        .dependencies(dptree::deps![crm, texts])
        .default_handler(|_| async {})
        .build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move { dispatcher.dispatch().await });
    Ok(RunningBot { token, task })
}
