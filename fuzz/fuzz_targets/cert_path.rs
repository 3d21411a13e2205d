//! Certificates and path validation: arbitrary certificates parsed (extensions, names, name
//! constraints, the RFC 5280 §4 profile defects) and run through path building and the checks
//! of RFC 5280 §6.1, the first certificate as the signer and the last as the anchor.
//! Input: a count byte, then each certificate as a 2-byte big-endian length and its DER.
#![no_main]
use kyso_verify::budget::Budget;
use kyso_verify::pki::{check_path, Cert, Policy, TrustStore};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Some((&n, mut rest)) = data.split_first() else {
        return;
    };
    let mut certs = Vec::new();
    for _ in 0..(n % 5) {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (der, tail) = tail.split_at(len);
        rest = tail;
        if let Ok(c) = Cert::from_der(der) {
            certs.push(Arc::new(c));
        }
    }
    let Some(signer) = certs.first().cloned() else {
        return;
    };
    let store = TrustStore {
        anchors: certs.last().cloned().into_iter().collect(),
        intermediates: certs[1..certs.len().saturating_sub(1).max(1)].to_vec(),
        ..TrustStore::default()
    };
    let at = time::OffsetDateTime::from_unix_timestamp(1_735_689_600)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let _ = check_path(&signer, &[], &store, &Policy::default(), at, &Budget::default());
});
