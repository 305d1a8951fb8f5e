//! Waste log (portions prepared and left over) and the report: ordered vs prepared vs served
//! vs no-shows vs leftovers per day, a small SVG chart, and ratings without names.

use crate::auth::middleware::see_other;
use crate::canteen::feedback;
use crate::canteen::feedback::DayFigures;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{layout, Ctx};
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
}

pub async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<RangeQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let (from, to) = report_range(
        q.from.as_deref().and_then(business_date),
        q.to.as_deref().and_then(business_date),
        q.period.as_deref(),
        today,
    );
    let (figs, ratings) = state
        .db
        .read(move |c| {
            Ok((
                feedback::figures(c, from, to)?,
                feedback::ratings_between(c, from, to)?,
            ))
        })
        .await?;
    Ok(report_page(&ctx, (from, to), today, &figs, &ratings, None))
}

/// The report's days: a valid range of at most a year as asked, else this month or this week.
fn report_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    period: Option<&str>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    match (from, to, period) {
        (Some(f), Some(t), _) if f <= t && t - f <= Duration::days(366) => (f, t),
        (_, _, Some("month")) => {
            let f = today.with_day(1).unwrap_or(today);
            (
                f,
                (f + Duration::days(32)).with_day(1).unwrap_or(f) - Duration::days(1),
            )
        }
        _ => {
            let f = crate::canteen::rules::monday_of(today);
            (f, f + Duration::days(6))
        }
    }
}

/// Ratings summed per option: (option, total score, count), in order of first appearance.
fn by_option(ratings: &[(NaiveDate, String, i32, String)]) -> Vec<(String, i64, i64)> {
    let mut out: Vec<(String, i64, i64)> = Vec::new();
    for (_, name, score, _) in ratings {
        match out.iter_mut().find(|x| &x.0 == name) {
            Some(x) => {
                x.1 += *score as i64;
                x.2 += 1;
            }
            None => out.push((name.clone(), *score as i64, 1)),
        }
    }
    out
}

