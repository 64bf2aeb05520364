//! Group commit on SQLite: concurrent writes queue for one writer task, which runs as many as
//! are waiting in one transaction, each inside its own savepoint, and commits once. A write is
//! acknowledged only after the commit that holds it, so durability is unchanged; what is
//! shared is the fsync. A failing write rolls back to its savepoint and fails alone.
//!
//! PostgreSQL needs none of this: each write is its own transaction there.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::{Result, Store, StoreError, WriteTx};

/// The most writes one commit carries.
const MAX_BATCH: usize = 256;

/// A write: runs against the open transaction, then learns whether its commit succeeded.
type Run = Box<
    dyn for<'a> FnOnce(&'a mut WriteTx) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>
        + Send,
>;

struct Job {
    run: Run,
    done: oneshot::Sender<Result<()>>,
}

/// The handle writes are sent through.
#[derive(Clone)]
pub(crate) struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(
        pool: AnyPool,
        lock: Arc<tokio::sync::Mutex<()>>,
        schema: Arc<std::sync::atomic::AtomicI64>,
    ) -> GroupWriter {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run_writer(pool, lock, queue, schema));
        GroupWriter { jobs }
    }
}

async fn run_writer(
    pool: AnyPool,
    lock: Arc<tokio::sync::Mutex<()>>,
    mut queue: mpsc::Receiver<Job>,
    schema: Arc<std::sync::atomic::AtomicI64>,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let guard = lock.clone().lock_owned().await;
        run_batch(&pool, batch, &schema).await;
        drop(guard);
    }
}

async fn run_batch(pool: &AnyPool, batch: Vec<Job>, schema: &std::sync::atomic::AtomicI64) {
    let tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            let message = e.to_string();
            for job in batch {
                let _ = job
                    .done
                    .send(Err(StoreError::CommitFailed(message.clone())));
            }
            return;
        }
    };
    let mut tx = WriteTx {
        tx,
        _guard: None,
        schema: schema.load(std::sync::atomic::Ordering::Relaxed),
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for job in batch {
        if let Some(why) = &broken {
            outcomes.push((job.done, Err(StoreError::CommitFailed(why.clone()))));
            continue;
        }
        if let Err(e) = sqlx::query("SAVEPOINT write_job").execute(tx.conn()).await {
            broken = Some(e.to_string());
            outcomes.push((job.done, Err(e.into())));
            continue;
        }
        let outcome = (job.run)(&mut tx).await;
        let close = if outcome.is_ok() {
            sqlx::query("RELEASE write_job")
                .execute(tx.conn())
                .await
                .map(|_| ())
        } else {
            match sqlx::query("ROLLBACK TO write_job")
                .execute(tx.conn())
                .await
            {
                Ok(_) => sqlx::query("RELEASE write_job")
                    .execute(tx.conn())
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            }
        };
        if let Err(e) = close {
            broken = Some(e.to_string());
        }
        outcomes.push((job.done, outcome));
    }
    let committed = match broken {
        Some(why) => {
            let _ = tx.tx.rollback().await;
            Err(why)
        }
        None => tx.commit().await.map_err(|e| e.to_string()),
    };
    for (done, outcome) in outcomes {
        let reply = match &committed {
            Ok(()) => outcome,
            // Nothing of the batch is on disk: every write in it fails, none is acknowledged.
            Err(why) => Err(StoreError::CommitFailed(why.clone())),
        };
        let _ = done.send(reply);
    }
}

impl Store {
    /// Runs a write in a transaction and commits it; on SQLite, together with the other
    /// writes waiting at the same moment (group commit). Returns only once it is durable.
    pub async fn write<T, F>(&self, write: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut WriteTx) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>
            + Send
            + 'static,
    {
        let Some(writer) = &self.writer else {
            let mut tx = self.begin().await?;
            let value = write(&mut tx).await?;
            tx.commit().await?;
            return Ok(value);
        };
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let filled = slot.clone();
        let run: Run = Box::new(move |tx| {
            Box::pin(async move {
                let value = write(tx).await?;
                if let Ok(mut slot) = filled.lock() {
                    *slot = Some(value);
                }
                Ok(())
            })
        });
        let (done, reply) = oneshot::channel();
        writer
            .jobs
            .send(Job { run, done })
            .await
            .map_err(|_| StoreError::CommitFailed("the writer has stopped".into()))?;
        reply
            .await
            .map_err(|_| StoreError::CommitFailed("the writer has stopped".into()))??;
        let value = slot.lock().ok().and_then(|mut s| s.take());
        value.ok_or_else(|| StoreError::CommitFailed("the write produced no result".into()))
    }
}
