//! Step 1: a delivery received and checked before processing, item by item.

use super::day::{day_of, iso};
use super::rules::{self, CertStatus};
use super::store::{self, Item, NewDelivery};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::suppliers::store::Supplier;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

/// How many item rows the form offers (empty rows are ignored).
pub const ROWS: usize = 8;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeliveryForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    goods: String,
    #[serde(default)]
    received: String,
    #[serde(default)]
    invoice_ref: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    item: Vec<String>,
    #[serde(default)]
    quantity: Vec<String>,
    #[serde(default)]
    unit: Vec<String>,
    #[serde(default)]
    origin: Vec<String>,
    #[serde(default)]
    lot: Vec<String>,
    #[serde(default)]
    expiry: Vec<String>,
    #[serde(default)]
    temperature: Vec<String>,
    #[serde(default)]
    sensory: Vec<String>,
    #[serde(default)]
    item_note: Vec<String>,
    #[serde(default)]
    once: Option<String>,
}

fn at(v: &[String], i: usize) -> &str {
    v.get(i).map(String::as_str).unwrap_or("")
}

async fn suppliers_on(
    state: &AppState,
    day: NaiveDate,
) -> Result<Vec<(Supplier, CertStatus)>, AppError> {
    state
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for s in crate::suppliers::store::suppliers(c)? {
                let st = store::cert_status_of(c, s.id, day)?;
                out.push((s, st));
            }
            Ok(out)
        })
        .await
}

pub async fn form(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<super::day::DayQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let day = day_of(q.date.as_deref(), today)?;
    super::day::recordable(day, today)?;
    let sup = suppliers_on(&state, day).await?;
    let f = DeliveryForm {
        date: iso(day),
        goods: "fresh".into(),
        received: rules::local_hm(state.clock.now_naive()),
        ..DeliveryForm::default()
    };
    Ok(view(&ctx, day, &sup, &f, &FieldErrors::default()))
}

fn view(
    ctx: &Ctx,
    day: NaiveDate,
    sup: &[(Supplier, CertStatus)],
    f: &DeliveryForm,
    e: &FieldErrors,
) -> Markup {
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("fs.choose").to_string()))
            .chain(sup.iter().map(|(s, st)| {
                let mark = match st {
                    CertStatus::Missing => format!(" — {}", ctx.t("fs.cert_none_short")),
                    CertStatus::Expired(u) => {
                        format!(" — {}", ctx.tf("fs.cert_expired_short", date(*u)))
                    }
                    CertStatus::ExpiringSoon(u) => {
                        format!(" — {}", ctx.tf("fs.cert_until_short", date(*u)))
                    }
                    CertStatus::Valid(_) => String::new(),
                };
                (s.id.to_string(), format!("{}{mark}", s.name))
            }))
            .collect();
    let goods = [
        ("fresh".to_string(), ctx.t("fs.goods_fresh").to_string()),
        ("dry".to_string(), ctx.t("fs.goods_dry").to_string()),
    ];
    let blocked: Vec<&(Supplier, CertStatus)> = sup.iter().filter(|(_, st)| st.blocks()).collect();
    layout::page(
        ctx,
        ctx.t("fs.add_delivery"),
        html! {
            h1 { (ctx.tf("fs.delivery_title_for", date(day))) }
            p { a href={ "/kitchen/food-safety?date=" (iso(day)) } { "← " (ctx.t("fs.back_to_day")) } }
            p.hint { (ctx.t("fs.delivery_help")) }
            @if !blocked.is_empty() {
                div.alert role="alert" { p { (ctx.t("fs.blocked_suppliers")) } ul { @for (s, st) in &blocked { li { (s.name) " — "
                    @match st { CertStatus::Expired(u) => { (ctx.tf("fs.cert_expired_short", date(*u))) } _ => { (ctx.t("fs.cert_none_short")) } } } } } }
            }
            @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            (post_form(ctx, "/kitchen/food-safety/deliveries", html! {
                (crate::once::once_field())
                input type="hidden" name="date" value=(f.date);
                (select(ctx, e, "supplier", ctx.t("fs.supplier"), &options, &f.supplier))
                (select(ctx, e, "goods", ctx.t("fs.goods"), &goods, &f.goods))
                (Input::text("received", ctx.t("fs.received"), &f.received).kind("time").required().render(ctx, e))
                (Input::text("invoice_ref", ctx.t("fs.invoice_ref"), &f.invoice_ref).render(ctx, e))
                (Input::text("note", ctx.t("fs.note"), &f.note).render(ctx, e))
                @if let Some(k) = e.get("items") { p.error role="alert" { (ctx.t(k)) } }
                div.table-scroll {
                    table.entry {
                        caption { (ctx.t("fs.items")) }
                        thead { tr {
                            th { "#" } th { (ctx.t("fs.item")) } th { (ctx.t("fs.quantity")) } th { (ctx.t("fs.unit")) }
                            th { (ctx.t("fs.origin")) } th { (ctx.t("fs.lot")) } th { (ctx.t("fs.expiry")) }
                            th { (ctx.t("fs.temperature")) } th { (ctx.t("fs.sensory")) } th { (ctx.t("fs.note")) }
                        } }
                        tbody { @for i in 0..ROWS { tr {
                            td.num { (i + 1) }
                            td { input name="item" aria-label=(format!("{} {}", ctx.t("fs.item"), i + 1)) value=(at(&f.item, i)) maxlength="200"; }
                            td { input name="quantity" size="6" aria-label=(format!("{} {}", ctx.t("fs.quantity"), i + 1)) value=(at(&f.quantity, i)); }
                            td { input name="unit" size="5" aria-label=(format!("{} {}", ctx.t("fs.unit"), i + 1)) value=(at(&f.unit, i)); }
                            td { input name="origin" aria-label=(format!("{} {}", ctx.t("fs.origin"), i + 1)) value=(at(&f.origin, i)); }
                            td { input name="lot" size="8" aria-label=(format!("{} {}", ctx.t("fs.lot"), i + 1)) value=(at(&f.lot, i)); }
                            td { input name="expiry" size="11" placeholder="dd/mm/yyyy" aria-label=(format!("{} {}", ctx.t("fs.expiry"), i + 1)) value=(at(&f.expiry, i)); }
                            td { input name="temperature" size="4" aria-label=(format!("{} {}", ctx.t("fs.temperature"), i + 1)) value=(at(&f.temperature, i)); }
                            td { select name="sensory" aria-label=(format!("{} {}", ctx.t("fs.sensory"), i + 1)) {
                                option value="ok" selected[at(&f.sensory, i) != "fail"] { (ctx.t("fs.pass")) }
                                option value="fail" selected[at(&f.sensory, i) == "fail"] { (ctx.t("fs.fail")) }
                            } }
                            td { input name="item_note" aria-label=(format!("{} {}", ctx.t("fs.note"), i + 1)) value=(at(&f.item_note, i)); }
                        } } }
                    }
                }
                button type="submit" { (ctx.t("fs.save_delivery")) }
            }))
        },
    )
}

