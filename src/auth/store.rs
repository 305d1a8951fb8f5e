//! Users and their roles (shared by login and account management).

use super::roles::{Role, RoleSet};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{persons, user_roles, users};
use crate::db::{is_unique_violation, DbConn};
use crate::error::AppError;
use crate::ui::format::fold_search;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub person_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Replaces a user's password hash by an equivalent one (same password, newer parameters),
/// unless the stored hash is no longer `old`.
pub fn replace_hash(conn: &mut DbConn, user: i32, old: &str, new: &str) -> Result<(), AppError> {
    diesel::update(
        users::table
            .filter(users::id.eq(user))
            .filter(users::password_hash.eq(old)),
    )
    .set(users::password_hash.eq(new))
    .execute(conn)?;
    Ok(())
}

pub fn by_username(conn: &mut DbConn, username: &str) -> Result<Option<User>, AppError> {
    Ok(users::table
        .filter(users::username.eq(username.trim().to_lowercase()))
        .select(User::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn by_id(conn: &mut DbConn, id: i32) -> Result<Option<User>, AppError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)
        .optional()?)
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub roles: RoleSet,
    pub person_id: Option<i32>,
}

pub enum CreateError {
    UsernameTaken,
    PersonTaken,
    Other(AppError),
}

impl From<AppError> for CreateError {
    fn from(e: AppError) -> Self {
        CreateError::Other(e)
    }
}

/// Creates a user with roles and audits it. Run inside a write transaction.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    u: NewUser<'_>,
) -> Result<i32, CreateError> {
    let username = u.username.trim().to_lowercase();
    if by_username(conn, &username)?.is_some() {
        return Err(CreateError::UsernameTaken);
    }
    if let Some(pid) = u.person_id {
        let taken: i64 = users::table
            .filter(users::person_id.eq(pid))
            .count()
            .get_result(conn)
            .map_err(AppError::from)?;
        if taken > 0 {
            return Err(CreateError::PersonTaken);
        }
    }
    let id: i32 = diesel::insert_into(users::table)
        .values((
            users::username.eq(&username),
            users::display_name.eq(u.display_name.trim()),
            users::search_name.eq(fold_search(u.display_name)),
            users::password_hash.eq(u.password_hash),
            users::must_change_password.eq(u.must_change_password),
            users::disabled.eq(false),
            users::person_id.eq(u.person_id),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                CreateError::UsernameTaken
            } else {
                CreateError::Other(e.into())
            }
        })?;
    set_roles(conn, id, u.roles)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("user.create", "user").id(id).after(json!({
            "username": username,
            "display_name": u.display_name.trim(),
            "roles": role_names(u.roles),
            "person_id": u.person_id,
        })),
    )?;
    Ok(id)
}

/// Gives every account whose display name has no search form yet its own (accounts written
/// before `users.search_name` existed). Returns how many.
pub fn fill_search_names(conn: &mut DbConn) -> Result<usize, AppError> {
    let rows: Vec<(i32, String)> = users::table
        .filter(users::search_name.eq(""))
        .filter(users::display_name.ne(""))
        .select((users::id, users::display_name))
        .load(conn)?;
    let mut filled = 0;
    for (id, name) in &rows {
        let folded = fold_search(name);
        if !folded.is_empty() {
            diesel::update(users::table.find(id))
                .set(users::search_name.eq(folded))
                .execute(conn)?;
            filled += 1;
        }
    }
    Ok(filled)
}

pub fn role_names(r: RoleSet) -> Vec<&'static str> {
    r.iter().map(Role::as_str).collect()
}

