//! Pure rules of the food-safety records: what a sample must weigh, how cold it is kept, when
//! it may be discarded, when a certificate warns or blocks, and what makes a day incomplete.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Decision 1246/QĐ-BYT: at least 100 g of a solid dish, 150 ml of a liquid one.
pub const MIN_SOLID_G: i32 = 100;
pub const MIN_LIQUID_ML: i32 = 150;
/// Samples are kept at 2–8 °C (tenths of a degree).
pub const STORAGE_MIN_DT: i32 = 20;
pub const STORAGE_MAX_DT: i32 = 80;
/// At least 24 hours, by default exactly that; the office may keep them longer.
pub const KEEP_HOURS_MIN: i64 = 24;
pub const KEEP_HOURS_MAX: i64 = 168;
/// A certificate warns this many days before it expires.
pub const CERT_WARN_DAYS: i64 = 30;

pub fn min_sample(liquid: bool) -> i32 {
    if liquid {
        MIN_LIQUID_ML
    } else {
        MIN_SOLID_G
    }
}

/// A temperature as typed ("4", "4,5", "-18.0") in tenths of a degree, within −50…100 °C.
pub fn parse_temperature(s: &str) -> Option<i32> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() || s.len() > 6 {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.as_str()),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty()
        || frac.len() > 1
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: i32 = whole.parse().ok()?;
    let f: i32 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let v = w.checked_mul(10)?.checked_add(f)?;
    let v = if neg { -v } else { v };
    (-500..=1000).contains(&v).then_some(v)
}

/// Tenths of a degree as shown: "4,5 °C".
pub fn show_temperature(dt: i32) -> String {
    let sign = if dt < 0 { "-" } else { "" };
    let a = dt.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{sign}{} °C", a / 10)
    } else {
        format!("{sign}{},{} °C", a / 10, a % 10)
    }
}

/// A quantity as typed on a delivery, the Vietnamese way: a comma before decimals, dots between
/// thousands ("12", "2,5", "1.250,75"); positive, at most three decimals and below a million.
/// A dot that is not a thousands separator ("2.5") is refused rather than guessed. Returned in
/// the shape it is shown ("1250,75").
pub fn parse_quantity(s: &str) -> Option<String> {
    let t = s.trim();
    let (int_part, frac) = match t.split_once(',') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    let whole: String = if int_part.contains('.') {
        let groups: Vec<&str> = int_part.split('.').collect();
        if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        groups.concat()
    } else {
        int_part.to_string()
    };
    if whole.is_empty()
        || whole.len() > 6
        || frac.len() > 3
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: u32 = whole.parse().ok()?;
    let frac = frac.trim_end_matches('0');
    if w == 0 && frac.is_empty() {
        return None;
    }
    Some(if frac.is_empty() {
        w.to_string()
    } else {
        format!("{w},{frac}")
    })
}

/// "HH:MM" (24 h) on a business day, as the UTC instant it is stored as.
pub fn time_on(day: NaiveDate, s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.len() != 5 {
        return None;
    }
    let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
    Some(day.and_time(t) - Duration::hours(7))
}

/// The "HH:MM" a stored instant shows in Hà Nội.
pub fn local_hm(at: NaiveDateTime) -> String {
    (at + Duration::hours(7)).format("%H:%M").to_string()
}

/// When a sample taken at `taken_at` may be discarded.
pub fn discard_from(taken_at: NaiveDateTime, keep_hours: i64) -> NaiveDateTime {
    taken_at + Duration::hours(keep_hours.clamp(KEEP_HOURS_MIN, KEEP_HOURS_MAX))
}

/// Whether a supplier's certificates cover a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// No certificate recorded at all.
    Missing,
    /// The latest one ran out before the day.
    Expired(NaiveDate),
    /// Valid on the day, but it runs out within 30 days of it.
    ExpiringSoon(NaiveDate),
    Valid(NaiveDate),
}

impl CertStatus {
    /// Deliveries are refused unless a certificate covers the day.
    pub fn blocks(self) -> bool {
        matches!(self, CertStatus::Missing | CertStatus::Expired(_))
    }
}

