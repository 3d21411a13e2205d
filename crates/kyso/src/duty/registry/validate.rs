//! What a registry must hold to be taken (ARCHITECTURE.md §5.4): ids of the agreed form, each
//! once, every leader's unit known, every certificate enrolled to one unit or to one person's
//! posts, and contact addresses a message can go to.

use super::model::{Leader, Registry, RegistryError, Unit};
use std::collections::BTreeMap;

/// Whether `s` looks like an e-mail address (one `@`, a dot in the domain, no spaces or
/// controls): what a reminder can be sent to.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.len() <= 254
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub(super) fn valid_fingerprint(f: &str) -> bool {
    f.len() == 64 && f.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Registry {
    pub fn validate_unit(u: &Unit) -> Result<(), RegistryError> {
        if !valid_id(&u.id) {
            return Err(RegistryError::Invalid(format!(
                "unit id {:?}: use lower-case letters, digits, - and _",
                u.id
            )));
        }
        if let Some(e) = u
            .contact
            .as_ref()
            .map(|c| c.email.as_str())
            .filter(|e| !e.is_empty())
        {
            if !valid_email(e) {
                return Err(RegistryError::Invalid(format!(
                    "unit {}: contact email {e:?} is not an e-mail address",
                    u.id
                )));
            }
        }
        if u.name.trim().is_empty() {
            return Err(RegistryError::Invalid(format!(
                "unit {}: the name is empty",
                u.id
            )));
        }
        if let Some(c) = u
            .certificates
            .iter()
            .chain(u.retired_certificates.iter().map(|r| &r.sha256))
            .find(|c| !valid_fingerprint(c))
        {
            return Err(RegistryError::Invalid(format!(
                "unit {}: {c:?} is not a SHA-256 fingerprint (64 hex digits)",
                u.id
            )));
        }
        if let (Some(f), Some(t)) = (u.from, u.to) {
            if t < f {
                return Err(RegistryError::Invalid(format!(
                    "unit {}: 'to' is before 'from'",
                    u.id
                )));
            }
        }
        if u.name.chars().count() > 300 {
            return Err(RegistryError::Invalid(format!(
                "unit {}: the name is longer than 300 characters",
                u.id
            )));
        }
        Ok(())
    }

    pub fn validate_leader(l: &Leader) -> Result<(), RegistryError> {
        if !valid_id(&l.id) {
            return Err(RegistryError::Invalid(format!(
                "leader id {:?}: use lower-case letters, digits, - and _",
                l.id
            )));
        }
        for (what, text) in [("name", &l.name), ("title", &l.title)] {
            if text.trim().is_empty() || text.chars().count() > 300 {
                return Err(RegistryError::Invalid(format!(
                    "leader {}: the {what} must be 1 to 300 characters",
                    l.id
                )));
            }
        }
        if l.to.is_some_and(|t| t < l.from) {
            return Err(RegistryError::Invalid(format!(
                "leader {}: 'to' is before 'from'",
                l.id
            )));
        }
        if let Some(c) = l
            .certificates
            .iter()
            .chain(l.retired_certificates.iter().map(|r| &r.sha256))
            .find(|c| !valid_fingerprint(c))
        {
            return Err(RegistryError::Invalid(format!(
                "leader {}: {c:?} is not a SHA-256 fingerprint (64 hex digits)",
                l.id
            )));
        }
        Ok(())
    }

    /// Every id unique, every leader's unit known, every certificate enrolled to one unit, or
    /// to leader records of one person (the posts of a person who holds several at once, or
    /// moves with the same token: each post counts for its own unit and months).
    pub fn validate(&self) -> Result<(), RegistryError> {
        let mut owners: BTreeMap<&str, String> = BTreeMap::new();
        let mut ids = std::collections::BTreeSet::new();
        for u in &self.units {
            Self::validate_unit(u)?;
            if !ids.insert(("unit", u.id.as_str())) {
                return Err(RegistryError::Invalid(format!(
                    "unit {} appears twice",
                    u.id
                )));
            }
            for c in &u.certificates {
                if let Some(prev) = owners.insert(c, format!("unit {}", u.id)) {
                    return Err(RegistryError::Invalid(format!(
                        "certificate {c} is enrolled to {prev} and to unit {}",
                        u.id
                    )));
                }
            }
        }
        for l in &self.leaders {
            Self::validate_leader(l)?;
            if !ids.insert(("leader", l.id.as_str())) {
                return Err(RegistryError::Invalid(format!(
                    "leader {} appears twice",
                    l.id
                )));
            }
            if !ids.contains(&("unit", l.unit.as_str())) {
                return Err(RegistryError::Invalid(format!(
                    "leader {}: unknown unit {}",
                    l.id, l.unit
                )));
            }
            // A post read from `[[post]]` belongs to its person; a `[[leader]]` record to the
            // person of its name.
            let person = match &l.person {
                Some(p) => format!("person {p}"),
                None => format!("the leaders named {}", l.name.trim().to_lowercase()),
            };
            for c in &l.certificates {
                match owners.get(c.as_str()) {
                    Some(prev) if *prev != person => {
                        return Err(RegistryError::Invalid(format!(
                            "certificate {c} is enrolled to {} and to leader {} ({}): one certificate belongs to one unit or one person",
                            prev,
                            l.id,
                            l.name
                        )));
                    }
                    _ => {
                        owners.insert(c, person.clone());
                    }
                }
            }
        }
        Ok(())
    }
}
