//! The attributes of a SignerInfo (RFC 5652 §5.3): the signed ones kyso reads (contentType,
//! messageDigest, signingTime, ESS signing-certificate, adbe-revocationInfoArchival) with the
//! bytes the signature covers, and the unsigned ones as their original bytes.

use super::asn1_time::time_ref;
use super::{asn1, tlv, CmsError, EssCertId, SignedAttributes};
use crate::der::oid;
use der::Encode;

/// The signed attributes with the bytes the signature covers (RFC 5652 §5.4: the DER SET OF,
/// so a set written otherwise is re-encoded, its elements sorted as X.690 §11.6 orders them,
/// and the `[0]` tag becomes SET), and the bytes as written when they differ.
pub(super) fn signed_attributes(
    tlv: Option<&tlv::Tlv>,
    typed: Option<&::cms::signed_data::SignedAttributes>,
) -> Result<Option<SignedAttributes>, CmsError> {
    match (tlv, typed) {
        (Some(t), Some(typed_attrs)) => {
            // Decoded as BER, the set keeps the order written; DER sorts it.
            let malformed = |e: der::Error| CmsError::Malformed(format!("signed attributes: {e}"));
            let sorted =
                der::asn1::SetOfVec::try_from(typed_attrs.iter().cloned().collect::<Vec<_>>())
                    .map_err(malformed)?;
            let der = sorted.to_der().map_err(malformed)?;
            let written = (!t.indefinite).then(|| {
                let mut b = t.raw.to_vec();
                b[0] = 0x31;
                b
            });
            let mut attrs = parse_signed_attrs(typed_attrs, der)?;
            attrs.written_bytes = written.filter(|w| *w != attrs.signed_bytes);
            Ok(Some(attrs))
        }
        (None, None) => Ok(None),
        _ => Err(CmsError::Malformed("signed attributes".into())),
    }
}

/// An attribute type (OID) with the original bytes of its values.
type Attribute = (String, Vec<Vec<u8>>);

/// The unsigned attributes `[1]` of a SignerInfo: each type with its values' bytes.
pub(super) fn unsigned_attributes(si_parts: &[tlv::Tlv]) -> Result<Vec<Attribute>, CmsError> {
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

/// The values kyso reads from the typed signed attributes (RFC 5652 §11, RFC 5035 §3, ISO
/// 32000-2 §12.8.3.3.2): each attribute once, each with one value.
fn parse_signed_attrs(
    typed: &::cms::signed_data::SignedAttributes,
    signed_bytes: Vec<u8>,
) -> Result<SignedAttributes, CmsError> {
    let mut out = SignedAttributes {
        signed_bytes,
        written_bytes: None,
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
        let read = READ_ATTRIBUTES.contains(&oid.as_str());
        // RFC 5652 §11 makes contentType, messageDigest and signingTime single (and kyso
        // reads the ESS ones, which must not be ambiguous); other attributes may repeat.
        if read && out.oids.contains(&oid) {
            return Err(CmsError::DuplicateAttribute(oid));
        }
        if !out.oids.contains(&oid) {
            out.oids.push(oid.clone());
        }
        if !read {
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

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    const CONTENT_TYPE: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
    ];
    const DATA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    const OTHER: &[u8] = &[0x06, 0x03, 0x2a, 0x03, 0x04];

    fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
        assert!(content.len() < 0x80);
        [&[tag, content.len() as u8][..], content].concat()
    }

    /// Attribute ::= SEQUENCE { type, SET OF value }.
    fn attr(oid: &[u8], value: &[u8]) -> Vec<u8> {
        wrap(0x30, &[oid, &wrap(0x31, value)].concat())
    }

    /// The signed attributes of `attrs` as written in a SignerInfo (`[0]`), and typed.
    fn parse(attrs: &[Vec<u8>]) -> Result<SignedAttributes, CmsError> {
        let written = wrap(0xa0, &attrs.concat());
        let (t, _) = tlv::read(&written, 0).unwrap();
        let mut as_set = written.clone();
        as_set[0] = 0x31;
        let typed = ::cms::signed_data::SignedAttributes::from_ber(&as_set).unwrap();
        Ok(signed_attributes(Some(&t), Some(&typed))?.unwrap())
    }

    /// RFC 5652 §5.4: the bytes signed are the DER SET OF, elements in X.690 §11.6 order; the
    /// set as written is kept when it differs. An attribute kyso does not read may repeat; one
    /// it reads may not.
    #[test]
    fn the_set_is_signed_in_der_order_and_only_read_attributes_must_be_single() {
        let ct = attr(CONTENT_TYPE, DATA);
        let (two, one) = (
            attr(OTHER, &[0x02, 0x01, 0x02]),
            attr(OTHER, &[0x02, 0x01, 0x01]),
        );
        let a = parse(&[two.clone(), ct.clone(), one.clone()]).unwrap();
        let mut sorted = vec![two.clone(), ct.clone(), one.clone()];
        sorted.sort();
        assert_eq!(a.signed_bytes, wrap(0x31, &sorted.concat()));
        assert_eq!(
            a.written_bytes,
            Some(wrap(0x31, &[two.clone(), ct.clone(), one.clone()].concat()))
        );
        assert_eq!(a.oids.len(), 2, "{:?}", a.oids);
        assert_eq!(a.content_type.as_deref(), Some(oid::DATA));
        let in_order = parse(&sorted).unwrap();
        assert_eq!(in_order.written_bytes, None);
        assert_eq!(in_order.signed_bytes, a.signed_bytes);
        let twice = parse(&[ct.clone(), ct]);
        assert!(
            matches!(twice, Err(CmsError::DuplicateAttribute(_))),
            "{twice:?}"
        );
    }
}
