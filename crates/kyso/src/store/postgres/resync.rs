//! Reading the whole database again without serving a half-built index: after the listening
//! connection broke (announcements may have been lost), or after an operation failed in a way
//! that may have committed (a timeout past `COMMIT`), or when an announcement could not be
//! applied. A fresh index is built beside the one in use, which keeps answering; what this
//! instance and the others write meanwhile is journaled and applied to the fresh one; then the
//! fresh one is swapped in under the write lock.

use super::Database;
use crate::duty::submission::Submission;
use crate::store::index::Index;
use crate::store::{Inner, StoreError};
use std::sync::atomic::Ordering;

/// What was written while a fresh index was being built.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    ids: Vec<String>,
    registry: bool,
}

impl Inner {
    /// Note that submission `id` changed (while a resync runs).
    pub(crate) fn journal_id(&self, id: &str) {
        if let Ok(mut g) = self.journal.lock() {
            if let Some(j) = g.as_mut() {
                j.ids.push(id.to_string());
            }
        }
    }

    /// Note that the registry changed (while a resync runs).
    pub(crate) fn journal_registry(&self) {
        if let Ok(mut g) = self.journal.lock() {
            if let Some(j) = g.as_mut() {
                j.registry = true;
            }
        }
    }

    /// Build a fresh index from `db` beside the one in use, then swap it in.
    pub(crate) fn resync(&self, db: &Database) -> Result<(), StoreError> {
        let dir = self
            .layout
            .dir
            .join(format!("index-{}", crate::store::layout::unique()));
        if let Ok(mut g) = self.journal.lock() {
            *g = Some(Journal::default());
        }
        let built = Index::open(&dir).and_then(|fresh| {
            self.rebuild_from_db(db, &fresh)?;
            Ok(fresh)
        });
        let fresh = match built {
            Ok(f) => f,
            Err(e) => {
                if let Ok(mut g) = self.journal.lock() {
                    *g = None;
                }
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let _turn = self.index_turn();
        let journal = self.journal.lock().ok().and_then(|mut g| g.take());
        if let Some(j) = journal {
            for id in j.ids {
                if let Some(record) = db.record(&id)? {
                    let sub: Submission =
                        serde_json::from_value(record).map_err(super::db_error)?;
                    if let Some(old) = fresh.get(&id)? {
                        fresh.remove_submission(&old)?;
                    }
                    fresh.insert_submission(&sub, &self.record_json(&sub)?)?;
                }
            }
            if j.registry {
                self.registry_into(db, &fresh)?;
            }
        }
        let count = fresh.len();
        let old = match self.index.write() {
            Ok(mut g) => g.replace(fresh),
            Err(_) => return Err(StoreError::Recovering),
        };
        self.count.store(count as u64, Ordering::Relaxed);
        if let Some(old) = old {
            let path = old.path().to_path_buf();
            drop(old);
            let _ = std::fs::remove_dir_all(path);
        }
        tracing::info!(submissions = count, "index read again from the database");
        Ok(())
    }
}
