//! The HTTP service (ARCHITECTURE.md §5.2): upload, receipts, registry, compliance, OpenAPI.
//! No PDF or ASN.1 parsing here: bytes go to `verify`, facts to `store`, tables to `compliance`.

pub mod api;
pub mod error;
pub(crate) mod observe;
pub mod pages;
pub(crate) mod upload;

use api::{health, openapi, periods, registry, reports, submissions};

use crate::config::Config;
use crate::store::Store;
use actix_web::dev::Service;
use actix_web::http::header;
use actix_web::{web, App, HttpMessage, HttpRequest, HttpResponse, HttpServer};
pub use error::ApiError;
use kyso_verify::pki::crypto::sha256;
use kyso_verify::pki::TrustStore;
use kyso_verify::verify::Options;
pub(crate) use registry::{import_error, parse_registry, MAX_REGISTRY_BYTES};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct AppState {
    pub store: Arc<Store>,
    /// Replaced when CRLs are refreshed.
    pub trust: std::sync::RwLock<Arc<TrustStore>>,
    /// The last CRL refresh, for /healthz.
    pub crl_refresh: Mutex<Option<(OffsetDateTime, crate::net::crl_fetch::Outcome)>>,
    pub opts: Options,
    pub config: Config,
    /// Bounds the verifications running at once (and so their memory).
    pub verify_slots: Semaphore,
    /// Serialises registry changes and re-verification.
    pub write_lock: tokio::sync::Mutex<()>,
    /// One registry import read and parsed at a time (a file may be tens of megabytes).
    pub import_slot: tokio::sync::Mutex<()>,
    /// Uploads in progress per token (`max_uploads_per_token`).
    uploads: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub warnings: Vec<String>,
    pub metrics: observe::Metrics,
    /// The OCSP client when `ocsp_online` (answers cached across uploads).
    pub ocsp: Option<Arc<crate::net::ocsp_fetch::OcspClient>>,
    /// The pages' browser sessions.
    pub ui_sessions: crate::web::pages::session::Sessions,
}

impl AppState {
    pub fn new(store: Store, trust: TrustStore, config: Config, warnings: Vec<String>) -> AppState {
        let ocsp = config.ocsp_online.then(|| {
            crate::net::ocsp_fetch::OcspClient::new(std::time::Duration::from_millis(
                config.ocsp_timeout_ms.max(1),
            ))
        });
        let slots = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        AppState {
            store: Arc::new(store),
            trust: std::sync::RwLock::new(Arc::new(trust)),
            crl_refresh: Mutex::new(None),
            opts: config.verify_options(),
            config,
            verify_slots: Semaphore::new(slots),
            write_lock: tokio::sync::Mutex::new(()),
            import_slot: tokio::sync::Mutex::new(()),
            uploads: Mutex::new(HashMap::new()),
            warnings,
            metrics: observe::Metrics::default(),
            ocsp,
            ui_sessions: Default::default(),
        }
    }

    pub fn trust(&self) -> Arc<TrustStore> {
        match self.trust.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A place for one more upload of `token`, or 429 when it has `max_uploads_per_token`.
    pub(crate) fn upload_permit(&self, token: &str) -> Result<OwnedSemaphorePermit, ApiError> {
        let max = self.config.max_uploads_per_token.max(1);
        let sem = match self.uploads.lock() {
            Ok(mut m) => m
                .entry(token.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(max)))
                .clone(),
            Err(_) => return Err(ApiError::Unavailable),
        };
        sem.try_acquire_owned()
            .map_err(|_| ApiError::TooManyUploads(max))
    }
}

/// Run blocking work (the store, files, tables) off the actix workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f).await?
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Submit,
    Read,
    Admin,
}

impl Scope {
    fn name(self) -> &'static str {
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

/// The token's name when it may act in `scope`.
fn authorize(req: &HttpRequest, state: &AppState, scope: Scope) -> Result<String, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized)?;
    let digest = hex::encode(sha256(token.as_bytes()));
    let t = state
        .config
        .token
        .iter()
        .find(|t| t.sha256.eq_ignore_ascii_case(&digest))
        .ok_or(ApiError::Unauthorized)?;
    req.extensions_mut().insert(observe::Client(t.name.clone()));
    if t.scopes.iter().any(|s| s == scope.name()) {
        Ok(t.name.clone())
    } else {
        Err(ApiError::Forbidden(scope.name()))
    }
}

/// The receipt time, to the microsecond: it also orders submissions received close together.
fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

async fn openapi_doc() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("route".into()))
}

/// One route: the path pattern, the method and how to build its handler.
pub struct Endpoint {
    pub path: &'static str,
    pub method: &'static str,
    route: fn() -> actix_web::Route,
}

const fn ep(path: &'static str, method: &'static str, route: fn() -> actix_web::Route) -> Endpoint {
    Endpoint {
        path,
        method,
        route,
    }
}

