//! Notices: what a person is told on their next visit to My week when someone else changed
//! their meal (the kitchen ordering on their behalf) or the dishes of an option they ordered.
//! A notice stays until the person marks it read.

use crate::auth::middleware::see_other;
use crate::db::schema::notices;
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::{post_form, Form};
use crate::ui::{Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use maud::{html, Markup};
use serde::Deserialize;

/// The kitchen changed the person's meal or guests (`detail`: before / after, late).
pub const MEAL_CHANGED: &str = "meal_changed";
/// The dishes of an option the person ordered changed (`detail`: option, before, after,
/// allergens).
pub const DISHES_CHANGED: &str = "dishes_changed";

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = notices)]
pub struct Notice {
    pub id: i32,
    pub service_date: NaiveDate,
    pub kind: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

/// Tells each of `people` who has an account (people without one never visit). Returns who
/// was told.
pub fn notify_all(
    c: &mut DbConn,
    people: &[i32],
    day: NaiveDate,
    kind: &str,
    detail: &serde_json::Value,
    by: Option<i32>,
    now: NaiveDateTime,
) -> Result<Vec<i32>, AppError> {
    let with = crate::people::store::with_accounts(c, people)?;
    let text = detail.to_string();
    // One row at a time: diesel's MultiConnection has no multi-row INSERT.
    for p in &with {
        diesel::insert_into(notices::table)
            .values((
                notices::person_id.eq(*p),
                notices::service_date.eq(day),
                notices::kind.eq(kind),
                notices::detail.eq(&text),
                notices::created_at.eq(now),
                notices::created_by.eq(by),
            ))
            .execute(c)?;
    }
    Ok(with)
}

/// Whether the allergen notes of an option's dishes changed, for [`tell_option_changed`]. An
/// option shows them as "dish: note", so a dish renamed in the catalogue changes that text
/// without any note changing: the catalogue says which it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notes {
    /// Compared as the option shows them (its dishes changed).
    AsShown,
    /// Not changed (a dish saved with the same notes).
    Same,
}

/// Tells those who ordered an option (for themselves or their guests) that what they ordered
/// changed after they ordered it: its name, its dishes (a dish taken off or added, a dish of it
/// renamed in the catalogue), its allergens or the dishes' allergen notes. The price is not
/// part of it (a meal keeps the price it was ordered at). `before` is the option as it was;
/// nothing is sent when what a person sees of it is the same. Returns who was told.
pub fn tell_option_changed(
    c: &mut DbConn,
    before: &crate::canteen::store::MealOption,
    notes: Notes,
    by: Option<i32>,
    now: NaiveDateTime,
) -> Result<Vec<i32>, AppError> {
    let Some(after) = crate::canteen::store::option(c, before.id)? else {
        return Ok(Vec::new());
    };
    let notes_changed = notes == Notes::AsShown && before.allergen_notes != after.allergen_notes;
    if before.name == after.name
        && before.dishes == after.dishes
        && before.allergens == after.allergens
        && !notes_changed
    {
        return Ok(Vec::new());
    }
    let people = crate::canteen::ordering::eaters_of_option(c, before.id)?;
    let mut detail = serde_json::json!({
        "option": after.name, "option_before": before.name,
        "before": before.dishes, "after": after.dishes,
        "allergens": after.allergens, "allergens_before": before.allergens,
    });
    if notes_changed {
        detail["notes"] = after.allergen_notes.into();
        detail["notes_before"] = before.allergen_notes.clone().into();
    }
    notify_all(
        c,
        &people,
        after.service_date,
        DISHES_CHANGED,
        &detail,
        by,
        now,
    )
}

/// Marks the person's notices up to `upto` read (a notice that arrived after the page was
/// shown stays unread).
pub fn mark_read(
    c: &mut DbConn,
    person: i32,
    upto: i32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(diesel::update(
        notices::table
            .filter(notices::person_id.eq(person))
            .filter(notices::id.le(upto))
            .filter(notices::seen_at.is_null()),
    )
    .set(notices::seen_at.eq(now))
    .execute(c)?)
}

