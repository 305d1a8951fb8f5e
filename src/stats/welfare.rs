//! Welfare reports: spending by benefit type and organisation, cases by state with the
//! average days from report to payment.

use super::catalogue::MonthTotals;
use super::filters::{month_bounds, month_key, Filters};
use super::store_welfare as store;
use super::table::{col, mean_tenths, rate_bp, Cell, Column, Kind, Out, Row};
use crate::clock::business_date_of;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDate;

pub const SPENDING: &[Column] = &[
    col("stats.c.benefit", "stats.d.benefit", Kind::Text),
    col("stats.c.organisation", "stats.d.organisation", Kind::Text),
    col("stats.c.cases_paid", "stats.d.cases_paid", Kind::Count),
    col("stats.c.paid", "stats.d.paid", Kind::Money),
];

/// Whether the case was paid (from the fund, if one is chosen) on a business day in
/// `from..=to`.
fn paid_in(c: &store::CaseRow, from: NaiveDate, to: NaiveDate, fund: Option<i32>) -> bool {
    c.state == "paid"
        && c.paid_at
            .map(business_date_of)
            .is_some_and(|d| from <= d && d <= to)
        && fund.is_none_or(|x| x == c.fund)
}

fn spending_total(n: i64, a: i64) -> Row {
    Row::new(vec![
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Num(n),
        Cell::Num(a),
    ])
}

/// Spending of each whole month, from one read of the period's cases.
pub fn spending_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    let cases = store::cases(conn, f.from, f.to)?;
    let months = f
        .months()
        .into_iter()
        .filter(|m| f.covers_month(*m))
        .map(|m| {
            let (first, last) = month_bounds(m);
            let (n, a) = cases
                .iter()
                .filter(|c| paid_in(c, first, last, f.fund))
                .fold((0, 0), |t, c| (t.0 + 1, t.1 + c.amount));
            (m, spending_total(n, a))
        })
        .collect();
    Ok(MonthTotals {
        columns: SPENDING,
        months,
    })
}

pub fn spending(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let cases = store::cases(conn, f.from, f.to)?;
    let keepers = store::fund_keepers(conn)?;
    let keeper = |fund: i32| {
        keepers
            .iter()
            .find(|k| k.0 == fund)
            .map(|k| k.1.clone())
            .unwrap_or_default()
    };
    let mut by: Vec<(String, i32, i64, i64)> = Vec::new();
    for c in cases.iter().filter(|c| paid_in(c, f.from, f.to, f.fund)) {
        match by.iter_mut().find(|x| x.0 == c.benefit && x.1 == c.fund) {
            Some(x) => {
                x.2 += 1;
                x.3 += c.amount;
            }
            None => by.push((c.benefit.clone(), c.fund, 1, c.amount)),
        }
    }
    by.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
    let (n, a) = by.iter().fold((0, 0), |t, x| (t.0 + x.2, t.1 + x.3));
    Ok(Out {
        columns: SPENDING,
        rows: by
            .into_iter()
            .map(|(b, fund, n, a)| {
                Row::new(vec![
                    Cell::Text(b),
                    Cell::Text(keeper(fund)),
                    Cell::Num(n),
                    Cell::Num(a),
                ])
            })
            .collect(),
        total: Some(spending_total(n, a)),
        notes: vec!["stats.n.welfare_paid"],
        chart: None,
    })
}

pub const BY_STATE: &[Column] = &[
    col("stats.c.case_state", "stats.d.case_state", Kind::Text),
    col("stats.c.cases", "stats.d.cases", Kind::Count),
    col("stats.c.amount", "stats.d.case_amount", Kind::Money),
    col("stats.c.days_to_pay", "stats.d.days_to_pay", Kind::Tenths),
];

const STATES: [(&str, &str); 4] = [
    ("reported", "stats.case.reported"),
    ("approved", "stats.case.approved"),
    ("paid", "stats.case.paid"),
    ("rejected", "stats.case.rejected"),
];

pub fn by_state(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let cases: Vec<store::CaseRow> = store::cases(conn, f.from, f.to)?
        .into_iter()
        .filter(|c| c.event_date >= f.from && c.event_date <= f.to)
        .collect();
    let days = |c: &store::CaseRow| {
        c.paid_at
            .map(|p| (business_date_of(p) - business_date_of(c.reported_at)).num_days())
    };
    let mut rows = Vec::new();
    let (mut tn, mut ta, mut td, mut tp) = (0, 0, 0, 0);
    for (state, key) in STATES {
        let of: Vec<&store::CaseRow> = cases.iter().filter(|c| c.state == state).collect();
        let n = of.len() as i64;
        let amount: i64 = of.iter().map(|c| c.amount).sum();
        let paid: Vec<i64> = of.iter().filter_map(|c| days(c)).collect();
        let d: i64 = paid.iter().sum();
        tn += n;
        ta += amount;
        td += d;
        tp += paid.len() as i64;
        rows.push(Row::new(vec![
            Cell::Key(key),
            Cell::Num(n),
            Cell::Num(amount),
            mean_tenths(d, paid.len() as i64),
        ]));
    }
    Ok(Out {
        columns: BY_STATE,
        rows,
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            Cell::Num(tn),
            Cell::Num(ta),
            mean_tenths(td, tp),
        ])),
        notes: vec!["stats.n.cases_by_event"],
        chart: None,
    })
}

