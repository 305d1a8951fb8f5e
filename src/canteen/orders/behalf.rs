//! Orders on behalf of people without accounts (drivers, guards).

use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::canteen::ordering::Who;
use crate::canteen::states::Source;
use crate::canteen::week;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{q, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    state: web::Data<AppState>,
    ctx: Ctx,
    sq: web::Query<SearchQuery>,
) -> Result<Markup, AppError> {
    let text = sq.q.clone().unwrap_or_default();
    let t2 = text.clone();
    let (rows, with_account) = if text.trim().is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let filter = crate::people::store::PersonFilter {
            q: t2,
            unit_id: None,
            status: Some(crate::people::rules::Status::Working),
        };
        state
            .db
            .read(move |c| {
                let mut rows = crate::people::store::search(c, &filter, 0, 30)?.0;
                let ids: Vec<i32> = rows.iter().map(|r| r.person.id).collect();
                let with = crate::people::store::with_accounts(c, &ids)?;
                // Those who cannot order themselves (drivers, guards: no account) first.
                rows.sort_by_key(|r| with.contains(&r.person.id));
                Ok((rows, with))
            })
            .await?
    };
    Ok(layout::page(
        &ctx,
        ctx.t("behalf.title"),
        html! {
            h1 { (ctx.t("behalf.title")) }
            p { (ctx.t("behalf.help")) }
            form.filters method="get" action="/kitchen/on-behalf" role="search" {
                (Input::text("q", ctx.t("people.search"), &text).kind("search").render(&ctx, &FieldErrors::default()))
                button type="submit" { (ctx.t("common.filter")) }
            }
            ul { @for r in &rows { li { a href=(format!("/kitchen/on-behalf/{}?q={}", r.person.id, q(&text))) { (r.person.full_name) } " · " (r.person.employee_code) " · " (r.unit_name.as_deref().unwrap_or("")) @if with_account.contains(&r.person.id) { " " span.badge.off { (ctx.t("behalf.has_account")) } } } } }
        },
    ))
}

pub async fn week(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let person = id.into_inner();
    let now = state.clock.now();
    let menus = state.menus.clone();
    let (p, days) = state
        .db
        .read(move |c| {
            let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
            Ok((p, week::load(c, person, now, &menus, true)?.days))
        })
        .await?;
    Ok(behalf_page(&ctx, &p, &days, None, state.clock.today()))
}

fn behalf_page(
    ctx: &Ctx,
    p: &crate::people::store::Person,
    days: &[week::DayView],
    sent: Option<&week::Sent>,
    today: NaiveDate,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("behalf.title"),
        html! {
            h1 { (ctx.t("behalf.title")) ": " (p.full_name) " · " (p.employee_code) }
            @if let Some(s) = sent { p.alert role="alert" { (ctx.t(s.banner_key())) } }
            (week::grid(ctx, &format!("/kitchen/on-behalf/{}", p.id), days, sent, true, week::Allergies { codes: &p.allergens, own: false }, today))
            p {
                a href=(format!("/kitchen/history/{}", p.id)) { (ctx.t("nav.history")) } " · "
                a href="/kitchen/on-behalf" { (ctx.t("common.back")) }
            }
        },
    )
}

pub async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let person = id.into_inner();
    let now = state.clock.now();
    let actor = Actor::user(user.user_id, &user.username);
    let who = Who {
        person_id: person,
        by_user: Some(user.user_id),
        source: Source::Kitchen,
    };
    let menus = state.menus.clone();
    let outcome = state
        .db
        .write(move |c| {
            let r =
                crate::canteen::commands::submit_week(c, Some(&actor), &who, &pairs, now, &menus)?;
            match r {
                Ok(_) => Ok(Ok(())),
                Err((days, sent)) => {
                    let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
                    Ok(Err((p, days.days, sent)))
                }
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(
            &format!("/kitchen/on-behalf/{person}"),
            Some("flash.week_saved"),
        )),
        Err((p, days, sent)) => Ok(html_invalid(behalf_page(
            &ctx,
            &p,
            &days,
            Some(&sent),
            state.clock.today(),
        ))),
    }
}
