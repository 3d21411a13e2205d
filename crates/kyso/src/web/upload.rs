//! Receiving an upload: the body (a raw PDF or the multipart part `file`, with an optional part
//! `unit`) goes into the store's [`Intake`] as it arrives.
//!
//! Limits that hold whatever the framing: every byte of the body counts against
//! `max_upload_bytes` (plus a small allowance for the multipart envelope), chunked or not, in
//! any part; nothing received for `upload_idle_timeout_secs` ends the upload, and so does the
//! whole-request deadline `upload_deadline_secs` (a body trickled a byte at a time).

use super::state::UploadPlace;
use super::{blocking, AppError, AppState};
use crate::app::submit::UploadInfo;
use crate::store::{Intake, Received};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// What a multipart body may carry besides the file (boundaries, headers, the unit).
const ENVELOPE: u64 = 64 * 1024;
/// Bytes gathered before a disk write is moved off the async worker.
const SPILL_CHUNK: usize = 256 * 1024;

/// The body, counted: past `cap` bytes it ends with an error and raises `over`.
struct Counted<S> {
    inner: S,
    seen: u64,
    cap: u64,
    over: Arc<AtomicBool>,
}

impl<S> Stream for Counted<S>
where
    S: Stream<Item = Result<web::Bytes, PayloadError>> + Unpin,
{
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.over.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(PayloadError::Overflow)));
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(b))) => {
                self.seen += b.len() as u64;
                if self.seen > self.cap {
                    self.over.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                Poll::Ready(Some(Ok(b)))
            }
            other => other,
        }
    }
}

/// Feeds the intake: in memory on the async worker, on disk through [`blocking`].
struct Sink<'a> {
    intake: Option<Intake>,
    pending: Vec<u8>,
    store: Arc<crate::store::Store>,
    /// The request's share of its token's uploads: every byte kept counts there.
    place: &'a UploadPlace,
}

impl Sink<'_> {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.place.take(chunk.len() as u64)?;
        let intake = self.intake.as_mut().ok_or(AppError::Unavailable)?;
        if !intake.writes_to_disk(self.pending.len() + chunk.len()) {
            return Ok(intake.write(chunk)?);
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= SPILL_CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), AppError> {
        let (Some(mut intake), data) = (self.intake.take(), std::mem::take(&mut self.pending))
        else {
            return Err(AppError::Unavailable);
        };
        let store = self.store.clone();
        self.intake = Some(
            blocking(move || {
                if let Err(e) = intake.write(&data) {
                    store.note_error(&e);
                    return Err(e.into());
                }
                Ok(intake)
            })
            .await?,
        );
        Ok(())
    }

    /// Bytes received so far (kept or waiting to be written).
    fn size(&self) -> u64 {
        self.intake.as_ref().map_or(0, |i| i.size()) + self.pending.len() as u64
    }

    async fn finish(mut self) -> Result<Received, AppError> {
        if !self.pending.is_empty() {
            self.flush().await?;
        }
        let intake = self.intake.take().ok_or(AppError::Unavailable)?;
        if intake.size() == 0 {
            return Err(AppError::BadRequest("the file is empty".into()));
        }
        Ok(blocking(move || Ok(intake.finish()?)).await?)
    }
}

/// The next item of a body, or 408 when the client sends nothing for `idle`.
async fn next<S: Stream + Unpin>(s: &mut S, idle: Duration) -> Result<Option<S::Item>, AppError> {
    tokio::time::timeout(idle, s.next())
        .await
        .map_err(|_| AppError::Timeout(idle.as_secs()))
}

struct Limits {
    limit: u64,
    idle: Duration,
    over: Arc<AtomicBool>,
}

impl Limits {
    /// A body error: over the limit (413) or a broken body (400).
    fn body_error(&self, e: impl std::fmt::Display) -> AppError {
        if self.over.load(Ordering::Relaxed) {
            AppError::TooLarge { limit: self.limit }
        } else {
            AppError::BadRequest(format!("the upload was interrupted or malformed: {e}"))
        }
    }
}

