//! The kitchen's write paths as store commands: each is one function that runs inside the
//! caller's transaction, guards every date it touches (`periods::ensure_open`), makes the
//! change through the canteen store (meal changes only through `transition`) and writes its
//! audit record. Handlers parse, authorise, call one of these, and answer.

use crate::audit::{self, Actor, Entry};
use crate::canteen::ordering::Who;
use crate::canteen::service::{self, Serve};
use crate::canteen::store::{self, NewOption};
use crate::canteen::week;
use crate::db::DbConn;
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde_json::json;

/// A new option on a day's menu, with dishes from the catalogue.
pub struct OptionInput<'a> {
    pub day: NaiveDate,
    pub name: &'a str,
    pub price: Vnd,
    pub capacity: Option<i32>,
    pub vegetarian: bool,
    pub dish_ids: &'a [i32],
}

pub fn add_option(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    o: &OptionInput<'_>,
) -> Result<i32, AppError> {
    crate::periods::ensure_open(c, o.day)?;
    if o.day < crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("menu.err_past_day"));
    }
    let dishes = option_dishes(c, o.dish_ids, o.vegetarian, &[])?;
    let new = NewOption {
        service_date: o.day,
        name: o.name,
        price_vnd: o.price,
        capacity: o.capacity,
        vegetarian: o.vegetarian,
        dishes: &dishes,
    };
    let id = store::add_option(c, &new)?.map_err(AppError::BadRequest)?;
    audit::record(
        c,
        actor,
        now,
        Entry::new("menu_option.add", "meal_option")
            .id(id)
            .after(json!({"date": o.day, "name": o.name, "price_vnd": o.price,
                "capacity": o.capacity, "vegetarian": o.vegetarian, "dishes": names(&dishes)})),
    )?;
    Ok(id)
}

/// The catalogue dishes an option is to hold, checked: at least one, every id known and in use
/// (or already on the option: `kept`), and only vegetarian dishes in a vegetarian option (the
/// safety rule staff rely on: lunar-vegetarian standing orders take that option without
/// looking).
fn option_dishes(
    c: &mut DbConn,
    ids: &[i32],
    vegetarian: bool,
    kept: &[i32],
) -> Result<Vec<store::Dish>, AppError> {
    if ids.is_empty() {
        return Err(AppError::BadRequest("menu.err_no_dishes"));
    }
    let all = store::all_dishes(c)?;
    let mut list = Vec::new();
    for id in ids {
        let d = all
            .iter()
            .find(|d| d.id == *id)
            .ok_or(AppError::BadRequest("err.bad_form"))?;
        if !d.active && !kept.contains(&d.id) {
            return Err(AppError::BadRequest("menu.err_dish_out_of_use"));
        }
        if !list.iter().any(|x: &store::Dish| x.id == d.id) {
            list.push(d.clone());
        }
    }
    if vegetarian && list.iter().any(|d| !d.vegetarian) {
        return Err(AppError::BadRequest("menu.err_meat_in_vegetarian"));
    }
    Ok(list)
}

fn names(list: &[store::Dish]) -> String {
    list.iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An option as the kitchen edits it.
pub struct OptionEdit<'a> {
    pub id: i32,
    pub name: &'a str,
    pub price: Vnd,
    pub capacity: Option<i32>,
    pub vegetarian: bool,
    pub dish_ids: &'a [i32],
    /// The option as the edit page showed it ([`option_fingerprint`]); a page shown before
    /// another save is refused. `None` (a client that is not the page): not checked.
    pub seen: Option<&'a str>,
}

/// What an option's edit page shows of it, as a short fingerprint carried by the form: its
/// name, price, capacity, kind and dishes in their order.
pub fn option_fingerprint(o: &store::MealOption, dish_ids: &[i32]) -> String {
    crate::ui::seen::of(&(&o.name, o.price_vnd.0, o.capacity, o.vegetarian, dish_ids))
}

/// What an edit did: the option's day, and how many people were told their dishes changed.
pub struct Edited {
    pub day: NaiveDate,
    pub notified: usize,
}

