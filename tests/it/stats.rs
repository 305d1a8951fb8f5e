//! Statistics: the report catalogue, the dashboard, the leader role, the small-cell rule, and
//! the figures against hand-counted fixtures and the closed month's statements.

use crate::support::{d, Resp, TestApp};
use canteen::auth::roles::Role;

/// The rows of the report table: label and figures as shown, total row last when `total`.
fn table(r: &Resp, total: bool) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(&r.body);
    let part = if total { "tfoot" } else { "tbody" };
    let tr = scraper::Selector::parse(&format!("table.report {part} tr")).expect("selector");
    let cell = scraper::Selector::parse("th, td").expect("selector");
    doc.select(&tr)
        .map(|row| {
            row.select(&cell)
                .map(|c| {
                    c.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

fn total(r: &Resp) -> Vec<String> {
    table(r, true).into_iter().next().unwrap_or_default()
}

fn row<'a>(rows: &'a [Vec<String>], label: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().is_some_and(|l| l.starts_with(label)))
        .map(|r| r.as_slice())
        .unwrap_or_else(|| panic!("no row {label} in {rows:?}"))
}

/// Units A (with sub-unit A1) and B; ten people: P1–P6 in A1, P7–P8 in B, P9–P10 in A.
/// Two days of November 2026 with a regular and a vegetarian option.
pub fn canteen_fixture(app: &TestApp) {
    app.sql(
        "INSERT INTO units (code, name, parent_id, created_at) VALUES \
           ('A', 'Vụ A', NULL, '2026-01-01 00:00:00'), \
           ('A1', 'Phòng A1', 1, '2026-01-01 00:00:00'), \
           ('B', 'Vụ B', NULL, '2026-01-01 00:00:00')",
    );
    for i in 1..=10 {
        let p = app.person(&format!("P{i}"), &format!("Người {i}"));
        let unit = match i {
            1..=6 => 2,
            7 | 8 => 3,
            _ => 1,
        };
        app.sql(&format!(
            "UPDATE persons SET unit_id = {unit} WHERE id = {p}"
        ));
    }
    let days = [d(2026, 11, 2), d(2026, 11, 3)];
    let ids = app.options(
        &days,
        &[
            ("Suất thường", 35_000, None, false),
            ("Suất chay", 30_000, None, true),
        ],
    );
    let order = |p: i32, day: usize, veg: bool, status: &str| {
        format!(
            "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
             VALUES ({p}, '{}', {}, {}, '{status}', 'staff', '2026-11-01 01:00:00', '2026-11-01 01:00:00');",
            days[day],
            ids[day][usize::from(veg)],
            if veg { 30_000 } else { 35_000 }
        )
    };
    let mut sql = String::new();
    for (p, veg, status) in [
        (1, false, "served"),
        (2, false, "served"),
        (3, true, "served"),
        (4, false, "no_show"),
        (5, false, "cancelled"),
        (7, false, "served"),
        (8, true, "served"),
        (9, false, "served"),
    ] {
        sql.push_str(&order(p, 0, veg, status));
    }
    for (p, veg, status) in [
        (1, false, "served"),
        (2, false, "ordered"),
        (7, true, "no_show"),
    ] {
        sql.push_str(&order(p, 1, veg, status));
    }
    sql.push_str(&format!(
        "INSERT INTO walk_ins (person_id, service_date, option_id, price_vnd, status, served_at) VALUES \
           (10, '2026-11-02', {r}, 35000, 'served', '2026-11-02 05:00:00'), \
           (6, '2026-11-02', {v}, 30000, 'void', '2026-11-02 05:00:00'); \
         INSERT INTO guest_meals (person_id, service_date, option_id, guests, price_vnd, status, created_at, updated_at) VALUES \
           (1, '2026-11-02', {r}, 2, 35000, 'ordered', '2026-11-01 01:00:00', '2026-11-01 01:00:00'), \
           (2, '2026-11-02', {r}, 1, 35000, 'cancelled', '2026-11-01 01:00:00', '2026-11-01 01:00:00'); \
         INSERT INTO waste_log (service_date, prepared, leftover, note, updated_at) VALUES \
           ('2026-11-02', 12, 2, '', '2026-11-02 07:00:00'), ('2026-11-03', 4, 1, '', '2026-11-03 07:00:00');",
        r = ids[0][0],
        v = ids[0][1]
    ));
    app.sql(&sql);
}

#[actix_web::test]
async fn the_meals_report_counts_what_was_ordered_served_walked_in_and_missed_as_counted_by_hand() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let r = leader.get("/reports/canteen-meals?period=2026-11").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = table(&r, false);
    // Period, ordered, served, walk-ins, eaten, guests, no-shows, no-show rate, vegetarian share.
    assert_eq!(
        row(&rows, "02/11/2026"),
        [
            "02/11/2026",
            "7",
            "6",
            "1",
            "7",
            "2",
            "1",
            "14,3 %",
            "28,6 %"
        ]
    );
    assert_eq!(
        row(&rows, "03/11/2026"),
        [
            "03/11/2026",
            "3",
            "1",
            "0",
            "1",
            "0",
            "1",
            "50,0 %",
            "0,0 %"
        ]
    );
    assert_eq!(
        total(&r),
        [
            "Tổng cộng",
            "10",
            "7",
            "1",
            "8",
            "2",
            "2",
            "22,2 %",
            "25,0 %"
        ]
    );
    // Unit A takes its sub-unit A1 with it (P1–P6, P9, P10), not B.
    let a = leader
        .get("/reports/canteen-meals?period=2026-11&unit=1")
        .await;
    assert_eq!(
        total(&a),
        [
            "Tổng cộng",
            "7",
            "5",
            "1",
            "6",
            "2",
            "1",
            "16,7 %",
            "16,7 %"
        ]
    );
    // Over the year the same meals fall into November's row, which drills down to its days.
    let y = leader.get("/reports/canteen-meals?period=2026").await;
    let nov = row(&table(&y, false), "11/2026").to_vec();
    assert_eq!(nov[1..5], ["10", "7", "1", "8"]);
    assert!(y
        .body
        .contains("href=\"/reports/canteen-meals?period=2026-11\""));
    assert!(
        y.has("svg.chart[role=img]"),
        "a trend chart over the months"
    );
    // Every figure is defined under the table.
    assert!(r.texts("section.definitions dt").len() >= 9);
}

#[actix_web::test]
async fn participation_and_waste_are_the_hand_counted_shares() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let p = leader
        .get("/reports/canteen-participation?period=2026-11")
        .await;
    let rows = table(&p, false);
    assert_eq!(row(&rows, "A — Vụ A")[1..], ["2", "2", "100,0 %"]);
    assert_eq!(row(&rows, "A1 — Phòng A1")[1..], ["6", "3", "50,0 %"]);
    assert_eq!(row(&rows, "B — Vụ B")[1..], ["2", "2", "100,0 %"]);
    assert_eq!(total(&p)[1..], ["10", "7", "70,0 %"]);
    // Ratings (never names): by option and by week (weeks named by their Monday).
    app.sql(
        "INSERT INTO ratings (order_id, score, comment, created_at) VALUES \
           (1, 5, '', '2026-11-02 06:00:00'), (2, 4, '', '2026-11-02 06:00:00'), (9, 2, '', '2026-11-03 06:00:00')",
    );
    let r = leader
        .get("/reports/canteen-ratings-weeks?period=2026-11")
        .await;
    assert_eq!(table(&r, false), [["02/11/2026", "3", "3,7"]]);
    let r = leader.get("/reports/canteen-ratings?period=2026-11").await;
    assert_eq!(row(&table(&r, false), "Suất thường")[1..], ["3", "3,7"]);
    let w = leader.get("/reports/canteen-waste?period=2026-11").await;
    let rows = table(&w, false);
    assert_eq!(row(&rows, "02/11/2026")[1..], ["1", "12", "2", "16,7 %"]);
    assert_eq!(total(&w)[1..], ["2", "16", "3", "18,8 %"]);
}

/// Thirteen people served on two days of November: six in A, five in C (three of them low
/// income), two in B (both low income). Everyone gets 10.000 ₫ from fund 1; low income
/// 5.000 ₫ more from fund 2.
fn subsidy_fixture(app: &TestApp) {
    app.sql(
        "INSERT INTO units (code, name, parent_id, created_at) VALUES \
           ('A', 'Vụ A', NULL, '2026-01-01 00:00:00'), \
           ('B', 'Vụ B', NULL, '2026-01-01 00:00:00'), \
           ('C', 'Vụ C', NULL, '2026-01-01 00:00:00'); \
         INSERT INTO funds (code, name, kind, active, created_at) VALUES \
           ('TA', 'Tiền ăn', 'budget', true, '2026-01-01 00:00:00'), \
           ('PL', 'Quỹ phúc lợi', 'welfare', true, '2026-01-01 00:00:00'); \
         INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, fund_id, valid_from, legal_basis, created_at) VALUES \
           ('Chung', 'everyone', '', 'fixed', 10000, 1, '2026-01-01', 'QC', '2026-01-01 00:00:00'), \
           ('Thu nhập thấp', 'band', 'low_income', 'fixed', 5000, 2, '2026-01-01', 'QC', '2026-01-01 00:00:00');",
    );
    let days = [d(2026, 11, 2), d(2026, 11, 3)];
    let ids = app.options(&days, &[("Suất thường", 35_000, None, false)]);
    let mut sql = String::new();
    for i in 1..=13 {
        let p = app.person(&format!("P{i}"), &format!("Người {i}"));
        let unit = match i {
            1..=6 => 1,
            7..=11 => 3,
            _ => 2,
        };
        sql.push_str(&format!(
            "UPDATE persons SET unit_id = {unit} WHERE id = {p};"
        ));
        if i >= 9 {
            sql.push_str(&format!(
                "INSERT INTO eligibility (person_id, band, valid_from, basis, decided_at) \
                 VALUES ({p}, 'low_income', '2026-10-01', 'rule', '2026-10-01 00:00:00');"
            ));
        }
        for (k, day) in days.iter().enumerate() {
            sql.push_str(&format!(
                "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
                 VALUES ({p}, '{day}', {}, 35000, 'served', 'staff', '2026-11-01 01:00:00', '2026-11-01 01:00:00');",
                ids[k][0]
            ));
        }
    }
    app.sql(&sql);
}

