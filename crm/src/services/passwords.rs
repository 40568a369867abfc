//! Panel passwords (argon2id, computed off the async workers) and one-time secrets (passwords,
//! invite tokens).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

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

/// At most this many argon2 runs at once. Each takes a core and about 19 MiB for tens of
/// milliseconds: they run on tokio's blocking pool so the async workers keep answering (a flood
/// of sign-ins computed on the workers once slowed `/healthz` twentyfold), and these slots keep
/// a flood from growing that pool to hundreds of threads and gigabytes. The rest wait here,
/// holding no thread.
static SLOTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))));

/// Runs `work` on the blocking pool once a slot is free. The slot goes with the work, so a
/// request that gives up waiting does not free it before the work ends. `None` if the work
/// panicked.
async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let slot = SLOTS.clone().acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .ok()
}

/// The argon2id hash of a new password (computed off the async workers).
pub async fn hash(password: &str) -> Result<String, crate::crypto::CryptoError> {
    let password = password.to_owned();
    off_the_workers(move || hash_now(&password)).await.unwrap_or(Err(crate::crypto::CryptoError::Encrypt))
}

/// Whether `password` matches the stored hash (computed off the async workers). `None`, an
/// unknown login, is checked against a dummy hash: it costs the same time and is always false,
/// so timing does not tell which logins exist.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    off_the_workers(move || match stored {
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

    #[tokio::test(flavor = "current_thread")]
    async fn argon2_runs_off_the_async_worker_and_at_most_a_core_each() {
        let worker = std::thread::current().id();
        assert_ne!(off_the_workers(move || std::thread::current().id()).await, Some(worker));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut works = tokio::task::JoinSet::new();
        for _ in 0..3 * slots {
            let (running, peak) = (running.clone(), peak.clone());
            works.spawn(off_the_workers(move || {
                let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                peak.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }));
        }
        works.join_all().await;
        assert!(peak.load(std::sync::atomic::Ordering::SeqCst) <= slots, "more argon2 runs at once than slots");
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
