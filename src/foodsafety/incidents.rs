//! Incidents (suspected food poisoning): the list, a report, the A4 trace of the meal's day
//! (dishes with their checks, samples, deliveries) for the health authority, closing.

use super::day::{at, iso, verdict};
use super::rules;
use super::store::{self, DayRecords, Incident, NewIncident};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// Whether the user works in the kitchen (the day's records are theirs to open).
fn kitchen(user: &CurrentUser) -> bool {
    user.has(Role::Kitchen) || user.has(Role::KitchenManager)
}

/// Who may read people's names and symptoms in an incident.
pub fn sees_health(user: &CurrentUser) -> bool {
    user.has(Role::KitchenManager) || user.has(Role::Admin)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportForm {
    #[serde(default)]
    meal_date: String,
    #[serde(default)]
    affected: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    symptoms: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    once: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let all = state.db.read(store::incidents).await?;
    Ok(list_view(
        &ctx,
        &user,
        &all,
        &ReportForm::default(),
        &FieldErrors::default(),
    ))
}

fn list_view(
    ctx: &Ctx,
    user: &CurrentUser,
    all: &[Incident],
    f: &ReportForm,
    e: &FieldErrors,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("fs.incidents"),
        html! {
            (layout::title_bar(ctx.t("fs.incidents"), html! { @if kitchen(user) { a href="/kitchen/food-safety" { (ctx.t("fs.title")) } } }))
            p.hint { (ctx.t("fs.incident_help")) }
            @if all.is_empty() { p { (ctx.t("fs.incident_none")) } } @else {
                table.responsive {
                    thead { tr { th { "#" } th { (ctx.t("fs.meal_date")) } th.num { (ctx.t("fs.affected")) } th { (ctx.t("fs.summary")) } th { (ctx.t("fs.state")) } } }
                    tbody { @for i in all { tr {
                        td { a href={ "/kitchen/food-safety/incidents/" (i.id) } { (i.id) } }
                        td { (date(i.meal_date)) } td.num { (i.affected) } td { (i.summary) }
                        td { @if i.closed_at.is_some() { (ctx.t("fs.closed")) } @else { strong.error { (ctx.t("fs.open")) } } }
                    } } }
                }
            }
            @if user.has(Role::KitchenManager) {
                div.card.no-print {
                    h2 { (ctx.t("fs.incident_report")) }
                    @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, "/kitchen/food-safety/incidents", html! {
                        (crate::once::once_field())
                        (Input::text("meal_date", ctx.t("fs.meal_date"), &f.meal_date).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("affected", ctx.t("fs.affected"), &f.affected).kind("number").required().render(ctx, e))
                        (Input::text("summary", ctx.t("fs.summary"), &f.summary).required().render(ctx, e))
                        div.field.invalid[e.get("symptoms").is_some()] {
                            label for="f-symptoms" { (ctx.t("fs.symptoms")) }
                            textarea #f-symptoms name="symptoms" rows="3" maxlength="2000" { (f.symptoms) }
                            @if let Some(k) = e.get("symptoms") { p.error { (ctx.t(k)) } }
                        }
                        div.field.invalid[e.get("people").is_some()] {
                            label for="f-people" { (ctx.t("fs.people")) }
                            textarea #f-people name="people" rows="3" maxlength="2000" { (f.people) }
                            small.hint { (ctx.t("fs.health_hint")) }
                            @if let Some(k) = e.get("people") { p.error { (ctx.t(k)) } }
                        }
                        button type="submit" { (ctx.t("fs.incident_report")) }
                    }))
                }
            }
        },
    )
}

