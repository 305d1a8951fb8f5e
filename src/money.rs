//! Money is whole đồng in i64. No floats anywhere near it.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Vnd(pub i64);

#[derive(Debug, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    Invalid,
    Overflow,
}

impl Vnd {
    pub fn checked_add(self, o: Vnd) -> Option<Vnd> {
        self.0.checked_add(o.0).map(Vnd)
    }
    pub fn checked_sub(self, o: Vnd) -> Option<Vnd> {
        self.0.checked_sub(o.0).map(Vnd)
    }
    pub fn checked_mul(self, n: i64) -> Option<Vnd> {
        self.0.checked_mul(n).map(Vnd)
    }

    /// `amount × bp / 10 000`, rounded half up to one đồng (half away from zero for negatives).
    pub fn percent_bp(self, bp: i64) -> Option<Vnd> {
        let p = (self.0 as i128).checked_mul(bp as i128)?;
        let q = p / 10_000;
        let r = p % 10_000;
        let rounded = if r.abs() * 2 >= 10_000 {
            q + p.signum()
        } else {
            q
        };
        i64::try_from(rounded).ok().map(Vnd)
    }

    /// Parses what a person types: "35000", "35.000", "35 000", "35.000 ₫", "35000đ".
    pub fn parse(s: &str) -> Result<Vnd, MoneyError> {
        let t = s
            .trim()
            .trim_end_matches(['₫', 'đ', 'Đ'])
            .trim_end_matches("VND")
            .trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let mut v: i64 = 0;
        let mut seen = false;
        for c in digits.chars() {
            match c {
                '0'..='9' => {
                    seen = true;
                    v = v
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(i64::from(c as u8 - b'0')))
                        .ok_or(MoneyError::Overflow)?;
                }
                '.' | ' ' | '\u{a0}' | '\u{202f}' => {}
                _ => return Err(MoneyError::Invalid),
            }
        }
        if !seen {
            return Err(MoneyError::Invalid);
        }
        Ok(Vnd(if neg { -v } else { v }))
    }

    /// "35.000" (dot thousands, no symbol).
    pub fn grouped(self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for Vnd {
    /// "35.000 ₫" with a no-break space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\u{a0}₫", self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_shown_with_dot_thousands_and_dong_sign() {
        assert_eq!(Vnd(35_000).to_string(), "35.000\u{a0}₫");
        assert_eq!(Vnd(0).to_string(), "0\u{a0}₫");
        assert_eq!(Vnd(1_234_567).to_string(), "1.234.567\u{a0}₫");
        assert_eq!(Vnd(-5_000).to_string(), "-5.000\u{a0}₫");
        assert_eq!(Vnd(i64::MIN).grouped(), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn typed_amounts_parse_in_the_usual_vietnamese_forms() {
        assert_eq!(Vnd::parse("35000"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35.000"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse(" 35 000 ₫ "), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35000đ"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse(""), Err(MoneyError::Empty));
        assert_eq!(Vnd::parse("35,5"), Err(MoneyError::Invalid));
        assert_eq!(Vnd::parse("abc"), Err(MoneyError::Invalid));
        assert_eq!(
            Vnd::parse("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn percentages_round_half_up_to_one_dong() {
        assert_eq!(Vnd(35_000).percent_bp(5_000), Some(Vnd(17_500)));
        assert_eq!(Vnd(1).percent_bp(5_000), Some(Vnd(1))); // 0.5 -> 1
        assert_eq!(Vnd(1).percent_bp(4_999), Some(Vnd(0)));
        assert_eq!(Vnd(-1).percent_bp(5_000), Some(Vnd(-1)));
        assert_eq!(Vnd(33_333).percent_bp(3_333), Some(Vnd(11_110))); // 11109.9889
    }

    #[test]
    fn arithmetic_overflow_is_reported_not_wrapped() {
        assert_eq!(Vnd(i64::MAX).checked_add(Vnd(1)), None);
        assert_eq!(Vnd(i64::MAX).checked_mul(2), None);
    }
}
