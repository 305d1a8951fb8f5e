//! Food-safety records: the three-step check, samples, certificates, incidents.

use crate::support::{d, TestApp};
use canteen::auth::roles::Role;
use canteen::canteen::store as menu_store;
use canteen::error::AppError;
use chrono::NaiveDate;

const PDF: &[u8] = b"%PDF-1.4\n%scan\n";

/// An option on `day` holding these dishes; returns its id.
fn menu_with(app: &TestApp, day: NaiveDate, name: &str, dishes: &[i32]) -> i32 {
    let ids = dishes.to_vec();
    let name = name.to_string();
    app.state
        .db
        .write_tx(move |c| {
            let all = menu_store::all_dishes(c)?;
            let picked: Vec<_> = ids
                .iter()
                .filter_map(|i| all.iter().find(|d| d.id == *i).cloned())
                .collect();
            let o = menu_store::NewOption {
                service_date: day,
                name: &name,
                price_vnd: canteen::money::Vnd(35_000),
                capacity: None,
                vegetarian: false,
                dishes: &picked,
            };
            menu_store::add_option(c, &o)?.map_err(AppError::BadRequest)
        })
        .expect("option")
}

/// A supplier whose certificate runs until `until` (none when None); returns its id.
fn supplier(app: &TestApp, name: &str, tax: &str, until: Option<NaiveDate>) -> i32 {
    app.sql(&format!(
        "INSERT INTO suppliers (name, tax_code, address, created_at) VALUES ('{name}', '{tax}', '', '2026-11-01 00:00:00')"
    ));
    let id = app.count("suppliers") as i32;
    if let Some(u) = until {
        app.sql(&format!(
            "INSERT INTO food_certificates (supplier_id, number, issuer, valid_until, created_at) VALUES ({id}, 'GCN-{id}', 'Sở Y tế', '{u}', '2026-11-01 00:00:00')"
        ));
    }
    id
}

/// Today (27/11/2026) with a solid and a liquid dish on the menu; (solid, liquid) ids.
fn today_menu(app: &TestApp) -> (i32, i32) {
    let solid = app.dish("Cá kho tộ", false, "fish");
    let soup = app.dish("Canh chua", false, "");
    app.sql(&format!(
        "UPDATE dishes SET liquid = true WHERE id = {soup}"
    ));
    menu_with(app, d(2026, 11, 27), "Suất thường", &[solid, soup]);
    (solid, soup)
}

fn delivery<'a>(date: &'a str, supplier: &'a str, item: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("date", date),
        ("supplier", supplier),
        ("goods", "fresh"),
        ("received", "06:30"),
        ("invoice_ref", "PX-2711"),
        ("note", ""),
        ("item", item),
        ("quantity", "12,5"),
        ("unit", "kg"),
        ("origin", "Chợ Long Biên"),
        ("lot", "L1"),
        ("expiry", ""),
        ("temperature", "4"),
        ("sensory", "ok"),
        ("item_note", ""),
    ]
}

const PREP: &[(&str, &str)] = &[
    ("date", "2026-11-27"),
    ("started", "07:10"),
    ("finished", "07:40"),
    ("people", "ok"),
    ("tools", "ok"),
    ("area", "ok"),
    ("sensory", "ok"),
    ("note", "Sạch sẽ"),
];
const SERVE: &[(&str, &str)] = &[
    ("date", "2026-11-27"),
    ("ready", "07:55"),
    ("covered", "ok"),
    ("sensory", "ok"),
    ("note", ""),
];

fn sample(amount: &str, storage: &str) -> Vec<(&'static str, String)> {
    vec![
        ("date", "2026-11-27".into()),
        ("taken", "07:58".into()),
        ("amount", amount.into()),
        ("storage", storage.into()),
        ("container", "Hộp inox".into()),
    ]
}

