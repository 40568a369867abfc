//! Telegram Mini App `initData`, verified as Telegram documents it
//! (core.telegram.org/bots/webapps, «Validating data received via the Mini App»): the fields
//! but `hash`, sorted by key, as `key=value` lines joined by `\n` make the data-check-string;
//! `secret_key = HMAC_SHA256(key = "WebAppData", msg = bot_token)`; the data is Telegram's if
//! `hex(HMAC_SHA256(key = secret_key, msg = data_check_string))` equals `hash`. It is then only
//! as fresh as its `auth_date`: an old copy replayed is refused.

use chrono::{DateTime, Duration, Utc};
use crm::crypto::{hmac_sha256, same_secret};

/// How long after the Mini App was opened its data is accepted (reading a contract and signing
/// it fit; a copy found later does not).
pub const MAX_AGE: Duration = Duration::hours(1);
/// Clocks differ a little; a launch from further in the future is not Telegram's.
const FUTURE_SLACK: Duration = Duration::minutes(5);

/// The key `initData` is checked with, derived from the bot token; the token itself is not kept.
#[derive(Clone)]
pub struct MiniAppKey([u8; 32]);

impl std::fmt::Debug for MiniAppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MiniAppKey(<redacted>)")
    }
}

impl MiniAppKey {
    pub fn from_bot_token(token: &str) -> MiniAppKey {
        MiniAppKey(hmac_sha256(b"WebAppData", token.as_bytes()))
    }

    /// The `hash` Telegram computes for these fields (tests sign their own `initData` with it).
    pub fn sign(&self, fields: &[(String, String)]) -> String {
        hex::encode(hmac_sha256(&self.0, data_check_string(fields).as_bytes()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("initData is not a query string with a hash")]
    Malformed,
    #[error("initData's hash does not match")]
    Forged,
    #[error("initData is too old or from the future")]
    Stale,
    #[error("initData names no user")]
    NoUser,
}

impl InitDataError {
    pub fn message_ru(self) -> &'static str {
        match self {
            InitDataError::Malformed | InitDataError::NoUser => crm::text::get("mini_app", "init_data_malformed"),
            InitDataError::Forged => crm::text::get("mini_app", "init_data_forged"),
            InitDataError::Stale => crm::text::get("mini_app", "init_data_stale"),
        }
    }
}

fn data_check_string(fields: &[(String, String)]) -> String {
    let mut lines: Vec<String> = fields.iter().filter(|(k, _)| k != "hash").map(|(k, v)| format!("{k}={v}")).collect();
    lines.sort();
    lines.join("\n")
}

/// The Telegram user id the data was signed for, if it is Telegram's and fresh.
pub fn verify(key: &MiniAppKey, init_data: &str, now: DateTime<Utc>) -> Result<i64, InitDataError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(init_data).map_err(|_| InitDataError::Malformed)?;
    let mut hashes = fields.iter().filter(|(k, _)| k == "hash");
    let (Some((_, hash)), None) = (hashes.next(), hashes.next()) else { return Err(InitDataError::Malformed) };
    let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        // A field given twice: which one did Telegram sign? Neither is trusted.
        return Err(InitDataError::Malformed);
    }
    if !same_secret(key.sign(&fields).as_bytes(), hash.to_ascii_lowercase().as_bytes()) {
        return Err(InitDataError::Forged);
    }
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let auth_date = field("auth_date").and_then(|s| s.parse::<i64>().ok()).ok_or(InitDataError::Malformed)?;
    let auth_date = DateTime::<Utc>::from_timestamp(auth_date, 0).ok_or(InitDataError::Malformed)?;
    if now - auth_date > MAX_AGE || auth_date - now > FUTURE_SLACK {
        return Err(InitDataError::Stale);
    }
    #[derive(serde::Deserialize)]
    struct User {
        id: i64,
    }
    let user: User = field("user").and_then(|u| serde_json::from_str(u).ok()).ok_or(InitDataError::NoUser)?;
    Ok(user.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:TEST-token";

    fn signed(user: i64, auth_date: i64) -> String {
        let mut fields = vec![
            ("query_id".to_owned(), "AAHdF6IQAAAAAN0XohDhrOrc".to_owned()),
            ("user".to_owned(), format!(r#"{{"id":{user},"first_name":"Мария"}}"#)),
            ("auth_date".to_owned(), auth_date.to_string()),
        ];
        let hash = MiniAppKey::from_bot_token(TOKEN).sign(&fields);
        fields.push(("hash".to_owned(), hash));
        serde_urlencoded::to_string(&fields).unwrap_or_default()
    }

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn telegrams_own_data_is_accepted() {
        let key = MiniAppKey::from_bot_token(TOKEN);
        assert_eq!(verify(&key, &signed(42, 1_800_000_000 - 60), now()), Ok(42));
    }

    #[test]
    fn another_bots_key_a_changed_field_or_an_old_copy_is_refused() {
        let key = MiniAppKey::from_bot_token(TOKEN);
        let other = MiniAppKey::from_bot_token("999:other");
        let data = signed(42, 1_800_000_000 - 60);
        assert_eq!(verify(&other, &data, now()), Err(InitDataError::Forged));
        let changed = data.replace("%22id%22%3A42", "%22id%22%3A43");
        assert_ne!(changed, data);
        assert_eq!(verify(&key, &changed, now()), Err(InitDataError::Forged));
        assert_eq!(verify(&key, &signed(42, 1_800_000_000 - 7200), now()), Err(InitDataError::Stale));
        assert_eq!(verify(&key, &signed(42, 1_800_000_000 + 3600), now()), Err(InitDataError::Stale));
        assert_eq!(verify(&key, "user=1&auth_date=2", now()), Err(InitDataError::Malformed));
        assert_eq!(verify(&key, &format!("{data}&hash=00"), now()), Err(InitDataError::Malformed));
        assert_eq!(verify(&key, &format!("{data}&user=%7B%22id%22%3A43%7D"), now()), Err(InitDataError::Malformed));
    }
}
