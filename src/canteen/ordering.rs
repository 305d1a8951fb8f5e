//! Orders: one meal per person per day (a UNIQUE row that changes state, never duplicates),
//! guest meals, standing orders, absences. All diesel code of orders lives here.

use super::rules::{self, Lock, Settings, Standing};
use super::store::{self, MealOption, LOCK_OPTION, LOCK_PERSON};
use crate::db::schema::{absences, guest_meals, orders, standing_orders};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
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

fn write_meal(
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
            diesel::insert_into(orders::table)
                .values((
                    orders::person_id.eq(who.person_id),
                    orders::service_date.eq(day),
                    orders::option_id.eq(opt.id),
                    orders::price_vnd.eq(opt.price_vnd),
                    orders::status.eq(ORDERED),
                    orders::source.eq(who.source),
                    orders::created_at.eq(now),
                    orders::updated_at.eq(now),
                    orders::updated_by.eq(who.by_user),
                ))
                .execute(conn)?;
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

// ---- standing orders and absences ----

pub fn standing_of(conn: &mut DbConn, person: i32) -> Result<Option<Standing>, AppError> {
    let row: Option<(String, bool, bool, bool)> = standing_orders::table
        .find(person)
        .select((
            standing_orders::weekdays,
            standing_orders::prefer_vegetarian,
            standing_orders::lunar_vegetarian,
            standing_orders::active,
        ))
        .first(conn)
        .optional()?;
    Ok(row.filter(|r| r.3).map(|(w, v, l, _)| Standing {
        weekdays: Standing::parse_weekdays(&w),
        prefer_vegetarian: v,
        lunar_vegetarian: l,
    }))
}

pub fn all_standing(conn: &mut DbConn) -> Result<Vec<(i32, Standing)>, AppError> {
    let rows: Vec<(i32, String, bool, bool)> = standing_orders::table
        .filter(standing_orders::active.eq(true))
        .select((
            standing_orders::person_id,
            standing_orders::weekdays,
            standing_orders::prefer_vegetarian,
            standing_orders::lunar_vegetarian,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, w, v, l)| {
            (
                p,
                Standing {
                    weekdays: Standing::parse_weekdays(&w),
                    prefer_vegetarian: v,
                    lunar_vegetarian: l,
                },
            )
        })
        .collect())
}

