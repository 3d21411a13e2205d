//! CMS SignedData (RFC 5652) as PDF signers really write it: DER or BER, zero-padded inside
//! `/Contents`. Decoding only; no trust decisions and no knowledge of PDF.

use crate::der::oid;
use crate::der::tlv;

mod asn1;
mod asn1_time;
mod attributes;
#[cfg(test)]
mod tests;
mod tst;

pub(crate) use asn1::LooseInt;
pub(crate) use asn1_time::time_value;
use attributes::{signed_attributes, unsigned_attributes};
pub use tst::{tst_info, TstInfo};

use ::cms::signed_data::{SignedData as CmsSignedData, SignerIdentifier};
use der::{Decode, Encode};
use time::OffsetDateTime;

impl From<tlv::BerError> for CmsError {
    fn from(e: tlv::BerError) -> Self {
        CmsError::Malformed(e.0)
    }
}

/// Why the CMS of a signature cannot be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CmsError {
    /// `/Contents` is empty or all zeros.
    #[error("the signature's /Contents is empty")]
    Empty,
    /// The BER/DER does not follow RFC 5652's definitions; what is wrong.
    #[error("the CMS structure is malformed: {0}")]
    Malformed(String),
    /// Non-zero bytes after the ContentInfo (padding must be zeros); how many.
    #[error("/Contents has non-zero bytes after the CMS structure ({0} bytes)")]
    TrailingData(usize),
    /// The CMS is larger than the budget allows.
    #[error("the CMS is {size} bytes, above the budget of {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The budget.
        limit: usize,
    },
    /// The ContentInfo holds something else than signedData (RFC 5652 §5.1); its OID.
    #[error("the CMS content type is {0}, not signedData")]
    NotSignedData(String),
    /// Not exactly one SignerInfo (ISO 32000-2 §12.8.3.3.1); how many.
    #[error("the CMS has {0} SignerInfos; a PDF signature has exactly one")]
    SignerCount(usize),
    /// More certificates than the budget allows.
    #[error("the CMS carries {count} certificates, above the budget of {limit}")]
    TooManyCertificates {
        /// How many.
        count: usize,
        /// The budget.
        limit: usize,
    },
    /// A signed attribute kyso reads twice, or with several values (RFC 5652 §11); its OID.
    #[error("signed attribute {0} appears more than once or with several values")]
    DuplicateAttribute(String),
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3, SignerIdentifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// issuerAndSerialNumber.
    IssuerSerial {
        /// The issuer Name's DER.
        issuer: Vec<u8>,
        /// The serial number's content bytes.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    SubjectKeyId(Vec<u8>),
}

/// An AlgorithmIdentifier (RFC 5280 §4.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmId {
    /// Its OID, dotted.
    pub oid: String,
    /// DER of the parameters, if any.
    pub params: Option<Vec<u8>>,
}

/// ESS signing-certificate reference (v1: SHA-1; v2: the named hash, SHA-256 by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssCertId {
    /// The hash algorithm's OID, dotted.
    pub hash_oid: String,
    /// The hash of the certificate's DER.
    pub hash: Vec<u8>,
}

/// The signed attributes of a SignerInfo (RFC 5652 §5.3) that kyso reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    /// The bytes the signature is computed over: the DER encoding of the SET OF (RFC 5652
    /// §5.4), tag 0x31.
    pub signed_bytes: Vec<u8>,
    /// The SET OF as written, when it is not its DER encoding (elements out of DER order,
    /// X.690 §11.6): a signature over these bytes is refused, as DSS and pyHanko refuse it.
    pub written_bytes: Option<Vec<u8>>,
    /// contentType (RFC 5652 §11.1), its OID dotted.
    pub content_type: Option<String>,
    /// messageDigest (RFC 5652 §11.2).
    pub message_digest: Option<Vec<u8>>,
    /// signingTime (RFC 5652 §11.3).
    pub signing_time: Option<OffsetDateTime>,
    /// The ids of signingCertificate and signingCertificateV2 (RFC 2634 §5.4, RFC 5035 §3).
    pub ess_cert_ids: Vec<EssCertId>,
    /// The OIDs of every signed attribute, in order.
    pub oids: Vec<String>,
    /// CRLs of an adbe-revocationInfoArchival attribute, as their original bytes.
    pub archived_crls: Vec<Vec<u8>>,
    /// OCSP responses of an adbe-revocationInfoArchival attribute.
    pub archived_ocsps: Vec<Vec<u8>>,
}

