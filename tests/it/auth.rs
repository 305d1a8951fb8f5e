use crate::support::{TestApp, PASSWORD};
use canteen::auth::roles::Role;

#[actix_web::test]
async fn login_with_the_right_password_opens_a_session_and_a_wrong_one_does_not() {
    let app = TestApp::spawn().await;
    app.user("lan", &[Role::Staff]);
    let mut c = app.client();
    c.get("/login").await;
    let bad = c
        .post(
            "/login",
            &[("username", "lan"), ("password", "sai mật khẩu rồi")],
        )
        .await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.texts(".alert").iter().any(|t| t.contains("không đúng")),
        "{}",
        bad.body
    );
    assert!(!c.cookies.contains_key("canteen_session"));
    assert_eq!(c.get("/").await.status, 303, "still anonymous");

    let ok = c
        .post("/login", &[("username", "LAN"), ("password", PASSWORD)])
        .await;
    assert_eq!(ok.status, 303);
    assert!(ok.header("set-cookie").contains("HttpOnly"));
    assert!(ok.header("set-cookie").contains("SameSite=Lax"));
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.texts("h1").iter().any(|t| t.contains("Xin chào")));
}

#[actix_web::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.user("lan", &[Role::Staff]);
    let mut c = app.client();
    c.get("/login").await;
    let wrong_pw = c
        .post(
            "/login",
            &[("username", "lan"), ("password", "khong dung dau")],
        )
        .await;
    let no_user = c
        .post(
            "/login",
            &[("username", "khongai"), ("password", "khong dung dau")],
        )
        .await;
    assert_eq!(wrong_pw.status, no_user.status);
    assert_eq!(wrong_pw.texts(".alert"), no_user.texts(".alert"));
}

