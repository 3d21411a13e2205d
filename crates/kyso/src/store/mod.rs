//! The evidence store.
//!
//! What cannot be recomputed (the PDF bytes, the submission record, registry changes) lives in
//! content-addressed files. sled holds the indexes (by month, by signer) and the registry, but
//! only as a cache of those files: it is rebuilt from them when it is missing, from another
//! schema version, or broken by a storage fault.
//!
//! The durability protocol (ARCHITECTURE.md, "Evidence"): an upload is received through an
//! [`Intake`], which hashes the bytes it keeps; a verified submission is handed to the
//! [committer](committer), which writes blob then record for a whole batch, syncs the file
//! system once, indexes the batch, and only then answers. A failure at any step removes the
//! batch's files again, so a blob and its record appear together or not at all.
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
//! quarantine/                     files set aside at start (a blob without its record, ...)
//! ```

pub mod audit;
pub mod backup;
mod check;
mod committer;
mod error;
mod faults;
mod health;
mod index;
mod intake;
mod layout;
pub mod migrate;
pub mod periods;
pub mod postgres;
mod record;
pub mod registry;
pub mod reminders;
mod sweep;
pub mod users;

pub use committer::Committed;
pub use error::{Fault, StoreError};
pub use health::{Health, Stats};
pub use intake::{Intake, Received};
pub use layout::Step;

use crate::duty::period::Month;
use crate::duty::registry::Registry;
use crate::duty::submission::Submission;
use error::io;
use faults::Faults;
use index::Index;
use layout::Layout;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReindexStats {
    pub submissions: usize,
    pub units: usize,
    pub leaders: usize,
}

pub(crate) struct Inner {
    layout: Layout,
    /// `None` while the index is being rebuilt.
    index: RwLock<Option<Index>>,
    /// The registry as the index holds it, decoded once.
    registry: RwLock<Arc<Registry>>,
    /// The index of the current registry, built when first asked for after a change.
    lookup: Mutex<Option<Arc<crate::duty::registry::lookup::Lookup>>>,
    count: AtomicU64,
    /// Bytes the uploads in progress hold in memory ([`intake::MEMORY_HELD_LIMIT`]).
    held: Arc<std::sync::atomic::AtomicUsize>,
    faults: Arc<Faults>,
    health: Mutex<Health>,
    stats: Stats,
    /// The PostgreSQL store, when the data lives there (`store = "postgres://…"`): then the
    /// data directory holds only uploads in progress and this instance's index.
    db: Option<Arc<postgres::Database>>,
    /// Writes to the index from two threads take turns (over PostgreSQL: this instance's
    /// committer or edit, and another instance's change announced), so the registry put in
    /// force is the one the trees hold and the count counts each submission once.
    index_turns: Mutex<()>,
    /// Over PostgreSQL: the registry version the registry in force was read at (a registry
    /// write builds on it, or is refused with 409).
    registry_version: std::sync::atomic::AtomicI64,
    /// The registry's settings last read (given when a read fails).
    settings_seen: Mutex<registry::Settings>,
    /// Over PostgreSQL, while a fresh index is built: what changed meanwhile.
    journal: Mutex<Option<postgres::resync::Journal>>,
    /// Over PostgreSQL: the audit log as read at a registry version.
    audit_seen: Mutex<Option<(i64, Arc<Vec<audit::Change>>)>>,
}

pub struct Store {
    inner: Arc<Inner>,
    committer: OnceLock<committer::Handle>,
    /// A scratch directory of this store's own (a command beside PostgreSQL instances: its
    /// index and uploads), removed when the store is dropped.
    scratch: Option<PathBuf>,
}

