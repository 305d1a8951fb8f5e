use crate::support::{d, key, local, staff_on_their_week, week_of, Client, TestApp, REGULAR, VEG};
use canteen::auth::roles::Role;
use chrono::NaiveDate;
use futures_util::future::join_all;

/// Every client posts the same form to /week at the same moment.
async fn post_all(clients: &mut [Client], fields: &[(&str, &str)]) -> Vec<crate::support::Resp> {
    join_all(clients.iter_mut().map(|c| c.post("/week", fields))).await
}

async fn kitchen(app: &TestApp) -> Client {
    let id = app.user("bep", &[Role::Kitchen]);
    app.session_for(id).await
}

#[actix_web::test]
async fn orders_are_open_until_08_59_59_and_closed_from_09_00_00() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let tue = d(2026, 12, 1);
    app.clock().set(local(tue, 8, 59, 59));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let r = lan
        .post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![tue]);

    app.clock().set(local(tue, 9, 0, 0));
    let page = lan.get("/week").await;
    assert!(
        page.body.contains("Đã qua giờ chốt"),
        "the day shows as locked"
    );
    let r = lan.post("/week", &[(&key(tue), "none")]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.texts(&format!("#d-{} .error", tue.format("%Y-%m-%d")))
            .join(" ")
            .contains("Đã qua giờ chốt"),
        "{}",
        r.body
    );
    let r = lan
        .post("/week", &[(&key(tue), &ids[1][1].to_string())])
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        app.orders_of(pid),
        vec![(tue, ids[1][0], "ordered".to_string(), 35_000)],
        "nothing changed"
    );
}

#[actix_web::test]
async fn standing_orders_and_absences_give_exactly_the_expected_meals_across_a_holiday() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    app.options(&days, &[REGULAR, VEG]);
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    let r = bep
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "02/12/2026"),
                ("to", "02/12/2026"),
                ("reason", "Nghỉ lễ"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // lan's standing order exists before the week is published, binh's only after.
    let (mut lan, lan_p) = app.staff("lan").await;
    lan.get("/standing").await;
    let weekdays: Vec<(&str, &str)> = ["1", "2", "3", "4", "5"]
        .iter()
        .map(|d| ("weekday", *d))
        .collect();
    let mut form = weekdays.clone();
    form.push(("action", "save"));
    assert_eq!(lan.post("/standing", &form).await.status, 303);
    assert!(app.meal_days(lan_p).is_empty(), "no published day yet");

    app.publish(d(2026, 11, 30));
    let (mut binh, binh_p) = app.staff("binh").await;
    binh.get("/standing").await;
    assert_eq!(binh.post("/standing", &form).await.status, 303);
    binh.get("/absences").await;
    let r = binh
        .post(
            "/absences",
            &[
                ("start", "04/12/2026"),
                ("end", "04/12/2026"),
                ("kind", "business_trip"),
                ("note", "Đà Nẵng"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let trip = [
        ("start", "04/12/2026"),
        ("end", "04/12/2026"),
        ("kind", "business_trip"),
        ("note", "Đà Nẵng"),
    ];
    assert_eq!(binh.post("/absences", &trip).await.status, 303);
    assert_eq!(
        app.count("absences"),
        1,
        "a double submission keeps one absence"
    );

    assert_eq!(
        app.meal_days(lan_p),
        vec![days[0], days[1], days[3], days[4]]
    );
    assert_eq!(app.meal_days(binh_p), vec![days[0], days[1], days[3]]);

    // lan cancels Tuesday herself; publishing again must not bring it back.
    lan.get("/week").await;
    assert_eq!(
        lan.post("/week", &[(&key(days[1]), "none")]).await.status,
        303
    );
    app.publish(d(2026, 11, 30));
    assert_eq!(app.meal_days(lan_p), vec![days[0], days[3], days[4]]);
    let page = lan.get("/week").await;
    assert!(
        page.body.contains("Nghỉ lễ"),
        "staff are told the day is closed"
    );
}

#[actix_web::test]
async fn closing_a_day_cancels_its_meals() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post(
        "/week",
        &[
            (&key(days[2]), &ids[2][0].to_string()),
            ("guests_2026-12-02", "3"),
        ],
    )
    .await;
    assert_eq!(app.meal_days(pid), vec![days[2]]);
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    let refused = bep
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "02/12/2026"),
                ("to", "02/12/2026"),
                ("reason", "Tết"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "needs confirmation");
    assert_eq!(app.meal_days(pid), vec![days[2]]);
    bep.post(
        "/kitchen/calendar/close",
        &[
            ("from", "02/12/2026"),
            ("to", "02/12/2026"),
            ("reason", "Tết"),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert!(app.meal_days(pid).is_empty());
    assert_eq!(app.count("guest_meals WHERE status = 'ordered'"), 0);
    let head = bep.get("/kitchen/headcount?date=02/12/2026").await;
    assert!(
        head.texts(".notice").iter().any(|n| n == "Nghỉ: Tết"),
        "{:?}",
        head.texts(".notice")
    );
    let csv = bep.get("/kitchen/headcount.csv?date=02/12/2026").await;
    assert!(csv.body.starts_with("\u{feff}Nghỉ: Tết"), "{}", csv.body);
}

#[actix_web::test]
async fn lunar_first_and_fifteenth_give_the_vegetarian_option() {
    let app = TestApp::spawn().await;
    app.clock().set(local(d(2026, 12, 4), 8, 0, 0));
    let days = week_of(d(2026, 12, 7));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 12, 7));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/standing").await;
    let r = lan
        .post(
            "/standing",
            &[
                ("weekday", "1"),
                ("weekday", "2"),
                ("weekday", "3"),
                ("weekday", "4"),
                ("weekday", "5"),
                ("lunar", "yes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let got: Vec<(NaiveDate, i32)> = app.orders_of(pid).into_iter().map(|o| (o.0, o.1)).collect();
    let want: Vec<(NaiveDate, i32)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            (
                *day,
                if *day == d(2026, 12, 9) {
                    ids[i][1]
                } else {
                    ids[i][0]
                },
            )
        })
        .collect();
    assert_eq!(
        got, want,
        "Wednesday 09/12/2026 is the 1st of the 11th lunar month"
    );

    let mut bep = kitchen(&app).await;
    let cal = bep.get("/kitchen/calendar?month=2026-12").await;
    let veg_rows: Vec<String> = cal
        .texts("tbody tr")
        .into_iter()
        .filter(|r| r.contains("rằm/mùng một"))
        .collect();
    assert_eq!(veg_rows.len(), 2, "{veg_rows:?}");
    assert!(
        veg_rows[0].contains("09/12/2026") && veg_rows[1].contains("23/12/2026"),
        "{veg_rows:?}"
    );
}

#[actix_web::test]
async fn two_hundred_staff_submitting_at_once_get_two_hundred_meals_and_no_errors() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let mut clients = staff_on_their_week(&app, 200).await;
    let option = ids[0][0].to_string();
    let results: Vec<u16> = post_all(
        &mut clients,
        &[("meal_2026-11-30", &option), ("meal_2026-12-01", "none")],
    )
    .await
    .iter()
    .map(|r| r.status)
    .collect();
    let errors = results.iter().filter(|s| **s != 303).count();
    assert_eq!(errors, 0, "{results:?}");
    assert_eq!(app.count("orders WHERE status = 'ordered'"), 200);
}

#[actix_web::test]
async fn fifty_concurrent_copies_of_one_form_make_one_meal() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let mut copies: Vec<Client> = (0..50).map(|_| lan.same_session()).collect();
    let option = ids[3][0].to_string();
    let results: Vec<u16> = post_all(
        &mut copies,
        &[("meal_2026-12-03", &option), ("guests_2026-12-03", "2")],
    )
    .await
    .iter()
    .map(|r| r.status)
    .collect();
    assert!(results.iter().all(|s| *s == 303), "{results:?}");
    assert_eq!(app.orders_of(pid).len(), 1);
    assert_eq!(app.count("guest_meals"), 1);
}

