//! Name constraints (RFC 5280 §4.2.1.10, processed as §6.1.3 (b)-(c) and §6.1.4 (g)): a CA
//! limits the names of every certificate below it to permitted subtrees and away from excluded
//! ones. Directory names, e-mail addresses (rfc822Name, and emailAddress in a subject), DNS
//! names, URI hosts, IP addresses and other names (compared by type and value) are understood.
//! A constraint of another form makes the extension unsupported, and the certificate is then
//! refused as carrying a critical extension kyso does not understand (fail closed); a malformed
//! constraint is a defect of its certificate ([`super::defect::Defect`]), never "no
//! constraint". A name that is malformed (an e-mail address with two `@`, a DNS name with an
//! empty label, a URI without a host, an IP address of the wrong length) cannot be shown to lie
//! inside a permitted subtree or outside an excluded one: any constraint of its form refuses it.

use x509_parser::extensions::{GeneralName, GeneralSubtree, NameConstraints, ParsedExtension};
use x509_parser::x509::X509Name;

/// A name in a form the constraints compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// A directory name as its comparable RDNs, most general first.
    Dn(Vec<String>),
    Email(String),
    /// A DNS name, lowercase, without a final dot (a leading `*.` label kept: a wildcard).
    Dns(String),
    /// The host of a URI.
    Uri(String),
    /// An IP address (4 or 16 bytes).
    Ip(Vec<u8>),
    /// An otherName: its type-id (dotted) and value's DER.
    Other(String, Vec<u8>),
    /// A name of the form given that does not follow its syntax (RFC 5280 §4.2.1.6), as it
    /// was written.
    Malformed(Form, String),
}

/// The form of a general name, for matching a name to the constraints of its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Dn,
    Email,
    Dns,
    Uri,
    Ip,
    /// An otherName (any type-id) or a general name that does not decode at all.
    Other,
}

/// A subtree's base (RFC 5280 §4.2.1.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Dn(Vec<String>),
    /// A mailbox, a host, or a domain (leading `.`).
    Email(String),
    Dns(String),
    /// A host, or a domain (leading `.`).
    Uri(String),
    /// An address and its mask (8 or 32 bytes in all).
    Ip(Vec<u8>, Vec<u8>),
    Other(String, Vec<u8>),
}

/// One CA's constraints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub permitted: Vec<Base>,
    pub excluded: Vec<Base>,
}

/// Why a nameConstraints extension cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// A form kyso does not compare (x400Address, ediPartyName, registeredID).
    Unsupported,
    /// Against the syntax of §4.2.1.10.
    Malformed(String),
}

fn dn(n: &X509Name) -> Vec<String> {
    n.iter().map(super::name::comparable_rdn).collect()
}

/// RFC 1034 §3.5 preferred name syntax, leniently (underscores pass): non-empty labels of
/// letters, digits, `-` and `_`; `wildcard` allows a whole leftmost `*` label.
fn dns_syntax(d: &str, wildcard: bool) -> bool {
    let d = if wildcard {
        d.strip_prefix("*.").unwrap_or(d)
    } else {
        d
    };
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// An addr-spec (RFC 5321 §4.1.2 Mailbox): one unquoted `@`, a non-empty local part, a domain.
fn mailbox_syntax(m: &str) -> bool {
    match m.rsplit_once('@') {
        Some((local, domain)) => {
            let local_ok = !local.is_empty()
                && (!local.contains('@') || (local.starts_with('"') && local.ends_with('"')));
            local_ok && dns_syntax(domain, false)
        }
        None => false,
    }
}

fn uri_host(u: &str) -> Option<String> {
    let rest = u.split_once("://").map(|(_, r)| r)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A general name of a certificate in comparable form; `None` for a form no constraint kyso
/// reads can be about.
fn name(g: &GeneralName) -> Option<Name> {
    Some(match g {
        GeneralName::DirectoryName(n) => Name::Dn(dn(n)),
        GeneralName::RFC822Name(m) if mailbox_syntax(m) => Name::Email(m.to_ascii_lowercase()),
        GeneralName::RFC822Name(m) => Name::Malformed(Form::Email, m.to_string()),
        GeneralName::DNSName(d) => {
            let d = d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase();
            if dns_syntax(&d, true) {
                Name::Dns(d)
            } else {
                Name::Malformed(Form::Dns, d)
            }
        }
        GeneralName::URI(u) => match uri_host(u) {
            Some(h) => Name::Uri(h),
            None => Name::Malformed(Form::Uri, u.to_string()),
        },
        GeneralName::IPAddress(a) if matches!(a.len(), 4 | 16) => Name::Ip(a.to_vec()),
        GeneralName::IPAddress(a) => Name::Malformed(Form::Ip, hex::encode(a)),
        GeneralName::OtherName(o, v) => Name::Other(o.to_id_string(), v.to_vec()),
        GeneralName::Invalid(t, v) => {
            Name::Malformed(Form::Other, format!("[{}] {}", t.0, hex::encode(v)))
        }
        _ => return None,
    })
}

/// Whether `mask` is a prefix mask (ones, then zeros).
fn prefix_mask(mask: &[u8]) -> bool {
    let bits: Vec<bool> = mask
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1))
        .collect();
    bits.windows(2).all(|w| w[0] || !w[1])
}

