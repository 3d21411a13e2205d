//! The Office's tables built from the store (the application layer the HTTP handlers and the
//! period closing call): the month table, the period counts and the report the Office files.

use crate::compliance::{self, Credit, MonthTable, PeriodTable, Submission, TimePolicy};
use crate::office_report::OfficeReport;
use crate::period::{ClosedMark, Period};
use crate::registry::{Month, Registry};
use crate::registry_lookup::Lookup;
use crate::store::{Store, StoreError};
use time::OffsetDateTime;

/// Every submission with a signature in one of `months` (its crediting facts, not its full
/// record), with its credits under `registry`. Reading and crediting are independent per
/// month and per file, so the machine's cores share them (a year report reads twelve months).
pub fn credited(
    store: &Store,
    registry: &Registry,
    policy: &TimePolicy,
    months: &[Month],
) -> Result<Vec<(Submission, Vec<Credit>)>, StoreError> {
    credited_with(store, &Lookup::of(registry), policy, months)
}

/// [`credited`] with the registry already indexed (one index serves a whole table).
pub fn credited_with(
    store: &Store,
    lookup: &Lookup,
    policy: &TimePolicy,
    months: &[Month],
) -> Result<Vec<(Submission, Vec<Credit>)>, StoreError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let per_month: Vec<Vec<Submission>> = std::thread::scope(|sc| {
        let jobs: Vec<_> = months
            .chunks(months.len().div_ceil(threads).max(1))
            .map(|ms| {
                sc.spawn(move || {
                    ms.iter()
                        .map(|m| store.facts_in_month(*m))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        jobs.into_iter()
            .map(|j| j.join().unwrap_or(Err(StoreError::Recovering)))
            .collect::<Result<Vec<Vec<Vec<Submission>>>, _>>()
            .map(|v| v.into_iter().flatten().collect())
    })?;
    // A file signed in two of the months is counted once.
    let mut seen = std::collections::HashSet::new();
    let facts: Vec<Submission> = per_month
        .into_iter()
        .flatten()
        .filter(|s| seen.insert(s.id.clone()))
        .collect();
    let credit = |chunk: &[Submission]| -> Vec<Vec<Credit>> {
        chunk
            .iter()
            .map(|s| compliance::credits(s, lookup, policy).0)
            .collect()
    };
    let credits: Vec<Vec<Credit>> = std::thread::scope(|sc| {
        let jobs: Vec<_> = facts
            .chunks(facts.len().div_ceil(threads).max(1))
            .map(|c| sc.spawn(move || credit(c)))
            .collect();
        jobs.into_iter()
            .flat_map(|j| j.join().unwrap_or_default())
            .collect()
    });
    if credits.len() != facts.len() {
        return Err(StoreError::Recovering);
    }
    Ok(facts.into_iter().zip(credits).collect())
}

/// The closing mark of a period, if it was closed.
fn mark(store: &Store, period: Period) -> Result<Option<ClosedMark>, StoreError> {
    Ok(store
        .closed_period(&period.to_string())?
        .map(|c| ClosedMark {
            closed_at: c.closed_at,
            closed_by: c.closed_by,
            sha256: c.sha256,
        }))
}

pub fn month_table(
    store: &Store,
    policy: &TimePolicy,
    month: Month,
) -> Result<MonthTable, StoreError> {
    let lookup = store.lookup();
    let credited = credited_with(store, &lookup, policy, &[month])?;
    let mut t = compliance::month_table_with(&lookup, month, &credited);
    t.closed = mark(store, Period::Month(month))?;
    Ok(t)
}

pub fn period_table(
    store: &Store,
    policy: &TimePolicy,
    year: i32,
    quarter: Option<u8>,
    now: OffsetDateTime,
) -> Result<PeriodTable, StoreError> {
    let lookup = store.lookup();
    let months = compliance::period_months(year, quarter);
    let credited = credited_with(store, &lookup, policy, &months)?;
    Ok(compliance::period_table_with(
        &lookup,
        year,
        quarter,
        Month::of_vietnam_time(now),
        &credited,
    ))
}

pub fn office_report(
    store: &Store,
    policy: &TimePolicy,
    year: i32,
    quarter: Option<u8>,
    now: OffsetDateTime,
) -> Result<OfficeReport, StoreError> {
    let mut months = compliance::period_months(year, quarter);
    months.push(Month::of_vietnam_time(now));
    let lookup = store.lookup();
    let credited = credited_with(store, &lookup, policy, &months)?;
    let mut r = crate::office_report::build_with(&lookup, year, quarter, now, &credited);
    r.closed = mark(
        store,
        match quarter {
            Some(q) => Period::Quarter(year, q),
            None => Period::Year(year),
        },
    )?;
    Ok(r)
}

/// One month of a unit's history: whether it was required, each requirement, the files behind.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitMonthHistory {
    pub month: Month,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<compliance::Status>,
    pub leaders: Vec<compliance::LeaderStatus>,
}

/// A unit's twelve months of `year`: what each month required and which files met it.
pub fn unit_history(
    store: &Store,
    policy: &TimePolicy,
    unit: &str,
    year: i32,
) -> Result<Vec<UnitMonthHistory>, StoreError> {
    let lookup = store.lookup();
    let months = compliance::period_months(year, None);
    let credited = credited_with(store, &lookup, policy, &months)?;
    Ok(months
        .into_iter()
        .map(|m| {
            let t = compliance::month_table_with(&lookup, m, &credited);
            match t.units.into_iter().find(|u| u.id == unit) {
                Some(u) => UnitMonthHistory {
                    month: m,
                    required: true,
                    organisation: Some(u.organisation),
                    leaders: u.leaders,
                },
                None => UnitMonthHistory {
                    month: m,
                    required: false,
                    organisation: None,
                    leaders: Vec::new(),
                },
            }
        })
        .collect())
}

/// A signer of valid signatures whose certificate nobody in the registry holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unenrolled {
    pub sha256: String,
    pub subject: String,
    pub issuer: String,
    pub submissions: Vec<String>,
}

/// Every unenrolled signer of a valid signature, with the submissions it signed.
pub fn unenrolled(store: &Store) -> Result<Vec<Unenrolled>, StoreError> {
    let registry = store.registry();
    let mut out: Vec<Unenrolled> = Vec::new();
    for sub in store.all()? {
        let valid = sub
            .report
            .signatures
            .iter()
            .filter(|s| s.indication == crate::report::Indication::TotalPassed);
        for sig in valid {
            let Some(signer) = &sig.signer else { continue };
            if registry.owner_of(&signer.sha256).is_some() {
                continue;
            }
            match out.iter_mut().find(|u| u.sha256 == signer.sha256) {
                Some(u) => {
                    if !u.submissions.contains(&sub.id) {
                        u.submissions.push(sub.id.clone())
                    }
                }
                None => out.push(Unenrolled {
                    sha256: signer.sha256.clone(),
                    subject: signer.subject.clone(),
                    issuer: signer.issuer.clone(),
                    submissions: vec![sub.id.clone()],
                }),
            }
        }
    }
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    for u in &mut out {
        u.submissions.sort();
    }
    Ok(out)
}
