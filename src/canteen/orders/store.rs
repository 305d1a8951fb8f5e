//! Orders: one meal per person per day (a UNIQUE row that changes state, never duplicates),
//! guest meals, standing orders, absences. All diesel code of orders lives here.

use crate::canteen::rules;
use crate::canteen::states::{Cause, Change, MealStatus, Refusal, Source};
use crate::canteen::store::{self, MealOption, LOCK_OPTION};
use crate::canteen::transition::{self, By, GuestRow, MealChange, MealRow};
use crate::db::fast::{Day, Instant};
use crate::db::schema::{guest_meals, orders, walk_ins};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

pub const ORDERED: &str = "ordered";
pub const CANCELLED: &str = "cancelled";
pub const SERVED: &str = "served";
pub const NO_SHOW: &str = "no_show";

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i32,
    pub person_id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    #[diesel(deserialize_as = i64)]
    pub price_vnd: Vnd,
    pub status: String,
    pub source: String,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i32>,
    pub served_at: Option<NaiveDateTime>,
    pub served_by: Option<i32>,
    pub cancel_cause: Option<String>,
    pub cancel_ref: Option<String>,
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
    #[diesel(deserialize_as = i64)]
    pub price_vnd: Vnd,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub cancel_cause: Option<String>,
    pub cancel_ref: Option<String>,
}

/// A day's meal as the ordering grid shows it: what it needs and no more (decoding the
/// row's timestamps was a tenth of a "My week" page).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = orders)]
pub struct DayMeal {
    pub service_date: NaiveDate,
    pub option_id: i32,
    #[diesel(deserialize_as = i64)]
    pub price_vnd: Vnd,
    pub status: String,
}

/// A day's guests as the ordering grid shows them.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = guest_meals)]
pub struct DayGuests {
    pub service_date: NaiveDate,
    pub option_id: i32,
    pub guests: i32,
    pub status: String,
}

/// Everything of one person the ordering grid reads, read in one statement (one round trip
/// on PostgreSQL instead of eight): the meals, guests and walk-ins of `from..=to`, the
/// absences that end on or after `from`, the person's status and allergens, their unread
/// notices, and the menu counter (`data_versions`, read in the same snapshot, so a menu copy
/// chosen by it is never older than the rows beside it).
#[derive(Clone, Debug, Default)]
pub struct PersonWeek {
    pub meals: Vec<DayMeal>,
    pub guests: Vec<DayGuests>,
    /// The walk-ins the person was served (status `served`).
    pub walk_ins: Vec<DayMeal>,
    /// (start, end, kind), by start day.
    pub absences: Vec<(NaiveDate, NaiveDate, String)>,
    /// (status, status_date) when the person exists.
    pub status: Option<(String, Option<NaiveDate>)>,
    pub allergens: String,
    /// Unread, oldest first.
    pub notices: Vec<crate::canteen::notices::Notice>,
    pub menu_version: i64,
}

/// One row of [`PersonWeekQuery`]: a tag naming its table, then columns whose meaning
/// depends on the tag (see the statement).
type PersonWeekRow = (
    String,
    Option<Day>,
    Option<Day>,
    Option<i32>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<Instant>,
);

/// The statement behind [`person_week`]: six indexed reads joined by `UNION ALL`, each row
/// tagged with its table. Written out because diesel's `union_all` needs every branch of
/// one Rust type; its text never changes, so both databases keep it prepared.
struct PersonWeekQuery<S> {
    days: PersonSpan,
    session: S,
}

/// A person and a span of days, as both per-person statements bind them. Without a person
/// (`None`), the person of the statement's session (`me`, see [`session_week`]).
struct PersonSpan {
    person: Option<i32>,
    from: Day,
    to: Day,
}

impl PersonSpan {
    fn new(person: Option<i32>, from: NaiveDate, to: NaiveDate) -> PersonSpan {
        PersonSpan {
            person,
            from: Day(from),
            to: Day(to),
        }
    }

    /// `person_id = ? AND service_date BETWEEN ? AND ?`
    fn push<'b, DB>(
        &'b self,
        out: &mut diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()>
    where
        DB: diesel::backend::Backend
            + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
            + diesel::sql_types::HasSqlType<diesel::sql_types::Date>,
        i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
        Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    {
        use diesel::sql_types::Date;
        out.push_sql("person_id = ");
        self.push_person(out)?;
        out.push_sql(" AND service_date BETWEEN ");
        out.push_bind_param::<Date, _>(&self.from)?;
        out.push_sql(" AND ");
        out.push_bind_param::<Date, _>(&self.to)
    }

    /// The person: a bound id, or the session's person.
    fn push_person<'b, DB>(
        &'b self,
        out: &mut diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()>
    where
        DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>,
        i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    {
        match &self.person {
            Some(p) => out.push_bind_param::<diesel::sql_types::Integer, _>(p),
            None => {
                out.push_sql("(SELECT person_id FROM me)");
                Ok(())
            }
        }
    }
}

/// Whether [`PersonWeekQuery`] also reads a session (the hash of its token), and takes its
/// person from it. A type each, so each text is prepared once under its own id.
trait WeekSession: 'static {
    fn token_hash(&self) -> Option<&String>;
}

/// The week of a given person.
struct NoSession;

impl WeekSession for NoSession {
    fn token_hash(&self) -> Option<&String> {
        None
    }
}

/// The week of a session's person, with the session.
struct OfSession(String);

impl WeekSession for OfSession {
    fn token_hash(&self) -> Option<&String> {
        Some(&self.0)
    }
}

