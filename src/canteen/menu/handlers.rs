//! Kitchen: week menus — options with price and capacity, copy a week, publish.

use crate::audit::{self, Actor, Entry};
use crate::auth::middleware::see_other;
use crate::canteen::commands;
use crate::canteen::rules::{self, DayRow};
use crate::canteen::standing;
use crate::canteen::store;
use crate::canteen::week::weekday_key;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::ConfirmForm;
use crate::ui::forms::{confirm_form, post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
}

/// The week asked for; by default this week, or next week at a weekend (this one is over).
fn week_start(q: Option<&str>, today: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let default = match today.weekday() {
        chrono::Weekday::Sat | chrono::Weekday::Sun => today + Duration::days(7),
        _ => today,
    };
    rules::monday_of(q.and_then(crate::ui::format::iso_date).unwrap_or(default))
}

pub async fn menu(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<WeekQuery>,
) -> Result<Markup, AppError> {
    let monday = week_start(q.week.as_deref(), state.clock.today());
    let data = load_week(&state, monday).await?;
    Ok(menu_page(&ctx, monday, &data, None, state.clock.today()))
}

/// A week's days, options and the dish catalogue, for the menu page.
type WeekData = (
    std::collections::HashMap<NaiveDate, DayRow>,
    Vec<store::MealOption>,
    Vec<store::Dish>,
);

async fn load_week(state: &AppState, monday: NaiveDate) -> Result<WeekData, AppError> {
    let sunday = monday + Duration::days(6);
    state
        .db
        .read(move |c| {
            Ok((
                store::day_rows(c, monday, sunday)?,
                store::options_between(c, monday, sunday)?,
                store::all_dishes(c)?,
            ))
        })
        .await
}

/// A refused "add an option" form: its day, what was typed, and the message per field.
struct Refused<'a> {
    form: &'a OptionForm,
    day: NaiveDate,
    errors: &'a FieldErrors,
}

