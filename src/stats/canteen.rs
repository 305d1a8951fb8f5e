//! Canteen reports: meals (trend), participation by unit, waste, ratings.

use super::catalogue::MonthTotals;
use super::filters::{Filters, PeriodKind};
use super::store;
use super::table::{col, mean_tenths, month_totals, rate_bp, Cell, Column, Kind, Out, Row};
use crate::canteen::ordering::{CANCELLED, NO_SHOW, SERVED};
use crate::db::DbConn;
use crate::error::AppError;
use crate::ui::format::date;
use chrono::{Datelike, NaiveDate};

/// The units a unit filter covers (the unit and everything below it); None = every unit.
pub fn unit_scope(conn: &mut DbConn, f: &Filters) -> Result<Option<Vec<i32>>, AppError> {
    let Some(unit) = f.unit else { return Ok(None) };
    let all: Vec<(i32, Option<i32>)> = crate::people::store::all_units(conn)?
        .into_iter()
        .map(|u| (u.id, u.parent_id))
        .collect();
    if !all.iter().any(|(id, _)| *id == unit) {
        return Ok(Some(Vec::new()));
    }
    Ok(Some(crate::people::rules::unit_and_below(&all, unit)))
}

pub fn in_scope(scope: &Option<Vec<i32>>, unit: Option<i32>) -> bool {
    match scope {
        None => true,
        Some(s) => unit.is_some_and(|u| s.contains(&u)),
    }
}

/// The row a day falls in: the day itself when the period is one month, else its month.
fn bucket(f: &Filters, day: NaiveDate) -> NaiveDate {
    if f.kind == PeriodKind::Month {
        day
    } else {
        day.with_day(1).unwrap_or(day)
    }
}

fn bucket_label(f: &Filters, b: NaiveDate) -> String {
    if f.kind == PeriodKind::Month {
        date(b)
    } else {
        format!("{:02}/{}", b.month(), b.year())
    }
}

/// The rows of a trend: every month of the period, or the days with figures in a month.
fn buckets(f: &Filters, days: impl Iterator<Item = NaiveDate>) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = if f.kind == PeriodKind::Month {
        days.collect()
    } else {
        f.months()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// A month row drills down to the same report for that month (by day).
fn drill(f: &Filters, id: &str, b: NaiveDate) -> Option<String> {
    (f.kind != PeriodKind::Month).then(|| format!("/reports/{id}?{}", f.for_month(b).query()))
}

pub const MEALS: &[Column] = &[
    col("stats.c.period", "stats.d.period", Kind::Text),
    col("stats.c.ordered", "stats.d.ordered", Kind::Count),
    col("stats.c.served", "stats.d.served", Kind::Count),
    col("stats.c.walk_ins", "stats.d.walk_ins", Kind::Count),
    col("stats.c.meals_eaten", "stats.d.meals_eaten", Kind::Count),
    col("stats.c.guests", "stats.d.guests", Kind::Count),
    col("stats.c.no_shows", "stats.d.no_shows", Kind::Count),
    col(
        "stats.c.no_show_rate",
        "stats.d.no_show_rate",
        Kind::Percent,
    ),
    col("stats.c.veg_share", "stats.d.veg_share", Kind::Percent),
];

#[derive(Default, Clone, Copy)]
struct MealSums {
    ordered: i64,
    served: i64,
    walk_ins: i64,
    guests: i64,
    no_shows: i64,
    veg: i64,
}

impl MealSums {
    fn eaten(&self) -> i64 {
        self.served + self.walk_ins
    }
    fn add(&mut self, o: &MealSums) {
        self.ordered += o.ordered;
        self.served += o.served;
        self.walk_ins += o.walk_ins;
        self.guests += o.guests;
        self.no_shows += o.no_shows;
        self.veg += o.veg;
    }
    fn cells(&self, label: String) -> Vec<Cell> {
        vec![
            Cell::Text(label),
            Cell::Num(self.ordered),
            Cell::Num(self.served),
            Cell::Num(self.walk_ins),
            Cell::Num(self.eaten()),
            Cell::Num(self.guests),
            Cell::Num(self.no_shows),
            rate_bp(self.no_shows, self.served + self.no_shows),
            rate_bp(self.veg, self.eaten()),
        ]
    }
}

pub fn meals_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    Ok(month_totals(meals(conn, f)?))
}

