//! Reading a Vietnamese e-invoice (hóa đơn điện tử) in the tax authority's XML format
//! (Decree 123/2020, Circular 78/2021, carried on by Circular 32/2025): `HDon/DLHDon` with
//! `TTChung` (template `KHMSHDon`, series `KHHDon`, number `SHDon`, date `NLap`, currency
//! `DVTTe`), `NDHDon/NBan` (seller, `MST`), `NDHDon/DSHHDVu/HHDVu` (lines: kind `TChat`, name
//! `THHDVu`, quantity `SLuong`, unit price `DGia`, amount before VAT `ThTien`, VAT rate
//! `TSuat`) and `NDHDon/TToan` (amount payable `TgTTTBSo`). Pure: bytes in, invoice or the
//! reason out.
//!
//! Numbers are XML decimals (`.` as the decimal point, no grouping), never Vietnamese money
//! text. Amounts are rounded to whole đồng, half away from zero. DTDs (and so entities) are
//! refused, and so is a file over `MAX_BYTES`.

use crate::money::Vnd;
use chrono::NaiveDate;
use roxmltree::{Document, Node, ParsingOptions};

/// An e-invoice of a canteen month is a few kilobytes; a megabyte is far beyond any.
pub const MAX_BYTES: usize = 1024 * 1024;

/// What a line is (`TChat`): goods or services, a promotion (no charge), a trade discount
/// (reduces the total) or a note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Goods,
    Promotion,
    Discount,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub no: i32,
    pub kind: LineKind,
    pub name: String,
    /// Whole units (meals); 0 when the line has none.
    pub quantity: i64,
    /// The line's amount with its VAT, in đồng; negative for a discount, 0 for notes and
    /// promotions.
    pub amount: i64,
    /// The day the line's name mentions ("… ngày 03/11/2026"), if it names exactly one.
    pub day: Option<NaiveDate>,
    /// Every day the line's name mentions (a range names two).
    pub days: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EInvoice {
    pub template: String,
    pub series: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub seller_name: String,
    pub seller_tax_code: String,
    pub lines: Vec<Line>,
    /// Amount payable (`TgTTTBSo`), VAT included.
    pub total: Vnd,
}

/// Why a file is refused: an i18n key and, where it helps, the element or value at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub detail: String,
}

fn refuse(key: &'static str, detail: impl Into<String>) -> Refusal {
    Refusal {
        key,
        detail: detail.into(),
    }
}

/// An XML decimal as an integer count of 1/10 000 (enough for unit prices before VAT).
fn decimal_e4(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 20
    {
        return None;
    }
    let mut v: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut scale = 0;
    for b in frac.bytes() {
        if scale == 4 {
            // Beyond 1/10 000 only rounding is left to do.
            if b >= b'5' {
                v += 1;
            }
            break;
        }
        v = v * 10 + i128::from(b - b'0');
        scale += 1;
    }
    for _ in scale..4 {
        v *= 10;
    }
    Some(if neg { -v } else { v })
}

/// Rounds 1/10 000 units to whole units, half away from zero.
fn round_e4(v: i128) -> i128 {
    let q = v / 10_000;
    let r = v % 10_000;
    if r.abs() >= 5_000 {
        q + r.signum()
    } else {
        q
    }
}

/// Whole đồng of an XML decimal.
pub fn dong(s: &str) -> Option<i64> {
    decimal_e4(s).and_then(|v| i64::try_from(round_e4(v)).ok())
}

/// The VAT rate in basis points: "8%" → 800, "KCT"/"KKKNT" (not taxable) → 0,
/// "KHAC:5.26%" → 526.
fn vat_bp(s: &str) -> Option<i128> {
    let s = s.trim();
    if s.is_empty() || s == "KCT" || s == "KKKNT" {
        return Some(0);
    }
    let s = s.strip_prefix("KHAC:").unwrap_or(s);
    let pct = decimal_e4(s.strip_suffix('%')?)?;
    // percent in 1/10 000 → basis points (1 % = 100 bp)
    Some(pct / 100)
}

