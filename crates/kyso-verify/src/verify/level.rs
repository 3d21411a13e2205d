//! The PAdES baseline level (ETSI EN 319 142-1 §6): B-B, B-T, B-LT, B-LTA, and the validation
//! data the document's /DSS carries.

use crate::pdf::{Document, Dss, DssHistory, SigKind, SignatureDict};
use crate::pki::{self, Cert, TrustStore};
use crate::report::PadesLevel;
use std::sync::Arc;

/// B-B, B-T, B-LT or B-LTA, from what the document carries (DSS, document timestamps) and what
/// verified (the signature timestamp).
pub(super) fn pades_level(
    doc: &Document,
    dss: &DssHistory,
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
    let dss_rev = (sig.revision..doc.revision_count())
        .find(|r| dss.at(*r).is_some_and(|d| d.revocation_data));
    match dss_rev {
        None => PadesLevel::BT,
        Some(r) if later_doc_ts.iter().any(|t| t.revision >= r) => PadesLevel::BLta,
        Some(_) => PadesLevel::BLt,
    }
}

/// The trust store plus the certificates, CRLs and OCSP responses of the document's latest
/// /DSS (`dss`), if it has any.
pub(super) fn dss_validation_data(
    doc: &Document,
    dss: Option<&Dss>,
    store: &TrustStore,
) -> Option<TrustStore> {
    let streams = dss?.streams(doc);
    let certs: Vec<Arc<Cert>> = streams
        .certs
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let crls: Vec<Arc<pki::Crl>> = streams
        .crls
        .iter()
        .filter_map(|d| pki::Crl::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let ocsps: Vec<Arc<pki::ocsp::OcspResponse>> = streams
        .ocsps
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
