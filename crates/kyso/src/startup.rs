//! Startup: configuration -> store, trust, registry -> the HTTP service, and the background CRL
//! refresh. The commands that work on a stopped service are in `maintenance`.

use crate::config::Config;
use crate::duty::registry::Registry;
use crate::store::postgres::Work;
use crate::store::Store;
use crate::web::{self, AppState};
use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

/// Logs go to stderr: readable text by default, one JSON object per line with
/// `KYSO_LOG_FORMAT=json` (for a log collector). `KYSO_LOG` is the filter (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KYSO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("KYSO_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init()
    };
}

pub(crate) fn open_store(cfg: &Config) -> Result<Store, String> {
    cfg.open_store().map_err(|e| {
        let s = e.to_string();
        if s.contains("WouldBlock") || s.contains("lock") {
            format!(
                "the data directory {} is in use by another kyso process: is the service running on it? Stop it first, or do this through the API or the pages",
                cfg.data_dir.display()
            )
        } else {
            s
        }
    })
}

/// The first CRL location is where refreshed CRLs are written; inside the data directory
/// (`data/crl`, the default) the service makes it, so a fresh installation does not warn about
/// it at every start.
fn crl_dir_in_data(cfg: &Config) -> Result<(), String> {
    match cfg.crls.first() {
        Some(dir) if !dir.exists() && dir.starts_with(&cfg.data_dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("the CRL directory {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
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
    crl_dir_in_data(&cfg)?;
    let trust = crate::trust::files::configured(&cfg, &mut |w| tracing::warn!("{w}"))?;
    if trust.anchors.is_empty() && !cfg.allow_no_anchors {
        return Err(no_anchors(&cfg));
    }
    let incoming = match (&registry, &cfg.registry) {
        (Some(r), _) => Some(r.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("registry file {}: {e}", path.display()))?;
            Some(Registry::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        (None, None) => None,
    };
    let postman = postman(&cfg)?;
    let mut warnings = startup_warnings(&cfg, &trust);
    if let Some(r) = incoming {
        warnings.extend(first_import(&store, r)?);
    }
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
    // Offline: nothing is fetched, CRLs included.
    let refresh_hours = if cfg.offline {
        0
    } else {
        cfg.crl_refresh_hours
    };
    let app = cfg.app(store, trust);
    let mut state = AppState::new(app, cfg, warnings);
    state.postman = postman;
    let state = actix_web::web::Data::new(state);
    keep_this_year(&state);
    remind_monthly(&state);
    if refresh_hours > 0 {
        let st = state.clone();
        std::thread::spawn(move || loop {
            refresh_crls(&st);
            std::thread::sleep(std::time::Duration::from_secs(refresh_hours * 3600));
        });
    }
    actix_web::rt::System::new()
        .block_on(web::serve(listener, state))
        .map_err(|e| e.to_string())
}

/// The SMTP server of `[reminders]`, when configured; a configuration it cannot use stops the
/// start with the reason.
fn postman(cfg: &Config) -> Result<Option<Arc<dyn crate::net::mail::Postman>>, String> {
    if !cfg.reminders.enabled() {
        return Ok(None);
    }
    let smtp = crate::net::mail::Smtp::new(&cfg.reminders.server())?;
    tracing::info!(
        smtp = %cfg.reminders.smtp_host,
        day = cfg.reminders.day,
        hour = cfg.reminders.hour,
        "reminders on"
    );
    Ok(Some(Arc::new(smtp)))
}

/// How often the monthly run looks whether reminders are due.
const REMIND_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// The monthly reminders (`crate::app::reminders::scheduled`), looked at every ten minutes
/// from start; a round the Office is sending meanwhile is waited for.
fn remind_monthly(state: &actix_web::web::Data<AppState>) {
    let Some(postman) = state.postman.clone() else {
        return;
    };
    let st = state.clone();
    let schedule = state.config.reminders.schedule();
    std::thread::spawn(move || loop {
        let now = time::OffsetDateTime::now_utc();
        // One instance at a time: the next one finds the round recorded and sends nothing.
        let round = st.app.store.in_turn(Work::Reminders, || {
            let _one_round = st.reminder_round.blocking_lock();
            crate::app::reminders::scheduled(&st.app, postman.as_ref(), &schedule, now)
        });
        let round = round.and_then(|r| r);
        match round {
            Ok(Some(o)) if !o.sent.is_empty() => tracing::info!(
                month = %o.month,
                sent = o.sent.iter().filter(|s| s.delivered()).count(),
                failed = o.sent.iter().filter(|s| !s.delivered()).count(),
                no_address = o.no_address.len(),
                "monthly reminders"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("monthly reminders: {e}"),
        }
        std::thread::sleep(REMIND_EVERY);
    });
}

/// Why the service does not start without anchors, and what to do.
fn no_anchors(cfg: &Config) -> String {
    let paths: Vec<String> = cfg
        .trust
        .iter()
        .map(|p| {
            let state = if p.exists() {
                "holds no CA certificate"
            } else {
                "does not exist"
            };
            format!("{} ({state})", p.display())
        })
        .collect();
    format!(
        "no trust anchors: {}. Install the BCY CA certificates there (README, \"Installing the BCY anchors\"), or start with --allow-no-anchors (allow_no_anchors = true) to try kyso without them: every signature is then INDETERMINATE.",
        if paths.is_empty() { "trust = [] in the configuration".to_string() } else { paths.join(", ") }
    )
}

/// Warnings an operator must see (in the log and in /healthz).
fn startup_warnings(config: &Config, trust: &kyso_verify::pki::TrustStore) -> Vec<String> {
    let mut w = crate::config::unknown_env(std::env::vars().map(|(k, _)| k));
    if trust.anchors.is_empty() {
        w.push(format!(
            "no trust anchors installed: every signature will be INDETERMINATE. Install the BCY CA certificates into {} (see README, \"Installing the BCY anchors\") and restart.",
            config.trust.first().map(|p| p.display().to_string()).unwrap_or_else(|| "the trust directory".into())
        ));
    }
    if trust.crls.is_empty() {
        w.push("no CRLs installed: revocation is not checked (see README, \"CRLs\")".into());
    }
    if config.token.is_empty() {
        w.push("no API tokens configured: every API request will be refused with 401. Create one with `kyso token new --name NAME --scope submit --scope read`.".into());
    }
    w
}

/// The registry file at start: imported into an empty registry (a first installation);
/// otherwise never applied by itself, since that would undo edits made through the API. What
/// it would change is said as a warning, with the command that applies it.
fn first_import(store: &Store, file: Registry) -> Result<Vec<String>, String> {
    let current = store.registry();
    if current.units.is_empty() && current.leaders.is_empty() {
        let (u, l) = (file.units.len(), file.leaders.len());
        crate::app::registry_edit::import_all(
            store,
            file,
            &crate::app::registry_edit::Editor::plain("tệp danh mục lúc khởi động lần đầu"),
            time::OffsetDateTime::now_utc(),
        )
        .map_err(|e| e.to_string())?;
        tracing::info!(units = u, leaders = l, "registry imported");
        return Ok(Vec::new());
    }
    let changes = current.changes_from(&file);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![format!(
        "the registry file differs from the registry in the store ({} record(s): {}); it is not applied by itself, so edits made through the API stay. Review with `kyso registry import --dry-run FILE`, apply with `kyso registry import FILE`.",
        changes.len(),
        changes.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
    )])
}

/// Keep this year's months credited (`tables::keep_this_year`), in the background: at start,
/// again after the registry changes (an edit or an import makes every kept month stale), and
/// at the new year. The service answers meanwhile; a table asked for before they are kept
/// credits its months itself. A burst of edits is credited once, when the registry has held
/// still for a second.
fn keep_this_year(state: &actix_web::web::Data<AppState>) {
    let st = state.clone();
    std::thread::spawn(move || {
        // The registry value and the year the kept months were credited for.
        let mut credited_for = (std::sync::Weak::new(), 0);
        loop {
            let registry = st.app.store.registry();
            let year =
                crate::duty::period::Month::of_vietnam_time(time::OffsetDateTime::now_utc()).year;
            let same = std::sync::Weak::ptr_eq(&credited_for.0, &Arc::downgrade(&registry))
                && credited_for.1 == year;
            if !same {
                std::thread::sleep(std::time::Duration::from_secs(1));
                if Arc::ptr_eq(&registry, &st.app.store.registry()) {
                    credit_this_year(&st);
                    credited_for = (Arc::downgrade(&registry), year);
                }
                continue;
            }
            drop(registry);
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
    });
}

fn credit_this_year(st: &AppState) {
    let t = std::time::Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let kept = st.app.store.in_turn(Work::Crediting, || {
        crate::app::tables::keep_this_year(&st.app, now)
    });
    match kept.and_then(|r| r) {
        Ok(months) => tracing::info!(
            months,
            ms = t.elapsed().as_millis() as u64,
            "this year's months credited and kept for the tables"
        ),
        Err(e) => tracing::warn!("crediting this year's months in the background: {e}"),
    }
}

/// The longest one CRL refresh may take (the trusted CAs' CRLs come first).
pub const CRL_REFRESH_WITHIN: std::time::Duration = std::time::Duration::from_secs(600);

/// The CRL addresses of a refresh, in order: the trusted CAs', the pins' and the configured,
/// then those named by stored signers whose chain vouches for them (when `store` is given).
pub fn crl_addresses(
    cfg: &Config,
    trust: &kyso_verify::pki::TrustStore,
    store: Option<&Store>,
) -> Vec<String> {
    let mut configured = crate::trust::pins::crls_for(trust);
    configured.extend(cfg.crl_urls.iter().cloned());
    let harvested = match store.map(|s| s.signer_crl_urls(crate::net::policy::vouched)) {
        Some(Ok(seen)) => seen,
        Some(Err(e)) => {
            tracing::warn!("listing the signers' CRL addresses: {e}");
            Vec::new()
        }
        None => Vec::new(),
    };
    crate::net::crl_fetch::urls(trust, &configured, &harvested)
}

/// One background refresh: fetch, then reload the trust store's CRLs.
fn refresh_crls(state: &AppState) {
    // Each instance keeps its own CRLs (its trust store), fetched one instance at a time.
    let turn = state
        .app
        .store
        .in_turn(Work::CrlRefresh, || refresh_crls_now(state));
    if let Err(e) = turn {
        tracing::warn!("CRL refresh: waiting for this instance's turn: {e}");
    }
}

fn refresh_crls_now(state: &AppState) {
    let trust = state.app.trust();
    let urls = crl_addresses(&state.config, &trust, Some(&state.app.store));
    if urls.is_empty() {
        return;
    }
    let mut outcome = crate::net::crl_fetch::refresh(
        &trust,
        &state.config.crl_dir(),
        &urls,
        &state.config.fetch_policy(),
        CRL_REFRESH_WITHIN,
    );
    for (url, why) in &outcome.failed {
        tracing::warn!(%url, "CRL refresh failed: {why}");
    }
    if !outcome.updated.is_empty() {
        match crate::trust::files::configured(&state.config, &mut |w| tracing::warn!("{w}")) {
            Ok(t) => {
                tracing::info!(
                    crls = t.crls.len(),
                    "trust store reloaded after a CRL refresh"
                );
                state.app.set_trust(t);
            }
            Err(e) => {
                // The new files are on disk but not in force: say so where the operator
                // looks (/healthz), not only in the log.
                tracing::error!("reloading the trust store after a CRL refresh: {e}");
                outcome.failed.push((
                    state.config.crl_dir().display().to_string(),
                    format!("downloaded, but the trust store could not be reloaded: {e}"),
                ));
            }
        }
    }
    if let Ok(mut g) = state.crl_refresh.lock() {
        *g = Some((time::OffsetDateTime::now_utc(), outcome));
    }
}
