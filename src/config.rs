//! Configuration: defaults, then an optional `tourcrm.toml`, then environment variables.
//! A bad value stops the start with one line naming the variable and what is wrong; secrets
//! are wrapped so they never reach a log.

use crm::store::Backend;
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// One bad setting: the variable's name and what is wrong with it (never its secret value).
#[derive(Debug, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

fn bad(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

/// A whole number within `range` (spaces around it allowed), or `var`'s error saying `what`.
fn whole<T: std::str::FromStr + PartialOrd>(
    var: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
    what: &str,
) -> Result<T, ConfigError> {
    value.trim().parse::<T>().ok().filter(|n| range.contains(n)).ok_or_else(|| bad(var, what))
}

#[derive(Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub http_addr: SocketAddr,
    pub telegram_token: Option<SecretString>,
    pub telegram_api_url: Option<String>,
    pub bot_username: Option<String>,
    pub redis_url: Option<String>,
    /// Namespace of the Redis keys (several installations can share one Redis).
    pub redis_prefix: String,
    /// Bot messages per second over all chats.
    pub bot_rate: u32,
    /// Webhook mode: Telegram posts updates to this public URL (served by the panel's server).
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<SecretString>,
    pub master_key: MasterKeySource,
    /// Set when the panel is served over https (cookies get `Secure`).
    pub public_url: Option<String>,
    /// The clients' local hours when the bot may write first (notifications, broadcasts).
    pub notify_hours: crm::notify::Daytime,
    /// How often the scheduler looks for due work.
    pub scheduler_tick: std::time::Duration,
    /// The async runtime's worker threads (see `startup::runtime`).
    pub worker_threads: usize,
    /// The core `serve` keeps its threads on (see `affinity`).
    pub core: CoreChoice,
    /// The agency's phone, told to clients who need a person now.
    pub agency_phone: Option<crm::domain::Phone>,
    /// Telegram Payments' provider token from @BotFather; without it the method is off.
    pub telegram_payment_token: Option<SecretString>,
    /// Online payments through YooKassa; `None`: online payment is off.
    pub yookassa: Option<YooKassaConfig>,
}

/// `TOURCRM_YOOKASSA_*`: the shop, its secret key and how notifications and receipts work.
#[derive(Debug)]
pub struct YooKassaConfig {
    pub shop_id: String,
    pub secret_key: SecretString,
    pub api_url: String,
    pub webhook_allow: Vec<ipnet::IpNet>,
    /// The VAT code of 54-FZ receipts when receipts are on.
    pub receipts: Option<u8>,
    pub return_url: String,
}

/// Which core `serve` keeps its threads on (`TOURCRM_CORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreChoice {
    /// The core the process starts on, when it may use more than one and runs one async worker.
    Auto,
    /// Wherever the kernel puts each thread.
    Off,
    /// This core, numbered as in /proc/cpuinfo.
    Core(usize),
}

#[derive(Debug)]
pub enum MasterKeySource {
    /// Base64 from `TOURCRM_MASTER_KEY` (already checked to be 32 bytes).
    Env(SecretString),
    /// A key file in the data directory, created on first run.
    File(PathBuf),
}

/// The optional `tourcrm.toml`: the same settings as the environment, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<String>,
    http_addr: Option<String>,
    telegram_token: Option<String>,
    telegram_api_url: Option<String>,
    bot_username: Option<String>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    bot_rate: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    master_key: Option<String>,
    public_url: Option<String>,
    notify_hours: Option<String>,
    scheduler_tick: Option<String>,
    worker_threads: Option<String>,
    core: Option<String>,
    agency_phone: Option<String>,
    telegram_payment_token: Option<String>,
    yookassa_shop_id: Option<String>,
    yookassa_secret_key: Option<String>,
    yookassa_api_url: Option<String>,
    yookassa_webhook_allow: Option<String>,
    yookassa_receipts: Option<String>,
    yookassa_vat_code: Option<String>,
    yookassa_return_url: Option<String>,
}

