//! Importing an organisation's members from a CSV or XLSX file, like the staff import: the file
//! is read (code, role, joined on, member since, card number, how dues are collected; a name
//! column, if any, must match the code), every row is checked with the same rules as joining
//! one by one, the preview lists each row with its problems, and only the valid rows are
//! joined — checked again when committed, in one transaction.

use super::rules::{Collect, MemberRole};
use super::store::{self, NewMembership};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::persons;
use crate::db::DbConn;
use crate::error::AppError;
use crate::people::import_file::{any_cells, FileError};
use crate::state::AppState;
use crate::ui::format::{date, fold_search, historical_date, opt_date};
use crate::ui::forms::{post_form, Form, CSRF_FIELD};
use crate::ui::i18n::Lang;
use crate::ui::{html_invalid, html_ok, layout, Ctx, CurrentUser};
use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A member file may hold as many rows as a staff file.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// One row as read from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMember {
    pub line: usize,
    pub code: String,
    pub name: String,
    pub role: String,
    pub joined_on: String,
    pub member_since: String,
    pub card: String,
    pub collect_by: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Code,
    Name,
    Role,
    Joined,
    Since,
    Card,
    Collect,
}

const HEADERS: &[(Col, &[&str])] = &[
    (
        Col::Code,
        &[
            "ma nv",
            "ma nhan vien",
            "ma can bo",
            "ma so",
            "ma",
            "employee code",
            "code",
        ],
    ),
    (
        Col::Name,
        &["ho ten", "ho va ten", "ten", "full name", "name"],
    ),
    (Col::Role, &["vai tro", "chuc vu", "chuc danh", "role"]),
    (
        Col::Joined,
        &[
            "ngay ket nap",
            "ngay vao",
            "ngay tham gia",
            "ngay gia nhap",
            "tham gia tu",
            "joined",
            "joined on",
        ],
    ),
    (
        Col::Since,
        &[
            "la thanh vien tu",
            "doan vien tu",
            "dang vien tu",
            "hoi vien tu",
            "member since",
        ],
    ),
    (Col::Card, &["so the", "the", "card", "card number"]),
    (
        Col::Collect,
        &[
            "hinh thuc thu",
            "cach thu",
            "cach thu phi",
            "thu phi",
            "collect",
            "collect by",
        ],
    ),
];

fn column_of(header: &str) -> Option<Col> {
    let h = fold_search(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(c, _)| *c)
}

/// The rows of a member file (header first); an i18n key when it cannot be used.
pub fn read_rows(table: Vec<Vec<String>>) -> Result<Vec<RawMember>, &'static str> {
    let mut it = table.into_iter();
    let header = it.next().ok_or("imp.err_empty")?;
    let cols: Vec<Option<Col>> = header.iter().map(|h| column_of(h)).collect();
    if !cols.contains(&Some(Col::Code)) {
        return Err("imp.err_no_code_column");
    }
    if !cols.contains(&Some(Col::Joined)) {
        return Err("wf.imp_err_no_joined_column");
    }
    let mut out = Vec::new();
    for (i, row) in it.enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut r = RawMember {
            line: i + 2,
            ..RawMember::default()
        };
        for (j, v) in row.into_iter().enumerate() {
            let v = crate::people::import_file::unneutralised(v.trim()).to_string();
            match cols.get(j).copied().flatten() {
                Some(Col::Code) => r.code = v.to_uppercase(),
                Some(Col::Name) => r.name = v,
                Some(Col::Role) => r.role = v,
                Some(Col::Joined) => r.joined_on = v,
                Some(Col::Since) => r.member_since = v,
                Some(Col::Card) => r.card = v,
                Some(Col::Collect) => r.collect_by = v,
                None => {}
            }
        }
        out.push(r);
    }
    if out.is_empty() {
        return Err("imp.err_empty");
    }
    Ok(out)
}

