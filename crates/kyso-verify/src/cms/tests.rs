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

/// The CMS of a fixture (openssl's detached signature), from its `/Contents`.
fn fixture_cms() -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/pdf/openssl-org-detached.pdf",
        env!("CARGO_MANIFEST_DIR")
    );
    let pdf = std::fs::read(path).unwrap();
    let at = pdf.windows(11).position(|w| w == b"/Contents <").unwrap() + 11;
    let end = at + pdf[at..].iter().position(|b| *b == b'>').unwrap();
    let mut cms = hex::decode(&pdf[at..end]).unwrap();
    let (top, _) = tlv::read(&cms, 0).unwrap();
    let len = top.raw.len();
    cms.truncate(len);
    cms
}

/// `cms` with `extra` appended to the SignedData's certificates [0].
fn with_certificate_choice(cms: &[u8], extra: &[u8]) -> Vec<u8> {
    let wrap = |tag: u8, content: &[u8]| [&[tag][..], &der_length(content.len()), content].concat();
    let (top, _) = tlv::read(cms, 0).unwrap();
    let ci = top.children().unwrap();
    let sd = &ci[1].children().unwrap()[0];
    let body: Vec<u8> = sd
        .children()
        .unwrap()
        .iter()
        .flat_map(|p| match p.tag {
            0xa0 => wrap(0xa0, &[p.content, extra].concat()),
            _ => p.raw.to_vec(),
        })
        .collect();
    let sd = wrap(0x30, &body);
    wrap(0x30, &[ci[0].raw, &wrap(0xa0, &sd)].concat())
}

/// RFC 5652 §10.2.2: a v2AttrCert ([2]) or v1AttrCert ([1]) among the certificates (as some TSAs
/// write into their tokens) is skipped, not fatal; the X.509 certificates are read as before.
#[test]
fn attribute_certificates_are_skipped() {
    let cms = fixture_cms();
    let plain = decode(&cms, 1 << 20, 100).unwrap();
    assert!(!plain.certificates.is_empty());
    for tag in [0xa2u8, 0xa1] {
        let attr = [tag, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01];
        let with = with_certificate_choice(&cms, &attr);
        let sd = decode(&with, 1 << 20, 100).unwrap_or_else(|e| panic!("[{tag:x}]: {e}"));
        assert_eq!(sd.certificates, plain.certificates);
        assert_eq!(sd.signature, plain.signature);
    }
}
