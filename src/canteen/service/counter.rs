//! The serving counter: scan or type a code, serve, refuse a second scan, undo within 10
//! minutes, walk-ins at full price, close service. Never shows prices or subsidies.

use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::canteen::commands;
use crate::canteen::ordering;
use crate::canteen::rules::{self};
use crate::canteen::service::{self, Serve};
use crate::canteen::store;
use crate::clock::local_datetime;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::{confirm_form, post_form, Form, ScannedForm};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CounterQuery {
    r: Option<String>,
    p: Option<i32>,
    /// Why the last action was refused (`r=refused`): one of the counter's own refusals.
    m: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<CounterQuery>,
) -> Result<Markup, AppError> {
    render(&state, &ctx, &q, None).await
}

/// A close of service that was refused: why, and the reason as it was typed.
struct CloseRefusal {
    key: &'static str,
    reason: String,
}

/// The counter as it stands, after the action `q` names (or with a refused close).
async fn render(
    state: &AppState,
    ctx: &Ctx,
    q: &CounterQuery,
    close: Option<CloseRefusal>,
) -> Result<Markup, AppError> {
    let day = state.clock.today();
    let person = q.p;
    let (card, settings, options, closed, tally, uncleared) = state
        .db
        .read(move |c| {
            let card = match person {
                Some(p) => service::counter_card(c, p, day)?,
                None => None,
            };
            Ok((
                card,
                store::load_settings(c)?,
                store::options_between(c, day, day)?,
                store::service_closed_at(c, day)?,
                service::tally(c, day)?,
                crate::foodsafety::store::not_cleared(c, day)?,
            ))
        })
        .await?;
    // The query only says what the last action was; what is shown follows the meal's real
    // state (a reloaded or hand-made link never shows "served" for someone who was not).
    let now = state.clock.now_naive();
    let meal_state = card.as_ref().map_or(rules::CounterState::Nothing, |c| {
        rules::counter_state(
            c.walk_in.is_some(),
            c.order.as_ref().map(|o| o.status.as_str()),
        )
    });
    // A refusal is shown only while it still holds (a hand-made or old link says nothing).
    let refusal =
        q.m.as_deref()
            .and_then(rules::counter_refusal)
            .filter(|key| {
                card.as_ref().is_some_and(|c| {
                    let has_meal = c.walk_in.is_some()
                        || c.order
                            .as_ref()
                            .is_some_and(|o| o.status != ordering::CANCELLED);
                    let undo_too_late = c
                        .walk_in
                        .as_ref()
                        .is_some_and(|w| !rules::can_undo(w.0.served_at, now))
                        || c.order.as_ref().is_some_and(|o| {
                            o.status == ordering::SERVED
                                && o.served_at.is_some_and(|t| !rules::can_undo(t, now))
                        });
                    rules::counter_refusal_holds(
                        key,
                        has_meal,
                        settings.allow_walk_in,
                        undo_too_late,
                        c.gone,
                    )
                })
            });
    let r = match (q.r.as_deref().unwrap_or(""), refusal) {
        ("refused", Some(_)) => "refused",
        (asked, _) => rules::counter_outcome(asked, meal_state),
    };
    let view = CounterView {
        day,
        now,
        outcome: r,
        refusal,
        card: card.as_ref(),
        allow_walk_in: settings.allow_walk_in,
        options: &options,
        closed,
        tally: &tally,
        uncleared: &uncleared,
        close: close.as_ref(),
    };
    Ok(counter_page(ctx, &view))
}

/// What the counter page shows.
struct CounterView<'a> {
    day: chrono::NaiveDate,
    now: chrono::NaiveDateTime,
    outcome: &'a str,
    /// The refusal shown when `outcome` is "refused".
    refusal: Option<&'static str>,
    card: Option<&'a service::CounterCard>,
    allow_walk_in: bool,
    options: &'a [store::MealOption],
    closed: Option<chrono::NaiveDateTime>,
    tally: &'a [service::Tally],
    /// Dishes of the day without a passing before-serving check.
    uncleared: &'a [String],
    /// A close of service just refused, shown beside its form.
    close: Option<&'a CloseRefusal>,
}

