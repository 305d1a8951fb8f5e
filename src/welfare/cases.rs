//! The benefit catalogue and welfare cases: reported → approved (by someone other than the
//! reporter; by an approver above the threshold) → paid with a payment voucher in the fund
//! ledger, or rejected with a reason.

use super::rules::{self, BenefitKind, Limits};
use super::store::dependant;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    benefit_types, memberships, organisations, persons, settings, welfare_cases,
};
use crate::db::{is_unique_violation, DbConn};
use crate::error::AppError;
use crate::ledger::store as ledger;
use crate::money::Vnd;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

const THRESHOLD_KEY: &str = "welfare.approval_threshold_vnd";
/// Above this a case needs an approver (a setting; 2.000.000 ₫ until set).
pub const DEFAULT_THRESHOLD: Vnd = Vnd(2_000_000);

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = benefit_types)]
pub struct BenefitType {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub default_vnd: i64,
    pub max_vnd: i64,
    pub per_year_count: Option<i32>,
    pub per_year_vnd: Option<i64>,
    pub recipients: String,
    pub fund_id: i32,
    pub regulation: String,
    pub active: bool,
    pub relatives: String,
}

impl BenefitType {
    /// Who a case may be for: "self" and/or relationship codes (the member only when empty).
    pub fn allowed(&self) -> Vec<&str> {
        let v: Vec<&str> = self
            .relatives
            .split(',')
            .filter(|s| !s.is_empty())
            .collect();
        if v.is_empty() {
            vec!["self"]
        } else {
            v
        }
    }
    pub fn limits(&self) -> Limits {
        Limits {
            max: Vnd(self.max_vnd),
            per_year_count: self.per_year_count,
            per_year_total: self.per_year_vnd.map(Vnd),
        }
    }
    pub fn is_funeral(&self) -> bool {
        self.kind == BenefitKind::Funeral.code()
    }
}

pub fn benefit_types(conn: &mut DbConn) -> Result<Vec<BenefitType>, AppError> {
    Ok(benefit_types::table
        .order((benefit_types::active.desc(), benefit_types::name.asc()))
        .select(BenefitType::as_select())
        .load(conn)?)
}

pub struct NewBenefitType {
    pub code: String,
    pub name: String,
    pub kind: BenefitKind,
    pub default_vnd: Vnd,
    pub max_vnd: Vnd,
    pub per_year_count: Option<i32>,
    pub per_year_vnd: Option<Vnd>,
    pub recipients: String,
    pub fund_id: i32,
    pub regulation: String,
    /// "self" and/or relationship codes, comma-separated.
    pub relatives: String,
}

