//! Record accounting shared by the capture thread (which produces and sends)
//! and the app (which evicts). The identity `produced == delivered + dropped`
//! holds in every snapshot because the sender updates all three under one
//! lock; `evicted` counts records the store later let go of, separately.

use std::sync::{Arc, Mutex, MutexGuard};

/// One consistent reading of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records the device handed to the capture thread.
    pub produced: u64,
    /// Records the channel accepted (they reach the app unless it quits).
    pub delivered: u64,
    /// Records refused because a live channel was full (or the app was gone).
    pub dropped: u64,
    /// Delivered records the store has since evicted to bound memory.
    pub evicted: u64,
    /// Log lines of a driven program not shown because they came faster
    /// than the screen could take them (records are never among these).
    pub log_dropped: u64,
}

impl Counts {
    pub fn balanced(&self) -> bool {
        self.produced == self.delivered + self.dropped
    }
}

/// Cheap to clone; every clone sees the same counters.
#[derive(Debug, Clone, Default)]
pub struct Accounting {
    inner: Arc<Mutex<Counts>>,
}

impl Accounting {
    pub fn new() -> Accounting {
        Accounting::default()
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // A poisoned lock still holds valid integers; keep counting.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `n` records were produced and the channel took them.
    pub fn delivered(&self, n: u64) {
        let mut c = self.lock();
        c.produced += n;
        c.delivered += n;
    }

    /// `n` records were produced and had to be dropped.
    pub fn dropped(&self, n: u64) {
        let mut c = self.lock();
        c.produced += n;
        c.dropped += n;
    }

    pub fn evicted(&self, n: u64) {
        self.lock().evicted += n;
    }

    pub fn log_dropped(&self, n: u64) {
        self.lock().log_dropped += n;
    }

    pub fn snapshot(&self) -> Counts {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_holds_across_threads() {
        let acc = Accounting::new();
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let acc = acc.clone();
                std::thread::spawn(move || {
                    for j in 0..1000u64 {
                        if (i + j) % 3 == 0 {
                            acc.dropped(j % 7);
                        } else {
                            acc.delivered(j % 5);
                        }
                        assert!(acc.snapshot().balanced());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let c = acc.snapshot();
        assert!(c.balanced());
        assert!(c.dropped > 0 && c.delivered > 0);
    }
}
