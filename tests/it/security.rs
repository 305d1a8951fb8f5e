use crate::support::TestApp;
use canteen::app::{policy, Access};
use canteen::auth::roles::Role;

#[actix_web::test]
async fn a_post_without_a_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let units_before = app.count("units");
    let r = admin
        .post_raw(
            "/units",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("không có gì bị thay đổi"), "{}", r.body);
    let r = admin
        .post_raw(
            "/units",
            &[
                ("code", "VP"),
                ("name", "Văn phòng Bộ"),
                ("parent_id", ""),
                ("csrf", "0000"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "a wrong token is no better");
    let token = admin.csrf.clone();
    let r = admin
        .post_raw(
            "/units",
            &[
                ("code", "VP"),
                ("name", "Văn phòng Bộ"),
                ("parent_id", ""),
                ("csrf", &token),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "two tokens are not a form the app rendered");
    assert_eq!(app.count("units"), units_before);

    let ok = admin
        .post(
            "/units",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "")],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(app.count("units"), units_before + 1);
}

#[actix_web::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_token() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin
        .headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let r = admin
        .post(
            "/units",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 403);
    admin.headers.clear();
    admin
        .headers
        .push(("origin".into(), "https://evil.example".into()));
    let r = admin
        .post(
            "/units",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.count("units"), 0);
}

