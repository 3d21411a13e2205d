//! The use cases: the only code that joins the store, the duty rules and the verifier. The API
//! and the pages call the same functions here, with the same [`App`].

pub mod accounts;
pub mod batch;
pub mod closing;
pub mod credit_cache;
pub mod enrolment;
pub mod error;
pub mod figures;
pub mod late;
pub mod listing;
pub mod month_move;
pub mod online;
pub mod receipt;
pub mod registry_edit;
pub mod registry_import;
pub mod reminders;
pub mod reverify;
pub mod submit;
pub mod tables;

use crate::duty::credit::TimePolicy;
use crate::metrics::Histogram;
use crate::net::ocsp_fetch::OcspClient;
use crate::store::Store;
use error::AppError;
use kyso_verify::pki::TrustStore;
use kyso_verify::verify::Options;
use std::sync::{Arc, RwLock};

/// What every use case works with: the evidence store, the trust store in force, the
/// verifier's options and the time policy, the months kept credited, and the limits on work
/// running at once.
pub struct App {
    pub store: Arc<Store>,
    /// Replaced when CRLs are refreshed.
    trust: RwLock<Arc<TrustStore>>,
    pub opts: Options,
    pub policy: TimePolicy,
    /// Months already credited, for the tables ([`credit_cache`]).
    pub credits: credit_cache::CreditCache,
    /// Bounds the verifications running at once (and so their memory).
    pub verify_slots: tokio::sync::Semaphore,
    /// Serialises registry changes, closings, late acceptances and re-verification.
    pub write_lock: tokio::sync::Mutex<()>,
    /// The OCSP client when `ocsp_online` (answers cached across uploads).
    pub ocsp: Option<Arc<OcspClient>>,
    /// The client fetching the issuers signatures lack from their caIssuers addresses, when
    /// `fetch_ca_issuers` (certificates cached across uploads).
    pub issuers: Option<Arc<crate::net::ca_issuers::IssuerClient>>,
    /// The longest one upload's verification may take, waiting for a slot and for the OCSP
    /// responders included.
    pub verify_within: std::time::Duration,
    /// The longest one upload waits for the OCSP responders, in all.
    pub ocsp_within: std::time::Duration,
    /// Who files: the letterhead of the sheets filed and downloaded (`[office]`).
    pub letterhead: crate::export::letterhead::Letterhead,
    pub stats: Stats,
}

/// What the use cases measure, for `/metrics`.
#[derive(Debug, Default)]
pub struct Stats {
    /// One verification, from its slot to its report.
    pub verify_seconds: Histogram,
    /// From handing a submission to the committer to its answer (durable or undone).
    pub commit_seconds: Histogram,
}

impl App {
    pub fn new(
        store: Store,
        trust: TrustStore,
        opts: Options,
        policy: TimePolicy,
        ocsp: Option<Arc<OcspClient>>,
    ) -> App {
        let slots = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        App {
            store: Arc::new(store),
            trust: RwLock::new(Arc::new(trust)),
            opts,
            policy,
            credits: Default::default(),
            verify_slots: tokio::sync::Semaphore::new(slots),
            write_lock: tokio::sync::Mutex::new(()),
            ocsp,
            issuers: None,
            verify_within: std::time::Duration::from_secs(60),
            ocsp_within: std::time::Duration::from_secs(5),
            letterhead: Default::default(),
            stats: Stats::default(),
        }
    }

    /// The trust store in force.
    pub fn trust(&self) -> Arc<TrustStore> {
        match self.trust.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Put `trust` in force (after a CRL refresh): the next verification uses it.
    pub fn set_trust(&self, trust: TrustStore) {
        match self.trust.write() {
            Ok(mut g) => *g = Arc::new(trust),
            Err(p) => *p.into_inner() = Arc::new(trust),
        }
    }
}

/// Run blocking work (the store, files, tables) on the blocking pool, off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}
