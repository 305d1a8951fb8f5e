//! Admin: the audit log — changes and sign-ins in their own views, filtered by who, action,
//! record and dates, each change worded and shown as a before → after of the fields that
//! changed; paged, and exported to XLSX / CSV (the export itself is audited).

use crate::audit::{self, Actor, AuditFilter, AuditRow, Entry, FieldChange};
use crate::clock::local_datetime;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::export::{self, Table};
use crate::ui::forms::{pager, q, FieldErrors, Input};
use crate::ui::{layout, Ctx, CurrentUser};
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

pub const PER_PAGE: i64 = 50;
/// The most rows one export holds (newest first).
pub const EXPORT_LIMIT: i64 = 20_000;

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    who: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    view: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filter, and the fields whose text is not a date.
    fn filter(&self) -> (AuditFilter, FieldErrors) {
        let mut e = FieldErrors::default();
        let mut day = |field: &'static str, text: &str| match text.trim() {
            "" => None,
            t => match crate::ui::format::business_date(t) {
                Some(d) => Some(d),
                None => {
                    e.add(field, "cal.err_date");
                    None
                }
            },
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        let f = AuditFilter {
            who: self.who.trim().chars().take(100).collect(),
            action: self.action.trim().to_string(),
            entity: self.entity.trim().to_string(),
            from: from.map(start_utc),
            to: to.and_then(|d| d.succ_opt()).map(start_utc),
            logins: self.view == "logins",
        };
        (f, e)
    }

    /// The query string of these filters (for the pager and the export links).
    fn link(&self, path: &str, page: Option<i64>) -> String {
        let mut s = format!(
            "{path}?view={}&who={}&action={}&entity={}&from={}&to={}",
            q(&self.view),
            q(&self.who),
            q(&self.action),
            q(&self.entity),
            q(&self.from),
            q(&self.to)
        );
        if let Some(p) = page {
            s.push_str(&format!("&page={p}"));
        }
        s
    }
}

/// 00:00 of a business day, in UTC.
fn start_utc(d: NaiveDate) -> NaiveDateTime {
    let offset = crate::clock::business_offset().local_minus_utc();
    d.and_time(chrono::NaiveTime::MIN) - chrono::Duration::seconds(offset.into())
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    aq: web::Query<AuditQuery>,
) -> Result<Markup, AppError> {
    let aq = aq.into_inner();
    let page = aq.page.unwrap_or(1).clamp(1, 1_000_000);
    let (filter, errors) = aq.filter();
    let (rows, total, kinds, page) = state
        .db
        .read(move |c| {
            let (mut rows, total) = audit::search(c, &filter, (page - 1) * PER_PAGE, PER_PAGE)?;
            // A page past the end shows the last one.
            let last = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
            let page = if page > last {
                rows = audit::search(c, &filter, (last - 1) * PER_PAGE, PER_PAGE)?.0;
                last
            } else {
                page
            };
            Ok((rows, total, audit::kinds(c)?, page))
        })
        .await?;
    Ok(view(&ctx, &aq, &errors, &rows, total, page, &kinds))
}

