//! What the handlers share: the application ([`App`]), the configuration, and what belongs to
//! HTTP only (per-token upload places, the pages' sessions, the service's counters); and who a
//! request is (its bearer token and the scope it may act in).

use crate::app::error::AppError;
use crate::app::App;
use crate::config::Config;
use crate::net::crl_fetch::Outcome;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest};
use kyso_verify::pki::crypto::sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct AppState {
    pub app: Arc<App>,
    pub config: Config,
    /// The last CRL refresh, for /healthz.
    pub crl_refresh: Mutex<Option<(OffsetDateTime, Outcome)>>,
    /// One registry import read and parsed at a time (a file may be tens of megabytes).
    pub import_slot: tokio::sync::Mutex<()>,
    /// Uploads in progress per token (`max_uploads_per_token`, `max_upload_bytes_per_token`).
    uploads: Mutex<HashMap<String, Arc<TokenUploads>>>,
    pub warnings: Vec<String>,
    pub metrics: super::observe::Metrics,
    /// The pages' browser sessions.
    pub ui_sessions: super::pages::session::Sessions,
    /// The Office's tables computed at once, over all tokens (one per CPU: a table is CPU and
    /// memory, and the kept credits hold 15 months).
    table_slots: Semaphore,
    /// Tables one token (or session) may have in progress at once (429 beyond).
    table_users: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// What sends the reminders, when `[reminders]` is configured.
    pub postman: Option<Arc<dyn crate::net::mail::Postman>>,
    /// One round of reminders at a time (the monthly run or the Office's).
    pub reminder_round: tokio::sync::Mutex<()>,
}

/// Tables one token may ask for at once.
const TABLES_PER_TOKEN: usize = 2;

impl AppState {
    pub fn new(app: App, config: Config, warnings: Vec<String>) -> AppState {
        super::pages::templates::set_letterhead(&app.letterhead.parent, &app.letterhead.office);
        AppState {
            app: Arc::new(app),
            config,
            crl_refresh: Mutex::new(None),
            import_slot: tokio::sync::Mutex::new(()),
            uploads: Mutex::new(HashMap::new()),
            warnings,
            metrics: Default::default(),
            ui_sessions: Default::default(),
            table_slots: Semaphore::new(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2),
            ),
            table_users: Mutex::new(HashMap::new()),
            postman: None,
            reminder_round: tokio::sync::Mutex::new(()),
        }
    }

    /// Compute one of the Office's tables for `who` (a token or a session's name) on the
    /// blocking pool: at most [`TABLES_PER_TOKEN`] of theirs at once (429 beyond), and at most
    /// one per CPU over everyone (the others wait their turn).
    pub(crate) async fn table<T: Send + 'static>(
        &self,
        who: &str,
        f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let mine = match self.table_users.lock() {
            Ok(mut m) => m
                .entry(who.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(TABLES_PER_TOKEN)))
                .clone(),
            Err(_) => return Err(AppError::Unavailable),
        };
        let _mine = mine.try_acquire_owned().map_err(|_| AppError::Busy)?;
        let _slot = self
            .table_slots
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        let app = self.app.clone();
        crate::app::blocking(move || f(&app)).await
    }

    /// A place for one more upload of `token` (a request's first file), or 429 when it has
    /// `max_uploads_per_token` files in progress.
    pub(crate) fn upload_place(&self, token: &str) -> Result<UploadPlace, AppError> {
        let t = match self.uploads.lock() {
            Ok(mut m) => m
                .entry(token.to_string())
                .or_insert_with(|| {
                    Arc::new(TokenUploads {
                        places: Arc::new(Semaphore::new(self.config.max_uploads_per_token.max(1))),
                        bytes: AtomicU64::new(0),
                    })
                })
                .clone(),
            Err(_) => return Err(AppError::Unavailable),
        };
        let mut place = UploadPlace {
            token: t,
            permits: Vec::new(),
            bytes: AtomicU64::new(0),
            max_files: self.config.max_uploads_per_token.max(1),
            max_bytes: self.config.max_upload_bytes_per_token.max(1),
        };
        place.another_file()?;
        Ok(place)
    }
}

/// A token's uploads in progress: its places (one per file) and the bytes they hold.
pub(crate) struct TokenUploads {
    places: Arc<Semaphore>,
    bytes: AtomicU64,
}

/// One request's share of its token's uploads: a place per file it carries, and the bytes it
/// has received; both go back when the request ends, however it ends.
pub(crate) struct UploadPlace {
    token: Arc<TokenUploads>,
    permits: Vec<OwnedSemaphorePermit>,
    bytes: AtomicU64,
    max_files: usize,
    max_bytes: u64,
}

impl UploadPlace {
    /// A place for one more file of this request (a form with several files takes one each).
    pub(crate) fn another_file(&mut self) -> Result<(), AppError> {
        let p = self
            .token
            .places
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::TooManyUploads(self.max_files))?;
        self.permits.push(p);
        Ok(())
    }

    /// Count `n` more bytes received; 429 once the token's uploads in progress hold more than
    /// `max_upload_bytes_per_token`.
    pub(crate) fn take(&self, n: u64) -> Result<(), AppError> {
        self.bytes.fetch_add(n, Ordering::Relaxed);
        let all = self.token.bytes.fetch_add(n, Ordering::Relaxed) + n;
        if all > self.max_bytes {
            return Err(AppError::TooManyUploadBytes(self.max_bytes));
        }
        Ok(())
    }
}

impl Drop for UploadPlace {
    fn drop(&mut self) {
        self.token
            .bytes
            .fetch_sub(self.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Submit,
    Read,
    Admin,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Submit => "submit",
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }
}

/// The configured token this secret is (compared by its SHA-256), if any.
pub(crate) fn token_named(state: &AppState, secret: &str) -> Option<crate::config::Token> {
    if secret.is_empty() {
        return None;
    }
    let digest = hex::encode(sha256(secret.as_bytes()));
    state
        .config
        .token
        .iter()
        .find(|t| t.sha256.eq_ignore_ascii_case(&digest))
        .cloned()
}

/// The configured token the request's bearer token is, if any.
pub(crate) fn token_in(req: &HttpRequest, state: &AppState) -> Option<crate::config::Token> {
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        // RFC 6750 §2.1: one space, then the token, nothing around it.
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))?;
    token_named(state, secret)
}

/// Whether the request's token may act in `scope`.
pub(crate) fn may(req: &HttpRequest, state: &AppState, scope: Scope) -> bool {
    token_in(req, state).is_some_and(|t| t.scopes.iter().any(|s| s == scope.name()))
}

/// The token's name when it may act in `scope`: 401 without a known bearer token, 403 with
/// one that lacks the scope.
pub fn authorize(req: &HttpRequest, state: &AppState, scope: Scope) -> Result<String, AppError> {
    let t = token_in(req, state).ok_or(AppError::Unauthorized)?;
    req.extensions_mut()
        .insert(super::observe::Client(t.name.clone()));
    if t.scopes.iter().any(|s| s == scope.name()) {
        Ok(t.name.clone())
    } else {
        Err(AppError::Forbidden(scope.name()))
    }
}