impl<S: WeekSession> diesel::query_builder::QueryId for PersonWeekQuery<S> {
    type QueryId = PersonWeekQuery<S>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<S> diesel::query_builder::Query for PersonWeekQuery<S> {
    type SqlType = (
        diesel::sql_types::Text,
        diesel::sql_types::Nullable<diesel::sql_types::Date>,
        diesel::sql_types::Nullable<diesel::sql_types::Date>,
        diesel::sql_types::Nullable<diesel::sql_types::Integer>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
        diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
    );
}

impl<DB, S: WeekSession> diesel::query_builder::QueryFragment<DB> for PersonWeekQuery<S>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Date, Text};
        let hash = self.session.token_hash();
        if hash.is_none() && self.days.person.is_none() {
            return Err(diesel::result::Error::QueryBuilderError(
                "a person's week without a person or a session".into(),
            ));
        }
        if let Some(h) = hash {
            // The session, its user (as `session::load` reads them) and so its person.
            out.push_sql(
                "WITH me (id, user_id, csrf_token, created_at, last_seen_at, username, \
                 display_name, person_id, must_change_password, disabled) AS (SELECT s.id, \
                 s.user_id, s.csrf_token, s.created_at, s.last_seen_at, u.username, \
                 u.display_name, u.person_id, u.must_change_password, u.disabled \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ",
            );
            out.push_bind_param::<Text, _>(h)?;
            out.push_sql(") ");
        }
        // The first branch fixes each column's type (PostgreSQL resolves a UNION's types
        // branch by branch, and a bare NULL would be text).
        out.push_sql(
            "SELECT CAST('o' AS TEXT), service_date, CAST(NULL AS DATE), option_id, price_vnd, \
             status, CAST(NULL AS TEXT), CAST(NULL AS TIMESTAMP) FROM orders \
             WHERE ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'g', service_date, NULL, option_id, CAST(guests AS BIGINT), \
             status, NULL, NULL FROM guest_meals WHERE ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'w', service_date, NULL, option_id, price_vnd, status, NULL, \
             NULL FROM walk_ins WHERE status = 'served' AND ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'a', start_date, end_date, id, NULL, kind, NULL, NULL \
             FROM absences WHERE person_id = ",
        );
        self.days.push_person(&mut out)?;
        out.push_sql(" AND end_date >= ");
        out.push_bind_param::<Date, _>(&self.days.from)?;
        out.push_sql(
            " UNION ALL SELECT 'p', status_date, NULL, NULL, NULL, status, allergens, NULL \
             FROM persons WHERE id = ",
        );
        self.days.push_person(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'n', service_date, NULL, id, NULL, kind, detail, created_at \
             FROM notices WHERE seen_at IS NULL AND person_id = ",
        );
        self.days.push_person(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'v', NULL, NULL, NULL, version, NULL, NULL, NULL \
             FROM data_versions WHERE name = 'menu'",
        );
        if hash.is_some() {
            // 's': id, user, CSRF token, username, created; 'u': person, flags (2 must change
            // the password, 1 disabled), display name, last seen; 'r': a role each.
            out.push_sql(
                " UNION ALL SELECT 's', NULL, NULL, id, CAST(user_id AS BIGINT), csrf_token, \
                 username, created_at FROM me \
                 UNION ALL SELECT 'u', NULL, NULL, person_id, CAST(CASE WHEN \
                 must_change_password THEN 2 ELSE 0 END + CASE WHEN disabled THEN 1 ELSE 0 END \
                 AS BIGINT), display_name, NULL, last_seen_at FROM me \
                 UNION ALL SELECT 'r', NULL, NULL, NULL, NULL, role, NULL, NULL \
                 FROM user_roles WHERE user_id = (SELECT user_id FROM me)",
            );
        }
        Ok(())
    }
}

impl<Conn, S> RunQueryDsl<Conn> for PersonWeekQuery<S> {}

