//! CRLs read in place: lookups, the layout, the progress callback.

use super::*;
use time::macros::datetime;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/pki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn cert(name: &str) -> Cert {
    Cert::from_der(pem::parse(fixture(name)).unwrap().contents()).unwrap()
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(tlv::definite_length(content.len()));
    out.extend_from_slice(content);
    out
}

/// A CRL by `issuer` (a Name's DER) whose entries are `entries` (each a DER entry); its
/// signature value is zeros.
fn crl_with(issuer: &[u8], entries: &[Vec<u8>]) -> Vec<u8> {
    crl_with_extensions(issuer, entries, &[])
}

/// [`crl_with`], with crlExtensions (`extensions`: the DER of each Extension) when not empty.
fn crl_with_extensions(issuer: &[u8], entries: &[Vec<u8>], extensions: &[Vec<u8>]) -> Vec<u8> {
    let alg = der(
        0x30,
        &[
            &der(0x06, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 0x0b])[..],
            &[5, 0],
        ]
        .concat(),
    );
    let time = der(0x17, b"260101000000Z");
    let list = der(0x30, &entries.concat());
    let exts = if extensions.is_empty() {
        Vec::new()
    } else {
        der(0xa0, &der(0x30, &extensions.concat()))
    };
    let tbs = der(
        0x30,
        &[&der(0x02, &[1])[..], &alg, issuer, &time, &list, &exts].concat(),
    );
    der(0x30, &[&tbs[..], &alg, &der(0x03, &[0, 0, 0])].concat())
}

fn entry(serial: &[u8]) -> Vec<u8> {
    der(
        0x30,
        &[&der(0x02, serial)[..], &der(0x17, b"260201000000Z")].concat(),
    )
}

#[test]
fn an_entry_is_found_where_it_is() {
    let crl = Crl::from_der(&fixture("issuing-ca.crl")).unwrap();
    assert_eq!(crl.entries, 1);
    assert_eq!(
        crl.revocation_of(&cert("leaf-revoked.pem")),
        Some(datetime!(2026-02-01 0:00 UTC))
    );
    assert_eq!(crl.revocation_of(&cert("leaf-org.pem")), None);
    assert!(!crl.removes(&cert("leaf-revoked.pem")));
    assert!(crl.signed_by(&cert("issuing-ca.pem")));
    assert!(!crl.signed_by(&cert("root.pem")));
    assert_eq!(crl.number.as_deref(), Some(&[7][..]));
}

#[test]
fn bytes_after_a_crl_are_not_part_of_it() {
    let der = fixture("issuing-ca.crl");
    let mut padded = der.clone();
    padded.extend_from_slice(b"\n\n\0\0");
    let crl = Crl::from_der(&padded).unwrap();
    assert_eq!(crl.der, der);
    assert!(crl.signed_by(&cert("issuing-ca.pem")));
}

#[test]
fn every_entry_is_read_once_and_told_to_the_reader() {
    let ca = cert("issuing-ca.pem");
    let entries: Vec<Vec<u8>> = (0..10_000u32)
        .map(|i| entry(&(i + 1).to_be_bytes()))
        .collect();
    let der = crl_with(&ca.subject_raw, &entries);
    let mut told = 0;
    let crl = Crl::read(der.clone(), &mut |n| {
        told += n;
        true
    })
    .unwrap();
    assert_eq!((crl.entries, told), (10_000, 10_000));
    // The serial 9,999 (00 00 27 0F) is found however its issuer padded it.
    let mut leaf = cert("leaf-org.pem");
    leaf.issuer_cmp = crl.issuer_cmp.clone();
    leaf.serial_key = vec![0x27, 0x0F];
    assert_eq!(
        crl.revocation_of(&leaf),
        Some(datetime!(2026-02-01 0:00 UTC))
    );
    leaf.serial_key = vec![0x27, 0x11];
    assert_eq!(crl.revocation_of(&leaf), None);
    // Another issuer's certificate with that serial is not this CRL's.
    leaf.serial_key = vec![0x27, 0x0F];
    leaf.issuer_cmp.push('x');
    assert_eq!(crl.revocation_of(&leaf), None);
    // A reader that says stop: the CRL is refused.
    let mut calls = 0;
    let stopped = Crl::read(der, &mut |_| {
        calls += 1;
        calls < 2
    });
    assert!(matches!(stopped, Err(PkiError::BadCrl(_))));
    assert_eq!(calls, 2);
}

#[test]
fn a_malformed_entry_or_an_indefinite_length_refuses_the_crl() {
    let ca = cert("issuing-ca.pem");
    let good = entry(&[1]);
    let bad_time = der(
        0x30,
        &[&der(0x02, &[2])[..], &der(0x04, b"yesterday")].concat(),
    );
    assert!(Crl::from_der(&crl_with(&ca.subject_raw, std::slice::from_ref(&good))).is_ok());
    assert!(Crl::from_der(&crl_with(&ca.subject_raw, &[good.clone(), bad_time])).is_err());
    let not_a_sequence = der(0x31, &der(0x02, &[3]));
    assert!(Crl::from_der(&crl_with(&ca.subject_raw, &[good.clone(), not_a_sequence])).is_err());
    // The outer SEQUENCE with an indefinite length (BER): a CRL is DER.
    let der_crl = crl_with(&ca.subject_raw, &[good]);
    let (top, _) = tlv::read(&der_crl, 0).unwrap();
    let indefinite = [&[0x30, 0x80][..], top.content, &[0, 0]].concat();
    assert!(Crl::from_der(&indefinite).is_err());
}