#[actix_web::test]
async fn subsidy_by_unit_and_band_hide_groups_under_five_from_a_leader_but_not_from_accountants() {
    let app = TestApp::spawn().await;
    subsidy_fixture(&app);
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let r = kt.get("/reports/subsidy-units?period=2026-11").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = table(&r, false);
    // Group, people, meals, subsidy.
    assert_eq!(row(&rows, "A — Vụ A")[1..], ["6", "12", "120.000 ₫"]);
    assert_eq!(row(&rows, "B — Vụ B")[1..], ["2", "4", "60.000 ₫"]);
    assert_eq!(row(&rows, "C — Vụ C")[1..], ["5", "10", "130.000 ₫"]);
    assert_eq!(total(&r)[1..], ["13", "26", "310.000 ₫"]);

    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let r = leader.get("/reports/subsidy-units?period=2026-11").await;
    let rows = table(&r, false);
    assert_eq!(row(&rows, "A — Vụ A")[1..], ["6", "12", "120.000 ₫"]);
    assert_eq!(row(&rows, "B — Vụ B")[1..], ["< 5", "ẩn", "ẩn"]);
    // C's three low-income top-ups are a small part of it: C is hidden too (its five people
    // are not called "< 5").
    assert_eq!(row(&rows, "C — Vụ C")[1..], ["ẩn", "ẩn", "ẩn"]);
    assert_eq!(
        total(&r)[1..],
        ["13", "26", "310.000 ₫"],
        "totals stay exact"
    );
    assert!(r.body.contains("Nhóm dưới 5 người"));
    // Why C is hidden with five people is said under the table (QA round 3).
    assert!(
        r.texts("p.hint")
            .iter()
            .any(|t| t.contains("phần một quỹ nào đó")),
        "{:?}",
        r.texts("p.hint")
    );
    // The downloads follow the same rule.
    let csv = leader
        .get("/reports/subsidy-units/export.csv?period=2026-11")
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.body.clone();
    assert!(text.contains("< 5"), "{text}");
    assert!(
        !text.contains("60000") && !text.contains("130000"),
        "{text}"
    );
    assert!(text.contains("310000"));

    // Five low-income people are not a small group.
    let bands = leader.get("/reports/subsidy-bands?period=2026-11").await;
    let rows = table(&bands, false);
    assert_eq!(row(&rows, "Thu nhập thấp")[1..], ["5", "10", "150.000 ₫"]);
    let bands = kt.get("/reports/subsidy-bands?period=2026-11").await;
    let rows = table(&bands, false);
    assert_eq!(row(&rows, "Thu nhập thấp")[1..], ["5", "10", "150.000 ₫"]);
    assert_eq!(
        row(&rows, "Không thuộc diện")[1..],
        ["8", "16", "160.000 ₫"]
    );
    // Only fund 2 (the low-income top-up).
    let f2 = kt.get("/reports/subsidy-bands?period=2026-11&fund=2").await;
    assert_eq!(total(&f2)[1..], ["5", "10", "50.000 ₫"]);
    // By month: November is open, so provisional.
    let m = kt.get("/reports/subsidy-months?period=2026-11").await;
    let rows = table(&m, false);
    assert_eq!(
        row(&rows, "11/2026")[1..],
        [
            "Tạm tính",
            "26",
            "26",
            "13",
            "910.000 ₫",
            "310.000 ₫",
            "600.000 ₫"
        ]
    );
    let cov = kt.get("/reports/subsidy-coverage?period=2026-11").await;
    assert_eq!(
        row(&table(&cov, false), "Thu nhập thấp")[1..],
        ["5", "5", "100,0 %"]
    );
}

#[actix_web::test]
async fn a_leader_reads_every_report_and_the_dashboard_and_nothing_that_writes_or_names_people() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let home = leader.get("/").await;
    assert_eq!((home.status, home.location().as_str()), (303, "/dashboard"));
    let dash = leader.get("/dashboard").await;
    assert_eq!(dash.status, 200);
    assert_eq!(dash.texts("section.tile").len(), 12);
    assert!(
        dash.texts("section.tile svg.chart").len() == 12
            && dash.texts("section.tile table").len() == 12
    );
    let cat = leader.get("/reports").await;
    for r in canteen::stats::catalogue::REPORTS {
        assert!(
            cat.body.contains(&format!("href=\"/reports/{}\"", r.id)),
            "{}",
            r.id
        );
        for path in [
            format!("/reports/{}", r.id),
            format!("/reports/{}/print?period=2026-11", r.id),
            format!("/reports/{}/export.csv?period=2026", r.id),
            format!("/reports/{}/export.xlsx?period=2026-Q4", r.id),
        ] {
            assert_eq!(leader.get(&path).await.status, 200, "{path}");
        }
    }
    // No write route, no page about a person.
    for (method, path, access) in canteen::app::policy() {
        let concrete = path.replace("{id}", "1").replace("{code}", "en");
        let by_role = matches!(access, canteen::app::Access::Roles(_));
        if method == actix_web::http::Method::POST && by_role {
            assert_eq!(leader.post(&concrete, &[]).await.status, 403, "POST {path}");
        }
    }
    for path in [
        "/people",
        "/people/1",
        "/welfare/people/1",
        "/welfare/retirees",
        "/accounting/eligibility",
        "/accounting/salary",
        "/kitchen/history/1",
        "/accounting/payroll.csv",
        "/welfare/cases",
        "/admin/audit",
    ] {
        assert_eq!(leader.get(path).await.status, 403, "{path}");
    }
}

#[actix_web::test]
async fn each_role_reads_the_reports_of_its_own_area_only() {
    let app = TestApp::spawn().await;
    for (role, canteen_ok, subsidy_ok, welfare_ok) in [
        (Role::Kitchen, true, false, false),
        (Role::KitchenManager, true, false, false),
        (Role::Accountant, true, true, true),
        (Role::Approver, true, true, true),
        (Role::UnionOfficer, false, false, true),
    ] {
        let mut c = app.login_as(&format!("u_{}", role.as_str()), &[role]).await;
        for (id, ok) in [
            ("canteen-meals", canteen_ok),
            ("subsidy-units", subsidy_ok),
            ("welfare-spending", welfare_ok),
        ] {
            let status = c.get(&format!("/reports/{id}")).await.status;
            assert_eq!(status, if ok { 200 } else { 403 }, "{role:?} {id}");
            let status = c.get(&format!("/reports/{id}/export.csv")).await.status;
            assert_eq!(status, if ok { 200 } else { 403 }, "{role:?} {id} csv");
        }
        let cat = c.get("/reports").await;
        assert_eq!(
            cat.body.contains("/reports/subsidy-units"),
            subsidy_ok,
            "{role:?}"
        );
    }
    let mut staff = app.login_as("lan", &[Role::Staff]).await;
    assert_eq!(staff.get("/reports").await.status, 403);
    assert_eq!(staff.get("/dashboard").await.status, 403);
    let mut kitchen = app.login_as("bep", &[Role::Kitchen]).await;
    assert_eq!(kitchen.get("/dashboard").await.status, 403);
    assert_eq!(kitchen.get("/reports/no-such-report").await.status, 404);
}

#[actix_web::test]
async fn a_wrong_filter_is_refused_beside_its_field_and_shows_no_figures() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    for (query, message) in [
        ("period=2026-13", "Kỳ báo cáo không hợp lệ"),
        ("period=1999", "Kỳ báo cáo không hợp lệ"),
        ("from=31/02/2026&to=01/03/2026", "Ngày không hợp lệ"),
        ("from=01/03/2026", "Ngày không hợp lệ"),
        ("from=02/03/2026&to=01/03/2026", "Đến ngày phải sau"),
        ("from=01/01/2000&to=31/12/2026", "tối đa 10 năm"),
        ("period=2026&unit=999", "Lựa chọn không hợp lệ"),
        ("period=2026&unit=abc", "Lựa chọn không hợp lệ"),
    ] {
        for path in [
            "/reports/canteen-meals",
            "/reports/canteen-meals/export.csv",
            "/reports/canteen-meals/print",
        ] {
            let r = leader.get(&format!("{path}?{query}")).await;
            assert_eq!(r.status, 422, "{path}?{query}");
            assert!(r.body.contains(message), "{path}?{query}: {}", r.body);
            assert!(!r.has("table.report"), "no figures for a wrong filter");
        }
    }
    // An unknown parameter is a bad request, not silently ignored.
    assert_eq!(
        leader.get("/reports/canteen-meals?perod=2026").await.status,
        400
    );
    // A filter the report does not take is ignored (links carry them from other reports).
    assert_eq!(
        leader
            .get("/reports/canteen-waste?period=2026&unit=1")
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn the_downloads_carry_the_page_figures_and_explain_each_column() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let csv = leader
        .get("/reports/canteen-meals/export.csv?period=2026-11")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-disposition")
        .contains("bao-cao-canteen-meals-2026-11.csv"));
    assert!(
        csv.bytes.starts_with("\u{feff}".as_bytes()),
        "BOM for Excel"
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Tổng cộng,10,7,1,8,2,2,22.2,25.0")),
        "{lines:?}"
    );
    assert!(csv
        .body
        .contains("Vắng không hủy ÷ (đã phục vụ + vắng không hủy)"));
    let x = leader
        .get("/reports/canteen-meals/export.xlsx?period=2026-11")
        .await;
    assert_eq!(x.status, 200);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).expect("xlsx");
    let sheet = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let total = sheet
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Tổng cộng"))
        .expect("total row");
    assert_eq!(
        total[1],
        calamine::Data::Float(10.0),
        "numbers stay numbers"
    );
    let print = leader
        .get("/reports/canteen-meals/print?period=2026-11")
        .await;
    assert!(print.has("article.a4 table.report"));
    assert_eq!(print.texts("article.a4 table.report tfoot th")[1], "10");
}

