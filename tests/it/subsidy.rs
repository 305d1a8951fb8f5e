//! Meal subsidies as staff and the kitchen see them: the statement follows the split, and
//! nothing the kitchen sees reveals who is subsidised.

use crate::support::*;
use canteen::auth::roles::Role;

/// Two funds; 10.000 ₫ a meal for everyone; low-income staff pay at most 15.000 ₫.
fn policies(app: &TestApp) {
    app.sql(
        "INSERT INTO funds (code, name, kind, active, created_at) VALUES \
           ('TA', 'Kinh phí tự chủ – tiền ăn trưa', 'budget', true, '2026-01-01 00:00:00'), \
           ('PL', 'Quỹ phúc lợi', 'welfare', true, '2026-01-01 00:00:00'); \
         INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, fund_id, valid_from, legal_basis, created_at) VALUES \
           ('Hỗ trợ chung', 'everyone', '', 'fixed', 10000, 1, '2026-01-01', 'Quy chế chi tiêu nội bộ, Điều 12', '2026-01-01 00:00:00'), \
           ('Hỗ trợ thu nhập thấp', 'band', 'low_income', 'staff_max', 15000, 2, '2026-01-01', 'Quy chế chi tiêu nội bộ, Điều 13', '2026-01-01 00:00:00');",
    );
}

#[actix_web::test]
async fn staff_see_their_month_split_into_subsidy_and_what_they_pay() {
    let app = TestApp::spawn().await;
    policies(&app);
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    app.sql(&format!(
        "INSERT INTO eligibility (person_id, band, valid_from, basis, decision_no, decided_at) \
         VALUES ({lan_p}, 'low_income', '2026-12-02', 'decision', '12/QĐ-VP', '2026-11-27 01:00:00')"
    ));
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
    set_field(&mut f, &key(days[2]), &ids[2][1].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let page = lan.get("/statement?month=2026-12").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("tbody tr");
    // 01/12: 35.000 − 10.000 general; 02/12 (vegetarian 30.000, eligible from that day):
    // 10.000 general + 5.000 top-up, pays 15.000.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("01/12/2026") && rows[0].contains("10.000") && rows[0].contains("25.000"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("02/12/2026") && rows[1].contains("15.000"),
        "{}",
        rows[1]
    );
    let total = page.texts("tfoot tr").join(" ");
    assert!(
        total.contains("65.000") && total.contains("25.000") && total.contains("40.000"),
        "{total}"
    );
    assert!(
        page.body.contains("Tạm tính"),
        "the month is open: provisional"
    );
}

/// What the kitchen receives for a day, as bytes.
async fn kitchen_outputs(bep: &mut Client, person: i32) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for path in [
        "/kitchen/headcount?date=01/12/2026".to_string(),
        "/kitchen/headcount/print?date=01/12/2026".to_string(),
        "/kitchen/headcount.csv?date=01/12/2026".to_string(),
        "/kitchen/counter".to_string(),
        format!("/kitchen/history/{person}?date=2026-12-01"),
        format!("/kitchen/on-behalf/{person}"),
        "/kitchen/report?from=30/11/2026&to=04/12/2026".to_string(),
    ] {
        let r = bep.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        out.push((path, r.bytes));
    }
    out
}

#[actix_web::test]
async fn nothing_the_kitchen_sees_reveals_who_is_subsidised() {
    let app = TestApp::spawn().await;
    policies(&app);
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    app.clock().set(local(d(2026, 12, 1), 10, 0, 0));
    // One session, a frozen clock: the same request must give the same bytes.
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    let without = kitchen_outputs(&mut bep, lan_p).await;
    app.sql(&format!(
        "INSERT INTO eligibility (person_id, band, valid_from, basis, decided_at) \
         VALUES ({lan_p}, 'low_income', '2026-11-01', 'rule', '2026-11-27 01:00:00')"
    ));
    let with = kitchen_outputs(&mut bep, lan_p).await;
    for ((path, a), (_, b)) in without.iter().zip(&with) {
        assert!(a == b, "{path} differs once Lan is eligible");
    }
    // And the kitchen cannot open a statement.
    assert_eq!(bep.get("/statement").await.status, 403);
}

