//! The yearly fund report: the balance brought forward, receipts and payments line by line
//! against the plan, the balance at the end of the year; as a page (print-friendly), as XLSX,
//! and the accountant's form for the year's plan by line.

use super::lines::{self, FundReport, LineFigure};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::forms::{error_list, post_form, FieldErrors, Form};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// The years a fund report or plan can be for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn year_of(q: &YearQuery, state: &AppState) -> i32 {
    q.year
        .filter(|y| YEARS.contains(y))
        .unwrap_or_else(|| state.clock.today().year())
}

async fn load(state: &AppState, fund: i32, year: i32) -> Result<FundReport, AppError> {
    state.db.read(move |c| lines::report(c, fund, year)).await
}

fn pct(l: &LineFigure) -> String {
    l.used_percent()
        .map(|p| format!("{} %", Vnd(p).grouped()))
        .unwrap_or_default()
}

fn opt(v: Option<Vnd>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn section(ctx: &Ctx, title: &str, rows: &[LineFigure], total: Vnd) -> Markup {
    let planned: Option<i64> = rows
        .iter()
        .filter_map(|l| l.planned.map(|p| p.0))
        .reduce(|a, b| a + b);
    html! {
        h2 { (title) }
        table.report {
            thead { tr { th { (ctx.t("fund.line")) } th.num { (ctx.t("fund.planned")) } th.num { (ctx.t("fund.actual")) } th.num { (ctx.t("fund.remaining")) } th.num { (ctx.t("fund.used_percent")) } } }
            tbody { @for l in rows.iter().filter(|l| l.planned.is_some() || l.actual.0 != 0) { tr {
                td { (ctx.t(l.key)) } td.num { (opt(l.planned)) } td.num { (l.actual) }
                td.num { @match l.remaining() { Some(r) if r.0 < 0 => { span.badge.off { (r) } } Some(r) => { (r) } None => { "—" } } }
                td.num { (pct(l)) }
            } } }
            tfoot { tr { th { (ctx.t("fund.total")) } th.num { (opt(planned.map(Vnd))) } th.num { (total) } th.num { (opt(planned.map(|p| Vnd(p - total.0)))) } th {} } }
        }
    }
}

fn view(
    ctx: &Ctx,
    r: &FundReport,
    can_plan: bool,
    form: &[(String, String)],
    e: &FieldErrors,
) -> Markup {
    let title = ctx.tf(
        "fund.report_title",
        format!("{} — {} · {}", r.fund.code, r.fund.name, r.year),
    );
    let value = |line: &str| {
        form.iter()
            .find(|(k, _)| k == line)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    html! {
        (layout::title_bar(&title, html! {
            a href="/accounting/funds" { (ctx.t("fund.title")) } " · "
            a href=(format!("/accounting/funds/{}/report?year={}", r.fund.id, r.year - 1)) { (r.year - 1) } " · "
            a href=(format!("/accounting/funds/{}/report?year={}", r.fund.id, r.year + 1)) { (r.year + 1) } " · "
            a href=(format!("/accounting/funds/{}/report.xlsx?year={}", r.fund.id, r.year)) { "Excel" }
        }))
        // Above the report: the plan's form is below its tables, out of sight.
        (error_list(ctx, e))
        p.hint { (ctx.t("fund.report_help")) }
        table {
            tbody {
                tr { th { (ctx.t("fund.opening")) } td.num { (r.opening) } }
                tr { th { (ctx.t("fund.received")) } td.num { (r.received()) } }
                tr { th { (ctx.t("fund.spent")) } td.num { (r.spent()) } }
                tr { th { (ctx.t("fund.closing")) } td.num { strong { (r.closing()) } } }
            }
        }
        (section(ctx, ctx.t("fund.receipts"), &r.receipts, r.received()))
        (section(ctx, ctx.t("fund.payments"), &r.payments, r.spent()))
        @if can_plan {
            div.card.no-print {
                h2 { (ctx.tf("fund.plan_for", r.year)) }
                p.hint { (ctx.t("fund.plan_help")) }
                (post_form(ctx, &format!("/accounting/funds/{}/budget?year={}", r.fund.id, r.year), html! {
                    (crate::ui::seen::hidden(seen_of(form)))
                    fieldset {
                        legend { (ctx.t("fund.receipts")) }
                        @for (code, key) in lines::RECEIPT_LINES { (line_input(ctx, e, code, key, &value(code))) }
                    }
                    fieldset {
                        legend { (ctx.t("fund.payments")) }
                        @for (code, key) in lines::PAYMENT_LINES { (line_input(ctx, e, code, key, &value(code))) }
                    }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
        }
    }
}

fn line_input(ctx: &Ctx, e: &FieldErrors, code: &str, key: &'static str, value: &str) -> Markup {
    let id = format!("f-{code}");
    html! {
        div.field {
            label for=(id) { (ctx.t(key)) }
            input id=(id) name=(code) type="text" inputmode="numeric" value=(value) aria-invalid=[e.get(code).map(|_| "true")];
            @if let Some(k) = e.get(code) { p.error { (ctx.t(k)) } }
        }
    }
}

/// The year's plan as the page shows it, each line's amount, and last the fingerprint of that
/// (`ui::seen`): a plan saved from a page shown before another save is refused.
fn form_of(r: &FundReport) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = r
        .receipts
        .iter()
        .chain(&r.payments)
        .map(|l| {
            (
                l.line.to_string(),
                l.planned.map(|p| p.grouped()).unwrap_or_default(),
            )
        })
        .collect();
    let seen = crate::ui::seen::of(&f);
    f.push((crate::ui::seen::FIELD.into(), seen));
    f
}

fn seen_of(form: &[(String, String)]) -> Option<&str> {
    form.iter()
        .find(|(k, _)| k == crate::ui::seen::FIELD)
        .map(|(_, v)| v.as_str())
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    q: web::Query<YearQuery>,
) -> Result<Markup, AppError> {
    let year = year_of(&q, &state);
    let r = load(&state, id.into_inner(), year).await?;
    let title = ctx.t("fund.report").to_string();
    Ok(layout::page(
        &ctx,
        &title,
        view(
            &ctx,
            &r,
            user.has(Role::Accountant),
            &form_of(&r),
            &FieldErrors::default(),
        ),
    ))
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let year = year_of(&q, &state);
    let r = load(&state, id.into_inner(), year).await?;
    let money = |v: Option<Vnd>| v.map(|v| v.0.to_string()).unwrap_or_default();
    let mut rows = Vec::new();
    for (side, list, total) in [
        (ctx.t("fund.receipts"), &r.receipts, r.received()),
        (ctx.t("fund.payments"), &r.payments, r.spent()),
    ] {
        for l in list.iter() {
            rows.push(vec![
                side.to_string(),
                ctx.t(l.key).to_string(),
                money(l.planned),
                l.actual.0.to_string(),
                money(l.remaining()),
                l.used_percent().map(|p| p.to_string()).unwrap_or_default(),
            ]);
        }
        let planned = list
            .iter()
            .filter_map(|l| l.planned.map(|p| p.0))
            .reduce(|a, b| a + b);
        rows.push(vec![
            side.to_string(),
            ctx.t("fund.total").to_string(),
            money(planned.map(Vnd)),
            total.0.to_string(),
            money(planned.map(|p| Vnd(p - total.0))),
            String::new(),
        ]);
    }
    let t = Table {
        title: ctx.tf(
            "fund.report_title",
            format!("{} — {} · {}", r.fund.code, r.fund.name, r.year),
        ),
        summary: vec![
            vec![ctx.t("fund.opening").to_string(), r.opening.0.to_string()],
            vec![
                ctx.t("fund.received").to_string(),
                r.received().0.to_string(),
            ],
            vec![ctx.t("fund.spent").to_string(), r.spent().0.to_string()],
            vec![ctx.t("fund.closing").to_string(), r.closing().0.to_string()],
        ],
        header: &[
            ctx.t("fund.side"),
            ctx.t("fund.line"),
            ctx.t("fund.planned"),
            ctx.t("fund.actual"),
            ctx.t("fund.remaining"),
            ctx.t("fund.used_percent"),
        ],
        rows,
        numbers_from: 2,
        widths: &[
            (0, 14.0),
            (1, 34.0),
            (2, 18.0),
            (3, 18.0),
            (4, 18.0),
            (5, 10.0),
        ],
        money: &[2, 3, 4],
    };
    export::download(
        &t,
        export::Format::Xlsx,
        &format!("bao-cao-quy-{}-{}", r.fund.id, r.year),
    )
}

/// Saves the year's plan by line (accountants). Every field is an amount in đồng or empty.
pub async fn set_plan(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    q: web::Query<YearQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // A page may fall back to this year; a plan is saved only for the year it names.
    if q.year.is_some_and(|y| !YEARS.contains(&y)) {
        return Err(AppError::BadRequest("fund.err_budget"));
    }
    let year = year_of(&q, &state);
    let mut e = FieldErrors::default();
    let mut plan: Vec<(&'static str, Option<Vnd>)> = Vec::new();
    for (code, _) in lines::RECEIPT_LINES.iter().chain(lines::PAYMENT_LINES) {
        let raw = pairs
            .iter()
            .find(|(k, _)| k == code)
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        if raw.is_empty() {
            plan.push((code, None));
            continue;
        }
        match Vnd::parse(raw) {
            Ok(v) if v.0 >= 0 && v <= crate::ledger::store::MAX_VOUCHER => {
                plan.push((code, Some(v)))
            }
            _ => e.add(code, "fund.err_line"),
        }
    }
    let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1])
        || keys
            .iter()
            .any(|k| *k != crate::ui::seen::FIELD && !crate::ledger::lines::is_line(k))
    {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if e.is_empty() {
        let (a, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let sent = seen_of(&pairs).map(str::to_string);
        // What the form sends, as the page would show it once saved (`30000` reads as 30.000),
        // in the page's order (`form_of`).
        let values: Vec<(String, String)> = plan
            .iter()
            .map(|(line, v)| (line.to_string(), v.map(|v| v.grouped()).unwrap_or_default()))
            .collect();
        let sending = crate::ui::seen::of(&values);
        let stale = state
            .db
            .write(move |c| {
                crate::db::hold_record(c, &format!("budget:{id}:{year}"))?;
                let now_shown = form_of(&lines::report(c, id, year)?);
                let fingerprint = seen_of(&now_shown);
                if crate::ui::seen::refuses(sent.as_deref(), fingerprint, &sending) {
                    return Ok(true);
                }
                lines::set_lines(c, &a, now, id, year, &plan)?;
                Ok(false)
            })
            .await?;
        if !stale {
            return Ok(see_other(
                &format!("/accounting/funds/{id}/report?year={year}"),
                Some("flash.saved"),
            ));
        }
        let r = load(&state, id, year).await?;
        let title = ctx.t("fund.report").to_string();
        let e = FieldErrors::changed_elsewhere();
        return Ok(html_invalid(layout::page(
            &ctx,
            &title,
            view(&ctx, &r, true, &form_of(&r), &e),
        )));
    }
    let r = load(&state, id, year).await?;
    let title = ctx.t("fund.report").to_string();
    // On a page shown before another save, put right it would only be refused then.
    let now_shown = form_of(&r);
    if crate::ui::seen::is_stale(seen_of(&pairs), seen_of(&now_shown)) {
        let e = FieldErrors::changed_elsewhere();
        return Ok(html_invalid(layout::page(
            &ctx,
            &title,
            view(&ctx, &r, true, &now_shown, &e),
        )));
    }
    Ok(html_invalid(layout::page(
        &ctx,
        &title,
        view(&ctx, &r, true, &pairs, &e),
    )))
}
