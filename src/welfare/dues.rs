//! Dues: effective-dated rules, suspensions and exemptions, a month's dues per membership
//! (generated idempotently), payments, arrears.

use super::rules::{self, DuesProblem, DuesRule, OrgKind};
use super::store::organisation;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    dues, dues_exemptions, dues_payments, dues_rules, dues_suspensions, memberships, organisations,
    persons,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

type RuleRow = (
    i32,
    String,
    String,
    Option<String>,
    NaiveDate,
    Option<NaiveDate>,
    String,
    i32,
    Option<i32>,
    i64,
);

/// Every dues rule, newest first.
pub fn all_rules(conn: &mut DbConn) -> Result<Vec<(DuesRule, String)>, AppError> {
    let rows: Vec<(RuleRow, String)> = dues_rules::table
        .order((dues_rules::org_kind.asc(), dues_rules::valid_from.desc()))
        .select((
            (
                dues_rules::id,
                dues_rules::org_kind,
                dues_rules::applies_to,
                dues_rules::category,
                dues_rules::valid_from,
                dues_rules::valid_to,
                dues_rules::basis,
                dues_rules::rate_bp,
                dues_rules::cap_bp_of_base,
                dues_rules::fixed_vnd,
            ),
            dues_rules::reference,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, reference)| {
            (
                DuesRule {
                    id: r.0,
                    org_kind: r.1,
                    applies_to: r.2,
                    category: r.3,
                    valid_from: r.4,
                    valid_to: r.5,
                    basis: r.6,
                    rate_bp: r.7,
                    cap_bp_of_base: r.8,
                    fixed_vnd: r.9,
                },
                reference,
            )
        })
        .collect())
}

pub struct NewRule {
    pub org_kind: OrgKind,
    pub applies_to: String,
    pub category: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub basis: String,
    pub rate_bp: i32,
    pub cap_bp_of_base: Option<i32>,
    pub fixed_vnd: i64,
    pub reference: String,
}

