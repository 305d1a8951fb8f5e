//! Budget lines of a fund's year and the yearly fund report: each voucher falls on one line,
//! told by where it comes from (dues, a month's subsidy, a welfare case by its kind of benefit,
//! an occasion's list) or, for a voucher posted by hand, the line chosen when posting; a
//! reversal falls on the line of what it reverses. Planned against actual, line by line.

use super::store::{self, Fund, Voucher, RECEIPT};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{benefit_types, budget_lines, welfare_cases};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

/// Lines of receipts: (code, i18n key).
pub const RECEIPT_LINES: &[(&str, &str)] = &[
    ("dues", "fund.line_dues"),
    ("allocation", "fund.line_allocation"),
    ("donation", "fund.line_donation"),
    ("other_in", "fund.line_other_in"),
];

/// Lines of payments: the meal subsidy, then each kind of benefit (gifts of occasions among
/// them), then anything else.
pub const PAYMENT_LINES: &[(&str, &str)] = &[
    ("meal_subsidy", "fund.line_meal_subsidy"),
    ("sick", "wf.bk_sick"),
    ("hospital", "wf.bk_hospital"),
    ("serious_illness", "wf.bk_serious_illness"),
    ("funeral", "wf.bk_funeral"),
    ("wedding", "wf.bk_wedding"),
    ("birth", "wf.bk_birth"),
    ("hardship", "wf.bk_hardship"),
    ("retirement", "wf.bk_retirement"),
    ("occasion", "wf.bk_occasion"),
    ("other", "fund.line_other_out"),
];

/// The lines a voucher of this kind may be put on by hand.
pub fn lines_for(kind: &str) -> &'static [(&'static str, &'static str)] {
    if kind == RECEIPT {
        RECEIPT_LINES
    } else {
        PAYMENT_LINES
    }
}

pub fn is_line(code: &str) -> bool {
    RECEIPT_LINES
        .iter()
        .chain(PAYMENT_LINES)
        .any(|(c, _)| *c == code)
}

/// The `source` of a voucher posted by hand on a line.
pub fn manual_source(line: &str) -> String {
    format!("manual:{line}")
}