/// What the ordering grid of `person` reads, for the days `from..=to` (see [`PersonWeek`]).
pub fn person_week(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PersonWeek, AppError> {
    let q = PersonWeekQuery {
        days: PersonSpan::new(Some(person), from, to),
        session: NoSession,
    };
    let rows: Vec<PersonWeekRow> = crate::on_backend!(conn, |c| q.load(c))?;
    Ok(week_of_rows(rows)?.0)
}

/// The session of `token` (as [`crate::auth::session::load`] reads it) and what the ordering
/// grid of its user's person reads for `from..=to`, in one statement: My week, the page staff
/// open most, costs one round trip on PostgreSQL instead of two (#10). Without such a session,
/// or when its user has no person, the week holds only the menu counter.
pub fn session_week(
    conn: &mut DbConn,
    token: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Option<crate::auth::session::Loaded>, PersonWeek), AppError> {
    let q = PersonWeekQuery {
        days: PersonSpan::new(None, from, to),
        session: OfSession(crate::auth::session::token_hash(token)),
    };
    let rows: Vec<PersonWeekRow> = crate::on_backend!(conn, |c| q.load(c))?;
    let (week, session) = week_of_rows(rows)?;
    Ok((session, week))
}

/// Reads the rows of [`PersonWeekQuery`]; the session's rows, when it read one, make the
/// second value.
fn week_of_rows(
    rows: Vec<PersonWeekRow>,
) -> Result<(PersonWeek, Option<crate::auth::session::Loaded>), AppError> {
    use crate::auth::roles::{Role, RoleSet};
    use crate::auth::session::{Loaded, SessionRow, UserRow};
    let mut w = PersonWeek::default();
    let mut absences = Vec::new();
    let mut notices = Vec::new();
    let mut session: Option<(i32, i32, String, String, NaiveDateTime)> = None;
    let mut user: Option<(Option<i32>, i64, String, NaiveDateTime)> = None;
    let mut roles = RoleSet::empty();
    for (tag, d1, d2, i, n, t1, t2, ts) in rows {
        let (d1, d2, ts) = (d1.map(|d| d.0), d2.map(|d| d.0), ts.map(|t| t.0));
        let broken = || AppError::internal(format!("person_week: a malformed '{tag}' row"));
        match tag.as_str() {
            "s" => {
                session = Some((
                    i.ok_or_else(broken)?,
                    n.and_then(|n| i32::try_from(n).ok()).ok_or_else(broken)?,
                    t1.ok_or_else(broken)?,
                    t2.ok_or_else(broken)?,
                    ts.ok_or_else(broken)?,
                ))
            }
            "u" => {
                user = Some((
                    i,
                    n.ok_or_else(broken)?,
                    t1.ok_or_else(broken)?,
                    ts.ok_or_else(broken)?,
                ))
            }
            "r" => {
                if let Some(r) = t1.as_deref().and_then(Role::parse) {
                    roles = roles.with(r);
                }
            }
            "o" => w.meals.push(DayMeal {
                service_date: d1.ok_or_else(broken)?,
                option_id: i.ok_or_else(broken)?,
                price_vnd: Vnd::from(n.ok_or_else(broken)?),
                status: t1.ok_or_else(broken)?,
            }),
            "w" => w.walk_ins.push(DayMeal {
                service_date: d1.ok_or_else(broken)?,
                option_id: i.ok_or_else(broken)?,
                price_vnd: Vnd::from(n.ok_or_else(broken)?),
                status: t1.ok_or_else(broken)?,
            }),
            "g" => w.guests.push(DayGuests {
                service_date: d1.ok_or_else(broken)?,
                option_id: i.ok_or_else(broken)?,
                guests: n.and_then(|n| i32::try_from(n).ok()).ok_or_else(broken)?,
                status: t1.ok_or_else(broken)?,
            }),
            "a" => absences.push((
                d1.ok_or_else(broken)?,
                i.ok_or_else(broken)?,
                d2.ok_or_else(broken)?,
                t1.ok_or_else(broken)?,
            )),
            "p" => {
                w.status = Some((t1.ok_or_else(broken)?, d1));
                w.allergens = t2.unwrap_or_default();
            }
            "n" => notices.push(crate::canteen::notices::Notice {
                id: i.ok_or_else(broken)?,
                service_date: d1.ok_or_else(broken)?,
                kind: t1.ok_or_else(broken)?,
                detail: t2.ok_or_else(broken)?,
                created_at: ts.ok_or_else(broken)?,
            }),
            "v" => w.menu_version = n.ok_or_else(broken)?,
            _ => return Err(broken()),
        }
    }
    absences.sort_by_key(|a| (a.0, a.1));
    w.absences = absences.into_iter().map(|(s, _, e, k)| (s, e, k)).collect();
    notices.sort_by_key(|n| n.id);
    w.notices = notices;
    let loaded = match (session, user) {
        (Some((sid, uid, csrf, username, created)), Some((person, flags, display, seen))) => {
            let s: SessionRow = (sid, uid, csrf, Instant(created), Instant(seen));
            let u: UserRow = (username, display, person, flags & 2 != 0, flags & 1 != 0);
            Some(Loaded::from_parts(s, u, roles))
        }
        (None, None) => None,
        _ => {
            return Err(AppError::internal(
                "person_week: a session without its user, or a user without a session",
            ))
        }
    };
    Ok((w, loaded))
}

/// A day's meal as a submission checks it and changes it.
#[derive(Clone, Debug)]
pub struct MealNow {
    pub id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    pub price_vnd: Vnd,
    pub status: String,
    pub source: String,
    pub cancel_cause: Option<String>,
}

/// A day's guests as a submission checks and changes them.
#[derive(Clone, Debug)]
pub struct GuestsNow {
    pub id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    pub guests: i32,
    pub price_vnd: Vnd,
    pub status: String,
}

/// What a week submission reads of one person, after taking its locks, in one statement
/// (one round trip on PostgreSQL instead of six): the meals and guests of `from..=to` (with
/// what a change needs of them), the absences that end on or after `from`, the person's
/// status, the menu counter (read in the same snapshot, as the page reads it), how many of
/// the days' months are closed and the days the person was served a walk-in. The page reads
/// less ([`PersonWeek`]): each column a row carries costs the page (three more were a sixth
/// of its time on SQLite).
#[derive(Debug, Default)]
pub struct PersonDays {
    pub meals: Vec<MealNow>,
    pub guests: Vec<GuestsNow>,
    /// (start, end).
    pub absences: Vec<(NaiveDate, NaiveDate)>,
    /// (status, status_date) when the person exists.
    pub status: Option<(String, Option<NaiveDate>)>,
    pub menu_version: i64,
    pub closed_months: i64,
    /// The days the person was served a walk-in.
    pub walked_in: Vec<NaiveDate>,
}

impl PersonDays {
    /// Whether one of the person's absences covers `day`.
    pub fn absent_on(&self, day: NaiveDate) -> bool {
        self.absences.iter().any(|(s, e)| *s <= day && day <= *e)
    }
}

/// One row of [`PersonDaysQuery`], as [`PersonWeekRow`].
type PersonDaysRow = (
    String,
    Option<Day>,
    Option<Day>,
    Option<i32>,
    Option<i32>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The statement behind [`person_days`], written out as [`PersonWeekQuery`] is.
struct PersonDaysQuery {
    days: PersonSpan,
    /// The month of the span's first day: the span is closed when it or any later month is
    /// (`periods::ensure_open_range`).
    first_month: String,
}

impl diesel::query_builder::QueryId for PersonDaysQuery {
    type QueryId = PersonDaysQuery;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for PersonDaysQuery {
    type SqlType = (
        diesel::sql_types::Text,
        diesel::sql_types::Nullable<diesel::sql_types::Date>,
        diesel::sql_types::Nullable<diesel::sql_types::Date>,
        diesel::sql_types::Nullable<diesel::sql_types::Integer>,
        diesel::sql_types::Nullable<diesel::sql_types::Integer>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
    );
}

impl<DB> diesel::query_builder::QueryFragment<DB> for PersonDaysQuery
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Date, Text};
        // Columns: tag, d1, d2, i1, i2, n1, n2, t1, t2, t3; the first branch fixes the types.
        out.push_sql(
            "SELECT CAST('o' AS TEXT), service_date, CAST(NULL AS DATE), option_id, id, \
             price_vnd, CAST(NULL AS BIGINT), status, source, cancel_cause FROM orders WHERE ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'g', service_date, NULL, option_id, id, CAST(guests AS BIGINT), \
             price_vnd, status, NULL, NULL FROM guest_meals WHERE ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'a', start_date, end_date, NULL, NULL, NULL, NULL, NULL, NULL, \
             NULL FROM absences WHERE person_id = ",
        );
        self.days.push_person(&mut out)?;
        out.push_sql(" AND end_date >= ");
        out.push_bind_param::<Date, _>(&self.days.from)?;
        out.push_sql(
            " UNION ALL SELECT 'p', status_date, NULL, NULL, NULL, NULL, NULL, status, NULL, \
             NULL FROM persons WHERE id = ",
        );
        self.days.push_person(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'w', service_date, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
             NULL FROM walk_ins WHERE status = 'served' AND ",
        );
        self.days.push(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT 'v', NULL, NULL, NULL, NULL, version, NULL, NULL, NULL, NULL \
             FROM data_versions WHERE name = 'menu' \
             UNION ALL SELECT 'm', NULL, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL, NULL \
             FROM periods WHERE month >= ",
        );
        out.push_bind_param::<Text, _>(&self.first_month)?;
        out.push_sql(" AND state <> 'open'");
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for PersonDaysQuery {}

/// What a week submission for `person` reads about the days `from..=to` (see [`PersonDays`]).
pub fn person_days(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PersonDays, AppError> {
    let q = PersonDaysQuery {
        days: PersonSpan::new(Some(person), from, to),
        first_month: crate::periods::month_key(from),
    };
    let rows: Vec<PersonDaysRow> = crate::on_backend!(conn, |c| q.load(c))?;
    let mut p = PersonDays::default();
    for (tag, d1, d2, i1, i2, n1, n2, t1, t2, t3) in rows {
        let (d1, d2) = (d1.map(|d| d.0), d2.map(|d| d.0));
        let broken = || AppError::internal(format!("person_days: a malformed '{tag}' row"));
        match tag.as_str() {
            "o" => p.meals.push(MealNow {
                id: i2.ok_or_else(broken)?,
                service_date: d1.ok_or_else(broken)?,
                option_id: i1.ok_or_else(broken)?,
                price_vnd: Vnd::from(n1.ok_or_else(broken)?),
                status: t1.ok_or_else(broken)?,
                source: t2.ok_or_else(broken)?,
                cancel_cause: t3,
            }),
            "g" => p.guests.push(GuestsNow {
                id: i2.ok_or_else(broken)?,
                service_date: d1.ok_or_else(broken)?,
                option_id: i1.ok_or_else(broken)?,
                guests: n1.and_then(|n| i32::try_from(n).ok()).ok_or_else(broken)?,
                price_vnd: Vnd::from(n2.ok_or_else(broken)?),
                status: t1.ok_or_else(broken)?,
            }),
            "a" => p
                .absences
                .push((d1.ok_or_else(broken)?, d2.ok_or_else(broken)?)),
            "p" => p.status = Some((t1.ok_or_else(broken)?, d1)),
            "v" => p.menu_version = n1.ok_or_else(broken)?,
            "m" => p.closed_months = n1.ok_or_else(broken)?,
            "w" => p.walked_in.push(d1.ok_or_else(broken)?),
            _ => return Err(broken()),
        }
    }
    Ok(p)
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
        .get_result(conn)
        .optional()?)
}

/// The days from `from` on where the person has a meal row or a guest row (any state).
pub fn days_with_rows_from(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
) -> Result<Vec<NaiveDate>, AppError> {
    let mut days: Vec<NaiveDate> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.ge(from))
        .select(orders::service_date)
        .load(conn)?;
    days.extend(
        guest_meals::table
            .filter(guest_meals::person_id.eq(person))
            .filter(guest_meals::service_date.ge(from))
            .select(guest_meals::service_date)
            .load::<NaiveDate>(conn)?,
    );
    days.sort_unstable();
    days.dedup();
    Ok(days)
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
        .get_result(conn)?;
    let walk_ins: i64 = walk_ins::table
        .filter(walk_ins::option_id.eq(option_id))
        .filter(walk_ins::status.eq(SERVED))
        .count()
        .get_result(conn)?;
    Ok(meals + guests.unwrap_or(0) + walk_ins)
}

/// The people who eat an option: an active meal of it, or guests on it.
pub fn eaters_of_option(conn: &mut DbConn, option_id: i32) -> Result<Vec<i32>, AppError> {
    let mut people: Vec<i32> = orders::table
        .filter(orders::option_id.eq(option_id))
        .filter(orders::status.eq(ORDERED))
        .select(orders::person_id)
        .load(conn)?;
    let hosts: Vec<i32> = guest_meals::table
        .filter(guest_meals::option_id.eq(option_id))
        .filter(guest_meals::status.eq(ORDERED))
        .select(guest_meals::person_id)
        .load(conn)?;
    people.extend(hosts);
    people.sort_unstable();
    people.dedup();
    Ok(people)
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
    let walked: Vec<i32> = walk_ins::table
        .filter(walk_ins::option_id.eq_any(ids))
        .filter(walk_ins::status.eq(SERVED))
        .select(walk_ins::option_id)
        .load(conn)?;
    for id in walked {
        *out.entry(id).or_default() += 1;
    }
    Ok(out)
}

/// What a week page showed for one day when it was loaded: the option (None: no meal) and the
/// guest count. A submission changes only what the person changed on that page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown {
    pub option_id: Option<i32>,
    pub guests: i32,
    /// The guests' option, when the page offered a choice.
    pub guest_option: Option<i32>,
}

