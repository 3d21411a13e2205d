//! The report the Office files (plan 655: every quarter to the town, the year to Home Affairs):
//! per unit, grouped by kind, months met out of months required for the organisation and each
//! leader, percentages, totals per kind and for the town; the month in progress is marked as
//! such, never counted as missing; and the units and leaders still missing in the current
//! month, for chasing. Rendered as JSON, CSV and XLSX (`office_report_files`).

use crate::duty::credit;
use crate::duty::period::Month;
use crate::duty::registry::lookup::Owners;
use crate::duty::registry::{Registry, UnitKind};
use crate::duty::tables;
use crate::duty::tables::{Count, MonthTable};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Months met out of months required, with the percentage (one decimal; none while nothing is
/// required yet) and the months missing.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Score {
    pub required: usize,
    pub satisfied: usize,
    pub percent: Option<f64>,
    pub missing: Vec<Month>,
}

impl Score {
    fn of(c: &Count) -> Score {
        Score {
            required: c.required,
            satisfied: c.satisfied,
            percent: percent(c.satisfied, c.required),
            missing: c.missing.clone(),
        }
    }
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeaderRow {
    pub id: String,
    pub name: String,
    pub title: String,
    pub score: Score,
    /// The person holding the post, when the registry says (`[[person]]`): a person's posts
    /// are summed in the per-person sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub organisation: Score,
    pub leaders: Vec<LeaderRow>,
}

/// Sums over units: requirement-months met out of required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    pub units: usize,
    pub organisation_required: usize,
    pub organisation_satisfied: usize,
    pub organisation_percent: Option<f64>,
    pub leader_required: usize,
    pub leader_satisfied: usize,
    pub leader_percent: Option<f64>,
}

impl Totals {
    fn add(&mut self, u: &UnitRow) {
        self.units += 1;
        self.organisation_required += u.organisation.required;
        self.organisation_satisfied += u.organisation.satisfied;
        for l in &u.leaders {
            self.leader_required += l.score.required;
            self.leader_satisfied += l.score.satisfied;
        }
        self.organisation_percent =
            percent(self.organisation_satisfied, self.organisation_required);
        self.leader_percent = percent(self.leader_satisfied, self.leader_required);
    }

    fn merge(&mut self, o: &Totals) {
        self.units += o.units;
        self.organisation_required += o.organisation_required;
        self.organisation_satisfied += o.organisation_satisfied;
        self.leader_required += o.leader_required;
        self.leader_satisfied += o.leader_satisfied;
        self.organisation_percent =
            percent(self.organisation_satisfied, self.organisation_required);
        self.leader_percent = percent(self.leader_satisfied, self.leader_required);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KindGroup {
    pub kind: UnitKind,
    pub label: String,
    pub units: Vec<UnitRow>,
    pub totals: Totals,
}

/// A requirement not yet met in the current month.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Missing {
    pub unit: String,
    pub unit_name: String,
    pub requirement: credit::Requirement,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_name: Option<String>,
    /// No certificate is enrolled for it ("chưa có chứng thư số"): the Office enrols one first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_certificate: bool,
    /// Whom to call about it (the unit's văn thư).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<crate::duty::registry::Contact>,
    /// Files of the next month that would meet it if moved to this month (their claimed time is
    /// in the first hours of the next month's first day: `crate::app::month_move`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movable: Vec<MovableFile>,
}

/// A file that may belong to the month before the one it claims.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MovableFile {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficeReport {
    pub year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    pub months: Vec<Month>,
    /// Months over, and counted.
    pub counted: Vec<Month>,
    /// The current month, if in the period: shown, not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<Month>,
    pub generated_at: String,
    pub groups: Vec<KindGroup>,
    pub town: Totals,
    /// What is still missing in the current month (for chasing), whatever the period.
    pub current_month: Month,
    pub missing_now: Vec<Missing>,
    /// The first month tracked, when the registry says one: the report's figures start there
    /// ("số liệu từ tháng 07/2026").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_from: Option<Month>,
    /// Set when the period was closed: the figures are then those closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<crate::duty::period::ClosedMark>,
    /// Since the closing, what differs in the live figures, beside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<crate::duty::period::Amendment>,
    /// What administrators did to the counted months' figures.
    #[serde(default)]
    pub adjustments: Adjustments,
}

/// What administrators did to a period's figures: files accepted late, files moved to their
/// month, and registry corrections of past months made during the period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Adjustments {
    pub accepted_late: usize,
    pub moved: usize,
    pub corrections: usize,
}

impl Adjustments {
    /// The files accepted late and moved among those credited for `counted`.
    pub fn of(credited: &tables::Credits, counted: &[Month]) -> Adjustments {
        let mut late = std::collections::HashSet::new();
        let mut moved = std::collections::HashSet::new();
        for c in credited.iter() {
            if !c.credits.iter().any(|x| counted.contains(&x.month)) {
                continue;
            }
            if c.accepted_late {
                late.insert(c.id.as_str());
            }
            if c.moved {
                moved.insert(c.id.as_str());
            }
        }
        Adjustments {
            accepted_late: late.len(),
            moved: moved.len(),
            corrections: 0,
        }
    }
}

