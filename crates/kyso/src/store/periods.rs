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
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub closed_at: time::OffsetDateTime,
    /// The name of the token that closed it.
    pub closed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SHA-256 of the snapshot's compact JSON.
    pub sha256: String,
    /// The table or report as it stood.
    pub snapshot: serde_json::Value,
    /// The files the Office filed, as they were made at closing (`periods/<period>.<ext>`),
    /// downloadable again byte for byte ("bản đã chốt").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FiledFile>,
}

/// A file filed at closing.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FiledFile {
    /// `<period>.xlsx` or `<period>.csv`.
    pub name: String,
    pub sha256: String,
    pub size: u64,
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

    /// Keep `c` durably with the files it names (`files`: name and bytes, written first; the
    /// record last); `Ok(None)` when the period was closed before (the earlier record stands).
    /// The caller serialises closings.
    pub fn close_period(
        &self,
        c: &Closed,
        files: &[(String, Vec<u8>)],
    ) -> Result<Option<()>, StoreError> {
        let path = self.period_path(&c.period);
        let closed = match &self.inner.db {
            Some(_) => self.closed_period(&c.period)?.is_some(),
            None => path.exists(),
        };
        if closed {
            return Ok(None);
        }
        for (name, _) in files {
            let safe = name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
            if !safe || name.starts_with('.') || name.ends_with(".json") {
                return Err(StoreError::Corrupt {
                    path: self.dir().join("periods").join(name),
                    what: "not a name for a filed file".into(),
                });
            }
        }
        if let Some(db) = &self.inner.db {
            let w = super::postgres::Write {
                records: vec![(
                    super::postgres::Kind::Period,
                    c.period.clone(),
                    super::postgres::to_value(c)?,
                )],
                files: files.to_vec(),
                ..Default::default()
            };
            return Ok(match db.write(w)? {
                super::postgres::Written::PeriodClosed => None,
                _ => Some(()),
            });
        }
        for (name, bytes) in files {
            write_durably(
                &self.dir().join("tmp").join(format!("filed-{name}")),
                &self.dir().join("periods").join(name),
                bytes,
            )?;
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

    /// A file filed when `period` was closed, as it was made.
    pub fn filed_file(&self, period: &str, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(c) = self.closed_period(period)? else {
            return Ok(None);
        };
        let Some(f) = c.files.iter().find(|f| f.name == name) else {
            return Ok(None);
        };
        let path = self.dir().join("periods").join(&f.name);
        let data = match &self.inner.db {
            Some(db) => db
                .filed(&f.name)?
                .ok_or_else(|| StoreError::Mismatch { id: f.name.clone() })?,
            None => fs::read(&path).map_err(io(&path))?,
        };
        if hex::encode(kyso_verify::pki::crypto::sha256(&data)) != f.sha256 {
            return Err(StoreError::Mismatch { id: f.name.clone() });
        }
        Ok(Some(data))
    }

    /// Every closed period, in order.
    pub fn closed_periods(&self) -> Result<Vec<Closed>, StoreError> {
        if let Some(db) = &self.inner.db {
            return db
                .all(super::postgres::Kind::Period)?
                .into_iter()
                .map(|(_, v)| serde_json::from_value(v).map_err(super::postgres::db_error))
                .collect();
        }
        let dir = self.dir().join("periods");
        let mut out = Vec::new();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io(&dir)(e)),
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(period) = name.strip_suffix(".json") {
                out.extend(self.closed_period(period)?);
            }
        }
        out.sort_by(|a, b| a.period.cmp(&b.period));
        Ok(out)
    }

    /// The closing record of `period`, if it was closed.
    pub fn closed_period(&self, period: &str) -> Result<Option<Closed>, StoreError> {
        if let Some(db) = &self.inner.db {
            return db
                .one(super::postgres::Kind::Period, period)?
                .map(|v| serde_json::from_value(v).map_err(super::postgres::db_error))
                .transpose();
        }
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
