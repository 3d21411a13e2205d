//! The CMS side: BER/DER SignedData decoding of arbitrary /Contents bytes, and the other
//! ASN.1 kyso reads from documents (TSTInfo, OCSP responses, CRLs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso::signed_data::decode(data, 1 << 20, 64);
    let _ = kyso::signed_data::tst_info(data);
    let _ = kyso::pki::ocsp::parse(data);
    let _ = kyso::pki::Crl::from_der(data);
});
