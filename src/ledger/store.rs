//! All diesel code of funds, budgets and vouchers.

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{fund_budgets, funds, vouchers};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

pub const RECEIPT: &str = "receipt";
/// The largest amount one voucher may carry (100 billion đồng): sums of a fund's year stay far
/// from overflowing.
pub const MAX_VOUCHER: Vnd = Vnd(100_000_000_000);
pub const PAYMENT: &str = "payment";

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = funds)]
pub struct Fund {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub active: bool,
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = vouchers)]
pub struct Voucher {
    pub id: i32,
    pub fund_id: i32,
    pub year: i32,
    pub kind: String,
    pub number: i32,
    pub voucher_date: NaiveDate,
    #[diesel(deserialize_as = i64)]
    pub amount_vnd: Vnd,
    pub description: String,
    pub person_id: Option<i32>,
    pub source: Option<String>,
    pub reverses: Option<i32>,
    pub posted_at: NaiveDateTime,
}

impl Voucher {
    /// "PC 2026/12" for payment 12 of 2026.
    pub fn label(&self) -> String {
        let prefix = if self.kind == RECEIPT { "PT" } else { "PC" };
        format!("{prefix} {}/{}", self.year, self.number)
    }
    /// Posted by closing a month (its subsidy): undone only by reopening that month.
    pub fn from_month(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| s.starts_with("subsidy_month:"))
    }
    /// The voucher's effect on its fund's balance.
    pub fn signed(&self) -> i64 {
        if self.kind == RECEIPT {
            self.amount_vnd.0
        } else {
            -self.amount_vnd.0
        }
    }
}

pub fn funds(conn: &mut DbConn) -> Result<Vec<Fund>, AppError> {
    Ok(funds::table
        .order(funds::code.asc())
        .select(Fund::as_select())
        .load(conn)?)
}

pub fn fund(conn: &mut DbConn, id: i32) -> Result<Option<Fund>, AppError> {
    Ok(funds::table
        .find(id)
        .select(Fund::as_select())
        .get_result(conn)
        .optional()?)
}