pub fn save_standing(
    conn: &mut DbConn,
    person: i32,
    s: Option<&Standing>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(standing_orders::table.find(person)).execute(conn)?;
    if let Some(s) = s {
        diesel::insert_into(standing_orders::table)
            .values((
                standing_orders::person_id.eq(person),
                standing_orders::weekdays.eq(s.weekdays_text()),
                standing_orders::prefer_vegetarian.eq(s.prefer_vegetarian),
                standing_orders::lunar_vegetarian.eq(s.lunar_vegetarian),
                standing_orders::active.eq(true),
                standing_orders::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = absences)]
pub struct Absence {
    pub id: i32,
    pub person_id: i32,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub kind: String,
    pub note: String,
    pub created_at: NaiveDateTime,
}

pub fn absences_of(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
) -> Result<Vec<Absence>, AppError> {
    Ok(absences::table
        .filter(absences::person_id.eq(person))
        .filter(absences::end_date.ge(from))
        .order(absences::start_date.asc())
        .select(Absence::as_select())
        .load(conn)?)
}

pub fn add_absence(
    conn: &mut DbConn,
    person: i32,
    start: NaiveDate,
    end: NaiveDate,
    kind: &str,
    note: &str,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    Ok(diesel::insert_into(absences::table)
        .values((
            absences::person_id.eq(person),
            absences::start_date.eq(start),
            absences::end_date.eq(end),
            absences::kind.eq(kind),
            absences::note.eq(note),
            absences::created_at.eq(now),
        ))
        .returning(absences::id)
        .get_result(conn)?)
}

/// Deletes one of the person's own absences; false when it is not theirs.
pub fn delete_absence(conn: &mut DbConn, person: i32, id: i32) -> Result<bool, AppError> {
    Ok(diesel::delete(
        absences::table
            .filter(absences::id.eq(id))
            .filter(absences::person_id.eq(person)),
    )
    .execute(conn)?
        > 0)
}

/// Days between today and the horizon on which changes are still allowed, with their options.
pub fn editable_days(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<Vec<(NaiveDate, Vec<MealOption>)>, AppError> {
    let today = now
        .with_timezone(&crate::clock::business_offset())
        .date_naive();
    let to = today + Duration::days(s.horizon_days);
    let rows = store::day_rows(conn, today, to)?;
    let options = store::options_between(conn, today, to)?;
    let mut out = Vec::new();
    let mut d = today;
    while d <= to {
        if rules::editable(d, rows.get(&d), now, s).is_ok() {
            out.push((
                d,
                options
                    .iter()
                    .filter(|o| o.service_date == d)
                    .cloned()
                    .collect(),
            ));
        }
        d += Duration::days(1);
    }
    Ok(out)
}

fn absent(abs: &[Absence], person: i32, d: NaiveDate) -> bool {
    abs.iter()
        .any(|a| a.person_id == person && a.start_date <= d && d <= a.end_date)
}

/// Brings one person's standing meals in line on the given (editable) days: a meal where the
/// standing order wants one and the person has no row for the day; standing meals that are no
/// longer wanted are cancelled. Meals the person chose or cancelled themselves are left alone.
pub fn sync_person(
    conn: &mut DbConn,
    person: i32,
    days: &[(NaiveDate, Vec<MealOption>)],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let Some(first) = days.first().map(|d| d.0) else {
        return Ok(0);
    };
    let last = days.last().map(|d| d.0).unwrap_or(first);
    store::lock(conn, LOCK_PERSON, person)?;
    let standing = standing_of(conn, person)?;
    let abs = absences_of(conn, person, first)?;
    let existing: HashMap<NaiveDate, Order> = orders_of(conn, person, first, last)?
        .into_iter()
        .map(|o| (o.service_date, o))
        .collect();
    let who = Who {
        person_id: person,
        by_user: None,
        source: SRC_STANDING,
    };
    let mut n = 0;
    for (d, opts) in days {
        let wants = standing
            .as_ref()
            .and_then(|s| s.wants(*d))
            .filter(|_| !absent(&abs, person, *d));
        match (existing.get(d), wants) {
            (None, Some(veg)) => {
                let refs: Vec<_> = opts.iter().map(MealOption::as_ref).collect();
                if let Some(id) = rules::pick_option(&refs, veg) {
                    let opt = opts.iter().find(|o| o.id == id);
                    if let Some(opt) = opt {
                        if fits(conn, opt)? {
                            write_meal(conn, &who, *d, Some(opt), None, now)?;
                            n += 1;
                        }
                    }
                }
            }
            (Some(o), None) if o.source == SRC_STANDING && o.status == ORDERED => {
                write_meal(conn, &who, *d, None, Some(o), now)?;
                n += 1;
            }
            _ => {}
        }
    }
    Ok(n)
}

fn fits(conn: &mut DbConn, opt: &MealOption) -> Result<bool, AppError> {
    match opt.capacity {
        None => Ok(true),
        Some(cap) => {
            store::lock(conn, LOCK_OPTION, opt.id)?;
            Ok(used(conn, opt.id)? < cap as i64)
        }
    }
}

/// Makes standing-order meals real on one (editable) day for everyone who has none yet.
pub fn materialize_day(
    conn: &mut DbConn,
    day: NaiveDate,
    opts: &[MealOption],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let standing = all_standing(conn)?;
    let have: Vec<i32> = orders::table
        .filter(orders::service_date.eq(day))
        .select(orders::person_id)
        .load(conn)?;
    let abs: Vec<Absence> = absences::table
        .filter(absences::start_date.le(day))
        .filter(absences::end_date.ge(day))
        .select(Absence::as_select())
        .load(conn)?;
    let refs: Vec<_> = opts.iter().map(MealOption::as_ref).collect();
    let mut n = 0;
    for (person, s) in standing {
        if have.contains(&person) || absent(&abs, person, day) {
            continue;
        }
        let Some(veg) = s.wants(day) else { continue };
        let Some(opt) =
            rules::pick_option(&refs, veg).and_then(|id| opts.iter().find(|o| o.id == id))
        else {
            continue;
        };
        if fits(conn, opt)? {
            let who = Who {
                person_id: person,
                by_user: None,
                source: SRC_STANDING,
            };
            write_meal(conn, &who, day, Some(opt), None, now)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Cancels a person's meals on the given days (an absence was declared).
pub fn cancel_days(
    conn: &mut DbConn,
    person: i32,
    days: &[NaiveDate],
    by: Option<i32>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(diesel::update(
        orders::table
            .filter(orders::person_id.eq(person))
            .filter(orders::service_date.eq_any(days))
            .filter(orders::status.eq(ORDERED)),
    )
    .set((
        orders::status.eq(CANCELLED),
        orders::updated_at.eq(now),
        orders::updated_by.eq(by),
    ))
    .execute(conn)?)
}

/// Closing a day cancels every meal and guest meal on it.
pub fn cancel_whole_day(
    conn: &mut DbConn,
    day: NaiveDate,
    by: Option<i32>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let n = diesel::update(
        orders::table
            .filter(orders::service_date.eq(day))
            .filter(orders::status.eq(ORDERED)),
    )
    .set((
        orders::status.eq(CANCELLED),
        orders::note.eq("day_closed"),
        orders::updated_at.eq(now),
        orders::updated_by.eq(by),
    ))
    .execute(conn)?;
    diesel::update(
        guest_meals::table
            .filter(guest_meals::service_date.eq(day))
            .filter(guest_meals::status.eq(ORDERED)),
    )
    .set((
        guest_meals::status.eq(CANCELLED),
        guest_meals::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n)
}

/// Why a day is locked, for a person's week page.
pub fn lock_of(
    day: NaiveDate,
    rows: &HashMap<NaiveDate, rules::DayRow>,
    now: DateTime<Utc>,
    s: &Settings,
) -> Option<Lock> {
    rules::editable(day, rows.get(&day), now, s).err()
}

/// Standing orders become meals on every published day that is open for ordering now.
/// Idempotent (only people without a row for the day get one). Run at start-up and by a
/// background tick, so that a week published far ahead gets its meals once it comes within
/// the ordering horizon.
pub fn materialize_due(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<usize, AppError> {
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let mut n = 0;
    for (day, opts) in editable_days(conn, now, s)? {
        if !opts.is_empty() {
            n += materialize_day(conn, day, &opts, nowt)?;
        }
    }
    Ok(n)
}
