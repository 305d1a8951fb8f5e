//! Kitchen: the dish catalogue.

use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::canteen::rules;
use crate::canteen::store::{self, DishInput};
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{post_form, FieldErrors, Form, Input};
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let list = state.db.read(store::all_dishes).await?;
    Ok(layout::page(
        &ctx,
        ctx.t("dish.title"),
        html! {
            h1 { (ctx.t("dish.title")) }
            table.responsive {
                thead { tr { th { (ctx.t("dish.name")) } th { (ctx.t("dish.description")) } th { (ctx.t("dish.allergens")) } th { (ctx.t("menu.vegetarian")) } th { (ctx.t("dish.liquid_short")) } th { span.sr { (ctx.t("common.actions")) } } } }
                tbody { @for d in &list { tr {
                    td { (d.name) @if !d.active { " " span.badge.off { (ctx.t("dish.inactive")) } } }
                    td { (d.description) }
                    td { (allergen_names(&ctx, &d.allergens)) @if !d.allergen_notes.is_empty() { @if !d.allergens.is_empty() { "; " } em { (d.allergen_notes) } } }
                    td { @if d.vegetarian { "✓" } } td { @if d.liquid { "✓" } }
                    td { a href=(format!("/kitchen/dishes/{}", d.id)) { (ctx.t("common.edit")) } }
                } } }
            }
            div.card { h2 { (ctx.t("dish.add")) } (dish_form(&ctx, "/kitchen/dishes", &DishForm::default(), &FieldErrors::default())) }
        },
    ))
}

