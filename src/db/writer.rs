//! Group commit for SQLite. One thread owns the one writer connection. It takes every write
//! waiting in its queue (up to `MAX_BATCH`), runs each in its own SAVEPOINT inside a single
//! `BEGIN IMMEDIATE` transaction, commits once — one fsync for the whole batch — and only then
//! hands each caller its result. A job that fails rolls back to its savepoint alone; if the
//! commit itself fails, every job in the batch is told so and nothing of it was kept.
//!
//! Recovery: a job that panics is answered with an error and dropped; the connection is
//! thrown away (its transaction state can no longer be trusted), a fresh one is opened, and
//! the rest of the batch runs again from the start (jobs are `Fn`, so they can). After every
//! batch the connection is checked to be back outside any transaction. The queue is bounded
//! (`QUEUE_BOUND`): beyond it a write is answered "busy" at once instead of queueing without
//! limit. If the thread itself ever dies, the next write starts a new one.

use super::{write_tx_on, DbConn};
use crate::error::AppError;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, ConnectionResult};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

pub const MAX_BATCH: usize = 128;
/// Writes waiting for the writer at most; well above what 200 concurrent staff produce.
pub const QUEUE_BOUND: usize = 1024;

/// Hands a job its result once its batch has committed (Ok) or failed (Err).
pub type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A write: runs inside the batch transaction (possibly more than once, if another job of its
/// batch panicked), returns how to deliver its result once the batch has committed.
pub trait JobFn: Send {
    fn run(&self, conn: &mut DbConn) -> Deliver;
    fn fail(self: Box<Self>, msg: AppError);
}

pub type Job = Box<dyn JobFn>;

struct Typed<T, F, S> {
    f: F,
    send: Arc<Mutex<Option<S>>>,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T, F, S> JobFn for Typed<T, F, S>
where
    T: Send + 'static,
    F: Fn(&mut DbConn) -> Result<T, AppError> + Send,
    S: FnOnce(Result<T, AppError>) + Send + 'static,
{
    fn run(&self, conn: &mut DbConn) -> Deliver {
        let outcome = conn.transaction(|c| (self.f)(c));
        let send = self.send.clone();
        Box::new(move |committed: Result<(), String>| {
            let result = match committed {
                Ok(()) => outcome,
                Err(e) => Err(AppError::NotSaved(format!("batch not committed: {e}"))),
            };
            if let Some(s) = send.lock().ok().and_then(|mut g| g.take()) {
                s(result);
            }
        })
    }
    fn fail(self: Box<Self>, e: AppError) {
        if let Some(s) = self.send.lock().ok().and_then(|mut g| g.take()) {
            s(Err(e));
        }
    }
}

/// Wraps a closure as a job whose result is sent with `send` once the batch is committed.
pub fn job<T: Send + 'static>(
    f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    send: impl FnOnce(Result<T, AppError>) + Send + 'static,
) -> Job {
    Box::new(Typed {
        f,
        send: Arc::new(Mutex::new(Some(send))),
        _t: std::marker::PhantomData,
    })
}

/// Opens a fresh writer connection (used at start and after a panic).
pub type Opener = Arc<dyn Fn() -> ConnectionResult<DbConn> + Send + Sync>;

/// The queue in front of the writer thread.
pub struct Writer {
    queue: Mutex<SyncSender<Job>>,
    open: Opener,
}

impl Writer {
    pub fn start(open: Opener) -> std::io::Result<Writer> {
        let tx = spawn(open.clone())?;
        Ok(Writer {
            queue: Mutex::new(tx),
            open,
        })
    }

    /// Queues a job; `Busy` when the queue is full. Restarts the thread if it has died.
    pub fn submit(&self, job: Job) -> Result<(), AppError> {
        let mut guard = self
            .queue
            .lock()
            .map_err(|_| AppError::internal("writer queue lock poisoned"))?;
        match guard.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(job)) => {
                job.fail(AppError::Busy);
                Err(AppError::Busy)
            }
            Err(TrySendError::Disconnected(job)) => {
                tracing::error!("the SQLite writer thread had stopped; starting a new one");
                match spawn(self.open.clone()) {
                    Ok(tx) => {
                        *guard = tx;
                        guard.try_send(job).map_err(|e| {
                            AppError::internal(format!("restarted writer refused a job: {e}"))
                        })
                    }
                    Err(e) => {
                        let err = AppError::internal(format!("cannot restart the writer: {e}"));
                        job.fail(AppError::internal("the writer has stopped"));
                        Err(err)
                    }
                }
            }
        }
    }
}

