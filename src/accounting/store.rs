//! All diesel code of the accountants' month.

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    adjustments, month_closes, month_notes, periods, persons, statement_lines, statement_people,
    units,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use crate::subsidy::split::{self, Inputs, Meal, MealState};
use crate::subsidy::store as subsidy;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The `source` of the payment vouchers a month's close posts ("subsidy_month:2026-10").
pub const SUBSIDY_SOURCE: &str = "subsidy_month:";

/// One staff meal of the month, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub order_id: i32,
    pub person_id: i32,
    pub day: NaiveDate,
    pub option: String,
    pub charged: Vnd,
    pub subsidy: Vnd,
    pub staff: Vnd,
    /// (fund, amount), by fund.
    pub by_fund: Vec<(i32, Vnd)>,
}

/// A person as the month's pages and the payroll file show them.
#[derive(Debug, Clone)]
pub struct Who {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    /// On the payroll (working, not a contractor): deducted from pay; else collected in cash.
    pub payroll: bool,
    pub sort_key: String,
}

/// "fund:amount,fund:amount" in fund order.
fn funds_text(by_fund: &[(i32, Vnd)]) -> String {
    by_fund
        .iter()
        .map(|(f, a)| format!("{f}:{}", a.0))
        .collect::<Vec<_>>()
        .join(",")
}

/// A correction of a closed month, booked in a later open month.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Adjustment {
    pub id: i32,
    pub month: String,
    pub corrects_month: String,
    pub person_id: i32,
    pub amount: i64,
    pub reason: String,
}

/// The canonical text the digest covers: one line per meal, in order id order —
/// `order|person|yyyy-mm-dd|charged|subsidy|staff|fund:amount,…` and a newline — then one
/// line per adjustment booked in the month, in id order — `adj|id|person|yyyy-mm|amount`.
pub fn canonical(lines: &[Line], adjustments: &[Adjustment]) -> String {
    let mut out = canonical_meals(lines);
    let mut adj: Vec<&Adjustment> = adjustments.iter().collect();
    adj.sort_by_key(|a| a.id);
    for a in adj {
        out.push_str(&format!(
            "adj|{}|{}|{}|{}\n",
            a.id, a.person_id, a.corrects_month, a.amount
        ));
    }
    out
}

fn canonical_meals(lines: &[Line]) -> String {
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by_key(|l| l.order_id);
    sorted
        .iter()
        .map(|l| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}\n",
                l.order_id,
                l.person_id,
                l.day.format("%Y-%m-%d"),
                l.charged.0,
                l.subsidy.0,
                l.staff.0,
                funds_text(&l.by_fund)
            )
        })
        .collect()
}

pub fn digest(lines: &[Line], adjustments: &[Adjustment]) -> String {
    let mut h = Sha256::new();
    h.update(canonical(lines, adjustments).as_bytes());
    format!("{:x}", h.finalize())
}

/// Whether a person's share is deducted from pay (working, not a contractor) or collected in cash.
pub fn on_payroll(status: &str, category: &str) -> bool {
    status == "working" && category != "hop_dong"
}

/// Everyone's [`on_payroll`], by person id.
pub fn payroll_of_everyone(conn: &mut DbConn) -> Result<HashMap<i32, bool>, AppError> {
    Ok(crate::people::store::status_and_category(conn)?
        .into_iter()
        .map(|(id, (status, category))| (id, on_payroll(&status, &category)))
        .collect())
}

fn who_from(facts: HashMap<i32, crate::people::store::PayrollFacts>) -> HashMap<i32, Who> {
    facts
        .into_iter()
        .map(|(id, f)| {
            (
                id,
                Who {
                    payroll: on_payroll(&f.status, &f.category),
                    code: f.code,
                    name: f.name,
                    unit: f.unit,
                    sort_key: f.sort_key,
                },
            )
        })
        .collect()
}

/// Every staff meal of the month of `first` split now, and who the people are.
pub fn compute(
    conn: &mut DbConn,
    first: NaiveDate,
) -> Result<(Vec<Line>, HashMap<i32, Who>), AppError> {
    let (from, to) = subsidy::month_of(first);
    let meals = crate::canteen::ordering::month_meals(conn, from, to)?;
    let people = people_of(&meals);
    let facts = crate::people::store::payroll_facts(conn, &people)?;
    let categories = facts
        .iter()
        .map(|(id, f)| (*id, f.category.clone()))
        .collect();
    let names = crate::canteen::store::option_names_by_id(conn, from, to)?;
    let lines = split_lines(conn, first, meals, &people, categories, |o| {
        names.get(&o).cloned().unwrap_or_default()
    })?;
    Ok((lines, who_from(facts)))
}

