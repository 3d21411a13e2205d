//! A file handed in, through the API or the pages alike: received bytes verified under a
//! verification slot (unless the same bytes are stored already), committed durably, and
//! answered with the receipt ([`crate::app::receipt`]). The web wing only receives the body
//! into the store's intake and serialises what comes back.

use crate::app::error::{AppError, ErrorCode};
use crate::app::receipt::{receipt, Receipt};
use crate::app::{blocking, App};
use crate::duty::submission::Submission;
use crate::metrics::Histogram;
use crate::store::{Committed, Received};
use kyso_verify::verify;
use std::sync::Arc;
use time::OffsetDateTime;

/// What the client said about a file besides its bytes.
#[derive(Debug, Default, Clone)]
pub struct UploadInfo {
    /// The unit it was sent for (multipart part `unit`).
    pub unit: Option<String>,
    /// The file's name (multipart `filename`, or the request's Content-Disposition), cleaned.
    pub file_name: Option<String>,
}

/// A file handed in: its bytes as received, what came with them, and who sent it (the token's
/// or the account's name, never a secret).
pub struct Upload {
    pub received: Received,
    pub info: UploadInfo,
    pub client: String,
}

/// The answer to an upload.
pub struct Submitted {
    /// New bytes (201), or bytes already stored (200, the first receipt).
    pub created: bool,
    pub submission: Submission,
}

/// The receipt time, to the microsecond: it also orders submissions received close together.
pub fn receipt_time() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// Verify (unless the bytes are known) and commit an upload: whether it is new, and the
/// stored submission. 201 is answered only once the commit is durable.
pub async fn submit(app: &Arc<App>, up: Upload) -> Result<Submitted, AppError> {
    let started = std::time::Instant::now();
    let (a, id) = (app.clone(), up.received.id.clone());
    let known = blocking(move || Ok(a.store.contains(&id)?)).await?;
    let client = up.client.clone();
    let committed = if known {
        app.store.commit(up.received, None)
    } else {
        let (received, sub) = verify_received(app, up).await?;
        app.store.commit(received, Some(sub))
    };
    let commit_started = std::time::Instant::now();
    let committed = committed.await.map_err(|_| AppError::Unavailable)??;
    app.stats.commit_seconds.observe(commit_started.elapsed());
    let created = matches!(committed, Committed::Created(_));
    let submission = match committed {
        Committed::Created(s) | Committed::Existing(s) | Committed::Repaired(s) => s,
    };
    tracing::info!(id = %submission.id, client = %client, verdict = ?submission.report.verdict,
        size = submission.size, ms = started.elapsed().as_millis() as u64, created, "submission");
    Ok(Submitted {
        created,
        submission,
    })
}

/// [`submit`], answered with the receipt (what the file satisfies, notes for the clerk).
pub async fn submit_with_receipt(app: &Arc<App>, up: Upload) -> Result<(bool, Receipt), AppError> {
    let s = submit(app, up).await?;
    let a = app.clone();
    let r = blocking(move || Ok(receipt(&a, s.submission)?)).await?;
    Ok((s.created, r))
}

/// Verify received bytes (read back from the store's intake) under a verification slot, at the
/// receipt time, with the OCSP answers fetched on the way kept in the record.
async fn verify_received(app: &Arc<App>, up: Upload) -> Result<(Received, Submission), AppError> {
    let received_at = receipt_time();
    let _slot = app
        .verify_slots
        .acquire()
        .await
        .map_err(|_| AppError::Unavailable)?;
    let mut trust = app.trust();
    let session = app.ocsp.as_ref().map(|c| c.session());
    if let Some(s) = &session {
        let mut online = (*trust).clone();
        online.online = Some(s.clone());
        trust = Arc::new(online);
    }
    let a = app.clone();
    blocking(move || {
        let _timer = Observe(&a.stats.verify_seconds, std::time::Instant::now());
        let Upload {
            received,
            info,
            client,
        } = up;
        let bytes = received.bytes()?;
        let report = verify::verify_hashed(&bytes, received.digest, &trust, &a.opts, received_at)
            .map_err(|e| AppError::Unprocessable {
            code: ErrorCode::of(&e),
            message: e.to_string(),
        })?;
        let sub = Submission {
            id: received.id.clone(),
            received_at,
            size: received.size,
            unit_hint: info.unit,
            file_name: info.file_name,
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

/// Observes the time from its start to its drop (every way out of a verification counts).
struct Observe<'a>(&'a Histogram, std::time::Instant);

impl Drop for Observe<'_> {
    fn drop(&mut self) {
        self.0.observe(self.1.elapsed());
    }
}
