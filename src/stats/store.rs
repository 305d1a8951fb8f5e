//! The reads the standard reports stand on. Each returns counts grouped in SQL (never the raw
//! rows of a year of meals), so that the reports can later read the same shape from summary
//! tables without changing.

use crate::accounting::store::{self as accounting, Line};
use crate::db::schema::{
    eligibility, meal_options, orders, persons, ratings, stat_eaters, stat_meals, walk_ins,
    waste_log,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::stats::filters::{month_bounds, month_key};
use chrono::{Datelike, NaiveDate};
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
    Ok(summed(conn, from, to, "order")?
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

/// (day, unit, vegetarian, status, count) of one kind of meal, from the summary table.
type Summed = (NaiveDate, Option<i32>, bool, String, i64);

/// The summary's rows plus the changes not folded into it yet (`stat_meal_deltas`, written by
/// PostgreSQL's triggers; empty on SQLite), added up in one statement: one snapshot, so a fold
/// running at the same time moves counts from one table to the other unseen.
fn summed(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    kind: &str,
) -> Result<Vec<Summed>, AppError> {
    use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text};
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Date)]
        day: NaiveDate,
        #[diesel(sql_type = Integer)]
        unit_key: i32,
        #[diesel(sql_type = Bool)]
        vegetarian: bool,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Nullable<BigInt>)]
        n: Option<i64>,
    }
    // Numbered parameters, each bound once: `$n` on PostgreSQL, `?n` on SQLite.
    let p = match crate::db::backend_of(conn) {
        crate::db::Backend::Postgres => '$',
        crate::db::Backend::Sqlite => '?',
    };
    let rows: Vec<R> = diesel::sql_query(format!(
        "SELECT s.service_date AS day, s.unit_key AS unit_key, o.vegetarian AS vegetarian, \
           s.status AS status, CAST(SUM(s.n) AS BIGINT) AS n \
         FROM (SELECT service_date, unit_key, option_id, status, n FROM stat_meals \
               WHERE kind = {p}1 AND service_date BETWEEN {p}2 AND {p}3 \
               UNION ALL \
               SELECT service_date, unit_key, option_id, status, n FROM stat_meal_deltas \
               WHERE kind = {p}1 AND service_date BETWEEN {p}2 AND {p}3) s \
         JOIN meal_options o ON o.id = s.option_id \
         GROUP BY s.service_date, s.unit_key, o.vegetarian, s.status"
    ))
    .bind::<Text, _>(kind)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let unit = (r.unit_key != 0).then_some(r.unit_key);
            (r.day, unit, r.vegetarian, r.status, r.n.unwrap_or(0))
        })
        .filter(|r| r.4 != 0)
        .collect())
}

/// PostgreSQL: moves the meal changes written since the last fold into `stat_meals`, in one
/// transaction, when no other server is folding (`pg_try_advisory_xact_lock`). Readers add
/// both tables in one statement, so what they see does not change. The number of summary
/// rows written (0 on SQLite, whose triggers write `stat_meals` directly).
pub fn fold_meal_deltas(conn: &mut DbConn) -> Result<usize, AppError> {
    use diesel::sql_types::Bool;
    if crate::db::backend_of(conn) != crate::db::Backend::Postgres {
        return Ok(0);
    }
    #[derive(QueryableByName)]
    struct Got {
        #[diesel(sql_type = Bool)]
        got: bool,
    }
    let lock: Got = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1, 0) AS got")
        .bind::<diesel::sql_types::Integer, _>(crate::canteen::menu::store::LOCK_STATS_FOLD)
        .get_result(conn)?;
    if !lock.got {
        return Ok(0);
    }
    Ok(diesel::sql_query(
        "WITH moved AS (DELETE FROM stat_meal_deltas \
           RETURNING service_date, unit_key, option_id, kind, status, n) \
         INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n) \
         SELECT service_date, unit_key, option_id, kind, status, CAST(SUM(n) AS INTEGER) \
         FROM moved GROUP BY service_date, unit_key, option_id, kind, status \
         ORDER BY service_date, unit_key, option_id, kind, status \
         ON CONFLICT (service_date, unit_key, option_id, kind, status) \
         DO UPDATE SET n = stat_meals.n + EXCLUDED.n",
    )
    .execute(conn)?)
}

/// (day, unit, vegetarian, count)
pub type WalkInCount = (NaiveDate, Option<i32>, bool, i64);

