//! The HTTP service (DESIGN.md §4.3): upload, receipts, registry, compliance, OpenAPI.
//! No PDF or ASN.1 parsing here: bytes go to `verify`, facts to `store`, tables to `compliance`.

pub mod error;
pub mod openapi;

use crate::compliance::{self, Credit, Note, Submission};
use crate::config::Config;
use crate::pki::crypto::sha256;
use crate::pki::TrustStore;
use crate::registry::{Leader, Month, Registry, Unit};
use crate::report::Indication;
use crate::store::{self, Store};
use crate::verify::{self, Options};
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
pub use error::ApiError;
use futures_util::StreamExt;
use serde::Serialize;
use sha2::Digest;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

pub struct AppState {
    pub store: Arc<Store>,
    /// Replaced when CRLs are refreshed.
    pub trust: std::sync::RwLock<Arc<TrustStore>>,
    /// The last CRL refresh, for /healthz.
    pub crl_refresh: std::sync::Mutex<Option<(OffsetDateTime, crate::crl_fetch::Outcome)>>,
    pub opts: Options,
    pub config: Config,
    /// Bounds the verifications running at once (and so their memory).
    pub verify_slots: tokio::sync::Semaphore,
    /// Serialises commits and registry changes.
    pub write_lock: tokio::sync::Mutex<()>,
    pub warnings: Vec<String>,
}

impl AppState {
    pub fn trust(&self) -> Arc<TrustStore> {
        match self.trust.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
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

/// The receipt: stored facts, plus what they satisfy under the current registry.
#[derive(Serialize)]
struct Receipt {
    id: String,
    received_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    report: crate::report::Report,
    satisfies: Vec<Credit>,
    notes: Vec<Note>,
    /// Earlier verdicts replaced by re-verification, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<compliance::HistoryEntry>,
}

fn receipt(state: &AppState, sub: Submission) -> Result<Receipt, ApiError> {
    let registry = state.store.registry()?;
    let policy = state.config.time_policy();
    let (credits, mut notes) = compliance::credits(&sub, &registry, &policy);
    let mut others = Vec::new();
    for m in store::months_of(&sub) {
        for o in state.store.in_month(m)? {
            let c = compliance::credits(&o, &registry, &policy).0;
            others.push((o, c));
        }
    }
    notes.extend(compliance::already_met_notes(&sub, &credits, &others));
    Ok(Receipt {
        id: sub.id,
        received_at: sub.received_at,
        unit: sub.unit_hint,
        report: sub.report,
        satisfies: credits,
        notes,
        history: sub.history,
    })
}

/// Deletes an upload's temporary file unless it was committed.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Upload {
    tmp: TempFile,
    sha256: String,
    digest: [u8; 32],
    size: u64,
    unit: Option<String>,
}

/// The next item of a body, or 408 when the client sends nothing for `idle`.
async fn next_chunk<S, T>(stream: &mut S, idle: std::time::Duration) -> Result<Option<T>, ApiError>
where
    S: futures_util::Stream<Item = T> + Unpin,
{
    tokio::time::timeout(idle, stream.next())
        .await
        .map_err(|_| ApiError::Timeout(idle.as_secs()))
}

async fn write_stream<S, E>(
    mut stream: S,
    file: &mut tokio::fs::File,
    limit: u64,
    idle: std::time::Duration,
) -> Result<(sha2::Sha256, u64), ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut h = sha2::Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = next_chunk(&mut stream, idle).await? {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("the upload was interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::TooLarge { limit });
        }
        h.update(&chunk);
        file.write_all(&chunk).await?;
    }
    Ok((h, size))
}