/// Store command: a benefit type in the catalogue. Returns its id.
pub fn add_benefit_type(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    b: &NewBenefitType,
) -> Result<i32, AppError> {
    if !["members", "retirees", "all"].contains(&b.recipients.as_str()) {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if b.max_vnd.0 <= 0
        || b.default_vnd.0 < 0
        || b.default_vnd > b.max_vnd
        || b.max_vnd > ledger::MAX_VOUCHER
    {
        return Err(AppError::BadRequest("wf.err_bt_amounts"));
    }
    if ledger::fund(conn, b.fund_id)?.is_none() {
        return Err(AppError::BadRequest("wf.err_fund"));
    }
    let taken: i64 = benefit_types::table
        .filter(benefit_types::code.eq(&b.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::BadRequest("wf.err_bt_code"));
    }
    let id: i32 = diesel::insert_into(benefit_types::table)
        .values((
            benefit_types::code.eq(&b.code),
            benefit_types::name.eq(&b.name),
            benefit_types::kind.eq(b.kind.code()),
            benefit_types::default_vnd.eq(b.default_vnd.0),
            benefit_types::max_vnd.eq(b.max_vnd.0),
            benefit_types::per_year_count.eq(b.per_year_count),
            benefit_types::per_year_vnd.eq(b.per_year_vnd.map(|v| v.0)),
            benefit_types::recipients.eq(&b.recipients),
            benefit_types::fund_id.eq(b.fund_id),
            benefit_types::regulation.eq(&b.regulation),
            benefit_types::relatives.eq(&b.relatives),
            benefit_types::created_at.eq(now),
        ))
        .returning(benefit_types::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("benefit_type.create", "benefit_type")
            .id(id)
            .after(json!({
            "code": b.code, "name": b.name, "kind": b.kind.code(), "default_vnd": b.default_vnd,
            "max_vnd": b.max_vnd, "per_year_count": b.per_year_count,
            "per_year_vnd": b.per_year_vnd, "recipients": b.recipients, "fund_id": b.fund_id,
            "regulation": b.regulation, "relatives": b.relatives})),
    )?;
    Ok(id)
}

/// The approval threshold.
pub fn threshold(conn: &mut DbConn) -> Result<Vnd, AppError> {
    let v: Option<String> = settings::table
        .find(THRESHOLD_KEY)
        .select(settings::value)
        .get_result(conn)
        .optional()?;
    Ok(v.and_then(|v| v.parse::<i64>().ok())
        .map(Vnd)
        .unwrap_or(DEFAULT_THRESHOLD))
}

#[derive(Clone, Debug)]
pub struct Case {
    pub id: i32,
    pub benefit: String,
    pub benefit_type_id: i32,
    pub person_id: i32,
    pub person: String,
    pub code: String,
    pub dependant_id: Option<i32>,
    pub event_date: NaiveDate,
    pub amount: Vnd,
    pub evidence: String,
    pub state: String,
    pub reported_by: i32,
    pub reject_reason: String,
    pub voucher_id: Option<i32>,
}

type CaseRow = (
    (i32, String, i32),
    (i32, String, String),
    Option<i32>,
    NaiveDate,
    i64,
    String,
    String,
    i32,
    String,
    Option<i32>,
);

fn case_of(r: CaseRow) -> Case {
    Case {
        id: r.0 .0,
        benefit: r.0 .1,
        benefit_type_id: r.0 .2,
        person_id: r.1 .0,
        person: r.1 .1,
        code: r.1 .2,
        dependant_id: r.2,
        event_date: r.3,
        amount: Vnd(r.4),
        evidence: r.5,
        state: r.6,
        reported_by: r.7,
        reject_reason: r.8,
        voucher_id: r.9,
    }
}

macro_rules! case_select {
    () => {
        (
            (welfare_cases::id, benefit_types::name, benefit_types::id),
            (persons::id, persons::full_name, persons::employee_code),
            welfare_cases::dependant_id,
            welfare_cases::event_date,
            welfare_cases::amount_vnd,
            welfare_cases::evidence,
            welfare_cases::state,
            welfare_cases::reported_by,
            welfare_cases::reject_reason,
            welfare_cases::voucher_id,
        )
    };
}

/// Cases, newest first, optionally in one state.
pub fn cases(conn: &mut DbConn, state: Option<&str>) -> Result<Vec<Case>, AppError> {
    let mut q = welfare_cases::table
        .inner_join(benefit_types::table)
        .inner_join(persons::table)
        .into_boxed();
    if let Some(s) = state {
        q = q.filter(welfare_cases::state.eq(s.to_string()));
    }
    let rows: Vec<CaseRow> = q
        .order((welfare_cases::event_date.desc(), welfare_cases::id.desc()))
        .limit(500)
        .select(case_select!())
        .load(conn)?;
    Ok(rows.into_iter().map(case_of).collect())
}

pub fn case(conn: &mut DbConn, id: i32) -> Result<Case, AppError> {
    let r: CaseRow = welfare_cases::table
        .inner_join(benefit_types::table)
        .inner_join(persons::table)
        .filter(welfare_cases::id.eq(id))
        .select(case_select!())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(case_of(r))
}

/// A person's own cases (for "My welfare").
pub fn cases_of(conn: &mut DbConn, person: i32) -> Result<Vec<Case>, AppError> {
    let rows: Vec<CaseRow> = welfare_cases::table
        .inner_join(benefit_types::table)
        .inner_join(persons::table)
        .filter(welfare_cases::person_id.eq(person))
        .order(welfare_cases::event_date.desc())
        .select(case_select!())
        .load(conn)?;
    Ok(rows.into_iter().map(case_of).collect())
}

pub struct NewCase {
    pub benefit_type_id: i32,
    pub person_id: i32,
    pub dependant_id: Option<i32>,
    pub event_date: NaiveDate,
    pub amount: Option<Vnd>,
    pub evidence: String,
}

/// Why a case was refused when reported.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// An i18n key.
    Rule(&'static str),
    /// The deceased already has a funeral case (its id).
    DuplicateFuneral(i32),
}

/// Whether a person may receive a benefit on a day: a member (an open membership in a union or
/// welfare organisation), a retiree, or anyone.
fn eligible(
    conn: &mut DbConn,
    recipients: &str,
    person: i32,
    day: NaiveDate,
) -> Result<bool, AppError> {
    Ok(match recipients {
        "retirees" => super::retirees::is_retiree_on(conn, person, day)?,
        "members" => {
            let n: i64 = memberships::table
                .inner_join(organisations::table)
                .filter(memberships::person_id.eq(person))
                .filter(memberships::joined_on.le(day))
                .filter(
                    memberships::ended_on
                        .is_null()
                        .or(memberships::ended_on.ge(day)),
                )
                .count()
                .get_result(conn)?;
            n > 0
        }
        _ => true,
    })
}

/// Store command: reports a case. Checks the benefit's recipients and limits (count and total
/// per person and calendar year, cases not rejected) and, for a funeral, that the deceased has
/// no other case. Ok(Err(..)) is a refusal the user can act on.
pub fn report(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    n: &NewCase,
) -> Result<Result<i32, Refusal>, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let bt: BenefitType = benefit_types::table
        .find(n.benefit_type_id)
        .select(BenefitType::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::BadRequest("wf.err_benefit"))?;
    if !bt.active {
        return Ok(Err(Refusal::Rule("wf.err_benefit")));
    }
    let known: i64 = persons::table.find(n.person_id).count().get_result(conn)?;
    if known == 0 {
        return Ok(Err(Refusal::Rule("wf.err_person")));
    }
    // The funeral of the member themself follows their death as recorded (the retiree's page
    // or the personnel record): a case for someone still on the lists as alive is a mistake
    // in the code typed, or a death not yet recorded, and either would pay a living person.
    if bt.kind == BenefitKind::Funeral.code() && n.dependant_id.is_none() {
        let (status, died) =
            crate::people::store::status_of(conn, n.person_id)?.ok_or(AppError::NotFound)?;
        if status != crate::people::rules::Status::Deceased.code() {
            return Ok(Err(Refusal::Rule("wf.err_not_deceased")));
        }
        if died.is_some_and(|d| n.event_date < d) {
            return Ok(Err(Refusal::Rule("wf.err_funeral_before_death")));
        }
    }
    // The funeral of the member themself: they were entitled the day before they died.
    let entitled_on = if bt.kind == BenefitKind::Funeral.code() && n.dependant_id.is_none() {
        n.event_date.pred_opt().unwrap_or(n.event_date)
    } else {
        n.event_date
    };
    if !eligible(conn, &bt.recipients, n.person_id, entitled_on)? {
        return Ok(Err(Refusal::Rule("wf.err_not_eligible")));
    }
    let dep = match n.dependant_id {
        Some(d) => {
            let d = dependant(conn, d).map_err(|_| AppError::BadRequest("wf.err_dependant"))?;
            if d.person_id != n.person_id {
                return Ok(Err(Refusal::Rule("wf.err_dependant")));
            }
            Some(d)
        }
        None => None,
    };
    let allowed = bt.allowed();
    match &dep {
        None if !allowed.contains(&"self") => {
            return Ok(Err(Refusal::Rule("wf.err_relative_required")))
        }
        Some(d) if !allowed.contains(&d.relationship.as_str()) => {
            return Ok(Err(Refusal::Rule("wf.err_relative_kind")))
        }
        _ => {}
    }
    let amount = n.amount.unwrap_or(Vnd(bt.default_vnd));
    if amount.0 <= 0 {
        return Ok(Err(Refusal::Rule("wf.err_amount")));
    }
    let (from, to) = (
        NaiveDate::from_ymd_opt(n.event_date.year(), 1, 1).unwrap_or(n.event_date),
        NaiveDate::from_ymd_opt(n.event_date.year(), 12, 31).unwrap_or(n.event_date),
    );
    let earlier: Vec<i64> = welfare_cases::table
        .filter(welfare_cases::person_id.eq(n.person_id))
        .filter(welfare_cases::benefit_type_id.eq(bt.id))
        .filter(welfare_cases::state.ne("rejected"))
        .filter(welfare_cases::event_date.between(from, to))
        .select(welfare_cases::amount_vnd)
        .load(conn)?;
    let earlier: Vec<Vnd> = earlier.into_iter().map(Vnd).collect();
    if let Err(k) = rules::check_limits(&bt.limits(), &earlier, amount) {
        return Ok(Err(Refusal::Rule(k)));
    }
    let deceased = bt
        .is_funeral()
        .then(|| rules::deceased_key(n.person_id, dep.as_ref().map(|d| (d.id, d.same_as))));
    if let Some(k) = &deceased {
        let first: Option<i32> = welfare_cases::table
            .filter(welfare_cases::deceased_key.eq(k))
            .filter(welfare_cases::state.ne("rejected"))
            .select(welfare_cases::id)
            .first(conn)
            .optional()?;
        if let Some(first) = first {
            return Ok(Err(Refusal::DuplicateFuneral(first)));
        }
    }
    let id: i32 = match diesel::insert_into(welfare_cases::table)
        .values((
            welfare_cases::benefit_type_id.eq(bt.id),
            welfare_cases::person_id.eq(n.person_id),
            welfare_cases::dependant_id.eq(n.dependant_id),
            welfare_cases::event_date.eq(n.event_date),
            welfare_cases::amount_vnd.eq(amount.0),
            welfare_cases::evidence.eq(&n.evidence),
            welfare_cases::state.eq("reported"),
            welfare_cases::deceased_key.eq(deceased.as_deref()),
            welfare_cases::reported_by.eq(by),
            welfare_cases::reported_at.eq(now),
        ))
        .returning(welfare_cases::id)
        .get_result(conn)
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(e.into()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        conn,
        actor,
        now,
        Entry::new("welfare_case.report", "welfare_case")
            .id(id)
            .after(json!({
            "benefit": bt.code, "person_id": n.person_id, "dependant_id": n.dependant_id,
            "event_date": n.event_date, "amount_vnd": amount})),
    )?;
    Ok(Ok(id))
}

