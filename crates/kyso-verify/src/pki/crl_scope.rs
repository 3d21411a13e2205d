//! Which certificates a CRL speaks for (RFC 5280 §5.2.5 issuingDistributionPoint, §4.2.1.13
//! cRLDistributionPoints, §6.3.3 (b)). kyso uses only complete, direct CRLs: a delta CRL, an
//! indirect CRL, a CRL partitioned by reasons or with a critical extension it does not know is
//! never taken as the answer for a certificate (fail closed: the status is then unknown).

use crate::der::oid;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension, X509Extension};

/// The scope of one CRL, and why it cannot be used at all (if so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrlScope {
    /// issuingDistributionPoint onlyContainsUserCerts: says nothing about CA certificates.
    pub only_user: bool,
    /// onlyContainsCACerts: says nothing about end-entity certificates.
    pub only_ca: bool,
    /// The distribution point names of the oid::ISSUING_DISTRIBUTION_POINT (empty: the CRL covers every point).
    pub dp_names: Vec<String>,
    /// onlySomeReasons (bits 1-8 of ReasonFlags): the CRL lists revocations for these reasons
    /// only; `None`: for all reasons.
    pub reasons: Option<u16>,
    /// Why this CRL is not a complete CRL kyso can rely on.
    pub unusable: Option<String>,
    /// issuingDistributionPoint indirectCRL: entries may be about other issuers' certificates.
    pub indirect: bool,
}

/// One cRLDistributionPoints entry of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertDistributionPoint {
    pub names: Vec<String>,
    /// cRLIssuer: the CRL for this point is issued by this entity (comparable directory
    /// names), in an indirect CRL.
    pub crl_issuer: Vec<String>,
}

/// ReasonFlags bits 1 (keyCompromise) to 8 (aACompromise), RFC 5280 §4.2.1.13.
pub const ALL_REASONS: u16 = 0x1FE;
/// CRL extensions kyso reads or may ignore (RFC 5280 §5.2): AKI, issuerAltName, cRLNumber,
/// oid::ISSUING_DISTRIBUTION_POINT, freshestCRL (a pointer to deltas; the complete CRL stands on its own).
const KNOWN_CRL_EXTENSIONS: &[&str] = &[
    oid::AUTHORITY_KEY_ID,
    oid::ISSUER_ALT_NAME,
    oid::CRL_NUMBER,
    oid::ISSUING_DISTRIBUTION_POINT,
    oid::FRESHEST_CRL,
    oid::DELTA_CRL_INDICATOR,
];
/// CRL entry extensions (§5.3): reasonCode, invalidityDate, holdInstructionCode.
const KNOWN_ENTRY_EXTENSIONS: &[&str] =
    &[oid::CRL_REASON, oid::INVALIDITY_DATE, oid::HOLD_INSTRUCTION];

/// The first reason a CRL cannot be relied on is the one kept.
fn refuse(s: &mut CrlScope, why: String) {
    s.unusable.get_or_insert(why);
}

/// A general name as a comparable string.
pub(crate) fn general_name(n: &GeneralName) -> String {
    match n {
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::DNSName(d) => format!("DNS:{}", d.to_ascii_lowercase()),
        GeneralName::RFC822Name(m) => format!("email:{}", m.to_ascii_lowercase()),
        GeneralName::DirectoryName(name) => format!("DN:{}", super::name::comparable_name(name)),
        other => format!("{other:?}"),
    }
}

/// The names of a distribution point; a name relative to the CRL issuer is that issuer's name
/// with the RDN appended (§4.2.1.13), `issuer` being the CRL issuer's comparable name.
fn point_names(p: &DistributionPointName, issuer: &str) -> Vec<String> {
    match p {
        DistributionPointName::FullName(names) => names.iter().map(general_name).collect(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            vec![format!("DN:{issuer},{}", super::name::comparable_rdn(rdn))]
        }
    }
}

