//! The serving side: meal passes, the counter, closing service, headcount, waste and ratings.

use crate::canteen::ordering::{Order, CANCELLED, SERVED};
use crate::canteen::states::{Change, Refusal, Source};
use crate::canteen::store::{self, MealOption};
use crate::canteen::transition::{self, By, MealChange, WalkIn};
use crate::db::schema::{guest_meals, meal_options, meal_passes, orders, persons, units, walk_ins};
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
        .get_result(conn)
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
        .get_result(conn)
        .optional()?;
    if by_pass.is_some() {
        return Ok(by_pass);
    }
    Ok(persons::table
        .filter(persons::employee_code.eq(code.to_uppercase()))
        .select(persons::id)
        .get_result(conn)
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
    /// A walk-in of the day that still stands, with its option's name.
    pub walk_in: Option<(WalkIn, String)>,
    /// Left or deceased by `day`: found by their code, served nothing.
    pub gone: bool,
}

pub fn counter_card(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
) -> Result<Option<CounterCard>, AppError> {
    type Row = (String, String, Option<String>, String, Option<NaiveDate>);
    let p: Option<Row> = persons::table
        .left_join(units::table)
        .filter(persons::id.eq(person))
        .select((
            persons::employee_code,
            persons::full_name,
            units::name.nullable(),
            persons::status,
            persons::status_date,
        ))
        .get_result(conn)
        .optional()?;
    let Some((employee_code, full_name, unit, status, since)) = p else {
        return Ok(None);
    };
    let order: Option<(Order, String)> = orders::table
        .inner_join(meal_options::table)
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(day))
        .select((Order::as_select(), meal_options::name))
        .get_result(conn)
        .optional()?;
    let guests: Option<i32> = guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.ne(CANCELLED))
        .select(guest_meals::guests)
        .get_result(conn)
        .optional()?;
    let (order, option_name) = match order {
        Some((o, n)) => (Some(o), Some(n)),
        None => (None, None),
    };
    let walk_in = match transition::walk_in_of(conn, person, day)? {
        Some(w) => {
            let name = store::option(conn, w.option_id)?
                .map(|o| o.name)
                .unwrap_or_default();
            Some((w, name))
        }
        None => None,
    };
    Ok(Some(CounterCard {
        person_id: person,
        employee_code,
        full_name,
        unit,
        order,
        option_name,
        guests: guests.unwrap_or(0),
        walk_in,
        gone: gone_by(&status, since, day),
    }))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Serve {
    Served(i32),
    Already(i32, NaiveDateTime),
    NoMeal,
    /// Service was closed and the meal recorded as not collected: served only when the cook
    /// confirms a late arrival.
    NoShow(i32),
}

/// The reason recorded on a meal served after service was closed.
pub const LATE: &str = "late";

/// Marks a person's meal of `day` served. A meal recorded as not collected (after close
/// service) is served only with `late` (the cook confirmed a late arrival), and the history
/// says so.
pub fn serve(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
    by: i32,
    late: bool,
    now: NaiveDateTime,
) -> Result<Serve, AppError> {
    store::lock_person_days(conn, Some((day, day)), person)?;
    if let Some(w) = transition::walk_in_of(conn, person, day)? {
        return Ok(Serve::Already(w.id, w.served_at));
    }
    let o: Option<Order> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(day))
        .select(Order::as_select())
        .get_result(conn)
        .optional()?;
    let Some(o) = o else { return Ok(Serve::NoMeal) };
    let no_show = o.status == crate::canteen::ordering::NO_SHOW;
    if no_show && !late {
        return Ok(Serve::NoShow(o.id));
    }
    let mut m = MealChange::new(person, day, Some(&o), Change::Serve);
    if no_show {
        m = m.reason(LATE);
    }
    match transition::meal(conn, &m, &By::new(Some(by), Source::Counter), now)? {
        Ok(id) => Ok(Serve::Served(id)),
        Err(Refusal::Refused("order.err_already_served")) => {
            Ok(Serve::Already(o.id, o.served_at.unwrap_or(o.updated_at)))
        }
        Err(_) => Ok(Serve::NoMeal),
    }
}

