//! All diesel code of the food-safety records. Every write is one store command that checks,
//! writes and audits in the caller's transaction.

use super::rules::{self, CertStatus, DishState};
use crate::attachments::{self, NewFile};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    dishes, food_certificates, food_deliveries, food_delivery_items, food_incidents,
    food_prep_checks, food_samples, food_serve_checks, meal_options, option_dishes, settings,
    suppliers, users,
};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;

/// The owner kind of a certificate's scanned copy in `attachments`.
pub const CERT_FILE: &str = "food_certificate";
const KEEP_HOURS_KEY: &str = "foodsafety.sample_keep_hours";

#[derive(Clone, Debug)]
pub struct DayDish {
    pub id: i32,
    pub name: String,
    pub liquid: bool,
}

/// The dishes on a day's menu (every option), each once, in menu order.
pub fn dishes_of(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<DayDish>, AppError> {
    let rows: Vec<(i32, String, bool)> = option_dishes::table
        .inner_join(meal_options::table)
        .inner_join(dishes::table)
        .filter(meal_options::service_date.eq(day))
        .order((
            meal_options::position.asc(),
            meal_options::id.asc(),
            option_dishes::position.asc(),
        ))
        .select((dishes::id, dishes::name, dishes::liquid))
        .load(conn)?;
    let mut out: Vec<DayDish> = Vec::new();
    for (id, name, liquid) in rows {
        if !out.iter().any(|d| d.id == id) {
            out.push(DayDish { id, name, liquid });
        }
    }
    Ok(out)
}

/// Display names of users, by id.
fn names(conn: &mut DbConn, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

// ---------------------------------------------------------------- certificates

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = food_certificates)]
pub struct Certificate {
    pub id: i32,
    pub supplier_id: i32,
    pub number: String,
    pub issuer: String,
    pub valid_until: NaiveDate,
    pub attachment_id: Option<i32>,
}

pub fn certificates(conn: &mut DbConn) -> Result<Vec<Certificate>, AppError> {
    Ok(food_certificates::table
        .order((
            food_certificates::valid_until.desc(),
            food_certificates::id.desc(),
        ))
        .select(Certificate::as_select())
        .load(conn)?)
}

/// The certificate status of a supplier on a day.
pub fn cert_status_of(
    conn: &mut DbConn,
    supplier: i32,
    day: NaiveDate,
) -> Result<CertStatus, AppError> {
    let until: Vec<NaiveDate> = food_certificates::table
        .filter(food_certificates::supplier_id.eq(supplier))
        .select(food_certificates::valid_until)
        .load(conn)?;
    Ok(rules::cert_status(&until, day))
}

pub struct NewCertificate<'a> {
    pub supplier_id: i32,
    pub number: &'a str,
    pub issuer: &'a str,
    pub valid_until: NaiveDate,
    /// The scanned copy (file name, media type, bytes), when one was uploaded.
    pub scan: Option<(&'a str, &'a str, &'a [u8])>,
}

/// The longest certificate number and issuer kept (characters).
pub const CERT_NUMBER_MAX: usize = 100;
pub const CERT_ISSUER_MAX: usize = 200;

/// Store command: records a supplier's certificate (and its scan). Returns its id.
pub fn add_certificate(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    c: &NewCertificate<'_>,
) -> Result<i32, AppError> {
    let number = crate::ui::forms::bounded_text(c.number, CERT_NUMBER_MAX)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("fs.err_cert_number"))?;
    let issuer = crate::ui::forms::bounded_text(c.issuer, CERT_ISSUER_MAX)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("fs.err_cert_issuer"))?;
    let known: i64 = suppliers::table
        .find(c.supplier_id)
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(AppError::BadRequest("fs.err_supplier"));
    }
    let id: i32 = diesel::insert_into(food_certificates::table)
        .values((
            food_certificates::supplier_id.eq(c.supplier_id),
            food_certificates::number.eq(&number),
            food_certificates::issuer.eq(&issuer),
            food_certificates::valid_until.eq(c.valid_until),
            food_certificates::created_at.eq(now),
            food_certificates::created_by.eq(actor.user_id),
        ))
        .returning(food_certificates::id)
        .get_result(conn)?;
    let mut sha = None;
    if let Some((file_name, media_type, content)) = c.scan {
        let f = attachments::store(
            conn,
            actor.user_id,
            now,
            &NewFile {
                owner_kind: CERT_FILE,
                owner_id: id,
                file_name,
                media_type,
                content,
            },
        )?;
        diesel::update(food_certificates::table.find(id))
            .set(food_certificates::attachment_id.eq(f))
            .execute(conn)?;
        sha = Some(attachments::sha256_hex(content));
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_certificate.create", "food_certificate")
            .id(id)
            .after(
                json!({"supplier_id": c.supplier_id, "number": number, "issuer": issuer,
                "valid_until": c.valid_until, "scan_sha256": sha}),
            ),
    )?;
    Ok(id)
}