/// Store command: a new fund (code unique). Audited.
pub fn create_fund(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    code: &str,
    name: &str,
    kind: &str,
) -> Result<i32, AppError> {
    if !matches!(kind, "budget" | "welfare" | "union") {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let taken: i64 = funds::table
        .filter(funds::code.eq(code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::BadRequest("fund.err_code_taken"));
    }
    let id = diesel::insert_into(funds::table)
        .values((
            funds::code.eq(code),
            funds::name.eq(name),
            funds::kind.eq(kind),
            funds::active.eq(true),
            funds::created_at.eq(now),
        ))
        .returning(funds::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("ledger_fund.create", "fund")
            .id(id)
            .after(json!({"code": code, "name": name, "kind": kind})),
    )?;
    Ok(id)
}

/// Store command: the planned amount of a fund for a year (replaces the previous). Audited.
pub fn set_budget(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    fund: i32,
    year: i32,
    planned: Vnd,
) -> Result<(), AppError> {
    if planned.0 < 0 || !(2000..=2100).contains(&year) {
        return Err(AppError::BadRequest("fund.err_budget"));
    }
    let before = budget(conn, fund, year)?;
    diesel::delete(
        fund_budgets::table
            .filter(fund_budgets::fund_id.eq(fund))
            .filter(fund_budgets::year.eq(year)),
    )
    .execute(conn)?;
    diesel::insert_into(fund_budgets::table)
        .values((
            fund_budgets::fund_id.eq(fund),
            fund_budgets::year.eq(year),
            fund_budgets::planned_vnd.eq(planned.0),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("ledger_fund.budget", "fund")
            .id(fund)
            .before(json!({"year": year, "planned_vnd": before}))
            .after(json!({"year": year, "planned_vnd": planned})),
    )
}

pub fn budget(conn: &mut DbConn, fund: i32, year: i32) -> Result<Option<Vnd>, AppError> {
    Ok(fund_budgets::table
        .filter(fund_budgets::fund_id.eq(fund))
        .filter(fund_budgets::year.eq(year))
        .select(fund_budgets::planned_vnd)
        .get_result::<i64>(conn)
        .optional()?
        .map(Vnd))
}

/// A voucher to post.
pub struct NewVoucher<'a> {
    pub fund: i32,
    pub kind: &'a str,
    pub date: NaiveDate,
    pub amount: Vnd,
    pub description: &'a str,
    pub person: Option<i32>,
    /// What it comes from ("subsidy_month:2026-10", "welfare_case:12").
    pub source: Option<&'a str>,
}

/// Refuses, unless `confirmed`, a payment beyond what a welfare or union fund holds in the
/// voucher's year (the balance the funds page shows, as welfare payments and gift lists check
/// it). A budget fund is drawn against its plan and goes below zero between allocations as a
/// matter of course: never asked.
pub fn ensure_can_pay(
    conn: &mut DbConn,
    fund_id: i32,
    date: NaiveDate,
    amount: Vnd,
    confirmed: bool,
) -> Result<(), AppError> {
    if confirmed {
        return Ok(());
    }
    let f = fund(conn, fund_id)?.ok_or(AppError::NotFound)?;
    let balance = year_figures(conn, fund_id, date.year())?.balance();
    if f.kind != "budget" && balance.0 - amount.0 < 0 {
        return Err(AppError::BadRequest("voucher.err_overdraw"));
    }
    Ok(())
}

/// Store command: posts a voucher with the next number of its fund, year and kind. The fund
/// must be active, the amount positive, the month open. Audited.
pub fn post(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    v: &NewVoucher<'_>,
) -> Result<Voucher, AppError> {
    post_inner(conn, actor, now, v, None)
}

fn post_inner(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    v: &NewVoucher<'_>,
    reverses: Option<i32>,
) -> Result<Voucher, AppError> {
    if v.kind != RECEIPT && v.kind != PAYMENT {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if v.amount.0 <= 0 || v.amount.0 > MAX_VOUCHER.0 {
        return Err(AppError::BadRequest("voucher.err_amount"));
    }
    // Not dated ahead: a voucher records money that moved (and a future one could not be
    // reversed until its day).
    if v.date > crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("voucher.err_future"));
    }
    let description = v.description.trim();
    if description.is_empty() || description.chars().count() > 300 {
        return Err(AppError::BadRequest("voucher.err_description"));
    }
    let f = fund(conn, v.fund)?.ok_or(AppError::NotFound)?;
    if !f.active {
        return Err(AppError::BadRequest("voucher.err_fund_closed"));
    }
    crate::periods::ensure_open(conn, v.date)?;
    let year = v.date.year();
    let last: Option<i32> = vouchers::table
        .filter(vouchers::fund_id.eq(v.fund))
        .filter(vouchers::year.eq(year))
        .filter(vouchers::kind.eq(v.kind))
        .select(diesel::dsl::max(vouchers::number))
        .get_result(conn)?;
    let number = last.unwrap_or(0) + 1;
    let id: i32 = diesel::insert_into(vouchers::table)
        .values((
            vouchers::fund_id.eq(v.fund),
            vouchers::year.eq(year),
            vouchers::kind.eq(v.kind),
            vouchers::number.eq(number),
            vouchers::voucher_date.eq(v.date),
            vouchers::amount_vnd.eq(v.amount.0),
            vouchers::description.eq(description),
            vouchers::person_id.eq(v.person),
            vouchers::source.eq(v.source),
            vouchers::reverses.eq(reverses),
            vouchers::posted_at.eq(now),
            vouchers::posted_by.eq(actor.user_id),
        ))
        .returning(vouchers::id)
        .get_result(conn)?;
    let posted = voucher(conn, id)?.ok_or(AppError::NotFound)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new(
            if reverses.is_some() {
                "ledger_voucher.reverse"
            } else {
                "ledger_voucher.post"
            },
            "voucher",
        )
        .id(id)
        .after(
            json!({"fund": f.code, "voucher": posted.label(), "date": v.date,
            "amount_vnd": v.amount, "description": description, "person_id": v.person,
            "source": v.source, "reverses": reverses}),
        ),
    )?;
    Ok(posted)
}

pub fn voucher(conn: &mut DbConn, id: i32) -> Result<Option<Voucher>, AppError> {
    Ok(vouchers::table
        .find(id)
        .select(Voucher::as_select())
        .get_result(conn)
        .optional()?)
}

/// Store command: corrects a posted voucher by one of the opposite kind for the same amount,
/// linked to it (a voucher is reversed at most once; a reversal is not reversed). Audited.
pub fn reverse(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    date: NaiveDate,
    reason: &str,
) -> Result<Voucher, AppError> {
    let v = voucher(conn, id)?.ok_or(AppError::NotFound)?;
    if v.reverses.is_some() {
        return Err(AppError::BadRequest("voucher.err_reverse_reversal"));
    }
    let done: i64 = vouchers::table
        .filter(vouchers::reverses.eq(id))
        .count()
        .get_result(conn)?;
    if done > 0 {
        return Err(AppError::BadRequest("voucher.err_reversed_already"));
    }
    if date < v.voucher_date {
        return Err(AppError::BadRequest("voucher.err_reverse_date"));
    }
    let description = format!("Đảo {}: {}", v.label(), reason.trim());
    let kind = if v.kind == RECEIPT { PAYMENT } else { RECEIPT };
    let source = format!("reverses:{}", v.id);
    post_inner(
        conn,
        actor,
        now,
        &NewVoucher {
            fund: v.fund_id,
            kind,
            date,
            amount: v.amount_vnd,
            description: &description,
            person: v.person_id,
            source: Some(&source),
        },
        Some(v.id),
    )
}

