//! Dates and instants read from and bound to SQLite without chrono's pattern machinery.
//! diesel writes a SQLite `DATE` with `format("%F")` and reads a `TIMESTAMP` by trying up to
//! eighteen patterns with `parse_from_str`; on the My week page (its one read and the session
//! check) that was 4 % of the server's time. These read the usual shapes
//! (`2026-12-01`, `2026-12-01 07:30:00[.123456]`) digit by digit and hand anything else to
//! diesel's own conversion, so what is accepted does not change. A week submission binds a
//! date and an instant per changed day and per history row through these. On PostgreSQL (binary
//! values) they are diesel's conversions.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Date, Timestamp};
use diesel::sqlite::Sqlite;

/// A `DATE` (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Date)]
pub struct Day(pub NaiveDate);

/// A `TIMESTAMP` (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Timestamp)]
pub struct Instant(pub NaiveDateTime);

impl ToSql<Date, Sqlite> for Day {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // Written exactly as chrono's `%F` writes it (a test in `ui::format` checks).
        out.set_value(crate::ui::format::iso_day(self.0));
        Ok(IsNull::No)
    }
}

impl ToSql<Timestamp, Sqlite> for Instant {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // Written exactly as chrono's `%F %T%.f` writes it (a test in `ui::format` checks).
        out.set_value(crate::ui::format::iso_instant(self.0));
        Ok(IsNull::No)
    }
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(d) = parse_day(value.read_text().as_bytes()) {
            return Ok(Day(d));
        }
        <NaiveDate as FromSql<Date, Sqlite>>::from_sql(value).map(Day)
    }
}

impl FromSql<Timestamp, Sqlite> for Instant {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(t) = parse_instant(value.read_text().as_bytes()) {
            return Ok(Instant(t));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Instant)
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use super::*;
    use diesel::pg::Pg;

    impl ToSql<Date, Pg> for Day {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            <NaiveDate as ToSql<Date, Pg>>::to_sql(&self.0, out)
        }
    }

    impl FromSql<Date, Pg> for Day {
        fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(Day)
        }
    }

    impl ToSql<Timestamp, Pg> for Instant {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
        }
    }

    impl FromSql<Timestamp, Pg> for Instant {
        fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Instant)
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `yyyy-mm-dd`, four-digit years only.
fn parse_day(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `yyyy-mm-dd hh:mm:ss`, with an optional fraction of 1 to 9 digits.
fn parse_instant(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let day = parse_day(&b[..10])?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', f @ ..] if (1..=9).contains(&f.len()) => digits(f)? * 10u32.pow(9 - f.len() as u32),
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
        nanos,
    )?;
    Some(day.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_shapes_are_read_as_chrono_reads_them_and_others_are_left_to_it() {
        for s in [
            "2026-12-01",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "+2026-12-01",
            "2026-12-0a",
            "",
        ] {
            if let Some(d) = parse_day(s.as_bytes()) {
                assert_eq!(Some(d), NaiveDate::parse_from_str(s, "%F").ok(), "{s}");
            }
        }
        for s in ["2026-12-01", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert!(parse_day(s.as_bytes()).is_some(), "{s} on the fast path");
        }
        for s in [
            "2026-12-01 07:30:00",
            "2026-12-01 07:30:00.5",
            "2026-12-01 07:30:00.123456",
            "2026-12-01 23:59:59.999999999",
            "2026-12-01 24:00:00",
            "2026-12-01 07:30:60",
            "2026-12-01 07:30",
            "2026-12-01T07:30:00",
            "2026-12-01 07:30:00.",
            "2026-12-01 07:30:00.1234567890",
            "2026-12-01 07:30:00+07:00",
        ] {
            let chrono = NaiveDateTime::parse_from_str(s, "%F %T%.f").ok();
            if let Some(t) = parse_instant(s.as_bytes()) {
                assert_eq!(Some(t), chrono, "{s}");
            }
        }
        // What the app writes is always read on the fast path.
        let t = NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_micro_opt(7, 30, 5, 120_000))
            .expect("instant");
        let written = t.format("%F %T%.f").to_string();
        assert_eq!(parse_instant(written.as_bytes()), Some(t));
        assert_eq!(
            parse_instant(b"2026-12-01 07:30:05"),
            chrono::Timelike::with_nanosecond(&t, 0)
        );
    }
}
