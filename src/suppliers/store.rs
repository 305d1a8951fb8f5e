//! All diesel code of suppliers, their contracts and their invoices.

use super::einvoice::{self, EInvoice, LineKind};
use crate::attachments::{self, NewFile};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    contract_prices, invoice_lines, supplier_contracts, supplier_invoices, suppliers,
};
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use crate::ui::format::fold_search;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

pub const BILLS_ORDERED: &str = "ordered";
pub const BILLS_SERVED: &str = "served";
/// The owner kind of an invoice's original file in `attachments`.
pub const INVOICE_FILE: &str = "supplier_invoice";
/// An invoice of a canteen month stays far below this (100 billion đồng).
pub const MAX_INVOICE: i64 = 100_000_000_000;

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = suppliers)]
pub struct Supplier {
    pub id: i32,
    pub name: String,
    pub tax_code: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contract {
    pub id: i32,
    pub supplier_id: i32,
    pub reference: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub bills: String,
    /// (option name, price); "" is every other option.
    pub prices: Vec<(String, Vnd)>,
}

impl Contract {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
    /// The contract price of an option (its own, else the price of every other option).
    pub fn price_for(&self, option: &str) -> Option<Vnd> {
        let f = fold_search(option);
        self.prices
            .iter()
            .find(|(n, _)| !n.is_empty() && fold_search(n) == f)
            .or_else(|| self.prices.iter().find(|(n, _)| n.is_empty()))
            .map(|(_, p)| *p)
    }
    pub fn bills_ordered(&self) -> bool {
        self.bills == BILLS_ORDERED
    }
}

/// The contract in force on a day.
pub fn contract_on(contracts: &[Contract], day: NaiveDate) -> Option<&Contract> {
    contracts.iter().find(|c| c.covers(day))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    pub line_no: i32,
    pub name: String,
    pub quantity: i64,
    pub amount: i64,
    pub day: Option<NaiveDate>,
    pub option: Option<String>,
    /// Every day the line's text names (checked against the month; not stored).
    pub named: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: i32,
    pub supplier_id: i32,
    pub month: String,
    pub seller_tax_code: String,
    pub template: String,
    pub series: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub total: Vnd,
    pub source: String,
    pub attachment_id: Option<i32>,
    pub lines: Vec<InvoiceLine>,
}

impl Invoice {
    /// "1/C26TAA/123" as the invoice prints it.
    pub fn label(&self) -> String {
        format!("{}/{}/{}", self.template, self.series, self.number)
    }
}

pub fn suppliers(conn: &mut DbConn) -> Result<Vec<Supplier>, AppError> {
    Ok(suppliers::table
        .order(suppliers::name.asc())
        .select(Supplier::as_select())
        .load(conn)?)
}

fn valid_tax_code(s: &str) -> bool {
    // 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
    let b = s.as_bytes();
    (b.len() == 10 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 14
            && b[..10].iter().all(u8::is_ascii_digit)
            && b[10] == b'-'
            && b[11..].iter().all(u8::is_ascii_digit))
}

/// Store command: a new supplier. Returns its id.
pub fn add_supplier(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    name: &str,
    tax_code: &str,
    address: &str,
) -> Result<i32, AppError> {
    let (name, tax_code, address) = (name.trim(), tax_code.trim(), address.trim());
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::BadRequest("supp.err_name"));
    }
    if !valid_tax_code(tax_code) {
        return Err(AppError::BadRequest("supp.err_tax_code"));
    }
    let taken: i64 = suppliers::table
        .filter(suppliers::tax_code.eq(tax_code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::BadRequest("supp.err_tax_code_taken"));
    }
    let id = diesel::insert_into(suppliers::table)
        .values((
            suppliers::name.eq(name),
            suppliers::tax_code.eq(tax_code),
            suppliers::address.eq(address),
            suppliers::created_at.eq(now),
            suppliers::created_by.eq(actor.user_id),
        ))
        .returning(suppliers::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("supplier.create", "supplier")
            .id(id)
            .after(json!({"name": name, "tax_code": tax_code, "address": address})),
    )?;
    Ok(id)
}

