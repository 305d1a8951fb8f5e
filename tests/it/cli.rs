use crate::support::TestApp;
use canteen::auth::roles::Role;

#[actix_web::test]
async fn the_audit_chain_verifies_and_a_raw_edit_of_one_row_is_named() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/units").await;
    for (code, name) in [("A", "Đơn vị A"), ("B", "Đơn vị B"), ("C", "Đơn vị C")] {
        admin
            .post(
                "/units",
                &[("code", code), ("name", name), ("parent_id", "")],
            )
            .await;
    }
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("chain intact"));

    // The table refuses edits...
    let mut c = app.state.db.read_conn().expect("conn");
    use diesel::connection::SimpleConnection;
    assert!(c
        .batch_execute(
            "UPDATE audit_log SET actor = 'ai do' WHERE action = 'unit.create' AND entity_id = '2'"
        )
        .is_err());
    drop(c);
    // ...so play a DBA who removes the guard first.
    let id: i32 = {
        use canteen::db::schema::audit_log::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("conn");
        audit_log
            .filter(action.eq("unit.create"))
            .filter(entity_id.eq("2"))
            .select(id)
            .first(&mut *c)
            .expect("row")
    };
    match app.state.db.backend() {
        canteen::db::Backend::Sqlite => app.sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after_json = '{\"code\":\"B\",\"name\":\"Đơn vị X\"}' WHERE action = 'unit.create' AND entity_id = '2'"),
        canteen::db::Backend::Postgres => app.sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; UPDATE audit_log SET after_json = '{\"code\":\"B\",\"name\":\"Đơn vị X\"}' WHERE action = 'unit.create' AND entity_id = '2'"),
    }
    let out = app.cli(&["verify-audit"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("row {id}")),
        "names the edited row {id}: {err}"
    );
}

#[actix_web::test]
async fn an_unknown_database_url_scheme_is_refused_and_creates_no_file() {
    let dir = tempfile::tempdir().expect("dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_canteen"))
        .current_dir(dir.path())
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://localhost/canteen")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scheme 'mysql:'"));
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        0,
        "no new file"
    );
}

