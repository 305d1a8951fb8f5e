//! Pages of retirees (union officers only): the list (search, region, those who died, pages,
//! CSV/XLSX for visit rounds), one retiree's record (details with the health note, pensions,
//! visits, recording a death, and opening the funeral case from it).

use super::retirees::{self, ListFilter, NewVisit, Record, VISIT_REASONS};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::format::{date, historical_date, opt_date};
use crate::ui::forms::{
    bounded_text as text, error_list, pager, post_form, q, select, FieldErrors, Form, Input,
};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

pub const PER_PAGE: i64 = 50;

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    region: Option<String>,
    deceased: Option<String>,
    page: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> ListFilter {
        ListFilter {
            q: self.q.clone().unwrap_or_default(),
            region: self.region.clone().unwrap_or_default(),
            with_deceased: self.deceased.as_deref() == Some("1"),
        }
    }
    fn link(&self, page: i64) -> String {
        let f = self.filter();
        format!(
            "/welfare/retirees?q={}&region={}{}&page={page}",
            q(&f.q),
            q(&f.region),
            if f.with_deceased { "&deceased=1" } else { "" }
        )
    }
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    lq: web::Query<ListQuery>,
) -> Result<Markup, AppError> {
    let f = lq.filter();
    let asked = lq.page.unwrap_or(1).clamp(1, 100_000);
    let today = state.clock.today();
    let f2 = f.clone();
    let ((rows, total), regions, page) = state
        .db
        .read(move |c| {
            let (rows, total) = retirees::list(c, &f2, asked, PER_PAGE)?;
            // Past the last page: the last page.
            let last = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
            if asked > last {
                return Ok((
                    retirees::list(c, &f2, last, PER_PAGE)?,
                    retirees::regions(c)?,
                    last,
                ));
            }
            Ok(((rows, total), retirees::regions(c)?, asked))
        })
        .await?;
    let region_options: Vec<(String, String)> = std::iter::once((String::new(), "—".to_string()))
        .chain(regions.iter().map(|r| (r.clone(), r.clone())))
        .collect();
    let export_q = format!(
        "q={}&region={}{}",
        q(&f.q),
        q(&f.region),
        if f.with_deceased { "&deceased=1" } else { "" }
    );
    Ok(layout::page(
        &ctx,
        ctx.t("wf.retirees"),
        html! {
            (layout::title_bar(ctx.t("wf.retirees"), html! {
                a href="/welfare/milestones" { (ctx.t("wf.milestones")) } " · "
                a href={ "/welfare/retirees.csv?" (export_q) } { "CSV" } " · "
                a href={ "/welfare/retirees.xlsx?" (export_q) } { "Excel" }
            }))
            form.filters method="get" action="/welfare/retirees" {
                label for="f-q" { (ctx.t("common.search")) }
                " " input #f-q name="q" type="search" value=(f.q);
                " " label for="f-region" { (ctx.t("wf.region")) }
                " " select #f-region name="region" {
                    @for (v, l) in &region_options { option value=(v) selected[*v == f.region] { (l) } }
                }
                " " label { input type="checkbox" name="deceased" value="1" checked[f.with_deceased]; " " (ctx.t("wf.with_deceased")) }
                " " button type="submit" { (ctx.t("common.filter")) }
            }
            @if rows.is_empty() { p { (ctx.t("wf.no_retirees")) } } @else {
                table.responsive {
                    thead { tr {
                        th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("people.dob")) }
                        th.num { (ctx.t("wf.age")) } th { (ctx.t("wf.retired_on")) } th { (ctx.t("wf.former_unit")) }
                        th { (ctx.t("wf.region")) } th { (ctx.t("wf.last_visit")) }
                    } }
                    tbody { @for r in &rows { tr {
                        td { (r.code) }
                        td { a href={ "/welfare/retirees/" (r.person_id) } { (r.name) }
                            @if let Some(d) = r.died_on() { br; small { (ctx.tf("wf.died_on", date(d))) } } }
                        td { (opt_date(r.born)) }
                        td.num { @if let Some(b) = r.born { (retirees::age_on(b, r.died_on().unwrap_or(today))) } }
                        td { (opt_date(r.retired_on)) }
                        td { (r.former_unit.as_deref().unwrap_or("")) }
                        td { (r.region) }
                        td { (opt_date(r.last_visit)) }
                    } } }
                }
            }
            (pager(&ctx, page, PER_PAGE, total, |p| lq.link(p)))
        },
    ))
}

