//! Subsidy reports: by month (ties to the closed months' statements), by unit, by band, and
//! low-income coverage. Closed months are read as they were stored when closed; open months
//! as the split stands today (marked provisional).

use super::canteen::{in_scope, unit_scope};
use super::filters::Filters;
use super::store;
use super::table::{col, rate_bp, Cell, Column, Kind, Out, Row};
use crate::accounting::store::Line;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};

/// The period's lines (only days inside it), and whether any month is still open.
fn lines(conn: &mut DbConn, f: &Filters) -> Result<(Vec<store::MonthLines>, bool), AppError> {
    let started: Vec<NaiveDate> = f.months().into_iter().filter(|m| *m <= f.today).collect();
    let mut months = store::lines_by_month(conn, &started)?;
    // Meals booked for days still to come are not subsidies yet.
    let last = f.to.min(f.today);
    for (_, ls, _) in months.iter_mut() {
        ls.retain(|l| l.day >= f.from && l.day <= last);
    }
    let open = months.iter().any(|m| !m.2);
    Ok((months, open))
}

/// The subsidy of a line counted by a report: from one fund when the report is filtered.
fn subsidy_of(l: &Line, fund: Option<i32>) -> i64 {
    match fund {
        None => l.subsidy.0,
        Some(f) => l.by_fund.iter().filter(|x| x.0 == f).map(|x| x.1 .0).sum(),
    }
}

fn notes(open: bool) -> Vec<&'static str> {
    let mut n = vec!["stats.n.subsidy_source"];
    if open {
        n.push("stats.n.provisional");
    }
    n
}

pub const BY_MONTH: &[Column] = &[
    col("stats.c.month", "stats.d.month", Kind::Text),
    col("stats.c.month_state", "stats.d.month_state", Kind::Text),
    col("stats.c.meals", "stats.d.meals_billed", Kind::Count),
    col(
        "stats.c.meals_subsidised",
        "stats.d.meals_subsidised",
        Kind::Count,
    ),
    col(
        "stats.c.people_subsidised",
        "stats.d.people_subsidised",
        Kind::People,
    ),
    col("stats.c.charged", "stats.d.charged", Kind::Money),
    col("stats.c.subsidy", "stats.d.subsidy", Kind::Money),
    col("stats.c.staff_share", "stats.d.staff_share", Kind::Money),
];

#[derive(Default)]
struct Sums {
    meals: i64,
    subsidised: i64,
    people: HashSet<i32>,
    charged: i64,
    subsidy: i64,
    staff: i64,
}

impl Sums {
    fn add(&mut self, l: &Line, fund: Option<i32>) {
        let s = subsidy_of(l, fund);
        if fund.is_some() && s == 0 {
            return;
        }
        self.meals += 1;
        self.charged += l.charged.0;
        self.staff += l.staff.0;
        if s > 0 {
            self.subsidised += 1;
            self.subsidy += s;
            self.people.insert(l.person_id);
        }
    }
}

pub fn by_month(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let (months, open) = lines(conn, f)?;
    let mut total = Sums::default();
    let mut rows = Vec::new();
    for (first, ls, closed) in &months {
        let mut s = Sums::default();
        for l in ls {
            s.add(l, f.fund);
            total.add(l, f.fund);
        }
        let state = if *closed {
            "stats.closed"
        } else {
            "stats.provisional"
        };
        rows.push(
            Row::new(vec![
                Cell::Text(format!("{:02}/{}", first.month(), first.year())),
                Cell::Key(state),
                Cell::Num(s.meals),
                Cell::Num(s.subsidised),
                Cell::Num(s.people.len() as i64),
                Cell::Num(s.charged),
                Cell::Num(s.subsidy),
                Cell::Num(s.staff),
            ])
            .link(format!(
                "/reports/subsidy-units?{}",
                f.for_month(*first).query()
            )),
        );
    }
    Ok(Out {
        columns: BY_MONTH,
        rows,
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Num(total.meals),
            Cell::Num(total.subsidised),
            Cell::Num(total.people.len() as i64),
            Cell::Num(total.charged),
            Cell::Num(total.subsidy),
            Cell::Num(total.staff),
        ])),
        notes: notes(open),
        chart: Some(6),
    })
}

pub const BREAKDOWN: &[Column] = &[
    col("stats.c.group", "stats.d.group", Kind::Text),
    col(
        "stats.c.people_subsidised",
        "stats.d.people_subsidised",
        Kind::People,
    ),
    col(
        "stats.c.meals_subsidised",
        "stats.d.meals_subsidised",
        Kind::Count,
    ),
    col("stats.c.subsidy", "stats.d.subsidy", Kind::Money),
];

/// One row of a breakdown: who had any subsidy (and from which fund), and the figures the
/// report shows (of the filtered fund, if any).
#[derive(Default)]
struct Group {
    label: String,
    anyone: HashSet<i32>,
    by_fund: HashMap<i32, HashSet<i32>>,
    shown: HashSet<i32>,
    meals: i64,
    amount: i64,
}

impl Group {
    /// The smallest number of people any figure of the row could be about, whichever fund is
    /// chosen: the small-cell rule hides the same rows in every view, so that subtracting one
    /// fund's view from another's gives nothing away.
    fn sensitivity(&self) -> i64 {
        self.by_fund
            .values()
            .map(|p| p.len() as i64)
            .chain([self.anyone.len() as i64])
            .filter(|n| *n > 0)
            .min()
            .unwrap_or(0)
    }
}

