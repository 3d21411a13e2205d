//! OCSP responses (RFC 6960) carried in documents: decoded by `der` derives
//! (`ocsp_asn1.rs`), verified against
//! the certificate's issuer (the CA itself or a responder it delegated with id-kp-OCSPSigning).

use super::cert::Cert;
use super::crypto::{DigestAlg, SignedObject};
use super::ocsp_asn1 as asn1;
use crate::der::oid;
use crate::der::tlv;
use der::{Decode, Encode};
use std::sync::Arc;
use time::OffsetDateTime;

/// What a responder says of a certificate (RFC 6960 §4.2.1, CertStatus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked at this time.
    Revoked(OffsetDateTime),
    /// The responder does not know it.
    Unknown,
}

/// The answer about one certificate (RFC 6960 §4.2.1, SingleResponse).
#[derive(Debug, Clone)]
pub struct SingleResponse {
    /// The hash of its CertID.
    pub hash: DigestAlg,
    /// The hash of the issuer's name (DER).
    pub issuer_name_hash: Vec<u8>,
    /// The hash of the issuer's key bits.
    pub issuer_key_hash: Vec<u8>,
    /// Big-endian, without leading zeros.
    pub serial: Vec<u8>,
    /// The certificate's status.
    pub status: CertStatus,
    /// When the status was known to be true.
    pub this_update: OffsetDateTime,
    /// When newer information will be available.
    pub next_update: Option<OffsetDateTime>,
}

/// A basic OCSP response (RFC 6960 §4.2.1), decoded; verified only when used
/// ([`OcspResponse::status_of`]).
#[derive(Debug, Clone)]
pub struct OcspResponse {
    /// The nonce extension (RFC 8954) of the response, if any.
    pub nonce: Option<Vec<u8>>,
    /// tbsResponseData with its signature algorithm and value.
    pub signed: SignedObject,
    /// ResponderID byName: the responder's Name DER.
    pub responder_name: Option<Vec<u8>>,
    /// ResponderID byKey: the SHA-1 of the responder's key bits.
    pub responder_key_hash: Option<Vec<u8>>,
    /// producedAt: when the responder signed it (RFC 6960 §4.2.1).
    pub produced_at: OffsetDateTime,
    /// The certificates it carries (a delegated responder's).
    pub certs: Vec<Cert>,
    /// The answers it holds.
    pub responses: Vec<SingleResponse>,
}

fn bad(w: &str) -> String {
    format!("OCSP response: {w}")
}

fn time_of(t: &der::asn1::Any) -> Result<OffsetDateTime, String> {
    crate::cms::time_value(t).map_err(|e| e.to_string())
}

fn der_error(e: der::Error) -> String {
    bad(&e.to_string())
}

/// Parse an OCSPResponse (or a bare BasicOCSPResponse), RFC 6960 §4.2.1.
pub fn parse(bytes: &[u8]) -> Result<OcspResponse, String> {
    // The walker only finds where the response ends (a /DSS stream may pad it).
    let (top, _) = tlv::read(bytes, 0).map_err(|e| bad(&e.0))?;
    let first_is_status = top
        .children()
        .map_err(|e| bad(&e.0))?
        .first()
        .is_some_and(|p| p.tag == 0x0a);
    if !first_is_status {
        return parse_basic(top.raw);
    }
    let r = asn1::OcspResponse::from_der(top.raw).map_err(der_error)?;
    if r.response_status.value() != [0] {
        return Err(bad("the responder did not answer successfully"));
    }
    let rb = r.response_bytes.ok_or_else(|| bad("responseBytes"))?;
    if rb.response_type.to_string() != oid::OCSP_BASIC {
        return Err(bad("not a basic OCSP response"));
    }
    parse_basic(rb.response.as_bytes())
}