fn view(
    ctx: &Ctx,
    aq: &AuditQuery,
    e: &FieldErrors,
    rows: &[AuditRow],
    total: i64,
    page: i64,
    (actions, entities): &(Vec<String>, Vec<String>),
) -> Markup {
    let logins = aq.view == "logins";
    let shown_actions: Vec<&String> = actions
        .iter()
        .filter(|a| audit::LOGIN_ACTIONS.contains(&a.as_str()) == logins)
        .collect();
    layout::page(
        ctx,
        ctx.t("audit.title"),
        html! {
            (layout::title_bar(ctx.t("audit.title"), html! {
                a.button.secondary href=(aq.link("/admin/audit.xlsx", None)) { (ctx.t("audit.export_xlsx")) }
                a.button.secondary href=(aq.link("/admin/audit.csv", None)) { (ctx.t("audit.export_csv")) }
            }))
            nav.tabs aria-label=(ctx.t("audit.views")) {
                @if logins { a href="/admin/audit" { (ctx.t("audit.view_changes")) } " " strong aria-current="page" { (ctx.t("audit.view_logins")) } }
                @else { strong aria-current="page" { (ctx.t("audit.view_changes")) } " " a href="/admin/audit?view=logins" { (ctx.t("audit.view_logins")) } }
            }
            p.hint { (ctx.t("audit.hint")) }
            form.filters method="get" action="/admin/audit" role="search" {
                input type="hidden" name="view" value=(aq.view);
                (Input::text("who", ctx.t("audit.actor"), &aq.who).kind("search").hint(ctx.t("audit.who_hint")).render(ctx, e))
                div.field {
                    label for="f-action" { (ctx.t("audit.action")) }
                    select #f-action name="action" {
                        option value="" { (ctx.t("audit.any")) }
                        @for a in &shown_actions { option value=(a) selected[**a == aq.action] { (action_text(ctx, a)) } }
                    }
                }
                @if !logins {
                    div.field {
                        label for="f-entity" { (ctx.t("audit.entity")) }
                        select #f-entity name="entity" {
                            option value="" { (ctx.t("audit.any")) }
                            @for x in entities { option value=(x) selected[*x == aq.entity] { (entity_text(ctx, x)) } }
                        }
                    }
                }
                (Input::text("from", ctx.t("absence.from"), &aq.from).hint(ctx.t("cal.date_hint")).render(ctx, e))
                (Input::text("to", ctx.t("absence.to"), &aq.to).render(ctx, e))
                button type="submit" { (ctx.t("common.filter")) }
            }
            @if rows.is_empty() { p { (ctx.t("audit.none")) } }
            @else {
                table.responsive.audit {
                    thead { tr { th.num { "#" } th { (ctx.t("audit.at")) } th { (ctx.t("audit.actor")) } th { (ctx.t("audit.action")) } th { (ctx.t("audit.entity")) } th { (ctx.t("audit.change")) } } }
                    tbody {
                        @for r in rows {
                            tr {
                                td.num { (r.id) }
                                td { (local_datetime(r.at)) }
                                td { (r.actor) }
                                td { (action_text(ctx, &r.action)) br; small.hint { code { (r.action) } } }
                                td { (entity_text(ctx, &r.entity)) @if let Some(id) = &r.entity_id { " #" (id) } }
                                td {
                                    @let changes = shown_changes(r);
                                    @if !changes.is_empty() {
                                        ul.diff { @for c in &changes { li { (change_markup(ctx, c)) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(ctx, page, PER_PAGE, total, |p| aq.link("/admin/audit", Some(p))))
        },
    )
}

/// The changed fields of a row; for a record created or removed, its non-empty fields.
fn shown_changes(r: &AuditRow) -> Vec<FieldChange> {
    let empty = |v: &Option<Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    audit::diff(r.before_json.as_deref(), r.after_json.as_deref())
        .into_iter()
        .filter(|c| !(empty(&c.before) && empty(&c.after)))
        .collect()
}

fn change_markup(ctx: &Ctx, c: &FieldChange) -> Markup {
    let label = field_text(ctx, &c.field);
    let b = c.before.as_ref().map(|v| value_text(ctx, &c.field, v));
    let a = c.after.as_ref().map(|v| value_text(ctx, &c.field, v));
    html! {
        @if !label.is_empty() { strong { (label) } ": " }
        @match (b, a) {
            (Some(b), Some(a)) => { del { (b) } " → " ins { (a) } }
            (None, Some(a)) => { ins { (a) } }
            (Some(b), None) => { del { (b) } }
            (None, None) => {}
        }
    }
}

/// "Giá: 35.000 ₫ → 40.000 ₫" as plain text (for the exports).
fn change_text(ctx: &Ctx, c: &FieldChange) -> String {
    let label = field_text(ctx, &c.field);
    let side = |v: &Option<Value>| {
        v.as_ref()
            .map(|v| value_text(ctx, &c.field, v))
            .unwrap_or_else(|| "—".into())
    };
    let prefix = if label.is_empty() {
        String::new()
    } else {
        format!("{label}: ")
    };
    match (&c.before, &c.after) {
        (None, _) => format!("{prefix}{}", side(&c.after)),
        _ => format!("{prefix}{} → {}", side(&c.before), side(&c.after)),
    }
}

/// The action in words ("Sửa suất ăn"), or its code when it has none.
fn action_text(ctx: &Ctx, action: &str) -> String {
    ctx.lookup(&format!("audit.act.{action}"))
        .map(str::to_string)
        .unwrap_or_else(|| action.to_string())
}

fn entity_text(ctx: &Ctx, entity: &str) -> String {
    ctx.lookup(&format!("audit.ent.{entity}"))
        .map(str::to_string)
        .unwrap_or_else(|| entity.to_string())
}

fn field_text(ctx: &Ctx, field: &str) -> String {
    if field.is_empty() {
        return String::new();
    }
    ctx.lookup(&format!("audit.f.{field}"))
        .map(str::to_string)
        .unwrap_or_else(|| field.to_string())
}

/// A stored value as people read it: money in đồng, dates dd/mm/yyyy, yes/no, "—".
fn value_text(ctx: &Ctx, field: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) if field == "allergens" => crate::canteen::rules::allergen_codes(s)
            .map(|c| ctx.t(crate::canteen::rules::allergen_key(c)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Bool(true) => ctx.t("common.yes").into(),
        Value::Bool(false) => ctx.t("common.no").into(),
        Value::Number(n) if field.ends_with("_vnd") => n
            .as_i64()
            .map(|x| crate::money::Vnd(x).to_string())
            .unwrap_or_else(|| n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => crate::ui::format::date(d),
            Err(_) => s.clone(),
        },
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| value_text(ctx, field, i))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(items) => items
            .iter()
            .map(|i| value_text(ctx, field, i))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(m) => object_text(ctx, m),
    }
}

/// A nested record in words: a meal ("Suất thường + 2 khách", "Không ăn"), a day's change
/// ("04/12/2026: Suất thường → Không ăn"), or its fields one by one.
fn object_text(ctx: &Ctx, m: &serde_json::Map<String, Value>) -> String {
    let a_meal = m
        .keys()
        .all(|k| matches!(k.as_str(), "option" | "guests" | "walked_in"));
    if m.contains_key("option") && m.contains_key("guests") && a_meal {
        // No meal ordered on a day the person ate a walk-in at the counter is not "no meal".
        let walked_in = m.get("walked_in").and_then(|w| w.as_bool()) == Some(true);
        let meal = m
            .get("option")
            .and_then(|o| o.as_str())
            .unwrap_or(ctx.t(crate::canteen::ordering::no_meal_key(walked_in)))
            .to_string();
        return match m.get("guests").and_then(|g| g.as_i64()).unwrap_or(0) {
            0 => meal,
            n => format!("{meal} + {}", ctx.tf("week.n_guests", n)),
        };
    }
    if let (Some(day), Some(b), Some(a)) = (m.get("day"), m.get("before"), m.get("after")) {
        return format!(
            "{}: {} → {}",
            value_text(ctx, "day", day),
            value_text(ctx, "before", b),
            value_text(ctx, "after", a)
        );
    }
    m.iter()
        .map(|(k, v)| format!("{}: {}", field_text(ctx, k), value_text(ctx, k, v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn export_table<'a>(ctx: &Ctx, rows: &[AuditRow], header: &'a [&'a str]) -> Table<'a> {
    Table {
        title: ctx.t("audit.title").to_string(),
        summary: Vec::new(),
        header,
        rows: rows
            .iter()
            .map(|r| {
                let changes = shown_changes(r);
                vec![
                    r.id.to_string(),
                    local_datetime(r.at),
                    r.actor.clone(),
                    action_text(ctx, &r.action),
                    entity_text(ctx, &r.entity),
                    r.entity_id.clone().unwrap_or_default(),
                    changes
                        .iter()
                        .map(|c| change_text(ctx, c))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect(),
        numbers_from: usize::MAX,
        widths: &[(1, 18.0), (2, 18.0), (3, 28.0), (4, 18.0), (6, 80.0)],
        money: &[],
    }
}

pub async fn xlsx(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    aq: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    download(state, ctx, user, aq.into_inner(), export::Format::Xlsx).await
}

pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    aq: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    download(state, ctx, user, aq.into_inner(), export::Format::Csv).await
}

/// The filtered log as a file (newest first, at most `EXPORT_LIMIT` rows). Who exported
/// what is itself recorded.
async fn download(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    aq: AuditQuery,
    format: export::Format,
) -> Result<HttpResponse, AppError> {
    let (filter, errors) = aq.filter();
    if !errors.is_empty() {
        return Err(AppError::BadRequest("cal.err_date"));
    }
    let f = filter.clone();
    let (rows, _) = state
        .db
        .read(move |c| audit::search(c, &f, 0, EXPORT_LIMIT))
        .await?;
    let header = [
        "#",
        ctx.t("audit.at"),
        ctx.t("audit.actor"),
        ctx.t("audit.action"),
        ctx.t("audit.entity"),
        ctx.t("audit.entity_id"),
        ctx.t("audit.change"),
    ];
    let table = export_table(&ctx, &rows, &header);
    let file = export::download(&table, format, "nhat-ky")?;
    let what = json!({"rows": rows.len(), "format": format.code(),
        "who": filter.who, "action": filter.action, "entity": filter.entity,
        "from": aq.from, "to": aq.to, "logins": filter.logins});
    let (actor, now) = (
        Actor::user(user.user_id, &user.username),
        state.clock.now_naive(),
    );
    state
        .db
        .write(move |c| {
            audit::record(
                c,
                &actor,
                now,
                Entry::new("audit_log.export", "audit_log").after(what.clone()),
            )
        })
        .await?;
    Ok(file)
}
