//! The PAdES baseline level (ETSI EN 319 142-1 §6): B-B, B-T, B-LT, B-LTA, and the validation
//! data the document's /DSS carries.

use crate::pdf::{self, Document, SigKind, SignatureDict};
use crate::pki::{self, Cert, TrustStore};
use crate::report::PadesLevel;
use std::sync::Arc;

/// B-B, B-T, B-LT or B-LTA, from what the document carries (DSS, document timestamps) and what
/// verified (the signature timestamp).
pub(super) fn pades_level(
    doc: &Document,
    all: &[SignatureDict],
    sig: &SignatureDict,
    timestamped: bool,
) -> PadesLevel {
    let later_doc_ts: Vec<&SignatureDict> = all
        .iter()
        .filter(|s| s.kind == SigKind::DocumentTimestamp && s.revision > sig.revision)
        .collect();
    if !timestamped && later_doc_ts.is_empty() {
        return PadesLevel::BB;
    }
    // Validation data in a /DSS added after the signature.
    let dss_rev = (sig.revision..doc.revision_count()).find(|r| has_dss(doc, *r));
    match dss_rev {
        None => PadesLevel::BT,
        Some(r) if later_doc_ts.iter().any(|t| t.revision >= r) => PadesLevel::BLta,
        Some(_) => PadesLevel::BLt,
    }
}

/// The trust store plus the certificates and CRLs of the document's latest /DSS, if it has any.
pub(super) fn dss_validation_data(doc: &Document, store: &TrustStore) -> Option<TrustStore> {
    use pdf::object::{dict_get, Object};
    let rev = doc.latest();
    let (root, _) = doc
        .revisions
        .iter()
        .rev()
        .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))?;
    let cat = doc.object(rev, root).ok()??;
    let resolve = |o: &Object| match o {
        Object::Ref(n, _) => doc.object(rev, *n).ok().flatten(),
        other => Some(other.clone()),
    };
    let dss = resolve(cat.get(b"DSS")?)?;
    let streams = |key: &[u8]| -> Vec<Vec<u8>> {
        let Some(arr) = dss.get(key).and_then(resolve) else {
            return Vec::new();
        };
        arr.as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(|o| match (o, resolve(o)?) {
                (Object::Ref(n, g), Object::Stream(d, r)) => {
                    doc.decode_stream((*n, *g), &d, r).ok()
                }
                _ => None,
            })
            .collect()
    };
    let certs: Vec<Arc<Cert>> = streams(b"Certs")
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let crls: Vec<Arc<pki::Crl>> = streams(b"CRLs")
        .iter()
        .filter_map(|d| pki::Crl::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let ocsps: Vec<Arc<pki::ocsp::OcspResponse>> = streams(b"OCSPs")
        .iter()
        .filter_map(|d| pki::ocsp::parse(d).ok())
        .map(Arc::new)
        .collect();
    if certs.is_empty() && crls.is_empty() && ocsps.is_empty() {
        return None;
    }
    let mut s = store.clone();
    s.intermediates.extend(certs);
    s.crls.extend(crls);
    s.ocsps.extend(ocsps);
    Some(s)
}

pub(super) fn has_dss(doc: &Document, rev: usize) -> bool {
    use pdf::object::{dict_get, Object};
    let Some((root, _)) = doc.revisions[..=rev]
        .iter()
        .rev()
        .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))
    else {
        return false;
    };
    let Ok(Some(cat)) = doc.object(rev, root) else {
        return false;
    };
    let dss = match cat.get(b"DSS") {
        Some(Object::Ref(n, _)) => doc.object(rev, *n).ok().flatten(),
        Some(o) => Some(o.clone()),
        None => None,
    };
    dss.is_some_and(|d| d.get(b"CRLs").is_some() || d.get(b"OCSPs").is_some())
}
