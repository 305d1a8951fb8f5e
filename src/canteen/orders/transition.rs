//! The one way a meal, a guest meal or a walk-in changes. Each function checks the change
//! against `states::next`, guards the month (`periods::ensure_open`), writes the row and
//! appends an `order_events` row (who, when, source, from → to, option, price, cause, reason)
//! in the same transaction. Nothing else in the code updates `orders`, `guest_meals` or
//! `walk_ins`.

use crate::canteen::ordering::{Guests, GuestsNow, MealNow, Order};
use crate::canteen::states::{self, Cause, Change, EventKind, MealStatus, Placed, Refusal, Source};
use crate::canteen::store::MealOption;
use crate::db::fast::{Day, Instant};
use crate::db::schema::{guest_meals, order_events, orders, walk_ins};
use crate::db::{update_by_id, DbConn};
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// The reason recorded on a change the kitchen made for someone after the day's cut-off.
pub const LATE_ORDER: &str = "late_order";

/// Who makes a change, from where, and where its `order_events` rows go: appended at once, or
/// kept in a [`Journal`] that the caller writes in one statement when its changes are done.
#[derive(Clone, Copy, Debug)]
pub struct By<'j> {
    pub user: Option<i32>,
    pub source: Source,
    journal: Option<&'j Journal>,
}

impl<'j> By<'j> {
    pub fn new(user: Option<i32>, source: Source) -> By<'static> {
        By {
            user,
            source,
            journal: None,
        }
    }
    /// The same actor, with the events kept in `journal` until [`Journal::write`].
    pub fn journaled(self, journal: &'j Journal) -> By<'j> {
        By {
            journal: Some(journal),
            ..self
        }
    }
}

/// Changes waiting to be written together: `order_events` rows, and updates of existing meal
/// rows (a new choice or a cancellation). A week submission changes up to a fortnight of days;
/// one multi-row UPDATE and one multi-row INSERT instead of a statement per day is what keeps
/// the history and the summary triggers within their budget of the submission's time (each
/// statement is a round trip on PostgreSQL and a statement journal for the triggers on
/// SQLite). The caller must `write` it in the same transaction before it reads those meals
/// again or returns (the week tests read the meals and the history back, so a forgotten
/// `write` fails them).
#[derive(Debug, Default)]
pub struct Journal {
    events: std::cell::RefCell<Vec<NewEvent>>,
    updates: std::cell::RefCell<Vec<MealUpdate>>,
}

impl Journal {
    pub fn write(&self, conn: &mut DbConn) -> Result<(), AppError> {
        let updates = std::mem::take(&mut *self.updates.borrow_mut());
        let rows = std::mem::take(&mut *self.events.borrow_mut());
        // PostgreSQL: the meals' UPDATE inside the history's INSERT (a data-modifying `WITH`),
        // one round trip instead of two for a week's submission. Its triggers and checks run
        // as they do for the UPDATE alone; either part failing fails both.
        #[cfg(feature = "postgres")]
        if let DbConn::Pg(c) = &mut *conn {
            if (1..=50).contains(&updates.len()) && (1..=50).contains(&rows.len()) {
                UpdateMealsAndInsertEvents(&updates, &rows).execute(c)?;
                return Ok(());
            }
        }
        // 9 values a row: 50 rows stay far below SQLite's bound-parameter limit.
        // On the backend's own connection: through the `MultiConnection` every one of the
        // statement's (up to 450) values would be boxed and looked up again.
        for chunk in updates.chunks(50) {
            crate::on_backend!(&mut *conn, |c| UpdateMeals(chunk).execute(c))?;
        }
        // 14 values a row: 50 rows stay far below SQLite's bound-parameter limit.
        for chunk in rows.chunks(50) {
            crate::on_backend!(&mut *conn, |c| InsertEvents(chunk).execute(c))?;
        }
        Ok(())
    }
}

/// A meal row's new choice (`option_id`, `price_vnd` and `source` set) or its cancellation
/// (those left as they are: None), written by [`UpdateMeals`].
#[derive(Debug, Clone)]
struct MealUpdate {
    id: i32,
    option_id: Option<i32>,
    price_vnd: Option<i64>,
    status: &'static str,
    source: Option<&'static str>,
    cancel_cause: Option<&'static str>,
    cancel_ref: Option<String>,
    at: Instant,
    by_user: Option<i32>,
}

/// `WITH v(…) AS (VALUES (…), (…)) UPDATE orders … FROM v WHERE orders.id = v.id`: the same
/// columns the one-row updates of [`meal`] set, for many rows in one statement (both
/// databases run `UPDATE … FROM`; SQLite looks each row up by its key).
struct UpdateMeals<'a>(&'a [MealUpdate]);

impl diesel::query_builder::QueryId for UpdateMeals<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB> diesel::query_builder::QueryFragment<DB> for UpdateMeals<'_>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    Instant: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("WITH ");
        meal_values(self.0, &mut out)?;
        out.push_sql(" ");
        out.push_sql(UPDATE_FROM_V);
        Ok(())
    }
}

