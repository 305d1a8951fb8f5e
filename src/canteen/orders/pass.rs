//! Staff: the QR meal pass and rating served meals.

use crate::auth::middleware::see_other;
use crate::canteen::feedback;
use crate::canteen::ordering::{self};
use crate::canteen::rules::{self};
use crate::canteen::service;
use crate::canteen::staff::person_of;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::ConfirmForm;
use crate::ui::forms::{confirm_form, post_form, Form};
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::Duration;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let now = state.clock.now_naive();
    let today = state.clock.today();
    let (token, p, meal) = state
        .db
        .write(move |c| {
            let t = service::pass_token(c, person, now, false)?;
            let p = crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
            let meal = crate::canteen::ordering::orders_of(c, person, today, today)?
                .into_iter()
                .find(|o| o.status != crate::canteen::ordering::CANCELLED);
            let option = match meal {
                Some(m) => crate::canteen::store::option(c, m.option_id)?,
                None => None,
            };
            Ok((t, p, option))
        })
        .await?;
    Ok(pass_page(&ctx, &qr_svg(&token)?, &p, meal.as_ref()))
}

/// The pass as an inline SVG element (the renderer writes a whole SVG document; inside HTML
/// only the <svg> element belongs).
fn qr_svg(token: &str) -> Result<String, AppError> {
    let doc = qrcode::QrCode::new(token.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(240, 240)
                .build()
        })
        .map_err(|e| AppError::internal(format!("qr: {e}")))?;
    Ok(match doc.find("<svg") {
        Some(i) => doc[i..].to_string(),
        None => doc,
    })
}

fn pass_page(
    ctx: &Ctx,
    svg: &str,
    p: &crate::people::store::Person,
    today: Option<&crate::canteen::store::MealOption>,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("pass.title"),
        html! {
            h1 { (ctx.t("pass.title")) }
            div.card.pass {
                div.qr role="img" aria-label=(ctx.t("pass.qr_label")) { (PreEscaped(svg)) }
                p { (ctx.t("people.code")) ": " strong { (p.employee_code) } }
                @if let Some(o) = today {
                    p { (ctx.t("pass.today")) ": " strong { (o.name) } @if !o.dishes.is_empty() { " — " (o.dishes) }
                        (crate::canteen::week::allergen_line(ctx, o, crate::canteen::week::Allergies { codes: &p.allergens, own: true })) }
                }
                p.hint { (ctx.t("pass.help")) }
            }
            div.card {
                (confirm_form(ctx, "/pass/rotate", ctx.t("pass.rotate_confirm"), ctx.t("pass.rotate")))
            }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    )
}

pub async fn rotate(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let person = person_of(&user)?;
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| service::pass_token(c, person, now, true))
        .await?;
    Ok(see_other("/pass", Some("flash.pass_rotated")))
}

// ---- ratings ----

pub async fn meals(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let today = state.clock.today();
    let list = state
        .db
        .read(move |c| feedback::recent_served(c, person, today - Duration::days(3), today))
        .await?;
    Ok(layout::page(
        &ctx,
        ctx.t("rating.title"),
        html! {
            h1 { (ctx.t("rating.title")) }
            p { (ctx.t("rating.help")) }
            @if list.is_empty() { p.hint { (ctx.t("rating.none")) } }
            @for (o, name, score) in &list {
                div.card {
                    h2 { (date(o.service_date)) " — " (name) }
                    @if let Some(s) = score { p { (ctx.tf("rating.yours", s)) } }
                    (post_form(&ctx, &format!("/meals/{}/rate", o.id), html! {
                        fieldset.checks {
                            legend { (ctx.t("rating.score")) }
                            @for n in 1..=5 { label { input type="radio" name="score" value=(n) required checked[*score == Some(n)]; " " (n) } }
                        }
                        div.field { label for=(format!("c-{}", o.id)) { (ctx.t("rating.comment")) } textarea id=(format!("c-{}", o.id)) name="comment" maxlength="500" rows="2" {} }
                        button type="submit" { (ctx.t("rating.send")) }
                    }))
                }
            }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateForm {
    score: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<RateForm>,
) -> Result<HttpResponse, AppError> {
    let person = person_of(&user)?;
    let score: i32 = f
        .score
        .trim()
        .parse()
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or(AppError::BadRequest("rating.err_score"))?;
    if f.comment.chars().count() > 500 {
        return Err(AppError::BadRequest("rating.err_comment"));
    }
    let id = id.into_inner();
    let (today, now) = (state.clock.today(), state.clock.now_naive());
    state
        .db
        .write(move |c| {
            let o = ordering::order(c, id)?
                .filter(|o| o.person_id == person)
                .ok_or(AppError::NotFound)?;
            if o.status != ordering::SERVED || !rules::can_rate(o.service_date, today) {
                return Err(AppError::BadRequest("rating.err_window"));
            }
            feedback::rate(c, id, score, f.comment.trim(), now)
        })
        .await?;
    Ok(see_other("/meals", Some("flash.rating_saved")))
}
