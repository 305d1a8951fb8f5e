//! One dish on one day: step 2 (during processing), step 3 (before serving) and its sample.

use super::day::{at, day_of, iso, verdict};
use super::rules;
use super::store::{self, DayRecords, NewSample, Prep, Serve};
use crate::audit::Actor;
use crate::auth::middleware::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::forms::{error_list, post_form, FieldErrors, Form, Input};
use crate::ui::{html_invalid, layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct PrepForm {
    date: String,
    #[serde(default)]
    started: String,
    #[serde(default)]
    finished: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    tools: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    sensory: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ServeForm {
    date: String,
    #[serde(default)]
    ready: String,
    #[serde(default)]
    covered: String,
    #[serde(default)]
    sensory: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct SampleForm {
    date: String,
    #[serde(default)]
    taken: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    storage: String,
    #[serde(default)]
    container: String,
}

#[derive(Default)]
struct Shown {
    prep: Option<(PrepForm, FieldErrors)>,
    serve: Option<(ServeForm, FieldErrors)>,
    sample: Option<(SampleForm, FieldErrors)>,
}

async fn load(state: &AppState, day: NaiveDate, dish: i32) -> Result<DayRecords, AppError> {
    let rec = state.db.read(move |c| store::day_records(c, day)).await?;
    if !rec.dishes.iter().any(|d| d.id == dish) {
        return Err(AppError::NotFound);
    }
    Ok(rec)
}

/// A day on which checks may be recorded (`day::recordable`).
fn recordable(s: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let day = day_of(Some(s), today)?;
    super::day::recordable(day, today)?;
    Ok(day)
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
    q: web::Query<super::day::DayQuery>,
) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let day = recordable(q.date.as_deref().unwrap_or(""), today)?;
    let dish = id.into_inner();
    let rec = load(&state, day, dish).await?;
    Ok(view(&ctx, &rec, dish, &Shown::default(), &state))
}

fn ok_select(
    ctx: &Ctx,
    e: &FieldErrors,
    (scope, name): (&str, &'static str),
    label: &str,
    v: &str,
) -> Markup {
    let id = format!("f-{scope}-{name}");
    let err = e.get(name);
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) required {
                option value="" selected[v.is_empty()] { (ctx.t("fs.choose")) }
                option value="ok" selected[v == "ok"] { (ctx.t("fs.pass")) }
                option value="fail" selected[v == "fail"] { (ctx.t("fs.fail")) }
            }
            @if let Some(k) = err { p.error { (ctx.t(k)) } }
        }
    }
}

fn flag(b: bool) -> String {
    if b { "ok" } else { "fail" }.to_string()
}

