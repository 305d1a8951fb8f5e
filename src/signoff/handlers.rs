//! Signing a closed month (the card on the month page and its POST), the A4 month report with
//! the three signature blocks, and the signing page: signatories (set by an administrator),
//! the head's delegations (KT./TUQ., offered for the head's business trips) and the key
//! registry with fingerprints.

use super::keys;
use super::store::{self, Delegation, MonthSignature, Signatory};
use crate::accounting::handlers::MonthData;
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::auth::roles::Role;
use crate::error::AppError;
use crate::money::Vnd;
use crate::state::AppState;
use crate::ui::format::{business_date, date};
use crate::ui::forms::{post_form, select, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

/// The signatures of a month and, while it is closed and not signed, the form to sign next.
pub fn sign_card(ctx: &Ctx, user: &CurrentUser, d: &MonthData) -> Markup {
    let key = d.first.format("%Y-%m").to_string();
    let may = user.has(Role::Accountant) || user.has(Role::Approver);
    html! {
        div.card #sign {
            h2 { (ctx.t("sign.title")) }
            @if d.signatures.is_empty() { p { (ctx.t("sign.none_yet")) } } @else {
                ol { @for s in &d.signatures { li { (signature_line(ctx, s)) } } }
            }
            @if let Some(k) = d.sign_error { p.alert role="alert" { (ctx.t(k)) } }
            @if d.signed {
                p.notice { (ctx.t("month.state_signed")) " " a href=(format!("/accounting/month/report?m={key}")) { (ctx.t("sign.report")) } }
            } @else {
                p.hint { (ctx.tf("sign.next", ctx.t(capacity_key(d.signatures.len() as i32 + 1)))) }
                @if may {
                    (post_form(ctx, &format!("/accounting/month/sign?m={key}"), html! {
                        @if let Some(c) = &d.closed { input type="hidden" name="seen" value=(store::seen_token(c.closed_at, d.signatures.len())); }
                        div.field {
                            label for="f-sign-pw" { (ctx.t("sign.password")) }
                            input #f-sign-pw type="password" name="password" required autocomplete="current-password";
                            p.hint { (ctx.t("sign.password_hint")) }
                        }
                        label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("sign.confirm")) }
                        button type="submit" { (ctx.t("sign.button")) }
                    }))
                }
                a href=(format!("/accounting/month/report?m={key}")) { (ctx.t("sign.report")) }
            }
        }
    }
}

use super::store::capacity_key;

