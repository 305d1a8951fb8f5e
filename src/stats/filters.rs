//! The filters every standard report takes, read from its query string: a period (a month
//! `2026-10`, a quarter `2026-Q4`, a year `2026`, or a date range `from`/`to`), a unit (with
//! its sub-units) and a fund. Pure: no HTTP, no SQL.

use crate::ui::format::{business_date, iso_day, parse_month};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

/// The raw query, as typed or linked. Unknown parameters are refused by the handler.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub fund: Option<String>,
}

/// What a period is, for its label and for the month buckets of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    Range,
    /// The default: the twelve months up to today's.
    Last12,
}

/// Filters after checking: a closed date range within 2000–2100 and at most ten years long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kind: PeriodKind,
    pub unit: Option<i32>,
    pub fund: Option<i32>,
    /// The business day the report is made on: what lies after it has not happened yet.
    pub today: NaiveDate,
}

/// The longest range a report covers (a decade of months is still a small table).
pub const MAX_DAYS: i64 = 3660;

/// First and last day of the month of `day`.
pub fn month_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (first, next.map(|n| n - Duration::days(1)).unwrap_or(first))
}

/// "2026-Q4" → (01/10/2026, 31/12/2026).
fn quarter(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (y, q) = s.split_once(['-', ' '])?;
    let q = q.strip_prefix(['Q', 'q'])?;
    if y.len() != 4 || q.len() != 1 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
    if !(1..=4).contains(&q) || !(2000..=2100).contains(&y) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(y, 3 * q - 2, 1)?;
    let last = month_bounds(NaiveDate::from_ymd_opt(y, 3 * q, 1)?).1;
    Some((first, last))
}

fn year(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s.parse().ok()?;
    if !(2000..=2100).contains(&y) {
        return None;
    }
    Some((
        NaiveDate::from_ymd_opt(y, 1, 1)?,
        NaiveDate::from_ymd_opt(y, 12, 31)?,
    ))
}

/// The twelve months up to and including today's.
pub fn last_12(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).unwrap_or(today);
    let (y, m) = (first.year(), first.month() as i32 - 11);
    let (y, m) = if m <= 0 { (y - 1, m + 12) } else { (y, m) };
    let from = NaiveDate::from_ymd_opt(y, m as u32, 1).unwrap_or(first);
    (from, month_bounds(today).1)
}

/// A filter the user got wrong: the field and the message key.
pub type FilterError = (&'static str, &'static str);

fn id_of(s: Option<&str>, field: &'static str) -> Result<Option<i32>, FilterError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or((field, "stats.err_choice")),
    }
}

impl Filters {
    pub fn parse(q: &FilterQuery, today: NaiveDate) -> Result<Filters, Vec<FilterError>> {
        let mut errors = Vec::new();
        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (from_s, to_s, period) = (text(&q.from), text(&q.to), text(&q.period));
        let mut range = None;
        if from_s.is_some() || to_s.is_some() {
            let from = from_s.as_deref().and_then(business_date);
            let to = to_s.as_deref().and_then(business_date);
            if from.is_none() {
                errors.push(("from", "stats.err_date"));
            }
            if to.is_none() {
                errors.push(("to", "stats.err_date"));
            }
            if let (Some(f), Some(t)) = (from, to) {
                if t < f {
                    errors.push(("to", "stats.err_order"));
                } else if (t - f).num_days() >= MAX_DAYS {
                    errors.push(("to", "stats.err_long"));
                } else {
                    range = Some((f, t, PeriodKind::Range));
                }
            }
        } else if let Some(p) = period.as_deref() {
            let found = parse_month(p)
                .map(|m| {
                    let (f, t) = month_bounds(m);
                    (f, t, PeriodKind::Month)
                })
                .or_else(|| quarter(p).map(|(f, t)| (f, t, PeriodKind::Quarter)))
                .or_else(|| year(p).map(|(f, t)| (f, t, PeriodKind::Year)));
            match found {
                Some(r) => range = Some(r),
                None => errors.push(("period", "stats.err_period")),
            }
        }
        let unit = id_of(q.unit.as_deref(), "unit").map_err(|e| errors.push(e));
        let fund = id_of(q.fund.as_deref(), "fund").map_err(|e| errors.push(e));
        if !errors.is_empty() {
            return Err(errors);
        }
        let (from, to, kind) = range.unwrap_or_else(|| {
            let (f, t) = last_12(today);
            (f, t, PeriodKind::Last12)
        });
        Ok(Filters {
            from,
            to,
            kind,
            unit: unit.unwrap_or(None),
            fund: fund.unwrap_or(None),
            today,
        })
    }

    /// The months the period touches, as their first days, in order.
    pub fn months(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut m = self.from.with_day(1).unwrap_or(self.from);
        while m <= self.to && out.len() < 200 {
            out.push(m);
            m = month_bounds(m).1 + Duration::days(1);
        }
        out
    }

    /// The query string that reproduces these filters (links to print, downloads, drill-down).
    pub fn query(&self) -> String {
        let mut q = match self.kind {
            PeriodKind::Month => format!("period={:04}-{:02}", self.from.year(), self.from.month()),
            PeriodKind::Quarter => {
                format!(
                    "period={}-Q{}",
                    self.from.year(),
                    self.from.month().div_ceil(3)
                )
            }
            PeriodKind::Year => format!("period={}", self.from.year()),
            PeriodKind::Range | PeriodKind::Last12 => {
                format!("from={}&to={}", iso_day(self.from), iso_day(self.to))
            }
        };
        if let Some(u) = self.unit {
            q.push_str(&format!("&unit={u}"));
        }
        if let Some(f) = self.fund {
            q.push_str(&format!("&fund={f}"));
        }
        q
    }

