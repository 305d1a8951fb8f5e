use crate::support::{d, TestApp};
use canteen::audit::Actor;
use canteen::error::AppError;
use futures_util::future::join_all;

/// Many concurrent writes (group-committed on SQLite): a failing one loses only its own work.
#[actix_web::test]
async fn a_failing_write_among_many_concurrent_ones_rolls_back_alone() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let writes = (0..40).map(|i| {
        let db = app.state.db.clone();
        async move {
            db.write(move |c| {
                let code = if i == 17 {
                    "U0".to_string()
                } else {
                    format!("U{i}")
                };
                canteen::people::store::create_unit(
                    c,
                    &Actor::system("test"),
                    now,
                    &code,
                    &format!("Đơn vị {i}"),
                    None,
                )?;
                if i == 23 {
                    return Err(AppError::internal("changed my mind"));
                }
                Ok(i)
            })
            .await
        }
    });
    let results = join_all(writes).await;
    let failed: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    // 17 collides with 0 (or 0 with 17, whichever ran second); 23 gave up after writing.
    let errs: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| format!("{e:?}")))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?} {errs:?}");
    assert!(failed.contains(&23));
    assert_eq!(app.count("units"), 38);
    assert_eq!(
        app.count("units WHERE name = 'Đơn vị 23'"),
        0,
        "nothing of the failed write stayed"
    );
    assert_eq!(app.count("audit_log"), 38, "its audit record went with it");
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `src/db/schema.rs` (what the code believes) equals the migrated database (what is there),
/// table by table and column by column, with types and nullability, on the backend under test.
#[actix_web::test]
async fn the_schema_the_code_uses_matches_the_migrated_database() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs"))
        .expect("schema.rs");
    /// A table and its columns: (name, diesel type, nullable).
    type Table = (String, Vec<(String, String, bool)>);
    let mut declared: Vec<Table> = Vec::new();
    let mut current: Option<Table> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            current = Some((name.trim().to_string(), Vec::new()));
        } else if line == "}" {
            if let Some(t) = current.take() {
                declared.push(t);
            }
        } else if let (Some(t), Some((col, ty))) = (current.as_mut(), line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            t.1.push((col.trim().to_string(), ty.to_string(), nullable));
        }
    }
    assert!(declared.len() >= 18, "parsed the schema: {declared:?}");

    #[derive(QueryableByName, Debug)]
    struct Col {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        ty: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        nullable: bool,
    }
    let pg = crate::support::pg_base().is_some();
    let mut conn = app.state.db.read_conn().expect("conn");
    let mut problems = Vec::new();
    for (table, cols) in &declared {
        let sql = if pg {
            format!(
                "SELECT column_name::text AS name, data_type::text AS ty, (is_nullable = 'YES') AS nullable
                 FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()"
            )
        } else {
            format!("SELECT name, type AS ty, (\"notnull\" = 0 AND pk = 0) AS nullable FROM pragma_table_info('{table}')")
        };
        let actual: Vec<Col> = diesel::sql_query(sql).load(&mut *conn).expect("columns");
        if actual.is_empty() {
            problems.push(format!("table {table} is not in the database"));
            continue;
        }
        for (name, ty, nullable) in cols {
            let want: &[&str] = match (ty.as_str(), pg) {
                ("Integer", false) => &["INTEGER"],
                ("Integer", true) => &["integer"],
                ("BigInt", false) => &["BIGINT"],
                ("BigInt", true) => &["bigint"],
                ("Text", false) => &["TEXT"],
                ("Text", true) => &["text"],
                ("Bool", false) => &["BOOLEAN"],
                ("Bool", true) => &["boolean"],
                ("Date", false) => &["DATE"],
                ("Date", true) => &["date"],
                ("Timestamp", false) => &["TIMESTAMP"],
                ("Timestamp", true) => &["timestamp without time zone"],
                ("Binary", false) => &["BLOB"],
                ("Binary", true) => &["bytea"],
                _ => &[],
            };
            match actual.iter().find(|c| &c.name == name) {
                None => problems.push(format!("{table}.{name} is not in the database")),
                Some(c) => {
                    if !want.contains(&c.ty.as_str()) {
                        problems.push(format!(
                            "{table}.{name}: code says {ty}, database has {}",
                            c.ty
                        ));
                    }
                    // A primary key on SQLite may be declared nullable; only flag real drift.
                    if c.nullable != *nullable {
                        problems.push(format!(
                            "{table}.{name}: code says nullable={nullable}, database says {}",
                            c.nullable
                        ));
                    }
                }
            }
        }
        for c in &actual {
            if !cols.iter().any(|(n, ..)| n == &c.name) {
                problems.push(format!(
                    "{table}.{} is in the database but not in schema.rs",
                    c.name
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "schema drift:\n{}",
        problems.join("\n")
    );
}

/// Every migration exists for both databases, under the same name.
#[test]
fn every_migration_exists_for_both_databases() {
    let list = |b: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{b}", env!("CARGO_MANIFEST_DIR")))
                .expect("migrations folder")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect();
        v.sort();
        v
    };
    assert_eq!(list("sqlite"), list("postgres"));
}

/// The integrity migration on a database that already holds meals of every kind: walk-ins move
/// to their own table (a rated one stays where its rating points), closed-day cancellations
/// keep their cause, nothing is lost and every foreign key still holds.
#[test]
fn the_integrity_migration_keeps_every_meal_of_a_populated_database() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel_migrations::MigrationHarness;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("open");
    c.batch_execute("PRAGMA foreign_keys = ON").expect("fk");
    for _ in 0..2 {
        c.run_next_migration(canteen::db::SQLITE_MIGRATIONS)
            .expect("an earlier migration");
    }
    c.batch_execute(
        "INSERT INTO persons (id, employee_code, full_name, search_name, category, status, created_at, updated_at)
           VALUES (1, 'A', 'An', 'an', 'cong_chuc', 'working', '2026-11-01 00:00:00', '2026-11-01 00:00:00'),
                  (2, 'B', 'Bình', 'binh', 'cong_chuc', 'working', '2026-11-01 00:00:00', '2026-11-01 00:00:00');
         INSERT INTO meal_options (id, service_date, name, price_vnd) VALUES (1, '2026-11-20', 'Suất thường', 35000);
         INSERT INTO orders (id, person_id, service_date, option_id, price_vnd, status, source, note, created_at, updated_at, served_at)
           VALUES (1, 1, '2026-11-20', 1, 35000, 'served', 'walk_in', NULL, '2026-11-20 04:30:00', '2026-11-20 04:30:00', '2026-11-20 04:30:00'),
                  (2, 2, '2026-11-20', 1, 35000, 'served', 'walk_in', NULL, '2026-11-20 04:31:00', '2026-11-20 04:31:00', '2026-11-20 04:31:00'),
                  (3, 1, '2026-11-21', 1, 35000, 'cancelled', 'standing', 'day_closed', '2026-11-19 00:00:00', '2026-11-19 00:00:00', NULL),
                  (4, 2, '2026-11-21', 1, 35000, 'cancelled', 'staff', NULL, '2026-11-19 00:00:00', '2026-11-19 00:00:00', NULL),
                  (5, 2, '2026-11-19', 1, 35000, 'no_show', 'standing', NULL, '2026-11-18 00:00:00', '2026-11-19 07:00:00', NULL);
         INSERT INTO ratings (order_id, score, comment, created_at) VALUES (2, 5, 'Ngon', '2026-11-20 06:00:00');",
    )
    .expect("old rows");
    c.run_pending_migrations(canteen::db::SQLITE_MIGRATIONS)
        .expect("the integrity migration");
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        source: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        cancel_cause: Option<String>,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT id, status, source, cancel_cause FROM orders ORDER BY id")
            .load(&mut c)
            .expect("orders");
    let got: Vec<(i32, &str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.id,
                r.status.as_str(),
                r.source.as_str(),
                r.cancel_cause.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "served", "kitchen", None),
            (3, "cancelled", "standing", Some("day_closed")),
            (4, "cancelled", "staff", Some("self")),
            (5, "no_show", "standing", None),
        ]
    );
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let walk_ins: N = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM walk_ins WHERE person_id = 1 AND status = 'served' AND price_vnd = 35000",
    )
    .get_result(&mut c)
    .expect("walk-ins");
    assert_eq!(walk_ins.n, 1);
    let fk: Vec<N> = diesel::sql_query("SELECT 1 AS n FROM pragma_foreign_key_check")
        .load(&mut c)
        .expect("fk check");
    assert!(fk.is_empty(), "every foreign key holds");
    // The states are checked from now on.
    assert!(c
        .batch_execute("UPDATE orders SET status = 'eaten' WHERE id = 5")
        .is_err());
    // The meal summary built from those meals survived its later rebuild (its kind check
    // rewritten), and still refuses a kind it does not know.
    let summary: Vec<N> = diesel::sql_query(
        "SELECT CAST(SUM(n) AS BIGINT) AS n FROM stat_meals GROUP BY kind ORDER BY kind",
    )
    .load(&mut c)
    .expect("summary");
    assert_eq!(
        summary.iter().map(|r| r.n).collect::<Vec<_>>(),
        vec![4, 1],
        "order, walk_in"
    );
    assert!(c
        .batch_execute("INSERT INTO stat_meals VALUES ('2026-11-20', 0, 1, 'other', 'served', 1)")
        .is_err());
}