/// Step 2 of a dish on a day, 07:10–07:40 (steps 3 and samples follow it).
async fn prep(c: &mut crate::support::Client, dish: i32, day: &str) {
    let mut f = PREP.to_vec();
    f[0] = ("date", day);
    let r = c
        .post(&format!("/kitchen/food-safety/checks/{dish}/prep"), &f)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn post_owned(c: &mut crate::support::Client, path: &str, f: &[(&str, String)]) -> u16 {
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post(path, &refs).await.status
}

#[actix_web::test]
async fn a_delivery_a_processing_and_a_serving_check_round_trip_and_complete_the_day() {
    let app = TestApp::spawn().await;
    let (solid, soup) = today_menu(&app);
    app.sql("INSERT INTO suppliers (name, tax_code, address, created_at) VALUES ('Thực phẩm Tây Hồ', '0101234567', '', '2026-11-01 00:00:00')");
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;

    // The certificate with its scan, through the form; sent empty, every field says what it
    // lacks at once (not the scan alone).
    bep.get("/kitchen/food-safety/certificates").await;
    let r = bep
        .upload_with(
            "/kitchen/food-safety/certificates",
            &[
                ("supplier", ""),
                ("number", ""),
                ("issuer", ""),
                ("valid_until", ""),
            ],
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    for field in ["supplier", "number", "issuer", "valid_until", "file"] {
        assert!(
            r.has(&format!(".field.invalid [name={field}]"))
                || r.has(&format!(".invalid [name={field}]")),
            "{field}: {}",
            r.body
        );
    }
    assert_eq!(app.count("food_certificates"), 0);
    let r = bep
        .upload_with(
            "/kitchen/food-safety/certificates",
            &[
                ("supplier", "1"),
                ("number", "125/2024/ATTP"),
                ("issuer", "Ban Quản lý ATTP Hà Nội"),
                ("valid_until", "31/12/2027"),
            ],
            "gcn.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let scan = bep.get("/kitchen/food-safety/certificates/1/scan").await;
    assert_eq!(scan.status, 200);
    assert_eq!(scan.body.as_bytes(), PDF);

    // Step 1: the form is drawn with a one-time key; sending it twice stores one delivery.
    let form = bep
        .get("/kitchen/food-safety/deliveries/new?date=2026-11-27")
        .await;
    assert_eq!(form.status, 200);
    let once = form
        .form("/kitchen/food-safety/deliveries")
        .into_iter()
        .find(|(k, _)| k == "once")
        .map(|(_, v)| v)
        .expect("one-time key");
    let mut fields = delivery("2026-11-27", "1", "Cá lóc");
    fields.push(("once", &once));
    for _ in 0..2 {
        let r = bep.post("/kitchen/food-safety/deliveries", &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(app.count("food_deliveries"), 1);
    assert_eq!(app.count("food_delivery_items WHERE name = 'Cá lóc' AND quantity = '12,5' AND temperature_dt = 40"), 1);

    // Steps 2 and 3 and the sample for both dishes.
    for dish in [solid, soup] {
        let page = bep
            .get(&format!(
                "/kitchen/food-safety/checks/{dish}?date=2026-11-27"
            ))
            .await;
        assert_eq!(page.status, 200);
        for (step, f) in [("prep", PREP), ("serve", SERVE)] {
            let r = bep
                .post(&format!("/kitchen/food-safety/checks/{dish}/{step}"), f)
                .await;
            assert_eq!(r.status, 303, "{step}: {}", r.body);
        }
        let amount = if dish == soup { "150" } else { "100" };
        assert_eq!(
            post_owned(
                &mut bep,
                &format!("/kitchen/food-safety/checks/{dish}/sample"),
                &sample(amount, "4,5")
            )
            .await,
            303
        );
    }
    let day = bep.get("/kitchen/food-safety?date=27/11/2026").await;
    assert!(
        day.body.contains("Đủ hồ sơ kiểm thực ba bước"),
        "{}",
        day.body
    );
    let head = bep.get("/kitchen/headcount").await;
    assert!(!head.has("section.food-safety"), "nothing to flag");
    let counter = bep.get("/kitchen/counter").await;
    assert!(!counter.has(".banner-danger"));

    // Every entry of the day is on its printed form.
    let f1 = bep
        .get("/kitchen/food-safety/print?date=2026-11-27&form=1a")
        .await;
    assert!(
        f1.body.contains("Cá lóc") && f1.body.contains("12,5 kg") && f1.body.contains("PX-2711")
    );
    assert!(f1.body.contains("NGƯỜI KIỂM TRA") && f1.body.contains("MẪU SỐ 1A"));
    let f1b = bep
        .get("/kitchen/food-safety/print?date=2026-11-27&form=1b")
        .await;
    assert!(
        !f1b.body.contains("Cá lóc"),
        "fresh goods are not on the dry-goods sheet"
    );
    for form in ["2", "3"] {
        let p = bep
            .get(&format!(
                "/kitchen/food-safety/print?date=2026-11-27&form={form}"
            ))
            .await;
        let rows = p.texts("table.form-table tbody tr");
        assert_eq!(rows.len(), 2, "form {form}: {rows:?}");
        assert!(
            rows.iter().any(|r| r.contains("Cá kho tộ"))
                && rows.iter().any(|r| r.contains("Canh chua"))
        );
    }
    let f4 = bep
        .get("/kitchen/food-safety/print?date=2026-11-27&form=4")
        .await;
    let rows = f4.texts("table.form-table tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Cá kho tộ") && r.contains("100 g") && r.contains("4,5 °C")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Canh chua") && r.contains("150 ml")),
        "{rows:?}"
    );

    // Recording a step again replaces it, audited with what it replaced.
    let mut failed: Vec<(&str, &str)> = SERVE.to_vec();
    failed[3] = ("sensory", "fail");
    failed[4] = ("note", "Cá bị nguội: hâm lại");
    bep.post(
        &format!("/kitchen/food-safety/checks/{solid}/serve"),
        &failed,
    )
    .await;
    assert_eq!(app.count("food_serve_checks"), 2);
    let serves = app.audit_after("food_check.serve");
    assert_eq!(serves.len(), 3);
    assert_eq!(serves[2]["check"]["sensory_ok"], false);
    assert_eq!(app.audit_after("food_delivery.create").len(), 1);
    assert_eq!(app.audit_after("food_sample.take").len(), 2);
    let day = bep.get("/kitchen/food-safety?date=27/11/2026").await;
    assert!(day
        .body
        .contains("Cá kho tộ: kiểm tra trước khi ăn không đạt."));
}

#[actix_web::test]
async fn an_incomplete_day_is_flagged_on_the_kitchen_home_and_the_headcount_page() {
    let app = TestApp::spawn().await;
    let (solid, _) = today_menu(&app);
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    let home = bep.get("/").await;
    assert_eq!(home.location(), "/kitchen/headcount", "the kitchen's home");
    let head = bep.get("/kitchen/headcount").await;
    let flags = head.texts("section.food-safety li");
    for expected in [
        "Chưa ghi kiểm tra thực phẩm nhập (bước 1).",
        "Cá kho tộ: chưa kiểm tra khi chế biến (bước 2).",
        "Canh chua: chưa kiểm tra trước khi ăn (bước 3).",
        "Canh chua: chưa lưu mẫu.",
    ] {
        assert!(
            flags.iter().any(|f| f == expected),
            "{expected} in {flags:?}"
        );
    }
    assert!(head.body.contains("Món chưa lưu mẫu: Cá kho tộ, Canh chua"));
    // Checking one dish takes it off the list; the other stays.
    bep.get(&format!(
        "/kitchen/food-safety/checks/{solid}?date=2026-11-27"
    ))
    .await;
    bep.post(&format!("/kitchen/food-safety/checks/{solid}/prep"), PREP)
        .await;
    let flags = bep
        .get("/kitchen/headcount")
        .await
        .texts("section.food-safety li");
    assert!(!flags
        .iter()
        .any(|f| f.starts_with("Cá kho tộ: chưa kiểm tra khi chế biến")));
    assert!(flags
        .iter()
        .any(|f| f.starts_with("Canh chua: chưa kiểm tra khi chế biến")));
    // A day without a menu has nothing to flag.
    let sunday = bep.get("/kitchen/headcount?date=29/11/2026").await;
    assert!(!sunday.has("section.food-safety li"));
}

#[actix_web::test]
async fn closing_service_without_a_step_3_check_is_refused_without_a_reason_and_the_override_is_audited(
) {
    let app = TestApp::spawn().await;
    let (solid, soup) = today_menu(&app);
    app.clock()
        .set(crate::support::local(d(2026, 11, 27), 8, 45, 0));
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    // 08:45, before the 09:00 cut-off: staff may still change their meals, so service does
    // not end yet, whatever the reason given (QA).
    bep.get("/kitchen/counter").await;
    let r = bep
        .post(
            "/kitchen/counter/close",
            &[("confirm", "yes"), ("reason", "Về sớm")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Chưa tới giờ chốt"), "{}", r.body);
    assert_eq!(app.audit_after("service.close").len(), 0);
    app.clock()
        .set(crate::support::local(d(2026, 11, 27), 9, 10, 0));
    let counter = bep.get("/kitchen/counter").await;
    let banner = counter.texts(".banner-danger p");
    assert!(
        banner.iter().any(|b| b == "Cá kho tộ, Canh chua"),
        "{banner:?}"
    );

    let r = bep
        .post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Còn món chưa kiểm tra trước khi ăn"));
    assert_eq!(app.audit_after("service.close").len(), 0);
    let r = bep
        .post(
            "/kitchen/counter/close",
            &[("confirm", "yes"), ("reason", "   ")],
        )
        .await;
    assert_eq!(r.status, 422, "a blank reason is no reason");

    // A failed check does not clear the dish either.
    prep(&mut bep, solid, "2026-11-27").await;
    prep(&mut bep, soup, "2026-11-27").await;
    bep.post(&format!("/kitchen/food-safety/checks/{solid}/serve"), SERVE)
        .await;
    let mut failed: Vec<(&str, &str)> = SERVE.to_vec();
    failed[2] = ("covered", "fail");
    failed[4] = ("note", "Nắp hộp hỏng: thay hộp");
    bep.post(
        &format!("/kitchen/food-safety/checks/{soup}/serve"),
        &failed,
    )
    .await;
    let banner = bep.get("/kitchen/counter").await.texts(".banner-danger p");
    assert!(banner.iter().any(|b| b == "Canh chua"), "{banner:?}");

    let r = bep
        .post(
            "/kitchen/counter/close",
            &[
                ("confirm", "yes"),
                ("reason", "Canh đã đổ bỏ, chỉ chia món mặn"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audit_after("service.close").len(), 1);
    let overrides = app.audit_after("food_check.override");
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0]["reason"], "Canh đã đổ bỏ, chỉ chia món mặn");
    assert_eq!(overrides[0]["dishes"], serde_json::json!(["Canh chua"]));

    // Once every dish passes, closing needs no reason and records no override.
    bep.post(&format!("/kitchen/food-safety/checks/{soup}/serve"), SERVE)
        .await;
    assert!(!bep.get("/kitchen/counter").await.has(".banner-danger"));
    let r = bep
        .post("/kitchen/counter/close", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.audit_after("food_check.override").len(), 1);
}

#[actix_web::test]
async fn a_refused_close_of_service_shows_the_counter_with_the_message_and_keeps_the_typed_reason()
{
    let app = TestApp::spawn().await;
    today_menu(&app);
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    bep.get("/kitchen/counter").await;
    let long = "Canh đã đổ bỏ ".repeat(40);
    type Fields<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Fields, &str, &str); 3] = [
        (
            &[("confirm", "yes"), ("reason", "  ")],
            "Còn món chưa kiểm tra trước khi ăn",
            "",
        ),
        (
            &[("confirm", "yes"), ("reason", &long)],
            "Lý do tối đa 500 ký tự.",
            long.trim(),
        ),
        (
            &[("reason", "Canh đã đổ bỏ, chỉ chia món mặn")],
            "Vui lòng đánh dấu ô xác nhận",
            "Canh đã đổ bỏ, chỉ chia món mặn",
        ),
    ];
    for (fields, message, kept) in cases {
        let r = bep.post("/kitchen/counter/close", fields).await;
        assert_eq!(r.status, 422, "{message}");
        let alert = r.texts(".card [role=alert]");
        assert!(alert.iter().any(|a| a.contains(message)), "{alert:?}");
        // The counter itself, with the close form and what was typed in it.
        assert!(r.has("form[action=\"/kitchen/counter/close\"] textarea#f-reason"));
        let typed = r.form("/kitchen/counter/close");
        assert!(
            typed.iter().any(|(k, v)| k == "reason" && v.trim() == kept),
            "{typed:?}"
        );
        assert!(
            r.has("form[action=\"/kitchen/counter\"] input[name=code]"),
            "{}",
            r.body
        );
    }
    assert_eq!(app.audit_after("service.close").len(), 0);
    assert_eq!(app.audit_after("food_check.override").len(), 0);
    assert!(!bep
        .get("/kitchen/counter")
        .await
        .body
        .contains("Đã kết thúc phục vụ lúc"));
}

#[actix_web::test]
async fn samples_are_due_for_discarding_only_after_the_retention_time() {
    let app = TestApp::spawn().await;
    let (solid, _) = today_menu(&app);
    let bep_id = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep_id).await;
    bep.get("/kitchen/food-safety").await;
    prep(&mut bep, solid, "2026-11-27").await;
    assert_eq!(
        post_owned(
            &mut bep,
            &format!("/kitchen/food-safety/checks/{solid}/sample"),
            &sample("120", "4")
        )
        .await,
        303
    );
    // Taken 07:58 on 27/11; kept 24 hours: due from 28/11 07:58.
    app.clock()
        .set(crate::support::local(d(2026, 11, 28), 7, 57, 0));
    // (A day later the session has lapsed: a new one.)
    bep = app.session_for(bep_id).await;
    let page = bep.get("/kitchen/food-safety").await;
    assert!(page.body.contains("Không có mẫu nào đến hạn hủy."));
    let r = bep
        .post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", ""), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Chưa đủ thời gian lưu mẫu"));
    assert_eq!(app.count("food_samples WHERE discarded_at IS NULL"), 1);

    app.clock()
        .set(crate::support::local(d(2026, 11, 28), 7, 58, 0));
    let page = bep.get("/kitchen/food-safety").await;
    let due = page.texts("main table tbody tr");
    assert!(
        due.iter()
            .any(|r| r.contains("27/11/2026") && r.contains("Cá kho tộ")),
        "{due:?}"
    );
    assert!(bep
        .get("/kitchen/headcount")
        .await
        .body
        .contains("1 mẫu lưu đã đến hạn hủy."));

    // A kitchen manager keeps samples longer: 48 hours, and the sample is no longer due.
    let mut head = app
        .login_as("bepruong", &[Role::Kitchen, Role::KitchenManager])
        .await;
    head.get("/kitchen/food-safety").await;
    assert_eq!(
        bep.post("/kitchen/food-safety/settings", &[("hours", "48")])
            .await
            .status,
        403
    );
    assert_eq!(
        head.post("/kitchen/food-safety/settings", &[("hours", "12")])
            .await
            .status,
        400
    );
    assert_eq!(
        head.post("/kitchen/food-safety/settings", &[("hours", "48")])
            .await
            .status,
        303
    );
    let r = bep
        .post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", ""), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400);
    app.clock()
        .set(crate::support::local(d(2026, 11, 29), 8, 0, 0));
    bep = app.session_for(bep_id).await;
    let r = bep
        .post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", "Đổ bỏ"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("food_samples WHERE discarded_at IS NOT NULL AND discard_note = 'Đổ bỏ'"),
        1
    );
    assert_eq!(app.audit_after("food_sample.discard").len(), 1);
    let again = bep
        .post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", ""), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status, 400, "once");
}