/// Stream the body (raw PDF or multipart part `file`) to a temporary file while hashing it.
async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Upload, ApiError> {
    let limit = state.config.max_upload_bytes;
    let idle = std::time::Duration::from_secs(state.config.upload_idle_timeout_secs.max(1));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let multipart = ctype.starts_with("multipart/form-data");
    // A multipart body carries a little more than the file itself.
    let envelope = if multipart { 64 * 1024 } else { 0 };
    if declared.is_some_and(|d| d > limit + envelope) {
        return Err(ApiError::TooLarge { limit });
    }
    let tmp = TempFile(state.store.tmp_path(&format!(
        "up-{}-{}",
        std::process::id(),
        store::unique()
    )));
    let mut file = tokio::fs::File::create(&tmp.0).await?;
    let mut unit = None;
    let (hasher, size) = if multipart {
        let mut mp = actix_multipart::Multipart::new(req.headers(), payload);
        let mut got: Option<(sha2::Sha256, u64)> = None;
        while let Some(field) = next_chunk(&mut mp, idle).await? {
            let mut field = field
                .map_err(|e| ApiError::BadRequest(format!("malformed multipart body: {e}")))?;
            match field.name() {
                Some("file") if got.is_none() => {
                    got = Some(write_stream(&mut field, &mut file, limit, idle).await?);
                }
                Some("unit") => {
                    let mut v = Vec::new();
                    while let Some(c) = next_chunk(&mut field, idle).await? {
                        let c = c.map_err(|e| {
                            ApiError::BadRequest(format!("malformed multipart body: {e}"))
                        })?;
                        v.extend_from_slice(&c);
                        if v.len() > 200 {
                            return Err(ApiError::BadRequest(
                                "the unit part is longer than 200 bytes".into(),
                            ));
                        }
                    }
                    let s = String::from_utf8(v)
                        .map_err(|_| ApiError::BadRequest("the unit part is not UTF-8".into()))?;
                    let s = s.trim().to_string();
                    if !s.is_empty() {
                        unit = Some(s);
                    }
                }
                _ => {
                    // Drain and ignore other parts, within the limit.
                    let mut n = 0u64;
                    while let Some(c) = next_chunk(&mut field, idle).await? {
                        n += c
                            .map_err(|e| {
                                ApiError::BadRequest(format!("malformed multipart body: {e}"))
                            })?
                            .len() as u64;
                        if n > limit {
                            return Err(ApiError::TooLarge { limit });
                        }
                    }
                }
            }
        }
        got.ok_or_else(|| {
            ApiError::BadRequest("the multipart body has no part named \"file\"".into())
        })?
    } else if ctype.starts_with("application/pdf") || ctype.starts_with("application/octet-stream")
    {
        write_stream(payload, &mut file, limit, idle).await?
    } else {
        return Err(ApiError::UnsupportedMediaType(if ctype.is_empty() {
            "no Content-Type".into()
        } else {
            ctype
        }));
    };
    if size == 0 {
        return Err(ApiError::BadRequest("the file is empty".into()));
    }
    file.sync_all().await?;
    drop(file);
    let digest: [u8; 32] = hasher.finalize().into();
    Ok(Upload {
        tmp,
        sha256: hex::encode(digest),
        digest,
        size,
        unit,
    })
}

async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = authorize(&req, &state, Scope::Submit)?;
    let started = std::time::Instant::now();
    let up = receive(&req, payload, &state).await?;
    if let Some(existing) = state.store.get(&up.sha256)? {
        tracing::info!(id = %up.sha256, client = %client, "duplicate submission");
        return Ok(HttpResponse::Ok().json(receipt(&state, existing)?));
    }
    let received_at = now();
    let _slot = state
        .verify_slots
        .acquire()
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let path = up.tmp.0.clone();
    let sha = up.digest;
    let trust = state.trust();
    let opts = state.opts.clone();
    let report = web::block(move || -> Result<_, String> {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        Ok(verify::verify_hashed(
            &bytes,
            sha,
            &trust,
            &opts,
            received_at,
        ))
    })
    .await?
    .map_err(ApiError::Internal)?
    .map_err(|e| ApiError::Unprocessable {
        code: e.code(),
        message: e.to_string(),
    })?;
    drop(_slot);
    let sub = Submission {
        id: up.sha256.clone(),
        received_at: received_at.format(&Rfc3339).unwrap_or_default(),
        size: up.size,
        unit_hint: up.unit.clone(),
        report,
        history: Vec::new(),
    };
    let created = {
        let _guard = state.write_lock.lock().await;
        let store = state.store.clone();
        let tmp_path = up.tmp.0.clone();
        let s = sub.clone();
        web::block(move || store.commit(&tmp_path, &s)).await??
    };
    tracing::info!(id = %sub.id, client = %client, verdict = ?sub.report.verdict, size = sub.size,
        ms = started.elapsed().as_millis() as u64, created, "submission");
    let body = match created {
        true => receipt(&state, sub)?,
        false => receipt(
            &state,
            state
                .store
                .get(&up.sha256)?
                .ok_or_else(|| ApiError::Internal("record vanished".into()))?,
        )?,
    };
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("submission {id}")))
    }
}

