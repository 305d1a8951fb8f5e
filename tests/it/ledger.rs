//! Funds and the voucher ledger: numbering, reversals, budgets, immutability, closed months.

use crate::support::*;
use canteen::audit::Actor;
use canteen::ledger::store::{self, NewVoucher, PAYMENT, RECEIPT};
use canteen::money::Vnd;

fn voucher<'a>(fund: i32, kind: &'a str, day: u32, amount: i64, what: &'a str) -> NewVoucher<'a> {
    NewVoucher {
        fund,
        kind,
        date: d(2026, 11, day),
        amount: Vnd(amount),
        description: what,
        person: None,
        source: None,
    }
}

#[actix_web::test]
async fn vouchers_are_numbered_per_fund_year_and_kind_and_reversed_not_changed() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let actor = Actor::system("test");
    let (a, b) = app
        .state
        .db
        .write_tx(move |c| {
            let a = store::create_fund(
                c,
                &actor,
                now,
                "TA",
                "Kinh phí tự chủ – tiền ăn trưa",
                "budget",
            )?;
            let b = store::create_fund(c, &actor, now, "PL", "Quỹ phúc lợi", "welfare")?;
            store::set_budget(c, &actor, now, a, 2026, Vnd(1_000_000))?;
            Ok((a, b))
        })
        .expect("funds");
    let actor = Actor::system("test");
    let labels = app
        .state
        .db
        .write_tx(move |c| {
            let mut out = Vec::new();
            for v in [
                voucher(a, RECEIPT, 2, 1_000_000, "Dự toán cấp"),
                voucher(a, PAYMENT, 3, 300_000, "Hỗ trợ tiền ăn tháng 10"),
                voucher(a, PAYMENT, 4, 650_000, "Hỗ trợ tiền ăn tháng 11"),
                voucher(b, PAYMENT, 4, 500_000, "Thăm ốm"),
            ] {
                out.push(store::post(c, &actor, now, &v)?.label());
            }
            Ok(out)
        })
        .expect("post");
    assert_eq!(labels, ["PT 2026/1", "PC 2026/1", "PC 2026/2", "PC 2026/1"]);

    let actor = Actor::system("test");
    let f = app
        .state
        .db
        .write_tx(move |c| store::year_figures(c, a, 2026))
        .expect("figures");
    assert_eq!(
        (f.received, f.spent, f.balance()),
        (Vnd(1_000_000), Vnd(950_000), Vnd(50_000))
    );
    assert_eq!(f.used_percent(), Some(95), "over 90 % of the plan");

    // A wrong payment is corrected by a receipt that reverses it, once.
    let wrong = app.count("vouchers WHERE description = 'Hỗ trợ tiền ăn tháng 11'") as i32;
    assert_eq!(wrong, 1);
    let id: i32 = 3;
    let rev = app
        .state
        .db
        .write_tx(move |c| store::reverse(c, &actor, now, id, d(2026, 11, 5), "nhập nhầm số tiền"))
        .expect("reverse");
    assert_eq!(rev.label(), "PT 2026/2");
    assert_eq!(rev.reverses, Some(id));
    let f = app
        .state
        .db
        .write_tx(move |c| store::year_figures(c, a, 2026))
        .expect("figures");
    assert_eq!(
        (f.received, f.spent),
        (Vnd(1_000_000), Vnd(300_000)),
        "the reversal undoes the payment"
    );
    for (what, target) in [("twice", id), ("a reversal", rev.id)] {
        let actor = Actor::system("test");
        let again = app
            .state
            .db
            .write_tx(move |c| store::reverse(c, &actor, now, target, d(2026, 11, 6), "lại"));
        assert!(again.is_err(), "reversing {what} is refused");
    }
    assert_eq!(
        app.count("audit_log WHERE action = 'ledger_voucher.reverse'"),
        1
    );

    // The database itself refuses to change or delete a posted voucher.
    assert!(!app.sql_ok("UPDATE vouchers SET amount_vnd = 1 WHERE id = 2"));
    assert!(!app.sql_ok("DELETE FROM vouchers WHERE id = 2"));
    assert_eq!(app.count("vouchers WHERE amount_vnd = 300000"), 1);
}

