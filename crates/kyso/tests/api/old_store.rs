//! A data directory written by an earlier release (`fixtures/store-v1`, made by
//! `fixtures/store-v1/make.sh` with the release before the workspace split) opens as it is,
//! and lists, credits and reports exactly what that release answered about it.

use crate::helpers::*;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// What may differ between two runs whatever the release: when the answer was made, and the
/// sentences of notes (a note's `code` is the contract; its message is for people and may
/// change, ARCHITECTURE.md §5.3).
fn without_clock(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(m) => {
            m.remove("generated_at");
            m.remove("current_month");
            if m.contains_key("code") && m.len() == 2 {
                m.remove("message");
            }
            for x in m.values_mut() {
                *x = without_clock(x.take());
            }
        }
        serde_json::Value::Array(a) => {
            for x in a.iter_mut() {
                *x = without_clock(x.take());
            }
        }
        _ => {}
    }
    v
}

/// Whether `now` says everything `then` said: equal values, objects with at least `then`'s keys
/// (a contract may gain fields, never lose or change one), arrays of the same length.
fn contains(now: &serde_json::Value, then: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (now, then) {
        (Value::Object(n), Value::Object(t)) => t
            .iter()
            .all(|(k, v)| n.get(k).is_some_and(|x| contains(x, v))),
        (Value::Array(n), Value::Array(t)) => {
            n.len() == t.len() && n.iter().zip(t).all(|(x, y)| contains(x, y))
        }
        (n, t) => n == t,
    }
}

/// The question each recorded answer was the answer to (see make.sh).
fn question(name: &str, recorded: &serde_json::Value) -> String {
    match name {
        "listing-2026-03" => "/api/v1/submissions?month=2026-03&per_page=100".into(),
        "listing-2026-04" => "/api/v1/submissions?month=2026-04&per_page=100".into(),
        "compliance-2026-03" => "/api/v1/compliance/2026-03".into(),
        "compliance-2026-q1" => "/api/v1/compliance?year=2026&quarter=1".into(),
        "report-2026-q1" => "/api/v1/reports/2026?quarter=1".into(),
        "period-2026-q1" => "/api/v1/periods/2026-Q1".into(),
        "units" => "/api/v1/units".into(),
        "leaders" => "/api/v1/leaders".into(),
        "unit-history" => "/api/v1/units/ubnd-huong-xuan/history?year=2026".into(),
        "unenrolled" => "/api/v1/signers/unenrolled".into(),
        n if n.starts_with("receipt-") => format!(
            "/api/v1/submissions/{}",
            recorded["id"].as_str().expect("a receipt has its id")
        ),
        n => panic!("no question recorded for {n}"),
    }
}

#[test]
fn a_store_written_by_the_earlier_release_reads_and_reports_unchanged() {
    crate::files_store_only!();
    let fixture = root().join("fixtures/store-v1");
    let data = std::env::temp_dir().join(format!("kyso-store-v1-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    copy_dir(&fixture.join("data"), &data);
    let app = spawn_app_in(None, 104_857_600, "", Some(&data));
    let mut answers: Vec<_> = std::fs::read_dir(fixture.join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    answers.sort();
    assert!(answers.len() >= 19, "the recorded answers are there");
    let mut receipts = 0;
    for path in answers {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let recorded: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let q = question(&name, &recorded);
        let r = app.get(&q, Some(ADMIN));
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        let (now, then) = (without_clock(r.json()), without_clock(recorded));
        assert!(
            contains(&now, &then),
            "{q} answers as the earlier release did ({name}): every value it gave is there \
             unchanged (fields added since are allowed, ARCHITECTURE.md §5)\nthen: {then}\nnow: {now}"
        );
        receipts += usize::from(name.starts_with("receipt-"));
    }
    assert_eq!(receipts, 9, "every stored submission was compared");
    // Each stored PDF comes back with its own bytes.
    let listing = app.get(
        "/api/v1/submissions?month=2026-03&per_page=100",
        Some(ADMIN),
    );
    for item in listing.json()["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let pdf = app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(ADMIN));
        assert_eq!(hex::encode(kyso_verify::pki::crypto::sha256(&pdf.body)), id);
    }
    let _ = std::fs::remove_dir_all(&data);
}
