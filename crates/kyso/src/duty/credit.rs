//! What a submission earns (plan 655/KH-UBND): which requirement of which unit, leader and
//! month each valid signature by an enrolled certificate satisfies, and the notes a clerk can
//! act on. Pure: derived from the stored facts and the registry.

use crate::duty::note::NoteCode;
use crate::duty::period::Month;
use crate::duty::registry::lookup::Owners;
use crate::duty::registry::Owner;
use crate::duty::submission::{local_as_utc_corrected, Submission, CLOCK_SKEW_MINUTES};
use kyso_verify::report::{Indication, ProblemCode, Verdict};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
        return Some(crate::duty::words::problem(&pr.code).to_string());
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
        received: Some(sub.received_at),
        moved: sub.moved.as_ref().map(|m| (m.from, m.to)),
        accepted: sub.accepted_late.is_some(),
        credits: Vec::new(),
        notes: Vec::new(),
    };
    if sub.report.verdict == Verdict::Unsigned {
        c.notes.push(note(
            NoteCode::Unsigned,
            "Tệp không có chữ ký số nào.".into(),
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
    notes.extend(administrator_notes(sub));
    credits.sort();
    credits.dedup();
    if let Some(hint) = &sub.unit_hint {
        if !credits.is_empty() && credits.iter().all(|c| &c.unit != hint) {
            notes.push(note(
                NoteCode::UnitMismatch,
                format!(
                    "Hồ sơ được gửi cho {} nhưng chữ ký thuộc {}.",
                    crate::duty::words::unit(registry.registry(), hint),
                    crate::duty::words::unit(registry.registry(), &credits[0].unit)
                ),
            ));
        }
    }
    (credits, notes)
}

/// What administrators did to the file: accepted it late, moved it to another month.
fn administrator_notes(sub: &Submission) -> Vec<Note> {
    let mut out = Vec::new();
    if let Some(a) = &sub.accepted_late {
        out.push(note(
            NoteCode::AcceptedLate,
            format!(
                "Hồ sơ nộp muộn được {} chấp nhận lúc {} với lý do: {}.",
                a.by,
                crate::vn::datetime(a.at),
                a.reason
            ),
        ));
    }
    if let Some(m) = &sub.moved {
        out.push(note(
            NoteCode::MovedToMonth,
            format!(
                "Hồ sơ được {} chuyển từ tháng {} về tháng {} lúc {} với lý do: {}",
                m.by,
                m.from.vn(),
                m.to.vn(),
                crate::vn::datetime(m.at),
                m.reason
            ),
        ));
    }
    out
}

/// Working out what one submission's signatures earn.
struct Crediting<'a> {
    registry: &'a dyn Owners,
    policy: &'a TimePolicy,
    received: Option<OffsetDateTime>,
    /// The administrator's move of the file: from a month to another.
    moved: Option<(Month, Month)>,
    /// An administrator accepted the file as late.
    accepted: bool,
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
                    "Chữ ký \"{label}\" không hợp lệ nên không được tính: {}.",
                    why.map(|p| crate::duty::words::problem(&p.code))
                        .unwrap_or("không rõ lý do")
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
                if self.accepted {
                    format!("Chữ ký \"{label}\": {why}; hồ sơ được quản trị viên chấp nhận nộp muộn nên vẫn được tính.")
                } else if policy.accept_implausible {
                    format!("Chữ ký \"{label}\": {why}; vẫn được tính vì dịch vụ được cấu hình chấp nhận thời điểm ký này.")
                } else {
                    format!("Chữ ký \"{label}\" không được tính: {why}. Nếu văn bản được ký đúng tháng nhưng nộp muộn, hãy báo Văn phòng: quản trị viên có thể chấp nhận hồ sơ nộp muộn kèm lý do. Những lần sau, hãy nộp trong tháng ký.")
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
        let month = Month::of_vietnam_time(time);
        match self.moved {
            Some((from, to)) if from == month => Some(to),
            _ => Some(month),
        }
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
                "Chữ ký \"{label}\": phần mềm ký ghi giờ Việt Nam như giờ UTC; thời điểm ký được hiểu là {}.",
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
                    "Chứng thư số \"{}\" chưa được đăng ký cho đơn vị hay lãnh đạo nào; chữ ký hợp lệ nhưng chưa được tính. Quản trị viên đăng ký chứng thư này (trang Quản trị) thì hồ sơ sẽ được tính lại.",
                    crate::text::visible(&signer.subject)
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

/// Notes for credits that other, earlier submissions already earned.
pub fn already_met_notes(
    sub: &Submission,
    credits: &[Credit],
    others: &[(Submission, Vec<Credit>)],
    registry: &crate::duty::registry::Registry,
) -> Vec<Note> {
    let mut out = Vec::new();
    for c in credits {
        let earlier = others
            .iter()
            .filter(|(o, _)| {
                o.id != sub.id
                    && (o.received_at, o.id.as_str()) < (sub.received_at, sub.id.as_str())
            })
            .find(|(_, oc)| oc.contains(c));
        if let Some((o, _)) = earlier {
            out.push(note(
                NoteCode::RequirementAlreadyMet,
                format!(
                    "Yêu cầu {} đã được đáp ứng bởi hồ sơ {}.",
                    crate::duty::words::requirement(registry, c),
                    crate::duty::words::file(o)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::registry::{Registry, Unit, UnitKind};

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
            received_at: kyso_verify::report::wire_time::parse(received_at).unwrap(),
            size: 1,
            unit_hint: None,
            report: serde_json::from_value(report).unwrap(),
            history: Vec::new(),
            file_name: None,
            client: None,
            accepted_late: None,
            moved: None,
            ocsp: Vec::new(),
            ca_issuers: Vec::new(),
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
                contact: None,
                order: None,
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
