//! The OpenAPI document's schemas: the verdict, the submission, the Office's figures, the
//! registry.

use super::merge;
use serde_json::{json, Value};

/// The body shapes (receipt, report, tables, registry records).
pub(super) fn schemas() -> Value {
    merge(&[
        verdict_schemas(),
        submission_schemas(),
        office_schemas(),
        chasing_schemas(),
        registry_schemas(),
    ])
}

/// One JSON object with the entries of all of `parts`.
/// The verdict: errors, problems, notes, signatures, reports.
fn verdict_schemas() -> Value {
    json!({
        "Error": { "type": "object", "required": ["code", "message"],
            "properties": { "code": { "type": "string", "enum": crate::app::error::ErrorCode::ALL },
                "message": { "type": "string" } } },
        "Problem": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "enum": kyso_verify::report::ProblemCode::ALL,
                "description": "stable; a record written by another version may carry a code not listed here" },
            "message": { "type": "string" } } },
        "Note": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "description": "signer_not_enrolled, leader_not_in_office, requirement_already_met, signing_time_implausible, signing_time_far_from_receipt, signature_not_valid, unit_mismatch, unsigned, no_signing_time" },
            "message": { "type": "string", "description": "Vietnamese, for the clerk" } } },
        "Signature": { "type": "object", "properties": {
            "field": { "type": "string", "nullable": true },
            "kind": { "type": "string", "enum": ["signature", "document_timestamp"] },
            "sub_filter": { "type": "string", "nullable": true },
            "indication": { "type": "string", "enum": ["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"] },
            "sub_indication": { "type": "string", "nullable": true, "description": "ETSI EN 319 102-1 sub-indication" },
            "problems": { "type": "array", "items": { "$ref": "#/components/schemas/Problem" } },
            "signer": { "type": "object", "nullable": true, "properties": {
                "subject": { "type": "string" }, "issuer": { "type": "string" },
                "serial": { "type": "string" }, "sha256": { "type": "string" },
                "crl_urls": { "type": "array", "items": { "type": "string" }, "description": "the certificate's CRL distribution points (absent when none)" } } },
            "chain": { "type": "array", "items": { "type": "string" } },
            "signing_time": { "type": "string", "format": "date-time", "nullable": true },
            "signing_time_source": { "type": "string", "enum": ["timestamp", "signed_attribute", "pdf_m", "none"] },
            "coverage": { "type": "string", "enum": ["entire_file", "entire_revision", "partial"] },
            "modifications_after": { "type": "string", "enum": ["none", "permitted", "disallowed", "unchecked"],
                "description": "unchecked: later revisions exist but could not be read (a document encrypted with a password)" },
            "level": { "type": "string", "nullable": true } } },
        "Report": { "type": "object", "properties": {
            "schema": { "type": "integer" },
            "document": { "type": "object", "properties": {
                "sha256": { "type": "string" }, "size": { "type": "integer" }, "revisions": { "type": "integer" },
                "encryption": { "type": "object", "required": ["method", "opened"],
                    "description": "present when the document is encrypted (ISO 32000-2 §7.6); opened = read with the empty user password",
                    "properties": {
                        "method": { "type": "string", "enum": ["none", "rc4", "aes128", "aes256", "unknown"] },
                        "opened": { "type": "boolean" } } } } },
            "verdict": { "type": "string", "enum": ["valid", "invalid", "indeterminate", "unsigned"] },
            "validation_time": { "type": "string", "format": "date-time" },
            "signatures": { "type": "array", "items": { "$ref": "#/components/schemas/Signature" } },
            "document_problems": { "type": "array", "items": { "$ref": "#/components/schemas/Problem" },
                "description": "problems of the file as a whole (repairs made to read it, hidden changes); absent when none" } } },
    })
}

