//! Staff: my monthly statement (stored lines once the month is closed) (each meal: price, subsidy, what I pay). Provisional while the
//! month is open. Nobody else's data is reachable from here.

use crate::canteen::staff::person_of;
use crate::error::AppError;
use crate::state::AppState;
use crate::subsidy::split::MealState;
use crate::subsidy::store;
use crate::ui::format::date;
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::web;
use chrono::{Datelike, Duration};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn my_statement(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let today = state.clock.today();
    let day = match q.month.as_deref() {
        None => today,
        Some(m) => {
            crate::ui::format::parse_month(m).ok_or(AppError::BadRequest("month.err_bad"))?
        }
    };
    let (first, last) = store::month_of(day);
    // A closed month shows what was closed (and will be deducted), not a new computation.
    let (lines, closed, adjustments, decisions) = state
        .db
        .read(move |c| {
            let month = crate::periods::month_key(first);
            let adjustments = super::store::adjustments_of_person(c, person, &month)?;
            let decisions = store::decisions_of(c, person)?;
            match super::store::closed(c, &month)? {
                Some(_) => Ok((
                    super::store::statement_closed(c, person, &month)?,
                    true,
                    adjustments,
                    decisions,
                )),
                None => Ok((
                    store::statement(c, person, first)?,
                    false,
                    adjustments,
                    decisions,
                )),
            }
        })
        .await?;
    let adjusted: i64 = adjustments.iter().map(|a| a.amount).sum();
    let sum = |f: &dyn Fn(&store::StatementLine) -> i64| lines.iter().map(f).sum::<i64>();
    let (charged, subsidy, to_pay) = (
        sum(&|l| l.split.charged.0),
        sum(&|l| l.split.subsidy().0),
        sum(&|l| l.split.staff_share.0),
    );
    let prev = (first - Duration::days(1)).format("%Y-%m").to_string();
    let next = (last + Duration::days(1)).format("%Y-%m").to_string();
    let money = |v: i64| crate::money::Vnd(v).to_string();
    Ok(layout::page(
        &ctx,
        ctx.t("stmt.title"),
        html! {
            (layout::title_bar(&ctx.tf("stmt.title_for", format!("{:02}/{}", first.month(), first.year())), html! {
                a.button.secondary href=(format!("/statement?month={prev}")) { "‹" }
                a.button.secondary href=(format!("/statement?month={next}")) { "›" }
            }))
            @if closed { p.notice { (ctx.t("stmt.closed")) } } @else { p.hint { (ctx.t("stmt.provisional")) } }
            @if lines.is_empty() && adjustments.is_empty() { p { (ctx.t("stmt.none")) } }
            @else {
                table.responsive {
                    thead { tr { th { (ctx.t("week.day")) } th { (ctx.t("menu.option")) } th.num { (ctx.t("menu.price")) } th.num { (ctx.t("stmt.subsidy")) } th.num { (ctx.t("stmt.to_pay")) } } }
                    tbody { @for l in &lines { tr {
                        td data-label=(ctx.t("week.day")) { (date(l.day)) }
                        td data-label=(ctx.t("menu.option")) { (l.option) @if l.state == MealState::NoShow { " " span.badge.off { (ctx.t("order.status_no_show")) } } }
                        td.num data-label=(ctx.t("menu.price")) { (l.split.charged) }
                        td.num data-label=(ctx.t("stmt.subsidy")) { (l.split.subsidy()) }
                        td.num data-label=(ctx.t("stmt.to_pay")) { (l.split.staff_share) }
                    } } }
                    tfoot { tr { th scope="row" { (ctx.t("head.total")) } td {} td.num { (money(charged)) } td.num { (money(subsidy)) } td.num { strong { (money(to_pay)) } } } }
                }
            }
            @if !adjustments.is_empty() {
                h2 { (ctx.t("adj.booked_here")) }
                table.responsive {
                    thead { tr { th { (ctx.t("adj.corrects")) } th { (ctx.t("adj.reason")) } th.num { (ctx.t("voucher.amount")) } } }
                    tbody { @for a in &adjustments { tr {
                        td data-label=(ctx.t("adj.corrects")) { (super::handlers::month_label(&a.corrects_month)) }
                        td.wrap data-label=(ctx.t("adj.reason")) { (a.reason) }
                        td.num data-label=(ctx.t("voucher.amount")) { (money(a.amount)) }
                    } } }
                }
                @if to_pay + adjusted < 0 {
                    p { strong { (ctx.t("stmt.refund")) ": " (money(-(to_pay + adjusted))) } }
                } @else {
                    p { strong { (ctx.t("month.staff_pays")) ": " (money(to_pay + adjusted)) } }
                }
            }
            @if !decisions.is_empty() {
                h2 { (ctx.t("elig.mine")) }
                p.hint { (ctx.t("elig.mine_hint")) }
                ul { @for d in &decisions { li {
                    (ctx.t(if d.band == "hardship" { "elig.band_hardship" } else { "elig.band_low_income" })) ": "
                    (date(d.from)) " – " (d.to.map(date).unwrap_or_else(|| ctx.t("elig.open_ended").to_string()))
                    @if let Some(n) = &d.decision_no { " (" (ctx.t("elig.decision_no")) " " (n) ")" }
                } }
            } }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    ))
}