/// The certificate's distribution points (`issuer`: its issuer's comparable name, the CRL
/// issuer of a direct CRL; `der`: the extension's value, for the relative names x509-parser
/// drops).
pub(crate) fn cert_points(
    ext: &ParsedExtension,
    issuer: &str,
    der: &[u8],
) -> Vec<CertDistributionPoint> {
    let ParsedExtension::CRLDistributionPoints(cdp) = ext else {
        return Vec::new();
    };
    let raw = crate::der::tlv::read(der, 0)
        .ok()
        .and_then(|(t, _)| t.children().ok())
        .unwrap_or_default();
    cdp.iter()
        .enumerate()
        .map(|(i, p)| {
            let mut crl_issuer: Vec<String> = p
                .crl_issuer
                .iter()
                .flatten()
                .filter_map(|g| match g {
                    GeneralName::DirectoryName(n) => Some(super::name::comparable_name(n)),
                    _ => None,
                })
                .collect();
            if crl_issuer.is_empty() {
                // x509-parser drops a cRLIssuer beside a relative name: read the DER.
                crl_issuer = raw.get(i).map(raw_crl_issuer).unwrap_or_default();
            }
            // A relative name is relative to the CRL issuer: the cRLIssuer when named.
            let base = crl_issuer.first().map(String::as_str).unwrap_or(issuer);
            let mut names: Vec<String> = p
                .distribution_point
                .as_ref()
                .map(|n| point_names(n, base))
                .unwrap_or_default();
            if names.is_empty() {
                if let Some(rdn) = raw.get(i).and_then(|dp| relative_name(dp.raw)) {
                    names.push(format!("DN:{base},{rdn}"));
                }
            }
            CertDistributionPoint { names, crl_issuer }
        })
        .collect()
}

impl CrlScope {
    /// The scope from the CRL's extensions (RFC 5280 §5.2); each entry's extensions are
    /// added with [`CrlScope::note_entry`] as the entries are read.
    pub(crate) fn read(issuer: &str, crl_extensions: &[X509Extension]) -> CrlScope {
        let mut s = CrlScope::default();
        for ext in crl_extensions {
            let oid = ext.oid.to_id_string();
            match ext.parsed_extension() {
                ParsedExtension::IssuingDistributionPoint(idp) => {
                    s.only_user = idp.only_contains_user_certs;
                    s.only_ca = idp.only_contains_ca_certs;
                    s.dp_names = idp
                        .distribution_point
                        .as_ref()
                        .map(|n| point_names(n, issuer))
                        .unwrap_or_default();
                    if s.dp_names.is_empty() && names_a_point(ext.value) {
                        // x509-parser drops a name relative to the CRL issuer: read it here.
                        // Anything else unreadable leaves the scope unknown, so the CRL
                        // answers for nobody.
                        match relative_name(ext.value) {
                            Some(rdn) => s.dp_names = vec![format!("DN:{issuer},{rdn}")],
                            None => refuse(
                                &mut s,
                                "an issuingDistributionPoint name kyso cannot read".into(),
                            ),
                        }
                    }
                    s.indirect = idp.indirect_crl;
                    s.reasons = idp
                        .only_some_reasons
                        .as_ref()
                        .map(|r| r.flags & ALL_REASONS);
                    if idp.only_contains_attribute_certs {
                        refuse(&mut s, "a CRL for attribute certificates".into());
                    }
                }
                _ if oid == oid::ISSUING_DISTRIBUTION_POINT => refuse(
                    &mut s,
                    "an issuingDistributionPoint kyso cannot read".into(),
                ),
                // A delta CRL is never the answer alone; it is applied over its complete CRL.
                _ if oid == oid::DELTA_CRL_INDICATOR => {}
                _ if ext.critical && !KNOWN_CRL_EXTENSIONS.contains(&oid.as_str()) => {
                    refuse(&mut s, format!("an unknown critical CRL extension {oid}"))
                }
                _ => {}
            }
        }
        s
    }

    /// One entry's extensions (RFC 5280 §5.3): a certificateIssuer in a CRL not marked
    /// indirect, or an unknown critical one, makes the CRL unusable.
    pub(crate) fn note_entry(&mut self, exts: &[X509Extension]) {
        for ext in exts {
            let oid = ext.oid.to_id_string();
            if oid == oid::CERTIFICATE_ISSUER {
                if !self.indirect {
                    refuse(
                        self,
                        "entries for other issuers in a CRL not marked indirect".into(),
                    );
                }
            } else if ext.critical && !KNOWN_ENTRY_EXTENSIONS.contains(&oid.as_str()) {
                refuse(
                    self,
                    format!("an unknown critical CRL entry extension {oid}"),
                );
            }
        }
    }

