//! Salary bases (hệ số lương, phụ cấp) and the low-income candidates they suggest. Visible to
//! accountants, union officers and admins only; accountants record bases and confirm
//! candidates into decisions on the rule.

use super::store::{self, NewEligibility};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

type Data = (
    Option<Vnd>,
    Vec<store::Basis>,
    Vec<(String, Vnd, store::Basis, Vnd)>,
);

async fn load(state: &AppState) -> Result<Data, AppError> {
    let today = state.clock.today();
    state
        .db
        .read(move |c| {
            Ok((
                store::base_salary_on(c, today)?,
                store::bases_on(c, today)?,
                store::candidates(c, today)?,
            ))
        })
        .await
}

fn coef_text(x100: i32) -> String {
    format!("{},{:02}", x100 / 100, x100 % 100)
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let data = load(&state).await?;
    Ok(view(
        &ctx,
        &data,
        user.has(Role::Accountant),
        &BasisForm::default(),
        &FieldErrors::default(),
    ))
}

fn view(
    ctx: &Ctx,
    (base, bases, candidates): &Data,
    can_edit: bool,
    f: &BasisForm,
    e: &FieldErrors,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("salary.title"),
        html! {
            h1 { (ctx.t("salary.title")) }
            p { (ctx.t("salary.base")) ": " strong { (base.map(|b| b.to_string()).unwrap_or_else(|| "—".into())) } }
            p.hint { (ctx.t("salary.private")) }
            @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            @if !candidates.is_empty() {
                h2 { (ctx.t("salary.candidates")) }
                p.hint { (ctx.t("salary.candidates_help")) }
                table.responsive {
                    thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th.num { (ctx.t("salary.monthly")) } th.num { (ctx.t("salary.threshold")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for (band, t, b, m) in candidates { tr {
                        td { (b.code) } td { (b.name) } td.num { (m) } td.num { (t) }
                        td { @if can_edit { (post_form(ctx, "/accounting/eligibility/confirm", html! {
                            input type="hidden" name="code" value=(b.code);
                            input type="hidden" name="band" value=(band);
                            button.secondary type="submit" { (ctx.t("salary.confirm")) }
                        })) } }
                    } } }
                }
            }
            h2 { (ctx.t("salary.current")) }
            table.responsive {
                thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("absence.from")) } th.num { (ctx.t("salary.grade")) } th.num { (ctx.t("salary.allowance")) } th.num { (ctx.t("salary.monthly")) } } }
                tbody { @for b in bases { tr {
                    td { (b.code) } td { (b.name) } td { (date(b.from)) }
                    td.num { (coef_text(b.grade_x100)) } td.num { (coef_text(b.allowance_x100)) }
                    td.num { (base.map(|v| b.monthly(v).to_string()).unwrap_or_default()) }
                } } }
            }
            @if can_edit {
                div.card {
                    h2 { (ctx.t("salary.add")) }
                    (post_form(ctx, "/accounting/salary", html! {
                        (Input::text("code", ctx.t("people.code"), &f.code).required().render(ctx, e))
                        (Input::text("from", ctx.t("absence.from"), &f.from).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("grade", ctx.t("salary.grade"), &f.grade).required().hint(ctx.t("salary.coef_hint")).render(ctx, e))
                        (Input::text("allowance", ctx.t("salary.allowance"), &f.allowance).hint(ctx.t("salary.coef_hint")).render(ctx, e))
                        button type="submit" { (ctx.t("common.save")) }
                    }))
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BasisForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    allowance: String,
}

pub async fn set(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<BasisForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    if f.code.trim().is_empty() {
        e.add("code", "people.err_code_required");
    }
    let from = business_date(&f.from);
    if from.is_none() {
        e.add("from", "cal.err_date");
    }
    let grade = super::rules::coef_x100(&f.grade).filter(|g| *g > 0);
    if grade.is_none() {
        e.add("grade", "salary.err_coef");
    }
    let allowance = match f.allowance.trim() {
        "" => Some(0),
        a => super::rules::coef_x100(a),
    };
    if allowance.is_none() {
        e.add("allowance", "salary.err_coef");
    }
    if let (Some(from), Some(grade), Some(allowance), true) = (from, grade, allowance, e.is_empty())
    {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let code = f.code.trim().to_uppercase();
        let saved = state
            .db
            .write(move |c| {
                let Some(p) = crate::people::store::person_by_code(c, &code)? else {
                    return Err(AppError::BadRequest("elig.err_no_person"));
                };
                store::set_salary_basis(c, &actor, now, p.id, from, grade, allowance)
            })
            .await;
        match saved {
            Ok(()) => return Ok(see_other("/accounting/salary", Some("flash.saved"))),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "elig.err_no_person" => "code",
                    "salary.err_coef" => "grade",
                    _ => "from",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let data = load(&state).await?;
    Ok(html_invalid(view(&ctx, &data, true, &f, &e)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmCandidate {
    code: String,
    band: String,
}

/// Confirms a candidate into a decision on the salary rule, from the first day of this month.
pub async fn confirm(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ConfirmCandidate>,
) -> Result<HttpResponse, AppError> {
    if !matches!(f.band.as_str(), "low_income" | "hardship") {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    let today = state.clock.today();
    let from = today.with_day(1).unwrap_or(today);
    let r = state
        .db
        .write(move |c| {
            let p = crate::people::store::person_by_code(c, &f.code.trim().to_uppercase())?
                .ok_or(AppError::NotFound)?;
            // Only someone the rule suggests today, for that band (a forged form is refused).
            if !store::candidates(c, today)?
                .iter()
                .any(|(band, _, b, _)| b.person_id == p.id && *band == f.band)
            {
                return Err(AppError::BadRequest("salary.err_not_candidate"));
            }
            store::add_eligibility(
                c,
                &actor,
                now,
                &NewEligibility {
                    person: p.id,
                    band: &f.band,
                    from,
                    to: None,
                    basis: "rule",
                    decision_no: None,
                    decision_date: None,
                    note: "",
                },
            )
        })
        .await?;
    match r {
        Ok(_) => Ok(see_other("/accounting/salary", Some("flash.saved"))),
        Err(_) => Err(AppError::BadRequest("elig.err_overlap")),
    }
}
