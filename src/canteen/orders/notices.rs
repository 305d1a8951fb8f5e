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

/// Tells each of `people` who has an account (people without one never visit).
pub fn notify_all(
    c: &mut DbConn,
    people: &[i32],
    day: NaiveDate,
    kind: &str,
    detail: &serde_json::Value,
    by: Option<i32>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let with = crate::people::store::with_accounts(c, people)?;
    let text = detail.to_string();
    // One row at a time: diesel's MultiConnection has no multi-row INSERT.
    let mut n = 0;
    for p in &with {
        n += diesel::insert_into(notices::table)
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
    Ok(n)
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
    let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let day = date(n.service_date);
    if n.kind == DISHES_CHANGED {
        let allergens: Vec<&str> = crate::canteen::rules::allergen_codes(&s("allergens"))
            .map(|c| ctx.t(crate::canteen::rules::allergen_key(c)))
            .collect();
        return html! {
            strong { (day) } " — " (ctx.tf("notice.dishes_changed", s("option")))
            ": " del { (s("before")) } " → " ins { (s("after")) }
            @if !allergens.is_empty() { " (" (ctx.t("dish.allergens")) ": " (allergens.join(", ")) ")" }
        };
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
