//! Menus, the service calendar, dishes and canteen settings (all diesel code of those).

use crate::canteen::rules::{DayRow, OptionRef, Settings};
use crate::db::schema::{dishes, meal_options, option_dishes, orders, service_days, settings};
use crate::db::{backend_of, Backend, DbConn};
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use std::collections::HashMap;

pub fn load_settings(conn: &mut DbConn) -> Result<Settings, AppError> {
    // A range, not `LIKE 'canteen.%'`: SQLite prepares a statement with a bound LIKE pattern
    // again every time it runs (as it does one with a bound LIMIT), and this runs on every
    // week page and submission.
    let rows: Vec<(String, String)> = settings::table
        .filter(settings::key.ge("canteen."))
        .filter(settings::key.lt("canteen/"))
        .select((settings::key, settings::value))
        .load(conn)?;
    let mut s = Settings::default();
    for (k, v) in rows {
        match k.as_str() {
            "canteen.cutoff" => {
                if let Ok(t) = NaiveTime::parse_from_str(&v, "%H:%M") {
                    // A value stored before the rule existed never reaches past service.
                    s.cutoff = t.min(crate::canteen::rules::latest_cutoff());
                }
            }
            "canteen.horizon_days" => {
                if let Ok(n) = v.parse::<i64>() {
                    s.horizon_days = n.clamp(1, 60);
                }
            }
            "canteen.allow_walk_in" => s.allow_walk_in = v == "true",
            _ => {}
        }
    }
    Ok(s)
}

pub fn save_settings(conn: &mut DbConn, s: &Settings) -> Result<(), AppError> {
    for (k, v) in [
        ("canteen.cutoff", s.cutoff.format("%H:%M").to_string()),
        ("canteen.horizon_days", s.horizon_days.to_string()),
        ("canteen.allow_walk_in", s.allow_walk_in.to_string()),
    ] {
        diesel::delete(settings::table.find(k)).execute(conn)?;
        diesel::insert_into(settings::table)
            .values((settings::key.eq(k), settings::value.eq(v)))
            .execute(conn)?;
    }
    Ok(())
}

/// Serialises writers that touch the same thing (PostgreSQL; SQLite has one writer already).
///
/// The one lock order every writer follows (so that no two can deadlock):
/// 1. days (`LOCK_DAY`, keyed by the date), ascending — shared by writers that change one
///    person's meals on the day (a submission, the counter), exclusive for writers that
///    change the whole day (closing or reopening it, publishing its menu, close service);
/// 2. the person (`LOCK_PERSON`);
/// 3. meal options with a capacity (`LOCK_OPTION`), ascending by id.
///
/// A writer that finds a lock it needs is not next in that order must not take it; a
/// deadlock or unique-key race that happens anyway is retried by `db::write_tx_on`.
pub fn lock(conn: &mut DbConn, space: i32, id: i32) -> Result<(), AppError> {
    if backend_of(conn) == Backend::Postgres {
        Lock::One { space, id }.run(conn)?;
    }
    Ok(())
}

/// Locks the days `from..=to` in ascending order, shared or exclusive (see `lock`).
pub fn lock_days(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    exclusive: bool,
) -> Result<(), AppError> {
    if backend_of(conn) == Backend::Postgres && from <= to {
        let (from, to) = (day_key(from), day_key(to));
        if exclusive {
            Lock::DaysExclusive { from, to }.run(conn)?;
        } else {
            Lock::Days { from, to }.run(conn)?;
        }
    }
    Ok(())
}

/// What a writer that changes one person's meals takes first: the days `days` (when there
/// are any) shared, ascending, then the person (see `lock`), in one round trip.
pub fn lock_person_days(
    conn: &mut DbConn,
    days: Option<(NaiveDate, NaiveDate)>,
    person: i32,
) -> Result<(), AppError> {
    match days {
        Some((from, to)) if from <= to => {
            if backend_of(conn) == Backend::Postgres {
                Lock::DaysThenPerson {
                    from: day_key(from),
                    to: day_key(to),
                    person,
                }
                .run(conn)?;
            }
            Ok(())
        }
        _ => lock(conn, LOCK_PERSON, person),
    }
}

