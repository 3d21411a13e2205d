//! Online revocation (RFC 6960) against a real responder: `openssl ocsp -port` on 127.0.0.1,
//! over a PKI the test makes with openssl. Good, revoked, unknown, unreachable and forged
//! answers, through `kyso cert verify --ocsp` (the engine signatures use).

#[path = "common/ocsp_pki.rs"]
mod ocsp_pki;

use ocsp_pki::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn cert_verify(dir: &Path, cert: &str, ocsp: bool) -> serde_json::Value {
    let mut args = vec![
        "cert",
        "verify",
        "--trust",
        "root.pem",
        "--require-revocation",
        "--json",
    ];
    if ocsp {
        args.push("--ocsp");
    }
    args.push(cert);
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(&args)
        .current_dir(dir)
        .env_remove("KYSO_CONFIG")
        // The test's responder is on 127.0.0.1.
        .env("KYSO_FETCH_PRIVATE_ADDRESSES", "1")
        .output()
        .unwrap();
    eprintln!("{cert}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ocsp_answers_good_revoked_unknown_unreachable_and_forged() {
    let Some(dir) = setup("cert") else { return };
    // The root, and a forger: a self-signed certificate with the same name, its own key.
    roots(&dir);
    let (port, forged_port, dead_port) = (free_port(), free_port(), free_port());
    let good = leaf(&dir, "good", port);
    let revoked = leaf(&dir, "revoked", port);
    leaf(&dir, "unknown", port);
    let forged = leaf(&dir, "forged", forged_port);
    leaf(&dir, "unreachable", dead_port);
    index(
        &dir,
        &[
            (&good, false, "good"),
            (&revoked, true, "revoked"),
            (&forged, false, "forged"),
        ],
    );
    let _honest = responder(&dir, port, "root.pem", "root.key");
    let _forger = responder(&dir, forged_port, "forger.pem", "forger.key");

    let v = cert_verify(&dir, "good.pem", true);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v}");
    let v = cert_verify(&dir, "good.pem", false);
    assert_eq!(
        codes(&v),
        ["revocation_unknown"],
        "offline unless asked: {v}"
    );
    let v = cert_verify(&dir, "revoked.pem", true);
    assert!(
        codes(&v).contains(&"certificate_revoked".to_string()),
        "{v}"
    );
    assert_ne!(v["indication"], "TOTAL_PASSED");
    for (cert, what) in [
        ("unknown.pem", "unknown"),
        ("unreachable.pem", "unreachable"),
        ("forged.pem", "forged"),
    ] {
        let started = Instant::now();
        let v = cert_verify(&dir, cert, true);
        assert_eq!(codes(&v), ["revocation_unknown"], "{what}: {v}");
        assert_eq!(v["indication"], "INDETERMINATE", "{what}: {v}");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{what}: bounded time"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
