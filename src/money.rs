//! Money is whole đồng in i64. No floats anywhere near it.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash, serde::Serialize)]
#[serde(transparent)]
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

    /// Parses an amount as Vietnamese people write it: plain digits ("35000"), or digits grouped
    /// by threes with dots ("35.000", "1.234.567") or spaces ("35 000"), optionally followed by
    /// "₫", "đ" or "VND", optionally negative. Anything else is refused — in particular a dot
    /// that is not a thousands separator ("35.5", "3.50", "35."): dropping it would silently
    /// multiply the amount. Amounts in XML or other machine formats are parsed elsewhere.
    pub fn parse(s: &str) -> Result<Vnd, MoneyError> {
        let t = s.trim();
        let t = ["₫", "đ", "Đ", "VND", "vnd", "VNĐ"]
            .iter()
            .find_map(|suffix| t.strip_suffix(suffix))
            .unwrap_or(t)
            .trim_end();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let seps: Vec<char> = body
            .chars()
            .filter(|c| matches!(c, '.' | ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        if body
            .chars()
            .any(|c| !c.is_ascii_digit() && !seps.contains(&c))
        {
            return Err(MoneyError::Invalid);
        }
        let digits: String = if seps.is_empty() {
            body.to_string()
        } else {
            // One kind of separator, groups of exactly three after a first group of 1–3.
            let sep = seps[0];
            if seps.iter().any(|c| *c != sep) {
                return Err(MoneyError::Invalid);
            }
            let groups: Vec<&str> = body.split(sep).collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(MoneyError::Invalid);
            }
            groups.concat()
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Invalid);
        }
        let mut v: i64 = 0;
        for b in digits.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        Ok(Vnd(if neg { -v } else { v }))
    }

    /// Splits `total` into parts proportional to `weights` that always add up to `total`
    /// exactly. Rule: each part is first rounded down (toward zero); the đồng left over go one
    /// each to the parts with the largest remainders, ties to the earlier part. None when the
    /// weights are empty, negative, all zero, or the arithmetic would overflow.
    pub fn allocate(total: Vnd, weights: &[i64]) -> Option<Vec<Vnd>> {
        if weights.is_empty() || weights.iter().any(|w| *w < 0) {
            return None;
        }
        let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if sum == 0 {
            return None;
        }
        let t = i128::from(total.0).abs();
        let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
        let mut rems: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let p = t.checked_mul(i128::from(*w))?;
            parts.push(p / sum);
            rems.push((p % sum, i));
        }
        let given: i128 = parts.iter().sum();
        let left = usize::try_from(t - given).ok()?;
        rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in rems.into_iter().take(left) {
            parts[i] += 1;
        }
        let sign = if total.0 < 0 { -1 } else { 1 };
        parts
            .into_iter()
            .map(|p| i64::try_from(p * sign).ok().map(Vnd))
            .collect()
    }

    /// An amount that may be negative (a refund): "-35.000", "−35.000", "+10.000", "10000".
    pub fn parse_signed(s: &str) -> Option<Vnd> {
        let s = s.trim();
        let (neg, rest) = match s.strip_prefix(['-', '−']) {
            Some(r) => (true, r),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let v = Vnd::parse(rest.trim()).ok()?;
        Some(if neg { Vnd(-v.0) } else { v })
    }

    /// "35.000" (dot thousands, no symbol).
    pub fn grouped(self) -> String {
        let mut buf = [0u8; GROUPED_MAX];
        self.grouped_in(&mut buf).to_string()
    }

    /// "35.000" written at the end of `buf`, which it returns: amounts are shown on every
    /// page (a month's statement shows thousands), so without a `String` each.
    pub fn grouped_in(self, buf: &mut [u8; GROUPED_MAX]) -> &str {
        let mut n = self.0.unsigned_abs();
        let mut at = buf.len();
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                at -= 1;
                buf[at] = b'.';
            }
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            digits += 1;
            if n == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        // Only ASCII digits, dots and a minus were written.
        std::str::from_utf8(&buf[at..]).unwrap_or_default()
    }
}