/// The month's split as [`compute`] makes it, without what only statements show (the option's
/// name, who the people are): what the reports sum, for every person of an open month.
pub fn compute_sums(conn: &mut DbConn, first: NaiveDate) -> Result<Vec<Line>, AppError> {
    let (from, to) = subsidy::month_of(first);
    let meals = crate::canteen::ordering::month_meals(conn, from, to)?;
    let people = people_of(&meals);
    let categories = crate::people::store::status_and_category(conn)?
        .into_iter()
        .map(|(id, (_, category))| (id, category))
        .collect();
    split_lines(conn, first, meals, &people, categories, |_| String::new())
}

fn people_of(meals: &[crate::canteen::ordering::MonthMeal]) -> Vec<i32> {
    let mut people: Vec<i32> = meals.iter().map(|m| m.person_id).collect();
    people.sort_unstable();
    people.dedup();
    people
}

fn split_lines(
    conn: &mut DbConn,
    first: NaiveDate,
    mut rows: Vec<crate::canteen::ordering::MonthMeal>,
    people: &[i32],
    categories: HashMap<i32, String>,
    option: impl Fn(i32) -> String,
) -> Result<Vec<Line>, AppError> {
    use crate::canteen::states::MealStatus;
    let (from, to) = subsidy::month_of(first);
    // The split answers in (day, person, meal) order; in that order, its answers pair with the rows.
    rows.sort_unstable_by_key(|r| (r.day, r.person_id, r.order_id));
    let meals: Vec<Meal> = rows
        .iter()
        .map(|r| Meal {
            id: r.order_id,
            person: r.person_id,
            day: r.day,
            price: r.price,
            state: match r.status {
                MealStatus::Served => MealState::Served,
                MealStatus::NoShow => MealState::NoShow,
                _ => MealState::Ordered,
            },
        })
        .collect();
    let inputs = Inputs {
        policies: subsidy::policies_between(conn, from, to)?,
        eligibility: subsidy::eligibility_between(conn, people, from, to)?,
        categories,
        no_show_rules: subsidy::no_show_rules(conn)?,
    };
    split::split(&meals, &inputs)
        .into_iter()
        .zip(&rows)
        .map(|(s, r)| {
            if s.meal != r.order_id {
                return Err(AppError::internal("split order"));
            }
            let mut by_fund: Vec<(i32, Vnd)> = Vec::new();
            for (_, fund, a) in &s.subsidies {
                match by_fund.iter_mut().find(|x| x.0 == *fund) {
                    Some(x) => x.1 = Vnd(x.1 .0 + a.0),
                    None => by_fund.push((*fund, *a)),
                }
            }
            by_fund.sort_by_key(|x| x.0);
            Ok(Line {
                order_id: s.meal,
                person_id: s.person,
                day: s.day,
                option: option(r.option_id),
                charged: s.charged,
                subsidy: s.subsidy(),
                staff: s.staff_share,
                by_fund,
            })
        })
        .collect()
}

/// The stored lines of a closed month.
pub fn stored(conn: &mut DbConn, month: &str) -> Result<Vec<Line>, AppError> {
    type Row = (i32, i32, NaiveDate, String, i64, i64, i64, String);
    let rows: Vec<Row> = statement_lines::table
        .filter(statement_lines::month.eq(month))
        .order(statement_lines::order_id.asc())
        .select((
            statement_lines::order_id,
            statement_lines::person_id,
            statement_lines::service_date,
            statement_lines::option_name,
            statement_lines::charged_vnd,
            statement_lines::subsidy_vnd,
            statement_lines::staff_vnd,
            statement_lines::subsidies,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(order_id, person_id, day, option, c, s, st, funds)| Line {
            order_id,
            person_id,
            day,
            option,
            charged: Vnd(c),
            subsidy: Vnd(s),
            staff: Vnd(st),
            by_fund: funds
                .split(',')
                .filter_map(|x| {
                    let (f, a) = x.split_once(':')?;
                    Some((f.parse().ok()?, Vnd(a.parse().ok()?)))
                })
                .collect(),
        })
        .collect())
}

