//! Accountants: the subsidy policies (who, how much, which fund, from when, on which legal
//! basis) and adding one. Approvers and admins read.

use super::split::{Amount, Covers};
use super::store::{self, NewPolicy};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

type Data = (Vec<store::PolicyRow>, Vec<crate::ledger::store::Fund>);

async fn load(state: &AppState) -> Result<Data, AppError> {
    state
        .db
        .read(|c| Ok((store::all_policies(c)?, crate::ledger::store::funds(c)?)))
        .await
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let data = load(&state).await?;
    Ok(page(
        &ctx,
        &data,
        user.has(Role::Accountant),
        &PolicyForm::default(),
        &FieldErrors::default(),
    ))
}

fn amount_text(ctx: &Ctx, kind: &str, value: i64) -> String {
    match kind {
        "percent" => ctx.tf(
            "policy.percent",
            format!("{},{:02} %", value / 100, value % 100),
        ),
        "staff_max" => ctx.tf("policy.staff_max", Vnd(value)),
        _ => ctx.tf("policy.fixed", Vnd(value)),
    }
}

fn covers_text(ctx: &Ctx, covers: &str, value: &str) -> String {
    match covers {
        "band" => ctx.tf(
            "policy.covers_band",
            ctx.t(if value == "hardship" {
                "elig.band_hardship"
            } else {
                "elig.band_low_income"
            }),
        ),
        "category" => ctx.tf(
            "policy.covers_category",
            crate::people::views::category_label(ctx, value),
        ),
        _ => ctx.t("policy.covers_everyone").to_string(),
    }
}