/// Where settings come from; tests pass their own.
pub trait Source {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct Env;

impl Source for Env {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Config {
    pub fn load(env: &dyn Source) -> Result<Config, ConfigError> {
        let file = read_file_config(env)?;
        let pick = |var: &str, from_file: &Option<String>| env.var(var).or_else(|| from_file.clone());

        let data_dir = PathBuf::from(pick("TOURCRM_DATA_DIR", &file.data_dir).unwrap_or_else(|| "./data".into()));
        let database_url = match pick("DATABASE_URL", &file.database_url) {
            Some(url) => {
                check_database_url(&url)?;
                url
            }
            None => format!("sqlite://{}", data_dir.join("tourcrm.db").display()),
        };
        let http_addr = pick("TOURCRM_HTTP_ADDR", &file.http_addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse::<SocketAddr>()
            .map_err(|_| bad("TOURCRM_HTTP_ADDR", "not an address with a port, e.g. 127.0.0.1:8080"))?;
        let telegram_token = pick("TELOXIDE_TOKEN", &file.telegram_token);
        if let Some(t) = &telegram_token {
            check_token(t)?;
        }
        let telegram_api_url = pick("TELOXIDE_API_URL", &file.telegram_api_url);
        if let Some(u) = &telegram_api_url {
            check_http_url("TELOXIDE_API_URL", u)?;
        }
        let bot_username =
            pick("TOURCRM_BOT_USERNAME", &file.bot_username).map(|u| u.trim_start_matches('@').to_owned());
        if let Some(u) = &bot_username
            && (!(5..=32).contains(&u.len()) || !u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            {
                return Err(bad("TOURCRM_BOT_USERNAME", "a Telegram bot username: 5–32 letters, digits or _"));
            }
        }
        let redis_url = pick("TOURCRM_REDIS_URL", &file.redis_url);
        if let Some(u) = &redis_url
            && !(u.starts_with("redis://") || u.starts_with("rediss://") || u.starts_with("redis+unix://"))
        {
            {
                return Err(bad("TOURCRM_REDIS_URL", "must start with redis:// or rediss://"));
            }
        }
        let redis_prefix = pick("TOURCRM_REDIS_PREFIX", &file.redis_prefix).unwrap_or_else(|| "tourcrm:".into());
        if redis_prefix.len() > 64 || redis_prefix.chars().any(char::is_whitespace) {
            return Err(bad("TOURCRM_REDIS_PREFIX", "up to 64 characters without spaces, e.g. tourcrm:"));
        }
        let bot_rate = match pick("TOURCRM_BOT_RATE", &file.bot_rate) {
            Some(r) => whole("TOURCRM_BOT_RATE", &r, 1..=1000, "messages per second, a whole number from 1 to 1000")?,
            None => 25,
        };
        let webhook_url = pick("TOURCRM_WEBHOOK_URL", &file.webhook_url);
        if let Some(u) = &webhook_url {
            check_http_url("TOURCRM_WEBHOOK_URL", u)?;
        }
        let webhook_secret = pick("TOURCRM_WEBHOOK_SECRET", &file.webhook_secret);
        if let Some(s) = &webhook_secret
            && (s.is_empty()
                || s.len() > 256
                || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            return Err(bad("TOURCRM_WEBHOOK_SECRET", "1–256 characters: letters, digits, _ and -"));
        }
        let master_key = match pick("TOURCRM_MASTER_KEY", &file.master_key) {
            Some(k) => {
                crm::crypto::MasterKey::from_base64(&k).map_err(|_| {
                    bad("TOURCRM_MASTER_KEY", "must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)")
                })?;
                MasterKeySource::Env(SecretString::from(k))
            }
            None => MasterKeySource::File(data_dir.join("master.key")),
        };
        let public_url = pick("TOURCRM_PUBLIC_URL", &file.public_url);
        if let Some(u) = &public_url {
            check_http_url("TOURCRM_PUBLIC_URL", u)?;
        }
        let notify_hours = match pick("TOURCRM_NOTIFY_HOURS", &file.notify_hours) {
            Some(h) => crm::notify::Daytime::parse(&h)
                .ok_or_else(|| bad("TOURCRM_NOTIFY_HOURS", "local hours as HH:MM-HH:MM, e.g. 10:00-21:00"))?,
            None => crm::notify::Daytime::default(),
        };
        let scheduler_tick = match pick("TOURCRM_SCHEDULER_TICK", &file.scheduler_tick) {
            Some(t) => std::time::Duration::from_secs(whole(
                "TOURCRM_SCHEDULER_TICK",
                &t,
                1..=3600,
                "seconds, a whole number from 1 to 3600",
            )?),
            None => std::time::Duration::from_secs(60),
        };
        let worker_threads = match pick("TOURCRM_WORKER_THREADS", &file.worker_threads) {
            Some(n) => whole("TOURCRM_WORKER_THREADS", &n, 1..=64, "a whole number from 1 to 64")?,
            None => 1,
        };
        let core = match pick("TOURCRM_CORE", &file.core).as_deref().map(str::trim) {
            None | Some("auto") => CoreChoice::Auto,
            Some("off") => CoreChoice::Off,
            Some(n) => CoreChoice::Core(whole("TOURCRM_CORE", n, 0..=1023, "auto, off or a core's number (0, 1, …)")?),
        };
        let agency_phone = match pick("TOURCRM_AGENCY_PHONE", &file.agency_phone) {
            Some(p) => Some(
                crm::domain::Phone::parse(&p)
                    .map_err(|_| bad("TOURCRM_AGENCY_PHONE", "a phone number, e.g. +7 495 123-45-67"))?,
            ),
            None => None,
        };
        let telegram_payment_token = pick("TOURCRM_TELEGRAM_PAYMENT_TOKEN", &file.telegram_payment_token);
        if let Some(t) = &telegram_payment_token {
            check_payment_token(t)?;
        }
        let yookassa = yookassa(&pick_file(env, &file), bot_username.as_deref(), public_url.as_deref())?;
        Ok(Config {
            telegram_payment_token: telegram_payment_token.map(SecretString::from),
            yookassa,
            agency_phone,
            notify_hours,
            scheduler_tick,
            worker_threads,
            core,
            data_dir,
            database_url,
            http_addr,
            telegram_token: telegram_token.map(SecretString::from),
            telegram_api_url,
            bot_username,
            redis_url,
            redis_prefix,
            bot_rate,
            webhook_url,
            webhook_secret: webhook_secret.map(SecretString::from),
            master_key,
            public_url,
        })
    }
}

/// Looks a `TOURCRM_YOOKASSA_*` variable up in the environment, then in the file.
fn pick_file<'a>(env: &'a dyn Source, file: &'a FileConfig) -> impl Fn(&str) -> Option<String> + 'a {
    move |var: &str| {
        env.var(var).or_else(|| match var {
            "TOURCRM_YOOKASSA_SHOP_ID" => file.yookassa_shop_id.clone(),
            "TOURCRM_YOOKASSA_SECRET_KEY" => file.yookassa_secret_key.clone(),
            "TOURCRM_YOOKASSA_API_URL" => file.yookassa_api_url.clone(),
            "TOURCRM_YOOKASSA_WEBHOOK_ALLOW" => file.yookassa_webhook_allow.clone(),
            "TOURCRM_YOOKASSA_RECEIPTS" => file.yookassa_receipts.clone(),
            "TOURCRM_YOOKASSA_VAT_CODE" => file.yookassa_vat_code.clone(),
            "TOURCRM_YOOKASSA_RETURN_URL" => file.yookassa_return_url.clone(),
            _ => None,
        })
    }
}

fn yookassa(
    pick: &dyn Fn(&str) -> Option<String>,
    bot_username: Option<&str>,
    public_url: Option<&str>,
) -> Result<Option<YooKassaConfig>, ConfigError> {
    use crm::services::payments::OnlinePayments;
    let (shop_id, secret_key) = match (pick("TOURCRM_YOOKASSA_SHOP_ID"), pick("TOURCRM_YOOKASSA_SECRET_KEY")) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(bad("TOURCRM_YOOKASSA_SECRET_KEY", "is needed with TOURCRM_YOOKASSA_SHOP_ID")),
        (None, Some(_)) => return Err(bad("TOURCRM_YOOKASSA_SHOP_ID", "is needed with TOURCRM_YOOKASSA_SECRET_KEY")),
        (Some(id), Some(key)) => (id.trim().to_owned(), key.trim().to_owned()),
    };
    if shop_id.is_empty() || !shop_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("TOURCRM_YOOKASSA_SHOP_ID", "the shop's number from the YooKassa dashboard, digits only"));
    }
    if key_is_odd(&secret_key) {
        return Err(bad("TOURCRM_YOOKASSA_SECRET_KEY", "a secret key from the YooKassa dashboard (live_… or test_…)"));
    }
    let api_url = pick("TOURCRM_YOOKASSA_API_URL").unwrap_or_else(|| "https://api.yookassa.ru".into());
    check_http_url("TOURCRM_YOOKASSA_API_URL", &api_url)?;
    let webhook_allow = match pick("TOURCRM_YOOKASSA_WEBHOOK_ALLOW") {
        Some(list) => OnlinePayments::parse_allow_list(&list).map_err(|entry| {
            bad("TOURCRM_YOOKASSA_WEBHOOK_ALLOW", format!("addresses or CIDRs separated by commas; not one: '{entry}'"))
        })?,
        None => OnlinePayments::yookassa_sources(),
    };
    let receipts_on = match pick("TOURCRM_YOOKASSA_RECEIPTS").as_deref().map(str::trim) {
        None | Some("off") => false,
        Some("on") => true,
        Some(_) => return Err(bad("TOURCRM_YOOKASSA_RECEIPTS", "on or off")),
    };
    let vat_code = match pick("TOURCRM_YOOKASSA_VAT_CODE") {
        Some(v) => whole("TOURCRM_YOOKASSA_VAT_CODE", &v, 1..=12, "YooKassa's vat_code, 1 to 12 (1 = без НДС)")?,
        None => 1,
    };
    let return_url = match (pick("TOURCRM_YOOKASSA_RETURN_URL"), bot_username, public_url) {
        (Some(u), _, _) => {
            check_http_url("TOURCRM_YOOKASSA_RETURN_URL", &u)?;
            u
        }
        (None, Some(bot), _) => format!("https://t.me/{bot}"),
        (None, None, Some(public)) => public.to_owned(),
        (None, None, None) => {
            return Err(bad(
                "TOURCRM_YOOKASSA_RETURN_URL",
                "where YooKassa sends the client back: set it, TOURCRM_BOT_USERNAME or TOURCRM_PUBLIC_URL",
            ));
        }
    };
    Ok(Some(YooKassaConfig {
        shop_id,
        secret_key: SecretString::from(secret_key),
        api_url,
        webhook_allow,
        receipts: receipts_on.then_some(vat_code),
        return_url,
    }))
}

