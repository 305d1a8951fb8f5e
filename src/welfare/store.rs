//! Organisations, memberships and dependants: every read and every write (store commands
//! check, write and audit in the caller's transaction).

use super::rules::{MemberRole, OrgKind, Relationship};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{dependants, memberships, organisations, persons};
use crate::db::{is_unique_violation, DbConn};
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i32,
    pub kind: String,
    pub name: String,
    pub parent_id: Option<i32>,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
    /// The fund its dues are received into (None: dues are not posted to a fund).
    pub fund_id: Option<i32>,
}

impl Organisation {
    pub fn kind_key(&self) -> &'static str {
        OrgKind::parse(&self.kind)
            .map(OrgKind::label_key)
            .unwrap_or("wf.kind_welfare")
    }
}

pub fn organisations(conn: &mut DbConn) -> Result<Vec<Organisation>, AppError> {
    Ok(organisations::table
        .order((
            organisations::ended_on.is_not_null(),
            organisations::name.asc(),
        ))
        .select(Organisation::as_select())
        .load(conn)?)
}

pub fn organisation(conn: &mut DbConn, id: i32) -> Result<Organisation, AppError> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Refuses any change to a dissolved organisation: its history stays as it was.
fn ensure_active(o: &Organisation) -> Result<(), AppError> {
    if o.ended_on.is_some() {
        return Err(AppError::BadRequest("wf.err_dissolved"));
    }
    Ok(())
}

pub struct NewOrganisation {
    pub kind: OrgKind,
    pub name: String,
    pub parent_id: Option<i32>,
    pub started_on: NaiveDate,
}

/// Store command: the fund an organisation's dues are received into from now on (None: not
/// posted). Audited.
pub fn set_fund(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    fund: Option<i32>,
) -> Result<(), AppError> {
    let o = organisation(conn, id)?;
    ensure_active(&o)?;
    if let Some(f) = fund {
        let active = crate::ledger::store::fund(conn, f)?.is_some_and(|f| f.active);
        if !active {
            return Err(AppError::BadRequest("voucher.err_fund_closed"));
        }
    }
    diesel::update(organisations::table.find(id))
        .set(organisations::fund_id.eq(fund))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("organisation.fund", "organisation")
            .id(id)
            .before(json!({"fund_id": o.fund_id}))
            .after(json!({"fund_id": fund})),
    )
}

/// Store command: a new organisation. Returns its id.
pub fn create_organisation(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    n: &NewOrganisation,
) -> Result<i32, AppError> {
    if let Some(p) = n.parent_id {
        ensure_active(&organisation(conn, p).map_err(|_| AppError::BadRequest("wf.err_parent"))?)?;
    }
    let id: i32 = diesel::insert_into(organisations::table)
        .values((
            organisations::kind.eq(n.kind.code()),
            organisations::name.eq(&n.name),
            organisations::parent_id.eq(n.parent_id),
            organisations::started_on.eq(n.started_on),
            organisations::created_at.eq(now),
            organisations::created_by.eq(actor.user_id),
        ))
        .returning(organisations::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("organisation.create", "organisation")
            .id(id)
            .after(
                json!({"kind": n.kind.code(), "name": n.name, "parent_id": n.parent_id,
                "started_on": n.started_on}),
            ),
    )?;
    Ok(id)
}

