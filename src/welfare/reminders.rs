//! The union officers' reminders: members' birthdays this month, this year's longevity
//! milestones, children who will age out of the children's gifts before the next 1/6, low-income
//! decisions ending within 30 days, and dues arrears of three months or more. Each links to its
//! record.

use super::dues::{self, Arrears};
use super::occasions::{self, age_on, Milestone};
use crate::db::schema::{dependants, memberships, organisations, persons};
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format::date;
use crate::ui::{layout, Ctx};
use actix_web::web;
use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use maud::{html, Markup};

/// The age under which children receive the children's gifts, for the reminder.
pub const CHILD_GIFT_AGE: i32 = 15;

pub struct Reminders {
    pub birthdays: Vec<(i32, String, String, NaiveDate)>,
    pub milestones: Vec<Milestone>,
    /// (parent, parent's name, child's name, born, the next 1/6).
    pub ageing_out: Vec<(i32, String, String, NaiveDate)>,
    pub next_children_day: NaiveDate,
    pub decisions_ending: Vec<crate::subsidy::store::DecisionRow>,
    pub arrears: Vec<(i32, String, Arrears)>,
    /// Open memberships to look at: (person, name, organisation, i18n key of why).
    pub to_review: Vec<(i32, String, String, &'static str)>,
}

/// The 1st of June on or after `day`.
fn next_children_day(day: NaiveDate) -> NaiveDate {
    let this = NaiveDate::from_ymd_opt(day.year(), 6, 1).unwrap_or(day);
    if this >= day {
        this
    } else {
        NaiveDate::from_ymd_opt(day.year() + 1, 6, 1).unwrap_or(day)
    }
}

pub fn reminders(conn: &mut DbConn, today: NaiveDate) -> Result<Reminders, AppError> {
    // Members now (an open membership anywhere), alive.
    let members: Vec<(i32, String, String, Option<NaiveDate>, String)> = memberships::table
        .inner_join(persons::table)
        .filter(memberships::ended_on.is_null())
        .filter(persons::status.eq_any(["working", "retired"]))
        .select((
            persons::id,
            persons::employee_code,
            persons::full_name,
            persons::date_of_birth,
            persons::status,
        ))
        .order(persons::sort_key.asc())
        .load(conn)?;
    let mut birthdays: Vec<(i32, String, String, NaiveDate)> = Vec::new();
    for (id, code, name, born, _) in &members {
        if let Some(b) = born.filter(|b| b.month() == today.month()) {
            if !birthdays.iter().any(|x| x.0 == *id) {
                birthdays.push((*id, code.clone(), name.clone(), b));
            }
        }
    }
    birthdays.sort_by_key(|b| (b.3.day(), b.2.clone()));
    let ids: Vec<i32> = members.iter().map(|m| m.0).collect();
    let next = next_children_day(today);
    let kids: Vec<(i32, String, Option<NaiveDate>)> = dependants::table
        .filter(dependants::relationship.eq("child"))
        .filter(dependants::same_as.is_null())
        .filter(dependants::person_id.eq_any(&ids))
        .select((
            dependants::person_id,
            dependants::full_name,
            dependants::date_of_birth,
        ))
        .load(conn)?;
    let mut ageing_out = Vec::new();
    for (parent, child, born) in kids {
        let Some(born) = born else { continue };
        if age_on(born, today) < CHILD_GIFT_AGE && age_on(born, next) >= CHILD_GIFT_AGE {
            ageing_out.push((parent, child, born));
        }
    }
    let ageing_out = ageing_out
        .into_iter()
        .map(|(p, c, b)| {
            let name = members
                .iter()
                .find(|m| m.0 == p)
                .map(|m| m.2.clone())
                .unwrap_or_default();
            (p, format!("{c} — {name}"), c, b)
        })
        .collect();
    let until = today + Duration::days(30);
    let decisions_ending = crate::subsidy::store::decisions(conn, today, false)?
        .into_iter()
        .filter(|d| d.to.is_some_and(|t| t >= today && t <= until))
        .collect();
    let mut arrears = Vec::new();
    for o in super::store::organisations(conn)?
        .into_iter()
        .filter(|o| o.ended_on.is_none())
    {
        for a in dues::arrears(conn, o.id)? {
            if a.months_in_a_row >= 3 {
                arrears.push((o.id, o.name.clone(), a));
            }
        }
    }
    // Open memberships that no longer fit: of someone who left or died, or of a retiree still in
    // a grassroots union or union group (retirees belong to the liaison board).
    let open: Vec<(i32, String, String, Option<NaiveDate>, String, String)> = memberships::table
        .inner_join(persons::table)
        .inner_join(organisations::table)
        .filter(memberships::ended_on.is_null())
        .filter(organisations::ended_on.is_null())
        .filter(persons::status.ne("working"))
        .select((
            persons::id,
            persons::full_name,
            persons::status,
            persons::status_date,
            organisations::name,
            organisations::kind,
        ))
        .order(persons::sort_key.asc())
        .load(conn)?;
    let to_review = open
        .into_iter()
        .filter_map(|(id, name, status, since, org, kind)| {
            let gone =
                crate::people::rules::gone_from(&status, since, today).is_some_and(|g| g <= today);
            let why = if gone {
                "wf.review_gone"
            } else if status == "retired" && (kind == "union" || kind == "union_group") {
                "wf.review_retired_in_union"
            } else {
                return None;
            };
            Some((id, name, org, why))
        })
        .collect();
    Ok(Reminders {
        to_review,
        birthdays,
        milestones: occasions::milestones(conn, today.year(), today)?,
        ageing_out,
        next_children_day: next,
        decisions_ending,
        arrears,
    })
}

pub async fn page(state: web::Data<AppState>, ctx: Ctx) -> Result<Markup, AppError> {
    let today = state.clock.today();
    let r = state.db.read(move |c| reminders(c, today)).await?;
    Ok(layout::page(
        &ctx,
        ctx.t("wf.reminders"),
        html! {
            (layout::title_bar(ctx.t("wf.reminders"), html! { a href="/welfare/organisations" { (ctx.t("wf.orgs")) } }))
            section.reminders-birthdays {
                h2 { (ctx.tf("wf.rem_birthdays", today.month())) }
                @if r.birthdays.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for (id, code, name, born) in &r.birthdays { li { a href={ "/welfare/people/" (id) } { (name) } " · " (code) " — " (date(*born)) } } }
                }
            }
            section.reminders-milestones {
                h2 { (ctx.tf("wf.rem_milestones", today.year())) }
                @if r.milestones.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for m in &r.milestones { li { a href={ "/welfare/retirees/" (m.person_id) } { (m.name) } " · " (m.code) " — " (ctx.tf("wf.rem_age", m.age)) } } }
                    p { a href="/welfare/milestones" { (ctx.t("wf.milestones")) } }
                }
            }
            section.reminders-children {
                h2 { (ctx.tf("wf.rem_ageing_out", format!("{} · {}", CHILD_GIFT_AGE, date(r.next_children_day)))) }
                @if r.ageing_out.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for (parent, label, _, born) in &r.ageing_out { li { a href={ "/welfare/people/" (parent) } { (label) } " — " (date(*born)) } } }
                }
            }
            section.reminders-decisions {
                h2 { (ctx.t("wf.rem_decisions")) }
                @if r.decisions_ending.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for d in &r.decisions_ending { li { (d.name) " · " (d.code) " — " (ctx.tf("wf.rem_until", d.to.map(date).unwrap_or_default())) } } }
                    p { a href="/accounting/eligibility" { (ctx.t("wf.rem_open_eligibility")) } }
                }
            }
            section.reminders-review {
                h2 { (ctx.t("wf.rem_review")) }
                @if r.to_review.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for (id, name, org, why) in &r.to_review { li { a href={ "/welfare/people/" (id) } { (name) } " — " (org) ": " (ctx.t(why)) } } }
                }
            }
            section.reminders-arrears {
                h2 { (ctx.t("wf.rem_arrears")) }
                @if r.arrears.is_empty() { p { (ctx.t("wf.rem_none")) } } @else {
                    ul { @for (org, oname, a) in &r.arrears { li { a href={ "/welfare/arrears?org=" (org) } { (a.name) } " · " (a.code) " — " (oname) ": " (ctx.tf("wf.rem_months", a.months_in_a_row)) } } }
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_childrens_day_is_this_years_until_it_has_passed() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        assert_eq!(next_children_day(d(2026, 5, 31)), d(2026, 6, 1));
        assert_eq!(next_children_day(d(2026, 6, 1)), d(2026, 6, 1));
        assert_eq!(next_children_day(d(2026, 11, 29)), d(2027, 6, 1));
    }
}
