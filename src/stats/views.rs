//! Rendering a computed report: the filter form, the table, the definitions, the notes, the
//! trend chart (server-rendered SVG), the print view and the download table.

use super::catalogue::{Area, Report, REPORTS};
use super::filters::Filters;
use super::table::{Cell, Column, Kind, Out, Row};
use crate::auth::roles::RoleSet;
use crate::money::Vnd;
use crate::ui::forms::FieldErrors;
use crate::ui::{layout, Ctx};
use maud::{html, Markup};

/// Units and funds offered by the filter form: (id, label).
pub struct Choices {
    pub units: Vec<(String, String)>,
    pub funds: Vec<(String, String)>,
}

/// "12,5 %" from basis points.
pub fn percent(bp: i64) -> String {
    let tenths = (bp + if bp >= 0 { 5 } else { -5 }) / 10;
    format!("{},{} %", tenths / 10, (tenths % 10).abs())
}

/// A cell as text for a page or a print view.
pub fn show(ctx: &Ctx, cell: &Cell, kind: Kind) -> String {
    match (cell, kind) {
        (Cell::Text(s), _) => s.clone(),
        (Cell::Key(k), _) => ctx.t(k).to_string(),
        (Cell::Empty, _) => "—".into(),
        (Cell::Small, _) => "< 5".into(),
        (Cell::Hidden, _) => ctx.t("stats.hidden").into(),
        (Cell::Num(n), Kind::Money) => Vnd(*n).to_string(),
        (Cell::Ratio(a, b), _) => {
            let t = super::table::scaled(*a, *b, 1000);
            format!("{},{} %", t / 10, t % 10)
        }
        (Cell::Num(n), Kind::Percent) => percent(*n),
        (Cell::Num(n), Kind::Tenths) => format!("{},{}", n / 10, (n % 10).abs()),
        (Cell::Num(n), _) => Vnd(*n).grouped(),
    }
}

/// A cell for CSV/XLSX: numbers as plain numbers (percent with one decimal point).
pub fn raw(ctx: &Ctx, cell: &Cell, kind: Kind) -> String {
    match (cell, kind) {
        // One decimal, rounded half up once (as the page shows it).
        (Cell::Ratio(a, b), _) => {
            let t = super::table::scaled(*a, *b, 1000);
            format!("{}.{}", t / 10, t % 10)
        }
        (Cell::Num(n), Kind::Percent) => {
            let tenths = (n + if *n >= 0 { 5 } else { -5 }) / 10;
            format!("{}.{}", tenths / 10, (tenths % 10).abs())
        }
        (Cell::Num(n), Kind::Tenths) => format!("{}.{}", n / 10, (n % 10).abs()),
        (Cell::Num(n), _) => n.to_string(),
        _ => show(ctx, cell, kind),
    }
}

fn numeric(k: Kind) -> bool {
    !matches!(k, Kind::Text)
}

pub fn table(ctx: &Ctx, out: &Out, caption: &str) -> Markup {
    let row = |r: &Row, total: bool| {
        html! {
            tr {
                @for (i, (c, col)) in r.cells.iter().zip(out.columns).enumerate() {
                    @let text = if total && i == 0 { ctx.t("stats.total").to_string() } else { show(ctx, c, col.kind) };
                    @if total {
                        th.num[numeric(col.kind)] scope=[(i == 0).then_some("row")] { (text) }
                    } @else if i == 0 {
                        th scope="row" {
                            @match &r.link { Some(l) => { a href=(l) { (text) } } None => { (text) } }
                        }
                    } @else {
                        td.num[numeric(col.kind)] { (text) }
                    }
                }
            }
        }
    };
    html! {
        table.report {
            caption.sr-only { (caption) }
            thead { tr { @for c in out.columns { th.num[numeric(c.kind)] scope="col" { (ctx.t(c.key)) } } } }
            tbody {
                @for r in &out.rows { (row(r, false)) }
                @if out.rows.is_empty() { tr { td colspan=(out.columns.len()) { (ctx.t("stats.no_rows")) } } }
            }
            @if let Some(t) = &out.total { tfoot { (row(t, true)) } }
        }
    }
}

