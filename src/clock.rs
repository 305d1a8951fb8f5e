//! The one source of "now". Real in production, frozen (and movable) in tests.
//! Business time is Asia/Ho_Chi_Minh, which has been a fixed UTC+07:00 since 1975.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use std::sync::{Arc, Mutex};

pub fn business_offset() -> FixedOffset {
    // 7 hours east of UTC is always a valid offset.
    FixedOffset::east_opt(7 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn real() -> Self {
        Clock { fixed: None }
    }

    /// A frozen clock for tests; `set`/`advance` move it for every clone.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock {
            fixed: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(m) => *m.lock().unwrap_or_else(|p| p.into_inner()),
            None => Utc::now(),
        }
    }

    /// UTC "now" as stored in `*_at` columns, truncated to microseconds so that
    /// SQLite and PostgreSQL hold exactly the same value.
    pub fn now_naive(&self) -> NaiveDateTime {
        truncate_micros(self.now().naive_utc())
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&business_offset()).date_naive()
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(m) = &self.fixed {
            *m.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Some(m) = &self.fixed {
            let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
            *g += by;
        }
    }
}

/// The business date (Asia/Ho_Chi_Minh) of a UTC instant.
pub fn business_date_of(t: NaiveDateTime) -> NaiveDate {
    t.and_utc().with_timezone(&business_offset()).date_naive()
}

pub fn truncate_micros(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1000 * 1000;
    t.with_nanosecond(micros).unwrap_or(t)
}

/// A UTC instant shown in business time, `dd/mm/yyyy HH:MM`.
/// Written digit by digit (`ui::format::date_minute`): the week grid shows one per day, and
/// chrono's `format` parses its pattern on every call.
pub fn local_datetime(t: NaiveDateTime) -> String {
    crate::ui::format::date_minute(t.and_utc().with_timezone(&business_offset()).naive_local())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn business_day_rolls_over_at_midnight_in_hanoi_not_utc() {
        let c = Clock::fixed(Utc.with_ymd_and_hms(2026, 3, 1, 16, 59, 59).unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        c.advance(chrono::Duration::seconds(1));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn instants_are_shown_in_hanoi_time() {
        let t = NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(local_datetime(t), "05/01/2026 09:30");
    }
}
