//! Signing keys, pure: an Ed25519 key pair whose secret half is sealed with a key derived from
//! the signer's password (argon2id, the crate's defaults → ChaCha20-Poly1305, the public key as
//! associated data so a sealed secret cannot be moved under another public key). Signing
//! needs the password; verifying needs only the public key.

use argon2::Argon2;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A key pair as stored: the public key (hex), and the sealed secret with its salt and nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub public_key: String,
    pub sealed_secret: Vec<u8>,
    pub salt: Vec<u8>,
    pub nonce: Vec<u8>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The password does not open the sealed secret (or it was tampered with).
    WrongPassword,
    /// The stored key is not a key (damaged row).
    Damaged,
}

fn derive(password: &str, salt: &[u8]) -> Result<[u8; 32], KeyError> {
    let mut key = [0u8; 32];
    Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut key)
        .map_err(|_| KeyError::Damaged)?;
    Ok(key)
}

fn seal_secret(secret: &[u8; 32], public: &[u8], password: &str) -> Result<Sealed, KeyError> {
    let mut salt = vec![0u8; 16];
    let mut nonce = vec![0u8; 12];
    rand::thread_rng().fill_bytes(&mut salt);
    rand::thread_rng().fill_bytes(&mut nonce);
    let key = derive(password, &salt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let sealed_secret = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: public,
            },
        )
        .map_err(|_| KeyError::Damaged)?;
    Ok(Sealed {
        public_key: hex::encode(public),
        sealed_secret,
        salt,
        nonce,
    })
}

/// A new key pair sealed with `password`.
pub fn generate(password: &str) -> Result<Sealed, KeyError> {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let signing = SigningKey::from_bytes(&secret);
    seal_secret(&secret, signing.verifying_key().as_bytes(), password)
}

/// Opens a sealed key with the password.
pub fn open(sealed: &Sealed, password: &str) -> Result<SigningKey, KeyError> {
    if sealed.nonce.len() != 12 {
        return Err(KeyError::Damaged);
    }
    let public = hex::decode(&sealed.public_key).map_err(|_| KeyError::Damaged)?;
    let key = derive(password, &sealed.salt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let secret = cipher
        .decrypt(
            Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.sealed_secret,
                aad: &public,
            },
        )
        .map_err(|_| KeyError::WrongPassword)?;
    let bytes: [u8; 32] = secret.try_into().map_err(|_| KeyError::Damaged)?;
    let signing = SigningKey::from_bytes(&bytes);
    if signing.verifying_key().as_bytes().as_slice() != public.as_slice() {
        return Err(KeyError::Damaged);
    }
    Ok(signing)
}

/// The same key sealed with a new password (a password change).
pub fn reseal(sealed: &Sealed, old: &str, new: &str) -> Result<Sealed, KeyError> {
    let signing = open(sealed, old)?;
    seal_secret(&signing.to_bytes(), signing.verifying_key().as_bytes(), new)
}

/// The fingerprint printed on reports: the first 16 bytes of SHA-256 of the public key, in
/// groups of four hex digits ("3f2a 9c41 …").
pub fn fingerprint(public_key_hex: &str) -> String {
    let bytes = hex::decode(public_key_hex).unwrap_or_default();
    let h = Sha256::digest(&bytes);
    hex::encode(&h[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Signs a payload (hex of the 64-byte signature).
pub fn sign(key: &SigningKey, payload: &str) -> String {
    hex::encode(key.sign(payload.as_bytes()).to_bytes())
}

/// Whether `signature` (hex) is the signature of `payload` by `public_key` (hex).
pub fn verify(public_key: &str, payload: &str, signature: &str) -> bool {
    let Ok(pk) = hex::decode(public_key) else {
        return false;
    };
    let Ok(pk) = <[u8; 32]>::try_from(pk.as_slice()) else {
        return false;
    };
    let Ok(vk) = VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    let Ok(sig) = hex::decode(signature) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else {
        return false;
    };
    vk.verify(payload.as_bytes(), &Signature::from_bytes(&sig))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_opens_the_key_and_a_password_change_keeps_the_key() {
        let sealed = generate("mật khẩu cũ dài").expect("key");
        assert_eq!(
            open(&sealed, "sai mật khẩu").err(),
            Some(KeyError::WrongPassword)
        );
        let key = open(&sealed, "mật khẩu cũ dài").expect("opens");
        let sig = sign(&key, "tháng 10");
        assert!(verify(&sealed.public_key, "tháng 10", &sig));
        assert!(!verify(&sealed.public_key, "tháng 11", &sig));
        let moved = reseal(&sealed, "mật khẩu cũ dài", "mật khẩu mới dài").expect("reseal");
        assert_eq!(moved.public_key, sealed.public_key);
        assert!(open(&moved, "mật khẩu cũ dài").is_err());
        let again = open(&moved, "mật khẩu mới dài").expect("opens with the new one");
        assert_eq!(again.to_bytes(), key.to_bytes());
    }

    #[test]
    fn a_sealed_secret_under_another_public_key_does_not_open() {
        let a = generate("mật khẩu một").expect("a");
        let b = generate("mật khẩu một").expect("b");
        let swapped = Sealed {
            public_key: b.public_key.clone(),
            ..a.clone()
        };
        assert!(open(&swapped, "mật khẩu một").is_err());
        assert_eq!(fingerprint(&a.public_key).len(), 39);
        assert_ne!(fingerprint(&a.public_key), fingerprint(&b.public_key));
    }
}
