//! A computed report as a table to download (CSV, XLSX) or to put in the month's pack: the
//! rows and the total, then each column's definition and the notes, so the file explains
//! itself.

use super::catalogue::Report;
use super::filters::Filters;
use super::table::{Kind, Out, Row};
use super::views;
use crate::ui::export::Table;
use crate::ui::Ctx;

pub struct Sheet {
    pub title: String,
    pub header: Vec<&'static str>,
    pub summary: Vec<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    numbers_from: usize,
    widths: Vec<(u16, f64)>,
    money: Vec<usize>,
}

impl Sheet {
    pub fn of(ctx: &Ctx, r: &Report, f: &Filters, filters: &str, out: &Out, hidden: bool) -> Sheet {
        let header: Vec<&'static str> = out.columns.iter().map(|c| ctx.t(c.key)).collect();
        let cells = |row: &Row| -> Vec<String> {
            row.cells
                .iter()
                .zip(out.columns)
                .map(|(c, col)| views::raw(ctx, c, col.kind))
                .collect()
        };
        let mut rows: Vec<Vec<String>> = out.rows.iter().map(cells).collect();
        if let Some(t) = &out.total {
            let mut t = cells(t);
            if let Some(first) = t.first_mut() {
                *first = ctx.t("stats.total").to_string();
            }
            rows.push(t);
        }
        let mut summary = vec![vec![
            ctx.t("stats.f.period").to_string(),
            format!("{}{}", views::period_label(ctx, f), filters),
        ]];
        for c in out.columns {
            summary.push(vec![ctx.t(c.key).to_string(), ctx.t(c.def).to_string()]);
        }
        for n in &out.notes {
            summary.push(vec![ctx.t("stats.note").to_string(), ctx.t(n).to_string()]);
        }
        if hidden {
            summary.push(vec![
                ctx.t("stats.note").to_string(),
                ctx.t("stats.n.small").to_string(),
            ]);
        }
        Sheet {
            title: ctx.t(r.title).to_string(),
            header,
            summary,
            rows,
            numbers_from: out.label_columns(),
            widths: (0..out.columns.len() as u16)
                .map(|c| (c, if c == 0 { 30.0 } else { 16.0 }))
                .collect(),
            money: out
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.kind == Kind::Money)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    pub fn table(&self) -> Table<'_> {
        Table {
            title: self.title.clone(),
            summary: self.summary.clone(),
            header: &self.header,
            rows: self.rows.clone(),
            numbers_from: self.numbers_from,
            widths: &self.widths,
            money: &self.money,
        }
    }
}
