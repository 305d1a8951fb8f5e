//! The context middleware: language, session (idle/absolute expiry, disabled users), the
//! CSRF check for every POST, and the flash message. Handlers read the result as `Ctx`.

use super::session::{self, SessionUser, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::CSRF_FIELD;
use crate::ui::{Ctx, Lang};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub const LANG_COOKIE: &str = "canteen_lang";
pub const FLASH_COOKIE: &str = "canteen_flash";

/// Request id, set by the outer middleware in `app.rs`.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(AppError::internal("no app state")));
    };
    let lang = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
        .unwrap_or_default();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();

    // My week, the page staff open most, is read in the session check's statement on
    // PostgreSQL: one round trip instead of two. SQLite reads in-process on this thread, and
    // there the joined statement costs more (+11 % instructions a page: it looks the session
    // up for each of its parts) than the second statement it saves.
    let with_week = req.method() == Method::GET
        && req.path() == "/week"
        && state.db.backend() == crate::db::Backend::Postgres;
    let user = match req.cookie(SESSION_COOKIE) {
        Some(c) => match current_user(&state, c.value().to_string(), with_week).await {
            Ok((u, week)) => {
                if let Some(w) = week {
                    req.extensions_mut().insert(w);
                }
                u
            }
            Err(e) => return Ok(req.error_response(e)),
        },
        None => None,
    };

    // Anonymous forms (login) use a double-submit token in a strict cookie.
    let mut new_pre = None;
    let csrf = match &user {
        Some(u) => u.csrf.clone(),
        None => match req.cookie(PRE_CSRF_COOKIE) {
            Some(c) if c.value().len() == 64 => c.value().to_string(),
            _ => {
                let t = session::random_token();
                new_pre = Some(t.clone());
                t
            }
        },
    };

    if req.method() == Method::POST {
        if let Err(e) = check_csrf(&mut req, &csrf, new_pre.is_some()).await {
            // An address that takes no POST does nothing with one, token or not: it is
            // answered 405 with the methods it takes (or 404), as any other method would be.
            if crate::app::takes_post(req.path()) {
                return Ok(req.error_response(e));
            }
        }
    }

    // A flash tells what the last redirect's page is about; a page answering a POST (a form
    // sent back with its errors) is about that form: it neither shows nor clears it.
    let flash = matches!(*req.method(), Method::GET | Method::HEAD)
        .then(|| req.cookie(FLASH_COOKIE).and_then(|c| flash_key(c.value())))
        .flatten();
    let ctx = Ctx {
        lang,
        user,
        csrf,
        flash,
        path: req.path().to_string(),
        query: req.query_string().chars().take(512).collect(),
        posted: (req.method() == Method::POST).then(|| crate::ui::ctx::Posted {
            referer: req.headers().get(header::REFERER).cloned(),
            host: req.headers().get(header::HOST).cloned(),
        }),
        request_id,
    };
    req.extensions_mut().insert(ctx);

    let mut res = next.call(req).await?.map_into_boxed_body();
    let secure = state.config.secure_cookies;
    if let Some(t) = new_pre {
        let c = Cookie::build(PRE_CSRF_COOKIE, t)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        res.response_mut().add_cookie(&c).ok();
    }
    // A flash is shown once: clear it after a page showed it (unless a new one was set).
    let sets_flash = res.response().cookies().any(|c| c.name() == FLASH_COOKIE);
    if flash.is_some() && res.status().is_success() && !sets_flash {
        let mut c = Cookie::build(FLASH_COOKIE, "").path("/").finish();
        c.make_removal();
        res.response_mut().add_cookie(&c).ok();
    }
    if secure {
        secure_flash(res.response_mut().headers_mut());
    }
    Ok(res)
}

fn flash_key(v: &str) -> Option<&'static str> {
    crate::ui::texts::TEXTS
        .iter()
        .chain(crate::ui::texts_canteen::TEXTS)
        .find(|(k, _, _)| *k == v && k.starts_with("flash."))
        .map(|(k, _, _)| *k)
}

/// The rows of My week read with the session (`with_week`), for the handler
/// (`canteen::orders::staff::my_week`): the user's person and the days they were read for.
pub struct SessionWeek {
    pub person: i32,
    pub window: (chrono::NaiveDate, chrono::NaiveDate),
    pub week: crate::canteen::orders::store::PersonWeek,
}

/// The session's user, when the session is valid; with `with_week`, and a person, also the
/// rows of the person's week, read in the same statement.
async fn current_user(
    state: &AppState,
    token: String,
    with_week: bool,
) -> Result<(Option<Arc<SessionUser>>, Option<SessionWeek>), AppError> {
    use crate::canteen::orders::{store, week};
    let now = state.clock.now_naive();
    let window = with_week.then(|| week::window(state.clock.today()));
    let (loaded, rows) = state
        .db
        .read_short(move |c| match window {
            Some((from, to)) => {
                let (l, w) = store::session_week(c, &token, from, to)?;
                Ok((l, Some(w)))
            }
            None => Ok((session::load(c, &token)?, None)),
        })
        .await?;
    let Some(l) = loaded else {
        return Ok((None, None));
    };
    let week = match (l.user.person_id, window, rows) {
        (Some(person), Some(window), Some(week)) => Some(SessionWeek {
            person,
            window,
            week,
        }),
        _ => None,
    };
    Ok((current_of(state, l, now).await?, week))
}

