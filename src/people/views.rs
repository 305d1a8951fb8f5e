use super::forms::PersonForm;
use super::rules::{Category, Gender, Status};
use super::store::{HistoryRow, Person, PersonFilter, PersonRow, Unit};
use super::unit_options;
use crate::clock::local_datetime;
use crate::ui::format::{date, opt_date};
use crate::ui::forms::{pager, post_form, q, select, FieldErrors, Input};
use crate::ui::{layout, Ctx};
use maud::{html, Markup};

pub fn category_label(ctx: &Ctx, code: &str) -> &'static str {
    Category::parse(code)
        .map(|c| ctx.t(c.label_key()))
        .unwrap_or("")
}
pub fn status_label(ctx: &Ctx, code: &str) -> &'static str {
    Status::parse(code)
        .map(|c| ctx.t(c.label_key()))
        .unwrap_or("")
}
pub fn gender_label(ctx: &Ctx, code: &str) -> &'static str {
    Gender::parse(code)
        .map(|c| ctx.t(c.label_key()))
        .unwrap_or("")
}

fn query_string(f: &PersonFilter, page: i64) -> String {
    let mut s = format!("?page={page}");
    if !f.q.is_empty() {
        s.push_str(&format!("&q={}", q(&f.q)));
    }
    if let Some(u) = f.unit_id {
        s.push_str(&format!("&unit={u}"));
    }
    if let Some(st) = f.status {
        s.push_str(&format!("&status={}", st.code()));
    }
    s
}

pub fn list(
    ctx: &Ctx,
    f: &PersonFilter,
    rows: &[PersonRow],
    total: i64,
    page: i64,
    units: &[Unit],
    can_edit: bool,
) -> Markup {
    let statuses: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("people.all_statuses").to_string()))
            .chain(
                Status::ALL
                    .iter()
                    .map(|s| (s.code().to_string(), ctx.t(s.label_key()).to_string())),
            )
            .collect();
    let none = FieldErrors::default();
    let export = format!("/people/export.csv{}", query_string(f, 1));
    layout::page(
        ctx,
        ctx.t("people.title"),
        html! {
            (layout::title_bar(ctx.t("people.title"), html! {
                @if can_edit {
                    a.button href="/people/new" { (ctx.t("people.add")) }
                    a.button.secondary href="/people/import" { (ctx.t("imp.title")) }
                }
                a.button.secondary href=(export) { (ctx.t("common.export_csv")) }
            }))
            form.filters method="get" action="/people" role="search" {
                (Input::text("q", ctx.t("people.search"), &f.q).kind("search").hint(ctx.t("people.search_hint")).render(ctx, &none))
                (select(ctx, &none, "unit", ctx.t("people.unit"), &unit_options(units, ctx.t("people.all_units")), &f.unit_id.map(|u| u.to_string()).unwrap_or_default()))
                (select(ctx, &none, "status", ctx.t("people.status"), &statuses, f.status.map(|s| s.code()).unwrap_or("")))
                button type="submit" { (ctx.t("common.filter")) }
            }
            @if rows.is_empty() {
                p { (ctx.t("people.none_found")) }
            } @else {
                table.responsive {
                    thead { tr {
                        th { (ctx.t("people.code")) } th { (ctx.t("people.name")) } th { (ctx.t("people.unit")) }
                        th { (ctx.t("people.category")) } th { (ctx.t("people.status")) }
                    } }
                    tbody {
                        @for r in rows {
                            tr {
                                td { (r.person.employee_code) }
                                td { a href=(format!("/people/{}", r.person.id)) { (r.person.full_name) } }
                                td { (r.unit_name.as_deref().unwrap_or("")) }
                                td { (category_label(ctx, &r.person.category)) }
                                td { (status_label(ctx, &r.person.status)) }
                            }
                        }
                    }
                }
            }
            (pager(ctx, page, super::handlers::PER_PAGE, total, |p| format!("/people{}", query_string(f, p))))
        },
    )
}

