//! Pages of occasions: the list and a new occasion, one list (edit while a draft, freeze,
//! receipt ticks, the signed sheet), its A4 print with the total in words, its XLSX; the
//! milestone list of retirees.

use super::occasions::{self, Line, NewOccasion, Occasion};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::{in_words, Vnd};
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::format::{business_date, date};
use crate::ui::forms::bounded_text as text;
use crate::ui::forms::{error_list, post_form, select, FieldErrors, Form, Input, CSRF_FIELD};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

fn audience_key(a: &str) -> &'static str {
    match a {
        "members" => "wf.aud_members",
        "retirees" => "wf.aud_retirees",
        "members_and_retirees" => "wf.aud_members_and_retirees",
        "children" => "wf.aud_children",
        _ => "wf.aud_women",
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OccasionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    occasion_date: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    child_max_age: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    gift: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    once: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    render_list(
        &state,
        &ctx,
        &user,
        &OccasionForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    f: &OccasionForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let (all, orgs, funds) = state
        .db
        .read(|c| {
            Ok((
                occasions::occasions(c)?,
                super::store::organisations(c)?,
                crate::ledger::store::funds(c)?,
            ))
        })
        .await?;
    let audiences: Vec<(String, String)> = occasions::AUDIENCES
        .iter()
        .map(|a| (a.to_string(), ctx.t(audience_key(a)).to_string()))
        .collect();
    let org_options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("wf.any_union").to_string()))
            .chain(
                orgs.iter()
                    .filter(|o| o.ended_on.is_none())
                    .map(|o| (o.id.to_string(), o.name.clone())),
            )
            .collect();
    let fund_options = super::case_pages::fund_options(&funds);
    Ok(layout::page(
        ctx,
        ctx.t("wf.occasions"),
        html! {
            (layout::title_bar(ctx.t("wf.occasions"), html! { a href="/welfare/milestones" { (ctx.t("wf.milestones")) } }))
            @if all.is_empty() { p { (ctx.t("wf.no_occasions")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("wf.occasion")) } th { (ctx.t("wf.occasion_date")) } th { (ctx.t("wf.audience")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.state")) } } }
                    tbody { @for o in &all { tr {
                        td { a href={ "/welfare/occasions/" (o.id) } { (o.name) } } td { (date(o.occasion_date)) }
                        td { (ctx.t(audience_key(&o.audience))) @if let Some(a) = o.child_max_age { " " (ctx.tf("wf.under_age", a)) } }
                        td.num { (Vnd(o.amount_vnd)) @if !o.gift.is_empty() { br; small { (o.gift) } } }
                        td { (ctx.t(if o.state == "draft" { "wf.draft" } else { "wf.frozen" })) }
                    } } }
                }
            }
            @if user.has(Role::UnionOfficer) {
                div.card.no-print {
                    h2 { (ctx.t("wf.occasion_add")) }
                    p.hint { (ctx.t("wf.occasion_help")) }
                    (error_list(ctx, e))
                    (post_form(ctx, "/welfare/occasions", html! {
                        (crate::once::once_field())
                        (Input::text("name", ctx.t("wf.occasion"), &f.name).required().render(ctx, e))
                        (Input::text("occasion_date", ctx.t("wf.occasion_date"), &f.occasion_date).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (select(ctx, e, "audience", ctx.t("wf.audience"), &audiences, &f.audience))
                        (select(ctx, e, "organisation", ctx.t("wf.org_name"), &org_options, &f.organisation))
                        (Input::text("child_max_age", ctx.t("wf.child_max_age"), &f.child_max_age).hint(ctx.t("wf.child_max_age_hint")).render(ctx, e))
                        (Input::text("amount", ctx.t("wf.amount"), &f.amount).render(ctx, e))
                        (Input::text("gift", ctx.t("wf.gift"), &f.gift).render(ctx, e))
                        (select(ctx, e, "fund", ctx.t("wf.fund"), &fund_options, &f.fund))
                        button type="submit" { (ctx.t("wf.occasion_add")) }
                    }))
                }
            }
        },
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<OccasionForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let name = text(&f.name, 200).filter(|s| !s.is_empty());
    if name.is_none() {
        e.add("name", "wf.err_name");
    }
    let day = business_date(&f.occasion_date);
    if day.is_none() {
        e.add("occasion_date", "cal.err_date");
    }
    if !occasions::AUDIENCES.contains(&f.audience.as_str()) {
        e.add("audience", "err.bad_form");
    }
    let org = match f.organisation.trim() {
        "" => Some(None),
        o => o.parse().ok().map(Some),
    };
    if org.is_none() {
        e.add("organisation", "err.bad_form");
    }
    let max_age = match f.child_max_age.trim() {
        "" if f.audience != "children" => Some(None),
        a => a
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=18).contains(n))
            .map(Some),
    };
    if max_age.is_none() {
        e.add("child_max_age", "wf.err_child_age");
    }
    let amount = match f.amount.trim() {
        "" => Some(Vnd(0)),
        a => Vnd::parse(a)
            .ok()
            .filter(|v| v.0 >= 0 && v.0 <= 100_000_000),
    };
    if amount.is_none() {
        e.add("amount", "wf.err_amount");
    }
    let gift = text(&f.gift, 200);
    if gift.is_none() {
        e.add("gift", "wf.err_note");
    }
    let fund: Option<i32> = f.fund.parse().ok();
    if fund.is_none() {
        e.add("fund", "wf.err_fund");
    }
    if let (
        true,
        Some(name),
        Some(day),
        Some(org),
        Some(max_age),
        Some(amount),
        Some(gift),
        Some(fund),
    ) = (e.is_empty(), name, day, org, max_age, amount, gift, fund)
    {
        let n = NewOccasion {
            name,
            occasion_date: day,
            audience: f.audience.clone(),
            organisation_id: org,
            child_max_age: max_age,
            amount,
            gift,
            fund_id: fund,
        };
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(None);
                }
                occasions::create(c, &a, now, &n).map(Some)
            })
            .await
        {
            Ok(Some(id)) => {
                return Ok(see_other(
                    &format!("/welfare/occasions/{id}"),
                    Some("flash.saved"),
                ))
            }
            Ok(None) => return Ok(see_other("/welfare/occasions", None)),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "wf.err_occasion_date" => "occasion_date",
                    _ => "amount",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    Ok(html_invalid(
        render_list(&state, &ctx, &user, &f, &e).await?,
    ))
}

