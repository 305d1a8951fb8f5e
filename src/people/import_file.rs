//! Reading a staff file (CSV in UTF-8 or Windows-1258, or XLSX) into raw rows. Pure.

use super::rules::RawPerson;
use crate::ui::format::fold_search;
use calamine::{Data, DataType, Reader};
use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileRow {
    /// The row number as the spreadsheet shows it (header is row 1).
    pub line: usize,
    pub raw: RawPerson,
    /// Which columns the file has (bits of `Col`): a column the file does not have never
    /// changes that field of an existing person.
    #[serde(default)]
    pub present: u16,
}

impl FileRow {
    pub fn has(&self, col: Col) -> bool {
        self.present & col.bit() != 0
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum FileError {
    /// i18n key
    Unreadable(&'static str),
    MissingColumn(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Code,
    Name,
    Unit,
    Category,
    Gender,
    Dob,
    Status,
    StatusDate,
    Phone,
    Email,
}

const HEADERS: &[(Col, &[&str])] = &[
    (
        Col::Code,
        &[
            "ma nv",
            "ma nhan vien",
            "ma can bo",
            "ma so",
            "ma",
            "employee_code",
            "employee code",
            "code",
        ],
    ),
    (
        Col::Name,
        &[
            "ho va ten",
            "ho ten",
            "ten",
            "full_name",
            "full name",
            "name",
        ],
    ),
    (
        Col::Unit,
        &["don vi", "phong ban", "unit", "unit_code", "department"],
    ),
    (
        Col::Category,
        &["loai", "doi tuong", "loai can bo", "category"],
    ),
    (Col::Gender, &["gioi tinh", "gender", "sex"]),
    (
        Col::Dob,
        &[
            "ngay sinh",
            "date_of_birth",
            "date of birth",
            "dob",
            "birth date",
        ],
    ),
    (Col::Status, &["trang thai", "status"]),
    (
        Col::StatusDate,
        &[
            "ngay trang thai",
            "ngay hieu luc",
            "status_date",
            "status date",
        ],
    ),
    (Col::Phone, &["dien thoai", "so dien thoai", "sdt", "phone"]),
    (Col::Email, &["email", "e-mail", "thu dien tu"]),
];

/// A cell this app's exports wrote as `'=…` (an apostrophe so that a spreadsheet does not run
/// it as a formula) reads back as written before the export.
pub fn unneutralised(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}

impl Col {
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
    /// The heading the people export writes for this column (in either language), so that
    /// the app's own export always imports again.
    pub fn label_key(self) -> &'static str {
        match self {
            Col::Code => "people.code",
            Col::Name => "people.name",
            Col::Unit => "people.unit",
            Col::Category => "people.category",
            Col::Gender => "people.gender",
            Col::Dob => "people.dob",
            Col::Status => "people.status",
            Col::StatusDate => "people.status_date",
            Col::Phone => "people.phone",
            Col::Email => "people.email",
        }
    }
}

fn column_of(header: &str) -> Option<Col> {
    use crate::ui::i18n::Lang;
    let h = fold_search(header.trim_start_matches('\u{feff}'));
    HEADERS
        .iter()
        .find(|(c, names)| {
            names.contains(&h.as_str())
                || [Lang::Vi, Lang::En]
                    .iter()
                    .any(|l| fold_search(l.t(c.label_key())) == h)
        })
        .map(|(c, _)| *c)
}

/// The rows of an uploaded file, and the headings of its columns that are not read (the
/// preview names them, so that nobody believes a column was imported when it was not).
#[derive(Debug, PartialEq)]
pub struct FileTable {
    pub rows: Vec<FileRow>,
    pub unknown: Vec<String>,
}

fn set(raw: &mut RawPerson, col: Col, v: String) {
    let slot = match col {
        Col::Code => &mut raw.employee_code,
        Col::Name => &mut raw.full_name,
        Col::Unit => &mut raw.unit,
        Col::Category => &mut raw.category,
        Col::Gender => &mut raw.gender,
        Col::Dob => &mut raw.date_of_birth,
        Col::Status => &mut raw.status,
        Col::StatusDate => &mut raw.status_date,
        Col::Phone => &mut raw.phone,
        Col::Email => &mut raw.email,
    };
    *slot = v;
}

/// Turns a header row plus data rows into raw persons.
fn rows_to_people(table: Vec<Vec<String>>) -> Result<FileTable, FileError> {
    let mut it = table.into_iter();
    let header = it.next().ok_or(FileError::Unreadable("imp.err_empty"))?;
    let cols: Vec<Option<Col>> = header.iter().map(|h| column_of(h)).collect();
    let unknown: Vec<String> = header
        .iter()
        .zip(&cols)
        .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
        .map(|(h, _)| h.trim().chars().take(60).collect())
        .collect();
    if !cols.iter().any(|c| matches!(c, Some(Col::Code))) {
        return Err(FileError::MissingColumn("imp.err_no_code_column"));
    }
    if !cols.iter().any(|c| matches!(c, Some(Col::Name))) {
        return Err(FileError::MissingColumn("imp.err_no_name_column"));
    }
    let present = cols.iter().flatten().fold(0u16, |m, c| m | c.bit());
    let mut out = Vec::new();
    for (i, row) in it.enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut raw = RawPerson::default();
        for (j, v) in row.into_iter().enumerate() {
            if let Some(Some(col)) = cols.get(j) {
                set(&mut raw, *col, unneutralised(v.trim()).nfc().collect());
            }
        }
        out.push(FileRow {
            line: i + 2,
            raw,
            present,
        });
    }
    if out.is_empty() {
        return Err(FileError::Unreadable("imp.err_empty"));
    }
    Ok(FileTable { rows: out, unknown })
}

/// CSV text: UTF-8 (with or without BOM) or, failing that, Windows-1258; `;`, `,` or tab.
pub fn read_csv(bytes: &[u8]) -> Result<FileTable, FileError> {
    rows_to_people(csv_cells(bytes)?)
}

/// The cells of a CSV file (see `read_csv`), header row first.
pub fn csv_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    let text: String = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => {
            let (s, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
            s.nfc().collect()
        }
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|_| FileError::Unreadable("imp.err_csv"))?;
        if table.len() > MAX_ROWS {
            return Err(FileError::Unreadable("imp.err_too_many_rows"));
        }
        table.push(
            rec.iter()
                .take(MAX_COLS)
                .map(|c| {
                    let mut c = c.to_string();
                    crate::ui::format::tidy_typed(&mut c);
                    c
                })
                .collect(),
        );
    }
    Ok(table)
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => d
            .as_date()
            .map(|x| x.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

/// Rows a staff file may have (a ministry office has hundreds of staff; this is far above).
pub const MAX_ROWS: usize = 20_000;
/// Columns read; cells further right are ignored.
pub const MAX_COLS: usize = 64;
/// What an XLSX file may decompress to, per part and in all (its XML is ~10× its zip size).
pub const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;
pub const MAX_UNZIPPED_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_PARTS: usize = 1_000;

/// Refuses a ZIP (an XLSX) that decompresses to more than the limits — a "zip bomb". Each part
/// is streamed through a counter into nothing, so checking takes no memory; the sizes the
/// archive declares are not trusted.
pub fn check_zip_bounds(bytes: &[u8]) -> Result<(), FileError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
    if zip.len() > MAX_PARTS {
        return Err(FileError::Unreadable("imp.err_unpacks_too_big"));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index(i)
            .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
        let n = std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut std::io::sink())
            .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
        total += n;
        if n > MAX_PART_BYTES || total > MAX_UNZIPPED_BYTES {
            return Err(FileError::Unreadable("imp.err_unpacks_too_big"));
        }
    }
    Ok(())
}

