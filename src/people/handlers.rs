//! Persons: list with search and filters, show, create, edit, CSV export.

use super::forms::{ListQuery, PersonForm};
use super::rules::{self, Status};
use super::store::{self, PersonFilter};
use super::views;
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{FieldErrors, Form};
use crate::ui::{html_invalid, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use maud::Markup;

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
            let units = store::all_units(c)?;
            let before = match id {
                Some(id) => Some(store::person(c, id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
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
pub async fn export_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = filter_of(&q);
    let (rows, _) = state
        .db
        .read(move |c| store::search(c, &filter, 0, 100_000))
        .await?;
    let mut w = csv::WriterBuilder::new().from_writer(Vec::from("\u{feff}".as_bytes()));
    let header = [
        ctx.t("people.code"),
        ctx.t("people.name"),
        ctx.t("people.unit"),
        ctx.t("people.category"),
        ctx.t("people.gender"),
        ctx.t("people.dob"),
        ctx.t("people.status"),
        ctx.t("people.status_date"),
        ctx.t("people.phone"),
        ctx.t("people.email"),
    ];
    w.write_record(header)
        .map_err(|e| AppError::internal(e.to_string()))?;
    for r in &rows {
        let p = &r.person;
        let record = [
            p.employee_code.clone(),
            p.full_name.clone(),
            r.unit_name.clone().unwrap_or_default(),
            views::category_label(&ctx, &p.category).to_string(),
            p.gender
                .as_deref()
                .map(|g| views::gender_label(&ctx, g))
                .unwrap_or("")
                .to_string(),
            crate::ui::format::opt_date(p.date_of_birth),
            views::status_label(&ctx, &p.status).to_string(),
            crate::ui::format::opt_date(p.status_date),
            p.phone.clone().unwrap_or_default(),
            p.email.clone().unwrap_or_default(),
        ];
        w.write_record(record.iter().map(|v| crate::ui::format::csv_safe(v)))
            .map_err(|e| AppError::internal(e.to_string()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"nhan-su.csv\"",
        ))
        .body(body))
}