fn key_is_odd(k: &str) -> bool {
    k.len() < 8 || k.len() > 256 || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn read_file_config(env: &dyn Source) -> Result<FileConfig, ConfigError> {
    let (path, required) = match env.var("TOURCRM_CONFIG") {
        Some(p) => (PathBuf::from(p), true),
        None => (PathBuf::from("tourcrm.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(FileConfig::default()),
        Err(e) => return Err(bad("TOURCRM_CONFIG", format!("cannot read {}: {e}", path.display()))),
    };
    toml::from_str(&text)
        .map_err(|e| bad("TOURCRM_CONFIG", format!("{}: {}", path.display(), first_line(&e.to_string()))))
}

fn first_line(s: &str) -> String {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_owned()
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    match Backend::from_url(url) {
        Some(Backend::Postgres) if url.split_once("://").is_none_or(|(_, rest)| rest.is_empty()) => {
            Err(bad("DATABASE_URL", "a PostgreSQL URL needs a host, e.g. postgres://user@localhost/tourcrm"))
        }
        Some(_) => Ok(()),
        None => {
            let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
            let shown = if scheme.is_empty() || scheme.len() > 20 { "none".to_owned() } else { format!("'{scheme}'") };
            Err(bad("DATABASE_URL", format!("unknown scheme {shown}: use sqlite://path or postgres://user@host/db")))
        }
    }
}

/// Provider tokens from @BotFather look like `381764678:TEST:12345` or `390540012:LIVE:…`.
fn check_payment_token(t: &str) -> Result<(), ConfigError> {
    let mut parts = t.trim().splitn(3, ':');
    let ok = matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(id), Some(mode), Some(rest))
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
                && (mode == "TEST" || mode == "LIVE")
                && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_graphic())
    );
    if ok {
        Ok(())
    } else {
        Err(bad(
            "TOURCRM_TELEGRAM_PAYMENT_TOKEN",
            "does not look like a payment provider token from @BotFather (123456:TEST:… or 123456:LIVE:…)",
        ))
    }
}

