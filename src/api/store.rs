//! API tokens: made by an admin for a named client with a scope and a last day, stored as the
//! SHA-256 of the secret, revocable; every call is checked, counted and audited in one
//! transaction (`authorize`).

use crate::audit::{self, Actor, Entry};
use crate::auth::session::{random_token, token_hash};
use crate::db::schema::api_tokens;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

/// Calls one token may make per minute.
pub const PER_MINUTE: i32 = 60;

#[derive(Queryable, Clone, Debug)]
pub struct Token {
    pub id: i32,
    pub client: String,
    pub prefix: String,
    pub scope: String,
    pub expires_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl Token {
    pub fn reports(&self) -> Vec<&str> {
        self.scope.split(',').filter(|s| !s.is_empty()).collect()
    }
    pub fn allows(&self, report: &str) -> bool {
        self.reports().contains(&report)
    }
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.expires_on < today
    }
}

fn columns() -> (
    api_tokens::id,
    api_tokens::client,
    api_tokens::prefix,
    api_tokens::scope,
    api_tokens::expires_on,
    api_tokens::created_at,
    api_tokens::revoked_at,
) {
    (
        api_tokens::id,
        api_tokens::client,
        api_tokens::prefix,
        api_tokens::scope,
        api_tokens::expires_on,
        api_tokens::created_at,
        api_tokens::revoked_at,
    )
}

pub fn list(conn: &mut DbConn) -> Result<Vec<Token>, AppError> {
    Ok(api_tokens::table
        .order(api_tokens::id.desc())
        .select(columns())
        .load(conn)?)
}

/// Store command: a new token; returns it and the secret (shown once, never stored). Audited
/// (client, scope, last day; never the secret).
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    client: &str,
    scope: &[&str],
    expires_on: NaiveDate,
) -> Result<(Token, String), AppError> {
    let secret = format!("cnt_{}", random_token());
    let prefix: String = secret.chars().take(12).collect();
    let scope = scope.join(",");
    let id: i32 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::client.eq(client),
            api_tokens::token_hash.eq(token_hash(&secret)),
            api_tokens::prefix.eq(&prefix),
            api_tokens::scope.eq(&scope),
            api_tokens::expires_on.eq(expires_on),
            api_tokens::created_at.eq(now),
            api_tokens::created_by.eq(actor.user_id),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("api_token.create", "api_token").id(id).after(
            json!({"client": client, "prefix": prefix, "scope": scope, "expires_on": expires_on}),
        ),
    )?;
    let token = api_tokens::table.find(id).select(columns()).first(conn)?;
    Ok((token, secret))
}

/// Store command: revokes a token (from now on every call with it is refused). Audited.
/// Revoking a revoked token changes nothing.
pub fn revoke(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
) -> Result<(), AppError> {
    let t: Token = api_tokens::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if t.revoked_at.is_some() {
        return Ok(());
    }
    diesel::update(api_tokens::table.find(id))
        .set((
            api_tokens::revoked_at.eq(now),
            api_tokens::revoked_by.eq(actor.user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("api_token.revoke", "api_token")
            .id(id)
            .before(json!({"client": t.client, "prefix": t.prefix})),
    )?;
    Ok(())
}

/// What the API answers a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        client: String,
    },
    /// 401: no such token (nothing is recorded: there is no client to name).
    Unknown,
    /// 401, recorded.
    Revoked,
    /// 401, recorded.
    Expired,
    /// 403, recorded: the report is outside the token's scope.
    OutOfScope,
    /// 429, recorded.
    TooMany,
}

/// Store command: checks a call's token, counts it against the token's minute and audits it
/// (client, report, filters; allowed or why not) — in one transaction, so a refused call is
/// on the record too.
pub fn authorize(
    conn: &mut DbConn,
    now: NaiveDateTime,
    today: NaiveDate,
    secret: &str,
    report: &str,
    filters: &str,
) -> Result<Decision, AppError> {
    let row: Option<(Token, Option<NaiveDateTime>, i32)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash(secret)))
        .select((
            columns(),
            api_tokens::window_start,
            api_tokens::window_calls,
        ))
        .first(conn)
        .optional()?;
    let Some((t, window_start, calls)) = row else {
        return Ok(Decision::Unknown);
    };
    let fresh = window_start.is_none_or(|w| now - w >= Duration::seconds(60));
    let decision = if t.revoked_at.is_some() {
        Decision::Revoked
    } else if t.expired(today) {
        Decision::Expired
    } else if !t.allows(report) {
        Decision::OutOfScope
    } else if !fresh && calls >= PER_MINUTE {
        Decision::TooMany
    } else {
        Decision::Allowed {
            client: t.client.clone(),
        }
    };
    if matches!(decision, Decision::Allowed { .. }) {
        let (start, n) = if fresh {
            (now, 1)
        } else {
            (window_start.unwrap_or(now), calls + 1)
        };
        diesel::update(api_tokens::table.find(t.id))
            .set((
                api_tokens::window_start.eq(start),
                api_tokens::window_calls.eq(n),
            ))
            .execute(conn)?;
    }
    let outcome = match &decision {
        Decision::Allowed { .. } => "allowed",
        Decision::Revoked => "revoked",
        Decision::Expired => "expired",
        Decision::OutOfScope => "out_of_scope",
        Decision::TooMany => "rate_limited",
        Decision::Unknown => "unknown",
    };
    audit::record(
        conn,
        &Actor::system(&format!("api:{}", t.client)),
        now,
        Entry::new("api.call", "api_token").id(t.id).after(json!({
            "client": t.client, "report": report, "filters": filters, "outcome": outcome,
        })),
    )?;
    Ok(decision)
}