/// Store command: a dues rule from a date. A later rule for the same members replaces an
/// earlier one from its start (the earlier one keeps the months before).
pub fn add_rule(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    r: &NewRule,
) -> Result<i32, AppError> {
    if !["working", "retired", "all"].contains(&r.applies_to.as_str())
        || !["salary", "pension", "fixed"].contains(&r.basis.as_str())
    {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if r.valid_to.is_some_and(|t| t < r.valid_from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    if !(0..=10_000).contains(&r.rate_bp)
        || r.cap_bp_of_base
            .is_some_and(|c| !(1..=100_000).contains(&c))
        || !(0..=100_000_000).contains(&r.fixed_vnd)
        || (r.basis == "fixed") != (r.rate_bp == 0)
        || r.cap_bp_of_base.is_some_and(|c| c > 10_000)
    {
        return Err(AppError::BadRequest("wf.err_rule_amount"));
    }
    // A later rule replaces an earlier one from its start; two for the same members from the
    // same day would leave it to chance which applies.
    let same_start: Vec<Option<String>> = dues_rules::table
        .filter(dues_rules::org_kind.eq(r.org_kind.code()))
        .filter(dues_rules::applies_to.eq(&r.applies_to))
        .filter(dues_rules::valid_from.eq(r.valid_from))
        .select(dues_rules::category)
        .load(conn)?;
    if same_start.contains(&r.category) {
        return Err(AppError::BadRequest("wf.err_rule_same_start"));
    }
    // Dues already made for a month stay as they were made: a rule in force in a month
    // already made would say otherwise of it.
    let last_month = r
        .valid_to
        .map(crate::periods::month_key)
        .unwrap_or_else(|| "9999-12".into());
    let made: i64 = dues::table
        .inner_join(memberships::table.inner_join(organisations::table))
        .filter(organisations::kind.eq(r.org_kind.code()))
        .filter(dues::month.between(crate::periods::month_key(r.valid_from), last_month))
        .count()
        .get_result(conn)?;
    if made > 0 {
        return Err(AppError::BadRequest("wf.err_rule_after_made"));
    }
    let id: i32 = diesel::insert_into(dues_rules::table)
        .values((
            dues_rules::org_kind.eq(r.org_kind.code()),
            dues_rules::applies_to.eq(&r.applies_to),
            dues_rules::category.eq(r.category.as_deref()),
            dues_rules::valid_from.eq(r.valid_from),
            dues_rules::valid_to.eq(r.valid_to),
            dues_rules::basis.eq(&r.basis),
            dues_rules::rate_bp.eq(r.rate_bp),
            dues_rules::cap_bp_of_base.eq(r.cap_bp_of_base),
            dues_rules::fixed_vnd.eq(r.fixed_vnd),
            dues_rules::reference.eq(&r.reference),
            dues_rules::created_at.eq(now),
            dues_rules::created_by.eq(actor.user_id),
        ))
        .returning(dues_rules::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dues_rule.create", "dues_rule")
            .id(id)
            .after(json!({
            "org_kind": r.org_kind.code(), "applies_to": r.applies_to, "category": r.category,
            "valid_from": r.valid_from, "valid_to": r.valid_to, "basis": r.basis,
            "rate_bp": r.rate_bp, "cap_bp_of_base": r.cap_bp_of_base, "fixed_vnd": r.fixed_vnd,
            "reference": r.reference})),
    )?;
    Ok(id)
}

#[derive(Queryable, Clone, Debug)]
pub struct Suspension {
    pub id: i32,
    pub org_kind: String,
    pub category: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub reason: String,
}

pub fn suspensions(conn: &mut DbConn) -> Result<Vec<Suspension>, AppError> {
    Ok(dues_suspensions::table
        .order(dues_suspensions::valid_from.desc())
        .select((
            dues_suspensions::id,
            dues_suspensions::org_kind,
            dues_suspensions::category,
            dues_suspensions::valid_from,
            dues_suspensions::valid_to,
            dues_suspensions::reason,
        ))
        .load(conn)?)
}

/// Store command: no dues for an organisation kind (and one category, or all) for a period.
pub fn add_suspension(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    s: &Suspension,
) -> Result<i32, AppError> {
    if s.valid_to < s.valid_from {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    let id: i32 = diesel::insert_into(dues_suspensions::table)
        .values((
            dues_suspensions::org_kind.eq(&s.org_kind),
            dues_suspensions::category.eq(s.category.as_deref()),
            dues_suspensions::valid_from.eq(s.valid_from),
            dues_suspensions::valid_to.eq(s.valid_to),
            dues_suspensions::reason.eq(&s.reason),
            dues_suspensions::created_at.eq(now),
            dues_suspensions::created_by.eq(actor.user_id),
        ))
        .returning(dues_suspensions::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dues_suspension.create", "dues_suspension")
            .id(id)
            .after(
                json!({"org_kind": s.org_kind, "category": s.category, "from": s.valid_from,
                "to": s.valid_to, "reason": s.reason}),
            ),
    )?;
    Ok(id)
}

/// Store command: excuses one membership from dues for a period.
pub fn add_exemption(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    membership: i32,
    from: NaiveDate,
    to: Option<NaiveDate>,
    reason: &str,
) -> Result<i32, AppError> {
    if to.is_some_and(|t| t < from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    let org: i32 = memberships::table
        .find(membership)
        .select(memberships::organisation_id)
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if organisation(conn, org)?.ended_on.is_some() {
        return Err(AppError::BadRequest("wf.err_dissolved"));
    }
    diesel::insert_into(dues_exemptions::table)
        .values((
            dues_exemptions::membership_id.eq(membership),
            dues_exemptions::valid_from.eq(from),
            dues_exemptions::valid_to.eq(to),
            dues_exemptions::reason.eq(reason),
            dues_exemptions::created_at.eq(now),
            dues_exemptions::created_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dues_exemption.create", "membership")
            .id(membership)
            .after(json!({"from": from, "to": to, "reason": reason})),
    )?;
    Ok(org)
}

/// An exemption from dues: (membership, from, to, reason).
pub type Exemption = (i32, NaiveDate, Option<NaiveDate>, String);

/// A person's exemptions, latest first.
pub fn exemptions_of(conn: &mut DbConn, person: i32) -> Result<Vec<Exemption>, AppError> {
    Ok(dues_exemptions::table
        .inner_join(memberships::table)
        .filter(memberships::person_id.eq(person))
        .order(dues_exemptions::valid_from.desc())
        .select((
            dues_exemptions::membership_id,
            dues_exemptions::valid_from,
            dues_exemptions::valid_to,
            dues_exemptions::reason,
        ))
        .load(conn)?)
}

/// What generating a month's dues does (or did).
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// (membership, amount, basis, rule) of the dues still to create.
    pub to_create: Vec<(i32, Vnd, Vnd, i32)>,
    pub already: usize,
    pub exempt: usize,
    /// Members whose dues could not be worked out: (name, reason key).
    pub problems: Vec<(String, &'static str)>,
}

impl Plan {
    pub fn total(&self) -> Vnd {
        Vnd(self.to_create.iter().map(|x| x.1 .0).sum())
    }
}

/// The dues of every member of an organisation for a month ("yyyy-mm") as the rules in force
/// on its first day say, leaving out what was generated already.
pub fn plan(conn: &mut DbConn, org_id: i32, month: &str) -> Result<Plan, AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("month.err_bad"))?;
    let (_, last) = crate::subsidy::store::month_of(first);
    let org = organisation(conn, org_id)?;
    type Row = (i32, i32, String, String, String, Option<NaiveDate>);
    let members: Vec<Row> = memberships::table
        .inner_join(persons::table)
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::joined_on.le(last))
        .filter(
            memberships::ended_on
                .is_null()
                .or(memberships::ended_on.ge(first)),
        )
        .select((
            memberships::id,
            persons::id,
            persons::full_name,
            persons::status,
            persons::category,
            persons::status_date,
        ))
        .load(conn)?;
    let done: std::collections::HashSet<i32> = dues::table
        .inner_join(memberships::table)
        .filter(dues::month.eq(month))
        .filter(memberships::organisation_id.eq(org_id))
        .select(dues::membership_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    let rules: Vec<DuesRule> = all_rules(conn)?.into_iter().map(|r| r.0).collect();
    let susp = suspensions(conn)?;
    let exemptions: Vec<(i32, NaiveDate, Option<NaiveDate>)> = dues_exemptions::table
        .select((
            dues_exemptions::membership_id,
            dues_exemptions::valid_from,
            dues_exemptions::valid_to,
        ))
        .load(conn)?;
    let base = crate::subsidy::store::base_salary_on(conn, first)?;
    let salaries: HashMap<i32, Vnd> = crate::subsidy::store::bases_on(conn, first)?
        .into_iter()
        .filter_map(|b| base.map(|bs| (b.person_id, b.monthly(bs))))
        .collect();
    let pensions = super::retirees::pensions_on(conn, first)?;
    let mut out = Plan::default();
    for (mid, pid, name, status, category, status_date) in members {
        if done.contains(&mid) {
            out.already += 1;
            continue;
        }
        // Gone (left or died) before the month began: no dues.
        if crate::people::rules::gone_from(&status, status_date, first).is_some_and(|g| g <= first)
        {
            continue;
        }
        let suspended = susp.iter().any(|s| {
            s.org_kind == org.kind
                && s.category.as_deref().is_none_or(|c| c == category)
                && s.valid_from <= first
                && first <= s.valid_to
        });
        let exempt = exemptions
            .iter()
            .any(|(m, f, t)| *m == mid && rules::within(*f, *t, first));
        if suspended || exempt {
            out.exempt += 1;
            continue;
        }
        let retired = status == "retired";
        let Some(rule) = rules::rule_for(&rules, &org.kind, retired, &category, first) else {
            out.problems.push((name, DuesProblem::NoRule.key()));
            continue;
        };
        match rules::dues_amount(
            rule,
            salaries.get(&pid).copied(),
            pensions.get(&pid).copied(),
            base,
        ) {
            Ok((amount, basis)) => out.to_create.push((mid, amount, basis, rule.id)),
            Err(p) => out.problems.push((name, p.key())),
        }
    }
    Ok(out)
}

/// Inserts a month's dues: (membership, amount, basis, rule). On PostgreSQL in one statement
/// per 10 000 rows (one round trip, not one per member); on SQLite row by row (no round
/// trips there, and the statement is prepared once).
fn insert_dues(
    conn: &mut DbConn,
    month: &str,
    rows: &[(i32, Vnd, Vnd, i32)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    #[cfg(feature = "postgres")]
    if let DbConn::Pg(pg) = conn {
        use diesel::sql_types::{Array, BigInt, Integer, Text, Timestamp};
        for chunk in rows.chunks(10_000) {
            diesel::sql_query(
                "INSERT INTO dues (membership_id, month, amount_vnd, basis_vnd, rule_id, created_at) \
                 SELECT m, $1, a, b, r, $2 FROM unnest($3::int4[], $4::int8[], $5::int8[], $6::int4[]) \
                 AS t(m, a, b, r)",
            )
            .bind::<Text, _>(month)
            .bind::<Timestamp, _>(now)
            .bind::<Array<Integer>, _>(chunk.iter().map(|x| x.0).collect::<Vec<i32>>())
            .bind::<Array<BigInt>, _>(chunk.iter().map(|x| x.1 .0).collect::<Vec<i64>>())
            .bind::<Array<BigInt>, _>(chunk.iter().map(|x| x.2 .0).collect::<Vec<i64>>())
            .bind::<Array<Integer>, _>(chunk.iter().map(|x| x.3).collect::<Vec<i32>>())
            .execute(pg)?;
        }
        return Ok(());
    }
    for (mid, amount, basis, rule) in rows {
        diesel::insert_into(dues::table)
            .values((
                dues::membership_id.eq(mid),
                dues::month.eq(month),
                dues::amount_vnd.eq(amount.0),
                dues::basis_vnd.eq(basis.0),
                dues::rule_id.eq(rule),
                dues::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Store command: generates a month's dues of an organisation (see `plan`). Generating again
/// adds only what is missing (new members); amounts already generated never change. A
/// dissolved organisation generates nothing for months after it ended.
pub fn generate(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    org_id: i32,
    month: &str,
) -> Result<Plan, AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("month.err_bad"))?;
    let org = organisation(conn, org_id)?;
    if org.ended_on.is_some() {
        return Err(AppError::BadRequest("wf.err_dissolved"));
    }
    if first < org.started_on.with_day(1).unwrap_or(org.started_on) {
        return Err(AppError::BadRequest("wf.err_month_before_org"));
    }
    // Dues are owed month by month: not for months still to come.
    let this_month = crate::clock::business_date_of(now)
        .with_day(1)
        .unwrap_or(first);
    if first > this_month {
        return Err(AppError::BadRequest("wf.err_future_month"));
    }
    let p = plan(conn, org_id, month)?;
    insert_dues(conn, month, &p.to_create, now)?;
    if !p.to_create.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            Entry::new("dues.generate", "organisation")
                .id(org_id)
                .after(json!({"organisation": org.name, "month": month,
                    "created": p.to_create.len(), "total_vnd": p.total()})),
        )?;
    }
    Ok(p)
}

/// "10/2026" for "2026-10".
fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => month.to_string(),
    }
}

/// A person's dues of a month to deduct from pay, by kind of organisation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PayrollDues {
    /// Trade union (grassroots union and union groups).
    pub union: i64,
    /// Party cell or committee.
    pub party: i64,
    /// Any other organisation (youth union, women's committee, …).
    pub other: i64,
}

impl PayrollDues {
    pub fn total(&self) -> i64 {
        self.union + self.party + self.other
    }
}

/// The month's dues collected by payroll deduction, per person: dues of memberships collected
/// that way, unpaid or paid by the deduction (not those settled in cash or by transfer).
pub fn payroll_dues(conn: &mut DbConn, month: &str) -> Result<HashMap<i32, PayrollDues>, AppError> {
    let rows: Vec<(i32, String, i64, Option<String>)> = dues::table
        .inner_join(memberships::table.inner_join(organisations::table))
        .left_join(dues_payments::table)
        .filter(dues::month.eq(month))
        .filter(memberships::collect_by.eq(rules::Collect::Payroll.code()))
        .filter(dues::amount_vnd.gt(0))
        .select((
            memberships::person_id,
            organisations::kind,
            dues::amount_vnd,
            dues_payments::method.nullable(),
        ))
        .load(conn)?;
    let mut out: HashMap<i32, PayrollDues> = HashMap::new();
    for (person, kind, amount, method) in rows {
        if method.is_some_and(|m| m != rules::Collect::Payroll.code()) {
            continue;
        }
        let e = out.entry(person).or_default();
        match kind.as_str() {
            "union" | "union_group" => e.union += amount,
            "party_cell" | "party_committee" => e.party += amount,
            _ => e.other += amount,
        }
    }
    Ok(out)
}

/// One member's dues of a month with its payment.
#[derive(Clone, Debug)]
pub struct DuesLine {
    pub dues_id: i32,
    pub membership_id: i32,
    pub code: String,
    pub name: String,
    pub amount: Vnd,
    pub basis: Vnd,
    pub collect_by: String,
    pub paid: Option<(NaiveDate, String, String)>,
}

pub fn month_lines(conn: &mut DbConn, org_id: i32, month: &str) -> Result<Vec<DuesLine>, AppError> {
    type Row = (
        i32,
        i32,
        String,
        String,
        i64,
        i64,
        String,
        Option<(NaiveDate, String, String)>,
    );
    let rows: Vec<Row> = dues::table
        .inner_join(memberships::table.inner_join(persons::table))
        .left_join(dues_payments::table)
        .filter(memberships::organisation_id.eq(org_id))
        .filter(dues::month.eq(month))
        .order((persons::sort_key.asc(), dues::id.asc()))
        .select((
            dues::id,
            memberships::id,
            persons::employee_code,
            persons::full_name,
            dues::amount_vnd,
            dues::basis_vnd,
            memberships::collect_by,
            (
                dues_payments::paid_on,
                dues_payments::method,
                dues_payments::receipt_no,
            )
                .nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| DuesLine {
            dues_id: r.0,
            membership_id: r.1,
            code: r.2,
            name: r.3,
            amount: Vnd(r.4),
            basis: Vnd(r.5),
            collect_by: r.6,
            paid: r.7,
        })
        .collect())
}

/// A receipt of dues into an organisation's fund.
struct Receipt<'a> {
    fund: i32,
    date: NaiveDate,
    amount: i64,
    description: &'a str,
    person: Option<i32>,
    source: &'a str,
}