#[actix_web::test]
async fn the_dashboard_figures_are_the_totals_of_the_reports_they_link_to() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let dash = leader.get("/dashboard").await;
    let doc = scraper::Html::parse_document(&dash.body);
    let tile = scraper::Selector::parse("section.tile").expect("selector");
    let tr = scraper::Selector::parse("tbody tr").expect("selector");
    let cell = scraper::Selector::parse("th, td").expect("selector");
    let text = |e: scraper::ElementRef| {
        e.select(&cell)
            .map(|c| c.text().collect::<String>().trim().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let meals = doc.select(&tile).next().expect("first tile");
    let nov: Vec<String> = meals
        .select(&tr)
        .map(text)
        .filter(|t| t.starts_with("11/2026"))
        .collect();
    assert_eq!(
        nov,
        ["11/2026 8"],
        "meals eaten in November, as the report's total"
    );
    let months = meals.select(&tr).count();
    assert_eq!(months, 12);
}

#[actix_web::test]
async fn on_the_demo_data_the_closed_month_subsidy_equals_its_statement_and_vouchers_to_the_dong() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let month = app
        .state
        .db
        .write_tx(|c| {
            use diesel::prelude::*;
            Ok(canteen::db::schema::month_closes::table
                .select((
                    canteen::db::schema::month_closes::month,
                    canteen::db::schema::month_closes::subsidy_vnd,
                    canteen::db::schema::month_closes::staff_vnd,
                    canteen::db::schema::month_closes::charged_vnd,
                ))
                .first::<(String, i64, i64, i64)>(c)?)
        })
        .expect("closed month");
    let vouchers = app
        .state
        .db
        .write_tx({
            let source = format!("subsidy_month:{}", month.0);
            move |c| {
                use canteen::db::schema::vouchers;
                use diesel::prelude::*;
                Ok(vouchers::table
                    .filter(vouchers::source.eq(&source))
                    .select(vouchers::amount_vnd)
                    .load::<i64>(c)?)
            }
        })
        .expect("vouchers");
    let mut c = app.client();
    c.login("lanhdao", "com trua ngon").await;
    let r = c
        .get(&format!("/reports/subsidy-months?period={}", month.0))
        .await;
    assert_eq!(r.status, 200);
    let money = |s: &str| -> i64 {
        s.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(-1)
    };
    let rows = table(&r, false);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "Đã khóa sổ");
    assert_eq!(money(&rows[0][5]), month.3, "charged");
    assert_eq!(
        money(&rows[0][6]),
        month.1,
        "subsidy = the closed statement"
    );
    assert_eq!(
        money(&rows[0][6]),
        vouchers.iter().sum::<i64>(),
        "subsidy = the vouchers posted"
    );
    assert_eq!(money(&rows[0][7]), month.2, "staff share");
    // What staff pay: the statement's staff share and the adjustments, split as the payroll
    // file splits it (contractors and people who left pay in cash).
    let closed = scalar_text(&app, &format!("SELECT CAST(staff_vnd + adjustments_vnd AS TEXT) AS t FROM month_closes WHERE month = '{}'", month.0));
    let cash = scalar_text(&app, &format!(
        "SELECT CAST(COALESCE(SUM(l.staff_vnd), 0) AS TEXT) AS t FROM statement_lines l JOIN persons p ON p.id = l.person_id \
         WHERE l.month = '{}' AND (p.status <> 'working' OR p.category = 'hop_dong')", month.0));
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    let p = kt
        .get(&format!("/reports/subsidy-payable?period={}", month.0))
        .await;
    let t = total(&p);
    assert_eq!(
        money(&t[7]).to_string(),
        closed,
        "payable = staff share + adjustments"
    );
    assert_eq!(money(&t[6]).to_string(), cash, "in cash");
    assert_eq!(money(&t[5]) + money(&t[6]), money(&t[7]));
    // The breakdowns add up to the same total, whoever reads them.
    for report in ["subsidy-units", "subsidy-bands"] {
        let r = c
            .get(&format!("/reports/{report}?period={}", month.0))
            .await;
        assert_eq!(money(&total(&r)[3]), month.1, "{report}");
    }
    // Welfare: the paid cases of the year are what the ledger paid for them.
    let paid: i64 = app
        .state
        .db
        .write_tx(|c| {
            use canteen::db::schema::{vouchers, welfare_cases};
            use diesel::prelude::*;
            Ok(welfare_cases::table
                .inner_join(
                    vouchers::table.on(vouchers::id.nullable().eq(welfare_cases::voucher_id)),
                )
                .filter(welfare_cases::state.eq("paid"))
                .select(vouchers::amount_vnd)
                .load::<i64>(c)?
                .into_iter()
                .sum())
        })
        .expect("paid");
    let w = c.get("/reports/welfare-spending?period=2026").await;
    assert!(paid > 0);
    assert_eq!(money(&total(&w)[3]), paid);
}

/// A number as the page shows it ("1.234.000 ₫", "12", "—").
fn num(s: &str) -> i64 {
    let v: i64 = s
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if s.starts_with('-') {
        -v
    } else {
        v
    }
}

fn scalar(app: &TestApp, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = app.state.db.read_conn().expect("conn");
    diesel::sql_query(sql)
        .get_result::<N>(&mut *c)
        .expect(sql)
        .n
}

#[actix_web::test]
async fn on_the_demo_data_cost_budget_dues_gifts_and_milestones_equal_their_records() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    // Cost per meal of October: the month's invoices over the meals served, walk-ins, guests.
    let invoiced = scalar(&app, "SELECT CAST(COALESCE(SUM(total_vnd), 0) AS BIGINT) AS n FROM supplier_invoices WHERE month = '2026-10'");
    let meals = scalar(&app, "SELECT COUNT(*) AS n FROM orders WHERE status = 'served' AND service_date BETWEEN '2026-10-01' AND '2026-10-31'")
        + scalar(&app, "SELECT COUNT(*) AS n FROM walk_ins WHERE status = 'served' AND service_date BETWEEN '2026-10-01' AND '2026-10-31'")
        + scalar(&app, "SELECT CAST(COALESCE(SUM(guests), 0) AS BIGINT) AS n FROM guest_meals WHERE status <> 'cancelled' AND service_date BETWEEN '2026-10-01' AND '2026-10-31'");
    assert!(invoiced > 0 && meals > 0);
    let r = kt.get("/reports/canteen-cost?period=2026-10").await;
    // Its count includes guests, and says so (the dashboard's "meals eaten" does not).
    assert!(
        r.texts("th")
            .iter()
            .any(|h| h.contains("Suất đã phục vụ (gồm khách)")),
        "{}",
        r.body
    );
    let t = total(&r);
    assert_eq!((num(&t[1]), num(&t[2])), (meals, invoiced));
    assert_eq!(
        num(&t[3]),
        (2 * invoiced + meals) / (2 * meals),
        "rounded half up to the đồng"
    );
    // Invoices are monthly: a range covers its whole months; November has no invoice yet, so
    // its cost is blank and the total's cost per meal is October's.
    let r = kt
        .get("/reports/canteen-cost?from=15/10/2026&to=14/11/2026")
        .await;
    let rows = table(&r, false);
    assert_eq!(num(&row(&rows, "10/2026")[1]), meals);
    assert_eq!(row(&rows, "11/2026")[2..], ["—", "—"]);
    assert_eq!(num(&total(&r)[3]), (2 * invoiced + meals) / (2 * meals));
    // Budgets: each fund's plan and its payments of the year, as the ledger holds them.
    let r = kt.get("/reports/subsidy-budget?period=2026").await;
    let planned = scalar(&app, "SELECT CAST(COALESCE(SUM(planned_vnd), 0) AS BIGINT) AS n FROM fund_budgets WHERE year = 2026");
    let t = total(&r);
    assert_eq!(num(&t[1]), planned);
    let paid = scalar(&app, "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'payment' AND reverses IS NULL THEN amount_vnd ELSE 0 END), 0) AS BIGINT) AS n FROM vouchers WHERE year = 2026");
    let reversed = scalar(&app, "SELECT CAST(COALESCE(SUM(r.amount_vnd), 0) AS BIGINT) AS n FROM vouchers r JOIN vouchers o ON o.id = r.reverses WHERE r.year = 2026 AND o.kind = 'payment'");
    assert_eq!(num(&t[2]), paid - reversed);
    assert!(num(&t[2]) > 0);
    // Projected at the pace of the 331 days gone by (today is 27/11), not of eleven whole
    // months (November under way counted whole made December look spent already).
    let spent = paid - reversed;
    // (Each fund's projection is rounded to the đồng, the total adds them.)
    let funds = table(&r, false).len() as i64;
    let expected = (2 * spent * 365 + 331) / (2 * 331);
    assert!(
        (num(&t[4]) - expected).abs() <= funds,
        "{} vs {expected}",
        num(&t[4])
    );
    // Dues of the year: charged and collected.
    let mut cd = app.client();
    cd.login("congdoan", "com trua ngon").await;
    let r = cd.get("/reports/welfare-dues?period=2026").await;
    let charged = scalar(&app, "SELECT CAST(COALESCE(SUM(amount_vnd), 0) AS BIGINT) AS n FROM dues WHERE month LIKE '2026-%'");
    let collected = scalar(&app, "SELECT CAST(COALESCE(SUM(p.amount_vnd), 0) AS BIGINT) AS n FROM dues_payments p JOIN dues d ON d.id = p.dues_id WHERE d.month LIKE '2026-%'");
    let t = total(&r);
    assert_eq!(
        (num(&t[2]), num(&t[3]), num(&t[5])),
        (charged, collected, charged - collected)
    );
    // Gifts: the people still on each list of the year.
    let r = cd.get("/reports/welfare-occasions?period=2026").await;
    let on_lists = scalar(&app, "SELECT COUNT(*) AS n FROM occasion_rows r JOIN occasions o ON o.id = r.occasion_id WHERE r.removed_reason IS NULL AND o.occasion_date BETWEEN '2026-01-01' AND '2026-12-31'");
    assert_eq!(num(&total(&r)[3]), on_lists);
    // Milestones: the union's own list of the year, and who of them was visited.
    let list = cd
        .get("/welfare/milestones")
        .await
        .texts("main table tbody tr")
        .len() as i64;
    let r = cd.get("/reports/welfare-retirees?period=2026").await;
    assert_eq!(num(&total(&r)[1]), list);
    // A leader sees the milestone groups of fewer than five as "< 5"; the total stays.
    let mut leader = app.client();
    leader.login("lanhdao", "com trua ngon").await;
    let r = leader.get("/reports/welfare-retirees?period=2026").await;
    assert!(table(&r, false)
        .iter()
        .all(|row| row[1] == "< 5" || row[1] == "ẩn" || num(&row[1]) >= 5));
    assert_eq!(num(&total(&r)[1]), list);
}

