//! Database access for both backends through one `DbConn` (diesel `MultiConnection`).
//!
//! SQLite: a read pool plus a pool of exactly one writer connection; every write runs in
//! `BEGIN IMMEDIATE`. PostgreSQL: one pool, ordinary transactions.

pub mod fast;
pub mod schema;
pub mod sqlite_file;
pub mod writer;

use crate::error::AppError;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::{ConnectionError, ConnectionResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

/// Runs a query on the backend's own connection instead of through `DbConn`. For the few
/// queries every page runs (the session, My week): through `MultiConnection` each query's SQL
/// is written out anew, and its rows converted, on every run; on the backend's connection a
/// query of fixed shape finds its prepared statement by type, with no SQL built at all.
/// `on_backend!(conn, |c| query.load(c))` — the body is compiled once per backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    #[cfg(feature = "postgres")]
    Pg(diesel::PgConnection),
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("DATABASE_URL has an unknown scheme '{0}:' (use a file path, sqlite://PATH or postgres://...)")]
    UnknownScheme(String),
    #[error("this build has no PostgreSQL support; rebuild with --features postgres")]
    PostgresNotBuilt,
    #[error("DATABASE_URL is empty")]
    Empty,
}

/// Picks the backend from the URL. A path or `sqlite://PATH` is SQLite, `postgres://` or
/// `postgresql://` is PostgreSQL, anything else with a scheme is refused (never a new file).
pub fn parse_url(url: &str) -> Result<(Backend, String), UrlError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(UrlError::Empty);
    }
    if let Some(rest) = url.strip_prefix("sqlite://") {
        return Ok((Backend::Sqlite, rest.to_string()));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return if cfg!(feature = "postgres") {
            // Fail fast when the server is down or unreachable (libpq waits forever by default).
            let url = if url.contains("connect_timeout=") {
                url.to_string()
            } else {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}connect_timeout=3")
            };
            Ok((Backend::Postgres, url))
        } else {
            Err(UrlError::PostgresNotBuilt)
        };
    }
    if let Some(idx) = url.find(':') {
        let scheme = &url[..idx];
        let looks_like_scheme = scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if looks_like_scheme {
            return Err(UrlError::UnknownScheme(scheme.to_string()));
        }
    }
    Ok((Backend::Sqlite, url.to_string()))
}

/// `UPDATE table SET … WHERE id = ?` whose prepared statement is kept and reused. diesel never
/// reuses the statement of its own UPDATE (a changeset may skip `None` fields), so every one is
/// parsed and planned again, which was a tenth of a week submission's time. This one is keyed
/// in diesel's statement cache by its SQL text, which depends only on the columns set, so reuse
/// is always right: `update_by_id(orders::table, id, (orders::status.eq(s), …)).execute(conn)`.
pub fn update_by_id<T, V>(table: T, id: i32, values: V) -> UpdateById<T, V::Changeset>
where
    T: Table,
    V: AsChangeset<Target = T>,
{
    UpdateById {
        from: diesel::QuerySource::from_clause(&table),
        table: std::marker::PhantomData,
        id,
        changes: values.as_changeset(),
    }
}

pub struct UpdateById<T: Table, C> {
    table: std::marker::PhantomData<T>,
    from: T::FromClause,
    id: i32,
    changes: C,
}

impl<T: Table, C> diesel::query_builder::QueryId for UpdateById<T, C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<T, C, DB> diesel::query_builder::QueryFragment<DB> for UpdateById<T, C>
where
    DB: diesel::backend::Backend,
    T: Table,
    T::PrimaryKey: Column,
    T::FromClause: diesel::query_builder::QueryFragment<DB>,
    C: diesel::query_builder::QueryFragment<DB>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::Integer>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.changes.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        out.push_identifier(<T::PrimaryKey as Column>::NAME)?;
        out.push_sql(" = ");
        out.push_bind_param::<diesel::sql_types::Integer, i32>(&self.id)
    }
}

impl<T: Table, C, Conn> RunQueryDsl<Conn> for UpdateById<T, C> {}

