//! Retirees: records with a health note for union officers only, pensions as the basis of
//! retired Party members' dues, visits, and a death that takes them off every list.

use crate::support::TestApp;
use crate::welfare::dues_rule;
use canteen::auth::roles::Role;

/// A retired person (retired on `retired`, born `born`, ISO dates); returns their id.
fn retiree(app: &TestApp, code: &str, name: &str, born: &str, retired: &str) -> i32 {
    let id = app.person(code, name);
    app.sql(&format!(
        "UPDATE persons SET status = 'retired', status_date = '{retired}', date_of_birth = '{born}', gender = 'female' WHERE id = {id}"
    ));
    id
}

fn fund(app: &TestApp) -> i32 {
    app.sql("INSERT INTO funds (code, name, kind, active, created_at) VALUES ('CD', 'Quỹ công đoàn', 'union', TRUE, '2026-01-01 00:00:00')");
    app.sql("INSERT INTO vouchers (fund_id, year, kind, number, voucher_date, amount_vnd, description, posted_at) SELECT id, 2026, 'receipt', 1, '2026-01-05', 50000000, 'Kinh phí', '2026-01-05 08:00:00' FROM funds WHERE code = 'CD'");
    let mut c = app.state.db.read_conn().expect("conn");
    use diesel::prelude::*;
    canteen::db::schema::funds::table
        .select(canteen::db::schema::funds::id)
        .first::<i32>(&mut c)
        .expect("fund id")
}

async fn post_record(
    c: &mut crate::support::Client,
    id: i32,
    phone: &str,
    note: &str,
) -> crate::support::Resp {
    c.get(&format!("/welfare/retirees/{id}")).await;
    c.post(
        &format!("/welfare/retirees/{id}"),
        &[
            ("retired_on", "01/07/2018"),
            ("former_unit", ""),
            ("address", "12 Kim Mã, Ba Đình, Hà Nội"),
            ("region", "Ba Đình"),
            ("contact_name", "Nguyễn Văn Khang (con trai)"),
            ("contact_phone", phone),
            ("health_note", note),
        ],
    )
    .await
}