/// What a closed month stored about itself.
#[derive(Debug, Clone, Queryable)]
pub struct Closed {
    pub month: String,
    pub digest: String,
    pub lines: i32,
    pub charged_vnd: i64,
    pub subsidy_vnd: i64,
    pub staff_vnd: i64,
    pub closed_at: NaiveDateTime,
    pub closed_by: Option<i32>,
    pub adjustments_vnd: i64,
}

pub fn closed(conn: &mut DbConn, month: &str) -> Result<Option<Closed>, AppError> {
    Ok(month_closes::table
        .find(month)
        .get_result::<Closed>(conn)
        .optional()?)
}

/// Which of these months (`yyyy-mm`) are closed.
pub fn closed_among(conn: &mut DbConn, months: &[String]) -> Result<Vec<String>, AppError> {
    Ok(month_closes::table
        .filter(month_closes::month.eq_any(months))
        .select(month_closes::month)
        .load(conn)?)
}

/// Store command: closes a month that is over. Its meals are split, the lines and their digest
/// stored, and the month marked closed, so that every dated write refuses it from now on.
/// Audited with the digest and the totals. Returns the digest.
pub fn close_month(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    first: NaiveDate,
) -> Result<String, AppError> {
    let month = crate::periods::month_key(first);
    let (_, last) = subsidy::month_of(first);
    if last >= crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("month.err_not_over"));
    }
    if closed(conn, &month)?.is_some() {
        return Err(AppError::BadRequest("month.err_already_closed"));
    }
    // The month's own state: a month left open behind a later closed one (closed out of
    // order) can still be closed — its days are already held by the later close, so what is
    // stored now is what they hold.
    if !matches!(
        crate::periods::state_of(conn, first)?.as_deref(),
        None | Some("open")
    ) {
        return Err(AppError::BadRequest("period.err_closed"));
    }
    let (lines, _) = compute(conn, first)?;
    let adjustments = adjustments_of(conn, &month)?;
    let rec = reconciliation(conn, first, &lines, &adjustments)?;
    if rec.difference != 0 {
        let explained: Option<i64> = month_notes::table
            .find(&month)
            .select(month_notes::difference_vnd)
            .get_result(conn)
            .optional()?;
        if explained != Some(rec.difference) {
            return Err(AppError::BadRequest("month.err_note_needed"));
        }
    }
    insert_lines(conn, &month, &lines)?;
    snapshot_people(conn, &month, &lines, &adjustments)?;
    crate::stats::summary::record_month(conn, &month, &lines)?;
    let sum = |f: fn(&Line) -> i64| lines.iter().map(f).sum::<i64>();
    let (charged, subsidy, staff) = (
        sum(|l| l.charged.0),
        sum(|l| l.subsidy.0),
        sum(|l| l.staff.0),
    );
    let adjusted: i64 = adjustments.iter().map(|a| a.amount).sum();
    let d = digest(&lines, &adjustments);
    diesel::insert_into(month_closes::table)
        .values((
            month_closes::month.eq(&month),
            month_closes::digest.eq(&d),
            month_closes::lines.eq(lines.len() as i32),
            month_closes::charged_vnd.eq(charged),
            month_closes::subsidy_vnd.eq(subsidy),
            month_closes::staff_vnd.eq(staff),
            month_closes::closed_at.eq(now),
            month_closes::closed_by.eq(actor.user_id),
            month_closes::adjustments_vnd.eq(adjusted),
        ))
        .execute(conn)?;
    // The subsidy leaves its funds: one payment voucher per fund, dated the month's last day.
    let by_fund: Vec<(i32, i64)> = fund_totals(&lines)
        .iter()
        .map(|t| (t.fund, t.amount))
        .collect();
    let source = format!("{SUBSIDY_SOURCE}{month}");
    let description = format!(
        "Hỗ trợ tiền ăn trưa tháng {}",
        super::handlers::month_label(&month)
    );
    for (fund, amount) in by_fund.iter().filter(|x| x.1 > 0) {
        crate::ledger::store::post(
            conn,
            actor,
            now,
            &crate::ledger::store::NewVoucher {
                fund: *fund,
                kind: crate::ledger::store::PAYMENT,
                date: last,
                amount: Vnd(*amount),
                description: &description,
                person: None,
                source: Some(&source),
            },
        )?;
    }
    diesel::delete(periods::table.find(&month)).execute(conn)?;
    diesel::insert_into(periods::table)
        .values((
            periods::month.eq(&month),
            periods::state.eq("closed"),
            periods::changed_at.eq(now),
            periods::changed_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("accounting_month.close", "month")
            .id(&month)
            .after(
                json!({"digest": d, "lines": lines.len(), "charged_vnd": charged,
                "subsidy_vnd": subsidy, "staff_vnd": staff, "adjustments_vnd": adjusted,
                "difference_vnd": rec.difference}),
            ),
    )?;
    Ok(d)
}