async fn export_list(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    lq: &ListQuery,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let f = lq.filter();
    // Every retiree the filter finds (a visit round covers them all): at most 100 000.
    let (rows, contacts) = state
        .db
        .read(move |c| {
            let (rows, _) = retirees::list(c, &f, 1, 100_000)?;
            let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
            Ok((rows, retirees::records_of(c, &ids)?))
        })
        .await?;
    let t = Table {
        title: ctx.t("wf.retirees").to_string(),
        summary: Vec::new(),
        header: &[
            ctx.t("people.code"),
            ctx.t("people.name"),
            ctx.t("people.dob"),
            ctx.t("wf.retired_on"),
            ctx.t("wf.former_unit"),
            ctx.t("wf.region"),
            ctx.t("wf.address"),
            ctx.t("wf.contact_name"),
            ctx.t("wf.contact_phone"),
            ctx.t("wf.last_visit"),
            ctx.t("wf.died"),
        ],
        rows: rows
            .iter()
            .map(|r| {
                let c = contacts.get(&r.person_id);
                vec![
                    r.code.clone(),
                    r.name.clone(),
                    opt_date(r.born),
                    opt_date(r.retired_on),
                    r.former_unit.clone().unwrap_or_default(),
                    r.region.clone(),
                    c.map(|c| c.address.clone()).unwrap_or_default(),
                    c.map(|c| c.contact_name.clone()).unwrap_or_default(),
                    c.map(|c| c.contact_phone.clone()).unwrap_or_default(),
                    opt_date(r.last_visit),
                    opt_date(r.died_on()),
                ]
            })
            .collect(),
        // Every column is text (codes and phone numbers keep their leading zeros).
        numbers_from: 11,
        widths: &[(1, 28.0), (6, 40.0), (7, 24.0), (8, 16.0)],
        money: &[],
    };
    // Addresses and phone numbers leaving the system: audited, as the people list's export.
    let (a, now, n) = (
        crate::audit::Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        t.rows.len(),
    );
    state
        .db
        .write(move |c| {
            crate::audit::record(
                c,
                &a,
                now,
                crate::audit::Entry::new("retiree.export", "retiree")
                    .after(serde_json::json!({"rows": n})),
            )
        })
        .await?;
    export::download(&t, format, "huu-tri")
}

pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    lq: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    export_list(&state, &ctx, &user, &lq, export::Format::Csv).await
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    lq: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    export_list(&state, &ctx, &user, &lq, export::Format::Xlsx).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RecordForm {
    #[serde(default)]
    retired_on: String,
    #[serde(default)]
    former_unit: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    health_note: String,
    /// The version of the record the form was made from.
    #[serde(default)]
    version: String,
}

