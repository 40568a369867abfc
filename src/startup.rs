//! Shared start-up steps of every command: logging, the master key, the store, the CRM,
//! and how a failure is told to the person at the console.

use crate::config::{Config, MasterKeySource};
use crm::crypto::{CryptoError, MasterKey};
use crm::store::Store;
use crm::text;
use crm::{Crm, clock::SystemClock};
use secrecy::ExposeSecret;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Crm(#[from] crm::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Bot(#[from] bot::BotError),
    #[error("{0}")]
    Other(String),
    /// The command would not run on this database as it is (e.g. `demo-data` on a full one).
    #[error("{0}")]
    Refused(String),
}

/// The async runtime with `TOURCRM_WORKER_THREADS` workers (one by default). What runs on it
/// waits on the network and the database (SQLite's queries run on sqlx's own threads; CPU-heavy
/// work goes to the blocking pool, see `crm::heavy`), so a second worker mostly woke up to find
/// nothing to do: measured with the update-path bench on 2 cores, one worker spent 15–30 % less
/// CPU per update under every load, at the same or better latencies. `serving`: the threads
/// that answer are kept on one core (`TOURCRM_CORE`, see `affinity`); a core the process may not
/// use is a configuration error (exit code 2).
pub fn runtime(config: &Config, serving: bool) -> Result<tokio::runtime::Runtime, StartError> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(config.worker_threads).enable_all();
    #[cfg(target_os = "linux")]
    if serving {
        let pinned = crate::affinity::Pinning::pin_current(config.core, config.worker_threads)
            .map_err(|e| StartError::Refused(format!("configuration error: TOURCRM_CORE: {e}")))?;
        if let Some(pinning) = pinned {
            tracing::info!(core = pinning.core(), "the serving threads stay on one core (TOURCRM_CORE)");
            let pinning = Arc::new(pinning);
            let start = pinning.clone();
            builder.on_thread_start(move || start.on_thread_start()).on_thread_park(move || pinning.on_worker_park());
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = serving;
    Ok(builder.build()?)
}

/// `serve` logs its progress; one-shot commands print their result and log only problems.
pub fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info,sqlx=warn,teloxide=warn" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// A one-line explanation for the console, without secrets.
pub fn describe(e: &StartError) -> String {
    match e {
        StartError::Crm(crm::Error::Invalid(reason)) => reason.message_ru().to_owned(),
        StartError::Crm(crm::Error::Conflict(c)) => c.message_ru(),
        StartError::Crm(crm::Error::Db(e)) => format!("database: {}", first_line(&e.to_string())),
        StartError::Crm(crm::Error::Crypto(CryptoError::KeyFileShared { path, mode })) => {
            text::fill("cli", "key_file_shared", &[("path", path), ("mode", &format!("{mode:o}"))])
        }
        StartError::Crm(crm::Error::Crypto(e)) => {
            format!(
                "encryption keys: {e} (is TOURCRM_MASTER_KEY / the key file the one this database was created with?)"
            )
        }
        other => first_line(&other.to_string()),
    }
}

pub fn exit_code(e: &StartError) -> u8 {
    match e {
        StartError::Crm(
            crm::Error::Invalid(_) | crm::Error::Conflict(_) | crm::Error::Crypto(CryptoError::KeyFileShared { .. }),
        )
        | StartError::Refused(_) => 2,
        _ => 1,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}

/// The database URL with any password replaced, for logs.
pub fn redacted_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((auth, host)) => {
                let user = auth.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Opens the database; a SQLite file, its folder and journals are created private (see
/// `crm::store`).
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let store = Store::open(&config.database_url).await?;
    tracing::info!(database = %redacted_url(&config.database_url), "database ready, migrations applied");
    Ok(store)
}

/// Checked before anything else runs or logs, like the configuration: a key file others can
/// read stops every command (loading the key checks it again).
pub fn check_key_file(config: &Config) -> Result<(), StartError> {
    match &config.master_key {
        MasterKeySource::File(path) => Ok(MasterKey::check_private(path).map_err(crm::Error::from)?),
        MasterKeySource::Env(_) => Ok(()),
    }
}

pub fn master_key(config: &Config) -> Result<MasterKey, StartError> {
    match &config.master_key {
        MasterKeySource::Env(secret) => Ok(MasterKey::from_base64(secret.expose_secret()).map_err(crm::Error::from)?),
        MasterKeySource::File(path) => {
            let (key, created) = MasterKey::load_or_create(path).map_err(crm::Error::from)?;
            if created {
                tracing::warn!(path = %path.display(), "created a new master key file (mode 0600): back it up — without it the personal data cannot be read");
            }
            Ok(key)
        }
    }
}

pub async fn open_crm(config: &Config) -> Result<Crm, StartError> {
    let key = master_key(config)?;
    let store = open_store(config).await?;
    let crm = Crm::new(store, key, Arc::new(SystemClock))
        .await?
        .with_agency_phone(config.agency_phone.clone())
        .with_telegram_payment_token(config.telegram_payment_token.clone())
        .with_online_payments(online_payments(config)?);
    // Addresses an earlier version kept in clear are sealed before anything reads them.
    let sealed = crm.seal_clear_addresses().await?;
    if sealed > 0 {
        tracing::info!(sealed, "client addresses kept in clear by an earlier version are now encrypted");
    }
    Ok(crm)
}

/// YooKassa when its shop is configured; otherwise online payment is off, and the log says so once.
fn online_payments(config: &Config) -> Result<Option<crm::services::payments::OnlinePayments>, StartError> {
    use crm::services::payments::{OnlinePayments, YooKassa, YooKassaCredentials};
    let Some(y) = &config.yookassa else {
        tracing::info!(
            "online payment is off: set TOURCRM_YOOKASSA_SHOP_ID and TOURCRM_YOOKASSA_SECRET_KEY to take payments through YooKassa"
        );
        return Ok(None);
    };
    let creds = YooKassaCredentials {
        shop_id: y.shop_id.clone(),
        secret_key: y.secret_key.clone(),
        api_url: y.api_url.clone(),
    };
    let provider = YooKassa::new(creds).map_err(|e| StartError::Other(format!("YooKassa client: {e}")))?;
    tracing::info!(shop = %y.shop_id, api = %y.api_url, receipts = y.receipts.is_some(), "online payment through YooKassa is on; notifications at /webhooks/yookassa");
    Ok(Some(OnlinePayments {
        provider: Arc::new(provider),
        return_url: y.return_url.clone(),
        receipts: y.receipts,
        webhook_allow: y.webhook_allow.clone(),
    }))
}

pub fn bot_settings(config: &Config) -> Option<bot::BotSettings> {
    config.telegram_token.as_ref().map(|t| bot::BotSettings {
        token: t.expose_secret().to_owned(),
        api_url: config.telegram_api_url.clone(),
        redis_url: config.redis_url.clone(),
        redis_prefix: config.redis_prefix.clone(),
        global_rate: config.bot_rate,
        webhook_url: config.webhook_url.clone(),
        webhook_secret: config.webhook_secret.as_ref().map(|s| s.expose_secret().to_owned()),
        public_url: config.public_url.clone(),
    })
}

/// The bot's username: configured, or asked from Telegram when a token is set.
pub async fn bot_username(config: &Config) -> Option<String> {
    if let Some(u) = &config.bot_username {
        return Some(u.clone());
    }
    let settings = bot_settings(config)?;
    match bot::username(&settings).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "could not ask Telegram for the bot's username");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(redacted_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redacted_url("sqlite://./data/tourcrm.db"), "sqlite://./data/tourcrm.db");
    }
}
