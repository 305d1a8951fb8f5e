//! The kitchen's food-safety page of a day: deliveries (step 1), each dish's step 2, step 3
//! and sample, what is missing, samples due for discarding, certificates running out.

use super::rules::{self, CertStatus, Gap};
use super::store::{self, DayRecords, KeptSample};
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::post_form;
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::web;
use chrono::{NaiveDate, NaiveDateTime};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DayQuery {
    pub date: Option<String>,
}

pub fn day_of(q: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match q {
        None | Some("") => Ok(today),
        Some(s) => business_date(s).ok_or(AppError::BadRequest("order.err_bad_date")),
    }
}

/// How many days back a food-safety record may still be made: the three-step checks are kept
/// as they happen; a day or a weekend late is catching up, months late is writing history.
pub const RECORD_DAYS_BACK: i64 = 7;

/// Whether records can be made for `day`: not a day still to come, not older than
/// [`RECORD_DAYS_BACK`].
pub fn recordable(day: NaiveDate, today: NaiveDate) -> Result<(), AppError> {
    if day > today {
        return Err(AppError::BadRequest("fs.err_future_day"));
    }
    if day < today - chrono::Duration::days(RECORD_DAYS_BACK) {
        return Err(AppError::BadRequest("fs.err_old_day"));
    }
    Ok(())
}

/// A day in links: yyyy-mm-dd.
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Local date and time of an instant: "27/11/2026 10:30".
pub fn at(t: NaiveDateTime) -> String {
    crate::clock::local_datetime(t)
}

/// "✓ Đạt" or "✗ Không đạt".
pub fn verdict(ctx: &Ctx, ok: bool) -> Markup {
    html! {
        @if ok { span.ok { "✓ " (ctx.t("fs.pass")) } } @else { span.error { "✗ " (ctx.t("fs.fail")) } }
    }
}

/// Certificates that run out within 30 days of today, or ran out (supplier, number, until).
pub struct CertWarning {
    pub supplier: String,
    pub number: String,
    pub status: CertStatus,
}

pub fn cert_warnings(
    conn: &mut crate::db::DbConn,
    today: NaiveDate,
) -> Result<Vec<CertWarning>, AppError> {
    let certs = store::certificates(conn)?;
    let suppliers = crate::suppliers::store::suppliers(conn)?;
    let mut out = Vec::new();
    for s in &suppliers {
        let mine: Vec<&store::Certificate> =
            certs.iter().filter(|c| c.supplier_id == s.id).collect();
        let Some(latest) = mine.iter().max_by_key(|c| c.valid_until) else {
            continue;
        };
        let until: Vec<NaiveDate> = mine.iter().map(|c| c.valid_until).collect();
        let status = rules::cert_status(&until, today);
        if matches!(status, CertStatus::Expired(_) | CertStatus::ExpiringSoon(_)) {
            out.push(CertWarning {
                supplier: s.name.clone(),
                number: latest.number.clone(),
                status,
            });
        }
    }
    Ok(out)
}

pub fn cert_warning_line(ctx: &Ctx, w: &CertWarning) -> Markup {
    html! {
        @match w.status {
            CertStatus::Expired(u) => { li.error { (ctx.tf("fs.cert_expired", format!("{} ({}) — {}", w.supplier, w.number, date(u)))) } }
            CertStatus::ExpiringSoon(u) => { li { (ctx.tf("fs.cert_expiring", format!("{} ({}) — {}", w.supplier, w.number, date(u)))) } }
            _ => {}
        }
    }
}

/// The line of a gap: "Món Canh chua chưa kiểm tra bước 3".
pub fn gap_line(ctx: &Ctx, g: &Gap) -> String {
    ctx.tf(g.key(), g.arg())
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<DayQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let day = day_of(q.date.as_deref(), today)?;
    let (rec, kept, warnings, hours) = state
        .db
        .read(move |c| {
            Ok((
                store::day_records(c, day)?,
                store::kept_samples(c)?,
                cert_warnings(c, today)?,
                store::keep_hours(c)?,
            ))
        })
        .await?;
    let now = state.clock.now_naive();
    Ok(day_page(
        &ctx,
        &user,
        &DayView {
            rec: &rec,
            kept: &kept,
            warnings: &warnings,
            hours,
            now,
            today,
        },
    ))
}

pub struct DayView<'a> {
    pub rec: &'a DayRecords,
    pub kept: &'a [KeptSample],
    pub warnings: &'a [CertWarning],
    pub hours: i64,
    pub now: NaiveDateTime,
    pub today: NaiveDate,
}

