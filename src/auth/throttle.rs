//! Login throttling: at most 10 failures a minute per username (and per account for wrong
//! current passwords on the password page), and 50 per client address — a ministry's staff
//! share one address behind its gateway, and twenty colleagues logging in at the same moment
//! each hold a reservation (below) until their password is checked.
//!
//! The counters are rows (`login_attempts`), so several instances on one PostgreSQL share them
//! and a restart does not reset them. Checking and recording are one atomic step: an attempt
//! first *reserves* a failure on each of its keys — refused when a key already holds the
//! maximum in the window — and a successful login takes its reservation back. So fifty
//! concurrent guesses get exactly the allowed number through, never more. On SQLite the single
//! writer serialises the step; on PostgreSQL an advisory lock per key does (keys in sorted
//! order: no deadlock).

use crate::db::schema::login_attempts;
use crate::db::{backend_of, Backend, DbConn};
use crate::error::AppError;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

pub const MAX_FAILURES: i64 = 10;
/// Per client address (`ip:` keys).
pub const MAX_ADDRESS_FAILURES: i64 = 50;

/// The most failures a key may hold in the window.
pub fn limit_of(key: &str) -> i64 {
    if key.starts_with("ip:") {
        MAX_ADDRESS_FAILURES
    } else {
        MAX_FAILURES
    }
}

pub fn window() -> Duration {
    Duration::minutes(1)
}

/// The keys a login attempt counts against.
pub fn login_keys(username: &str, ip: &str) -> Vec<String> {
    vec![
        format!("u:{}", username.trim().to_lowercase()),
        format!("ip:{ip}"),
    ]
}

/// The key a password-page attempt counts against.
pub fn password_keys(user_id: i32) -> Vec<String> {
    vec![format!("pw:{user_id}")]
}

/// Reserves one failure on every key; None (and nothing recorded) when any key already has
/// its limit (`limit_of`) inside the window. Returns the reservation to take back on success.
pub fn begin(
    conn: &mut DbConn,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Option<Vec<i32>>, AppError> {
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    if backend_of(conn) == Backend::Postgres {
        for k in &sorted {
            diesel::sql_query("SELECT pg_advisory_xact_lock(5, hashtext($1))")
                .bind::<diesel::sql_types::Text, _>(k.as_str())
                .execute(conn)?;
        }
    }
    let since = now - window();
    for k in &sorted {
        let n: i64 = login_attempts::table
            .filter(login_attempts::key.eq(k.as_str()))
            .filter(login_attempts::at.gt(since))
            .count()
            .get_result(conn)?;
        if n >= limit_of(k) {
            return Ok(None);
        }
    }
    let mut ids = Vec::with_capacity(keys.len());
    for k in keys {
        ids.push(
            diesel::insert_into(login_attempts::table)
                .values((login_attempts::key.eq(k), login_attempts::at.eq(now)))
                .returning(login_attempts::id)
                .get_result(conn)?,
        );
    }
    Ok(Some(ids))
}

/// The attempt succeeded: its reserved failures are taken back.
pub fn forgive(conn: &mut DbConn, ids: &[i32]) -> Result<(), AppError> {
    diesel::delete(login_attempts::table.filter(login_attempts::id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// Forgets attempts older than a day (housekeeping).
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, AppError> {
    Ok(
        diesel::delete(
            login_attempts::table.filter(login_attempts::at.lt(now - Duration::days(1))),
        )
        .execute(conn)?,
    )
}
