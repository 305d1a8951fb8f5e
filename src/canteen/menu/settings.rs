//! Canteen settings: cut-off time, ordering horizon, walk-ins.

use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::canteen::store;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

pub async fn form(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let s = state.db.read(store::load_settings).await?;
    Ok(settings_page(
        &ctx,
        &s.cutoff.format("%H:%M").to_string(),
        &s.horizon_days.to_string(),
        s.allow_walk_in,
        &FieldErrors::default(),
    ))
}

fn settings_page(ctx: &Ctx, cutoff: &str, horizon: &str, walk_in: bool, e: &FieldErrors) -> Markup {
    layout::page(
        ctx,
        ctx.t("settings.title"),
        html! {
            h1 { (ctx.t("settings.title")) }
            div.card {
                (post_form(ctx, "/kitchen/settings", html! {
                    (Input::text("cutoff", ctx.t("settings.cutoff"), cutoff).required().hint(ctx.t("settings.cutoff_hint")).render(ctx, e))
                    (Input::text("horizon", ctx.t("settings.horizon"), horizon).kind("number").required().render(ctx, e))
                    div.field { label { input type="checkbox" name="walk_in" value="yes" checked[walk_in]; " " (ctx.t("settings.walk_in")) } }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    cutoff: String,
    horizon: String,
    walk_in: Option<String>,
}

pub async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let s = match crate::canteen::rules::check_settings(&f.cutoff, &f.horizon, f.walk_in.as_deref())
    {
        Ok(s) => s,
        Err(problems) => {
            let mut e = FieldErrors::default();
            problems.into_iter().for_each(|(field, k)| e.add(field, k));
            let page = settings_page(&ctx, &f.cutoff, &f.horizon, f.walk_in.is_some(), &e);
            return Ok(html_invalid(page));
        }
    };
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| crate::canteen::commands::save_settings(c, &actor, now, &s))
        .await?;
    Ok(see_other("/kitchen/settings", Some("flash.saved")))
}