/// On PostgreSQL run as the README's deployment (CI does: TEST_PG_APP_USER), the server's own
/// login cannot rewrite history even by removing the guards: it does not own those tables.
#[actix_web::test]
async fn the_servers_database_role_cannot_rewrite_or_unguard_the_append_only_tables() {
    use diesel::connection::SimpleConnection;
    if crate::support::pg_base().is_none() || std::env::var("TEST_PG_APP_USER").is_err() {
        return;
    }
    let app = TestApp::spawn().await;
    let mut c = app.state.db.read_conn().expect("conn as the app role");
    for sql in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE order_events DISABLE TRIGGER order_events_no_update",
        "DELETE FROM order_events",
        "DROP TABLE persons",
    ] {
        assert!(c.batch_execute(sql).is_err(), "the app role could: {sql}");
    }
    // It can still do its work.
    assert!(c.batch_execute("SELECT count(*) FROM audit_log").is_ok());
}

/// A read may run twice (on PostgreSQL, after a connection the server closed): it must change
/// nothing. On SQLite the read connections refuse writes, so a write slipped into a read fails
/// in the tests at once instead of being applied twice one day in production.
#[actix_web::test]
async fn a_write_slipped_into_a_read_is_refused_on_sqlite_and_changes_nothing() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Sqlite {
        return;
    }
    let now = app.state.clock.now_naive();
    for short in [false, true] {
        let write = move |c: &mut canteen::db::DbConn| {
            canteen::people::store::create_unit(
                c,
                &Actor::system("test"),
                now,
                "R1",
                "Đơn vị đọc",
                None,
            )
        };
        let r = if short {
            app.state.db.read_short(write).await
        } else {
            app.state.db.read(write).await
        };
        assert!(r.is_err(), "the read connection wrote (short: {short})");
    }
    assert_eq!(app.count("units WHERE code = 'R1'"), 0);
    assert!(app
        .state
        .db
        .read(canteen::people::store::all_units)
        .await
        .is_ok());
}