/// One day's wish in a submission: the option (None: no meal), the guest count, what the page
/// showed (None: the form did not say, e.g. a client that is not the week page) and whether
/// the person confirmed ordering on a day of their declared absence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    pub day: NaiveDate,
    pub option_id: Option<i32>,
    pub guests: i32,
    pub shown: Option<Shown>,
    /// The option the guests eat, when the form chose one (otherwise what guests already
    /// booked eat; for new guests the host's, or the day's first when the host does not eat).
    pub guest_option: Option<i32>,
    pub confirmed: bool,
    /// The mark of the day's options as the page showed them (None: the form did not say).
    pub menu_mark: Option<String>,
}

impl Wish {
    /// The option the person wants now: what they chose if they changed it on the page,
    /// otherwise whatever is stored (`current`), even if it changed elsewhere since.
    fn option_given(&self, current: Option<i32>) -> Option<i32> {
        match self.shown {
            Some(s) if s.option_id == self.option_id => current,
            _ => self.option_id,
        }
    }
    fn guests_given(&self, current: i32) -> i32 {
        match self.shown {
            Some(s) if s.guests == self.guests => current,
            _ => self.guests,
        }
    }
    /// The guests' option the person asked for: None when the form did not choose one or the
    /// person left it as the page showed it. On a day the page showed without guests the list
    /// only held a default (what the host eats): it is a choice only together with guests
    /// asked for on the page, not when the guest count was left alone — otherwise a page
    /// opened earlier would switch guests added since (in another tab, by the kitchen) to
    /// that default.
    fn guest_option_given(&self) -> Option<i32> {
        match self.shown {
            Some(s) if s.guest_option.is_some() => {
                (s.guest_option != self.guest_option).then_some(self.guest_option)?
            }
            Some(s) if s.guests == self.guests => None,
            _ => self.guest_option,
        }
    }
}

