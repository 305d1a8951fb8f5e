//! Funds: each fund's year (plan, received, spent, balance, with a warning at 90 % and 100 %
//! of the plan), its vouchers, posting a receipt or payment, and reversing one.

use super::store::{self, NewVoucher, Voucher, YearFigures};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

type FundYear = (store::Fund, YearFigures, Vec<Voucher>);

async fn load(state: &AppState, year: i32) -> Result<Vec<FundYear>, AppError> {
    state
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for f in store::funds(c)? {
                let figures = store::year_figures(c, f.id, year)?;
                let vouchers = store::vouchers_of(c, f.id, year)?;
                out.push((f, figures, vouchers));
            }
            Ok(out)
        })
        .await
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<YearQuery>,
) -> Result<Markup, AppError> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.clock.today().year());
    let funds = load(&state, year).await?;
    Ok(view(
        &ctx,
        year,
        &funds,
        user.has(Role::Accountant),
        &VoucherForm::default(),
        &FieldErrors::default(),
    ))
}

fn view(
    ctx: &Ctx,
    year: i32,
    funds: &[FundYear],
    can_post: bool,
    f: &VoucherForm,
    e: &FieldErrors,
) -> Markup {
    let fund_options: Vec<(String, String)> = funds
        .iter()
        .filter(|x| x.0.active)
        .map(|x| (x.0.id.to_string(), format!("{} — {}", x.0.code, x.0.name)))
        .collect();
    let kinds = [
        (
            store::PAYMENT.to_string(),
            ctx.t("voucher.payment").to_string(),
        ),
        (
            store::RECEIPT.to_string(),
            ctx.t("voucher.receipt").to_string(),
        ),
    ];
    layout::page(
        ctx,
        ctx.t("fund.title"),
        html! {
            (layout::title_bar(&ctx.tf("fund.title_for", year), html! {
                a.button.secondary href=(format!("/accounting/funds?year={}", year - 1)) { "‹" }
                a.button.secondary href=(format!("/accounting/funds?year={}", year + 1)) { "›" }
            }))
            @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            table {
                thead { tr { th { (ctx.t("fund.name")) } th.num { (ctx.t("fund.planned")) } th.num { (ctx.t("fund.opening")) } th.num { (ctx.t("fund.received")) } th.num { (ctx.t("fund.spent")) } th.num { (ctx.t("fund.balance")) } th { (ctx.t("fund.used")) } } }
                tbody { @for (fund, fig, _) in funds { tr {
                    td { a href=(format!("/accounting/funds/{}/report?year={year}", fund.id)) { (fund.code) " — " (fund.name) } }
                    td.num { (fig.planned.map(|p| p.to_string()).unwrap_or_else(|| "—".into())) }
                    td.num { (fig.opening) }
                    td.num { (fig.received) } td.num { (fig.spent) }
                    td.num { (fig.balance()) @if fig.balance().0 < 0 { " " span.badge.off { (ctx.t("fund.negative")) } } }
                    td { @match fig.used_percent() {
                        Some(p) if p > 100 => { span.badge.off { (Vnd(p).grouped()) " % — " (ctx.t("fund.over")) } }
                        Some(p) if p == 100 => { span.badge.off { (p) " % — " (ctx.t("fund.used_up")) } }
                        Some(p) if p >= 90 => { span.badge.warn { (p) " % — " (ctx.t("fund.near")) } }
                        Some(p) => { (p) " %" }
                        None => { "—" }
                    } }
                } } }
            }
            @for (fund, fig, vouchers) in funds.iter().filter(|x| !x.2.is_empty()) {
                h2 { (fund.code) " — " (fund.name) }
                p { a href=(format!("/accounting/funds/{}/report?year={year}", fund.id)) { (ctx.t("fund.open_report")) } }
                (spending_chart(ctx, fund, fig, vouchers))
                table.responsive {
                    thead { tr { th { (ctx.t("voucher.number")) } th { (ctx.t("week.day")) } th { (ctx.t("voucher.description")) } th.num { (ctx.t("voucher.amount")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for v in vouchers { tr {
                        td { (v.label()) } td { (date(v.voucher_date)) } td { (v.description) }
                        td.num { (Vnd(v.signed())) }
                        td { @if let Some(r) = vouchers.iter().find(|x| x.reverses == Some(v.id)) {
                            span.badge { (ctx.tf("voucher.reversed_by", r.label())) }
                        } @else if let Some(orig) = v.reverses {
                            span.badge { @match vouchers.iter().find(|x| x.id == orig) {
                                Some(o) => { (ctx.tf("voucher.reverses", o.label())) }
                                None => { (ctx.t("voucher.reverses_earlier")) }
                            } }
                        } @else if can_post && !v.from_month() {
                            (post_form(ctx, &format!("/accounting/vouchers/{}/reverse", v.id), html! {
                                label.sr for=(format!("r-{}", v.id)) { (ctx.t("voucher.reason")) }
                                input id=(format!("r-{}", v.id)) name="reason" required placeholder=(ctx.t("voucher.reason"));
                                label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("voucher.reverse_confirm")) }
                                button.secondary type="submit" { (ctx.t("voucher.reverse")) }
                            }))
                        } }
                    } } }
                }
            }
            @if can_post && !fund_options.is_empty() {
                div.card {
                    h2 { (ctx.t("voucher.add")) }
                    (post_form(ctx, "/accounting/vouchers", html! {
                        (crate::once::once_field())
                        (select(ctx, e, "fund", ctx.t("fund.name"), &fund_options, &f.fund))
                        (select(ctx, e, "kind", ctx.t("voucher.kind"), &kinds, &f.kind))
                        (Input::text("date", ctx.t("week.day"), &f.date).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("amount", ctx.t("voucher.amount"), &f.amount).required().render(ctx, e))
                        (Input::text("description", ctx.t("voucher.description"), &f.description).required().render(ctx, e))
                        @if e.get("amount") == Some("voucher.err_overdraw") {
                            label.confirm { input type="checkbox" name="overdraw" value="yes" required; " " (ctx.t("voucher.overdraw_confirm")) }
                        }
                        div.field {
                            label for="f-line" { (ctx.t("voucher.line")) }
                            select #f-line name="line" aria-invalid=[e.get("line").map(|_| "true")] {
                                option value="" { "—" }
                                optgroup label=(ctx.t("fund.receipts")) {
                                    @for (c, k) in super::lines::RECEIPT_LINES { option value=(c) selected[f.line == *c] { (ctx.t(k)) } }
                                }
                                optgroup label=(ctx.t("fund.payments")) {
                                    @for (c, k) in super::lines::PAYMENT_LINES { option value=(c) selected[f.line == *c] { (ctx.t(k)) } }
                                }
                            }
                            @if let Some(k) = e.get("line") { p.error { (ctx.t(k)) } }
                        }
                        button type="submit" { (ctx.t("voucher.post")) }
                    }))
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct VoucherForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    line: String,
    /// Ticked when the form asked: a payment that overdraws a welfare or union fund.
    #[serde(default)]
    overdraw: Option<String>,
}

/// Posts a voucher; a refused form comes back with its input and messages (422).
pub async fn post(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<VoucherForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let fund: i32 = f
        .fund
        .parse()
        .map_err(|_| AppError::BadRequest("err.bad_form"))?;
    let kind = match f.kind.as_str() {
        store::RECEIPT => store::RECEIPT,
        store::PAYMENT => store::PAYMENT,
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    let day = business_date(&f.date);
    if day.is_none() {
        e.add("date", "cal.err_date");
    }
    // The budget line, of the voucher's own side (receipts or payments).
    let source = match f.line.as_str() {
        "" => None,
        l if super::lines::lines_for(kind).iter().any(|(c, _)| *c == l) => {
            Some(super::lines::manual_source(l))
        }
        _ => {
            e.add("line", "voucher.err_line");
            None
        }
    };
    let amount = match Vnd::parse(&f.amount) {
        Ok(a) if a.0 > 0 && a.0 <= store::MAX_VOUCHER.0 => Some(a),
        Ok(_) => {
            e.add("amount", "voucher.err_amount");
            None
        }
        Err(_) => {
            e.add("amount", "money.err_format");
            None
        }
    };
    if let (true, Some(day), Some(amount)) = (e.is_empty(), day, amount) {
        let (actor, now) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
        );
        let description = f.description.clone();
        let once = f.once.clone();
        let overdraw_ok = f.overdraw.as_deref() == Some("yes");
        let saved = state
            .db
            .write(move |c| {
                if !crate::once::claim(c, Some(&once), now)? {
                    return Ok(None);
                }
                if kind == store::PAYMENT {
                    store::ensure_can_pay(c, fund, day, amount, overdraw_ok)?;
                }
                store::post(
                    c,
                    &actor,
                    now,
                    &NewVoucher {
                        fund,
                        kind,
                        date: day,
                        amount,
                        description: &description,
                        person: None,
                        source: source.as_deref(),
                    },
                )
                .map(Some)
            })
            .await;
        match saved {
            Ok(Some(v)) => {
                return Ok(see_other(
                    &format!("/accounting/funds?year={}", v.year),
                    Some("flash.saved"),
                ))
            }
            Ok(None) => {
                return Ok(see_other(
                    &format!("/accounting/funds?year={}", day.year()),
                    Some("flash.already_saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "voucher.err_description" => "description",
                    "voucher.err_amount" | "voucher.err_overdraw" => "amount",
                    "err.bad_form" => "fund",
                    _ => "date",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let year = day
        .map(|d| d.year())
        .unwrap_or_else(|| state.clock.today().year());
    let funds = load(&state, year).await?;
    Ok(html_invalid(view(&ctx, year, &funds, true, &f, &e)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReverseForm {
    reason: String,
    confirm: Option<String>,
}

/// Reverses a voucher (dated today), with a reason.
pub async fn reverse(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ReverseForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let reason = f.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::BadRequest("voucher.err_reason"));
    }
    let id = id.into_inner();
    let (actor, now, today) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        state.clock.today(),
    );
    let v = state
        .db
        .write(move |c| store::reverse_by_hand(c, &actor, now, id, today, &reason))
        .await?;
    Ok(see_other(
        &format!("/accounting/funds?year={}", v.year),
        Some("flash.saved"),
    ))
}

/// Money that left a fund in each month of the year: payments less their reversals, a
/// reversal taken off the month of the payment it cancels (a reversed payment counts as never
/// made, as in the reports: a month closed, reopened and closed again shows its subsidy once,
/// not twice in it and less than nothing in the month it was reopened).
pub fn monthly_spending(vouchers: &[Voucher]) -> [i64; 12] {
    let mut out = [0i64; 12];
    for v in vouchers {
        let original = v
            .reverses
            .and_then(|id| vouchers.iter().find(|x| x.id == id));
        match original {
            Some(o) if o.kind == store::PAYMENT => {
                out[o.voucher_date.month0() as usize] -= v.amount_vnd.0
            }
            Some(_) => {}
            None if v.kind == store::PAYMENT => {
                out[v.voucher_date.month0() as usize] += v.amount_vnd.0
            }
            None => {}
        }
    }
    out
}

/// A small chart of the fund's monthly spending against the plan (bars: each month's
/// spending; line: the spending so far against the plan's straight-line pace), with the same
/// figures in a table for screen readers and copying.
fn spending_chart(
    ctx: &Ctx,
    fund: &store::Fund,
    fig: &YearFigures,
    vouchers: &[Voucher],
) -> Markup {
    let months = monthly_spending(vouchers);
    let plan = fig.planned.map(|p| p.0).unwrap_or(0);
    let mut cumulative = [0i64; 12];
    let mut run = 0;
    for (i, m) in months.iter().enumerate() {
        run += m;
        cumulative[i] = run;
    }
    let top = plan.max(run).max(*months.iter().max().unwrap_or(&0)).max(1) as f64;
    let (w, h, left, bottom) = (360.0, 120.0, 4.0, 108.0);
    let x = |i: usize| left + 29.0 * i as f64;
    let y = |v: i64| bottom - (v.max(0) as f64 / top) * 100.0;
    let path: String = cumulative
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(i) + 12.0,
                y(*v)
            )
        })
        .collect();
    let label = ctx.tf("fund.chart_label", &fund.name);
    html! {
        figure.chart {
            svg role="img" aria-label=(label) viewBox=(format!("0 0 {w} {h}")) width="360" height="120" {
                @if plan > 0 {
                    line x1=(left) x2=(w - 4.0) y1=(format!("{:.1}", y(plan))) y2=(format!("{:.1}", y(plan))) stroke="#b00" stroke-dasharray="4 3" {}
                    line x1=(x(0) + 12.0) y1=(bottom) x2=(x(11) + 12.0) y2=(format!("{:.1}", y(plan))) stroke="#999" stroke-dasharray="2 3" {}
                }
                @for (i, m) in months.iter().enumerate() {
                    rect x=(format!("{:.1}", x(i) + 4.0)) y=(format!("{:.1}", y(*m))) width="16" height=(format!("{:.1}", bottom - y(*m))) fill="#4a7" {}
                }
                path d=(path) fill="none" stroke="#246" stroke-width="2" {}
                line x1=(left) x2=(w - 4.0) y1=(bottom) y2=(bottom) stroke="#333" {}
            }
            figcaption { (ctx.t("fund.chart_caption")) }
            details {
                summary { (ctx.t("fund.chart_table")) }
                table {
                    thead { tr { th { (ctx.t("fund.month")) } th.num { (ctx.t("fund.spent")) } th.num { (ctx.t("fund.spent_so_far")) } } }
                    tbody { @for i in 0..12 { tr { td { (i + 1) } td.num { (Vnd(months[i])) } td.num { (Vnd(cumulative[i])) } } } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher(
        id: i32,
        kind: &str,
        day: (u32, u32),
        amount: i64,
        reverses: Option<i32>,
    ) -> Voucher {
        let date = chrono::NaiveDate::from_ymd_opt(2026, day.0, day.1).unwrap_or_default();
        Voucher {
            id,
            fund_id: 1,
            year: 2026,
            kind: kind.into(),
            number: id,
            voucher_date: date,
            amount_vnd: Vnd(amount),
            description: String::new(),
            person_id: None,
            source: None,
            reverses,
            posted_at: date.and_hms_opt(0, 0, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn a_payment_reversed_later_is_taken_off_its_own_month() {
        // November's subsidy paid at its close, reversed on 02/12 when the month was
        // reopened, paid again at the second close; a receipt changes no spending.
        let months = monthly_spending(&[
            voucher(1, store::PAYMENT, (11, 30), 23_820_000, None),
            voucher(2, store::RECEIPT, (12, 2), 23_820_000, Some(1)),
            voucher(3, store::PAYMENT, (11, 30), 23_820_000, None),
            voucher(4, store::RECEIPT, (12, 5), 100_000, None),
            voucher(5, store::PAYMENT, (12, 10), 50_000, None),
        ]);
        assert_eq!(months[10], 23_820_000);
        assert_eq!(months[11], 50_000);
    }
}
