//! An owned, checked view of one X.509 certificate (parsed with x509-parser).

use super::crl_scope::{self, CertDistributionPoint};
use super::crypto::{sha256, PublicKey, SignedObject};
use super::defect::{self, Defect};
use super::name::{comparable_name, name_string};
use super::name_constraints::Unreadable;
use super::{sigcache, PkiError};
use crate::der::oid;
use time::OffsetDateTime;
use x509_parser::extensions::{ParsedExtension, X509Extension};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Extensions whose meaning we enforce or that carry no constraint we could miss.
/// nameConstraints is understood when every subtree is of a form kyso compares (see
/// `name_constraints`).
const UNDERSTOOD_EXTENSIONS: &[&str] = &[
    oid::BASIC_CONSTRAINTS,       // basicConstraints
    oid::KEY_USAGE,               // keyUsage
    oid::EXT_KEY_USAGE,           // extKeyUsage
    oid::SUBJECT_KEY_ID,          // subjectKeyIdentifier
    oid::AUTHORITY_KEY_ID,        // authorityKeyIdentifier
    oid::SUBJECT_ALT_NAME,        // subjectAltName
    oid::ISSUER_ALT_NAME,         // issuerAltName
    oid::CRL_DISTRIBUTION_POINTS, // cRLDistributionPoints
    oid::CERTIFICATE_POLICIES,    // certificatePolicies (any policy accepted)
    oid::AUTHORITY_INFO_ACCESS,   // authorityInfoAccess
    oid::QC_STATEMENTS,           // qcStatements
    oid::OCSP_NOCHECK,            // id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)
];

/// keyUsage bits (RFC 5280 §4.2.1.3), bit 0 first.
pub(crate) const KU_DIGITAL_SIGNATURE: u16 = 1 << 0;
pub(crate) const KU_NON_REPUDIATION: u16 = 1 << 1;
pub(crate) const KU_KEY_CERT_SIGN: u16 = 1 << 5;
pub(crate) const KU_CRL_SIGN: u16 = 1 << 6;

/// An X.509 certificate (RFC 5280 §4.1), parsed once: what path building, the certificate
/// checks and revocation need.
#[derive(Debug, Clone)]
pub struct Cert {
    /// Its DER, as given.
    pub der: Vec<u8>,
    /// The SHA-256 of its DER.
    pub sha256: [u8; 32],
    /// The subject, RFC 4514 order (most specific first).
    pub subject: String,
    /// The issuer, RFC 4514 order.
    pub issuer: String,
    /// The subject Name's DER.
    pub subject_raw: Vec<u8>,
    /// The issuer Name's DER.
    pub issuer_raw: Vec<u8>,
    /// Big-endian, without leading zeros.
    pub serial: Vec<u8>,
    /// The serial as the INTEGER it is (sign included), for revocation lookups.
    pub serial_key: Vec<u8>,
    /// The start of its validity (RFC 5280 §4.1.2.5).
    pub not_before: OffsetDateTime,
    /// The end of its validity.
    pub not_after: OffsetDateTime,
    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2).
    pub ski: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier (RFC 5280 §4.2.1.1).
    pub aki: Option<Vec<u8>>,
    /// basicConstraints cA (RFC 5280 §4.2.1.9).
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage bits (bit 0 = digitalSignature), None when the extension is absent.
    pub key_usage: Option<u16>,
    /// extKeyUsage purposes (RFC 5280 §4.2.1.12), OIDs dotted: every one the extension lists.
    pub ext_key_usage: Vec<String>,
    /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): a delegated OCSP responder whose own
    /// revocation is not checked.
    pub ocsp_nocheck: bool,
    /// The OIDs of critical extensions kyso does not understand (RFC 5280 §4.2).
    pub unknown_critical: Vec<String>,
    /// The SubjectPublicKeyInfo's DER.
    pub spki_der: Vec<u8>,
    /// The SHA-256 of `spki_der`: the key, for the kept signatures ([`super::sigcache`]).
    pub(crate) spki_sha256: [u8; 32],
    /// The public key.
    pub key: PublicKey,
    /// The signed shape, for checking its issuer's signature.
    pub(crate) signed: SignedObject,
    /// The URIs its cRLDistributionPoints name (RFC 5280 §4.2.1.13).
    pub crl_urls: Vec<String>,
    /// OCSP responders named by authorityInfoAccess (RFC 5280 §4.2.2.1, id-ad-ocsp).
    pub ocsp_urls: Vec<String>,
    /// Where its issuer's certificate is published: authorityInfoAccess id-ad-caIssuers URIs
    /// (RFC 5280 §4.2.2.1). Only a hint for path building: what is found there is a candidate
    /// like any other, never trusted for coming from there.
    pub ca_issuers: Vec<String>,
    /// cRLDistributionPoints (RFC 5280 §4.2.1.13), for the CRL scope check.
    pub(crate) crl_points: Vec<CertDistributionPoint>,
    /// Subject and issuer compared as RFC 5280 §7.1 asks (case and spaces folded).
    pub(crate) subject_cmp: String,
    /// The issuer, compared as RFC 5280 §7.1 asks.
    pub(crate) issuer_cmp: String,
    /// nameConstraints of a CA (RFC 5280 §4.2.1.10), when kyso understands every subtree.
    pub(crate) name_constraints: Option<super::name_constraints::Constraints>,
    /// The names constraints apply to: subject, its e-mail addresses, subjectAltName.
    pub(crate) names: Vec<super::name_constraints::Name>,
    /// How it breaks RFC 5280 §4 whatever its place in a path ([`Defect`]).
    pub defects: Vec<Defect>,
    /// Whether its subject is an empty sequence (RFC 5280 §4.1.2.6).
    pub(crate) subject_empty: bool,
}

