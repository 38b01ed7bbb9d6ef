//! SQLite's connections for reads: a small pool of its own beside sqlx's, which keeps the
//! writers (transactions).
//!
//! sqlx's pool pings every connection it takes back. On SQLite a connection is a worker thread
//! of this process, so that ping is a round trip between threads — a wake-up of the worker and
//! one of the async task — after every read, as dear as the read's own statement when the read
//! is one short lookup. A read connection runs only autocommit statements (there is no
//! transaction to roll back when a read is cancelled: the worker finishes or abandons the
//! statement before it takes the next command), so this pool hands it back as it is.

use std::sync::Arc;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use crate::error::{StoreError, StoreResult};

/// Up to `size` SQLite connections opened with one set of options, each opened when a read
/// first needs it and reused from then on.
#[derive(Debug)]
pub struct ReadPool {
    options: SqliteConnectOptions,
    slots: Vec<Arc<Mutex<Option<SqliteConnection>>>>,
    /// One per slot: a read holding a permit always finds a free slot.
    permits: Arc<Semaphore>,
}

impl ReadPool {
    /// A pool of at most `size` connections; none is opened until a read needs it.
    pub fn new(options: SqliteConnectOptions, size: usize) -> Arc<ReadPool> {
        let size = size.max(1);
        let slots = (0..size).map(|_| Arc::new(Mutex::new(None))).collect();
        Arc::new(ReadPool { options, slots, permits: Arc::new(Semaphore::new(size)) })
    }

    /// A free connection (opened now if its slot has none yet); waits while all are in use.
    pub async fn acquire(&self) -> StoreResult<ReadConn> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let mut slot = self
            .slots
            .iter()
            .find_map(|s| s.clone().try_lock_owned().ok())
            .ok_or_else(|| StoreError::Config("no free read connection under a permit".into()))?;
        if slot.is_none() {
            *slot = Some(self.options.connect().await?);
        }
        let conn = OwnedMutexGuard::try_map(slot, Option::as_mut)
            .map_err(|_| StoreError::Config("a read connection's slot is empty".into()))?;
        Ok(ReadConn { conn, _permit: permit })
    }

    /// Refuses further reads and closes the connections not in use (one in use closes when the
    /// pool is dropped).
    pub async fn close(&self) {
        self.permits.close();
        for slot in &self.slots {
            let idle = slot.try_lock().ok().and_then(|mut c| c.take());
            if let Some(c) = idle {
                // A connection that fails to close cleanly has nothing left to lose.
                let _ = c.close().await;
            }
        }
    }
}

/// A read connection, free for the next read when dropped.
#[derive(Debug)]
pub struct ReadConn {
    // Declared first, so dropped (unlocked) before the permit that lets the next read look.
    conn: OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>,
    _permit: OwnedSemaphorePermit,
}

impl ReadConn {
    pub fn connection(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pool(dir: &tempfile::TempDir, size: usize) -> Arc<ReadPool> {
        let options = SqliteConnectOptions::new().filename(dir.path().join("r.db")).create_if_missing(true);
        ReadPool::new(options, size)
    }

    async fn temp_tables(c: &mut ReadConn) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM temp.sqlite_master").fetch_one(c.connection()).await.unwrap()
    }

    #[tokio::test]
    async fn a_returned_connection_is_the_one_the_next_read_gets() {
        let dir = tempfile::tempdir().unwrap();
        let reads = pool(&dir, 1);
        let mut first = reads.acquire().await.unwrap();
        sqlx::query("CREATE TEMP TABLE marker (x)").execute(first.connection()).await.unwrap();
        drop(first);
        let mut again = reads.acquire().await.unwrap();
        assert_eq!(temp_tables(&mut again).await, 1, "the same connection, with its temp table");
    }

    #[tokio::test]
    async fn a_read_waits_while_every_connection_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let reads = pool(&dir, 2);
        let (a, mut b) = (reads.acquire().await.unwrap(), reads.acquire().await.unwrap());
        assert_eq!(temp_tables(&mut b).await, 0);
        let waiting = tokio::spawn({
            let reads = reads.clone();
            async move { reads.acquire().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "a third read waits for one of two connections");
        drop(a);
        tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_closed_pool_refuses_reads() {
        let dir = tempfile::tempdir().unwrap();
        let reads = pool(&dir, 2);
        drop(reads.acquire().await.unwrap());
        reads.close().await;
        assert!(reads.acquire().await.is_err());
    }
}