/// Submissions: credits, receipts, the month's list.
fn submission_schemas() -> Value {
    json!({
        "Credit": { "type": "object", "properties": {
            "unit": { "type": "string" }, "month": { "type": "string", "example": "2026-03" },
            "requirement": { "type": "string", "enum": ["organisation", "leader"] },
            "leader": { "type": "string" } } },
        "Receipt": { "type": "object", "properties": {
            "id": { "type": "string", "description": "SHA-256 of the file, hex" },
            "received_at": { "type": "string", "format": "date-time" },
            "unit": { "type": "string" },
            "file_name": { "type": "string", "description": "the file's name as sent" },
            "client": { "type": "string", "description": "the name of the token that sent it" },
            "movable_to": { "type": "string", "example": "2026-11", "description": "the month before, when the claimed signing time is in the first 7 hours of a month's first day: an administrator may move the file there" },
            "satisfies_text": { "type": "array", "items": { "type": "string" }, "description": "what it meets, in a clerk's words (names, not ids), one per entry of satisfies" },
            "report": { "$ref": "#/components/schemas/Report" },
            "satisfies": { "type": "array", "items": { "$ref": "#/components/schemas/Credit" } },
            "notes": { "type": "array", "items": { "$ref": "#/components/schemas/Note" } },
            "history": { "type": "array", "description": "earlier verdicts that re-verification replaced, oldest first; absent when none",
                "items": { "type": "object", "properties": {
                    "replaced_at": { "type": "string", "format": "date-time" }, "reason": { "type": "string" },
                    "report": { "$ref": "#/components/schemas/Report" } } } } } },
        "SubmissionPage": { "type": "object", "properties": {
            "month": { "type": "string" }, "total": { "type": "integer" },
            "page": { "type": "integer" }, "per_page": { "type": "integer" },
            "items": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" }, "received_at": { "type": "string", "format": "date-time" },
                "file_name": { "type": "string" }, "client": { "type": "string" }, "unit": { "type": "string" },
                "verdict": { "type": "string", "enum": ["valid", "invalid", "indeterminate", "unsigned"] },
                "signing_months": { "type": "array", "items": { "type": "string" } },
                "movable_to": { "type": "string", "description": "the month before, where an administrator may move the file" },
                "credited": { "type": "boolean" },
                "satisfies": { "type": "array", "items": { "$ref": "#/components/schemas/Credit" } },
                "notes": { "type": "array", "items": { "$ref": "#/components/schemas/Note" } } } } } } },
    })
}

/// Chasing the units: what is still missing.
fn chasing_schemas() -> Value {
    json!({
        "Missing": { "type": "object", "description": "a requirement not met yet (còn thiếu)", "properties": {
            "unit": { "type": "string" }, "unit_name": { "type": "string" },
            "requirement": { "type": "string", "enum": ["organisation", "leader"] },
            "leader": { "type": "string" }, "leader_name": { "type": "string" },
            "no_certificate": { "type": "boolean", "description": "no certificate is enrolled for it" },
            "contact": { "type": "object", "properties": { "name": { "type": "string" }, "phone": { "type": "string" }, "email": { "type": "string" } } },
            "movable": { "type": "array", "description": "files of the next month that would meet it if moved to this month",
                "items": { "type": "object", "properties": { "id": { "type": "string" }, "file_name": { "type": "string" } } } } } }
    })
}

