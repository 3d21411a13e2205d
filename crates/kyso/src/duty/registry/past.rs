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
//! Certificates are compared across records: whoever a certificate counted for in a past
//! month (`Owners::owners_in`) must still be its owner after the change, whichever record the
//! change touches (a certificate enrolled to a unit takes it from a leader who held it; a new
//! record's retired certificate claims months of the unit that held it then).
//!
//! Adding a record is not a correction: a unit or a post entered late, with its true first
//! month, says what the past was. Nor is enrolling a certificate for months it had no owner:
//! that is how a valid signature by a certificate not yet enrolled earns its credit. Closed periods keep their snapshot either way; their
//! amendments show the difference (`crate::app::closing`).

use crate::duty::period::Month;
use crate::duty::registry::lookup::{Lookup, Owners};
use crate::duty::registry::{Leader, Owner, Registry, Retired, Unit};
use std::collections::{HashMap, HashSet};

/// How far back a change is compared (twenty years of months).
const MONTHS_COMPARED: i32 = 240;

/// One stored record whose past months a change would alter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PastChange {
    /// `unit`, `leader` or `certificate` (its SHA-256 as the id).
    pub kind: &'static str,
    pub id: String,
    /// The past months that would change, first to last.
    pub months: Vec<Month>,
}

impl PastChange {
    /// One line for a clerk: the record and its months as ranges (`01/2026–03/2026`).
    pub fn describe_vi(&self) -> String {
        let kind = match self.kind {
            "unit" => "đơn vị",
            "leader" => "lãnh đạo",
            "setting" => "tháng bắt đầu theo dõi",
            _ => "chứng thư số",
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
            first.vn()
        } else {
            format!("{}–{}", first.vn(), last.vn())
        });
    }
    out
}

/// The earliest month compared, [`MONTHS_COMPARED`] months before `now`.
fn floor(now: Month) -> Month {
    Month {
        year: now.year - MONTHS_COMPARED / 12,
        month: now.month,
    }
}

/// The past months (before `now`) worth comparing: from just before the earliest month either
/// version names (from the start when a version has no first month), to the month before
/// `now`, at most [`MONTHS_COMPARED`] of them.
fn past_months(named: impl Iterator<Item = Month>, open_start: bool, now: Month) -> Vec<Month> {
    let floor = floor(now);
    let earliest = if open_start {
        floor
    } else {
        named
            .chain(std::iter::once(now.previous()))
            .min()
            .map_or(floor, Month::previous)
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

/// The past months in which `new` would be required otherwise than `old` (its certificates
/// are compared across records: [`past_changes`]).
pub fn unit_change(old: &Unit, new: &Unit, now: Month) -> Option<PastChange> {
    let named = [old.from, old.to, new.from, new.to].into_iter().flatten();
    let state = |u: &Unit, m: Month| u.required_in(m);
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

/// The past months in which `new` would require otherwise than `old`: in office or not, in
/// which unit (its certificates are compared across records: [`past_changes`]).
pub fn leader_change(old: &Leader, new: &Leader, now: Month) -> Option<PastChange> {
    let named = [Some(old.from), old.to, Some(new.from), new.to]
        .into_iter()
        .flatten();
    let state = |l: &Leader, m: Month| {
        let office = l.in_office(m);
        (office, office.then(|| l.unit.clone()))
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

/// A registry change: the registry before, the one it would leave, and the stored records it
/// replaces or adds.
pub struct Change<'a> {
    pub before: &'a Registry,
    /// `before`, indexed (the store keeps one for its current registry).
    pub before_index: &'a dyn Owners,
    pub after: &'a Registry,
    pub units: &'a [&'a Unit],
    pub leaders: &'a [&'a Leader],
}

/// Past this many certificates, the registry after the change is indexed for the comparison
/// instead of searched (an import of a whole town).
const SEARCHED_CERTIFICATES: usize = 256;

/// The certificates a record names, current or retired.
fn certificates_of<'r>(
    certs: &'r [String],
    retired: &'r [Retired],
) -> impl Iterator<Item = &'r str> {
    certs
        .iter()
        .map(String::as_str)
        .chain(retired.iter().map(|x| x.sha256.as_str()))
}

