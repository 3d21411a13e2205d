//! Revocation (RFC 5280 §6.3, RFC 6960): which CRLs answer for a certificate (scope, reasons,
//! delta CRLs, who may sign them) and which OCSP answer, and what they say at the validation
//! time.

use super::cert::signs;
use super::{crl_scope, ocsp, Cert, Crl, Finding, TrustStore};
use std::sync::Arc;
use time::OffsetDateTime;

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

/// The CRLs that may answer for `cert`: in scope and signed by one of `signers`. Those a
/// conforming issuer would not write ([`Crl::conforming`], RFC 5280 §5.2.3) are left out by the
/// caller.
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

/// Whether the responder that signed `answer` may be relied on (RFC 6960 §4.2.2.2.1). The
/// issuer itself, yes. A delegated responder whose certificate has id-pkix-ocsp-nocheck, for
/// the lifetime of its certificate (its validity is checked with the delegation). Without
/// it, the responder is treated as any certificate its CA issued: it is not relied on when the
/// CA's current CRLs (scope and signature checked, §6.3.3) list it as revoked by `at`; with no
/// CRL of the CA, it is relied on, as kyso's default policy does for any certificate without
/// revocation data. Its status is never asked by OCSP (that would ask the responder about
/// itself).
fn responder_trusted(
    answer: &ocsp::Answer,
    issuer: &Cert,
    store: &TrustStore,
    at: OffsetDateTime,
) -> bool {
    let ocsp::Responder::Delegated(d) = answer.responder else {
        return true;
    };
    if d.ocsp_nocheck {
        return true;
    }
    let candidates: Vec<&Arc<Crl>> = crls_for(d, &[issuer], store).collect();
    !crl_set_for(&candidates).is_some_and(|set| {
        set.iter()
            .any(|crl| crl.revocation_of(d).is_some_and(|when| when <= at))
    })
}

/// The OCSP answer about `c` (RFC 6960): the newest one the document or the store carries that
/// was produced by `at` and is still current then; else one fetched at receipt (stored with
/// the submission), current at `at`; else, when `ask_online`, a fresh one from the responder.
/// Each is used only if the issuer or a responder it delegated signed it (RFC 6960 §4.2.2.2,
/// [`ocsp::OcspResponse::answer`]; the delegate's certificate in the response or among the
/// store's intermediates) and that responder may be relied on ([`responder_trusted`]).
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
    let usable = |o: &Arc<ocsp::OcspResponse>| -> Option<ocsp::SingleResponse> {
        let a = o.answer(c, issuer, &store.intermediates)?;
        responder_trusted(&a, issuer, store, at).then(|| a.single.clone())
    };
    let fetched = store
        .fetched
        .iter()
        .filter_map(usable)
        .filter(|r| current(&r))
        .max_by_key(|r| r.this_update);
    if fetched.is_some() {
        return fetched;
    }
    // Online first: an answer the document carries was chosen by whoever made the document, and
    // may predate a revocation the responder knows of now.
    if ask_online {
        if let Some(response) = store.online.as_ref().and_then(|o| o.fetch(c, issuer)) {
            if let Some(r) = usable(&response).filter(|r| current(&r)) {
                return Some(r);
            }
        }
    }
    store
        .ocsps
        .iter()
        .filter_map(usable)
        .filter(|r| r.this_update <= at)
        .filter(|r| current(&r))
        .max_by_key(|r| r.this_update)
}

pub(super) fn check_revocation(
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
        let (candidates, refused): (Vec<&Arc<Crl>>, Vec<&Arc<Crl>>) =
            crls_for(c, &signers, store).partition(|crl| crl.conforming());
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
            None => {
                out.extend(refused.iter().map(|crl| Finding::CrlNonconforming {
                    issuer: crl.issuer.clone(),
                    number_critical: crl.number_critical,
                }));
                out.push(Finding::NoRevocationData {
                    subject: c.subject.clone(),
                    issuer: issuer.subject.clone(),
                })
            }
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
