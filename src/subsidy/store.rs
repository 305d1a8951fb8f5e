//! All diesel code of subsidies: policies, eligibility, no-show rules, salary bases, and the
//! inputs of the split for a month.

use super::split::{self, Amount, Covers, Eligibility, Inputs, Meal, MealState, NoShowCharge};
use crate::db::schema::{
    eligibility, eligibility_proposals, no_show_rules, persons, subsidy_policies,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;

/// The first and last day of the month of `day`.
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = (first + Duration::days(32)).with_day(1).unwrap_or(first);
    (first, next - Duration::days(1))
}

type PolicyTuple = (
    i32,
    String,
    String,
    String,
    i64,
    Option<i32>,
    i32,
    NaiveDate,
    Option<NaiveDate>,
);

/// The policies in force on some day of `from..=to`.
pub fn policies_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<split::Policy>, AppError> {
    let rows: Vec<PolicyTuple> = subsidy_policies::table
        .filter(subsidy_policies::valid_from.le(to))
        .filter(
            subsidy_policies::valid_to
                .is_null()
                .or(subsidy_policies::valid_to.ge(from)),
        )
        .order(subsidy_policies::id.asc())
        .select((
            subsidy_policies::id,
            subsidy_policies::covers,
            subsidy_policies::covers_value,
            subsidy_policies::amount_kind,
            subsidy_policies::amount_value,
            subsidy_policies::monthly_cap,
            subsidy_policies::fund_id,
            subsidy_policies::valid_from,
            subsidy_policies::valid_to,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, covers, value, kind, amount, cap, fund, vf, vt)| {
            let covers = match covers.as_str() {
                "everyone" => Covers::Everyone,
                "category" => Covers::Category(value),
                "band" => Covers::Band(value),
                _ => return None,
            };
            let amount = match kind.as_str() {
                "fixed" => Amount::Fixed(Vnd(amount)),
                "percent" => Amount::Percent(amount),
                "staff_max" => Amount::StaffPaysAtMost(Vnd(amount)),
                _ => return None,
            };
            Some(split::Policy {
                id,
                from: vf,
                to: vt,
                covers,
                amount,
                monthly_cap: cap.map(|c| c.max(0) as u32),
                fund,
            })
        })
        .collect())
}

/// Eligibility of `people` valid on some day of `from..=to`.
pub fn eligibility_between(
    conn: &mut DbConn,
    people: &[i32],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Eligibility>, AppError> {
    let mut q = eligibility::table
        .filter(eligibility::valid_from.le(to))
        .filter(
            eligibility::valid_to
                .is_null()
                .or(eligibility::valid_to.ge(from)),
        )
        .select((
            eligibility::person_id,
            eligibility::band,
            eligibility::valid_from,
            eligibility::valid_to,
        ))
        .into_boxed();
    // A few people by name; a whole month's eaters (thousands: more than a statement may bind)
    // by reading the period's decisions and keeping theirs.
    let few = people.len() <= 500;
    if few {
        q = q.filter(eligibility::person_id.eq_any(people));
    }
    let rows: Vec<(i32, String, NaiveDate, Option<NaiveDate>)> = q.load(conn)?;
    let mut sorted = people.to_vec();
    sorted.sort_unstable();
    Ok(rows
        .into_iter()
        .filter(|r| few || sorted.binary_search(&r.0).is_ok())
        .map(|(person, band, from, to)| Eligibility {
            person,
            band,
            from,
            to,
        })
        .collect())
}

pub fn no_show_rules(conn: &mut DbConn) -> Result<Vec<split::NoShowRule>, AppError> {
    let rows: Vec<(NaiveDate, String)> = no_show_rules::table
        .select((no_show_rules::effective_from, no_show_rules::charge))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, c)| {
            NoShowCharge::parse(&c).map(|charge| split::NoShowRule { from, charge })
        })
        .collect())
}

/// One line of a person's monthly statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub day: NaiveDate,
    pub option: String,
    pub state: MealState,
    pub split: split::Split,
}