/// A code, or a label in either language (accents and case aside).
fn parse_label<T: Copy>(
    s: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Option<T> {
    let f = fold_search(s);
    all.iter().copied().find(|v| {
        f == code(*v)
            || f == fold_search(Lang::Vi.t(key(*v)))
            || f == fold_search(Lang::En.t(key(*v)))
    })
}

/// A row checked: the membership to make, or its problems (i18n keys).
pub type Checked = Result<NewMembership, Vec<&'static str>>;

/// Checks every row with the rules of joining one by one, and that no person is in the file
/// twice. Reads only.
pub fn check(
    conn: &mut DbConn,
    org: i32,
    rows: &[RawMember],
    today: NaiveDate,
) -> Result<Vec<(Checked, String)>, AppError> {
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let people: Vec<(i32, String, String, String)> = persons::table
        .filter(persons::employee_code.eq_any(&codes))
        .select((
            persons::id,
            persons::employee_code,
            persons::full_name,
            persons::status,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let mut p: Vec<&'static str> = Vec::new();
        let person = people.iter().find(|x| x.1 == r.code);
        let name = person.map(|x| x.2.clone()).unwrap_or_default();
        match person {
            None if r.code.trim().is_empty() => p.push("wf.imp_err_no_code"),
            None => p.push("wf.err_person"),
            Some((_, _, n, status)) => {
                if !r.name.trim().is_empty() && fold_search(&r.name) != fold_search(n) {
                    p.push("wf.imp_err_name");
                }
                if status == "left" || status == "deceased" {
                    p.push("wf.imp_err_gone");
                }
            }
        }
        if rows[..i].iter().any(|o| o.code == r.code) {
            p.push("wf.imp_err_twice");
        }
        let role = match r.role.trim() {
            "" => Some(MemberRole::Member),
            s => parse_label(s, MemberRole::ALL, MemberRole::code, MemberRole::label_key),
        };
        if role.is_none() {
            p.push("wf.imp_err_role");
        }
        let joined = historical_date(r.joined_on.trim(), today);
        if joined.is_none() {
            p.push("wf.err_past_date");
        }
        let since = match r.member_since.trim() {
            "" => Some(None),
            s => historical_date(s, today).map(Some),
        };
        if since.is_none() {
            p.push("wf.imp_err_since");
        }
        let card = crate::ui::forms::bounded_text(&r.card, 50);
        if card.is_none() {
            p.push("wf.imp_err_card");
        }
        let retired = person.is_some_and(|x| x.3 == "retired");
        let collect = match r.collect_by.trim() {
            "" if retired => Some(Collect::Cash),
            "" => Some(Collect::Payroll),
            s => parse_label(s, Collect::ALL, Collect::code, Collect::label_key),
        };
        if collect.is_none() {
            p.push("wf.imp_err_collect");
        }
        let checked = match (person, role, joined, since, card, collect) {
            (
                Some(person),
                Some(role),
                Some(joined_on),
                Some(member_since),
                Some(card_number),
                Some(collect_by),
            ) if p.is_empty() => {
                let n = NewMembership {
                    person_id: person.0,
                    organisation_id: org,
                    role,
                    joined_on,
                    member_since,
                    card_number,
                    collect_by,
                };
                match store::check_join(conn, &n) {
                    Ok(_) => Ok(n),
                    Err(AppError::BadRequest(k)) => Err(vec![k]),
                    Err(e) => return Err(e),
                }
            }
            _ => Err(p),
        };
        out.push((checked, name));
    }
    Ok(out)
}

/// Store command: joins the valid rows, checked again now, in one transaction; refused as a
/// whole if a row that was valid no longer is. Returns (joined, skipped).
pub fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    org: i32,
    rows: &[RawMember],
) -> Result<(usize, usize), AppError> {
    let today = crate::clock::business_date_of(now);
    let checked = check(conn, org, rows, today)?;
    let mut joined = 0;
    for (c, _) in &checked {
        if let Ok(n) = c {
            store::join(conn, actor, now, n)?;
            joined += 1;
        }
    }
    let skipped = checked.len() - joined;
    if joined > 0 {
        audit::record(
            conn,
            actor,
            now,
            Entry::new("import.members", "organisation")
                .id(org)
                .after(json!({"joined": joined, "skipped": skipped})),
        )?;
    }
    Ok((joined, skipped))
}

fn upload_card(ctx: &Ctx, org: i32, error: Option<&'static str>) -> Markup {
    html! {
        div.card.no-print {
            h2 { (ctx.t("wf.imp_title")) }
            p.hint { (ctx.t("wf.imp_help")) }
            @if let Some(k) = error { p.alert role="alert" { (ctx.t(k)) } }
            form method="post" action={ "/welfare/organisations/" (org) "/import" } enctype="multipart/form-data" {
                input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf);
                div.field {
                    label for="f-members-file" { (ctx.t("imp.file")) }
                    input #f-members-file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                }
                button type="submit" { (ctx.t("imp.preview")) }
            }
        }
    }
}

/// The import card on an organisation's page.
pub fn card(ctx: &Ctx, org: i32) -> Markup {
    upload_card(ctx, org, None)
}

fn preview(
    ctx: &Ctx,
    o: &store::Organisation,
    rows: &[RawMember],
    checked: &[(Checked, String)],
) -> Markup {
    let valid: Vec<&RawMember> = rows
        .iter()
        .zip(checked)
        .filter(|(_, c)| c.0.is_ok())
        .map(|(r, _)| r)
        .collect();
    let payload = serde_json::to_string(&valid).unwrap_or_default();
    let title = format!("{} — {}", ctx.t("wf.imp_title"), o.name);
    layout::page(
        ctx,
        &title,
        html! {
            (layout::title_bar(&title, html! { a href={ "/welfare/organisations/" (o.id) } { (o.name) } }))
            p { (ctx.tf("wf.imp_summary", format!("{} / {}", valid.len(), rows.len()))) }
            table.responsive {
                thead { tr { th { (ctx.t("imp.line")) } th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("wf.role")) } th { (ctx.t("wf.joined")) } th { (ctx.t("wf.member_since_label")) } th { (ctx.t("wf.card")) } th { (ctx.t("wf.collect_by")) } th { (ctx.t("wf.state")) } } }
                tbody { @for (r, (c, name)) in rows.iter().zip(checked) { tr.warn[c.is_err()] {
                    td.num { (r.line) } td { (r.code) } td { (name) @if !r.name.is_empty() && r.name != *name { br; small { (r.name) } } }
                    @match c {
                        Ok(n) => {
                            td { (ctx.t(n.role.label_key())) } td { (date(n.joined_on)) } td { (opt_date(n.member_since)) }
                            td { (n.card_number) } td { (ctx.t(n.collect_by.label_key())) } td { (ctx.t("wf.imp_ok")) }
                        }
                        Err(p) => {
                            td { (r.role) } td { (r.joined_on) } td { (r.member_since) } td { (r.card) } td { (r.collect_by) }
                            td { ul { @for k in p { li { (ctx.t(k)) } } } }
                        }
                    }
                } } }
            }
            @if valid.is_empty() {
                p.alert role="alert" { (ctx.t("wf.imp_nothing")) }
            } @else {
                (post_form(ctx, &format!("/welfare/organisations/{}/import/commit", o.id), html! {
                    input type="hidden" name="rows" value=(payload);
                    button type="submit" { (ctx.tf("wf.imp_commit", valid.len())) }
                }))
            }
            (upload_card(ctx, o.id, None))
        },
    )
}