/// Loads the demo and has its closed month signed by the three demo signers; returns it.
async fn demo_month_signed(app: &TestApp) -> String {
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let month = app
        .state
        .db
        .write_tx(|c| {
            use diesel::prelude::*;
            Ok(canteen::db::schema::month_closes::table
                .select(canteen::db::schema::month_closes::month)
                .first::<String>(c)?)
        })
        .expect("closed month");
    for user in ["ketoan", "duyet", "phochanh"] {
        let mut c = app.client();
        c.login(user, "com trua ngon").await;
        c.get(&format!("/accounting/month?m={month}")).await;
        let r = c
            .post(
                &format!("/accounting/month/sign?m={month}"),
                &[("password", "com trua ngon"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 303, "{user}: {}", r.body);
    }
    month
}

#[actix_web::test]
async fn signing_a_month_stores_its_report_pack_which_never_changes_and_whose_digest_verifies() {
    let app = TestApp::spawn().await;
    assert_eq!(app.count("report_packs"), 0);
    let month = demo_month_signed(&app).await;
    assert_eq!(app.count("report_packs"), 1, "made by the last signature");
    let mut leader = app.client();
    leader.login("lanhdao", "com trua ngon").await;
    let list = leader.get("/reports/packs").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.texts("tbody tr").len(), 1);
    assert!(list.body.contains("Nguyên vẹn"));
    let x = leader
        .get(&format!("/reports/packs/{month}/pack.xlsx"))
        .await;
    assert_eq!(x.status, 200);
    let sha = canteen::stats::pack::sha256_hex(&x.bytes);
    assert_eq!(x.header("x-content-sha256"), sha);
    assert!(
        list.body.contains(&sha),
        "the list shows the workbook's SHA-256"
    );
    // A sheet per standard report after the cover; the cover names the signed digest.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).expect("xlsx");
    let names = wb.sheet_names();
    assert_eq!(names.len(), 1 + canteen::stats::catalogue::REPORTS.len());
    assert_eq!(names[0], "Bìa");
    let digest = scalar_text(
        &app,
        &format!("SELECT digest AS t FROM month_closes WHERE month = '{month}'"),
    );
    let cover = wb.worksheet_range_at(0).expect("cover").expect("readable");
    assert!(
        cover
            .rows()
            .any(|r| r.iter().any(|c| c.to_string() == digest)),
        "digest on the cover"
    );
    let signatures = cover
        .rows()
        .filter(|r| r.first().is_some_and(|c| *c == "Chữ ký"))
        .count();
    assert_eq!(signatures, 3, "the three signatures on the cover");
    // The pack's subsidy total is the closed month's.
    let months = wb
        .worksheet_range(
            &names[names
                .iter()
                .position(|n| n.contains("theo tháng") && n.contains("Hỗ trợ"))
                .expect("subsidy sheet")],
        )
        .expect("sheet");
    let subsidy = scalar_text(
        &app,
        &format!("SELECT CAST(subsidy_vnd AS TEXT) AS t FROM month_closes WHERE month = '{month}'"),
    );
    assert!(
        months
            .rows()
            .any(|r| r.first().is_some_and(|c| *c == "Tổng cộng")
                && r.iter().any(|c| c.to_string() == subsidy)),
        "pack subsidy total = statement"
    );
    let print = leader.get(&format!("/reports/packs/{month}/print")).await;
    assert_eq!(print.status, 200);
    assert_eq!(
        print.header("x-content-sha256"),
        canteen::stats::pack::sha256_hex(print.body.as_bytes())
    );
    assert_eq!(
        print.texts("section.pack-report").len(),
        canteen::stats::catalogue::REPORTS.len()
    );
    assert!(print.body.contains(&digest));
    assert!(print.body.contains("Người lập biểu") && !print.body.contains("preparer"));
    assert!(
        !print.body.contains("/lang/"),
        "a stored document links to no language switch"
    );
    assert!(names.iter().all(|n| n.chars().count() <= 31));

    // Later changes do not touch it: another order in the next month, a new policy.
    app.sql(
        "INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, fund_id, valid_from, legal_basis, created_at) \
         VALUES ('Mới', 'everyone', '', 'fixed', 1000, 1, '2026-12-01', 'QC', '2026-11-28 00:00:00')",
    );
    let again = leader
        .get(&format!("/reports/packs/{month}/pack.xlsx"))
        .await;
    assert_eq!(again.bytes, x.bytes, "the same bytes as stored");
    // The database refuses to change or remove it, whoever asks.
    assert!(!app.sql_ok("UPDATE report_packs SET digest = 'x'"));
    assert!(!app.sql_ok("DELETE FROM report_packs"));
    assert_eq!(app.count("report_packs"), 1);
    assert_eq!(app.audit_after("report_pack.generate").len(), 1);
    // Staff and the kitchen do not read packs; an unknown month is not found.
    let mut staff = app.client();
    staff.login("nv001", "com trua ngon").await;
    assert_eq!(staff.get("/reports/packs").await.status, 403);
    assert_eq!(
        leader.get("/reports/packs/2019-01/pack.xlsx").await.status,
        404
    );
    assert_eq!(leader.get("/reports/packs/nope/print").await.status, 404);
}

fn scalar_text(app: &TestApp, sql: &str) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let mut c = app.state.db.read_conn().expect("conn");
    diesel::sql_query(sql)
        .get_result::<T>(&mut *c)
        .expect(sql)
        .t
}

/// Rows of a query as text (each row one `a|b|c` string), sorted.
fn rows_text(app: &TestApp, sql: &str) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let mut c = app.state.db.read_conn().expect("conn");
    let mut v: Vec<String> = diesel::sql_query(sql)
        .load::<T>(&mut *c)
        .expect(sql)
        .into_iter()
        .map(|r| r.t)
        .collect();
    v.sort();
    v
}

/// The summary as the reports read it: its rows plus the changes not folded in yet.
const SUMMARY_MEALS: &str = "SELECT CAST(service_date AS TEXT) || '|' || CAST(unit_key AS TEXT) || '|' || CAST(option_id AS TEXT) || '|' || kind || '|' || status || '|' || CAST(SUM(n) AS TEXT) AS t FROM ( \
     SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meals \
     UNION ALL SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meal_deltas \
   ) s GROUP BY service_date, unit_key, option_id, kind, status HAVING SUM(n) <> 0";
/// The summary's own rows (after a fold: all of it).
const FOLDED_MEALS: &str = "SELECT CAST(service_date AS TEXT) || '|' || CAST(unit_key AS TEXT) || '|' || CAST(option_id AS TEXT) || '|' || kind || '|' || status || '|' || CAST(n AS TEXT) AS t FROM stat_meals WHERE n <> 0";
const RECOMPUTED_MEALS: &str = "SELECT CAST(d AS TEXT) || '|' || CAST(u AS TEXT) || '|' || CAST(o AS TEXT) || '|' || k || '|' || s || '|' || CAST(SUM(n) AS TEXT) AS t FROM ( \
     SELECT x.service_date AS d, COALESCE(p.unit_id, 0) AS u, x.option_id AS o, 'order' AS k, x.status AS s, 1 AS n FROM orders x JOIN persons p ON p.id = x.person_id \
     UNION ALL SELECT x.service_date, COALESCE(p.unit_id, 0), x.option_id, 'walk_in', x.status, 1 FROM walk_ins x JOIN persons p ON p.id = x.person_id \
     UNION ALL SELECT x.service_date, COALESCE(p.unit_id, 0), x.option_id, 'guest', x.status, x.guests FROM guest_meals x JOIN persons p ON p.id = x.person_id \
   ) r GROUP BY d, u, o, k, s HAVING SUM(n) <> 0";