/// PostgreSQL runs a prepared statement with a generic plan (its parameters unknown), which
/// guesses any date range to be a sliver of the table. A person's meals of the grid's days
/// (My week, a submission, the kitchen's on-behalf week) must still be found through the
/// person's index: through the by-day index (`orders_date`, which can answer without the
/// table) every meal of everyone in the range is read to keep one person's (#10: half of a
/// My week page's database time). Checked with the table vacuumed, when that index looks
/// cheapest.
#[actix_web::test]
async fn a_persons_days_are_read_through_the_persons_index_whatever_the_plan_guesses() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    let days: Vec<_> = (0..40)
        .map(|i| crate::support::d(2026, 12, 1) + chrono::Duration::days(i))
        .collect();
    app.options(&days, &[crate::support::REGULAR]);
    for i in 0..100 {
        app.person(&format!("P{i:02}"), &format!("Người {i}"));
    }
    // Committed durably (the test cluster commits asynchronously), so that VACUUM can mark
    // the rows visible to all and the by-day index can answer without the table.
    app.sql(
        "SET synchronous_commit = on; INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, \
         created_at, updated_at) SELECT p.id, o.service_date, o.id, o.price_vnd, 'ordered', \
         'staff', '2026-11-30 08:00:00', '2026-11-30 08:00:00' FROM persons p, meal_options o",
    );
    app.sql("VACUUM ANALYZE orders");
    assert_eq!(app.count("orders"), 4000);
    // The orders part of `ordering::person_week`, and the submission's read of the week.
    for (name, columns) in [
        ("grid", "service_date, option_id, price_vnd, status"),
        ("rows", "*"),
    ] {
        let plan = generic_plan(
            &app,
            &format!(
                "PREPARE {name}(int, date, date) AS SELECT {columns} FROM orders \
                 WHERE person_id = $1 AND service_date BETWEEN $2 AND $3"
            ),
            &format!("{name}(1, '2026-12-01', '2027-01-29')"),
        );
        assert!(
            plan.lines().next().is_some_and(|l| l.contains("Index"))
                && !plan.contains("orders_date"),
            "{name}: {plan}"
        );
    }
}

