//! The official A4 forms of Decision 1246/QĐ-BYT for a day: 1A (fresh goods) and 1B (dry and
//! packaged goods) of step 1, form 2 (step 2), form 3 (step 3), form 4 (samples kept and
//! discarded), each with every entry of the day and the signature lines.

use super::day::{at, day_of};
use super::rules::{self, show_temperature};
use super::store::{self, DayRecords};
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::{layout, Ctx};
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PrintQuery {
    date: Option<String>,
    form: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<PrintQuery>,
) -> Result<Markup, AppError> {
    let day = day_of(q.date.as_deref(), state.clock.today())?;
    let form = q.form.clone().unwrap_or_else(|| "1a".into());
    if !["1a", "1b", "2", "3", "4"].contains(&form.as_str()) {
        return Err(AppError::BadRequest("err.bad_query"));
    }
    let rec = state.db.read(move |c| store::day_records(c, day)).await?;
    let (title, sub) = match form.as_str() {
        "1a" => ("fs.form_1a_title", "fs.form_1a_sub"),
        "1b" => ("fs.form_1b_title", "fs.form_1b_sub"),
        "2" => ("fs.form_2_title", "fs.form_2_sub"),
        "3" => ("fs.form_3_title", "fs.form_3_sub"),
        _ => ("fs.form_4_title", "fs.form_4_sub"),
    };
    let body = match form.as_str() {
        "1a" | "1b" => step1(&ctx, &rec, if form == "1a" { "fresh" } else { "dry" }),
        "2" => step2(&ctx, &rec),
        "3" => step3(&ctx, &rec),
        _ => samples(&ctx, &rec),
    };
    let checkers = checkers(&rec, &form);
    Ok(layout::page(
        &ctx,
        ctx.t(title),
        html! {
            article.a4.food-form {
                p.org { (ctx.t("fs.org")) }
                h1 { (ctx.t(title)) }
                p.sub { (ctx.t(sub)) }
                p { (ctx.t("fs.form_checker")) ": " (checkers.join(", ")) }
                p { (ctx.t("fs.form_when")) ": " (date(day)) " · " (ctx.t("fs.form_place")) }
                (body)
                div.signatures {
                    div.sig { p.cap { (ctx.t("fs.form_sig_checker")) } p { i { (ctx.t("fs.form_sig_hint")) } } }
                    div.sig {}
                    div.sig { p.cap { (ctx.t("fs.form_sig_manager")) } p { i { (ctx.t("fs.form_sig_hint")) } } }
                }
            }
        },
    ))
}

/// Everyone who recorded what this form shows, once each.
fn checkers(rec: &DayRecords, form: &str) -> Vec<String> {
    let mut v: Vec<String> = match form {
        "1a" | "1b" => {
            let goods = if form == "1a" { "fresh" } else { "dry" };
            rec.deliveries
                .iter()
                .filter(|d| d.goods == goods)
                .map(|d| d.checker.clone())
                .collect()
        }
        "2" => rec
            .preps
            .iter()
            .map(|p| rec.name(p.checked_by).to_string())
            .collect(),
        "3" => rec
            .serves
            .iter()
            .map(|s| rec.name(s.checked_by).to_string())
            .collect(),
        _ => rec
            .samples
            .iter()
            .map(|s| rec.name(s.taken_by).to_string())
            .collect(),
    };
    v.sort();
    v.dedup();
    v
}

fn pass(ctx: &Ctx, ok: bool) -> &'static str {
    ctx.t(if ok { "fs.pass" } else { "fs.fail" })
}

fn step1(ctx: &Ctx, rec: &DayRecords, goods: &str) -> Markup {
    let rows: Vec<(&store::Delivery, &store::Item)> = rec
        .deliveries
        .iter()
        .filter(|d| d.goods == goods)
        .flat_map(|d| d.items.iter().map(move |i| (d, i)))
        .collect();
    html! {
        table.print-list.form-table {
            thead { tr {
                th { (ctx.t("fs.col_no")) } th { (ctx.t("fs.item")) } th { (ctx.t("fs.received")) } th { (ctx.t("fs.quantity")) }
                th { (ctx.t("fs.supplier")) } th { (ctx.t("fs.origin")) } th { (ctx.t("fs.invoice_ref")) } th { (ctx.t("fs.lot")) }
                @if goods == "dry" { th { (ctx.t("fs.expiry")) } }
                th { (ctx.t("fs.temperature")) } th { (ctx.t("fs.sensory")) } th { (ctx.t("fs.col_action")) }
            } }
            tbody {
                @for (n, (d, i)) in rows.iter().enumerate() { tr {
                    td.num { (n + 1) } td { (i.name) } td { (at(d.received_at)) } td { (i.quantity) " " (i.unit) }
                    td { (d.supplier) } td { (i.origin) } td { (d.invoice_ref) } td { (i.lot_ref) }
                    @if goods == "dry" { td { (crate::ui::format::opt_date(i.expiry)) } }
                    td { (i.temperature_dt.map(show_temperature).unwrap_or_default()) }
                    td { (pass(ctx, i.sensory_ok)) } td { (i.note) }
                } }
                @if rows.is_empty() { tr { td colspan="12" { (ctx.t("fs.form_empty")) } } }
            }
        }
    }
}

