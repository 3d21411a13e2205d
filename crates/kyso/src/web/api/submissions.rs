//! Submissions: upload (receive, verify, commit, credit), the receipt, the stored PDF.

use crate::app::error::AppError;
use crate::app::receipt::{receipt, Receipt};
use crate::app::submit;
use crate::duty::period::Month;
use crate::duty::submission::Submission;
use crate::web::{authorize, blocking, now, upload, AppState, Scope};
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let result = match authorize(&req, &state, Scope::Submit) {
        Ok(client) => receive_and_submit(&req, payload, &state, client).await,
        Err(e) => Err(e),
    };
    let (verdict, status) = match &result {
        Ok((created, r)) => (
            serde_json::to_value(r.report.verdict)
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
    let (created, mut receipt) = result?;
    if !created {
        // The first receipt of bytes someone else sent: who sent them, under which name and
        // for which unit is theirs, unless this token may read the Office's files anyway.
        let reader = crate::web::state::may(&req, &state, Scope::Read);
        let sender = crate::web::state::token_in(&req, &state).map(|t| t.name);
        if !reader && receipt.client != sender {
            receipt.client = None;
            receipt.file_name = None;
            receipt.unit = None;
        }
    }
    Ok(if created {
        HttpResponse::Created().json(receipt)
    } else {
        HttpResponse::Ok().json(receipt)
    })
}

/// Receive the body within the token's upload places and the request's limits, then submit
/// it ([`submit::submit_with_receipt`]).
async fn receive_and_submit(
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
    client: String,
) -> Result<(bool, Receipt), AppError> {
    let place = state.upload_place(&client)?;
    let (received, mut info) = upload::receive(req, payload, state, &place).await?;
    // A token bound to a unit uploads for that unit, whatever the form says.
    if let Some(unit) = crate::web::state::token_in(req, state).and_then(|t| t.unit) {
        info.unit = Some(unit);
    }
    let up = submit::Upload {
        received,
        info,
        client,
    };
    submit::submit_with_receipt(&state.app, up).await
}

fn check_id(id: &str) -> Result<(), AppError> {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("submission {id}")))
    }
}

/// The stored submission `id`, or 404.
async fn stored(state: &web::Data<AppState>, id: &str) -> Result<Submission, AppError> {
    check_id(id)?;
    let (st, key) = (state.clone(), id.to_string());
    blocking(move || Ok(st.app.store.get(&key)?))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("submission {id}")))
}

pub(crate) async fn get_submission(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let sub = stored(&state, &path.into_inner().to_ascii_lowercase()).await?;
    let st = state.clone();
    Ok(HttpResponse::Ok().json(blocking(move || Ok(receipt(&st.app, sub)?)).await?))
}

/// The stored PDF, streamed from disk in 64 KiB pieces (memory stays flat however many are
/// downloaded at once).
pub(crate) async fn get_pdf(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    pdf_response(&state, &path.into_inner()).await
}

/// The stored PDF `id` as a streamed download (the caller has authorised the reader).
pub(crate) async fn pdf_response(
    state: &web::Data<AppState>,
    id: &str,
) -> Result<HttpResponse, AppError> {
    use tokio::io::AsyncReadExt;
    let id = id.to_ascii_lowercase();
    stored(state, &id).await?;
    if state.app.store.database().is_some() {
        return pdf_from_database(state, id).await;
    }
    let path = state.app.store.blob_path(&id);
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| crate::store::StoreError::Io { path, source: e })?;
    let len = file
        .metadata()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
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

