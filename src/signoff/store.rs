//! All diesel code of the sign-off: signing keys (the registry), signatories, delegations and
//! the signatures of months; the signing command; the checks `verify-audit` and
//! `verify-statement` run.

use super::keys::{self, Sealed};
use crate::accounting::store as accounting;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    delegations, month_signatures, periods, signatories, signing_keys, user_roles, users,
};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const PREPARER: &str = "preparer";
pub const CHIEF: &str = "chief_accountant";
pub const HEAD: &str = "head";
pub const DEPUTY: &str = "deputy";

/// The capacity each step signs in.
/// The text key of a step's capacity ("Người lập biểu", "Kế toán trưởng", "Thủ trưởng đơn vị").
pub fn capacity_key(step: i32) -> &'static str {
    match step {
        1 => "sign.cap_preparer",
        2 => "sign.cap_chief",
        _ => "sign.cap_head",
    }
}

pub fn capacity_of(step: i32) -> &'static str {
    match step {
        1 => PREPARER,
        2 => CHIEF,
        _ => HEAD,
    }
}

// ---------------------------------------------------------------------------------------
// Keys

#[derive(Clone, Debug)]
pub struct ActiveKey {
    pub id: i32,
    pub sealed: Sealed,
}

pub fn active_key(conn: &mut DbConn, user: i32) -> Result<Option<ActiveKey>, AppError> {
    type Row = (i32, String, Vec<u8>, Vec<u8>, Vec<u8>);
    let row: Option<Row> = signing_keys::table
        .filter(signing_keys::user_id.eq(user))
        .filter(signing_keys::retired_at.is_null())
        .select((
            signing_keys::id,
            signing_keys::public_key,
            signing_keys::sealed_secret,
            signing_keys::salt,
            signing_keys::nonce,
        ))
        .get_result(conn)
        .optional()?;
    Ok(
        row.map(|(id, public_key, sealed_secret, salt, nonce)| ActiveKey {
            id,
            sealed: Sealed {
                public_key,
                sealed_secret,
                salt,
                nonce,
            },
        }),
    )
}

/// Stores a newly generated key as the user's active one (any earlier one retired). Audited
/// with its fingerprint. Returns its id.
pub fn store_new_key(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    user: i32,
    sealed: &Sealed,
) -> Result<i32, AppError> {
    retire_keys(conn, actor, now, user, "replaced")?;
    let fp = keys::fingerprint(&sealed.public_key);
    let id = diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::user_id.eq(user),
            signing_keys::public_key.eq(&sealed.public_key),
            signing_keys::fingerprint.eq(&fp),
            signing_keys::sealed_secret.eq(&sealed.sealed_secret),
            signing_keys::salt.eq(&sealed.salt),
            signing_keys::nonce.eq(&sealed.nonce),
            signing_keys::created_at.eq(now),
        ))
        .returning(signing_keys::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("signing_key.issue", "user")
            .id(user)
            .after(json!({"key_id": id, "fingerprint": fp, "public_key": sealed.public_key})),
    )?;
    Ok(id)
}

