//! Vietnamese (default) and English. Every user-facing text goes through this table:
//! one entry per key with both languages side by side.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    /// The text for `key`; an unknown key shows itself (and a test forbids unknown keys).
    pub fn t(self, key: &'static str) -> &'static str {
        match table().get(key) {
            Some((vi, en)) => match self {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => key,
        }
    }
    /// The text for a key made at run time; None when the table has no such key.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        table().get(key).map(|(vi, en)| match self {
            Lang::Vi => *vi,
            Lang::En => *en,
        })
    }
    /// The text for `key` with `{}` replaced by `arg`.
    pub fn tf(self, key: &'static str, arg: impl std::fmt::Display) -> String {
        self.t(key).replacen("{}", &arg.to_string(), 1)
    }
}

pub fn has_key(key: &str) -> bool {
    table().contains_key(key)
}

/// FNV-1a: the keys are the program's own constants, so the table needs no protection
/// against chosen collisions, and a page looks up a few hundred keys (SipHash was a tenth of
/// a page's rendering).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Table =
    HashMap<&'static str, (&'static str, &'static str), std::hash::BuildHasherDefault<Fnv>>;

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        super::texts::TEXTS
            .iter()
            .chain(super::texts_canteen::TEXTS)
            .chain(super::texts_food::TEXTS)
            .chain(super::texts_welfare::TEXTS)
            .chain(super::texts_stats::TEXTS)
            .map(|(k, vi, en)| (*k, (*vi, *en)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_key_is_unique_and_has_both_languages() {
        let mut seen = HashSet::new();
        for (k, vi, en) in super::super::texts::TEXTS
            .iter()
            .chain(super::super::texts_canteen::TEXTS)
            .chain(super::super::texts_food::TEXTS)
            .chain(super::super::texts_welfare::TEXTS)
            .chain(super::super::texts_stats::TEXTS)
        {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!vi.trim().is_empty(), "{k} has no Vietnamese text");
            assert!(!en.trim().is_empty(), "{k} has no English text");
        }
    }

    /// Every literal in src/ that looks like a text key exists in the table.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let prefixes = [
            "nav.",
            "err.",
            "auth.",
            "people.",
            "units.",
            "acc.",
            "common.",
            "role.",
            "cat.",
            "status.",
            "gender.",
            "imp.",
            "flash.",
            "home.",
            "pw.",
            "audit.",
            "order.",
            "menu.",
            "dish.",
            "counter.",
            "week.",
            "standing.",
            "absence.",
            "pass.",
            "rating.",
            "head.",
            "waste.",
            "cal.",
            "day.",
            "settings.",
            "behalf.",
            "allergen.",
            "allergy.",
            "notice.",
            "stmt.",
            "policy.",
            "eligibility.",
            "fund.",
            "voucher.",
            "month.",
            "elig.",
            "salary.",
            "supp.",
            "rec.",
            "adj.",
            "einv.",
            "sign.",
            "fs.",
            "wf.",
        ];
        let mut missing = Vec::new();
        let mut files = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(p) = files.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).expect("read src").flatten() {
                    files.push(e.path());
                }
                continue;
            }
            if p.extension().and_then(|e| e.to_str()) != Some("rs")
                || p.to_string_lossy().contains("texts")
            {
                continue;
            }
            let src = std::fs::read_to_string(&p).expect("read file");
            for lit in src.split('"').skip(1).step_by(2) {
                let looks_like_key = prefixes.iter().any(|pre| lit.starts_with(pre))
                    && lit.len() > 4
                    && lit.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && !lit.ends_with('.');
                if looks_like_key && !has_key(lit) {
                    missing.push(format!("{}: {lit}", p.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the text table:\n{}",
            missing.join("\n")
        );
    }
}
