//! Password hashing (argon2id, m=7168 KiB, t=5, p=1) and the password rules.
//!
//! OWASP's password storage cheat sheet lists m=19 MiB/t=2 and m=7 MiB/t=5 (among others) as
//! configurations of equal strength. This server takes the one that needs the least memory:
//! each hash holds its whole `m` while it runs, and a login burst on a shared server is where
//! its peak memory comes from (README, "Performance"). A hash made with other parameters
//! still verifies (they are in the stored string) and is replaced at the next good login.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

/// m (KiB), t, p of new hashes.
pub const PARAMS: (u32, u32, u32) = (7168, 5, 1);

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let (m, t, p) = PARAMS;
    let params = argon2::Params::new(m, t, p, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Whether a stored hash was made otherwise than new hashes are (older parameters): it is
/// replaced after the next good login.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (m, t, p) = PARAMS;
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != argon2::Algorithm::Argon2id.ident()
        || parsed.version != Some(argon2::Version::V0x13 as u32)
        || (params.m_cost(), params.t_cost(), params.p_cost()) != (m, t, p)
}

/// A hash to verify against when the user does not exist, so both answers take as long.
pub fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash("not-a-real-password-but-a-timing-shield").unwrap_or_default())
}

fn common() -> &'static HashSet<&'static str> {
    static C: OnceLock<HashSet<&'static str>> = OnceLock::new();
    C.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

pub fn common_count() -> usize {
    common().len()
}

/// The rules: 8 to 256 characters (any Unicode), not a commonly used password, not the
/// username. No composition rules. Returns the i18n key of the problem.
pub fn check_rules(password: &str, username: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err("pw.too_short");
    }
    if n > MAX_CHARS {
        return Err("pw.too_long");
    }
    let lower = password.to_lowercase();
    if common().contains(lower.as_str()) {
        return Err("pw.too_common");
    }
    if !username.is_empty() && lower == username.to_lowercase() {
        return Err("pw.same_as_username");
    }
    if too_simple(&lower) {
        return Err("pw.too_simple");
    }
    Ok(())
}

/// A password made of at most three different characters ("aaaaaaaaaaaa", "abababab"), or a
/// straight run up or down ("12345678", "abcdefgh", "98765432").
fn too_simple(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 3 {
        return true;
    }
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| w[1] as i64 - w[0] as i64)
        .collect();
    steps.iter().all(|d| *d == 1) || steps.iter().all(|d| *d == -1)
}

/// A random one-time password: 16 characters from an alphabet without look-alikes.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivially_weak_passwords_are_refused() {
        for p in [
            "aaaaaaaaaaaa",
            "abababababab",
            "abcdefghij",
            "mnopqrstu",
            "zyxwvutsrq",
        ] {
            assert_eq!(check_rules(p, "lan"), Err("pw.too_simple"), "{p}");
        }
        assert_eq!(check_rules("cơm trưa ngon lắm", "lan"), Ok(()));
    }

    #[test]
    fn a_hash_of_the_old_default_parameters_still_verifies_and_is_due_for_a_rehash() {
        let old = Argon2::default()
            .hash_password(b"com trua ngon", &SaltString::generate(&mut OsRng))
            .expect("hash")
            .to_string();
        assert!(old.contains("m=19456,t=2,p=1"), "{old}");
        assert!(verify("com trua ngon", &old));
        assert!(needs_rehash(&old));
        let new = hash("com trua ngon").expect("hash");
        assert!(new.contains("m=7168,t=5,p=1"), "{new}");
        assert!(!needs_rehash(&new));
        assert!(!needs_rehash("not a hash"));
    }

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = hash("mật khẩu rất dài").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu rất dài", &h));
        assert!(!verify("mat khau rat dai", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn password_rules_count_characters_and_refuse_common_passwords() {
        assert_eq!(check_rules("short", "u"), Err("pw.too_short"));
        assert_eq!(check_rules("ngắn123", "u"), Err("pw.too_short"));
        assert_eq!(check_rules("Password123", "u"), Err("pw.too_common"));
        assert_eq!(check_rules("12345678", "u"), Err("pw.too_common"));
        assert_eq!(
            check_rules("nguyenvana", "nguyenvana"),
            Err("pw.same_as_username")
        );
        assert_eq!(check_rules(&"x".repeat(257), "u"), Err("pw.too_long"));
        assert_eq!(
            check_rules(&"éaòu".repeat(64), "u"),
            Ok(()),
            "256 characters"
        );
        assert_eq!(check_rules("cơm trưa ngon", "u"), Ok(()));
    }

    #[test]
    fn at_least_a_thousand_common_passwords_are_shipped() {
        assert!(common_count() >= 1000, "only {}", common_count());
    }

    #[test]
    fn generated_passwords_satisfy_the_rules_and_differ() {
        let a = generate();
        assert_eq!(a.chars().count(), 16);
        assert!(check_rules(&a, "x").is_ok());
        assert_ne!(a, generate());
    }
}