/// Store command: the kitchen edits an option, also after it was published. A new price
/// applies to meals ordered from now on (meals ordered keep theirs); the capacity cannot go
/// below what is already ordered; a vegetarian option with orders stays vegetarian; the dishes
/// kept keep their order; when its name or dishes change and people have ordered it, each of
/// them (with an account) is told on their next visit. A day that is over cannot change. Audited
/// before → after.
pub fn update_option(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    e: &OptionEdit<'_>,
) -> Result<Edited, AppError> {
    let o = store::option(c, e.id)?.ok_or(AppError::NotFound)?;
    crate::periods::ensure_open(c, o.service_date)?;
    if o.service_date < crate::clock::business_date_of(now) {
        return Err(AppError::BadRequest("menu.err_past_day_edit"));
    }
    store::lock_days(c, o.service_date, o.service_date, true)?;
    let before = store::dishes_of(c, &[e.id])?
        .remove(&e.id)
        .unwrap_or_default();
    let kept: Vec<i32> = before.iter().map(|d| d.id).collect();
    // Refused when shown before another save, unless it sends what the option now is (a
    // change saved already: the second send of a double click), which changes nothing.
    let already = {
        let (mut sent, mut now) = (e.dish_ids.to_vec(), kept.clone());
        sent.sort_unstable();
        now.sort_unstable();
        (e.name, e.price, e.capacity, e.vegetarian, sent)
            == (o.name.as_str(), o.price_vnd, o.capacity, o.vegetarian, now)
    };
    if !already
        && e.seen
            .is_some_and(|seen| seen != option_fingerprint(&o, &kept))
    {
        return Err(AppError::BadRequest(crate::ui::seen::CHANGED));
    }
    // The form lists dishes by name: the dishes kept keep the option's order, new ones follow.
    let mut wanted: Vec<i32> = before
        .iter()
        .map(|d| d.id)
        .filter(|id| e.dish_ids.contains(id))
        .collect();
    for id in e.dish_ids {
        if !wanted.contains(id) {
            wanted.push(*id);
        }
    }
    let dishes = option_dishes(c, &wanted, e.vegetarian, &kept)?;
    let used = crate::canteen::ordering::used(c, e.id)?;
    if e.capacity.is_some_and(|cap| (cap as i64) < used) {
        return Err(AppError::BadRequest("menu.err_capacity_below_orders"));
    }
    if o.vegetarian && !e.vegetarian && used > 0 {
        return Err(AppError::BadRequest("menu.err_vegetarian_in_use"));
    }
    let edit = NewOption {
        service_date: o.service_date,
        name: e.name,
        price_vnd: e.price,
        capacity: e.capacity,
        vegetarian: e.vegetarian,
        dishes: &dishes,
    };
    store::update_option(c, e.id, &edit)?.map_err(AppError::BadRequest)?;
    use crate::canteen::notices::{tell_option_changed, Notes};
    let notified = tell_option_changed(c, &o, Notes::AsShown, actor.user_id, now)?.len();
    let mut after = json!({"name": e.name, "price_vnd": e.price, "capacity": e.capacity,
        "vegetarian": e.vegetarian, "dishes": names(&dishes)});
    if notified > 0 {
        after["people_notified"] = json!(notified);
    }
    let before = json!({"name": o.name, "price_vnd": o.price_vnd, "capacity": o.capacity,
        "vegetarian": o.vegetarian, "dishes": names(&before)});
    audit::record(
        c,
        actor,
        now,
        Entry::new("menu_option.update", "meal_option")
            .id(e.id)
            .before(before)
            .after(after),
    )?;
    Ok(Edited {
        day: o.service_date,
        notified,
    })
}

pub fn delete_option(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
) -> Result<NaiveDate, AppError> {
    let o = store::option(c, id)?.ok_or(AppError::NotFound)?;
    crate::periods::ensure_open(c, o.service_date)?;
    store::delete_option(c, id)?.map_err(AppError::BadRequest)?;
    audit::record(
        c,
        actor,
        now,
        Entry::new("menu_option.delete", "meal_option")
            .id(id)
            .before(json!({"date": o.service_date, "name": o.name, "price_vnd": o.price_vnd})),
    )?;
    Ok(o.service_date)
}

/// Copies a week's options (with their prices) to the next week; days that already have
/// options are left alone. Audited: prices are money.
pub fn copy_week(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    monday: NaiveDate,
) -> Result<usize, AppError> {
    let next = monday + Duration::days(7);
    let src = store::options_between(c, monday, monday + Duration::days(6))?;
    let have = store::options_between(c, next, next + Duration::days(6))?;
    let mut copied = Vec::new();
    for o in src {
        let day = o.service_date + Duration::days(7);
        if have.iter().any(|h| h.service_date == day) {
            continue;
        }
        crate::periods::ensure_open(c, day)?;
        let dishes = store::dishes_of(c, &[o.id])?
            .remove(&o.id)
            .unwrap_or_default();
        let n = NewOption {
            service_date: day,
            name: &o.name,
            price_vnd: o.price_vnd,
            capacity: o.capacity,
            vegetarian: o.vegetarian,
            dishes: &dishes,
        };
        if let Ok(id) = store::add_option(c, &n)? {
            copied.push(json!({"id": id, "date": day, "name": o.name, "price_vnd": o.price_vnd}));
        }
    }
    let n = copied.len();
    if n > 0 {
        audit::record(
            c,
            actor,
            now,
            Entry::new("menu_option.copy_week", "meal_option")
                .after(json!({"from_week": monday, "to_week": next, "options": copied})),
        )?;
    }
    Ok(n)
}