pub struct Who {
    pub person_id: i32,
    pub by_user: Option<i32>,
    pub source: Source,
}

impl Who {
    pub fn by(&self) -> By<'static> {
        By::new(self.by_user, self.source)
    }
}

/// Applies a week's wishes for one person. Only what the person changed on the page counts
/// (see [`Wish`]); a day whose wish equals what is stored is left alone (even when locked); any
/// other day must be editable, name one of its own options, fit in the option's capacity, not
/// have been changed elsewhere since the page was shown, and, on a day of a declared absence,
/// be confirmed. `problems` are the form's own (e.g. a guest count that is not a number). On
/// any problem nothing is written and every problem is returned as (day, i18n key).
pub fn apply_week(
    conn: &mut DbConn,
    who: &Who,
    wishes: &[Wish],
    problems: DayProblems,
    now: DateTime<Utc>,
    menus: &crate::canteen::menu::cache::MenuCache,
) -> Result<Result<Applied, DayProblems>, AppError> {
    let Some(from) = wishes.iter().map(|w| w.day).min() else {
        return Ok(if problems.is_empty() {
            Ok(Applied::default())
        } else {
            Err(problems)
        });
    };
    let to = wishes.iter().map(|w| w.day).max().unwrap_or(from);
    store::lock_person_days(conn, Some((from, to)), who.person_id)?;
    // Read after the locks: a menu change waits for them (PostgreSQL), so these are current.
    // The person's rows, the menu counter and the closed months come in one statement.
    let mine = person_days(conn, who.person_id, from, to)?;
    let menu = menus.get_covering(
        conn,
        crate::canteen::week::business_today(now),
        from,
        to,
        mine.menu_version,
    )?;
    let settings = &menu.settings;
    let rows = &menu.rows;
    let options = &menu.options;
    let current: HashMap<NaiveDate, &MealNow> =
        mine.meals.iter().map(|o| (o.service_date, o)).collect();
    let current_guests: HashMap<NaiveDate, &GuestsNow> =
        mine.guests.iter().map(|g| (g.service_date, g)).collect();
    let gone = mine
        .status
        .as_ref()
        .and_then(|(status, since)| crate::people::rules::meals_end(status, *since, from));

    let mut errors = problems;
    let mut changes: Vec<Planned> = Vec::new();
    for w in wishes {
        if errors.iter().any(|e| e.0 == w.day) {
            continue;
        }
        let now_option = current
            .get(&w.day)
            .filter(|o| o.status != CANCELLED)
            .map(|o| o.option_id);
        let now_guests = current_guests
            .get(&w.day)
            .filter(|g| g.status != CANCELLED)
            .map(|g| g.guests)
            .unwrap_or(0);
        let option_id = w.option_given(now_option);
        let guests = w.guests_given(now_guests);
        let meal_changes = now_option != option_id;
        let now_gopt = current_guests
            .get(&w.day)
            .filter(|g| g.status != CANCELLED)
            .map(|g| g.option_id);
        let asked_gopt = w.guest_option_given();
        let gopt_changes = guests > 0 && asked_gopt.is_some_and(|id| Some(id) != now_gopt);
        let guests_change = now_guests != guests || gopt_changes;
        // An option chosen on the page for the guests it showed, whose number changed
        // elsewhere since (removed in another tab, say): a change made on what is gone.
        let gopt_for_changed_guests =
            asked_gopt.is_some() && w.shown.is_some_and(|s| now_guests != s.guests);
        if !meal_changes && !guests_change && !gopt_for_changed_guests {
            continue;
        }
        if let Some(shown) = w.shown {
            // Changed on the page, and changed elsewhere since the page was loaded.
            if (meal_changes && now_option != shown.option_id)
                || (now_guests != guests && now_guests != shown.guests)
                || (gopt_changes && shown.guest_option.is_some() && now_gopt != shown.guest_option)
                || gopt_for_changed_guests
            {
                errors.push((w.day, "order.err_changed_elsewhere"));
                continue;
            }
        }
        // The kitchen may still take a phone order (or a cancellation) after the cut-off, on a
        // day not over: marked late in the history and the audit.
        let late = match rules::editable(w.day, rows.get(&w.day), now, settings) {
            Ok(()) => false,
            Err(rules::Lock::PastCutoff) if who.source == Source::Kitchen => true,
            // A meal booked before the horizon was shortened stays the person's to change.
            Err(rules::Lock::BeyondHorizon) if now_option.is_some() || now_guests > 0 => false,
            Err(lock) => {
                errors.push((w.day, lock.message_key()));
                continue;
            }
        };
        if let Some(o) = current.get(&w.day).filter(|_| meal_changes) {
            let change = if option_id.is_some() {
                Change::Order
            } else {
                Change::Cancel(Cause::of(who.source))
            };
            let from = MealStatus::parse(&o.status);
            let by = o.cancel_cause.as_deref().and_then(Cause::parse);
            if let Err(Refusal::Refused(key)) = crate::canteen::states::next(from, by, change) {
                errors.push((w.day, key));
                continue;
            }
        }
        let day_options: Vec<&MealOption> = options
            .iter()
            .filter(|o| o.service_date == w.day)
            .map(|o| &**o)
            .collect();
        // A meal or guests chosen on a page that showed the day's options before the kitchen
        // changed them (dishes, price, allergens): shown again with the change first.
        let picks = (meal_changes && option_id.is_some()) || (guests_change && guests > 0);
        if picks
            && w.menu_mark
                .as_ref()
                .is_some_and(|m| *m != crate::canteen::menu::store::mark_text(menu.mark(w.day)))
        {
            errors.push((w.day, "order.err_menu_changed"));
            continue;
        }
        let chosen = match option_id {
            None => None,
            Some(id) => match day_options.iter().find(|o| o.id == id) {
                Some(o) => Some(*o),
                None => {
                    errors.push((w.day, "order.err_unknown_option"));
                    continue;
                }
            },
        };
        if !(0..=rules::MAX_GUESTS).contains(&guests) {
            errors.push((w.day, "order.err_guests"));
            continue;
        }
        if guests > 0 && day_options.is_empty() {
            errors.push((w.day, "order.err_unknown_option"));
            continue;
        }
        let gopt = match asked_gopt {
            Some(id) => match day_options.iter().find(|o| o.id == id) {
                Some(o) => Some(*o),
                None => {
                    errors.push((w.day, "order.err_unknown_option"));
                    continue;
                }
            },
            // Not chosen on the page: guests already booked keep what they eat (only their
            // number changed); new guests eat what the host eats, else the day's first.
            None => now_gopt
                .and_then(|id| day_options.iter().find(|o| o.id == id).copied())
                .or_else(|| guest_option(chosen, options, w.day)),
        };
        let starts_eating = meal_changes && now_option.is_none() && option_id.is_some();
        if gone.is_some_and(|g| w.day >= g) && (starts_eating || (guests_change && guests > 0)) {
            errors.push((w.day, "order.err_person_left"));
            continue;
        }
        if starts_eating && mine.walked_in.contains(&w.day) {
            errors.push((w.day, "order.err_walked_in"));
            continue;
        }
        if starts_eating && !w.confirmed && mine.absent_on(w.day) {
            errors.push((w.day, "order.confirm_absence"));
            continue;
        }
        changes.push(Planned {
            day: w.day,
            late,
            chosen,
            gopt,
            guests,
            meal_changes,
            guests_change,
        });
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    // Capacity: lock the options that would gain portions (in id order: no deadlocks), then count.
    let mut gains: HashMap<i32, i64> = HashMap::new();
    for p in &changes {
        if p.meal_changes {
            if let Some(o) = p.chosen {
                *gains.entry(o.id).or_default() += 1;
            }
        }
        if p.guests_change && p.guests > 0 {
            if let Some(o) = p.gopt {
                let before = current_guests
                    .get(&p.day)
                    .filter(|g| g.status != CANCELLED && g.option_id == o.id)
                    .map(|g| g.guests)
                    .unwrap_or(0);
                *gains.entry(o.id).or_default() += (p.guests - before).max(0) as i64;
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
    let journal = transition::Journal::default();
    let by = who.by().journaled(&journal);
    let open = crate::periods::OpenRange::checked(from, to, mine.closed_months)?;
    let mut done = Applied::default();
    let name_of = |id: i32| options.iter().find(|o| o.id == id).map(|o| o.name.clone());
    for p in changes {
        let had = current
            .get(&p.day)
            .filter(|o| o.status != CANCELLED)
            .and_then(|o| name_of(o.option_id));
        let had_guests = current_guests
            .get(&p.day)
            .filter(|g| g.status != CANCELLED)
            .map(|g| g.guests)
            .unwrap_or(0);
        let walked_in = mine.walked_in.contains(&p.day);
        done.changes.push(DayChange {
            day: p.day,
            before: MealState {
                option: had.clone(),
                guests: had_guests,
                walked_in,
            },
            after: MealState {
                option: if p.meal_changes {
                    p.chosen.map(|o| o.name.clone())
                } else {
                    had
                },
                guests: if p.guests_change {
                    p.guests
                } else {
                    had_guests
                },
                walked_in,
            },
        });
        if p.meal_changes {
            let existing = current.get(&p.day).map(|o| MealRow::from(*o));
            let m = match p.chosen {
                Some(opt) => {
                    MealChange::of_row(who.person_id, p.day, existing, Change::Order).option(opt)
                }
                None => MealChange::of_row(
                    who.person_id,
                    p.day,
                    existing,
                    Change::Cancel(Cause::of(who.source)),
                ),
            }
            .checked(&open)
            .walked_in(mine.walked_in.contains(&p.day));
            let m = if p.late {
                m.reason(transition::LATE_ORDER)
            } else {
                m
            };
            if let Err(Refusal::Refused(key)) = transition::meal(conn, &m, &by, nowt)? {
                return Err(AppError::BadRequest(key));
            }
        }
        if p.guests_change {
            let gopt = p.gopt;
            transition::guests(
                conn,
                who.person_id,
                p.day,
                p.guests,
                gopt,
                current_guests.get(&p.day).map(|g| GuestRow::from(*g)),
                Cause::of(who.source),
                &by,
                nowt,
            )?;
        }
        done.days.push(p.day);
        if p.late {
            done.late.push(p.day);
        }
    }
    journal.write(conn)?;
    Ok(Ok(done))
}

/// What a submission changed: the days, those changed after their cut-off (kitchen only),
/// and each day's meal before → after.
#[derive(Debug, Default)]
pub struct Applied {
    pub days: Vec<NaiveDate>,
    pub late: Vec<NaiveDate>,
    pub changes: Vec<DayChange>,
}

/// One day's meal before → after a submission.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DayChange {
    pub day: NaiveDate,
    pub before: MealState,
    pub after: MealState,
}

/// A day's meal as a person sees it: the option's name (None: no meal ordered) and guests,
/// and whether the person ate a walk-in at the counter that day (then "no meal ordered" is
/// not "no meal": the notice and the audit say so).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MealState {
    pub option: Option<String>,
    pub guests: i32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub walked_in: bool,
}

/// The words for a day without a meal ordered, in a record of a [`MealState`]: "no meal",
/// or that the person ate a walk-in at the counter.
pub fn no_meal_key(walked_in: bool) -> &'static str {
    if walked_in {
        "week.walked_in"
    } else {
        "week.no_meal"
    }
}

/// One day's change, checked and ready to write.
struct Planned<'a> {
    day: NaiveDate,
    late: bool,
    chosen: Option<&'a MealOption>,
    /// The guests' option.
    gopt: Option<&'a MealOption>,
    guests: i32,
    meal_changes: bool,
    guests_change: bool,
}