/// The plan PostgreSQL makes for a statement prepared (`prepare`, a `PREPARE …`) on one of
/// the app's connections, when it plans for any parameters (a generic plan), as `EXPLAIN`
/// prints it, for the arguments `execute` (`name(args)`).
fn generic_plan(app: &TestApp, prepare: &str, execute: &str) -> String {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let (backend, target) = canteen::db::parse_url(&app.database_url).expect("url");
    let mut c = canteen::db::open(backend, &target).expect("connection");
    c.batch_execute(&format!(
        "SET plan_cache_mode = force_generic_plan; {prepare}"
    ))
    .expect("prepare");
    let plan: Vec<Line> = diesel::sql_query(format!("EXPLAIN EXECUTE {execute}"))
        .load(&mut c)
        .expect("explain");
    plan.into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The app's PostgreSQL connections plan for a database held in memory (`random_page_cost`
/// 1.1, `db::open`): with the default (4, a spinning disk) a table of a few pages (an office's
/// sessions, users, persons) is read whole to find one row by its key — the session check
/// and My week's read of the person scanned ~100 rows each on every page (#10: a fifth of
/// PostgreSQL's time per My week page).
#[actix_web::test]
async fn a_session_and_a_person_are_found_through_their_keys_even_in_small_tables() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    for i in 0..150 {
        app.person(&format!("P{i:03}"), &format!("Người {i}"));
    }
    app.user("nv_keys", &[canteen::auth::roles::Role::Staff]);
    app.sql(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) \
         SELECT md5(g::text) || md5(g::text), u.id, 'csrf', '2026-11-30 08:00:00', \
         '2026-11-30 08:00:00' FROM generate_series(1, 150) g, (SELECT max(id) AS id FROM users) u",
    );
    app.sql("ANALYZE sessions; ANALYZE users; ANALYZE persons; ANALYZE user_roles");
    for (name, prepare, execute, table) in [
        (
            "session",
            "PREPARE session(text) AS SELECT sessions.id, users.username, user_roles.role \
             FROM sessions INNER JOIN (users LEFT OUTER JOIN user_roles \
             ON user_roles.user_id = users.id) ON sessions.user_id = users.id \
             WHERE sessions.token_hash = $1",
            "session('abc')",
            "sessions",
        ),
        (
            "person",
            "PREPARE person(int) AS SELECT status_date, status, allergens FROM persons WHERE id = $1",
            "person(7)",
            "persons",
        ),
    ] {
        let plan = generic_plan(&app, prepare, execute);
        assert!(
            !plan.contains(&format!("Seq Scan on {table}")),
            "{name}:\n{plan}"
        );
    }
}

