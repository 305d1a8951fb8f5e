//! Staff pages: my week, standing order, absences, meal pass, rating served meals.

use crate::auth::middleware::{see_other, SessionWeek};
use crate::canteen::ordering::Who;
use crate::canteen::rules::{self, Standing};
use crate::canteen::standing;
use crate::canteen::states::Source;
use crate::canteen::week;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::ConfirmForm;
use crate::ui::forms::{confirm_form, post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser, Esc};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Duration;
use maud::{html, Markup};
use serde::Deserialize;

pub fn person_of(user: &CurrentUser) -> Result<i32, AppError> {
    user.person_id
        .ok_or(AppError::BadRequest("order.err_no_person"))
}

pub async fn my_week(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    req: HttpRequest,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let now = state.clock.now();
    let menus = state.menus.clone();
    // The person's rows were read with the session (the context middleware), for the days
    // this grid needs unless the day changed in between: build the grid from them, on this
    // thread when the menus are kept and no option has a capacity to count.
    let read = req
        .extensions_mut()
        .remove::<SessionWeek>()
        .filter(|w| w.person == person && w.window == week::window(week::business_today(now)));
    let grid = match read {
        Some(w) => match week::assemble(None, w.week, now, &menus, false)? {
            Ok(grid) => grid,
            Err(mine) => {
                state
                    .db
                    .read_short(move |c| week::assemble_on(c, mine.clone(), now, &menus, false))
                    .await?
            }
        },
        None => {
            state
                .db
                .read_short(move |c| week::load(c, person, now, &menus, false))
                .await?
        }
    };
    Ok(week_page(&ctx, &grid, None, state.clock.today()))
}

fn week_page(
    ctx: &Ctx,
    grid: &week::Grid,
    sent: Option<&week::Sent>,
    today: chrono::NaiveDate,
) -> Markup {
    let days = &grid.days;
    let tomorrow = today + Duration::days(1);
    let remind = days
        .iter()
        .find(|d| d.day == tomorrow)
        .filter(|d| d.undecided());
    let closed: Vec<&week::DayView> = days
        .iter()
        .filter(|d| {
            matches!(d.lock, Some(rules::Lock::Closed(_))) && d.row.is_some() && d.day >= today
        })
        .collect();
    let grid_form = week::grid(
        ctx,
        "/week",
        days,
        sent,
        true,
        week::Allergies {
            codes: &grid.allergens,
            own: true,
        },
        today,
    );
    let content = crate::ui::fill(
        html! {
            (layout::title_bar(ctx.t("week.title"), html! {
                a.button.secondary href="/standing" { (Esc(ctx.t("standing.title"))) }
                a.button.secondary href="/absences" { (Esc(ctx.t("absence.title"))) }
                a.button.secondary href="/pass" { (Esc(ctx.t("pass.title"))) }
                a.button.secondary href="/meals" { (Esc(ctx.t("rating.title"))) }
                a.button.secondary href="/history" { (Esc(ctx.t("nav.history"))) }
                a.button.secondary href="/allergies" { (Esc(ctx.t("allergy.title"))) }
                a.button.secondary href="/statement" { (Esc(ctx.t("stmt.title"))) }
            }))
            (crate::canteen::notices::panel(ctx, &grid.notices))
            @if let Some(d) = remind {
                p.alert role="status" { (ctx.tf("week.remind_tomorrow", date(d.day))) }
            }
            @for d in &closed {
                p.notice { (ctx.tf("week.day_closed", date(d.day))) @if let Some(r) = d.row.as_ref().and_then(|r| r.reason.as_deref()) { ": " (r) } }
            }
            @if let Some(s) = sent { p.alert role="alert" { (Esc(ctx.t(s.banner_key()))) } }
            (crate::ui::SLOT)
        },
        &[&grid_form],
    );
    layout::page(ctx, ctx.t("week.title"), content)
}

pub async fn save_week(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let person = person_of(&user)?;
    let now = state.clock.now();
    let who = Who {
        person_id: person,
        by_user: Some(user.user_id),
        source: Source::Staff,
    };
    let menus = state.menus.clone();
    let outcome = state
        .db
        .write(move |c| crate::canteen::commands::submit_week(c, None, &who, &pairs, now, &menus))
        .await?;
    match outcome {
        Ok(_) => Ok(see_other("/week", Some("flash.week_saved"))),
        Err((grid, sent)) => Ok(html_invalid(week_page(
            &ctx,
            &grid,
            Some(&sent),
            state.clock.today(),
        ))),
    }
}

