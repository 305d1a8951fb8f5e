//! Retirees: who counts as one on a day, their records (retired on, former unit, address,
//! contact, a health note for union officers), pensions (effective-dated: the basis of retired
//! Party members' dues), visits, and recording a death (off every list from that day, history
//! kept, memberships ended).

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{memberships, pensions, persons, retiree_visits, retirees, units};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Why a retiree was visited.
pub const VISIT_REASONS: &[(&str, &str)] = &[
    ("tet", "wf.visit_tet"),
    ("milestone", "wf.visit_milestone"),
    ("sickness", "wf.visit_sickness"),
    ("funeral", "wf.visit_funeral"),
    ("other", "wf.visit_other"),
];

pub fn visit_reason_key(code: &str) -> &'static str {
    VISIT_REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, k)| *k)
        .unwrap_or("wf.visit_other")
}

/// Whether a person with this status and status date, and maybe a retiree record, is a retiree
/// on `day`: retired by then, and not dead by then (a death is on record only for someone who
/// retired first, through the retiree record).
pub fn retiree_on(
    status: &str,
    status_date: Option<NaiveDate>,
    retired_on: Option<NaiveDate>,
    has_record: bool,
    day: NaiveDate,
) -> bool {
    match status {
        "retired" => status_date.or(retired_on).is_none_or(|d| d <= day),
        "deceased" => {
            has_record
                && retired_on.is_none_or(|r| r <= day)
                && status_date.is_some_and(|died| died > day)
        }
        _ => false,
    }
}

/// What decides whether someone is a retiree on a day: (person, status, status date, retiree
/// record kept, retired on).
type Standing = (
    i32,
    String,
    Option<NaiveDate>,
    Option<i32>,
    Option<NaiveDate>,
);

fn standing(conn: &mut DbConn, person: Option<i32>) -> Result<Vec<Standing>, AppError> {
    let mut q = persons::table
        .left_join(retirees::table)
        .filter(
            persons::status
                .eq("retired")
                .or(retirees::person_id.nullable().is_not_null()),
        )
        .into_boxed();
    if let Some(p) = person {
        q = q.filter(persons::id.eq(p));
    }
    Ok(q.select((
        persons::id,
        persons::status,
        persons::status_date,
        retirees::person_id.nullable(),
        retirees::retired_on.nullable(),
    ))
    .load(conn)?)
}

