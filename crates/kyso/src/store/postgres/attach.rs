//! A store over PostgreSQL: opening it, building this instance's index from the database, and
//! keeping that index current with what the other instances write ([`Change`]).

use super::{Change, Database};
use crate::duty::submission::Submission;
use crate::store::index::Index;
use crate::store::layout::Layout;
use crate::store::{Health, Inner, ReindexStats, Stats, Store, StoreError, SCHEMA_VERSION};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

/// Records read per query while building the index.
const PAGE: i64 = 2000;

impl Store {
    /// Open the store in the database at `url` (migrating its schema), with `local` for this
    /// instance's uploads in progress and index (rebuilt from the database at every start).
    pub fn open_postgres(url: &str, pool: usize, local: &Path) -> Result<Store, StoreError> {
        Store::open_postgres_at(&super::Target::new(url, pool), local)
    }

    /// [`Store::open_postgres`] for a [`super::Target`] (its TLS included).
    pub fn open_postgres_at(target: &super::Target, local: &Path) -> Result<Store, StoreError> {
        let db = Database::open_target(target)?;
        for sub in ["tmp"] {
            let p = local.join(sub);
            std::fs::create_dir_all(&p).map_err(crate::store::error::io(&p))?;
        }
        let layout = Layout {
            dir: local.to_path_buf(),
        };
        crate::store::sweep::empty_tmp(&layout)?;
        // This instance's index is read from the database at every start (and any left by a
        // resync that was cut short goes too).
        for entry in std::fs::read_dir(local)
            .map_err(crate::store::error::io(local))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "index" || name.starts_with("index-") {
                let p = entry.path();
                std::fs::remove_dir_all(&p).map_err(crate::store::error::io(&p))?;
            }
        }
        let index_dir = local.join("index");
        let index = Index::open(&index_dir)?;
        let inner = Arc::new(Inner {
            layout,
            registry: RwLock::new(Arc::default()),
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
            db: Some(db.clone()),
            index_turns: Mutex::new(()),
            registry_version: Default::default(),
            settings_seen: Mutex::default(),
            journal: Mutex::default(),
            audit_seen: Mutex::default(),
        });
        // Listen before reading, so nothing written meanwhile is missed.
        let (tx, rx) = std::sync::mpsc::channel();
        db.listen(tx);
        match rx.recv_timeout(super::CONNECT_WITHIN * 2) {
            Ok(Change::Listening) => {}
            _ => {
                return Err(super::db_error(
                    "cannot listen for the other instances' changes",
                ))
            }
        }
        inner.rebuild(&index)?;
        if let Ok(mut g) = inner.index.write() {
            *g = Some(index);
        }
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("kyso-listen".into())
            .spawn(move || follow(&weak, &rx))
            .map_err(|e| super::db_error(format!("cannot start the listening thread: {e}")))?;
        Ok(Store {
            inner,
            committer: OnceLock::new(),
            scratch: None,
        })
    }

    /// [`Store::open_postgres_at`] with a scratch directory of its own under the system's
    /// temporary directory, removed when the store is dropped (the commands run beside the
    /// instances: `store verify`, `registry import`, `store migrate`, ...).
    pub fn open_postgres_scratch(target: &super::Target) -> Result<Store, StoreError> {
        let local = std::env::temp_dir().join(format!(
            "kyso-command-{}-{}",
            std::process::id(),
            crate::store::layout::unique()
        ));
        match Store::open_postgres_at(target, &local) {
            Ok(mut s) => {
                s.scratch = Some(local);
                Ok(s)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&local);
                Err(e)
            }
        }
    }

    /// The PostgreSQL store, when the data lives there.
    pub fn database(&self) -> Option<&Arc<Database>> {
        self.inner.db.as_ref()
    }
}

/// The least time between two resyncs.
const RESYNC_GAP: std::time::Duration = std::time::Duration::from_secs(10);

