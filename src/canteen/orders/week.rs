//! The two-week ordering grid, shared by "My week" (staff) and "orders on behalf" (kitchen).

use crate::canteen::forms::{parse_week, WeekFormError};
use crate::canteen::ordering::{self, Order, Who, CANCELLED};
use crate::canteen::rules::{self, DayRow, Lock, Settings};
use crate::canteen::standing;
use crate::canteen::store::{self, MealOption};
use crate::clock::business_offset;
use crate::db::DbConn;
use crate::error::AppError;
use crate::ui::format::date;
use crate::ui::forms::post_form;
use crate::ui::Ctx;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use maud::{html, Markup};
use std::collections::HashMap;

pub struct DayView {
    pub day: NaiveDate,
    /// Places left per option that has a capacity.
    pub left: HashMap<i32, i64>,
    pub row: Option<DayRow>,
    pub options: Vec<MealOption>,
    pub order: Option<Order>,
    pub guests: i32,
    pub lock: Option<Lock>,
    pub cutoff: DateTime<Utc>,
}

impl DayView {
    pub fn meal(&self) -> Option<&Order> {
        self.order.as_ref().filter(|o| o.status != CANCELLED)
    }
    pub fn option_name(&self, id: i32) -> &str {
        self.options
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.as_str())
            .unwrap_or("")
    }
}

