//! Startup: configuration -> store, trust, registry -> the HTTP service. Also the commands that
//! work on the data directory while the service is stopped.

use crate::config::{Config, Token};
use crate::http::{self, AppState};
use crate::pki::crypto::sha256;
use crate::registry::{Leader, Month, Registry, Unit, UnitKind};
use crate::store::Store;
use crate::verify::Options;
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KYSO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn open_store(cfg: &Config) -> Result<Store, String> {
    Store::open(&cfg.data_dir).map_err(|e| {
        let s = e.to_string();
        if s.contains("WouldBlock") || s.contains("lock") {
            format!(
                "{s}: is the service running on this data directory? Stop it first, or use the API"
            )
        } else {
            s
        }
    })
}

/// Run the service; returns the exit status. `registry` overrides the configured registry file.
pub fn run(cfg: Config, registry: Option<Registry>) -> i32 {
    init_logging();
    match start(cfg, registry) {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("kyso: {e}");
            1
        }
    }
}

fn start(cfg: Config, registry: Option<Registry>) -> Result<(), String> {
    let store = open_store(&cfg)?;
    let trust = crate::cli::configured_trust(&cfg, &mut |w| tracing::warn!("{w}"))?;
    let incoming = match (&registry, &cfg.registry) {
        (Some(r), _) => Some(r.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("registry file {}: {e}", path.display()))?;
            Some(Registry::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        (None, None) => None,
    };
    if let Some(r) = incoming {
        let (u, l) = (r.units.len(), r.leaders.len());
        store.import_registry(r).map_err(|e| e.to_string())?;
        tracing::info!(units = u, leaders = l, "registry imported");
    }
    let warnings = http::startup_warnings(&cfg, &trust);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let listener =
        TcpListener::bind(&cfg.bind).map_err(|e| format!("cannot listen on {}: {e}", cfg.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        %addr,
        data_dir = %cfg.data_dir.display(),
        anchors = trust.anchors.len(),
        crls = trust.crls.len(),
        submissions = store.count(),
        "kyso started"
    );
    // Scripts and tests read this line to learn the port (bind may say port 0).
    println!("kyso listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let refresh_hours = cfg.crl_refresh_hours;
    let state = actix_web::web::Data::new(AppState::new(store, trust, cfg, warnings));
    if refresh_hours > 0 {
        let st = state.clone();
        std::thread::spawn(move || loop {
            refresh_crls(&st);
            std::thread::sleep(std::time::Duration::from_secs(refresh_hours * 3600));
        });
    }
    actix_web::rt::System::new()
        .block_on(http::serve(listener, state))
        .map_err(|e| e.to_string())
}

/// One background refresh: fetch, then reload the trust store's CRLs.
fn refresh_crls(state: &AppState) {
    let trust = state.trust();
    let mut extra = state.config.crl_urls.clone();
    match state.store.signer_crl_urls() {
        Ok(seen) => extra.extend(seen),
        Err(e) => tracing::warn!("listing the signers' CRL addresses: {e}"),
    }
    let urls = crate::crl_fetch::urls(&trust, &extra);
    if urls.is_empty() {
        return;
    }
    let outcome = crate::crl_fetch::refresh(&trust, &state.config.crl_dir(), &urls);
    for (url, why) in &outcome.failed {
        tracing::warn!(%url, "CRL refresh failed: {why}");
    }
    if !outcome.updated.is_empty() {
        match crate::cli::configured_trust(&state.config, &mut |w| tracing::warn!("{w}")) {
            Ok(t) => {
                if let Ok(mut g) = state.trust.write() {
                    *g = Arc::new(t);
                }
            }
            Err(e) => tracing::error!("reloading the trust store after a CRL refresh: {e}"),
        }
    }
    if let Ok(mut g) = state.crl_refresh.lock() {
        *g = Some((time::OffsetDateTime::now_utc(), outcome));
    }
}

/// `kyso crl refresh`: fetch the CRLs now (the service need not be stopped).
pub fn crl_refresh(cfg: &Config) -> Result<(String, bool), String> {
    let trust = crate::cli::configured_trust(cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
    let mut extra = cfg.crl_urls.clone();
    // The signers seen so far name their CRLs too; while the service holds the store, its own
    // background refresh covers them.
    match Store::open(&cfg.data_dir).and_then(|s| s.signer_crl_urls()) {
        Ok(seen) => extra.extend(seen),
        Err(_) => eprintln!("kyso: note: the data directory is in use (service running?): the stored signers' CRL addresses are left to the service's refresh"),
    }
    let urls = crate::crl_fetch::urls(&trust, &extra);
    if urls.is_empty() {
        return Ok((
            "no CRL addresses: the trusted certificates name none and crl_urls is empty".into(),
            true,
        ));
    }
    let o = crate::crl_fetch::refresh(&trust, &cfg.crl_dir(), &urls);
    let mut msg = String::new();
    for (url, file) in &o.updated {
        msg += &format!("updated  {url} -> {file}\n");
    }
    for url in &o.unchanged {
        msg += &format!("kept     {url} (not newer than the CRL kept)\n");
    }
    for (url, why) in &o.failed {
        msg += &format!("failed   {url}: {why}\n");
    }
    Ok((msg.trim_end().to_string(), o.failed.is_empty()))
}

pub fn import_registry(cfg: &Config, file: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let r = Registry::from_toml(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let (u, l) = (r.units.len(), r.leaders.len());
    let store = open_store(cfg)?;
    let all = store.import_registry(r).map_err(|e| e.to_string())?;
    Ok(format!(
        "imported {u} unit(s) and {l} leader(s); the registry now has {} unit(s) and {} leader(s)",
        all.units.len(),
        all.leaders.len()
    ))
}

pub fn reindex(cfg: &Config) -> Result<String, String> {
    let store = open_store(cfg)?;
    let s = store.reindex().map_err(|e| e.to_string())?;
    Ok(format!(
        "reindexed {} submission(s), {} unit(s), {} leader(s) from {}",
        s.submissions,
        s.units,
        s.leaders,
        cfg.data_dir.display()
    ))
}

/// `kyso store verify`: the summary and whether the store is consistent.
pub fn store_verify(cfg: &Config) -> Result<(String, bool), String> {
    let store = open_store(cfg)?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |done: usize, total: usize| {
        if tty && (done % 100 == 0 || done == total) {
            eprint!("\rchecked {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    };
    let r = store.check(&mut progress).map_err(|e| e.to_string())?;
    let mut msg = String::new();
    for p in &r.problems {
        msg += &format!("problem: {p}\n");
    }
    msg += &format!(
        "{} record(s), {} PDF(s), {} indexed: {}",
        r.records,
        r.blobs,
        r.indexed,
        if r.is_clean() {
            "all consistent, every PDF hashes to its id".to_string()
        } else {
            format!("{} problem(s)", r.problems.len())
        }
    );
    Ok((msg, r.is_clean()))
}

/// `kyso reverify`: with a progress bar on a terminal, a line per tenth otherwise.
pub fn reverify(cfg: &Config) -> Result<String, String> {
    let store = open_store(cfg)?;
    let trust = crate::cli::configured_trust(cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut last_tenth = 0;
    let mut progress = |done: usize, total: usize| {
        if tty {
            let width = 40;
            let filled = done * width / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "=".repeat(filled),
                " ".repeat(width - filled)
            );
            if done == total {
                eprintln!();
            }
        } else {
            let tenth = done * 10 / total.max(1);
            if tenth > last_tenth || done == total {
                last_tenth = tenth;
                eprintln!("kyso: re-verified {done}/{total}");
            }
        }
    };
    let out = crate::reverify::run(
        &store,
        &trust,
        &Options::default(),
        "kyso reverify",
        time::OffsetDateTime::now_utc(),
        &mut progress,
    )
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "re-verified {} submission(s): {} changed, {} could not be evaluated",
        out.checked, out.changed, out.failed
    ))
}

/// The demo token: the demo listens on loopback only and uses the test PKI.
pub const DEMO_TOKEN: &str = "kyso-demo-token";

fn fingerprint(path: &Path) -> Result<String, String> {
    let certs = crate::pki::load_certs(path).map_err(|e| e.to_string())?;
    certs
        .first()
        .map(|c| c.sha256_hex())
        .ok_or_else(|| format!("{}: no certificate", path.display()))
}

/// A few Hương Trà units and leaders, enrolled to the fixture certificates.
pub fn demo_registry(fixtures: &Path) -> Result<Registry, String> {
    let pki = fixtures.join("pki");
    let month = |s: &str| Month::parse(s).ok_or_else(|| format!("bad month {s}"));
    let r = Registry {
        units: vec![
            Unit {
                id: "ubnd-huong-xuan".into(),
                name: "UBND phường Hương Xuân".into(),
                kind: UnitKind::Commune,
                certificates: vec![fingerprint(&pki.join("leaf-org.pem"))?],
                active: true,
            },
            Unit {
                id: "phong-noi-vu".into(),
                name: "Phòng Nội vụ".into(),
                kind: UnitKind::Department,
                certificates: vec![],
                active: true,
            },
            Unit {
                id: "trung-tam-van-hoa".into(),
                name: "Trung tâm Văn hóa - Thông tin và Thể thao".into(),
                kind: UnitKind::PublicService,
                certificates: vec![],
                active: true,
            },
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
            },
            Leader {
                id: "tran-thi-binh".into(),
                name: "Trần Thị Bình".into(),
                title: "Phó Chủ tịch".into(),
                unit: "ubnd-huong-xuan".into(),
                from: month("2025-01")?,
                to: None,
                certificates: vec![fingerprint(&pki.join("leaf-leader-ec.pem"))?],
            },
            Leader {
                id: "le-van-cuong".into(),
                name: "Lê Văn Cường".into(),
                title: "Trưởng phòng".into(),
                unit: "phong-noi-vu".into(),
                from: month("2026-01")?,
                to: None,
                certificates: vec![],
            },
        ],
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
    run(cfg, Some(registry))
}