fn counter_page(ctx: &Ctx, v: &CounterView<'_>) -> Markup {
    let CounterView {
        day,
        now,
        outcome: r,
        refusal,
        card,
        allow_walk_in,
        options,
        closed,
        tally,
        uncleared,
        close,
    } = *v;
    layout::page(
        ctx,
        ctx.t("counter.title"),
        html! {
            h1 { (ctx.tf("counter.title_for", date(day))) }
            @if !uncleared.is_empty() {
                div.banner-danger role="alert" {
                    p.big { (ctx.t("counter.not_cleared")) }
                    p { (uncleared.join(", ")) }
                    p { a href="/kitchen/food-safety" { (ctx.t("fs.open_records")) } }
                }
            }
            (post_form(ctx, "/kitchen/counter", html! {
                div.field.scan {
                    label for="f-code" { (ctx.t("counter.scan")) }
                    input #f-code name="code" type="text" autofocus autocomplete="off" required;
                }
                button type="submit" { (ctx.t("counter.check")) }
            }))
            @match (r, card) {
                ("unknown", _) => { div.result.bad role="alert" { p.big { (ctx.t("counter.unknown")) } } }
                (outcome, Some(card)) => {
                    div.result.ok[outcome == "served"].bad[!matches!(outcome, "served" | "undone" | "gone")] role="status" {
                        p.big { (card.full_name) " · " (card.employee_code) }
                        p { (card.unit.as_deref().unwrap_or("")) }
                        @match outcome {
                            "served" => { p.big { "✓ " (ctx.t("counter.served")) ": " (card.walk_in.as_ref().map(|w| w.1.as_str()).or(card.option_name.as_deref()).unwrap_or("")) } }
                            "already" => { p.big { (ctx.tf("counter.already", card.walk_in.as_ref().map(|w| w.0.served_at).or(card.order.as_ref().and_then(|o| o.served_at)).map(local_datetime).unwrap_or_default())) } }
                            "undone" => { p.big { (ctx.t("counter.undone")) } }
                            "gone" => { p.big { (ctx.t("counter.nothing_to_undo")) } }
                            "waiting" => {
                                p.big { (ctx.tf("counter.waiting", card.option_name.as_deref().unwrap_or(""))) }
                                (post_form(ctx, "/kitchen/counter", html! {
                                    input type="hidden" name="code" value=(card.employee_code);
                                    button type="submit" { (ctx.t("counter.serve")) }
                                }))
                            }
                            "refused" => { p.big role="alert" { (ctx.t(refusal.unwrap_or("counter.no_meal"))) } }
                            "no_show" => {
                                p.big { (ctx.t("counter.was_no_show")) }
                                (post_form(ctx, "/kitchen/counter", html! {
                                    input type="hidden" name="code" value=(card.employee_code);
                                    input type="hidden" name="late" value="yes";
                                    button type="submit" { (ctx.t("counter.serve_late")) }
                                }))
                            }
                            _ => { p.big { (ctx.t("counter.no_meal")) } }
                        }
                        @if card.gone && refusal != Some("counter.err_gone") { p.big role="alert" { (ctx.t("counter.err_gone")) } }
                        @if card.guests > 0 { p { (ctx.tf("counter.guests", card.guests)) } }
                        @if let Some((o, t)) = card.order.as_ref().filter(|o| o.status == "served").and_then(|o| o.served_at.filter(|t| rules::can_undo(*t, now)).map(|t| (o, t))) {
                            (post_form(ctx, "/kitchen/counter/undo", html! {
                                input type="hidden" name="order" value=(o.id);
                                input type="hidden" name="served_at" value=(t.format(SERVE_AT));
                                button.secondary type="submit" { (ctx.t("counter.undo")) }
                            }))
                        }
                        @if let Some((w, _)) = card.walk_in.as_ref().filter(|w| rules::can_undo(w.0.served_at, now)) {
                            (post_form(ctx, "/kitchen/counter/undo", html! { input type="hidden" name="walk_in" value=(w.id); button.secondary type="submit" { (ctx.t("counter.undo")) } }))
                        }
                        @if outcome == "none" && card.walk_in.is_none() && !card.gone && allow_walk_in && !options.is_empty() {
                            (post_form(ctx, "/kitchen/counter/walk-in", html! {
                                input type="hidden" name="person" value=(card.person_id);
                                @for o in options { button type="submit" name="option" value=(o.id) { (ctx.t("counter.walk_in")) ": " (o.name) } " " }
                            }))
                        }
                    }
                }
                _ => {}
            }
            @if !tally.is_empty() {
                table.tally {
                    caption { (ctx.t("counter.tally")) }
                    thead { tr {
                        th { (ctx.t("menu.option")) }
                        th.num { (ctx.t("counter.expected")) }
                        th.num { (ctx.t("counter.served")) }
                        th.num { (ctx.t("counter.to_collect")) }
                        th.num { (ctx.t("counter.no_shows")) }
                        th.num { (ctx.t("week.guests")) }
                        th.num { (ctx.t("counter.walk_ins")) }
                    } }
                    tbody { @for t in tally {
                        tr {
                            td { (options.iter().find(|o| o.id == t.option_id).map(|o| o.name.as_str()).unwrap_or("")) }
                            td.num { (t.expected) } td.num { (t.served) } td.num { (t.to_collect()) }
                            td.num { (t.no_show) } td.num { (t.guests) } td.num { (t.walk_ins) }
                        }
                    } }
                }
            }
            @if options.is_empty() { p.hint { (ctx.t("counter.no_service")) } }
            // Nothing to close on a day without a menu (weekend, holiday): no empty card.
            @if closed.is_some() || !options.is_empty() {
                div.card.no-print {
                    @if let Some(t) = closed {
                        p { (ctx.tf("counter.closed_at", local_datetime(t))) " "
                            (ctx.tf("counter.closed_no_shows", tally.iter().map(|t| t.no_show).sum::<i64>())) }
                    }
                    @if let Some(refusal) = close {
                        p.error role="alert" { (ctx.t(refusal.key)) }
                    }
                    @if !options.is_empty() && uncleared.is_empty() {
                        (confirm_form(ctx, "/kitchen/counter/close", ctx.t("counter.close_confirm"), ctx.t("counter.close")))
                    }
                    @if !options.is_empty() && !uncleared.is_empty() {
                        (post_form(ctx, "/kitchen/counter/close", html! {
                            div.field {
                                label for="f-reason" { (ctx.t("counter.override_reason")) }
                                textarea #f-reason name="reason" rows="2" maxlength="500" required
                                    aria-invalid=[close.map(|_| "true")] {
                                    (close.map(|c| c.reason.as_str()).unwrap_or(""))
                                }
                                small.hint { (ctx.t("counter.override_hint")) }
                            }
                            label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("counter.close_confirm")) }
                            " " button.danger type="submit" { (ctx.t("counter.close")) }
                        }))
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanForm {
    code: String,
    /// The cook confirmed serving a meal recorded as not collected (arrived after close).
    #[serde(default)]
    late: Option<String>,
}

pub async fn scan(
    state: web::Data<AppState>,
    user: CurrentUser,
    ScannedForm(f): ScannedForm<ScanForm>,
) -> Result<HttpResponse, AppError> {
    let day = state.clock.today();
    let now = state.clock.now_naive();
    let by = user.user_id;
    let to = state
        .db
        .write(move |c| {
            let late = f.late.as_deref() == Some("yes");
            commands::scan(c, &f.code, day, by, late, now)
        })
        .await?;
    let to = match to {
        None => "/kitchen/counter?r=unknown".to_string(),
        Some((person, served)) => {
            let r = match served {
                Serve::Served(_) => "served",
                Serve::Already(..) => "already",
                Serve::NoMeal => "none",
                Serve::NoShow(_) => "no_show",
            };
            format!("/kitchen/counter?r={r}&p={person}")
        }
    };
    Ok(see_other(&to, None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndoForm {
    #[serde(default)]
    order: Option<i32>,
    /// The instant of the serve the undo button belongs to (`SERVE_AT`).
    #[serde(default)]
    served_at: Option<String>,
    /// Undo this walk-in (its id).
    #[serde(default)]
    walk_in: Option<i32>,
}

/// How the undo button names the serve it belongs to.
const SERVE_AT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

pub async fn undo(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<UndoForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let serve = match f.served_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(
            chrono::NaiveDateTime::parse_from_str(t, SERVE_AT)
                .map_err(|_| AppError::BadRequest("err.bad_form"))?,
        ),
    };
    // From an undo button: the serve (or walk-in) it named.
    let named = serve.is_some() || f.walk_in.is_some();
    let order = f.order.map(|id| (id, serve));
    let (person, done) = state
        .db
        .write(move |c| commands::undo(c, &actor, now, order, f.walk_in))
        .await?;
    let to = match done {
        service::Undo::Undone => format!("/kitchen/counter?r=undone&p={person}"),
        // The serve the button named is gone (a second click, another tab): it was undone.
        service::Undo::Nothing if named => format!("/kitchen/counter?r=undone&p={person}"),
        service::Undo::Nothing => format!("/kitchen/counter?r=gone&p={person}"),
        service::Undo::TooLate => refused(person, "counter.err_undo_late"),
    };
    Ok(see_other(&to, None))
}

/// The counter again, the person's card saying why the action was refused.
fn refused(person: i32, key: &str) -> String {
    format!("/kitchen/counter?r=refused&m={key}&p={person}")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkInForm {
    person: i32,
    option: i32,
}

pub async fn walk_in(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<WalkInForm>,
) -> Result<HttpResponse, AppError> {
    let day = state.clock.today();
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let to = match state
        .db
        .write(move |c| commands::walk_in(c, &actor, now, day, f.person, f.option))
        .await?
    {
        Ok(_) => format!("/kitchen/counter?r=served&p={}", f.person),
        Err(key) => refused(f.person, key),
    };
    Ok(see_other(&to, None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseForm {
    #[serde(default)]
    confirm: Option<String>,
    /// Why service closes while a dish lacks its before-serving check.
    #[serde(default)]
    reason: String,
}

/// Closes service. A refusal (box not ticked, a reason missing or too long where a dish lacks
/// its check) shows the counter again with the message beside the form and the reason as
/// typed (422); nothing is closed.
pub async fn close_service(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let refusal = if f.confirm.as_deref() != Some("yes") {
        CloseRefusal {
            key: "err.confirm_required",
            reason: f.reason,
        }
    } else {
        let day = state.clock.today();
        let now = state.clock.now_naive();
        let actor = Actor::user(user.user_id, &user.username);
        let reason = f.reason.clone();
        match state
            .db
            .write(move |c| commands::close_service(c, &actor, now, day, &f.reason))
            .await
        {
            Ok(_) => return Ok(see_other("/kitchen/counter", Some("flash.service_closed"))),
            Err(AppError::BadRequest(
                key @ ("counter.err_not_cleared"
                | "counter.err_reason_long"
                | "counter.err_before_cutoff"),
            )) => CloseRefusal { key, reason },
            Err(e) => return Err(e),
        }
    };
    let page = render(&state, &ctx, &CounterQuery::default(), Some(refusal)).await?;
    Ok(html_invalid(page))
}
