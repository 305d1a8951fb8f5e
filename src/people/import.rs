//! Staff import: upload → preview (every row's problems, nothing written) → commit (valid rows
//! only, keyed by employee code, so re-importing the same file changes nothing).

use super::import_file::{read_any, FileError, FileRow};
use super::rules::{self, PersonData, Problems};
use super::store::{self, Person, Unit};
use super::unit_finder;
use crate::audit::{self, Actor, Entry};
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::forms::{post_form, Form, CSRF_FIELD};
use crate::ui::{html_invalid, html_ok, layout, Ctx, CurrentUser};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

pub enum Outcome {
    New(PersonData),
    Update(i32, PersonData),
    Unchanged,
    Invalid(Problems),
}

/// Decides what each row would do, given the units and the persons already stored.
pub fn plan(
    rows: &[FileRow],
    units: &[Unit],
    existing: &[Person],
    books: &HashMap<i32, rules::Books>,
    today: NaiveDate,
) -> Vec<Outcome> {
    let find = unit_finder(units);
    let mut seen: Vec<String> = Vec::new();
    rows.iter()
        .map(|r| {
            let code = r.raw.employee_code.trim().to_uppercase();
            if !code.is_empty() && seen.contains(&code) {
                return Outcome::Invalid(vec![("employee_code", "imp.err_duplicate_in_file")]);
            }
            seen.push(code.clone());
            let known = existing.iter().find(|p| p.employee_code == code);
            let raw = match known {
                Some(p) => keep_absent_columns(r, p, units),
                None => r.raw.clone(),
            };
            match rules::validate(&raw, today, &find) {
                Err(p) => Outcome::Invalid(p),
                Ok(d) => {
                    let was = known.map(|p| (p.status.as_str(), p.status_date));
                    let b = known
                        .and_then(|p| books.get(&p.id).copied())
                        .unwrap_or_default();
                    let problems = rules::status_change_problems(was, &d, b, today);
                    if !problems.is_empty() {
                        return Outcome::Invalid(problems);
                    }
                    match existing.iter().find(|p| p.employee_code == d.employee_code) {
                        None => Outcome::New(d),
                        Some(p) if p.same_as(&d) => Outcome::Unchanged,
                        Some(p) => Outcome::Update(p.id, d),
                    }
                }
            }
        })
        .collect()
}

/// A row for an existing person with every column the file lacks filled from the person as
/// stored, so that an absent column never changes (clears or resets) that field.
fn keep_absent_columns(r: &FileRow, p: &Person, units: &[Unit]) -> rules::RawPerson {
    use super::import_file::Col;
    let mut raw = r.raw.clone();
    let date = |d: Option<NaiveDate>| d.map(crate::ui::format::date).unwrap_or_default();
    if !r.has(Col::Unit) {
        raw.unit = p
            .unit_id
            .and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.code.clone())
            .unwrap_or_default();
    }
    if !r.has(Col::Category) {
        raw.category = p.category.clone();
    }
    if !r.has(Col::Gender) {
        raw.gender = p.gender.clone().unwrap_or_default();
    }
    if !r.has(Col::Dob) {
        raw.date_of_birth = date(p.date_of_birth);
    }
    if !r.has(Col::Status) {
        raw.status = p.status.clone();
    }
    if !r.has(Col::StatusDate) {
        raw.status_date = date(p.status_date);
    }
    if !r.has(Col::Phone) {
        raw.phone = p.phone.clone().unwrap_or_default();
    }
    if !r.has(Col::Email) {
        raw.email = p.email.clone().unwrap_or_default();
    }
    raw
}

