//! The serving side: meal passes, the counter, closing service, headcount, waste and ratings.

use super::ordering::{Order, CANCELLED, NO_SHOW, ORDERED, SERVED, SRC_WALK_IN};
use super::store::{self, MealOption, LOCK_PERSON};
use crate::db::schema::{guest_meals, meal_options, meal_passes, orders, persons, units};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub fn pass_token(
    conn: &mut DbConn,
    person: i32,
    now: NaiveDateTime,
    rotate: bool,
) -> Result<String, AppError> {
    let existing: Option<String> = meal_passes::table
        .find(person)
        .select(meal_passes::token)
        .first(conn)
        .optional()?;
    match existing {
        Some(t) if !rotate => Ok(t),
        _ => {
            let token = format!(
                "MP{}",
                &crate::auth::session::random_token()[..30].to_uppercase()
            );
            diesel::delete(meal_passes::table.find(person)).execute(conn)?;
            diesel::insert_into(meal_passes::table)
                .values((
                    meal_passes::person_id.eq(person),
                    meal_passes::token.eq(&token),
                    meal_passes::rotated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(token)
        }
    }
}

/// Who a scanned code or typed employee code is.
pub fn person_for_code(conn: &mut DbConn, code: &str) -> Result<Option<i32>, AppError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 64 {
        return Ok(None);
    }
    let by_pass: Option<i32> = meal_passes::table
        .filter(meal_passes::token.eq(code.to_uppercase()))
        .select(meal_passes::person_id)
        .first(conn)
        .optional()?;
    if by_pass.is_some() {
        return Ok(by_pass);
    }
    Ok(persons::table
        .filter(persons::employee_code.eq(code.to_uppercase()))
        .select(persons::id)
        .first(conn)
        .optional()?)
}

/// What the counter shows about a person (never prices or subsidies).
#[derive(Clone, Debug)]
pub struct CounterCard {
    pub person_id: i32,
    pub employee_code: String,
    pub full_name: String,
    pub unit: Option<String>,
    pub order: Option<Order>,
    pub option_name: Option<String>,
    pub guests: i32,
}

pub fn counter_card(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
) -> Result<Option<CounterCard>, AppError> {
    let p: Option<(String, String, Option<String>)> = persons::table
        .left_join(units::table)
        .filter(persons::id.eq(person))
        .select((
            persons::employee_code,
            persons::full_name,
            units::name.nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((employee_code, full_name, unit)) = p else {
        return Ok(None);
    };
    let order: Option<(Order, String)> = orders::table
        .inner_join(meal_options::table)
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(day))
        .select((Order::as_select(), meal_options::name))
        .first(conn)
        .optional()?;
    let guests: Option<i32> = guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.ne(CANCELLED))
        .select(guest_meals::guests)
        .first(conn)
        .optional()?;
    let (order, option_name) = match order {
        Some((o, n)) => (Some(o), Some(n)),
        None => (None, None),
    };
    Ok(Some(CounterCard {
        person_id: person,
        employee_code,
        full_name,
        unit,
        order,
        option_name,
        guests: guests.unwrap_or(0),
    }))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Serve {
    Served(i32),
    Already(i32, NaiveDateTime),
    NoMeal,
}

/// Marks a person's meal of `day` served (a no-show scanned late is served too).
pub fn serve(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
    by: i32,
    now: NaiveDateTime,
) -> Result<Serve, AppError> {
    store::lock(conn, LOCK_PERSON, person)?;
    let o: Option<Order> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(day))
        .select(Order::as_select())
        .first(conn)
        .optional()?;
    match o {
        Some(o) if o.status == SERVED => {
            Ok(Serve::Already(o.id, o.served_at.unwrap_or(o.updated_at)))
        }
        Some(o) if o.status == ORDERED || o.status == NO_SHOW => {
            diesel::update(orders::table.find(o.id))
                .set((
                    orders::status.eq(SERVED),
                    orders::served_at.eq(now),
                    orders::served_by.eq(by),
                ))
                .execute(conn)?;
            Ok(Serve::Served(o.id))
        }
        _ => Ok(Serve::NoMeal),
    }
}

/// Undoes a serve within 10 minutes; false when it is too late or not served.
pub fn undo_serve(conn: &mut DbConn, order_id: i32, now: NaiveDateTime) -> Result<bool, AppError> {
    let Some(o) = super::ordering::order(conn, order_id)? else {
        return Ok(false);
    };
    let ok = o.status == SERVED && o.served_at.is_some_and(|t| super::rules::can_undo(t, now));
    if ok {
        diesel::update(orders::table.find(order_id))
            .set((
                orders::status.eq(ORDERED),
                orders::served_at.eq(None::<NaiveDateTime>),
                orders::served_by.eq(None::<i32>),
            ))
            .execute(conn)?;
    }
    Ok(ok)
}

/// Serves someone who did not order: recorded as a walk-in, at the option's full price.
pub fn walk_in(
    conn: &mut DbConn,
    person: i32,
    opt: &MealOption,
    by: i32,
    now: NaiveDateTime,
) -> Result<Result<i32, &'static str>, AppError> {
    store::lock(conn, LOCK_PERSON, person)?;
    let existing: Option<Order> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(opt.service_date))
        .select(Order::as_select())
        .first(conn)
        .optional()?;
    let id = match existing {
        Some(o) if o.status != CANCELLED => return Ok(Err("counter.err_has_meal")),
        Some(o) => {
            diesel::update(orders::table.find(o.id))
                .set((
                    orders::option_id.eq(opt.id),
                    orders::price_vnd.eq(opt.price_vnd),
                    orders::status.eq(SERVED),
                    orders::source.eq(SRC_WALK_IN),
                    orders::served_at.eq(now),
                    orders::served_by.eq(by),
                    orders::updated_at.eq(now),
                    orders::updated_by.eq(by),
                ))
                .execute(conn)?;
            o.id
        }
        None => {
            let m = super::ordering::NewMeal {
                person,
                option: opt,
                status: SERVED,
                source: SRC_WALK_IN,
                by: Some(by),
                served_at: Some(now),
            };
            super::ordering::insert_meal(conn, &m, now)?
        }
    };
    Ok(Ok(id))
}

