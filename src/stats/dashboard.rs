//! The leadership dashboard: the figures that matter most, each with its last twelve months
//! as a server-rendered bar chart and a data table beside it, and a link to the report behind
//! it. Every figure is the total row of a standard report for one month, so it always agrees
//! with the report it links to.

use super::catalogue::{self, Report};
use super::filters::{FilterQuery, Filters};
use super::table::{Cell, Column, Kind, Row};
use super::views;
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::{html_ok, layout, Ctx};
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDate};
use maud::html;

/// (report, column of its total row, title key)
pub const TILES: &[(&str, usize, &str)] = &[
    ("canteen-meals", 4, "stats.t.meals"),
    ("canteen-participation", 3, "stats.t.participation"),
    ("canteen-meals", 7, "stats.t.no_shows"),
    ("canteen-waste", 4, "stats.t.waste"),
    ("canteen-cost", 3, "stats.t.cost"),
    ("canteen-meals", 8, "stats.t.veg"),
    ("subsidy-months", 6, "stats.t.subsidy"),
    ("subsidy-months", 4, "stats.t.people_subsidised"),
    ("subsidy-coverage", 3, "stats.t.coverage"),
    ("welfare-spending", 3, "stats.t.welfare_paid"),
    ("welfare-spending", 2, "stats.t.cases_paid"),
    ("welfare-dues", 4, "stats.t.dues"),
];

/// One tile's series: (month, the cell of its report's total row) for the last twelve
/// months, and the column's kind. The cell, not a number: a share is shown as its report
/// shows it (rounded once, to a tenth of a per cent).
pub struct Series {
    pub report: &'static Report,
    pub title: &'static str,
    pub kind: Kind,
    pub points: Vec<(NaiveDate, Option<Cell>)>,
}

/// Every tile's series. Each report is computed once for the year where it can give each
/// month's own total in one pass (`Report::month_totals`), else once per month, and shared by
/// its tiles.
pub fn series(conn: &mut DbConn, today: NaiveDate) -> Result<Vec<Series>, AppError> {
    let base = Filters::parse(&FilterQuery::default(), today)
        .map_err(|_| AppError::internal("default filters"))?;
    let months = base.months();
    // (report, its columns, each month's total row)
    type Totals = (&'static str, &'static [Column], Vec<Option<Row>>);
    let mut done: Vec<Totals> = Vec::new();
    let mut out = Vec::new();
    for (id, column, title) in TILES {
        let report = catalogue::find(id).ok_or(AppError::internal("dashboard report"))?;
        if !done.iter().any(|(d, _, _)| d == id) {
            let (mut columns, mut year) = match report.month_totals(conn, &base)? {
                Some(t) => (Some(t.columns), t.months),
                None => (None, Vec::new()),
            };
            let mut per_month = Vec::new();
            for m in &months {
                // A month the year's pass did not give is computed alone.
                match year.iter().position(|(x, _)| x == m) {
                    Some(i) => per_month.push(Some(year.swap_remove(i).1)),
                    None => {
                        let alone = report.compute(conn, &base.for_month(*m))?;
                        columns = columns.or(Some(alone.columns));
                        per_month.push(alone.total);
                    }
                }
            }
            done.push((id, columns.unwrap_or(&[]), per_month));
        }
        let (_, columns, totals) = done
            .iter()
            .find(|(d, _, _)| d == id)
            .ok_or(AppError::internal("tile"))?;
        let kind = columns.get(*column).map(|c| c.kind).unwrap_or(Kind::Count);
        let points = months
            .iter()
            .zip(totals)
            .map(|(m, t)| (*m, t.as_ref().and_then(|t| t.cells.get(*column)).cloned()))
            .collect();
        out.push(Series {
            report,
            title,
            kind,
            points,
        });
    }
    Ok(out)
}

pub async fn page(
    state: actix_web::web::Data<AppState>,
    ctx: Ctx,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let all = state.db.read(move |c| series(c, today)).await?;
    let month = |m: &NaiveDate| format!("{:02}/{}", m.month(), m.year());
    let body = html! {
        (layout::title_bar(ctx.t("stats.dashboard"), html! { a href="/reports" { (ctx.t("stats.catalogue")) } }))
        p.hint { (ctx.t("stats.dashboard_help")) }
        div.tiles {
            @for s in &all {
                @let points = views::points(&ctx, s.points.iter().map(|(m, c)| (month(m), c.as_ref())), s.kind);
                section.tile {
                    h2 { (ctx.t(s.title)) }
                    p.figure { strong { (points.last().map(|p| p.text.as_str()).unwrap_or("—")) } " " span.hint { (month(&today)) } }
                    div.tile-body {
                        (views::bars(&points, ctx.t(s.title)))
                        table.report.compact {
                            caption.sr-only { (ctx.t(s.title)) }
                            thead { tr { th scope="col" { (ctx.t("stats.c.month")) } th.num scope="col" { (ctx.t("stats.value")) } } }
                            tbody { @for p in &points { tr { th scope="row" { (p.label) } td.num { (p.text) } } } }
                        }
                    }
                    p { a href=(format!("/reports/{}", s.report.id)) { (ctx.t("stats.open_report")) " — " (ctx.t(s.report.title)) } }
                }
            }
        }
    };
    Ok(html_ok(layout::page(&ctx, ctx.t("stats.dashboard"), body)))
}
