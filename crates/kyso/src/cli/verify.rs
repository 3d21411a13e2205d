//! `kyso verify`: files or directories in, one report per file out (text or JSON lines),
//! with the exit status of the worst.

use super::args::{TrustOpts, VerifyArgs};
use super::load_config;
use crate::net::ocsp_fetch::OcspClient;
use kyso_verify::pki::{Policy, TrustStore};
use kyso_verify::report::{Indication, ProblemCode, Report, Verdict};
use kyso_verify::verify::{self, Options};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The trust store, and the OCSP client when `--ocsp` asks for one (its requests go where the
/// configuration's `fetch_private_addresses` and `fetch_hosts` allow).
pub(super) struct Trust {
    pub store: TrustStore,
    pub ocsp: Option<Arc<OcspClient>>,
}

/// How long `--ocsp` waits for the responders of one file, in all.
pub(super) const OCSP_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Where the trust store comes from: `--trust` (then `--intermediates`, `--crl`), or the
/// configuration.
pub(super) fn load_store(a: &TrustOpts) -> Result<Trust, String> {
    let store = load_files(a)?;
    let ocsp = if a.ocsp {
        let policy = load_config(a.config.as_deref())?.fetch_policy();
        Some(OcspClient::new(std::time::Duration::from_secs(5), policy))
    } else {
        None
    };
    Ok(Trust { store, ocsp })
}

fn load_files(a: &TrustOpts) -> Result<TrustStore, String> {
    if !a.trust.is_empty() {
        return crate::trust::files::load_with(&a.trust, &a.intermediates, &a.crl, &mut |w| {
            eprintln!("kyso: warning: {w}")
        })
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

/// `--at`: an RFC 3339 time, or a date (`2026-12-01`: the start of that day in Vietnam time);
/// now when absent.
pub(super) fn parse_at(at: Option<&str>) -> Result<OffsetDateTime, String> {
    let Some(s) = at.map(str::trim) else {
        return Ok(OffsetDateTime::now_utc());
    };
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok();
    match date {
        Some(d) => Ok(d.midnight().assume_offset(time::macros::offset!(+7))),
        None => Err(format!(
            "--at {s:?} is neither a date nor a time: write a date, 2026-12-01 (the start of that day in Vietnam time), or an RFC 3339 time, 2026-12-01T09:30:00+07:00"
        )),
    }
}

pub(super) fn run_verify(a: VerifyArgs) -> i32 {
    let at = match parse_at(a.trust.at.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let trust = match load_store(&a.trust) {
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
    // Files are verified on every core, their reports written in the order given.
    let mut status = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let one = |input: &PathBuf| verify_one(input, &trust, &opts, at, a.json);
    crate::app::batch::in_order(
        &inputs,
        crate::app::batch::threads(),
        one,
        |_, (line, s)| {
            status = status.max(s);
            let _ = write!(out, "{line}");
        },
    );
    status
}

/// One file's report (or error) as it is printed, and its exit status.
fn verify_one(
    input: &Path,
    trust: &Trust,
    opts: &Options,
    at: OffsetDateTime,
    json: bool,
) -> (String, i32) {
    let name = input.display().to_string();
    let result = read_input(input)
        .map_err(|e| ("unreadable", format!("cannot read {name}: {e}")))
        .and_then(|bytes| {
            match &trust.ocsp {
                Some(client) => crate::app::online::verify_online(
                    &bytes,
                    &trust.store,
                    opts,
                    at,
                    client,
                    OCSP_WITHIN,
                )
                .map(|(r, _)| r),
                None => verify::verify(&bytes, &trust.store, opts, at),
            }
            .map_err(|e| (e.code(), e.to_string()))
        });
    match result {
        Ok(report) => (report_line(&name, &report, json), report_status(&report)),
        Err((code, message)) => (error_line(&name, code, &message, json), 2),
    }
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
    with_file_first(
        name,
        &serde_json::to_string(r).unwrap_or_else(|_| "{}".into()),
    )
}

/// `{"file": name, …the fields of object…}`: the file's name first on every line, whatever the
/// order the serializer gives the rest.
fn with_file_first(name: &str, object: &str) -> String {
    let file = serde_json::to_string(name).unwrap_or_else(|_| "\"\"".into());
    match object.strip_prefix('{').map(str::trim_start) {
        Some(rest) if rest.starts_with('}') => format!("{{\"file\":{file}}}\n"),
        Some(rest) => format!("{{\"file\":{file},{rest}\n"),
        None => format!("{{\"file\":{file}}}\n"),
    }
}

fn error_line(name: &str, code: &str, message: &str, json: bool) -> String {
    if json {
        let v = serde_json::json!({"error": {"code": code, "message": message}});
        with_file_first(name, &v.to_string())
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