fn menu_page(
    ctx: &Ctx,
    monday: NaiveDate,
    data: &WeekData,
    refused: Option<&Refused<'_>>,
    today: NaiveDate,
) -> Markup {
    let (rows, options, dishes) = data;
    let wk = monday.format("%Y-%m-%d").to_string();
    let prev = (monday - Duration::days(7)).format("%Y-%m-%d").to_string();
    let next = (monday + Duration::days(7)).format("%Y-%m-%d").to_string();
    let none = FieldErrors::default();
    layout::page(
        ctx,
        ctx.t("menu.title"),
        html! {
            (layout::title_bar(&ctx.tf("menu.week_of", date(monday)), html! {
                a.button.secondary href=(format!("/kitchen/menu?week={prev}")) { "‹ " (ctx.t("menu.prev_week")) }
                a.button.secondary href=(format!("/kitchen/menu?week={next}")) { (ctx.t("menu.next_week")) " ›" }
            }))
            @if refused.is_some() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
            // A refused form for a day whose form is no longer shown (a day that is over).
            @if let Some(r) = refused.filter(|r| r.day < today) {
                ul.errors role="alert" { @for (_, k) in &r.errors.0 { li.error { (date(r.day)) ": " (ctx.t(k)) } } }
            }
            div.actions.card {
                (post_form(ctx, "/kitchen/menu/copy", html! { input type="hidden" name="week" value=(wk); button.secondary type="submit" { (ctx.t("menu.copy_next")) } }))
                (post_form(ctx, "/kitchen/menu/publish", html! { input type="hidden" name="week" value=(wk); button type="submit" { (ctx.t("menu.publish")) } }))
                a.button.secondary href=(format!("/kitchen/menu/print?week={wk}")) { (ctx.t("menu.print")) }
            }
            @for i in 0..7 {
                @let day = monday + Duration::days(i);
                @let row = rows.get(&day);
                @let open = rules::is_open(day, row);
                @let mine = refused.filter(|r| r.day == day);
                @if open || i < 5 {
                    div.card {
                        h2 { (ctx.t(weekday_key(day))) " " (date(day)) " "
                            @if !open { span.badge.off { (ctx.t("order.lock_closed")) } " " (row.and_then(|r| r.reason.as_deref()).unwrap_or("")) }
                            @else if row.is_some_and(|r| r.published) { span.badge { (ctx.t("menu.published")) } }
                            @else { span.badge { (ctx.t("menu.draft")) } }
                        }
                        @let opts: Vec<_> = options.iter().filter(|o| o.service_date == day).collect();
                        @if !opts.is_empty() {
                            table {
                                thead { tr { th { (ctx.t("menu.option")) } th { (ctx.t("menu.dishes")) } th.num { (ctx.t("menu.price")) } th.num { (ctx.t("menu.capacity")) } th { span.sr { (ctx.t("common.actions")) } } } }
                                tbody { @for o in &opts { tr {
                                    td { (o.name) @if o.vegetarian { " " span.badge { (ctx.t("menu.vegetarian")) } } }
                                    td { (o.dishes) @if !o.allergens.is_empty() { br; small.hint { (ctx.t("dish.allergens")) ": " (super::dishes::allergen_names(ctx, &o.allergens)) } } }
                                    td.num { (o.price_vnd) }
                                    td.num { (o.capacity.map(|c| c.to_string()).unwrap_or_else(|| "—".into())) }
                                    // A day that is over keeps its menu: no action is offered.
                                    td { @if day >= today {
                                        a href=(format!("/kitchen/menu/options/{}", o.id)) { (ctx.t("common.edit")) } " "
                                        (confirm_form(ctx, &format!("/kitchen/menu/options/{}/delete", o.id), ctx.t("menu.confirm_delete"), ctx.t("menu.delete")))
                                    } }
                                } } }
                            }
                        }
                        @if open && day >= today {
                            @let errors = mine.map(|r| r.errors).unwrap_or(&none);
                            @let default_name = if opts.is_empty() { ctx.t("menu.default_regular") } else { "" };
                            details open[mine.is_some()] {
                                summary { (ctx.t("menu.add_option")) }
                                @let scope = day.format("%Y-%m-%d").to_string();
                                (post_form(ctx, "/kitchen/menu/options", html! {
                                    input type="hidden" name="date" value=(scope);
                                    (Input::text("name", ctx.t("menu.option"), mine.map(|r| r.form.name.as_str()).unwrap_or(default_name)).required().scope(&scope).render(ctx, errors))
                                    (Input::text("price", ctx.t("menu.price"), mine.map(|r| r.form.price.as_str()).unwrap_or("35.000")).required().hint(ctx.t("menu.price_hint")).scope(&scope).render(ctx, errors))
                                    (Input::text("capacity", ctx.t("menu.capacity"), mine.map(|r| r.form.capacity.as_str()).unwrap_or("")).kind("number").hint(ctx.t("menu.capacity_hint")).scope(&scope).render(ctx, errors))
                                    div.field { label { input type="checkbox" name="vegetarian" value="yes" checked[mine.is_some_and(|r| r.form.vegetarian.is_some())]; " " (ctx.t("menu.vegetarian")) } }
                                    (dish_choices(ctx, dishes, mine.map(|r| r.form.dish.as_slice()).unwrap_or(&[]), errors, &scope))
                                    button type="submit" { (ctx.t("menu.add")) }
                                }))
                            }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionForm {
    date: String,
    name: String,
    price: String,
    #[serde(default)]
    capacity: String,
    vegetarian: Option<String>,
    #[serde(default)]
    dish: Vec<i32>,
}

pub async fn option_add(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<OptionForm>,
) -> Result<HttpResponse, AppError> {
    let day =
        crate::ui::format::iso_date(&f.date).ok_or(AppError::BadRequest("order.err_bad_date"))?;
    let mut errors = FieldErrors::default();
    match rules::check_option(&f.name, &f.price, &f.capacity) {
        Ok(o) => {
            let (actor, now) = (
                Actor::user(user.user_id, &user.username),
                state.clock.now_naive(),
            );
            let (vegetarian, dish_ids) = (f.vegetarian.as_deref() == Some("yes"), f.dish.clone());
            let saved = state
                .db
                .write(move |c| {
                    let input = commands::OptionInput {
                        day,
                        name: &o.name,
                        price: o.price,
                        capacity: o.capacity,
                        vegetarian,
                        dish_ids: &dish_ids,
                    };
                    commands::add_option(c, &actor, now, &input)
                })
                .await;
            match saved {
                Err(AppError::BadRequest(
                    k @ ("menu.err_option_exists"
                    | "menu.err_past_day"
                    | "menu.err_no_dishes"
                    | "menu.err_meat_in_vegetarian"),
                )) => errors.add(option_field(k), k),
                other => return other.map(|_| back_to_week(day, "flash.saved")),
            }
        }
        Err(problems) => problems.into_iter().for_each(|(f, k)| errors.add(f, k)),
    }
    let monday = rules::monday_of(day);
    let data = load_week(&state, monday).await?;
    let refused = Refused {
        form: &f,
        day,
        errors: &errors,
    };
    let today = state.clock.today();
    Ok(html_invalid(menu_page(
        &ctx,
        monday,
        &data,
        Some(&refused),
        today,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionEditForm {
    name: String,
    price: String,
    #[serde(default)]
    capacity: String,
    vegetarian: Option<String>,
    #[serde(default)]
    dish: Vec<i32>,
    /// The option as this page showed it (`commands::option_fingerprint`).
    #[serde(default, deserialize_with = "crate::ui::seen::sent")]
    seen: Option<String>,
}

/// What the edit page shows: the option, its dishes, the catalogue and how many eat it.
struct EditData {
    option: store::MealOption,
    dishes: Vec<i32>,
    catalogue: Vec<store::Dish>,
    used: i64,
}

async fn load_edit(state: &AppState, id: i32) -> Result<EditData, AppError> {
    state
        .db
        .read(move |c| {
            let option = store::option(c, id)?.ok_or(AppError::NotFound)?;
            let dishes = store::dishes_of(c, &[id])?
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.id)
                .collect();
            Ok(EditData {
                option,
                dishes,
                catalogue: store::all_dishes(c)?,
                used: crate::canteen::ordering::used(c, id)?,
            })
        })
        .await
}

/// The kitchen edits an option (also after publishing): name, price, capacity, kind, dishes.
pub async fn option_edit(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let data = load_edit(&state, id.into_inner()).await?;
    Ok(edit_page(
        &ctx,
        &data,
        &as_saved(&data),
        &FieldErrors::default(),
        state.clock.today(),
    ))
}

/// The edit form filled with the option as it is saved.
fn as_saved(data: &EditData) -> OptionEditForm {
    let o = &data.option;
    OptionEditForm {
        name: o.name.clone(),
        price: o.price_vnd.grouped(),
        capacity: o.capacity.map(|c| c.to_string()).unwrap_or_default(),
        vegetarian: o.vegetarian.then(|| "yes".into()),
        dish: data.dishes.clone(),
        seen: Some(commands::option_fingerprint(o, &data.dishes)),
    }
}

fn edit_page(
    ctx: &Ctx,
    data: &EditData,
    f: &OptionEditForm,
    e: &FieldErrors,
    today: NaiveDate,
) -> Markup {
    let o = &data.option;
    let action = format!("/kitchen/menu/options/{}", o.id);
    let back = format!(
        "/kitchen/menu?week={}",
        rules::monday_of(o.service_date).format("%Y-%m-%d")
    );
    layout::page(
        ctx,
        ctx.t("menu.edit_option"),
        html! {
            h1 { (ctx.t("menu.edit_option")) ": " (o.name) " — " (ctx.t(weekday_key(o.service_date))) " " (date(o.service_date)) }
            // A day that is over shows no form: what was refused is said once, below.
            @if o.service_date >= today { (crate::ui::forms::form_alert(ctx, e)) }
            @if o.service_date < today {
                p.hint { (ctx.t("menu.err_past_day_edit")) }
            } @else {
                @if data.used > 0 { p.hint { (ctx.tf("menu.edit_has_orders", data.used)) } }
                div.card { (post_form(ctx, &action, html! {
                    (crate::ui::seen::hidden(f.seen.as_deref()))
                    (Input::text("name", ctx.t("menu.option"), &f.name).required().render(ctx, e))
                    (Input::text("price", ctx.t("menu.price"), &f.price).required().hint(ctx.t("menu.price_edit_hint")).render(ctx, e))
                    (Input::text("capacity", ctx.t("menu.capacity"), &f.capacity).kind("number").hint(ctx.t("menu.capacity_hint")).render(ctx, e))
                    div.field { label { input type="checkbox" name="vegetarian" value="yes" checked[f.vegetarian.is_some()]; " " (ctx.t("menu.vegetarian")) }
                        @if let Some(k) = e.get("vegetarian") { p.error role="alert" { (ctx.t(k)) } } }
                    (dish_choices(ctx, &data.catalogue, &f.dish, e, ""))
                    button type="submit" { (ctx.t("common.save")) }
                })) }
            }
            p { a href=(back) { (ctx.t("common.back")) } }
        },
    )
}

/// The dish checkboxes of an option form: active dishes, and any inactive one already chosen;
/// each with its kind and allergens, so the cook sees what goes in a vegetarian option.
fn dish_choices(
    ctx: &Ctx,
    catalogue: &[store::Dish],
    chosen: &[i32],
    e: &FieldErrors,
    scope: &str,
) -> Markup {
    let id = format!("dish-err{scope}");
    html! {
        fieldset.checks aria-describedby=[e.get("dish").map(|_| id.as_str())] {
            legend { (ctx.t("menu.dishes")) }
            @for d in catalogue.iter().filter(|d| d.active || chosen.contains(&d.id)) {
                label {
                    input type="checkbox" name="dish" value=(d.id) checked[chosen.contains(&d.id)];
                    " " (d.name)
                    @if d.vegetarian { " " span.badge { (ctx.t("menu.vegetarian")) } }
                    @if !d.allergens.is_empty() { " " small.hint { "(" (super::dishes::allergen_names(ctx, &d.allergens)) ")" } }
                }
            }
            @if let Some(k) = e.get("dish") { p.error id=(id) role="alert" { (ctx.t(k)) } }
        }
    }
}

/// Saves an edited option. A new price applies to meals ordered from now on; people who
/// ordered it are told when its dishes change.
pub async fn option_update(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<OptionEditForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    match rules::check_option(&f.name, &f.price, &f.capacity) {
        Ok(o) => {
            let actor = Actor::user(user.user_id, &user.username);
            let now = state.clock.now_naive();
            let (vegetarian, dish_ids) = (f.vegetarian.as_deref() == Some("yes"), f.dish.clone());
            let seen = f.seen.clone();
            let saved = state
                .db
                .write(move |c| {
                    let edit = commands::OptionEdit {
                        id,
                        name: &o.name,
                        price: o.price,
                        capacity: o.capacity,
                        vegetarian,
                        dish_ids: &dish_ids,
                        seen: seen.as_deref(),
                    };
                    commands::update_option(c, &actor, now, &edit)
                })
                .await;
            match saved {
                Ok(done) => {
                    let flash = if done.notified > 0 {
                        "flash.option_saved_notified"
                    } else {
                        "flash.saved"
                    };
                    return Ok(back_to_week(done.day, flash));
                }
                Err(AppError::BadRequest(k)) => errors.add(option_field(k), k),
                Err(other) => return Err(other),
            }
        }
        Err(problems) => problems.into_iter().for_each(|(f, k)| errors.add(f, k)),
    }
    let data = load_edit(&state, id).await?;
    // Changed elsewhere since the page was shown (found by the save, or now, beside a problem
    // of the form, which would only be refused again once put right): show it as it is now.
    let now_shown = as_saved(&data);
    let stale = crate::ui::seen::is_stale(f.seen.as_deref(), now_shown.seen.as_deref());
    let f = if stale || errors.get(crate::ui::seen::FIELD).is_some() {
        errors = FieldErrors::changed_elsewhere();
        now_shown
    } else {
        f
    };
    Ok(html_invalid(edit_page(
        &ctx,
        &data,
        &f,
        &errors,
        state.clock.today(),
    )))
}

/// The field an option refusal belongs beside.
fn option_field(key: &'static str) -> &'static str {
    match key {
        "menu.err_no_dishes"
        | "menu.err_meat_in_vegetarian"
        | "menu.err_dish_out_of_use"
        | "err.bad_form" => "dish",
        crate::ui::seen::CHANGED => crate::ui::seen::FIELD,
        "menu.err_capacity_below_orders" => "capacity",
        "menu.err_vegetarian_in_use" => "vegetarian",
        _ => "name",
    }
}

/// The week's menu on one A4 page to post in the canteen: each day's options with their
/// dishes, allergens and prices.
pub async fn print(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<WeekQuery>,
) -> Result<Markup, AppError> {
    let monday = week_start(q.week.as_deref(), state.clock.today());
    let (rows, options, _) = load_week(&state, monday).await?;
    Ok(layout::page(
        &ctx,
        &ctx.tf("menu.week_of", date(monday)),
        html! {
            h1 { (ctx.tf("menu.print_title", date(monday))) }
            table.print-list {
                thead { tr { th { (ctx.t("week.day")) } th { (ctx.t("menu.option")) } th { (ctx.t("menu.dishes")) } th { (ctx.t("dish.allergens")) } th.num { (ctx.t("menu.price")) } } }
                tbody {
                    @for i in 0..7 {
                        @let day = monday + Duration::days(i);
                        @let opts: Vec<_> = options.iter().filter(|o| o.service_date == day).collect();
                        @if !rules::is_open(day, rows.get(&day)) {
                            @if i < 5 { tr { th scope="row" { (ctx.t(weekday_key(day))) " " (date(day)) } td colspan="4" { (ctx.t("order.lock_closed")) " " (rows.get(&day).and_then(|r| r.reason.as_deref()).unwrap_or("")) } } }
                        } @else if !rows.get(&day).is_some_and(|r| r.published) {
                            // Only what staff can see is posted: a draft day is not printed.
                            @if i < 5 || !opts.is_empty() { tr { th scope="row" { (ctx.t(weekday_key(day))) " " (date(day)) } td colspan="4" { (ctx.t("order.lock_unpublished")) } } }
                        } @else {
                            @for (n, o) in opts.iter().enumerate() {
                                tr {
                                    @if n == 0 { th scope="row" rowspan=(opts.len()) { (ctx.t(weekday_key(day))) " " (date(day)) } }
                                    td { (o.name) @if o.vegetarian { " (" (ctx.t("menu.vegetarian")) ")" } }
                                    td { (o.dishes) }
                                    td { (super::dishes::allergen_names(&ctx, &o.allergens)) @if !o.allergen_notes.is_empty() { @if !o.allergens.is_empty() { "; " } em { (o.allergen_notes) } } }
                                    td.num { (o.price_vnd) }
                                }
                            }
                        }
                    }
                }
            }
            p.hint { (ctx.t("menu.print_allergen_note")) }
        },
    ))
}

pub async fn option_delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let id = id.into_inner();
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    let day = state
        .db
        .write(move |c| commands::delete_option(c, &actor, now, id))
        .await?;
    Ok(back_to_week(day, "flash.saved"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekForm {
    week: String,
}

/// Copies a week's options to the next week (days that already have options are skipped).
pub async fn copy_week(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<WeekForm>,
) -> Result<HttpResponse, AppError> {
    let monday = rules::monday_of(
        crate::ui::format::iso_date(&f.week).ok_or(AppError::BadRequest("order.err_bad_date"))?,
    );
    let next = monday + Duration::days(7);
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| commands::copy_week(c, &actor, now, monday))
        .await?;
    Ok(back_to_week(next, "flash.week_copied"))
}

/// Publishes a week: its open days with options become visible to staff, and standing orders
/// turn into meals on those still open for ordering.
pub async fn publish_week(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<WeekForm>,
) -> Result<HttpResponse, AppError> {
    let monday = rules::monday_of(
        crate::ui::format::iso_date(&f.week).ok_or(AppError::BadRequest("order.err_bad_date"))?,
    );
    let actor = Actor::user(user.user_id, &user.username);
    let now = state.clock.now();
    let published = state
        .db
        .write(move |c| publish(c, &actor, monday, now))
        .await?;
    Ok(back_to_week(
        monday,
        if published == 0 {
            "flash.week_nothing_to_publish"
        } else {
            "flash.week_published"
        },
    ))
}

pub fn publish(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    monday: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, AppError> {
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let sunday = monday + Duration::days(6);
    // Whole days change: their locks first, exclusive, in date order (see `store::lock`).
    store::lock_days(c, monday, sunday, true)?;
    let rows = store::day_rows(c, monday, sunday)?;
    let options = store::options_between(c, monday, sunday)?;
    let s = store::load_settings(c)?;
    let mut published = Vec::new();
    for i in 0..7 {
        let day = monday + Duration::days(i);
        let row = rows.get(&day);
        let opts: Vec<_> = options
            .iter()
            .filter(|o| o.service_date == day)
            .cloned()
            .collect();
        if !rules::is_open(day, row) || opts.is_empty() {
            continue;
        }
        crate::periods::ensure_open(c, day)?;
        let new_row = DayRow {
            is_open: true,
            reason: row.and_then(|r| r.reason.clone()),
            published: true,
            makeup_for: row.and_then(|r| r.makeup_for),
        };
        store::put_day(c, day, &new_row, nowt)?;
        if rules::editable(day, Some(&new_row), now, &s).is_ok() {
            standing::materialize_day(
                c,
                day,
                DayRow::standing_as(Some(&new_row), day),
                &opts,
                nowt,
            )?;
        }
        published.push(day);
    }
    if !published.is_empty() {
        audit::record(
            c,
            actor,
            nowt,
            Entry::new("service_day.publish", "service_day").after(json!({"days": published})),
        )?;
    }
    Ok(published.len())
}

/// Back to the week menu containing `day`, with a message.
fn back_to_week(day: NaiveDate, flash: &'static str) -> HttpResponse {
    see_other(
        &format!(
            "/kitchen/menu?week={}",
            rules::monday_of(day).format("%Y-%m-%d")
        ),
        Some(flash),
    )
}
