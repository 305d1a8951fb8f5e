//! Kitchen service: headcount (with print, CSV and XLSX), the serving counter, orders on
//! behalf of people without accounts, and canteen settings. The counter and the headcount
//! never show prices or anything about subsidies.

use super::ordering::{Who, SRC_KITCHEN};
use super::rules::{self, Settings};
use super::service::{self, Serve};
use super::store;
use super::week;
use crate::audit::{self, Actor, Entry};
use crate::auth::middleware::see_other;
use crate::clock::local_datetime;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{csv_safe, date, parse_date};
use crate::ui::forms::{confirm_form, post_form, q, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveTime};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

fn day_of(q: &DayQuery, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match q.date.as_deref() {
        None | Some("") => Ok(today),
        Some(s) => parse_date(s).ok_or(AppError::BadRequest("order.err_bad_date")),
    }
}

/// The headcount of a day: per option (meals, guests), vegetarian, by unit, and every line.
pub struct Headcount {
    pub day: NaiveDate,
    pub options: Vec<(store::MealOption, i64, i64)>,
    pub lines: Vec<service::HeadLine>,
    pub final_: bool,
}

impl Headcount {
    pub fn meals(&self) -> i64 {
        self.options.iter().map(|o| o.1).sum()
    }
    pub fn guests(&self) -> i64 {
        self.options.iter().map(|o| o.2).sum()
    }
    pub fn vegetarian(&self) -> i64 {
        self.options
            .iter()
            .filter(|o| o.0.vegetarian)
            .map(|o| o.1 + o.2)
            .sum()
    }
    pub fn by_unit(&self) -> Vec<(String, i64, i64)> {
        let mut v: Vec<(String, i64, i64)> = Vec::new();
        for l in &self.lines {
            let u = l.unit.clone().unwrap_or_default();
            let meal = i64::from(l.status != "guests_only");
            match v.iter_mut().find(|x| x.0 == u) {
                Some(x) => {
                    x.1 += meal;
                    x.2 += l.guests as i64;
                }
                None => v.push((u, meal, l.guests as i64)),
            }
        }
        v
    }
    fn option_name(&self, id: i32) -> &str {
        self.options
            .iter()
            .find(|o| o.0.id == id)
            .map(|o| o.0.name.as_str())
            .unwrap_or("")
    }
}

async fn headcount_of(state: &AppState, day: NaiveDate) -> Result<Headcount, AppError> {
    let now = state.clock.now();
    state
        .db
        .read(move |c| {
            let s = store::load_settings(c)?;
            let opts = store::options_between(c, day, day)?;
            let lines = service::head_lines(c, day)?;
            let guests = service::guests_by_option(c, day)?;
            let options = opts
                .into_iter()
                .map(|o| {
                    let meals = lines
                        .iter()
                        .filter(|l| l.option_id == o.id && l.status != "guests_only")
                        .count() as i64;
                    let g = guests
                        .iter()
                        .find(|g| g.0 == o.id)
                        .map(|g| g.1)
                        .unwrap_or(0);
                    (o, meals, g)
                })
                .collect();
            Ok(Headcount {
                day,
                options,
                lines,
                final_: now >= rules::cutoff_instant(day, s.cutoff),
            })
        })
        .await
}

