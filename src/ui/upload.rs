//! Reading a multipart upload: the CSRF field must come once and match, the file must fit,
//! and only the text fields the form names may come with it.

use crate::auth::middleware::{tokens_match, CsrfExpected};
use crate::error::AppError;
use crate::ui::forms::CSRF_FIELD;
use actix_multipart::Multipart;
use actix_web::{HttpMessage, HttpRequest};
use futures_util::StreamExt;

pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The named text fields that came (name, value).
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Reads the upload; a file over `max` bytes is refused as soon as it passes the limit, a
/// missing or empty one as `imp.err_empty`.
pub async fn read(
    req: &HttpRequest,
    mp: Multipart,
    max: usize,
    text_fields: &[&str],
) -> Result<Upload, AppError> {
    let up = read_fields(req, mp, max, text_fields).await?;
    if up.bytes.is_empty() {
        return Err(AppError::BadRequest("imp.err_empty"));
    }
    Ok(up)
}

/// [`read`], with a missing or empty file left to the caller (`bytes` empty): a form that
/// checks its text fields too tells of them all at once.
pub async fn read_fields(
    req: &HttpRequest,
    mut mp: Multipart,
    max: usize,
    text_fields: &[&str],
) -> Result<Upload, AppError> {
    // The middleware leaves the expected token only for multipart bodies; any other body
    // reaching here was a urlencoded form, which is not an upload.
    let expected = req
        .extensions()
        .get::<CsrfExpected>()
        .map(|c| c.0.clone())
        .ok_or(AppError::BadRequest("imp.err_empty"))?;
    let (mut token, mut file, mut name) = (String::new(), None, String::new());
    let mut fields = Vec::new();
    while let Some(item) = mp.next().await {
        let mut field = item.map_err(|_| AppError::BadRequest("err.bad_form"))?;
        let fname = field.name().unwrap_or("").to_string();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or("")
            .to_string();
        let limit = if fname == "file" { max } else { 4096 };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::BadRequest("err.bad_form"))?;
            if buf.len() + chunk.len() > limit {
                return Err(AppError::BadRequest(if fname == "file" {
                    "imp.err_too_big"
                } else {
                    "err.text_too_long"
                }));
            }
            buf.extend_from_slice(&chunk);
        }
        match fname.as_str() {
            CSRF_FIELD if token.is_empty() => token = String::from_utf8(buf).unwrap_or_default(),
            // A second token: not a form this app rendered.
            CSRF_FIELD => return Err(AppError::Csrf),
            "file" if file.is_none() => {
                file = Some(buf);
                name = filename;
            }
            f if text_fields.contains(&f) && !fields.iter().any(|(n, _)| n == f) => {
                let mut v =
                    String::from_utf8(buf).map_err(|_| AppError::BadRequest("err.bad_form"))?;
                // The rules of every form field (see `ui::forms::parse_form`).
                crate::ui::forms::check_text(&v)?;
                crate::ui::format::tidy_typed(&mut v);
                fields.push((fname, v));
            }
            _ => return Err(AppError::BadRequest("err.bad_form")),
        }
    }
    if !tokens_match(&token, &expected) {
        return Err(AppError::Csrf);
    }
    Ok(Upload {
        file_name: name,
        bytes: file.unwrap_or_default(),
        fields,
    })
}
