use crate::ui::forms::{post_form, FieldErrors, Input};
use crate::ui::{layout, Ctx};
use maud::{html, Markup};

pub fn login(ctx: &Ctx, username: &str, next: &str, error: Option<&'static str>) -> Markup {
    let none = FieldErrors::default();
    layout::page(
        ctx,
        ctx.t("auth.login_title"),
        html! {
            div.login.card {
                h1 { (ctx.t("auth.login_title")) }
                @if let Some(k) = error { p.alert role="alert" { (ctx.t(k)) } }
                (post_form(ctx, "/login", html! {
                    input type="hidden" name="next" value=(next);
                    (Input::text("username", ctx.t("auth.username"), username).required().autocomplete("username").render(ctx, &none))
                    (Input::text("password", ctx.t("auth.password"), "").kind("password").required().autocomplete("current-password").render(ctx, &none))
                    button type="submit" { (ctx.t("auth.login")) }
                }))
            }
        },
    )
}

pub fn password(ctx: &Ctx, errors: &FieldErrors) -> Markup {
    let must = ctx.user.as_ref().is_some_and(|u| u.must_change_password);
    layout::page(
        ctx,
        ctx.t("pw.title"),
        html! {
            h1 { (ctx.t("pw.title")) }
            @if must { p.alert { (ctx.t("flash.must_change_password")) } }
            div.card {
                p.hint { (ctx.t("pw.rules")) }
                (post_form(ctx, "/password", html! {
                    (Input::text("current", ctx.t("pw.current"), "").kind("password").required().autocomplete("current-password").render(ctx, errors))
                    (Input::text("new", ctx.t("pw.new"), "").kind("password").required().autocomplete("new-password").render(ctx, errors))
                    (Input::text("confirm", ctx.t("pw.confirm"), "").kind("password").required().autocomplete("new-password").render(ctx, errors))
                    button type="submit" { (ctx.t("pw.save")) }
                }))
            }
        },
    )
}
