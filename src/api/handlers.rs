//! `/api/v1`: every standard report as JSON (same filters as its page), for other systems.
//! Authenticated by a bearer token (not a session): a missing, unknown, revoked or expired
//! token is 401, a report outside its scope 403, too many calls 429; every call with a known
//! token is audited. Answers are always JSON, errors included.

use super::store::{self, Decision};
use crate::error::AppError;
use crate::state::AppState;
use crate::stats::catalogue::{self, Report};
use crate::stats::filters::{FilterQuery, Filters};
use crate::stats::table::{Cell, Kind, Out};
use crate::ui::{Ctx, Lang};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

/// A JSON error: a stable code for programs, and the message (text key) in Vietnamese.
pub fn error(status: StatusCode, code: &str, message: &'static str) -> HttpResponse {
    let message = Lang::Vi.t(message);
    let mut res = HttpResponse::build(status);
    if status == StatusCode::TOO_MANY_REQUESTS {
        res.insert_header(("Retry-After", "60"));
    }
    if status == StatusCode::UNAUTHORIZED {
        res.insert_header(("WWW-Authenticate", "Bearer realm=\"canteen\""));
    }
    res.json(json!({"error": code, "message": message}))
}

/// The bearer token of a request, if it carries one that could be ours.
fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get("authorization")?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?
        .trim();
    (t.len() <= 200 && !t.is_empty()).then(|| t.to_string())
}

fn vi() -> Ctx {
    Ctx::detached(Lang::Vi)
}

pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Count => "count",
        Kind::People => "people",
        Kind::Money => "money_vnd",
        Kind::Percent => "percent_bp",
        Kind::Tenths => "tenths",
    }
}

fn cell(ctx: &Ctx, c: &Cell) -> Value {
    match c {
        Cell::Text(s) => Value::from(s.as_str()),
        Cell::Key(k) => Value::from(ctx.t(k)),
        Cell::Num(n) => Value::from(*n),
        Cell::Ratio(a, b) => Value::from(crate::stats::table::scaled(*a, *b, 10_000)),
        Cell::Empty => Value::Null,
        Cell::Hidden => Value::from("hidden"),
        Cell::Small => Value::from("< 5"),
    }
}

/// The JSON of a computed report.
pub fn report_json(r: &Report, f: &Filters, out: &Out, hidden: bool) -> Value {
    let ctx = vi();
    let row = |cells: &[Cell]| Value::Array(cells.iter().map(|c| cell(&ctx, c)).collect());
    json!({
        "report": r.id,
        "title": ctx.t(r.title),
        "period": {"from": f.from.to_string(), "to": f.to.to_string()},
        "filters": {"unit": f.unit, "fund": f.fund},
        "columns": out.columns.iter().map(|c| json!({
            "key": c.key.trim_start_matches("stats.c."),
            "label": ctx.t(c.key),
            "definition": ctx.t(c.def),
            "kind": kind_name(c.kind),
        })).collect::<Vec<_>>(),
        "rows": out.rows.iter().map(|x| row(&x.cells)).collect::<Vec<_>>(),
        "total": out.total.as_ref().map(|t| row(&t.cells)),
        "notes": out.notes.iter().map(|n| ctx.t(n)).collect::<Vec<_>>(),
        "small_groups_hidden": hidden,
    })
}

/// The units and funds that exist (a filter naming another is a bad request).
async fn known(state: &AppState) -> Result<(Vec<i32>, Vec<i32>), AppError> {
    state
        .db
        .read(|c| {
            Ok((
                crate::people::store::all_units(c)?
                    .iter()
                    .map(|u| u.id)
                    .collect(),
                crate::ledger::store::funds(c)?
                    .iter()
                    .map(|f| f.id)
                    .collect(),
            ))
        })
        .await
}

/// Checks the token for this report; Err is the answer to send.
async fn admit(state: &AppState, req: &HttpRequest, report: &str) -> Result<(), HttpResponse> {
    let Some(secret) = bearer(req) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "api.err.missing_token",
        ));
    };
    let filters: String = req.query_string().chars().take(500).collect();
    let (now, today, report) = (
        state.clock.now_naive(),
        state.clock.today(),
        report.to_string(),
    );
    let d = state
        .db
        .write(move |c| store::authorize(c, now, today, &secret, &report, &filters))
        .await;
    match d {
        Ok(Decision::Allowed { .. }) => Ok(()),
        Ok(Decision::Unknown) => Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "api.err.invalid_token",
        )),
        Ok(Decision::Revoked) => Err(error(
            StatusCode::UNAUTHORIZED,
            "revoked_token",
            "api.err.revoked_token",
        )),
        Ok(Decision::Expired) => Err(error(
            StatusCode::UNAUTHORIZED,
            "expired_token",
            "api.err.expired_token",
        )),
        Ok(Decision::OutOfScope) => Err(error(
            StatusCode::FORBIDDEN,
            "out_of_scope",
            "api.err.out_of_scope",
        )),
        Ok(Decision::TooMany) => Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "api.err.rate_limited",
        )),
        Err(e) => {
            tracing::error!(error = %e, "api authorisation failed");
            Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "api.err.unavailable",
            ))
        }
    }
}

/// GET /api/v1/reports/{id}
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    if bearer(&req).is_none() {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "api.err.missing_token",
        );
    }
    let Some(r) = catalogue::find(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_report",
            "api.err.unknown_report",
        );
    };
    if let Err(res) = admit(&state, &req, r.id).await {
        return res;
    }
    let q = match web::Query::<FilterQuery>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(_) => return error(StatusCode::BAD_REQUEST, "bad_query", "api.err.bad_query"),
    };
    let ctx = vi();
    let mut f = match Filters::parse(&q, state.clock.today()) {
        Ok(f) => f,
        Err(list) => {
            let fields: Map<String, Value> = list
                .iter()
                .map(|(field, key)| (field.to_string(), Value::from(ctx.t(key))))
                .collect();
            return HttpResponse::BadRequest().json(
                json!({"error": "bad_filter", "message": Lang::Vi.t("api.err.bad_filter"), "fields": fields}),
            );
        }
    };
    if !r.takes.unit {
        f.unit = None;
    }
    if !r.takes.fund {
        f.fund = None;
    }
    match known(&state).await {
        Ok((units, funds)) => {
            if f.unit.is_some_and(|u| !units.contains(&u))
                || f.fund.is_some_and(|x| !funds.contains(&x))
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_filter",
                    "api.err.no_such_choice",
                );
            }
        }
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "api.err.unavailable",
            )
        }
    }
    let fc = f.clone();
    match state.db.read(move |c| r.compute(c, &fc)).await {
        Ok(mut out) => {
            // Other systems read as a leader does: small groups hidden.
            let hidden = r.small_cells && out.suppress_small();
            HttpResponse::Ok().json(report_json(r, &f, &out, hidden))
        }
        Err(e) => {
            tracing::error!(error = %e, report = r.id, "api report failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "api.err.internal",
            )
        }
    }
}
