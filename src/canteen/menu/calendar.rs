//! Kitchen: the service calendar — close days with a reason (cancelling their meals), open
//! make-up days; lunar 1st/15th are marked.

use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::canteen::rules;
use crate::canteen::store::{self};
use crate::canteen::week::weekday_key;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<MonthQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let first = q
        .month
        .as_deref()
        .and_then(|m| crate::ui::format::iso_date(&format!("{m}-01")))
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    month_page(&state, &ctx, first, None).await
}

/// A refused form shown again with its input and messages.
#[derive(Clone, Copy)]
enum Refused<'a> {
    Close(&'a CloseForm, &'a FieldErrors),
    Open(&'a OpenForm, &'a FieldErrors),
}

async fn month_page(
    state: &AppState,
    ctx: &Ctx,
    first: NaiveDate,
    refused: Option<Refused<'_>>,
) -> Result<Markup, AppError> {
    let last = (first + Duration::days(32)).with_day(1).unwrap_or(first) - Duration::days(1);
    let rows = state
        .db
        .read(move |c| store::day_rows(c, first, last))
        .await?;
    Ok(calendar_view(ctx, first, last, &rows, refused))
}

fn calendar_view(
    ctx: &Ctx,
    first: NaiveDate,
    last: NaiveDate,
    rows: &std::collections::HashMap<NaiveDate, rules::DayRow>,
    refused: Option<Refused<'_>>,
) -> Markup {
    let none = FieldErrors::default();
    let (close, open) = match refused {
        Some(Refused::Close(f, e)) => (Some((f, e)), None),
        Some(Refused::Open(f, e)) => (None, Some((f, e))),
        None => (None, None),
    };
    let e = close.map(|r| r.1).unwrap_or(&none);
    let typed = |f: fn(&CloseForm) -> &str| close.map(|r| f(r.0)).unwrap_or("");
    let eo = open.map(|r| r.1).unwrap_or(&none);
    let (open_day, open_reason, open_makeup) = open
        .map(|r| {
            (
                r.0.day.as_str(),
                r.0.reason.as_str(),
                r.0.makeup_for.as_str(),
            )
        })
        .unwrap_or(("", "", ""));
    let prev = (first - Duration::days(1)).format("%Y-%m").to_string();
    let next = (last + Duration::days(1)).format("%Y-%m").to_string();
    layout::page(
        ctx,
        ctx.t("cal.title"),
        html! {
            (layout::title_bar(&ctx.tf("cal.month", first.format("%m/%Y")), html! {
                a.button.secondary href=(format!("/kitchen/calendar?month={prev}")) { "‹" }
                a.button.secondary href=(format!("/kitchen/calendar?month={next}")) { "›" }
            }))
            @if refused.is_some() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            table {
                thead { tr { th { (ctx.t("week.day")) } th { (ctx.t("week.state")) } th { (ctx.t("cal.lunar")) } } }
                tbody {
                    @for i in 0..=(last - first).num_days() {
                        @let d = first + Duration::days(i);
                        @let row = rows.get(&d);
                        @let l = crate::canteen::lunar::to_lunar(d);
                        tr {
                            td { (ctx.t(weekday_key(d))) " " (date(d)) }
                            td { @if rules::is_open(d, row) { (ctx.t("cal.open"))
                                @if let Some(r) = row.and_then(|r| r.reason.as_deref()) { " · " (r) }
                                @if let Some(m) = row.and_then(|r| r.makeup_for) { " · " (makeup_text(ctx, m)) }
                            } @else { span.badge.off { (ctx.t("order.lock_closed")) } " " (row.and_then(|r| r.reason.as_deref()).unwrap_or("")) } }
                            td { (l.day) "/" (l.month) @if l.day == 1 || l.day == 15 { " " span.badge { (ctx.t("cal.veg_day")) } } }
                        }
                    }
                }
            }
            div.card {
                h2 { (ctx.t("cal.close_title")) }
                p.hint { (ctx.t("cal.close_help")) }
                (post_form(ctx, "/kitchen/calendar/close", html! {
                    (Input::text("from", ctx.t("absence.from"), typed(|f| &f.from)).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                    (Input::text("to", ctx.t("absence.to"), typed(|f| &f.to)).required().render(ctx, e))
                    (Input::text("reason", ctx.t("cal.reason"), typed(|f| &f.reason)).required().hint(ctx.t("cal.reason_hint")).render(ctx, e))
                    label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("cal.close_confirm")) }
                    @if let Some(k) = e.get("confirm") { span.error { (ctx.t(k)) } }
                    " " button.danger type="submit" { (ctx.t("cal.close")) }
                }))
            }
            div.card {
                h2 { (ctx.t("cal.open_title")) }
                (post_form(ctx, "/kitchen/calendar/open", html! {
                    (Input::text("day", ctx.t("week.day"), open_day).required().hint(ctx.t("cal.date_hint")).render(ctx, eo))
                    (Input::text("reason", ctx.t("cal.reason"), open_reason).hint(ctx.t("cal.open_hint")).scope("open").render(ctx, eo))
                    (Input::text("makeup_for", ctx.t("cal.makeup_for"), open_makeup).hint(ctx.t("cal.makeup_hint")).render(ctx, eo))
                    button type="submit" { (ctx.t("cal.open_day")) }
                }))
            }
        },
    )
}

