//! OCSP responses (RFC 6960) carried in documents: parsed with the BER reader, verified against
//! the certificate's issuer (the CA itself or a responder it delegated with id-kp-OCSPSigning).

use super::cert::Cert;
use super::crypto::{DigestAlg, SignedObject};
use crate::ber;
use crate::oid;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    Revoked(OffsetDateTime),
    Unknown,
}

#[derive(Debug, Clone)]
pub struct SingleResponse {
    pub hash: DigestAlg,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    /// Big-endian, without leading zeros.
    pub serial: Vec<u8>,
    pub status: CertStatus,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct OcspResponse {
    /// The nonce extension (RFC 8954) of the response, if any.
    pub nonce: Option<Vec<u8>>,
    pub signed: SignedObject,
    pub responder_name: Option<Vec<u8>>,
    pub responder_key_hash: Option<Vec<u8>>,
    pub certs: Vec<Cert>,
    pub responses: Vec<SingleResponse>,
}

fn bad(w: &str) -> String {
    format!("OCSP response: {w}")
}

fn time_of(t: &ber::Tlv) -> Result<OffsetDateTime, String> {
    crate::signed_data::parse_time(t).map_err(|e| e.to_string())
}

/// Parse an OCSPResponse (or a bare BasicOCSPResponse).
pub fn parse(der: &[u8]) -> Result<OcspResponse, String> {
    let (top, _) = ber::read(der, 0).map_err(|e| bad(&e.0))?;
    let parts = top.children().map_err(|e| bad(&e.0))?;
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ... }
    let basic = if parts.first().is_some_and(|p| p.tag == 0x0a) {
        if parts[0].content != [0] {
            return Err(bad("the responder did not answer successfully"));
        }
        let rb = parts
            .get(1)
            .filter(|p| p.tag == 0xa0)
            .ok_or_else(|| bad("responseBytes"))?;
        let rb = rb.children().map_err(|e| bad(&e.0))?;
        let seq = rb
            .first()
            .ok_or_else(|| bad("responseBytes"))?
            .children()
            .map_err(|e| bad(&e.0))?;
        let (Some(t), Some(o)) = (seq.first(), seq.get(1)) else {
            return Err(bad("responseBytes"));
        };
        if ber::oid(t).map_err(|e| bad(&e.0))? != oid::OCSP_BASIC {
            return Err(bad("not a basic OCSP response"));
        }
        ber::string_bytes(o).map_err(|e| bad(&e.0))?
    } else {
        der.to_vec()
    };
    parse_basic(&basic)
}

fn parse_basic(der: &[u8]) -> Result<OcspResponse, String> {
    let (top, _) = ber::read(der, 0).map_err(|e| bad(&e.0))?;
    let p = top.children().map_err(|e| bad(&e.0))?;
    let signed = SignedObject::parse(der).map_err(|e| bad(&e))?;
    let tbs = p.first().ok_or_else(|| bad("tbsResponseData"))?;
    let mut certs = Vec::new();
    if let Some(c) = p.get(3).filter(|x| x.tag == 0xa0) {
        for seq in c.children().map_err(|e| bad(&e.0))? {
            for cert in seq.children().map_err(|e| bad(&e.0))? {
                certs.push(Cert::from_der(cert.raw).map_err(|e| bad(&e.to_string()))?);
            }
        }
    }
    let mut fields = tbs
        .children()
        .map_err(|e| bad(&e.0))?
        .into_iter()
        .peekable();
    if fields.peek().is_some_and(|f| f.tag == 0xa0) {
        fields.next(); // version
    }
    let rid = fields.next().ok_or_else(|| bad("responderID"))?;
    let inner = rid.children().map_err(|e| bad(&e.0))?;
    let first = inner.first().ok_or_else(|| bad("responderID"))?;
    let (responder_name, responder_key_hash) = match rid.tag {
        0xa1 => (Some(first.raw.to_vec()), None),
        0xa2 => (None, Some(ber::string_bytes(first).map_err(|e| bad(&e.0))?)),
        _ => return Err(bad("responderID")),
    };
    let _produced_at = fields.next().ok_or_else(|| bad("producedAt"))?;
    let list = fields.next().ok_or_else(|| bad("responses"))?;
    let mut responses = Vec::new();
    for r in list.children().map_err(|e| bad(&e.0))? {
        let f = r.children().map_err(|e| bad(&e.0))?;
        let (Some(cid), Some(status), Some(this)) = (f.first(), f.get(1), f.get(2)) else {
            return Err(bad("SingleResponse"));
        };
        let c = cid.children().map_err(|e| bad(&e.0))?;
        if c.len() != 4 {
            return Err(bad("CertID"));
        }
        let halg = c[0].children().map_err(|e| bad(&e.0))?;
        let hoid =
            ber::oid(halg.first().ok_or_else(|| bad("hashAlgorithm"))?).map_err(|e| bad(&e.0))?;
        let hash = DigestAlg::from_oid(&hoid).ok_or_else(|| bad("CertID hash algorithm"))?;
        let status = match status.tag {
            0x80 => CertStatus::Good,
            0xa1 => {
                let rv = status.children().map_err(|e| bad(&e.0))?;
                CertStatus::Revoked(time_of(rv.first().ok_or_else(|| bad("revocationTime"))?)?)
            }
            _ => CertStatus::Unknown,
        };
        let next_update = match f.get(3).filter(|x| x.tag == 0xa0) {
            Some(n) => Some(time_of(
                n.children()
                    .map_err(|e| bad(&e.0))?
                    .first()
                    .ok_or_else(|| bad("nextUpdate"))?,
            )?),
            None => None,
        };
        responses.push(SingleResponse {
            hash,
            issuer_name_hash: ber::string_bytes(&c[1]).map_err(|e| bad(&e.0))?,
            issuer_key_hash: ber::string_bytes(&c[2]).map_err(|e| bad(&e.0))?,
            serial: super::cert::int_key(c[3].content),
            status,
            this_update: time_of(this)?,
            next_update,
        });
    }
    let nonce = match fields.next().filter(|f| f.tag == 0xa1) {
        Some(exts) => response_nonce(&exts)?,
        None => None,
    };
    Ok(OcspResponse {
        nonce,
        signed,
        responder_name,
        responder_key_hash,
        certs,
        responses,
    })
}