fn parse_basic(der: &[u8]) -> Result<OcspResponse, String> {
    let b = asn1::BasicOcspResponse::from_der(der).map_err(der_error)?;
    let signed = SignedObject::parse(der).map_err(|e| bad(&e))?;
    let certs = b
        .certs
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let d = c.to_der().map_err(der_error)?;
            Cert::from_der(&d).map_err(|e| bad(&e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tbs = b.tbs_response_data;
    if tbs.version.is_some_and(|v| v.0 != [0]) {
        return Err(bad("version is not v1"));
    }
    let (responder_name, responder_key_hash) = match tbs.responder_id {
        asn1::ResponderId::ByName(n) => (Some(n.to_der().map_err(der_error)?), None),
        asn1::ResponderId::ByKey(k) => (None, Some(k.into_bytes().into_vec())),
    };
    let produced_at = time_of(&tbs.produced_at)?;
    let responses = tbs
        .responses
        .into_iter()
        .map(single_response)
        .collect::<Result<Vec<_>, _>>()?;
    let nonce = tbs
        .response_extensions
        .unwrap_or_default()
        .into_iter()
        .find(|e| e.extn_id.to_string() == oid::OCSP_NONCE)
        .map(|e| response_nonce(e.extn_value.as_bytes()));
    Ok(OcspResponse {
        nonce,
        signed,
        responder_name,
        responder_key_hash,
        produced_at,
        certs,
        responses,
    })
}

fn single_response(r: asn1::SingleResponse) -> Result<SingleResponse, String> {
    let hash = DigestAlg::from_oid(&r.cert_id.hash_algorithm.oid.to_string())
        .ok_or_else(|| bad("CertID hash algorithm"))?;
    let status = match r.cert_status {
        asn1::CertStatus::Good(_) => CertStatus::Good,
        asn1::CertStatus::Revoked(info) => CertStatus::Revoked(time_of(&info.revocation_time)?),
        asn1::CertStatus::Unknown(_) => CertStatus::Unknown,
    };
    Ok(SingleResponse {
        hash,
        issuer_name_hash: r.cert_id.issuer_name_hash.into_bytes().into_vec(),
        issuer_key_hash: r.cert_id.issuer_key_hash.into_bytes().into_vec(),
        serial: super::cert::int_key(&r.cert_id.serial_number.0),
        status,
        this_update: time_of(&r.this_update)?,
        next_update: r.next_update.as_ref().map(time_of).transpose()?,
    })
}

/// The nonce extension's value: its OCTET STRING, unwrapped once more when it holds an OCTET
/// STRING (RFC 8954 §2.1).
fn response_nonce(value: &[u8]) -> Vec<u8> {
    match der::asn1::OctetString::from_der(value) {
        Ok(inner) => inner.into_bytes().into_vec(),
        Err(_) => value.to_vec(),
    }
}

/// The subjectPublicKey bits of a certificate (what OCSP key hashes cover).
pub fn key_bits(c: &Cert) -> Option<Vec<u8>> {
    let (spki, _) = tlv::read(&c.spki_der, 0).ok()?;
    let parts = spki.children().ok()?;
    parts
        .get(1)
        .and_then(|b| b.content.get(1..))
        .map(<[u8]>::to_vec)
}

/// Who signed an answer kyso accepts (RFC 6960 §4.2.2.2).
#[derive(Debug, Clone, Copy)]
pub enum Responder<'a> {
    /// The CA that issued the certificate in question.
    Issuer,
    /// A responder the CA delegated ([`OcspResponse::delegated_by`]): whether its own
    /// revocation is to be checked is the caller's (RFC 6960 §4.2.2.2.1, `ocsp_nocheck`).
    Delegated(&'a Cert),
}

/// The answer a response gives about one certificate, and who signed it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// The SingleResponse about the certificate.
    pub single: &'a SingleResponse,
    /// Who signed the response.
    pub responder: Responder<'a>,
}

impl OcspResponse {
    fn signed_by(&self, key_holder: &Cert) -> bool {
        self.signed.verify_with(&key_holder.key).is_ok()
    }

    /// Whether the ResponderID names `c` (RFC 6960 §4.2.2.3: byName, or byKey the SHA-1 of
    /// its key bits).
    fn names(&self, c: &Cert) -> bool {
        self.responder_name.as_deref() == Some(c.subject_raw.as_slice())
            || self
                .responder_key_hash
                .as_ref()
                .is_some_and(|h| key_bits(c).is_some_and(|k| DigestAlg::Sha1.hash(&[&k]) == *h))
    }

    /// The SingleResponse whose CertID is `cert`'s, issued by `issuer` (RFC 6960 §4.1.1).
    fn single_for(&self, cert: &Cert, issuer: &Cert) -> Option<&SingleResponse> {
        let issuer_key = key_bits(issuer)?;
        self.responses.iter().find(|r| {
            r.serial == cert.serial_key
                && r.issuer_name_hash == r.hash.hash(&[&issuer.subject_raw])
                && r.issuer_key_hash == r.hash.hash(&[&issuer_key])
        })
    }

    /// The status this response gives `cert` (issued by `issuer`), if it is about it and its
    /// signature is the issuer's or a delegated responder's whose certificate the response
    /// carries ([`OcspResponse::answer`] without other certificates).
    pub fn status_of(&self, cert: &Cert, issuer: &Cert) -> Option<&SingleResponse> {
        self.answer(cert, issuer, &[]).map(|a| a.single)
    }

    /// The answer this response gives about `cert` (issued by `issuer`), if it is about it and
    /// signed by an authorised responder (RFC 6960 §4.2.2.2): the issuer itself, or a
    /// responder it delegated whose certificate is among the response's `certs` or `known`
    /// (the document's `/DSS`, the configured intermediates).
    pub fn answer<'s>(
        &'s self,
        cert: &Cert,
        issuer: &Cert,
        known: &'s [Arc<Cert>],
    ) -> Option<Answer<'s>> {
        let single = self.single_for(cert, issuer)?;
        if self.names(issuer) && self.signed_by(issuer) {
            return Some(Answer {
                single,
                responder: Responder::Issuer,
            });
        }
        let delegate = self
            .certs
            .iter()
            .chain(known.iter().map(|c| c.as_ref()))
            .find(|d| self.delegated_by(issuer, d))?;
        Some(Answer {
            single,
            responder: Responder::Delegated(delegate),
        })
    }

    /// Whether `d` is a responder `issuer` delegated that signed this response (RFC 6960
    /// §4.2.2.2): named by the ResponderID (§4.2.2.3); id-kp-OCSPSigning in its
    /// extendedKeyUsage (§4.2.2.2, RFC 5280 §4.2.1.12; anyExtendedKeyUsage does not count);
    /// issued directly by the CA that issued the certificate in question (its issuer name and
    /// the CA's signature on it); valid when it signed, at producedAt (RFC 5280 §4.1.2.5);
    /// a keyUsage, if any, that allows signing (§4.2.1.3); no critical extension kyso does not
    /// understand (§4.2); and its key verifies the response's signature. Its revocation is
    /// not looked at here (§4.2.2.2.1: see [`Responder::Delegated`]).
    pub fn delegated_by(&self, issuer: &Cert, d: &Cert) -> bool {
        let signing = super::cert::KU_DIGITAL_SIGNATURE | super::cert::KU_NON_REPUDIATION;
        self.names(d)
            && d.ext_key_usage.iter().any(|e| e == oid::EKU_OCSP_SIGNING)
            && d.issuer_cmp == issuer.subject_cmp
            && d.not_before <= self.produced_at
            && self.produced_at <= d.not_after
            && (d.key_usage.is_none() || d.has_key_usage(signing))
            && d.unknown_critical.is_empty()
            && super::signed_by(issuer, d).is_ok()
            && self.signed_by(d)
    }
}