#[actix_web::test]
async fn a_retirees_record_keeps_where_they_live_and_a_health_note_that_only_union_officers_read() {
    let app = TestApp::spawn().await;
    let id = retiree(&app, "HT1", "Nguyễn Thị Hòa", "1950-03-04", "2010-04-01");
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;

    // A bad phone number: refused beside the field, nothing stored.
    let bad = post_record(&mut cd, id, "0912<script>", "Tiểu đường").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("Số điện thoại gồm 8–15 chữ số"),
        "{}",
        bad.body
    );
    assert_eq!(app.count("retirees"), 0);
    // Fifty zeros, or a number too short to call, are no number either (QA).
    for phone in ["0".repeat(50), "0912".to_string()] {
        let bad = post_record(&mut cd, id, &phone, "Tiểu đường").await;
        assert_eq!(bad.status, 422, "{phone}: {}", bad.body);
    }
    assert_eq!(app.count("retirees"), 0);

    // A unit that does not exist: refused beside the field (not a server error).
    cd.get(&format!("/welfare/retirees/{id}")).await;
    let unit = cd
        .post(
            &format!("/welfare/retirees/{id}"),
            &[
                ("retired_on", "01/07/2018"),
                ("former_unit", "9999"),
                ("address", ""),
                ("region", ""),
                ("contact_name", ""),
                ("contact_phone", ""),
                ("health_note", ""),
            ],
        )
        .await;
    assert_eq!(unit.status, 422, "{}", unit.body);
    assert!(unit.body.contains("Đơn vị không có trong danh mục"));
    let ok = post_record(&mut cd, id, "0912 345 678", "Tiểu đường, đi lại khó").await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = cd.get(&format!("/welfare/retirees/{id}")).await;
    assert!(page.body.contains("12 Kim Mã, Ba Đình, Hà Nội"));
    assert!(page.body.contains("Tiểu đường, đi lại khó"));
    // The list finds them by region and by a name typed without accents.
    let list = cd
        .get("/welfare/retirees?q=hoa&region=Ba+%C4%90%C3%ACnh")
        .await;
    assert_eq!(list.texts("main table tbody td:first-child"), vec!["HT1"]);
    let csv = cd.get("/welfare/retirees.csv?q=&region=").await;
    assert_eq!(
        app.audit_after("retiree.export").len(),
        1,
        "personal data: audited"
    );
    assert!(csv.body.contains("0912 345 678"), "{}", csv.body);
    assert!(
        !csv.body.contains("Tiểu đường"),
        "the health note stays off exports"
    );

    // The audit log records the change but not the health note itself.
    let audit = app.audit_after("retiree.update");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["health_note"], "(changed)");
    assert!(!audit[0].to_string().contains("Tiểu đường"));

    // Two tabs: the second save of a form opened before the first one is refused, not lost.
    let page = cd.get(&format!("/welfare/retirees/{id}")).await;
    let tab_a = page.form(&format!("/welfare/retirees/{id}"));
    let mut tab_b = tab_a.clone();
    crate::support::set_field(&mut tab_b, "address", "5 Láng Hạ, Đống Đa, Hà Nội");
    let b = cd
        .post(
            &format!("/welfare/retirees/{id}"),
            &crate::support::refs(&tab_b),
        )
        .await;
    assert_eq!(b.status, 303, "{}", b.body);
    let mut tab_a = tab_a;
    crate::support::set_field(&mut tab_a, "health_note", "Đã khỏe hơn");
    let a = cd
        .post(
            &format!("/welfare/retirees/{id}"),
            &crate::support::refs(&tab_a),
        )
        .await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("vừa được sửa ở nơi khác"), "{}", a.body);
    let now = cd.get(&format!("/welfare/retirees/{id}")).await;
    assert!(now.body.contains("5 Láng Hạ") && !now.body.contains("Đã khỏe hơn"));
    // The refusal shows the record as it is now, with its version: saved from there, the
    // change goes through (it used to keep the old version and refuse every save).
    let mut again = a.form(&format!("/welfare/retirees/{id}"));
    assert!(
        again
            .iter()
            .any(|(k, v)| k == "address" && v.contains("5 Láng Hạ")),
        "{again:?}"
    );
    crate::support::set_field(&mut again, "health_note", "Đã khỏe hơn");
    let r = cd
        .post(
            &format!("/welfare/retirees/{id}"),
            &crate::support::refs(&again),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A problem of the form on a stale page: told it is stale (put right, it would only be
    // refused then), not only the problem.
    crate::support::set_field(&mut tab_b, "retired_on", "31/02/2015");
    let r = cd
        .post(
            &format!("/welfare/retirees/{id}"),
            &crate::support::refs(&tab_b),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("vừa được sửa ở nơi khác"), "{}", r.body);

    // Nobody but union officers opens a retiree's record.
    for role in [Role::Admin, Role::Accountant, Role::Approver, Role::Staff] {
        let mut other = app.login_as(&format!("u_{role:?}"), &[role]).await;
        let r = other.get(&format!("/welfare/retirees/{id}")).await;
        assert_eq!(r.status, 403, "{role:?}");
        assert!(!r.body.contains("Tiểu đường"));
    }
}

#[actix_web::test]
async fn retired_party_members_pay_dues_on_the_pension_in_force_that_month() {
    let app = TestApp::spawn().await;
    let id = retiree(&app, "HT2", "Trần Văn Bình", "1955-06-06", "2015-07-01");
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    cd.get("/welfare/organisations").await;
    let r = cd
        .post(
            "/welfare/organisations",
            &[
                ("kind", "party_cell"),
                ("name", "Chi bộ"),
                ("parent", ""),
                ("started_on", "01/01/2020"),
            ],
        )
        .await;
    let cell = r.location();
    cd.get(&cell).await;
    let j = cd
        .post(
            &format!("{cell}/members"),
            &[
                ("code", "HT2"),
                ("role", "member"),
                ("joined_on", "01/01/2021"),
                ("member_since", ""),
                ("card_number", ""),
                ("collect_by", "cash"),
            ],
        )
        .await;
    assert_eq!(j.status, 303, "{}", j.body);
    cd.get("/welfare/dues/rules").await;
    let rule = dues_rule(
        &mut cd,
        ["party_cell", "retired", "pension"],
        ("01/01/2020", ""),
        ("0,5", ""),
        "Quy định 01-QĐ/TW",
    )
    .await;
    assert_eq!(rule.status, 303, "{}", rule.body);

    // Pensions: bad amounts and a second one for the same day are refused.
    cd.get(&format!("/welfare/retirees/{id}")).await;
    let url = format!("/welfare/retirees/{id}/pensions");
    for (from, amount) in [
        ("01/07/2024", "0"),
        ("01/07/2024", "abc"),
        ("31/02/2024", "6.000.000"),
        // Before retiring (01/07/2015), or more than a year ahead.
        ("01/06/2015", "6.000.000"),
        ("01/01/2035", "6.000.000"),
    ] {
        let r = cd
            .post(&url, &[("valid_from", from), ("monthly", amount)])
            .await;
        assert_eq!(r.status, 422, "{from} {amount}");
    }
    for (from, amount) in [("01/07/2024", "6.000.000"), ("01/07/2025", "6.900.000")] {
        let r = cd
            .post(&url, &[("valid_from", from), ("monthly", amount)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let again = cd
        .post(
            &url,
            &[("valid_from", "01/07/2025"), ("monthly", "7.000.000")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again
        .body
        .contains("Đã có mức lương hưu áp dụng từ ngày này"));
    assert_eq!(app.count("pensions"), 2);
    // A correction of that day's amount, asked for: replaced, audited with what it was.
    let fixed = cd
        .post(
            &url,
            &[
                ("valid_from", "01/07/2025"),
                ("monthly", "6.950.000"),
                ("replace", "yes"),
            ],
        )
        .await;
    assert_eq!(fixed.status, 303, "{}", fixed.body);
    assert_eq!(app.count("pensions"), 2);
    assert_eq!(app.audit_after("pension.correct").len(), 1);
    assert_eq!(app.count("pensions WHERE monthly_vnd = 6950000"), 1);

    // 0,5 % of the pension in force on the first of the month.
    let org = cell.rsplit('/').next().unwrap_or_default().to_string();
    for month in ["2025-06", "2025-07"] {
        cd.get(&format!("/welfare/dues?org={org}&m={month}")).await;
        let g = cd
            .post(
                "/welfare/dues/generate",
                &[("org", org.as_str()), ("m", month)],
            )
            .await;
        assert_eq!(g.status, 303, "{}", g.body);
    }
    let mut c = app.state.db.read_conn().expect("conn");
    use canteen::db::schema::dues;
    use diesel::prelude::*;
    let amounts: Vec<(String, i64)> = dues::table
        .order(dues::month.asc())
        .select((dues::month, dues::amount_vnd))
        .load(&mut c)
        .expect("dues");
    assert_eq!(
        amounts,
        vec![
            ("2025-06".to_string(), 30_000),
            ("2025-07".to_string(), 34_750)
        ]
    );
}

#[actix_web::test]
async fn a_death_takes_the_retiree_off_lists_from_that_day_ends_memberships_and_opens_the_funeral_case(
) {
    let app = TestApp::spawn().await;
    let id = retiree(&app, "HT3", "Lê Thị Cúc", "1946-05-05", "2006-06-01");
    let other = retiree(&app, "HT4", "Phạm Thị Đào", "1956-02-02", "2016-03-01");
    let f = fund(&app);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    cd.get("/welfare/organisations").await;
    let board = cd
        .post(
            "/welfare/organisations",
            &[
                ("kind", "retiree_board"),
                ("name", "Ban liên lạc hưu trí"),
                ("parent", ""),
                ("started_on", "01/01/2015"),
            ],
        )
        .await
        .location();
    for code in ["HT3", "HT4"] {
        cd.get(&board).await;
        let j = cd
            .post(
                &format!("{board}/members"),
                &[
                    ("code", code),
                    ("role", "member"),
                    ("joined_on", "01/01/2017"),
                    ("member_since", ""),
                    ("card_number", ""),
                    ("collect_by", "cash"),
                ],
            )
            .await;
        assert_eq!(j.status, 303, "{}", j.body);
    }
    // A visit in September.
    cd.get(&format!("/welfare/retirees/{id}")).await;
    let v = cd
        .post(
            &format!("/welfare/retirees/{id}/visits"),
            &[
                ("visited_on", "10/09/2026"),
                ("reason", "sickness"),
                ("visitors", "Chủ tịch công đoàn"),
                ("gift", "Hoa quả"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(v.status, 303, "{}", v.body);

    // Refused: a death in the future, before retirement, before a recorded visit, unconfirmed.
    let death = format!("/welfare/retirees/{id}/death");
    for (day, confirm) in [
        ("28/11/2026", "yes"),
        ("01/01/2005", "yes"),
        ("01/09/2026", "yes"),
        ("01/10/2026", ""),
    ] {
        let r = cd
            .post(&death, &[("died_on", day), ("confirm", confirm)])
            .await;
        assert_eq!(r.status, 422, "{day}: {}", r.body);
    }
    assert_eq!(app.count("retirees"), 0, "nothing changed");
    let r = cd
        .post(&death, &[("died_on", "01/10/2026"), ("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = cd.get(&format!("/welfare/retirees/{id}")).await;
    assert!(page.body.contains("Từ trần ngày 01/10/2026"));
    // The history is kept: the visit, the record, the membership (ended that day).
    assert!(page.body.contains("Hoa quả"));
    let ms = cd.get(&format!("/welfare/people/{id}")).await;
    assert!(ms.body.contains("01/10/2026"), "{}", ms.body);
    let again = cd
        .post(&death, &[("died_on", "02/10/2026"), ("confirm", "yes")])
        .await;
    assert_eq!(again.status, 422);
    // Nobody joins after they died; a retiree pays no dues through a payroll.
    let late_join = cd
        .post(
            &format!("{board}/members"),
            &[
                ("code", "HT3"),
                ("role", "member"),
                ("joined_on", "05/10/2026"),
                ("member_since", ""),
                ("card_number", ""),
                ("collect_by", "cash"),
            ],
        )
        .await;
    assert_eq!(late_join.status, 422, "{}", late_join.body);
    assert!(late_join.body.contains("trước ngày kết nạp"));
    cd.get("/welfare/organisations").await;
    let union = cd
        .post(
            "/welfare/organisations",
            &[
                ("kind", "union"),
                ("name", "Công đoàn cơ sở"),
                ("parent", ""),
                ("started_on", "01/01/2015"),
            ],
        )
        .await
        .location();
    for (collect, why) in [
        ("payroll", "không còn trong bảng lương"),
        ("cash", "Ban liên lạc hưu trí"),
    ] {
        let r = cd
            .post(
                &format!("{union}/members"),
                &[
                    ("code", "HT4"),
                    ("role", "member"),
                    ("joined_on", "01/01/2020"),
                    ("member_since", ""),
                    ("card_number", ""),
                    ("collect_by", collect),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{collect}");
        assert!(r.body.contains(why), "{collect}: {}", r.body);
    }
    // A visit after the death can only be the funeral.
    let late = cd
        .post(
            &format!("/welfare/retirees/{id}/visits"),
            &[
                ("visited_on", "05/10/2026"),
                ("reason", "tet"),
                ("visitors", "Ban liên lạc"),
                ("gift", ""),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(late.status, 422);

    // Lists: off the retirees list (unless asked), off an occasion after the death, still on
    // one before it; off this year's milestone list (she would have turned 80).
    let list = cd.get("/welfare/retirees").await;
    assert_eq!(list.texts("main table tbody td:first-child"), vec!["HT4"]);
    let with = cd.get("/welfare/retirees?deceased=1").await;
    assert_eq!(with.texts("main table tbody td:first-child").len(), 2);
    let ms = cd.get("/welfare/milestones?year=2026").await;
    assert!(!ms.body.contains("HT3"), "{}", ms.body);
    let mut listed = Vec::new();
    let mut urls = Vec::new();
    for (name, day) in [("Thăm hỏi 2/9", "01/09/2026"), ("Tết 2027", "20/11/2026")] {
        cd.get("/welfare/occasions").await;
        let r = cd
            .post(
                "/welfare/occasions",
                &[
                    ("name", name),
                    ("occasion_date", day),
                    ("audience", "retirees"),
                    ("organisation", ""),
                    ("child_max_age", ""),
                    ("amount", "500.000"),
                    ("gift", ""),
                    ("fund", &f.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        urls.push(r.location());
        listed.push(cd.get(&r.location()).await.texts("main table tbody tr"));
    }
    assert!(
        listed[0].iter().any(|r| r.contains("Lê Thị Cúc")),
        "{:?}",
        listed[0]
    );
    assert!(
        !listed[1].iter().any(|r| r.contains("Lê Thị Cúc")),
        "{:?}",
        listed[1]
    );
    assert!(listed[1].iter().any(|r| r.contains("Phạm Thị Đào")));
    // Nor added to it by hand.
    let added = cd
        .post(
            &format!("{}/rows", urls[1]),
            &[("code", "HT3"), ("reason", "Bổ sung")],
        )
        .await;
    assert_eq!(added.status, 400, "{}", added.body);
    assert!(added.body.contains("đã mất hoặc đã nghỉ việc trước ngày"));
    let _ = other;

    // The funeral case opens from the record, for a benefit paid to retirees themselves (not
    // the one for staff's parents, listed first).
    cd.get("/welfare/benefits").await;
    let parents = cd
        .post(
            "/welfare/benefits",
            &[
                ("relatives", "parent"),
                ("fund", &f.to_string()),
                ("code", "TU_THAN"),
                ("name", "Phúng viếng tứ thân phụ mẫu"),
                ("kind", "funeral"),
                ("default_amount", "2.000.000"),
                ("max_amount", "2.000.000"),
                ("per_year_count", ""),
                ("per_year_amount", ""),
                ("recipients", "members"),
                ("regulation", "Quy chế chi tiêu nội bộ 2026"),
            ],
        )
        .await;
    assert_eq!(parents.status, 303, "{}", parents.body);
    let none_yet = cd.get(&format!("/welfare/retirees/{id}")).await;
    assert!(none_yet
        .body
        .contains("chưa có khoản phúng viếng dành cho chính cán bộ hưu trí"));
    let b = cd
        .post(
            "/welfare/benefits",
            &[
                ("relatives", "self"),
                ("fund", &f.to_string()),
                ("code", "TANG_HT"),
                ("name", "Phúng viếng cán bộ hưu trí"),
                ("kind", "funeral"),
                ("default_amount", "2.000.000"),
                ("max_amount", "3.000.000"),
                ("per_year_count", ""),
                ("per_year_amount", ""),
                ("recipients", "retirees"),
                ("regulation", "Quy chế chi tiêu nội bộ 2026"),
            ],
        )
        .await;
    assert_eq!(b.status, 303, "{}", b.body);
    let page = cd.get(&format!("/welfare/retirees/{id}")).await;
    let form = page.form("/welfare/cases");
    assert!(
        form.iter()
            .any(|(k, v)| k == "event_date" && v == "01/10/2026"),
        "{form:?}"
    );
    let fields = crate::support::refs(&form);
    let r = cd.post("/welfare/cases", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("welfare_cases"), 1);
    let after = cd.get(&format!("/welfare/retirees/{id}")).await;
    assert!(
        !after.has("form[action='/welfare/cases']"),
        "one funeral case is enough"
    );
}
