//! Display formats: dates dd/mm/yyyy, money, and text folding for diacritic-free search.

use chrono::NaiveDate;

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}

/// Parses a date as people type it here: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy) or ISO yyyy-mm-dd.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    for fmt in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            if (1900..=2200).contains(&chrono::Datelike::year(&d)) {
                return Some(d);
            }
        }
    }
    None
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
    // Combining marks (text typed in decomposed form) vanish.
    if ('\u{300}'..='\u{36f}').contains(&c) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_fold_to_plain_lowercase() {
        assert_eq!(fold_search("Nguyễn  Văn Đức"), "nguyen van duc");
        assert_eq!(fold_search("TRẦN THỊ HƯỜNG"), "tran thi huong");
        assert_eq!(fold_search("Lê Thị Ngọc Ánh"), "le thi ngoc anh");
        // decomposed input (e + combining marks)
        assert_eq!(fold_search("Nguye\u{302}\u{303}n"), "nguyen");
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
pub fn csv_safe(s: &str) -> String {
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
    }
}