pub async fn headcount(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<Markup, AppError> {
    let day = day_of(&q, state.clock.today())?;
    let h = headcount_of(&state, day).await?;
    let d = day.format("%Y-%m-%d").to_string();
    Ok(layout::page(
        &ctx,
        ctx.t("head.title"),
        html! {
            (layout::title_bar(&ctx.tf("head.title_for", date(day)), html! {
                a.button.secondary href=(format!("/kitchen/headcount/print?date={d}")) { (ctx.t("head.print")) }
                a.button.secondary href=(format!("/kitchen/headcount.xlsx?date={d}")) { "XLSX" }
                a.button.secondary href=(format!("/kitchen/headcount.csv?date={d}")) { "CSV" }
            }))
            form.filters method="get" action="/kitchen/headcount" {
                (Input::text("date", ctx.t("week.day"), &date(day)).render(&ctx, &FieldErrors::default()))
                button type="submit" { (ctx.t("common.filter")) }
            }
            p { @if h.final_ { span.badge { (ctx.t("head.final")) } } @else { span.badge.off { (ctx.t("head.provisional")) } } }
            table {
                thead { tr { th { (ctx.t("menu.option")) } th.num { (ctx.t("head.meals")) } th.num { (ctx.t("week.guests")) } th.num { (ctx.t("head.total")) } } }
                tbody {
                    @for (o, m, g) in &h.options { tr { td { (o.name) @if o.vegetarian { " " span.badge { (ctx.t("menu.vegetarian")) } } } td.num { (m) } td.num { (g) } td.num { (m + g) } } }
                }
                tfoot { tr { th { (ctx.t("head.total")) } th.num { (h.meals()) } th.num { (h.guests()) } th.num #total { (h.meals() + h.guests()) } } }
            }
            p { (ctx.t("head.vegetarian")) ": " strong #vegetarian { (h.vegetarian()) } }
            h2 { (ctx.t("head.by_unit")) }
            table {
                thead { tr { th { (ctx.t("people.unit")) } th.num { (ctx.t("head.meals")) } th.num { (ctx.t("week.guests")) } } }
                tbody { @for (u, m, g) in h.by_unit() { tr { td { (u) } td.num { (m) } td.num { (g) } } } }
            }
        },
    ))
}

pub async fn headcount_print(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<Markup, AppError> {
    let day = day_of(&q, state.clock.today())?;
    let h = headcount_of(&state, day).await?;
    let starts_unit: Vec<bool> = h
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| i == 0 || h.lines[i - 1].unit != l.unit)
        .collect();
    Ok(layout::page(
        &ctx,
        ctx.t("head.list"),
        html! {
            h1 { (ctx.tf("head.list_for", date(day))) }
            p { (ctx.t("head.total")) ": " (h.meals()) " + " (h.guests()) " " (ctx.t("week.guests")) }
            table.print-list {
                thead { tr { th { "#" } th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("menu.option")) } th.num { (ctx.t("week.guests")) } th { (ctx.t("head.tick")) } } }
                tbody {
                    @for (i, l) in h.lines.iter().enumerate() {
                        @if starts_unit[i] {
                            tr.unit { th colspan="6" { (l.unit.as_deref().unwrap_or("—")) } }
                        }
                        tr { td.num { (i + 1) } td { (l.employee_code) } td { (l.full_name) } td { (h.option_name(l.option_id)) } td.num { @if l.guests > 0 { (l.guests) } } td.tick { "☐" } }
                    }
                }
            }
        },
    ))
}

fn head_rows(ctx: &Ctx, h: &Headcount) -> Vec<[String; 5]> {
    h.lines
        .iter()
        .map(|l| {
            [
                l.unit.clone().unwrap_or_default(),
                l.employee_code.clone(),
                l.full_name.clone(),
                h.option_name(l.option_id).to_string(),
                if l.guests > 0 {
                    l.guests.to_string()
                } else {
                    String::new()
                },
            ]
        })
        .chain(std::iter::once([
            ctx.t("head.total").to_string(),
            String::new(),
            String::new(),
            h.meals().to_string(),
            h.guests().to_string(),
        ]))
        .collect()
}

fn head_header(ctx: &Ctx) -> [&'static str; 5] {
    [
        ctx.t("people.unit"),
        ctx.t("people.code"),
        ctx.t("people.name"),
        ctx.t("menu.option"),
        ctx.t("week.guests"),
    ]
}

pub async fn headcount_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, AppError> {
    let day = day_of(&q, state.clock.today())?;
    let h = headcount_of(&state, day).await?;
    let mut w = csv::WriterBuilder::new().from_writer(Vec::from("\u{feff}".as_bytes()));
    let e = |e: csv::Error| AppError::internal(e.to_string());
    w.write_record(head_header(&ctx)).map_err(e)?;
    for r in head_rows(&ctx, &h) {
        w.write_record(r.iter().map(|v| csv_safe(v))).map_err(e)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"suat-an-{}.csv\"",
                day.format("%Y-%m-%d")
            ),
        ))
        .body(body))
}