async fn get_submission(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner().to_ascii_lowercase();
    check_id(&id)?;
    let sub = state
        .store
        .get(&id)?
        .ok_or_else(|| ApiError::NotFound(format!("submission {id}")))?;
    Ok(HttpResponse::Ok().json(receipt(&state, sub)?))
}

async fn get_pdf(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner().to_ascii_lowercase();
    check_id(&id)?;
    if state.store.get(&id)?.is_none() {
        return Err(ApiError::NotFound(format!("submission {id}")));
    }
    let bytes = tokio::fs::read(state.store.blob_path(&id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}.pdf\""),
        ))
        .body(bytes))
}

/// Every submission with a signature in one of `months`, with its credits under `registry`.
fn credited(
    state: &AppState,
    registry: &Registry,
    months: &[Month],
) -> Result<Vec<(Submission, Vec<Credit>)>, ApiError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for m in months {
        for s in state.store.in_month(*m)? {
            if seen.insert(s.id.clone()) {
                let c = compliance::credits(&s, registry, &state.config.time_policy()).0;
                out.push((s, c));
            }
        }
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn compliance_month(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let m = path.into_inner();
    let month = Month::parse(&m)
        .ok_or_else(|| ApiError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?;
    let registry = state.store.registry()?;
    let table = compliance::month_table(&registry, month, &credited(&state, &registry, &[month])?);
    match q.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(table)),
        Some("csv") => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ky-so-{month}.csv\""),
            ))
            .body(compliance::month_csv(&table))),
        Some(f) => Err(ApiError::BadRequest(format!(
            "unknown format {f:?}: use json or csv"
        ))),
    }
}

#[derive(serde::Deserialize)]
struct PeriodQuery {
    year: Option<i32>,
    quarter: Option<u8>,
}

async fn compliance_period(
    req: HttpRequest,
    q: web::Query<PeriodQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let year = q
        .year
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| {
            ApiError::BadRequest("give ?year=YYYY (and optionally &quarter=1..4)".into())
        })?;
    if q.quarter.is_some_and(|x| !(1..=4).contains(&x)) {
        return Err(ApiError::BadRequest("quarter must be 1, 2, 3 or 4".into()));
    }
    let registry = state.store.registry()?;
    let months = compliance::period_months(year, q.quarter);
    let table = compliance::period_table(
        &registry,
        year,
        q.quarter,
        &credited(&state, &registry, &months)?,
    );
    Ok(HttpResponse::Ok().json(table))
}

async fn list_units(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let mut r = state.store.registry()?;
    r.units.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(r.units))
}

async fn list_leaders(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let mut r = state.store.registry()?;
    r.leaders.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(r.leaders))
}

async fn get_unit(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.store.registry()?;
    let u = r
        .unit(&id)
        .ok_or_else(|| ApiError::NotFound(format!("unit {id}")))?;
    Ok(HttpResponse::Ok().json(u))
}

async fn get_leader(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.store.registry()?;
    let l = r
        .leader(&id)
        .ok_or_else(|| ApiError::NotFound(format!("leader {id}")))?;
    Ok(HttpResponse::Ok().json(l))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

/// The id of a PUT body: taken from the path when left out, refused when it differs.
fn body_id(body: &str, path: &str) -> Result<String, ApiError> {
    if body.is_empty() || body == path {
        Ok(path.to_string())
    } else {
        Err(ApiError::BadRequest(format!(
            "the body's id {body:?} differs from the path's {path:?}"
        )))
    }
}

/// Upsert one unit or leader (as a registry fragment): validated against the whole registry,
/// saved durably, 201 when new.
async fn save_fragment(
    state: &AppState,
    fragment: Registry,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let is_unit = !fragment.units.is_empty();
    let _guard = state.write_lock.lock().await;
    let mut r = state.store.registry()?;
    let created = if is_unit {
        r.unit(id).is_none()
    } else {
        r.leader(id).is_none()
    };
    r.merge(fragment)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let (units, leaders): (Vec<&Unit>, Vec<&Leader>) = if is_unit {
        (r.unit(id).into_iter().collect(), vec![])
    } else {
        (vec![], r.leader(id).into_iter().collect())
    };
    state.store.save_registry(&units, &leaders)?;
    let saved = match (units.first(), leaders.first()) {
        (Some(u), _) => serde_json::to_value(u),
        (_, Some(l)) => serde_json::to_value(l),
        _ => return Err(ApiError::Internal("the saved record vanished".into())),
    }
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(id, unit = is_unit, created, "registry record saved");
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(saved))
}

