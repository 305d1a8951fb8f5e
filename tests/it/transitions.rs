//! One function changes a meal, every change is recorded, and cancellation causes decide
//! what comes back.

use crate::support::{d, key, local, staff_on_their_week, week_of, Client, TestApp, REGULAR, VEG};
use canteen::auth::roles::Role;
use canteen::error::AppError;
use chrono::NaiveDate;

async fn kitchen(app: &TestApp) -> Client {
    let id = app.user("bep", &[Role::Kitchen]);
    let mut c = app.session_for(id).await;
    c.get("/kitchen/counter").await;
    c
}

fn status_of(app: &TestApp, person: i32, day: NaiveDate) -> String {
    app.orders_of(person)
        .into_iter()
        .find(|o| o.0 == day)
        .map(|o| o.2)
        .unwrap_or_default()
}

/// The sequence of (from, to, cause) recorded for a person's meal on a day.
fn events(app: &TestApp, person: i32, day: NaiveDate) -> Vec<String> {
    use canteen::db::schema::order_events::dsl::*;
    use diesel::prelude::*;
    let mut c = app.state.db.read_conn().expect("conn");
    let rows: Vec<(Option<String>, String, Option<String>, String)> = order_events
        .filter(person_id.eq(person))
        .filter(service_date.eq(day))
        .filter(kind.eq("meal"))
        .order(id.asc())
        .select((from_status, to_status, cause, source))
        .load(&mut *c)
        .expect("events");
    rows.into_iter()
        .map(|(f, t, c, s)| {
            format!(
                "{}>{}{} by {s}",
                f.unwrap_or_else(|| "-".into()),
                t,
                c.map(|c| format!(" ({c})")).unwrap_or_default()
            )
        })
        .collect()
}

#[actix_web::test]
async fn staff_cannot_cancel_or_change_a_meal_once_it_is_served() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let tue = days[1];
    app.clock().set(local(tue, 7, 30, 0));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    // Served early (before the cut-off), e.g. a breakfast shift.
    let mut bep = kitchen(&app).await;
    let r = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(r.location().contains("r=served"), "{}", r.location());
    lan.get("/week").await;
    for wish in ["none".to_string(), ids[1][1].to_string()] {
        let r = lan.post("/week", &[(&key(tue), &wish)]).await;
        assert_eq!(r.status, 422, "{wish}: {}", r.body);
        assert!(r.body.contains("đã được phục vụ"), "{}", r.body);
    }
    assert_eq!(status_of(&app, pid, tue), "served");
    // The kitchen on their behalf cannot either.
    let r = bep.get(&format!("/kitchen/on-behalf/{pid}")).await;
    assert_eq!(r.status, 200);
    let r = bep
        .post(&format!("/kitchen/on-behalf/{pid}"), &[(&key(tue), "none")])
        .await;
    assert!(r.status >= 400, "{}", r.status);
    assert_eq!(status_of(&app, pid, tue), "served");
}