/// Copy a stream of chunks into the sink.
async fn copy<S, E>(mut s: S, sink: &mut Sink<'_>, l: &Limits) -> Result<(), AppError>
where
    S: Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    while let Some(chunk) = next(&mut s, l.idle).await? {
        let chunk = chunk.map_err(|e| l.body_error(e))?;
        sink.write(&chunk).await?;
        if sink.size() > l.limit {
            return Err(AppError::TooLarge { limit: l.limit });
        }
    }
    Ok(())
}

/// Read a small text part (the unit id).
async fn small_part<S, E>(mut s: S, l: &Limits) -> Result<Option<String>, AppError>
where
    S: Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut v = Vec::new();
    while let Some(c) = next(&mut s, l.idle).await? {
        v.extend_from_slice(&c.map_err(|e| l.body_error(e))?);
        if v.len() > 200 {
            return Err(AppError::BadRequest(
                "the unit part is longer than 200 bytes".into(),
            ));
        }
    }
    let s = String::from_utf8(v)
        .map_err(|_| AppError::BadRequest("the unit part is not UTF-8".into()))?;
    let s = s.trim();
    Ok((!s.is_empty()).then(|| s.to_string()))
}

/// A file name fit to store and show: its last path component, no control characters, at
/// most 200 characters.
fn clean_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    // Control characters, and the invisible ones that reorder or hide text (bidi overrides,
    // zero-width characters, line and paragraph separators), which could disguise a name.
    let invisible = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}');
    let name: String = last
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .take(200)
        .collect();
    let name = name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The filename of a Content-Disposition (`filename*` in UTF-8 first, then `filename`).
fn disposition_name(cd: &actix_web::http::header::ContentDisposition) -> Option<String> {
    cd.get_filename_ext()
        .and_then(|e| String::from_utf8(e.value.clone()).ok())
        .or_else(|| cd.get_filename().map(str::to_string))
        .and_then(|n| clean_name(&n))
}

async fn multipart(
    req: &HttpRequest,
    body: Counted<web::Payload>,
    sink: &mut Sink<'_>,
    l: &Limits,
) -> Result<UploadInfo, AppError> {
    let mut mp = actix_multipart::Multipart::new(req.headers(), body);
    let (mut form, mut got_file) = (UploadInfo::default(), false);
    while let Some(field) = next(&mut mp, l.idle).await? {
        let mut field = field.map_err(|e| l.body_error(e))?;
        match field.name() {
            Some("file") if !got_file => {
                form.file_name = field.content_disposition().and_then(disposition_name);
                copy(&mut field, sink, l).await?;
                got_file = true;
            }
            Some("unit") => form.unit = small_part(&mut field, l).await?,
            // Other parts are read and dropped; their bytes still count against the limit.
            _ => {
                while next(&mut field, l.idle)
                    .await?
                    .transpose()
                    .map_err(|e| l.body_error(e))?
                    .is_some()
                {}
            }
        }
    }
    if !got_file {
        return Err(AppError::BadRequest(
            "the multipart body has no part named \"file\"".into(),
        ));
    }
    Ok(form)
}

