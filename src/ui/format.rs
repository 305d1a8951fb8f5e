//! Display formats: dates dd/mm/yyyy, money, and text folding for diacritic-free search.

use chrono::{Datelike, NaiveDate};

/// `dd/mm/yyyy`. Written digit by digit: it runs a few dozen times per page, and chrono's
/// `format` parses its pattern every call.
pub fn date(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d);
    s
}

/// A date on a page, `dd/mm/yyyy` as [`date`] writes it, written straight into the page:
/// digits and slashes need no escaping.
#[derive(Clone, Copy)]
pub struct DateText(pub NaiveDate);

impl maud::Render for DateText {
    fn render_to(&self, buf: &mut String) {
        push_date(buf, self.0);
    }
}

fn push_date(s: &mut String, d: NaiveDate) {
    push_two(s, d.day());
    s.push('/');
    push_two(s, d.month());
    s.push('/');
    push_year(s, d.year());
}

/// `yyyy-mm-dd` (form field names, URLs), digit by digit like [`date`].
pub fn iso_day(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    push_year(&mut s, d.year());
    s.push('-');
    push_two(&mut s, d.month());
    s.push('-');
    push_two(&mut s, d.day());
    s
}

/// `yyyy-mm-dd hh:mm:ss[.fff|.ffffff|.fffffffff]`, exactly as chrono writes `%F %T%.f` (how
/// instants are stored in SQLite), digit by digit like [`date`].
pub fn iso_instant(t: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    let nanos = t.nanosecond();
    if nanos >= 1_000_000_000 {
        // A leap second: chrono's own rule.
        return t.format("%F %T%.f").to_string();
    }
    let mut s = iso_day(t.date());
    s.reserve(16);
    s.push(' ');
    push_two(&mut s, t.hour());
    s.push(':');
    push_two(&mut s, t.minute());
    s.push(':');
    push_two(&mut s, t.second());
    let (digits, value) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (3, nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        (6, nanos / 1_000)
    } else {
        (9, nanos)
    };
    if digits > 0 {
        s.push('.');
        for k in (0..digits).rev() {
            s.push(char::from(b'0' + (value / 10u32.pow(k) % 10) as u8));
        }
    }
    s
}

/// `dd/mm/yyyy HH:MM`, digit by digit like [`date`].
pub fn date_minute(t: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    let mut s = String::with_capacity(16);
    push_date(&mut s, t.date());
    s.push(' ');
    push_two(&mut s, t.hour());
    s.push(':');
    push_two(&mut s, t.minute());
    s
}

fn push_two(s: &mut String, n: u32) {
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

fn push_year(s: &mut String, y: i32) {
    if (0..=9999).contains(&y) {
        let y = y as u32;
        push_two(s, y / 100);
        push_two(s, y % 100);
    } else {
        // Outside four digits chrono's own rule (a sign, at least four digits) applies.
        use std::fmt::Write;
        let _ = write!(s, "{:+05}", y);
    }
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}

/// Parses a date as people type it here: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy) or ISO
/// yyyy-mm-dd, within 1900–2100 (no date arithmetic on it can overflow). A year must be
/// written with four plain digits: chrono alone would take "+262142".
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_within(s, 1900, 2100)
}

/// A business day from a user (service days, absences, menus, periods): 2000–2100.
pub fn business_date(s: &str) -> Option<NaiveDate> {
    parse_within(s, 2000, 2100)
}

/// A business day written by the app itself (form keys, hidden fields, links): exactly
/// yyyy-mm-dd, within 2000–2100.
/// "2026-11" → 01/11/2026 (exactly four digits, a dash, two digits; years 2000–2100).
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 7
        || b[4] != b'-'
        || !s[..4]
            .bytes()
            .chain(s[5..].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u32 = s[5..].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, 1).filter(|_| (2000..=2100).contains(&y))
}

pub fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    parse_within(s, 2000, 2100)
}

/// A date in the past (births, "member since", retirement): 1900 up to `today`.
pub fn historical_date(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    parse_within(s, 1900, 2100).filter(|d| *d <= today)
}

