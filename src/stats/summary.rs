//! The subsidy side of the statistics, per person and month: for a closed month read from the
//! summary written when it was closed (`record_month`, called by `close_month`); for an open
//! month, or the part of a month a period covers, from the month's lines. Both give the same
//! figures (tested against each other).

use super::filters::{month_bounds, month_key};
use super::store;
use crate::accounting::store::Line;
use crate::db::schema::{stat_subsidy, stat_subsidy_months};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    // One lookup per line: the person's decisions and their months so far (one per band held,
    // nearly always one).
    #[derive(Default)]
    struct Of<'a> {
        held: Vec<&'a store::Band>,
        months: Vec<PersonMonth>,
    }
    let mut by: HashMap<i32, Of> = HashMap::new();
    for b in bands {
        by.entry(b.0).or_default().held.push(b);
    }
    for l in lines {
        let of = by.entry(l.person_id).or_default();
        let band = band_on(&of.held, l.day);
        let p = match of.months.iter().position(|p| p.band == band) {
            Some(i) => &mut of.months[i],
            None => {
                of.months.push(PersonMonth {
                    person: l.person_id,
                    band: band.to_string(),
                    ..PersonMonth::default()
                });
                let last = of.months.len() - 1;
                &mut of.months[last]
            }
        };
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
    let mut out: Vec<PersonMonth> = by.into_values().flat_map(|o| o.months).collect();
    out.sort_unstable_by(|a, b| (a.person, &a.band).cmp(&(b.person, &b.band)));
    for p in out.iter_mut() {
        p.funds.sort_by_key(|x| x.0);
    }
    out
}

/// A month's totals per fund (0: all funds) and how many people had a subsidy from it (each
/// once, whatever bands they held).
pub fn fund_totals(people: &[PersonMonth]) -> BTreeMap<i32, (Agg, i64)> {
    let mut out: BTreeMap<i32, (Agg, HashSet<i32>)> = BTreeMap::new();
    for p in people {
        for (fund, a) in std::iter::once((0, p.all)).chain(p.funds.iter().copied()) {
            let t = out.entry(fund).or_default();
            t.0.add(&a);
            if a.subsidised > 0 {
                t.1.insert(p.person);
            }
        }
    }
    out.into_iter()
        .map(|(f, (a, who))| (f, (a, who.len() as i64)))
        .collect()
}

/// Store command (part of closing a month): writes the month's summary from its lines — per
/// person and band (`stat_subsidy`) and per fund (`stat_subsidy_months`).
pub fn record_month(conn: &mut DbConn, month: &str, lines: &[Line]) -> Result<(), AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("err.bad_query"))?;
    let (from, to) = month_bounds(first);
    let bands = store::eligibility_in(conn, from, to)?;
    let people = aggregate(lines, &bands);
    // Many rows per statement (diesel's MultiConnection has no multi-row INSERT); every value
    // is a number, the checked month, or a band the database's CHECK allows, quoted.
    let text = |s: &str| format!("'{}'", s.replace('\'', "''").replace('\0', ""));
    let rows: Vec<String> = people
        .iter()
        .flat_map(|p| {
            std::iter::once((0, p.all))
                .chain(p.funds.iter().copied())
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
    for (fund, (a, n)) in fund_totals(&people) {
        diesel::insert_into(stat_subsidy_months::table)
            .values((
                stat_subsidy_months::month.eq(month),
                stat_subsidy_months::fund_key.eq(fund),
                stat_subsidy_months::meals.eq(a.meals),
                stat_subsidy_months::subsidised.eq(a.subsidised),
                stat_subsidy_months::charged.eq(a.charged),
                stat_subsidy_months::subsidy.eq(a.subsidy),
                stat_subsidy_months::staff.eq(a.staff),
                stat_subsidy_months::people.eq(n),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Store command (part of reopening a month): the month's summary goes with its statement.
pub fn forget_month(conn: &mut DbConn, month: &str) -> Result<(), AppError> {
    diesel::delete(stat_subsidy::table.filter(stat_subsidy::month.eq(month))).execute(conn)?;
    diesel::delete(stat_subsidy_months::table.filter(stat_subsidy_months::month.eq(month)))
        .execute(conn)?;
    Ok(())
}

/// Fills the summary of months closed before it existed, or missing either of its tables
/// (run at start-up after migrations).
pub fn backfill(conn: &mut DbConn) -> Result<usize, AppError> {
    use crate::db::schema::month_closes;
    let closed: Vec<String> = month_closes::table.select(month_closes::month).load(conn)?;
    let people: HashSet<String> = stat_subsidy::table
        .select(stat_subsidy::month)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let totals: HashSet<String> = stat_subsidy_months::table
        .filter(stat_subsidy_months::fund_key.eq(0))
        .select(stat_subsidy_months::month)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut n = 0;
    for m in closed
        .iter()
        .filter(|m| !people.contains(*m) || !totals.contains(*m))
    {
        let lines = crate::accounting::store::stored(conn, m)?;
        if !lines.is_empty() {
            forget_month(conn, m)?;
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

/// Summarised months' totals, for reports that need no one's row: per month, the figures of
/// one fund (or all) and how many people had a subsidy from it, as stored when the month was
/// closed. A month without its totals is left out (read it from its people).
pub fn month_sums(
    conn: &mut DbConn,
    months: &[String],
    fund: Option<i32>,
) -> Result<HashMap<String, (Agg, i64)>, AppError> {
    if months.is_empty() {
        return Ok(HashMap::new());
    }
    let fund_key = fund.unwrap_or(0);
    type R = (String, i32, i64, i64, i64, i64, i64, i64);
    let rows: Vec<R> = stat_subsidy_months::table
        .filter(stat_subsidy_months::month.eq_any(months))
        .filter(stat_subsidy_months::fund_key.eq_any([0, fund_key]))
        .select((
            stat_subsidy_months::month,
            stat_subsidy_months::fund_key,
            stat_subsidy_months::meals,
            stat_subsidy_months::subsidised,
            stat_subsidy_months::charged,
            stat_subsidy_months::subsidy,
            stat_subsidy_months::staff,
            stat_subsidy_months::people,
        ))
        .load(conn)?;
    // A month with its row of all funds is summarised; a fund that paid nothing in it is a
    // month of zeros for that fund, not a month without a summary.
    let mut out: HashMap<String, (Agg, i64)> = rows
        .iter()
        .filter(|r| r.1 == 0)
        .map(|r| (r.0.clone(), (Agg::default(), 0)))
        .collect();
    for (month, key, meals, subsidised, charged, subsidy, staff, people) in rows {
        if key != fund_key {
            continue;
        }
        if let Some(x) = out.get_mut(&month) {
            *x = (
                Agg {
                    meals,
                    subsidised,
                    charged,
                    subsidy,
                    staff,
                },
                people,
            );
        }
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
