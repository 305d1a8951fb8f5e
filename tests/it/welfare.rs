//! Union, Party and welfare: organisations, members, dependants, dues, cases.

use crate::support::TestApp;
use canteen::audit::Actor;
use canteen::auth::roles::Role;
use canteen::ledger::store as ledger;
use canteen::money::Vnd;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// A person with a salary basis (grade × 100) from 2024.
fn salaried(app: &TestApp, code: &str, name: &str, grade_x100: i32) -> i32 {
    let id = app.person(code, name);
    app.sql(&format!(
        "INSERT INTO salary_bases (person_id, effective_from, grade_coef_x100, allowance_coef_x100, note, recorded_at) VALUES ({id}, '2024-01-01', {grade_x100}, 0, '', '2024-01-01 00:00:00')"
    ));
    id
}

/// A union created through the page; returns its id (from the redirect).
async fn union(c: &mut crate::support::Client, name: &str, kind: &str) -> i32 {
    c.get("/welfare/organisations").await;
    let r = c
        .post(
            "/welfare/organisations",
            &[
                ("kind", kind),
                ("name", name),
                ("parent", ""),
                ("started_on", "01/01/2020"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("org id")
}

async fn join(c: &mut crate::support::Client, org: i32, code: &str) -> u16 {
    c.post(
        &format!("/welfare/organisations/{org}/members"),
        &[
            ("code", code),
            ("role", "member"),
            ("joined_on", "01/01/2021"),
            ("member_since", ""),
            ("card_number", ""),
            ("collect_by", "payroll"),
        ],
    )
    .await
    .status
}

/// Posts a dues rule through its form: [organisation kind, for whom, basis], (from, until),
/// (rate %, cap % of the base salary), the regulation.
pub async fn dues_rule(
    c: &mut crate::support::Client,
    what: [&str; 3],
    dates: (&str, &str),
    rate: (&str, &str),
    reference: &str,
) -> crate::support::Resp {
    c.post(
        "/welfare/dues/rules",
        &[
            ("org_kind", what[0]),
            ("applies_to", what[1]),
            ("category", ""),
            ("valid_from", dates.0),
            ("valid_to", dates.1),
            ("basis", what[2]),
            ("rate_percent", rate.0),
            ("cap_percent", rate.1),
            ("fixed", ""),
            ("reference", reference),
        ],
    )
    .await
}

fn dues_of(app: &TestApp, month: &str) -> Vec<i64> {
    let month = month.to_string();
    app.state
        .db
        .write_tx(move |c| {
            use canteen::db::schema::dues;
            use diesel::prelude::*;
            Ok(dues::table
                .filter(dues::month.eq(&month))
                .order(dues::membership_id.asc())
                .select(dues::amount_vnd)
                .load::<i64>(c)?)
        })
        .expect("dues")
}

#[actix_web::test]
async fn dues_follow_known_salaries_the_cap_and_the_mid_year_rate_change_and_generating_twice_changes_nothing(
) {
    let app = TestApp::spawn().await;
    // 4,40 × 2.340.000 = 10.296.000; 15,00 × 2.340.000 = 35.100.000.
    salaried(&app, "CB1", "Nguyễn Văn An", 440);
    salaried(&app, "CB2", "Trần Thị Bình", 1500);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở Văn phòng", "union").await;
    assert_eq!(join(&mut cd, org, "CB1").await, 303);
    assert_eq!(join(&mut cd, org, "CB2").await, 303);
    assert_eq!(
        join(&mut cd, org, "CB2").await,
        422,
        "one open membership per person"
    );
    let other = union(&mut cd, "Công đoàn cơ sở khác", "union").await;
    assert_eq!(
        join(&mut cd, other, "CB1").await,
        422,
        "one grassroots union at a time"
    );
    assert_eq!(join(&mut cd, org, "cb9").await, 422, "an unknown code");

    cd.get("/welfare/dues/rules").await;
    for (from, to, rate) in [("01/01/2020", "30/06/2025", "1"), ("01/07/2025", "", "0,5")] {
        let r = dues_rule(
            &mut cd,
            ["union", "working", "salary"],
            (from, to),
            (rate, "10"),
            "Quyết định 1911/QĐ-TLĐ",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let gen = |m: &'static str| [("org", org.to_string()), ("m", m.to_string())];
    for m in ["2025-06", "2025-07"] {
        let f = gen(m);
        let r = cd
            .post(
                "/welfare/dues/generate",
                &[("org", &f[0].1), ("m", &f[1].1)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // June at 1 %: 102.960, and 351.000 capped at 10 % of the base salary, 234.000.
    assert_eq!(dues_of(&app, "2025-06"), vec![102_960, 234_000]);
    // July at 0,5 %: 51.480 and 175.500 (under the cap).
    assert_eq!(dues_of(&app, "2025-07"), vec![51_480, 175_500]);

    // Not for a month still to come (it is 11/2026).
    assert_eq!(
        cd.post(
            "/welfare/dues/generate",
            &[("org", &org.to_string()), ("m", "2026-12")]
        )
        .await
        .status,
        400
    );
    // Generating again changes nothing, even after a salary changes; a new member is added.
    app.sql("UPDATE salary_bases SET grade_coef_x100 = 600");
    let before = app.count("dues");
    let r = cd
        .post(
            "/welfare/dues/generate",
            &[("org", &org.to_string()), ("m", "2025-07")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.count("dues"), before);
    assert_eq!(dues_of(&app, "2025-07"), vec![51_480, 175_500]);
    salaried(&app, "CB3", "Lê Văn Cường", 300);
    assert_eq!(join(&mut cd, org, "CB3").await, 303);
    cd.post(
        "/welfare/dues/generate",
        &[("org", &org.to_string()), ("m", "2025-07")],
    )
    .await;
    assert_eq!(dues_of(&app, "2025-07"), vec![51_480, 175_500, 35_100]);
    assert_eq!(app.audit_after("dues.generate").len(), 3);

    // The month's page and its XLSX; a payment; arrears in a row.
    let page = cd.get(&format!("/welfare/dues?org={org}&m=2025-07")).await;
    assert!(page.body.contains("51.480") && page.body.contains("175.500"));
    let xlsx = cd
        .get(&format!("/welfare/dues.xlsx?org={org}&m=2025-07"))
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    for m in ["2025-08", "2025-09"] {
        cd.post(
            "/welfare/dues/generate",
            &[("org", &org.to_string()), ("m", m)],
        )
        .await;
    }
    let first_june: i64 = 1;
    let r = cd
        .post(
            &format!("/welfare/dues/{first_june}/pay"),
            &[
                ("paid_on", "30/06/2025"),
                ("method", "cash"),
                ("receipt_no", "BL01"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let again = cd
        .post(
            &format!("/welfare/dues/{first_june}/pay"),
            &[
                ("paid_on", "30/06/2025"),
                ("method", "cash"),
                ("receipt_no", "BL01"),
            ],
        )
        .await;
    assert_eq!(again.status, 400, "paid once");
    // Before September is collected: Bình owes four months in a row, An three (June paid).
    let before = cd.get(&format!("/welfare/arrears?org={org}")).await;
    assert_eq!(
        before.texts("main table tbody tr td.num"),
        vec![
            "4",
            "4",
            "549.900 ₫",
            "3",
            "3",
            "105.300 ₫",
            "3",
            "3",
            "191.880 ₫"
        ]
    );
    // The month's payroll lines in one step: all but the cash ones (none here).
    let r = cd
        .post(
            "/welfare/dues/collect-payroll",
            &[
                ("org", &org.to_string()),
                ("m", "2025-09"),
                ("paid_on", "30/09/2025"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("dues_payments WHERE paid_on = '2025-09-30' AND method = 'payroll'"),
        3
    );
    let arrears = cd.get(&format!("/welfare/arrears?org={org}")).await;
    let rows = arrears.texts("main table tbody tr");
    // September was collected through payroll, so nobody owes months in a row; what is left
    // unpaid (June–August at the salaries of each month's generation) still shows.
    assert_eq!(rows.len(), 3, "{rows:?}");
    let a = arrears.texts("main table tbody tr td.num");
    assert_eq!(
        a,
        vec![
            "0",
            "2",
            "70.200 ₫",
            "0",
            "2",
            "121.680 ₫",
            "0",
            "3",
            "479.700 ₫"
        ],
        "{a:?}"
    );

    // A suspension: no dues that month.
    cd.post(
        "/welfare/dues/suspensions",
        &[
            ("org_kind", "union"),
            ("category", ""),
            ("valid_from", "01/10/2025"),
            ("valid_to", "31/10/2025"),
            ("reason", "Nghị quyết tạm dừng thu"),
        ],
    )
    .await;
    cd.post(
        "/welfare/dues/generate",
        &[("org", &org.to_string()), ("m", "2025-10")],
    )
    .await;
    assert!(dues_of(&app, "2025-10").is_empty());

    // An accountant reads the month; an approver and staff do not see salaries at all.
    let mut acc = app.login_as("ketoan", &[Role::Accountant]).await;
    assert_eq!(
        acc.get(&format!("/welfare/dues?org={org}&m=2025-07"))
            .await
            .status,
        200
    );
    let mut ap = app.login_as("duyet", &[Role::Approver]).await;
    assert_eq!(
        ap.get(&format!("/welfare/dues?org={org}&m=2025-07"))
            .await
            .status,
        403
    );
    assert_eq!(
        ap.get(&format!("/welfare/dues.xlsx?org={org}&m=2025-07"))
            .await
            .status,
        403
    );
}

#[actix_web::test]
async fn dissolving_an_organisation_ends_its_memberships_and_blocks_every_change() {
    let app = TestApp::spawn().await;
    app.person("A1", "Phạm Văn An");
    app.person("A2", "Hoàng Thị Bích");
    app.person("A3", "Vũ Văn Chung");
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn Vụ cũ", "union").await;
    assert_eq!(join(&mut cd, org, "A1").await, 303);
    assert_eq!(join(&mut cd, org, "A2").await, 303);
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/dissolve"),
            &[
                ("on", "15/06/2025"),
                ("reason", "Sáp nhập vào Công đoàn Văn phòng"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "dissolving asks for confirmation");
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/dissolve"),
            &[
                ("on", "15/06/2025"),
                ("reason", "Sáp nhập vào Công đoàn Văn phòng"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("memberships WHERE ended_on = '2025-06-15' AND end_reason = 'Sáp nhập vào Công đoàn Văn phòng'"),
        2
    );
    let page = cd.get(&format!("/welfare/organisations/{org}")).await;
    assert!(page.body.contains("Đã giải thể ngày 15/06/2025"));
    assert!(!page.has(&format!(
        "form[action='/welfare/organisations/{org}/members']"
    )));
    // Nothing changes any more: no new member, no new dues, no second dissolution.
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/members"),
            &[
                ("code", "A3"),
                ("role", "member"),
                ("joined_on", "01/01/2021"),
                ("member_since", ""),
                ("card_number", ""),
                ("collect_by", "cash"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Tổ chức đã giải thể"));
    assert_eq!(
        cd.post(
            "/welfare/dues/generate",
            &[("org", &org.to_string()), ("m", "2025-05")]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        cd.post(
            &format!("/welfare/organisations/{org}/dissolve"),
            &[("on", "16/06/2025"), ("reason", "lại"), ("confirm", "yes")],
        )
        .await
        .status,
        400
    );
    assert_eq!(
        cd.post(
            "/welfare/memberships/1/end",
            &[("on", "20/06/2025"), ("reason", "x")]
        )
        .await
        .status,
        400
    );
    assert_eq!(app.count("memberships"), 2);
    assert_eq!(
        app.audit_after("organisation.dissolve")[0]["memberships_ended"],
        2
    );
    // Its history is still there to read.
    assert!(page
        .texts("main table tbody tr")
        .iter()
        .any(|r| r.contains("Phạm Văn An")));
}

/// A union fund with a first receipt; returns its id.
fn fund(app: &TestApp, receipt: i64) -> i32 {
    let now = app.clock().now_naive();
    app.state
        .db
        .write_tx(move |c| {
            let id = ledger::create_fund(
                c,
                &Actor::system("test"),
                now,
                "CD",
                "Quỹ công đoàn",
                "union",
            )?;
            ledger::post(
                c,
                &Actor::system("test"),
                now,
                &ledger::NewVoucher {
                    fund: id,
                    kind: ledger::RECEIPT,
                    date: d(2026, 11, 2),
                    amount: Vnd(receipt),
                    description: "Kinh phí công đoàn cấp",
                    person: None,
                    source: None,
                },
            )?;
            Ok(id)
        })
        .expect("fund")
}

#[allow(clippy::too_many_arguments)]
async fn benefit(
    c: &mut crate::support::Client,
    code: &str,
    kind: &str,
    default: &str,
    max: &str,
    count: &str,
    fund: i32,
    relatives: &[&str],
) {
    c.get("/welfare/benefits").await;
    let mut fields: Vec<(&str, &str)> = relatives.iter().map(|r| ("relatives", *r)).collect();
    let f = fund.to_string();
    fields.extend([("fund", f.as_str())]);
    let r = c
        .post(
            "/welfare/benefits",
            &[
                fields.as_slice(),
                &[
                    ("code", code),
                    ("name", code),
                    ("kind", kind),
                    ("default_amount", default),
                    ("max_amount", max),
                    ("per_year_count", count),
                    ("per_year_amount", ""),
                    ("recipients", "members"),
                    ("regulation", "Quy chế chi tiêu nội bộ 2026"),
                ],
            ]
            .concat(),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn report(c: &mut crate::support::Client, fields: &[(&str, &str)]) -> crate::support::Resp {
    c.get("/welfare/cases").await;
    c.post("/welfare/cases", fields).await
}

#[actix_web::test]
async fn the_per_year_limit_the_duplicate_funeral_guard_approval_by_someone_else_and_the_fund_balance(
) {
    let app = TestApp::spawn().await;
    let a = app.person("S1", "Đỗ Văn Anh");
    let b = app.person("S2", "Đỗ Thị Bảo");
    let c3 = app.person("S3", "Ngô Văn Cảnh");
    let f = fund(&app, 2_500_000);
    let mut u1 = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let mut u2 = app.login_as("congdoan2", &[Role::UnionOfficer]).await;
    let org = union(&mut u1, "Công đoàn cơ sở", "union").await;
    for code in ["S1", "S2", "S3"] {
        assert_eq!(join(&mut u1, org, code).await, 303);
    }
    benefit(
        &mut u1,
        "om",
        "sick",
        "500.000",
        "1.000.000",
        "2",
        f,
        &["self"],
    )
    .await;
    benefit(
        &mut u1,
        "hieu",
        "funeral",
        "2.000.000",
        "3.000.000",
        "",
        f,
        &["self", "parent", "parent_in_law"],
    )
    .await;
    benefit(
        &mut u1,
        "cuoi",
        "wedding",
        "1.000.000",
        "1.000.000",
        "1",
        f,
        &["self"],
    )
    .await;

    // Two siblings on staff record their father: the second record is the same person.
    for p in [a, b] {
        u1.get(&format!("/welfare/people/{p}")).await;
        let r = u1
            .post(
                &format!("/welfare/people/{p}/dependants"),
                &[
                    ("full_name", "Đỗ Văn Cha"),
                    ("relationship", "parent"),
                    ("date_of_birth", "02/03/1950"),
                    ("gender", "male"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(app.count("dependants WHERE same_as = 1"), 1);
    // Sent twice (a double click): the second is refused, the father stays one record each.
    let again = u1
        .post(
            &format!("/welfare/people/{a}/dependants"),
            &[
                ("full_name", "đỗ văn cha"),
                ("relationship", "parent"),
                ("date_of_birth", "02/03/1950"),
                ("gender", "male"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("đã được ghi"));
    assert_eq!(app.count("dependants"), 2);
    // A name of emoji, or a child born before the member (QA: 01/01/1900): refused beside
    // the field, nothing written.
    app.sql(&format!(
        "UPDATE persons SET date_of_birth = '1980-05-01' WHERE id = {a}"
    ));
    for (name, relationship, born, field) in [
        ("🍜🍜", "child", "", "full_name"),
        ("Đỗ Minh Khôi", "child", "01/01/1900", "date_of_birth"),
        ("Đỗ Văn Ông", "grandparent", "01/01/1990", "date_of_birth"),
    ] {
        u1.get(&format!("/welfare/people/{a}")).await;
        let r = u1
            .post(
                &format!("/welfare/people/{a}/dependants"),
                &[
                    ("full_name", name),
                    ("relationship", relationship),
                    ("date_of_birth", born),
                    ("gender", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert_eq!(
            r.texts(&format!("#f-{field}-err")).len(),
            1,
            "{name}: {}",
            r.body
        );
    }
    assert_eq!(app.count("dependants"), 2);
    // A spouse's mother may be younger than the member (QA round 2).
    let r = u1
        .post(
            &format!("/welfare/people/{a}/dependants"),
            &[
                ("full_name", "Phạm Thị Mẹ Vợ"),
                ("relationship", "parent_in_law"),
                ("date_of_birth", "01/01/1985"),
                ("gender", "female"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("dependants"), 3);
    assert!(u1
        .get(&format!("/welfare/people/{b}"))
        .await
        .body
        .contains("Đã ghi dưới tên cán bộ khác"));

    // The funeral of the father once; the sibling's second case is refused with a link.
    let r = u1
        .post(
            "/welfare/cases",
            &[
                ("benefit", "2"),
                ("person", &a.to_string()),
                ("dependant", "1"),
                ("event_date", "20/11/2026"),
                ("amount", ""),
                ("evidence", "Giấy báo tử"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = u1
        .post(
            "/welfare/cases",
            &[
                ("benefit", "2"),
                ("person", &b.to_string()),
                ("dependant", "2"),
                ("event_date", "20/11/2026"),
                ("amount", ""),
                ("evidence", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("đã có hồ sơ phúng viếng"));
    assert!(
        r.has("a[href='/welfare/cases/1']"),
        "a link to the first case"
    );
    assert_eq!(app.count("welfare_cases"), 1);
    // A benefit for the member only is not paid for a relative.
    let r = u1
        .post(
            "/welfare/cases",
            &[
                ("benefit", "3"),
                ("person", &a.to_string()),
                ("dependant", "1"),
                ("event_date", "20/11/2026"),
                ("amount", ""),
                ("evidence", ""),
            ],
        )
        .await;
    assert!(r.status == 422 && r.body.contains("không dành cho thân nhân"));

    // Sick visits: two a year, the third refused.
    for day in ["01/02/2026", "01/05/2026"] {
        let r = report(
            &mut u1,
            &[
                ("benefit", "1"),
                ("code", "S3"),
                ("dependant", ""),
                ("event_date", day),
                ("amount", ""),
                ("evidence", ""),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = report(
        &mut u1,
        &[
            ("benefit", "1"),
            ("code", "S3"),
            ("dependant", ""),
            ("event_date", "01/09/2026"),
            ("amount", ""),
            ("evidence", ""),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Đã đủ số lần tối đa trong năm"));
    let r = report(
        &mut u1,
        &[
            ("benefit", "1"),
            ("code", "S3"),
            ("dependant", ""),
            ("event_date", "01/02/2025"),
            ("amount", "1.000.001"),
            ("evidence", ""),
        ],
    )
    .await;
    assert!(r.status == 422 && r.body.contains("vượt mức tối đa"));

    // Approval: never by the reporter; above the threshold only by an approver.
    assert_eq!(
        u1.post("/welfare/cases/2/decide", &[("decision", "approve")])
            .await
            .status,
        400
    );
    u2.get("/welfare/cases/2").await;
    assert_eq!(
        u2.post("/welfare/cases/2/decide", &[("decision", "approve")])
            .await
            .status,
        303
    );
    // S3's own funeral: refused while S3 is on the lists as alive, taken once the death is
    // recorded (and not for a day before it).
    let big_fields = |date: &'static str| {
        [
            ("benefit", "2"),
            ("code", "S3"),
            ("dependant", ""),
            ("event_date", date),
            ("amount", "2.500.000"),
            ("evidence", ""),
        ]
    };
    let r = report(&mut u1, &big_fields("25/11/2026")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("chưa được ghi nhận là đã từ trần"),
        "{}",
        r.body
    );
    app.sql("UPDATE persons SET status = 'deceased', status_date = '2026-11-24' WHERE employee_code = 'S3'");
    let r = report(&mut u1, &big_fields("20/11/2026")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("trước ngày mất"), "{}", r.body);
    let big = report(
        &mut u1,
        &[
            ("benefit", "2"),
            ("code", "S3"),
            ("dependant", ""),
            ("event_date", "25/11/2026"),
            ("amount", "2.500.000"),
            ("evidence", ""),
        ],
    )
    .await;
    assert_eq!(big.status, 303, "{}", big.body);
    let big_id = big.location().rsplit('/').next().unwrap_or("").to_string();
    let r = u2
        .post(
            &format!("/welfare/cases/{big_id}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("cần lãnh đạo"));
    // An approver never decides a case for themself.
    let own = app.user_full("phochanh", &[Role::Approver], Some(c3), false);
    let mut own = app.session_for(own).await;
    let r = own
        .post(
            &format!("/welfare/cases/{big_id}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert!(r.status == 400 && r.body.contains("cho chính mình"));
    let mut ap = app.login_as("duyet", &[Role::Approver]).await;
    ap.get("/welfare/cases").await;
    assert_eq!(
        ap.post(
            &format!("/welfare/cases/{big_id}/decide"),
            &[("decision", "approve")]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        u2.post("/welfare/cases/3/decide", &[("decision", "reject")])
            .await
            .status,
        400,
        "a rejection needs a reason"
    );
    assert_eq!(
        u2.post(
            "/welfare/cases/3/decide",
            &[("decision", "reject"), ("reason", "Trùng lần thăm")]
        )
        .await
        .status,
        303
    );

    // Paying: the sick visit (500.000), then the big funeral would overdraw (2.500.000 −
    // 500.000 < 2.500.000): refused for an officer, allowed for an approver with a reason.
    assert_eq!(
        u2.post("/welfare/cases/2/pay", &[("date", "31/01/2026")])
            .await
            .status,
        400,
        "not paid before the event"
    );
    assert_eq!(
        u2.post("/welfare/cases/2/pay", &[("date", "26/11/2026")])
            .await
            .status,
        303
    );
    let r = u2
        .post(
            &format!("/welfare/cases/{big_id}/pay"),
            &[("date", "26/11/2026")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Quỹ không đủ số dư"));
    assert_eq!(
        ap.post(
            &format!("/welfare/cases/{big_id}/pay"),
            &[("date", "26/11/2026")]
        )
        .await
        .status,
        400
    );
    let r = ap
        .post(
            &format!("/welfare/cases/{big_id}/pay"),
            &[
                ("date", "26/11/2026"),
                ("overdraft_reason", "Tạm ứng, bổ sung quỹ tháng 12"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("welfare_cases WHERE state = 'paid' AND voucher_id IS NOT NULL"),
        2
    );
    assert_eq!(
        app.count(&format!("vouchers WHERE source = 'welfare_case:{big_id}'")),
        1
    );

    // The fund: receipts − payments, a reversal counting against what it reverses.
    let now = app.clock().now_naive();
    let balance = app
        .state
        .db
        .write_tx(move |c| {
            let first = ledger::vouchers_from(c, "welfare_case:2")?;
            ledger::reverse(
                c,
                &Actor::system("test"),
                now,
                first[0],
                d(2026, 11, 27),
                "Chi nhầm",
            )?;
            ledger::year_figures(c, f, 2026)
        })
        .expect("figures");
    assert_eq!(balance.received, Vnd(2_500_000));
    assert_eq!(balance.spent, Vnd(2_500_000));
    assert_eq!(balance.balance(), Vnd(0));
}

#[actix_web::test]
async fn staff_see_their_own_welfare_and_nobody_else_sees_family_records_without_the_role() {
    let app = TestApp::spawn().await;
    let (mut staff, pid) = app.staff("nv1").await;
    app.sql(&format!(
        "UPDATE persons SET employee_code = 'NV1' WHERE id = {pid}"
    ));
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    assert_eq!(join(&mut cd, org, "NV1").await, 303);
    cd.get(&format!("/welfare/people/{pid}")).await;
    cd.post(
        &format!("/welfare/people/{pid}/dependants"),
        &[
            ("full_name", "Bé Na"),
            ("relationship", "child"),
            ("date_of_birth", "01/06/2018"),
            ("gender", "female"),
            ("note", ""),
        ],
    )
    .await;
    app.sql("INSERT INTO dues (membership_id, month, amount_vnd, basis_vnd, created_at) SELECT id, '2026-10', 30000, 0, '2026-10-01 00:00:00' FROM memberships");
    let mine = staff.get("/my/welfare").await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Công đoàn cơ sở"));
    // The month of the dues as months are written everywhere: 10/2026 (QA round 3).
    let dues = mine.texts("main table tbody tr").join(" | ");
    assert!(
        dues.contains("10/2026") && !dues.contains("2026-10"),
        "{dues}"
    );
    for path in [
        format!("/welfare/people/{pid}"),
        "/welfare/organisations".to_string(),
        format!("/welfare/dues?org={org}"),
    ] {
        assert_eq!(staff.get(&path).await.status, 403, "{path}");
    }
    let mut acc = app.login_as("ketoan", &[Role::Accountant]).await;
    assert_eq!(
        acc.get(&format!("/welfare/people/{pid}")).await.status,
        403,
        "family data: union officers only"
    );
    // No name, birth date or family detail in the audit log.
    let audit = app.audit_after("dependant.create");
    assert!(!audit[0].to_string().contains("Bé Na") && !audit[0].to_string().contains("2018"));
}

/// A person with a gender and a date of birth (yyyy-mm-dd).
fn someone(app: &TestApp, code: &str, name: &str, gender: &str, born: &str) -> i32 {
    let id = app.person(code, name);
    app.sql(&format!(
        "UPDATE persons SET gender = '{gender}', date_of_birth = '{born}' WHERE id = {id}"
    ));
    id
}

async fn child(c: &mut crate::support::Client, parent: i32, name: &str, born: &str) {
    c.get(&format!("/welfare/people/{parent}")).await;
    let r = c
        .post(
            &format!("/welfare/people/{parent}/dependants"),
            &[
                ("full_name", name),
                ("relationship", "child"),
                ("date_of_birth", born),
                ("gender", ""),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[actix_web::test]
async fn the_trung_thu_list_counts_age_on_the_day_and_one_gift_per_child_then_freezes_into_one_voucher(
) {
    let app = TestApp::spawn().await;
    let mai = someone(&app, "P1", "Lê Thị Mai", "female", "1988-02-01");
    let hung = someone(&app, "P2", "Phan Văn Hùng", "male", "1986-05-05");
    let cuc = someone(&app, "P3", "Trịnh Thị Cúc", "female", "1990-07-07");
    let f = fund(&app, 10_000_000);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    for code in ["P1", "P2", "P3"] {
        assert_eq!(join(&mut cd, org, code).await, 303);
    }
    // An is the child of Mai and Hùng, both on staff: recorded under each, one child.
    child(&mut cd, mai, "Phan Minh An", "26/09/2011").await; // 14 on 25/09/2026
    child(&mut cd, hung, "Phan Minh An", "26/09/2011").await;
    child(&mut cd, mai, "Phan Bảo Bình", "25/09/2011").await; // 15 that day: too old
    child(&mut cd, cuc, "Đỗ Gia Dung", "01/01/2020").await;
    child(&mut cd, cuc, "Đỗ Gia Em", "01/10/2026").await; // not born yet on the day

    cd.get("/welfare/occasions").await;
    // A day years away is refused beside its field (its list would come from people now).
    for far in ["25/09/2001", "25/09/2030", "28/11/2027", "26/11/2025"] {
        let r = cd
            .post(
                "/welfare/occasions",
                &[
                    ("name", "Trung thu"),
                    ("occasion_date", far),
                    ("audience", "children"),
                    ("organisation", ""),
                    ("child_max_age", "15"),
                    ("amount", "100.000"),
                    ("gift", ""),
                    ("fund", &f.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{far}: {}", r.body);
        assert!(r.body.contains("trong khoảng một năm"), "{}", r.body);
        assert_eq!(app.count("occasions"), 0);
    }
    let r = cd
        .post(
            "/welfare/occasions",
            &[
                ("name", "Trung thu 2026"),
                ("occasion_date", "25/09/2026"),
                ("audience", "children"),
                ("organisation", ""),
                ("child_max_age", "15"),
                ("amount", "100.000"),
                ("gift", ""),
                ("fund", &f.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let url = r.location();
    let page = cd.get(&url).await;
    let rows = page.texts("main table tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .any(|r| r.contains("Phan Minh An") && r.contains("Lê Thị Mai")));
    assert!(rows.iter().any(|r| r.contains("Đỗ Gia Dung")));
    let print = cd.get(&format!("{url}/print")).await;
    assert!(print.body.contains("Hai trăm nghìn đồng"), "total in words");
    assert_eq!(print.texts("#total"), vec!["200.000 ₫"]);
    assert!(print.body.contains("DANH SÁCH KÝ NHẬN"));

    // Edited with reasons while a draft; a second line for An is refused.
    let occ: i32 = url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    // On a children's list a line is a child: An is on it already (once, for both parents);
    // Em, born after the day, is added by hand with a reason.
    let r = cd
        .post(
            &format!("/welfare/occasions/{occ}/rows"),
            &[("code", "P2"), ("reason", "Cháu ở với bố")],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = cd
        .post(
            &format!("/welfare/occasions/{occ}/rows"),
            &[
                ("code", "p2"),
                ("child", "Phan Minh An"),
                ("reason", "Cháu ở với bố"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "one gift per child");
    let r = cd
        .post(
            &format!("/welfare/occasions/{occ}/rows"),
            &[
                ("code", "P3"),
                ("child", "đỗ gia em"),
                ("reason", "Bổ sung theo đề nghị"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = cd
        .post("/welfare/occasions/rows/1/remove", &[("reason", "")])
        .await;
    assert_eq!(r.status, 400, "a reason is needed");
    assert_eq!(
        cd.post(
            "/welfare/occasions/rows/1/remove",
            &[("reason", "Nhận ở cơ quan mẹ")]
        )
        .await
        .status,
        303
    );
    // 8/3: women members only.
    let r = cd
        .post(
            "/welfare/occasions",
            &[
                ("name", "Quốc tế Phụ nữ 8/3"),
                ("occasion_date", "08/03/2026"),
                ("audience", "women"),
                ("organisation", ""),
                ("child_max_age", ""),
                ("amount", "300.000"),
                ("gift", ""),
                ("fund", &f.to_string()),
            ],
        )
        .await;
    let women = cd.get(&r.location()).await.texts("main table tbody tr");
    assert_eq!(women.len(), 2, "{women:?}");
    assert!(!women.iter().any(|w| w.contains("Phan Văn Hùng")));

    // Freezing: the total becomes one payment voucher; nothing changes afterwards.
    assert_eq!(
        cd.post(&format!("/welfare/occasions/{occ}/freeze"), &[])
            .await
            .status,
        400,
        "confirmation"
    );
    assert_eq!(
        cd.post(
            &format!("/welfare/occasions/{occ}/freeze"),
            &[("confirm", "yes")]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        app.count(&format!(
            "vouchers WHERE source = 'occasion:{occ}' AND amount_vnd = 200000 AND kind = 'payment'"
        )),
        1
    );
    assert_eq!(
        cd.post(
            &format!("/welfare/occasions/{occ}/rows"),
            &[("code", "P3"), ("reason", "x")]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        cd.post(
            &format!("/welfare/occasions/{occ}/freeze"),
            &[("confirm", "yes")]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        cd.post("/welfare/occasions/rows/2/received", &[])
            .await
            .status,
        303
    );
    assert_eq!(
        cd.post("/welfare/occasions/rows/2/received", &[])
            .await
            .status,
        400
    );
    let xlsx = cd.get(&format!("{url}/list.xlsx")).await;
    assert_eq!(xlsx.status, 200);
    let sheet = cd
        .upload(
            &format!("/welfare/occasions/{occ}/sheet"),
            "ky-nhan.pdf",
            b"%PDF-1.4 signed".to_vec(),
        )
        .await;
    assert_eq!(sheet.status, 303);
    let sheet = cd.get(&format!("/welfare/occasions/{occ}/sheet")).await;
    assert_eq!(sheet.status, 200);
    assert!(sheet.header("content-disposition").ends_with(".pdf\""));
    assert_eq!(sheet.header("x-content-type-options"), "nosniff");
}

#[actix_web::test]
async fn the_milestone_list_of_a_year_names_the_retirees_reaching_70_75_80_85_90_95_and_100_and_over(
) {
    let app = TestApp::spawn().await;
    for (code, born, status, died) in [
        ("R70", "1956-08-01", "retired", None),
        ("R75", "1951-12-31", "retired", None),
        ("R69", "1957-01-01", "retired", None),
        ("R100", "1926-05-05", "retired", None),
        ("R106", "1920-02-02", "retired", None),
        ("R80X", "1946-03-03", "deceased", Some("2026-04-01")),
        ("W70", "1956-01-01", "working", None),
    ] {
        let id = app.person(code, &format!("Cụ {code}"));
        app.sql(&format!(
            "UPDATE persons SET status = '{status}', date_of_birth = '{born}', status_date = {} WHERE id = {id}",
            died.map(|d| format!("'{d}'")).unwrap_or("NULL".into())
        ));
    }
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let page = cd.get("/welfare/milestones?year=2026").await;
    let codes: Vec<String> = page.texts("main table tbody td:first-child");
    assert_eq!(codes, vec!["R106", "R100", "R75", "R70"]);
    assert!(
        page.body.contains("năm mừng thọ − năm sinh"),
        "the age convention is stated"
    );
    // The list downloads as the page shows it (to print, or to plan the visits), audited.
    let csv =
        String::from_utf8(cd.get("/welfare/milestones.csv?year=2026").await.bytes).expect("utf-8");
    for code in &codes {
        assert!(
            csv.lines().any(|l| l.starts_with(&format!("{code},"))),
            "{code}: {csv}"
        );
    }
    assert_eq!(
        csv.lines().filter(|l| l.starts_with('R')).count(),
        codes.len(),
        "{csv}"
    );
    assert_eq!(app.audit_after("milestones.export")[0]["rows"], codes.len());
    let xlsx = cd.get("/welfare/milestones.xlsx?year=2026").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX (zip)");
    // In 2025 only the oldest (105) was on it; the one who died in 2026 turned 79 then.
    let last_year = cd.get("/welfare/milestones?year=2025").await;
    assert_eq!(
        last_year.texts("main table tbody td:first-child"),
        vec!["R106"]
    );
}

#[actix_web::test]
async fn reminders_list_this_months_birthdays_children_ageing_out_and_arrears_of_three_months() {
    let app = TestApp::spawn().await;
    let nov = someone(&app, "B1", "Võ Thị Tháng Mười Một", "female", "1985-11-03");
    someone(&app, "B2", "Đinh Văn Tháng Hai", "male", "1985-02-03");
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    assert_eq!(join(&mut cd, org, "B1").await, 303);
    assert_eq!(join(&mut cd, org, "B2").await, 303);
    child(&mut cd, nov, "Võ Minh Lớn", "01/03/2012").await; // 14 now, 15 on 01/06/2027
    child(&mut cd, nov, "Võ Minh Nhỏ", "01/03/2016").await;
    for m in ["2026-09", "2026-10", "2026-11"] {
        app.sql(&format!(
            "INSERT INTO dues (membership_id, month, amount_vnd, basis_vnd, created_at) VALUES (2, '{m}', 20000, 0, '2026-11-01 00:00:00')"
        ));
    }
    let page = cd.get("/welfare/reminders").await;
    assert_eq!(page.status, 200);
    let birthdays = page.texts("section.reminders-birthdays li");
    assert_eq!(birthdays.len(), 1, "{birthdays:?}");
    assert!(birthdays[0].contains("Võ Thị Tháng Mười Một"));
    let kids = page.texts("section.reminders-children li");
    assert_eq!(kids.len(), 1, "{kids:?}");
    assert!(kids[0].contains("Võ Minh Lớn"));
    let arrears = page.texts("section.reminders-arrears li");
    assert_eq!(arrears.len(), 1, "{arrears:?}");
    assert!(arrears[0].contains("Đinh Văn Tháng Hai") && arrears[0].contains("3 tháng"));
    // Memberships to review: someone who left with it still open, a retiree still in the union.
    assert!(page.texts("section.reminders-review li").is_empty());
    someone(&app, "B3", "Lý Văn Nghỉ", "male", "1980-01-01");
    someone(&app, "B4", "Tạ Thị Hưu", "female", "1960-01-01");
    assert_eq!(join(&mut cd, org, "B3").await, 303);
    assert_eq!(join(&mut cd, org, "B4").await, 303);
    app.sql(
        "UPDATE persons SET status = 'left', status_date = '2026-10-01' WHERE employee_code = 'B3'",
    );
    app.sql("UPDATE persons SET status = 'retired', status_date = '2026-10-01' WHERE employee_code = 'B4'");
    let page = cd.get("/welfare/reminders").await;
    let review = page.texts("section.reminders-review li");
    assert_eq!(review.len(), 2, "{review:?}");
    assert!(review
        .iter()
        .any(|r| r.contains("Lý Văn Nghỉ") && r.contains("nghỉ việc")));
    assert!(review
        .iter()
        .any(|r| r.contains("Tạ Thị Hưu") && r.contains("nghỉ hưu")));
}

#[actix_web::test]
async fn the_payroll_file_deducts_union_and_party_dues_in_their_own_columns_also_for_people_without_meals(
) {
    let app = TestApp::spawn().await;
    // 4,40 × 2.340.000 = 10.296.000.
    salaried(&app, "CB1", "Nguyễn Văn An", 440);
    salaried(&app, "CB2", "Trần Thị Bình", 440);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let union_id = union(&mut cd, "Công đoàn cơ sở", "union").await;
    let cell = union(&mut cd, "Chi bộ", "party_cell").await;
    assert_eq!(join(&mut cd, union_id, "CB1").await, 303);
    assert_eq!(join(&mut cd, cell, "CB1").await, 303);
    // Bình pays her union dues in cash: not in the payroll file.
    let r = cd
        .post(
            &format!("/welfare/organisations/{union_id}/members"),
            &[
                ("code", "CB2"),
                ("role", "member"),
                ("joined_on", "01/01/2021"),
                ("member_since", ""),
                ("card_number", ""),
                ("collect_by", "cash"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    cd.get("/welfare/dues/rules").await;
    for (kind, rate) in [("union", "0,5"), ("party_cell", "1")] {
        let r = dues_rule(
            &mut cd,
            [kind, "working", "salary"],
            ("01/01/2020", ""),
            (rate, ""),
            "Quy định",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    for org in [union_id, cell] {
        let o = org.to_string();
        let r = cd
            .post(
                "/welfare/dues/generate",
                &[("org", o.as_str()), ("m", "2026-10")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let csv = kt.get("/accounting/payroll.csv?m=2026-10").await;
    let text = String::from_utf8(csv.bytes.clone()).expect("utf-8");
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.contains("Đoàn phí công đoàn") && header.contains("Đảng phí"),
        "{header}"
    );
    // No meal that month, still deducted: union 51.480, Party 102.960, total 154.440.
    let an = text
        .lines()
        .find(|l| l.starts_with("CB1,"))
        .unwrap_or_else(|| panic!("An is in the file: {text}"));
    assert!(an.contains(",0,0,51480,102960,0,154440,"), "{an}");
    assert!(!text.contains("CB2,"), "cash dues stay out: {text}");
    // The XLSX totals add the dues up too.
    let xlsx = kt.get("/accounting/payroll.xlsx?m=2026-10").await;
    use calamine::{DataType, Reader};
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("xlsx");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("cells");
    let total = sheet
        .rows()
        .find(|r| r.get(1).is_some_and(|c| *c == "Cộng trừ lương"))
        .and_then(|r| r.get(8).and_then(|c| c.as_f64()))
        .expect("a total row");
    assert_eq!(total, 154_440.0);
}

#[actix_web::test]
async fn dues_are_received_into_the_organisations_fund_and_the_fund_report_sets_each_line_against_its_plan(
) {
    let app = TestApp::spawn().await;
    salaried(&app, "CB1", "Nguyễn Văn An", 440);
    salaried(&app, "CB2", "Trần Thị Bình", 440);
    let f = fund(&app, 10_000_000);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    assert_eq!(join(&mut cd, org, "CB1").await, 303);
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/members"),
            &[
                ("code", "CB2"),
                ("role", "member"),
                ("joined_on", "01/01/2021"),
                ("member_since", ""),
                ("card_number", ""),
                ("collect_by", "cash"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    cd.get("/welfare/dues/rules").await;
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/01/2020", ""),
        ("0,5", ""),
        "Quy định",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let o = org.to_string();
    let r = cd
        .post(
            "/welfare/dues/generate",
            &[("org", o.as_str()), ("m", "2026-10")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let fs = f.to_string();
    cd.get(&format!("/welfare/organisations/{org}")).await;
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/fund"),
            &[("fund", fs.as_str())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The payroll collection: one receipt for the batch; Bình's cash payment: one of its own.
    cd.get(&format!("/welfare/dues?org={org}&m=2026-10")).await;
    let r = cd
        .post(
            "/welfare/dues/collect-payroll",
            &[
                ("org", o.as_str()),
                ("m", "2026-10"),
                ("paid_on", "05/11/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let binh_dues: i32 = {
        let mut c = app.state.db.read_conn().expect("conn");
        use canteen::db::schema::{dues, dues_payments};
        use diesel::prelude::*;
        dues::table
            .left_join(dues_payments::table)
            .filter(dues_payments::dues_id.nullable().is_null())
            .select(dues::id)
            .first(&mut c)
            .expect("Bình's dues")
    };
    let r = cd
        .post(
            &format!("/welfare/dues/{binh_dues}/pay"),
            &[
                ("paid_on", "06/11/2026"),
                ("method", "cash"),
                ("receipt_no", "BL0007"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("vouchers WHERE kind = 'receipt' AND source LIKE 'dues%' AND amount_vnd = 51480"),
        2
    );
    assert_eq!(app.count("dues_payments WHERE voucher_id IS NOT NULL"), 2);
    // Not paid years before the month, nor ahead of today.
    for day in ["01/01/2020", "28/11/2026"] {
        let r = cd
            .post(
                &format!("/welfare/dues/{binh_dues}/pay"),
                &[("paid_on", day), ("method", "cash"), ("receipt_no", "")],
            )
            .await;
        assert_ne!(r.status, 303, "{day}");
    }
    assert_eq!(app.count("dues_payments"), 2);

    // Payments by hand on the "sick visits" line; one of them reversed.
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    for amount in ["500.000", "300.000"] {
        let page = kt.get("/accounting/funds?year=2026").await;
        let mut form = page.form("/accounting/vouchers");
        for (k, v) in [
            ("fund", fs.as_str()),
            ("kind", "payment"),
            ("date", "10/11/2026"),
            ("amount", amount),
            ("description", "Thăm ốm đoàn viên"),
            ("line", "sick"),
        ] {
            crate::support::set_field(&mut form, k, v);
        }
        let r = kt
            .post("/accounting/vouchers", &crate::support::refs(&form))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // A line of the other side is refused.
    let page = kt.get("/accounting/funds?year=2026").await;
    let mut form = page.form("/accounting/vouchers");
    for (k, v) in [
        ("fund", fs.as_str()),
        ("kind", "payment"),
        ("date", "10/11/2026"),
        ("amount", "100.000"),
        ("description", "Nhầm khoản mục"),
        ("line", "donation"),
    ] {
        crate::support::set_field(&mut form, k, v);
    }
    let r = kt
        .post("/accounting/vouchers", &crate::support::refs(&form))
        .await;
    assert_eq!(r.status, 422);
    let second: i32 = {
        let mut c = app.state.db.read_conn().expect("conn");
        use canteen::db::schema::vouchers;
        use diesel::prelude::*;
        vouchers::table
            .filter(vouchers::amount_vnd.eq(300_000))
            .select(vouchers::id)
            .first(&mut c)
            .expect("the second payment")
    };
    let r = kt
        .post(
            &format!("/accounting/vouchers/{second}/reverse"),
            &[("reason", "Chi trùng"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Reversing Bình's receipt: her dues are owed again; the payroll collection stays paid.
    let binh_receipt: i32 = {
        let mut c = app.state.db.read_conn().expect("conn");
        use canteen::db::schema::vouchers;
        use diesel::prelude::*;
        vouchers::table
            .filter(vouchers::source.eq(format!("dues:{binh_dues}")))
            .select(vouchers::id)
            .first(&mut c)
            .expect("Bình's receipt")
    };
    let r = kt
        .post(
            &format!("/accounting/vouchers/{binh_receipt}/reverse"),
            &[("reason", "Thu nhầm"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("dues_payments"), 1);
    assert_eq!(
        app.count(&format!("dues_payments WHERE dues_id = {binh_dues}")),
        0
    );
    assert_eq!(app.audit_after("dues.unpay").len(), 1);
    // Money brought forward from last year.
    let now = app.clock().now_naive();
    app.state
        .db
        .write_tx(move |c| {
            ledger::post(
                c,
                &canteen::audit::Actor::system("test"),
                now,
                &ledger::NewVoucher {
                    fund: f,
                    kind: ledger::RECEIPT,
                    date: d(2025, 12, 15),
                    amount: Vnd(300_000),
                    description: "Kết dư năm trước",
                    person: None,
                    source: None,
                },
            )
        })
        .expect("last year");

    // The plan by line: a bad amount changes nothing; then saved.
    let report = format!("/accounting/funds/{f}/report?year=2026");
    kt.get(&report).await;
    let plan = format!("/accounting/funds/{f}/budget?year=2026");
    let bad = kt
        .post(
            &plan,
            &[("dues", "1.000.000"), ("sick", "-5"), ("funeral", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(app.count("budget_lines"), 0);
    let ok = kt
        .post(
            &plan,
            &[
                ("dues", "1.000.000"),
                ("sick", "2.000.000"),
                ("funeral", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(app.count("budget_lines"), 2);
    assert_eq!(app.audit_after("ledger_fund.budget_lines").len(), 1);

    let page = kt.get(&report).await;
    let rows = page.texts("table.report tbody tr");
    let row = |label: &str| {
        rows.iter()
            .find(|r| r.starts_with(label))
            .cloned()
            .unwrap_or_else(|| panic!("{label} in {rows:?}"))
    };
    // Dues: 2 × 51.480 received, one reversed, against 1.000.000 planned.
    assert!(row("Đoàn phí").contains("51.480"), "{rows:?}");
    assert!(row("Đoàn phí").contains("1.000.000"), "{rows:?}");
    // Sick visits: 500.000 (the 300.000 reversed) of 2.000.000, 25 %.
    let sick = row("Thăm ốm");
    assert!(
        sick.contains("500.000") && sick.contains("1.500.000") && sick.contains("25 %"),
        "{sick}"
    );
    // The 10.000.000 received without a line counts as "other receipts"; the balance at the
    // end is what the ledger says.
    assert!(row("Thu khác").contains("10.000.000"));
    let figures = app
        .state
        .db
        .write_tx(move |c| ledger::year_figures(c, f, 2026))
        .expect("figures");
    assert!(
        page.body.contains(&figures.balance().to_string()),
        "{}",
        figures.balance()
    );
    // 300.000 brought forward; dues 51.480 (Bình's reversed); 500.000 spent.
    assert_eq!(figures.opening, Vnd(300_000));
    assert_eq!(
        figures.balance(),
        Vnd(300_000 + 10_000_000 + 51_480 - 500_000)
    );
    let funds = kt.get("/accounting/funds?year=2026").await;
    assert!(
        funds.body.contains(&figures.balance().to_string()),
        "the funds page says what the report says"
    );

    // The same report as XLSX, with numbers.
    let x = kt
        .get(&format!("/accounting/funds/{f}/report.xlsx?year=2026"))
        .await;
    use calamine::{DataType, Reader};
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).expect("xlsx");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("cells");
    let sick_actual = sheet
        .rows()
        .find(|r| r.get(1).is_some_and(|c| *c == "Thăm ốm"))
        .and_then(|r| r.get(3).and_then(|c| c.as_f64()))
        .expect("the sick line");
    assert_eq!(sick_actual, 500_000.0);
}

#[actix_web::test]
async fn a_long_months_dues_and_arrears_come_in_pages_with_a_search() {
    let app = TestApp::spawn().await;
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    for i in 1..=105 {
        let p = app.person(&format!("M{i:03}"), &format!("Đoàn viên Số {i}"));
        app.sql(&format!(
            "INSERT INTO memberships (person_id, organisation_id, role, joined_on, card_number, collect_by, end_reason, created_at) VALUES ({p}, {org}, 'member', '2021-01-01', '', 'cash', '', '2021-01-01 00:00:00')"
        ));
    }
    for m in ["2026-08", "2026-09", "2026-10"] {
        app.sql(&format!(
            "INSERT INTO dues (membership_id, month, amount_vnd, basis_vnd, created_at) SELECT id, '{m}', 30000, 0, '2026-10-01 00:00:00' FROM memberships"
        ));
    }
    let first = cd.get(&format!("/welfare/dues?org={org}&m=2026-10")).await;
    assert_eq!(first.texts("main table tbody tr").len(), 100);
    assert!(
        first
            .texts("main p")
            .iter()
            .any(|t| t.contains("105 · 0 ₫ / 3.150.000 ₫")),
        "totals cover every member: {:?}",
        first.texts("main p")
    );
    let second = cd
        .get(&format!("/welfare/dues?org={org}&m=2026-10&page=2"))
        .await;
    assert_eq!(second.texts("main table tbody tr").len(), 5);
    let found = cd
        .get(&format!(
            "/welfare/dues?org={org}&m=2026-10&q=doan+vien+so+42"
        ))
        .await;
    assert_eq!(found.texts("main table tbody td:first-child"), vec!["M042"]);
    // The organisation's members are found by a part of their code too (QA round 2), as
    // people are everywhere else.
    let members = cd.get(&format!("/welfare/organisations/{org}?q=m04")).await;
    assert!(
        members.body.contains("M040")
            && members.body.contains("M049")
            && !members.body.contains("M050"),
        "{}",
        members.body
    );
    let arrears = cd.get(&format!("/welfare/arrears?org={org}")).await;
    assert_eq!(arrears.texts("main table tbody tr").len(), 100);
    assert!(
        arrears
            .texts("main p")
            .iter()
            .any(|t| t.contains("105 · 9.450.000 ₫")),
        "{:?}",
        arrears.texts("main p")
    );
    let last = cd.get(&format!("/welfare/arrears?org={org}&page=2")).await;
    assert_eq!(last.texts("main table tbody tr").len(), 5);
}

#[actix_web::test]
async fn members_import_from_a_file_after_a_preview_that_names_each_rows_problems() {
    let app = TestApp::spawn().await;
    for (code, name) in [
        ("NV1", "Nguyễn Văn An"),
        ("NV2", "Trần Thị Bình"),
        ("NV3", "Lê Văn Cường"),
        ("NV4", "Phạm Thị Dung"),
    ] {
        app.person(code, name);
    }
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    let other = union(&mut cd, "Công đoàn khác", "union").await;
    assert_eq!(join(&mut cd, other, "NV4").await, 303);
    let csv = "Mã cán bộ;Họ và tên;Vai trò;Ngày kết nạp;Số thẻ;Hình thức thu\n\
               nv1;Nguyễn Văn An;Tổ trưởng;01/03/2021;CD-001;Trừ lương\n\
               NV2;Trần Thị Bình;;15/04/2022;;tiền mặt\n\
               NV9;Không Có;;01/01/2022;;\n\
               NV3;Người Khác;;01/01/2022;;\n\
               NV1;Nguyễn Văn An;;01/01/2022;;\n\
               NV4;Phạm Thị Dung;;01/01/2022;;\n\
               NV3;Lê Văn Cường;Trưởng ban;01/01/2022;;\n\
               NV3;Lê Văn Cường;;01/01/2099;;\n";
    let page = cd.get(&format!("/welfare/organisations/{org}")).await;
    assert!(page.body.contains("Nhập thành viên từ tệp"));
    let preview = cd
        .upload(
            &format!("/welfare/organisations/{org}/import"),
            "thanh-vien.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let rows = preview.texts("main table tbody tr");
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(
        rows[0].contains("Tổ trưởng") && rows[0].contains("Hợp lệ"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("Tiền mặt") && rows[1].contains("Hợp lệ"),
        "{}",
        rows[1]
    );
    for (i, why) in [
        (2, "Không tìm thấy"),
        (3, "không khớp với mã"),
        (4, "đã có ở dòng trên"),
        (6, "Vai trò không rõ"),
        (7, "Ngày phải có dạng"),
    ] {
        assert!(
            rows[i].contains(why),
            "row {i}: {} — expected {why}",
            rows[i]
        );
    }
    // One grassroots union at a time: the rule of joining one by one.
    assert!(!rows[5].contains("Hợp lệ"), "{}", rows[5]);
    assert!(preview.body.contains("Dòng hợp lệ / tổng số dòng: 2 / 8"));
    assert_eq!(app.count("memberships"), 1, "a preview changes nothing");

    let form = preview.form(&format!("/welfare/organisations/{org}/import/commit"));
    let r = cd
        .post(
            &format!("/welfare/organisations/{org}/import/commit"),
            &crate::support::refs(&form),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!("memberships WHERE organisation_id = {org}")),
        2
    );
    assert_eq!(
        app.count(&format!(
            "memberships WHERE organisation_id = {org} AND role = 'group_leader' AND card_number = 'CD-001' AND joined_on = '2021-03-01'"
        )),
        1
    );
    assert_eq!(app.audit_after("import.members").len(), 1);
    // Sending the same rows again joins nobody twice.
    let again = cd
        .post(
            &format!("/welfare/organisations/{org}/import/commit"),
            &crate::support::refs(&form),
        )
        .await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("Không có dòng hợp lệ nào"));
    assert_eq!(
        app.count(&format!("memberships WHERE organisation_id = {org}")),
        2
    );
    // A file without the joined column, or not a spreadsheet, is refused with a reason.
    let bad = cd
        .upload(
            &format!("/welfare/organisations/{org}/import"),
            "x.csv",
            "Mã cán bộ\nNV3\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("thiếu cột Ngày kết nạp"));
}

#[actix_web::test]
async fn a_member_exempted_from_dues_for_a_period_owes_nothing_in_it() {
    let app = TestApp::spawn().await;
    let an = salaried(&app, "CB1", "Nguyễn Văn An", 440);
    salaried(&app, "CB2", "Trần Thị Bình", 440);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở", "union").await;
    assert_eq!(join(&mut cd, org, "CB1").await, 303);
    assert_eq!(join(&mut cd, org, "CB2").await, 303);
    cd.get("/welfare/dues/rules").await;
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/01/2020", ""),
        ("0,5", ""),
        "Quy định",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = cd.get(&format!("/welfare/people/{an}")).await;
    let membership: i32 = {
        let mut c = app.state.db.read_conn().expect("conn");
        use canteen::db::schema::memberships;
        use diesel::prelude::*;
        memberships::table
            .filter(memberships::person_id.eq(an))
            .select(memberships::id)
            .first(&mut c)
            .expect("An's membership")
    };
    let url = format!("/welfare/memberships/{membership}/exempt");
    assert!(page.has(&format!("form[action='{url}']")));
    // A reason is needed, and dates that exist.
    let bad = cd
        .post(
            &url,
            &[("from", "01/10/2026"), ("to", "31/12/2026"), ("reason", "")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad = cd
        .post(
            &url,
            &[
                ("from", "31/02/2026"),
                ("to", ""),
                ("reason", "Ốm dài ngày"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(app.count("dues_exemptions"), 0);
    let ok = cd
        .post(
            &url,
            &[
                ("from", "01/10/2026"),
                ("to", "31/12/2026"),
                ("reason", "Nghỉ ốm dài ngày"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = cd.get(&format!("/welfare/people/{an}")).await;
    assert!(page.body.contains("Nghỉ ốm dài ngày"));
    let o = org.to_string();
    for m in ["2026-09", "2026-10"] {
        let r = cd
            .post("/welfare/dues/generate", &[("org", o.as_str()), ("m", m)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // September: both owe; October: only Bình.
    assert_eq!(dues_of(&app, "2026-09").len(), 2);
    assert_eq!(dues_of(&app, "2026-10").len(), 1);
}

#[actix_web::test]
async fn a_dues_rule_cannot_start_in_a_month_whose_dues_are_already_made_and_the_one_it_replaces_shows_its_end(
) {
    let app = TestApp::spawn().await;
    salaried(&app, "CB1", "Nguyễn Văn An", 440);
    let mut cd = app.login_as("congdoan", &[Role::UnionOfficer]).await;
    let org = union(&mut cd, "Công đoàn cơ sở Văn phòng", "union").await;
    assert_eq!(join(&mut cd, org, "CB1").await, 303);
    cd.get("/welfare/dues/rules").await;
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/07/2025", ""),
        ("0,5", "10"),
        "Quyết định 1911/QĐ-TLĐ",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for m in ["2026-01", "2026-02", "2026-03"] {
        let r = cd
            .post(
                "/welfare/dues/generate",
                &[("org", &org.to_string()), ("m", m)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // 1 % from March: March's dues were made at 0,5 % and stay so; the rule would say
    // otherwise of them. Refused, saying why; nothing added.
    let rules = app.count("dues_rules");
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/03/2026", ""),
        ("1", "10"),
        "Quyết định 2/QĐ-TLĐ",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.texts(".field.invalid .error")
            .iter()
            .any(|t| t.contains("đã được lập")),
        "{}",
        r.body
    );
    assert_eq!(app.count("dues_rules"), rules);
    // A rule for months before those made (filled in afterwards) is taken: it says nothing
    // of the months made.
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/01/2020", "30/06/2025"),
        ("1", "10"),
        "Quyết định 1911/QĐ-TLĐ",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // From April, the first month not made, it is taken.
    let r = dues_rule(
        &mut cd,
        ["union", "working", "salary"],
        ("01/04/2026", ""),
        ("1", "10"),
        "Quyết định 2/QĐ-TLĐ",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The list shows the earlier rule ending where the later one starts.
    let page = cd.get("/welfare/dues/rules").await;
    let rows = page.texts("main table tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("01/07/2025") && r.contains("31/03/2026")),
        "{rows:?}"
    );
}
