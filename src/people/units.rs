//! Units (đơn vị): a tree of departments. Admins create and edit; readers see the tree.

use super::forms::UnitForm;
use super::{store, unit_options, unit_tree};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

struct Checked {
    code: String,
    name: String,
    parent_id: Option<i32>,
}

/// Checks a unit form; `self_id` is the unit being edited (it may not become its own ancestor).
fn check(
    f: &UnitForm,
    units: &[store::Unit],
    self_id: Option<i32>,
) -> Result<Checked, FieldErrors> {
    let mut e = FieldErrors::default();
    let code = f.code.trim().to_uppercase();
    if code.is_empty()
        || code.len() > 20
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        e.add("code", "units.err_code");
    }
    let name = f.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=200).contains(&name.chars().count()) {
        e.add("name", "units.err_name");
    }
    let parent_id = match f.parent_id.trim() {
        "" => None,
        p => match p
            .parse::<i32>()
            .ok()
            .filter(|id| units.iter().any(|u| u.id == *id))
        {
            Some(id) => Some(id),
            None => {
                e.add("parent_id", "units.err_parent");
                None
            }
        },
    };
    if let (Some(me), Some(mut p)) = (self_id, parent_id) {
        // Walk up from the new parent: meeting ourselves would make a cycle.
        for _ in 0..64 {
            if p == me {
                e.add("parent_id", "units.err_cycle");
                break;
            }
            match units.iter().find(|u| u.id == p).and_then(|u| u.parent_id) {
                Some(next) => p = next,
                None => break,
            }
        }
    }
    if e.is_empty() {
        Ok(Checked {
            code,
            name,
            parent_id,
        })
    } else {
        Err(e)
    }
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let units = state.db.read(store::all_units).await?;
    let empty = UnitForm {
        code: String::new(),
        name: String::new(),
        parent_id: String::new(),
        seen: None,
    };
    Ok(list_page(
        &ctx,
        &units,
        user.has(Role::Admin),
        &empty,
        &FieldErrors::default(),
    ))
}

fn list_page(
    ctx: &Ctx,
    units: &[store::Unit],
    can_edit: bool,
    f: &UnitForm,
    errors: &FieldErrors,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("units.title"),
        html! {
            h1 { (ctx.t("units.title")) }
            @if units.is_empty() { p { (ctx.t("units.none")) } }
            table {
                thead { tr { th { (ctx.t("units.code")) } th { (ctx.t("units.name")) } @if can_edit { th { span.sr { (ctx.t("common.actions")) } } } } }
                tbody {
                    @for (id, depth, u) in unit_tree(units) {
                        tr {
                            td { (u.code) }
                            td { (("\u{a0}\u{a0}\u{a0}\u{a0}").repeat(depth)) (u.name) }
                            @if can_edit { td { a href=(format!("/units/{id}")) { (ctx.t("common.edit")) } } }
                        }
                    }
                }
            }
            @if can_edit {
                div.card.no-print {
                    h2 { (ctx.t("units.add")) }
                    (form_fields(ctx, "/units", units, f, errors))
                }
            }
        },
    )
}