/// `v (…) AS (VALUES (…), (…))`: the new values of the meals an [`UpdateMeals`] changes.
fn meal_values<'b, DB>(
    updates: &'b [MealUpdate],
    out: &mut diesel::query_builder::AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    Instant: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
{
    use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
    out.push_sql(
        "v (id, option_id, price_vnd, status, source, cancel_cause, cancel_ref, at, by_user) \
         AS (VALUES ",
    );
    for (i, u) in updates.iter().enumerate() {
        out.push_sql(if i == 0 { "(" } else { ", (" });
        out.push_bind_param::<Integer, _>(&u.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&u.option_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&u.price_vnd)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&u.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&u.source)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&u.cancel_cause)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&u.cancel_ref)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&u.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&u.by_user)?;
        out.push_sql(")");
    }
    out.push_sql(")");
    Ok(())
}

/// The UPDATE of [`UpdateMeals`], from the values `v`.
const UPDATE_FROM_V: &str =
    "UPDATE orders SET option_id = COALESCE(v.option_id, orders.option_id), \
     price_vnd = COALESCE(v.price_vnd, orders.price_vnd), status = v.status, \
     source = COALESCE(v.source, orders.source), cancel_cause = v.cancel_cause, \
     cancel_ref = v.cancel_ref, updated_at = v.at, updated_by = v.by_user \
     FROM v WHERE orders.id = v.id";

impl<C> RunQueryDsl<C> for UpdateMeals<'_> {}

/// `INSERT INTO order_events … VALUES (…), (…)`, written out because diesel's multi-row insert
/// is not available through `MultiConnection`. Its prepared statement is reused (one per row
/// count, which is bounded by the days a page shows).
struct InsertEvents<'a>(&'a [NewEvent]);

impl diesel::query_builder::QueryId for InsertEvents<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB> diesel::query_builder::QueryFragment<DB> for InsertEvents<'_>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    Instant: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        insert_events(self.0, &mut out)
    }
}

/// `INSERT INTO order_events … VALUES (…), (…)`.
fn insert_events<'b, DB>(
    events: &'b [NewEvent],
    out: &mut diesel::query_builder::AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    Day: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    Instant: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
{
    use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamp};
    out.push_sql(
        "INSERT INTO order_events (kind, row_id, person_id, service_date, at, by_user, \
         source, from_status, to_status, option_id, price_vnd, guests, cause, reason) VALUES ",
    );
    for (i, e) in events.iter().enumerate() {
        out.push_sql(if i == 0 { "(" } else { ", (" });
        out.push_bind_param::<Text, _>(&e.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&e.row_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&e.person_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Date, _>(&e.service_date)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&e.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&e.by_user)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&e.source)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.from_status)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&e.to_status)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&e.option_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&e.price_vnd)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&e.guests)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.cause)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.reason)?;
        out.push_sql(")");
    }
    Ok(())
}

/// PostgreSQL: `WITH v (…) AS (VALUES …), changed AS (UPDATE orders … FROM v …) INSERT INTO
/// order_events …` — an [`UpdateMeals`] and an [`InsertEvents`] in one statement (a
/// data-modifying `WITH` runs to completion whether or not the rest reads it).
#[cfg(feature = "postgres")]
struct UpdateMealsAndInsertEvents<'a>(&'a [MealUpdate], &'a [NewEvent]);

#[cfg(feature = "postgres")]
impl diesel::query_builder::QueryId for UpdateMealsAndInsertEvents<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

#[cfg(feature = "postgres")]
impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for UpdateMealsAndInsertEvents<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("WITH ");
        meal_values(self.0, &mut out)?;
        out.push_sql(", changed AS (");
        out.push_sql(UPDATE_FROM_V);
        out.push_sql(") ");
        insert_events(self.1, &mut out)
    }
}

#[cfg(feature = "postgres")]
impl<C> RunQueryDsl<C> for UpdateMealsAndInsertEvents<'_> {}

impl<C> RunQueryDsl<C> for InsertEvents<'_> {}

/// One row of `order_events` to append.
struct Event<'a> {
    kind: EventKind,
    row_id: i32,
    person: i32,
    day: NaiveDate,
    from: Option<&'a str>,
    to: &'a str,
    option: Option<i32>,
    price: Option<i64>,
    guests: Option<i32>,
    cause: Option<Cause>,
    reason: Option<&'a str>,
}

/// An `order_events` row (written by [`InsertEvents`]).
#[derive(Debug, Clone)]
pub struct NewEvent {
    kind: &'static str,
    row_id: i32,
    person_id: i32,
    service_date: Day,
    at: Instant,
    by_user: Option<i32>,
    source: &'static str,
    from_status: Option<String>,
    to_status: String,
    option_id: Option<i32>,
    price_vnd: Option<i64>,
    guests: Option<i32>,
    cause: Option<&'static str>,
    reason: Option<String>,
}

