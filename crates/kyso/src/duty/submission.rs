//! A stored submission: the facts kyso keeps of a file it received (the bytes' id, when it
//! came, its verification report, who accepted it late) and the month each signature counts
//! for, in Vietnam time.

use crate::duty::period::Month;
use kyso_verify::report::Report;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A stored submission: the facts that cannot be recomputed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    pub id: String,
    /// When kyso received the bytes (proof of existence); stored as RFC 3339 in UTC.
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub received_at: OffsetDateTime,
    pub size: u64,
    /// The `unit` part of the upload, if the client sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_hint: Option<String>,
    pub report: Report,
    /// Earlier verdicts, oldest first, when re-verification changed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// The file's name as the client sent it (multipart `filename`, or the request's
    /// Content-Disposition), cleaned; the first upload's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The name of the token that sent it (never the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// An administrator accepted the file although its claimed signing time is implausible
    /// (late): it earns its month, and the receipt says who accepted it, when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_late: Option<Acceptance>,
    /// An administrator moved the file to the month it was really signed in (a claimed time
    /// in the first hours of a month's first day, [`month_start_window`]): its signatures that
    /// counted for `from` count for `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<Move>,
    /// OCSP answers fetched online at receipt (hex DER), so that re-verification at the
    /// receipt time never needs the network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocsp: Vec<String>,
    /// CA certificates fetched from a signer's caIssuers address at receipt (hex DER): what
    /// completed its path then completes it at re-verification, without the network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ca_issuers: Vec<String>,
}

impl Submission {
    /// The stored online OCSP answers, parsed (unreadable ones are skipped).
    pub fn fetched_ocsp(&self) -> Vec<std::sync::Arc<kyso_verify::pki::ocsp::OcspResponse>> {
        self.ocsp
            .iter()
            .filter_map(|h| hex::decode(h).ok())
            .filter_map(|d| kyso_verify::pki::ocsp::parse(&d).ok())
            .map(std::sync::Arc::new)
            .collect()
    }
}

impl Submission {
    /// The stored caIssuers certificates, parsed (unreadable ones are skipped).
    pub fn fetched_issuers(&self) -> Vec<std::sync::Arc<kyso_verify::pki::Cert>> {
        self.ca_issuers
            .iter()
            .filter_map(|h| hex::decode(h).ok())
            .filter_map(|d| kyso_verify::pki::Cert::from_der(&d).ok())
            .map(std::sync::Arc::new)
            .collect()
    }

    /// What crediting reads of a submission, and nothing else: kept in the month index at
    /// commit, so that the Office's tables credit a month's 70,000 files without decoding
    /// their full records (chains, messages, history). [`credits`] gives the same credits for
    /// the facts as for the record; its notes may say less (messages are left out).
    pub fn crediting_facts(&self) -> Submission {
        let mut report = self.report.clone();
        report.document_problems.clear();
        for s in &mut report.signatures {
            s.chain.clear();
            s.level = None;
            s.sub_filter = None;
            for p in &mut s.problems {
                p.message.clear();
            }
            if let Some(signer) = &mut s.signer {
                signer.issuer.clear();
                signer.serial.clear();
                signer.crl_urls.clear();
            }
        }
        Submission {
            id: self.id.clone(),
            received_at: self.received_at,
            size: self.size,
            unit_hint: self.unit_hint.clone(),
            report,
            history: Vec::new(),
            // The month table's CSV names each file as the clerk sent it.
            file_name: self.file_name.clone(),
            client: None,
            accepted_late: self.accepted_late.clone(),
            moved: self.moved.clone(),
            ocsp: Vec::new(),
            ca_issuers: Vec::new(),
        }
    }
}

/// Who accepted a late file, when and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Acceptance {
    pub by: String,
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub at: OffsetDateTime,
    pub reason: String,
}

/// Who moved a file to another month, when, why, and from which month to which.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Move {
    pub from: Month,
    pub to: Month,
    pub by: String,
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub at: OffsetDateTime,
    pub reason: String,
}

/// A verdict that a later re-verification replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it was replaced.
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub replaced_at: OffsetDateTime,
    /// Why the run happened (for example "kyso reverify" or "admin API").
    pub reason: String,
    pub report: Report,
}

/// A claimed signing time later than the receipt by more than this is implausible.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// A claimed (untimestamped) signing time after the receipt by more than the clock skew but
/// no more than Vietnam's offset plus it: Vietnam wall-clock time written as UTC, and the time
/// it means. The month a file is indexed under and the month it is credited for both follow it
/// ([`Submission::months`]), so a month's table reads every file credited to it.
pub fn local_as_utc_corrected(
    sig: &kyso_verify::report::SignatureReport,
    time: OffsetDateTime,
    received: Option<OffsetDateTime>,
) -> Option<OffsetDateTime> {
    let ahead = time - received?;
    let skew = time::Duration::minutes(CLOCK_SKEW_MINUTES);
    let local = sig.signing_time_source != kyso_verify::report::SigningTimeSource::Timestamp
        && ahead > skew
        && ahead <= crate::vn::offset_duration() + skew;
    local.then(|| time - crate::vn::offset_duration())
}

/// The month (Vietnam time) a signature counts for: its signing time, read as Vietnam time when
/// it is Vietnam time written as UTC ([`local_as_utc_corrected`]). `None` without a time.
pub fn signature_month(
    sig: &kyso_verify::report::SignatureReport,
    received: Option<OffsetDateTime>,
) -> Option<Month> {
    let t = sig.signing_time?;
    let t = local_as_utc_corrected(sig, t, received).unwrap_or(t);
    Some(Month::of_vietnam_time(t))
}

/// The hours of a month's first day (Vietnam time) in which a claimed signing time may be a
/// file signed the evening before by a tool that writes Vietnam wall-clock time as UTC
/// (DESIGN.md §2): 00:00 to 07:00, the UTC offset.
pub const MONTH_START_HOURS: u8 = 7;

/// The month before, when the signature's claimed (untimestamped) time, as kyso reads it,
/// falls in the first [`MONTH_START_HOURS`] hours of a month's first day: the month it was
/// perhaps really signed in, to which an administrator may move the file.
pub fn month_start_window(
    sig: &kyso_verify::report::SignatureReport,
    received: Option<OffsetDateTime>,
) -> Option<Month> {
    if sig.signing_time_source == kyso_verify::report::SigningTimeSource::Timestamp
        || sig.kind != kyso_verify::report::SignatureKind::Signature
    {
        return None;
    }
    let t = sig.signing_time?;
    let t = local_as_utc_corrected(sig, t, received).unwrap_or(t);
    let local = crate::vn::local(t);
    (local.day() == 1 && local.hour() < MONTH_START_HOURS)
        .then(|| Month::of_vietnam_time(t).previous())
}

impl Submission {
    /// The month a signature that counts for `m` counts for once the file's move is applied.
    pub fn moved_month(&self, m: Month) -> Month {
        match &self.moved {
            Some(mv) if mv.from == m => mv.to,
            _ => m,
        }
    }

    /// The months (Vietnam time) its signatures count for ([`signature_month`], moved by an
    /// administrator's [`Move`]), each once.
    pub fn months(&self) -> Vec<Month> {
        let mut v: Vec<Month> = self
            .report
            .signatures
            .iter()
            .filter(|s| s.kind == kyso_verify::report::SignatureKind::Signature)
            .filter_map(|s| signature_month(s, Some(self.received_at)))
            .map(|m| self.moved_month(m))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
