use super::views;
use crate::audit::{self, Actor, Entry};
use crate::auth::roles::{Role, RoleSet};
use crate::auth::store::{self, CreateError, NewUser};
use crate::auth::{password, session};
use crate::db::DbConn;
use crate::error::AppError;
use crate::people::store as people;
use crate::state::AppState;
use crate::ui::forms::{FieldErrors, Form};
use crate::ui::{html_invalid, html_ok, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::Markup;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<ListQuery>,
) -> Result<Markup, AppError> {
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let text = q.q.clone().unwrap_or_default();
    let t2 = text.clone();
    let (rows, total) = state
        .db
        .read(move |c| store::list(c, &t2, (page - 1) * PER_PAGE, PER_PAGE))
        .await?;
    Ok(views::list(&ctx, &text, &rows, total, page))
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct UserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: Vec<String>,
    #[serde(default)]
    pub person_code: String,
    #[serde(default)]
    pub disabled: Option<String>,
    /// The account as the edit page showed it (`crate::ui::seen`).
    #[serde(default, skip_serializing, deserialize_with = "crate::ui::seen::sent")]
    pub seen: Option<String>,
}

struct Checked {
    display_name: String,
    roles: RoleSet,
    person_id: Option<i32>,
    disabled: bool,
}

fn check(
    conn: &mut DbConn,
    f: &UserForm,
    editing: Option<i32>,
) -> Result<Result<Checked, FieldErrors>, AppError> {
    let mut e = FieldErrors::default();
    let display_name = f
        .display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !(2..=100).contains(&display_name.chars().count()) {
        e.add("display_name", "acc.err_display_name");
    }
    let mut roles = RoleSet::empty();
    for r in &f.role {
        match Role::parse(r) {
            Some(r) => roles = roles.with(r),
            None => e.add("role", "acc.err_role"),
        }
    }
    if roles.is_empty() {
        e.add("role", "acc.err_no_role");
    }
    let person_id = match f.person_code.trim() {
        "" => None,
        code => match people::person_by_code(conn, &code.to_uppercase())? {
            None => {
                e.add("person_code", "acc.err_person_unknown");
                None
            }
            Some(p) => {
                let holder = people::linked_username(conn, p.id)?;
                let mine = match (editing, &holder) {
                    (Some(uid), Some(_)) => {
                        store::by_id(conn, uid)?.is_some_and(|u| u.person_id == Some(p.id))
                    }
                    _ => false,
                };
                if holder.is_some() && !mine {
                    e.add("person_code", "acc.err_person_taken");
                }
                Some(p.id)
            }
        },
    };
    let disabled = f.disabled.as_deref() == Some("yes");
    Ok(if e.is_empty() {
        Ok(Checked {
            display_name,
            roles,
            person_id,
            disabled,
        })
    } else {
        Err(e)
    })
}

