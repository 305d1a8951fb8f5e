//! What an edit page showed, carried by its form.
//!
//! An edit page shows a record and saves every one of its fields back. Opened in two tabs (or
//! by two people), the page saved last would silently undo the other's save: a committed
//! change lost without anyone being told. So the page carries a short fingerprint of the
//! record as it showed it (the hidden field `seen`), the save compares it with the record as
//! it is now, in the same write transaction, and a page shown before another save is refused
//! ([`CHANGED`], nothing written) and shown again with the record as it is now. The save
//! holds the record while it checks and writes (`db::hold_record`).
//!
//! A form without `seen` (a script, not the page) is not checked, as on My week. A stale page
//! that sends exactly what the record now shows ([`refuses`]: the second send of a double
//! click, say) changes nothing and is answered as saved.

use maud::{html, Markup};
use serde::Serialize;

/// The form field that carries the fingerprint.
pub const FIELD: &str = "seen";

/// The refusal of a page shown before another save (about the whole form, not one field).
pub const CHANGED: &str = "common.err_changed_elsewhere";

/// The fingerprint of what a page shows: the values of its form (a form struct marks its own
/// `seen` `skip_serializing`), 12 bytes of SHA-256 in hex.
pub fn of<T: Serialize + ?Sized>(shown: &T) -> String {
    use sha2::{Digest, Sha256};
    // Form structs and tuples of plain values always serialise; should one ever not, every
    // page would carry the same fingerprint and nothing would be refused — never a false refusal.
    let bytes = serde_json::to_vec(shown).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..12])
}

/// Whether a save made from a page that showed `sent` must be refused, the record now
/// showing as `now` (None: a record with nothing kept to compare, which any page is refused
/// against, as is any page that sent an empty fingerprint).
pub fn is_stale(sent: Option<&str>, now: Option<&str>) -> bool {
    sent.is_some_and(|s| Some(s) != now)
}

/// Whether a save must be refused: its page showed something other than what the record now
/// shows ([`is_stale`]), unless what it sends is exactly what the record now shows (`sending`:
/// [`of`] the form as sent). That is a change saved already — the second send of a double
/// click (without JavaScript; `ui/app.js` holds it), or two people making one correction —
/// which would change nothing: answered as saved, not refused over a save that went through.
pub fn refuses(sent: Option<&str>, now: Option<&str>, sending: &str) -> bool {
    is_stale(sent, now) && now != Some(sending)
}

/// Reads a form's `seen` as sent, an empty value included (a form field left empty would
/// otherwise read as absent, and an absent `seen` is not checked). For
/// `#[serde(default, deserialize_with = "crate::ui::seen::sent")]`.
pub fn sent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    <String as serde::Deserialize>::deserialize(d).map(Some)
}

/// The hidden field, when the page has a fingerprint to carry.
pub fn hidden(seen: Option<&str>) -> Markup {
    html! { @if let Some(s) = seen { input type="hidden" name=(FIELD) value=(s); } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_values_give_the_same_fingerprint_and_any_change_another() {
        let a = of(&("Cơm gà", 35_000, Some(40), false, [3, 1]));
        assert_eq!(a, of(&("Cơm gà", 35_000, Some(40), false, [3, 1])));
        assert_eq!(a.len(), 24);
        for other in [
            of(&("Cơm gà ", 35_000, Some(40), false, [3, 1])),
            of(&("Cơm gà", 35_001, Some(40), false, [3, 1])),
            of(&("Cơm gà", 35_000, None::<i32>, false, [3, 1])),
            of(&("Cơm gà", 35_000, Some(40), true, [3, 1])),
            of(&("Cơm gà", 35_000, Some(40), false, [1, 3])),
        ] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn only_a_page_that_showed_something_else_is_refused() {
        assert!(!is_stale(None, Some("abc")));
        assert!(!is_stale(Some("abc"), Some("abc")));
        assert!(is_stale(Some("abd"), Some("abc")));
        assert!(is_stale(Some(""), Some("abc")));
        assert!(is_stale(Some("abc"), None));
    }

    #[test]
    fn a_stale_page_sending_what_the_record_now_shows_is_not_refused() {
        assert!(!refuses(Some("old"), Some("now"), "now"), "already saved");
        assert!(refuses(Some("old"), Some("now"), "other"));
        assert!(!refuses(Some("now"), Some("now"), "other"), "not stale");
        assert!(!refuses(None, Some("now"), "other"), "not checked");
        assert!(refuses(Some("old"), None, "now"));
    }
}
