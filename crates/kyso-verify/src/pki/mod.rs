//! Trust anchors, intermediates, CRLs; path building and certificate checks.
//!
//! The validation time is always an argument: nothing here reads the clock.

use crate::der::oid;
pub mod cert;
pub mod crl_scope;
pub mod crypto;
pub mod name;
pub mod name_constraints;
pub mod ocsp;
mod ocsp_asn1;

use crate::budget::Budget;
pub use cert::{Cert, Crl};
use crypto::DigestAlg;
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad certificate: {0}")]
    BadCertificate(String),
    #[error("bad CRL: {0}")]
    BadCrl(String),
    #[error("{path}: {what}")]
    File { path: PathBuf, what: String },
    #[error("{path}: certificate \"{cn}\" claims to be a BCY CA but its SHA-256 {found} does not match the pinned {pinned}")]
    PinMismatch {
        path: PathBuf,
        cn: String,
        found: String,
        pinned: String,
    },
}

/// What the verifier accepts. Defaults are the documented policy (README "Policy").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// SHA-1 in CA certificate signatures (the BCY G1 chain is sha1WithRSA).
    pub allow_sha1_in_chain: bool,
    /// SHA-1 as the digest of a document signature (refused by default).
    pub allow_sha1_signatures: bool,
    pub min_rsa_bits: usize,
    /// Without a CRL for an issuer, make the signature INDETERMINATE (default: report only).
    pub require_revocation: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_sha1_in_chain: true,
            allow_sha1_signatures: false,
            min_rsa_bits: 2048,
            require_revocation: false,
        }
    }
}

/// Anchors, intermediates and CRLs, loaded once and shared.
#[derive(Debug, Default, Clone)]
pub struct TrustStore {
    pub anchors: Vec<Arc<Cert>>,
    pub intermediates: Vec<Arc<Cert>>,
    pub crls: Vec<Arc<Crl>>,
    /// OCSP responses (from documents); each is checked against the issuer before use.
    pub ocsps: Vec<Arc<ocsp::OcspResponse>>,
    /// OCSP responses fetched from the responders at receipt (kept with the submission): they
    /// speak of the status when they were fetched, just after the validation time.
    pub fetched: Vec<Arc<ocsp::OcspResponse>>,
    /// Where to ask when nothing above answers (the service, or `--ocsp`); `None`: offline.
    pub online: Option<Arc<dyn OnlineOcsp>>,
}

/// An OCSP responder client (RFC 6960), injected by the caller: `pki` itself never touches the
/// network.
pub trait OnlineOcsp: Send + Sync + std::fmt::Debug {
    /// A response about `cert` from its responder (authorityInfoAccess), parsed; its signature
    /// is checked by the caller with [`ocsp::OcspResponse::status_of`].
    fn fetch(&self, cert: &Cert, issuer: &Cert) -> Option<Arc<ocsp::OcspResponse>>;
}

impl TrustStore {
    pub fn is_anchor(&self, c: &Cert) -> bool {
        self.anchors.iter().any(|a| a.sha256 == c.sha256)
    }
}

/// Facts found about a certification path. The verifier maps them to ETSI indications.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    NoPath {
        issuer: String,
        candidates: usize,
    },
    PathBudget {
        limit: usize,
    },
    OutsideValidity {
        subject: String,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    NotCa {
        subject: String,
    },
    PathLenExceeded {
        subject: String,
        path_len: u32,
    },
    NoKeyCertSign {
        subject: String,
    },
    UnknownCriticalExtension {
        subject: String,
        oids: Vec<String>,
    },
    WeakKey {
        subject: String,
        bits: usize,
        min: usize,
    },
    UnsupportedKey {
        subject: String,
        what: String,
    },
    Sha1InChain {
        subject: String,
    },
    SignerKeyUsage {
        subject: String,
        present: bool,
    },
    Revoked {
        subject: String,
        at: OffsetDateTime,
        signer: bool,
    },
    NoRevocationData {
        subject: String,
        issuer: String,
    },
    CrlExpired {
        issuer: String,
        next_update: OffsetDateTime,
    },
    /// A name outside what a CA above permits (RFC 5280 §6.1.3 (b)-(c)).
    NameNotPermitted {
        subject: String,
        name: String,
    },
}

/// A certification path, signer first and anchor last, with what was found about it.
#[derive(Debug, Clone, Default)]
pub struct PathCheck {
    pub chain: Vec<Arc<Cert>>,
    pub findings: Vec<Finding>,
}

