//! The Office's tables from credited files: a month (every unit required that month, its
//! organisation requirement and each leader in office) and a period (months satisfied out of
//! months required). Pure: the credits and the registry are arguments.

use crate::duty::credit::{Credit, Requirement};
use crate::duty::period::Month;
use crate::duty::registry::lookup::{Lookup, Owners};
use crate::duty::registry::{Leader, Registry, Unit, UnitKind};
use crate::duty::submission::Submission;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Status {
    pub satisfied: bool,
    pub submissions: Vec<String>,
    /// No certificate is enrolled for it ("chưa có chứng thư số"): it cannot be met until one is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_certificate: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LeaderStatus {
    pub id: String,
    pub name: String,
    pub title: String,
    pub satisfied: bool,
    pub submissions: Vec<String>,
    /// No certificate is enrolled for the post ("chưa có chứng thư số").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_certificate: bool,
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
    /// The first month tracked, when the registry says one ("theo dõi từ tháng").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_from: Option<Month>,
    /// Set when the month was closed: the figures are then those closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<crate::duty::period::ClosedMark>,
    /// Since the closing, what differs in the live figures, beside them ("Điều chỉnh sau khi
    /// chốt").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<crate::duty::period::Amendment>,
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
    /// An administrator accepted it late.
    pub accepted_late: bool,
    /// An administrator moved it to another month.
    pub moved: bool,
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
            received: sub.received_at,
            credits,
            accepted_late: sub.accepted_late.is_some(),
            moved: sub.moved.is_some(),
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

/// Whether no certificate counts for a record in `month` (none enrolled, none retired after it).
fn no_certificate(
    enrolled: &[String],
    retired: &[crate::duty::registry::Retired],
    month: Month,
) -> bool {
    enrolled.is_empty() && retired.iter().all(|r| r.until < month)
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
        .filter(|u| registry.tracks(month) && u.required_in(month))
        .collect();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
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
                    no_certificate: no_certificate(&l.certificates, &l.retired_certificates, month),
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
                no_certificate: no_certificate(&u.certificates, &u.retired_certificates, month),
            },
            leaders,
        });
    }
    MonthTable {
        month,
        units,
        totals,
        tracking_from: registry.tracking_from,
        closed: None,
        amendments: Vec::new(),
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
    // Months over and tracked: the month in progress and the months before tracking started
    // are never counted as missing.
    let counted: Vec<(Month, &Behind)> = months
        .iter()
        .filter(|m| **m < current && registry.tracks(**m))
        .map(|m| (*m, behind.of(*m).unwrap_or(&none)))
        .collect();
    let mut sorted: Vec<_> = registry
        .units
        .iter()
        .filter(|u| {
            months
                .iter()
                .any(|m| registry.tracks(*m) && u.required_in(*m))
        })
        .collect();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
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
            accepted_late: false,
            moved: false,
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