/// Guests eat the host's option, or the day's first option when the host does not eat.
fn guest_option<'a>(
    chosen: Option<&'a MealOption>,
    options: &'a [std::sync::Arc<MealOption>],
    day: NaiveDate,
) -> Option<&'a MealOption> {
    chosen.or_else(|| {
        options
            .iter()
            .map(|o| &**o)
            .filter(|o| o.service_date == day)
            .min_by_key(|o| (o.position, o.id))
    })
}

/// A staff meal of a period as accounting reads it (the canteen's tables stay the canteen's).
#[derive(Debug, Clone)]
pub struct MealRecord {
    pub order_id: i32,
    pub person_id: i32,
    pub day: NaiveDate,
    pub price: Vnd,
    /// `ordered`, `served` or `no_show` (cancelled meals are left out).
    pub status: String,
    pub option_name: String,
}

/// Every meal not cancelled in `from..=to` (of one person, or everyone's).
pub fn meals_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    person: Option<i32>,
) -> Result<Vec<MealRecord>, AppError> {
    use crate::db::schema::meal_options;
    let mut q = orders::table
        .inner_join(meal_options::table)
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.ne(CANCELLED))
        .into_boxed();
    if let Some(p) = person {
        q = q.filter(orders::person_id.eq(p));
    }
    let rows: Vec<(i32, i32, NaiveDate, i64, String, String)> = q
        .order(orders::id.asc())
        .select((
            orders::id,
            orders::person_id,
            orders::service_date,
            orders::price_vnd,
            orders::status,
            meal_options::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(order_id, person_id, day, price, status, option_name)| MealRecord {
                order_id,
                person_id,
                day,
                price: Vnd(price),
                status,
                option_name,
            },
        )
        .collect())
}

