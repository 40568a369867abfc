//! The set of data keys that are readable now, and the one new values are sealed with.

use super::envelope::{NONCE_LEN, Sealed};
use super::{CryptoError, MasterKey};
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use rand::RngCore;
use std::collections::HashMap;

/// A data key in clear, just generated or just unwrapped.
pub struct DataKey {
    pub id: String,
    bytes: [u8; 32],
}

impl DataKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let mut id = [0u8; 4];
        rand::rng().fill_bytes(&mut id);
        let id = format!("k{}", id.iter().map(|b| format!("{b:02x}")).collect::<String>());
        DataKey { id, bytes }
    }

    pub fn wrap(&self, master: &MasterKey) -> Result<Vec<u8>, CryptoError> {
        master.wrap(&self.id, &self.bytes)
    }

    pub fn unwrap_from(id: &str, wrapped: &[u8], master: &MasterKey) -> Result<Self, CryptoError> {
        let plain = master.unwrap_key(id, wrapped)?;
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(DataKey { id: id.to_owned(), bytes })
    }
}

pub struct Keyring {
    current: String,
    ciphers: HashMap<String, Aes256Gcm>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("current", &self.current).field("keys", &self.ciphers.len()).finish()
    }
}

impl Keyring {
    /// `keys` must contain `current`.
    pub fn new(current: &str, keys: Vec<DataKey>) -> Result<Self, CryptoError> {
        let mut ciphers = HashMap::new();
        for k in keys {
            let cipher = Aes256Gcm::new_from_slice(&k.bytes).map_err(|_| CryptoError::Malformed)?;
            ciphers.insert(k.id, cipher);
        }
        if !ciphers.contains_key(current) {
            return Err(CryptoError::UnknownKey(current.to_owned()));
        }
        Ok(Keyring { current: current.to_owned(), ciphers })
    }

    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// Encrypts with the current key. `aad` names the owning record, so a ciphertext copied to
    /// another row fails to decrypt.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Sealed, CryptoError> {
        let cipher = self.ciphers.get(&self.current).ok_or_else(|| CryptoError::UnknownKey(self.current.clone()))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(&aes_gcm::Nonce::from(nonce), Payload { msg: plaintext, aad })
            .map_err(|_| CryptoError::Encrypt)?;
        Ok(Sealed::build(&self.current, &nonce, &ct))
    }

    pub fn open(&self, aad: &[u8], sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        let cipher =
            self.ciphers.get(sealed.key_id()).ok_or_else(|| CryptoError::UnknownKey(sealed.key_id().to_owned()))?;
        let (nonce, ct) = sealed.nonce_and_ciphertext();
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Malformed)?;
        cipher.decrypt(&aes_gcm::Nonce::from(nonce), Payload { msg: ct, aad }).map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        let k = DataKey::generate();
        let id = k.id.clone();
        Keyring::new(&id, vec![k]).unwrap()
    }

    #[test]
    fn seal_and_open_round_trip_with_fresh_nonces() {
        let r = ring();
        let a = r.seal(b"client:1:foreign", b"751234567").unwrap();
        let b = r.seal(b"client:1:foreign", b"751234567").unwrap();
        assert_ne!(a, b, "nonces must differ");
        assert_eq!(r.open(b"client:1:foreign", &a).unwrap(), b"751234567");
        let reread = Sealed::from_bytes(a.as_bytes().to_vec()).unwrap();
        assert_eq!(reread.key_id(), r.current_id());
        assert_eq!(r.open(b"client:1:foreign", &reread).unwrap(), b"751234567");
    }

    #[test]
    fn moved_or_tampered_ciphertext_does_not_open() {
        let r = ring();
        let a = r.seal(b"client:1:foreign", b"751234567").unwrap();
        assert_eq!(r.open(b"client:2:foreign", &a).unwrap_err(), CryptoError::Decrypt);
        let mut bytes = a.as_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = Sealed::from_bytes(bytes).unwrap();
        assert_eq!(r.open(b"client:1:foreign", &tampered).unwrap_err(), CryptoError::Decrypt);
        assert_eq!(Sealed::from_bytes(vec![2, 0]).unwrap_err(), CryptoError::UnknownVersion(2));
        assert_eq!(Sealed::from_bytes(vec![1, 3, b'a']).unwrap_err(), CryptoError::Malformed);
        let other = ring();
        assert!(matches!(other.open(b"client:1:foreign", &a), Err(CryptoError::UnknownKey(_))));
    }
}
