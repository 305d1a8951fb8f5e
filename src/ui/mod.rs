//! Shared page pieces: request context, layout, forms, tables, formatting, texts.

pub mod ctx;
pub mod export;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod layout;
pub mod seen;
pub mod texts;
pub mod texts_canteen;
pub mod texts_food;
pub mod texts_stats;
pub mod texts_welfare;
pub mod upload;

pub use ctx::{Ctx, CurrentUser};
pub use i18n::Lang;

pub const STYLESHEET: &str = include_str!("style.css");
/// The pages' one script: progressive enhancement only (a form is not sent twice by a double
/// click); every page works without it.
pub const SCRIPT: &str = include_str!("app.js");

/// Where the pages load the stylesheet and the script from: the address carries a digest of
/// the file, so a browser holding last version's copy (they are cached for a year) asks for
/// the new one after an upgrade, and only then.
pub static STYLESHEET_HREF: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("/static/style.css?v={:016x}", fnv1a(STYLESHEET)));
pub static SCRIPT_SRC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("/static/app.js?v={:016x}", fnv1a(SCRIPT)));

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Where a frame ([`fill`]) takes its contents. Text on a page is escaped (`<` becomes
/// `&lt;`), so only the app's own markup can hold it.
pub const SLOT: maud::PreEscaped<&str> = maud::PreEscaped("<!--canteen:slot-->");

/// `frame` with each [`SLOT`] in it replaced, in order, by the next of `parts`, in one buffer
/// of the right size. A page is built inside out (rows, tables, the form, the layout) and
/// `html!` copies what it wraps into a buffer sized for its own template, which grows (and
/// is copied again) several times for a grid of 15 KB; a frame around a slot copies its
/// contents once. Slots without a part are left empty.
pub fn fill(frame: maud::Markup, parts: &[&maud::Markup]) -> maud::Markup {
    let mut out =
        String::with_capacity(frame.0.len() + parts.iter().map(|p| p.0.len()).sum::<usize>());
    let mut rest = frame.0.as_str();
    let mut parts = parts.iter();
    while let Some(at) = find_slot(rest) {
        out.push_str(&rest[..at]);
        if let Some(part) = parts.next() {
            out.push_str(&part.0);
        }
        rest = &rest[at + SLOT.0.len()..];
    }
    out.push_str(rest);
    maud::PreEscaped(out)
}

/// Where the first [`SLOT`] is: found by its `!`, a byte a page's markup rarely holds
/// (`str::find` of a character scans a word at a time; a pattern search set up for every
/// call cost more than the copying `fill` saves).
fn find_slot(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find('!') {
        let bang = from + i;
        // Compared as bytes: the byte before a `!` may be the end of a longer letter ("ạ!"),
        // where a `str` cannot be cut. A match starts with `<`, so it is a boundary.
        if let Some(start) = bang.checked_sub(1) {
            if s.as_bytes()[start..].starts_with(SLOT.0.as_bytes()) {
                return Some(start);
            }
        }
        from = bang + 1;
    }
    None
}

/// `parts` one after the other, in one buffer of the right size (see [`fill`]).
pub fn concat(parts: &[maud::Markup]) -> maud::Markup {
    let mut out = String::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    for p in parts {
        out.push_str(&p.0);
    }
    maud::PreEscaped(out)
}

/// 200 with an HTML page.
pub fn html_ok(m: maud::Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(m.into_string())
}

/// 422 with the form shown again, the user's values kept and each problem beside its field.
pub fn html_invalid(m: maud::Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(m.into_string())
}

/// Text on a page, escaped exactly as maud escapes a `&str` (`& < > "`), but copying the runs
/// between those characters at once. maud's own escaper pushes byte by byte, a tenth of the
/// My week page's time (its dish lists, allergen lines and labels); the grid renders its text
/// through this.
#[derive(Clone, Copy)]
pub struct Esc<'a>(pub &'a str);

impl maud::Render for Esc<'_> {
    fn render_to(&self, buf: &mut String) {
        escape_into(self.0, buf);
    }
}

/// An amount on a page ("35.000 ₫") written straight into it: digits, dots, a no-break space
/// and the symbol need no escaping, and maud would format it through `Display` and escape it
/// byte by byte.
impl maud::Render for crate::money::Vnd {
    fn render_to(&self, buf: &mut String) {
        let mut digits = [0u8; crate::money::GROUPED_MAX];
        buf.push_str(self.grouped_in(&mut digits));
        buf.push_str(crate::money::SYMBOL);
    }
}

