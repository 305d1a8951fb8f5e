//! Home page, health check, stylesheet, language switch.

use crate::auth::middleware::LANG_COOKIE;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::{layout, Ctx, CurrentUser, Lang};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// Staff land on their week; everyone else on an overview of what they can do.
pub async fn index(ctx: Ctx, user: CurrentUser) -> Result<HttpResponse, AppError> {
    if user.has(Role::Staff) && user.person_id.is_some() {
        return Ok(crate::auth::middleware::see_other("/week", None));
    }
    if user.has(Role::Leader) && !user.has(Role::Admin) {
        return Ok(crate::auth::middleware::see_other("/dashboard", None));
    }
    if user.has(Role::Kitchen) && !user.has(Role::Admin) {
        return Ok(crate::auth::middleware::see_other(
            "/kitchen/headcount",
            None,
        ));
    }
    Ok(crate::ui::html_ok(overview(&ctx, &user)))
}

fn overview(ctx: &Ctx, user: &CurrentUser) -> Markup {
    let links: Vec<(&str, &str, &str)> = [
        (Role::Admin, "/people", "nav.people", "home.people_hint"),
        (
            Role::Admin,
            "/admin/users",
            "nav.accounts",
            "home.accounts_hint",
        ),
        (
            Role::Accountant,
            "/people",
            "nav.people",
            "home.people_hint",
        ),
        (
            Role::UnionOfficer,
            "/people",
            "nav.people",
            "home.people_hint",
        ),
    ]
    .into_iter()
    .filter(|(r, ..)| user.has(*r))
    .map(|(_, href, k, hint)| (href, ctx.t(k), ctx.t(hint)))
    .fold(Vec::new(), |mut acc, item| {
        if !acc.iter().any(|(h, ..)| *h == item.0) {
            acc.push(item);
        }
        acc
    });
    let title = ctx.tf("home.welcome", &user.display_name);
    layout::page(
        ctx,
        ctx.t("nav.home"),
        html! {
            h1 { (title) }
            p { (ctx.t("home.intro")) }
            p { (ctx.t("home.your_roles")) " "
                @for r in user.roles.iter() { span.badge { (ctx.t(r.label_key())) } " " }
            }
            @if !links.is_empty() {
                ul {
                    @for (href, text, hint) in &links {
                        li { a href=(href) { (text) } " — " (hint) }
                    }
                }
            }
        },
    )
}

/// Healthy means the database takes a real write (through the same writer every change uses)
/// within 0.8 s; anything else is 503, so a load balancer always has its answer within a
/// second (measured with PostgreSQL killed: 503 in 1.01 s with a 1 s limit, hence 0.8 s).
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let now = state.clock.now_naive();
    let beat = state.db.heartbeat(now);
    match actix_web::rt::time::timeout(std::time::Duration::from_millis(800), beat).await {
        Ok(Ok(())) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database does not take writes");
            unavailable()
        }
        Err(_) => {
            tracing::warn!("health check: the write took longer than 0.8 s");
            unavailable()
        }
    }
}

fn unavailable() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain")
        .insert_header((header::RETRY_AFTER, "5"))
        .body("database unavailable")
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(crate::ui::STYLESHEET)
}

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(crate::ui::SCRIPT)
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

pub async fn set_lang(
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_code(&code).ok_or(AppError::NotFound)?;
    let next = safe_next(q.next.as_deref());
    let c = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .max_age(actix_web::cookie::time::Duration::days(365))
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .finish();
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next))
        .finish();
    res.add_cookie(&c).ok();
    Ok(res)
}

/// Only same-site paths are followed after login or a language switch (no open redirect): a
/// path starting with one "/", without a backslash, whitespace or any control character (a
/// browser drops a tab or a newline, so "/\t/evil.example" would become "//evil.example"),
/// and of a sane length.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2048
                && !n.chars().any(|c| {
                    c == '\\'
                        || c.is_whitespace()
                        || c.is_control()
                        || crate::ui::forms::forbidden_char(c)
                }) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/people?page=2")), "/people?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        for bad in [
            "/\t/evil.example",
            "/\n/evil",
            "/\r\nSet-Cookie: x=1",
            "/\u{b}x",
            "/\0",
            "/ /evil",
            "/\u{a0}x",
            "/week\u{202e}",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
    }
}
