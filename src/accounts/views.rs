use super::handlers::{UserForm, PER_PAGE};
use crate::auth::roles::Role;
use crate::auth::store::UserListRow;
use crate::ui::forms::{confirm_form, pager, post_form, q, FieldErrors, Input};
use crate::ui::{layout, Ctx};
use maud::{html, Markup};

pub fn list(ctx: &Ctx, text: &str, rows: &[UserListRow], total: i64, page: i64) -> Markup {
    let none = FieldErrors::default();
    layout::page(
        ctx,
        ctx.t("acc.title"),
        html! {
            (layout::title_bar(ctx.t("acc.title"), html! { a.button href="/admin/users/new" { (ctx.t("acc.add")) } }))
            form.filters method="get" action="/admin/users" role="search" {
                (Input::text("q", ctx.t("acc.search"), text).kind("search").render(ctx, &none))
                button type="submit" { (ctx.t("common.filter")) }
            }
            table.responsive {
                thead { tr { th { (ctx.t("auth.username")) } th { (ctx.t("acc.display_name")) } th { (ctx.t("acc.roles")) } th { (ctx.t("acc.person")) } th { (ctx.t("acc.state")) } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { a href=(format!("/admin/users/{}", r.user.id)) { (r.user.username) } }
                            td { (r.user.display_name) }
                            td { @for role in r.roles.iter() { span.badge { (ctx.t(role.label_key())) } " " } }
                            td { @if let Some((code, name)) = &r.person { (code) " · " (name) } }
                            td {
                                @if r.user.disabled { span.badge.off { (ctx.t("acc.disabled")) } }
                                @else if r.user.must_change_password { span.badge { (ctx.t("acc.must_change")) } }
                                @else { (ctx.t("acc.active")) }
                            }
                        }
                    }
                }
            }
            (pager(ctx, page, PER_PAGE, total, |p| format!("/admin/users?page={p}&q={}", q(text))))
        },
    )
}

pub fn form(ctx: &Ctx, id: Option<i32>, f: &UserForm, e: &FieldErrors) -> Markup {
    let title = if id.is_some() {
        ctx.t("acc.edit")
    } else {
        ctx.t("acc.add")
    };
    let action = id
        .map(|i| format!("/admin/users/{i}"))
        .unwrap_or_else(|| "/admin/users".into());
    layout::page(
        ctx,
        title,
        html! {
            h1 { (title) }
            (crate::ui::forms::form_alert(ctx, e))
            div.card {
                (post_form(ctx, &action, html! {
                    (crate::ui::seen::hidden(f.seen.as_deref()))
                    @if id.is_none() {
                        (Input::text("username", ctx.t("auth.username"), &f.username).required().hint(ctx.t("acc.username_hint")).render(ctx, e))
                    } @else {
                        p { strong { (ctx.t("auth.username")) ": " } (f.username) }
                    }
                    (Input::text("display_name", ctx.t("acc.display_name"), &f.display_name).required().render(ctx, e))
                    fieldset.checks {
                        legend { (ctx.t("acc.roles")) }
                        @for r in Role::ALL {
                            label { input type="checkbox" name="role" value=(r.as_str()) checked[f.role.iter().any(|x| x == r.as_str())]; " " (ctx.t(r.label_key())) }
                        }
                        @if let Some(k) = e.get("role") { p.error { (ctx.t(k)) } }
                    }
                    (Input::text("person_code", ctx.t("acc.person_code"), &f.person_code).hint(ctx.t("acc.person_hint")).render(ctx, e))
                    @if id.is_some() {
                        div.field {
                            label { input type="checkbox" name="disabled" value="yes" checked[f.disabled.is_some()]; " " (ctx.t("acc.disable")) }
                            small.hint { (ctx.t("acc.disable_hint")) }
                        }
                    }
                    button type="submit" { (ctx.t("common.save")) }
                }))
            }
            @if let Some(i) = id {
                div.card {
                    h2 { (ctx.t("acc.reset_title")) }
                    p.hint { (ctx.t("acc.reset_hint")) }
                    (confirm_form(ctx, &format!("/admin/users/{i}/reset-password"), ctx.t("acc.reset_confirm"), ctx.t("acc.reset")))
                }
            }
            p { a href="/admin/users" { (ctx.t("common.back")) } }
        },
    )
}

pub fn one_time(ctx: &Ctx, id: i32, username: &str, password: &str) -> Markup {
    layout::page(
        ctx,
        ctx.t("acc.one_time_title"),
        html! {
            h1 { (ctx.t("acc.one_time_title")) }
            div.card {
                p { (ctx.t("auth.username")) ": " strong { (username) } }
                p { (ctx.t("acc.one_time_is")) }
                p.onetime { (password) }
                p.hint { (ctx.t("acc.one_time_hint")) }
            }
            p { a href=(format!("/admin/users/{id}")) { (ctx.t("common.back")) } }
        },
    )
}
