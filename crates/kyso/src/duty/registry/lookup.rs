//! The registry indexed for whole tables: certificate → holders, leader by id, leaders by
//! unit. [`Registry`] searches its lists linearly, which is right for one receipt; a month
//! table at national scale (12,000 units, 60,000 leaders, 70,000 files) asks 70,000 times.

use crate::duty::period::Month;
use crate::duty::registry::{Leader, Owner, Registry, Retired};
use std::collections::HashMap;
use std::sync::Arc;

/// Who holds a certificate (by position in the registry's lists), and until when if it was
/// retired.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Unit(usize, Option<Month>),
    Leader(usize, Option<Month>),
}

/// What crediting asks of the registry: implemented by [`Registry`] (linear) and [`Lookup`]
/// (indexed), which must answer alike.
pub trait Owners {
    fn registry(&self) -> &Registry;
    /// See [`Registry::owners_in`].
    fn owners_in(&self, fingerprint: &str, month: Month) -> Vec<Owner>;
    fn leader(&self, id: &str) -> Option<&Leader>;
}

impl Owners for Registry {
    fn registry(&self) -> &Registry {
        self
    }
    fn owners_in(&self, fingerprint: &str, month: Month) -> Vec<Owner> {
        Registry::owners_in(self, fingerprint, month)
    }
    fn leader(&self, id: &str) -> Option<&Leader> {
        Registry::leader(self, id)
    }
}

/// The index of one registry value; the store keeps the one of its current registry between
/// requests ([`crate::store::Store::lookup`]).
pub struct Lookup {
    registry: Arc<Registry>,
    /// In registry order: units first, then leaders, as [`Registry::owners_in`] searches.
    by_certificate: HashMap<String, Vec<Holder>>,
    leaders: HashMap<String, usize>,
    by_unit: HashMap<String, Vec<usize>>,
}

impl Lookup {
    pub fn new(registry: Arc<Registry>) -> Lookup {
        let mut by_certificate: HashMap<String, Vec<Holder>> = HashMap::new();
        // Current certificates count every month; retired ones up to their last month.
        let mut hold =
            |current: &[String], retired: &[Retired], as_: &dyn Fn(Option<Month>) -> Holder| {
                for c in current {
                    by_certificate.entry(c.clone()).or_default().push(as_(None));
                }
                for r in retired {
                    by_certificate
                        .entry(r.sha256.clone())
                        .or_default()
                        .push(as_(Some(r.until)));
                }
            };
        for (i, u) in registry.units.iter().enumerate() {
            hold(&u.certificates, &u.retired_certificates, &|until| {
                Holder::Unit(i, until)
            });
        }
        let mut by_unit: HashMap<String, Vec<usize>> = HashMap::new();
        let mut leaders = HashMap::new();
        for (i, l) in registry.leaders.iter().enumerate() {
            hold(&l.certificates, &l.retired_certificates, &|until| {
                Holder::Leader(i, until)
            });
            // The first record of an id wins, as `Registry::leader` finds it.
            leaders.entry(l.id.clone()).or_insert(i);
            by_unit.entry(l.unit.clone()).or_default().push(i);
        }
        Lookup {
            registry,
            by_certificate,
            leaders,
            by_unit,
        }
    }

    /// An index of a registry the caller holds by value (tests, one receipt).
    pub fn of(registry: &Registry) -> Lookup {
        Lookup::new(Arc::new(registry.clone()))
    }

    /// The registry this indexes.
    pub fn registry_arc(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Whether this is the index of `registry` (the same value, not an equal one).
    pub fn indexes(&self, registry: &Arc<Registry>) -> bool {
        Arc::ptr_eq(&self.registry, registry)
    }

    /// The leaders recorded for a unit, in registry order.
    pub fn leaders_of<'s>(&'s self, unit: &str) -> impl Iterator<Item = &'s Leader> + 's {
        self.by_unit
            .get(unit)
            .into_iter()
            .flatten()
            .map(|&i| &self.registry.leaders[i])
    }
}

