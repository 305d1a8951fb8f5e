//! The SQLite file as a file: the server's lock on it, the start-up check, the checkpoint at
//! a clean stop, and backup / restore. (PostgreSQL has pg_dump / pg_restore for these.)

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use std::path::{Path, PathBuf};

/// Held by a serving process for as long as it runs (an OS file lock on `<db>.lock`, released
/// by the OS even if the process is killed): a second server, or a restore, is refused.
pub struct ServerLock(#[allow(dead_code)] std::fs::File);

fn lock_path(db: &str) -> PathBuf {
    PathBuf::from(format!("{db}.lock"))
}

pub fn lock_for_server(db: &str) -> anyhow::Result<ServerLock> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(db))
        .with_context(|| format!("cannot create the lock file {db}.lock"))?;
    match f.try_lock() {
        Ok(()) => Ok(ServerLock(f)),
        Err(_) => bail!("another canteen server is using {db}; stop it first"),
    }
}

/// True when a server holds the database.
pub fn in_use(db: &str) -> bool {
    match std::fs::OpenOptions::new().write(true).open(lock_path(db)) {
        Ok(f) => f.try_lock().is_err(),
        Err(_) => false,
    }
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = diesel::sql_types::Text)]
    result: String,
}

fn check(c: &mut SqliteConnection, pragma: &str) -> anyhow::Result<()> {
    let rows: Vec<Check> =
        diesel::sql_query(format!("SELECT {pragma} AS result FROM pragma_{pragma}")).load(c)?;
    let ok = rows.len() == 1 && rows[0].result == "ok";
    anyhow::ensure!(
        ok,
        "{pragma} failed: {:?}",
        rows.iter().take(5).map(|r| &r.result).collect::<Vec<_>>()
    );
    Ok(())
}

/// True when the file is a canteen database (it has the migrations table and the audit log).
fn is_canteen_db(path: &Path) -> anyhow::Result<bool> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let flags = diesel::sqlite::SqliteConnection::establish(&format!(
        "file:{}?mode=ro",
        path.to_string_lossy()
    ));
    let mut c = match flags {
        Ok(c) => c,
        Err(_) => SqliteConnection::establish(&path.to_string_lossy())?,
    };
    let n: N = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('__diesel_schema_migrations', 'audit_log', 'persons')",
    )
    .get_result(&mut c)?;
    Ok(n.n == 3)
}

/// Refuses to work on a database file that does not exist (instead of creating an empty one).
pub fn require_existing(db: &str) -> anyhow::Result<()> {
    let p = Path::new(db);
    if !p.exists() || p.metadata().map(|m| m.len() == 0).unwrap_or(true) {
        bail!("database file {db} does not exist (set DATABASE_URL or --database-url)");
    }
    Ok(())
}

/// Refuses a malformed database before anything is served from it (a missing or empty file
/// is a new database and passes).
pub fn quick_check(db: &str) -> anyhow::Result<()> {
    let p = Path::new(db);
    if db == ":memory:" || !p.exists() || p.metadata().map(|m| m.len() == 0).unwrap_or(true) {
        return Ok(());
    }
    let mut c = SqliteConnection::establish(db)?;
    check(&mut c, "quick_check").with_context(|| {
        format!(
            "the database {db} is damaged; restore the last backup with `canteen restore --from FILE` (see README)"
        )
    })
}

/// Folds the write-ahead log into the database file and empties it (a clean stop: a file
/// copied afterwards is complete on its own).
pub fn checkpoint(db: &str) -> anyhow::Result<()> {
    let mut c = SqliteConnection::establish(db)?;
    c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}

/// A consistent online copy (`VACUUM INTO`), written under a temporary name next to the
/// target, checked with `integrity_check`, made durable, and only then renamed into place —
/// a failed or killed backup never leaves a half file at the target.
pub fn backup(db: &str, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists; choose a new file", to.display());
    }
    require_existing(db)?;
    if !is_canteen_db(Path::new(db))? {
        bail!("{db} is not a canteen database (no schema); nothing to back up");
    }
    let tmp = temp_beside(to);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut src = SqliteConnection::establish(db)?;
        src.batch_execute("PRAGMA busy_timeout = 10000;")?;
        let target = tmp.to_string_lossy().replace('\'', "''");
        src.batch_execute(&format!("VACUUM INTO '{target}'"))?;
        drop(src);
        let mut copy = SqliteConnection::establish(&tmp.to_string_lossy())?;
        check(&mut copy, "integrity_check").context("the copy failed its integrity check")?;
        drop(copy);
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, to)?;
        sync_dir(to);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the database with a backup. Refused while a server holds the database. The backup
/// is copied under a temporary name and checked; the current database (with its write-ahead
/// log) is kept aside as `<db>.replaced-<stamp>`; stale `-wal`/`-shm` files are moved away so
/// SQLite cannot replay them over the restored file; then the copy is renamed into place.
/// Returns where the replaced database was kept.
pub fn restore(db: &str, from: &Path, stamp: &str) -> anyhow::Result<Option<PathBuf>> {
    if in_use(db) {
        bail!("a canteen server is using {db}; stop it first, then restore");
    }
    if !from.exists() {
        bail!("{} does not exist", from.display());
    }
    let target = PathBuf::from(db);
    let tmp = temp_beside(&target);
    let _ = std::fs::remove_file(&tmp);
    std::fs::copy(from, &tmp).with_context(|| format!("cannot copy {}", from.display()))?;
    let checked = (|| {
        let mut c = SqliteConnection::establish(&tmp.to_string_lossy())?;
        check(&mut c, "integrity_check")?;
        drop(c);
        anyhow::ensure!(
            is_canteen_db(&tmp)?,
            "it is not a canteen database (no schema, or not one of ours)"
        );
        Ok(())
    })();
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).context(format!("{} is not a sound database", from.display()));
    }
    let _lock = lock_for_server(db)?;
    let mut kept = None;
    if target.exists() {
        let aside = PathBuf::from(format!("{db}.replaced-{stamp}"));
        // Fold the current log in first if the file allows it, so that what is kept aside is
        // whole; a damaged file is kept as it is, log and all.
        let _ = checkpoint(db);
        std::fs::rename(&target, &aside)?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{db}{suffix}"));
            if side.exists() {
                std::fs::rename(&side, format!("{}{suffix}", aside.display()))?;
            }
        }
        kept = Some(aside);
    }
    std::fs::rename(&tmp, &target)?;
    sync_dir(&target);
    Ok(kept)
}

fn temp_beside(p: &Path) -> PathBuf {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "canteen.db".into());
    p.with_file_name(format!(".{name}.partial"))
}

fn sync_dir(p: &Path) {
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
