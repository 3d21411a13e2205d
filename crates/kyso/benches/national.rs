//! National scale (issue "The Office's records", item 6): a synthetic store of UNITS units,
//! PERSONS leaders and SUBS submissions a month for MONTHS months, written through the store
//! API (intake, then the durable committer, as an upload is; the reports are synthetic, not
//! signed), then the month table and the year report timed on it.
//!
//!   cargo bench --bench national -- [UNITS] [PERSONS] [SUBS] [MONTHS]   (12000 60000 70000 12)
//!
//! Prints the time to build the store, then the median of 5 runs of each query, with the
//! process's peak memory. The data directory is a temporary one, removed at the end.

use kyso::app::App;
use kyso::duty::credit::TimePolicy;
use kyso::duty::period::Month;
use kyso::duty::registry::{Leader, Registry, Unit, UnitKind};
use kyso::duty::submission::Submission;
use kyso::store::Store;
use std::time::{Duration, Instant};

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .filter(|a| !a.starts_with('-'))
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn fingerprint(kind: &str, i: usize) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{kind}-{i}")))
}

fn registry(units: usize, persons: usize) -> Registry {
    let kind = |i: usize| match i % 20 {
        0 => UnitKind::Department,
        1..=4 => UnitKind::PublicService,
        _ => UnitKind::Commune,
    };
    let units: Vec<Unit> = (0..units)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("u{i}"),
                "name": format!("Đơn vị số {i}"),
                "kind": kind(i),
                "certificates": [fingerprint("unit", i)],
            }))
            .unwrap()
        })
        .collect();
    let n = units.len();
    let leaders: Vec<Leader> = (0..persons)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("p{i}"),
                "name": format!("Lãnh đạo số {i}"),
                "title": "Phó Chủ tịch",
                "unit": format!("u{}", i % n),
                "from": "2020-01",
                "certificates": [fingerprint("person", i)],
            }))
            .unwrap()
        })
        .collect();
    Registry {
        units,
        leaders,
        ..Registry::default()
    }
}

/// One synthetic submission: a valid signature by `fp` at `when`, received a day later.
fn submission(id: &str, size: u64, fp: &str, month: Month, day: u8) -> Submission {
    let signed = format!("{}-{:02}-{:02}T02:00:00Z", month.year, month.month, day);
    let received = format!("{}-{:02}-{:02}T03:00:00Z", month.year, month.month, day + 1);
    serde_json::from_value(serde_json::json!({
        "id": id,
        "received_at": received,
        "size": size,
        "report": {
            "schema": 1,
            "document": { "sha256": id, "size": size, "revisions": 2 },
            "verdict": "valid",
            "validation_time": received,
            "signatures": [{
                "field": "ChuKy", "kind": "signature", "sub_filter": "ETSI.CAdES.detached",
                "indication": "TOTAL_PASSED", "sub_indication": null, "problems": [],
                "signer": { "subject": "CN=Synthetic", "issuer": "CN=Synthetic CA",
                            "serial": "01", "sha256": fp },
                "chain": [], "signing_time": signed, "signing_time_source": "signed_attribute",
                "coverage": "entire_file", "modifications_after": "none", "level": null
            }]
        },
        "file_name": format!("{id}.pdf"),
        "client": "bench"
    }))
    .unwrap()
}

fn fill(store: &Store, units: usize, persons: usize, subs: usize, months: usize) {
    let batch = 4096;
    let mut pending = Vec::with_capacity(batch);
    for mi in 0..months {
        let month = Month {
            year: 2026,
            month: (mi + 1) as u8,
        };
        for i in 0..subs {
            // First every unit's organisation file, then the leaders' (each owner once a month,
            // in a different order each month).
            let k = (i + mi * 7919) % (units + persons);
            let fp = if k < units {
                fingerprint("unit", k)
            } else {
                fingerprint("person", k - units)
            };
            let bytes = format!("%PDF-1.7\n% kyso national bench {mi} {i}\n%%EOF\n");
            let mut intake = store.intake();
            intake.write(bytes.as_bytes()).unwrap();
            let received = intake.finish().unwrap();
            let sub = submission(&received.id, received.size, &fp, month, 1 + (i % 27) as u8);
            pending.push(store.commit(received, Some(sub)));
            if pending.len() == batch {
                for rx in pending.drain(..) {
                    rx.blocking_recv().unwrap().unwrap();
                }
            }
        }
    }
    for rx in pending.drain(..) {
        rx.blocking_recv().unwrap().unwrap();
    }
}

/// One more synthetic file of `month`, committed as an upload is.
fn commit_one(store: &Store, month: Month, fp: &str, n: usize) {
    let bytes = format!("%PDF-1.7\n% kyso national bench extra {n}\n%%EOF\n");
    let mut intake = store.intake();
    intake.write(bytes.as_bytes()).unwrap();
    let received = intake.finish().unwrap();
    let sub = submission(&received.id, received.size, fp, month, 2);
    store
        .commit(received, Some(sub))
        .blocking_recv()
        .unwrap()
        .unwrap();
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[2]
}

