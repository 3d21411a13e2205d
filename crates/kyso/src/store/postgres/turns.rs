//! Background work that runs on one instance at a time (reminders, the year's crediting, the
//! CRL refresh): each holds a PostgreSQL session advisory lock on a connection of its own while
//! it runs. The lock ends with that connection, so an instance killed mid-run frees it.

use super::{db_error, Database};
use crate::store::{Store, StoreError};

/// The kinds of background work that take turns across instances (each its own lock key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// The monthly reminders: sent once, by whichever instance comes first; the others then
    /// find the round recorded.
    Reminders,
    /// Crediting this year's months into the kept tables.
    Crediting,
    /// Fetching the CRLs.
    CrlRefresh,
}

impl Work {
    fn key(self) -> i64 {
        0x6b79_736f_0100
            + match self {
                Work::Reminders => 1,
                Work::Crediting => 2,
                Work::CrlRefresh => 3,
            }
    }
}

/// Held while the work runs; dropping it closes the connection, which ends the lock.
pub struct Turn(#[allow(dead_code)] Option<tokio_postgres::Client>);

impl Database {
    /// Wait for `work`'s turn across every instance on this database.
    pub fn turn(&self, work: Work) -> Result<Turn, StoreError> {
        let link = self.link.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.spawn(async move {
            let held = async {
                let client = link.connect().await?;
                client
                    .execute("SELECT pg_advisory_lock($1)", &[&work.key()])
                    .await
                    .map_err(db_error)?;
                Ok::<_, StoreError>(client)
            }
            .await;
            let _ = tx.send(held);
        });
        let client = rx
            .recv()
            .map_err(|_| db_error("the database runtime stopped"))??;
        Ok(Turn(Some(client)))
    }
}

impl Store {
    /// Run `f` when it is this instance's turn for `work` (at once over files: one instance).
    pub fn in_turn<T>(&self, work: Work, f: impl FnOnce() -> T) -> Result<T, StoreError> {
        let _turn = match self.database() {
            Some(db) => Some(db.turn(work)?),
            None => None,
        };
        Ok(f())
    }
}