/// The Office's figures: closed periods, the report, the tables.
fn office_schemas() -> Value {
    json!({
        "ClosedMark": { "type": "object", "properties": {
            "closed_at": { "type": "string", "format": "date-time" }, "closed_by": { "type": "string" },
            "sha256": { "type": "string" } } },
        "Closed": { "type": "object", "properties": {
            "period": { "type": "string" }, "closed_at": { "type": "string", "format": "date-time" },
            "closed_by": { "type": "string" }, "reason": { "type": "string" }, "sha256": { "type": "string" },
            "snapshot": { "type": "object", "description": "the month table or the Office's report as it stood" } } },
        "Score": { "type": "object", "properties": {
            "required": { "type": "integer" }, "satisfied": { "type": "integer" }, "percent": { "type": "number", "nullable": true, "description": "none while nothing is required yet" },
            "missing": { "type": "array", "items": { "type": "string" } } } },
        "Totals": { "type": "object", "properties": {
            "units": { "type": "integer" }, "organisation_required": { "type": "integer" },
            "organisation_satisfied": { "type": "integer" }, "organisation_percent": { "type": "number" },
            "leader_required": { "type": "integer" }, "leader_satisfied": { "type": "integer" },
            "leader_percent": { "type": "number" } } },
        "OfficeReport": { "type": "object", "properties": {
            "year": { "type": "integer" }, "quarter": { "type": "integer" },
            "months": { "type": "array", "items": { "type": "string" } },
            "counted": { "type": "array", "items": { "type": "string" } },
            "in_progress": { "type": "string", "description": "the current month, shown but not counted" },
            "generated_at": { "type": "string", "format": "date-time" },
            "groups": { "type": "array", "items": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["department", "public_service", "commune"] },
                "label": { "type": "string" },
                "units": { "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" },
                    "organisation": { "$ref": "#/components/schemas/Score" },
                    "leaders": { "type": "array", "items": { "type": "object", "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "title": { "type": "string" },
                        "score": { "$ref": "#/components/schemas/Score" },
                        "person": { "type": "string", "description": "the person holding the post, when the registry names one" } } } } } } },
                "totals": { "$ref": "#/components/schemas/Totals" } } } },
            "town": { "$ref": "#/components/schemas/Totals" },
            "current_month": { "type": "string" },
            "closed": { "$ref": "#/components/schemas/ClosedMark" },
            "adjustments": { "type": "object", "description": "what administrators did to the counted months' figures", "properties": {
                "accepted_late": { "type": "integer" }, "moved": { "type": "integer" }, "corrections": { "type": "integer", "description": "registry corrections of past months made during the period" } } },
            "missing_now": { "type": "array", "items": { "$ref": "#/components/schemas/Missing" } } } },
        "MonthTable": { "type": "object", "properties": {
            "month": { "type": "string" },
            "closed": { "$ref": "#/components/schemas/ClosedMark" },
            "units": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" },
                "organisation": { "type": "object", "properties": {
                    "satisfied": { "type": "boolean" }, "submissions": { "type": "array", "items": { "type": "string" } },
                    "no_certificate": { "type": "boolean", "description": "no certificate is enrolled for it yet" } } },
                "leaders": { "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "title": { "type": "string" },
                    "satisfied": { "type": "boolean" }, "submissions": { "type": "array", "items": { "type": "string" } },
                    "no_certificate": { "type": "boolean" } } } } } } },
            "totals": { "type": "object", "properties": {
                "units": { "type": "integer" }, "organisation_satisfied": { "type": "integer" },
                "leaders": { "type": "integer" }, "leaders_satisfied": { "type": "integer" } } } } },
        "PeriodTable": { "type": "object", "properties": {
            "year": { "type": "integer" }, "quarter": { "type": "integer" },
            "months": { "type": "array", "items": { "type": "string" } },
            "units": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" },
                "organisation": { "$ref": "#/components/schemas/Count" },
                "leaders": { "type": "array", "items": { "allOf": [ { "$ref": "#/components/schemas/Count" },
                    { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "title": { "type": "string" } } } ] } } } } } } },
        "Reminder": { "type": "object", "properties": {
            "at": { "type": "string", "format": "date-time" }, "month": { "type": "string" },
            "unit": { "type": "string" }, "to": { "type": "string" }, "missing": { "type": "integer" },
            "by": { "type": "string", "description": "schedule (the monthly run) or the token that asked" },
            "error": { "type": "string", "description": "why the SMTP server did not take it; absent when it did" } } },
        "Count": { "type": "object", "properties": {
            "required": { "type": "integer" }, "satisfied": { "type": "integer" },
            "missing": { "type": "array", "items": { "type": "string" } } } },
    })
}

/// The registry: units, leaders, unenrolled signers.
fn registry_schemas() -> Value {
    json!({
        "Unit": { "type": "object", "required": ["name", "kind"], "properties": {
            "id": { "type": "string" }, "name": { "type": "string" },
            "kind": { "type": "string", "enum": ["department", "public_service", "commune"] },
            "certificates": { "type": "array", "items": { "type": "string" } },
            "active": { "type": "boolean", "default": true },
            "retired_certificates": { "$ref": "#/components/schemas/Retired" },
            "from": { "type": "string", "example": "2026-11", "description": "first month the unit is required" },
            "to": { "type": "string", "example": "2026-06", "description": "last month (merged, dissolved); earlier months keep their figures" },
            "contact": { "type": "object", "description": "the unit's văn thư (reminders go to the e-mail address)", "properties": {
                "name": { "type": "string" }, "phone": { "type": "string" }, "email": { "type": "string" } } },
            "order": { "type": "integer", "description": "the unit's place in the Office's order of units (the reports' rows follow it)" } } },
        "Retired": { "type": "array", "description": "certificates taken off the record, each counting up to the month it was retired (files it signed before keep their credit)",
            "items": { "type": "object", "properties": { "sha256": { "type": "string" }, "until": { "type": "string", "example": "2026-11" } } } },
        "Leader": { "type": "object", "required": ["name", "title", "unit", "from"], "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "title": { "type": "string" },
            "unit": { "type": "string" }, "from": { "type": "string", "example": "2026-01" },
            "to": { "type": "string", "example": "2026-12" },
            "retired_certificates": { "$ref": "#/components/schemas/Retired" },
            "certificates": { "type": "array", "items": { "type": "string" } } } },
        "Unenrolled": { "type": "object", "properties": {
            "sha256": { "type": "string" }, "subject": { "type": "string" }, "issuer": { "type": "string" },
            "submissions": { "type": "array", "items": { "type": "string" } } } },
    })
}
