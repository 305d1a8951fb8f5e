//! The two-week ordering grid, shared by "My week" (staff) and "orders on behalf" (kitchen).

use crate::canteen::forms::{parse_week, shown_value, WeekFormError};
use crate::canteen::menu::cache::{MenuCache, MenuSnapshot, REACH_DAYS};
use crate::canteen::ordering::{self, DayMeal, DayProblems, Who, Wish, CANCELLED, SERVED};
use crate::canteen::rules::{self, DayRow, Lock};
use crate::canteen::standing;
use crate::canteen::store::MealOption;
use crate::clock::business_offset;
use crate::db::DbConn;
use crate::error::AppError;
use crate::ui::format::{date, DateText};
use crate::ui::forms::post_form;
use crate::ui::{Ctx, Esc};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;

pub struct DayView {
    pub day: NaiveDate,
    /// Places left per option that has a capacity.
    pub left: HashMap<i32, i64>,
    pub row: Option<DayRow>,
    pub options: Vec<Arc<MealOption>>,
    /// The options' mark as the form carries it (`menu::store::day_hash`).
    pub menu_mark: u64,
    pub order: Option<DayMeal>,
    /// The walk-in the person was served that day, at the counter without an order.
    pub walk_in: Option<DayMeal>,
    pub guests: i32,
    /// The option the guests eat (when there are guests).
    pub guest_option: Option<i32>,
    pub lock: Option<Lock>,
    /// Past the cut-off, and open only because the kitchen is the one changing it (a change
    /// is recorded as late).
    pub late: bool,
    pub cutoff: DateTime<Utc>,
    /// The kind of the person's declared absence covering the day (`leave`, `business_trip`).
    pub absence: Option<String>,
}

impl DayView {
    pub fn meal(&self) -> Option<&DayMeal> {
        self.order.as_ref().filter(|o| o.status != CANCELLED)
    }
    /// Whether the day's meal is eaten: served at the counter, or a walk-in there without an
    /// order. It can no longer be changed, whoever asks.
    pub fn meal_done(&self) -> bool {
        self.walk_in.is_some() || self.meal().is_some_and(|m| m.status == SERVED)
    }
    /// Whether the grid offers the day's choice of a meal: the day is open and its meal not
    /// eaten yet. (Guests follow the day's lock alone.)
    pub fn takes_a_choice(&self) -> bool {
        self.lock.is_none() && !self.meal_done()
    }
    /// Whether nothing is decided for the day yet while it can be: no meal ordered, none
    /// cancelled ("Không ăn" is a decision too), no guests, and options to choose from.
    pub fn undecided(&self) -> bool {
        self.takes_a_choice()
            && self.order.is_none()
            && self.guests == 0
            && !self.options.is_empty()
    }
    pub fn option_name(&self, id: i32) -> &str {
        self.options
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.as_str())
            .unwrap_or("")
    }
}

/// The days the grid shows: from Monday of this week (from today at a weekend, when this
/// week is over) to the later of Sunday of next week and the last day of the ordering horizon,
/// so every day that can be ordered is on the page.
pub fn span(today: NaiveDate, horizon_days: i64) -> (NaiveDate, NaiveDate) {
    let monday = rules::monday_of(today);
    let from = if matches!(today.weekday(), Weekday::Sat | Weekday::Sun) {
        today
    } else {
        monday
    };
    (
        from,
        (monday + Duration::days(13)).max(today + Duration::days(horizon_days)),
    )
}

/// The business day (Asia/Ho_Chi_Minh) of an instant.
pub fn business_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&business_offset()).date_naive()
}

/// The grid of one person, and what the staff page shows beside it.
pub struct Grid {
    pub days: Vec<DayView>,
    pub allergens: String,
    /// Unread, oldest first.
    pub notices: Vec<crate::canteen::notices::Notice>,
}

/// The grid's days: weekdays and any opened weekend day of [`span`]. For the kitchen
/// (`kitchen`), a day past its cut-off but not over stays open: late phone orders. The
/// person's rows come in one statement ([`ordering::person_week`]); the menus from `menus`
/// while its copy is as new as the counter read with them.
pub fn load(
    conn: &mut DbConn,
    person: i32,
    now: DateTime<Utc>,
    menus: &MenuCache,
    kitchen: bool,
) -> Result<Grid, AppError> {
    let (first, farthest) = window(business_today(now));
    let mine = ordering::person_week(conn, person, first, farthest)?;
    assemble_on(conn, mine, now, menus, kitchen)
}