#[actix_web::test]
async fn a_login_post_without_the_pre_session_token_is_refused() {
    let app = TestApp::spawn().await;
    app.user("lan", &[Role::Staff]);
    let mut c = app.client();
    let r = c
        .post_raw(
            "/login",
            &[("username", "lan"), ("password", crate::support::PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(!c.cookies.contains_key("canteen_session"));
}

/// Who may use each route, written by hand, independently of `app.rs`: "anyone", "signed_in",
/// or the roles by letter — s staff, k kitchen, c accountant, a approver, u union officer,
/// A admin, m kitchen manager, L leader; "token": other systems with an API token only. A new route must be added here too, with the answer someone decided on.
const EXPECTED_ACCESS: &[(&str, &str)] = &[
    ("GET /", "signed_in"),
    ("GET /healthz", "anyone"),
    ("GET /static/style.css", "anyone"),
    ("GET /static/app.js", "anyone"),
    ("GET /lang/{code}", "anyone"),
    ("GET /login", "anyone"),
    ("POST /login", "anyone"),
    ("POST /logout", "signed_in"),
    ("GET /password", "signed_in"),
    ("POST /password", "signed_in"),
    ("GET /units", "Acu"),
    ("POST /units", "A"),
    ("GET /units/{id}", "A"),
    ("POST /units/{id}", "A"),
    ("GET /people", "Acu"),
    ("GET /people/new", "A"),
    ("POST /people", "A"),
    ("GET /people/export.csv", "Acu"),
    ("GET /people/import", "A"),
    ("POST /people/import", "A"),
    ("POST /people/import/commit", "A"),
    ("POST /people/import/rejected.csv", "A"),
    ("GET /people/{id}", "Acu"),
    ("GET /people/{id}/edit", "A"),
    ("POST /people/{id}", "A"),
    ("GET /admin/users", "A"),
    ("GET /admin/users/new", "A"),
    ("POST /admin/users", "A"),
    ("GET /admin/users/{id}", "A"),
    ("POST /admin/users/{id}", "A"),
    ("POST /admin/users/{id}/reset-password", "A"),
    ("GET /admin/audit", "A"),
    ("GET /admin/audit.xlsx", "A"),
    ("GET /admin/audit.csv", "A"),
    ("GET /week", "s"),
    ("POST /week", "s"),
    ("GET /standing", "s"),
    ("POST /standing", "s"),
    ("GET /absences", "s"),
    ("POST /absences", "s"),
    ("POST /absences/{id}/delete", "s"),
    ("POST /notices/read", "s"),
    ("GET /allergies", "s"),
    ("POST /allergies", "s"),
    ("GET /pass", "s"),
    ("POST /pass/rotate", "s"),
    ("GET /meals", "s"),
    ("POST /meals/{id}/rate", "s"),
    ("GET /history", "s"),
    ("GET /statement", "s"),
    ("GET /kitchen/history/{id}", "kA"),
    ("GET /kitchen/dishes", "k"),
    ("POST /kitchen/dishes", "k"),
    ("GET /kitchen/dishes/{id}", "k"),
    ("POST /kitchen/dishes/{id}", "k"),
    ("GET /kitchen/menu", "k"),
    ("POST /kitchen/menu/options", "k"),
    ("GET /kitchen/menu/options/{id}", "k"),
    ("POST /kitchen/menu/options/{id}", "k"),
    ("GET /kitchen/menu/print", "k"),
    ("POST /kitchen/menu/options/{id}/delete", "k"),
    ("POST /kitchen/menu/copy", "k"),
    ("POST /kitchen/menu/publish", "k"),
    ("GET /kitchen/calendar", "k"),
    ("POST /kitchen/calendar/close", "k"),
    ("POST /kitchen/calendar/open", "k"),
    ("GET /kitchen/headcount", "k"),
    ("GET /kitchen/headcount/print", "k"),
    ("GET /kitchen/headcount.csv", "k"),
    ("GET /kitchen/headcount.xlsx", "k"),
    ("GET /kitchen/counter", "k"),
    ("POST /kitchen/counter", "k"),
    ("POST /kitchen/counter/undo", "k"),
    ("POST /kitchen/counter/walk-in", "k"),
    ("POST /kitchen/counter/close", "k"),
    ("GET /kitchen/on-behalf", "k"),
    ("GET /kitchen/on-behalf/{id}", "k"),
    ("POST /kitchen/on-behalf/{id}", "k"),
    ("GET /kitchen/report", "k"),
    ("POST /kitchen/waste", "k"),
    ("GET /accounting/month", "caA"),
    ("GET /accounting/eligibility", "cauA"),
    ("POST /accounting/eligibility", "c"),
    ("GET /accounting/funds", "cauA"),
    ("GET /accounting/funds/{id}/report", "cauA"),
    ("GET /accounting/funds/{id}/report.xlsx", "cauA"),
    ("POST /accounting/funds/{id}/budget", "c"),
    ("GET /accounting/policies", "caA"),
    ("GET /accounting/salary", "cuA"),
    ("POST /accounting/salary", "c"),
    ("POST /accounting/eligibility/confirm", "c"),
    ("POST /accounting/policies", "c"),
    ("POST /accounting/vouchers", "c"),
    ("POST /accounting/vouchers/{id}/reverse", "c"),
    ("POST /accounting/month/close", "c"),
    ("GET /accounting/payroll.xlsx", "caA"),
    ("GET /accounting/payroll.csv", "caA"),
    ("POST /accounting/month/reopen", "a"),
    ("POST /accounting/adjustments", "c"),
    ("GET /accounting/reconciliation", "caA"),
    ("GET /accounting/reconciliation.xlsx", "caA"),
    ("POST /accounting/month/note", "c"),
    ("POST /accounting/invoices", "c"),
    ("POST /accounting/invoices/import", "c"),
    ("POST /accounting/invoices/{id}/delete", "c"),
    ("GET /accounting/invoices/{id}/original", "caA"),
    ("GET /accounting/suppliers", "caA"),
    ("POST /accounting/suppliers", "c"),
    ("POST /accounting/contracts", "c"),
    ("POST /accounting/contracts/{id}/end", "c"),
    ("POST /accounting/month/sign", "ca"),
    ("POST /accounting/eligibility/{id}/end", "c"),
    ("POST /accounting/eligibility/proposals", "u"),
    ("POST /accounting/eligibility/proposals/{id}/accept", "c"),
    ("POST /accounting/eligibility/proposals/{id}/decline", "c"),
    ("POST /accounting/policies/{id}/end", "c"),
    ("GET /accounting/subsidy.xlsx", "caA"),
    ("GET /accounting/statements.xlsx", "caA"),
    ("GET /accounting/month/report", "caA"),
    ("GET /accounting/signing", "caA"),
    ("POST /accounting/delegations", "a"),
    ("POST /accounting/delegations/{id}/revoke", "a"),
    ("POST /accounting/signatories", "A"),
    ("GET /kitchen/food-safety", "km"),
    ("POST /kitchen/food-safety/settings", "m"),
    ("POST /kitchen/food-safety/samples/{id}/discard", "km"),
    ("GET /kitchen/food-safety/deliveries/new", "km"),
    ("POST /kitchen/food-safety/deliveries", "km"),
    ("GET /kitchen/food-safety/checks/{id}", "km"),
    ("POST /kitchen/food-safety/checks/{id}/prep", "km"),
    ("POST /kitchen/food-safety/checks/{id}/serve", "km"),
    ("POST /kitchen/food-safety/checks/{id}/sample", "km"),
    ("GET /kitchen/food-safety/print", "km"),
    ("GET /kitchen/food-safety/certificates", "km"),
    ("POST /kitchen/food-safety/certificates", "km"),
    ("GET /kitchen/food-safety/certificates/{id}/scan", "km"),
    ("GET /kitchen/food-safety/incidents", "kmA"),
    ("POST /kitchen/food-safety/incidents", "m"),
    ("GET /kitchen/food-safety/incidents/{id}", "kmA"),
    ("POST /kitchen/food-safety/incidents/{id}/close", "m"),
    ("GET /welfare/organisations", "u"),
    ("POST /welfare/organisations", "u"),
    ("GET /welfare/organisations/{id}", "u"),
    ("POST /welfare/organisations/{id}/members", "u"),
    ("POST /welfare/organisations/{id}/dissolve", "u"),
    ("POST /welfare/organisations/{id}/fund", "u"),
    ("POST /welfare/organisations/{id}/import", "u"),
    ("POST /welfare/organisations/{id}/import/commit", "u"),
    ("POST /welfare/memberships/{id}/end", "u"),
    ("POST /welfare/memberships/{id}/exempt", "u"),
    ("GET /welfare/people/{id}", "u"),
    ("POST /welfare/people/{id}/dependants", "u"),
    ("GET /welfare/dues", "uc"),
    ("GET /welfare/dues.xlsx", "uc"),
    ("POST /welfare/dues/generate", "u"),
    ("POST /welfare/dues/{id}/pay", "u"),
    ("POST /welfare/dues/collect-payroll", "u"),
    ("GET /welfare/arrears", "uc"),
    ("GET /welfare/dues/rules", "uc"),
    ("POST /welfare/dues/rules", "u"),
    ("POST /welfare/dues/suspensions", "u"),
    ("GET /welfare/cases", "uac"),
    ("POST /welfare/cases", "u"),
    ("GET /welfare/cases/{id}", "uac"),
    ("POST /welfare/cases/{id}/decide", "ua"),
    ("POST /welfare/cases/{id}/pay", "uac"),
    ("GET /welfare/benefits", "uac"),
    ("POST /welfare/benefits", "u"),
    ("GET /my/welfare", "s"),
    ("GET /welfare/occasions", "ua"),
    ("POST /welfare/occasions", "u"),
    ("GET /welfare/occasions/{id}", "ua"),
    ("GET /welfare/occasions/{id}/print", "ua"),
    ("GET /welfare/occasions/{id}/list.xlsx", "ua"),
    ("POST /welfare/occasions/{id}/rows", "u"),
    ("POST /welfare/occasions/rows/{id}/remove", "u"),
    ("POST /welfare/occasions/{id}/freeze", "ua"),
    ("POST /welfare/occasions/rows/{id}/received", "u"),
    ("POST /welfare/occasions/{id}/sheet", "u"),
    ("GET /welfare/occasions/{id}/sheet", "ua"),
    ("GET /welfare/milestones", "u"),
    ("GET /welfare/milestones.csv", "u"),
    ("GET /welfare/milestones.xlsx", "u"),
    ("GET /welfare/reminders", "u"),
    ("GET /welfare/retirees", "u"),
    ("GET /welfare/retirees.csv", "u"),
    ("GET /welfare/retirees.xlsx", "u"),
    ("GET /welfare/retirees/{id}", "u"),
    ("POST /welfare/retirees/{id}", "u"),
    ("POST /welfare/retirees/{id}/pensions", "u"),
    ("POST /welfare/retirees/{id}/visits", "u"),
    ("POST /welfare/retirees/{id}/death", "u"),
    ("GET /reports", "Lkmcau"),
    ("GET /reports/packs", "Lac"),
    ("GET /reports/packs/{id}/pack.xlsx", "Lac"),
    ("GET /reports/packs/{id}/print", "Lac"),
    ("GET /reports/{id}", "Lkmcau"),
    ("GET /reports/{id}/print", "Lkmcau"),
    ("GET /reports/{id}/export.csv", "Lkmcau"),
    ("GET /reports/{id}/export.xlsx", "Lkmcau"),
    ("GET /dashboard", "La"),
    ("GET /api/v1/openapi.json", "anyone"),
    ("GET /api/v1/reports/{id}", "token"),
    ("GET /admin/api-tokens", "A"),
    ("POST /admin/api-tokens", "A"),
    ("POST /admin/api-tokens/{id}/revoke", "A"),
    ("GET /kitchen/settings", "kA"),
    ("POST /kitchen/settings", "kA"),
];

fn expected_allows(who: &str, role: Option<Role>) -> bool {
    match (who, role) {
        ("anyone", _) => true,
        (_, None) => false,
        ("signed_in", Some(_)) => true,
        (letters, Some(r)) => {
            let letter = match r {
                Role::Staff => 's',
                Role::Kitchen => 'k',
                Role::KitchenManager => 'm',
                Role::Accountant => 'c',
                Role::Approver => 'a',
                Role::UnionOfficer => 'u',
                Role::Admin => 'A',
                Role::Leader => 'L',
            };
            letters.contains(letter)
        }
    }
}

/// Walks every route of the one route table as anonymous and as each role, and checks each
/// answer against the hand-written expectation above (not against the table under test).
#[actix_web::test]
async fn every_route_answers_each_role_as_the_hand_written_policy_says() {
    let app = TestApp::spawn().await;
    let table = policy();
    let mut seen = std::collections::HashSet::new();
    for (m, p, _) in &table {
        assert!(seen.insert((m.clone(), *p)), "{m} {p} listed twice");
    }
    let served: std::collections::BTreeSet<String> =
        table.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    let expected: std::collections::BTreeSet<String> =
        EXPECTED_ACCESS.iter().map(|(r, _)| r.to_string()).collect();
    assert_eq!(
        served, expected,
        "every served route has a hand-written expectation, and nothing else is served"
    );

    let mut who: Vec<(Option<Role>, crate::support::Client)> = vec![(None, app.client())];
    for r in Role::ALL {
        let id = app.user(&format!("u_{}", r.as_str()), &[r]);
        who.push((Some(r), app.session_for(id).await));
    }
    let mut failures = Vec::new();
    // Logging out ends the session; do it last.
    let mut ordered = table.clone();
    ordered.sort_by_key(|(_, p, _)| *p == "/logout");
    for (method, path, access) in &ordered {
        let concrete = path.replace("{id}", "1").replace("{code}", "en");
        for (role, client) in who.iter_mut() {
            if client.csrf.is_empty() {
                client.get("/login").await;
            }
            let r = if method == actix_web::http::Method::GET {
                client.get(&concrete).await
            } else {
                client.post(&concrete, &[]).await
            };
            let _ = access;
            let key = format!("{method} {path}");
            let who_may = EXPECTED_ACCESS
                .iter()
                .find(|(r, _)| *r == key)
                .map(|(_, w)| *w)
                .unwrap_or("nobody");
            let allowed = expected_allows(who_may, *role);
            let to_login = r.status == 303 && r.location().starts_with("/login?next=");
            let ok = if who_may == "token" {
                // Sessions play no part: without an API token, 401 for everyone.
                r.status == 401 && r.header("content-type").starts_with("application/json")
            } else if allowed {
                r.status != 403 && r.status != 401 && !to_login
            } else if role.is_none() {
                to_login
            } else {
                r.status == 403
            };
            if !ok {
                failures.push(format!(
                    "{method} {concrete} as {role:?}: {} (allowed: {allowed})",
                    r.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "routes answering against the table:\n{}",
        failures.join("\n")
    );
}

#[actix_web::test]
async fn anything_not_in_the_route_table_is_not_served() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    for path in ["/nope", "/admin/secret", "/people/1/delete"] {
        let r = admin.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.body.contains("Không tìm thấy"),
            "translated 404 page for {path}"
        );
    }
    // Sent byte for byte (an HTTP client would normalise the dots away before sending).
    for raw in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2fCargo.toml",
        "/../../etc/passwd",
    ] {
        let answer = raw_get(&app.addr, raw);
        let status_line = answer.lines().next().unwrap_or("");
        assert!(
            status_line.contains(" 404 ") || status_line.contains(" 400 "),
            "{raw}: {status_line}"
        );
        assert!(!answer.contains("[package]"), "{raw} leaked a file");
        assert!(!answer.contains("root:"), "{raw} leaked a file");
    }
    let r = admin.post("/units/1/delete", &[]).await;
    assert_eq!(r.status, 404);
    assert!(policy()
        .iter()
        .all(|(_, p, a)| *a != Access::Public || !p.starts_with("/admin")));
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let mut c = app.login_as("quantri", &[Role::Admin]).await;
    for path in ["/", "/login", "/people", "/nope", "/healthz"] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
    }
    let css = c.get("/static/style.css").await;
    assert!(css.header("cache-control").contains("max-age"));
    assert!(css.body.contains("@media print"));
    // Cached for a year, so the pages name them by a digest of their content: an upgrade
    // that changes them changes the address.
    let page = c.get("/people").await;
    for (file, digest) in [
        ("style.css", canteen::ui::STYLESHEET_HREF.as_str()),
        ("app.js", canteen::ui::SCRIPT_SRC.as_str()),
    ] {
        assert!(
            digest.len() > format!("/static/{file}?v=").len() + 8,
            "{digest}"
        );
        assert!(page.body.contains(digest), "{file} linked as {digest}");
        let r = c.get(digest).await;
        assert_eq!(r.status, 200, "{digest}");
        assert!(r.header("cache-control").contains("immutable"), "{digest}");
    }
    let js = c.get("/static/app.js").await;
    assert!(js.header("content-type").starts_with("text/javascript"));
}

#[actix_web::test]
async fn the_ui_is_vietnamese_by_default_and_english_when_chosen_and_remembered() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    let r = c.get("/login").await;
    assert!(r.body.contains("<html lang=\"vi\""));
    assert!(r.texts("h1").contains(&"Đăng nhập".to_string()));
    let r = c.get("/lang/en?next=/login").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");
    let r = c.get("/login").await;
    assert!(r.body.contains("<html lang=\"en\""));
    assert!(r.texts("h1").contains(&"Log in".to_string()));
    let r = c.get("/nope").await;
    assert!(
        r.body.contains("was not found"),
        "error pages follow the language too"
    );
    let r = c.get("/lang/en?next=https://evil.example").await;
    assert_eq!(r.location(), "/", "no open redirect");
}

#[actix_web::test]
async fn the_navigation_shows_only_what_the_roles_allow() {
    let app = TestApp::spawn().await;
    let mut staff = app.login_as("lan", &[Role::Staff]).await;
    let nav = staff.get("/").await.texts("nav.main a");
    assert!(
        !nav.iter().any(|t| t == "Tài khoản" || t == "Nhân sự"),
        "{nav:?}"
    );
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let nav = admin.get("/").await.texts("nav.main a");
    assert!(
        nav.iter().any(|t| t == "Tài khoản") && nav.iter().any(|t| t == "Nhân sự"),
        "{nav:?}"
    );
}

#[actix_web::test]
async fn healthz_answers_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "ok");
}

