//! Accountants (and, reading, approvers, union officers, admins): who holds a low-income or
//! hardship band, from when to when, on which decision; the decisions ending within 30 days;
//! recording a new one. Never shown to the kitchen or other staff.

use super::store::{self, NewEligibility};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date, opt_date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListQuery {
    all: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<ListQuery>,
) -> Result<Markup, AppError> {
    let all = q.all.is_some();
    let today = state.clock.today();
    let (rows, proposals) = state
        .db
        .read(move |c| Ok((store::decisions(c, today, all)?, store::proposals(c)?)))
        .await?;
    Ok(page(
        &ctx,
        &rows,
        all,
        today,
        user.has(Role::Accountant),
        (&DecisionForm::default(), &FieldErrors::default()),
        proposals_section(&ctx, &user, &proposals),
    ))
}

fn band_key(band: &str) -> &'static str {
    if band == "hardship" {
        "elig.band_hardship"
    } else {
        "elig.band_low_income"
    }
}

fn page(
    ctx: &Ctx,
    rows: &[store::DecisionRow],
    all: bool,
    today: NaiveDate,
    can_edit: bool,
    (f, e): (&DecisionForm, &FieldErrors),
    proposals: Markup,
) -> Markup {
    let soon: Vec<&store::DecisionRow> = rows
        .iter()
        .filter(|r| {
            r.to.is_some_and(|t| t >= today && t <= today + Duration::days(30))
        })
        .collect();
    let bands = [
        (
            "low_income".to_string(),
            ctx.t("elig.band_low_income").to_string(),
        ),
        (
            "hardship".to_string(),
            ctx.t("elig.band_hardship").to_string(),
        ),
    ];
    let bases = [
        (
            "decision".to_string(),
            ctx.t("elig.basis_decision").to_string(),
        ),
        ("rule".to_string(), ctx.t("elig.basis_rule").to_string()),
    ];
    layout::page(
        ctx,
        ctx.t("elig.title"),
        html! {
            (layout::title_bar(ctx.t("elig.title"), html! {
                @if all { a.button.secondary href="/accounting/eligibility" { (ctx.t("elig.current_only")) } }
                @else { a.button.secondary href="/accounting/eligibility?all=1" { (ctx.t("elig.show_all")) } }
            }))
            p.hint { (ctx.t("elig.private")) }
            @if !soon.is_empty() {
                div.notice role="status" {
                    strong { (ctx.t("elig.ending_soon")) } ": "
                    @for (i, r) in soon.iter().enumerate() { @if i > 0 { ", " } (r.name) " (" (opt_date(r.to)) ")" }
                }
            }
            @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            table.responsive {
                thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("elig.band")) } th { (ctx.t("absence.from")) } th { (ctx.t("absence.to")) } th { (ctx.t("elig.basis")) } th { (ctx.t("absence.note")) } @if can_edit { th { span.sr { (ctx.t("common.actions")) } } } } }
                tbody { @for r in rows { tr {
                    td { (r.code) } td { (r.name) } td { (ctx.t(band_key(&r.band))) }
                    td { (date(r.from)) } td { (r.to.map(date).unwrap_or_else(|| ctx.t("elig.open_ended").into())) }
                    td { @if r.basis == "decision" { (ctx.t("elig.basis_decision")) " " (r.decision_no.as_deref().unwrap_or("")) " " (opt_date(r.decision_date)) } @else { (ctx.t("elig.basis_rule")) } }
                    td { (r.note) }
                    @if can_edit { td { @if r.to.is_none_or(|t| t >= today) { (end_form(ctx, &format!("/accounting/eligibility/{}/end", r.id), r.id)) } } }
                } } }
            }
            (proposals)
            @if can_edit {
                div.card {
                    h2 { (ctx.t("elig.add")) }
                    (post_form(ctx, "/accounting/eligibility", html! {
                        (crate::once::once_field())
                        (Input::text("code", ctx.t("people.code"), &f.code).required().render(ctx, e))
                        (select(ctx, e, "band", ctx.t("elig.band"), &bands, &f.band))
                        (Input::text("from", ctx.t("absence.from"), &f.from).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("to", ctx.t("absence.to"), &f.to).hint(ctx.t("elig.to_hint")).render(ctx, e))
                        (select(ctx, e, "basis", ctx.t("elig.basis"), &bases, &f.basis))
                        (Input::text("decision_no", ctx.t("elig.decision_no"), &f.decision_no).render(ctx, e))
                        (Input::text("decision_date", ctx.t("elig.decision_date"), &f.decision_date).render(ctx, e))
                        (Input::text("note", ctx.t("absence.note"), &f.note).render(ctx, e))
                        button type="submit" { (ctx.t("common.save")) }
                    }))
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    band: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    decision_no: String,
    #[serde(default)]
    decision_date: String,
    #[serde(default)]
    note: String,
    /// The form's one-time key (`crate::once`): a double click records the decision once.
    #[serde(default)]
    once: Option<String>,
}

/// Records a decision; a refused form comes back with its input and the message beside the
/// field (422).
pub async fn add(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let day = |field: &'static str,
               text: &str,
               e: &mut FieldErrors,
               required: bool|
     -> Option<NaiveDate> {
        match text.trim() {
            "" if !required => None,
            t => business_date(t).or_else(|| {
                e.add(field, "cal.err_date");
                None
            }),
        }
    };
    if f.code.trim().is_empty() {
        e.add("code", "people.err_code_required");
    }
    let from = day("from", &f.from, &mut e, true);
    let to = day("to", &f.to, &mut e, false);
    let decision_date = day("decision_date", &f.decision_date, &mut e, false);
    if f.note.chars().count() > 300 || f.decision_no.chars().count() > 60 {
        e.add("note", "elig.err_long");
    }
    let band = f.band.clone();
    let basis = f.basis.clone();
    if !matches!(band.as_str(), "low_income" | "hardship")
        || !matches!(basis.as_str(), "rule" | "decision")
    {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if let (Some(from), true) = (from, e.is_empty()) {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let (code, no, note) = (
            f.code.trim().to_uppercase(),
            f.decision_no.trim().to_string(),
            f.note.trim().to_string(),
        );
        let once = f.once.clone();
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(Ok(false));
                }
                let Some(p) = crate::people::store::person_by_code(c, &code)? else {
                    return Ok(Err("elig.err_no_person"));
                };
                let r = store::add_eligibility(
                    c,
                    &actor,
                    now,
                    &NewEligibility {
                        person: p.id,
                        band: &band,
                        from,
                        to,
                        basis: &basis,
                        decision_no: Some(no.as_str()).filter(|n| !n.is_empty()),
                        decision_date,
                        note: &note,
                    },
                )?;
                Ok(r.map(|_| true).map_err(|_| "elig.err_overlap"))
            })
            .await;
        match saved {
            Ok(Ok(true)) => return Ok(see_other("/accounting/eligibility", Some("flash.saved"))),
            Ok(Ok(false)) => {
                return Ok(see_other(
                    "/accounting/eligibility",
                    Some("flash.already_saved"),
                ))
            }
            Ok(Err(k)) => e.add(
                if k == "elig.err_no_person" {
                    "code"
                } else {
                    "from"
                },
                k,
            ),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "eligibility.err_decision" => "decision_no",
                    "elig.err_decision_future" => "decision_date",
                    "policy.err_dates" => "to",
                    _ => "from",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let today = state.clock.today();
    let rows = state
        .db
        .read(move |c| store::decisions(c, today, false))
        .await?;
    let proposals = state.db.read(store::proposals).await?;
    let section = proposals_section(&ctx, &user, &proposals);
    Ok(html_invalid(page(
        &ctx,
        &rows,
        false,
        today,
        true,
        (&f, &e),
        section,
    )))
}

/// The small form that ends a decision or a policy on a date, with a reason.
pub fn end_form(ctx: &Ctx, action: &str, id: i32) -> Markup {
    html! {
        details {
            summary { (ctx.t("elig.end")) }
            (crate::ui::forms::post_form(ctx, action, html! {
                label for=(format!("end-to-{id}")) { (ctx.t("elig.end_on")) }
                input id=(format!("end-to-{id}")) name="to" required placeholder="dd/mm/yyyy";
                label for=(format!("end-why-{id}")) { (ctx.t("elig.end_reason")) }
                input id=(format!("end-why-{id}")) name="reason" required maxlength="300";
                label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("elig.end_confirm")) }
                button.secondary type="submit" { (ctx.t("elig.end")) }
            }))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndForm {
    to: String,
    reason: String,
    confirm: Option<String>,
}

impl EndForm {
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Ends a decision on a date (history kept); the days it stops covering must be in open months.
pub async fn end(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let (to, id, actor, now) = end_input(&state, &user, id.into_inner(), &f)?;
    let reason = f.reason.clone();
    state
        .db
        .write(move |c| store::end_eligibility(c, &actor, now, id, to, &reason))
        .await?;
    Ok(see_other(
        "/accounting/eligibility?all=1",
        Some("flash.saved"),
    ))
}

/// The checked input of an end form.
pub fn end_input(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    f: &EndForm,
) -> Result<
    (
        chrono::NaiveDate,
        i32,
        crate::audit::Actor,
        chrono::NaiveDateTime,
    ),
    AppError,
> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let to = crate::ui::format::business_date(&f.to).ok_or(AppError::BadRequest("cal.err_date"))?;
    Ok((
        to,
        id,
        crate::audit::Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    ))
}

/// Union officers' proposals: they propose (who, band, from/to, why); an accountant accepts
/// one into a decision (number and date) or declines it with a reason.
fn proposals_section(ctx: &Ctx, user: &CurrentUser, list: &[store::Proposal]) -> Markup {
    let accountant = user.has(Role::Accountant);
    let union = user.has(Role::UnionOfficer);
    let bands = [
        (
            "low_income".to_string(),
            ctx.t("elig.band_low_income").to_string(),
        ),
        (
            "hardship".to_string(),
            ctx.t("elig.band_hardship").to_string(),
        ),
    ];
    let none = FieldErrors::default();
    html! {
        section #proposals {
            h2 { (ctx.t("elig.proposals")) }
            @if list.is_empty() { p { (ctx.t("elig.no_proposal")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("elig.band")) } th { (ctx.t("absence.from")) } th { (ctx.t("absence.to")) } th { (ctx.t("elig.proposal_reason")) } th { (ctx.t("elig.proposal_state")) } } }
                    tbody { @for p in list { tr {
                        td { (p.code) } td { (p.name) } td { (ctx.t(band_key(&p.band))) }
                        td { (date(p.from)) } td { (p.to.map(date).unwrap_or_else(|| ctx.t("elig.open_ended").into())) }
                        td.wrap { (p.reason) }
                        td {
                            @match p.state.as_str() {
                                "accepted" => { (ctx.t("elig.proposal_accepted")) }
                                "declined" => { (ctx.t("elig.proposal_declined")) ": " (p.decline_reason.as_deref().unwrap_or("")) }
                                _ if accountant => {
                                    details {
                                        summary { (ctx.t("elig.accept")) }
                                        (post_form(ctx, &format!("/accounting/eligibility/proposals/{}/accept", p.id), html! {
                                            label for=(format!("pno-{}", p.id)) { (ctx.t("elig.decision_no")) }
                                            input id=(format!("pno-{}", p.id)) name="decision_no" required maxlength="60";
                                            label for=(format!("pdd-{}", p.id)) { (ctx.t("elig.decision_date")) }
                                            input id=(format!("pdd-{}", p.id)) name="decision_date" required placeholder="dd/mm/yyyy";
                                            button type="submit" { (ctx.t("elig.accept")) }
                                        }))
                                    }
                                    details {
                                        summary { (ctx.t("elig.decline")) }
                                        (post_form(ctx, &format!("/accounting/eligibility/proposals/{}/decline", p.id), html! {
                                            label for=(format!("pdr-{}", p.id)) { (ctx.t("elig.end_reason")) }
                                            input id=(format!("pdr-{}", p.id)) name="reason" required maxlength="300";
                                            button.secondary type="submit" { (ctx.t("elig.decline")) }
                                        }))
                                    }
                                }
                                _ => { (ctx.t("elig.proposal_pending")) }
                            }
                        }
                    } } }
                }
            }
            @if union {
                div.card {
                    h2 { (ctx.t("elig.propose")) }
                    p.hint { (ctx.t("elig.propose_help")) }
                    (post_form(ctx, "/accounting/eligibility/proposals", html! {
                        (Input::text("code", ctx.t("people.code"), "").required().render(ctx, &none))
                        (select(ctx, &none, "band", ctx.t("elig.band"), &bands, "low_income"))
                        (Input::text("from", ctx.t("absence.from"), "").required().hint(ctx.t("cal.date_hint")).render(ctx, &none))
                        (Input::text("to", ctx.t("absence.to"), "").hint(ctx.t("elig.to_hint")).render(ctx, &none))
                        (Input::text("reason", ctx.t("elig.proposal_reason"), "").required().render(ctx, &none))
                        button type="submit" { (ctx.t("elig.propose")) }
                    }))
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposeForm {
    code: String,
    band: String,
    from: String,
    #[serde(default)]
    to: String,
    reason: String,
}

/// A union officer proposes eligibility.
pub async fn propose(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ProposeForm>,
) -> Result<HttpResponse, AppError> {
    let from = business_date(&f.from).ok_or(AppError::BadRequest("cal.err_date"))?;
    let to = match f.to.trim() {
        "" => None,
        t => Some(business_date(t).ok_or(AppError::BadRequest("cal.err_date"))?),
    };
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    let code = f.code.trim().to_uppercase();
    state
        .db
        .write(move |c| {
            let p = crate::people::store::person_by_code(c, &code)?
                .ok_or(AppError::BadRequest("elig.err_no_person"))?;
            store::propose(c, &actor, now, p.id, &f.band, from, to, &f.reason)
        })
        .await?;
    Ok(see_other(
        "/accounting/eligibility#proposals",
        Some("flash.proposal_saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptForm {
    decision_no: String,
    decision_date: String,
}

/// An accountant accepts a proposal into a decision.
pub async fn accept(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let day = business_date(&f.decision_date).ok_or(AppError::BadRequest("cal.err_date"))?;
    let (actor, now, id) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        id.into_inner(),
    );
    let made = state
        .db
        .write(move |c| store::accept_proposal(c, &actor, now, id, &f.decision_no, day))
        .await?;
    match made {
        Ok(_) => Ok(see_other(
            "/accounting/eligibility#proposals",
            Some("flash.saved"),
        )),
        Err(_) => Err(AppError::BadRequest("elig.err_overlap")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineForm {
    reason: String,
}

/// An accountant declines a proposal, with a reason.
pub async fn decline(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<DeclineForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, now, id) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        id.into_inner(),
    );
    state
        .db
        .write(move |c| store::decline_proposal(c, &actor, now, id, &f.reason))
        .await?;
    Ok(see_other(
        "/accounting/eligibility#proposals",
        Some("flash.saved"),
    ))
}