/// Posts the receipt voucher of dues payments and links the payments to it.
fn receive(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    r: &Receipt<'_>,
    dues_ids: &[i32],
) -> Result<(), AppError> {
    let v = crate::ledger::store::post(
        conn,
        actor,
        now,
        &crate::ledger::store::NewVoucher {
            fund: r.fund,
            kind: crate::ledger::store::RECEIPT,
            date: r.date,
            amount: Vnd(r.amount),
            description: r.description,
            person: r.person,
            source: Some(r.source),
        },
    )?;
    diesel::update(dues_payments::table.filter(dues_payments::dues_id.eq_any(dues_ids)))
        .set(dues_payments::voucher_id.eq(v.id))
        .execute(conn)?;
    Ok(())
}

/// A month's dues are paid from the month before (in advance) up to today, not years apart.
fn check_paid_on(month: &str, paid_on: NaiveDate, now: NaiveDateTime) -> Result<(), AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("month.err_bad"))?;
    let earliest = (first - chrono::Duration::days(1))
        .with_day(1)
        .unwrap_or(first);
    if paid_on < earliest || paid_on > crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("wf.err_paid_on"));
    }
    Ok(())
}

/// Store command: undoes the dues payments a receipt voucher recorded, when that voucher is
/// reversed (the dues are owed again). Returns how many. Audited.
pub fn unpay_voucher(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    voucher: i32,
) -> Result<usize, AppError> {
    let ids: Vec<(i32, i64)> = dues_payments::table
        .filter(dues_payments::voucher_id.eq(voucher))
        .select((dues_payments::dues_id, dues_payments::amount_vnd))
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let n = diesel::delete(dues_payments::table.filter(dues_payments::voucher_id.eq(voucher)))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dues.unpay", "voucher")
            .id(voucher)
            .after(json!({
                "dues": ids.iter().map(|x| x.0).collect::<Vec<i32>>(),
                "total_vnd": ids.iter().map(|x| x.1).sum::<i64>(),
            })),
    )?;
    Ok(n)
}

