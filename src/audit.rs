//! Append-only, hash-chained audit log. Each row's hash covers its content and the previous
//! row's hash, so editing or deleting any row breaks the chain from that row on.

use crate::db::schema::audit_log;
use crate::db::{backend_of, Backend, DbConn};
use crate::error::AppError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user, or the system (CLI, demo loader).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i32>,
    pub name: String,
}

impl Actor {
    pub fn user(id: i32, name: &str) -> Self {
        Actor {
            user_id: Some(id),
            name: name.to_string(),
        }
    }
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
        }
    }
}

pub struct Entry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, entity: &'a str) -> Self {
        Entry {
            action,
            entity,
            entity_id: None,
            before: None,
            after: None,
        }
    }
    pub fn id(mut self, id: impl ToString) -> Self {
        self.entity_id = Some(id.to_string());
        self
    }
    pub fn before(mut self, v: serde_json::Value) -> Self {
        self.before = Some(v);
        self
    }
    pub fn after(mut self, v: serde_json::Value) -> Self {
        self.after = Some(v);
        self
    }
}

#[allow(clippy::too_many_arguments)]
fn row_hash(
    prev: &str,
    at: NaiveDateTime,
    actor_user_id: Option<i32>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let opt = |s: Option<&str>| {
        s.map(|v| format!("1{}:{v}", v.len()))
            .unwrap_or_else(|| "0".into())
    };
    for part in [
        prev.to_string(),
        at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        actor_user_id.map(|i| i.to_string()).unwrap_or_default(),
        format!("{}:{actor}", actor.len()),
        format!("{}:{action}", action.len()),
        format!("{}:{entity}", entity.len()),
        opt(entity_id),
        opt(before),
        opt(after),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends one record. Call it inside the transaction that makes the change. An update whose
/// before and after are the same changed nothing (a form saved as it was shown): nothing is
/// recorded.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    e: Entry<'_>,
) -> Result<(), AppError> {
    if e.before.is_some() && e.before == e.after {
        return Ok(());
    }
    if backend_of(conn) == Backend::Postgres {
        // Serialise appenders so two transactions never chain to the same previous row. The
        // key names the schema whose chain it is: one database may hold several (a schema per
        // test), and one schema's long transaction (loading the demo) must not hold up
        // another's appenders.
        diesel::sql_query("SELECT pg_advisory_xact_lock(7, hashtext(current_schema()))")
            .execute(conn)?;
    }
    let prev: String = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::hash)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let at = crate::clock::truncate_micros(at);
    let before = e.before.map(|v| v.to_string());
    let after = e.after.map(|v| v.to_string());
    let hash = row_hash(
        &prev,
        at,
        actor.user_id,
        &actor.name,
        e.action,
        e.entity,
        e.entity_id.as_deref(),
        before.as_deref(),
        after.as_deref(),
    );
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(at),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor.eq(&actor.name),
            audit_log::action.eq(e.action),
            audit_log::entity.eq(e.entity),
            audit_log::entity_id.eq(e.entity_id.as_deref()),
            audit_log::before_json.eq(before.as_deref()),
            audit_log::after_json.eq(after.as_deref()),
            audit_log::prev_hash.eq(&prev),
            audit_log::hash.eq(&hash),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Debug, Clone)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i32>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verify {
    /// The chain is intact: its row count and the hash of its last row (the head).
    Ok {
        rows: usize,
        head: String,
    },
    Broken {
        id: i32,
        reason: &'static str,
    },
    /// Intact, but a head anchored earlier is no longer on it: rows were removed from its end
    /// (or the log was replaced).
    HeadMissing {
        expected: String,
        rows: usize,
        head: String,
    },
    /// What was given as a head is not one (a SHA-256 in hex).
    NotAHead(String),
}

/// The chain's head: (rows, hash of the last row). What a signed month and the server log
/// carry, so that trimming the newest rows cannot go unseen.
pub fn head(conn: &mut DbConn) -> Result<(i64, String), AppError> {
    let rows: i64 = audit_log::table.count().get_result(conn)?;
    let hash: String = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::hash)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    Ok((rows, hash))
}

/// Walks the whole chain; with `expect_head`, also checks that this earlier head is still on
/// the chain (the rows after it may have grown, never shrunk).
pub fn verify_anchored(conn: &mut DbConn, expect_head: Option<&str>) -> Result<Verify, AppError> {
    let v = verify(conn)?;
    // Accept the head as `verify-audit` prints it ("ROWS HASH") or the bare hash, any case.
    let expected = expect_head
        .and_then(|h| h.split_whitespace().last())
        .map(str::to_ascii_lowercase);
    let Some(expected) = expected else {
        return Ok(v);
    };
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Verify::NotAHead(expected));
    }
    let expected = expected.as_str();
    let Verify::Ok { rows, head } = v else {
        return Ok(v);
    };
    let on_chain = expected == GENESIS
        || audit_log::table
            .filter(audit_log::hash.eq(expected))
            .count()
            .get_result::<i64>(conn)?
            > 0;
    Ok(if on_chain {
        Verify::Ok { rows, head }
    } else {
        Verify::HeadMissing {
            expected: expected.to_string(),
            rows,
            head,
        }
    })
}