pub async fn headcount_xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, AppError> {
    let day = day_of(&q, state.clock.today())?;
    let h = headcount_of(&state, day).await?;
    let err = |e: rust_xlsxwriter::XlsxError| AppError::internal(e.to_string());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    ws.write_string_with_format(0, 0, ctx.tf("head.list_for", date(day)), &bold)
        .map_err(err)?;
    for (c, t) in head_header(&ctx).iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *t, &bold)
            .map_err(err)?;
    }
    for (r, row) in head_rows(&ctx, &h).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if c >= 3 => ws.write_number(3 + r as u32, c as u16, n).map_err(err)?,
                _ => ws
                    .write_string(3 + r as u32, c as u16, csv_safe(v))
                    .map_err(err)?,
            };
        }
    }
    ws.set_column_width(0, 36).map_err(err)?;
    ws.set_column_width(2, 28).map_err(err)?;
    ws.set_column_width(3, 18).map_err(err)?;
    let bytes = wb.save_to_buffer().map_err(err)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"suat-an-{}.xlsx\"",
                day.format("%Y-%m-%d")
            ),
        ))
        .body(bytes))
}

// ---- the serving counter ----

#[derive(Deserialize)]
pub struct CounterQuery {
    r: Option<String>,
    p: Option<i32>,
}