/// What one fund paid towards a month's meals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundTotal {
    pub fund: i32,
    /// Meals it subsidised.
    pub meals: i64,
    pub amount: i64,
}

/// Per fund, in fund order.
pub fn fund_totals(lines: &[Line]) -> Vec<FundTotal> {
    let mut out: Vec<FundTotal> = Vec::new();
    for l in lines {
        for (f, a) in &l.by_fund {
            match out.iter_mut().find(|x| x.fund == *f) {
                Some(x) => {
                    x.meals += 1;
                    x.amount += a.0;
                }
                None => out.push(FundTotal {
                    fund: *f,
                    meals: 1,
                    amount: a.0,
                }),
            }
        }
    }
    out.sort_by_key(|x| x.fund);
    out
}

/// A person's month in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonTotal {
    pub person_id: i32,
    pub meals: i64,
    pub charged: i64,
    pub subsidy: i64,
    pub staff: i64,
    /// Adjustments booked in the month (corrections of closed months).
    pub adjust: i64,
}

impl PersonTotal {
    /// What the person pays for the month: their share of the meals and the adjustments.
    pub fn to_pay(&self) -> i64 {
        self.staff + self.adjust
    }
}

/// Per person, in the order people lists use (unit is not part of it: by name).
pub fn per_person(
    lines: &[Line],
    adjustments: &[Adjustment],
    who: &HashMap<i32, Who>,
) -> Vec<PersonTotal> {
    let mut map: HashMap<i32, PersonTotal> = HashMap::new();
    for a in adjustments {
        map.entry(a.person_id)
            .or_insert_with(|| PersonTotal {
                person_id: a.person_id,
                ..Default::default()
            })
            .adjust += a.amount;
    }
    for l in lines {
        let t = map.entry(l.person_id).or_insert_with(|| PersonTotal {
            person_id: l.person_id,
            ..Default::default()
        });
        t.meals += 1;
        t.charged += l.charged.0;
        t.subsidy += l.subsidy.0;
        t.staff += l.staff.0;
    }
    let mut out: Vec<PersonTotal> = map.into_values().collect();
    out.sort_by_cached_key(|t| {
        who.get(&t.person_id)
            .map(|w| (w.sort_key.clone(), w.code.clone()))
            .unwrap_or_default()
    });
    out
}

/// Who these people are now.
pub fn who_of(conn: &mut DbConn, ids: &[i32]) -> Result<HashMap<i32, Who>, AppError> {
    Ok(who_from(crate::people::store::payroll_facts(conn, ids)?))
}

/// Who these people are on `month`'s pages and files: as they are now, except that a closed
/// month keeps the unit each had and whether their share was deducted from pay when it was
/// closed ([`snapshot_people`]); a move or a leaving since does not rewrite it.
pub fn who_in_month(
    conn: &mut DbConn,
    month: &str,
    ids: &[i32],
) -> Result<HashMap<i32, Who>, AppError> {
    let mut who = who_of(conn, ids)?;
    for chunk in ids.chunks(500) {
        let kept: Vec<(i32, Option<String>, bool)> = statement_people::table
            .left_join(units::table)
            .filter(statement_people::month.eq(month))
            .filter(statement_people::person_id.eq_any(chunk))
            .select((
                statement_people::person_id,
                units::name.nullable(),
                statement_people::payroll,
            ))
            .load(conn)?;
        for (id, unit, payroll) in kept {
            if let Some(w) = who.get_mut(&id) {
                w.unit = unit;
                w.payroll = payroll;
            }
        }
    }
    Ok(who)
}