const KINDS: [UnitKind; 3] = [
    UnitKind::Department,
    UnitKind::PublicService,
    UnitKind::Commune,
];

/// Each leader's person (`[[person]]`), by leader id: looked up once for a whole report (a
/// search of the registry for each of 60,000 posts was most of a national year report).
fn persons_of(registry: &Registry) -> HashMap<&str, &String> {
    registry
        .leaders
        .iter()
        .filter_map(|l| l.person.as_ref().map(|p| (l.id.as_str(), p)))
        .collect()
}

fn rows(
    table: &tables::PeriodTable,
    kind: UnitKind,
    persons: &HashMap<&str, &String>,
) -> Vec<UnitRow> {
    table
        .units
        .iter()
        .filter(|u| u.kind == kind)
        .map(|u| UnitRow {
            id: u.id.clone(),
            name: u.name.clone(),
            organisation: Score::of(&u.organisation),
            leaders: u
                .leaders
                .iter()
                .map(|l| LeaderRow {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    title: l.title.clone(),
                    score: Score::of(&l.count),
                    person: persons.get(l.id.as_str()).map(|p| (*p).clone()),
                })
                .collect(),
        })
        .collect()
}

/// What is still missing in a month's table ("còn thiếu"), unit by unit, with whom to call;
/// only `unit`'s when given.
pub fn missing_in(t: &MonthTable, registry: &Registry, unit: Option<&str>) -> Vec<Missing> {
    let mut out = Vec::new();
    let contacts: HashMap<&str, &crate::duty::registry::Contact> = registry
        .units
        .iter()
        .filter_map(|u| u.contact.as_ref().map(|c| (u.id.as_str(), c)))
        .collect();
    for u in t.units.iter().filter(|u| unit.is_none_or(|id| u.id == id)) {
        let contact = contacts.get(u.id.as_str()).map(|c| (*c).clone());
        if !u.organisation.satisfied {
            out.push(Missing {
                unit: u.id.clone(),
                unit_name: u.name.clone(),
                requirement: credit::Requirement::Organisation,
                leader: None,
                leader_name: None,
                no_certificate: u.organisation.no_certificate,
                contact: contact.clone(),
                movable: Vec::new(),
            });
        }
        for l in u.leaders.iter().filter(|l| !l.satisfied) {
            out.push(Missing {
                unit: u.id.clone(),
                unit_name: u.name.clone(),
                requirement: credit::Requirement::Leader,
                leader: Some(l.id.clone()),
                leader_name: Some(format!("{} {}", l.title, l.name)),
                no_certificate: l.no_certificate,
                contact: contact.clone(),
                movable: Vec::new(),
            });
        }
    }
    out
}

/// The report for `year` (or one quarter of it), with `now` deciding which months are over.
pub fn build(
    registry: &Registry,
    year: i32,
    quarter: Option<u8>,
    now: time::OffsetDateTime,
    credited: &tables::Credits,
) -> OfficeReport {
    let lookup = crate::duty::registry::lookup::Lookup::of(registry);
    build_with(&lookup, year, quarter, now, credited)
}

/// [`build`] with the registry already indexed.
pub fn build_with(
    lookup: &crate::duty::registry::lookup::Lookup,
    year: i32,
    quarter: Option<u8>,
    now: time::OffsetDateTime,
    credited: &tables::Credits,
) -> OfficeReport {
    let current = Month::of_vietnam_time(now);
    let behind = tables::files_behind(credited);
    let table = tables::period_table_behind(lookup, year, quarter, current, &behind);
    let mut town = Totals::default();
    let persons = persons_of(lookup.registry());
    let groups: Vec<KindGroup> = KINDS
        .iter()
        .map(|k| {
            let units = rows(&table, *k, &persons);
            let mut totals = Totals::default();
            units.iter().for_each(|u| totals.add(u));
            town.merge(&totals);
            KindGroup {
                kind: *k,
                label: k.label_vi().to_string(),
                units,
                totals,
            }
        })
        .collect();
    let counted: Vec<Month> = table
        .months
        .iter()
        .copied()
        .filter(|m| *m < current && lookup.registry().tracks(*m))
        .collect();
    OfficeReport {
        year,
        quarter,
        adjustments: Adjustments::of(credited, &counted),
        counted,
        tracking_from: lookup.registry().tracking_from,
        in_progress: table.months.iter().copied().find(|m| *m == current),
        months: table.months,
        generated_at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        groups,
        town,
        current_month: current,
        missing_now: tables::month_tables_behind(lookup, &[current], &behind)
            .first()
            .map(|t| missing_in(t, lookup.registry(), None))
            .unwrap_or_default(),
        closed: None,
        amendments: Vec::new(),
    }
}