impl Cert {
    /// Parse one DER certificate (bytes after it, or a critical extension that does not parse,
    /// refuse it).
    pub fn from_der(der: &[u8]) -> Result<Cert, PkiError> {
        let bad = |w: String| PkiError::BadCertificate(w);
        let (rest, x) = X509Certificate::from_der(der).map_err(|e| bad(format!("{e}")))?;
        if !rest.is_empty() {
            return Err(bad("bytes after the certificate".into()));
        }
        let der = &der[..der.len() - rest.len()];
        // Original bytes of tbsCertificate, signatureAlgorithm and signature.
        let signed = SignedObject::parse(der).map_err(bad)?;
        let tbs_c = &x.tbs_certificate;
        let mut c = Cert {
            der: der.to_vec(),
            sha256: sha256(der),
            subject: name_string(&tbs_c.subject),
            issuer: name_string(&tbs_c.issuer),
            subject_raw: tbs_c.subject.as_raw().to_vec(),
            issuer_raw: tbs_c.issuer.as_raw().to_vec(),
            serial: strip_zeros(&tbs_c.serial.to_bytes_be()),
            serial_key: int_key(tbs_c.raw_serial()),
            not_before: tbs_c.validity.not_before.to_datetime(),
            not_after: tbs_c.validity.not_after.to_datetime(),
            ski: None,
            aki: None,
            is_ca: false,
            path_len: None,
            key_usage: None,
            ext_key_usage: Vec::new(),
            ocsp_nocheck: false,
            unknown_critical: Vec::new(),
            spki_der: tbs_c.subject_pki.raw.to_vec(),
            spki_sha256: sha256(tbs_c.subject_pki.raw),
            key: PublicKey::from_spki(tbs_c.subject_pki.raw),
            signed,
            crl_urls: Vec::new(),
            ocsp_urls: Vec::new(),
            ca_issuers: Vec::new(),
            crl_points: Vec::new(),
            subject_cmp: comparable_name(&tbs_c.subject),
            issuer_cmp: comparable_name(&tbs_c.issuer),
            name_constraints: None,
            names: Vec::new(),
            defects: Vec::new(),
            subject_empty: tbs_c.subject.iter().next().is_none(),
        };
        let san = c.read_extensions(tbs_c.extensions())?;
        c.names =
            super::name_constraints::names_of(&tbs_c.subject, san.map(|e| e.parsed_extension()));
        c.note_defects(tbs_c.extensions(), san);
        Ok(c)
    }