/// The first sheet of an XLSX workbook, read cell by cell within `MAX_ROWS` × `MAX_COLS`
/// (a sheet's declared size is not trusted either: two cells far apart would otherwise make
/// a dense table of billions of cells).
pub fn read_xlsx(bytes: &[u8]) -> Result<FileTable, FileError> {
    rows_to_people(xlsx_cells(bytes)?)
}

/// The cells of an XLSX file's first sheet (see `read_xlsx`), header row first.
pub fn xlsx_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    check_zip_bounds(bytes)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or(FileError::Unreadable("imp.err_empty"))?;
    let mut cells = wb
        .worksheet_cells_reader(&name)
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
    let mut table: Vec<Vec<String>> = Vec::new();
    while let Some(c) = cells
        .next_cell()
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?
    {
        let (r, col) = c.get_position();
        let (r, col) = (r as usize, col as usize);
        if col >= MAX_COLS {
            continue;
        }
        if r > MAX_ROWS {
            return Err(FileError::Unreadable("imp.err_too_many_rows"));
        }
        if table.len() <= r {
            table.resize_with(r + 1, Vec::new);
        }
        let row = &mut table[r];
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = cell(&calamine::Data::from(c.get_value().clone()));
        crate::ui::format::tidy_typed(&mut row[col]);
    }
    Ok(table)
}

