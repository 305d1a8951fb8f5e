//! The read-only statistics API: tokens made by an admin (shown once, stored hashed, scoped,
//! expiring, revocable), JSON answers equal to the pages, rate limit, audit, and the OpenAPI
//! document checked against real answers.

use crate::stats::canteen_fixture;
use crate::support::{d, local, TestApp};
use canteen::auth::roles::Role;
use serde_json::Value;

/// Makes a token through the admin page; returns the secret shown once.
async fn make_token(app: &TestApp, client: &str, scope: &[&str], expires: &str) -> String {
    let mut admin = app
        .login_as(&format!("admin_{}", app.count("users")), &[Role::Admin])
        .await;
    let page = admin.get("/admin/api-tokens").await;
    let once = page
        .form("/admin/api-tokens")
        .into_iter()
        .find(|(k, _)| k == "once")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut fields = vec![
        ("client", client),
        ("expires_on", expires),
        ("once", once.as_str()),
    ];
    for s in scope {
        fields.push(("scope", s));
    }
    let r = admin.post("/admin/api-tokens", &fields).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let secret = r
        .texts("code.secret")
        .first()
        .cloned()
        .expect("the secret is shown");
    assert!(secret.starts_with("cnt_") && secret.len() > 60, "{secret}");
    secret
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.addr));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let r = req.send().await.expect("api call");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "{path}: {status} answered {ct}"
    );
    (status, r.json().await.expect("json"), headers)
}

#[actix_web::test]
async fn an_admin_makes_a_token_that_is_shown_once_and_stored_only_as_its_hash() {
    let app = TestApp::spawn().await;
    let secret = make_token(
        &app,
        "Cổng thông tin Bộ",
        &["canteen-meals", "subsidy-units"],
        "31/12/2027",
    )
    .await;
    assert_eq!(app.count("api_tokens"), 1);
    let hash = canteen::auth::session::token_hash(&secret);
    assert_eq!(
        app.count(&format!("api_tokens WHERE token_hash = '{hash}'")),
        1
    );
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE token_hash = '{secret}' OR prefix = '{secret}'"
        )),
        0
    );
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE after_json LIKE '%{}%'",
            &secret[12..]
        )),
        0,
        "never in the audit"
    );
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let list = admin.get("/admin/api-tokens").await;
    assert!(list.body.contains("Cổng thông tin Bộ") && list.body.contains(&secret[..12]));
    assert!(
        !list.body.contains(&secret[12..]),
        "the list never shows the secret again"
    );
    assert_eq!(app.audit_after("api_token.create").len(), 1);
}

#[actix_web::test]
async fn wrong_token_input_is_refused_beside_its_field_and_makes_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/admin/api-tokens").await;
    for (fields, message) in [
        (
            vec![
                ("client", ""),
                ("scope", "canteen-meals"),
                ("expires_on", "31/12/2027"),
            ],
            "Ghi tên hệ thống",
        ),
        (
            vec![("client", "X"), ("expires_on", "31/12/2027")],
            "Chọn ít nhất một báo cáo",
        ),
        (
            vec![
                ("client", "X"),
                ("scope", "no-such-report"),
                ("expires_on", "31/12/2027"),
            ],
            "Chọn ít nhất một báo cáo",
        ),
        (
            vec![
                ("client", "X"),
                ("scope", "canteen-meals"),
                ("expires_on", "01/01/2020"),
            ],
            "Ngày hết hạn",
        ),
        (
            vec![
                ("client", "X"),
                ("scope", "canteen-meals"),
                ("expires_on", "31/12/2099"),
            ],
            "Ngày hết hạn",
        ),
        (
            vec![
                ("client", "X"),
                ("scope", "canteen-meals"),
                ("expires_on", "30/02/2027"),
            ],
            "Ngày hết hạn",
        ),
    ] {
        let r = admin.post("/admin/api-tokens", &fields).await;
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{fields:?}");
    }
    assert_eq!(app.count("api_tokens"), 0);
}