#[actix_web::test]
async fn create_user_prints_a_one_time_password_that_must_be_changed() {
    let app = TestApp::spawn().await;
    let out = app.cli(&[
        "create-user",
        "--username",
        "Mai",
        "--role",
        "kitchen",
        "--role",
        "staff",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let pw = stdout
        .lines()
        .last()
        .expect("password line")
        .trim()
        .to_string();
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post("/login", &[("username", "mai"), ("password", &pw)])
        .await;
    assert_eq!(r.location(), "/password");
    let bad = app.cli(&["create-user", "--username", "mai", "--role", "chef"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role"));
    let taken = app.cli(&["create-user", "--username", "mai", "--role", "staff"]);
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already taken"));
    app.person("NV900", "Lê Thị Nga");
    let linked = app.cli(&[
        "create-user",
        "--username",
        "nga",
        "--role",
        "staff",
        "--person",
        "nv900",
    ]);
    assert!(
        linked.status.success(),
        "{}",
        String::from_utf8_lossy(&linked.stderr)
    );
    let nobody = app.cli(&[
        "create-user",
        "--username",
        "ai",
        "--role",
        "staff",
        "--person",
        "NV404",
    ]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no person"));
}

#[actix_web::test]
async fn import_staff_from_the_command_line_follows_the_web_rules() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("ds.csv");
    std::fs::write(
        &file,
        "code,name,category\nNV1,Nguyễn Văn An,công chức\nNV2,Trần Bình,kỹ sư\n",
    )
    .expect("write");
    let out = app.cli(&["import-staff", &file.to_string_lossy()]);
    assert!(
        !out.status.success(),
        "a bad row makes the exit code non-zero"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created 1"), "{stdout}");
    assert!(stdout.contains("dòng 3"), "{stdout}");
    assert_eq!(app.count("persons"), 1);
    let again = app.cli(&["import-staff", &file.to_string_lossy()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("created 0, updated 0, unchanged 1"));
}

#[actix_web::test]
async fn backup_writes_a_checked_copy_of_a_sqlite_database() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let to = dir.path().join("copy.db");
    let out = app.cli(&["backup", "--to", &to.to_string_lossy()]);
    match app.state.db.backend() {
        canteen::db::Backend::Sqlite => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(to.exists());
            let again = app.cli(&["backup", "--to", &to.to_string_lossy()]);
            assert!(!again.status.success(), "never overwrites");
        }
        canteen::db::Backend::Postgres => {
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        }
    }
}

#[actix_web::test]
async fn the_demo_has_todays_meals_waiting_at_the_counter_whatever_the_hour_it_starts_at() {
    let tue = crate::support::d(2026, 12, 1);
    let mut waiting = Vec::new();
    // Before the cut-off (publishing places them), after it, and after lunch.
    for hour in [7, 10, 13] {
        let app = TestApp::spawn().await;
        app.clock().set(crate::support::local(tue, hour, 0, 0));
        canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into()))
            .expect("demo")
            .expect("loaded");
        let mut bep = app.client();
        bep.login("bep", "com trua ngon").await;
        let counter = bep.get("/kitchen/counter").await;
        // "Chưa lấy" of each option: the meals still to collect today.
        let to_collect: i64 = counter
            .texts("table.tally tbody tr td:nth-child(4)")
            .iter()
            .map(|t| t.parse::<i64>().expect("a number"))
            .sum();
        assert!(to_collect > 100, "{hour}:00: {to_collect} meals to collect");
        assert_eq!(
            app.count("orders WHERE service_date = '2026-12-01' AND status = 'ordered'"),
            to_collect,
            "{hour}:00"
        );
        let r = bep.post("/kitchen/counter", &[("code", "NV001")]).await;
        assert!(
            r.location().contains("r=served"),
            "{hour}:00: {}",
            r.location()
        );
        waiting.push(to_collect);
    }
    assert!(
        waiting.iter().all(|n| *n == waiting[0]),
        "the same meals whatever the hour: {waiting:?}"
    );
}

#[actix_web::test]
async fn demo_data_loads_into_an_empty_database_only_and_can_be_clicked_through() {
    let app = TestApp::spawn().await;
    let report = canteen::demo::load(&app.state.db, app.clock(), Some("com trua ngon".into()))
        .expect("demo");
    assert!(report.expect("loaded").contains("nv001"));
    assert_eq!(app.count("persons"), 165);
    assert_eq!(app.count("users"), 49);
    assert!(
        app.count("orders WHERE status = 'served'") > 1000,
        "last month was served"
    );
    assert!(app.count("orders WHERE status = 'no_show'") > 0);
    assert!(app.count("guest_meals") > 0);
    assert!(app.count("standing_orders") > 100);
    // The demo's people and dependants pass the rules their forms apply (a child named
    // "Hà My 21" read like an age on the gift lists).
    let names = app
        .state
        .db
        .write_tx(|c| {
            use canteen::db::schema::{dependants, persons};
            use diesel::prelude::*;
            let mut n: Vec<String> = dependants::table.select(dependants::full_name).load(c)?;
            n.extend(
                persons::table
                    .select(persons::full_name)
                    .load::<String>(c)?,
            );
            Ok(n)
        })
        .expect("names");
    assert!(names.len() > 165);
    for n in &names {
        assert!(canteen::people::rules::name_ok(n, 100), "{n}");
    }
    let again =
        canteen::demo::load(&app.state.db, app.clock(), Some("x".into())).expect("second run");
    assert!(again.is_none(), "never into a database with data");
    assert_eq!(app.count("persons"), 165);

    let mut staff = app.client();
    staff.login("nv001", "com trua ngon").await;
    let week = staff.get("/week").await;
    assert!(week.body.contains("Suất chay") && week.body.contains("Suất thường"));
    let mut bep = app.client();
    bep.login("bep", "com trua ngon").await;
    let head = bep.get("/kitchen/headcount?date=26/11/2026").await;
    assert!(head
        .texts("#total")
        .first()
        .is_some_and(|t| t.parse::<i64>().unwrap_or(0) > 100));
    // Food-safety records of the last two weeks: a complete day, a day with a dish not
    // sampled, a delivery refused, a certificate running out, a closed incident; today's dishes
    // not yet checked before serving, so the counter says so.
    let mut chef = app.client();
    chef.login("bepruong", "com trua ngon").await;
    let fs = chef.get("/kitchen/food-safety?date=26/11/2026").await;
    assert!(
        fs.body.contains("Đủ hồ sơ kiểm thực ba bước"),
        "{}",
        fs.body
    );
    assert!(fs
        .body
        .contains("Giấy chứng nhận ATTP sắp hết hạn: HTX Rau an toàn Vân Nội"));
    let gap = chef.get("/kitchen/food-safety?date=25/11/2026").await;
    assert!(gap.body.contains("chưa lưu mẫu"));
    assert_eq!(app.count("food_delivery_items WHERE sensory_ok = false"), 1);
    assert_eq!(app.count("food_incidents WHERE closed_at IS NOT NULL"), 1);
    assert!(bep.get("/kitchen/counter").await.has(".banner-danger"));
    // Welfare: the union with its members and dues, the dissolved union's history, dependants
    // (children of two staff parents counted once), cases in each state.
    let mut cd = app.client();
    cd.login("congdoan", "com trua ngon").await;
    let orgs = cd.get("/welfare/organisations").await;
    assert!(orgs.body.contains("Đã giải thể ngày 15/06/2025"));
    assert_eq!(app.count("memberships WHERE ended_on = '2025-06-15'"), 10);
    assert_eq!(app.count("dependants WHERE same_as IS NOT NULL"), 3);
    for state in ["reported", "approved", "paid", "rejected"] {
        assert!(
            app.count(&format!("welfare_cases WHERE state = '{state}'")) > 0,
            "{state}"
        );
    }
    assert!(app.count("dues") > 100);
    assert!(cd
        .get("/welfare/arrears?org=1")
        .await
        .has("main table tbody tr"));
    assert_eq!(
        app.count("occasions WHERE state = 'frozen' AND voucher_id IS NOT NULL"),
        1
    );
    let milestones = cd.get("/welfare/milestones").await;
    assert_eq!(
        milestones.texts("main table tbody tr").len(),
        8,
        "70, 75, 80, 90 this year, twice over"
    );
    // About thirty retirees with their records, pensions and visits; one died.
    let retirees = cd.get("/welfare/retirees").await;
    assert_eq!(retirees.texts("main table tbody tr").len(), 29);
    assert_eq!(app.count("retirees"), 30);
    assert_eq!(app.count("persons WHERE status = 'deceased'"), 1);
    assert!(app.count("pensions") >= 60);
    assert!(app.count("retiree_visits") > 10);
    // Last month is closed with the caterer's e-invoice reconciled (two discrepancies,
    // explained), and ready to sign: preparer, chief accountant, and the deputy head signing
    // KT. while the head is on the business trip the demo records.
    assert_eq!(app.count("periods WHERE state = 'closed'"), 1);
    let mut kt = app.client();
    kt.login("ketoan", "com trua ngon").await;
    let month = app
        .state
        .db
        .write_tx(|c| {
            use diesel::prelude::*;
            Ok(canteen::db::schema::periods::table
                .select(canteen::db::schema::periods::month)
                .first::<String>(c)?)
        })
        .expect("closed month");
    let rec = kt
        .get(&format!("/accounting/reconciliation?m={month}"))
        .await;
    assert_eq!(rec.status, 200);
    assert_eq!(
        rec.texts("ul.mismatches li").len(),
        5,
        "{:?}",
        rec.texts("ul.mismatches li")
    );
    // The identity holds to the đồng on the demo month.
    let money: Vec<i64> = rec
        .texts("table.identity td")
        .iter()
        .map(|t| {
            let v: i64 = t
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            if t.contains('-') {
                -v
            } else {
                v
            }
        })
        .collect();
    assert_eq!(money.len(), 5, "{money:?}");
    assert_eq!(
        money[0],
        money[1] + money[2] + money[3] + money[4],
        "{money:?}"
    );
    assert!(money[4] != 0, "the demo month has a difference to explain");
    for (user, expect) in [("ketoan", 303), ("duyet", 303), ("phochanh", 303)] {
        let mut c = app.client();
        c.login(user, "com trua ngon").await;
        c.get(&format!("/accounting/month?m={month}")).await;
        let r = c
            .post(
                &format!("/accounting/month/sign?m={month}"),
                &[("password", "com trua ngon"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, expect, "{user}: {}", r.body);
    }
    assert_eq!(app.count("periods WHERE state = 'signed'"), 1);
    let report = kt.get(&format!("/accounting/month/report?m={month}")).await;
    assert!(report.body.contains("KT. THỦ TRƯỞNG ĐƠN VỊ"));
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn trimming_the_newest_audit_rows_is_caught_by_an_anchored_head() {
    let app = TestApp::spawn().await;
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    admin.get("/units").await;
    admin
        .post(
            "/units",
            &[("code", "A"), ("name", "Đơn vị A"), ("parent_id", "")],
        )
        .await;
    let out = app.cli(&["verify-audit"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let head_line = text
        .lines()
        .find(|l| l.starts_with("head: "))
        .unwrap_or_else(|| panic!("prints its head: {text}"));
    let head = head_line
        .split_whitespace()
        .nth(2)
        .expect("hash")
        .to_string();
    // More work: the anchored head is still on the chain.
    admin
        .post(
            "/units",
            &[("code", "B"), ("name", "Đơn vị B"), ("parent_id", "")],
        )
        .await;
    let out = app.cli(&["verify-audit", "--expect-head", &head]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A DBA removes the guard and deletes the newest rows, back past the anchor.
    let keep = {
        use canteen::db::schema::audit_log::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("conn");
        audit_log
            .filter(hash.eq(&head))
            .select(id)
            .first::<i32>(&mut *c)
            .expect("anchored row")
    };
    match app.state.db.backend() {
        canteen::db::Backend::Sqlite => app.sql(&format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= {keep}"
        )),
        canteen::db::Backend::Postgres => app.sql(&format!(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; DELETE FROM audit_log WHERE id >= {keep}"
        )),
    }
    let plain = app.cli(&["verify-audit"]);
    assert!(
        plain.status.success(),
        "a trimmed chain is still a valid prefix"
    );
    let out = app.cli(&["verify-audit", "--expect-head", &head]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("trimmed"));
}

/// One-shot commands exit cleanly every time. On PostgreSQL one run in four used to end in a
/// segmentation fault after its work was done: the connection pool was opening a spare
/// connection in the background (libpq's TLS set-up) while the process ran OpenSSL's exit
/// handlers.
#[actix_web::test]
async fn one_shot_commands_exit_cleanly_every_time() {
    let app = TestApp::spawn().await;
    for i in 0..12 {
        let name = format!("may{i:02}");
        let out = app.cli(&["create-user", "--username", &name, "--role", "staff"]);
        assert!(
            out.status.success(),
            "run {i}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
