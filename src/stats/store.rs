//! The reads the standard reports stand on. Each returns counts grouped in SQL (never the raw
//! rows of a year of meals), so that the reports can later read the same shape from summary
//! tables without changing.

use crate::accounting::store::{self as accounting, Line};
use crate::db::schema::{
    benefit_types, eligibility, guest_meals, meal_options, month_closes, orders, organisations,
    persons, ratings, units, walk_ins, waste_log, welfare_cases,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::stats::filters::{month_bounds, month_key};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;

/// Meals ordered ahead on a day, by the eater's unit, the option's diet and the order's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MealCount {
    pub day: NaiveDate,
    pub unit: Option<i32>,
    pub vegetarian: bool,
    pub status: String,
    pub n: i64,
}

pub fn meal_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MealCount>, AppError> {
    let rows: Vec<(NaiveDate, Option<i32>, bool, String, i64)> = orders::table
        .inner_join(persons::table.on(persons::id.eq(orders::person_id)))
        .inner_join(meal_options::table.on(meal_options::id.eq(orders::option_id)))
        .filter(orders::service_date.between(from, to))
        .group_by((
            orders::service_date,
            persons::unit_id,
            meal_options::vegetarian,
            orders::status,
        ))
        .select((
            orders::service_date,
            persons::unit_id,
            meal_options::vegetarian,
            orders::status,
            count_star(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(day, unit, vegetarian, status, n)| MealCount {
            day,
            unit,
            vegetarian,
            status,
            n,
        })
        .collect())
}

/// (day, unit, vegetarian, count)
pub type WalkInCount = (NaiveDate, Option<i32>, bool, i64);

/// Walk-ins served (not voided) per day, unit and diet.
pub fn walk_in_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WalkInCount>, AppError> {
    Ok(walk_ins::table
        .inner_join(persons::table.on(persons::id.eq(walk_ins::person_id)))
        .inner_join(meal_options::table.on(meal_options::id.eq(walk_ins::option_id)))
        .filter(walk_ins::service_date.between(from, to))
        .filter(walk_ins::status.eq(crate::canteen::ordering::SERVED))
        .group_by((
            walk_ins::service_date,
            persons::unit_id,
            meal_options::vegetarian,
        ))
        .select((
            walk_ins::service_date,
            persons::unit_id,
            meal_options::vegetarian,
            count_star(),
        ))
        .load(conn)?)
}

/// Guest meals booked (not cancelled) per day and the host's unit.
pub fn guest_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, Option<i32>, i64)>, AppError> {
    let rows: Vec<(NaiveDate, Option<i32>, Option<i64>)> = guest_meals::table
        .inner_join(persons::table.on(persons::id.eq(guest_meals::person_id)))
        .filter(guest_meals::service_date.between(from, to))
        .filter(guest_meals::status.ne(crate::canteen::ordering::CANCELLED))
        .group_by((guest_meals::service_date, persons::unit_id))
        .select((
            guest_meals::service_date,
            persons::unit_id,
            sum(guest_meals::guests),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, u, n)| (d, u, n.unwrap_or(0)))
        .collect())
}

/// Portions prepared and left over, per day logged.
pub fn waste(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i64, i64)>, AppError> {
    let rows: Vec<(NaiveDate, i32, i32)> = waste_log::table
        .filter(waste_log::service_date.between(from, to))
        .select((
            waste_log::service_date,
            waste_log::prepared,
            waste_log::leftover,
        ))
        .order(waste_log::service_date.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, p, l)| (d, i64::from(p), i64::from(l)))
        .collect())
}