#[actix_web::test]
async fn sample_amounts_below_the_minimum_and_storage_outside_2_to_8_degrees_are_refused() {
    let app = TestApp::spawn().await;
    let (solid, soup) = today_menu(&app);
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    bep.get("/kitchen/food-safety").await;
    // A sample and step 3 come after step 2, never before it.
    let r = bep
        .post(
            &format!("/kitchen/food-safety/checks/{solid}/sample"),
            &[
                ("date", "2026-11-27"),
                ("taken", "07:58"),
                ("amount", "100"),
                ("storage", "4"),
                ("container", ""),
            ],
        )
        .await;
    assert!(
        r.status == 422
            && r.body
                .contains("Hãy ghi kiểm tra khi chế biến (bước 2) của món trước.")
    );
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{solid}/serve"), SERVE)
        .await;
    assert!(
        r.status == 422
            && r.body
                .contains("Hãy ghi kiểm tra khi chế biến (bước 2) của món trước.")
    );
    // Checks record what was done: a time still to come is refused (it is 08:00).
    let mut later = PREP.to_vec();
    later[2] = ("finished", "11:30");
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{solid}/prep"), &later)
        .await;
    assert!(r.status == 422 && r.body.contains("chưa tới"), "{}", r.body);
    // A failed check needs the action taken.
    let mut failed = PREP.to_vec();
    failed[6] = ("sensory", "fail");
    failed[7] = ("note", "");
    let r = bep
        .post(
            &format!("/kitchen/food-safety/checks/{solid}/prep"),
            &failed,
        )
        .await;
    assert!(r.status == 422 && r.body.contains("hãy ghi biện pháp xử lý"));
    prep(&mut bep, solid, "2026-11-27").await;
    prep(&mut bep, soup, "2026-11-27").await;
    let mut early = SERVE.to_vec();
    early[1] = ("ready", "07:30");
    let r = bep
        .post(
            &format!("/kitchen/food-safety/checks/{solid}/serve"),
            &early,
        )
        .await;
    assert!(r.status == 422 && r.body.contains("Thời gian không theo thứ tự"));
    for (dish, amount, storage, message) in [
        (solid, "99", "4", "Mẫu thức ăn đặc phải từ 100 g trở lên"),
        (soup, "149", "4", "Mẫu thức ăn lỏng phải từ 150 ml trở lên"),
        (soup, "200", "9", "Mẫu phải được bảo quản ở 2–8 °C."),
        (soup, "200", "1,9", "Mẫu phải được bảo quản ở 2–8 °C."),
        (solid, "abc", "4", "Khối lượng mẫu phải là số nguyên dương."),
    ] {
        let r = bep
            .post(
                &format!("/kitchen/food-safety/checks/{dish}/sample"),
                &[
                    ("date", "2026-11-27"),
                    ("taken", "07:58"),
                    ("amount", amount),
                    ("storage", storage),
                    ("container", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{amount} {storage}");
        assert!(r.body.contains(message), "{message}");
    }
    // Times in the future, bad times, days to come and dishes not on the menu are refused too.
    let r = bep
        .post(
            &format!("/kitchen/food-safety/checks/{solid}/sample"),
            &[
                ("date", "2026-11-27"),
                ("taken", "09:30"),
                ("amount", "100"),
                ("storage", "4"),
                ("container", ""),
            ],
        )
        .await;
    assert!(r.status == 422 && r.body.contains("Giờ này chưa tới"));
    let mut bad = PREP.to_vec();
    bad[1] = ("started", "25:00");
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{solid}/prep"), &bad)
        .await;
    assert!(r.status == 422 && r.body.contains("Giờ phải có dạng giờ:phút"));
    let mut backwards = PREP.to_vec();
    backwards[2] = ("finished", "07:00");
    let r = bep
        .post(
            &format!("/kitchen/food-safety/checks/{solid}/prep"),
            &backwards,
        )
        .await;
    assert!(r.status == 422 && r.body.contains("không được trước giờ sơ chế xong"));
    let mut future = PREP.to_vec();
    future[0] = ("date", "2026-11-28");
    assert_eq!(
        bep.post(
            &format!("/kitchen/food-safety/checks/{solid}/prep"),
            &future
        )
        .await
        .status,
        400
    );
    let other = app.dish("Không có hôm nay", false, "");
    assert_eq!(
        bep.post(&format!("/kitchen/food-safety/checks/{other}/prep"), PREP)
            .await
            .status,
        400
    );
    assert_eq!(
        bep.get(&format!(
            "/kitchen/food-safety/checks/{other}?date=2026-11-27"
        ))
        .await
        .status,
        404
    );
    assert_eq!(
        app.count("food_samples") + app.count("food_serve_checks"),
        0,
        "nothing stored"
    );
    assert_eq!(app.count("food_prep_checks WHERE sensory_ok = true"), 2);
}

#[actix_web::test]
async fn an_expired_certificate_blocks_the_delivery_form() {
    let app = TestApp::spawn().await;
    today_menu(&app);
    let expired = supplier(&app, "Rau Vân Nội", "0102345678", Some(d(2026, 11, 26)));
    let none = supplier(&app, "Chợ đầu mối", "0103456789", None);
    let soon = supplier(
        &app,
        "Thịt sạch Tây Hồ",
        "0104567890",
        Some(d(2026, 12, 20)),
    );
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    let form = bep.get("/kitchen/food-safety/deliveries/new").await;
    let blocked = form.texts(".alert li");
    assert!(
        blocked
            .iter()
            .any(|b| b.contains("Rau Vân Nội") && b.contains("hết hạn ngày 26/11/2026")),
        "{blocked:?}"
    );
    assert!(
        blocked.iter().any(|b| b.contains("Chợ đầu mối")),
        "{blocked:?}"
    );
    for (id, message) in [
        (expired, "Giấy chứng nhận ATTP của nhà cung cấp đã hết hạn"),
        (none, "Nhà cung cấp này chưa có giấy chứng nhận ATTP"),
    ] {
        let sid = id.to_string();
        let r = bep
            .post(
                "/kitchen/food-safety/deliveries",
                &delivery("2026-11-27", &sid, "Rau muống"),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains(message), "{message}");
    }
    assert_eq!(
        app.count("food_deliveries") + app.count("food_delivery_items"),
        0
    );
    // Expiring within 30 days: warned on the day's page, deliveries still taken.
    let day = bep.get("/kitchen/food-safety").await;
    assert!(day
        .body
        .contains("Giấy chứng nhận ATTP sắp hết hạn: Thịt sạch Tây Hồ"));
    let sid = soon.to_string();
    let r = bep
        .post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-27", &sid, "Thịt vai"),
        )
        .await;
    assert_eq!(r.status, 303);
    // Item rows are validated: a quantity that does not read, an item past its use-by date.
    // Quantities are read the Vietnamese way: "1.000" is a thousand; "2.5" is ambiguous.
    let mut thousand = delivery("2026-11-27", &sid, "Gạo");
    thousand[7] = ("quantity", "1.000");
    assert_eq!(
        bep.post("/kitchen/food-safety/deliveries", &thousand)
            .await
            .status,
        303
    );
    assert_eq!(
        app.count("food_delivery_items WHERE name = 'Gạo' AND quantity = '1000'"),
        1
    );
    let mut dotted = delivery("2026-11-27", &sid, "Muối");
    dotted[7] = ("quantity", "2.5");
    assert_eq!(
        bep.post("/kitchen/food-safety/deliveries", &dotted)
            .await
            .status,
        422
    );
    let mut bad = delivery("2026-11-27", &sid, "Sữa chua");
    bad[7] = ("quantity", "nhiều");
    let r = bep.post("/kitchen/food-safety/deliveries", &bad).await;
    assert!(r.status == 422 && r.body.contains("Khối lượng phải là số dương"));
    let mut old = delivery("2026-11-27", &sid, "Sữa chua");
    old[11] = ("expiry", "20/11/2026");
    let r = bep.post("/kitchen/food-safety/deliveries", &old).await;
    assert!(r.status == 422 && r.body.contains("quá hạn sử dụng"));
    assert_eq!(app.count("food_deliveries"), 2);
}

#[actix_web::test]
async fn an_open_incident_holds_its_days_samples_and_the_trace_lists_exactly_that_day() {
    let app = TestApp::spawn().await;
    let fish = app.dish("Cá kho tộ", false, "fish");
    let chicken = app.dish("Gà rang gừng", false, "");
    let (thu, fri) = (d(2026, 11, 26), d(2026, 11, 27));
    menu_with(&app, thu, "Suất thường", &[fish]);
    menu_with(&app, fri, "Suất thường", &[chicken]);
    let s = supplier(
        &app,
        "Thực phẩm Tây Hồ",
        "0101234567",
        Some(d(2027, 12, 31)),
    )
    .to_string();
    let bep_id = app.user("bep", &[Role::Kitchen]);
    // Thursday's records, made on Thursday.
    app.clock().set(crate::support::local(thu, 11, 0, 0));
    let mut bep = app.session_for(bep_id).await;
    assert_eq!(
        bep.post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-26", &s, "Cá thu")
        )
        .await
        .status,
        303
    );
    prep(&mut bep, fish, "2026-11-26").await;
    let thu_sample = [
        ("date", "2026-11-26"),
        ("taken", "10:50"),
        ("amount", "150"),
        ("storage", "4"),
        ("container", ""),
    ];
    assert_eq!(
        bep.post(
            &format!("/kitchen/food-safety/checks/{fish}/sample"),
            &thu_sample
        )
        .await
        .status,
        303
    );
    // Friday's.
    app.clock().set(crate::support::local(fri, 11, 0, 0));
    let mut bep = app.session_for(bep_id).await;
    assert_eq!(
        bep.post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-27", &s, "Thịt gà")
        )
        .await
        .status,
        303
    );
    prep(&mut bep, chicken, "2026-11-27").await;
    let fri_sample = [
        ("date", "2026-11-27"),
        ("taken", "10:50"),
        ("amount", "150"),
        ("storage", "4"),
        ("container", ""),
    ];
    assert_eq!(
        bep.post(
            &format!("/kitchen/food-safety/checks/{chicken}/sample"),
            &fri_sample
        )
        .await
        .status,
        303
    );

    // Only a kitchen manager reports; a cook cannot.
    let head_id = app.user("bepruong", &[Role::Kitchen, Role::KitchenManager]);
    let mut head = app.session_for(head_id).await;
    let report = [
        ("meal_date", "26/11/2026"),
        ("affected", "3"),
        ("summary", "Đau bụng sau bữa trưa"),
        ("symptoms", "Nôn, sốt nhẹ"),
        ("people", "Nguyễn Văn A — phòng Tổng hợp"),
    ];
    assert_eq!(
        bep.post("/kitchen/food-safety/incidents", &report)
            .await
            .status,
        403
    );
    let r = head.post("/kitchen/food-safety/incidents", &report).await;
    assert_eq!(r.status, 303);
    let trace_url = r.location();
    // While it is open the day's records stay as they were when it was reported.
    let r = bep
        .post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-26", &s, "Thêm sau"),
        )
        .await;
    assert!(
        r.status == 422 && r.body.contains("Đang có sự cố"),
        "{}",
        r.status
    );
    let mut again = PREP.to_vec();
    again[0] = ("date", "2026-11-26");
    again[7] = ("note", "sửa sau sự cố");
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{fish}/prep"), &again)
        .await;
    assert!(r.status == 422 && r.body.contains("Đang có sự cố"));
    assert_eq!(
        app.count("food_prep_checks WHERE note = 'sửa sau sự cố'"),
        0
    );

    let trace = head.get(&trace_url).await;
    assert_eq!(
        trace.texts("table.trace-dishes tbody td:first-child"),
        vec!["Cá kho tộ"]
    );
    let samples = trace.texts("table.trace-samples tbody tr");
    assert_eq!(samples.len(), 1);
    assert!(samples[0].contains("Cá kho tộ") && samples[0].contains("Đang lưu"));
    let deliveries = trace.texts("table.trace-deliveries tbody tr");
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].contains("Cá thu") && !deliveries[0].contains("Thịt gà"));
    assert!(trace.body.contains("Nôn, sốt nhẹ") && trace.body.contains("Nguyễn Văn A"));
    // Health details: the manager and an admin see them; the cook sees the trace without them.
    let cook_view = bep.get(&trace_url).await;
    assert_eq!(cook_view.status, 200);
    assert!(!cook_view.body.contains("Nôn, sốt nhẹ") && !cook_view.body.contains("Nguyễn Văn A"));
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    assert!(admin.get(&trace_url).await.body.contains("Nôn, sốt nhẹ"));
    assert!(
        !app.audit_after("food_incident.report")[0]
            .to_string()
            .contains("Nôn"),
        "no health data in the audit log"
    );

    // Two days later both samples are due; Thursday's is held by the open incident.
    app.clock()
        .set(crate::support::local(d(2026, 11, 28), 12, 0, 0));
    let mut bep = app.session_for(bep_id).await;
    let mut head = app.session_for(head_id).await;
    let r = bep
        .post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", ""), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Mẫu đang được giữ"));
    assert!(!app.sql_ok("UPDATE food_samples SET discarded_at = '2026-11-28 05:00:00', discarded_by = 1 WHERE id = 1"), "the database holds it too");
    assert_eq!(
        bep.post(
            "/kitchen/food-safety/samples/2/discard",
            &[("note", ""), ("confirm", "yes")]
        )
        .await
        .status,
        303
    );

    // Closing the incident releases the samples.
    let r = head
        .post(
            &format!("{trace_url}/close"),
            &[("outcome", "Mẫu đạt"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        bep.post(
            "/kitchen/food-safety/samples/1/discard",
            &[("note", ""), ("confirm", "yes")]
        )
        .await
        .status,
        303
    );
    let after = head.get(&trace_url).await;
    assert!(after.texts("table.trace-samples tbody tr")[0].contains("Đã hủy"));
}

#[actix_web::test]
async fn staff_and_accountants_see_no_food_safety_page_and_nobody_reads_past_the_menu() {
    let app = TestApp::spawn().await;
    today_menu(&app);
    let (mut staff, _) = app.staff("nv1").await;
    let mut acc = app.login_as("ketoan", &[Role::Accountant]).await;
    for path in [
        "/kitchen/food-safety",
        "/kitchen/food-safety/certificates",
        "/kitchen/food-safety/incidents",
        "/kitchen/food-safety/print?form=4",
    ] {
        assert_eq!(staff.get(path).await.status, 403, "{path}");
        assert_eq!(acc.get(path).await.status, 403, "{path}");
    }
    // The day's page for a date that does not read is a clear 400, not a crash.
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    assert_eq!(
        bep.get("/kitchen/food-safety?date=32/13/2026").await.status,
        400
    );
    assert_eq!(
        bep.get("/kitchen/food-safety/print?form=9").await.status,
        400
    );
}

#[actix_web::test]
async fn food_safety_records_are_made_for_today_and_the_week_before_not_for_older_days() {
    let app = TestApp::spawn().await;
    let (solid, _) = today_menu(&app);
    menu_with(&app, d(2026, 11, 19), "Suất thường", &[solid]);
    menu_with(&app, d(2026, 11, 20), "Suất thường", &[solid]);
    app.sql("INSERT INTO suppliers (name, tax_code, address, created_at) VALUES ('Thực phẩm Tây Hồ', '0101234567', '', '2026-11-01 00:00:00')");
    app.sql("INSERT INTO food_certificates (supplier_id, number, issuer, valid_until, created_at) VALUES (1, '125/2024/ATTP', 'Ban Quản lý ATTP Hà Nội', '2027-12-31', '2026-11-01 00:00:00')");
    let mut bep = app.login_as("bep", &[Role::Kitchen]).await;
    // 19/11 is eight days before today (27/11): its day page offers no form, the forms and
    // the sends are refused, saying why, and nothing is written.
    let day = bep.get("/kitchen/food-safety?date=19/11/2026").await;
    assert_eq!(day.status, 200);
    assert!(
        !day.body.contains("deliveries/new") && !day.body.contains("/kitchen/food-safety/checks/"),
        "{}",
        day.body
    );
    let form = bep
        .get("/kitchen/food-safety/deliveries/new?date=2026-11-19")
        .await;
    assert_eq!(form.status, 400);
    assert!(form.body.contains("7 ngày trước đó"), "{}", form.body);
    let checks = bep
        .get(&format!(
            "/kitchen/food-safety/checks/{solid}?date=2026-11-19"
        ))
        .await;
    assert_eq!(checks.status, 400);
    bep.get("/kitchen/food-safety/deliveries/new").await;
    let r = bep
        .post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-19", "1", "Cá lóc"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let mut prep: Vec<(&str, &str)> = PREP.to_vec();
    prep[0] = ("date", "2026-11-19");
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{solid}/prep"), &prep)
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(app.count("food_deliveries"), 0);
    assert_eq!(app.count("food_prep_checks"), 0);
    // 20/11, seven days before: catching up after a week away is still possible.
    let r = bep
        .post(
            "/kitchen/food-safety/deliveries",
            &delivery("2026-11-20", "1", "Cá lóc"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    prep[0] = ("date", "2026-11-20");
    let r = bep
        .post(&format!("/kitchen/food-safety/checks/{solid}/prep"), &prep)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("food_deliveries"), 1);
}
