//! Work on many inputs on every core, results in the inputs' order (`kyso verify DIR`,
//! re-verification). Each thread takes the next input; the results come back to the caller's
//! thread, which hands them on in order. At most a small window of results waits for an earlier
//! one, so memory does not grow with the number of inputs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, MutexGuard};

/// How many results may wait for an earlier one, per thread.
const WINDOW_PER_THREAD: usize = 8;

/// The threads to use: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Where the caller's thread is: how many results it has handed on, and whether a worker died.
#[derive(Default)]
struct Progress {
    handed: usize,
    aborted: bool,
}

struct Shared {
    next: AtomicUsize,
    progress: Mutex<Progress>,
    moved: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait until input `i` is within the window; false if the batch was abandoned.
    fn wait_for_window(&self, i: usize, window: usize) -> bool {
        let mut p = self.lock();
        while i >= p.handed + window && !p.aborted {
            p = self.moved.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        !p.aborted
    }
}

/// Marks the batch abandoned if its worker unwinds, so the others stop waiting.
struct AbortOnPanic<'a>(&'a Shared);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().aborted = true;
            self.0.moved.notify_all();
        }
    }
}

/// `work` on every item on `threads` threads; `sink` gets each result on the caller's
/// thread, in the items' order. With one thread (or one item) it all runs on the caller's.
pub fn in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, R),
) {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        for (i, item) in items.iter().enumerate() {
            sink(i, work(item));
        }
        return;
    }
    let window = threads * WINDOW_PER_THREAD;
    let shared = Shared {
        next: AtomicUsize::new(0),
        progress: Mutex::default(),
        moved: Condvar::new(),
    };
    let (shared, work) = (&shared, &work);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, R)>();
        for _ in 0..threads {
            let tx = tx.clone();
            scope.spawn(move || {
                let _guard = AbortOnPanic(shared);
                loop {
                    let i = shared.next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if !shared.wait_for_window(i, window) || tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut handed = 0;
        for (i, r) in rx {
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&handed) {
                sink(handed, r);
                handed += 1;
                shared.lock().handed = handed;
                shared.moved.notify_all();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_inputs_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..500).collect();
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            in_order(
                &items,
                threads,
                |n| {
                    // Early items take longest.
                    std::thread::sleep(std::time::Duration::from_micros((500 - n) % 7 * 50));
                    n * 2
                },
                |i, r| seen.push((i, r)),
            );
            let want: Vec<(usize, u64)> = items.iter().map(|n| (*n as usize, n * 2)).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn no_items_no_calls() {
        let items: Vec<u8> = Vec::new();
        in_order(&items, 4, |_| 1, |_, _: i32| panic!("called"));
    }
}