/// Adds a meal line to its group (every line with a subsidy makes the group exist, whatever
/// fund the report is filtered on).
fn add_line(groups: &mut Vec<Group>, label: &str, l: &Line, fund: Option<i32>) {
    if l.subsidy.0 <= 0 {
        return;
    }
    let i = match groups.iter().position(|g| g.label == label) {
        Some(i) => i,
        None => {
            groups.push(Group {
                label: label.to_string(),
                ..Group::default()
            });
            groups.len() - 1
        }
    };
    let g = &mut groups[i];
    g.anyone.insert(l.person_id);
    for (f, a) in &l.by_fund {
        if a.0 > 0 {
            g.by_fund.entry(*f).or_default().insert(l.person_id);
        }
    }
    let s = subsidy_of(l, fund);
    if s > 0 {
        g.shown.insert(l.person_id);
        g.meals += 1;
        g.amount += s;
    }
}

/// Rows of a breakdown: (label, people, meals, subsidy), plus the exact total.
fn breakdown(groups: Vec<Group>, open: bool, label: impl Fn(String) -> Cell) -> Out {
    let mut all = HashSet::new();
    let (mut meals, mut amount) = (0, 0);
    let rows = groups
        .into_iter()
        .map(|g| {
            all.extend(g.shown.iter().copied());
            meals += g.meals;
            amount += g.amount;
            let about = g.sensitivity();
            Row::new(vec![
                label(g.label),
                Cell::Num(g.shown.len() as i64),
                Cell::Num(g.meals),
                Cell::Num(g.amount),
            ])
            .about(about)
        })
        .collect();
    Out {
        columns: BREAKDOWN,
        rows,
        total: Some(
            Row::new(vec![
                Cell::Text(String::new()),
                Cell::Num(all.len() as i64),
                Cell::Num(meals),
                Cell::Num(amount),
            ])
            .about(all.len() as i64),
        ),
        notes: notes(open),
        chart: None,
    }
}

pub fn by_unit(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let scope = unit_scope(conn, f)?;
    let (months, open) = lines(conn, f)?;
    let unit_of: HashMap<i32, Option<i32>> = store::units_of_people(conn)?.into_iter().collect();
    let units = store::units(conn)?;
    let label = |u: Option<i32>| match units.iter().find(|x| Some(x.0) == u) {
        Some((_, _, code, name)) => format!("{code} — {name}"),
        None => "—".to_string(),
    };
    let mut groups = Vec::new();
    for l in months.iter().flat_map(|m| &m.1) {
        let u = unit_of.get(&l.person_id).copied().flatten();
        if in_scope(&scope, u) {
            add_line(&mut groups, &label(u), l, f.fund);
        }
    }
    groups.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(breakdown(groups, open, Cell::Text))
}

/// The band a person held on a day ("" = none: subsidised by a policy for everyone or a
/// category).
fn band_on(bands: &[store::Band], person: i32, day: NaiveDate) -> &str {
    bands
        .iter()
        .filter(|b| b.0 == person && b.2 <= day && b.3.is_none_or(|t| t >= day))
        .map(|b| b.1.as_str())
        .min()
        .unwrap_or("")
}

pub fn band_key(band: &str) -> &'static str {
    match band {
        "low_income" => "stats.band.low_income",
        "hardship" => "stats.band.hardship",
        _ => "stats.band.none",
    }
}

pub fn by_band(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let (months, open) = lines(conn, f)?;
    let bands = store::eligibility_in(conn, f.from, f.to)?;
    let mut groups = Vec::new();
    for l in months.iter().flat_map(|m| &m.1) {
        add_line(&mut groups, band_on(&bands, l.person_id, l.day), l, f.fund);
    }
    // Low income, hardship, then everyone else.
    groups.sort_by_key(|g| match g.label.as_str() {
        "low_income" => 0,
        "hardship" => 1,
        _ => 2,
    });
    Ok(breakdown(groups, open, |b| Cell::Key(band_key(&b))))
}

pub const COVERAGE: &[Column] = &[
    col("stats.c.band", "stats.d.band", Kind::Text),
    col("stats.c.eligible", "stats.d.eligible", Kind::People),
    col("stats.c.eligible_ate", "stats.d.eligible_ate", Kind::People),
    col("stats.c.coverage", "stats.d.coverage", Kind::Percent),
];

pub fn coverage(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let bands = store::eligibility_in(conn, f.from, f.to)?;
    let ate: HashSet<i32> = store::eater_ids(conn, f.from, f.to)?
        .into_iter()
        .map(|x| x.0)
        .collect();
    let (mut all, mut all_ate) = (HashSet::new(), HashSet::new());
    let mut rows = Vec::new();
    for band in ["low_income", "hardship"] {
        let people: HashSet<i32> = bands.iter().filter(|b| b.1 == band).map(|b| b.0).collect();
        let eaten: HashSet<i32> = people.intersection(&ate).copied().collect();
        let (n, e) = (people.len() as i64, eaten.len() as i64);
        all.extend(people);
        all_ate.extend(eaten);
        rows.push(
            Row::new(vec![
                Cell::Key(band_key(band)),
                Cell::Num(n),
                Cell::Num(e),
                rate_bp(e, n),
            ])
            .about(n),
        );
    }
    let (n, e) = (all.len() as i64, all_ate.len() as i64);
    Ok(Out {
        columns: COVERAGE,
        rows,
        total: Some(
            Row::new(vec![
                Cell::Text(String::new()),
                Cell::Num(n),
                Cell::Num(e),
                rate_bp(e, n),
            ])
            .about(n),
        ),
        notes: vec!["stats.n.coverage"],
        chart: None,
    })
}
