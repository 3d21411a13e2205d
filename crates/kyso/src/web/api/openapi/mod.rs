//! The OpenAPI 3.0 description of the service, written by hand (no build step).

use serde_json::{json, Value};

mod schemas;
use schemas::schemas;

fn error_response(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok_json(desc: &str, schema: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "kyso",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Verifies digitally signed PDFs against the BCY (Ban Cơ yếu Chính phủ) PKI and records which monthly signing requirement of plan 655/KH-UBND each signature satisfies. Errors are {\"code\", \"message\"}; authenticate with Authorization: Bearer <token>."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        },
        "security": [ { "bearer": [] } ],
        "paths": with_common_errors(paths())
    })
}

/// Answers every operation can give: 500 (`internal`), and on the API 503 (`unavailable`,
/// `storage_unavailable`: the blocking pool or the store cannot serve now). A known path with
/// another method answers 405 (`method_not_allowed`, with `Allow`).
fn with_common_errors(mut paths: Value) -> Value {
    for (path, item) in paths.as_object_mut().into_iter().flatten() {
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            responses.entry("500").or_insert_with(|| {
                error_response("internal error (code internal); the details are in the service log")
            });
            // Every path answers a method it does not take the same way (`web::routes`).
            responses.entry("405").or_insert_with(|| {
                json!({ "description": "this path does not take the request's method (code method_not_allowed); the Allow header lists those it takes",
                    "headers": { "Allow": { "schema": { "type": "string" }, "example": "GET, PUT" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
            });
            if path.starts_with("/api/v1/") {
                responses.entry("503").or_insert_with(|| {
                    error_response("busy, or the store cannot serve now (code unavailable or storage_unavailable; Retry-After)")
                });
            }
        }
    }
    paths
}

pub(super) fn merge(parts: &[Value]) -> Value {
    let mut all = serde_json::Map::new();
    for p in parts {
        if let Some(o) = p.as_object() {
            all.extend(o.clone());
        }
    }
    Value::Object(all)
}

/// Every route with its status codes (the one table is `http::error`).
fn paths() -> Value {
    merge(&[
        service_paths(),
        submission_paths(),
        office_paths(),
        period_paths(),
        reminder_paths(),
        registry_paths(),
    ])
}

/// The answers every authenticated operation can give.
fn auth_errors() -> Value {
    json!({
        "401": error_response("missing or unknown bearer token"),
        "403": error_response("the token lacks the scope"),
    })
}

/// `base` with the entries of `extra` added.
fn with(base: Value, extra: Value) -> Value {
    merge(&[base, extra])
}

/// The service itself: health, readiness, metrics, this document.
fn service_paths() -> Value {
    json!({
        "/healthz": { "get": { "summary": "Liveness; with a token of the read or admin scope, the trust store, CRLs, the last CRL refresh and warnings", "security": [],
            "responses": { "200": { "description": "the service is up (liveness; says nothing of the disk): {\"status\":\"ok\", \"version\"}, and the details for a token that may read" } } } },
        "/readyz": { "get": { "summary": "Readiness: storage writable, trust anchors loaded, CRLs current", "security": [],
            "responses": { "200": { "description": "{\"status\":\"ready\", \"reasons\": [], ...}" },
                "503": { "description": "{\"status\":\"not_ready\", \"reasons\": [storage|no_trust_anchors|crl_outdated], \"storage\": {fault: no_space|unavailable, since, index_ok}, \"anchors\", \"crls_outdated\"}, with Retry-After" } } } },
        "/metrics": { "get": { "summary": "Prometheus text format (requests, uploads, latencies, queue, store, CRLs)", "security": [],
            "responses": { "200": { "description": "text/plain; version=0.0.4", "content": { "text/plain": {} } } } } },
        "/api/openapi.json": { "get": { "summary": "This document", "security": [],
            "responses": { "200": { "description": "OpenAPI 3.0" } } } },
    })
}

/// Submissions: upload, list, receipts, late files, the PDFs.
fn submission_paths() -> Value {
    json!({
        "/api/v1/submissions": { "get": {
            "summary": "Every submission signed or received in a month, credited or not, with the file name, the sender and why a file earned nothing (scope read)",
            "parameters": [
                { "name": "month", "in": "query", "schema": { "type": "string", "example": "2026-11" }, "description": "default: the current month in Vietnam time" },
                { "name": "unit", "in": "query", "schema": { "type": "string" } },
                { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["all", "credited", "not_credited", "late"] } },
                { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
                { "name": "per_page", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200 } } ],
            "responses": with(json!({ "200": ok_json("one page, newest receipt first", "SubmissionPage"),
                "400": error_response("bad month or status") }), auth_errors()) },
          "post": {
            "summary": "Upload one signed PDF (scope submit). Verified at the receipt time.",
            "requestBody": { "required": true, "content": {
                "multipart/form-data": { "schema": { "type": "object", "required": ["file"], "properties": {
                    "file": { "type": "string", "format": "binary" }, "unit": { "type": "string" } } } },
                "application/pdf": { "schema": { "type": "string", "format": "binary" } } } },
            "responses": with(json!({
                "201": ok_json("new bytes: stored durably, receipt", "Receipt"),
                "200": ok_json("bytes received before: the existing receipt", "Receipt"),
                "400": error_response("empty body, malformed multipart, no file part"),
                "413": error_response("larger than max_upload_bytes"),
                "415": error_response("neither multipart/form-data nor application/pdf"),
                "408": error_response("nothing received for upload_idle_timeout_secs, or not complete within upload_deadline_secs (code request_timeout)"),
                "422": error_response("not a PDF, or a PDF that cannot be evaluated (code not_pdf, pdf_unreadable, budget_exceeded)"),
                "429": error_response("the token already has max_uploads_per_token uploads in progress (code too_many_uploads; Retry-After)"),
                "503": error_response("the disk refuses writes or the index is being rebuilt; nothing was stored (code storage_unavailable; Retry-After)"),
                "507": error_response("no space left; nothing was stored (code insufficient_storage; Retry-After)")
            }), auth_errors()) } },
        "/api/v1/submissions/{id}": { "get": { "summary": "A receipt (scope read)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "responses": with(json!({ "200": ok_json("the receipt", "Receipt"), "404": error_response("unknown id") }), auth_errors()) } },
        "/api/v1/submissions/{id}/accept-late": { "post": {
            "summary": "Accept a late file (its claimed signing time is not believed) with a reason: it then earns its month; who, when and why are kept with it (scope admin)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string" } } } } } },
            "responses": with(json!({ "200": ok_json("the receipt, now crediting the month", "Receipt"),
                "400": error_response("no reason"), "404": error_response("unknown id"),
                "409": error_response("the file is not late (code conflict)") }), auth_errors()) } },
        "/api/v1/submissions/{id}/move": { "post": {
            "summary": "Move a file whose claimed signing time falls in the first 7 hours of a month's first day (Vietnam time, no timestamp) to the month before, with a reason: a tool that writes Vietnam time as UTC made it claim the next month; who, when and why are kept with it (scope admin)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["month", "reason"], "properties": { "month": { "type": "string", "example": "2026-11" }, "reason": { "type": "string" } } } } } },
            "responses": with(json!({ "200": ok_json("the receipt, now crediting the month before", "Receipt"),
                "400": error_response("no reason, or not a month"), "404": error_response("unknown id"),
                "409": error_response("the file cannot be moved (no claimed time in the window, another month, moved already; code conflict)") }), auth_errors()) } },
        "/api/v1/submissions/{id}/pdf": { "get": { "summary": "The original bytes (scope read)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "responses": with(json!({ "200": { "description": "the PDF", "content": { "application/pdf": {} } }, "404": error_response("unknown id") }), auth_errors()) } },
    })
}