/// "Cá, Sữa" in the reader's language.
pub fn allergen_names(ctx: &Ctx, stored: &str) -> String {
    rules::allergen_codes(stored)
        .map(|c| ctx.t(rules::allergen_key(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct DishForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    allergen: Vec<String>,
    #[serde(default)]
    allergen_notes: String,
    vegetarian: Option<String>,
    liquid: Option<String>,
    active: Option<String>,
    /// The dish as the edit page showed it (`crate::ui::seen`).
    #[serde(default, skip_serializing, deserialize_with = "crate::ui::seen::sent")]
    seen: Option<String>,
}

fn dish_form(ctx: &Ctx, action: &str, f: &DishForm, e: &FieldErrors) -> Markup {
    post_form(
        ctx,
        action,
        html! {
            (crate::ui::seen::hidden(f.seen.as_deref()))
            (Input::text("name", ctx.t("dish.name"), &f.name).required().render(ctx, e))
            (Input::text("description", ctx.t("dish.description"), &f.description).render(ctx, e))
            fieldset.checks {
                legend { (ctx.t("dish.allergens")) }
                @for code in rules::ALLERGENS { label { input type="checkbox" name="allergen" value=(code) checked[f.allergen.iter().any(|a| a == code)]; " " (ctx.t(rules::allergen_key(code))) } }
                @if let Some(k) = e.get("allergen") { p.error role="alert" { (ctx.t(k)) } }
            }
            (Input::text("allergen_notes", ctx.t("dish.allergen_notes"), &f.allergen_notes).hint(ctx.t("dish.allergens_hint")).render(ctx, e))
            div.field { label { input type="checkbox" name="vegetarian" value="yes" checked[f.vegetarian.is_some()]; " " (ctx.t("menu.vegetarian")) }
                @if let Some(k) = e.get("vegetarian") { p.error role="alert" { (ctx.t(k)) } } }
            div.field { label { input type="checkbox" name="liquid" value="yes" checked[f.liquid.is_some()]; " " (ctx.t("dish.liquid")) } }
            div.field { label { input type="checkbox" name="active" value="yes" checked[f.active.is_some() || f.name.is_empty()]; " " (ctx.t("dish.active")) } }
            button type="submit" { (ctx.t("common.save")) }
        },
    )
}

pub async fn edit(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let d = state
        .db
        .read(move |c| store::dish(c, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let f = form_of(d);
    Ok(layout::page(
        &ctx,
        ctx.t("dish.edit"),
        html! {
            h1 { (ctx.t("dish.edit")) }
            div.card { (dish_form(&ctx, &format!("/kitchen/dishes/{id}"), &f, &FieldErrors::default())) }
            p { a href="/kitchen/dishes" { (ctx.t("common.back")) } }
        },
    ))
}

/// The dish as its edit page would show it now, when a form from a page that showed `sent` and
/// sends `sending` (its values' fingerprint) must be refused (`ui::seen::refuses`).
fn stale(
    c: &mut DbConn,
    id: i32,
    sent: Option<&str>,
    sending: &str,
) -> Result<Option<DishForm>, AppError> {
    let now_shown = form_of(store::dish(c, id)?.ok_or(AppError::NotFound)?);
    let fingerprint = now_shown.seen.as_deref();
    Ok(crate::ui::seen::refuses(sent, fingerprint, sending).then_some(now_shown))
}

/// A dish as its edit page shows it, with the fingerprint of that (`ui::seen`).
fn form_of(d: store::Dish) -> DishForm {
    let mut f = DishForm {
        name: d.name,
        description: d.description,
        allergen: rules::allergen_codes(&d.allergens)
            .map(str::to_string)
            .collect(),
        allergen_notes: d.allergen_notes,
        vegetarian: d.vegetarian.then(|| "yes".into()),
        liquid: d.liquid.then(|| "yes".into()),
        active: d.active.then(|| "yes".into()),
        seen: None,
    };
    f.seen = Some(crate::ui::seen::of(&f));
    f
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    f: Form<DishForm>,
) -> Result<HttpResponse, AppError> {
    dish_save(state, ctx, user, None, f.0).await
}

pub async fn update(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    f: Form<DishForm>,
) -> Result<HttpResponse, AppError> {
    dish_save(state, ctx, user, Some(id.into_inner()), f.0).await
}

async fn dish_save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: Option<i32>,
    f: DishForm,
) -> Result<HttpResponse, AppError> {
    let name = f.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut e = FieldErrors::default();
    if !(2..=100).contains(&name.chars().count()) {
        e.add("name", "dish.err_name");
    }
    if f.description.chars().count() > 300 {
        e.add("description", "dish.err_long");
    }
    if f.allergen_notes.chars().count() > 200 {
        e.add("allergen_notes", "dish.err_notes_long");
    }
    let allergens = rules::allergen_set(&f.allergen).map_err(AppError::BadRequest)?;
    let input = DishInput {
        name,
        description: f.description.trim().to_string(),
        vegetarian: f.vegetarian.as_deref() == Some("yes"),
        allergens,
        allergen_notes: f.allergen_notes.trim().to_string(),
        liquid: f.liquid.as_deref() == Some("yes"),
        active: f.active.as_deref() == Some("yes"),
    };
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let seen = f.seen.clone();
    // What the form sends, as the page would show it once saved (spaces collapsed).
    let sending = form_of(store::Dish {
        id: id.unwrap_or_default(),
        name: input.name.clone(),
        description: input.description.clone(),
        vegetarian: input.vegetarian,
        allergens: input.allergens.clone(),
        active: input.active,
        created_at: now,
        allergen_notes: input.allergen_notes.clone(),
        liquid: input.liquid,
    })
    .seen
    .unwrap_or_default();
    let saved = if e.is_empty() {
        state
            .db
            .write(move |c| {
                if let Some(id) = id {
                    crate::db::hold_record(c, &format!("dish:{id}"))?;
                    if let Some(now_shown) = stale(c, id, seen.as_deref(), &sending)? {
                        return Ok(Err((crate::ui::seen::CHANGED, Some(Box::new(now_shown)))));
                    }
                }
                Ok(store::save_dish(c, id, &input, &actor, now)?.map_err(|k| (k, None)))
            })
            .await?
    } else {
        // A problem of the form on a page shown before another save: put right, it would
        // only be refused then. Say so now, with the dish as it is.
        match id {
            Some(id) => state
                .db
                .read(move |c| stale(c, id, seen.as_deref(), &sending))
                .await?
                .map_or(Err(("", None)), |now_shown| {
                    Err((crate::ui::seen::CHANGED, Some(Box::new(now_shown))))
                }),
            None => Err(("", None)),
        }
    };
    match saved {
        Ok(saved) if saved.notified > 0 => Ok(see_other(
            "/kitchen/dishes",
            Some("flash.dish_saved_notified"),
        )),
        Ok(_) => Ok(see_other("/kitchen/dishes", Some("flash.saved"))),
        Err((k, now_shown)) => {
            match k {
                "" => {}
                crate::ui::seen::CHANGED => e = FieldErrors::changed_elsewhere(),
                "dish.err_in_vegetarian_option" => e.add("vegetarian", k),
                _ => e.add("name", k),
            }
            let f = now_shown.map_or(f, |b| *b);
            let title = ctx.t(if id.is_some() {
                "dish.edit"
            } else {
                "dish.title"
            });
            let action = id
                .map(|i| format!("/kitchen/dishes/{i}"))
                .unwrap_or_else(|| "/kitchen/dishes".into());
            Ok(crate::ui::html_invalid(layout::page(
                &ctx,
                title,
                html! {
                    h1 { (title) }
                    (crate::ui::forms::form_alert(&ctx, &e))
                    div.card { (dish_form(&ctx, &action, &f, &e)) }
                    p { a href="/kitchen/dishes" { (ctx.t("common.back")) } }
                },
            )))
        }
    }
}