/// Store command: dissolves an organisation on a date with a reason. Its open memberships end
/// that day with the same reason; nothing of it may change afterwards. Returns how many
/// memberships ended.
pub fn dissolve(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    on: NaiveDate,
    reason: &str,
) -> Result<usize, AppError> {
    let o = organisation(conn, id)?;
    ensure_active(&o)?;
    if on < o.started_on {
        return Err(AppError::BadRequest("wf.err_end_before_start"));
    }
    let open_children: i64 = organisations::table
        .filter(organisations::parent_id.eq(id))
        .filter(organisations::ended_on.is_null())
        .count()
        .get_result(conn)?;
    if open_children > 0 {
        return Err(AppError::BadRequest("wf.err_has_children"));
    }
    // The day cannot come before what its members did: joining, leaving, dues of later months.
    let later: i64 = memberships::table
        .filter(memberships::organisation_id.eq(id))
        .filter(
            memberships::joined_on
                .gt(on)
                .or(memberships::ended_on.gt(on)),
        )
        .count()
        .get_result(conn)?;
    let month = on.format("%Y-%m").to_string();
    let later_dues: i64 = crate::db::schema::dues::table
        .inner_join(memberships::table)
        .filter(memberships::organisation_id.eq(id))
        .filter(crate::db::schema::dues::month.gt(&month))
        .count()
        .get_result(conn)?;
    if later > 0 || later_dues > 0 {
        return Err(AppError::BadRequest("wf.err_dissolve_before_members"));
    }
    let n = diesel::update(
        memberships::table
            .filter(memberships::organisation_id.eq(id))
            .filter(memberships::ended_on.is_null()),
    )
    .set((
        memberships::ended_on.eq(on),
        memberships::end_reason.eq(reason),
    ))
    .execute(conn)?;
    diesel::update(organisations::table.find(id))
        .set((
            organisations::ended_on.eq(on),
            organisations::end_reason.eq(reason),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("organisation.dissolve", "organisation")
            .id(id)
            .after(
                json!({"name": o.name, "ended_on": on, "reason": reason, "memberships_ended": n}),
            ),
    )?;
    Ok(n)
}

#[derive(Clone, Debug)]
pub struct Member {
    pub id: i32,
    pub person_id: i32,
    pub code: String,
    pub name: String,
    pub status: String,
    pub role: String,
    pub joined_on: NaiveDate,
    pub member_since: Option<NaiveDate>,
    pub card_number: String,
    pub collect_by: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
}

type MemberRow = (
    i32,
    i32,
    String,
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    String,
    String,
    Option<NaiveDate>,
    String,
);

fn member(r: MemberRow) -> Member {
    Member {
        id: r.0,
        person_id: r.1,
        code: r.2,
        name: r.3,
        status: r.4,
        role: r.5,
        joined_on: r.6,
        member_since: r.7,
        card_number: r.8,
        collect_by: r.9,
        ended_on: r.10,
        end_reason: r.11,
    }
}

/// The members of an organisation (open first, by name), with how many there are in all.
pub fn members(
    conn: &mut DbConn,
    org: i32,
    search: &str,
    page: i64,
    per_page: i64,
) -> Result<(Vec<Member>, i64), AppError> {
    // As every search of people: the name without accents, or a part of the code.
    let pattern = crate::db::like_contains(&crate::ui::format::fold_search(search));
    let code = crate::db::like_contains(&crate::ui::format::search_code(search));
    let base = || {
        memberships::table
            .inner_join(persons::table)
            .filter(memberships::organisation_id.eq(org))
            .filter(
                persons::search_name
                    .like(pattern.clone())
                    .escape('\\')
                    .or(persons::employee_code.like(code.clone()).escape('\\')),
            )
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows: Vec<MemberRow> = base()
        .order((
            memberships::ended_on.is_not_null(),
            persons::sort_key.asc(),
            memberships::id.asc(),
        ))
        .limit(per_page)
        .offset(page.saturating_sub(1).saturating_mul(per_page))
        .select((
            memberships::id,
            persons::id,
            persons::employee_code,
            persons::full_name,
            persons::status,
            memberships::role,
            memberships::joined_on,
            memberships::member_since,
            memberships::card_number,
            memberships::collect_by,
            memberships::ended_on,
            memberships::end_reason,
        ))
        .load(conn)?;
    Ok((rows.into_iter().map(member).collect(), total))
}

/// A person's memberships in every organisation: (organisation name, membership).
pub fn memberships_of(conn: &mut DbConn, person: i32) -> Result<Vec<(String, Member)>, AppError> {
    let rows: Vec<(String, MemberRow)> = memberships::table
        .inner_join(persons::table)
        .inner_join(organisations::table)
        .filter(memberships::person_id.eq(person))
        .order(memberships::joined_on.desc())
        .select((
            organisations::name,
            (
                memberships::id,
                persons::id,
                persons::employee_code,
                persons::full_name,
                persons::status,
                memberships::role,
                memberships::joined_on,
                memberships::member_since,
                memberships::card_number,
                memberships::collect_by,
                memberships::ended_on,
                memberships::end_reason,
            ),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(o, r)| (o, member(r))).collect())
}

pub struct NewMembership {
    pub person_id: i32,
    pub organisation_id: i32,
    pub role: MemberRole,
    pub joined_on: NaiveDate,
    pub member_since: Option<NaiveDate>,
    pub card_number: String,
    pub collect_by: super::rules::Collect,
}

/// The checks of `join`, without writing: the organisation is active and started by then, the
/// person exists, member since is not after joining, and no overlapping membership (one
/// grassroots union or Party cell at a time). Returns the organisation and the person's name.
pub fn check_join(
    conn: &mut DbConn,
    n: &NewMembership,
) -> Result<(Organisation, String), AppError> {
    let o = organisation(conn, n.organisation_id)?;
    ensure_active(&o)?;
    if n.joined_on < o.started_on {
        return Err(AppError::BadRequest("wf.err_joined_before_org"));
    }
    let person: Option<(String, String, Option<NaiveDate>)> = persons::table
        .find(n.person_id)
        .select((persons::full_name, persons::status, persons::status_date))
        .get_result(conn)
        .optional()?;
    let Some((name, status, since)) = person else {
        return Err(AppError::BadRequest("wf.err_person"));
    };
    // Nobody joins after they left or died.
    if crate::people::rules::gone_from(&status, since, n.joined_on)
        .is_some_and(|g| g <= n.joined_on)
    {
        return Err(AppError::BadRequest("wf.err_join_gone"));
    }
    // A retiree is not on the payroll, and joins the retirees' board rather than a workplace
    // union once retired.
    if status == "retired" {
        if n.collect_by == super::rules::Collect::Payroll {
            return Err(AppError::BadRequest("wf.err_payroll_retiree"));
        }
        let retired_by_then = since.is_none_or(|s| s <= n.joined_on);
        if retired_by_then && matches!(o.kind.as_str(), "union" | "union_group") {
            return Err(AppError::BadRequest("wf.err_retiree_union"));
        }
    }
    if n.member_since.is_some_and(|s| s > n.joined_on) {
        return Err(AppError::BadRequest("wf.err_member_since"));
    }
    // No two memberships of one person in the same organisation over the same days, and one
    // grassroots union (or one Party cell) at a time: dues would be owed twice.
    let single_kind = matches!(o.kind.as_str(), "union" | "party_cell");
    let overlapping: i64 = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::person_id.eq(n.person_id))
        .filter(
            memberships::ended_on
                .is_null()
                .or(memberships::ended_on.ge(n.joined_on)),
        )
        .filter(
            memberships::organisation_id
                .eq(n.organisation_id)
                .or(organisations::kind
                    .eq(&o.kind)
                    .and(single_kind.into_sql::<diesel::sql_types::Bool>())),
        )
        .count()
        .get_result(conn)?;
    if overlapping > 0 {
        return Err(AppError::BadRequest("wf.err_already_member"));
    }
    Ok((o, name))
}

/// Store command: a person joins an organisation. Refused when the organisation was
/// dissolved, the person is unknown, or already an open member. Returns the membership id.
pub fn join(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    n: &NewMembership,
) -> Result<i32, AppError> {
    let (o, name) = check_join(conn, n)?;
    let id: i32 = match diesel::insert_into(memberships::table)
        .values((
            memberships::person_id.eq(n.person_id),
            memberships::organisation_id.eq(n.organisation_id),
            memberships::role.eq(n.role.code()),
            memberships::joined_on.eq(n.joined_on),
            memberships::member_since.eq(n.member_since),
            memberships::card_number.eq(&n.card_number),
            memberships::collect_by.eq(n.collect_by.code()),
            memberships::created_at.eq(now),
            memberships::created_by.eq(actor.user_id),
        ))
        .returning(memberships::id)
        .get_result(conn)
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::BadRequest("wf.err_already_member"))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        conn,
        actor,
        now,
        Entry::new("membership.create", "membership").id(id).after(
            json!({"organisation": o.name, "person": name, "role": n.role.code(),
                "joined_on": n.joined_on, "card_number": n.card_number}),
        ),
    )?;
    Ok(id)
}