/// Name chaining (RFC 5280 §6.1.4 (a)(4)): the issuer's subject is the certificate's issuer,
/// compared as §7.1 asks.
fn same_name(a: &Cert, issuer_raw: &[u8], issuer_cmp: &str) -> bool {
    a.subject_raw == issuer_raw || a.subject_cmp == issuer_cmp
}

/// Verify the signature of `subject` with `issuer`'s key; returns the digest it used.
pub fn signed_by(issuer: &Cert, subject: &Cert) -> Result<DigestAlg, crypto::CryptoError> {
    subject.signed.verify_with(&issuer.key)
}

fn signs(issuer: &Cert, subject: &Cert) -> bool {
    signed_by(issuer, subject).is_ok()
}

struct Builder<'a> {
    store: &'a TrustStore,
    extra: &'a [Arc<Cert>],
    attempts: usize,
    budget: &'a Budget,
    candidates_seen: usize,
}

impl Builder<'_> {
    fn extend(&mut self, path: &mut Vec<Arc<Cert>>) -> Option<()> {
        let cur = path.last()?.clone();
        let pools = self
            .store
            .anchors
            .iter()
            .map(|c| (c, true))
            .chain(self.store.intermediates.iter().map(|c| (c, false)))
            .chain(self.extra.iter().map(|c| (c, false)));
        let cands: Vec<(Arc<Cert>, bool)> = pools
            .filter(|(c, _)| same_name(c, &cur.issuer_raw, &cur.issuer_cmp))
            .filter(|(c, _)| match (&cur.aki, &c.ski) {
                (Some(a), Some(s)) => a == s,
                _ => true,
            })
            .filter(|(c, _)| !path.iter().any(|p| p.sha256 == c.sha256))
            .map(|(c, a)| (c.clone(), a))
            .collect();
        self.candidates_seen += cands.len();
        for (cand, is_anchor) in cands {
            self.attempts += 1;
            if self.attempts > self.budget.max_path_attempts {
                return None;
            }
            if !signs(&cand, &cur) {
                continue;
            }
            // The same certificate may be in several pools; an anchor ends the path.
            let anchor = is_anchor || self.store.is_anchor(&cand);
            path.push(cand);
            if anchor {
                return Some(());
            }
            if path.len() < self.budget.max_path_len && self.extend(path).is_some() {
                return Some(());
            }
            path.pop();
        }
        None
    }
}

/// Build a path from `signer` to an anchor and check it at `at`.
pub fn check_path(
    signer: &Arc<Cert>,
    extra: &[Arc<Cert>],
    store: &TrustStore,
    policy: &Policy,
    at: OffsetDateTime,
    budget: &Budget,
) -> PathCheck {
    let mut chain = vec![signer.clone()];
    let mut findings = Vec::new();
    if !store.is_anchor(signer) {
        let mut b = Builder {
            store,
            extra,
            attempts: 0,
            budget,
            candidates_seen: 0,
        };
        if b.extend(&mut chain).is_none() {
            if b.attempts > budget.max_path_attempts {
                findings.push(Finding::PathBudget {
                    limit: budget.max_path_attempts,
                });
            } else {
                findings.push(Finding::NoPath {
                    issuer: signer.issuer.clone(),
                    candidates: b.candidates_seen,
                });
            }
            return PathCheck {
                chain: vec![signer.clone()],
                findings,
            };
        }
    }
    check_certificates(&chain, policy, at, &mut findings);
    check_name_constraints(&chain, &mut findings);
    check_revocation(&chain, store, at, &mut findings);
    PathCheck { chain, findings }
}