/// The stored PDF from the PostgreSQL store, streamed a chunk (1 MiB) at a time and hashed on
/// the way: bytes that no longer hash to their id end the download with an error instead of
/// completing it.
async fn pdf_from_database(
    state: &web::Data<AppState>,
    id: String,
) -> Result<HttpResponse, AppError> {
    use sha2::Digest;
    let Some(db) = state.app.store.database().cloned() else {
        return Err(AppError::Internal("no database".into()));
    };
    let (key, d) = (id.clone(), db.clone());
    let (digest, len, chunks) = blocking(move || {
        let head = d.blob_head(&key)?;
        // Every chunk checked against its own SHA-256 before the first byte goes out: damaged
        // evidence is refused, never sent as a complete download.
        if head.is_some() && !d.blob_intact(&key)? {
            return Err(crate::store::StoreError::Mismatch { id: key }.into());
        }
        Ok(head)
    })
    .await?
    .ok_or_else(|| AppError::NotFound(format!("no stored file {id}")))?;
    const PIECE: i32 = 1 << 16;
    // (chunk, offset in it, hash so far, id while going on)
    let start = (0, 0, sha2::Sha256::new(), Some(id.clone()));
    let stream = futures_util::stream::unfold(start, move |(n, off, mut hash, key)| {
        let (db, digest) = (db.clone(), digest.clone());
        async move {
            let key = key?;
            if n == chunks {
                let whole = hash.finalize().as_slice() == digest.as_slice();
                return (!whole).then(|| {
                    tracing::error!(id = %key, "stored bytes do not hash to their id");
                    let end = (n, 0, sha2::Sha256::new(), None);
                    (Err(std::io::Error::other("stored bytes damaged")), end)
                });
            }
            let k = key.clone();
            let got = tokio::task::spawn_blocking(move || db.blob_piece(&k, n, off, PIECE)).await;
            match got {
                Ok(Ok(Some(bytes))) => {
                    hash.update(&bytes);
                    let next = match bytes.len() < PIECE as usize {
                        true => (n + 1, 0),
                        false => (n, off + PIECE),
                    };
                    Some((
                        Ok(web::Bytes::from(bytes)),
                        (next.0, next.1, hash, Some(key)),
                    ))
                }
                _ => {
                    let end = (n, off, hash, None);
                    Some((Err(std::io::Error::other("chunk unreadable")), end))
                }
            }
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
        .body(SizedStream::new(len, Box::pin(stream))))
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
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let q = q.into_inner();
    let month = match &q.month {
        Some(m) => crate::duty::period::Month::parse(m)
            .ok_or_else(|| AppError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?,
        None => crate::duty::period::Month::of_vietnam_time(now()),
    };
    let (credited, late) = match q.status.as_deref() {
        None | Some("all") => (None, false),
        Some("credited") => (Some(true), false),
        Some("not_credited") => (Some(false), false),
        Some("late") => (None, true),
        Some(s) => {
            return Err(AppError::BadRequest(format!(
                "status {s:?}: use credited, not_credited, late or all"
            )))
        }
    };
    let reason = match q.reason.as_deref() {
        None | Some("") => None,
        Some(r) => Some(crate::duty::note::NoteCode::parse_reason(r).ok_or_else(|| {
            AppError::BadRequest(format!(
                "reason {r:?}: use one of {}",
                crate::duty::note::NoteCode::reasons()
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
    let page = blocking(move || Ok(crate::app::listing::list(&st.app, &query)?)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(serde::Deserialize)]
pub(crate) struct MoveBody {
    month: String,
    reason: String,
}

/// `POST /api/v1/submissions/{id}/move` (scope admin, body `{"month": "YYYY-MM", "reason":
/// "..."}`): move a file whose claimed signing time falls in the first hours of a month's first
/// day to the month before (`crate::app::month_move`). Recorded with who, when and why.
pub(crate) async fn move_month(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let by = authorize(&req, &state, Scope::Admin)?;
    let id = path.into_inner().to_ascii_lowercase();
    let body: MoveBody = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(format!(
            "JSON body {{\"month\": \"YYYY-MM\", \"reason\": \"...\"}}: {e}"
        ))
    })?;
    let to = Month::parse(&body.month)
        .ok_or_else(|| AppError::BadRequest(format!("{:?} is not a month YYYY-MM", body.month)))?;
    check_id(&id)?;
    let _one_at_a_time = state.app.write_lock.lock().await;
    let st = state.clone();
    let sub = blocking(move || {
        let request = crate::app::month_move::MoveRequest {
            id: &id,
            to,
            by: &by,
            reason: &body.reason,
            at: now(),
        };
        let sub = crate::app::month_move::move_to_month(&st.app, request)?;
        Ok(receipt(&st.app, sub)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(sub))
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
) -> Result<HttpResponse, AppError> {
    let by = authorize(&req, &state, Scope::Admin)?;
    let id = path.into_inner().to_ascii_lowercase();
    let body: AcceptBody = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON body {{\"reason\": \"...\"}}: {e}")))?;
    check_id(&id)?;
    let _one_at_a_time = state.app.write_lock.lock().await;
    let st = state.clone();
    let sub = blocking(move || {
        let sub = crate::app::late::accept(&st.app, &id, &by, &body.reason, now())?;
        Ok(receipt(&st.app, sub)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(sub))
}