/// Store command: ends a membership on a date with a reason.
pub fn leave(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    id: i32,
    on: NaiveDate,
    reason: &str,
) -> Result<i32, AppError> {
    let (org, joined, ended): (i32, NaiveDate, Option<NaiveDate>) = memberships::table
        .find(id)
        .select((
            memberships::organisation_id,
            memberships::joined_on,
            memberships::ended_on,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    ensure_active(&organisation(conn, org)?)?;
    if ended.is_some() {
        return Err(AppError::BadRequest("wf.err_already_ended"));
    }
    if on < joined {
        return Err(AppError::BadRequest("wf.err_end_before_start"));
    }
    // Dues of months after the one it ends in are not owed: unpaid ones go; paid ones mean the
    // date is wrong.
    {
        use crate::db::schema::{dues, dues_payments};
        let month = on.format("%Y-%m").to_string();
        let after: Vec<(i32, bool)> = dues::table
            .left_join(dues_payments::table)
            .filter(dues::membership_id.eq(id))
            .filter(dues::month.gt(&month))
            .select((dues::id, dues_payments::dues_id.nullable().is_not_null()))
            .load(conn)?;
        if after.iter().any(|(_, paid)| *paid) {
            return Err(AppError::BadRequest("wf.err_paid_after_end"));
        }
        let ids: Vec<i32> = after.iter().map(|(d, _)| *d).collect();
        diesel::delete(dues::table.filter(dues::id.eq_any(ids))).execute(conn)?;
    }
    diesel::update(memberships::table.find(id))
        .set((
            memberships::ended_on.eq(on),
            memberships::end_reason.eq(reason),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("membership.end", "membership")
            .id(id)
            .after(json!({"ended_on": on, "reason": reason})),
    )?;
    Ok(org)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = dependants)]
pub struct Dependant {
    pub id: i32,
    pub person_id: i32,
    pub full_name: String,
    pub relationship: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub same_as: Option<i32>,
    pub died_on: Option<NaiveDate>,
    pub note: String,
}

impl Dependant {
    /// The one record the family knows this person by.
    pub fn canonical(&self) -> i32 {
        self.same_as.unwrap_or(self.id)
    }
}

pub fn dependants_of(conn: &mut DbConn, person: i32) -> Result<Vec<Dependant>, AppError> {
    Ok(dependants::table
        .filter(dependants::person_id.eq(person))
        .order((dependants::date_of_birth.asc(), dependants::id.asc()))
        .select(Dependant::as_select())
        .load(conn)?)
}

pub fn dependant(conn: &mut DbConn, id: i32) -> Result<Dependant, AppError> {
    dependants::table
        .find(id)
        .select(Dependant::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub struct NewDependant {
    pub person_id: i32,
    pub full_name: String,
    pub relationship: Relationship,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    /// The same person already recorded under another member (the other parent).
    pub same_as: Option<i32>,
    pub note: String,
}

/// Store command: records a member's dependant. A link names the record kept under another
/// member (never one of the same member's, never a link to a link).
pub fn add_dependant(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    n: &NewDependant,
) -> Result<i32, AppError> {
    let member_born: Option<Option<NaiveDate>> = persons::table
        .find(n.person_id)
        .select(persons::date_of_birth)
        .get_result(conn)
        .optional()?;
    let Some(member_born) = member_born else {
        return Err(AppError::BadRequest("wf.err_person"));
    };
    // A child is born after the member, their own parent or grandparent before (where both
    // dates are known): a date the other way round is a typing error. A spouse's parent may
    // be younger than the member.
    if let (Some(member), Some(born)) = (member_born, n.date_of_birth) {
        let wrong_way = match n.relationship {
            Relationship::Child => born <= member,
            Relationship::Parent | Relationship::Grandparent => born >= member,
            _ => false,
        };
        if wrong_way {
            return Err(AppError::BadRequest("wf.err_dependant_born"));
        }
    }
    let folded = crate::ui::format::fold_search(&n.full_name);
    let same_name = |rows: Vec<(i32, String)>| {
        rows.into_iter()
            .find(|(_, name)| crate::ui::format::fold_search(name) == folded)
            .map(|(id, _)| id)
    };
    // The same person twice under one member (a double click, a second try) is refused.
    let mine: Vec<(i32, String)> = dependants::table
        .filter(dependants::person_id.eq(n.person_id))
        .select((
            dependants::id,
            dependants::full_name,
            dependants::date_of_birth,
        ))
        .load::<(i32, String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter(|d| d.2 == n.date_of_birth)
        .map(|d| (d.0, d.1))
        .collect();
    if same_name(mine).is_some() {
        return Err(AppError::BadRequest("wf.err_dependant_twice"));
    }
    let same_as = match n.same_as {
        // Recorded under another member already (both parents, or two siblings, on staff):
        // the same name (accents and case aside) and birth date is the same person.
        None => match n.date_of_birth {
            Some(dob) => {
                let others: Vec<(i32, String)> = dependants::table
                    .filter(dependants::person_id.ne(n.person_id))
                    .filter(dependants::date_of_birth.eq(dob))
                    .filter(dependants::same_as.is_null())
                    .order(dependants::id.asc())
                    .select((dependants::id, dependants::full_name))
                    .load(conn)?;
                same_name(others)
            }
            None => None,
        },
        Some(other) => {
            let o = dependant(conn, other).map_err(|_| AppError::BadRequest("wf.err_same_as"))?;
            if o.person_id == n.person_id {
                return Err(AppError::BadRequest("wf.err_same_as"));
            }
            Some(o.canonical())
        }
    };
    let id: i32 = diesel::insert_into(dependants::table)
        .values((
            dependants::person_id.eq(n.person_id),
            dependants::full_name.eq(&n.full_name),
            dependants::relationship.eq(n.relationship.code()),
            dependants::date_of_birth.eq(n.date_of_birth),
            dependants::gender.eq(n.gender.as_deref()),
            dependants::same_as.eq(same_as),
            dependants::note.eq(&n.note),
            dependants::created_at.eq(now),
            dependants::created_by.eq(actor.user_id),
        ))
        .returning(dependants::id)
        .get_result(conn)?;
    // Family details are personal data: the audit keeps that the record was made and its
    // link, not the name or the birth date.
    audit::record(
        conn,
        actor,
        now,
        Entry::new("dependant.create", "dependant").id(id).after(
            json!({"person_id": n.person_id, "relationship": n.relationship.code(),
                "same_as": same_as}),
        ),
    )?;
    Ok(id)
}
