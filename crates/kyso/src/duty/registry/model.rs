//! Units, leaders (with tenure) and certificate enrolments (ARCHITECTURE.md §5.4).
//! Enrolment (certificate fingerprint -> owner) is the source of truth for who signed.

use crate::duty::period::Month;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Department,
    PublicService,
    Commune,
}

impl UnitKind {
    /// The Vietnamese label a clerk reads.
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Department => "Cơ quan chuyên môn",
            UnitKind::PublicService => "Đơn vị sự nghiệp công lập",
            UnitKind::Commune => "UBND xã, phường",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Stable slug; in an API body it may be left out (the path gives it).
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// SHA-256 (hex) of the organisation certificates' DER.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Certificates no longer enrolled, each with the last month it still counts for: files
    /// it signed while it was enrolled keep their credit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_certificates: Vec<Retired>,
    /// A unit that no longer exists is kept for its history but required no more. Prefer
    /// `to`: with `active = false` and no `to`, its past months are not required either.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// First month the unit exists (is required), `YYYY-MM`; before it nothing is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Month>,
    /// Last month the unit exists (merged, dissolved); its months up to then keep their figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Month>,
    /// Whom the Office calls about the unit's files (its văn thư).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The unit's place in the Office's official order (the reports' rows follow it; units
    /// without one come after, by id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
}

/// A unit's contact for its monthly files (văn thư): a name, a phone number, an e-mail address
/// (where reminders go).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
}

impl Unit {
    /// Where the unit stands in the tables: its `order`, then its id.
    pub fn sort_key(&self) -> (u32, &str) {
        (self.order.unwrap_or(u32::MAX), self.id.as_str())
    }

    /// Whether the unit owes its monthly files in `m`.
    pub fn required_in(&self, m: Month) -> bool {
        self.from.is_none_or(|f| f <= m)
            && self.to.is_none_or(|t| m <= t)
            && (self.active || self.to.is_some())
    }
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub title: String,
    pub unit: String,
    /// First month in office, `YYYY-MM`.
    pub from: Month,
    /// Last month in office, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Month>,
    #[serde(default)]
    pub certificates: Vec<String>,
    /// See [`Unit::retired_certificates`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_certificates: Vec<Retired>,
    /// The person this post belongs to, for records read from `[[person]]`/`[[post]]`
    /// (`crate::duty::registry::file`); a `[[leader]]` record is its own person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// A certificate taken off a unit or a leader, and the last month it counts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retired {
    pub sha256: String,
    pub until: Month,
}

/// Keep the certificates `old` had and `new` drops, as retired from `month` on: a re-issued
/// token adds a certificate; the old one keeps the credit of what it signed before.
pub(super) fn carry_retired(
    old_certs: &[String],
    old_retired: &[Retired],
    new_certs: &[String],
    new_retired: &mut Vec<Retired>,
    month: Month,
) {
    // A retired certificate stays retired even when it comes back (a token returned to the
    // unit that held it before): the months it counted then are still its. Every period of a
    // certificate the incoming record does not list as retired is carried (a file, a form or
    // the person form sends none); one it lists is as it says.
    let listed: std::collections::HashSet<String> =
        new_retired.iter().map(|x| x.sha256.clone()).collect();
    for r in old_retired {
        if !listed.contains(&r.sha256) && !new_retired.contains(r) {
            new_retired.push(r.clone());
        }
    }
    // A certificate may be retired more than once (taken away, given back, taken away
    // again): each time it keeps the months up to its change.
    for c in old_certs {
        if !new_certs.contains(c)
            && !new_retired
                .iter()
                .any(|x| &x.sha256 == c && x.until >= month)
        {
            new_retired.push(Retired {
                sha256: c.clone(),
                until: month,
            });
        }
    }
}

impl Leader {
    pub fn in_office(&self, m: Month) -> bool {
        self.from <= m && self.to.is_none_or(|t| m <= t)
    }
}

/// Of the units a certificate counts for in a month, each with whether the unit is required
/// that month and the last month the certificate counts there (`None`: it holds it now), the
/// one that held it in that month: a unit that exists that month before one that does not
/// (a certificate moved when its unit was merged away), then the soonest last month, a current
/// holder last. The first in registry order among equals.
pub fn unit_holding<T>(held: impl Iterator<Item = (T, bool, Option<Month>)>) -> Option<T> {
    // Smaller is better: required first, then a last month (soonest first), then current.
    let rank = |required: bool, until: Option<Month>| (!required, until.is_none(), until);
    let mut best: Option<(T, bool, Option<Month>)> = None;
    for (t, required, until) in held {
        if best
            .as_ref()
            .is_none_or(|(_, r, u)| rank(required, until) < rank(*r, *u))
        {
            best = Some((t, required, until));
        }
    }
    best.map(|(t, _, _)| t)
}

