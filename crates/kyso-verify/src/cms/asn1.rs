//! The ASN.1 types kyso reads inside a SignedData beyond what the `cms` crate types: the ESS
//! signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3), Adobe's revocation-information
//! archive (ISO 32000-2 §12.8.3.3.2) and the RFC 3161 TSTInfo, all decoded by `der` derives.
//! A value that does not follow its definition (a wrong tag, a missing or extra field) is
//! refused, which the hand walk these replace did not do.
//!
//! Times stay `Any` and are read by [`super::time_value`]: RFC 3161 §2.4.2 allows fractions of
//! a second in genTime, which `der`'s GeneralizedTime refuses.

use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{
    DecodeValue, EncodeValue, ErrorKind, FixedTag, Header, Length, Reader, Sequence, Tag, Writer,
};
use spki::AlgorithmIdentifierOwned;

/// An INTEGER as its content octets, minimal or not. DER wants the shortest form, but serial
/// numbers echoed by OCSP responders and TSAs are sometimes padded, and the old reader (and the
/// peers) accepted them: refusing would turn a revocation answer or a timestamp into nothing.
/// Only an empty INTEGER is refused.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct LooseInt(pub Vec<u8>);

impl<'a> DecodeValue<'a> for LooseInt {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        if header.length().is_zero() {
            return Err(reader.error(ErrorKind::Length { tag: Tag::Integer }));
        }
        Ok(LooseInt(reader.read_vec(header.length())?))
    }
}

impl EncodeValue for LooseInt {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

impl FixedTag for LooseInt {
    const TAG: Tag = Tag::Integer;
}

/// ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
/// certHash Hash, issuerSerial IssuerSerial OPTIONAL }. The default is read as absent (and
/// SHA-256); signers that write it out anyway (against DER) are accepted, as by the peers.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct IssuerSerial {
    pub issuer: Any,
    pub serial_number: LooseInt,
}

/// SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies ... OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
/// ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] EXPLICIT SEQUENCE OF
/// OtherRevInfo OPTIONAL } (Adobe's adbe-revocationInfoArchival attribute).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub crl: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ocsp: Option<Vec<Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub other: Option<Vec<Any>>,
}

/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL,
/// micros [1] INTEGER OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<LooseInt>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<LooseInt>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<LooseInt>,
}

/// TSTInfo (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct TstInfo {
    pub version: LooseInt,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: LooseInt,
    /// GeneralizedTime, possibly with a fraction of a second.
    pub gen_time: Any,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(optional = "true")]
    pub ordering: Option<bool>,
    #[asn1(optional = "true")]
    pub nonce: Option<LooseInt>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Vec<Any>>,
}
