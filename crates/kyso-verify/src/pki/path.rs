//! Path building and the certificate checks of RFC 5280 §6.1: from the signer up to a trust
//! anchor through the store's and the signature's certificates (name chaining, key
//! identifiers, signatures), then each certificate's validity, key, extensions and CA
//! constraints, the name constraints, and the revocation of each ([`super::revocation`]).

use super::cert::signs;
use super::revocation::check_revocation;
use super::{
    cert, crypto, defect, name_constraints, Cert, Defect, Finding, PathCheck, Policy, TrustStore,
};
use crate::budget::Budget;
use crate::der::oid;
use std::sync::Arc;
use time::OffsetDateTime;

/// Name chaining (RFC 5280 §6.1.4 (a)(4)): the issuer's subject is the certificate's issuer,
/// compared as §7.1 asks.
fn same_name(a: &Cert, issuer_raw: &[u8], issuer_cmp: &str) -> bool {
    a.subject_raw == issuer_raw || a.subject_cmp == issuer_cmp
}

struct Builder<'a> {
    store: &'a TrustStore,
    extra: &'a [Arc<Cert>],
    attempts: usize,
    budget: &'a Budget,
    candidates_seen: usize,
    /// The first path found that reaches an anchor but breaks a CA's name constraints: kept
    /// while other candidates are tried (another issuer of the same name may not constrain the
    /// names), and reported when none does.
    constrained: Option<Vec<Arc<Cert>>>,
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
                if names_permitted(path, self.budget) {
                    return Some(());
                }
                self.constrained.get_or_insert_with(|| path.clone());
                path.pop();
                continue;
            }
            if path.len() < self.budget.max_path_len && self.extend(path).is_some() {
                return Some(());
            }
            path.pop();
        }
        None
    }
}

/// Build `chain` (holding `signer`) up to an anchor from the store's certificates and
/// `extra`; when none will do, once more with the certificates the store's [`super::IssuerSource`]
/// knows at the signer's caIssuers addresses (RFC 5280 §4.2.2.1: the signer's own issuer is
/// the link a document most often lacks, as BCY signers embed only their own certificate).
fn build(
    signer: &Arc<Cert>,
    extra: &[Arc<Cert>],
    store: &TrustStore,
    budget: &Budget,
    chain: &mut Vec<Arc<Cert>>,
) -> Result<(), Finding> {
    let mut b = Builder {
        store,
        extra,
        attempts: 0,
        budget,
        candidates_seen: 0,
        constrained: None,
    };
    if b.extend(chain).is_some() {
        return Ok(());
    }
    if let Some(p) = b.constrained.take() {
        // Every path found breaks a name constraint: the first one is reported.
        *chain = p;
        return Ok(());
    }
    let mut failure = b.failure(signer);
    let published = match (&store.issuers, &failure) {
        (Some(src), Finding::NoPath { .. }) if !signer.ca_issuers.is_empty() => {
            src.issuers_of(signer)
        }
        _ => Vec::new(),
    };
    if !published.is_empty() {
        let more: Vec<Arc<Cert>> = extra.iter().chain(&published).cloned().collect();
        let mut b = Builder {
            store,
            extra: &more,
            attempts: 0,
            budget,
            candidates_seen: 0,
            constrained: None,
        };
        if b.extend(chain).is_some() {
            return Ok(());
        }
        if let Some(p) = b.constrained.take() {
            *chain = p;
            return Ok(());
        }
        failure = b.failure(signer);
    }
    Err(failure)
}

impl Builder<'_> {
    /// Why no path was found.
    fn failure(&self, signer: &Cert) -> Finding {
        if self.attempts > self.budget.max_path_attempts {
            Finding::PathBudget {
                limit: self.budget.max_path_attempts,
            }
        } else {
            Finding::NoPath {
                issuer: signer.issuer.clone(),
                candidates: self.candidates_seen,
            }
        }
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
        if let Err(f) = build(signer, extra, store, budget, &mut chain) {
            findings.push(f);
            return PathCheck {
                chain: vec![signer.clone()],
                findings,
            };
        }
    }
    check_certificates(&chain, policy, at, &mut findings);
    check_name_constraints(&chain, budget, &mut findings);
    check_revocation(&chain, store, at, &mut findings);
    PathCheck { chain, findings }
}

/// The checks of RFC 5280 §6.1.3-§6.1.4 on each certificate of `chain` (signer first) at `at`:
/// validity, critical extensions and key of every one, the signature algorithm of each link,
/// the signer's key usage, and the CA constraints of the others.
fn check_certificates(
    chain: &[Arc<Cert>],
    policy: &Policy,
    at: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let mut non_self_issued_below = 0u32;
    for (i, c) in chain.iter().enumerate() {
        check_certificate(c, policy, at, out);
        if i + 1 != chain.len() {
            // c was signed by chain[i + 1]: SHA-1 there is a chain signature.
            check_link_digest(c, policy, out);
        }
        if i == 0 {
            check_signer_key_usage(c, out);
        } else {
            check_ca(c, &mut non_self_issued_below, out);
        }
        check_profile(c, i != 0, i + 1 == chain.len(), out);
    }
}

