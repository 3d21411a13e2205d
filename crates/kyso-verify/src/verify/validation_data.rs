//! Validation data a document carries, decoded under its budget: the certificates, CRLs and
//! OCSP responses of its `/DSS` (ETSI EN 319 142-1 §5.4.2) and of its signatures' CMS (RFC
//! 5652 §5.1 certificates and RevocationInfoChoices, RFC 5940, adbe-revocationInfoArchival),
//! and its timestamp tokens (RFC 3161). Every item is charged to the document's meter before it
//! is parsed (bytes and count, [`Meter::validation_data`]); a CRL's entries are charged as they
//! are read ([`Meter::crl_entries`]); the CPU time is looked at with every charge. Once the
//! budget is spent nothing more is parsed, and the verification ends in `budget_exceeded`.

use crate::pdf::meter::Meter;
use crate::pdf::{Document, Dss, DssKind};
use crate::pki::{ocsp, Cert, Crl, TrustStore};
use std::sync::Arc;

/// A certificate already charged (a `/DSS` stream), parsed.
fn parse_cert(der: &[u8]) -> Option<Cert> {
    Cert::from_der(der).ok()
}

/// A CRL already charged, parsed; its entries charged as they are read.
fn parse_crl(meter: &Meter, der: Vec<u8>) -> Option<Crl> {
    Crl::read(der, &mut |n| meter.crl_entries(n).is_ok()).ok()
}

/// An OCSP response already charged, parsed; the certificates it carries are counted too.
fn parse_ocsp(meter: &Meter, der: &[u8]) -> Option<ocsp::OcspResponse> {
    let r = ocsp::parse(der).ok()?;
    meter.validation_items(r.certs.len()).ok()?;
    Some(r)
}

/// A certificate of a CMS (RFC 5652 §5.1 certificates), charged then parsed.
pub(super) fn cert(meter: &Meter, der: &[u8]) -> Option<Cert> {
    meter.validation_data(der.len()).ok()?;
    parse_cert(der)
}

/// A CRL of a CMS, charged then parsed.
pub(super) fn crl(meter: &Meter, der: &[u8]) -> Option<Crl> {
    meter.validation_data(der.len()).ok()?;
    parse_crl(meter, der.to_vec())
}

/// An OCSP response of a CMS, charged then parsed.
pub(super) fn ocsp_response(meter: &Meter, der: &[u8]) -> Option<ocsp::OcspResponse> {
    meter.validation_data(der.len()).ok()?;
    parse_ocsp(meter, der)
}

/// The trust store plus the certificates (as intermediates, never anchors), CRLs and OCSP
/// responses of the document's latest `/DSS` (`dss`), if it has any. Each stream is decoded,
/// charged and parsed in turn ([`Dss::each_stream`]).
pub(super) fn dss_validation_data(
    doc: &Document,
    dss: Option<&Dss>,
    store: &TrustStore,
) -> Option<TrustStore> {
    let meter = doc.meter();
    let mut certs: Vec<Arc<Cert>> = Vec::new();
    let mut crls: Vec<Arc<Crl>> = Vec::new();
    let mut ocsps: Vec<Arc<ocsp::OcspResponse>> = Vec::new();
    dss?.each_stream(doc, &mut |kind, der| match kind {
        DssKind::Cert => certs.extend(parse_cert(&der).map(Arc::new)),
        DssKind::Crl => crls.extend(parse_crl(meter, der).map(Arc::new)),
        DssKind::Ocsp => ocsps.extend(parse_ocsp(meter, &der).map(Arc::new)),
    });
    if certs.is_empty() && crls.is_empty() && ocsps.is_empty() {
        return None;
    }
    let mut s = store.clone();
    s.intermediates.extend(certs);
    s.crls.extend(crls);
    s.ocsps.extend(ocsps);
    Some(s)
}
