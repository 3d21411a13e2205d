//! The real BCY CA certificates (../shared/gcc-ca, never committed): each sub-CA verifies against
//! its root with the expected algorithm, the pins match, and a BCY-style chain can be built.

mod common;

use kyso::trust::pins;
use kyso_verify::pki::crypto::DigestAlg;
use kyso_verify::pki::{self, Cert};
use std::path::PathBuf;

/// The BCY CA directory, or `None` (with the reason printed) when it is absent and
/// `KYSO_REQUIRE_GCC_CA` is not set: a fresh clone without `../shared` still passes its tests.
fn gcc_ca() -> Option<PathBuf> {
    let dir = std::env::var_os("KYSO_GCC_CA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("../shared/gcc-ca"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("KYSO_REQUIRE_GCC_CA").is_ok_and(|v| v == "1") {
        panic!(
            "{} is absent and KYSO_REQUIRE_GCC_CA=1: the BCY chain tests must run",
            dir.display()
        );
    }
    eprintln!(
        "skipped: the BCY CA certificates are not at {} (set KYSO_GCC_CA_DIR, or KYSO_REQUIRE_GCC_CA=1 to make this a failure)",
        dir.display()
    );
    None
}

fn gcc_ca_dir() -> PathBuf {
    gcc_ca().unwrap_or_default()
}

fn load(file: &str) -> Cert {
    let path = gcc_ca_dir().join(file);
    let mut v =
        kyso::trust::files::load_certs(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(v.len(), 1);
    v.remove(0)
}

#[test]
fn every_pinned_file_is_present_and_matches_its_pin() {
    if gcc_ca().is_none() {
        return;
    }
    for p in pins::all() {
        let c = load(&p.file);
        assert_eq!(c.sha256_hex(), p.sha256, "{}", p.file);
        assert!(
            c.subject.contains(&format!("CN={}", p.cn)),
            "{} has subject {}",
            p.file,
            c.subject
        );
        assert!(c.is_ca, "{} is a CA", p.file);
    }
}

#[test]
fn loading_the_whole_directory_checks_every_pin() {
    if gcc_ca().is_none() {
        return;
    }
    let certs = kyso::trust::files::load_certs(&gcc_ca_dir()).unwrap();
    assert_eq!(certs.len(), 9);
    let pinned: Vec<String> = pins::all().into_iter().map(|p| p.sha256).collect();
    for c in &certs {
        assert!(
            pinned.contains(&c.sha256_hex()),
            "{} is not pinned",
            c.subject
        );
    }
}

#[test]
fn g1_sub_cas_verify_against_the_g1_root_with_sha1_rsa_2048() {
    if gcc_ca().is_none() {
        return;
    }
    let root = load("g1-root-co-quan-chung-thuc-so-chuyen-dung-chinh-phu-rootca.pem");
    assert_eq!(root.key.rsa_bits(), Some(2048));
    let subs: Vec<_> = pins::all()
        .into_iter()
        .filter(|p| p.generation == "G1" && p.role == "intermediate")
        .collect();
    assert_eq!(subs.len(), 5);
    for p in subs {
        let sub = load(&p.file);
        assert_eq!(
            pki::signed_by(&root, &sub),
            Ok(DigestAlg::Sha1),
            "{}",
            p.file
        );
        // and not by another key
        let g2 = load("g2-root-rootca-chuyen-dung-chinh-phu-g2.pem");
        assert!(pki::signed_by(&g2, &sub).is_err());
    }
    assert_eq!(pki::signed_by(&root, &root), Ok(DigestAlg::Sha1));
}

#[test]
fn g2_sub_cas_verify_against_the_g2_root_with_sha256_rsa_4096() {
    if gcc_ca().is_none() {
        return;
    }
    let root = load("g2-root-rootca-chuyen-dung-chinh-phu-g2.pem");
    assert_eq!(root.key.rsa_bits(), Some(4096));
    for file in [
        "g2-sub-ca-phuc-vu-cac-co-quan-nha-nuoc-g2.pem",
        "g2-sub-ca-phuc-vu-cac-co-quan-dang-g2.pem",
    ] {
        let sub = load(file);
        assert_eq!(sub.key.rsa_bits(), Some(4096), "{file}");
        assert_eq!(pki::signed_by(&root, &sub), Ok(DigestAlg::Sha256), "{file}");
    }
}

#[test]
fn a_bcy_sub_ca_chains_to_its_root_under_the_default_policy() {
    if gcc_ca().is_none() {
        return;
    }
    // A path sub-CA -> root is what every BCY leaf uses; SHA-1 in the G1 chain is allowed by
    // default, and refused when the policy says so.
    use kyso_verify::pki::{check_path, Finding, Policy};
    use std::sync::Arc;
    let dir = gcc_ca_dir();
    let store = kyso::trust::files::load(
        &[dir.join("g1-root-co-quan-chung-thuc-so-chuyen-dung-chinh-phu-rootca.pem")],
        &[],
        &[],
    )
    .unwrap();
    let sub = Arc::new(load("g1-sub-co-quan-chung-thuc-so-chinh-phu.pem"));
    let at = time::macros::datetime!(2026-06-01 00:00 UTC);
    let budget = kyso_verify::budget::Budget::default();
    let ok = check_path(&sub, &[], &store, &Policy::default(), at, &budget);
    assert_eq!(ok.chain.len(), 2);
    assert!(!ok
        .findings
        .iter()
        .any(|f| matches!(f, Finding::NoPath { .. } | Finding::Sha1InChain { .. })));
    let strict = Policy {
        allow_sha1_in_chain: false,
        ..Policy::default()
    };
    let refused = check_path(&sub, &[], &store, &strict, at, &budget);
    assert!(refused
        .findings
        .iter()
        .any(|f| matches!(f, Finding::Sha1InChain { .. })));
    // After 2030 the G1 root has expired.
    let late = check_path(
        &sub,
        &[],
        &store,
        &Policy::default(),
        time::macros::datetime!(2031-01-01 00:00 UTC),
        &budget,
    );
    assert!(late
        .findings
        .iter()
        .any(|f| matches!(f, Finding::OutsideValidity { .. })));
}

/// The skip and the requirement, run on this very test binary with the directory made absent.
#[test]
fn without_the_directory_the_tests_skip_unless_required() {
    let run = |require: bool| {
        let mut c = std::process::Command::new(std::env::current_exe().unwrap());
        c.args([
            "--exact",
            "every_pinned_file_is_present_and_matches_its_pin",
            "--nocapture",
        ])
        .env("KYSO_GCC_CA_DIR", "/nonexistent/gcc-ca");
        if require {
            c.env("KYSO_REQUIRE_GCC_CA", "1");
        } else {
            c.env_remove("KYSO_REQUIRE_GCC_CA");
        }
        c.output().unwrap()
    };
    let skipped = run(false);
    assert!(skipped.status.success());
    let err = String::from_utf8_lossy(&skipped.stderr);
    assert!(
        err.contains("skipped: the BCY CA certificates are not at /nonexistent/gcc-ca"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&skipped.stdout);
    assert!(out.contains("1 passed"), "{out}");
    let required = run(true);
    assert!(
        !required.status.success(),
        "KYSO_REQUIRE_GCC_CA=1 turns the skip into a failure"
    );
}
