//! The monthly report pack: when a month is signed, every standard report for that month goes
//! into one XLSX workbook (a sheet per report, the signed statement's digest and the
//! signatures on the cover) and one A4 print view. Both are stored with their SHA-256 in the
//! transaction that signs the month and never change (the database refuses updates and
//! deletes), so "the report for October" reads the same whatever later months do.
//!
//! The pack is published to leaders: subsidy and retiree breakdowns follow the small-cell rule
//! as a leader reads them (accountants keep the full detail in the month's statements).

use super::catalogue::REPORTS;
use super::filters::{month_bounds, Filters, PeriodKind};
use super::sheet::Sheet;
use super::views;
use crate::audit::{self, Actor, Entry};
use crate::auth::roles::{Role, RoleSet};
use crate::db::schema::report_packs;
use crate::db::DbConn;
use crate::error::AppError;
use crate::ui::export::{self, Table};
use crate::ui::{layout, Ctx, Lang};
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use maud::html;
use serde_json::json;

/// A signature as the cover shows it.
pub struct Signed {
    /// The text key of the capacity signed in.
    pub capacity: &'static str,
    /// "KT." or "TUQ." when signing on the head's behalf, else empty.
    pub mode: String,
    pub name: String,
    pub title: String,
    pub at: NaiveDateTime,
}

/// A stored pack (without its bytes).
#[derive(Queryable, Clone, Debug)]
pub struct PackInfo {
    pub month: String,
    pub digest: String,
    pub xlsx_sha256: String,
    pub print_sha256: String,
    pub generated_at: NaiveDateTime,
}

/// The SHA-256 a pack is kept with (as attachments compute it).
pub use crate::attachments::sha256_hex;