/// The unread notices, worded, with a button to mark them read.
pub fn panel(ctx: &Ctx, list: &[Notice]) -> Markup {
    let Some(last) = list.last() else {
        return html! {};
    };
    html! {
        section.card.notices role="status" aria-labelledby="notices-title" {
            h2 #notices-title { (ctx.t("notice.title")) }
            ul { @for n in list { li { (text(ctx, n)) } } }
            (post_form(ctx, "/notices/read", html! {
                input type="hidden" name="upto" value=(last.id);
                button.secondary type="submit" { (ctx.t("notice.mark_read")) }
            }))
        }
    }
}

/// One notice in the reader's language, from its stored data.
fn text(ctx: &Ctx, n: &Notice) -> Markup {
    let d: serde_json::Value = serde_json::from_str(&n.detail).unwrap_or_default();
    let day = date(n.service_date);
    if n.kind == DISHES_CHANGED {
        return option_changed(ctx, &day, &|k| {
            d.get(k).and_then(|v| v.as_str()).map(str::to_string)
        });
    }
    let meal = |side: &str| {
        let v = d.get(side).cloned().unwrap_or_default();
        let option = v.get("option").and_then(|o| o.as_str());
        let guests = v.get("guests").and_then(|g| g.as_i64()).unwrap_or(0);
        let walked_in = v.get("walked_in").and_then(|w| w.as_bool()) == Some(true);
        let m = option.map(str::to_string).unwrap_or_else(|| {
            ctx.t(crate::canteen::ordering::no_meal_key(walked_in))
                .to_string()
        });
        if guests > 0 {
            format!("{m} + {}", ctx.tf("week.n_guests", guests))
        } else {
            m
        }
    };
    html! {
        strong { (day) } " — " (ctx.t("notice.meal_changed")) ": "
        (meal("before")) " → " strong { (meal("after")) }
    }
}

/// A [`DISHES_CHANGED`] notice: the dishes before → after (or as they are, when only the
/// name or the allergens changed), the former name, and the allergens and allergen notes
/// before → after when they changed. Notices stored before the name and allergens were kept
/// (no `…_before` keys) read as they did: the dishes and the allergens now.
fn option_changed(ctx: &Ctx, day: &str, s: &dyn Fn(&str) -> Option<String>) -> Markup {
    let text = |k: &str| s(k).unwrap_or_default();
    let allergens = |k: &str| {
        let names: Vec<&str> = crate::canteen::rules::allergen_codes(&text(k))
            .map(|c| ctx.t(crate::canteen::rules::allergen_key(c)))
            .collect();
        if names.is_empty() {
            ctx.t("notice.none").to_string()
        } else {
            names.join(", ")
        }
    };
    let changed = |k: &str| s(&format!("{k}_before")).is_some_and(|b| b != text(k));
    let renamed = s("option_before").filter(|b| *b != text("option"));
    html! {
        strong { (day) } " — " (ctx.tf("notice.dishes_changed", text("option")))
        @if let Some(old) = &renamed { " (" (ctx.tf("notice.was_called", old)) ")" }
        ": "
        @if text("before") != text("after") {
            del { (text("before")) } " → " ins { (text("after")) }
        } @else {
            (text("after"))
        }
        @if changed("allergens") {
            ". " (ctx.t("dish.allergens")) ": " del { (allergens("allergens_before")) }
            " → " ins { (allergens("allergens")) }
        } @else if !text("allergens").is_empty() {
            " (" (ctx.t("dish.allergens")) ": " (allergens("allergens")) ")"
        }
        @if changed("notes") {
            ". " (ctx.t("notice.allergen_notes")) ": "
            @if !text("notes_before").is_empty() { del { (text("notes_before")) } " → " }
            ins { @if text("notes").is_empty() { (ctx.t("notice.none")) } @else { (text("notes")) } }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadForm {
    upto: i32,
}

/// Marks the shown notices read.
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<ReadForm>,
) -> Result<HttpResponse, AppError> {
    let person = user.person_id.ok_or(AppError::Forbidden)?;
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| mark_read(c, person, f.upto, now))
        .await?;
    Ok(see_other("/week", None))
}