/// Everything `change` would alter in months before `now`: each record's own months, and each
/// certificate it names, across records.
pub fn past_changes(change: &Change, now: Month) -> Vec<PastChange> {
    let old_units: HashMap<&str, &Unit> = change
        .before
        .units
        .iter()
        .map(|u| (u.id.as_str(), u))
        .collect();
    let old_leaders: HashMap<&str, &Leader> = change
        .before
        .leaders
        .iter()
        .map(|l| (l.id.as_str(), l))
        .collect();
    let mut out: Vec<PastChange> = Vec::new();
    let mut named: HashSet<&str> = HashSet::new();
    for u in change.units {
        let old = old_units.get(u.id.as_str()).copied();
        if let Some(old) = old {
            out.extend(unit_change(old, u, now));
        }
        for r in [Some(*u), old].into_iter().flatten() {
            named.extend(certificates_of(&r.certificates, &r.retired_certificates));
        }
    }
    for l in change.leaders {
        let old = old_leaders.get(l.id.as_str()).copied();
        if let Some(old) = old {
            out.extend(leader_change(old, l, now));
        }
        for r in [Some(*l), old].into_iter().flatten() {
            named.extend(certificates_of(&r.certificates, &r.retired_certificates));
        }
    }
    out.extend(certificate_changes(change, &named, now));
    out
}

/// The months at which who a certificate among `named` counts for may change: its holders'
/// last months as retired, and its units' and posts' first and last months (each with the
/// month after).
fn boundaries<'n>(change: &Change, named: &HashSet<&'n str>) -> HashMap<&'n str, Vec<Month>> {
    let mut bounds: HashMap<&str, Vec<Month>> = HashMap::new();
    let mut add = |c: &str, months: &[Month]| {
        if let Some(c) = named.get(c) {
            bounds.entry(c).or_default().extend_from_slice(months);
        }
    };
    for r in [change.before, change.after] {
        for u in &r.units {
            let dates: Vec<Month> = [u.from, u.to, u.to.map(Month::next)]
                .into_iter()
                .flatten()
                .collect();
            for c in certificates_of(&u.certificates, &u.retired_certificates) {
                add(c, &dates);
            }
            for x in &u.retired_certificates {
                add(&x.sha256, &[x.until, x.until.next()]);
            }
        }
        for l in &r.leaders {
            let dates: Vec<Month> = [Some(l.from), l.to, l.to.map(Month::next)]
                .into_iter()
                .flatten()
                .collect();
            for c in certificates_of(&l.certificates, &l.retired_certificates) {
                add(c, &dates);
            }
            for x in &l.retired_certificates {
                add(&x.sha256, &[x.until, x.until.next()]);
            }
        }
    }
    bounds
}

/// Who a signature by `certificate` in `month` is credited to: its unit, or those of its
/// posts in office that month (as `credit::credits` decides).
fn credited(owners: &dyn Owners, certificate: &str, month: Month) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = owners
        .owners_in(certificate, month)
        .into_iter()
        .filter_map(|o| match o {
            Owner::Unit(u) => Some((u, String::new())),
            Owner::Leader(l) => owners
                .leader(&l)
                .filter(|x| x.in_office(month))
                .map(|x| (x.unit.clone(), l)),
        })
        .collect();
    out.sort();
    out
}

