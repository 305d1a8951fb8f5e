//! Standing orders and absences, and turning standing orders into meals.

use crate::canteen::ordering::*;
use crate::canteen::rules::{self, Lock, Settings, Standing};
use crate::canteen::states::{Cause, Change, Source};
use crate::canteen::store::{self, MealOption, LOCK_OPTION};
use crate::canteen::transition::{self, By, MealChange};
use crate::db::schema::{absences, orders, standing_orders};
use crate::db::{update_by_id, DbConn};
use crate::error::AppError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

pub fn standing_of(conn: &mut DbConn, person: i32) -> Result<Option<Standing>, AppError> {
    let row: Option<(String, bool, bool, bool)> = standing_orders::table
        .find(person)
        .select((
            standing_orders::weekdays,
            standing_orders::prefer_vegetarian,
            standing_orders::lunar_vegetarian,
            standing_orders::active,
        ))
        .get_result(conn)
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
    Ok(crate::on_backend!(conn, |c| absences::table
        .filter(absences::person_id.eq(person))
        .filter(absences::end_date.ge(from))
        .order(absences::start_date.asc())
        .select(Absence::as_select())
        .load(c))?)
}

/// The person's current or next business trip (start, end), if one is recorded.
pub fn next_business_trip(
    conn: &mut DbConn,
    person: i32,
    today: NaiveDate,
) -> Result<Option<(NaiveDate, NaiveDate)>, AppError> {
    Ok(absences_of(conn, person, today)?
        .into_iter()
        .find(|a| a.kind == "business_trip")
        .map(|a| (a.start_date.max(today), a.end_date)))
}

