//! Write-path integrity: one bad request never stops the system; bad dates are refused.

use crate::support::{d, TestApp, PASSWORD};
use canteen::auth::roles::Role;
use canteen::error::AppError;

#[actix_web::test]
async fn a_panicking_write_is_refused_and_every_later_write_login_and_health_check_work() {
    let app = TestApp::spawn().await;
    let db = app.state.db.clone();
    let r: Result<(), AppError> = db
        .write(|c| {
            // Half a change, then a panic: none of it may stay, and the writer must recover.
            canteen::people::store::create_unit(
                c,
                &canteen::audit::Actor::system("test"),
                chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
                    .and_then(|d| d.and_hms_opt(8, 0, 0))
                    .expect("time"),
                "PANIC",
                "Đơn vị dở dang",
                None,
            )?;
            panic!("a bug inside a write");
        })
        .await;
    assert!(r.is_err(), "the panicking write is answered with an error");
    assert_eq!(
        app.count("units WHERE code = 'PANIC'"),
        0,
        "nothing of it stayed"
    );

    let n = app.state.db.write(|c| {
        use diesel::prelude::*;
        Ok(diesel::sql_query("UPDATE settings SET value = value").execute(c)?)
    });
    assert!(n.await.is_ok(), "a normal write works again");

    app.user("admin", &[Role::Admin]);
    let mut c = app.client();
    let r = c.login("admin", PASSWORD).await;
    assert_eq!(r.status, 303, "login works after the panic: {}", r.body);
    let h = c.get("/healthz").await;
    assert_eq!(h.status, 200, "{}", h.body);
    assert_eq!(app.count("units"), 0);
}

#[actix_web::test]
async fn the_health_check_fails_with_503_when_the_database_takes_no_writes() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    assert_eq!(c.get("/healthz").await.status, 200);
    assert_eq!(app.count("heartbeat"), 1, "the health check really wrote");
    // A DBA (or a full disk) makes the heartbeat table refuse writes.
    match crate::support::pg_base() {
        None => app.sql(
            "CREATE TRIGGER no_beat BEFORE UPDATE ON heartbeat BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        ),
        Some(_) => app.sql(
            "CREATE FUNCTION no_beat() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER no_beat BEFORE UPDATE ON heartbeat FOR EACH ROW EXECUTE FUNCTION no_beat();",
        ),
    }
    let h = c.get("/healthz").await;
    assert_eq!(h.status, 503, "{}", h.body);
    assert!(!h.header("retry-after").is_empty());
}

