//! Accountant and approver: the month (live split while open, stored lines once closed),
//! closing it, and the payroll deduction export (XLSX / CSV) with people not on the payroll
//! listed apart, to collect in cash.

use super::store::{self, Line, PersonTotal, Who};
use crate::audit::{self, Actor, Entry};
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::forms::{confirm_form, ConfirmForm, Form};
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct MonthQuery {
    m: Option<String>,
}

/// The month asked for ("2026-11"), by default last month; anything else is refused (never
/// another month in its place: closing the wrong month cannot be undone).
fn month_first(m: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let last_month = (today.with_day(1).unwrap_or(today) - Duration::days(1))
        .with_day(1)
        .unwrap_or(today);
    match m {
        None => Ok(last_month),
        Some(m) => crate::ui::format::parse_month(m).ok_or(AppError::BadRequest("month.err_bad")),
    }
}

/// The month's lines (stored once closed, computed while open) and who the people are.
struct MonthData {
    first: NaiveDate,
    closed: Option<store::Closed>,
    lines: Vec<Line>,
    who: HashMap<i32, Who>,
    funds: Vec<crate::ledger::store::Fund>,
}

async fn load(state: &AppState, first: NaiveDate) -> Result<MonthData, AppError> {
    state
        .db
        .read(move |c| {
            let month = crate::periods::month_key(first);
            let closed = store::closed(c, &month)?;
            let (lines, who) = match &closed {
                Some(_) => {
                    let lines = store::stored(c, &month)?;
                    let mut ids: Vec<i32> = lines.iter().map(|l| l.person_id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let who = store::who_of(c, &ids)?;
                    (lines, who)
                }
                None => store::compute(c, first)?,
            };
            Ok(MonthData {
                first,
                closed,
                lines,
                who,
                funds: crate::ledger::store::funds(c)?,
            })
        })
        .await
}

pub async fn month(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<Markup, AppError> {
    let first = month_first(q.m.as_deref(), state.clock.today())?;
    let data = load(&state, first).await?;
    let can_close = user.has(crate::auth::roles::Role::Accountant);
    Ok(month_page(&ctx, &data, can_close))
}

fn month_page(ctx: &Ctx, d: &MonthData, can_close: bool) -> Markup {
    let key = d.first.format("%Y-%m").to_string();
    let label = format!("{:02}/{}", d.first.month(), d.first.year());
    let prev = (d.first - Duration::days(1)).format("%Y-%m").to_string();
    let next = (d.first + Duration::days(32)).format("%Y-%m").to_string();
    let people = store::per_person(&d.lines, &d.who);
    let sum = |f: fn(&PersonTotal) -> i64| people.iter().map(f).sum::<i64>();
    let mut by_fund: Vec<(i32, i64)> = Vec::new();
    for l in &d.lines {
        for (f, a) in &l.by_fund {
            match by_fund.iter_mut().find(|x| x.0 == *f) {
                Some(x) => x.1 += a.0,
                None => by_fund.push((*f, a.0)),
            }
        }
    }
    by_fund.sort_by_key(|x| x.0);
    let fund_name = |id: i32| {
        d.funds
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let money = |v: i64| Vnd(v).to_string();
    layout::page(
        ctx,
        ctx.t("month.title"),
        html! {
            (layout::title_bar(&ctx.tf("month.title_for", &label), html! {
                a.button.secondary href=(format!("/accounting/month?m={prev}")) { "‹" }
                a.button.secondary href=(format!("/accounting/month?m={next}")) { "›" }
                a.button.secondary href=(format!("/accounting/payroll.xlsx?m={key}")) { (ctx.t("month.payroll_xlsx")) }
                a.button.secondary href=(format!("/accounting/payroll.csv?m={key}")) { (ctx.t("month.payroll_csv")) }
            }))
            @match &d.closed {
                Some(c) => p.notice { (ctx.tf("month.closed_at", crate::clock::local_datetime(c.closed_at))) " " (ctx.t("month.digest")) ": " code { (c.digest) } }
                None => p.hint { (ctx.t("month.open_live")) }
            }
            table {
                tbody {
                    tr { th scope="row" { (ctx.t("month.meals")) } td.num { (d.lines.len()) } }
                    tr { th scope="row" { (ctx.t("month.charged")) } td.num { (money(sum(|t| t.charged))) } }
                    @for (f, a) in &by_fund { tr { th scope="row" { (ctx.t("stmt.subsidy")) " — " (fund_name(*f)) } td.num { (money(*a)) } } }
                    tr { th scope="row" { (ctx.t("month.staff_pays")) } td.num { strong { (money(sum(|t| t.staff))) } } }
                }
            }
            h2 { (ctx.t("month.per_person")) }
            table.responsive {
                thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("people.unit")) } th.num { (ctx.t("month.meals")) } th.num { (ctx.t("month.charged")) } th.num { (ctx.t("stmt.subsidy")) } th.num { (ctx.t("stmt.to_pay")) } th { (ctx.t("month.how")) } } }
                tbody { @for t in &people {
                    @let w = d.who.get(&t.person_id);
                    tr {
                        td { (w.map(|w| w.code.as_str()).unwrap_or("")) } td { (w.map(|w| w.name.as_str()).unwrap_or("")) }
                        td { (w.and_then(|w| w.unit.as_deref()).unwrap_or("")) }
                        td.num { (t.meals) } td.num { (money(t.charged)) } td.num { (money(t.subsidy)) } td.num { (money(t.staff)) }
                        td { @if w.is_some_and(|w| w.payroll) { (ctx.t("month.by_payroll")) } @else { (ctx.t("month.in_cash")) } }
                    }
                } }
            }
            @if d.closed.is_none() && can_close {
                div.card {
                    h2 { (ctx.t("month.close")) }
                    p.hint { (ctx.t("month.close_help")) }
                    (confirm_form(ctx, &format!("/accounting/month/close?m={key}"), ctx.t("month.close_confirm"), ctx.t("month.close")))
                }
            }
        },
    )
}