#[actix_web::test]
async fn an_overlapping_decision_of_the_same_band_is_refused_naming_the_existing_one() {
    use canteen::audit::Actor;
    use canteen::subsidy::store::{add_eligibility, NewEligibility};
    let app = TestApp::spawn().await;
    let lan = app.person("LAN", "Nguyễn Thị Lan");
    let now = app.state.clock.now_naive();
    let decide =
        move |from: chrono::NaiveDate, to: Option<chrono::NaiveDate>, band: &'static str| {
            app.state.db.write_tx(move |c| {
                add_eligibility(
                    c,
                    &Actor::system("test"),
                    now,
                    &NewEligibility {
                        person: lan,
                        band,
                        from,
                        to,
                        basis: "decision",
                        decision_no: Some("5/QĐ-VP"),
                        decision_date: Some(d(2026, 11, 20)),
                        note: "",
                    },
                )
            })
        };
    let first = decide(d(2026, 12, 1), Some(d(2026, 12, 31)), "low_income").expect("first");
    let first = first.expect("recorded");
    assert_eq!(
        decide(d(2026, 12, 20), None, "low_income").expect("checked"),
        Err(first),
        "overlaps the first"
    );
    assert!(decide(d(2027, 1, 1), None, "low_income")
        .expect("after")
        .is_ok());
    assert!(decide(d(2026, 12, 20), None, "hardship")
        .expect("another band")
        .is_ok());
}

