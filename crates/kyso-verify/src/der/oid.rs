//! Every object identifier kyso recognises, in one table, with the document that defines it.
//! Code compares dotted strings (`"2.5.29.15"`) against these names, never against literals.

// --- Digest algorithms: RFC 5754 §2 (SHA-2), NIST CSOR / RFC 8702 (SHA-3, SHAKE).
pub const SHA1: &str = "1.3.14.3.2.26";
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
pub const SHA512: &str = "2.16.840.1.101.3.4.2.3";
pub const SHA3_256: &str = "2.16.840.1.101.3.4.2.8";
pub const SHA3_384: &str = "2.16.840.1.101.3.4.2.9";
pub const SHA3_512: &str = "2.16.840.1.101.3.4.2.10";
pub const SHAKE256: &str = "2.16.840.1.101.3.4.2.12";
/// id-shake256-len (RFC 8702 §2), as RFC 8419 uses it for Ed448.
pub const SHAKE256_LEN: &str = "2.16.840.1.101.3.4.2.18";

// --- Signature algorithms: RFC 8017 (RSA), RFC 5758 (ECDSA), RFC 8702 and NIST CSOR (SHA-3),
// RFC 8410 / RFC 8419 (EdDSA).
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
pub const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
pub const MGF1: &str = "1.2.840.113549.1.1.8";
pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
pub const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
pub const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub const ECDSA_WITH_SHA1: &str = "1.2.840.10045.4.1";
pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
pub const ECDSA_WITH_SHA384: &str = "1.2.840.10045.4.3.3";
pub const ECDSA_WITH_SHA512: &str = "1.2.840.10045.4.3.4";
pub const ECDSA_WITH_SHA3_256: &str = "2.16.840.1.101.3.4.3.10";
pub const ECDSA_WITH_SHA3_384: &str = "2.16.840.1.101.3.4.3.11";
pub const ECDSA_WITH_SHA3_512: &str = "2.16.840.1.101.3.4.3.12";
pub const RSA_WITH_SHA3_256: &str = "2.16.840.1.101.3.4.3.14";
pub const RSA_WITH_SHA3_384: &str = "2.16.840.1.101.3.4.3.15";
pub const RSA_WITH_SHA3_512: &str = "2.16.840.1.101.3.4.3.16";
pub const ED25519: &str = "1.3.101.112";
pub const ED448: &str = "1.3.101.113";

// --- Certificate and CRL extensions: RFC 5280 §4.2 and §5.2-5.3.
pub const SUBJECT_KEY_ID: &str = "2.5.29.14";
pub const KEY_USAGE: &str = "2.5.29.15";
pub const SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub const ISSUER_ALT_NAME: &str = "2.5.29.18";
pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const CRL_NUMBER: &str = "2.5.29.20";
pub const CRL_REASON: &str = "2.5.29.21";
pub const HOLD_INSTRUCTION: &str = "2.5.29.23";
pub const INVALIDITY_DATE: &str = "2.5.29.24";
pub const DELTA_CRL_INDICATOR: &str = "2.5.29.27";
pub const ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
pub const CERTIFICATE_ISSUER: &str = "2.5.29.29";
pub const NAME_CONSTRAINTS: &str = "2.5.29.30";
pub const CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";
pub const CERTIFICATE_POLICIES: &str = "2.5.29.32";
pub const AUTHORITY_KEY_ID: &str = "2.5.29.35";
pub const EXT_KEY_USAGE: &str = "2.5.29.37";
pub const FRESHEST_CRL: &str = "2.5.29.46";
pub const AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";
/// RFC 3739 §3.2.6.
pub const QC_STATEMENTS: &str = "1.3.6.1.5.5.7.1.3";

// --- Extended key usages (RFC 5280 §4.2.1.12) and access methods (§4.2.2.1).
pub const ANY_EXTENDED_KEY_USAGE: &str = "2.5.29.37.0";
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub const EKU_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
pub const EKU_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
pub const EKU_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
pub const EKU_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
pub const AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
pub const AD_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";

// --- OCSP: RFC 6960 §4.2.1 and RFC 8954 (nonce).
pub const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
pub const OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): a delegated responder's certificate whose
/// revocation is not to be checked.
pub const OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";

// --- Name attributes: RFC 5280 Appendix A, RFC 4519, RFC 2985 (emailAddress).
pub const COMMON_NAME: &str = "2.5.4.3";
pub const SERIAL_NUMBER: &str = "2.5.4.5";
pub const COUNTRY: &str = "2.5.4.6";
pub const LOCALITY: &str = "2.5.4.7";
pub const STATE: &str = "2.5.4.8";
pub const ORGANIZATION: &str = "2.5.4.10";
pub const ORGANIZATIONAL_UNIT: &str = "2.5.4.11";
pub const USER_ID: &str = "0.9.2342.19200300.100.1.1";
pub const EMAIL_ADDRESS: &str = "1.2.840.113549.1.9.1";

// --- CMS: RFC 5652, RFC 5035 (ESS), RFC 3161 (timestamps), RFC 5940 (OCSP in CMS), and
// Adobe's revocation archive (ISO 32000-2 §12.8.3.3.2).
pub const DATA: &str = "1.2.840.113549.1.7.1";
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub const SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
pub const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub const TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
pub const RI_OCSP_RESPONSE: &str = "1.3.6.1.5.5.7.16.2";
pub const ADBE_REVOCATION_INFO_ARCHIVAL: &str = "1.2.840.113583.1.1.8";