async fn load(state: &AppState, id: i32) -> Result<(Occasion, Vec<Line>), AppError> {
    state
        .db
        .read(move |c| Ok((occasions::occasion(c, id)?, occasions::lines(c, id)?)))
        .await
}

#[derive(Deserialize)]
pub struct RowsQuery {
    q: Option<String>,
    page: Option<i64>,
}

/// Rows of a list per page.
pub const PER_PAGE: i64 = 100;

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    rq: web::Query<RowsQuery>,
) -> Result<Markup, AppError> {
    let (o, ls) = load(&state, id.into_inner()).await?;
    let search = rq.q.clone().unwrap_or_default();
    let found: Vec<(usize, &Line)> = ls
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            crate::ui::forms::matches_search(&search, &l.name, &l.code)
                || l.child
                    .as_deref()
                    .is_some_and(|c| crate::ui::forms::matches_search(&search, c, ""))
        })
        .collect();
    let (shown, page) = crate::ui::forms::page_of(&found, rq.page.unwrap_or(1), PER_PAGE);
    let edit = user.has(Role::UnionOfficer);
    let draft = o.state == "draft";
    let active: Vec<&Line> = ls.iter().filter(|l| l.removed_reason.is_none()).collect();
    let sum = occasions::total(&ls);
    Ok(layout::page(
        &ctx,
        &o.name,
        html! {
            (layout::title_bar(&o.name, html! {
                a href="/welfare/occasions" { (ctx.t("wf.occasions")) } " · "
                a href={ "/welfare/occasions/" (o.id) "/print" } { (ctx.t("wf.print")) } " · "
                a href={ "/welfare/occasions/" (o.id) "/list.xlsx" } { "XLSX" }
            }))
            p { (date(o.occasion_date)) " · " (ctx.t(audience_key(&o.audience)))
                @if let Some(a) = o.child_max_age { " " (ctx.tf("wf.under_age", a)) }
                " · " (ctx.t(if draft { "wf.draft" } else { "wf.frozen" })) }
            p { (ctx.tf("wf.list_total", format!("{} · {}", active.len(), sum))) " — " (in_words(sum)) }
            @if ls.len() as i64 > PER_PAGE || !search.is_empty() {
                form.filters method="get" action={ "/welfare/occasions/" (o.id) } {
                    label for="f-q" { (ctx.t("common.search")) }
                    " " input #f-q name="q" type="search" value=(search);
                    " " button type="submit" { (ctx.t("common.filter")) }
                }
            }
            table.responsive {
                thead { tr { th { "#" } th { (ctx.t("people.name")) } th { (ctx.t("people.unit")) } th { (ctx.t("wf.child")) } th.num { (ctx.t("wf.amount")) } th { (ctx.t("wf.note")) } th { (ctx.t("wf.received")) } } }
                tbody { @for (n, l) in shown.iter().copied() { tr.removed[l.removed_reason.is_some()] {
                    td.num { (n + 1) } td { (l.name) } td { (l.unit.as_deref().unwrap_or("")) } td { (l.child.as_deref().unwrap_or("")) }
                    td.num { (l.amount) }
                    td { @if let Some(r) = &l.removed_reason { (ctx.tf("wf.removed_because", r)) } @else if !l.added_reason.is_empty() { (ctx.tf("wf.added_because", &l.added_reason)) } }
                    td { @if l.removed_reason.is_none() {
                        @if let Some(t) = l.received_at { "✓ " (crate::clock::local_datetime(t)) }
                        @else if !draft && edit { (post_form(&ctx, &format!("/welfare/occasions/rows/{}/received", l.id), html! { button.secondary type="submit" { (ctx.t("wf.tick")) } })) }
                        @else if draft && edit { (post_form(&ctx, &format!("/welfare/occasions/rows/{}/remove", l.id), html! {
                            label { span.sr { (ctx.t("wf.reason")) } input name="reason" size="12" required placeholder=(ctx.t("wf.reason")); }
                            " " button.secondary type="submit" { (ctx.t("wf.remove")) }
                        })) }
                    } }
                } } }
            }
            (crate::ui::forms::pager(&ctx, page, PER_PAGE, found.len() as i64, |p| format!("/welfare/occasions/{}?q={}&page={p}", o.id, crate::ui::forms::q(&search))))
            @if draft && edit {
                div.card.no-print {
                    h2 { (ctx.t("wf.add_line")) }
                    (post_form(&ctx, &format!("/welfare/occasions/{}/rows", o.id), html! {
                        (Input::text("code", ctx.t("people.code"), "").required().render(&ctx, &FieldErrors::default()))
                        @if o.audience == "children" { (Input::text("child", ctx.t("wf.child_name"), "").required().render(&ctx, &FieldErrors::default())) }
                        (Input::text("reason", ctx.t("wf.reason"), "").required().render(&ctx, &FieldErrors::default()))
                        button type="submit" { (ctx.t("wf.add_line")) }
                    }))
                }
            }
            @if draft && (edit || user.has(Role::Approver)) {
                div.card.no-print {
                    h2 { (ctx.t("wf.freeze")) }
                    p.hint { (ctx.t("wf.freeze_help")) }
                    (post_form(&ctx, &format!("/welfare/occasions/{}/freeze", o.id), html! {
                        @if user.has(Role::Approver) {
                            div.field { label for="f-overdraft" { (ctx.t("wf.overdraft_reason")) } input #f-overdraft name="overdraft_reason" maxlength="300"; }
                        }
                        label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("wf.freeze_confirm")) }
                        " " button.danger type="submit" { (ctx.t("wf.freeze")) }
                    }))
                }
            }
            @if !draft {
                @if let Some(v) = o.voucher_id { p { (ctx.tf("wf.paid_by_voucher", v)) } }
                @if o.signed_sheet_id.is_some() { p { a href={ "/welfare/occasions/" (o.id) "/sheet" } { (ctx.t("wf.sheet_open")) } } }
                @if edit {
                    div.card.no-print {
                        h2 { (ctx.t("wf.sheet_upload")) }
                        form method="post" action={ "/welfare/occasions/" (o.id) "/sheet" } enctype="multipart/form-data" {
                            input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf);
                            div.field { label for="f-file" { (ctx.t("wf.sheet")) } input #f-file type="file" name="file" accept=".pdf,.jpg,.jpeg,.png" required; }
                            button type="submit" { (ctx.t("wf.sheet_upload")) }
                        }
                    }
                }
            }
        },
    ))
}

