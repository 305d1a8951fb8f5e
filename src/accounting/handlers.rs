//! Accountant and approver: the month (live split while open, stored lines once closed),
//! closing it, and the payroll deduction export (XLSX / CSV) with people not on the payroll
//! listed apart, to collect in cash.

use super::store::{self, Line, PersonTotal, Who};
use crate::audit::{self, Actor, Entry};
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::forms::{confirm_form, post_form, ConfirmForm, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
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

/// The month a page shows ("2026-11"), by default last month; anything else is refused
/// (never another month in its place). Writes use [`month_named`], which has no default.
pub(crate) fn month_first(m: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let last_month = (today.with_day(1).unwrap_or(today) - Duration::days(1))
        .with_day(1)
        .unwrap_or(today);
    match m {
        None => Ok(last_month),
        Some(m) => crate::ui::format::parse_month(m).ok_or(AppError::BadRequest("month.err_bad")),
    }
}

/// The month a write acts on: always named (`?m=2026-10`); a write is never given the default
/// month in place of a missing one.
pub(crate) fn month_named(m: Option<&str>) -> Result<NaiveDate, AppError> {
    m.and_then(crate::ui::format::parse_month)
        .ok_or(AppError::BadRequest("month.err_bad"))
}

/// The month's lines (stored once closed, computed while open) and who the people are.
pub struct MonthData {
    pub first: NaiveDate,
    pub closed: Option<store::Closed>,
    pub signed: bool,
    pub lines: Vec<Line>,
    pub adjustments: Vec<store::Adjustment>,
    pub who: HashMap<i32, Who>,
    pub funds: Vec<crate::ledger::store::Fund>,
    pub reconciliation: super::reconcile::Reconciliation,
    pub note: Option<(i64, String)>,
    pub signatures: Vec<crate::signoff::store::MonthSignature>,
    /// Why a signature just tried was refused (shown on the signing card).
    pub sign_error: Option<&'static str>,
    /// Why a reopening just tried was refused, and the reason typed (shown on its card).
    pub reopen_error: Option<(&'static str, String)>,
    /// Whether the month is over (only then can it be closed).
    pub over: bool,
    /// Whether a later month is closed or signed (this one then reopens only after it).
    pub later_closed: bool,
    /// The latest reopening that voided signatures (shown until the month is signed).
    pub reopened: Option<store::Reopened>,
}

impl MonthData {
    /// Whether closing waits for a note on the difference.
    pub fn needs_note(&self) -> bool {
        self.reconciliation.difference != 0
            && self.note.as_ref().map(|n| n.0) != Some(self.reconciliation.difference)
    }
}

pub async fn load(state: &AppState, first: NaiveDate) -> Result<MonthData, AppError> {
    let over = crate::subsidy::store::month_of(first).1 < state.clock.today();
    state
        .db
        .read(move |c| {
            let month = crate::periods::month_key(first);
            let closed = store::closed(c, &month)?;
            let adjustments = store::adjustments_of(c, &month)?;
            let (lines, mut who) = match &closed {
                Some(_) => {
                    let lines = store::stored(c, &month)?;
                    let mut ids: Vec<i32> = lines.iter().map(|l| l.person_id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let who = store::who_in_month(c, &month, &ids)?;
                    (lines, who)
                }
                None => store::compute(c, first)?,
            };
            let missing: Vec<i32> = adjustments
                .iter()
                .map(|a| a.person_id)
                .filter(|p| !who.contains_key(p))
                .collect();
            who.extend(store::who_in_month(c, &month, &missing)?);
            let reconciliation = store::reconciliation(c, first, &lines, &adjustments)?;
            Ok(MonthData {
                first,
                signed: crate::periods::state_of(c, first)?.as_deref() == Some("signed"),
                closed,
                lines,
                adjustments,
                who,
                funds: crate::ledger::store::funds(c)?,
                reconciliation,
                note: store::note_of(c, &month)?,
                signatures: crate::signoff::store::signatures_of(c, &month)?,
                sign_error: None,
                reopen_error: None,
                over,
                later_closed: store::later_closed(c, &month)?,
                reopened: store::last_reopen(c, &month)?,
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
    Ok(month_page(
        &ctx,
        &data,
        &user,
        &AdjustForm::default(),
        &FieldErrors::default(),
    ))
}

/// The month page as it stands (after a refused signature, with its reason).
pub fn render(ctx: &Ctx, d: &MonthData, user: &CurrentUser) -> Markup {
    month_page(
        ctx,
        d,
        user,
        &AdjustForm::default(),
        &FieldErrors::default(),
    )
}

fn month_page(
    ctx: &Ctx,
    d: &MonthData,
    user: &CurrentUser,
    af: &AdjustForm,
    ae: &FieldErrors,
) -> Markup {
    let accountant = user.has(Role::Accountant);
    let approver = user.has(Role::Approver);
    let key = d.first.format("%Y-%m").to_string();
    let label = format!("{:02}/{}", d.first.month(), d.first.year());
    let prev = (d.first - Duration::days(1)).format("%Y-%m").to_string();
    let next = (d.first + Duration::days(32)).format("%Y-%m").to_string();
    let people = store::per_person(&d.lines, &d.adjustments, &d.who);
    let sum = |f: fn(&PersonTotal) -> i64| people.iter().map(f).sum::<i64>();
    let by_fund: Vec<(i32, i64)> = store::fund_totals(&d.lines)
        .iter()
        .map(|t| (t.fund, t.amount))
        .collect();
    let fund_name = |id: i32| {
        d.funds
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let money = |v: i64| Vnd(v).to_string();
    let who = |id: i32| d.who.get(&id);
    layout::page(
        ctx,
        ctx.t("month.title"),
        html! {
            (layout::title_bar(&ctx.tf("month.title_for", &label), html! {
                a.button.secondary href=(format!("/accounting/month?m={prev}")) { "‹" }
                a.button.secondary href=(format!("/accounting/month?m={next}")) { "›" }
                a.button.secondary href=(format!("/accounting/reconciliation?m={key}")) { (ctx.t("rec.title")) }
                a.button.secondary href=(format!("/accounting/payroll.xlsx?m={key}")) { (ctx.t("month.payroll_xlsx")) }
                a.button.secondary href=(format!("/accounting/payroll.csv?m={key}")) { (ctx.t("month.payroll_csv")) }
            }))
            p.actions {
                a href=(format!("/accounting/statements.xlsx?m={key}")) { (ctx.t("month.statements_xlsx")) } " · "
                a href=(format!("/accounting/subsidy.xlsx?m={key}&by=unit")) { (ctx.t("month.by_unit_xlsx")) } " · "
                a href=(format!("/accounting/subsidy.xlsx?m={key}&by=fund")) { (ctx.t("month.by_fund_xlsx")) } " · "
                @if d.closed.is_some() { a href=(format!("/accounting/month/report?m={key}")) { (ctx.t("sign.report")) } }
            }
            @match &d.closed {
                Some(c) => p.notice {
                    @if d.signed { strong { (ctx.t("month.state_signed")) } " " }
                    (ctx.tf("month.closed_at", crate::clock::local_datetime(c.closed_at))) " " (ctx.t("month.digest")) ": " code { (c.digest) }
                }
                None if d.later_closed => p.hint { (ctx.t("month.held_by_later")) }
                None if !d.over => p.hint { (ctx.t("month.open_ahead")) }
                None => p.hint { (ctx.t("month.open_live")) }
            }
            // A signature tried from a page opened before the month reopened: the signing card
            // is gone with the close, so the refusal is said here.
            @if let (Some(k), None) = (d.sign_error, &d.closed) { p.alert role="alert" { (ctx.t(k)) } }
            @if let Some((k, _)) = &d.reopen_error { p.alert role="alert" { (ctx.t(k)) } }
            @if let (Some(r), false) = (&d.reopened, d.signed) {
                div.notice {
                    p { (ctx.tf("month.reopened_voided", crate::clock::local_datetime(r.at)).replacen("{}", &r.by, 1)) " " em { (r.reason) } }
                    p { (ctx.t("month.voided_list")) }
                    ul { @for (step, name) in &r.voided { li { strong { (ctx.t(crate::signoff::store::capacity_key(*step))) } ": " (name) } } }
                    p.hint { (ctx.t("month.sign_again")) }
                }
            }
            table {
                tbody {
                    tr { th scope="row" { (ctx.t("month.meals")) } td.num { (d.lines.len()) } }
                    tr { th scope="row" { (ctx.t("month.charged")) } td.num { (money(sum(|t| t.charged))) } }
                    @for (f, a) in &by_fund { tr { th scope="row" { (ctx.t("stmt.subsidy")) " — " (fund_name(*f)) } td.num { (money(*a)) } } }
                    tr { th scope="row" { (ctx.t("month.staff_share")) } td.num { (money(sum(|t| t.staff))) } }
                    @if !d.adjustments.is_empty() { tr { th scope="row" { (ctx.t("adj.title")) } td.num { (money(sum(|t| t.adjust))) } } }
                    tr { th scope="row" { (ctx.t("month.staff_pays")) } td.num { strong { (money(sum(|t| t.to_pay()))) } } }
                }
            }
            h2 { (ctx.t("month.per_person")) }
            table.responsive {
                thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("people.unit")) } th.num { (ctx.t("month.meals")) } th.num { (ctx.t("month.charged")) } th.num { (ctx.t("stmt.subsidy")) } th.num { (ctx.t("adj.short")) } th.num { (ctx.t("stmt.to_pay")) } th { (ctx.t("month.how")) } } }
                tbody { @for t in &people {
                    @let w = who(t.person_id);
                    tr {
                        td data-label=(ctx.t("people.code")) { (w.map(|w| w.code.as_str()).unwrap_or("")) }
                        td data-label=(ctx.t("people.name")) { (w.map(|w| w.name.as_str()).unwrap_or("")) }
                        td data-label=(ctx.t("people.unit")) { (w.and_then(|w| w.unit.as_deref()).unwrap_or("")) }
                        td.num data-label=(ctx.t("month.meals")) { (t.meals) }
                        td.num data-label=(ctx.t("month.charged")) { (money(t.charged)) }
                        td.num data-label=(ctx.t("stmt.subsidy")) { (money(t.subsidy)) }
                        td.num data-label=(ctx.t("adj.short")) { @if t.adjust != 0 { (money(t.adjust)) } }
                        td.num data-label=(ctx.t("stmt.to_pay")) { (money(t.to_pay())) }
                        td data-label=(ctx.t("month.how")) { @if w.is_some_and(|w| w.payroll) { (ctx.t("month.by_payroll")) } @else { (ctx.t("month.in_cash")) } }
                    }
                } }
            }
            @if !d.adjustments.is_empty() {
                h2 { (ctx.t("adj.booked_here")) }
                table.responsive {
                    thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("adj.corrects")) } th.num { (ctx.t("voucher.amount")) } th { (ctx.t("adj.reason")) } } }
                    tbody { @for a in &d.adjustments { tr {
                        td data-label=(ctx.t("people.code")) { (who(a.person_id).map(|w| w.code.as_str()).unwrap_or("")) }
                        td data-label=(ctx.t("people.name")) { (who(a.person_id).map(|w| w.name.as_str()).unwrap_or("")) }
                        td data-label=(ctx.t("adj.corrects")) { (month_label(&a.corrects_month)) }
                        td.num data-label=(ctx.t("voucher.amount")) { (money(a.amount)) }
                        td.wrap data-label=(ctx.t("adj.reason")) { (a.reason) }
                    } } }
                }
            }
            @if d.closed.is_none() && accountant && !d.over {
                p.hint { (ctx.t("month.err_not_over")) }
            }
            @if d.closed.is_none() && accountant && d.over {
                div.card {
                    h2 { (ctx.t("month.close")) }
                    p.hint { (ctx.t("month.close_help")) }
                    @if d.needs_note() {
                        p.alert role="alert" {
                            (ctx.tf("month.note_needed", money(d.reconciliation.difference))) " "
                            a href=(format!("/accounting/reconciliation?m={key}")) { (ctx.t("rec.title")) }
                        }
                    } @else {
                        (confirm_form(ctx, &format!("/accounting/month/close?m={key}"), ctx.t("month.close_confirm"), ctx.t("month.close")))
                    }
                }
            }
            @if d.closed.is_some() { (crate::signoff::handlers::sign_card(ctx, user, d)) }
            @if d.closed.is_some() && accountant {
                div.card {
                    h2 { (ctx.t("adj.add")) }
                    p.hint { (ctx.t("adj.help")) }
                    @if !ae.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, &format!("/accounting/adjustments?m={key}"), html! {
                        (crate::once::once_field())
                        (Input::text("code", ctx.t("people.code"), &af.code).required().render(ctx, ae))
                        (Input::text("amount", ctx.t("adj.amount"), &af.amount).required().hint(ctx.t("adj.amount_hint")).render(ctx, ae))
                        (Input::text("reason", ctx.t("adj.reason"), &af.reason).required().render(ctx, ae))
                        button type="submit" { (ctx.t("adj.save")) }
                    }))
                }
            }
            @if d.closed.is_some() && !d.signed && approver {
                div.card {
                    h2 { (ctx.t("month.reopen")) }
                    p.hint { (ctx.t("month.reopen_help")) }
                    @if d.later_closed {
                        p { (ctx.t("month.err_later_closed")) }
                    } @else {
                        @if !d.signatures.is_empty() {
                            div.alert role="alert" {
                                p { strong { (ctx.tf("month.reopen_voids", d.signatures.len())) } }
                                ul { @for sig in &d.signatures { li { strong { (ctx.t(crate::signoff::store::capacity_key(sig.step))) } ": " (sig.signer_name) " — " (crate::clock::local_datetime(sig.signed_at)) } } }
                            }
                        }
                        (post_form(ctx, &format!("/accounting/month/reopen?m={key}"), html! {
                            input type="hidden" name="signatures" value=(d.signatures.len());
                            (Input::text("reason", ctx.t("month.reopen_reason"), d.reopen_error.as_ref().map(|e| e.1.as_str()).unwrap_or("")).required().render(ctx, &FieldErrors::default()))
                            label.confirm { input type="checkbox" name="confirm" value="yes" required; " "
                                @if d.signatures.is_empty() { (ctx.t("month.reopen_confirm")) } @else { (ctx.t("month.reopen_confirm_voids")) } }
                            button.danger type="submit" { (ctx.t("month.reopen")) }
                        }))
                    }
                }
            }
        },
    )
}