pub fn meals(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let scope = unit_scope(conn, f)?;
    let counts = store::meal_counts(conn, f.from, f.to)?;
    let walked = store::walk_in_counts(conn, f.from, f.to)?;
    let guests = store::guest_counts(conn, f.from, f.to)?;
    let days = counts
        .iter()
        .map(|c| c.day)
        .chain(walked.iter().map(|w| w.0))
        .chain(guests.iter().map(|g| g.0));
    let keys = buckets(f, days.map(|d| bucket(f, d)));
    let mut sums = vec![MealSums::default(); keys.len()];
    let at = |d: NaiveDate| keys.binary_search(&bucket(f, d)).ok();
    for c in counts.iter().filter(|c| in_scope(&scope, c.unit)) {
        let Some(i) = at(c.day) else { continue };
        let s = &mut sums[i];
        if c.status != CANCELLED {
            s.ordered += c.n;
        }
        if c.status == SERVED {
            s.served += c.n;
            if c.vegetarian {
                s.veg += c.n;
            }
        }
        if c.status == NO_SHOW {
            s.no_shows += c.n;
        }
    }
    for (day, unit, veg, n) in walked.iter().filter(|w| in_scope(&scope, w.1)) {
        let _ = unit;
        if let Some(i) = at(*day) {
            sums[i].walk_ins += n;
            if *veg {
                sums[i].veg += n;
            }
        }
    }
    for (day, _, n) in guests.iter().filter(|g| in_scope(&scope, g.1)) {
        if let Some(i) = at(*day) {
            sums[i].guests += n;
        }
    }
    let mut total = MealSums::default();
    let rows = keys
        .iter()
        .zip(&sums)
        .map(|(k, s)| {
            total.add(s);
            let row = Row::new(s.cells(bucket_label(f, *k)));
            match drill(f, "canteen-meals", *k) {
                Some(l) => row.link(l).month(*k, f.covers_month(*k)),
                None => row,
            }
        })
        .collect();
    Ok(Out {
        columns: MEALS,
        rows,
        total: Some(Row::new(total.cells(String::new()))),
        notes: vec![],
        chart: Some(4),
    })
}

pub const PARTICIPATION: &[Column] = &[
    col("stats.c.unit", "stats.d.unit", Kind::Text),
    col("stats.c.staff", "stats.d.staff", Kind::Count),
    col("stats.c.eaters", "stats.d.eaters", Kind::Count),
    col(
        "stats.c.participation",
        "stats.d.participation",
        Kind::Percent,
    ),
];

/// The rows participation counts: each unit in scope (code — name), and no unit when no
/// unit is chosen.
fn participation_keys(
    conn: &mut DbConn,
    f: &Filters,
) -> Result<Vec<(Option<i32>, String)>, AppError> {
    let scope = unit_scope(conn, f)?;
    let mut units = crate::people::store::all_units(conn)?;
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let mut keys: Vec<(Option<i32>, String)> = units
        .iter()
        .filter(|u| in_scope(&scope, Some(u.id)))
        .map(|u| (Some(u.id), format!("{} — {}", u.code, u.name)))
        .collect();
    if scope.is_none() {
        keys.push((None, String::new()));
    }
    Ok(keys)
}

fn count_of(list: &[(Option<i32>, i64)], u: Option<i32>) -> i64 {
    list.iter().filter(|(x, _)| *x == u).map(|(_, n)| n).sum()
}

fn participation_total(ts: i64, te: i64) -> Row {
    Row::new(vec![
        Cell::Text(String::new()),
        Cell::Num(ts),
        Cell::Num(te),
        rate_bp(te, ts),
    ])
}

pub fn participation(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let keys = participation_keys(conn, f)?;
    let staff = store::working_staff(conn, f.from)?;
    let eaters = store::eaters(conn, f.from, f.to)?;
    let (mut ts, mut te) = (0, 0);
    let mut rows = Vec::new();
    for (u, label) in keys {
        let (s, e) = (count_of(&staff, u), count_of(&eaters, u));
        if s == 0 && e == 0 {
            continue;
        }
        ts += s;
        te += e;
        let label = if u.is_none() {
            Cell::Text("—".into())
        } else {
            Cell::Text(label)
        };
        rows.push(Row::new(vec![
            label,
            Cell::Num(s),
            Cell::Num(e),
            rate_bp(e, s),
        ]));
    }
    Ok(Out {
        columns: PARTICIPATION,
        rows,
        total: Some(participation_total(ts, te)),
        notes: vec![],
        chart: None,
    })
}

/// Participation of each whole month, counted together: staff working in the month, per unit,
/// from one read of the staff; eaters per month and unit in one query of their summary.
pub fn participation_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    let keys = participation_keys(conn, f)?;
    let whole: Vec<NaiveDate> = f
        .months()
        .into_iter()
        .filter(|m| f.covers_month(*m))
        .collect();
    let Some(first) = whole.first() else {
        return Ok(MonthTotals {
            columns: PARTICIPATION,
            months: Vec::new(),
        });
    };
    let staff = store::staff_since(conn, *first)?;
    let eaters = store::eaters_of_months(
        conn,
        &whole
            .iter()
            .map(|m| super::filters::month_key(*m))
            .collect::<Vec<_>>(),
    )?;
    let months = whole
        .iter()
        .map(|m| {
            let key = super::filters::month_key(*m);
            let working =
                store::per_unit(staff.iter().filter(|s| store::on_books(s, *m)).map(|s| s.0));
            let ate: Vec<(Option<i32>, i64)> = eaters
                .iter()
                .filter(|e| e.0 == key)
                .map(|e| (e.1, e.2))
                .collect();
            let (ts, te) = keys.iter().fold((0, 0), |(ts, te), (u, _)| {
                (ts + count_of(&working, *u), te + count_of(&ate, *u))
            });
            (*m, participation_total(ts, te))
        })
        .collect();
    Ok(MonthTotals {
        columns: PARTICIPATION,
        months,
    })
}

