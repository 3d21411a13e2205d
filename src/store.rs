//! The evidence store.
//!
//! What cannot be recomputed (the PDF bytes, the submission record, registry changes) lives in
//! content-addressed files that are fsynced before anyone is told "stored". sled holds the
//! registry and the indexes (by month, by signer) and is flushed too, but it is only a cache of
//! those files: `reindex` rebuilds it, and `open` does so by itself when the index is missing.
//!
//! Layout of the data directory:
//! ```text
//! VERSION                         schema version of the files
//! blobs/ab/<sha256>.pdf           the submitted bytes
//! submissions/ab/<sha256>.json    the submission record (receipt time, report)
//! registry/units/<id>.json        units as last saved
//! registry/leaders/<id>.json      leaders as last saved
//! index/                          sled
//! tmp/                            uploads in progress (emptied at start)
//! ```

use crate::compliance::Submission;
use crate::registry::{Leader, Month, Registry, Unit};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index database: {0}")]
    Index(#[from] sled::Error),
    #[error("{path}: corrupt record: {what}")]
    Corrupt { path: PathBuf, what: String },
    #[error("data directory {path} has schema version {found}; this kyso knows version {SCHEMA_VERSION} (see the README's migration notes)")]
    Schema { path: PathBuf, found: String },
    #[error("registry: {0}")]
    Registry(#[from] crate::registry::RegistryError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    submissions: sled::Tree,
    by_month: sled::Tree,
    by_signer: sled::Tree,
    units: sled::Tree,
    leaders: sled::Tree,
}

/// Make `path` durable: its data, then the directory entry.
fn fsync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReindexStats {
    pub submissions: usize,
    pub units: usize,
    pub leaders: usize,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        for sub in [
            "blobs",
            "submissions",
            "registry/units",
            "registry/leaders",
            "tmp",
        ] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).map_err(io(&p))?;
        }
        let version = dir.join("VERSION");
        match fs::read_to_string(&version) {
            Ok(v) if v.trim() == SCHEMA_VERSION.to_string() => {}
            Ok(v) => {
                return Err(StoreError::Schema {
                    path: dir.to_path_buf(),
                    found: v.trim().to_string(),
                })
            }
            Err(_) => {
                fs::write(&version, format!("{SCHEMA_VERSION}\n")).map_err(io(&version))?;
                fsync_dir(dir)?;
            }
        }
        // Uploads that never finished leave files here; they were never acknowledged.
        let tmp = dir.join("tmp");
        for e in fs::read_dir(&tmp).map_err(io(&tmp))?.flatten() {
            let _ = fs::remove_file(e.path());
        }
        let index_dir = dir.join("index");
        let fresh = !index_dir.exists();
        let db = sled::open(&index_dir)?;
        let store = Store {
            dir: dir.to_path_buf(),
            submissions: db.open_tree("submissions")?,
            by_month: db.open_tree("by_month")?,
            by_signer: db.open_tree("by_signer")?,
            units: db.open_tree("units")?,
            leaders: db.open_tree("leaders")?,
            db,
        };
        let meta = store.db.open_tree("meta")?;
        let indexed_version = meta.get("schema_version")?;
        if fresh || indexed_version.as_deref() != Some(SCHEMA_VERSION.to_string().as_bytes()) {
            store.reindex()?;
            meta.insert("schema_version", SCHEMA_VERSION.to_string().as_bytes())?;
            store.db.flush()?;
        }
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where an upload in progress is written.
    pub fn tmp_path(&self, name: &str) -> PathBuf {
        self.dir.join("tmp").join(name)
    }

    fn sharded(&self, kind: &str, id: &str, ext: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("__");
        self.dir.join(kind).join(shard).join(format!("{id}.{ext}"))
    }

    pub fn blob_path(&self, id: &str) -> PathBuf {
        self.sharded("blobs", id, "pdf")
    }

    fn record_path(&self, id: &str) -> PathBuf {
        self.sharded("submissions", id, "json")
    }

    /// Write `data` to `target` atomically and durably (temp file, fsync, rename, fsync dir).
    fn write_durably(&self, target: &Path, data: &[u8]) -> Result<(), StoreError> {
        let parent = target.parent().unwrap_or(&self.dir);
        fs::create_dir_all(parent).map_err(io(parent))?;
        let tmp = self.tmp_path(&format!("w-{}-{}", std::process::id(), unique()));
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(data).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        fs::rename(&tmp, target).map_err(io(target))?;
        fsync_dir(parent)
    }

    pub fn get(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        match self.submissions.get(id)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    path: self.record_path(id),
                    what: e.to_string(),
                }),
            None => Ok(None),
        }
    }

    /// Store a verified submission whose bytes are in `uploaded` (already fsynced). Returns
    /// false when the same bytes were stored before (the earlier record stays). Durable when it
    /// returns: the client may be told 201.
    pub fn commit(&self, uploaded: &Path, sub: &Submission) -> Result<bool, StoreError> {
        if self.get(&sub.id)?.is_some() {
            let _ = fs::remove_file(uploaded);
            return Ok(false);
        }
        let blob = self.blob_path(&sub.id);
        let parent = blob.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        fs::rename(uploaded, &blob).map_err(io(&blob))?;
        fsync_dir(&parent)?;
        let json = serde_json::to_vec_pretty(sub).map_err(|e| StoreError::Corrupt {
            path: self.record_path(&sub.id),
            what: e.to_string(),
        })?;
        // The record file is the commit point: a blob without a record was never acknowledged.
        self.write_durably(&self.record_path(&sub.id), &json)?;
        self.index_submission(sub, &json)?;
        self.db.flush()?;
        Ok(true)
    }

    /// Replace the report of a stored submission (re-verification), keeping the earlier one in
    /// its history. Durable when it returns.
    pub fn replace_report(
        &self,
        id: &str,
        report: crate::report::Report,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Submission, StoreError> {
        let mut sub = self.get(id)?.ok_or_else(|| StoreError::Corrupt {
            path: self.record_path(id),
            what: "no such submission".into(),
        })?;
        for m in months_of(&sub) {
            self.by_month.remove(format!("{m}/{id}").as_bytes())?;
        }
        let old = std::mem::replace(&mut sub.report, report);
        sub.history.push(crate::compliance::HistoryEntry {
            replaced_at: at.format(&Rfc3339).unwrap_or_default(),
            reason: reason.to_string(),
            report: old,
        });
        let json = serde_json::to_vec_pretty(&sub).map_err(|e| StoreError::Corrupt {
            path: self.record_path(id),
            what: e.to_string(),
        })?;
        self.write_durably(&self.record_path(id), &json)?;
        self.index_submission(&sub, &json)?;
        self.db.flush()?;
        Ok(sub)
    }

    /// The CRL addresses named by the certificates of every stored signer.
    pub fn signer_crl_urls(&self) -> Result<Vec<String>, StoreError> {
        let mut urls = std::collections::BTreeSet::new();
        for sub in self.all()? {
            for sig in &sub.report.signatures {
                if let Some(s) = &sig.signer {
                    urls.extend(s.crl_urls.iter().filter(|u| u.starts_with("http")).cloned());
                }
            }
        }
        Ok(urls.into_iter().collect())
    }

    /// The ids of every stored submission.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        self.submissions
            .iter()
            .keys()
            .map(|k| {
                k.map(|k| String::from_utf8_lossy(&k).into_owned())
                    .map_err(StoreError::from)
            })
            .collect()
    }

    fn index_submission(&self, sub: &Submission, json: &[u8]) -> Result<(), StoreError> {
        self.submissions.insert(sub.id.as_bytes(), json)?;
        for m in months_of(sub) {
            self.by_month
                .insert(format!("{m}/{}", sub.id).as_bytes(), &[])?;
        }
        for s in sub
            .report
            .signatures
            .iter()
            .filter_map(|s| s.signer.as_ref())
        {
            self.by_signer
                .insert(format!("{}/{}", s.sha256, sub.id).as_bytes(), &[])?;
        }
        Ok(())
    }

    /// Submissions with a signature dated in `month` (Vietnam time).
    pub fn in_month(&self, month: Month) -> Result<Vec<Submission>, StoreError> {
        let prefix = format!("{month}/");
        let mut out = Vec::new();
        for kv in self.by_month.scan_prefix(prefix.as_bytes()) {
            let (k, _) = kv?;
            let id = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            if let Some(s) = self.get(&id)? {
                out.push(s);
            }
        }
        Ok(out)
    }

    pub fn by_signer(&self, fingerprint: &str) -> Result<Vec<String>, StoreError> {
        let prefix = format!("{fingerprint}/");
        self.by_signer
            .scan_prefix(prefix.as_bytes())
            .map(|kv| {
                kv.map(|(k, _)| String::from_utf8_lossy(&k[prefix.len()..]).into_owned())
                    .map_err(StoreError::from)
            })
            .collect()
    }

    pub fn all(&self) -> Result<Vec<Submission>, StoreError> {
        self.submissions
            .iter()
            .values()
            .map(|v| {
                let v = v?;
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt {
                    path: self.dir.join("index"),
                    what: e.to_string(),
                })
            })
            .collect()
    }

    pub fn count(&self) -> usize {
        self.submissions.len()
    }

    pub fn registry(&self) -> Result<Registry, StoreError> {
        let mut r = Registry::default();
        for v in self.units.iter().values() {
            r.units.push(
                serde_json::from_slice(&v?).map_err(|e| StoreError::Corrupt {
                    path: self.dir.join("index"),
                    what: e.to_string(),
                })?,
            );
        }
        for v in self.leaders.iter().values() {
            r.leaders.push(
                serde_json::from_slice(&v?).map_err(|e| StoreError::Corrupt {
                    path: self.dir.join("index"),
                    what: e.to_string(),
                })?,
            );
        }
        Ok(r)
    }

    /// Save changed registry records: files first (fsynced), then the index.
    pub fn save_registry(
        &self,
        changed_units: &[&Unit],
        changed_leaders: &[&Leader],
    ) -> Result<(), StoreError> {
        for u in changed_units {
            self.save_record("units", &u.id, u, &self.units)?;
        }
        for l in changed_leaders {
            self.save_record("leaders", &l.id, l, &self.leaders)?;
        }
        self.db.flush()?;
        Ok(())
    }

    fn save_record<T: serde::Serialize>(
        &self,
        kind: &str,
        id: &str,
        value: &T,
        tree: &sled::Tree,
    ) -> Result<(), StoreError> {
        let path = self
            .dir
            .join("registry")
            .join(kind)
            .join(format!("{id}.json"));
        let json = serde_json::to_vec_pretty(value).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            what: e.to_string(),
        })?;
        self.write_durably(&path, &json)?;
        tree.insert(id.as_bytes(), json)?;
        Ok(())
    }

    /// Import (upsert) a registry file's units and leaders.
    pub fn import_registry(&self, incoming: Registry) -> Result<Registry, StoreError> {
        let mut r = self.registry()?;
        r.merge(incoming.clone())?;
        let units: Vec<&Unit> = incoming
            .units
            .iter()
            .filter_map(|u| r.unit(&u.id))
            .collect();
        let leaders: Vec<&Leader> = incoming
            .leaders
            .iter()
            .filter_map(|l| r.leader(&l.id))
            .collect();
        self.save_registry(&units, &leaders)?;
        Ok(r)
    }

    /// Rebuild every sled tree from the files.
    pub fn reindex(&self) -> Result<ReindexStats, StoreError> {
        for t in [
            &self.submissions,
            &self.by_month,
            &self.by_signer,
            &self.units,
            &self.leaders,
        ] {
            t.clear()?;
        }
        let mut stats = ReindexStats::default();
        let subs_dir = self.dir.join("submissions");
        for shard in fs::read_dir(&subs_dir).map_err(io(&subs_dir))?.flatten() {
            let shard_path = shard.path();
            for f in fs::read_dir(&shard_path)
                .map_err(io(&shard_path))?
                .flatten()
            {
                let p = f.path();
                if p.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let data = fs::read(&p).map_err(io(&p))?;
                let sub: Submission =
                    serde_json::from_slice(&data).map_err(|e| StoreError::Corrupt {
                        path: p.clone(),
                        what: e.to_string(),
                    })?;
                if !self.blob_path(&sub.id).exists() {
                    return Err(StoreError::Corrupt {
                        path: p,
                        what: "its PDF is missing from blobs/".into(),
                    });
                }
                self.index_submission(&sub, &data)?;
                stats.submissions += 1;
            }
        }
        for (kind, tree) in [("units", &self.units), ("leaders", &self.leaders)] {
            let d = self.dir.join("registry").join(kind);
            for f in fs::read_dir(&d).map_err(io(&d))?.flatten() {
                let p = f.path();
                let Some(id) = p.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
                    continue;
                };
                let data = fs::read(&p).map_err(io(&p))?;
                tree.insert(id.as_bytes(), data)?;
                if kind == "units" {
                    stats.units += 1;
                } else {
                    stats.leaders += 1;
                }
            }
        }
        // The files must still form a valid registry.
        self.registry()?.validate()?;
        self.db.flush()?;
        Ok(stats)
    }
}

/// Months (Vietnam time) of the signatures of a submission.
pub fn months_of(sub: &Submission) -> Vec<Month> {
    let mut v: Vec<Month> = sub
        .report
        .signatures
        .iter()
        .filter(|s| s.kind == crate::report::SignatureKind::Signature)
        .filter_map(|s| s.signing_time.as_deref())
        .filter_map(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .map(Month::of_vietnam_time)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A process-unique counter for temporary names.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
