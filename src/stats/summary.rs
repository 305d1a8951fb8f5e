//! The subsidy side of the statistics, per person and month: for a closed month read from the
//! summary written when it was closed (`record_month`, called by `close_month`); for an open
//! month, or the part of a month a period covers, from the month's lines. Both give the same
//! figures (tested against each other).

use super::filters::{month_bounds, month_key};
use super::store;
use crate::accounting::store::Line;
use crate::db::schema::stat_subsidy;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;

/// Meals of a person in a month (of one fund, or all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agg {
    /// Meals billed (of one fund: the meals that fund paid towards).
    pub meals: i64,
    /// Of those, subsidised.
    pub subsidised: i64,
    pub charged: i64,
    pub subsidy: i64,
    pub staff: i64,
}

impl Agg {
    pub fn add(&mut self, o: &Agg) {
        self.meals += o.meals;
        self.subsidised += o.subsidised;
        self.charged += o.charged;
        self.subsidy += o.subsidy;
        self.staff += o.staff;
    }
}

/// A person's month in one band: every fund together, and each fund.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonMonth {
    pub person: i32,
    /// The band held on the meals' days ("" none).
    pub band: String,
    pub all: Agg,
    pub funds: Vec<(i32, Agg)>,
}

impl PersonMonth {
    /// The figures of one fund, or of all.
    pub fn of(&self, fund: Option<i32>) -> Agg {
        match fund {
            None => self.all,
            Some(f) => self
                .funds
                .iter()
                .find(|x| x.0 == f)
                .map(|x| x.1)
                .unwrap_or_default(),
        }
    }
}

/// The band a person held on a day ("" = none).
pub fn band_on<'a>(held: &[&'a store::Band], day: NaiveDate) -> &'a str {
    held.iter()
        .filter(|b| b.2 <= day && b.3.is_none_or(|t| t >= day))
        .map(|b| b.1.as_str())
        .min()
        .unwrap_or("")
}

/// Lines summed per person and band.
pub fn aggregate(lines: &[Line], bands: &[store::Band]) -> Vec<PersonMonth> {
    let mut held: HashMap<i32, Vec<&store::Band>> = HashMap::new();
    for b in bands {
        held.entry(b.0).or_default().push(b);
    }
    let mut by: HashMap<(i32, &str), PersonMonth> = HashMap::new();
    for l in lines {
        let band = held.get(&l.person_id).map_or("", |h| band_on(h, l.day));
        let p = by
            .entry((l.person_id, band))
            .or_insert_with(|| PersonMonth {
                person: l.person_id,
                band: band.to_string(),
                ..PersonMonth::default()
            });
        p.all.add(&Agg {
            meals: 1,
            subsidised: i64::from(l.subsidy.0 > 0),
            charged: l.charged.0,
            subsidy: l.subsidy.0,
            staff: l.staff.0,
        });
        for (f, a) in l.by_fund.iter().filter(|x| x.1 .0 > 0) {
            let one = Agg {
                meals: 1,
                subsidised: 1,
                charged: l.charged.0,
                subsidy: a.0,
                staff: l.staff.0,
            };
            match p.funds.iter_mut().find(|x| x.0 == *f) {
                Some(x) => x.1.add(&one),
                None => p.funds.push((*f, one)),
            }
        }
    }
    let mut out: Vec<PersonMonth> = by.into_values().collect();
    out.sort_by(|a, b| (a.person, &a.band).cmp(&(b.person, &b.band)));
    for p in out.iter_mut() {
        p.funds.sort_by_key(|x| x.0);
    }
    out
}

