//! Subsidy reports: by month (ties to the closed months' statements), by unit, by band, and
//! low-income coverage. Closed months are read as they were stored when closed; open months
//! as the split stands today (marked provisional).

use super::canteen::{in_scope, unit_scope};
use super::catalogue::MonthTotals;
use super::filters::{month_bounds, month_key, Filters};
use super::store;
use super::summary;
use super::table::{col, rate_bp, Cell, Column, Kind, Out, Row};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};

/// The period's months per person (only days inside it, none to come), and whether any
/// month is still open.
fn people(conn: &mut DbConn, f: &Filters) -> Result<(Vec<summary::Month>, bool), AppError> {
    let started: Vec<NaiveDate> = f.months().into_iter().filter(|m| *m <= f.today).collect();
    // Meals booked for days still to come are not subsidies yet.
    let last = f.to.min(f.today);
    let months = summary::months(conn, &started, f.from, last)?;
    let open = months.iter().any(|m| !m.2);
    Ok((months, open))
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
    agg: summary::Agg,
    people: HashSet<i32>,
    /// People counted by the database (summarised months), in place of `people`.
    counted: Option<i64>,
}

impl Sums {
    fn counted(agg: summary::Agg, people: i64) -> Sums {
        Sums {
            agg,
            people: HashSet::new(),
            counted: Some(people),
        }
    }
    fn add(&mut self, p: &summary::PersonMonth, fund: Option<i32>) {
        let a = p.of(fund);
        self.agg.meals += a.meals;
        self.agg.subsidised += a.subsidised;
        self.agg.charged += a.charged;
        self.agg.subsidy += a.subsidy;
        self.agg.staff += a.staff;
        if a.subsidised > 0 {
            self.people.insert(p.person);
        }
    }
    fn cells(&self) -> [Cell; 6] {
        [
            Cell::Num(self.agg.meals),
            Cell::Num(self.agg.subsidised),
            Cell::Num(self.counted.unwrap_or(self.people.len() as i64)),
            Cell::Num(self.agg.charged),
            Cell::Num(self.agg.subsidy),
            Cell::Num(self.agg.staff),
        ]
    }
}

/// A month row's first two cells: the month, and whether it is closed or provisional.
fn month_cells(first: NaiveDate, closed: bool) -> Vec<Cell> {
    let state = if closed {
        "stats.closed"
    } else {
        "stats.provisional"
    };
    vec![
        Cell::Text(format!("{:02}/{}", first.month(), first.year())),
        Cell::Key(state),
    ]
}

pub fn by_month(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    by_month_with(conn, f, true)
}

/// Subsidy by month's rows, which are their months' own totals, without the period's total
/// (whose count of people, each once over the months, is the one figure that reads people).
pub fn by_month_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    Ok(super::table::month_totals(by_month_with(conn, f, false)?))
}

