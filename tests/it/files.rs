//! The SQLite file: backup, restore, the server's lock, a clean stop. These drive the real
//! `canteen` binary (SQLite only: PostgreSQL has pg_dump and pg_restore).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn canteen(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canteen"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("CANTEEN_LOG", "warn")
        .output()
        .expect("run canteen")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn add_user(db: &Path, name: &str) {
    ok(&canteen(
        db,
        &["create-user", "--username", name, "--role", "staff"],
    ));
}

fn users(db: &Path) -> Vec<String> {
    use diesel::prelude::*;
    let mut c = diesel::SqliteConnection::establish(&db.to_string_lossy()).expect("open");
    canteen::db::schema::users::table
        .select(canteen::db::schema::users::username)
        .order(canteen::db::schema::users::username)
        .load(&mut c)
        .expect("users")
}

fn serve(db: &Path) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_canteen"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "1",
        ])
        .env("DATABASE_URL", db)
        .env("CANTEEN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (child, port)
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn skip_on_postgres() -> bool {
    crate::support::pg_base().is_some()
}

#[test]
fn backup_then_changes_then_restore_gives_exactly_the_backup() {
    if skip_on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("canteen.db");
    add_user(&db, "an");
    add_user(&db, "binh");
    let (server, _) = serve(&db);
    let backup = dir.path().join("sao-luu.db");
    ok(&canteen(
        &db,
        &["backup", "--to", &backup.to_string_lossy()],
    ));
    add_user(&db, "cuong");
    // Restoring while the server runs is refused, and changes nothing.
    let refused = canteen(&db, &["restore", "--from", &backup.to_string_lossy()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop it first"));
    assert_eq!(users(&db), ["an", "binh", "cuong"]);
    stop(server);
    let out = ok(&canteen(
        &db,
        &["restore", "--from", &backup.to_string_lossy()],
    ));
    assert!(out.contains("kept as"), "{out}");
    assert_eq!(users(&db), ["an", "binh"], "exactly the backup's state");
    // The server starts on the restored file, and the replaced file was kept.
    let (server, port) = serve(&db);
    let r = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(r.is_ok(), "serves again");
    stop(server);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".replaced-"))
        .collect();
    assert!(!kept.is_empty(), "the replaced database is kept aside");
}

#[test]
fn a_clean_stop_leaves_the_database_file_complete_on_its_own() {
    if skip_on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("canteen.db");
    let (server, _) = serve(&db);
    add_user(&db, "an");
    stop(server);
    let wal = dir.path().join("canteen.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the write-ahead log was folded in at the stop");
    // A plain copy of the file alone holds everything.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).expect("copy");
    assert_eq!(users(&copy), ["an"]);
}

#[test]
fn a_second_server_on_the_same_file_is_refused() {
    if skip_on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("canteen.db");
    let (server, _) = serve(&db);
    let second = canteen(&db, &["serve", "--bind", "127.0.0.1:0"]);
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("another canteen server"));
    stop(server);
}

#[test]
fn a_failed_backup_leaves_no_file_and_a_damaged_database_is_refused_at_start() {
    if skip_on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("canteen.db");
    add_user(&db, "an");
    // The target folder does not exist: the backup fails and leaves nothing behind.
    let target = dir.path().join("missing").join("b.db");
    let out = canteen(&db, &["backup", "--to", &target.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(!target.exists());
    // A retry to a good place works (no "already exists" from a half file).
    let good = dir.path().join("b.db");
    ok(&canteen(&db, &["backup", "--to", &good.to_string_lossy()]));
    // Damage the database in the middle (after a clean stop, so that the file alone holds
    // every page); the server refuses to start and says what to do.
    let (server, _) = serve(&db);
    stop(server);
    let mut bytes = std::fs::read(&db).expect("read");
    let len = bytes.len();
    for b in bytes.iter_mut().skip(len / 2).take(len / 4) {
        *b = 0xAA;
    }
    std::fs::write(&db, &bytes).expect("write");
    let out = canteen(&db, &["serve", "--bind", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("damaged") && err.contains("restore"), "{err}");
}

#[test]
fn commands_refuse_a_missing_database_and_restore_refuses_a_file_that_is_not_ours() {
    if skip_on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("none.db");
    let out = canteen(&missing, &["verify-audit"]);
    assert!(!out.status.success());
    assert!(!missing.exists(), "no empty database is created");
    let out = canteen(
        &missing,
        &["backup", "--to", &dir.path().join("b.db").to_string_lossy()],
    );
    assert!(!out.status.success());
    assert!(!dir.path().join("b.db").exists());
    // An empty SQLite file is not a backup of ours.
    let empty = dir.path().join("empty.db");
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::SqliteConnection::establish(&empty.to_string_lossy()).expect("open");
        c.batch_execute("CREATE TABLE t (x INTEGER); DROP TABLE t;")
            .expect("sql");
    }
    let db = dir.path().join("canteen.db");
    add_user(&db, "an");
    let out = canteen(&db, &["restore", "--from", &empty.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a canteen database"));
    assert_eq!(users(&db), ["an"], "the database is untouched");
}
