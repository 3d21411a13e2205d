//! A stored submission's bytes read back, and its record changed (never its bytes).

use super::error::io;
use super::{layout, postgres, Store, StoreError};
use crate::duty::submission::Submission;
use std::fs;
use time::OffsetDateTime;

impl Store {
    /// The stored bytes of submission `id`, checked against their SHA-256 (from `blobs/`, or
    /// from the database).
    pub fn blob(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(db) = &self.inner.db {
            return db.blob(id);
        }
        let p = self.inner.layout.blob(id);
        let data = match fs::read(&p) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&p)(e)),
        };
        if hex::encode(kyso_verify::pki::crypto::sha256(&data)) != id {
            return Err(StoreError::Mismatch { id: id.to_string() });
        }
        Ok(Some(data))
    }

    /// Replace the report of a stored submission (re-verification), keeping the earlier one in
    /// its history. Durable when it returns.
    pub fn replace_report(
        &self,
        id: &str,
        report: kyso_verify::report::Report,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Submission, StoreError> {
        self.update_submission(id, |sub| {
            let old = std::mem::replace(&mut sub.report, report);
            sub.history.push(crate::duty::submission::HistoryEntry {
                replaced_at: at,
                reason: reason.to_string(),
                report: old,
            });
        })
    }

    /// Change a stored submission's record (never its bytes): written durably, then indexed.
    /// The caller serialises updates.
    pub fn update_submission(
        &self,
        id: &str,
        change: impl FnOnce(&mut Submission),
    ) -> Result<Submission, StoreError> {
        let inner = &self.inner;
        let missing = || StoreError::Corrupt {
            path: inner.layout.record(id),
            what: "no such submission".into(),
        };
        // Over PostgreSQL the record as stored now (another instance may have changed it), and
        // written only if still so.
        let (mut sub, was) = match &inner.db {
            Some(db) => {
                let (v, was) = db.record_at(id)?.ok_or_else(missing)?;
                (serde_json::from_value(v).map_err(postgres::db_error)?, was)
            }
            None => (self.get(id)?.ok_or_else(missing)?, 0),
        };
        let before = self.get(id)?.unwrap_or_else(|| sub.clone());
        change(&mut sub);
        let json = inner.record_json(&sub)?;
        match &inner.db {
            Some(db) => db.update_record(id, postgres::to_value(&sub)?, was)?,
            None => layout::write_durably(
                &inner.layout.fresh_tmp("w"),
                &inner.layout.record(id),
                &json,
            )?,
        }
        let _turn = inner.index_turn();
        inner.journal_id(id);
        inner.with_index(|i| {
            i.remove_submission(&before)?;
            i.insert_submission(&sub, &json)?;
            i.flush()
        })?;
        Ok(sub)
    }
}
