//! Shared page pieces: request context, layout, forms, tables, formatting, texts.

pub mod ctx;
pub mod export;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod layout;
pub mod texts;
pub mod texts_canteen;
pub mod texts_food;
pub mod texts_stats;
pub mod texts_welfare;
pub mod upload;

pub use ctx::{Ctx, CurrentUser};
pub use i18n::Lang;

pub const STYLESHEET: &str = include_str!("style.css");

/// 200 with an HTML page.
pub fn html_ok(m: maud::Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(m.into_string())
}

/// 422 with the form shown again, the user's values kept and each problem beside its field.
pub fn html_invalid(m: maud::Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(m.into_string())
}
