//! Liveness (`/healthz`: the process answers; trust and CRL state for the operator) and
//! readiness (`/readyz`: the store takes writes now).

use super::{now, AppState};
use actix_web::{web, HttpResponse};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub(super) async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let trust = state.trust();
    let at = now();
    let fmt = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let crl_status: Vec<serde_json::Value> = trust
        .crls
        .iter()
        .map(|c| {
            serde_json::json!({
                "issuer": c.issuer,
                "this_update": fmt(c.this_update),
                "next_update": c.next_update.map(fmt),
                "expired": c.next_update.is_some_and(|n| n < at),
            })
        })
        .collect();
    let last_refresh = state.crl_refresh.lock().ok().and_then(|g| {
        g.as_ref().map(|(t, o)| serde_json::json!({"at": fmt(*t), "updated": o.updated.len(), "failed": o.failed}))
    });
    let mut warnings = state.warnings.clone();
    if crl_status.iter().any(|c| c["expired"] == true) {
        warnings.push("a CRL is past its nextUpdate: refresh CRLs (kyso crl refresh)".into());
    }
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "anchors": trust.anchors.len(),
        "intermediates": trust.intermediates.len(),
        "crls": trust.crls.len(),
        "crl_status": crl_status,
        "crl_last_refresh": last_refresh,
        "submissions": state.store.count(),
        "storage": state.store.health(),
        "warnings": warnings,
    }))
}

/// 200 while the store takes writes; 503 with the fault while it does not (a full disk, a
/// read-only file system, the index being rebuilt). Load balancers stop sending uploads, and
/// resume by themselves once the committer's probe finds the disk writable again.
pub(super) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let h = state.store.health();
    if h.fault.is_none() && h.index_ok {
        HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "10"))
            .json(serde_json::json!({ "status": "not_ready", "storage": h }))
    }
}