fn view(ctx: &Ctx, rec: &DayRecords, dish: i32, shown: &Shown, state: &AppState) -> Markup {
    let day = rec.day;
    let name = rec.dish_name(dish);
    let liquid = rec.dishes.iter().any(|d| d.id == dish && d.liquid);
    let now_hm = rules::local_hm(state.clock.now_naive());
    let prep = rec.preps.iter().find(|p| p.dish_id == dish);
    let serve = rec.serves.iter().find(|s| s.dish_id == dish);
    let sample = rec.samples.iter().find(|s| s.dish_id == dish);
    let (pf, pe) = shown.prep.clone().unwrap_or_else(|| {
        (
            prep.map(|p| PrepForm {
                date: iso(day),
                started: rules::local_hm(p.started_at),
                finished: rules::local_hm(p.finished_at),
                people: flag(p.people_ok),
                tools: flag(p.tools_ok),
                area: flag(p.area_ok),
                sensory: flag(p.sensory_ok),
                note: p.note.clone(),
            })
            .unwrap_or_default(),
            FieldErrors::default(),
        )
    });
    let (sf, se) = shown.serve.clone().unwrap_or_else(|| {
        (
            serve
                .map(|s| ServeForm {
                    date: iso(day),
                    ready: rules::local_hm(s.ready_at),
                    covered: flag(s.covered_ok),
                    sensory: flag(s.sensory_ok),
                    note: s.note.clone(),
                })
                .unwrap_or_else(|| ServeForm {
                    ready: now_hm.clone(),
                    ..ServeForm::default()
                }),
            FieldErrors::default(),
        )
    });
    let (mf, me) = shown.sample.clone().unwrap_or_else(|| {
        (
            SampleForm {
                taken: now_hm.clone(),
                amount: rules::min_sample(liquid).to_string(),
                storage: "4".into(),
                ..SampleForm::default()
            },
            FieldErrors::default(),
        )
    });
    let base = format!("/kitchen/food-safety/checks/{dish}");
    let unit = ctx.t(if liquid { "fs.ml" } else { "fs.g" });
    layout::page(
        ctx,
        ctx.t("fs.check_title"),
        html! {
            h1 { (ctx.tf("fs.check_title_for", format!("{name} — {}", date(day)))) }
            p { a href={ "/kitchen/food-safety?date=" (iso(day)) } { "← " (ctx.t("fs.back_to_day")) } }
            div.card {
                h2 { (ctx.t("fs.step2")) }
                @if let Some(p) = prep { p { (ctx.t("fs.recorded")) ": " (verdict(ctx, p.passed())) " · " (rec.name(p.checked_by)) } }
                (error_list(ctx, &pe))
                (post_form(ctx, &format!("{base}/prep"), html! {
                    input type="hidden" name="date" value=(iso(day));
                    (Input::text("started", ctx.t("fs.started"), &pf.started).kind("time").required().scope("prep").render(ctx, &pe))
                    (Input::text("finished", ctx.t("fs.finished"), &pf.finished).kind("time").required().scope("prep").render(ctx, &pe))
                    (ok_select(ctx, &pe, ("prep", "people"), ctx.t("fs.people_ok"), &pf.people))
                    (ok_select(ctx, &pe, ("prep", "tools"), ctx.t("fs.tools_ok"), &pf.tools))
                    (ok_select(ctx, &pe, ("prep", "area"), ctx.t("fs.area_ok"), &pf.area))
                    (ok_select(ctx, &pe, ("prep", "sensory"), ctx.t("fs.sensory"), &pf.sensory))
                    (Input::text("note", ctx.t("fs.note"), &pf.note).scope("prep").render(ctx, &pe))
                    button type="submit" { (ctx.t("fs.save_step2")) }
                }))
            }
            div.card {
                h2 { (ctx.t("fs.step3")) }
                @if let Some(s) = serve { p { (ctx.t("fs.recorded")) ": " (verdict(ctx, s.passed())) " · " (rec.name(s.checked_by)) } }
                (error_list(ctx, &se))
                (post_form(ctx, &format!("{base}/serve"), html! {
                    input type="hidden" name="date" value=(iso(day));
                    (Input::text("ready", ctx.t("fs.ready"), &sf.ready).kind("time").required().scope("serve").render(ctx, &se))
                    (ok_select(ctx, &se, ("serve", "covered"), ctx.t("fs.covered_ok"), &sf.covered))
                    (ok_select(ctx, &se, ("serve", "sensory"), ctx.t("fs.sensory"), &sf.sensory))
                    (Input::text("note", ctx.t("fs.note"), &sf.note).scope("serve").render(ctx, &se))
                    button type="submit" { (ctx.t("fs.save_step3")) }
                }))
            }
            div.card {
                h2 { (ctx.t("fs.sample")) }
                (error_list(ctx, &me))
                @if let Some(s) = sample {
                    p { (ctx.t("fs.recorded")) ": " (s.amount) " " (unit) " · " (rules::show_temperature(s.storage_dt)) " · " (at(s.taken_at)) " · " (rec.name(s.taken_by)) }
                    @if let Some(t) = s.discarded_at { p { (ctx.t("fs.discarded")) ": " (at(t)) " · " (s.discarded_by.map(|b| rec.name(b)).unwrap_or("")) } }
                } @else {
                    (post_form(ctx, &format!("{base}/sample"), html! {
                        input type="hidden" name="date" value=(iso(day));
                        (Input::text("taken", ctx.t("fs.taken"), &mf.taken).kind("time").required().scope("sample").render(ctx, &me))
                        (Input::text("amount", &format!("{} ({unit})", ctx.t("fs.amount")), &mf.amount).kind("number").required()
                            .hint(&ctx.tf("fs.min_hint", format!("{} {unit}", rules::min_sample(liquid)))).scope("sample").render(ctx, &me))
                        (Input::text("storage", ctx.t("fs.storage"), &mf.storage).required().hint(ctx.t("fs.storage_hint")).scope("sample").render(ctx, &me))
                        (Input::text("container", ctx.t("fs.container"), &mf.container).scope("sample").render(ctx, &me))
                        button type="submit" { (ctx.t("fs.save_sample")) }
                    }))
                }
            }
        },
    )
}

fn passed(v: &str) -> Option<bool> {
    match v {
        "ok" => Some(true),
        "fail" => Some(false),
        _ => None,
    }
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.user_id, &user.username)
}

/// Maps a store refusal to the field it concerns, or passes other errors on.
fn refusal(
    e: AppError,
    errors: &mut FieldErrors,
    field_of: impl Fn(&str) -> &'static str,
) -> Result<(), AppError> {
    match e {
        AppError::BadRequest(k) if k != "fs.err_not_on_menu" => {
            errors.add(field_of(k), k);
            Ok(())
        }
        other => Err(other),
    }
}

