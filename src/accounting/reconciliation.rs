//! The reconciliation page of a month: per day what was ordered, served, billable and
//! invoiced, the money identity with its difference, every mismatch with its day, the
//! supplier invoices (typed in or imported from e-invoice XML) and the accountant's note on a
//! non-zero difference, which closing the month requires. XLSX of the per-day table.

use super::handlers::{load, month_label, MonthData};
use super::reconcile::{DayRow, Mismatch};
use super::store;
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::suppliers::store::{self as suppliers, NewInvoice, Supplier};
use crate::ui::export::{self, Table};
use crate::ui::format::{business_date, date};
use crate::ui::forms::{
    confirm_form, post_form, select, ConfirmForm, FieldErrors, Form, Input, CSRF_FIELD,
};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MonthQuery {
    m: Option<String>,
}

struct Page {
    d: MonthData,
    invoices: Vec<suppliers::Invoice>,
    suppliers: Vec<Supplier>,
}

async fn load_page(state: &AppState, first: NaiveDate) -> Result<Page, AppError> {
    let d = load(state, first).await?;
    let month = crate::periods::month_key(first);
    let (invoices, suppliers) = state
        .db
        .read(move |c| Ok((suppliers::invoices_of(c, &month)?, suppliers::suppliers(c)?)))
        .await?;
    Ok(Page {
        d,
        invoices,
        suppliers,
    })
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
) -> Result<Markup, AppError> {
    let first = super::handlers::month_first(q.m.as_deref(), state.clock.today())?;
    let p = load_page(&state, first).await?;
    Ok(view(&ctx, &user, &p, &Forms::default()))
}

