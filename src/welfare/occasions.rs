//! Occasions and their signed distribution lists: generated from the rules (members,
//! retirees, women, children under an age on the occasion date, one gift per child), edited
//! with reasons while a draft, frozen into one payment voucher, receipt ticked or the signed
//! sheet attached. Also the longevity milestone list of retirees.

use super::store::organisation;
use crate::attachments::{self, NewFile};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    dependants, memberships, occasion_rows, occasions, organisations, persons, units,
};
use crate::db::{is_unique_violation, DbConn};
use crate::error::AppError;
use crate::ledger::store as ledger;
use crate::money::Vnd;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

pub const AUDIENCES: [&str; 5] = [
    "members",
    "retirees",
    "members_and_retirees",
    "children",
    "women",
];
pub const SHEET_FILE: &str = "distribution_sheet";

/// Full years of age on a day (a child born 02/10/2011 is 14 on 01/10/2026... and 15 a day later).
pub fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Longevity milestones (mừng thọ): 70, 75, 80, 85, 90, 95, and every year from 100. The age
/// is the one reached in the year (year − year of birth), as the celebration is held.
pub fn milestone(age: i32) -> bool {
    matches!(age, 70 | 75 | 80 | 85 | 90 | 95) || age >= 100
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = occasions)]
pub struct Occasion {
    pub id: i32,
    pub name: String,
    pub occasion_date: NaiveDate,
    pub audience: String,
    pub organisation_id: Option<i32>,
    pub child_max_age: Option<i32>,
    pub amount_vnd: i64,
    pub gift: String,
    pub fund_id: i32,
    pub state: String,
    pub voucher_id: Option<i32>,
    pub signed_sheet_id: Option<i32>,
}

pub fn occasions(conn: &mut DbConn) -> Result<Vec<Occasion>, AppError> {
    Ok(occasions::table
        .order((occasions::occasion_date.desc(), occasions::id.desc()))
        .select(Occasion::as_select())
        .load(conn)?)
}