/// Chooses the reader by file name (or by content: XLSX files are ZIPs starting with "PK").
pub fn read_any(name: &str, bytes: &[u8]) -> Result<FileTable, FileError> {
    rows_to_people(any_cells(name, bytes)?)
}

/// The cells of a CSV or XLSX file (chosen by name or content), header row first, as they are
/// (callers undo the export's formula neutralising with `unneutralised`).
pub fn any_cells(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    // Excel 97–2003 (.xls) is an OLE compound file: not read; the message says what to do.
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let lower = name.to_lowercase();
    if lower.ends_with(".xls") || bytes.starts_with(OLE) {
        return Err(FileError::Unreadable("imp.err_xls"));
    }
    if lower.ends_with(".ods") {
        return Err(FileError::Unreadable("imp.err_ods"));
    }
    let table = if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        xlsx_cells(bytes)?
    } else {
        csv_cells(bytes)?
    };
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_the_export_neutralised_reads_back_as_it_was() {
        assert_eq!(unneutralised("'=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")");
        assert_eq!(unneutralised("'-5"), "-5");
        assert_eq!(unneutralised("'Ba"), "'Ba", "an apostrophe in a name stays");
        assert_eq!(unneutralised("O'Neil"), "O'Neil");
    }

    #[test]
    fn a_semicolon_csv_with_vietnamese_headers_is_read() {
        let csv = "\u{feff}Mã NV;Họ và tên;Đơn vị;Loại;Ngày sinh\nNV1;Nguyễn Văn An;VP;Công chức;01/02/1980\n;;;;\nNV2;Trần Thị Bình;VP;Viên chức;\n";
        let rows = read_csv(csv.as_bytes()).expect("read").rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].raw.full_name, "Nguyễn Văn An");
        assert_eq!(
            rows[1].line, 4,
            "an empty row still counts for the line number"
        );
        assert_eq!(rows[1].raw.category, "Viên chức");
    }

    #[test]
    fn a_windows_1258_csv_is_decoded_to_composed_unicode() {
        // Windows-1258 writes tones as combining marks after a base letter (ê + ̃ , ư + ́).
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258
            .encode("code,name\nNV1,Nguy\u{ea}\u{303}n V\u{103}n \u{110}\u{1b0}\u{301}c\n");
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        let rows = read_csv(&bytes).expect("read").rows;
        assert_eq!(rows[0].raw.full_name, "Nguyễn Văn Đức");
    }

    /// A valid XLSX whose one sheet is `extra` bytes of spaces larger than it looks.
    fn bomb(extra: usize) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let part = |w: &mut zip::ZipWriter<_>, name: &str, body: &[u8]| {
            w.start_file(name, opts).expect("part");
            w.write_all(body).expect("write");
        };
        part(&mut w, "[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#);
        part(&mut w, "_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        part(&mut w, "xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        part(&mut w, "xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#);
        w.start_file("xl/worksheets/sheet1.xml", opts)
            .expect("sheet");
        w.write_all(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>NV1</t></is></c><c r="B2" t="inlineStr"><is><t>Nguyễn An</t></is></c></row></sheetData>"#.as_bytes()).expect("w");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..extra / chunk.len() {
            w.write_all(&chunk).expect("w");
        }
        w.write_all(b"</worksheet>").expect("w");
        w.finish().expect("zip").into_inner()
    }

    #[test]
    fn a_small_xlsx_reads_and_a_zip_bomb_is_refused_without_inflating_it() {
        let ok = bomb(0);
        let rows = read_xlsx(&ok).expect("a small workbook reads").rows;
        assert_eq!(rows[0].raw.full_name, "Nguyễn An");
        let b = bomb(200 << 20);
        assert!(
            b.len() < 2 << 20,
            "200 MiB of spaces pack into {} bytes",
            b.len()
        );
        let peak = || {
            std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmHWM:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                })
                .unwrap_or(0)
        };
        let before = peak();
        assert_eq!(
            read_xlsx(&b),
            Err(FileError::Unreadable("imp.err_unpacks_too_big"))
        );
        let grew_kib = peak().saturating_sub(before);
        assert!(grew_kib < 64 * 1024, "peak memory grew by {grew_kib} KiB");
    }

    #[test]
    fn a_file_without_a_code_column_is_refused() {
        assert_eq!(
            read_csv(b"name,unit\nAn,VP\n"),
            Err(FileError::MissingColumn("imp.err_no_code_column"))
        );
    }
}