pub fn show(
    ctx: &Ctx,
    p: &Person,
    history: &[HistoryRow],
    units: &[Unit],
    account: Option<&str>,
    can_edit: bool,
) -> Markup {
    let unit_name = |id: Option<i32>| {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    layout::page(
        ctx,
        &p.full_name,
        html! {
            (layout::title_bar(&p.full_name, html! {
                @if can_edit { a.button href=(format!("/people/{}/edit", p.id)) { (ctx.t("common.edit")) } }
            }))
            div.card {
                table {
                    tbody {
                        tr { th { (ctx.t("people.code")) } td { (p.employee_code) } }
                        tr { th { (ctx.t("people.unit")) } td { (unit_name(p.unit_id)) } }
                        tr { th { (ctx.t("people.category")) } td { (category_label(ctx, &p.category)) } }
                        tr { th { (ctx.t("people.gender")) } td { (p.gender.as_deref().map(|g| gender_label(ctx, g)).unwrap_or("")) } }
                        tr { th { (ctx.t("people.dob")) } td { (opt_date(p.date_of_birth)) } }
                        tr { th { (ctx.t("people.status")) } td { (status_label(ctx, &p.status)) @if let Some(d) = p.status_date { " (" (ctx.t("people.since")) " " (date(d)) ")" } } }
                        tr { th { (ctx.t("people.phone")) } td { (p.phone.as_deref().unwrap_or("")) } }
                        tr { th { (ctx.t("people.email")) } td { (p.email.as_deref().unwrap_or("")) } }
                        tr { th { (ctx.t("people.account")) } td { (account.unwrap_or("—")) } }
                    }
                }
            }
            h2 { (ctx.t("people.history")) }
            table {
                thead { tr { th { (ctx.t("people.effective")) } th { (ctx.t("people.status")) } th { (ctx.t("people.unit")) } th { (ctx.t("people.recorded")) } } }
                tbody {
                    @for h in history {
                        tr {
                            td { (opt_date(h.effective_date)) }
                            td { (status_label(ctx, &h.status)) }
                            td { (h.unit_name.as_deref().unwrap_or("")) }
                            td { (local_datetime(h.recorded_at)) }
                        }
                    }
                }
            }
            p { a href="/people" { (ctx.t("common.back")) } }
        },
    )
}

/// A person's record as its edit page shows it, with the fingerprint of that (`ui::seen`).
pub fn form_of(p: &Person) -> PersonForm {
    let mut f = PersonForm {
        employee_code: p.employee_code.clone(),
        full_name: p.full_name.clone(),
        unit_id: p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        category: p.category.clone(),
        gender: p.gender.clone().unwrap_or_default(),
        date_of_birth: opt_date(p.date_of_birth),
        status: p.status.clone(),
        status_date: opt_date(p.status_date),
        phone: p.phone.clone().unwrap_or_default(),
        email: p.email.clone().unwrap_or_default(),
        seen: None,
    };
    f.seen = Some(crate::ui::seen::of(&f));
    f
}

pub fn form(ctx: &Ctx, id: Option<i32>, f: &PersonForm, units: &[Unit], e: &FieldErrors) -> Markup {
    let title = if id.is_some() {
        ctx.t("people.edit")
    } else {
        ctx.t("people.add")
    };
    let action = id
        .map(|i| format!("/people/{i}"))
        .unwrap_or_else(|| "/people".into());
    let cats: Vec<(String, String)> = Category::ALL
        .iter()
        .map(|c| (c.code().into(), ctx.t(c.label_key()).into()))
        .collect();
    let statuses: Vec<(String, String)> = Status::ALL
        .iter()
        .map(|c| (c.code().into(), ctx.t(c.label_key()).into()))
        .collect();
    let genders: Vec<(String, String)> = std::iter::once((String::new(), "—".to_string()))
        .chain(
            Gender::ALL
                .iter()
                .map(|c| (c.code().into(), ctx.t(c.label_key()).into())),
        )
        .collect();
    let date_hint = ctx.t("common.date_hint");
    layout::page(
        ctx,
        title,
        html! {
            h1 { (title) }
            (crate::ui::forms::form_alert(ctx, e))
            div.card {
                (post_form(ctx, &action, html! {
                    (crate::ui::seen::hidden(f.seen.as_deref()))
                    (Input::text("employee_code", ctx.t("people.code"), &f.employee_code).required().render(ctx, e))
                    (Input::text("full_name", ctx.t("people.name"), &f.full_name).required().autocomplete("name").render(ctx, e))
                    (select(ctx, e, "unit_id", ctx.t("people.unit"), &unit_options(units, "—"), &f.unit_id))
                    (select(ctx, e, "category", ctx.t("people.category"), &cats, &f.category))
                    (select(ctx, e, "gender", ctx.t("people.gender"), &genders, &f.gender))
                    (Input::text("date_of_birth", ctx.t("people.dob"), &f.date_of_birth).hint(date_hint).render(ctx, e))
                    (select(ctx, e, "status", ctx.t("people.status"), &statuses, &f.status))
                    (Input::text("status_date", ctx.t("people.status_date"), &f.status_date).hint(ctx.t("cal.date_hint")).render(ctx, e))
                    (Input::text("phone", ctx.t("people.phone"), &f.phone).kind("tel").render(ctx, e))
                    (Input::text("email", ctx.t("people.email"), &f.email).kind("email").render(ctx, e))
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
            p { a href=(id.map(|i| format!("/people/{i}")).unwrap_or_else(|| "/people".into())) { (ctx.t("common.cancel")) } }
        },
    )
}

/// The columns of the people CSV export (the import reads every one of them).
pub fn export_header(ctx: &Ctx) -> [&'static str; 10] {
    [
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
    ]
}

/// One person as a row of the export, in the order of [`export_header`].
pub fn export_row(ctx: &Ctx, r: &crate::people::store::PersonRow) -> Vec<String> {
    let p = &r.person;
    vec![
        p.employee_code.clone(),
        p.full_name.clone(),
        r.unit_name.clone().unwrap_or_default(),
        category_label(ctx, &p.category).to_string(),
        p.gender
            .as_deref()
            .map(|g| gender_label(ctx, g))
            .unwrap_or("")
            .to_string(),
        crate::ui::format::opt_date(p.date_of_birth),
        status_label(ctx, &p.status).to_string(),
        crate::ui::format::opt_date(p.status_date),
        p.phone.clone().unwrap_or_default(),
        p.email.clone().unwrap_or_default(),
    ]
}
