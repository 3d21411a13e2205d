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

/// `kyso verify --ocsp --json` on the PDF `name.pdf` of `dir`, trusting `root.pem`.
fn pdf_verify(dir: &Path, name: &str) -> serde_json::Value {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, signed_pdf(dir, name)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--trust", "root.pem", "--ocsp", "--json"])
        .arg(&path)
        .current_dir(dir)
        .env_remove("KYSO_CONFIG")
        .env("KYSO_FETCH_PRIVATE_ADDRESSES", "1")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A responder the CA delegated (RFC 6960 §4.2.2.2: id-kp-OCSPSigning, issued by the CA,
/// `openssl ocsp -rsigner`) is believed: a revoked signer's signature fails. A "responder"
/// without the EKU, or one another CA of the same name issued, is not: its "revoked" leaves
/// the revocation unknown.
#[test]
fn a_delegated_responder_is_believed_and_an_unauthorised_one_is_not() {
    let Some(dir) = setup("delegated") else {
        return;
    };
    roots(&dir);
    let (port, no_eku_port, other_port) = (free_port(), free_port(), free_port());
    let good = leaf(&dir, "good", port);
    let revoked = leaf(&dir, "revoked", port);
    let no_eku = leaf(&dir, "revoked-no-eku", no_eku_port);
    let other = leaf(&dir, "revoked-other-ca", other_port);
    index(
        &dir,
        &[
            (&good, false, "good"),
            (&revoked, true, "revoked"),
            (&no_eku, true, "revoked-no-eku"),
            (&other, true, "revoked-other-ca"),
        ],
    );
    responder_cert(&dir, "delegated", "root", true, true);
    responder_cert(&dir, "no-eku", "root", false, false);
    responder_cert(&dir, "other-ca", "forger", true, true);
    let _delegated = responder(&dir, port, "delegated.pem", "delegated.key");
    let _no_eku = responder(&dir, no_eku_port, "no-eku.pem", "no-eku.key");
    let _other = responder(&dir, other_port, "other-ca.pem", "other-ca.key");

    let v = cert_verify(&dir, "good.pem", true);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v}");
    let v = cert_verify(&dir, "revoked.pem", true);
    assert!(
        codes(&v).contains(&"certificate_revoked".to_string()),
        "{v}"
    );
    let v = pdf_verify(&dir, "good");
    assert_eq!(v["verdict"], "valid", "{v}");
    let v = pdf_verify(&dir, "revoked");
    assert_eq!(v["verdict"], "invalid", "{v}");
    assert_eq!(v["signatures"][0]["indication"], "TOTAL_FAILED", "{v}");
    assert_eq!(v["signatures"][0]["sub_indication"], "REVOKED", "{v}");
    for name in ["revoked-no-eku", "revoked-other-ca"] {
        let v = cert_verify(&dir, &format!("{name}.pem"), true);
        assert_eq!(codes(&v), ["revocation_unknown"], "{name}: {v}");
        assert_eq!(v["indication"], "INDETERMINATE", "{name}: {v}");
        let v = pdf_verify(&dir, name);
        let problems = v["signatures"][0]["problems"].to_string();
        assert!(problems.contains("revocation_unknown"), "{name}: {v}");
        assert!(!problems.contains("certificate_revoked"), "{name}: {v}");
        assert_ne!(
            v["signatures"][0]["sub_indication"], "REVOKED",
            "{name}: {v}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
