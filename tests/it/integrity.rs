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

/// One edit page of the class: who edits, where the page is, where its form posts, the field
/// each of two tabs changes, and how to see each tab's change in the database.
struct EditPage {
    client: crate::support::Client,
    page: String,
    action: String,
    first: (&'static str, &'static str),
    second: (&'static str, &'static str),
    /// A value the page refuses (to see that a stale page says it is stale first).
    invalid: (&'static str, &'static str),
    /// `first` written as a person might type it, which the save tidies (None: not tried).
    loose: Option<(&'static str, &'static str)>,
    first_saved: String,
    second_saved: String,
    audit: &'static str,
}

/// Every page that shows a record and saves all its fields back (a person, a unit, an
/// account, a dish, the canteen settings, a fund's yearly plan): opened in two tabs, the tab
/// saved second was made from the record before the first save, and would silently undo it.
/// It is refused (422, nothing written, nothing audited) and shows the record as it is now,
/// from which the same change goes through. (The menu option and the retiree record have the
/// same check, tested with their pages.)
#[actix_web::test]
async fn a_stale_edit_page_cannot_undo_a_save_made_from_another_tab_on_any_edit_page() {
    use crate::support::{refs, set_field};
    let app = TestApp::spawn().await;
    let now = app.clock().now_naive();
    let admin = app.user("quantri", &[Role::Admin]);
    let cook = app.user("bep1", &[Role::Kitchen]);
    let accountant = app.user("ketoan1", &[Role::Accountant]);
    app.sql(
        "INSERT INTO units (code, name, created_at) VALUES ('KT', 'Kế toán', '2026-11-27 01:00:00')",
    );
    let unit: i32 = app
        .state
        .db
        .read_conn()
        .map(|mut c| {
            use canteen::db::schema::units;
            use diesel::prelude::*;
            units::table
                .filter(units::code.eq("KT"))
                .select(units::id)
                .first(&mut *c)
                .expect("unit")
        })
        .expect("conn");
    let person = app.person("NV900", "Nguyễn Văn An");
    let account = app.user("nv900", &[Role::Staff]);
    let dish = app.dish("Canh cải", false, "");
    let fund = app
        .state
        .db
        .write_tx(move |c| {
            canteen::ledger::store::create_fund(
                c,
                &canteen::audit::Actor::system("test"),
                now,
                "CD",
                "Quỹ công đoàn",
                "union",
            )
        })
        .expect("fund");
    let pages = vec![
        EditPage {
            client: app.session_for(admin).await,
            page: format!("/units/{unit}"),
            action: format!("/units/{unit}"),
            first: ("name", "Phòng Kế toán"),
            second: ("code", "KT2"),
            invalid: ("name", ""),
            loose: Some(("name", " Phòng  Kế toán ")),
            first_saved: "units WHERE name = 'Phòng Kế toán'".into(),
            second_saved: "units WHERE code = 'KT2'".into(),
            audit: "unit.update",
        },
        EditPage {
            client: app.session_for(admin).await,
            page: format!("/people/{person}/edit"),
            action: format!("/people/{person}"),
            first: ("phone", "0912345678"),
            second: ("full_name", "Nguyễn Văn Bình"),
            invalid: ("date_of_birth", "31/02/1990"),
            loose: None,
            first_saved: "persons WHERE phone = '0912345678'".into(),
            second_saved: "persons WHERE full_name = 'Nguyễn Văn Bình'".into(),
            audit: "person.update",
        },
        EditPage {
            client: app.session_for(admin).await,
            page: format!("/admin/users/{account}"),
            action: format!("/admin/users/{account}"),
            first: ("display_name", "Chị Lan"),
            second: ("disabled", "yes"),
            invalid: ("display_name", ""),
            loose: Some(("display_name", "  Chị   Lan ")),
            first_saved: "users WHERE display_name = 'Chị Lan'".into(),
            second_saved: format!("users WHERE id = {account} AND disabled = TRUE"),
            audit: "user.update",
        },
        EditPage {
            client: app.session_for(cook).await,
            page: format!("/kitchen/dishes/{dish}"),
            action: format!("/kitchen/dishes/{dish}"),
            first: ("name", "Canh cải xanh"),
            second: ("allergen_notes", "nấu với tôm khô"),
            invalid: ("name", ""),
            loose: Some(("name", "  Canh   cải xanh ")),
            first_saved: "dishes WHERE name = 'Canh cải xanh'".into(),
            second_saved: "dishes WHERE allergen_notes = 'nấu với tôm khô'".into(),
            audit: "catalogue_dish.update",
        },
        EditPage {
            client: app.session_for(cook).await,
            page: "/kitchen/settings".into(),
            action: "/kitchen/settings".into(),
            first: ("cutoff", "09:30"),
            second: ("horizon", "21"),
            invalid: ("cutoff", "25:99"),
            loose: Some(("cutoff", "9:30")),
            first_saved: "settings WHERE key = 'canteen.cutoff' AND value = '09:30'".into(),
            second_saved: "settings WHERE key = 'canteen.horizon_days' AND value = '21'".into(),
            audit: "canteen_settings.update",
        },
        EditPage {
            client: app.session_for(accountant).await,
            page: format!("/accounting/funds/{fund}/report?year=2026"),
            action: format!("/accounting/funds/{fund}/budget?year=2026"),
            first: ("dues", "1.000.000"),
            second: ("sick", "2.000.000"),
            invalid: ("dues", "abc"),
            loose: Some(("dues", "1000000")),
            first_saved: "budget_lines WHERE line = 'dues' AND planned_vnd = 1000000".into(),
            second_saved: "budget_lines WHERE line = 'sick'".into(),
            audit: "ledger_fund.budget_lines",
        },
    ];
    for mut p in pages {
        let tab_a = p.client.get(&p.page).await.form(&p.action);
        let tab_b = p.client.get(&p.page).await.form(&p.action);
        assert!(
            tab_a.iter().any(|(k, _)| k == "seen"),
            "{}: the page carries what it showed",
            p.page
        );
        let mut a = tab_a.clone();
        set_field(&mut a, p.first.0, p.first.1);
        if let Some((field, typed)) = p.loose {
            // Typed loosely (the save tidies it), then sent twice: the second send still
            // sends what is saved now, and is answered as saved.
            set_field(&mut a, field, typed);
            let r = p.client.post(&p.action, &refs(&a)).await;
            assert_eq!(r.status, 303, "{}: {}", p.page, r.body);
            assert_eq!(app.count(&p.first_saved), 1, "{}: tidied", p.page);
        }
        let r = p.client.post(&p.action, &refs(&a)).await;
        assert_eq!(r.status, 303, "{}: {}", p.page, r.body);
        assert_eq!(app.count(&p.first_saved), 1, "{}", p.page);
        let audited = app.audit_after(p.audit).len();
        // The same form sent again (a double click without JavaScript): what it sends is what
        // is saved now, so it is answered as saved, and writes and audits nothing.
        let r = p.client.post(&p.action, &refs(&a)).await;
        assert_eq!(r.status, 303, "{}: sent twice: {}", p.page, r.body);
        assert_eq!(app.audit_after(p.audit).len(), audited, "{}", p.page);

        // An empty fingerprint is not a missing one: refused too.
        let mut emptied = tab_b.clone();
        set_field(&mut emptied, "seen", "");
        set_field(&mut emptied, p.second.0, p.second.1);
        let r = p.client.post(&p.action, &refs(&emptied)).await;
        assert_eq!(r.status, 422, "{}: {}", p.page, r.body);
        assert_eq!(app.count(&p.second_saved), 0, "{}", p.page);
        // A stale page with a problem in the form says it is stale: put right, it would only
        // be refused then, and what was typed lost.
        let mut invalid = tab_b.clone();
        set_field(&mut invalid, p.invalid.0, p.invalid.1);
        let r = p.client.post(&p.action, &refs(&invalid)).await;
        assert_eq!(r.status, 422, "{}: {}", p.page, r.body);
        assert!(
            r.body.contains("vừa được sửa ở nơi khác"),
            "{}: {}",
            p.page,
            r.body
        );

        let mut b = tab_b.clone();
        set_field(&mut b, p.second.0, p.second.1);
        let r = p.client.post(&p.action, &refs(&b)).await;
        assert_eq!(r.status, 422, "{}: {}", p.page, r.body);
        assert!(
            r.body.contains("vừa được sửa ở nơi khác"),
            "{}: {}",
            p.page,
            r.body
        );
        assert_eq!(
            app.count(&p.first_saved),
            1,
            "{}: the first save stays",
            p.page
        );
        assert_eq!(app.count(&p.second_saved), 0, "{}: nothing written", p.page);
        assert_eq!(app.audit_after(p.audit).len(), audited, "{}", p.page);

        // The refusal shows the record as it is now; the same change made there goes through.
        let mut again = r.form(&p.action);
        assert!(
            again.iter().any(|(k, v)| k == p.first.0 && v == p.first.1),
            "{}: the page shows the first tab's save: {again:?}",
            p.page
        );
        set_field(&mut again, p.second.0, p.second.1);
        let r = p.client.post(&p.action, &refs(&again)).await;
        assert_eq!(r.status, 303, "{}: {}", p.page, r.body);
        assert_eq!(app.count(&p.first_saved), 1, "{}", p.page);
        assert_eq!(app.count(&p.second_saved), 1, "{}", p.page);

        // Saved as shown, nothing changed: nothing is audited.
        let audited = app.audit_after(p.audit).len();
        let same = p.client.get(&p.page).await.form(&p.action);
        let r = p.client.post(&p.action, &refs(&same)).await;
        assert_eq!(r.status, 303, "{}: {}", p.page, r.body);
        assert_eq!(app.audit_after(p.audit).len(), audited, "{}", p.page);
    }
}

