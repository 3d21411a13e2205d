//! The CMS side: BER/DER SignedData decoding of arbitrary /Contents bytes, and the other
//! ASN.1 kyso reads from documents (TSTInfo, OCSP responses, CRLs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso_verify::cms::decode(data, 1 << 20, 64);
    let _ = kyso_verify::cms::tst_info(data);
    let _ = kyso_verify::pki::ocsp::parse(data);
    let _ = kyso_verify::pki::Crl::from_der(data);
});