async fn put_unit(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Admin)?;
    let id = path.into_inner();
    let mut u: Unit = json_body(&body)?;
    u.id = body_id(&u.id, &id)?;
    save_fragment(
        &state,
        Registry {
            units: vec![u],
            leaders: vec![],
        },
        &id,
    )
    .await
}

async fn put_leader(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Admin)?;
    let id = path.into_inner();
    let mut l: Leader = json_body(&body)?;
    l.id = body_id(&l.id, &id)?;
    save_fragment(
        &state,
        Registry {
            units: vec![],
            leaders: vec![l],
        },
        &id,
    )
    .await
}

#[derive(Serialize)]
struct Unenrolled {
    sha256: String,
    subject: String,
    issuer: String,
    submissions: Vec<String>,
}

async fn unenrolled(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let registry = state.store.registry()?;
    let mut out: Vec<Unenrolled> = Vec::new();
    for sub in state.store.all()? {
        for sig in sub
            .report
            .signatures
            .iter()
            .filter(|s| s.indication == Indication::TotalPassed)
        {
            let Some(signer) = &sig.signer else { continue };
            if registry.owner_of(&signer.sha256).is_some() {
                continue;
            }
            match out.iter_mut().find(|u| u.sha256 == signer.sha256) {
                Some(u) => {
                    if !u.submissions.contains(&sub.id) {
                        u.submissions.push(sub.id.clone())
                    }
                }
                None => out.push(Unenrolled {
                    sha256: signer.sha256.clone(),
                    subject: signer.subject.clone(),
                    issuer: signer.issuer.clone(),
                    submissions: vec![sub.id.clone()],
                }),
            }
        }
    }
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    for u in &mut out {
        u.submissions.sort();
    }
    Ok(HttpResponse::Ok().json(out))
}

async fn reverify_all(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, Scope::Admin)?;
    let _guard = state.write_lock.lock().await;
    let st = state.clone();
    let outcome = web::block(move || {
        crate::reverify::run(
            &st.store,
            &st.trust(),
            &st.opts,
            &format!("admin API ({who})"),
            now(),
            &mut |_, _| {},
        )
    })
    .await??;
    tracing::info!(
        checked = outcome.checked,
        changed = outcome.changed,
        failed = outcome.failed,
        "re-verification"
    );
    Ok(HttpResponse::Ok().json(outcome))
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
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
        "warnings": warnings,
    }))
}

async fn openapi_doc() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("route".into()))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/api/openapi.json", web::get().to(openapi_doc))
        .route("/api/v1/submissions", web::post().to(submit))
        .route("/api/v1/submissions/{id}", web::get().to(get_submission))
        .route("/api/v1/submissions/{id}/pdf", web::get().to(get_pdf))
        .route("/api/v1/compliance", web::get().to(compliance_period))
        .route(
            "/api/v1/compliance/{month}",
            web::get().to(compliance_month),
        )
        .route("/api/v1/units", web::get().to(list_units))
        .route("/api/v1/units/{id}", web::get().to(get_unit))
        .route("/api/v1/units/{id}", web::put().to(put_unit))
        .route("/api/v1/leaders", web::get().to(list_leaders))
        .route("/api/v1/leaders/{id}", web::get().to(get_leader))
        .route("/api/v1/leaders/{id}", web::put().to(put_leader))
        .route("/api/v1/signers/unenrolled", web::get().to(unenrolled))
        .route("/api/v1/admin/reverify", web::post().to(reverify_all))
        .default_service(web::to(not_found));
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
    // JSON bodies of the registry API are small.
    let json_limit = web::PayloadConfig::new(1 << 20);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(json_limit.clone())
            .configure(routes)
    })
    .workers(2)
    .listen(listener)?
    .run()
    .await
}
