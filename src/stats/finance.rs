//! Money against plans: the canteen's cost per meal served (supplier invoices) and each fund's
//! budget against what it spent, projected to the end of the year.

use super::catalogue::MonthTotals;
use super::filters::{month_bounds, month_key, Filters};
use super::store;
use super::table::{col, rate_bp, Cell, Column, Kind, Out, Row};
use crate::canteen::ordering::SERVED;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Datelike, NaiveDate};

pub const COST: &[Column] = &[
    col("stats.c.month", "stats.d.month", Kind::Text),
    col("stats.c.meals_out", "stats.d.meals_out", Kind::Count),
    col("stats.c.invoiced", "stats.d.invoiced", Kind::Money),
    col(
        "stats.c.cost_per_meal",
        "stats.d.cost_per_meal",
        Kind::Money,
    ),
];

/// `a / b` in whole đồng, rounded half up; nothing when `b` is 0.
fn per(a: i64, b: i64) -> Cell {
    if b <= 0 {
        return Cell::Empty;
    }
    Cell::Num((2 * a + b).div_euclid(2 * b))
}

/// Invoices are monthly: the report covers the whole months the period touches.
pub fn cost_months(conn: &mut DbConn, f: &Filters) -> Result<MonthTotals, AppError> {
    Ok(super::table::month_totals(cost(conn, f)?))
}

pub fn cost(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    let months = f.months();
    let keys: Vec<String> = months.iter().map(|m| month_key(*m)).collect();
    let invoiced = store::invoiced(conn, &keys)?;
    let (from, to) = (
        months.first().copied().unwrap_or(f.from),
        months.last().map(|m| month_bounds(*m).1).unwrap_or(f.to),
    );
    let counts = store::meal_counts(conn, from, to)?;
    let walked = store::walk_in_counts(conn, from, to)?;
    let guests = store::guest_counts(conn, from, to)?;
    let month_of = |d: NaiveDate| {
        months
            .iter()
            .position(|m| m.year() == d.year() && m.month() == d.month())
    };
    let mut meals = vec![0i64; months.len()];
    for c in counts.iter().filter(|c| c.status == SERVED) {
        if let Some(i) = month_of(c.day) {
            meals[i] += c.n;
        }
    }
    for (day, _, _, n) in &walked {
        if let Some(i) = month_of(*day) {
            meals[i] += n;
        }
    }
    for (day, _, n) in &guests {
        if let Some(i) = month_of(*day) {
            meals[i] += n;
        }
    }
    // A month without invoices has no cost yet: blank, and left out of the total's mean.
    let (mut tm, mut ti, mut tall) = (0, 0, 0);
    let mut rows = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let inv: Vec<i64> = invoiced
            .iter()
            .filter(|x| x.0 == keys[i])
            .map(|x| x.1)
            .collect();
        let total: i64 = inv.iter().sum();
        tall += meals[i];
        if !inv.is_empty() {
            tm += meals[i];
            ti += total;
        }
        let (inv_cell, per_cell) = if inv.is_empty() {
            (Cell::Empty, Cell::Empty)
        } else {
            (Cell::Num(total), per(total, meals[i]))
        };
        rows.push(
            Row::new(vec![
                Cell::Text(format!("{:02}/{}", m.month(), m.year())),
                Cell::Num(meals[i]),
                inv_cell,
                per_cell,
            ])
            .month(*m, f.covers_month(*m)),
        );
    }
    Ok(Out {
        columns: COST,
        rows,
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            Cell::Num(tall),
            Cell::Num(ti),
            per(ti, tm),
        ])),
        notes: vec!["stats.n.cost"],
        chart: Some(3),
    })
}

pub const BUDGET: &[Column] = &[
    col("stats.c.fund", "stats.d.fund", Kind::Text),
    col("stats.c.planned", "stats.d.planned", Kind::Money),
    col("stats.c.spent", "stats.d.spent", Kind::Money),
    col("stats.c.used", "stats.d.used", Kind::Percent),
    col("stats.c.projected", "stats.d.projected", Kind::Money),
    col("stats.c.left_after", "stats.d.left_after", Kind::Money),
];

/// What a fund paid out in a year up to a day: its payments dated in the year up to that day
/// that stand — a reversed payment counts as never paid, whenever it was reversed. (Reopening
/// a month reverses its subsidy payments on the day it is reopened and closing it again pays
/// anew at the month's end: counting reversals by their own date would count that month twice
/// in any period that ends before the reopening.)
fn spent_until(conn: &mut DbConn, fund: i32, year: i32, to: NaiveDate) -> Result<i64, AppError> {
    use crate::ledger::store::{reversed_among, vouchers_of, PAYMENT};
    let paid: Vec<_> = vouchers_of(conn, fund, year)?
        .into_iter()
        .filter(|v| v.kind == PAYMENT && v.reverses.is_none() && v.voucher_date <= to)
        .collect();
    let ids: Vec<i32> = paid.iter().map(|v| v.id).collect();
    let reversed = reversed_among(conn, &ids)?;
    Ok(paid
        .iter()
        .filter(|v| !reversed.contains(&v.id))
        .map(|v| v.amount_vnd.0)
        .sum())
}

/// The plan and spending of each fund for the year the period ends in; spending is projected
/// to the year's end at the pace of the days gone by (to the period's end, at most today).
pub fn budget(conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
    // As of the period's end, or today when that is still to come.
    let as_of = f.to.min(f.today.max(f.from));
    let year = as_of.year();
    // The pace of the days gone by (counted in whole months, the month under way counted
    // whole: on 2 December the year looked over and the projection equalled the spending).
    let elapsed = i64::from(as_of.ordinal());
    let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    let funds = crate::ledger::store::funds(conn)?;
    let mut rows = Vec::new();
    let (mut tp, mut ts, mut tj) = (0i64, 0i64, 0i64);
    let mut any_plan = false;
    for fund in funds.iter().filter(|x| f.fund.is_none_or(|id| id == x.id)) {
        let planned = crate::ledger::store::budget(conn, fund.id, year)?.map(|p| p.0);
        let spent = spent_until(conn, fund.id, year, as_of)?;
        if planned.is_none() && spent == 0 {
            continue;
        }
        let projected = (2 * spent * days_in_year + elapsed).div_euclid(2 * elapsed);
        tp += planned.unwrap_or(0);
        any_plan |= planned.is_some();
        ts += spent;
        tj += projected;
        rows.push(Row::new(vec![
            Cell::Text(format!("{} — {}", fund.code, fund.name)),
            planned.map(Cell::Num).unwrap_or(Cell::Empty),
            Cell::Num(spent),
            planned.map(|p| rate_bp(spent, p)).unwrap_or(Cell::Empty),
            Cell::Num(projected),
            planned
                .map(|p| Cell::Num(p - projected))
                .unwrap_or(Cell::Empty),
        ]));
    }
    let plan = |v: i64| if any_plan { Cell::Num(v) } else { Cell::Empty };
    Ok(Out {
        columns: BUDGET,
        rows,
        total: Some(Row::new(vec![
            Cell::Text(String::new()),
            plan(tp),
            Cell::Num(ts),
            if any_plan {
                rate_bp(ts, tp)
            } else {
                Cell::Empty
            },
            Cell::Num(tj),
            plan(tp - tj),
        ])),
        notes: vec!["stats.n.budget"],
        chart: None,
    })
}
