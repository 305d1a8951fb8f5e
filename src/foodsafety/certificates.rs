//! Suppliers' food-safety certificates: the list with their status, a new one with its
//! scanned copy, the copy itself.

use super::rules::{self, CertStatus};
use super::store::{self, Certificate, NewCertificate};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::suppliers::store::Supplier;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{FieldErrors, Input, CSRF_FIELD};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use crate::attachments::{scan_type, MAX_SCAN};

#[derive(Default)]
struct Values {
    supplier: String,
    number: String,
    issuer: String,
    valid_until: String,
}

async fn load(state: &AppState) -> Result<(Vec<Supplier>, Vec<Certificate>), AppError> {
    state
        .db
        .read(|c| {
            Ok((
                crate::suppliers::store::suppliers(c)?,
                store::certificates(c)?,
            ))
        })
        .await
}

pub async fn page(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let (s, c) = load(&state).await?;
    Ok(view(
        &ctx,
        state.clock.today(),
        &s,
        &c,
        &Values::default(),
        &FieldErrors::default(),
    ))
}

fn view(
    ctx: &Ctx,
    today: chrono::NaiveDate,
    suppliers: &[Supplier],
    certs: &[Certificate],
    v: &Values,
    e: &FieldErrors,
) -> Markup {
    let name_of = |id: i32| {
        suppliers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
            .unwrap_or("")
    };
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("fs.choose").to_string()))
            .chain(suppliers.iter().map(|s| (s.id.to_string(), s.name.clone())))
            .collect();
    layout::page(
        ctx,
        ctx.t("fs.certificates"),
        html! {
            (layout::title_bar(ctx.t("fs.certificates"), html! { a href="/kitchen/food-safety" { (ctx.t("fs.title")) } }))
            p.hint { (ctx.t("fs.cert_help")) }
            h2 { (ctx.t("fs.cert_by_supplier")) }
            table.responsive {
                thead { tr { th { (ctx.t("fs.supplier")) } th { (ctx.t("fs.cert_status")) } } }
                tbody { @for s in suppliers {
                    @let until: Vec<chrono::NaiveDate> = certs.iter().filter(|c| c.supplier_id == s.id).map(|c| c.valid_until).collect();
                    tr { td { (s.name) } td { @match rules::cert_status(&until, today) {
                        CertStatus::Missing => { span.error { (ctx.t("fs.cert_none_short")) } }
                        CertStatus::Expired(u) => { span.error { (ctx.tf("fs.cert_expired_short", date(u))) } }
                        CertStatus::ExpiringSoon(u) => { strong { (ctx.tf("fs.cert_until_short", date(u))) " ⚠" } }
                        CertStatus::Valid(u) => { (ctx.tf("fs.cert_until_short", date(u))) }
                    } } }
                } }
            }
            h2 { (ctx.t("fs.cert_all")) }
            @if certs.is_empty() { p { (ctx.t("fs.cert_none")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("fs.supplier")) } th { (ctx.t("fs.cert_number")) } th { (ctx.t("fs.cert_issuer")) } th { (ctx.t("fs.cert_until")) } th { (ctx.t("fs.cert_scan")) } } }
                    tbody { @for c in certs { tr {
                        td { (name_of(c.supplier_id)) } td { (c.number) } td { (c.issuer) }
                        td { (date(c.valid_until)) @if c.valid_until < today { " " span.error { (ctx.t("fs.cert_lapsed")) } } }
                        td { @if c.attachment_id.is_some() { a href={ "/kitchen/food-safety/certificates/" (c.id) "/scan" } { (ctx.t("fs.cert_open_scan")) } } }
                    } } }
                }
            }
            div.card.no-print {
                h2 { (ctx.t("fs.cert_add")) }
                @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                form method="post" action="/kitchen/food-safety/certificates" enctype="multipart/form-data" {
                    input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf);
                    (crate::ui::forms::select(ctx, e, "supplier", ctx.t("fs.supplier"), &options, &v.supplier))
                    (Input::text("number", ctx.t("fs.cert_number"), &v.number).required().render(ctx, e))
                    (Input::text("issuer", ctx.t("fs.cert_issuer"), &v.issuer).required().render(ctx, e))
                    (Input::text("valid_until", ctx.t("fs.cert_until"), &v.valid_until).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                    div.field.invalid[e.get("file").is_some()] {
                        label for="f-file" { (ctx.t("fs.cert_scan")) " " abbr title=(ctx.t("common.required")) { "*" } }
                        input #f-file type="file" name="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" required;
                        small.hint { (ctx.t("fs.cert_scan_hint")) }
                        @if let Some(k) = e.get("file") { p.error { (ctx.t(k)) } }
                    }
                    button type="submit" { (ctx.t("fs.cert_add")) }
                }
            }
        },
    )
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    req: HttpRequest,
    mp: Multipart,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let fields = ["supplier", "number", "issuer", "valid_until"];
    let (up, v) = match crate::ui::upload::read_fields(&req, mp, MAX_SCAN, &fields).await {
        Ok(up) => {
            let v = Values {
                supplier: up.field("supplier").to_string(),
                number: up.field("number").to_string(),
                issuer: up.field("issuer").to_string(),
                valid_until: up.field("valid_until").to_string(),
            };
            // Every field is checked, the scan too: all that is missing is told at once.
            if up.bytes.is_empty() {
                e.add("file", "fs.err_scan");
            }
            for (field, value, max, key) in [
                (
                    "number",
                    &v.number,
                    store::CERT_NUMBER_MAX,
                    "fs.err_cert_number",
                ),
                (
                    "issuer",
                    &v.issuer,
                    store::CERT_ISSUER_MAX,
                    "fs.err_cert_issuer",
                ),
            ] {
                if crate::ui::forms::bounded_text(value, max).is_none_or(|t| t.is_empty()) {
                    e.add(field, key);
                }
            }
            (Some(up), v)
        }
        Err(AppError::BadRequest(k)) if k == "imp.err_too_big" || k == "imp.err_empty" => {
            e.add(
                "file",
                if k == "imp.err_too_big" {
                    "fs.err_scan_big"
                } else {
                    "fs.err_scan"
                },
            );
            (None, Values::default())
        }
        Err(other) => return Err(other),
    };
    let supplier: Option<i32> = v.supplier.parse().ok();
    if up.is_some() && supplier.is_none() {
        e.add("supplier", "fs.err_supplier");
    }
    // Certificates run for a few years; a date decades ahead is a typing error.
    let latest = state.clock.today() + chrono::Duration::days(365 * 10);
    let until = business_date(&v.valid_until).filter(|d| *d <= latest);
    if up.is_some() && until.is_none() {
        e.add("valid_until", "fs.err_cert_until");
    }
    let media = up.as_ref().and_then(|u| scan_type(&u.bytes));
    if up.as_ref().is_some_and(|u| !u.bytes.is_empty()) && media.is_none() {
        e.add("file", "fs.err_scan");
    }
    if let (true, Some(up), Some(supplier_id), Some(valid_until), Some(media)) =
        (e.is_empty(), up, supplier, until, media)
    {
        let actor = Actor::user(user.user_id, &user.username);
        let now = state.clock.now_naive();
        let (number, issuer) = (v.number.clone(), v.issuer.clone());
        let saved = state
            .db
            .write(move |c| {
                store::add_certificate(
                    c,
                    &actor,
                    now,
                    &NewCertificate {
                        supplier_id,
                        number: &number,
                        issuer: &issuer,
                        valid_until,
                        scan: Some((&up.file_name, media, &up.bytes)),
                    },
                )
            })
            .await;
        match saved {
            Ok(_) => {
                return Ok(see_other(
                    "/kitchen/food-safety/certificates",
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "fs.err_cert_number" => "number",
                    "fs.err_cert_issuer" => "issuer",
                    _ => "supplier",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let (s, c) = load(&state).await?;
    Ok(html_invalid(view(
        &ctx,
        state.clock.today(),
        &s,
        &c,
        &v,
        &e,
    )))
}

pub async fn scan(
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let f = state
        .db
        .read(move |c| store::certificate_scan(c, id))
        .await?;
    let name = format!(
        "chung-nhan-attp-{id}.{}",
        crate::attachments::extension(&f.media_type)
    );
    Ok(crate::ui::export::attachment(
        &f.media_type,
        &name,
        f.content,
    ))
}