fn day_page(ctx: &Ctx, user: &CurrentUser, v: &DayView<'_>) -> Markup {
    let rec = v.rec;
    let day = rec.day;
    let gaps = rec.gaps();
    let prev = day.pred_opt().unwrap_or(day);
    let next = day.succ_opt().unwrap_or(day);
    let due: Vec<&KeptSample> = v.kept.iter().filter(|k| k.due_at <= v.now).collect();
    let can_record = recordable(day, v.today).is_ok();
    layout::page(
        ctx,
        ctx.t("fs.title"),
        html! {
            (layout::title_bar(&ctx.tf("fs.title_for", date(day)), html! {
                a href={ "/kitchen/food-safety?date=" (iso(prev)) } { (ctx.t("history.prev_day")) } " · "
                a href={ "/kitchen/food-safety?date=" (iso(next)) } { (ctx.t("history.next_day")) } " · "
                a href="/kitchen/food-safety/certificates" { (ctx.t("fs.certificates")) } " · "
                a href="/kitchen/food-safety/incidents" { (ctx.t("fs.incidents")) }
            }))
            form.filters method="get" action="/kitchen/food-safety" {
                label for="f-date" { (ctx.t("fs.day")) }
                " " input #f-date name="date" type="text" value=(date(day)) inputmode="numeric";
                " " button type="submit" { (ctx.t("common.filter")) }
            }
            @if !v.warnings.is_empty() {
                div.alert role="alert" { ul { @for w in v.warnings { (cert_warning_line(ctx, w)) } } }
            }
            @if rec.dishes.is_empty() {
                p { (ctx.t("fs.no_dishes")) }
            } @else if gaps.is_empty() {
                p.ok role="status" { "✓ " (ctx.t("fs.day_complete")) }
            } @else {
                div.alert role="alert" {
                    p { strong { (ctx.t("fs.day_incomplete")) } }
                    ul { @for g in &gaps { li { (gap_line(ctx, g)) } } }
                }
            }
            p.no-print { (ctx.t("fs.print")) ": "
                @for (i, (f, k)) in [("1a", "fs.form_1a"), ("1b", "fs.form_1b"), ("2", "fs.form_2"), ("3", "fs.form_3"), ("4", "fs.form_4")].into_iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/kitchen/food-safety/print?date=" (iso(day)) "&form=" (f) } { (ctx.t(k)) }
                }
            }
            h2 { (ctx.t("fs.step1")) }
            @if rec.deliveries.is_empty() { p { (ctx.t("fs.no_deliveries")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("fs.received")) } th { (ctx.t("fs.supplier")) } th { (ctx.t("fs.goods")) } th { (ctx.t("fs.items")) } th { (ctx.t("fs.result")) } th { (ctx.t("fs.checker")) } } }
                    tbody { @for d in &rec.deliveries { tr {
                        td { (rules::local_hm(d.received_at)) }
                        td { (d.supplier) @if !d.invoice_ref.is_empty() { br; small { (d.invoice_ref) } } }
                        td { (ctx.t(if d.goods == "fresh" { "fs.goods_fresh" } else { "fs.goods_dry" })) }
                        td { @for i in &d.items { div { (i.name) " — " (i.quantity) " " (i.unit) @if !i.sensory_ok { " " span.error { "✗" } } } } }
                        td { (verdict(ctx, d.passed())) }
                        td { (d.checker) }
                    } } }
                }
            }
            @if can_record {
                p.no-print { a.button href={ "/kitchen/food-safety/deliveries/new?date=" (iso(day)) } { (ctx.t("fs.add_delivery")) } }
            }
            h2 { (ctx.t("fs.dishes")) }
            @if !rec.dishes.is_empty() {
                table.responsive {
                    thead { tr { th { (ctx.t("dish.name")) } th { (ctx.t("fs.step2")) } th { (ctx.t("fs.step3")) } th { (ctx.t("fs.sample")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for s in rec.states() { tr {
                        td { (s.name) }
                        td { @match s.prep { Some(ok) => { (verdict(ctx, ok)) }, None => { span.error { (ctx.t("fs.missing")) } } } }
                        td { @match s.serve { Some(ok) => { (verdict(ctx, ok)) }, None => { span.error { (ctx.t("fs.missing")) } } } }
                        td { @if let Some(x) = rec.samples.iter().find(|x| x.dish_id == s.dish_id) {
                                (x.amount) " " (ctx.t(if x.liquid { "fs.ml" } else { "fs.g" })) " · " (rules::local_hm(x.taken_at))
                                @if x.discarded_at.is_some() { br; small { (ctx.t("fs.discarded")) } }
                            } @else { span.error { (ctx.t("fs.missing")) } } }
                        td { @if can_record { a href={ "/kitchen/food-safety/checks/" (s.dish_id) "?date=" (iso(day)) } { (ctx.t("fs.record")) } } }
                    } } }
                }
            }
            h2 { (ctx.t("fs.due_title")) }
            p.hint { (ctx.tf("fs.keep_hint", v.hours)) }
            @if due.is_empty() { p { (ctx.t("fs.none_due")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("fs.day")) } th { (ctx.t("dish.name")) } th { (ctx.t("fs.taken")) } th { (ctx.t("fs.due_at")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for k in &due { tr {
                        td { (date(k.sample.service_date)) } td { (k.dish) } td { (at(k.sample.taken_at)) } td { (at(k.due_at)) }
                        td { @if let Some(i) = k.held_by {
                                a href={ "/kitchen/food-safety/incidents/" (i) } { (ctx.tf("fs.held_by", i)) }
                            } @else {
                                (post_form(ctx, &format!("/kitchen/food-safety/samples/{}/discard", k.sample.id), html! {
                                    input type="hidden" name="date" value=(iso(day));
                                    label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("fs.discard_confirm")) }
                                    " " button.secondary type="submit" { (ctx.t("fs.discard")) }
                                }))
                            } }
                    } } }
                }
            }
            @if user.has(Role::KitchenManager) {
                div.card.no-print {
                    h2 { (ctx.t("fs.settings")) }
                    (post_form(ctx, "/kitchen/food-safety/settings", html! {
                        div.field {
                            label for="f-hours" { (ctx.t("fs.keep_hours")) }
                            input #f-hours name="hours" type="number" min="24" max="168" value=(v.hours) required;
                        }
                        button type="submit" { (ctx.t("common.save")) }
                    }))
                }
            }
        },
    )
}

