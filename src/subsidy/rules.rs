//! Subsidy rules that read what people type (pure): percentages and salary coefficients.

/// "25" or "12,5" percent → basis points.
pub fn percent_bp(s: &str) -> Option<i64> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2 || whole.is_empty() {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(w * 100 + f).filter(|bp| (0..=10_000).contains(bp))
}

/// "2,34" → 234 (hundredths).
pub fn coef_x100(s: &str) -> Option<i32> {
    let t = s.trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2 || whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: i32 = whole.parse().ok()?;
    let f: i32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    w.checked_mul(100)?.checked_add(f).filter(|v| *v <= 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_as_basis_points() {
        assert_eq!(percent_bp("25"), Some(2_500));
        assert_eq!(percent_bp("12,5 %"), Some(1_250));
        assert_eq!(percent_bp("0,05"), Some(5));
        assert_eq!(percent_bp("100"), Some(10_000));
        assert_eq!(percent_bp("101"), None);
        assert_eq!(percent_bp("1,234"), None);
        assert_eq!(percent_bp("abc"), None);
    }

    #[test]
    fn coefficients_are_read_in_hundredths() {
        assert_eq!(coef_x100("2,34"), Some(234));
        assert_eq!(coef_x100("4.98"), Some(498));
        assert_eq!(coef_x100("0,2"), Some(20));
        assert_eq!(coef_x100("3"), Some(300));
        assert_eq!(coef_x100("2,345"), None);
        assert_eq!(coef_x100("-1"), None);
        assert_eq!(coef_x100("25"), None, "above 20,00 is not a coefficient");
    }
}