/// Ratings per option name and day: (day, option, count, sum of scores). Names never.
pub fn ratings_by_option(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String, i64, i64)>, AppError> {
    let rows: Vec<(NaiveDate, String, i64, Option<i64>)> = ratings::table
        .inner_join(orders::table.on(orders::id.eq(ratings::order_id)))
        .inner_join(meal_options::table.on(meal_options::id.eq(orders::option_id)))
        .filter(orders::service_date.between(from, to))
        .group_by((orders::service_date, meal_options::name))
        .select((
            orders::service_date,
            meal_options::name,
            count_star(),
            sum(ratings::score),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, n, c, s)| (d, n, c, s.unwrap_or(0)))
        .collect())
}

/// Staff on the books at some time in the period, per unit: working now, or gone (left,
/// retired, died) on or after its first day; contractors included, retirees before it not.
pub fn working_staff(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Option<i32>, i64)>, AppError> {
    let created_by = to.and_hms_opt(23, 59, 59).unwrap_or_default();
    Ok(persons::table
        .filter(persons::created_at.le(created_by))
        .filter(
            persons::status
                .eq("working")
                .or(persons::status_date.ge(from)),
        )
        .group_by(persons::unit_id)
        .select((persons::unit_id, count_star()))
        .load(conn)?)
}

/// People with at least one meal served (ordered ahead and served, or walked in) in the
/// period, with their unit, each once.
pub fn eater_ids(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i32, Option<i32>)>, AppError> {
    let mut ids: Vec<(i32, Option<i32>)> = orders::table
        .inner_join(persons::table.on(persons::id.eq(orders::person_id)))
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.eq(crate::canteen::ordering::SERVED))
        .select((orders::person_id, persons::unit_id))
        .distinct()
        .load(conn)?;
    let walked: Vec<(i32, Option<i32>)> = walk_ins::table
        .inner_join(persons::table.on(persons::id.eq(walk_ins::person_id)))
        .filter(walk_ins::service_date.between(from, to))
        .filter(walk_ins::status.eq(crate::canteen::ordering::SERVED))
        .select((walk_ins::person_id, persons::unit_id))
        .distinct()
        .load(conn)?;
    ids.extend(walked);
    ids.sort_unstable();
    ids.dedup_by_key(|x| x.0);
    Ok(ids)
}

/// Eaters (see `eater_ids`) per unit.
pub fn eaters(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Option<i32>, i64)>, AppError> {
    let ids = eater_ids(conn, from, to)?;
    let mut out: Vec<(Option<i32>, i64)> = Vec::new();
    for (_, unit) in ids {
        match out.iter_mut().find(|(u, _)| *u == unit) {
            Some(x) => x.1 += 1,
            None => out.push((unit, 1)),
        }
    }
    Ok(out)
}

/// Units as (id, parent, code, name).
pub type UnitRow = (i32, Option<i32>, String, String);

pub fn units(conn: &mut DbConn) -> Result<Vec<UnitRow>, AppError> {
    Ok(units::table
        .select((units::id, units::parent_id, units::code, units::name))
        .order(units::code.asc())
        .load(conn)?)
}

/// A month's subsidy lines: the stored ones of a closed month (what was signed), else the
/// split as it stands today. The flag says whether the month is closed.
pub fn month_lines(conn: &mut DbConn, first: NaiveDate) -> Result<(Vec<Line>, bool), AppError> {
    let key = month_key(first);
    if accounting::closed(conn, &key)?.is_some() {
        return Ok((accounting::stored(conn, &key)?, true));
    }
    Ok((accounting::compute(conn, first)?.0, false))
}

/// The totals a closed month stored when it was closed: (subsidy, staff share).
pub fn closed_totals(conn: &mut DbConn, month: &str) -> Result<Option<(i64, i64)>, AppError> {
    Ok(month_closes::table
        .find(month)
        .select((month_closes::subsidy_vnd, month_closes::staff_vnd))
        .first(conn)
        .optional()?)
}

/// Person → unit, for the people of a set of lines.
pub fn units_of_people(conn: &mut DbConn) -> Result<Vec<(i32, Option<i32>)>, AppError> {
    Ok(persons::table
        .select((persons::id, persons::unit_id))
        .load(conn)?)
}

