//! A month's credits kept in memory between tables: the Office's pages and reports ask for the
//! same months again and again, and crediting a month at national scale (70,000 files) costs
//! a quarter of a second, a year twelve times that. An entry belongs to one registry value and
//! one time policy (anything else credits the month again) and says which generation of the
//! month's crediting facts it was credited from (the index draws a new one at every commit
//! that writes or removes a fact of the month): the tables bring an older entry up to date by
//! crediting only the files committed since ([`crate::app::tables`]). At most [`MAX_MONTHS`] months
//! are kept.

use crate::duty::credit::TimePolicy;
use crate::duty::period::Month;
use crate::duty::registry::Registry;
use crate::duty::tables::Credited;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// A year and its neighbours: a year report reads thirteen months.
pub const MAX_MONTHS: usize = 15;

/// A month's credits as of one generation of its facts, in chunks: the month as first credited,
/// then the files committed since, so keeping a commit does not copy the month.
#[derive(Clone, Default)]
pub struct Kept {
    pub generation: u64,
    pub chunks: Vec<Arc<Vec<Credited>>>,
}

struct Entry {
    /// Weak: an entry never keeps an old registry alive, and its allocation is not reused
    /// while the entry holds it, so `ptr_eq` cannot mistake a new registry for it.
    registry: Weak<Registry>,
    policy: TimePolicy,
    kept: Kept,
    used: u64,
}

#[derive(Default)]
pub struct CreditCache {
    months: Mutex<(HashMap<Month, Entry>, u64)>,
}

impl CreditCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<Month, Entry>, u64)> {
        match self.months.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The month's credits kept under `registry` and `policy`, with the generation of the
    /// facts they were credited from.
    pub fn get(&self, month: Month, registry: &Arc<Registry>, policy: &TimePolicy) -> Option<Kept> {
        let mut guard = self.lock();
        let (months, clock) = &mut *guard;
        *clock += 1;
        let e = months.get_mut(&month)?;
        let good = Weak::ptr_eq(&e.registry, &Arc::downgrade(registry)) && e.policy == *policy;
        if !good {
            return None;
        }
        e.used = *clock;
        Some(e.kept.clone())
    }

    /// Keep a month's credits; the least recently used month goes when there are too many.
    pub fn put(&self, month: Month, registry: &Arc<Registry>, policy: TimePolicy, kept: Kept) {
        let mut guard = self.lock();
        let (months, clock) = &mut *guard;
        *clock += 1;
        months.insert(
            month,
            Entry {
                registry: Arc::downgrade(registry),
                policy,
                kept,
                used: *clock,
            },
        );
        while months.len() > MAX_MONTHS {
            let Some(oldest) = months.iter().min_by_key(|(_, e)| e.used).map(|(m, _)| *m) else {
                break;
            };
            months.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_good_for_its_registry_and_policy_only() {
        let cache = CreditCache::default();
        let registry = Arc::new(Registry::default());
        let policy = TimePolicy::default();
        let m = |i: u8| Month {
            year: 2026,
            month: i,
        };
        let kept = |generation| Kept {
            generation,
            chunks: Vec::new(),
        };
        cache.put(m(3), &registry, policy, kept(7));
        assert_eq!(
            cache.get(m(3), &registry, &policy).map(|k| k.generation),
            Some(7),
            "the generation it was credited from"
        );
        let other = Arc::new(Registry::default());
        assert!(
            cache.get(m(3), &other, &policy).is_none(),
            "another registry"
        );
        let lenient = TimePolicy {
            accept_implausible: true,
            ..policy
        };
        assert!(
            cache.get(m(3), &registry, &lenient).is_none(),
            "another policy"
        );
        for i in 0..(MAX_MONTHS as i32 + 3) {
            let month = Month {
                year: 2000 + i,
                month: 1,
            };
            cache.put(month, &registry, policy, kept(1));
        }
        assert_eq!(cache.lock().0.len(), MAX_MONTHS);
        assert!(
            cache.get(m(3), &registry, &policy).is_none(),
            "the oldest went first"
        );
    }
}