fn new_event(e: &Event<'_>, by: &By, now: NaiveDateTime) -> NewEvent {
    NewEvent {
        kind: e.kind.as_str(),
        row_id: e.row_id,
        person_id: e.person,
        service_date: Day(e.day),
        at: Instant(now),
        by_user: by.user,
        source: by.source.as_str(),
        from_status: e.from.map(str::to_string),
        to_status: e.to.to_string(),
        option_id: e.option,
        price_vnd: e.price,
        guests: e.guests,
        cause: e.cause.map(Cause::as_str),
        reason: e.reason.map(str::to_string),
    }
}

fn append(conn: &mut DbConn, e: &Event<'_>, by: &By, now: NaiveDateTime) -> Result<(), AppError> {
    let row = new_event(e, by, now);
    match by.journal {
        Some(j) => j.events.borrow_mut().push(row),
        None => {
            crate::on_backend!(conn, |c| InsertEvents(std::slice::from_ref(&row))
                .execute(c))?;
        }
    }
    Ok(())
}

/// Keeps a meal row's update in the actor's journal (written by [`Journal::write`]).
fn defer(by: &By, u: MealUpdate) {
    if let Some(j) = by.journal {
        j.updates.borrow_mut().push(u);
    }
}

/// What a change needs of a meal row as it is (read from a whole `Order`, or as a week
/// submission reads it: [`MealNow`]).
#[derive(Clone, Copy, Debug)]
pub struct MealRow<'a> {
    pub id: i32,
    pub option_id: i32,
    pub price_vnd: Vnd,
    pub status: &'a str,
    pub source: &'a str,
    pub cancel_cause: Option<&'a str>,
}

/// `From` a row type with the same fields for `MealRow` or `GuestRow`.
macro_rules! row_from {
    ($row:ident, $from:ty, |$r:ident| $($field:ident: $value:expr),* $(,)?) => {
        impl<'a> From<&'a $from> for $row<'a> {
            fn from($r: &'a $from) -> Self {
                $row { $($field: $value),* }
            }
        }
    };
}

macro_rules! meal_row_from {
    ($($from:ty),*) => {$(
        row_from!(MealRow, $from, |o| id: o.id, option_id: o.option_id, price_vnd: o.price_vnd,
            status: &o.status, source: &o.source, cancel_cause: o.cancel_cause.as_deref());
    )*};
}
meal_row_from!(Order, MealNow);

/// What a change needs of a guest row as it is.
#[derive(Clone, Copy, Debug)]
pub struct GuestRow<'a> {
    pub id: i32,
    pub option_id: i32,
    pub guests: i32,
    pub price_vnd: Vnd,
    pub status: &'a str,
}

macro_rules! guest_row_from {
    ($($from:ty),*) => {$(
        row_from!(GuestRow, $from, |g| id: g.id, option_id: g.option_id, guests: g.guests,
            price_vnd: g.price_vnd, status: &g.status);
    )*};
}
guest_row_from!(Guests, GuestsNow);

/// A change of one person's meal of one day.
pub struct MealChange<'a> {
    pub person: i32,
    pub day: NaiveDate,
    /// The person's row of the day as read in this transaction (None: there is none).
    pub existing: Option<MealRow<'a>>,
    pub change: Change,
    /// The option to order (with `Change::Order`).
    pub option: Option<&'a MealOption>,
    /// What caused a cancellation in particular (an absence's id).
    pub cause_ref: Option<String>,
    pub reason: Option<&'a str>,
    /// The months already checked open in this transaction (saves a query per change).
    pub checked: Option<&'a crate::periods::OpenRange>,
    /// Whether the person was served a walk-in that day, when the caller has read it in this
    /// transaction (None: `meal` reads it when the change would start a meal).
    pub walked_in: Option<bool>,
}

impl<'a> MealChange<'a> {
    pub fn new(person: i32, day: NaiveDate, existing: Option<&'a Order>, change: Change) -> Self {
        MealChange::of_row(person, day, existing.map(MealRow::from), change)
    }
    /// Like `new`, with the row as the week read it.
    pub fn of_row(
        person: i32,
        day: NaiveDate,
        existing: Option<MealRow<'a>>,
        change: Change,
    ) -> Self {
        MealChange {
            person,
            day,
            existing,
            change,
            option: None,
            cause_ref: None,
            reason: None,
            checked: None,
            walked_in: None,
        }
    }
    pub fn walked_in(mut self, served: bool) -> Self {
        self.walked_in = Some(served);
        self
    }
    pub fn checked(mut self, r: &'a crate::periods::OpenRange) -> Self {
        self.checked = Some(r);
        self
    }
    pub fn option(mut self, o: &'a MealOption) -> Self {
        self.option = Some(o);
        self
    }
    pub fn cause_ref(mut self, r: impl ToString) -> Self {
        self.cause_ref = Some(r.to_string());
        self
    }
    pub fn reason(mut self, r: &'a str) -> Self {
        self.reason = Some(r);
        self
    }
}

