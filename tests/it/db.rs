use crate::support::TestApp;
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
    assert_eq!(failed.len(), 2, "{failed:?}");
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
    let mut declared: Vec<(String, Vec<(String, String, bool)>)> = Vec::new();
    let mut current: Option<(String, Vec<(String, String, bool)>)> = None;
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
