//! Which certificates a CRL speaks for (RFC 5280 §5.2.5 issuingDistributionPoint, §4.2.1.13
//! cRLDistributionPoints, §6.3.3 (b)). kyso uses only complete, direct CRLs: a delta CRL, an
//! indirect CRL, a CRL partitioned by reasons or with a critical extension it does not know is
//! never taken as the answer for a certificate (fail closed: the status is then unknown).

use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension, X509Extension};

/// The scope of one CRL, and why it cannot be used at all (if so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrlScope {
    /// issuingDistributionPoint onlyContainsUserCerts: says nothing about CA certificates.
    pub only_user: bool,
    /// onlyContainsCACerts: says nothing about end-entity certificates.
    pub only_ca: bool,
    /// The distribution point names of the IDP (empty: the CRL covers every point).
    pub dp_names: Vec<String>,
    /// Why this CRL is not a complete direct CRL kyso can rely on.
    pub unusable: Option<String>,
}

/// One cRLDistributionPoints entry of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertDistributionPoint {
    pub names: Vec<String>,
    /// The CRL for this point is issued by another entity (an indirect CRL).
    pub crl_issuer: bool,
}

const IDP: &str = "2.5.29.28";
const DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const CERTIFICATE_ISSUER: &str = "2.5.29.29";
const FRESHEST_CRL: &str = "2.5.29.46";
/// CRL extensions kyso reads or may ignore (RFC 5280 §5.2): AKI, issuerAltName, cRLNumber,
/// IDP, freshestCRL (a pointer to deltas; the complete CRL stands on its own).
const KNOWN_CRL_EXTENSIONS: &[&str] = &[
    "2.5.29.35",
    "2.5.29.18",
    "2.5.29.20",
    IDP,
    FRESHEST_CRL,
    DELTA_CRL_INDICATOR,
];
/// CRL entry extensions (§5.3): reasonCode, invalidityDate, holdInstructionCode.
const KNOWN_ENTRY_EXTENSIONS: &[&str] = &["2.5.29.21", "2.5.29.24", "2.5.29.23"];

/// A general name as a comparable string.
pub(crate) fn general_name(n: &GeneralName) -> String {
    match n {
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::DNSName(d) => format!("DNS:{}", d.to_ascii_lowercase()),
        GeneralName::RFC822Name(m) => format!("email:{}", m.to_ascii_lowercase()),
        GeneralName::DirectoryName(name) => format!("DN:{}", super::cert::comparable_name(name)),
        other => format!("{other:?}"),
    }
}

/// The names of a distribution point; a name relative to the CRL issuer is that issuer's name
/// with the RDN appended (§4.2.1.13), `issuer` being the CRL issuer's comparable name.
fn point_names(p: &DistributionPointName, issuer: &str) -> Vec<String> {
    match p {
        DistributionPointName::FullName(names) => names.iter().map(general_name).collect(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            vec![format!("DN:{issuer},{}", super::cert::comparable_rdn(rdn))]
        }
    }
}

/// The certificate's distribution points (`issuer`: its issuer's comparable name, the CRL
/// issuer of a direct CRL).
pub(crate) fn cert_points(ext: &ParsedExtension, issuer: &str) -> Vec<CertDistributionPoint> {
    let ParsedExtension::CRLDistributionPoints(cdp) = ext else {
        return Vec::new();
    };
    cdp.iter()
        .map(|p| CertDistributionPoint {
            names: p
                .distribution_point
                .as_ref()
                .map(|n| point_names(n, issuer))
                .unwrap_or_default(),
            crl_issuer: p.crl_issuer.is_some(),
        })
        .collect()
}

impl CrlScope {
    /// The scope from the CRL's extensions and its entries' extensions.
    pub(crate) fn read<'a>(
        issuer: &str,
        crl_extensions: &[X509Extension],
        entry_extensions: impl Iterator<Item = &'a [X509Extension<'a>]>,
    ) -> CrlScope {
        let mut s = CrlScope::default();
        let refuse = |s: &mut CrlScope, why: String| {
            s.unusable.get_or_insert(why);
        };
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
                        // The parser dropped a distribution point name it could not read: the
                        // scope is unknown, so the CRL answers for nobody.
                        refuse(
                            &mut s,
                            "an issuingDistributionPoint name kyso cannot read".into(),
                        );
                    }
                    if idp.indirect_crl {
                        refuse(&mut s, "an indirect CRL (not supported)".into());
                    }
                    if idp.only_some_reasons.is_some() {
                        refuse(&mut s, "a CRL for some revocation reasons only".into());
                    }
                    if idp.only_contains_attribute_certs {
                        refuse(&mut s, "a CRL for attribute certificates".into());
                    }
                }
                _ if oid == IDP => refuse(
                    &mut s,
                    "an issuingDistributionPoint kyso cannot read".into(),
                ),
                // A delta CRL is never the answer alone; it is applied over its complete CRL.
                _ if oid == DELTA_CRL_INDICATOR => {}
                _ if ext.critical && !KNOWN_CRL_EXTENSIONS.contains(&oid.as_str()) => {
                    refuse(&mut s, format!("an unknown critical CRL extension {oid}"))
                }
                _ => {}
            }
        }
        for exts in entry_extensions {
            for ext in exts {
                let oid = ext.oid.to_id_string();
                if oid == CERTIFICATE_ISSUER {
                    refuse(&mut s, "entries for other issuers (an indirect CRL)".into());
                } else if ext.critical && !KNOWN_ENTRY_EXTENSIONS.contains(&oid.as_str()) {
                    refuse(
                        &mut s,
                        format!("an unknown critical CRL entry extension {oid}"),
                    );
                }
            }
        }
        s
    }

    /// Whether this CRL can answer for a certificate with these properties (RFC 5280
    /// §6.3.3 (b)): a complete direct CRL whose scope includes it.
    pub fn covers(&self, is_ca: bool, points: &[CertDistributionPoint]) -> bool {
        if self.unusable.is_some() || (self.only_user && is_ca) || (self.only_ca && !is_ca) {
            return false;
        }
        // A certificate whose CRLs come from another issuer is not answered by a direct CRL.
        if points.iter().any(|p| p.crl_issuer) {
            return false;
        }
        self.dp_names.is_empty()
            || points
                .iter()
                .any(|p| p.names.iter().any(|n| self.dp_names.contains(n)))
    }
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