/// What refused forms typed, to show again with their messages.
#[derive(Default)]
struct Forms {
    invoice: InvoiceForm,
    invoice_errors: FieldErrors,
    import_error: Option<(&'static str, String)>,
    note: String,
    note_error: Option<&'static str>,
}

fn money(v: i64) -> String {
    Vnd(v).to_string()
}

fn cell(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn view(ctx: &Ctx, user: &CurrentUser, p: &Page, f: &Forms) -> Markup {
    let d = &p.d;
    let r = &d.reconciliation;
    let key = d.first.format("%Y-%m").to_string();
    let label = format!("{:02}/{}", d.first.month(), d.first.year());
    let open = d.closed.is_none();
    let can_edit = open && user.has(Role::Accountant);
    let supplier_name = |id: i32| {
        p.suppliers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
            .unwrap_or("")
    };
    let supplier_options: Vec<(String, String)> = p
        .suppliers
        .iter()
        .map(|s| (s.id.to_string(), format!("{} — MST {}", s.name, s.tax_code)))
        .collect();
    layout::page(
        ctx,
        ctx.t("rec.title"),
        html! {
            (layout::title_bar(&ctx.tf("rec.title_for", &label), html! {
                a.button.secondary href=(format!("/accounting/month?m={key}")) { (ctx.t("month.title")) }
                a.button.secondary href=(format!("/accounting/reconciliation.xlsx?m={key}")) { "XLSX" }
                a.button.secondary href="/accounting/suppliers" { (ctx.t("supp.title")) }
            }))
            @if !open {
                p.notice { (ctx.t("month.state_closed")) }
                // A form sent from a page shown before the month closed: its forms are gone,
                // so what refused it is said here.
                @for (_, k) in &f.invoice_errors.0 { p.alert role="alert" { (ctx.t(k)) } }
                @if let Some((k, _)) = &f.import_error { p.alert role="alert" { (ctx.t(k)) } }
                @if let Some(k) = f.note_error { p.alert role="alert" { (ctx.t(k)) } }
            }
            h2 { (ctx.t("rec.money")) }
            table.identity {
                tbody {
                    tr { th scope="row" { (ctx.tf("rec.invoice_total", r.invoices)) } td.num { strong { (money(r.invoice_total)) } } }
                    tr { th scope="row" { (ctx.t("month.staff_share")) } td.num { (money(r.staff)) } }
                    tr { th scope="row" { (ctx.t("stmt.subsidy")) } td.num { (money(r.subsidy)) } }
                    tr { th scope="row" { (ctx.t("rec.takings")) } td.num { (money(r.takings)) } }
                    tr.diff[r.difference != 0] { th scope="row" { (ctx.t("rec.difference")) } td.num { strong { (money(r.difference)) } } }
                }
            }
            p.hint { (ctx.t("rec.identity")) }
            table {
                tbody {
                    tr { th scope="row" { (ctx.tf("rec.expected", r.billable)) } td.num { (money(r.expected_total)) } }
                    tr { th scope="row" { (ctx.t("rec.month_lines")) } td.num { (money(r.month_lines_vnd)) } }
                    @if r.adjustments != 0 { tr { th scope="row" { (ctx.t("adj.booked_here")) } td.num { (money(r.adjustments)) } } }
                }
            }
            h2 { (ctx.t("rec.mismatches")) }
            @if r.mismatches.is_empty() {
                p { (ctx.t("rec.no_mismatch")) }
            } @else {
                ul.mismatches { @for m in &r.mismatches { li { (mismatch(ctx, m)) } } }
            }
            @if r.difference != 0 {
                div.card #note {
                    h2 { (ctx.t("rec.note")) }
                    @match &d.note {
                        Some((diff, text)) if *diff == r.difference => p.wrap { (ctx.t("rec.note_ok")) " " em { (text) } }
                        Some((diff, text)) => p.alert.wrap { (ctx.tf("rec.note_stale", money(*diff))) " " em { (text) } }
                        None => p.alert { (ctx.t("rec.note_missing")) }
                    }
                    @if can_edit {
                        (post_form(ctx, &format!("/accounting/month/note?m={key}"), html! {
                            div.field.invalid[f.note_error.is_some()] {
                                label for="f-note" { (ctx.tf("rec.note_for", money(r.difference))) }
                                textarea #f-note name="note" required rows="3" maxlength="1000" { (f.note) }
                                @if let Some(k) = f.note_error { p.error { (ctx.t(k)) } }
                            }
                            button type="submit" { (ctx.t("rec.note_save")) }
                        }))
                    }
                }
            }
            h2 { (ctx.t("rec.by_day")) }
            table.responsive.rec {
                thead { tr {
                    th { (ctx.t("week.day")) } th.num { (ctx.t("rec.ordered")) } th.num { (ctx.t("rec.served")) } th.num { (ctx.t("rec.no_show")) }
                    th.num { (ctx.t("rec.guests")) } th.num { (ctx.t("rec.walk_ins")) } th.num { (ctx.t("rec.billable")) } th.num { (ctx.t("rec.expected_short")) }
                    th.num { (ctx.t("rec.invoiced_qty")) } th.num { (ctx.t("rec.invoiced_vnd")) }
                } }
                tbody { @for row in &r.days { (day_row(ctx, row)) } }
                tfoot { tr {
                    th { (ctx.t("rec.total_row")) }
                    td.num { (r.days.iter().map(|d| d.ordered).sum::<i64>()) } td.num { (r.days.iter().map(|d| d.served).sum::<i64>()) }
                    td.num { (r.days.iter().map(|d| d.no_show).sum::<i64>()) } td.num { (r.days.iter().map(|d| d.guests).sum::<i64>()) }
                    td.num { (r.days.iter().map(|d| d.walk_ins).sum::<i64>()) } td.num { (r.billable) } td.num { (money(r.expected_total)) }
                    td.num { (r.days.iter().filter_map(|d| d.invoiced_qty).sum::<i64>()) }
                    td.num { (money(r.days.iter().filter_map(|d| d.invoiced_vnd).sum::<i64>())) }
                } }
            }
            h2 { (ctx.t("rec.invoices")) }
            @if p.invoices.is_empty() { p { (ctx.t("rec.no_invoice")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("rec.invoice")) } th { (ctx.t("supp.name")) } th { (ctx.t("rec.issued_on")) } th.num { (ctx.t("rec.total")) } th { (ctx.t("rec.source")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for inv in &p.invoices { tr {
                        td data-label=(ctx.t("rec.invoice")) { (ctx.tf("rec.invoice_label", inv.label())) }
                        td data-label=(ctx.t("supp.name")) { (supplier_name(inv.supplier_id)) }
                        td data-label=(ctx.t("rec.issued_on")) { (date(inv.issued_on)) }
                        td.num data-label=(ctx.t("rec.total")) { (inv.total) }
                        td { @if inv.attachment_id.is_some() { a href=(format!("/accounting/invoices/{}/original", inv.id)) { (ctx.t("rec.original")) } } @else { (ctx.t("rec.manual")) } }
                        td { @if can_edit { (confirm_form(ctx, &format!("/accounting/invoices/{}/delete", inv.id), ctx.t("rec.delete_confirm"), ctx.t("rec.delete"))) } }
                    } } }
                }
            }
            @if can_edit {
                @if p.suppliers.is_empty() {
                    p.alert { (ctx.t("rec.no_supplier")) " " a href="/accounting/suppliers" { (ctx.t("supp.title")) } }
                } @else {
                    div.card {
                        h2 { (ctx.t("rec.import")) }
                        p.hint { (ctx.t("rec.import_help")) }
                        @if let Some((k, detail)) = &f.import_error { p.alert role="alert" { (ctx.t(k)) @if !detail.is_empty() { " (" (detail) ")" } } }
                        form method="post" action=(format!("/accounting/invoices/import?m={key}")) enctype="multipart/form-data" {
                            input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf);
                            div.field {
                                label for="f-xml" { (ctx.t("rec.xml_file")) }
                                input #f-xml type="file" name="file" accept=".xml,application/xml,text/xml" required;
                            }
                            button type="submit" { (ctx.t("rec.import_button")) }
                        }
                    }
                    div.card {
                        h2 { (ctx.t("rec.add_manual")) }
                        @if !f.invoice_errors.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                        (post_form(ctx, &format!("/accounting/invoices?m={key}"), html! {
                            (select(ctx, &f.invoice_errors, "supplier", ctx.t("supp.name"), &supplier_options, &f.invoice.supplier))
                            (Input::text("template", ctx.t("rec.template"), &f.invoice.template).required().hint(ctx.t("rec.template_hint")).render(ctx, &f.invoice_errors))
                            (Input::text("series", ctx.t("rec.series"), &f.invoice.series).required().render(ctx, &f.invoice_errors))
                            (Input::text("number", ctx.t("rec.number"), &f.invoice.number).required().render(ctx, &f.invoice_errors))
                            (Input::text("issued_on", ctx.t("rec.issued_on"), &f.invoice.issued_on).required().hint(ctx.t("cal.date_hint")).render(ctx, &f.invoice_errors))
                            (Input::text("total", ctx.t("rec.total"), &f.invoice.total).required().render(ctx, &f.invoice_errors))
                            button type="submit" { (ctx.t("rec.add_button")) }
                        }))
                    }
                }
            }
        },
    )
}