#[actix_web::test]
async fn a_voucher_must_be_positive_described_and_dated_in_an_open_month() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let actor = Actor::system("test");
    let fund = app
        .state
        .db
        .write_tx(move |c| store::create_fund(c, &actor, now, "TA", "Tiền ăn", "budget"))
        .expect("fund");
    app.sql("INSERT INTO periods (month, state, changed_at) VALUES ('2026-10', 'closed', '2026-11-02 01:00:00')");
    for (v, why) in [
        (voucher(fund, PAYMENT, 3, 0, "Không tiền"), "a zero amount"),
        (voucher(fund, PAYMENT, 3, -5, "Âm"), "a negative amount"),
        (voucher(fund, PAYMENT, 3, 5, "   "), "no description"),
        (
            NewVoucher {
                date: d(2026, 10, 31),
                ..voucher(fund, PAYMENT, 3, 5, "Tháng đã khóa")
            },
            "a closed month",
        ),
    ] {
        let actor = Actor::system("test");
        let (kind, date, amount, description) = (
            v.kind.to_string(),
            v.date,
            v.amount,
            v.description.to_string(),
        );
        let r = app.state.db.write_tx(move |c| {
            store::post(
                c,
                &actor,
                now,
                &NewVoucher {
                    fund,
                    kind: &kind,
                    date,
                    amount,
                    description: &description,
                    person: None,
                    source: None,
                },
            )
        });
        assert!(r.is_err(), "{why} is refused");
    }
    assert_eq!(app.count("vouchers"), 0);
}