#[actix_web::test]
async fn logout_makes_the_old_cookie_useless() {
    let app = TestApp::spawn().await;
    let mut c = app.login_as("lan", &[Role::Staff]).await;
    let stolen = c.cookies.clone();
    let out = c.post("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location(), "/login");

    let mut replay = app.client();
    replay.cookies = stolen;
    let r = replay.get("/").await;
    assert_eq!(r.status, 303, "the old cookie must not open a page");
    assert!(r.location().starts_with("/login"));
    assert_eq!(app.count("sessions"), 0);
}

#[actix_web::test]
async fn a_disabled_users_open_session_stops_working() {
    let app = TestApp::spawn().await;
    let lan_id = app.user("lan", &[Role::Staff]);
    let mut lan = app.client();
    lan.login("lan", PASSWORD).await;
    assert_eq!(lan.get("/").await.status, 200);

    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get(&format!("/admin/users/{lan_id}")).await;
    let r = admin
        .post(
            &format!("/admin/users/{lan_id}"),
            &[
                ("display_name", "Lan"),
                ("role", "staff"),
                ("disabled", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    assert_eq!(
        lan.get("/").await.status,
        303,
        "the disabled user's session ended"
    );
    let mut again = app.client();
    again.get("/login").await;
    let r = again
        .post("/login", &[("username", "lan"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 200, "a disabled user cannot log in");
}

#[actix_web::test]
async fn the_eleventh_failed_login_in_a_minute_gets_429_until_the_minute_passes() {
    let app = TestApp::spawn().await;
    app.user("lan", &[Role::Staff]);
    let mut c = app.client();
    c.get("/login").await;
    for i in 0..10 {
        let r = c
            .post(
                "/login",
                &[("username", "lan"), ("password", "doan mo mat khau")],
            )
            .await;
        assert_eq!(r.status, 200, "attempt {}", i + 1);
    }
    let r = c
        .post("/login", &[("username", "lan"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 429, "even the right password waits");
    assert!(r.body.contains("đợi một phút"), "{}", r.body);
    assert_eq!(r.header("retry-after"), "60");
    assert!(!c.cookies.contains_key("canteen_session"));

    app.clock().advance(chrono::Duration::seconds(61));
    let r = c
        .post("/login", &[("username", "lan"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303);
}

#[actix_web::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    let app = TestApp::spawn().await;
    let mut c = app.login_as("lan", &[Role::Staff]).await;
    app.clock().advance(chrono::Duration::minutes(29));
    assert_eq!(c.get("/").await.status, 200, "activity keeps it alive");
    app.clock().advance(chrono::Duration::minutes(29));
    assert_eq!(c.get("/").await.status, 200);
    app.clock().advance(chrono::Duration::minutes(31));
    assert_eq!(c.get("/").await.status, 303, "idle too long");
}

#[actix_web::test]
async fn a_session_ends_after_ten_hours_even_when_active() {
    let app = TestApp::spawn().await;
    let mut c = app.login_as("lan", &[Role::Staff]).await;
    for _ in 0..20 {
        app.clock().advance(chrono::Duration::minutes(29));
        assert_eq!(c.get("/").await.status, 200);
    }
    app.clock().advance(chrono::Duration::minutes(29));
    assert_eq!(c.get("/").await.status, 303, "past the absolute lifetime");
}

#[actix_web::test]
async fn changing_a_password_needs_the_current_one_and_refuses_common_passwords() {
    let app = TestApp::spawn().await;
    let mut c = app.login_as("lan", &[Role::Staff]).await;
    c.get("/password").await;
    let r = c
        .post(
            "/password",
            &[
                ("current", "sai"),
                ("new", "password123"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    let errors = r.texts(".field .error").join(" | ");
    assert!(errors.contains("Mật khẩu hiện tại không đúng"), "{errors}");
    assert!(errors.contains("quá phổ biến"), "{errors}");
    assert!(errors.contains("không khớp"), "{errors}");

    let r = c
        .post(
            "/password",
            &[
                ("current", PASSWORD),
                ("new", "bún chả Hàng Mành"),
                ("confirm", "bún chả Hàng Mành"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    c.post("/logout", &[]).await;
    let mut again = app.client();
    again.login("lan", "bún chả Hàng Mành").await;
}

#[actix_web::test]
async fn an_admin_reset_gives_a_one_time_password_that_must_be_changed() {
    let app = TestApp::spawn().await;
    let lan_id = app.user("lan", &[Role::Staff]);
    let mut lan = app.client();
    lan.login("lan", PASSWORD).await;

    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get(&format!("/admin/users/{lan_id}")).await;
    let refused = admin
        .post(&format!("/admin/users/{lan_id}/reset-password"), &[])
        .await;
    assert_eq!(refused.status, 400, "needs the confirmation box");
    let r = admin
        .post(
            &format!("/admin/users/{lan_id}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 200);
    let one_time = r.texts(".onetime").pop().expect("one-time password shown");
    assert_eq!(one_time.chars().count(), 16);

    assert_eq!(
        lan.get("/").await.status,
        303,
        "the reset ended lan's session"
    );
    let mut fresh = app.client();
    fresh.get("/login").await;
    let r = fresh
        .post("/login", &[("username", "lan"), ("password", &one_time)])
        .await;
    assert_eq!(r.location(), "/password");
    let r = fresh.get("/").await;
    assert_eq!(
        r.location(),
        "/password",
        "nothing else until the password is changed"
    );
    fresh.get("/password").await;
    // The one-time password (which the admin saw) cannot become the permanent one.
    let r = fresh
        .post(
            "/password",
            &[
                ("current", &one_time),
                ("new", &one_time),
                ("confirm", &one_time),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("phải khác mật khẩu hiện tại"), "{}", r.body);
    let r = fresh
        .post(
            "/password",
            &[
                ("current", &one_time),
                ("new", "phở bò tái chín"),
                ("confirm", "phở bò tái chín"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(fresh.get("/").await.status, 200);
}

#[actix_web::test]
async fn expired_sessions_are_swept_from_the_database() {
    let app = crate::support::TestApp::spawn().await;
    let id = app.user("lan", &[canteen::auth::roles::Role::Staff]);
    let _fresh = app.session_for(id).await;
    app.clock().advance(chrono::Duration::hours(11));
    let _late = app.session_for(id).await;
    assert_eq!(app.count("sessions"), 2);
    let n = canteen::housekeeping(&app.state).await.expect("sweep");
    assert_eq!(n, 1, "only the expired one");
    assert_eq!(app.count("sessions"), 1);
}

#[actix_web::test]
async fn the_flash_cookie_is_secure_when_cookies_are() {
    let app = crate::support::TestApp::spawn_with(|c| c.secure_cookies = true).await;
    let id = app.user("bep", &[canteen::auth::roles::Role::Kitchen]);
    let mut k = app.session_for(id).await;
    k.get("/kitchen/settings").await;
    let r = k
        .post(
            "/kitchen/settings",
            &[("cutoff", "09:00"), ("horizon", "14"), ("walk_in", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let flash: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("canteen_flash="))
        .map(str::to_string)
        .collect();
    assert_eq!(flash.len(), 1, "{flash:?}");
    assert!(flash[0].contains("Secure"), "{flash:?}");
}

#[actix_web::test]
async fn fifty_concurrent_guesses_get_exactly_ten_tries() {
    let app = crate::support::TestApp::spawn().await;
    app.user("lan", &[canteen::auth::roles::Role::Staff]);
    let mut clients = Vec::new();
    for _ in 0..50 {
        let mut c = app.client();
        c.get("/login").await;
        clients.push(c);
    }
    let answers = futures_util::future::join_all(clients.iter_mut().map(|c| {
        c.post(
            "/login",
            &[("username", "lan"), ("password", "doan mat khau")],
        )
    }))
    .await;
    let tried = answers.iter().filter(|r| r.status == 200).count();
    let refused = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!((tried, refused), (10, 40));
    assert_eq!(app.count("audit_log WHERE action = 'login.failure'"), 10);
}

#[actix_web::test]
async fn wrong_current_passwords_on_the_password_page_are_throttled_too() {
    let app = crate::support::TestApp::spawn().await;
    let id = app.user("lan", &[canteen::auth::roles::Role::Staff]);
    let mut c = app.session_for(id).await;
    for i in 0..10 {
        let r = c
            .post(
                "/password",
                &[
                    ("current", "khong phai"),
                    ("new", "một mật khẩu mới dài"),
                    ("confirm", "một mật khẩu mới dài"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "try {i}");
    }
    let r = c
        .post(
            "/password",
            &[
                ("current", crate::support::PASSWORD),
                ("new", "một mật khẩu mới dài"),
                ("confirm", "một mật khẩu mới dài"),
            ],
        )
        .await;
    assert_eq!(r.status, 429, "the eleventh try in a minute waits");
    app.clock().advance(chrono::Duration::seconds(61));
    c.get("/password").await;
    let r = c
        .post(
            "/password",
            &[
                ("current", crate::support::PASSWORD),
                ("new", "một mật khẩu mới dài"),
                ("confirm", "một mật khẩu mới dài"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// A password hashed with older argon2 parameters (the crate's defaults, 19 MiB) still opens
/// a session, and is stored again with today's parameters (7 MiB, t=5) at that login.
#[actix_web::test]
async fn a_password_hashed_with_older_parameters_still_logs_in_and_is_hashed_again() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = TestApp::spawn().await;
    let id = app.user("lan", &[Role::Staff]);
    let old = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
        .expect("hash")
        .to_string();
    app.sql(&format!(
        "UPDATE users SET password_hash = '{old}' WHERE id = {id}"
    ));
    let stored = |app: &TestApp| -> String {
        use canteen::db::schema::users;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("conn");
        users::table
            .find(id)
            .select(users::password_hash)
            .get_result(&mut *c)
            .expect("hash")
    };
    assert!(stored(&app).contains("m=19456,t=2,p=1"));
    app.client().login("lan", PASSWORD).await;
    let now = stored(&app);
    assert!(now.contains("m=7168,t=5,p=1"), "{now}");
    app.client().login("lan", PASSWORD).await;
    assert_eq!(stored(&app), now, "hashed again once, not at every login");
    let mut c = app.client();
    c.get("/login").await;
    let bad = c
        .post(
            "/login",
            &[("username", "lan"), ("password", "sai mật khẩu rồi")],
        )
        .await;
    assert_eq!(bad.status, 200);
    assert_eq!(stored(&app), now);
}

/// Staff share the office's one address behind its gateway: twenty colleagues logging in at
/// the same moment all get in (each holds a reservation until its password is checked; the
/// address may hold more than one person's ten).
#[actix_web::test]
async fn twenty_colleagues_behind_one_address_log_in_at_the_same_moment() {
    let app = TestApp::spawn().await;
    let mut clients = Vec::new();
    for i in 0..20 {
        app.user(&format!("nv{i:03}"), &[Role::Staff]);
        let mut c = app.client();
        c.get("/login").await;
        clients.push((format!("nv{i:03}"), c));
    }
    let answers = futures_util::future::join_all(clients.iter_mut().map(|(name, c)| async move {
        c.post(
            "/login",
            &[("username", name.as_str()), ("password", PASSWORD)],
        )
        .await
    }))
    .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![303; 20]);
}

/// A page asked for without a session sends to the login page, which comes back to it after
/// logging in: for a HEAD request (a link checker, a monitor) as for a GET; a POST goes home.
#[actix_web::test]
async fn a_page_asked_for_without_a_session_goes_to_login_and_back_to_it() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    for r in [c.get("/week?x=1").await, c.head("/week?x=1").await] {
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/login?next=%2Fweek%3Fx%3D1");
    }
    c.get("/login").await;
    let r = c.post("/week", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?next=%2F");
}

#[actix_web::test]
async fn accounts_are_found_by_a_name_typed_without_accents_or_in_capitals_and_by_their_persons_code(
) {
    let app = TestApp::spawn().await;
    let lan = app.user("lan", &[Role::Staff]);
    let duc_person = app.person("NV777", "Trần Văn Đức");
    app.user_full("tvduc", &[Role::Staff], Some(duc_person), false);
    app.user("khac", &[Role::Staff]);
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get(&format!("/admin/users/{lan}")).await;
    let r = admin
        .post(
            &format!("/admin/users/{lan}"),
            &[("display_name", "Nguyễn Thị Lan"), ("role", "staff")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let found = |r: &crate::support::Resp| {
        r.texts("tbody tr td:first-child")
            .into_iter()
            .map(|t| t.trim().to_string())
            .collect::<Vec<_>>()
    };
    for q in [
        "nguyen thi",
        "NGUYỄN",
        "Nguyễn%20Thị",
        // typed decomposed ("e" + marks) and with a zero-width space
        "Nguye%CC%82%CC%83n",
        "thi%20l%E2%80%8Ban",
    ] {
        let r = admin.get(&format!("/admin/users?q={q}")).await;
        assert_eq!(found(&r), ["lan"], "q={q}");
    }
    // An account linked to a person is found by the person's name and code.
    for q in ["tran van duc", "Đức", "nv777"] {
        let r = admin.get(&format!("/admin/users?q={q}")).await;
        assert_eq!(found(&r), ["tvduc"], "q={q}");
    }
    let r = admin.get("/admin/users?q=KHAC").await;
    assert_eq!(found(&r), ["khac"], "user names in any case");
    // Accounts written before the search form existed get theirs when the app migrates.
    app.sql("UPDATE users SET search_name = ''");
    app.migrate_again();
    let r = admin.get("/admin/users?q=nguyen").await;
    assert_eq!(found(&r), ["lan"], "after an upgrade");
}