fn report_page(
    ctx: &Ctx,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
    figs: &[DayFigures],
    ratings: &[(NaiveDate, String, i32, String)],
    refused: Option<(&WasteForm, &FieldErrors)>,
) -> Markup {
    let sum = |f: fn(&DayFigures) -> i64| figs.iter().map(f).sum::<i64>();
    let by_option = by_option(ratings);
    let none = FieldErrors::default();
    let e = refused.map(|r| r.1).unwrap_or(&none);
    let today_text = date(today);
    let typed = |f: fn(&WasteForm) -> &str, default: &'static str| {
        refused.map(|r| f(r.0)).unwrap_or(default)
    };
    layout::page(
        ctx,
        ctx.t("waste.report"),
        html! {
            (layout::title_bar(&ctx.tf("waste.report_for", format!("{} – {}", date(from), date(to))), html! {
                a.button.secondary href="/kitchen/report?period=week" { (ctx.t("waste.this_week")) }
                a.button.secondary href="/kitchen/report?period=month" { (ctx.t("waste.this_month")) }
            }))
            form.filters method="get" action="/kitchen/report" {
                (Input::text("from", ctx.t("absence.from"), &date(from)).render(ctx, &none))
                (Input::text("to", ctx.t("absence.to"), &date(to)).render(ctx, &none))
                button type="submit" { (ctx.t("common.filter")) }
            }
            (PreEscaped(chart(ctx, figs)))
            table {
                thead { tr { th { (ctx.t("week.day")) } th.num { (ctx.t("waste.ordered")) } th.num { (ctx.t("week.guests")) } th.num { (ctx.t("waste.walk_ins")) } th.num { (ctx.t("waste.prepared")) } th.num { (ctx.t("waste.served")) } th.num { (ctx.t("waste.no_shows")) } th.num { (ctx.t("waste.leftover")) } } }
                tbody { @for f in figs { tr {
                    td { (f.day.map(date).unwrap_or_default()) }
                    td.num { (f.ordered) } td.num { (f.guests) } td.num { (f.walk_ins) }
                    td.num { (f.prepared.map(|v| v.to_string()).unwrap_or_else(|| "—".into())) }
                    td.num { (f.served) } td.num { (f.no_shows) }
                    td.num { (f.leftover.map(|v| v.to_string()).unwrap_or_else(|| "—".into())) }
                } } }
                tfoot { tr {
                    th scope="row" { (ctx.t("head.total")) }
                    td.num { (sum(|f| f.ordered)) } td.num { (sum(|f| f.guests)) } td.num { (sum(|f| f.walk_ins)) } td.num { (sum(|f| f.prepared.unwrap_or(0))) }
                    td.num { (sum(|f| f.served)) } td.num { (sum(|f| f.no_shows)) } td.num { (sum(|f| f.leftover.unwrap_or(0))) }
                } }
            }
            h2 { (ctx.t("rating.report")) }
            @if ratings.is_empty() { p.hint { (ctx.t("rating.none_yet")) } } @else {
                table {
                    thead { tr { th { (ctx.t("menu.option")) } th.num { (ctx.t("rating.average")) } th.num { (ctx.t("rating.count")) } } }
                    tbody { @for (name, total, n) in &by_option { tr { td { (name) } td.num { (average(ctx, *total, *n)) } td.num { (n) } } } }
                }
                h3 { (ctx.t("rating.comments")) }
                ul { @for (d, name, score, comment) in ratings.iter().filter(|r| !r.3.is_empty()) { li { (date(*d)) " · " (name) " · " (score) "/5: " (comment) } } }
            }
            div.card.no-print {
                h2 { (ctx.t("waste.log")) }
                @if refused.is_some() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                (post_form(ctx, "/kitchen/waste", html! {
                    (Input::text("day", ctx.t("week.day"), refused.map(|r| r.0.day.as_str()).unwrap_or(&today_text)).required().render(ctx, e))
                    (Input::text("prepared", ctx.t("waste.prepared"), typed(|f| &f.prepared, "")).kind("number").required().render(ctx, e))
                    (Input::text("leftover", ctx.t("waste.leftover"), typed(|f| &f.leftover, "")).kind("number").required().render(ctx, e))
                    (Input::text("note", ctx.t("absence.note"), typed(|f| &f.note, "")).render(ctx, e))
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
        },
    )
}

/// An average to one decimal, with the decimal comma in Vietnamese ("4,5").
fn average(ctx: &Ctx, total: i64, n: i64) -> String {
    let tenths = (total * 10 * 2 + n) / (2 * n.max(1));
    let s = format!("{}.{}", tenths / 10, tenths % 10);
    if ctx.lang == crate::ui::Lang::Vi {
        s.replace('.', ",")
    } else {
        s
    }
}

/// A round step for the value axis: 1, 2 or 5 times a power of ten, about four ticks.
fn axis_step(max: i64) -> i64 {
    let raw = (max.max(1) as f64 / 4.0).max(1.0);
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    step.max(1.0) as i64
}

/// Bars per day: ordered ahead (with guests), served of those, walk-ins, leftover; a value axis
/// with round ticks and grid lines, the days below, and a legend. Plain SVG, no script; the
/// table beside it carries the same figures for screen readers and copying.
fn chart(ctx: &Ctx, figs: &[DayFigures]) -> String {
    if figs.is_empty() {
        return String::new();
    }
    let top = figs
        .iter()
        .map(|f| {
            (f.ordered + f.guests)
                .max(f.prepared.unwrap_or(0))
                .max(f.served + f.walk_ins)
        })
        .max()
        .unwrap_or(1)
        .max(1);
    let step = axis_step(top);
    let max = (((top + step - 1) / step) * step) as f64;
    let (left, per_day, h, top_pad) = (44.0, 40.0, 180.0, 10.0);
    let w = left + per_day * figs.len() as f64 + 10.0;
    let y = |v: f64| top_pad + h - v / max * h;
    let mut s = format!("<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {w} {}\" width=\"{w}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">", ctx.t("waste.chart"), h + 50.0, h + 50.0);
    let mut tick = 0;
    while tick as f64 <= max {
        let ty = y(tick as f64);
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#ccc\" stroke-width=\"1\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{tick}</text>",
            w - 10.0,
            left - 4.0,
            ty + 3.0
        ));
        tick += step;
    }
    for (i, f) in figs.iter().enumerate() {
        let x = left + 4.0 + per_day * i as f64;
        for (j, (v, color)) in [
            ((f.ordered + f.guests) as f64, "#0b5cad"),
            (f.served as f64, "#1e7b34"),
            (f.walk_ins as f64, "#8a5a00"),
            (f.leftover.unwrap_or(0) as f64, "#b3261e"),
        ]
        .iter()
        .enumerate()
        {
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"{:.1}\" fill=\"{color}\"/>",
                x + j as f64 * 8.0,
                y(*v),
                top_pad + h - y(*v)
            ));
        }
        if let Some(d) = f.day {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{}</text>",
                x,
                top_pad + h + 14.0,
                d.format("%d/%m")
            ));
        }
    }
    s.push_str(&format!(
        "<text x=\"{left}\" y=\"{}\" font-size=\"10\"><tspan fill=\"#0b5cad\">■ {}</tspan> <tspan fill=\"#1e7b34\">■ {}</tspan> <tspan fill=\"#8a5a00\">■ {}</tspan> <tspan fill=\"#b3261e\">■ {}</tspan></text></svg>",
        top_pad + h + 34.0,
        ctx.t("waste.ordered"),
        ctx.t("waste.served"),
        ctx.t("waste.walk_ins"),
        ctx.t("waste.leftover")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::axis_step;

    #[test]
    fn the_chart_axis_steps_are_round_numbers() {
        assert_eq!(axis_step(0), 1);
        assert_eq!(axis_step(3), 1);
        assert_eq!(axis_step(10), 5);
        assert_eq!(axis_step(116), 50);
        assert_eq!(axis_step(400), 100);
        assert_eq!(axis_step(2_300), 1_000);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WasteForm {
    day: String,
    prepared: String,
    leftover: String,
    #[serde(default)]
    note: String,
}

/// Records a day's portions prepared and left over. A refused form comes back on the report
/// with the input kept and the message beside its field (422).
pub async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    Form(f): Form<WasteForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    match crate::canteen::rules::check_waste(&f.day, &f.prepared, &f.leftover, &f.note, today) {
        Ok(w) => {
            let now = state.clock.now_naive();
            state
                .db
                .write(move |c| {
                    feedback::save_waste(c, w.day, w.prepared, w.leftover, &w.note, now)
                })
                .await?;
            Ok(see_other("/kitchen/report", Some("flash.saved")))
        }
        Err(problems) => {
            let mut e = FieldErrors::default();
            problems.into_iter().for_each(|(field, k)| e.add(field, k));
            let (from, to) = report_range(None, None, None, today);
            let (figs, ratings) = state
                .db
                .read(move |c| {
                    Ok((
                        feedback::figures(c, from, to)?,
                        feedback::ratings_between(c, from, to)?,
                    ))
                })
                .await?;
            let page = report_page(&ctx, (from, to), today, &figs, &ratings, Some((&f, &e)));
            Ok(crate::ui::html_invalid(page))
        }
    }
}

#[cfg(test)]
mod range_tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default()
    }

    #[test]
    fn the_report_range_is_what_was_asked_or_this_week_or_this_month() {
        let today = d(2026, 11, 27);
        let asked = report_range(Some(d(2026, 11, 2)), Some(d(2026, 11, 20)), None, today);
        assert_eq!(asked, (d(2026, 11, 2), d(2026, 11, 20)));
        let reversed = report_range(Some(d(2026, 11, 20)), Some(d(2026, 11, 2)), None, today);
        assert_eq!(
            reversed,
            (d(2026, 11, 23), d(2026, 11, 29)),
            "this week instead"
        );
        let month = report_range(None, None, Some("month"), today);
        assert_eq!(month, (d(2026, 11, 1), d(2026, 11, 30)));
    }

    #[test]
    fn ratings_are_summed_per_option_in_order_of_appearance() {
        let r = |name: &str, score| (d(2026, 11, 2), name.to_string(), score, String::new());
        let got = by_option(&[r("Chay", 4), r("Thường", 5), r("Chay", 2)]);
        assert_eq!(
            got,
            vec![("Chay".to_string(), 6, 2), ("Thường".to_string(), 5, 1)]
        );
    }
}