#[test]
fn a_crl_without_entries_reads() {
    let ca = cert("issuing-ca.pem");
    let crl = Crl::from_der(&crl_with(&ca.subject_raw, &[])).unwrap();
    assert_eq!(crl.entries, 0);
    assert_eq!(crl.revocation_of(&cert("leaf-org.pem")), None);
}

/// An entry revoking `serial` at `time`, with a reasonCode (RFC 5280 §5.3.1) when given.
fn entry_at(serial: &[u8], time: &[u8], reason: Option<u8>) -> Vec<u8> {
    let mut fields = [&der(0x02, serial)[..], &der(0x17, time)].concat();
    if let Some(r) = reason {
        let code = der(0x04, &der(0x0a, &[r]));
        let ext = der(0x30, &[&der(0x06, &[0x55, 0x1d, 0x15])[..], &code].concat());
        fields.extend(der(0x30, &ext));
    }
    der(0x30, &fields)
}

/// Lookups through the sorted index say what a walk of the list in order says: the last entry
/// that revokes a serial gives its date, a removeFromCRL entry (reason 8) takes it off hold,
/// entries out of serial order and padded serials are found.
#[test]
fn the_serial_index_answers_as_the_list_in_order() {
    let ca = cert("issuing-ca.pem");
    let entries = vec![
        entry_at(&[5], b"260201000000Z", None),
        entry_at(&[0, 3], b"260110000000Z", Some(1)),
        entry_at(&[5], b"260301000000Z", Some(4)),
        entry_at(&[7], b"260115000000Z", Some(8)),
        entry_at(&[1], b"260105000000Z", None),
        entry_at(&[0x80], b"260106000000Z", None),
    ];
    let crl = Crl::from_der(&crl_with(&ca.subject_raw, &entries)).unwrap();
    let mut leaf = cert("leaf-org.pem");
    leaf.issuer_cmp = crl.issuer_cmp.clone();
    let mut at = |serial: &[u8]| {
        leaf.serial_key = serial.to_vec();
        (crl.revocation_of(&leaf), crl.removes(&leaf))
    };
    assert_eq!(at(&[5]), (Some(datetime!(2026-03-01 0:00 UTC)), false));
    assert_eq!(at(&[3]), (Some(datetime!(2026-01-10 0:00 UTC)), false));
    assert_eq!(at(&[7]), (None, true));
    assert_eq!(at(&[1]), (Some(datetime!(2026-01-05 0:00 UTC)), false));
    // The entry's 80 is -128: the serial 128 (00 80) is not it (PKITS 4.4.14).
    assert_eq!(at(&[0x80]), (Some(datetime!(2026-01-06 0:00 UTC)), false));
    assert_eq!(at(&[0, 0x80]), (None, false));
    assert_eq!(at(&[4]), (None, false));
    // The index and a walk of the list give the same entries for every serial.
    let list = crl.der.get(crl.entry_bytes.clone()).unwrap();
    let index = SerialIndex::of(list);
    let walk = SerialIndex {
        slots: Vec::new(),
        walk: true,
    };
    for s in [&[1u8][..], &[3], &[4], &[5], &[7], &[0, 0x80], &[0x80]] {
        assert_eq!(index.find(list, s), walk.find(list, s), "{s:?}");
    }
}

/// A cRLNumber extension (RFC 5280 §5.2.3) with `n`, critical or not.
fn crl_number(n: u8, critical: bool) -> Vec<u8> {
    let oid = der(0x06, &[0x55, 0x1d, 0x14]);
    let flag = if critical {
        der(0x01, &[0xff])
    } else {
        Vec::new()
    };
    der(
        0x30,
        &[&oid[..], &flag, &der(0x04, &der(0x02, &[n]))].concat(),
    )
}

#[test]
fn only_a_crl_with_a_non_critical_number_is_proof() {
    let issuer = cert("issuing-ca.pem").subject_raw;
    let without = Crl::from_der(&crl_with(&issuer, &[])).unwrap();
    assert!(without.number.is_none() && !without.conforming());
    let critical =
        Crl::from_der(&crl_with_extensions(&issuer, &[], &[crl_number(7, true)])).unwrap();
    assert!(critical.number_critical && !critical.conforming());
    let plain = Crl::from_der(&crl_with_extensions(&issuer, &[], &[crl_number(7, false)])).unwrap();
    assert_eq!(plain.number.as_deref(), Some(&[7u8][..]));
    assert!(!plain.number_critical && plain.conforming());
    // The fixtures' CRLs are conforming.
    assert!(Crl::from_der(&fixture("issuing-ca.crl"))
        .unwrap()
        .conforming());
}