fn day_key(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

/// The advisory-lock statements (PostgreSQL). Each has its own fixed text, so the connection
/// keeps it prepared (a `sql_query` was parsed and planned again on every call).
///
/// The days are locked by one statement (it was one round trip per day): the series is
/// produced in ascending order and each row's lock is taken as the row is produced, so every
/// transaction takes day locks in the same order (no deadlocks). `DaysThenPerson` appends the
/// person's lock: an `Append` runs its branches one after the other, so the person comes
/// after the days, as the lock order asks.
enum Lock {
    One { space: i32, id: i32 },
    Days { from: i32, to: i32 },
    DaysExclusive { from: i32, to: i32 },
    DaysThenPerson { from: i32, to: i32, person: i32 },
}

impl Lock {
    fn run(self, conn: &mut DbConn) -> Result<(), AppError> {
        match self {
            Lock::One { space, id } => LockQuery::<0>([space, id, 0, 0, 0]).execute(conn)?,
            Lock::Days { from, to } => LockQuery::<1>([LOCK_DAY, from, to, 0, 0]).execute(conn)?,
            Lock::DaysExclusive { from, to } => {
                LockQuery::<2>([LOCK_DAY, from, to, 0, 0]).execute(conn)?
            }
            Lock::DaysThenPerson { from, to, person } => {
                LockQuery::<3>([LOCK_DAY, from, to, LOCK_PERSON, person]).execute(conn)?
            }
        };
        Ok(())
    }
}

/// One of `Lock`'s statements, chosen by `K` (a type per text: diesel keys its prepared
/// statements by type), with its parameters.
struct LockQuery<const K: u8>([i32; 5]);

impl<const K: u8> LockQuery<K> {
    const SQL: &'static [&'static str] = match K {
        0 => &["SELECT pg_advisory_xact_lock(", ", ", ")"],
        1 => &[
            "SELECT pg_advisory_xact_lock_shared(",
            ", k) FROM generate_series(",
            ", ",
            ") AS k",
        ],
        2 => &[
            "SELECT pg_advisory_xact_lock(",
            ", k) FROM generate_series(",
            ", ",
            ") AS k",
        ],
        _ => &[
            "SELECT pg_advisory_xact_lock_shared(",
            ", k) FROM generate_series(",
            ", ",
            ") AS k UNION ALL SELECT pg_advisory_xact_lock(",
            ", ",
            ")",
        ],
    };
}

impl<const K: u8> diesel::query_builder::QueryId for LockQuery<K> {
    type QueryId = LockQuery<K>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const K: u8, DB> diesel::query_builder::QueryFragment<DB> for LockQuery<K>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        // The parameters go between the pieces of text, in order.
        for (i, part) in Self::SQL.iter().enumerate() {
            if let Some(arg) = i.checked_sub(1).and_then(|a| self.0.get(a)) {
                out.push_bind_param::<diesel::sql_types::Integer, _>(arg)?;
            }
            out.push_sql(part);
        }
        Ok(())
    }
}

impl<const K: u8, Conn> RunQueryDsl<Conn> for LockQuery<K> {}

pub const LOCK_PERSON: i32 = 1;
pub const LOCK_OPTION: i32 = 2;
pub const LOCK_DAY: i32 = 3;
/// Not part of the order above: taken alone, with `pg_try_advisory_xact_lock`, by the one server
/// folding the meal summary's changes (`stats::store::fold_meal_deltas`). (5 is the login
/// throttle's, `auth::throttle`; 7 the audit chain's, `audit::record`; 8 an edit page's
/// record, `db::hold_record`, taken first and alone.)
pub const LOCK_STATS_FOLD: i32 = 6;

pub fn day_rows(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<NaiveDate, DayRow>, AppError> {
    type Row = (NaiveDate, bool, Option<String>, bool, Option<NaiveDate>);
    let rows: Vec<Row> = service_days::table
        .filter(service_days::service_date.between(from, to))
        .select((
            service_days::service_date,
            service_days::is_open,
            service_days::reason,
            service_days::published,
            service_days::makeup_for,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, is_open, reason, published, makeup_for)| {
            (
                d,
                DayRow {
                    is_open,
                    reason,
                    published,
                    makeup_for,
                },
            )
        })
        .collect())
}

pub fn day_row(conn: &mut DbConn, d: NaiveDate) -> Result<Option<DayRow>, AppError> {
    Ok(day_rows(conn, d, d)?.remove(&d))
}