/// The Office's figures: tables, the report, registry changes.
fn office_paths() -> Value {
    json!({
        "/api/v1/compliance/{month}": { "get": { "summary": "The month's table (scope read)",
            "parameters": [
                { "name": "month", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-03" } },
                { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv"] } }, dialect_param() ],
            "responses": with(json!({ "200": { "description": "the table; CSV is UTF-8 with BOM, Vietnamese headers",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MonthTable" } }, "text/csv": {} } },
                "400": error_response("not a month") }), auth_errors()) } },
        "/api/v1/compliance": { "get": { "summary": "Months satisfied out of months required, per unit (scope read)",
            "parameters": [
                { "name": "year", "in": "query", "required": true, "schema": { "type": "integer" } },
                { "name": "quarter", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 4 } },
                { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv"] } }, dialect_param() ],
            "responses": with(json!({ "200": { "description": "the period table; CSV UTF-8 with BOM, one row per requirement, the months still missing as mm/yyyy",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PeriodTable" } }, "text/csv": {} } },
                "400": error_response("bad year, quarter or format") }), auth_errors()) } },
        "/api/v1/compliance/{month}/missing": { "get": {
            "summary": "What is still missing in the month (còn thiếu), one row per requirement not met, with the unit's văn thư and whether a certificate is enrolled (scope read)",
            "parameters": [ { "name": "month", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-11" } },
                { "name": "unit", "in": "query", "required": false, "schema": { "type": "string" } },
                { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv", "xlsx"] } }, dialect_param() ],
            "responses": with(json!({ "200": { "description": "[{unit, unit_name, requirement, leader?, leader_name?, no_certificate?, contact?}], or the CSV/XLSX file", "content": { "application/json": {}, "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
                "400": error_response("not a month, or an unknown format") }), auth_errors()) } },
        "/api/v1/registry/settings": {
            "get": { "summary": "The registry's settings: the first month tracked (theo dõi từ tháng), before which no unit or leader is required (scope read)",
                "responses": with(json!({ "200": { "description": "{tracking_from: YYYY-MM|null}" } }), auth_errors()) },
            "put": { "summary": "Set the first month tracked; changing it once set alters past months and needs ?correction=<reason> (scope admin)",
                "parameters": [ { "name": "correction", "in": "query", "required": false, "schema": { "type": "string" } } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "tracking_from": { "type": "string", "nullable": true, "example": "2026-07" } } } } } },
                "responses": with(json!({ "200": { "description": "{tracking_from}" },
                    "400": error_response("not a month, or a reason that is not one line"),
                    "409": error_response("rewrites_past: the change alters past months and gives no reason") }), auth_errors()) } },
        "/api/v1/registry/changes": { "get": {
            "summary": "The registry's audit log, newest first: who changed which unit or leader, when, before and after (scope read)",
            "responses": with(json!({ "200": { "description": "changes", "content": { "application/json": { "schema": {
                "type": "array", "items": { "type": "object", "properties": {
                    "at": { "type": "string", "format": "date-time" }, "by": { "type": "string" },
                    "kind": { "type": "string", "enum": ["unit", "leader"] }, "id": { "type": "string" },
                    "before": { "type": "object" }, "after": { "type": "object" },
                    "correction": { "type": "string", "description": "the reason of a change that altered past months (an explicit correction)" } } } } } } } }), auth_errors()) } },
        "/api/v1/registry/import": { "post": {
            "summary": "Import a registry file (TOML, the file format of the README): what it would change, one line per record, and with apply=true the change itself, saved as audited changes under the token's name (scope admin)",
            "parameters": [ { "name": "apply", "in": "query", "schema": { "type": "boolean", "default": false } },
                { "name": "expected", "in": "query", "description": "the preview's changes_sha256: the apply is refused with 409 if the registry moved since", "schema": { "type": "string" } },
                correction_param() ],
            "requestBody": { "required": true, "content": { "application/toml": { "schema": { "type": "string" } }, "text/plain": { "schema": { "type": "string" } } } },
            "responses": with(json!({ "200": { "description": "the changes, and whether they were saved", "content": { "application/json": { "schema": {
                "type": "object", "required": ["changes", "changes_sha256", "applied"], "properties": {
                    "changes": { "type": "array", "items": { "type": "string" } },
                    "changes_sha256": { "type": "string" },
                    "rewrites_past": { "type": "array", "description": "records whose past months the changes would alter (apply needs correction)", "items": past_change() },
                    "applied": { "type": "boolean" } } } } } },
                "409": error_response("the registry changed since the preview named by expected (code conflict), or the changes alter past months and no correction was given (code rewrites_past)"),
                "400": error_response("not a registry file, or one that would make the registry invalid"),
                "413": error_response("larger than 32 MiB") }), auth_errors()) } },
        "/api/v1/reports/{year}": { "get": {
            "summary": "The report the Office files: per unit by kind, months met of months required (organisation, each leader), percentages, totals per kind and for the town; the month in progress not counted; what is missing this month (scope read)",
            "parameters": [
                { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                { "name": "quarter", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 4 } },
                { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv", "xlsx"] } }, dialect_param() ],
            "responses": with(json!({ "200": { "description": "the report; CSV UTF-8 with BOM; XLSX with a frozen header row",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OfficeReport" } }, "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
                "400": error_response("bad year, quarter or format") }), auth_errors()) } },
    })
}

/// `?correction=`: the reason that lets a registry change alter past months.
/// Closed periods: close, show, the files filed.
fn period_paths() -> Value {
    json!({
        "/api/v1/periods/{period}": { "get": {
            "summary": "A period's closing: the frozen figures with their SHA-256, and the amendments since (scope read)",
            "parameters": [ { "name": "period", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-Q1" }, "description": "YYYY-MM, YYYY-Qn or YYYY" } ],
            "responses": with(json!({ "200": { "description": "{period, closed: Closed|null, amendments: [{unit, unit_name, requirement, requirement_name, closed, now, closed_required, now_required, causes}]}" },
                "400": error_response("not a period") }), auth_errors()) } },
        "/api/v1/periods/{period}/files/{name}": { "get": {
            "summary": "A file filed when the period was closed (bản đã chốt: the report's XLSX and CSV, a month's CSV), byte for byte as made then; its SHA-256 is in the closing's files (scope read)",
            "parameters": [ { "name": "period", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-Q1" } },
                { "name": "name", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-Q1.xlsx" } } ],
            "responses": with(json!({ "200": { "description": "the file", "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {} } },
                "400": error_response("not a period"), "404": error_response("the period is not closed, or filed no such file") }), auth_errors()) } },
        "/api/v1/periods/{period}/close": { "post": {
            "summary": "Close a period that is over (chốt số liệu): the month table, or the quarter's or year's report, frozen and hashed (scope admin)",
            "parameters": [ { "name": "period", "in": "path", "required": true, "schema": { "type": "string" } } ],
            "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string" } } } } } },
            "responses": with(json!({ "201": ok_json("closed", "Closed"),
                "400": error_response("not a period, or the period is not over"),
                "409": error_response("already closed (code conflict)") }), auth_errors()) } }
    })
}

/// Reminders: send a round now, list those sent.
fn reminder_paths() -> Value {
    json!({
        "/api/v1/reminders/send": { "post": {
            "summary": "E-mail now each unit still missing something in the month (thư nhắc), at its văn thư's address; every attempt is recorded (scope admin)",
            "parameters": [ { "name": "month", "in": "query", "required": false, "schema": { "type": "string", "example": "2026-11" }, "description": "default: the month in progress" },
                { "name": "unit", "in": "query", "required": false, "schema": { "type": "string" }, "description": "only this unit" } ],
            "responses": with(json!({ "200": { "description": "{month, sent: [Reminder], no_address: [{unit, unit_name, missing}]}" },
                "400": error_response("not a month"),
                "409": error_response("reminders are not configured ([reminders] smtp_host)"),
                "429": error_response("a round of reminders is being sent") }), auth_errors()) } },
        "/api/v1/reminders": { "get": {
            "summary": "The reminders sent and the attempts that failed, newest first (scope read)",
            "parameters": [ { "name": "month", "in": "query", "required": false, "schema": { "type": "string", "example": "2026-11" } } ],
            "responses": with(json!({ "200": { "description": "reminders", "content": { "application/json": { "schema": {
                "type": "array", "items": { "$ref": "#/components/schemas/Reminder" } } } } },
                "400": error_response("not a month") }), auth_errors()) } }
    })
}

/// `?dialect=` of a CSV answer.
fn dialect_param() -> Value {
    json!({ "name": "dialect", "in": "query", "required": false,
        "schema": { "type": "string", "enum": ["vi", "rfc4180"], "default": "vi" },
        "description": "CSV only: vi (`;` between fields, a decimal comma: what Excel in Vietnamese opens) or rfc4180 (`,` and a decimal point)" })
}

fn correction_param() -> Value {
    json!({ "name": "correction", "in": "query", "schema": { "type": "string", "maxLength": 500 },
        "description": "a change that would alter months before the current one (a leader's unit rewritten in place, a first month moved, a unit deactivated without a last month) is an explicit correction: refused with 409 rewrites_past without a reason, saved with it, and the reason kept in the audit log" })
}

/// One record whose past months a change would alter.
fn past_change() -> Value {
    json!({ "type": "object", "properties": {
        "kind": { "type": "string", "enum": ["unit", "leader"] }, "id": { "type": "string" },
        "months": { "type": "array", "items": { "type": "string", "example": "2026-03" } } } })
}

/// 409 `rewrites_past`: the error body with the records and months the change would alter.
fn rewrites_past() -> Value {
    json!({ "description": "the change would alter past months and no correction was given (code rewrites_past); nothing was saved",
        "content": { "application/json": { "schema": { "type": "object", "required": ["code", "message", "rewrites_past"], "properties": {
            "code": { "type": "string", "enum": ["rewrites_past"] }, "message": { "type": "string" },
            "rewrites_past": { "type": "array", "items": past_change() } } } } } })
}

/// The registry, unenrolled signers, re-verification.
fn registry_paths() -> Value {
    json!({
        "/api/v1/units": { "get": { "summary": "All units (scope read)",
            "responses": with(json!({ "200": { "description": "units", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Unit" } } } } } }), auth_errors()) } },
        "/api/v1/units/{id}": {
            "get": { "summary": "One unit (scope read)", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
                "responses": with(json!({ "200": ok_json("the unit", "Unit"), "404": error_response("unknown unit") }), auth_errors()) },
            "put": { "summary": "Create or replace a unit (scope admin)", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, correction_param() ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Unit" } } } },
                "responses": with(json!({ "200": ok_json("replaced", "Unit"), "201": ok_json("created", "Unit"), "400": error_response("invalid unit"), "409": rewrites_past() }), auth_errors()) } },
        "/api/v1/units/{id}/history": { "get": { "summary": "A unit's months of a year: what each required and the files that met it (scope read)",
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                { "name": "year", "in": "query", "schema": { "type": "integer" } } ],
            "responses": with(json!({ "200": { "description": "{unit, year, months: [{month, required, organisation: {satisfied, submissions}, leaders: [...]}]}" },
                "404": error_response("unknown unit") }), auth_errors()) } },
        "/api/v1/leaders": { "get": { "summary": "All leaders (scope read)",
            "responses": with(json!({ "200": { "description": "leaders", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Leader" } } } } } }), auth_errors()) } },
        "/api/v1/leaders/{id}": {
            "get": { "summary": "One leader (scope read)", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
                "responses": with(json!({ "200": ok_json("the leader", "Leader"), "404": error_response("unknown leader") }), auth_errors()) },
            "put": { "summary": "Create or replace a leader (scope admin)", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, correction_param() ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Leader" } } } },
                "responses": with(json!({ "200": ok_json("replaced", "Leader"), "201": ok_json("created", "Leader"), "400": error_response("invalid leader"), "409": rewrites_past() }), auth_errors()) } },
        "/api/v1/admin/reverify": { "post": { "summary": "Re-verify every stored submission with the current trust store and CRLs (scope admin); changed verdicts go into each receipt's history",
            "responses": with(json!({ "200": { "description": "{checked, changed, failed}" } }), auth_errors()) } },
        "/api/v1/signers/unenrolled": { "get": { "summary": "Valid signers seen but not enrolled (scope read)",
            "responses": with(json!({ "200": { "description": "signers", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Unenrolled" } } } } } }), auth_errors()) } },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::error::{AppError, ErrorCode};

    #[test]
    fn the_document_describes_exactly_the_routes() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        for e in crate::web::ENDPOINTS {
            let op = &paths[e.path][e.method.to_ascii_lowercase()];
            assert!(
                op.is_object(),
                "{} {} is not in the OpenAPI document",
                e.method,
                e.path
            );
            assert!(
                op["responses"]["500"].is_object(),
                "{} {}: no 500",
                e.method,
                e.path
            );
        }
        for (path, item) in paths {
            for method in item.as_object().unwrap().keys() {
                assert!(
                    crate::web::ENDPOINTS
                        .iter()
                        .any(|e| e.path == path && e.method.eq_ignore_ascii_case(method)),
                    "the document has {method} {path}, the service does not"
                );
            }
        }
    }

    #[test]
    fn every_operation_says_it_answers_a_wrong_method_with_405() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                assert!(
                    op["responses"]["405"]["headers"]["Allow"].is_object(),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn every_error_code_is_in_the_error_schema() {
        let doc = document();
        let listed: Vec<String> = doc["components"]["schemas"]["Error"]["properties"]["code"]
            ["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let samples = [
            AppError::Unauthorized,
            AppError::Forbidden("read"),
            AppError::NotFound("x".into()),
            AppError::MethodNotAllowed {
                method: "DELETE".into(),
                allowed: "GET".into(),
            },
            AppError::TooLarge { limit: 1 },
            AppError::UnsupportedMediaType("x".into()),
            AppError::BadRequest("x".into()),
            AppError::Unprocessable {
                code: ErrorCode::NotPdf,
                message: "x".into(),
            },
            AppError::Internal("x".into()),
            AppError::Unavailable,
            AppError::Timeout(1),
            AppError::Deadline(1),
            AppError::TooManyUploads(1),
            AppError::Storage(crate::store::Fault::NoSpace),
            AppError::Storage(crate::store::Fault::Unavailable),
        ];
        for e in samples {
            assert!(
                listed.iter().any(|c| c == e.code().as_str()),
                "{:?}",
                e.code()
            );
        }
        let mut unique = listed.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), listed.len());
    }

    /// The document is OpenAPI 3.0 as the `openapiv3` crate's typed model reads it, and every
    /// `$ref` points at a schema that exists.
    #[test]
    fn the_document_is_valid_openapi_3() {
        let doc = document();
        let parsed: openapiv3::OpenAPI =
            serde_json::from_value(doc.clone()).expect("a valid OpenAPI 3.0 document");
        assert!(parsed.openapi.starts_with("3.0"));
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"#/components/schemas/").skip(1) {
            let name = &piece[..piece.find('"').unwrap()];
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
    }
}
