//! The reminders sent: one line per e-mail (or failed attempt) in `reminders/sent.jsonl`,
//! synced before the send is reported, so a restart does not remind a unit twice in a month
//! and the Office can see whom it reminded and when. Part of backups.

use super::error::{io, StoreError};
use super::Store;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;

/// The log's place in the data directory.
pub(crate) const SENT: &str = "reminders/sent.jsonl";

/// One reminder: to which unit, for which month, at which address, and how it went.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sent {
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub at: time::OffsetDateTime,
    /// The month reminded about (`YYYY-MM`).
    pub month: String,
    pub unit: String,
    /// The address written to.
    pub to: String,
    /// How many requirements were still missing.
    pub missing: usize,
    /// What sent it: `schedule` (the monthly run) or the token that asked.
    pub by: String,
    /// Absent when the SMTP server accepted the message; otherwise why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Sent {
    /// Whether the server accepted the message.
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

impl Store {
    /// Append reminders durably (one JSON object per line).
    pub(crate) fn record_reminders(&self, sent: &[Sent]) -> Result<(), StoreError> {
        if sent.is_empty() {
            return Ok(());
        }
        if let Some(db) = &self.inner.db {
            let log = sent
                .iter()
                .map(|s| super::postgres::to_value(s).map(|v| (super::postgres::Log::Reminders, v)))
                .collect::<Result<_, _>>()?;
            return db
                .write(super::postgres::Write {
                    log,
                    ..Default::default()
                })
                .map(drop);
        }
        let path = self.dir().join(SENT);
        let mut lines = Vec::new();
        for s in sent {
            serde_json::to_writer(&mut lines, s).map_err(|e| StoreError::Corrupt {
                path: path.clone(),
                what: e.to_string(),
            })?;
            lines.push(b'\n');
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        f.write_all(&lines)
            .and_then(|()| f.sync_data())
            .map_err(io(&path))?;
        // The file may be new: its directory entry must be durable too.
        match path.parent() {
            Some(parent) => super::layout::fsync_dir(parent),
            None => Ok(()),
        }
    }

    /// Every reminder recorded, oldest first (a line that cannot be read is skipped).
    pub fn reminders_sent(&self) -> Result<Vec<Sent>, StoreError> {
        if let Some(db) = &self.inner.db {
            let log = db.log(super::postgres::Log::Reminders)?;
            return Ok(log
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect());
        }
        let path = self.dir().join(SENT);
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
