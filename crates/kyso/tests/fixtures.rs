//! Every fixture against its expected verdict, through the library and through `kyso verify`.

mod common;

use common::*;
use kyso_verify::report::{Indication, Verdict};
use kyso_verify::verify::{verify, Options};
use serde_json::Value;

fn plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn every_fixture_matches_the_expected_table() {
    let store = store();
    let at = validation_time();
    let mut checked = 0;
    for e in expected().file {
        let bytes = std::fs::read(fixture(&e.name)).unwrap();
        let result = verify(&bytes, &store, &Options::default(), at);
        if let Some(code) = e.verdict.strip_prefix("error:") {
            let err = result.expect_err(&e.name);
            assert_eq!(err.code(), code, "{}", e.name);
            checked += 1;
            continue;
        }
        let r = result.unwrap_or_else(|err| panic!("{}: {err}", e.name));
        assert_eq!(
            plain(&r.verdict),
            e.verdict,
            "{}: {:#?}",
            e.name,
            r.signatures
        );
        assert_eq!(r.signatures.len(), e.signatures, "{}", e.name);
        let first_bad = r
            .signatures
            .iter()
            .find(|s| s.indication != Indication::TotalPassed);
        let sub = first_bad
            .and_then(|s| s.sub_indication)
            .map(|s| plain(&s))
            .unwrap_or_default();
        assert_eq!(sub, e.sub_indication, "{}: {:#?}", e.name, r.signatures);
        if !e.problem.is_empty() {
            let codes: Vec<_> = r
                .signatures
                .iter()
                .flat_map(|s| s.problems.iter().map(|p| p.code.as_str().to_string()))
                .collect();
            assert!(codes.contains(&e.problem), "{}: {codes:?}", e.name);
        }
        if !e.modifications.is_empty() {
            let m: Vec<_> = r
                .signatures
                .iter()
                .map(|s| plain(&s.modifications_after))
                .collect();
            assert_eq!(m, e.modifications, "{}", e.name);
        }
        // Every failed or indeterminate signature says why.
        for s in &r.signatures {
            if s.indication != Indication::TotalPassed {
                assert!(
                    !s.problems.is_empty(),
                    "{}: a non-passed signature without a reason",
                    e.name
                );
                assert!(s.sub_indication.is_some(), "{}", e.name);
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} fixtures checked");
}

#[test]
fn every_fixture_file_is_in_the_table() {
    let names: Vec<String> = expected().file.into_iter().map(|f| f.name).collect();
    for entry in std::fs::read_dir(root().join("fixtures/pdf")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(&name), "{name} has no expected verdict");
    }
}

#[test]
fn cli_json_matches_the_expected_table() {
    let exp = expected();
    for e in &exp.file {
        let out = kyso()
            .arg("verify")
            .args(trust_args())
            .args(["--at", &exp.validation_time, "--json"])
            .arg(fixture(&e.name))
            .output()
            .unwrap();
        let line: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|err| panic!("{}: {err}", e.name));
        let code = out.status.code().unwrap();
        if let Some(c) = e.verdict.strip_prefix("error:") {
            assert_eq!(code, 2, "{}", e.name);
            assert_eq!(line["error"]["code"], c, "{}", e.name);
            assert!(line["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
            continue;
        }
        assert_eq!(line["verdict"], e.verdict.as_str(), "{}", e.name);
        assert_eq!(code, if e.verdict == "valid" { 0 } else { 1 }, "{}", e.name);
    }
}

#[test]
fn report_follows_the_json_contract() {
    let out = kyso()
        .arg("verify")
        .args(trust_args())
        .args(["--at", "2026-12-01T00:00:00Z", "--json"])
        .arg(fixture("pyhanko-org-then-leader.pdf"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["schema"], 1);
    assert_eq!(r["document"]["revisions"], 3);
    assert_eq!(r["document"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(r["validation_time"], "2026-12-01T00:00:00Z");
    let s = &r["signatures"][0];
    assert_eq!(s["field"], "ChuKyCoQuan");
    assert_eq!(s["kind"], "signature");
    assert_eq!(s["sub_filter"], "ETSI.CAdES.detached");
    assert_eq!(s["indication"], "TOTAL_PASSED");
    assert!(s["sub_indication"].is_null());
    assert_eq!(
        s["signer"]["subject"],
        "CN=UBND phường Hương Xuân,O=UBND thị xã Hương Trà,L=Thừa Thiên Huế,C=VN"
    );
    assert_eq!(s["chain"].as_array().unwrap().len(), 3);
    // pyHanko's signing time was frozen at 10/03/2026 09:00 Vietnam time; PAdES puts the
    // claimed time in /M (a CAdES signingTime attribute is not allowed there).
    assert_eq!(s["signing_time"], "2026-03-10T02:00:00Z");
    assert_eq!(s["signing_time_source"], "pdf_m");
    assert_eq!(s["coverage"], "entire_revision");
    assert_eq!(s["modifications_after"], "permitted");
    assert_eq!(s["level"], "B-B");
    assert_eq!(r["signatures"][1]["coverage"], "entire_file");
    // The chain is the signer, the issuing CA, the root, by certificate SHA-256.
    let root_sha = kyso::trust::files::load_certs(&pki("root.pem")).unwrap()[0].sha256_hex();
    assert_eq!(s["chain"][2], root_sha.as_str());
    assert_eq!(s["signer"]["sha256"], s["chain"][0]);
}

#[test]
fn signing_time_falls_back_to_pdf_m_without_signed_attributes() {
    let r = verify(
        &std::fs::read(fixture("openssl-leader-noattr.pdf")).unwrap(),
        &store(),
        &Options::default(),
        validation_time(),
    )
    .unwrap();
    assert_eq!(
        r.signatures[0]
            .signing_time
            .map(kyso_verify::report::wire_time::format)
            .as_deref(),
        Some("2026-03-10T02:00:00Z")
    );
    assert_eq!(plain(&r.signatures[0].signing_time_source), "pdf_m");
}

#[test]
fn signing_time_comes_from_the_signed_attribute_when_present() {
    // pyHanko's adbe.pkcs7.detached carries signingTime: 31/03/2026 23:30 Vietnam time.
    let r = verify(
        &std::fs::read(fixture("pyhanko-leader-pkcs7.pdf")).unwrap(),
        &store(),
        &Options::default(),
        validation_time(),
    )
    .unwrap();
    assert_eq!(
        r.signatures[0]
            .signing_time
            .map(kyso_verify::report::wire_time::format)
            .as_deref(),
        Some("2026-03-31T16:30:00Z")
    );
    assert_eq!(
        plain(&r.signatures[0].signing_time_source),
        "signed_attribute"
    );
}

#[test]
fn the_signers_own_certificate_can_be_the_anchor() {
    let out = kyso()
        .args([
            "verify",
            "--at",
            "2026-12-01T00:00:00Z",
            "--json",
            "--trust",
        ])
        .arg(pki("leaf-org.pem"))
        .arg(fixture("openssl-org-detached.pdf"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "valid", "{r}");
    assert_eq!(r["signatures"][0]["chain"].as_array().unwrap().len(), 1);
    assert_eq!(out.status.code(), Some(0));
    // ... and a different anchor does not make it valid.
    let out = kyso()
        .args([
            "verify",
            "--at",
            "2026-12-01T00:00:00Z",
            "--json",
            "--trust",
        ])
        .arg(pki("leaf-leader.pem"))
        .arg(fixture("openssl-org-detached.pdf"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["signatures"][0]["sub_indication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
}

#[test]
fn sha1_is_refused_by_default_and_accepted_by_the_policy_switch() {
    for name in ["pyhanko-sha1.pdf", "openssl-org-pkcs7-sha1.pdf"] {
        let run = |extra: &[&str]| -> Value {
            let out = kyso()
                .arg("verify")
                .args(trust_args())
                .args(["--at", "2026-12-01T00:00:00Z", "--json"])
                .args(extra)
                .arg(fixture(name))
                .output()
                .unwrap();
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let refused = run(&[]);
        let msg = refused["signatures"][0]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(msg.contains("--allow-sha1-signatures"), "{msg}");
        assert_eq!(
            run(&["--allow-sha1-signatures"])["verdict"],
            "valid",
            "{name}"
        );
    }
}

#[test]
fn missing_crls_are_reported_and_fail_only_under_the_policy_switch() {
    let base = [
        "verify",
        "--at",
        "2026-12-01T00:00:00Z",
        "--json",
        "--trust",
        &pki("root.pem").display().to_string(),
        "--intermediates",
        &pki("issuing-ca.pem").display().to_string(),
    ]
    .map(String::from);
    let f = fixture("pyhanko-org-pades.pdf");
    let out = kyso().args(&base).arg(&f).output().unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "valid");
    let codes: Vec<_> = r["signatures"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].clone())
        .collect();
    assert_eq!(codes, vec!["revocation_unknown", "revocation_unknown"]);
    let out = kyso()
        .args(&base)
        .arg("--require-revocation")
        .arg(&f)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "indeterminate");
    assert_eq!(r["signatures"][0]["sub_indication"], "TRY_LATER");
    // The revoked certificate is only caught with the CRL installed.
    let out = kyso()
        .args(&base)
        .arg(fixture("pyhanko-revoked.pdf"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "valid");
}

#[test]
fn revocation_after_the_validation_time_does_not_count() {
    // The CRL revokes the certificate on 01/02/2026; validating at 15/01/2026 precedes it.
    let r = verify(
        &std::fs::read(fixture("pyhanko-revoked.pdf")).unwrap(),
        &store(),
        &Options::default(),
        time::macros::datetime!(2026-01-20 00:00 UTC),
    )
    .unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{:#?}", r.signatures);
}

#[test]
fn several_files_give_one_json_line_each_and_the_worst_exit_status() {
    let out = kyso()
        .arg("verify")
        .args(trust_args())
        .args(["--at", "2026-12-01T00:00:00Z", "--json"])
        .arg(fixture("pyhanko-org-pades.pdf"))
        .arg(fixture("openssl-tampered-content.pdf"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["verdict"], "valid");
    assert_eq!(lines[1]["verdict"], "invalid");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cli_exit_status_2_for_unusable_input_and_arguments() {
    let dir = std::env::temp_dir().join(format!("kyso-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pdf = dir.join("note.txt");
    std::fs::write(&not_pdf, b"hello, not a pdf").unwrap();
    let out = kyso()
        .arg("verify")
        .args(trust_args())
        .arg("--json")
        .arg(&not_pdf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_pdf");
    let out = kyso()
        .arg("verify")
        .args(trust_args())
        .arg("--json")
        .arg(dir.join("missing.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = kyso()
        .args(["verify", "--at", "yesterday"])
        .arg(fixture("unsigned.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = kyso().args(["verify", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = kyso()
        .args(["verify", "--trust"])
        .arg(dir.join("nothing-here.pem"))
        .arg(fixture("unsigned.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing-here.pem"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn readable_output_names_signer_time_verdict_and_reasons() {
    let out = kyso()
        .arg("verify")
        .args(trust_args())
        .args(["--at", "2026-12-01T00:00:00Z"])
        .arg(fixture("pyhanko-revoked.pdf"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("INVALID (không hợp lệ)"), "{text}");
    assert!(
        text.contains("signer:   CN=Phó Chủ tịch Phạm Thị Dung (đã thu hồi)"),
        "{text}"
    );
    assert!(
        text.contains("time:     2026-03-10T02:00:00Z (pdf_m)"),
        "{text}"
    );
    assert!(text.contains("TOTAL_FAILED / REVOKED"), "{text}");
    assert!(text.contains("revoked on 01/02/2026"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_certificate_impersonating_a_pinned_bcy_ca_is_refused() {
    let err = kyso::trust::files::load_certs(&pki("fake-bcy-g2-root.pem")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("does not match the pinned"), "{msg}");
    let out = kyso()
        .args(["verify", "--trust"])
        .arg(pki("fake-bcy-g2-root.pem"))
        .arg(fixture("unsigned.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn verify_fixture(name: &str, at: time::OffsetDateTime) -> kyso_verify::report::Report {
    verify(
        &std::fs::read(fixture(name)).unwrap(),
        &store(),
        &Options::default(),
        at,
    )
    .unwrap()
}

#[test]
fn timestamps_give_the_trusted_signing_time_and_the_pades_level() {
    let at = validation_time();
    let bt = verify_fixture("pyhanko-b-t.pdf", at);
    let s = &bt.signatures[0];
    // pyHanko's TSA stamped 10/03/2026 09:05 Vietnam time; /M claims 09:00.
    assert_eq!(
        s.signing_time
            .map(kyso_verify::report::wire_time::format)
            .as_deref(),
        Some("2026-03-10T02:05:00Z")
    );
    assert_eq!(plain(&s.signing_time_source), "timestamp");
    assert_eq!(s.level.map(|l| l.as_str()), Some("B-T"));
    // A broken token is named, and the time falls back to the signer's claim.
    for (name, why) in [
        ("pyhanko-b-t-bad-imprint.pdf", "message imprint"),
        ("pyhanko-b-t-tsa-no-eku.pdf", "timeStamping"),
    ] {
        let r = verify_fixture(name, at);
        let s = &r.signatures[0];
        assert_eq!(plain(&s.signing_time_source), "pdf_m", "{name}");
        assert_eq!(s.level.map(|l| l.as_str()), Some("B-B"), "{name}");
        let p = s
            .problems
            .iter()
            .find(|p| p.code.as_str() == "timestamp_invalid")
            .unwrap();
        assert!(p.message.contains(why), "{name}: {}", p.message);
    }
    let dts = verify_fixture("pyhanko-doc-timestamp.pdf", at);
    assert_eq!(plain(&dts.signatures[1].kind), "document_timestamp");
    assert_eq!(dts.signatures[1].indication, Indication::TotalPassed);
    assert_eq!(
        dts.signatures[1].signer.as_ref().unwrap().subject,
        "CN=Kyso Test TSA,O=Ban Cơ yếu Chính phủ (TEST),C=VN"
    );
    assert_eq!(dts.signatures[0].level.map(|l| l.as_str()), Some("B-T"));
    let lta = verify_fixture("pyhanko-b-lta.pdf", at);
    assert_eq!(lta.signatures[0].level.map(|l| l.as_str()), Some("B-LTA"));
    assert_eq!(lta.verdict, Verdict::Valid);
}

#[test]
fn a_timestamp_is_proof_of_existence_after_the_certificate_expires() {
    // The organisation's certificate expires on 31/12/2040; validate in 2041.
    let later = time::macros::datetime!(2041-06-01 00:00 UTC);
    let timestamped = verify_fixture("pyhanko-b-t.pdf", later);
    assert_eq!(
        timestamped.verdict,
        Verdict::Valid,
        "{:#?}",
        timestamped.signatures
    );
    let claimed_only = verify_fixture("pyhanko-org-pades.pdf", later);
    assert_eq!(
        claimed_only.signatures[0]
            .sub_indication
            .map(|s| plain(&s))
            .as_deref(),
        Some("OUT_OF_BOUNDS_NO_POE")
    );
}

#[test]
fn a_token_lost_in_march_keeps_february_and_loses_march() {
    let newer = kyso::trust::files::load(
        &[pki("root.pem")],
        &[pki("issuing-ca.pem")],
        &[pki("issuing-ca-2026-03.crl"), pki("root.crl")],
    )
    .unwrap();
    let check = |name: &str| {
        verify(
            &std::fs::read(fixture(name)).unwrap(),
            &newer,
            &Options::default(),
            validation_time(),
        )
        .unwrap()
    };
    let feb = check("pyhanko-lost-token-feb.pdf");
    assert_eq!(feb.verdict, Verdict::Valid, "{:#?}", feb.signatures);
    let mar = check("pyhanko-lost-token-mar.pdf");
    assert_eq!(mar.verdict, Verdict::Invalid);
    assert_eq!(
        mar.signatures[0]
            .sub_indication
            .map(|s| plain(&s))
            .as_deref(),
        Some("REVOKED")
    );
    assert!(mar.signatures[0]
        .problems
        .iter()
        .any(|p| p.message.contains("15/03/2026")));
    // A CRL with the issuing CA's name but signed by another key is not used.
    let forged = kyso::trust::files::load(
        &[pki("root.pem")],
        &[pki("issuing-ca.pem")],
        &[pki("issuing-ca-forged.crl"), pki("root.crl")],
    )
    .unwrap();
    let r = verify(
        &std::fs::read(fixture("pyhanko-revoked.pdf")).unwrap(),
        &forged,
        &Options::default(),
        validation_time(),
    )
    .unwrap();
    assert!(
        r.signatures[0]
            .problems
            .iter()
            .any(|p| p.code.as_str() == "revocation_unknown"),
        "{:#?}",
        r.signatures[0].problems
    );
}

#[test]
fn crls_embedded_in_the_document_are_used_for_revocation() {
    // No configured CRLs: only what the file carries.
    let bare = kyso::trust::files::load(&[pki("root.pem")], &[pki("issuing-ca.pem")], &[]).unwrap();
    let unknown = |name: &str| -> Vec<String> {
        let r = verify(
            &std::fs::read(fixture(name)).unwrap(),
            &bare,
            &Options::default(),
            validation_time(),
        )
        .unwrap();
        r.signatures[0]
            .problems
            .iter()
            .filter(|p| p.code.as_str() == "revocation_unknown")
            .map(|p| p.message.clone())
            .collect()
    };
    // B-T carries no CRL: neither the signer's nor the CA's revocation is known.
    assert_eq!(unknown("pyhanko-b-t.pdf").len(), 2);
    // B-LTA's /DSS holds the issuing CA's CRL: the signer's revocation is checked from it.
    let lta = unknown("pyhanko-b-lta.pdf");
    assert_eq!(lta.len(), 1, "{lta:?}");
    assert!(lta[0].contains("Kyso Test RootCA"), "{lta:?}");
}

#[test]
fn ocsp_responses_in_the_document_answer_for_revocation() {
    let bare = kyso::trust::files::load(&[pki("root.pem")], &[pki("issuing-ca.pem")], &[]).unwrap();
    let r = verify(
        &std::fs::read(fixture("pyhanko-b-lt-ocsp.pdf")).unwrap(),
        &bare,
        &Options::default(),
        validation_time(),
    )
    .unwrap();
    let s = &r.signatures[0];
    assert_eq!(s.level.map(|l| l.as_str()), Some("B-LT"));
    let unknown: Vec<_> = s
        .problems
        .iter()
        .filter(|p| p.code.as_str() == "revocation_unknown")
        .collect();
    // Only the CA's own revocation (by the root) stays unknown; the signer's is OCSP's "good".
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].message.contains("Kyso Test RootCA"));
    // The response is about the organisation's certificate only, and only with its signature.
    let der = std::fs::read(pki("ocsp-org-good.der")).unwrap();
    let resp = kyso_verify::pki::ocsp::parse(&der).unwrap();
    let cert = |n: &str| kyso::trust::files::load_certs(&pki(n)).unwrap().remove(0);
    let (org, ca, leader) = (
        cert("leaf-org.pem"),
        cert("issuing-ca.pem"),
        cert("leaf-leader.pem"),
    );
    assert_eq!(
        resp.status_of(&org, &ca).map(|r| r.status.clone()),
        Some(kyso_verify::pki::ocsp::CertStatus::Good)
    );
    assert!(resp.status_of(&leader, &ca).is_none());
    let mut forged = resp.clone();
    let last = forged.signed.signature.len() - 1;
    forged.signed.signature[last] ^= 1;
    assert!(
        forged.status_of(&org, &ca).is_none(),
        "a response whose signature fails is not used"
    );
    assert!(kyso_verify::pki::ocsp::parse(&der[..der.len() / 2]).is_err());
}

#[test]
fn an_outdated_crl_is_reported_and_the_policy_decides() {
    let store = kyso::trust::files::load(
        &[pki("root.pem")],
        &[pki("issuing-ca.pem")],
        &[pki("issuing-ca-expired.crl"), pki("root.crl")],
    )
    .unwrap();
    let bytes = std::fs::read(fixture("pyhanko-org-pades.pdf")).unwrap();
    let r = verify(&bytes, &store, &Options::default(), validation_time()).unwrap();
    assert_eq!(r.verdict, Verdict::Valid);
    let p = r.signatures[0]
        .problems
        .iter()
        .find(|p| p.code.as_str() == "crl_outdated")
        .unwrap();
    assert!(p.message.contains("20/02/2026"), "{}", p.message);
    let strict = Options {
        policy: kyso_verify::pki::Policy {
            require_revocation: true,
            ..Default::default()
        },
        ..Options::default()
    };
    let r = verify(&bytes, &store, &strict, validation_time()).unwrap();
    assert_eq!(r.verdict, Verdict::Indeterminate);
    assert_eq!(
        r.signatures[0].sub_indication.map(|s| plain(&s)).as_deref(),
        Some("TRY_LATER")
    );
}

#[test]
fn a_b_lt_file_with_crl_and_ocsp_checks_revocation_from_them() {
    let bare = kyso::trust::files::load(&[pki("root.pem")], &[pki("issuing-ca.pem")], &[]).unwrap();
    let r = verify(
        &std::fs::read(fixture("pyhanko-b-lt-crl-ocsp.pdf")).unwrap(),
        &bare,
        &Options::default(),
        validation_time(),
    )
    .unwrap();
    let s = &r.signatures[0];
    assert_eq!(s.level.map(|l| l.as_str()), Some("B-LT"));
    assert_eq!(
        s.problems
            .iter()
            .filter(|p| p.code.as_str() == "revocation_unknown")
            .count(),
        1,
        "{:?}",
        s.problems
    );
}

/// The Office's tables credit a month from each file's crediting facts (kept in the month
/// index), not from its full record: for every fixture, under a registry that enrols every
/// signer, the facts earn exactly what the record earns.
#[test]
fn crediting_facts_earn_what_the_full_record_earns() {
    use kyso::duty::credit::{credits, TimePolicy};
    use kyso::duty::registry::Registry;
    use kyso::duty::submission::Submission;
    let store = store();
    let at = validation_time();
    let mut subs = Vec::new();
    for e in expected().file {
        let bytes = std::fs::read(fixture(&e.name)).unwrap();
        let Ok(report) = verify(&bytes, &store, &Options::default(), at) else {
            continue;
        };
        // Received on the day it was signed (local-time and late rules apply) and long after.
        let times: Vec<String> = report
            .signatures
            .iter()
            .filter_map(|s| s.signing_time.map(kyso_verify::report::wire_time::format))
            .chain(["2026-12-01T00:00:00Z".to_string()])
            .collect();
        for (i, received_at) in times.into_iter().enumerate() {
            let sub: Submission = serde_json::from_value(serde_json::json!({
                "id": format!("{}-{i}", e.name),
                "received_at": received_at,
                "size": bytes.len(),
                "report": report,
                "file_name": e.name,
            }))
            .unwrap();
            subs.push(sub);
        }
    }
    let mut fingerprints: Vec<String> = subs
        .iter()
        .flat_map(|s| s.report.signatures.iter())
        .filter_map(|s| s.signer.as_ref().map(|x| x.sha256.clone()))
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert!(fingerprints.len() > 5, "{fingerprints:?}");
    let mut toml = String::new();
    for (i, fp) in fingerprints.iter().enumerate() {
        if i % 2 == 0 {
            toml += &format!(
                "[[unit]]\nid = \"u{i}\"\nname = \"Đơn vị {i}\"\nkind = \"commune\"\ncertificates = [\"{fp}\"]\n"
            );
        } else {
            toml += &format!(
                "[[unit]]\nid = \"u{i}\"\nname = \"Đơn vị {i}\"\nkind = \"department\"\n[[leader]]\nid = \"l{i}\"\nname = \"Lãnh đạo {i}\"\ntitle = \"Chủ tịch\"\nunit = \"u{i}\"\nfrom = \"2020-01\"\ncertificates = [\"{fp}\"]\n"
            );
        }
    }
    let registry: Registry = toml::from_str(&toml).unwrap();
    registry.validate().unwrap();
    let policy = TimePolicy::default();
    let mut credited = 0;
    for s in &subs {
        let full = credits(s, &registry, &policy).0;
        let facts = credits(&s.crediting_facts(), &registry, &policy).0;
        assert_eq!(full, facts, "{}", s.id);
        credited += full.len();
    }
    assert!(
        credited > 20,
        "only {credited} credits: the comparison proves little"
    );
}

/// RFC 8419 §3.1: an Ed448 signer digests with SHAKE256. pyHanko's Ed448 file, its
/// digestAlgorithm changed from id-shake256-len to id-sha512 (the same length, in the hex of
/// `/Contents`), is refused for the algorithm, whatever else it breaks.
#[test]
fn ed448_takes_shake256_only() {
    let store = store();
    let at = validation_time();
    let original = std::fs::read(fixture("pyhanko-leader-ed448.pdf")).unwrap();
    let r = verify(&original, &store, &Options::default(), at).unwrap();
    assert_eq!(r.verdict, Verdict::Valid);
    let mut changed = original.clone();
    let mut hits = 0;
    for (shake, sha512) in [
        ("608648016503040212", "608648016503040203"),
        (
            "608648016503040212".to_uppercase().as_str(),
            "608648016503040203",
        ),
    ] {
        let n = shake.len();
        let mut i = 0;
        while i + n <= changed.len() {
            if &changed[i..i + n] == shake.as_bytes() {
                changed[i..i + n].copy_from_slice(sha512.as_bytes());
                hits += 1;
            }
            i += 1;
        }
    }
    assert!(hits >= 1, "the fixture names id-shake256-len in its CMS");
    let r = verify(&changed, &store, &Options::default(), at).unwrap();
    assert_ne!(r.verdict, Verdict::Valid);
    let problems = &r.signatures[0].problems;
    assert!(
        problems
            .iter()
            .any(|p| p.code.as_str() == "algorithm_unsupported" && p.message.contains("RFC 8419")),
        "{problems:#?}"
    );
}

/// The BCY signers' pattern as iText 5.5.13.3 itself writes it (`fixtures/itext-bcy/`, made
/// by its `make.sh`): a certification signature (DocMDP P=2) by the organisation, then a new
/// visible signature field for the leader, in append mode, each CMS with the signer's
/// certificate only. Both signatures pass, as pdfsig finds too, and the certification permits
/// the second signature; a changed byte fails.
#[test]
fn itext_certification_then_a_second_signer_is_valid() {
    let dir = root().join("fixtures/itext-bcy");
    let bytes = std::fs::read(dir.join("certified-org-then-leader.pdf")).unwrap();
    let store = kyso::trust::files::load(&[dir.join("root.pem")], &[], &[]).unwrap();
    let at = time::macros::datetime!(2026-12-07 00:00 UTC);
    let r = verify(&bytes, &store, &Options::default(), at).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    assert_eq!(r.signatures.len(), 2);
    let first = &r.signatures[0];
    assert_eq!(first.field.as_deref(), Some("ChuKyCoQuan"));
    assert_eq!(plain(&first.modifications_after), "permitted", "{first:#?}");
    assert_eq!(r.signatures[1].field.as_deref(), Some("ChuKyLanhDao"));
    // A changed digit early in the file (the first "2026", inside what both signatures
    // cover) makes it not valid.
    let text = bytes.windows(4).position(|w| w == b"2026").unwrap();
    let mut changed = bytes.clone();
    changed[text] = b'3';
    let r = verify(&changed, &store, &Options::default(), at).unwrap();
    assert_ne!(r.verdict, Verdict::Valid);
}

#[derive(serde::Deserialize)]
struct ModTable {
    validation_time: String,
    file: Vec<ModEntry>,
}

#[derive(serde::Deserialize)]
struct ModEntry {
    name: String,
    tool: String,
    class: String,
    expected: String,
}

/// Changes after a signature, class by class, each class written by pyHanko and by iText
/// (`fixtures/modifications/`, made by its `make.sh`; the expected verdicts come from ISO
/// 32000-2 §12.8.2 and what EU DSS and pyHanko conclude, with each file's reason in
/// `expected.toml`): the first signature's `modifications_after` is the expected one for
/// every file, and each class has files from both tools.
#[test]
fn modification_classes_from_two_tools_match_the_table() {
    let dir = root().join("fixtures/modifications");
    let text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let table: ModTable = toml::from_str(&text).unwrap();
    let store =
        kyso::trust::files::load(&[dir.join("root.pem")], &[], &[dir.join("root.crl")]).unwrap();
    let at = time::OffsetDateTime::parse(
        &table.validation_time,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let mut tools: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    let mut wrong = Vec::new();
    for e in &table.file {
        let bytes = std::fs::read(dir.join(&e.name)).unwrap();
        let r = verify(&bytes, &store, &Options::default(), at)
            .unwrap_or_else(|err| panic!("{}: {err}", e.name));
        let got = plain(&r.signatures[0].modifications_after);
        if got != e.expected {
            wrong.push(format!("{}: {got}, expected {}", e.name, e.expected));
        }
        let tool = e.tool.split_whitespace().next().unwrap_or("");
        tools.entry(e.class.as_str()).or_default().insert(tool);
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    for (class, by) in &tools {
        assert!(by.len() >= 2, "class {class} is made by {by:?} only");
    }
    assert!(table.file.len() >= 40, "{} files", table.file.len());
}

#[derive(serde::Deserialize)]
struct ReviewTable {
    file: Vec<ReviewEntry>,
}

#[derive(serde::Deserialize)]
struct ReviewEntry {
    name: String,
    expected: String,
}

/// Twelve rounds of an attacker's review of the modification analysis (`fixtures/review/`):
/// every update that changed what a viewer shows is refused, the honest controls pass, and
/// so do the honest multi-signer files real tools wrote (`honest/`).
#[test]
fn review_attacks_are_refused_and_honest_updates_pass() {
    let dir = root().join("fixtures/review");
    let text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let table: ReviewTable = toml::from_str(&text).unwrap();
    let roots = [
        dir.join("root.pem"),
        dir.join("round4/root.pem"),
        dir.join("round5/root.pem"),
        dir.join("round6/root.pem"),
        dir.join("round7/root.pem"),
        dir.join("round8/root.pem"),
        dir.join("round9/root.pem"),
        dir.join("round10/root.pem"),
        dir.join("round11/root.pem"),
        dir.join("round12/root.pem"),
        dir.join("honest/root.pem"),
    ];
    let store = kyso::trust::files::load(&roots, &[], &[]).unwrap();
    let at = time::macros::datetime!(2026-12-07 00:00 UTC);
    let mut wrong = Vec::new();
    for e in &table.file {
        let bytes = std::fs::read(dir.join(&e.name)).unwrap();
        let r = verify(&bytes, &store, &Options::default(), at)
            .unwrap_or_else(|err| panic!("{}: {err}", e.name));
        let got = plain(&r.signatures[0].modifications_after);
        if got != e.expected {
            wrong.push(format!("{}: {got}, expected {}", e.name, e.expected));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let attacks = table
        .file
        .iter()
        .filter(|e| e.expected == "disallowed")
        .count();
    assert!(attacks >= 40, "{attacks} attacks");
}
