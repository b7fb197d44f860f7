//! Passwords, tokens and codes: what is random, what is hashed, and how.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Hashes a password with Argon2id (the crate's default parameters) into a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A bearer token: 32 random bytes, URL-safe base64.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256. Tokens are random and long, so a plain
/// hash is enough (no salt or slow hash needed), and lookups stay an index probe.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The per-count key of the duplicate key.
pub fn new_dedup_secret() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// Letters and digits that cannot be misread for each other (no 0/O, 1/I/L, 5/S, 8/B).
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY2345679";

/// A team code such as `K7PQ-2QXM`: 8 characters from a 27-letter alphabet (about 38 bits),
/// enough against guessing behind the rate limit, short enough to type on a phone.
pub fn new_team_code() -> String {
    let mut rng = rand::thread_rng();
    let chars: String =
        (0..8).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// How a typed code is compared, and shown (the shared rules, as the field app uses them).
pub use ethos_shared::input::{display_team_code, normalise_team_code};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsE", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn team_codes_are_typeable_and_normalise_from_how_people_type_them() {
        let code = new_team_code();
        assert_eq!(code.len(), 9);
        let n = normalise_team_code(&code.to_lowercase().replace('-', " "));
        assert_eq!(display_team_code(&n), code);
    }

    #[test]
    fn tokens_differ_and_their_hashes_are_hex() {
        assert_ne!(new_token(), new_token());
        assert_eq!(token_hash("a").len(), 64);
    }
}