impl Drop for Store {
    /// Stop the committer (it finishes the batch in hand) so the data directory is free again.
    fn drop(&mut self) {
        if let Some(h) = self.committer.take() {
            h.stop();
        }
        if let Some(dir) = self.scratch.take() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn create_dirs(dir: &Path) -> Result<(), StoreError> {
    for sub in [
        "blobs",
        "submissions",
        "registry/units",
        "registry/leaders",
        "periods",
        "tmp",
    ] {
        let p = dir.join(sub);
        fs::create_dir_all(&p).map_err(io(&p))?;
    }
    Ok(())
}

fn check_schema(dir: &Path) -> Result<(), StoreError> {
    let version = dir.join("VERSION");
    match fs::read_to_string(&version) {
        Ok(v) if v.trim() == SCHEMA_VERSION.to_string() => Ok(()),
        Ok(v) => Err(StoreError::Schema {
            path: dir.to_path_buf(),
            found: v.trim().to_string(),
        }),
        Err(_) => layout::write_durably(
            &dir.join("tmp").join("VERSION"),
            &version,
            format!("{SCHEMA_VERSION}\n").as_bytes(),
        ),
    }
}

impl Inner {
    /// Run `f` on the index, or answer [`StoreError::Recovering`] while it is rebuilt.
    fn with_index<T>(
        &self,
        f: impl FnOnce(&Index) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let g = self.index.read().map_err(|_| StoreError::Recovering)?;
        match g.as_ref() {
            Some(i) => f(i),
            None => Err(StoreError::Recovering),
        }
    }

    fn record_json(&self, sub: &Submission) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec_pretty(sub).map_err(|e| StoreError::Corrupt {
            path: self.layout.record(&sub.id),
            what: e.to_string(),
        })
    }

    /// Put `r` (the records as indexed) in force, with the registry's settings from
    /// `registry/settings.json`.
    fn set_registry(&self, mut r: Registry) {
        r.tracking_from = self.settings().tracking_from;
        if let Ok(mut g) = self.registry.write() {
            *g = Arc::new(r);
        }
    }

    /// Clear the index and fill it again from the files.
    fn rebuild(&self, index: &Index) -> Result<ReindexStats, StoreError> {
        if let Some(db) = &self.db {
            return self.rebuild_from_db(db, index);
        }
        index.clear()?;
        let mut stats = ReindexStats::default();
        for p in sweep::files_in_shards(&self.layout.dir.join("submissions"), "json")? {
            let data = fs::read(&p).map_err(io(&p))?;
            let sub: Submission =
                serde_json::from_slice(&data).map_err(|e| StoreError::Corrupt {
                    path: p.clone(),
                    what: e.to_string(),
                })?;
            if !self.layout.blob(&sub.id).exists() {
                return Err(StoreError::Corrupt {
                    path: p,
                    what: "its PDF is missing from blobs/".into(),
                });
            }
            index.insert_submission(&sub, &data)?;
            stats.submissions += 1;
        }
        for (kind, tree) in [("units", &index.units), ("leaders", &index.leaders)] {
            let d = self.layout.dir.join("registry").join(kind);
            for f in fs::read_dir(&d).map_err(io(&d))?.flatten() {
                let p = f.path();
                let Some(id) = p.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
                    continue;
                };
                tree.insert(id.as_bytes(), fs::read(&p).map_err(io(&p))?)?;
                if kind == "units" {
                    stats.units += 1;
                } else {
                    stats.leaders += 1;
                }
            }
        }
        // The files must still form a valid registry.
        let registry = index.registry()?;
        registry.validate()?;
        index.set_schema_version(SCHEMA_VERSION)?;
        index.flush()?;
        self.set_registry(registry);
        self.count
            .store(stats.submissions as u64, Ordering::Relaxed);
        Ok(stats)
    }

    /// Drop the index and build it again from the files (after a storage fault).
    fn recover_index(&self) -> Result<(), StoreError> {
        let mut g = self.index.write().map_err(|_| StoreError::Recovering)?;
        *g = None;
        let index = Index::open(&self.layout.dir.join("index"))?;
        self.rebuild(&index)?;
        *g = Some(index);
        Ok(())
    }

    /// Take the index's turn for a write (see `index_turns`).
    fn index_turn(&self) -> std::sync::MutexGuard<'_, ()> {
        match self.index_turns.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn note_fault(&self, e: &StoreError) {
        if let (Some(f), Ok(mut h)) = (e.fault(), self.health.lock()) {
            if h.fault.is_none() {
                h.since = Some(std::time::SystemTime::now());
            }
            h.fault = Some(f);
        }
    }

    fn note_ok(&self) {
        if let Ok(mut h) = self.health.lock() {
            h.fault = None;
            h.since = None;
        }
    }
}