#[actix_web::test]
async fn an_accountant_posts_and_reverses_vouchers_and_sees_the_plan_warning() {
    use canteen::auth::roles::Role;
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let actor = Actor::system("test");
    app.state
        .db
        .write_tx(move |c| {
            let a = store::create_fund(c, &actor, now, "TA", "Tiền ăn trưa", "budget")?;
            store::set_budget(c, &actor, now, a, 2026, Vnd(1_000_000))
        })
        .expect("fund");
    let kt = app.user("ketoan", &[Role::Accountant]);
    let mut kt = app.session_for(kt).await;
    kt.get("/accounting/funds").await;
    let post = |amount: &'static str, date: &'static str| {
        [
            ("fund", "1"),
            ("kind", "payment"),
            ("date", date),
            ("amount", amount),
            ("description", "Hỗ trợ tiền ăn"),
        ]
    };
    let r = kt
        .post("/accounting/vouchers", &post("0", "20/11/2026"))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("phải lớn hơn 0"), "{}", r.body);
    let r = kt
        .post(
            "/accounting/vouchers",
            &post("9223372036854775807", "20/11/2026"),
        )
        .await;
    assert_eq!(r.status, 422, "an amount no fund holds");
    let r = kt
        .post("/accounting/vouchers", &post("35,000", "20/11/2026"))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.texts("#f-amount-err"),
        ["Số tiền không đúng dạng: hãy nhập số đồng, ví dụ 35.000 hoặc 35000 (dấu chấm chỉ dùng để ngăn cách hàng nghìn)."],
        "an amount is told as an amount, not a price"
    );
    let r = kt
        .post("/accounting/vouchers", &post("1.000", "20/11/2030"))
        .await;
    assert_eq!(r.status, 422, "dated in the future");
    assert!(r.body.contains("tương lai"), "{}", r.body);
    assert_eq!(app.count("vouchers"), 0);
    let r = kt
        .post("/accounting/vouchers", &post("950.000", "20/11/2026"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = kt.get("/accounting/funds?year=2026").await;
    assert!(
        page.texts(".badge.warn").join(" ").contains("95 %"),
        "{}",
        page.body
    );
    assert!(page.body.contains("PC 2026/1"));
    // A payment is written as negative amounts are everywhere else (`Vnd`: "-950.000 ₫").
    let amounts = page.texts("tbody td.num");
    assert!(amounts.iter().any(|t| t == "-950.000 ₫"), "{amounts:?}");

    let r = kt
        .post(
            "/accounting/vouchers/1/reverse",
            &[("reason", "Ghi nhầm"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = kt.get("/accounting/funds?year=2026").await;
    assert!(page.body.contains("PT 2026/1") && page.body.contains("Đảo PC 2026/1: Ghi nhầm"));
    assert!(
        !page.has(".badge.warn"),
        "the reversal brings the spending back"
    );
    assert!(
        !page.has("form[action='/accounting/vouchers/1/reverse']"),
        "a reversed voucher offers no second reversal"
    );
    // Each of the pair says so on its row.
    let marks = page.texts("tbody .badge");
    assert!(
        marks.iter().any(|t| t == "Đã đảo bằng PT 2026/1")
            && marks.iter().any(|t| t == "Đảo PC 2026/1"),
        "{marks:?}"
    );

    let union = app.user("congdoan", &[Role::UnionOfficer]);
    let mut union = app.session_for(union).await;
    let page = union.get("/accounting/funds?year=2026").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.has("form[action='/accounting/vouchers']"),
        "reads only"
    );
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    assert_eq!(bep.get("/accounting/funds").await.status, 403);
}

/// A payment beyond what a welfare or union fund holds is asked about before it is posted
/// (a typing slip of three zeros would otherwise overdraw the union's fund unnoticed); once
/// confirmed it is posted. A budget fund, drawn against its plan, is not asked.
#[actix_web::test]
async fn a_payment_that_would_overdraw_a_welfare_fund_is_confirmed_first_and_a_budget_fund_is_not_asked(
) {
    use canteen::auth::roles::Role;
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let actor = Actor::system("test");
    let (budget, union) = app
        .state
        .db
        .write_tx(move |c| {
            let a = store::create_fund(c, &actor, now, "TA", "Kinh phí tiền ăn", "budget")?;
            let b = store::create_fund(c, &actor, now, "CĐ", "Quỹ công đoàn", "union")?;
            store::post(
                c,
                &actor,
                now,
                &voucher(b, RECEIPT, 2, 1_000_000, "Thu đoàn phí"),
            )?;
            Ok((a, b))
        })
        .expect("funds");
    let mut kt = app.login_as("ketoan", &[Role::Accountant]).await;
    let send = |fund: i32, amount: &'static str| {
        let mut form = vec![];
        for (k, v) in [
            ("fund", fund.to_string()),
            ("kind", "payment".to_string()),
            ("date", "27/11/2026".to_string()),
            ("amount", amount.to_string()),
            ("description", "Chi thăm hỏi".to_string()),
        ] {
            form.push((k.to_string(), v));
        }
        form
    };
    let page = kt.get("/accounting/funds").await;
    let mut form = page.form("/accounting/vouchers");
    for (k, v) in send(union, "50.000.000") {
        set_field(&mut form, &k, &v);
    }
    let r = kt.post("/accounting/vouchers", &refs(&form)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("quỹ sẽ bị âm"), "{}", r.body);
    assert_eq!(app.count("vouchers WHERE kind = 'payment'"), 0);
    // The form comes back as typed, with the confirmation to tick.
    assert!(r.has("input[type=checkbox][name=overdraw]"), "{}", r.body);
    let mut again = r.form("/accounting/vouchers");
    assert!(again
        .iter()
        .any(|(k, v)| k == "amount" && v == "50.000.000"));
    set_field(&mut again, "overdraw", "yes");
    let r = kt.post("/accounting/vouchers", &refs(&again)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "vouchers WHERE kind = 'payment' AND fund_id = {union} AND amount_vnd = 50000000"
        )),
        1
    );
    // Within the balance, or from a budget fund: posted at once.
    for (fund, amount) in [(budget, "2.000.000")] {
        let mut form = kt
            .get("/accounting/funds")
            .await
            .form("/accounting/vouchers");
        for (k, v) in send(fund, amount) {
            set_field(&mut form, &k, &v);
        }
        let r = kt.post("/accounting/vouchers", &refs(&form)).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(app.count("vouchers WHERE kind = 'payment'"), 2);
}