fn peak_rss_mb() -> i64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into a local we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_maxrss / 1024
}

/// The store of the bench: the data directory `dir`, or with KYSO_NATIONAL_STORE=postgres://…
/// that database (filled when empty), with `dir` as the instance's scratch (its index, rebuilt
/// from the database at every open: the time an instance takes to start).
fn open_store(dir: &std::path::Path) -> Store {
    match std::env::var("KYSO_NATIONAL_STORE") {
        Ok(url) if url.starts_with("postgres") => {
            let t = Instant::now();
            let s = Store::open_postgres(&url, 8, dir).unwrap();
            println!(
                "opened over PostgreSQL (index rebuilt from the database) in {:.2?}",
                t.elapsed()
            );
            s
        }
        _ => Store::open(dir).unwrap(),
    }
}

fn main() {
    let (units, persons, subs, months) =
        (arg(1, 12_000), arg(2, 60_000), arg(3, 70_000), arg(4, 12));
    // KYSO_NATIONAL_DIR keeps the filled store between runs (filled when empty), so that a
    // change to the tables is measured without filling 840,000 files again.
    let kept = std::env::var_os("KYSO_NATIONAL_DIR").map(std::path::PathBuf::from);
    let dir = kept.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kyso-national-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).unwrap();
    let store = open_store(&dir);
    if store.count() == 0 {
        let t = Instant::now();
        kyso::app::registry_edit::import_all(
            &store,
            registry(units, persons),
            &kyso::app::registry_edit::Editor::plain("bench"),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        println!(
            "registry of {units} units and {persons} leaders imported in {:.2?}",
            t.elapsed()
        );
        let t = Instant::now();
        fill(&store, units, persons, subs, months);
        println!(
            "{} submissions ({subs} a month for {months} months) committed in {:.2?}",
            subs * months,
            t.elapsed()
        );
    } else {
        println!("{} submissions already in {}", store.count(), dir.display());
    }
    let policy = TimePolicy::default();
    let now = time::macros::datetime!(2027-01-15 00:00 UTC);
    // The last month filled: a full month of files.
    let month = Month {
        year: 2026,
        month: months.clamp(1, 12) as u8,
    };
    let read = median(|| {
        std::hint::black_box(store.facts_in_month(month).unwrap());
    });
    println!("reading the month's crediting facts: median {read:.2?}");
    let month_table = |app: &App| {
        let t = kyso::app::figures::month_table(app, month).unwrap();
        t.totals.organisation_satisfied + t.totals.leaders_satisfied
    };
    let year_report = |app: &App| {
        std::hint::black_box(kyso::app::figures::office_report(app, 2026, None, now).unwrap());
    };
    // The service's application over the store (no trust needed: the tables read the facts).
    let open = |dir: &std::path::Path| {
        App::new(
            open_store(dir),
            Default::default(),
            Default::default(),
            policy,
            None,
        )
    };
    // Credited afresh: the first table after the service starts (nothing kept yet).
    drop(store);
    let store = open(&dir);
    let t = Instant::now();
    let satisfied = month_table(&store);
    println!(
        "month table {month}, first after start: {:.2?} ({satisfied} requirements met)",
        t.elapsed()
    );
    drop(store);
    let store = open(&dir);
    let t = Instant::now();
    year_report(&store);
    println!("year report 2026, first after start: {:.2?}", t.elapsed());
    // What the service does at start, in the background: this year's months credited and kept.
    drop(store);
    let store = open(&dir);
    let t = Instant::now();
    let n =
        kyso::app::tables::keep_this_year(&store, time::macros::datetime!(2026-12-15 00:00 UTC))
            .unwrap();
    println!(
        "the start's background crediting of {n} months: {:.2?}",
        t.elapsed()
    );
    let t = Instant::now();
    year_report(&store);
    println!(
        "year report 2026, first after the start's crediting: {:.2?}",
        t.elapsed()
    );
    // Kept credits: the same tables again.
    let m = median(|| {
        month_table(&store);
    });
    let y = median(|| year_report(&store));
    println!("again (credits kept): month table median {m:.2?}, year report median {y:.2?}");
    // The steady state of a busy month: a file of the month committed before each table, so
    // that month is credited again and the others are kept.
    let mut n = 0;
    let mut after_commit = |f: &dyn Fn(&App)| {
        let mut v: Vec<Duration> = (0..5)
            .map(|_| {
                n += 1;
                commit_one(&store.store, month, &fingerprint("unit", n), n);
                let t = Instant::now();
                f(&store);
                t.elapsed()
            })
            .collect();
        v.sort();
        v[2]
    };
    let m = after_commit(&|s| {
        month_table(s);
    });
    let y = after_commit(&|s| year_report(s));
    println!("after a commit to {month}: month table median {m:.2?}, year report median {y:.2?}");
    println!("peak memory {} MB", peak_rss_mb());
    drop(store);
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