/// A writer that changes one person's meals takes its days (shared, the lock order's first
/// step) and then the person in one statement (#10: one round trip instead of two, and a
/// statement kept prepared): afterwards the transaction holds exactly those locks; without
/// days, the person alone.
#[actix_web::test]
async fn a_persons_writer_holds_its_days_shared_and_the_person_alone_after_one_lock_statement() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        space: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        key: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        mode: String,
    }
    let held = |days: Option<(chrono::NaiveDate, chrono::NaiveDate)>| -> Vec<(i64, i64, String)> {
        let (backend, target) = canteen::db::parse_url(&app.database_url).expect("url");
        let mut c = canteen::db::open(backend, &target).expect("connection");
        c.transaction::<_, AppError, _>(|c| {
            canteen::canteen::store::lock_person_days(c, days, 42)?;
            let rows: Vec<Held> = diesel::sql_query(
                "SELECT classid::bigint AS space, objid::bigint AS key, mode FROM pg_locks \
                 WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY 1, 2",
            )
            .load(c)?;
            Ok(rows.into_iter().map(|h| (h.space, h.key, h.mode)).collect())
        })
        .expect("locks")
    };
    let day = |d: chrono::NaiveDate| (d - chrono::NaiveDate::default()).num_days();
    let (mon, wed) = (d(2026, 11, 30), d(2026, 12, 2));
    let person = (1, 42, "ExclusiveLock".to_string());
    let shared = |d| (3, day(d), "ShareLock".to_string());
    assert_eq!(
        held(Some((mon, wed))),
        vec![
            person.clone(),
            shared(mon),
            shared(d(2026, 12, 1)),
            shared(wed)
        ]
    );
    assert_eq!(held(None), vec![person]);
}

/// SQLite builds a temporary b-tree every time it checks `x IN (a, b, c)` (a list of more than
/// two values) in a CHECK constraint. Every write of a meal, guests or a walk-in runs its
/// triggers, which write the history and the summaries: none of those writes may check such a
/// list (#10: the meal summary's `kind` check built one for every meal a submission changed,
/// a tenth of the submission's instructions). Read from the programs SQLite compiles for them
/// (the triggers' programs included).
#[actix_web::test]
async fn the_meal_writes_and_their_triggers_build_no_temporary_btree_on_sqlite() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Sqlite {
        return;
    }
    #[derive(QueryableByName)]
    struct Op {
        #[diesel(sql_type = diesel::sql_types::Text)]
        opcode: String,
    }
    let t = "'2026-12-01 08:00:00'";
    let writes = [
        format!(
            "INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, \
             created_at, updated_at) VALUES (1, '2026-12-01', 1, 35000, 'ordered', 'staff', {t}, {t})"
        ),
        format!(
            "UPDATE orders SET option_id = 2, status = 'cancelled', cancel_cause = 'self', \
             updated_at = {t} WHERE id = 1"
        ),
        "UPDATE orders SET status = 'served' WHERE id = 1".to_string(),
        "DELETE FROM orders WHERE id = 1".to_string(),
        format!(
            "INSERT INTO guest_meals (person_id, service_date, option_id, guests, price_vnd, \
             status, created_at, updated_at) VALUES (1, '2026-12-01', 1, 2, 35000, 'ordered', {t}, {t})"
        ),
        "UPDATE guest_meals SET guests = 3, option_id = 2, status = 'served' WHERE id = 1".to_string(),
        format!(
            "INSERT INTO walk_ins (person_id, service_date, option_id, price_vnd, status, \
             served_at) VALUES (1, '2026-12-01', 1, 35000, 'served', {t})"
        ),
        format!("UPDATE walk_ins SET status = 'void', voided_at = {t} WHERE id = 1"),
        format!(
            "INSERT INTO order_events (kind, row_id, person_id, service_date, at, source, \
             from_status, to_status) VALUES ('meal', 1, 1, '2026-12-01', {t}, 'staff', NULL, 'ordered')"
        ),
        "UPDATE persons SET unit_id = 2 WHERE id = 1".to_string(),
    ];
    let mut c = app.state.db.read_conn().expect("conn");
    for sql in writes {
        let ops: Vec<Op> = diesel::sql_query(format!("EXPLAIN {sql}"))
            .load(&mut *c)
            .expect("explain");
        assert!(!ops.is_empty(), "{sql}: no program");
        assert!(
            !ops.iter().any(|o| o.opcode == "OpenEphemeral"),
            "{sql}: builds a temporary b-tree"
        );
    }
}
