//! Which requirement of plan 655/KH-UBND each signature satisfies, and the monthly and
//! quarterly tables. Pure: derived from stored facts (submissions) and the current registry.

pub use crate::duty::note::NoteCode;
use crate::duty::period::Month;
use crate::duty::registry::lookup::{Lookup, Owners};
use crate::duty::registry::{Leader, Owner, Registry, Unit, UnitKind};
use kyso_verify::report::{Indication, ProblemCode, Report, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A stored submission: the facts that cannot be recomputed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    pub id: String,
    /// RFC 3339, UTC: when kyso received the bytes (proof of existence).
    pub received_at: String,
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
    /// OCSP answers fetched online at receipt (hex DER), so that re-verification at the
    /// receipt time never needs the network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocsp: Vec<String>,
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
            received_at: self.received_at.clone(),
            size: self.size,
            unit_hint: self.unit_hint.clone(),
            report,
            history: Vec::new(),
            // The month table's CSV names each file as the clerk sent it.
            file_name: self.file_name.clone(),
            client: None,
            accepted_late: self.accepted_late.clone(),
            ocsp: Vec::new(),
        }
    }
}

/// Who accepted a late file, when (RFC 3339) and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Acceptance {
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// A verdict that a later re-verification replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it was replaced (RFC 3339, UTC).
    pub replaced_at: String,
    /// Why the run happened (for example "kyso reverify" or "admin API").
    pub reason: String,
    pub report: Report,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    Organisation,
    Leader,
}

/// One requirement `(unit, month, organisation | leader)` met by a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Credit {
    pub unit: String,
    pub month: Month,
    pub requirement: Requirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub code: NoteCode,
    pub message: String,
}

fn note(code: NoteCode, message: String) -> Note {
    Note { code, message }
}

/// Signatures further than this from the receipt time are pointed out to the clerk.
pub const FAR_FROM_RECEIPT_DAYS: i64 = 35;

/// A claimed signing time later than the receipt by more than this is implausible.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// How far a *claimed* signing time (not a trusted timestamp) may be from the receipt time and
/// still earn the month it claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimePolicy {
    /// A claimed time more than this many days before the receipt is implausible.
    pub max_claimed_age_days: i64,
    /// Let an implausible claimed time earn its month anyway (the receipt still says why).
    pub accept_implausible: bool,
}

impl Default for TimePolicy {
    fn default() -> Self {
        TimePolicy {
            max_claimed_age_days: 45,
            accept_implausible: false,
        }
    }
}

/// Why a claimed signing time cannot be believed, if it cannot.
fn implausible(
    sig: &kyso_verify::report::SignatureReport,
    time: OffsetDateTime,
    received: Option<OffsetDateTime>,
    p: &TimePolicy,
) -> Option<String> {
    if sig.signing_time_source == kyso_verify::report::SigningTimeSource::Timestamp {
        return None;
    }
    if let Some(pr) = sig
        .problems
        .iter()
        .find(|x| x.code == ProblemCode::SigningTimeBeforeCertificate)
    {
        return Some(pr.message.clone());
    }
    let r = received?;
    if time - r > time::Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Some(format!(
            "thời điểm ký {} muộn hơn thời điểm nộp {}",
            crate::vn::datetime(time),
            crate::vn::datetime(r)
        ));
    }
    if (r - time).whole_days() > p.max_claimed_age_days {
        return Some(format!(
            "thời điểm ký {} sớm hơn thời điểm nộp {} quá {} ngày và không có dấu thời gian tin cậy",
            crate::vn::datetime(time),
            crate::vn::datetime(r),
            p.max_claimed_age_days
        ));
    }
    None
}

