//! The commands that work on the data directory while the service is stopped (or beside it, for
//! `crl refresh`): registry import, reindex, store verify, reverify.

use crate::config::Config;
use crate::duty::registry::Registry;
use crate::store::backup::{BackupKey, Seal};
use crate::store::Store;
use std::path::Path;

/// The store of a maintenance command. Unlike `serve`, these never create a data directory: a
/// missing one almost always means a missing `--config`, and "reindexed 0 submissions" would
/// hide that.
fn open_existing(cfg: &Config) -> Result<Store, String> {
    if cfg.database_url().is_some() {
        return cfg.open_store_beside().map_err(|e| e.to_string());
    }
    if !cfg.data_dir.is_dir() {
        return Err(format!(
            "the data directory {} does not exist: name the service's configuration with --config (or KYSO_CONFIG, KYSO_DATA_DIR)",
            cfg.data_dir.display()
        ));
    }
    crate::startup::open_store(cfg)
}

/// `kyso crl refresh`: fetch the CRLs now (the service need not be stopped).
pub fn crl_refresh(cfg: &Config) -> Result<(String, bool), String> {
    if cfg.offline {
        return Err("offline = true in the configuration: kyso fetches nothing. Copy the CRLs into the CRL directory by hand, or set offline = false".into());
    }
    let trust = crate::trust::files::configured(cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
    // The signers seen so far name their CRLs too; while the service holds the store, its own
    // background refresh covers them.
    let store = cfg.open_store_beside().ok();
    if store.is_none() {
        eprintln!("kyso: note: the data directory is in use (service running?): the stored signers' CRL addresses are left to the service's refresh");
    }
    let urls = crate::startup::crl_addresses(cfg, &trust, store.as_ref());
    if urls.is_empty() {
        return Ok((
            "no CRL addresses: the trusted certificates name none and crl_urls is empty".into(),
            true,
        ));
    }
    let o = crate::net::crl_fetch::refresh(
        &trust,
        &cfg.crl_dir(),
        &urls,
        &cfg.fetch_policy(),
        crate::startup::CRL_REFRESH_WITHIN,
    );
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

/// A registry file as records to merge into the store's registry: its `[[person]]` and
/// `[[post]]` records read against it (a person alone updates the posts already recorded).
fn read_fragment(store: &Store, file: &Path) -> Result<Registry, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    Registry::fragment_from_toml(&text)
        .and_then(|r| store.registry().expand_persons(r))
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// `kyso registry import`; `create` allows a new data directory (a first installation);
/// `correction`: the reason for changes that alter past months.
pub fn import_registry(
    cfg: &Config,
    file: &Path,
    create: bool,
    correction: Option<&str>,
) -> Result<String, String> {
    let store = if create {
        crate::startup::open_store(cfg)?
    } else {
        open_existing(cfg)?
    };
    let r = read_fragment(&store, file)?;
    let (u, l) = (r.units.len(), r.leaders.len());
    let editor = crate::app::registry_edit::Editor {
        by: "kyso registry import".into(),
        correction: correction.map(str::to_string),
    };
    let all =
        crate::app::registry_edit::import_all(&store, r, &editor, time::OffsetDateTime::now_utc())
            .map_err(|e| e.to_string())?;
    Ok(format!(
        "imported {u} unit(s) and {l} leader(s); the registry now has {} unit(s) and {} leader(s)",
        all.units.len(),
        all.leaders.len()
    ))
}

pub fn reindex(cfg: &Config) -> Result<String, String> {
    let store = open_existing(cfg)?;
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
pub fn store_verify(cfg: &Config, reverify: bool) -> Result<(String, bool), String> {
    let store = open_existing(cfg)?;
    let mut progress = counter("checked");
    let mut r = store.check(&mut progress).map_err(|e| e.to_string())?;
    if reverify {
        let trust = crate::trust::files::configured(cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
        let app = cfg.app(store, trust);
        r.problems
            .extend(crate::app::reverify::differences(&app).map_err(|e| e.to_string())?);
    }
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
    let store = open_existing(cfg)?;
    let trust = crate::trust::files::configured(cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
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
    let app = cfg.app(store, trust);
    let out = crate::app::reverify::run(
        &app,
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

/// `kyso store backup DIR` (service stopped): the evidence files and a manifest, into an empty
/// or new directory.
pub fn store_backup(cfg: &Config, dest: &Path) -> Result<String, String> {
    if let Some(url) = cfg.database_url() {
        return Err(format!(
            "the store is in PostgreSQL ({}): back it up with PostgreSQL's own tools, `pg_dump --format=custom` for a copy or `pg_basebackup` with WAL archiving for point-in-time recovery (README, \"Backups\"); `kyso store verify` then checks every file's SHA-256",
            crate::store::postgres::redacted(url)
        ));
    }
    let store = open_existing(cfg)?;
    let mut progress = counter("copied");
    let (key, made) = if cfg.backup_key.exists() {
        (BackupKey::load(&cfg.backup_key), false)
    } else {
        (BackupKey::create(&cfg.backup_key), true)
    };
    let key = key.map_err(|e| format!("the backup key: {e}"))?;
    let m = store
        .backup(dest, time::OffsetDateTime::now_utc(), &key, &mut progress)
        .map_err(|e| e.to_string())?;
    let mut out = format!(
        "backed up {} submission(s) ({} files) from {} to {}; MANIFEST.json written last, sealed with the backup key {}",
        m.submissions,
        m.files.len(),
        cfg.data_dir.display(),
        dest.display(),
        cfg.backup_key.display()
    );
    if made {
        out += &format!(
            "\nA new backup key was made at {}. Keep a copy of it apart from the backups (not on the backup medium): a restore needs it, and without it a backup cannot be told from a forged one.",
            cfg.backup_key.display()
        );
    }
    Ok(out)
}

/// `kyso store restore DIR`: check the backup whole, copy it into the configured data
/// directory (which must not hold a store yet), rebuild the index, and verify the result.
pub fn store_restore(cfg: &Config, src: &Path, unsealed: bool) -> Result<(String, bool), String> {
    let key;
    let seal = if unsealed {
        Seal::Unsealed
    } else {
        key = BackupKey::load(&cfg.backup_key).map_err(|e| {
            format!(
                "the backup key ({e}): a restore checks the backup's seal with the key the backup was made with; configure backup_key (or KYSO_BACKUP_KEY) to its copy"
            )
        })?;
        Seal::Key(&key)
    };
    let (store, m) = Store::restore(src, &cfg.data_dir, seal).map_err(|e| e.to_string())?;
    let check = store.check(&mut |_, _| {}).map_err(|e| e.to_string())?;
    Ok((
        format!(
            "restored {} submission(s) from {} (backup of {}) into {}; store verify: {}",
            m.submissions,
            src.display(),
            m.created_at,
            cfg.data_dir.display(),
            if check.is_clean() {
                "all consistent".to_string()
            } else {
                check.problems.join("; ")
            }
        ),
        check.is_clean(),
    ))
}

/// `kyso registry import --dry-run FILE`: what the import would change, one line per record.
pub fn registry_changes(cfg: &Config, file: &Path) -> Result<String, String> {
    // Read from the files (or the database), never the store's lock: the preview works while
    // the service runs.
    if let Some(t) = cfg.database_target() {
        let t = crate::store::postgres::Target { pool: 1, ..t };
        let db = crate::store::postgres::Database::open_target(&t).map_err(|e| e.to_string())?;
        let current = crate::store::postgres::registry_in(&db).map_err(|e| e.to_string())?;
        return preview_changes(&std::sync::Arc::new(current), file);
    }
    if !cfg.data_dir.is_dir() {
        return Err(format!(
            "the data directory {} does not exist: name the service's configuration with --config (or KYSO_CONFIG, KYSO_DATA_DIR)",
            cfg.data_dir.display()
        ));
    }
    let current = std::sync::Arc::new(
        crate::store::registry::read_files(&cfg.data_dir).map_err(|e| e.to_string())?,
    );
    preview_changes(&current, file)
}

/// What importing `file` over `current` would change, as `registry import --dry-run` says it.
fn preview_changes(current: &std::sync::Arc<Registry>, file: &Path) -> Result<String, String> {
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let fragment = crate::app::registry_import::parse_registry(&text)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let p =
        crate::app::registry_import::preview(current, fragment, time::OffsetDateTime::now_utc())
            .map_err(|e| format!("{}: {e}", file.display()))?;
    let o = &p.outcome;
    if o.changes.is_empty() {
        return Ok("the import would change nothing".to_string());
    }
    let mut out = format!(
        "{}\n{} record(s) would change; nothing was changed (run without --dry-run to apply)",
        o.changes.join("\n"),
        o.changes.len()
    );
    if !o.rewrites_past.is_empty() {
        out += &format!(
            "\n{}\nthe import would be refused without --correction \"<reason>\"",
            crate::duty::registry::past::describe(&o.rewrites_past)
        );
    }
    Ok(out)
}

/// A store named on the command line: a PostgreSQL address or a data directory. The source
/// must exist; a target directory is made.
fn store_at(spec: &str, source: bool, ca: Option<&Path>) -> Result<Store, String> {
    let s = spec.trim();
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        let target = crate::store::postgres::Target {
            url: s.to_string(),
            pool: 4,
            ca: ca.map(Path::to_path_buf),
        };
        return Store::open_postgres_scratch(&target).map_err(|e| e.to_string());
    }
    let dir = Path::new(s);
    if source && !dir.join("VERSION").is_file() {
        return Err(format!(
            "{}: not a kyso data directory (no VERSION file)",
            dir.display()
        ));
    }
    Store::open(dir).map_err(|e| e.to_string())
}

/// `kyso store migrate --from SRC --to DST`.
pub fn store_migrate(from: &str, to: &str, ca: Option<&Path>) -> Result<(String, bool), String> {
    let source = store_at(from, true, ca)?;
    let target = store_at(to, false, ca)?;
    let mut progress = counter("copied");
    let copied = crate::store::migrate::migrate(&source, &target, &mut progress)
        .map_err(|e| e.to_string())?;
    Ok((
        format!("migrated {copied}; the target holds the same counts, every record equal and every PDF hashing to its id"),
        true,
    ))
}

/// Progress on a terminal ("checked 300/16838"), every hundred and at the end; nothing when
/// standard error is not a terminal.
fn counter(verb: &'static str) -> impl FnMut(usize, usize) {
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    move |done, total| {
        if tty && (done % 100 == 0 || done == total) {
            eprint!("\r{verb} {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    }
}
