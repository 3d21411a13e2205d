//! The `kyso` command line as an operator meets it: configuration surprises, maintenance
//! commands, the verify command's inputs and outputs, help, completions and the man page.

mod common;

use common::{fixture, root, trust_args};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn kyso(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .current_dir(dir)
        .env_remove("KYSO_CONFIG")
        .env_remove("KYSO_DATA_DIR")
        .output()
        .expect("kyso runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kyso-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn maintenance_commands_refuse_a_missing_data_directory() {
    let dir = temp_dir("maintenance");
    for args in [
        &["store", "reindex"][..],
        &["store", "verify"],
        &["reverify"],
    ] {
        let o = kyso(&dir, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("does not exist"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("--config"), "{}", stderr(&o));
    }
    assert!(
        !dir.join("data").exists(),
        "a maintenance command created ./data"
    );
    // A first installation says so explicitly.
    let registry = dir.join("units.toml");
    std::fs::write(&registry, "").unwrap();
    let o = kyso(&dir, &["registry", "import", "units.toml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = kyso(
        &dir,
        &["registry", "import", "units.toml", "--create-data-dir"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("data").is_dir());
    let o = kyso(&dir, &["store", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn config_paths_are_beside_the_file_and_bad_tokens_stop_the_start() {
    let dir = temp_dir("config");
    let conf = dir.join("etc");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("kyso.toml"), "data_dir = \"state\"\n").unwrap();
    std::fs::write(conf.join("units.toml"), "").unwrap();
    let o = kyso(
        &dir,
        &[
            "registry",
            "import",
            "etc/units.toml",
            "--config",
            "etc/kyso.toml",
            "--create-data-dir",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(conf.join("state").is_dir(), "data_dir is beside the file");
    assert!(!dir.join("state").exists());

    std::fs::write(
        conf.join("bad.toml"),
        "[[token]]\nname = \"qlvb\"\nsha256 = \"hex of SHA-256 of the token string\"\nscopes = [\"submit\"]\n",
    )
    .unwrap();
    let o = kyso(&dir, &["serve", "--config", "etc/bad.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a SHA-256 hex digest"),
        "{}",
        stderr(&o)
    );
}

/// The README's configuration example starts as written (only the port is made free).
#[test]
fn the_readme_example_starts() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```toml\nbind =").expect("the example") + 8;
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = temp_dir("readme");
    // The anchors installed where the example says (a test root stands for the BCY ones).
    std::fs::create_dir_all(dir.join("certs/bcy")).unwrap();
    std::fs::copy(
        root().join("fixtures/pki/root.pem"),
        dir.join("certs/bcy/root.pem"),
    )
    .unwrap();
    let text = example.replace("bind = \"127.0.0.1:8080\"", "bind = \"127.0.0.1:0\"");
    assert_ne!(text, example, "the example binds 127.0.0.1:8080");
    std::fs::write(dir.join("kyso.toml"), text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["serve", "--config", "kyso.toml"])
        .current_dir(&dir)
        .env_remove("KYSO_TOKEN")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("log")).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let url = line
        .trim()
        .trim_start_matches("kyso listening on ")
        .to_string();
    let ready = ureq::get(&format!("{url}/readyz"))
        .call()
        .map(|r| r.status());
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("kyso listening on http://127.0.0.1:"),
        "{line:?}"
    );
    assert!(dir.join("data").is_dir());
    // Its CRL directory is made, so no start warns that it is missing.
    assert!(dir.join("data/crl").is_dir());
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert!(!log.contains("does not exist"), "{log}");
    // Ready: anchors loaded, the store writable (no CRL yet is not "outdated").
    assert_eq!(ready.ok(), Some(200), "{log}");
}

#[test]
fn a_trust_file_that_is_not_a_certificate_is_named() {
    let dir = temp_dir("trust");
    std::fs::write(
        dir.join("key.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(dir.join("junk.der"), b"\x30\x03\x02\x01\x01").unwrap();
    for f in ["key.pem", "junk.der"] {
        let o = kyso(
            &dir,
            &[
                "verify",
                "--trust",
                f,
                fixture("pyhanko-org-then-leader.pdf").to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(f) && e.contains("not an X.509 certificate"),
            "{e}"
        );
    }
}

/// A trust directory holds CA certificates: a signer's certificate in it stops the command with
/// its file's name (it would make everything it signed VALID with a chain of one), a key beside
/// them is named in a warning, and the same certificate named alone is anchored on purpose.
#[test]
fn a_trust_directory_holds_ca_certificates_only() {
    let dir = temp_dir("trust-dir");
    let bcy = dir.join("bcy");
    std::fs::create_dir_all(&bcy).unwrap();
    std::fs::copy(common::pki("root.pem"), bcy.join("root.pem")).unwrap();
    std::fs::write(bcy.join("signer.key"), "not read").unwrap();
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    let run = |trust: &Path| {
        kyso(
            &dir,
            &[
                "verify",
                "--trust",
                trust.to_str().unwrap(),
                "--intermediates",
                common::pki("issuing-ca.pem").to_str().unwrap(),
                pdf.to_str().unwrap(),
            ],
        )
    };
    let o = run(&bcy);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("signer.key: a private key"),
        "{}",
        stderr(&o)
    );
    std::fs::copy(common::pki("leaf-org.pem"), bcy.join("leaf-org.pem")).unwrap();
    let o = run(&bcy);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("leaf-org.pem") && e.contains("is not a CA certificate"),
        "{e}"
    );
    let o = run(&bcy.join("leaf-org.pem"));
    assert_ne!(
        o.status.code(),
        Some(2),
        "named alone, it is an anchor: {}",
        stderr(&o)
    );
}

fn verify_args<'a>(extra: &[&'a str], trust: &'a [String]) -> Vec<&'a str> {
    let mut v = vec!["verify", "--at", "2026-04-01T00:00:00Z"];
    v.extend(trust.iter().map(String::as_str));
    v.extend_from_slice(extra);
    v
}

#[test]
fn json_lines_name_their_file_and_directories_and_stdin_are_inputs() {
    let dir = temp_dir("inputs");
    let pdfs = dir.join("in");
    std::fs::create_dir_all(pdfs.join("sub")).unwrap();
    std::fs::copy(fixture("pyhanko-org-then-leader.pdf"), pdfs.join("a.pdf")).unwrap();
    std::fs::copy(fixture("pyhanko-expired.pdf"), pdfs.join("sub/b.PDF")).unwrap();
    std::fs::write(pdfs.join("notes.txt"), "not a pdf").unwrap();
    std::fs::write(pdfs.join("broken.pdf"), "%PDF-1.7 nothing else").unwrap();
    let trust = trust_args();
    let o = kyso(&dir, &verify_args(&["--json", "in"], &trust));
    // Every line starts with its file, as the README says (a `grep '"file":"in/a.pdf"'` finds it).
    for l in stdout(&o).lines() {
        assert!(l.starts_with("{\"file\":\"in/"), "{l}");
    }
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        ["in/a.pdf", "in/broken.pdf", "in/sub/b.PDF"],
        "{}",
        stderr(&o)
    );
    assert_eq!(lines[0]["verdict"], "valid");
    assert!(lines[1]["error"]["code"].is_string(), "{}", lines[1]);
    assert_ne!(lines[2]["verdict"], "valid");
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unevaluable file makes the status 2"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(verify_args(&["--json", "-"], &trust))
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(fixture("pyhanko-org-then-leader.pdf")).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["file"].as_str(), v["verdict"].as_str()),
        (Some("-"), Some("valid"))
    );
    assert_eq!(o.status.code(), Some(0));
}

/// A directory is verified on every core, its reports written in the order of its files, each
/// the report the file gets alone; the status is the worst of them.
#[test]
fn a_directory_is_verified_in_parallel_and_reported_in_order() {
    let dir = temp_dir("parallel");
    let trust = trust_args();
    let all = root().join("fixtures/pdf");
    let all = all.to_str().unwrap();
    let o = kyso(&dir, &verify_args(&["--json", all], &trust));
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    let mut names: Vec<String> = std::fs::read_dir(all)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".pdf"))
        .collect();
    names.sort();
    assert_eq!(lines.len(), names.len());
    let mut worst = 0;
    for (line, name) in lines.iter().zip(&names) {
        let alone = kyso(&dir, &verify_args(&["--json", name], &trust));
        assert_eq!(*line, stdout(&alone).trim_end(), "{name}");
        worst = worst.max(alone.status.code().unwrap());
    }
    assert_eq!(o.status.code(), Some(worst));
}

#[test]
fn a_missing_intermediate_gets_a_hint() {
    let dir = temp_dir("hint");
    let root_pem = common::pki("root.pem").display().to_string();
    let pdf = fixture("pyhanko-org-then-leader.pdf").display().to_string();
    let o = kyso(&dir, &["verify", "--trust", &root_pem, &pdf]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("pass its certificate with --intermediates"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn help_completions_and_man_page() {
    let dir = temp_dir("help");
    for args in [&["--help"][..], &["verify", "--help"]] {
        let o = kyso(&dir, args);
        assert!(
            stdout(&o).contains("Exit status:") && stdout(&o).contains("2  usage error"),
            "{}",
            stdout(&o)
        );
    }
    let o = kyso(&dir, &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("complete -F") && stdout(&o).contains("reindex"));
    let o = kyso(&dir, &["man"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH kyso"),
        "{}",
        &stdout(&o)[..200.min(o.stdout.len())]
    );
    assert!(stdout(&o).contains("verify"));
    // A page per command, each naming the pages it refers to.
    let o = kyso(&dir, &["man", "--dir", "man1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for page in [
        "kyso.1",
        "kyso-verify.1",
        "kyso-serve.1",
        "kyso-user-add.1",
        "kyso-store-restore.1",
    ] {
        let text = std::fs::read_to_string(dir.join("man1").join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
}

#[test]
fn cert_verify_checks_a_certificate_like_a_signer() {
    let dir = temp_dir("cert");
    let pki = |n: &str| common::pki(n).display().to_string();
    let base = |json: bool| {
        let mut v = vec![
            "cert".to_string(),
            "verify".into(),
            "--trust".into(),
            pki("root.pem"),
            "--intermediates".into(),
            pki("issuing-ca.pem"),
            "--crl".into(),
            pki("issuing-ca.crl"),
            "--crl".into(),
            pki("root.crl"),
            "--at".into(),
            "2026-04-01T00:00:00Z".into(),
        ];
        if json {
            v.push("--json".into());
        }
        v
    };
    let run = |json: bool, cert: &str| {
        let mut args = base(json);
        args.push(pki(cert));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kyso(&dir, &args)
    };
    let ok = run(false, "leaf-leader.pem");
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("VALID (hợp lệ)"), "{}", stdout(&ok));
    // It says which anchor the chain ended at.
    let root = kyso::trust::files::load_certs(&common::pki("root.pem")).unwrap();
    let line = format!("anchor:   {} ({})", root[0].subject, root[0].sha256_hex());
    assert!(stdout(&ok).contains(&line), "{}", stdout(&ok));
    let ok_json = run(true, "leaf-leader.pem");
    let v: serde_json::Value = serde_json::from_slice(&ok_json.stdout).unwrap();
    assert_eq!(v["anchor"]["sha256"], root[0].sha256_hex(), "{v}");
    let revoked = run(true, "leaf-revoked.pem");
    assert_eq!(revoked.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&revoked.stdout).unwrap();
    assert!(v["file"].as_str().unwrap().ends_with("leaf-revoked.pem"));
    assert_ne!(v["indication"], "TOTAL_PASSED");
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "certificate_revoked"),
        "{v}"
    );
    let foreign = run(false, "foreign-root.pem");
    assert_eq!(foreign.status.code(), Some(1));
    assert!(
        stdout(&foreign).contains("[no_chain]"),
        "{}",
        stdout(&foreign)
    );
    std::fs::write(
        dir.join("junk.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let mut args = base(false);
    args.push(dir.join("junk.pem").display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let junk = kyso(&dir, &args);
    assert_eq!(junk.status.code(), Some(2));
    assert!(
        stdout(&junk).contains("not an X.509 certificate"),
        "{}",
        stdout(&junk)
    );
}

#[test]
fn the_validation_time_may_be_a_date_and_a_wrong_one_is_explained() {
    let dir = temp_dir("at");
    let trust = trust_args();
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    std::fs::write(dir.join("a.pdf"), std::fs::read(pdf).unwrap()).unwrap();
    let args = |at: &'static str| {
        let mut v = vec!["verify", "--at", at];
        v.extend(trust.iter().map(String::as_str));
        v.push("a.pdf");
        v
    };
    let o = kyso(&dir, &args("2026-04-01"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "a date is a validation time: {}",
        stderr(&o)
    );
    let o = kyso(&dir, &args("01/04/2026"));
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("2026-12-01") && e.contains("+07:00"),
        "an example: {e}"
    );
}