/// A person's meals of the month of `day`, split (provisional while the month is open).
pub fn statement(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
) -> Result<Vec<StatementLine>, AppError> {
    let (from, to) = month_of(day);
    let rows = crate::canteen::ordering::meals_between(conn, from, to, Some(person))?;
    let meals: Vec<Meal> = rows
        .iter()
        .map(|r| Meal {
            id: r.order_id,
            person,
            day: r.day,
            price: r.price,
            state: MealState::of_status(&r.status),
        })
        .collect();
    let category = crate::people::store::person(conn, person)?.map(|p| p.category);
    let inputs = Inputs {
        policies: policies_between(conn, from, to)?,
        eligibility: eligibility_between(conn, &[person], from, to)?,
        categories: category.into_iter().map(|c| (person, c)).collect(),
        no_show_rules: no_show_rules(conn)?,
    };
    Ok(split::split(&meals, &inputs)
        .into_iter()
        .filter_map(|s| {
            let r = rows.iter().find(|r| r.order_id == s.meal)?;
            let m = meals.iter().find(|m| m.id == s.meal)?;
            Some(StatementLine {
                day: s.day,
                option: r.option_name.clone(),
                state: m.state,
                split: s,
            })
        })
        .collect())
}

/// A policy to add.
pub struct NewPolicy<'a> {
    pub name: &'a str,
    pub covers: &'a Covers,
    pub amount: Amount,
    pub monthly_cap: Option<i32>,
    pub income_threshold: Option<Vnd>,
    pub fund: i32,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub legal_basis: &'a str,
}