/// The A4 signed distribution list: number, name, unit, amount or gift, a signature column,
/// totals in figures and in words.
pub async fn print(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let (o, ls) = load(&state, id.into_inner()).await?;
    let active: Vec<&Line> = ls.iter().filter(|l| l.removed_reason.is_none()).collect();
    let sum = occasions::total(&ls);
    Ok(layout::page(
        &ctx,
        &o.name,
        html! {
            article.a4.distribution {
                p.org { (ctx.t("wf.org_header")) }
                h1 { (ctx.t("wf.sheet_title")) }
                p.sub { (o.name) " — " (date(o.occasion_date)) }
                table.print-list {
                    thead { tr { th { (ctx.t("fs.col_no")) } th { (ctx.t("people.name")) } th { (ctx.t("people.unit")) } @if o.audience == "children" { th { (ctx.t("wf.child")) } } th.num { (ctx.t("wf.amount")) } @if !o.gift.is_empty() { th { (ctx.t("wf.gift")) } } th.sign { (ctx.t("wf.signature")) } } }
                    tbody { @for (n, l) in active.iter().enumerate() { tr {
                        td.num { (n + 1) } td { (l.name) } td { (l.unit.as_deref().unwrap_or("")) }
                        @if o.audience == "children" { td { (l.child.as_deref().unwrap_or("")) } }
                        td.num { (l.amount) } @if !o.gift.is_empty() { td { (o.gift) } } td.sign {}
                    } } }
                    tfoot { tr { th colspan=(if o.audience == "children" { 4 } else { 3 }) { (ctx.t("wf.total")) } th.num #total { (sum) } @if !o.gift.is_empty() { th {} } th {} } }
                }
                p.in-words { strong { (ctx.t("wf.in_words")) } " " (in_words(sum)) "." }
                div.signatures {
                    div.sig { p.cap { (ctx.t("wf.sig_preparer")) } p { i { (ctx.t("fs.form_sig_hint")) } } }
                    div.sig { p.cap { (ctx.t("wf.sig_treasurer")) } p { i { (ctx.t("fs.form_sig_hint")) } } }
                    div.sig { p.cap { (ctx.t("wf.sig_chair")) } p { i { (ctx.t("fs.form_sig_hint")) } } }
                }
            }
        },
    ))
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (o, ls) = load(&state, id).await?;
    let rows = ls
        .iter()
        .filter(|l| l.removed_reason.is_none())
        .enumerate()
        .map(|(n, l)| {
            vec![
                (n + 1).to_string(),
                l.code.clone(),
                l.name.clone(),
                l.unit.clone().unwrap_or_default(),
                l.child.clone().unwrap_or_default(),
                l.amount.0.to_string(),
                l.received_at
                    .map(crate::clock::local_datetime)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let sum = occasions::total(&ls);
    let t = Table {
        title: format!("{} — {}", o.name, date(o.occasion_date)),
        summary: vec![vec![
            ctx.t("wf.total").to_string(),
            sum.0.to_string(),
            in_words(sum),
        ]],
        header: &[
            ctx.t("fs.col_no"),
            ctx.t("people.code"),
            ctx.t("people.name"),
            ctx.t("people.unit"),
            ctx.t("wf.child"),
            ctx.t("wf.amount"),
            ctx.t("wf.received"),
        ],
        rows,
        numbers_from: 5,
        widths: &[(2, 28.0), (3, 28.0), (4, 20.0), (6, 18.0)],
        money: &[5],
    };
    export::download(&t, export::Format::Xlsx, &format!("danh-sach-ky-nhan-{id}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
    /// On a children's list: the child's name as recorded.
    #[serde(default)]
    child: String,
}

fn reason_of(s: &str) -> Result<String, AppError> {
    text(s, 300)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("wf.err_reason"))
}

pub async fn add_line(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<LineForm>,
) -> Result<HttpResponse, AppError> {
    let reason = reason_of(&f.reason)?;
    let code = f.code.trim().to_uppercase();
    let person = state
        .db
        .read(move |c| crate::people::store::person_by_code(c, &code))
        .await?
        .ok_or(AppError::BadRequest("wf.err_person"))?;
    let (a, now, occ) = (actor(&user), state.clock.now_naive(), id.into_inner());
    let child = f.child.trim().to_string();
    state
        .db
        .write(move |c| {
            // On a children's list a line is a child of the person, named as recorded.
            let dependant = if occasions::occasion(c, occ)?.audience == "children" {
                let folded = crate::ui::format::fold_search(&child);
                let kid = super::store::dependants_of(c, person.id)?
                    .into_iter()
                    .find(|d| {
                        d.relationship == "child"
                            && crate::ui::format::fold_search(&d.full_name) == folded
                    })
                    .ok_or(AppError::BadRequest("wf.err_choose_child"))?;
                Some(kid.id)
            } else {
                None
            };
            occasions::add_line(c, &a, now, occ, person.id, dependant, &reason)
        })
        .await?;
    Ok(see_other(
        &format!("/welfare/occasions/{occ}"),
        Some("flash.saved"),
    ))
}

pub async fn remove_line(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<LineForm>,
) -> Result<HttpResponse, AppError> {
    let reason = reason_of(&f.reason)?;
    let (a, now, row) = (actor(&user), state.clock.now_naive(), id.into_inner());
    let occ = state
        .db
        .write(move |c| occasions::remove_line(c, &a, now, row, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/occasions/{occ}"),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeForm {
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    overdraft_reason: String,
}

pub async fn freeze(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<FreezeForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let reason = text(&f.overdraft_reason, 300).ok_or(AppError::BadRequest("wf.err_reason"))?;
    let (a, roles, now, occ) = (
        actor(&user),
        user.roles,
        state.clock.now_naive(),
        id.into_inner(),
    );
    state
        .db
        .write(move |c| occasions::freeze(c, &a, roles, now, occ, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/occasions/{occ}"),
        Some("flash.saved"),
    ))
}

pub async fn received(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (a, now, row) = (actor(&user), state.clock.now_naive(), id.into_inner());
    let occ = state
        .db
        .write(move |c| occasions::received(c, &a, now, row))
        .await?;
    Ok(see_other(&format!("/welfare/occasions/{occ}"), None))
}

pub async fn upload_sheet(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    req: HttpRequest,
    mp: Multipart,
) -> Result<HttpResponse, AppError> {
    let up = crate::ui::upload::read(&req, mp, crate::attachments::MAX_SCAN, &[]).await?;
    let media =
        crate::attachments::scan_type(&up.bytes).ok_or(AppError::BadRequest("fs.err_scan"))?;
    let (a, now, occ) = (actor(&user), state.clock.now_naive(), id.into_inner());
    state
        .db
        .write(move |c| occasions::attach_sheet(c, &a, now, occ, (&up.file_name, media, &up.bytes)))
        .await?;
    Ok(see_other(
        &format!("/welfare/occasions/{occ}"),
        Some("flash.saved"),
    ))
}

pub async fn sheet(
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let f = state.db.read(move |c| occasions::sheet(c, id)).await?;
    let name = format!(
        "danh-sach-ky-nhan-{id}.{}",
        crate::attachments::extension(&f.media_type)
    );
    Ok(export::attachment(&f.media_type, &name, f.content))
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

type Milestones = (Vec<occasions::Milestone>, std::collections::HashSet<i32>);

/// The year asked for (this year unless a plausible one is named) and its milestone list with
/// the retirees visited in it.
async fn milestones_of(state: &AppState, q: &YearQuery) -> Result<(i32, Milestones), AppError> {
    let today = state.clock.today();
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| today.year());
    let lists = state
        .db
        .read(move |c| {
            Ok((
                occasions::milestones(c, year, today)?,
                super::retirees::visited_in(c, year)?,
            ))
        })
        .await?;
    Ok((year, lists))
}

/// The year's milestone list as CSV or Excel (to print, or to plan the visits). Personal
/// data leaving the system: audited.
async fn milestones_export(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    q: &YearQuery,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let (year, (list, visited)) = milestones_of(state, q).await?;
    let t = Table {
        title: ctx.tf("wf.milestones_for", year),
        summary: Vec::new(),
        header: &[
            ctx.t("people.code"),
            ctx.t("people.name"),
            ctx.t("people.dob"),
            ctx.t("wf.age"),
            &ctx.tf("wf.visited_in", year),
        ],
        rows: list
            .iter()
            .map(|m| {
                vec![
                    m.code.clone(),
                    m.name.clone(),
                    date(m.born),
                    m.age.to_string(),
                    if visited.contains(&m.person_id) {
                        ctx.t("wf.yes").to_string()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
        numbers_from: 3,
        widths: &[(1, 28.0), (4, 16.0)],
        money: &[],
    };
    let (a, now, n) = (actor(user), state.clock.now_naive(), list.len());
    state
        .db
        .write(move |c| {
            crate::audit::record(
                c,
                &a,
                now,
                crate::audit::Entry::new("milestones.export", "retiree")
                    .after(serde_json::json!({"year": year, "rows": n})),
            )
        })
        .await?;
    export::download(&t, format, &format!("mung-tho-{year}"))
}

pub async fn milestones_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    milestones_export(&state, &ctx, &user, &q, export::Format::Csv).await
}

pub async fn milestones_xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    milestones_export(&state, &ctx, &user, &q, export::Format::Xlsx).await
}

pub async fn milestones(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<YearQuery>,
) -> Result<Markup, AppError> {
    let (year, (list, visited)) = milestones_of(&state, &q).await?;
    let seen = list
        .iter()
        .filter(|m| visited.contains(&m.person_id))
        .count();
    Ok(layout::page(
        &ctx,
        ctx.t("wf.milestones"),
        html! {
            (layout::title_bar(&ctx.tf("wf.milestones_for", year), html! {
                a href={ "/welfare/milestones?year=" (year - 1) } { (year - 1) } " · "
                a href={ "/welfare/milestones?year=" (year + 1) } { (year + 1) } " · "
                a href={ "/welfare/milestones.csv?year=" (year) } { "CSV" } " · "
                a href={ "/welfare/milestones.xlsx?year=" (year) } { "Excel" }
            }))
            p.hint { (ctx.t("wf.age_convention")) }
            @if list.is_empty() { p { (ctx.t("wf.no_milestones")) } } @else {
                p { (ctx.tf("wf.milestones_visited", format!("{seen}/{}", list.len()))) }
                table.responsive {
                    thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("people.dob")) } th.num { (ctx.t("wf.age")) } th { (ctx.tf("wf.visited_in", year)) } } }
                    tbody { @for m in &list { tr {
                        td { (m.code) } td { a href={ "/welfare/retirees/" (m.person_id) } { (m.name) } } td { (date(m.born)) } td.num { (m.age) }
                        td { @if visited.contains(&m.person_id) { (ctx.t("wf.yes")) } @else { "—" } }
                    } } }
                }
            }
        },
    ))
}
