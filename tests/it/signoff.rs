//! Electronic sign-off: three signatures in order by three different people, each opened with
//! the signer's own password; KT. only within its dates; the registry, the exported
//! statement checked offline, and tampering caught by `verify-audit` and `verify-statement`.

use crate::reconcile::december;
use crate::support::*;
use canteen::auth::roles::Role;

/// December closed by "ketoan"; duyet is the chief accountant, thutruong the head, phochanh
/// the deputy head, ketoan2 another accountant.
async fn closed_december(app: &TestApp) -> Client {
    let (mut kt, _) = december(app).await;
    kt.get("/accounting/reconciliation?m=2026-12").await;
    kt.post(
        "/accounting/month/note?m=2026-12",
        &[("note", "Chưa có hóa đơn")],
    )
    .await;
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let duyet = app.user("duyet", &[Role::Approver]);
    let head = app.user("thutruong", &[Role::Approver]);
    let deputy = app.user("phochanh", &[Role::Approver]);
    app.user("ketoan2", &[Role::Accountant]);
    let mut admin = app.session_for(app.user("admin", &[Role::Admin])).await;
    admin.get("/accounting/signing").await;
    for (user, position, title) in [
        (duyet, "chief_accountant", "Kế toán trưởng"),
        (head, "head", "Chánh Văn phòng"),
        (deputy, "deputy", "Phó Chánh Văn phòng"),
    ] {
        let r = admin
            .post(
                "/accounting/signatories",
                &[
                    ("user", &user.to_string()),
                    ("position", position),
                    ("title", title),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    kt
}

async fn sign(c: &mut Client, password: &str) -> Resp {
    c.get("/accounting/month?m=2026-12").await;
    c.post(
        "/accounting/month/sign?m=2026-12",
        &[("password", password), ("confirm", "yes")],
    )
    .await
}

/// Refused on the month page itself, with the reason on the signing card.
fn refused(r: &Resp, why: &str) {
    assert_eq!(r.status, 422, "{why}: {}", r.body);
    assert!(r.has("#sign p.alert"), "{why}: shown on the signing card");
    assert!(r.body.contains(why), "{why}: {}", r.body);
}

#[actix_web::test]
async fn three_signatures_come_in_order_from_three_people_each_with_their_own_password() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    let mut duyet = app.session_of("duyet").await;
    let mut head = app.session_of("thutruong").await;

    // The chief accountant cannot sign first; a wrong password signs nothing.
    refused(&sign(&mut duyet, PASSWORD).await, "người lập biểu");
    refused(
        &sign(&mut kt, "không phải mật khẩu").await,
        "Mật khẩu không đúng",
    );
    assert_eq!(app.count("month_signatures"), 0);
    let r = sign(&mut kt, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("signing_keys WHERE retired_at IS NULL"),
        1,
        "the first signature issued the key"
    );

    // The preparer cannot sign again as chief accountant, nor the head before the chief.
    refused(&sign(&mut kt, PASSWORD).await, "đã ký");
    refused(&sign(&mut head, PASSWORD).await, "kế toán trưởng");
    let r = sign(&mut duyet, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The head signs the third; the month is signed and never reopens.
    let r = sign(&mut head, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("periods WHERE month = '2026-12' AND state = 'signed'"),
        1
    );
    refused(&sign(&mut head, PASSWORD).await, "đã ký đủ");
    let page = head.get("/accounting/month/report?m=2026-12").await;
    assert_eq!(page.status, 200);
    let blocks = page.texts("div.sig");
    assert_eq!(blocks.len(), 3);
    assert!(
        blocks[0].contains("NGƯỜI LẬP BIỂU") && blocks[0].contains("ketoan"),
        "{blocks:?}"
    );
    assert!(
        blocks[1].contains("KẾ TOÁN TRƯỞNG") && blocks[1].contains("duyet"),
        "{blocks:?}"
    );
    assert!(
        blocks[2].contains("THỦ TRƯỞNG ĐƠN VỊ") && !blocks[2].contains("KT."),
        "{blocks:?}"
    );
    for b in &blocks {
        assert!(
            b.contains("Dấu vân khóa"),
            "each block prints its key fingerprint: {b}"
        );
    }
    // Each signature covers the ones before it.
    let audit = app.audit_after("month_signature.sign");
    assert_eq!(audit.len(), 3);

    // verify-audit re-checks the signed month.
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signed months ok: 1 month"));
}

#[actix_web::test]
async fn a_deputy_signs_kt_only_within_the_delegation_and_the_preparer_never_signs_for_the_head() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    let mut duyet = app.session_of("duyet").await;
    let mut head = app.session_of("thutruong").await;
    let mut deputy = app.session_of("phochanh").await;
    let mut kt2 = app.session_of("ketoan2").await;
    // Another accountant signs as preparer; ketoan closed the month.
    assert_eq!(sign(&mut kt2, PASSWORD).await.status, 303);
    assert_eq!(sign(&mut duyet, PASSWORD).await.status, 303);

    // Without a delegation the deputy cannot sign for the head.
    refused(&sign(&mut deputy, PASSWORD).await, "thủ trưởng đơn vị");
    head.get("/accounting/signing").await;
    let deputy_id = canteen_user_id(&app, "phochanh");
    let kt_id = canteen_user_id(&app, "ketoan");
    // A delegation that ended yesterday (the clock is 02/01/2027) is not recorded; one that
    // starts tomorrow does not let the deputy sign today.
    let r = head
        .post(
            "/accounting/delegations",
            &[
                ("delegate", &deputy_id.to_string()),
                ("from", "28/12/2026"),
                ("to", "01/01/2027"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("hết hạn trước hôm nay"), "{}", r.body);
    let r = head
        .post(
            "/accounting/delegations",
            &[
                ("delegate", &deputy_id.to_string()),
                ("from", "03/01/2027"),
                ("to", "04/01/2027"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    refused(&sign(&mut deputy, PASSWORD).await, "thủ trưởng đơn vị");
    app.sql("UPDATE delegations SET revoked_at = '2027-01-02 01:00:00' WHERE to_user = (SELECT id FROM users WHERE username = 'phochanh')");
    // The preparer, even authorised in writing, never signs the month they prepared.
    let r = head
        .post(
            "/accounting/delegations",
            &[
                ("delegate", &kt_id.to_string()),
                ("from", "02/01/2027"),
                ("to", "05/01/2027"),
                ("reference", "Giấy ủy quyền 1/GUQ"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    refused(&sign(&mut kt, PASSWORD).await, "đã lập tháng này");
    // Someone authorised without a written reference is refused; a deputy is not asked.
    let kt2_id = canteen_user_id(&app, "ketoan2");
    let r = head
        .post(
            "/accounting/delegations",
            &[
                ("delegate", &kt2_id.to_string()),
                ("from", "02/01/2027"),
                ("to", "05/01/2027"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("cần ghi văn bản ủy quyền"), "{}", r.body);
    let r = head
        .post(
            "/accounting/delegations",
            &[
                ("delegate", &deputy_id.to_string()),
                ("from", "02/01/2027"),
                ("to", "09/01/2027"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Only the head delegates (403), and not twice for overlapping days.
    assert_eq!(
        head.post(
            "/accounting/delegations",
            &[
                ("delegate", &deputy_id.to_string()),
                ("from", "05/01/2027"),
                ("to", "06/01/2027"),
                ("reference", ""),
            ],
        )
        .await
        .status,
        422
    );
    assert_eq!(
        duyet
            .post(
                "/accounting/delegations",
                &[
                    ("delegate", &deputy_id.to_string()),
                    ("from", "02/01/2027"),
                    ("to", "09/01/2027"),
                    ("reference", ""),
                ],
            )
            .await
            .status,
        403
    );
    let r = sign(&mut deputy, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = deputy.get("/accounting/month/report?m=2026-12").await;
    let blocks = page.texts("div.sig");
    assert!(
        blocks[2].contains("KT. THỦ TRƯỞNG ĐƠN VỊ") && blocks[2].contains("PHÓ CHÁNH VĂN PHÒNG"),
        "{blocks:?}"
    );
    assert!(blocks[2].contains("phochanh"), "{blocks:?}");
    assert_eq!(app.audit_after("signing_delegation.create").len(), 3);
    // The report adds up and says where and when.
    let report = deputy.get("/accounting/month/report?m=2026-12").await;
    assert!(report.body.contains("Thu của khách") && report.body.contains("Hà Nội, ngày"));
}

fn canteen_user_id(app: &TestApp, username: &str) -> i32 {
    (1..200)
        .find(|i| app.count(&format!("users WHERE id = {i} AND username = '{username}'")) == 1)
        .expect("user")
}

#[actix_web::test]
async fn an_exported_statement_verifies_offline_and_tampering_or_a_foreign_key_is_caught() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    for c in [&mut kt] {
        assert_eq!(sign(c, PASSWORD).await.status, 303);
    }
    let mut duyet = app.session_of("duyet").await;
    assert_eq!(sign(&mut duyet, PASSWORD).await.status, 303);
    let mut head = app.session_of("thutruong").await;
    assert_eq!(sign(&mut head, PASSWORD).await.status, 303);

    let dir = tempfile::tempdir().expect("dir");
    let path = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let registry = app.cli(&["signers"]);
    assert!(registry.status.success());
    let registry_text = String::from_utf8_lossy(&registry.stdout).into_owned();
    assert_eq!(
        registry_text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count(),
        3
    );
    std::fs::write(path("keys.txt"), &registry_text).expect("write");
    let out = app.cli(&[
        "export-month",
        "--month",
        "2026-12",
        "--to",
        &path("dec.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = app.cli(&[
        "verify-statement",
        &path("dec.json"),
        "--keys",
        &path("keys.txt"),
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // A statement altered after export fails: one meal's share changed in the file.
    let text = std::fs::read_to_string(path("dec.json")).expect("read");
    let altered = text.replacen("|35000|10000|25000|", "|35000|15000|20000|", 1);
    assert_ne!(altered, text);
    std::fs::write(path("altered.json"), altered).expect("write");
    let bad = app.cli(&[
        "verify-statement",
        &path("altered.json"),
        "--keys",
        &path("keys.txt"),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("another statement"));

    // A registry without the signers' keys: the keys inside the file prove nothing.
    let foreign = "# other\n".to_string() + &"ab".repeat(32) + "\tffff\tx\tx\t-\t-\n";
    std::fs::write(path("foreign.txt"), foreign).expect("write");
    let bad = app.cli(&[
        "verify-statement",
        &path("dec.json"),
        "--keys",
        &path("foreign.txt"),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not in the registry"));

    // A raw SQL edit of a stored line: verify-audit and a fresh export both catch it.
    assert!(app.sql_ok(
        "UPDATE statement_lines SET subsidy_vnd = 15000, staff_vnd = 20000 \
         WHERE order_id = (SELECT MIN(order_id) FROM statement_lines)"
    ));
    let out = app.cli(&["verify-audit"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no longer give the stored digest"));
    let out = app.cli(&[
        "export-month",
        "--month",
        "2026-12",
        "--to",
        &path("edited.json"),
    ]);
    assert!(out.status.success());
    let bad = app.cli(&[
        "verify-statement",
        &path("edited.json"),
        "--keys",
        &path("keys.txt"),
    ]);
    assert!(!bad.status.success());
}

#[actix_web::test]
async fn a_password_change_reseals_the_key_and_an_admin_reset_retires_it() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    assert_eq!(sign(&mut kt, PASSWORD).await.status, 303);
    let key_before = app.count("signing_keys WHERE retired_at IS NULL");
    assert_eq!(key_before, 1);
    kt.get("/password").await;
    let new = "một mật khẩu mới đủ dài";
    let r = kt
        .post(
            "/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Same key (no new one in the registry), now opened by the new password.
    assert_eq!(app.count("signing_keys"), 1);
    assert_eq!(app.count("signing_keys WHERE retired_at IS NULL"), 1);
    let ketoan = canteen_user_id(&app, "ketoan");
    let key = app
        .state
        .db
        .write_tx(move |c| canteen::signoff::store::active_key(c, ketoan))
        .expect("read")
        .expect("a key");
    assert!(canteen::signoff::keys::open(&key.sealed, new).is_ok());
    assert!(canteen::signoff::keys::open(&key.sealed, PASSWORD).is_err());
    let mut admin = app.session_of("admin").await;
    admin.get(&format!("/admin/users/{ketoan}")).await;
    let r = admin
        .post(
            &format!("/admin/users/{ketoan}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.count("signing_keys WHERE retired_at IS NULL"), 0);
    assert_eq!(app.count("signing_keys"), 1, "retired, never deleted");
    assert_eq!(app.audit_after("signing_key.retire").len(), 1);
}

/// Reopening a month that has some of its signatures voids them: the approver is shown whose
/// signatures go and confirms that, a page opened before another signature was added voids
/// nothing, the month page then says whose signatures were voided and why, and a signer whose
/// page was opened before the reopening is told the month is not closed.
#[actix_web::test]
async fn reopening_a_month_with_some_signatures_shows_whose_it_voids_and_says_so_afterwards() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    let mut duyet = app.session_of("duyet").await;
    let mut head = app.session_of("thutruong").await;
    assert_eq!(sign(&mut kt, PASSWORD).await.status, 303);

    // The approver's page, with one signature: the reopening form says it voids it.
    let page = head.get("/accounting/month?m=2026-12").await;
    let warning = page.texts("div.alert").join(" ");
    assert!(
        warning.contains("1 chữ ký") && warning.contains("Người lập biểu"),
        "{warning}"
    );
    let mut form = page.form("/accounting/month/reopen?m=2026-12");
    set_field(&mut form, "reason", "Sai đơn giá");
    set_field(&mut form, "confirm", "yes");

    // The chief accountant signs meanwhile: the form shown with one signature voids nothing.
    let stale_sign = duyet.get("/accounting/month?m=2026-12").await;
    assert!(stale_sign.has("#sign form"));
    assert_eq!(sign(&mut duyet, PASSWORD).await.status, 303);
    let r = head
        .post("/accounting/month/reopen?m=2026-12", &refs(&form))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("vừa có thêm chữ ký"), "{}", r.body);
    // Refused on the month page, the reason typed kept.
    assert!(
        r.form("/accounting/month/reopen?m=2026-12")
            .iter()
            .any(|(k, v)| k == "reason" && v == "Sai đơn giá"),
        "{}",
        r.body
    );
    assert_eq!(app.count("month_signatures WHERE month = '2026-12'"), 2);
    // Sent by hand without the count: nothing is voided either.
    let r = head
        .post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", "Sai"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(app.count("month_signatures WHERE month = '2026-12'"), 2);

    // From a fresh page: both signatures go, and the page says whose and why.
    let mut form = head
        .get("/accounting/month?m=2026-12")
        .await
        .form("/accounting/month/reopen?m=2026-12");
    set_field(&mut form, "reason", "Sai đơn giá");
    set_field(&mut form, "confirm", "yes");
    let r = head
        .post("/accounting/month/reopen?m=2026-12", &refs(&form))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = head.get(&r.location()).await;
    assert!(
        page.body.contains("các chữ ký đã có bị hủy"),
        "{}",
        page.body
    );
    let notice = page.texts("div.notice").join(" ");
    assert!(
        notice.contains("thutruong")
            && notice.contains("Sai đơn giá")
            && notice.contains("Người lập biểu")
            && notice.contains("Kế toán trưởng"),
        "{notice}"
    );
    assert_eq!(app.count("month_signatures"), 0);
    let audit = app.audit_after("accounting_month.reopen");
    assert_eq!(audit[0]["reason"], "Sai đơn giá");

    // The head's signing page from before the reopening: told why, nothing signed.
    let r = head
        .post(
            "/accounting/month/sign?m=2026-12",
            &[("password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.has("p.alert"), "{}", r.body);
    assert!(
        r.body.contains("chưa khóa sổ (hoặc vừa được mở lại)"),
        "{}",
        r.body
    );
    drop(stale_sign);

    // Closed again: the notice stays until the month is signed anew.
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = kt.get("/accounting/month?m=2026-12").await;
    assert!(page.texts("div.notice").join(" ").contains("Sai đơn giá"));
}

/// A signature is given to the month as its page showed it: a page opened before another
/// signer took a step, or before the month was reopened and closed again (whose figures may
/// differ though its check code does not), signs nothing and says why.
#[actix_web::test]
async fn a_signing_page_opened_before_the_month_changed_signs_nothing() {
    let app = TestApp::spawn().await;
    let mut kt = closed_december(&app).await;
    let mut duyet = app.session_of("duyet").await;
    let mut head = app.session_of("thutruong").await;
    let form_of = |r: &Resp| {
        let mut f = r.form("/accounting/month/sign?m=2026-12");
        set_field(&mut f, "password", PASSWORD);
        set_field(&mut f, "confirm", "yes");
        f
    };
    // The head's page shows no signature yet; meanwhile the preparer and the chief sign.
    let head_early = form_of(&head.get("/accounting/month?m=2026-12").await);
    assert_eq!(sign(&mut kt, PASSWORD).await.status, 303);
    let duyet_early = form_of(&duyet.get("/accounting/month?m=2026-12").await);
    assert_eq!(sign(&mut duyet, PASSWORD).await.status, 303);
    let r = head
        .post("/accounting/month/sign?m=2026-12", &refs(&head_early))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Tháng đã thay đổi"), "{}", r.body);
    assert_eq!(app.count("month_signatures"), 2);

    // Reopened and closed again: the chief's page from the first close signs nothing, though
    // the preparer has signed the new close as the first step again.
    let mut reopen = head
        .get("/accounting/month?m=2026-12")
        .await
        .form("/accounting/month/reopen?m=2026-12");
    set_field(&mut reopen, "reason", "Sửa đơn vị");
    set_field(&mut reopen, "confirm", "yes");
    let r = head
        .post("/accounting/month/reopen?m=2026-12", &refs(&reopen))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock().advance(chrono::Duration::seconds(5));
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(sign(&mut kt, PASSWORD).await.status, 303);
    let r = duyet
        .post("/accounting/month/sign?m=2026-12", &refs(&duyet_early))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Tháng đã thay đổi"), "{}", r.body);
    assert_eq!(app.count("month_signatures"), 1);
    // From the page as it is now: signed.
    let fresh = form_of(&duyet.get("/accounting/month?m=2026-12").await);
    let r = duyet
        .post("/accounting/month/sign?m=2026-12", &refs(&fresh))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("month_signatures"), 2);
}