/// Store command: records a month's dues as paid (once). Returns the organisation and month.
pub fn pay(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    dues_id: i32,
    paid_on: NaiveDate,
    method: rules::Collect,
    receipt_no: &str,
) -> Result<(i32, String), AppError> {
    let (mid, month, amount): (i32, String, i64) = dues::table
        .find(dues_id)
        .select((dues::membership_id, dues::month, dues::amount_vnd))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let org: i32 = memberships::table
        .find(mid)
        .select(memberships::organisation_id)
        .get_result(conn)?;
    let o = organisation(conn, org)?;
    if o.ended_on.is_some_and(|e| e < paid_on) {
        return Err(AppError::BadRequest("wf.err_dissolved"));
    }
    check_paid_on(&month, paid_on, now)?;
    let paid: i64 = dues_payments::table
        .find(dues_id)
        .count()
        .get_result(conn)?;
    if paid > 0 {
        return Err(AppError::BadRequest("wf.err_already_paid"));
    }
    diesel::insert_into(dues_payments::table)
        .values((
            dues_payments::dues_id.eq(dues_id),
            dues_payments::paid_on.eq(paid_on),
            dues_payments::method.eq(method.code()),
            dues_payments::receipt_no.eq(receipt_no),
            dues_payments::amount_vnd.eq(amount),
            dues_payments::recorded_at.eq(now),
            dues_payments::recorded_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    // Into the organisation's fund: a receipt voucher for the payment.
    if let Some(fund) = o.fund_id {
        let (person, name): (i32, String) = memberships::table
            .inner_join(persons::table)
            .filter(memberships::id.eq(mid))
            .select((persons::id, persons::full_name))
            .get_result(conn)?;
        let description = format!(
            "Thu phí tháng {} — {name}{}",
            month_label(&month),
            if receipt_no.is_empty() {
                String::new()
            } else {
                format!(" (biên lai {receipt_no})")
            }
        );
        let source = format!("dues:{dues_id}");
        let receipt = Receipt {
            fund,
            date: paid_on,
            amount,
            description: &description,
            person: Some(person),
            source: &source,
        };
        receive(conn, actor, now, &receipt, &[dues_id])?;
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dues.pay", "membership").id(mid).after(
            json!({"month": month, "amount_vnd": amount, "paid_on": paid_on,
                "method": method.code(), "receipt_no": receipt_no}),
        ),
    )?;
    Ok((org, month))
}

/// Store command: records the month's unpaid dues of members paying by payroll deduction as
/// collected through the payroll on a day (one step for the whole month). Returns how many.
pub fn collect_payroll(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    org_id: i32,
    month: &str,
    paid_on: NaiveDate,
) -> Result<usize, AppError> {
    let o = organisation(conn, org_id)?;
    if o.ended_on.is_some_and(|e| e < paid_on) {
        return Err(AppError::BadRequest("wf.err_dissolved"));
    }
    check_paid_on(month, paid_on, now)?;
    let open: Vec<(i32, i64)> = dues::table
        .inner_join(memberships::table)
        .left_join(dues_payments::table)
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::collect_by.eq(rules::Collect::Payroll.code()))
        .filter(dues::month.eq(month))
        .filter(dues::amount_vnd.gt(0))
        .filter(dues_payments::dues_id.nullable().is_null())
        .select((dues::id, dues::amount_vnd))
        .load(conn)?;
    for (id, amount) in &open {
        diesel::insert_into(dues_payments::table)
            .values((
                dues_payments::dues_id.eq(id),
                dues_payments::paid_on.eq(paid_on),
                dues_payments::method.eq(rules::Collect::Payroll.code()),
                dues_payments::receipt_no.eq(""),
                dues_payments::amount_vnd.eq(amount),
                dues_payments::recorded_at.eq(now),
                dues_payments::recorded_by.eq(actor.user_id),
            ))
            .execute(conn)?;
    }
    // Into the organisation's fund: one receipt voucher for the whole collection.
    if let (Some(fund), false) = (o.fund_id, open.is_empty()) {
        let total: i64 = open.iter().map(|x| x.1).sum();
        let description = format!(
            "Thu phí tháng {} qua lương — {} ({} người)",
            month_label(month),
            o.name,
            open.len()
        );
        let source = format!("dues_payroll:{org_id}:{month}");
        let receipt = Receipt {
            fund,
            date: paid_on,
            amount: total,
            description: &description,
            person: None,
            source: &source,
        };
        let ids: Vec<i32> = open.iter().map(|x| x.0).collect();
        receive(conn, actor, now, &receipt, &ids)?;
    }
    if !open.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            Entry::new("dues.collect_payroll", "organisation")
                .id(org_id)
                .after(
                    json!({"month": month, "paid_on": paid_on, "count": open.len(),
                    "total_vnd": open.iter().map(|x| x.1).sum::<i64>()}),
                ),
        )?;
    }
    Ok(open.len())
}

