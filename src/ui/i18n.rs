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
        let (vi, en) = remembered(key);
        match self {
            Lang::Vi => vi,
            Lang::En => en,
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

/// The texts of `key` (the key itself when the table has none). A page asks for a few hundred
/// keys, and a lookup in the big table mostly misses the CPU's caches (it was 5–7 % of the My
/// week page): each thread keeps the last pair found per slot, slots chosen by where the
/// key's literal lives. A `&'static str` never moves, so its address and length name it.
fn remembered(key: &'static str) -> (&'static str, &'static str) {
    type Slot = (usize, usize, &'static str, &'static str);
    const SLOTS: usize = 512;
    thread_local! {
        static SEEN: std::cell::RefCell<[Slot; SLOTS]> =
            const { std::cell::RefCell::new([(0, 0, "", ""); SLOTS]) };
    }
    let (at, len) = (key.as_ptr() as usize, key.len());
    let slot = (at >> 3 ^ at >> 12 ^ len) % SLOTS;
    let look_up = || match table().get(key) {
        Some((vi, en)) => (*vi, *en),
        None => (key, key),
    };
    SEEN.try_with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else {
            return look_up();
        };
        let (a, l, vi, en) = seen[slot];
        if a == at && l == len {
            return (vi, en);
        }
        let found = look_up();
        seen[slot] = (at, len, found.0, found.1);
        found
    })
    .unwrap_or_else(|_| look_up())
}

pub fn has_key(key: &str) -> bool {
    table().contains_key(key)
}

/// A word-at-a-time multiplicative hash (rustc's "Fx" hash, finished with a mix so the
/// table's low bits spread): the keys are the program's own constants, so the table needs no
/// protection against chosen collisions, and a page looks up a few hundred keys (SipHash was
/// a tenth of a page's rendering, byte-at-a-time FNV-1a still 5 %).
#[derive(Default)]
struct WordHash(u64);

const SEED: u64 = 0x517c_c1b7_2722_0a95;

impl std::hash::Hasher for WordHash {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(SEED) ^ (h >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(SEED);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59))
                .wrapping_mul(SEED);
        }
        self.0 = h;
    }
}

type Table =
    HashMap<&'static str, (&'static str, &'static str), std::hash::BuildHasherDefault<WordHash>>;

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
    fn every_key_gives_its_own_text_however_often_and_in_whatever_order_it_is_asked() {
        let keys: Vec<(&'static str, &'static str, &'static str)> =
            table().iter().map(|(k, (vi, en))| (*k, *vi, *en)).collect();
        assert!(keys.len() > 512, "more keys than remembered slots");
        for round in 0..3 {
            let order: Vec<_> = if round == 1 {
                keys.iter().rev().collect()
            } else {
                keys.iter().collect()
            };
            for (k, vi, en) in order {
                assert_eq!(Lang::Vi.t(k), *vi, "{k}");
                assert_eq!(Lang::En.t(k), *en, "{k}");
            }
        }
        // A key the table lacks shows itself, and does not take another key's texts.
        let odd: &'static str = Box::leak(String::from("no.such_key").into_boxed_str());
        assert_eq!(Lang::Vi.t(odd), "no.such_key");
        assert_eq!(Lang::Vi.t("week.no_meal"), table()["week.no_meal"].0);
    }

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