/// A subtree's base in comparable form.
fn base(g: &GeneralName) -> Result<Base, Unreadable> {
    let bad = |w: String| Err(Unreadable::Malformed(w));
    Ok(match g {
        GeneralName::DirectoryName(n) => Base::Dn(dn(n)),
        GeneralName::RFC822Name(m) => {
            let host = m.rsplit_once('@').map(|(_, h)| h).unwrap_or(m);
            let host = host.strip_prefix('.').unwrap_or(host);
            if !(mailbox_syntax(m) || (!m.contains('@') && dns_syntax(host, false))) {
                return bad(format!("rfc822Name constraint {m:?}"));
            }
            Base::Email(m.to_ascii_lowercase())
        }
        // §4.2.1.10 gives DNS constraints no leading period (URIs and e-mail have one).
        GeneralName::DNSName(d) if dns_syntax(d, false) => Base::Dns(d.to_ascii_lowercase()),
        GeneralName::DNSName(d) => return bad(format!("dNSName constraint {d:?}")),
        GeneralName::URI(u) => {
            let host = u.strip_prefix('.').unwrap_or(u);
            if !dns_syntax(host, false) {
                return bad(format!("URI constraint {u:?}"));
            }
            Base::Uri(u.to_ascii_lowercase())
        }
        GeneralName::IPAddress(a) if matches!(a.len(), 8 | 32) => {
            let (addr, mask) = a.split_at(a.len() / 2);
            if !prefix_mask(mask) {
                return bad(format!("iPAddress constraint {}", hex::encode(a)));
            }
            Base::Ip(addr.to_vec(), mask.to_vec())
        }
        GeneralName::IPAddress(a) => {
            return bad(format!("iPAddress constraint {}", hex::encode(a)))
        }
        GeneralName::OtherName(o, v) => Base::Other(o.to_id_string(), v.to_vec()),
        GeneralName::Invalid(..) => return bad("a constraint that does not decode".into()),
        _ => return Err(Unreadable::Unsupported),
    })
}

