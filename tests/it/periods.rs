//! A closed month refuses every write path that would change it — through the store guard
//! first, and the database's triggers behind it — on both databases.

use crate::support::*;
use canteen::auth::roles::Role;

/// What a write dated in December could change, as counts: if any differs after a refused
/// request, something in the closed month moved.
fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    [
        "orders",
        "orders WHERE status = 'ordered'",
        "orders WHERE status = 'served'",
        "orders WHERE status = 'cancelled'",
        "orders WHERE option_id IN (SELECT id FROM meal_options WHERE vegetarian)",
        "order_events",
        "guest_meals",
        "walk_ins",
        "absences",
        "service_days WHERE is_open",
        "service_days WHERE service_closed_at IS NOT NULL",
        "meal_options",
        "meal_options WHERE price_vnd = 35000",
        "eligibility",
        "subsidy_policies",
    ]
    .iter()
    .map(|q| (q.to_string(), app.count(q)))
    .collect()
}

#[actix_web::test]
async fn closing_a_month_freezes_every_write_path_dated_in_it() {
    let app = TestApp::spawn().await;
    app.clock().set(local(d(2026, 12, 14), 11, 0, 0));
    app.sql(
        "INSERT INTO funds (code, name, kind, active, created_at) VALUES \
           ('TA', 'Kinh phí tự chủ – tiền ăn trưa', 'budget', true, '2026-01-01 00:00:00');",
    );
    let days = week_of(d(2026, 12, 14));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 12, 14));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, _) = app.staff("binh").await;
    for c in [&mut lan, &mut binh] {
        let mut f = c.get("/week").await.form("/week");
        set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
        assert_eq!(c.post("/week", &refs(&f)).await.status, 303);
    }
    // Today's meals (past today's cut-off), as the kitchen would have recorded them.
    app.sql(&format!(
        "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
         SELECT id, '2026-12-14', {}, 35000, 'ordered', 'staff', '2026-12-13 08:00:00', '2026-12-13 08:00:00' FROM persons",
        ids[0][0]
    ));
    let chi = app.person("CHI", "Nguyễn Thị Chi");
    let bep_id = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep_id).await;
    bep.get("/kitchen/counter").await;
    assert_eq!(
        bep.post("/kitchen/counter", &[("code", "LAN")])
            .await
            .status,
        303
    );
    let lan_today: i64 = app.count(&format!(
        "orders WHERE person_id = {lan_p} AND service_date = '2026-12-14' AND status = 'served'"
    ));
    assert_eq!(lan_today, 1);
    let mut kt = app
        .session_for(app.user("ketoan", &[Role::Accountant]))
        .await;

    // Closing refuses a month that is not over, so the closed state is written directly: the
    // month's days are still ahead, where every one of these requests would otherwise pass.
    app.sql(
        "INSERT INTO periods (month, state, changed_at) VALUES ('2026-12', 'closed', '2026-12-14 00:00:00')",
    );

    let week = lan.get("/week").await.form("/week");
    let mut change_week = week.clone();
    set_field(&mut change_week, &key(days[2]), &ids[2][1].to_string());
    let behalf_path = format!("/kitchen/on-behalf/{lan_p}");
    let mut behalf = bep.get(&behalf_path).await.form(&behalf_path);
    set_field(&mut behalf, &key(days[3]), &ids[3][1].to_string());
    let option_path = format!("/kitchen/menu/options/{}", ids[2][0]);
    let mut option = bep.get(&option_path).await.form(&option_path);
    set_field(&mut option, "price", "40.000");
    bep.get("/kitchen/calendar?month=2026-12").await;
    lan.get("/standing").await;
    lan.get("/absences").await;
    kt.get("/accounting/eligibility").await;
    kt.get("/accounting/policies").await;
    let lan_order_id: String = {
        // the id of Lan's meal today, for the counter's undo
        let ids: Vec<i64> = (1..=20)
            .filter(|i| {
                app.count(&format!(
                    "orders WHERE id = {i} AND person_id = {lan_p} AND service_date = '2026-12-14'"
                )) == 1
            })
            .collect();
        ids.first().map(|i| i.to_string()).unwrap_or_default()
    };

    type Who = u8;
    const STAFF: Who = 0;
    const KITCHEN: Who = 1;
    const ACCOUNTANT: Who = 2;
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    type Case<'a> = (&'a str, Who, &'a str, Vec<(String, String)>);
    let cases: Vec<Case> = vec![
        ("ordering (My week)", STAFF, "/week", change_week),
        (
            "standing orders (materialised into the month)",
            STAFF,
            "/standing",
            owned(&[
                ("weekday", "3"),
                ("weekday", "4"),
                ("weekday", "5"),
                ("action", "save"),
            ]),
        ),
        (
            "an absence cancelling meals",
            STAFF,
            "/absences",
            owned(&[
                ("start", "15/12/2026"),
                ("end", "15/12/2026"),
                ("kind", "business_trip"),
                ("note", "Đà Nẵng"),
            ]),
        ),
        ("on-behalf", KITCHEN, &behalf_path, behalf),
        (
            "counter: serving",
            KITCHEN,
            "/kitchen/counter",
            owned(&[("code", "BINH")]),
        ),
        (
            "counter: undo",
            KITCHEN,
            "/kitchen/counter/undo",
            owned(&[("order", &lan_order_id)]),
        ),
        (
            "counter: walk-in",
            KITCHEN,
            "/kitchen/counter/walk-in",
            owned(&[
                ("person", &chi.to_string()),
                ("option", &ids[0][1].to_string()),
            ]),
        ),
        (
            "closing service",
            KITCHEN,
            "/kitchen/counter/close",
            owned(&[("confirm", "yes")]),
        ),
        (
            "calendar: closing a day",
            KITCHEN,
            "/kitchen/calendar/close",
            owned(&[
                ("from", "17/12/2026"),
                ("to", "17/12/2026"),
                ("reason", "Nghỉ"),
                ("confirm", "yes"),
            ]),
        ),
        (
            "calendar: opening a day",
            KITCHEN,
            "/kitchen/calendar/open",
            owned(&[("day", "19/12/2026"), ("reason", "Làm bù")]),
        ),
        ("menu: a price edit", KITCHEN, &option_path, option),
        (
            "an eligibility decision dated in the month",
            ACCOUNTANT,
            "/accounting/eligibility",
            owned(&[
                ("code", "LAN"),
                ("band", "low_income"),
                ("from", "01/12/2026"),
                ("to", ""),
                ("basis", "decision"),
                ("decision_no", "5/QĐ"),
                ("decision_date", "01/12/2026"),
                ("note", ""),
            ]),
        ),
        (
            "a policy dated in the month",
            ACCOUNTANT,
            "/accounting/policies",
            owned(&[
                ("name", "Hỗ trợ mới"),
                ("covers", "everyone"),
                ("kind", "fixed"),
                ("amount", "5.000"),
                ("cap", ""),
                ("fund", "1"),
                ("from", "15/12/2026"),
                ("to", ""),
                ("legal_basis", "Quy chế, Điều 12"),
            ]),
        ),
    ];
    for (what, who, path, fields) in cases {
        let before = snapshot(&app);
        let client = match who {
            STAFF => &mut lan,
            KITCHEN => &mut bep,
            _ => &mut kt,
        };
        let r = client.post(path, &refs(&fields)).await;
        let after = snapshot(&app);
        assert_eq!(
            before, after,
            "{what}: something in the closed month changed"
        );
        let told = r.body.contains("đã khóa sổ")
            || (r.status == 303 && {
                let next = client.get(&r.location()).await;
                next.body.contains("đã khóa sổ")
            });
        assert!(
            told && (r.status >= 400 || r.status == 303),
            "{what}: not refused with the closed-month message: {} {}",
            r.status,
            r.body
        );
    }
}