/// Store command: adds a subsidy policy. Its first day must be in an open month (a closed
/// month's split never changes). Audited.
pub fn add_policy(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    p: &NewPolicy<'_>,
) -> Result<i32, AppError> {
    if p.to.is_some_and(|t| t < p.from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    // A cap of no meals would pay nothing: empty is "no cap".
    if p.monthly_cap.is_some_and(|c| !(1..=31).contains(&c)) {
        return Err(AppError::BadRequest("policy.err_cap"));
    }
    let end =
        p.to.unwrap_or_else(|| NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(p.from));
    crate::periods::ensure_open_range(conn, p.from, end)?;
    let fund_ok: i64 = crate::db::schema::funds::table
        .filter(crate::db::schema::funds::id.eq(p.fund))
        .filter(crate::db::schema::funds::active.eq(true))
        .count()
        .get_result(conn)?;
    if fund_ok == 0 {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let (covers, value) = match p.covers {
        Covers::Everyone => ("everyone", String::new()),
        Covers::Category(c) => ("category", c.clone()),
        Covers::Band(b) => ("band", b.clone()),
    };
    let (kind, amount) = match p.amount {
        Amount::Fixed(v) => ("fixed", v.0),
        Amount::Percent(bp) => ("percent", bp),
        Amount::StaffPaysAtMost(v) => ("staff_max", v.0),
    };
    // A fixed or percentage subsidy of 0 does nothing; "pays at most 0" is a free meal.
    if !(0..=100_000_000).contains(&amount)
        || (kind == "percent" && amount > 10_000)
        || (kind != "staff_max" && amount == 0)
    {
        return Err(AppError::BadRequest("policy.err_amount_value"));
    }
    // The same subsidy twice over the same days pays it twice: a policy that repeats one in
    // force (whom it covers, what it gives, its cap and fund) on any of its days is refused.
    // A different level is set by ending the policy and adding the new one.
    let mut same = subsidy_policies::table.into_boxed();
    same = match p.monthly_cap {
        Some(cap) => same.filter(subsidy_policies::monthly_cap.eq(cap)),
        None => same.filter(subsidy_policies::monthly_cap.is_null()),
    };
    let repeated: i64 = same
        .filter(subsidy_policies::covers.eq(covers))
        .filter(subsidy_policies::covers_value.eq(&value))
        .filter(subsidy_policies::amount_kind.eq(kind))
        .filter(subsidy_policies::amount_value.eq(amount))
        .filter(subsidy_policies::fund_id.eq(p.fund))
        .filter(subsidy_policies::valid_from.le(end))
        .filter(
            subsidy_policies::valid_to
                .is_null()
                .or(subsidy_policies::valid_to.ge(p.from)),
        )
        .count()
        .get_result(conn)?;
    if repeated > 0 {
        return Err(AppError::BadRequest("policy.err_repeated"));
    }
    let id: i32 = diesel::insert_into(subsidy_policies::table)
        .values((
            subsidy_policies::name.eq(p.name),
            subsidy_policies::covers.eq(covers),
            subsidy_policies::covers_value.eq(&value),
            subsidy_policies::amount_kind.eq(kind),
            subsidy_policies::amount_value.eq(amount),
            subsidy_policies::monthly_cap.eq(p.monthly_cap),
            subsidy_policies::income_threshold_vnd.eq(p.income_threshold.map(|v| v.0)),
            subsidy_policies::fund_id.eq(p.fund),
            subsidy_policies::valid_from.eq(p.from),
            subsidy_policies::valid_to.eq(p.to),
            subsidy_policies::legal_basis.eq(p.legal_basis),
            subsidy_policies::created_at.eq(now),
            subsidy_policies::created_by.eq(actor.user_id),
        ))
        .returning(subsidy_policies::id)
        .get_result(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_policy.create", "subsidy_policy")
            .id(id)
            .after(
                serde_json::json!({"name": p.name, "covers": covers, "covers_value": value,
                "amount_kind": kind, "amount_value": amount, "monthly_cap": p.monthly_cap,
                "fund": p.fund, "from": p.from, "to": p.to, "legal_basis": p.legal_basis}),
            ),
    )?;
    Ok(id)
}

/// A decision to record.
pub struct NewEligibility<'a> {
    pub person: i32,
    pub band: &'a str,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// `rule` (salary basis under the threshold) or `decision` (with its number and date).
    pub basis: &'a str,
    pub decision_no: Option<&'a str>,
    pub decision_date: Option<NaiveDate>,
    pub note: &'a str,
}

/// Store command: records an eligibility decision. A decision of the same band for the same
/// person over overlapping dates is refused (Err names the existing one's id); a decision
/// needs its number and date; its first day must be in an open month. Audited.
pub fn add_eligibility(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    e: &NewEligibility<'_>,
) -> Result<Result<i32, i32>, AppError> {
    if !matches!(e.band, "low_income" | "hardship") || !matches!(e.basis, "rule" | "decision") {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if e.to.is_some_and(|t| t < e.from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    if e.basis == "decision"
        && (e.decision_no.is_none_or(|n| n.trim().is_empty()) || e.decision_date.is_none())
    {
        return Err(AppError::BadRequest("eligibility.err_decision"));
    }
    if e.decision_date
        .is_some_and(|d| d > crate::clock::business_date_of(now))
    {
        return Err(AppError::BadRequest("elig.err_decision_future"));
    }
    // The whole range must lie in open months: a decision reaching into a closed month would
    // change what was closed.
    let end =
        e.to.unwrap_or_else(|| NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(e.from));
    crate::periods::ensure_open_range(conn, e.from, end)?;
    // Not NaiveDate::MAX: SQLite stores dates as text, and "+262142-12-31" sorts first.
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(e.from);
    let clash: Option<i32> = eligibility::table
        .filter(eligibility::person_id.eq(e.person))
        .filter(eligibility::band.eq(e.band))
        .filter(eligibility::valid_from.le(e.to.unwrap_or(far)))
        .filter(
            eligibility::valid_to
                .is_null()
                .or(eligibility::valid_to.ge(e.from)),
        )
        .select(eligibility::id)
        .get_result(conn)
        .optional()?;
    if let Some(other) = clash {
        return Ok(Err(other));
    }
    let id: i32 = diesel::insert_into(eligibility::table)
        .values((
            eligibility::person_id.eq(e.person),
            eligibility::band.eq(e.band),
            eligibility::valid_from.eq(e.from),
            eligibility::valid_to.eq(e.to),
            eligibility::basis.eq(e.basis),
            eligibility::decision_no.eq(e.decision_no),
            eligibility::decision_date.eq(e.decision_date),
            eligibility::note.eq(e.note),
            eligibility::decided_at.eq(now),
            eligibility::decided_by.eq(actor.user_id),
        ))
        .returning(eligibility::id)
        .get_result(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_eligibility.create", "person")
            .id(e.person)
            .after(
                serde_json::json!({"band": e.band, "from": e.from, "to": e.to,
                "basis": e.basis, "decision_no": e.decision_no, "decision_date": e.decision_date,
                "note": e.note}),
            ),
    )?;
    Ok(Ok(id))
}

/// Store command: the no-show rule from a day on (replacing one set for the same day). The
/// day must be in an open month. Audited.
pub fn set_no_show_rule(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    from: NaiveDate,
    charge: NoShowCharge,
) -> Result<(), AppError> {
    crate::periods::ensure_open(conn, from)?;
    diesel::delete(no_show_rules::table.find(from)).execute(conn)?;
    diesel::insert_into(no_show_rules::table)
        .values((
            no_show_rules::effective_from.eq(from),
            no_show_rules::charge.eq(charge.code()),
            no_show_rules::recorded_at.eq(now),
        ))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("no_show_rule.set", "settings")
            .after(serde_json::json!({"from": from, "charge": charge.code()})),
    )
}

/// A decision as the eligibility page lists it.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: i32,
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub band: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub basis: String,
    pub decision_no: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub note: String,
}

/// Decisions valid on `day` or later (all of them with `all`), newest first.
pub fn decisions(
    conn: &mut DbConn,
    day: NaiveDate,
    all: bool,
) -> Result<Vec<DecisionRow>, AppError> {
    decisions_where(conn, day, all, None)
}

fn decisions_where(
    conn: &mut DbConn,
    day: NaiveDate,
    all: bool,
    person: Option<i32>,
) -> Result<Vec<DecisionRow>, AppError> {
    type Row = (
        i32,
        i32,
        String,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        String,
        Option<String>,
        Option<NaiveDate>,
        String,
    );
    let mut q = eligibility::table.inner_join(persons::table).into_boxed();
    if let Some(p) = person {
        q = q.filter(eligibility::person_id.eq(p));
    }
    if !all {
        q = q.filter(
            eligibility::valid_to
                .is_null()
                .or(eligibility::valid_to.ge(day)),
        );
    }
    let rows: Vec<Row> = q
        .order((eligibility::valid_from.desc(), eligibility::id.desc()))
        .select((
            eligibility::id,
            eligibility::person_id,
            persons::employee_code,
            persons::full_name,
            eligibility::band,
            eligibility::valid_from,
            eligibility::valid_to,
            eligibility::basis,
            eligibility::decision_no,
            eligibility::decision_date,
            eligibility::note,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| DecisionRow {
            id: r.0,
            person_id: r.1,
            code: r.2,
            name: r.3,
            band: r.4,
            from: r.5,
            to: r.6,
            basis: r.7,
            decision_no: r.8,
            decision_date: r.9,
            note: r.10,
        })
        .collect())
}

/// A policy as the policies page lists it.
#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub id: i32,
    pub name: String,
    pub covers: String,
    pub covers_value: String,
    pub amount_kind: String,
    pub amount_value: i64,
    pub monthly_cap: Option<i32>,
    pub fund: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub legal_basis: String,
}

