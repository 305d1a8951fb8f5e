//! Form helpers: the one POST form (CSRF field built in), labelled inputs with errors beside
//! them, and the form-body extractor (repeated fields → Vec, unknown fields refused).

use super::{Ctx, Esc};
use crate::error::AppError;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

pub const CSRF_FIELD: &str = "csrf";

/// `<form method="post">` with the CSRF token. Every POST form goes through here.
pub fn post_form(ctx: &Ctx, action: &str, body: Markup) -> Markup {
    super::fill(
        html! {
            form method="post" action=(Esc(action)) {
                input type="hidden" name=(CSRF_FIELD) value=(Esc(&ctx.csrf));
                (super::SLOT)
            }
        },
        &[&body],
    )
}

/// A POST form that asks for confirmation before a destructive action (works without JS:
/// the confirmation is a required checkbox).
pub fn confirm_form(ctx: &Ctx, action: &str, question: &str, button: &str) -> Markup {
    post_form(
        ctx,
        action,
        html! {
            label.confirm {
                input type="checkbox" name="confirm" value="yes" required;
                " " (question)
            }
            " "
            button.danger type="submit" { (button) }
        },
    )
}

/// What is wrong with a form, each problem in words (also those of fields it does not show).
/// A page shown before another save ([`super::seen`]) says only that.
pub fn error_list(ctx: &Ctx, e: &FieldErrors) -> Markup {
    html! {
        @if let Some(k) = e.get(super::seen::FIELD) {
            p.alert role="alert" { (ctx.t(k)) }
        } @else if !e.is_empty() {
            div.alert role="alert" {
                p { (ctx.t("common.fix_errors")) }
                ul { @for (_, k) in &e.0 { li { (ctx.t(k)) } } }
            }
        }
    }
}

/// The alert above a form whose fields show their own problems: "correct the marked fields",
/// or, for a page shown before another save ([`super::seen`]), that nothing was saved.
pub fn form_alert(ctx: &Ctx, e: &FieldErrors) -> Markup {
    html! {
        @if let Some(k) = e.get(super::seen::FIELD) {
            p.alert role="alert" { (ctx.t(k)) }
        } @else if !e.is_empty() {
            p.alert role="alert" { (ctx.t("common.fix_errors")) }
        }
    }
}

impl FieldErrors {
    /// The problems of a page shown before another save ([`super::seen`]).
    pub fn changed_elsewhere() -> Self {
        FieldErrors(vec![(super::seen::FIELD, super::seen::CHANGED)])
    }
}

/// Field-level problems: (field name, i18n key).
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(pub Vec<(&'static str, &'static str)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push((field, key));
    }
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub struct Input<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'static str,
    pub required: bool,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'static str>,
    /// Makes the element ids unique when one page holds the same form several times.
    pub scope: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn text(name: &'static str, label: &'a str, value: &'a str) -> Self {
        Input {
            name,
            label,
            value,
            kind: "text",
            required: false,
            hint: None,
            autocomplete: None,
            scope: None,
        }
    }
    pub fn kind(mut self, k: &'static str) -> Self {
        self.kind = k;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: &'a str) -> Self {
        self.hint = Some(h);
        self
    }
    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = Some(a);
        self
    }
    pub fn scope(mut self, s: &'a str) -> Self {
        self.scope = Some(s);
        self
    }
    pub fn render(&self, ctx: &Ctx, errors: &FieldErrors) -> Markup {
        let id = match self.scope {
            Some(s) => format!("f-{s}-{}", self.name),
            None => format!("f-{}", self.name),
        };
        let err = errors.get(self.name);
        let err_id = format!("{id}-err");
        html! {
            div.field.invalid[err.is_some()] {
                label for=(id) { (self.label) @if self.required { " " abbr title=(ctx.t("common.required")) { "*" } } }
                input id=(id) name=(self.name) type=(self.kind) value=(self.value)
                    required[self.required] autocomplete=[self.autocomplete]
                    aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())];
                @if let Some(h) = self.hint { small.hint { (h) } }
                @if let Some(k) = err { p.error id=(err_id) { (ctx.t(k)) } }
            }
        }
    }
}

/// A `<select>` with a label; options are (value, text).
pub fn select(
    ctx: &Ctx,
    errors: &FieldErrors,
    name: &'static str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
) -> Markup {
    let id = format!("f-{name}");
    let err = errors.get(name);
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (v, t) in options {
                    option value=(v) selected[v == selected] { (t) }
                }
            }
            @if let Some(k) = err { p.error { (ctx.t(k)) } }
        }
    }
}