fn check_certificates(
    chain: &[Arc<Cert>],
    policy: &Policy,
    at: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let mut non_self_issued_below = 0u32;
    for (i, c) in chain.iter().enumerate() {
        if at < c.not_before || at > c.not_after {
            out.push(Finding::OutsideValidity {
                subject: c.subject.clone(),
                not_before: c.not_before,
                not_after: c.not_after,
            });
        }
        if !c.unknown_critical.is_empty() {
            out.push(Finding::UnknownCriticalExtension {
                subject: c.subject.clone(),
                oids: c.unknown_critical.clone(),
            });
        }
        match &c.key {
            crypto::PublicKey::Unsupported(w) => out.push(Finding::UnsupportedKey {
                subject: c.subject.clone(),
                what: w.clone(),
            }),
            k => {
                if let Some(bits) = k.rsa_bits().filter(|b| *b < policy.min_rsa_bits) {
                    out.push(Finding::WeakKey {
                        subject: c.subject.clone(),
                        bits,
                        min: policy.min_rsa_bits,
                    });
                }
            }
        }
        let is_last = i + 1 == chain.len();
        if !is_last {
            // c was signed by chain[i + 1]: SHA-1 there is a chain signature.
            if matches!(
                c.signed.alg_oid.as_str(),
                oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1
            ) && !policy.allow_sha1_in_chain
            {
                out.push(Finding::Sha1InChain {
                    subject: c.subject.clone(),
                });
            }
        }
        if i == 0 {
            // RFC 5280 §4.2.1.3: without a keyUsage extension the key is not restricted; with
            // one, a signer needs digitalSignature or nonRepudiation (contentCommitment).
            let has = c.key_usage.is_none()
                || c.has_key_usage(cert::KU_DIGITAL_SIGNATURE)
                || c.has_key_usage(cert::KU_NON_REPUDIATION);
            if !has {
                out.push(Finding::SignerKeyUsage {
                    subject: c.subject.clone(),
                    present: c.key_usage.is_some(),
                });
            }
        } else {
            if !c.is_ca {
                out.push(Finding::NotCa {
                    subject: c.subject.clone(),
                });
            }
            if c.key_usage.is_some() && !c.has_key_usage(cert::KU_KEY_CERT_SIGN) {
                out.push(Finding::NoKeyCertSign {
                    subject: c.subject.clone(),
                });
            }
            if let Some(pl) = c.path_len {
                if non_self_issued_below > pl {
                    out.push(Finding::PathLenExceeded {
                        subject: c.subject.clone(),
                        path_len: pl,
                    });
                }
            }
            if !c.is_self_issued() {
                non_self_issued_below += 1;
            }
        }
    }
}

/// The newest CRL for `cert` signed by `issuer`, if any.
/// The newest complete CRL for all reasons that answers for `cert` (RFC 5280 §6.3.3): same
/// issuer name, a scope that includes it, signed with cRLSign by one of `signers` (see
/// [`crl_signers`]).
pub fn crl_for<'a>(cert: &Cert, signers: &[&Cert], store: &'a TrustStore) -> Option<&'a Arc<Crl>> {
    let candidates: Vec<&Arc<Crl>> = crls_for(cert, signers, store).collect();
    crl_set_for(&candidates).and_then(|set| set.into_iter().next())
}

/// The complete CRLs that together answer for `cert` for every reason (§6.3.3 (d), reasons
/// mask): the newest CRL for all reasons, or else the newest CRL of each onlySomeReasons
/// partition when the partitions together cover every reason.
/// `candidates` are the CRLs [`crls_for`] found (scope and signature checked once).
fn crl_set_for<'a>(candidates: &[&'a Arc<Crl>]) -> Option<Vec<&'a Arc<Crl>>> {
    let complete: Vec<&Arc<Crl>> = candidates
        .iter()
        .copied()
        .filter(|crl| crl.delta_base.is_none())
        .collect();
    let newest = |mask: Option<u16>| {
        complete
            .iter()
            .filter(move |c| c.scope.reasons == mask)
            .max_by_key(|c| c.this_update)
            .copied()
    };
    if let Some(all) = newest(None) {
        return Some(vec![all]);
    }
    let mut masks: Vec<u16> = complete.iter().filter_map(|c| c.scope.reasons).collect();
    masks.sort_unstable();
    masks.dedup();
    let covered = masks.iter().fold(0, |acc, m| acc | m);
    (covered & crl_scope::ALL_REASONS == crl_scope::ALL_REASONS)
        .then(|| masks.into_iter().filter_map(|m| newest(Some(m))).collect())
}

