//! The report routes: the catalogue, each report as a page, a print view, XLSX and CSV.

use super::catalogue::{self, Report};
use super::filters::{FilterQuery, Filters};
use super::sheet::Sheet;
use super::table::Out;
use super::views::{self, Choices};
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::export;
use crate::ui::forms::FieldErrors;
use crate::ui::{html_invalid, html_ok, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};

pub async fn catalogue_page(ctx: Ctx, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let dashboard = user.roles.any(catalogue::DASHBOARD_READERS);
    Ok(html_ok(layout::page(
        &ctx,
        ctx.t("stats.catalogue"),
        views::catalogue(&ctx, user.roles, dashboard),
    )))
}

/// The report the path names, if this user may read it (404 unknown, 403 another area).
fn report_for(id: &str, user: &CurrentUser) -> Result<&'static Report, AppError> {
    let r = catalogue::find(id).ok_or(AppError::NotFound)?;
    if !r.may_read(user.roles) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

/// A computed report, with the small-cell rule applied for this reader. The flag says whether
/// any cell was hidden.
pub async fn run(
    state: &AppState,
    r: &'static Report,
    f: Filters,
    user: &CurrentUser,
) -> Result<(Out, bool), AppError> {
    let mut out = state.db.read(move |c| r.compute(c, &f)).await?;
    let hidden = !r.shows_small_cells(user.roles) && out.suppress_small();
    Ok((out, hidden))
}

async fn choices(state: &AppState, ctx: &Ctx, r: &Report) -> Result<Choices, AppError> {
    let (unit, fund) = (r.takes.unit, r.takes.fund);
    let (units, funds) = state
        .db
        .read(move |c| {
            let units = if unit {
                crate::people::store::all_units(c)?
            } else {
                Vec::new()
            };
            let funds = if fund {
                crate::ledger::store::funds(c)?
            } else {
                Vec::new()
            };
            Ok((units, funds))
        })
        .await?;
    let mut fund_options = vec![(String::new(), ctx.t("stats.f.all_funds").to_string())];
    fund_options.extend(
        funds
            .iter()
            .map(|f| (f.id.to_string(), format!("{} — {}", f.code, f.name))),
    );
    Ok(Choices {
        units: crate::people::unit_options(&units, ctx.t("stats.f.all_units")),
        funds: fund_options,
    })
}

fn errors_of(list: &[(&'static str, &'static str)]) -> FieldErrors {
    let mut e = FieldErrors::default();
    for (field, key) in list {
        e.add(field, key);
    }
    e
}

/// Checks the unit and fund a filter names exist; a wrong one is a field error.
fn check_choices(f: &Filters, ch: &Choices) -> Vec<(&'static str, &'static str)> {
    let mut e = Vec::new();
    if f.unit
        .is_some_and(|u| !ch.units.iter().any(|(v, _)| *v == u.to_string()))
    {
        e.push(("unit", "stats.err_choice"));
    }
    if f.fund
        .is_some_and(|u| !ch.funds.iter().any(|(v, _)| *v == u.to_string()))
    {
        e.push(("fund", "stats.err_choice"));
    }
    e
}

/// Reads the filters, or answers 400 with the form and a message beside each wrong field.
async fn filters_or_form(
    state: &AppState,
    ctx: &Ctx,
    r: &'static Report,
    q: &FilterQuery,
) -> Result<Result<(Filters, Choices), HttpResponse>, AppError> {
    let ch = choices(state, ctx, r).await?;
    let mut f = Filters::parse(q, state.clock.today());
    if let Ok(ok) = &mut f {
        // A filter the report does not take is ignored, not an error (links carry them).
        if !r.takes.unit {
            ok.unit = None;
        }
        if !r.takes.fund {
            ok.fund = None;
        }
        let wrong = check_choices(ok, &ch);
        if !wrong.is_empty() {
            f = Err(wrong);
        }
    }
    match f {
        Ok(f) => Ok(Ok((f, ch))),
        Err(list) => {
            let e = errors_of(&list);
            let body = views::report_page(ctx, r, None, q, &ch, &e, None);
            Ok(Err(html_invalid(layout::page(ctx, ctx.t(r.title), body))))
        }
    }
}

/// A report computed for this reader: the report, its filters, the choices the form offers,
/// the figures and whether the small-cell rule hid any.
struct Computed {
    r: &'static Report,
    f: Filters,
    ch: Choices,
    out: Out,
    hidden: bool,
}

/// What every view of a report starts with: the report (404/403), its filters (or the form
/// with messages, answered as is), and the figures.
async fn computed(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    q: &FilterQuery,
) -> Result<Result<Computed, HttpResponse>, AppError> {
    let r = report_for(id, user)?;
    let (f, ch) = match filters_or_form(state, ctx, r, q).await? {
        Ok(x) => x,
        Err(page) => return Ok(Err(page)),
    };
    let (out, hidden) = run(state, r, f.clone(), user).await?;
    Ok(Ok(Computed {
        r,
        f,
        ch,
        out,
        hidden,
    }))
}

pub async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let c = match computed(&state, &ctx, &user, &id, &q).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let body = views::report_page(
        &ctx,
        c.r,
        Some(&c.f),
        &q,
        &c.ch,
        &FieldErrors::default(),
        Some((&c.out, c.hidden)),
    );
    Ok(html_ok(layout::page(&ctx, ctx.t(c.r.title), body)))
}

/// The filters in words for the print view and the downloads ("; Đơn vị: …; Quỹ: …").
fn filters_text(ctx: &Ctx, f: &Filters, ch: &Choices) -> String {
    let name = |list: &[(String, String)], id: Option<i32>| {
        id.and_then(|i| list.iter().find(|(v, _)| *v == i.to_string()))
            .map(|(_, t)| t.trim().to_string())
    };
    let mut s = String::new();
    if let Some(u) = name(&ch.units, f.unit) {
        s.push_str(&format!("; {}: {u}", ctx.t("stats.f.unit")));
    }
    if let Some(x) = name(&ch.funds, f.fund) {
        s.push_str(&format!("; {}: {x}", ctx.t("stats.f.fund")));
    }
    s
}

pub async fn print(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let c = match computed(&state, &ctx, &user, &id, &q).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let words = filters_text(&ctx, &c.f, &c.ch);
    let body = views::print_page(&ctx, c.r, &c.f, &words, &c.out, c.hidden);
    Ok(html_ok(layout::page(&ctx, ctx.t(c.r.title), body)))
}

async fn download(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<FilterQuery>,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let c = match computed(&state, &ctx, &user, &id, &q).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let words = filters_text(&ctx, &c.f, &c.ch);
    let sheet = Sheet::of(&ctx, c.r, &c.f, &words, &c.out, c.hidden);
    export::download(
        &sheet.table(),
        format,
        &format!("bao-cao-{}-{}", c.r.id, stem(&c.f)),
    )
}

fn stem(f: &Filters) -> String {
    let p = f.period_text();
    if p.is_empty() {
        format!(
            "{}-{}",
            crate::ui::format::iso_day(f.from),
            crate::ui::format::iso_day(f.to)
        )
    } else {
        p
    }
}

pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    download(state, ctx, user, id, q, export::Format::Csv).await
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    download(state, ctx, user, id, q, export::Format::Xlsx).await
}