/// A staff meal as a month's split reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthMeal {
    pub order_id: i32,
    pub person_id: i32,
    pub day: NaiveDate,
    pub price: Vnd,
    pub status: MealStatus,
    pub option_id: i32,
}

/// Every staff meal not cancelled in `from..=to`, in no particular order. Read from the
/// `orders_date` index alone (migration 000021), without the per-row strings of
/// [`meals_between`]: the open month's split of every person reads this on each statement
/// page and report.
pub fn month_meals(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MonthMeal>, AppError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Integer;
    let status =
        || sql::<Integer>("CASE status WHEN 'served' THEN 1 WHEN 'no_show' THEN 2 ELSE 0 END");
    let meal = |(order_id, person_id, day, price, code, option_id): (
        i32,
        i32,
        NaiveDate,
        i64,
        i32,
        i32,
    )| {
        MonthMeal {
            order_id,
            person_id,
            day,
            price: Vnd(price),
            status: match code {
                1 => MealStatus::Served,
                2 => MealStatus::NoShow,
                _ => MealStatus::Ordered,
            },
            option_id,
        }
    };
    let month = || {
        orders::table
            .filter(orders::service_date.between(from, to))
            .filter(orders::status.ne(CANCELLED))
    };
    match conn {
        // SQLite keeps a DATE as 'yyyy-mm-dd' text, which diesel parses with a format string
        // row by row (a tenth of the statistics dashboard); SQLite's own `julianday` gives the
        // day as a number instead (days from 1 January of year 1 = chrono's day 1).
        DbConn::Sqlite(c) => {
            let rows: Vec<(i32, i32, i32, i64, i32, i32)> = month()
                .select((
                    orders::id,
                    orders::person_id,
                    sql::<Integer>("CAST(julianday(service_date) - 1721424.5 AS INTEGER)"),
                    orders::price_vnd,
                    status(),
                    orders::option_id,
                ))
                .load(c)?;
            rows.into_iter()
                .map(|(id, person, day, price, code, option)| {
                    let day = NaiveDate::from_num_days_from_ce_opt(day)
                        .ok_or(AppError::internal("meal day"))?;
                    Ok(meal((id, person, day, price, code, option)))
                })
                .collect()
        }
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => Ok(month()
            .select((
                orders::id,
                orders::person_id,
                orders::service_date,
                orders::price_vnd,
                status(),
                orders::option_id,
            ))
            .load(c)?
            .into_iter()
            .map(meal)
            .collect()),
    }
}