pub fn set_roles(conn: &mut DbConn, user_id: i32, roles: RoleSet) -> Result<(), AppError> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    for r in roles.iter() {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(r.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn count(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn update_profile(
    conn: &mut DbConn,
    user_id: i32,
    display_name: &str,
    person_id: Option<i32>,
    disabled: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(display_name),
            users::search_name.eq(fold_search(display_name)),
            users::person_id.eq(person_id),
            users::disabled.eq(disabled),
            // Whatever the administrator decides is no longer the leaving's doing.
            users::disabled_reason.eq(None::<&str>),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_password(
    conn: &mut DbConn,
    user_id: i32,
    hash: &str,
    must_change: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::must_change_password.eq(must_change),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct UserListRow {
    pub user: User,
    pub roles: RoleSet,
    pub person: Option<(String, String)>,
}

/// A page of users matching `q`: the user name, the display name or the linked person's name
/// (both without accents, in any case) or employee code; with roles and linked person.
pub fn list(
    conn: &mut DbConn,
    q: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<UserListRow>, i64), AppError> {
    let code = crate::ui::format::search_code(q);
    let folded = fold_search(q);
    let build = || {
        let mut query = users::table.left_join(persons::table).into_boxed();
        if !code.is_empty() || !folded.is_empty() {
            let name = crate::db::like_contains(&folded);
            query = query.filter(
                users::username
                    .like(crate::db::like_contains(&code.to_lowercase()))
                    .escape('\\')
                    .or(users::search_name.like(name.clone()).escape('\\'))
                    .or(persons::search_name.nullable().like(name).escape('\\'))
                    .or(persons::employee_code
                        .nullable()
                        .like(crate::db::like_contains(&code))
                        .escape('\\')),
            );
        }
        query
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<(User, Option<(String, String)>)> = build()
        .order(users::username.asc())
        .offset(offset)
        .limit(limit)
        .select((
            User::as_select(),
            (persons::employee_code, persons::full_name).nullable(),
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|(u, _)| u.id).collect();
    let all_roles: Vec<(i32, String)> = user_roles::table
        .filter(user_roles::user_id.eq_any(&ids))
        .select((user_roles::user_id, user_roles::role))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(user, person)| {
                let roles = all_roles
                    .iter()
                    .filter(|(id, _)| *id == user.id)
                    .filter_map(|(_, r)| Role::parse(r))
                    .collect();
                UserListRow {
                    user,
                    roles,
                    person,
                }
            })
            .collect(),
        total,
    ))
}

/// Disables every enabled account of a person and ends their sessions (the person left or
/// died): audited, one entry per account. Returns how many accounts were disabled.
pub fn disable_for_person(
    conn: &mut DbConn,
    actor: &Actor,
    person: i32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let ids: Vec<i32> = users::table
        .filter(users::person_id.eq(person))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .load(conn)?;
    for id in &ids {
        set_closed_by_leaving(conn, actor, *id, person, true, now)?;
        super::session::delete_all_for_user(conn, *id)?;
    }
    Ok(ids.len())
}

const PERSON_GONE: &str = "person_gone";

/// The person's leaving was undone: the accounts that were disabled because of it (not the
/// ones an administrator disabled) open again, audited. Returns how many.
pub fn enable_for_returning_person(
    conn: &mut DbConn,
    actor: &Actor,
    person: i32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let ids: Vec<i32> = users::table
        .filter(users::person_id.eq(person))
        .filter(users::disabled.eq(true))
        .filter(users::disabled_reason.eq(PERSON_GONE))
        .select(users::id)
        .load(conn)?;
    for id in &ids {
        set_closed_by_leaving(conn, actor, *id, person, false, now)?;
    }
    Ok(ids.len())
}

/// Closes (or opens again) one account because its person left (or came back), audited.
fn set_closed_by_leaving(
    conn: &mut DbConn,
    actor: &Actor,
    id: i32,
    person: i32,
    closed: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    crate::db::update_by_id(
        users::table,
        id,
        (
            users::disabled.eq(closed),
            users::disabled_reason.eq(closed.then_some(PERSON_GONE)),
            users::updated_at.eq(now),
        ),
    )
    .execute(conn)?;
    let action = if closed {
        "user.disable_person_gone"
    } else {
        "user.enable_person_back"
    };
    audit::record(
        conn,
        actor,
        now,
        Entry::new(action, "user")
            .id(id)
            .before(json!({"disabled": !closed}))
            .after(json!({"disabled": closed, "person_id": person})),
    )
}

/// Users who may sign months (accountants and approvers, not disabled): (id, display name).
pub fn signers(conn: &mut DbConn) -> Result<Vec<(i32, String)>, AppError> {
    Ok(users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq_any([Role::Accountant.as_str(), Role::Approver.as_str()]))
        .filter(users::disabled.eq(false))
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .distinct()
        .load(conn)?)
}
