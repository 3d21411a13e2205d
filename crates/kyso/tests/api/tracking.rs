//! A town that starts using kyso in July: with "theo dõi từ tháng 07/2026" no unit or leader is
//! required before July, so the year's report counts July to the month before this one, and a
//! month before July requires nothing. Setting it needs no reason; changing it later is a
//! correction of past months, audited with its reason.

use crate::helpers::*;
use serde_json::json;

fn put(app: &TestApp, path: &str, token: &str, body: &serde_json::Value) -> Resp {
    app.put_json(path, token, body)
}

#[test]
fn a_town_that_starts_in_july_is_scored_from_july() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let current = (now.year(), now.month() as u8);
    assert!(
        current.0 == 2026 && current.1 > 7,
        "this test expects to run after July 2026"
    );
    let before = app.get("/api/v1/reports/2026", Some(READ)).json();
    assert_eq!(
        before["counted"].as_array().unwrap().len(),
        usize::from(current.1) - 1,
        "without a start, every month over is counted"
    );

    let r = put(
        &app,
        "/api/v1/registry/settings",
        ADMIN,
        &json!({ "tracking_from": "2026-07" }),
    );
    assert_eq!(r.status, 200, "a first start needs no reason: {}", r.text());
    let report = app.get("/api/v1/reports/2026", Some(READ)).json();
    assert_eq!(report["tracking_from"], "2026-07");
    let counted: Vec<&str> = report["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(counted.first(), Some(&"2026-07"), "{counted:?}");
    assert_eq!(counted.len(), usize::from(current.1) - 7);
    let unit = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["units"].as_array().unwrap())
        .find(|u| u["id"] == "ubnd-huong-xuan")
        .unwrap()
        .clone();
    assert_eq!(
        unit["organisation"]["required"],
        counted.len(),
        "required only from July: {unit}"
    );
    let march = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(
        march["units"].as_array().unwrap().is_empty(),
        "nothing required before July: {march}"
    );
    let q1 = app
        .get("/api/v1/compliance?year=2026&quarter=1", Some(READ))
        .json();
    assert!(q1["units"].as_array().unwrap().is_empty(), "{q1}");

    // Moving the start later changes past months: a correction, with its reason.
    let r = put(
        &app,
        "/api/v1/registry/settings",
        ADMIN,
        &json!({ "tracking_from": "2026-08" }),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["rewrites_past"][0]["months"], json!(["2026-07"]));
    let r = put(
        &app,
        "/api/v1/registry/settings?correction=Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20tri%E1%BB%83n%20khai%20t%E1%BB%AB%20th%C3%A1ng%208",
        ADMIN,
        &json!({ "tracking_from": "2026-08" }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        app.get("/api/v1/registry/settings", Some(READ)).json()["tracking_from"],
        "2026-08"
    );
    let log = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert_eq!(log[0]["kind"], "setting");
    assert_eq!(log[0]["correction"], "Quyết định triển khai từ tháng 8");
    assert_eq!(
        put(
            &app,
            "/api/v1/registry/settings",
            READ,
            &json!({ "tracking_from": "2026-09" })
        )
        .status,
        403
    );
}

#[test]
fn a_registry_file_can_say_when_tracking_starts() {
    let registry = format!("tracking_from = \"2026-07\"\n{}", demo_registry_toml());
    let app = spawn_app(Some(&registry));
    assert_eq!(
        app.get("/api/v1/registry/settings", Some(READ)).json()["tracking_from"],
        "2026-07"
    );
    let report = app.get("/api/v1/reports/2026", Some(READ)).json();
    assert_eq!(report["counted"][0], "2026-07", "{report}");
}
