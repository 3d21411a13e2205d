//! `kyso demo`: the service with the fixture test PKI, a demo registry and a known token.

use crate::config::{Config, Token};
use crate::duty::period::Month;
use crate::duty::registry::{Leader, Registry, Unit, UnitKind};
use kyso_verify::pki::crypto::sha256;
use std::path::Path;

/// The demo token: the demo listens on loopback only and uses the test PKI.
pub const DEMO_TOKEN: &str = "kyso-demo-token";

fn fingerprint(path: &Path) -> Result<String, String> {
    let certs = crate::trust::files::load_certs(path).map_err(|e| e.to_string())?;
    certs
        .first()
        .map(|c| c.sha256_hex())
        .ok_or_else(|| format!("{}: no certificate", path.display()))
}

/// A unit of the demo: active from the start, no contact yet.
fn unit(id: &str, name: &str, kind: UnitKind, certificates: Vec<String>) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind,
        certificates,
        retired_certificates: vec![],
        active: true,
        from: None,
        to: None,
        contact: None,
        order: None,
    }
}

/// A few Hương Trà units and leaders, enrolled to the fixture certificates.
pub fn demo_registry(fixtures: &Path) -> Result<Registry, String> {
    let pki = fixtures.join("pki");
    let month = |s: &str| Month::parse(s).ok_or_else(|| format!("bad month {s}"));
    let r = Registry {
        units: vec![
            unit(
                "ubnd-huong-xuan",
                "UBND phường Hương Xuân",
                UnitKind::Commune,
                vec![fingerprint(&pki.join("leaf-org.pem"))?],
            ),
            unit("phong-noi-vu", "Phòng Nội vụ", UnitKind::Department, vec![]),
            unit(
                "trung-tam-van-hoa",
                "Trung tâm Văn hóa - Thông tin và Thể thao",
                UnitKind::PublicService,
                vec![],
            ),
        ],
        leaders: vec![
            Leader {
                id: "nguyen-van-an".into(),
                name: "Nguyễn Văn An".into(),
                title: "Chủ tịch".into(),
                unit: "ubnd-huong-xuan".into(),
                from: month("2025-01")?,
                to: None,
                certificates: vec![fingerprint(&pki.join("leaf-leader.pem"))?],
                retired_certificates: vec![],
                person: None,
            },
            Leader {
                id: "tran-thi-binh".into(),
                name: "Trần Thị Bình".into(),
                title: "Phó Chủ tịch".into(),
                unit: "ubnd-huong-xuan".into(),
                from: month("2025-01")?,
                to: None,
                certificates: vec![fingerprint(&pki.join("leaf-leader-ec.pem"))?],
                retired_certificates: vec![],
                person: None,
            },
            Leader {
                id: "le-van-cuong".into(),
                name: "Lê Văn Cường".into(),
                title: "Trưởng phòng".into(),
                unit: "phong-noi-vu".into(),
                from: month("2026-01")?,
                to: None,
                certificates: vec![],
                retired_certificates: vec![],
                person: None,
            },
        ],
        ..Registry::default()
    };
    r.validate().map_err(|e| e.to_string())?;
    Ok(r)
}

/// `kyso demo`: the service with the fixture PKI, a demo registry and a known token.
pub fn demo(data_dir: &Path, bind: &str, fixtures: &Path) -> i32 {
    let pki = fixtures.join("pki");
    if !pki.join("root.pem").exists() {
        eprintln!(
            "kyso: {} has no test PKI; run the demo from the source tree or pass --fixtures",
            fixtures.display()
        );
        return 1;
    }
    let registry = match demo_registry(fixtures) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 1;
        }
    };
    let cfg = Config {
        bind: bind.to_string(),
        data_dir: data_dir.to_path_buf(),
        trust: vec![pki.join("root.pem")],
        intermediates: vec![pki.join("issuing-ca.pem")],
        crls: vec![pki.join("issuing-ca.crl"), pki.join("root.crl")],
        registry: None,
        token: vec![Token {
            name: "demo".into(),
            sha256: hex::encode(sha256(DEMO_TOKEN.as_bytes())),
            scopes: vec!["submit".into(), "read".into(), "admin".into()],
            unit: None,
        }],
        // The fixtures were signed in 2026-03; the demo runs later. Their receipts still say so.
        accept_implausible_signing_time: true,
        ..Config::default()
    };
    eprintln!(
        "kyso demo: test PKI from {}, data in {}, token {DEMO_TOKEN}\n  try: KYSO_URL=http://{bind} KYSO_TOKEN={DEMO_TOKEN} scripts/submit.sh fixtures/pdf/pyhanko-org-then-leader.pdf\n       curl -H 'Authorization: Bearer {DEMO_TOKEN}' http://{bind}/api/v1/compliance/2026-03",
        pki.display(),
        data_dir.display()
    );
    crate::startup::run(cfg, Some(registry))
}