fn spawn(open: Opener) -> std::io::Result<SyncSender<Job>> {
    let (tx, rx) = mpsc::sync_channel::<Job>(QUEUE_BOUND);
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            let mut conn: Option<DbConn> = None;
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => batch.push(j),
                        Err(_) => break,
                    }
                }
                run_batch(&mut conn, &open, batch);
            }
        })?;
    Ok(tx)
}

/// True when the connection is outside any transaction (diesel's view and SQLite's agree).
fn is_clean(conn: &mut DbConn) -> bool {
    match conn {
        DbConn::Sqlite(c) => matches!(
            <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>
                ::transaction_manager_status_mut(c)
                .transaction_depth(),
            Ok(None)
        ),
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => true,
    }
}

fn run_batch(slot: &mut Option<DbConn>, open: &Opener, mut batch: Vec<Job>) {
    loop {
        if slot.is_none() {
            match open() {
                Ok(c) => *slot = Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the writer connection");
                    for j in batch {
                        j.fail(AppError::NotSaved(format!("writer connection: {e}")));
                    }
                    return;
                }
            }
        }
        let Some(conn) = slot.as_mut() else { return };
        let mut delivers: Vec<Deliver> = Vec::with_capacity(batch.len());
        let mut panicked: Option<usize> = None;
        let outcome = write_tx_on(conn, |c| {
            for (i, job) in batch.iter().enumerate() {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&mut *c))) {
                    Ok(d) => delivers.push(d),
                    Err(_) => {
                        panicked = Some(i);
                        return Err(AppError::internal("a write panicked"));
                    }
                }
            }
            Ok(())
        });
        if let Some(i) = panicked {
            // The connection's transaction state is unknown: drop it (SQLite rolls back an
            // open transaction when its connection closes) and run the others again.
            tracing::error!(
                jobs = batch.len(),
                "a write panicked; it is refused and its batch runs again"
            );
            *slot = None;
            drop(delivers);
            let bad = batch.remove(i);
            bad.fail(AppError::internal("the write panicked"));
            if batch.is_empty() {
                return;
            }
            continue;
        }
        let committed = outcome.map_err(|e| {
            tracing::error!(error = %e, jobs = delivers.len(), "write batch failed");
            e.to_string()
        });
        if !slot.as_mut().is_some_and(is_clean) {
            tracing::error!("writer connection left inside a transaction; reopening it");
            *slot = None;
        }
        for d in delivers {
            d(committed.clone());
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Opener {
        Arc::new(|| super::super::open(super::super::Backend::Sqlite, ":memory:"))
    }

    #[test]
    fn a_full_queue_answers_busy_at_once_instead_of_growing() {
        let w = Writer::start(memory()).expect("writer");
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let started_tx = Mutex::new(Some(started_tx));
        let go_rx = Mutex::new(go_rx);
        w.submit(job(
            move |_| {
                if let Some(t) = started_tx.lock().ok().and_then(|mut g| g.take()) {
                    let _ = t.send(());
                }
                let _ = go_rx.lock().map(|r| r.recv());
                Ok(())
            },
            |_: Result<(), AppError>| {},
        ))
        .expect("first job queued");
        started_rx
            .recv()
            .expect("the writer is busy with the first job");
        for _ in 0..QUEUE_BOUND {
            w.submit(job(|_| Ok(()), |_: Result<(), AppError>| {}))
                .expect("room in the queue");
        }
        let (tx, rx) = mpsc::channel();
        let r = w.submit(job(
            |_| Ok(()),
            move |r: Result<(), AppError>| {
                let _ = tx.send(r.is_err());
            },
        ));
        assert!(matches!(r, Err(AppError::Busy)), "one more is refused");
        assert_eq!(rx.recv().ok(), Some(true), "and its caller is told");
        go_tx.send(()).expect("release");
    }

    #[test]
    fn a_panicking_job_fails_alone_and_the_rest_of_its_batch_commits() {
        let w = Writer::start(memory()).expect("writer");
        let (tx, rx) = mpsc::channel::<(usize, bool)>();
        for i in 0..5usize {
            let tx = tx.clone();
            w.submit(job(
                move |c| {
                    use diesel::connection::SimpleConnection;
                    c.batch_execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")?;
                    if i == 2 {
                        panic!("bug");
                    }
                    Ok(())
                },
                move |r: Result<(), AppError>| {
                    let _ = tx.send((i, r.is_ok()));
                },
            ))
            .expect("queued");
        }
        drop(tx);
        let mut got: Vec<(usize, bool)> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(
            got,
            vec![(0, true), (1, true), (2, false), (3, true), (4, true)]
        );
    }
}