#[actix_web::test]
async fn the_database_itself_refuses_changes_dated_in_a_closed_month() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    app.sql(
        "INSERT INTO funds (code, name, kind, active, created_at) VALUES ('TA', 'Tiền ăn', 'budget', true, '2026-01-01 00:00:00'); \
         INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, fund_id, valid_from, legal_basis, created_at) \
           VALUES ('Chung', 'everyone', '', 'fixed', 10000, 1, '2026-12-01', 'QC', '2026-01-01 00:00:00'); \
         INSERT INTO eligibility (person_id, band, valid_from, basis, decided_at) VALUES (1, 'low_income', '2026-11-01', 'rule', '2026-11-01 00:00:00'); \
         INSERT INTO periods (month, state, changed_at) VALUES ('2026-12', 'closed', '2026-12-31 00:00:00')",
    );
    let _ = lan_p;
    // Behind the store's guard: a raw change of anything dated in December fails.
    for sql in [
        "UPDATE orders SET status = 'cancelled' WHERE service_date = '2026-12-01'",
        "UPDATE orders SET service_date = '2026-11-27' WHERE service_date = '2026-12-01'",
        "DELETE FROM orders WHERE service_date = '2026-12-01'",
        "UPDATE meal_options SET price_vnd = 1 WHERE service_date = '2026-12-02'",
        "DELETE FROM meal_options WHERE service_date = '2026-12-03'",
        "UPDATE service_days SET is_open = false WHERE service_date = '2026-12-04'",
        "INSERT INTO guest_meals (person_id, service_date, option_id, guests, price_vnd, status, created_at, updated_at) \
           VALUES (1, '2026-12-02', 2, 1, 35000, 'ordered', '2026-12-01 00:00:00', '2026-12-01 00:00:00')",
        "UPDATE subsidy_policies SET amount_value = 1",
        "UPDATE eligibility SET valid_to = '2026-12-15'",
        "INSERT INTO adjustments (month, corrects_month, person_id, amount_vnd, reason, created_at) \
           VALUES ('2026-12', '2026-11', 1, 1000, 'x', '2026-12-01 00:00:00')",
    ] {
        assert!(!app.sql_ok(sql), "the database let this through: {sql}");
    }
    // November is open: the same kind of change there passes.
    assert!(app.sql_ok("UPDATE meal_options SET capacity = 50 WHERE service_date = '2026-11-30'"));
}