fn check_token(t: &str) -> Result<(), ConfigError> {
    // BotFather tokens look like `123456789:AA…`.
    let ok = t.split_once(':').is_some_and(|(id, rest)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && rest.len() >= 20
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        Err(bad("TELOXIDE_TOKEN", "does not look like a bot token from @BotFather (123456:ABC…)"))
    }
}

fn check_http_url(var: &'static str, u: &str) -> Result<(), ConfigError> {
    if (u.starts_with("http://") || u.starts_with("https://")) && u.len() > "https://".len() {
        Ok(())
    } else {
        Err(bad(var, "must be an http:// or https:// URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    struct Vars(HashMap<&'static str, &'static str>);

    impl Source for Vars {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    fn load(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        Config::load(&Vars(pairs.iter().copied().collect()))
    }

    #[test]
    fn defaults_need_nothing() {
        let c = load(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://./data/tourcrm.db");
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert!(c.telegram_token.is_none());
        assert!(matches!(&c.master_key, MasterKeySource::File(p) if p == Path::new("./data/master.key")));
        assert!(c.agency_phone.is_none());
        assert_eq!(c.worker_threads, 1);
        assert_eq!(load(&[("TOURCRM_WORKER_THREADS", " 2 ")]).unwrap().worker_threads, 2);
        assert_eq!(c.core, CoreChoice::Auto);
        assert_eq!(load(&[("TOURCRM_CORE", "off")]).unwrap().core, CoreChoice::Off);
        assert_eq!(load(&[("TOURCRM_CORE", " 1 ")]).unwrap().core, CoreChoice::Core(1));
        let c = load(&[("TOURCRM_AGENCY_PHONE", "8 (495) 123-45-67")]).unwrap();
        assert_eq!(c.agency_phone.map(|p| p.as_str().to_owned()).as_deref(), Some("+74951234567"));
        assert!(c.telegram_payment_token.is_none(), "Telegram Payments are off by default");
        let c = load(&[("TOURCRM_TELEGRAM_PAYMENT_TOKEN", "381764678:TEST:100500")]).unwrap();
        let token = c.telegram_payment_token.as_ref().map(secrecy::ExposeSecret::expose_secret);
        assert_eq!(token, Some("381764678:TEST:100500"));
        assert!(!format!("{c:?}").contains("100500"), "the provider token is never printed");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&'static str, &'static str)] = &[
            ("DATABASE_URL", "mysql://x/y"),
            ("DATABASE_URL", "tourcrm.db"),
            ("TOURCRM_HTTP_ADDR", "localhost"),
            ("TOURCRM_MASTER_KEY", "c2hvcnQ="),
            ("TELOXIDE_TOKEN", "nonsense"),
            ("TELOXIDE_API_URL", "ftp://x"),
            ("TOURCRM_REDIS_URL", "localhost:6379"),
            ("TOURCRM_BOT_RATE", "0"),
            ("TOURCRM_BOT_RATE", "fast"),
            ("TOURCRM_WEBHOOK_URL", "tg.example.com/hook"),
            ("TOURCRM_WEBHOOK_SECRET", "has spaces"),
            ("TOURCRM_AGENCY_PHONE", "звоните нам"),
            ("TOURCRM_TELEGRAM_PAYMENT_TOKEN", "123456:AAbbccddeeffgghhiijjkk"),
            ("TOURCRM_TELEGRAM_PAYMENT_TOKEN", "381764678:PROD:abc"),
            ("TOURCRM_TELEGRAM_PAYMENT_TOKEN", "381764678:TEST:"),
            ("TOURCRM_WORKER_THREADS", "0"),
            ("TOURCRM_WORKER_THREADS", "two"),
            ("TOURCRM_WORKER_THREADS", "1000"),
            ("TOURCRM_CORE", "first"),
            ("TOURCRM_CORE", "-1"),
            ("TOURCRM_CORE", "5000"),
        ];
        for (var, value) in cases {
            let err = load(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, *var);
            assert!(!err.to_string().contains("c2hvcnQ="), "secret leaked: {err}");
        }
    }

    #[test]
    fn yookassa_is_off_without_its_shop_and_checked_with_it() {
        assert!(load(&[]).unwrap().yookassa.is_none());
        // One without the other names the one missing.
        assert_eq!(load(&[("TOURCRM_YOOKASSA_SHOP_ID", "506751")]).unwrap_err().var, "TOURCRM_YOOKASSA_SECRET_KEY");
        assert_eq!(
            load(&[("TOURCRM_YOOKASSA_SECRET_KEY", "test_abcdefgh")]).unwrap_err().var,
            "TOURCRM_YOOKASSA_SHOP_ID"
        );
        let shop = [
            ("TOURCRM_YOOKASSA_SHOP_ID", "506751"),
            ("TOURCRM_YOOKASSA_SECRET_KEY", "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos"),
            ("TOURCRM_BOT_USERNAME", "my_agency_bot"),
        ];
        let y = load(&shop).unwrap().yookassa.unwrap();
        assert_eq!(y.api_url, "https://api.yookassa.ru");
        assert_eq!(y.return_url, "https://t.me/my_agency_bot");
        assert_eq!(y.webhook_allow.len(), 7);
        assert_eq!(y.receipts, None);
        assert!(!format!("{y:?}").contains("Fh8hUAVV"), "the secret key never reaches a log");
        let mut on = shop.to_vec();
        on.extend([("TOURCRM_YOOKASSA_RECEIPTS", "on"), ("TOURCRM_YOOKASSA_VAT_CODE", "4")]);
        on.push(("TOURCRM_YOOKASSA_WEBHOOK_ALLOW", "127.0.0.1, 10.0.0.0/8"));
        let y = load(&on).unwrap().yookassa.unwrap();
        assert_eq!((y.receipts, y.webhook_allow.len()), (Some(4), 2));
        for (var, value) in [
            ("TOURCRM_YOOKASSA_WEBHOOK_ALLOW", "yookassa.ru"),
            ("TOURCRM_YOOKASSA_RECEIPTS", "yes"),
            ("TOURCRM_YOOKASSA_VAT_CODE", "20"),
            ("TOURCRM_YOOKASSA_API_URL", "api.yookassa.ru"),
            ("TOURCRM_YOOKASSA_SHOP_ID", "shop"),
        ] {
            let mut v = shop.to_vec();
            v.retain(|(k, _)| *k != var);
            v.push((var, value));
            assert_eq!(load(&v).unwrap_err().var, var);
        }
    }

    #[test]
    fn a_missing_named_config_file_is_an_error() {
        let err = Config::load(&Vars([("TOURCRM_CONFIG", "/nonexistent/tourcrm.toml")].into())).unwrap_err();
        assert_eq!(err.var, "TOURCRM_CONFIG");
    }

    #[test]
    fn the_file_is_read_and_the_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tourcrm.toml");
        std::fs::write(&path, "http_addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/tourcrm\"\n").unwrap();
        let path_s: &'static str = Box::leak(path.display().to_string().into_boxed_str());
        let c = Config::load(&Vars([("TOURCRM_CONFIG", path_s)].into())).unwrap();
        assert_eq!(c.http_addr.to_string(), "0.0.0.0:9000");
        assert_eq!(c.database_url, "sqlite:///srv/tourcrm/tourcrm.db");
        let c = Config::load(&Vars([("TOURCRM_CONFIG", path_s), ("TOURCRM_HTTP_ADDR", "127.0.0.1:1")].into())).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:1");
        std::fs::write(&path, "unknown_key = 1\n").unwrap();
        assert_eq!(Config::load(&Vars([("TOURCRM_CONFIG", path_s)].into())).unwrap_err().var, "TOURCRM_CONFIG");
    }
}
