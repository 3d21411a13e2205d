//! What an operator watches: one access-log line per request, and `/metrics` in the Prometheus
//! text format (requests, uploads by verdict and status, verification, commit and fsync
//! latency, commit queue depth, store size, trust anchors, CRL age per issuer).

use super::AppState;
use crate::metrics::{escape, header, Counters, Histogram};
use actix_web::dev::ServiceResponse;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The token name of an authorised request, kept for the access log (never the token).
#[derive(Clone)]
pub(crate) struct Client(pub String);

/// The HTTP service's own counters (the application and the store keep theirs: verification
/// and commit latency, the commit queue).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Counters,
    uploads: Counters,
    pub(crate) request_seconds: Histogram,
}

impl Metrics {
    /// An upload's outcome: the verdict (`none` when refused before one) and the status.
    pub(crate) fn upload(&self, verdict: &str, status: u16) {
        self.uploads.inc(&[verdict, &status.to_string()]);
    }
}

/// The route pattern of a request (`/api/v1/submissions/{id}`), so that ids never become
/// label values; anything unrouted is `other`.
fn route(req: &HttpRequest) -> String {
    req.match_pattern().unwrap_or_else(|| "other".into())
}

/// The method as a label from a fixed set: clients may send any token as a method, and each
/// new label value would stay in memory for ever.
fn method(req: &HttpRequest) -> &'static str {
    use actix_web::http::Method;
    match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Called by the middleware in `serve` once the response is ready.
pub(crate) fn finished<B>(res: &ServiceResponse<B>, started: Instant) {
    let req = res.request();
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    let route = route(req);
    let client = req.extensions().get::<Client>().map(|c| c.0.clone());
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let m = &state.metrics;
        m.requests.inc(&[&route, method(req), &status.to_string()]);
        m.request_seconds.observe(elapsed);
    }
    tracing::info!(
        target: "kyso::access",
        method = %req.method(),
        path = %req.path(),
        route = %route,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
        client = client.as_deref().unwrap_or("-"),
        peer = %req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
        "request"
    );
}

pub(crate) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(render(&state))
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    header(out, name, "gauge", help);
    out.push_str(&format!("{name} {value}\n"));
}

fn render(state: &AppState) -> String {
    let m = &state.metrics;
    let mut out = String::new();
    header(&mut out, "kyso_build_info", "gauge", "The running version.");
    out.push_str(&format!(
        "kyso_build_info{{version=\"{}\"}} 1\n",
        env!("CARGO_PKG_VERSION")
    ));
    header(
        &mut out,
        "kyso_http_requests_total",
        "counter",
        "HTTP requests by route pattern, method and status.",
    );
    m.requests.render(
        &mut out,
        "kyso_http_requests_total",
        &["route", "method", "status"],
    );
    header(
        &mut out,
        "kyso_http_request_seconds",
        "histogram",
        "Time to answer a request.",
    );
    m.request_seconds
        .render(&mut out, "kyso_http_request_seconds", "");
    header(
        &mut out,
        "kyso_uploads_total",
        "counter",
        "Uploads by verdict (none: refused before a verdict) and status.",
    );
    m.uploads
        .render(&mut out, "kyso_uploads_total", &["verdict", "status"]);
    header(
        &mut out,
        "kyso_verify_seconds",
        "histogram",
        "Verification of one upload (wall time, slot wait excluded).",
    );
    state
        .app
        .stats
        .verify_seconds
        .render(&mut out, "kyso_verify_seconds", "");
    header(
        &mut out,
        "kyso_commit_seconds",
        "histogram",
        "From handing a verified upload to the store to its durable answer.",
    );
    state
        .app
        .stats
        .commit_seconds
        .render(&mut out, "kyso_commit_seconds", "");
    render_store(state, &mut out);
    render_trust(state, &mut out);
    out
}

fn render_store(state: &AppState, out: &mut String) {
    let stats = state.app.store.stats();
    header(
        out,
        "kyso_store_sync_seconds",
        "histogram",
        "One syncfs(2) of a commit batch.",
    );
    stats
        .sync_seconds
        .render(out, "kyso_store_sync_seconds", "");
    gauge(
        out,
        "kyso_commit_queue_depth",
        "Uploads waiting for the committer.",
        stats.queued.load(Ordering::Relaxed),
    );
    header(
        out,
        "kyso_store_batches_total",
        "counter",
        "Commit batches written.",
    );
    out.push_str(&format!(
        "kyso_store_batches_total {}\n",
        stats.batches.load(Ordering::Relaxed)
    ));
    gauge(
        out,
        "kyso_store_submissions",
        "Submissions held.",
        state.app.store.count(),
    );
    let h = state.app.store.health();
    gauge(
        out,
        "kyso_store_writable",
        "1 while the store takes writes.",
        u8::from(h.fault.is_none() && h.index_ok),
    );
}

fn render_trust(state: &AppState, out: &mut String) {
    let trust = state.app.trust();
    gauge(
        out,
        "kyso_trust_anchors",
        "Trust anchors loaded.",
        trust.anchors.len(),
    );
    let now = time::OffsetDateTime::now_utc();
    // The newest CRL of each issuer (older ones may still lie in the CRL directory).
    let mut newest = std::collections::BTreeMap::new();
    for c in &trust.crls {
        let e = newest
            .entry(c.issuer.clone())
            .or_insert((c.this_update, c.next_update));
        if c.this_update > e.0 {
            *e = (c.this_update, c.next_update);
        }
    }
    header(
        out,
        "kyso_crl_age_seconds",
        "gauge",
        "Seconds since the newest CRL's thisUpdate, by issuer.",
    );
    for (issuer, (this, _)) in &newest {
        let age = (now - *this).whole_seconds();
        out.push_str(&format!(
            "kyso_crl_age_seconds{{issuer=\"{}\"}} {age}\n",
            escape(issuer)
        ));
    }
    header(
        out,
        "kyso_crl_next_update_seconds",
        "gauge",
        "Seconds until the newest CRL's nextUpdate (negative: outdated), by issuer.",
    );
    for (issuer, (_, next)) in &newest {
        if let Some(n) = next {
            let left = (*n - now).whole_seconds();
            out.push_str(&format!(
                "kyso_crl_next_update_seconds{{issuer=\"{}\"}} {left}\n",
                escape(issuer)
            ));
        }
    }
}