pub async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let mut e = FieldErrors::default();
    let meal_date = business_date(&f.meal_date).filter(|d| *d <= today);
    if meal_date.is_none() {
        e.add("meal_date", "fs.err_meal_date");
    }
    let affected: Option<i32> = f
        .affected
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=100_000).contains(n));
    if affected.is_none() {
        e.add("affected", "fs.err_affected");
    }
    let summary = crate::ui::forms::bounded_text(&f.summary, 500).filter(|s| !s.is_empty());
    if summary.is_none() {
        e.add("summary", "fs.err_summary");
    }
    let symptoms = crate::ui::forms::bounded_text(&f.symptoms, 2000);
    if symptoms.is_none() {
        e.add("symptoms", "fs.err_note");
    }
    let people = crate::ui::forms::bounded_text(&f.people, 2000);
    if people.is_none() {
        e.add("people", "fs.err_note");
    }
    if let (true, Some(meal_date), Some(affected), Some(summary), Some(symptoms), Some(people)) =
        (e.is_empty(), meal_date, affected, summary, symptoms, people)
    {
        let n = NewIncident {
            meal_date,
            affected,
            summary,
            symptoms,
            people,
        };
        let actor = Actor::user(user.user_id, &user.username);
        let now = state.clock.now_naive();
        let once = f.once.clone();
        let id = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(None);
                }
                store::report_incident(c, &actor, now, &n).map(Some)
            })
            .await?;
        let to = match id {
            Some(id) => format!("/kitchen/food-safety/incidents/{id}"),
            None => "/kitchen/food-safety/incidents".to_string(),
        };
        return Ok(see_other(&to, Some("flash.saved")));
    }
    let all = state.db.read(store::incidents).await?;
    Ok(html_invalid(list_view(&ctx, &user, &all, &f, &e)))
}

/// The trace of an incident: one A4 page with the day's dishes (and their checks), the
/// samples (kept or discarded, when, by whom) and the deliveries of the day.
pub async fn trace(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (i, rec, reporter) = state
        .db
        .read(move |c| {
            let i = store::incident(c, id)?;
            let rec = store::day_records(c, i.meal_date)?;
            let reporter = store::user_name(c, i.reported_by)?;
            Ok((i, rec, reporter))
        })
        .await?;
    Ok(trace_view(&ctx, &user, &i, &rec, &reporter))
}