/// The status on `day` given the end dates of a supplier's certificates.
pub fn cert_status(valid_until: &[NaiveDate], day: NaiveDate) -> CertStatus {
    match valid_until.iter().max() {
        None => CertStatus::Missing,
        Some(&u) if u < day => CertStatus::Expired(u),
        Some(&u) if u - day <= Duration::days(CERT_WARN_DAYS) => CertStatus::ExpiringSoon(u),
        Some(&u) => CertStatus::Valid(u),
    }
}

/// One dish of a day with what its records say: step 2, step 3, sample (None = missing,
/// Some(false) = recorded but failed).
#[derive(Clone, Debug, Default)]
pub struct DishState {
    pub dish_id: i32,
    pub name: String,
    pub prep: Option<bool>,
    pub serve: Option<bool>,
    pub sample: bool,
}

impl DishState {
    /// Step 3 recorded and passed: the dish may be served.
    pub fn cleared_to_serve(&self) -> bool {
        self.serve == Some(true)
    }
}

/// What is missing or wrong on a day, in the order the kitchen meets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    NoDelivery,
    DeliveryFailed(usize),
    NoPrep(String),
    PrepFailed(String),
    NoServe(String),
    ServeFailed(String),
    NoSample(String),
}

impl Gap {
    pub fn key(&self) -> &'static str {
        match self {
            Gap::NoDelivery => "fs.gap_no_delivery",
            Gap::DeliveryFailed(_) => "fs.gap_delivery_failed",
            Gap::NoPrep(_) => "fs.gap_no_prep",
            Gap::PrepFailed(_) => "fs.gap_prep_failed",
            Gap::NoServe(_) => "fs.gap_no_serve",
            Gap::ServeFailed(_) => "fs.gap_serve_failed",
            Gap::NoSample(_) => "fs.gap_no_sample",
        }
    }
    /// The dish (or count) the gap names, for the text's `{}`.
    pub fn arg(&self) -> String {
        match self {
            Gap::NoDelivery => String::new(),
            Gap::DeliveryFailed(n) => n.to_string(),
            Gap::NoPrep(d)
            | Gap::PrepFailed(d)
            | Gap::NoServe(d)
            | Gap::ServeFailed(d)
            | Gap::NoSample(d) => d.clone(),
        }
    }
}

