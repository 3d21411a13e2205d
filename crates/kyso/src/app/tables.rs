//! The Office's tables built from the store (the application layer the HTTP handlers and the
//! period closing call): the month table, the period counts and the report the Office files.

use crate::app::credit_cache::Kept;
use crate::app::App;
use crate::duty::credit;
use crate::duty::credit::TimePolicy;
use crate::duty::office_report::OfficeReport;
use crate::duty::period::Month;
use crate::duty::registry::lookup::Lookup;
use crate::duty::registry::Registry;
use crate::duty::submission::Submission;
use crate::duty::tables;
use crate::duty::tables::{Credited, Credits, MonthTable, PeriodTable};
use crate::export::csv;
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;
use time::OffsetDateTime;

/// Every submission with a signature in one of `months`, with its credits under `registry`.
pub fn credited(app: &App, registry: &Registry, months: &[Month]) -> Result<Credits, StoreError> {
    credited_with(app, &Lookup::of(registry), months)
}

/// [`credited`] with the registry already indexed (one index serves a whole table). A month at
/// a time: its crediting facts (not the full records) are read and credited on the machine's
/// cores, and dropped once credited. Under the store's current registry a month's credits are
/// kept ([`crate::app::credit_cache`]) and a commit to the month costs the crediting of the files it
/// changed, not of the month.
pub fn credited_with(app: &App, lookup: &Lookup, months: &[Month]) -> Result<Credits, StoreError> {
    let keep = lookup.indexes(&app.store.registry());
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        out.extend(month_credits(app, lookup, *m, keep)?);
    }
    Ok(Credits(out))
}

/// Credit and keep the months the Office asks for first: this year's, and December before in
/// January. Run once in the background at start, so that the first tables after a start do not
/// pay for crediting a year of files (seconds at national scale). The number of months kept.
pub fn keep_this_year(app: &App, now: OffsetDateTime) -> Result<usize, StoreError> {
    let this = Month::of_vietnam_time(now);
    let mut months = tables::period_months(this.year, None);
    if this.month == 1 {
        months.insert(
            0,
            Month {
                year: this.year - 1,
                month: 12,
            },
        );
    }
    credited_with(app, &app.store.lookup(), &months)?;
    Ok(months.len())
}

/// Past this many chunks, a kept month's later chunks are joined into one.
const MAX_CHUNKS: usize = 32;

/// One month's credits: kept and brought up to date, or credited in full (and kept if `keep`).
fn month_credits(
    app: &App,
    lookup: &Lookup,
    month: Month,
    keep: bool,
) -> Result<Vec<Arc<Vec<Credited>>>, StoreError> {
    let (store, policy, cache) = (&*app.store, &app.policy, &app.credits);
    let kept = match keep.then(|| cache.get(month, lookup.registry_arc(), policy)) {
        Some(Some(k)) => brought_up_to_date(store, lookup, policy, month, k)?,
        _ => None,
    };
    let kept = match kept {
        Some(k) => k,
        None => {
            // The generation is read before the facts: a commit in between is credited again
            // at the next table, never missed.
            let generation = store.month_generation(month)?;
            let files = credit_month(&store.facts_in_month(month)?, lookup, policy)?;
            Kept {
                generation,
                chunks: vec![Arc::new(files)],
            }
        }
    };
    if keep {
        cache.put(month, lookup.registry_arc(), *policy, kept.clone());
    }
    Ok(kept.chunks)
}

