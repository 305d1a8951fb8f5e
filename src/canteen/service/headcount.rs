//! Kitchen: the headcount of a day (by option, vegetarian, guests, unit; final after the
//! cut-off) with an A4 print list, CSV and XLSX. Never shows anything about subsidies.

use crate::canteen::rules::{self};
use crate::canteen::service::{self};
use crate::canteen::store;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::export;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{FieldErrors, Input};
use crate::ui::{layout, Ctx};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

fn day_of(q: &DayQuery, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match q.date.as_deref() {
        None | Some("") => Ok(today),
        Some(s) => business_date(s).ok_or(AppError::BadRequest("order.err_bad_date")),
    }
}

/// The headcount of a day: per option (meals, guests), vegetarian, by unit, and every line.
pub struct Headcount {
    pub day: NaiveDate,
    pub options: Vec<(store::MealOption, i64, i64)>,
    pub lines: Vec<service::HeadLine>,
    pub final_: bool,
    /// The day is closed: the reason (empty when none was given).
    pub closed: Option<String>,
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
            let row = store::day_rows(c, day, day)?.remove(&day);
            let closed = (!rules::is_open(day, row.as_ref()))
                .then(|| row.and_then(|r| r.reason).unwrap_or_default());
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
                closed,
            })
        })
        .await
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let day = day_of(&q, today)?;
    let h = headcount_of(&state, day).await?;
    let now = state.clock.now_naive();
    // The food-safety state of the day (before service): what is missing, samples due for
    // discarding, certificates running out.
    let (fs_day, fs_due, fs_certs) = state
        .db
        .read(move |c| {
            let due = crate::foodsafety::store::kept_samples(c)?
                .iter()
                .filter(|k| k.due_at <= now && k.held_by.is_none())
                .count();
            Ok((
                crate::foodsafety::store::day_records(c, day)?,
                due,
                crate::foodsafety::day::cert_warnings(c, today)?,
            ))
        })
        .await?;
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
            @if let Some(r) = &h.closed { p.notice role="status" { (ctx.tf("head.closed", r)) } }
            (crate::foodsafety::day::home_panel(&ctx, &fs_day, fs_due, &fs_certs))
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

pub async fn print(
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
            p { (ctx.t("head.total")) ": " (h.meals()) " " (ctx.t("head.portions")) " + " (h.guests()) " " (ctx.t("head.guests_lower")) }
            table.print-list {
                thead { tr { th { "#" } th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("menu.option")) } th.num { (ctx.t("week.guests")) } th { (ctx.t("head.tick")) } } }
                tbody {
                    @for (i, l) in h.lines.iter().enumerate() {
                        @if starts_unit[i] {
                            tr.unit { th colspan="6" { (l.unit.as_deref().unwrap_or("—")) } }
                        }
                        tr { td.num { (i + 1) } td { (l.employee_code) } td { (l.full_name) } td { (line_option(&ctx, &h, l)) } td.num { @if l.guests > 0 { (l.guests) } } td.tick { "☐" } }
                    }
                }
            }
        },
    ))
}

/// What a line's option cell says: the person's meal, or (a host who does not eat) that only
/// their guests eat, and which option.
fn line_option(ctx: &Ctx, h: &Headcount, l: &service::HeadLine) -> String {
    if l.status == "guests_only" {
        ctx.tf("head.guests_only", h.option_name(l.option_id))
    } else {
        h.option_name(l.option_id).to_string()
    }
}

fn head_rows(ctx: &Ctx, h: &Headcount) -> Vec<[String; 5]> {
    h.lines
        .iter()
        .map(|l| {
            [
                l.unit.clone().unwrap_or_default(),
                l.employee_code.clone(),
                l.full_name.clone(),
                line_option(ctx, h, l),
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

/// What the cooks need first: each option's meals and guests ("Suất thường: 104 + 3 khách"),
/// or that the day is closed.
fn head_summary(ctx: &Ctx, h: &Headcount) -> Vec<Vec<String>> {
    if let Some(r) = &h.closed {
        return vec![vec![ctx.tf("head.closed", r)]];
    }
    h.options
        .iter()
        .map(|(o, m, g)| vec![o.name.clone(), m.to_string(), ctx.tf("head.plus_guests", g)])
        .collect()
}

/// The headcount list as a download table.
fn head_table<'a>(
    ctx: &Ctx,
    day: chrono::NaiveDate,
    h: &Headcount,
    header: &'a [&'a str],
) -> export::Table<'a> {
    export::Table {
        title: ctx.tf("head.list_for", date(day)),
        summary: head_summary(ctx, h),
        header,
        rows: head_rows(ctx, h).into_iter().map(Vec::from).collect(),
        numbers_from: 3,
        widths: &[(0, 36.0), (2, 28.0), (3, 18.0)],
        money: &[],
    }
}

pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, AppError> {
    file(state, ctx, q, export::Format::Csv).await
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, AppError> {
    file(state, ctx, q, export::Format::Xlsx).await
}

/// The day's list as a file, starting with the per-option summary.
async fn file(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let day = day_of(&q, state.clock.today())?;
    let h = headcount_of(&state, day).await?;
    let header = head_header(&ctx);
    let table = head_table(&ctx, day, &h, &header);
    export::download(
        &table,
        format,
        &format!("suat-an-{}", day.format("%Y-%m-%d")),
    )
}