/// Every date a text writes (dd/mm/yyyy or yyyy-mm-dd); Err(the text) of something written
/// like a date that is not one ("31/11/2026", "5/11/26").
pub fn days_in(text: &str) -> Result<Vec<NaiveDate>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // A run of digits and separators starting here.
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'/' || b[j] == b'-') {
            j += 1;
        }
        let token = text[i..j].trim_end_matches(['/', '-']);
        let parts: Vec<&str> = token.split(['/', '-']).collect();
        if parts.len() == 3 {
            let parsed = if token.contains('/') {
                (parts[0].len() == 2 && parts[1].len() == 2 && parts[2].len() == 4)
                    .then(|| NaiveDate::parse_from_str(token, "%d/%m/%Y").ok())
                    .flatten()
            } else {
                (parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2)
                    .then(|| NaiveDate::parse_from_str(token, "%Y-%m-%d").ok())
                    .flatten()
            };
            match parsed {
                Some(d) => out.push(d),
                None => return Err(token.to_string()),
            }
        }
        i = j.max(i + 1);
    }
    Ok(out)
}

/// The first date written dd/mm/yyyy in a text.
pub fn day_in(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = text.get(i..i + 10)?;
        let ok = w.bytes().enumerate().all(|(j, c)| {
            if j == 2 || j == 5 {
                c == b'/'
            } else {
                c.is_ascii_digit()
            }
        });
        let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
        if ok && before_ok {
            NaiveDate::parse_from_str(w, "%d/%m/%Y").ok()
        } else {
            None
        }
    })
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: Node, name: &str) -> Option<String> {
    child(n, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn required(n: Node, name: &'static str) -> Result<String, Refusal> {
    text_of(n, name).ok_or_else(|| refuse("einv.err_missing", name))
}

fn element<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> Result<Node<'a, 'i>, Refusal> {
    child(n, name).ok_or_else(|| refuse("einv.err_missing", name))
}

/// Reads an e-invoice file.
pub fn parse(bytes: &[u8]) -> Result<EInvoice, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(refuse("einv.err_too_big", ""));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| refuse("einv.err_not_utf8", ""))?;
    let opts = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => refuse("einv.err_dtd", ""),
        // The position, not the parser's English.
        other => {
            let p = other.pos();
            refuse("einv.err_xml", format!("{}:{}", p.row, p.col))
        }
    })?;
    let data = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "DLHDon")
        .ok_or_else(|| refuse("einv.err_not_invoice", "DLHDon"))?;
    let general = element(data, "TTChung")?;
    let content = element(data, "NDHDon")?;
    let seller = element(content, "NBan")?;
    let currency = text_of(general, "DVTTe").unwrap_or_else(|| "VND".into());
    if currency != "VND" {
        return Err(refuse("einv.err_currency", currency));
    }
    let date_text = required(general, "NLap")?;
    let issued_on = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
        .map_err(|_| refuse("einv.err_number", format!("NLap = {date_text}")))?;
    let tax_code = required(seller, "MST")?;
    if !tax_code.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        || tax_code.len() < 10
        || tax_code.len() > 14
    {
        return Err(refuse("einv.err_number", format!("MST = {tax_code}")));
    }
    let totals = element(content, "TToan")?;
    let total_text = required(totals, "TgTTTBSo")?;
    // The amount payable in đồng is a whole number.
    let total = decimal_e4(&total_text)
        .filter(|v| *v > 0 && v % 10_000 == 0)
        .and_then(|v| i64::try_from(v / 10_000).ok())
        .ok_or_else(|| refuse("einv.err_number", format!("TgTTTBSo = {total_text}")))?;
    let mut lines = Vec::new();
    if let Some(list) = child(content, "DSHHDVu") {
        for (i, item) in list
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "HHDVu")
            .enumerate()
        {
            lines.push(line(item, i)?);
        }
    }
    if !lines.iter().any(|l| l.kind == LineKind::Goods) {
        return Err(refuse("einv.err_no_lines", ""));
    }
    Ok(EInvoice {
        template: required(general, "KHMSHDon")?,
        series: required(general, "KHHDon")?,
        number: required(general, "SHDon")?,
        issued_on,
        seller_name: text_of(seller, "Ten").unwrap_or_default(),
        seller_tax_code: tax_code,
        lines,
        total: Vnd(total),
    })
}