pub fn certificate_scan(conn: &mut DbConn, id: i32) -> Result<attachments::File, AppError> {
    let att: Option<i32> = food_certificates::table
        .find(id)
        .select(food_certificates::attachment_id)
        .get_result(conn)
        .optional()?
        .flatten();
    attachments::of_owner(conn, att.ok_or(AppError::NotFound)?, CERT_FILE, id)
}

// ---------------------------------------------------------------- step 1: deliveries

#[derive(Clone, Debug, Default)]
pub struct Item {
    pub name: String,
    pub quantity: String,
    pub unit: String,
    pub origin: String,
    pub lot_ref: String,
    pub expiry: Option<NaiveDate>,
    pub temperature_dt: Option<i32>,
    pub sensory_ok: bool,
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i32,
    pub service_date: NaiveDate,
    pub supplier: String,
    pub goods: String,
    pub received_at: NaiveDateTime,
    pub invoice_ref: String,
    pub note: String,
    pub checker: String,
    pub items: Vec<Item>,
}

impl Delivery {
    /// Every item passed the sensory check.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|i| i.sensory_ok)
    }
}

pub const GOODS: [&str; 2] = ["fresh", "dry"];

pub struct NewDelivery {
    pub service_date: NaiveDate,
    pub supplier_id: i32,
    pub goods: String,
    pub received_at: NaiveDateTime,
    pub invoice_ref: String,
    pub note: String,
    pub items: Vec<Item>,
}

/// Store command: a delivery checked on receipt (step 1). Refused when the supplier has no
/// certificate valid on the day. Returns its id.
pub fn record_delivery(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    d: &NewDelivery,
) -> Result<i32, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    if !GOODS.contains(&d.goods.as_str()) {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if d.items.is_empty() {
        return Err(AppError::BadRequest("fs.err_no_items"));
    }
    ensure_past(d.received_at, now)?;
    ensure_not_under_incident(conn, d.service_date)?;
    let name: Option<String> = suppliers::table
        .find(d.supplier_id)
        .select(suppliers::name)
        .get_result(conn)
        .optional()?;
    let Some(supplier) = name else {
        return Err(AppError::BadRequest("fs.err_supplier"));
    };
    match cert_status_of(conn, d.supplier_id, d.service_date)? {
        CertStatus::Missing => return Err(AppError::BadRequest("fs.err_cert_missing")),
        CertStatus::Expired(_) => return Err(AppError::BadRequest("fs.err_cert_expired")),
        _ => {}
    }
    let id: i32 = diesel::insert_into(food_deliveries::table)
        .values((
            food_deliveries::service_date.eq(d.service_date),
            food_deliveries::supplier_id.eq(d.supplier_id),
            food_deliveries::goods.eq(&d.goods),
            food_deliveries::received_at.eq(d.received_at),
            food_deliveries::invoice_ref.eq(&d.invoice_ref),
            food_deliveries::note.eq(&d.note),
            food_deliveries::checked_by.eq(by),
            food_deliveries::recorded_at.eq(now),
        ))
        .returning(food_deliveries::id)
        .get_result(conn)?;
    for (i, it) in d.items.iter().enumerate() {
        diesel::insert_into(food_delivery_items::table)
            .values((
                food_delivery_items::delivery_id.eq(id),
                food_delivery_items::position.eq(i as i32 + 1),
                food_delivery_items::name.eq(&it.name),
                food_delivery_items::quantity.eq(&it.quantity),
                food_delivery_items::unit.eq(&it.unit),
                food_delivery_items::origin.eq(&it.origin),
                food_delivery_items::lot_ref.eq(&it.lot_ref),
                food_delivery_items::expiry.eq(it.expiry),
                food_delivery_items::temperature_dt.eq(it.temperature_dt),
                food_delivery_items::sensory_ok.eq(it.sensory_ok),
                food_delivery_items::note.eq(&it.note),
            ))
            .execute(conn)?;
    }
    let items: Vec<_> = d
        .items
        .iter()
        .map(|i| json!({"name": i.name, "quantity": i.quantity, "unit": i.unit, "sensory_ok": i.sensory_ok}))
        .collect();
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_delivery.create", "food_delivery")
            .id(id)
            .after(
                json!({"day": d.service_date, "supplier": supplier, "goods": d.goods,
                "invoice_ref": d.invoice_ref, "items": items}),
            ),
    )?;
    Ok(id)
}