/// SQLite settings every connection gets. `temp_store = MEMORY` keeps statement and savepoint
/// journals (every write job runs in a savepoint inside the writer's batch) off the disk: they
/// only matter until the statement or job ends, and writing them to a temporary file cost about
/// a third of a week submission's time.
fn sqlite_pragmas(c: &mut diesel::SqliteConnection) -> QueryResult<()> {
    c.batch_execute(
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; \
         PRAGMA temp_store = MEMORY;",
    )
}

/// PostgreSQL settings every connection gets. The planner's default price of reading a page
/// out of order (`random_page_cost = 4`) is a spinning disk's; an office's database is held
/// in memory (or on SSD), and at 4 a table of a few pages (sessions, users, persons) is read
/// whole to find one row by its key: the session check and My week's read of the person
/// did so on every page (a fifth of PostgreSQL's time per page). 1.1 is the usual value for
/// SSD and memory.
#[cfg(feature = "postgres")]
fn pg_settings(c: &mut diesel::PgConnection) -> QueryResult<()> {
    c.batch_execute("SET random_page_cost = 1.1")
}

/// Opens exactly the backend the URL named (diesel's `MultiConnection::establish` would try
/// SQLite first with any URL, which could create a stray file).
pub fn open(backend: Backend, target: &str) -> ConnectionResult<DbConn> {
    match backend {
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(target)?;
            sqlite_pragmas(&mut c).map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Sqlite(c))
        }
        #[cfg(feature = "postgres")]
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(target)?;
            pg_settings(&mut c).map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Pg(c))
        }
        #[cfg(not(feature = "postgres"))]
        Backend::Postgres => Err(ConnectionError::BadConnection(
            UrlError::PostgresNotBuilt.to_string(),
        )),
    }
}

/// r2d2 manager that opens connections with `open`.
pub struct Manager {
    backend: Backend,
    target: String,
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    /// On SQLite the pool is for reads only (writes go through the writer's own connection),
    /// and its connections refuse to write (`query_only`). On PostgreSQL a read runs again
    /// after a lost connection (`Db::read_now`), which is only safe if it changes nothing: the
    /// same read code runs on SQLite, where a write slipped into it fails at once (tests).
    fn connect(&self) -> Result<DbConn, Self::Error> {
        let mut conn =
            open(self.backend, &self.target).map_err(diesel::r2d2::Error::ConnectionError)?;
        if self.backend == Backend::Sqlite {
            conn.batch_execute("PRAGMA query_only = ON")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }
    /// A connection whose user panicked, or that diesel marked broken (e.g. a transaction
    /// that could not be rolled back), never goes back into the pool: it might still hold a
    /// transaction and its advisory locks.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || !in_clean_state(conn)
    }
}

pub type Conn = PooledConnection<Manager>;

#[derive(Clone)]
pub struct Db {
    backend: Backend,
    target: String,
    read: Pool<Manager>,
    /// PostgreSQL: writers run concurrently on the pool.
    write: Option<Pool<Manager>>,
    /// SQLite: the group-commit writer thread's queue (see `writer`); it owns the only writer
    /// connection.
    writer: Option<std::sync::Arc<writer::Writer>>,
}

/// How long a request waits for a database connection before it is told "not saved, try
/// again" (a database that is down must not hang every page for half a minute).
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

/// True when diesel sees a transaction open on the connection (what is read may still be
/// rolled back).
pub fn in_transaction(conn: &mut DbConn) -> bool {
    !in_clean_state(conn)
}

/// True when diesel sees no transaction open on the connection.
fn in_clean_state(conn: &mut DbConn) -> bool {
    fn clean<C>(c: &mut C) -> bool
    where
        C: Connection<TransactionManager = AnsiTransactionManager>,
    {
        matches!(
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
            Ok(None)
        )
    }
    match conn {
        DbConn::Sqlite(c) => clean(c),
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => clean(c),
    }
}