/// Appends `s` to `buf` HTML-escaped (see [`Esc`]). Eight bytes at a time while none of them
/// is one of the four (most of a page's text has none).
pub fn escape_into(s: &str, buf: &mut String) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len());
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(w) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            if !may_need_escaping(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let entity = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => {
                i += 1;
                continue;
            }
        };
        // `i` is at an ASCII byte, so both slices end on character boundaries.
        buf.push_str(&s[run..i]);
        buf.push_str(entity);
        i += 1;
        run = i;
    }
    buf.push_str(&s[run..]);
}

/// Whether one of the eight bytes of `w` is `&`, `<`, `>` or `"` (never a false "no").
/// `<` (0x3c) and `>` (0x3e) differ only in bit 1, `"` (0x22) and `&` (0x26) only in bit 2:
/// with that bit set, each pair is one byte to look for, found with the "has a zero byte" test.
fn may_need_escaping(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    has_zero((w | (ONES * 0x02)) ^ (ONES * 0x3e)) || has_zero((w | (ONES * 0x04)) ^ (ONES * 0x26))
}

#[cfg(test)]
mod tests {
    use super::*;
    use maud::Render;

    #[test]
    fn a_frame_is_filled_slot_by_slot_as_if_its_parts_were_written_in_place() {
        let a = maud::html! { p { "a & b" } };
        let b = maud::html! { tr { td { "<x>" } } };
        let framed = fill(
            maud::html! { div { (SLOT) } table { (SLOT) } span { "<!--canteen:slot-->" } },
            &[&a, &b],
        );
        let in_place = maud::html! { div { (a) } table { (b) } span { "<!--canteen:slot-->" } };
        assert_eq!(framed.0, in_place.0);
        assert_eq!(
            fill(maud::html! { i { (SLOT) } b { (SLOT) } }, &[&a]).0,
            "<i><p>a &amp; b</p></i><b></b>"
        );
        assert_eq!(fill(maud::html! { i { "x" } }, &[&a]).0, "<i>x</i>");
        // A `!` right after a letter of more than one byte (a notice "Chúc ngon miệng ạ!").
        assert_eq!(
            fill(maud::html! { p { "ạ!" } (SLOT) p { "ữ!!" } }, &[&a]).0,
            "<p>ạ!</p><p>a &amp; b</p><p>ữ!!</p>"
        );
        assert_eq!(
            fill(
                maud::PreEscaped("!<!x!<!--canteen:slot-->!".to_string()),
                &[&a]
            )
            .0,
            "!<!x!<p>a &amp; b</p>!"
        );
    }

    #[test]
    fn an_amount_on_a_page_reads_as_it_does_everywhere_else() {
        for v in [
            0,
            7,
            35_000,
            999,
            1_000,
            -1,
            -5_000,
            1_234_567,
            i64::MAX,
            i64::MIN,
        ] {
            let amount = crate::money::Vnd(v);
            let mut page = String::from("<td>");
            amount.render_to(&mut page);
            assert_eq!(page, format!("<td>{amount}"), "{v}");
            assert_eq!(
                maud::html! { td { (amount) } }.into_string(),
                format!("<td>{amount}</td>")
            );
        }
        assert_eq!(
            crate::money::Vnd(-1_234_567).to_string(),
            "-1.234.567\u{a0}₫"
        );
    }

    #[test]
    fn text_is_escaped_exactly_as_maud_escapes_it() {
        for s in [
            "",
            "Cơm gà",
            "<script>alert(\"x\")</script>",
            "a&b<c>d\"e'f",
            "&&&",
            "đậu phộng & <tôm> \"rim\"",
            "\u{0}\u{1f}<",
            ">",
            "日本語&",
            "Sườn xào chua ngọt · Chả giò chay · Canh cải nấu thịt",
            "Chất gây dị ứng: Ngũ cốc chứa gluten (lúa mì, lúa mạch), Đậu nành & <sữa>",
            "12345678<",
            "1234567&8",
            "\"2345678\"234567>",
            "ab>",
        ] {
            let mut mine = String::from("x");
            Esc(s).render_to(&mut mine);
            let mut theirs = String::from("x");
            s.render_to(&mut theirs);
            assert_eq!(mine, theirs, "{s:?}");
        }
        // Each of the four, and every other byte value, at every place of an eight-byte word.
        for b in (0u8..=0x7f).map(char::from) {
            for at in 0..12 {
                let s: String = (0..12).map(|i| if i == at { b } else { 'x' }).collect();
                let mut mine = String::new();
                Esc(&s).render_to(&mut mine);
                let mut theirs = String::new();
                s.render_to(&mut theirs);
                assert_eq!(mine, theirs, "{s:?}");
            }
        }
    }
}