/// Eight tabs of one person's edit page saved at the same moment, each with another change:
/// exactly one goes through and the seven others are refused, on either database (on
/// PostgreSQL two saves could otherwise both read the record before either wrote it).
#[actix_web::test]
async fn of_several_tabs_saving_one_record_at_once_exactly_one_goes_through() {
    use crate::support::{refs, set_field};
    let app = TestApp::spawn().await;
    let admin = app.user("quantri", &[Role::Admin]);
    let person = app.person("NV901", "Trần Thị Hoa");
    let mut first = app.session_for(admin).await;
    let page = format!("/people/{person}/edit");
    let action = format!("/people/{person}");
    let shown = first.get(&page).await.form(&action);
    let mut tabs: Vec<(crate::support::Client, Vec<(String, String)>)> = (0..8)
        .map(|i| {
            let mut f = shown.clone();
            set_field(&mut f, "phone", &format!("09000000{i:02}"));
            (first.same_session(), f)
        })
        .collect();
    let action = action.as_str();
    let answers = futures_util::future::join_all(
        tabs.iter_mut()
            .map(|(c, f)| async move { c.post(action, &refs(f)).await.status }),
    )
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == 303).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 422).count(),
        7,
        "{answers:?}"
    );
    assert_eq!(app.count("persons WHERE phone LIKE '09000000%'"), 1);
    assert_eq!(app.audit_after("person.update").len(), 1);
}

