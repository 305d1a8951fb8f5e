//! What every handler shares: database, clock, configuration.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    /// Caps concurrent argon2 work (each hash takes ~19 MiB and tens of ms).
    pub hash_gate: Arc<tokio::sync::Semaphore>,
    /// Set when the server is stopping: requests still arriving on open connections are
    /// answered, each with `Connection: close`, so no client sends another on them.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// The coming weeks' menus, kept while the database says they have not changed.
    pub menus: Arc<crate::canteen::menu::cache::MenuCache>,
}

impl AppState {
    pub fn new(db: Db, clock: Clock, config: Config) -> Self {
        let permits = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        AppState {
            db,
            clock,
            config: Arc::new(config),
            hash_gate: Arc::new(tokio::sync::Semaphore::new(permits)),
            draining: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            menus: Arc::default(),
        }
    }

    /// Runs argon2 work on the blocking pool, at most one per core at a time.
    pub async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, crate::error::AppError> {
        let _permit = self
            .hash_gate
            .acquire()
            .await
            .map_err(|e| crate::error::AppError::internal(format!("hash gate: {e}")))?;
        actix_web::web::block(f)
            .await
            .map_err(|e| crate::error::AppError::internal(format!("hashing task: {e}")))
    }
}