/// The nonce in `[1] EXPLICIT Extensions`: the extnValue's OCTET STRING, unwrapped once more
/// when it holds an OCTET STRING (RFC 8954 §2.1).
fn response_nonce(exts: &ber::Tlv) -> Result<Option<Vec<u8>>, String> {
    let list = exts.children().map_err(|e| bad(&e.0))?;
    for seq in list
        .first()
        .map(|l| l.children())
        .transpose()
        .map_err(|e| bad(&e.0))?
        .unwrap_or_default()
    {
        let f = seq.children().map_err(|e| bad(&e.0))?;
        let Some(oid) = f.first() else { continue };
        if ber::oid(oid).map_err(|e| bad(&e.0))? != oid::OCSP_NONCE {
            continue;
        }
        let Some(value) = f.last().filter(|v| v.tag == 0x04) else {
            return Err(bad("nonce"));
        };
        return Ok(Some(match ber::read(value.content, 0) {
            Ok((inner, _)) if inner.tag == 0x04 && inner.raw.len() == value.content.len() => {
                inner.content.to_vec()
            }
            _ => value.content.to_vec(),
        }));
    }
    Ok(None)
}

/// The subjectPublicKey bits of a certificate (what OCSP key hashes cover).
pub(crate) fn key_bits(c: &Cert) -> Option<Vec<u8>> {
    let (spki, _) = ber::read(&c.spki_der, 0).ok()?;
    let parts = spki.children().ok()?;
    parts
        .get(1)
        .and_then(|b| b.content.get(1..))
        .map(<[u8]>::to_vec)
}

impl OcspResponse {
    fn signed_by(&self, key_holder: &Cert) -> bool {
        self.signed.verify_with(&key_holder.key).is_ok()
    }

    fn names(&self, c: &Cert) -> bool {
        self.responder_name.as_deref() == Some(c.subject_raw.as_slice())
            || self
                .responder_key_hash
                .as_ref()
                .is_some_and(|h| key_bits(c).is_some_and(|k| DigestAlg::Sha1.hash(&[&k]) == *h))
    }

    /// The status this response gives `cert` (issued by `issuer`), if it is about it and its
    /// signature is the issuer's or a delegated responder's.
    pub fn status_of(&self, cert: &Cert, issuer: &Cert) -> Option<&SingleResponse> {
        let issuer_key = key_bits(issuer)?;
        let single = self.responses.iter().find(|r| {
            r.serial == cert.serial_key
                && r.issuer_name_hash == r.hash.hash(&[&issuer.subject_raw])
                && r.issuer_key_hash == r.hash.hash(&[&issuer_key])
        })?;
        let authorised = (self.names(issuer) && self.signed_by(issuer))
            || self.certs.iter().any(|d| {
                // A delegated responder's certificate must be valid when it answered.
                let valid_then = self
                    .responses
                    .iter()
                    .all(|r| d.not_before <= r.this_update && r.this_update <= d.not_after);
                valid_then
                    && self.names(d)
                    && self.signed_by(d)
                    && d.ext_key_usage.iter().any(|e| e == oid::EKU_OCSP_SIGNING)
                    && d.issuer_raw == issuer.subject_raw
                    && super::signed_by(issuer, d).is_ok()
            });
        authorised.then_some(single)
    }
}
