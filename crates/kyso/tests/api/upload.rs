use crate::helpers::*;

#[derive(serde::Deserialize)]
struct Expected {
    file: Vec<Entry>,
}
#[derive(serde::Deserialize)]
struct Entry {
    name: String,
    verdict: String,
}

fn table() -> Vec<Entry> {
    let text = std::fs::read_to_string(root().join("fixtures/expected.toml")).unwrap();
    toml::from_str::<Expected>(&text).unwrap().file
}

#[test]
fn every_fixture_by_both_body_forms_with_dedupe() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let mut stored = 0;
    for (i, e) in table().iter().enumerate() {
        let pdf = fixture(&e.name);
        // Alternate which form goes first; the second form sends the same bytes again.
        let (first, second) = if i % 2 == 0 {
            (app.upload_multipart(&pdf, None), app.upload_raw(&pdf))
        } else {
            (app.upload_raw(&pdf), app.upload_multipart(&pdf, None))
        };
        if let Some(code) = e.verdict.strip_prefix("error:") {
            assert_eq!(first.status, 422, "{}: {}", e.name, first.text());
            assert_eq!(first.json()["code"], code, "{}", e.name);
            assert_eq!(second.status, 422, "{}", e.name);
            continue;
        }
        assert_eq!(first.status, 201, "{}: {}", e.name, first.text());
        let r = first.json();
        assert_eq!(r["report"]["verdict"], e.verdict.as_str(), "{}", e.name);
        let id = r["id"].as_str().unwrap().to_string();
        assert_eq!(id, hex::encode(kyso_verify::pki::crypto::sha256(&pdf)));
        // The service validates at the receipt time and says so.
        assert_eq!(
            r["report"]["validation_time"], r["received_at"],
            "{}",
            e.name
        );
        assert_eq!(second.status, 200, "{}: the same bytes again", e.name);
        assert_eq!(second.json()["id"], id.as_str());
        assert_eq!(
            second.json()["received_at"],
            r["received_at"],
            "{}: the first receipt is kept",
            e.name
        );
        let back = app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
        assert_eq!(back.status, 200);
        assert_eq!(back.body, pdf, "{}: original bytes", e.name);
        assert_eq!(back.content_type, "application/pdf");
        stored += 1;
    }
    // Counted once each.
    let h = app.get("/healthz", Some(READ)).json();
    assert_eq!(h["submissions"], stored);
}

#[test]
fn receipt_names_what_was_satisfied_and_why_not() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let r = app
        .upload_multipart(
            &fixture("pyhanko-org-then-leader.pdf"),
            Some("ubnd-huong-xuan"),
        )
        .json();
    let sat = r["satisfies"].as_array().unwrap();
    assert_eq!(sat.len(), 2, "{r}");
    assert!(sat.contains(&serde_json::json!({"unit": "ubnd-huong-xuan", "month": "2026-03", "requirement": "organisation"})));
    assert!(sat.contains(&serde_json::json!({"unit": "ubnd-huong-xuan", "month": "2026-03", "requirement": "leader", "leader": "nguyen-van-an"})));
    assert_eq!(r["unit"], "ubnd-huong-xuan");
    // The same leader's requirement for March met again by another file.
    let r2 = app.upload_raw(&fixture("pyhanko-leader-pkcs7.pdf")).json();
    let codes: Vec<_> = r2["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"requirement_already_met".to_string()),
        "{codes:?}"
    );
    // Another file by the same leader (SHA-384, chain embedded) credits the same requirement.
    let r3 = app.upload_raw(&fixture("pyhanko-sha384-chain.pdf"));
    assert_eq!(r3.status, 201);
    let r3 = r3.json();
    assert_eq!(r3["report"]["verdict"], "valid");
    assert_eq!(r3["satisfies"][0]["leader"], "nguyen-van-an");
    // An invalid signature says why, in the notes.
    let r4 = app
        .upload_raw(&fixture("openssl-tampered-content.pdf"))
        .json();
    assert_eq!(r4["report"]["verdict"], "invalid");
    assert!(r4["satisfies"].as_array().unwrap().is_empty());
    assert_eq!(r4["notes"][0]["code"], "signature_not_valid");
    // A unit hint that does not match what the signature belongs to.
    let r5 = app
        .upload_multipart(&fixture("openssl-org-detached.pdf"), Some("phong-noi-vu"))
        .json();
    let codes: Vec<_> = r5["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"unit_mismatch".to_string()), "{codes:?}");
}