fn parse_within(s: &str, min_year: i32, max_year: i32) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit() || b"/-.".contains(&b))
    {
        return None;
    }
    let in_range = |d: &NaiveDate| (min_year..=max_year).contains(&chrono::Datelike::year(d));
    // The two shapes forms send (a date typed `dd/mm/yyyy`, a day's key `yyyy-mm-dd` — a week
    // submission has dozens) digit by digit: only one pattern below can read either, so the
    // answer is the same, without chrono's pattern parsing four times over.
    if let Some(d) = exact_shape(s.as_bytes()) {
        return d.filter(in_range);
    }
    for fmt in DATE_PATTERNS {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            if in_range(&d) {
                return Some(d);
            }
        }
    }
    None
}

const DATE_PATTERNS: [&str; 4] = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"];

/// `dd/mm/yyyy` or `yyyy-mm-dd` exactly: Some(the date, or None when there is no such day);
/// None for any other shape.
fn exact_shape(b: &[u8]) -> Option<Option<NaiveDate>> {
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 {
        return None;
    }
    let (year, month, day) = if b[2] == b'/' && b[5] == b'/' {
        (num(6..10)?, num(3..5)?, num(0..2)?)
    } else if b[4] == b'-' && b[7] == b'-' {
        (num(0..4)?, num(5..7)?, num(8..10)?)
    } else {
        return None;
    };
    Some(NaiveDate::from_ymd_opt(year as i32, month, day))
}

/// Lower-case, without Vietnamese diacritics, spaces collapsed: "Nguyễn  Văn Đức" → "nguyen van duc".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let b = base_letter(c);
        if b.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(b);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn base_letter(c: char) -> char {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    if c.is_ascii() {
        return c;
    }
    // Combining marks (text typed in decomposed form) vanish, as do characters that show
    // nothing (zero-width spaces and joiners, soft hyphens, byte-order marks: pasted from a
    // document or a chat, they would make a search find nothing).
    if ('\u{300}'..='\u{36f}').contains(&c) || invisible(c) {
        return '\u{0}';
    }
    for (set, base) in GROUPS {
        if set.contains(c) {
            return base;
        }
    }
    c
}

/// `fold` without the NULs left by combining marks.
pub fn fold_search(s: &str) -> String {
    fold(s).replace('\u{0}', "")
}

/// Characters that show nothing: zero-width spaces, joiners and marks, the word joiner, the
/// soft hyphen and the byte-order mark.
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// A text a user typed, pasted or uploaded, as it is kept: composed (NFC: "e" + marks typed on
/// some keyboards and systems reads as the one letter others type) and without the characters
/// that show nothing (copied from a document or a chat they come along). Stored otherwise, two
/// names that look the same would differ, and a code would not match. A text that is already
/// so (nearly every one) is left as it is.
pub fn tidy_typed(s: &mut String) {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.contains(invisible) {
        s.retain(|c| !invisible(c));
    }
    if is_nfc_quick(s.chars()) != IsNormalized::Yes {
        *s = s.nfc().collect();
    }
}

