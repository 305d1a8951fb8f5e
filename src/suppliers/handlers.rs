//! Suppliers and their contracts: the list, a new supplier, a new contract with its prices.

use super::store::{self, Contract, NewContract, Supplier};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date, opt_date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// How many option-price rows the contract form offers besides the price of every option.
const PRICE_ROWS: usize = 3;

async fn load(state: &AppState) -> Result<(Vec<Supplier>, Vec<Contract>), AppError> {
    state
        .db
        .read(|c| Ok((store::suppliers(c)?, store::contracts(c)?)))
        .await
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let (s, c) = load(&state).await?;
    Ok(view(&ctx, &user, &s, &c, &Forms::default()))
}

#[derive(Default)]
struct Forms {
    supplier: SupplierForm,
    supplier_errors: FieldErrors,
    contract: ContractForm,
    contract_errors: FieldErrors,
}

fn view(
    ctx: &Ctx,
    user: &CurrentUser,
    suppliers: &[Supplier],
    contracts: &[Contract],
    f: &Forms,
) -> Markup {
    let can_edit = user.has(Role::Accountant);
    let name_of = |id: i32| {
        suppliers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
            .unwrap_or("")
    };
    let supplier_options: Vec<(String, String)> = suppliers
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let bills = [
        (
            store::BILLS_ORDERED.to_string(),
            ctx.t("supp.bills_ordered").to_string(),
        ),
        (
            store::BILLS_SERVED.to_string(),
            ctx.t("supp.bills_served").to_string(),
        ),
    ];
    let ce = &f.contract_errors;
    layout::page(
        ctx,
        ctx.t("supp.title"),
        html! {
            (layout::title_bar(ctx.t("supp.title"), html! {}))
            @if suppliers.is_empty() { p { (ctx.t("supp.none")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("supp.name")) } th { (ctx.t("supp.tax_code")) } th { (ctx.t("supp.address")) } } }
                    tbody { @for s in suppliers { tr { td { (s.name) } td { (s.tax_code) } td { (s.address) } } } }
                }
            }
            h2 { (ctx.t("supp.contracts")) }
            @if contracts.is_empty() { p { (ctx.t("supp.no_contract")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("supp.reference")) } th { (ctx.t("supp.name")) } th { (ctx.t("supp.from")) } th { (ctx.t("supp.to")) } th { (ctx.t("supp.bills")) } th { (ctx.t("supp.prices")) } @if can_edit { th { span.sr { (ctx.t("common.actions")) } } } } }
                    tbody { @for c in contracts { tr {
                        td { (c.reference) } td { (name_of(c.supplier_id)) } td { (date(c.valid_from)) } td { (opt_date(c.valid_to)) }
                        td { @if c.bills_ordered() { (ctx.t("supp.bills_ordered")) } @else { (ctx.t("supp.bills_served")) } }
                        td { @for (n, p) in &c.prices { div { @if n.is_empty() { (ctx.t("supp.every_option")) } @else { (n) } ": " (p) } } }
                        @if can_edit { td { @if c.valid_to.is_none() { (crate::subsidy::eligibility::end_form(ctx, &format!("/accounting/contracts/{}/end", c.id), c.id)) } } }
                    } } }
                }
            }
            @if can_edit {
                div.card {
                    h2 { (ctx.t("supp.add")) }
                    @if !f.supplier_errors.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, "/accounting/suppliers", html! {
                        (Input::text("name", ctx.t("supp.name"), &f.supplier.name).required().render(ctx, &f.supplier_errors))
                        (Input::text("tax_code", ctx.t("supp.tax_code"), &f.supplier.tax_code).required().hint(ctx.t("supp.tax_code_hint")).render(ctx, &f.supplier_errors))
                        (Input::text("address", ctx.t("supp.address"), &f.supplier.address).render(ctx, &f.supplier_errors))
                        button type="submit" { (ctx.t("supp.add_button")) }
                    }))
                }
                @if !suppliers.is_empty() {
                    div.card {
                        h2 { (ctx.t("supp.add_contract")) }
                        p.hint { (ctx.t("supp.contract_help")) }
                        @if !ce.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                        (post_form(ctx, "/accounting/contracts", html! {
                            (select(ctx, ce, "supplier", ctx.t("supp.name"), &supplier_options, &f.contract.supplier))
                            (Input::text("reference", ctx.t("supp.reference"), &f.contract.reference).required().render(ctx, ce))
                            (Input::text("from", ctx.t("supp.from"), &f.contract.from).required().hint(ctx.t("cal.date_hint")).render(ctx, ce))
                            (Input::text("to", ctx.t("supp.to"), &f.contract.to).hint(ctx.t("elig.to_hint")).render(ctx, ce))
                            (select(ctx, ce, "bills", ctx.t("supp.bills"), &bills, &f.contract.bills))
                            (Input::text("price", ctx.t("supp.every_option"), &f.contract.price).required().render(ctx, ce))
                            fieldset {
                                legend { (ctx.t("supp.option_prices")) }
                                @for i in 0..PRICE_ROWS {
                                    div.row {
                                        label { (ctx.t("supp.option_name")) " " input name="option" value=(f.contract.option.get(i).map(String::as_str).unwrap_or("")); }
                                        label { (ctx.t("supp.option_price")) " " input name="option_price" value=(f.contract.option_price.get(i).map(String::as_str).unwrap_or("")); }
                                    }
                                }
                                @if let Some(k) = ce.get("option") { p.error { (ctx.t(k)) } }
                            }
                            button type="submit" { (ctx.t("supp.add_contract")) }
                        }))
                    }
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SupplierForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tax_code: String,
    #[serde(default)]
    address: String,
}