/// What the canteen gave out of one option on one day, as the supplier reconciliation reads
/// it: staff meals by state, guests and walk-ins with what they paid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub option_name: String,
    /// Staff meals not cancelled (served, no-shows and those still ordered).
    pub ordered: i64,
    pub served: i64,
    pub no_show: i64,
    /// Guests not cancelled, and of them those served.
    pub guests: i64,
    pub guests_served: i64,
    pub guest_vnd: i64,
    pub walk_ins: i64,
    pub walk_in_vnd: i64,
}

/// Per day and option of `from..=to`, in day then option order.
pub fn day_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayCount>, AppError> {
    use crate::db::schema::meal_options;
    let by_option: Vec<(i32, String, i64)> = orders::table
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.ne(CANCELLED))
        .group_by((orders::option_id, orders::status))
        .select((orders::option_id, orders::status, diesel::dsl::count_star()))
        .load(conn)?;
    let options: HashMap<i32, (NaiveDate, String)> = meal_options::table
        .filter(meal_options::service_date.between(from, to))
        .select((
            meal_options::id,
            meal_options::service_date,
            meal_options::name,
        ))
        .load::<(i32, NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(id, d, n)| (id, (d, n)))
        .collect();
    let meals = by_option.into_iter().filter_map(|(id, status, n)| {
        let (d, name) = options.get(&id)?.clone();
        Some((d, name, status, n))
    });
    let guests: Vec<(NaiveDate, String, String, i32, i64)> = guest_meals::table
        .inner_join(meal_options::table)
        .filter(guest_meals::service_date.between(from, to))
        .filter(guest_meals::status.ne(CANCELLED))
        .select((
            guest_meals::service_date,
            meal_options::name,
            guest_meals::status,
            guest_meals::guests,
            guest_meals::price_vnd,
        ))
        .load(conn)?;
    let walked: Vec<(NaiveDate, String, i64)> = walk_ins::table
        .inner_join(meal_options::table)
        .filter(walk_ins::service_date.between(from, to))
        .filter(walk_ins::status.eq(SERVED))
        .select((
            walk_ins::service_date,
            meal_options::name,
            walk_ins::price_vnd,
        ))
        .load(conn)?;
    type Map = std::collections::BTreeMap<(NaiveDate, String), DayCount>;
    fn at(map: &mut Map, day: NaiveDate, name: String) -> &mut DayCount {
        map.entry((day, name.clone())).or_insert_with(|| DayCount {
            day,
            option_name: name,
            ..Default::default()
        })
    }
    let mut map = Map::new();
    for (day, name, status, n) in meals {
        let c = at(&mut map, day, name);
        c.ordered += n;
        match status.as_str() {
            SERVED => c.served += n,
            NO_SHOW => c.no_show += n,
            _ => {}
        }
    }
    for (day, name, status, n, price) in guests {
        let c = at(&mut map, day, name);
        c.guests += i64::from(n);
        if status == SERVED {
            c.guests_served += i64::from(n);
        }
        c.guest_vnd += price * i64::from(n);
    }
    for (day, name, price) in walked {
        let c = at(&mut map, day, name);
        c.walk_ins += 1;
        c.walk_in_vnd += price;
    }
    Ok(map.into_values().collect())
}
