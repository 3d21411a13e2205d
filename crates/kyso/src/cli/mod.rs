//! The `kyso` command line. Holds no domain logic: it loads inputs and prints reports.

mod cert;
pub mod demo;
pub mod maintenance;

use crate::config::Config;
use clap::{Args, Parser, Subcommand};
use kyso_verify::pki::{Policy, TrustStore};
use kyso_verify::report::{Indication, ProblemCode, Report, Verdict};
use kyso_verify::verify::{self, Options};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Parser, Debug)]
#[command(
    name = "kyso",
    version,
    about = "Verify digitally signed PDFs (BCY / Ban Cơ yếu Chính phủ PKI)",
    after_help = EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_STATUS: &str = "Exit status:\n  0  success (verify: every file VALID)\n  1  verify: a file is not VALID (INVALID, INDETERMINATE, UNSIGNED); other commands: the command failed\n  2  usage error, unreadable trust files, or a file that could not be evaluated";

#[derive(Subcommand, Debug)]
enum Command {
    /// Verify the signatures of PDF files.
    #[command(after_help = EXIT_STATUS)]
    Verify(VerifyArgs),
    /// Run the HTTP service.
    Serve {
        /// Configuration file (TOML; also KYSO_CONFIG). Every key has a default.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the service with the fixture test PKI and a demo registry of Hương Trà units.
    Demo {
        /// Where the demo keeps its data [default: kyso-demo in the system's temporary directory,
        /// outside the checkout].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// The fixtures directory of the source tree.
        #[arg(long, default_value = "fixtures")]
        fixtures: PathBuf,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The registry of units, leaders and certificate enrolments.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// CRLs.
    Crl {
        #[command(subcommand)]
        command: CrlCommand,
    },
    /// Re-verify every stored submission with the current trust store and CRLs (service
    /// stopped); changed verdicts are kept in each submission's history.
    Reverify {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// The evidence store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Certificates.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout: `kyso man > kyso.1`.
    Man,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Print a fresh random token and the configuration block to paste.
    New {
        #[arg(long)]
        name: String,
        /// submit, read or admin; repeatable.
        #[arg(long = "scope", required = true, value_parser = ["submit", "read", "admin"])]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum CertCommand {
    /// Check a certificate (e.g. a token's, before enrolling it) with the same path building,
    /// certificate checks and revocation as signatures: chain to a trusted anchor, validity at
    /// --at, key usage for signing, name constraints, CRLs.
    #[command(after_help = EXIT_STATUS)]
    Verify(CertArgs),
}

#[derive(Args, Debug)]
struct CertArgs {
    #[command(flatten)]
    trust: TrustOpts,
    /// One JSON object per certificate on stdout.
    #[arg(long)]
    json: bool,
    /// Certificate files (PEM or DER; a PEM file may hold several).
    #[arg(required = true, value_name = "CERT")]
    certs: Vec<PathBuf>,
}

/// Where trust, revocation and time come from (`verify` and `cert verify`).
#[derive(Args, Debug)]
struct TrustOpts {
    /// Trust anchors: PEM (one or many certificates) or DER files, or directories. Repeatable.
    /// Without it, the configured trust store is used.
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// Extra CA certificates for path building (same forms). Repeatable.
    #[arg(long = "intermediates", value_name = "PATH")]
    intermediates: Vec<PathBuf>,
    /// CRL files (DER or PEM) or directories. Repeatable.
    #[arg(long = "crl", value_name = "PATH")]
    crl: Vec<PathBuf>,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long = "at", value_name = "RFC3339")]
    at: Option<String>,
    /// Configuration file for the default trust store (also KYSO_CONFIG).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Policy: a certificate whose revocation cannot be checked (no CRL, no OCSP answer) is
    /// INDETERMINATE.
    #[arg(long)]
    require_revocation: bool,
    /// Ask the OCSP responders the certificates name (authorityInfoAccess), RFC 6960.
    #[arg(long)]
    ocsp: bool,
}

#[derive(Subcommand, Debug)]
enum RegistryCommand {
    /// Import (upsert) a registry TOML file into the data directory (service stopped).
    Import {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Create the data directory if it does not exist yet (a first installation).
        #[arg(long)]
        create_data_dir: bool,
        /// Show what the import would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply changes that alter months already past, as an explicit correction with this
        /// reason (kept in the audit log); without it such an import is refused.
        #[arg(long, value_name = "REASON")]
        correction: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum CrlCommand {
    /// Download the CRLs named by the trusted CAs (and crl_urls), verify them, keep the newest.
    Refresh {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum StoreCommand {
    /// Rebuild the sled index from the evidence files (service stopped).
    Reindex {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Re-hash every stored PDF and compare records, PDFs and index (read-only; service
    /// stopped). Exit status 0 when all is consistent, 1 otherwise; one line per problem.
    Verify {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Copy the evidence (PDFs, records, registry; not the index) into DIR, new or empty, with
    /// a manifest of SHA-256 sums written last (service stopped).
    Backup {
        dir: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check a backup against its manifest, copy it into the configured data directory (which
    /// must not hold a store yet), rebuild the index and verify the result.
    Restore {
        dir: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
struct VerifyArgs {
    #[command(flatten)]
    trust: TrustOpts,
    /// One JSON report per file on stdout (one object per line).
    #[arg(long)]
    json: bool,
    /// Policy: accept SHA-1 as the digest of document signatures (refused by default).
    #[arg(long)]
    allow_sha1_signatures: bool,
    /// PDF files to verify; a directory means the `.pdf` files under it, `-` standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Run the CLI; returns the process exit status.
/// Warnings of the library (an OCSP responder that failed, ...) on stderr, for the commands
/// other than `serve` and `demo` (which set up the service's logging).
fn command_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KYSO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        command_logging();
    }
    match cli.command {
        Command::Verify(a) => run_verify(a),
        Command::Cert {
            command: CertCommand::Verify(a),
        } => cert::run(a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "kyso", &mut std::io::stdout());
            0
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(e) => fail(&e.to_string()),
            }
        }
        Command::Serve { config } => match load_config(config.as_deref()) {
            Ok(cfg) => crate::startup::run(cfg, None),
            Err(e) => fail(&e),
        },
        Command::Demo {
            data_dir,
            bind,
            fixtures,
        } => {
            let data_dir = data_dir.unwrap_or_else(|| std::env::temp_dir().join("kyso-demo"));
            crate::cli::demo::demo(&data_dir, &bind, &fixtures)
        }
        Command::Token {
            command: TokenCommand::New { name, scopes },
        } => token_new(&name, &scopes),
        Command::Registry {
            command:
                RegistryCommand::Import {
                    file,
                    config,
                    create_data_dir,
                    dry_run,
                    correction,
                },
        } => with_config(config, |cfg| {
            if dry_run {
                return crate::cli::maintenance::registry_changes(cfg, &file).map(|m| (m, true));
            }
            crate::cli::maintenance::import_registry(
                cfg,
                &file,
                create_data_dir,
                correction.as_deref(),
            )
            .map(|m| (m, true))
        }),
        Command::Crl {
            command: CrlCommand::Refresh { config },
        } => with_config(config, crate::cli::maintenance::crl_refresh),
        Command::Reverify { config } => with_config(config, |cfg| {
            crate::cli::maintenance::reverify(cfg).map(|m| (m, true))
        }),
        Command::Store { command } => store_command(command),
    }
}

/// `kyso store ...`: the maintenance commands on the evidence store.
fn store_command(command: StoreCommand) -> i32 {
    match command {
        StoreCommand::Reindex { config } => with_config(config, |cfg| {
            crate::cli::maintenance::reindex(cfg).map(|m| (m, true))
        }),
        StoreCommand::Backup { dir, config } => with_config(config, |cfg| {
            crate::cli::maintenance::store_backup(cfg, &dir).map(|m| (m, true))
        }),
        StoreCommand::Restore { dir, config } => with_config(config, |cfg| {
            crate::cli::maintenance::store_restore(cfg, &dir)
        }),
        StoreCommand::Verify { config } => {
            with_config(config, crate::cli::maintenance::store_verify)
        }
    }
}

/// Load the configuration, run `f`, print its summary; the exit status of [`print_outcome`].
fn with_config(
    config: Option<PathBuf>,
    f: impl FnOnce(&Config) -> Result<(String, bool), String>,
) -> i32 {
    print_outcome(load_config(config.as_deref()).and_then(|cfg| f(&cfg)))
}

/// Print a command's summary; exit 0 when it succeeded cleanly, 1 otherwise.
fn print_outcome(r: Result<(String, bool), String>) -> i32 {
    match r {
        Ok((msg, clean)) => {
            println!("{msg}");
            i32::from(!clean)
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &str) -> i32 {
    eprintln!("kyso: {e}");
    1
}

/// The configuration: `--config`, else KYSO_CONFIG, else the embedded defaults; then KYSO_*.
pub fn load_config(path: Option<&Path>) -> Result<Config, String> {
    let p = path
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KYSO_CONFIG").map(PathBuf::from));
    Config::load(p.as_deref(), &|k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

fn token_new(name: &str, scopes: &[String]) -> i32 {
    let mut raw = [0u8; 32];
    if let Err(e) = getrandom::getrandom(&mut raw) {
        return fail(&format!("no randomness available: {e}"));
    }
    let token = format!("kyso_{}", hex::encode(raw));
    let digest = hex::encode(kyso_verify::pki::crypto::sha256(token.as_bytes()));
    let scopes = scopes
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!("# Token for {name} (shown once; kyso stores only its SHA-256):\n# {token}\n");
    println!("[[token]]\nname = {name:?}\nsha256 = \"{digest}\"\nscopes = [{scopes}]");
    0
}

/// Where the trust store comes from: `--trust` (then `--intermediates`, `--crl`), or the
fn load_store(a: &TrustOpts) -> Result<TrustStore, String> {
    let mut store = load_files(a)?;
    if a.ocsp {
        let client = crate::net::ocsp_fetch::OcspClient::new(std::time::Duration::from_secs(5));
        store.online = Some(client.session());
    }
    Ok(store)
}

fn load_files(a: &TrustOpts) -> Result<TrustStore, String> {
    if !a.trust.is_empty() {
        return crate::trust::files::load(&a.trust, &a.intermediates, &a.crl)
            .map_err(|e| e.to_string());
    }
    let mut cfg = load_config(a.config.as_deref())?;
    cfg.intermediates.extend(a.intermediates.iter().cloned());
    cfg.crls.extend(a.crl.iter().cloned());
    let store = crate::trust::files::configured(&cfg, &mut |w| eprintln!("kyso: warning: {w}"))?;
    if store.anchors.is_empty() {
        eprintln!(
            "kyso: warning: no trust anchors installed: every signature will be indeterminate. Install the BCY CA certificates into {} (see README) or pass --trust.",
            cfg.trust.first().map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    Ok(store)
}

/// `--at`, or now.
fn parse_at(at: Option<&str>) -> Result<OffsetDateTime, String> {
    match at {
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| format!("--at {s:?} is not an RFC 3339 time: {e}")),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

fn run_verify(a: VerifyArgs) -> i32 {
    let at = match parse_at(a.trust.at.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let store = match load_store(&a.trust) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let opts = Options {
        policy: Policy {
            allow_sha1_signatures: a.allow_sha1_signatures,
            require_revocation: a.trust.require_revocation,
            ..Policy::default()
        },
        ..Options::default()
    };
    let inputs = match inputs(&a.files) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let mut status = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for input in &inputs {
        let name = input.display().to_string();
        let result = read_input(input)
            .map_err(|e| ("unreadable", format!("cannot read {name}: {e}")))
            .and_then(|bytes| {
                verify::verify(&bytes, &store, &opts, at).map_err(|e| (e.code(), e.to_string()))
            });
        let (line, file_status) = match result {
            Ok(report) => (report_line(&name, &report, a.json), report_status(&report)),
            Err((code, message)) => (error_line(&name, code, &message, a.json), 2),
        };
        status = status.max(file_status);
        let _ = write!(out, "{line}");
    }
    status
}

/// The inputs named on the command line: files as given, directories as the `.pdf` files under
/// them (sorted, recursively), `-` as standard input.
fn inputs(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let before = out.len();
            pdfs_under(a, &mut out).map_err(|e| format!("{}: {e}", a.display()))?;
            if out.len() == before {
                return Err(format!("{}: no .pdf files in this directory", a.display()));
            }
        } else {
            out.push(a.clone());
        }
    }
    Ok(out)
}

fn pdfs_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pdfs_under(&p, out)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
    Ok(())
}

fn read_input(path: &Path) -> std::io::Result<FileBytes> {
    if path == Path::new("-") {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut v)?;
        return Ok(FileBytes::Read(v));
    }
    read_file(path)
}

fn report_status(r: &Report) -> i32 {
    i32::from(r.verdict != Verdict::Valid)
}

/// One report: a JSON object with `"file"` first, then the report of ARCHITECTURE.md §5.1; or the
/// readable block.
fn report_line(name: &str, r: &Report, json: bool) -> String {
    if !json {
        return human(Path::new(name), r);
    }
    let mut obj = serde_json::Map::new();
    obj.insert("file".into(), name.into());
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(r) {
        obj.extend(fields);
    }
    format!("{}\n", serde_json::Value::Object(obj))
}

fn error_line(name: &str, code: &str, message: &str, json: bool) -> String {
    if json {
        let v = serde_json::json!({"file": name, "error": {"code": code, "message": message}});
        format!("{v}\n")
    } else {
        format!("{name}: ERROR ({code}): {message}\n")
    }
}

/// The file's bytes. Large files are memory-mapped rather than copied: verification reads each
/// byte about once, and a copy would cost as much as the hashing.
fn read_file(path: &Path) -> std::io::Result<FileBytes> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len >= 1 << 20 {
        // SAFETY: the mapping is read-only and private to this process. If another process
        // truncates the file while we read it, the OS may stop us (SIGBUS); that ends this CLI run
        // without a verdict, which is acceptable for a command-line verifier.
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&f)? };
        Ok(FileBytes::Mapped(map))
    } else {
        Ok(FileBytes::Read(std::fs::read(path)?))
    }
}

enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "VALID (hợp lệ)",
        Verdict::Invalid => "INVALID (không hợp lệ)",
        Verdict::Indeterminate => "INDETERMINATE (chưa xác định được)",
        Verdict::Unsigned => "UNSIGNED (không có chữ ký số)",
    }
}

/// The readable report: one block per signature.
pub fn human(file: &Path, r: &Report) -> String {
    let mut s = format!(
        "{}: {}\n  sha256 {}, {} bytes, {} revision(s), validated at {}\n",
        file.display(),
        verdict_words(r.verdict),
        r.document.sha256,
        r.document.size,
        r.document.revisions,
        kyso_verify::report::wire_time::format(r.validation_time)
    );
    for p in &r.document_problems {
        s += &format!("  ! {}\n", p.message);
    }
    for (i, sig) in r.signatures.iter().enumerate() {
        let result = match (sig.indication, sig.sub_indication) {
            (Indication::TotalPassed, _) => "TOTAL_PASSED".to_string(),
            (i, Some(sub)) => format!("{} / {}", serde_plain(&i), serde_plain(&sub)),
            (i, None) => serde_plain(&i),
        };
        s += &format!(
            "  Signature {} {} ({})\n",
            i + 1,
            sig.field
                .as_deref()
                .map(|f| format!("\"{f}\""))
                .unwrap_or_else(|| "(no field)".into()),
            sig.sub_filter.as_deref().unwrap_or("no /SubFilter")
        );
        if let Some(signer) = &sig.signer {
            s += &format!(
                "    signer:   {}\n    issuer:   {}\n",
                signer.subject, signer.issuer
            );
        }
        s += &format!(
            "    time:     {} ({})\n",
            sig.signing_time
                .map(kyso_verify::report::wire_time::format)
                .unwrap_or_else(|| "unknown".into()),
            serde_plain(&sig.signing_time_source)
        );
        s += &format!(
            "    result:   {result}\n    covers:   {}, changes after: {}\n",
            serde_plain(&sig.coverage),
            serde_plain(&sig.modifications_after)
        );
        for p in &sig.problems {
            s += &format!("    - {} [{}]\n", p.message, p.code);
            if p.code == ProblemCode::NoChain {
                s += "      hint: BCY signing tools embed only the signer's certificate; if the issuer is a sub-CA, pass its certificate with --intermediates (or install it in the configured intermediates)\n";
            }
        }
    }
    s
}

fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