#[actix_web::test]
async fn a_token_reads_the_reports_of_its_scope_as_json_with_the_figures_of_the_page() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let t = make_token(
        &app,
        "Hệ thống báo cáo Bộ",
        &["canteen-meals", "canteen-waste"],
        "31/12/2027",
    )
    .await;
    let (s, body, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-meals?period=2026-11",
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["period"]["from"], "2026-11-01");
    assert_eq!(
        body["total"],
        serde_json::json!(["", 10, 7, 1, 8, 2, 2, 2222, 2500])
    );
    assert_eq!(body["columns"][7]["kind"], "percent_bp");
    assert_eq!(body["rows"][0][0], "02/11/2026");
    let (s, body, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-meals?period=2026-11&unit=1",
    )
    .await;
    assert_eq!((s, body["total"][1].clone()), (200, serde_json::json!(7)));
    // Filters are checked as on the page.
    let (s, body, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-meals?period=2026-13",
    )
    .await;
    assert_eq!((s, body["error"].as_str()), (400, Some("bad_filter")));
    assert!(body["fields"]["period"]
        .as_str()
        .is_some_and(|m| m.contains("Kỳ báo cáo")));
    let (s, _, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-meals?period=2026&unit=99",
    )
    .await;
    assert_eq!(s, 400);
    let (s, _, _) = call(&app, Some(&t), "/api/v1/reports/canteen-meals?nonsense=1").await;
    assert_eq!(s, 400);
}

#[actix_web::test]
async fn out_of_scope_is_403_expired_revoked_or_unknown_tokens_401_and_every_call_is_audited() {
    let app = TestApp::spawn().await;
    let t = make_token(&app, "Cổng thông tin", &["canteen-meals"], "31/12/2026").await;
    let (s, body, _) = call(&app, Some(&t), "/api/v1/reports/subsidy-units").await;
    assert_eq!((s, body["error"].as_str()), (403, Some("out_of_scope")));
    let (s, body, h) = call(&app, None, "/api/v1/reports/canteen-meals").await;
    assert_eq!((s, body["error"].as_str()), (401, Some("missing_token")));
    assert!(h.get("www-authenticate").is_some());
    let (s, body, _) = call(
        &app,
        Some("cnt_not-a-token"),
        "/api/v1/reports/canteen-meals",
    )
    .await;
    assert_eq!((s, body["error"].as_str()), (401, Some("invalid_token")));
    let (s, body, _) = call(&app, Some(&t), "/api/v1/reports/no-such-report").await;
    assert_eq!((s, body["error"].as_str()), (404, Some("unknown_report")));
    let (s, _, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-meals?period=2026-10",
    )
    .await;
    assert_eq!(s, 200);
    // Its last day passes.
    app.clock().set(local(d(2027, 1, 1), 8, 0, 0));
    let (s, body, _) = call(&app, Some(&t), "/api/v1/reports/canteen-meals").await;
    assert_eq!((s, body["error"].as_str()), (401, Some("expired_token")));
    app.clock().set(local(d(2026, 12, 1), 8, 0, 0));
    let (s, _, _) = call(&app, Some(&t), "/api/v1/reports/canteen-meals").await;
    assert_eq!(s, 200);
    // Revoked by the admin.
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/admin/api-tokens").await;
    assert_eq!(
        admin.post("/admin/api-tokens/1/revoke", &[]).await.status,
        400,
        "asks for confirmation"
    );
    let (s, _, _) = call(&app, Some(&t), "/api/v1/reports/canteen-meals").await;
    assert_eq!(s, 200, "not revoked without confirmation");
    assert_eq!(
        admin
            .post("/admin/api-tokens/1/revoke", &[("confirm", "yes")])
            .await
            .status,
        303
    );
    let (s, body, _) = call(&app, Some(&t), "/api/v1/reports/canteen-meals").await;
    assert_eq!((s, body["error"].as_str()), (401, Some("revoked_token")));
    assert_eq!(app.audit_after("api_token.revoke").len(), 1);
    // Every call with a known token is on the record: client, report, filters, outcome.
    let calls = app.audit_after("api.call");
    let outcomes: Vec<&str> = calls.iter().filter_map(|c| c["outcome"].as_str()).collect();
    // (The calls without a known token, and the unknown report, name no client.)
    assert_eq!(
        outcomes,
        [
            "out_of_scope",
            "allowed",
            "expired",
            "allowed",
            "allowed",
            "revoked"
        ]
    );
    assert!(calls.iter().all(|c| c["client"] == "Cổng thông tin"));
    assert_eq!(calls[1]["report"], "canteen-meals");
    assert_eq!(calls[1]["filters"], "period=2026-10");
}

