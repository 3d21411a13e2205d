use super::*;
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::Tag;

fn sha256_alg() -> spki::AlgorithmIdentifierOwned {
    spki::AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(oid::SHA256),
        parameters: None,
    }
}

fn tst(version: u8, gen_time: &[u8]) -> asn1::TstInfo {
    asn1::TstInfo {
        version: asn1::LooseInt(vec![version]),
        policy: ObjectIdentifier::new_unwrap("1.2.3.4"),
        message_imprint: asn1::MessageImprint {
            hash_algorithm: sha256_alg(),
            hashed_message: OctetString::new(vec![7u8; 32]).unwrap(),
        },
        // A padded serial (not DER's shortest form), as some TSAs write: still read.
        serial_number: asn1::LooseInt(vec![0, 5]),
        gen_time: Any::new(Tag::GeneralizedTime, gen_time.to_vec()).unwrap(),
        accuracy: None,
        ordering: None,
        nonce: None,
        tsa: None,
        extensions: None,
    }
}

/// A SEQUENCE's DER with one more element inside.
fn with_extra_element(der: &[u8], extra: &[u8]) -> Vec<u8> {
    let (top, _) = tlv::read(der, 0).unwrap();
    let mut content = top.content.to_vec();
    content.extend_from_slice(extra);
    let mut out = vec![0x30];
    out.extend(der_length(content.len()));
    out.extend(content);
    out
}

/// RFC 3161 §2.4.2 allows a fraction of a second in genTime; anything that does not follow
/// TSTInfo's definition is refused (the hand walk it replaces read the first five fields
/// and ignored the rest).
#[test]
fn tst_info_follows_its_definition() {
    let good = tst(1, b"20260310020500.25Z").to_der().unwrap();
    let t = tst_info(&good).unwrap();
    assert_eq!(t.gen_time, time::macros::datetime!(2026-03-10 02:05:00 UTC));
    assert_eq!(
        (t.imprint_hash_oid.as_str(), t.imprint.len()),
        (oid::SHA256, 32)
    );
    assert!(tst_info(&tst(2, b"20260310020500Z").to_der().unwrap()).is_err());
    let utc = asn1::TstInfo {
        gen_time: Any::new(Tag::UtcTime, b"260310020500Z".to_vec()).unwrap(),
        ..tst(1, b"")
    };
    assert!(
        tst_info(&utc.to_der().unwrap()).is_err(),
        "genTime is a GeneralizedTime"
    );
    assert!(tst_info(&with_extra_element(&good, &[0x0c, 0x01, b'x'])).is_err());
    assert!(tst_info(&good[..good.len() - 1]).is_err());
}

/// ESSCertIDv2's hashAlgorithm is DEFAULT sha256: absent or written out, both read; a
/// certHash that is not an OCTET STRING is refused.
#[test]
fn ess_signing_certificate_v2_follows_its_definition() {
    let id = |alg: Option<spki::AlgorithmIdentifierOwned>| asn1::EssCertIdV2 {
        hash_algorithm: alg,
        cert_hash: OctetString::new(vec![9u8; 32]).unwrap(),
        issuer_serial: None,
    };
    for alg in [None, Some(sha256_alg())] {
        let sc = asn1::SigningCertificateV2 {
            certs: vec![id(alg)],
            policies: None,
        };
        let back = asn1::SigningCertificateV2::from_der(&sc.to_der().unwrap()).unwrap();
        assert_eq!(back.certs[0].cert_hash.as_bytes(), &[9u8; 32]);
    }
    // certs SEQUENCE OF { UTF8String } instead of { OCTET STRING }.
    let wrong = [0x30, 0x07, 0x30, 0x05, 0x30, 0x03, 0x0c, 0x01, b'x'];
    assert!(asn1::SigningCertificateV2::from_der(&wrong).is_err());
}
