use crate::support::TestApp;
use canteen::auth::roles::Role;

async fn admin_with_units(app: &TestApp) -> crate::support::Client {
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/units").await;
    for (code, name) in [("VP", "Văn phòng Bộ"), ("CNTT", "Cục Công nghệ thông tin")] {
        let r = admin
            .post(
                "/units",
                &[("code", code), ("name", name), ("parent_id", "")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    admin
}

const GOOD_CSV: &str = "Mã cán bộ;Họ và tên;Đơn vị;Đối tượng;Giới tính;Ngày sinh;Trạng thái\n\
NV001;Nguyễn Văn An;VP;Công chức;Nam;05/09/1980;Đang làm việc\n\
NV002;Trần Thị Bình;Cục Công nghệ thông tin;Viên chức;Nữ;12/03/1975;\n\
NV003;Lê Văn Cường;CNTT;Người lao động;Nam;01/01/1950;Nghỉ hưu\n";

#[actix_web::test]
async fn an_import_previews_then_commits_and_reimporting_the_same_file_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "nhansu.csv", GOOD_CSV.as_bytes().to_vec())
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("3 người mới"), "{}", preview.body);
    assert_eq!(app.count("persons"), 0, "a preview writes nothing");

    let rows = scraper_value(&preview.body, "input[name=rows]");
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [3, 0, 0, 0]);
    assert_eq!(app.count("persons"), 3);
    let audit_after_first = app.count("audit_log");

    admin.get("/people/import").await;
    let again = admin
        .upload("/people/import", "nhansu.csv", GOOD_CSV.as_bytes().to_vec())
        .await;
    assert!(again.body.contains("3 không đổi"), "{}", again.body);
    assert!(!again.has("input[name=rows]"), "nothing to commit");
    // Committing the same rows again (a double submission) is a no-op too.
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [0, 0, 3, 0]);
    assert_eq!(app.count("persons"), 3);
    assert_eq!(
        app.count("audit_log"),
        audit_after_first,
        "no change, no audit noise"
    );

    let list = admin.get("/people?q=cuong").await;
    assert!(list.body.contains("Lê Văn Cường"));
    let list = admin.get("/people?status=retired").await;
    assert_eq!(list.texts("tbody tr").len(), 1);
}

#[actix_web::test]
async fn a_file_with_one_bad_row_writes_nothing_of_that_row_and_says_which_row_and_why() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    let csv = "Mã cán bộ,Họ và tên,Đơn vị,Đối tượng,Ngày sinh\n\
NV001,Nguyễn Văn An,VP,Công chức,05/09/1980\n\
NV002,Trần Thị Bình,Vụ Không Có,Công chức,31/02/1975\n\
NV003,Lê Văn Cường,CNTT,Viên chức,01/01/1950\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "loi.csv", csv.as_bytes().to_vec())
        .await;
    let bad = preview.texts("tr.bad");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].starts_with('3'), "row 3 of the file: {}", bad[0]);
    assert!(bad[0].contains("Không có đơn vị này"), "{}", bad[0]);
    assert!(bad[0].contains("Ngày không hợp lệ"), "{}", bad[0]);
    let rows = scraper_value(&preview.body, "input[name=rows]");
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [2, 0, 0, 1]);
    assert_eq!(app.count("persons"), 2);
    let r = admin.get("/people?q=NV002").await;
    assert!(
        r.texts("tbody tr").is_empty(),
        "nothing of the bad row was written"
    );
}

#[actix_web::test]
async fn an_xlsx_file_imports_like_a_csv() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["Mã cán bộ", "Họ và tên", "Đơn vị", "Đối tượng"],
        ["1001", "Phạm Thị Hương", "VP", "Công chức"],
        ["1002", "Đỗ Minh Đức", "CNTT", "Hợp đồng"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    ws.write_number(2, 0, 1002.0).expect("numeric code");
    ws.write_string(0, 4, "Ngày sinh").expect("header");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 7, 15).expect("date");
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    ws.write_datetime_with_format(1, 4, &date, &fmt)
        .expect("date cell");
    let bytes = wb.save_to_buffer().expect("xlsx");
    admin.get("/people/import").await;
    let preview = admin.upload("/people/import", "nhansu.xlsx", bytes).await;
    assert!(preview.body.contains("2 người mới"), "{}", preview.body);
    let rows = scraper_value(&preview.body, "input[name=rows]");
    admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    let list = admin.get("/people?q=huong").await;
    let link = list.texts("tbody a");
    assert_eq!(link, vec!["Phạm Thị Hương".to_string()]);
    let r = admin.get("/people?q=1002").await;
    assert!(r.body.contains("Đỗ Minh Đức"), "numeric codes read as text");
}