pub const DUES: &[Column] = &[
    col("stats.c.organisation", "stats.d.dues_org", Kind::Text),
    col(
        "stats.c.members_charged",
        "stats.d.members_charged",
        Kind::Count,
    ),
    col("stats.c.dues_charged", "stats.d.dues_charged", Kind::Money),
    col(
        "stats.c.dues_collected",
        "stats.d.dues_collected",
        Kind::Money,
    ),
    col(
        "stats.c.collection_rate",
        "stats.d.collection_rate",
        Kind::Percent,
    ),
    col("stats.c.arrears", "stats.d.arrears", Kind::Money),
];

fn dues_total(members: i64, charged: i64, paid: i64) -> Row {
    Row::new(vec![
        Cell::Text(String::new()),
        Cell::Num(members),
        Cell::Num(charged),
        Cell::Num(paid),
        rate_bp(paid, charged),
        Cell::Num(charged - paid),
    ])
}

/// Dues of each month of the period (a month of dues is its key, so every month the period
/// touches is its own), summed by the database in one query.
pub fn dues_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    let months: Vec<NaiveDate> = f.months();
    let keys: Vec<String> = months.iter().map(|m| month_key(*m)).collect();
    let by = store::dues_by_month(conn, &keys)?;
    Ok(MonthTotals {
        columns: DUES,
        months: months
            .iter()
            .zip(&keys)
            .map(|(m, k)| {
                let (members, charged, paid) = by
                    .iter()
                    .find(|x| x.0 == *k)
                    .map_or((0, 0, 0), |x| (x.1, x.2, x.3));
                (*m, dues_total(members, charged, paid))
            })
            .collect(),
    })
}

pub fn dues(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let months: Vec<String> = f
        .months()
        .into_iter()
        .map(super::filters::month_key)
        .collect();
    let by = store::dues_by_org(conn, &months)?;
    let (mut tm, mut tc, mut tp) = (0, 0, 0);
    let rows = by
        .into_iter()
        .map(|(_, name, members, charged, paid)| {
            tm += members;
            tc += charged;
            tp += paid;
            Row::new(vec![
                Cell::Text(name),
                Cell::Num(members),
                Cell::Num(charged),
                Cell::Num(paid),
                rate_bp(paid, charged),
                Cell::Num(charged - paid),
            ])
        })
        .collect();
    Ok(Out {
        columns: DUES,
        rows,
        total: Some(dues_total(tm, tc, tp)),
        notes: vec!["stats.n.dues"],
        chart: None,
    })
}

pub const OCCASIONS: &[Column] = &[
    col("stats.c.occasion", "stats.d.occasion", Kind::Text),
    col("stats.c.day", "stats.d.occasion_day", Kind::Text),
    col("stats.c.list_state", "stats.d.list_state", Kind::Text),
    col("stats.c.recipients", "stats.d.recipients", Kind::Count),
    col("stats.c.received", "stats.d.received", Kind::Count),
    col("stats.c.amount", "stats.d.gift_amount", Kind::Money),
];

pub fn occasions(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let list = store::occasions_in(conn, f.from, f.to)?;
    let (mut tr, mut tg, mut ta) = (0, 0, 0);
    let rows = list
        .into_iter()
        .map(|(name, day, state, recipients, received, amount)| {
            tr += recipients;
            tg += received;
            ta += amount;
            Row::new(vec![
                Cell::Text(name),
                Cell::Text(crate::ui::format::date(day)),
                Cell::Key(if state == "frozen" {
                    "stats.list.frozen"
                } else {
                    "stats.list.draft"
                }),
                Cell::Num(recipients),
                Cell::Num(received),
                Cell::Num(amount),
            ])
        })
        .collect();
    Ok(Out {
        columns: OCCASIONS,
        rows,
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Num(tr),
            Cell::Num(tg),
            Cell::Num(ta),
        ])),
        notes: vec![],
        chart: None,
    })
}

pub const RETIREES: &[Column] = &[
    col("stats.c.milestone", "stats.d.milestone", Kind::Text),
    col("stats.c.on_list", "stats.d.on_list", Kind::People),
    col("stats.c.visited", "stats.d.visited", Kind::People),
    col(
        "stats.c.visited_rate",
        "stats.d.visited_rate",
        Kind::Percent,
    ),
];

/// Retirees reaching a longevity milestone in the year the period ends in, and how many of
/// them were visited that year.
pub fn retirees(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    use chrono::Datelike;
    let year = f.to.year();
    let list = crate::welfare::occasions::milestones(conn, year, f.to)?;
    let visited = crate::welfare::retirees::visited_in(conn, year)?;
    let mut ages: Vec<i32> = list.iter().map(|m| m.age).collect();
    ages.sort_unstable();
    ages.dedup();
    let (mut tn, mut tv) = (0, 0);
    let rows = ages
        .into_iter()
        .map(|age| {
            let of: Vec<_> = list.iter().filter(|m| m.age == age).collect();
            let n = of.len() as i64;
            let v = of.iter().filter(|m| visited.contains(&m.person_id)).count() as i64;
            tn += n;
            tv += v;
            Row::new(vec![
                Cell::Text(age.to_string()),
                Cell::Num(n),
                Cell::Num(v),
                rate_bp(v, n),
            ])
            .about(n)
        })
        .collect();
    Ok(Out {
        columns: RETIREES,
        rows,
        total: Some(
            Row::new(vec![
                Cell::Text(String::new()),
                Cell::Num(tn),
                Cell::Num(tv),
                rate_bp(tv, tn),
            ])
            .about(tn),
        ),
        notes: vec!["stats.n.retirees"],
        chart: None,
    })
}