/// How often the follower looks whether a failed operation calls for reading everything again.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Apply the announcements to the index until the store is dropped; read everything again
/// (`resync`) after a lost connection, an announcement that could not be applied, or a failed
/// operation (once the database answers again).
fn follow(inner: &Weak<Inner>, rx: &Receiver<Change>) {
    let mut pending = false;
    // A resync reads every record (45 s for 840,000): after one, the next waits a while, so
    // operations failing in a row (a flapping database) do not keep the instance reading.
    let mut last: Option<std::time::Instant> = None;
    loop {
        let got = rx.recv_timeout(LOOK_EVERY);
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let Some(db) = inner.db.clone() else {
            return;
        };
        match got {
            Ok(Change::Resync) => pending = true,
            Ok(change) => {
                if let Err(e) = inner.apply(&change) {
                    tracing::warn!("applying another instance's change ({change:?}): {e}");
                    pending = true;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
        pending |= db.take_troubled();
        let rested = last.is_none_or(|t| t.elapsed() >= RESYNC_GAP);
        if pending && rested && db.ping().is_ok() {
            last = Some(std::time::Instant::now());
            match inner.resync(&db) {
                Ok(()) => pending = false,
                Err(e) => tracing::warn!("reading the index again from the database: {e}"),
            }
        }
        // A failed ping or resync marks the database troubled again: tried at the next look.
        db.take_troubled();
    }
}

impl Inner {
    fn apply(&self, change: &Change) -> Result<(), StoreError> {
        let Some(db) = &self.db else {
            return Ok(());
        };
        match change {
            Change::Listening => Ok(()),
            Change::Submission(id) => {
                let Some(record) = db.record(id)? else {
                    return Ok(());
                };
                let sub: Submission = serde_json::from_value(record).map_err(super::db_error)?;
                let json = self.record_json(&sub)?;
                let _turn = self.index_turn();
                self.journal_id(id);
                self.with_index(|i| {
                    match i.get(id)? {
                        Some(old) if self.record_json(&old)? == json => return Ok(()),
                        Some(old) => i.remove_submission(&old)?,
                        None => {
                            self.count.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    i.insert_submission(&sub, &json)
                })
            }
            Change::Registry => {
                let _turn = self.index_turn();
                self.journal_registry();
                self.with_index(|i| self.registry_into(db, i))
            }
            Change::Resync => self.resync(db),
        }
    }

    /// Bring the index's registry trees to what the database holds and put that registry in
    /// force. The trees are never emptied on the way (a request reading the registry meanwhile
    /// sees the old records or the new, never none), and registry writes take turns.
    fn registry_from_db(&self, db: &Database, index: &Index) -> Result<(), StoreError> {
        let _turn = self.index_turn();
        self.registry_into(db, index)
    }

    /// [`Self::registry_from_db`] with the index's turn already taken.
    pub(crate) fn registry_into(&self, db: &Database, index: &Index) -> Result<(), StoreError> {
        use super::records::Kind;
        // The version first: records read after it are at least as new (a write between makes
        // this instance's next edit a 409, never a lost update).
        let version = db.registry_version()?;
        for (kind, tree) in [(Kind::Unit, &index.units), (Kind::Leader, &index.leaders)] {
            let mut keep = std::collections::HashSet::new();
            for (id, record) in db.all(kind)? {
                let json = serde_json::to_vec_pretty(&record).map_err(super::db_error)?;
                tree.insert(id.as_bytes(), json)?;
                keep.insert(id.into_bytes());
            }
            for key in tree.iter().keys() {
                let key = key?;
                if !keep.contains(key.as_ref()) {
                    tree.remove(key)?;
                }
            }
        }
        let registry = index.registry()?;
        self.set_registry(registry);
        self.registry_version.store(version, Ordering::SeqCst);
        Ok(())
    }

    /// Clear the index and fill it from the database (at start, and after a lost connection).
    pub(crate) fn rebuild_from_db(
        &self,
        db: &Database,
        index: &Index,
    ) -> Result<ReindexStats, StoreError> {
        index.clear()?;
        let mut stats = ReindexStats::default();
        let mut after = String::new();
        loop {
            let page = db.records_after(&after, PAGE)?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after = last.clone();
            for (_, record) in page {
                let sub: Submission = serde_json::from_value(record).map_err(super::db_error)?;
                let json = self.record_json(&sub)?;
                index.insert_submission(&sub, &json)?;
                stats.submissions += 1;
            }
        }
        self.registry_from_db(db, index)?;
        let registry = self.registry();
        stats.units = registry.units.len();
        stats.leaders = registry.leaders.len();
        registry.validate()?;
        index.set_schema_version(SCHEMA_VERSION)?;
        self.count
            .store(stats.submissions as u64, Ordering::Relaxed);
        Ok(stats)
    }
}

impl Store {
    /// `kyso store verify` over PostgreSQL: every stored file read back and hashed, each record
    /// describing its own file, and this instance's index holding every record.
    pub(crate) fn check_database(
        &self,
        db: &Database,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<crate::store::check::Report, StoreError> {
        let (total, _) = db.counts()?;
        let total = usize::try_from(total).unwrap_or(0);
        let mut r = crate::store::check::Report::default();
        let mut after = String::new();
        loop {
            let page = db.records_after(&after, PAGE)?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after = last.clone();
            for (id, record) in page {
                r.records += 1;
                progress(r.records, total);
                match serde_json::from_value::<Submission>(record) {
                    Ok(sub) if sub.report.document.sha256 != id => r.problems.push(format!(
                        "{id}: its report describes another file ({})",
                        sub.report.document.sha256
                    )),
                    Ok(_) => {}
                    Err(e) => r.problems.push(format!("{id}: unreadable record: {e}")),
                }
                match db.blob(&id) {
                    Ok(Some(_)) => r.blobs += 1,
                    Ok(None) => r.problems.push(format!("{id}: its PDF is missing")),
                    Err(e) => r.problems.push(format!("{id}: {e}")),
                }
                if self.contains(&id)? {
                    r.indexed += 1;
                } else {
                    r.problems.push(format!("{id}: not in the index"));
                }
            }
        }
        Ok(r)
    }
}

/// The registry as the database holds it (units, leaders, `tracking_from`), without an index:
/// `kyso registry import --dry-run` beside running instances.
pub fn registry_in(db: &Database) -> Result<crate::duty::registry::Registry, StoreError> {
    use super::records::Kind;
    fn records<T: serde::de::DeserializeOwned>(
        db: &Database,
        kind: Kind,
    ) -> Result<Vec<T>, StoreError> {
        db.all(kind)?
            .into_iter()
            .map(|(_, v)| serde_json::from_value(v).map_err(super::db_error))
            .collect()
    }
    let settings: crate::store::registry::Settings = db
        .settings()?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    Ok(crate::duty::registry::Registry {
        units: records(db, Kind::Unit)?,
        leaders: records(db, Kind::Leader)?,
        tracking_from: settings.tracking_from,
        ..Default::default()
    })
}
