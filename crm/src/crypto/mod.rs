//! Encryption of personal data with AES-256-GCM.
//!
//! Two levels of keys: the *master key* comes from configuration and never reaches the database;
//! it only wraps *data keys*, which are stored (wrapped) in the `data_keys` table and encrypt the
//! records. Rotation (`tourcrm keys rotate`) makes a new data key, re-encrypts every record under
//! it and deletes the old one only when no record uses it, so a crash halfway leaves every record
//! readable; `--master` also re-wraps the data keys under a new master key (`services::keys`).
//! Every ciphertext is a versioned [`envelope`] naming its key, with a fresh nonce and
//! the owning record bound as associated data.

mod compare;
pub mod envelope;
mod keyring;
mod mac;
mod master;

pub use compare::same_secret;
pub use envelope::Sealed;
pub use keyring::{DataKey, Keyring};
pub use mac::{hmac_sha256, sha256_hex};
pub use master::MasterKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key must be base64 of exactly 32 bytes")]
    BadMasterKey,
    #[error("unknown envelope version {0}")]
    UnknownVersion(u8),
    #[error("malformed envelope")]
    Malformed,
    #[error("no key with id {0} in the keyring")]
    UnknownKey(String),
    #[error("decryption failed: wrong key, wrong record or tampered data")]
    Decrypt,
    #[error("encryption failed")]
    Encrypt,
    #[error("key file {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("key file {path} can be read by others (mode {mode:o})")]
    KeyFileShared { path: String, mode: u32 },
}
