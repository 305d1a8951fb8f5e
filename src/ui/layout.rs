//! The page shell: header, navigation by role, language switch, flash, main content.

use super::forms::{post_form, q};
use super::{Ctx, Esc};
use crate::auth::roles::Role;
use maud::{html, Markup, DOCTYPE};

/// (path, text key, roles that see it; empty = every logged-in user)
const NAV: &[(&str, &str, &[Role])] = &[
    ("/", "nav.home", &[]),
    ("/week", "nav.week", &[Role::Staff]),
    ("/kitchen/menu", "nav.menu", &[Role::Kitchen]),
    ("/kitchen/headcount", "nav.headcount", &[Role::Kitchen]),
    ("/kitchen/counter", "nav.counter", &[Role::Kitchen]),
    ("/kitchen/on-behalf", "nav.on_behalf", &[Role::Kitchen]),
    ("/kitchen/calendar", "nav.calendar", &[Role::Kitchen]),
    ("/kitchen/dishes", "nav.dishes", &[Role::Kitchen]),
    ("/kitchen/report", "nav.report", &[Role::Kitchen]),
    ("/my/welfare", "nav.my_welfare", &[Role::Staff]),
    (
        "/welfare/organisations",
        "nav.welfare",
        &[Role::UnionOfficer],
    ),
    (
        "/welfare/cases",
        "nav.welfare_cases",
        &[Role::Approver, Role::Accountant],
    ),
    (
        "/kitchen/food-safety",
        "nav.food_safety",
        &[Role::Kitchen, Role::KitchenManager],
    ),
    (
        "/kitchen/food-safety/incidents",
        "nav.incidents",
        &[Role::Admin],
    ),
    (
        "/kitchen/settings",
        "nav.settings",
        &[Role::Kitchen, Role::Admin],
    ),
    (
        "/people",
        "nav.people",
        &[Role::Admin, Role::Accountant, Role::UnionOfficer],
    ),
    (
        "/units",
        "nav.units",
        &[Role::Admin, Role::Accountant, Role::UnionOfficer],
    ),
    (
        "/accounting/month",
        "nav.accounting",
        &[Role::Accountant, Role::Approver, Role::Admin],
    ),
    (
        "/accounting/funds",
        "nav.funds",
        &[
            Role::Accountant,
            Role::Approver,
            Role::UnionOfficer,
            Role::Admin,
        ],
    ),
    (
        "/accounting/policies",
        "nav.policies",
        &[Role::Accountant, Role::Approver, Role::Admin],
    ),
    (
        "/accounting/salary",
        "nav.salary",
        &[Role::Accountant, Role::UnionOfficer, Role::Admin],
    ),
    (
        "/accounting/eligibility",
        "nav.eligibility",
        &[
            Role::Accountant,
            Role::Approver,
            Role::UnionOfficer,
            Role::Admin,
        ],
    ),
    (
        "/dashboard",
        "nav.dashboard",
        &[Role::Leader, Role::Approver],
    ),
    (
        "/reports",
        "nav.reports",
        &[
            Role::Leader,
            Role::Kitchen,
            Role::KitchenManager,
            Role::Accountant,
            Role::Approver,
            Role::UnionOfficer,
        ],
    ),
    ("/admin/users", "nav.accounts", &[Role::Admin]),
    ("/admin/audit", "nav.audit", &[Role::Admin]),
    ("/admin/api-tokens", "nav.api", &[Role::Admin]),
];

/// The `<head>` every page and stored document has.
fn head(ctx: &Ctx, title: &str, script: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (Esc(title)) " · " (Esc(ctx.t("common.app_name"))) }
            // No icon: without this line browsers ask for /favicon.ico on every page (a 404).
            link rel="icon" href="data:,";
            link rel="stylesheet" href=(super::STYLESHEET_HREF.as_str());
            @if script { script src=(super::SCRIPT_SRC.as_str()) defer {} }
        }
    }
}

pub fn page(ctx: &Ctx, title: &str, content: Markup) -> Markup {
    super::fill(frame(ctx, title), &[&content])
}

/// The page around its content ([`super::SLOT`]).
fn frame(ctx: &Ctx, title: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(ctx, title, true))
            body {
                a.skip href="#main" { (Esc(ctx.t("common.skip_to_content"))) }
                header.top {
                    a.brand href="/" { (Esc(ctx.t("common.app_name"))) }
                    @if let Some(u) = &ctx.user {
                        nav.main aria-label=(Esc(ctx.t("nav.label"))) {
                            ul {
                                @for (href, key, roles) in NAV {
                                    @if roles.is_empty() || u.roles.any(roles) {
                                        li { a href=(href) aria-current=[is_current(&ctx.path, href).then_some("page")] { (Esc(ctx.t(key))) } }
                                    }
                                }
                            }
                        }
                    }
                    div.tools {
                        (lang_switch(ctx))
                        @if let Some(u) = &ctx.user {
                            a href="/password" { (Esc(&u.display_name)) }
                            (post_form(ctx, "/logout", html! { button.link type="submit" { (Esc(ctx.t("nav.logout"))) } }))
                        }
                    }
                }
                main #main {
                    @if let Some(key) = ctx.flash {
                        p.flash role="status" { (Esc(ctx.t(key))) }
                    }
                    (super::SLOT)
                }
                footer.bottom { (Esc(ctx.t("common.footer"))) }
            }
        }
    }
}

fn is_current(path: &str, href: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

fn lang_switch(ctx: &Ctx) -> Markup {
    let (path, query) = ctx.back_to();
    let next = if query.is_empty() {
        q(path)
    } else {
        q(&format!(
            "{path}?{}",
            query.chars().take(512).collect::<String>()
        ))
    };
    html! {
        span.lang {
            @for (code, label) in [("vi", "Tiếng Việt"), ("en", "English")] {
                @if code == ctx.lang.code() {
                    strong lang=(code) { (label) }
                } @else {
                    a lang=(code) href=(format!("/lang/{code}?next={next}")) { (label) }
                }
                " "
            }
        }
    }
}

/// A document that stands alone (a stored print view): the stylesheet and the content, no
/// navigation, language switch or user.
pub fn document(ctx: &Ctx, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(ctx, title, false))
            body { main #main { (content) } }
        }
    }
}

/// A heading plus optional actions on the right.
pub fn title_bar(title: &str, actions: Markup) -> Markup {
    html! {
        div.titlebar { h1 { (Esc(title)) } div.actions { (actions) } }
    }
}

/// A whole error page (403/404/429/500), in the user's language.
pub fn error_page(ctx: &Ctx, status: u16, message_key: &'static str) -> Markup {
    let title = ctx.tf("err.title", status);
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.error-message { (ctx.t(message_key)) }
            @if status >= 500 && !ctx.request_id.is_empty() {
                p { (ctx.t("err.request_id")) " " code { (ctx.request_id) } }
            }
            // A refused form: back to it. The browser's Back keeps what was typed (the script
            // makes the link do that); the link alone opens the form's page afresh.
            @if let Some((path, query)) = ctx.posted.as_ref().and_then(|p| p.page()).filter(|_| status < 500) {
                p.hint { (ctx.t("err.back_hint")) }
                p {
                    a.button href=(if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }) data-back="" { (ctx.t("err.back_to_form")) }
                    " "
                    a href="/" { (ctx.t("err.back_home")) }
                }
            } @else {
                p { a href="/" { (ctx.t("err.back_home")) } }
            }
        },
    )
}