/// The constraints of a nameConstraints extension. §4.2.1.10: "either the permittedSubtrees
/// field or the excludedSubtrees MUST be present", and each is a SEQUENCE SIZE (1..MAX).
pub(crate) fn read(nc: &NameConstraints) -> Result<Constraints, Unreadable> {
    let list = |v: &Option<Vec<GeneralSubtree>>| -> Result<Vec<Base>, Unreadable> {
        match v {
            Some(v) if v.is_empty() => Err(Unreadable::Malformed("an empty subtree list".into())),
            v => v.iter().flatten().map(|s| base(&s.base)).collect(),
        }
    };
    if nc.permitted_subtrees.is_none() && nc.excluded_subtrees.is_none() {
        return Err(Unreadable::Malformed("no subtrees".into()));
    }
    Ok(Constraints {
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
        match atv.as_str() {
            Ok(m) if mailbox_syntax(m) => out.push(Name::Email(m.to_ascii_lowercase())),
            Ok(m) => out.push(Name::Malformed(Form::Email, m.to_string())),
            Err(_) => out.push(Name::Malformed(Form::Email, "(not a string)".into())),
        }
    }
    if let Some(ParsedExtension::SubjectAlternativeName(san)) = ext {
        out.extend(san.general_names.iter().filter_map(name));
    }
    out
}

/// Whether DNS name `d` lies in the subtree of `b`: `b` itself or a name with labels added on
/// its left (§4.2.1.10).
fn dns_within(d: &str, b: &str) -> bool {
    d == b || d.strip_suffix(b).is_some_and(|head| head.ends_with('.'))
}

fn base_form(b: &Base) -> Form {
    match b {
        Base::Dn(_) => Form::Dn,
        Base::Email(_) => Form::Email,
        Base::Dns(_) => Form::Dns,
        Base::Uri(_) => Form::Uri,
        Base::Ip(..) => Form::Ip,
        Base::Other(..) => Form::Other,
    }
}

/// Whether `n` lies in the subtree `b` (`None`: a different form). `excluded`: whether `b` is
/// an excluded subtree, where a wildcard DNS name counts as inside when any name it stands for
/// could be (RFC 9525 wildcards: `*.example.com` stands for `bar.example.com`).
fn within(n: &Name, b: &Base, excluded: bool) -> Option<bool> {
    Some(match (n, b) {
        (Name::Dn(n), Base::Dn(b)) => n.len() >= b.len() && n[..b.len()] == b[..],
        (Name::Email(m), Base::Email(b)) => {
            let host = m.rsplit_once('@').map(|(_, h)| h).unwrap_or(m);
            if b.contains('@') {
                m == b
            } else if let Some(domain) = b.strip_prefix('.') {
                host.strip_suffix(domain).is_some_and(|h| h.ends_with('.'))
            } else {
                host == b
            }
        }
        (Name::Dns(d), Base::Dns(b)) => match d.strip_prefix("*.") {
            Some(rest) => dns_within(rest, b) || (excluded && dns_within(b, rest)),
            None => dns_within(d, b),
        },
        (Name::Uri(h), Base::Uri(b)) => match b.strip_prefix('.') {
            Some(domain) => h.strip_suffix(domain).is_some_and(|x| x.ends_with('.')),
            None => h == b,
        },
        (Name::Ip(a), Base::Ip(addr, mask)) => {
            a.len() == addr.len()
                && a.iter()
                    .zip(addr.iter().zip(mask))
                    .all(|(x, (y, m))| x & m == y & m)
        }
        (Name::Other(t, v), Base::Other(bt, bv)) if t == bt => v == bv,
        (Name::Malformed(f, _), b) if *f == base_form(b) => excluded,
        _ => return None,
    })
}

impl Constraints {
    /// How many comparisons checking `names` against these constraints takes.
    pub fn work(&self, names: &[Name]) -> usize {
        names
            .len()
            .saturating_mul(self.permitted.len() + self.excluded.len())
    }

    /// The first of `names` these constraints forbid: one inside an excluded subtree, one
    /// outside every permitted subtree of its form (when the CA permits some of that form), or
    /// a malformed one of a form the constraints speak of.
    pub fn violation<'n>(&self, names: &'n [Name]) -> Option<&'n Name> {
        names.iter().find(|n| {
            let excluded = self
                .excluded
                .iter()
                .any(|b| within(n, b, true) == Some(true));
            let of_form: Vec<bool> = self
                .permitted
                .iter()
                .filter_map(|b| within(n, b, false))
                .collect();
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
            Name::Ip(a) if a.len() == 4 => {
                let parts: Vec<String> = a.iter().map(u8::to_string).collect();
                write!(f, "IP address {}", parts.join("."))
            }
            Name::Ip(a) => {
                let groups: Vec<String> = a
                    .chunks(2)
                    .map(|g| format!("{:x}", u16::from_be_bytes([g[0], *g.get(1).unwrap_or(&0)])))
                    .collect();
                write!(f, "IP address {}", groups.join(":"))
            }
            Name::Other(t, _) => write!(f, "otherName of type {t}"),
            Name::Malformed(form, s) => {
                let what = match form {
                    Form::Dn => "directory name",
                    Form::Email => "e-mail address",
                    Form::Dns => "DNS name",
                    Form::Uri => "URI",
                    Form::Ip => "IP address",
                    Form::Other => "general name",
                };
                write!(f, "malformed {what} {s:?}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subtree(base: GeneralName<'_>) -> GeneralSubtree<'_> {
        GeneralSubtree { base }
    }

    fn permitting(bases: Vec<Base>) -> Constraints {
        Constraints {
            permitted: bases,
            excluded: Vec::new(),
        }
    }

    #[test]
    fn malformed_names_are_refused_by_a_constraint_of_their_form() {
        let email = name(&GeneralName::RFC822Name("invalid@address@example.com")).unwrap();
        let dns = name(&GeneralName::DNSName(".example.com")).unwrap();
        assert!(matches!(email, Name::Malformed(Form::Email, _)));
        assert!(matches!(dns, Name::Malformed(Form::Dns, _)));
        let nc = permitting(vec![
            Base::Email("example.com".into()),
            Base::Dns("example.com".into()),
        ]);
        assert!(nc.violation(std::slice::from_ref(&email)).is_some());
        assert!(nc.violation(std::slice::from_ref(&dns)).is_some());
        // A well-formed name inside the subtree passes; one of another form is not concerned.
        let good = name(&GeneralName::RFC822Name("user@example.com")).unwrap();
        assert!(nc.violation(&[good]).is_none());
        let only_dn = permitting(vec![Base::Dn(vec!["2.5.4.6=vn".into()])]);
        assert!(only_dn.violation(&[email]).is_none());
    }

    #[test]
    fn malformed_constraints_are_not_read_as_no_constraint() {
        let empty = NameConstraints {
            permitted_subtrees: Some(Vec::new()),
            excluded_subtrees: Some(Vec::new()),
        };
        assert!(matches!(read(&empty), Err(Unreadable::Malformed(_))));
        let none = NameConstraints {
            permitted_subtrees: None,
            excluded_subtrees: None,
        };
        assert!(matches!(read(&none), Err(Unreadable::Malformed(_))));
        let leading_period = NameConstraints {
            permitted_subtrees: Some(vec![subtree(GeneralName::DNSName(".example.com"))]),
            excluded_subtrees: None,
        };
        assert!(matches!(
            read(&leading_period),
            Err(Unreadable::Malformed(_))
        ));
        let bad_mask = NameConstraints {
            permitted_subtrees: Some(vec![subtree(GeneralName::IPAddress(&[
                10, 0, 0, 0, 255, 0, 255, 0,
            ]))]),
            excluded_subtrees: None,
        };
        assert!(matches!(read(&bad_mask), Err(Unreadable::Malformed(_))));
        let x400 = NameConstraints {
            permitted_subtrees: Some(vec![subtree(GeneralName::RegisteredID(
                x509_parser::oid_registry::OID_X509_COMMON_NAME,
            ))]),
            excluded_subtrees: None,
        };
        assert_eq!(read(&x400), Err(Unreadable::Unsupported));
    }

    #[test]
    fn ip_address_constraints_compare_under_the_mask() {
        let nc = read(&NameConstraints {
            permitted_subtrees: Some(vec![subtree(GeneralName::IPAddress(&[
                192, 168, 0, 0, 255, 255, 0, 0,
            ]))]),
            excluded_subtrees: None,
        })
        .unwrap();
        assert!(nc.violation(&[Name::Ip(vec![192, 168, 7, 1])]).is_none());
        assert!(nc.violation(&[Name::Ip(vec![192, 169, 7, 1])]).is_some());
        // An IPv6 address is not inside an IPv4 subtree.
        assert!(nc.violation(&[Name::Ip(vec![0; 16])]).is_some());
        // A DNS name is of another form: not concerned.
        assert!(nc.violation(&[Name::Dns("example.com".into())]).is_none());
    }

    #[test]
    fn other_names_compare_by_type_and_value() {
        let oid = x509_parser::oid_registry::OID_X509_COMMON_NAME;
        let nc = read(&NameConstraints {
            permitted_subtrees: None,
            excluded_subtrees: Some(vec![subtree(GeneralName::OtherName(oid.clone(), b"abc"))]),
        })
        .unwrap();
        let same = name(&GeneralName::OtherName(oid.clone(), b"abc")).unwrap();
        let other = name(&GeneralName::OtherName(oid, b"abd")).unwrap();
        assert!(nc.violation(&[same]).is_some());
        assert!(nc.violation(&[other]).is_none());
    }

    #[test]
    fn a_wildcard_is_refused_by_an_excluded_name_it_stands_for() {
        let nc = Constraints {
            permitted: Vec::new(),
            excluded: vec![Base::Dns("bar.example.com".into())],
        };
        let wildcard = name(&GeneralName::DNSName("*.example.com")).unwrap();
        assert!(nc.violation(&[wildcard]).is_some());
        assert!(nc
            .violation(&[Name::Dns("foo.example.com".into())])
            .is_none());
        // Permitted: a wildcard needs its whole domain inside the subtree.
        let narrow = permitting(vec![Base::Dns("foo.example.com".into())]);
        let wide = permitting(vec![Base::Dns("example.com".into())]);
        let wildcard = name(&GeneralName::DNSName("*.example.com")).unwrap();
        assert!(narrow.violation(std::slice::from_ref(&wildcard)).is_some());
        assert!(wide.violation(&[wildcard]).is_none());
        // A DNS subtree does not cover a name that merely ends with its text.
        assert!(wide
            .violation(&[Name::Dns("badexample.com".into())])
            .is_some());
    }

    #[test]
    fn work_is_names_times_constraints() {
        let nc = Constraints {
            permitted: vec![Base::Dns("a.example".into()); 3],
            excluded: vec![Base::Dns("b.example".into()); 2],
        };
        assert_eq!(nc.work(&vec![Name::Dns("x.a.example".into()); 7]), 35);
    }
}
