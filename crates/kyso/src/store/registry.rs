//! The registry in the store: its records as files (`registry/units/`, `registry/leaders/`)
//! and its settings (`registry/settings.json`: the first month tracked, the certificates not to
//! enrol), indexed in sled and
//! decoded once per change; saved with their audit entries.

use super::audit;
use super::error::StoreError;
use super::layout;
use super::Store;
use crate::duty::registry::{Leader, Registry, Unit};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The registry's settings as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// The first month tracked (`Registry::tracking_from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_from: Option<crate::duty::period::Month>,
    /// Certificates of valid signatures the Office chose not to enrol (a test token, a person
    /// outside the plan): no longer listed as unenrolled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_certificates: Vec<String>,
}

const SETTINGS: &str = "registry/settings.json";

/// The settings in the data directory `dir` (none stored: the defaults).
pub(super) fn read_settings(dir: &Path) -> Settings {
    std::fs::read(dir.join(SETTINGS))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The registry as its files hold it, read without opening the store (so while the service
/// holds it): the records of `registry/units/` and `registry/leaders/`, and the settings.
pub fn read_files(dir: &Path) -> Result<Registry, StoreError> {
    fn records<T: serde::de::DeserializeOwned>(d: &Path) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(super::error::io(d)(e)),
        };
        for f in entries.flatten() {
            let p = f.path();
            let name = f.file_name().to_string_lossy().to_string();
            if !name.ends_with(".json") || name.starts_with('.') {
                continue;
            }
            let bytes = std::fs::read(&p).map_err(super::error::io(&p))?;
            out.push(
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                    path: p.clone(),
                    what: e.to_string(),
                })?,
            );
        }
        Ok(out)
    }
    let reg = dir.join("registry");
    let mut units: Vec<Unit> = records(&reg.join("units"))?;
    let mut leaders: Vec<Leader> = records(&reg.join("leaders"))?;
    units.sort_by(|a, b| a.id.cmp(&b.id));
    leaders.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Registry {
        units,
        leaders,
        tracking_from: read_settings(dir).tracking_from,
        ..Registry::default()
    })
}

impl super::Inner {
    /// The registry in force.
    pub(super) fn registry(&self) -> Arc<Registry> {
        match self.registry.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The registry's settings, from `registry/settings.json` or the database. Over
    /// PostgreSQL a read that fails gives the settings last read (never the defaults, which a
    /// caller could write back over the stored ones).
    pub(super) fn settings(&self) -> Settings {
        match self.settings_read() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("reading the registry's settings: {e}");
                self.settings_seen
                    .lock()
                    .map(|g| g.clone())
                    .unwrap_or_default()
            }
        }
    }

    /// The settings as stored now, or the error.
    pub(super) fn settings_read(&self) -> Result<Settings, StoreError> {
        let s = match &self.db {
            Some(db) => db
                .settings()?
                .map(serde_json::from_value)
                .transpose()
                .map_err(super::postgres::db_error)?
                .unwrap_or_default(),
            None => read_settings(&self.layout.dir),
        };
        if let Ok(mut g) = self.settings_seen.lock() {
            *g = s.clone();
        }
        Ok(s)
    }
}

impl Store {
    /// The registry's settings as stored.
    pub fn settings(&self) -> Settings {
        self.inner.settings()
    }