/// The same key sealed under a new password (a password change).
pub fn reseal_key(conn: &mut DbConn, key_id: i32, sealed: &Sealed) -> Result<(), AppError> {
    let n = diesel::update(
        signing_keys::table
            .find(key_id)
            .filter(signing_keys::public_key.eq(&sealed.public_key))
            .filter(signing_keys::retired_at.is_null()),
    )
    .set((
        signing_keys::sealed_secret.eq(&sealed.sealed_secret),
        signing_keys::salt.eq(&sealed.salt),
        signing_keys::nonce.eq(&sealed.nonce),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(AppError::internal("the signing key changed meanwhile"));
    }
    Ok(())
}

/// Retires the user's active key (an administrator reset their password: nobody else may
/// sign with it, and only the person's own new password gets them a new one). Audited.
pub fn retire_keys(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    user: i32,
    why: &str,
) -> Result<(), AppError> {
    let retired: Vec<String> = diesel::update(
        signing_keys::table
            .filter(signing_keys::user_id.eq(user))
            .filter(signing_keys::retired_at.is_null()),
    )
    .set(signing_keys::retired_at.eq(now))
    .returning(signing_keys::fingerprint)
    .get_results(conn)?;
    for fp in retired {
        audit::record(
            conn,
            actor,
            now,
            Entry::new("signing_key.retire", "user")
                .id(user)
                .after(json!({"fingerprint": fp, "why": why})),
        )?;
    }
    Ok(())
}

/// Whether the user is one who signs months (an accountant or an approver).
pub fn may_sign(conn: &mut DbConn, user: i32) -> Result<bool, AppError> {
    let n: i64 = user_roles::table
        .filter(user_roles::user_id.eq(user))
        .filter(user_roles::role.eq_any(["accountant", "approver"]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One key of the registry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistryKey {
    pub key_id: i32,
    pub username: String,
    pub display_name: String,
    pub public_key: String,
    pub fingerprint: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

/// Every signer's keys, past and present.
pub fn registry(conn: &mut DbConn) -> Result<Vec<RegistryKey>, AppError> {
    type Row = (
        i32,
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = signing_keys::table
        .inner_join(users::table)
        .order(signing_keys::id.asc())
        .select((
            signing_keys::id,
            users::username,
            users::display_name,
            signing_keys::public_key,
            signing_keys::fingerprint,
            signing_keys::created_at,
            signing_keys::retired_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| RegistryKey {
            key_id: r.0,
            username: r.1,
            display_name: r.2,
            public_key: r.3,
            fingerprint: r.4,
            created_at: r.5,
            retired_at: r.6,
        })
        .collect())
}

/// The registry as `canteen signers` prints it: one key per line, tab-separated — public key,
/// fingerprint, user, name, issued, retired — after `#` comment lines.
pub fn registry_text(keys: &[RegistryKey]) -> String {
    let mut out = String::from(
        "# canteen signing keys (Ed25519): public key, fingerprint, user, name, issued, retired\n",
    );
    for k in keys {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            k.public_key,
            k.fingerprint,
            k.username,
            k.display_name.replace(['\t', '\n'], " "),
            k.created_at.format("%Y-%m-%dT%H:%M:%S"),
            k.retired_at
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_else(|| "-".into())
        ));
    }
    out
}

/// The public keys a registry file names.
pub fn registry_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(|k| k.trim().to_ascii_lowercase())
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Signatories and delegations

#[derive(Clone, Debug, Queryable, PartialEq, Eq)]
pub struct Signatory {
    pub user_id: i32,
    pub position: String,
    pub title: String,
    pub display_name: String,
    pub person_id: Option<i32>,
}

pub fn signatories(conn: &mut DbConn) -> Result<Vec<Signatory>, AppError> {
    Ok(signatories::table
        .inner_join(users::table)
        .order((signatories::position.asc(), users::display_name.asc()))
        .select((
            signatories::user_id,
            signatories::position,
            signatories::title,
            users::display_name,
            users::person_id,
        ))
        .load(conn)?)
}

/// Store command: who signs in which position, with their title; `None` removes them.
pub fn set_signatory(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    user: i32,
    position: Option<(&str, &str)>,
) -> Result<(), AppError> {
    let before: Option<(String, String)> = signatories::table
        .find(user)
        .select((signatories::position, signatories::title))
        .get_result(conn)
        .optional()?;
    diesel::delete(signatories::table.find(user)).execute(conn)?;
    if let Some((position, title)) = position {
        let title = title.trim();
        if ![CHIEF, HEAD, DEPUTY].contains(&position) {
            return Err(AppError::BadRequest("err.bad_form"));
        }
        if title.is_empty() || title.chars().count() > 100 {
            return Err(AppError::BadRequest("sign.err_title"));
        }
        if !may_sign(conn, user)? {
            return Err(AppError::BadRequest("sign.err_not_signer"));
        }
        diesel::insert_into(signatories::table)
            .values((
                signatories::user_id.eq(user),
                signatories::position.eq(position),
                signatories::title.eq(title),
                signatories::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let mut e = Entry::new("signatory.set", "user").id(user);
    if let Some((p, t)) = &before {
        e = e.before(json!({"position": p, "title": t}));
    }
    if let Some((p, t)) = position {
        e = e.after(json!({"position": p, "title": t.trim()}));
    }
    audit::record(conn, actor, now, e)
}

#[derive(Clone, Debug, Queryable, PartialEq, Eq)]
pub struct Delegation {
    pub id: i32,
    pub from_user: i32,
    pub to_user: i32,
    pub mode: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub reference: String,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn delegations(conn: &mut DbConn) -> Result<Vec<Delegation>, AppError> {
    Ok(delegations::table
        .order(delegations::valid_from.desc())
        .select((
            delegations::id,
            delegations::from_user,
            delegations::to_user,
            delegations::mode,
            delegations::valid_from,
            delegations::valid_to,
            delegations::reference,
            delegations::revoked_at,
        ))
        .load(conn)?)
}

fn position_of(conn: &mut DbConn, user: i32) -> Result<Option<(String, String)>, AppError> {
    Ok(signatories::table
        .find(user)
        .select((signatories::position, signatories::title))
        .get_result(conn)
        .optional()?)
}

/// Store command: the head authorises `to` to sign in their place from `from` to `to_date`:
/// a deputy signs KT., anyone else TUQ. Audited.
#[allow(clippy::too_many_arguments)]
pub fn add_delegation(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    head: i32,
    to: i32,
    from: NaiveDate,
    to_date: NaiveDate,
    reference: &str,
    today: NaiveDate,
) -> Result<i32, AppError> {
    if position_of(conn, head)?.map(|p| p.0).as_deref() != Some(HEAD) {
        return Err(AppError::Forbidden);
    }
    if to_date < today {
        return Err(AppError::BadRequest("sign.err_past"));
    }
    let overlapping: i64 = delegations::table
        .filter(delegations::from_user.eq(head))
        .filter(delegations::to_user.eq(to))
        .filter(delegations::revoked_at.is_null())
        .filter(delegations::valid_from.le(to_date))
        .filter(delegations::valid_to.ge(from))
        .count()
        .get_result(conn)?;
    if overlapping > 0 {
        return Err(AppError::BadRequest("sign.err_overlap"));
    }
    if to == head {
        return Err(AppError::BadRequest("sign.err_self"));
    }
    if to_date < from || (to_date - from).num_days() > 366 {
        return Err(AppError::BadRequest("sign.err_dates"));
    }
    if !may_sign(conn, to)? {
        return Err(AppError::BadRequest("sign.err_not_signer"));
    }
    let reference = reference.trim();
    if reference.chars().count() > 200 {
        return Err(AppError::BadRequest("sign.err_reference"));
    }
    let mode = match position_of(conn, to)?.map(|p| p.0).as_deref() {
        Some(DEPUTY) => "KT",
        _ if reference.is_empty() => return Err(AppError::BadRequest("sign.err_tuq_reference")),
        _ => "TUQ",
    };
    let id = diesel::insert_into(delegations::table)
        .values((
            delegations::from_user.eq(head),
            delegations::to_user.eq(to),
            delegations::mode.eq(mode),
            delegations::valid_from.eq(from),
            delegations::valid_to.eq(to_date),
            delegations::reference.eq(reference),
            delegations::created_at.eq(now),
            delegations::created_by.eq(actor.user_id),
        ))
        .returning(delegations::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        Entry::new("signing_delegation.create", "delegation")
            .id(id)
            .after(json!({"from_user": head, "to_user": to, "mode": mode,
                "valid_from": from, "valid_to": to_date, "reference": reference})),
    )?;
    Ok(id)
}

/// Store command: the head revokes a delegation. Audited.
pub fn revoke_delegation(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    head: i32,
    id: i32,
) -> Result<(), AppError> {
    let n = diesel::update(
        delegations::table
            .find(id)
            .filter(delegations::from_user.eq(head))
            .filter(delegations::revoked_at.is_null()),
    )
    .set(delegations::revoked_at.eq(now))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("signing_delegation.revoke", "delegation").id(id),
    )
}

// ---------------------------------------------------------------------------------------
// Signatures

#[derive(Clone, Debug, Queryable, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthSignature {
    pub month: String,
    pub step: i32,
    pub capacity: String,
    pub signer_id: i32,
    pub signer_name: String,
    pub signer_title: String,
    pub mode: String,
    pub on_behalf_of: Option<i32>,
    pub key_id: i32,
    pub signed_at: NaiveDateTime,
    pub payload: String,
    pub signature: String,
}

/// What a signing form names: the close it was shown for and how many signatures it showed.
pub fn seen_token(closed_at: NaiveDateTime, signatures: usize) -> String {
    format!("{}|{signatures}", closed_at.and_utc().timestamp_micros())
}

/// Refuses a signature from a page that showed the month otherwise ([`seen_token`]): closed
/// again since (its figures may differ), or signed by someone else meanwhile.
pub fn ensure_as_seen(conn: &mut DbConn, month: &str, seen: &str) -> Result<(), AppError> {
    let closed =
        accounting::closed(conn, month)?.ok_or(AppError::BadRequest("month.err_not_closed"))?;
    let n = signatures_of(conn, month)?.len();
    if seen != seen_token(closed.closed_at, n) {
        return Err(AppError::BadRequest("sign.err_changed"));
    }
    Ok(())
}

pub fn signatures_of(conn: &mut DbConn, month: &str) -> Result<Vec<MonthSignature>, AppError> {
    Ok(month_signatures::table
        .filter(month_signatures::month.eq(month))
        .order(month_signatures::step.asc())
        .select((
            month_signatures::month,
            month_signatures::step,
            month_signatures::capacity,
            month_signatures::signer_id,
            month_signatures::signer_name,
            month_signatures::signer_title,
            month_signatures::mode,
            month_signatures::on_behalf_of,
            month_signatures::key_id,
            month_signatures::signed_at,
            month_signatures::payload,
            month_signatures::signature,
        ))
        .load(conn)?)
}

/// What a signature covers, as the totals a closed month stored, with what it was
/// reconciled against: its supplier invoices and the note on the difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub digest: String,
    pub lines: i64,
    pub charged_vnd: i64,
    pub subsidy_vnd: i64,
    pub staff_vnd: i64,
    pub adjustments_vnd: i64,
    /// `seller/template/series/number=total` per invoice, in id order, comma-separated.
    #[serde(default)]
    pub invoices: String,
    /// SHA-256 of the note on the difference ("" without one).
    #[serde(default)]
    pub note_sha256: String,
}

/// The month's invoices and note as a signature names them.
fn reconciled(conn: &mut DbConn, month: &str) -> Result<(String, String), AppError> {
    let invoices = crate::suppliers::store::invoices_of(conn, month)?
        .iter()
        .map(|i| {
            format!(
                "{}/{}/{}/{}={}",
                i.seller_tax_code, i.template, i.series, i.number, i.total.0
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let note = accounting::note_of(conn, month)?
        .map(|(_, n)| crate::attachments::sha256_hex(n.as_bytes()))
        .unwrap_or_default();
    Ok((invoices, note))
}

/// Who signs and how, as the payload names them.
pub struct Signer<'a> {
    pub step: i32,
    pub user_id: i32,
    pub username: &'a str,
    pub mode: &'a str,
    pub on_behalf_of: Option<i32>,
}

/// The canonical text a signature covers (documented in the README): the month, the step and
/// capacity, the signer, the statement digest and totals, the earlier signatures and the audit
/// chain's head, one `key: value` per line.
pub fn payload(
    month: &str,
    s: &Signer,
    t: &Totals,
    previous: &[String],
    audit_head: &str,
    signed_at: NaiveDateTime,
) -> String {
    format!(
        "canteen month sign-off v1\nmonth: {month}\nstep: {}\ncapacity: {}\nsigner: {} {}\nmode: {}\non_behalf_of: {}\nstatement_digest: {}\nlines: {}\ncharged_vnd: {}\nsubsidy_vnd: {}\nstaff_vnd: {}\nadjustments_vnd: {}\ninvoices: {}\nnote_sha256: {}\nprevious: {}\naudit_head: {audit_head}\nsigned_at: {}\n",
        s.step,
        capacity_of(s.step),
        s.user_id,
        s.username,
        s.mode,
        s.on_behalf_of.map(|i| i.to_string()).unwrap_or_default(),
        t.digest,
        t.lines,
        t.charged_vnd,
        t.subsidy_vnd,
        t.staff_vnd,
        t.adjustments_vnd,
        t.invoices,
        t.note_sha256,
        previous.join(","),
        signed_at.format("%Y-%m-%dT%H:%M:%S%.6f"),
    )
}

/// A `key: value` line of a payload.
pub fn payload_field<'a>(payload: &'a str, key: &str) -> Option<&'a str> {
    payload
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
}

fn totals_of(conn: &mut DbConn, closed: &accounting::Closed) -> Result<Totals, AppError> {
    let (invoices, note_sha256) = reconciled(conn, &closed.month)?;
    Ok(Totals {
        digest: closed.digest.clone(),
        lines: i64::from(closed.lines),
        charged_vnd: closed.charged_vnd,
        subsidy_vnd: closed.subsidy_vnd,
        staff_vnd: closed.staff_vnd,
        adjustments_vnd: closed.adjustments_vnd,
        invoices,
        note_sha256,
    })
}

/// How the next signature of a month would be made by `user`: its step, and for the head's
/// step the mode and for whom. Refused with the reason when this user may not sign next.
pub fn next_step_for(
    conn: &mut DbConn,
    month: &str,
    user: i32,
    today: NaiveDate,
) -> Result<(i32, &'static str, Option<i32>), AppError> {
    let state: Option<String> = periods::table
        .find(month)
        .select(periods::state)
        .get_result(conn)
        .optional()?;
    match state.as_deref() {
        Some("closed") => {}
        Some("signed") => return Err(AppError::BadRequest("sign.err_done")),
        _ => return Err(AppError::BadRequest("month.err_not_closed")),
    }
    let closed =
        accounting::closed(conn, month)?.ok_or(AppError::BadRequest("month.err_not_closed"))?;
    let done = signatures_of(conn, month)?;
    let step = done.len() as i32 + 1;
    if done.iter().any(|s| s.signer_id == user) {
        return Err(AppError::BadRequest("sign.err_twice"));
    }
    // Who prepared the month: who closed it and who signed as its preparer.
    let prepared_by = [done.first().map(|s| s.signer_id), closed.closed_by];
    if step > 1 && prepared_by.contains(&Some(user)) {
        return Err(AppError::BadRequest("sign.err_prepared"));
    }
    let position = position_of(conn, user)?.map(|p| p.0);
    match step {
        1 => {
            let accountant: i64 = user_roles::table
                .filter(user_roles::user_id.eq(user))
                .filter(user_roles::role.eq("accountant"))
                .count()
                .get_result(conn)?;
            if accountant == 0 {
                return Err(AppError::BadRequest("sign.err_preparer"));
            }
            Ok((1, "", None))
        }
        2 if position.as_deref() == Some(CHIEF) => Ok((2, "", None)),
        2 => Err(AppError::BadRequest("sign.err_chief")),
        _ if position.as_deref() == Some(HEAD) => Ok((3, "", None)),
        _ => {
            let d: Option<(i32, String)> = delegations::table
                .filter(delegations::to_user.eq(user))
                .filter(delegations::revoked_at.is_null())
                .filter(delegations::valid_from.le(today))
                .filter(delegations::valid_to.ge(today))
                .select((delegations::from_user, delegations::mode))
                .first(conn)
                .optional()?;
            match d {
                Some((head, mode))
                    if position_of(conn, head)?.map(|p| p.0).as_deref() == Some(HEAD) =>
                {
                    // Nobody signs a month they prepared, even for someone else (checked above),
                    // and the head's own delegate cannot be the chief accountant who signed.
                    Ok((3, if mode == "KT" { "KT" } else { "TUQ" }, Some(head)))
                }
                _ => Err(AppError::BadRequest("sign.err_head")),
            }
        }
    }
}

/// Store command: signs the month's next step with an opened key. The payload covers the
/// stored totals and digest, the earlier signatures and the audit head now. The third
/// signature makes the month signed. Audited. Returns the step signed.
#[allow(clippy::too_many_arguments)]
pub fn sign_month(
    conn: &mut DbConn,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
    month: &str,
    user: i32,
    key_id: i32,
    key: &SigningKey,
) -> Result<i32, AppError> {
    let (step, mode, on_behalf) = next_step_for(conn, month, user, today)?;
    let (username, display): (String, String) = users::table
        .find(user)
        .select((users::username, users::display_name))
        .get_result(conn)?;
    let stored_key: String = signing_keys::table
        .find(key_id)
        .filter(signing_keys::user_id.eq(user))
        .filter(signing_keys::retired_at.is_null())
        .select(signing_keys::public_key)
        .get_result(conn)
        .optional()?
        .ok_or(AppError::BadRequest("sign.err_password"))?;
    if hex::encode(key.verifying_key().as_bytes()) != stored_key {
        return Err(AppError::BadRequest("sign.err_password"));
    }
    let closed =
        accounting::closed(conn, month)?.ok_or(AppError::BadRequest("month.err_not_closed"))?;
    let previous: Vec<String> = signatures_of(conn, month)?
        .into_iter()
        .map(|s| s.signature)
        .collect();
    let (rows, hash) = audit::head(conn)?;
    let title = match step {
        1 => "Người lập biểu".to_string(),
        _ => position_of(conn, user)?
            .map(|p| p.1)
            .unwrap_or_else(|| display.clone()),
    };
    let signed_at = crate::clock::truncate_micros(now);
    let text = payload(
        month,
        &Signer {
            step,
            user_id: user,
            username: &username,
            mode,
            on_behalf_of: on_behalf,
        },
        &totals_of(conn, &closed)?,
        &previous,
        &format!("{rows} {hash}"),
        signed_at,
    );
    let signature = keys::sign(key, &text);
    diesel::insert_into(month_signatures::table)
        .values((
            month_signatures::month.eq(month),
            month_signatures::step.eq(step),
            month_signatures::capacity.eq(capacity_of(step)),
            month_signatures::signer_id.eq(user),
            month_signatures::signer_name.eq(&display),
            month_signatures::signer_title.eq(&title),
            month_signatures::mode.eq(mode),
            month_signatures::on_behalf_of.eq(on_behalf),
            month_signatures::key_id.eq(key_id),
            month_signatures::signed_at.eq(signed_at),
            month_signatures::payload.eq(&text),
            month_signatures::signature.eq(&signature),
        ))
        .execute(conn)?;
    if step == 3 {
        diesel::update(periods::table.find(month))
            .set((
                periods::state.eq("signed"),
                periods::changed_at.eq(now),
                periods::changed_by.eq(user),
            ))
            .execute(conn)?;
        // The month's report pack, in the same transaction: signed means published.
        let signed: Vec<crate::stats::pack::Signed> = signatures_of(conn, month)?
            .into_iter()
            .map(|s| crate::stats::pack::Signed {
                capacity: capacity_key(s.step),
                mode: s.mode,
                name: s.signer_name,
                title: s.signer_title,
                at: s.signed_at,
            })
            .collect();
        crate::stats::pack::generate(conn, actor, now, month, &closed.digest, &signed)?;
    }
    audit::record(
        conn,
        actor,
        now,
        Entry::new("month_signature.sign", "month").id(month).after(
            json!({"step": step, "capacity": capacity_of(step), "mode": mode,
                "on_behalf_of": on_behalf, "fingerprint": keys::fingerprint(&stored_key),
                "digest": closed.digest}),
        ),
    )?;
    Ok(step)
}

/// Removes the signatures of a month being reopened (never a signed one: reopening refuses
/// those first); the reopening's audit entry keeps what they were.
pub fn void_signatures(conn: &mut DbConn, month: &str) -> Result<Vec<MonthSignature>, AppError> {
    let was = signatures_of(conn, month)?;
    diesel::delete(month_signatures::table.filter(month_signatures::month.eq(month)))
        .execute(conn)?;
    Ok(was)
}

/// Checks a month's signatures against its stored statement: the stored lines still give the
/// stored digest, every payload names that digest and the stored totals and the signatures
/// before it, and every signature verifies against the key the registry holds for its
/// signer. Returns the problems (none: all good).
pub fn verify_month(conn: &mut DbConn, month: &str) -> Result<Vec<String>, AppError> {
    let mut problems = Vec::new();
    let Some(closed) = accounting::closed(conn, month)? else {
        return Ok(vec![format!("{month}: signed but no stored statement")]);
    };
    let lines = accounting::stored(conn, month)?;
    let adjustments = accounting::adjustments_of(conn, month)?;
    let digest = accounting::digest(&lines, &adjustments);
    if digest != closed.digest {
        problems.push(format!(
            "{month}: the stored statement lines no longer give the stored digest (now {digest}, stored {})",
            closed.digest
        ));
    }
    let sum = |f: fn(&accounting::Line) -> i64| lines.iter().map(f).sum::<i64>();
    let (invoices, note_sha256) = reconciled(conn, month)?;
    let t = Totals {
        digest,
        lines: lines.len() as i64,
        charged_vnd: sum(|l| l.charged.0),
        subsidy_vnd: sum(|l| l.subsidy.0),
        staff_vnd: sum(|l| l.staff.0),
        adjustments_vnd: adjustments.iter().map(|a| a.amount).sum(),
        invoices,
        note_sha256,
    };
    let keys: Vec<(i32, i32, String)> = signing_keys::table
        .select((
            signing_keys::id,
            signing_keys::user_id,
            signing_keys::public_key,
        ))
        .load(conn)?;
    let signatures = signatures_of(conn, month)?;
    let mut previous: Vec<String> = Vec::new();
    for s in &signatures {
        let username: String = users::table
            .find(s.signer_id)
            .select(users::username)
            .get_result(conn)?;
        let audit_head = payload_field(&s.payload, "audit_head").unwrap_or("");
        let expected = payload(
            month,
            &Signer {
                step: s.step,
                user_id: s.signer_id,
                username: &username,
                mode: &s.mode,
                on_behalf_of: s.on_behalf_of,
            },
            &t,
            &previous,
            audit_head,
            s.signed_at,
        );
        if expected != s.payload {
            problems.push(format!(
                "{month}: signature {} no longer matches the statement it signed",
                s.step
            ));
        }
        match keys.iter().find(|k| k.0 == s.key_id && k.1 == s.signer_id) {
            Some((_, _, pk)) if keys::verify(pk, &s.payload, &s.signature) => {}
            Some(_) => problems.push(format!("{month}: signature {} does not verify", s.step)),
            None => problems.push(format!(
                "{month}: signature {} names a key not in the registry",
                s.step
            )),
        }
        previous.push(s.signature.clone());
    }
    Ok(problems)
}

/// Every month with signatures, checked.
pub fn verify_all(conn: &mut DbConn) -> Result<(usize, Vec<String>), AppError> {
    let mut months: Vec<String> = month_signatures::table
        .select(month_signatures::month)
        .distinct()
        .load(conn)?;
    months.sort();
    let mut problems = Vec::new();
    for m in &months {
        problems.extend(verify_month(conn, m)?);
    }
    Ok((months.len(), problems))
}

// ---------------------------------------------------------------------------------------
// The exported statement

/// A signed month as a file: the canonical statement text, its digest and totals, and the
/// signatures with the public keys they were made with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exported {
    pub format: String,
    pub month: String,
    pub canonical: String,
    pub totals: Totals,
    pub signatures: Vec<ExportedSignature>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportedSignature {
    pub step: i32,
    pub capacity: String,
    pub signer_name: String,
    pub signer_title: String,
    pub mode: String,
    pub signed_at: NaiveDateTime,
    pub public_key: String,
    pub fingerprint: String,
    pub payload: String,
    pub signature: String,
}

pub const EXPORT_FORMAT: &str = "canteen-signed-month-v1";

pub fn export_month(conn: &mut DbConn, month: &str) -> Result<Exported, AppError> {
    let closed =
        accounting::closed(conn, month)?.ok_or(AppError::BadRequest("month.err_not_closed"))?;
    let lines = accounting::stored(conn, month)?;
    let adjustments = accounting::adjustments_of(conn, month)?;
    let keys: Vec<(i32, String, String)> = signing_keys::table
        .select((
            signing_keys::id,
            signing_keys::public_key,
            signing_keys::fingerprint,
        ))
        .load(conn)?;
    let signatures = signatures_of(conn, month)?
        .into_iter()
        .map(|s| {
            let (pk, fp) = keys
                .iter()
                .find(|k| k.0 == s.key_id)
                .map(|k| (k.1.clone(), k.2.clone()))
                .unwrap_or_default();
            ExportedSignature {
                step: s.step,
                capacity: s.capacity,
                signer_name: s.signer_name,
                signer_title: s.signer_title,
                mode: s.mode,
                signed_at: s.signed_at,
                public_key: pk,
                fingerprint: fp,
                payload: s.payload,
                signature: s.signature,
            }
        })
        .collect();
    Ok(Exported {
        format: EXPORT_FORMAT.into(),
        month: month.into(),
        canonical: accounting::canonical(&lines, &adjustments),
        totals: totals_of(conn, &closed)?,
        signatures,
    })
}

/// Checks an exported statement offline against a key registry exported earlier: the
/// statement text gives the digest every signature names, the totals add up from the text,
/// the signatures chain in order and verify, and every key is in the registry (a key inside
/// the file alone proves nothing). Returns a summary, or every problem found.
pub fn verify_exported(file: &str, registry: &str) -> Result<String, Vec<String>> {
    let e: Exported = match serde_json::from_str(file) {
        Ok(e) => e,
        Err(err) => return Err(vec![format!("not a signed month file: {err}")]),
    };
    let mut problems = Vec::new();
    if e.format != EXPORT_FORMAT {
        problems.push(format!("unknown format {:?}", e.format));
    }
    let known = registry_keys(registry);
    if known.is_empty() {
        problems.push("the key registry names no key".into());
    }
    let digest = {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(e.canonical.as_bytes()))
    };
    let (mut lines, mut charged, mut subsidy, mut staff, mut adjusted) =
        (0i64, 0i64, 0i64, 0i64, 0i64);
    for l in e.canonical.lines() {
        let f: Vec<&str> = l.split('|').collect();
        if f.first() == Some(&"adj") {
            adjusted += f.get(4).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        } else {
            lines += 1;
            let n = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            charged += n(3);
            subsidy += n(4);
            staff += n(5);
        }
    }
    let from_text = Totals {
        digest: digest.clone(),
        lines,
        charged_vnd: charged,
        subsidy_vnd: subsidy,
        staff_vnd: staff,
        adjustments_vnd: adjusted,
        invoices: e.totals.invoices.clone(),
        note_sha256: e.totals.note_sha256.clone(),
    };
    if from_text != e.totals {
        problems.push("the statement's lines do not give the totals and digest it states".into());
    }
    if e.signatures.is_empty() {
        problems.push("the statement carries no signature".into());
    }
    let mut previous: Vec<String> = Vec::new();
    for (i, s) in e.signatures.iter().enumerate() {
        let n = s.step;
        if n != i as i32 + 1 {
            problems.push(format!("signature {n} is out of order"));
        }
        let field = |k: &str| payload_field(&s.payload, k).unwrap_or("").to_string();
        if field("month") != e.month || field("step") != n.to_string() {
            problems.push(format!("signature {n} is for another month or step"));
        }
        if field("statement_digest") != digest {
            problems.push(format!(
                "signature {n} covers another statement (its digest differs from the lines)"
            ));
        }
        let named = [
            ("lines", lines),
            ("charged_vnd", charged),
            ("subsidy_vnd", subsidy),
            ("staff_vnd", staff),
            ("adjustments_vnd", adjusted),
        ];
        if named.iter().any(|(k, v)| field(k) != v.to_string())
            || field("invoices") != e.totals.invoices
            || field("note_sha256") != e.totals.note_sha256
        {
            problems.push(format!("signature {n} covers other totals"));
        }
        if field("previous") != previous.join(",") {
            problems.push(format!(
                "signature {n} does not follow the signatures before it"
            ));
        }
        if !known.contains(&s.public_key.to_ascii_lowercase()) {
            problems.push(format!(
                "signature {n} was made with a key that is not in the registry ({})",
                s.fingerprint
            ));
        } else if !keys::verify(&s.public_key, &s.payload, &s.signature) {
            problems.push(format!("signature {n} does not verify"));
        }
        previous.push(s.signature.clone());
    }
    if problems.is_empty() {
        Ok(format!(
            "{}: {} lines, digest {digest}, {} signature(s) verified against the registry",
            e.month,
            lines,
            e.signatures.len()
        ))
    } else {
        Err(problems)
    }
}