pub async fn upload(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    id: web::Path<i32>,
    mp: Multipart,
) -> Result<HttpResponse, AppError> {
    let org = id.into_inner();
    let o = state.db.read(move |c| store::organisation(c, org)).await?;
    let refused = |k: &'static str| {
        let title = ctx.t("wf.imp_title").to_string();
        html_invalid(layout::page(
            &ctx,
            &title,
            html! {
                (layout::title_bar(&format!("{} — {}", title, o.name), html! { a href={ "/welfare/organisations/" (o.id) } { (o.name) } }))
                (upload_card(&ctx, o.id, Some(k)))
            },
        ))
    };
    let up = match crate::ui::upload::read(&req, mp, MAX_FILE_BYTES, &[]).await {
        Ok(u) => u,
        Err(AppError::BadRequest(k)) => return Ok(refused(k)),
        Err(e) => return Err(e),
    };
    let name = up.file_name.clone();
    let table = web::block(move || any_cells(&name, &up.bytes))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    let rows = match table.map_err(|e| match e {
        FileError::Unreadable(k) | FileError::MissingColumn(k) => k,
    }) {
        Ok(t) => match read_rows(t) {
            Ok(r) => r,
            Err(k) => return Ok(refused(k)),
        },
        Err(k) => return Ok(refused(k)),
    };
    let today = state.clock.today();
    let r2 = rows.clone();
    let checked = state.db.read(move |c| check(c, org, &r2, today)).await?;
    Ok(html_ok(preview(&ctx, &o, &rows, &checked)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitForm {
    rows: String,
}

pub async fn commit(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<CommitForm>,
) -> Result<HttpResponse, AppError> {
    let org = id.into_inner();
    let rows: Vec<RawMember> =
        serde_json::from_str(&f.rows).map_err(|_| AppError::BadRequest("err.bad_form"))?;
    if rows.is_empty() || rows.len() > crate::people::import_file::MAX_ROWS {
        return Err(AppError::BadRequest("err.bad_form"));
    }
    let (a, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    let (joined, _) = state
        .db
        .write(move |c| apply(c, &a, now, org, &rows))
        .await?;
    if joined == 0 {
        // Every row was joined meanwhile (a second click) or is no longer valid.
        return Err(AppError::BadRequest("wf.imp_nothing"));
    }
    Ok(crate::auth::middleware::see_other(
        &format!("/welfare/organisations/{org}"),
        Some("flash.saved"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_file_is_read_by_its_vietnamese_headers_in_any_order() {
        let t = vec![
            vec![
                "Ngày kết nạp".into(),
                "Mã cán bộ".into(),
                "Vai trò".into(),
                "Ghi chú".into(),
            ],
            vec![
                "01/01/2021".into(),
                "nv001".into(),
                "Tổ trưởng".into(),
                "x".into(),
            ],
            vec![String::new(), String::new(), String::new(), String::new()],
            vec![
                "02/02/2022".into(),
                "NV002".into(),
                String::new(),
                String::new(),
            ],
        ];
        let rows = read_rows(t).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].code, "NV001");
        assert_eq!(rows[0].role, "Tổ trưởng");
        assert_eq!(rows[1].line, 4);
        assert_eq!(
            parse_label(
                "to truong",
                MemberRole::ALL,
                MemberRole::code,
                MemberRole::label_key
            ),
            Some(MemberRole::GroupLeader)
        );
        assert_eq!(
            read_rows(vec![vec!["Mã".into()], vec!["NV1".into()]]),
            Err("wf.imp_err_no_joined_column")
        );
    }
}