pub fn definitions(ctx: &Ctx, columns: &[Column], notes: &[&'static str], hidden: bool) -> Markup {
    html! {
        section.definitions {
            h2 { (ctx.t("stats.definitions")) }
            dl {
                @for c in columns { dt { (ctx.t(c.key)) } dd { (ctx.t(c.def)) } }
            }
            @for n in notes { p.hint { (ctx.t(n)) } }
            @if hidden { p.hint { (ctx.t("stats.n.small")) } }
        }
    }
}

/// A bar chart of one column over the rows (months or days), as SVG; the table beside it
/// carries the same figures for screen readers and for copying.
pub fn chart(ctx: &Ctx, out: &Out, column: usize, label: &str) -> Markup {
    let kind = out
        .columns
        .get(column)
        .map(|c| c.kind)
        .unwrap_or(Kind::Count);
    let rows = out.rows.iter().map(|r| {
        let l = match r.cells.first() {
            Some(Cell::Text(s)) => s.clone(),
            Some(Cell::Key(k)) => ctx.t(k).to_string(),
            _ => String::new(),
        };
        (l, r.cells.get(column))
    });
    bars(&points(ctx, rows, kind), label)
}

/// One bar of a chart: its label (a month, a day), its height (the cell as a number; a share
/// in basis points) and its value as the table beside it shows it.
pub struct Point {
    pub label: String,
    pub height: Option<i64>,
    pub text: String,
}

/// The points of `cells` (label, cell; None: no figure), each value shown as a table shows
/// it ([`show`]): a share is rounded once, from its fraction, never from its basis points.
pub fn points<'a>(
    ctx: &Ctx,
    cells: impl Iterator<Item = (String, Option<&'a Cell>)>,
    kind: Kind,
) -> Vec<Point> {
    cells
        .map(|(label, c)| Point {
            label,
            height: c.and_then(Cell::num),
            text: c.map(|c| show(ctx, c, kind)).unwrap_or_else(|| "—".into()),
        })
        .collect()
}

pub fn bars(points: &[Point], label: &str) -> Markup {
    let (w, h, top, bottom) = (640.0_f64, 180.0_f64, 18.0_f64, 28.0_f64);
    let max = points
        .iter()
        .filter_map(|p| p.height)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = points.len().max(1) as f64;
    let slot = w / n;
    let bar = (slot * 0.7).max(2.0);
    let every = (points.len() / 12).max(1);
    html! {
        svg.chart role="img" aria-label=(label) viewBox=(format!("0 0 {w} {}", h + top + bottom)) xmlns="http://www.w3.org/2000/svg" {
            title { (label) }
            line x1="0" y1=(top + h) x2=(w) y2=(top + h) stroke="#888" {}
            @for (i, p) in points.iter().enumerate() {
                @let x = i as f64 * slot + (slot - bar) / 2.0;
                @if let Some(v) = p.height {
                    @let bh = (v as f64 / max * h).max(if v > 0 { 1.0 } else { 0.0 });
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", top + h - bh)) width=(format!("{bar:.1}")) height=(format!("{bh:.1}")) fill="#0b5cad" { title { (p.label) ": " (p.text) } }
                    @if points.len() <= 16 {
                        text x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", top + h - bh - 4.0)) font-size="10" text-anchor="middle" { (p.text) }
                    }
                }
                @if i % every == 0 {
                    text x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", top + h + 16.0)) font-size="10" text-anchor="middle" { (p.label) }
                }
            }
        }
    }
}

/// The filter form: GET, so every filtered view has a stable URL.
pub fn filter_form(
    ctx: &Ctx,
    r: &Report,
    f: Option<&Filters>,
    raw: &super::filters::FilterQuery,
    choices: &Choices,
    e: &FieldErrors,
) -> Markup {
    let val = |s: &Option<String>, fallback: String| s.clone().unwrap_or(fallback);
    let (period, from, to) = match f {
        Some(f) => (
            f.period_text(),
            if f.period_text().is_empty() {
                crate::ui::format::date(f.from)
            } else {
                String::new()
            },
            if f.period_text().is_empty() {
                crate::ui::format::date(f.to)
            } else {
                String::new()
            },
        ),
        None => (
            val(&raw.period, String::new()),
            val(&raw.from, String::new()),
            val(&raw.to, String::new()),
        ),
    };
    let sel = |s: Option<i32>, raw: &Option<String>| {
        s.map(|x| x.to_string()).or(raw.clone()).unwrap_or_default()
    };
    let field = |name: &'static str, label: &'static str, hint: &'static str, value: String| {
        let id = format!("f-{name}");
        html! {
            div.field.invalid[e.get(name).is_some()] {
                label for=(id) { (ctx.t(label)) }
                input id=(id) name=(name) type="text" value=(value) aria-describedby=(format!("{id}-hint")) aria-invalid=[e.get(name).map(|_| "true")];
                p.hint id=(format!("{id}-hint")) { (ctx.t(hint)) }
                @if let Some(k) = e.get(name) { p.error { (ctx.t(k)) } }
            }
        }
    };
    html! {
        form.filters method="get" action=(format!("/reports/{}", r.id)) {
            (field("period", "stats.f.period", "stats.f.period_hint", period))
            (field("from", "stats.f.from", "stats.f.date_hint", from))
            (field("to", "stats.f.to", "stats.f.date_hint", to))
            @if r.takes.unit {
                (crate::ui::forms::select(ctx, e, "unit", ctx.t("stats.f.unit"), &choices.units, &sel(f.and_then(|f| f.unit), &raw.unit)))
            }
            @if r.takes.fund {
                (crate::ui::forms::select(ctx, e, "fund", ctx.t("stats.f.fund"), &choices.funds, &sel(f.and_then(|f| f.fund), &raw.fund)))
            }
            button type="submit" { (ctx.t("stats.show")) }
        }
    }
}

