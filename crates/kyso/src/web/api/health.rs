//! Liveness (`/healthz`: the process answers; with a read token, the trust and CRL state and
//! the last CRL refresh for the operator) and
//! readiness (`/readyz`: the store takes writes now).

use crate::web::Scope;
use crate::web::{now, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub(crate) async fn healthz(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    // Anyone may ask whether the service is up; what it fetched, from where and with what
    // outcome is for the Office's own clients (a token with the read or admin scope).
    let told = crate::web::state::may(&req, &state, Scope::Read)
        || crate::web::state::may(&req, &state, Scope::Admin);
    if !told {
        return HttpResponse::Ok().json(serde_json::json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
        }));
    }
    let trust = state.app.trust();
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
        "submissions": state.app.store.count(),
        "storage": state.app.store.health(),
        "warnings": warnings,
    }))
}

/// Readiness: 200 when the service can give verdicts and keep evidence now; otherwise 503 with
/// the reasons. Not ready while the store does not take writes (a full disk, a read-only file
/// system, the index being rebuilt: load balancers stop sending uploads and resume by themselves
/// once the committer's probe finds the disk writable), while no trust anchor is loaded (every
/// signature would be INDETERMINATE), or while a CRL is past its nextUpdate by more than
/// `crl_grace_hours` (revocation answers would be stale).
pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let storage = state.app.store.health();
    let trust = state.app.trust();
    let grace =
        time::Duration::hours(state.config.crl_grace_hours.min(i64::MAX as u64 / 3600) as i64);
    let outdated = outdated_crls(&trust, now() - grace);
    let mut reasons = Vec::new();
    if storage.fault.is_some() || !storage.index_ok {
        reasons.push("storage");
    }
    if trust.anchors.is_empty() {
        reasons.push("no_trust_anchors");
    }
    if !outdated.is_empty() {
        reasons.push("crl_outdated");
    }
    let body = serde_json::json!({
        "status": if reasons.is_empty() { "ready" } else { "not_ready" },
        "reasons": reasons,
        "storage": storage,
        "anchors": trust.anchors.len(),
        "crls_outdated": outdated,
    });
    if reasons.is_empty() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "10"))
            .json(body)
    }
}

/// Issuers whose newest CRL's nextUpdate is before `limit`.
fn outdated_crls(trust: &kyso_verify::pki::TrustStore, limit: OffsetDateTime) -> Vec<String> {
    let mut newest: std::collections::BTreeMap<&str, Option<OffsetDateTime>> = Default::default();
    for c in &trust.crls {
        let e = newest.entry(c.issuer.as_str()).or_insert(c.next_update);
        if c.next_update.is_none() || e.is_some_and(|n| c.next_update.is_some_and(|m| m > n)) {
            *e = c.next_update;
        }
    }
    newest
        .into_iter()
        .filter(|(_, n)| n.is_some_and(|n| n < limit))
        .map(|(i, _)| i.to_string())
        .collect()
}