// ---- allergies ----

pub async fn allergies_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let mine = state
        .db
        .read(move |c| crate::people::store::allergens_of(c, person))
        .await?;
    Ok(layout::page(
        &ctx,
        ctx.t("allergy.title"),
        html! {
            h1 { (ctx.t("allergy.title")) }
            p { (ctx.t("allergy.help")) }
            div.card { (post_form(&ctx, "/allergies", html! {
                fieldset.checks {
                    legend { (ctx.t("allergy.legend")) }
                    @for code in rules::ALLERGENS {
                        label { input type="checkbox" name="allergen" value=(code) checked[rules::allergen_codes(&mine).any(|c| c == code)]; " " (ctx.t(rules::allergen_key(code))) }
                    }
                }
                button type="submit" { (ctx.t("common.save")) }
            })) }
            p.hint { (ctx.t("allergy.privacy")) }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllergyForm {
    #[serde(default)]
    allergen: Vec<String>,
}

pub async fn allergies_save(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<AllergyForm>,
) -> Result<HttpResponse, AppError> {
    let person = person_of(&user)?;
    let codes = rules::allergen_set(&f.allergen).map_err(AppError::BadRequest)?;
    let actor = crate::audit::Actor::user(user.user_id, &user.username);
    let now = state.clock.now_naive();
    state
        .db
        .write(move |c| crate::people::store::set_allergens(c, person, &codes, &actor, now))
        .await?;
    Ok(see_other("/week", Some("flash.saved")))
}

// ---- standing order ----

pub async fn standing_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let s = state
        .db
        .read(move |c| standing::standing_of(c, person))
        .await?;
    Ok(standing_page(&ctx, s.as_ref()))
}

fn standing_page(ctx: &Ctx, s: Option<&Standing>) -> Markup {
    let days = [
        (1, "day.mon"),
        (2, "day.tue"),
        (3, "day.wed"),
        (4, "day.thu"),
        (5, "day.fri"),
        (6, "day.sat"),
        (7, "day.sun"),
    ];
    let on = |d: u32| s.map(|s| s.weekdays.contains(&d)).unwrap_or(d <= 5);
    layout::page(
        ctx,
        ctx.t("standing.title"),
        html! {
            h1 { (ctx.t("standing.title")) }
            p { (ctx.t("standing.help")) }
            p { strong { (if s.is_some() { ctx.t("standing.active") } else { ctx.t("standing.none") }) } }
            div.card {
                (post_form(ctx, "/standing", html! {
                    fieldset.checks {
                        legend { (ctx.t("standing.weekdays")) }
                        @for (n, k) in days { label { input type="checkbox" name="weekday" value=(n) checked[on(n)]; " " (ctx.t(k)) } }
                    }
                    div.field { label { input type="checkbox" name="vegetarian" value="yes" checked[s.is_some_and(|s| s.prefer_vegetarian)]; " " (ctx.t("standing.prefer_vegetarian")) } }
                    div.field { label { input type="checkbox" name="lunar" value="yes" checked[s.is_some_and(|s| s.lunar_vegetarian)]; " " (ctx.t("standing.lunar")) } }
                    button type="submit" name="action" value="save" { (ctx.t("standing.save")) }
                    " "
                    @if s.is_some() { button.secondary type="submit" name="action" value="stop" { (ctx.t("standing.stop")) } }
                }))
            }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandingForm {
    #[serde(default)]
    weekday: Vec<String>,
    vegetarian: Option<String>,
    lunar: Option<String>,
    action: String,
}

pub async fn standing_save(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<StandingForm>,
) -> Result<HttpResponse, AppError> {
    let person = person_of(&user)?;
    let standing = match f.action.as_str() {
        "stop" => None,
        "save" => {
            let days = Standing::parse_weekdays(&f.weekday.join(","));
            if days.len() != f.weekday.len() || days.is_empty() {
                return Err(AppError::BadRequest("standing.err_weekdays"));
            }
            Some(Standing {
                weekdays: days,
                prefer_vegetarian: f.vegetarian.as_deref() == Some("yes"),
                lunar_vegetarian: f.lunar.as_deref() == Some("yes"),
            })
        }
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    let now = state.clock.now();
    state
        .db
        .write(move |c| crate::canteen::commands::save_standing(c, person, standing.as_ref(), now))
        .await?;
    Ok(see_other(
        "/week",
        Some(if f.action == "stop" {
            "flash.standing_stopped"
        } else {
            "flash.standing_saved"
        }),
    ))
}

// ---- absences ----

pub async fn absences(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let person = person_of(&user)?;
    let today = state.clock.today();
    let list = state
        .db
        .read(move |c| standing::absences_of(c, person, today))
        .await?;
    Ok(absences_page(
        &ctx,
        &list,
        &AbsenceForm::default(),
        &FieldErrors::default(),
        None,
    ))
}

fn absences_page(
    ctx: &Ctx,
    list: &[standing::Absence],
    f: &AbsenceForm,
    e: &FieldErrors,
    overlapping: Option<i32>,
) -> Markup {
    let kinds = vec![
        ("leave".to_string(), ctx.t("absence.leave").to_string()),
        (
            "business_trip".to_string(),
            ctx.t("absence.business_trip").to_string(),
        ),
    ];
    layout::page(
        ctx,
        ctx.t("absence.title"),
        html! {
            h1 { (ctx.t("absence.title")) }
            p { (ctx.t("absence.help")) }
            @if list.is_empty() { p.hint { (ctx.t("absence.none")) } } @else {
                table {
                    thead { tr { th { (ctx.t("absence.from")) } th { (ctx.t("absence.to")) } th { (ctx.t("absence.kind")) } th { (ctx.t("absence.note")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for a in list { tr.bad[overlapping == Some(a.id)] {
                        td { (date(a.start_date)) @if overlapping == Some(a.id) { " " span.badge.off { (ctx.t("absence.overlapping")) } } } td { (date(a.end_date)) } td { (ctx.t(rules::absence_kind_key(&a.kind))) } td { (a.note) }
                        td { (confirm_form(ctx, &format!("/absences/{}/delete", a.id), ctx.t("absence.confirm_delete"), ctx.t("absence.delete"))) }
                    } } }
                }
            }
            div.card {
                h2 { (ctx.t("absence.add")) }
                (post_form(ctx, "/absences", html! {
                    (Input::text("start", ctx.t("absence.from"), &f.start).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                    (Input::text("end", ctx.t("absence.to"), &f.end).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                    (crate::ui::forms::select(ctx, e, "kind", ctx.t("absence.kind"), &kinds, &f.kind))
                    (Input::text("note", ctx.t("absence.note"), &f.note).render(ctx, e))
                    button type="submit" { (ctx.t("absence.save")) }
                }))
            }
            p { a href="/week" { (ctx.t("common.back")) } }
        },
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct AbsenceForm {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

pub async fn absence_add(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<AbsenceForm>,
) -> Result<HttpResponse, AppError> {
    let person = person_of(&user)?;
    let today = state.clock.today();
    let checked = rules::check_absence(&f.start, &f.end, &f.kind, &f.note, today);
    let mut e = FieldErrors::default();
    if let Err(problems) = &checked {
        for (field, key) in problems {
            e.add(field, key);
        }
    }
    let Ok((start, end)) = checked else {
        let list = state
            .db
            .read(move |c| standing::absences_of(c, person, today))
            .await?;
        return Ok(html_invalid(absences_page(&ctx, &list, &f, &e, None)));
    };
    let now = state.clock.now();
    let uid = Some(user.user_id);
    let (kind, note) = (f.kind.clone(), f.note.trim().to_string());
    let outcome = state
        .db
        .write(move |c| {
            match standing::declare_absence(c, person, start, end, &kind, &note, uid, now)? {
                Ok(_) => Ok(None),
                Err(other) => Ok(Some((other, standing::absences_of(c, person, today)?))),
            }
        })
        .await?;
    match outcome {
        None => Ok(see_other("/absences", Some("flash.absence_saved"))),
        Some((other, list)) => {
            e.add("start", "absence.err_overlap");
            Ok(html_invalid(absences_page(
                &ctx,
                &list,
                &f,
                &e,
                Some(other),
            )))
        }
    }
}

pub async fn absence_delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    f.confirmed()?;
    let person = person_of(&user)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let uid = Some(user.user_id);
    state
        .db
        .write(move |c| standing::withdraw_absence(c, person, id, uid, now))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(see_other("/absences", Some("flash.absence_deleted")))
}