    /// Whether the period covers the month of `first` whole (its row then is that month's own
    /// total; see `Row::month`).
    pub fn covers_month(&self, first: NaiveDate) -> bool {
        let (from, to) = month_bounds(first);
        self.from <= from && to <= self.to
    }

    /// The same filters for another period (a trend point's drill-down to its month).
    pub fn for_month(&self, first: NaiveDate) -> Filters {
        let (from, to) = month_bounds(first);
        Filters {
            from,
            to,
            kind: PeriodKind::Month,
            ..self.clone()
        }
    }

    /// The value the period field shows back.
    pub fn period_text(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{:04}-{:02}", self.from.year(), self.from.month()),
            PeriodKind::Quarter => {
                format!("{}-Q{}", self.from.year(), self.from.month().div_ceil(3))
            }
            PeriodKind::Year => self.from.year().to_string(),
            PeriodKind::Range | PeriodKind::Last12 => String::new(),
        }
    }
}

/// `yyyy-mm` of a month's first day (the key of months in statements and periods).
pub fn month_key(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    fn q(period: &str, from: &str, to: &str) -> FilterQuery {
        let s = |v: &str| (!v.is_empty()).then(|| v.to_string());
        FilterQuery {
            period: s(period),
            from: s(from),
            to: s(to),
            ..FilterQuery::default()
        }
    }

    #[test]
    fn a_period_is_a_month_a_quarter_a_year_or_a_range() {
        let today = d(2026, 11, 30);
        let f = Filters::parse(&q("2026-10", "", ""), today).expect("month");
        assert_eq!(
            (f.from, f.to, f.kind),
            (d(2026, 10, 1), d(2026, 10, 31), PeriodKind::Month)
        );
        let f = Filters::parse(&q("2024-Q1", "", ""), today).expect("quarter");
        assert_eq!((f.from, f.to), (d(2024, 1, 1), d(2024, 3, 31)));
        let f = Filters::parse(&q("2026-q4", "", ""), today).expect("quarter");
        assert_eq!((f.from, f.to), (d(2026, 10, 1), d(2026, 12, 31)));
        let f = Filters::parse(&q("2025", "", ""), today).expect("year");
        assert_eq!(
            (f.from, f.to, f.months().len()),
            (d(2025, 1, 1), d(2025, 12, 31), 12)
        );
        let f = Filters::parse(&q("2025", "05/02/2026", "2026-03-01"), today).expect("range");
        assert_eq!(
            (f.from, f.to, f.kind),
            (d(2026, 2, 5), d(2026, 3, 1), PeriodKind::Range)
        );
        assert_eq!(f.months(), vec![d(2026, 2, 1), d(2026, 3, 1)]);
    }

    #[test]
    fn without_a_period_a_report_covers_the_last_twelve_months() {
        let f = Filters::parse(&FilterQuery::default(), d(2026, 2, 14)).expect("default");
        assert_eq!((f.from, f.to), (d(2025, 3, 1), d(2026, 2, 28)));
        assert_eq!(f.months().len(), 12);
        let f = Filters::parse(&FilterQuery::default(), d(2026, 12, 1)).expect("default");
        assert_eq!((f.from, f.to), (d(2026, 1, 1), d(2026, 12, 31)));
    }

    #[test]
    fn bad_periods_dates_and_ids_are_refused_field_by_field() {
        let today = d(2026, 11, 30);
        for p in ["2026-13", "2026-Q5", "1999", "26", "2026-Q", "abc", "+2026"] {
            assert_eq!(
                Filters::parse(&q(p, "", ""), today),
                Err(vec![("period", "stats.err_period")]),
                "{p}"
            );
        }
        assert_eq!(
            Filters::parse(&q("", "31/02/2026", "01/03/2026"), today),
            Err(vec![("from", "stats.err_date")])
        );
        assert_eq!(
            Filters::parse(&q("", "01/03/2026", "01/02/2026"), today),
            Err(vec![("to", "stats.err_order")])
        );
        assert_eq!(
            Filters::parse(&q("", "01/01/2000", "31/12/2020"), today),
            Err(vec![("to", "stats.err_long")])
        );
        let bad = FilterQuery {
            unit: Some("-3".into()),
            fund: Some("x".into()),
            ..FilterQuery::default()
        };
        assert_eq!(
            Filters::parse(&bad, today),
            Err(vec![
                ("unit", "stats.err_choice"),
                ("fund", "stats.err_choice")
            ])
        );
    }

    #[test]
    fn the_query_string_of_filters_reads_back_to_the_same_filters() {
        let today = d(2026, 11, 30);
        for (p, from, to) in [
            ("2026-10", "", ""),
            ("2026-Q2", "", ""),
            ("2025", "", ""),
            ("", "03/01/2026", "20/02/2026"),
            ("", "", ""),
        ] {
            let mut f = Filters::parse(&q(p, from, to), today).expect("valid");
            f.unit = Some(4);
            f.fund = Some(2);
            let back: FilterQuery = actix_web::web::Query::<FilterQuery>::from_query(&f.query())
                .expect("query parses")
                .into_inner();
            let again = Filters::parse(&back, today).expect("valid again");
            assert_eq!(
                (again.from, again.to, again.unit, again.fund),
                (f.from, f.to, f.unit, f.fund)
            );
        }
    }
}
