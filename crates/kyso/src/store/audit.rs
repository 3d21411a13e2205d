//! The registry's audit log: every change to a unit or a leader record, with who made it, when,
//! how (the API, an import) and the record before and after, appended to
//! `registry/audit.jsonl` and synced before the change is answered. Read through
//! `GET /api/v1/registry/changes`.

use super::error::{io, StoreError};
use super::Store;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub at: time::OffsetDateTime,
    /// The token name, or what made the change (an import at first start, a command).
    pub by: String,
    /// `unit` or `leader`.
    pub kind: String,
    pub id: String,
    /// The record before (absent when it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
    /// Why a change that alters past months was made (an explicit correction,
    /// `crate::duty::registry::past`); absent for an ordinary change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
}

/// The audit entry of a change: who made it, when, and the reason when it corrects past
/// months (decided by the caller, `crate::app::registry_edit`).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The token name, or what made the change.
    pub by: &'a str,
    /// The reason of an explicit correction of past months.
    pub correction: Option<&'a str>,
    pub at: time::OffsetDateTime,
}

impl Store {
    fn audit_path(&self) -> std::path::PathBuf {
        self.dir().join("registry").join("audit.jsonl")
    }

    /// Append changes durably (one JSON object per line).
    pub(crate) fn record_changes(&self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        if let Some(db) = &self.inner.db {
            if let Ok(mut g) = self.inner.audit_seen.lock() {
                *g = None;
            }
            let log = changes
                .iter()
                .map(|c| super::postgres::to_value(c).map(|v| (super::postgres::Log::Audit, v)))
                .collect::<Result<_, _>>()?;
            return db
                .write(super::postgres::Write {
                    log,
                    ..Default::default()
                })
                .map(drop);
        }
        let path = self.audit_path();
        let mut lines = Vec::new();
        for c in changes {
            serde_json::to_writer(&mut lines, c).map_err(|e| StoreError::Corrupt {
                path: path.clone(),
                what: e.to_string(),
            })?;
            lines.push(b'\n');
        }
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        f.write_all(&lines)
            .and_then(|()| f.sync_data())
            .map_err(io(&path))
    }

    /// Every recorded change, oldest first (a line that cannot be read is skipped).
    pub fn registry_changes(&self) -> Result<Vec<Change>, StoreError> {
        if self.inner.db.is_some() {
            return Ok((*self.audit_log()?).clone());
        }
        self.audit_file()
    }

    /// The registry's changes that `keep` keeps (the few a report needs, without copying all).
    pub fn registry_changes_where(
        &self,
        keep: impl Fn(&Change) -> bool,
    ) -> Result<Vec<Change>, StoreError> {
        if self.inner.db.is_some() {
            return Ok(self
                .audit_log()?
                .iter()
                .filter(|c| keep(c))
                .cloned()
                .collect());
        }
        Ok(self.audit_file()?.into_iter().filter(|c| keep(c)).collect())
    }

    /// Over PostgreSQL: the audit log, read once per registry version (a registry write, here
    /// or announced from another instance, changes the version; an audit-only write clears it).
    fn audit_log(&self) -> Result<std::sync::Arc<Vec<Change>>, StoreError> {
        use std::sync::atomic::Ordering;
        let version = self.inner.registry_version.load(Ordering::SeqCst);
        if let Ok(g) = self.inner.audit_seen.lock() {
            if let Some((v, log)) = g.as_ref() {
                if *v == version {
                    return Ok(log.clone());
                }
            }
        }
        let Some(db) = &self.inner.db else {
            return Ok(std::sync::Arc::new(self.audit_file()?));
        };
        let log: Vec<Change> = db
            .log(super::postgres::Log::Audit)?
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        let log = std::sync::Arc::new(log);
        if let Ok(mut g) = self.inner.audit_seen.lock() {
            *g = Some((version, log.clone()));
        }
        Ok(log)
    }

    fn audit_file(&self) -> Result<Vec<Change>, StoreError> {
        let path = self.audit_path();
        match fs::read_to_string(&path) {
            Ok(text) => Ok(text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(&path)(e)),
        }
    }
}
