//! The accountants' month against the supplier: contracts, invoices typed in or imported from
//! e-invoice XML, the reconciliation identity, the note a difference needs before closing,
//! adjustments of a closed month, and reopening.

use crate::support::*;
use canteen::auth::roles::Role;

/// One fund; 10.000 ₫ a meal for everyone.
fn policy(app: &TestApp) {
    app.sql(
        "INSERT INTO funds (code, name, kind, active, created_at) VALUES \
           ('TA', 'Kinh phí tự chủ – tiền ăn trưa', 'budget', true, '2026-01-01 00:00:00'); \
         INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, fund_id, valid_from, legal_basis, created_at) VALUES \
           ('Hỗ trợ chung', 'everyone', '', 'fixed', 10000, 1, '2026-01-01', 'Quy chế chi tiêu nội bộ, Điều 12', '2026-01-01 00:00:00');",
    );
}

/// An e-invoice of December 2026 from the seller `mst`: `lines` are (name, quantity, amount
/// before 8 % VAT).
pub fn einvoice(mst: &str, number: &str, lines: &[(&str, u32, &str)], total: &str) -> Vec<u8> {
    let items: String = lines
        .iter()
        .enumerate()
        .map(|(i, (name, q, amount))| {
            format!(
                "<HHDVu><TChat>1</TChat><STT>{}</STT><THHDVu>{name}</THHDVu><DVTinh>Suất</DVTinh>\
                 <SLuong>{q}</SLuong><DGia>29629.63</DGia><TSuat>8%</TSuat><ThTien>{amount}</ThTien></HHDVu>",
                i + 1
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<HDon><DLHDon Id="data"><TTChung><PBan>2.1.0</PBan><THDon>Hóa đơn giá trị gia tăng</THDon>
<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>{number}</SHDon><NLap>2026-12-31</NLap>
<DVTTe>VND</DVTTe></TTChung><NDHDon><NBan><Ten>Công ty Suất ăn Hà Nội</Ten><MST>{mst}</MST></NBan>
<NMua><Ten>Văn phòng Bộ</Ten></NMua><DSHHDVu>{items}</DSHHDVu>
<TToan><TgTTTBSo>{total}</TgTTTBSo></TToan></NDHDon></DLHDon></HDon>"#
    )
    .into_bytes()
}

fn no_price_rows() -> Vec<(&'static str, &'static str)> {
    vec![
        ("option", ""),
        ("option_price", ""),
        ("option", ""),
        ("option_price", ""),
        ("option", ""),
        ("option_price", ""),
    ]
}

/// Lan eats 01/12 and 02/12, Bình 01/12 (35.000 each, 10.000 subsidised); the caterer's
/// contract: 32.000 a meal ordered.
pub async fn december(app: &TestApp) -> (Client, i32) {
    policy(app);
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, _) = app.staff("binh").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
    set_field(&mut f, &key(days[2]), &ids[2][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let mut f = binh.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), &ids[1][0].to_string());
    assert_eq!(binh.post("/week", &refs(&f)).await.status, 303);

    let mut kt = app
        .session_for(app.user("ketoan", &[Role::Accountant]))
        .await;
    kt.get("/accounting/suppliers").await;
    let r = kt
        .post(
            "/accounting/suppliers",
            &[
                ("name", "Công ty Suất ăn Hà Nội"),
                ("tax_code", "0101234567"),
                ("address", "Hà Nội"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A second supplier with the same tax code is refused beside the field.
    let r = kt
        .post(
            "/accounting/suppliers",
            &[
                ("name", "Trùng"),
                ("tax_code", "0101234567"),
                ("address", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Đã có nhà cung cấp với mã số thuế này"));
    let mut contract = vec![
        ("supplier", "1"),
        ("reference", "HĐ 01/2026/HĐ-VP"),
        ("from", "01/12/2026"),
        ("to", ""),
        ("bills", "ordered"),
        ("price", "32.000"),
    ];
    contract.extend(no_price_rows());
    let r = kt.post("/accounting/contracts", &contract).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // One caterer at a time: an overlapping contract is refused.
    let r = kt.post("/accounting/contracts", &contract).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("trùng với hợp đồng khác"), "{}", r.body);
    app.clock().set(local(d(2027, 1, 2), 9, 0, 0));
    (app.session_of("ketoan").await, lan_p)
}

#[actix_web::test]
async fn the_invoice_identity_holds_to_the_dong_and_a_difference_needs_a_note_before_closing() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    // No invoice yet: closing waits for the difference to be explained.
    let page = kt.get("/accounting/month?m=2026-12").await;
    assert!(page.body.contains("chưa được giải trình"), "{}", page.body);
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.count("month_closes"), 0);

    // The caterer's e-invoice: 2 meals on 01/12 and 1 on 02/12 at 32.000 with VAT.
    let good = einvoice(
        "0101234567",
        "123",
        &[
            ("Suất ăn trưa ngày 01/12/2026 - Suất thường", 2, "59259.26"),
            ("Suất ăn trưa ngày 02/12/2026 - Suất thường", 1, "29629.63"),
        ],
        "96000",
    );
    kt.get("/accounting/reconciliation?m=2026-12").await;
    let r = kt
        .upload(
            "/accounting/invoices/import?m=2026-12",
            "hd123.xml",
            good.clone(),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("supplier_invoices WHERE source = 'xml' AND total_vnd = 96000"),
        1
    );
    assert_eq!(
        app.count("invoice_lines WHERE service_date IS NOT NULL AND option_name = 'Suất thường'"),
        2
    );
    assert_eq!(
        app.count("attachments WHERE owner_kind = 'supplier_invoice'"),
        1
    );

    // The same invoice again, a broken file, a DTD, an unknown seller: each refused with why.
    let refused: Vec<(Vec<u8>, &str)> = vec![
        (good.clone(), "đã được ghi"),
        (b"<HDon><DLHDon>".to_vec(), "không phải XML hợp lệ"),
        (
            br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><HDon>&a;</HDon>"#.to_vec(),
            "DTD",
        ),
        (
            einvoice(
                "0109999999",
                "7",
                &[("Suất ăn trưa ngày 01/12/2026", 1, "925.93")],
                "1000",
            ),
            "chưa có trong danh sách nhà cung cấp",
        ),
    ];
    for (bytes, why) in refused {
        let r = kt
            .upload("/accounting/invoices/import?m=2026-12", "x.xml", bytes)
            .await;
        assert_eq!(r.status, 422, "{why}");
        assert!(r.body.contains(why), "{why}: {}", r.body);
    }
    assert_eq!(app.count("supplier_invoices"), 1);

    // The identity, to the đồng: 96.000 invoiced = 75.000 staff + 30.000 subsidy + 0 guests
    // + (−9.000) difference; the contract cost (3 meals × 32.000) matches the invoice.
    let page = kt.get("/accounting/reconciliation?m=2026-12").await;
    assert_eq!(page.status, 200);
    let money = page.texts("table.identity tr");
    assert!(money[0].contains("96.000"), "{money:?}");
    assert!(money[1].contains("75.000"), "{money:?}");
    assert!(money[2].contains("30.000"), "{money:?}");
    assert!(money[4].contains("-9.000"), "{money:?}");
    assert!(page.body.contains("Không có sai lệch"), "{}", page.body);
    let original = kt.get("/accounting/invoices/1/original").await;
    assert_eq!(original.bytes, good, "the original file, byte for byte");

    // Still not closable until the difference is explained; then it closes.
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    let r = kt
        .post("/accounting/month/note?m=2026-12", &[("note", "")])
        .await;
    assert_eq!(r.status, 422);
    let r = kt
        .post(
            "/accounting/month/note?m=2026-12",
            &[(
                "note",
                "Giá hợp đồng thấp hơn giá bán 3.000 ₫/suất; phần dư nộp quỹ.",
            )],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.audit_after("accounting_month.close")[0]["difference_vnd"],
        -9000
    );
    // A closed month takes no invoice and no note.
    let r = kt
        .upload(
            "/accounting/invoices/import?m=2026-12",
            "hd124.xml",
            einvoice(
                "0101234567",
                "124",
                &[("Suất ăn trưa ngày 01/12/2026", 1, "925.93")],
                "1000",
            ),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("đã khóa sổ"), "{}", r.body);
    let r = kt
        .post("/accounting/invoices/1/delete", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.count("supplier_invoices"), 1);

    // The kitchen and staff reach none of it.
    let mut bep = app.session_for(app.user("bep", &[Role::Kitchen])).await;
    for path in [
        "/accounting/reconciliation?m=2026-12",
        "/accounting/suppliers",
        "/accounting/invoices/1/original",
        "/accounting/reconciliation.xlsx?m=2026-12",
    ] {
        assert_eq!(bep.get(path).await.status, 403, "{path}");
    }
}

#[actix_web::test]
async fn a_changed_difference_needs_a_new_note_and_a_typed_invoice_counts_for_the_month() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    kt.get("/accounting/reconciliation?m=2026-12").await;
    let r = kt
        .post(
            "/accounting/month/note?m=2026-12",
            &[("note", "Chưa có hóa đơn")],
        )
        .await;
    assert_eq!(r.status, 303);
    // An invoice typed in changes the difference: the old note no longer explains it.
    let invoice = [
        ("supplier", "1"),
        ("template", "1"),
        ("series", "C26TAA"),
        ("number", "200"),
        ("issued_on", "31/12/2026"),
        ("total", "100.000"),
    ];
    let r = kt.post("/accounting/invoices?m=2026-12", &invoice).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = kt.get("/accounting/reconciliation?m=2026-12").await;
    assert!(
        page.body.contains("nay chênh lệch đã khác"),
        "{}",
        page.body
    );
    // 100.000 invoiced against 96.000 by the contract: listed.
    assert!(page
        .body
        .contains("Tổng hóa đơn khác chi phí theo hợp đồng"));
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    // The same invoice typed twice is refused; a bad total is refused beside its field.
    let r = kt.post("/accounting/invoices?m=2026-12", &invoice).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("đã được ghi"));
    let mut bad = invoice.to_vec();
    bad[3] = ("number", "201");
    bad[5] = ("total", "abc");
    assert_eq!(
        kt.post("/accounting/invoices?m=2026-12", &bad).await.status,
        422
    );
    // Removing it (confirmed) brings the first note back in force.
    assert_eq!(
        kt.post("/accounting/invoices/1/delete", &[]).await.status,
        400,
        "not without confirming"
    );
    let r = kt
        .post("/accounting/invoices/1/delete", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303);
    let r = kt
        .post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // An invoice from a tab opened before the close: refused, and the page says why (its
    // form is gone from the closed month's page).
    let mut late = invoice.to_vec();
    late[3] = ("number", "202");
    let r = kt.post("/accounting/invoices?m=2026-12", &late).await;
    assert_eq!(r.status, 422);
    assert!(
        r.texts(".alert").iter().any(|t| t.contains("đã khóa sổ")),
        "{}",
        r.body
    );
    assert_eq!(app.count("supplier_invoices"), 0);
}

#[actix_web::test]
async fn an_adjustment_of_a_closed_month_lands_in_the_next_open_month_and_only_an_approver_reopens()
{
    let app = TestApp::spawn().await;
    let (mut kt, lan_p) = december(&app).await;
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

    // The month's subsidy left its fund: one payment voucher, dated 31/12, on the chart.
    assert_eq!(
        app.count("vouchers WHERE source = 'subsidy_month:2026-12' AND kind = 'payment' AND amount_vnd = 30000 AND voucher_date = '2026-12-31'"),
        1
    );
    let funds = kt.get("/accounting/funds?year=2026").await;
    assert!(funds.has("figure.chart svg rect"));
    let december_row = funds
        .texts("figure.chart tbody tr")
        .into_iter()
        .nth(11)
        .unwrap_or_default();
    assert!(december_row.contains("30.000"), "{december_row}");
    // That voucher follows the month: no accountant reverses it by hand.
    let voucher_id = (1..10)
        .find(|i| {
            app.count(&format!(
                "vouchers WHERE id = {i} AND source = 'subsidy_month:2026-12'"
            )) == 1
        })
        .expect("the month's voucher");
    assert!(!funds.has(&format!(
        "form[action='/accounting/vouchers/{voucher_id}/reverse']"
    )));
    let r = kt
        .post(
            &format!("/accounting/vouchers/{voucher_id}/reverse"),
            &[("reason", "Nhầm"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.count("vouchers WHERE reverses IS NOT NULL"), 0);

    // An open month needs no adjustment; bad amounts and unknown people are refused.
    kt.get("/accounting/month?m=2026-12").await;
    for (m, code, amount, reason, why) in [
        ("2027-01", "LAN", "5.000", "x", "chưa khóa sổ"),
        ("2026-12", "LAN", "0", "x", "Số tiền khác 0"),
        ("2026-12", "LAN", "abc", "x", "Số tiền khác 0"),
        ("2026-12", "NOBODY", "5.000", "x", "Không có cán bộ"),
        ("2026-12", "LAN", "5.000", " ", "Cần ghi lý do"),
    ] {
        let r = kt
            .post(
                &format!("/accounting/adjustments?m={m}"),
                &[("code", code), ("amount", amount), ("reason", reason)],
            )
            .await;
        // An open month has no adjustment form to show the reason beside: an error page.
        assert_eq!(r.status, if m == "2027-01" { 400 } else { 422 }, "{why}");
        assert!(r.body.contains(why), "{why}: {}", r.body);
    }
    assert_eq!(app.count("adjustments"), 0);
    // Lan was charged for 02/12 but did not eat: refunded 25.000 in January.
    let r = kt
        .post(
            "/accounting/adjustments?m=2026-12",
            &[
                ("code", "lan"),
                ("amount", "-25.000"),
                ("reason", "Báo nhầm suất 02/12"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().contains("m=2027-01"));
    assert_eq!(
        app.count(&format!(
            "adjustments WHERE month = '2027-01' AND corrects_month = '2026-12' AND person_id = {lan_p} AND amount_vnd = -25000"
        )),
        1
    );
    assert_eq!(app.audit_after("accounting_adjustment.create").len(), 1);
    let jan = kt.get("/accounting/month?m=2027-01").await;
    assert!(jan.body.contains("Báo nhầm suất 02/12"));
    let csv = kt.get("/accounting/payroll.csv?m=2027-01").await;
    let text = String::from_utf8(csv.bytes).expect("utf-8");
    assert!(
        text.lines()
            .any(|l| l.starts_with("LAN,") && l.contains(",0,-25000,")),
        "{text}"
    );
    let mut lan = app.session_of("lan").await;
    let stmt = lan.get("/statement?month=2027-01").await;
    assert!(stmt.body.contains("Báo nhầm suất 02/12") && stmt.body.contains("-25.000"));
    // December's stored lines are untouched.
    assert_eq!(app.count("statement_lines WHERE month = '2026-12'"), 3);

    // Reopening: not the accountant; the approver, with a reason.
    assert_eq!(
        kt.post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", "Sai đơn giá"), ("confirm", "yes")]
        )
        .await
        .status,
        403
    );
    let mut duyet = app.session_for(app.user("duyet", &[Role::Approver])).await;
    let page = duyet.get("/accounting/month?m=2026-12").await;
    assert!(page.body.contains("Mở lại tháng"));
    let r = duyet
        .post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", " "), ("confirm", "yes")],
        )
        .await;
    // Refused on the month page, with the reason why.
    assert_eq!(r.status, 422);
    assert!(r.has("p.alert"), "{}", r.body);
    let r = duyet
        .post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", "Sai đơn giá hợp đồng"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("periods WHERE month = '2026-12' AND state = 'open'"),
        1
    );
    assert_eq!(app.count("statement_lines WHERE month = '2026-12'"), 0);
    // Its subsidy voucher is reversed (dated today), not deleted.
    assert_eq!(
        app.count(
            "vouchers WHERE reverses IS NOT NULL AND kind = 'receipt' AND amount_vnd = 30000"
        ),
        1
    );
    let audit = app.audit_after("accounting_month.reopen");
    assert_eq!(audit[0]["reason"], "Sai đơn giá hợp đồng");

    // A signed month never reopens.
    kt.post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    app.sql("UPDATE periods SET state = 'signed' WHERE month = '2026-12'");
    let r = duyet
        .post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", "Sai"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không mở lại"), "{}", r.body);
    assert_eq!(
        app.count("periods WHERE month = '2026-12' AND state = 'signed'"),
        1
    );
}

/// The cells of an XLSX download's first sheet, as text.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("cells");
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[actix_web::test]
async fn subsidy_by_fund_and_unit_and_every_meal_download_as_xlsx_that_add_up() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    let by_fund = cells(
        &kt.get("/accounting/subsidy.xlsx?m=2026-12&by=fund")
            .await
            .bytes,
    );
    let ta = by_fund
        .iter()
        .find(|r| r[0] == "TA")
        .expect("the TA fund's row");
    assert_eq!((ta[2].as_str(), ta[3].as_str()), ("3", "30000"));
    let by_unit = cells(
        &kt.get("/accounting/subsidy.xlsx?m=2026-12&by=unit")
            .await
            .bytes,
    );
    let total = by_unit
        .iter()
        .find(|r| r[0] == "Cộng")
        .expect("a total row");
    assert_eq!(&total[1..5], &["3", "105000", "30000", "75000"]);
    assert_eq!(
        kt.get("/accounting/subsidy.xlsx?m=2026-12&by=person")
            .await
            .status,
        400
    );
    let every = cells(&kt.get("/accounting/statements.xlsx?m=2026-12").await.bytes);
    let meals: Vec<&Vec<String>> = every
        .iter()
        .filter(|r| r.len() > 7 && r[5] == "35000")
        .collect();
    assert_eq!(meals.len(), 3);
    assert_eq!(app.audit_after("accounting_statements.export").len(), 1);
    let mut bep = app.session_for(app.user("bep", &[Role::Kitchen])).await;
    assert_eq!(
        bep.get("/accounting/statements.xlsx?m=2026-12")
            .await
            .status,
        403
    );
}

