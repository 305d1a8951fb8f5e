//! What every page needs to know about the request: language, user, CSRF token, flash.
//! Filled by the context middleware (`auth::middleware`), read by handlers and views.

use super::Lang;
use crate::auth::session::SessionUser;
use crate::error::AppError;
use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Arc<SessionUser>>,
    pub csrf: String,
    pub flash: Option<&'static str>,
    pub path: String,
    /// The query string, so a language switch comes back to the same month or filter.
    pub query: String,
    /// A form's request (POST): where it was posted from, for a page answering it.
    pub posted: Option<Posted>,
    pub request_id: String,
}

/// What a form's request says of the page it was posted from: its `Referer` and `Host`
/// headers, kept as they came (nothing is parsed unless a page is shown in answer).
#[derive(Clone, Debug)]
pub struct Posted {
    pub referer: Option<actix_web::http::header::HeaderValue>,
    pub host: Option<actix_web::http::header::HeaderValue>,
}

impl Posted {
    /// The same-site page (path and query) the form was on, when the `Referer` names one.
    pub fn page(&self) -> Option<(&str, &str)> {
        let referer = self.referer.as_ref()?.to_str().ok()?;
        let host = self.host.as_ref()?.to_str().ok()?;
        let rest = referer
            .strip_prefix("http://")
            .or_else(|| referer.strip_prefix("https://"))?
            .strip_prefix(host)?;
        if !rest.starts_with('/') || crate::home::safe_next(Some(rest)) != rest {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or(rest);
        Some(rest.split_once('?').unwrap_or((rest, "")))
    }
}

impl Ctx {
    /// Where the page's language switch comes back to: this page; for a page answering a form
    /// (a refusal), the page the form was on — the URL it posted to may take no GET — or,
    /// not knowing it, that URL if it is a page, else the home page.
    pub fn back_to(&self) -> (&str, &str) {
        match &self.posted {
            Some(p) => match p.page() {
                Some(page) => page,
                None if !crate::app::is_page(&self.path) => ("/", ""),
                None => (&self.path, &self.query),
            },
            None => (&self.path, &self.query),
        }
    }

    pub fn t(&self, key: &'static str) -> &'static str {
        self.lang.t(key)
    }
    pub fn tf(&self, key: &'static str, arg: impl std::fmt::Display) -> String {
        self.lang.tf(key, arg)
    }
    /// The text of a key made at run time (an audit action), if the table has it.
    pub fn lookup(&self, key: &str) -> Option<&'static str> {
        self.lang.lookup(key)
    }
    pub fn user(&self) -> Result<&SessionUser, AppError> {
        self.user.as_deref().ok_or(AppError::LoginRequired)
    }
    /// A context outside any request (stored documents, answers to other systems): the
    /// language only.
    pub fn detached(lang: Lang) -> Ctx {
        Ctx {
            lang,
            user: None,
            csrf: String::new(),
            flash: None,
            path: String::new(),
            query: String::new(),
            posted: None,
            request_id: String::new(),
        }
    }
    /// A context for pages rendered outside the middleware (should not happen; safe default).
    pub fn fallback(req: &HttpRequest) -> Ctx {
        let lang = req
            .cookie(crate::auth::middleware::LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()))
            .unwrap_or_default();
        Ctx {
            lang,
            user: None,
            csrf: String::new(),
            flash: None,
            path: req.path().to_string(),
            query: req.query_string().chars().take(512).collect(),
            posted: None,
            request_id: String::new(),
        }
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Ctx, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ctx = req.extensions().get::<Ctx>().cloned();
        ready(Ok(ctx.unwrap_or_else(|| Ctx::fallback(req))))
    }
}

/// The logged-in user; extracting it from an anonymous request answers "login required".
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Arc<SessionUser>);

impl std::ops::Deref for CurrentUser {
    type Target = SessionUser;
    fn deref(&self) -> &SessionUser {
        &self.0
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<CurrentUser, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req.extensions().get::<Ctx>().and_then(|c| c.user.clone());
        ready(user.map(CurrentUser).ok_or(AppError::LoginRequired))
    }
}