/// Books close in order: a month before a closed one is closed too (a voucher dated last
/// year would otherwise change this year's opening balance after the year's months are
/// closed), and a month reopens only when no later month is still closed.
#[actix_web::test]
async fn a_month_before_a_closed_month_is_closed_too_and_months_reopen_from_the_latest() {
    let app = TestApp::spawn().await;
    app.clock().set(local(d(2026, 12, 14), 11, 0, 0));
    app.sql(
        "INSERT INTO funds (code, name, kind, active, created_at) VALUES \
           ('TA', 'Kinh phí tự chủ – tiền ăn trưa', 'budget', true, '2025-01-01 00:00:00');",
    );
    let mut kt = app
        .session_for(app.user("ketoan", &[Role::Accountant]))
        .await;
    for m in ["2026-10", "2026-11"] {
        kt.get(&format!("/accounting/month?m={m}")).await;
        let r = kt
            .post(
                &format!("/accounting/month/close?m={m}"),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "closing {m}: {}", r.body);
    }
    kt.get("/accounting/funds").await;
    let voucher = |date: &'static str| {
        [
            ("fund", "1"),
            ("kind", "payment"),
            ("date", date),
            ("amount", "50.000"),
            ("description", "Mua văn phòng phẩm"),
        ]
    };
    let vouchers = app.count("vouchers");
    for date in ["15/06/2025", "30/09/2026", "15/11/2026"] {
        let mut page = kt
            .get("/accounting/funds")
            .await
            .form("/accounting/vouchers");
        for (k, v) in voucher(date) {
            set_field(&mut page, k, v);
        }
        let r = kt.post("/accounting/vouchers", &refs(&page)).await;
        assert!(
            r.status >= 400 && r.body.contains("đã khóa sổ"),
            "a voucher dated {date}: {} {}",
            r.status,
            r.body
        );
    }
    assert_eq!(app.count("vouchers"), vouchers, "none written");
    kt.get("/accounting/policies").await;
    let r = kt
        .post(
            "/accounting/policies",
            &[
                ("name", "Hỗ trợ bổ sung"),
                ("covers", "everyone"),
                ("kind", "fixed"),
                ("amount", "5.000"),
                ("cap", ""),
                ("fund", "1"),
                ("from", "01/09/2026"),
                ("to", "30/09/2026"),
                ("legal_basis", "Quy chế, Điều 12"),
            ],
        )
        .await;
    assert!(
        r.status >= 400 && r.body.contains("đã khóa sổ"),
        "a policy for September: {} {}",
        r.status,
        r.body
    );
    // December is open.
    let mut page = kt
        .get("/accounting/funds")
        .await
        .form("/accounting/vouchers");
    for (k, v) in voucher("01/12/2026") {
        set_field(&mut page, k, v);
    }
    assert_eq!(
        kt.post("/accounting/vouchers", &refs(&page)).await.status,
        303
    );

    // September was never closed, but November is: its page says its figures no longer
    // change, not that they may.
    let september = kt.get("/accounting/month?m=2026-09").await;
    assert!(
        september.body.contains("một tháng sau nó đã khóa sổ")
            && !september.body.contains("có thể còn thay đổi"),
        "{}",
        september.body
    );

    // October cannot reopen while November is closed (its days would stay closed behind
    // November); November first, then October.
    let mut duyet = app.session_for(app.user("duyet", &[Role::Approver])).await;
    let reopen = |m: &str| format!("/accounting/month/reopen?m={m}");
    let why = [("reason", "Sai đơn giá hợp đồng"), ("confirm", "yes")];
    let page = duyet.get("/accounting/month?m=2026-10").await;
    assert!(
        page.body.contains("Hãy mở lại tháng sau trước")
            && !page.has("form[action=\"/accounting/month/reopen?m=2026-10\"]"),
        "the page says so instead of offering the form: {}",
        page.body
    );
    let r = duyet.post(&reopen("2026-10"), &why).await;
    assert!(
        r.status >= 400 && r.body.contains("Hãy mở lại tháng sau trước"),
        "{} {}",
        r.status,
        r.body
    );
    assert_eq!(app.count("periods WHERE state = 'closed'"), 2);
    assert_eq!(duyet.post(&reopen("2026-11"), &why).await.status, 303);
    assert_eq!(duyet.post(&reopen("2026-10"), &why).await.status, 303);
    assert_eq!(app.count("periods WHERE state = 'closed'"), 0);
}