/// The requirements a submission satisfies under `registry`, and the notes a clerk can act on
/// (except "already met", which needs the other submissions: see [`already_met_notes`]).
pub fn credits(
    sub: &Submission,
    registry: &dyn Owners,
    policy: &TimePolicy,
) -> (Vec<Credit>, Vec<Note>) {
    // A file an administrator accepted as late is judged as if implausible times were
    // accepted; the note still says why it was late.
    let accepted;
    let policy = match &sub.accepted_late {
        Some(_) => {
            accepted = TimePolicy {
                accept_implausible: true,
                ..*policy
            };
            &accepted
        }
        None => policy,
    };
    let mut c = Crediting {
        registry,
        policy,
        received: OffsetDateTime::parse(&sub.received_at, &Rfc3339).ok(),
        credits: Vec::new(),
        notes: Vec::new(),
    };
    if sub.report.verdict == Verdict::Unsigned {
        c.notes.push(note(
            NoteCode::Unsigned,
            "Tệp không có chữ ký số nào (the file has no digital signature).".into(),
        ));
    }
    for (i, sig) in sub.report.signatures.iter().enumerate() {
        // A document timestamp proves time, not a signer's duty.
        if sig.kind != kyso_verify::report::SignatureKind::DocumentTimestamp {
            let label = sig.field.clone().unwrap_or_else(|| format!("#{}", i + 1));
            c.signature(sig, &label);
        }
    }
    let Crediting {
        mut credits,
        mut notes,
        ..
    } = c;
    if let Some(a) = &sub.accepted_late {
        notes.push(note(
            NoteCode::AcceptedLate,
            format!(
                "Hồ sơ nộp muộn được {} chấp nhận lúc {} với lý do: {} (a late file accepted by an administrator).",
                a.by,
                a.at.get(..10).unwrap_or(&a.at),
                a.reason
            ),
        ));
    }
    credits.sort();
    credits.dedup();
    if let Some(hint) = &sub.unit_hint {
        if !credits.is_empty() && credits.iter().all(|c| &c.unit != hint) {
            notes.push(note(
                NoteCode::UnitMismatch,
                format!(
                    "Hồ sơ được gửi cho đơn vị \"{hint}\" nhưng chữ ký thuộc đơn vị khác ({}).",
                    credits[0].unit
                ),
            ));
        }
    }
    (credits, notes)
}

/// Working out what one submission's signatures earn.
struct Crediting<'a> {
    registry: &'a dyn Owners,
    policy: &'a TimePolicy,
    received: Option<OffsetDateTime>,
    credits: Vec<Credit>,
    notes: Vec<Note>,
}