/// Form body extractor: `application/x-www-form-urlencoded` into `T` (serde_html_form, so
/// repeated fields become a `Vec`). The CSRF field was checked by the middleware and is
/// removed here, so `T` may use `deny_unknown_fields`.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        read_form(req, payload, &[], Form)
    }
}

/// Reads the body and parses it as a form (`scanned`: see [`ScannedForm`]) into `wrap(T)`.
fn read_form<T: DeserializeOwned + 'static, W: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    scanned: &'static [&'static str],
    wrap: fn(T) -> W,
) -> Pin<Box<dyn Future<Output = Result<W, AppError>>>> {
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        let body = bytes
            .await
            .map_err(|_| AppError::BadRequest("err.bad_form"))?;
        parse_form_scanned(&body, scanned).map(wrap)
    })
}

/// No form field is longer than this (characters); fields with a shorter rule check it too.
pub const MAX_FIELD_CHARS: usize = 2_000;

/// Hidden fields that carry a payload the app wrote itself (the import preview's rows).
pub const BULK_FIELDS: &[&str] = &["rows"];

/// Characters no text from a user may hold: NUL and the other C0/C1 controls except tab and
/// line breaks, and the bidirectional overrides and isolates that make a name or a comment
/// display as something else than what it is ("Trojan source").
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// A text from a user, trimmed, of at most `max` characters and without forbidden characters.
pub fn bounded_text(s: &str, max: usize) -> Option<String> {
    let t = s.trim();
    (t.chars().count() <= max && !t.chars().any(forbidden_char)).then(|| t.to_string())
}

/// Checks one text from a user against the rules every field shares.
pub fn check_text(v: &str) -> Result<(), AppError> {
    if v.chars().any(forbidden_char) {
        return Err(AppError::BadRequest("err.text_forbidden_chars"));
    }
    if v.chars().count() > MAX_FIELD_CHARS {
        return Err(AppError::BadRequest("err.text_too_long"));
    }
    Ok(())
}

pub fn parse_form<T: DeserializeOwned + 'static>(body: &[u8]) -> Result<T, AppError> {
    parse_form_scanned(body, &[])
}

/// Form body extractor for a form a barcode scanner types into: the `scanned` fields are read
/// as codes ([`scanned_code`]) rather than refused for the characters no text may hold
/// (scanners wrap a code in STX/ETX, put the GS1 group separator inside it and end it with a
/// line break), and their length is left to the handler, which treats what is no code as an
/// unknown one. Every other field keeps the rules of [`Form`].
pub struct ScannedForm<T>(pub T);

/// The counter's scanned field.
pub const SCANNED_CODE: &[&str] = &["code"];

impl<T: DeserializeOwned + 'static> FromRequest for ScannedForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        read_form(req, payload, SCANNED_CODE, ScannedForm)
    }
}

/// What a scanner or a paste typed, as the code it carries: without the characters no text
/// may hold, without invisible ones (zero-width spaces and joiners, the byte-order mark, soft
/// hyphens), and without a leading AIM symbology identifier (`]C1`, `]Q1`…: no code of ours
/// starts with `]`).
pub fn scanned_code(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| {
            !forbidden_char(*c)
                && !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        })
        .collect();
    let t = clean.trim_start();
    let mut chars = t.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(']'), Some(a), Some(b)) if a.is_ascii_alphabetic() && b.is_ascii_alphanumeric() => {
            chars.as_str().to_string()
        }
        _ => clean,
    }
}

/// [`parse_form`], with the `scanned` fields cleaned rather than checked (see [`ScannedForm`]).
pub fn parse_form_scanned<T: DeserializeOwned + 'static>(
    body: &[u8],
    scanned: &[&str],
) -> Result<T, AppError> {
    // What `serde_html_form` reads a body into as pairs (it parses with `form_urlencoded`
    // too), without its serde layer: a week submission has dozens of fields.
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (k, v) in &mut pairs {
        check_text(k)?;
        if scanned.contains(&k.as_str()) {
            *v = scanned_code(v);
        } else if BULK_FIELDS.contains(&k.as_str()) {
            // A machine payload the app wrote itself (bounded by the body size); what it
            // carries is validated field by field where it is used.
            if v.contains('\0') {
                return Err(AppError::BadRequest("err.text_forbidden_chars"));
            }
        } else {
            check_text(v)?;
            crate::ui::format::tidy_typed(v);
        }
    }
    let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD).collect();
    // A form read as its pairs (the week grids) is those pairs: not written out and read again.
    let kept = match (Box::new(kept) as Box<dyn std::any::Any>).downcast::<T>() {
        Ok(pairs) => return Ok(*pairs),
        Err(other) => match other.downcast::<Vec<(String, String)>>() {
            Ok(kept) => *kept,
            Err(_) => return Err(AppError::BadRequest("err.bad_form")),
        },
    };
    let again =
        serde_html_form::to_string(&kept).map_err(|_| AppError::BadRequest("err.bad_form"))?;
    serde_html_form::from_str(&again).map_err(|e| {
        tracing::debug!(error = %e, "form rejected");
        AppError::BadRequest("err.bad_form")
    })
}

