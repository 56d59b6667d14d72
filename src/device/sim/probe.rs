//! Counters that prove the DFX gates are real: what the simulated device
//! allocated, stamped and ran for instrumentation. Tests assert on them; the
//! app may show them. Shared through an `Arc` so they stay readable after the
//! device was moved into a capture thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProbeCounts {
    /// Record batch buffers allocated (level ≥ 1 only).
    pub record_buffer_allocs: u64,
    /// AICore timestamp reads (receive, start, end) taken for records.
    pub aicore_stamps: u64,
    /// AICPU dispatch and finish timestamps taken (level ≥ 2 only).
    pub dispatch_finish_stamps: u64,
    /// Fanout records written (level ≥ 2 only).
    pub fanout_records: u64,
    /// Phase buffers allocated, one per AICPU thread (level ≥ 3 only).
    pub phase_buffer_allocs: u64,
    /// Phase-recording code executions (level ≥ 3 only).
    pub phase_code_runs: u64,
}

/// The shared, atomically readable copy of the last run's counts.
#[derive(Debug, Clone, Default)]
pub struct ProbeHandle {
    cells: Arc<[AtomicU64; 6]>,
}

impl ProbeHandle {
    pub fn get(&self) -> ProbeCounts {
        let c = &self.cells;
        let r = |i: usize| c[i].load(Ordering::Relaxed);
        ProbeCounts {
            record_buffer_allocs: r(0),
            aicore_stamps: r(1),
            dispatch_finish_stamps: r(2),
            fanout_records: r(3),
            phase_buffer_allocs: r(4),
            phase_code_runs: r(5),
        }
    }

    /// Publishes the running totals (the device keeps plain counters in its
    /// hot loop and stores them here at batch boundaries).
    pub(crate) fn publish(&self, p: &ProbeCounts) {
        let v = [
            p.record_buffer_allocs,
            p.aicore_stamps,
            p.dispatch_finish_stamps,
            p.fanout_records,
            p.phase_buffer_allocs,
            p.phase_code_runs,
        ];
        for (cell, v) in self.cells.iter().zip(v) {
            cell.store(v, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_counts_are_visible_through_clones() {
        let h = ProbeHandle::default();
        let h2 = h.clone();
        let p = ProbeCounts {
            record_buffer_allocs: 1,
            aicore_stamps: 2,
            dispatch_finish_stamps: 3,
            fanout_records: 4,
            phase_buffer_allocs: 5,
            phase_code_runs: 6,
        };
        h.publish(&p);
        assert_eq!(h2.get(), p);
    }
}
