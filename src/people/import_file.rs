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
}

#[derive(Debug, PartialEq, Eq)]
pub enum FileError {
    /// i18n key
    Unreadable(&'static str),
    MissingColumn(&'static str),
}

#[derive(Clone, Copy)]
enum Col {
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

fn column_of(header: &str) -> Option<Col> {
    let h = fold_search(header.trim_start_matches('\u{feff}'));
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(c, _)| *c)
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
fn rows_to_people(table: Vec<Vec<String>>) -> Result<Vec<FileRow>, FileError> {
    let mut it = table.into_iter();
    let header = it.next().ok_or(FileError::Unreadable("imp.err_empty"))?;
    let cols: Vec<Option<Col>> = header.iter().map(|h| column_of(h)).collect();
    if !cols.iter().any(|c| matches!(c, Some(Col::Code))) {
        return Err(FileError::MissingColumn("imp.err_no_code_column"));
    }
    if !cols.iter().any(|c| matches!(c, Some(Col::Name))) {
        return Err(FileError::MissingColumn("imp.err_no_name_column"));
    }
    let mut out = Vec::new();
    for (i, row) in it.enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut raw = RawPerson::default();
        for (j, v) in row.into_iter().enumerate() {
            if let Some(Some(col)) = cols.get(j) {
                set(&mut raw, *col, v.trim().nfc().collect());
            }
        }
        out.push(FileRow { line: i + 2, raw });
    }
    if out.is_empty() {
        return Err(FileError::Unreadable("imp.err_empty"));
    }
    Ok(out)
}

/// CSV text: UTF-8 (with or without BOM) or, failing that, Windows-1258; `;`, `,` or tab.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<FileRow>, FileError> {
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
        table.push(rec.iter().map(str::to_string).collect());
    }
    rows_to_people(table)
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

/// The first sheet of an XLSX workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<FileRow>, FileError> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(FileError::Unreadable("imp.err_empty"))?
        .map_err(|_| FileError::Unreadable("imp.err_xlsx"))?;
    let table = range.rows().map(|r| r.iter().map(cell).collect()).collect();
    rows_to_people(table)
}

/// Chooses the reader by file name (or by content: XLSX files are ZIPs starting with "PK").
pub fn read_any(name: &str, bytes: &[u8]) -> Result<Vec<FileRow>, FileError> {
    if name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_semicolon_csv_with_vietnamese_headers_is_read() {
        let csv = "\u{feff}Mã NV;Họ và tên;Đơn vị;Loại;Ngày sinh\nNV1;Nguyễn Văn An;VP;Công chức;01/02/1980\n;;;;\nNV2;Trần Thị Bình;VP;Viên chức;\n";
        let rows = read_csv(csv.as_bytes()).expect("read");
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
        let rows = read_csv(&bytes).expect("read");
        assert_eq!(rows[0].raw.full_name, "Nguyễn Văn Đức");
    }

    #[test]
    fn a_file_without_a_code_column_is_refused() {
        assert_eq!(
            read_csv(b"name,unit\nAn,VP\n"),
            Err(FileError::MissingColumn("imp.err_no_code_column"))
        );
    }
}