impl Db {
    pub fn connect(url: &str, read_pool_size: u32) -> anyhow::Result<Db> {
        let (backend, target) = parse_url(url)?;
        let pool = |size: u32| {
            Pool::builder()
                .max_size(size)
                // No connection is opened in the background: a one-shot command (create-user,
                // migrate) would exit while one is half-way through libpq's TLS set-up, and
                // OpenSSL's exit handlers then crash the process (seen: 1 exit in 4 on PostgreSQL).
                .min_idle(Some(0))
                .connection_timeout(CHECKOUT_TIMEOUT)
                // No `SELECT 1` before every use (on PostgreSQL it was two of My week's ten
                // round trips). A PostgreSQL connection the server closed (restart, network)
                // is found by the first statement that fails on it instead: it is dropped
                // (`forget`) and the work runs again on another connection — a read always
                // (`read_now`), a write when its transaction could not even begin
                // (`write_tx`). A SQLite connection cannot go away under us.
                .test_on_check_out(false)
                .build(Manager {
                    backend,
                    target: target.clone(),
                })
        };
        match backend {
            Backend::Sqlite => {
                sqlite_file::quick_check(&target)?;
                // The writer opens (and creates) the file first and switches it to WAL once.
                let mut conn = open(backend, &target)?;
                conn.batch_execute("PRAGMA journal_mode = WAL;")?;
                drop(conn);
                let t = target.clone();
                let writer =
                    writer::Writer::start(std::sync::Arc::new(move || open(Backend::Sqlite, &t)))?;
                Ok(Db {
                    backend,
                    read: pool(read_pool_size.max(1))?,
                    write: None,
                    writer: Some(std::sync::Arc::new(writer)),
                    target,
                })
            }
            Backend::Postgres => {
                let p = pool(read_pool_size.max(2))?;
                Ok(Db {
                    backend,
                    read: p.clone(),
                    write: Some(p),
                    writer: None,
                    target,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file (None on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<&str> {
        (self.backend == Backend::Sqlite).then_some(self.target.as_str())
    }

    /// Applies pending migrations (on a connection of its own; SQLite waits for the writer).
    /// The data steps that follow them live above the kernel (`crate::migrate`).
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = open(self.backend, &self.target)?;
        let applied = match &mut conn {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                .len(),
            #[cfg(feature = "postgres")]
            DbConn::Pg(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                .len(),
        };
        Ok(applied)
    }

    /// A connection of its own (the schema owner's when migrating).
    pub fn own_connection(&self) -> anyhow::Result<DbConn> {
        Ok(open(self.backend, &self.target)?)
    }

    /// How many migrations are not applied yet (read only: works for a role that may not
    /// change the schema).
    pub fn pending_migrations(&self) -> anyhow::Result<usize> {
        use diesel::migration::MigrationSource;
        #[derive(QueryableByName)]
        struct V {
            #[diesel(sql_type = diesel::sql_types::Text)]
            version: String,
        }
        let mut conn = open(self.backend, &self.target)?;
        let applied: Vec<V> =
            diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(&mut conn)?;
        let known: Vec<String> = match self.backend {
            Backend::Sqlite => {
                MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .iter()
                    .map(|m| m.name().version().to_string())
                    .collect()
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .iter()
                    .map(|m| m.name().version().to_string())
                    .collect()
            }
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres => Vec::new(),
        };
        Ok(known
            .iter()
            .filter(|v| !applied.iter().any(|a| &a.version == *v))
            .count())
    }

    pub fn read_conn(&self) -> Result<Conn, AppError> {
        self.read.get().map_err(AppError::pool)
    }

    /// Runs the read `f` on a pooled connection, blocking the calling thread. A connection the
    /// server closed (PostgreSQL restarted while it sat in the pool) fails its first
    /// statement: it is dropped and `f` runs again on another one — as many times as the pool
    /// has connections, which may all be stale after a restart, and once more on a new one.
    pub fn read_now<T>(
        &self,
        f: &impl Fn(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut lost = 0;
        loop {
            let mut conn = self.read_conn()?;
            match f(&mut conn) {
                Err(e) if is_lost(&e) && lost <= self.read.max_size() => {
                    forget(&mut conn);
                    lost += 1;
                    tracing::warn!(error = %e, "a pooled connection was closed by the server; reading again on another");
                }
                Err(e) => {
                    if is_lost(&e) {
                        forget(&mut conn);
                    }
                    return Err(e);
                }
                ok => return ok,
            }
        }
    }

    /// Runs `f` in one write transaction, blocking the calling thread (CLI, tests, demo).
    /// `f` may run more than once (SQLite: after another write of its batch panicked;
    /// PostgreSQL: after a deadlock, a serialization failure or a unique-key race), so it
    /// must not move state out of its captures.
    pub fn write_tx<T: Send + 'static>(
        &self,
        f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        match (&self.writer, &self.write) {
            (Some(queue), _) => {
                let (tx, rx) = std::sync::mpsc::channel();
                queue.submit(writer::job(f, move |r| {
                    let _ = tx.send(r);
                }))?;
                rx.recv()
                    .map_err(|_| AppError::internal("the writer dropped a job"))?
            }
            (None, Some(pool)) => {
                // A connection the server closed fails the transaction's BEGIN, before
                // anything ran: it is dropped and another one taken (see `read_now`). One lost
                // later (maybe after COMMIT was sent) is not retried: the answer says "not
                // saved, try again".
                let mut lost = 0;
                loop {
                    let mut conn = pool.get().map_err(AppError::pool)?;
                    match write_tx_begun(&mut conn, &f) {
                        Err(Failure::NotBegun(e)) if lost <= pool.max_size() => {
                            forget(&mut conn);
                            lost += 1;
                            tracing::warn!(error = %e, "a pooled connection was closed by the server; writing on another");
                        }
                        Err(Failure::NotBegun(e) | Failure::Failed(e)) => {
                            if is_lost(&e) {
                                forget(&mut conn);
                            }
                            return Err(e);
                        }
                        Ok(v) => return Ok(v),
                    }
                }
            }
            (None, None) => Err(AppError::internal("no writer")),
        }
    }

    /// Read work off the async threads.
    /// `f` may run more than once (see `read_now`).
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let db = self.clone();
        actix_web::web::block(move || db.read_now(&f))
            .await
            .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
    }

    /// A short, bounded read (a session check, one person's page): on SQLite it runs on the
    /// calling worker thread when a connection is free, because handing it to the blocking
    /// pool and back costs more than the read itself (two thread switches against tens of
    /// microseconds of in-process work; measured in the README's "Performance"). PostgreSQL
    /// reads wait on the network, so they always go to the blocking pool, as `read` does.
    /// Never use it for a report or anything that scans a table.
    pub async fn read_short<T: Send + 'static>(
        &self,
        f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.read.try_get() {
                return f(&mut conn);
            }
        }
        self.read(f).await
    }

    /// Write work off the async threads, in one transaction (SQLite: group-committed).
    /// Like `write_tx`, `f` may run more than once.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        match &self.writer {
            Some(queue) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                queue.submit(writer::job(f, move |r| {
                    let _ = tx.send(r);
                }))?;
                rx.await
                    .map_err(|_| AppError::internal("the writer dropped a job"))?
            }
            None => {
                let db = self.clone();
                actix_web::web::block(move || db.write_tx(f))
                    .await
                    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
            }
        }
    }

