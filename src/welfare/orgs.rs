//! Pages of organisations: the list (new, tree by parent), one organisation with its members
//! (search, pages, join, end, dissolve), and a person's welfare record (memberships,
//! dependants).

use super::rules::{Collect, MemberRole, OrgKind, Relationship};
use super::store::{self, NewDependant, NewMembership, NewOrganisation, Organisation};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::{business_date, date, historical_date, opt_date};
use crate::ui::forms::{pager, post_form, q, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

pub const PER_PAGE: i64 = 50;

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

use crate::ui::forms::bounded_text as text;

fn options<T: Copy>(
    ctx: &Ctx,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), ctx.t(key(*v)).to_string()))
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    once: Option<String>,
}

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let orgs = state.db.read(store::organisations).await?;
    Ok(list_view(
        &ctx,
        &orgs,
        &OrgForm::default(),
        &FieldErrors::default(),
    ))
}

fn list_view(ctx: &Ctx, orgs: &[Organisation], f: &OrgForm, e: &FieldErrors) -> Markup {
    let name_of = |id: Option<i32>| {
        id.and_then(|i| orgs.iter().find(|o| o.id == i))
            .map(|o| o.name.as_str())
            .unwrap_or("")
    };
    let kinds = options(ctx, OrgKind::ALL, OrgKind::code, OrgKind::label_key);
    let parents: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("wf.no_parent").to_string()))
            .chain(
                orgs.iter()
                    .filter(|o| o.ended_on.is_none())
                    .map(|o| (o.id.to_string(), o.name.clone())),
            )
            .collect();
    layout::page(
        ctx,
        ctx.t("wf.orgs"),
        html! {
            (layout::title_bar(ctx.t("wf.orgs"), html! {
                a href="/welfare/dues" { (ctx.t("wf.dues")) } " · " a href="/welfare/cases" { (ctx.t("wf.cases")) }
                " · " a href="/welfare/occasions" { (ctx.t("wf.occasions")) } " · " a href="/welfare/retirees" { (ctx.t("wf.retirees")) } " · " a href="/welfare/milestones" { (ctx.t("wf.milestones")) } " · " a href="/welfare/reminders" { (ctx.t("wf.reminders")) }
            }))
            table.responsive {
                thead { tr { th { (ctx.t("wf.org_name")) } th { (ctx.t("wf.org_kind")) } th { (ctx.t("wf.parent")) } th { (ctx.t("wf.started")) } th { (ctx.t("wf.state")) } } }
                tbody { @for o in orgs { tr {
                    td { a href={ "/welfare/organisations/" (o.id) } { (o.name) } }
                    td { (ctx.t(o.kind_key())) } td { (name_of(o.parent_id)) } td { (date(o.started_on)) }
                    td { @match o.ended_on { Some(e) => { (ctx.tf("wf.dissolved_on", date(e))) }, None => { (ctx.t("wf.active")) } } }
                } } }
            }
            div.card.no-print {
                h2 { (ctx.t("wf.org_add")) }
                @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                (post_form(ctx, "/welfare/organisations", html! {
                    (crate::once::once_field())
                    (select(ctx, e, "kind", ctx.t("wf.org_kind"), &kinds, &f.kind))
                    (Input::text("name", ctx.t("wf.org_name"), &f.name).required().render(ctx, e))
                    (select(ctx, e, "parent", ctx.t("wf.parent"), &parents, &f.parent))
                    (Input::text("started_on", ctx.t("wf.started"), &f.started_on).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                    button type="submit" { (ctx.t("wf.org_add")) }
                }))
            }
        },
    )
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<OrgForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let kind = OrgKind::parse(&f.kind);
    if kind.is_none() {
        e.add("kind", "err.bad_form");
    }
    let name = text(&f.name, 200).filter(|s| !s.is_empty());
    if name.is_none() {
        e.add("name", "wf.err_name");
    }
    let parent = match f.parent.trim() {
        "" => Some(None),
        p => p.parse::<i32>().ok().map(Some),
    };
    if parent.is_none() {
        e.add("parent", "wf.err_parent");
    }
    let started = historical_date(&f.started_on, state.clock.today());
    if started.is_none() {
        e.add("started_on", "wf.err_past_date");
    }
    if let (true, Some(kind), Some(name), Some(parent_id), Some(started_on)) =
        (e.is_empty(), kind, name, parent, started)
    {
        let n = NewOrganisation {
            kind,
            name,
            parent_id,
            started_on,
        };
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(None);
                }
                store::create_organisation(c, &a, now, &n).map(Some)
            })
            .await
        {
            Ok(Some(id)) => {
                return Ok(see_other(
                    &format!("/welfare/organisations/{id}"),
                    Some("flash.saved"),
                ))
            }
            Ok(None) => return Ok(see_other("/welfare/organisations", None)),
            Err(AppError::BadRequest(k)) => e.add("parent", k),
            Err(other) => return Err(other),
        }
    }
    let orgs = state.db.read(store::organisations).await?;
    Ok(html_invalid(list_view(&ctx, &orgs, &f, &e)))
}

