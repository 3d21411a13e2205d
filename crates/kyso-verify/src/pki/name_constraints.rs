//! Name constraints (RFC 5280 §4.2.1.10, processed as §6.1.3 (b)-(c) and §6.1.4 (g)): a CA
//! limits the names of every certificate below it to permitted subtrees and away from excluded
//! ones. Directory names, e-mail addresses (rfc822Name, and emailAddress in a subject), DNS
//! names and URI hosts are understood; a constraint of another form makes the extension
//! unsupported, and the certificate is then refused as carrying a critical extension kyso does
//! not understand (fail closed).

use x509_parser::extensions::{GeneralName, NameConstraints, ParsedExtension};
use x509_parser::x509::X509Name;

/// A name in a form the constraints compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// A directory name as its comparable RDNs, most general first.
    Dn(Vec<String>),
    Email(String),
    Dns(String),
    /// The host of a URI.
    Uri(String),
}

/// One CA's constraints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub permitted: Vec<Name>,
    pub excluded: Vec<Name>,
}

fn dn(n: &X509Name) -> Vec<String> {
    n.iter().map(super::name::comparable_rdn).collect()
}

fn uri_host(u: &str) -> Option<String> {
    let rest = u.split_once("://").map(|(_, r)| r)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A general name in comparable form; `None` for a form kyso does not compare.
fn name(g: &GeneralName) -> Option<Name> {
    Some(match g {
        GeneralName::DirectoryName(n) => Name::Dn(dn(n)),
        GeneralName::RFC822Name(m) => Name::Email(m.to_ascii_lowercase()),
        GeneralName::DNSName(d) => Name::Dns(d.trim_end_matches('.').to_ascii_lowercase()),
        GeneralName::URI(u) => Name::Uri(uri_host(u).unwrap_or_else(|| u.to_ascii_lowercase())),
        _ => return None,
    })
}

/// The constraints of a nameConstraints extension, or `None` if one of them has a form kyso
/// does not compare (IP addresses, other names).
pub(crate) fn read(nc: &NameConstraints) -> Option<Constraints> {
    let list = |v: &Option<Vec<x509_parser::extensions::GeneralSubtree>>| -> Option<Vec<Name>> {
        v.iter().flatten().map(|s| name(&s.base)).collect()
    };
    Some(Constraints {
        permitted: list(&nc.permitted_subtrees)?,
        excluded: list(&nc.excluded_subtrees)?,
    })
}

/// The names a certificate is checked under: its subject (and any emailAddress in it), and its
/// subjectAltName entries of the forms above.
pub(crate) fn names_of(subject: &X509Name, ext: Option<&ParsedExtension>) -> Vec<Name> {
    let mut out = Vec::new();
    let rdns = dn(subject);
    if !rdns.is_empty() {
        out.push(Name::Dn(rdns));
    }
    for atv in subject.iter_email() {
        if let Ok(m) = atv.as_str() {
            out.push(Name::Email(m.to_ascii_lowercase()));
        }
    }
    if let Some(ParsedExtension::SubjectAlternativeName(san)) = ext {
        out.extend(san.general_names.iter().filter_map(name));
    }
    out
}

/// Whether `n` lies in the subtree `base` (same form only).
fn within(n: &Name, base: &Name) -> Option<bool> {
    Some(match (n, base) {
        (Name::Dn(n), Name::Dn(b)) => n.len() >= b.len() && n[..b.len()] == b[..],
        (Name::Email(m), Name::Email(b)) => {
            let host = m.rsplit_once('@').map(|(_, h)| h).unwrap_or(m);
            if b.contains('@') {
                m == b
            } else if b.starts_with('.') {
                host.ends_with(b.as_str())
            } else {
                host == b
            }
        }
        (Name::Dns(d), Name::Dns(b)) => {
            let b = b.trim_start_matches('.');
            d == b || d.ends_with(&format!(".{b}"))
        }
        (Name::Uri(h), Name::Uri(b)) => {
            if b.starts_with('.') {
                h.ends_with(b.as_str())
            } else {
                h == b
            }
        }
        _ => return None,
    })
}

impl Constraints {
    /// The first of `names` these constraints forbid: one inside an excluded subtree, or one
    /// outside every permitted subtree of its form (when the CA permits some of that form).
    pub fn violation<'n>(&self, names: &'n [Name]) -> Option<&'n Name> {
        names.iter().find(|n| {
            let excluded = self.excluded.iter().any(|b| within(n, b) == Some(true));
            let of_form: Vec<bool> = self.permitted.iter().filter_map(|b| within(n, b)).collect();
            excluded || (!of_form.is_empty() && !of_form.contains(&true))
        })
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Dn(r) => write!(f, "directory name {}", r.join(",")),
            Name::Email(m) => write!(f, "e-mail address {m}"),
            Name::Dns(d) => write!(f, "DNS name {d}"),
            Name::Uri(h) => write!(f, "URI host {h}"),
        }
    }
}