/// A form refused at a URL that takes no GET (the fund plan posts to `…/budget`): the page
/// says so above the report (the plan's form is below it, out of sight), and its language
/// switch leads back to the page the form was on, not to a 405. A fingerprint sent twice is a
/// made-up form. The account page refused for a problem still names the account.
#[actix_web::test]
async fn a_refused_form_says_so_in_sight_and_leads_back_to_the_page_it_was_on() {
    let app = TestApp::spawn().await;
    let now = app.clock().now_naive();
    let accountant = app.user("ketoan1", &[Role::Accountant]);
    let fund = app
        .state
        .db
        .write_tx(move |c| {
            canteen::ledger::store::create_fund(
                c,
                &canteen::audit::Actor::system("test"),
                now,
                "CD",
                "Quỹ công đoàn",
                "union",
            )
        })
        .expect("fund");
    let report = format!("/accounting/funds/{fund}/report?year=2026");
    let plan = format!("/accounting/funds/{fund}/budget?year=2026");
    let mut kt = app.session_for(accountant).await;
    kt.get(&report).await;
    let from = format!("{}{report}", kt.base());
    kt.headers.push(("referer".into(), from));
    let r = kt.post(&plan, &[("dues", "abc")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let alert = r.body.find("role=\"alert\"").expect("an alert");
    let table = r.body.find("<table").expect("the report");
    assert!(alert < table, "the problem is said above the report");
    let at = r
        .body
        .find("href=\"/lang/en?next=")
        .expect("language switch")
        + 6;
    let href = &r.body[at..at + r.body[at..].find('"').expect("end")];
    let switched = kt.get(href).await;
    assert_eq!(switched.status, 303);
    assert_eq!(switched.location(), report);
    let back = kt.get(&switched.location()).await;
    assert_eq!(back.status, 200);
    assert!(back.body.contains("<html lang=\"en\""), "{}", back.body);

    // Without a `Referer` (a browser told not to send one): home, not a 405.
    kt.headers.clear();
    let r = kt.post(&plan, &[("dues", "abc")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"/lang/vi?next=%2F\""), "{}", r.body);

    let r = kt
        .post(&plan, &[("seen", "x"), ("seen", "y"), ("dues", "1.000")])
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(app.count("budget_lines"), 0);
    // A plan for a year outside 2000–2100 is refused, not saved as this year's (QA round 2).
    for year in ["-1", "0", "1899", "99999"] {
        let r = kt
            .post(
                &format!("/accounting/funds/{fund}/budget?year={year}"),
                &[("dues", "1.000")],
            )
            .await;
        assert_eq!(r.status, 400, "{year}: {}", r.body);
    }
    assert_eq!(app.count("budget_lines"), 0);

    let admin = app.user("quantri", &[Role::Admin]);
    let account = app.user("nv900", &[Role::Staff]);
    let mut ad = app.session_for(admin).await;
    let page = format!("/admin/users/{account}");
    let mut f = ad.get(&page).await.form(&page);
    crate::support::set_field(&mut f, "display_name", "");
    let r = ad.post(&page, &crate::support::refs(&f)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("nv900"),
        "the page names the account: {}",
        r.body
    );
}

/// A form that adds a record (a policy, a voucher, a case…), sent twice as a double click
/// without JavaScript or a resent request would: the record is added once, and the second
/// send is answered as saved (not with an error about what the first one added).
#[actix_web::test]
async fn a_form_that_adds_a_record_sent_twice_adds_it_once() {
    use crate::support::{refs, set_field};
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some(PASSWORD.into())).expect("demo");
    let not_eligible = app
        .state
        .db
        .write_tx(|c| {
            use canteen::db::schema::{eligibility, persons};
            use diesel::prelude::*;
            Ok(persons::table
                .filter(persons::status.eq("working"))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    eligibility::table.filter(eligibility::person_id.eq(persons::id)),
                )))
                .order(persons::employee_code.asc())
                .select(persons::employee_code)
                .first::<String>(c)?)
        })
        .expect("a person without a decision");
    struct Adds<'a> {
        user: &'a str,
        page: &'a str,
        action: &'a str,
        set: Vec<(&'a str, &'a str)>,
        table: &'a str,
        /// The first send's answer: 303 to the list, or 200 (a token is shown once).
        first: u16,
    }
    let cases = [
        Adds {
            user: "ketoan",
            page: "/accounting/policies",
            action: "/accounting/policies",
            set: vec![
                ("name", "Hỗ trợ thêm tháng 12"),
                ("kind", "fixed"),
                ("amount", "1.000"),
                ("from", "01/12/2026"),
                ("legal_basis", "QĐ 12/2026"),
            ],
            table: "subsidy_policies",
            first: 303,
        },
        Adds {
            user: "ketoan",
            page: "/accounting/eligibility",
            action: "/accounting/eligibility",
            set: vec![
                ("code", &not_eligible),
                ("from", "01/12/2026"),
                ("decision_no", "15/QĐ-VP"),
                ("decision_date", "26/11/2026"),
            ],
            table: "eligibility",
            first: 303,
        },
        Adds {
            user: "ketoan",
            page: "/accounting/funds",
            action: "/accounting/vouchers",
            set: vec![
                ("kind", "payment"),
                ("date", "27/11/2026"),
                ("amount", "50.000"),
                ("description", "Mua văn phòng phẩm"),
            ],
            table: "vouchers",
            first: 303,
        },
        Adds {
            user: "nv001",
            page: "/absences",
            action: "/absences",
            set: vec![("start", "07/12/2026"), ("end", "08/12/2026")],
            table: "absences",
            first: 303,
        },
        Adds {
            user: "congdoan",
            page: "/welfare/organisations",
            action: "/welfare/organisations",
            set: vec![
                ("name", "Công đoàn bộ phận Mới"),
                ("started_on", "27/11/2026"),
            ],
            table: "organisations",
            first: 303,
        },
        Adds {
            user: "congdoan",
            page: "/welfare/occasions",
            action: "/welfare/occasions",
            set: vec![
                ("name", "Quà Tết Dương lịch"),
                ("occasion_date", "31/12/2026"),
                ("amount", "200.000"),
            ],
            table: "occasions",
            first: 303,
        },
        Adds {
            user: "congdoan",
            page: "/welfare/people/1",
            action: "/welfare/people/1/dependants",
            set: vec![
                ("full_name", "Nguyễn Minh Khôi"),
                ("relationship", "child"),
                ("date_of_birth", "02/03/2018"),
            ],
            table: "dependants",
            first: 303,
        },
        Adds {
            user: "admin",
            page: "/admin/api-tokens",
            action: "/admin/api-tokens",
            set: vec![
                ("client", "Hệ thống báo cáo Bộ"),
                ("scope", "canteen-meals"),
                ("expires_on", "31/12/2026"),
            ],
            table: "api_tokens",
            first: 200,
        },
    ];
    for a in cases {
        let mut c = app.client();
        c.login(a.user, PASSWORD).await;
        let page = c.get(a.page).await;
        assert_eq!(page.status, 200, "{}", a.page);
        let mut fields = page.form(a.action);
        assert!(!fields.is_empty(), "{} has a form to {}", a.page, a.action);
        for (k, v) in &a.set {
            set_field(&mut fields, k, v);
        }
        let before = app.count(a.table);
        let first = c.post(a.action, &refs(&fields)).await;
        assert_eq!(first.status, a.first, "{}: {}", a.action, first.body);
        let second = c.post(a.action, &refs(&fields)).await;
        assert_eq!(
            second.status, 303,
            "{} sent twice: {}",
            a.action, second.body
        );
        assert_eq!(app.count(a.table), before + 1, "{} sent twice", a.action);
    }
}

