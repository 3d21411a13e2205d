//! The `kyso` command line. Holds no domain logic: it loads inputs and prints reports.

use crate::config::Config;
use crate::pki::{Policy, TrustStore};
use crate::report::{Indication, Report, Verdict};
use crate::verify::{self, Options};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Parser, Debug)]
#[command(
    name = "kyso",
    version,
    about = "Verify digitally signed PDFs (BCY / Ban Cơ yếu Chính phủ PKI)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Verify the signatures of PDF files.
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
struct VerifyArgs {
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
    /// One JSON report per file on stdout (one object per line).
    #[arg(long)]
    json: bool,
    /// Configuration file for the default trust store (also KYSO_CONFIG).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Policy: accept SHA-1 as the digest of document signatures (refused by default).
    #[arg(long)]
    allow_sha1_signatures: bool,
    /// Policy: a signature whose revocation cannot be checked (no CRL) is INDETERMINATE.
    #[arg(long)]
    require_revocation: bool,
    /// PDF files to verify.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Run the CLI; returns the process exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Verify(a) => run_verify(a),
    }
}

fn load_store(a: &VerifyArgs) -> Result<TrustStore, String> {
    if !a.trust.is_empty() {
        return TrustStore::load(&a.trust, &a.intermediates, &a.crl).map_err(|e| e.to_string());
    }
    let cfg_path = a
        .config
        .clone()
        .or_else(|| std::env::var_os("KYSO_CONFIG").map(PathBuf::from));
    let cfg =
        Config::load(cfg_path.as_deref(), &|k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    // Configured locations that do not exist yet are skipped with a warning: a fresh install
    // has no anchors, and every signature will then say so.
    let existing = |v: &[PathBuf]| -> Vec<PathBuf> {
        v.iter()
            .filter(|p| {
                let ok = p.exists();
                if !ok {
                    eprintln!(
                        "kyso: warning: configured path {} does not exist",
                        p.display()
                    );
                }
                ok
            })
            .cloned()
            .collect()
    };
    let anchors = existing(&cfg.trust);
    if anchors.is_empty() {
        eprintln!("kyso: warning: no trust anchors installed: every signature will be indeterminate. Install the BCY CA certificates into {} (see README) or pass --trust.",
            cfg.trust.first().map(|p| p.display().to_string()).unwrap_or_default());
    }
    let mut inter = existing(&cfg.intermediates);
    inter.extend(a.intermediates.iter().cloned());
    let mut crls = existing(&cfg.crls);
    crls.extend(a.crl.iter().cloned());
    TrustStore::load(&anchors, &inter, &crls).map_err(|e| e.to_string())
}

fn run_verify(a: VerifyArgs) -> i32 {
    let at = match &a.at {
        Some(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("kyso: --at {s:?} is not an RFC 3339 time: {e}");
                return 2;
            }
        },
        None => OffsetDateTime::now_utc(),
    };
    let store = match load_store(&a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let opts = Options {
        policy: Policy {
            allow_sha1_signatures: a.allow_sha1_signatures,
            require_revocation: a.require_revocation,
            ..Policy::default()
        },
        ..Options::default()
    };
    let mut status = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in &a.files {
        let result = read_file(file)
            .map_err(|e| ("unreadable", format!("cannot read {}: {e}", file.display())))
            .and_then(|bytes| {
                verify::verify(&bytes, &store, &opts, at).map_err(|e| (e.code(), e.to_string()))
            });
        match result {
            Ok(report) => {
                if report.verdict != Verdict::Valid {
                    status = status.max(1);
                }
                if a.json {
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&report).unwrap_or_default()
                    );
                } else {
                    let _ = write!(out, "{}", human(file, &report));
                }
            }
            Err((code, message)) => {
                status = 2;
                if a.json {
                    let v = serde_json::json!({"error": {"code": code, "message": message}});
                    let _ = writeln!(out, "{v}");
                } else {
                    let _ = writeln!(out, "{}: ERROR ({code}): {message}", file.display());
                }
            }
        }
    }
    status
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
        r.validation_time
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
            sig.signing_time.as_deref().unwrap_or("unknown"),
            serde_plain(&sig.signing_time_source)
        );
        s += &format!(
            "    result:   {result}\n    covers:   {}, changes after: {}\n",
            serde_plain(&sig.coverage),
            serde_plain(&sig.modifications_after)
        );
        for p in &sig.problems {
            s += &format!("    - {} [{}]\n", p.message, p.code);
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
