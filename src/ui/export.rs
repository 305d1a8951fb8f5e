//! Downloads: CSV (UTF-8 with a byte-order mark, so Excel reads Vietnamese correctly) and XLSX,
//! one header row and text cells neutralised against formula injection; numbers stay numbers
//! in XLSX so accountants can sum them.

use crate::error::AppError;
use crate::ui::format::csv_safe;
use actix_web::HttpResponse;

/// A table to download: a title (XLSX only), the header, the rows, and from which column on
/// numeric-looking cells are written as numbers in XLSX.
pub struct Table<'a> {
    pub title: String,
    /// Lines before the header (a summary; numbers stay numbers in XLSX).
    pub summary: Vec<Vec<String>>,
    pub header: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    pub numbers_from: usize,
    /// XLSX column widths (column, characters).
    pub widths: &'a [(u16, f64)],
    /// Columns holding amounts in đồng: XLSX shows them as `35.000 ₫` (still numbers).
    pub money: &'a [usize],
}

pub fn csv(t: &Table<'_>) -> Result<Vec<u8>, AppError> {
    let e = |e: csv::Error| AppError::internal(e.to_string());
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    for line in &t.summary {
        w.write_record(line.iter().map(|v| csv_safe(v)))
            .map_err(e)?;
    }
    if !t.summary.is_empty() {
        w.write_record([""]).map_err(e)?;
    }
    w.write_record(t.header).map_err(e)?;
    for r in &t.rows {
        w.write_record(r.iter().map(|v| csv_safe(v))).map_err(e)?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(e.to_string()))
}

pub fn xlsx(t: &Table<'_>) -> Result<Vec<u8>, AppError> {
    book(&[("", t)])
}

/// A workbook of several tables, one sheet each (name ≤ 31 characters; empty: the default).
pub fn book(sheets: &[(&str, &Table<'_>)]) -> Result<Vec<u8>, AppError> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::internal(e.to_string());
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, t) in sheets {
        let ws = wb.add_worksheet();
        if !name.is_empty() {
            ws.set_name(*name).map_err(err)?;
        }
        sheet(ws, t).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

fn sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    t: &Table<'_>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    ws.write_string_with_format(0, 0, &t.title, &bold)?;
    let dong = rust_xlsxwriter::Format::new().set_num_format("#,##0 \"₫\"");
    let cell = |ws: &mut rust_xlsxwriter::Worksheet,
                r: u32,
                c: usize,
                v: &str,
                numeric: bool,
                money: bool| match v.parse::<f64>() {
        Ok(n) if numeric && money => ws
            .write_number_with_format(r, c as u16, n, &dong)
            .map(|_| ()),
        Ok(n) if numeric => ws.write_number(r, c as u16, n).map(|_| ()),
        _ => ws.write_string(r, c as u16, csv_safe(v)).map(|_| ()),
    };
    for (i, line) in t.summary.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            cell(ws, 2 + i as u32, c, v, c > 0, false)?;
        }
    }
    let top = 2 + t.summary.len() as u32 + u32::from(!t.summary.is_empty());
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &bold)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            cell(
                ws,
                top + 1 + r as u32,
                c,
                v,
                c >= t.numbers_from,
                t.money.contains(&c),
            )?;
        }
    }
    for (c, w) in t.widths {
        ws.set_column_width(*c, *w)?;
    }
    Ok(())
}

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The two file formats every export offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn code(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The table as a file to download, named `stem.csv` or `stem.xlsx` (ASCII stem).
pub fn download(t: &Table<'_>, format: Format, stem: &str) -> Result<HttpResponse, AppError> {
    let (body, content_type) = match format {
        Format::Csv => (csv(t)?, CSV),
        Format::Xlsx => (xlsx(t)?, XLSX),
    };
    Ok(attachment(
        content_type,
        &format!("{stem}.{}", format.code()),
        body,
    ))
}

/// A file to download under `filename` (ASCII); never sniffed into something else.
pub fn attachment(content_type: &str, filename: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}
