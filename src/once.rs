//! One-time form keys: a form that moves money carries a random key made when the page was
//! drawn (`once_field`); the store command claims it inside its transaction (`claim`), so a
//! double click, a resent request or two tabs submitting the same drawn form do it once.

use crate::db::schema::once_keys;
use crate::db::{is_unique_violation, DbConn};
use crate::error::AppError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use maud::{html, Markup};
use rand::RngCore;

pub const FIELD: &str = "once";

/// A fresh key (32 hex digits).
pub fn new_key() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The hidden field a money-moving form carries.
pub fn once_field() -> Markup {
    html! { input type="hidden" name=(FIELD) value=(new_key()); }
}

/// Whether a submitted key looks like one this app drew.
pub fn valid(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Claims `key` in the current transaction: Ok(true) the first time, Ok(false) when it was
/// already used (the form was submitted before). A missing key claims nothing (Ok(true)).
pub fn claim(conn: &mut DbConn, key: Option<&str>, now: NaiveDateTime) -> Result<bool, AppError> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Ok(true);
    };
    if !valid(key) {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let used: i64 = once_keys::table.find(key).count().get_result(conn)?;
    if used > 0 {
        return Ok(false);
    }
    match diesel::insert_into(once_keys::table)
        .values((once_keys::key.eq(key), once_keys::used_at.eq(now)))
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
