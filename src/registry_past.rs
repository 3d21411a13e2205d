//! What a change to a stored registry record does to months already past.
//!
//! Credit for a month is decided by the registry as it stood for that month. Records are dated
//! (a unit's and a post's `from`/`to`, a dropped certificate kept as retired with its last
//! month), so a change made the usual way leaves every earlier month as it was: a post ended
//! and a new one started (a transfer), a certificate replaced (a re-issued token), a unit given
//! its last month (a merger). A change that would alter a month before the month it is made in
//! is a correction of the past: a leader's unit rewritten in place, a first month moved, a unit
//! deactivated without a last month, a retired certificate's last month moved back. Such a
//! change is refused unless it is made explicitly as a correction, with a reason that the audit
//! log keeps beside the change.
//!
//! Adding a record is not a correction: a unit or a post entered late, with its true first
//! month, says what the past was. Closed periods keep their snapshot either way; their
//! amendments show the difference (`crate::closing`).

use crate::registry::{Leader, Month, Retired, Unit};
use std::collections::BTreeSet;

/// How far back a change is compared (twenty years of months).
const MONTHS_COMPARED: i32 = 240;

/// One stored record whose past months a change would alter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PastChange {
    /// `unit` or `leader`.
    pub kind: &'static str,
    pub id: String,
    /// The past months that would change, first to last.
    pub months: Vec<Month>,
}

impl PastChange {
    /// One line for a clerk: the record and its months as ranges (`01/2026–03/2026`).
    pub fn describe_vi(&self) -> String {
        let kind = if self.kind == "unit" {
            "đơn vị"
        } else {
            "lãnh đạo"
        };
        format!(
            "{kind} {}: tháng {}",
            self.id,
            ranges(&self.months).join(", ")
        )
    }
}

/// The changes to past months, one line each, for an error message.
pub fn describe(changes: &[PastChange]) -> String {
    let lines: Vec<String> = changes.iter().map(PastChange::describe_vi).collect();
    format!(
        "Thay đổi này làm thay đổi số liệu các tháng đã qua ({}). Để ghi nhận điều động, hãy kết thúc chức vụ cũ (to) và thêm chức vụ mới; nếu thật sự cần đính chính quá khứ, gửi lại kèm lý do đính chính (correction) (this change rewrites past months; record a transfer as a new post, or repeat it as an explicit correction with a reason).",
        lines.join("; ")
    )
}

fn vn(m: Month) -> String {
    format!("{:02}/{}", m.month, m.year)
}

/// Consecutive months joined: `01/2026–03/2026`, `05/2026`.
fn ranges(months: &[Month]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = months.iter().copied().peekable();
    while let Some(first) = it.next() {
        let mut last = first;
        while it.peek() == Some(&last.next()) {
            last = it.next().unwrap_or(last);
        }
        out.push(if first == last {
            vn(first)
        } else {
            format!("{}–{}", vn(first), vn(last))
        });
    }
    out
}

fn previous(m: Month) -> Month {
    if m.month == 1 {
        Month {
            year: m.year - 1,
            month: 12,
        }
    } else {
        Month {
            year: m.year,
            month: m.month - 1,
        }
    }
}

/// The past months (before `now`) worth comparing: from just before the earliest month either
/// version names (from the start when a version has no first month), to the month before
/// `now`, at most [`MONTHS_COMPARED`] of them.
fn past_months(named: impl Iterator<Item = Month>, open_start: bool, now: Month) -> Vec<Month> {
    let floor = Month {
        year: now.year - MONTHS_COMPARED / 12,
        month: now.month,
    };
    let earliest = if open_start {
        floor
    } else {
        named
            .chain(std::iter::once(previous(now)))
            .min()
            .map_or(floor, previous)
            .max(floor)
    };
    let mut out = Vec::new();
    let mut m = earliest;
    while m < now {
        out.push(m);
        m = m.next();
    }
    out
}

/// The fingerprints among `known` that count for a record in `m`: its certificates, and those
/// retired after `m`. Only the certificates the stored record knows are compared: one added by
/// the change is an enrolment, which is how a valid but unenrolled signature earns its credit
/// (the clerk's note says so), not a correction.
fn counting(
    certs: &[String],
    retired: &[Retired],
    known: &BTreeSet<&str>,
    m: Month,
) -> BTreeSet<String> {
    certs
        .iter()
        .cloned()
        .chain(
            retired
                .iter()
                .filter(|r| m <= r.until)
                .map(|r| r.sha256.clone()),
        )
        .filter(|c| known.contains(c.as_str()))
        .collect()
}

/// The certificates a stored record names, current or retired.
fn known<'a>(certs: &'a [String], retired: &'a [Retired]) -> BTreeSet<&'a str> {
    certs
        .iter()
        .map(String::as_str)
        .chain(retired.iter().map(|r| r.sha256.as_str()))
        .collect()
}

fn dated(certs: &[Retired]) -> impl Iterator<Item = Month> + '_ {
    certs.iter().map(|r| r.until)
}