fn step2(ctx: &Ctx, rec: &DayRecords) -> Markup {
    html! {
        table.print-list.form-table {
            thead { tr {
                th { (ctx.t("fs.col_no")) } th { (ctx.t("dish.name")) } th { (ctx.t("fs.started")) } th { (ctx.t("fs.finished")) }
                th { (ctx.t("fs.people_ok")) } th { (ctx.t("fs.tools_ok")) } th { (ctx.t("fs.area_ok")) } th { (ctx.t("fs.sensory")) }
                th { (ctx.t("fs.col_action")) } th { (ctx.t("fs.checker")) }
            } }
            tbody {
                @for (n, p) in rec.preps.iter().enumerate() { tr {
                    td.num { (n + 1) } td { (rec.dish_name(p.dish_id)) } td { (rules::local_hm(p.started_at)) } td { (rules::local_hm(p.finished_at)) }
                    td { (pass(ctx, p.people_ok)) } td { (pass(ctx, p.tools_ok)) } td { (pass(ctx, p.area_ok)) } td { (pass(ctx, p.sensory_ok)) }
                    td { (p.note) } td { (rec.name(p.checked_by)) }
                } }
                @if rec.preps.is_empty() { tr { td colspan="10" { (ctx.t("fs.form_empty")) } } }
            }
        }
    }
}

fn step3(ctx: &Ctx, rec: &DayRecords) -> Markup {
    html! {
        table.print-list.form-table {
            thead { tr {
                th { (ctx.t("fs.col_no")) } th { (ctx.t("dish.name")) } th { (ctx.t("fs.ready")) }
                th { (ctx.t("fs.covered_ok")) } th { (ctx.t("fs.sensory")) } th { (ctx.t("fs.col_action")) } th { (ctx.t("fs.checker")) }
            } }
            tbody {
                @for (n, s) in rec.serves.iter().enumerate() { tr {
                    td.num { (n + 1) } td { (rec.dish_name(s.dish_id)) } td { (rules::local_hm(s.ready_at)) }
                    td { (pass(ctx, s.covered_ok)) } td { (pass(ctx, s.sensory_ok)) } td { (s.note) } td { (rec.name(s.checked_by)) }
                } }
                @if rec.serves.is_empty() { tr { td colspan="7" { (ctx.t("fs.form_empty")) } } }
            }
        }
    }
}

fn samples(ctx: &Ctx, rec: &DayRecords) -> Markup {
    html! {
        table.print-list.form-table {
            thead { tr {
                th { (ctx.t("fs.col_no")) } th { (ctx.t("fs.col_sample")) } th { (ctx.t("fs.amount")) } th { (ctx.t("fs.container")) }
                th { (ctx.t("fs.storage")) } th { (ctx.t("fs.taken")) } th { (ctx.t("fs.col_discarded")) } th { (ctx.t("fs.note")) }
                th { (ctx.t("fs.col_taken_by")) } th { (ctx.t("fs.col_discarded_by")) }
            } }
            tbody {
                @for (n, s) in rec.samples.iter().enumerate() { tr {
                    td.num { (n + 1) } td { (rec.dish_name(s.dish_id)) }
                    td.num { (s.amount) " " (ctx.t(if s.liquid { "fs.ml" } else { "fs.g" })) } td { (s.container) }
                    td { (show_temperature(s.storage_dt)) } td { (at(s.taken_at)) }
                    td { (s.discarded_at.map(at).unwrap_or_default()) } td { (s.discard_note) }
                    td { (rec.name(s.taken_by)) } td { (s.discarded_by.map(|b| rec.name(b)).unwrap_or("")) }
                } }
                @if rec.samples.is_empty() { tr { td colspan="10" { (ctx.t("fs.form_empty")) } } }
            }
        }
    }
}