/// Records an absence: Ok((id, true)) when new. The same dates again (a double submission, or
/// a corrected note or kind) update the one already there (Ok((id, false))); dates that
/// overlap another absence are refused with that absence's id (two absences on one day could
/// not say which one cancelled its meal).
pub fn add_absence(
    conn: &mut DbConn,
    person: i32,
    start: NaiveDate,
    end: NaiveDate,
    kind: &str,
    note: &str,
    now: NaiveDateTime,
) -> Result<Result<(i32, bool), i32>, AppError> {
    let overlapping: Vec<(i32, NaiveDate, NaiveDate)> = absences::table
        .filter(absences::person_id.eq(person))
        .filter(absences::start_date.le(end))
        .filter(absences::end_date.ge(start))
        .select((absences::id, absences::start_date, absences::end_date))
        .load(conn)?;
    if let Some(other) = overlapping.iter().find(|a| (a.1, a.2) != (start, end)) {
        return Ok(Err(other.0));
    }
    if let Some(same) = overlapping.first() {
        update_by_id(
            absences::table,
            same.0,
            (absences::kind.eq(kind), absences::note.eq(note)),
        )
        .execute(conn)?;
        return Ok(Ok((same.0, false)));
    }
    Ok(Ok((
        diesel::insert_into(absences::table)
            .values((
                absences::person_id.eq(person),
                absences::start_date.eq(start),
                absences::end_date.eq(end),
                absences::kind.eq(kind),
                absences::note.eq(note),
                absences::created_at.eq(now),
            ))
            .returning(absences::id)
            .get_result(conn)?,
        true,
    )))
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

/// Store command: declares an absence; the person's meals on its days that can still change
/// are cancelled with the cause "absence" (so that they come back if it is deleted).
/// Err(id): the dates overlap the person's absence `id`; nothing was changed.
#[allow(clippy::too_many_arguments)]
pub fn declare_absence(
    conn: &mut DbConn,
    person: i32,
    start: NaiveDate,
    end: NaiveDate,
    kind: &str,
    note: &str,
    by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Result<usize, i32>, AppError> {
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let s = store::load_settings(conn)?;
    let days: Vec<_> = editable_days(conn, now, &s)?
        .into_iter()
        .map(|d| d.day)
        .filter(|d| *d >= start && *d <= end)
        .collect();
    store::lock_person_days(
        conn,
        days.first().copied().zip(days.last().copied()),
        person,
    )?;
    let id = match add_absence(conn, person, start, end, kind, note, nowt)? {
        Ok((id, true)) => id,
        // The same absence again only changed its note or kind: the meals the person chose
        // since it was declared stay.
        Ok((_, false)) => return Ok(Ok(0)),
        Err(other) => return Ok(Err(other)),
    };
    let by = By::new(by, Source::Absence);
    transition::cancel_for(
        conn,
        person,
        &days,
        Cause::Absence,
        Some(&id.to_string()),
        &by,
        nowt,
    )
    .map(Ok)
}

/// Store command: deletes one of the person's absences. Exactly the meals it cancelled on
/// days that can still change come back (not the ones the person cancelled themself), and the
/// standing order fills days that have no meal row. None when it is not theirs.
pub fn withdraw_absence(
    conn: &mut DbConn,
    person: i32,
    id: i32,
    by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Option<usize>, AppError> {
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let s = store::load_settings(conn)?;
    let days = editable_days(conn, now, &s)?;
    let span = days.first().zip(days.last()).map(|(f, l)| (f.day, l.day));
    store::lock_person_days(conn, span, person)?;
    if !delete_absence(conn, person, id)? {
        return Ok(None);
    }
    let Some(first) = days.first().map(|d| d.day) else {
        return Ok(Some(0));
    };
    let by = By::new(by, Source::Absence);
    let others = absences_of(conn, person, first)?;
    let back = transition::restore_for(
        conn,
        person,
        first,
        Cause::Absence,
        Some(&id.to_string()),
        &|d| covering(&others, person, d),
        &by,
        nowt,
    )?;
    sync_person(conn, person, &days, nowt)?;
    Ok(Some(back))
}

/// A day on which changes are still allowed, with its options.
#[derive(Clone, Debug)]
pub struct OpenDay {
    pub day: NaiveDate,
    pub options: Vec<MealOption>,
    /// The day whose weekday standing orders follow (the replaced day on a make-up day).
    pub standing_as: NaiveDate,
}

/// Days between today and the horizon on which changes are still allowed, with their options.
pub fn editable_days(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<Vec<OpenDay>, AppError> {
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
            out.push(OpenDay {
                day: d,
                options: options
                    .iter()
                    .filter(|o| o.service_date == d)
                    .cloned()
                    .collect(),
                standing_as: rules::DayRow::standing_as(rows.get(&d), d),
            });
        }
        d += Duration::days(1);
    }
    Ok(out)
}

fn absent(abs: &[Absence], person: i32, d: NaiveDate) -> bool {
    covering(abs, person, d).is_some()
}

/// The absence of `person` that covers day `d`, if any.
pub fn covering(abs: &[Absence], person: i32, d: NaiveDate) -> Option<i32> {
    abs.iter()
        .find(|a| a.person_id == person && a.start_date <= d && d <= a.end_date)
        .map(|a| a.id)
}

/// Every absence that covers day `d` (anyone's).
pub fn absences_on(conn: &mut DbConn, d: NaiveDate) -> Result<Vec<Absence>, AppError> {
    Ok(absences::table
        .filter(absences::start_date.le(d))
        .filter(absences::end_date.ge(d))
        .select(Absence::as_select())
        .load(conn)?)
}

/// Brings one person's standing meals in line on the given (editable) days: a meal where the
/// standing order wants one and the person has no row for the day; standing meals that are no
/// longer wanted are cancelled. Meals the person chose or cancelled themselves are left alone.
pub fn sync_person(
    conn: &mut DbConn,
    person: i32,
    days: &[OpenDay],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let Some(first) = days.first().map(|d| d.day) else {
        return Ok(0);
    };
    let last = days.last().map(|d| d.day).unwrap_or(first);
    store::lock_person_days(conn, Some((first, last)), person)?;
    let standing = standing_of(conn, person)?;
    let abs = absences_of(conn, person, first)?;
    let gone = crate::people::store::meals_end(conn, person, first)?;
    let existing: HashMap<NaiveDate, Order> = orders_of(conn, person, first, last)?
        .into_iter()
        .map(|o| (o.service_date, o))
        .collect();
    let by = By::new(None, Source::Standing);
    let mut n = 0;
    for OpenDay {
        day: d,
        options: opts,
        standing_as,
    } in days
    {
        let wants = standing
            .as_ref()
            .and_then(|s| s.wants(*d, *standing_as))
            .filter(|_| !absent(&abs, person, *d) && gone.is_none_or(|g| *d < g));
        match (existing.get(d), wants) {
            (None, Some(veg)) => {
                let refs: Vec<_> = opts.iter().map(MealOption::as_ref).collect();
                if let Some(id) = rules::pick_option(&refs, veg) {
                    let opt = opts.iter().find(|o| o.id == id);
                    if let Some(opt) = opt {
                        if fits(conn, opt)? {
                            let m = MealChange::new(person, *d, None, Change::Order).option(opt);
                            n += usize::from(transition::meal(conn, &m, &by, now)?.is_ok());
                        }
                    }
                }
            }
            // The standing order's vegetarian choice changed: the meals it booked follow it.
            (Some(o), Some(veg)) if o.source == "standing" && o.status == ORDERED => {
                let current = opts.iter().find(|x| x.id == o.option_id);
                if current.is_some_and(|c| c.vegetarian != veg) {
                    let refs: Vec<_> = opts.iter().map(MealOption::as_ref).collect();
                    let pick = rules::pick_option(&refs, veg)
                        .filter(|id| *id != o.option_id)
                        .and_then(|id| opts.iter().find(|x| x.id == id));
                    if let Some(opt) = pick {
                        if fits(conn, opt)? {
                            let m = MealChange::new(person, *d, Some(o), Change::Order).option(opt);
                            n += usize::from(transition::meal(conn, &m, &by, now)?.is_ok());
                        }
                    }
                }
            }
            (Some(o), None) if o.source == "standing" && o.status == ORDERED => {
                // Away that day: cancelled for the absence (it comes back with it); otherwise
                // the person changed their standing order.
                let m = match covering(&abs, person, *d) {
                    Some(a) => MealChange::new(person, *d, Some(o), Change::Cancel(Cause::Absence))
                        .cause_ref(a),
                    None => MealChange::new(person, *d, Some(o), Change::Cancel(Cause::Person)),
                };
                n += usize::from(transition::meal(conn, &m, &by, now)?.is_ok());
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
    standing_as: NaiveDate,
    opts: &[MealOption],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let standing = all_standing(conn)?;
    let gone = crate::people::store::off_meals_on(conn, day)?;
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
    // Take the day's option locks up front, in id order (the order every writer uses), so a
    // publish never deadlocks with a staff member's submission on PostgreSQL.
    let mut ids: Vec<i32> = opts
        .iter()
        .filter(|o| o.capacity.is_some())
        .map(|o| o.id)
        .collect();
    ids.sort_unstable();
    for id in ids {
        store::lock(conn, LOCK_OPTION, id)?;
    }
    let mut n = 0;
    for (person, s) in standing {
        if have.contains(&person) || gone.contains(&person) || absent(&abs, person, day) {
            continue;
        }
        let Some(veg) = s.wants(day, standing_as) else {
            continue;
        };
        let Some(opt) =
            rules::pick_option(&refs, veg).and_then(|id| opts.iter().find(|o| o.id == id))
        else {
            continue;
        };
        if fits(conn, opt)? {
            let by = By::new(None, Source::Standing);
            let m = MealChange::new(person, day, None, Change::Order).option(opt);
            n += usize::from(transition::meal(conn, &m, &by, now)?.is_ok());
        }
    }
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
    for d in editable_days(conn, now, s)? {
        if !d.options.is_empty() {
            store::lock_days(conn, d.day, d.day, true)?;
            n += materialize_day(conn, d.day, d.standing_as, &d.options, nowt)?;
        }
    }
    Ok(n)
}