pub async fn add_supplier(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<SupplierForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    let (name, tax_code, address) = (f.name.clone(), f.tax_code.clone(), f.address.clone());
    let saved = state
        .db
        .write(move |c| store::add_supplier(c, &actor, now, &name, &tax_code, &address))
        .await;
    let mut e = FieldErrors::default();
    match saved {
        Ok(_) => return Ok(see_other("/accounting/suppliers", Some("flash.saved"))),
        Err(AppError::BadRequest(k)) => e.add(
            if k == "supp.err_name" {
                "name"
            } else {
                "tax_code"
            },
            k,
        ),
        Err(other) => return Err(other),
    }
    let (s, c) = load(&state).await?;
    Ok(html_invalid(view(
        &ctx,
        &user,
        &s,
        &c,
        &Forms {
            supplier: f,
            supplier_errors: e,
            ..Forms::default()
        },
    )))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ContractForm {
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    bills: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    option: Vec<String>,
    #[serde(default)]
    option_price: Vec<String>,
}

pub async fn add_contract(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ContractForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let supplier: Option<i32> = f.supplier.parse().ok();
    if supplier.is_none() {
        e.add("supplier", "err.bad_form");
    }
    let from = business_date(&f.from);
    if from.is_none() {
        e.add("from", "cal.err_date");
    }
    let to = match f.to.trim() {
        "" => Some(None),
        t => business_date(t).map(Some),
    };
    if to.is_none() {
        e.add("to", "cal.err_date");
    }
    let mut prices: Vec<(String, Vnd)> = Vec::new();
    match Vnd::parse(&f.price) {
        Ok(p) if p.0 > 0 && p.0 <= 100_000_000 => prices.push((String::new(), p)),
        _ => e.add("price", "supp.err_price"),
    }
    for (i, name) in f.option.iter().enumerate() {
        let price = f.option_price.get(i).map(String::as_str).unwrap_or("");
        match (name.trim(), price.trim()) {
            ("", "") => {}
            (n, p) => match Vnd::parse(p) {
                Ok(v) if !n.is_empty() && v.0 > 0 && v.0 <= 100_000_000 => {
                    if prices.iter().any(|(x, _)| x.eq_ignore_ascii_case(n)) {
                        e.add("option", "supp.err_option_twice");
                    }
                    prices.push((n.to_string(), v));
                }
                _ => e.add("option", "supp.err_option_price"),
            },
        }
    }
    if let (true, Some(supplier), Some(from), Some(to)) = (e.is_empty(), supplier, from, to) {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let (reference, bills) = (f.reference.clone(), f.bills.clone());
        let saved = state
            .db
            .write(move |c| {
                store::add_contract(
                    c,
                    &actor,
                    now,
                    &NewContract {
                        supplier_id: supplier,
                        reference: &reference,
                        valid_from: from,
                        valid_to: to,
                        bills: &bills,
                        prices: &prices,
                    },
                )
            })
            .await;
        match saved {
            Ok(_) => return Ok(see_other("/accounting/suppliers", Some("flash.saved"))),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "supp.err_reference" => "reference",
                    "supp.err_price" => "price",
                    "err.bad_form" => "bills",
                    "policy.err_dates" => "to",
                    _ => "from",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let (s, c) = load(&state).await?;
    Ok(html_invalid(view(
        &ctx,
        &user,
        &s,
        &c,
        &Forms {
            contract: f,
            contract_errors: e,
            ..Forms::default()
        },
    )))
}

/// Ends a contract on a date, so that a new one (new prices) can follow.
pub async fn end_contract(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<crate::subsidy::eligibility::EndForm>,
) -> Result<HttpResponse, AppError> {
    let (to, id, actor, now) =
        crate::subsidy::eligibility::end_input(&state, &user, id.into_inner(), &f)?;
    let reason = f.reason().to_string();
    state
        .db
        .write(move |c| store::end_contract(c, &actor, now, id, to, &reason))
        .await?;
    Ok(see_other("/accounting/suppliers", Some("flash.saved")))
}