/// What the kitchen's home (the headcount page) says about a day's food-safety records.
pub fn home_panel(ctx: &Ctx, rec: &DayRecords, due: usize, warnings: &[CertWarning]) -> Markup {
    let gaps = rec.gaps();
    let no_sample: Vec<&str> = rec
        .dishes
        .iter()
        .filter(|d| !rec.samples.iter().any(|s| s.dish_id == d.id))
        .map(|d| d.name.as_str())
        .collect();
    let link = format!("/kitchen/food-safety?date={}", iso(rec.day));
    html! {
        @if !gaps.is_empty() || due > 0 || !warnings.is_empty() {
            section.alert.food-safety aria-labelledby="fs-home" {
                h2 #fs-home { (ctx.tf("fs.home_title", date(rec.day))) }
                @if !gaps.is_empty() {
                    p { strong { (ctx.t("fs.day_incomplete")) } }
                    ul { @for g in &gaps { li { (gap_line(ctx, g)) } } }
                }
                @if !no_sample.is_empty() { p { (ctx.tf("fs.no_sample_today", no_sample.join(", "))) } }
                @if due > 0 { p { (ctx.tf("fs.due_count", due)) } }
                @if !warnings.is_empty() { ul { @for w in warnings { (cert_warning_line(ctx, w)) } } }
                p { a href=(link) { (ctx.t("fs.open_records")) } }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepForm {
    hours: String,
}

pub async fn save_settings(
    state: web::Data<AppState>,
    user: CurrentUser,
    crate::ui::forms::Form(f): crate::ui::forms::Form<KeepForm>,
) -> Result<actix_web::HttpResponse, AppError> {
    let hours: i64 = f
        .hours
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("fs.err_keep_hours"))?;
    let actor = crate::audit::Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| store::set_keep_hours(c, &actor, now, hours))
        .await?;
    Ok(crate::auth::middleware::see_other(
        "/kitchen/food-safety",
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscardForm {
    #[serde(default)]
    note: String,
    /// The day whose page the form was on (to come back to).
    #[serde(default)]
    date: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn discard(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    crate::ui::forms::Form(f): crate::ui::forms::Form<DiscardForm>,
) -> Result<actix_web::HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let note =
        crate::ui::forms::bounded_text(&f.note, 200).ok_or(AppError::BadRequest("fs.err_note"))?;
    let back = business_date(&f.date).map(iso).unwrap_or_default();
    let actor = crate::audit::Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    let id = id.into_inner();
    state
        .db
        .write(move |c| store::discard_sample(c, &actor, now, id, &note))
        .await?;
    Ok(crate::auth::middleware::see_other(
        &format!("/kitchen/food-safety?date={back}"),
        Some("flash.sample_discarded"),
    ))
}