/// A code or user name typed into a search: upper-case (codes are), trimmed, composed (a
/// name typed in decomposed form, "e" + marks, reads as stored), without the characters that
/// show nothing.
pub fn search_code(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc()
        .filter(|c| !invisible(*c))
        .collect::<String>()
        .trim()
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `parse_within` answered before its shortcut: the patterns in order.
    fn by_patterns(s: &str, min_year: i32, max_year: i32) -> Option<NaiveDate> {
        let s = s.trim();
        if s.is_empty()
            || s.len() > 10
            || !s.bytes().all(|b| b.is_ascii_digit() || b"/-.".contains(&b))
        {
            return None;
        }
        DATE_PATTERNS.iter().find_map(|fmt| {
            NaiveDate::parse_from_str(s, fmt)
                .ok()
                .filter(|d| (min_year..=max_year).contains(&chrono::Datelike::year(d)))
        })
    }

    #[test]
    fn a_date_on_a_page_reads_as_date_writes_it() {
        for d in [
            (2026, 12, 1),
            (2024, 2, 29),
            (1, 1, 1),
            (9999, 12, 31),
            (-5, 3, 4),
            (12345, 6, 7),
        ] {
            let d = NaiveDate::from_ymd_opt(d.0, d.1, d.2).expect("day");
            assert_eq!(
                maud::html! { td { (DateText(d)) } }.into_string(),
                maud::html! { td { (date(d)) } }.into_string()
            );
        }
    }

    #[test]
    fn instants_are_written_as_chrono_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
        for d in [
            day(2026, 12, 1),
            day(2024, 2, 29),
            day(1, 1, 1),
            day(9999, 12, 31),
            day(-5, 3, 4),
            day(12345, 6, 7),
        ] {
            for (h, mi, sec) in [(0, 0, 0), (7, 30, 5), (23, 59, 59)] {
                for nanos in [
                    0,
                    1,
                    120_000_000,
                    123_000,
                    123_456_000,
                    999_999_999,
                    5,
                    1_000_000,
                ] {
                    let t = d.and_hms_nano_opt(h, mi, sec, nanos).expect("instant");
                    assert_eq!(iso_instant(t), t.format("%F %T%.f").to_string(), "{t:?}");
                }
            }
            // A leap second (chrono allows one after any :59).
            let t = d
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .expect("leap second");
            assert_eq!(iso_instant(t), t.format("%F %T%.f").to_string(), "{t:?}");
        }
    }

    #[test]
    fn dates_in_the_two_usual_shapes_are_read_as_the_patterns_read_them() {
        let mut tried = 0;
        for y in [
            "0000", "1899", "1900", "1999", "2000", "2024", "2026", "2100", "2101", "9999",
        ] {
            for m in ["00", "01", "02", "09", "12", "13", "1a"] {
                for d in ["00", "01", "09", "28", "29", "30", "31", "32"] {
                    for s in [
                        format!("{d}/{m}/{y}"),
                        format!("{y}-{m}-{d}"),
                        format!(" {d}/{m}/{y} "),
                    ] {
                        for (lo, hi) in [(1900, 2100), (2000, 2100)] {
                            assert_eq!(parse_within(&s, lo, hi), by_patterns(&s, lo, hi), "{s:?}");
                            tried += 1;
                        }
                    }
                }
            }
        }
        for s in [
            "1/2/2026",
            "01-02-2026",
            "01.02.2026",
            "2026-1-02",
            "2026/01/02",
            "20260102",
            "",
            "--/--/----",
            "1/12/2026",
            "2026-12-1",
            "12/2026/01",
        ] {
            assert_eq!(
                parse_within(s, 1900, 2100),
                by_patterns(s, 1900, 2100),
                "{s:?}"
            );
        }
        assert!(tried > 3000);
        assert_eq!(
            parse_within("29/02/2024", 2000, 2100),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(
            parse_within("2026-12-02", 2000, 2100),
            NaiveDate::from_ymd_opt(2026, 12, 2)
        );
        assert_eq!(parse_within("29/02/2026", 2000, 2100), None);
    }

    #[test]
    fn dates_are_written_exactly_as_chrono_writes_them() {
        let days = [
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(-1, 1, 1).expect("day"),
            NaiveDate::from_ymd_opt(0, 12, 31).expect("day"),
            NaiveDate::from_ymd_opt(999, 7, 4).expect("day"),
            NaiveDate::from_ymd_opt(9999, 12, 31).expect("day"),
            NaiveDate::from_ymd_opt(10000, 1, 1).expect("day"),
        ];
        let every_day_of_2024_to_2027 = NaiveDate::from_ymd_opt(2024, 1, 1)
            .expect("day")
            .iter_days()
            .take(4 * 366);
        for d in days.into_iter().chain(every_day_of_2024_to_2027) {
            assert_eq!(date(d), d.format("%d/%m/%Y").to_string());
            assert_eq!(iso_day(d), d.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn instants_are_written_to_the_minute_exactly_as_chrono_writes_them() {
        let start = NaiveDate::from_ymd_opt(2026, 12, 31)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("instant");
        // Every minute of a day crossing the year, and instants at the ends of the range.
        let minutes = (0..26 * 60).map(|m| start + chrono::Duration::minutes(m));
        let ends = [
            NaiveDate::MIN.and_hms_opt(0, 0, 0),
            NaiveDate::MAX.and_hms_opt(23, 59, 59),
            NaiveDate::from_ymd_opt(999, 1, 9).and_then(|d| d.and_hms_micro_opt(9, 5, 59, 999_999)),
        ];
        for t in minutes.chain(ends.into_iter().flatten()) {
            assert_eq!(date_minute(t), t.format("%d/%m/%Y %H:%M").to_string());
        }
    }

    #[test]
    fn dates_from_users_stay_within_their_ranges() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(business_date("30/11/2026"), d(2026, 11, 30));
        assert_eq!(business_date("2026-11-30"), d(2026, 11, 30));
        assert_eq!(business_date("+262142-12-31"), None);
        assert_eq!(business_date("31/12/262142"), None);
        assert_eq!(business_date("31/12/1999"), None);
        assert_eq!(business_date("01/01/2101"), None);
        assert_eq!(business_date("01/01/2100"), d(2100, 1, 1));
        assert_eq!(iso_date("2026-11-30"), d(2026, 11, 30));
        assert_eq!(iso_date("30/11/2026"), None);
        assert_eq!(iso_date("2026-1-30"), None);
        assert_eq!(iso_date("9999-12-27"), None);
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        assert_eq!(historical_date("05/09/1980", today), d(1980, 9, 5));
        assert_eq!(historical_date("30/11/2026", today), None);
        assert_eq!(historical_date("31/12/1899", today), None);
        assert_eq!(parse_date("01/01/2101"), None);
    }

    #[test]
    fn vietnamese_names_fold_to_plain_lowercase() {
        assert_eq!(fold_search("Nguyễn  Văn Đức"), "nguyen van duc");
        assert_eq!(fold_search("TRẦN THỊ HƯỜNG"), "tran thi huong");
        assert_eq!(fold_search("Lê Thị Ngọc Ánh"), "le thi ngoc anh");
        // decomposed input (e + combining marks)
        assert_eq!(fold_search("Nguye\u{302}\u{303}n"), "nguyen");
        // characters that show nothing, pasted from elsewhere
        assert_eq!(
            fold_search("\u{feff}Ngu\u{200b}yễn\u{ad} Văn\u{2060}"),
            "nguyen van"
        );
        assert_eq!(search_code(" \u{200b}nv0\u{200d}01\u{feff} "), "NV001");
        assert_eq!(search_code("Nguye\u{302}\u{303}n").to_lowercase(), "nguyễn");
    }

    #[test]
    fn dates_read_and_show_as_dd_mm_yyyy() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 9).unwrap();
        assert_eq!(date(d), "09/02/2026");
        assert_eq!(parse_date("09/02/2026"), Some(d));
        assert_eq!(parse_date("9/2/2026"), Some(d));
        assert_eq!(parse_date("2026-02-09"), Some(d));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("hôm qua"), None);
        assert_eq!(parse_date("01/01/0001"), None);
    }
}

/// Neutralises spreadsheet formulas: a cell starting with = + - @ (or tab/CR) gets a leading '.
/// A plain negative number ("-25000", "-1.5") is a number, not a formula, and stays as it is
/// so that refunds still add up in the spreadsheet.
pub fn csv_safe(s: &str) -> String {
    if let Some(rest) = s.strip_prefix('-') {
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "0"));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if digits(int) && digits(frac) {
            return s.to_string();
        }
    }
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod csv_tests {
    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        assert_eq!(super::csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::csv_safe("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(super::csv_safe("-25000"), "-25000");
        assert_eq!(super::csv_safe("-1.5"), "-1.5");
        assert_eq!(super::csv_safe("-1+1"), "'-1+1");
        assert_eq!(super::csv_safe("-"), "'-");
        assert_eq!(
            super::csv_safe("-2-cmd|' /C calc'!A0"),
            "'-2-cmd|' /C calc'!A0"
        );
    }
}