fn placed(by: &By, existing: Option<MealRow<'_>>) -> &'static str {
    match by.source {
        Source::Staff => Placed::Staff.as_str(),
        Source::Standing => Placed::Standing.as_str(),
        Source::Kitchen => Placed::Kitchen.as_str(),
        _ => existing
            .and_then(|o| Placed::parse(o.source))
            .unwrap_or(Placed::Kitchen)
            .as_str(),
    }
}

/// Applies one change to a meal. Ok(Ok(id)) when written, Ok(Err(Refusal::Nothing)) when the
/// meal already is as asked, Ok(Err(Refused(key))) when the change is not allowed.
pub fn meal(
    conn: &mut DbConn,
    m: &MealChange<'_>,
    by: &By,
    now: NaiveDateTime,
) -> Result<Result<i32, Refusal>, AppError> {
    let from = m.existing.and_then(|o| MealStatus::parse(o.status));
    let cancelled_by = m
        .existing
        .and_then(|o| o.cancel_cause)
        .and_then(Cause::parse);
    let to = match states::next(from, cancelled_by, m.change) {
        Ok(to) => to,
        Err(r) => return Ok(Err(r)),
    };
    if let (Change::Order, Some(o), Some(opt)) = (m.change, m.existing, m.option) {
        if from == Some(MealStatus::Ordered) && o.option_id == opt.id {
            return Ok(Err(Refusal::Nothing));
        }
    }
    // One meal a day: someone served a walk-in (no meal of their own then) cannot be given
    // a meal of the day afterwards, by any path (the counter refuses the other order).
    if to == MealStatus::Ordered && from != Some(MealStatus::Ordered) {
        let walked_in = match m.walked_in {
            Some(w) => w,
            None => walk_in_of(conn, m.person, m.day)?.is_some(),
        };
        if walked_in {
            return Ok(Err(Refusal::Refused("order.err_walked_in")));
        }
    }
    crate::periods::ensure_open_within(conn, m.day, m.checked)?;
    let cause = match m.change {
        Change::Cancel(c) => Some(c),
        Change::Restore(c) => Some(c),
        _ => None,
    };
    let (id, option, price) = match (m.change, m.existing) {
        (Change::Order, existing) => {
            let opt = m
                .option
                .filter(|o| o.service_date == m.day)
                .ok_or(AppError::BadRequest("order.err_unknown_option"))?;
            let source = placed(by, existing);
            let id = match existing {
                Some(o) if by.journal.is_some() => {
                    defer(
                        by,
                        MealUpdate {
                            id: o.id,
                            option_id: Some(opt.id),
                            price_vnd: Some(opt.price_vnd.0),
                            status: to.as_str(),
                            source: Some(source),
                            cancel_cause: None,
                            cancel_ref: None,
                            at: Instant(now),
                            by_user: by.user,
                        },
                    );
                    o.id
                }
                Some(o) => {
                    update_by_id(
                        orders::table,
                        o.id,
                        (
                            orders::option_id.eq(opt.id),
                            orders::price_vnd.eq(opt.price_vnd.0),
                            orders::status.eq(to.as_str()),
                            orders::source.eq(source),
                            orders::cancel_cause.eq(None::<&str>),
                            orders::cancel_ref.eq(None::<&str>),
                            orders::updated_at.eq(now),
                            orders::updated_by.eq(by.user),
                        ),
                    )
                    .execute(conn)?;
                    o.id
                }
                None => diesel::insert_into(orders::table)
                    .values((
                        orders::person_id.eq(m.person),
                        orders::service_date.eq(m.day),
                        orders::option_id.eq(opt.id),
                        orders::price_vnd.eq(opt.price_vnd.0),
                        orders::status.eq(to.as_str()),
                        orders::source.eq(source),
                        orders::created_at.eq(now),
                        orders::updated_at.eq(now),
                        orders::updated_by.eq(by.user),
                    ))
                    .returning(orders::id)
                    .get_result(conn)?,
            };
            (id, opt.id, opt.price_vnd.0)
        }
        (_, None) => return Ok(Err(Refusal::Nothing)),
        (change, Some(o)) => {
            let base = (
                orders::status.eq(to.as_str()),
                orders::updated_at.eq(now),
                orders::updated_by.eq(by.user),
            );
            match change {
                Change::Cancel(c) if by.journal.is_some() => {
                    defer(
                        by,
                        MealUpdate {
                            id: o.id,
                            option_id: None,
                            price_vnd: None,
                            status: to.as_str(),
                            source: None,
                            cancel_cause: Some(c.as_str()),
                            cancel_ref: m.cause_ref.clone(),
                            at: Instant(now),
                            by_user: by.user,
                        },
                    );
                    1
                }
                Change::Cancel(c) => update_by_id(
                    orders::table,
                    o.id,
                    (
                        base,
                        orders::cancel_cause.eq(c.as_str()),
                        orders::cancel_ref.eq(m.cause_ref.as_deref()),
                    ),
                )
                .execute(conn)?,
                Change::Restore(_) => update_by_id(
                    orders::table,
                    o.id,
                    (
                        base,
                        orders::cancel_cause.eq(None::<&str>),
                        orders::cancel_ref.eq(None::<&str>),
                    ),
                )
                .execute(conn)?,
                Change::Serve => update_by_id(
                    orders::table,
                    o.id,
                    (
                        base,
                        orders::served_at.eq(now),
                        orders::served_by.eq(by.user),
                    ),
                )
                .execute(conn)?,
                Change::UndoServe => update_by_id(
                    orders::table,
                    o.id,
                    (
                        base,
                        orders::served_at.eq(None::<NaiveDateTime>),
                        orders::served_by.eq(None::<i32>),
                    ),
                )
                .execute(conn)?,
                Change::NoShow | Change::Order => {
                    update_by_id(orders::table, o.id, base).execute(conn)?
                }
            };
            (o.id, o.option_id, o.price_vnd.0)
        }
    };
    append(
        conn,
        &Event {
            kind: EventKind::Meal,
            row_id: id,
            person: m.person,
            day: m.day,
            from: from.map(MealStatus::as_str),
            to: to.as_str(),
            option: Some(option),
            price: Some(price),
            guests: None,
            cause,
            reason: m.reason,
        },
        by,
        now,
    )?;
    Ok(Ok(id))
}

/// Sets a host's guest count for a day (0 cancels, with `cause`). Returns false when nothing
/// changed.
#[allow(clippy::too_many_arguments)]
pub fn guests(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
    count: i32,
    option: Option<&MealOption>,
    existing: Option<GuestRow<'_>>,
    cause: Cause,
    by: &By,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let from = existing.map(|g| g.status);
    let live = existing.filter(|g| g.status == MealStatus::Ordered.as_str());
    let (id, to, option_id, price) = match (existing, option) {
        (Some(g), _) if count == 0 => {
            if live.is_none() {
                return Ok(false);
            }
            crate::periods::ensure_open(conn, day)?;
            update_by_id(
                guest_meals::table,
                g.id,
                (
                    guest_meals::status.eq(MealStatus::Cancelled.as_str()),
                    guest_meals::cancel_cause.eq(cause.as_str()),
                    guest_meals::updated_at.eq(now),
                ),
            )
            .execute(conn)?;
            (g.id, MealStatus::Cancelled, g.option_id, g.price_vnd.0)
        }
        (Some(g), Some(o)) => {
            if live.is_some_and(|l| l.guests == count && l.option_id == o.id) {
                return Ok(false);
            }
            if g.status == MealStatus::Served.as_str() {
                return Err(AppError::BadRequest("order.err_already_served"));
            }
            crate::periods::ensure_open(conn, day)?;
            update_by_id(
                guest_meals::table,
                g.id,
                (
                    guest_meals::guests.eq(count),
                    guest_meals::option_id.eq(o.id),
                    guest_meals::price_vnd.eq(o.price_vnd.0),
                    guest_meals::status.eq(MealStatus::Ordered.as_str()),
                    guest_meals::cancel_cause.eq(None::<&str>),
                    guest_meals::cancel_ref.eq(None::<&str>),
                    guest_meals::updated_at.eq(now),
                ),
            )
            .execute(conn)?;
            (g.id, MealStatus::Ordered, o.id, o.price_vnd.0)
        }
        (None, Some(o)) if count > 0 => {
            crate::periods::ensure_open(conn, day)?;
            let id = diesel::insert_into(guest_meals::table)
                .values((
                    guest_meals::person_id.eq(person),
                    guest_meals::service_date.eq(day),
                    guest_meals::option_id.eq(o.id),
                    guest_meals::guests.eq(count),
                    guest_meals::price_vnd.eq(o.price_vnd.0),
                    guest_meals::status.eq(MealStatus::Ordered.as_str()),
                    guest_meals::created_at.eq(now),
                    guest_meals::updated_at.eq(now),
                ))
                .returning(guest_meals::id)
                .get_result(conn)?;
            (id, MealStatus::Ordered, o.id, o.price_vnd.0)
        }
        _ => return Ok(false),
    };
    append(
        conn,
        &Event {
            kind: EventKind::Guests,
            row_id: id,
            person,
            day,
            from,
            to: to.as_str(),
            option: Some(option_id),
            price: Some(price),
            guests: Some(count),
            cause: (to == MealStatus::Cancelled).then_some(cause),
            reason: None,
        },
        by,
        now,
    )?;
    Ok(true)
}

/// A host's guests of the day were served.
pub fn guests_served(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
    by: &By,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let g: Option<Guests> = guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.eq(MealStatus::Ordered.as_str()))
        .select(Guests::as_select())
        .get_result(conn)
        .optional()?;
    let Some(g) = g else { return Ok(()) };
    crate::periods::ensure_open(conn, day)?;
    update_by_id(
        guest_meals::table,
        g.id,
        (
            guest_meals::status.eq(MealStatus::Served.as_str()),
            guest_meals::updated_at.eq(now),
        ),
    )
    .execute(conn)?;
    append(
        conn,
        &Event {
            kind: EventKind::Guests,
            row_id: g.id,
            person,
            day,
            from: Some(MealStatus::Ordered.as_str()),
            to: MealStatus::Served.as_str(),
            option: Some(g.option_id),
            price: Some(g.price_vnd.0),
            guests: Some(g.guests),
            cause: None,
            reason: None,
        },
        by,
        now,
    )
}