/// "làm bù cho thứ Sáu 04/12".
pub fn makeup_text(ctx: &Ctx, replaces: NaiveDate) -> String {
    ctx.tf(
        "cal.makeup_text",
        format!("{} {}", ctx.t(weekday_key(replaces)), date(replaces)),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseForm {
    from: String,
    to: String,
    reason: String,
    confirm: Option<String>,
}

/// Closes one or several days (holiday, Tết): their meals are cancelled and staff are told.
/// A refused form comes back with the input kept and the message beside its field (422).
pub async fn close_days(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let checked = rules::check_closing(
        &f.from,
        &f.to,
        &f.reason,
        f.confirm.as_deref() == Some("yes"),
    );
    let mut errors = FieldErrors::default();
    if let Ok((from, to)) = checked {
        let actor = Actor::user(user.user_id, &user.username);
        let now = state.clock.now_naive();
        let reason = f.reason.trim().to_string();
        let r = state
            .db
            .write(move |c| store::close_days(c, from, to, &reason, &actor, now))
            .await;
        match r {
            Ok(_) => {
                let month = from.format("%Y-%m").to_string();
                return Ok(see_other(
                    &format!("/kitchen/calendar?month={month}"),
                    Some("flash.days_closed"),
                ));
            }
            Err(AppError::BadRequest(k)) => errors.add("from", k),
            Err(e) => return Err(e),
        }
    } else if let Err(problems) = checked {
        for (field, key) in problems {
            errors.add(field, key);
        }
    }
    let today = state.clock.today();
    let first = business_date(&f.from)
        .unwrap_or(today)
        .with_day(1)
        .unwrap_or(today);
    let page = month_page(&state, &ctx, first, Some(Refused::Close(&f, &errors))).await?;
    Ok(html_invalid(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenForm {
    day: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    makeup_for: String,
}

/// Opens a day (a make-up Saturday, or a closed day reopened). A refused form comes back with
/// the input kept and the message beside its field (422).
pub async fn open_day(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<OpenForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    match rules::check_opening(&f.day, &f.reason, &f.makeup_for) {
        Ok(opening) => {
            let day = opening.day;
            let (actor, now) = (Actor::user(user.user_id, &user.username), state.clock.now());
            let saved = state
                .db
                .write(move |c| store::open_day(c, &opening, &actor, now))
                .await;
            match saved {
                Ok(_) => {
                    let month = day.format("%Y-%m");
                    return Ok(see_other(
                        &format!("/kitchen/calendar?month={month}"),
                        Some("flash.saved"),
                    ));
                }
                Err(AppError::BadRequest(k)) => errors.add("day", k),
                Err(e) => return Err(e),
            }
        }
        Err(problems) => problems
            .into_iter()
            .for_each(|(field, k)| errors.add(field, k)),
    }
    let today = state.clock.today();
    let first = business_date(&f.day)
        .unwrap_or(today)
        .with_day(1)
        .unwrap_or(today);
    let page = month_page(&state, &ctx, first, Some(Refused::Open(&f, &errors))).await?;
    Ok(html_invalid(page))
}
