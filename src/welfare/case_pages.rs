//! Pages of welfare cases and the benefit catalogue, and staff's own "My welfare".

use super::cases::{self, BenefitType, Case, NewBenefitType, NewCase, Refusal};
use super::rules::BenefitKind;
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::bounded_text as text;
use crate::ui::forms::{error_list, post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

pub fn state_key(s: &str) -> &'static str {
    match s {
        "reported" => "wf.state_reported",
        "approved" => "wf.state_approved",
        "paid" => "wf.state_paid",
        _ => "wf.state_rejected",
    }
}

/// Active funds as (id, "code — name") for a select.
pub fn fund_options(funds: &[crate::ledger::store::Fund]) -> Vec<(String, String)> {
    funds
        .iter()
        .filter(|f| f.active)
        .map(|f| (f.id.to_string(), format!("{} — {}", f.code, f.name)))
        .collect()
}

/// A table of cases (the list, a person's record, "My welfare").
pub fn case_table(ctx: &Ctx, list: &[Case]) -> Markup {
    html! {
        @if list.is_empty() { p { (ctx.t("wf.no_cases")) } } @else {
            table.responsive {
                thead { tr { th { "#" } th { (ctx.t("wf.benefit")) } th { (ctx.t("people.name")) } th { (ctx.t("wf.event_date")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.state")) } } }
                tbody { @for c in list { tr {
                    td { a href={ "/welfare/cases/" (c.id) } { (c.id) } } td { (c.benefit) } td { (c.person) }
                    td { (date(c.event_date)) } td.num { (c.amount) } td { (ctx.t(state_key(&c.state))) }
                } } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportForm {
    #[serde(default)]
    benefit: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    dependant: String,
    #[serde(default)]
    event_date: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    once: Option<String>,
}

impl ReportForm {
    /// A form with the benefit and the event day chosen (a funeral opened from a record).
    pub fn prefilled(benefit: Option<i32>, event_date: String) -> Self {
        ReportForm {
            benefit: benefit.map(|b| b.to_string()).unwrap_or_default(),
            event_date,
            ..ReportForm::default()
        }
    }
}

/// The form that reports a case: by employee code, or (on a person's record) for that person
/// and one of their dependants.
pub fn report_form(
    ctx: &Ctx,
    benefits: &[BenefitType],
    person: Option<(i32, &[super::store::Dependant])>,
    f: &ReportForm,
    e: &FieldErrors,
) -> Markup {
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("fs.choose").to_string()))
            .chain(benefits.iter().filter(|b| b.active).map(|b| {
                (
                    b.id.to_string(),
                    format!("{} ({})", b.name, Vnd(b.default_vnd)),
                )
            }))
            .collect();
    html! {
        (error_list(ctx, e))
        (post_form(ctx, "/welfare/cases", html! {
            (crate::once::once_field())
            (select(ctx, e, "benefit", ctx.t("wf.benefit"), &options, &f.benefit))
            @match person {
                Some((id, deps)) => {
                    input type="hidden" name="person" value=(id);
                    div.field {
                        label for="f-dependant" { (ctx.t("wf.dependant")) }
                        select #f-dependant name="dependant" {
                            option value="" { (ctx.t("wf.the_member")) }
                            @for d in deps { option value=(d.id) selected[f.dependant == d.id.to_string()] { (d.full_name) } }
                        }
                    }
                }
                None => { (Input::text("code", ctx.t("people.code"), &f.code).required().render(ctx, e)) }
            }
            (Input::text("event_date", ctx.t("wf.event_date"), &f.event_date).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
            (Input::text("amount", ctx.t("wf.amount"), &f.amount).hint(ctx.t("wf.amount_hint")).render(ctx, e))
            (Input::text("evidence", ctx.t("wf.evidence"), &f.evidence).render(ctx, e))
            button type="submit" { (ctx.t("wf.report")) }
        }))
    }
}

#[derive(Deserialize)]
pub struct CasesQuery {
    state: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<CasesQuery>,
) -> Result<Markup, AppError> {
    render_list(
        &state,
        &ctx,
        &user,
        q.state.clone(),
        &ReportForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    filter: Option<String>,
    f: &ReportForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let filter =
        filter.filter(|s| ["reported", "approved", "paid", "rejected"].contains(&s.as_str()));
    let fl = filter.clone();
    let (list, benefits) = state
        .db
        .read(move |c| Ok((cases::cases(c, fl.as_deref())?, cases::benefit_types(c)?)))
        .await?;
    Ok(layout::page(
        ctx,
        ctx.t("wf.cases"),
        html! {
            (layout::title_bar(ctx.t("wf.cases"), html! { a href="/welfare/benefits" { (ctx.t("wf.benefits")) } }))
            nav.filters {
                a href="/welfare/cases" { (ctx.t("wf.all")) }
                @for s in ["reported", "approved", "paid", "rejected"] { " · " a href={ "/welfare/cases?state=" (s) } aria-current=[(filter.as_deref() == Some(s)).then_some("page")] { (ctx.t(state_key(s))) } }
            }
            (case_table(ctx, &list))
            @if user.has(Role::UnionOfficer) {
                div.card.no-print {
                    h2 { (ctx.t("wf.report")) }
                    p.hint { (ctx.t("wf.report_help")) }
                    (report_form(ctx, &benefits, None, f, e))
                }
            }
        },
    ))
}

pub async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let benefit: Option<i32> = f.benefit.parse().ok();
    if benefit.is_none() {
        e.add("benefit", "wf.err_benefit");
    }
    let person: Option<i32> = match f.person.trim() {
        "" => {
            let code = f.code.trim().to_uppercase();
            state
                .db
                .read(move |c| crate::people::store::person_by_code(c, &code))
                .await?
                .map(|p| p.id)
        }
        p => p.parse().ok(),
    };
    if f.person.trim().is_empty() && f.code.trim().is_empty() {
        e.add("code", "people.err_code_required");
    } else if person.is_none() {
        e.add("code", "wf.err_person");
    }
    let dependant = match f.dependant.trim() {
        "" => Some(None),
        d => d.parse().ok().map(Some),
    };
    if dependant.is_none() {
        e.add("dependant", "wf.err_dependant");
    }
    let event = business_date(&f.event_date).filter(|d| *d <= state.clock.today());
    if event.is_none() {
        e.add("event_date", "wf.err_event_date");
    }
    let amount = match f.amount.trim() {
        "" => Some(None),
        a => Vnd::parse(a).ok().filter(|v| v.0 > 0).map(Some),
    };
    if amount.is_none() {
        e.add("amount", "wf.err_amount");
    }
    let evidence = text(&f.evidence, 500);
    if evidence.is_none() {
        e.add("evidence", "wf.err_note");
    }
    if let (true, Some(b), Some(p), Some(d), Some(ev), Some(a), Some(evidence)) = (
        e.is_empty(),
        benefit,
        person,
        dependant,
        event,
        amount,
        evidence,
    ) {
        let n = NewCase {
            benefit_type_id: b,
            person_id: p,
            dependant_id: d,
            event_date: ev,
            amount: a,
            evidence,
        };
        let (act, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(Err(Refusal::Rule("wf.err_twice")));
                }
                cases::report(c, &act, now, &n)
            })
            .await?;
        match saved {
            Ok(id) => {
                return Ok(see_other(
                    &format!("/welfare/cases/{id}"),
                    Some("flash.saved"),
                ))
            }
            Err(Refusal::Rule("wf.err_twice")) => return Ok(see_other("/welfare/cases", None)),
            Err(Refusal::Rule(k)) => e.add("benefit", k),
            Err(Refusal::DuplicateFuneral(first)) => {
                // Shown with a link to the first case.
                return Ok(html_invalid(layout::page(
                    &ctx,
                    ctx.t("wf.cases"),
                    html! {
                        h1 { (ctx.t("wf.cases")) }
                        div.alert role="alert" {
                            p { (ctx.t("wf.err_duplicate_funeral")) " "
                                a href={ "/welfare/cases/" (first) } { (ctx.tf("wf.see_case", first)) } }
                        }
                        p { a href="/welfare/cases" { (ctx.t("wf.cases")) } }
                    },
                )));
            }
        }
    }
    // Sent from a person's record: the list's form names them by code.
    let mut f = f;
    if f.code.trim().is_empty() {
        if let Some(pid) = person {
            let p = state
                .db
                .read(move |c| crate::people::store::person(c, pid))
                .await?;
            if let Some(p) = p {
                f.code = p.employee_code;
            }
        }
    }
    Ok(html_invalid(
        render_list(&state, &ctx, &user, None, &f, &e).await?,
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (c, threshold, dep, voucher) = state
        .db
        .read(move |conn| {
            let c = cases::case(conn, id)?;
            let dep = match c.dependant_id {
                Some(d) => Some(super::store::dependant(conn, d)?),
                None => None,
            };
            let voucher = match c.voucher_id {
                Some(v) => crate::ledger::store::voucher(conn, v)?.map(|v| v.label()),
                None => None,
            };
            Ok((c, cases::threshold(conn)?, dep, voucher))
        })
        .await?;
    let mine = c.reported_by == user.user_id;
    let may_decide = !mine
        && (user.has(Role::Approver) || (user.has(Role::UnionOfficer) && c.amount <= threshold));
    Ok(layout::page(
        &ctx,
        &ctx.tf("wf.case_title", c.id),
        html! {
            (layout::title_bar(&ctx.tf("wf.case_title", c.id), html! { a href="/welfare/cases" { (ctx.t("wf.cases")) } }))
            dl.facts {
                dt { (ctx.t("wf.benefit")) } dd { (c.benefit) }
                dt { (ctx.t("people.name")) } dd { (c.person) " · " (c.code) }
                @if let Some(d) = &dep { dt { (ctx.t("wf.dependant")) } dd { (d.full_name) } }
                dt { (ctx.t("wf.event_date")) } dd { (date(c.event_date)) }
                dt { (ctx.t("wf.amount")) } dd { (c.amount) " — " (crate::money::in_words(c.amount)) }
                dt { (ctx.t("wf.evidence")) } dd { (c.evidence) }
                dt { (ctx.t("wf.state")) } dd { (ctx.t(state_key(&c.state))) @if !c.reject_reason.is_empty() { " — " (c.reject_reason) } }
            }
            @if c.state == "reported" {
                @if c.amount > threshold { p.hint { (ctx.tf("wf.needs_approver", threshold)) } }
                @if mine { p.hint { (ctx.t("wf.err_own_case")) } }
                @if may_decide {
                    div.card.no-print {
                        (post_form(&ctx, &format!("/welfare/cases/{}/decide", c.id), html! {
                            input type="hidden" name="decision" value="approve";
                            button type="submit" { (ctx.t("wf.approve")) }
                        }))
                        (post_form(&ctx, &format!("/welfare/cases/{}/decide", c.id), html! {
                            input type="hidden" name="decision" value="reject";
                            div.field { label for="f-reason" { (ctx.t("wf.reject_reason")) } input #f-reason name="reason" required maxlength="300"; }
                            button.danger type="submit" { (ctx.t("wf.reject")) }
                        }))
                    }
                }
            }
            @if c.state == "approved" && (user.has(Role::UnionOfficer) || user.has(Role::Accountant) || user.has(Role::Approver)) {
                div.card.no-print {
                    h2 { (ctx.t("wf.pay")) }
                    (post_form(&ctx, &format!("/welfare/cases/{}/pay", c.id), html! {
                        div.field { label for="f-date" { (ctx.t("wf.pay_date")) } input #f-date name="date" required value=(date(state.clock.today())); }
                        @if user.has(Role::Approver) {
                            div.field { label for="f-overdraft" { (ctx.t("wf.overdraft_reason")) } input #f-overdraft name="overdraft_reason" maxlength="300"; small.hint { (ctx.t("wf.overdraft_hint")) } }
                        }
                        button type="submit" { (ctx.t("wf.pay")) }
                    }))
                }
            }
            @if let Some(v) = &voucher { p { (ctx.tf("wf.paid_by_voucher", v)) " " a href="/accounting/funds" { (ctx.t("wf.funds")) } } }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<DecideForm>,
) -> Result<HttpResponse, AppError> {
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    let reason = text(&f.reason, 300).ok_or(AppError::BadRequest("wf.err_reason"))?;
    let (a, roles, now, id) = (
        actor(&user),
        user.roles,
        state.clock.now_naive(),
        id.into_inner(),
    );
    state
        .db
        .write(move |c| cases::decide(c, &a, roles, now, id, approve, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/cases/{id}"),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayForm {
    date: String,
    #[serde(default)]
    overdraft_reason: String,
}

pub async fn pay(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<PayForm>,
) -> Result<HttpResponse, AppError> {
    let date = business_date(&f.date).ok_or(AppError::BadRequest("cal.err_date"))?;
    let reason = text(&f.overdraft_reason, 300).ok_or(AppError::BadRequest("wf.err_reason"))?;
    let (a, roles, now, id) = (
        actor(&user),
        user.roles,
        state.clock.now_naive(),
        id.into_inner(),
    );
    state
        .db
        .write(move |c| cases::pay(c, &a, roles, now, id, date, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/cases/{id}"),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BenefitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    default_amount: String,
    #[serde(default)]
    max_amount: String,
    #[serde(default)]
    per_year_count: String,
    #[serde(default)]
    per_year_amount: String,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    regulation: String,
    #[serde(default)]
    relatives: Vec<String>,
}

/// Who a benefit may be for, in the order of the form.
const FOR_WHOM: [(&str, &str); 8] = [
    ("self", "wf.for_self"),
    ("spouse", "wf.rel_spouse"),
    ("child", "wf.rel_child"),
    ("parent", "wf.rel_parent"),
    ("parent_in_law", "wf.rel_parent_in_law"),
    ("sibling", "wf.rel_sibling"),
    ("grandparent", "wf.rel_grandparent"),
    ("other", "wf.rel_other"),
];

fn for_whom(ctx: &Ctx, b: &BenefitType) -> String {
    b.allowed()
        .iter()
        .filter_map(|c| FOR_WHOM.iter().find(|(k, _)| k == c).map(|(_, t)| ctx.t(t)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn benefits(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    render_benefits(
        &state,
        &ctx,
        &user,
        &BenefitForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_benefits(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    f: &BenefitForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let (list, funds) = state
        .db
        .read(|c| Ok((cases::benefit_types(c)?, crate::ledger::store::funds(c)?)))
        .await?;
    let kinds: Vec<(String, String)> = BenefitKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), ctx.t(k.label_key()).to_string()))
        .collect();
    let recipients = [
        ("members".to_string(), ctx.t("wf.rec_members").to_string()),
        ("retirees".to_string(), ctx.t("wf.rec_retirees").to_string()),
        ("all".to_string(), ctx.t("wf.rec_all").to_string()),
    ];
    let fund_options = fund_options(&funds);
    let fund_name = |id: i32| {
        funds
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.code.as_str())
            .unwrap_or("")
    };
    Ok(layout::page(
        ctx,
        ctx.t("wf.benefits"),
        html! {
            (layout::title_bar(ctx.t("wf.benefits"), html! { a href="/welfare/cases" { (ctx.t("wf.cases")) } }))
            table.responsive {
                thead { tr { th { (ctx.t("wf.benefit")) } th { (ctx.t("wf.for_whom")) } th.num { (ctx.t("wf.default_amount")) } th.num { (ctx.t("wf.max_amount")) } th { (ctx.t("wf.limits")) } th { (ctx.t("wf.recipients")) } th { (ctx.t("wf.fund")) } th { (ctx.t("wf.regulation")) } } }
                tbody { @for b in &list { tr {
                    td { (b.name) br; small { (b.code) } } td { (for_whom(ctx, b)) } td.num { (Vnd(b.default_vnd)) } td.num { (Vnd(b.max_vnd)) }
                    td { @if let Some(n) = b.per_year_count { (ctx.tf("wf.per_year_count", n)) br; } @if let Some(t) = b.per_year_vnd { (ctx.tf("wf.per_year_total", Vnd(t))) } }
                    td { (ctx.t(match b.recipients.as_str() { "members" => "wf.rec_members", "retirees" => "wf.rec_retirees", _ => "wf.rec_all" })) }
                    td { (fund_name(b.fund_id)) } td { (b.regulation) }
                } } }
            }
            @if user.has(Role::UnionOfficer) {
                div.card.no-print {
                    h2 { (ctx.t("wf.benefit_add")) }
                    (error_list(ctx, e))
                    (post_form(ctx, "/welfare/benefits", html! {
                        (Input::text("code", ctx.t("wf.benefit_code"), &f.code).required().render(ctx, e))
                        (Input::text("name", ctx.t("wf.benefit"), &f.name).required().render(ctx, e))
                        (select(ctx, e, "kind", ctx.t("wf.benefit_kind"), &kinds, &f.kind))
                        (Input::text("default_amount", ctx.t("wf.default_amount"), &f.default_amount).required().render(ctx, e))
                        (Input::text("max_amount", ctx.t("wf.max_amount"), &f.max_amount).required().render(ctx, e))
                        (Input::text("per_year_count", ctx.t("wf.per_year_count_label"), &f.per_year_count).render(ctx, e))
                        (Input::text("per_year_amount", ctx.t("wf.per_year_total_label"), &f.per_year_amount).render(ctx, e))
                        (select(ctx, e, "recipients", ctx.t("wf.recipients"), &recipients, &f.recipients))
                        (select(ctx, e, "fund", ctx.t("wf.fund"), &fund_options, &f.fund))
                        (Input::text("regulation", ctx.t("wf.regulation"), &f.regulation).render(ctx, e))
                        fieldset.field {
                            legend { (ctx.t("wf.for_whom")) }
                            @for (code, key) in FOR_WHOM {
                                label { input type="checkbox" name="relatives" value=(code) checked[f.relatives.iter().any(|r| r == code) || (f.relatives.is_empty() && code == "self")]; " " (ctx.t(key)) } " "
                            }
                        }
                        button type="submit" { (ctx.t("wf.benefit_add")) }
                    }))
                }
            }
        },
    ))
}

pub async fn add_benefit(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<BenefitForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let code = text(&f.code, 40).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if code.is_none() {
        e.add("code", "wf.err_bt_code_shape");
    }
    let name = text(&f.name, 200).filter(|s| !s.is_empty());
    if name.is_none() {
        e.add("name", "wf.err_name");
    }
    let kind = BenefitKind::parse(&f.kind);
    if kind.is_none() {
        e.add("kind", "err.bad_form");
    }
    let money = |s: &str| Vnd::parse(s).ok().filter(|v| v.0 >= 0);
    let default = money(&f.default_amount);
    if default.is_none() {
        e.add("default_amount", "wf.err_amount");
    }
    let max = money(&f.max_amount).filter(|v| v.0 > 0);
    if max.is_none() {
        e.add("max_amount", "wf.err_amount");
    }
    let count = match f.per_year_count.trim() {
        "" => Some(None),
        c => c
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=366).contains(n))
            .map(Some),
    };
    if count.is_none() {
        e.add("per_year_count", "wf.err_count");
    }
    let total = match f.per_year_amount.trim() {
        "" => Some(None),
        t => money(t).filter(|v| v.0 > 0).map(Some),
    };
    if total.is_none() {
        e.add("per_year_amount", "wf.err_amount");
    }
    let fund: Option<i32> = f.fund.parse().ok();
    if fund.is_none() {
        e.add("fund", "wf.err_fund");
    }
    let relatives: Vec<&str> = FOR_WHOM
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| f.relatives.iter().any(|r| r == k))
        .collect();
    if relatives.is_empty() || relatives.len() != f.relatives.len() {
        e.add("relatives", "wf.err_for_whom");
    }
    let relatives = relatives.join(",");
    let regulation = text(&f.regulation, 300);
    if regulation.is_none() {
        e.add("regulation", "wf.err_note");
    }
    if let (
        true,
        Some(code),
        Some(name),
        Some(kind),
        Some(d),
        Some(m),
        Some(c),
        Some(t),
        Some(fund),
        Some(regulation),
    ) = (
        e.is_empty(),
        code,
        name,
        kind,
        default,
        max,
        count,
        total,
        fund,
        regulation,
    ) {
        let b = NewBenefitType {
            code,
            name,
            kind,
            default_vnd: d,
            max_vnd: m,
            per_year_count: c,
            per_year_vnd: t,
            recipients: f.recipients.clone(),
            fund_id: fund,
            regulation,
            relatives,
        };
        let (a, now) = (actor(&user), state.clock.now_naive());
        match state
            .db
            .write(move |c| cases::add_benefit_type(c, &a, now, &b))
            .await
        {
            Ok(_) => return Ok(see_other("/welfare/benefits", Some("flash.saved"))),
            Err(AppError::BadRequest(k)) => e.add(
                if k == "wf.err_bt_code" {
                    "code"
                } else {
                    "max_amount"
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    Ok(html_invalid(
        render_benefits(&state, &ctx, &user, &f, &e).await?,
    ))
}

/// Staff: their memberships, dues and cases.
pub async fn mine(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = crate::canteen::staff::person_of(&user)?;
    let (ms, dues, list) = state
        .db
        .read(move |c| {
            Ok((
                super::store::memberships_of(c, person)?,
                super::dues::dues_of(c, person)?,
                cases::cases_of(c, person)?,
            ))
        })
        .await?;
    Ok(layout::page(
        &ctx,
        ctx.t("wf.mine"),
        html! {
            h1 { (ctx.t("wf.mine")) }
            h2 { (ctx.t("wf.memberships")) }
            @if ms.is_empty() { p { (ctx.t("wf.no_memberships")) } } @else {
                ul { @for (o, m) in &ms { li { (o) " — " (ctx.tf("wf.joined_on", date(m.joined_on)))
                    @if let Some(e) = m.ended_on { " · " (ctx.tf("wf.ended_on", date(e))) } } } }
            }
            h2 { (ctx.t("wf.my_dues")) }
            @if dues.is_empty() { p { (ctx.t("wf.no_dues")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("wf.org_name")) } th { (ctx.t("wf.month")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.paid")) } } }
                    tbody { @for (o, m, a, p) in &dues { tr { td { (o) } td { (crate::accounting::handlers::month_label(m)) } td.num { (a) } td { @match p { Some(d) => { (date(*d)) }, None => { span.error { (ctx.t("wf.unpaid")) } } } } } } }
                }
            }
            h2 { (ctx.t("wf.my_cases")) }
            @if list.is_empty() { p { (ctx.t("wf.no_cases")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("wf.benefit")) } th { (ctx.t("wf.event_date")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.state")) } } }
                    tbody { @for c in &list { tr { td { (c.benefit) } td { (date(c.event_date)) } td.num { (c.amount) } td { (ctx.t(state_key(&c.state))) } } } }
                }
            }
        },
    ))
}