/// Brings back a guest meal still cancelled by `cause` (a day reopened, ...).
fn restore_guests(
    conn: &mut DbConn,
    g: &Guests,
    by: &By,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    crate::periods::ensure_open(conn, g.service_date)?;
    update_by_id(
        guest_meals::table,
        g.id,
        (
            guest_meals::status.eq(MealStatus::Ordered.as_str()),
            guest_meals::cancel_cause.eq(None::<&str>),
            guest_meals::cancel_ref.eq(None::<&str>),
            guest_meals::updated_at.eq(now),
        ),
    )
    .execute(conn)?;
    append(
        conn,
        &Event {
            kind: EventKind::Guests,
            row_id: g.id,
            person: g.person_id,
            day: g.service_date,
            from: Some(MealStatus::Cancelled.as_str()),
            to: MealStatus::Ordered.as_str(),
            option: Some(g.option_id),
            price: Some(g.price_vnd.0),
            guests: Some(g.guests),
            cause: g.cancel_cause.as_deref().and_then(Cause::parse),
            reason: None,
        },
        by,
        now,
    )
}

fn meals_where(
    conn: &mut DbConn,
    day: NaiveDate,
    status: MealStatus,
    cause: Option<Cause>,
) -> Result<Vec<Order>, AppError> {
    let mut q = orders::table
        .filter(orders::service_date.eq(day))
        .filter(orders::status.eq(status.as_str()))
        .select(Order::as_select())
        .order(orders::id)
        .into_boxed();
    if let Some(c) = cause {
        q = q.filter(orders::cancel_cause.eq(c.as_str()));
    }
    Ok(q.load(conn)?)
}