    /// The extensions kyso acts on (RFC 5280 §4.2); a critical one it does not understand is
    /// recorded, and a critical one that cannot be parsed refuses the certificate. Returns the
    /// subjectAltName, for name constraints.
    fn read_extensions<'a>(
        &mut self,
        extensions: &'a [x509_parser::extensions::X509Extension<'a>],
    ) -> Result<Option<&'a X509Extension<'a>>, PkiError> {
        let c = self;
        let bad = |w: String| PkiError::BadCertificate(w);
        let mut san = None;
        for ext in extensions {
            let oid = ext.oid.to_id_string();
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    c.is_ca = bc.ca;
                    c.path_len = bc.path_len_constraint;
                }
                ParsedExtension::KeyUsage(ku) => c.key_usage = Some(ku.flags),
                ParsedExtension::NameConstraints(nc) => match super::name_constraints::read(nc) {
                    Ok(nc) => c.name_constraints = Some(nc),
                    Err(Unreadable::Malformed(w)) => {
                        c.defects.push(Defect::NameConstraintsMalformed(w))
                    }
                    Err(Unreadable::Unsupported) => {}
                },
                ParsedExtension::SubjectAlternativeName(_) => san = Some(ext),
                ParsedExtension::AuthorityInfoAccess(aia) => c.read_aia(aia),
                ParsedExtension::SubjectKeyIdentifier(k) => c.ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    c.aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::ExtendedKeyUsage(e) => c.ext_key_usage = purposes(e),
                ParsedExtension::CRLDistributionPoints(cdp) => {
                    c.crl_points =
                        crl_scope::cert_points(ext.parsed_extension(), &c.issuer_cmp, ext.value);
                    for p in cdp.iter() {
                        if let Some(x509_parser::extensions::DistributionPointName::FullName(
                            names,
                        )) = &p.distribution_point
                        {
                            for n in names {
                                if let x509_parser::extensions::GeneralName::URI(u) = n {
                                    c.crl_urls.push(u.to_string());
                                }
                            }
                        }
                    }
                }
                _ if oid == oid::OCSP_NOCHECK => c.ocsp_nocheck = true,
                ParsedExtension::ParseError { error } if ext.critical => {
                    return Err(bad(format!(
                        "critical extension {oid} cannot be parsed: {error}"
                    )))
                }
                _ => {}
            }
            // Malformed name constraints are a defect of their own (never "no constraint").
            let nc_read = c.name_constraints.is_some()
                || c.defects
                    .iter()
                    .any(|d| matches!(d, Defect::NameConstraintsMalformed(_)));
            let understood = UNDERSTOOD_EXTENSIONS.contains(&oid.as_str())
                || (oid == oid::NAME_CONSTRAINTS && nc_read);
            // Name constraints kyso cannot apply in full are refused even when not marked
            // critical: applying only part of them would accept names the CA forbids.
            let partial_constraints = oid == oid::NAME_CONSTRAINTS && !nc_read;
            if (ext.critical && !understood) || partial_constraints {
                c.unknown_critical.push(oid);
            }
        }
        Ok(san)
    }

    /// The OCSP responders and caIssuers addresses of authorityInfoAccess (RFC 5280 §4.2.2.1).
    fn read_aia(&mut self, aia: &x509_parser::extensions::AuthorityInfoAccess) {
        for d in aia.iter() {
            let x509_parser::extensions::GeneralName::URI(u) = &d.access_location else {
                continue;
            };
            match d.access_method.to_id_string().as_str() {
                oid::AD_OCSP => self.ocsp_urls.push(u.to_string()),
                oid::AD_CA_ISSUERS => self.ca_issuers.push(u.to_string()),
                _ => {}
            }
        }
    }

    /// The defects of RFC 5280 §4 that do not depend on the certificate's place in a path:
    /// a repeated extension (§4.2), one kyso acts on that does not decode, one marked critical
    /// against the profile (§4.2.1.1, §4.2.1.2, §4.2.2.1), an empty extKeyUsage (§4.2.1.12),
    /// keyCertSign without cA (§4.2.1.9), nameConstraints outside a CA or not critical
    /// (§4.2.1.10), an empty subject without a critical subjectAltName (§4.2.1.6).
    fn note_defects(&mut self, extensions: &[X509Extension], san: Option<&X509Extension>) {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for ext in extensions {
            let oid = ext.oid.to_id_string();
            if !seen.insert(oid.clone()) {
                out.push(Defect::DuplicateExtension(oid.clone()));
            }
            let undecodable = matches!(ext.parsed_extension(), ParsedExtension::ParseError { .. })
                || (oid == oid::SUBJECT_ALT_NAME
                    && !matches!(
                        ext.parsed_extension(),
                        ParsedExtension::SubjectAlternativeName(_)
                    ));
            if undecodable && defect::DECODED.contains(&oid.as_str()) {
                out.push(Defect::Undecodable(oid.clone()));
            }
            if ext.critical && defect::NON_CRITICAL.contains(&oid.as_str()) {
                out.push(Defect::MustNotBeCritical(oid.clone()));
            }
            match ext.parsed_extension() {
                ParsedExtension::ExtendedKeyUsage(_) if self.ext_key_usage.is_empty() => {
                    out.push(Defect::EmptyExtKeyUsage)
                }
                ParsedExtension::NameConstraints(_) if !self.is_ca => {
                    out.push(Defect::NameConstraintsNotInCa)
                }
                ParsedExtension::NameConstraints(_) if !ext.critical => {
                    out.push(Defect::NameConstraintsNotCritical)
                }
                _ => {}
            }
        }
        if self.has_key_usage(KU_KEY_CERT_SIGN) && !self.is_ca {
            out.push(Defect::KeyCertSignWithoutCa);
        }
        if self.subject_empty && !san.is_some_and(|s| s.critical) {
            out.push(Defect::EmptySubjectWithoutCriticalSan);
        }
        self.defects.extend(out);
    }

    /// The SHA-256 of its DER, lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// Its serial number, lowercase hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(&self.serial)
    }

    /// Whether its subject and issuer are the same name (RFC 5280 §3.3: self-issued).
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    /// Whether its keyUsage has `bit` (false without the extension).
    pub(crate) fn has_key_usage(&self, bit: u16) -> bool {
        self.key_usage.is_some_and(|k| k & bit != 0)
    }
}

