//! One error type. What a user sees is a translated, safe message (rendered by the
//! error-page middleware in `app.rs`); the cause is logged with the request id.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("login required")]
    LoginRequired,
    #[error("too many attempts")]
    TooManyRequests,
    /// A request the user can correct; the value is an i18n key.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// The writer's queue is full: nothing was saved, try again in a moment (503).
    #[error("busy: the write queue is full")]
    Busy,
    /// The database could not take the change (down, disk full, read-only): nothing was
    /// saved (503).
    #[error("database unavailable: {0}")]
    NotSaved(String),
}

/// Marker the error-page middleware reads to render a page in the user's language.
#[derive(Clone, Copy, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// i18n key of the message shown to the user.
    pub message: &'static str,
}

impl AppError {
    pub fn internal(msg: impl Into<String>) -> Self {
        AppError::Internal(msg.into())
    }
    /// No connection could be had in time: the database is down or overloaded (503).
    pub fn pool(e: impl std::fmt::Display) -> Self {
        AppError::NotSaved(format!("database pool: {e}"))
    }
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "err.not_found",
            AppError::Forbidden => "err.forbidden",
            AppError::Csrf => "err.csrf",
            AppError::LoginRequired => "err.login_required",
            AppError::TooManyRequests => "err.too_many",
            AppError::BadRequest(k) => k,
            AppError::Db(e) if db_unavailable(e) => "err.not_saved",
            AppError::Db(e) if month_closed(e) => "period.err_closed",
            AppError::Db(_) | AppError::Internal(_) => "err.internal",
            AppError::Busy => "err.busy",
            AppError::NotSaved(_) => "err.not_saved",
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::LoginRequired => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Db(e) if db_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(e) if month_closed(e) => StatusCode::BAD_REQUEST,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Busy | AppError::NotSaved(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut res = HttpResponse::build(status).finish();
        res.extensions_mut().insert(ErrorPage {
            status,
            message: self.message_key(),
        });
        res
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(format!("{e:#}"))
    }
}

/// The database's own refusal (migration 000009's triggers) of a change dated in a closed or
/// signed month: the user's request, not a fault, and told as `periods::ensure_open` tells it.
pub fn month_closed(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info) if info.message().contains("canteen: month closed"))
}

/// Errors that mean the database cannot take writes now (disk full, read-only, I/O, lost
/// connection) rather than a fault in the request: answered 503 "not saved, try again".
pub fn db_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message().to_ascii_lowercase();
            [
                "database or disk is full",
                "disk i/o error",
                "attempt to write a readonly database",
                "unable to open database",
                "no space left on device",
                "could not extend file",
                "terminating connection",
                "server closed the connection",
                "connection to server",
                "the database system is",
            ]
            .iter()
            .any(|k| m.contains(k))
        }
        _ => false,
    }
}
