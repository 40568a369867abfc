//! Panel passwords (argon2id, computed off the async workers) and one-time secrets (passwords,
//! invite tokens).

use crate::heavy;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Letters and digits that cannot be misread (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

pub fn one_time_password() -> String {
    let mut bytes = [0u8; 14];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

/// A token for a Telegram deep link: `[A-Za-z0-9_-]`, 32 characters.
pub fn invite_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are looked up by hash, so a leaked database does not leak usable invites.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The argon2id hash of a new password (computed off the async workers).
pub async fn hash(password: &str) -> Result<String, crate::crypto::CryptoError> {
    let password = password.to_owned();
    heavy::run(move || hash_now(&password)).await.unwrap_or(Err(crate::crypto::CryptoError::Encrypt))
}

/// Whether `password` matches the stored hash (computed off the async workers). `None`, an
/// unknown login, is checked against a dummy hash: it costs the same time and is always false,
/// so timing does not tell which logins exist.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    heavy::run(move || match stored {
        Some(hash) => verify_now(&password, &hash),
        None => {
            let _ = verify_now(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn hash_now(password: &str) -> Result<String, crate::crypto::CryptoError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| crate::crypto::CryptoError::Encrypt)
}

/// A real hash of nothing in particular, verified against when a login is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_now(&one_time_password()).unwrap_or_default())
}

fn verify_now(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let p = one_time_password();
        assert_eq!(p.len(), 14);
        let h = hash(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&p, Some(&h)).await);
        assert!(!verify("wrong", Some(&h)).await);
        assert!(!verify(&p, Some("garbage")).await);
        assert!(!verify(&p, None).await, "an unknown login never matches");
    }

    #[test]
    fn invite_tokens_fit_telegram_deep_links() {
        let t = invite_token();
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        assert_ne!(t, invite_token());
        assert_eq!(token_hash(&t).len(), 64);
    }
}