#[cfg(test)]
#[path = "ocsp_tests.rs"]
mod delegation_tests;

#[cfg(test)]
mod decoding_tests {
    use super::*;

    fn fixture() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/pki/ocsp-org-good.der"
        ))
        .unwrap()
    }

    /// OpenSSL's answer reads; the same answer with anything its definition does not have, or
    /// with a status other than successful, is refused.
    #[test]
    fn a_response_follows_rfc_6960() {
        let der = fixture();
        let r = parse(&der).unwrap();
        assert_eq!(r.responses.len(), 1);
        assert_eq!(r.responses[0].status, CertStatus::Good);
        // Padding after the response (a /DSS stream) is not part of it.
        let mut padded = der.clone();
        padded.extend_from_slice(b"\n\n");
        assert!(parse(&padded).is_ok());
        // responseStatus 3 (tryLater).
        let (top, _) = tlv::read(&der, 0).unwrap();
        let status_at = top.raw.len() - top.content.len() + 2;
        let mut later = der.clone();
        later[status_at] = 3;
        assert!(parse(&later)
            .unwrap_err()
            .contains("did not answer successfully"));
        // The BasicOCSPResponse with one element too many.
        let basic = asn1::OcspResponse::from_der(&der)
            .unwrap()
            .response_bytes
            .unwrap()
            .response;
        let (b, _) = tlv::read(basic.as_bytes(), 0).unwrap();
        let mut content = b.content.to_vec();
        content.extend_from_slice(&[0x05, 0x00]);
        let mut extra = vec![0x30, 0x82, (content.len() >> 8) as u8, content.len() as u8];
        extra.extend(content);
        assert!(parse(&extra).is_err());
    }
}
