//! CMS SignedData (RFC 5652) as PDF signers really write it: DER or BER, zero-padded inside
//! `/Contents`. Decoding only; no trust decisions and no knowledge of PDF.

use crate::der::oid;
use crate::der::tlv;

mod asn1;
pub(crate) use asn1::LooseInt;

use ::cms::signed_data::{SignedData as CmsSignedData, SignerIdentifier};
use der::{Decode, Encode};
use time::OffsetDateTime;

impl From<tlv::BerError> for CmsError {
    fn from(e: tlv::BerError) -> Self {
        CmsError::Malformed(e.0)
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CmsError {
    #[error("the signature's /Contents is empty")]
    Empty,
    #[error("the CMS structure is malformed: {0}")]
    Malformed(String),
    #[error("/Contents has non-zero bytes after the CMS structure ({0} bytes)")]
    TrailingData(usize),
    #[error("the CMS is {size} bytes, above the budget of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the CMS content type is {0}, not signedData")]
    NotSignedData(String),
    #[error("the CMS has {0} SignerInfos; a PDF signature has exactly one")]
    SignerCount(usize),
    #[error("the CMS carries {count} certificates, above the budget of {limit}")]
    TooManyCertificates { count: usize, limit: usize },
    #[error("signed attribute {0} appears more than once or with several values")]
    DuplicateAttribute(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    IssuerSerial { issuer: Vec<u8>, serial: Vec<u8> },
    SubjectKeyId(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmId {
    pub oid: String,
    /// DER of the parameters, if any.
    pub params: Option<Vec<u8>>,
}

/// ESS signing-certificate reference (v1: SHA-1; v2: the named hash, SHA-256 by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssCertId {
    pub hash_oid: String,
    pub hash: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    /// The bytes the signature is computed over: the SET OF with tag 0x31, as written.
    pub signed_bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub message_digest: Option<Vec<u8>>,
    pub signing_time: Option<OffsetDateTime>,
    pub ess_cert_ids: Vec<EssCertId>,
    pub oids: Vec<String>,
    /// CRLs of an adbe-revocationInfoArchival attribute, as their original bytes.
    pub archived_crls: Vec<Vec<u8>>,
    /// OCSP responses of an adbe-revocationInfoArchival attribute.
    pub archived_ocsps: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct SignedData {
    /// Length of the CMS inside `/Contents` (the rest was zero padding).
    pub len: usize,
    pub ber: bool,
    pub econtent_type: String,
    pub encapsulated_content: Option<Vec<u8>>,
    pub digest_algorithm: AlgorithmId,
    pub signature_algorithm: AlgorithmId,
    pub signature: Vec<u8>,
    pub sid: SignerId,
    pub signed_attrs: Option<SignedAttributes>,
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

/// The signed attributes with the bytes the signature covers (RFC 5652 §5.4: the DER SET OF,
/// so a BER-encoded set is re-encoded, and the `[0]` tag becomes SET).
fn signed_attributes(
    tlv: Option<&tlv::Tlv>,
    typed: Option<&::cms::signed_data::SignedAttributes>,
) -> Result<Option<SignedAttributes>, CmsError> {
    match (tlv, typed) {
        (Some(t), Some(typed_attrs)) => {
            let signed_bytes = if t.indefinite {
                typed_attrs
                    .to_der()
                    .map_err(|e| CmsError::Malformed(format!("signed attributes: {e}")))?
            } else {
                let mut b = t.raw.to_vec();
                b[0] = 0x31;
                b
            };
            Ok(Some(parse_signed_attrs(typed_attrs, signed_bytes)?))
        }
        (None, None) => Ok(None),
        _ => Err(CmsError::Malformed("signed attributes".into())),
    }
}

/// An attribute type (OID) with the original bytes of its values.
type Attribute = (String, Vec<Vec<u8>>);

/// The unsigned attributes `[1]` of a SignerInfo: each type with its values' bytes.
fn unsigned_attributes(si_parts: &[tlv::Tlv]) -> Result<Vec<Attribute>, CmsError> {
    let mut out = Vec::new();
    if let Some(t) = si_parts.iter().find(|t| t.tag == 0xa1) {
        for a in t.children()? {
            let kids = a.children()?;
            let (Some(o), Some(vals)) = (kids.first(), kids.get(1)) else {
                return Err(CmsError::Malformed("an unsigned attribute".into()));
            };
            let values = vals.children()?.iter().map(|v| v.raw.to_vec()).collect();
            out.push((tlv::oid(o)?, values));
        }
    }
    Ok(out)
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
/// OtherRevocationInfoFormat of RFC 5940 §2, e.g. an OCSP response); the revocation data is read
/// from the original bytes anyway, so on such a refusal the SignedData is decoded again without
/// its `crls` [1] field.
fn decode_typed(sd: &tlv::Tlv) -> Result<CmsSignedData, CmsError> {
    let first = match CmsSignedData::from_ber(sd.raw) {
        Ok(t) => return Ok(t),
        Err(e) => CmsError::Malformed(format!("SignedData: {e}")),
    };
    let parts = sd.children()?;
    if !parts.iter().any(|p| p.tag == 0xa1) {
        return Err(first);
    }
    let body: Vec<u8> = parts
        .iter()
        .filter(|p| p.tag != 0xa1)
        .flat_map(|p| p.raw.iter().copied())
        .collect();
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

/// The values kyso reads from the typed signed attributes (RFC 5652 §11, RFC 5035 §3, ISO
/// 32000-2 §12.8.3.3.2): each attribute once, each with one value.
fn parse_signed_attrs(
    typed: &::cms::signed_data::SignedAttributes,
    signed_bytes: Vec<u8>,
) -> Result<SignedAttributes, CmsError> {
    let mut out = SignedAttributes {
        signed_bytes,
        content_type: None,
        message_digest: None,
        signing_time: None,
        ess_cert_ids: Vec::new(),
        oids: Vec::new(),
        archived_crls: Vec::new(),
        archived_ocsps: Vec::new(),
    };
    for attr in typed.iter() {
        let oid = attr.oid.to_string();
        if out.oids.contains(&oid) {
            return Err(CmsError::DuplicateAttribute(oid));
        }
        out.oids.push(oid.clone());
        if !READ_ATTRIBUTES.contains(&oid.as_str()) {
            continue;
        }
        // An attribute kyso reads has exactly one value (RFC 5652 §11, RFC 5035 §5.4).
        let (Some(value), 1) = (attr.values.iter().next(), attr.values.len()) else {
            return Err(CmsError::DuplicateAttribute(oid));
        };
        // The SignedData may be BER, and so may a value inside it (the signature covers the
        // attributes' DER re-encoding either way).
        read_attribute(&mut out, &oid, value.to_ref())?;
    }
    Ok(out)
}

/// The signed attributes kyso reads; the others are only listed.
const READ_ATTRIBUTES: [&str; 6] = [
    oid::CONTENT_TYPE,
    oid::MESSAGE_DIGEST,
    oid::SIGNING_TIME,
    oid::ADBE_REVOCATION_INFO_ARCHIVAL,
    oid::SIGNING_CERTIFICATE,
    oid::SIGNING_CERTIFICATE_V2,
];

/// One of [`READ_ATTRIBUTES`] into `out`.
fn read_attribute(
    out: &mut SignedAttributes,
    oid: &str,
    value: der::asn1::AnyRef<'_>,
) -> Result<(), CmsError> {
    match oid {
        oid::CONTENT_TYPE => {
            let o: der::asn1::ObjectIdentifier = ber(value).map_err(bad("contentType"))?;
            out.content_type = Some(o.to_string());
        }
        oid::MESSAGE_DIGEST => {
            let d: der::asn1::OctetString = ber(value)
                .map_err(|_| CmsError::Malformed("messageDigest is not an OCTET STRING".into()))?;
            out.message_digest = Some(d.into_bytes().into_vec());
        }
        oid::SIGNING_TIME => out.signing_time = Some(time_ref(value)?),
        oid::ADBE_REVOCATION_INFO_ARCHIVAL => {
            let archive: asn1::RevocationInfoArchival =
                ber(value).map_err(bad("adbe-revocationInfoArchival"))?;
            let der_of = |v: Option<Vec<der::asn1::Any>>| -> Result<Vec<Vec<u8>>, CmsError> {
                v.unwrap_or_default()
                    .iter()
                    .map(|a| a.to_der().map_err(bad("archived revocation data")))
                    .collect()
            };
            out.archived_crls = der_of(archive.crl)?;
            out.archived_ocsps = der_of(archive.ocsp)?;
        }
        // Both forms may be present (RFC 5035 §5.4): each one's ids are kept.
        _ => out.ess_cert_ids.extend(ess_ids(oid, value)?),
    }
    Ok(())
}

/// The certificate ids of a signingCertificate (SHA-1, RFC 2634 §5.4) or signingCertificateV2
/// (SHA-256 unless it names another, RFC 5035 §3) attribute.
fn ess_ids(oid: &str, value: der::asn1::AnyRef<'_>) -> Result<Vec<EssCertId>, CmsError> {
    let id = |hash_oid: String, hash: der::asn1::OctetString| EssCertId {
        hash_oid,
        hash: hash.into_bytes().into_vec(),
    };
    if oid == oid::SIGNING_CERTIFICATE {
        let sc: asn1::SigningCertificate = ber(value).map_err(bad("signingCertificate"))?;
        return Ok(sc
            .certs
            .into_iter()
            .map(|c| id(oid::SHA1.to_string(), c.cert_hash))
            .collect());
    }
    let sc: asn1::SigningCertificateV2 = ber(value).map_err(bad("signingCertificateV2"))?;
    Ok(sc
        .certs
        .into_iter()
        .map(|c| {
            let alg = c.hash_algorithm.map(|a| a.oid.to_string());
            id(alg.unwrap_or_else(|| oid::SHA256.to_string()), c.cert_hash)
        })
        .collect())
}

/// An attribute value decoded under BER rules.
fn ber<'a, T>(v: der::asn1::AnyRef<'a>) -> der::Result<T>
where
    T: der::Choice<'a> + der::DecodeValue<'a, Error = der::Error>,
{
    v.decode_as_encoding(der::EncodingRules::Ber)
}

/// A `der` error in `what`, as a malformed CMS.
fn bad(what: &'static str) -> impl Fn(der::Error) -> CmsError {
    move |e| CmsError::Malformed(format!("{what}: {e}"))
}

/// A UTCTime or GeneralizedTime value (RFC 5280 §4.1.2.5 forms, and RFC 3161's fractions).
pub fn time_value(v: &der::asn1::Any) -> Result<OffsetDateTime, CmsError> {
    time_ref(v.to_ref())
}

fn time_ref(v: der::asn1::AnyRef<'_>) -> Result<OffsetDateTime, CmsError> {
    use der::Tagged;
    let tag = match v.tag() {
        der::Tag::UtcTime => 0x17,
        der::Tag::GeneralizedTime => 0x18,
        t => return Err(CmsError::Malformed(format!("time: a {t} is not a time"))),
    };
    parse_time_content(tag, v.value())
}

/// UTCTime (tag 0x17) or GeneralizedTime (0x18) in their DER forms (`...Z`).
pub fn parse_time(t: &tlv::Tlv) -> Result<OffsetDateTime, CmsError> {
    parse_time_content(t.tag, t.content)
}

/// [`parse_time`] of a tag and its content octets.
fn parse_time_content(tag: u8, content: &[u8]) -> Result<OffsetDateTime, CmsError> {
    // UTCTime and GeneralizedTime are ASCII (X.680 §46-47): anything else is malformed, and
    // byte offsets below are then character offsets (found by cargo-fuzz: a UTF-8 time).
    let s = std::str::from_utf8(content)
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or_else(|| CmsError::Malformed("time: not ASCII".into()))?;
    let bad = || CmsError::Malformed(format!("time {s:?}"));
    let s = s.strip_suffix('Z').ok_or_else(bad)?;
    let (year, rest) = match tag {
        0x17 if s.len() >= 10 => {
            let yy: i32 = s[..2].parse().map_err(|_| bad())?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &s[2..])
        }
        0x18 if s.len() >= 12 => (s[..4].parse().map_err(|_| bad())?, &s[4..]),
        _ => return Err(bad()),
    };
    let rest = rest.split('.').next().unwrap_or(rest);
    let num = |r: std::ops::Range<usize>| -> Result<u8, CmsError> {
        rest.get(r).ok_or_else(bad)?.parse().map_err(|_| bad())
    };
    let month = time::Month::try_from(num(0..2)?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year, month, num(2..4)?).map_err(|_| bad())?;
    let sec = if rest.len() >= 10 { num(8..10)? } else { 0 };
    let tm = time::Time::from_hms(num(4..6)?, num(6..8)?, sec).map_err(|_| bad())?;
    Ok(date.with_time(tm).assume_utc())
}

/// The parts of an RFC 3161 TSTInfo that verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    pub imprint_hash_oid: String,
    pub imprint: Vec<u8>,
    pub gen_time: OffsetDateTime,
}

/// TSTInfo (RFC 3161 §2.4.2), version 1, decoded whole ([`asn1::TstInfo`]).
pub fn tst_info(der: &[u8]) -> Result<TstInfo, CmsError> {
    let bad = |w: String| CmsError::Malformed(format!("TSTInfo: {w}"));
    let t = asn1::TstInfo::from_der(der).map_err(|e| bad(e.to_string()))?;
    if t.version.0 != [1] {
        return Err(bad("version is not 1".into()));
    }
    if der::Tagged::tag(&t.gen_time) != der::Tag::GeneralizedTime {
        return Err(bad("genTime is not a GeneralizedTime".into()));
    }
    Ok(TstInfo {
        imprint_hash_oid: t.message_imprint.hash_algorithm.oid.to_string(),
        imprint: t.message_imprint.hashed_message.into_bytes().into_vec(),
        gen_time: time_value(&t.gen_time)?,
    })
}

#[cfg(test)]
mod tests {
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
}