/// The deliveries of a day with their items, in the order they arrived.
pub fn deliveries_on(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<Delivery>, AppError> {
    type Row = (
        i32,
        NaiveDate,
        String,
        String,
        NaiveDateTime,
        String,
        String,
        i32,
    );
    let rows: Vec<Row> = food_deliveries::table
        .inner_join(suppliers::table.on(suppliers::id.eq(food_deliveries::supplier_id)))
        .filter(food_deliveries::service_date.eq(day))
        .order((
            food_deliveries::received_at.asc(),
            food_deliveries::id.asc(),
        ))
        .select((
            food_deliveries::id,
            food_deliveries::service_date,
            suppliers::name,
            food_deliveries::goods,
            food_deliveries::received_at,
            food_deliveries::invoice_ref,
            food_deliveries::note,
            food_deliveries::checked_by,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    type ItemRow = (
        i32,
        String,
        String,
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<i32>,
        bool,
        String,
    );
    let items: Vec<ItemRow> = food_delivery_items::table
        .filter(food_delivery_items::delivery_id.eq_any(&ids))
        .order((
            food_delivery_items::delivery_id.asc(),
            food_delivery_items::position.asc(),
        ))
        .select((
            food_delivery_items::delivery_id,
            food_delivery_items::name,
            food_delivery_items::quantity,
            food_delivery_items::unit,
            food_delivery_items::origin,
            food_delivery_items::lot_ref,
            food_delivery_items::expiry,
            food_delivery_items::temperature_dt,
            food_delivery_items::sensory_ok,
            food_delivery_items::note,
        ))
        .load(conn)?;
    let who = names(conn, rows.iter().map(|r| r.7).collect())?;
    Ok(rows
        .into_iter()
        .map(|r| Delivery {
            id: r.0,
            service_date: r.1,
            supplier: r.2,
            goods: r.3,
            received_at: r.4,
            invoice_ref: r.5,
            note: r.6,
            checker: who.get(&r.7).cloned().unwrap_or_default(),
            items: items
                .iter()
                .filter(|i| i.0 == r.0)
                .map(|i| Item {
                    name: i.1.clone(),
                    quantity: i.2.clone(),
                    unit: i.3.clone(),
                    origin: i.4.clone(),
                    lot_ref: i.5.clone(),
                    expiry: i.6,
                    temperature_dt: i.7,
                    sensory_ok: i.8,
                    note: i.9.clone(),
                })
                .collect(),
        })
        .collect())
}

// ---------------------------------------------------------------- steps 2 and 3

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = food_prep_checks)]
pub struct Prep {
    pub dish_id: i32,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub people_ok: bool,
    pub tools_ok: bool,
    pub area_ok: bool,
    pub sensory_ok: bool,
    pub note: String,
    pub checked_by: i32,
}

impl Prep {
    pub fn passed(&self) -> bool {
        self.people_ok && self.tools_ok && self.area_ok && self.sensory_ok
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = food_serve_checks)]
pub struct Serve {
    pub dish_id: i32,
    pub ready_at: NaiveDateTime,
    pub covered_ok: bool,
    pub sensory_ok: bool,
    pub note: String,
    pub checked_by: i32,
}

impl Serve {
    pub fn passed(&self) -> bool {
        self.covered_ok && self.sensory_ok
    }
}

/// Refuses any new or changed record of a day while an incident about that day is open: the
/// trace must show the records as they were when it was reported.
fn ensure_not_under_incident(conn: &mut DbConn, day: NaiveDate) -> Result<(), AppError> {
    if open_incidents(conn)?.iter().any(|(_, d)| *d == day) {
        return Err(AppError::BadRequest("fs.err_incident_lock"));
    }
    Ok(())
}

/// Refuses a time still to come: a check records what was done.
fn ensure_past(at: NaiveDateTime, now: NaiveDateTime) -> Result<(), AppError> {
    if at > now {
        return Err(AppError::BadRequest("fs.err_future_time"));
    }
    Ok(())
}

/// Refuses a dish that is not on the day's menu.
fn on_menu(conn: &mut DbConn, day: NaiveDate, dish: i32) -> Result<DayDish, AppError> {
    dishes_of(conn, day)?
        .into_iter()
        .find(|d| d.id == dish)
        .ok_or(AppError::BadRequest("fs.err_not_on_menu"))
}

/// Store command: step 2 of a dish on a day; a second record replaces the first (audited
/// with what it replaced).
pub fn record_prep(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    day: NaiveDate,
    p: &Prep,
) -> Result<(), AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let dish = on_menu(conn, day, p.dish_id)?;
    if p.finished_at < p.started_at {
        return Err(AppError::BadRequest("fs.err_finish_before_start"));
    }
    ensure_past(p.finished_at, now)?;
    ensure_not_under_incident(conn, day)?;
    if !p.passed() && p.note.is_empty() {
        return Err(AppError::BadRequest("fs.err_fail_note"));
    }
    // A later step recorded already must still follow this one.
    let serve: Option<NaiveDateTime> = food_serve_checks::table
        .find((day, p.dish_id))
        .select(food_serve_checks::ready_at)
        .get_result(conn)
        .optional()?;
    if serve.is_some_and(|r| r < p.finished_at) {
        return Err(AppError::BadRequest("fs.err_order"));
    }
    let key = (day, p.dish_id);
    let before: Option<Prep> = food_prep_checks::table
        .find(key)
        .select(Prep::as_select())
        .get_result(conn)
        .optional()?;
    let values = (
        food_prep_checks::started_at.eq(p.started_at),
        food_prep_checks::finished_at.eq(p.finished_at),
        food_prep_checks::people_ok.eq(p.people_ok),
        food_prep_checks::tools_ok.eq(p.tools_ok),
        food_prep_checks::area_ok.eq(p.area_ok),
        food_prep_checks::sensory_ok.eq(p.sensory_ok),
        food_prep_checks::note.eq(&p.note),
        food_prep_checks::checked_by.eq(by),
        food_prep_checks::recorded_at.eq(now),
    );
    if before.is_some() {
        diesel::update(food_prep_checks::table.find(key))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(food_prep_checks::table)
            .values((
                food_prep_checks::service_date.eq(day),
                food_prep_checks::dish_id.eq(p.dish_id),
                values,
            ))
            .execute(conn)?;
    }
    let show = |p: &Prep| {
        json!({"started": rules::local_hm(p.started_at), "finished": rules::local_hm(p.finished_at),
            "people_ok": p.people_ok, "tools_ok": p.tools_ok, "area_ok": p.area_ok,
            "sensory_ok": p.sensory_ok, "note": p.note})
    };
    let mut e = Entry::new("food_check.prep", "dish")
        .id(p.dish_id)
        .after(json!({"day": day, "dish": dish.name, "check": show(p)}));
    if let Some(b) = &before {
        e = e.before(show(b));
    }
    audit::record(conn, actor, now, e)
}