/// The fields an update changes, as (field, before, after), for the preview.
fn changed_fields(
    p: &Person,
    d: &PersonData,
    units: &[Unit],
) -> Vec<(&'static str, String, String)> {
    let unit = |id: Option<i32>| {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let date = |d: Option<NaiveDate>| d.map(crate::ui::format::date).unwrap_or_default();
    let mut out = Vec::new();
    let mut diff = |field: &'static str, a: String, b: String| {
        if a != b {
            out.push((field, a, b));
        }
    };
    diff("full_name", p.full_name.clone(), d.full_name.clone());
    diff("unit", unit(p.unit_id), unit(d.unit_id));
    diff(
        "category",
        p.category.clone(),
        d.category.code().to_string(),
    );
    diff(
        "gender",
        p.gender.clone().unwrap_or_default(),
        d.gender.map(|g| g.code().to_string()).unwrap_or_default(),
    );
    diff(
        "date_of_birth",
        date(p.date_of_birth),
        date(d.date_of_birth),
    );
    diff("status", p.status.clone(), d.status.code().to_string());
    diff("status_date", date(p.status_date), date(d.status_date));
    diff(
        "phone",
        p.phone.clone().unwrap_or_default(),
        d.phone.clone().unwrap_or_default(),
    );
    diff(
        "email",
        p.email.clone().unwrap_or_default(),
        d.email.clone().unwrap_or_default(),
    );
    out
}

/// What each row would do against the database as it is now (nothing is written).
pub fn preview(
    conn: &mut DbConn,
    rows: &[FileRow],
    today: NaiveDate,
) -> Result<Vec<Outcome>, AppError> {
    let (units, existing, books) = load_context(conn, rows)?;
    Ok(plan(rows, &units, &existing, &books, today))
}

/// The units, the persons the file names, and where each of them stands against the books.
type Context = (Vec<Unit>, Vec<Person>, HashMap<i32, rules::Books>);

fn load_context(conn: &mut DbConn, rows: &[FileRow]) -> Result<Context, AppError> {
    let units = store::all_units(conn)?;
    let codes: Vec<String> = rows
        .iter()
        .map(|r| r.raw.employee_code.trim().to_uppercase())
        .collect();
    let persons = store::persons_by_codes(conn, &codes)?;
    let ids: Vec<i32> = persons.iter().map(|p| p.id).collect();
    let books = store::books_of(conn, &ids)?;
    Ok((units, persons, books))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn form(ctx: Ctx, q: web::Query<DoneQuery>) -> Markup {
    let counts: Option<Vec<i64>> = q
        .done
        .as_deref()
        .map(|d| d.split(',').filter_map(|n| n.parse().ok()).collect())
        .filter(|v: &Vec<i64>| v.len() == 4);
    upload_page(&ctx, None, counts.as_deref())
}

fn upload_page(ctx: &Ctx, error: Option<&'static str>, done: Option<&[i64]>) -> Markup {
    layout::page(
        ctx,
        ctx.t("imp.title"),
        html! {
            h1 { (ctx.t("imp.title")) }
            @if let Some([c, u, n, s]) = done {
                div.flash role="status" {
                    (ctx.t("imp.done")) " "
                    (ctx.tf("imp.count_new", c)) ", " (ctx.tf("imp.count_update", u)) ", "
                    (ctx.tf("imp.count_unchanged", n)) ", " (ctx.tf("imp.count_invalid", s))
                }
            }
            @if let Some(k) = error { p.alert role="alert" { (ctx.t(k)) } }
            div.card {
                p { (ctx.t("imp.help")) }
                p.hint { (ctx.t("imp.columns")) }
                form method="post" action="/people/import" enctype="multipart/form-data" {
                    input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf);
                    div.field {
                        label for="f-file" { (ctx.t("imp.file")) }
                        input #f-file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                    }
                    button type="submit" { (ctx.t("imp.preview")) }
                }
            }
            p { a href="/people" { (ctx.t("common.back")) } }
        },
    )
}

/// Reads the multipart upload (the CSRF field and the file, nothing else).
async fn read_upload(req: &HttpRequest, mp: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let up = crate::ui::upload::read(req, mp, MAX_FILE_BYTES, &[]).await?;
    Ok((up.file_name, up.bytes))
}

pub async fn upload(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    mp: Multipart,
) -> Result<HttpResponse, AppError> {
    let (name, bytes) = match read_upload(&req, mp).await {
        Ok(v) => v,
        Err(AppError::BadRequest(k)) => return Ok(html_invalid(upload_page(&ctx, Some(k), None))),
        Err(e) => return Err(e),
    };
    let table = match web::block(move || read_any(&name, &bytes))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    {
        Ok(table) => table,
        Err(FileError::Unreadable(k) | FileError::MissingColumn(k)) => {
            return Ok(html_invalid(upload_page(&ctx, Some(k), None)))
        }
    };
    let (rows, unknown) = (table.rows, table.unknown);
    let today = state.clock.today();
    let rows2 = rows.clone();
    let (units, existing, books) = state.db.read(move |c| load_context(c, &rows2)).await?;
    let outcomes = plan(&rows, &units, &existing, &books, today);
    let changes: Vec<Vec<(&'static str, String, String)>> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Update(id, d) => existing
                .iter()
                .find(|p| p.id == *id)
                .map(|p| changed_fields(p, d, &units))
                .unwrap_or_default(),
            _ => Vec::new(),
        })
        .collect();
    Ok(html_ok(preview_page(
        &ctx, &rows, &outcomes, &changes, &unknown,
    )))
}