/// The newest delta CRL that updates `base` for `cert` (§5.2.4: its base number is at most the
/// complete CRL's number), if any.
fn delta_for<'a>(base: &Crl, candidates: &[&'a Arc<Crl>]) -> Option<&'a Arc<Crl>> {
    // Numbers are unsigned magnitudes without leading zeros: compare by length, then bytes.
    let n = |b: &[u8]| (b.len(), b.to_vec());
    let base_number = n(base.number.as_deref()?);
    candidates
        .iter()
        .copied()
        .filter(|d| {
            // It updates this complete CRL (its base is no newer), it is newer than it, and it
            // has the same scope (§5.2.4).
            d.delta_base.as_deref().is_some_and(|b| n(b) <= base_number)
                && d.number.as_deref().is_some_and(|dn| n(dn) > base_number)
                && d.scope.reasons == base.scope.reasons
                && d.scope.dp_names == base.scope.dp_names
        })
        .max_by_key(|d| d.number.as_deref().map(n))
}

fn crls_for<'s: 'c, 'c>(
    cert: &'c Cert,
    signers: &'c [&'c Cert],
    store: &'s TrustStore,
) -> impl Iterator<Item = &'s Arc<Crl>> + 'c {
    store
        .crls
        .iter()
        .filter(|crl| {
            crl.scope.covers(
                &crl.issuer_cmp,
                &cert.issuer_cmp,
                cert.is_ca,
                &cert.crl_points,
            )
        })
        .filter(|crl| {
            signers.iter().any(|s| {
                let key_matches = s.subject_cmp == crl.issuer_cmp
                    && match (&crl.aki, &s.ski) {
                        (Some(a), Some(k)) => a == k,
                        _ => true,
                    };
                key_matches && crl.signed_by(s)
            })
        })
}

/// Who may sign the CRL that answers for `chain[i]` (RFC 5280 §6.3.3 (f)): its issuer, or
/// another certificate with the issuer's name (a separate CRL-signing key, a key rollover) that
/// a certificate of this path above `chain[i]` issued, valid at `at`, and not revoked by its own
/// issuer's CRL (one level: its CRL must come from that issuer itself). Its cRLSign is checked
/// with the signature.
fn crl_signers<'a>(
    chain: &'a [Arc<Cert>],
    i: usize,
    store: &'a TrustStore,
    at: OffsetDateTime,
) -> Vec<&'a Cert> {
    let Some(issuer) = chain.get(i + 1) else {
        return Vec::new();
    };
    let mut out: Vec<&Cert> = vec![issuer];
    // The CRL issuers the certificate's distribution points name (indirect CRLs, §5.2.5).
    let named: Vec<&String> = chain[i]
        .crl_points
        .iter()
        .flat_map(|p| &p.crl_issuer)
        .collect();
    for s in store.intermediates.iter().chain(store.anchors.iter()) {
        let may_issue_crls = s.subject_cmp == issuer.subject_cmp || named.contains(&&s.subject_cmp);
        if s.sha256 == issuer.sha256 || !may_issue_crls || at < s.not_before || at > s.not_after {
            continue;
        }
        let Some(parent) = chain[i + 1..].iter().find(|p| signs(p, s)) else {
            continue;
        };
        // A certificate of the path itself has its own revocation checked with the path.
        let on_path = chain.iter().any(|p| p.sha256 == s.sha256);
        // Every partition of its issuer's CRLs current, and none lists it.
        let candidates: Vec<&Arc<Crl>> = crls_for(s, &[parent.as_ref()], store).collect();
        let not_revoked = crl_set_for(&candidates).is_some_and(|set| {
            set.iter().all(|crl| {
                crl.revocation_of(s).is_none() && crl.next_update.is_none_or(|n| at <= n)
            })
        });
        if on_path || not_revoked || store.is_anchor(s) {
            out.push(s);
        }
    }
    out
}

/// RFC 5280 §6.1.3 (b)-(c), §6.1.4 (g): from the anchor down, each certificate's names (a
/// self-issued CA's excepted, unless it is the last) must satisfy every CA's constraints above
/// it.
fn check_name_constraints(chain: &[Arc<Cert>], out: &mut Vec<Finding>) {
    let mut above: Vec<&name_constraints::Constraints> = Vec::new();
    for (k, c) in chain.iter().enumerate().rev() {
        let is_anchor = k + 1 == chain.len();
        if !is_anchor && (k == 0 || !c.is_self_issued()) {
            if let Some(n) = above.iter().find_map(|nc| nc.violation(&c.names)) {
                out.push(Finding::NameNotPermitted {
                    subject: c.subject.clone(),
                    name: n.to_string(),
                });
            }
        }
        if let Some(nc) = &c.name_constraints {
            above.push(nc);
        }
    }
}