#[actix_web::test]
async fn invoices_are_told_apart_as_the_tax_authority_does_and_must_fit_their_month() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    kt.get("/accounting/reconciliation?m=2026-12").await;
    let typed = |template: &'static str,
                 series: &'static str,
                 number: &'static str,
                 day: &'static str,
                 total: &'static str| {
        vec![
            ("supplier", "1"),
            ("template", template),
            ("series", series),
            ("number", number),
            ("issued_on", day),
            ("total", total),
        ]
    };
    let r = kt
        .post(
            "/accounting/invoices?m=2026-12",
            &typed("1", "C26TAA", "8001", "31/12/2026", "96.000"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // "01" is template 1, the series is in capitals, "0008001" is number 8001: the same one.
    for (t, s, n) in [
        ("01", "C26TAA", "8001"),
        ("1", "c26taa", "8001"),
        ("1", "C26TAA", "0008001"),
    ] {
        let r = kt
            .post(
                "/accounting/invoices?m=2026-12",
                &typed(t, s, n, "31/12/2026", "96.000"),
            )
            .await;
        assert_eq!(r.status, 422, "{t}/{s}/{n}");
        assert!(r.body.contains("đã được ghi"), "{t}/{s}/{n}");
    }
    // Not an invoice identity at all.
    for (t, sr, n) in [
        ("x", "C26TAA", "9"),
        ("1", "C26T&A", "9"),
        ("1", "C26TAA", "abc"),
    ] {
        let r = kt
            .post(
                "/accounting/invoices?m=2026-12",
                &typed(t, sr, n, "31/12/2026", "96.000"),
            )
            .await;
        assert_eq!(r.status, 422, "{t}/{sr}/{n}");
    }
    // Dated before the month, or after today; a total of 0.
    for (day, total) in [
        ("30/11/2026", "96.000"),
        ("05/01/2027", "96.000"),
        ("31/12/2026", "0"),
    ] {
        let r = kt
            .post(
                "/accounting/invoices?m=2026-12",
                &typed("1", "C26TAA", "9", day, total),
            )
            .await;
        assert_eq!(r.status, 422, "{day} {total}");
    }
    // An e-invoice whose lines name November, or do not add up to its total.
    for (xml, why) in [
        (
            einvoice(
                "0101234567",
                "300",
                &[("Suất ăn trưa ngày 30/11/2026", 1, "29629.63")],
                "32000",
            ),
            "ngoài tháng này",
        ),
        (
            einvoice(
                "0101234567",
                "302",
                &[("Suất ăn trưa từ 02/12/2026 đến 03/01/2027", 1, "29629.63")],
                "32000",
            ),
            "ngoài tháng này",
        ),
        (
            einvoice(
                "0101234567",
                "303",
                &[("Suất ăn trưa ngày 31/11/2026", 1, "29629.63")],
                "32000",
            ),
            "ngày không hợp lệ",
        ),
        (
            einvoice(
                "0101234567",
                "301",
                &[("Suất ăn trưa ngày 01/12/2026", 1, "29629.63")],
                "99000",
            ),
            "không khớp",
        ),
    ] {
        let r = kt
            .upload("/accounting/invoices/import?m=2026-12", "x.xml", xml)
            .await;
        assert_eq!(r.status, 422, "{why}");
        assert!(r.body.contains(why), "{why}: {}", r.body);
    }
    assert_eq!(app.count("supplier_invoices"), 1);
}

#[actix_web::test]
async fn a_double_submitted_adjustment_or_voucher_is_saved_once() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    kt.get("/accounting/reconciliation?m=2026-12").await;
    kt.post(
        "/accounting/month/note?m=2026-12",
        &[("note", "Chưa có hóa đơn")],
    )
    .await;
    kt.post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    let page = kt.get("/accounting/month?m=2026-12").await;
    let mut form = page.form("/accounting/adjustments?m=2026-12");
    set_field(&mut form, "code", "LAN");
    set_field(&mut form, "amount", "-5.000");
    set_field(&mut form, "reason", "Hoàn tiền");
    let first = kt
        .post("/accounting/adjustments?m=2026-12", &refs(&form))
        .await;
    assert_eq!(first.status, 303);
    let again = kt
        .post("/accounting/adjustments?m=2026-12", &refs(&form))
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(
        app.count("adjustments"),
        1,
        "the second click saved nothing"
    );
    let page = kt.get(&again.location()).await;
    assert!(page.body.contains("không ghi lần hai"), "{}", page.body);

    let funds = kt.get("/accounting/funds?year=2027").await;
    let mut voucher = funds.form("/accounting/vouchers");
    set_field(&mut voucher, "fund", "1");
    set_field(&mut voucher, "kind", "receipt");
    set_field(&mut voucher, "date", "02/01/2027");
    set_field(&mut voucher, "amount", "1.000.000");
    set_field(&mut voucher, "description", "Cấp kinh phí");
    for _ in 0..2 {
        assert_eq!(
            kt.post("/accounting/vouchers", &refs(&voucher))
                .await
                .status,
            303
        );
    }
    assert_eq!(
        app.count("vouchers WHERE kind = 'receipt' AND amount_vnd = 1000000"),
        1
    );
    // The payroll CSV starts with its header (the state is in the file name).
    let csv = kt.get("/accounting/payroll.csv?m=2027-01").await;
    let text = String::from_utf8(csv.bytes).expect("utf-8");
    assert!(
        text.trim_start_matches('\u{feff}').starts_with("Mã"),
        "{text}"
    );
    assert!(csv
        .headers
        .get("content-disposition")
        .is_some_and(|v| v.to_str().unwrap_or("").contains("tam-tinh")));
}