#[derive(Deserialize)]
pub struct MembersQuery {
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct JoinForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    joined_on: String,
    #[serde(default)]
    member_since: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    collect_by: String,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
    mq: web::Query<MembersQuery>,
) -> Result<Markup, AppError> {
    render_show(
        &state,
        &ctx,
        id.into_inner(),
        &mq,
        &JoinForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
    mq: &MembersQuery,
    f: &JoinForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let search = mq.q.clone().unwrap_or_default();
    let page = mq.page.unwrap_or(1).clamp(1, 100_000);
    let s2 = search.clone();
    let (o, (members, total), funds) = state
        .db
        .read(move |c| {
            Ok((
                store::organisation(c, id)?,
                store::members(c, id, &s2, page, PER_PAGE)?,
                crate::ledger::store::funds(c)?,
            ))
        })
        .await?;
    let fund_options: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("wf.no_fund").to_string()))
            .chain(
                funds
                    .iter()
                    .filter(|f| f.active || Some(f.id) == o.fund_id)
                    .map(|f| (f.id.to_string(), format!("{} — {}", f.code, f.name))),
            )
            .collect();
    let fund_name = funds
        .iter()
        .find(|f| Some(f.id) == o.fund_id)
        .map(|f| format!("{} — {}", f.code, f.name));
    let roles = options(
        ctx,
        MemberRole::ALL,
        MemberRole::code,
        MemberRole::label_key,
    );
    let collect = options(ctx, Collect::ALL, Collect::code, Collect::label_key);
    let active = o.ended_on.is_none();
    Ok(layout::page(
        ctx,
        &o.name,
        html! {
            (layout::title_bar(&o.name, html! {
                a href="/welfare/organisations" { (ctx.t("wf.orgs")) } " · "
                a href={ "/welfare/dues?org=" (o.id) } { (ctx.t("wf.dues")) } " · "
                a href={ "/welfare/arrears?org=" (o.id) } { (ctx.t("wf.arrears")) }
            }))
            p { (ctx.t(o.kind_key())) " · " (ctx.t("wf.started")) " " (date(o.started_on))
                " · " (ctx.t("wf.dues_fund")) ": " (fund_name.as_deref().unwrap_or(ctx.t("wf.no_fund"))) }
            @if let Some(end) = o.ended_on {
                p.alert role="status" { (ctx.tf("wf.dissolved_on", date(end))) " — " (o.end_reason) ". " (ctx.t("wf.read_only")) }
            }
            form.filters method="get" action={ "/welfare/organisations/" (o.id) } {
                label for="f-q" { (ctx.t("common.search")) }
                " " input #f-q name="q" type="search" value=(search);
                " " button type="submit" { (ctx.t("common.filter")) }
            }
            table.responsive {
                thead { tr { th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("wf.role")) } th { (ctx.t("wf.joined")) } th { (ctx.t("wf.card")) } th { (ctx.t("wf.collect_by")) } th { (ctx.t("wf.state")) } } }
                tbody { @for m in &members { tr {
                    td { (m.code) } td { a href={ "/welfare/people/" (m.person_id) } { (m.name) } }
                    td { (MemberRole::parse(&m.role).map(|r| ctx.t(r.label_key())).unwrap_or("")) }
                    td { (date(m.joined_on)) @if let Some(s) = m.member_since { br; small { (ctx.tf("wf.member_since", date(s))) } } }
                    td { (m.card_number) }
                    td { (Collect::parse(&m.collect_by).map(|c| ctx.t(c.label_key())).unwrap_or("")) }
                    td { @match m.ended_on {
                        Some(e) => { (ctx.tf("wf.ended_on", date(e))) @if !m.end_reason.is_empty() { " — " (m.end_reason) } }
                        None => { @if active { (post_form(ctx, &format!("/welfare/memberships/{}/end", m.id), html! {
                            label { span.sr { (ctx.t("wf.end_date")) } input name="on" size="10" placeholder="dd/mm/yyyy" required; }
                            " " label { span.sr { (ctx.t("wf.reason")) } input name="reason" size="14" placeholder=(ctx.t("wf.reason")) required; }
                            " " button.secondary type="submit" { (ctx.t("wf.end")) }
                        })) } }
                    } }
                } } }
            }
            (pager(ctx, page, PER_PAGE, total, |p| format!("/welfare/organisations/{}?q={}&page={p}", o.id, q(&search))))
            @if active {
                div.card.no-print {
                    h2 { (ctx.t("wf.join")) }
                    @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, &format!("/welfare/organisations/{}/members", o.id), html! {
                        (Input::text("code", ctx.t("people.code"), &f.code).required().render(ctx, e))
                        (select(ctx, e, "role", ctx.t("wf.role"), &roles, &f.role))
                        (Input::text("joined_on", ctx.t("wf.joined"), &f.joined_on).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("member_since", ctx.t("wf.member_since_label"), &f.member_since).hint(ctx.t("wf.member_since_hint")).render(ctx, e))
                        (Input::text("card_number", ctx.t("wf.card"), &f.card_number).render(ctx, e))
                        (select(ctx, e, "collect_by", ctx.t("wf.collect_by"), &collect, &f.collect_by))
                        button type="submit" { (ctx.t("wf.join")) }
                    }))
                }
                (super::member_import::card(ctx, o.id))
                div.card.no-print {
                    h2 { (ctx.t("wf.dues_fund")) }
                    p.hint { (ctx.t("wf.dues_fund_help")) }
                    (post_form(ctx, &format!("/welfare/organisations/{}/fund", o.id), html! {
                        (select(ctx, &FieldErrors::default(), "fund", ctx.t("wf.dues_fund"), &fund_options, &o.fund_id.map(|f| f.to_string()).unwrap_or_default()))
                        button.secondary type="submit" { (ctx.t("common.save")) }
                    }))
                }
                div.card.no-print {
                    h2 { (ctx.t("wf.dissolve")) }
                    p.hint { (ctx.t("wf.dissolve_help")) }
                    (post_form(ctx, &format!("/welfare/organisations/{}/dissolve", o.id), html! {
                        div.field { label for="f-on" { (ctx.t("wf.end_date")) } input #f-on name="on" required placeholder="dd/mm/yyyy"; }
                        div.field { label for="f-reason" { (ctx.t("wf.reason")) } input #f-reason name="reason" required maxlength="300"; }
                        label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("wf.dissolve_confirm")) }
                        " " button.danger type="submit" { (ctx.t("wf.dissolve")) }
                    }))
                }
            }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundForm {
    #[serde(default)]
    fund: String,
}