const SUMMARY_EATERS: &str = "SELECT month || '|' || CAST(person_id AS TEXT) || '|' || CAST(unit_key AS TEXT) || '|' || CAST(meals AS TEXT) AS t FROM stat_eaters WHERE meals <> 0";
const RECOMPUTED_EATERS: &str = "SELECT substr(CAST(d AS TEXT), 1, 7) || '|' || CAST(pid AS TEXT) || '|' || CAST(u AS TEXT) || '|' || CAST(COUNT(*) AS TEXT) AS t FROM ( \
     SELECT x.service_date AS d, x.person_id AS pid, COALESCE(p.unit_id, 0) AS u FROM orders x JOIN persons p ON p.id = x.person_id WHERE x.status = 'served' \
     UNION ALL SELECT x.service_date, x.person_id, COALESCE(p.unit_id, 0) FROM walk_ins x JOIN persons p ON p.id = x.person_id WHERE x.status = 'served' \
   ) r GROUP BY substr(CAST(d AS TEXT), 1, 7), pid, u";

pub(crate) fn summaries_equal_a_recomputation(app: &TestApp, when: &str) {
    let (kept, again) = (
        rows_text(app, SUMMARY_MEALS),
        rows_text(app, RECOMPUTED_MEALS),
    );
    assert!(!again.is_empty(), "{when}: there are meals");
    assert_eq!(kept, again, "{when}: meals summary");
    // PostgreSQL's writers leave their changes beside the summary; the fold moves them in.
    app.state
        .db
        .write_tx(canteen::stats::store::fold_meal_deltas)
        .expect("fold");
    assert_eq!(app.count("stat_meal_deltas"), 0, "{when}: all folded");
    assert_eq!(
        rows_text(app, FOLDED_MEALS),
        again,
        "{when}: folded summary"
    );
    assert_eq!(
        rows_text(app, SUMMARY_EATERS),
        rows_text(app, RECOMPUTED_EATERS),
        "{when}: eaters summary"
    );
}

/// PostgreSQL: writers of different people never wait for each other on the meals summary.
/// (Each change used to add to a shared row of `stat_meals`: a second person of the unit
/// changing the same day waited for the first one's commit, and two changing in opposite
/// directions deadlocked.) SQLite has one writer; there is nothing to wait for.
#[actix_web::test]
async fn a_meal_change_does_not_wait_for_another_persons_change_of_the_same_day() {
    use crate::support::{key, local, refs, set_field, week_of, REGULAR};
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    app.sql("INSERT INTO units (code, name, parent_id, created_at) VALUES ('A', 'Vụ A', NULL, '2026-01-01 00:00:00')");
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, ("Suất chay", 30_000, None, true)]);
    app.publish(d(2026, 11, 30));
    app.clock().set(local(days[0], 7, 0, 0));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    app.sql(&format!(
        "UPDATE persons SET unit_id = 1 WHERE id IN ({lan_p}, {binh_p})"
    ));
    let day = days[2];
    for c in [&mut lan, &mut binh] {
        let mut f = c.get("/week").await.form("/week");
        set_field(&mut f, &key(day), &ids[2][0].to_string());
        assert_eq!(c.post("/week", &refs(&f)).await.status, 303);
    }
    // Lan's change of that day, by another server, not committed yet.
    let mut other = app.state.db.read_conn().expect("conn");
    other
        .batch_execute(&format!(
            "BEGIN; UPDATE orders SET option_id = {} WHERE person_id = {lan_p} AND service_date = '{day}'",
            ids[2][1]
        ))
        .expect("lan's change");
    // Binh makes the same change meanwhile: it is saved at once.
    let mut f = binh.get("/week").await.form("/week");
    set_field(&mut f, &key(day), &ids[2][1].to_string());
    let answer = actix_web::rt::time::timeout(
        std::time::Duration::from_secs(20),
        binh.post("/week", &refs(&f)),
    )
    .await;
    other.batch_execute("ROLLBACK").expect("rollback");
    drop(other);
    let answer = answer.expect("Binh's change waited for Lan's transaction");
    assert_eq!(answer.status, 303, "{}", answer.body);
    summaries_equal_a_recomputation(&app, "after both changes");
}

/// PostgreSQL: a person's meal change made while their move to another unit is not yet
/// committed counts under the new unit (found by QA: it counted under the old one, after the
/// move had re-counted the person's meals — the per-unit figures drifted for good).
#[actix_web::test]
async fn a_meal_change_during_a_move_to_another_unit_counts_under_the_new_unit() {
    use crate::support::{key, local, refs, set_field, week_of, REGULAR};
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    app.sql(
        "INSERT INTO units (code, name, parent_id, created_at) VALUES \
           ('A', 'Vụ A', NULL, '2026-01-01 00:00:00'), ('B', 'Vụ B', NULL, '2026-01-01 00:00:00')",
    );
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, ("Suất chay", 30_000, None, true)]);
    app.publish(d(2026, 11, 30));
    app.clock().set(local(days[0], 7, 0, 0));
    let (mut lan, lan_p) = app.staff("lan").await;
    app.sql(&format!(
        "UPDATE persons SET unit_id = 1 WHERE id = {lan_p}"
    ));
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[2]), &ids[2][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    // Lan is being moved to unit B by another server; not committed yet.
    let mut other = app.state.db.read_conn().expect("conn");
    other
        .batch_execute(&format!(
            "BEGIN; UPDATE persons SET unit_id = 2 WHERE id = {lan_p}"
        ))
        .expect("move");
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[2]), &ids[2][1].to_string());
    let fields = refs(&f);
    let change = lan.post("/week", &fields);
    let commit = async {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(700)).await;
        other.batch_execute("COMMIT").expect("commit the move");
    };
    let (answer, ()) = futures_util::future::join(change, commit).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    summaries_equal_a_recomputation(&app, "after a change during a move");
    // The other way round: Lan's change (by another server) not committed yet when she is
    // moved back to unit A; the move's count must include it.
    let mut other = app.state.db.read_conn().expect("conn");
    other
        .batch_execute(&format!(
            "BEGIN; UPDATE orders SET option_id = {} WHERE person_id = {lan_p} AND service_date = '{}'",
            ids[2][0], days[2]
        ))
        .expect("lan's change");
    let mut mover = app.state.db.read_conn().expect("conn");
    let move_back = std::thread::spawn(move || {
        mover.batch_execute(&format!(
            "UPDATE persons SET unit_id = 1 WHERE id = {lan_p}"
        ))
    });
    std::thread::sleep(std::time::Duration::from_millis(700));
    other.batch_execute("COMMIT").expect("commit the change");
    move_back.join().expect("mover").expect("move back");
    drop(other);
    summaries_equal_a_recomputation(&app, "after a move during a change");
}