pub async fn save_prep(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<PrepForm>,
) -> Result<HttpResponse, AppError> {
    let dish = id.into_inner();
    let day = recordable(&f.date, state.clock.today())?;
    let mut e = FieldErrors::default();
    let started = rules::time_on(day, &f.started);
    let finished = rules::time_on(day, &f.finished);
    if started.is_none() {
        e.add("started", "fs.err_time");
    }
    if finished.is_none() {
        e.add("finished", "fs.err_time");
    }
    let checks: Vec<Option<bool>> = [&f.people, &f.tools, &f.area, &f.sensory]
        .iter()
        .map(|v| passed(v))
        .collect();
    for (i, name) in ["people", "tools", "area", "sensory"]
        .into_iter()
        .enumerate()
    {
        if checks[i].is_none() {
            e.add(name, "fs.err_choose");
        }
    }
    let note = crate::ui::forms::bounded_text(&f.note, 500);
    if note.is_none() {
        e.add("note", "fs.err_note");
    }
    if let (true, Some(s), Some(fi), Some(note)) = (e.is_empty(), started, finished, note) {
        let p = Prep {
            dish_id: dish,
            started_at: s,
            finished_at: fi,
            people_ok: checks[0] == Some(true),
            tools_ok: checks[1] == Some(true),
            area_ok: checks[2] == Some(true),
            sensory_ok: checks[3] == Some(true),
            note,
            checked_by: user.user_id,
        };
        let (a, now) = (actor(&user), state.clock.now_naive());
        match state
            .db
            .write(move |c| store::record_prep(c, &a, now, day, &p))
            .await
        {
            Ok(()) => return Ok(saved(day)),
            Err(err) => refusal(err, &mut e, |k| match k {
                "fs.err_fail_note" => "note",
                _ => "finished",
            })?,
        }
    }
    let rec = load(&state, day, dish).await?;
    let shown = Shown {
        prep: Some((f, e)),
        ..Shown::default()
    };
    Ok(html_invalid(view(&ctx, &rec, dish, &shown, &state)))
}

fn saved(day: NaiveDate) -> HttpResponse {
    see_other(
        &format!("/kitchen/food-safety?date={}", iso(day)),
        Some("flash.saved"),
    )
}

pub async fn save_serve(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<ServeForm>,
) -> Result<HttpResponse, AppError> {
    let dish = id.into_inner();
    let day = recordable(&f.date, state.clock.today())?;
    let mut e = FieldErrors::default();
    let ready = rules::time_on(day, &f.ready);
    if ready.is_none() {
        e.add("ready", "fs.err_time");
    }
    let (covered, sensory) = (passed(&f.covered), passed(&f.sensory));
    if covered.is_none() {
        e.add("covered", "fs.err_choose");
    }
    if sensory.is_none() {
        e.add("sensory", "fs.err_choose");
    }
    let note = crate::ui::forms::bounded_text(&f.note, 500);
    if note.is_none() {
        e.add("note", "fs.err_note");
    }
    if let (true, Some(r), Some(c), Some(s), Some(note)) =
        (e.is_empty(), ready, covered, sensory, note)
    {
        let sv = Serve {
            dish_id: dish,
            ready_at: r,
            covered_ok: c,
            sensory_ok: s,
            note,
            checked_by: user.user_id,
        };
        let (a, now) = (actor(&user), state.clock.now_naive());
        match state
            .db
            .write(move |c| store::record_serve(c, &a, now, day, &sv))
            .await
        {
            Ok(()) => return Ok(saved(day)),
            Err(err) => refusal(err, &mut e, |k| match k {
                "fs.err_fail_note" => "note",
                _ => "ready",
            })?,
        }
    }
    let rec = load(&state, day, dish).await?;
    let shown = Shown {
        serve: Some((f, e)),
        ..Shown::default()
    };
    Ok(html_invalid(view(&ctx, &rec, dish, &shown, &state)))
}

pub async fn save_sample(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    id: web::Path<i32>,
    Form(f): Form<SampleForm>,
) -> Result<HttpResponse, AppError> {
    let dish = id.into_inner();
    let day = recordable(&f.date, state.clock.today())?;
    let mut e = FieldErrors::default();
    let taken = rules::time_on(day, &f.taken);
    if taken.is_none() {
        e.add("taken", "fs.err_time");
    }
    let amount: Option<i32> = f.amount.trim().parse().ok().filter(|a| *a > 0);
    if amount.is_none() {
        e.add("amount", "fs.err_amount");
    }
    let storage = rules::parse_temperature(&f.storage);
    if storage.is_none() {
        e.add("storage", "fs.err_storage");
    }
    let container = crate::ui::forms::bounded_text(&f.container, 100);
    if container.is_none() {
        e.add("container", "fs.err_note");
    }
    if let (true, Some(t), Some(a), Some(s), Some(container)) =
        (e.is_empty(), taken, amount, storage, container)
    {
        let n = NewSample {
            dish_id: dish,
            taken_at: t,
            amount: a,
            storage_dt: s,
            container,
        };
        let (act, now) = (actor(&user), state.clock.now_naive());
        match state
            .db
            .write(move |c| store::take_sample(c, &act, now, day, &n))
            .await
        {
            Ok(_) => return Ok(saved(day)),
            Err(err) => refusal(err, &mut e, |k| match k {
                "fs.err_storage" => "storage",
                "fs.err_future_time"
                | "fs.err_sample_taken"
                | "fs.err_order"
                | "fs.err_no_prep"
                | "fs.err_incident_lock" => "taken",
                _ => "amount",
            })?,
        }
    }
    let rec = load(&state, day, dish).await?;
    let shown = Shown {
        sample: Some((f, e)),
        ..Shown::default()
    };
    Ok(html_invalid(view(&ctx, &rec, dish, &shown, &state)))
}