pub async fn new_form(ctx: Ctx) -> Markup {
    let f = UserForm {
        role: vec!["staff".into()],
        ..Default::default()
    };
    views::form(&ctx, None, &f, &FieldErrors::default())
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let username = f.username.trim().to_lowercase();
    let username_ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let one_time = password::generate();
    let pw = one_time.clone();
    let hash = state.hashing(move || password::hash(&pw)).await??;
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    let f2 = f.clone();
    let outcome = state
        .db
        .write(move |c| {
            let mut checked = check(c, &f2, None)?;
            if !username_ok {
                let mut e = checked.err().unwrap_or_default();
                e.add("username", "acc.err_username");
                checked = Err(e);
            }
            let ch = match checked {
                Ok(ch) => ch,
                Err(e) => return Ok(Err(e)),
            };
            let new = NewUser {
                username: &username,
                display_name: &ch.display_name,
                password_hash: &hash,
                must_change_password: true,
                roles: ch.roles,
                person_id: ch.person_id,
            };
            match store::create(c, &actor, now, new) {
                Ok(id) => Ok(Ok(id)),
                Err(CreateError::UsernameTaken) => {
                    let mut e = FieldErrors::default();
                    e.add("username", "acc.err_username_taken");
                    Ok(Err(e))
                }
                Err(CreateError::PersonTaken) => {
                    let mut e = FieldErrors::default();
                    e.add("person_code", "acc.err_person_taken");
                    Ok(Err(e))
                }
                Err(CreateError::Other(e)) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(id) => Ok(html_ok(views::one_time(
            &ctx,
            id,
            f.username.trim(),
            &one_time,
        ))),
        Err(e) => Ok(html_invalid(views::form(&ctx, None, &f, &e))),
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let f = state.db.read(move |c| form_of(c, id)).await?;
    Ok(views::form(&ctx, Some(id), &f, &FieldErrors::default()))
}

/// An account as its edit page shows it, with the fingerprint of that (`ui::seen`).
fn form_of(c: &mut DbConn, id: i32) -> Result<UserForm, AppError> {
    let u = store::by_id(c, id)?.ok_or(AppError::NotFound)?;
    let roles = session::roles_of(c, id)?;
    let code = match u.person_id {
        Some(pid) => people::person(c, pid)?.map(|p| p.employee_code),
        None => None,
    };
    let mut f = UserForm {
        username: u.username,
        display_name: u.display_name,
        role: roles.iter().map(|r| r.as_str().to_string()).collect(),
        person_code: code.unwrap_or_default(),
        disabled: u.disabled.then(|| "yes".into()),
        seen: None,
    };
    f.seen = Some(crate::ui::seen::of(&f));
    Ok(f)
}

pub async fn update(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    let me = user.user_id;
    let f2 = f.clone();
    let outcome = state
        .db
        .write(move |c| {
            crate::db::hold_record(c, &format!("user:{id}"))?;
            let before = store::by_id(c, id)?.ok_or(AppError::NotFound)?;
            let before_roles = session::roles_of(c, id)?;
            let now_shown = form_of(c, id)?;
            // The form as sent, with the user name it does not send (the page shows it).
            let as_sent = || UserForm {
                username: before.username.clone(),
                ..f2.clone()
            };
            let checked = check(c, &f2, Some(id))?;
            // What the form sends, as the page would show it once saved (spaces, the roles in
            // their order, the person's code in capitals).
            let sending = match &checked {
                Ok(ch) => crate::ui::seen::of(&UserForm {
                    username: before.username.clone(),
                    display_name: ch.display_name.clone(),
                    role: ch.roles.iter().map(|r| r.as_str().to_string()).collect(),
                    person_code: match ch.person_id {
                        Some(_) => f2.person_code.trim().to_uppercase(),
                        None => String::new(),
                    },
                    disabled: ch.disabled.then(|| "yes".into()),
                    seen: None,
                }),
                Err(_) => crate::ui::seen::of(&as_sent()),
            };
            if crate::ui::seen::refuses(f2.seen.as_deref(), now_shown.seen.as_deref(), &sending) {
                return Ok(Err((now_shown, FieldErrors::changed_elsewhere())));
            }
            let ch = match checked {
                Ok(ch) => ch,
                Err(e) => return Ok(Err((as_sent(), e))),
            };
            if id == me && (ch.disabled || !ch.roles.has(Role::Admin)) {
                let mut e = FieldErrors::default();
                e.add("role", "acc.err_self_lockout");
                return Ok(Err((as_sent(), e)));
            }
            store::update_profile(c, id, &ch.display_name, ch.person_id, ch.disabled, now)?;
            store::set_roles(c, id, ch.roles)?;
            if ch.disabled && !before.disabled {
                session::delete_all_for_user(c, id)?;
            }
            audit::record(
                c,
                &actor,
                now,
                Entry::new("user.update", "user")
                    .id(id)
                    .before(json!({"display_name": before.display_name, "roles": store::role_names(before_roles), "person_id": before.person_id, "disabled": before.disabled}))
                    .after(json!({"display_name": ch.display_name, "roles": store::role_names(ch.roles), "person_id": ch.person_id, "disabled": ch.disabled})),
            )?;
            Ok(Ok(()))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(crate::auth::middleware::see_other(
            "/admin/users",
            Some("flash.saved"),
        )),
        Err((shown, e)) => Ok(html_invalid(views::form(&ctx, Some(id), &shown, &e))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

/// A new one-time password; the user must change it at next login; all their sessions end.
pub async fn reset_password(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let id = id.into_inner();
    let one_time = password::generate();
    let pw = one_time.clone();
    let hash = state.hashing(move || password::hash(&pw)).await??;
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    let target = state
        .db
        .write(move |c| {
            let u = store::by_id(c, id)?.ok_or(AppError::NotFound)?;
            store::set_password(c, id, &hash, true, now)?;
            session::delete_all_for_user(c, id)?;
            // The administrator now knows a password of this account: its signing key can no
            // longer be trusted to be the person's own. A new one comes with their own password.
            crate::signoff::store::retire_keys(c, &actor, now, id, "password_reset")?;
            audit::record(
                c,
                &actor,
                now,
                Entry::new("user.password_reset", "user").id(id),
            )?;
            Ok(u)
        })
        .await?;
    Ok(html_ok(views::one_time(
        &ctx,
        target.id,
        &target.username,
        &one_time,
    )))
}