#[actix_web::test]
async fn a_contract_ends_so_that_new_prices_follow() {
    let app = TestApp::spawn().await;
    let (mut kt, _) = december(&app).await;
    kt.get("/accounting/suppliers").await;
    let end = [
        ("to", "31/12/2026"),
        ("reason", "Giá mới từ 2027"),
        ("confirm", "yes"),
    ];
    assert_eq!(
        kt.post("/accounting/contracts/1/end", &end).await.status,
        303
    );
    let mut next = vec![
        ("supplier", "1"),
        ("reference", "HĐ 01/2027"),
        ("from", "01/01/2027"),
        ("to", ""),
        ("bills", "served"),
        ("price", "33.000"),
    ];
    next.extend(no_price_rows());
    let r = kt.post("/accounting/contracts", &next).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("supplier_contracts"), 2);
    assert_eq!(app.audit_after("supplier_contract.end").len(), 1);
}

/// A write on a month names its month: without `?m=` it is refused and nothing changes —
/// never the default month (last month) in its place, which for a reopening or a close could
/// not be taken back.
#[actix_web::test]
async fn every_write_on_a_month_without_its_month_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into())).expect("demo");
    let closed = app.count("month_closes");
    assert_eq!(closed, 1, "the demo's last month is closed");
    let tables = [
        "month_closes",
        "periods WHERE state = 'open'",
        "adjustments",
        "supplier_invoices",
        "vouchers",
        "audit_log WHERE action NOT LIKE 'login%'",
    ];
    let before: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
    let mut duyet = app.client();
    duyet.login("duyet", "com trua ngon").await;
    duyet.get("/accounting/month?m=2026-10").await;
    let r = duyet
        .post(
            "/accounting/month/reopen",
            &[("reason", "Sai số liệu"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 400, "reopen: {}", r.body);
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    kt.get("/accounting/month?m=2026-10").await;
    for (path, fields) in [
        ("/accounting/month/close", vec![("confirm", "yes")]),
        (
            "/accounting/adjustments",
            vec![("code", "NV001"), ("amount", "10.000"), ("reason", "Bù")],
        ),
        (
            "/accounting/month/note",
            vec![("note", "Chênh lệch do làm tròn")],
        ),
        (
            "/accounting/invoices",
            vec![
                ("number", "HĐ1"),
                ("issued_on", "31/10/2026"),
                ("total", "1.000.000"),
            ],
        ),
    ] {
        let r = kt.post(path, &fields).await;
        assert!(
            r.status == 400 || r.status == 422,
            "{path}: {} {}",
            r.status,
            r.body
        );
        assert!(r.body.contains("Tháng không hợp lệ"), "{path}: {}", r.body);
    }
    // Named, a month already closed is refused with what to do, and still nothing changes.
    let r = kt
        .post("/accounting/month/close?m=2026-10", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Tháng này đã khóa sổ; muốn sửa thì mở lại tháng trước"),
        "{}",
        r.body
    );
    let after: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
    assert_eq!(after, before, "{tables:?}");
}

/// A closed month keeps each person as they stood when it was closed: a move to another unit
/// or a leaving afterwards does not move their meals to another unit on the month's page and
/// files, nor their share from "deducted from pay" to "in cash". The month reopened and closed
/// again takes them as they stand then.
#[actix_web::test]
async fn a_closed_month_keeps_each_persons_unit_and_pay_deduction_as_they_stood_at_its_close() {
    let app = TestApp::spawn().await;
    let (mut kt, lan_p) = december(&app).await;
    app.sql(
        "INSERT INTO units (code, name, created_at) VALUES \
           ('HC', 'Phòng Hành chính', '2026-11-27 01:00:00'), \
           ('CNTT', 'Cục Công nghệ thông tin', '2026-11-27 01:00:00')",
    );
    app.sql(&format!(
        "UPDATE persons SET unit_id = (SELECT id FROM units WHERE code = 'HC') WHERE id = {lan_p}"
    ));
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

    // After the close, LAN moves to CNTT and then leaves (from a day of January).
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let action = format!("/people/{lan_p}");
    let mut form = admin
        .get(&format!("/people/{lan_p}/edit"))
        .await
        .form(&action);
    let cntt_id = (1..100)
        .find(|i| app.count(&format!("units WHERE code = 'CNTT' AND id = {i}")) == 1)
        .expect("the unit")
        .to_string();
    set_field(&mut form, "unit_id", &cntt_id);
    set_field(&mut form, "status", "left");
    set_field(&mut form, "status_date", "05/01/2027");
    let r = admin.post(&action, &refs(&form)).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let lan_row = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("LAN,"))
            .unwrap_or_default()
            .to_string()
    };
    let csv =
        String::from_utf8(kt.get("/accounting/payroll.csv?m=2026-12").await.bytes).expect("utf-8");
    let row = lan_row(&csv);
    assert!(row.contains("Phòng Hành chính"), "{csv}");
    assert!(row.contains("Trừ lương"), "still deducted from pay: {csv}");
    let page = kt.get("/accounting/month?m=2026-12").await;
    let lan_line = page
        .texts("tr")
        .into_iter()
        .find(|t| t.contains("LAN"))
        .unwrap_or_default();
    assert!(lan_line.contains("Phòng Hành chính"), "{lan_line}");
    let by_unit = cells(
        &kt.get("/accounting/subsidy.xlsx?m=2026-12&by=unit")
            .await
            .bytes,
    );
    assert!(
        by_unit
            .iter()
            .any(|r| r[0] == "Phòng Hành chính" && r[1] == "2"),
        "{by_unit:?}"
    );
    assert!(
        !by_unit.iter().any(|r| r[0] == "Cục Công nghệ thông tin"),
        "{by_unit:?}"
    );

    // Reopened and closed again, the month takes LAN as LAN stands now.
    let mut duyet = app.session_for(app.user("duyet", &[Role::Approver])).await;
    duyet.get("/accounting/month?m=2026-12").await;
    let r = duyet
        .post(
            "/accounting/month/reopen?m=2026-12",
            &[("reason", "Sửa đơn vị"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("statement_people WHERE month = '2026-12'"), 0);
    kt.post("/accounting/month/close?m=2026-12", &[("confirm", "yes")])
        .await;
    let csv =
        String::from_utf8(kt.get("/accounting/payroll.csv?m=2026-12").await.bytes).expect("utf-8");
    assert!(lan_row(&csv).contains("Cục Công nghệ thông tin"), "{csv}");
}

/// The month page of the month under way counts the meals booked for its days ahead, the
/// statistics only those up to today: each says which it counts, so that their figures for
/// the same month are not read as a contradiction.
#[actix_web::test]
async fn the_month_under_way_says_it_counts_meals_booked_ahead_and_the_reports_say_they_do_not() {
    let app = TestApp::spawn().await;
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let now = kt.get("/accounting/month?m=2026-11").await;
    assert!(
        now.body.contains("các suất đã đặt cho những ngày còn lại"),
        "{}",
        now.body
    );
    let before = kt.get("/accounting/month?m=2026-10").await;
    assert!(!before.body.contains("những ngày còn lại"));
    assert!(before.body.contains("số liệu tính theo các suất hiện có"));
    let mut leader = app.login_as("lanhdao", &[Role::Leader]).await;
    let report = leader
        .get("/reports/subsidy-months?from=01/11/2026&to=30/11/2026")
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("chỉ tính các suất đến hôm nay"),
        "{}",
        report.body
    );
}
