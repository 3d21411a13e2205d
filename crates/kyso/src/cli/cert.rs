//! `kyso cert verify`: one certificate through the signature path engine, before an
//! administrator enrols it.

use super::args::CertArgs;
use super::verify::{load_store, parse_at, Trust, OCSP_WITHIN};
use kyso_verify::pki::{Cert, Policy};
use kyso_verify::report::Indication;
use kyso_verify::verify::{verify_certificate, CertificateReport};
use std::io::Write;
use std::sync::Arc;
use time::OffsetDateTime;

pub(super) fn run(a: CertArgs) -> i32 {
    let prepared = parse_at(a.trust.at.as_deref()).and_then(|at| {
        let store = load_store(&a.trust)?;
        Ok((at, store))
    });
    let (at, trust) = match prepared {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kyso: {e}");
            return 2;
        }
    };
    let policy = Policy {
        require_revocation: a.trust.require_revocation,
        ..Policy::default()
    };
    let mut status = 0;
    let mut out = std::io::stdout().lock();
    for file in &a.certs {
        let name = file.display().to_string();
        let certs = match crate::trust::files::load_certs(file) {
            Ok(c) => c,
            Err(e) => {
                status = 2;
                let _ = if a.json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"file": name, "error": {"code": "not_a_certificate", "message": e.to_string()}})
                    )
                } else {
                    writeln!(out, "{name}: ERROR: {e}")
                };
                continue;
            }
        };
        for c in certs {
            let r = check(&Arc::new(c), &trust, &policy, at);
            status = status.max(i32::from(!r.passed()));
            let _ = write!(out, "{}", render(&name, &r, a.json));
        }
    }
    status
}

/// The certificate checked with what is known; with `--ocsp`, its responders (and its CAs')
/// asked once its path is found clean, and checked again with their answers.
fn check(
    cert: &Arc<Cert>,
    trust: &Trust,
    policy: &Policy,
    at: OffsetDateTime,
) -> CertificateReport {
    let Some(client) = &trust.ocsp else {
        return verify_certificate(cert, &trust.store, policy, at);
    };
    let with = |session: std::sync::Arc<crate::net::ocsp_fetch::Session>| {
        let mut online = trust.store.clone();
        online.online = Some(session);
        online
    };
    let first = client.collecting();
    let r = verify_certificate(cert, &with(first.clone()), policy, at);
    let deadline = std::time::Instant::now() + OCSP_WITHIN;
    if !crate::net::policy::chain_clean(&r.problems, r.sub_indication)
        || client.fetch_all(&first.wanted(), deadline) == 0
    {
        return r;
    }
    verify_certificate(cert, &with(client.cached_only()), policy, at)
}

fn render(name: &str, r: &CertificateReport, json: bool) -> String {
    if json {
        let mut v = serde_json::json!({ "file": name });
        if let (Some(o), Ok(serde_json::Value::Object(fields))) =
            (v.as_object_mut(), serde_json::to_value(r))
        {
            o.extend(fields);
        }
        return format!("{v}\n");
    }
    let verdict = match r.indication {
        Indication::TotalPassed => "VALID (hợp lệ)",
        Indication::TotalFailed => "INVALID (không hợp lệ)",
        Indication::Indeterminate => "INDETERMINATE (chưa xác định được)",
    };
    let mut s = format!(
        "{name}: {verdict}\n  subject:  {}\n  issuer:   {}\n  serial:   {}\n  sha256:   {}\n  chain:    {}\n  checked at {}\n",
        r.subject,
        r.issuer,
        r.serial,
        r.sha256,
        r.chain.join("  ->  "),
        r.validation_time
    );
    if let Some(a) = &r.anchor {
        s += &format!("  anchor:   {} ({})\n", a.subject, a.sha256);
    }
    for p in &r.problems {
        s += &format!("  - {} [{}]\n", p.message, p.code);
    }
    s
}