pub async fn close(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let first = month_first(q.m.as_deref(), state.clock.today())?;
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| store::close_month(c, &actor, now, first))
        .await?;
    Ok(see_other(
        &format!("/accounting/month?m={}", first.format("%Y-%m")),
        Some("flash.month_closed"),
    ))
}

pub async fn payroll_xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    payroll(state, ctx, user, q.into_inner(), export::Format::Xlsx).await
}

pub async fn payroll_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    payroll(state, ctx, user, q.into_inner(), export::Format::Csv).await
}

/// The payroll deduction file: people on the payroll first (code, name, unit, meals, amount
/// to deduct) with a total, then those to collect in cash. Audited (personal data and money).
async fn payroll(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: MonthQuery,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let first = month_first(q.m.as_deref(), state.clock.today())?;
    let d = load(&state, first).await?;
    let people = store::per_person(&d.lines, &d.who);
    let row = |t: &PersonTotal, how: &str| {
        let w = d.who.get(&t.person_id);
        vec![
            w.map(|w| w.code.clone()).unwrap_or_default(),
            w.map(|w| w.name.clone()).unwrap_or_default(),
            w.and_then(|w| w.unit.clone()).unwrap_or_default(),
            t.meals.to_string(),
            t.staff.to_string(),
            how.to_string(),
        ]
    };
    let on = |t: &&PersonTotal| d.who.get(&t.person_id).is_some_and(|w| w.payroll);
    let payroll: Vec<&PersonTotal> = people.iter().filter(on).collect();
    let cash: Vec<&PersonTotal> = people.iter().filter(|t| !on(t)).collect();
    let mut rows: Vec<Vec<String>> = payroll
        .iter()
        .map(|t| row(t, ctx.t("month.by_payroll")))
        .collect();
    let total = |l: &[&PersonTotal]| l.iter().map(|t| t.staff).sum::<i64>();
    let meals = |l: &[&PersonTotal]| l.iter().map(|t| t.meals).sum::<i64>();
    rows.push(vec![
        String::new(),
        ctx.t("month.total_payroll").to_string(),
        String::new(),
        meals(&payroll).to_string(),
        total(&payroll).to_string(),
        String::new(),
    ]);
    rows.extend(cash.iter().map(|t| row(t, ctx.t("month.in_cash"))));
    if !cash.is_empty() {
        rows.push(vec![
            String::new(),
            ctx.t("month.total_cash").to_string(),
            String::new(),
            meals(&cash).to_string(),
            total(&cash).to_string(),
            String::new(),
        ]);
    }
    let header = [
        ctx.t("people.code"),
        ctx.t("people.name"),
        ctx.t("people.unit"),
        ctx.t("month.meals"),
        ctx.t("month.deduct"),
        ctx.t("month.how"),
    ];
    let label = format!("{:02}/{}", first.month(), first.year());
    let state_text = if d.closed.is_some() {
        ctx.t("month.state_closed")
    } else {
        ctx.t("month.state_provisional")
    };
    let table = Table {
        title: ctx.tf("month.payroll_title", &label),
        summary: vec![vec![state_text.to_string()]],
        header: &header,
        rows,
        numbers_from: 3,
        widths: &[
            (0, 12.0),
            (1, 28.0),
            (2, 28.0),
            (3, 8.0),
            (4, 16.0),
            (5, 18.0),
        ],
    };
    let file = export::download(
        &table,
        format,
        &format!("khau-tru-tien-an-{}", first.format("%Y-%m")),
    )?;
    let what = json!({"month": first.format("%Y-%m").to_string(), "rows": people.len(),
        "total_vnd": total(&payroll) + total(&cash), "format": format.code()});
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    state
        .db
        .write(move |c| {
            audit::record(
                c,
                &actor,
                now,
                Entry::new("accounting_payroll.export", "month").after(what.clone()),
            )
        })
        .await?;
    Ok(file)
}
