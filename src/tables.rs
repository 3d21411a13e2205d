//! The Office's tables built from the store (the application layer the HTTP handlers and the
//! period closing call): the month table, the period counts and the report the Office files.

use crate::compliance::{self, Credited, Credits, MonthTable, PeriodTable, Submission, TimePolicy};
use crate::office_report::OfficeReport;
use crate::period::{ClosedMark, Period};
use crate::registry::{Month, Registry};
use crate::registry_lookup::Lookup;
use crate::store::{Store, StoreError};
use time::OffsetDateTime;

/// Every submission with a signature in one of `months`, with its credits under `registry`.
pub fn credited(
    store: &Store,
    registry: &Registry,
    policy: &TimePolicy,
    months: &[Month],
) -> Result<Credits, StoreError> {
    credited_with(store, &Lookup::of(registry), policy, months)
}

/// [`credited`] with the registry already indexed (one index serves a whole table). A month at
/// a time: its crediting facts (not the full records) are read and credited on the machine's
/// cores, and dropped once credited. Under the store's current registry a month's credits are
/// kept ([`crate::credit_cache`]) until a commit changes its facts or the registry changes.
pub fn credited_with(
    store: &Store,
    lookup: &Lookup,
    policy: &TimePolicy,
    months: &[Month],
) -> Result<Credits, StoreError> {
    let current = lookup.indexes(&store.registry());
    let cache = store.credit_cache();
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        let generation = store.month_generation(*m)?;
        let kept = current
            .then(|| cache.get(*m, generation, lookup.registry_arc(), policy))
            .flatten();
        if let Some(files) = kept {
            out.push(files);
            continue;
        }
        let files = std::sync::Arc::new(credit_month(&store.facts_in_month(*m)?, lookup, policy)?);
        if current {
            cache.put(
                *m,
                generation,
                lookup.registry_arc(),
                *policy,
                files.clone(),
            );
        }
        out.push(files);
    }
    Ok(Credits(out))
}

/// Credit a month's files on the machine's cores.
fn credit_month(
    facts: &[Submission],
    lookup: &Lookup,
    policy: &TimePolicy,
) -> Result<Vec<Credited>, StoreError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let credit = |chunk: &[Submission]| -> Vec<Credited> {
        chunk
            .iter()
            .map(|s| Credited::of(s, compliance::credits(s, lookup, policy).0))
            .collect()
    };
    let per_chunk: Vec<Vec<Credited>> = std::thread::scope(|sc| {
        let jobs: Vec<_> = facts
            .chunks(facts.len().div_ceil(threads).max(1))
            .map(|c| sc.spawn(move || credit(c)))
            .collect();
        jobs.into_iter()
            .map(|j| j.join().map_err(|_| StoreError::Recovering))
            .collect::<Result<_, _>>()
    })?;
    Ok(per_chunk.into_iter().flatten().collect())
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
    Ok(compliance::month_tables_with(&lookup, &months, &credited)
        .into_iter()
        .map(|t| {
            let m = t.month;
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