impl Store {
    /// Open (creating if needed) the data directory: set aside what an interrupted batch left,
    /// and rebuild the index if it is missing or from another schema version.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_dirs(dir)?;
        check_schema(dir)?;
        let layout = Layout {
            dir: dir.to_path_buf(),
        };
        sweep::empty_tmp(&layout)?;
        let index_dir = dir.join("index");
        let fresh = !index_dir.exists();
        let index = Index::open(&index_dir)?;
        let inner = Inner {
            layout,
            registry: RwLock::new(Arc::new(Registry::default())),
            lookup: Mutex::new(None),
            count: AtomicU64::new(0),
            held: Arc::default(),
            faults: Arc::default(),
            health: Mutex::new(Health {
                index_ok: true,
                ..Health::default()
            }),
            index: RwLock::new(None),
            stats: Stats::default(),
            db: None,
            index_turns: Mutex::new(()),
            registry_version: Default::default(),
            settings_seen: Mutex::default(),
            journal: Mutex::default(),
            audit_seen: Mutex::default(),
        };
        sweep::orphans(&inner.layout, &index, fresh)?;
        if fresh
            || index.schema_version()?.as_deref() != Some(&SCHEMA_VERSION.to_string())
            || !index.is_current()?
        {
            inner.rebuild(&index)?;
        } else {
            inner.set_registry(index.registry()?);
            inner.count.store(index.len() as u64, Ordering::Relaxed);
        }
        if let Ok(mut g) = inner.index.write() {
            *g = Some(index);
        }
        Ok(Store {
            inner: Arc::new(inner),
            committer: OnceLock::new(),
            scratch: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.layout.dir
    }

    pub fn blob_path(&self, id: &str) -> PathBuf {
        self.inner.layout.blob(id)
    }

    /// Start receiving an upload.
    pub fn intake(&self) -> Intake {
        Intake::new(
            self.inner.layout.clone(),
            self.inner.faults.clone(),
            self.inner.held.clone(),
        )
    }

    /// Hand a verified submission (or, with `sub` = `None`, a duplicate of stored bytes) to the
    /// committer. The answer comes once the batch it joined is durable, or has been undone.
    pub fn commit(
        &self,
        received: Received,
        sub: Option<Submission>,
    ) -> tokio::sync::oneshot::Receiver<Result<Committed, StoreError>> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        let tx = self
            .committer
            .get_or_init(|| committer::spawn(self.inner.clone()));
        // If the committer is gone, `reply` is dropped and the receiver reports it.
        self.inner.stats.queued.fetch_add(1, Ordering::Relaxed);
        let _ = tx.jobs.send(committer::Job {
            received,
            sub,
            reply,
        });
        rx
    }

    /// [`Store::commit`] for callers outside an async runtime.
    pub fn commit_blocking(
        &self,
        received: Received,
        sub: Option<Submission>,
    ) -> Result<Committed, StoreError> {
        self.commit(received, sub)
            .blocking_recv()
            .map_err(|_| StoreError::Recovering)?
    }

    /// The committer's counters and sync latency.
    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    pub fn health(&self) -> Health {
        let mut h = self
            .inner
            .health
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        h.index_ok = self
            .inner
            .index
            .read()
            .map(|g| g.is_some())
            .unwrap_or(false);
        h
    }

    /// A storage fault met outside the committer (an upload spilling to `tmp/`): `/readyz`
    /// reports it until the committer's probe finds the disk writable again.
    pub fn note_error(&self, e: &StoreError) {
        self.inner.note_fault(e);
    }