/// What follows an amount: a no-break space and the đồng sign.
pub const SYMBOL: &str = "\u{a0}₫";

/// The longest [`Vnd::grouped_in`]: a sign, 19 digits and 6 dots.
pub const GROUPED_MAX: usize = 26;

impl From<i64> for Vnd {
    fn from(v: i64) -> Vnd {
        Vnd(v)
    }
}

impl fmt::Display for Vnd {
    /// "35.000 ₫" with a no-break space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; GROUPED_MAX];
        f.write_str(self.grouped_in(&mut buf))?;
        f.write_str(SYMBOL)
    }
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// A group of three digits in words. `full` reads "không trăm" and "linh" as accountants do
/// after a higher group ("một triệu không trăm linh năm"); the leading group omits them.
fn group_words(n: u64, full: bool, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        ((n / 10) % 10) as usize,
        (n % 10) as usize,
    );
    if h > 0 || full {
        out.push(DIGITS[h]);
        out.push("trăm");
    }
    match t {
        0 if u > 0 && (h > 0 || full) => out.push("linh"),
        0 => {}
        1 => out.push("mười"),
        _ => {
            out.push(DIGITS[t]);
            out.push("mươi");
        }
    }
    match u {
        0 => {}
        1 if t > 1 => out.push("mốt"),
        5 if t > 0 => out.push("lăm"),
        _ => out.push(DIGITS[u]),
    }
}

/// Words of a number below a billion, groups of thousands; `lead` when nothing precedes it.
fn below_billion(n: u64, lead: bool, out: &mut Vec<&'static str>) {
    let groups = [
        (n / 1_000_000, "triệu"),
        ((n / 1000) % 1000, "nghìn"),
        (n % 1000, ""),
    ];
    let mut started = !lead;
    for (g, unit) in groups {
        if g == 0 {
            continue;
        }
        group_words(g, started, out);
        if !unit.is_empty() {
            out.push(unit);
        }
        started = true;
    }
}

fn number_words(n: u64, lead: bool, out: &mut Vec<&'static str>) {
    let (hi, lo) = (n / 1_000_000_000, n % 1_000_000_000);
    if hi > 0 {
        number_words(hi, lead, out);
        out.push("tỷ");
    }
    if lo > 0 {
        below_billion(lo, lead && hi == 0, out);
    }
}

