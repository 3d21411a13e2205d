//! The HTTP service (ARCHITECTURE.md §5.2): upload, receipts, registry, compliance, OpenAPI.
//! Handlers extract, call the application (`crate::app`) and respond; the routes are listed
//! once ([`ENDPOINTS`]) and the OpenAPI test holds the document to them.

pub mod api;
pub mod error;
pub(crate) mod observe;
pub mod pages;
pub mod state;
pub(crate) mod upload;

use api::{health, openapi, periods, registry, reminders, reports, submissions};

pub(crate) use crate::app::blocking;
use crate::app::error::AppError;
use actix_web::dev::Service;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
pub use state::{authorize, AppState, Scope};
use std::net::TcpListener;

/// The time a handler acts at.
pub(crate) fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

async fn openapi_doc() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("route".into()))
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
    ep("/api/v1/submissions/{id}/move", "POST", || {
        web::post().to(submissions::move_month)
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
    ep("/api/v1/compliance/{month}/missing", "GET", || {
        web::get().to(reports::missing)
    }),
    ep("/api/v1/periods/{period}", "GET", || {
        web::get().to(periods::show)
    }),
    ep("/api/v1/periods/{period}/close", "POST", || {
        web::post().to(periods::close)
    }),
    ep("/api/v1/periods/{period}/files/{name}", "GET", || {
        web::get().to(periods::filed_file)
    }),
    ep("/api/v1/registry/changes", "GET", || {
        web::get().to(registry::changes)
    }),
    ep("/api/v1/registry/import", "POST", || {
        web::post().to(registry::import)
    }),
    ep("/api/v1/registry/settings", "GET", || {
        web::get().to(registry::settings)
    }),
    ep("/api/v1/registry/settings", "PUT", || {
        web::put().to(registry::put_settings)
    }),
    ep("/api/v1/reminders", "GET", || {
        web::get().to(reminders::list)
    }),
    ep("/api/v1/reminders/send", "POST", || {
        web::post().to(reminders::send)
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
                Err::<HttpResponse, _>(AppError::MethodNotAllowed {
                    method: req.method().to_string(),
                    allowed,
                })
            }
        })));
    }
    cfg.default_service(web::to(not_found));
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
                    let mut res = error::as_json(fut.await?);
                    error::no_sniff_no_store(&mut res);
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