fn form_fields(
    ctx: &Ctx,
    action: &str,
    units: &[store::Unit],
    f: &UnitForm,
    errors: &FieldErrors,
) -> Markup {
    post_form(
        ctx,
        action,
        html! {
            (crate::ui::seen::hidden(f.seen.as_deref()))
            (Input::text("code", ctx.t("units.code"), &f.code).required().render(ctx, errors))
            (Input::text("name", ctx.t("units.name"), &f.name).required().render(ctx, errors))
            (select(ctx, errors, "parent_id", ctx.t("units.parent"), &unit_options(units, ctx.t("units.no_parent")), &f.parent_id))
            button type="submit" { (ctx.t("common.save")) }
        },
    )
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<UnitForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let outcome = state
        .db
        .write(move |c| {
            let units = store::all_units(c)?;
            let mut checked = check(&f, &units, None);
            if let Ok(ch) = &checked {
                if store::unit_code_taken(c, &ch.code, None)? {
                    let mut e = FieldErrors::default();
                    e.add("code", "units.err_code_taken");
                    checked = Err(e);
                }
            }
            match checked {
                Ok(ch) => {
                    store::create_unit(c, &actor, now, &ch.code, &ch.name, ch.parent_id)?;
                    Ok(Ok(()))
                }
                Err(e) => Ok(Err((units, f.clone(), e))),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other("/units", Some("flash.saved"))),
        Err((units, f, e)) => Ok(html_invalid(list_page(&ctx, &units, true, &f, &e))),
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (unit, units) = state
        .db
        .read(move |c| Ok((store::unit(c, id)?, store::all_units(c)?)))
        .await?;
    let unit = unit.ok_or(AppError::NotFound)?;
    Ok(edit_page(
        &ctx,
        &unit,
        &units,
        &form_of(&unit),
        &FieldErrors::default(),
    ))
}

/// A unit as its edit page shows it, with the fingerprint of that (`ui::seen`).
fn form_of(unit: &store::Unit) -> UnitForm {
    let mut f = UnitForm {
        code: unit.code.clone(),
        name: unit.name.clone(),
        parent_id: unit.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        seen: None,
    };
    f.seen = Some(crate::ui::seen::of(&f));
    f
}

fn edit_page(
    ctx: &Ctx,
    unit: &store::Unit,
    units: &[store::Unit],
    f: &UnitForm,
    e: &FieldErrors,
) -> Markup {
    // A unit cannot sit under itself or under one of its own sub-units: those are not offered.
    let pairs: Vec<(i32, Option<i32>)> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let below = super::rules::unit_and_below(&pairs, unit.id);
    let others: Vec<store::Unit> = units
        .iter()
        .filter(|u| !below.contains(&u.id))
        .cloned()
        .collect();
    layout::page(
        ctx,
        ctx.t("units.edit"),
        html! {
            h1 { (ctx.t("units.edit")) ": " (unit.name) }
            (crate::ui::forms::form_alert(ctx, e))
            div.card { (form_fields(ctx, &format!("/units/{}", unit.id), &others, f, e)) }
            p { a href="/units" { (ctx.t("common.back")) } }
        },
    )
}

pub async fn update(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<UnitForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let actor = Actor::user(user.user_id, &user.username);
    let outcome = state
        .db
        .write(move |c| {
            crate::db::hold_record(c, &format!("unit:{id}"))?;
            let before = store::unit(c, id)?.ok_or(AppError::NotFound)?;
            let units = store::all_units(c)?;
            let now_shown = form_of(&before);
            let mut checked = check(&f, &units, Some(id));
            // What the form sends, as the page would show it once saved (a code's case, spaces).
            let sending = match &checked {
                Ok(ch) => crate::ui::seen::of(&UnitForm {
                    code: ch.code.clone(),
                    name: ch.name.clone(),
                    parent_id: ch.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                    seen: None,
                }),
                Err(_) => crate::ui::seen::of(&f),
            };
            if crate::ui::seen::refuses(f.seen.as_deref(), now_shown.seen.as_deref(), &sending) {
                return Ok(Err((
                    before,
                    units,
                    now_shown,
                    FieldErrors::changed_elsewhere(),
                )));
            }
            if let Ok(ch) = &checked {
                if store::unit_code_taken(c, &ch.code, Some(id))? {
                    let mut e = FieldErrors::default();
                    e.add("code", "units.err_code_taken");
                    checked = Err(e);
                }
            }
            match checked {
                Ok(ch) => {
                    store::update_unit(c, &actor, now, &before, &ch.code, &ch.name, ch.parent_id)?;
                    Ok(Ok(()))
                }
                Err(e) => Ok(Err((before, units, f.clone(), e))),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other("/units", Some("flash.saved"))),
        Err((unit, units, f, e)) => Ok(html_invalid(edit_page(&ctx, &unit, &units, &f, &e))),
    }
}
