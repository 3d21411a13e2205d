//! Submissions: upload (receive, verify, commit, credit), the receipt, the stored PDF.

use crate::app::receipt::receipt as build_receipt;
use crate::duty::submission::Submission;
use crate::store::{Committed, Received};
use crate::web::{authorize, blocking, now, upload, ApiError, AppState, Scope};
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use kyso_verify::verify;

/// Verify received bytes (read back from the store's intake) under a verification slot.
async fn verify_received(
    state: &web::Data<AppState>,
    received: Received,
    form: upload::Form,
    client: String,
) -> Result<(Received, Submission), ApiError> {
    let received_at = now();
    let _slot = state
        .verify_slots
        .acquire()
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let (mut trust, opts) = (state.trust(), state.opts.clone());
    let session = state.ocsp.as_ref().map(|c| c.session());
    if let Some(s) = &session {
        let mut online = (*trust).clone();
        online.online = Some(s.clone());
        trust = std::sync::Arc::new(online);
    }
    let metrics_state = state.clone();
    blocking(move || {
        let _timer = Observe(
            &metrics_state.metrics.verify_seconds,
            std::time::Instant::now(),
        );
        let bytes = received.bytes()?;
        let report = verify::verify_hashed(&bytes, received.digest, &trust, &opts, received_at)
            .map_err(|e| ApiError::Unprocessable {
                code: crate::web::error::ErrorCode::of(&e),
                message: e.to_string(),
            })?;
        let sub = Submission {
            id: received.id.clone(),
            received_at,
            size: received.size,
            unit_hint: form.unit,
            file_name: form.file_name,
            client: Some(client),
            accepted_late: None,
            report,
            history: Vec::new(),
            ocsp: session
                .map(|s| s.used().iter().map(hex::encode).collect())
                .unwrap_or_default(),
        };
        Ok((received, sub))
    })
    .await
}

pub(crate) async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = match authorize(&req, &state, Scope::Submit) {
        Ok(client) => receive_and_commit(&req, payload, &state, client).await,
        Err(e) => Err(e),
    };
    let (verdict, status) = match &result {
        Ok((created, sub)) => (
            serde_json::to_value(sub.report.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            if *created { 201 } else { 200 },
        ),
        Err(e) => (
            "none".to_string(),
            actix_web::ResponseError::status_code(e).as_u16(),
        ),
    };
    state.metrics.upload(&verdict, status);
    let (created, sub) = result?;
    let st = state.clone();
    let body =
        blocking(move || Ok(build_receipt(&st.store, sub, &st.config.time_policy())?)).await?;
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Receive, verify (unless the bytes are known) and commit: whether the submission is new, and
/// the stored submission.
pub(crate) async fn receive_and_commit(
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
    client: String,
) -> Result<(bool, Submission), ApiError> {
    let _permit = state.upload_permit(&client)?;
    let (received, form) = upload::receive(req, payload, state).await?;
    commit_received(state, received, form, client).await
}

/// Verify (unless the bytes are known) and commit received bytes: whether the submission is
/// new, and the stored submission.
pub(crate) async fn commit_received(
    state: &web::Data<AppState>,
    received: Received,
    form: upload::Form,
    client: String,
) -> Result<(bool, Submission), ApiError> {
    let started = std::time::Instant::now();
    let (st, id) = (state.clone(), received.id.clone());
    let known = blocking(move || Ok(st.store.contains(&id)?)).await?;
    let committed = if known {
        state.store.commit(received, None)
    } else {
        let (received, sub) = verify_received(state, received, form, client.clone()).await?;
        state.store.commit(received, Some(sub))
    };
    let commit_started = std::time::Instant::now();
    let committed = committed.await.map_err(|_| ApiError::Unavailable)??;
    state
        .metrics
        .commit_seconds
        .observe(commit_started.elapsed());
    let created = matches!(committed, Committed::Created(_));
    let sub = match committed {
        Committed::Created(s) | Committed::Existing(s) | Committed::Repaired(s) => s,
    };
    tracing::info!(id = %sub.id, client = %client, verdict = ?sub.report.verdict, size = sub.size,
        ms = started.elapsed().as_millis() as u64, created, "submission");
    Ok((created, sub))
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("submission {id}")))
    }
}

/// The stored submission `id`, or 404.
async fn stored(state: &web::Data<AppState>, id: &str) -> Result<Submission, ApiError> {
    check_id(id)?;
    let (st, key) = (state.clone(), id.to_string());
    blocking(move || Ok(st.store.get(&key)?))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("submission {id}")))
}