#[actix_web::test]
async fn a_cut_off_after_service_begins_is_refused() {
    let app = TestApp::spawn().await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/settings").await;
    let r = bep
        .post(
            "/kitchen/settings",
            &[("cutoff", "13:00"), ("horizon", "14"), ("walk_in", "yes")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("10:30"), "{}", r.body);
    let r = bep
        .post(
            "/kitchen/settings",
            &[("cutoff", "10:00"), ("horizon", "14"), ("walk_in", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
}

#[actix_web::test]
async fn every_change_of_a_meal_is_in_its_history_and_the_history_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let tue = days[1];
    app.clock().set(local(tue, 7, 0, 0));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    lan.post("/week", &[(&key(tue), &ids[1][1].to_string())])
        .await;
    lan.post("/week", &[(&key(tue), "none")]).await;
    lan.post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    let mut bep = kitchen(&app).await;
    bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    let order = app.orders_of(pid)[0].clone();
    let oid = {
        use canteen::db::schema::orders::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        orders
            .filter(person_id.eq(pid))
            .select(id)
            .first::<i32>(&mut *c)
            .expect("id")
    };
    bep.get("/kitchen/counter").await;
    let r = bep
        .post("/kitchen/counter/undo", &[("order", &oid.to_string())])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(order.2, "served");
    assert_eq!(
        events(&app, pid, tue),
        vec![
            "->ordered by staff",
            "ordered>ordered by staff",
            "ordered>cancelled (self) by staff",
            "cancelled>ordered by staff",
            "ordered>served by counter",
            "served>ordered by counter",
        ]
    );
    // The person sees it; the kitchen sees it for anyone; another staff member cannot.
    let page = lan.get(&format!("/history?date={tue}")).await;
    assert_eq!(page.status, 200);
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 6, "{}", page.body);
    assert!(page.body.contains("Cán bộ tự cắt suất"));
    assert!(
        rows[1].contains("Suất thường → Suất chay"),
        "a change of option shows before → after: {}",
        rows[1]
    );
    let page = bep.get(&format!("/kitchen/history/{pid}?date={tue}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("tbody tr").len(), 6);
    let (mut binh, _) = app.staff("binh").await;
    let page = binh.get(&format!("/history?date={tue}")).await;
    assert_eq!(page.texts("tbody tr").len(), 0, "only their own meals");
    assert_eq!(
        binh.get(&format!("/kitchen/history/{pid}")).await.status,
        403
    );

    // Append-only, on both databases (and TRUNCATE on PostgreSQL).
    let mut c = app.state.db.read_conn().expect("conn");
    use diesel::connection::SimpleConnection;
    assert!(c
        .batch_execute("UPDATE order_events SET to_status = 'cancelled'")
        .is_err());
    assert!(c.batch_execute("DELETE FROM order_events").is_err());
    if crate::support::pg_base().is_some() {
        assert!(c.batch_execute("TRUNCATE order_events").is_err());
        assert!(c.batch_execute("TRUNCATE audit_log").is_err());
    }
    assert_eq!(events(&app, pid, tue).len(), 6);
}

#[actix_web::test]
async fn a_walk_in_never_takes_the_place_of_an_order_and_undoing_it_voids_it() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let tue = days[1];
    app.clock().set(local(tue, 7, 0, 0));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    lan.post("/week", &[(&key(tue), "none")]).await;
    app.clock().set(local(tue, 11, 30, 0));
    let mut bep = kitchen(&app).await;
    let r = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(r.location().contains("r=none"));
    bep.get(&r.location()).await;
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[
                ("person", &pid.to_string()),
                ("option", &ids[1][0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        status_of(&app, pid, tue),
        "cancelled",
        "her own row is untouched"
    );
    // A second scan says already served; no second walk-in is offered.
    let r = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(r.location().contains("r=already"), "{}", r.location());
    let page = bep.get(&r.location()).await;
    assert!(!page.has("button[name=option]"));
    // Undo voids the walk-in; close service then makes no no-show of her.
    let undo = crate::support::counter_undo_fields(&mut bep, pid).await;
    assert!(
        undo.iter().any(|(k, _)| k == "walk_in"),
        "the button names the walk-in: {undo:?}"
    );
    let r = bep
        .post("/kitchen/counter/undo", &crate::support::refs(&undo))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("walk_ins WHERE status = 'void'"), 1);
    assert_eq!(app.count("walk_ins WHERE status = 'served'"), 0);
    bep.get("/kitchen/counter").await;
    bep.post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(status_of(&app, pid, tue), "cancelled");
    assert_eq!(app.count("orders WHERE status = 'no_show'"), 0);
    assert_eq!(
        app.count("order_events WHERE kind = 'walk_in'"),
        2,
        "served, then void: both recorded"
    );
}

#[actix_web::test]
async fn reopening_a_closed_day_brings_back_exactly_the_meals_the_closure_cancelled() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let wed = days[2];
    let opt = ids[2][0].to_string();
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    lan.get("/week").await;
    lan.post(
        "/week",
        &[(&key(wed), opt.as_str()), ("guests_2026-12-02", "2")],
    )
    .await;
    binh.get("/week").await;
    binh.post("/week", &[(&key(wed), opt.as_str())]).await;
    binh.post("/week", &[(&key(wed), "none")]).await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    let close = [
        ("from", "02/12/2026"),
        ("to", "02/12/2026"),
        ("reason", "Mất điện"),
        ("confirm", "yes"),
    ];
    assert_eq!(
        bep.post("/kitchen/calendar/close", &close).await.status,
        303
    );
    assert_eq!(status_of(&app, lan_p, wed), "cancelled");
    assert_eq!(app.count("guest_meals WHERE status = 'ordered'"), 0);
    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[("day", "02/12/2026"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        status_of(&app, lan_p, wed),
        "ordered",
        "the closure's meal is back"
    );
    assert_eq!(
        app.count("guest_meals WHERE status = 'ordered' AND guests = 2"),
        1
    );
    assert_eq!(
        status_of(&app, binh_p, wed),
        "cancelled",
        "a meal the person cancelled themself never comes back"
    );
    assert_eq!(
        events(&app, lan_p, wed),
        vec![
            "->ordered by staff",
            "ordered>cancelled (day_closed) by calendar",
            "cancelled>ordered (day_closed) by calendar",
        ]
    );
}

#[actix_web::test]
async fn withdrawing_an_absence_brings_back_only_the_meals_it_cancelled() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let mut fields: Vec<(String, String)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| (key(*day), ids[i][0].to_string()))
        .collect();
    fields.truncate(4);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    lan.post("/week", &refs).await;
    assert_eq!(app.meal_days(pid), days[..4].to_vec());
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "01/12/2026"),
                ("end", "02/12/2026"),
                ("kind", "business_trip"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![days[0], days[3]]);
    // Wednesday: she orders again and cancels it herself; that one is hers.
    lan.get("/week").await;
    let confirm = format!("confirm_{}", days[2].format("%Y-%m-%d"));
    let r = lan
        .post(
            "/week",
            &[(&key(days[2]), &ids[2][0].to_string()), (&confirm, "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    lan.post("/week", &[(&key(days[2]), "none")]).await;
    let absence: i32 = {
        use canteen::db::schema::absences::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        absences.select(id).first(&mut *c).expect("absence")
    };
    lan.get("/absences").await;
    let r = lan
        .post(
            &format!("/absences/{absence}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[1], days[3]],
        "Tuesday is back, Wednesday stays cancelled"
    );
}

#[actix_web::test]
async fn closing_a_day_while_fifty_staff_submit_leaves_no_meal_ordered_on_it() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let mut clients = staff_on_their_week(&app, 50).await;
    let mut bep = kitchen(&app).await;
    // Three rounds (Wednesday to Friday): each a race between 50 submissions and the closure.
    for (i, day) in days.iter().enumerate().skip(2) {
        for c in clients.iter_mut() {
            c.get("/week").await;
        }
        bep.get("/kitchen/calendar").await;
        let opt = ids[i][0].to_string();
        let (k, g) = (key(*day), format!("guests_{day}"));
        let fields = [(k.as_str(), opt.as_str()), (g.as_str(), "1")];
        let submits =
            futures_util::future::join_all(clients.iter_mut().map(|c| c.post("/week", &fields)));
        let when = day.format("%d/%m/%Y").to_string();
        let form = [
            ("from", when.as_str()),
            ("to", when.as_str()),
            ("reason", "Mất nước"),
            ("confirm", "yes"),
        ];
        let close = bep.post("/kitchen/calendar/close", &form);
        let (answers, closed) = futures_util::future::join(submits, close).await;
        assert_eq!(closed.status, 303, "{}", closed.body);
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert!(
            statuses.iter().all(|s| *s == 303 || *s == 422),
            "{statuses:?}"
        );
        assert_eq!(
            app.count(&format!(
                "orders WHERE service_date = '{day}' AND status = 'ordered'"
            )),
            0,
            "{day}"
        );
        assert_eq!(
            app.count(&format!(
                "guest_meals WHERE service_date = '{day}' AND status = 'ordered'"
            )),
            0,
            "{day}"
        );
    }
}

#[actix_web::test]
async fn publishing_a_week_while_fifty_staff_submit_answers_no_error() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    // Everyone has a standing order, so publishing again materialises meals for all of them
    // while they submit their own.
    let mut clients = staff_on_their_week(&app, 50).await;
    for c in clients.iter_mut() {
        c.get("/standing").await;
        let r = c
            .post(
                "/standing",
                &[
                    ("weekday", "1"),
                    ("weekday", "2"),
                    ("weekday", "3"),
                    ("weekday", "4"),
                    ("weekday", "5"),
                    ("action", "save"),
                ],
            )
            .await;
        assert!(r.status < 400, "{}", r.body);
        c.get("/week").await;
    }
    // A second week, not yet published, to publish during the rush.
    let next: Vec<NaiveDate> = week_of(d(2026, 12, 7));
    let next_ids = app.options(&next, &[REGULAR, VEG]);
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/menu?week=2026-12-07").await;
    let k = key(d(2026, 12, 8));
    let opt = next_ids[1][1].to_string();
    let fields = [(k.as_str(), opt.as_str())];
    let submits =
        futures_util::future::join_all(clients.iter_mut().map(|c| c.post("/week", &fields)));
    let publish = bep.post("/kitchen/menu/publish", &[("week", "2026-12-07")]);
    let (answers, published) = futures_util::future::join(submits, publish).await;
    assert_eq!(published.status, 303, "{}", published.body);
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s < 500), "{statuses:?}");
    // Each person has exactly one row on the 8th: theirs or the standing order's.
    assert_eq!(
        app.count("orders WHERE service_date = '2026-12-08'"),
        50,
        "one row per person, no duplicate and no lost write"
    );
    let _ = ids;
}

/// The kernel guard is wired into every dated write path: with the month closed (the
/// accounting feature will close months; here a DBA does), each path is refused and nothing
/// changes.
#[actix_web::test]
async fn every_write_path_refuses_a_day_in_a_closed_month_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let today = d(2026, 11, 27);
    let mon = d(2026, 11, 30);
    let ids = app.options(&[today, mon, d(2026, 11, 23), d(2026, 11, 17)], &[REGULAR]);
    app.publish(d(2026, 11, 23));
    app.publish(mon);
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, _) = app.staff("binh").await;
    let walker = app.person("KHACH1", "Khách vãng lai");
    lan.get("/week").await;
    let r = lan
        .post(
            "/week",
            &[
                (&key(today), &ids[0][0].to_string()),
                (&key(mon), &ids[1][0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut bep = kitchen(&app).await;
    app.clock().set(local(today, 8, 20, 0));
    let scanned = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(
        scanned.location().contains("r=served"),
        "{} {}",
        scanned.status,
        scanned.location()
    );
    let served_order = {
        use canteen::db::schema::orders::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        orders
            .filter(person_id.eq(lan_p))
            .filter(service_date.eq(today))
            .select(id)
            .first::<i32>(&mut *c)
            .expect("order")
    };
    app.clock().set(local(today, 8, 25, 0));

    let rice = app.dish("Cơm trắng", true, "").to_string();
    app.sql("INSERT INTO periods (month, state, changed_at) VALUES ('2026-11', 'closed', '2026-11-27 01:00:00')");
    let snapshot = |app: &TestApp| {
        (
            app.orders_of(lan_p),
            app.count("orders"),
            app.count("guest_meals"),
            app.count("walk_ins"),
            app.count("meal_options"),
            app.count("service_days WHERE is_open = false"),
            app.count("absences"),
            app.count("order_events"),
        )
    };
    let before = snapshot(&app);

    let closed = "Tháng này đã khóa sổ";
    let mut refusals: Vec<(String, u16, bool)> = Vec::new();
    let mut check = |what: &str, r: crate::support::Resp| {
        refusals.push((what.to_string(), r.status, r.body.contains(closed)));
    };
    binh.get("/week").await;
    check(
        "staff order",
        binh.post("/week", &[(&key(mon), &ids[1][0].to_string())])
            .await,
    );
    lan.get("/week").await;
    check(
        "staff cancel",
        lan.post("/week", &[(&key(mon), "none")]).await,
    );
    bep.get(&format!("/kitchen/on-behalf/{lan_p}")).await;
    check(
        "on behalf",
        bep.post(
            &format!("/kitchen/on-behalf/{lan_p}"),
            &[(&key(mon), "none")],
        )
        .await,
    );
    bep.get("/kitchen/counter").await;
    check(
        "walk-in",
        bep.post(
            "/kitchen/counter/walk-in",
            &[
                ("person", &walker.to_string()),
                ("option", &ids[0][0].to_string()),
            ],
        )
        .await,
    );
    check(
        "undo",
        bep.post(
            "/kitchen/counter/undo",
            &[("order", &served_order.to_string())],
        )
        .await,
    );
    check(
        "close service",
        bep.post("/kitchen/counter/close", &[("confirm", "yes")])
            .await,
    );
    bep.get("/kitchen/calendar").await;
    check(
        "close a day",
        bep.post(
            "/kitchen/calendar/close",
            &[
                ("from", "30/11/2026"),
                ("to", "30/11/2026"),
                ("reason", "Nghỉ"),
                ("confirm", "yes"),
            ],
        )
        .await,
    );
    check(
        "open a day",
        bep.post(
            "/kitchen/calendar/open",
            &[("day", "28/11/2026"), ("reason", "Làm bù")],
        )
        .await,
    );
    bep.get("/kitchen/menu?week=2026-11-30").await;
    check(
        "add an option",
        bep.post(
            "/kitchen/menu/options",
            &[
                ("date", "2026-11-30"),
                ("name", "Suất mới"),
                ("price", "40.000"),
                ("dish", &rice),
            ],
        )
        .await,
    );
    check(
        "change a price",
        bep.post(
            &format!("/kitchen/menu/options/{}", ids[1][0]),
            &[
                ("name", "Suất mới"),
                ("price", "50.000"),
                ("capacity", ""),
                ("dish", &rice),
            ],
        )
        .await,
    );
    check(
        "delete an option",
        bep.post(
            &format!("/kitchen/menu/options/{}/delete", ids[2][0]),
            &[("confirm", "yes")],
        )
        .await,
    );
    check(
        "copy a week",
        bep.post("/kitchen/menu/copy", &[("week", "2026-11-16")])
            .await,
    );
    check(
        "publish a week",
        bep.post("/kitchen/menu/publish", &[("week", "2026-11-30")])
            .await,
    );
    lan.get("/absences").await;
    check(
        "declare an absence",
        lan.post(
            "/absences",
            &[
                ("start", "30/11/2026"),
                ("end", "30/11/2026"),
                ("kind", "leave"),
                ("note", ""),
            ],
        )
        .await,
    );
    let wrong: Vec<_> = refusals
        .iter()
        .filter(|(_, status, says)| !(400..500).contains(status) || !says)
        .collect();
    assert!(
        wrong.is_empty(),
        "not refused with the closed-month message: {wrong:?}"
    );
    assert_eq!(snapshot(&app), before, "nothing changed");
}

async fn declare(c: &mut Client, start: &str, end: &str) {
    c.get("/absences").await;
    let r = c
        .post(
            "/absences",
            &[
                ("start", start),
                ("end", end),
                ("kind", "business_trip"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn withdraw(app: &TestApp, c: &mut Client, start: NaiveDate) {
    let id: i32 = {
        use canteen::db::schema::absences::dsl::*;
        use diesel::prelude::*;
        let mut conn = app.state.db.read_conn().expect("c");
        absences
            .filter(start_date.eq(start))
            .select(id)
            .first(&mut *conn)
            .expect("absence")
    };
    c.get("/absences").await;
    let r = c
        .post(&format!("/absences/{id}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[actix_web::test]
async fn overlapping_absences_give_each_meal_back_only_when_no_absence_covers_its_day() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let fields: Vec<(String, String)> = (0..3)
        .map(|i| (key(days[i]), ids[i][0].to_string()))
        .chain(std::iter::once((
            format!("guests_{}", days[1]),
            "2".to_string(),
        )))
        .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    lan.post("/week", &refs).await;
    declare(&mut lan, "30/11/2026", "01/12/2026").await;
    // Overlapping absences are refused now; one recorded before that rule still counts.
    app.sql(&format!(
        "INSERT INTO absences (person_id, start_date, end_date, kind, note, created_at) \
         VALUES ({pid}, '2026-12-01', '2026-12-02', 'business_trip', '', '2026-11-27 01:00:00')"
    ));
    assert_eq!(app.meal_days(pid), vec![days[2]]);
    assert_eq!(
        app.count("guest_meals WHERE status = 'ordered'"),
        0,
        "the absence cancels the guests of its days too"
    );
    withdraw(&app, &mut lan, days[0]).await;
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[2]],
        "01/12 is still covered by the second trip"
    );
    assert_eq!(app.count("guest_meals WHERE status = 'ordered'"), 0);
    withdraw(&app, &mut lan, days[1]).await;
    assert_eq!(app.meal_days(pid), days[..3].to_vec(), "every meal is back");
    assert_eq!(
        app.count("guest_meals WHERE status = 'ordered' AND guests = 2"),
        1
    );
}

#[actix_web::test]
async fn reopening_a_day_leaves_without_a_meal_whoever_declared_an_absence_for_it_since() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let fri = days[4];
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(fri), &ids[4][0].to_string())])
        .await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    let close = [
        ("from", "04/12/2026"),
        ("to", "04/12/2026"),
        ("reason", "Mất điện"),
        ("confirm", "yes"),
    ];
    bep.post("/kitchen/calendar/close", &close).await;
    declare(&mut lan, "04/12/2026", "04/12/2026").await;
    bep.get("/kitchen/calendar").await;
    bep.post(
        "/kitchen/calendar/open",
        &[("day", "04/12/2026"), ("reason", "")],
    )
    .await;
    assert!(app.meal_days(pid).is_empty(), "she is away that day");
    // When she withdraws the absence, the meal comes back.
    withdraw(&app, &mut lan, fri).await;
    assert_eq!(app.meal_days(pid), vec![fri]);
}

#[actix_web::test]
async fn the_counter_never_shows_served_for_someone_who_was_not() {
    let app = TestApp::spawn().await;
    let walker = app.person("NV777", "Người chưa ăn");
    let mut bep = kitchen(&app).await;
    let page = bep
        .get(&format!("/kitchen/counter?r=served&p={walker}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("✓"), "a hand-made link shows no tick");
    assert!(page.body.contains("Không báo cơm hôm nay"));
}

#[actix_web::test]
async fn a_day_past_its_cut_off_cannot_be_closed_or_opened_and_waste_is_not_logged_ahead() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 23));
    app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 23));
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    // 27/11 08:00: yesterday and today before the cut-off.
    for (from, ok) in [("26/11/2026", false), ("27/11/2026", true)] {
        let r = bep
            .post(
                "/kitchen/calendar/close",
                &[
                    ("from", from),
                    ("to", from),
                    ("reason", "Thử"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status == 303, ok, "close {from}: {}", r.status);
        if !ok {
            assert!(r.body.contains("đã qua giờ chốt"), "{}", r.body);
        }
    }
    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[("day", "22/11/2026"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.has("#f-day[value=\"22/11/2026\"][aria-invalid=true]"),
        "input kept, marked"
    );
    assert_eq!(
        app.count("service_days WHERE is_open = false"),
        1,
        "only today's closure"
    );
    bep.get("/kitchen/report").await;
    let r = bep
        .post(
            "/kitchen/waste",
            &[
                ("day", "30/11/2026"),
                ("prepared", "10"),
                ("leftover", "1"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.has("#f-day[value=\"30/11/2026\"][aria-invalid=true]"),
        "input kept, marked"
    );
    assert!(r.has("#f-prepared[value=\"10\"]"));
    assert_eq!(app.count("waste_log"), 0);
}

#[actix_web::test]
async fn a_one_day_absence_is_fine_and_a_reversed_one_says_what_is_wrong() {
    let app = TestApp::spawn().await;
    let (mut lan, _) = app.staff("lan").await;
    declare(&mut lan, "02/12/2026", "02/12/2026").await;
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "03/12/2026"),
                ("end", "02/12/2026"),
                ("kind", "leave"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("không được trước ngày bắt đầu"),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn a_refused_closure_comes_back_with_the_input_and_a_message_beside_each_field() {
    let app = TestApp::spawn().await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    let r = bep
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "31/12/9999"),
                ("to", "02/12/2026"),
                ("reason", "Tết Dương lịch"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    let beside = r.texts(".field .error").join(" | ");
    assert!(beside.contains("2000–2100"), "{beside}");
    assert!(
        r.body.contains("value=\"Tết Dương lịch\""),
        "the reason is kept"
    );
    assert_eq!(app.count("service_days"), 0);
}

#[actix_web::test]
async fn an_option_cannot_be_added_to_a_day_that_is_over() {
    let app = TestApp::spawn().await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/menu?week=2026-11-23").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &[
                ("date", "2026-11-26"),
                ("name", "Suất muộn"),
                ("price", "35.000"),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Ngày này đã qua"));
    assert_eq!(app.count("meal_options"), 0);
    // Actions that can never work are not offered: on a day that is over, neither adding nor
    // deleting; today and later, both.
    app.options(&week_of(d(2026, 11, 23)), &[REGULAR]);
    let page = bep.get("/kitchen/menu?week=2026-11-23").await;
    let deletes = page.body.matches("/delete\"").count();
    assert_eq!(deletes, 1, "only Friday 27/11 (today) offers delete");
    assert_eq!(
        page.body
            .matches("action=\"/kitchen/menu/options\"")
            .count(),
        1
    );
    // A day without a menu has nothing to close at the counter.
    app.clock().set(local(d(2026, 11, 29), 11, 0, 0));
    let mut sunday = app.session_for(app.user("bep_cn", &[Role::Kitchen])).await;
    let counter = sunday.get("/kitchen/counter").await;
    assert_eq!(counter.status, 200);
    assert!(!counter.body.contains("/kitchen/counter/close"));
    assert!(counter.body.contains("không có thực đơn"));
}

#[actix_web::test]
async fn the_kitchen_takes_a_late_phone_order_after_the_cut_off_marked_late_and_staff_are_told_whom_to_call(
) {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 23));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 23));
    app.clock().set(local(d(2026, 11, 27), 10, 15, 0));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let r = lan
        .post("/week", &[(&key(days[4]), &ids[4][0].to_string())])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("gọi tổ bếp"),
        "past the cut-off, staff are told what to do"
    );
    let driver = app.person("LX01", "Trần Văn Lái");
    let mut bep = kitchen(&app).await;
    bep.get(&format!("/kitchen/on-behalf/{pid}")).await;
    let r = bep
        .post(
            &format!("/kitchen/on-behalf/{pid}"),
            &[(&key(days[4]), &ids[4][0].to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![days[4]]);
    let history = bep.get(&format!("/kitchen/history/{pid}")).await;
    assert!(
        history.body.contains("bếp đặt giúp sau giờ chốt"),
        "{}",
        history.body
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'orders.on_behalf' AND after_json LIKE '%after_cutoff%2026-11-27%'"),
        1
    );
    // A past day stays closed to the kitchen too.
    let r = bep
        .post(
            &format!("/kitchen/on-behalf/{pid}"),
            &[(&key(days[3]), &ids[3][0].to_string())],
        )
        .await;
    assert_eq!(r.status, 422);
    // People without an account (who cannot order themselves) are listed first.
    let _ = driver;
    let list = bep.get("/kitchen/on-behalf?q=an").await;
    let items = list.texts("main ul li");
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].contains("Trần Văn Lái"), "{items:?}");
    assert!(
        items[1].contains("Cán bộ lan") && items[1].contains("có tài khoản"),
        "{items:?}"
    );
}

/// One meal a day: someone served a walk-in (they had cancelled) is not given a meal of that
/// day afterwards — not from a My week page still showing the day open, not by the kitchen
/// on their behalf, not by a cancellation coming back (found by QA for #10: the walk-in and a
/// new booking both counted, two meals for one person).
#[actix_web::test]
async fn someone_served_a_walk_in_is_not_given_a_meal_of_that_day_by_any_path() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let tue = days[1];
    let opt = ids[1][0].to_string();
    app.clock().set(local(tue, 7, 0, 0));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(tue), opt.as_str())]).await;
    lan.post("/week", &[(&key(tue), "none")]).await;
    // Her page, still before the cut-off, shows the day open.
    lan.get("/week").await;
    app.clock().set(local(tue, 7, 30, 0));
    let mut bep = kitchen(&app).await;
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[("person", &pid.to_string()), ("option", opt.as_str())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let history = app.count("order_events");
    let message = "đã ăn tại quầy";

    let r = lan.post("/week", &[(&key(tue), opt.as_str())]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(message), "{}", r.body);
    assert_eq!(status_of(&app, pid, tue), "cancelled");

    bep.get(&format!("/kitchen/on-behalf/{pid}")).await;
    let r = bep
        .post(
            &format!("/kitchen/on-behalf/{pid}"),
            &[(&key(tue), opt.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(message), "{}", r.body);
    assert_eq!(status_of(&app, pid, tue), "cancelled");

    // A meal cancelled by an absence comes back when the absence goes — but not this one.
    app.sql(&format!(
        "UPDATE orders SET cancel_cause = 'absence' WHERE person_id = {pid}"
    ));
    let refused = app
        .state
        .db
        .write(move |c| {
            use canteen::canteen::states::{Cause, Change, Source};
            use canteen::canteen::transition::{meal, By, MealChange};
            let o = canteen::canteen::ordering::orders_of(c, pid, tue, tue)?;
            let m = MealChange::new(pid, tue, o.first(), Change::Restore(Cause::Absence));
            let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .and_then(|d| d.and_hms_opt(0, 35, 0))
                .ok_or_else(|| AppError::internal("time"))?;
            meal(c, &m, &By::new(None, Source::Absence), now)
        })
        .await
        .expect("write");
    assert_eq!(
        refused,
        Err(canteen::canteen::states::Refusal::Refused(
            "order.err_walked_in"
        ))
    );
    assert_eq!(status_of(&app, pid, tue), "cancelled");
    assert_eq!(app.count("order_events"), history, "nothing recorded");
    assert_eq!(app.count("walk_ins WHERE status = 'served'"), 1);
}
