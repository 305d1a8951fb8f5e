//! Server-side sessions. The cookie holds a random token; the database holds its SHA-256.

use super::roles::{Role, RoleSet};
use crate::db::fast::Instant;
use crate::db::schema::{sessions, user_roles, users};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "canteen_session";
pub const PRE_CSRF_COOKIE: &str = "canteen_pre";

#[derive(Clone, Debug)]
pub struct SessionUser {
    pub session_id: i32,
    pub user_id: i32,
    pub username: String,
    pub display_name: String,
    pub roles: RoleSet,
    pub person_id: Option<i32>,
    pub must_change_password: bool,
    pub csrf: String,
}

impl SessionUser {
    pub fn has(&self, r: Role) -> bool {
        self.roles.has(r)
    }
}

pub fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn roles_of(conn: &mut DbConn, user_id: i32) -> Result<RoleSet, AppError> {
    let names: Vec<String> = crate::on_backend!(conn, |c| user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load(c))?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

/// Creates a session and returns the cookie token (only its hash is stored).
pub fn create(conn: &mut DbConn, user_id: i32, now: NaiveDateTime) -> Result<String, AppError> {
    let token = random_token();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(random_token()),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

pub struct Loaded {
    pub user: SessionUser,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub disabled: bool,
}

pub fn load(conn: &mut DbConn, token: &str) -> Result<Option<Loaded>, AppError> {
    // The session, its user and the user's roles in one query (a row per role).
    let rows: Vec<(SessionRow, UserRow, Option<String>)> = crate::on_backend!(conn, |c| {
        sessions::table
            .inner_join(users::table.left_join(user_roles::table))
            .filter(sessions::token_hash.eq(token_hash(token)))
            .select((
                (
                    sessions::id,
                    sessions::user_id,
                    sessions::csrf_token,
                    sessions::created_at,
                    sessions::last_seen_at,
                ),
                (
                    users::username,
                    users::display_name,
                    users::person_id,
                    users::must_change_password,
                    users::disabled,
                ),
                user_roles::role.nullable(),
            ))
            .load(c)
    })?;
    let roles: RoleSet = rows
        .iter()
        .filter_map(|r| r.2.as_deref().and_then(Role::parse))
        .collect();
    let Some((
        (sid, uid, csrf, created_at, last_seen_at),
        (username, display_name, person_id, must, disabled),
        _,
    )) = rows.into_iter().next()
    else {
        return Ok(None);
    };
    Ok(Some(Loaded::from_parts(
        (sid, uid, csrf, created_at, last_seen_at),
        (username, display_name, person_id, must, disabled),
        roles,
    )))
}

/// A session's row as [`load`] reads it (id, user, CSRF token, created, last seen; the
/// instants read without chrono's patterns, `db::fast`), and its user's (username, display
/// name, person, must change password, disabled). A page that reads the session in its own
/// statement ([`crate::canteen::orders::store::session_week`]) reads the same.
pub type SessionRow = (i32, i32, String, Instant, Instant);
pub type UserRow = (String, String, Option<i32>, bool, bool);

impl Loaded {
    pub fn from_parts(session: SessionRow, user: UserRow, roles: RoleSet) -> Loaded {
        let (sid, uid, csrf, created_at, last_seen_at) = session;
        let (username, display_name, person_id, must, disabled) = user;
        Loaded {
            user: SessionUser {
                session_id: sid,
                user_id: uid,
                username,
                display_name,
                roles,
                person_id,
                must_change_password: must,
                csrf,
            },
            created_at: created_at.0,
            last_seen_at: last_seen_at.0,
            disabled,
        }
    }
}

pub fn touch(conn: &mut DbConn, session_id: i32, now: NaiveDateTime) -> Result<(), AppError> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, session_id: i32) -> Result<(), AppError> {
    diesel::delete(sessions::table.find(session_id)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user (disable, password reset, password change elsewhere).
pub fn delete_all_for_user(conn: &mut DbConn, user_id: i32) -> Result<usize, AppError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}

/// Ends every session of a user but one (after they changed their own password).
pub fn delete_others(conn: &mut DbConn, user_id: i32, keep: i32) -> Result<usize, AppError> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep)),
    )
    .execute(conn)?)
}

/// Deletes every session past its idle timeout or its absolute lifetime (the background
/// sweep; an expired session is refused on use anyway).
pub fn sweep(
    conn: &mut DbConn,
    now: NaiveDateTime,
    idle: chrono::Duration,
    absolute: chrono::Duration,
) -> Result<usize, AppError> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .lt(now - idle)
                .or(sessions::created_at.lt(now - absolute)),
        ),
    )
    .execute(conn)?)
}

/// Whether a session is past its idle timeout or its absolute lifetime.
pub fn expired(
    created_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
    now: NaiveDateTime,
    idle: chrono::Duration,
    absolute: chrono::Duration,
) -> bool {
    now - last_seen_at > idle || now - created_at > absolute
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 5, 4)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn a_session_ends_after_its_idle_timeout_or_absolute_lifetime() {
        let idle = Duration::minutes(30);
        let abs = Duration::hours(10);
        assert!(!expired(at(8, 0), at(8, 0), at(8, 30), idle, abs));
        assert!(expired(at(8, 0), at(8, 0), at(8, 31), idle, abs));
        assert!(!expired(at(8, 0), at(17, 50), at(18, 0), idle, abs));
        assert!(expired(at(8, 0), at(17, 55), at(18, 1), idle, abs));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