/// Store command: step 3 of a dish on a day (replaces an earlier one, audited).
pub fn record_serve(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    day: NaiveDate,
    s: &Serve,
) -> Result<(), AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let dish = on_menu(conn, day, s.dish_id)?;
    ensure_past(s.ready_at, now)?;
    ensure_not_under_incident(conn, day)?;
    if !s.passed() && s.note.is_empty() {
        return Err(AppError::BadRequest("fs.err_fail_note"));
    }
    // Step 3 follows step 2: it needs one, at or after the end of cooking.
    match prep_finished(conn, day, s.dish_id)? {
        None => return Err(AppError::BadRequest("fs.err_no_prep")),
        Some(f) if s.ready_at < f => return Err(AppError::BadRequest("fs.err_order")),
        Some(_) => {}
    }
    let key = (day, s.dish_id);
    let before: Option<Serve> = food_serve_checks::table
        .find(key)
        .select(Serve::as_select())
        .get_result(conn)
        .optional()?;
    let values = (
        food_serve_checks::ready_at.eq(s.ready_at),
        food_serve_checks::covered_ok.eq(s.covered_ok),
        food_serve_checks::sensory_ok.eq(s.sensory_ok),
        food_serve_checks::note.eq(&s.note),
        food_serve_checks::checked_by.eq(by),
        food_serve_checks::recorded_at.eq(now),
    );
    if before.is_some() {
        diesel::update(food_serve_checks::table.find(key))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(food_serve_checks::table)
            .values((
                food_serve_checks::service_date.eq(day),
                food_serve_checks::dish_id.eq(s.dish_id),
                values,
            ))
            .execute(conn)?;
    }
    let show = |s: &Serve| {
        json!({"ready": rules::local_hm(s.ready_at), "covered_ok": s.covered_ok,
            "sensory_ok": s.sensory_ok, "note": s.note})
    };
    let mut e = Entry::new("food_check.serve", "dish")
        .id(s.dish_id)
        .after(json!({"day": day, "dish": dish.name, "check": show(s)}));
    if let Some(b) = &before {
        e = e.before(show(b));
    }
    audit::record(conn, actor, now, e)
}

