//! The PAdES baseline level (ETSI EN 319 142-1 §6): B-B, B-T, B-LT, B-LTA.

use crate::pdf::{Document, DssHistory, SigKind, SignatureDict};
use crate::report::PadesLevel;

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
