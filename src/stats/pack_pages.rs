//! The signed months' report packs: the list (with each pack's SHA-256 checked against its
//! stored bytes), the workbook and the A4 print view exactly as stored.

use super::pack;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::export;
use crate::ui::format::parse_month;
use crate::ui::{html_ok, layout, Ctx};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::html;

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (packs, checks) = state
        .db
        .read(|c| Ok((pack::list(c)?, pack::verify_all(c)?)))
        .await?;
    let label = |m: &str| {
        parse_month(m)
            .map(|d| format!("{:02}/{}", d.month(), d.year()))
            .unwrap_or_else(|| m.to_string())
    };
    let body = html! {
        (layout::title_bar(ctx.t("pack.list"), html! { a href="/reports" { (ctx.t("stats.catalogue")) } }))
        p.hint { (ctx.t("pack.list_help")) }
        @if packs.is_empty() {
            p { (ctx.t("pack.none")) }
        } @else {
            table.report {
                thead { tr {
                    th scope="col" { (ctx.t("pack.month")) }
                    th scope="col" { (ctx.t("pack.generated")) }
                    th scope="col" { (ctx.t("pack.files")) }
                    th scope="col" { (ctx.t("pack.sha")) }
                    th scope="col" { (ctx.t("pack.intact")) }
                } }
                tbody {
                    @for p in &packs {
                        @let ok = checks.iter().find(|c| c.0 == p.month).is_some_and(|c| c.1 && c.2);
                        tr {
                            th scope="row" { (label(&p.month)) }
                            td { (crate::clock::local_datetime(p.generated_at)) }
                            td {
                                a href=(format!("/reports/packs/{}/pack.xlsx", p.month)) { "Excel" } " · "
                                a href=(format!("/reports/packs/{}/print", p.month)) { (ctx.t("stats.print")) }
                            }
                            td.hash { "XLSX " code { (p.xlsx_sha256) } br; (ctx.t("stats.print")) " " code { (p.print_sha256) } }
                            td { @if ok { span.badge.on { (ctx.t("pack.ok")) } } @else { span.badge.off { (ctx.t("pack.damaged")) } } }
                        }
                    }
                }
            }
        }
    };
    Ok(html_ok(layout::page(&ctx, ctx.t("pack.list"), body)))
}

fn month_of(path: &str) -> Result<String, AppError> {
    parse_month(path)
        .map(|_| path.to_string())
        .ok_or(AppError::NotFound)
}

pub async fn xlsx(
    state: web::Data<AppState>,
    month: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let m = month_of(&month)?;
    let key = m.clone();
    let (bytes, sha) = state
        .db
        .read(move |c| pack::xlsx_of(c, &key))
        .await?
        .ok_or(AppError::NotFound)?;
    if pack::sha256_hex(&bytes) != sha {
        return Err(AppError::internal(format!(
            "report pack {m}: workbook does not match its SHA-256"
        )));
    }
    let mut res = export::attachment(export::XLSX, &format!("bo-bao-cao-{m}.xlsx"), bytes);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&sha) {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-content-sha256"),
            v,
        );
    }
    Ok(res)
}

pub async fn print(
    state: web::Data<AppState>,
    month: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let m = month_of(&month)?;
    let key = m.clone();
    let (html, sha) = state
        .db
        .read(move |c| pack::print_of(c, &key))
        .await?
        .ok_or(AppError::NotFound)?;
    if pack::sha256_hex(html.as_bytes()) != sha {
        return Err(AppError::internal(format!(
            "report pack {m}: print view does not match its SHA-256"
        )));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("X-Content-SHA256", sha))
        .body(html))
}