/// When cooking of a dish ended on a day (its step 2), if recorded.
fn prep_finished(
    conn: &mut DbConn,
    day: NaiveDate,
    dish: i32,
) -> Result<Option<NaiveDateTime>, AppError> {
    Ok(food_prep_checks::table
        .find((day, dish))
        .select(food_prep_checks::finished_at)
        .get_result(conn)
        .optional()?)
}

// ---------------------------------------------------------------- samples

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = food_samples)]
pub struct Sample {
    pub id: i32,
    pub service_date: NaiveDate,
    pub dish_id: i32,
    pub taken_at: NaiveDateTime,
    pub amount: i32,
    pub liquid: bool,
    pub storage_dt: i32,
    pub container: String,
    pub taken_by: i32,
    pub discarded_at: Option<NaiveDateTime>,
    pub discarded_by: Option<i32>,
    pub discard_note: String,
}

pub struct NewSample {
    pub dish_id: i32,
    pub taken_at: NaiveDateTime,
    pub amount: i32,
    pub storage_dt: i32,
    pub container: String,
}

/// Store command: the sample of a dish on a day (once). The amount must reach the minimum
/// for the dish's kind and the storage temperature lie within 2–8 °C.
pub fn take_sample(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    day: NaiveDate,
    s: &NewSample,
) -> Result<i32, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let dish = on_menu(conn, day, s.dish_id)?;
    if s.amount < rules::min_sample(dish.liquid) || s.amount > 5000 {
        return Err(AppError::BadRequest(if dish.liquid {
            "fs.err_sample_liquid"
        } else {
            "fs.err_sample_solid"
        }));
    }
    if !(rules::STORAGE_MIN_DT..=rules::STORAGE_MAX_DT).contains(&s.storage_dt) {
        return Err(AppError::BadRequest("fs.err_storage"));
    }
    ensure_past(s.taken_at, now)?;
    ensure_not_under_incident(conn, day)?;
    // A sample is of the cooked dish: after step 2 ended.
    match prep_finished(conn, day, s.dish_id)? {
        None => return Err(AppError::BadRequest("fs.err_no_prep")),
        Some(f) if s.taken_at < f => return Err(AppError::BadRequest("fs.err_order")),
        Some(_) => {}
    }
    let taken: i64 = food_samples::table
        .filter(food_samples::service_date.eq(day))
        .filter(food_samples::dish_id.eq(s.dish_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::BadRequest("fs.err_sample_taken"));
    }
    let id: i32 = diesel::insert_into(food_samples::table)
        .values((
            food_samples::service_date.eq(day),
            food_samples::dish_id.eq(s.dish_id),
            food_samples::taken_at.eq(s.taken_at),
            food_samples::amount.eq(s.amount),
            food_samples::liquid.eq(dish.liquid),
            food_samples::storage_dt.eq(s.storage_dt),
            food_samples::container.eq(&s.container),
            food_samples::taken_by.eq(by),
        ))
        .returning(food_samples::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_sample.take", "food_sample")
            .id(id)
            .after(json!({"day": day, "dish": dish.name, "amount": s.amount, "liquid": dish.liquid,
                "storage": rules::show_temperature(s.storage_dt), "taken": rules::local_hm(s.taken_at)})),
    )?;
    Ok(id)
}