pub const WASTE: &[Column] = &[
    col("stats.c.period", "stats.d.period", Kind::Text),
    col("stats.c.days_logged", "stats.d.days_logged", Kind::Count),
    col("stats.c.prepared", "stats.d.prepared", Kind::Count),
    col("stats.c.leftover", "stats.d.leftover", Kind::Count),
    col("stats.c.waste_rate", "stats.d.waste_rate", Kind::Percent),
];

pub fn waste_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    Ok(month_totals(waste(conn, f)?))
}

pub fn waste(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let logged = store::waste(conn, f.from, f.to)?;
    let keys = buckets(f, logged.iter().map(|w| bucket(f, w.0)));
    let mut sums = vec![(0i64, 0i64, 0i64); keys.len()];
    for (d, p, l) in &logged {
        if let Ok(i) = keys.binary_search(&bucket(f, *d)) {
            sums[i].0 += 1;
            sums[i].1 += p;
            sums[i].2 += l;
        }
    }
    let cells = |label: String, (n, p, l): (i64, i64, i64)| {
        vec![
            Cell::Text(label),
            Cell::Num(n),
            Cell::Num(p),
            Cell::Num(l),
            rate_bp(l, p),
        ]
    };
    let mut total = (0, 0, 0);
    let rows = keys
        .iter()
        .zip(&sums)
        .map(|(k, s)| {
            total = (total.0 + s.0, total.1 + s.1, total.2 + s.2);
            let row = Row::new(cells(bucket_label(f, *k), *s));
            match drill(f, "canteen-waste", *k) {
                Some(l) => row.link(l).month(*k, f.covers_month(*k)),
                None => row,
            }
        })
        .collect();
    Ok(Out {
        columns: WASTE,
        rows,
        total: Some(Row::new(cells(String::new(), total))),
        notes: vec![],
        chart: Some(4),
    })
}

pub const RATINGS: &[Column] = &[
    col("stats.c.option", "stats.d.option", Kind::Text),
    col("stats.c.ratings", "stats.d.ratings", Kind::Count),
    col("stats.c.score", "stats.d.score", Kind::Tenths),
];

/// (key, ratings, sum of scores) summed per key, in order of first appearance.
fn tally<K: PartialEq>(items: impl Iterator<Item = (K, i64, i64)>) -> Vec<(K, i64, i64)> {
    let mut by: Vec<(K, i64, i64)> = Vec::new();
    for (k, n, s) in items {
        match by.iter_mut().find(|x| x.0 == k) {
            Some(x) => {
                x.1 += n;
                x.2 += s;
            }
            None => by.push((k, n, s)),
        }
    }
    by
}

pub fn ratings(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let rated = store::ratings_by_option(conn, f.from, f.to)?;
    let mut by = tally(rated.into_iter().map(|(_, name, n, s)| (name, n, s)));
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(scored(RATINGS, by, None))
}

/// Rows of (label, ratings, sum of scores) with their mean, and the total.
fn scored(columns: &'static [Column], by: Vec<(String, i64, i64)>, chart: Option<usize>) -> Out {
    let (n, s) = by.iter().fold((0, 0), |acc, x| (acc.0 + x.1, acc.1 + x.2));
    Out {
        columns,
        rows: by
            .into_iter()
            .map(|(label, n, s)| Row::new(vec![Cell::Text(label), Cell::Num(n), mean_tenths(s, n)]))
            .collect(),
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            Cell::Num(n),
            mean_tenths(s, n),
        ])),
        notes: vec![],
        chart,
    }
}

pub const RATINGS_WEEKS: &[Column] = &[
    col("stats.c.week", "stats.d.week", Kind::Text),
    col("stats.c.ratings", "stats.d.ratings", Kind::Count),
    col("stats.c.score", "stats.d.score", Kind::Tenths),
];

/// Ratings week by week (weeks from Monday), for the trend of how meals are liked.
pub fn ratings_by_week(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let rated = store::ratings_by_option(conn, f.from, f.to)?;
    let monday =
        |d: NaiveDate| d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let mut by = tally(rated.into_iter().map(|(day, _, n, s)| (monday(day), n, s)));
    by.sort_by_key(|x| x.0);
    let by = by.into_iter().map(|(w, n, s)| (date(w), n, s)).collect();
    Ok(scored(RATINGS_WEEKS, by, Some(2)))
}