/// The line of a voucher that is not a reversal, from its source and kind (`case_kinds`: the
/// kind of benefit of each welfare case).
pub fn line_of(source: Option<&str>, kind: &str, case_kinds: &HashMap<i32, String>) -> String {
    let fallback = if kind == RECEIPT { "other_in" } else { "other" };
    let Some(src) = source else {
        return fallback.to_string();
    };
    let (prefix, rest) = src.split_once(':').unwrap_or((src, ""));
    let line = match prefix {
        "dues" | "dues_payroll" => "dues".to_string(),
        "subsidy_month" => "meal_subsidy".to_string(),
        "occasion" => "occasion".to_string(),
        "welfare_case" => rest
            .parse::<i32>()
            .ok()
            .and_then(|id| case_kinds.get(&id).cloned())
            .unwrap_or_else(|| fallback.to_string()),
        "manual" => rest.to_string(),
        _ => fallback.to_string(),
    };
    // Only a line of the voucher's own side counts; anything else is "other".
    if lines_for(kind).iter().any(|(c, _)| *c == line) {
        line
    } else {
        fallback.to_string()
    }
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFigure {
    pub line: &'static str,
    pub key: &'static str,
    pub planned: Option<Vnd>,
    pub actual: Vnd,
}

impl LineFigure {
    /// Planned less actual (None without a plan).
    pub fn remaining(&self) -> Option<Vnd> {
        self.planned.map(|p| Vnd(p.0 - self.actual.0))
    }
    /// Actual as a share of the plan, in whole percent rounded half up (2 of 12: 17 %).
    pub fn used_percent(&self) -> Option<i64> {
        self.planned
            .filter(|p| p.0 > 0)
            .map(|p| (self.actual.0 * 200 + p.0).div_euclid(2 * p.0))
    }
}

/// A fund's year: the balance brought forward, receipts and payments by line, the balance at
/// the end of the year.
#[derive(Clone, Debug)]
pub struct FundReport {
    pub fund: Fund,
    pub year: i32,
    pub opening: Vnd,
    pub receipts: Vec<LineFigure>,
    pub payments: Vec<LineFigure>,
}

impl FundReport {
    pub fn received(&self) -> Vnd {
        Vnd(self.receipts.iter().map(|l| l.actual.0).sum())
    }
    pub fn spent(&self) -> Vnd {
        Vnd(self.payments.iter().map(|l| l.actual.0).sum())
    }
    pub fn planned_spending(&self) -> Option<Vnd> {
        let planned: Vec<i64> = self
            .payments
            .iter()
            .filter_map(|l| l.planned.map(|p| p.0))
            .collect();
        (!planned.is_empty()).then(|| Vnd(planned.iter().sum()))
    }
    pub fn closing(&self) -> Vnd {
        Vnd(self.opening.0 + self.received().0 - self.spent().0)
    }
}

fn case_kinds(conn: &mut DbConn, list: &[Voucher]) -> Result<HashMap<i32, String>, AppError> {
    let ids: Vec<i32> = list
        .iter()
        .filter_map(|v| v.source.as_deref()?.strip_prefix("welfare_case:"))
        .filter_map(|s| s.parse().ok())
        .collect();
    Ok(welfare_cases::table
        .inner_join(benefit_types::table)
        .filter(welfare_cases::id.eq_any(ids))
        .select((welfare_cases::id, benefit_types::kind))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn planned_lines(
    conn: &mut DbConn,
    fund: i32,
    year: i32,
) -> Result<HashMap<String, Vnd>, AppError> {
    Ok(budget_lines::table
        .filter(budget_lines::fund_id.eq(fund))
        .filter(budget_lines::year.eq(year))
        .select((budget_lines::line, budget_lines::planned_vnd))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(l, p)| (l, Vnd(p)))
        .collect())
}

pub fn report(conn: &mut DbConn, fund_id: i32, year: i32) -> Result<FundReport, AppError> {
    let fund = store::fund(conn, fund_id)?.ok_or(AppError::NotFound)?;
    let opening = store::opening_balance(conn, fund_id, year)?.0;
    let list = store::vouchers_of(conn, fund_id, year)?;
    // A reversal may undo a voucher of an earlier year: look those up too.
    let mut originals: HashMap<i32, Voucher> = list.iter().map(|v| (v.id, v.clone())).collect();
    for v in &list {
        if let Some(o) = v.reverses.filter(|o| !originals.contains_key(o)) {
            if let Some(orig) = store::voucher(conn, o)? {
                originals.insert(o, orig);
            }
        }
    }
    let all: Vec<Voucher> = originals.values().cloned().collect();
    let kinds = case_kinds(conn, &all)?;
    let mut actual: HashMap<(bool, String), i64> = HashMap::new();
    for v in &list {
        let (receipt, line, amount) = match v.reverses.and_then(|o| originals.get(&o)) {
            Some(orig) => (
                orig.kind == RECEIPT,
                line_of(orig.source.as_deref(), &orig.kind, &kinds),
                -v.amount_vnd.0,
            ),
            None => (
                v.kind == RECEIPT,
                line_of(v.source.as_deref(), &v.kind, &kinds),
                v.amount_vnd.0,
            ),
        };
        *actual.entry((receipt, line)).or_default() += amount;
    }
    let planned = planned_lines(conn, fund_id, year)?;
    let figures = |receipt: bool, lines: &'static [(&'static str, &'static str)]| {
        lines
            .iter()
            .map(|(code, key)| LineFigure {
                line: code,
                key,
                planned: planned.get(*code).copied(),
                actual: Vnd(actual
                    .get(&(receipt, code.to_string()))
                    .copied()
                    .unwrap_or(0)),
            })
            .collect::<Vec<_>>()
    };
    Ok(FundReport {
        receipts: figures(true, RECEIPT_LINES),
        payments: figures(false, PAYMENT_LINES),
        fund,
        year,
        opening: Vnd(opening),
    })
}

/// Store command: the planned amounts of a fund's year by line (each given line replaced;
/// None removes the line's plan). The fund's yearly plan becomes the sum of the planned
/// payments. Audited with what it replaced.
pub fn set_lines(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    fund: i32,
    year: i32,
    lines: &[(&'static str, Option<Vnd>)],
) -> Result<(), AppError> {
    store::fund(conn, fund)?.ok_or(AppError::NotFound)?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::BadRequest("fund.err_budget"));
    }
    if lines
        .iter()
        .any(|(l, p)| !is_line(l) || p.is_some_and(|p| p.0 < 0 || p > store::MAX_VOUCHER))
    {
        return Err(AppError::BadRequest("fund.err_budget"));
    }
    let before = planned_lines(conn, fund, year)?;
    diesel::delete(
        budget_lines::table
            .filter(budget_lines::fund_id.eq(fund))
            .filter(budget_lines::year.eq(year)),
    )
    .execute(conn)?;
    for (line, planned) in lines {
        if let Some(p) = planned {
            diesel::insert_into(budget_lines::table)
                .values((
                    budget_lines::fund_id.eq(fund),
                    budget_lines::year.eq(year),
                    budget_lines::line.eq(*line),
                    budget_lines::planned_vnd.eq(p.0),
                ))
                .execute(conn)?;
        }
    }
    let spending: i64 = lines
        .iter()
        .filter(|(l, _)| PAYMENT_LINES.iter().any(|(c, _)| c == l))
        .filter_map(|(_, p)| p.map(|p| p.0))
        .sum();
    let any_spending = lines
        .iter()
        .any(|(l, p)| p.is_some() && PAYMENT_LINES.iter().any(|(c, _)| c == l));
    if any_spending {
        store::set_budget(conn, actor, now, fund, year, Vnd(spending))?;
    }
    let as_json = |m: &HashMap<String, Vnd>| {
        let mut v: Vec<(&String, &Vnd)> = m.iter().collect();
        v.sort();
        json!(v
            .into_iter()
            .map(|(l, p)| json!({"line": l, "planned_vnd": p}))
            .collect::<Vec<_>>())
    };
    let after = planned_lines(conn, fund, year)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("ledger_fund.budget_lines", "fund")
            .id(fund)
            .before(json!({"year": year, "lines": as_json(&before)}))
            .after(json!({"year": year, "lines": as_json(&after)})),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_the_plan_are_rounded_half_up() {
        let l = |actual: i64, planned: i64| LineFigure {
            line: "sick",
            key: "wf.bk_sick",
            planned: Some(Vnd(planned)),
            actual: Vnd(actual),
        };
        assert_eq!(l(2, 12).used_percent(), Some(17));
        assert_eq!(l(5_850_000, 74_000_000).used_percent(), Some(8));
        assert_eq!(l(1, 200).used_percent(), Some(1));
        assert_eq!(l(0, 5).used_percent(), Some(0));
    }

    #[test]
    fn a_voucher_falls_on_the_line_of_where_it_comes_from() {
        let kinds: HashMap<i32, String> = [(7, "funeral".to_string())].into_iter().collect();
        assert_eq!(
            line_of(Some("welfare_case:7"), "payment", &kinds),
            "funeral"
        );
        assert_eq!(line_of(Some("welfare_case:8"), "payment", &kinds), "other");
        assert_eq!(line_of(Some("occasion:3"), "payment", &kinds), "occasion");
        assert_eq!(line_of(Some("dues:12"), RECEIPT, &kinds), "dues");
        assert_eq!(
            line_of(Some("dues_payroll:1:2026-10"), RECEIPT, &kinds),
            "dues"
        );
        assert_eq!(
            line_of(Some("subsidy_month:2026-10"), "payment", &kinds),
            "meal_subsidy"
        );
        assert_eq!(
            line_of(Some("manual:donation"), RECEIPT, &kinds),
            "donation"
        );
        // A line of the other side, or none: "other".
        assert_eq!(line_of(Some("manual:donation"), "payment", &kinds), "other");
        assert_eq!(line_of(None, RECEIPT, &kinds), "other_in");
    }
}
