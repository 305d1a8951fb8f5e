//! A large month for the accounting benchmark (`bench/month.sh`): N working staff in ten
//! units, every weekday of the month open with two options, every person eating every day
//! (one in twenty a no-show), one in ten eligible for the low-income top-up, two policies,
//! the caterer's contract and its invoice, and the note on the difference — so the month can
//! be closed, reconciled and exported at once. Rows are made with set-based SQL (the same
//! statements on both databases); this is benchmark data, not a history (no order events).

use crate::audit::Actor;
use crate::auth::roles::{Role, RoleSet};
use crate::auth::store as users;
use crate::db::{Db, DbConn};
use crate::error::AppError;
use crate::money::Vnd;
use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;

fn exec(c: &mut DbConn, sql: &str) -> Result<usize, AppError> {
    Ok(diesel::sql_query(sql).execute(c)?)
}

/// Fills an empty database; returns a one-line summary.
pub fn generate(
    db: &Db,
    persons: u32,
    first: NaiveDate,
    months: u32,
    password_hash: &str,
) -> anyhow::Result<String> {
    // The months of meals: `months` of them, ending with `first`'s; all but the last closed.
    let mut starts = vec![first];
    for _ in 1..months.clamp(1, 36) {
        let earlier = (starts[0] - Duration::days(1))
            .with_day(1)
            .unwrap_or(starts[0]);
        starts.insert(0, earlier);
    }
    let hash = password_hash.to_string();
    let summary = db
        .write_tx(move |c| {
            if crate::people::store::count_persons(c)? > 0 {
                return Err(AppError::internal("the database is not empty"));
            }
            let actor = Actor::system("bench");
            let now = chrono::Utc::now().naive_utc();
            let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
            for u in 1..=10 {
                crate::people::store::create_unit(
                    c,
                    &actor,
                    now,
                    &format!("B{u}"),
                    &format!("Đơn vị {u}"),
                    None,
                )?;
            }
            exec(
                c,
                &format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {persons}) \
                     INSERT INTO persons (employee_code, full_name, search_name, unit_id, category, status, \
                       created_at, updated_at, allergens, sort_key) \
                     SELECT 'B' || i, 'Cán bộ ' || i, 'can bo ' || i, (SELECT MIN(id) FROM units) + (i % 10), \
                       'cong_chuc', 'working', '{stamp}', '{stamp}', '', 'can bo ' || i FROM n"
                ),
            )?;
            let meals = crate::ledger::store::create_fund(
                c,
                &actor,
                now,
                "TA",
                "Kinh phí tự chủ – tiền ăn trưa",
                "budget",
            )?;
            let welfare =
                crate::ledger::store::create_fund(c, &actor, now, "PL", "Quỹ phúc lợi", "welfare")?;
            exec(
                c,
                &format!(
                    "INSERT INTO subsidy_policies (name, covers, covers_value, amount_kind, amount_value, \
                       monthly_cap, fund_id, valid_from, legal_basis, created_at) VALUES \
                     ('Hỗ trợ chung', 'everyone', '', 'fixed', 10000, NULL, {meals}, '2026-01-01', 'Quy chế, Điều 12', '{stamp}'), \
                     ('Hỗ trợ thu nhập thấp', 'band', 'low_income', 'staff_max', 15000, 22, {welfare}, '2026-01-01', 'Quy chế, Điều 13', '{stamp}')"
                ),
            )?;
            exec(
                c,
                &format!(
                    "INSERT INTO eligibility (person_id, band, valid_from, basis, decision_no, decided_at) \
                     SELECT id, 'low_income', '2026-01-01', 'decision', 'QĐ ' || id, '{stamp}' FROM persons WHERE id % 10 = 0"
                ),
            )?;
            let (_, last) = crate::subsidy::store::month_of(first);
            let oldest = starts[0];
            // Some become low-income in the middle of the first month: two bands in one month.
            exec(
                c,
                &format!(
                    "INSERT INTO eligibility (person_id, band, valid_from, basis, decision_no, decided_at) \
                     SELECT id, 'low_income', '{}', 'decision', 'QĐ ' || id, '{stamp}' FROM persons WHERE id % 10 = 5",
                    oldest + chrono::Duration::days(14)
                ),
            )?;
            let mut day = oldest;
            let mut days = 0;
            while day <= last {
                if day.weekday().num_days_from_monday() < 5 {
                    let d = day.format("%Y-%m-%d");
                    exec(
                        c,
                        &format!(
                            "INSERT INTO service_days (service_date, is_open, published, updated_at) \
                             VALUES ('{d}', true, true, '{stamp}')"
                        ),
                    )?;
                    exec(
                        c,
                        &format!(
                            "INSERT INTO meal_options (service_date, name, price_vnd, vegetarian, dishes, position, allergens, allergen_notes) \
                             VALUES ('{d}', 'Suất thường', 35000, false, '', 0, '', ''), \
                                    ('{d}', 'Suất chay', 30000, true, '', 1, '', '')"
                        ),
                    )?;
                    days += 1;
                }
                day += Duration::days(1);
            }
            // On PostgreSQL the summary trigger (migration 000019) would run once per generated
            // meal (13 minutes for 2.6 million); it is off for this one statement and the
            // summary of the new meals made in one pass, as the migration made it.
            // (Only the tables' owner may turn a trigger off; anyone else waits for it.)
            let pg = crate::db::backend_of(c) == crate::db::Backend::Postgres
                && diesel::sql_query(
                    "SELECT 1 AS one FROM pg_tables WHERE tablename = 'orders' AND tableowner = current_user",
                )
                .execute(c)?
                    == 1;
            if pg {
                exec(c, "ALTER TABLE orders DISABLE TRIGGER stat_orders_change")?;
            }
            exec(
                c,
                &format!(
                    "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at) \
                     SELECT p.id, o.service_date, o.id, o.price_vnd, \
                       CASE WHEN (p.id + o.id) % 20 = 0 THEN 'no_show' ELSE 'served' END, 'staff', '{stamp}', '{stamp}' \
                     FROM persons p JOIN meal_options o ON o.position = (CASE WHEN p.id % 5 = 0 THEN 1 ELSE 0 END) \
                     WHERE o.service_date BETWEEN '{oldest}' AND '{last}'"
                ),
            )?;
            if pg {
                exec(c, "ALTER TABLE orders ENABLE TRIGGER stat_orders_change")?;
                exec(
                    c,
                    "INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n) \
                     SELECT o.service_date, COALESCE(p.unit_id, 0), o.option_id, 'order', o.status, COUNT(*) \
                     FROM orders o JOIN persons p ON p.id = o.person_id \
                     GROUP BY o.service_date, COALESCE(p.unit_id, 0), o.option_id, o.status",
                )?;
                exec(
                    c,
                    "INSERT INTO stat_eaters (month, person_id, unit_key, meals) \
                     SELECT to_char(o.service_date, 'YYYY-MM'), o.person_id, COALESCE(p.unit_id, 0), COUNT(*) \
                     FROM orders o JOIN persons p ON p.id = o.person_id WHERE o.status = 'served' \
                     GROUP BY to_char(o.service_date, 'YYYY-MM'), o.person_id, COALESCE(p.unit_id, 0)",
                )?;
            }
            // Waste logged every open day (4 % left over).
            exec(
                c,
                &format!(
                    "INSERT INTO waste_log (service_date, prepared, leftover, note, updated_at) \
                     SELECT service_date, {p}, {p} / 25, '', '{stamp}' FROM service_days WHERE is_open",
                    p = persons + persons / 50
                ),
            )?;
            let supplier = crate::suppliers::store::add_supplier(
                c,
                &actor,
                now,
                "Công ty Suất ăn thử tải",
                "0101010101",
                "",
            )?;
            crate::suppliers::store::add_contract(
                c,
                &actor,
                now,
                &crate::suppliers::store::NewContract {
                    supplier_id: supplier,
                    reference: "HĐ thử tải",
                    valid_from: oldest,
                    valid_to: None,
                    bills: crate::suppliers::store::BILLS_ORDERED,
                    prices: &[
                        (String::new(), Vnd(32_000)),
                        ("Suất chay".to_string(), Vnd(28_000)),
                    ],
                },
            )?;
            for (k, m) in starts.iter().enumerate() {
                let rec = {
                    let (lines, _) = crate::accounting::store::compute(c, *m)?;
                    crate::accounting::store::reconciliation(c, *m, &lines, &[])?
                };
                let number = (k + 1).to_string();
                crate::suppliers::store::add_invoice(
                    c,
                    &actor,
                    now,
                    &crate::suppliers::store::NewInvoice {
                        month: *m,
                        supplier_id: Some(supplier),
                        seller_tax_code: None,
                        template: "1",
                        series: "C26TTT",
                        number: &number,
                        issued_on: crate::subsidy::store::month_of(*m).1,
                        total: Vnd(rec.expected_total),
                        lines: Vec::new(),
                        original: None,
                    },
                )?;
                crate::accounting::store::write_note(
                    c,
                    &actor,
                    now,
                    *m,
                    "Chênh lệch giữa giá bán và giá hợp đồng (dữ liệu thử tải).",
                )?;
                if *m != first {
                    crate::accounting::store::close_month(c, &actor, now, *m)?;
                }
            }
            // Welfare for everyone (bench/welfare.sh): one grassroots union with every person a
            // member (one in ten paying in cash), salary bases, union dues of 0,5 % capped at
            // 10 % of the base salary, the three months before this one generated (one in
            // seven members owing all three), and a child for every other person.
            let union = crate::welfare::store::create_organisation(
                c,
                &actor,
                now,
                &crate::welfare::store::NewOrganisation {
                    kind: crate::welfare::rules::OrgKind::Union,
                    name: "Công đoàn cơ sở".into(),
                    parent_id: None,
                    started_on: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(first),
                },
            )?;
            crate::welfare::dues::add_rule(
                c,
                &actor,
                now,
                &crate::welfare::dues::NewRule {
                    org_kind: crate::welfare::rules::OrgKind::Union,
                    applies_to: "working".into(),
                    category: None,
                    valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(first),
                    valid_to: None,
                    basis: "salary".into(),
                    rate_bp: 50,
                    cap_bp_of_base: Some(1000),
                    fixed_vnd: 0,
                    reference: "Quy định đoàn phí".into(),
                },
            )?;
            exec(
                c,
                &format!(
                    "INSERT INTO salary_bases (person_id, effective_from, grade_coef_x100, allowance_coef_x100, note, recorded_at) \
                     SELECT id, '2024-01-01', 234 + (id % 400), 0, '', '{stamp}' FROM persons"
                ),
            )?;
            exec(
                c,
                &format!(
                    "INSERT INTO memberships (person_id, organisation_id, role, joined_on, card_number, collect_by, end_reason, created_at) \
                     SELECT id, {union}, 'member', '2021-01-01', '', \
                       CASE WHEN id % 10 = 3 THEN 'cash' ELSE 'payroll' END, '', '{stamp}' FROM persons"
                ),
            )?;
            for k in 0..14 {
                exec(
                    c,
                    &format!(
                        "INSERT INTO dependants (person_id, full_name, relationship, date_of_birth, note, created_at) \
                         SELECT id, 'Con của cán bộ ' || id, 'child', '{}-06-01', '', '{stamp}' \
                         FROM persons WHERE id % 2 = 0 AND id % 14 = {k}",
                        2012 + k
                    ),
                )?;
            }
            let mut month = first;
            for _ in 0..3 {
                month = (month - Duration::days(1)).with_day(1).unwrap_or(month);
                let m = crate::periods::month_key(month);
                exec(
                    c,
                    &format!(
                        "INSERT INTO dues (membership_id, month, amount_vnd, basis_vnd, created_at) \
                         SELECT id, '{m}', 30000, 6000000, '{stamp}' FROM memberships"
                    ),
                )?;
                exec(
                    c,
                    &format!(
                        "INSERT INTO dues_payments (dues_id, paid_on, method, receipt_no, amount_vnd, recorded_at) \
                         SELECT d.id, '{}', 'payroll', '', d.amount_vnd, '{stamp}' \
                         FROM dues d JOIN memberships m ON m.id = d.membership_id \
                         WHERE d.month = '{m}' AND m.person_id % 7 <> 0",
                        month + Duration::days(27)
                    ),
                )?;
            }
            users::create(
                c,
                &actor,
                now,
                users::NewUser {
                    username: "bench",
                    display_name: "Kế toán thử tải",
                    password_hash: &hash,
                    must_change_password: false,
                    roles: RoleSet::empty()
                        .with(Role::Accountant)
                        .with(Role::UnionOfficer)
                        .with(Role::Leader),
                    person_id: None,
                },
            )
            .map_err(|_| AppError::internal("bench user"))?;
            let orders: i64 = crate::db::schema::orders::table.count().get_result(c)?;
            Ok(format!(
                "{persons} persons, {days} days, {orders} meals in {} to {}; log in as \"bench\"",
                crate::periods::month_key(oldest),
                crate::periods::month_key(first)
            ))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(summary)
}