/// (person, band, valid from, valid to)
pub type Band = (i32, String, NaiveDate, Option<NaiveDate>);

/// Eligibility decisions overlapping the period: (person, band, from, to).
pub fn eligibility_in(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Band>, AppError> {
    Ok(eligibility::table
        .filter(eligibility::valid_from.le(to))
        .filter(
            eligibility::valid_to
                .is_null()
                .or(eligibility::valid_to.ge(from)),
        )
        .select((
            eligibility::person_id,
            eligibility::band,
            eligibility::valid_from,
            eligibility::valid_to,
        ))
        .load(conn)?)
}

/// A welfare case for the reports: benefit, organisation of its fund, state, money, dates.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub benefit: String,
    pub benefit_kind: String,
    pub fund: i32,
    pub state: String,
    pub amount: i64,
    pub event_date: NaiveDate,
    pub reported_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
}

/// Cases whose event or payment falls in the period (benefit names, never people). The
/// payment's business day is decided by the report (`clock::business_date_of`).
pub fn cases(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> Result<Vec<CaseRow>, AppError> {
    // Paid on the business day `from` at the earliest: a day before in UTC covers it.
    let paid_from = (from - chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let paid_to = (to + chrono::Duration::days(1))
        .and_hms_opt(23, 59, 59)
        .unwrap_or_default();
    type R = (
        String,
        String,
        i32,
        String,
        i64,
        NaiveDate,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<R> = welfare_cases::table
        .inner_join(benefit_types::table.on(benefit_types::id.eq(welfare_cases::benefit_type_id)))
        .filter(
            welfare_cases::event_date
                .between(from, to)
                .or(welfare_cases::paid_at.between(paid_from, paid_to)),
        )
        .select((
            benefit_types::name,
            benefit_types::kind,
            benefit_types::fund_id,
            welfare_cases::state,
            welfare_cases::amount_vnd,
            welfare_cases::event_date,
            welfare_cases::reported_at,
            welfare_cases::paid_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(benefit, benefit_kind, fund, state, amount, event_date, reported_at, paid_at)| {
                CaseRow {
                    benefit,
                    benefit_kind,
                    fund,
                    state,
                    amount,
                    event_date,
                    reported_at,
                    paid_at,
                }
            },
        )
        .collect())
}

/// Organisations keeping a fund: (fund, organisation name).
pub fn fund_keepers(conn: &mut DbConn) -> Result<Vec<(i32, String)>, AppError> {
    let rows: Vec<(Option<i32>, String)> = organisations::table
        .filter(organisations::fund_id.is_not_null())
        .select((organisations::fund_id, organisations::name))
        .order(organisations::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(f, n)| f.map(|f| (f, n)))
        .collect())
}

/// (first day, lines, closed)
pub type MonthLines = (NaiveDate, Vec<Line>, bool);

/// Every month of the period with its lines (closed months as stored).
pub fn lines_by_month(
    conn: &mut DbConn,
    months: &[NaiveDate],
) -> Result<Vec<MonthLines>, AppError> {
    months
        .iter()
        .map(|m| {
            let (lines, closed) = month_lines(conn, *m)?;
            Ok((month_bounds(*m).0, lines, closed))
        })
        .collect()
}

// The reports group by columns of joined tables; diesel needs each pair declared once.
diesel::allow_columns_to_appear_in_same_group_by_clause!(orders::service_date, persons::unit_id);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    orders::service_date,
    meal_options::vegetarian
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(orders::status, persons::unit_id);
diesel::allow_columns_to_appear_in_same_group_by_clause!(orders::status, meal_options::vegetarian);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    persons::unit_id,
    meal_options::vegetarian
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(walk_ins::service_date, persons::unit_id);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    walk_ins::service_date,
    meal_options::vegetarian
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    guest_meals::service_date,
    persons::unit_id
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(orders::service_date, meal_options::name);
