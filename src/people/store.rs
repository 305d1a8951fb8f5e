//! All diesel code of people: units, persons, their history.

use super::rules::{PersonData, Status};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{person_history, persons, units, users};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn all_units(conn: &mut DbConn) -> Result<Vec<Unit>, AppError> {
    Ok(units::table
        .order(units::name.asc())
        .select(Unit::as_select())
        .load(conn)?)
}

pub fn unit(conn: &mut DbConn, id: i32) -> Result<Option<Unit>, AppError> {
    Ok(units::table
        .find(id)
        .select(Unit::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn unit_code_taken(
    conn: &mut DbConn,
    code: &str,
    except: Option<i32>,
) -> Result<bool, AppError> {
    let mut q = units::table.filter(units::code.eq(code)).into_boxed();
    if let Some(id) = except {
        q = q.filter(units::id.ne(id));
    }
    Ok(q.count().get_result::<i64>(conn)? > 0)
}

pub fn create_unit(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    code: &str,
    name: &str,
    parent_id: Option<i32>,
) -> Result<i32, AppError> {
    let id = diesel::insert_into(units::table)
        .values((
            units::code.eq(code),
            units::name.eq(name),
            units::parent_id.eq(parent_id),
            units::created_at.eq(now),
        ))
        .returning(units::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("unit.create", "unit")
            .id(id)
            .after(json!({"code": code, "name": name, "parent_id": parent_id})),
    )?;
    Ok(id)
}

pub fn update_unit(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    before: &Unit,
    code: &str,
    name: &str,
    parent_id: Option<i32>,
) -> Result<(), AppError> {
    diesel::update(units::table.find(before.id))
        .set((
            units::code.eq(code),
            units::name.eq(name),
            units::parent_id.eq(parent_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("unit.update", "unit")
            .id(before.id)
            .before(
                json!({"code": before.code, "name": before.name, "parent_id": before.parent_id}),
            )
            .after(json!({"code": code, "name": name, "parent_id": parent_id})),
    )
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: i32,
    pub employee_code: String,
    pub full_name: String,
    pub search_name: String,
    pub unit_id: Option<i32>,
    pub category: String,
    pub gender: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub status: String,
    pub status_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Allergen codes the person recorded for themself (shown where they order).
    pub allergens: String,
}

impl Person {
    /// The stored person as data to change and store again (None if a stored code is one this
    /// version does not know).
    pub fn data(&self) -> Option<PersonData> {
        use super::rules::{Category, Gender};
        Some(PersonData {
            employee_code: self.employee_code.clone(),
            full_name: self.full_name.clone(),
            unit_id: self.unit_id,
            category: Category::parse(&self.category)?,
            gender: match &self.gender {
                Some(g) => Some(Gender::parse(g)?),
                None => None,
            },
            date_of_birth: self.date_of_birth,
            status: Status::parse(&self.status)?,
            status_date: self.status_date,
            phone: self.phone.clone(),
            email: self.email.clone(),
        })
    }

    fn snapshot(&self) -> Value {
        json!({
            "employee_code": self.employee_code, "full_name": self.full_name, "unit_id": self.unit_id,
            "category": self.category, "gender": self.gender, "date_of_birth": self.date_of_birth,
            "status": self.status, "status_date": self.status_date, "phone": self.phone, "email": self.email,
        })
    }

    /// Whether storing `d` would change nothing.
    pub fn same_as(&self, d: &PersonData) -> bool {
        self.employee_code == d.employee_code
            && self.full_name == d.full_name
            && self.unit_id == d.unit_id
            && self.category == d.category.code()
            && self.gender.as_deref() == d.gender.map(|g| g.code())
            && self.date_of_birth == d.date_of_birth
            && self.status == d.status.code()
            && self.status_date == d.status_date
            && self.phone == d.phone
            && self.email == d.email
    }
}

fn data_snapshot(d: &PersonData) -> Value {
    json!({
        "employee_code": d.employee_code, "full_name": d.full_name, "unit_id": d.unit_id,
        "category": d.category.code(), "gender": d.gender.map(|g| g.code()), "date_of_birth": d.date_of_birth,
        "status": d.status.code(), "status_date": d.status_date, "phone": d.phone, "email": d.email,
    })
}

pub fn person(conn: &mut DbConn, id: i32) -> Result<Option<Person>, AppError> {
    Ok(persons::table
        .find(id)
        .select(Person::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn person_by_code(conn: &mut DbConn, code: &str) -> Result<Option<Person>, AppError> {
    Ok(persons::table
        .filter(persons::employee_code.eq(code))
        .select(Person::as_select())
        .get_result(conn)
        .optional()?)
}

/// The persons holding any of these codes (looked up 500 at a time).
pub fn persons_by_codes(conn: &mut DbConn, codes: &[String]) -> Result<Vec<Person>, AppError> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        out.extend(
            persons::table
                .filter(persons::employee_code.eq_any(chunk))
                .select(Person::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

fn record_history(
    conn: &mut DbConn,
    person_id: i32,
    d: &PersonData,
    now: NaiveDateTime,
    by: Option<i32>,
) -> Result<(), AppError> {
    diesel::insert_into(person_history::table)
        .values((
            person_history::person_id.eq(person_id),
            person_history::effective_date.eq(d.status_date),
            person_history::status.eq(d.status.code()),
            person_history::unit_id.eq(d.unit_id),
            person_history::recorded_at.eq(now),
            person_history::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create_person(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    d: &PersonData,
) -> Result<i32, AppError> {
    let id: i32 = diesel::insert_into(persons::table)
        .values((
            persons::employee_code.eq(&d.employee_code),
            persons::full_name.eq(&d.full_name),
            persons::search_name.eq(d.search_name()),
            persons::sort_key.eq(d.sort_key()),
            persons::unit_id.eq(d.unit_id),
            persons::category.eq(d.category.code()),
            persons::gender.eq(d.gender.map(|g| g.code())),
            persons::date_of_birth.eq(d.date_of_birth),
            persons::status.eq(d.status.code()),
            persons::status_date.eq(d.status_date),
            persons::phone.eq(&d.phone),
            persons::email.eq(&d.email),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .returning(persons::id)
        .get_result(conn)?;
    record_history(conn, id, d, now, actor.user_id)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("person.create", "person")
            .id(id)
            .after(data_snapshot(d)),
    )?;
    Ok(id)
}

/// A person's status and its date.
pub fn status_of(
    conn: &mut DbConn,
    person: i32,
) -> Result<Option<(String, Option<NaiveDate>)>, AppError> {
    Ok(crate::on_backend!(conn, |c| persons::table
        .find(person)
        .select((persons::status, persons::status_date))
        .get_result(c)
        .optional())?)
}

/// The first day the person is gone (left or died), if they are.
pub fn gone_from(
    conn: &mut DbConn,
    person: i32,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    Ok(status_of(conn, person)?.and_then(|(s, d)| super::rules::gone_from(&s, d, today)))
}

/// The first day this person has no more meals ([`super::rules::meals_end`]).
pub fn meals_end(
    conn: &mut DbConn,
    person: i32,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    Ok(status_of(conn, person)?.and_then(|(s, d)| super::rules::meals_end(&s, d, today)))
}

/// The persons who have no more meals on `day` (left, died or retired by then).
pub fn off_meals_on(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<i32>, AppError> {
    in_status_on(
        conn,
        &[Status::Left, Status::Deceased, Status::Retired],
        day,
    )
}

/// The persons in one of these statuses by `day` (undated: since before it).
fn in_status_on(
    conn: &mut DbConn,
    statuses: &[Status],
    day: NaiveDate,
) -> Result<Vec<i32>, AppError> {
    let codes: Vec<&str> = statuses.iter().map(|s| s.code()).collect();
    Ok(persons::table
        .filter(persons::status.eq_any(codes))
        .filter(
            persons::status_date
                .is_null()
                .or(persons::status_date.le(day)),
        )
        .select(persons::id)
        .load(conn)?)
}

/// Of these persons, the ones who have an account (enabled or not).
pub fn with_accounts(conn: &mut DbConn, ids: &[i32]) -> Result<Vec<i32>, AppError> {
    Ok(users::table
        .filter(users::person_id.eq_any(ids))
        .select(users::person_id.assume_not_null())
        .load(conn)?)
}

/// The persons gone (left or died) on `day`.
pub fn gone_on(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<i32>, AppError> {
    in_status_on(conn, &[Status::Left, Status::Deceased], day)
}

/// Persons gone by `today` who still have an enabled account (a leaving dated ahead reaches
/// its day): their accounts are disabled and sessions ended. Run by the housekeeping tick.
pub fn close_accounts_of_gone(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let gone = gone_on(conn, today)?;
    let with_accounts: Vec<i32> = users::table
        .filter(users::person_id.eq_any(&gone))
        .filter(users::disabled.eq(false))
        .select(users::person_id.assume_not_null())
        .load(conn)?;
    let mut n = 0;
    for p in with_accounts {
        n += crate::auth::store::disable_for_person(conn, actor, p, now)?;
    }
    Ok(n)
}

/// Updates a person; a change of status or unit is also kept in the person's history. A
/// person who leaves (or dies) stops getting meals from the status date on, with the cause
/// "person left" so that undoing the change brings them back; their accounts are closed once
/// the date is reached.
pub fn update_person(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    before: &Person,
    d: &PersonData,
) -> Result<(), AppError> {
    diesel::update(persons::table.find(before.id))
        .set((
            persons::employee_code.eq(&d.employee_code),
            persons::full_name.eq(&d.full_name),
            persons::search_name.eq(d.search_name()),
            persons::sort_key.eq(d.sort_key()),
            persons::unit_id.eq(d.unit_id),
            persons::category.eq(d.category.code()),
            persons::gender.eq(d.gender.map(|g| g.code())),
            persons::date_of_birth.eq(d.date_of_birth),
            persons::status.eq(d.status.code()),
            persons::status_date.eq(d.status_date),
            persons::phone.eq(&d.phone),
            persons::email.eq(&d.email),
            persons::updated_at.eq(now),
        ))
        .execute(conn)?;
    if before.status != d.status.code()
        || before.unit_id != d.unit_id
        || before.status_date != d.status_date
    {
        record_history(conn, before.id, d, now, actor.user_id)?;
    }
    let today = crate::clock::business_date_of(now);
    // Meals end on leaving, death or retirement; the account only on leaving or death.
    let meals_was = super::rules::meals_end(&before.status, before.status_date, today);
    let meals_is = super::rules::meals_end(d.status.code(), d.status_date, today);
    if meals_was != meals_is {
        // From one end of meals to another (retired, then died): nothing comes back between
        // them; a date corrected under the same status may bring meals back.
        let restore = meals_is.is_none() || before.status == d.status.code();
        crate::canteen::commands::person_gone_changed(
            conn,
            before.id,
            meals_was,
            meals_is,
            restore,
            actor.user_id,
            now,
        )?;
    }
    let was = super::rules::gone_from(&before.status, before.status_date, today);
    let is = super::rules::gone_from(d.status.code(), d.status_date, today);
    if was != is {
        if is.is_some_and(|from| from <= today) {
            crate::auth::store::disable_for_person(conn, actor, before.id, now)?;
        } else if was.is_some_and(|from| from <= today) {
            crate::auth::store::enable_for_returning_person(conn, actor, before.id, now)?;
        }
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("person.update", "person")
            .id(before.id)
            .before(before.snapshot())
            .after(data_snapshot(d)),
    )
}

#[derive(Default, Clone, Debug)]
pub struct PersonFilter {
    pub q: String,
    pub unit_id: Option<i32>,
    pub status: Option<Status>,
}

pub struct PersonRow {
    pub person: Person,
    pub unit_name: Option<String>,
}

/// A page of persons; the search ignores case and Vietnamese diacritics.
pub fn search(
    conn: &mut DbConn,
    f: &PersonFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PersonRow>, i64), AppError> {
    // A unit stands for itself and every unit under it.
    let units_within: Vec<i32> = match f.unit_id {
        Some(u) => super::rules::unit_and_below(
            &all_units(conn)?
                .iter()
                .map(|x| (x.id, x.parent_id))
                .collect::<Vec<_>>(),
            u,
        ),
        None => Vec::new(),
    };
    let build = || {
        let mut q = persons::table.left_join(units::table).into_boxed();
        let folded = crate::ui::format::fold_search(&f.q);
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
        if !units_within.is_empty() {
            q = q.filter(persons::unit_id.eq_any(units_within.clone()));
        }
        if let Some(s) = f.status {
            q = q.filter(persons::status.eq(s.code()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<(Person, Option<String>)> = build()
        .order((persons::sort_key.asc(), persons::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((Person::as_select(), units::name.nullable()))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(person, unit_name)| PersonRow { person, unit_name })
            .collect(),
        total,
    ))
}

pub struct HistoryRow {
    pub effective_date: Option<NaiveDate>,
    pub status: String,
    pub unit_name: Option<String>,
    pub recorded_at: NaiveDateTime,
}

pub fn history(conn: &mut DbConn, person_id: i32) -> Result<Vec<HistoryRow>, AppError> {
    let rows: Vec<(Option<NaiveDate>, String, Option<String>, NaiveDateTime)> =
        person_history::table
            .left_join(units::table)
            .filter(person_history::person_id.eq(person_id))
            .order(person_history::id.desc())
            .select((
                person_history::effective_date,
                person_history::status,
                units::name.nullable(),
                person_history::recorded_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(effective_date, status, unit_name, recorded_at)| HistoryRow {
                effective_date,
                status,
                unit_name,
                recorded_at,
            },
        )
        .collect())
}

/// The username of the account linked to a person, if any.
pub fn linked_username(conn: &mut DbConn, person_id: i32) -> Result<Option<String>, AppError> {
    Ok(users::table
        .filter(users::person_id.eq(person_id))
        .select(users::username)
        .get_result(conn)
        .optional()?)
}

pub fn count_persons(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(persons::table.count().get_result(conn)?)
}

/// The allergen codes a person recorded for themself (`canteen::rules::ALLERGENS`).
pub fn allergens_of(conn: &mut DbConn, person: i32) -> Result<String, AppError> {
    Ok(crate::on_backend!(conn, |c| persons::table
        .find(person)
        .select(persons::allergens)
        .get_result::<String>(c)
        .optional())?
    .unwrap_or_default())
}

/// Store command: a person records their allergens (health data: audited before → after).
pub fn set_allergens(
    conn: &mut DbConn,
    person: i32,
    codes: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let before = allergens_of(conn, person)?;
    if before == codes {
        return Ok(());
    }
    diesel::update(persons::table.find(person))
        .set((persons::allergens.eq(codes), persons::updated_at.eq(now)))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("person.allergens", "person")
            .id(person)
            .before(json!({"allergens": before}))
            .after(json!({"allergens": codes})),
    )
}

/// Gives every person without a sort key theirs (rows written before the key existed).
pub fn fill_sort_keys(conn: &mut DbConn) -> Result<usize, AppError> {
    let rows: Vec<(i32, String)> = persons::table
        .filter(persons::sort_key.eq(""))
        .select((persons::id, persons::full_name))
        .load(conn)?;
    for (id, name) in &rows {
        diesel::update(persons::table.find(id))
            .set(persons::sort_key.eq(super::rules::sort_key(name)))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Every person's (status, category) codes, by person id.
pub fn status_and_category(
    conn: &mut DbConn,
) -> Result<std::collections::HashMap<i32, (String, String)>, AppError> {
    Ok(persons::table
        .select((persons::id, persons::status, persons::category))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, status, category)| (id, (status, category)))
        .collect())
}

/// What the accounts need to know of a person: code, name, unit, category, status, sort key.
#[derive(Debug, Clone)]
pub struct PayrollFacts {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub category: String,
    pub status: String,
    pub sort_key: String,
}

pub fn payroll_facts(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, PayrollFacts>, AppError> {
    type Row = (i32, String, String, String, String, String, Option<String>);
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Row> = persons::table
            .left_join(units::table)
            .filter(persons::id.eq_any(chunk))
            .select((
                persons::id,
                persons::employee_code,
                persons::full_name,
                persons::category,
                persons::status,
                persons::sort_key,
                units::name.nullable(),
            ))
            .load(conn)?;
        for (id, code, name, category, status, sort_key, unit) in rows {
            out.insert(
                id,
                PayrollFacts {
                    code,
                    name,
                    unit,
                    category,
                    status,
                    sort_key,
                },
            );
        }
    }
    Ok(out)
}

/// Where a change of each person's status stands against the books ([`super::rules::Books`]):
/// the first open day, and each person's last meal (not cancelled, or a walk-in served)
/// before it.
pub fn books_of(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, super::rules::Books>, AppError> {
    use crate::db::schema::{orders, walk_ins};
    let first_open = crate::periods::first_open_day(conn)?;
    let mut out: std::collections::HashMap<i32, super::rules::Books> = ids
        .iter()
        .map(|id| {
            (
                *id,
                super::rules::Books {
                    first_open,
                    last_closed_meal: None,
                },
            )
        })
        .collect();
    let Some(first_open) = first_open else {
        return Ok(out);
    };
    for chunk in ids.chunks(500) {
        let mut last: Vec<(i32, Option<NaiveDate>)> = orders::table
            .filter(orders::person_id.eq_any(chunk))
            .filter(orders::service_date.lt(first_open))
            .filter(orders::status.ne("cancelled"))
            .group_by(orders::person_id)
            .select((orders::person_id, diesel::dsl::max(orders::service_date)))
            .load(conn)?;
        last.extend(
            walk_ins::table
                .filter(walk_ins::person_id.eq_any(chunk))
                .filter(walk_ins::service_date.lt(first_open))
                .filter(walk_ins::status.eq("served"))
                .group_by(walk_ins::person_id)
                .select((
                    walk_ins::person_id,
                    diesel::dsl::max(walk_ins::service_date),
                ))
                .load::<(i32, Option<NaiveDate>)>(conn)?,
        );
        for (id, day) in last {
            if let Some(b) = out.get_mut(&id) {
                b.last_closed_meal = b.last_closed_meal.max(day);
            }
        }
    }
    Ok(out)
}