/// Closing a day: every meal and guest meal still ordered is cancelled with the cause
/// "day closed". Returns the number of meals cancelled.
pub fn close_day(
    conn: &mut DbConn,
    day: NaiveDate,
    reason: &str,
    by: &By,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut n = 0;
    for o in meals_where(conn, day, MealStatus::Ordered, None)? {
        let m = MealChange::new(o.person_id, day, Some(&o), Change::Cancel(Cause::DayClosed))
            .reason(reason);
        if meal(conn, &m, by, now)?.is_ok() {
            n += 1;
        }
    }
    let gs: Vec<Guests> = guest_meals::table
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.eq(MealStatus::Ordered.as_str()))
        .select(Guests::as_select())
        .load(conn)?;
    for g in gs {
        guests(
            conn,
            g.person_id,
            day,
            0,
            None,
            Some(GuestRow::from(&g)),
            Cause::DayClosed,
            by,
            now,
        )?;
    }
    Ok(n)
}

/// Reopening a day: exactly the meals and guest meals the closure cancelled (and nobody has
/// changed since) come back. Returns the number of meals restored.
pub fn reopen_day(
    conn: &mut DbConn,
    day: NaiveDate,
    absent_by: &dyn Fn(i32) -> Option<i32>,
    by: &By,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut n = 0;
    let cause = Cause::DayClosed;
    for o in meals_where(conn, day, MealStatus::Cancelled, Some(cause))? {
        // Someone who declared an absence for the day since stays without the meal.
        if let Some(absence) = absent_by(o.person_id) {
            recause(
                conn,
                &o,
                Cause::Absence,
                Some(&absence.to_string()),
                by,
                now,
            )?;
            continue;
        }
        let m = MealChange::new(o.person_id, day, Some(&o), Change::Restore(cause));
        if meal(conn, &m, by, now)?.is_ok() {
            n += 1;
        }
    }
    let gs: Vec<Guests> = guest_meals::table
        .filter(guest_meals::service_date.eq(day))
        .filter(guest_meals::status.eq(MealStatus::Cancelled.as_str()))
        .filter(guest_meals::cancel_cause.eq(cause.as_str()))
        .select(Guests::as_select())
        .load(conn)?;
    for g in gs {
        match absent_by(g.person_id) {
            Some(a) => set_guest_cause(conn, &g, Cause::Absence, Some(&a.to_string()))?,
            None => restore_guests(conn, &g, by, now)?,
        }
    }
    Ok(n)
}