/// The period as a reader says it: "10/2026", "Quý 4/2026", "2026", "01/02/2026 – 15/03/2026".
pub fn period_label(ctx: &Ctx, f: &Filters) -> String {
    use super::filters::PeriodKind::*;
    use chrono::Datelike;
    match f.kind {
        Month => format!("{:02}/{}", f.from.month(), f.from.year()),
        Quarter => ctx.tf(
            "stats.quarter",
            format!("{}/{}", f.from.month().div_ceil(3), f.from.year()),
        ),
        Year => f.from.year().to_string(),
        Range | Last12 => format!(
            "{} – {}",
            crate::ui::format::date(f.from),
            crate::ui::format::date(f.to)
        ),
    }
}

/// The report page: title, filters, downloads, chart, table, definitions.
#[allow(clippy::too_many_arguments)]
pub fn report_page(
    ctx: &Ctx,
    r: &Report,
    f: Option<&Filters>,
    raw: &super::filters::FilterQuery,
    choices: &Choices,
    e: &FieldErrors,
    out: Option<(&Out, bool)>,
) -> Markup {
    let title = ctx.t(r.title);
    html! {
        (layout::title_bar(title, html! {
            a href="/reports" { (ctx.t("stats.catalogue")) }
            @if let Some(f) = f {
                " · " a href=(format!("/reports/{}/print?{}", r.id, f.query())) { (ctx.t("stats.print")) }
                " · " a href=(format!("/reports/{}/export.xlsx?{}", r.id, f.query())) { "Excel" }
                " · " a href=(format!("/reports/{}/export.csv?{}", r.id, f.query())) { "CSV" }
            }
        }))
        p.hint { (ctx.t(r.summary)) }
        (filter_form(ctx, r, f, raw, choices, e))
        @if let (Some(f), Some((out, hidden))) = (f, out) {
            h2 { (period_label(ctx, f)) }
            @if let Some(c) = out.chart.filter(|_| out.rows.len() > 1) {
                (chart(ctx, out, c, &format!("{} — {}", ctx.t(out.columns[c].key), period_label(ctx, f))))
            }
            (table(ctx, out, title))
            (definitions(ctx, out.columns, &out.notes, hidden))
        }
    }
}

/// The A4 print view: the title, the period and filters in words, the table, definitions.
pub fn print_page(
    ctx: &Ctx,
    r: &Report,
    f: &Filters,
    filters_text: &str,
    out: &Out,
    hidden: bool,
) -> Markup {
    html! {
        article.a4 {
            p.org { (ctx.t("stats.org")) }
            h1 { (ctx.t(r.title)) }
            p { strong { (ctx.t("stats.f.period")) ": " } (period_label(ctx, f)) (filters_text) }
            (table(ctx, out, ctx.t(r.title)))
            (definitions(ctx, out.columns, &out.notes, hidden))
            p.hint.no-print { a href=(format!("/reports/{}?{}", r.id, f.query())) { (ctx.t("stats.back")) } }
        }
    }
}

/// One report in a print view or the month's pack: its title, table, definitions.
pub fn print_section(ctx: &Ctx, r: &Report, out: &Out, hidden: bool) -> Markup {
    html! {
        section.pack-report {
            h2 { (ctx.t(r.title)) }
            (table(ctx, out, ctx.t(r.title)))
            (definitions(ctx, out.columns, &out.notes, hidden))
        }
    }
}

/// The catalogue: every report the user may read, by area.
pub fn catalogue(ctx: &Ctx, roles: RoleSet, dashboard: bool) -> Markup {
    html! {
        (layout::title_bar(ctx.t("stats.catalogue"), html! {
            @if dashboard { a href="/dashboard" { (ctx.t("stats.dashboard")) } " · " }
            @if roles.any(super::catalogue::PACK_READERS) { a href="/reports/packs" { (ctx.t("pack.list")) } }
        }))
        p.hint { (ctx.t("stats.catalogue_help")) }
        @for area in Area::ALL {
            @let list: Vec<&Report> = REPORTS.iter().filter(|r| r.area == area && r.may_read(roles)).collect();
            @if !list.is_empty() {
                h2 { (ctx.t(area.key())) }
                ul.reports {
                    @for r in list {
                        li { a href=(format!("/reports/{}", r.id)) { (ctx.t(r.title)) } " — " span.hint { (ctx.t(r.summary)) } }
                    }
                }
            }
        }
    }
}