impl Crediting<'_> {
    /// One signature: valid, with a believable signing time, by an enrolled certificate whose
    /// owner had the duty that month.
    fn signature(&mut self, sig: &kyso_verify::report::SignatureReport, label: &str) {
        if sig.indication != Indication::TotalPassed {
            let why = sig
                .problems
                .iter()
                .find(|p| p.code != ProblemCode::RevocationUnknown)
                .or(sig.problems.first());
            self.notes.push(note(
                NoteCode::SignatureNotValid,
                format!(
                    "Chữ ký \"{label}\" không hợp lệ nên không được tính (signature not valid: {}).",
                    why.map(|p| p.message.as_str()).unwrap_or("no reason given")
                ),
            ));
            return;
        }
        let Some(signer) = &sig.signer else { return };
        let Some(month) = self.month_of(sig, label) else {
            return;
        };
        self.credit_owner(signer, month);
    }

    /// The month a signature counts for (Vietnam time), or `None` with a note when its time is
    /// missing or not believed.
    fn month_of(
        &mut self,
        sig: &kyso_verify::report::SignatureReport,
        label: &str,
    ) -> Option<Month> {
        let Some(time) = sig.signing_time else {
            self.notes.push(note(
                NoteCode::NoSigningTime,
                format!("Chữ ký \"{label}\" không có thời điểm ký nên không xác định được tháng."),
            ));
            return None;
        };
        let time = self.local_as_utc(sig, time, label);
        let policy = self.policy;
        if let Some(why) = implausible(sig, time, self.received, policy) {
            self.notes.push(note(
                NoteCode::SigningTimeImplausible,
                if policy.accept_implausible {
                    format!("Chữ ký \"{label}\": {why}; vẫn được tính theo cấu hình.")
                } else {
                    format!("Chữ ký \"{label}\" không được tính: {why}. Nộp văn bản trong tháng ký, hoặc ký kèm dấu thời gian.")
                },
            ));
            if !policy.accept_implausible {
                return None;
            }
        } else if let Some(r) = self.received {
            if (r - time).whole_days().abs() > FAR_FROM_RECEIPT_DAYS {
                self.notes.push(note(
                    NoteCode::SigningTimeFarFromReceipt,
                    format!(
                        "Chữ ký \"{label}\" ký lúc {} nhưng nộp lúc {} (cách hơn {FAR_FROM_RECEIPT_DAYS} ngày); kiểm tra lại tháng được tính.",
                        crate::vn::datetime(time),
                        crate::vn::datetime(r)
                    ),
                ));
            }
        }
        Some(Month::of_vietnam_time(time))
    }

    /// A claimed (untimestamped) time after the receipt, but by less than Vietnam's offset
    /// (plus the clock skew), is Vietnam wall-clock time written as UTC by the signing tool
    /// (the verifier already corrects it when /M says so): it is read as Vietnam time, with a
    /// note. A later time stays implausible.
    fn local_as_utc(
        &mut self,
        sig: &kyso_verify::report::SignatureReport,
        time: OffsetDateTime,
        label: &str,
    ) -> OffsetDateTime {
        let Some(corrected) = local_as_utc_corrected(sig, time, self.received) else {
            return time;
        };
        self.notes.push(note(
            NoteCode::SigningTimeLocalAsUtc,
            format!(
                "Chữ ký \"{label}\": phần mềm ký ghi giờ Việt Nam như giờ UTC; thời điểm ký được hiểu là {} (the signing tool wrote Vietnam time as UTC).",
                crate::vn::datetime(corrected)
            ),
        ));
        corrected
    }

    /// The requirements the certificate's owner meets in `month`: the unit's, or each post of
    /// the person that is in office that month (a person may hold two posts at once, or move
    /// to another unit with the same token).
    fn credit_owner(&mut self, signer: &kyso_verify::report::Signer, month: Month) {
        let owners = self.registry.owners_in(&signer.sha256, month);
        if owners.is_empty() {
            self.notes.push(note(
                NoteCode::SignerNotEnrolled,
                format!(
                    "Chứng thư số \"{}\" (SHA-256 {}) chưa được đăng ký cho đơn vị hay lãnh đạo nào; chữ ký hợp lệ nhưng chưa được tính. Quản trị viên đăng ký chứng thư này thì hồ sơ sẽ được tính lại.",
                    signer.subject, signer.sha256
                ),
            ));
            return;
        }
        let mut out_of_office = Vec::new();
        let mut credited = false;
        for owner in owners {
            match owner {
                Owner::Unit(u) => {
                    credited = true;
                    self.credits.push(Credit {
                        unit: u,
                        month,
                        requirement: Requirement::Organisation,
                        leader: None,
                    });
                }
                Owner::Leader(l) => {
                    let Some(leader) = self.registry.leader(&l) else {
                        continue;
                    };
                    if leader.in_office(month) {
                        credited = true;
                        self.credits.push(Credit {
                            unit: leader.unit.clone(),
                            month,
                            requirement: Requirement::Leader,
                            leader: Some(l),
                        });
                    } else {
                        out_of_office.push(format!("{} {}", leader.title, leader.name));
                    }
                }
            }
        }
        if !credited {
            if let Some(who) = out_of_office.first() {
                self.notes.push(note(
                    NoteCode::LeaderNotInOffice,
                    format!(
                        "{who} không đương nhiệm trong tháng {} nên chữ ký không được tính.",
                        month.vn()
                    ),
                ));
            }
        }
    }
}

/// A claimed (untimestamped) signing time after the receipt by more than the clock skew but
/// no more than Vietnam's offset plus it: Vietnam wall-clock time written as UTC, and the time
/// it means. The month a file is indexed under and the month it is credited for both follow it
/// (`crate::store::months_of`), so a month's table reads every file credited to it.
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