/// Who a certificate is enrolled to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Unit(String),
    Leader(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The first month kyso tracks ("theo dõi từ tháng"): no unit or leader is required before
    /// it, so a town that starts in July is not scored on the months before. Unset: every
    /// month a record exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_from: Option<Month>,
    #[serde(default, rename = "unit")]
    pub units: Vec<Unit>,
    #[serde(default, rename = "leader")]
    pub leaders: Vec<Leader>,
    /// A file's `[[person]]` records; read into `leaders` before a merge
    /// ([`Registry::expand_persons`]), never kept.
    #[serde(default, rename = "person", skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<crate::duty::registry::file::Person>,
    /// A file's `[[post]]` records, likewise.
    #[serde(default, rename = "post", skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<crate::duty::registry::file::Post>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegistryError {
    #[error("registry file: {0}")]
    Parse(String),
    #[error("{0}")]
    Invalid(String),
}

impl Registry {
    /// Whether `m` is a month kyso tracks (on or after `tracking_from`).
    pub fn tracks(&self, m: Month) -> bool {
        self.tracking_from.is_none_or(|f| m >= f)
    }

    /// A whole registry file (a first installation, a check): persons and posts read into
    /// leader records, every reference resolved.
    pub fn from_toml(text: &str) -> Result<Registry, RegistryError> {
        let r = Registry::default().expand_persons(Self::fragment_from_toml(text)?)?;
        r.validate()?;
        Ok(r)
    }