type Changes = [Vec<(&'static str, String, String)>];

fn preview_page(
    ctx: &Ctx,
    rows: &[FileRow],
    outcomes: &[Outcome],
    changes: &Changes,
    unknown: &[String],
) -> Markup {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let (n_new, n_upd, n_same, n_bad) = (
        count(|o| matches!(o, Outcome::New(_))),
        count(|o| matches!(o, Outcome::Update(..))),
        count(|o| matches!(o, Outcome::Unchanged)),
        count(|o| matches!(o, Outcome::Invalid(_))),
    );
    let payload = serde_json::to_string(rows).unwrap_or_default();
    layout::page(
        ctx,
        ctx.t("imp.preview_title"),
        html! {
            h1 { (ctx.t("imp.preview_title")) }
            p.hint { (ctx.t("imp.nothing_written_yet")) }
            p {
                (ctx.tf("imp.count_new", n_new)) ", " (ctx.tf("imp.count_update", n_upd)) ", "
                (ctx.tf("imp.count_unchanged", n_same)) ", " (ctx.tf("imp.count_invalid", n_bad))
            }
            @if n_bad > 0 { p.alert { (ctx.t("imp.invalid_skipped")) } }
            @if !unknown.is_empty() {
                p.notice role="status" { (ctx.tf("imp.unknown_columns", unknown.join(", "))) }
            }
            table {
                thead { tr { th.num { (ctx.t("imp.line")) } th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("imp.result")) } } }
                tbody {
                    @for ((r, o), ch) in rows.iter().zip(outcomes).zip(changes) {
                        tr.bad[matches!(o, Outcome::Invalid(_))] {
                            td.num { (r.line) }
                            td { (r.raw.employee_code) }
                            td { (r.raw.full_name) }
                            td {
                                @match o {
                                    Outcome::New(_) => { (ctx.t("imp.will_create")) }
                                    Outcome::Update(..) => {
                                        (ctx.t("imp.will_update"))
                                        ul.changes {
                                            @for (field, before, after) in ch {
                                                li { (field_label(ctx, field)) ": " del { (value_label(ctx, field, before)) } " → " ins { (value_label(ctx, field, after)) } }
                                            }
                                        }
                                    }
                                    Outcome::Unchanged => { (ctx.t("imp.unchanged")) }
                                    Outcome::Invalid(ps) => {
                                        ul { @for (field, key) in ps { li { (field_label(ctx, field)) ": " (ctx.t(key)) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if n_new + n_upd > 0 {
                div.card {
                    (post_form(ctx, "/people/import/commit", html! {
                        input type="hidden" name="rows" value=(payload);
                        button type="submit" { (ctx.tf("imp.commit", n_new + n_upd)) }
                    }))
                }
            } @else {
                p { (ctx.t("imp.nothing_to_do")) }
            }
            p { a href="/people/import" { (ctx.t("imp.another")) } }
        },
    )
}

fn field_label(ctx: &Ctx, field: &str) -> &'static str {
    ctx.t(match field {
        "employee_code" => "people.code",
        "full_name" => "people.name",
        "unit" => "people.unit",
        "category" => "people.category",
        "gender" => "people.gender",
        "date_of_birth" => "people.dob",
        "status" => "people.status",
        "status_date" => "people.status_date",
        "phone" => "people.phone",
        _ => "people.email",
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitForm {
    rows: String,
}

/// New, updated, unchanged, not imported.
pub type Counts = [i64; 4];
/// A row not imported, with its problems.
pub type Rejected = (FileRow, Problems);

/// Applies the valid rows in one transaction, re-checked against the database as it is now.
pub fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
    rows: &[FileRow],
) -> Result<(Counts, Vec<Rejected>), AppError> {
    let (units, existing, books) = load_context(conn, rows)?;
    let outcomes = plan(rows, &units, &existing, &books, today);
    let mut n = [0i64; 4];
    let mut rejected = Vec::new();
    for (row, o) in rows.iter().zip(&outcomes) {
        if let Outcome::Invalid(p) = o {
            rejected.push((row.clone(), p.clone()));
        }
        match o {
            Outcome::New(d) => {
                store::create_person(conn, actor, now, d)?;
                n[0] += 1;
            }
            Outcome::Update(id, d) => {
                let before = existing
                    .iter()
                    .find(|p| p.id == *id)
                    .ok_or_else(|| AppError::internal("person vanished during import"))?;
                store::update_person(conn, actor, now, before, d)?;
                n[1] += 1;
            }
            Outcome::Unchanged => n[2] += 1,
            Outcome::Invalid(_) => n[3] += 1,
        }
    }
    if n[0] + n[1] > 0 {
        let lines: Vec<usize> = rows
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Invalid(_)))
            .map(|(r, _)| r.line)
            .collect();
        audit::record(
            conn,
            actor,
            now,
            Entry::new("import.people", "person").after(json!({
                "created": n[0], "updated": n[1], "unchanged": n[2], "skipped": n[3], "skipped_lines": lines,
            })),
        )?;
    }
    Ok((n, rejected))
}

/// Writes the previewed rows and shows what happened: the counts, and the rows that were not
/// imported with their reasons (they stay listed, and download as a file to correct and
/// import again).
pub async fn commit(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<CommitForm>,
) -> Result<HttpResponse, AppError> {
    let rows: Vec<FileRow> =
        serde_json::from_str(&f.rows).map_err(|_| AppError::BadRequest("err.bad_form"))?;
    if rows.is_empty() || rows.len() > 50_000 {
        return Err(AppError::BadRequest("imp.err_empty"));
    }
    let actor = Actor::user(user.user_id, &user.username);
    let (now, today) = (state.clock.now_naive(), state.clock.today());
    let (n, rejected) = state
        .db
        .write(move |c| apply(c, &actor, now, today, &rows))
        .await?;
    Ok(html_ok(result_page(&ctx, &n, &rejected)))
}

fn result_page(ctx: &Ctx, n: &Counts, rejected: &[Rejected]) -> Markup {
    // The rows with their reasons (a reason such as "the same code earlier in the file" cannot
    // be found again from the row alone).
    let payload = serde_json::to_string(rejected).unwrap_or_default();
    layout::page(
        ctx,
        ctx.t("imp.title"),
        html! {
            h1 { (ctx.t("imp.title")) }
            div.flash role="status" {
                (ctx.t("imp.done")) " "
                (ctx.tf("imp.count_new", n[0])) ", " (ctx.tf("imp.count_update", n[1])) ", "
                (ctx.tf("imp.count_unchanged", n[2])) ", " (ctx.tf("imp.count_invalid", n[3]))
            }
            @if !rejected.is_empty() {
                h2 { (ctx.t("imp.rejected_title")) }
                p { (ctx.t("imp.rejected_help")) }
                table.rejected {
                    thead { tr { th.num { (ctx.t("imp.line")) } th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("imp.result")) } } }
                    tbody { @for (r, ps) in rejected { tr.bad {
                        td.num { (r.line) } td { (r.raw.employee_code) } td { (r.raw.full_name) }
                        td { ul { @for (field, key) in ps { li { (field_label(ctx, field)) ": " (ctx.t(key)) } } } }
                    } } }
                }
                (post_form(ctx, "/people/import/rejected.csv", html! {
                    input type="hidden" name="rows" value=(payload);
                    button.secondary type="submit" { (ctx.t("imp.rejected_download")) }
                }))
            }
            p { a href="/people" { (ctx.t("nav.people")) } " · " a href="/people/import" { (ctx.t("imp.another")) } }
        },
    )
}

/// The rows an import did not take, as a CSV with the columns the file had and the reason in
/// the last one: correct it and import it again (the reason column is ignored then; a column
/// the file did not have is not added, so importing this file never blanks other data).
pub async fn rejected_csv(ctx: Ctx, Form(f): Form<CommitForm>) -> Result<HttpResponse, AppError> {
    let rows: Vec<(FileRow, Vec<(String, String)>)> =
        serde_json::from_str(&f.rows).map_err(|_| AppError::BadRequest("err.bad_form"))?;
    if rows.is_empty() || rows.len() > 50_000 {
        return Err(AppError::BadRequest("imp.err_empty"));
    }
    use super::import_file::Col;
    let all = [
        Col::Code,
        Col::Name,
        Col::Unit,
        Col::Category,
        Col::Gender,
        Col::Dob,
        Col::Status,
        Col::StatusDate,
        Col::Phone,
        Col::Email,
    ];
    let present = rows.iter().fold(0u16, |m, r| m | r.0.present);
    let cols: Vec<Col> = all
        .into_iter()
        .filter(|c| present & c.bit() != 0 || matches!(c, Col::Code | Col::Name))
        .collect();
    let mut header: Vec<&str> = cols.iter().map(|c| ctx.t(c.label_key())).collect();
    header.push(ctx.t("imp.reason_column"));
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|(r, ps)| {
            let p = &r.raw;
            let mut line: Vec<String> = cols
                .iter()
                .map(|c| {
                    match c {
                        Col::Code => &p.employee_code,
                        Col::Name => &p.full_name,
                        Col::Unit => &p.unit,
                        Col::Category => &p.category,
                        Col::Gender => &p.gender,
                        Col::Dob => &p.date_of_birth,
                        Col::Status => &p.status,
                        Col::StatusDate => &p.status_date,
                        Col::Phone => &p.phone,
                        Col::Email => &p.email,
                    }
                    .clone()
                })
                .collect();
            line.push(
                ps.iter()
                    .map(|(f, k)| {
                        format!(
                            "{}: {}",
                            field_label(&ctx, f),
                            ctx.lookup(k).unwrap_or(k.as_str())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            line
        })
        .collect();
    let body = crate::ui::export::csv(&crate::ui::export::Table {
        title: String::new(),
        summary: Vec::new(),
        header: &header,
        rows: lines,
        numbers_from: usize::MAX,
        widths: &[],
        money: &[],
    })?;
    Ok(crate::ui::export::attachment(
        crate::ui::export::CSV,
        "dong-chua-nhap.csv",
        body,
    ))
}

/// A stored code (status, category, gender) as the page names it; other values as they are.
fn value_label<'a>(ctx: &Ctx, field: &str, v: &'a str) -> std::borrow::Cow<'a, str> {
    use super::rules::{Category, Gender, Status};
    let key = match field {
        "status" => Status::parse(v).map(|x| x.label_key()),
        "category" => Category::parse(v).map(|x| x.label_key()),
        "gender" => Gender::parse(v).map(|x| x.label_key()),
        _ => None,
    };
    match key {
        Some(k) => ctx.t(k).into(),
        None => v.into(),
    }
}
