//! A file handed in, through the API or the pages alike: received bytes verified under a
//! verification slot (unless the same bytes are stored already), committed durably, and
//! answered with the receipt ([`crate::app::receipt`]). The web wing only receives the body
//! into the store's intake and serialises what comes back.

use crate::app::error::{AppError, ErrorCode};
use crate::app::online::Sessions;
use crate::app::receipt::{receipt, Receipt};
use crate::app::{blocking, online, App};
use crate::duty::submission::Submission;
use crate::metrics::Histogram;
use crate::store::{Committed, Received};
use kyso_verify::report::Report;
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

/// Verify received bytes (read back from the store's intake) at the receipt time, under a
/// verification slot and within the verification's deadline (`verify_deadline_secs`, waiting
/// for a slot included): a first pass with what is known; then, outside the slot, the issuers
/// a signature lacks (`fetch_ca_issuers`) and the OCSP questions worth asking
/// (`crate::app::online`), each followed by a pass again if anything was learnt. The answers
/// and certificates used are kept in the record.
async fn verify_received(app: &Arc<App>, up: Upload) -> Result<(Received, Submission), AppError> {
    let Upload {
        received,
        info,
        client,
    } = up;
    let run = Run {
        app: app.clone(),
        received: Arc::new(received),
        at: receipt_time(),
        deadline: std::time::Instant::now() + app.verify_within,
    };
    let mut sessions = Sessions {
        ocsp: app.ocsp.as_ref().map(|c| c.collecting()),
        issuers: app.issuers.as_ref().map(|c| c.collecting()),
    };
    let (bytes, mut report) = run.first_pass(&sessions).await?;
    if let (Some(client), Some(s)) = (&app.issuers, &sessions.issuers) {
        let (c, want, until) = (client.clone(), s.wanted(), run.ask_until());
        if !want.is_empty() && run.outside(move || Ok(c.fetch_all(&want, until))).await? > 0 {
            sessions = Sessions {
                ocsp: app.ocsp.as_ref().map(|c| c.collecting()),
                issuers: Some(client.cached_only()),
            };
            report = run.pass(&bytes, &sessions).await?;
        }
    }
    if let (Some(client), Some(s)) = (&app.ocsp, &sessions.ocsp) {
        let (c, ask, until) = (
            client.clone(),
            online::worth_asking(&report, s.wanted()),
            run.ask_until(),
        );
        if !ask.is_empty() && run.outside(move || Ok(c.fetch_all(&ask, until))).await? > 0 {
            sessions.ocsp = Some(client.cached_only());
            report = run.pass(&bytes, &sessions).await?;
        }
    }
    let used = |d: Vec<Vec<u8>>| d.iter().map(hex::encode).collect();
    let Run { received, at, .. } = run;
    let received = Arc::try_unwrap(received).map_err(|_| AppError::Unavailable)?;
    let sub = Submission {
        id: received.id.clone(),
        received_at: at,
        size: received.size,
        unit_hint: info.unit,
        file_name: info.file_name,
        client: Some(client),
        accepted_late: None,
        moved: None,
        report,
        history: Vec::new(),
        ocsp: used(sessions.ocsp.map(|s| s.used()).unwrap_or_default()),
        ca_issuers: used(sessions.issuers.map(|s| s.used()).unwrap_or_default()),
    };
    Ok((received, sub))
}

/// One upload's verification: what every pass shares.
struct Run {
    app: Arc<App>,
    received: Arc<Received>,
    /// The receipt time, the validation time of every pass.
    at: OffsetDateTime,
    /// The end of the whole verification, waits included.
    deadline: std::time::Instant,
}

impl Run {
    /// The first pass, the bytes read from the intake under the same slot (the slot bounds
    /// the memory of files read at once).
    async fn first_pass(&self, sessions: &Sessions) -> Result<(Arc<Vec<u8>>, Report), AppError> {
        let (a, r, s) = (self.app.clone(), self.received.clone(), sessions.clone());
        let at = self.at;
        in_slot(&self.app, self.deadline, move || {
            let bytes = r.bytes()?;
            let report = verify_pass(&a, &bytes, r.digest, at, &s)?;
            Ok((bytes, report))
        })
        .await
    }

    /// A pass again, under a slot, with what was learnt.
    async fn pass(&self, bytes: &Arc<Vec<u8>>, sessions: &Sessions) -> Result<Report, AppError> {
        let (a, b, s) = (self.app.clone(), bytes.clone(), sessions.clone());
        let (digest, at) = (self.received.digest, self.at);
        in_slot(&self.app, self.deadline, move || {
            verify_pass(&a, &b, digest, at, &s)
        })
        .await
    }

    /// Blocking work outside any slot (reading the intake, asking the network).
    async fn outside<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        blocking(f).await
    }

    /// Until when the network may be asked now: the OCSP time (`ocsp_timeout_ms`), within the
    /// verification's deadline.
    fn ask_until(&self) -> std::time::Instant {
        self.deadline
            .min(std::time::Instant::now() + self.app.ocsp_within)
    }
}

/// One verification pass, timed for `/metrics`.
fn verify_pass(
    app: &App,
    bytes: &[u8],
    digest: [u8; 32],
    at: OffsetDateTime,
    sessions: &Sessions,
) -> Result<Report, AppError> {
    let _timer = Observe(&app.stats.verify_seconds, std::time::Instant::now());
    let trust = app.trust();
    online::pass(bytes, Some(digest), &trust, &app.opts, at, sessions).map_err(|e| {
        AppError::Unprocessable {
            code: ErrorCode::of(&e),
            message: e.to_string(),
        }
    })
}

/// Run `f` on the blocking pool under a verification slot, waiting for the slot no later than
/// `deadline` (503 after it: the service is busy).
async fn in_slot<T: Send + 'static>(
    app: &Arc<App>,
    deadline: std::time::Instant,
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let wait = deadline.saturating_duration_since(std::time::Instant::now());
    let _slot = tokio::time::timeout(wait, app.verify_slots.acquire())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(|_| AppError::Unavailable)?;
    blocking(f).await
}

/// Observes the time from its start to its drop (every way out of a verification counts).
struct Observe<'a>(&'a Histogram, std::time::Instant);

impl Drop for Observe<'_> {
    fn drop(&mut self) {
        self.0.observe(self.1.elapsed());
    }
}