/// What an undo at the counter did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undo {
    /// The serve (or walk-in) is undone now.
    Undone,
    /// Served more than 10 minutes ago: it stands.
    TooLate,
    /// Nothing stands to undo: never served, or already undone (a second click, another tab).
    Nothing,
}

/// Undoes a serve within 10 minutes; the person, or `None` when there is no such order.
/// `serve` is the instant of the serve the cook saw (the
/// undo button's): a serve undone since, or undone and made again, is not the one to undo.
/// The person's day is locked first, as every writer of it does, so two clicks at once undo
/// once.
pub fn undo_serve(
    conn: &mut DbConn,
    order_id: i32,
    serve: Option<NaiveDateTime>,
    by: i32,
    now: NaiveDateTime,
) -> Result<Option<(i32, Undo)>, AppError> {
    let Some(o) = crate::canteen::ordering::order(conn, order_id)? else {
        return Ok(None);
    };
    let person = o.person_id;
    store::lock_person_days(conn, Some((o.service_date, o.service_date)), person)?;
    let Some(o) = crate::canteen::ordering::order(conn, order_id)? else {
        return Ok(Some((person, Undo::Nothing)));
    };
    let Some(served_at) = o
        .served_at
        .filter(|t| o.status == SERVED && serve.is_none_or(|s| s == *t))
    else {
        return Ok(Some((person, Undo::Nothing)));
    };
    if !crate::canteen::rules::can_undo(served_at, now) {
        return Ok(Some((person, Undo::TooLate)));
    }
    let m = MealChange::new(person, o.service_date, Some(&o), Change::UndoServe);
    let done = match transition::meal(conn, &m, &By::new(Some(by), Source::Counter), now)? {
        Ok(_) => Undo::Undone,
        Err(_) => Undo::Nothing,
    };
    Ok(Some((person, done)))
}

/// Undoes a walk-in (by its id) within 10 minutes by voiding it; the person, or `None` when
/// there is no such walk-in.
pub fn undo_walk_in(
    conn: &mut DbConn,
    walk_in: i32,
    by: i32,
    now: NaiveDateTime,
) -> Result<Option<(i32, Undo)>, AppError> {
    let read = |conn: &mut DbConn| -> Result<Option<WalkIn>, AppError> {
        Ok(walk_ins::table
            .find(walk_in)
            .select(WalkIn::as_select())
            .get_result(conn)
            .optional()?)
    };
    let Some(w) = read(conn)? else {
        return Ok(None);
    };
    store::lock_person_days(conn, Some((w.service_date, w.service_date)), w.person_id)?;
    let Some(w) = read(conn)?.filter(|w| w.status == SERVED) else {
        return Ok(Some((w.person_id, Undo::Nothing)));
    };
    if !crate::canteen::rules::can_undo(w.served_at, now) {
        return Ok(Some((w.person_id, Undo::TooLate)));
    }
    transition::void_walk_in(conn, &w, &By::new(Some(by), Source::Counter), now)?;
    Ok(Some((w.person_id, Undo::Undone)))
}

/// Serves someone who has no meal today: a walk-in at the option's full price, stored apart
/// from the person's own order row.
pub fn walk_in(
    conn: &mut DbConn,
    person: i32,
    opt: &MealOption,
    by: i32,
    now: NaiveDateTime,
) -> Result<Result<i32, &'static str>, AppError> {
    store::lock_person_days(conn, Some((opt.service_date, opt.service_date)), person)?;
    let (status, since): (String, Option<NaiveDate>) = persons::table
        .find(person)
        .select((persons::status, persons::status_date))
        .first(conn)?;
    if gone_by(&status, since, opt.service_date) {
        return Ok(Err("counter.err_gone"));
    }
    let existing: Option<Order> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq(opt.service_date))
        .select(Order::as_select())
        .get_result(conn)
        .optional()?;
    if existing.is_some_and(|o| o.status != CANCELLED)
        || transition::walk_in_of(conn, person, opt.service_date)?.is_some()
    {
        return Ok(Err("counter.err_has_meal"));
    }
    let id = transition::walk_in(conn, person, opt, &By::new(Some(by), Source::Counter), now)?;
    Ok(Ok(id))
}

