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
    /// Uploads in progress per token (`max_uploads_per_token`).
    uploads: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub warnings: Vec<String>,
    pub metrics: super::observe::Metrics,
    /// The pages' browser sessions.
    pub ui_sessions: super::pages::session::Sessions,
}

impl AppState {
    pub fn new(app: App, config: Config, warnings: Vec<String>) -> AppState {
        AppState {
            app: Arc::new(app),
            config,
            crl_refresh: Mutex::new(None),
            import_slot: tokio::sync::Mutex::new(()),
            uploads: Mutex::new(HashMap::new()),
            warnings,
            metrics: Default::default(),
            ui_sessions: Default::default(),
        }
    }

    /// A place for one more upload of `token`, or 429 when it has `max_uploads_per_token`.
    pub(crate) fn upload_permit(&self, token: &str) -> Result<OwnedSemaphorePermit, AppError> {
        let max = self.config.max_uploads_per_token.max(1);
        let sem = match self.uploads.lock() {
            Ok(mut m) => m
                .entry(token.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(max)))
                .clone(),
            Err(_) => return Err(AppError::Unavailable),
        };
        sem.try_acquire_owned()
            .map_err(|_| AppError::TooManyUploads(max))
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

/// The token's name when it may act in `scope`: 401 without a known bearer token, 403 with
/// one that lacks the scope.
pub fn authorize(req: &HttpRequest, state: &AppState, scope: Scope) -> Result<String, AppError> {
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized)?;
    let t = token_named(state, secret).ok_or(AppError::Unauthorized)?;
    req.extensions_mut()
        .insert(super::observe::Client(t.name.clone()));
    if t.scopes.iter().any(|s| s == scope.name()) {
        Ok(t.name.clone())
    } else {
        Err(AppError::Forbidden(scope.name()))
    }
}