pub fn contracts(conn: &mut DbConn) -> Result<Vec<Contract>, AppError> {
    type Row = (i32, i32, String, NaiveDate, Option<NaiveDate>, String);
    let rows: Vec<Row> = supplier_contracts::table
        .order(supplier_contracts::valid_from.asc())
        .select((
            supplier_contracts::id,
            supplier_contracts::supplier_id,
            supplier_contracts::reference,
            supplier_contracts::valid_from,
            supplier_contracts::valid_to,
            supplier_contracts::bills,
        ))
        .load(conn)?;
    let prices: Vec<(i32, String, i64)> = contract_prices::table
        .order((contract_prices::contract_id, contract_prices::option_name))
        .select((
            contract_prices::contract_id,
            contract_prices::option_name,
            contract_prices::price_vnd,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, supplier_id, reference, valid_from, valid_to, bills)| Contract {
                id,
                supplier_id,
                reference,
                valid_from,
                valid_to,
                bills,
                prices: prices
                    .iter()
                    .filter(|p| p.0 == id)
                    .map(|p| (p.1.clone(), Vnd(p.2)))
                    .collect(),
            },
        )
        .collect())
}

pub struct NewContract<'a> {
    pub supplier_id: i32,
    pub reference: &'a str,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub bills: &'a str,
    pub prices: &'a [(String, Vnd)],
}