/// The defects of RFC 5280 §4 ([`Defect`]) of a certificate of the path: its own, those of an
/// issuer when it issued the one below it, and a missing authorityKeyIdentifier when it was
/// issued under another name. The anchor is exempt from the last: the keyIdentifier is there
/// "to facilitate certification path construction" (§4.2.1.1), and the path ends at the anchor
/// whoever issued it.
fn check_profile(c: &Cert, issuer: bool, anchor: bool, out: &mut Vec<Finding>) {
    let in_place = if issuer {
        defect::of_issuer(c)
    } else {
        Vec::new()
    };
    let all: Vec<Defect> = c
        .defects
        .iter()
        .cloned()
        .chain(in_place)
        .chain(if anchor {
            Vec::new()
        } else {
            defect::of_issued(c)
        })
        .collect();
    out.extend(all.into_iter().map(|defect| Finding::Nonconforming {
        subject: c.subject.clone(),
        defect,
    }));
}

/// What every certificate of a path must be: valid at `at` (RFC 5280 §6.1.3 (a)(2)), without
/// critical extensions kyso does not understand (§4.2), with a key the policy accepts.
fn check_certificate(c: &Cert, policy: &Policy, at: OffsetDateTime, out: &mut Vec<Finding>) {
    // RFC 5280 §4.1.2.5 encodes validity in whole seconds: the validation time is compared at
    // that granularity (a time within the notAfter second is still inside the period).
    let at = at.replace_nanosecond(0).unwrap_or(at);
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
}

/// A certificate signed with SHA-1 by the next one up, unless the policy allows it.
fn check_link_digest(c: &Cert, policy: &Policy, out: &mut Vec<Finding>) {
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

/// RFC 5280 §4.2.1.3: without a keyUsage extension the key is not restricted; with one, a
/// signer needs digitalSignature or nonRepudiation (contentCommitment).
fn check_signer_key_usage(c: &Cert, out: &mut Vec<Finding>) {
    let has = c.key_usage.is_none()
        || c.has_key_usage(cert::KU_DIGITAL_SIGNATURE)
        || c.has_key_usage(cert::KU_NON_REPUDIATION);
    if !has {
        out.push(Finding::SignerKeyUsage {
            subject: c.subject.clone(),
            present: c.key_usage.is_some(),
        });
    }
}

/// A certificate that issued the one below it: a CA (basicConstraints, §4.2.1.9) allowed to
/// sign certificates (keyCertSign, §4.2.1.3) whose pathLenConstraint the non-self-issued
/// certificates below it respect (§6.1.4 (l)-(m)); `non_self_issued_below` counts them.
fn check_ca(c: &Cert, non_self_issued_below: &mut u32, out: &mut Vec<Finding>) {
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
        if *non_self_issued_below > pl {
            out.push(Finding::PathLenExceeded {
                subject: c.subject.clone(),
                path_len: pl,
            });
        }
    }
    if !c.is_self_issued() {
        *non_self_issued_below += 1;
    }
}

/// RFC 5280 §6.1.3 (b)-(c), §6.1.4 (g): from the anchor down, each certificate's names (a
/// self-issued CA's excepted, unless it is the last) must satisfy every CA's constraints above
/// it.
/// The work is bounded: when the comparisons of names with constraints along the path would
/// exceed the budget's, nothing is compared and the path is refused.
fn check_name_constraints(chain: &[Arc<Cert>], budget: &Budget, out: &mut Vec<Finding>) {
    let checked = |k: usize, c: &Cert| k + 1 != chain.len() && (k == 0 || !c.is_self_issued());
    let mut above: Vec<&name_constraints::Constraints> = Vec::new();
    let mut work = 0usize;
    for (k, c) in chain.iter().enumerate().rev() {
        if checked(k, c) {
            work = above
                .iter()
                .fold(work, |w, nc| w.saturating_add(nc.work(&c.names)));
        }
        if let Some(nc) = &c.name_constraints {
            above.push(nc);
        }
    }
    if work > budget.max_name_constraint_checks {
        out.push(Finding::NameConstraintBudget {
            limit: budget.max_name_constraint_checks,
        });
        return;
    }
    above.clear();
    for (k, c) in chain.iter().enumerate().rev() {
        if checked(k, c) {
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

/// Whether `chain` (signer first, ending at an anchor) passes its name constraints (a path over
/// the work budget counts as passing here: it is refused for that when checked).
fn names_permitted(chain: &[Arc<Cert>], budget: &Budget) -> bool {
    let mut out = Vec::new();
    check_name_constraints(chain, budget, &mut out);
    !out.iter()
        .any(|f| matches!(f, Finding::NameNotPermitted { .. }))
}