/// Every purpose an extKeyUsage lists (RFC 5280 §4.2.1.12), OIDs dotted. x509-parser gives
/// the purposes it knows as flags and only the others as OIDs: each flag is turned back into
/// its OID, or the purpose would be lost (id-kp-OCSPSigning was, and with it every delegated
/// OCSP responder, RFC 6960 §4.2.2.2).
fn purposes(e: &x509_parser::extensions::ExtendedKeyUsage) -> Vec<String> {
    let flags = [
        (e.any, oid::ANY_EXTENDED_KEY_USAGE),
        (e.server_auth, oid::EKU_SERVER_AUTH),
        (e.client_auth, oid::EKU_CLIENT_AUTH),
        (e.code_signing, oid::EKU_CODE_SIGNING),
        (e.email_protection, oid::EKU_EMAIL_PROTECTION),
        (e.time_stamping, oid::EKU_TIME_STAMPING),
        (e.ocsp_signing, oid::EKU_OCSP_SIGNING),
    ];
    let known = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, o)| o.to_string());
    known
        .chain(e.other.iter().map(|o| o.to_id_string()))
        .collect()
}

/// An INTEGER's content bytes in minimal two's complement form (its DER form), so that a serial
/// matches however its issuer padded it, and 255 (`00 FF`) never matches -1 (`FF`) (PKITS 4.4.14).
pub(crate) fn int_key(b: &[u8]) -> Vec<u8> {
    int_key_of(b).to_vec()
}

/// [`int_key`] as a part of `b`, without copying it.
pub(crate) fn int_key_of(b: &[u8]) -> &[u8] {
    let mut i = 0;
    while i + 1 < b.len() && ((b[i] == 0 && b[i + 1] < 0x80) || (b[i] == 0xFF && b[i + 1] >= 0x80))
    {
        i += 1;
    }
    &b[i..]
}

pub(super) fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let i = b
        .iter()
        .position(|x| *x != 0)
        .unwrap_or(b.len().saturating_sub(1));
    b[i..].to_vec()
}

/// Verify the signature of `subject` with `issuer`'s key (RFC 5280 §6.1.3 (a)(1)); returns the
/// digest it used. A signature verified before (the same key over the same certificate) is not
/// verified again ([`super::sigcache`]).
pub fn signed_by(
    issuer: &Cert,
    subject: &Cert,
) -> Result<super::crypto::DigestAlg, super::crypto::CryptoError> {
    let what = sigcache::Verified {
        issuer_spki: issuer.spki_sha256,
        object: subject.sha256,
    };
    sigcache::verified(what, || subject.signed.verify_with(&issuer.key))
}

/// Whether `issuer`'s key verifies `subject`'s signature.
pub(crate) fn signs(issuer: &Cert, subject: &Cert) -> bool {
    signed_by(issuer, subject).is_ok()
}