/// Whether a person with this status has no more meals by `day` (left, died or retired).
fn gone_by(status: &str, since: Option<NaiveDate>, day: NaiveDate) -> bool {
    crate::people::rules::meals_end(status, since, day).is_some_and(|from| from <= day)
}

/// Close service: every meal still only ordered becomes a no-show.
pub fn close_service(
    conn: &mut DbConn,
    day: NaiveDate,
    by: i32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    store::lock_days(conn, day, day, true)?;
    crate::periods::ensure_open(conn, day)?;
    // Before the day's cut-off staff may still change or cancel their meals: ending service
    // then would mark as not collected (and charge) meals that are not final.
    let s = crate::canteen::menu::store::load_settings(conn)?;
    let now_utc = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(now, chrono::Utc);
    if now_utc < crate::canteen::rules::cutoff_instant(day, s.cutoff) {
        return Err(AppError::BadRequest("counter.err_before_cutoff"));
    }
    let n = transition::close_service(conn, day, &By::new(Some(by), Source::Counter), now)?;
    store::mark_service_closed(conn, day, now)?;
    Ok(n)
}

/// The counter's running tally of one option today.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub option_id: i32,
    /// Meals ordered (not cancelled): served, still to collect, or not collected.
    pub expected: i64,
    pub served: i64,
    pub no_show: i64,
    /// Guests of hosts eating this option (not cancelled), and walk-ins served.
    pub guests: i64,
    pub walk_ins: i64,
}

impl Tally {
    pub fn to_collect(&self) -> i64 {
        self.expected - self.served - self.no_show
    }
}

/// Today's tally per option, in the options' order.
pub fn tally(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<Tally>, AppError> {
    use crate::db::schema::{guest_meals, walk_ins};
    let opts = store::options_between(conn, day, day)?;
    let meals: Vec<(i32, String)> = orders::table
        .filter(orders::service_date.eq(day))
        .filter(orders::status.ne(CANCELLED))
        .select((orders::option_id, orders::status))
        .load(conn)?;
    let guests: Vec<(i32, i32)> = guest_meals::table
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((guest_meals::option_id, guest_meals::guests))
        .load(conn)?;
    let walked: Vec<i32> = walk_ins::table
        .filter(walk_ins::service_date.eq(day))
        .filter(walk_ins::status.eq(SERVED))
        .select(walk_ins::option_id)
        .load(conn)?;
    Ok(opts
        .iter()
        .map(|o| {
            let mine = || meals.iter().filter(|m| m.0 == o.id);
            Tally {
                option_id: o.id,
                expected: mine().count() as i64,
                served: mine().filter(|m| m.1 == SERVED).count() as i64,
                no_show: mine()
                    .filter(|m| m.1 == crate::canteen::ordering::NO_SHOW)
                    .count() as i64,
                guests: guests
                    .iter()
                    .filter(|g| g.0 == o.id)
                    .map(|g| g.1 as i64)
                    .sum(),
                walk_ins: walked.iter().filter(|w| **w == o.id).count() as i64,
            }
        })
        .collect())
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
    // By unit, then by name the Vietnamese way (given name first).
    lines.sort_by_cached_key(|l| {
        (
            l.unit.clone().unwrap_or_else(|| "~".into()),
            crate::people::rules::sort_key(&l.full_name),
        )
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