/// The retention time of samples in hours (a setting, at least 24).
pub fn keep_hours(conn: &mut DbConn) -> Result<i64, AppError> {
    let v: Option<String> = settings::table
        .find(KEEP_HOURS_KEY)
        .select(settings::value)
        .get_result(conn)
        .optional()?;
    Ok(v.and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(rules::KEEP_HOURS_MIN)
        .clamp(rules::KEEP_HOURS_MIN, rules::KEEP_HOURS_MAX))
}

/// Store command: sets the retention time (24–168 hours), audited.
pub fn set_keep_hours(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    hours: i64,
) -> Result<(), AppError> {
    if !(rules::KEEP_HOURS_MIN..=rules::KEEP_HOURS_MAX).contains(&hours) {
        return Err(AppError::BadRequest("fs.err_keep_hours"));
    }
    let before = keep_hours(conn)?;
    let n = diesel::update(settings::table.find(KEEP_HOURS_KEY))
        .set(settings::value.eq(hours.to_string()))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(KEEP_HOURS_KEY),
                settings::value.eq(hours.to_string()),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_settings.update", "setting")
            .id(KEEP_HOURS_KEY)
            .before(json!({"sample_keep_hours": before}))
            .after(json!({"sample_keep_hours": hours})),
    )
}

/// The samples of a range of days, oldest first.
pub fn samples_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Sample>, AppError> {
    Ok(food_samples::table
        .filter(food_samples::service_date.between(from, to))
        .order((
            food_samples::service_date.asc(),
            food_samples::taken_at.asc(),
        ))
        .select(Sample::as_select())
        .load(conn)?)
}

/// A sample still kept, with its dish and whether an open incident holds it.
#[derive(Clone, Debug)]
pub struct KeptSample {
    pub sample: Sample,
    pub dish: String,
    pub due_at: NaiveDateTime,
    pub held_by: Option<i32>,
}

/// Samples not discarded yet, oldest first, with when each may go.
pub fn kept_samples(conn: &mut DbConn) -> Result<Vec<KeptSample>, AppError> {
    let hours = keep_hours(conn)?;
    let rows: Vec<(Sample, String)> = food_samples::table
        .inner_join(dishes::table.on(dishes::id.eq(food_samples::dish_id)))
        .filter(food_samples::discarded_at.is_null())
        .order((food_samples::taken_at.asc(), food_samples::id.asc()))
        .select((Sample::as_select(), dishes::name))
        .load(conn)?;
    let open = open_incidents(conn)?;
    Ok(rows
        .into_iter()
        .map(|(s, dish)| KeptSample {
            due_at: rules::discard_from(s.taken_at, hours),
            held_by: open
                .iter()
                .find(|(_, d)| *d == s.service_date)
                .map(|(id, _)| *id),
            sample: s,
            dish,
        })
        .collect())
}