/// Store command: a contract with its prices. One caterer at a time: a contract overlapping
/// another is refused, and so is one reaching into a closed month (its reconciliation would
/// change). Returns its id.
pub fn add_contract(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    c: &NewContract,
) -> Result<i32, AppError> {
    let reference = c.reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        return Err(AppError::BadRequest("supp.err_reference"));
    }
    if c.valid_to.is_some_and(|t| t < c.valid_from) {
        return Err(AppError::BadRequest("policy.err_dates"));
    }
    if c.bills != BILLS_ORDERED && c.bills != BILLS_SERVED {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    if c.prices.is_empty() || c.prices.iter().any(|(_, p)| p.0 <= 0 || p.0 > 100_000_000) {
        return Err(AppError::BadRequest("supp.err_price"));
    }
    let exists: i64 = suppliers::table
        .find(c.supplier_id)
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    crate::periods::ensure_open_range(conn, c.valid_from, c.valid_to.unwrap_or(far))?;
    let end = c.valid_to.unwrap_or(far);
    if contracts(conn)?
        .iter()
        .any(|o| o.valid_from <= end && c.valid_from <= o.valid_to.unwrap_or(far))
    {
        return Err(AppError::BadRequest("supp.err_overlap"));
    }
    let id: i32 = diesel::insert_into(supplier_contracts::table)
        .values((
            supplier_contracts::supplier_id.eq(c.supplier_id),
            supplier_contracts::reference.eq(reference),
            supplier_contracts::valid_from.eq(c.valid_from),
            supplier_contracts::valid_to.eq(c.valid_to),
            supplier_contracts::bills.eq(c.bills),
            supplier_contracts::created_at.eq(now),
            supplier_contracts::created_by.eq(actor.user_id),
        ))
        .returning(supplier_contracts::id)
        .get_result(conn)?;
    for (name, price) in c.prices {
        diesel::insert_into(contract_prices::table)
            .values((
                contract_prices::contract_id.eq(id),
                contract_prices::option_name.eq(name.trim()),
                contract_prices::price_vnd.eq(price.0),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("supplier_contract.create", "supplier_contract")
            .id(id)
            .after(json!({"supplier_id": c.supplier_id, "reference": reference,
                "valid_from": c.valid_from, "valid_to": c.valid_to, "bills": c.bills,
                "prices": c.prices.iter().map(|(n, p)| json!({"option": n, "price_vnd": p.0})).collect::<Vec<_>>()})),
    )?;
    Ok(id)
}

pub fn invoices_of(conn: &mut DbConn, month: &str) -> Result<Vec<Invoice>, AppError> {
    type Row = (
        i32,
        i32,
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        i64,
        String,
        Option<i32>,
    );
    let rows: Vec<Row> = supplier_invoices::table
        .filter(supplier_invoices::month.eq(month))
        .order(supplier_invoices::id.asc())
        .select((
            supplier_invoices::id,
            supplier_invoices::supplier_id,
            supplier_invoices::month,
            supplier_invoices::seller_tax_code,
            supplier_invoices::template,
            supplier_invoices::series,
            supplier_invoices::number,
            supplier_invoices::issued_on,
            supplier_invoices::total_vnd,
            supplier_invoices::source,
            supplier_invoices::attachment_id,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    type LineRow = (
        i32,
        i32,
        String,
        i64,
        i64,
        Option<NaiveDate>,
        Option<String>,
    );
    let lines: Vec<LineRow> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq_any(&ids))
        .order((invoice_lines::invoice_id, invoice_lines::line_no))
        .select((
            invoice_lines::invoice_id,
            invoice_lines::line_no,
            invoice_lines::name,
            invoice_lines::quantity,
            invoice_lines::amount_vnd,
            invoice_lines::service_date,
            invoice_lines::option_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Invoice {
            id: r.0,
            supplier_id: r.1,
            month: r.2,
            seller_tax_code: r.3,
            template: r.4,
            series: r.5,
            number: r.6,
            issued_on: r.7,
            total: Vnd(r.8),
            source: r.9,
            attachment_id: r.10,
            lines: lines
                .iter()
                .filter(|l| l.0 == r.0)
                .map(|l| InvoiceLine {
                    line_no: l.1,
                    name: l.2.clone(),
                    quantity: l.3,
                    amount: l.4,
                    day: l.5,
                    option: l.6.clone(),
                    named: Vec::new(),
                })
                .collect(),
        })
        .collect())
}

/// An invoice to record: typed in, or read from an e-invoice file (kept as the original).
pub struct NewInvoice<'a> {
    pub month: NaiveDate,
    /// Entered by hand: the supplier chosen; from a file: found by the seller's tax code.
    pub supplier_id: Option<i32>,
    pub seller_tax_code: Option<&'a str>,
    pub template: &'a str,
    pub series: &'a str,
    pub number: &'a str,
    pub issued_on: NaiveDate,
    pub total: Vnd,
    pub lines: Vec<InvoiceLine>,
    /// (file name, bytes) of the e-invoice XML.
    pub original: Option<(&'a str, &'a [u8])>,
}

impl<'a> NewInvoice<'a> {
    /// An e-invoice read from a file, for the month it is booked in.
    pub fn from_einvoice(
        e: &'a EInvoice,
        month: NaiveDate,
        file_name: &'a str,
        bytes: &'a [u8],
    ) -> Self {
        NewInvoice {
            month,
            supplier_id: None,
            seller_tax_code: Some(&e.seller_tax_code),
            template: &e.template,
            series: &e.series,
            number: &e.number,
            issued_on: e.issued_on,
            total: e.total,
            lines: e
                .lines
                .iter()
                .filter(|l| l.kind != LineKind::Note)
                .map(|l| InvoiceLine {
                    line_no: l.no,
                    name: l.name.clone(),
                    quantity: if l.kind == LineKind::Goods {
                        l.quantity
                    } else {
                        0
                    },
                    amount: l.amount,
                    day: l.day,
                    option: None,
                    named: l.days.clone(),
                })
                .collect(),
            original: Some((file_name, bytes)),
        }
    }
}

/// An invoice's identity as the tax authority compares it: the template without leading
/// zeros ("01" is "1"), the series in capitals, the number without leading zeros.
pub fn identity(template: &str, series: &str, number: &str) -> (String, String, String) {
    let digits = |s: &str| {
        let s = s.trim();
        let t = s.trim_start_matches('0');
        if t.is_empty() && !s.is_empty() {
            "0".to_string()
        } else {
            t.to_string()
        }
    };
    (
        digits(template),
        series.trim().to_uppercase(),
        digits(number),
    )
}

/// Store command: records a supplier invoice for an open month. A duplicate (same seller tax
/// code, template, series and number) is refused, and so is a seller who is not a supplier.
/// Lines naming a day of the month are matched to it, and to the option of that day their
/// name mentions. The e-invoice file is kept. Audited. Returns the invoice id.
pub fn add_invoice(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    inv: &NewInvoice,
) -> Result<i32, AppError> {
    let month = crate::periods::month_key(inv.month);
    crate::periods::ensure_open(conn, inv.month)?;
    let (template, series, number) = identity(inv.template, inv.series, inv.number);
    if [&template, &series, &number].iter().any(|s| s.is_empty()) {
        return Err(AppError::BadRequest("einv.err_identity"));
    }
    // Template: a digit or two; series: capitals and digits; number: up to eight digits.
    let digits = |s: &str, n: usize| s.len() <= n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&template, 2)
        || !digits(&number, 8)
        || series.len() > 9
        || !series
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(AppError::BadRequest("einv.err_format"));
    }
    if inv.total.0 <= 0 || inv.total.0 > MAX_INVOICE {
        return Err(AppError::BadRequest("einv.err_total"));
    }
    let (from, to) = crate::subsidy::store::month_of(inv.month);
    // An invoice for a month is issued in it or in the two months after, never ahead of today.
    let today = crate::clock::business_date_of(now);
    if inv.issued_on < from
        || inv.issued_on > today
        || inv.issued_on > to + chrono::Duration::days(62)
    {
        return Err(AppError::BadRequest("einv.err_issued_on"));
    }
    if inv.lines.iter().any(|l| {
        l.day
            .iter()
            .chain(l.named.iter())
            .any(|d| *d < from || *d > to)
    }) {
        return Err(AppError::BadRequest("einv.err_line_month"));
    }
    if !inv.lines.is_empty() {
        // Each line's VAT is rounded on its own: a đồng per line at most.
        let lines: i64 = inv.lines.iter().map(|l| l.amount).sum();
        if (lines - inv.total.0).abs() > inv.lines.len() as i64 {
            return Err(AppError::BadRequest("einv.err_lines_total"));
        }
    }
    let supplier: Supplier = match (inv.supplier_id, inv.seller_tax_code) {
        (Some(id), _) => suppliers::table
            .find(id)
            .select(Supplier::as_select())
            .get_result(conn)
            .optional()?
            .ok_or(AppError::BadRequest("err.bad_form"))?,
        (None, Some(mst)) => suppliers::table
            .filter(suppliers::tax_code.eq(mst))
            .select(Supplier::as_select())
            .get_result(conn)
            .optional()?
            .ok_or(AppError::BadRequest("einv.err_unknown_seller"))?,
        (None, None) => return Err(AppError::BadRequest("err.bad_form")),
    };
    let duplicate: i64 = supplier_invoices::table
        .filter(supplier_invoices::seller_tax_code.eq(&supplier.tax_code))
        .filter(supplier_invoices::template.eq(&template))
        .filter(supplier_invoices::series.eq(&series))
        .filter(supplier_invoices::number.eq(&number))
        .count()
        .get_result(conn)?;
    if duplicate > 0 {
        return Err(AppError::BadRequest("einv.err_duplicate"));
    }
    let options = crate::canteen::store::option_names_between(conn, from, to)?;
    let id: i32 = diesel::insert_into(supplier_invoices::table)
        .values((
            supplier_invoices::supplier_id.eq(supplier.id),
            supplier_invoices::month.eq(&month),
            supplier_invoices::seller_tax_code.eq(&supplier.tax_code),
            supplier_invoices::template.eq(&template),
            supplier_invoices::series.eq(&series),
            supplier_invoices::number.eq(&number),
            supplier_invoices::issued_on.eq(inv.issued_on),
            supplier_invoices::total_vnd.eq(inv.total.0),
            supplier_invoices::source.eq(if inv.original.is_some() {
                "xml"
            } else {
                "manual"
            }),
            supplier_invoices::created_at.eq(now),
            supplier_invoices::created_by.eq(actor.user_id),
        ))
        .returning(supplier_invoices::id)
        .get_result(conn)?;
    let mut matched = 0;
    for (i, l) in inv.lines.iter().enumerate() {
        let day = l.day.filter(|d| from <= *d && *d <= to);
        let option = day.and_then(|d| {
            let name = fold_search(&l.name);
            options
                .iter()
                .filter(|(od, _)| *od == d)
                .find(|(_, o)| name.contains(&fold_search(o)))
                .map(|(_, o)| o.clone())
        });
        if day.is_some() {
            matched += 1;
        }
        diesel::insert_into(invoice_lines::table)
            .values((
                invoice_lines::invoice_id.eq(id),
                invoice_lines::line_no.eq(i as i32 + 1),
                invoice_lines::name.eq(&l.name),
                invoice_lines::quantity.eq(l.quantity),
                invoice_lines::amount_vnd.eq(l.amount),
                invoice_lines::service_date.eq(day),
                invoice_lines::option_name.eq(option),
            ))
            .execute(conn)?;
    }
    let mut sha = None;
    if let Some((file_name, bytes)) = inv.original {
        let file = attachments::store(
            conn,
            actor.user_id,
            now,
            &NewFile {
                owner_kind: INVOICE_FILE,
                owner_id: id,
                file_name,
                media_type: "application/xml",
                content: bytes,
            },
        )?;
        diesel::update(supplier_invoices::table.find(id))
            .set(supplier_invoices::attachment_id.eq(file))
            .execute(conn)?;
        sha = Some(attachments::sha256_hex(bytes));
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("supplier_invoice.create", "supplier_invoice")
            .id(id)
            .after(json!({"month": month, "supplier_id": supplier.id,
                "seller_tax_code": supplier.tax_code, "template": template, "series": series,
                "number": number, "issued_on": inv.issued_on, "total_vnd": inv.total.0,
                "lines": inv.lines.len(), "lines_with_day": matched, "file_sha256": sha})),
    )?;
    Ok(id)
}