/// The retirees on a day (ids, ascending).
pub fn retirees_on(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<i32>, AppError> {
    let mut ids: Vec<i32> = standing(conn, None)?
        .into_iter()
        .filter(|(_, s, sd, rec, ro)| retiree_on(s, *sd, *ro, rec.is_some(), day))
        .map(|r| r.0)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

pub fn is_retiree_on(conn: &mut DbConn, person: i32, day: NaiveDate) -> Result<bool, AppError> {
    Ok(standing(conn, Some(person))?
        .iter()
        .any(|(_, s, sd, rec, ro)| retiree_on(s, *sd, *ro, rec.is_some(), day)))
}

/// One line of the retirees list.
#[derive(Clone, Debug)]
pub struct RetireeRow {
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub born: Option<NaiveDate>,
    pub status: String,
    pub status_date: Option<NaiveDate>,
    pub retired_on: Option<NaiveDate>,
    pub former_unit: Option<String>,
    pub region: String,
    pub last_visit: Option<NaiveDate>,
}

impl RetireeRow {
    /// The day of death, for a retiree who died.
    pub fn died_on(&self) -> Option<NaiveDate> {
        (self.status == "deceased")
            .then_some(self.status_date)
            .flatten()
    }
}

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub q: String,
    pub region: String,
    /// Also those who died.
    pub with_deceased: bool,
}

type ListRow = (
    i32,
    String,
    String,
    Option<NaiveDate>,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i32>,
    Option<String>,
);

/// A page of retirees (search by name or code ignoring accents, region), in name order.
pub fn list(
    conn: &mut DbConn,
    f: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<RetireeRow>, i64), AppError> {
    let folded = crate::ui::format::fold_search(&f.q);
    let region = f.region.trim().to_string();
    let build = || {
        let mut q = persons::table
            .left_join(retirees::table)
            .filter(
                persons::status
                    .eq("retired")
                    .or(retirees::person_id.nullable().is_not_null()),
            )
            .into_boxed();
        if !f.with_deceased {
            q = q.filter(persons::status.eq("retired"));
        }
        if !folded.is_empty() {
            let like = crate::db::like_contains(&folded);
            let code = crate::db::like_contains(&crate::ui::format::search_code(&f.q));
            q = q.filter(
                persons::search_name
                    .like(like)
                    .escape('\\')
                    .or(persons::employee_code.like(code).escape('\\')),
            );
        }
        if !region.is_empty() {
            q = q.filter(retirees::region.nullable().eq(region.clone()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<ListRow> = build()
        .order((persons::sort_key.asc(), persons::id.asc()))
        .offset((page - 1).max(0) * per_page)
        .limit(per_page)
        .select((
            persons::id,
            persons::employee_code,
            persons::full_name,
            persons::date_of_birth,
            persons::status,
            persons::status_date,
            retirees::retired_on.nullable(),
            retirees::former_unit_id.nullable(),
            retirees::region.nullable(),
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let mut last: HashMap<i32, NaiveDate> = HashMap::new();
    // In slices: SQLite takes at most 32 766 parameters in a statement (an export lists all).
    for chunk in ids.chunks(10_000) {
        last.extend(
            retiree_visits::table
                .filter(retiree_visits::person_id.eq_any(chunk))
                .group_by(retiree_visits::person_id)
                .select((
                    retiree_visits::person_id,
                    diesel::dsl::max(retiree_visits::visited_on),
                ))
                .load::<(i32, Option<NaiveDate>)>(conn)?
                .into_iter()
                .filter_map(|(p, d)| d.map(|d| (p, d))),
        );
    }
    let unit_names: HashMap<i32, String> = units::table
        .select((units::id, units::name))
        .load(conn)?
        .into_iter()
        .collect();
    Ok((
        rows.into_iter()
            .map(|(id, code, name, born, status, sd, ro, fu, region)| {
                let retired_on = ro.or(if status == "retired" { sd } else { None });
                RetireeRow {
                    person_id: id,
                    code,
                    name,
                    born,
                    status,
                    status_date: sd,
                    retired_on,
                    former_unit: fu.and_then(|u| unit_names.get(&u).cloned()),
                    region: region.unwrap_or_default(),
                    last_visit: last.get(&id).copied(),
                }
            })
            .collect(),
        total,
    ))
}

/// The regions on record, for the filter.
pub fn regions(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    Ok(retirees::table
        .filter(retirees::region.ne(""))
        .select(retirees::region)
        .distinct()
        .order(retirees::region.asc())
        .load(conn)?)
}

/// A retiree's record as stored (defaults when none was kept yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = retirees)]
pub struct Record {
    pub retired_on: Option<NaiveDate>,
    pub former_unit_id: Option<i32>,
    pub address: String,
    pub region: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub health_note: String,
}

pub fn record(conn: &mut DbConn, person: i32) -> Result<Option<Record>, AppError> {
    Ok(retirees::table
        .find(person)
        .select(Record::as_select())
        .get_result(conn)
        .optional()?)
}

/// The records of these persons (those kept), in one query.
pub fn records_of(conn: &mut DbConn, ids: &[i32]) -> Result<HashMap<i32, Record>, AppError> {
    let mut out = HashMap::new();
    // In slices: SQLite takes at most 32 766 parameters in a statement.
    for chunk in ids.chunks(10_000) {
        out.extend(
            retirees::table
                .filter(retirees::person_id.eq_any(chunk))
                .select((retirees::person_id, Record::as_select()))
                .load::<(i32, Record)>(conn)?,
        );
    }
    Ok(out)
}

/// A retiree as the record page shows them: the person, the record (or one made from the
/// person's status), and whether one is kept.
pub fn retiree(
    conn: &mut DbConn,
    person: i32,
) -> Result<(crate::people::store::Person, Record, bool), AppError> {
    let p = crate::people::store::person(conn, person)?.ok_or(AppError::NotFound)?;
    let kept = record(conn, person)?;
    if kept.is_none() && p.status != "retired" {
        return Err(AppError::NotFound);
    }
    let has = kept.is_some();
    let r = kept.unwrap_or_else(|| Record {
        retired_on: p.status_date,
        former_unit_id: p.unit_id,
        ..Record::default()
    });
    Ok((p, r, has))
}

/// The version of a retiree's record: a digest of what it says (`ui::seen`; empty when none
/// is kept). A form carries it, so that saving over a change made meanwhile in another tab is
/// refused.
pub fn version(conn: &mut DbConn, person: i32) -> Result<String, AppError> {
    Ok(record(conn, person)?
        .map(|r| {
            crate::ui::seen::of(&(
                r.retired_on,
                r.former_unit_id,
                &r.address,
                &r.region,
                &r.contact_name,
                &r.contact_phone,
                &r.health_note,
            ))
        })
        .unwrap_or_default())
}

/// Store command: keeps a retiree's record (creates or replaces it) if it is still the
/// version the form was made from (`expected`; None: do not check). Audited; the health note
/// only as "changed", so that it stays with union officers.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    person: i32,
    r: &Record,
    expected: Option<&str>,
) -> Result<(), AppError> {
    crate::db::hold_record(conn, &format!("retiree:{person}"))?;
    if expected.is_some_and(|v| v != version(conn, person).unwrap_or_default()) {
        return Err(AppError::BadRequest(crate::ui::seen::CHANGED));
    }
    let (_, before, had) = retiree(conn, person)?;
    let p = crate::people::store::person(conn, person)?.ok_or(AppError::NotFound)?;
    if let (Some(born), Some(ret)) = (p.date_of_birth, r.retired_on) {
        if ret <= born {
            return Err(AppError::BadRequest("wf.err_retired_before_birth"));
        }
    }
    if let Some(u) = r.former_unit_id {
        let known: i64 = units::table.find(u).count().get_result(conn)?;
        if known == 0 {
            return Err(AppError::BadRequest("wf.err_unit"));
        }
    }
    if p.status == "deceased" {
        if let (Some(died), Some(ret)) = (p.status_date, r.retired_on) {
            if ret > died {
                return Err(AppError::BadRequest("wf.err_retired_after_death"));
            }
        }
    }
    let values = (
        retirees::retired_on.eq(r.retired_on),
        retirees::former_unit_id.eq(r.former_unit_id),
        retirees::address.eq(&r.address),
        retirees::region.eq(&r.region),
        retirees::contact_name.eq(&r.contact_name),
        retirees::contact_phone.eq(&r.contact_phone),
        retirees::health_note.eq(&r.health_note),
        retirees::updated_at.eq(now),
        retirees::updated_by.eq(actor.user_id),
    );
    if had {
        diesel::update(retirees::table.find(person))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(retirees::table)
            .values((retirees::person_id.eq(person), values))
            .execute(conn)?;
    }
    let snap = |x: &Record| {
        json!({"retired_on": x.retired_on, "former_unit_id": x.former_unit_id,
            "address": x.address, "region": x.region, "contact_name": x.contact_name,
            "contact_phone": x.contact_phone})
    };
    let mut after = snap(r);
    if before.health_note != r.health_note {
        after["health_note"] = json!("(changed)");
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("retiree.update", "person")
            .id(person)
            .before(snap(&before))
            .after(after),
    )
}

/// One pension amount from a day on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pension {
    pub valid_from: NaiveDate,
    pub monthly: Vnd,
}

pub fn pensions_of(conn: &mut DbConn, person: i32) -> Result<Vec<Pension>, AppError> {
    Ok(pensions::table
        .filter(pensions::person_id.eq(person))
        .order(pensions::valid_from.desc())
        .select((pensions::valid_from, pensions::monthly_vnd))
        .load::<(NaiveDate, i64)>(conn)?
        .into_iter()
        .map(|(valid_from, m)| Pension {
            valid_from,
            monthly: Vnd(m),
        })
        .collect())
}

/// Every retiree's pension in force on a day.
pub fn pensions_on(conn: &mut DbConn, day: NaiveDate) -> Result<HashMap<i32, Vnd>, AppError> {
    let rows: Vec<(i32, NaiveDate, i64)> = pensions::table
        .filter(pensions::valid_from.le(day))
        .order((pensions::person_id.asc(), pensions::valid_from.asc()))
        .select((
            pensions::person_id,
            pensions::valid_from,
            pensions::monthly_vnd,
        ))
        .load(conn)?;
    // Ordered by day: the last one per person wins.
    Ok(rows.into_iter().map(|(p, _, m)| (p, Vnd(m))).collect())
}

/// The largest monthly pension accepted (a typing error guard).
pub const MAX_PENSION: Vnd = Vnd(1_000_000_000);

/// Store command: a retiree's pension from a day on. A second amount for the same day is
/// refused unless `replace` (a correction; dues already generated keep their amount). Audited.
pub fn add_pension(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    person: i32,
    valid_from: NaiveDate,
    monthly: Vnd,
    replace: bool,
) -> Result<(), AppError> {
    let (p, rec, _) = retiree(conn, person)?;
    if monthly.0 <= 0 || monthly > MAX_PENSION {
        return Err(AppError::BadRequest("wf.err_pension"));
    }
    // From retirement (its month) until death; not more than a year ahead.
    let today = crate::clock::business_date_of(now);
    let retired_month = rec.retired_on.and_then(|r| r.with_day(1));
    let died = (p.status == "deceased").then_some(p.status_date).flatten();
    if retired_month.is_some_and(|r| valid_from < r)
        || died.is_some_and(|d| valid_from > d)
        || valid_from > today + chrono::Duration::days(366)
    {
        return Err(AppError::BadRequest("wf.err_pension_date"));
    }
    let same: Option<(i32, i64)> = pensions::table
        .filter(pensions::person_id.eq(person))
        .filter(pensions::valid_from.eq(valid_from))
        .select((pensions::id, pensions::monthly_vnd))
        .first(conn)
        .optional()?;
    if let Some((id, before)) = same {
        // A correction of that day's amount, asked for in so many words.
        if !replace {
            return Err(AppError::BadRequest("wf.err_pension_same_day"));
        }
        diesel::update(pensions::table.find(id))
            .set(pensions::monthly_vnd.eq(monthly.0))
            .execute(conn)?;
        return audit::record(
            conn,
            actor,
            now,
            Entry::new("pension.correct", "person")
                .id(person)
                .before(json!({"valid_from": valid_from, "monthly_vnd": before}))
                .after(json!({"valid_from": valid_from, "monthly_vnd": monthly})),
        );
    }
    diesel::insert_into(pensions::table)
        .values((
            pensions::person_id.eq(person),
            pensions::valid_from.eq(valid_from),
            pensions::monthly_vnd.eq(monthly.0),
            pensions::created_at.eq(now),
            pensions::created_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("pension.add", "person")
            .id(person)
            .after(json!({"valid_from": valid_from, "monthly_vnd": monthly})),
    )
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = retiree_visits)]
pub struct Visit {
    pub id: i32,
    pub person_id: i32,
    pub visited_on: NaiveDate,
    pub reason: String,
    pub visitors: String,
    pub gift: String,
    pub note: String,
}

pub fn visits_of(conn: &mut DbConn, person: i32) -> Result<Vec<Visit>, AppError> {
    Ok(retiree_visits::table
        .filter(retiree_visits::person_id.eq(person))
        .order((retiree_visits::visited_on.desc(), retiree_visits::id.desc()))
        .select(Visit::as_select())
        .load(conn)?)
}

/// The persons visited at least once in a year.
pub fn visited_in(conn: &mut DbConn, year: i32) -> Result<HashSet<i32>, AppError> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(HashSet::new());
    };
    Ok(retiree_visits::table
        .filter(retiree_visits::visited_on.between(first, last))
        .select(retiree_visits::person_id)
        .distinct()
        .load::<i32>(conn)?
        .into_iter()
        .collect())
}

/// A visit to record.
#[derive(Clone, Debug)]
pub struct NewVisit {
    pub visited_on: NaiveDate,
    pub reason: String,
    pub visitors: String,
    pub gift: String,
    pub note: String,
}

/// Store command: records a visit paid to a retiree (on a day they were alive, and a retiree
/// by then or visited for their funeral). Audited.
pub fn add_visit(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    person: i32,
    v: &NewVisit,
) -> Result<i32, AppError> {
    let (p, rec, _) = retiree(conn, person)?;
    if !VISIT_REASONS.iter().any(|(c, _)| *c == v.reason) {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if rec.retired_on.is_some_and(|r| v.visited_on < r) {
        return Err(AppError::BadRequest("wf.err_visit_before_retirement"));
    }
    if p.status == "deceased" && v.reason != "funeral" {
        if let Some(died) = p.status_date {
            if v.visited_on >= died {
                return Err(AppError::BadRequest("wf.err_visit_after_death"));
            }
        }
    }
    let id: i32 = diesel::insert_into(retiree_visits::table)
        .values((
            retiree_visits::person_id.eq(person),
            retiree_visits::visited_on.eq(v.visited_on),
            retiree_visits::reason.eq(&v.reason),
            retiree_visits::visitors.eq(&v.visitors),
            retiree_visits::gift.eq(&v.gift),
            retiree_visits::note.eq(&v.note),
            retiree_visits::created_at.eq(now),
            retiree_visits::created_by.eq(actor.user_id),
        ))
        .returning(retiree_visits::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("retiree.visit", "person").id(person).after(
            json!({"visit": id, "visited_on": v.visited_on, "reason": v.reason,
                "visitors": v.visitors, "gift": v.gift}),
        ),
    )?;
    Ok(id)
}

/// Store command: records a retiree's death. The person's status becomes "deceased" from that
/// day (through the people store, so their account and meals follow), a retiree record is kept
/// (with the retirement date it had), and open memberships end that day. Returns the number
/// of memberships ended.
pub fn record_death(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    person: i32,
    died_on: NaiveDate,
    reason: &str,
) -> Result<usize, AppError> {
    let (p, rec, had) = retiree(conn, person)?;
    if p.status != "retired" {
        return Err(AppError::BadRequest("wf.err_already_deceased"));
    }
    if died_on > crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("wf.err_past_date"));
    }
    if rec.retired_on.is_some_and(|r| died_on < r) || p.date_of_birth.is_some_and(|b| died_on < b) {
        return Err(AppError::BadRequest("wf.err_death_before_retirement"));
    }
    let later_visits: i64 = retiree_visits::table
        .filter(retiree_visits::person_id.eq(person))
        .filter(retiree_visits::visited_on.gt(died_on))
        .filter(retiree_visits::reason.ne("funeral"))
        .count()
        .get_result(conn)?;
    if later_visits > 0 {
        return Err(AppError::BadRequest("wf.err_death_before_visits"));
    }
    if !had {
        save(conn, actor, now, person, &rec, None)?;
    }
    let mut d = p.data().ok_or(AppError::BadRequest("err.bad_form"))?;
    d.status = crate::people::rules::Status::Deceased;
    d.status_date = Some(died_on);
    crate::people::store::update_person(conn, actor, now, &p, &d)?;
    let open: Vec<(i32, NaiveDate)> = memberships::table
        .filter(memberships::person_id.eq(person))
        .filter(memberships::ended_on.is_null())
        .select((memberships::id, memberships::joined_on))
        .load(conn)?;
    let mut n = 0;
    for (m, joined) in open {
        super::store::leave(conn, actor, now, m, died_on.max(joined), reason)?;
        n += 1;
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("retiree.death", "person")
            .id(person)
            .after(json!({"name": p.full_name, "died_on": died_on, "memberships_ended": n})),
    )?;
    Ok(n)
}

/// Age in full years on a day.
pub fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_retiree_counts_from_retirement_until_the_day_of_death() {
        let retired = Some(d(2020, 3, 1));
        assert!(!retiree_on("retired", retired, None, false, d(2020, 2, 29)));
        assert!(retiree_on("retired", retired, None, false, d(2020, 3, 1)));
        // Died on 10/05/2026: a retiree the day before, not on the day.
        let died = Some(d(2026, 5, 10));
        assert!(retiree_on("deceased", died, retired, true, d(2026, 5, 9)));
        assert!(!retiree_on("deceased", died, retired, true, d(2026, 5, 10)));
        // Someone who died while working was never a retiree.
        assert!(!retiree_on("deceased", died, None, false, d(2026, 5, 9)));
        assert!(!retiree_on("working", None, None, false, d(2026, 5, 9)));
    }
}