pub async fn counter(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<CounterQuery>,
) -> Result<Markup, AppError> {
    let day = state.clock.today();
    let person = q.p;
    let (card, settings, options, closed) = state
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
            ))
        })
        .await?;
    let r = q.r.as_deref().unwrap_or("");
    let now = state.clock.now_naive();
    Ok(layout::page(
        &ctx,
        ctx.t("counter.title"),
        html! {
            h1 { (ctx.tf("counter.title_for", date(day))) }
            (post_form(&ctx, "/kitchen/counter", html! {
                div.field.scan {
                    label for="f-code" { (ctx.t("counter.scan")) }
                    input #f-code name="code" type="text" autofocus autocomplete="off" required;
                }
                button type="submit" { (ctx.t("counter.check")) }
            }))
            @match (r, &card) {
                ("unknown", _) => { div.result.bad role="alert" { p.big { (ctx.t("counter.unknown")) } } }
                (outcome, Some(card)) => {
                    div.result.ok[outcome == "served"].bad[outcome != "served"] role="status" {
                        p.big { (card.full_name) " · " (card.employee_code) }
                        p { (card.unit.as_deref().unwrap_or("")) }
                        @match outcome {
                            "served" => { p.big { "✓ " (ctx.t("counter.served")) ": " (card.option_name.as_deref().unwrap_or("")) } }
                            "already" => { p.big { (ctx.tf("counter.already", card.order.as_ref().and_then(|o| o.served_at).map(local_datetime).unwrap_or_default())) } }
                            "undone" => { p.big { (ctx.t("counter.undone")) } }
                            _ => { p.big { (ctx.t("counter.no_meal")) } }
                        }
                        @if card.guests > 0 { p { (ctx.tf("counter.guests", card.guests)) } }
                        @if let Some(o) = card.order.as_ref().filter(|o| o.status == "served" && o.served_at.is_some_and(|t| rules::can_undo(t, now))) {
                            (post_form(&ctx, "/kitchen/counter/undo", html! { input type="hidden" name="order" value=(o.id); button.secondary type="submit" { (ctx.t("counter.undo")) } }))
                        }
                        @if outcome == "none" && settings.allow_walk_in && !options.is_empty() {
                            (post_form(&ctx, "/kitchen/counter/walk-in", html! {
                                input type="hidden" name="person" value=(card.person_id);
                                @for o in &options { button type="submit" name="option" value=(o.id) { (ctx.t("counter.walk_in")) ": " (o.name) } " " }
                            }))
                        }
                    }
                }
                _ => {}
            }
            div.card.no-print {
                @if let Some(t) = closed { p { (ctx.tf("counter.closed_at", local_datetime(t))) } }
                (confirm_form(&ctx, "/kitchen/counter/close", ctx.t("counter.close_confirm"), ctx.t("counter.close")))
            }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanForm {
    code: String,
}

pub async fn scan(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ScanForm>,
) -> Result<HttpResponse, AppError> {
    let day = state.clock.today();
    let now = state.clock.now_naive();
    let by = user.user_id;
    let to = state
        .db
        .write(move |c| {
            let Some(person) = service::person_for_code(c, &f.code)? else {
                return Ok("/kitchen/counter?r=unknown".to_string());
            };
            let r = match service::serve(c, person, day, by, now)? {
                Serve::Served(_) => "served",
                Serve::Already(..) => "already",
                Serve::NoMeal => "none",
            };
            Ok(format!("/kitchen/counter?r={r}&p={person}"))
        })
        .await?;
    Ok(see_other(&to, None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndoForm {
    order: i32,
}

pub async fn undo(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<UndoForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let person = state
        .db
        .write(move |c| {
            let o = super::ordering::order(c, f.order)?.ok_or(AppError::NotFound)?;
            if !service::undo_serve(c, f.order, now)? {
                return Err(AppError::BadRequest("counter.err_undo_late"));
            }
            audit::record(c, &actor, now, Entry::new("serve.undo", "order").id(o.id))?;
            Ok(o.person_id)
        })
        .await?;
    Ok(see_other(
        &format!("/kitchen/counter?r=undone&p={person}"),
        None,
    ))
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
    let by = user.user_id;
    state
        .db
        .write(move |c| {
            if !store::load_settings(c)?.allow_walk_in {
                return Err(AppError::BadRequest("counter.err_no_walk_in"));
            }
            let opt = store::option(c, f.option)?
                .filter(|o| o.service_date == day)
                .ok_or(AppError::BadRequest("order.err_unknown_option"))?;
            crate::people::store::person(c, f.person)?.ok_or(AppError::NotFound)?;
            let id = service::walk_in(c, f.person, &opt, by, now)?.map_err(AppError::BadRequest)?;
            audit::record(
                c,
                &actor,
                now,
                Entry::new("serve.walk_in", "order").id(id).after(
                    json!({"person_id": f.person, "option_id": opt.id, "price_vnd": opt.price_vnd}),
                ),
            )
        })
        .await?;
    Ok(see_other(
        &format!("/kitchen/counter?r=served&p={}", f.person),
        None,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

pub async fn close_service(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let day = state.clock.today();
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    state
        .db
        .write(move |c| {
            let n = service::close_service(c, day, now)?;
            audit::record(
                c,
                &actor,
                now,
                Entry::new("service.close", "service_day")
                    .after(json!({"day": day, "no_shows": n})),
            )
        })
        .await?;
    Ok(see_other("/kitchen/counter", Some("flash.service_closed")))
}

// ---- orders on behalf ----

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn on_behalf(
    state: web::Data<AppState>,
    ctx: Ctx,
    sq: web::Query<SearchQuery>,
) -> Result<Markup, AppError> {
    let text = sq.q.clone().unwrap_or_default();
    let t2 = text.clone();
    let rows = if text.trim().is_empty() {
        Vec::new()
    } else {
        let filter = crate::people::store::PersonFilter {
            q: t2,
            unit_id: None,
            status: Some(crate::people::rules::Status::Working),
        };
        state
            .db
            .read(move |c| crate::people::store::search(c, &filter, 0, 30))
            .await?
            .0
    };
    Ok(layout::page(
        &ctx,
        ctx.t("behalf.title"),
        html! {
            h1 { (ctx.t("behalf.title")) }
            p { (ctx.t("behalf.help")) }
            form.filters method="get" action="/kitchen/on-behalf" role="search" {
                (Input::text("q", ctx.t("people.search"), &text).kind("search").render(&ctx, &FieldErrors::default()))
                button type="submit" { (ctx.t("common.filter")) }
            }
            ul { @for r in &rows { li { a href=(format!("/kitchen/on-behalf/{}?q={}", r.person.id, q(&text))) { (r.person.full_name) } " · " (r.person.employee_code) " · " (r.unit_name.as_deref().unwrap_or("")) } } }
        },
    ))
}

pub async fn behalf_week(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let person = id.into_inner();
    let now = state.clock.now();
    let (p, days) = state
        .db
        .read(move |c| {
            let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
            let s = store::load_settings(c)?;
            Ok((p, week::load(c, person, now, &s)?))
        })
        .await?;
    Ok(behalf_page(&ctx, &p, &days, &[]))
}

fn behalf_page(
    ctx: &Ctx,
    p: &crate::people::store::Person,
    days: &[week::DayView],
    errors: &[(NaiveDate, &'static str)],
) -> Markup {
    layout::page(
        ctx,
        ctx.t("behalf.title"),
        html! {
            h1 { (ctx.t("behalf.title")) ": " (p.full_name) " · " (p.employee_code) }
            @if !errors.is_empty() { p.alert role="alert" { (ctx.t("week.not_saved")) } }
            (week::grid(ctx, &format!("/kitchen/on-behalf/{}", p.id), days, errors, true))
            p { a href="/kitchen/on-behalf" { (ctx.t("common.back")) } }
        },
    )
}

pub async fn behalf_save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let person = id.into_inner();
    let now = state.clock.now();
    let actor = Actor::user(user.user_id, &user.username);
    let who = Who {
        person_id: person,
        by_user: Some(user.user_id),
        source: SRC_KITCHEN,
    };
    let outcome = state
        .db
        .write(move |c| {
            let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
            let s = store::load_settings(c)?;
            match week::submit(c, &who, &pairs, now, &s)? {
                Ok(n) => {
                    audit::record(
                        c,
                        &actor,
                        crate::clock::truncate_micros(now.naive_utc()),
                        Entry::new("orders.on_behalf", "person")
                            .id(person)
                            .after(json!({"days_changed": n})),
                    )?;
                    Ok(Ok(()))
                }
                Err(errors) => Ok(Err((p, week::load(c, person, now, &s)?, errors))),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(
            &format!("/kitchen/on-behalf/{person}"),
            Some("flash.week_saved"),
        )),
        Err((p, days, errors)) => Ok(html_invalid(behalf_page(&ctx, &p, &days, &errors))),
    }
}

// ---- settings ----

pub async fn settings_form(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let s = state.db.read(store::load_settings).await?;
    Ok(settings_page(
        &ctx,
        &s.cutoff.format("%H:%M").to_string(),
        &s.horizon_days.to_string(),
        s.allow_walk_in,
        &FieldErrors::default(),
    ))
}

fn settings_page(ctx: &Ctx, cutoff: &str, horizon: &str, walk_in: bool, e: &FieldErrors) -> Markup {
    layout::page(
        ctx,
        ctx.t("settings.title"),
        html! {
            h1 { (ctx.t("settings.title")) }
            div.card {
                (post_form(ctx, "/kitchen/settings", html! {
                    (Input::text("cutoff", ctx.t("settings.cutoff"), cutoff).required().hint(ctx.t("settings.cutoff_hint")).render(ctx, e))
                    (Input::text("horizon", ctx.t("settings.horizon"), horizon).kind("number").required().render(ctx, e))
                    div.field { label { input type="checkbox" name="walk_in" value="yes" checked[walk_in]; " " (ctx.t("settings.walk_in")) } }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    cutoff: String,
    horizon: String,
    walk_in: Option<String>,
}

pub async fn settings_save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let cutoff = NaiveTime::parse_from_str(f.cutoff.trim(), "%H:%M").ok();
    if cutoff.is_none() {
        e.add("cutoff", "settings.err_cutoff");
    }
    let horizon = f
        .horizon
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (1..=60).contains(h));
    if horizon.is_none() {
        e.add("horizon", "settings.err_horizon");
    }
    let (Some(cutoff), Some(horizon_days)) = (cutoff, horizon) else {
        return Ok(html_invalid(settings_page(
            &ctx,
            &f.cutoff,
            &f.horizon,
            f.walk_in.is_some(),
            &e,
        )));
    };
    let s = Settings {
        cutoff,
        horizon_days,
        allow_walk_in: f.walk_in.as_deref() == Some("yes"),
    };
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| {
            let before = store::load_settings(c)?;
            store::save_settings(c, &s)?;
            audit::record(c, &actor, now, Entry::new("canteen_settings.update", "settings")
                .before(json!({"cutoff": before.cutoff.format("%H:%M").to_string(), "horizon_days": before.horizon_days, "allow_walk_in": before.allow_walk_in}))
                .after(json!({"cutoff": s.cutoff.format("%H:%M").to_string(), "horizon_days": s.horizon_days, "allow_walk_in": s.allow_walk_in})))
        })
        .await?;
    Ok(see_other("/kitchen/settings", Some("flash.saved")))
}