fn page(ctx: &Ctx, (rows, funds): &Data, can_add: bool, f: &PolicyForm, e: &FieldErrors) -> Markup {
    let covers = [
        (
            "everyone".to_string(),
            ctx.t("policy.covers_everyone").to_string(),
        ),
        (
            "band:low_income".to_string(),
            covers_text(ctx, "band", "low_income"),
        ),
        (
            "band:hardship".to_string(),
            covers_text(ctx, "band", "hardship"),
        ),
        (
            "category:hop_dong".to_string(),
            covers_text(ctx, "category", "hop_dong"),
        ),
    ];
    let kinds = [
        ("fixed".to_string(), ctx.t("policy.kind_fixed").to_string()),
        (
            "percent".to_string(),
            ctx.t("policy.kind_percent").to_string(),
        ),
        (
            "staff_max".to_string(),
            ctx.t("policy.kind_staff_max").to_string(),
        ),
    ];
    // Meal subsidies are paid from the budget as a rule: its funds come first (the first
    // option is the one a new policy starts with), the welfare and union funds after them.
    let mut active: Vec<_> = funds.iter().filter(|x| x.active).collect();
    active.sort_by_key(|x| x.kind != "budget");
    let fund_options: Vec<(String, String)> = active
        .iter()
        .map(|x| (x.id.to_string(), format!("{} — {}", x.code, x.name)))
        .collect();
    layout::page(
        ctx,
        ctx.t("policy.title"),
        html! {
            h1 { (ctx.t("policy.title")) }
            p.hint { (ctx.t("policy.help")) }
            @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            table.responsive {
                thead { tr { th { (ctx.t("policy.name")) } th { (ctx.t("policy.covers")) } th { (ctx.t("policy.amount")) } th.num { (ctx.t("policy.cap")) } th { (ctx.t("fund.name")) } th { (ctx.t("absence.from")) } th { (ctx.t("absence.to")) } th { (ctx.t("policy.legal_basis")) } @if can_add { th { span.sr { (ctx.t("common.actions")) } } } } }
                tbody { @for r in rows { tr {
                    td { (r.name) } td { (covers_text(ctx, &r.covers, &r.covers_value)) }
                    td { (amount_text(ctx, &r.amount_kind, r.amount_value)) }
                    td.num { (r.monthly_cap.map(|c| c.to_string()).unwrap_or_else(|| "—".into())) }
                    td { (r.fund) } td { (date(r.from)) } td { (r.to.map(date).unwrap_or_else(|| ctx.t("elig.open_ended").into())) }
                    td { (r.legal_basis) }
                    @if can_add { td { @if r.to.is_none() { (super::eligibility::end_form(ctx, &format!("/accounting/policies/{}/end", r.id), r.id)) } } }
                } } }
            }
            @if can_add && !fund_options.is_empty() {
                div.card {
                    h2 { (ctx.t("policy.add")) }
                    (post_form(ctx, "/accounting/policies", html! {
                        (crate::once::once_field())
                        (Input::text("name", ctx.t("policy.name"), &f.name).required().render(ctx, e))
                        (select(ctx, e, "covers", ctx.t("policy.covers"), &covers, &f.covers))
                        (select(ctx, e, "kind", ctx.t("policy.kind"), &kinds, &f.kind))
                        (Input::text("amount", ctx.t("policy.amount"), &f.amount).required().hint(ctx.t("policy.amount_hint")).render(ctx, e))
                        (Input::text("cap", ctx.t("policy.cap"), &f.cap).kind("number").hint(ctx.t("policy.cap_hint")).render(ctx, e))
                        (select(ctx, e, "fund", ctx.t("fund.name"), &fund_options, &f.fund))
                        (Input::text("from", ctx.t("absence.from"), &f.from).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("to", ctx.t("absence.to"), &f.to).hint(ctx.t("elig.to_hint")).render(ctx, e))
                        (Input::text("legal_basis", ctx.t("policy.legal_basis"), &f.legal_basis).required().render(ctx, e))
                        button type="submit" { (ctx.t("common.save")) }
                    }))
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    covers: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    cap: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    legal_basis: String,
    /// The form's one-time key (`crate::once`): a double click adds the policy once.
    #[serde(default)]
    once: Option<String>,
}

pub async fn add(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<PolicyForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let name = f.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=120).contains(&name.chars().count()) {
        e.add("name", "policy.err_name");
    }
    let covers = match f.covers.as_str() {
        "everyone" => Covers::Everyone,
        "band:low_income" => Covers::Band("low_income".into()),
        "band:hardship" => Covers::Band("hardship".into()),
        "category:hop_dong" => Covers::Category("hop_dong".into()),
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    let amount = match f.kind.as_str() {
        "percent" => super::rules::percent_bp(&f.amount).map(Amount::Percent),
        "fixed" => Vnd::parse(&f.amount)
            .ok()
            .filter(|v| v.0 >= 0)
            .map(Amount::Fixed),
        "staff_max" => Vnd::parse(&f.amount)
            .ok()
            .filter(|v| v.0 >= 0)
            .map(Amount::StaffPaysAtMost),
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    if amount.is_none() {
        // A sum typed wrong is told as a sum; a percentage as a percentage.
        e.add(
            "amount",
            if f.kind == "percent" {
                "policy.err_amount"
            } else {
                "policy.err_amount_money"
            },
        );
    }
    let cap = match f.cap.trim() {
        "" => Some(None),
        c => c
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=31).contains(n))
            .map(Some),
    };
    if cap.is_none() {
        e.add("cap", "policy.err_cap");
    }
    let fund: i32 = f
        .fund
        .parse()
        .map_err(|_| AppError::BadRequest("err.bad_form"))?;
    let from = business_date(&f.from);
    if from.is_none() {
        e.add("from", "cal.err_date");
    }
    let to = match f.to.trim() {
        "" => Some(None),
        t => business_date(t).map(Some),
    };
    if to.is_none() {
        e.add("to", "cal.err_date");
    }
    let legal = f.legal_basis.trim().to_string();
    if legal.is_empty() || legal.chars().count() > 200 {
        e.add("legal_basis", "policy.err_legal_basis");
    }
    if let (Some(amount), Some(cap), Some(from), Some(to), true) =
        (amount, cap, from, to, e.is_empty())
    {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let once = f.once.clone();
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(None);
                }
                store::add_policy(
                    c,
                    &actor,
                    now,
                    &NewPolicy {
                        name: &name,
                        covers: &covers,
                        amount,
                        monthly_cap: cap,
                        income_threshold: None,
                        fund,
                        from,
                        to,
                        legal_basis: &legal,
                    },
                )
                .map(Some)
            })
            .await;
        match saved {
            Ok(Some(_)) => return Ok(see_other("/accounting/policies", Some("flash.saved"))),
            Ok(None) => {
                return Ok(see_other(
                    "/accounting/policies",
                    Some("flash.already_saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "policy.err_amount" | "policy.err_amount_value" => "amount",
                    "err.bad_form" => "fund",
                    "policy.err_dates" => "to",
                    _ => "from",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let data = load(&state).await?;
    Ok(html_invalid(page(&ctx, &data, true, &f, &e)))
}

/// Ends a policy on a date (a corrected one may follow from the next day).
pub async fn end(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<super::eligibility::EndForm>,
) -> Result<HttpResponse, AppError> {
    let (to, id, actor, now) = super::eligibility::end_input(&state, &user, id.into_inner(), &f)?;
    let reason = f.reason().to_string();
    state
        .db
        .write(move |c| store::end_policy(c, &actor, now, id, to, &reason))
        .await?;
    Ok(crate::auth::middleware::see_other(
        "/accounting/policies",
        Some("flash.saved"),
    ))
}