    /// A registry file to merge into a registry: each record valid and each id once, but a
    /// leader may name a unit the file leaves out (it is checked on the merged registry), and
    /// `[[person]]`/`[[post]]` records stay to be read against the registry they are merged
    /// into ([`Registry::expand_persons`]). Keys other than `unit`, `leader`, `person` and
    /// `post` are refused, so a misspelt `[[unitt]]` is not read as an
    /// empty file. A parse error names its place, not the (possibly huge) line.
    pub fn fragment_from_toml(text: &str) -> Result<Registry, RegistryError> {
        let mut r: Registry = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            RegistryError::Parse(format!("{place}{}", e.message()))
        })?;
        r.normalise();
        let mut ids = std::collections::BTreeSet::new();
        for u in &r.units {
            Self::validate_unit(u)?;
            if !ids.insert(("unit", u.id.as_str())) {
                return Err(RegistryError::Invalid(format!(
                    "unit {} appears twice",
                    u.id
                )));
            }
        }
        for l in &r.leaders {
            Self::validate_leader(l)?;
            if !ids.insert(("leader", l.id.as_str())) {
                return Err(RegistryError::Invalid(format!(
                    "leader {} appears twice",
                    l.id
                )));
            }
        }
        r.validate_persons()?;
        Ok(r)
    }

    /// Names in Unicode NFC (Vietnamese text typed on different systems composes its marks
    /// differently; NFC makes equal names compare equal), trimmed; fingerprints lower case.
    fn normalise(&mut self) {
        use unicode_normalization::UnicodeNormalization;
        let nfc = |s: &mut String| *s = s.trim().nfc().collect();
        for u in &mut self.units {
            nfc(&mut u.name);
        }
        for l in &mut self.leaders {
            nfc(&mut l.name);
            nfc(&mut l.title);
        }
        for p in &mut self.persons {
            nfc(&mut p.name);
            for c in &mut p.certificates {
                *c = c.to_ascii_lowercase();
            }
        }
        for p in &mut self.posts {
            nfc(&mut p.title);
        }
        for u in &mut self.units {
            for c in &mut u.certificates {
                *c = c.to_ascii_lowercase();
            }
        }
        for l in &mut self.leaders {
            for c in &mut l.certificates {
                *c = c.to_ascii_lowercase();
            }
            for r in &mut l.retired_certificates {
                r.sha256 = r.sha256.to_ascii_lowercase();
            }
        }
        for u in &mut self.units {
            for r in &mut u.retired_certificates {
                r.sha256 = r.sha256.to_ascii_lowercase();
            }
        }
    }

    /// Merge another registry into this one (upsert by id). A certificate a record drops is
    /// kept as retired, still counting up to `month` (the month of the change, Vietnam time).
    pub fn merge(&mut self, other: Registry, month: Month) -> Result<(), RegistryError> {
        let other = self.expand_persons(other)?;
        let mut next = self.clone();
        if other.tracking_from.is_some() {
            next.tracking_from = other.tracking_from;
        }
        // Positions by id: an import of a whole town (tens of thousands of records) stays
        // linear.
        let mut unit_at: std::collections::HashMap<String, usize> = next
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        let mut leader_at: std::collections::HashMap<String, usize> = next
            .leaders
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        for mut u in other.units {
            match unit_at.get(&u.id).map(|&i| &mut next.units[i]) {
                Some(x) => {
                    carry_retired(
                        &x.certificates,
                        &x.retired_certificates,
                        &u.certificates,
                        &mut u.retired_certificates,
                        month,
                    );
                    *x = u
                }
                None => {
                    unit_at.insert(u.id.clone(), next.units.len());
                    next.units.push(u)
                }
            }
        }
        for mut l in other.leaders {
            match leader_at.get(&l.id).map(|&i| &mut next.leaders[i]) {
                Some(x) => {
                    carry_retired(
                        &x.certificates,
                        &x.retired_certificates,
                        &l.certificates,
                        &mut l.retired_certificates,
                        month,
                    );
                    *x = l
                }
                None => {
                    leader_at.insert(l.id.clone(), next.leaders.len());
                    next.leaders.push(l)
                }
            }
        }
        next.normalise();
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Who a certificate is enrolled to now: a unit, or the leader records (posts) of one
    /// person.
    pub fn owners_of(&self, fingerprint: &str) -> Vec<Owner> {
        let f = fingerprint.to_ascii_lowercase();
        if let Some(u) = self.units.iter().find(|u| u.certificates.contains(&f)) {
            return vec![Owner::Unit(u.id.clone())];
        }
        self.leaders
            .iter()
            .filter(|l| l.certificates.contains(&f))
            .map(|l| Owner::Leader(l.id.clone()))
            .collect()
    }

    /// Who a certificate counted for in `month`: its owners now, or those it was retired from
    /// after that month. A certificate that moved from one unit to another counts for the unit
    /// that held it then: of the units it counts for, the one it was retired from soonest after
    /// `month`, before the one that holds it now ([`unit_holding`]).
    pub fn owners_in(&self, fingerprint: &str, month: Month) -> Vec<Owner> {
        let f = fingerprint.to_ascii_lowercase();
        let counts = |now: &[String], r: &[Retired]| {
            now.contains(&f) || r.iter().any(|x| x.sha256 == f && month <= x.until)
        };
        let held = self.units.iter().filter_map(|u| {
            let until = u
                .retired_certificates
                .iter()
                .filter(|x| x.sha256 == f && month <= x.until)
                .map(|x| x.until)
                .min();
            let required = u.required_in(month);
            match until {
                Some(m) => Some((u, required, Some(m))),
                None => u.certificates.contains(&f).then_some((u, required, None)),
            }
        });
        if let Some(u) = unit_holding(held) {
            return vec![Owner::Unit(u.id.clone())];
        }
        self.leaders
            .iter()
            .filter(|l| counts(&l.certificates, &l.retired_certificates))
            .map(|l| Owner::Leader(l.id.clone()))
            .collect()
    }

    /// What merging `incoming` would change, one line per record: added, or the fields that
    /// would change. Empty when the registry already says what `incoming` says.
    pub fn changes_from(&self, incoming: &Registry) -> Vec<String> {
        fn diff<T: Serialize>(kind: &str, id: &str, old: Option<&T>, new: &T) -> Option<String> {
            let new = serde_json::to_value(new).ok()?;
            let Some(old) = old.and_then(|o| serde_json::to_value(o).ok()) else {
                return Some(format!("{kind} {id}: would be added"));
            };
            let keys: std::collections::BTreeSet<&String> = old
                .as_object()
                .into_iter()
                .flatten()
                .chain(new.as_object().into_iter().flatten())
                .map(|(k, _)| k)
                .collect();
            let changed: Vec<&str> = keys
                .into_iter()
                .filter(|k| old.get(k.as_str()) != new.get(k.as_str()))
                .map(String::as_str)
                .collect();
            (!changed.is_empty())
                .then(|| format!("{kind} {id}: would change {}", changed.join(", ")))
        }
        let units: std::collections::HashMap<&str, &Unit> =
            self.units.iter().map(|u| (u.id.as_str(), u)).collect();
        let leaders: std::collections::HashMap<&str, &Leader> =
            self.leaders.iter().map(|l| (l.id.as_str(), l)).collect();
        let mut out = Vec::new();
        if let Some(m) = incoming
            .tracking_from
            .filter(|m| Some(*m) != self.tracking_from)
        {
            out.push(format!("setting tracking_from: would be {m}"));
        }
        for u in &incoming.units {
            out.extend(diff("unit", &u.id, units.get(u.id.as_str()).copied(), u));
        }
        for l in &incoming.leaders {
            out.extend(diff(
                "leader",
                &l.id,
                leaders.get(l.id.as_str()).copied(),
                l,
            ));
        }
        out
    }

    /// Whether the certificate is enrolled to anyone.
    pub fn owner_of(&self, fingerprint: &str) -> Option<Owner> {
        self.owners_of(fingerprint).into_iter().next()
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    pub fn leader(&self, id: &str) -> Option<&Leader> {
        self.leaders.iter().find(|l| l.id == id)
    }
}