#[actix_web::test]
async fn an_option_with_capacity_twenty_gives_exactly_twenty_meals_to_a_hundred_at_once() {
    let app = TestApp::spawn().await;
    let ids = app.options(
        &week_of(d(2026, 11, 30)),
        &[("Suất đặc biệt", 45_000, Some(20), false), REGULAR],
    );
    app.publish(d(2026, 11, 30));
    let mut clients = staff_on_their_week(&app, 100).await;
    let option = ids[0][0].to_string();
    let results: Vec<(u16, bool)> = post_all(&mut clients, &[("meal_2026-11-30", &option)])
        .await
        .iter()
        .map(|r| (r.status, r.body.contains("hết chỗ")))
        .collect();
    assert_eq!(results.iter().filter(|r| r.0 == 303).count(), 20);
    assert_eq!(
        results.iter().filter(|r| r.0 == 422 && r.1).count(),
        80,
        "the others are told it is full"
    );
    assert_eq!(
        app.count(&format!(
            "orders WHERE option_id = {} AND status = 'ordered'",
            ids[0][0]
        )),
        20
    );
}

#[actix_web::test]
async fn the_counter_serves_refuses_a_second_scan_undoes_and_closes_service_with_no_shows() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let tue = d(2026, 12, 1);
    app.clock().set(local(tue, 8, 0, 0));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    let walker = app.person("LX01", "Tài xế Hùng");
    for c in [&mut lan, &mut binh] {
        c.get("/week").await;
        assert_eq!(
            c.post("/week", &[(&key(tue), &ids[1][1].to_string())])
                .await
                .status,
            303
        );
    }
    app.clock().set(local(tue, 11, 30, 0));
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/counter").await;

    let r = bep.post("/kitchen/counter", &[("code", "lan")]).await;
    assert!(r.location().contains("r=served"), "{}", r.location());
    let page = bep.get(&r.location()).await;
    assert!(page.body.contains("Cán bộ lan") && page.body.contains("Suất chay"));
    assert!(!page.body.contains('₫'), "the counter never shows prices");

    let again = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(again.location().contains("r=already"));
    assert!(bep
        .get(&again.location())
        .await
        .body
        .contains("Đã nhận suất lúc 01/12/2026 11:30"));

    let order_id = app.count("orders WHERE status = 'served'");
    assert_eq!(order_id, 1);
    let lan_order: i32 = {
        use canteen::db::schema::orders::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        orders
            .filter(person_id.eq(lan_p))
            .select(id)
            .first(&mut *c)
            .expect("o")
    };
    let r = bep
        .post(
            "/kitchen/counter/undo",
            &[("order", &lan_order.to_string())],
        )
        .await;
    assert!(r.location().contains("r=undone"));
    assert_eq!(app.orders_of(lan_p)[0].2, "ordered");

    // Serve with the pass token this time, then too late to undo.
    let mut lan = app.session_for(user_id(&app, "lan")).await;
    lan.get("/pass").await;
    let token: String = {
        use canteen::db::schema::meal_passes::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        meal_passes
            .filter(person_id.eq(lan_p))
            .select(token)
            .first(&mut *c)
            .expect("t")
    };
    assert!(bep
        .post("/kitchen/counter", &[("code", &token)])
        .await
        .location()
        .contains("r=served"));
    app.clock().advance(chrono::Duration::minutes(11));
    bep.get("/kitchen/counter").await;
    let r = bep
        .post(
            "/kitchen/counter/undo",
            &[("order", &lan_order.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "too late is said on the counter: {}", r.body);
    let page = bep.get(&r.location()).await;
    assert!(
        page.texts("main .result p")
            .iter()
            .any(|p| p == "Chỉ hoàn tác được trong 10 phút sau khi phục vụ."),
        "{:?}",
        page.texts("main .result p")
    );
    assert_eq!(app.orders_of(lan_p)[0].2, "served", "too late: it stands");

    // Someone who did not order: offered a walk-in at full price.
    let r = bep.post("/kitchen/counter", &[("code", "LX01")]).await;
    assert!(r.location().contains("r=none"));
    let page = bep.get(&r.location()).await;
    assert!(page.body.contains("Không báo cơm hôm nay"));
    assert!(page.has("button[name=option]"));
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[
                ("person", &walker.to_string()),
                ("option", &ids[1][0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        app.orders_of(walker).is_empty(),
        "a walk-in is stored apart from orders"
    );
    assert_eq!(
        app.count(&format!(
            "walk_ins WHERE person_id = {walker} AND status = 'served' AND price_vnd = 35000"
        )),
        1
    );

    bep.get("/kitchen/counter").await;
    assert_eq!(
        bep.post("/kitchen/counter/close", &[("confirm", "yes")])
            .await
            .status,
        303
    );
    assert_eq!(app.orders_of(binh_p)[0].2, "no_show");
    assert_eq!(app.orders_of(lan_p)[0].2, "served");
    let page = bep.get("/kitchen/counter").await;
    assert!(
        page.texts("main .card p")
            .iter()
            .any(|p| p.contains("1 suất không đến lấy")),
        "the close says how many were not collected: {:?}",
        page.texts("main .card p")
    );
    let r = bep.post("/kitchen/counter", &[("code", "khong-co")]).await;
    assert!(r.location().contains("r=unknown"));

    // Binh arrives after the close: a scan does not serve a "not collected" meal by itself.
    let r = bep.post("/kitchen/counter", &[("code", "BINH")]).await;
    assert!(r.location().contains("r=no_show"), "{}", r.location());
    assert_eq!(app.orders_of(binh_p)[0].2, "no_show");
    let page = bep.get(&r.location()).await;
    assert!(page.body.contains("không đến lấy"));
    assert!(page.has("input[name=late][value=yes]"));
    // The cook confirms the late arrival: served, and the history says it was late.
    let r = bep
        .post("/kitchen/counter", &[("code", "BINH"), ("late", "yes")])
        .await;
    assert!(r.location().contains("r=served"), "{}", r.location());
    assert_eq!(app.orders_of(binh_p)[0].2, "served");
    let history = bep.get(&format!("/kitchen/history/{binh_p}")).await;
    assert!(
        history.body.contains("đến muộn sau khi kết thúc phục vụ"),
        "{}",
        history.body
    );

    // The report counts the walk-in apart from the meals ordered ahead; its total row has a
    // cell under every column; the chart has a value axis.
    let rep = bep.get("/kitchen/report").await;
    let head = rep.texts("thead tr th");
    let total = rep.texts("tfoot tr > *");
    assert_eq!(head.len(), total.len(), "{head:?} / {total:?}");
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    assert_eq!(total[col("Khách vãng lai")], "1");
    assert_eq!(total[col("Đã phục vụ")], "2", "Lan and Bình, who ordered");
    assert_eq!(total[col("Báo cơm")], "2", "the walk-in is not an order");
    assert!(rep.texts("svg.chart text.tick").len() >= 2, "{}", rep.body);
}

/// Tuesday 01/12 at 11:30: Lan has today's first option, Hùng (a driver without an account)
/// nothing; a cook at the counter. The options of the week, Lan, Hùng and the cook.
async fn at_the_counter(app: &TestApp) -> (Vec<Vec<i32>>, i32, i32, Client) {
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let tue = d(2026, 12, 1);
    app.clock().set(local(tue, 8, 0, 0));
    let (mut lan, lan_p) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    let walker = app.person("LX01", "Tài xế Hùng");
    app.clock().set(local(tue, 11, 30, 0));
    (ids, lan_p, walker, kitchen(app).await)
}

#[actix_web::test]
async fn two_clicks_on_undo_at_once_undo_the_serve_once_and_an_old_button_never_undoes_a_newer_serve(
) {
    let app = TestApp::spawn().await;
    let (ids, lan_p, walker, mut bep) = at_the_counter(&app).await;
    let mut bep2 = kitchen_again(&app).await;
    bep.get("/kitchen/counter").await;
    bep2.get("/kitchen/counter").await;
    let walk_in = [
        ("person", walker.to_string()),
        ("option", ids[1][0].to_string()),
    ];
    let walk_in: Vec<(&str, &str)> = walk_in.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    bep.post("/kitchen/counter/walk-in", &walk_in).await;
    let undone = |page: &crate::support::Resp| page.texts("main .result p.big").get(1).cloned();
    let undo_events = || {
        (
            app.count("order_events WHERE kind = 'meal' AND from_status = 'served'"),
            app.count("order_events WHERE kind = 'walk_in' AND to_status = 'void'"),
            app.count("audit_log WHERE action IN ('serve.undo', 'serve.walk_in_void')"),
        )
    };

    // Both cooks' cards show the undo buttons; both are clicked at the same moment.
    let mut old_buttons = Vec::new();
    for person in [lan_p, walker] {
        let a = crate::support::counter_undo_fields(&mut bep, person).await;
        let b = crate::support::counter_undo_fields(&mut bep2, person).await;
        let (ra, rb) = futures_util::future::join(
            bep.post("/kitchen/counter/undo", &crate::support::refs(&a)),
            bep2.post("/kitchen/counter/undo", &crate::support::refs(&b)),
        )
        .await;
        for r in [ra, rb] {
            assert_eq!(r.status, 303, "{}", r.body);
            let page = bep.get(&r.location()).await;
            assert_eq!(undone(&page).as_deref(), Some("Đã hoàn tác lần phục vụ."));
        }
        old_buttons.push((person, a));
    }
    assert_eq!(
        undo_events(),
        (1, 1, 2),
        "one undo each, in the history and the audit log"
    );
    assert_eq!(app.orders_of(lan_p)[0].2, "ordered");

    // Served again: the button of the first serve (a tab left open) does not undo this one.
    app.clock().advance(chrono::Duration::seconds(30));
    bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    bep.post("/kitchen/counter/walk-in", &walk_in).await;
    for (person, old) in &old_buttons {
        let r = bep
            .post("/kitchen/counter/undo", &crate::support::refs(old))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = bep.get(&r.location()).await;
        assert!(
            undone(&page).is_some_and(|t| t.starts_with("Đã nhận suất lúc")),
            "{person}: {:?}",
            page.texts("main .result p")
        );
    }
    assert_eq!(app.orders_of(lan_p)[0].2, "served", "the new serve stands");
    assert_eq!(app.count("walk_ins WHERE status = 'served'"), 1);
    assert_eq!(undo_events(), (1, 1, 2));

    // Hand-made: undo of a meal that is not served (no button names a serve), of a walk-in
    // or an order that does not exist.
    let now = crate::support::counter_undo_fields(&mut bep, lan_p).await;
    bep.post("/kitchen/counter/undo", &crate::support::refs(&now))
        .await;
    let order = old_buttons[0]
        .1
        .iter()
        .find(|(k, _)| k == "order")
        .map(|(_, v)| v.clone())
        .expect("the order's button");
    let r = bep
        .post("/kitchen/counter/undo", &[("order", order.as_str())])
        .await;
    let page = bep.get(&r.location()).await;
    assert_eq!(
        undone(&page).as_deref(),
        Some("Không có lần phục vụ nào để hoàn tác.")
    );
    assert!(!page.has("main .result.bad"), "not an error: {}", page.body);
    for f in [("order", "999999"), ("walk_in", "999999")] {
        assert_eq!(bep.post("/kitchen/counter/undo", &[f]).await.status, 404);
    }
    assert_eq!(undo_events(), (2, 1, 3));
}

/// The counter opened for a person by a link (a reload, the card after another cook's undo)
/// shows what that person really has: a meal waiting, not yet collected, is not "no meal"
/// with walk-in buttons, and a meal not collected by the close is the no-show it is.
#[actix_web::test]
async fn the_counter_shows_a_meal_still_waiting_or_not_collected_never_no_meal_when_opened_by_a_link(
) {
    let app = TestApp::spawn().await;
    let (_, lan_p, walker, mut bep) = at_the_counter(&app).await;
    let card = |page: &crate::support::Resp| page.texts("main .result p.big").join(" | ");
    for link in [
        format!("/kitchen/counter?p={lan_p}"),
        format!("/kitchen/counter?r=none&p={lan_p}"),
        format!("/kitchen/counter?r=bogus&p={lan_p}"),
    ] {
        let page = bep.get(&link).await;
        assert!(
            card(&page).contains("Chưa lấy suất: Suất thường"),
            "{link}: {}",
            card(&page)
        );
        assert!(!page.body.contains("Không báo cơm hôm nay."), "{link}");
        assert!(
            !page.has("button[name=option]"),
            "{link}: no walk-in for her"
        );
        assert!(page.has("form[action='/kitchen/counter'] input[name=code][value=LAN]"));
    }
    // Served from the card's button, then undone: the reloaded "served" link shows her meal
    // waiting again.
    let r = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert!(r.location().contains("r=served"), "{}", r.location());
    let undo = crate::support::counter_undo_fields(&mut bep, lan_p).await;
    bep.post("/kitchen/counter/undo", &crate::support::refs(&undo))
        .await;
    let page = bep
        .get(&format!("/kitchen/counter?r=served&p={lan_p}"))
        .await;
    assert!(card(&page).contains("Chưa lấy suất"), "{}", card(&page));
    // Someone without a meal is offered the walk-in.
    let page = bep.get(&format!("/kitchen/counter?p={walker}")).await;
    assert!(
        card(&page).contains("Không báo cơm hôm nay."),
        "{}",
        card(&page)
    );
    assert!(page.has("button[name=option]"));
    // After the close, her meal is not collected: the card says so and offers the late serve.
    bep.get("/kitchen/counter").await;
    let r = bep
        .post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = bep.get(&format!("/kitchen/counter?p={lan_p}")).await;
    assert!(card(&page).contains("không đến lấy"), "{}", card(&page));
    assert!(page.has("input[name=late][value=yes]"));
    assert!(!page.has("button[name=option]"));
}

/// A person who has left or died is found by their code (the cook sees who it is), but the
/// counter serves them nothing: no walk-in is offered, and one sent anyway is refused and
/// changes nothing.
#[actix_web::test]
async fn a_person_who_has_left_or_died_is_not_served_a_walk_in_at_the_counter() {
    let app = TestApp::spawn().await;
    let (ids, _, walker, mut bep) = at_the_counter(&app).await;
    let walk_in = [
        ("person", walker.to_string()),
        ("option", ids[1][0].to_string()),
    ];
    let walk_in: Vec<(&str, &str)> = walk_in.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (status, since) in [("deceased", "'2026-10-22'"), ("left", "NULL")] {
        app.sql(&format!(
            "UPDATE persons SET status = '{status}', status_date = {since} WHERE id = {walker}"
        ));
        let r = bep.post("/kitchen/counter", &[("code", "LX01")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = bep.get(&r.location()).await;
        assert!(
            page.body
                .contains("Người này đã nghỉ việc hoặc đã mất: không phục vụ tại quầy."),
            "{status}: {}",
            page.body
        );
        assert!(!page.has("button[name=option]"), "{status}");
        let before = (app.count("walk_ins"), app.count("audit_log"));
        let r = bep.post("/kitchen/counter/walk-in", &walk_in).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(
            r.location().contains("m=counter.err_gone"),
            "{}",
            r.location()
        );
        let page = bep.get(&r.location()).await;
        assert!(page.body.contains("đã nghỉ việc hoặc đã mất"), "{status}");
        assert_eq!((app.count("walk_ins"), app.count("audit_log")), before);
    }
    // Back at work (a wrong status corrected): served as before.
    app.sql(&format!(
        "UPDATE persons SET status = 'working', status_date = NULL WHERE id = {walker}"
    ));
    let r = bep.post("/kitchen/counter/walk-in", &walk_in).await;
    assert!(r.location().contains("r=served"), "{}", r.location());
}

/// Barcode scanners wrap what they read in control characters (STX/ETX, the GS1 group
/// separator, a line end) and a pasted code can carry a direction mark: the counter reads the
/// code inside them. What is no code at all (only such characters, a page of text) is "unknown
/// code" on the counter, never an error page, and changes nothing.
#[actix_web::test]
async fn a_scanned_code_wrapped_in_a_scanners_control_characters_is_read_and_garbage_is_an_unknown_code(
) {
    let app = TestApp::spawn().await;
    let (_, lan_p, walker, mut bep) = at_the_counter(&app).await;
    bep.get("/kitchen/counter").await;
    let r = bep
        .post("/kitchen/counter", &[("code", "\u{2}LAN\u{1d}\u{3}\r\n")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().contains("r=served"), "{}", r.location());
    assert_eq!(app.orders_of(lan_p)[0].2, "served");
    let r = bep
        .post("/kitchen/counter", &[("code", "\u{200e}lx01\u{202e}")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/kitchen/counter?r=none&p={walker}"),
        "Hùng is found (he has no meal today)"
    );
    // Invisible characters from a paste, and the symbology identifier some scanners send first.
    for code in ["\u{feff}lx\u{200b}01\u{ad}", "]C1LX01", "\u{2}]Q3LX01\u{3}"] {
        let r = bep.post("/kitchen/counter", &[("code", code)]).await;
        assert_eq!(
            r.location(),
            format!("/kitchen/counter?r=none&p={walker}"),
            "{code:?}"
        );
    }

    let events = app.count("order_events");
    let long = "LAN".repeat(4_000);
    for garbage in ["\u{0}\u{1d}\u{7f}", long.as_str(), "\u{1b}[2J"] {
        let r = bep.post("/kitchen/counter", &[("code", garbage)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(r.location().contains("r=unknown"), "{}", r.location());
        let page = bep.get(&r.location()).await;
        assert!(page.body.contains("Không nhận ra mã này."), "{}", page.body);
    }
    assert_eq!(app.count("order_events"), events, "nothing changed");
    // Other fields of the counter's form keep the rule every form has.
    let r = bep
        .post("/kitchen/counter", &[("code", "LAN"), ("late", "yes\u{0}")])
        .await;
    assert_eq!(r.status, 400);
}

#[actix_web::test]
async fn a_refused_walk_in_is_said_on_the_counter_on_the_persons_card_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (ids, lan_p, walker, mut bep) = at_the_counter(&app).await;
    bep.get("/kitchen/counter").await;
    let said = |page: &crate::support::Resp| page.texts("main .result p[role=alert]");
    let before = (
        app.count("walk_ins"),
        app.count("order_events"),
        app.count("audit_log"),
    );
    let (lan_s, walker_s) = (lan_p.to_string(), walker.to_string());
    let (today_opt, tomorrow_opt) = (ids[1][0].to_string(), ids[2][0].to_string());
    for (person, option, reason) in [
        // Lan has her meal: a walk-in for her (a stale page, a second tab) is refused.
        (&lan_s, &today_opt, "Người này đã có suất hôm nay."),
        // Another day's option (a page left open since yesterday).
        (
            &walker_s,
            &tomorrow_opt,
            "Suất ăn đã chọn không có trong thực đơn của ngày này.",
        ),
    ] {
        let r = bep
            .post(
                "/kitchen/counter/walk-in",
                &[("person", person.as_str()), ("option", option.as_str())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = bep.get(&r.location()).await;
        assert_eq!(said(&page), [reason]);
    }
    let page = bep
        .get(&format!(
            "/kitchen/counter?r=refused&m=counter.err_has_meal&p={lan_p}"
        ))
        .await;
    assert!(page.body.contains("Cán bộ lan"), "on her card");
    // A link cannot make the card say what is not so: Hùng has no meal, and the walk-in he
    // can have is offered.
    for link in [
        format!("/kitchen/counter?r=refused&m=counter.err_has_meal&p={walker}"),
        format!("/kitchen/counter?r=refused&m=counter.err_undo_late&p={walker}"),
        format!("/kitchen/counter?r=bogus&p={walker}"),
    ] {
        let page = bep.get(&link).await;
        assert!(said(&page).is_empty(), "{link}: {:?}", said(&page));
        assert!(page.has("button[name=option]"), "{link}");
    }

    // Walk-ins switched off in the settings since the page was opened.
    app.sql("DELETE FROM settings WHERE key = 'canteen.allow_walk_in'");
    app.sql("INSERT INTO settings (key, value) VALUES ('canteen.allow_walk_in', 'false')");
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[
                ("person", walker_s.as_str()),
                ("option", today_opt.as_str()),
            ],
        )
        .await;
    let page = bep.get(&r.location()).await;
    assert_eq!(
        said(&page),
        ["Nhà ăn không nhận suất vãng lai (không báo cơm)."]
    );
    assert!(page.body.contains("Tài xế Hùng"), "on his card");
    assert_eq!(
        (
            app.count("walk_ins"),
            app.count("order_events"),
            app.count("audit_log")
        ),
        before,
        "refusals change nothing"
    );

    // A link cannot make the counter say anything else.
    let page = bep
        .get(&format!(
            "/kitchen/counter?r=refused&m=err.internal&p={lan_p}"
        ))
        .await;
    assert!(said(&page).is_empty(), "{:?}", said(&page));
    assert!(page.body.contains("Cán bộ lan"));
}

#[actix_web::test]
async fn the_counter_keeps_a_running_tally_per_option() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    for (name, choice, guests) in [("an", 0, ""), ("binh", 0, "2"), ("cuong", 1, "")] {
        let (mut c, _) = app.staff(name).await;
        c.get("/week").await;
        let g = format!("guests_{}", days[1].format("%Y-%m-%d"));
        let r = c
            .post(
                "/week",
                &[(&key(days[1]), &ids[1][choice].to_string()), (&g, guests)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    app.clock().set(local(d(2026, 12, 1), 11, 30, 0));
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    bep.get("/kitchen/counter").await;
    bep.post("/kitchen/counter", &[("code", "AN")]).await;
    let cells = bep
        .get("/kitchen/counter")
        .await
        .texts("table.tally tbody td");
    assert_eq!(
        cells,
        [
            "Suất thường",
            "2",
            "1",
            "1",
            "0",
            "2",
            "0", // ordered, served, to collect,
            "Suất chay",
            "1",
            "0",
            "1",
            "0",
            "0",
            "0", // not collected, guests, walk-ins
        ]
    );
}

#[actix_web::test]
async fn the_headcount_equals_the_sum_of_the_orders() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let wed = d(2026, 12, 2);
    let plan: [(&str, &str, &str); 4] = [
        ("an", "0", ""),
        ("binh", "1", ""),
        ("cuong", "0", "2"),
        ("dung", "none", ""),
    ];
    for (name, choice, guests) in plan {
        let (mut c, _) = app.staff(name).await;
        c.get("/week").await;
        let value = if choice == "none" {
            "none".to_string()
        } else {
            ids[2][choice.parse::<usize>().unwrap_or(0)].to_string()
        };
        let r = c
            .post(
                "/week",
                &[(&key(wed), &value), ("guests_2026-12-02", guests)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mut bep = kitchen(&app).await;
    let page = bep.get("/kitchen/headcount?date=02/12/2026").await;
    let meals = app.count("orders WHERE service_date = '2026-12-02' AND status <> 'cancelled'");
    let guests = 2;
    assert_eq!(meals, 3);
    assert_eq!(page.texts("#total"), vec![(meals + guests).to_string()]);
    assert_eq!(page.texts("#vegetarian"), vec!["1".to_string()]);
    assert!(
        page.body.contains("Tạm tính"),
        "before the cut-off the count is provisional"
    );
    app.clock().set(local(wed, 9, 0, 0));
    let mut bep = kitchen_again(&app).await;
    assert!(bep
        .get("/kitchen/headcount?date=02/12/2026")
        .await
        .body
        .contains("Đã chốt"));
    let csv = bep.get("/kitchen/headcount.csv?date=02/12/2026").await;
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines.len(),
        2 + 1 + 1 + 3 + 1,
        "a line per option, a blank line, header, three people, total:\n{}",
        csv.body
    );
    assert!(
        lines[0].starts_with("\u{feff}Suất thường,") && lines[1].starts_with("Suất chay,"),
        "the cooks' summary comes first: {}",
        csv.body
    );
    let summed: i64 = lines[..2]
        .iter()
        .map(|l| {
            l.split(',')
                .nth(1)
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(-1)
        })
        .sum();
    assert_eq!(summed, 3, "its meals add up to the people listed");
    let xlsx = bep.get("/kitchen/headcount.xlsx?date=02/12/2026").await;
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX (zip) file");
    let print = bep.get("/kitchen/headcount/print?date=02/12/2026").await;
    assert_eq!(print.texts("td.tick").len(), 3);
}

async fn kitchen_again(app: &TestApp) -> Client {
    let id = app.user("bep2", &[Role::Kitchen]);
    app.session_for(id).await
}

#[actix_web::test]
async fn a_meal_keeps_the_price_it_was_ordered_at() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[("meal_2026-11-30", &ids[0][0].to_string())])
        .await;
    let rice = app.dish("Cơm trắng", true, "").to_string();
    let mut bep = kitchen(&app).await;
    let edit = format!("/kitchen/menu/options/{}", ids[0][0]);
    bep.get(&edit).await;
    let r = bep
        .post(
            &edit,
            &[
                ("name", "Suất thường"),
                ("price", "40.000"),
                ("capacity", ""),
                ("dish", &rice),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = bep
        .post(
            &edit,
            &[
                ("name", "Suất thường"),
                ("price", "bốn mươi"),
                ("capacity", ""),
                ("dish", &rice),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.texts(".field .error")
            .join(" ")
            .contains("không đúng dạng"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"bốn mươi\""), "the input is kept");
    let (mut binh, binh_p) = app.staff("binh").await;
    binh.get("/week").await;
    binh.post("/week", &[("meal_2026-11-30", &ids[0][0].to_string())])
        .await;
    assert_eq!(app.orders_of(lan_p)[0].3, 35_000);
    assert_eq!(app.orders_of(binh_p)[0].3, 40_000);
    // Each page shows what that person pays for the same option.
    let monday = lan
        .get("/week")
        .await
        .texts("#d-2026-11-30 label")
        .join(" ");
    assert!(monday.contains("35.000"), "{monday}");
    let monday = binh
        .get("/week")
        .await
        .texts("#d-2026-11-30 label")
        .join(" ");
    assert!(monday.contains("40.000"), "{monday}");
}

#[actix_web::test]
async fn bad_week_input_of_every_kind_gets_a_clear_message_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar").await;
    bep.post(
        "/kitchen/calendar/close",
        &[
            ("from", "02/12/2026"),
            ("to", "02/12/2026"),
            ("reason", "Nghỉ lễ"),
            ("confirm", "yes"),
        ],
    )
    .await;
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/week").await;
    let opt = ids[0][0].to_string();
    let other_day_opt = ids[1][0].to_string();
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("meal_2026-12-02", opt.as_str())], 422, "Nghỉ"),
        (
            vec![("meal_2026-12-14", opt.as_str())],
            422,
            "Chưa mở đăng ký",
        ),
        (
            vec![("meal_2026-11-30", other_day_opt.as_str())],
            422,
            "không có trong thực đơn",
        ),
        (
            vec![
                ("meal_2026-11-30", opt.as_str()),
                ("guests_2026-11-30", "21"),
            ],
            422,
            "từ 0 đến 20",
        ),
        (
            vec![("meal_2026-11-30", "999999")],
            422,
            "không có trong thực đơn",
        ),
        (
            vec![("meal_2026-13-01", opt.as_str())],
            400,
            "Ngày không hợp lệ",
        ),
        (
            vec![("meal_30/11/2026", opt.as_str())],
            400,
            "Ngày không hợp lệ",
        ),
        (
            vec![("meal_2026-11-30", opt.as_str()), ("price_2026-11-30", "0")],
            400,
            "không hợp lệ",
        ),
        (
            vec![("meal_2026-11-30", opt.as_str()), ("person_id", "1")],
            400,
            "không hợp lệ",
        ),
    ];
    for (fields, status, text) in cases {
        let r = lan.post("/week", &fields).await;
        assert_eq!(r.status, status, "{fields:?}: {}", r.body);
        assert!(r.body.contains(text), "{fields:?} should say «{text}»");
        assert!(
            app.orders_of(pid).is_empty(),
            "{fields:?} changed something"
        );
    }
    lan.headers.push(("accept-language".into(), "en".into()));
    lan.get("/lang/en").await;
    let r = lan
        .post("/week", &[("meal_2026-12-02", opt.as_str())])
        .await;
    assert!(r.body.contains("Closed"), "in the user's language");
}

#[actix_web::test]
async fn staff_can_only_touch_their_own_meals() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[("meal_2026-11-30", &ids[0][0].to_string())])
        .await;
    let lan_order = app.orders_of(lan_p);
    assert_eq!(lan_order.len(), 1);
    // binh tries to rate lan's meal and to use the kitchen's on-behalf route.
    app.clock().set(local(d(2026, 11, 30), 12, 0, 0));
    let (mut binh, _) = app.staff("binh").await;
    binh.get("/meals").await;
    let lan_id = app.count("orders") as i32;
    assert_eq!(
        binh.post(&format!("/meals/{lan_id}/rate"), &[("score", "1")])
            .await
            .status,
        404
    );
    assert_eq!(
        binh.post(
            &format!("/kitchen/on-behalf/{lan_p}"),
            &[("meal_2026-12-01", "none")]
        )
        .await
        .status,
        403
    );
    assert_eq!(app.orders_of(lan_p), lan_order);
}

#[actix_web::test]
async fn the_kitchen_orders_on_behalf_of_a_driver_without_an_account() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let driver = app.person("LX02", "Nguyễn Văn Tài");
    let mut bep = kitchen(&app).await;
    let found = bep.get("/kitchen/on-behalf?q=tai").await;
    assert!(found.body.contains("Nguyễn Văn Tài"));
    // A name or code pasted with characters that show nothing (a zero-width space, a
    // byte-order mark) still finds him.
    for q in ["T%C3%A0%E2%80%8Bi", "%EF%BB%BFlx%E2%80%8B02"] {
        let found = bep.get(&format!("/kitchen/on-behalf?q={q}")).await;
        assert!(found.body.contains("Nguyễn Văn Tài"), "{q}");
    }
    bep.get(&format!("/kitchen/on-behalf/{driver}")).await;
    let r = bep
        .post(
            &format!("/kitchen/on-behalf/{driver}"),
            &[("meal_2026-12-01", &ids[1][0].to_string())],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.meal_days(driver), vec![d(2026, 12, 1)]);
    assert_eq!(app.count("orders WHERE source = 'kitchen'"), 1);
}

#[actix_web::test]
async fn a_served_meal_can_be_rated_within_three_days_and_the_report_shows_it_without_names() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, _) = app.staff("lan").await;
    lan.get("/week").await;
    lan.post("/week", &[("meal_2026-11-30", &ids[0][0].to_string())])
        .await;
    app.clock().set(local(d(2026, 11, 30), 11, 45, 0));
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/counter").await;
    bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    app.clock().set(local(d(2026, 12, 2), 10, 0, 0));
    let mut lan = app.session_for(user_id(&app, "lan")).await;
    let page = lan.get("/meals").await;
    assert!(page.body.contains("30/11/2026"));
    let order = app.count("orders") as i32;
    assert_eq!(
        lan.post(&format!("/meals/{order}/rate"), &[("score", "6")])
            .await
            .status,
        400
    );
    let r = lan
        .post(
            &format!("/meals/{order}/rate"),
            &[("score", "4"), ("comment", "Canh hơi mặn")],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut bep = kitchen_again(&app).await;
    let rep = bep
        .get("/kitchen/report?from=30/11/2026&to=04/12/2026")
        .await;
    assert!(rep.body.contains("Canh hơi mặn") && rep.body.contains("4,0"));
    assert!(!rep.body.contains("Cán bộ lan"), "comments carry no names");
    assert!(rep.body.contains("<svg class=\"chart\""));
    app.clock().set(local(d(2026, 12, 4), 10, 0, 0));
    let mut lan = app.session_for(user_id(&app, "lan")).await;
    lan.get("/meals").await;
    assert_eq!(
        lan.post(&format!("/meals/{order}/rate"), &[("score", "5")])
            .await
            .status,
        400,
        "too late"
    );
}

fn user_id(app: &TestApp, name: &str) -> i32 {
    use canteen::db::schema::users::dsl::*;
    use diesel::prelude::*;
    let mut c = app.state.db.read_conn().expect("c");
    users
        .filter(username.eq(name))
        .select(id)
        .first(&mut *c)
        .expect("user")
}

#[actix_web::test]
async fn a_week_published_beyond_the_horizon_gets_its_standing_meals_once_it_comes_within_it() {
    let app = TestApp::spawn().await;
    let far = d(2026, 12, 21);
    app.options(&week_of(far), &[REGULAR]);
    let (mut lan, pid) = app.staff("lan").await;
    lan.get("/standing").await;
    lan.post(
        "/standing",
        &[("weekday", "1"), ("weekday", "3"), ("action", "save")],
    )
    .await;
    app.publish(far);
    assert!(
        app.meal_days(pid).is_empty(),
        "three weeks ahead is beyond the 14-day horizon"
    );
    app.clock().set(local(d(2026, 12, 8), 8, 0, 0));
    let now = app.clock().now();
    let n = app
        .state
        .db
        .write_tx(move |c| {
            let s = canteen::canteen::store::load_settings(c)?;
            canteen::canteen::standing::materialize_due(c, now, &s)
        })
        .expect("tick");
    assert_eq!(n, 1);
    assert_eq!(
        app.meal_days(pid),
        vec![d(2026, 12, 21)],
        "Monday 21/12 is within 14 days of 08/12; Wednesday 23/12 is not yet"
    );
}

#[actix_web::test]
async fn a_host_whose_guests_eat_without_them_is_listed_as_guests_only_not_as_a_meal() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let (mut an, _) = app.staff("an").await;
    an.get("/week").await;
    let g = format!("guests_{}", days[2].format("%Y-%m-%d"));
    let r = an
        .post("/week", &[(&key(days[2]), "none"), (&g, "2")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (mut binh, _) = app.staff("binh").await;
    binh.get("/week").await;
    binh.post("/week", &[(&key(days[2]), &ids[2][0].to_string())])
        .await;
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    let print = bep.get("/kitchen/headcount/print?date=02/12/2026").await;
    let rows = print.texts("tbody tr");
    let an_row = rows
        .iter()
        .find(|r| r.contains("Cán bộ an"))
        .expect("an listed");
    assert!(
        an_row.contains("chỉ khách"),
        "the host does not eat: {an_row}"
    );
    let csv = bep.get("/kitchen/headcount.csv?date=02/12/2026").await;
    let meal_rows = csv
        .body
        .lines()
        .filter(|l| l.contains(",Suất thường,") || l.ends_with(",Suất thường,"))
        .count();
    assert_eq!(
        meal_rows, 1,
        "one real meal of the first option: {}",
        csv.body
    );
}

/// Someone served a walk-in at the counter sees that meal on their week, not "Không ăn", and
/// so does the kitchen ordering for them; the day offers no meal to choose, which would only be
/// refused. A meal served at the counter is shown the same way. The kitchen can still change
/// the guests of such a day (it is open to the kitchen after the cut-off).
#[actix_web::test]
async fn a_walk_in_shows_on_the_persons_week_as_eaten_at_the_counter() {
    let app = TestApp::spawn().await;
    let (ids, lan_p, _, mut bep) = at_the_counter(&app).await;
    let tue = d(2026, 12, 1);
    let (mut hung, hung_p) = app.staff("hung").await;
    let before = hung.get("/week").await;
    let row = format!("tr#d-{}", tue.format("%Y-%m-%d"));
    // At 11:30 the day is past its cut-off: the kitchen's page says so, not "open until 09:00".
    let state = bep
        .get(&format!("/kitchen/on-behalf/{hung_p}"))
        .await
        .texts(&format!("{row} td"))
        .join(" | ");
    assert!(
        state.contains("Đã qua giờ chốt: bếp vẫn đổi được") && !state.contains("Được đổi đến"),
        "{state}"
    );
    assert!(
        before
            .texts(&format!("{row} td"))
            .iter()
            .any(|t| t.contains("Không ăn")),
        "{:?}",
        before.texts(&format!("{row} td"))
    );
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[
                ("person", &hung_p.to_string()),
                ("option", &ids[1][0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mine = hung.get("/week").await;
    let behalf = bep.get(&format!("/kitchen/on-behalf/{hung_p}")).await;
    for (who, page) in [("staff", &mine), ("kitchen", &behalf)] {
        assert_eq!(page.status, 200, "{who}");
        let cells = page.texts(&format!("{row} td")).join(" | ");
        assert!(
            cells.contains("Đã ăn tại quầy (không báo trước)"),
            "{who}: {cells}"
        );
        assert!(!cells.contains("Không ăn"), "{who}: {cells}");
        assert!(
            !page.has(&format!("{row} input[type=radio]")),
            "{who}: no meal to choose on the day"
        );
        // The option's name is shown with it.
        assert!(page
            .texts(&format!("{row} td strong"))
            .iter()
            .any(|t| t == REGULAR.0));
    }
    assert!(!mine.has(&format!("{row} input")), "past the cut-off");

    // The kitchen adds two guests on that day with its own page: saved, the walk-in stays.
    let action = format!("/kitchen/on-behalf/{hung_p}");
    let mut form = behalf.form(&action);
    crate::support::set_field(
        &mut form,
        &format!("guests_{}", tue.format("%Y-%m-%d")),
        "2",
    );
    let r = bep.post(&action, &crate::support::refs(&form)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "guest_meals WHERE person_id = {hung_p} AND guests = 2 AND status = 'ordered'"
        )),
        1
    );
    assert_eq!(app.count(&format!("orders WHERE person_id = {hung_p}")), 0);
    let again = bep.get(&action).await;
    let cells = again.texts(&format!("{row} td")).join(" | ");
    assert!(cells.contains("Đã ăn tại quầy"), "{cells}");
    // Hùng is told, in words that do not say he ate nothing; so does the audit log.
    let told = hung
        .get("/week")
        .await
        .texts("section.notices li")
        .join(" | ");
    assert!(
        told.contains(
            "Đã ăn tại quầy (không báo trước) → Đã ăn tại quầy (không báo trước) + 2 khách"
        ),
        "{told}"
    );
    assert!(!told.contains("Không ăn"), "{told}");
    let admin = app.user("admin", &[Role::Admin]);
    let mut admin = app.session_for(admin).await;
    let audit = admin.get("/admin/audit").await;
    assert!(
        audit
            .body
            .contains("Đã ăn tại quầy (không báo trước) + 2 khách"),
        "{}",
        audit.body
    );

    // Lan's meal served at the counter: shown as eaten, no choice left on the kitchen's page.
    let r = bep.post("/kitchen/counter", &[("code", "LAN")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.orders_of(lan_p)[0].2, "served");
    let lan = bep.get(&format!("/kitchen/on-behalf/{lan_p}")).await;
    let cells = lan.texts(&format!("{row} td")).join(" | ");
    assert!(cells.contains("đã ăn"), "{cells}");
    assert!(!lan.has(&format!("{row} input[type=radio]")), "{cells}");
    // Its form saves without touching the served meal.
    let action = format!("/kitchen/on-behalf/{lan_p}");
    let form = lan.form(&action);
    let r = bep.post(&action, &crate::support::refs(&form)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.orders_of(lan_p)[0].2, "served");
}

/// On a walk-in day the kitchen's page offers the guests the option the person ate, as a
/// served day offers the meal's; a conflict on that day names the walk-in, not "Không ăn".
#[actix_web::test]
async fn a_walk_in_day_offers_its_option_to_guests_and_names_it_in_a_conflict() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let tue = d(2026, 12, 1);
    let hung = app.person("HUNG", "Nguyễn Văn Hùng");
    app.clock().set(local(tue, 11, 30, 0));
    let mut bep = kitchen(&app).await;
    let r = bep
        .post(
            "/kitchen/counter/walk-in",
            &[
                ("person", &hung.to_string()),
                ("option", &ids[1][1].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let action = format!("/kitchen/on-behalf/{hung}");
    let page = bep.get(&action).await;
    let gopt = format!("gopt_{}", tue.format("%Y-%m-%d"));
    let guests = format!("guests_{}", tue.format("%Y-%m-%d"));
    let form = page.form(&action);
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| *k == gopt)
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        chosen,
        [ids[1][1].to_string().as_str()],
        "the vegetarian option"
    );
    // Two tabs: one adds a guest, the other (opened before) two.
    let mut one = form.clone();
    crate::support::set_field(&mut one, &guests, "1");
    assert_eq!(
        bep.post(&action, &crate::support::refs(&one)).await.status,
        303
    );
    let mut two = form;
    crate::support::set_field(&mut two, &guests, "2");
    let r = bep.post(&action, &crate::support::refs(&two)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let said = r.texts("p.error").join(" ");
    assert!(said.contains("Suất chay — Đã ăn tại quầy"), "{said}");
    assert!(!said.contains("Không ăn"), "{said}");
}

/// Stopping a standing order says it stopped (not "saved"), and what became of the meals it had
/// booked: cancelled on the days that can still be changed; a meal the person chose
/// themselves stays.
#[actix_web::test]
async fn stopping_a_standing_order_says_so_and_what_became_of_its_meals() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    let r = lan
        .post("/week", &[(&key(d(2026, 12, 1)), &ids[1][0].to_string())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    lan.get("/standing").await;
    let r = lan
        .post(
            "/standing",
            &[("weekday", "4"), ("weekday", "5"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(lan
        .get("/week")
        .await
        .body
        .contains("Đã lưu đăng ký ăn thường xuyên"));
    assert_eq!(
        app.meal_days(lan_p),
        vec![d(2026, 12, 1), d(2026, 12, 3), d(2026, 12, 4)]
    );

    lan.get("/standing").await;
    let r = lan.post("/standing", &[("action", "stop")]).await;
    assert_eq!(r.status, 303);
    let week = lan.get("/week").await;
    assert!(
        week.body.contains("Đã thôi đăng ký ăn thường xuyên"),
        "{}",
        week.body
    );
    assert!(!week.body.contains("Đã lưu đăng ký ăn thường xuyên"));
    assert!(lan
        .get("/standing")
        .await
        .body
        .contains("Bạn chưa đăng ký ăn thường xuyên"));
    assert_eq!(
        app.meal_days(lan_p),
        vec![d(2026, 12, 1)],
        "its meals are cancelled, hers stays"
    );
}

/// The counter may open before the cut-off; a day whose meals have begun to be served cannot
/// be closed (the meals eaten would stay, the others be cancelled), and service cannot end
/// before the cut-off (the meals still changeable would be charged as not collected) (QA).
#[actix_web::test]
async fn a_day_served_early_cannot_be_closed_and_service_ends_only_after_the_cut_off() {
    let app = TestApp::spawn().await;
    let ids = app.options(&week_of(d(2026, 11, 30)), &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let wed = d(2026, 12, 2);
    app.clock().set(local(wed, 8, 40, 0));
    let (mut lan, _) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    for c in [&mut lan, &mut binh] {
        c.get("/week").await;
        let r = c
            .post("/week", &[(&key(wed), &ids[2][0].to_string())])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/counter").await;
    assert_eq!(
        bep.post("/kitchen/counter", &[("code", "LAN")])
            .await
            .status,
        303
    );
    assert_eq!(app.count("orders WHERE status = 'served'"), 1);

    let r = bep
        .post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Chưa tới giờ chốt"), "{}", r.body);
    assert_eq!(app.count("orders WHERE status = 'no_show'"), 0);
    // Bình may still cancel.
    binh.get("/week").await;
    assert_eq!(binh.post("/week", &[(&key(wed), "none")]).await.status, 303);
    assert_eq!(app.orders_of(binh_p)[0].2, "cancelled");

    bep.get("/kitchen/calendar").await;
    let r = bep
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "02/12/2026"),
                ("to", "02/12/2026"),
                ("reason", "Mất điện"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert!(r.status >= 400, "{} {}", r.status, r.body);
    assert!(r.body.contains("đã có suất được phục vụ"), "{}", r.body);
    assert_eq!(app.count("orders WHERE status = 'served'"), 1);
    assert_eq!(app.count("service_days WHERE NOT is_open"), 0);

    app.clock().set(local(wed, 9, 0, 0));
    bep.get("/kitchen/counter").await;
    let r = bep
        .post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Ticking "always vegetarian" on a standing order switches the meals it booked on the days
/// still open to the vegetarian option; a day the person chose themselves stays as chosen (QA).
#[actix_web::test]
async fn a_standing_orders_vegetarian_choice_switches_the_meals_it_booked_on_open_days() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    lan.get("/standing").await;
    let mut form: Vec<(&str, &str)> = ["1", "2", "3", "4", "5"]
        .iter()
        .map(|d| ("weekday", *d))
        .collect();
    form.push(("action", "save"));
    assert_eq!(lan.post("/standing", &form).await.status, 303);
    let booked = app.orders_of(lan_p);
    assert_eq!(booked.len(), 5, "{booked:?}");
    assert!(booked
        .iter()
        .all(|o| o.1 == ids[days.iter().position(|d| *d == o.0).unwrap_or(0)][0]));
    // Friday chosen by hand (vegetarian, then back to regular): it stays as chosen.
    for option in [ids[4][1], ids[4][0]] {
        lan.get("/week").await;
        let r = lan
            .post("/week", &[(&key(days[4]), &option.to_string())])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }

    lan.get("/standing").await;
    form.push(("vegetarian", "yes"));
    assert_eq!(lan.post("/standing", &form).await.status, 303);
    for (day, option, status, _) in app.orders_of(lan_p) {
        let i = days.iter().position(|d| *d == day).unwrap_or(0);
        assert_eq!(status, "ordered");
        if i == 4 {
            assert_eq!(option, ids[i][0], "chosen by hand: kept");
        } else {
            assert_eq!(option, ids[i][1], "{day}: switched to vegetarian");
        }
    }
}