/// Store command: discards a sample once its retention time is over, unless an open incident
/// holds its day.
pub fn discard_sample(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    note: &str,
) -> Result<NaiveDate, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let s: Sample = food_samples::table
        .find(id)
        .select(Sample::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if s.discarded_at.is_some() {
        return Err(AppError::BadRequest("fs.err_discarded"));
    }
    if open_incidents(conn)?
        .iter()
        .any(|(_, d)| *d == s.service_date)
    {
        return Err(AppError::BadRequest("fs.err_held"));
    }
    if now < rules::discard_from(s.taken_at, keep_hours(conn)?) {
        return Err(AppError::BadRequest("fs.err_too_early"));
    }
    diesel::update(food_samples::table.find(id))
        .set((
            food_samples::discarded_at.eq(now),
            food_samples::discarded_by.eq(by),
            food_samples::discard_note.eq(note),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_sample.discard", "food_sample")
            .id(id)
            .after(json!({"day": s.service_date, "dish_id": s.dish_id, "note": note})),
    )?;
    Ok(s.service_date)
}

// ---------------------------------------------------------------- a day

/// Everything recorded for a day.
pub struct DayRecords {
    pub day: NaiveDate,
    pub dishes: Vec<DayDish>,
    pub deliveries: Vec<Delivery>,
    pub preps: Vec<Prep>,
    pub serves: Vec<Serve>,
    pub samples: Vec<Sample>,
    /// Display names of everyone who checked or took something.
    pub names: HashMap<i32, String>,
}

impl DayRecords {
    pub fn states(&self) -> Vec<DishState> {
        self.dishes
            .iter()
            .map(|d| DishState {
                dish_id: d.id,
                name: d.name.clone(),
                prep: self
                    .preps
                    .iter()
                    .find(|p| p.dish_id == d.id)
                    .map(Prep::passed),
                serve: self
                    .serves
                    .iter()
                    .find(|s| s.dish_id == d.id)
                    .map(Serve::passed),
                sample: self.samples.iter().any(|s| s.dish_id == d.id),
            })
            .collect()
    }
    pub fn gaps(&self) -> Vec<rules::Gap> {
        rules::gaps(
            &self.states(),
            self.deliveries.len(),
            self.deliveries.iter().filter(|d| !d.passed()).count(),
        )
    }
    pub fn name(&self, id: i32) -> &str {
        self.names.get(&id).map(String::as_str).unwrap_or("")
    }
    pub fn dish_name(&self, id: i32) -> &str {
        self.dishes
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.as_str())
            .unwrap_or("")
    }
}

pub fn day_records(conn: &mut DbConn, day: NaiveDate) -> Result<DayRecords, AppError> {
    let dishes = dishes_of(conn, day)?;
    let deliveries = deliveries_on(conn, day)?;
    let preps: Vec<Prep> = food_prep_checks::table
        .filter(food_prep_checks::service_date.eq(day))
        .select(Prep::as_select())
        .load(conn)?;
    let serves: Vec<Serve> = food_serve_checks::table
        .filter(food_serve_checks::service_date.eq(day))
        .select(Serve::as_select())
        .load(conn)?;
    let samples = samples_between(conn, day, day)?;
    let mut ids: Vec<i32> = preps.iter().map(|p| p.checked_by).collect();
    ids.extend(serves.iter().map(|s| s.checked_by));
    ids.extend(samples.iter().map(|s| s.taken_by));
    ids.extend(samples.iter().filter_map(|s| s.discarded_by));
    ids.sort_unstable();
    ids.dedup();
    let names = names(conn, ids)?;
    Ok(DayRecords {
        day,
        dishes,
        deliveries,
        preps,
        serves,
        samples,
        names,
    })
}