fn line(item: Node, index: usize) -> Result<Line, Refusal> {
    let kind = match text_of(item, "TChat").as_deref() {
        None | Some("1") => LineKind::Goods,
        Some("2") => LineKind::Promotion,
        Some("3") => LineKind::Discount,
        Some("4") => LineKind::Note,
        Some(other) => return Err(refuse("einv.err_number", format!("TChat = {other}"))),
    };
    let no = text_of(item, "STT")
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(index as i32 + 1);
    let name = text_of(item, "THHDVu").unwrap_or_default();
    let number = |field: &'static str| -> Result<Option<i128>, Refusal> {
        match text_of(item, field) {
            None => Ok(None),
            Some(t) => decimal_e4(&t)
                .map(Some)
                .ok_or_else(|| refuse("einv.err_number", format!("{field} = {t}"))),
        }
    };
    let quantity = match number("SLuong")? {
        None => 0,
        Some(q) if q % 10_000 == 0 => {
            i64::try_from(q / 10_000).map_err(|_| refuse("einv.err_number", "SLuong"))?
        }
        Some(_) => {
            return Err(refuse(
                "einv.err_fraction",
                format!("{no}: {}", text_of(item, "SLuong").unwrap_or_default()),
            ))
        }
    };
    let before_vat = number("ThTien")?.unwrap_or(0);
    let rate = match text_of(item, "TSuat") {
        None => 0,
        Some(t) => vat_bp(&t).ok_or_else(|| refuse("einv.err_number", format!("TSuat = {t}")))?,
    };
    let with_vat = round_e4(before_vat * (10_000 + rate) / 10_000);
    let amount = i64::try_from(with_vat.abs()).map_err(|_| refuse("einv.err_number", "ThTien"))?;
    let amount = match kind {
        LineKind::Goods => amount,
        LineKind::Discount => -amount,
        LineKind::Promotion | LineKind::Note => 0,
    };
    let days = days_in(&name).map_err(|t| refuse("einv.err_line_date", format!("{no}: {t}")))?;
    Ok(Line {
        no,
        kind,
        day: match days.as_slice() {
            [d] => Some(*d),
            _ => None,
        },
        days,
        name,
        quantity,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(lines: &str, total: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<HDon><DLHDon Id="data">
<TTChung><PBan>2.1.0</PBan><THDon>Hóa đơn giá trị gia tăng</THDon><KHMSHDon>1</KHMSHDon>
<KHHDon>C26TAA</KHHDon><SHDon>123</SHDon><NLap>2026-11-02</NLap><DVTTe>VND</DVTTe></TTChung>
<NDHDon><NBan><Ten>Công ty Suất ăn Hà Nội</Ten><MST>0101234567</MST></NBan>
<NMua><Ten>Văn phòng Bộ</Ten></NMua>
<DSHHDVu>{lines}</DSHHDVu>
<TToan><TgTTTBSo>{total}</TgTTTBSo></TToan></NDHDon></DLHDon></HDon>"#
        )
    }

    #[test]
    fn a_good_invoice_reads_with_vat_and_days_from_line_names() {
        let xml = invoice(
            "<HHDVu><TChat>1</TChat><STT>1</STT><THHDVu>Suất ăn trưa ngày 03/11/2026 - Suất thường</THHDVu>\
             <SLuong>100</SLuong><DGia>32407.41</DGia><TSuat>8%</TSuat><ThTien>3240741</ThTien></HHDVu>\
             <HHDVu><TChat>3</TChat><STT>2</STT><THHDVu>Chiết khấu</THHDVu><ThTien>10000.00</ThTien><TSuat>8%</TSuat></HHDVu>\
             <HHDVu><TChat>4</TChat><STT>3</STT><THHDVu>Ghi chú</THHDVu></HHDVu>",
            "3489200",
        );
        let inv = parse(xml.as_bytes()).expect("parses");
        assert_eq!(
            (
                inv.template.as_str(),
                inv.series.as_str(),
                inv.number.as_str()
            ),
            ("1", "C26TAA", "123")
        );
        assert_eq!(inv.seller_tax_code, "0101234567");
        assert_eq!(inv.total, Vnd(3_489_200));
        assert_eq!(inv.lines.len(), 3);
        assert_eq!(inv.lines[0].quantity, 100);
        // 3 240 741 × 1.08 = 3 500 000.28 → 3 500 000
        assert_eq!(inv.lines[0].amount, 3_500_000);
        assert_eq!(inv.lines[0].day, NaiveDate::from_ymd_opt(2026, 11, 3));
        assert_eq!(inv.lines[1].amount, -10_800);
        assert_eq!(inv.lines[2].amount, 0);
    }

    #[test]
    fn numbers_are_xml_decimals_not_vietnamese_money() {
        assert_eq!(dong("35000.00"), Some(35_000));
        assert_eq!(dong("35000.5"), Some(35_001));
        assert_eq!(dong("-0.5"), Some(-1));
        assert_eq!(dong("1.23456"), Some(1));
        // "35.000" is thirty-five, never thirty-five thousand
        assert_eq!(dong("35.000"), Some(35));
        for bad in ["35,000", "1e3", "", ".", "3 5", "--1", "0x10"] {
            assert_eq!(dong(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_dtd_is_refused_so_no_entity_is_expanded() {
        let xml =
            r#"<?xml version="1.0"?><!DOCTYPE HDon [<!ENTITY a "aaaaaaaaaa">]><HDon>&a;</HDon>"#;
        assert_eq!(
            parse(xml.as_bytes()).map_err(|e| e.key),
            Err("einv.err_dtd")
        );
    }

    #[test]
    fn broken_incomplete_or_foreign_files_are_refused_with_the_reason() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"<HDon><DLHDon>".to_vec(), "einv.err_xml"),
            (b"\xff\xfe<a/>".to_vec(), "einv.err_not_utf8"),
            (b"<Other/>".to_vec(), "einv.err_not_invoice"),
            (
                invoice(GOOD, "1000")
                    .replace("<SHDon>123</SHDon>", "")
                    .into_bytes(),
                "einv.err_missing",
            ),
            (invoice(GOOD, "1.000.000").into_bytes(), "einv.err_number"),
            (
                invoice(GOOD, "1000").replace(">VND<", ">USD<").into_bytes(),
                "einv.err_currency",
            ),
            (invoice("", "1000").into_bytes(), "einv.err_no_lines"),
            (
                invoice(
                    "<HHDVu><THHDVu>Suất ngày 31/11/2026</THHDVu><SLuong>1</SLuong><ThTien>10</ThTien></HHDVu>",
                    "10",
                )
                .into_bytes(),
                "einv.err_line_date",
            ),
            (
                invoice(
                    "<HHDVu><SLuong>1.5</SLuong><ThTien>10</ThTien></HHDVu>",
                    "10",
                )
                .into_bytes(),
                "einv.err_fraction",
            ),
            (vec![b' '; MAX_BYTES + 1], "einv.err_too_big"),
        ];
        for (bytes, key) in cases {
            assert_eq!(parse(&bytes).map(|_| ()).map_err(|e| e.key), Err(key));
        }
    }

    const GOOD: &str = "<HHDVu><SLuong>1</SLuong><ThTien>1000</ThTien></HHDVu>";

    #[test]
    fn every_date_a_line_writes_is_read_and_a_false_one_refused() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert_eq!(
            days_in("từ 02/11/2026 đến 03/12/2026"),
            Ok(vec![d(11, 2), d(12, 3)])
        );
        assert_eq!(days_in("ngày 2026-11-05"), Ok(vec![d(11, 5)]));
        assert_eq!(days_in("Suất ăn tháng 11"), Ok(vec![]));
        assert_eq!(days_in("ngày 31/11/2026"), Err("31/11/2026".to_string()));
        assert_eq!(days_in("ngày 5/11/26"), Err("5/11/26".to_string()));
    }

    #[test]
    fn a_day_is_found_only_where_a_whole_date_is_written() {
        assert_eq!(
            day_in("Suất ăn 05/11/2026"),
            NaiveDate::from_ymd_opt(2026, 11, 5)
        );
        assert_eq!(day_in("Suất ăn tháng 11/2026"), None);
        assert_eq!(day_in("mã 105/11/2026"), None);
        assert_eq!(day_in("31/02/2026"), None);
    }
}

#[cfg(test)]
mod demo_file {
    /// The example under `demo/` (the demo's October invoice) reads as an e-invoice.
    #[test]
    fn the_example_e_invoice_in_demo_reads() {
        let bytes = include_bytes!("../../demo/hoa-don-dien-tu-mau.xml");
        let inv = super::parse(bytes).map_err(|r| r.key);
        assert!(
            inv.as_ref()
                .is_ok_and(|i| !i.lines.is_empty() && i.total.0 > 0),
            "{inv:?}"
        );
    }
}
