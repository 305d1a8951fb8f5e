//! Persons: list with search and filters, show, create, edit, CSV export.

use super::forms::{ListQuery, PersonForm};
use super::rules::{self, Status};
use super::store::{self, PersonFilter};
use super::views;
use crate::audit::{self, Actor, Entry};
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{FieldErrors, Form};
use crate::ui::{html_invalid, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::Markup;
use serde_json::json;

pub const PER_PAGE: i64 = 50;

fn filter_of(q: &ListQuery) -> PersonFilter {
    PersonFilter {
        q: q.q.clone().unwrap_or_default(),
        unit_id: q.unit.as_deref().and_then(|u| u.parse().ok()),
        status: q.status.as_deref().and_then(Status::parse),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<ListQuery>,
) -> Result<Markup, AppError> {
    let filter = filter_of(&q);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let f2 = filter.clone();
    let (rows, total, units) = state
        .db
        .read(move |c| {
            let (rows, total) = store::search(c, &f2, (page - 1) * PER_PAGE, PER_PAGE)?;
            Ok((rows, total, store::all_units(c)?))
        })
        .await?;
    Ok(views::list(
        &ctx,
        &filter,
        &rows,
        total,
        page,
        &units,
        user.has(Role::Admin),
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (person, history, units, account) = state
        .db
        .read(move |c| {
            let p = store::person(c, id)?.ok_or(AppError::NotFound)?;
            Ok((
                p,
                store::history(c, id)?,
                store::all_units(c)?,
                store::linked_username(c, id)?,
            ))
        })
        .await?;
    Ok(views::show(
        &ctx,
        &person,
        &history,
        &units,
        account.as_deref(),
        user.has(Role::Admin),
    ))
}

pub async fn new_form(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let units = state.db.read(store::all_units).await?;
    let f = PersonForm {
        category: rules::Category::CivilServant.code().into(),
        status: Status::Working.code().into(),
        ..Default::default()
    };
    Ok(views::form(&ctx, None, &f, &units, &FieldErrors::default()))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<Markup, AppError> {
    let id = id.into_inner();
    let (p, units) = state
        .db
        .read(move |c| {
            Ok((
                store::person(c, id)?.ok_or(AppError::NotFound)?,
                store::all_units(c)?,
            ))
        })
        .await?;
    let f = views::form_of(&p);
    Ok(views::form(
        &ctx,
        Some(p.id),
        &f,
        &units,
        &FieldErrors::default(),
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    save(state, ctx, user, None, f).await
}

pub async fn update(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    save(state, ctx, user, Some(id.into_inner()), f).await
}

async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: Option<i32>,
    f: PersonForm,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now_naive();
    let today = state.clock.today();
    let actor = Actor::user(user.user_id, &user.username);
    let outcome = state
        .db
        .write(move |c| {
            if let Some(id) = id {
                crate::db::hold_record(c, &format!("person:{id}"))?;
            }
            let units = store::all_units(c)?;
            let before = match id {
                Some(id) => Some(store::person(c, id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
            if let Some(b) = &before {
                let now_shown = views::form_of(b);
                let sending = crate::ui::seen::of(&f);
                if crate::ui::seen::refuses(f.seen.as_deref(), now_shown.seen.as_deref(), &sending)
                {
                    return Ok(Err((units, now_shown, FieldErrors::changed_elsewhere())));
                }
            }
            let checked = rules::validate(&f.raw(), today, |u| {
                u.parse::<i32>()
                    .ok()
                    .filter(|id| units.iter().any(|x| x.id == *id))
            });
            let mut errors = FieldErrors::default();
            match checked {
                Ok(d) => {
                    let clash = store::person_by_code(c, &d.employee_code)?;
                    if clash.is_some_and(|p| Some(p.id) != id) {
                        errors.add("employee_code", "people.err_code_taken");
                    }
                    let was = before.as_ref().map(|b| (b.status.as_str(), b.status_date));
                    let books = match &before {
                        Some(b) => store::books_of(c, &[b.id])?
                            .remove(&b.id)
                            .unwrap_or_default(),
                        None => rules::Books::default(),
                    };
                    for (field, key) in rules::status_change_problems(was, &d, books, today) {
                        errors.add(field, key);
                    }
                    if !errors.is_empty() {
                        return Ok(Err((units, f.clone(), errors)));
                    }
                    let pid = match &before {
                        Some(b) => {
                            store::update_person(c, &actor, now, b, &d)?;
                            b.id
                        }
                        None => store::create_person(c, &actor, now, &d)?,
                    };
                    Ok(Ok(pid))
                }
                Err(problems) => {
                    for (field, key) in problems {
                        errors.add(if field == "unit" { "unit_id" } else { field }, key);
                    }
                    Ok(Err((units, f.clone(), errors)))
                }
            }
        })
        .await?;
    match outcome {
        Ok(pid) => Ok(see_other(&format!("/people/{pid}"), Some("flash.saved"))),
        Err((units, f, errors)) => Ok(html_invalid(views::form(&ctx, id, &f, &units, &errors))),
    }
}

/// The filtered list as CSV (UTF-8 with BOM, so Excel shows Vietnamese).
/// The people list as CSV (the filters of the page). Personal data leaving the system: the
/// export is audited (who, how many rows, which filter).
pub async fn export_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = filter_of(&q);
    let f = filter.clone();
    let (rows, _) = state
        .db
        .read(move |c| store::search(c, &f, 0, 100_000))
        .await?;
    let header = views::export_header(&ctx);
    let body = crate::ui::export::csv(&crate::ui::export::Table {
        title: String::new(),
        summary: Vec::new(),
        header: &header,
        rows: rows.iter().map(|r| views::export_row(&ctx, r)).collect(),
        numbers_from: usize::MAX,
        widths: &[],
        money: &[],
    })?;
    let (actor, now, n) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        rows.len(),
    );
    let what = json!({"rows": n, "q": filter.q, "unit_id": filter.unit_id, "status": filter.status.map(|s| s.code())});
    state
        .db
        .write(move |c| {
            audit::record(
                c,
                &actor,
                now,
                Entry::new("person.export", "person").after(what.clone()),
            )
        })
        .await?;
    Ok(crate::ui::export::attachment(
        crate::ui::export::CSV,
        "nhan-su.csv",
        body,
    ))
}