pub fn occasion(conn: &mut DbConn, id: i32) -> Result<Occasion, AppError> {
    occasions::table
        .find(id)
        .select(Occasion::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub struct NewOccasion {
    pub name: String,
    pub occasion_date: NaiveDate,
    pub audience: String,
    pub organisation_id: Option<i32>,
    pub child_max_age: Option<i32>,
    pub amount: Vnd,
    pub gift: String,
    pub fund_id: i32,
}

/// One entitled to a gift: (person, dependant, child key).
type Entitled = (i32, Option<i32>, Option<i32>);
/// A child: (id, parent, born, same as, died on).
type Kid = (i32, i32, Option<NaiveDate>, Option<i32>, Option<NaiveDate>);
/// Who is on a list by the rules: (person, dependant, child key).
fn by_rules(conn: &mut DbConn, o: &NewOccasion) -> Result<Vec<Entitled>, AppError> {
    let day = o.occasion_date;
    let gone = |status: &str, date: Option<NaiveDate>| {
        crate::people::rules::gone_from(status, date, day).is_some_and(|g| g <= day)
    };
    // Members: an open membership on the day in the organisation (or in any union).
    let mut q = memberships::table
        .inner_join(persons::table)
        .inner_join(organisations::table)
        .filter(memberships::joined_on.le(day))
        .filter(
            memberships::ended_on
                .is_null()
                .or(memberships::ended_on.ge(day)),
        )
        .into_boxed();
    q = match o.organisation_id {
        Some(org) => q.filter(memberships::organisation_id.eq(org)),
        None => q.filter(organisations::kind.eq_any(["union", "union_group"])),
    };
    let members: Vec<(i32, String, Option<NaiveDate>, Option<String>)> = q
        .select((
            persons::id,
            persons::status,
            persons::status_date,
            persons::gender,
        ))
        .order(persons::id.asc())
        .load(conn)?;
    let mut member_ids: Vec<i32> = members
        .iter()
        .filter(|m| !gone(&m.1, m.2))
        .filter(|m| o.audience != "women" || m.3.as_deref() == Some("female"))
        .map(|m| m.0)
        .collect();
    member_ids.dedup();
    let mut out: Vec<Entitled> = Vec::new();
    match o.audience.as_str() {
        "members" | "women" => out.extend(member_ids.iter().map(|p| (*p, None, None))),
        "retirees" | "members_and_retirees" => {
            if o.audience == "members_and_retirees" {
                out.extend(member_ids.iter().map(|p| (*p, None, None)));
            }
            for p in super::retirees::retirees_on(conn, day)? {
                if !out.iter().any(|x| x.0 == p) {
                    out.push((p, None, None));
                }
            }
        }
        "children" => {
            let max = o.child_max_age.unwrap_or(15);
            let kids: Vec<Kid> = dependants::table
                .filter(dependants::relationship.eq("child"))
                .filter(dependants::person_id.eq_any(&member_ids))
                .order((dependants::person_id.asc(), dependants::id.asc()))
                .select((
                    dependants::id,
                    dependants::person_id,
                    dependants::date_of_birth,
                    dependants::same_as,
                    dependants::died_on,
                ))
                .load(conn)?;
            for (id, parent, born, same_as, died) in kids {
                let Some(born) = born else { continue };
                if born > day || died.is_some_and(|d| d <= day) || age_on(born, day) >= max {
                    continue;
                }
                let key = same_as.unwrap_or(id);
                if !out.iter().any(|x| x.2 == Some(key)) {
                    out.push((parent, Some(id), Some(key)));
                }
            }
        }
        _ => return Err(AppError::BadRequest("err.bad_form")),
    }
    Ok(out)
}

/// Inserts a list's rows: on PostgreSQL in one statement per 10 000 rows (one round trip),
/// on SQLite row by row (a prepared statement, no round trips).
fn insert_rows(
    conn: &mut DbConn,
    occasion: i32,
    rows: &[Entitled],
    amount: i64,
) -> Result<(), AppError> {
    #[cfg(feature = "postgres")]
    if let DbConn::Pg(pg) = conn {
        use diesel::sql_types::{Array, BigInt, Integer, Nullable};
        for chunk in rows.chunks(10_000) {
            diesel::sql_query(
                "INSERT INTO occasion_rows (occasion_id, person_id, dependant_id, child_key, amount_vnd) \
                 SELECT $1, p, d, k, $2 FROM unnest($3::int4[], $4::int4[], $5::int4[]) AS t(p, d, k)",
            )
            .bind::<Integer, _>(occasion)
            .bind::<BigInt, _>(amount)
            .bind::<Array<Integer>, _>(chunk.iter().map(|x| x.0).collect::<Vec<i32>>())
            .bind::<Array<Nullable<Integer>>, _>(
                chunk.iter().map(|x| x.1).collect::<Vec<Option<i32>>>(),
            )
            .bind::<Array<Nullable<Integer>>, _>(
                chunk.iter().map(|x| x.2).collect::<Vec<Option<i32>>>(),
            )
            .execute(pg)?;
        }
        return Ok(());
    }
    for (p, d, k) in rows {
        diesel::insert_into(occasion_rows::table)
            .values((
                occasion_rows::occasion_id.eq(occasion),
                occasion_rows::person_id.eq(p),
                occasion_rows::dependant_id.eq(d),
                occasion_rows::child_key.eq(k),
                occasion_rows::amount_vnd.eq(amount),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Store command: an occasion and its list as the rules give it. Returns its id.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    o: &NewOccasion,
) -> Result<i32, AppError> {
    if !AUDIENCES.contains(&o.audience.as_str()) {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    // A list is drawn up ahead of its day or recorded soon after: within a year either way
    // (a day of 2001 would draw its list from people as they are now).
    let today = crate::clock::business_date_of(now);
    let year = chrono::Months::new(12);
    let within = today
        .checked_sub_months(year)
        .zip(today.checked_add_months(year))
        .is_some_and(|(lo, hi)| lo <= o.occasion_date && o.occasion_date <= hi);
    if !within {
        return Err(AppError::BadRequest("wf.err_occasion_date"));
    }
    if o.amount.0 <= 0 && o.gift.is_empty() {
        return Err(AppError::BadRequest("wf.err_occasion_gift"));
    }
    if (o.audience == "children") != o.child_max_age.is_some() {
        return Err(AppError::BadRequest("wf.err_child_age"));
    }
    if ledger::fund(conn, o.fund_id)?.is_none() {
        return Err(AppError::BadRequest("wf.err_fund"));
    }
    if let Some(org) = o.organisation_id {
        if organisation(conn, org)?
            .ended_on
            .is_some_and(|e| e < o.occasion_date)
        {
            return Err(AppError::BadRequest("wf.err_dissolved"));
        }
    }
    let people = by_rules(conn, o)?;
    let id: i32 = diesel::insert_into(occasions::table)
        .values((
            occasions::name.eq(&o.name),
            occasions::occasion_date.eq(o.occasion_date),
            occasions::audience.eq(&o.audience),
            occasions::organisation_id.eq(o.organisation_id),
            occasions::child_max_age.eq(o.child_max_age),
            occasions::amount_vnd.eq(o.amount.0),
            occasions::gift.eq(&o.gift),
            occasions::fund_id.eq(o.fund_id),
            occasions::created_at.eq(now),
            occasions::created_by.eq(actor.user_id),
        ))
        .returning(occasions::id)
        .get_result(conn)?;
    insert_rows(conn, id, &people, o.amount.0)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.create", "occasion")
            .id(id)
            .after(json!({
            "name": o.name, "date": o.occasion_date, "audience": o.audience,
            "child_max_age": o.child_max_age, "amount_vnd": o.amount, "gift": o.gift,
            "rows": people.len()})),
    )?;
    Ok(id)
}

#[derive(Clone, Debug)]
pub struct Line {
    pub id: i32,
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub child: Option<String>,
    pub amount: Vnd,
    pub added_reason: String,
    pub removed_reason: Option<String>,
    pub received_at: Option<NaiveDateTime>,
}

pub fn lines(conn: &mut DbConn, id: i32) -> Result<Vec<Line>, AppError> {
    type Row = (
        i32,
        i32,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        Option<String>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = occasion_rows::table
        .inner_join(persons::table.left_join(units::table))
        .left_join(dependants::table.on(dependants::id.nullable().eq(occasion_rows::dependant_id)))
        .filter(occasion_rows::occasion_id.eq(id))
        .order((persons::sort_key.asc(), occasion_rows::id.asc()))
        .select((
            occasion_rows::id,
            persons::id,
            persons::employee_code,
            persons::full_name,
            units::name.nullable(),
            dependants::full_name.nullable(),
            occasion_rows::amount_vnd,
            occasion_rows::added_reason,
            occasion_rows::removed_reason,
            occasion_rows::received_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Line {
            id: r.0,
            person_id: r.1,
            code: r.2,
            name: r.3,
            unit: r.4,
            child: r.5,
            amount: Vnd(r.6),
            added_reason: r.7,
            removed_reason: r.8,
            received_at: r.9,
        })
        .collect())
}

/// The total of the lines still on the list.
pub fn total(lines: &[Line]) -> Vnd {
    Vnd(lines
        .iter()
        .filter(|l| l.removed_reason.is_none())
        .map(|l| l.amount.0)
        .sum())
}

fn ensure_draft(o: &Occasion) -> Result<(), AppError> {
    if o.state != "draft" {
        return Err(AppError::BadRequest("wf.err_frozen"));
    }
    Ok(())
}

/// Store command: takes a line off a draft list, with a reason. Returns the occasion.
pub fn remove_line(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    row: i32,
    reason: &str,
) -> Result<i32, AppError> {
    let (occ, removed): (i32, Option<String>) = occasion_rows::table
        .find(row)
        .select((occasion_rows::occasion_id, occasion_rows::removed_reason))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    ensure_draft(&occasion(conn, occ)?)?;
    if removed.is_some() {
        return Err(AppError::BadRequest("wf.err_removed"));
    }
    diesel::update(occasion_rows::table.find(row))
        .set(occasion_rows::removed_reason.eq(reason))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.remove_line", "occasion")
            .id(occ)
            .after(json!({"row": row, "reason": reason})),
    )?;
    Ok(occ)
}

/// Store command: adds a person (and a child of theirs) to a draft list, with a reason.
pub fn add_line(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    occ: i32,
    person: i32,
    dependant: Option<i32>,
    reason: &str,
) -> Result<(), AppError> {
    let o = occasion(conn, occ)?;
    ensure_draft(&o)?;
    let key = match dependant {
        Some(d) => {
            let dep = super::store::dependant(conn, d)
                .map_err(|_| AppError::BadRequest("wf.err_dependant"))?;
            if dep.person_id != person {
                return Err(AppError::BadRequest("wf.err_dependant"));
            }
            if dep.died_on.is_some_and(|d| d <= o.occasion_date) {
                return Err(AppError::BadRequest("wf.err_gone_by_day"));
            }
            Some(dep.canonical())
        }
        None => {
            // Off every list from the day they died (or left).
            if crate::people::store::gone_from(conn, person, o.occasion_date)?
                .is_some_and(|g| g <= o.occasion_date)
            {
                return Err(AppError::BadRequest("wf.err_gone_by_day"));
            }
            None
        }
    };
    match diesel::insert_into(occasion_rows::table)
        .values((
            occasion_rows::occasion_id.eq(occ),
            occasion_rows::person_id.eq(person),
            occasion_rows::dependant_id.eq(dependant),
            occasion_rows::child_key.eq(key),
            occasion_rows::amount_vnd.eq(o.amount_vnd),
            occasion_rows::added_reason.eq(reason),
        ))
        .execute(conn)
    {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(AppError::BadRequest("wf.err_on_list")),
        Err(e) => return Err(e.into()),
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.add_line", "occasion")
            .id(occ)
            .after(json!({"person_id": person, "dependant_id": dependant, "reason": reason})),
    )
}

/// Store command: freezes a list. Its total becomes one payment voucher from the occasion's
/// fund (refused when it would take the fund's year below zero, unless an approver gives a
/// reason). Nothing on the list changes afterwards but receipt ticks.
pub fn freeze(
    conn: &mut DbConn,
    actor: &Actor,
    roles: crate::auth::roles::RoleSet,
    now: NaiveDateTime,
    id: i32,
    overdraft_reason: &str,
) -> Result<(), AppError> {
    let o = occasion(conn, id)?;
    ensure_draft(&o)?;
    let ls = lines(conn, id)?;
    let sum = total(&ls);
    let today = crate::clock::business_date_of(now);
    let mut voucher = None;
    if sum.0 > 0 {
        let balance = ledger::year_figures(conn, o.fund_id, today.year())?.balance();
        if balance.0 < sum.0 {
            if !roles.has(crate::auth::roles::Role::Approver) {
                return Err(AppError::BadRequest("wf.err_overdraft"));
            }
            if overdraft_reason.trim().is_empty() {
                return Err(AppError::BadRequest("wf.err_overdraft_reason"));
            }
        }
        let source = format!("occasion:{id}");
        let description: String = format!(
            "{} — {} người",
            o.name,
            ls.iter().filter(|l| l.removed_reason.is_none()).count()
        )
        .chars()
        .take(300)
        .collect();
        let v = ledger::post(
            conn,
            actor,
            now,
            &ledger::NewVoucher {
                fund: o.fund_id,
                kind: ledger::PAYMENT,
                date: today,
                amount: sum,
                description: &description,
                person: None,
                source: Some(&source),
            },
        )?;
        voucher = Some(v.id);
    }
    diesel::update(occasions::table.find(id))
        .set((
            occasions::state.eq("frozen"),
            occasions::frozen_at.eq(now),
            occasions::frozen_by.eq(actor.user_id),
            occasions::voucher_id.eq(voucher),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.freeze", "occasion").id(id).after(json!({
            "total_vnd": sum, "voucher_id": voucher,
            "overdraft_reason": (!overdraft_reason.trim().is_empty()).then(|| overdraft_reason.trim())})),
    )
}

/// Store command: ticks that a person signed for their gift (frozen lists only).
pub fn received(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    row: i32,
) -> Result<i32, AppError> {
    let (occ, removed, got): (i32, Option<String>, Option<NaiveDateTime>) = occasion_rows::table
        .find(row)
        .select((
            occasion_rows::occasion_id,
            occasion_rows::removed_reason,
            occasion_rows::received_at,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if occasion(conn, occ)?.state != "frozen" {
        return Err(AppError::BadRequest("wf.err_not_frozen"));
    }
    if removed.is_some() {
        return Err(AppError::BadRequest("wf.err_removed"));
    }
    if got.is_some() {
        return Err(AppError::BadRequest("wf.err_received"));
    }
    diesel::update(occasion_rows::table.find(row))
        .set((
            occasion_rows::received_at.eq(now),
            occasion_rows::received_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.received", "occasion")
            .id(occ)
            .after(json!({"row": row})),
    )?;
    Ok(occ)
}

/// Store command: attaches the scanned signed sheet of a frozen list.
pub fn attach_sheet(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    file: (&str, &str, &[u8]),
) -> Result<(), AppError> {
    if occasion(conn, id)?.state != "frozen" {
        return Err(AppError::BadRequest("wf.err_not_frozen"));
    }
    let att = attachments::store(
        conn,
        actor.user_id,
        now,
        &NewFile {
            owner_kind: SHEET_FILE,
            owner_id: id,
            file_name: file.0,
            media_type: file.1,
            content: file.2,
        },
    )?;
    diesel::update(occasions::table.find(id))
        .set(occasions::signed_sheet_id.eq(att))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("occasion.sheet", "occasion")
            .id(id)
            .after(json!({"sha256": attachments::sha256_hex(file.2)})),
    )
}

pub fn sheet(conn: &mut DbConn, id: i32) -> Result<attachments::File, AppError> {
    let o = occasion(conn, id)?;
    attachments::of_owner(
        conn,
        o.signed_sheet_id.ok_or(AppError::NotFound)?,
        SHEET_FILE,
        id,
    )
}

/// A retiree on the milestone list of a year.
#[derive(Clone, Debug)]
pub struct Milestone {
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub born: NaiveDate,
    pub age: i32,
}

/// Retirees who reach a milestone age during the year, without those who died by the list's
/// day (the end of the year, or today for this year).
pub fn milestones(
    conn: &mut DbConn,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<Milestone>, AppError> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::BadRequest("err.bad_query"))?;
    let reference = end.min(today);
    // Removed from lists from the date of death.
    let ids = super::retirees::retirees_on(conn, reference)?;
    let rows: Vec<(i32, String, String, Option<NaiveDate>)> = persons::table
        .filter(persons::id.eq_any(&ids))
        .filter(persons::date_of_birth.is_not_null())
        .order((persons::date_of_birth.asc(), persons::id.asc()))
        .select((
            persons::id,
            persons::employee_code,
            persons::full_name,
            persons::date_of_birth,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, code, name, born)| {
            let born = born?;
            let age = year - born.year();
            milestone(age).then_some(Milestone {
                person_id: id,
                code,
                name,
                born,
                age,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_childs_age_is_counted_in_full_years_on_the_occasion_date() {
        let trung_thu = d(2026, 9, 25);
        assert_eq!(age_on(d(2011, 9, 25), trung_thu), 15);
        assert_eq!(age_on(d(2011, 9, 26), trung_thu), 14);
        assert_eq!(age_on(d(2026, 9, 25), trung_thu), 0);
    }

    #[test]
    fn milestones_are_70_to_95_by_fives_and_every_year_from_100() {
        let ages: Vec<i32> = (60..=103).filter(|a| milestone(*a)).collect();
        assert_eq!(ages, vec![70, 75, 80, 85, 90, 95, 100, 101, 102, 103]);
    }
}