/// Forms that name a person by staff code, sent with the code left empty: the code's field
/// says it is needed (not that no one has that code), beside the other fields' errors.
#[actix_web::test]
async fn a_staff_code_left_empty_is_told_as_needed_on_every_form_that_asks_for_one() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some(PASSWORD.into())).expect("demo");
    for (user, page, action) in [
        (
            "ketoan",
            "/accounting/eligibility",
            "/accounting/eligibility",
        ),
        ("ketoan", "/accounting/salary", "/accounting/salary"),
        ("congdoan", "/welfare/cases", "/welfare/cases"),
        (
            "congdoan",
            "/welfare/organisations/1",
            "/welfare/organisations/1/members",
        ),
    ] {
        let mut c = app.client();
        c.login(user, PASSWORD).await;
        let fields = c.get(page).await.form(action);
        assert!(
            fields.iter().any(|(k, v)| k == "code" && v.is_empty()),
            "{action}"
        );
        let r = c.post(action, &crate::support::refs(&fields)).await;
        assert_eq!(r.status, 422, "{action}: {}", r.body);
        let code_error = r.texts("#f-code-err");
        assert!(
            code_error.len() == 1 && code_error[0].contains("Cần nhập mã cán bộ"),
            "{action}: {code_error:?}"
        );
    }
}

/// A form refused on a whole error page (a check that is not a field's: a confirmation box
/// left unticked, a reason left empty) leads back to the form it came from, not only home.
#[actix_web::test]
async fn a_form_refused_on_an_error_page_leads_back_to_the_form() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some(PASSWORD.into())).expect("demo");
    let mut kt = app.client();
    kt.login("ketoan", PASSWORD).await;
    let page = kt.get("/accounting/policies").await;
    let end = page
        .body
        .split("action=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .find(|a| a.ends_with("/end"))
        .expect("a policy to end")
        .to_string();
    let from = format!("{}/accounting/policies", kt.base());
    kt.headers.push(("referer".into(), from));
    let r = kt.post(&end, &[("to", "31/12/2026"), ("reason", "")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let back: Vec<String> = {
        let doc = scraper::Html::parse_document(&r.body);
        let sel = scraper::Selector::parse("a[data-back]").expect("selector");
        doc.select(&sel)
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect()
    };
    assert_eq!(back, ["/accounting/policies"], "{}", r.body);
    // Not knowing the page (no `Referer`): home only.
    kt.headers.clear();
    let r = kt.post(&end, &[("to", "31/12/2026"), ("reason", "")]).await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("data-back"), "{}", r.body);
}
