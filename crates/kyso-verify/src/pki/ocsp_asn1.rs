//! The OCSP response types of RFC 6960 §4.2.1, decoded by `der` derives: a response that does
//! not follow them (a wrong tag, a missing or extra field) is refused as a whole.
//!
//! Times stay `Any` and are read by `signed_data::time_of_any`, as everywhere in kyso.

use crate::cms::LooseInt;
use der::asn1::{Any, BitString, Null, ObjectIdentifier, OctetString};
use der::{Choice, Sequence};
use spki::AlgorithmIdentifierOwned;

/// OCSPResponse ::= SEQUENCE { responseStatus OCSPResponseStatus (ENUMERATED),
/// responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct OcspResponse {
    pub response_status: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

/// ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct ResponseBytes {
    pub response_type: ObjectIdentifier,
    pub response: OctetString,
}

/// BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm,
/// signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct BasicOcspResponse {
    pub tbs_response_data: ResponseData,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Any>>,
}

/// ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID,
/// producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
/// responseExtensions [1] EXPLICIT Extensions OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<LooseInt>,
    pub responder_id: ResponderId,
    pub produced_at: Any,
    pub responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Vec<Extension>>,
}

/// ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash } (explicitly tagged: the
/// module's default is EXPLICIT).
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub(super) enum ResponderId {
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Any),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate GeneralizedTime,
/// nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct SingleResponse {
    pub cert_id: CertId,
    pub cert_status: CertStatus,
    pub this_update: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Vec<Any>>,
}

/// CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash OCTET STRING, issuerKeyHash OCTET
/// STRING, serialNumber CertificateSerialNumber }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct CertId {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub issuer_name_hash: OctetString,
    pub issuer_key_hash: OctetString,
    pub serial_number: LooseInt,
}

/// CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT UnknownInfo (NULL) }
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub(super) enum CertStatus {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
/// revocationReason [0] EXPLICIT CRLReason OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct RevokedInfo {
    pub revocation_time: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<Any>,
}

/// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
/// An explicit FALSE (against DER) is accepted, as by the peers.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct Extension {
    pub extn_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    pub critical: Option<bool>,
    pub extn_value: OctetString,
}