fn by_month_with(conn: &mut DbConn, f: &Filters, with_total: bool) -> Result<Out, AppError> {
    let started: Vec<NaiveDate> = f.months().into_iter().filter(|m| *m <= f.today).collect();
    let last = f.to.min(f.today);
    // Summarised months are summed by the database (no one's row needed here); the rest, and
    // any summarised month without its summary, from the people's months.
    let summarised = summary::summarised(conn, &started, f.from, last)?;
    let sums = summary::month_sums(conn, &summarised, f.fund)?;
    let rest: Vec<NaiveDate> = started
        .iter()
        .copied()
        .filter(|m| !sums.contains_key(&month_key(*m)))
        .collect();
    let months = summary::months(conn, &rest, f.from, last)?;
    let open = months.iter().any(|m| !m.2);
    let mut total = Sums::default();
    if with_total {
        let summed: Vec<String> = sums.keys().cloned().collect();
        total
            .people
            .extend(summary::subsidised_in(conn, &summed, f.fund)?);
    }
    let mut rows = Vec::new();
    for first in &started {
        let (s, closed) = match sums.get(&month_key(*first)) {
            Some((agg, people)) => {
                total.agg.add(agg);
                (Sums::counted(*agg, *people), true)
            }
            None => {
                let Some((_, list, closed)) = months.iter().find(|m| m.0 == *first) else {
                    continue;
                };
                let mut s = Sums::default();
                for p in list {
                    s.add(p, f.fund);
                    total.add(p, f.fund);
                }
                (s, *closed)
            }
        };
        let mut cells = month_cells(*first, closed);
        cells.extend(s.cells());
        rows.push(
            Row::new(cells)
                .link(format!(
                    "/reports/subsidy-units?{}",
                    f.for_month(*first).query()
                ))
                .month(*first, f.covers_month(*first)),
        );
    }
    let mut cells = vec![Cell::Text(String::new()), Cell::Text(String::new())];
    cells.extend(total.cells());
    Ok(Out {
        columns: BY_MONTH,
        rows,
        total: with_total.then(|| Row::new(cells)),
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

/// Adds a person's month to its group (anyone with a subsidy makes the group exist, whatever
/// fund the report is filtered on).
fn add_person(groups: &mut Vec<Group>, label: &str, p: &summary::PersonMonth, fund: Option<i32>) {
    if p.all.subsidy <= 0 {
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
    g.anyone.insert(p.person);
    for (f, a) in &p.funds {
        if a.subsidy > 0 {
            g.by_fund.entry(*f).or_default().insert(p.person);
        }
    }
    let a = p.of(fund);
    if a.subsidy > 0 {
        g.shown.insert(p.person);
        g.meals += a.subsidised;
        g.amount += a.subsidy;
    }
}

/// Rows of a breakdown: (label, people, meals, subsidy), plus the exact total.
fn breakdown(groups: Vec<Group>, open: bool, label: impl Fn(String) -> Cell) -> Out {
    let mut all = HashSet::new();
    // The total is as small as its smallest fund's part, whatever fund is shown: otherwise the
    // totals of two funds' views would give a third fund's small total away.
    let mut whole = Group::default();
    let (mut meals, mut amount) = (0, 0);
    let rows = groups
        .into_iter()
        .map(|g| {
            whole.anyone.extend(g.anyone.iter().copied());
            for (f, p) in &g.by_fund {
                whole
                    .by_fund
                    .entry(*f)
                    .or_default()
                    .extend(p.iter().copied());
            }
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
            .about(whole.sensitivity()),
        ),
        notes: {
            let mut n = notes(open);
            n.push("stats.n.small_funds");
            n
        },
        chart: None,
    }
}

pub fn by_unit(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let scope = unit_scope(conn, f)?;
    let (months, open) = people(conn, f)?;
    let unit_of: HashMap<i32, Option<i32>> = store::units_of_people(conn)?.into_iter().collect();
    let units = crate::people::store::all_units(conn)?;
    let label = |u: Option<i32>| match units.iter().find(|x| Some(x.id) == u) {
        Some(x) => format!("{} — {}", x.code, x.name),
        None => "—".to_string(),
    };
    let mut groups = Vec::new();
    for p in months.iter().flat_map(|m| &m.1) {
        let u = unit_of.get(&p.person).copied().flatten();
        if in_scope(&scope, u) {
            add_person(&mut groups, &label(u), p, f.fund);
        }
    }
    groups.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(breakdown(groups, open, Cell::Text))
}

pub fn by_band(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let (months, open) = people(conn, f)?;
    let mut groups = Vec::new();
    for p in months.iter().flat_map(|m| &m.1) {
        add_person(&mut groups, &p.band, p, f.fund);
    }
    // Low income, hardship, then everyone else.
    groups.sort_by_key(|g| match g.label.as_str() {
        "low_income" => 0,
        "hardship" => 1,
        _ => 2,
    });
    Ok(breakdown(groups, open, |b| Cell::Key(band_key(&b))))
}

pub fn band_key(band: &str) -> &'static str {
    match band {
        "low_income" => "stats.band.low_income",
        "hardship" => "stats.band.hardship",
        _ => "stats.band.none",
    }
}

pub const COVERAGE: &[Column] = &[
    col("stats.c.band", "stats.d.band", Kind::Text),
    col("stats.c.eligible", "stats.d.eligible", Kind::People),
    col("stats.c.eligible_ate", "stats.d.eligible_ate", Kind::People),
    col("stats.c.coverage", "stats.d.coverage", Kind::Percent),
];

const COVERED: [&str; 2] = ["low_income", "hardship"];

/// Coverage of the holders of these decisions, of whom `ate` had a meal: a row per band and
/// the total (everyone once).
fn coverage_rows<'a>(
    bands: impl Iterator<Item = &'a store::Band> + Clone,
    ate: &HashSet<i32>,
) -> (Vec<Row>, Row) {
    let (mut all, mut all_ate) = (HashSet::new(), HashSet::new());
    let mut rows = Vec::new();
    for band in COVERED {
        let people: HashSet<i32> = bands.clone().filter(|b| b.1 == band).map(|b| b.0).collect();
        let eaten: HashSet<i32> = people.intersection(ate).copied().collect();
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
    let total = Row::new(vec![
        Cell::Text(String::new()),
        Cell::Num(n),
        Cell::Num(e),
        rate_bp(e, n),
    ])
    .about(n);
    (rows, total)
}

/// The people holding a covered band in these decisions, each once.
fn holders(bands: &[store::Band]) -> Vec<i32> {
    let mut out: Vec<i32> = bands
        .iter()
        .filter(|b| COVERED.contains(&b.1.as_str()))
        .map(|b| b.0)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub fn coverage(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let bands = store::eligibility_in(conn, f.from, f.to)?;
    // Of a whole month, only the band holders' meals are looked up; of any other period,
    // everyone who ate.
    let ate: HashSet<i32> = match store::one_month(f.from, f.to) {
        Some(month) => store::ate_in_months(conn, &[month], &holders(&bands))?
            .into_iter()
            .map(|x| x.1)
            .collect(),
        None => store::eater_ids(conn, f.from, f.to)?
            .into_iter()
            .map(|x| x.0)
            .collect(),
    };
    let (rows, total) = coverage_rows(bands.iter(), &ate);
    Ok(Out {
        columns: COVERAGE,
        rows,
        total: Some(total),
        notes: vec!["stats.n.coverage"],
        chart: None,
    })
}

/// Coverage of each whole month, from one read of the period's decisions and one of who
/// among their holders ate in which month.
pub fn coverage_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    let bands = store::eligibility_in(conn, f.from, f.to)?;
    let whole: Vec<NaiveDate> = f
        .months()
        .into_iter()
        .filter(|m| f.covers_month(*m))
        .collect();
    let keys: Vec<String> = whole.iter().map(|m| month_key(*m)).collect();
    let ate = store::ate_in_months(conn, &keys, &holders(&bands))?;
    let months = whole
        .iter()
        .zip(&keys)
        .map(|(m, key)| {
            let (first, last) = month_bounds(*m);
            let held = bands
                .iter()
                .filter(move |b| store::overlaps(b, first, last));
            let ate: HashSet<i32> = ate.iter().filter(|x| x.0 == *key).map(|x| x.1).collect();
            (*m, coverage_rows(held, &ate).1)
        })
        .collect();
    Ok(MonthTotals {
        columns: COVERAGE,
        months,
    })
}

pub const PAYABLE: &[Column] = &[
    col("stats.c.month", "stats.d.month", Kind::Text),
    col("stats.c.month_state", "stats.d.month_state", Kind::Text),
    col("stats.c.payers", "stats.d.payers", Kind::Count),
    col("stats.c.staff_share", "stats.d.staff_share", Kind::Money),
    col("stats.c.adjustments", "stats.d.adjustments", Kind::Money),
    col("stats.c.by_payroll", "stats.d.by_payroll", Kind::Money),
    col("stats.c.in_cash", "stats.d.in_cash", Kind::Money),
    col("stats.c.payable", "stats.d.payable", Kind::Money),
];

/// What staff owe for their meals each month, and how it is collected: deducted from pay
/// (working staff on the payroll) or in cash (contractors, people who left) — as the payroll
/// file of the month splits it.
pub fn payable(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let (months, open) = people(conn, f)?;
    let mut rows = Vec::new();
    let mut total = [0i64; 6];
    let payroll = crate::accounting::store::payroll_of_everyone(conn)?;
    for (first, list, closed) in &months {
        let key = month_key(*first);
        let adjustments = crate::accounting::store::adjustments_of(conn, &key)?;
        // A closed month splits as its payroll file did when it was closed.
        let kept = crate::accounting::store::payroll_kept(conn, &key)?;
        let mut owed: HashMap<i32, (i64, i64)> = HashMap::new();
        for p in list {
            owed.entry(p.person).or_default().0 += p.all.staff;
        }
        for a in &adjustments {
            owed.entry(a.person_id).or_default().1 += a.amount;
        }
        let mut m = [0i64; 6];
        for (person, (staff, adj)) in &owed {
            if staff + adj == 0 {
                continue;
            }
            m[0] += 1;
            m[1] += staff;
            m[2] += adj;
            if kept
                .get(person)
                .or(payroll.get(person))
                .copied()
                .unwrap_or(false)
            {
                m[3] += staff + adj;
            } else {
                m[4] += staff + adj;
            }
            m[5] += staff + adj;
        }
        for (t, v) in total.iter_mut().zip(m) {
            *t += v;
        }
        let mut cells = month_cells(*first, *closed);
        cells.extend(m.iter().map(|v| Cell::Num(*v)));
        rows.push(Row::new(cells));
    }
    let mut cells = vec![Cell::Text(String::new()), Cell::Text(String::new())];
    cells.extend(total.iter().map(|v| Cell::Num(*v)));
    let mut notes = notes(open);
    notes.push("stats.n.payable");
    Ok(Out {
        columns: PAYABLE,
        rows,
        total: Some(Row::new(cells)),
        notes,
        chart: Some(7),
    })
}
