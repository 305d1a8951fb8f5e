//! Orders: one meal per person per day (a UNIQUE row that changes state, never duplicates),
//! guest meals, standing orders, absences. All diesel code of orders lives here.

use super::rules::{self, Settings};
use super::store::{self, MealOption, LOCK_OPTION, LOCK_PERSON};
use crate::db::schema::{guest_meals, orders};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

pub const ORDERED: &str = "ordered";
pub const CANCELLED: &str = "cancelled";
pub const SERVED: &str = "served";
pub const NO_SHOW: &str = "no_show";

pub const SRC_STAFF: &str = "staff";
pub const SRC_STANDING: &str = "standing";
pub const SRC_KITCHEN: &str = "kitchen";
pub const SRC_WALK_IN: &str = "walk_in";

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i32,
    pub person_id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    pub price_vnd: i64,
    pub status: String,
    pub source: String,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i32>,
    pub served_at: Option<NaiveDateTime>,
    pub served_by: Option<i32>,
}

impl Order {
    /// Whether this row is a meal (not a cancelled one).
    pub fn is_meal(&self) -> bool {
        self.status != CANCELLED
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = guest_meals)]
pub struct Guests {
    pub id: i32,
    pub person_id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    pub guests: i32,
    pub price_vnd: i64,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn orders_of(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Order>, AppError> {
    Ok(orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.between(from, to))
        .select(Order::as_select())
        .load(conn)?)
}

pub fn order(conn: &mut DbConn, id: i32) -> Result<Option<Order>, AppError> {
    Ok(orders::table
        .find(id)
        .select(Order::as_select())
        .first(conn)
        .optional()?)
}

pub fn guests_of(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Guests>, AppError> {
    Ok(guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.between(from, to))
        .select(Guests::as_select())
        .load(conn)?)
}

/// Portions an option has given away: meals not cancelled plus guests not cancelled.
pub fn used(conn: &mut DbConn, option_id: i32) -> Result<i64, AppError> {
    let meals: i64 = orders::table
        .filter(orders::option_id.eq(option_id))
        .filter(orders::status.ne(CANCELLED))
        .count()
        .get_result(conn)?;
    let guests: Option<i64> = guest_meals::table
        .filter(guest_meals::option_id.eq(option_id))
        .filter(guest_meals::status.ne(CANCELLED))
        .select(diesel::dsl::sum(guest_meals::guests))
        .first(conn)?;
    Ok(meals + guests.unwrap_or(0))
}

/// Problems with a submission, day by day (i18n keys).
pub type DayProblems = Vec<(NaiveDate, &'static str)>;

/// Portions given away per option, for the options listed (meals and guests not cancelled).
pub fn used_by_option(conn: &mut DbConn, ids: &[i32]) -> Result<HashMap<i32, i64>, AppError> {
    let mut out: HashMap<i32, i64> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let meals: Vec<(i32, i64)> = orders::table
        .filter(orders::option_id.eq_any(ids))
        .filter(orders::status.ne(CANCELLED))
        .group_by(orders::option_id)
        .select((orders::option_id, diesel::dsl::count_star()))
        .load(conn)?;
    let guests: Vec<(i32, i32)> = guest_meals::table
        .filter(guest_meals::option_id.eq_any(ids))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((guest_meals::option_id, guest_meals::guests))
        .load(conn)?;
    for (id, n) in meals {
        *out.entry(id).or_default() += n;
    }
    for (id, n) in guests {
        *out.entry(id).or_default() += n as i64;
    }
    Ok(out)
}

/// One day's wish in a submission: the option (None: no meal) and the guest count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    pub day: NaiveDate,
    pub option_id: Option<i32>,
    pub guests: i32,
}

pub struct Who {
    pub person_id: i32,
    pub by_user: Option<i32>,
    pub source: &'static str,
}

/// Applies a week's wishes for one person. Days whose wish equals what is stored are left
/// alone (even when locked); any other day must be editable, name one of its own options and
/// fit in the option's capacity. On any problem nothing is written and every problem is
/// returned as (day, i18n key).
pub fn apply_week(
    conn: &mut DbConn,
    who: &Who,
    wishes: &[Wish],
    now: DateTime<Utc>,
    settings: &Settings,
) -> Result<Result<usize, DayProblems>, AppError> {
    let Some(from) = wishes.iter().map(|w| w.day).min() else {
        return Ok(Ok(0));
    };
    let to = wishes.iter().map(|w| w.day).max().unwrap_or(from);
    store::lock(conn, LOCK_PERSON, who.person_id)?;
    let rows = store::day_rows(conn, from, to)?;
    let options = store::options_between(conn, from, to)?;
    let current: HashMap<NaiveDate, Order> = orders_of(conn, who.person_id, from, to)?
        .into_iter()
        .map(|o| (o.service_date, o))
        .collect();
    let current_guests: HashMap<NaiveDate, Guests> = guests_of(conn, who.person_id, from, to)?
        .into_iter()
        .map(|g| (g.service_date, g))
        .collect();

    let mut errors = Vec::new();
    let mut changes: Vec<(&Wish, Option<&MealOption>, bool, bool)> = Vec::new();
    for w in wishes {
        let now_option = current
            .get(&w.day)
            .filter(|o| o.is_meal())
            .map(|o| o.option_id);
        let now_guests = current_guests
            .get(&w.day)
            .filter(|g| g.status != CANCELLED)
            .map(|g| g.guests)
            .unwrap_or(0);
        let meal_changes = now_option != w.option_id;
        let guests_change = now_guests != w.guests;
        if !meal_changes && !guests_change {
            continue;
        }
        if let Err(lock) = rules::editable(w.day, rows.get(&w.day), now, settings) {
            errors.push((w.day, lock.message_key()));
            continue;
        }
        let day_options: Vec<&MealOption> =
            options.iter().filter(|o| o.service_date == w.day).collect();
        let chosen = match w.option_id {
            None => None,
            Some(id) => match day_options.iter().find(|o| o.id == id) {
                Some(o) => Some(*o),
                None => {
                    errors.push((w.day, "order.err_unknown_option"));
                    continue;
                }
            },
        };
        if !(0..=rules::MAX_GUESTS).contains(&w.guests) {
            errors.push((w.day, "order.err_guests"));
            continue;
        }
        if w.guests > 0 && day_options.is_empty() {
            errors.push((w.day, "order.err_unknown_option"));
            continue;
        }
        changes.push((w, chosen, meal_changes, guests_change));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    // Capacity: lock the options that would gain portions (in id order: no deadlocks), then count.
    let mut gains: HashMap<i32, i64> = HashMap::new();
    for (w, chosen, meal_changes, guests_change) in &changes {
        if *meal_changes {
            if let Some(o) = chosen {
                *gains.entry(o.id).or_default() += 1;
            }
        }
        if *guests_change && w.guests > 0 {
            let gopt = guest_option(*chosen, &options, w.day);
            if let Some(o) = gopt {
                let before = current_guests
                    .get(&w.day)
                    .filter(|g| g.status != CANCELLED && g.option_id == o.id)
                    .map(|g| g.guests)
                    .unwrap_or(0);
                *gains.entry(o.id).or_default() += (w.guests - before).max(0) as i64;
            }
        }
    }
    let mut ids: Vec<i32> = gains.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(opt) = options.iter().find(|o| o.id == id) else {
            continue;
        };
        if let Some(cap) = opt.capacity {
            store::lock(conn, LOCK_OPTION, id)?;
            if used(conn, id)? + gains[&id] > cap as i64 {
                errors.push((opt.service_date, "order.err_full"));
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let mut n = 0;
    for (w, chosen, meal_changes, guests_change) in changes {
        if meal_changes {
            write_meal(conn, who, w.day, chosen, current.get(&w.day), nowt)?;
        }
        if guests_change {
            let gopt = guest_option(chosen, &options, w.day);
            write_guests(
                conn,
                who.person_id,
                w.day,
                w.guests,
                gopt,
                current_guests.get(&w.day),
                nowt,
            )?;
        }
        n += 1;
    }
    Ok(Ok(n))
}

/// Guests eat the host's option, or the day's first option when the host does not eat.
fn guest_option<'a>(
    chosen: Option<&'a MealOption>,
    options: &'a [MealOption],
    day: NaiveDate,
) -> Option<&'a MealOption> {
    chosen.or_else(|| {
        options
            .iter()
            .filter(|o| o.service_date == day)
            .min_by_key(|o| (o.position, o.id))
    })
}

/// A meal row to insert (its day and price come from the option).
pub(super) struct NewMeal<'a> {
    pub person: i32,
    pub option: &'a MealOption,
    pub status: &'a str,
    pub source: &'a str,
    /// Who placed it (and, for a meal served at once, who served it).
    pub by: Option<i32>,
    pub served_at: Option<NaiveDateTime>,
}

/// The one place that inserts an order row.
pub(super) fn insert_meal(
    conn: &mut DbConn,
    m: &NewMeal<'_>,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    let served_by = m.served_at.and(m.by);
    Ok(diesel::insert_into(orders::table)
        .values((
            orders::person_id.eq(m.person),
            orders::service_date.eq(m.option.service_date),
            orders::option_id.eq(m.option.id),
            orders::price_vnd.eq(m.option.price_vnd),
            orders::status.eq(m.status),
            orders::source.eq(m.source),
            orders::created_at.eq(now),
            orders::updated_at.eq(now),
            orders::updated_by.eq(m.by),
            orders::served_at.eq(m.served_at),
            orders::served_by.eq(served_by),
        ))
        .returning(orders::id)
        .get_result(conn)?)
}

pub(super) fn write_meal(
    conn: &mut DbConn,
    who: &Who,
    day: NaiveDate,
    chosen: Option<&MealOption>,
    existing: Option<&Order>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    match (existing, chosen) {
        (Some(o), None) => {
            diesel::update(orders::table.find(o.id))
                .set((
                    orders::status.eq(CANCELLED),
                    orders::updated_at.eq(now),
                    orders::updated_by.eq(who.by_user),
                ))
                .execute(conn)?;
        }
        (Some(o), Some(opt)) => {
            diesel::update(orders::table.find(o.id))
                .set((
                    orders::option_id.eq(opt.id),
                    orders::price_vnd.eq(opt.price_vnd),
                    orders::status.eq(ORDERED),
                    orders::source.eq(who.source),
                    orders::updated_at.eq(now),
                    orders::updated_by.eq(who.by_user),
                ))
                .execute(conn)?;
        }
        (None, Some(opt)) => {
            debug_assert_eq!(opt.service_date, day);
            let m = NewMeal {
                person: who.person_id,
                option: opt,
                status: ORDERED,
                source: who.source,
                by: who.by_user,
                served_at: None,
            };
            insert_meal(conn, &m, now)?;
        }
        (None, None) => {}
    }
    Ok(())
}

fn write_guests(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
    count: i32,
    opt: Option<&MealOption>,
    existing: Option<&Guests>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    match (existing, opt) {
        (Some(g), _) if count == 0 => {
            diesel::update(guest_meals::table.find(g.id))
                .set((
                    guest_meals::status.eq(CANCELLED),
                    guest_meals::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        (Some(g), Some(o)) => {
            diesel::update(guest_meals::table.find(g.id))
                .set((
                    guest_meals::guests.eq(count),
                    guest_meals::option_id.eq(o.id),
                    guest_meals::price_vnd.eq(o.price_vnd),
                    guest_meals::status.eq(ORDERED),
                    guest_meals::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        (None, Some(o)) if count > 0 => {
            diesel::insert_into(guest_meals::table)
                .values((
                    guest_meals::person_id.eq(person),
                    guest_meals::service_date.eq(day),
                    guest_meals::option_id.eq(o.id),
                    guest_meals::guests.eq(count),
                    guest_meals::price_vnd.eq(o.price_vnd),
                    guest_meals::status.eq(ORDERED),
                    guest_meals::created_at.eq(now),
                    guest_meals::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        _ => {}
    }
    Ok(())
}