/// The certificates among `named` that would count for someone else in a past month in which
/// they counted for someone. Who a certificate counts for changes only at its
/// [`boundaries`], so it is compared once per stretch between them.
fn certificate_changes(change: &Change, named: &HashSet<&str>, now: Month) -> Vec<PastChange> {
    let mut bounds = boundaries(change, named);
    // What a record added by the change would earn is not compared: a post or a unit entered
    // late says what the past was. Taking credit from a stored record still shows, as that
    // record's credit missing.
    let units_before: HashSet<&str> = change.before.units.iter().map(|u| u.id.as_str()).collect();
    let leaders_before: HashSet<&str> = change
        .before
        .leaders
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    let stored = |(unit, leader): &(String, String)| {
        if leader.is_empty() {
            units_before.contains(unit.as_str())
        } else {
            leaders_before.contains(leader.as_str())
        }
    };
    let indexed;
    let after: &dyn Owners = if named.len() > SEARCHED_CERTIFICATES {
        indexed = Lookup::of(change.after);
        &indexed
    } else {
        change.after
    };
    let floor = floor(now);
    let mut sorted: Vec<&str> = named.iter().copied().collect();
    sorted.sort_unstable();
    let mut out = Vec::new();
    for c in sorted {
        let mut starts = bounds.remove(c).unwrap_or_default();
        starts.push(floor);
        starts.retain(|m| *m >= floor && *m < now);
        starts.sort();
        starts.dedup();
        let mut months = Vec::new();
        for (i, start) in starts.iter().enumerate() {
            let was = credited(change.before_index, c, *start);
            // A certificate that had no owner then is being enrolled, not moved.
            let mut now_credited = credited(after, c, *start);
            now_credited.retain(|p| stored(p));
            if was.is_empty() || was == now_credited {
                continue;
            }
            let end = starts.get(i + 1).copied().unwrap_or(now);
            let mut m = *start;
            while m < end {
                months.push(m);
                m = m.next();
            }
        }
        if !months.is_empty() {
            out.push(PastChange {
                kind: "certificate",
                id: c.to_string(),
                months,
            });
        }
    }
    out
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

    fn unit(id: &str, certs: &[&str], retired: &[(&str, &str)]) -> Unit {
        Unit {
            id: id.into(),
            name: id.to_uppercase(),
            kind: crate::duty::registry::UnitKind::Commune,
            certificates: certs.iter().map(|c| c.to_string()).collect(),
            retired_certificates: retired
                .iter()
                .map(|(c, until)| Retired {
                    sha256: c.to_string(),
                    until: m(until),
                })
                .collect(),
            active: true,
            from: None,
            to: None,
            contact: None,
            order: None,
        }
    }

    /// What saving `units` and `leaders` over `before` would change before November 2026.
    fn past(before: &Registry, units: &[Unit], leaders: &[Leader]) -> Vec<PastChange> {
        let (units, leaders): (Vec<&Unit>, Vec<&Leader>) =
            (units.iter().collect(), leaders.iter().collect());
        let mut after = before.clone();
        for u in &units {
            after.units.retain(|x| x.id != u.id);
            after.units.push((*u).clone());
        }
        for l in &leaders {
            after.leaders.retain(|x| x.id != l.id);
            after.leaders.push((*l).clone());
        }
        past_changes(
            &Change {
                before,
                before_index: before,
                after: &after,
                units: &units,
                leaders: &leaders,
            },
            m("2026-11"),
        )
    }

    #[test]
    fn a_certificate_retired_now_keeps_the_past_and_one_retired_earlier_does_not() {
        let before = Registry {
            units: vec![unit("xa-a", &[], &[])],
            leaders: vec![leader("xa-a", "2024-01", None, &["c1"])],
            ..Registry::default()
        };
        let mut reissued = leader("xa-a", "2024-01", None, &["c2"]);
        reissued.retired_certificates = vec![Retired {
            sha256: "c1".into(),
            until: m("2026-11"),
        }];
        assert_eq!(past(&before, &[], &[reissued.clone()]), vec![]);
        reissued.retired_certificates[0].until = m("2026-06");
        let c = past(&before, &[], &[reissued]);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].kind, c[0].id.as_str()), ("certificate", "c1"));
        assert_eq!(
            c[0].months,
            vec![m("2026-07"), m("2026-08"), m("2026-09"), m("2026-10")]
        );
        // A certificate added is an enrolment: it credits what it signed earlier, by design.
        let added = leader("xa-a", "2024-01", None, &["c1", "c3"]);
        assert_eq!(past(&before, &[], &[added]), vec![]);
        // A certificate dropped without being kept as retired takes its past credit away.
        let dropped = leader("xa-a", "2024-01", None, &[]);
        assert_eq!(past(&before, &[], &[dropped]).len(), 1);
    }

    #[test]
    fn a_certificate_is_compared_across_records() {
        // The leader's old token, retired in June, enrolled to a unit: the unit would take his
        // months up to June.
        let mut an = leader("xa-a", "2024-01", None, &["c2"]);
        an.retired_certificates = vec![Retired {
            sha256: "c1".into(),
            until: m("2026-06"),
        }];
        let before = Registry {
            units: vec![unit("xa-a", &["u1"], &[]), unit("xa-b", &[], &[])],
            leaders: vec![an],
            ..Registry::default()
        };
        let c = past(&before, &[unit("xa-b", &["c1"], &[])], &[]);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].id, "c1");
        assert_eq!(c[0].months.last(), Some(&m("2026-06")));
        // A new unit claiming, as retired until October, the certificate unit A holds now.
        let c = past(&before, &[unit("xa-moi", &[], &[("u1", "2026-10")])], &[]);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].id, "u1");
        // A new post of the same person with the same token, from this month: a transfer made
        // the usual way, nothing past changes.
        let mut post = leader("xa-b", "2026-11", None, &["c2"]);
        post.id = "an-xa-b".into();
        assert_eq!(past(&before, &[], &[post.clone()]), vec![]);
        // A second post held since January, entered late (kiêm nhiệm): it adds credit to past
        // months and takes none away.
        post.from = m("2026-01");
        assert_eq!(past(&before, &[], &[post]), vec![]);
    }

    #[test]
    fn a_unit_given_its_last_month_keeps_the_past_and_one_deactivated_does_not() {
        let now = m("2026-11");
        let unit = |to: Option<&str>, active: bool| Unit {
            id: "xa-a".into(),
            name: "UBND xã A".into(),
            kind: crate::duty::registry::UnitKind::Commune,
            certificates: vec!["u1".into()],
            retired_certificates: Vec::new(),
            active,
            from: None,
            to: to.map(m),
            contact: None,
            order: None,
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
