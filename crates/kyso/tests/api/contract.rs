//! The API as described: every key of real answers is declared in the OpenAPI document, a known
//! path with another method answers 405, and every error, actix's own included, is
//! `{code, message}` JSON with a code the document lists.

use crate::helpers::*;
use serde_json::Value;

/// Keys of `value` that `schema` (resolved against `doc`) does not declare, as JSON paths.
fn undeclared(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = serde_json::Map::new();
        for s in all {
            let s = match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
                }
                None => s,
            };
            if let Some(p) = s["properties"].as_object() {
                merged.extend(p.clone());
            }
        }
        let merged = serde_json::json!({ "type": "object", "properties": merged });
        return undeclared(doc, &merged, value, at, out);
    }
    match value {
        Value::Object(map) => {
            let Some(props) = schema["properties"].as_object() else {
                return; // a free-form object
            };
            for (k, v) in map {
                match props.get(k) {
                    Some(s) => undeclared(doc, s, v, &format!("{at}.{k}"), out),
                    None => out.push(format!("{at}.{k}")),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                undeclared(doc, &schema["items"], v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Keys of `value` that the document's schema `schema` does not declare.
pub(crate) fn check(doc: &Value, schema: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let s = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    undeclared(doc, &s, value, schema, &mut out);
    out
}

#[test]
fn real_answers_use_only_declared_keys() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let doc = app.get("/api/openapi.json", None).json();
    let mut missing = Vec::new();
    for f in [
        "pyhanko-org-then-leader.pdf",
        "pyhanko-expired.pdf",
        "pyhanko-revoked.pdf",
        "pyhanko-modified-after-signing.pdf",
    ] {
        let Ok(bytes) = std::fs::read(root().join("fixtures/pdf").join(f)) else {
            continue;
        };
        let r = app.upload_raw(&bytes);
        assert!(r.status == 201 || r.status == 200, "{f}: {}", r.text());
        missing.extend(check(&doc, "Receipt", &r.json()));
    }
    let month = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    missing.extend(check(&doc, "MonthTable", &month));
    let period = app
        .get("/api/v1/compliance?year=2026&quarter=1", Some(READ))
        .json();
    missing.extend(check(&doc, "PeriodTable", &period));
    for u in app
        .get("/api/v1/units", Some(READ))
        .json()
        .as_array()
        .unwrap()
    {
        missing.extend(check(&doc, "Unit", u));
    }
    for l in app
        .get("/api/v1/leaders", Some(READ))
        .json()
        .as_array()
        .unwrap()
    {
        missing.extend(check(&doc, "Leader", l));
    }
    for s in app
        .get("/api/v1/signers/unenrolled", Some(READ))
        .json()
        .as_array()
        .unwrap()
    {
        missing.extend(check(&doc, "Unenrolled", s));
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "keys the OpenAPI document does not declare:\n{}",
        missing.join("\n")
    );
}

#[test]
fn wrong_methods_and_bad_parameters_answer_json_errors() {
    let app = spawn_app(None);
    let doc = app.get("/api/openapi.json", None).json();
    let codes: Vec<&str> = doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let is_error = |r: &Resp, status: u16, code: &str| {
        assert_eq!(r.status, status, "{}", r.text());
        assert!(
            r.content_type.starts_with("application/json"),
            "{}",
            r.content_type
        );
        let v = r.json();
        assert_eq!(v["code"], code, "{v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(codes.contains(&code), "{code} is not in the document");
    };
    // A known path, another method: 405 with Allow.
    let r = ureq::delete(&app.url("/api/v1/units/x")).call();
    let resp = match r {
        Err(ureq::Error::Status(_, r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(resp.header("allow"), Some("GET, PUT"));
    let r = app.get("/api/v1/admin/reverify", Some(ADMIN));
    is_error(&r, 405, "method_not_allowed");
    // An unknown path: 404.
    is_error(&app.get("/api/v2/nothing", None), 404, "not_found");
    // Bad query parameters (actix's own error, text/plain before).
    is_error(
        &app.get("/api/v1/compliance?year=abc", Some(READ)),
        400,
        "bad_request",
    );
    is_error(
        &app.get("/api/v1/compliance", Some(READ)),
        400,
        "bad_request",
    );
    // A JSON body that is not JSON.
    let r = ureq::put(&app.url("/api/v1/units/x"))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .set("Content-Type", "application/json")
        .send_string("{not json");
    let r = match r {
        Err(ureq::Error::Status(_, r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.status(), 400);
    let v: Value = serde_json::from_reader(r.into_reader()).unwrap();
    assert_eq!(v["code"], "bad_request");
    // A registry body over the 1 MiB JSON limit.
    let big = format!(
        "{{\"name\":\"{}\",\"kind\":\"department\"}}",
        "x".repeat(2 << 20)
    );
    let r = app.put_json(
        "/api/v1/units/x",
        ADMIN,
        &serde_json::from_str(&big).unwrap(),
    );
    is_error(&r, 413, "payload_too_large");
}