/// Writes a day's row (creating it with the default openness when missing).
pub fn put_day(
    conn: &mut DbConn,
    d: NaiveDate,
    row: &DayRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let exists: i64 = service_days::table
        .filter(service_days::service_date.eq(d))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        diesel::update(service_days::table.find(d))
            .set((
                service_days::is_open.eq(row.is_open),
                service_days::reason.eq(&row.reason),
                service_days::published.eq(row.published),
                service_days::makeup_for.eq(row.makeup_for),
                service_days::updated_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(service_days::table)
            .values((
                service_days::service_date.eq(d),
                service_days::is_open.eq(row.is_open),
                service_days::reason.eq(&row.reason),
                service_days::published.eq(row.published),
                service_days::makeup_for.eq(row.makeup_for),
                service_days::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn mark_service_closed(
    conn: &mut DbConn,
    d: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(service_days::table.find(d))
        .set(service_days::service_closed_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn service_closed_at(
    conn: &mut DbConn,
    d: NaiveDate,
) -> Result<Option<NaiveDateTime>, AppError> {
    Ok(service_days::table
        .find(d)
        .select(service_days::service_closed_at)
        .get_result::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = meal_options)]
pub struct MealOption {
    pub id: i32,
    pub service_date: NaiveDate,
    pub name: String,
    #[diesel(deserialize_as = i64)]
    pub price_vnd: Vnd,
    pub capacity: Option<i32>,
    pub vegetarian: bool,
    /// The dishes' names as served that day ("Cơm · Canh chua").
    pub dishes: String,
    pub position: i32,
    /// The allergen codes of its dishes as served that day.
    pub allergens: String,
    /// The dishes' allergen notes ("Tôm rim: nấu chung chảo với lạc").
    pub allergen_notes: String,
}

/// What a day's options showed (names, prices, dishes, allergens), in a few characters: the
/// week form carries it per day (`menu_…`) so that a choice made on a page opened before the
/// kitchen changed that day's options is refused and shown again with the change, rather
/// than taken at a price or with dishes (allergens) the person never saw. FNV-1a; the menu
/// cache keeps each day's, the form carries it as [`mark_text`].
pub fn day_hash<'a>(options: impl IntoIterator<Item = &'a MealOption>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0x1f]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for o in options {
        eat(&o.id.to_le_bytes());
        eat(o.name.as_bytes());
        eat(&o.price_vnd.0.to_le_bytes());
        eat(&[u8::from(o.vegetarian)]);
        eat(o.dishes.as_bytes());
        eat(o.allergens.as_bytes());
        eat(o.allergen_notes.as_bytes());
    }
    h
}

/// A day's mark as the form carries it: 16 lower-case hex digits.
pub fn mark_text(h: u64) -> String {
    let mut s = String::with_capacity(16);
    for i in (0..16).rev() {
        s.push(char::from(
            b"0123456789abcdef"[(h >> (4 * i)) as usize & 0xf],
        ));
    }
    s
}

impl MealOption {
    pub fn as_ref(&self) -> OptionRef {
        OptionRef {
            id: self.id,
            vegetarian: self.vegetarian,
            position: self.position,
        }
    }
}

pub fn options_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MealOption>, AppError> {
    Ok(meal_options::table
        .filter(meal_options::service_date.between(from, to))
        .order((
            meal_options::service_date.asc(),
            meal_options::position.asc(),
            meal_options::id.asc(),
        ))
        .select(MealOption::as_select())
        .load(conn)?)
}

pub fn option(conn: &mut DbConn, id: i32) -> Result<Option<MealOption>, AppError> {
    Ok(meal_options::table
        .find(id)
        .select(MealOption::as_select())
        .get_result(conn)
        .optional()?)
}

pub struct NewOption<'a> {
    pub service_date: NaiveDate,
    pub name: &'a str,
    pub price_vnd: Vnd,
    pub capacity: Option<i32>,
    pub vegetarian: bool,
    pub dishes: &'a [Dish],
}

/// Sets what an option holds: its dish links, in order, and the names and allergens shown.
pub fn set_option_dishes(conn: &mut DbConn, id: i32, list: &[Dish]) -> Result<(), AppError> {
    diesel::delete(option_dishes::table.filter(option_dishes::option_id.eq(id))).execute(conn)?;
    // One row at a time: diesel's MultiConnection has no multi-row INSERT (a few rows).
    for (i, d) in list.iter().enumerate() {
        diesel::insert_into(option_dishes::table)
            .values((
                option_dishes::option_id.eq(id),
                option_dishes::dish_id.eq(d.id),
                option_dishes::position.eq(i as i32),
            ))
            .execute(conn)?;
    }
    let names = list
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    let allergens =
        crate::canteen::rules::allergen_union(list.iter().map(|d| d.allergens.as_str()));
    let notes = list
        .iter()
        .filter(|d| !d.allergen_notes.is_empty())
        .map(|d| format!("{}: {}", d.name, d.allergen_notes))
        .collect::<Vec<_>>()
        .join("; ");
    diesel::update(meal_options::table.find(id))
        .set((
            meal_options::dishes.eq(names),
            meal_options::allergens.eq(allergens),
            meal_options::allergen_notes.eq(notes),
        ))
        .execute(conn)?;
    Ok(())
}

/// Brings what the options of `from` and later show (dish names, allergens, notes) in line
/// with their dishes (after an upgrade that changed how dishes record allergens).
pub fn refresh_options_from(conn: &mut DbConn, from: NaiveDate) -> Result<usize, AppError> {
    let ids: Vec<i32> = meal_options::table
        .filter(meal_options::service_date.ge(from))
        .select(meal_options::id)
        .load(conn)?;
    let mut by_option = dishes_of(conn, &ids)?;
    for id in &ids {
        if let Some(list) = by_option.remove(id) {
            set_option_dishes(conn, *id, &list)?;
        }
    }
    Ok(ids.len())
}

/// The dishes of each option, in order.
pub fn dishes_of(conn: &mut DbConn, ids: &[i32]) -> Result<HashMap<i32, Vec<Dish>>, AppError> {
    let rows: Vec<(i32, Dish)> = option_dishes::table
        .inner_join(dishes::table)
        .filter(option_dishes::option_id.eq_any(ids))
        .order((option_dishes::option_id, option_dishes::position))
        .select((option_dishes::option_id, Dish::as_select()))
        .load(conn)?;
    let mut out: HashMap<i32, Vec<Dish>> = HashMap::new();
    for (o, d) in rows {
        out.entry(o).or_default().push(d);
    }
    Ok(out)
}

/// Options on or after `from` that hold the dish.
pub fn options_with_dish(
    conn: &mut DbConn,
    dish: i32,
    from: NaiveDate,
) -> Result<Vec<MealOption>, AppError> {
    Ok(meal_options::table
        .inner_join(option_dishes::table)
        .filter(option_dishes::dish_id.eq(dish))
        .filter(meal_options::service_date.ge(from))
        .select(MealOption::as_select())
        .load(conn)?)
}

pub fn add_option(
    conn: &mut DbConn,
    o: &NewOption<'_>,
) -> Result<Result<i32, &'static str>, AppError> {
    let taken: i64 = meal_options::table
        .filter(meal_options::service_date.eq(o.service_date))
        .filter(meal_options::name.eq(o.name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Ok(Err("menu.err_option_exists"));
    }
    let position: i64 = meal_options::table
        .filter(meal_options::service_date.eq(o.service_date))
        .count()
        .get_result(conn)?;
    let id = diesel::insert_into(meal_options::table)
        .values((
            meal_options::service_date.eq(o.service_date),
            meal_options::name.eq(o.name),
            meal_options::price_vnd.eq(o.price_vnd.0),
            meal_options::capacity.eq(o.capacity),
            meal_options::vegetarian.eq(o.vegetarian),
            meal_options::position.eq(position as i32),
        ))
        .returning(meal_options::id)
        .get_result(conn)?;
    set_option_dishes(conn, id, o.dishes)?;
    Ok(Ok(id))
}

/// Changes an option's name, price, capacity and kind. Orders already placed keep the price
/// they were placed at. Ok(Err(key)) when another option of the day has the name.
pub fn update_option(
    conn: &mut DbConn,
    id: i32,
    o: &NewOption<'_>,
) -> Result<Result<(), &'static str>, AppError> {
    let taken: i64 = meal_options::table
        .filter(meal_options::service_date.eq(o.service_date))
        .filter(meal_options::name.eq(o.name))
        .filter(meal_options::id.ne(id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Ok(Err("menu.err_option_exists"));
    }
    diesel::update(meal_options::table.find(id))
        .set((
            meal_options::name.eq(o.name),
            meal_options::price_vnd.eq(o.price_vnd.0),
            meal_options::capacity.eq(o.capacity),
            meal_options::vegetarian.eq(o.vegetarian),
        ))
        .execute(conn)?;
    set_option_dishes(conn, id, o.dishes)?;
    Ok(Ok(()))
}

/// Removes an option that nobody has ordered (cancelled orders included: they keep history).
pub fn delete_option(conn: &mut DbConn, id: i32) -> Result<Result<(), &'static str>, AppError> {
    let used: i64 = orders::table
        .filter(orders::option_id.eq(id))
        .count()
        .get_result(conn)?;
    let guests: i64 = crate::db::schema::guest_meals::table
        .filter(crate::db::schema::guest_meals::option_id.eq(id))
        .count()
        .get_result(conn)?;
    let walk_ins: i64 = crate::db::schema::walk_ins::table
        .filter(crate::db::schema::walk_ins::option_id.eq(id))
        .count()
        .get_result(conn)?;
    if used + guests + walk_ins > 0 {
        return Ok(Err("menu.err_option_in_use"));
    }
    diesel::delete(meal_options::table.find(id)).execute(conn)?;
    Ok(Ok(()))
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = dishes)]
pub struct Dish {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub vegetarian: bool,
    /// Allergen codes from the fixed list (`rules::ALLERGENS`), comma-separated.
    pub allergens: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub allergen_notes: String,
    /// A liquid dish (soup): its food sample is measured in ml.
    pub liquid: bool,
}

/// The catalogue in Vietnamese alphabetical order (Đ after D, not after Z).
pub fn all_dishes(conn: &mut DbConn) -> Result<Vec<Dish>, AppError> {
    let mut list: Vec<Dish> = dishes::table.select(Dish::as_select()).load(conn)?;
    list.sort_by_cached_key(|d| crate::people::rules::text_key(&d.name));
    Ok(list)
}

pub fn dish(conn: &mut DbConn, id: i32) -> Result<Option<Dish>, AppError> {
    Ok(dishes::table
        .find(id)
        .select(Dish::as_select())
        .get_result(conn)
        .optional()?)
}

pub struct DishInput {
    pub name: String,
    pub description: String,
    pub vegetarian: bool,
    pub allergens: String,
    pub allergen_notes: String,
    pub liquid: bool,
    pub active: bool,
}

/// A dish saved: its id, and how many people who ordered an option holding it were told of a
/// change (each once, however many of their options hold it).
pub struct SavedDish {
    pub id: i32,
    pub notified: usize,
}

/// Store command: a dish created or changed. A dish in a vegetarian option of today or later
/// stays vegetarian. The options of today and later that hold it show its new name and
/// allergens, and those who ordered one of them are told (a new allergen above all); days that
/// are over keep what was served. Audited.
pub fn save_dish(
    conn: &mut DbConn,
    id: Option<i32>,
    d: &DishInput,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> Result<Result<SavedDish, &'static str>, AppError> {
    let today = crate::clock::business_date_of(now);
    let before = match id {
        Some(id) => Some(dish(conn, id)?.ok_or(AppError::NotFound)?),
        None => None,
    };
    if let Some(id) = id.filter(|_| !d.vegetarian) {
        if options_with_dish(conn, id, today)?
            .iter()
            .any(|o| o.vegetarian)
        {
            return Ok(Err("dish.err_in_vegetarian_option"));
        }
    }
    // "Tôm rim", "tôm rim" and "TÔM RIM" are one dish.
    let folded = d.name.to_lowercase();
    let names: Vec<(i32, String)> = dishes::table
        .select((dishes::id, dishes::name))
        .load(conn)?;
    if names
        .iter()
        .any(|(other, n)| Some(*other) != id && n.to_lowercase() == folded)
    {
        return Ok(Err("dish.err_name_taken"));
    }
    use crate::canteen::notices::{tell_option_changed, Notes};
    // Who was told, once each (one dish may be in several options they ordered).
    let mut told: Vec<i32> = Vec::new();
    let saved = match id {
        Some(id) => {
            diesel::update(dishes::table.find(id))
                .set((
                    dishes::name.eq(&d.name),
                    dishes::description.eq(&d.description),
                    dishes::vegetarian.eq(d.vegetarian),
                    dishes::allergens.eq(&d.allergens),
                    dishes::allergen_notes.eq(&d.allergen_notes),
                    dishes::liquid.eq(d.liquid),
                    dishes::active.eq(d.active),
                ))
                .execute(conn)?;
            for o in options_with_dish(conn, id, today)? {
                let list = dishes_of(conn, &[o.id])?.remove(&o.id).unwrap_or_default();
                set_option_dishes(conn, o.id, &list)?;
                let notes = match &before {
                    Some(b) if b.allergen_notes == d.allergen_notes => Notes::Same,
                    _ => Notes::AsShown,
                };
                told.extend(tell_option_changed(conn, &o, notes, actor.user_id, now)?);
            }
            id
        }
        None => diesel::insert_into(dishes::table)
            .values((
                dishes::name.eq(&d.name),
                dishes::description.eq(&d.description),
                dishes::vegetarian.eq(d.vegetarian),
                dishes::allergens.eq(&d.allergens),
                dishes::allergen_notes.eq(&d.allergen_notes),
                dishes::liquid.eq(d.liquid),
                dishes::active.eq(d.active),
                dishes::created_at.eq(now),
            ))
            .returning(dishes::id)
            .get_result(conn)?,
    };
    let snap = |x: &DishInput| {
        serde_json::json!({"name": x.name, "description": x.description,
            "vegetarian": x.vegetarian, "allergens": x.allergens,
            "allergen_notes": x.allergen_notes, "liquid": x.liquid, "active": x.active})
    };
    let mut entry = crate::audit::Entry::new(
        if before.is_some() {
            "catalogue_dish.update"
        } else {
            "catalogue_dish.create"
        },
        "dish",
    )
    .id(saved)
    .after(snap(d));
    told.sort_unstable();
    told.dedup();
    let notified = told.len();
    if notified > 0 {
        let mut after = snap(d);
        after["people_notified"] = serde_json::json!(notified);
        entry = entry.after(after);
    }
    if let Some(b) = &before {
        entry = entry.before(snap(&DishInput {
            name: b.name.clone(),
            description: b.description.clone(),
            vegetarian: b.vegetarian,
            allergens: b.allergens.clone(),
            allergen_notes: b.allergen_notes.clone(),
            liquid: b.liquid,
            active: b.active,
        }));
    }
    crate::audit::record(conn, actor, now, entry)?;
    Ok(Ok(SavedDish {
        id: saved,
        notified,
    }))
}

/// A day whose cut-off has passed is final: it cannot be closed or opened any more.
fn refuse_past(conn: &mut DbConn, first: NaiveDate, now: NaiveDateTime) -> Result<(), AppError> {
    let s = load_settings(conn)?;
    let now_utc = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(now, chrono::Utc);
    if now_utc >= super::super::rules::cutoff_instant(first, s.cutoff) {
        return Err(AppError::BadRequest("cal.err_past"));
    }
    Ok(())
}

/// Store command: closes the days `from..=to` (holiday, Tết) with a reason. Every meal and
/// guest meal still ordered on them is cancelled with the cause "day closed". Returns how many
/// meals were cancelled.
pub fn close_days(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    use crate::canteen::states::Source;
    use crate::canteen::transition::{self, By};
    lock_days(conn, from, to, true)?;
    refuse_past(conn, from, now)?;
    // A day whose meals have begun to be served (the counter opened early) keeps them: closing
    // it would cancel the meals not yet collected and leave those eaten.
    use crate::db::schema::{orders, walk_ins};
    let served: i64 = orders::table
        .filter(orders::service_date.between(from, to))
        .filter(orders::status.eq_any(["served", "no_show"]))
        .count()
        .get_result(conn)?;
    let walked_in: i64 = walk_ins::table
        .filter(walk_ins::service_date.between(from, to))
        .filter(walk_ins::status.eq("served"))
        .count()
        .get_result(conn)?;
    if served + walked_in > 0 {
        return Err(AppError::BadRequest("cal.err_served"));
    }
    let rows = day_rows(conn, from, to)?;
    let by = By::new(actor.user_id, Source::Calendar);
    let mut cancelled = 0;
    let mut d = from;
    while d <= to {
        crate::periods::ensure_open(conn, d)?;
        let published = rows.get(&d).is_some_and(|r| r.published);
        let row = DayRow {
            is_open: false,
            reason: Some(reason.to_string()),
            published,
            makeup_for: None,
        };
        put_day(conn, d, &row, now)?;
        cancelled += transition::close_day(conn, d, reason, &by, now)?;
        d += chrono::Duration::days(1);
    }
    crate::audit::record(
        conn,
        actor,
        now,
        crate::audit::Entry::new("calendar.close", "service_day").after(serde_json::json!(
            {"from": from, "to": to, "reason": reason, "meals_cancelled": cancelled}
        )),
    )?;
    Ok(cancelled)
}

/// Store command: opens a day (a make-up Saturday, or a closed day reopened). The meals the
/// closure cancelled come back (not those people cancelled themselves); if the day can still
/// be ordered, standing orders fill the places of people without a meal row. Returns
/// (meals restored, standing meals added).
pub fn open_day(
    conn: &mut DbConn,
    opening: &crate::canteen::rules::Opening,
    actor: &crate::audit::Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(usize, usize), AppError> {
    let (day, reason) = (opening.day, opening.reason.as_deref());
    use crate::canteen::states::Source;
    use crate::canteen::transition::{self, By};
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    lock_days(conn, day, day, true)?;
    crate::periods::ensure_open(conn, day)?;
    refuse_past(conn, day, nowt)?;
    let published = day_row(conn, day)?.is_some_and(|r| r.published);
    let row = DayRow {
        is_open: true,
        reason: reason.map(str::to_string),
        published,
        makeup_for: opening.makeup_for,
    };
    put_day(conn, day, &row, nowt)?;
    let by = By::new(actor.user_id, Source::Calendar);
    let away = super::super::standing::absences_on(conn, day)?;
    let absent_by = |person: i32| super::super::standing::covering(&away, person, day);
    let restored = transition::reopen_day(conn, day, &absent_by, &by, nowt)?;
    let s = load_settings(conn)?;
    let mut added = 0;
    if crate::canteen::rules::editable(day, Some(&row), now, &s).is_ok() {
        let opts = options_between(conn, day, day)?;
        let as_day = DayRow::standing_as(Some(&row), day);
        added = crate::canteen::standing::materialize_day(conn, day, as_day, &opts, nowt)?;
    }
    crate::audit::record(
        conn,
        actor,
        nowt,
        crate::audit::Entry::new("calendar.open", "service_day").after(serde_json::json!(
            {"day": day, "reason": reason, "makeup_for": opening.makeup_for,
             "meals_restored": restored, "standing_meals": added}
        )),
    )?;
    Ok((restored, added))
}

/// The names of the options of every day of `from..=to` (day, name), for matching a
/// supplier's invoice lines to them.
pub fn option_names_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String)>, AppError> {
    Ok(meal_options::table
        .filter(meal_options::service_date.between(from, to))
        .order((meal_options::service_date, meal_options::position))
        .select((meal_options::service_date, meal_options::name))
        .load(conn)?)
}

/// The names of the options of the days of `from..=to`, by option id.
pub fn option_names_by_id(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i32, String>, AppError> {
    Ok(meal_options::table
        .filter(meal_options::service_date.between(from, to))
        .select((meal_options::id, meal_options::name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// The current value of the `menu` counter.
pub fn menu_version(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(
        crate::on_backend!(conn, |c| crate::db::schema::data_versions::table
            .find("menu")
            .select(crate::db::schema::data_versions::version)
            .get_result::<i64>(c)
            .optional())?
        .unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_mark_is_its_hash_in_sixteen_hex_digits() {
        for h in [
            0,
            1,
            0xf,
            0x00ff_13a3_6201_9f51,
            u64::MAX,
            0x8000_0000_0000_0000,
        ] {
            assert_eq!(mark_text(h), format!("{h:016x}"));
        }
        assert_eq!(mark_text(day_hash([])), format!("{:016x}", day_hash([])));
    }
}