fn signature_line(ctx: &Ctx, s: &MonthSignature) -> Markup {
    html! {
        strong { (ctx.t(capacity_key(s.step))) } ": "
        @if !s.mode.is_empty() { (s.mode) ". " }
        (s.signer_name) " (" (s.signer_title) ") — " (crate::clock::local_datetime(s.signed_at))
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    m: Option<String>,
}

fn month_of(q: &MonthQuery) -> Result<NaiveDate, AppError> {
    q.m.as_deref()
        .and_then(crate::ui::format::parse_month)
        .ok_or(AppError::BadRequest("month.err_bad"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignForm {
    password: String,
    confirm: Option<String>,
    /// The close and the signatures the page showed ([`store::seen_token`]); a form sent by
    /// hand without it signs the month as it stands.
    seen: Option<String>,
}

/// Signs the month's next step: the password opens the signer's key (a person who has never
/// had one gets one sealed with it, once the password is checked). Wrong password, wrong
/// person, wrong order: refused with the reason, nothing signed.
pub async fn sign(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    q: web::Query<MonthQuery>,
    Form(f): Form<SignForm>,
) -> Result<HttpResponse, AppError> {
    let first = month_of(&q)?;
    match sign_inner(&state, &user, first, &f).await {
        Err(AppError::BadRequest(k)) => {
            let mut d = crate::accounting::handlers::load(&state, first).await?;
            d.sign_error = Some(k);
            Ok(crate::ui::html_invalid(
                crate::accounting::handlers::render(&ctx, &d, &user),
            ))
        }
        other => other,
    }
}

async fn sign_inner(
    state: &AppState,
    user: &CurrentUser,
    first: NaiveDate,
    f: &SignForm,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let month = crate::periods::month_key(first);
    let (uid, today) = (user.user_id, state.clock.today());
    let m = month.clone();
    let (key, hash) = state
        .db
        .read(move |c| {
            // A clear refusal before the password work.
            store::next_step_for(c, &m, uid, today)?;
            let hash = crate::auth::store::by_id(c, uid)?
                .map(|u| u.password_hash)
                .ok_or(AppError::NotFound)?;
            Ok((store::active_key(c, uid)?, hash))
        })
        .await?;
    // Wrong passwords count against the same limit as the password page's.
    let keys_t = crate::auth::throttle::password_keys(uid);
    let at = state.clock.now_naive();
    let reserved = state
        .db
        .write(move |c| crate::auth::throttle::begin(c, &keys_t, at))
        .await?
        .ok_or(AppError::TooManyRequests)?;
    let pw = f.password.clone();
    let opened = state
        .hashing(move || match key {
            Some(k) => keys::open(&k.sealed, &pw)
                .map(|s| (Some(k.id), s, None))
                .map_err(|_| AppError::BadRequest("sign.err_password")),
            None => {
                if !crate::auth::password::verify(&pw, &hash) {
                    return Err(AppError::BadRequest("sign.err_password"));
                }
                let sealed = keys::generate(&pw).map_err(|_| AppError::internal("key"))?;
                let signing = keys::open(&sealed, &pw).map_err(|_| AppError::internal("key"))?;
                Ok((None, signing, Some(sealed)))
            }
        })
        .await??;
    state
        .db
        .write(move |c| crate::auth::throttle::forgive(c, &reserved))
        .await?;
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    let seen = f.seen.clone();
    let step = state
        .db
        .write(move |c| {
            let (id, signing, new) = &opened;
            let key_id = match (id, new) {
                (Some(id), _) => *id,
                (None, Some(sealed)) => store::store_new_key(c, &actor, now, uid, sealed)?,
                (None, None) => return Err(AppError::internal("no key")),
            };
            // Signed as the page showed it.
            if let Some(seen) = &seen {
                store::ensure_as_seen(c, &month, seen)?;
            }
            store::sign_month(c, &actor, now, today, &month, uid, key_id, signing)
        })
        .await?;
    Ok(see_other(
        &format!("/accounting/month?m={}#sign", first.format("%Y-%m")),
        Some(if step == 3 {
            "flash.month_signed"
        } else {
            "flash.signature_saved"
        }),
    ))
}

/// The month's A4 report: totals by fund, the digest, and the three signature blocks as
/// Vietnamese accounting reports print them ("KT. THỦ TRƯỞNG ĐƠN VỊ" over the deputy's title
/// and name), with each signer's time and key fingerprint.
pub async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<MonthQuery>,
) -> Result<Markup, AppError> {
    let first = month_of(&q)?;
    let d = crate::accounting::handlers::load(&state, first).await?;
    let month = crate::periods::month_key(first);
    let fps: Vec<(i32, String)> = state
        .db
        .read(|c| {
            Ok(store::registry(c)?
                .into_iter()
                .map(|k| (k.key_id, k.fingerprint))
                .collect())
        })
        .await?;
    let fingerprint = |s: &MonthSignature| {
        fps.iter()
            .find(|f| f.0 == s.key_id)
            .map(|f| f.1.clone())
            .unwrap_or_default()
    };
    let money = |v: i64| Vnd(v).to_string();
    let sum = |f: fn(&crate::accounting::store::Line) -> i64| d.lines.iter().map(f).sum::<i64>();
    let by_fund: Vec<(i32, i64)> = crate::accounting::store::fund_totals(&d.lines)
        .iter()
        .map(|t| (t.fund, t.amount))
        .collect();
    let fund_name = |id: i32| {
        d.funds
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    };
    let block = |step: i32| {
        let s = d.signatures.iter().find(|s| s.step == step);
        html! {
            div.sig {
                @match s {
                    Some(s) if !s.mode.is_empty() => {
                        p.cap { (s.mode) ". " (ctx.t(capacity_key(step)).to_uppercase()) }
                        p.title { (s.signer_title.to_uppercase()) }
                    }
                    _ => { p.cap { (ctx.t(capacity_key(step)).to_uppercase()) } }
                }
                @if let Some(s) = s {
                    p.signed { (ctx.t("sign.signed_electronically")) br; (crate::clock::local_datetime(s.signed_at)) }
                    p.name { strong { (s.signer_name) } }
                    p.fp { (ctx.t("sign.fingerprint")) ": " code { (fingerprint(s)) } }
                } @else {
                    p.signed { (ctx.t("sign.not_yet")) }
                }
            }
        }
    };
    let place_day = d
        .signatures
        .last()
        .map(|s| crate::clock::business_date_of(s.signed_at))
        .unwrap_or_else(|| state.clock.today());
    Ok(layout::page(
        &ctx,
        &ctx.tf(
            "sign.report_title",
            crate::accounting::handlers::month_label(&month),
        ),
        html! {
            article.a4 {
                p.org { (ctx.t("sign.org")) }
                h1 { (ctx.tf("sign.report_title", crate::accounting::handlers::month_label(&month))) }
                @if d.closed.is_none() { p.alert { (ctx.t("month.open_live")) } }
                table {
                    tbody {
                        tr { th scope="row" { (ctx.t("month.meals")) } td.num { (d.lines.len()) } }
                        tr { th scope="row" { (ctx.t("month.charged")) } td.num { (money(sum(|l| l.charged.0))) } }
                        @for (f, a) in &by_fund { tr { th scope="row" { (ctx.t("stmt.subsidy")) " — " (fund_name(*f)) } td.num { (money(*a)) } } }
                        tr { th scope="row" { (ctx.t("month.staff_share")) } td.num { (money(sum(|l| l.staff.0))) } }
                        tr { th scope="row" { (ctx.t("adj.title")) } td.num { (money(d.adjustments.iter().map(|a| a.amount).sum())) } }
                        tr { th scope="row" { (ctx.t("rec.takings")) } td.num { (money(d.reconciliation.takings)) } }
                        tr { th scope="row" { (ctx.t("rec.difference")) } td.num { (money(d.reconciliation.difference)) } }
                        tr { th scope="row" { (ctx.tf("rec.invoice_total", d.reconciliation.invoices)) } td.num { strong { (money(d.reconciliation.invoice_total)) } } }
                    }
                }
                @if let Some(c) = &d.closed { p { (ctx.t("month.digest")) ": " code { (c.digest) } } }
                p.hint { (ctx.t("rec.identity")) }
                // Only the note written for this very difference explains it.
                @if let Some((_, note)) = d.note.as_ref().filter(|n| n.0 == d.reconciliation.difference && n.0 != 0) { p { (ctx.t("rec.note")) ": " (note) } }
                p.place { (ctx.tf("sign.place_date", date(place_day))) }
                div.signatures { (block(1)) (block(2)) (block(3)) }
            }
        },
    ))
}

// ---------------------------------------------------------------------------------------
// The signing page

struct Page {
    signatories: Vec<Signatory>,
    delegations: Vec<Delegation>,
    registry: Vec<store::RegistryKey>,
    signers: Vec<(i32, String)>,
    trip: Option<(NaiveDate, NaiveDate)>,
}

async fn load(state: &AppState, user: i32) -> Result<Page, AppError> {
    let today = state.clock.today();
    state
        .db
        .read(move |c| {
            let signatories = store::signatories(c)?;
            // The head's next business trip, to offer as the delegation's dates.
            let trip = match signatories
                .iter()
                .find(|s| s.user_id == user && s.position == store::HEAD)
                .and_then(|s| s.person_id)
            {
                Some(p) => crate::canteen::standing::next_business_trip(c, p, today)?,
                None => None,
            };
            Ok(Page {
                signers: crate::auth::store::signers(c)?,
                delegations: store::delegations(c)?,
                registry: store::registry(c)?,
                signatories,
                trip,
            })
        })
        .await
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Markup, AppError> {
    let p = load(&state, user.user_id).await?;
    Ok(view(
        &ctx,
        &user,
        &p,
        &DelegationForm::default(),
        &FieldErrors::default(),
    ))
}

fn view(ctx: &Ctx, user: &CurrentUser, p: &Page, f: &DelegationForm, e: &FieldErrors) -> Markup {
    let name = |id: i32| {
        p.signers
            .iter()
            .find(|s| s.0 == id)
            .map(|s| s.1.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let is_head = p
        .signatories
        .iter()
        .any(|s| s.user_id == user.user_id && s.position == store::HEAD);
    let others: Vec<(String, String)> = p
        .signers
        .iter()
        .filter(|s| s.0 != user.user_id)
        .map(|s| (s.0.to_string(), s.1.clone()))
        .collect();
    let positions = [
        (String::new(), ctx.t("sign.pos_none").to_string()),
        (
            store::CHIEF.to_string(),
            ctx.t("sign.cap_chief").to_string(),
        ),
        (store::HEAD.to_string(), ctx.t("sign.cap_head").to_string()),
        (
            store::DEPUTY.to_string(),
            ctx.t("sign.pos_deputy").to_string(),
        ),
    ];
    let (from_default, to_default) = match p.trip {
        Some((a, b)) if f.from.is_empty() => (date(a), date(b)),
        _ => (f.from.clone(), f.to.clone()),
    };
    layout::page(
        ctx,
        ctx.t("sign.page_title"),
        html! {
            (layout::title_bar(ctx.t("sign.page_title"), html! {}))
            h2 { (ctx.t("sign.signatories")) }
            @if p.signatories.is_empty() { p { (ctx.t("sign.no_signatory")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("acc.display_name")) } th { (ctx.t("sign.position")) } th { (ctx.t("sign.title_field")) } } }
                    tbody { @for s in &p.signatories { tr {
                        td { (s.display_name) }
                        td { (match s.position.as_str() { store::CHIEF => ctx.t("sign.cap_chief"), store::HEAD => ctx.t("sign.cap_head"), _ => ctx.t("sign.pos_deputy") }) }
                        td { (s.title) }
                    } } }
                }
            }
            @if user.has(Role::Admin) {
                div.card {
                    h2 { (ctx.t("sign.set_signatory")) }
                    (post_form(ctx, "/accounting/signatories", html! {
                        (select(ctx, &FieldErrors::default(), "user", ctx.t("acc.display_name"), &p.signers.iter().map(|s| (s.0.to_string(), s.1.clone())).collect::<Vec<_>>(), ""))
                        (select(ctx, &FieldErrors::default(), "position", ctx.t("sign.position"), &positions, ""))
                        (Input::text("title", ctx.t("sign.title_field"), "").hint(ctx.t("sign.title_hint")).render(ctx, &FieldErrors::default()))
                        button type="submit" { (ctx.t("common.save")) }
                    }))
                }
            }
            h2 { (ctx.t("sign.delegations")) }
            @if p.delegations.is_empty() { p { (ctx.t("sign.no_delegation")) } } @else {
                table.responsive {
                    thead { tr { th { (ctx.t("sign.cap_head")) } th { (ctx.t("sign.delegate")) } th { (ctx.t("sign.mode")) } th { (ctx.t("supp.from")) } th { (ctx.t("supp.to")) } th { (ctx.t("sign.reference")) } th { span.sr { (ctx.t("common.actions")) } } } }
                    tbody { @for d in &p.delegations { tr {
                        td { (name(d.from_user)) } td { (name(d.to_user)) } td { (d.mode) "." }
                        td { (date(d.valid_from)) } td { (date(d.valid_to)) } td { (d.reference) }
                        td {
                            @if d.revoked_at.is_some() { (ctx.t("sign.revoked")) }
                            @else if d.from_user == user.user_id {
                                (post_form(ctx, &format!("/accounting/delegations/{}/revoke", d.id), html! {
                                    label.confirm { input type="checkbox" name="confirm" value="yes" required; " " (ctx.t("sign.revoke_confirm")) }
                                    button.secondary type="submit" { (ctx.t("sign.revoke")) }
                                }))
                            }
                        }
                    } } }
                }
            }
            @if is_head {
                div.card {
                    h2 { (ctx.t("sign.add_delegation")) }
                    @if p.trip.is_some() { p.notice { (ctx.t("sign.trip_offered")) } }
                    p.hint { (ctx.t("sign.delegation_help")) }
                    @if !e.is_empty() { p.alert role="alert" { (ctx.t("common.fix_errors")) } }
                    (post_form(ctx, "/accounting/delegations", html! {
                        (select(ctx, e, "delegate", ctx.t("sign.delegate"), &others, &f.delegate))
                        (Input::text("from", ctx.t("supp.from"), &from_default).required().hint(ctx.t("cal.date_hint")).render(ctx, e))
                        (Input::text("to", ctx.t("supp.to"), &to_default).required().render(ctx, e))
                        (Input::text("reference", ctx.t("sign.reference"), &f.reference).hint(ctx.t("sign.reference_hint")).render(ctx, e))
                        button type="submit" { (ctx.t("sign.add_delegation")) }
                    }))
                }
            }
            h2 { (ctx.t("sign.registry")) }
            p.hint { (ctx.t("sign.registry_help")) }
            table.responsive {
                thead { tr { th { (ctx.t("acc.display_name")) } th { (ctx.t("sign.fingerprint")) } th { (ctx.t("sign.issued")) } th { (ctx.t("sign.retired")) } } }
                tbody { @for k in &p.registry { tr {
                    td { (k.display_name) " (" (k.username) ")" } td { code { (k.fingerprint) } }
                    td { (crate::clock::local_datetime(k.created_at)) }
                    td { (k.retired_at.map(crate::clock::local_datetime).unwrap_or_default()) }
                } } }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DelegationForm {
    #[serde(default)]
    delegate: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reference: String,
}

/// The head authorises someone to sign in their place.
pub async fn add_delegation(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<DelegationForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::default();
    let to_user: Option<i32> = f.delegate.parse().ok();
    if to_user.is_none() {
        e.add("delegate", "err.bad_form");
    }
    let (from, to) = (business_date(&f.from), business_date(&f.to));
    if from.is_none() {
        e.add("from", "cal.err_date");
    }
    if to.is_none() {
        e.add("to", "cal.err_date");
    }
    if let (true, Some(to_user), Some(from), Some(to)) = (e.is_empty(), to_user, from, to) {
        let (actor, now, uid) = (
            Actor::user(user.user_id, &user.username),
            state.clock.now_naive(),
            user.user_id,
        );
        let reference = f.reference.clone();
        let today = state.clock.today();
        match state
            .db
            .write(move |c| {
                store::add_delegation(c, &actor, now, uid, to_user, from, to, &reference, today)
            })
            .await
        {
            Ok(_) => return Ok(see_other("/accounting/signing", Some("flash.saved"))),
            Err(AppError::BadRequest(k)) => e.add(
                match k {
                    "sign.err_dates" | "sign.err_past" | "sign.err_overlap" => "from",
                    "sign.err_reference" | "sign.err_tuq_reference" => "reference",
                    _ => "delegate",
                },
                k,
            ),
            Err(other) => return Err(other),
        }
    }
    let p = load(&state, user.user_id).await?;
    Ok(html_invalid(view(&ctx, &user, &p, &f, &e)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeForm {
    confirm: Option<String>,
}

pub async fn revoke(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    if f.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("err.confirm_required"));
    }
    let (actor, now, uid, id) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
        user.user_id,
        id.into_inner(),
    );
    state
        .db
        .write(move |c| store::revoke_delegation(c, &actor, now, uid, id))
        .await?;
    Ok(see_other("/accounting/signing", Some("flash.saved")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoryForm {
    user: i32,
    #[serde(default)]
    position: String,
    #[serde(default)]
    title: String,
}

/// An administrator names who signs as chief accountant or head (or a deputy), with titles.
pub async fn set_signatory(
    state: web::Data<AppState>,
    user: CurrentUser,
    Form(f): Form<SignatoryForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    state
        .db
        .write(move |c| {
            let position = match f.position.as_str() {
                "" => None,
                p => Some((p, f.title.as_str())),
            };
            store::set_signatory(c, &actor, now, f.user, position)
        })
        .await?;
    Ok(see_other("/accounting/signing", Some("flash.saved")))
}
