//! The webhook's writer: events from concurrent deliveries are applied in batches, one
//! transaction (one commit, one disk flush) per batch, each event still exactly once and
//! each answered only after its batch is committed. Group commit, so throughput is not one
//! flush per delivery.

use super::payments::{apply_all_in, apply_event, ApplyError};
use crate::db::{now_ms, Backend, Db};
use domain::{Applied, EventSource, StripeEvent, StripeMode};
use tokio::sync::{mpsc, oneshot};

/// Events in one transaction at most.
const MAX_BATCH: usize = 64;
/// Deliveries waiting for a writer at most (past it, a delivery waits to be queued).
const QUEUE: usize = 4096;

/// Why an event could not be stored; Stripe is asked to deliver it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFailure {
    /// The database could not be reached.
    Unavailable,
    /// Other writers kept changing the booking: worth retrying soon.
    Contention,
    /// The database refused a statement.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WriteError {
    pub failure: WriteFailure,
    pub message: String,
}

impl From<&ApplyError> for WriteError {
    fn from(error: &ApplyError) -> Self {
        let failure = match error {
            ApplyError::Contention { .. } => WriteFailure::Contention,
            _ if error.is_unavailable() => WriteFailure::Unavailable,
            ApplyError::Database(_) => WriteFailure::Failed,
        };
        Self {
            failure,
            message: error.to_string(),
        }
    }
}

struct Job {
    event: StripeEvent,
    source: EventSource,
    reply: oneshot::Sender<Result<Applied, WriteError>>,
}

#[derive(Clone, Debug)]
pub struct PaymentWriter {
    sender: mpsc::Sender<Job>,
}

impl PaymentWriter {
    /// Starts the writer, one per instance for either database: it applies events for a
    /// deployment whose Stripe key is of `mode`. One writer makes the batches as large as the
    /// deliveries in flight allow; measured with the benchmark's deliveries on PostgreSQL at 32
    /// in flight, four writers (smaller batches, more commits) were about a fifth slower.
    /// Instances sharing a PostgreSQL database each have their own; they lock the bookings of
    /// a batch while deciding.
    pub fn start(db: Db, mode: StripeMode) -> Self {
        let (sender, mut receiver) = mpsc::channel::<Job>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match receiver.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                run_batch(&db, batch, mode).await;
            }
        });
        Self { sender }
    }

    /// Applies `event` exactly once; answers after the commit that stored it.
    pub async fn apply(
        &self,
        event: StripeEvent,
        source: EventSource,
    ) -> Result<Applied, WriteError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || WriteError {
            failure: WriteFailure::Unavailable,
            message: "the payment writer has stopped".to_owned(),
        };
        self.sender
            .send(Job {
                event,
                source,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn apply_batch(db: &Db, batch: &[Job], mode: StripeMode) -> Result<Vec<Applied>, ApplyError> {
    let mut tx = db.begin().await?;
    let now = now_ms();
    let events: Vec<(&StripeEvent, EventSource)> =
        batch.iter().map(|job| (&job.event, job.source)).collect();
    // Instances share PostgreSQL: each locks the bookings of its batch while it decides.
    let lock = db.backend() == Backend::Postgres;
    let results = apply_all_in(&mut tx, &events, lock, mode, now).await?;
    let mut changed: Vec<i64> = results.iter().filter_map(Applied::booking_id).collect();
    changed.sort_unstable();
    changed.dedup();
    db.commit(tx, &changed).await?;
    Ok(results)
}

async fn run_batch(db: &Db, batch: Vec<Job>, mode: StripeMode) {
    match apply_batch(db, &batch, mode).await {
        Ok(results) => {
            for (job, applied) in batch.into_iter().zip(results) {
                let _ = job.reply.send(Ok(applied));
            }
        }
        // The database is away: every delivery of the batch is answered so at once.
        Err(error) if error.is_unavailable() || batch.len() == 1 => {
            let error = WriteError::from(&error);
            for job in batch {
                let _ = job.reply.send(Err(error.clone()));
            }
        }
        // One event's failure (or a booking that kept changing) must not hold the others back:
        // each gets a transaction of its own.
        Err(error) => {
            tracing::warn!(%error, events = batch.len(), "batch failed; applying its events one by one");
            for job in batch {
                let result = apply_event(db, &job.event, job.source, mode).await;
                let _ = job.reply.send(result.map_err(|e| WriteError::from(&e)));
            }
        }
    }
}