/// Nobody decides or pays a case that benefits themself.
fn ensure_not_beneficiary(conn: &mut DbConn, user: i32, c: &Case) -> Result<(), AppError> {
    use crate::db::schema::users;
    let me: Option<i32> = users::table
        .find(user)
        .select(users::person_id)
        .get_result(conn)
        .optional()?
        .flatten();
    if me == Some(c.person_id) {
        return Err(AppError::BadRequest("wf.err_own_benefit"));
    }
    Ok(())
}

/// Store command: approves or rejects a reported case. The reporter never decides; above the
/// threshold only an approver approves.
pub fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    roles: crate::auth::roles::RoleSet,
    now: NaiveDateTime,
    id: i32,
    approve: bool,
    reason: &str,
) -> Result<(), AppError> {
    use crate::auth::roles::Role;
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let c = case(conn, id)?;
    ensure_not_beneficiary(conn, by, &c)?;
    if c.state != "reported" {
        return Err(AppError::BadRequest("wf.err_state"));
    }
    let limit = threshold(conn)?;
    rules::may_approve(
        if approve { c.amount } else { Vnd(0) },
        limit,
        roles.has(Role::Approver),
        roles.has(Role::UnionOfficer),
        c.reported_by == by,
    )
    .map_err(AppError::BadRequest)?;
    if !approve && reason.trim().is_empty() {
        return Err(AppError::BadRequest("wf.err_reason"));
    }
    diesel::update(welfare_cases::table.find(id))
        .set((
            welfare_cases::state.eq(if approve { "approved" } else { "rejected" }),
            welfare_cases::decided_by.eq(by),
            welfare_cases::decided_at.eq(now),
            welfare_cases::reject_reason.eq(reason.trim()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new(
            if approve {
                "welfare_case.approve"
            } else {
                "welfare_case.reject"
            },
            "welfare_case",
        )
        .id(id)
        .before(json!({"state": c.state}))
        .after(json!({"amount_vnd": c.amount, "reason": reason.trim()})),
    )
}

/// Store command: pays an approved case with a payment voucher from the benefit's fund. A
/// payment that would take the fund's year below zero needs an approver's reason.
pub fn pay(
    conn: &mut DbConn,
    actor: &Actor,
    roles: crate::auth::roles::RoleSet,
    now: NaiveDateTime,
    id: i32,
    date: NaiveDate,
    overdraft_reason: &str,
) -> Result<i32, AppError> {
    use crate::auth::roles::Role;
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let c = case(conn, id)?;
    if c.state != "approved" {
        return Err(AppError::BadRequest("wf.err_state"));
    }
    ensure_not_beneficiary(conn, by, &c)?;
    // Paid on a real day: not before the event, not ahead of today.
    if date < c.event_date || date > crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("wf.err_pay_date"));
    }
    let fund: i32 = benefit_types::table
        .find(c.benefit_type_id)
        .select(benefit_types::fund_id)
        .get_result(conn)?;
    let balance = ledger::year_figures(conn, fund, date.year())?.balance();
    let overdraft = balance.0 < c.amount.0;
    if overdraft {
        if !roles.has(Role::Approver) {
            return Err(AppError::BadRequest("wf.err_overdraft"));
        }
        if overdraft_reason.trim().is_empty() {
            return Err(AppError::BadRequest("wf.err_overdraft_reason"));
        }
    }
    let source = format!("welfare_case:{id}");
    let description = format!("{} — {}", c.benefit, c.person);
    let v = ledger::post(
        conn,
        actor,
        now,
        &ledger::NewVoucher {
            fund,
            kind: ledger::PAYMENT,
            date,
            amount: c.amount,
            description: &description.chars().take(300).collect::<String>(),
            person: Some(c.person_id),
            source: Some(&source),
        },
    )?;
    diesel::update(welfare_cases::table.find(id))
        .set((
            welfare_cases::state.eq("paid"),
            welfare_cases::voucher_id.eq(v.id),
            welfare_cases::paid_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("welfare_case.pay", "welfare_case")
            .id(id)
            .after(json!({
            "voucher": v.label(), "amount_vnd": c.amount, "balance_before_vnd": balance,
            "overdraft_reason": overdraft.then(|| overdraft_reason.trim())})),
    )?;
    Ok(v.id)
}