    pub fn ping(&self) -> Result<(), AppError> {
        self.read_now(&|c| {
            diesel::sql_query("SELECT 1").execute(c)?;
            Ok(())
        })
    }

    /// A tiny real write through the same path every change takes (the health check), so a
    /// full disk, a read-only file or a stuck writer shows as unhealthy.
    pub async fn heartbeat(&self, now: chrono::NaiveDateTime) -> Result<(), AppError> {
        self.write(move |c| beat(c, now)).await
    }

    /// The same write, blocking (start-up: refuse to serve a database that takes no writes).
    pub fn heartbeat_blocking(&self, now: chrono::NaiveDateTime) -> Result<(), AppError> {
        self.write_tx(move |c| beat(c, now))
    }
}

fn beat(c: &mut DbConn, now: chrono::NaiveDateTime) -> Result<(), AppError> {
    use schema::heartbeat;
    let n = diesel::update(heartbeat::table.find(1))
        .set(heartbeat::beat_at.eq(now))
        .execute(c)?;
    if n == 0 {
        diesel::insert_into(heartbeat::table)
            .values((heartbeat::id.eq(1), heartbeat::beat_at.eq(now)))
            .execute(c)?;
    }
    Ok(())
}

/// The advisory-lock space of [`hold_record`] (see `canteen::menu::store::lock` for the others).
pub const LOCK_EDIT: i32 = 8;