/// Close service: every meal still only ordered becomes a no-show.
pub fn close_service(
    conn: &mut DbConn,
    day: NaiveDate,
    by: &By,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut n = 0;
    for o in meals_where(conn, day, MealStatus::Ordered, None)? {
        let m = MealChange::new(o.person_id, day, Some(&o), Change::NoShow);
        if meal(conn, &m, by, now)?.is_ok() {
            n += 1;
        }
    }
    Ok(n)
}

/// A person's meals and guest meals on `days` cancelled for a cause that may go away later
/// (an absence with `cause_ref` = its id; the person having left).
pub fn cancel_for(
    conn: &mut DbConn,
    person: i32,
    days: &[NaiveDate],
    cause: Cause,
    cause_ref: Option<&str>,
    by: &By,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let rows: Vec<Order> = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.eq_any(days))
        .filter(orders::status.eq(MealStatus::Ordered.as_str()))
        .select(Order::as_select())
        .load(conn)?;
    let mut n = 0;
    for o in rows {
        let mut m = MealChange::new(person, o.service_date, Some(&o), Change::Cancel(cause));
        if let Some(r) = cause_ref {
            m = m.cause_ref(r);
        }
        if meal(conn, &m, by, now)?.is_ok() {
            n += 1;
        }
    }
    let gs: Vec<Guests> = guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.eq_any(days))
        .filter(guest_meals::status.eq(MealStatus::Ordered.as_str()))
        .select(Guests::as_select())
        .load(conn)?;
    for g in gs {
        guests(
            conn,
            person,
            g.service_date,
            0,
            None,
            Some(GuestRow::from(&g)),
            cause,
            by,
            now,
        )?;
        if let Some(r) = cause_ref {
            set_guest_cause(conn, &g, cause, Some(r))?;
        }
    }
    Ok(n)
}

fn set_guest_cause(
    conn: &mut DbConn,
    g: &Guests,
    cause: Cause,
    cause_ref: Option<&str>,
) -> Result<(), AppError> {
    update_by_id(
        guest_meals::table,
        g.id,
        (
            guest_meals::cancel_cause.eq(cause.as_str()),
            guest_meals::cancel_ref.eq(cause_ref),
        ),
    )
    .execute(conn)?;
    Ok(())
}

/// A meal (or guest meal) stays cancelled, but for another cause that still holds (the day
/// was reopened, or one absence withdrawn, while another absence covers the day): so that it
/// comes back when *that* cause goes away. Recorded as cancelled → cancelled with the new cause.
pub fn recause(
    conn: &mut DbConn,
    o: &Order,
    cause: Cause,
    cause_ref: Option<&str>,
    by: &By,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    crate::periods::ensure_open(conn, o.service_date)?;
    update_by_id(
        orders::table,
        o.id,
        (
            orders::cancel_cause.eq(cause.as_str()),
            orders::cancel_ref.eq(cause_ref),
            orders::updated_at.eq(now),
            orders::updated_by.eq(by.user),
        ),
    )
    .execute(conn)?;
    append(
        conn,
        &Event {
            kind: EventKind::Meal,
            row_id: o.id,
            person: o.person_id,
            day: o.service_date,
            from: Some(MealStatus::Cancelled.as_str()),
            to: MealStatus::Cancelled.as_str(),
            option: Some(o.option_id),
            price: Some(o.price_vnd.0),
            guests: None,
            cause: Some(cause),
            reason: None,
        },
        by,
        now,
    )
}

/// A cause went away (a day reopened, an absence withdrawn, a leaver reinstated): the
/// person's meals and guest meals from `from` on that it cancelled, and that nobody has changed
/// since, come back — unless the person is still away that day by another absence
/// (`absent_by` names it), in which case they stay cancelled, now for that absence.
#[allow(clippy::too_many_arguments)]
pub fn restore_for(
    conn: &mut DbConn,
    person: i32,
    from: NaiveDate,
    cause: Cause,
    cause_ref: Option<&str>,
    absent_by: &dyn Fn(NaiveDate) -> Option<i32>,
    by: &By,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut q = orders::table
        .filter(orders::person_id.eq(person))
        .filter(orders::service_date.ge(from))
        .filter(orders::status.eq(MealStatus::Cancelled.as_str()))
        .filter(orders::cancel_cause.eq(cause.as_str()))
        .select(Order::as_select())
        .into_boxed();
    if let Some(r) = cause_ref {
        q = q.filter(orders::cancel_ref.eq(r.to_string()));
    }
    let rows: Vec<Order> = q.load(conn)?;
    let mut n = 0;
    for o in rows {
        if let Some(other) = absent_by(o.service_date) {
            recause(conn, &o, Cause::Absence, Some(&other.to_string()), by, now)?;
            continue;
        }
        let m = MealChange::new(person, o.service_date, Some(&o), Change::Restore(cause));
        if meal(conn, &m, by, now)?.is_ok() {
            n += 1;
        }
    }
    let mut gq = guest_meals::table
        .filter(guest_meals::person_id.eq(person))
        .filter(guest_meals::service_date.ge(from))
        .filter(guest_meals::status.eq(MealStatus::Cancelled.as_str()))
        .filter(guest_meals::cancel_cause.eq(cause.as_str()))
        .select(Guests::as_select())
        .into_boxed();
    if let Some(r) = cause_ref {
        gq = gq.filter(guest_meals::cancel_ref.eq(r.to_string()));
    }
    for g in gq.load::<Guests>(conn)? {
        match absent_by(g.service_date) {
            Some(other) => set_guest_cause(conn, &g, Cause::Absence, Some(&other.to_string()))?,
            None => restore_guests(conn, &g, by, now)?,
        }
    }
    Ok(n)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = walk_ins)]