/// Every policy, newest first.
pub fn all_policies(conn: &mut DbConn) -> Result<Vec<PolicyRow>, AppError> {
    use crate::db::schema::funds;
    type Row = (
        i32,
        String,
        String,
        String,
        String,
        i64,
        Option<i32>,
        String,
        NaiveDate,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<Row> = subsidy_policies::table
        .inner_join(funds::table)
        .order((
            subsidy_policies::valid_from.desc(),
            subsidy_policies::id.asc(),
        ))
        .select((
            subsidy_policies::id,
            subsidy_policies::name,
            subsidy_policies::covers,
            subsidy_policies::covers_value,
            subsidy_policies::amount_kind,
            subsidy_policies::amount_value,
            subsidy_policies::monthly_cap,
            funds::name,
            subsidy_policies::valid_from,
            subsidy_policies::valid_to,
            subsidy_policies::legal_basis,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| PolicyRow {
            id: r.0,
            name: r.1,
            covers: r.2,
            covers_value: r.3,
            amount_kind: r.4,
            amount_value: r.5,
            monthly_cap: r.6,
            fund: r.7,
            from: r.8,
            to: r.9,
            legal_basis: r.10,
        })
        .collect())
}

/// The national base salary (lương cơ sở) in force on `day`.
pub fn base_salary_on(conn: &mut DbConn, day: NaiveDate) -> Result<Option<Vnd>, AppError> {
    use crate::db::schema::base_salaries;
    Ok(base_salaries::table
        .filter(base_salaries::effective_from.le(day))
        .order(base_salaries::effective_from.desc())
        .select(base_salaries::amount_vnd)
        .first::<i64>(conn)
        .optional()?
        .map(Vnd))
}

/// A person's salary basis in force on a day.
#[derive(Debug, Clone)]
pub struct Basis {
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub from: NaiveDate,
    pub grade_x100: i32,
    pub allowance_x100: i32,
}

impl Basis {
    /// (grade + allowances) × base salary, to the đồng (rounded half up).
    pub fn monthly(&self, base: Vnd) -> Vnd {
        let coef = (self.grade_x100 + self.allowance_x100) as i64;
        base.percent_bp(coef * 100).unwrap_or(Vnd(0))
    }
}

/// Every working person's salary basis in force on `day` (the latest from on or before it).
pub fn bases_on(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<Basis>, AppError> {
    use crate::db::schema::salary_bases;
    let rows: Vec<(i32, String, String, String, NaiveDate, i32, i32)> = salary_bases::table
        .inner_join(persons::table)
        .filter(salary_bases::effective_from.le(day))
        .filter(persons::status.eq("working"))
        .order((
            salary_bases::person_id.asc(),
            salary_bases::effective_from.desc(),
        ))
        .select((
            salary_bases::person_id,
            persons::employee_code,
            persons::full_name,
            persons::sort_key,
            salary_bases::effective_from,
            salary_bases::grade_coef_x100,
            salary_bases::allowance_coef_x100,
        ))
        .load(conn)?;
    let mut out: Vec<(String, Basis)> = Vec::new();
    for (person_id, code, name, key, from, g, a) in rows {
        if out.last().is_some_and(|b| b.1.person_id == person_id) {
            continue;
        }
        out.push((
            key,
            Basis {
                person_id,
                code,
                name,
                from,
                grade_x100: g,
                allowance_x100: a,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|x| x.1).collect())
}

/// Store command: a person's salary basis from a day (one per person and day). Audited;
/// visible only to accountants, union officers and admins.
pub fn set_salary_basis(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    person: i32,
    from: NaiveDate,
    grade_x100: i32,
    allowance_x100: i32,
) -> Result<(), AppError> {
    use crate::db::schema::salary_bases;
    if !(1..=2000).contains(&grade_x100) || !(0..=2000).contains(&allowance_x100) {
        return Err(AppError::BadRequest("salary.err_coef"));
    }
    crate::periods::ensure_open(conn, from)?;
    let taken: i64 = salary_bases::table
        .filter(salary_bases::person_id.eq(person))
        .filter(salary_bases::effective_from.eq(from))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::BadRequest("salary.err_same_day"));
    }
    diesel::insert_into(salary_bases::table)
        .values((
            salary_bases::person_id.eq(person),
            salary_bases::effective_from.eq(from),
            salary_bases::grade_coef_x100.eq(grade_x100),
            salary_bases::allowance_coef_x100.eq(allowance_x100),
            salary_bases::recorded_at.eq(now),
            salary_bases::recorded_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("salary_basis.set", "person")
            .id(person)
            .after(
                serde_json::json!({"from": from, "grade_coef_x100": grade_x100,
                "allowance_coef_x100": allowance_x100}),
            ),
    )
}

/// People whose monthly salary on `day` is under a band policy's income threshold and who hold
/// no decision of that band on that day: (band, threshold, basis, monthly salary).
pub fn candidates(
    conn: &mut DbConn,
    day: NaiveDate,
) -> Result<Vec<(String, Vnd, Basis, Vnd)>, AppError> {
    let Some(base) = base_salary_on(conn, day)? else {
        return Ok(Vec::new());
    };
    let thresholds: Vec<(String, Option<i64>)> = subsidy_policies::table
        .filter(subsidy_policies::covers.eq("band"))
        .filter(subsidy_policies::valid_from.le(day))
        .filter(
            subsidy_policies::valid_to
                .is_null()
                .or(subsidy_policies::valid_to.ge(day)),
        )
        .select((
            subsidy_policies::covers_value,
            subsidy_policies::income_threshold_vnd,
        ))
        .load(conn)?;
    let bases = bases_on(conn, day)?;
    let ids: Vec<i32> = bases.iter().map(|b| b.person_id).collect();
    let held = eligibility_between(conn, &ids, day, day)?;
    let mut out = Vec::new();
    for (band, threshold) in thresholds {
        let Some(t) = threshold else { continue };
        for b in &bases {
            let m = b.monthly(base);
            if m.0 < t
                && !held
                    .iter()
                    .any(|e| e.person == b.person_id && e.band == band)
            {
                out.push((band.clone(), Vnd(t), b.clone(), m));
            }
        }
    }
    Ok(out)
}

/// Store command: ends a decision on `to` (it stays in the history). Audited before → after,
/// with the reason.
pub fn end_eligibility(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    id: i32,
    to: NaiveDate,
    reason: &str,
) -> Result<(), AppError> {
    let (person, from, old_to): (i32, NaiveDate, Option<NaiveDate>) = eligibility::table
        .find(id)
        .select((
            eligibility::person_id,
            eligibility::valid_from,
            eligibility::valid_to,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::periods::ensure_can_end(conn, from, old_to, to, reason)?;
    diesel::update(eligibility::table.find(id))
        .set(eligibility::valid_to.eq(Some(to)))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_eligibility.end", "person")
            .id(person)
            .before(serde_json::json!({"decision": id, "to": old_to}))
            .after(serde_json::json!({"decision": id, "to": to, "reason": reason.trim()})),
    )
}

/// Store command: ends a policy on `to` (a new one may follow from the next day). Audited.
pub fn end_policy(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    id: i32,
    to: NaiveDate,
    reason: &str,
) -> Result<(), AppError> {
    let (from, old_to): (NaiveDate, Option<NaiveDate>) = subsidy_policies::table
        .find(id)
        .select((subsidy_policies::valid_from, subsidy_policies::valid_to))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::periods::ensure_can_end(conn, from, old_to, to, reason)?;
    diesel::update(subsidy_policies::table.find(id))
        .set(subsidy_policies::valid_to.eq(Some(to)))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_policy.end", "policy")
            .id(id)
            .before(serde_json::json!({"to": old_to}))
            .after(serde_json::json!({"to": to, "reason": reason.trim()})),
    )
}

/// A person's own decisions (for their statement page), newest first.
pub fn decisions_of(conn: &mut DbConn, person: i32) -> Result<Vec<DecisionRow>, AppError> {
    decisions_where(conn, NaiveDate::default(), true, Some(person))
}

/// A union officer's proposal, as the eligibility page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Proposal {
    pub id: i32,
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub band: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub reason: String,
    pub proposed_at: chrono::NaiveDateTime,
    pub state: String,
    pub decline_reason: Option<String>,
}

/// Proposals, pending first then newest first (the last hundred decided ones).
pub fn proposals(conn: &mut DbConn) -> Result<Vec<Proposal>, AppError> {
    let mut rows: Vec<Proposal> = eligibility_proposals::table
        .inner_join(persons::table)
        .order(eligibility_proposals::id.desc())
        .limit(200)
        .select((
            eligibility_proposals::id,
            eligibility_proposals::person_id,
            persons::employee_code,
            persons::full_name,
            eligibility_proposals::band,
            eligibility_proposals::valid_from,
            eligibility_proposals::valid_to,
            eligibility_proposals::reason,
            eligibility_proposals::proposed_at,
            eligibility_proposals::state,
            eligibility_proposals::decline_reason,
        ))
        .load(conn)?;
    rows.sort_by_key(|p| p.state != "pending");
    Ok(rows)
}

/// Store command: a union officer proposes that a person be eligible. Audited.
#[allow(clippy::too_many_arguments)]
pub fn propose(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    person: i32,
    band: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
    reason: &str,
) -> Result<i32, AppError> {
    if !matches!(band, "low_income" | "hardship") {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if to.is_some_and(|t| t < from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::BadRequest("elig.err_proposal_reason"));
    }
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(from);
    crate::periods::ensure_open_range(conn, from, to.unwrap_or(far))?;
    let pending: i64 = eligibility_proposals::table
        .filter(eligibility_proposals::person_id.eq(person))
        .filter(eligibility_proposals::band.eq(band))
        .filter(eligibility_proposals::state.eq("pending"))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(AppError::BadRequest("elig.err_proposal_pending"));
    }
    let id = diesel::insert_into(eligibility_proposals::table)
        .values((
            eligibility_proposals::person_id.eq(person),
            eligibility_proposals::band.eq(band),
            eligibility_proposals::valid_from.eq(from),
            eligibility_proposals::valid_to.eq(to),
            eligibility_proposals::reason.eq(reason),
            eligibility_proposals::proposed_by.eq(actor.user_id),
            eligibility_proposals::proposed_at.eq(now),
            eligibility_proposals::state.eq("pending"),
        ))
        .returning(eligibility_proposals::id)
        .get_result(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_eligibility.propose", "person")
            .id(person)
            .after(
                serde_json::json!({"proposal": id, "band": band, "from": from, "to": to,
                "reason": reason}),
            ),
    )?;
    Ok(id)
}

/// Store command: an accountant accepts a pending proposal into a decision (its number and
/// date). Err(id) of an overlapping decision. Audited.
pub fn accept_proposal(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    id: i32,
    decision_no: &str,
    decision_date: NaiveDate,
) -> Result<Result<i32, i32>, AppError> {
    type Row = (i32, String, NaiveDate, Option<NaiveDate>, String, String);
    let (person, band, from, to, reason, state): Row = eligibility_proposals::table
        .find(id)
        .select((
            eligibility_proposals::person_id,
            eligibility_proposals::band,
            eligibility_proposals::valid_from,
            eligibility_proposals::valid_to,
            eligibility_proposals::reason,
            eligibility_proposals::state,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if state != "pending" {
        return Err(AppError::BadRequest("elig.err_proposal_decided"));
    }
    let decision_no = decision_no.trim();
    if decision_no.is_empty() || decision_no.chars().count() > 60 {
        return Err(AppError::BadRequest("eligibility.err_decision"));
    }
    let made = add_eligibility(
        conn,
        actor,
        now,
        &NewEligibility {
            person,
            band: &band,
            from,
            to,
            basis: "decision",
            decision_no: Some(decision_no),
            decision_date: Some(decision_date),
            note: &reason,
        },
    )?;
    let Ok(decision) = made else {
        return Ok(made);
    };
    diesel::update(eligibility_proposals::table.find(id))
        .set((
            eligibility_proposals::state.eq("accepted"),
            eligibility_proposals::decided_by.eq(actor.user_id),
            eligibility_proposals::decided_at.eq(now),
            eligibility_proposals::decision_id.eq(decision),
        ))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_eligibility.accept", "person")
            .id(person)
            .after(serde_json::json!({"proposal": id, "decision": decision})),
    )?;
    Ok(Ok(decision))
}

/// Store command: an accountant declines a pending proposal, with a reason. Audited.
pub fn decline_proposal(
    conn: &mut DbConn,
    actor: &crate::audit::Actor,
    now: chrono::NaiveDateTime,
    id: i32,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(AppError::BadRequest("elig.err_end_reason"));
    }
    let person: i32 = eligibility_proposals::table
        .find(id)
        .filter(eligibility_proposals::state.eq("pending"))
        .select(eligibility_proposals::person_id)
        .get_result(conn)
        .optional()?
        .ok_or(AppError::BadRequest("elig.err_proposal_decided"))?;
    diesel::update(eligibility_proposals::table.find(id))
        .set((
            eligibility_proposals::state.eq("declined"),
            eligibility_proposals::decided_by.eq(actor.user_id),
            eligibility_proposals::decided_at.eq(now),
            eligibility_proposals::decline_reason.eq(reason),
        ))
        .execute(conn)?;
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("subsidy_eligibility.decline", "person")
            .id(person)
            .after(serde_json::json!({"proposal": id, "reason": reason})),
    )
}