/// Store command (part of closing a month): writes the month's summary from its lines.
pub fn record_month(conn: &mut DbConn, month: &str, lines: &[Line]) -> Result<(), AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("err.bad_query"))?;
    let (from, to) = month_bounds(first);
    let bands = store::eligibility_in(conn, from, to)?;
    // Many rows per statement (diesel's MultiConnection has no multi-row INSERT); every value
    // is a number, the checked month, or a band the database's CHECK allows, quoted.
    let text = |s: &str| format!("'{}'", s.replace('\'', "''").replace('\0', ""));
    let rows: Vec<String> = aggregate(lines, &bands)
        .into_iter()
        .flat_map(|p| {
            std::iter::once((0, p.all))
                .chain(p.funds.clone())
                .map(|(fund, a)| {
                    format!(
                        "({},{},{},{fund},{},{},{},{},{})",
                        text(month),
                        p.person,
                        text(&p.band),
                        a.meals,
                        a.subsidised,
                        a.charged,
                        a.subsidy,
                        a.staff
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for chunk in rows.chunks(500) {
        diesel::sql_query(format!(
            "INSERT INTO stat_subsidy (month, person_id, band, fund_key, meals, subsidised, \
             charged, subsidy, staff) VALUES {}",
            chunk.join(",")
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Store command (part of reopening a month): the month's summary goes with its statement.
pub fn forget_month(conn: &mut DbConn, month: &str) -> Result<(), AppError> {
    diesel::delete(stat_subsidy::table.filter(stat_subsidy::month.eq(month))).execute(conn)?;
    Ok(())
}

/// Fills the summary of months closed before it existed (run at start-up after migrations).
pub fn backfill(conn: &mut DbConn) -> Result<usize, AppError> {
    use crate::db::schema::month_closes;
    let closed: Vec<String> = month_closes::table.select(month_closes::month).load(conn)?;
    let done: Vec<String> = stat_subsidy::table
        .select(stat_subsidy::month)
        .distinct()
        .load(conn)?;
    let mut n = 0;
    for m in closed.iter().filter(|m| !done.contains(m)) {
        let lines = crate::accounting::store::stored(conn, m)?;
        if !lines.is_empty() {
            record_month(conn, m, &lines)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The stored summaries of closed months, per month (one query for them all).
fn stored_months(
    conn: &mut DbConn,
    months: &[String],
) -> Result<HashMap<String, Vec<PersonMonth>>, AppError> {
    type R = (String, i32, String, i32, i32, i32, i64, i64, i64);
    let mut rows: Vec<R> = if months.is_empty() {
        Vec::new()
    } else {
        stat_subsidy::table
            .filter(stat_subsidy::month.eq_any(months))
            .select((
                stat_subsidy::month,
                stat_subsidy::person_id,
                stat_subsidy::band,
                stat_subsidy::fund_key,
                stat_subsidy::meals,
                stat_subsidy::subsidised,
                stat_subsidy::charged,
                stat_subsidy::subsidy,
                stat_subsidy::staff,
            ))
            .load(conn)?
    };
    // Ordered here rather than by the database: the same order (bytes, not a collation) on both.
    rows.sort_unstable_by(|a, b| (&a.0, a.1, &a.2, a.3).cmp(&(&b.0, b.1, &b.2, b.3)));
    let mut out: HashMap<String, Vec<PersonMonth>> = HashMap::new();
    for (month, person, band, fund, meals, subsidised, charged, subsidy, staff) in rows {
        let a = Agg {
            meals: i64::from(meals),
            subsidised: i64::from(subsidised),
            charged,
            subsidy,
            staff,
        };
        let list = out.entry(month).or_default();
        let same = list
            .last()
            .is_some_and(|p| p.person == person && p.band == band);
        if !same {
            list.push(PersonMonth {
                person,
                band,
                ..PersonMonth::default()
            });
        }
        if let Some(p) = list.last_mut() {
            if fund == 0 {
                p.all = a;
            } else {
                p.funds.push((fund, a));
            }
        }
    }
    Ok(out)
}

/// The months (`yyyy-mm`) of these that are read from their summaries: closed, and covered
/// whole by `from..=last`.
pub fn summarised(
    conn: &mut DbConn,
    months: &[NaiveDate],
    from: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<String>, AppError> {
    let keys: Vec<String> = months
        .iter()
        .map(|m| month_key(month_bounds(*m).0))
        .collect();
    let closed = crate::accounting::store::closed_among(conn, &keys)?;
    Ok(months
        .iter()
        .zip(keys)
        .filter(|(m, k)| {
            let (first, end) = month_bounds(**m);
            closed.contains(k) && from <= first && end <= last
        })
        .map(|(_, k)| k)
        .collect())
}

/// Summarised months summed by the database, for reports that need no one's row: per month,
/// the figures of one fund (or all) and how many people had a subsidy from it. A month
/// without summary rows is left out (read it from its lines).
pub fn month_sums(
    conn: &mut DbConn,
    months: &[String],
    fund: Option<i32>,
) -> Result<HashMap<String, (Agg, i64)>, AppError> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    if months.is_empty() {
        return Ok(HashMap::new());
    }
    let fund_key = fund.unwrap_or(0);
    let sums: Vec<(String, i64, i64, i64, i64, i64)> = stat_subsidy::table
        .filter(stat_subsidy::month.eq_any(months))
        .filter(stat_subsidy::fund_key.eq(fund_key))
        .group_by(stat_subsidy::month)
        .select((
            stat_subsidy::month,
            sql::<BigInt>("CAST(SUM(meals) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(subsidised) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(charged) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(subsidy) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(staff) AS BIGINT)"),
        ))
        .load(conn)?;
    let people: HashMap<String, i64> = stat_subsidy::table
        .filter(stat_subsidy::month.eq_any(months))
        .filter(stat_subsidy::fund_key.eq(fund_key))
        .filter(stat_subsidy::subsidised.gt(0))
        .group_by(stat_subsidy::month)
        .select((
            stat_subsidy::month,
            sql::<BigInt>("COUNT(DISTINCT person_id)"),
        ))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    // A month with rows for any fund has its row of all funds: a fund that paid nothing in a
    // month is a month of zeros for it, not a month without a summary.
    let present: Vec<String> = stat_subsidy::table
        .filter(stat_subsidy::month.eq_any(months))
        .filter(stat_subsidy::fund_key.eq(0))
        .select(stat_subsidy::month)
        .distinct()
        .load(conn)?;
    let mut out: HashMap<String, (Agg, i64)> = present
        .into_iter()
        .map(|m| (m, (Agg::default(), 0)))
        .collect();
    for (month, meals, subsidised, charged, subsidy, staff) in sums {
        let n = people.get(&month).copied().unwrap_or(0);
        out.insert(
            month,
            (
                Agg {
                    meals,
                    subsidised,
                    charged,
                    subsidy,
                    staff,
                },
                n,
            ),
        );
    }
    Ok(out)
}

/// The people who had a subsidy (from one fund, or any) in summarised months.
pub fn subsidised_in(
    conn: &mut DbConn,
    months: &[String],
    fund: Option<i32>,
) -> Result<Vec<i32>, AppError> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    Ok(stat_subsidy::table
        .filter(stat_subsidy::month.eq_any(months))
        .filter(stat_subsidy::fund_key.eq(fund.unwrap_or(0)))
        .filter(stat_subsidy::subsidised.gt(0))
        .select(stat_subsidy::person_id)
        .distinct()
        .load(conn)?)
}

/// (first day of the month, its people, closed)
pub type Month = (NaiveDate, Vec<PersonMonth>, bool);

/// Every month the period touches up to `last`, summed per person: a closed month the period
/// covers whole from its summary, anything else from its lines within the period.
pub fn months(
    conn: &mut DbConn,
    months: &[NaiveDate],
    from: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Month>, AppError> {
    let bands = store::eligibility_in(conn, from, last)?;
    let keys: Vec<String> = months
        .iter()
        .map(|m| month_key(month_bounds(*m).0))
        .collect();
    let summarised = summarised(conn, months, from, last)?;
    let mut stored = stored_months(conn, &summarised)?;
    let mut out = Vec::new();
    for (m, key) in months.iter().zip(&keys) {
        let first = month_bounds(*m).0;
        if summarised.contains(key) {
            let stored = stored.remove(key).unwrap_or_default();
            if !stored.is_empty() || crate::accounting::store::stored(conn, key)?.is_empty() {
                out.push((first, stored, true));
                continue;
            }
        }
        let (mut lines, closed) = store::month_lines(conn, first)?;
        lines.retain(|l| l.day >= from && l.day <= last);
        out.push((first, aggregate(&lines, &bands), closed));
    }
    Ok(out)
}
