//! What an operator watches: `/metrics` (Prometheus text), JSON logs with an access line per
//! request, and `/readyz` as readiness (storage, anchors, CRL freshness).

use crate::helpers::*;
use std::collections::HashMap;

/// Parse the Prometheus text format strictly enough to catch a malformed line: every sample is
/// `name{labels} value` with a number, every family has HELP and TYPE before its samples.
fn parse_metrics(text: &str) -> HashMap<String, f64> {
    let mut typed = std::collections::HashSet::new();
    let mut samples = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut it = rest.split(' ');
            let name = it.next().unwrap();
            let kind = it.next().unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (key, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        let v: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("value of {line:?}"));
        let name = key.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains(*f)))
            .unwrap_or(name);
        assert!(typed.contains(family), "no TYPE before {line:?}");
        if let Some(labels) = key.strip_prefix(name) {
            assert!(
                labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
                "{line:?}"
            );
        }
        assert!(
            samples.insert(key.to_string(), v).is_none(),
            "duplicate sample {key}"
        );
    }
    samples
}

#[test]
fn metrics_count_uploads_requests_and_latencies() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let good = app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"));
    assert_eq!(good.status, 201);
    let id = good.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        200
    );
    assert_eq!(
        app.post(Some(SUBMIT), "application/pdf", b"not a pdf")
            .status,
        422
    );
    assert_eq!(
        app.get(&format!("/api/v1/submissions/{id}"), Some(READ))
            .status,
        200
    );

    // Any token is a method to HTTP: they must not become label values one by one.
    for m in ["FOO1", "FOO2", "FOO3"] {
        let _ = ureq::request(m, &app.url("/healthz")).call();
    }
    let r = app.get("/metrics", None);
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("FOO"), "method labels are bounded");
    assert!(r.text().contains(r#"method="other""#));
    assert!(
        r.content_type.starts_with("text/plain; version=0.0.4"),
        "{}",
        r.content_type
    );
    let text = r.text();
    let m = parse_metrics(&text);
    let get = |k: &str| *m.get(k).unwrap_or_else(|| panic!("no {k} in\n{text}"));
    assert_eq!(
        get(r#"kyso_uploads_total{verdict="valid",status="201"}"#),
        1.0
    );
    assert_eq!(
        get(r#"kyso_uploads_total{verdict="valid",status="200"}"#),
        1.0
    );
    assert_eq!(
        get(r#"kyso_uploads_total{verdict="none",status="422"}"#),
        1.0
    );
    assert_eq!(
        get(
            r#"kyso_http_requests_total{route="/api/v1/submissions/{id}",method="GET",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        get(r#"kyso_http_requests_total{route="/api/v1/submissions",method="POST",status="201"}"#),
        1.0
    );
    assert_eq!(
        get("kyso_verify_seconds_count"),
        2.0,
        "the valid upload and the refused one"
    );
    assert!(get("kyso_store_sync_seconds_count") >= 1.0);
    assert!(get("kyso_commit_seconds_count") >= 2.0);
    assert_eq!(get("kyso_commit_queue_depth"), 0.0);
    assert_eq!(get("kyso_store_submissions"), 1.0);
    assert_eq!(get("kyso_store_writable"), 1.0);
    assert_eq!(get("kyso_trust_anchors"), 1.0);
    assert!(
        m.keys()
            .any(|k| k.starts_with("kyso_crl_next_update_seconds{issuer=")),
        "{text}"
    );
    assert!(!text.contains(&id), "no submission id becomes a label");
}

#[test]
fn json_logs_carry_an_access_line_per_request_and_never_the_token() {
    let mut app = spawn_app(None);
    app.env.push(("KYSO_LOG_FORMAT".into(), "json".into()));
    app.restart();
    let wrong = "a-wrong-token-that-must-not-be-logged";
    assert_eq!(app.get("/api/v1/units", Some(wrong)).status, 401);
    assert_eq!(app.get("/api/v1/units", Some(READ)).status, 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let log = loop {
        let log = app.log();
        if log.matches("\"kyso::access\"").count() >= 2 || std::time::Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // The first start wrote text; the lines after the restart are JSON.
    let json_start = log.find("{\"timestamp\"").expect("JSON lines");
    let lines: Vec<serde_json::Value> = log[json_start..]
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let access: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["target"] == "kyso::access")
        .collect();
    assert_eq!(access.len(), 2, "{log}");
    assert_eq!(access[0]["status"], 401);
    assert_eq!(access[0]["route"], "/api/v1/units");
    assert_eq!(access[0]["method"], "GET");
    assert_eq!(access[0]["client"], "-");
    assert_eq!(access[1]["status"], 200);
    assert_eq!(access[1]["client"], "reader");
    assert!(access[1]["ms"].as_f64().is_some());
    assert!(
        !log.contains(wrong) && !log.contains(READ),
        "a token in the log"
    );
}

#[test]
fn readyz_wants_anchors_and_fresh_crls() {
    let app = spawn_app(None);
    let r = app.get("/readyz", None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "ready");

    // No anchors: alive, not ready.
    let empty = std::env::temp_dir().join(format!("kyso-empty-anchors-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let app = spawn_app_with(
        None,
        1 << 20,
        &format!(
            "allow_no_anchors = true\ntrust = [{:?}]",
            empty.display().to_string()
        ),
    );
    assert_eq!(app.get("/healthz", None).status, 200);
    let r = app.get("/readyz", None);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["reasons"], serde_json::json!(["no_trust_anchors"]));
    assert!(r.retry_after.is_some());

    // A CRL past its nextUpdate (2026-02-20) beyond the grace period.
    let app = spawn_app_with(
        None,
        1 << 20,
        &format!(
            "crls = [{:?}]",
            pki("issuing-ca-expired.crl").display().to_string()
        ),
    );
    let r = app.get("/readyz", None);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["reasons"], serde_json::json!(["crl_outdated"]));
    assert_eq!(r.json()["crls_outdated"].as_array().unwrap().len(), 1);
}