/// Walks the whole chain in id order, in pages, and names the first row that does not fit.
pub fn verify(conn: &mut DbConn) -> Result<Verify, AppError> {
    let mut prev = GENESIS.to_string();
    let mut last_id = 0;
    let mut rows = 0;
    loop {
        let page: Vec<AuditRow> = audit_log::table
            .filter(audit_log::id.gt(last_id))
            .order(audit_log::id.asc())
            .limit(1000)
            .load(conn)?;
        if page.is_empty() {
            return Ok(Verify::Ok { rows, head: prev });
        }
        for r in page {
            if r.prev_hash != prev {
                return Ok(Verify::Broken {
                    id: r.id,
                    reason: "previous hash does not match (a row before it was removed or changed)",
                });
            }
            let h = row_hash(
                &r.prev_hash,
                r.at,
                r.actor_user_id,
                &r.actor,
                &r.action,
                &r.entity,
                r.entity_id.as_deref(),
                r.before_json.as_deref(),
                r.after_json.as_deref(),
            );
            if h != r.hash {
                return Ok(Verify::Broken {
                    id: r.id,
                    reason: "content does not match its hash (the row was edited)",
                });
            }
            prev = r.hash;
            last_id = r.id;
            rows += 1;
        }
    }
}

/// What the admin's audit view is filtered by. `from`/`to` are UTC instants (the business
/// days' bounds), `to` exclusive.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Part of the actor's name.
    pub who: String,
    pub action: String,
    pub entity: String,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Sign-ins and sign-outs (their own view) instead of changes.
    pub logins: bool,
}

/// The actions shown in the logins view (and left out of the changes view).
pub const LOGIN_ACTIONS: [&str; 3] = ["login.success", "login.failure", "logout"];

/// A page of the log, newest first, filtered; and how many rows match.
pub fn search(
    conn: &mut DbConn,
    f: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), AppError> {
    let build = || {
        let mut q = audit_log::table.into_boxed();
        q = if f.logins {
            q.filter(audit_log::action.eq_any(LOGIN_ACTIONS))
        } else {
            q.filter(audit_log::action.ne_all(LOGIN_ACTIONS))
        };
        let who = f.who.trim();
        if !who.is_empty() {
            q = q.filter(
                audit_log::actor
                    .like(crate::db::like_contains(who))
                    .escape('\\'),
            );
        }
        if !f.action.is_empty() {
            q = q.filter(audit_log::action.eq(f.action.clone()));
        }
        if !f.entity.is_empty() {
            q = q.filter(audit_log::entity.eq(f.entity.clone()));
        }
        if let Some(from) = f.from {
            q = q.filter(audit_log::at.ge(from));
        }
        if let Some(to) = f.to {
            q = q.filter(audit_log::at.lt(to));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// The actions and the kinds of record that occur in the log (for the filters).
pub fn kinds(conn: &mut DbConn) -> Result<(Vec<String>, Vec<String>), AppError> {
    let actions = audit_log::table
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)?;
    let entities = audit_log::table
        .select(audit_log::entity)
        .distinct()
        .order(audit_log::entity.asc())
        .load(conn)?;
    Ok((actions, entities))
}

/// One field of a record before → after (None: absent on that side).
#[derive(Debug, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The fields that differ between the stored before and after (all of them when the record
/// was created or removed). A value that is not an object counts as one field named "".
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    use serde_json::{Map, Value};
    let parse = |s: Option<&str>| -> Option<Map<String, Value>> {
        let v: Value = serde_json::from_str(s?).ok()?;
        match v {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => Some(Map::from_iter([(String::new(), other)])),
        }
    };
    let (b, a) = (parse(before), parse(after));
    let mut keys: Vec<&String> = Vec::new();
    for m in [&a, &b].into_iter().flatten() {
        for k in m.keys() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys.into_iter()
        .filter_map(|k| {
            let bv = b.as_ref().and_then(|m| m.get(k)).cloned();
            let av = a.as_ref().and_then(|m| m.get(k)).cloned();
            (bv != av).then(|| FieldChange {
                field: k.clone(),
                before: bv,
                after: av,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_lists_only_the_fields_that_changed() {
        let d = diff(
            Some(r#"{"name":"A","price_vnd":35000,"capacity":null}"#),
            Some(r#"{"name":"A","price_vnd":40000,"capacity":50}"#),
        );
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["capacity", "price_vnd"]);
        assert_eq!(d[1].before, Some(serde_json::json!(35000)));
        assert_eq!(d[1].after, Some(serde_json::json!(40000)));
        let created = diff(None, Some(r#"{"code":"B"}"#));
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].before, None);
        assert!(diff(Some("{}"), Some("{}")).is_empty());
        assert_eq!(diff(None, Some("[1]"))[0].field, "");
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(1, 2, 3)
            .unwrap();
        let base = row_hash(
            GENESIS,
            at,
            Some(1),
            "admin",
            "a",
            "e",
            Some("1"),
            None,
            Some("{}"),
        );
        assert_ne!(
            base,
            row_hash(
                "x",
                at,
                Some(1),
                "admin",
                "a",
                "e",
                Some("1"),
                None,
                Some("{}")
            )
        );
        assert_ne!(
            base,
            row_hash(
                GENESIS,
                at,
                Some(2),
                "admin",
                "a",
                "e",
                Some("1"),
                None,
                Some("{}")
            )
        );
        assert_ne!(
            base,
            row_hash(
                GENESIS,
                at,
                Some(1),
                "admin",
                "a",
                "e",
                Some("1"),
                Some("{}"),
                None
            )
        );
        assert_ne!(
            base,
            row_hash(
                GENESIS,
                at,
                Some(1),
                "admi",
                "na",
                "e",
                Some("1"),
                None,
                Some("{}")
            )
        );
        assert_eq!(
            base,
            row_hash(
                GENESIS,
                at,
                Some(1),
                "admin",
                "a",
                "e",
                Some("1"),
                None,
                Some("{}")
            )
        );
    }
}