pub async fn set_fund(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<FundForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let fund = match f.fund.trim() {
        "" => None,
        s => Some(
            s.parse::<i32>()
                .map_err(|_| AppError::BadRequest("err.bad_form"))?,
        ),
    };
    let (a, now) = (actor(&user), state.clock.now_naive());
    state
        .db
        .write(move |c| store::set_fund(c, &a, now, id, fund))
        .await?;
    Ok(see_other(
        &format!("/welfare/organisations/{id}"),
        Some("flash.saved"),
    ))
}

pub async fn join(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<JoinForm>,
) -> Result<HttpResponse, AppError> {
    let org = id.into_inner();
    let today = state.clock.today();
    let mut e = FieldErrors::default();
    let role = MemberRole::parse(&f.role);
    if role.is_none() {
        e.add("role", "err.bad_form");
    }
    let collect = Collect::parse(&f.collect_by);
    if collect.is_none() {
        e.add("collect_by", "err.bad_form");
    }
    let joined = historical_date(&f.joined_on, today);
    if joined.is_none() {
        e.add("joined_on", "wf.err_past_date");
    }
    let since = match f.member_since.trim() {
        "" => Some(None),
        s => historical_date(s, today).map(Some),
    };
    if since.is_none() {
        e.add("member_since", "wf.err_past_date");
    }
    let card = text(&f.card_number, 50);
    if card.is_none() {
        e.add("card_number", "wf.err_card");
    }
    let code = f.code.trim().to_uppercase();
    let person = state
        .db
        .read(move |c| crate::people::store::person_by_code(c, &code))
        .await?;
    if f.code.trim().is_empty() {
        e.add("code", "people.err_code_required");
    } else if person.is_none() {
        e.add("code", "wf.err_person");
    }
    if let (
        true,
        Some(p),
        Some(role),
        Some(collect_by),
        Some(joined_on),
        Some(member_since),
        Some(card_number),
    ) = (e.is_empty(), person, role, collect, joined, since, card)
    {
        let n = NewMembership {
            person_id: p.id,
            organisation_id: org,
            role,
            joined_on,
            member_since,
            card_number,
            collect_by,
        };
        let (a, now) = (actor(&user), state.clock.now_naive());
        match state.db.write(move |c| store::join(c, &a, now, &n)).await {
            Ok(_) => {
                return Ok(see_other(
                    &format!("/welfare/organisations/{org}"),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) if k != "wf.err_dissolved" => e.add(
                match k {
                    "wf.err_joined_before_org" => "joined_on",
                    "wf.err_member_since" => "member_since",
                    _ => "code",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let mq = MembersQuery {
        q: None,
        page: None,
    };
    Ok(html_invalid(
        render_show(&state, &ctx, org, &mq, &f, &e).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

fn end_input(f: &EndForm, today: NaiveDate) -> Result<(NaiveDate, String), AppError> {
    let on = business_date(&f.on)
        .filter(|d| *d <= today)
        .ok_or(AppError::BadRequest("wf.err_end_date"))?;
    let reason = text(&f.reason, 300)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::BadRequest("wf.err_reason"))?;
    Ok((on, reason))
}

pub async fn dissolve(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let (on, reason) = end_input(&f, state.clock.today())?;
    let id = id.into_inner();
    let (a, now) = (actor(&user), state.clock.now_naive());
    state
        .db
        .write(move |c| store::dissolve(c, &a, now, id, on, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/organisations/{id}"),
        Some("flash.saved"),
    ))
}

pub async fn end_membership(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let (on, reason) = end_input(&f, state.clock.today())?;
    let id = id.into_inner();
    let (a, now) = (actor(&user), state.clock.now_naive());
    let org = state
        .db
        .write(move |c| store::leave(c, &a, now, id, on, &reason))
        .await?;
    Ok(see_other(
        &format!("/welfare/organisations/{org}"),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    once: Option<String>,
}

/// Exempts a membership from dues for a period (with the reason).
pub async fn exempt(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ExemptForm>,
) -> Result<HttpResponse, AppError> {
    let from = business_date(&f.from).ok_or(AppError::BadRequest("cal.err_date"))?;
    let to = match f.to.trim() {
        "" => None,
        s => Some(business_date(s).ok_or(AppError::BadRequest("cal.err_date"))?),
    };
    let reason = text(&f.reason, 300)
        .filter(|r| !r.is_empty())
        .ok_or(AppError::BadRequest("wf.err_reason"))?;
    let id = id.into_inner();
    let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
    let person = state
        .db
        .write(move |c| {
            let person: i32 = {
                use crate::db::schema::memberships;
                use diesel::prelude::*;
                memberships::table
                    .find(id)
                    .select(memberships::person_id)
                    .get_result(c)
                    .optional()?
                    .ok_or(AppError::NotFound)?
            };
            if crate::once::claim(c, once.as_deref(), now)? {
                super::dues::add_exemption(c, &a, now, id, from, to, &reason)?;
            }
            Ok(person)
        })
        .await?;
    Ok(see_other(
        &format!("/welfare/people/{person}"),
        Some("flash.saved"),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DependantForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    once: Option<String>,
}

pub async fn person(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    render_person(
        &state,
        &ctx,
        id.into_inner(),
        &DependantForm::default(),
        &FieldErrors::default(),
    )
    .await
}

async fn render_person(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
    f: &DependantForm,
    e: &FieldErrors,
) -> Result<Markup, AppError> {
    let (p, ms, deps, cases, benefits, exemptions) = state
        .db
        .read(move |c| {
            let p = crate::people::store::person(c, id)?.ok_or(AppError::NotFound)?;
            Ok((
                p,
                store::memberships_of(c, id)?,
                store::dependants_of(c, id)?,
                super::cases::cases_of(c, id)?,
                super::cases::benefit_types(c)?,
                super::dues::exemptions_of(c, id)?,
            ))
        })
        .await?;
    let rels = options(
        ctx,
        Relationship::ALL,
        Relationship::code,
        Relationship::label_key,
    );
    let genders = vec![
        (String::new(), "—".to_string()),
        ("male".to_string(), ctx.t("gender.male").to_string()),
        ("female".to_string(), ctx.t("gender.female").to_string()),
    ];
    Ok(layout::page(
        ctx,
        &p.full_name,
        html! {
            (layout::title_bar(&format!("{} · {}", p.full_name, p.employee_code), html! { a href="/welfare/organisations" { (ctx.t("wf.orgs")) } }))
            h2 { (ctx.t("wf.memberships")) }
            @if ms.is_empty() { p { (ctx.t("wf.no_memberships")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("wf.org_name")) } th { (ctx.t("wf.role")) } th { (ctx.t("wf.joined")) } th { (ctx.t("wf.state")) } } }
                    tbody { @for (o, m) in &ms { tr {
                        td { (o) } td { (MemberRole::parse(&m.role).map(|r| ctx.t(r.label_key())).unwrap_or("")) } td { (date(m.joined_on)) }
                        td { @match m.ended_on { Some(e) => { (ctx.tf("wf.ended_on", date(e))) " — " (m.end_reason) }, None => { (ctx.t("wf.active")) } } }
                    } } }
                }
                @if !exemptions.is_empty() {
                    h3 { (ctx.t("wf.exemptions")) }
                    ul { @for (mid, from, to, reason) in &exemptions {
                        li { (ms.iter().find(|(_, m)| m.id == *mid).map(|(o, _)| o.as_str()).unwrap_or("")) ": "
                            (date(*from)) " – " (to.map(date).unwrap_or_else(|| ctx.t("wf.open_ended").to_string())) " — " (reason) }
                    } }
                }
                @for (o, m) in ms.iter().filter(|(_, m)| m.ended_on.is_none()) {
                    details.no-print {
                        summary { (ctx.tf("wf.exempt_in", o)) }
                        (post_form(ctx, &format!("/welfare/memberships/{}/exempt", m.id), html! {
                            (crate::once::once_field())
                            div.field { label for=(format!("x-from-{}", m.id)) { (ctx.t("wf.valid_from")) } input id=(format!("x-from-{}", m.id)) name="from" required placeholder="dd/mm/yyyy"; }
                            div.field { label for=(format!("x-to-{}", m.id)) { (ctx.t("wf.valid_to")) } input id=(format!("x-to-{}", m.id)) name="to" placeholder="dd/mm/yyyy"; }
                            div.field { label for=(format!("x-reason-{}", m.id)) { (ctx.t("wf.reason")) } input id=(format!("x-reason-{}", m.id)) name="reason" required maxlength="300"; }
                            button.secondary type="submit" { (ctx.t("wf.exempt")) }
                        }))
                    }
                }
            }
            h2 { (ctx.t("wf.dependants")) }
            @if deps.is_empty() { p { (ctx.t("wf.no_dependants")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("people.name")) } th { (ctx.t("wf.relationship")) } th { (ctx.t("people.dob")) } th { (ctx.t("wf.family_link")) } } }
                    tbody { @for d in &deps { tr {
                        td { (d.full_name) } td { (Relationship::parse(&d.relationship).map(|r| ctx.t(r.label_key())).unwrap_or("")) }
                        td { (opt_date(d.date_of_birth)) }
                        td { @if d.same_as.is_some() { (ctx.t("wf.linked")) } }
                    } } }
                }
            }
            div.card.no-print {
                h2 { (ctx.t("wf.dependant_add")) }
                p.hint { (ctx.t("wf.dependant_help")) }
                @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                (post_form(ctx, &format!("/welfare/people/{id}/dependants"), html! {
                    (crate::once::once_field())
                    (Input::text("full_name", ctx.t("people.name"), &f.full_name).required().render(ctx, e))
                    (select(ctx, e, "relationship", ctx.t("wf.relationship"), &rels, &f.relationship))
                    (Input::text("date_of_birth", ctx.t("people.dob"), &f.date_of_birth).hint(ctx.t("cal.date_hint")).render(ctx, e))
                    (select(ctx, e, "gender", ctx.t("people.gender"), &genders, &f.gender))
                    (Input::text("note", ctx.t("wf.note"), &f.note).render(ctx, e))
                    button type="submit" { (ctx.t("wf.dependant_add")) }
                }))
            }
            h2 { (ctx.t("wf.cases")) }
            (super::case_pages::case_table(ctx, &cases))
            div.card.no-print {
                h2 { (ctx.t("wf.report")) }
                (super::case_pages::report_form(ctx, &benefits, Some((id, &deps)), &super::case_pages::ReportForm::default(), &FieldErrors::default()))
            }
        },
    ))
}

pub async fn add_dependant(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<DependantForm>,
) -> Result<HttpResponse, AppError> {
    let person = id.into_inner();
    let mut e = FieldErrors::default();
    let name = text(&f.full_name, 200).filter(|s| crate::people::rules::name_ok(s, 200));
    if name.is_none() {
        e.add("full_name", "wf.err_person_name");
    }
    let rel = Relationship::parse(&f.relationship);
    if rel.is_none() {
        e.add("relationship", "err.bad_form");
    }
    let dob = match f.date_of_birth.trim() {
        "" => Some(None),
        s => historical_date(s, state.clock.today()).map(Some),
    };
    if dob.is_none() {
        e.add("date_of_birth", "wf.err_past_date");
    }
    let gender = match f.gender.as_str() {
        "" => Some(None),
        "male" | "female" => Some(Some(f.gender.clone())),
        _ => None,
    };
    if gender.is_none() {
        e.add("gender", "err.bad_form");
    }
    let note = text(&f.note, 300);
    if note.is_none() {
        e.add("note", "wf.err_note");
    }
    if let (
        true,
        Some(full_name),
        Some(relationship),
        Some(date_of_birth),
        Some(gender),
        Some(note),
    ) = (e.is_empty(), name, rel, dob, gender, note)
    {
        let n = NewDependant {
            person_id: person,
            full_name,
            relationship,
            date_of_birth,
            gender,
            same_as: None,
            note,
        };
        let (a, now, once) = (actor(&user), state.clock.now_naive(), f.once.clone());
        match state
            .db
            .write(move |c| {
                if !crate::once::claim(c, once.as_deref(), now)? {
                    return Ok(0);
                }
                store::add_dependant(c, &a, now, &n)
            })
            .await
        {
            Ok(_) => {
                return Ok(see_other(
                    &format!("/welfare/people/{person}"),
                    Some("flash.saved"),
                ))
            }
            Err(AppError::BadRequest(k)) if k == "wf.err_dependant_born" => {
                e.add("date_of_birth", k)
            }
            Err(AppError::BadRequest(k)) => e.add("full_name", k),
            Err(other) => return Err(other),
        }
    }
    Ok(html_invalid(
        render_person(&state, &ctx, person, &f, &e).await?,
    ))
}