/// An edit page's save (`ui::seen`): holds the record `key` names ("person:12") until the transaction ends, so that two saves
/// of one record check their fingerprint and write one after the other: the second reads the
/// first's change and is refused. PostgreSQL: a transaction-level advisory lock (under READ
/// COMMITTED both would otherwise read the record before either wrote it); SQLite has one
/// writer. Taken first in the transaction, before any other lock, and by nothing else, so it
/// cannot take part in a deadlock.
pub fn hold_record(conn: &mut DbConn, key: &str) -> Result<(), AppError> {
    if backend_of(conn) == Backend::Postgres {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(LOCK_EDIT)
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(conn)?;
    }
    Ok(())
}

/// Transactions a PostgreSQL writer retries (bounded) because another writer raced it:
/// deadlock (40P01, which diesel reports as an unknown error), serialization failure (40001),
/// and a unique-key race (the retry sees the other writer's row and takes the idempotent
/// path). On PostgreSQL any of these aborts the whole transaction, so retrying all of it is
/// the only correct answer.
pub fn is_retryable(e: &AppError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        AppError::Db(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => true,
        AppError::Db(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => true,
        AppError::Db(Error::DatabaseError(_, info)) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// How many times a PostgreSQL write transaction runs at most.
pub const MAX_ATTEMPTS: u32 = 5;

/// True when the error says the connection's server is gone (PostgreSQL restarted or the
/// network dropped it): libpq reports the connection as bad.
pub fn is_lost(e: &AppError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        AppError::Db(Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ))
    )
}

/// Marks a connection as unusable, so the pool drops it instead of handing it out again
/// (`Manager::has_broken` sees its transaction state in error).
pub fn forget(conn: &mut DbConn) {
    match conn {
        DbConn::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
        }
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error(),
    }
}

/// Why a write transaction did not commit.
enum Failure {
    /// Its BEGIN failed because the connection was lost: nothing ran, another connection may
    /// be tried.
    NotBegun(AppError),
    Failed(AppError),
}

/// One write transaction on a given connection. On SQLite it is `BEGIN IMMEDIATE`, so the
/// write lock is taken up front and a transaction never fails half-way on "database is locked".
/// On PostgreSQL a transaction another writer raced (`is_retryable`) runs again, at most
/// `MAX_ATTEMPTS` times.
pub fn write_tx_on<T>(
    conn: &mut DbConn,
    f: impl FnMut(&mut DbConn) -> Result<T, AppError>,
) -> Result<T, AppError> {
    write_tx_begun(conn, f).map_err(|(Failure::NotBegun(e) | Failure::Failed(e))| e)
}

fn write_tx_begun<T>(
    conn: &mut DbConn,
    mut f: impl FnMut(&mut DbConn) -> Result<T, AppError>,
) -> Result<T, Failure> {
    let mut attempt = 1;
    loop {
        let begun =
            match conn {
                DbConn::Sqlite(c) => {
                    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                }
                #[cfg(feature = "postgres")]
                DbConn::Pg(c) => <AnsiTransactionManager as TransactionManager<
                    diesel::PgConnection,
                >>::begin_transaction(c),
            };
        if let Err(e) = begun {
            let e = AppError::from(e);
            return Err(if is_lost(&e) {
                Failure::NotBegun(e)
            } else {
                Failure::Failed(e)
            });
        }
        let result = match f(conn) {
            Ok(v) => end_tx(conn, true).map(|()| v),
            Err(e) => {
                match end_tx(conn, false) {
                    // The connection is gone (`e` says why, and the request's log line shows
                    // it): nothing to roll back, and the pool drops it.
                    Err(AppError::Db(diesel::result::Error::BrokenTransactionManager)) => {}
                    Err(rb) => tracing::error!(error = %rb, "rollback failed"),
                    Ok(()) => {}
                }
                Err(e)
            }
        };
        match result {
            // SQLite's one writer never races another.
            Err(e)
                if backend_of(conn) == Backend::Postgres
                    && attempt < MAX_ATTEMPTS
                    && is_retryable(&e) =>
            {
                tracing::warn!(attempt, error = %e, "write transaction raced another; retrying");
                std::thread::sleep(Duration::from_millis(2 * u64::from(attempt)));
                attempt += 1;
            }
            other => return other.map_err(Failure::Failed),
        }
    }
}