    /// Test-only: make `step` fail with `errno` until cleared with `None`.
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Option<(Step, i32)>) {
        self.inner.faults.set(fault);
    }

    pub fn get(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        self.inner.with_index(|i| i.get(id))
    }

    /// Whether `id` is stored (without decoding its record).
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.inner.with_index(|i| i.contains(id))
    }

    /// The CRL addresses named by the signer certificates of the stored signatures that
    /// `vouched` accepts (the caller decides which chains vouch for their addresses), each once.
    pub fn signer_crl_urls(
        &self,
        vouched: impl Fn(&kyso_verify::report::SignatureReport) -> bool,
    ) -> Result<Vec<String>, StoreError> {
        let mut urls = std::collections::BTreeSet::new();
        for sub in self.all()? {
            for sig in sub.report.signatures.iter().filter(|s| vouched(s)) {
                if let Some(s) = &sig.signer {
                    urls.extend(s.crl_urls.iter().cloned());
                }
            }
        }
        Ok(urls.into_iter().collect())
    }

    /// The ids of every stored submission.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        self.inner.with_index(|i| i.ids())
    }

    fn load(&self, ids: Vec<String>) -> Result<Vec<Submission>, StoreError> {
        self.inner.with_index(|i| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(i.get(&id)?);
            }
            Ok(out)
        })
    }

    /// Submissions with a signature dated in `month` (Vietnam time).
    pub fn in_month(&self, month: Month) -> Result<Vec<Submission>, StoreError> {
        let ids = self.inner.with_index(|i| i.month_ids(month))?;
        self.load(ids)
    }

    /// The crediting facts ([`Submission::crediting_facts`]) of the submissions signed in
    /// `month`: what the Office's tables need, without decoding full records.
    pub fn facts_in_month(&self, month: Month) -> Result<Vec<Submission>, StoreError> {
        self.inner.with_index(|i| i.month_facts(month))
    }

    /// The generation of `month`'s crediting facts (see `Index::month_generation`): read it
    /// before [`Store::facts_in_month`], and an equal number later means equal facts.
    pub fn month_generation(&self, month: Month) -> Result<u64, StoreError> {
        self.inner.with_index(|i| Ok(i.month_generation(month)))
    }

    /// The submissions of `month` whose crediting facts changed after generation `since`, with
    /// the month's generation now; `None` when the whole month must be read again.
    pub fn month_changes_since(
        &self,
        month: Month,
        since: u64,
    ) -> Result<Option<(u64, Vec<String>)>, StoreError> {
        self.inner
            .with_index(|i| Ok(i.month_changes_since(month, since)))
    }

    /// The crediting facts of submission `id` in `month`, if it is signed in that month.
    pub fn month_fact(&self, month: Month, id: &str) -> Result<Option<Submission>, StoreError> {
        self.inner.with_index(|i| i.month_fact(month, id))
    }

    /// Every submission that concerns `month`: signed in it, or received in it (Vietnam time),
    /// newest receipt first. Unsigned and unreadable-time files are found by their receipt.
    pub fn concerning(&self, month: Month) -> Result<Vec<Submission>, StoreError> {
        let mut ids = self.inner.with_index(|i| {
            let mut v = i.month_ids(month)?;
            v.extend(i.received_ids(month)?);
            Ok(v)
        })?;
        ids.sort();
        ids.dedup();
        let mut subs = self.load(ids)?;
        subs.sort_by_key(|s| std::cmp::Reverse(s.received_at));
        Ok(subs)
    }

    /// Submissions with a signature dated in `month` by one of `fingerprints`: the few a
    /// receipt compares itself with.
    pub fn in_month_signed_by(
        &self,
        month: Month,
        fingerprints: &[String],
    ) -> Result<Vec<Submission>, StoreError> {
        let ids = self.inner.with_index(|i| {
            let mut ids = Vec::new();
            for fp in fingerprints {
                for id in i.signer_ids(fp)? {
                    if !ids.contains(&id) && i.in_month(month, &id)? {
                        ids.push(id);
                    }
                }
            }
            Ok(ids)
        })?;
        self.load(ids)
    }

    pub fn by_signer(&self, fingerprint: &str) -> Result<Vec<String>, StoreError> {
        self.inner.with_index(|i| i.signer_ids(fingerprint))
    }

    pub fn all(&self) -> Result<Vec<Submission>, StoreError> {
        self.inner.with_index(|i| i.all())
    }

    /// The number of stored submissions (O(1)).
    pub fn count(&self) -> u64 {
        self.inner.count.load(Ordering::Relaxed)
    }

    /// Rebuild every sled tree from the files.
    pub fn reindex(&self) -> Result<ReindexStats, StoreError> {
        self.inner.with_index(|i| self.inner.rebuild(i))
    }

    /// Re-hash every blob and compare records, blobs and index (`kyso store verify`).
    pub fn check(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<check::Report, StoreError> {
        if let Some(db) = &self.inner.db {
            return self.check_database(db, progress);
        }
        self.inner
            .with_index(|i| check::run(&self.inner.layout, i, progress))
    }
}