/// The OCSP answer about `c` (RFC 6960): the newest one the document or the store carries that
/// was produced by `at` and is still current then; else one fetched at receipt (stored with
/// the submission), current at `at`; else, when `ask_online`, a fresh one from the responder.
/// Each is used only if the issuer or its delegated responder signed it.
fn ocsp_answer(
    c: &Cert,
    issuer: &Cert,
    store: &TrustStore,
    at: OffsetDateTime,
    ask_online: bool,
) -> Option<ocsp::SingleResponse> {
    // An answer without nextUpdate says "newer information is always available" (RFC 6960
    // §4.2.2.1): it speaks for an hour after its thisUpdate, no longer.
    let current = |r: &&ocsp::SingleResponse| match r.next_update {
        Some(n) => at <= n,
        None => at <= r.this_update + time::Duration::hours(1),
    };
    let fetched = store
        .fetched
        .iter()
        .filter_map(|o| o.status_of(c, issuer))
        .filter(current)
        .max_by_key(|r| r.this_update)
        .cloned();
    if fetched.is_some() {
        return fetched;
    }
    // Online first: an answer the document carries was chosen by whoever made the document, and
    // may predate a revocation the responder knows of now.
    if ask_online {
        if let Some(response) = store.online.as_ref().and_then(|o| o.fetch(c, issuer)) {
            if let Some(r) = response.status_of(c, issuer).filter(current) {
                return Some(r.clone());
            }
        }
    }
    store
        .ocsps
        .iter()
        .filter_map(|o| o.status_of(c, issuer))
        .filter(|r| r.this_update <= at)
        .filter(current)
        .max_by_key(|r| r.this_update)
        .cloned()
}

fn check_revocation(
    chain: &[Arc<Cert>],
    store: &TrustStore,
    at: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    // The anchor is trusted as configured; every certificate below it is checked.
    for i in 0..chain.len().saturating_sub(1) {
        let (c, issuer) = (&chain[i], &chain[i + 1]);
        let signers = crl_signers(chain, i, store, at);
        // Every CRL that may answer for c, its signature verified once for all the uses below.
        let candidates: Vec<&Arc<Crl>> = crls_for(c, &signers, store).collect();
        let crls = crl_set_for(&candidates);
        // The signer is asked online even with a CRL (a token lost this morning is not on
        // the last CRL yet); a CA only when no CRL answers for it.
        let ask_online = i == 0 || crls.is_none();
        let ocsp = ocsp_answer(c, issuer, store, at, ask_online);
        if let Some(r) = &ocsp {
            if let ocsp::CertStatus::Revoked(when) = r.status {
                if when <= at {
                    out.push(Finding::Revoked {
                        subject: c.subject.clone(),
                        at: when,
                        signer: i == 0,
                    });
                    continue;
                }
            }
        }
        let ocsp_answered = ocsp.is_some_and(|r| r.status != ocsp::CertStatus::Unknown);
        match crls {
            None if ocsp_answered => {}
            None => out.push(Finding::NoRevocationData {
                subject: c.subject.clone(),
                issuer: issuer.subject.clone(),
            }),
            Some(set) => {
                for crl in set {
                    let delta = delta_for(crl, &candidates);
                    crl_status(c, crl, delta, at, i == 0, out);
                }
            }
        }
    }
}

/// What one complete CRL (with its newest delta, §5.2.4) says of `c` at `at`.
fn crl_status(
    c: &Cert,
    crl: &Crl,
    delta: Option<&Arc<Crl>>,
    at: OffsetDateTime,
    is_signer: bool,
    out: &mut Vec<Finding>,
) {
    if let Some(nu) = crl.next_update.filter(|nu| *nu < at) {
        out.push(Finding::CrlExpired {
            issuer: crl.issuer.clone(),
            next_update: nu,
        });
    }
    let listed = match delta {
        Some(d) if d.revocation_of(c).is_some() => d.revocation_of(c),
        Some(d) if d.removes(c) => None,
        _ => crl.revocation_of(c),
    };
    if let Some(when) = listed.filter(|w| *w <= at) {
        out.push(Finding::Revoked {
            subject: c.subject.clone(),
            at: when,
            signer: is_signer,
        });
    }
}

/// Whether a digest is acceptable for a document signature under `policy`.
pub fn document_digest_allowed(d: DigestAlg, policy: &Policy) -> bool {
    d != DigestAlg::Sha1 || policy.allow_sha1_signatures
}