pub struct WalkIn {
    pub id: i32,
    pub person_id: i32,
    pub service_date: NaiveDate,
    pub option_id: i32,
    #[diesel(deserialize_as = i64)]
    pub price_vnd: Vnd,
    pub status: String,
    pub served_at: NaiveDateTime,
    pub served_by: Option<i32>,
}

/// The person's walk-in of the day that still stands.
pub fn walk_in_of(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
) -> Result<Option<WalkIn>, AppError> {
    Ok(walk_ins::table
        .filter(walk_ins::person_id.eq(person))
        .filter(walk_ins::service_date.eq(day))
        .filter(walk_ins::status.eq(states::WalkInStatus::Served.as_str()))
        .select(WalkIn::as_select())
        .get_result(conn)
        .optional()?)
}

/// Serves someone without a meal at the option's full price, in the walk-ins table (never in
/// the person's own order row).
pub fn walk_in(
    conn: &mut DbConn,
    person: i32,
    opt: &MealOption,
    by: &By,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    crate::periods::ensure_open(conn, opt.service_date)?;
    let id: i32 = diesel::insert_into(walk_ins::table)
        .values((
            walk_ins::person_id.eq(person),
            walk_ins::service_date.eq(opt.service_date),
            walk_ins::option_id.eq(opt.id),
            walk_ins::price_vnd.eq(opt.price_vnd.0),
            walk_ins::status.eq(states::WalkInStatus::Served.as_str()),
            walk_ins::served_at.eq(now),
            walk_ins::served_by.eq(by.user),
        ))
        .returning(walk_ins::id)
        .get_result(conn)?;
    append(
        conn,
        &Event {
            kind: EventKind::WalkIn,
            row_id: id,
            person,
            day: opt.service_date,
            from: None,
            to: states::WalkInStatus::Served.as_str(),
            option: Some(opt.id),
            price: Some(opt.price_vnd.0),
            guests: None,
            cause: None,
            reason: None,
        },
        by,
        now,
    )?;
    Ok(id)
}

/// Undoing a walk-in voids it (its events stay).
pub fn void_walk_in(
    conn: &mut DbConn,
    w: &WalkIn,
    by: &By,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    crate::periods::ensure_open(conn, w.service_date)?;
    update_by_id(
        walk_ins::table,
        w.id,
        (
            walk_ins::status.eq(states::WalkInStatus::Void.as_str()),
            walk_ins::voided_at.eq(now),
            walk_ins::voided_by.eq(by.user),
        ),
    )
    .execute(conn)?;
    append(
        conn,
        &Event {
            kind: EventKind::WalkIn,
            row_id: w.id,
            person: w.person_id,
            day: w.service_date,
            from: Some(states::WalkInStatus::Served.as_str()),
            to: states::WalkInStatus::Void.as_str(),
            option: Some(w.option_id),
            price: Some(w.price_vnd.0),
            guests: None,
            cause: None,
            reason: None,
        },
        by,
        now,
    )
}

/// One line of a meal's history.
#[derive(Queryable, Clone, Debug)]
pub struct HistoryLine {
    pub at: NaiveDateTime,
    pub kind: String,
    pub service_date: NaiveDate,
    pub source: String,
    pub by_name: Option<String>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub option_name: Option<String>,
    pub price_vnd: Option<i64>,
    pub guests: Option<i32>,
    pub cause: Option<String>,
    pub reason: Option<String>,
}

/// Every change of a person's meals, guests and walk-ins on a day, oldest first.
pub fn history(
    conn: &mut DbConn,
    person: i32,
    day: NaiveDate,
) -> Result<Vec<HistoryLine>, AppError> {
    use crate::db::schema::{meal_options, users};
    Ok(order_events::table
        .left_join(users::table.on(users::id.nullable().eq(order_events::by_user)))
        .left_join(meal_options::table.on(meal_options::id.nullable().eq(order_events::option_id)))
        .filter(order_events::person_id.eq(person))
        .filter(order_events::service_date.eq(day))
        .order(order_events::id.asc())
        .select((
            order_events::at,
            order_events::kind,
            order_events::service_date,
            order_events::source,
            users::display_name.nullable(),
            order_events::from_status,
            order_events::to_status,
            meal_options::name.nullable(),
            order_events::price_vnd,
            order_events::guests,
            order_events::cause,
            order_events::reason,
        ))
        .load(conn)?)
}
