//! The PostgreSQL store (`store = "postgres://…"`): what the embedded store keeps as files,
//! kept as tables in one database that several kyso instances share (ARCHITECTURE.md, "The
//! PostgreSQL store").
//!
//! The database holds the truth; each instance keeps its sled index as a cache, rebuilt from
//! the database at start and kept current by `LISTEN/NOTIFY` ([`listen`]). The store's code is
//! synchronous (as its file operations are): a [`Database`] runs its own small Tokio runtime
//! and a caller waits for the answer on a plain channel, so it may be called from any thread,
//! inside an async handler's runtime or not.

mod attach;
pub(crate) mod batch;
mod evidence;
mod link;
mod listen;
mod records;
pub(crate) mod resync;
mod schema;
mod turns;

pub use attach::registry_in;
pub(crate) use evidence::{BatchItem, Stored};
pub use link::Target;
pub(crate) use listen::Change;
pub use records::{Kind, Log, Write, Written};
pub use schema::latest as schema_version;
pub use turns::{Turn, Work};

use super::error::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::Client;

/// How long a connection attempt may take before the database counts as unreachable.
pub const CONNECT_WITHIN: Duration = Duration::from_secs(5);
/// How long one operation (a query, a batch's transaction) may take.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(60);
/// The channel the instances announce their changes on.
pub const CHANNEL: &str = "kyso_changes";

type Slot = Arc<tokio::sync::Mutex<Option<Client>>>;
type Op<T> = Box<
    dyn for<'c> FnOnce(
            &'c mut Client,
        ) -> Pin<
            Box<dyn Future<Output = Result<T, tokio_postgres::Error>> + Send + 'c>,
        > + Send,
>;

/// A pool of connections to one database, with the runtime that drives them.
pub struct Database {
    /// Always `Some` until dropped (taken to shut it down without blocking).
    rt: Option<tokio::runtime::Runtime>,
    link: link::Link,
    slots: Vec<Slot>,
    next: AtomicUsize,
    /// This process's name in the announcements (random): its own are not applied again.
    origin: String,
    /// An operation failed since this was last cleared: it may have committed without this
    /// instance's index learning of it (a timeout past `COMMIT`), so the index is read again.
    troubled: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &redacted(&self.link.url))
            .field("pool", &self.slots.len())
            .finish()
    }
}

/// The address with any password left out (for logs and errors).
pub fn redacted(url: &str) -> String {
    match url.parse::<tokio_postgres::Config>() {
        Ok(c) => format!(
            "postgres://{}@{}/{}",
            c.get_user().unwrap_or(""),
            c.get_hosts()
                .iter()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(h) => h.clone(),
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            c.get_dbname().unwrap_or("")
        ),
        Err(_) => "postgres://(unreadable address)".into(),
    }
}

/// A database error as the store reports it: the database is unreachable or refused the
/// operation, which `/readyz` and the uploads' 503 report as [`super::Fault::Unavailable`].
pub(crate) fn db_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database {
        what: e.to_string(),
    }
}

/// A random name for this process's announcements.
fn origin() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::getrandom(&mut b);
    hex::encode(b)
}

/// A record as the database keeps it (`json`).
pub(crate) fn to_value<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(v).map_err(db_error)
}

impl Database {
    /// Connect to `url` with `pool` connections (made as they are first needed), without TLS,
    /// and bring the schema up to date.
    pub fn open(url: &str, pool: usize) -> Result<Arc<Database>, StoreError> {
        Database::open_target(&Target::new(url, pool))
    }

    /// [`Database::open`] for a [`Target`] (its TLS included).
    pub fn open_target(target: &Target) -> Result<Arc<Database>, StoreError> {
        let link = link::Link::new(target)?;
        let pool = target.pool;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kyso-db")
            .enable_all()
            .build()
            .map_err(|e| db_error(format!("cannot start the database runtime: {e}")))?;
        let db = Arc::new(Database {
            rt: Some(rt),
            link,
            slots: (0..pool.max(1)).map(|_| Slot::default()).collect(),
            next: AtomicUsize::new(0),
            origin: origin(),
            troubled: Default::default(),
        });
        db.migrate()?;
        Ok(db)
    }

    pub fn url(&self) -> &str {
        &self.link.url
    }

    /// Run `op` on a pooled connection (connecting first if it is closed) and wait for it.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        op: impl for<'c> FnOnce(
                &'c mut Client,
            ) -> Pin<
                Box<dyn Future<Output = Result<T, tokio_postgres::Error>> + Send + 'c>,
            > + Send
            + 'static,
    ) -> Result<T, StoreError> {
        let op: Op<T> = Box::new(op);
        let slot = self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()].clone();
        let link = self.link.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.spawn(async move {
            let outcome = tokio::time::timeout(ANSWER_WITHIN, on_slot(slot, &link, op))
                .await
                .unwrap_or_else(|_| Err(db_error("no answer from the database within 60 s")));
            let _ = tx.send(outcome);
        });
        let outcome = rx
            .recv()
            .map_err(|_| db_error("the database runtime stopped"))
            .and_then(|r| r);
        if outcome.is_err() {
            self.troubled.store(true, Ordering::SeqCst);
        }
        outcome
    }

    /// Whether an operation failed since the last call (and clear it).
    pub(crate) fn take_troubled(&self) -> bool {
        self.troubled.swap(false, Ordering::SeqCst)
    }

    /// Spawn `fut` on the database runtime (the listener).
    pub(crate) fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        if let Some(rt) = &self.rt {
            rt.spawn(fut);
        }
    }

    /// Whether the database answers now (`/readyz`, the committer's probe).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| Box::pin(async move { c.simple_query("SELECT 1").await.map(drop) }))
    }
}

impl Drop for Database {
    /// Stop the runtime without waiting (a store may be dropped inside another runtime).
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

async fn on_slot<T>(slot: Slot, link: &link::Link, op: Op<T>) -> Result<T, StoreError> {
    let mut guard = slot.lock().await;
    if guard.as_ref().is_none_or(|c| c.is_closed()) {
        *guard = Some(link.connect().await?);
    }
    let Some(client) = guard.as_mut() else {
        return Err(db_error("no connection"));
    };
    let result = op(client).await;
    if let Err(e) = &result {
        // A broken connection is made again by the next operation.
        if e.is_closed() || e.as_db_error().is_none() {
            *guard = None;
        }
    }
    result.map_err(db_error)
}