/// `kept` brought up to the month's facts now by crediting the files written or removed since
/// it was credited, or `None` when the index no longer remembers them all.
fn brought_up_to_date(
    store: &Store,
    lookup: &Lookup,
    policy: &TimePolicy,
    month: Month,
    kept: Kept,
) -> Result<Option<Kept>, StoreError> {
    let Some((generation, ids)) = store.month_changes_since(month, kept.generation)? else {
        return Ok(None);
    };
    if ids.is_empty() {
        return Ok(Some(kept));
    }
    let mut facts = Vec::with_capacity(ids.len());
    for id in &ids {
        facts.extend(store.month_fact(month, id)?);
    }
    let changed: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut chunks = kept.chunks;
    let stale = |c: &Arc<Vec<Credited>>| c.iter().any(|f| changed.contains(f.id.as_str()));
    if chunks.iter().any(stale) {
        // A re-verified, accepted or moved file: the month without its old credits.
        let rest = chunks
            .iter()
            .flat_map(|c| c.iter())
            .filter(|f| !changed.contains(f.id.as_str()))
            .cloned()
            .collect();
        chunks = vec![Arc::new(rest)];
    }
    chunks.push(Arc::new(credit_month(&facts, lookup, policy)?));
    if chunks.len() > MAX_CHUNKS {
        let later = chunks.split_off(1);
        chunks.push(Arc::new(
            later.iter().flat_map(|c| c.iter()).cloned().collect(),
        ));
    }
    Ok(Some(Kept { generation, chunks }))
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
            .map(|s| Credited::of(s, credit::credits(s, lookup, policy).0))
            .collect()
    };
    if facts.len() < 256 {
        return Ok(credit(facts));
    }
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

/// The month's table as it stands now, closed or not.
pub fn month_table_live(app: &App, month: Month) -> Result<MonthTable, StoreError> {
    let lookup = app.store.lookup();
    let credited = credited_with(app, &lookup, &[month])?;
    Ok(tables::month_table_with(&lookup, month, &credited))
}

/// The month's table as CSV ([`csv::month_csv`]), each file named as the clerk sent it,
/// with when it was received (dd/mm/yyyy HH:mm, Vietnam time) and its id. The names are read
/// from the month's facts for this file only (the kept credits do not carry them).
pub fn month_csv_of(app: &App, t: &MonthTable) -> Result<String, StoreError> {
    let (store, month) = (&app.store, t.month);
    let mut files: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let listed = t.units.iter().flat_map(|u| {
        u.organisation
            .submissions
            .iter()
            .chain(u.leaders.iter().flat_map(|l| l.submissions.iter()))
    });
    for id in listed {
        if files.contains_key(id) {
            continue;
        }
        let named = store.month_fact(month, id)?.map(|f| {
            format!(
                "{} (nhận {}, mã {id})",
                f.file_name.as_deref().unwrap_or("không có tên tệp"),
                crate::vn::datetime(f.received_at),
            )
        });
        files.insert(id.clone(), named.unwrap_or_else(|| id.clone()));
    }
    Ok(csv::month_csv(t, &|id: &str| {
        files.get(id).cloned().unwrap_or_else(|| id.to_string())
    }))
}

pub fn period_table(
    app: &App,
    year: i32,
    quarter: Option<u8>,
    now: OffsetDateTime,
) -> Result<PeriodTable, StoreError> {
    let lookup = app.store.lookup();
    let months = tables::period_months(year, quarter);
    let credited = credited_with(app, &lookup, &months)?;
    Ok(tables::period_table_with(
        &lookup,
        year,
        quarter,
        Month::of_vietnam_time(now),
        &credited,
    ))
}

/// The report of a period as it stands now, closed or not.
pub fn office_report_live(
    app: &App,
    year: i32,
    quarter: Option<u8>,
    now: OffsetDateTime,
) -> Result<OfficeReport, StoreError> {
    let mut months = tables::period_months(year, quarter);
    months.push(Month::of_vietnam_time(now));
    let lookup = app.store.lookup();
    let credited = credited_with(app, &lookup, &months)?;
    let mut report = crate::duty::office_report::build_with(&lookup, year, quarter, now, &credited);
    // Corrections of past months made during the period (Vietnam time).
    let period = tables::period_months(year, quarter);
    report.adjustments.corrections = app
        .store
        .registry_changes_where(|c| {
            c.correction.is_some() && period.contains(&Month::of_vietnam_time(c.at))
        })?
        .len();
    Ok(report)
}

/// One month of a unit's history: whether it was required, each requirement, the files behind.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitMonthHistory {
    pub month: Month,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<tables::Status>,
    pub leaders: Vec<tables::LeaderStatus>,
}

