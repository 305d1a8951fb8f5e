//! Login, logout, password change.

use super::middleware::{client_ip, see_other};
use super::session::{self, SESSION_COOKIE};
use super::{password, store, throttle, views};
use crate::audit::{self, Actor, Entry};
use crate::error::AppError;
use crate::home::safe_next;
use crate::state::AppState;
use crate::ui::forms::{FieldErrors, Form};
use crate::ui::{html_invalid, html_ok, Ctx, CurrentUser};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(ctx: Ctx, q: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        return Ok(see_other("/", None));
    }
    let next = safe_next(q.next.as_deref());
    Ok(html_ok(views::login(&ctx, "", &next, None)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    Form(f): Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, state.config.proxy_hops);
    let username = f.username.trim().to_lowercase();
    let next = safe_next(f.next.as_deref());
    let keys = throttle::login_keys(&username, &ip);
    let at = state.clock.now_naive();
    let reserved = state
        .db
        .write(move |c| throttle::begin(c, &keys, at))
        .await?
        .ok_or(AppError::TooManyRequests)?;
    let lookup = username.clone();
    let user = state
        .db
        .read(move |c| store::by_username(c, &lookup))
        .await?;
    let (pw, stored) = (
        f.password.clone(),
        user.as_ref()
            .filter(|u| !u.disabled)
            .map(|u| u.password_hash.clone()),
    );
    // Unknown or disabled users are checked against a dummy hash: same answer, same time.
    // A good password whose hash has older parameters is hashed again with today's.
    let (ok, rehashed) = state
        .hashing(move || match stored {
            Some(h) => {
                let ok = password::verify(&pw, &h);
                let new = (ok && password::needs_rehash(&h))
                    .then(|| password::hash(&pw).ok())
                    .flatten();
                (ok, new.map(|n| (h, n)))
            }
            None => {
                password::verify(&pw, password::dummy_hash());
                (false, None)
            }
        })
        .await?;
    let now = state.clock.now_naive();
    let Some(user) = user.filter(|_| ok) else {
        let who = username.clone();
        state
            .db
            .write(move |c| {
                audit::record(
                    c,
                    &Actor::system(&who),
                    now,
                    Entry::new("login.failure", "session")
                        .after(json!({ "username": who, "ip": ip })),
                )
            })
            .await?;
        return Ok(html_ok(views::login(
            &ctx,
            &f.username,
            &next,
            Some("auth.bad_credentials"),
        )));
    };
    let (uid, uname, must_change) = (user.id, user.username.clone(), user.must_change_password);
    let token = state
        .db
        .write(move |c| {
            throttle::forgive(c, &reserved)?;
            if let Some((old, new)) = &rehashed {
                // Only if the password was not changed meanwhile.
                store::replace_hash(c, uid, old, new)?;
            }
            let token = session::create(c, uid, now)?;
            audit::record(
                c,
                &Actor::user(uid, &uname),
                now,
                Entry::new("login.success", "session")
                    .id(uid)
                    .after(json!({ "ip": ip })),
            )?;
            Ok(token)
        })
        .await?;
    let to = if must_change {
        "/password".to_string()
    } else {
        next
    };
    let mut res = see_other(&to, None);
    let cookie = Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .finish();
    res.add_cookie(&cookie).ok();
    Ok(res)
}

pub async fn logout(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let (sid, uid, name) = (user.session_id, user.user_id, user.username.clone());
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| {
            session::delete(c, sid)?;
            audit::record(
                c,
                &Actor::user(uid, &name),
                now,
                Entry::new("logout", "session").id(uid),
            )
        })
        .await?;
    let mut res = see_other("/login", Some("flash.logged_out"));
    let mut c = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    c.make_removal();
    res.add_cookie(&c).ok();
    Ok(res)
}

pub async fn password_form(ctx: Ctx, _user: CurrentUser) -> Markup {
    views::password(&ctx, &FieldErrors::default())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_change(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let uid = user.user_id;
    let stored = state
        .db
        .read(move |c| store::by_id(c, uid))
        .await?
        .ok_or(AppError::LoginRequired)?;
    let mut errors = FieldErrors::default();
    if let Err(k) = password::check_rules(&f.new, &user.username) {
        errors.add("new", k);
    }
    if f.new != f.confirm {
        errors.add("confirm", "pw.mismatch");
    }
    if !f.new.is_empty() && f.new == f.current {
        errors.add("new", "pw.same_as_current");
    }
    let keys = throttle::password_keys(uid);
    let at = state.clock.now_naive();
    let reserved = state
        .db
        .write(move |c| throttle::begin(c, &keys, at))
        .await?
        .ok_or(AppError::TooManyRequests)?;
    let (cur, hash) = (f.current.clone(), stored.password_hash.clone());
    if state.hashing(move || password::verify(&cur, &hash)).await? {
        state
            .db
            .write(move |c| throttle::forgive(c, &reserved))
            .await?;
    } else {
        errors.add("current", "pw.current_wrong");
    }
    if !errors.is_empty() {
        return Ok(html_invalid(views::password(&ctx, &errors)));
    }
    let new = f.new.clone();
    let hash = state.hashing(move || password::hash(&new)).await??;
    // A signer's key follows the password: re-sealed under the new one, or — for a signer who
    // has none (a first password of their own, or after an administrator's reset retired
    // it) — issued now, sealed with the password only they know.
    let (key, signer) = state
        .db
        .read(move |c| {
            Ok((
                crate::signoff::store::active_key(c, uid)?,
                crate::signoff::store::may_sign(c, uid)?,
            ))
        })
        .await?;
    let (cur, new) = (f.current.clone(), f.new.clone());
    let key_change = state
        .hashing(move || match (key, signer) {
            (Some(k), _) => match crate::signoff::keys::reseal(&k.sealed, &cur, &new) {
                Ok(sealed) => Some((Some(k.id), sealed)),
                // A key the old password no longer opens is replaced by a new one.
                Err(_) => crate::signoff::keys::generate(&new).ok().map(|s| (None, s)),
            },
            (None, true) => crate::signoff::keys::generate(&new).ok().map(|s| (None, s)),
            (None, false) => None,
        })
        .await?;
    let (sid, name, now) = (
        user.session_id,
        user.username.clone(),
        state.clock.now_naive(),
    );
    state
        .db
        .write(move |c| {
            store::set_password(c, uid, &hash, false, now)?;
            let actor = Actor::user(uid, &name);
            match &key_change {
                Some((Some(id), sealed)) => crate::signoff::store::reseal_key(c, *id, sealed)?,
                Some((None, sealed)) => {
                    crate::signoff::store::store_new_key(c, &actor, now, uid, sealed)?;
                }
                None => {}
            }
            // Other sessions of this user end; this one goes on.
            session::delete_others(c, uid, sid)?;
            audit::record(
                c,
                &Actor::user(uid, &name),
                now,
                Entry::new("user.password_change", "user").id(uid),
            )
        })
        .await?;
    Ok(see_other("/", Some("flash.password_changed")))
}