/// Store command: removes an invoice recorded by mistake from an open month (its original
/// file stays kept). Audited with what it said.
pub fn delete_invoice(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
) -> Result<String, AppError> {
    let row: Option<(String, String, String, String, String, i64)> = supplier_invoices::table
        .find(id)
        .select((
            supplier_invoices::month,
            supplier_invoices::seller_tax_code,
            supplier_invoices::template,
            supplier_invoices::series,
            supplier_invoices::number,
            supplier_invoices::total_vnd,
        ))
        .get_result(conn)
        .optional()?;
    let (month, mst, template, series, number, total) = row.ok_or(AppError::NotFound)?;
    let first = crate::ui::format::parse_month(&month).ok_or(AppError::NotFound)?;
    crate::periods::ensure_open(conn, first)?;
    diesel::delete(invoice_lines::table.filter(invoice_lines::invoice_id.eq(id))).execute(conn)?;
    diesel::delete(supplier_invoices::table.find(id)).execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("supplier_invoice.delete", "supplier_invoice")
            .id(id)
            .before(
                json!({"month": month, "seller_tax_code": mst, "template": template,
                "series": series, "number": number, "total_vnd": total}),
            ),
    )?;
    Ok(month)
}

/// The original file of an invoice.
pub fn original(conn: &mut DbConn, invoice: i32) -> Result<attachments::File, AppError> {
    let file: Option<i32> = supplier_invoices::table
        .find(invoice)
        .select(supplier_invoices::attachment_id)
        .get_result(conn)
        .optional()?
        .flatten();
    attachments::of_owner(conn, file.ok_or(AppError::NotFound)?, INVOICE_FILE, invoice)
}

/// Reads an e-invoice upload (pure wrapper, for the handler and the tests).
pub fn read_einvoice(bytes: &[u8]) -> Result<EInvoice, einvoice::Refusal> {
    einvoice::parse(bytes)
}

/// Store command: ends a contract on `to` (a new one, with new prices, may start the next
/// day). The days it stops covering must lie in open months. Audited.
pub fn end_contract(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    to: NaiveDate,
    reason: &str,
) -> Result<(), AppError> {
    let (from, old_to): (NaiveDate, Option<NaiveDate>) = supplier_contracts::table
        .find(id)
        .select((supplier_contracts::valid_from, supplier_contracts::valid_to))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::periods::ensure_can_end(conn, from, old_to, to, reason)?;
    diesel::update(supplier_contracts::table.find(id))
        .set(supplier_contracts::valid_to.eq(Some(to)))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("supplier_contract.end", "supplier_contract")
            .id(id)
            .before(json!({"valid_to": old_to}))
            .after(json!({"valid_to": to, "reason": reason.trim()})),
    )
}