/// A unit's twelve months of `year`: what each month required and which files met it.
pub fn unit_history(app: &App, unit: &str, year: i32) -> Result<Vec<UnitMonthHistory>, StoreError> {
    let lookup = app.store.lookup();
    let months = tables::period_months(year, None);
    let credited = credited_with(app, &lookup, &months)?;
    Ok(tables::month_tables_with(&lookup, &months, &credited)
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
    let hidden = store.settings().hidden_certificates;
    // A certificate the registry holds, or held (a retired one: a re-issued token's old one),
    // or one the Office chose not to enrol, is not asked about.
    let known = |sha: &str| {
        registry.owner_of(sha).is_some()
            || hidden.iter().any(|h| h == sha)
            || registry
                .units
                .iter()
                .flat_map(|u| &u.retired_certificates)
                .chain(
                    registry
                        .leaders
                        .iter()
                        .flat_map(|l| &l.retired_certificates),
                )
                .any(|r| r.sha256 == sha)
    };
    let mut out: Vec<Unenrolled> = Vec::new();
    for sub in store.all()? {
        let valid = sub
            .report
            .signatures
            .iter()
            .filter(|s| s.indication == kyso_verify::report::Indication::TotalPassed);
        for sig in valid {
            let Some(signer) = &sig.signer else { continue };
            if known(&signer.sha256) {
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

#[cfg(test)]
mod tests {
    //! A kept month brought up to date by crediting only what changed must equal the month
    //! credited afresh: after new files, a re-verification that takes a credit away, and a file
    //! whose signing month moved out of the month.
    use super::*;
    use crate::duty::registry::Registry;
    use std::collections::BTreeMap;

    fn fp(name: &str) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(name))
    }

    fn registry() -> Registry {
        Registry::from_toml(&format!(
            r#"
[[unit]]
id = "u0"
name = "Đơn vị 0"
kind = "commune"
certificates = ["{}"]
[[unit]]
id = "u1"
name = "Đơn vị 1"
kind = "commune"
certificates = ["{}"]
[[leader]]
id = "l0"
name = "Lãnh đạo 0"
title = "Chủ tịch"
unit = "u0"
from = "2020-01"
certificates = ["{}"]
"#,
            fp("u0"),
            fp("u1"),
            fp("l0")
        ))
        .unwrap()
    }

    fn report(signer: &str, signed: &str, valid: bool) -> kyso_verify::report::Report {
        serde_json::from_value(serde_json::json!({
            "schema": 1,
            "document": { "sha256": "00", "size": 1, "revisions": 2 },
            "verdict": if valid { "valid" } else { "invalid" },
            "validation_time": "2026-03-20T03:00:00Z",
            "signatures": [{
                "field": "ChuKy", "kind": "signature", "sub_filter": "ETSI.CAdES.detached",
                "indication": if valid { "TOTAL_PASSED" } else { "TOTAL_FAILED" },
                "sub_indication": if valid { None } else { Some("HASH_FAILURE") },
                "problems": [],
                "signer": { "subject": "CN=T", "issuer": "CN=T CA", "serial": "01",
                            "sha256": fp(signer) },
                "chain": [], "signing_time": signed, "signing_time_source": "signed_attribute",
                "coverage": "entire_file", "modifications_after": "none", "level": null
            }]
        }))
        .unwrap()
    }

    /// Commit a file signed by `signer` at `signed`; its id.
    fn commit(store: &Store, n: usize, signer: &str, signed: &str) -> String {
        commit_received(store, n, signer, signed, "2026-03-20T03:00:00Z")
    }

    /// [`commit`], received at `received`.
    fn commit_received(
        store: &Store,
        n: usize,
        signer: &str,
        signed: &str,
        received: &str,
    ) -> String {
        let mut intake = store.intake();
        intake
            .write(format!("%PDF-1.7\n% {n}\n%%EOF\n").as_bytes())
            .unwrap();
        let received_at = received;
        let received = intake.finish().unwrap();
        let mut report = report(signer, signed, true);
        report.document.sha256 = received.id.clone();
        let sub: Submission = serde_json::from_value(serde_json::json!({
            "id": received.id,
            "received_at": received_at,
            "size": received.size,
            "report": report,
        }))
        .unwrap();
        let id = received.id.clone();
        store.commit_blocking(received, Some(sub)).unwrap();
        id
    }

    /// An application over a new store at `dir` holding [`registry`].
    fn app_in(dir: &std::path::Path, policy: TimePolicy) -> App {
        let store = Store::open(dir).unwrap();
        crate::app::registry_edit::import_all(
            &store,
            registry(),
            &crate::app::registry_edit::Editor::plain("test"),
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        App::new(store, Default::default(), Default::default(), policy, None)
    }

    fn summary(c: &Credits) -> BTreeMap<String, Vec<credit::Credit>> {
        c.iter()
            .map(|f| (f.id.clone(), f.credits.clone()))
            .collect()
    }

    #[test]
    fn a_kept_month_brought_up_to_date_equals_the_month_credited_afresh() {
        let dir = std::env::temp_dir().join(format!("kyso-kept-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let policy = TimePolicy {
            accept_implausible: true,
            ..TimePolicy::default()
        };
        let app = app_in(&dir, policy);
        let store = &app.store;
        let march = Month {
            year: 2026,
            month: 3,
        };
        let kept = || credited_with(&app, &store.lookup(), &[march]).unwrap();
        // Another registry value of the same content is never kept: credited afresh.
        let afresh = || {
            let other = Lookup::new(Arc::new((*store.registry()).clone()));
            credited_with(&app, &other, &[march]).unwrap()
        };
        let chunks = || {
            app.credits
                .get(march, store.lookup().registry_arc(), &policy)
                .map(|k| k.chunks.len())
        };
        let first = commit(store, 1, "u0", "2026-03-10T02:00:00Z");
        commit(store, 2, "l0", "2026-03-11T02:00:00Z");
        assert_eq!(summary(&kept()), summary(&afresh()));
        assert_eq!(chunks(), Some(1), "credited in full once");

        let third = commit(store, 3, "u1", "2026-03-12T02:00:00Z");
        let now = kept();
        assert_eq!(summary(&now), summary(&afresh()));
        assert_eq!(chunks(), Some(2), "the new file credited on its own");
        assert_eq!(summary(&now)[&third][0].unit, "u1");

        // A re-verification finds the first file's signature broken: its credit goes.
        store
            .replace_report(
                &first,
                report("u0", "2026-03-10T02:00:00Z", false),
                "test",
                OffsetDateTime::now_utc(),
            )
            .unwrap();
        let now = kept();
        assert_eq!(summary(&now), summary(&afresh()));
        assert!(summary(&now)[&first].is_empty(), "{:?}", summary(&now));

        // A file whose signing month is now April leaves March.
        store
            .replace_report(
                &third,
                report("u1", "2026-04-01T02:00:00Z", true),
                "test",
                OffsetDateTime::now_utc(),
            )
            .unwrap();
        let now = kept();
        assert_eq!(summary(&now), summary(&afresh()));
        assert!(!summary(&now).contains_key(&third));
        assert_eq!(summary(&now).len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Signed at 20:00 on 31 October in Vietnam by a tool that wrote "20:00Z", received that
    /// evening: the file counts for October, and October's table reads it (it is indexed under
    /// the month it is credited for, not under 1 November, where 20:00Z falls in Vietnam).
    #[test]
    fn a_file_in_vietnam_time_written_as_utc_is_in_the_table_of_its_month() {
        let dir = std::env::temp_dir().join(format!("kyso-local-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let app = app_in(&dir, TimePolicy::default());
        let id = commit_received(
            &app.store,
            1,
            "u0",
            "2026-10-31T20:00:00Z",
            "2026-10-31T13:10:00Z",
        );
        let month = |m: u8| {
            let t = month_table_live(
                &app,
                Month {
                    year: 2026,
                    month: m,
                },
            )
            .unwrap();
            t.units
                .iter()
                .find(|u| u.id == "u0")
                .map(|u| u.organisation.submissions.clone())
                .unwrap_or_default()
        };
        assert_eq!(month(10), vec![id]);
        assert!(month(11).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
