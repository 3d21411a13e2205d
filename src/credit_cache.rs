//! A month's credits kept in memory between tables: the Office's pages and reports ask for the
//! same months again and again, and crediting a month at national scale (70,000 files) costs
//! a quarter of a second, a year twelve times that. An entry is good while the month's
//! crediting facts are unchanged (the index's generation of the month, bumped by every commit
//! that writes or removes a fact of it), the registry is the same value, and the time policy is
//! the same; anything else credits the month again. At most [`MAX_MONTHS`] months are kept.

use crate::compliance::{Credited, TimePolicy};
use crate::registry::{Month, Registry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// A year and its neighbours: a year report reads thirteen months.
pub const MAX_MONTHS: usize = 15;

struct Entry {
    generation: u64,
    /// Weak: an entry never keeps an old registry alive, and its allocation is not reused
    /// while the entry holds it, so `ptr_eq` cannot mistake a new registry for it.
    registry: Weak<Registry>,
    policy: TimePolicy,
    files: Arc<Vec<Credited>>,
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

    /// The month's credits if they were computed from the facts of `generation`, under
    /// `registry` and `policy`.
    pub fn get(
        &self,
        month: Month,
        generation: u64,
        registry: &Arc<Registry>,
        policy: &TimePolicy,
    ) -> Option<Arc<Vec<Credited>>> {
        let mut guard = self.lock();
        let (months, clock) = &mut *guard;
        *clock += 1;
        let e = months.get_mut(&month)?;
        let good = e.generation == generation
            && Weak::ptr_eq(&e.registry, &Arc::downgrade(registry))
            && e.policy == *policy;
        if !good {
            return None;
        }
        e.used = *clock;
        Some(e.files.clone())
    }

    /// Keep a month's credits; the least recently used month goes when there are too many.
    pub fn put(
        &self,
        month: Month,
        generation: u64,
        registry: &Arc<Registry>,
        policy: TimePolicy,
        files: Arc<Vec<Credited>>,
    ) {
        let mut guard = self.lock();
        let (months, clock) = &mut *guard;
        *clock += 1;
        months.insert(
            month,
            Entry {
                generation,
                registry: Arc::downgrade(registry),
                policy,
                files,
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
    fn an_entry_is_good_for_its_generation_registry_and_policy_only() {
        let cache = CreditCache::default();
        let registry = Arc::new(Registry::default());
        let policy = TimePolicy::default();
        let m = |i: u8| Month {
            year: 2026,
            month: i,
        };
        cache.put(m(3), 7, &registry, policy, Arc::new(Vec::new()));
        assert!(cache.get(m(3), 7, &registry, &policy).is_some());
        assert!(
            cache.get(m(3), 8, &registry, &policy).is_none(),
            "facts changed"
        );
        let other = Arc::new(Registry::default());
        assert!(
            cache.get(m(3), 7, &other, &policy).is_none(),
            "another registry"
        );
        let lenient = TimePolicy {
            accept_implausible: true,
            ..policy
        };
        assert!(
            cache.get(m(3), 7, &registry, &lenient).is_none(),
            "another policy"
        );
        for i in 0..(MAX_MONTHS as i32 + 3) {
            let month = Month {
                year: 2000 + i,
                month: 1,
            };
            cache.put(month, 1, &registry, policy, Arc::new(Vec::new()));
        }
        assert_eq!(cache.lock().0.len(), MAX_MONTHS);
        assert!(
            cache.get(m(3), 7, &registry, &policy).is_none(),
            "the oldest went first"
        );
    }
}