/// [`assemble`] with a connection, which always gives the grid.
pub fn assemble_on(
    conn: &mut DbConn,
    mine: ordering::PersonWeek,
    now: DateTime<Utc>,
    menus: &MenuCache,
    kitchen: bool,
) -> Result<Grid, AppError> {
    assemble(Some(conn), mine, now, menus, kitchen)?
        .map_err(|_| AppError::internal("week: a grid with a connection asked for one"))
}

/// The days whose rows [`load`] reads for the grid of `today`: its first day does not depend
/// on the settings, its last is at most REACH_DAYS ahead, so the person's rows can be read
/// before the menus (and with the session: `ordering::session_week`).
pub fn window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (span(today, 1).0, today + Duration::days(REACH_DAYS))
}

/// The grid from the person's rows `mine` (read for [`window`]). Without a connection it
/// gives `mine` back (`Ok(Err(mine))`) when it needs the database: the menus changed since
/// they were kept, or an option of the grid has a capacity to count.
pub fn assemble(
    mut conn: Option<&mut DbConn>,
    mine: ordering::PersonWeek,
    now: DateTime<Utc>,
    menus: &MenuCache,
    kitchen: bool,
) -> Result<Result<Grid, ordering::PersonWeek>, AppError> {
    let today = business_today(now);
    let (first, farthest) = window(today);
    let menu = match (menus.kept(today, mine.menu_version), conn.as_deref_mut()) {
        (Some(m), _) => m,
        (None, Some(c)) => menus.at_version(c, today, mine.menu_version)?,
        (None, None) => return Ok(Err(mine)),
    };
    // A copy read for another day (a request that crossed midnight) is read again.
    let fresh;
    let menu = if menu.covers(first, farthest) {
        &*menu
    } else if let Some(c) = conn.as_deref_mut() {
        fresh = MenuSnapshot::load(c, today)?;
        &fresh
    } else {
        return Ok(Err(mine));
    };
    let s = &menu.settings;
    let (from, to) = span(today, s.horizon_days);
    // Meals booked further ahead (before the horizon was shortened) are shown too, so they
    // can still be cancelled (the horizon is at most 60 days).
    let orders = &mine.meals;
    let guests = &mine.guests;
    let to = orders
        .iter()
        .filter(|o| o.status != CANCELLED)
        .map(|o| o.service_date)
        .chain(
            guests
                .iter()
                .filter(|g| g.status != CANCELLED)
                .map(|g| g.service_date),
        )
        .fold(to, NaiveDate::max);
    let rows = &menu.rows;
    let absences = &mine.absences;
    let gone = mine
        .status
        .as_ref()
        .and_then(|(status, since)| crate::people::rules::meals_end(status, *since, today));
    let options: Vec<&Arc<MealOption>> = menu.options_between(from, to).collect();
    let limited: Vec<i32> = options
        .iter()
        .filter(|o| o.capacity.is_some())
        .map(|o| o.id)
        .collect();
    let used = match conn {
        _ if limited.is_empty() => HashMap::new(),
        Some(c) => ordering::used_by_option(c, &limited)?,
        None => return Ok(Err(mine)),
    };
    let left: HashMap<i32, i64> = options
        .iter()
        .filter_map(|o| {
            o.capacity.map(|c| {
                (
                    o.id,
                    (c as i64 - used.get(&o.id).copied().unwrap_or(0)).max(0),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        let row = rows.get(&day).cloned();
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if weekend && !rules::is_open(day, row.as_ref()) {
            continue;
        }
        let found = standing::lock_of(day, rows, now, s);
        let past_cutoff = matches!(found, Some(Lock::PastCutoff));
        let lock = match (gone, found) {
            (Some(g), _) if day >= g => Some(Lock::Gone),
            (_, Some(Lock::PastCutoff)) if kitchen => None,
            // Booked before the horizon was shortened: it can still be changed.
            (_, Some(Lock::BeyondHorizon))
                if orders
                    .iter()
                    .any(|o| o.service_date == day && o.status != CANCELLED)
                    || guests
                        .iter()
                        .any(|g| g.service_date == day && g.status != CANCELLED) =>
            {
                None
            }
            (_, lock) => lock,
        };
        out.push(DayView {
            day,
            late: past_cutoff && lock.is_none(),
            left: left
                .iter()
                .filter(|(id, _)| {
                    options
                        .iter()
                        .any(|o| o.id == **id && o.service_date == day)
                })
                .map(|(k, v)| (*k, *v))
                .collect(),
            lock,
            cutoff: rules::cutoff_instant(day, s.cutoff),
            options: options
                .iter()
                .filter(|o| o.service_date == day)
                .map(|o| Arc::clone(o))
                .collect(),
            menu_mark: menu.mark(day),
            order: orders.iter().find(|o| o.service_date == day).cloned(),
            walk_in: mine
                .walk_ins
                .iter()
                .find(|w| w.service_date == day)
                .cloned(),
            guests: guests
                .iter()
                .find(|g| g.service_date == day && g.status != CANCELLED)
                .map(|g| g.guests)
                .unwrap_or(0),
            guest_option: guests
                .iter()
                .find(|g| g.service_date == day && g.status != CANCELLED)
                .map(|g| g.option_id),
            absence: absences
                .iter()
                .find(|(start, end, _)| *start <= day && day <= *end)
                .map(|(_, _, kind)| kind.clone()),
            row,
        });
    }
    Ok(Ok(Grid {
        days: out,
        allergens: mine.allergens,
        notices: mine.notices,
    }))
}

/// A submission that was refused: the problems day by day, and what was sent, so the page can
/// show it again as typed.
#[derive(Debug, Default)]
pub struct Sent {
    pub problems: DayProblems,
    pub wishes: HashMap<NaiveDate, Wish>,
    /// Guest counts that were not a number in range, as typed.
    pub guests_text: HashMap<NaiveDate, String>,
}

impl Sent {
    fn problem(&self, day: NaiveDate) -> Option<&'static str> {
        self.problems.iter().find(|e| e.0 == day).map(|e| e.1)
    }
    /// The option to show checked: the one sent, where the person changed it on the page.
    fn option(&self, day: NaiveDate) -> Option<Option<i32>> {
        self.wishes
            .get(&day)
            .filter(|w| w.shown.is_none_or(|s| s.option_id != w.option_id))
            .map(|w| w.option_id)
    }
    fn guests(&self, day: NaiveDate) -> Option<String> {
        if let Some(t) = self.guests_text.get(&day) {
            return Some(t.clone());
        }
        self.wishes
            .get(&day)
            .filter(|w| w.shown.is_none_or(|s| s.guests != w.guests))
            .map(|w| guests_text(w.guests))
    }
    /// The banner's wording: input to correct, days to look at again, or days that are locked.
    pub fn banner_key(&self) -> &'static str {
        let keys = || self.problems.iter().map(|p| p.1);
        if keys().any(|k| matches!(k, "order.err_guests" | "order.err_unknown_option")) {
            "week.input_errors"
        } else if keys()
            .all(|k| matches!(k, "order.err_changed_elsewhere" | "order.confirm_absence"))
        {
            "week.check_days"
        } else {
            "week.not_saved"
        }
    }
}

fn guests_text(n: i32) -> String {
    if n > 0 {
        n.to_string()
    } else {
        String::new()
    }
}

/// Parses and applies a submitted week. Ok(Err(sent)) when nothing was written.
pub fn submit(
    conn: &mut DbConn,
    who: &Who,
    pairs: &[(String, String)],
    now: DateTime<Utc>,
    menus: &MenuCache,
) -> Result<Result<ordering::Applied, Sent>, AppError> {
    let form = match parse_week(pairs) {
        Ok(f) => f,
        Err(WeekFormError::Malformed(k)) => return Err(AppError::BadRequest(k)),
    };
    let problems: DayProblems = form
        .bad_guests
        .iter()
        .map(|(d, _)| (*d, "order.err_guests"))
        .collect();
    Ok(
        match ordering::apply_week(conn, who, &form.wishes, problems, now, menus)? {
            Ok(n) => Ok(n),
            Err(problems) => Err(Sent {
                problems,
                wishes: form.wishes.into_iter().map(|w| (w.day, w)).collect(),
                guests_text: form.bad_guests.into_iter().collect(),
            }),
        },
    )
}

pub fn weekday_key(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "day.mon",
        Weekday::Tue => "day.tue",
        Weekday::Wed => "day.wed",
        Weekday::Thu => "day.thu",
        Weekday::Fri => "day.fri",
        Weekday::Sat => "day.sat",
        Weekday::Sun => "day.sun",
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "served" => "order.status_served",
        "no_show" => "order.status_no_show",
        "cancelled" => "order.status_cancelled",
        _ => "order.status_ordered",
    }
}

/// The grid as one form, one table per week. After a refused submission (`sent`), each day's
/// problem is shown beside it and what the person typed is kept; each editable day carries
/// what it shows now (`shown_…`), so a later save changes only what the person changes.
pub fn grid(
    ctx: &Ctx,
    action: &str,
    days: &[DayView],
    sent: Option<&Sent>,
    show_prices: bool,
    allergies: Allergies<'_>,
    today: NaiveDate,
) -> Markup {
    let mut weeks: Vec<&[DayView]> = Vec::new();
    let mut rest = days;
    while let Some(first) = rest.first() {
        let monday = rules::monday_of(first.day);
        let n = rest
            .iter()
            .position(|d| rules::monday_of(d.day) != monday)
            .unwrap_or(rest.len());
        weeks.push(&rest[..n]);
        rest = &rest[n..];
    }
    let no_problems = DayProblems::new();
    let problems = sent.map(|s| &s.problems).unwrap_or(&no_problems);
    let elsewhere: Vec<&(NaiveDate, &'static str)> = problems
        .iter()
        .filter(|e| !days.iter().any(|d| d.day == e.0))
        .collect();
    let this_monday = rules::monday_of(today);
    // Each week's rows in one piece, put into the tables' slots (`ui::fill`).
    let rows: Vec<Markup> = weeks
        .iter()
        .map(|week| {
            let rows: Vec<Markup> = week
                .iter()
                .map(|d| day_row(ctx, d, sent, show_prices, allergies))
                .collect();
            crate::ui::concat(&rows)
        })
        .collect();
    let rows: Vec<&Markup> = rows.iter().collect();
    let body = crate::ui::fill(
        html! {
            @if !elsewhere.is_empty() {
                ul.errors role="alert" { @for (day, k) in elsewhere { li.error { (date(*day)) ": " (Esc(ctx.t(k))) } } }
            }
            @for week in &weeks {
                @let monday = week.first().map(|d| rules::monday_of(d.day)).unwrap_or(this_monday);
                h2 {
                    @if monday == this_monday { (Esc(ctx.t("week.this_week"))) }
                    @else if monday == this_monday + Duration::days(7) { (Esc(ctx.t("week.next_week"))) }
                    @else { (ctx.tf("week.week_of", date(monday))) }
                }
                table.week.responsive {
                    thead { tr { th { (Esc(ctx.t("week.day"))) } th { (Esc(ctx.t("week.choice"))) } th { (Esc(ctx.t("week.guests"))) } th { (Esc(ctx.t("week.state"))) } } }
                    tbody { (crate::ui::SLOT) }
                }
            }
            @if days.iter().any(|d| d.lock.is_none()) {
                p { button type="submit" { (Esc(ctx.t("week.save"))) } }
            }
        },
        &rows,
    );
    post_form(ctx, action, body)
}

fn day_row(
    ctx: &Ctx,
    d: &DayView,
    sent: Option<&Sent>,
    show_prices: bool,
    allergies: Allergies<'_>,
) -> Markup {
    let key = crate::ui::format::iso_day(d.day);
    let err = sent.and_then(|s| s.problem(d.day));
    let confirmed = d.takes_a_choice()
        && sent
            .and_then(|s| s.wishes.get(&d.day))
            .is_some_and(|w| w.confirmed);
    let stored = d.meal().map(|m| m.option_id);
    let checked = sent.and_then(|s| s.option(d.day)).unwrap_or(stored);
    let guests = sent
        .and_then(|s| s.guests(d.day))
        .unwrap_or_else(|| guests_text(d.guests));
    // The guests' option is offered when the day has a choice: what they eat now, else what
    // the host eats, else the first option. (`shown_` carries only the stored one.)
    let shown_gopt = (d.options.len() > 1)
        .then(|| {
            d.guest_option
                .or(stored)
                .or(d.walk_in.as_ref().map(|w| w.option_id))
                .or(d.options.first().map(|o| o.id))
        })
        .flatten();
    let gopt = sent
        .and_then(|s| s.wishes.get(&d.day))
        .and_then(|w| w.guest_option)
        .or(shown_gopt);
    html! {
        tr.bad[err.is_some()] id={"d-" (Esc(&key))} {
            th scope="row" { (Esc(ctx.t(weekday_key(d.day)))) br; (DateText(d.day))
                @if let Some(m) = d.row.as_ref().and_then(|r| r.makeup_for) { br; small.hint { (crate::canteen::calendar::makeup_text(ctx, m)) } }
            }
            td {
                // Eaten at the counter (a walk-in), or served: the meal is done, whatever the
                // day's lock. An open day still takes guests: the form carries the day as it is.
                @if let Some(w) = &d.walk_in {
                    strong { (Esc(d.option_name(w.option_id))) } " — " (Esc(ctx.t("week.walked_in")))
                    @if show_prices { " · " (w.price_vnd) }
                    @if let Some(o) = d.options.iter().find(|o| o.id == w.option_id) { (allergen_line(ctx, o, allergies)) }
                } @else if !d.takes_a_choice() {
                    @if let Some(m) = d.meal() {
                        strong { (Esc(d.option_name(m.option_id))) } " — " (Esc(ctx.t(status_key(&m.status))))
                        @if show_prices { " · " (m.price_vnd) }
                        @if let Some(o) = d.options.iter().find(|o| o.id == m.option_id) { (allergen_line(ctx, o, allergies)) }
                    } @else { span.hint { (Esc(ctx.t("week.no_meal"))) } }
                } @else {
                    fieldset.choices {
                        legend.sr { (Esc(ctx.t("week.choice"))) " " (DateText(d.day)) }
                        @for o in &d.options {
                            @let left = d.left.get(&o.id).copied();
                            @let mine = stored == Some(o.id);
                            label {
                                input type="radio" name={"meal_" (Esc(&key))} value=(o.id) checked[checked == Some(o.id)] disabled[left == Some(0) && !mine];
                                " " strong { (Esc(&o.name)) }
                                @if o.vegetarian { " " span.badge { (Esc(ctx.t("menu.vegetarian"))) } }
                                // The price the person ordered at stays theirs after a price change.
                                @if show_prices { " · " (d.meal().filter(|m| m.option_id == o.id).map(|m| m.price_vnd).unwrap_or(o.price_vnd)) }
                                @if let Some(n) = left { " · " span.badge.off[n == 0] { (if n == 0 { ctx.t("week.full") } else { "" }) @if n > 0 { (Esc(&ctx.tf("week.left", n))) } } }
                                @if !o.dishes.is_empty() { br; small.hint { (Esc(&o.dishes)) } }
                                (allergen_line(ctx, o, allergies))
                            }
                        }
                        label { input type="radio" name={"meal_" (Esc(&key))} value="none" checked[checked.is_none()]; " " (Esc(ctx.t("week.no_meal"))) }
                    }
                }
                @if d.lock.is_none() {
                    input type="hidden" name={"shown_" (Esc(&key))} value=(Esc(&shown_value(stored, d.guests, d.guest_option)));
                    input type="hidden" name={"menu_" (Esc(&key))} value=(Esc(&crate::canteen::menu::store::mark_text(d.menu_mark)));
                    @if d.meal_done() {
                        input type="hidden" name={"meal_" (Esc(&key))} value=(Esc(&stored.map(|id| id.to_string()).unwrap_or_else(|| "none".into())));
                    }
                }
            }
            td {
                @if d.lock.is_none() && !d.options.is_empty() {
                    label.sr.m-show for={"g-" (Esc(&key))} { (Esc(ctx.t("week.guests"))) ": " }
                    input.guests id={"g-" (Esc(&key))} type="number" min="0" max="20" inputmode="numeric" name={"guests_" (Esc(&key))} value=(Esc(&guests)) aria-invalid=[(err == Some("order.err_guests")).then_some("true")];
                    @if shown_gopt.is_some() {
                        label.sr for={"go-" (Esc(&key))} { (Esc(ctx.t("week.guest_option"))) }
                        select.gopt id={"go-" (Esc(&key))} name={"gopt_" (Esc(&key))} title=(Esc(ctx.t("week.guest_option"))) {
                            @for o in &d.options { option value=(o.id) selected[gopt == Some(o.id)] { (Esc(&o.name)) } }
                        }
                    }
                } @else if d.guests > 0 { (d.guests) }
            }
            td {
                @if let Some(k) = err {
                    p.error role="alert" {
                        (Esc(ctx.t(k)))
                        @if k == "order.err_changed_elsewhere" {
                            " " (Esc(ctx.t("week.now"))) ": " (meal_text(ctx, d, stored, d.guests))
                            "; " (Esc(ctx.t("week.yours"))) ": " (meal_text(ctx, d, checked, guests.parse().unwrap_or(0))) "."
                        }
                    }
                }
                // Asked for, or ticked already on a page that came back for another reason.
                @if err == Some("order.confirm_absence") || confirmed {
                    label { input type="checkbox" name={"confirm_" (Esc(&key))} value="yes" checked[confirmed]; " " (Esc(ctx.t("week.confirm_absence"))) }
                }
                @if let Some(kind) = &d.absence {
                    span.badge { (Esc(ctx.t(crate::canteen::rules::absence_kind_key(kind)))) } " "
                }
                @match &d.lock {
                    // Eaten: neither when the day closes nor whom to call is of use any more.
                    None | Some(Lock::PastCutoff) if d.meal_done() => {}
                    None if d.late => { span.hint { (Esc(ctx.t("week.kitchen_late"))) } }
                    None => { span.open { (Esc(&ctx.tf("week.open_until", crate::clock::local_datetime(d.cutoff.naive_utc())))) } }
                    Some(Lock::Closed(reason)) => { span.badge.off { (Esc(ctx.t("order.lock_closed"))) } @if let Some(r) = reason { " " (r) } }
                    // Said once: a refusal of this day for its lock already says it above.
                    Some(l) => { @if err != Some(l.message_key()) { span.hint { (Esc(ctx.t(l.message_key()))) } } }
                }
            }
        }
    }
}

/// Whose allergies a page checks options against: the reader's own (My week, the pass) or
/// someone the kitchen orders for.
#[derive(Clone, Copy)]
pub struct Allergies<'a> {
    pub codes: &'a str,
    pub own: bool,
}

/// An option's allergens and notes, and a warning when one of them is among the person's.
pub fn allergen_line(ctx: &Ctx, o: &MealOption, person: Allergies<'_>) -> Markup {
    let option = o.allergens.as_str();
    if option.is_empty() && o.allergen_notes.is_empty() {
        return html! {};
    }
    let clash = rules::allergen_clash(option, person.codes);
    let warn = if person.own {
        "allergy.warn"
    } else {
        "allergy.warn_other"
    };
    let names = |codes: &mut dyn Iterator<Item = &str>| {
        codes
            .map(|c| ctx.t(rules::allergen_key(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        br; small.hint { (Esc(ctx.t("dish.allergens"))) ": " (Esc(&names(&mut rules::allergen_codes(option))))
            @if !o.allergen_notes.is_empty() { @if !option.is_empty() { "; " } em { (Esc(&o.allergen_notes)) } } }
        @if !clash.is_empty() {
            br; strong.warn role="note" { "⚠ " (Esc(&ctx.tf(warn, names(&mut clash.iter().copied())))) }
        }
    }
}

/// "Cơm gà + 2 khách" / "Không ăn".
fn meal_text(ctx: &Ctx, d: &DayView, option: Option<i32>, guests: i32) -> String {
    let meal = match (option, &d.walk_in) {
        (Some(id), _) => d.option_name(id).to_string(),
        (None, Some(w)) => format!(
            "{} — {}",
            d.option_name(w.option_id),
            ctx.t("week.walked_in")
        ),
        (None, None) => ctx.t("week.no_meal").to_string(),
    };
    if guests > 0 {
        format!("{meal} + {}", ctx.tf("week.n_guests", guests))
    } else {
        meal
    }
}