/// The dishes of a day not cleared to serve (step 3 missing or failed), for the counter.
pub fn not_cleared(conn: &mut DbConn, day: NaiveDate) -> Result<Vec<String>, AppError> {
    let dishes = dishes_of(conn, day)?;
    if dishes.is_empty() {
        return Ok(Vec::new());
    }
    let ok: Vec<i32> = food_serve_checks::table
        .filter(food_serve_checks::service_date.eq(day))
        .filter(food_serve_checks::covered_ok.eq(true))
        .filter(food_serve_checks::sensory_ok.eq(true))
        .select(food_serve_checks::dish_id)
        .load(conn)?;
    Ok(dishes
        .into_iter()
        .filter(|d| !ok.contains(&d.id))
        .map(|d| d.name)
        .collect())
}

// ---------------------------------------------------------------- incidents

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = food_incidents)]
pub struct Incident {
    pub id: i32,
    pub meal_date: NaiveDate,
    pub affected: i32,
    pub summary: String,
    pub symptoms: String,
    pub people: String,
    pub reported_at: NaiveDateTime,
    pub reported_by: i32,
    pub closed_at: Option<NaiveDateTime>,
    pub outcome: String,
}

/// (id, meal date) of every open incident.
pub fn open_incidents(conn: &mut DbConn) -> Result<Vec<(i32, NaiveDate)>, AppError> {
    Ok(food_incidents::table
        .filter(food_incidents::closed_at.is_null())
        .select((food_incidents::id, food_incidents::meal_date))
        .load(conn)?)
}

pub fn incidents(conn: &mut DbConn) -> Result<Vec<Incident>, AppError> {
    Ok(food_incidents::table
        .order((food_incidents::meal_date.desc(), food_incidents::id.desc()))
        .select(Incident::as_select())
        .load(conn)?)
}

pub fn incident(conn: &mut DbConn, id: i32) -> Result<Incident, AppError> {
    food_incidents::table
        .find(id)
        .select(Incident::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub struct NewIncident {
    pub meal_date: NaiveDate,
    pub affected: i32,
    pub summary: String,
    pub symptoms: String,
    pub people: String,
}

/// Store command: reports an incident. From now on the samples of its day are held.
pub fn report_incident(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    n: &NewIncident,
) -> Result<i32, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let id: i32 = diesel::insert_into(food_incidents::table)
        .values((
            food_incidents::meal_date.eq(n.meal_date),
            food_incidents::affected.eq(n.affected),
            food_incidents::summary.eq(&n.summary),
            food_incidents::symptoms.eq(&n.symptoms),
            food_incidents::people.eq(&n.people),
            food_incidents::reported_at.eq(now),
            food_incidents::reported_by.eq(by),
        ))
        .returning(food_incidents::id)
        .get_result(conn)?;
    // Health details stay out of the audit trail (its readers are not all entitled to
    // them): it records that they were written, not what they say.
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_incident.report", "food_incident")
            .id(id)
            .after(
                json!({"meal_date": n.meal_date, "affected": n.affected, "summary": n.summary,
                "health_details": !n.symptoms.is_empty() || !n.people.is_empty()}),
            ),
    )?;
    Ok(id)
}

/// Store command: closes an incident with its outcome; its samples may then be discarded.
pub fn close_incident(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    outcome: &str,
) -> Result<(), AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let i = incident(conn, id)?;
    if i.closed_at.is_some() {
        return Err(AppError::BadRequest("fs.err_incident_closed"));
    }
    diesel::update(food_incidents::table.find(id))
        .set((
            food_incidents::closed_at.eq(now),
            food_incidents::closed_by.eq(by),
            food_incidents::outcome.eq(outcome),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("food_incident.close", "food_incident")
            .id(id)
            .after(json!({"meal_date": i.meal_date, "outcome": outcome})),
    )
}

/// The name of a user, for "reported by".
pub fn user_name(conn: &mut DbConn, id: i32) -> Result<String, AppError> {
    Ok(names(conn, vec![id])?.remove(&id).unwrap_or_default())
}