fn trace_view(
    ctx: &Ctx,
    user: &CurrentUser,
    i: &Incident,
    rec: &DayRecords,
    reporter: &str,
) -> Markup {
    let health = sees_health(user);
    layout::page(
        ctx,
        &ctx.tf("fs.trace_title", i.id),
        html! {
            p.no-print { a href="/kitchen/food-safety/incidents" { "← " (ctx.t("fs.incidents")) }
                @if kitchen(user) { " · " a href={ "/kitchen/food-safety?date=" (iso(i.meal_date)) } { (ctx.t("fs.open_records")) } } }
            article.a4.trace {
                p.org { (ctx.t("fs.org")) }
                h1 { (ctx.tf("fs.trace_title", i.id)) }
                dl.facts {
                    dt { (ctx.t("fs.meal_date")) } dd { (date(i.meal_date)) }
                    dt { (ctx.t("fs.reported")) } dd { (at(i.reported_at)) " · " (reporter) }
                    dt { (ctx.t("fs.affected")) } dd { (i.affected) }
                    dt { (ctx.t("fs.summary")) } dd { (i.summary) }
                    @if health {
                        dt { (ctx.t("fs.symptoms")) } dd.prewrap { (i.symptoms) }
                        dt { (ctx.t("fs.people")) } dd.prewrap { (i.people) }
                    }
                    dt { (ctx.t("fs.state")) } dd { @if let Some(t) = i.closed_at { (ctx.t("fs.closed")) " " (at(t)) @if !i.outcome.is_empty() { " — " (i.outcome) } } @else { (ctx.t("fs.open")) " — " (ctx.t("fs.samples_held")) } }
                }
                @if !health { p.hint { (ctx.t("fs.health_hidden")) } }
                h2 { (ctx.t("fs.trace_dishes")) }
                @if rec.dishes.is_empty() { p { (ctx.t("fs.no_dishes")) } } @else {
                    table.print-list.trace-dishes {
                        thead { tr { th { (ctx.t("dish.name")) } th { (ctx.t("fs.step2")) } th { (ctx.t("fs.step3")) } } }
                        tbody { @for d in &rec.dishes { tr {
                            td { (d.name) }
                            td { @if let Some(p) = rec.preps.iter().find(|p| p.dish_id == d.id) { (rules::local_hm(p.started_at)) "–" (rules::local_hm(p.finished_at)) " " (verdict(ctx, p.passed())) " · " (rec.name(p.checked_by)) } @else { (ctx.t("fs.missing")) } }
                            td { @if let Some(s) = rec.serves.iter().find(|s| s.dish_id == d.id) { (rules::local_hm(s.ready_at)) " " (verdict(ctx, s.passed())) " · " (rec.name(s.checked_by)) } @else { (ctx.t("fs.missing")) } }
                        } } }
                    }
                }
                h2 { (ctx.t("fs.trace_samples")) }
                @if rec.samples.is_empty() { p { (ctx.t("fs.no_samples")) } } @else {
                    table.print-list.trace-samples {
                        thead { tr { th { (ctx.t("dish.name")) } th.num { (ctx.t("fs.amount")) } th { (ctx.t("fs.storage")) } th { (ctx.t("fs.taken")) } th { (ctx.t("fs.sample_state")) } } }
                        tbody { @for s in &rec.samples { tr {
                            td { (rec.dish_name(s.dish_id)) }
                            td.num { (s.amount) " " (ctx.t(if s.liquid { "fs.ml" } else { "fs.g" })) }
                            td { (rules::show_temperature(s.storage_dt)) }
                            td { (at(s.taken_at)) " · " (rec.name(s.taken_by)) }
                            td { @if let Some(t) = s.discarded_at { (ctx.t("fs.discarded")) " " (at(t)) } @else { strong { (ctx.t("fs.kept")) } } }
                        } } }
                    }
                }
                h2 { (ctx.t("fs.trace_deliveries")) }
                @if rec.deliveries.is_empty() { p { (ctx.t("fs.no_deliveries")) } } @else {
                    table.print-list.trace-deliveries {
                        thead { tr { th { (ctx.t("fs.received")) } th { (ctx.t("fs.supplier")) } th { (ctx.t("fs.items")) } th { (ctx.t("fs.result")) } } }
                        tbody { @for d in &rec.deliveries { tr {
                            td { (rules::local_hm(d.received_at)) }
                            td { (d.supplier) @if !d.invoice_ref.is_empty() { " · " (d.invoice_ref) } }
                            td { @for it in &d.items { div { (it.name) " — " (it.quantity) " " (it.unit) @if !it.origin.is_empty() { " · " (it.origin) } @if !it.lot_ref.is_empty() { " · " (it.lot_ref) } } } }
                            td { (verdict(ctx, d.passed())) " · " (d.checker) }
                        } } }
                    }
                }
            }
            @if i.closed_at.is_none() && user.has(Role::KitchenManager) {
                div.card.no-print {
                    h2 { (ctx.t("fs.incident_close")) }
                    (post_form(ctx, &format!("/kitchen/food-safety/incidents/{}/close", i.id), html! {
                        (Input::text("outcome", ctx.t("fs.outcome"), "").required().render(ctx, &FieldErrors::default()))
                        label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("fs.close_confirm")) }
                        " " button.danger type="submit" { (ctx.t("fs.incident_close")) }
                    }))
                }
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn close(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let outcome = crate::ui::forms::bounded_text(&f.outcome, 500)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("fs.err_outcome"))?;
    let id = id.into_inner();
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| store::close_incident(c, &actor, now, id, &outcome))
        .await?;
    Ok(see_other(
        &format!("/kitchen/food-safety/incidents/{id}"),
        Some("flash.saved"),
    ))
}
