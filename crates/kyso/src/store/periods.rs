//! Closed periods ("chốt số liệu"): the table of a month, quarter or year frozen as it stood
//! when the Office closed it, with its SHA-256, kept as evidence in `periods/<period>.json`.
//! Later registry changes, re-verifications or late files never change it; they show as
//! amendments beside it.

use super::error::{io, StoreError};
use super::layout::write_durably;
use super::Store;
use serde::{Deserialize, Serialize};
use std::fs;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Closed {
    /// `2026-03`, `2026-Q1` or `2026`.
    pub period: String,
    /// RFC 3339, UTC.
    pub closed_at: String,
    /// The name of the token that closed it.
    pub closed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SHA-256 of the snapshot's compact JSON.
    pub sha256: String,
    /// The table or report as it stood.
    pub snapshot: serde_json::Value,
}

impl Closed {
    /// The hash the record should carry for its snapshot.
    pub fn digest(snapshot: &serde_json::Value) -> String {
        hex::encode(kyso_verify::pki::crypto::sha256(
            &serde_json::to_vec(snapshot).unwrap_or_default(),
        ))
    }
}

impl Store {
    fn period_path(&self, period: &str) -> std::path::PathBuf {
        self.dir().join("periods").join(format!("{period}.json"))
    }

    /// Keep `c` durably; `Ok(None)` when the period was closed before (the earlier record
    /// stands). The caller serialises closings.
    pub fn close_period(&self, c: &Closed) -> Result<Option<()>, StoreError> {
        let path = self.period_path(&c.period);
        if path.exists() {
            return Ok(None);
        }
        let json = serde_json::to_vec_pretty(c).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            what: e.to_string(),
        })?;
        write_durably(
            &self.dir().join("tmp").join(format!("period-{}", c.period)),
            &path,
            &json,
        )?;
        Ok(Some(()))
    }

    /// The closing record of `period`, if it was closed.
    pub fn closed_period(&self, period: &str) -> Result<Option<Closed>, StoreError> {
        let path = self.period_path(period);
        match fs::read(&path) {
            Ok(data) => serde_json::from_slice(&data)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    path,
                    what: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }
}