/// Walk-ins served (not voided) per day, unit and diet.
pub fn walk_in_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WalkInCount>, AppError> {
    Ok(summed(conn, from, to, "walk_in")?
        .into_iter()
        .filter(|r| r.3 == crate::canteen::ordering::SERVED)
        .map(|(d, u, v, _, n)| (d, u, v, n))
        .collect())
}

/// Guest meals booked (not cancelled) per day and the host's unit.
pub fn guest_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, Option<i32>, i64)>, AppError> {
    let mut out: Vec<(NaiveDate, Option<i32>, i64)> = Vec::new();
    for (d, u, _, s, n) in summed(conn, from, to, "guest")? {
        if s == crate::canteen::ordering::CANCELLED {
            continue;
        }
        match out.iter_mut().find(|x| x.0 == d && x.1 == u) {
            Some(x) => x.2 += n,
            None => out.push((d, u, n)),
        }
    }
    Ok(out)
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

/// (unit, working now, the day the status changed)
pub type StaffStatus = (Option<i32>, bool, Option<NaiveDate>);

/// Staff on the books in a period starting on `from`: working now, or gone (left, retired,
/// died) on or after its first day; contractors included, those gone before it not. (A
/// person record has no hiring date: everyone working counts for every period.)
pub fn on_books(s: &StaffStatus, from: NaiveDate) -> bool {
    s.1 || s.2.is_some_and(|d| d >= from)
}

/// Everyone [`on_books`] of any period starting on or after `from` (a month's staff are
/// those of them on the books of that month).
pub fn staff_since(conn: &mut DbConn, from: NaiveDate) -> Result<Vec<StaffStatus>, AppError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    Ok(persons::table
        .filter(
            persons::status
                .eq("working")
                .or(persons::status_date.ge(from)),
        )
        .select((
            persons::unit_id,
            sql::<Bool>("status = 'working'"),
            persons::status_date,
        ))
        .load(conn)?)
}

/// Staff [`on_books`] of the period starting on `from`, per unit.
pub fn working_staff(
    conn: &mut DbConn,
    from: NaiveDate,
) -> Result<Vec<(Option<i32>, i64)>, AppError> {
    Ok(per_unit(
        staff_since(conn, from)?
            .iter()
            .filter(|s| on_books(s, from))
            .map(|s| s.0),
    ))
}

/// People counted per unit.
pub fn per_unit(units: impl Iterator<Item = Option<i32>>) -> Vec<(Option<i32>, i64)> {
    let mut out: Vec<(Option<i32>, i64)> = Vec::new();
    for unit in units {
        match out.iter_mut().find(|(u, _)| *u == unit) {
            Some(x) => x.1 += 1,
            None => out.push((unit, 1)),
        }
    }
    out
}

/// Eaters per month and unit of whole months (`yyyy-mm`), counted by the database: (month,
/// unit, eaters) — [`eaters_of_month`] for several months in one query.
pub fn eaters_of_months(
    conn: &mut DbConn,
    months: &[String],
) -> Result<Vec<(String, Option<i32>, i64)>, AppError> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    Ok(stat_eaters::table
        .filter(stat_eaters::month.eq_any(months))
        .filter(stat_eaters::meals.gt(0))
        .group_by((stat_eaters::month, stat_eaters::unit_key))
        .select((stat_eaters::month, stat_eaters::unit_key, count_star()))
        .load::<(String, i32, i64)>(conn)?
        .into_iter()
        .map(|(m, u, n)| (m, (u != 0).then_some(u), n))
        .collect())
}

/// Of these people, those with a meal served in each of these whole months: (month, person).
pub fn ate_in_months(
    conn: &mut DbConn,
    months: &[String],
    people: &[i32],
) -> Result<Vec<(String, i32)>, AppError> {
    let mut out = Vec::new();
    if months.is_empty() {
        return Ok(out);
    }
    for chunk in people.chunks(500) {
        out.extend(
            stat_eaters::table
                .filter(stat_eaters::month.eq_any(months))
                .filter(stat_eaters::meals.gt(0))
                .filter(stat_eaters::person_id.eq_any(chunk))
                .select((stat_eaters::month, stat_eaters::person_id))
                .load::<(String, i32)>(conn)?,
        );
    }
    Ok(out)
}