#[actix_web::test]
async fn a_token_gets_sixty_calls_a_minute_then_429_until_the_minute_is_over() {
    let app = TestApp::spawn().await;
    let t = make_token(&app, "Kho dữ liệu", &["canteen-waste"], "31/12/2027").await;
    for i in 0..60 {
        let (s, _, _) = call(
            &app,
            Some(&t),
            "/api/v1/reports/canteen-waste?period=2026-11",
        )
        .await;
        assert_eq!(s, 200, "call {i}");
    }
    let (s, body, h) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-waste?period=2026-11",
    )
    .await;
    assert_eq!((s, body["error"].as_str()), (429, Some("rate_limited")));
    assert_eq!(
        h.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("60")
    );
    app.clock().advance(chrono::Duration::seconds(61));
    let (s, _, _) = call(
        &app,
        Some(&t),
        "/api/v1/reports/canteen-waste?period=2026-11",
    )
    .await;
    assert_eq!(s, 200);
}

/// Checks a JSON value against the subset of JSON Schema the OpenAPI document uses: $ref,
/// type (one or a list), enum, required, properties, additionalProperties, items.
fn check(doc: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return check(doc, &doc["components"]["schemas"][name], v, at, errors);
    }
    let type_of = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if let Some(t) = schema.get("type") {
        let allowed: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !allowed.contains(&type_of(v)) {
            errors.push(format!("{at}: {} is not {allowed:?}", type_of(v)));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errors.push(format!("{at}: {v} not in enum"));
        }
    }
    if let Value::Object(o) = v {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !o.contains_key(r.as_str().unwrap_or("")) {
                errors.push(format!("{at}: missing {r}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(doc, s, x, &format!("{at}.{k}"), errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: unexpected {k}")),
                    Some(s @ Value::Object(_)) => check(doc, s, x, &format!("{at}.{k}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(a), Some(items)) = (v, schema.get("items")) {
        for (i, x) in a.iter().enumerate() {
            check(doc, items, x, &format!("{at}[{i}]"), errors);
        }
    }
}

#[actix_web::test]
async fn the_openapi_document_describes_every_real_answer() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let (s, doc, _) = call(&app, None, "/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let op = &doc["paths"]["/reports/{id}"]["get"];
    let ids: Vec<&str> = op["parameters"][0]["schema"]["enum"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let all: Vec<&str> = canteen::stats::catalogue::REPORTS
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, all, "every report is described");
    let t = make_token(&app, "Kiểm thử", &all[..all.len() - 1], "31/12/2027").await;
    let schema_for =
        |status: &str| op["responses"][status]["content"]["application/json"]["schema"].clone();
    let mut errors = Vec::new();
    for id in &all[..all.len() - 1] {
        for q in ["period=2026-11", "period=2026", ""] {
            let (s, body, _) = call(&app, Some(&t), &format!("/api/v1/reports/{id}?{q}")).await;
            assert_eq!(s, 200, "{id}?{q}: {body}");
            check(
                &doc,
                &schema_for("200"),
                &body,
                &format!("{id}?{q}"),
                &mut errors,
            );
            let cols = body["columns"].as_array().map(Vec::len).unwrap_or(0);
            assert!(body["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|r| r.as_array().map(Vec::len) == Some(cols)));
        }
    }
    for (status, token, path) in [
        (
            "400",
            Some(t.as_str()),
            "/api/v1/reports/canteen-meals?period=2026-13".to_string(),
        ),
        ("401", None, "/api/v1/reports/canteen-meals".to_string()),
        (
            "403",
            Some(t.as_str()),
            format!("/api/v1/reports/{}", all[all.len() - 1]),
        ),
        ("404", Some(t.as_str()), "/api/v1/reports/nope".to_string()),
    ] {
        let (s, body, _) = call(&app, token, &path).await;
        assert_eq!(s.to_string(), status, "{path}");
        check(&doc, &schema_for(status), &body, &path, &mut errors);
    }
    // The schema is strict enough to catch an answer that differs from it.
    let mut bad = Vec::new();
    check(
        &doc,
        &schema_for("200"),
        &serde_json::json!({"report": "x"}),
        "bad",
        &mut bad,
    );
    assert!(bad.len() >= 2, "{bad:?}");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