#[actix_web::test]
async fn the_summary_tables_equal_a_recomputation_after_every_kind_of_change() {
    use crate::support::{key, local, refs, set_field, week_of, REGULAR};
    let app = TestApp::spawn().await;
    app.sql(
        "INSERT INTO units (code, name, parent_id, created_at) VALUES \
           ('A', 'Vụ A', NULL, '2026-01-01 00:00:00'), ('B', 'Vụ B', NULL, '2026-01-01 00:00:00')",
    );
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, ("Suất chay", 30_000, None, true)]);
    app.publish(d(2026, 11, 30));
    app.clock().set(local(days[1], 7, 0, 0));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    let (mut chi, chi_p) = app.staff("chi").await;
    app.sql(&format!("UPDATE persons SET unit_id = 1 WHERE id = {lan_p}; UPDATE persons SET unit_id = 2 WHERE id = {binh_p}"));
    // Orders for three days; guests with Lan on Tuesday.
    for (c, veg) in [(&mut lan, false), (&mut binh, true), (&mut chi, false)] {
        let mut f = c.get("/week").await.form("/week");
        for i in 1..=3 {
            set_field(&mut f, &key(days[i]), &ids[i][usize::from(veg)].to_string());
        }
        assert_eq!(c.post("/week", &refs(&f)).await.status, 303);
    }
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &format!("guests_{}", days[1]), "2");
    // Lan moves Wednesday to the vegetarian option; Binh cancels Wednesday.
    set_field(&mut f, &key(days[2]), &ids[2][1].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let mut f = binh.get("/week").await.form("/week");
    set_field(&mut f, &key(days[2]), "none");
    assert_eq!(binh.post("/week", &refs(&f)).await.status, 303);
    summaries_equal_a_recomputation(&app, "after ordering");
    // Tuesday at the counter: Lan served, Chi walks in... after cancelling, then the walk-in is
    // undone; service closes (Binh a no-show).
    let mut f = chi.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), "none");
    assert_eq!(chi.post("/week", &refs(&f)).await.status, 303);
    app.clock().set(local(days[1], 11, 30, 0));
    let bep_id = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep_id).await;
    bep.get("/kitchen/counter").await;
    assert_eq!(
        bep.post("/kitchen/counter", &[("code", "LAN")])
            .await
            .status,
        303
    );
    let walk = [
        ("person", chi_p.to_string()),
        ("option", ids[1][0].to_string()),
    ];
    let walk: Vec<(&str, &str)> = walk.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        bep.post("/kitchen/counter/walk-in", &walk).await.status,
        303
    );
    summaries_equal_a_recomputation(&app, "after serving and a walk-in");
    let undo = crate::support::counter_undo_fields(&mut bep, chi_p).await;
    assert_eq!(
        bep.post("/kitchen/counter/undo", &crate::support::refs(&undo))
            .await
            .status,
        303
    );
    bep.get("/kitchen/counter").await;
    bep.post(
        "/kitchen/counter/close",
        &[("confirm", "yes"), ("reason", "Kiểm thử")],
    )
    .await;
    summaries_equal_a_recomputation(&app, "after closing service");
    // The kitchen closes Thursday: its meals are cancelled.
    let r = bep
        .post(
            "/kitchen/calendar/close",
            &[
                ("from", "03/12/2026"),
                ("to", "03/12/2026"),
                ("reason", "Nghỉ"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    summaries_equal_a_recomputation(&app, "after closing a day");
    for (what, n) in [
        ("orders WHERE status = 'served'", 1),
        ("orders WHERE status = 'no_show'", 1),
        ("orders WHERE cancel_cause = 'day_closed'", 2),
        ("walk_ins WHERE status = 'void'", 1),
        ("guest_meals WHERE guests = 2", 1),
    ] {
        assert!(app.count(what) >= n, "the scenario made {what}");
    }
    // Lan moves to unit B, Binh leaves every unit, by whatever path.
    app.sql(&format!("UPDATE persons SET unit_id = 2 WHERE id = {lan_p}; UPDATE persons SET unit_id = NULL WHERE id = {binh_p}"));
    summaries_equal_a_recomputation(&app, "after moving people between units");
    // A raw script deleting a row is followed too.
    app.sql(&format!(
        "DELETE FROM guest_meals WHERE person_id = {lan_p}"
    ));
    summaries_equal_a_recomputation(&app, "after a script");
    // One statement changing many meals in different ways, of eaters in different units (a
    // week submission, a day's closing and a script each change many in one statement):
    // eaten ones no longer eaten and the other way round, options switched, a meal moved from
    // an eater of unit B to one of no unit, rows written with their values unchanged.
    let moved = app.count(&format!(
        "orders WHERE person_id = {lan_p} AND service_date = '{}'",
        days[3]
    ));
    assert_eq!(moved, 1, "Lan (unit B) has a (cancelled) Thursday meal");
    app.sql(&format!(
        "DELETE FROM orders WHERE person_id = {binh_p} AND service_date = '{}'",
        days[3]
    ));
    app.sql(&format!(
        "UPDATE orders SET \
           status = CASE status WHEN 'served' THEN 'ordered' WHEN 'ordered' THEN 'served' \
                    WHEN 'no_show' THEN 'served' ELSE status END, \
           option_id = CASE WHEN status = 'cancelled' THEN (SELECT MAX(m.id) FROM meal_options m \
                    WHERE m.service_date = orders.service_date) ELSE option_id END, \
           person_id = CASE WHEN person_id = {lan_p} AND service_date = '{}' THEN {binh_p} \
                    ELSE person_id END",
        days[3]
    ));
    assert!(
        app.count("orders WHERE status = 'served'") >= 3,
        "eaten meals made"
    );
    summaries_equal_a_recomputation(&app, "after one statement changing many meals");
    // Changed back, and a statement changing nothing that counts.
    app.sql(
        "UPDATE orders SET status = CASE status WHEN 'served' THEN 'no_show' ELSE status END; \
         UPDATE orders SET note = 'kiểm thử'",
    );
    summaries_equal_a_recomputation(&app, "after changing them back");
}

#[actix_web::test]
async fn no_filter_or_fund_view_gives_a_small_group_away_to_a_leader() {
    let app = TestApp::spawn().await;
    subsidy_fixture(&app);
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    // Unit B alone: its row is the whole total, so the total is hidden too.
    let r = leader
        .get("/reports/subsidy-units?period=2026-11&unit=2")
        .await;
    assert_eq!(row(&table(&r, false), "B — Vụ B")[1..], ["< 5", "ẩn", "ẩn"]);
    assert_eq!(total(&r)[1..], ["< 5", "ẩn", "ẩn"]);
    for f in ["csv", "xlsx"] {
        let d = leader
            .get(&format!(
                "/reports/subsidy-units/export.{f}?period=2026-11&unit=2"
            ))
            .await;
        assert!(
            !d.body.contains("60000") && !d.body.contains("60.000"),
            "{f}"
        );
    }
    // P1 of unit A becomes low income: A now has one person's low-income top-up. A is hidden
    // in every fund's view, so that all funds minus fund 1 cannot give fund 2's amount.
    app.sql(
        "INSERT INTO eligibility (person_id, band, valid_from, basis, decided_at) \
         VALUES (1, 'low_income', '2026-10-01', 'rule', '2026-10-01 00:00:00')",
    );
    for q in ["", "&fund=1", "&fund=2"] {
        let r = leader
            .get(&format!("/reports/subsidy-units?period=2026-11{q}"))
            .await;
        let a = row(&table(&r, false), "A — Vụ A").to_vec();
        assert_eq!(a[3], "ẩn", "A hidden in view {q:?}: {a:?}");
        // Six people shown are not "fewer than five": hidden, not mislabelled (fund 2's view
        // shows the one person, "< 5").
        let people = if q == "&fund=2" { "< 5" } else { "ẩn" };
        assert_eq!(a[1], people, "{q:?}: {a:?}");
        // Unit C alone: five people, three of them with fund 2's top-up. Its total is hidden in
        // every fund's view, so all funds' total less fund 1's cannot give fund 2's.
        let b = leader
            .get(&format!("/reports/subsidy-units?period=2026-11&unit=3{q}"))
            .await;
        assert_eq!(total(&b)[3], "ẩn", "C's total in view {q:?}");
    }
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let r = kt.get("/reports/subsidy-units?period=2026-11&fund=2").await;
    assert_eq!(
        row(&table(&r, false), "A — Vụ A")[1..],
        ["1", "2", "10.000 ₫"]
    );
}

#[actix_web::test]
async fn meals_booked_for_days_to_come_are_not_counted_as_subsidy_yet() {
    let app = TestApp::spawn().await;
    subsidy_fixture(&app);
    let days = [d(2026, 12, 1)];
    let ids = app.options(&days, &[("Suất thường", 35_000, None, false)]);
    app.sql(&format!(
        "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
         SELECT id, '2026-12-01', {}, 35000, 'ordered', 'staff', '2026-11-27 01:00:00', '2026-11-27 01:00:00' FROM persons",
        ids[0][0]
    ));
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let r = kt.get("/reports/subsidy-months?period=2026").await;
    assert_eq!(total(&r)[2..5], ["26", "26", "13"], "today is 27/11/2026");
    assert!(!table(&r, false).iter().any(|row| row[0] == "12/2026"));
    // Once December 1st has come and gone, it counts.
    app.clock()
        .set(crate::support::local(d(2026, 12, 2), 9, 0, 0));
    let mut kt = app.login_as("ketoan2", &[Role::Accountant]).await;
    let r = kt.get("/reports/subsidy-months?period=2026").await;
    assert_eq!(total(&r)[2], "39");
}

#[actix_web::test]
async fn percentages_in_downloads_round_like_the_page_and_staff_count_before_their_record_was_made()
{
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    // 4 of 116 portions left: 3,448 % — 3,4 % on the page and 3.4 in the files, rounded once
    // (not 345 basis points and then 3,5 %).
    app.sql("INSERT INTO waste_log (service_date, prepared, leftover, note, updated_at) VALUES ('2026-11-04', 116, 4, '', '2026-11-04 07:00:00')");
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let page = leader.get("/reports/canteen-waste?period=2026-11").await;
    assert_eq!(row(&table(&page, false), "04/11/2026")[4], "3,4 %");
    let csv = leader
        .get("/reports/canteen-waste/export.csv?period=2026-11")
        .await;
    assert!(
        csv.body.lines().any(|l| l == "04/11/2026,1,116,4,3.4"),
        "{}",
        csv.body
    );
    // The people were recorded on 27/11; they worked in October all the same.
    let p = leader
        .get("/reports/canteen-participation?period=2026-10")
        .await;
    assert_eq!(total(&p)[1], "10");
    // A page number is not a filter of these reports.
    assert_eq!(
        leader.get("/reports/canteen-waste?page=0").await.status,
        400
    );
}

#[actix_web::test]
async fn a_closed_months_subsidy_summary_equals_its_statement_lines_and_goes_when_it_is_reopened() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let month = scalar_text(&app, "SELECT month AS t FROM month_closes");
    assert!(app.count(&format!("stat_subsidy WHERE month = '{month}'")) > 100);
    let m = month.clone();
    let (kept, again) = app
        .state
        .db
        .write_tx(move |c| {
            let first = canteen::ui::format::parse_month(&m).expect("month");
            let (from, to) = canteen::stats::filters::month_bounds(first);
            let kept = canteen::stats::summary::months(c, &[first], from, to)?;
            let bands = canteen::stats::store::eligibility_in(c, from, to)?;
            let lines = canteen::accounting::store::stored(c, &m)?;
            Ok((kept, canteen::stats::summary::aggregate(&lines, &bands)))
        })
        .expect("read");
    assert!(kept[0].2, "read as a closed month");
    assert_eq!(
        kept[0].1, again,
        "summary = the statement's lines, person by person"
    );
    // Subsidy by month sums a closed month in the database from its summary; without the
    // summary it reads the statement's lines person by person. Same figures, every fund.
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    let funds = rows_text(&app, "SELECT CAST(id AS TEXT) AS t FROM funds");
    let views: Vec<String> = std::iter::once(String::new())
        .chain(funds.iter().map(|f| format!("&fund={f}")))
        .collect();
    let mut summed = Vec::new();
    for v in &views {
        let r = kt
            .get(&format!("/reports/subsidy-months?period={month}{v}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        summed.push(r.texts("table.report tr"));
    }
    assert!(
        summed[0]
            .iter()
            .any(|r| r.contains('₫') && !r.contains(" 0 ₫")),
        "{:?}",
        summed[0]
    );
    // The month's totals per fund are its people's rows summed, each person counted once.
    assert_eq!(
        rows_text(&app, SUBSIDY_MONTHS),
        rows_text(&app, RECOMPUTED_SUBSIDY_MONTHS)
    );
    assert!(
        app.count("stat_subsidy_months") > 1,
        "all funds and each fund"
    );
    // Without the month's totals the report sums its people; without either it reads the
    // statement's lines. A month closed before either existed is filled at the next start.
    let before = (app.count("stat_subsidy"), rows_text(&app, SUBSIDY_MONTHS));
    for gone in [
        &["stat_subsidy_months"][..],
        &["stat_subsidy", "stat_subsidy_months"],
    ] {
        for t in gone {
            app.sql(&format!("DELETE FROM {t}"));
        }
        for (v, s) in views.iter().zip(&summed) {
            let r = kt
                .get(&format!("/reports/subsidy-months?period={month}{v}"))
                .await;
            assert_eq!(
                r.texts("table.report tr"),
                *s,
                "fund view {v:?} without {gone:?}"
            );
        }
        app.migrate_again();
        assert_eq!(
            (app.count("stat_subsidy"), rows_text(&app, SUBSIDY_MONTHS)),
            before,
            "filled again after {gone:?} went"
        );
    }
    let m = month.clone();
    app.state
        .db
        .write_tx(move |c| {
            let first = canteen::ui::format::parse_month(&m).expect("month");
            canteen::accounting::store::reopen_month(
                c,
                &canteen::audit::Actor::system("test"),
                chrono::Utc::now().naive_utc(),
                first,
                "Kiểm thử mở lại",
            )
        })
        .expect("reopen");
    assert_eq!(
        app.count(&format!("stat_subsidy WHERE month = '{month}'")),
        0
    );
    assert_eq!(
        app.count(&format!("stat_subsidy_months WHERE month = '{month}'")),
        0
    );
}

/// Each closed month's totals per fund, as kept.
const SUBSIDY_MONTHS: &str = "SELECT month || ' ' || CAST(fund_key AS TEXT) || ' ' || \
     CAST(meals AS TEXT) || ' ' || CAST(subsidised AS TEXT) || ' ' || CAST(charged AS TEXT) || ' ' || \
     CAST(subsidy AS TEXT) || ' ' || CAST(staff AS TEXT) || ' ' || CAST(people AS TEXT) AS t \
     FROM stat_subsidy_months ORDER BY month, fund_key";

/// The same, summed from the people's rows (a person in two bands counted once).
const RECOMPUTED_SUBSIDY_MONTHS: &str = "SELECT month || ' ' || CAST(fund_key AS TEXT) || ' ' || \
     CAST(SUM(meals) AS TEXT) || ' ' || CAST(SUM(subsidised) AS TEXT) || ' ' || \
     CAST(SUM(charged) AS TEXT) || ' ' || CAST(SUM(subsidy) AS TEXT) || ' ' || \
     CAST(SUM(staff) AS TEXT) || ' ' || \
     CAST(COUNT(DISTINCT CASE WHEN subsidised > 0 THEN person_id END) AS TEXT) AS t \
     FROM stat_subsidy GROUP BY month, fund_key ORDER BY month, fund_key";

/// The reports split an open month for everyone at once (`compute_sums`, from the month's
/// index); each person's own statement splits theirs alone. With more eaters than one query
/// names by id (500), every line must still be the person's own, band top-ups included.
#[actix_web::test]
async fn an_open_month_of_hundreds_of_eaters_is_split_for_the_reports_as_on_each_statement() {
    let app = TestApp::spawn().await;
    subsidy_fixture(&app);
    let days = [d(2026, 11, 4)];
    let ids = app.options(&days, &[("Suất thường", 32_000, None, false)]);
    let mut sql = String::new();
    let mut people = Vec::new();
    for i in 1..=520 {
        let p = app.person(&format!("M{i:03}"), &format!("Người {i}"));
        people.push(p);
        if i % 4 == 0 {
            sql.push_str(&format!(
                "INSERT INTO eligibility (person_id, band, valid_from, basis, decided_at) \
                 VALUES ({p}, 'low_income', '2026-11-04', 'rule', '2026-11-01 00:00:00');"
            ));
        }
        sql.push_str(&format!(
            "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
             VALUES ({p}, '2026-11-04', {}, 32000, '{}', 'staff', '2026-11-01 01:00:00', '2026-11-01 01:00:00');",
            ids[0][0],
            if i % 7 == 0 { "no_show" } else { "served" }
        ));
    }
    app.sql(&sql);
    let (sums, full, own) = app
        .state
        .db
        .read(move |c| {
            let first = d(2026, 11, 1);
            let sums = canteen::accounting::store::compute_sums(c, first)?;
            let (full, _) = canteen::accounting::store::compute(c, first)?;
            let mut own = Vec::new();
            for &p in &people {
                for l in canteen::subsidy::store::statement(c, p, first)? {
                    own.push((
                        p,
                        l.day,
                        l.split.charged.0,
                        l.split.subsidy().0,
                        l.split.staff_share.0,
                    ));
                }
            }
            Ok((sums, full, own))
        })
        .await
        .expect("split");
    // The fixture's 13 people ate on two days; these 520 on one.
    assert_eq!(sums.len(), 13 * 2 + 520);
    let key = |l: &canteen::accounting::store::Line| {
        (
            l.order_id,
            l.person_id,
            l.day,
            l.charged.0,
            l.subsidy.0,
            l.staff.0,
            l.by_fund.clone(),
        )
    };
    assert_eq!(
        sums.iter().map(key).collect::<Vec<_>>(),
        full.iter().map(key).collect::<Vec<_>>(),
        "the reports' split is the statements' split"
    );
    assert!(full
        .iter()
        .all(|l| l.day != d(2026, 11, 4) || l.option == "Suất thường"));
    let mut mine: Vec<_> = sums
        .iter()
        .filter(|l| l.day == d(2026, 11, 4))
        .map(|l| (l.person_id, l.day, l.charged.0, l.subsidy.0, l.staff.0))
        .collect();
    mine.sort();
    let mut own = own;
    own.sort();
    assert_eq!(mine, own, "each line = the person's own statement");
    // 130 low income: 10.000 + 5.000; the rest 10.000 (no-shows are charged in full: no rule).
    let low = mine.iter().filter(|l| l.3 == 15_000).count();
    let no_shows = (1..=520).filter(|i| i % 7 == 0).count();
    let low_no_shows = (1..=520).filter(|i| i % 7 == 0 && i % 4 == 0).count();
    assert_eq!(low, 130 - low_no_shows);
    assert_eq!(mine.iter().filter(|l| l.3 == 0).count(), no_shows);
}

/// `canteen bench-data` writes its meals in one statement, with the summary trigger off on
/// PostgreSQL when it may (then the summary is made in one pass): either way the summaries
/// equal a recomputation.
#[actix_web::test]
async fn the_benchmark_data_keeps_its_summaries_equal_to_a_recomputation() {
    let app = TestApp::spawn().await;
    let hash = canteen::auth::password::hash("mat khau thu tai").expect("hash");
    canteen::benchdata::generate(&app.state.db, 40, d(2026, 10, 1), 2, &hash).expect("generate");
    summaries_equal_a_recomputation(&app, "after the benchmark data");
    let kept = rows_text(&app, SUBSIDY_MONTHS);
    assert!(!kept.is_empty(), "a closed month");
    assert_eq!(kept, rows_text(&app, RECOMPUTED_SUBSIDY_MONTHS));
}

/// Each dashboard figure is the total its report shows for that month alone — also where the
/// dashboard reads a report's year in one pass and takes the months' rows (subsidy by month).
#[actix_web::test]
async fn every_dashboard_figure_equals_its_reports_total_for_that_month_alone() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    // A member who left the organisation and rejoined it owes the month's dues twice, under
    // two memberships: still one member of it that month.
    app.sql(
        "INSERT INTO memberships (person_id, organisation_id, role, joined_on, ended_on, end_reason, created_at) \
         SELECT person_id, organisation_id, 'member', '2026-01-01', '2026-01-31', 'Chuyển công tác', '2026-01-01 00:00:00' \
         FROM memberships WHERE id = (SELECT MAX(membership_id) FROM dues)",
    );
    app.sql(
        "INSERT INTO dues (membership_id, month, amount_vnd, created_at) \
         SELECT (SELECT MAX(id) FROM memberships), MAX(month), 1000, '2026-01-01 00:00:00' \
         FROM dues WHERE membership_id = (SELECT MAX(membership_id) FROM dues)",
    );
    let today = app.state.clock.today();
    let (series, alone) = app
        .state
        .db
        .read(move |c| {
            use canteen::stats::filters::{FilterQuery, Filters};
            let series = canteen::stats::dashboard::series(c, today)?;
            let base = Filters::parse(&FilterQuery::default(), today).expect("filters");
            let mut alone = Vec::new();
            for (id, column, _) in canteen::stats::dashboard::TILES {
                let report = canteen::stats::catalogue::find(id).expect("report");
                let mut points = Vec::new();
                for m in base.months() {
                    let out = report.compute(c, &base.for_month(m))?;
                    points.push((m, out.total.and_then(|t| t.cells.get(*column).cloned())));
                }
                alone.push(points);
            }
            Ok((series, alone))
        })
        .await
        .expect("compute");
    assert_eq!(series.len(), alone.len());
    for (s, a) in series.iter().zip(&alone) {
        assert_eq!(s.points, *a, "{}", s.title);
        // Not a comparison of empty months: the demo has figures for each tile (two months
        // of subsidy: a closed and an open one).
        let months = a
            .iter()
            .filter(|p| p.1.as_ref().and_then(|c| c.num()).unwrap_or(0) > 0)
            .count();
        let want = if s.title == "stats.t.subsidy" { 2 } else { 1 };
        assert!(months >= want, "{}: {months} months with figures", s.title);
    }
    // Beyond the tiles' columns: every figure of each month's total that a report gives for
    // the year in one pass is the figure of its report for the month alone.
    let checked = app
        .state
        .db
        .read(move |c| {
            use canteen::stats::filters::{FilterQuery, Filters};
            let base = Filters::parse(&FilterQuery::default(), today).expect("filters");
            let mut checked = 0;
            for report in canteen::stats::catalogue::REPORTS {
                let Some(year) = report.month_totals(c, &base)? else {
                    continue;
                };
                for (m, row) in year.months {
                    let alone = report.compute(c, &base.for_month(m))?.total.expect("total");
                    let nums = |r: &canteen::stats::table::Row| -> Vec<Option<i64>> {
                        r.cells.iter().map(|x| x.num()).collect()
                    };
                    // A month without an invoice shows "—" on its row and 0 ₫ in a total.
                    let same = nums(&row)
                        .iter()
                        .zip(nums(&alone))
                        .all(|(a, b)| *a == b || (a.is_none() && b == Some(0)));
                    assert!(
                        same,
                        "{} {m}: {:?} vs {:?}",
                        report.id, row.cells, alone.cells
                    );
                    checked += 1;
                }
            }
            Ok(checked)
        })
        .await
        .expect("compute");
    assert!(checked >= 8 * 12, "{checked} months of reports compared");
}

/// Participation and coverage of one whole month count eaters in the database (per unit;
/// among band holders); any other period reads who ate. For every month of the demo data
/// both give the same counts.
#[actix_web::test]
async fn a_whole_months_eaters_counted_by_the_database_equal_those_read_one_by_one() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let today = app.state.clock.today();
    let checked = app
        .state
        .db
        .read(move |c| {
            use canteen::stats::{filters, store};
            let (from, _) = filters::last_12(today);
            let mut months = Vec::new();
            let mut m = from;
            while m <= today {
                months.push(filters::month_bounds(m));
                m = filters::month_bounds(m).1 + chrono::Duration::days(1);
            }
            // The database counts every month in one query; each month's answer is its own.
            let keys: Vec<String> = months.iter().map(|m| filters::month_key(m.0)).collect();
            let counted_all = store::eaters_of_months(c, &keys)?;
            // Everyone who might be a person, eaters or not.
            let some: Vec<i32> = (1..=700).collect();
            let ate_all = store::ate_in_months(c, &keys, &some)?;
            let mut checked = 0;
            for ((first, last), key) in months.iter().zip(&keys) {
                let ids = store::eater_ids(c, *first, *last)?;
                let mut by_unit: Vec<(Option<i32>, i64)> = Vec::new();
                for (_, u) in &ids {
                    match by_unit.iter_mut().find(|x| x.0 == *u) {
                        Some(x) => x.1 += 1,
                        None => by_unit.push((*u, 1)),
                    }
                }
                by_unit.sort();
                let mut counted = store::eaters_of_month(c, key)?;
                counted.sort();
                assert_eq!(counted, by_unit, "{key}: eaters per unit");
                let mut together: Vec<(Option<i32>, i64)> = counted_all
                    .iter()
                    .filter(|x| x.0 == *key)
                    .map(|x| (x.1, x.2))
                    .collect();
                together.sort();
                assert_eq!(together, by_unit, "{key}: eaters per unit, months together");
                let mut ate: Vec<i32> = ate_all
                    .iter()
                    .filter(|x| x.0 == *key)
                    .map(|x| x.1)
                    .collect();
                ate.sort();
                let mut want: Vec<i32> = ids.iter().map(|x| x.0).filter(|p| *p <= 700).collect();
                want.sort();
                assert_eq!(ate, want, "{key}: of these people, who ate");
                checked += usize::from(!ids.is_empty());
            }
            Ok(checked)
        })
        .await
        .expect("read");
    assert!(checked >= 2, "months with eaters: {checked}");
}

/// The month's meals carry their own days — read on SQLite as day numbers — across a leap day
/// and the turn of a year.
#[actix_web::test]
async fn the_meals_of_a_month_keep_their_days_across_a_leap_day_and_a_new_year() {
    let app = TestApp::spawn().await;
    let days = [
        d(2024, 2, 28),
        d(2024, 2, 29),
        d(2024, 3, 1),
        d(2026, 12, 31),
        d(2027, 1, 1),
    ];
    let ids = app.options(&days, &[("Suất thường", 35_000, None, false)]);
    let p = app.person("NV9", "Người Chín");
    let mut sql = String::new();
    for (day, id) in days.iter().zip(&ids) {
        sql.push_str(&format!(
            "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
             VALUES ({p}, '{day}', {}, 35000, 'served', 'staff', '2024-01-01 01:00:00', '2024-01-01 01:00:00');",
            id[0]
        ));
    }
    app.sql(&sql);
    let got = app
        .state
        .db
        .read(|c| {
            let mut out = Vec::new();
            for (from, to) in [
                (d(2024, 2, 29), d(2024, 3, 1)),
                (d(2026, 12, 1), d(2027, 1, 31)),
            ] {
                let mut days: Vec<chrono::NaiveDate> =
                    canteen::canteen::ordering::month_meals(c, from, to)?
                        .into_iter()
                        .map(|m| m.day)
                        .collect();
                days.sort();
                out.push(days);
            }
            Ok(out)
        })
        .await
        .expect("read");
    assert_eq!(
        got,
        [
            vec![d(2024, 2, 29), d(2024, 3, 1)],
            vec![d(2026, 12, 31), d(2027, 1, 1)]
        ]
    );
}

/// Reopening a month reverses its subsidy payments on the day it is reopened; closing it again
/// pays them anew at the month's end. The budget counts the month's subsidy once in every
/// period — also one that ends before the reopening.
#[actix_web::test]
async fn a_month_reopened_and_closed_again_is_spent_once_in_the_budget_of_any_period() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let month = scalar_text(&app, "SELECT month AS t FROM month_closes");
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    let periods = [month.clone(), "2026".to_string(), "2026-Q4".to_string()];
    let mut before = Vec::new();
    for p in &periods {
        let r = kt.get(&format!("/reports/subsidy-budget?period={p}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        before.push(r.texts("table.report tr"));
    }
    assert!(before[0]
        .iter()
        .any(|r| r.contains('₫') && !r.contains(" 0 ₫")));
    for _ in 0..2 {
        let m = month.clone();
        app.state
            .db
            .write_tx(move |c| {
                let first = canteen::ui::format::parse_month(&m).expect("month");
                let now = chrono::Utc::now().naive_utc();
                let actor = canteen::audit::Actor::system("test");
                canteen::accounting::store::reopen_month(c, &actor, now, first, "Kiểm thử mở lại")?;
                canteen::accounting::store::close_month(c, &actor, now, first)?;
                Ok(())
            })
            .expect("reopen and close");
    }
    for (p, b) in periods.iter().zip(&before) {
        let r = kt.get(&format!("/reports/subsidy-budget?period={p}")).await;
        assert_eq!(r.texts("table.report tr"), *b, "period {p}");
    }
}

/// A dashboard figure is its report's total as the report shows it: a share is rounded once,
/// to a tenth of a per cent, not first to a basis point and then again (7 of 13 is 53,846 %:
/// 53,8 %, where the twice-rounded figure was 53,9 %). The same for each month of its chart.
#[actix_web::test]
async fn a_dashboard_share_is_rounded_once_as_in_the_report_it_links_to() {
    let app = TestApp::spawn().await;
    canteen_fixture(&app);
    for i in 0..3 {
        app.person(&format!("X{i}"), &format!("Người không ăn {i}"));
    }
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let p = leader
        .get("/reports/canteen-participation?period=2026-11")
        .await;
    assert_eq!(total(&p)[1..], ["13", "7", "53,8 %"]);
    let dash = leader.get("/dashboard").await;
    let tile = dash
        .texts("section.tile")
        .into_iter()
        .find(|t| t.starts_with("Tỷ lệ cán bộ ăn trưa"))
        .expect("participation tile");
    let figure = dash.texts("section.tile p.figure strong");
    assert!(figure.iter().any(|f| f == "53,8 %"), "{figure:?}");
    assert!(!figure.iter().any(|f| f == "53,9 %"), "{figure:?}");
    assert!(
        tile.contains("53,8 %") && !tile.contains("53,9 %"),
        "{tile}"
    );
}
