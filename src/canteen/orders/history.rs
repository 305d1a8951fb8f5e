//! The history of a person's meals on a day, from `order_events`: staff see their own, the
//! kitchen and admins anyone's. Prices are full prices (never subsidies).

use crate::canteen::staff::person_of;
use crate::canteen::transition::{self, HistoryLine};
use crate::clock::local_datetime;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{date, iso_date};
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::web;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct HistoryQuery {
    date: Option<String>,
}

fn day_of(q: &HistoryQuery, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match q.date.as_deref() {
        None | Some("") => Ok(today),
        Some(s) => iso_date(s).ok_or(AppError::BadRequest("order.err_bad_date")),
    }
}

/// GET /history?date=YYYY-MM-DD — the signed-in person's own meal history of a day.
pub async fn mine(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<HistoryQuery>,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let day = day_of(&q, state.clock.today())?;
    let lines = state
        .db
        .read(move |c| transition::history(c, person, day))
        .await?;
    Ok(page(&ctx, None, day, &lines))
}

/// GET /kitchen/history/{person}?date=YYYY-MM-DD — anyone's, for the kitchen and admins.
pub async fn of_person(
    state: web::Data<AppState>,
    ctx: Ctx,
    person: web::Path<i32>,
    q: web::Query<HistoryQuery>,
) -> Result<Markup, AppError> {
    let person = person.into_inner();
    let day = day_of(&q, state.clock.today())?;
    let (p, lines) = state
        .db
        .read(move |c| {
            let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
            Ok((p, transition::history(c, person, day)?))
        })
        .await?;
    Ok(page(
        &ctx,
        Some(&format!("{} · {}", p.full_name, p.employee_code)),
        day,
        &lines,
    ))
}

fn status_key(s: &str) -> &'static str {
    match s {
        "ordered" => "history.ordered",
        "cancelled" => "history.cancelled",
        "served" => "history.served",
        "no_show" => "history.no_show",
        "void" => "history.void",
        _ => "history.unknown",
    }
}

fn source_key(s: &str) -> &'static str {
    match s {
        "staff" => "history.src_staff",
        "kitchen" => "history.src_kitchen",
        "standing" => "history.src_standing",
        "counter" => "history.src_counter",
        "calendar" => "history.src_calendar",
        "absence" => "history.src_absence",
        "people" => "history.src_people",
        _ => "history.src_system",
    }
}

fn cause_key(s: &str) -> &'static str {
    match s {
        "self" => "history.cause_self",
        "kitchen" => "history.cause_kitchen",
        "day_closed" => "history.cause_day_closed",
        "absence" => "history.cause_absence",
        "person_left" => "history.cause_person_left",
        _ => "history.unknown",
    }
}

fn kind_key(s: &str) -> &'static str {
    match s {
        "guests" => "history.kind_guests",
        "walk_in" => "history.kind_walk_in",
        _ => "history.kind_meal",
    }
}

/// For each line, the option and guest count its row had before (from the previous line of
/// the same kind), so a change shows as "before → after".
fn befores(lines: &[HistoryLine]) -> Vec<(Option<String>, Option<i32>)> {
    let mut last: std::collections::HashMap<&str, (Option<String>, Option<i32>)> =
        std::collections::HashMap::new();
    lines
        .iter()
        .map(|l| {
            let before = last.get(l.kind.as_str()).cloned().unwrap_or((None, None));
            last.insert(l.kind.as_str(), (l.option_name.clone(), l.guests));
            before
        })
        .collect()
}

fn page(ctx: &Ctx, who: Option<&str>, day: NaiveDate, lines: &[HistoryLine]) -> Markup {
    let before = befores(lines);
    let prev = day.pred_opt().unwrap_or(day).format("%Y-%m-%d").to_string();
    let next = day.succ_opt().unwrap_or(day).format("%Y-%m-%d").to_string();
    layout::page(
        ctx,
        ctx.t("history.title"),
        html! {
            h1 { (ctx.tf("history.title_for", date(day))) }
            @if let Some(w) = who { p { strong { (w) } } }
            p.no-print {
                a href=(format!("?date={prev}")) { "‹ " (ctx.t("history.prev_day")) } " · "
                a href=(format!("?date={next}")) { (ctx.t("history.next_day")) " ›" }
            }
            @if lines.is_empty() {
                p { (ctx.t("history.none")) }
            } @else {
                div.scroll { table {
                    caption.sr { (ctx.t("history.title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("history.when")) }
                        th scope="col" { (ctx.t("history.what")) }
                        th scope="col" { (ctx.t("history.change")) }
                        th scope="col" { (ctx.t("history.option")) }
                        th scope="col" .num { (ctx.t("history.price")) }
                        th scope="col" { (ctx.t("history.by")) }
                        th scope="col" { (ctx.t("history.why")) }
                    } }
                    tbody {
                        @for (l, (opt_before, guests_before)) in lines.iter().zip(&before) {
                            tr {
                                td { (local_datetime(l.at)) }
                                td {
                                    (ctx.t(kind_key(&l.kind)))
                                    @if let Some(g) = l.guests {
                                        " ("
                                        @if let Some(b) = guests_before.filter(|b| *b != g) { (b) " → " }
                                        (g) ")"
                                    }
                                }
                                td {
                                    @if let Some(f) = &l.from_status { (ctx.t(status_key(f))) " → " }
                                    (ctx.t(status_key(&l.to_status)))
                                }
                                td {
                                    @if let Some(b) = opt_before.as_deref().filter(|b| Some(*b) != l.option_name.as_deref()) {
                                        @if l.kind == "meal" && l.from_status.is_some() { (b) " → " }
                                    }
                                    (l.option_name.as_deref().unwrap_or(""))
                                }
                                td.num { @if let Some(p) = l.price_vnd { (Vnd(p)) } }
                                td { (ctx.t(source_key(&l.source))) @if let Some(n) = &l.by_name { " · " (n) } }
                                td {
                                    @if let Some(c) = &l.cause { (ctx.t(cause_key(c))) }
                                    @if let Some(r) = &l.reason { " — " (match r.as_str() {
                                        crate::canteen::service::LATE => ctx.t("history.reason_late"),
                                        crate::canteen::transition::LATE_ORDER => ctx.t("history.reason_late_order"),
                                        other => other,
                                    }) }
                                }
                            }
                        }
                    }
                } }
            }
        },
    )
}
