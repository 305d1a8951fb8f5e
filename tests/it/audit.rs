//! The admin's audit page: worded changes with a before → after of the fields that changed,
//! filters, sign-ins apart, paging, and exports that are themselves audited.

use crate::support::*;
use canteen::auth::roles::Role;

/// The kitchen changes an option's price (only the price); returns the admin's client.
async fn a_price_change(app: &TestApp) -> Client {
    let rice = app.dish("Cơm trắng", true, "").to_string();
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let add = [
        ("date", "2026-12-01"),
        ("name", "Suất thường"),
        ("price", "35.000"),
        ("capacity", "80"),
        ("dish", rice.as_str()),
    ];
    assert_eq!(bep.post("/kitchen/menu/options", &add).await.status, 303);
    bep.get("/kitchen/menu/options/1").await;
    let edit = [
        ("name", "Suất thường"),
        ("price", "40.000"),
        ("capacity", "80"),
        ("dish", rice.as_str()),
    ];
    assert_eq!(bep.post("/kitchen/menu/options/1", &edit).await.status, 303);
    app.login_as("quantri", &[Role::Admin]).await
}

#[actix_web::test]
async fn the_audit_page_words_each_change_and_shows_only_the_fields_that_changed() {
    let app = TestApp::spawn().await;
    let mut admin = a_price_change(&app).await;
    let page = admin.get("/admin/audit?action=menu_option.update").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("table.audit tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Sửa suất ăn"), "{}", rows[0]);
    let diff = page.texts("ul.diff li");
    assert_eq!(diff, ["Giá: 35.000 ₫ → 40.000 ₫"], "only the price changed");
    assert!(!page.body.contains("{&quot;"), "no raw JSON");

    // Filters: who, the kind of record, dates; a date that is not one is said so.
    let by_bep = admin
        .get("/admin/audit?who=bep")
        .await
        .texts("table.audit tbody tr");
    assert!(
        by_bep.iter().all(|r| r.contains("bep")) && by_bep.len() == 2,
        "{by_bep:?}"
    );
    let dishes = admin
        .get("/admin/audit?entity=dish")
        .await
        .texts("table.audit tbody tr");
    assert_eq!(dishes.len(), 1, "{dishes:?}");
    let before = admin.get("/admin/audit?to=26/11/2026").await;
    assert!(
        before.body.contains("Không có dòng nào khớp"),
        "{}",
        before.body
    );
    let today = admin
        .get("/admin/audit?from=27/11/2026&to=27/11/2026")
        .await;
    let all = admin
        .get("/admin/audit")
        .await
        .texts("table.audit tbody tr");
    assert_eq!(
        today.texts("table.audit tbody tr"),
        all,
        "everything happened that day"
    );
    let bad = admin.get("/admin/audit?from=31/02/2026").await;
    assert!(
        bad.texts(".field .error")
            .join(" ")
            .contains("ngày/tháng/năm"),
        "{}",
        bad.body
    );

    // Sign-ins have their own view and stay out of the changes.
    let changes = admin.get("/admin/audit").await;
    assert!(!changes.body.contains("login.success"));
    let logins = admin.get("/admin/audit?view=logins").await;
    let rows = logins.texts("table.audit tbody tr");
    assert!(
        rows.len() >= 2 && rows.iter().all(|r| r.contains("Đăng nhập")),
        "{rows:?}"
    );
}

#[actix_web::test]
async fn the_audit_log_pages_keep_their_filters_and_exports_are_audited() {
    let app = TestApp::spawn().await;
    let mut admin = a_price_change(&app).await;
    for i in 0..60 {
        app.sql(&format!(
            "INSERT INTO units (code, name, created_at) VALUES ('U{i}', 'Đơn vị {i}', '2026-11-27 01:00:00')"
        ));
    }
    // Through the app, so that they are audited: 55 unit changes.
    for i in 0..55 {
        admin.get("/units").await;
        let r = admin
            .post(
                "/units",
                &[
                    ("code", &format!("X{i}")),
                    ("name", &format!("Phòng {i}")),
                    ("parent_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let first = admin.get("/admin/audit?action=unit.create").await;
    assert_eq!(first.texts("table.audit tbody tr").len(), 50);
    let next = first
        .body
        .contains("action=unit.create&amp;entity=&amp;from=&amp;to=&amp;page=2");
    assert!(next, "the pager keeps the filter: {}", first.body);
    let second = admin
        .get("/admin/audit?view=&who=&action=unit.create&entity=&from=&to=&page=2")
        .await;
    assert_eq!(second.texts("table.audit tbody tr").len(), 5);
    let past = admin
        .get("/admin/audit?action=unit.create&page=99999")
        .await;
    assert_eq!(
        past.texts("table.audit tbody tr").len(),
        5,
        "past the end: the last page"
    );
    assert!(past.texts("nav.pager").join(" ").contains("2 / 2"));

    let xlsx = admin
        .get("/admin/audit.xlsx?action=menu_option.update")
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX (zip) file");
    let csv = admin
        .get("/admin/audit.csv?action=menu_option.update")
        .await;
    let text = String::from_utf8(csv.bytes.clone())
        .expect("utf-8")
        .replace('\u{a0}', " ");
    assert!(text.contains("Giá: 35.000 ₫ → 40.000 ₫"), "{text}");
    assert_eq!(text.lines().count(), 2, "the header and one row: {text}");
    let exports = app.audit_after("audit_log.export");
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0]["format"], "xlsx");
    assert_eq!(exports[0]["rows"], 1);
}
