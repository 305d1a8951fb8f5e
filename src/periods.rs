//! Accounting months: open → closed → signed. `ensure_open` is the kernel guard every dated
//! write that money depends on calls first, inside its transaction; it lives here, in the
//! kernel, so that canteen and accounting do not depend on each other. A month without a row
//! is open — unless a later month is closed or signed: books close in order, so a closed
//! month closes every month before it too (a voucher dated last year would otherwise change
//! this year's opening balance after its months were closed). (Closing and signing months is
//! the accounting feature's work.)

use crate::db::schema::periods;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

/// "2026-11" for any day of November 2026.
pub fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// Refuses (with a message for the user) when `day`'s month, or a later one, is closed or
/// signed.
pub fn ensure_open(conn: &mut DbConn, day: NaiveDate) -> Result<(), AppError> {
    let closed: Option<String> = periods::table
        .filter(periods::month.ge(month_key(day)))
        .filter(periods::state.ne("open"))
        .select(periods::month)
        .first(conn)
        .optional()?;
    match closed {
        None => Ok(()),
        Some(_) => Err(AppError::BadRequest("period.err_closed")),
    }
}

/// The first day a dated write may touch: the day after the latest closed or signed month
/// (None: no month is closed). Books close in order, so every day before it is held.
pub fn first_open_day(conn: &mut DbConn) -> Result<Option<NaiveDate>, AppError> {
    let latest: Option<String> = periods::table
        .filter(periods::state.ne("open"))
        .select(diesel::dsl::max(periods::month))
        .first(conn)?;
    Ok(latest
        .and_then(|m| crate::ui::format::parse_month(&m))
        .and_then(|first| first.checked_add_months(chrono::Months::new(1))))
}

/// The state of `day`'s month: None (no row: open), "open", "closed" or "signed".
pub fn state_of(conn: &mut DbConn, day: NaiveDate) -> Result<Option<String>, AppError> {
    Ok(periods::table
        .find(month_key(day))
        .select(periods::state)
        .get_result(conn)
        .optional()?)
}

/// Proof that every month of `from..=to` was found open in this transaction: a write path
/// that changes many days checks them once (one query) and hands this to each change, which
/// then need not ask again.
#[derive(Clone, Copy, Debug)]
pub struct OpenRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl OpenRange {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
    /// `from..=to`, given how many months from `from`'s on are closed (read by the caller
    /// with its other rows, as `ensure_open_range` reads it).
    pub fn checked(from: NaiveDate, to: NaiveDate, closed: i64) -> Result<OpenRange, AppError> {
        if closed > 0 {
            return Err(AppError::BadRequest("period.err_closed"));
        }
        Ok(OpenRange { from, to })
    }
}

/// Like `ensure_open` for every day of `from..=to`, in one query: the range is open when no
/// month from `from`'s on is closed.
pub fn ensure_open_range(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<OpenRange, AppError> {
    let closed: i64 = periods::table
        .filter(periods::month.ge(month_key(from)))
        .filter(periods::state.ne("open"))
        .count()
        .get_result(conn)?;
    OpenRange::checked(from, to, closed)
}

/// `ensure_open`, unless `checked` already covers the day.
pub fn ensure_open_within(
    conn: &mut DbConn,
    day: NaiveDate,
    checked: Option<&OpenRange>,
) -> Result<(), AppError> {
    match checked {
        Some(r) if r.covers(day) => Ok(()),
        _ => ensure_open(conn, day),
    }
}

/// What ending a dated row (a decision, a policy, a contract) on `to` may do: end it earlier
/// than it ends now, not before it starts, with a reason, when the days it stops covering lie
/// in open months.
pub fn ensure_can_end(
    conn: &mut DbConn,
    from: NaiveDate,
    old_to: Option<NaiveDate>,
    to: NaiveDate,
    reason: &str,
) -> Result<(), AppError> {
    if reason.trim().is_empty() || reason.chars().count() > 300 {
        return Err(AppError::BadRequest("elig.err_end_reason"));
    }
    if to < from {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    if old_to.is_some_and(|t| to >= t) {
        return Err(AppError::BadRequest("elig.err_end_later"));
    }
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(to);
    ensure_open_range(conn, to + chrono::Duration::days(1), old_to.unwrap_or(far))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_belongs_to_its_calendar_month() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
        assert_eq!(super::month_key(d), "2026-01");
    }
}