/// Commits (or rolls back) the transaction `write_tx_begun` began. A commit that fails is
/// rolled back by diesel.
fn end_tx(conn: &mut DbConn, commit: bool) -> Result<(), AppError> {
    fn end<C>(c: &mut C, commit: bool) -> QueryResult<()>
    where
        C: Connection<TransactionManager = AnsiTransactionManager>,
    {
        if commit {
            AnsiTransactionManager::commit_transaction(c)
        } else {
            AnsiTransactionManager::rollback_transaction(c)
        }
    }
    Ok(match conn {
        DbConn::Sqlite(c) => end(c, commit),
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => end(c, commit),
    }?)
}

/// Which backend a live connection talks to (for the few queries that differ).
pub fn backend_of(conn: &DbConn) -> Backend {
    match conn {
        DbConn::Sqlite(_) => Backend::Sqlite,
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => Backend::Postgres,
    }
}

/// True when the error is a UNIQUE violation (used to turn races into clean answers).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_built_with_the_options_of_cargo_config() {
        #[derive(QueryableByName)]
        struct Opt {
            #[diesel(sql_type = diesel::sql_types::Text)]
            compile_options: String,
        }
        let mut c = open(Backend::Sqlite, ":memory:").expect("open");
        let opts: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<Opt>(&mut c)
            .expect("compile options")
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        for want in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0", "OMIT_SHARED_CACHE"] {
            assert!(opts.iter().any(|o| o == want), "{want} not in {opts:?}");
        }
    }

    #[test]
    fn a_like_pattern_takes_wildcards_literally() {
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_contains(""), "%%");
    }

    #[test]
    fn an_update_by_id_is_prepared_once_and_reused() {
        use diesel::connection::{Instrumentation, InstrumentationEvent};
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Prepared(Arc<Mutex<Vec<String>>>);
        impl Instrumentation for Prepared {
            fn on_connection_event(&mut self, e: InstrumentationEvent<'_>) {
                if let InstrumentationEvent::CacheQuery { sql, .. } = e {
                    self.0.lock().expect("lock").push(sql.to_string());
                }
            }
        }
        let mut c = open(Backend::Sqlite, ":memory:").expect("open");
        c.batch_execute("CREATE TABLE heartbeat2 (id INTEGER PRIMARY KEY, at TEXT); INSERT INTO heartbeat2 VALUES (1, 'x');")
            .expect("table");
        diesel::table! { heartbeat2 (id) { id -> Integer, at -> Text, } }
        let seen = Prepared::default();
        c.set_instrumentation(seen.clone());
        for v in ["a", "b", "c"] {
            let n = update_by_id(heartbeat2::table, 1, heartbeat2::at.eq(v))
                .execute(&mut c)
                .expect("update");
            assert_eq!(n, 1);
        }
        let cached = seen.0.lock().expect("lock").clone();
        assert_eq!(cached.len(), 1, "{cached:?}");
    }

    #[test]
    fn database_urls_pick_the_backend_by_scheme() {
        assert_eq!(
            parse_url("canteen.db"),
            Ok((Backend::Sqlite, "canteen.db".into()))
        );
        assert_eq!(
            parse_url("sqlite:///var/lib/canteen.db"),
            Ok((Backend::Sqlite, "/var/lib/canteen.db".into()))
        );
        assert_eq!(
            parse_url("/tmp/x.db"),
            Ok((Backend::Sqlite, "/tmp/x.db".into()))
        );
    }

    #[test]
    fn an_unknown_database_scheme_is_refused() {
        assert_eq!(
            parse_url("mysql://localhost/db"),
            Err(UrlError::UnknownScheme("mysql".into()))
        );
        assert_eq!(
            parse_url("sqlite3:foo.db"),
            Err(UrlError::UnknownScheme("sqlite3".into()))
        );
        assert_eq!(parse_url("  "), Err(UrlError::Empty));
    }
}

/// A `LIKE` pattern that finds `s` anywhere, with `%`, `_` and the escape character itself
/// taken literally: use it with `.like(p).escape('\\')`.
pub fn like_contains(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

diesel::define_sql_function! {
    /// SQL `lower()` (both backends).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