    /// Save the registry's settings durably with their audit entry (kind `setting`), and put
    /// them in force. The caller has decided the change may be made.
    pub fn save_settings(&self, next: &Settings, entry: &audit::Entry) -> Result<(), StoreError> {
        // Read for real: a write built on settings that could not be read would lose some.
        let before = self.inner.settings_read()?;
        if &before == next {
            return Ok(());
        }
        let id = if before.tracking_from != next.tracking_from {
            "tracking_from"
        } else {
            "hidden_certificates"
        };
        let change = audit::Change {
            at: entry.at,
            by: entry.by.to_string(),
            kind: "setting".into(),
            id: id.into(),
            before: Some(to_json(&before)),
            after: to_json(next),
            correction: entry.correction.map(str::to_string),
        };
        if let Some(db) = &self.inner.db {
            self.inner.write_registry_to(
                db,
                super::postgres::Write {
                    settings: Some(to_json(next)),
                    log: vec![(super::postgres::Log::Audit, to_json(&change))],
                    ..Default::default()
                },
            )?;
            self.inner.set_registry((*self.registry()).clone());
            return Ok(());
        }
        let path = self.dir().join(SETTINGS);
        let json = serde_json::to_vec_pretty(next).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            what: e.to_string(),
        })?;
        layout::write_durably(&self.inner.layout.fresh_tmp("w"), &path, &json)?;
        self.inner.set_registry((*self.registry()).clone());
        self.record_changes(&[change])
    }

    /// The current registry's index ([`crate::duty::registry::lookup::Lookup`]), kept between
    /// requests: building it for 72,000 records costs a table more than crediting its files.
    pub fn lookup(&self) -> Arc<crate::duty::registry::lookup::Lookup> {
        let registry = self.registry();
        let mut cached = match self.inner.lookup.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match cached.as_ref() {
            Some(l) if l.indexes(&registry) => l.clone(),
            _ => {
                let l = Arc::new(crate::duty::registry::lookup::Lookup::new(registry));
                *cached = Some(l.clone());
                l
            }
        }
    }

    pub fn registry(&self) -> Arc<Registry> {
        self.inner.registry()
    }

    /// Save changed registry records, files first (fsynced), then the index, then their audit
    /// entries. The caller has decided the change may be made (`crate::app::registry_edit`).
    pub fn save_registry(
        &self,
        changed_units: &[&Unit],
        changed_leaders: &[&Leader],
        entry: &audit::Entry,
    ) -> Result<(), StoreError> {
        let changes = self.changes(changed_units, changed_leaders, entry);
        self.write_registry(changed_units, changed_leaders, &changes)?;
        match self.inner.db {
            // In the database the audit was written with the records, in one transaction.
            Some(_) => Ok(()),
            None => self.record_changes(&changes),
        }
    }

    /// The audit entries for saving these records (records equal to the stored ones omitted).
    fn changes(
        &self,
        units: &[&Unit],
        leaders: &[&Leader],
        e: &audit::Entry,
    ) -> Vec<audit::Change> {
        let before = self.registry();
        let entry =
            |kind: &str, id: &str, old: Option<serde_json::Value>, new: serde_json::Value| {
                (old.as_ref() != Some(&new)).then(|| audit::Change {
                    at: e.at,
                    by: e.by.to_string(),
                    kind: kind.to_string(),
                    id: id.to_string(),
                    before: old,
                    after: new,
                    correction: e.correction.map(str::to_string),
                })
            };
        let old_units: HashMap<&str, &Unit> =
            before.units.iter().map(|u| (u.id.as_str(), u)).collect();
        let old_leaders: HashMap<&str, &Leader> =
            before.leaders.iter().map(|l| (l.id.as_str(), l)).collect();
        let mut out = Vec::new();
        for u in units {
            let old = old_units.get(u.id.as_str()).map(|u| to_json(*u));
            out.extend(entry("unit", &u.id, old, to_json(*u)));
        }
        for l in leaders {
            let old = old_leaders.get(l.id.as_str()).map(|l| to_json(*l));
            out.extend(entry("leader", &l.id, old, to_json(*l)));
        }
        out
    }

    pub(super) fn write_registry(
        &self,
        changed_units: &[&Unit],
        changed_leaders: &[&Leader],
        changes: &[audit::Change],
    ) -> Result<(), StoreError> {
        let inner = &self.inner;
        let _turn = inner.index_turn();
        inner.journal_registry();
        let written = match &inner.db {
            Some(db) => write_to_database(inner, db, changed_units, changed_leaders, changes)?,
            None => self.write_files(changed_units, changed_leaders)?,
        };
        inner.with_index(|i| {
            for (kind, id, json) in written {
                let tree = if kind == "units" {
                    &i.units
                } else {
                    &i.leaders
                };
                tree.insert(id.as_bytes(), json)?;
            }
            i.flush()?;
            inner.set_registry(i.registry()?);
            Ok(())
        })
    }

    /// Write the changed records under `registry/`: (kind, id, JSON) of each.
    fn write_files(
        &self,
        changed_units: &[&Unit],
        changed_leaders: &[&Leader],
    ) -> Result<Vec<(&'static str, String, Vec<u8>)>, StoreError> {
        let reg = self.inner.layout.dir.join("registry");
        let mut written = Vec::new();
        for u in changed_units {
            written.push((
                "units",
                u.id.clone(),
                self.write_record(&reg.join("units"), &u.id, u)?,
            ));
        }
        for l in changed_leaders {
            written.push((
                "leaders",
                l.id.clone(),
                self.write_record(&reg.join("leaders"), &l.id, l)?,
            ));
        }
        Ok(written)
    }

    fn write_record<T: serde::Serialize>(
        &self,
        dir: &Path,
        id: &str,
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        let path = dir.join(format!("{id}.json"));
        let json = serde_json::to_vec_pretty(value).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            what: e.to_string(),
        })?;
        layout::write_durably(&self.inner.layout.fresh_tmp("w"), &path, &json)?;
        Ok(json)
    }
}

/// The changed records and their audit in one transaction: (kind, id, JSON) of each record.
fn write_to_database(
    inner: &super::Inner,
    db: &super::postgres::Database,
    units: &[&Unit],
    leaders: &[&Leader],
    changes: &[audit::Change],
) -> Result<Vec<(&'static str, String, Vec<u8>)>, StoreError> {
    use super::postgres::{Kind, Log, Write};
    let mut w = Write::default();
    let mut written = Vec::new();
    let mut put = |kind: Kind, name: &'static str, id: &str, value: serde_json::Value| {
        let json = serde_json::to_vec_pretty(&value).unwrap_or_default();
        w.records.push((kind, id.to_string(), value));
        written.push((name, id.to_string(), json));
    };
    for u in units {
        put(Kind::Unit, "units", &u.id, to_json(*u));
    }
    for l in leaders {
        put(Kind::Leader, "leaders", &l.id, to_json(*l));
    }
    w.log = changes.iter().map(|c| (Log::Audit, to_json(c))).collect();
    inner.write_registry_to(db, w)?;
    Ok(written)
}

impl super::Inner {
    /// A registry or settings write, built on the registry version this instance holds: 409
    /// (`StoreError::Conflict`) when another instance wrote meanwhile.
    pub(super) fn write_registry_to(
        &self,
        db: &super::postgres::Database,
        mut w: super::postgres::Write,
    ) -> Result<(), StoreError> {
        use super::postgres::Written;
        use std::sync::atomic::Ordering;
        w.registry_base = Some(self.registry_version.load(Ordering::SeqCst));
        match db.write(w)? {
            Written::RegistryMoved => Err(StoreError::Conflict {
                what: "Danh mục vừa được sửa ở nơi khác; không có gì bị ghi đè: hãy mở lại trang rồi sửa lại (the registry was changed meanwhile, on another instance: reload it and try again)".into(),
            }),
            Written::Done(v) => {
                if let Some(v) = v {
                    self.registry_version.store(v, Ordering::SeqCst);
                }
                Ok(())
            }
            Written::PeriodClosed => Ok(()),
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
