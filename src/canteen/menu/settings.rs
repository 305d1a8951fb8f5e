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
use serde::{Deserialize, Serialize};

pub async fn form(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let s = state.db.read(store::load_settings).await?;
    Ok(settings_page(&ctx, &form_of(&s), &FieldErrors::default()))
}

/// The settings as their page shows them, with the fingerprint of that (`ui::seen`).
fn form_of(s: &crate::canteen::rules::Settings) -> SettingsForm {
    let mut f = SettingsForm {
        cutoff: s.cutoff.format("%H:%M").to_string(),
        horizon: s.horizon_days.to_string(),
        walk_in: s.allow_walk_in.then(|| "yes".into()),
        seen: None,
    };
    f.seen = Some(crate::ui::seen::of(&f));
    f
}

fn settings_page(ctx: &Ctx, f: &SettingsForm, e: &FieldErrors) -> Markup {
    layout::page(
        ctx,
        ctx.t("settings.title"),
        html! {
            h1 { (ctx.t("settings.title")) }
            (crate::ui::forms::form_alert(ctx, e))
            div.card {
                (post_form(ctx, "/kitchen/settings", html! {
                    (crate::ui::seen::hidden(f.seen.as_deref()))
                    (Input::text("cutoff", ctx.t("settings.cutoff"), &f.cutoff).required().hint(ctx.t("settings.cutoff_hint")).render(ctx, e))
                    (Input::text("horizon", ctx.t("settings.horizon"), &f.horizon).kind("number").required().render(ctx, e))
                    div.field { label { input type="checkbox" name="walk_in" value="yes" checked[f.walk_in.is_some()]; " " (ctx.t("settings.walk_in")) } }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
        },
    )
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    cutoff: String,
    horizon: String,
    walk_in: Option<String>,
    /// The settings as the page showed them (`crate::ui::seen`).
    #[serde(default, skip_serializing, deserialize_with = "crate::ui::seen::sent")]
    seen: Option<String>,
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
            // On a page shown before another save, put right it would only be refused then.
            let now_shown = form_of(&state.db.read(store::load_settings).await?);
            let fingerprint = now_shown.seen.as_deref();
            if crate::ui::seen::is_stale(f.seen.as_deref(), fingerprint) {
                let e = FieldErrors::changed_elsewhere();
                return Ok(html_invalid(settings_page(&ctx, &now_shown, &e)));
            }
            let mut e = FieldErrors::default();
            problems.into_iter().for_each(|(field, k)| e.add(field, k));
            return Ok(html_invalid(settings_page(&ctx, &f, &e)));
        }
    };
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    // What the form sends, as the page would show it once saved (`9:45` reads as 09:45).
    let sending = form_of(&s).seen.unwrap_or_default();
    let seen = f.seen;
    let stale = state
        .db
        .write(move |c| {
            crate::db::hold_record(c, "settings:canteen")?;
            let now_shown = form_of(&store::load_settings(c)?);
            let fingerprint = now_shown.seen.as_deref();
            if crate::ui::seen::refuses(seen.as_deref(), fingerprint, &sending) {
                return Ok(Some(now_shown));
            }
            crate::canteen::commands::save_settings(c, &actor, now, &s)?;
            Ok(None)
        })
        .await?;
    match stale {
        Some(now_shown) => Ok(html_invalid(settings_page(
            &ctx,
            &now_shown,
            &FieldErrors::changed_elsewhere(),
        ))),
        None => Ok(see_other("/kitchen/settings", Some("flash.saved"))),
    }
}