/// The month `from..=to` is, when it is one whole month (`yyyy-mm`).
pub fn one_month(from: NaiveDate, to: NaiveDate) -> Option<String> {
    let (first, last) = month_bounds(from);
    (first == from && last == to).then(|| month_key(first))
}

/// Eaters per unit of one whole month, counted by the database: the summary of eaters holds a
/// person once per month, so this is [`eater_ids`] counted per unit, without anyone's row.
pub fn eaters_of_month(
    conn: &mut DbConn,
    month: &str,
) -> Result<Vec<(Option<i32>, i64)>, AppError> {
    Ok(eaters_of_months(conn, &[month.to_string()])?
        .into_iter()
        .map(|(_, u, n)| (u, n))
        .collect())
}

/// People with at least one meal served (ordered ahead and served, or walked in) in the
/// period, with their unit, each once. Whole months are read from the summary of eaters;
/// the days of a month the period covers only in part, from the meals.
pub fn eater_ids(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i32, Option<i32>)>, AppError> {
    let mut whole: Vec<String> = Vec::new();
    let mut partial: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut m = from.with_day(1).unwrap_or(from);
    while m <= to {
        let (first, last) = month_bounds(m);
        if first >= from && last <= to {
            whole.push(crate::stats::filters::month_key(first));
        } else {
            partial.push((first.max(from), last.min(to)));
        }
        m = last + chrono::Duration::days(1);
    }
    let mut ids: Vec<(i32, Option<i32>)> = stat_eaters::table
        .filter(stat_eaters::month.eq_any(&whole))
        .filter(stat_eaters::meals.gt(0))
        .select((stat_eaters::person_id, stat_eaters::unit_key))
        .distinct()
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .map(|(p, u)| (p, (u != 0).then_some(u)))
        .collect();
    for (a, b) in partial {
        ids.extend(eaters_raw(conn, a, b)?);
    }
    ids.sort_unstable();
    ids.dedup_by_key(|x| x.0);
    Ok(ids)
}

/// Eaters of a few days, from the meals themselves.
fn eaters_raw(
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
    Ok(ids)
}

/// Eaters (see `eater_ids`) per unit.
pub fn eaters(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Option<i32>, i64)>, AppError> {
    if let Some(month) = one_month(from, to) {
        return eaters_of_month(conn, &month);
    }
    Ok(per_unit(
        eater_ids(conn, from, to)?.into_iter().map(|x| x.1),
    ))
}

/// A month's subsidy lines: the stored ones of a closed month (what was signed), else the
/// split as it stands today. The flag says whether the month is closed.
pub fn month_lines(conn: &mut DbConn, first: NaiveDate) -> Result<(Vec<Line>, bool), AppError> {
    let key = month_key(first);
    if accounting::closed(conn, &key)?.is_some() {
        return Ok((accounting::stored(conn, &key)?, true));
    }
    Ok((accounting::compute_sums(conn, first)?, false))
}

/// Person → unit, for the people of a set of lines.
pub fn units_of_people(conn: &mut DbConn) -> Result<Vec<(i32, Option<i32>)>, AppError> {
    Ok(persons::table
        .select((persons::id, persons::unit_id))
        .load(conn)?)
}

/// (person, band, valid from, valid to)
pub type Band = (i32, String, NaiveDate, Option<NaiveDate>);

/// Whether a decision is in force on any day of `from..=to` (the rule [`eligibility_in`]
/// reads by).
pub fn overlaps(b: &Band, from: NaiveDate, to: NaiveDate) -> bool {
    b.2 <= to && b.3.is_none_or(|t| t >= from)
}

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

// The reports group by columns of joined tables; diesel needs each pair declared once.
diesel::allow_columns_to_appear_in_same_group_by_clause!(orders::service_date, meal_options::name);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    stat_meals::service_date,
    meal_options::vegetarian
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    stat_meals::unit_key,
    meal_options::vegetarian
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    stat_meals::status,
    meal_options::vegetarian
);

/// Supplier invoices per accounting month ("yyyy-mm", total).
pub fn invoiced(conn: &mut DbConn, months: &[String]) -> Result<Vec<(String, i64)>, AppError> {
    use crate::db::schema::supplier_invoices;
    // A few invoices a month: summed here (a SQL SUM of BIGINT is NUMERIC on PostgreSQL).
    Ok(supplier_invoices::table
        .filter(supplier_invoices::month.eq_any(months))
        .select((supplier_invoices::month, supplier_invoices::total_vnd))
        .load(conn)?)
}