#[actix_web::test]
async fn search_ignores_vietnamese_diacritics_and_case() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    for (code, name) in [
        ("A1", "Nguyễn Văn Đức"),
        ("A2", "Nguyên Thị Hà"),
        ("A3", "Trần Văn Nguyện"),
    ] {
        admin.get("/people/new").await;
        let r = admin
            .post(
                "/people",
                &[
                    ("employee_code", code),
                    ("full_name", name),
                    ("unit_id", ""),
                    ("category", "cong_chuc"),
                    ("gender", ""),
                    ("date_of_birth", ""),
                    ("status", "working"),
                    ("status_date", ""),
                    ("phone", ""),
                    ("email", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let names = |r: crate::support::Resp| r.texts("tbody td a");
    assert_eq!(
        names(admin.get("/people?q=nguyen+van").await),
        vec!["Nguyễn Văn Đức"]
    );
    assert_eq!(
        names(admin.get("/people?q=NGUYỄN+VĂN+ĐỨC").await),
        vec!["Nguyễn Văn Đức"]
    );
    assert_eq!(
        names(admin.get("/people?q=duc").await),
        vec!["Nguyễn Văn Đức"]
    );
    assert_eq!(names(admin.get("/people?q=nguyen").await).len(), 3);
    assert_eq!(
        names(admin.get("/people?q=ha").await),
        vec!["Nguyên Thị Hà"]
    );
}

#[actix_web::test]
async fn an_invalid_person_form_shows_each_problem_beside_its_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/new").await;
    let r = admin
        .post(
            "/people",
            &[
                ("employee_code", "NV 01!"),
                ("full_name", "Lan"),
                ("unit_id", "999"),
                ("category", "cong_chuc"),
                ("gender", ""),
                ("date_of_birth", "32/13/1990"),
                ("status", "working"),
                ("status_date", ""),
                ("phone", "12"),
                ("email", "lan@"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    let errs = r.texts(".field.invalid .error");
    assert_eq!(errs.len(), 5, "{errs:?}");
    assert!(
        r.body.contains("value=\"Lan\""),
        "the user's values are kept"
    );
    assert_eq!(app.count("persons"), 0);
    let r = admin
        .post("/people", &[("employee_code", "NV01"), ("hacker", "1")])
        .await;
    assert_eq!(r.status, 400, "unknown fields are refused");
    assert_eq!(app.count("persons"), 0);
}

#[actix_web::test]
async fn a_person_keeps_their_status_and_unit_history() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/new").await;
    let form = |unit: &'static str, status: &'static str, date: &'static str| {
        vec![
            ("employee_code", "NV9"),
            ("full_name", "Hoàng Văn Sơn"),
            ("unit_id", unit),
            ("category", "cong_chuc"),
            ("gender", "male"),
            ("date_of_birth", "01/02/1960"),
            ("status", status),
            ("status_date", date),
            ("phone", ""),
            ("email", ""),
        ]
    };
    let r = admin.post("/people", &form("1", "working", "")).await;
    let path = r.location();
    assert!(path.starts_with("/people/"));
    admin.get(&format!("{path}/edit")).await;
    let r = admin.post(&path, &form("2", "working", "01/03/2020")).await;
    assert_eq!(r.status, 303);
    admin.get(&format!("{path}/edit")).await;
    admin.post(&path, &form("2", "retired", "01/03/2025")).await;
    let page = admin.get(&path).await;
    let history = page.texts("h2 + table tbody tr");
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(history[0].contains("Nghỉ hưu") && history[0].contains("01/03/2025"));
    assert!(history[2].contains("Văn phòng Bộ"));
    let audits: Vec<String> = admin.get("/admin/audit").await.texts("td code");
    assert!(audits.iter().filter(|a| *a == "person.update").count() >= 2);
}

#[actix_web::test]
async fn staff_cannot_see_the_people_list_and_accountants_cannot_edit_it() {
    let app = TestApp::spawn().await;
    let mut staff = app.login_as("lan", &[Role::Staff]).await;
    assert_eq!(staff.get("/people").await.status, 403);
    let mut acc = app.login_as("ketoan", &[Role::Accountant]).await;
    assert_eq!(acc.get("/people").await.status, 200);
    assert_eq!(acc.get("/people/new").await.status, 403);
}

#[actix_web::test]
async fn the_people_list_exports_as_csv_with_a_bom_and_neutralised_formulas() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/new").await;
    admin
        .post(
            "/people",
            &[
                ("employee_code", "X1"),
                ("full_name", "Vũ Thị Mai"),
                ("unit_id", ""),
                ("category", "vien_chuc"),
                ("gender", ""),
                ("date_of_birth", ""),
                ("status", "working"),
                ("status_date", ""),
                ("phone", ""),
                ("email", ""),
            ],
        )
        .await;
    // A phone typed the international way, and a name that arrived by import as a formula.
    app.sql(
        "UPDATE persons SET phone = '+84912345678' WHERE employee_code = 'X1';
         UPDATE persons SET full_name = '=HYPERLINK(\"http://evil.example\")' WHERE employee_code = 'X1';",
    );
    let r = admin.get("/people/export.csv").await;
    assert!(r.header("content-type").starts_with("text/csv"));
    assert!(r.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let line = r
        .body
        .lines()
        .find(|l| l.contains("X1"))
        .expect("the person's line");
    assert!(line.contains("'=HYPERLINK"), "{line}");
    assert!(line.contains("'+84912345678"), "{line}");
    let cells: Vec<&str> = line.split(',').map(|c| c.trim_start_matches('"')).collect();
    assert!(
        cells.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "no cell starts a formula: {line}"
    );
}

#[actix_web::test]
async fn a_unit_cannot_become_part_of_its_own_sub_unit() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    // CNTT (2) under VP (1), then try VP under CNTT.
    admin.get("/units/2").await;
    let r = admin
        .post(
            "/units/2",
            &[
                ("code", "CNTT"),
                ("name", "Cục Công nghệ thông tin"),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    admin.get("/units/1").await;
    let r = admin
        .post(
            "/units/1",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "2")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không thể trực thuộc chính nó"));
}

fn scraper_value(body: &str, selector: &str) -> String {
    let doc = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_default()
        .to_string()
}

#[actix_web::test]
async fn a_file_with_only_the_required_columns_changes_nothing_else() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "nhansu.csv", GOOD_CSV.as_bytes().to_vec())
        .await;
    let rows = scraper_value(&preview.body, "input[name=rows]");
    admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    app.sql("UPDATE persons SET phone = '0912345678', status_date = '2010-01-01' WHERE employee_code = 'NV003'");
    // Only code, name and category: unit, gender, birth date, phone and "retired" stay.
    let slim = "Mã cán bộ;Họ và tên;Đối tượng\n\
NV001;Nguyễn Văn An;Công chức\n\
NV002;Trần Thị Bình;Viên chức\n\
NV003;Lê Văn Cường;Người lao động\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "slim.csv", slim.as_bytes().to_vec())
        .await;
    assert!(preview.body.contains("3 không đổi"), "{}", preview.body);
    assert_eq!(
        app.count("persons WHERE employee_code = 'NV003' AND status = 'retired' AND phone = '0912345678' AND unit_id IS NOT NULL AND date_of_birth IS NOT NULL AND gender IS NOT NULL"),
        1
    );
    // A real change is shown field by field, old → new.
    let renamed = "Mã cán bộ;Họ và tên;Đối tượng\nNV003;Lê Văn Cường;Công chức\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "doi.csv", renamed.as_bytes().to_vec())
        .await;
    assert!(
        preview.body.contains("1 cập nhật") || preview.body.contains("cập nhật"),
        "{}",
        preview.body
    );
    let changes = preview.texts("ul.changes li");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].contains("→"), "{changes:?}");
    // Named as the page names them, not by their stored codes.
    assert!(
        changes[0].contains("Người lao động") && changes[0].contains("Công chức"),
        "{changes:?}"
    );
    assert!(!changes[0].contains("cong_chuc"), "{changes:?}");
    let rows = scraper_value(&preview.body, "input[name=rows]");
    admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_eq!(
        app.count("persons WHERE employee_code = 'NV003' AND status = 'retired' AND phone = '0912345678' AND category = 'cong_chuc'"),
        1
    );
}

