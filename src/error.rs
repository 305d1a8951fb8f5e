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
    pub fn pool(e: impl std::fmt::Display) -> Self {
        AppError::Internal(format!("database pool: {e}"))
    }
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "err.not_found",
            AppError::Forbidden => "err.forbidden",
            AppError::Csrf => "err.csrf",
            AppError::LoginRequired => "err.login_required",
            AppError::TooManyRequests => "err.too_many",
            AppError::BadRequest(k) => k,
            AppError::Db(_) | AppError::Internal(_) => "err.internal",
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
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
