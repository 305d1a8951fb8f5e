//! canteen — Nhà ăn & Phúc lợi: the staff canteen and staff welfare of a ministry office.

pub mod accounting;
pub mod accounts;
pub mod api;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod benchdata;
pub mod canteen;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod foodsafety;
pub mod home;
pub mod ledger;
pub mod money;
pub mod once;
pub mod people;
pub mod periods;
pub mod signoff;
pub mod state;
pub mod stats;
pub mod subsidy;
pub mod suppliers;
pub mod ui;
pub mod welfare;

use clock::Clock;
use config::Config;
use state::AppState;

/// Applies pending migrations, then the data steps only the application can compute: sort
/// keys of names written before `persons.sort_key` existed (an index lookup when there are
/// none), accounts' search names written before `users.search_name` existed (a look over the
/// accounts), and, after an upgrade, what the menu options of today and later show (dish
/// names, allergens, notes). Returns how many migrations were applied.
pub fn migrate(db: &db::Db) -> anyhow::Result<usize> {
    let applied = db.migrate()?;
    let mut conn = db.own_connection()?;
    people::store::fill_sort_keys(&mut conn)
        .map_err(|e| anyhow::anyhow!("filling name sort keys failed: {e}"))?;
    auth::store::fill_search_names(&mut conn)
        .map_err(|e| anyhow::anyhow!("filling account search names failed: {e}"))?;
    stats::summary::backfill(&mut conn)
        .map_err(|e| anyhow::anyhow!("filling the subsidy summary failed: {e}"))?;
    if applied > 0 {
        let today = clock::business_date_of(chrono::Utc::now().naive_utc());
        canteen::store::refresh_options_from(&mut conn, today)
            .map_err(|e| anyhow::anyhow!("refreshing menu options failed: {e}"))?;
    }
    Ok(applied)
}

/// Connects, migrates and returns the shared state (used by `serve` and by the tests).
pub fn prepare(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    prepare_with(config, clock, true)
}

/// Like `prepare`; without `migrate` the schema must already be current (a server that logs
/// in as a role that may not change the schema: `serve --no-migrate`).
pub fn prepare_with(config: Config, clock: Clock, migrate: bool) -> anyhow::Result<AppState> {
    config.validate()?;
    let db = db::Db::connect(&config.database_url, config.read_pool_size)?;
    if migrate {
        crate::migrate(&db)?;
    } else {
        let pending = db.pending_migrations()?;
        anyhow::ensure!(
            pending == 0,
            "{pending} migration(s) not applied yet: run `canteen migrate` as the schema owner first"
        );
    }
    // Refuse to start on a database that cannot take a write (read-only file, full disk).
    let now = clock.now_naive();
    db.heartbeat_blocking(now)
        .map_err(|e| anyhow::anyhow!("the database cannot be written: {e}"))?;
    Ok(AppState::new(db, clock, config))
}

/// Serves until stopped.
pub async fn run(state: AppState, bind: &str, workers: usize) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(bind)?;
    actix_web::rt::spawn(standing_order_tick(state.clone()));
    actix_web::rt::spawn(housekeeping_tick(state.clone()));
    if state.db.backend() == db::Backend::Postgres {
        actix_web::rt::spawn(stats_fold_tick(state.clone()));
    }
    tracing::info!(address = %listener.local_addr()?, "canteen is serving");
    let server = app::serve(state.clone(), listener, workers)?;
    actix_web::rt::spawn(stop_on_signal(server.handle(), state.clone()));
    server.await?;
    // A clean stop: every request has been answered; fold the write-ahead log into the file
    // so that the database file alone is complete (a copy of it is a whole backup).
    if let Some(path) = state.db.sqlite_path() {
        match db::sqlite_file::checkpoint(path) {
            Ok(()) => tracing::info!("stopped cleanly; write-ahead log checkpointed"),
            Err(e) => tracing::warn!(error = %e, "checkpoint at shutdown failed"),
        }
    }
    Ok(())
}

/// How long a stopping server keeps answering requests that arrive on connections already open
/// (a client may have sent one just as the stop began).
const DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// SIGTERM (or Ctrl-C): stop accepting connections, answer for `DRAIN` whatever arrives on
/// open ones, each answer closing its connection, then stop gracefully (requests still running
/// get up to 30 s). Closing idle keep-alive connections at once, as the default stop does,
/// dropped requests a client had just sent on them.
async fn stop_on_signal(handle: actix_web::dev::ServerHandle, state: AppState) {
    use actix_web::rt::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for stop signals; stopping needs SIGKILL");
        return;
    };
    futures_util::future::select(Box::pin(term.recv()), Box::pin(int.recv())).await;
    tracing::info!("stop requested: answering requests in flight, then stopping");
    state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    handle.pause().await;
    actix_web::rt::time::sleep(DRAIN).await;
    handle.stop(true).await;
}

/// Every ten minutes: expired sessions are deleted. At start-up and once a day the audit
/// chain's head is written to the server log, an anchor outside the database.
async fn housekeeping_tick(state: AppState) {
    let mut last_anchor: Option<std::time::Instant> = None;
    loop {
        if last_anchor.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(86_400)) {
            match state.db.read(audit::head).await {
                Ok((rows, head)) => {
                    tracing::info!(rows, head = %head, "audit chain head");
                    last_anchor = Some(std::time::Instant::now());
                }
                Err(e) => tracing::error!(error = %e, "cannot read the audit chain head"),
            }
        }
        if let Err(e) = housekeeping(&state).await {
            tracing::error!(error = %e, "housekeeping failed");
        }
        actix_web::rt::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

/// One round of housekeeping (also called by tests).
pub async fn housekeeping(state: &AppState) -> Result<usize, error::AppError> {
    let now = state.clock.now_naive();
    let (idle, absolute) = (state.config.idle(), state.config.absolute());
    let n = state
        .db
        .write(move |c| {
            auth::throttle::sweep(c, now)?;
            auth::session::sweep(c, now, idle, absolute)
        })
        .await?;
    if n > 0 {
        tracing::info!(sessions = n, "expired sessions swept");
    }
    let today = state.clock.today();
    let closed = state
        .db
        .write(move |c| {
            let actor = audit::Actor::system("housekeeping");
            people::store::close_accounts_of_gone(c, &actor, today, now)
        })
        .await?;
    if closed > 0 {
        tracing::info!(
            accounts = closed,
            "accounts of persons who left were disabled"
        );
    }
    Ok(n)
}

/// PostgreSQL, every minute: the meal changes written since the last fold are added into the
/// summary (`stats::store::fold_meal_deltas`; one server at a time).
async fn stats_fold_tick(state: AppState) {
    loop {
        actix_web::rt::time::sleep(std::time::Duration::from_secs(60)).await;
        if let Err(e) = state.db.write(stats::store::fold_meal_deltas).await {
            tracing::error!(error = %e, "folding the meal summary's changes failed");
        }
    }
}

/// Every five minutes (and once at start-up): standing orders become meals on days that have
/// come within the ordering horizon.
async fn standing_order_tick(state: AppState) {
    loop {
        let now = state.clock.now();
        let result = state
            .db
            .write(move |c| {
                let s = canteen::store::load_settings(c)?;
                canteen::standing::materialize_due(c, now, &s)
            })
            .await;
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(meals = n, "standing orders turned into meals"),
            Err(e) => tracing::error!(error = %e, "standing order tick failed"),
        }
        actix_web::rt::time::sleep(std::time::Duration::from_secs(300)).await;
    }
}