/// The counter: who a code is, and their meal of `day` served.
pub fn scan(
    c: &mut DbConn,
    code: &str,
    day: NaiveDate,
    by: i32,
    late: bool,
    now: NaiveDateTime,
) -> Result<Option<(i32, Serve)>, AppError> {
    let Some(person) = service::person_for_code(c, code)? else {
        return Ok(None);
    };
    Ok(Some((
        person,
        service::serve(c, person, day, by, late, now)?,
    )))
}

/// Undoes a serve (by the order's id and the instant of the serve the cook saw) or a walk-in
/// (by its id) within 10 minutes. Returns the person and what was done; an undo is recorded in
/// `order_events` and in the audit log. Too late is a refusal the counter shows on the
/// person's card; nothing left to undo (a second click, another tab) changes nothing.
pub fn undo(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    order: Option<(i32, Option<NaiveDateTime>)>,
    walk_in: Option<i32>,
) -> Result<(i32, service::Undo), AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let (person, done, entry) = match (order, walk_in) {
        (Some((id, serve)), None) => {
            let (person, done) =
                service::undo_serve(c, id, serve, by, now)?.ok_or(AppError::NotFound)?;
            (person, done, Entry::new("serve.undo", "order").id(id))
        }
        (None, Some(id)) => {
            let (person, done) =
                service::undo_walk_in(c, id, by, now)?.ok_or(AppError::NotFound)?;
            (
                person,
                done,
                Entry::new("serve.walk_in_void", "walk_in").id(id),
            )
        }
        _ => return Err(AppError::BadRequest("err.bad_form")),
    };
    if done == service::Undo::Undone {
        audit::record(c, actor, now, entry)?;
    }
    Ok((person, done))
}

/// Serves someone without a meal today at the option's full price (when walk-ins are allowed).
/// `Ok(Err(key))` is a refusal the counter shows on the person's card (walk-ins not allowed,
/// the person has a meal or a walk-in already, the option is not today's).
pub fn walk_in(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    day: NaiveDate,
    person: i32,
    option: i32,
) -> Result<Result<i32, &'static str>, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    crate::people::store::person(c, person)?.ok_or(AppError::NotFound)?;
    if !store::load_settings(c)?.allow_walk_in {
        return Ok(Err("counter.err_no_walk_in"));
    }
    let Some(opt) = store::option(c, option)?.filter(|o| o.service_date == day) else {
        return Ok(Err("order.err_unknown_option"));
    };
    let id = match service::walk_in(c, person, &opt, by, now)? {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    audit::record(
        c,
        actor,
        now,
        Entry::new("serve.walk_in", "walk_in")
            .id(id)
            .after(json!({"person_id": person, "option_id": opt.id, "price_vnd": opt.price_vnd})),
    )?;
    Ok(Ok(id))
}

/// Close service: every meal still only ordered becomes a no-show. Returns how many.
/// While a dish of the day has no passing before-serving check (step 3 of the food-safety
/// records) closing needs a reason, which is audited as an override.
pub fn close_service(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    day: NaiveDate,
    override_reason: &str,
) -> Result<usize, AppError> {
    let by = actor.user_id.ok_or(AppError::Forbidden)?;
    let uncleared = crate::foodsafety::store::not_cleared(c, day)?;
    if !uncleared.is_empty() {
        let reason = override_reason.trim();
        if reason.is_empty() {
            return Err(AppError::BadRequest("counter.err_not_cleared"));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::BadRequest("counter.err_reason_long"));
        }
        audit::record(
            c,
            actor,
            now,
            Entry::new("food_check.override", "service_day")
                .after(json!({"day": day, "dishes": uncleared, "reason": reason})),
        )?;
    }
    let n = service::close_service(c, day, by, now)?;
    audit::record(
        c,
        actor,
        now,
        Entry::new("service.close", "service_day").after(json!({"day": day, "no_shows": n})),
    )?;
    Ok(n)
}

/// A week submitted for a person: by themself, or by the kitchen on their behalf (audited).
/// Err(days, problems) re-shows the week with each day's problem.
pub type WeekOutcome = Result<usize, (crate::canteen::week::Grid, crate::canteen::week::Sent)>;