/// Monday of this week to Sunday of next week, weekdays and any opened weekend day.
pub fn load(
    conn: &mut DbConn,
    person: i32,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<Vec<DayView>, AppError> {
    let today = now.with_timezone(&business_offset()).date_naive();
    let from = rules::monday_of(today);
    let to = from + Duration::days(13);
    let rows = store::day_rows(conn, from, to)?;
    let options = store::options_between(conn, from, to)?;
    let orders = ordering::orders_of(conn, person, from, to)?;
    let guests = ordering::guests_of(conn, person, from, to)?;
    let limited: Vec<i32> = options
        .iter()
        .filter(|o| o.capacity.is_some())
        .map(|o| o.id)
        .collect();
    let used = ordering::used_by_option(conn, &limited)?;
    let left: HashMap<i32, i64> = options
        .iter()
        .filter_map(|o| {
            o.capacity.map(|c| {
                (
                    o.id,
                    (c as i64 - used.get(&o.id).copied().unwrap_or(0)).max(0),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for i in 0..14 {
        let day = from + Duration::days(i);
        let row = rows.get(&day).cloned();
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if weekend && !rules::is_open(day, row.as_ref()) {
            continue;
        }
        out.push(DayView {
            day,
            left: left
                .iter()
                .filter(|(id, _)| {
                    options
                        .iter()
                        .any(|o| o.id == **id && o.service_date == day)
                })
                .map(|(k, v)| (*k, *v))
                .collect(),
            lock: standing::lock_of(day, &rows, now, s),
            cutoff: rules::cutoff_instant(day, s.cutoff),
            options: options
                .iter()
                .filter(|o| o.service_date == day)
                .cloned()
                .collect(),
            order: orders.iter().find(|o| o.service_date == day).cloned(),
            guests: guests
                .iter()
                .find(|g| g.service_date == day && g.status != CANCELLED)
                .map(|g| g.guests)
                .unwrap_or(0),
            row,
        });
    }
    Ok(out)
}

/// Parses and applies a submitted week. Ok(Err(problems)) when nothing was written.
pub fn submit(
    conn: &mut DbConn,
    who: &Who,
    pairs: &[(String, String)],
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<Result<usize, ordering::DayProblems>, AppError> {
    let wishes = match parse_week(pairs) {
        Ok(w) => w,
        Err(WeekFormError::Malformed(k)) => return Err(AppError::BadRequest(k)),
        Err(WeekFormError::Guests(d)) => return Ok(Err(vec![(d, "order.err_guests")])),
    };
    ordering::apply_week(conn, who, &wishes, now, s)
}

pub fn weekday_key(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "day.mon",
        Weekday::Tue => "day.tue",
        Weekday::Wed => "day.wed",
        Weekday::Thu => "day.thu",
        Weekday::Fri => "day.fri",
        Weekday::Sat => "day.sat",
        Weekday::Sun => "day.sun",
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "served" => "order.status_served",
        "no_show" => "order.status_no_show",
        "cancelled" => "order.status_cancelled",
        _ => "order.status_ordered",
    }
}

/// The grid as one form; `errors` are shown beside their day.
pub fn grid(
    ctx: &Ctx,
    action: &str,
    days: &[DayView],
    errors: &[(NaiveDate, &'static str)],
    show_prices: bool,
) -> Markup {
    let weeks: Vec<&[DayView]> = {
        let split = days.iter().position(|d| {
            d.day.weekday() == Weekday::Mon && Some(d.day) != days.first().map(|f| f.day)
        });
        match split {
            Some(i) => vec![&days[..i], &days[i..]],
            None => vec![days],
        }
    };
    let elsewhere: Vec<&(NaiveDate, &'static str)> = errors
        .iter()
        .filter(|e| !days.iter().any(|d| d.day == e.0))
        .collect();
    post_form(
        ctx,
        action,
        html! {
            @if !elsewhere.is_empty() {
                ul.errors role="alert" { @for (day, k) in elsewhere { li.error { (date(*day)) ": " (ctx.t(k)) } } }
            }
            @for (wi, week) in weeks.iter().enumerate() {
                h2 { (if wi == 0 { ctx.t("week.this_week") } else { ctx.t("week.next_week") }) }
                table.week.responsive {
                    thead { tr { th { (ctx.t("week.day")) } th { (ctx.t("week.choice")) } th { (ctx.t("week.guests")) } th { (ctx.t("week.state")) } } }
                    tbody {
                        @for d in week.iter() {
                            @let key = d.day.format("%Y-%m-%d").to_string();
                            @let err = errors.iter().find(|e| e.0 == d.day).map(|e| e.1);
                            tr.bad[err.is_some()] id=(format!("d-{key}")) {
                                th scope="row" { (ctx.t(weekday_key(d.day))) br; (date(d.day)) }
                                td {
                                    @match &d.lock {
                                        None => {
                                            fieldset.choices {
                                                legend.sr { (ctx.t("week.choice")) " " (date(d.day)) }
                                                @for o in &d.options {
                                                    @let mine = d.meal().is_some_and(|m| m.option_id == o.id);
                                                    @let left = d.left.get(&o.id).copied();
                                                    label {
                                                        input type="radio" name=(format!("meal_{key}")) value=(o.id) checked[mine] disabled[left == Some(0) && !mine];
                                                        " " strong { (o.name) }
                                                        @if o.vegetarian { " " span.badge { (ctx.t("menu.vegetarian")) } }
                                                        @if show_prices { " · " (o.price_vnd) }
                                                        @if let Some(n) = left { " · " span.badge.off[n == 0] { (if n == 0 { ctx.t("week.full") } else { "" }) @if n > 0 { (ctx.tf("week.left", n)) } } }
                                                        @if !o.dishes.is_empty() { br; small.hint { (o.dishes) } }
                                                    }
                                                }
                                                label { input type="radio" name=(format!("meal_{key}")) value="none" checked[d.meal().is_none()]; " " (ctx.t("week.no_meal")) }
                                            }
                                        }
                                        Some(_) => {
                                            @if let Some(m) = d.meal() {
                                                strong { (d.option_name(m.option_id)) } " — " (ctx.t(status_key(&m.status)))
                                                @if show_prices { " · " (m.price_vnd) }
                                            } @else { span.hint { (ctx.t("week.no_meal")) } }
                                        }
                                    }
                                }
                                td {
                                    @if d.lock.is_none() && !d.options.is_empty() {
                                        label.sr.m-show for=(format!("g-{key}")) { (ctx.t("week.guests")) ": " }
                                        input.guests id=(format!("g-{key}")) type="number" min="0" max="20" inputmode="numeric" name=(format!("guests_{key}")) value=(if d.guests > 0 { d.guests.to_string() } else { String::new() });
                                    } @else if d.guests > 0 { (d.guests) }
                                }
                                td {
                                    @if let Some(k) = err { p.error role="alert" { (ctx.t(k)) } }
                                    @match &d.lock {
                                        None => { span.open { (ctx.tf("week.open_until", crate::clock::local_datetime(d.cutoff.naive_utc()))) } }
                                        Some(Lock::Closed(reason)) => { span.badge.off { (ctx.t("order.lock_closed")) } @if let Some(r) = reason { " " (r) } }
                                        Some(l) => { span.hint { (ctx.t(l.message_key())) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if days.iter().any(|d| d.lock.is_none()) {
                p { button type="submit" { (ctx.t("week.save")) } }
            }
        },
    )
}
