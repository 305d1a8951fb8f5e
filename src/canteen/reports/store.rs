//! Waste log, daily figures and ratings (store side).

use crate::canteen::ordering::{Order, CANCELLED, NO_SHOW, SERVED};
use crate::canteen::store::MealOption;
use crate::db::schema::{guest_meals, meal_options, orders, ratings, walk_ins, waste_log};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub fn save_waste(
    conn: &mut DbConn,
    day: NaiveDate,
    prepared: i32,
    leftover: i32,
    note: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(waste_log::table.find(day)).execute(conn)?;
    diesel::insert_into(waste_log::table)
        .values((
            waste_log::service_date.eq(day),
            waste_log::prepared.eq(prepared),
            waste_log::leftover.eq(leftover),
            waste_log::note.eq(note),
            waste_log::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Per day in a range: (day, ordered, served, no-shows, guests, prepared, leftover).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub day: Option<NaiveDate>,
    /// Meals ordered ahead (not cancelled): standing orders, staff, the kitchen on behalf.
    pub ordered: i64,
    /// Of those, served.
    pub served: i64,
    /// Walk-ins: served at the counter without an order, at full price.
    pub walk_ins: i64,
    pub no_shows: i64,
    pub guests: i64,
    pub prepared: Option<i64>,
    pub leftover: Option<i64>,
}

pub fn figures(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayFigures>, AppError> {
    let meals: Vec<(NaiveDate, String)> = orders::table
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.ne(CANCELLED))
        .select((orders::service_date, orders::status))
        .load(conn)?;
    // Walk-ins are counted apart from the meals ordered ahead.
    let walked: Vec<NaiveDate> = walk_ins::table
        .filter(walk_ins::service_date.between(from, to))
        .filter(walk_ins::status.eq(SERVED))
        .select(walk_ins::service_date)
        .load(conn)?;
    let guests: Vec<(NaiveDate, i32)> = guest_meals::table
        .filter(guest_meals::service_date.between(from, to))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((guest_meals::service_date, guest_meals::guests))
        .load(conn)?;
    let waste: Vec<(NaiveDate, i32, i32)> = waste_log::table
        .filter(waste_log::service_date.between(from, to))
        .select((
            waste_log::service_date,
            waste_log::prepared,
            waste_log::leftover,
        ))
        .load(conn)?;
    let mut days: Vec<NaiveDate> = meals
        .iter()
        .map(|m| m.0)
        .chain(guests.iter().map(|g| g.0))
        .chain(walked.iter().copied())
        .chain(waste.iter().map(|w| w.0))
        .collect();
    days.sort_unstable();
    days.dedup();
    Ok(days
        .into_iter()
        .map(|d| {
            let of_day = meals.iter().filter(|m| m.0 == d);
            let w = waste.iter().find(|w| w.0 == d);
            DayFigures {
                day: Some(d),
                ordered: of_day.clone().count() as i64,
                served: of_day.clone().filter(|m| m.1 == SERVED).count() as i64,
                walk_ins: walked.iter().filter(|w| **w == d).count() as i64,
                no_shows: of_day.filter(|m| m.1 == NO_SHOW).count() as i64,
                guests: guests.iter().filter(|g| g.0 == d).map(|g| g.1 as i64).sum(),
                prepared: w.map(|w| w.1 as i64),
                leftover: w.map(|w| w.2 as i64),
            }
        })
        .collect())
}

pub fn rate(
    conn: &mut DbConn,
    order_id: i32,
    score: i32,
    comment: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(ratings::table.find(order_id)).execute(conn)?;
    diesel::insert_into(ratings::table)
        .values((
            ratings::order_id.eq(order_id),
            ratings::score.eq(score),
            ratings::comment.eq(comment),
            ratings::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ratings in a range: (day, option name, score, comment) — never who gave them.
pub fn ratings_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String, i32, String)>, AppError> {
    Ok(ratings::table
        .inner_join(orders::table.inner_join(meal_options::table))
        .filter(orders::service_date.between(from, to))
        .order((orders::service_date.asc(), meal_options::name.asc()))
        .select((
            orders::service_date,
            meal_options::name,
            ratings::score,
            ratings::comment,
        ))
        .load(conn)?)
}

/// A person's served meals of the last days, with their rating if any.
pub fn recent_served(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Order, String, Option<i32>)>, AppError> {
    Ok(orders::table
        .inner_join(meal_options::table)
        .left_join(ratings::table)
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.eq(SERVED))
        .order(orders::service_date.desc())
        .select((
            Order::as_select(),
            meal_options::name,
            ratings::score.nullable(),
        ))
        .load(conn)?)
}

/// A meal from the past, as the demo (or a data migration) records it.
pub struct PastMeal<'a> {
    pub person: i32,
    pub option: &'a MealOption,
    pub status: &'a str,
    pub guests: i32,
    pub served_at: Option<NaiveDateTime>,
}

pub fn record_past_meal(
    conn: &mut DbConn,
    m: &PastMeal<'_>,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    use crate::canteen::states::{Change, Source};
    use crate::canteen::transition::{self, By, MealChange};
    let day = m.option.service_date;
    let by = By::new(None, Source::Standing);
    let order = MealChange::new(m.person, day, None, Change::Order).option(m.option);
    let id = transition::meal(conn, &order, &by, now)?
        .map_err(|_| AppError::internal("past meal refused"))?;
    let row = crate::canteen::ordering::order(conn, id)?;
    let last = match m.status {
        SERVED => Some(Change::Serve),
        NO_SHOW => Some(Change::NoShow),
        _ => None,
    };
    if let Some(change) = last {
        let at = m.served_at.unwrap_or(now);
        let counter = By::new(None, Source::Counter);
        transition::meal(
            conn,
            &MealChange::new(m.person, day, row.as_ref(), change),
            &counter,
            at,
        )?
        .map_err(|_| AppError::internal("past meal refused"))?;
    }
    if m.guests > 0 {
        transition::guests(
            conn,
            m.person,
            day,
            m.guests,
            Some(m.option),
            None,
            crate::canteen::states::Cause::Person,
            &by,
            now,
        )?;
        if m.status == SERVED {
            transition::guests_served(conn, m.person, day, &by, now)?;
        }
    }
    Ok(id)
}