/// A CMS SignedData with one signer (RFC 5652 §5), as a PDF signature carries it.
#[derive(Debug, Clone)]
pub struct SignedData {
    /// Length of the CMS inside `/Contents` (the rest was zero padding).
    pub len: usize,
    /// Whether it uses BER forms DER does not allow (indefinite lengths, constructed strings).
    pub ber: bool,
    /// encapContentInfo's eContentType, dotted.
    pub econtent_type: String,
    /// The encapsulated content, when present (a detached signature has none).
    pub encapsulated_content: Option<Vec<u8>>,
    /// The SignerInfo's digestAlgorithm.
    pub digest_algorithm: AlgorithmId,
    /// The SignerInfo's signatureAlgorithm.
    pub signature_algorithm: AlgorithmId,
    /// The signature value.
    pub signature: Vec<u8>,
    /// Who signed.
    pub sid: SignerId,
    /// The signed attributes, when present.
    pub signed_attrs: Option<SignedAttributes>,
    /// The OIDs of the unsigned attributes, in order.
    pub unsigned_attr_oids: Vec<String>,
    /// Unsigned attributes: OID and the original bytes of each value.
    pub unsigned_attrs: Vec<(String, Vec<Vec<u8>>)>,
    /// Certificates carried in the CMS, as their original DER.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs carried in the CMS, as their original bytes.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses carried in the CMS (RevocationInfoChoices, id-ri-ocsp-response).
    pub ocsps: Vec<Vec<u8>>,
}

/// Decode the CMS in a signature's `/Contents`.
pub fn decode(contents: &[u8], max_bytes: usize, max_certs: usize) -> Result<SignedData, CmsError> {
    if contents.is_empty() || contents.iter().all(|b| *b == 0) {
        return Err(CmsError::Empty);
    }
    let (top, rest) = tlv::read(contents, 0)?;
    if let Some(n) = rest.iter().position(|b| *b != 0) {
        return Err(CmsError::TrailingData(rest.len() - n));
    }
    if top.raw.len() > max_bytes {
        return Err(CmsError::TooLarge {
            size: top.raw.len(),
            limit: max_bytes,
        });
    }
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
    let ci = top.children()?;
    if top.tag != 0x30 || ci.len() != 2 || ci[1].tag != 0xa0 {
        return Err(CmsError::Malformed("ContentInfo".into()));
    }
    let ctype = tlv::oid(&ci[0])?;
    if ctype != oid::SIGNED_DATA {
        return Err(CmsError::NotSignedData(ctype));
    }
    let sd_tlv = single(ci[1].children()?, "the signedData content")?;
    let typed = decode_typed(&sd_tlv)?;
    let n_signers = typed.signer_infos.0.len();
    if n_signers != 1 {
        return Err(CmsError::SignerCount(n_signers));
    }

    // Locate original bytes: certificates [0], crls [1], signerInfos SET.
    let parts = sd_tlv.children()?;
    let (certificates, crls, ocsps) = certificates_and_revocation(&parts)?;
    if certificates.len() > max_certs {
        return Err(CmsError::TooManyCertificates {
            count: certificates.len(),
            limit: max_certs,
        });
    }
    let signer_infos = parts
        .last()
        .filter(|t| t.tag == 0x31)
        .ok_or_else(|| CmsError::Malformed("signerInfos".into()))?;
    let si_tlv = single(signer_infos.children()?, "the SignerInfo")?;
    let si_parts = si_tlv.children()?;
    let signed_attrs_tlv = si_parts.iter().find(|t| t.tag == 0xa0);

    let si = typed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or(CmsError::SignerCount(0))?;
    let sid = signer_id(&si.sid)?;
    let signed_attrs = signed_attributes(signed_attrs_tlv, si.signed_attrs.as_ref())?;
    let unsigned_attrs = unsigned_attributes(&si_parts)?;
    let unsigned_attr_oids = unsigned_attrs.iter().map(|(o, _)| o.clone()).collect();
    let encapsulated_content = match &typed.encap_content_info.econtent {
        None => None,
        Some(_) => Some(encapsulated(&parts)?),
    };
    Ok(SignedData {
        len: top.raw.len(),
        ber: is_ber(&top)?,
        econtent_type: typed.encap_content_info.econtent_type.to_string(),
        encapsulated_content,
        digest_algorithm: alg(&si.digest_alg)?,
        signature_algorithm: alg(&si.signature_algorithm)?,
        signature: si.signature.as_bytes().to_vec(),
        sid,
        signed_attrs,
        unsigned_attr_oids,
        unsigned_attrs,
        certificates,
        crls,
        ocsps,
    })
}

/// The certificates `[0]`, CRLs and OCSP responses `[1]` of a SignedData's parts, as their
/// original bytes (RFC 5652 §5.1; OCSP as OtherRevocationInfoFormat, RFC 5940).
#[allow(clippy::type_complexity)]
fn certificates_and_revocation(
    parts: &[tlv::Tlv],
) -> Result<(Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Vec<u8>>), CmsError> {
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut ocsps = Vec::new();
    for p in &parts[3.min(parts.len())..] {
        match p.tag {
            0xa0 => {
                for c in p.children()? {
                    if c.tag == 0x30 {
                        certificates.push(c.raw.to_vec());
                    }
                }
            }
            0xa1 => {
                for c in p.children()? {
                    // OtherRevocationInfoFormat [1] { id-ri-ocsp-response, OCSPResponse }
                    if c.tag == 0xa1 {
                        let kids = c.children()?;
                        if kids.first().and_then(|o| tlv::oid(o).ok()).as_deref()
                            == Some(oid::RI_OCSP_RESPONSE)
                        {
                            ocsps.extend(kids.get(1).map(|r| r.raw.to_vec()));
                        }
                    } else {
                        crls.push(c.raw.to_vec());
                    }
                }
            }
            _ => {}
        }
    }
    Ok((certificates, crls, ocsps))
}

