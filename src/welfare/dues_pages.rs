//! Pages of dues: a month of an organisation (generate, pay, XLSX), arrears, the rules and
//! suspensions.

use super::dues::{self, NewRule, Suspension};
use super::rules::{Collect, DuesRule, OrgKind};
use super::store;
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::format::{business_date, date, opt_date};
use crate::ui::forms::bounded_text as text;
use crate::ui::forms::{
    matches_search, page_of, pager, post_form, select, FieldErrors, Form, Input,
};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

#[derive(Deserialize)]
pub struct DuesQuery {
    org: Option<i32>,
    m: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

/// Rows per page of the month's dues and of arrears.
pub const PER_PAGE: i64 = 100;

/// The organisation (the first active one when none is named) and the month (this month).
async fn pick(
    state: &AppState,
    q: &DuesQuery,
) -> Result<(Vec<store::Organisation>, Option<i32>, String), AppError> {
    let orgs = state.db.read(store::organisations).await?;
    let org = q
        .org
        .or_else(|| orgs.iter().find(|o| o.ended_on.is_none()).map(|o| o.id));
    let month = match q.m.as_deref() {
        None | Some("") => state.clock.today().format("%Y-%m").to_string(),
        Some(m) => crate::ui::format::parse_month(m)
            .map(|d| d.format("%Y-%m").to_string())
            .ok_or(AppError::BadRequest("month.err_bad"))?,
    };
    Ok((orgs, org, month))
}

pub async fn month(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<DuesQuery>,
) -> Result<Markup, AppError> {
    let (orgs, org, month) = pick(&state, &q).await?;
    let m2 = month.clone();
    let data = match org {
        Some(o) => Some(
            state
                .db
                .read(move |c| {
                    Ok((
                        store::organisation(c, o)?,
                        dues::month_lines(c, o, &m2)?,
                        dues::plan(c, o, &m2)?,
                    ))
                })
                .await?,
        ),
        None => None,
    };
    let can_edit = user.has(Role::UnionOfficer);
    let today = state.clock.today();
    let org_options: Vec<(String, String)> = orgs
        .iter()
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    Ok(layout::page(
        &ctx,
        ctx.t("wf.dues"),
        html! {
            (layout::title_bar(ctx.t("wf.dues"), html! {
                a href="/welfare/dues/rules" { (ctx.t("wf.dues_rules")) }
                @if let Some(o) = org { " · " a href={ "/welfare/arrears?org=" (o) } { (ctx.t("wf.arrears")) }
                    " · " a href={ "/welfare/dues.xlsx?org=" (o) "&m=" (month) } { "XLSX" } }
            }))
            form.filters method="get" action="/welfare/dues" {
                (select(&ctx, &FieldErrors::default(), "org", ctx.t("wf.org_name"), &org_options, &org.map(|o| o.to_string()).unwrap_or_default()))
                div.field { label for="f-m" { (ctx.t("wf.month")) } input #f-m name="m" type="month" value=(month); }
                button type="submit" { (ctx.t("common.filter")) }
            }
            @match &data {
                None => { p { (ctx.t("wf.no_orgs")) } }
                Some((o, lines, plan)) => {
                    @let total: i64 = lines.iter().map(|l| l.amount.0).sum();
                    @let paid: i64 = lines.iter().filter(|l| l.paid.is_some()).map(|l| l.amount.0).sum();
                    p { (o.name) " · " (month) ": " (ctx.tf("wf.dues_summary", format!("{} · {} / {}", lines.len(), Vnd(paid), Vnd(total)))) }
                    @if !plan.problems.is_empty() {
                        div.alert role="alert" { p { (ctx.t("wf.dues_problems")) } ul { @for (n, k) in &plan.problems { li { (n) ": " (ctx.t(k)) } } } }
                    }
                    @if can_edit && o.ended_on.is_none() && !plan.to_create.is_empty() {
                        (post_form(&ctx, "/welfare/dues/generate", html! {
                            input type="hidden" name="org" value=(o.id);
                            input type="hidden" name="m" value=(month);
                            p { (ctx.tf("wf.to_generate", format!("{} · {}", plan.to_create.len(), plan.total()))) " "
                                button type="submit" { (ctx.t("wf.generate")) } }
                        }))
                    }
                    @let payroll_open = lines.iter().filter(|l| l.paid.is_none() && l.amount.0 > 0 && l.collect_by == "payroll").count();
                    @if can_edit && payroll_open > 0 {
                        (post_form(&ctx, "/welfare/dues/collect-payroll", html! {
                            input type="hidden" name="org" value=(o.id);
                            input type="hidden" name="m" value=(month);
                            p { (ctx.tf("wf.payroll_open", payroll_open)) " "
                                label { span.sr { (ctx.t("wf.paid_on")) } input name="paid_on" size="10" value=(date(today)) required; }
                                " " button type="submit" { (ctx.t("wf.collect_payroll_all")) } }
                        }))
                    }
                    @let search = q.q.clone().unwrap_or_default();
                    @let found: Vec<&dues::DuesLine> = lines.iter().filter(|l| matches_search(&search, &l.name, &l.code)).collect();
                    @let (shown, page) = page_of(&found, q.page.unwrap_or(1), PER_PAGE);
                    @if !lines.is_empty() {
                        form.filters method="get" action="/welfare/dues" {
                            input type="hidden" name="org" value=(o.id);
                            input type="hidden" name="m" value=(month);
                            label for="f-q" { (ctx.t("common.search")) }
                            " " input #f-q name="q" type="search" value=(search);
                            " " button type="submit" { (ctx.t("common.filter")) }
                        }
                    }
                    @if lines.is_empty() { p { (ctx.t("wf.no_dues")) } } @else {
                        table.responsive {
                            thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th.num { (ctx.t("wf.basis")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.collect_by")) } th { (ctx.t("wf.paid")) } } }
                            tbody { @for l in shown { tr {
                                td { (l.code) } td { (l.name) } td.num { @if l.basis.0 > 0 { (l.basis) } } td.num { (l.amount) }
                                td { (Collect::parse(&l.collect_by).map(|c| ctx.t(c.label_key())).unwrap_or("")) }
                                td { @match &l.paid {
                                    Some((d, m, r)) => { (date(*d)) " · " (Collect::parse(m).map(|c| ctx.t(c.label_key())).unwrap_or("")) @if !r.is_empty() { " · " (r) } }
                                    None => { @if can_edit && l.amount.0 > 0 {
                                        (post_form(&ctx, &format!("/welfare/dues/{}/pay", l.dues_id), html! {
                                            label { span.sr { (ctx.t("wf.paid_on")) } input name="paid_on" size="10" value=(date(today)) required; }
                                            " " label { span.sr { (ctx.t("wf.collect_by")) } select name="method" {
                                                @for c in Collect::ALL { option value=(c.code()) selected[c.code() == l.collect_by] { (ctx.t(c.label_key())) } }
                                            } }
                                            " " label { span.sr { (ctx.t("wf.receipt")) } input name="receipt_no" size="8" placeholder=(ctx.t("wf.receipt")); }
                                            " " button.secondary type="submit" { (ctx.t("wf.pay")) }
                                        }))
                                    } }
                                } }
                            } } }
                        }
                        (pager(&ctx, page, PER_PAGE, found.len() as i64, |p| format!("/welfare/dues?org={}&m={}&q={}&page={p}", o.id, month, crate::ui::forms::q(&search))))
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateForm {
    org: i32,
    m: String,
}

pub async fn generate(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<GenerateForm>,
) -> Result<HttpResponse, AppError> {
    let (a, now) = (actor(&user), state.clock.now_naive());
    let (org, m) = (f.org, f.m.clone());
    state
        .db
        .write(move |c| dues::generate(c, &a, now, org, &m))
        .await?;
    Ok(see_other(
        &format!(
            "/welfare/dues?org={}&m={}",
            f.org,
            crate::ui::forms::q(&f.m)
        ),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectForm {
    org: i32,
    m: String,
    #[serde(default)]
    paid_on: String,
}

pub async fn collect_payroll(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<CollectForm>,
) -> Result<HttpResponse, AppError> {
    let paid_on = business_date(&f.paid_on)
        .filter(|d| *d <= state.clock.today())
        .ok_or(AppError::BadRequest("wf.err_end_date"))?;
    let month = crate::ui::format::parse_month(&f.m)
        .map(|d| d.format("%Y-%m").to_string())
        .ok_or(AppError::BadRequest("month.err_bad"))?;
    let (a, now, org, m) = (actor(&user), state.clock.now_naive(), f.org, month.clone());
    state
        .db
        .write(move |c| dues::collect_payroll(c, &a, now, org, &m, paid_on))
        .await?;
    Ok(see_other(
        &format!("/welfare/dues?org={}&m={month}", f.org),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayForm {
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    receipt_no: String,
}

pub async fn pay(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<PayForm>,
) -> Result<HttpResponse, AppError> {
    let paid_on = business_date(&f.paid_on)
        .filter(|d| *d <= state.clock.today())
        .ok_or(AppError::BadRequest("wf.err_end_date"))?;
    let method = Collect::parse(&f.method).ok_or(AppError::BadRequest("err.bad_form"))?;
    let receipt = text(&f.receipt_no, 50).ok_or(AppError::BadRequest("wf.err_card"))?;
    let (a, now, id) = (actor(&user), state.clock.now_naive(), id.into_inner());
    let (org, month) = state
        .db
        .write(move |c| dues::pay(c, &a, now, id, paid_on, method, &receipt))
        .await?;
    Ok(see_other(
        &format!("/welfare/dues?org={org}&m={month}"),
        Some("flash.saved"),
    ))
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DuesQuery>,
) -> Result<HttpResponse, AppError> {
    let (_, org, month) = pick(&state, &q).await?;
    let org = org.ok_or(AppError::NotFound)?;
    let m2 = month.clone();
    let (o, lines) = state
        .db
        .read(move |c| {
            Ok((
                store::organisation(c, org)?,
                dues::month_lines(c, org, &m2)?,
            ))
        })
        .await?;
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                l.code.clone(),
                l.name.clone(),
                l.basis.0.to_string(),
                l.amount.0.to_string(),
                l.paid.as_ref().map(|p| date(p.0)).unwrap_or_default(),
                l.paid.as_ref().map(|p| p.2.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    let t = Table {
        title: format!("{} — {} {}", ctx.t("wf.dues"), o.name, month),
        summary: Vec::new(),
        header: &[
            ctx.t("people.code"),
            ctx.t("people.name"),
            ctx.t("wf.basis"),
            ctx.t("wf.amount"),
            ctx.t("wf.paid_on"),
            ctx.t("wf.receipt"),
        ],
        rows,
        numbers_from: 2,
        widths: &[(1, 30.0), (4, 12.0)],
        money: &[2, 3],
    };
    export::download(&t, export::Format::Xlsx, &format!("doan-phi-{month}"))
}

#[derive(Deserialize)]
pub struct OrgQuery {
    org: Option<i32>,
    q: Option<String>,
    page: Option<i64>,
}

pub async fn arrears(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<OrgQuery>,
) -> Result<Markup, AppError> {
    let org = q.org.ok_or(AppError::BadRequest("err.bad_query"))?;
    let (o, list) = state
        .db
        .read(move |c| Ok((store::organisation(c, org)?, dues::arrears(c, org)?)))
        .await?;
    Ok(layout::page(
        &ctx,
        ctx.t("wf.arrears"),
        html! {
            (layout::title_bar(&format!("{} — {}", ctx.t("wf.arrears"), o.name), html! { a href={ "/welfare/dues?org=" (o.id) } { (ctx.t("wf.dues")) } }))
            @let search = q.q.clone().unwrap_or_default();
            @let found: Vec<&dues::Arrears> = list.iter().filter(|a| matches_search(&search, &a.name, &a.code)).collect();
            @let (shown, page) = page_of(&found, q.page.unwrap_or(1), PER_PAGE);
            @if list.is_empty() { p { (ctx.t("wf.no_arrears")) } } @else {
                p { (ctx.tf("wf.arrears_summary", format!("{} · {}", list.len(), Vnd(list.iter().map(|a| a.owed.0).sum())))) }
                form.filters method="get" action="/welfare/arrears" {
                    input type="hidden" name="org" value=(o.id);
                    label for="f-q" { (ctx.t("common.search")) }
                    " " input #f-q name="q" type="search" value=(search);
                    " " button type="submit" { (ctx.t("common.filter")) }
                }
                table.responsive {
                    thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th.num { (ctx.t("wf.in_a_row")) } th.num { (ctx.t("wf.unpaid_months")) } th.num { (ctx.t("wf.owed")) } } }
                    tbody { @for a in shown { tr.warn[a.months_in_a_row >= 3] {
                        td { (a.code) } td { (a.name) } td.num { (a.months_in_a_row) } td.num { (a.unpaid_months) } td.num { (a.owed) }
                    } } }
                }
                (pager(&ctx, page, PER_PAGE, found.len() as i64, |p| format!("/welfare/arrears?org={}&q={}&page={p}", o.id, crate::ui::forms::q(&search))))
            }
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleForm {
    #[serde(default)]
    org_kind: String,
    #[serde(default)]
    applies_to: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    rate_percent: String,
    #[serde(default)]
    cap_percent: String,
    #[serde(default)]
    fixed: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    once: Option<String>,
}

/// "0,5" (percent) → 50 basis points; at most two decimals.
pub fn percent_bp(s: &str) -> Option<i32> {
    let t = s.trim().replace('.', ",");
    let (w, f) = t.split_once(',').unwrap_or((t.as_str(), ""));
    if w.is_empty()
        || f.len() > 2
        || !w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
        || w.len() > 5
    {
        return None;
    }
    let frac: i32 = format!("{f:0<2}").parse().ok()?;
    w.parse::<i32>().ok()?.checked_mul(100)?.checked_add(frac)
}

pub async fn rules_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    render_rules(
        &state,
        &ctx,
        &user,
        &RuleForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_rules(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    f: &RuleForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let (rules, susp) = state
        .db
        .read(|c| Ok((dues::all_rules(c)?, dues::suspensions(c)?)))
        .await?;
    let kinds: Vec<(String, String)> = OrgKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), ctx.t(k.label_key()).to_string()))
        .collect();
    let who = [
        (
            "working".to_string(),
            ctx.t("wf.applies_working").to_string(),
        ),
        (
            "retired".to_string(),
            ctx.t("wf.applies_retired").to_string(),
        ),
        ("all".to_string(), ctx.t("wf.applies_all").to_string()),
    ];
    let bases = [
        ("salary".to_string(), ctx.t("wf.basis_salary").to_string()),
        ("pension".to_string(), ctx.t("wf.basis_pension").to_string()),
        ("fixed".to_string(), ctx.t("wf.basis_fixed").to_string()),
    ];
    let cats: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("wf.all_categories").to_string()))
            .chain(
                crate::people::rules::Category::ALL
                    .iter()
                    .map(|c| (c.code().to_string(), ctx.t(c.label_key()).to_string())),
            )
            .collect();
    let kind_label = |k: &str| {
        OrgKind::parse(k)
            .map(|k| ctx.t(k.label_key()))
            .unwrap_or("")
    };
    let can_edit = user.has(Role::UnionOfficer);
    let only_rules: Vec<DuesRule> = rules.iter().map(|(r, _)| r.clone()).collect();
    Ok(layout::page(
        ctx,
        ctx.t("wf.dues_rules"),
        html! {
            (layout::title_bar(ctx.t("wf.dues_rules"), html! { a href="/welfare/dues" { (ctx.t("wf.dues")) } }))
            table.responsive {
                thead { tr { th { (ctx.t("wf.org_kind")) } th { (ctx.t("wf.applies")) } th { (ctx.t("people.category")) } th { (ctx.t("wf.from")) } th { (ctx.t("wf.to")) } th { (ctx.t("wf.rule")) } th { (ctx.t("wf.reference")) } } }
                tbody { @for (r, reference) in &rules { tr {
                    td { (kind_label(&r.org_kind)) }
                    td { (ctx.t(match r.applies_to.as_str() { "working" => "wf.applies_working", "retired" => "wf.applies_retired", _ => "wf.applies_all" })) }
                    td { (r.category.as_deref().and_then(|c| cats.iter().find(|x| x.0 == c)).map(|x| x.1.as_str()).unwrap_or(ctx.t("wf.all_categories"))) }
                    td { (date(r.valid_from)) }
                    td { @match super::rules::in_force_until(&only_rules, r) {
                        (to, false) => (opt_date(to)),
                        (to, true) => { (opt_date(to)) " " small.hint { (ctx.t("wf.rule_replaced")) } },
                    } }
                    td { @match r.basis.as_str() {
                        "fixed" => { (Vnd(r.fixed_vnd)) }
                        b => { (format!("{},{:02} %", r.rate_bp / 100, r.rate_bp % 100)) " " (ctx.t(if b == "pension" { "wf.basis_pension" } else { "wf.basis_salary" }))
                            @if let Some(c) = r.cap_bp_of_base { " · " (ctx.tf("wf.cap", format!("{},{:02} %", c / 100, c % 100))) } }
                    } }
                    td { (reference) }
                } } }
            }
            h2 { (ctx.t("wf.suspensions")) }
            @if susp.is_empty() { p { (ctx.t("wf.no_suspensions")) } } @else {
                ul { @for s in &susp { li { (kind_label(&s.org_kind)) @if let Some(c) = &s.category { " · " (c) } ": " (date(s.valid_from)) "–" (date(s.valid_to)) " — " (s.reason) } } }
            }
            @if can_edit {
                div.card.no-print {
                    h2 { (ctx.t("wf.rule_add")) }
                    p.hint { (ctx.t("wf.rule_help")) }
                    @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, "/welfare/dues/rules", html! {
                        (crate::once::once_field())
                        (select(ctx, e, "org_kind", ctx.t("wf.org_kind"), &kinds, &f.org_kind))
                        (select(ctx, e, "applies_to", ctx.t("wf.applies"), &who, &f.applies_to))
                        (select(ctx, e, "category", ctx.t("people.category"), &cats, &f.category))
                        (Input::text("valid_from", ctx.t("wf.from"), &f.valid_from).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("valid_to", ctx.t("wf.to"), &f.valid_to).hint(ctx.t("elig.to_hint")).render(ctx, e))
                        (select(ctx, e, "basis", ctx.t("wf.basis"), &bases, &f.basis))
                        (Input::text("rate_percent", ctx.t("wf.rate_percent"), &f.rate_percent).hint(ctx.t("wf.rate_hint")).render(ctx, e))
                        (Input::text("cap_percent", ctx.t("wf.cap_percent"), &f.cap_percent).hint(ctx.t("wf.cap_hint")).render(ctx, e))
                        (Input::text("fixed", ctx.t("wf.fixed"), &f.fixed).render(ctx, e))
                        (Input::text("reference", ctx.t("wf.reference"), &f.reference).render(ctx, e))
                        button type="submit" { (ctx.t("wf.rule_add")) }
                    }))
                }
                div.card.no-print {
                    h2 { (ctx.t("wf.suspension_add")) }
                    (post_form(ctx, "/welfare/dues/suspensions", html! {
                        (crate::once::once_field())
                        div.field { label for="f-s-kind" { (ctx.t("wf.org_kind")) } select #f-s-kind name="org_kind" { @for (v, t) in &kinds { option value=(v) { (t) } } } }
                        div.field { label for="f-s-cat" { (ctx.t("people.category")) } select #f-s-cat name="category" { @for (v, t) in &cats { option value=(v) { (t) } } } }
                        div.field { label for="f-s-from" { (ctx.t("wf.from")) } input #f-s-from name="valid_from" required placeholder="dd/mm/yyyy"; }
                        div.field { label for="f-s-to" { (ctx.t("wf.to")) } input #f-s-to name="valid_to" required placeholder="dd/mm/yyyy"; }
                        div.field { label for="f-s-reason" { (ctx.t("wf.reason")) } input #f-s-reason name="reason" required maxlength="300"; }
                        button type="submit" { (ctx.t("wf.suspension_add")) }
                    }))
                }
            }
        },
    ))
}

pub async fn add_rule(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<RuleForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let kind = OrgKind::parse(&f.org_kind);
    if kind.is_none() {
        e.add("org_kind", "err.bad_form");
    }
    let category = match f.category.as_str() {
        "" => Some(None),
        c => crate::people::rules::Category::ALL
            .iter()
            .find(|x| x.code() == c)
            .map(|x| Some(x.code().to_string())),
    };
    if category.is_none() {
        e.add("category", "err.bad_form");
    }
    let from = business_date(&f.valid_from);
    if from.is_none() {
        e.add("valid_from", "cal.err_date");
    }
    let to = match f.valid_to.trim() {
        "" => Some(None),
        t => business_date(t).map(Some),
    };
    if to.is_none() {
        e.add("valid_to", "cal.err_date");
    }
    let (rate, cap, fixed) = match f.basis.as_str() {
        "fixed" => (
            Some(0),
            Some(None),
            Vnd::parse(&f.fixed).ok().filter(|v| v.0 > 0).map(|v| v.0),
        ),
        _ => (
            percent_bp(&f.rate_percent).filter(|r| *r > 0 && *r <= 10_000),
            match f.cap_percent.trim() {
                "" => Some(None),
                c => percent_bp(c).filter(|c| *c > 0).map(Some),
            },
            Some(0),
        ),
    };
    if rate.is_none() {
        e.add("rate_percent", "wf.err_rate");
    }
    if cap.is_none() {
        e.add("cap_percent", "wf.err_rate");
    }
    if fixed.is_none() {
        e.add("fixed", "wf.err_fixed");
    }
    let reference = text(&f.reference, 200);
    if reference.is_none() {
        e.add("reference", "wf.err_note");
    }
    if let (
        true,
        Some(k),
        Some(category),
        Some(from),
        Some(to),
        Some(rate),
        Some(cap),
        Some(fixed),
        Some(reference),
    ) = (
        e.is_empty(),
        kind,
        category,
        from,
        to,
        rate,
        cap,
        fixed,
        reference,
    ) {
        let r = NewRule {
            org_kind: k,
            applies_to: f.applies_to.clone(),
            category,
            valid_from: from,
            valid_to: to,
            basis: f.basis.clone(),
            rate_bp: rate,
            cap_bp_of_base: cap,
            fixed_vnd: fixed,
            reference,
        };
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(0);
                }
                dues::add_rule(c, &a, now, &r)
            })
            .await
        {
            Ok(_) => return Ok(see_other("/welfare/dues/rules", Some("flash.saved"))),
            Err(AppError::BadRequest(k)) => e.add("valid_from", k),
            Err(other) => return Err(other),
        }
    }
    Ok(html_invalid(
        render_rules(&state, &ctx, &user, &f, &e).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspensionForm {
    org_kind: String,
    #[serde(default)]
    category: String,
    valid_from: String,
    valid_to: String,
    reason: String,
    #[serde(default)]
    once: Option<String>,
}

pub async fn add_suspension(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<SuspensionForm>,
) -> Result<HttpResponse, AppError> {
    let kind = OrgKind::parse(&f.org_kind).ok_or(AppError::BadRequest("err.bad_form"))?;
    let category = match f.category.as_str() {
        "" => None,
        c => Some(
            crate::people::rules::Category::ALL
                .iter()
                .find(|x| x.code() == c)
                .ok_or(AppError::BadRequest("err.bad_form"))?
                .code()
                .to_string(),
        ),
    };
    let from: NaiveDate =
        business_date(&f.valid_from).ok_or(AppError::BadRequest("cal.err_date"))?;
    let to: NaiveDate = business_date(&f.valid_to).ok_or(AppError::BadRequest("cal.err_date"))?;
    let reason = text(&f.reason, 300)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("wf.err_reason"))?;
    let s = Suspension {
        id: 0,
        org_kind: kind.code().to_string(),
        category,
        valid_from: from,
        valid_to: to,
        reason,
    };
    let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
    state
        .db
        .write(move |c| {
            if !crate::once::claim(c, once.as_deref(), now)? {
                return Ok(0);
            }
            dues::add_suspension(c, &a, now, &s)
        })
        .await?;
    Ok(see_other("/welfare/dues/rules", Some("flash.saved")))
}