#[actix_web::test]
async fn a_file_of_three_hundred_staff_previews_and_commits() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    let mut csv = String::from("Mã cán bộ;Họ và tên;Đơn vị;Đối tượng\n");
    for i in 0..300 {
        csv.push_str(&format!("NV{i:04};Nguyễn Văn Nhân Viên;VP;Công chức\n"));
    }
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "lon.csv", csv.into_bytes())
        .await;
    assert!(
        preview.body.contains("300 người mới"),
        "{}",
        &preview.body[..500.min(preview.body.len())]
    );
    let rows = scraper_value(&preview.body, "input[name=rows]");
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [300, 0, 0, 0]);
    assert_eq!(app.count("persons"), 300);
}

#[actix_web::test]
async fn search_takes_percent_and_underscore_literally_and_a_unit_includes_its_sub_units() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    // A sub-unit of "Văn phòng Bộ" (unit 1).
    let r = admin
        .post(
            "/units",
            &[
                ("code", "VP-TH"),
                ("name", "Phòng Tổng hợp"),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for (code, name, unit) in [
        ("NV_1", "Nguyễn Văn An", "1"),
        ("NVX1", "Trần Thị Bình", "3"),
        ("NV2", "Lê Văn Cường", "2"),
    ] {
        admin.get("/people/new").await;
        let r = admin
            .post(
                "/people",
                &[
                    ("employee_code", code),
                    ("full_name", name),
                    ("unit_id", unit),
                    ("category", "cong_chuc"),
                    ("gender", ""),
                    ("date_of_birth", ""),
                    ("status", "working"),
                    ("status_date", ""),
                    ("phone", ""),
                    ("email", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let names = |r: &crate::support::Resp| r.texts("tbody tr td:nth-child(2)");
    let r = admin.get("/people?q=%25").await;
    assert!(names(&r).is_empty(), "% is not a wildcard: {:?}", names(&r));
    let r = admin.get("/people?q=NV_1").await;
    assert_eq!(names(&r), ["Nguyễn Văn An"], "_ is not a wildcard");
    let r = admin.get("/people?unit=1").await;
    let mut found = names(&r);
    found.sort();
    assert_eq!(
        found,
        ["Nguyễn Văn An", "Trần Thị Bình"],
        "the office and its sub-unit"
    );
    let r = admin.get("/admin/users?q=%25").await;
    assert_eq!(r.status, 200);
    assert!(
        r.texts("tbody tr").is_empty(),
        "no account has % in its name: {:?}",
        r.texts("tbody tr")
    );
    // A user name pasted with a zero-width space still finds the account.
    let r = admin.get("/admin/users?q=quan%E2%80%8Btri").await;
    assert!(
        r.texts("tbody tr").join(" ").contains("quantri"),
        "{:?}",
        r.texts("tbody tr")
    );
}

#[actix_web::test]
async fn exporting_personal_data_is_audited_with_its_size_and_filter() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/import").await;
    admin
        .upload(
            "/people/import",
            "nhan-su.csv",
            GOOD_CSV.as_bytes().to_vec(),
        )
        .await;
    let before = app.count("audit_log WHERE action = 'person.export'");
    let r = admin.get("/people/export.csv?status=retired").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").contains("nhan-su.csv"));
    assert_eq!(
        app.count("audit_log WHERE action = 'person.export'"),
        before + 1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'person.export' AND after_json LIKE '%\"status\":\"retired\"%'"),
        1
    );
}

#[actix_web::test]
async fn the_people_export_imports_again_with_no_change_and_unknown_columns_are_named() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/import").await;
    // Retired with a status date: the column the export heads "Ngày hiệu lực trạng thái".
    let file = "Mã cán bộ;Họ và tên;Đơn vị;Đối tượng;Trạng thái;Ngày hiệu lực;Điện thoại\n\
                NV001;Nguyễn Văn An;VP;Công chức;Nghỉ hưu;01/03/2025;0912345678\n\
                NV002;Trần Thị Bình;CNTT;Viên chức;Đang làm việc;;\n";
    let preview = admin
        .upload("/people/import", "a.csv", file.as_bytes().to_vec())
        .await;
    let rows = scraper_value(&preview.body, "input[name=rows]");
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [2, 0, 0, 0]);
    for lang in ["vi", "en"] {
        admin.get(&format!("/lang/{lang}?next=/people")).await;
        let export = admin.get("/people/export.csv").await;
        assert_eq!(export.status, 200);
        admin.get("/people/import").await;
        let again = admin
            .upload("/people/import", "export.csv", export.bytes.clone())
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert!(
            !again.has("input[name=rows]"),
            "re-importing the app's own export ({lang}) changes nothing: {}",
            again.texts("ul.changes").join(" | ")
        );
    }
    admin.get("/lang/vi?next=/people").await;
    admin.get("/people/import").await;
    let extra = "Mã cán bộ;Họ và tên;Chức vụ\nNV003;Lê Văn Cường;Chuyên viên\n";
    let preview = admin
        .upload("/people/import", "b.csv", extra.as_bytes().to_vec())
        .await;
    assert!(
        preview
            .texts(".notice")
            .iter()
            .any(|n| n.contains("Chức vụ")),
        "the column it does not read is named: {:?}",
        preview.texts(".notice")
    );
}

#[actix_web::test]
async fn a_unit_is_not_offered_its_own_sub_units_as_parent() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    let r = admin
        .post(
            "/units",
            &[
                ("code", "VP-TH"),
                ("name", "Phòng Tổng hợp"),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = admin.get("/units/1").await;
    let offered = page.texts("select[name=parent_id] option");
    assert!(
        !offered
            .iter()
            .any(|o| o.contains("Phòng Tổng hợp") || o.contains("Văn phòng Bộ")),
        "neither itself nor its sub-unit: {offered:?}"
    );
    assert!(offered.iter().any(|o| o.contains("Công nghệ thông tin")));
    // And a hand-made request is refused all the same.
    let r = admin
        .post(
            "/units/1",
            &[("code", "VP"), ("name", "Văn phòng Bộ"), ("parent_id", "3")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

/// The page after an import says how many rows were new, updated, unchanged, not imported.
fn assert_done(r: &crate::support::Resp, n: [usize; 4]) {
    assert_eq!(r.status, 200, "{}", r.body);
    let said = r.texts("div.flash").join(" ");
    let expected = format!(
        "{} người mới, {} cập nhật, {} không đổi, {} dòng lỗi",
        n[0], n[1], n[2], n[3]
    );
    assert!(said.contains(&expected), "{said} / {expected}");
}

#[actix_web::test]
async fn rows_an_import_rejects_stay_listed_after_the_commit_and_download_to_correct() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    let csv = "Mã cán bộ,Họ và tên,Đơn vị,Đối tượng,Ngày sinh\n\
NV001,Nguyễn Văn An,VP,Công chức,05/09/1980\n\
NV002,Trần Thị Bình,Vụ Không Có,Công chức,12/03/1975\n\
NV001,Nguyễn Văn Ân,VP,Công chức,06/09/1980\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "loi.csv", csv.as_bytes().to_vec())
        .await;
    let rows = scraper_value(&preview.body, "input[name=rows]");
    let done = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&done, [1, 0, 0, 2]);
    let listed = done.texts("table.rejected tbody tr");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].contains("NV002") && listed[0].contains("Không có đơn vị này"));

    let rejected = scraper_value(
        &done.body,
        "form[action='/people/import/rejected.csv'] input[name=rows]",
    );
    let file = admin
        .post("/people/import/rejected.csv", &[("rows", &rejected)])
        .await;
    assert_eq!(file.status, 200);
    let text = String::from_utf8(file.bytes.clone()).expect("utf-8");
    assert!(text.contains("NV002,Trần Thị Bình,Vụ Không Có"), "{text}");
    assert!(text.contains("Không có đơn vị này"), "{text}");
    assert!(
        text.contains("NV001,Nguyễn Văn Ân,VP,Công chức,06/09/1980,Mã cán bộ: Mã cán bộ này đã xuất hiện ở dòng trước"),
        "a reason only the whole file shows is kept: {text}"
    );
    assert!(
        !text.contains("Nguyễn Văn An,"),
        "only the rejected rows: {text}"
    );
    assert!(
        !text.contains("Điện thoại"),
        "no column the file did not have: {text}"
    );

    // Corrected, the same file imports; the reason column is reported as unknown, not used.
    let fixed = text.replace("Vụ Không Có", "VP");
    admin.get("/people/import").await;
    let again = admin
        .upload("/people/import", "dong-chua-nhap.csv", fixed.into_bytes())
        .await;
    assert!(again.body.contains("1 người mới"), "{}", again.body);
    // The second NV001 is no longer a duplicate in this file: the preview shows it as an update
    // of the stored NV001, for the admin to see before committing.
    assert!(again.body.contains("1 cập nhật"), "{}", again.body);
}

#[actix_web::test]
async fn an_old_xls_file_is_refused_with_a_message_saying_how_to_save_it() {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    admin.get("/people/import").await;
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.extend_from_slice(&[0u8; 512]);
    for name in ["nhansu.xls", "khong-duoi"] {
        let r = admin.upload("/people/import", name, ole.clone()).await;
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("Lưu thành (Save As)"), "{name}: {}", r.body);
    }
    assert_eq!(app.count("persons"), 0);
}

#[actix_web::test]
async fn the_people_list_sorts_names_the_vietnamese_way_by_default() {
    let app = TestApp::spawn().await;
    for (code, name) in [
        ("NV1", "Trần Thị Đào"),
        ("NV2", "Lê Văn Dũng"),
        ("NV3", "Nguyễn Văn Anh"),
        ("NV4", "Đặng Văn Anh"),
        ("NV5", "Phạm Thị Ánh"),
        ("NV6", "Lý Thị Dung"),
        ("NV7", "Đỗ Văn Ăn"),
    ] {
        app.person(code, name);
    }
    // Rows written before the key existed get theirs when the app migrates.
    app.sql("UPDATE persons SET sort_key = '' WHERE employee_code IN ('NV1', 'NV5')");
    app.migrate_again();
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let names: Vec<String> = admin.get("/people").await.texts("tbody tr td:nth-child(2)");
    assert_eq!(
        names,
        [
            "Đặng Văn Anh",
            "Nguyễn Văn Anh",
            "Phạm Thị Ánh",
            "Đỗ Văn Ăn",
            "Lý Thị Dung",
            "Lê Văn Dũng",
            "Trần Thị Đào"
        ]
    );
}

#[actix_web::test]
async fn text_pasted_into_a_form_or_a_file_is_kept_composed_and_without_characters_that_show_nothing(
) {
    let app = TestApp::spawn().await;
    let mut admin = admin_with_units(&app).await;
    // Zero-width spaces, soft hyphens, byte-order marks and word joiners come with text
    // copied from documents and chats: stored, they make two names that look the same differ.
    let r = admin
        .post(
            "/units",
            &[
                ("code", "K\u{200b}T"),
                // "Kế" typed as "K", "e", circumflex, acute
                ("name", "Phòng\u{200b} Ke\u{302}\u{301}\u{ad} toán\u{feff}"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("units WHERE code = 'KT' AND name = 'Phòng Kế toán'"),
        1
    );
    admin.get("/people/new").await;
    let r = admin
        .post(
            "/people",
            &[
                ("employee_code", "NV\u{2060}9"),
                ("full_name", "Phạm\u{200b} Thị Ho\u{200d}a"),
                ("unit_id", ""),
                ("category", "cong_chuc"),
                ("gender", ""),
                ("date_of_birth", ""),
                ("status", "working"),
                ("status_date", ""),
                ("phone", ""),
                ("email", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("persons WHERE employee_code = 'NV9' AND full_name = 'Phạm Thị Hoa'"),
        1
    );
    // The same from a staff file.
    let csv = "Mã cán bộ;Họ và tên;Đơn vị;Đối tượng;Giới tính;Ngày sinh;Trạng thái\n\
               NV\u{feff}010;Đo\u{302}\u{303} Văn\u{200b} Nam\u{ad};VP;Công chức;Nam;05/09/1980;Đang làm việc\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "nhansu.csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let rows = scraper_value(&preview.body, "input[name=rows]");
    let r = admin
        .post("/people/import/commit", &[("rows", &rows)])
        .await;
    assert_done(&r, [1, 0, 0, 0]);
    assert_eq!(
        app.count("persons WHERE employee_code = 'NV010' AND full_name = 'Đỗ Văn Nam'"),
        1
    );
}

#[actix_web::test]
async fn a_form_sent_back_with_errors_does_not_say_saved() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/units").await;
    // A save answered by a redirect whose page was never opened (a double click: the browser
    // left the first answer for the second), then a send with an error.
    let r = admin
        .post(
            "/units",
            &[("code", "VP"), ("name", "Văn phòng"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin
        .post(
            "/units",
            &[("code", "V P!"), ("name", "Khác"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.texts(".flash").is_empty(),
        "the page with errors says nothing was saved, not 'saved': {:?}",
        r.texts(".flash")
    );
    assert_eq!(r.texts(".field.invalid .error").len(), 1, "{}", r.body);
    // The save that was made is still told, once, on the next page.
    let r = admin.get("/units").await;
    assert_eq!(r.texts(".flash"), ["Đã lưu."]);
    let r = admin.get("/units").await;
    assert!(r.texts(".flash").is_empty());
}

/// A person's leaving, retiring or death is a change on a day: it needs that day, and the day
/// may not lie in closed books (November closed with its meals paid, then "left since
/// 01/11" would contradict it) — on the form and in a file alike. Nothing changes when refused.
#[actix_web::test]
async fn a_change_of_status_needs_its_date_and_cannot_be_back_dated_into_a_closed_month() {
    use crate::support::{d, local, refs, set_field};
    let app = TestApp::spawn().await;
    app.clock().set(local(d(2026, 12, 14), 11, 0, 0));
    let mut admin = admin_with_units(&app).await;
    let id = app.person("NV001", "Nguyễn Văn An");
    // NV001 ate on 20/11; November is then closed with that meal paid.
    let opt = app.options(&[d(2026, 11, 20)], &[crate::support::REGULAR])[0][0];
    app.sql(&format!(
        "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
         VALUES ({id}, '2026-11-20', {opt}, 35000, 'served', 'staff', '2026-11-19 01:00:00', '2026-11-20 05:00:00')"
    ));
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    kt.get("/accounting/reconciliation?m=2026-11").await;
    kt.post(
        "/accounting/month/note?m=2026-11",
        &[("note", "Chưa có hóa đơn")],
    )
    .await;
    let r = kt
        .post("/accounting/month/close?m=2026-11", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let before = app.count("persons WHERE status = 'working' AND status_date IS NULL");

    let edit = format!("/people/{id}/edit");
    let action = format!("/people/{id}");
    for (date, message) in [
        (
            "15/11/2026",
            "còn suất ăn từ ngày này trong tháng đã khóa sổ",
        ),
        ("", "Cần nhập ngày hiệu lực"),
        ("01/01/2099", "tối đa một năm"),
    ] {
        let mut form = admin.get(&edit).await.form(&action);
        set_field(&mut form, "status", "left");
        set_field(&mut form, "status_date", date);
        let r = admin.post(&action, &refs(&form)).await;
        assert_eq!(r.status, 422, "left since {date:?}: {}", r.body);
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert_eq!(
            app.count("persons WHERE status = 'working' AND status_date IS NULL"),
            before
        );
        assert_eq!(app.count("person_history WHERE status = 'left'"), 0);
    }
    let mut form = admin.get(&edit).await.form(&action);
    set_field(&mut form, "status", "left");
    set_field(&mut form, "status_date", "15/12/2026");
    let r = admin.post(&action, &refs(&form)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("persons WHERE status = 'left' AND status_date = '2026-12-15'"),
        1
    );

    // A file moving the date back into November: the row is refused, nothing changes.
    let csv = "Mã cán bộ;Họ và tên;Đối tượng;Trạng thái;Ngày hiệu lực\n\
NV001;Nguyễn Văn An;Công chức;Nghỉ việc;01/11/2026\n";
    admin.get("/people/import").await;
    let preview = admin
        .upload("/people/import", "nhansu.csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("còn suất ăn từ ngày này trong tháng đã khóa sổ"),
        "{}",
        preview.body
    );
    let rows = scraper_value(&preview.body, "input[name=rows]");
    if !rows.is_empty() {
        admin
            .post("/people/import/commit", &[("rows", &rows)])
            .await;
    }
    assert_eq!(
        app.count("persons WHERE status = 'left' AND status_date = '2026-12-15'"),
        1
    );

    // A death recorded late keeps its true day when no meal of the closed books follows it,
    // and is never in the future.
    let mut form = admin.get(&edit).await.form(&action);
    set_field(&mut form, "status", "deceased");
    set_field(&mut form, "status_date", "20/12/2026");
    let r = admin.post(&action, &refs(&form)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Ngày mất không thể sau hôm nay"),
        "{}",
        r.body
    );
    set_field(&mut form, "status_date", "25/11/2026");
    let r = admin.post(&action, &refs(&form)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("persons WHERE status = 'deceased' AND status_date = '2026-11-25'"),
        1
    );
}
