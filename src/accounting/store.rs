//! All diesel code of the accountants' month.

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{month_closes, periods, statement_lines};
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

/// The canonical text the digest covers: one line per meal, in order id order —
/// `order|person|yyyy-mm-dd|charged|subsidy|staff|fund:amount,…` and a newline.
pub fn canonical(lines: &[Line]) -> String {
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

pub fn digest(lines: &[Line]) -> String {
    let mut h = Sha256::new();
    h.update(canonical(lines).as_bytes());
    format!("{:x}", h.finalize())
}

fn who_from(facts: HashMap<i32, crate::people::store::PayrollFacts>) -> HashMap<i32, Who> {
    facts
        .into_iter()
        .map(|(id, f)| {
            (
                id,
                Who {
                    payroll: f.status == "working" && f.category != "hop_dong",
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
    let rows = crate::canteen::ordering::meals_between(conn, from, to, None)?;
    let mut people: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let facts = crate::people::store::payroll_facts(conn, &people)?;
    let categories = facts
        .iter()
        .map(|(id, f)| (*id, f.category.clone()))
        .collect();
    let who = who_from(facts);
    let meals: Vec<Meal> = rows
        .iter()
        .map(|r| Meal {
            id: r.order_id,
            person: r.person_id,
            day: r.day,
            price: r.price,
            state: MealState::of_status(&r.status),
        })
        .collect();
    let inputs = Inputs {
        policies: subsidy::policies_between(conn, from, to)?,
        eligibility: subsidy::eligibility_between(conn, &people, from, to)?,
        categories,
        no_show_rules: subsidy::no_show_rules(conn)?,
    };
    let option_of: HashMap<i32, &str> = rows
        .iter()
        .map(|r| (r.order_id, r.option_name.as_str()))
        .collect();
    let lines = split::split(&meals, &inputs)
        .into_iter()
        .map(|s| {
            let mut by_fund: Vec<(i32, Vnd)> = Vec::new();
            for (_, fund, a) in &s.subsidies {
                match by_fund.iter_mut().find(|x| x.0 == *fund) {
                    Some(x) => x.1 = Vnd(x.1 .0 + a.0),
                    None => by_fund.push((*fund, *a)),
                }
            }
            by_fund.sort_by_key(|x| x.0);
            Line {
                order_id: s.meal,
                person_id: s.person,
                day: s.day,
                option: option_of.get(&s.meal).copied().unwrap_or("").to_string(),
                charged: s.charged,
                subsidy: s.subsidy(),
                staff: s.staff_share,
                by_fund,
            }
        })
        .collect();
    Ok((lines, who))
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
}

pub fn closed(conn: &mut DbConn, month: &str) -> Result<Option<Closed>, AppError> {
    Ok(month_closes::table
        .find(month)
        .get_result::<Closed>(conn)
        .optional()?)
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
    crate::periods::ensure_open(conn, first)?;
    let (lines, _) = compute(conn, first)?;
    for l in &lines {
        diesel::insert_into(statement_lines::table)
            .values((
                statement_lines::month.eq(&month),
                statement_lines::order_id.eq(l.order_id),
                statement_lines::person_id.eq(l.person_id),
                statement_lines::service_date.eq(l.day),
                statement_lines::option_name.eq(&l.option),
                statement_lines::charged_vnd.eq(l.charged.0),
                statement_lines::subsidy_vnd.eq(l.subsidy.0),
                statement_lines::staff_vnd.eq(l.staff.0),
                statement_lines::subsidies.eq(funds_text(&l.by_fund)),
            ))
            .execute(conn)?;
    }
    let sum = |f: fn(&Line) -> i64| lines.iter().map(f).sum::<i64>();
    let (charged, subsidy, staff) = (
        sum(|l| l.charged.0),
        sum(|l| l.subsidy.0),
        sum(|l| l.staff.0),
    );
    let d = digest(&lines);
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
        ))
        .execute(conn)?;
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
                "subsidy_vnd": subsidy, "staff_vnd": staff}),
            ),
    )?;
    Ok(d)
}

/// A person's month in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonTotal {
    pub person_id: i32,
    pub meals: i64,
    pub charged: i64,
    pub subsidy: i64,
    pub staff: i64,
}

/// Per person, in the order people lists use (unit is not part of it: by name).
pub fn per_person(lines: &[Line], who: &HashMap<i32, Who>) -> Vec<PersonTotal> {
    let mut map: HashMap<i32, PersonTotal> = HashMap::new();
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

/// Who the people of stored lines are (for a closed month's pages).
pub fn who_of(conn: &mut DbConn, ids: &[i32]) -> Result<HashMap<i32, Who>, AppError> {
    Ok(who_from(crate::people::store::payroll_facts(conn, ids)?))
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