/// The gaps of a day with dishes on its menu: no step-1 delivery at all, failed deliveries
/// (goods refused: recorded, not a gap in the records but worth seeing), and per dish a
/// missing or failed step 2 or 3 and a missing sample. A day without dishes has none.
pub fn gaps(dishes: &[DishState], deliveries: usize, failed_deliveries: usize) -> Vec<Gap> {
    let mut out = Vec::new();
    if dishes.is_empty() {
        return out;
    }
    if deliveries == 0 {
        out.push(Gap::NoDelivery);
    }
    if failed_deliveries > 0 {
        out.push(Gap::DeliveryFailed(failed_deliveries));
    }
    for d in dishes {
        match d.prep {
            None => out.push(Gap::NoPrep(d.name.clone())),
            Some(false) => out.push(Gap::PrepFailed(d.name.clone())),
            Some(true) => {}
        }
        match d.serve {
            None => out.push(Gap::NoServe(d.name.clone())),
            Some(false) => out.push(Gap::ServeFailed(d.name.clone())),
            Some(true) => {}
        }
        if !d.sample {
            out.push(Gap::NoSample(d.name.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn samples_need_100_grams_solid_and_150_millilitres_liquid() {
        assert_eq!(min_sample(false), 100);
        assert_eq!(min_sample(true), 150);
    }

    #[test]
    fn temperatures_read_with_a_comma_or_a_dot_in_tenths() {
        assert_eq!(parse_temperature("4"), Some(40));
        assert_eq!(parse_temperature("4,5"), Some(45));
        assert_eq!(parse_temperature(" -18.0 "), Some(-180));
        assert_eq!(parse_temperature("4,55"), None);
        assert_eq!(parse_temperature("abc"), None);
        assert_eq!(parse_temperature("101"), None);
        assert_eq!(parse_temperature(""), None);
        assert_eq!(show_temperature(45), "4,5 °C");
        assert_eq!(show_temperature(-180), "-18 °C");
    }

    #[test]
    fn quantities_are_positive_with_at_most_three_decimals() {
        assert_eq!(parse_quantity("12").as_deref(), Some("12"));
        assert_eq!(parse_quantity("2,50").as_deref(), Some("2,5"));
        assert_eq!(
            parse_quantity("1.000").as_deref(),
            Some("1000"),
            "a thousand, as written here"
        );
        assert_eq!(parse_quantity("1.250,75").as_deref(), Some("1250,75"));
        assert_eq!(
            parse_quantity("2.5"),
            None,
            "ambiguous: refused, not guessed"
        );
        assert_eq!(parse_quantity("999.999.999"), None);
        assert_eq!(parse_quantity("0,750").as_deref(), Some("0,75"));
        assert_eq!(parse_quantity("0"), None);
        assert_eq!(parse_quantity("-1"), None);
        assert_eq!(parse_quantity("1,2345"), None);
        assert_eq!(parse_quantity("1e3"), None);
    }

    #[test]
    fn times_are_hanoi_clock_times_stored_in_utc() {
        let t = time_on(d(2026, 11, 27), "10:30").expect("time");
        assert_eq!(t, d(2026, 11, 27).and_hms_opt(3, 30, 0).expect("t"));
        assert_eq!(local_hm(t), "10:30");
        assert_eq!(time_on(d(2026, 11, 27), "25:00"), None);
        assert_eq!(time_on(d(2026, 11, 27), "9:00"), None);
    }

    #[test]
    fn a_sample_may_be_discarded_after_at_least_24_hours() {
        let t = d(2026, 11, 27).and_hms_opt(4, 0, 0).expect("t");
        assert_eq!(discard_from(t, 24), t + Duration::hours(24));
        assert_eq!(discard_from(t, 2), t + Duration::hours(24));
        assert_eq!(discard_from(t, 48), t + Duration::hours(48));
    }

    #[test]
    fn a_certificate_warns_30_days_ahead_and_blocks_once_expired() {
        let day = d(2026, 11, 27);
        assert_eq!(cert_status(&[], day), CertStatus::Missing);
        assert!(cert_status(&[], day).blocks());
        assert_eq!(
            cert_status(&[d(2026, 11, 26)], day),
            CertStatus::Expired(d(2026, 11, 26))
        );
        assert!(cert_status(&[d(2026, 11, 26)], day).blocks());
        assert_eq!(
            cert_status(&[d(2026, 11, 26), d(2026, 12, 27)], day),
            CertStatus::ExpiringSoon(d(2026, 12, 27))
        );
        assert!(!cert_status(&[d(2026, 11, 27)], day).blocks());
        assert_eq!(
            cert_status(&[d(2026, 12, 28)], day),
            CertStatus::Valid(d(2026, 12, 28))
        );
    }

    #[test]
    fn a_day_is_complete_only_with_a_delivery_both_checks_and_a_sample_per_dish() {
        let full = DishState {
            dish_id: 1,
            name: "Canh chua".into(),
            prep: Some(true),
            serve: Some(true),
            sample: true,
        };
        assert!(gaps(std::slice::from_ref(&full), 1, 0).is_empty());
        assert!(gaps(&[], 0, 0).is_empty(), "no menu, nothing to check");
        let half = DishState {
            dish_id: 2,
            name: "Gà kho".into(),
            prep: Some(false),
            serve: None,
            sample: false,
        };
        assert_eq!(
            gaps(std::slice::from_ref(&full), 2, 1),
            vec![Gap::DeliveryFailed(1)]
        );
        assert_eq!(
            gaps(&[full, half], 0, 0),
            vec![
                Gap::NoDelivery,
                Gap::PrepFailed("Gà kho".into()),
                Gap::NoServe("Gà kho".into()),
                Gap::NoSample("Gà kho".into()),
            ]
        );
    }
}