    /// Whether this CRL, issued by `crl_issuer`, can answer for a certificate issued by
    /// `cert_issuer` with these properties (RFC 5280 §6.3.3 (b)): a complete CRL whose scope
    /// includes it, from its issuer, or from the cRLIssuer its distribution point names (then
    /// an indirect CRL).
    pub fn covers(
        &self,
        crl_issuer: &str,
        cert_issuer: &str,
        is_ca: bool,
        points: &[CertDistributionPoint],
    ) -> bool {
        if self.unusable.is_some() || (self.only_user && is_ca) || (self.only_ca && !is_ca) {
            return false;
        }
        let named = |p: &CertDistributionPoint| {
            self.dp_names.is_empty() || p.names.iter().any(|n| self.dp_names.contains(n))
        };
        let delegated: Vec<&CertDistributionPoint> =
            points.iter().filter(|p| !p.crl_issuer.is_empty()).collect();
        if !delegated.is_empty() {
            return self.indirect
                && delegated
                    .iter()
                    .any(|p| p.crl_issuer.iter().any(|i| i == crl_issuer) && named(p));
        }
        crl_issuer == cert_issuer && (self.dp_names.is_empty() || points.iter().any(named))
    }
}

/// The issuer an indirect CRL entry's certificateIssuer extension names (its first directory
/// name, comparable), if the entry has one.
pub(crate) fn certificate_issuer(exts: &[X509Extension]) -> Option<String> {
    let ext = exts
        .iter()
        .find(|e| e.oid.to_id_string() == oid::CERTIFICATE_ISSUER)?;
    let (names, _) = crate::der::tlv::read(ext.value, 0).ok()?;
    directory_names(&names).into_iter().next()
}

/// The directory names (`[4]`) among the GeneralNames in `names`, comparable.
fn directory_names(names: &crate::der::tlv::Tlv) -> Vec<String> {
    names
        .children()
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g.tag == 0xA4)
        .filter_map(|dn| dn.children().ok()?.into_iter().next())
        .filter_map(|inner| {
            let (_, name) = <x509_parser::x509::X509Name as x509_parser::prelude::FromDer<
                x509_parser::error::X509Error,
            >>::from_der(inner.raw)
            .ok()?;
            Some(super::name::comparable_name(&name))
        })
        .collect()
}

/// The `[2] cRLIssuer` of a DER DistributionPoint.
fn raw_crl_issuer(dp: &crate::der::tlv::Tlv) -> Vec<String> {
    dp.children()
        .unwrap_or_default()
        .iter()
        .find(|t| t.tag == 0xA2)
        .map(directory_names)
        .unwrap_or_default()
}

/// Whether a DER IssuingDistributionPoint (a SEQUENCE) starts with its `[0]`
/// distributionPoint field.
fn names_a_point(der: &[u8]) -> bool {
    let Some((&0x30, rest)) = der.split_first() else {
        return false;
    };
    let header = match rest.first() {
        Some(&l) if l < 0x80 => 1,
        Some(&l) => 1 + usize::from(l & 0x7f),
        None => return false,
    };
    rest.get(header) == Some(&0xA0)
}

/// The `[0] { [1] nameRelativeToCRLIssuer }` of a DER IssuingDistributionPoint or
/// DistributionPoint (both SEQUENCEs starting so), as a comparable RDN (the form of
/// `name::comparable_rdn`).
fn relative_name(der: &[u8]) -> Option<String> {
    use crate::der::tlv;
    let (idp, _) = tlv::read(der, 0).ok()?;
    let point = idp.children().ok()?.into_iter().find(|t| t.tag == 0xA0)?;
    let rdn = point.children().ok()?.into_iter().find(|t| t.tag == 0xA1)?;
    let mut atvs = Vec::new();
    for atv in rdn.children().ok()? {
        let parts = atv.children().ok()?;
        let (oid, value) = (parts.first()?, parts.get(1)?);
        let text = match value.tag {
            // UTF8String, PrintableString, TeletexString, IA5String
            0x0c | 0x13 | 0x14 | 0x16 => std::str::from_utf8(value.content)
                .ok()?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
            _ => format!("#{}", hex::encode(value.content)),
        };
        atvs.push(format!("{}={text}", tlv::oid(oid).ok()?));
    }
    atvs.sort();
    Some(atvs.join("+"))
}