/// Page numbers for long lists.
pub fn pager(
    ctx: &Ctx,
    page: i64,
    per_page: i64,
    total: i64,
    link: impl Fn(i64) -> String,
) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    html! {
        nav.pager aria-label=(ctx.t("common.pages")) {
            span { (ctx.tf("common.total", total)) }
            @if page > 1 { " " a href=(link(page - 1)) rel="prev" { "‹ " (ctx.t("common.prev")) } }
            " " span { (page) " / " (pages) }
            @if page < pages { " " a href=(link(page + 1)) rel="next" { (ctx.t("common.next")) " ›" } }
        }
    }
}

/// One page of a list already in memory (pages count from 1; out of range: the last page).
pub fn page_of<T>(items: &[T], page: i64, per_page: i64) -> (&[T], i64) {
    let pages = ((items.len() as i64 + per_page - 1) / per_page).max(1);
    let page = page.clamp(1, pages);
    let from = ((page - 1) * per_page) as usize;
    let to = (from + per_page as usize).min(items.len());
    (&items[from.min(to)..to], page)
}

/// Whether a name or code matches a search typed by a user (accents and case ignored).
pub fn matches_search(query: &str, name: &str, code: &str) -> bool {
    let q = crate::ui::format::fold_search(query);
    q.is_empty()
        || crate::ui::format::fold_search(name).contains(&q)
        || code
            .to_uppercase()
            .contains(&crate::ui::format::search_code(query))
}

/// Percent-encodes a query value.
pub fn q(s: &str) -> String {
    serde_html_form::to_string([("v", s)])
        .map(|x| x.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}

/// The body of a confirm_form: destructive actions need the box ticked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

impl ConfirmForm {
    pub fn confirmed(&self) -> Result<(), AppError> {
        match self.confirm.as_deref() {
            Some("yes") => Ok(()),
            _ => Err(AppError::BadRequest("err.confirm_required")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODIES: [&str; 12] = [
        "",
        "a=1",
        "a=1&b=2&a=3",
        "a&b=&=c",
        "&&a=1&&",
        "name=Nguy%E1%BB%85n+V%C4%83n&note=a%2Bb%26c%3Dd",
        "bad=%FF%FE&half=%E1%BB",
        "percent=%&pct=%2&plus=++",
        "k%3Dy=v%26w",
        "csrf=abc&meal_2026-12-02=45&shown_2026-12-02=46%3A0",
        "x=%3Cscript%3E",
        "sp=a%20b+c",
    ];

    #[test]
    fn a_form_read_as_pairs_is_read_as_serde_html_form_reads_it() {
        for body in BODIES {
            let theirs: Vec<(String, String)> =
                serde_html_form::from_bytes(body.as_bytes()).expect("serde_html_form");
            let ours: Vec<(String, String)> = parse_form(body.as_bytes()).expect("our reading");
            let without_csrf: Vec<(String, String)> = theirs
                .into_iter()
                .filter(|(k, _)| k != CSRF_FIELD)
                .collect();
            assert_eq!(ours, without_csrf, "{body:?}");
        }
    }

    #[test]
    fn a_form_read_into_fields_still_checks_and_parses_each_field() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct F {
            n: i32,
            t: Option<String>,
        }
        assert_eq!(
            parse_form::<F>(b"csrf=x&n=5&t=a+b").ok(),
            Some(F {
                n: 5,
                t: Some("a b".into())
            })
        );
        assert!(parse_form::<F>(b"n=five").is_err());
        assert!(parse_form::<F>(b"n=5&other=1").is_err());
        assert!(parse_form::<F>(b"n=5&t=a%00b").is_err());
        assert!(parse_form::<Vec<(String, String)>>(b"t=a%00b").is_err());
        assert!(parse_form::<Vec<(String, String)>>(b"t%01=b").is_err());
    }
}