#[actix_web::test]
async fn a_date_far_outside_the_business_range_is_refused_and_writes_go_on() {
    let app = TestApp::spawn().await;
    let id = app.user("bep", &[Role::Kitchen]);
    let mut k = app.session_for(id).await;
    k.get("/kitchen/menu").await;
    for week in [
        "+262142-12-31",
        "1999-12-27",
        "2101-01-03",
        "-0001-01-01",
        "9999-12-27",
    ] {
        let r = k.post("/kitchen/menu/publish", &[("week", week)]).await;
        assert!(
            (400..500).contains(&r.status),
            "publish week={week} answered {}",
            r.status
        );
    }
    for (from, to) in [
        ("31/12/262142", "31/12/262142"),
        ("01/01/1999", "02/01/1999"),
    ] {
        let r = k
            .post(
                "/kitchen/calendar/close",
                &[
                    ("from", from),
                    ("to", to),
                    ("reason", "Nghỉ"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert!(
            (400..500).contains(&r.status),
            "close {from} answered {}",
            r.status
        );
    }
    let r = k.get("/kitchen/headcount?date=31/12/262142").await;
    assert!(
        (400..500).contains(&r.status),
        "headcount answered {}",
        r.status
    );
    // The system still takes writes.
    let r = k
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "01/12/2026"),
                ("to", "01/12/2026"),
                ("reason", "Nghỉ bù"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("service_days WHERE is_open = false"), 1);
    let _ = d(2026, 12, 1);
}

#[actix_web::test]
async fn a_meal_price_that_is_not_a_well_formed_amount_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let id = app.user("bep", &[Role::Kitchen]);
    let mut k = app.session_for(id).await;
    let rice = app.dish("Cơm trắng", true, "").to_string();
    k.get("/kitchen/menu?week=2026-11-30").await;
    for (price, says) in [
        ("35", "dưới 1.000"),
        ("35.5", "không đúng dạng"),
        ("3.50", "không đúng dạng"),
        ("35.", "không đúng dạng"),
        ("-35.000", "từ 1.000 đến"),
    ] {
        let r = k
            .post(
                "/kitchen/menu/options",
                &[
                    ("date", "2026-12-01"),
                    ("name", "Suất thường"),
                    ("price", price),
                    ("dish", &rice),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{price}");
        // The form comes back open, with the typed price kept and the message beside it.
        let beside = r.texts("details[open] .field .error").join(" ");
        assert!(beside.contains(says), "{price}: {beside}");
        assert!(
            r.body.contains(&format!("value=\"{price}\"")),
            "{price} kept in the form"
        );
    }
    assert_eq!(app.count("meal_options"), 0, "nothing was saved");
    let r = k
        .post(
            "/kitchen/menu/options",
            &[
                ("date", "2026-12-01"),
                ("name", "Suất thường"),
                ("price", "35.000 ₫"),
                ("dish", &rice),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("meal_options WHERE price_vnd = 35000"), 1);
}

#[actix_web::test]
async fn over_long_text_and_hidden_control_characters_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let id = app.user("bep", &[Role::Kitchen]);
    let mut k = app.session_for(id).await;
    k.get("/kitchen/report").await;
    let long = "a".repeat(100_000);
    let r = k
        .post(
            "/kitchen/waste",
            &[
                ("day", "27/11/2026"),
                ("prepared", "10"),
                ("leftover", "1"),
                ("note", &long),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = k
        .post(
            "/kitchen/waste",
            &[
                ("day", "27/11/2026"),
                ("prepared", "10"),
                ("leftover", "1"),
                ("note", &"a".repeat(600)),
            ],
        )
        .await;
    assert_eq!(
        r.status, 422,
        "the form comes back with the message beside the note"
    );
    assert!(r.body.contains("500 ký tự"));
    let r = k
        .post(
            "/kitchen/calendar/open",
            &[("day", "28/11/2026"), ("reason", &"b".repeat(101))],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.has("#f-open-reason[aria-invalid=true]"), "{}", r.body);
    for bad in ["Cơm\u{0}gà", "Phở \u{202e}gnoc", "Bún\u{2066}x\u{2069}"] {
        let r = k
            .post(
                "/kitchen/dishes",
                &[("name", bad), ("description", ""), ("allergens", "")],
            )
            .await;
        assert_eq!(r.status, 400, "{bad:?}");
        assert!(r.body.contains("ký tự không được phép"), "{bad:?}");
    }
    assert_eq!(app.count("dishes"), 0);
    assert_eq!(app.count("waste_log"), 0);
    assert_eq!(app.count("service_days"), 0);
}

#[actix_web::test]
async fn a_stopping_server_still_answers_and_closes_each_connection_after_its_answer() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    let r = c.get("/healthz").await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("connection"), "close");
    app.state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let r = c.get("/login").await;
    assert_eq!(
        r.status, 200,
        "requests arriving while stopping are answered"
    );
    assert_eq!(
        r.header("connection"),
        "close",
        "and no more are sent on that connection"
    );
}

/// The database cannot serve (down, or every connection busy): opening a page says the page
/// could not be shown; a change says it was not saved — and it was not.
#[actix_web::test]
async fn a_page_the_database_cannot_serve_says_so_and_a_change_says_it_was_not_saved() {
    use crate::support::{key, refs, set_field, week_of, REGULAR};
    let app = TestApp::spawn_with(|c| c.read_pool_size = 2).await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());

    let held: Vec<_> = (0..2)
        .map(|_| app.state.db.read_conn().expect("conn"))
        .collect();
    let page = lan.get("/week").await;
    assert_eq!(page.status, 503);
    assert!(!page.header("retry-after").is_empty());
    assert!(
        page.body.contains("chưa mở được trang này") && !page.body.contains("CHƯA được lưu"),
        "{}",
        page.body
    );
    let r = lan.post("/week", &refs(&f)).await;
    assert_eq!(r.status, 503);
    assert!(r.body.contains("CHƯA được lưu"), "{}", r.body);
    drop(held);

    assert!(app.meal_days(pid).is_empty(), "nothing was saved");
    assert_eq!(lan.get("/week").await.status, 200);
    let r = lan.post("/week", &refs(&f)).await;
    assert_eq!(
        r.status, 303,
        "saved once the database serves again: {}",
        r.body
    );
    assert_eq!(app.meal_days(pid), vec![days[1]]);
}