#[actix_web::test]
async fn a_server_error_shows_a_request_id_and_never_internals() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    app.sql("ALTER TABLE units RENAME TO units_gone");
    let r = admin.get("/units").await;
    assert_eq!(r.status, 500);
    assert!(r.body.contains("Mã yêu cầu"), "{}", r.body);
    assert!(r.texts("code").first().is_some_and(|id| id.len() == 12));
    for leak in [
        "units_gone",
        "no such table",
        "relation",
        "diesel",
        "src/",
        "panicked",
    ] {
        assert!(!r.body.contains(leak), "the page leaks «{leak}»");
    }
}

/// One GET with the path exactly as given, over a plain socket; returns the whole answer.
fn raw_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = addr.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).to_string()
}

#[actix_web::test]
async fn a_next_address_never_leads_off_site_or_breaks_the_answer() {
    let app = TestApp::spawn().await;
    app.user("lan", &[Role::Admin]);
    for next in [
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%2F%0D%0ASet-Cookie:%20x=1",
        "%2F%0B%2Fevil.example",
        "%2F%00",
        "%2F%5Cevil.example",
        "%2F%2Fevil.example",
        "https:%2F%2Fevil.example",
    ] {
        let mut c = app.client();
        let r = c.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.status, 303, "{next}");
        assert_eq!(r.location(), "/", "lang next={next}");
        let page = c.get(&format!("/login?next={next}")).await;
        assert_eq!(page.status, 200, "{next}");
        let hidden = page
            .body
            .split("name=\"next\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("/")
            .to_string();
        let r = c
            .post(
                "/login",
                &[
                    ("username", "lan"),
                    ("password", crate::support::PASSWORD),
                    ("next", &hidden),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "login with next={next}: {}", r.body);
        assert!(
            r.location().starts_with('/') && !r.location().starts_with("//"),
            "{next} → {}",
            r.location()
        );
        assert!(!r.location().contains("evil"), "{next} → {}", r.location());
    }
    // A decent local path is still followed.
    let mut c = app.client();
    let r = c.get("/lang/en?next=%2Fpeople%3Fpage%3D2").await;
    assert_eq!(r.location(), "/people?page=2");
}

#[actix_web::test]
async fn behind_a_proxy_the_throttle_counts_the_address_the_proxy_saw() {
    let app = TestApp::spawn_with(|c| c.proxy_hops = 1).await;
    app.user("nannhan", &[Role::Staff]);
    // An attacker at 198.51.100.9 claims to be the victim 203.0.113.5 in the part of the
    // header the client writes; the proxy appends the attacker's real address.
    for i in 0..canteen::auth::throttle::MAX_ADDRESS_FAILURES + 2 {
        let mut c = app.client();
        c.headers
            .push(("x-forwarded-for".into(), "203.0.113.5, 198.51.100.9".into()));
        c.get("/login").await;
        c.post(
            "/login",
            &[
                ("username", &format!("ghost{i}")),
                ("password", "sai mat khau"),
            ],
        )
        .await;
    }
    // The attacker is now throttled, whatever they claim.
    let mut a = app.client();
    a.headers
        .push(("x-forwarded-for".into(), "1.2.3.4, 198.51.100.9".into()));
    a.get("/login").await;
    let r = a
        .post(
            "/login",
            &[
                ("username", "nannhan"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 429, "the attacker's own bucket is full");
    // The victim, whose proxy-seen address is 203.0.113.5, is not locked out.
    let mut v = app.client();
    v.headers
        .push(("x-forwarded-for".into(), "203.0.113.5".into()));
    v.get("/login").await;
    let r = v
        .post(
            "/login",
            &[
                ("username", "nannhan"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[actix_web::test]
async fn head_works_on_pages_and_the_health_check() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for path in ["/healthz", "/login", "/static/style.css"] {
        let r = http
            .head(format!("{}{path}", app.addr))
            .send()
            .await
            .expect("head");
        assert_eq!(r.status().as_u16(), 200, "HEAD {path}");
    }
}

/// A method an address does not take is answered 405 with the methods it does take (`Allow`,
/// which RFC 9110 requires of a 405), a translated page and nothing done.
#[actix_web::test]
async fn a_method_an_address_does_not_take_gets_405_naming_the_ones_it_does() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/week", "GET, HEAD, POST"),
        (reqwest::Method::PUT, "/healthz", "GET, HEAD"),
        (reqwest::Method::GET, "/notices/read", "POST"),
        (reqwest::Method::PATCH, "/people/1", "GET, HEAD, POST"),
    ] {
        let r = http
            .request(method.clone(), format!("{}{path}", app.addr))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 405, "{method} {path}");
        let got = r
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert_eq!(got, allow, "{method} {path}");
        let body = r.text().await.unwrap_or_default();
        assert!(body.contains("Lỗi 405"), "{method} {path}: {body}");
    }
    // A POST without a session or a form token: the same answer where no POST is taken, the
    // token refusal where one is, and not found where nothing is served.
    for (path, status) in [
        ("/healthz", 405),
        ("/", 405),
        ("/week", 403),
        ("/nope", 404),
    ] {
        let r = http
            .post(format!("{}{path}", app.addr))
            .form(&[("x", "1")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), status, "POST {path}");
        if status == 405 {
            assert_eq!(
                r.headers().get("allow").map(|v| v.as_bytes()),
                Some(&b"GET, HEAD"[..])
            );
        }
    }
}

/// Problems a browser or a screen reader would trip over in one HTML page.
fn html_problems(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    if body.contains("<?xml") {
        out.push("an XML declaration inside the HTML".to_string());
    }
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("[id]").expect("selector");
    let mut seen = std::collections::HashSet::new();
    for e in doc.select(&sel) {
        if let Some(id) = e.value().attr("id") {
            if !seen.insert(id.to_string()) {
                out.push(format!("duplicate id {id:?}"));
            }
        }
    }
    out
}

#[actix_web::test]
async fn every_page_has_unique_ids_and_no_xml_declaration() {
    use crate::support::{d, week_of, REGULAR, VEG};
    let app = TestApp::spawn().await;
    // A menu on this week and the next, and a staff member with a pass, so the kitchen's menu
    // page repeats its per-day forms and the pass page draws its QR code.
    for monday in [d(2026, 11, 23), d(2026, 11, 30)] {
        app.options(&week_of(monday), &[REGULAR, VEG]);
        app.publish(monday);
    }
    let mut who = Vec::new();
    for r in Role::ALL {
        let id = app.user_full(
            &format!("u_{}", r.as_str()),
            &[r],
            Some(app.person(&format!("P{}", r.as_str()), "Người thử")),
            false,
        );
        who.push((r, app.session_for(id).await));
    }
    let mut failures = Vec::new();
    for (method, path, _) in policy() {
        if method != actix_web::http::Method::GET || path.contains('{') || path == "/logout" {
            continue;
        }
        for (role, client) in who.iter_mut() {
            let r = client.get(path).await;
            let html = r.header("content-type").starts_with("text/html");
            if r.status == 200 && html {
                for p in html_problems(&r.body) {
                    failures.push(format!("{path} as {role:?}: {p}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