/// Every route of the service: `routes` builds them, and the OpenAPI test checks that the
/// document describes exactly these.
pub const ENDPOINTS: &[Endpoint] = &[
    ep("/healthz", "GET", || web::get().to(health::healthz)),
    ep("/readyz", "GET", || web::get().to(health::readyz)),
    ep("/metrics", "GET", || web::get().to(observe::metrics)),
    ep("/api/openapi.json", "GET", || web::get().to(openapi_doc)),
    ep("/api/v1/submissions", "GET", || {
        web::get().to(submissions::list)
    }),
    ep("/api/v1/submissions", "POST", || {
        web::post().to(submissions::submit)
    }),
    ep("/api/v1/submissions/{id}", "GET", || {
        web::get().to(submissions::get_submission)
    }),
    ep("/api/v1/submissions/{id}/accept-late", "POST", || {
        web::post().to(submissions::accept_late)
    }),
    ep("/api/v1/submissions/{id}/pdf", "GET", || {
        web::get().to(submissions::get_pdf)
    }),
    ep("/api/v1/compliance", "GET", || {
        web::get().to(reports::compliance_period)
    }),
    ep("/api/v1/compliance/{month}", "GET", || {
        web::get().to(reports::compliance_month)
    }),
    ep("/api/v1/periods/{period}", "GET", || {
        web::get().to(periods::show)
    }),
    ep("/api/v1/periods/{period}/close", "POST", || {
        web::post().to(periods::close)
    }),
    ep("/api/v1/registry/changes", "GET", || {
        web::get().to(registry::changes)
    }),
    ep("/api/v1/registry/import", "POST", || {
        web::post().to(registry::import)
    }),
    ep("/api/v1/reports/{year}", "GET", || {
        web::get().to(reports::office_report)
    }),
    ep("/api/v1/units", "GET", || {
        web::get().to(registry::list_units)
    }),
    ep("/api/v1/units/{id}", "GET", || {
        web::get().to(registry::get_unit)
    }),
    ep("/api/v1/units/{id}", "PUT", || {
        web::put().to(registry::put_unit)
    }),
    ep("/api/v1/units/{id}/history", "GET", || {
        web::get().to(registry::unit_history)
    }),
    ep("/api/v1/leaders", "GET", || {
        web::get().to(registry::list_leaders)
    }),
    ep("/api/v1/leaders/{id}", "GET", || {
        web::get().to(registry::get_leader)
    }),
    ep("/api/v1/leaders/{id}", "PUT", || {
        web::put().to(registry::put_leader)
    }),
    ep("/api/v1/signers/unenrolled", "GET", || {
        web::get().to(reports::unenrolled)
    }),
    ep("/api/v1/admin/reverify", "POST", || {
        web::post().to(reports::reverify_all)
    }),
];

/// One resource per path with its methods; any other method on a known path answers 405 with
/// `Allow` and `{code, message}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&str> = Vec::new();
    for e in ENDPOINTS {
        if !paths.contains(&e.path) {
            paths.push(e.path);
        }
    }
    for path in paths {
        let mine: Vec<&Endpoint> = ENDPOINTS.iter().filter(|e| e.path == path).collect();
        let allowed = mine.iter().map(|e| e.method).collect::<Vec<_>>().join(", ");
        let mut r = web::resource(path);
        for e in mine {
            r = r.route((e.route)());
        }
        cfg.service(r.default_service(web::to(move |req: HttpRequest| {
            let allowed = allowed.clone();
            async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
                    method: req.method().to_string(),
                    allowed,
                })
            }
        })));
    }
    cfg.default_service(web::to(not_found));
}

/// Warnings an operator must see (in the log and in /healthz).
pub fn startup_warnings(config: &Config, trust: &TrustStore) -> Vec<String> {
    let mut w = Vec::new();
    if trust.anchors.is_empty() {
        w.push(format!(
            "no trust anchors installed: every signature will be INDETERMINATE. Install the BCY CA certificates into {} (see README, \"Installing the BCY anchors\") and restart.",
            config.trust.first().map(|p| p.display().to_string()).unwrap_or_else(|| "the trust directory".into())
        ));
    }
    if trust.crls.is_empty() {
        w.push("no CRLs installed: revocation is not checked (see README, \"CRLs\")".into());
    }
    if config.token.is_empty() {
        w.push("no API tokens configured: every API request will be refused with 401. Create one with `kyso token new --name NAME --scope submit --scope read`.".into());
    }
    w
}

/// Run the service on `listener` until it is stopped.
pub async fn serve(listener: TcpListener, data: web::Data<AppState>) -> std::io::Result<()> {
    let workers = match data.config.workers {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    // JSON bodies of the registry API are small.
    let json_limit = web::PayloadConfig::new(1 << 20);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(json_limit.clone())
            .configure(crate::web::pages::routes)
            .configure(routes)
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let res = error::as_json(fut.await?);
                    observe::finished(&res, started);
                    Ok(res)
                }
            })
    })
    .workers(workers)
    .listen(listener)?
    .run()
    .await
}
