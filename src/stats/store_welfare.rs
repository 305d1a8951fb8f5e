//! The welfare reads of the reports: cases, dues, occasion lists (figures, never names).

use crate::db::schema::{benefit_types, organisations, welfare_cases};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A welfare case for the reports: benefit, organisation of its fund, state, money, dates.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub benefit: String,
    pub benefit_kind: String,
    pub fund: i32,
    pub state: String,
    pub amount: i64,
    pub event_date: NaiveDate,
    pub reported_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
}

/// Cases whose event or payment falls in the period (benefit names, never people). The
/// payment's business day is decided by the report (`clock::business_date_of`).
pub fn cases(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> Result<Vec<CaseRow>, AppError> {
    // Paid on the business day `from` at the earliest: a day before in UTC covers it.
    let paid_from = (from - chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let paid_to = (to + chrono::Duration::days(1))
        .and_hms_opt(23, 59, 59)
        .unwrap_or_default();
    type R = (
        String,
        String,
        i32,
        String,
        i64,
        NaiveDate,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<R> = welfare_cases::table
        .inner_join(benefit_types::table.on(benefit_types::id.eq(welfare_cases::benefit_type_id)))
        .filter(
            welfare_cases::event_date
                .between(from, to)
                .or(welfare_cases::paid_at.between(paid_from, paid_to)),
        )
        .select((
            benefit_types::name,
            benefit_types::kind,
            benefit_types::fund_id,
            welfare_cases::state,
            welfare_cases::amount_vnd,
            welfare_cases::event_date,
            welfare_cases::reported_at,
            welfare_cases::paid_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(benefit, benefit_kind, fund, state, amount, event_date, reported_at, paid_at)| {
                CaseRow {
                    benefit,
                    benefit_kind,
                    fund,
                    state,
                    amount,
                    event_date,
                    reported_at,
                    paid_at,
                }
            },
        )
        .collect())
}

/// Organisations keeping a fund: (fund, organisation name).
pub fn fund_keepers(conn: &mut DbConn) -> Result<Vec<(i32, String)>, AppError> {
    let rows: Vec<(Option<i32>, String)> = organisations::table
        .filter(organisations::fund_id.is_not_null())
        .select((organisations::fund_id, organisations::name))
        .order(organisations::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(f, n)| f.map(|f| (f, n)))
        .collect())
}

/// (organisation, name, members charged, charged, collected)
pub type DuesOfOrg = (i32, String, i64, i64, i64);

/// Dues charged for months of the period, per organisation: (organisation, name, members
/// charged, charged, collected).
pub fn dues_by_org(conn: &mut DbConn, months: &[String]) -> Result<Vec<DuesOfOrg>, AppError> {
    use crate::db::schema::{dues, dues_payments, memberships};
    let rows: Vec<(i32, String, i32, i64, Option<i64>)> = dues::table
        .inner_join(memberships::table.on(memberships::id.eq(dues::membership_id)))
        .inner_join(organisations::table.on(organisations::id.eq(memberships::organisation_id)))
        .left_join(dues_payments::table.on(dues_payments::dues_id.eq(dues::id)))
        .filter(dues::month.eq_any(months))
        .select((
            organisations::id,
            organisations::name,
            memberships::person_id,
            dues::amount_vnd,
            dues_payments::amount_vnd.nullable(),
        ))
        .load(conn)?;
    let mut out: Vec<(i32, String, Vec<i32>, i64, i64)> = Vec::new();
    for (org, name, person, due, paid) in rows {
        let i = match out.iter().position(|x| x.0 == org) {
            Some(i) => i,
            None => {
                out.push((org, name, Vec::new(), 0, 0));
                out.len() - 1
            }
        };
        let x = &mut out[i];
        x.2.push(person);
        x.3 += due;
        x.4 += paid.unwrap_or(0);
    }
    Ok(out
        .into_iter()
        .map(|(o, n, mut people, due, paid)| {
            people.sort_unstable();
            people.dedup();
            (o, n, people.len() as i64, due, paid)
        })
        .collect())
}

/// Dues of each month (`yyyy-mm`), as [`dues_by_org`] totals them over its organisations:
/// (month, members — a person once per organisation, charged, paid). One query for all the
/// months, summed by the database. The months are keys the reports made, not user input.
pub fn dues_by_month(
    conn: &mut DbConn,
    months: &[String],
) -> Result<Vec<(String, i64, i64, i64)>, AppError> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Text)]
        month: String,
        #[diesel(sql_type = BigInt)]
        members: i64,
        #[diesel(sql_type = BigInt)]
        charged: i64,
        #[diesel(sql_type = BigInt)]
        paid: i64,
    }
    let keys: Vec<String> = months
        .iter()
        .filter(|m| m.len() == 7 && m.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        .map(|m| format!("'{m}'"))
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<R> = diesel::sql_query(format!(
        "SELECT x.month AS month, CAST(SUM(x.members) AS BIGINT) AS members, \
           CAST(SUM(x.due) AS BIGINT) AS charged, CAST(SUM(x.paid) AS BIGINT) AS paid \
         FROM (SELECT d.month AS month, COUNT(DISTINCT m.person_id) AS members, \
                 SUM(d.amount_vnd) AS due, SUM(COALESCE(p.amount_vnd, 0)) AS paid \
               FROM dues d \
               JOIN memberships m ON m.id = d.membership_id \
               JOIN organisations o ON o.id = m.organisation_id \
               LEFT JOIN dues_payments p ON p.dues_id = d.id \
               WHERE d.month IN ({}) \
               GROUP BY d.month, m.organisation_id) x \
         GROUP BY x.month",
        keys.join(",")
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.month, r.members, r.charged, r.paid))
        .collect())
}

/// (name, date, state, recipients, received, amount)
pub type OccasionFigures = (String, NaiveDate, String, i64, i64, i64);

/// Occasions dated in the period with their rows still on the list: (name, date, state,
/// recipients, received, amount).
pub fn occasions_in(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OccasionFigures>, AppError> {
    use crate::db::schema::{occasion_rows, occasions};
    let list: Vec<(i32, String, NaiveDate, String)> = occasions::table
        .filter(occasions::occasion_date.between(from, to))
        .order((occasions::occasion_date.asc(), occasions::id.asc()))
        .select((
            occasions::id,
            occasions::name,
            occasions::occasion_date,
            occasions::state,
        ))
        .load(conn)?;
    let ids: Vec<i32> = list.iter().map(|o| o.0).collect();
    let rows: Vec<(i32, i64, Option<NaiveDateTime>)> = occasion_rows::table
        .filter(occasion_rows::occasion_id.eq_any(&ids))
        .filter(occasion_rows::removed_reason.is_null())
        .select((
            occasion_rows::occasion_id,
            occasion_rows::amount_vnd,
            occasion_rows::received_at,
        ))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|(id, name, day, state)| {
            let of: Vec<_> = rows.iter().filter(|r| r.0 == id).collect();
            let received = of.iter().filter(|r| r.2.is_some()).count() as i64;
            let amount = of.iter().map(|r| r.1).sum();
            (name, day, state, of.len() as i64, received, amount)
        })
        .collect())
}
