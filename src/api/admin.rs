//! The admin's page for API tokens: the list (client, scope, last day, state), the form to
//! make one (the secret is shown once, on the answer to the form), and revoking.

use super::store::{self, Token};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::stats::catalogue::REPORTS;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{confirm_form, error_list, post_form, ConfirmForm, FieldErrors, Form};
use crate::ui::{html_invalid, html_ok, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct TokenForm {
    #[serde(default)]
    client: String,
    #[serde(default)]
    scope: Vec<String>,
    #[serde(default)]
    expires_on: String,
    once: Option<String>,
}

fn state_of(ctx: &Ctx, t: &Token, today: NaiveDate) -> Markup {
    html! {
        @if t.revoked_at.is_some() { span.badge.off { (ctx.t("api.revoked")) } }
        @else if t.expired(today) { span.badge.off { (ctx.t("api.expired")) } }
        @else { span.badge.on { (ctx.t("api.active")) } }
    }
}

fn page(ctx: &Ctx, list: &[Token], today: NaiveDate, f: &TokenForm, e: &FieldErrors) -> Markup {
    html! {
        (layout::title_bar(ctx.t("api.title"), html! { a href="/api/v1/openapi.json" { "OpenAPI" } }))
        p.hint { (ctx.t("api.help")) }
        table.report {
            thead { tr {
                th scope="col" { (ctx.t("api.client")) } th scope="col" { (ctx.t("api.prefix")) }
                th scope="col" { (ctx.t("api.scope")) } th scope="col" { (ctx.t("api.expires")) }
                th scope="col" { (ctx.t("api.state")) } th scope="col" { span.sr-only { (ctx.t("api.revoke")) } }
            } }
            tbody {
                @if list.is_empty() { tr { td colspan="6" { (ctx.t("api.none")) } } }
                @for t in list {
                    tr {
                        th scope="row" { (t.client) }
                        td { code { (t.prefix) "…" } }
                        td { (t.reports().join(", ")) }
                        td { (date(t.expires_on)) }
                        td { (state_of(ctx, t, today)) }
                        td {
                            @if t.revoked_at.is_none() {
                                (confirm_form(ctx, &format!("/admin/api-tokens/{}/revoke", t.id), &ctx.tf("api.revoke_confirm", &t.client), ctx.t("api.revoke")))
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (ctx.t("api.new")) }
            (error_list(ctx, e))
            (post_form(ctx, "/admin/api-tokens", html! {
                (crate::once::once_field())
                div.field.invalid[e.get("client").is_some()] {
                    label for="f-client" { (ctx.t("api.client")) }
                    input #f-client name="client" type="text" maxlength="100" required value=(f.client) aria-invalid=[e.get("client").map(|_| "true")];
                    @if let Some(k) = e.get("client") { p.error { (ctx.t(k)) } }
                }
                fieldset.invalid[e.get("scope").is_some()] {
                    legend { (ctx.t("api.scope")) }
                    @for r in REPORTS {
                        label.check {
                            input type="checkbox" name="scope" value=(r.id) checked[f.scope.iter().any(|s| s == r.id)];
                            " " (ctx.t(r.title)) " " code { (r.id) }
                        }
                    }
                    @if let Some(k) = e.get("scope") { p.error { (ctx.t(k)) } }
                }
                div.field.invalid[e.get("expires_on").is_some()] {
                    label for="f-expires" { (ctx.t("api.expires")) }
                    input #f-expires name="expires_on" type="text" required placeholder="dd/mm/yyyy" value=(f.expires_on) aria-describedby="f-expires-hint" aria-invalid=[e.get("expires_on").map(|_| "true")];
                    p.hint #f-expires-hint { (ctx.t("api.expires_hint")) }
                    @if let Some(k) = e.get("expires_on") { p.error { (ctx.t(k)) } }
                }
                button type="submit" { (ctx.t("api.create")) }
            }))
        }
    }
}

async fn tokens(state: &AppState) -> Result<Vec<Token>, AppError> {
    state.db.read(store::list).await
}

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let list = tokens(&state).await?;
    let body = page(
        &ctx,
        &list,
        state.clock.today(),
        &TokenForm::default(),
        &FieldErrors::default(),
    );
    Ok(html_ok(layout::page(&ctx, ctx.t("api.title"), body)))
}

/// The longest a token may live.
const MAX_DAYS: i64 = 731;

fn check(
    f: &TokenForm,
    today: NaiveDate,
) -> Result<(String, Vec<&'static str>, NaiveDate), FieldErrors> {
    let mut e = FieldErrors::default();
    let client = f.client.trim().to_string();
    if client.is_empty()
        || client.chars().count() > 100
        || client.chars().any(crate::ui::forms::forbidden_char)
    {
        e.add("client", "api.err_client");
    }
    let mut scope = Vec::new();
    for s in &f.scope {
        match REPORTS.iter().find(|r| r.id == s) {
            Some(r) if !scope.contains(&r.id) => scope.push(r.id),
            Some(_) => {}
            None => e.add("scope", "api.err_scope"),
        }
    }
    if scope.is_empty() {
        e.add("scope", "api.err_scope");
    }
    let expires = business_date(&f.expires_on);
    match expires {
        Some(d) if d >= today && (d - today) <= Duration::days(MAX_DAYS) => {}
        _ => e.add("expires_on", "api.err_expires"),
    }
    match (e.is_empty(), expires) {
        (true, Some(d)) => Ok((client, scope, d)),
        _ => Err(e),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let (client, scope, expires) = match check(&f, today) {
        Ok(x) => x,
        Err(e) => {
            let list = tokens(&state).await?;
            return Ok(html_invalid(layout::page(
                &ctx,
                ctx.t("api.title"),
                page(&ctx, &list, today, &f, &e),
            )));
        }
    };
    let (actor, now, once) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        f.once.clone(),
    );
    let made = state
        .db
        .write(move |c| {
            if !crate::once::claim(c, once.as_deref(), now)? {
                return Ok(None);
            }
            store::create(c, &actor, now, &client, &scope, expires).map(Some)
        })
        .await?;
    let Some((token, secret)) = made else {
        return Ok(see_other("/admin/api-tokens", Some("flash.already_saved")));
    };
    let body = html! {
        (layout::title_bar(ctx.t("api.made"), html! { a href="/admin/api-tokens" { (ctx.t("api.title")) } }))
        p.banner-danger role="alert" { (ctx.t("api.copy_now")) }
        p { (ctx.t("api.client")) ": " strong { (token.client) } " · " (ctx.t("api.expires")) ": " (date(token.expires_on)) }
        p { code.secret { (secret) } }
        p.hint { (ctx.t("api.usage")) }
        pre { "curl -H \"Authorization: Bearer " (secret) "\" \\\n  \"https://…/api/v1/reports/" (token.reports().first().copied().unwrap_or("")) "?period=2026\"" }
    };
    Ok(html_ok(layout::page(&ctx, ctx.t("api.made"), body)))
}

pub async fn revoke(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(confirm): Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    confirm.confirmed()?;
    let (actor, now, id) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        id.into_inner(),
    );
    state
        .db
        .write(move |c| store::revoke(c, &actor, now, id))
        .await?;
    Ok(see_other("/admin/api-tokens", Some("flash.saved")))
}