/// Store command: an accountant reverses a voucher by hand. A month's subsidy voucher is
/// not theirs to reverse: it follows the month (reopening an unsigned month reverses it).
pub fn reverse_by_hand(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    date: NaiveDate,
    reason: &str,
) -> Result<Voucher, AppError> {
    let v = voucher(conn, id)?.ok_or(AppError::NotFound)?;
    if v.from_month() {
        return Err(AppError::BadRequest("voucher.err_from_month"));
    }
    let reversal = reverse(conn, actor, now, id, date, reason)?;
    // A receipt of dues, reversed: those dues are owed again.
    crate::welfare::dues::unpay_voucher(conn, actor, now, id)?;
    Ok(reversal)
}

/// A fund's vouchers of a year, in number order (receipts, then payments).
/// Vouchers posted from `source` that no reversal undoes yet (ids).
pub fn vouchers_from(conn: &mut DbConn, source: &str) -> Result<Vec<i32>, AppError> {
    let ids: Vec<i32> = vouchers::table
        .filter(vouchers::source.eq(source))
        .filter(vouchers::reverses.is_null())
        .order(vouchers::id.asc())
        .select(vouchers::id)
        .load(conn)?;
    let reversed: Vec<Option<i32>> = vouchers::table
        .filter(vouchers::reverses.eq_any(&ids))
        .select(vouchers::reverses)
        .load(conn)?;
    Ok(ids
        .into_iter()
        .filter(|id| !reversed.contains(&Some(*id)))
        .collect())
}

pub fn vouchers_of(conn: &mut DbConn, fund: i32, year: i32) -> Result<Vec<Voucher>, AppError> {
    Ok(vouchers::table
        .filter(vouchers::fund_id.eq(fund))
        .filter(vouchers::year.eq(year))
        .order((vouchers::voucher_date.asc(), vouchers::id.asc()))
        .select(Voucher::as_select())
        .load(conn)?)
}

/// Of these vouchers, those a reversal undoes (whenever it is dated).
pub fn reversed_among(conn: &mut DbConn, ids: &[i32]) -> Result<Vec<i32>, AppError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            vouchers::table
                .filter(vouchers::reverses.eq_any(chunk))
                .select(vouchers::reverses.assume_not_null())
                .load::<i32>(conn)?,
        );
    }
    Ok(out)
}

/// A fund's year in figures: the balance brought forward, received and paid in the year (net
/// of reversals, each counted against the kind of what it reverses, whatever its year), the
/// balance, and the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearFigures {
    pub opening: Vnd,
    pub received: Vnd,
    pub spent: Vnd,
    pub planned: Option<Vnd>,
}

impl YearFigures {
    /// What the fund holds: brought forward, plus received, less spent.
    pub fn balance(&self) -> Vnd {
        Vnd(self.opening.0 + self.received.0 - self.spent.0)
    }
    /// Spent as a share of the plan, in whole percent rounded half up (None without a plan).
    pub fn used_percent(&self) -> Option<i64> {
        self.planned
            .filter(|p| p.0 > 0)
            .map(|p| (self.spent.0 * 200 + p.0).div_euclid(2 * p.0))
    }
}

/// The balance a fund brings into a year (every voucher of earlier years).
pub fn opening_balance(conn: &mut DbConn, fund: i32, year: i32) -> Result<Vnd, AppError> {
    let before: Vec<(String, i64)> = vouchers::table
        .filter(vouchers::fund_id.eq(fund))
        .filter(vouchers::year.lt(year))
        .select((vouchers::kind, vouchers::amount_vnd))
        .load(conn)?;
    Ok(Vnd(before
        .iter()
        .map(|(k, a)| if k == RECEIPT { *a } else { -*a })
        .sum()))
}

pub fn year_figures(conn: &mut DbConn, fund: i32, year: i32) -> Result<YearFigures, AppError> {
    let list = vouchers_of(conn, fund, year)?;
    let (mut received, mut spent) = (0i64, 0i64);
    for v in &list {
        // A reversal undoes what it reverses: it counts against that voucher's kind.
        let original = match v.reverses {
            Some(o) => match list.iter().find(|x| x.id == o) {
                Some(x) => Some(x.kind.clone()),
                None => voucher(conn, o)?.map(|x| x.kind),
            },
            None => None,
        };
        let kind = match original {
            Some(k) => (k, -v.amount_vnd.0),
            None => (v.kind.clone(), v.amount_vnd.0),
        };
        match kind {
            (k, a) if k == RECEIPT => received += a,
            (_, a) => spent += a,
        }
    }
    Ok(YearFigures {
        opening: opening_balance(conn, fund, year)?,
        received: Vnd(received),
        spent: Vnd(spent),
        planned: budget(conn, fund, year)?,
    })
}