#[test]
fn rejected_requests_get_typed_errors_and_leave_nothing_behind() {
    let app = spawn_app_with(None, 20_000, "");
    let not_pdf = app.upload_raw(b"hello, this is not a PDF");
    assert_eq!(not_pdf.status, 422);
    assert_eq!(not_pdf.json()["code"], "not_pdf");
    let empty = app.upload_raw(b"");
    assert_eq!(empty.status, 400);
    let wrong_type = app.post(Some(SUBMIT), "text/plain", b"%PDF-1.7");
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.json()["code"], "unsupported_media_type");
    let too_big = app.upload_raw(&vec![b'x'; 30_000]);
    assert_eq!(too_big.status, 413);
    assert_eq!(too_big.json()["code"], "payload_too_large");
    let garbage = app.post(
        Some(SUBMIT),
        "multipart/form-data; boundary=zzz",
        b"--zzz\r\nnonsense",
    );
    assert_eq!(garbage.status, 400, "{}", garbage.text());
    let (ct, body) = multipart(b"%PDF-1.7", None);
    let body = String::from_utf8_lossy(&body)
        .replace("name=\"file\"", "name=\"other\"")
        .into_bytes();
    let no_file = app.post(Some(SUBMIT), &ct, &body);
    assert_eq!(no_file.status, 400, "{}", no_file.text());
    let unknown = app.get(
        &format!("/api/v1/submissions/{}", "0".repeat(64)),
        Some(READ),
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "not_found");
    // The service is still up and nothing half-written remains.
    assert_eq!(app.get("/healthz", None).status, 200);
    assert_eq!(
        std::fs::read_dir(app.data_dir().join("tmp"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(app.stored_count(), 0);
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_reading() {
    use std::io::{Read, Write};
    let app = spawn_app_with(None, 20_000, "");
    let addr = app.addr.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SUBMIT}\r\nContent-Type: application/pdf\r\nContent-Length: 2147483648\r\n\r\n%PDF-1.7\n"
    )
    .unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert_eq!(app.get("/healthz", None).status, 200);
}

#[test]
fn openapi_describes_every_route_and_healthz_reports_the_trust_store() {
    let app = spawn_app(None);
    let doc = app.get("/api/openapi.json", None).json();
    assert_eq!(doc["openapi"], "3.0.3");
    for p in [
        "/api/v1/submissions",
        "/api/v1/submissions/{id}",
        "/api/v1/submissions/{id}/pdf",
        "/api/v1/compliance/{month}",
        "/api/v1/compliance",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/leaders/{id}",
        "/api/v1/signers/unenrolled",
        "/healthz",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    let h = app.get("/healthz", Some(READ)).json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["anchors"], 1);
    assert_eq!(h["crls"], 2);
}

/// Without anchors the service does not start, and says what to do.
#[test]
fn without_anchors_it_refuses_to_start_and_says_why() {
    let dir = std::env::temp_dir().join(format!("kyso-no-anchors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("serve")
        .current_dir(&dir)
        .env_remove("KYSO_CONFIG")
        .env_remove("KYSO_ALLOW_NO_ANCHORS")
        .env("KYSO_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("no trust anchors")
            && e.contains("certs/bcy (does not exist)")
            && e.contains("--allow-no-anchors"),
        "{e}"
    );
}

/// With `--allow-no-anchors` (a trial) and no configuration, it starts and warns loudly.
#[test]
fn with_no_configuration_at_all_it_starts_and_warns_loudly() {
    let dir = std::env::temp_dir().join(format!("kyso-bare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["serve", "--allow-no-anchors"])
        .current_dir(&dir)
        .env_remove("KYSO_CONFIG")
        .env("KYSO_BIND", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(dir.join("log")).unwrap())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child);
    let h: serde_json::Value = ureq::get(&format!("{url}/healthz"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    // Readiness says why it is not ready, to anyone (the details of /healthz need a token).
    let ready: serde_json::Value = match ureq::get(&format!("{url}/readyz")).call() {
        Err(ureq::Error::Status(503, r)) => r.into_json().unwrap(),
        other => panic!("not ready without anchors: {other:?}"),
    };
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(h["status"], "ok");
    assert!(
        h.get("warnings").is_none(),
        "the details are for a token: {h}"
    );
    assert_eq!(ready["anchors"], 0);
    assert!(
        ready["reasons"].to_string().contains("no_trust_anchors"),
        "{ready}"
    );
    assert!(log.contains("no API tokens configured"), "{log}");
    assert!(
        log.contains("no trust anchors installed") && log.contains("WARN"),
        "{log}"
    );
}

#[test]
fn truncated_and_stalled_uploads_end_cleanly() {
    use std::io::{Read, Write};
    let app = spawn_app_with(None, 1_000_000, "upload_idle_timeout_secs = 1");
    let addr = app.addr.trim_start_matches("http://").to_string();
    let pdf = fixture("pyhanko-org-pades.pdf");
    let head = |len: usize| {
        format!(
            "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SUBMIT}\r\nContent-Type: application/pdf\r\nContent-Length: {len}\r\n\r\n"
        )
    };
    // Truncated: the client promises the whole file, sends half and goes away.
    {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(head(pdf.len()).as_bytes()).unwrap();
        s.write_all(&pdf[..pdf.len() / 2]).unwrap();
        s.shutdown(std::net::Shutdown::Both).unwrap();
    }
    // Stalled: the client sends part of the body and then nothing: 408 after the idle timeout.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(head(pdf.len()).as_bytes()).unwrap();
    s.write_all(&pdf[..1000]).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).unwrap();
    let reply = String::from_utf8_lossy(&buf[..n]);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("request_timeout"), "{reply}");
    // The service is up, stored nothing, and left no temporary file.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(app.get("/healthz", Some(READ)).json()["submissions"], 0);
    assert_eq!(
        std::fs::read_dir(app.data_dir().join("tmp"))
            .unwrap()
            .count(),
        0
    );
    // ... and still takes a whole file.
    assert_eq!(app.upload_raw(&pdf).status, 201);
}