/// A member in arrears: unpaid months in a row up to the latest generated, and the sum owed.
#[derive(Clone, Debug)]
pub struct Arrears {
    pub membership_id: i32,
    pub code: String,
    pub name: String,
    pub months_in_a_row: usize,
    pub unpaid_months: usize,
    pub owed: Vnd,
}

/// The open members of an organisation who owe dues, most months in a row first.
pub fn arrears(conn: &mut DbConn, org_id: i32) -> Result<Vec<Arrears>, AppError> {
    type Row = (i32, String, String, String, i64, bool);
    let rows: Vec<Row> = dues::table
        .inner_join(memberships::table.inner_join(persons::table))
        .left_join(dues_payments::table)
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::ended_on.is_null())
        .filter(dues::amount_vnd.gt(0))
        .order((memberships::id.asc(), dues::month.asc()))
        .select((
            memberships::id,
            persons::employee_code,
            persons::full_name,
            dues::month,
            dues::amount_vnd,
            dues_payments::dues_id.nullable().is_not_null(),
        ))
        .load(conn)?;
    let mut out: Vec<Arrears> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let m = rows[i].0;
        let mine: Vec<&Row> = rows[i..].iter().take_while(|r| r.0 == m).collect();
        i += mine.len();
        // Months in a row: the latest months back while unpaid and one after another.
        let mut paid: Vec<bool> = Vec::new();
        let mut next: Option<NaiveDate> = None;
        for r in mine.iter().rev() {
            let m = crate::ui::format::parse_month(&r.3);
            let follows = match (m, next) {
                (Some(m), Some(n)) => m.checked_add_months(chrono::Months::new(1)) == Some(n),
                _ => true,
            };
            if r.5 || !follows {
                break;
            }
            paid.push(false);
            next = m;
        }
        let in_a_row = paid.len();
        let paid: Vec<bool> = mine.iter().map(|r| r.5).collect();
        let owed: i64 = mine.iter().filter(|r| !r.5).map(|r| r.4).sum();
        if owed > 0 {
            out.push(Arrears {
                membership_id: m,
                code: mine[0].1.clone(),
                name: mine[0].2.clone(),
                months_in_a_row: in_a_row,
                unpaid_months: paid.iter().filter(|p| !**p).count(),
                owed: Vnd(owed),
            });
        }
    }
    out.sort_by(|a, b| {
        b.months_in_a_row
            .cmp(&a.months_in_a_row)
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}

/// One of a person's own dues: (organisation, month, amount, paid on).
pub type OwnDues = (String, String, Vnd, Option<NaiveDate>);

/// A person's own dues, newest first.
pub fn dues_of(conn: &mut DbConn, person: i32) -> Result<Vec<OwnDues>, AppError> {
    use crate::db::schema::organisations;
    let rows: Vec<(String, String, i64, Option<NaiveDate>)> = dues::table
        .inner_join(memberships::table.inner_join(organisations::table))
        .left_join(dues_payments::table)
        .filter(memberships::person_id.eq(person))
        .order(dues::month.desc())
        .limit(36)
        .select((
            organisations::name,
            dues::month,
            dues::amount_vnd,
            dues_payments::paid_on.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(o, m, a, p)| (o, m, Vnd(a), p))
        .collect())
}