/// Whether each person's share was deducted from pay, as a closed month keeps it (empty for
/// an open month).
pub fn payroll_kept(conn: &mut DbConn, month: &str) -> Result<HashMap<i32, bool>, AppError> {
    Ok(statement_people::table
        .filter(statement_people::month.eq(month))
        .select((statement_people::person_id, statement_people::payroll))
        .load::<(i32, bool)>(conn)?
        .into_iter()
        .collect())
}

/// Keeps the people of a month being closed as they stand: everyone with a meal line, an
/// adjustment booked in it or dues deducted in its payroll file.
fn snapshot_people(
    conn: &mut DbConn,
    month: &str,
    lines: &[Line],
    adjustments: &[Adjustment],
) -> Result<(), AppError> {
    let mut ids: Vec<i32> = lines.iter().map(|l| l.person_id).collect();
    ids.extend(adjustments.iter().map(|a| a.person_id));
    ids.extend(crate::welfare::dues::payroll_dues(conn, month)?.into_keys());
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, Option<i32>, String, String)> = persons::table
            .filter(persons::id.eq_any(chunk))
            .select((
                persons::id,
                persons::unit_id,
                persons::status,
                persons::category,
            ))
            .load(conn)?;
        // A month's people are a few hundred, closed once: one row at a time is enough.
        for (id, unit, status, category) in rows {
            diesel::insert_into(statement_people::table)
                .values((
                    statement_people::month.eq(month),
                    statement_people::person_id.eq(id),
                    statement_people::unit_id.eq(unit),
                    statement_people::payroll.eq(on_payroll(&status, &category)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A person's lines of a closed month, as stored when it was closed.
pub fn statement_closed(
    conn: &mut DbConn,
    person: i32,
    month: &str,
) -> Result<Vec<subsidy::StatementLine>, AppError> {
    let lines = stored(conn, month)?;
    let (from, to) = subsidy::month_of(
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("month.err_bad"))?,
    );
    let states: Vec<(i32, String)> =
        crate::canteen::ordering::meals_between(conn, from, to, Some(person))?
            .into_iter()
            .map(|m| (m.order_id, m.status))
            .collect();
    Ok(lines
        .into_iter()
        .filter(|l| l.person_id == person)
        .map(|l| subsidy::StatementLine {
            day: l.day,
            option: l.option.clone(),
            state: match states
                .iter()
                .find(|s| s.0 == l.order_id)
                .map(|s| s.1.as_str())
            {
                Some("no_show") => MealState::NoShow,
                Some("served") => MealState::Served,
                _ => MealState::Ordered,
            },
            split: split::Split {
                meal: l.order_id,
                person,
                day: l.day,
                charged: l.charged,
                subsidies: l.by_fund.iter().map(|(f, a)| (0, *f, *a)).collect(),
                staff_share: l.staff,
            },
        })
        .collect())
}

/// The adjustments booked in a month, in id order.
pub fn adjustments_of(conn: &mut DbConn, month: &str) -> Result<Vec<Adjustment>, AppError> {
    Ok(adjustments::table
        .filter(adjustments::month.eq(month))
        .order(adjustments::id.asc())
        .select((
            adjustments::id,
            adjustments::month,
            adjustments::corrects_month,
            adjustments::person_id,
            adjustments::amount_vnd,
            adjustments::reason,
        ))
        .load(conn)?)
}

/// A person's adjustments booked in a month.
pub fn adjustments_of_person(
    conn: &mut DbConn,
    person: i32,
    month: &str,
) -> Result<Vec<Adjustment>, AppError> {
    Ok(adjustments_of(conn, month)?
        .into_iter()
        .filter(|a| a.person_id == person)
        .collect())
}

/// The month against the supplier's invoices (see `reconcile`).
pub fn reconciliation(
    conn: &mut DbConn,
    first: NaiveDate,
    lines: &[Line],
    adjustments: &[Adjustment],
) -> Result<super::reconcile::Reconciliation, AppError> {
    let (from, to) = subsidy::month_of(first);
    let month = crate::periods::month_key(first);
    let counts = crate::canteen::ordering::day_counts(conn, from, to)?;
    let contracts = crate::suppliers::store::contracts(conn)?;
    let invoices = crate::suppliers::store::invoices_of(conn, &month)?;
    Ok(super::reconcile::reconcile(
        &counts,
        &contracts,
        &invoices,
        super::reconcile::Split {
            staff: lines.iter().map(|l| l.staff.0).sum(),
            subsidy: lines.iter().map(|l| l.subsidy.0).sum(),
            adjustments: adjustments.iter().map(|a| a.amount).sum(),
        },
    ))
}

/// The accountant's note on a month's difference: (difference it explains, note).
pub fn note_of(conn: &mut DbConn, month: &str) -> Result<Option<(i64, String)>, AppError> {
    Ok(month_notes::table
        .find(month)
        .select((month_notes::difference_vnd, month_notes::note))
        .get_result(conn)
        .optional()?)
}

/// Store command: writes (or rewrites) the note explaining the month's current difference.
pub fn write_note(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    first: NaiveDate,
    note: &str,
) -> Result<(), AppError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 1000 {
        return Err(AppError::BadRequest("month.err_note"));
    }
    crate::periods::ensure_open(conn, first)?;
    let month = crate::periods::month_key(first);
    let (lines, _) = compute(conn, first)?;
    let adjustments = adjustments_of(conn, &month)?;
    let difference = reconciliation(conn, first, &lines, &adjustments)?.difference;
    let before = note_of(conn, &month)?;
    diesel::delete(month_notes::table.find(&month)).execute(conn)?;
    diesel::insert_into(month_notes::table)
        .values((
            month_notes::month.eq(&month),
            month_notes::difference_vnd.eq(difference),
            month_notes::note.eq(note),
            month_notes::written_at.eq(now),
            month_notes::written_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    let mut e = Entry::new("accounting_month.note", "month")
        .id(&month)
        .after(json!({"difference_vnd": difference, "note": note}));
    if let Some((d, n)) = before {
        e = e.before(json!({"difference_vnd": d, "note": n}));
    }
    audit::record(conn, actor, now, e)
}

/// The first month after `month` that is open (`periods::ensure_open`: neither it nor a later
/// month closed).
fn next_open_month(conn: &mut DbConn, after: NaiveDate) -> Result<NaiveDate, AppError> {
    let mut m = subsidy::month_of(after).1 + chrono::Duration::days(1);
    for _ in 0..120 {
        if crate::periods::ensure_open(conn, m).is_ok() {
            return Ok(m);
        }
        m = subsidy::month_of(m).1 + chrono::Duration::days(1);
    }
    Err(AppError::BadRequest("period.err_closed"))
}

/// Store command: a correction of a closed (or signed) month for one person, booked in the
/// next open month after it (positive: they owe more; negative: a refund). Audited. Returns
/// the month it was booked in.
pub fn add_adjustment(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    person: i32,
    corrects: NaiveDate,
    amount: Vnd,
    reason: &str,
) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::BadRequest("adj.err_reason"));
    }
    if amount.0 == 0 || amount.0.abs() > 100_000_000 {
        return Err(AppError::BadRequest("adj.err_amount"));
    }
    let corrected = crate::periods::month_key(corrects);
    if crate::periods::ensure_open(conn, corrects).is_ok() {
        return Err(AppError::BadRequest("adj.err_month_open"));
    }
    let known = crate::people::store::payroll_facts(conn, &[person])?;
    if known.is_empty() {
        return Err(AppError::BadRequest("adj.err_person"));
    }
    let booked = crate::periods::month_key(next_open_month(conn, corrects)?);
    let id: i32 = diesel::insert_into(adjustments::table)
        .values((
            adjustments::month.eq(&booked),
            adjustments::corrects_month.eq(&corrected),
            adjustments::person_id.eq(person),
            adjustments::amount_vnd.eq(amount.0),
            adjustments::reason.eq(reason),
            adjustments::created_at.eq(now),
            adjustments::created_by.eq(actor.user_id),
        ))
        .returning(adjustments::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("accounting_adjustment.create", "adjustment")
            .id(id)
            .after(
                json!({"person_id": person, "month": booked, "corrects_month": corrected,
                "amount_vnd": amount.0, "reason": reason}),
            ),
    )?;
    Ok(booked)
}

/// Whether a month after `month` is closed or signed.
pub fn later_closed(conn: &mut DbConn, month: &str) -> Result<bool, AppError> {
    Ok(periods::table
        .filter(periods::month.gt(month))
        .filter(periods::state.ne("open"))
        .select(periods::month)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Store command: reopens a closed month that is not signed (an approver's act, with a
/// reason), when no later month is closed. Its stored lines are removed (the audit keeps the
/// digest and totals they had) and every dated write may change it again. A signed month
/// never reopens.
pub fn reopen_month(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    first: NaiveDate,
    reason: &str,
) -> Result<usize, AppError> {
    reopen_month_seen(conn, actor, now, first, reason, None)
}

/// [`reopen_month`] from the month's page: `seen_signatures` is how many signatures the page
/// showed (and warned would be voided). A month signed since is refused, so that nobody voids
/// a signature they were not shown. Returns how many signatures were voided.
pub fn reopen_month_seen(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    first: NaiveDate,
    reason: &str,
    seen_signatures: Option<usize>,
) -> Result<usize, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::BadRequest("month.err_reason"));
    }
    let month = crate::periods::month_key(first);
    let state: Option<String> = periods::table
        .find(&month)
        .select(periods::state)
        .get_result(conn)
        .optional()?;
    match state.as_deref() {
        Some("closed") => {}
        Some("signed") => return Err(AppError::BadRequest("month.err_signed")),
        _ => return Err(AppError::BadRequest("month.err_not_closed")),
    }
    // Books reopen from the latest closed month back: reopened behind a later closed month,
    // this one's days would stay closed (`periods::ensure_open`).
    if later_closed(conn, &month)? {
        return Err(AppError::BadRequest("month.err_later_closed"));
    }
    let was = closed(conn, &month)?.ok_or(AppError::BadRequest("month.err_not_closed"))?;
    let voided = crate::signoff::store::void_signatures(conn, &month)?;
    if seen_signatures.is_some_and(|n| n != voided.len()) {
        return Err(AppError::BadRequest("month.err_signed_meanwhile"));
    }
    let signatures: Vec<serde_json::Value> = voided
        .iter()
        .map(|s| {
            json!({"step": s.step, "signer_id": s.signer_id, "signer_name": s.signer_name,
            "signed_at": s.signed_at, "signature": s.signature})
        })
        .collect();
    let n_voided = signatures.len();
    // The subsidy vouchers the close posted are reversed (dated today), never deleted.
    let today = crate::clock::business_date_of(now);
    for v in crate::ledger::store::vouchers_from(conn, &format!("{SUBSIDY_SOURCE}{month}"))? {
        crate::ledger::store::reverse(
            conn,
            actor,
            now,
            v,
            today,
            &format!(
                "Mở lại tháng {}: {}",
                super::handlers::month_label(&month),
                reason.chars().take(120).collect::<String>()
            ),
        )?;
    }
    diesel::delete(statement_lines::table.filter(statement_lines::month.eq(&month)))
        .execute(conn)?;
    diesel::delete(statement_people::table.filter(statement_people::month.eq(&month)))
        .execute(conn)?;
    crate::stats::summary::forget_month(conn, &month)?;
    diesel::delete(month_closes::table.find(&month)).execute(conn)?;
    diesel::update(periods::table.find(&month))
        .set((
            periods::state.eq("open"),
            periods::changed_at.eq(now),
            periods::changed_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("accounting_month.reopen", "month")
            .id(&month)
            .before(json!({"digest": was.digest, "lines": was.lines,
                "charged_vnd": was.charged_vnd, "subsidy_vnd": was.subsidy_vnd,
                "staff_vnd": was.staff_vnd, "adjustments_vnd": was.adjustments_vnd,
                "signatures": signatures}))
            .after(json!({"reason": reason})),
    )?;
    Ok(n_voided)
}

/// The latest reopening of a month that voided signatures: when, by whom, why, and whose
/// signatures (capacity step, signer's name) — from the audit trail, for the month's page, so
/// that those who signed see why they must sign again.
#[derive(Debug, Clone)]
pub struct Reopened {
    pub at: NaiveDateTime,
    pub by: String,
    pub reason: String,
    pub voided: Vec<(i32, String)>,
}

pub fn last_reopen(conn: &mut DbConn, month: &str) -> Result<Option<Reopened>, AppError> {
    use crate::db::schema::audit_log;
    let row: Option<(NaiveDateTime, String, Option<String>, Option<String>)> = audit_log::table
        .filter(audit_log::entity.eq("month"))
        .filter(audit_log::entity_id.eq(month))
        .filter(audit_log::action.eq("accounting_month.reopen"))
        .order(audit_log::id.desc())
        .select((
            audit_log::at,
            audit_log::actor,
            audit_log::before_json,
            audit_log::after_json,
        ))
        .first(conn)
        .optional()?;
    let Some((at, by, before, after)) = row else {
        return Ok(None);
    };
    let json = |t: Option<String>| {
        t.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .unwrap_or_default()
    };
    let voided: Vec<(i32, String)> = json(before)["signatures"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["step"].as_i64().unwrap_or_default() as i32,
                        s["signer_name"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if voided.is_empty() {
        return Ok(None);
    }
    let reason = json(after)["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok(Some(Reopened {
        at,
        by,
        reason,
        voided,
    }))
}

/// PostgreSQL: one statement per 50 000 lines, the columns bound as arrays and `unnest`ed
/// (a long VALUES list costs PostgreSQL more to plan than the rows cost to write).
#[cfg(feature = "postgres")]
fn insert_lines_pg(
    pg: &mut diesel::PgConnection,
    month: &str,
    lines: &[Line],
) -> Result<(), AppError> {
    use diesel::sql_types::{Array, BigInt, Date, Integer, Text};
    for chunk in lines.chunks(50_000) {
        let col = |f: fn(&Line) -> i64| chunk.iter().map(f).collect::<Vec<i64>>();
        diesel::sql_query(
            "INSERT INTO statement_lines (month, order_id, person_id, service_date, option_name, \
             charged_vnd, subsidy_vnd, staff_vnd, subsidies) \
             SELECT $1, * FROM unnest($2::int4[], $3::int4[], $4::date[], $5::text[], \
             $6::int8[], $7::int8[], $8::int8[], $9::text[])",
        )
        .bind::<Text, _>(month)
        .bind::<Array<Integer>, _>(chunk.iter().map(|l| l.order_id).collect::<Vec<i32>>())
        .bind::<Array<Integer>, _>(chunk.iter().map(|l| l.person_id).collect::<Vec<i32>>())
        .bind::<Array<Date>, _>(chunk.iter().map(|l| l.day).collect::<Vec<NaiveDate>>())
        .bind::<Array<Text>, _>(
            chunk
                .iter()
                .map(|l| l.option.clone())
                .collect::<Vec<String>>(),
        )
        .bind::<Array<BigInt>, _>(col(|l| l.charged.0))
        .bind::<Array<BigInt>, _>(col(|l| l.subsidy.0))
        .bind::<Array<BigInt>, _>(col(|l| l.staff.0))
        .bind::<Array<Text>, _>(
            chunk
                .iter()
                .map(|l| funds_text(&l.by_fund))
                .collect::<Vec<String>>(),
        )
        .execute(pg)?;
    }
    Ok(())
}

/// SQL text of a string literal (quotes doubled; the values are the app's own option names).
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''").replace('\0', ""))
}

/// Stores a month's lines, many rows per statement: diesel's `MultiConnection` has no
/// multi-row INSERT, and a month of ten thousand people is two hundred thousand lines. Every
/// value is a number or a date the app formats, or text passed through `sql_text`.
fn insert_lines(conn: &mut DbConn, month: &str, lines: &[Line]) -> Result<(), AppError> {
    #[cfg(feature = "postgres")]
    if let DbConn::Pg(pg) = conn {
        return insert_lines_pg(pg, month, lines);
    }
    const ROWS: usize = 500;
    let month = sql_text(month);
    for chunk in lines.chunks(ROWS) {
        let mut sql = String::with_capacity(chunk.len() * 96 + 200);
        sql.push_str(
            "INSERT INTO statement_lines (month, order_id, person_id, service_date, option_name, \
             charged_vnd, subsidy_vnd, staff_vnd, subsidies) VALUES ",
        );
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({month},{},{},'{}',{},{},{},{},'{}')",
                l.order_id,
                l.person_id,
                l.day.format("%Y-%m-%d"),
                sql_text(&l.option),
                l.charged.0,
                l.subsidy.0,
                l.staff.0,
                funds_text(&l.by_fund)
            ));
        }
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_in_a_batch_insert_is_quoted_safely() {
        assert_eq!(super::sql_text("Suất 'đặc biệt'"), "'Suất ''đặc biệt'''");
        assert_eq!(super::sql_text("a\0b"), "'ab'");
    }
}