/// The user of a loaded session, once its expiry and the user's state are checked (an
/// expired session, or one of a disabled user, is deleted); its idle clock kept.
async fn current_of(
    state: &AppState,
    l: session::Loaded,
    now: chrono::NaiveDateTime,
) -> Result<Option<Arc<SessionUser>>, AppError> {
    let sid = l.user.session_id;
    let expired = session::expired(
        l.created_at,
        l.last_seen_at,
        now,
        state.config.idle(),
        state.config.absolute(),
    );
    if l.disabled || expired {
        state.db.write(move |c| session::delete(c, sid)).await?;
        return Ok(None);
    }
    // Keep the idle clock without a write on every request.
    if now - l.last_seen_at > chrono::Duration::seconds(60) {
        state.db.write(move |c| session::touch(c, sid, now)).await?;
    }
    Ok(Some(Arc::new(l.user)))
}

async fn check_csrf(req: &mut ServiceRequest, expected: &str, fresh: bool) -> Result<(), AppError> {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return Err(AppError::Csrf);
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = req.connection_info().host().to_string();
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin != "null" && origin_host != host {
            return Err(AppError::Csrf);
        }
    }
    if fresh {
        // No token was ever issued to this browser: nothing can match.
        return Err(AppError::Csrf);
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ctype.starts_with("multipart/form-data") {
        // The one upload handler checks the token as the first part (`forms::multipart`).
        req.extensions_mut()
            .insert(CsrfExpected(expected.to_string()));
        return Ok(());
    }
    if !ctype.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Csrf);
    }
    let body = req
        .extract::<web::Bytes>()
        .await
        .map_err(|_| AppError::BadRequest("err.bad_form"))?;
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body).unwrap_or_default();
    // Exactly one token: a form carrying two is not one this app rendered.
    let mut tokens = pairs.iter().filter(|(k, _)| k == CSRF_FIELD);
    let given = match (tokens.next(), tokens.next()) {
        (Some((_, v)), None) => v.as_str(),
        _ => "",
    };
    req.set_payload(actix_web::dev::Payload::from(body));
    if tokens_match(given, expected) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

pub fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty()
        && given.len() == expected.len()
        && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Left for a multipart handler: the token its first field must carry.
#[derive(Clone, Debug)]
pub struct CsrfExpected(pub String);

/// The client address for throttling. Behind `hops` trusted reverse proxies (0: none), it is
/// the address the outermost trusted proxy appended to `X-Forwarded-For` — counted from the
/// right, because everything to the left of it was written by the client and proves nothing.
pub fn client_ip(req: &actix_web::HttpRequest, hops: usize) -> String {
    let peer = || {
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    if hops == 0 {
        return peer();
    }
    let values: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    forwarded_client(&values, hops).unwrap_or_else(peer)
}

/// The `hops`-th address from the right of the joined `X-Forwarded-For` lists, if it is an IP.
pub fn forwarded_client(values: &[&str], hops: usize) -> Option<String> {
    let all: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let i = all.len().checked_sub(hops)?;
    all[i]
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// Marks the flash cookie `Secure` when cookies are secure (it is set where the configuration
/// is not at hand, so the middleware finishes it here).
fn secure_flash(h: &mut actix_web::http::header::HeaderMap) {
    let values: Vec<header::HeaderValue> = h.get_all(header::SET_COOKIE).cloned().collect();
    if !values
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()))
    {
        return;
    }
    h.remove(header::SET_COOKIE);
    for v in values {
        let s = v.to_str().unwrap_or("");
        let fixed = if s.starts_with(FLASH_COOKIE) && !s.contains("; Secure") {
            header::HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or(v)
        } else {
            v
        };
        h.append(header::SET_COOKIE, fixed);
    }
}

/// Puts a one-time message on the next page.
pub fn set_flash(res: &mut actix_web::HttpResponse, key: &'static str) {
    let c = Cookie::build(FLASH_COOKIE, key)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish();
    res.add_cookie(&c).ok();
}

/// 303 See Other to `to`, optionally with a flash message.
pub fn see_other(to: &str, flash: Option<&'static str>) -> actix_web::HttpResponse {
    let mut res = actix_web::HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish();
    if let Some(k) = flash {
        set_flash(&mut res, k);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn the_client_address_is_the_one_the_trusted_proxy_appended() {
        // The client wrote "6.6.6.6"; the proxy appended the address it saw.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 203.0.113.7"], 1).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(&["6.6.6.6", "203.0.113.7"], 1).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(&["6.6.6.6, 203.0.113.7, 10.0.0.2"], 2).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(forwarded_client(&["203.0.113.7"], 2), None);
        assert_eq!(forwarded_client(&["not-an-ip"], 1), None);
        assert_eq!(forwarded_client(&[], 1), None);
    }
}