#[actix_web::test]
async fn closing_a_month_stores_its_split_freezes_it_and_the_payroll_file_adds_up() {
    let app = TestApp::spawn().await;
    policies(&app);
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, _) = app.staff("binh").await;
    for c in [&mut lan, &mut binh] {
        let mut f = c.get("/week").await.form("/week");
        set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
        set_field(&mut f, &key(days[2]), &ids[2][0].to_string());
        assert_eq!(c.post("/week", &refs(&f)).await.status, 303);
    }
    app.sql("UPDATE persons SET category = 'hop_dong' WHERE employee_code = 'BINH'");
    let accountant = app.user("ketoan", &[Role::Accountant]);
    let mut kt = app.session_for(accountant).await;
    // December is not over: it cannot be closed.
    let page = kt.get("/accounting/month?m=2026-12").await;
    assert!(page.body.contains("chưa khóa sổ"), "{}", page.body);
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.count("month_closes"), 0);

    app.clock().set(local(d(2027, 1, 2), 9, 0, 0));
    let mut kt = app.session_for(accountant).await;
    kt.get("/accounting/month?m=2026-12").await;
    // A month that is not one is refused, never replaced by another month.
    for bad in ["2025-13", "abc", "2026-1", ""] {
        let r = kt
            .post(
                &format!("/accounting/month/close?m={bad}"),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    assert_eq!(kt.get("/accounting/month?m=2026-13").await.status, 400);
    assert_eq!(app.count("month_closes"), 0);
    // No supplier invoice in this test: the whole cost is the difference, explained.
    let r = kt
        .post(
            "/accounting/month/note?m=2026-12",
            &[("note", "Không có hóa đơn nhà cung cấp trong tháng thử")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Four meals of 35.000: 10.000 each from the meals fund, 25.000 each paid by staff.
    assert_eq!(app.count("statement_lines WHERE month = '2026-12'"), 4);
    assert_eq!(
        app.count("month_closes WHERE charged_vnd = 140000 AND subsidy_vnd = 40000 AND staff_vnd = 100000"),
        1
    );
    assert_eq!(
        app.count("periods WHERE month = '2026-12' AND state = 'closed'"),
        1
    );
    let page = kt.get("/accounting/month?m=2026-12").await;
    assert!(page.body.contains("Đã khóa sổ"), "{}", page.body);

    // A closed month refuses changes: reopening a December day, for one.
    let bep_id = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep_id).await;
    bep.get("/kitchen/calendar?month=2026-12").await;
    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[("day", "05/12/2026"), ("reason", "Làm bù")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Tháng này đã khóa sổ"), "{}", r.body);

    // The payroll file: Lan deducted from pay, Bình (a contractor) collected in cash.
    let csv = kt.get("/accounting/payroll.csv?m=2026-12").await;
    let text = String::from_utf8(csv.bytes.clone()).expect("utf-8");
    let lan_line = text.lines().find(|l| l.starts_with("LAN,")).expect("Lan");
    assert!(
        lan_line.contains(",2,") && lan_line.contains("Trừ lương"),
        "{text}"
    );
    let binh_line = text.lines().find(|l| l.starts_with("BINH,")).expect("Bình");
    assert!(
        binh_line.contains("50000") && binh_line.contains("Thu tiền mặt"),
        "{text}"
    );
    // Collected in cash, so nothing of it is deducted from pay (meals 50.000, dues 0, total 0).
    assert!(
        binh_line.contains(",50000,0,0,0,0,Thu tiền mặt"),
        "{binh_line}"
    );
    // The payroll system reads people only: the totals are in the XLSX, not the CSV.
    assert!(!text.contains("Cộng thu tiền mặt"), "{text}");
    let xlsx = kt.get("/accounting/payroll.xlsx?m=2026-12").await;
    assert!(xlsx.bytes.starts_with(b"PK"));
    // Read back: the amounts are numbers, and the file's totals are the page's total.
    {
        use calamine::{DataType, Reader};
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone()))
                .expect("an XLSX");
        let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("cells");
        let row_total = |label: &str| {
            sheet
                .rows()
                .find(|r| r.get(1).is_some_and(|c| *c == label))
                .and_then(|r| r.get(4).and_then(|c| c.as_f64()))
                .unwrap_or_else(|| panic!("a {label} row with a number"))
        };
        let lan_row = sheet
            .rows()
            .find(|r| r.first().is_some_and(|c| *c == "LAN"))
            .expect("Lan's row");
        assert_eq!(lan_row[4].as_f64(), Some(50_000.0), "a number, not text");
        let file_total = row_total("Cộng trừ lương") + row_total("Cộng thu tiền mặt");
        let page_total = page
            .texts("tr")
            .into_iter()
            .find(|t| t.contains("Cán bộ phải trả"))
            .map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>())
            .and_then(|d| d.parse::<f64>().ok())
            .expect("the page's total");
        assert_eq!(file_total, page_total);
        assert_eq!(page_total, 100_000.0);
    }
    assert_eq!(
        app.count("audit_log WHERE action = 'accounting_payroll.export'"),
        2
    );

    // Staff and the kitchen cannot open any of it.
    let mut lan = app.session_for(app.user("lan2", &[Role::Staff])).await;
    assert_eq!(lan.get("/accounting/month?m=2026-12").await.status, 403);
    assert_eq!(
        bep.get("/accounting/payroll.csv?m=2026-12").await.status,
        403
    );

    // A decision reaching back into the closed month is refused; Lan's statement of December
    // shows the closed figures.
    let r = kt
        .post(
            "/accounting/eligibility",
            &[
                ("code", "lan"),
                ("band", "low_income"),
                ("from", "01/11/2026"),
                ("to", "31/12/2026"),
                ("basis", "decision"),
                ("decision_no", "1/QĐ"),
                ("decision_date", "01/11/2026"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("đã khóa sổ"), "{}", r.body);
    let mut lan_now = app.session_of("lan").await;
    let stmt = lan_now.get("/statement?month=2026-12").await;
    assert!(stmt.body.contains("Tháng đã khóa sổ"), "{}", stmt.body);
    assert!(
        stmt.texts("tfoot tr").join(" ").contains("50.000"),
        "two meals, 25.000 each"
    );

    // The stored digest is the digest of the stored lines; an edit of a line shows.
    let digest_now = |app: &TestApp| {
        app.state
            .db
            .write_tx(|c| {
                let lines = canteen::accounting::store::stored(c, "2026-12")?;
                let closed = canteen::accounting::store::closed(c, "2026-12")?
                    .ok_or(canteen::error::AppError::NotFound)?;
                Ok((
                    canteen::accounting::store::digest(&lines, &[]),
                    closed.digest,
                ))
            })
            .expect("digest")
    };
    let (computed, stored) = digest_now(&app);
    assert_eq!(computed, stored);
    assert!(app.sql_ok(&format!(
        "UPDATE statement_lines SET staff_vnd = 24000, subsidy_vnd = 11000 WHERE person_id = {lan_p}"
    )));
    let (computed, stored) = digest_now(&app);
    assert_ne!(
        computed, stored,
        "a changed line no longer matches the digest"
    );
}

#[actix_web::test]
async fn accountants_record_decisions_overlaps_are_refused_and_the_kitchen_sees_none() {
    let app = TestApp::spawn().await;
    app.person("LAN", "Nguyễn Thị Lan");
    let kt = app.user("ketoan", &[Role::Accountant]);
    let mut kt = app.session_for(kt).await;
    kt.get("/accounting/eligibility").await;
    let decide = |from: &'static str, to: &'static str| {
        [
            ("code", "LAN"),
            ("band", "low_income"),
            ("from", from),
            ("to", to),
            ("basis", "decision"),
            ("decision_no", "15/QĐ-VP"),
            ("decision_date", "20/11/2026"),
            ("note", ""),
        ]
    };
    let r = kt
        .post(
            "/accounting/eligibility",
            &decide("01/12/2026", "15/12/2026"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = kt
        .post("/accounting/eligibility", &decide("10/12/2026", ""))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("trùng thời gian"), "{}", r.body);
    assert!(r.body.contains("value=\"10/12/2026\""), "the input is kept");
    let mut bad = decide("31/02/2026", "");
    bad[0] = ("code", "KHONGCO");
    let r = kt.post("/accounting/eligibility", &bad).await;
    assert_eq!(r.status, 422);
    assert_eq!(app.count("eligibility"), 1, "nothing else was recorded");

    let page = kt.get("/accounting/eligibility").await;
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Thu nhập thấp") && rows[0].contains("15/QĐ-VP"),
        "{}",
        rows[0]
    );
    assert!(
        page.texts(".notice").join(" ").contains("Nguyễn Thị Lan"),
        "ends within 30 days"
    );

    let union = app.user("congdoan", &[Role::UnionOfficer]);
    let mut union = app.session_for(union).await;
    let page = union.get("/accounting/eligibility").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.has("form[action='/accounting/eligibility']"),
        "reads, does not decide"
    );
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    assert_eq!(bep.get("/accounting/eligibility").await.status, 403);
}

#[actix_web::test]
async fn an_accountant_adds_a_policy_and_the_statement_follows_it() {
    let app = TestApp::spawn().await;
    policies(&app);
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, _) = app.staff("lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[3]), &ids[3][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);

    let kt = app.user("ketoan", &[Role::Accountant]);
    let mut kt = app.session_for(kt).await;
    kt.get("/accounting/policies").await;
    let add = |amount: &'static str, from: &'static str| {
        [
            ("name", "Hỗ trợ thêm tháng 12"),
            ("covers", "everyone"),
            ("kind", "percent"),
            ("amount", amount),
            ("cap", ""),
            ("fund", "1"),
            ("from", from),
            ("to", "31/12/2026"),
            ("legal_basis", "Quyết định 20/QĐ-VP"),
        ]
    };
    let r = kt
        .post("/accounting/policies", &add("150", "03/12/2026"))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("tỷ lệ tối đa 100%"), "{}", r.body);
    let mut bad_fund = add("20", "03/12/2026");
    bad_fund[5] = ("fund", "99");
    assert_eq!(
        kt.post("/accounting/policies", &bad_fund).await.status,
        422,
        "no such fund"
    );
    // A sum of money typed wrong is told as a sum, not as a percentage.
    for (kind, amount) in [("fixed", "abc"), ("fixed", "-5.000"), ("staff_max", "15,5")] {
        let mut money = add(amount, "03/12/2026");
        money[2] = ("kind", kind);
        let r = kt.post("/accounting/policies", &money).await;
        assert_eq!(r.status, 422, "{kind} {amount}");
        assert!(
            r.body.contains("Mức hỗ trợ phải là một số tiền"),
            "{kind} {amount}: {}",
            r.body
        );
        assert!(!r.body.contains("tỷ lệ tối đa 100%"), "{kind} {amount}");
    }
    // A cap of no meals would pay nothing: refused beside the field (empty is "no cap").
    let mut no_meals = add("20", "03/12/2026");
    no_meals[4] = ("cap", "0");
    let r = kt.post("/accounting/policies", &no_meals).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("từ 1 đến 31"), "{}", r.body);
    // The form offers the budget's funds first (a new policy starts on one of them), also
    // when a union fund's code comes first.
    app.sql("INSERT INTO funds (code, name, kind, active, created_at) VALUES ('CĐ', 'Quỹ công đoàn', 'union', true, '2026-01-01 00:00:00')");
    let page = kt.get("/accounting/policies").await;
    let first_fund = page
        .form("/accounting/policies")
        .into_iter()
        .find(|(k, _)| k == "fund")
        .map(|(_, v)| v)
        .unwrap_or_default();
    assert_eq!(
        app.count(&format!(
            "funds WHERE id = {first_fund} AND kind = 'budget'"
        )),
        1,
        "first fund offered: {first_fund}"
    );
    let mut zero = add("0", "03/12/2026");
    zero[2] = ("kind", "fixed");
    assert_eq!(
        kt.post("/accounting/policies", &zero).await.status,
        422,
        "a subsidy of 0"
    );
    let r = kt
        .post("/accounting/policies", &add("20", "03/12/2026"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = kt.get("/accounting/policies").await;
    assert!(page.body.contains("20,00 % giá suất"), "{}", page.body);

    // The same policy again over some of its days (a second form, not a double click) would
    // pay the 20 % twice: refused, saying why; another level on the same days is a policy.
    let policies_before = app.count("subsidy_policies");
    let r = kt
        .post("/accounting/policies", &add("20", "15/12/2026"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.texts(".field.invalid .error")
            .iter()
            .any(|t| t.contains("hỗ trợ hai lần")),
        "{}",
        r.body
    );
    assert_eq!(app.count("subsidy_policies"), policies_before);

    // 03/12: 10.000 general, then 20 % of 35.000 = 7.000 → Lan pays 18.000.
    let rows = lan.get("/statement?month=2026-12").await.texts("tbody tr");
    assert!(
        rows[0].contains("17.000") && rows[0].contains("18.000"),
        "{rows:?}"
    );
    let mut after_it = add("20", "01/01/2027");
    after_it[7] = ("to", "");
    let r = kt.post("/accounting/policies", &after_it).await;
    assert_eq!(r.status, 303, "the same level after it ends: {}", r.body);
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    assert_eq!(bep.get("/accounting/policies").await.status, 403);
}

#[actix_web::test]
async fn a_salary_under_the_threshold_suggests_a_candidate_the_accountant_confirms() {
    let app = TestApp::spawn().await;
    policies(&app);
    app.sql("UPDATE subsidy_policies SET income_threshold_vnd = 7000000 WHERE covers = 'band'");
    app.person("LAN", "Nguyễn Thị Lan");
    app.person("HUNG", "Trần Văn Hùng");
    let kt = app.user("ketoan", &[Role::Accountant]);
    let mut kt = app.session_for(kt).await;
    kt.get("/accounting/salary").await;
    let basis = |code: &'static str, grade: &'static str| {
        [
            ("code", code),
            ("from", "01/07/2026"),
            ("grade", grade),
            ("allowance", "0,2"),
        ]
    };
    let r = kt.post("/accounting/salary", &basis("LAN", "2,345")).await;
    assert_eq!(r.status, 422, "three decimals");
    assert_eq!(
        kt.post("/accounting/salary", &basis("LAN", "2,34"))
            .await
            .status,
        303
    );
    assert_eq!(
        kt.post("/accounting/salary", &basis("HUNG", "4,98"))
            .await
            .status,
        303
    );
    let r = kt.post("/accounting/salary", &basis("LAN", "2,67")).await;
    assert_eq!(r.status, 422, "one basis per person and day");

    // (2,34 + 0,20) × 2.340.000 = 5.943.600 ₫ < 7.000.000 ₫; Hùng earns 12.121.200 ₫.
    let page = kt.get("/accounting/salary").await;
    let suggested = page.texts("table:first-of-type tbody tr");
    assert_eq!(suggested.len(), 1, "{suggested:?}");
    assert!(
        suggested[0].contains("Nguyễn Thị Lan") && suggested[0].contains("5.943.600"),
        "{}",
        suggested[0]
    );
    for (code, band) in [("HUNG", "low_income"), ("LAN", "hardship")] {
        let r = kt
            .post(
                "/accounting/eligibility/confirm",
                &[("code", code), ("band", band)],
            )
            .await;
        assert_eq!(r.status, 400, "{code} {band} is not a suggestion");
    }
    let r = kt
        .post(
            "/accounting/eligibility/confirm",
            &[("code", "lan"), ("band", "low_income")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("eligibility WHERE basis = 'rule' AND valid_from = '2026-11-01'"),
        1
    );
    let page = kt.get("/accounting/salary").await;
    assert!(
        !page.body.contains("Đề xuất đối tượng"),
        "nobody left to suggest"
    );

    let approver = app.user("duyet", &[Role::Approver]);
    let mut approver = app.session_for(approver).await;
    assert_eq!(
        approver.get("/accounting/salary").await.status,
        403,
        "salaries are not the approver's"
    );
    let union = app.user("congdoan", &[Role::UnionOfficer]);
    let mut union = app.session_for(union).await;
    assert_eq!(union.get("/accounting/salary").await.status, 200);
}

#[actix_web::test]
async fn a_decision_or_policy_ends_only_where_months_are_open_and_the_person_sees_their_own() {
    let app = TestApp::spawn().await;
    policies(&app);
    let (_, lan_p) = app.staff("lan").await;
    let (_, _binh) = app.staff("binh").await;
    app.sql(&format!(
        "INSERT INTO eligibility (person_id, band, valid_from, basis, decision_no, decided_at) \
         VALUES ({lan_p}, 'low_income', '2026-10-01', 'decision', '7/QĐ-VP', '2026-09-30 01:00:00'); \
         INSERT INTO periods (month, state, changed_at) VALUES ('2026-10', 'closed', '2026-11-02 00:00:00')"
    ));
    let mut kt = app
        .session_for(app.user("ketoan", &[Role::Accountant]))
        .await;
    let page = kt.get("/accounting/eligibility").await;
    assert!(page.has("form[action='/accounting/eligibility/1/end']"));
    // Ending inside the closed October would change it: refused, by the store and the database.
    let end = |to: &'static str| {
        [
            ("to", to),
            ("reason", "Hết diện thu nhập thấp"),
            ("confirm", "yes"),
        ]
    };
    let r = kt
        .post("/accounting/eligibility/1/end", &end("20/10/2026"))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("đã khóa sổ"), "{}", r.body);
    assert!(!app.sql_ok("UPDATE eligibility SET valid_to = '2026-10-20' WHERE id = 1"));
    // Ending it on 30/11 changes only open months.
    let r = kt
        .post("/accounting/eligibility/1/end", &end("30/11/2026"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("eligibility WHERE id = 1 AND valid_to = '2026-11-30'"),
        1
    );
    // Not later than it ends now, and not without a reason.
    assert_eq!(
        kt.post("/accounting/eligibility/1/end", &end("15/12/2026"))
            .await
            .status,
        400
    );
    let r = kt
        .post(
            "/accounting/eligibility/1/end",
            &[("to", "20/11/2026"), ("reason", " "), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.audit_after("subsidy_eligibility.end").len(), 1);
    // A policy ends the same way.
    let r = kt
        .post("/accounting/policies/1/end", &end("31/12/2026"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("subsidy_policies WHERE id = 1 AND valid_to = '2026-12-31'"),
        1
    );
    assert_eq!(
        kt.post("/accounting/policies/2/end", &end("15/10/2026"))
            .await
            .status,
        400
    );

    // Lan sees her own decision on her statement; Bình sees none of it.
    let mut lan = app.session_of("lan").await;
    let own = lan.get("/statement?month=2026-11").await;
    assert!(
        own.body.contains("7/QĐ-VP") && own.body.contains("30/11/2026"),
        "{}",
        own.body
    );
    let mut binh = app.session_of("binh").await;
    let other = binh.get("/statement?month=2026-11").await;
    assert!(!other.body.contains("7/QĐ-VP"));
    assert_eq!(binh.get("/accounting/eligibility").await.status, 403);
}

#[actix_web::test]
async fn the_union_proposes_and_an_accountant_decides() {
    let app = TestApp::spawn().await;
    policies(&app);
    let (_, lan_p) = app.staff("lan").await;
    let (_, _) = app.staff("binh").await;
    let mut cd = app
        .session_for(app.user("congdoan", &[Role::UnionOfficer]))
        .await;
    let page = cd.get("/accounting/eligibility").await;
    assert!(page.has("form[action='/accounting/eligibility/proposals']"));
    let propose = |code: &'static str, band: &'static str| {
        [
            ("code", code),
            ("band", band),
            ("from", "01/12/2026"),
            ("to", ""),
            ("reason", "Chồng ốm dài ngày, hai con nhỏ"),
        ]
    };
    assert_eq!(
        cd.post(
            "/accounting/eligibility/proposals",
            &propose("lan", "hardship")
        )
        .await
        .status,
        303
    );
    // The same person and band again while pending: refused.
    assert_eq!(
        cd.post(
            "/accounting/eligibility/proposals",
            &propose("LAN", "hardship")
        )
        .await
        .status,
        400
    );
    assert_eq!(
        cd.post(
            "/accounting/eligibility/proposals",
            &propose("binh", "low_income")
        )
        .await
        .status,
        303
    );
    assert_eq!(
        cd.post(
            "/accounting/eligibility/proposals",
            &propose("NOBODY", "low_income")
        )
        .await
        .status,
        400
    );
    // The union officer cannot decide.
    assert_eq!(
        cd.post(
            "/accounting/eligibility/proposals/1/accept",
            &[("decision_no", "1"), ("decision_date", "01/12/2026")]
        )
        .await
        .status,
        403
    );
    let mut kt = app
        .session_for(app.user("ketoan", &[Role::Accountant]))
        .await;
    let page = kt.get("/accounting/eligibility").await;
    assert!(page.body.contains("Chồng ốm dài ngày"));
    let r = kt
        .post(
            "/accounting/eligibility/proposals/1/accept",
            &[("decision_no", "21/QĐ-VP"), ("decision_date", "20/11/2026")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "eligibility WHERE person_id = {lan_p} AND band = 'hardship' AND basis = 'decision' AND decision_no = '21/QĐ-VP'"
        )),
        1
    );
    let r = kt
        .post(
            "/accounting/eligibility/proposals/2/decline",
            &[("reason", "Thu nhập trên ngưỡng")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("eligibility_proposals WHERE state = 'declined'"),
        1
    );
    // Decided proposals stay decided.
    assert_eq!(
        kt.post(
            "/accounting/eligibility/proposals/2/decline",
            &[("reason", "x")]
        )
        .await
        .status,
        400
    );
    assert_eq!(app.audit_after("subsidy_eligibility.propose").len(), 2);
    let mut bep = app.session_for(app.user("bep", &[Role::Kitchen])).await;
    assert_eq!(bep.get("/accounting/eligibility").await.status, 403);
}