/// Receive the upload into the store's intake, within the request's limits.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    place: &UploadPlace,
) -> Result<(Received, UploadInfo), AppError> {
    let cfg = &state.config;
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // The media type exactly (RFC 9110 §8.3.1): `application/pdfx` is not `application/pdf`.
    let media = ctype.split(';').next().unwrap_or("").trim();
    let is_multipart = media == "multipart/form-data";
    if !is_multipart && media != "application/pdf" && media != "application/octet-stream" {
        return Err(AppError::UnsupportedMediaType(if ctype.is_empty() {
            "no Content-Type".into()
        } else {
            ctype
        }));
    }
    let l = Limits {
        limit: cfg.max_upload_bytes,
        idle: Duration::from_secs(cfg.upload_idle_timeout_secs.max(1)),
        over: Arc::new(AtomicBool::new(false)),
    };
    let cap = l.limit + if is_multipart { ENVELOPE } else { 0 };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|d| d > cap) {
        return Err(AppError::TooLarge { limit: l.limit });
    }
    let body = Counted {
        inner: payload,
        seen: 0,
        cap,
        over: l.over.clone(),
    };
    let mut sink = Sink {
        intake: Some(state.app.store.intake()),
        pending: Vec::new(),
        store: state.app.store.clone(),
        place,
    };
    let deadline = Duration::from_secs(cfg.upload_deadline_secs.max(1));
    let read = async {
        let form = if is_multipart {
            multipart(req, body, &mut sink, &l).await?
        } else {
            copy(body, &mut sink, &l).await?;
            UploadInfo {
                unit: None,
                file_name: req
                    .headers()
                    .get(header::CONTENT_DISPOSITION)
                    .and_then(|v| header::ContentDisposition::from_raw(v).ok())
                    .as_ref()
                    .and_then(disposition_name),
            }
        };
        Ok::<_, AppError>(form)
    };
    let form = tokio::time::timeout(deadline, read)
        .await
        .map_err(|_| AppError::Deadline(deadline.as_secs()))??;
    if sink.size() > l.limit {
        return Err(AppError::TooLarge { limit: l.limit });
    }
    Ok((sink.finish().await?, form))
}

/// Receive several files of one multipart body (the pages' upload form: parts `file`, and
/// `unit`), each into its own intake, each within `max_upload_bytes`, the whole within the
/// deadline. At most `max_files` files; more is refused. Each file takes a place of the
/// token's uploads in progress, and every byte counts in its bytes in progress.
pub async fn receive_many(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    place: &mut UploadPlace,
    max_files: usize,
) -> Result<Vec<(Received, UploadInfo)>, AppError> {
    let cfg = &state.config;
    let l = Limits {
        limit: cfg.max_upload_bytes,
        idle: Duration::from_secs(cfg.upload_idle_timeout_secs.max(1)),
        over: Arc::new(AtomicBool::new(false)),
    };
    let body = Counted {
        inner: payload,
        seen: 0,
        cap: l.limit.saturating_mul(max_files as u64) + ENVELOPE,
        over: l.over.clone(),
    };
    let deadline = Duration::from_secs(cfg.upload_deadline_secs.max(1));
    let read = async {
        let mut mp = actix_multipart::Multipart::new(req.headers(), body);
        let (mut unit, mut files) = (None, Vec::new());
        while let Some(field) = next(&mut mp, l.idle).await? {
            let mut field = field.map_err(|e| l.body_error(e))?;
            match field.name() {
                Some("file") => {
                    if files.len() == max_files {
                        return Err(AppError::BadRequest(format!(
                            "at most {max_files} files at once"
                        )));
                    }
                    if !files.is_empty() {
                        place.another_file()?;
                    }
                    let file_name = field.content_disposition().and_then(disposition_name);
                    let mut sink = Sink {
                        intake: Some(state.app.store.intake()),
                        pending: Vec::new(),
                        store: state.app.store.clone(),
                        place,
                    };
                    copy(&mut field, &mut sink, &l).await?;
                    if sink.size() == 0 {
                        continue; // an empty file input
                    }
                    files.push((sink.finish().await?, file_name));
                }
                Some("unit") => unit = small_part(&mut field, &l).await?,
                _ => {
                    while next(&mut field, l.idle)
                        .await?
                        .transpose()
                        .map_err(|e| l.body_error(e))?
                        .is_some()
                    {}
                }
            }
        }
        Ok::<_, AppError>((unit, files))
    };
    let (unit, files) = tokio::time::timeout(deadline, read)
        .await
        .map_err(|_| AppError::Deadline(deadline.as_secs()))??;
    Ok(files
        .into_iter()
        .map(|(r, file_name)| {
            let form = UploadInfo {
                unit: unit.clone().filter(|u| !u.is_empty()),
                file_name,
            };
            (r, form)
        })
        .collect())
}