/// Reads the item rows: empty rows are skipped; a row with anything typed needs a name, a
/// quantity and a unit; dates and temperatures must read.
fn items(f: &DeliveryForm, today: NaiveDate) -> Result<Vec<Item>, &'static str> {
    let mut out = Vec::new();
    if f.item.len() > 50 {
        return Err("fs.err_too_many_items");
    }
    for i in 0..f.item.len() {
        let cells = [
            at(&f.item, i),
            at(&f.quantity, i),
            at(&f.unit, i),
            at(&f.origin, i),
            at(&f.lot, i),
            at(&f.expiry, i),
            at(&f.temperature, i),
            at(&f.item_note, i),
        ];
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let name = crate::ui::forms::bounded_text(cells[0], 200)
            .filter(|s| !s.is_empty())
            .ok_or("fs.err_item_name")?;
        let quantity = rules::parse_quantity(cells[1]).ok_or("fs.err_quantity")?;
        let unit = crate::ui::forms::bounded_text(cells[2], 20)
            .filter(|s| !s.is_empty())
            .ok_or("fs.err_unit")?;
        let origin = crate::ui::forms::bounded_text(cells[3], 200).ok_or("fs.err_note")?;
        let lot_ref = crate::ui::forms::bounded_text(cells[4], 100).ok_or("fs.err_note")?;
        let expiry = match cells[5].trim() {
            "" => None,
            s => Some(business_date(s).ok_or("fs.err_expiry")?),
        };
        if expiry.is_some_and(|e| e < today) {
            return Err("fs.err_expired_item");
        }
        let temperature_dt = match cells[6].trim() {
            "" => None,
            s => Some(rules::parse_temperature(s).ok_or("fs.err_temperature")?),
        };
        let sensory_ok = match at(&f.sensory, i) {
            "ok" | "" => true,
            "fail" => false,
            _ => return Err("err.bad_form"),
        };
        let note = crate::ui::forms::bounded_text(cells[7], 200).ok_or("fs.err_note")?;
        if !sensory_ok && note.is_empty() {
            return Err("fs.err_fail_note");
        }
        out.push(Item {
            name,
            quantity,
            unit,
            origin,
            lot_ref,
            expiry,
            temperature_dt,
            sensory_ok,
            note,
        });
    }
    if out.is_empty() {
        return Err("fs.err_no_items");
    }
    Ok(out)
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<DeliveryForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let day = day_of(Some(&f.date), today)?;
    super::day::recordable(day, today)?;
    let mut e = FieldErrors::default();
    let supplier: Option<i32> = f.supplier.parse().ok();
    if supplier.is_none() {
        e.add("supplier", "fs.err_supplier");
    }
    if !store::GOODS.contains(&f.goods.as_str()) {
        e.add("goods", "err.bad_form");
    }
    let received = rules::time_on(day, &f.received);
    if received.is_none() {
        e.add("received", "fs.err_time");
    }
    let invoice_ref = crate::ui::forms::bounded_text(&f.invoice_ref, 100);
    if invoice_ref.is_none() {
        e.add("invoice_ref", "fs.err_note");
    }
    let note = crate::ui::forms::bounded_text(&f.note, 500);
    if note.is_none() {
        e.add("note", "fs.err_note");
    }
    let items = items(&f, day).map_err(|k| e.add("items", k)).ok();
    if let (
        true,
        Some(supplier_id),
        Some(received_at),
        Some(invoice_ref),
        Some(note),
        Some(items),
    ) = (e.is_empty(), supplier, received, invoice_ref, note, items)
    {
        let d = NewDelivery {
            service_date: day,
            supplier_id,
            goods: f.goods.clone(),
            received_at,
            invoice_ref,
            note,
            items,
        };
        let actor = Actor::user(user.user_id, &user.username);
        let now = state.clock.now_naive();
        let once = f.once.clone();
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(None);
                }
                store::record_delivery(c, &actor, now, &d).map(Some)
            })
            .await;
        match saved {
            Ok(_) => {
                return Ok(see_other(
                    &format!("/kitchen/food-safety?date={}", iso(day)),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "fs.err_no_items" => "items",
                    "fs.err_future_time" => "received",
                    _ => "supplier",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let sup = suppliers_on(&state, day).await?;
    Ok(html_invalid(view(&ctx, day, &sup, &f, &e)))
}