/// "10/2026" for "2026-10".
pub fn month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => key.to_string(),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AdjustForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

/// An adjustment of a closed month for one person, booked in the next open month; a refused
/// form comes back with its input (422).
pub async fn adjust(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<AdjustForm>,
) -> Result<HttpResponse, AppError> {
    let first = month_named(q.m.as_deref())?;
    let mut e = FieldErrors::default();
    let amount = match Vnd::parse_signed(&f.amount) {
        Some(a) if a.0 != 0 && a.0.abs() <= 100_000_000 => Some(a),
        _ => {
            e.add("amount", "adj.err_amount");
            None
        }
    };
    if f.reason.trim().is_empty() {
        e.add("reason", "adj.err_reason");
    }
    let code = f.code.trim().to_uppercase();
    if code.is_empty() {
        e.add("code", "adj.err_code");
    }
    if e.is_empty() {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let (reason, amount) = (f.reason.clone(), amount.unwrap_or_default());
        let once = f.once.clone();
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, Some(&once), now)? {
                    return Ok(None);
                }
                let person = crate::people::store::person_by_code(c, &code)?
                    .ok_or(AppError::BadRequest("adj.err_person"))?
                    .id;
                store::add_adjustment(c, &actor, now, person, first, amount, &reason).map(Some)
            })
            .await;
        match saved {
            Ok(Some(booked)) => {
                return Ok(see_other(
                    &format!("/accounting/month?m={booked}"),
                    Some("flash.saved"),
                ))
            }
            Ok(None) => {
                return Ok(see_other(
                    &format!("/accounting/month?m={}", first.format("%Y-%m")),
                    Some("flash.already_saved"),
                ))
            }
            // The month is open: there is no adjustment form to show the reason beside.
            Err(AppError::BadRequest("adj.err_month_open")) => {
                return Err(AppError::BadRequest("adj.err_month_open"))
            }
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "adj.err_person" | "adj.err_code" => "code",
                    "adj.err_amount" => "amount",
                    _ => "reason",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let data = load(&state, first).await?;
    Ok(html_invalid(month_page(&ctx, &data, &user, &f, &e)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenForm {
    reason: String,
    confirm: Option<String>,
    /// How many signatures the page showed (and said the reopening voids).
    signatures: Option<usize>,
}

/// An approver reopens a closed, unsigned month, with a reason.
pub async fn reopen(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<ReopenForm>,
) -> Result<HttpResponse, AppError> {
    let first = month_named(q.m.as_deref())?;
    let reason = f.reason.clone();
    match reopen_inner(&state, &user, first, f).await {
        // Refused on the month page itself, the reason typed kept.
        Err(AppError::BadRequest(k)) => {
            let mut d = load(&state, first).await?;
            d.reopen_error = Some((k, reason));
            Ok(crate::ui::html_invalid(render(&ctx, &d, &user)))
        }
        other => other,
    }
}

async fn reopen_inner(
    state: &AppState,
    user: &CurrentUser,
    first: NaiveDate,
    f: ReopenForm,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    // A form without the count (sent by hand) is taken as having shown none.
    let seen = Some(f.signatures.unwrap_or(0));
    let voided = state
        .db
        .write(move |c| store::reopen_month_seen(c, &actor, now, first, &f.reason, seen))
        .await?;
    Ok(see_other(
        &format!("/accounting/month?m={}", first.format("%Y-%m")),
        Some(if voided > 0 {
            "flash.month_reopened_voided"
        } else {
            "flash.month_reopened"
        }),
    ))
}

pub async fn close(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let first = month_named(q.m.as_deref())?;
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
    let mut d = load(&state, first).await?;
    // Union, Party and other dues collected by deduction join the meals in one file, also for
    // people who had no meal that month.
    let month = crate::periods::month_key(first);
    let known: Vec<i32> = d.who.keys().copied().collect();
    let (dues, more_who) = state
        .db
        .read(move |c| {
            let dues = crate::welfare::dues::payroll_dues(c, &month)?;
            let missing: Vec<i32> = dues
                .keys()
                .filter(|p| !known.contains(p))
                .copied()
                .collect();
            Ok((dues, store::who_in_month(c, &month, &missing)?))
        })
        .await?;
    d.who.extend(more_who);
    let mut people = store::per_person(&d.lines, &d.adjustments, &d.who);
    for p in dues.keys() {
        if !people.iter().any(|t| t.person_id == *p) {
            people.push(PersonTotal {
                person_id: *p,
                ..Default::default()
            });
        }
    }
    people.sort_by_cached_key(|t| {
        d.who
            .get(&t.person_id)
            .map(|w| (w.sort_key.clone(), w.code.clone()))
            .unwrap_or_default()
    });
    let dues_of = |t: &PersonTotal| dues.get(&t.person_id).copied().unwrap_or_default();
    let on_payroll = |t: &PersonTotal| d.who.get(&t.person_id).is_some_and(|w| w.payroll);
    // Deducted from pay: the meals of people on the payroll (others pay them in cash) and the
    // dues collected by deduction.
    let deduct =
        |t: &PersonTotal| (if on_payroll(t) { t.to_pay() } else { 0 }) + dues_of(t).total();
    let row = |t: &PersonTotal, how: &str| {
        let w = d.who.get(&t.person_id);
        let du = dues_of(t);
        vec![
            w.map(|w| w.code.clone()).unwrap_or_default(),
            w.map(|w| w.name.clone()).unwrap_or_default(),
            w.and_then(|w| w.unit.clone()).unwrap_or_default(),
            t.meals.to_string(),
            t.to_pay().to_string(),
            du.union.to_string(),
            du.party.to_string(),
            du.other.to_string(),
            deduct(t).to_string(),
            how.to_string(),
            t.staff.to_string(),
            t.adjust.to_string(),
        ]
    };
    let on = |t: &&PersonTotal| on_payroll(t);
    let payroll: Vec<&PersonTotal> = people.iter().filter(on).collect();
    let cash: Vec<&PersonTotal> = people.iter().filter(|t| !on(t)).collect();
    let mut rows: Vec<Vec<String>> = payroll
        .iter()
        .map(|t| row(t, ctx.t("month.by_payroll")))
        .collect();
    let sum = |l: &[&PersonTotal], f: &dyn Fn(&PersonTotal) -> i64| {
        l.iter().map(|t| f(t)).sum::<i64>().to_string()
    };
    let total_row = |l: &[&PersonTotal], label: &str| {
        vec![
            String::new(),
            label.to_string(),
            String::new(),
            sum(l, &|t| t.meals),
            sum(l, &|t| t.to_pay()),
            sum(l, &|t| dues_of(t).union),
            sum(l, &|t| dues_of(t).party),
            sum(l, &|t| dues_of(t).other),
            sum(l, &deduct),
            String::new(),
            sum(l, &|t| t.staff),
            sum(l, &|t| t.adjust),
        ]
    };
    // The CSV is read by the payroll system: people only, no total rows.
    let totals = format == export::Format::Xlsx;
    if totals {
        rows.push(total_row(&payroll, ctx.t("month.total_payroll")));
    }
    rows.extend(cash.iter().map(|t| row(t, ctx.t("month.in_cash"))));
    if totals && !cash.is_empty() {
        rows.push(total_row(&cash, ctx.t("month.total_cash")));
    }
    let header = [
        ctx.t("people.code"),
        ctx.t("people.name"),
        ctx.t("people.unit"),
        ctx.t("month.meals"),
        ctx.t("month.meal_amount"),
        ctx.t("month.union_dues"),
        ctx.t("month.party_dues"),
        ctx.t("month.other_dues"),
        ctx.t("month.deduct"),
        ctx.t("month.how"),
        ctx.t("month.staff_share"),
        ctx.t("adj.title"),
    ];
    let label = format!("{:02}/{}", first.month(), first.year());
    let state_text = if d.closed.is_some() {
        ctx.t("month.state_closed")
    } else {
        ctx.t("month.state_provisional")
    };
    let table = Table {
        title: ctx.tf("month.payroll_title", &label),
        // The CSV goes to the payroll system: the header is its first line (the state is in
        // the file's name); the XLSX says it above the table.
        summary: match format {
            export::Format::Csv => Vec::new(),
            export::Format::Xlsx => vec![vec![state_text.to_string()]],
        },
        header: &header,
        rows,
        numbers_from: 3,
        widths: &[
            (0, 12.0),
            (1, 28.0),
            (2, 28.0),
            (3, 8.0),
            (4, 16.0),
            (5, 14.0),
            (6, 14.0),
            (7, 14.0),
            (8, 16.0),
            (9, 18.0),
            (10, 16.0),
            (11, 14.0),
        ],
        money: &[4, 5, 6, 7, 8, 10, 11],
    };
    let file = export::download(
        &table,
        format,
        &format!(
            "khau-tru-tien-an-{}{}",
            first.format("%Y-%m"),
            if d.closed.is_some() { "" } else { "-tam-tinh" }
        ),
    )?;
    let what = json!({"month": first.format("%Y-%m").to_string(), "rows": people.len(),
        "total_vnd": people.iter().map(deduct).sum::<i64>(), "format": format.code()});
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

#[derive(Deserialize)]
pub struct SubsidyQuery {
    m: Option<String>,
    by: Option<String>,
}

/// Subsidy of the month by unit (meals, amount, subsidy, staff share) or by fund, as XLSX.
pub async fn subsidy_xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<SubsidyQuery>,
) -> Result<HttpResponse, AppError> {
    let first = month_first(q.m.as_deref(), state.clock.today())?;
    let by_fund = match q.by.as_deref() {
        None | Some("unit") => false,
        Some("fund") => true,
        Some(_) => return Err(AppError::BadRequest("err.bad_form")),
    };
    let d = load(&state, first).await?;
    let label = format!("{:02}/{}", first.month(), first.year());
    let state_text = if d.closed.is_some() {
        ctx.t("month.state_closed")
    } else {
        ctx.t("month.state_provisional")
    };
    let (header, rows, stem): (Vec<&str>, Vec<Vec<String>>, &str) = if by_fund {
        let totals: Vec<(i32, i64, i64)> = store::fund_totals(&d.lines)
            .iter()
            .map(|t| (t.fund, t.meals, t.amount))
            .collect();
        let mut rows: Vec<Vec<String>> = totals
            .iter()
            .map(|(f, n, a)| {
                let fund = d.funds.iter().find(|x| x.id == *f);
                vec![
                    fund.map(|x| x.code.clone()).unwrap_or_default(),
                    fund.map(|x| x.name.clone()).unwrap_or_default(),
                    n.to_string(),
                    a.to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            String::new(),
            ctx.t("rec.total_row").to_string(),
            String::new(),
            totals.iter().map(|x| x.2).sum::<i64>().to_string(),
        ]);
        (
            vec![
                ctx.t("fund.code"),
                ctx.t("fund.name"),
                ctx.t("month.meals_subsidised"),
                ctx.t("stmt.subsidy"),
            ],
            rows,
            "ho-tro-theo-quy",
        )
    } else {
        let mut units: std::collections::BTreeMap<String, [i64; 4]> = Default::default();
        for l in &d.lines {
            let unit = d
                .who
                .get(&l.person_id)
                .and_then(|w| w.unit.clone())
                .unwrap_or_default();
            let t = units.entry(unit).or_default();
            t[0] += 1;
            t[1] += l.charged.0;
            t[2] += l.subsidy.0;
            t[3] += l.staff.0;
        }
        let mut rows: Vec<Vec<String>> = units
            .iter()
            .map(|(u, t)| {
                let mut r = vec![u.clone()];
                r.extend(t.iter().map(|v| v.to_string()));
                r
            })
            .collect();
        let mut total = vec![ctx.t("rec.total_row").to_string()];
        total.extend((0..4).map(|i| units.values().map(|t| t[i]).sum::<i64>().to_string()));
        rows.push(total);
        (
            vec![
                ctx.t("people.unit"),
                ctx.t("month.meals"),
                ctx.t("month.charged"),
                ctx.t("stmt.subsidy"),
                ctx.t("month.staff_share"),
            ],
            rows,
            "ho-tro-theo-don-vi",
        )
    };
    let table = Table {
        title: ctx.tf(
            if by_fund {
                "month.subsidy_by_fund_title"
            } else {
                "month.subsidy_by_unit_title"
            },
            &label,
        ),
        summary: vec![vec![state_text.to_string()]],
        header: &header,
        rows,
        numbers_from: if by_fund { 2 } else { 1 },
        widths: &[(0, 28.0), (1, 28.0), (2, 14.0), (3, 16.0), (4, 16.0)],
        money: if by_fund { &[3] } else { &[2, 3, 4] },
    };
    export::download(
        &table,
        export::Format::Xlsx,
        &format!("{stem}-{}", first.format("%Y-%m")),
    )
}

/// Every person's statement of the month, line by line (and the adjustments booked in it),
/// as XLSX. Audited (personal data and money).
pub async fn statements_xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let first = month_first(q.m.as_deref(), state.clock.today())?;
    let d = load(&state, first).await?;
    let mut lines: Vec<&Line> = d.lines.iter().collect();
    let key = |id: i32| {
        d.who
            .get(&id)
            .map(|w| (w.sort_key.clone(), w.code.clone()))
            .unwrap_or_default()
    };
    lines.sort_by_cached_key(|l| (key(l.person_id), l.day));
    let who = |id: i32| d.who.get(&id);
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let w = who(l.person_id);
            vec![
                w.map(|w| w.code.clone()).unwrap_or_default(),
                w.map(|w| w.name.clone()).unwrap_or_default(),
                w.and_then(|w| w.unit.clone()).unwrap_or_default(),
                crate::ui::format::date(l.day),
                l.option.clone(),
                l.charged.0.to_string(),
                l.subsidy.0.to_string(),
                l.staff.0.to_string(),
            ]
        })
        .collect();
    for a in &d.adjustments {
        let w = who(a.person_id);
        rows.push(vec![
            w.map(|w| w.code.clone()).unwrap_or_default(),
            w.map(|w| w.name.clone()).unwrap_or_default(),
            w.and_then(|w| w.unit.clone()).unwrap_or_default(),
            String::new(),
            format!(
                "{} {}: {}",
                ctx.t("adj.title"),
                month_label(&a.corrects_month),
                a.reason
            ),
            String::new(),
            String::new(),
            a.amount.to_string(),
        ]);
    }
    let header = [
        ctx.t("people.code"),
        ctx.t("people.name"),
        ctx.t("people.unit"),
        ctx.t("week.day"),
        ctx.t("menu.option"),
        ctx.t("menu.price"),
        ctx.t("stmt.subsidy"),
        ctx.t("stmt.to_pay"),
    ];
    let label = format!("{:02}/{}", first.month(), first.year());
    let table = Table {
        title: ctx.tf("month.statements_title", &label),
        summary: vec![vec![if d.closed.is_some() {
            ctx.t("month.state_closed").to_string()
        } else {
            ctx.t("month.state_provisional").to_string()
        }]],
        header: &header,
        rows,
        numbers_from: 5,
        widths: &[(0, 12.0), (1, 28.0), (2, 24.0), (3, 12.0), (4, 28.0)],
        money: &[5, 6, 7],
    };
    let file = export::download(
        &table,
        export::Format::Xlsx,
        &format!("bang-ke-tien-an-{}", first.format("%Y-%m")),
    )?;
    let what = json!({"month": first.format("%Y-%m").to_string(), "lines": d.lines.len(),
        "format": "xlsx"});
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
                Entry::new("accounting_statements.export", "month").after(what.clone()),
            )
        })
        .await?;
    Ok(file)
}