pub(crate) async fn get_submission(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let sub = stored(&state, &path.into_inner().to_ascii_lowercase()).await?;
    let st = state.clone();
    Ok(HttpResponse::Ok().json(
        blocking(move || Ok(build_receipt(&st.store, sub, &st.config.time_policy())?)).await?,
    ))
}

/// The stored PDF, streamed from disk in 64 KiB pieces (memory stays flat however many are
/// downloaded at once).
pub(crate) async fn get_pdf(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    pdf_response(&state, &path.into_inner()).await
}

/// The stored PDF `id` as a streamed download (the caller has authorised the reader).
pub(crate) async fn pdf_response(
    state: &web::Data<AppState>,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    use tokio::io::AsyncReadExt;
    let id = id.to_ascii_lowercase();
    stored(state, &id).await?;
    let path = state.store.blob_path(&id);
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| crate::store::StoreError::Io { path, source: e })?;
    let len = file
        .metadata()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .len();
    let chunks = futures_util::stream::unfold(Some(file), |f| async move {
        let mut f = f?;
        let mut buf = vec![0u8; 1 << 16];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(web::Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}.pdf\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(SizedStream::new(len, Box::pin(chunks))))
}

/// Observes the time from its start to its drop (every way out of a verification counts).
struct Observe<'a>(&'a crate::metrics::Histogram, std::time::Instant);

impl Drop for Observe<'_> {
    fn drop(&mut self) {
        self.0.observe(self.1.elapsed());
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct ListQuery {
    month: Option<String>,
    unit: Option<String>,
    person: Option<String>,
    reason: Option<String>,
    status: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

/// `GET /api/v1/submissions?month=YYYY-MM&unit=&person=&reason=&status=credited|not_credited&page=&per_page=`
/// (scope read): every submission signed or received in the month (default: the current month
/// in Vietnam time).
pub(crate) async fn list(
    req: HttpRequest,
    q: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let q = q.into_inner();
    let month = match &q.month {
        Some(m) => crate::duty::period::Month::parse(m)
            .ok_or_else(|| ApiError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?,
        None => crate::duty::period::Month::of_vietnam_time(now()),
    };
    let (credited, late) = match q.status.as_deref() {
        None | Some("all") => (None, false),
        Some("credited") => (Some(true), false),
        Some("not_credited") => (Some(false), false),
        Some("late") => (None, true),
        Some(s) => {
            return Err(ApiError::BadRequest(format!(
                "status {s:?}: use credited, not_credited, late or all"
            )))
        }
    };
    let reason = match q.reason.as_deref() {
        None | Some("") => None,
        Some(r) => Some(crate::duty::note::NoteCode::parse_reason(r).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "reason {r:?}: use one of {}",
                crate::duty::note::NoteCode::REASONS
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
    };
    let query = crate::app::listing::Query {
        month,
        unit: q.unit,
        person: q.person,
        reason,
        credited,
        late,
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(50),
    };
    let st = state.clone();
    let page = blocking(move || {
        Ok(crate::app::listing::list(
            &st.store,
            &st.config.time_policy(),
            &query,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(serde::Deserialize)]
pub(crate) struct AcceptBody {
    reason: String,
}

/// `POST /api/v1/submissions/{id}/accept-late` (scope admin, body `{"reason": "..."}`): accept a
/// file whose claimed signing time is implausible (late); it then earns its month. Recorded in
/// the submission with who, when and why; the receipt says so.
pub(crate) async fn accept_late(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let by = authorize(&req, &state, Scope::Admin)?;
    let id = path.into_inner().to_ascii_lowercase();
    let body: AcceptBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("JSON body {{\"reason\": \"...\"}}: {e}")))?;
    check_id(&id)?;
    let _one_at_a_time = state.write_lock.lock().await;
    let st = state.clone();
    let sub = blocking(move || {
        let policy = st.config.time_policy();
        let sub = crate::app::late::accept(&st.store, &policy, &id, &by, &body.reason, now())
            .map_err(|e| match e {
                crate::app::late::LateError::NoReason => ApiError::BadRequest(e.to_string()),
                crate::app::late::LateError::Unknown(_) => ApiError::NotFound(e.to_string()),
                crate::app::late::LateError::NotLate(_) => ApiError::Conflict(e.to_string()),
                crate::app::late::LateError::Store(s) => s.into(),
            })?;
        Ok(build_receipt(&st.store, sub, &policy)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(sub))
}