/// The amount in Vietnamese words, as written under a total ("Bằng chữ: …"): "Một triệu hai
/// trăm nghìn đồng", "Không đồng", "Âm năm nghìn đồng".
pub fn in_words(v: Vnd) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    if v.0 < 0 {
        words.push("âm");
    }
    let n = v.0.unsigned_abs();
    if n == 0 {
        words.push("không");
    } else {
        number_words(n, true, &mut words);
    }
    words.push("đồng");
    let text = words.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => text,
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
    fn a_refund_is_typed_with_a_minus() {
        assert_eq!(Vnd::parse_signed("-35.000"), Some(Vnd(-35_000)));
        assert_eq!(Vnd::parse_signed("−35.000"), Some(Vnd(-35_000)));
        assert_eq!(Vnd::parse_signed("+10.000"), Some(Vnd(10_000)));
        assert_eq!(Vnd::parse_signed("abc"), None);
    }

    #[test]
    fn typed_amounts_parse_in_the_usual_vietnamese_forms() {
        assert_eq!(Vnd::parse("35000"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35.000"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35.000 ₫"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("1.234.567"), Ok(Vnd(1_234_567)));
        assert_eq!(Vnd::parse(" 35 000 ₫ "), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35000đ"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("35.000 VND"), Ok(Vnd(35_000)));
        assert_eq!(Vnd::parse("-5.000"), Ok(Vnd(-5_000)));
        assert_eq!(Vnd::parse("0"), Ok(Vnd(0)));
        assert_eq!(Vnd::parse(""), Err(MoneyError::Empty));
        assert_eq!(Vnd::parse("35,5"), Err(MoneyError::Invalid));
        assert_eq!(Vnd::parse("abc"), Err(MoneyError::Invalid));
    }

    #[test]
    fn a_dot_that_is_not_a_thousands_separator_is_refused() {
        for s in [
            "35.5",
            "3.50",
            "35.",
            ".500",
            "35.0000",
            "3.5.000",
            "35.000 000",
            "1..000",
            "--5",
            "35 ₫ 000",
        ] {
            assert_eq!(Vnd::parse(s), Err(MoneyError::Invalid), "{s}");
        }
    }

    #[test]
    fn allocation_follows_the_documented_remainder_rule() {
        assert_eq!(
            Vnd::allocate(Vnd(100), &[1, 1, 1]),
            Some(vec![Vnd(34), Vnd(33), Vnd(33)])
        );
        assert_eq!(
            Vnd::allocate(Vnd(10), &[1, 2]),
            Some(vec![Vnd(3), Vnd(7)]),
            "3.33 and 6.67: the larger remainder gets the đồng"
        );
        assert_eq!(
            Vnd::allocate(Vnd(-100), &[1, 1, 1]),
            Some(vec![Vnd(-34), Vnd(-33), Vnd(-33)])
        );
        assert_eq!(Vnd::allocate(Vnd(5), &[0, 0]), None);
        assert_eq!(Vnd::allocate(Vnd(5), &[]), None);
        assert_eq!(Vnd::allocate(Vnd(5), &[1, -1]), None);
        assert_eq!(Vnd::allocate(Vnd(7), &[0, 3]), Some(vec![Vnd(0), Vnd(7)]));
    }

    proptest::proptest! {
        #[test]
        fn allocated_parts_always_add_up_to_the_total(
            total in -1_000_000_000_000i64..1_000_000_000_000,
            weights in proptest::collection::vec(0i64..1_000_000, 1..40),
        ) {
            match Vnd::allocate(Vnd(total), &weights) {
                None => proptest::prop_assert!(weights.iter().all(|w| *w == 0)),
                Some(parts) => {
                    proptest::prop_assert_eq!(parts.len(), weights.len());
                    proptest::prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), total);
                    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
                    for (p, w) in parts.iter().zip(&weights) {
                        // Each part is within one đồng of its exact share, with the total's sign.
                        let exact = i128::from(total) * i128::from(*w);
                        let diff = i128::from(p.0) * sum - exact;
                        proptest::prop_assert!(diff.abs() < sum, "part {} for weight {}", p.0, w);
                        proptest::prop_assert!(p.0 == 0 || (p.0 < 0) == (total < 0));
                    }
                }
            }
        }
    }

    #[test]
    fn typed_amounts_parse_round_trip_with_their_display() {
        for v in [0, 1, 999, 1_000, 35_000, 1_234_567, -5_000] {
            assert_eq!(Vnd::parse(&Vnd(v).to_string()), Ok(Vnd(v)));
            assert_eq!(Vnd::parse(&Vnd(v).grouped()), Ok(Vnd(v)));
        }
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

    #[test]
    fn amounts_read_in_vietnamese_words_as_accountants_write_them() {
        let w = |n: i64| in_words(Vnd(n));
        assert_eq!(w(0), "Không đồng");
        assert_eq!(w(1_000_005), "Một triệu không trăm linh năm đồng");
        assert_eq!(w(2_340_000), "Hai triệu ba trăm bốn mươi nghìn đồng");
        assert_eq!(w(1_200_000), "Một triệu hai trăm nghìn đồng");
        assert_eq!(w(35_000), "Ba mươi lăm nghìn đồng");
        assert_eq!(w(15), "Mười lăm đồng");
        assert_eq!(w(21), "Hai mươi mốt đồng");
        assert_eq!(w(105), "Một trăm linh năm đồng");
        assert_eq!(w(110), "Một trăm mười đồng");
        assert_eq!(w(1_005_000), "Một triệu không trăm linh năm nghìn đồng");
        assert_eq!(w(2_000_000_015), "Hai tỷ không trăm mười lăm đồng");
        assert_eq!(w(-5_000), "Âm năm nghìn đồng");
        assert!(w(i64::MIN).ends_with("đồng"));
    }
}
