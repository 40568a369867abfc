//! The master key: base64 of 32 bytes from `TOURCRM_MASTER_KEY`, or a key file that the first
//! run creates with mode 0600 (a key file that others may read is refused). It only wraps data
//! keys.

use super::CryptoError;
use crate::private_fs;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use std::path::Path;

pub struct MasterKey {
    cipher: Aes256Gcm,
    /// A key derived for keyed hashes (one-time codes): never the master key itself, so a MAC
    /// and a ciphertext never share a key.
    mac_key: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| CryptoError::BadMasterKey)?;
        Self::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::BadMasterKey);
        }
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| CryptoError::BadMasterKey)?;
        let mac_key = super::mac::hmac_sha256(bytes, b"tourcrm/mac-key/v1");
        Ok(MasterKey { cipher, mac_key })
    }

    /// A fresh random key, base64-encoded (what the key file holds).
    pub fn generate_base64() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// Refuses a key file that someone other than its owner may read: whoever reads it reads
    /// every passport. A missing file is fine (the first run creates it 0600).
    pub fn check_private(path: &Path) -> Result<(), CryptoError> {
        match private_fs::shared_mode(path) {
            Ok(None) => Ok(()),
            Ok(Some(mode)) => Err(CryptoError::KeyFileShared { path: path.display().to_string(), mode }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CryptoError::KeyFile { path: path.display().to_string(), reason: e.to_string() }),
        }
    }

    /// Reads the key file (see [`check_private`](Self::check_private)), or creates it (mode
    /// 0600) when it does not exist. Returns the key and whether it was just created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), CryptoError> {
        let err = |reason: String| CryptoError::KeyFile { path: path.display().to_string(), reason };
        Self::check_private(path)?;
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((Self::from_base64(&text).map_err(|e| err(e.to_string()))?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = Self::generate_base64();
                // create_new: never overwrite a key that appeared meanwhile.
                private_fs::create_new(path, text.as_bytes()).map_err(|e| err(e.to_string()))?;
                Ok((Self::from_base64(&text)?, true))
            }
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// Puts `text` (a key from [`generate_base64`](Self::generate_base64)) in the key file in
    /// one atomic step: after a crash the file holds the old key or the new one, whole.
    pub fn replace_file(path: &Path, text: &str) -> Result<(), CryptoError> {
        Self::from_base64(text)?;
        private_fs::replace(path, text.as_bytes())
            .map_err(|e| CryptoError::KeyFile { path: path.display().to_string(), reason: e.to_string() })
    }

    /// The server secret of keyed hashes (see `mac_key`).
    pub(crate) fn mac_key(&self) -> &[u8; 32] {
        &self.mac_key
    }

    pub(crate) fn wrap(&self, key_id: &str, data_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let aad = wrap_aad(key_id);
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: data_key, aad: aad.as_bytes() })
            .map_err(|_| CryptoError::Encrypt)?;
        Ok([nonce.as_slice(), &ct].concat())
    }

    pub(crate) fn unwrap_key(&self, key_id: &str, wrapped: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if wrapped.len() < 12 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ct) = wrapped.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| CryptoError::Malformed)?;
        let aad = wrap_aad(key_id);
        self.cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad: aad.as_bytes() })
            .map_err(|_| CryptoError::Decrypt)
    }
}

fn wrap_aad(key_id: &str) -> String {
    format!("tourcrm/data-key/{key_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_lengths_are_refused() {
        assert_eq!(MasterKey::from_base64("c2hvcnQ=").unwrap_err(), CryptoError::BadMasterKey);
        assert_eq!(MasterKey::from_base64("not base64!").unwrap_err(), CryptoError::BadMasterKey);
        assert!(MasterKey::from_base64(&MasterKey::generate_base64()).is_ok());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let (k1, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (k2, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created);
        let wrapped = k1.wrap("k", b"secret").unwrap();
        assert_eq!(k2.unwrap_key("k", &wrapped).unwrap(), b"secret");
        assert_eq!(k2.unwrap_key("other", &wrapped).unwrap_err(), CryptoError::Decrypt);

        let new = MasterKey::generate_base64();
        MasterKey::replace_file(&path, &new).unwrap();
        let (k3, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k3.unwrap_key("k", &wrapped).unwrap_err(), CryptoError::Decrypt, "the key was replaced");
        assert!(MasterKey::replace_file(&path, "short").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), new, "a bad key never replaces a good one");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        std::fs::write(&path, MasterKey::generate_base64()).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = MasterKey::load_or_create(&path).unwrap_err();
            assert_eq!(err, CryptoError::KeyFileShared { path: path.display().to_string(), mode });
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(MasterKey::load_or_create(&path).is_ok());
    }
}