pub fn submit_week(
    c: &mut DbConn,
    actor: Option<&Actor>,
    who: &Who,
    pairs: &[(String, String)],
    now: DateTime<Utc>,
    menus: &crate::canteen::menu::cache::MenuCache,
) -> Result<WeekOutcome, AppError> {
    if actor.is_some() {
        // On behalf: the person must exist (staff submit for themselves, known by session).
        crate::people::store::person(c, who.person_id)?.ok_or(AppError::NotFound)?;
    }
    match week::submit(c, who, pairs, now, menus)? {
        Ok(n) => {
            if let Some(actor) = actor.filter(|_| !n.changes.is_empty()) {
                // Each day's meal before → after and which changed after the cut-off; the
                // meal history has each change too. The person (if they have an account) is
                // told on their next visit.
                let nowt = crate::clock::truncate_micros(now.naive_utc());
                for ch in &n.changes {
                    let detail = json!({"before": ch.before, "after": ch.after,
                        "late": n.late.contains(&ch.day)});
                    crate::canteen::notices::notify_all(
                        c,
                        &[who.person_id],
                        ch.day,
                        crate::canteen::notices::MEAL_CHANGED,
                        &detail,
                        actor.user_id,
                        nowt,
                    )?;
                }
                let days: Vec<_> = n
                    .changes
                    .iter()
                    .map(|ch| json!({"day": ch.day, "before": ch.before, "after": ch.after}))
                    .collect();
                audit::record(
                    c,
                    actor,
                    nowt,
                    Entry::new("orders.on_behalf", "person")
                        .id(who.person_id)
                        .after(json!({"days": days, "after_cutoff": n.late})),
                )?;
            }
            Ok(Ok(n.days.len()))
        }
        Err(sent) => Ok(Err((
            week::load(c, who.person_id, now, menus, actor.is_some())?,
            sent,
        ))),
    }
}

/// A standing order saved (or stopped); the person's meals on days that can still change
/// follow it at once.
pub fn save_standing(
    c: &mut DbConn,
    person: i32,
    standing: Option<&crate::canteen::rules::Standing>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let nowt = crate::clock::truncate_micros(now.naive_utc());
    let s = store::load_settings(c)?;
    let days = crate::canteen::standing::editable_days(c, now, &s)?;
    let span = days.first().zip(days.last()).map(|(f, l)| (f.day, l.day));
    store::lock_person_days(c, span, person)?;
    crate::canteen::standing::save_standing(c, person, standing, nowt)?;
    crate::canteen::standing::sync_person(c, person, &days, nowt)
}

/// The canteen settings (cut-off, horizon, walk-ins), audited before → after.
pub fn save_settings(
    c: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    s: &crate::canteen::rules::Settings,
) -> Result<(), AppError> {
    let before = store::load_settings(c)?;
    store::save_settings(c, s)?;
    let snap = |s: &crate::canteen::rules::Settings| json!({"cutoff": s.cutoff.format("%H:%M").to_string(), "horizon_days": s.horizon_days, "allow_walk_in": s.allow_walk_in});
    audit::record(
        c,
        actor,
        now,
        Entry::new("canteen_settings.update", "settings")
            .before(snap(&before))
            .after(snap(s)),
    )
}

/// A person's leaving, retirement or death recorded, moved or undone: `was` / `is` are the
/// first days without meals before and after (None: still eats). Meals and guest meals from
/// the later of that day and today are cancelled with the cause "person left"; meals that
/// cause cancelled come back when the leaving is undone or moved later (not the ones the
/// person cancelled) — when `restore`: not from one end to another (retired, then died).
pub fn person_gone_changed(
    c: &mut DbConn,
    person: i32,
    was: Option<NaiveDate>,
    is: Option<NaiveDate>,
    restore: bool,
    by_user: Option<i32>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    use crate::canteen::states::Cause;
    use crate::canteen::transition::{self, By};
    let today = crate::clock::business_date_of(now);
    let by = By::new(by_user, crate::canteen::states::Source::People);
    let s = store::load_settings(c)?;
    let editable = crate::canteen::standing::editable_days(c, now.and_utc(), &s)?;
    // The documented lock order: days, then the person.
    let span = editable
        .first()
        .zip(editable.last())
        .map(|(f, l)| (f.day, l.day));
    store::lock_person_days(c, span, person)?;
    let mut n = 0;
    let restore = restore && was.is_some();
    if restore {
        let abs = crate::canteen::standing::absences_of(c, person, today)?;
        let absent_by = |d: NaiveDate| crate::canteen::standing::covering(&abs, person, d);
        n += transition::restore_for(
            c,
            person,
            today,
            Cause::PersonLeft,
            None,
            &absent_by,
            &by,
            now,
        )?;
    }
    if restore {
        // Standing orders fill the days that have no meal row (menus published meanwhile).
        let until = is.unwrap_or(NaiveDate::MAX);
        let days: Vec<_> = editable.iter().filter(|d| d.day < until).cloned().collect();
        n += crate::canteen::standing::sync_person(c, person, &days, now)?;
    }
    if let Some(from) = is {
        let days = crate::canteen::ordering::days_with_rows_from(c, person, from.max(today))?;
        n += transition::cancel_for(c, person, &days, Cause::PersonLeft, None, &by, now)?;
    }
    Ok(n)
}