impl RecordForm {
    fn of(r: &Record, version: String) -> Self {
        RecordForm {
            version,
            retired_on: opt_date(r.retired_on),
            former_unit: r.former_unit_id.map(|u| u.to_string()).unwrap_or_default(),
            address: r.address.clone(),
            region: r.region.clone(),
            contact_name: r.contact_name.clone(),
            contact_phone: r.contact_phone.clone(),
            health_note: r.health_note.clone(),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct PensionForm {
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    monthly: String,
    #[serde(default)]
    replace: Option<String>,
    #[serde(default)]
    once: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct VisitForm {
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    visitors: String,
    #[serde(default)]
    gift: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    once: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct DeathForm {
    #[serde(default)]
    died_on: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// The forms of the record page as the user left them, with the problems of the one sent.
#[derive(Default)]
struct Forms {
    record: Option<RecordForm>,
    pension: PensionForm,
    visit: VisitForm,
    death: DeathForm,
    /// Which form the problems belong to.
    sent: &'static str,
    errors: FieldErrors,
}

impl Forms {
    fn errors_of(&self, form: &str) -> FieldErrors {
        if self.sent == form {
            self.errors.clone()
        } else {
            FieldErrors::default()
        }
    }
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    render(&state, &ctx, id.into_inner(), Forms::default()).await
}

async fn render(state: &AppState, ctx: &Ctx, id: i32, forms: Forms) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let (p, rec, kept, version, pensions, visits, units, benefits, cases) = state
        .db
        .read(move |c| {
            let (p, rec, kept) = retirees::retiree(c, id)?;
            Ok((
                p,
                rec,
                kept,
                retirees::version(c, id)?,
                retirees::pensions_of(c, id)?,
                retirees::visits_of(c, id)?,
                crate::people::store::all_units(c)?,
                super::cases::benefit_types(c)?,
                super::cases::cases_of(c, id)?,
            ))
        })
        .await?;
    let died = (p.status == "deceased").then_some(p.status_date).flatten();
    let rf = forms
        .record
        .clone()
        .unwrap_or_else(|| RecordForm::of(&rec, version.clone()));
    let re = forms.errors_of("record");
    let unit_options: Vec<(String, String)> = std::iter::once((String::new(), "—".to_string()))
        .chain(units.iter().map(|u| (u.id.to_string(), u.name.clone())))
        .collect();
    let reasons: Vec<(String, String)> = VISIT_REASONS
        .iter()
        .map(|(c, k)| (c.to_string(), ctx.t(k).to_string()))
        .collect();
    // A funeral benefit for the person themself, paid to retirees (or anyone).
    let funeral = benefits
        .iter()
        .find(|b| {
            b.active
                && b.kind == super::rules::BenefitKind::Funeral.code()
                && (b.relatives.is_empty() || b.relatives.split(',').any(|r| r == "self"))
                && b.recipients != "members"
        })
        .map(|b| b.id);
    let has_funeral_case = cases.iter().any(|c| {
        c.dependant_id.is_none()
            && c.state != "rejected"
            && benefits
                .iter()
                .any(|b| b.id == c.benefit_type_id && b.kind == "funeral")
    });
    let ve = forms.errors_of("visit");
    let pe = forms.errors_of("pension");
    let de = forms.errors_of("death");
    Ok(layout::page(
        ctx,
        &p.full_name,
        html! {
            (layout::title_bar(&format!("{} · {}", p.full_name, p.employee_code), html! {
                a href="/welfare/retirees" { (ctx.t("wf.retirees")) } " · "
                a href={ "/welfare/people/" (id) } { (ctx.t("wf.memberships")) }
            }))
            p {
                @if let Some(b) = p.date_of_birth { (ctx.t("people.dob")) " " (date(b)) " (" (ctx.tf("wf.age_years", retirees::age_on(b, died.unwrap_or(today)))) ")" }
                @if let Some(d) = died { " · " strong { (ctx.tf("wf.died_on", date(d))) } }
            }
            @if let Some(d) = died {
                p.alert role="status" { (ctx.tf("wf.deceased_note", date(d))) }
            }
            div.card {
                h2 { (ctx.t("wf.retiree_record")) }
                @if !kept { p.hint { (ctx.t("wf.retiree_record_new")) } }
                (error_list(ctx, &re))
                (post_form(ctx, &format!("/welfare/retirees/{id}"), html! {
                    input type="hidden" name="version" value=(rf.version);
                    (Input::text("retired_on", ctx.t("wf.retired_on"), &rf.retired_on).hint(ctx.t("cal.date_hint")).render(ctx, &re))
                    (select(ctx, &re, "former_unit", ctx.t("wf.former_unit"), &unit_options, &rf.former_unit))
                    (Input::text("address", ctx.t("wf.address"), &rf.address).render(ctx, &re))
                    (Input::text("region", ctx.t("wf.region"), &rf.region).hint(ctx.t("wf.region_hint")).render(ctx, &re))
                    (Input::text("contact_name", ctx.t("wf.contact_name"), &rf.contact_name).render(ctx, &re))
                    (Input::text("contact_phone", ctx.t("wf.contact_phone"), &rf.contact_phone).kind("tel").render(ctx, &re))
                    div.field {
                        label for="f-health_note" { (ctx.t("wf.health_note")) }
                        textarea #f-health_note name="health_note" rows="3" maxlength="1000" aria-describedby="h-health_note" { (rf.health_note) }
                        small #h-health_note .hint { (ctx.t("wf.health_note_hint")) }
                        @if let Some(k) = re.get("health_note") { p.error { (ctx.t(k)) } }
                    }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
            h2 { (ctx.t("wf.pensions")) }
            p.hint { (ctx.t("wf.pension_hint")) }
            @if pensions.is_empty() { p { (ctx.t("wf.no_pension")) } } @else {
                table {
                    thead { tr { th { (ctx.t("wf.valid_from")) } th.num { (ctx.t("wf.pension_monthly")) } } }
                    tbody { @for x in &pensions { tr { td { (date(x.valid_from)) } td.num { (x.monthly) } } } }
                }
            }
            div.card.no-print {
                (error_list(ctx, &pe))
                (post_form(ctx, &format!("/welfare/retirees/{id}/pensions"), html! {
                    (crate::once::once_field())
                    (Input::text("valid_from", ctx.t("wf.valid_from"), &forms.pension.valid_from).required().hint(ctx.t("cal.date_hint")).render(ctx, &pe))
                    (Input::text("monthly", ctx.t("wf.pension_monthly"), &forms.pension.monthly).required().hint(ctx.t("wf.pension_amount_hint")).render(ctx, &pe))
                    label.confirm { input type="checkbox" name="replace" value="yes" checked[forms.pension.replace.is_some()]; " " (ctx.t("wf.pension_replace")) }
                    button type="submit" { (ctx.t("wf.pension_add")) }
                }))
            }
            h2 { (ctx.t("wf.visits")) }
            @if visits.is_empty() { p { (ctx.t("wf.no_visits")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("wf.visited_on")) } th { (ctx.t("wf.visit_reason")) } th { (ctx.t("wf.visitors")) } th { (ctx.t("wf.gift")) } th { (ctx.t("wf.note")) } } }
                    tbody { @for v in &visits { tr {
                        td { (date(v.visited_on)) } td { (ctx.t(retirees::visit_reason_key(&v.reason))) }
                        td { (v.visitors) } td { (v.gift) } td { (v.note) }
                    } } }
                }
            }
            div.card.no-print {
                h2 { (ctx.t("wf.visit_add")) }
                (error_list(ctx, &ve))
                (post_form(ctx, &format!("/welfare/retirees/{id}/visits"), html! {
                    (crate::once::once_field())
                    (Input::text("visited_on", ctx.t("wf.visited_on"), &forms.visit.visited_on).required().hint(ctx.t("cal.date_hint")).render(ctx, &ve))
                    (select(ctx, &ve, "reason", ctx.t("wf.visit_reason"), &reasons, &forms.visit.reason))
                    (Input::text("visitors", ctx.t("wf.visitors"), &forms.visit.visitors).required().render(ctx, &ve))
                    (Input::text("gift", ctx.t("wf.gift"), &forms.visit.gift).hint(ctx.t("wf.visit_gift_hint")).render(ctx, &ve))
                    (Input::text("note", ctx.t("wf.note"), &forms.visit.note).render(ctx, &ve))
                    button type="submit" { (ctx.t("wf.visit_add")) }
                }))
            }
            h2 { (ctx.t("wf.cases")) }
            (super::case_pages::case_table(ctx, &cases))
            @if died.is_some() && !has_funeral_case {
                div.card.no-print {
                    h2 { (ctx.t("wf.funeral_case")) }
                    @if funeral.is_some() {
                        p.hint { (ctx.t("wf.funeral_case_hint")) }
                    } @else {
                        p.alert role="status" { (ctx.t("wf.funeral_no_benefit")) " " a href="/welfare/benefits" { (ctx.t("wf.benefits")) } }
                    }
                    (super::case_pages::report_form(ctx, &benefits, Some((id, &[])), &super::case_pages::ReportForm::prefilled(funeral, opt_date(died)), &FieldErrors::default()))
                }
            }
            @if died.is_none() {
                div.card.no-print {
                    h2 { (ctx.t("wf.record_death")) }
                    p.hint { (ctx.t("wf.record_death_help")) }
                    (error_list(ctx, &de))
                    (post_form(ctx, &format!("/welfare/retirees/{id}/death"), html! {
                        (Input::text("died_on", ctx.t("wf.died_on_label"), &forms.death.died_on).required().hint(ctx.t("cal.date_hint")).render(ctx, &de))
                        label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("wf.record_death_confirm")) }
                        " " button.danger type="submit" { (ctx.t("wf.record_death")) }
                    }))
                }
            }
        },
    ))
}

fn parse_record(f: &RecordForm, today: NaiveDate) -> Result<Record, FieldErrors> {
    let mut e = FieldErrors::default();
    let retired_on = match f.retired_on.trim() {
        "" => Some(None),
        s => historical_date(s, today).map(Some),
    };
    if retired_on.is_none() {
        e.add("retired_on", "wf.err_past_date");
    }
    let former_unit_id = match f.former_unit.trim() {
        "" => Some(None),
        s => s.parse::<i32>().ok().map(Some),
    };
    if former_unit_id.is_none() {
        e.add("former_unit", "err.bad_form");
    }
    let mut field = |name: &'static str, v: &str, max: usize, key: &'static str| {
        let t = text(v, max);
        if t.is_none() {
            e.add(name, key);
        }
        t.unwrap_or_default()
    };
    let address = field("address", &f.address, 300, "wf.err_text_300");
    // Spaces inside a region are one space: "Ba  Đình" is "Ba Đình" for the filter.
    let region = field("region", &f.region, 100, "wf.err_text_100")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let contact_name = field("contact_name", &f.contact_name, 200, "wf.err_text_200");
    let contact_phone = field("contact_phone", &f.contact_phone, 50, "wf.err_phone");
    let health_note = text(&f.health_note, 1000);
    if health_note.is_none() {
        e.add("health_note", "wf.err_text_1000");
    }
    if !contact_phone.is_empty() && !crate::people::rules::phone_ok(&contact_phone) {
        e.add("contact_phone", "wf.err_phone");
    }
    match (e.is_empty(), retired_on, former_unit_id, health_note) {
        (true, Some(retired_on), Some(former_unit_id), Some(health_note)) => Ok(Record {
            retired_on,
            former_unit_id,
            address,
            region,
            contact_name,
            contact_phone,
            health_note,
        }),
        _ => Err(e),
    }
}

pub async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<RecordForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = match parse_record(&f, state.clock.today()) {
        Ok(r) => {
            let (a, now, v) = (actor(&user), state.clock.now_naive(), f.version.clone());
            match state
                .db
                .write(move |c| retirees::save(c, &a, now, id, &r, Some(&v)))
                .await
            {
                Ok(()) => {
                    return Ok(see_other(
                        &format!("/welfare/retirees/{id}"),
                        Some("flash.saved"),
                    ))
                }
                Err(AppError::BadRequest(crate::ui::seen::CHANGED)) => {
                    FieldErrors::changed_elsewhere()
                }
                Err(AppError::BadRequest(k)) => {
                    let mut e = FieldErrors::default();
                    e.add(
                        match k {
                            "wf.err_unit" => "former_unit",
                            _ => "retired_on",
                        },
                        k,
                    );
                    e
                }
                Err(other) => return Err(other),
            }
        }
        Err(e) => {
            // On a page shown before another save, put right it would only be refused then.
            let v = f.version.clone();
            let now = state.db.read(move |c| retirees::version(c, id)).await?;
            if crate::ui::seen::is_stale(Some(&v), Some(&now)) {
                FieldErrors::changed_elsewhere()
            } else {
                e
            }
        }
    };
    if errors.is_empty() {
        errors.add("retired_on", "err.bad_form");
    }
    // Changed elsewhere: the page shows the record as it is now (and its version).
    let stale = errors.get(crate::ui::seen::FIELD).is_some();
    let forms = Forms {
        record: (!stale).then_some(f),
        sent: "record",
        errors,
        ..Forms::default()
    };
    Ok(html_invalid(render(&state, &ctx, id, forms).await?))
}

pub async fn add_pension(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<PensionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut e = FieldErrors::default();
    let from = crate::ui::format::parse_date(f.valid_from.trim())
        .filter(|d| *d >= NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or(*d));
    if from.is_none() {
        e.add("valid_from", "wf.err_date");
    }
    let monthly = Vnd::parse(&f.monthly)
        .ok()
        .filter(|v| v.0 > 0 && *v <= retirees::MAX_PENSION);
    if monthly.is_none() {
        e.add("monthly", "wf.err_pension");
    }
    if let (true, Some(from), Some(monthly)) = (e.is_empty(), from, monthly) {
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        let replace = f.replace.as_deref() == Some("yes");
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(());
                }
                retirees::add_pension(c, &a, now, id, from, monthly, replace)
            })
            .await
        {
            Ok(()) => {
                return Ok(see_other(
                    &format!("/welfare/retirees/{id}"),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add("valid_from", k),
            Err(other) => return Err(other),
        }
    }
    let forms = Forms {
        pension: f,
        sent: "pension",
        errors: e,
        ..Forms::default()
    };
    Ok(html_invalid(render(&state, &ctx, id, forms).await?))
}

pub async fn add_visit(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<VisitForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let today = state.clock.today();
    let mut e = FieldErrors::default();
    let visited_on = historical_date(f.visited_on.trim(), today);
    if visited_on.is_none() {
        e.add("visited_on", "wf.err_past_date");
    }
    if !VISIT_REASONS.iter().any(|(c, _)| *c == f.reason) {
        e.add("reason", "err.bad_form");
    }
    let visitors = text(&f.visitors, 300).filter(|s| !s.is_empty());
    if visitors.is_none() {
        e.add("visitors", "wf.err_visitors");
    }
    let gift = text(&f.gift, 300);
    if gift.is_none() {
        e.add("gift", "wf.err_text_300");
    }
    let note = text(&f.note, 500);
    if note.is_none() {
        e.add("note", "wf.err_note");
    }
    if let (true, Some(visited_on), Some(visitors), Some(gift), Some(note)) =
        (e.is_empty(), visited_on, visitors, gift, note)
    {
        let v = NewVisit {
            visited_on,
            reason: f.reason.clone(),
            visitors,
            gift,
            note,
        };
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(0);
                }
                retirees::add_visit(c, &a, now, id, &v)
            })
            .await
        {
            Ok(_) => {
                return Ok(see_other(
                    &format!("/welfare/retirees/{id}"),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add("visited_on", k),
            Err(other) => return Err(other),
        }
    }
    let forms = Forms {
        visit: f,
        sent: "visit",
        errors: e,
        ..Forms::default()
    };
    Ok(html_invalid(render(&state, &ctx, id, forms).await?))
}

pub async fn record_death(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<DeathForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut e = FieldErrors::default();
    let died_on = historical_date(f.died_on.trim(), state.clock.today());
    if died_on.is_none() {
        e.add("died_on", "wf.err_past_date");
    }
    if f.confirm.as_deref() != Some("yes") {
        e.add("died_on", "err.confirm_required");
    }
    if let (true, Some(died_on)) = (e.is_empty(), died_on) {
        let (a, now) = (actor(&user), state.clock.now_naive());
        let reason = ctx.t("wf.death_reason").to_string();
        match state
            .db
            .write(move |c| retirees::record_death(c, &a, now, id, died_on, &reason))
            .await
        {
            Ok(_) => {
                return Ok(see_other(
                    &format!("/welfare/retirees/{id}"),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) => e.add("died_on", k),
            Err(other) => return Err(other),
        }
    }
    let forms = Forms {
        death: f,
        sent: "death",
        errors: e,
        ..Forms::default()
    };
    Ok(html_invalid(render(&state, &ctx, id, forms).await?))
}