/// A sheet name Excel takes: numbered (unique), at most 31 characters.
fn sheet_name(i: usize, title: &str) -> String {
    let clean: String = format!("{}. {title}", i + 1)
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect();
    if clean.chars().count() <= 31 {
        return clean;
    }
    // Cut at the last whole word that fits, with an ellipsis.
    let mut out = String::new();
    for w in clean.split(' ') {
        let next = if out.is_empty() {
            w.to_string()
        } else {
            format!("{out} {w}")
        };
        if next.chars().count() > 30 {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

/// Store command: builds and stores the pack of a month being signed (called by the signing
/// command at the last signature, inside its transaction). Audited.
pub fn generate(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    month: &str,
    digest: &str,
    signed: &[Signed],
) -> Result<PackInfo, AppError> {
    let first =
        crate::ui::format::parse_month(month).ok_or(AppError::BadRequest("err.bad_query"))?;
    let (from, to) = month_bounds(first);
    let f = Filters {
        from,
        to,
        kind: PeriodKind::Month,
        unit: None,
        fund: None,
        today: crate::clock::business_date_of(now),
    };
    let ctx = Ctx::detached(Lang::Vi);
    let leader = RoleSet::empty().with(Role::Leader);
    let mut sheets = Vec::new();
    let mut sections = Vec::new();
    for r in REPORTS {
        let mut out = r.compute(conn, &f)?;
        let hidden = !r.shows_small_cells(leader) && out.suppress_small();
        sheets.push(Sheet::of(&ctx, r, &f, "", &out, hidden));
        sections.push(views::print_section(&ctx, r, &out, hidden));
    }
    let label = format!("{:02}/{}", first.month(), first.year());
    let title = ctx.tf("pack.title", &label);
    let mut summary = vec![
        vec![ctx.t("pack.month").to_string(), label.clone()],
        vec![ctx.t("pack.digest").to_string(), digest.to_string()],
        vec![
            ctx.t("pack.generated").to_string(),
            crate::clock::local_datetime(now),
        ],
    ];
    let capacity = |s: &Signed| {
        if s.mode.is_empty() {
            ctx.t(s.capacity).to_string()
        } else {
            format!("{}. {}", s.mode, ctx.t(s.capacity))
        }
    };
    for s in signed {
        summary.push(vec![
            ctx.t("pack.signed").to_string(),
            format!(
                "{} — {} ({}) — {}",
                capacity(s),
                s.name,
                s.title,
                crate::clock::local_datetime(s.at)
            ),
        ]);
    }
    summary.push(vec![
        ctx.t("stats.note").to_string(),
        ctx.t("pack.small_note").to_string(),
    ]);
    let cover = Table {
        title: title.clone(),
        summary,
        header: &[ctx.t("pack.sheet"), ctx.t("pack.report")],
        rows: REPORTS
            .iter()
            .enumerate()
            .map(|(i, r)| vec![sheet_name(i, ctx.t(r.title)), ctx.t(r.summary).to_string()])
            .collect(),
        numbers_from: 2,
        widths: &[(0, 34.0), (1, 90.0)],
        money: &[],
    };
    let tables: Vec<Table> = sheets.iter().map(Sheet::table).collect();
    let names: Vec<String> = REPORTS
        .iter()
        .enumerate()
        .map(|(i, r)| sheet_name(i, ctx.t(r.title)))
        .collect();
    let mut book: Vec<(&str, &Table)> = vec![(ctx.t("pack.cover"), &cover)];
    book.extend(names.iter().map(String::as_str).zip(tables.iter()));
    let xlsx = export::book(&book)?;
    let body = html! {
        article.a4 {
            p.org { (ctx.t("stats.org")) }
            h1 { (title) }
            table {
                tbody {
                    tr { th scope="row" { (ctx.t("pack.digest")) } td { code { (digest) } } }
                    tr { th scope="row" { (ctx.t("pack.generated")) } td { (crate::clock::local_datetime(now)) } }
                    @for s in signed {
                        tr { th scope="row" { (capacity(s)) } td { (s.name) " — " (s.title) " — " (crate::clock::local_datetime(s.at)) } }
                    }
                }
            }
            p.hint { (ctx.t("pack.small_note")) }
            @for s in &sections { (s) }
        }
    };
    let print_html = layout::document(&ctx, &title, body).into_string();
    let info = PackInfo {
        month: month.to_string(),
        digest: digest.to_string(),
        xlsx_sha256: sha256_hex(&xlsx),
        print_sha256: sha256_hex(print_html.as_bytes()),
        generated_at: now,
    };
    diesel::insert_into(report_packs::table)
        .values((
            report_packs::month.eq(month),
            report_packs::digest.eq(digest),
            report_packs::xlsx.eq(&xlsx),
            report_packs::xlsx_sha256.eq(&info.xlsx_sha256),
            report_packs::print_html.eq(&print_html),
            report_packs::print_sha256.eq(&info.print_sha256),
            report_packs::generated_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("report_pack.generate", "month").id(month).after(json!({
            "digest": digest, "xlsx_sha256": info.xlsx_sha256, "print_sha256": info.print_sha256,
            "reports": REPORTS.len(),
        })),
    )?;
    Ok(info)
}

/// Every stored pack, newest month first.
pub fn list(conn: &mut DbConn) -> Result<Vec<PackInfo>, AppError> {
    Ok(report_packs::table
        .order(report_packs::month.desc())
        .select((
            report_packs::month,
            report_packs::digest,
            report_packs::xlsx_sha256,
            report_packs::print_sha256,
            report_packs::generated_at,
        ))
        .load(conn)?)
}

/// A pack's workbook, or its print view.
pub fn xlsx_of(conn: &mut DbConn, month: &str) -> Result<Option<(Vec<u8>, String)>, AppError> {
    Ok(report_packs::table
        .find(month)
        .select((report_packs::xlsx, report_packs::xlsx_sha256))
        .first(conn)
        .optional()?)
}

pub fn print_of(conn: &mut DbConn, month: &str) -> Result<Option<(String, String)>, AppError> {
    Ok(report_packs::table
        .find(month)
        .select((report_packs::print_html, report_packs::print_sha256))
        .first(conn)
        .optional()?)
}

/// Whether every stored pack's bytes still give its stored SHA-256: (month, workbook ok,
/// print view ok).
pub fn verify_all(conn: &mut DbConn) -> Result<Vec<(String, bool, bool)>, AppError> {
    let rows: Vec<(String, Vec<u8>, String, String, String)> = report_packs::table
        .order(report_packs::month.desc())
        .select((
            report_packs::month,
            report_packs::xlsx,
            report_packs::xlsx_sha256,
            report_packs::print_html,
            report_packs::print_sha256,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(m, x, xs, p, ps)| (m, sha256_hex(&x) == xs, sha256_hex(p.as_bytes()) == ps))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_numbered_short_and_free_of_characters_excel_refuses() {
        let n = sheet_name(11, "Độ bao phủ hỗ trợ người thu nhập thấp [A/B]: *?");
        assert!(n.starts_with("12. Độ bao phủ"));
        assert!(n.chars().count() <= 31);
        assert!(
            n.ends_with('…') && !n.contains("nhậ…"),
            "cut at a whole word: {n}"
        );
        assert!(!n.contains(['[', ']', ':', '*', '?', '/', '\\']));
    }
}