/// The SignerIdentifier (RFC 5652 §5.3): issuer and serial, or subject key identifier.
fn signer_id(sid: &SignerIdentifier) -> Result<SignerId, CmsError> {
    Ok(match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => SignerId::IssuerSerial {
            issuer: isn
                .issuer
                .to_der()
                .map_err(|e| CmsError::Malformed(format!("signer issuer: {e}")))?,
            serial: isn.serial_number.as_bytes().to_vec(),
        },
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            SignerId::SubjectKeyId(ski.0.as_bytes().to_vec())
        }
    })
}

/// The eContent `[0] EXPLICIT OCTET STRING` of encapContentInfo, possibly constructed (BER).
fn encapsulated(parts: &[tlv::Tlv]) -> Result<Vec<u8>, CmsError> {
    let eci = parts
        .get(2)
        .ok_or_else(|| CmsError::Malformed("encapContentInfo".into()))?
        .children()?;
    let explicit = eci
        .get(1)
        .ok_or_else(|| CmsError::Malformed("eContent".into()))?;
    let inner = single(explicit.children()?, "the eContent")?;
    Ok(tlv::string_bytes(&inner)?)
}

/// The typed SignedData. `cms` 0.3.0-rc.0 refuses some RevocationInfoChoices (the
/// OtherRevocationInfoFormat of RFC 5940 §2, e.g. an OCSP response) and the attribute
/// certificates a CertificateChoices may hold (RFC 5652 §10.2.2, v1AttrCert [1] and v2AttrCert
/// [2], which some TSAs put in their tokens); the certificates and revocation data are read from
/// the original bytes anyway (attribute certificates are skipped there), so on such a refusal
/// the SignedData is decoded again without its `crls` [1] field and without attribute
/// certificates.
fn decode_typed(sd: &tlv::Tlv) -> Result<CmsSignedData, CmsError> {
    let first = match CmsSignedData::from_ber(sd.raw) {
        Ok(t) => return Ok(t),
        Err(e) => CmsError::Malformed(format!("SignedData: {e}")),
    };
    let parts = sd.children()?;
    let attr_cert = |c: &tlv::Tlv| matches!(c.tag, 0xa1 | 0xa2);
    let mut changed = false;
    let mut body: Vec<u8> = Vec::new();
    for p in &parts {
        match p.tag {
            0xa1 => changed = true,
            0xa0 => {
                let certs = p.children()?;
                if certs.iter().any(attr_cert) {
                    changed = true;
                    let kept: Vec<u8> = certs
                        .iter()
                        .filter(|c| !attr_cert(c))
                        .flat_map(|c| c.raw.iter().copied())
                        .collect();
                    body.push(0xa0);
                    body.extend(der_length(kept.len()));
                    body.extend(kept);
                } else {
                    body.extend_from_slice(p.raw);
                }
            }
            _ => body.extend_from_slice(p.raw),
        }
    }
    if !changed {
        return Err(first);
    }
    let mut der = vec![0x30];
    der.extend(der_length(body.len()));
    der.extend(body);
    CmsSignedData::from_ber(&der).map_err(|_| first)
}

/// A DER length (X.690 §8.1.3).
fn der_length(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn single<'a>(mut v: Vec<tlv::Tlv<'a>>, what: &str) -> Result<tlv::Tlv<'a>, CmsError> {
    if v.len() != 1 {
        return Err(CmsError::Malformed(format!(
            "{what}: expected one element, found {}",
            v.len()
        )));
    }
    v.pop().ok_or_else(|| CmsError::Malformed(what.to_string()))
}

fn is_ber(t: &tlv::Tlv) -> Result<bool, CmsError> {
    if t.indefinite {
        return Ok(true);
    }
    if t.constructed() && t.tag & 0xc0 != 0x80 || t.tag == 0xa0 {
        for c in t.children()? {
            if c.constructed() && is_ber(&c)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn alg(a: &spki::AlgorithmIdentifierOwned) -> Result<AlgorithmId, CmsError> {
    let params = match &a.parameters {
        None => None,
        Some(p) => Some(
            p.to_der()
                .map_err(|e| CmsError::Malformed(format!("algorithm parameters: {e}")))?,
        ),
    };
    Ok(AlgorithmId {
        oid: a.oid.to_string(),
        params,
    })
}
