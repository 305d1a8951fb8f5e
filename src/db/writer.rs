//! Group commit for SQLite. One thread owns the one writer connection. It takes every write
//! waiting in its queue (up to `MAX_BATCH`), runs each in its own SAVEPOINT inside a single
//! `BEGIN IMMEDIATE` transaction, commits once — one fsync for the whole batch — and only then
//! hands each caller its result. A job that fails rolls back to its savepoint alone; if the
//! commit itself fails, every job in the batch is told so and nothing of it was kept.

use super::{write_tx_on, DbConn};
use crate::error::AppError;
use diesel::Connection;
use std::sync::mpsc;

pub const MAX_BATCH: usize = 128;

/// Called after the batch's commit (Ok) or failure (Err) to hand a job its result.
pub type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A write: runs inside the batch transaction, returns how to deliver its result.
pub type Job = Box<dyn FnOnce(&mut DbConn) -> Deliver + Send>;

/// Wraps a closure as a job whose result is sent with `send` once the batch is committed.
pub fn job<T: Send + 'static>(
    f: impl FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    send: impl FnOnce(Result<T, AppError>) + Send + 'static,
) -> Job {
    Box::new(move |conn: &mut DbConn| {
        let outcome = conn.transaction(f);
        Box::new(move |committed: Result<(), String>| {
            let result = match committed {
                Ok(()) => outcome,
                Err(e) => Err(AppError::internal(format!("batch not committed: {e}"))),
            };
            send(result);
        }) as Deliver
    })
}

/// Starts the writer thread on `conn`; returns the queue to send jobs to.
pub fn start(mut conn: DbConn) -> std::io::Result<mpsc::Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => batch.push(j),
                        Err(_) => break,
                    }
                }
                run_batch(&mut conn, batch);
            }
        })?;
    Ok(tx)
}

fn run_batch(conn: &mut DbConn, batch: Vec<Job>) {
    let mut delivers: Vec<Deliver> = Vec::with_capacity(batch.len());
    let outcome = write_tx_on(conn, |c| {
        for job in batch {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut *c))) {
                Ok(d) => delivers.push(d),
                Err(_) => {
                    return Err(AppError::internal(
                        "a write panicked; its batch was rolled back",
                    ))
                }
            }
        }
        Ok(())
    });
    let committed = outcome.map_err(|e| {
        tracing::error!(error = %e, jobs = delivers.len(), "write batch failed");
        e.to_string()
    });
    for d in delivers {
        d(committed.clone());
    }
}