/// Close service: every meal still only ordered becomes a no-show.
pub fn close_service(
    conn: &mut DbConn,
    day: NaiveDate,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let n = diesel::update(
        orders::table
            .filter(orders::service_date.eq(day))
            .filter(orders::status.eq(ORDERED)),
    )
    .set((orders::status.eq(NO_SHOW), orders::updated_at.eq(now)))
    .execute(conn)?;
    store::mark_service_closed(conn, day, now)?;
    Ok(n)
}

/// One person's line on the headcount list.
#[derive(Clone, Debug)]
pub struct HeadLine {
    pub unit: Option<String>,
    pub employee_code: String,
    pub full_name: String,
    pub option_id: i32,
    pub status: String,
    pub guests: i32,
}

/// Everyone with a meal (or guests) on `day`, by unit and name.
pub fn head_lines(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<HeadLine>, AppError> {
    let meals: Vec<(i32, Option<String>, String, String, i32, String)> = orders::table
        .inner_join(persons::table.left_join(units::table))
        .filter(orders::service_date.eq(day))
        .filter(orders::status.ne(CANCELLED))
        .select((
            orders::person_id,
            units::name.nullable(),
            persons::employee_code,
            persons::full_name,
            orders::option_id,
            orders::status,
        ))
        .load(conn)?;
    let guests: Vec<(i32, Option<String>, String, String, i32, i32)> = guest_meals::table
        .inner_join(persons::table.left_join(units::table))
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((
            guest_meals::person_id,
            units::name.nullable(),
            persons::employee_code,
            persons::full_name,
            guest_meals::option_id,
            guest_meals::guests,
        ))
        .load(conn)?;
    let mut lines: Vec<HeadLine> = meals
        .into_iter()
        .map(|(pid, unit, employee_code, full_name, option_id, status)| {
            let g = guests.iter().find(|g| g.0 == pid).map(|g| g.5).unwrap_or(0);
            HeadLine {
                unit,
                employee_code,
                full_name,
                option_id,
                status,
                guests: g,
            }
        })
        .collect();
    for (pid, unit, employee_code, full_name, option_id, n) in &guests {
        let has_meal = lines.iter().any(|l| l.employee_code == *employee_code);
        let _ = pid;
        if !has_meal {
            lines.push(HeadLine {
                unit: unit.clone(),
                employee_code: employee_code.clone(),
                full_name: full_name.clone(),
                option_id: *option_id,
                status: "guests_only".into(),
                guests: *n,
            });
        }
    }
    lines.sort_by(|a, b| {
        (
            a.unit.as_deref().unwrap_or("~"),
            crate::ui::format::fold_search(&a.full_name),
        )
            .cmp(&(
                b.unit.as_deref().unwrap_or("~"),
                crate::ui::format::fold_search(&b.full_name),
            ))
    });
    Ok(lines)
}

/// Guest portions by option on a day.
pub fn guests_by_option(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<(i32, i64)>, AppError> {
    let rows: Vec<(i32, i32)> = guest_meals::table
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((guest_meals::option_id, guest_meals::guests))
        .load(conn)?;
    let mut out: Vec<(i32, i64)> = Vec::new();
    for (o, n) in rows {
        match out.iter_mut().find(|x| x.0 == o) {
            Some(x) => x.1 += n as i64,
            None => out.push((o, n as i64)),
        }
    }
    Ok(out)
}