fn day_row(ctx: &Ctx, d: &DayRow) -> Markup {
    html! {
        tr.diff[d.qty_differs() || d.money_differs()] {
            td data-label=(ctx.t("week.day")) { (d.day.map(date).unwrap_or_default()) }
            td.num data-label=(ctx.t("rec.ordered")) { (d.ordered) }
            td.num data-label=(ctx.t("rec.served")) { (d.served) }
            td.num data-label=(ctx.t("rec.no_show")) { (d.no_show) }
            td.num data-label=(ctx.t("rec.guests")) { (d.guests) }
            td.num data-label=(ctx.t("rec.walk_ins")) { (d.walk_ins) }
            td.num data-label=(ctx.t("rec.billable")) { (d.billable) }
            td.num data-label=(ctx.t("rec.expected_short")) { (d.expected.map(money).unwrap_or_else(|| "—".into())) }
            td.num.bad[d.qty_differs()] data-label=(ctx.t("rec.invoiced_qty")) { (cell(d.invoiced_qty)) }
            td.num.bad[d.money_differs()] data-label=(ctx.t("rec.invoiced_vnd")) { (d.invoiced_vnd.map(money).unwrap_or_else(|| "—".into())) }
        }
    }
}

fn mismatch(ctx: &Ctx, m: &Mismatch) -> String {
    match m {
        Mismatch::Quantity {
            day,
            invoiced,
            billable,
        } => ctx.tf(
            "rec.mm_qty",
            format!("{}: {invoiced} / {billable}", date(*day)),
        ),
        Mismatch::Amount {
            day,
            invoiced,
            expected,
        } => ctx.tf(
            "rec.mm_amount",
            format!(
                "{}: {} / {}",
                date(*day),
                money(*invoiced),
                expected.map(money).unwrap_or_else(|| "—".into())
            ),
        ),
        Mismatch::NoContract { days } => ctx.tf(
            "rec.mm_contract",
            days.iter().map(|d| date(*d)).collect::<Vec<_>>().join(", "),
        ),
        Mismatch::Total { invoiced, expected } => ctx.tf(
            "rec.mm_total",
            format!("{} / {}", money(*invoiced), money(*expected)),
        ),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InvoiceForm {
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    series: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    total: String,
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

fn back(first: NaiveDate, flash: &'static str) -> HttpResponse {
    see_other(
        &format!("/accounting/reconciliation?m={}", first.format("%Y-%m")),
        Some(flash),
    )
}

/// An invoice typed in (a monthly total); a refused form comes back with its input (422).
pub async fn add_invoice(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<InvoiceForm>,
) -> Result<HttpResponse, AppError> {
    let first = super::handlers::month_named(q.m.as_deref())?;
    let mut e = FieldErrors::default();
    let supplier: Option<i32> = f.supplier.parse().ok();
    if supplier.is_none() {
        e.add("supplier", "err.bad_form");
    }
    let issued_on = business_date(&f.issued_on);
    if issued_on.is_none() {
        e.add("issued_on", "cal.err_date");
    }
    let total = match Vnd::parse(&f.total) {
        Ok(v) if v.0 >= 0 && v.0 <= suppliers::MAX_INVOICE => Some(v),
        _ => {
            e.add("total", "einv.err_total");
            None
        }
    };
    for (name, v) in [
        ("template", &f.template),
        ("series", &f.series),
        ("number", &f.number),
    ] {
        if v.trim().is_empty() || v.chars().count() > 50 {
            e.add(name, "einv.err_identity");
        }
    }
    if let (true, Some(supplier), Some(issued_on), Some(total)) =
        (e.is_empty(), supplier, issued_on, total)
    {
        let (a, now) = (actor(&user), state.clock.now_naive());
        let (template, series, number) = (f.template.clone(), f.series.clone(), f.number.clone());
        let saved = state
            .db
            .write(move |c| {
                suppliers::add_invoice(
                    c,
                    &a,
                    now,
                    &NewInvoice {
                        month: first,
                        supplier_id: Some(supplier),
                        seller_tax_code: None,
                        template: &template,
                        series: &series,
                        number: &number,
                        issued_on,
                        total,
                        lines: Vec::new(),
                        original: None,
                    },
                )
            })
            .await;
        match saved {
            Ok(_) => return Ok(back(first, "flash.saved")),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "einv.err_total" => "total",
                    "err.bad_form" => "supplier",
                    "period.err_closed" => "issued_on",
                    _ => "number",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let p = load_page(&state, first).await?;
    Ok(html_invalid(view(
        &ctx,
        &user,
        &p,
        &Forms {
            invoice: f,
            invoice_errors: e,
            ..Forms::default()
        },
    )))
}

/// An e-invoice XML file: read, refused with the reason (malformed, duplicate, unknown
/// seller), or recorded with its original kept.
pub async fn import_invoice(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    req: HttpRequest,
    mp: Multipart,
) -> Result<HttpResponse, AppError> {
    let first = super::handlers::month_named(q.m.as_deref())?;
    let refused = |k: &'static str, detail: String| Forms {
        import_error: Some((k, detail)),
        ..Forms::default()
    };
    let outcome =
        match crate::ui::upload::read(&req, mp, crate::suppliers::einvoice::MAX_BYTES, &[]).await {
            Ok(up) => match suppliers::read_einvoice(&up.bytes) {
                Ok(inv) => {
                    let (a, now) = (actor(&user), state.clock.now_naive());
                    let saved = state
                        .db
                        .write(move |c| {
                            suppliers::add_invoice(
                                c,
                                &a,
                                now,
                                &NewInvoice::from_einvoice(&inv, first, &up.file_name, &up.bytes),
                            )
                        })
                        .await;
                    match saved {
                        Ok(_) => return Ok(back(first, "flash.invoice_imported")),
                        Err(AppError::BadRequest(k)) => refused(k, String::new()),
                        Err(other) => return Err(other),
                    }
                }
                Err(r) => refused(r.key, r.detail),
            },
            Err(AppError::BadRequest("imp.err_too_big")) => {
                refused("einv.err_too_big", String::new())
            }
            Err(AppError::BadRequest(k)) => refused(k, String::new()),
            Err(other) => return Err(other),
        };
    let p = load_page(&state, first).await?;
    Ok(html_invalid(view(&ctx, &user, &p, &outcome)))
}

/// Removes an invoice recorded by mistake (open month, confirmed).
pub async fn delete_invoice(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let (a, now, id) = (actor(&user), state.clock.now_naive(), id.into_inner());
    let month = state
        .db
        .write(move |c| suppliers::delete_invoice(c, &a, now, id))
        .await?;
    let first = crate::ui::format::parse_month(&month).ok_or(AppError::NotFound)?;
    Ok(back(first, "flash.invoice_deleted"))
}

/// The original e-invoice file, as it was imported.
pub async fn original(
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let file = state.db.read(move |c| suppliers::original(c, id)).await?;
    Ok(crate::ui::export::attachment(
        "application/xml",
        &format!("hoa-don-{id}.xml"),
        file.content,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteForm {
    note: String,
}

/// The accountant's note on the difference (it explains the amount it was written for).
pub async fn note(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let first = super::handlers::month_named(q.m.as_deref())?;
    let (a, now, text) = (actor(&user), state.clock.now_naive(), f.note.clone());
    match state
        .db
        .write(move |c| store::write_note(c, &a, now, first, &text))
        .await
    {
        Ok(()) => Ok(back(first, "flash.saved")),
        Err(AppError::BadRequest(k)) => {
            let p = load_page(&state, first).await?;
            Ok(html_invalid(view(
                &ctx,
                &user,
                &p,
                &Forms {
                    note: f.note,
                    note_error: Some(k),
                    ..Forms::default()
                },
            )))
        }
        Err(other) => Err(other),
    }
}

/// The per-day table and the money identity as XLSX.
pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let first = super::handlers::month_first(q.m.as_deref(), state.clock.today())?;
    let d = load(&state, first).await?;
    let r = &d.reconciliation;
    let header = [
        ctx.t("week.day"),
        ctx.t("rec.ordered"),
        ctx.t("rec.served"),
        ctx.t("rec.no_show"),
        ctx.t("rec.guests"),
        ctx.t("rec.walk_ins"),
        ctx.t("rec.billable"),
        ctx.t("rec.expected_short"),
        ctx.t("rec.invoiced_qty"),
        ctx.t("rec.invoiced_vnd"),
    ];
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows = r
        .days
        .iter()
        .map(|x| {
            vec![
                x.day.map(date).unwrap_or_default(),
                x.ordered.to_string(),
                x.served.to_string(),
                x.no_show.to_string(),
                x.guests.to_string(),
                x.walk_ins.to_string(),
                x.billable.to_string(),
                opt(x.expected),
                opt(x.invoiced_qty),
                opt(x.invoiced_vnd),
            ]
        })
        .collect();
    let line = |k: &str, v: i64| vec![k.to_string(), v.to_string()];
    let table = Table {
        title: ctx.tf(
            "rec.title_for",
            month_label(&crate::periods::month_key(first)),
        ),
        summary: vec![
            line(&ctx.tf("rec.invoice_total", r.invoices), r.invoice_total),
            line(ctx.t("month.staff_share"), r.staff),
            line(ctx.t("stmt.subsidy"), r.subsidy),
            line(ctx.t("rec.takings"), r.takings),
            line(ctx.t("rec.difference"), r.difference),
            line(&ctx.tf("rec.expected", r.billable), r.expected_total),
        ],
        header: &header,
        rows,
        numbers_from: 1,
        widths: &[(0, 14.0), (7, 14.0), (9, 14.0)],
        money: &[7, 9],
    };
    export::download(
        &table,
        export::Format::Xlsx,
        &format!("doi-chieu-{}", first.format("%Y-%m")),
    )
}
