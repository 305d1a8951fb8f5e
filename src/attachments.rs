//! Files the accounting and welfare work must keep (original e-invoice XML, scanned
//! decisions, signed sheets, month packs): bytes in the database with their SHA-256, media
//! type and size, who stored them and when. A file is stored once and never changed; it is
//! served only by the feature that owns its record, to the roles of that record.

use crate::db::schema::attachments;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// The largest file kept (a scanned decision of a few pages).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

pub struct NewFile<'a> {
    pub owner_kind: &'a str,
    pub owner_id: i32,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub content: &'a [u8],
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = attachments)]
pub struct File {
    pub id: i32,
    pub owner_kind: String,
    pub owner_id: Option<i32>,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_at: NaiveDateTime,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Stores a file; returns its id.
pub fn store(
    conn: &mut DbConn,
    by: Option<i32>,
    now: NaiveDateTime,
    f: &NewFile,
) -> Result<i32, AppError> {
    if f.content.is_empty() {
        return Err(AppError::BadRequest("imp.err_empty"));
    }
    if f.content.len() > MAX_BYTES {
        return Err(AppError::BadRequest("imp.err_too_big"));
    }
    let name: String = f
        .file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(120)
        .collect();
    Ok(diesel::insert_into(attachments::table)
        .values((
            attachments::owner_kind.eq(f.owner_kind),
            attachments::owner_id.eq(f.owner_id),
            attachments::file_name.eq(if name.is_empty() { "file" } else { &name }),
            attachments::media_type.eq(f.media_type),
            attachments::size_bytes.eq(f.content.len() as i32),
            attachments::sha256.eq(sha256_hex(f.content)),
            attachments::content.eq(f.content),
            attachments::uploaded_at.eq(now),
            attachments::uploaded_by.eq(by),
        ))
        .returning(attachments::id)
        .get_result(conn)?)
}

/// A stored file, if it belongs to that record.
pub fn of_owner(
    conn: &mut DbConn,
    id: i32,
    owner_kind: &str,
    owner_id: i32,
) -> Result<File, AppError> {
    attachments::table
        .find(id)
        .filter(attachments::owner_kind.eq(owner_kind))
        .filter(attachments::owner_id.eq(owner_id))
        .select(File::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A scanned document (a certificate, a signed list) is a PDF, JPEG or PNG of at most 5 MB.
pub const MAX_SCAN: usize = 5 * 1024 * 1024;

/// The media type of a scan, by its first bytes (not by its name).
pub fn scan_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// The file name extension of a scan's media type.
pub fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    }
}