impl Owners for Lookup {
    fn registry(&self) -> &Registry {
        &self.registry
    }

    fn owners_in(&self, fingerprint: &str, month: Month) -> Vec<Owner> {
        let f = fingerprint.to_ascii_lowercase();
        let Some(holders) = self.by_certificate.get(f.as_str()) else {
            return Vec::new();
        };
        let counts = |until: Option<Month>| until.is_none_or(|u| month <= u);
        // A unit's certificate makes the unit the only owner: the unit that held it that month
        // (`crate::duty::registry::unit_holding`).
        let unit = crate::duty::registry::unit_holding(holders.iter().filter_map(|h| match h {
            Holder::Unit(i, until) if counts(*until) => {
                Some((*i, self.registry.units[*i].required_in(month), *until))
            }
            _ => None,
        }));
        if let Some(u) = unit {
            return vec![Owner::Unit(self.registry.units[u].id.clone())];
        }
        let mut out: Vec<Owner> = Vec::new();
        for h in holders {
            if let Holder::Leader(i, until) = h {
                let owner = Owner::Leader(self.registry.leaders[*i].id.clone());
                // One entry per leader record, as the linear search yields each record once.
                if counts(*until) && !out.contains(&owner) {
                    out.push(owner);
                }
            }
        }
        out
    }

    fn leader(&self, id: &str) -> Option<&Leader> {
        self.leaders.get(id).map(|&i| &self.registry.leaders[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index answers as the registry's own search on a registry with shared, retired and
    /// unit-held certificates.
    #[test]
    fn lookup_answers_as_the_registry_does() {
        let fp = |i: usize| format!("{i:064x}");
        let m = |y: i32, mo: u8| Month { year: y, month: mo };
        let mut r: Registry = toml::from_str(
            r#"
            [[unit]]
            id = "a"
            name = "A"
            kind = "commune"
            [[unit]]
            id = "b"
            name = "B"
            kind = "department"
            [[leader]]
            id = "x"
            name = "X"
            title = "Chủ tịch"
            unit = "a"
            from = "2025-01"
            [[leader]]
            id = "y"
            name = "Y"
            title = "Phó Chủ tịch"
            unit = "b"
            from = "2025-01"
            "#,
        )
        .unwrap();
        r.units[0].certificates = vec![fp(1)];
        r.units[1].retired_certificates = vec![Retired {
            sha256: fp(2),
            until: m(2026, 3),
        }];
        // Certificate 5 moved from unit b (until March) to unit a, which comes first.
        r.units[0].certificates.push(fp(5));
        r.units[1].retired_certificates.push(Retired {
            sha256: fp(5),
            until: m(2026, 3),
        });
        r.leaders[0].certificates = vec![fp(2), fp(3)];
        r.leaders[1].certificates = vec![fp(3)];
        r.leaders[1].retired_certificates = vec![Retired {
            sha256: fp(4),
            until: m(2026, 5),
        }];
        let lookup = Lookup::of(&r);
        for cert in 0..6 {
            for month in [m(2026, 1), m(2026, 3), m(2026, 4), m(2026, 6)] {
                let f = fp(cert);
                assert_eq!(
                    Owners::owners_in(&lookup, &f, month),
                    r.owners_in(&f, month),
                    "certificate {cert}, {month}"
                );
                assert_eq!(
                    Owners::owners_in(&lookup, &f.to_uppercase(), month),
                    r.owners_in(&f.to_uppercase(), month)
                );
            }
        }
        let unit_of = |month| match r.owners_in(&fp(5), month).as_slice() {
            [Owner::Unit(u)] => u.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(unit_of(m(2026, 3)), "b", "the unit that held it then");
        assert_eq!(unit_of(m(2026, 4)), "a", "the unit that holds it now");
        assert_eq!(lookup.leaders_of("a").count(), 1);
        assert_eq!(
            Owners::leader(&lookup, "y").map(|l| &l.unit),
            Some(&"b".to_string())
        );
    }
}