/// The past months in which `new` would credit or require otherwise than `old`.
pub fn unit_change(old: &Unit, new: &Unit, now: Month) -> Option<PastChange> {
    let named = [old.from, old.to, new.from, new.to]
        .into_iter()
        .flatten()
        .chain(dated(&old.retired_certificates))
        .chain(dated(&new.retired_certificates));
    let known = known(&old.certificates, &old.retired_certificates);
    let state = |u: &Unit, m: Month| {
        (
            u.required_in(m),
            counting(&u.certificates, &u.retired_certificates, &known, m),
        )
    };
    let open_start = old.from.is_none() || new.from.is_none();
    let months: Vec<Month> = past_months(named, open_start, now)
        .into_iter()
        .filter(|m| state(old, *m) != state(new, *m))
        .collect();
    (!months.is_empty()).then(|| PastChange {
        kind: "unit",
        id: new.id.clone(),
        months,
    })
}

/// The past months in which `new` would credit or require otherwise than `old`: in office or
/// not, in which unit, with which certificates.
pub fn leader_change(old: &Leader, new: &Leader, now: Month) -> Option<PastChange> {
    let named = [Some(old.from), old.to, Some(new.from), new.to]
        .into_iter()
        .flatten()
        .chain(dated(&old.retired_certificates))
        .chain(dated(&new.retired_certificates));
    let known = known(&old.certificates, &old.retired_certificates);
    let state = |l: &Leader, m: Month| {
        let office = l.in_office(m);
        (
            office,
            office.then(|| l.unit.clone()),
            counting(&l.certificates, &l.retired_certificates, &known, m),
        )
    };
    let months: Vec<Month> = past_months(named, false, now)
        .into_iter()
        .filter(|m| state(old, *m) != state(new, *m))
        .collect();
    (!months.is_empty()).then(|| PastChange {
        kind: "leader",
        id: new.id.clone(),
        months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn leader(unit: &str, from: &str, to: Option<&str>, certs: &[&str]) -> Leader {
        Leader {
            id: "an".into(),
            name: "Nguyễn Văn An".into(),
            title: "Chủ tịch".into(),
            unit: unit.into(),
            from: m(from),
            to: to.map(m),
            certificates: certs.iter().map(|c| c.to_string()).collect(),
            retired_certificates: Vec::new(),
            person: None,
        }
    }

    #[test]
    fn a_transfer_made_as_posts_keeps_the_past_and_one_made_in_place_does_not() {
        let now = m("2026-11");
        let before = leader("xa-a", "2024-01", None, &["c1"]);
        // The post ends in October: nothing before November changes.
        let ended = leader("xa-a", "2024-01", Some("2026-10"), &["c1"]);
        assert_eq!(leader_change(&before, &ended, now), None);
        // The unit rewritten in place moves every month since 2024 to the other unit.
        let moved = leader("xa-b", "2024-01", None, &["c1"]);
        let c = leader_change(&before, &moved, now).unwrap();
        assert_eq!(c.months.first(), Some(&m("2024-01")));
        assert_eq!(c.months.last(), Some(&m("2026-10")));
        assert!(c.describe_vi().contains("01/2024–10/2026"), "{c:?}");
        // The first month moved later takes months away.
        let later = leader("xa-a", "2026-03", None, &["c1"]);
        let c = leader_change(&before, &later, now).unwrap();
        assert_eq!(
            (c.months.first(), c.months.last()),
            (Some(&m("2024-01")), Some(&m("2026-02")))
        );
        // A name or title changes nothing that is credited.
        let mut renamed = before.clone();
        renamed.name = "Nguyễn Văn Ân".into();
        renamed.title = "Phó Chủ tịch".into();
        assert_eq!(leader_change(&before, &renamed, now), None);
    }

    #[test]
    fn a_certificate_retired_now_keeps_the_past_and_one_retired_earlier_does_not() {
        let now = m("2026-11");
        let before = leader("xa-a", "2024-01", None, &["c1"]);
        let mut reissued = leader("xa-a", "2024-01", None, &["c2"]);
        reissued.retired_certificates = vec![Retired {
            sha256: "c1".into(),
            until: now,
        }];
        assert_eq!(leader_change(&before, &reissued, now), None);
        reissued.retired_certificates[0].until = m("2026-06");
        let c = leader_change(&before, &reissued, now).unwrap();
        assert_eq!(
            c.months,
            vec![m("2026-07"), m("2026-08"), m("2026-09"), m("2026-10")]
        );
        // A certificate added is an enrolment: it credits what it signed earlier, by design.
        let added = leader("xa-a", "2024-01", None, &["c1", "c3"]);
        assert_eq!(leader_change(&before, &added, now), None);
        // A certificate dropped without being kept as retired takes its past credit away.
        let dropped = leader("xa-a", "2024-01", None, &[]);
        assert!(leader_change(&before, &dropped, now).is_some());
    }

    #[test]
    fn a_unit_given_its_last_month_keeps_the_past_and_one_deactivated_does_not() {
        let now = m("2026-11");
        let unit = |to: Option<&str>, active: bool| Unit {
            id: "xa-a".into(),
            name: "UBND xã A".into(),
            kind: crate::registry::UnitKind::Commune,
            certificates: vec!["u1".into()],
            retired_certificates: Vec::new(),
            active,
            from: None,
            to: to.map(m),
        };
        assert_eq!(
            unit_change(&unit(None, true), &unit(Some("2026-10"), true), now),
            None
        );
        let c = unit_change(&unit(None, true), &unit(None, false), now).unwrap();
        assert!(c.months.contains(&m("2026-10")));
        assert_eq!(
            c.months.len(),
            MONTHS_COMPARED as usize,
            "every month compared"
        );
        assert!(c.describe_vi().ends_with("tháng 11/2006–10/2026"), "{c:?}");
    }
}