/// The receipt time as an instant (RFC 3339 strings do not sort by time when their fractions
/// differ in length).
pub fn received_at(s: &Submission) -> OffsetDateTime {
    OffsetDateTime::parse(&s.received_at, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Notes for credits that other, earlier submissions already earned.
pub fn already_met_notes(
    sub: &Submission,
    credits: &[Credit],
    others: &[(Submission, Vec<Credit>)],
) -> Vec<Note> {
    let mut out = Vec::new();
    for c in credits {
        let earlier = others
            .iter()
            .filter(|(o, _)| {
                o.id != sub.id
                    && (received_at(o), o.id.as_str()) < (received_at(sub), sub.id.as_str())
            })
            .find(|(_, oc)| oc.contains(c));
        if let Some((o, _)) = earlier {
            let who = match &c.leader {
                Some(l) => format!("của lãnh đạo {l}"),
                None => "ký số cơ quan".to_string(),
            };
            out.push(note(
                NoteCode::RequirementAlreadyMet,
                format!(
                    "Yêu cầu {who} (đơn vị {}) tháng {} đã được đáp ứng bởi hồ sơ {}.",
                    c.unit,
                    c.month.vn(),
                    o.id
                ),
            ));
        }
    }
    out
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Status {
    pub satisfied: bool,
    pub submissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LeaderStatus {
    pub id: String,
    pub name: String,
    pub title: String,
    pub satisfied: bool,
    pub submissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitMonth {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub organisation: Status,
    pub leaders: Vec<LeaderStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    pub units: usize,
    pub organisation_satisfied: usize,
    pub leaders: usize,
    pub leaders_satisfied: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MonthTable {
    pub month: Month,
    pub units: Vec<UnitMonth>,
    pub totals: Totals,
    /// Set when the month was closed: these are the live figures; the frozen ones and the
    /// amendments are at `/api/v1/periods/{month}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<crate::duty::period::ClosedMark>,
}

/// The month's table: every active unit, its organisation requirement and each leader in office.
/// `credited` holds the credits of every submission (any month); only `month` is used.
pub fn month_table(registry: &Registry, month: Month, credited: &Credits) -> MonthTable {
    month_table_with(&Lookup::of(registry), month, credited)
}

/// What a table needs of a credited file: its id, when it was received, and what it earned
/// (the facts it was credited from are dropped once credited, so a year of files stays small).
#[derive(Debug, Clone)]
pub struct Credited {
    pub id: String,
    pub received: OffsetDateTime,
    pub credits: Vec<Credit>,
}

/// The credited files of some months, a list per month as credited (and perhaps kept, see
/// [`crate::app::credit_cache`]); a file signed in two of them is in both lists.
#[derive(Debug, Clone, Default)]
pub struct Credits(pub Vec<std::sync::Arc<Vec<Credited>>>);

impl Credits {
    pub fn iter(&self) -> impl Iterator<Item = &Credited> {
        self.0.iter().flat_map(|m| m.iter())
    }
}

impl Credited {
    /// `sub` with its credits.
    pub fn of(sub: &Submission, credits: Vec<Credit>) -> Credited {
        Credited {
            id: sub.id.clone(),
            received: received_at(sub),
            credits,
        }
    }
}

/// The files behind each requirement of `month`, oldest receipt first, keyed by
/// (unit, requirement, leader): built once, so a table costs one pass over the credits.
type Behind<'c> = HashMap<(&'c str, Requirement, Option<&'c str>), Vec<(OffsetDateTime, &'c str)>>;

/// The files behind every requirement of the credited months ([`files_behind`]).
pub struct FilesBehind<'c>(HashMap<Month, Behind<'c>>);

impl<'c> FilesBehind<'c> {
    fn of(&self, m: Month) -> Option<&Behind<'c>> {
        self.0.get(&m)
    }
}

/// Group the credits by month and requirement, in one pass.
pub fn files_behind(credited: &Credits) -> FilesBehind<'_> {
    let mut by_month: HashMap<Month, Behind> = HashMap::new();
    let mut seen = Vec::new();
    for f in credited.iter() {
        seen.clear();
        for c in &f.credits {
            let key = (c.unit.as_str(), c.requirement, c.leader.as_deref());
            // A file has a handful of credits: a list is cheaper than a set per file.
            if !seen.contains(&(c.month, key)) {
                seen.push((c.month, key));
                by_month
                    .entry(c.month)
                    .or_default()
                    .entry(key)
                    .or_default()
                    .push((f.received, f.id.as_str()));
            }
        }
    }
    for behind in by_month.values_mut() {
        for v in behind.values_mut() {
            v.sort();
            // A file signed in two of the months is in both months' lists.
            v.dedup();
        }
    }
    FilesBehind(by_month)
}

/// The tables of `months`, from one pass over the credits (a year report has twelve).
pub fn month_tables_with(lookup: &Lookup, months: &[Month], credited: &Credits) -> Vec<MonthTable> {
    month_tables_behind(lookup, months, &files_behind(credited))
}

/// [`month_tables_with`] with the credits already grouped.
pub fn month_tables_behind(
    lookup: &Lookup,
    months: &[Month],
    behind: &FilesBehind,
) -> Vec<MonthTable> {
    let none = Behind::new();
    months
        .iter()
        .map(|m| month_table_behind(lookup, *m, behind.of(*m).unwrap_or(&none)))
        .collect()
}

/// [`month_table`] with the registry already indexed (a period's tables share one index).
pub fn month_table_with(lookup: &Lookup, month: Month, credited: &Credits) -> MonthTable {
    month_tables_with(lookup, &[month], credited)
        .pop()
        .unwrap_or_else(|| month_table_behind(lookup, month, &Behind::new()))
}

fn month_table_behind(lookup: &Lookup, month: Month, behind: &Behind) -> MonthTable {
    let registry = lookup.registry();
    let subs_for = |unit: &str, req: Requirement, leader: Option<&str>| -> Vec<String> {
        behind
            .get(&(unit, req, leader))
            .map(|v| v.iter().map(|(_, id)| id.to_string()).collect())
            .unwrap_or_default()
    };
    let mut units = Vec::new();
    let mut totals = Totals {
        units: 0,
        organisation_satisfied: 0,
        leaders: 0,
        leaders_satisfied: 0,
    };
    let mut sorted: Vec<_> = registry
        .units
        .iter()
        .filter(|u| u.required_in(month))
        .collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for u in sorted {
        let org = subs_for(&u.id, Requirement::Organisation, None);
        let mut leaders: Vec<LeaderStatus> = lookup
            .leaders_of(&u.id)
            .filter(|l| l.in_office(month))
            .map(|l| {
                let s = subs_for(&u.id, Requirement::Leader, Some(&l.id));
                LeaderStatus {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    title: l.title.clone(),
                    satisfied: !s.is_empty(),
                    submissions: s,
                }
            })
            .collect();
        leaders.sort_by(|a, b| a.id.cmp(&b.id));
        totals.units += 1;
        totals.organisation_satisfied += usize::from(!org.is_empty());
        totals.leaders += leaders.len();
        totals.leaders_satisfied += leaders.iter().filter(|l| l.satisfied).count();
        units.push(UnitMonth {
            id: u.id.clone(),
            name: u.name.clone(),
            kind: u.kind,
            organisation: Status {
                satisfied: !org.is_empty(),
                submissions: org,
            },
            leaders,
        });
    }
    MonthTable {
        month,
        units,
        totals,
        closed: None,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Count {
    pub required: usize,
    pub satisfied: usize,
    pub missing: Vec<Month>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LeaderCount {
    pub id: String,
    pub name: String,
    pub title: String,
    #[serde(flatten)]
    pub count: Count,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitPeriod {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub organisation: Count,
    pub leaders: Vec<LeaderCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeriodTable {
    pub year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    pub months: Vec<Month>,
    pub units: Vec<UnitPeriod>,
}

/// Months of a year or of one quarter of it.
pub fn period_months(year: i32, quarter: Option<u8>) -> Vec<Month> {
    let (first, last) = match quarter {
        Some(q) => (3 * (q - 1) + 1, 3 * q),
        None => (1, 12),
    };
    (first..=last).map(|m| Month { year, month: m }).collect()
}

/// Per unit: months satisfied out of months required, organisation and each leader. Months
/// from `current` on (the month in progress, and later ones) are not required yet.
pub fn period_table(
    registry: &Registry,
    year: i32,
    quarter: Option<u8>,
    current: Month,
    credited: &Credits,
) -> PeriodTable {
    period_table_with(&Lookup::of(registry), year, quarter, current, credited)
}

/// [`period_table`] with the registry already indexed.
pub fn period_table_with(
    lookup: &Lookup,
    year: i32,
    quarter: Option<u8>,
    current: Month,
    credited: &Credits,
) -> PeriodTable {
    period_table_behind(lookup, year, quarter, current, &files_behind(credited))
}

/// [`period_table_with`] with the credits already grouped. Counted straight from the files
/// behind each requirement (a year at national scale is 860,000 requirements: building the
/// twelve month tables first, with every name and file id, cost most of a year report).
pub fn period_table_behind(
    lookup: &Lookup,
    year: i32,
    quarter: Option<u8>,
    current: Month,
    behind: &FilesBehind,
) -> PeriodTable {
    let registry = lookup.registry();
    let months = period_months(year, quarter);
    let none = Behind::new();
    let counted: Vec<(Month, &Behind)> = months
        .iter()
        .filter(|m| **m < current)
        .map(|m| (*m, behind.of(*m).unwrap_or(&none)))
        .collect();
    let mut sorted: Vec<_> = registry
        .units
        .iter()
        .filter(|u| months.iter().any(|m| u.required_in(*m)))
        .collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    PeriodTable {
        year,
        quarter,
        units: sorted
            .into_iter()
            .map(|u| unit_period(lookup, u, &counted))
            .collect(),
        months,
    }
}

fn count(c: &mut Count, month: Month, met: bool) {
    c.required += 1;
    if met {
        c.satisfied += 1;
    } else {
        c.missing.push(month);
    }
}

/// One unit's counts over the counted months, as its month tables say: the organisation in
/// each month the unit is required, each leader in each month in office (leaders listed in the
/// order they first appear, each month's by id).
fn unit_period(lookup: &Lookup, u: &Unit, counted: &[(Month, &Behind)]) -> UnitPeriod {
    let empty = || Count {
        required: 0,
        satisfied: 0,
        missing: Vec::new(),
    };
    let mut org = empty();
    let mut leaders: Vec<LeaderCount> = Vec::new();
    let mut of_unit: Vec<&Leader> = lookup.leaders_of(&u.id).collect();
    of_unit.sort_by(|a, b| a.id.cmp(&b.id));
    for (m, behind) in counted {
        if !u.required_in(*m) {
            continue;
        }
        let met = |req: Requirement, leader: Option<&str>| {
            behind
                .get(&(u.id.as_str(), req, leader))
                .is_some_and(|v| !v.is_empty())
        };
        count(&mut org, *m, met(Requirement::Organisation, None));
        for l in of_unit.iter().filter(|l| l.in_office(*m)) {
            let i = match leaders.iter().position(|x| x.id == l.id) {
                Some(i) => i,
                None => {
                    leaders.push(LeaderCount {
                        id: l.id.clone(),
                        name: l.name.clone(),
                        title: l.title.clone(),
                        count: empty(),
                    });
                    leaders.len() - 1
                }
            };
            count(
                &mut leaders[i].count,
                *m,
                met(Requirement::Leader, Some(&l.id)),
            );
        }
    }
    UnitPeriod {
        id: u.id.clone(),
        name: u.name.clone(),
        kind: u.kind,
        organisation: org,
        leaders,
    }
}

/// A period's counts as CSV for spreadsheet programs: UTF-8 with a BOM, Vietnamese headers,
/// one row per requirement of each unit, the months still missing as mm/yyyy.
pub fn period_csv(t: &PeriodTable) -> String {
    use crate::export::cell::csv_row;
    let mut out = String::from("\u{feff}");
    out += &csv_row(&[
        "Kỳ",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Yêu cầu",
        "Mã lãnh đạo",
        "Lãnh đạo",
        "Chức vụ",
        "Số tháng phải nộp",
        "Số tháng đã nộp",
        "Tháng còn thiếu",
    ]);
    let period = match t.quarter {
        Some(q) => format!("Quý {q}/{}", t.year),
        None => format!("Năm {}", t.year),
    };
    let missing = |c: &Count| {
        c.missing
            .iter()
            .map(|m| m.vn())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for u in &t.units {
        let row = |req: &str, id: &str, name: &str, title: &str, c: &Count| {
            csv_row(&[
                period.as_str(),
                &u.id,
                &u.name,
                u.kind.label_vi(),
                req,
                id,
                name,
                title,
                &c.required.to_string(),
                &c.satisfied.to_string(),
                &missing(c),
            ])
        };
        out += &row("Ký số cơ quan", "", "", "", &u.organisation);
        for l in &u.leaders {
            out += &row("Ký số lãnh đạo", &l.id, &l.name, &l.title, &l.count);
        }
    }
    out
}

/// The month's table as CSV for spreadsheet programs: UTF-8 with a BOM, Vietnamese headers,
/// one row per requirement. `file` names a file for the clerk (its name as sent and when it was
/// received) from its id.
pub fn month_csv(t: &MonthTable, file: &dyn Fn(&str) -> String) -> String {
    use crate::export::cell::csv_row;
    let mut out = String::from("\u{feff}");
    out += &csv_row(&[
        "Tháng",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Yêu cầu",
        "Lãnh đạo",
        "Chức vụ",
        "Đã nộp",
        "Hồ sơ",
    ]);
    let month = t.month.vn();
    for u in &t.units {
        let row = |req: &str, name: &str, title: &str, ok: bool, subs: &[String]| {
            csv_row(&[
                month.as_str(),
                &u.id,
                &u.name,
                u.kind.label_vi(),
                req,
                name,
                title,
                if ok { "Có" } else { "Chưa" },
                &subs
                    .iter()
                    .map(|id| file(id))
                    .collect::<Vec<_>>()
                    .join("; "),
            ])
        };
        out += &row(
            "Ký số cơ quan",
            "",
            "",
            u.organisation.satisfied,
            &u.organisation.submissions,
        );
        for l in &u.leaders {
            out += &row(
                "Ký số lãnh đạo",
                &l.name,
                &l.title,
                l.satisfied,
                &l.submissions,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(signing_time: &str, source: &str, received_at: &str) -> Submission {
        let report = serde_json::json!({
            "schema": 1,
            "document": { "sha256": "00", "size": 1, "revisions": 1 },
            "verdict": "valid",
            "validation_time": received_at,
            "signatures": [{
                "field": "Sig1", "kind": "signature", "sub_filter": "adbe.pkcs7.detached",
                "indication": "TOTAL_PASSED", "sub_indication": null, "problems": [],
                "signer": { "subject": "CN=x", "issuer": "CN=ca", "serial": "01", "sha256": "ab" },
                "chain": [], "signing_time": signing_time, "signing_time_source": source,
                "coverage": "entire_file", "modifications_after": "none", "level": null
            }]
        });
        Submission {
            id: "id".into(),
            received_at: received_at.into(),
            size: 1,
            unit_hint: None,
            report: serde_json::from_value(report).unwrap(),
            history: Vec::new(),
            file_name: None,
            client: None,
            accepted_late: None,
            ocsp: Vec::new(),
        }
    }

    fn registry() -> Registry {
        Registry {
            units: vec![Unit {
                id: "u".into(),
                name: "Đơn vị".into(),
                kind: UnitKind::Commune,
                certificates: vec!["ab".into()],
                retired_certificates: vec![],
                active: true,
                from: None,
                to: None,
            }],
            ..Registry::default()
        }
    }

    #[test]
    fn vietnam_time_written_as_utc_is_read_as_vietnam_time() {
        // Signed at 10:57 Vietnam time, written "10:57Z"; received 3 minutes later (04:00Z).
        let sub = submission(
            "2026-11-30T10:57:00Z",
            "signed_attribute",
            "2026-11-30T04:00:00Z",
        );
        let (got, notes) = super::credits(&sub, &registry(), &TimePolicy::default());
        assert_eq!(got.len(), 1, "{notes:?}");
        assert_eq!(got[0].month, Month::parse("2026-11").unwrap());
        assert!(
            notes
                .iter()
                .any(|n| n.code == NoteCode::SigningTimeLocalAsUtc),
            "{notes:?}"
        );
        // 31 October 20:00 in Vietnam written as 20:00Z, received the same evening: October.
        let sub = submission(
            "2026-10-31T20:00:00Z",
            "signed_attribute",
            "2026-10-31T13:10:00Z",
        );
        let (got, _) = super::credits(&sub, &registry(), &TimePolicy::default());
        assert_eq!(got[0].month, Month::parse("2026-10").unwrap());
        // More than 7 hours ahead stays implausible; a timestamp is never corrected.
        let sub = submission(
            "2026-11-30T12:00:00Z",
            "signed_attribute",
            "2026-11-30T04:00:00Z",
        );
        let (got, notes) = super::credits(&sub, &registry(), &TimePolicy::default());
        assert!(got.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.code == NoteCode::SigningTimeImplausible),
            "{notes:?}"
        );
        let sub = submission("2026-11-30T10:57:00Z", "timestamp", "2026-11-30T04:00:00Z");
        let (_, notes) = super::credits(&sub, &registry(), &TimePolicy::default());
        assert!(!notes
            .iter()
            .any(|n| n.code == NoteCode::SigningTimeLocalAsUtc));
    }
}

#[cfg(test)]
mod period_tests {
    //! The period counts are taken straight from the files behind each requirement; they must
    //! say what the month tables say, month by month.
    use super::*;
    use std::sync::Arc;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn registry() -> Registry {
        Registry::from_toml(
            r#"
[[unit]]
id = "a"
name = "A"
kind = "commune"
[[unit]]
id = "b"
name = "B"
kind = "department"
from = "2026-02"
[[unit]]
id = "c"
name = "C"
kind = "commune"
to = "2026-01"
[[leader]]
id = "la"
name = "Lãnh đạo A"
title = "Chủ tịch"
unit = "a"
from = "2025-01"
to = "2026-02"
[[leader]]
id = "lb"
name = "Lãnh đạo B"
title = "Giám đốc"
unit = "a"
from = "2026-02"
[[leader]]
id = "lc"
name = "Lãnh đạo C"
title = "Phó Giám đốc"
unit = "b"
from = "2026-01"
"#,
        )
        .unwrap()
    }

    fn credit(unit: &str, month: &str, leader: Option<&str>) -> Credit {
        Credit {
            unit: unit.into(),
            month: m(month),
            requirement: if leader.is_some() {
                Requirement::Leader
            } else {
                Requirement::Organisation
            },
            leader: leader.map(str::to_string),
        }
    }

    #[test]
    fn the_period_counts_agree_with_the_month_tables() {
        let file = |id: &str, credits: Vec<Credit>| Credited {
            id: id.into(),
            received: OffsetDateTime::UNIX_EPOCH,
            credits,
        };
        let credited = Credits(vec![Arc::new(vec![
            file("1", vec![credit("a", "2026-01", None)]),
            file(
                "2",
                vec![
                    credit("a", "2026-02", Some("la")),
                    credit("a", "2026-03", None),
                ],
            ),
            file("3", vec![credit("b", "2026-02", None)]),
            file("4", vec![credit("c", "2026-01", None)]),
            file("5", vec![credit("b", "2026-03", Some("lc"))]),
        ])]);
        let lookup = Lookup::of(&registry());
        let p = period_table_with(&lookup, 2026, Some(1), m("2026-04"), &credited);
        let tables = month_tables_with(&lookup, &period_months(2026, Some(1)), &credited);
        let mut checked = 0;
        for u in &p.units {
            let mut org = (0, 0);
            for t in &tables {
                if let Some(um) = t.units.iter().find(|x| x.id == u.id) {
                    org.0 += 1;
                    org.1 += usize::from(um.organisation.satisfied);
                    for l in &um.leaders {
                        let lc = u.leaders.iter().find(|x| x.id == l.id).unwrap();
                        assert_eq!(
                            lc.count.missing.contains(&t.month),
                            !l.satisfied,
                            "{} {} {}",
                            u.id,
                            l.id,
                            t.month
                        );
                        checked += 1;
                    }
                }
            }
            assert_eq!(
                (u.organisation.required, u.organisation.satisfied),
                org,
                "{}",
                u.id
            );
        }
        assert_eq!(
            checked, 6,
            "la in January and February, lb and lc in February and March"
        );
        let a = p.units.iter().find(|u| u.id == "a").unwrap();
        assert_eq!((a.organisation.required, a.organisation.satisfied), (3, 2));
        assert_eq!(a.organisation.missing, vec![m("2026-02")]);
        let ids: Vec<&str> = a.leaders.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["la", "lb"]);
        // The month in progress and later ones are not counted.
        let q = period_table_with(&lookup, 2026, Some(1), m("2026-02"), &credited);
        let a = q.units.iter().find(|u| u.id == "a").unwrap();
        assert_eq!(a.organisation.required, 1);
    }
}
