//! Where the simulated device writes its records: batch buffers allocated
//! only when something is actually recorded (so level 0 allocates nothing),
//! handed to the sink as they fill.

use crate::record::Record;

use super::probe::ProbeCounts;

/// Records per batch handed to the sink.
pub const BATCH: usize = 4096;

#[derive(Debug, Default)]
pub struct Recorder {
    buf: Option<Vec<Record>>,
    full: Vec<Vec<Record>>,
    /// Records of the current round.
    pub round_records: u64,
    pub total: u64,
}

impl Recorder {
    pub fn push(&mut self, probe: &mut ProbeCounts, r: Record) {
        let buf = self.buf.get_or_insert_with(|| {
            probe.record_buffer_allocs += 1;
            Vec::with_capacity(BATCH)
        });
        buf.push(r);
        self.round_records += 1;
        self.total += 1;
        if buf.len() >= BATCH {
            if let Some(b) = self.buf.take() {
                self.full.push(b);
            }
        }
    }

    pub fn has_full(&self) -> bool {
        !self.full.is_empty()
    }

    /// Hands over the partial buffer too (end of a round, a paced tick, a stop).
    pub fn seal(&mut self) {
        if let Some(b) = self.buf.take().filter(|b| !b.is_empty()) {
            self.full.push(b);
        }
    }

    pub fn drain(&mut self) -> std::vec::Drain<'_, Vec<Record>> {
        self.full.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::OrchSummary;

    #[test]
    fn allocates_lazily_and_batches() {
        let mut p = ProbeCounts::default();
        let mut r = Recorder::default();
        r.seal();
        assert!(!r.has_full());
        assert_eq!(p.record_buffer_allocs, 0);
        for _ in 0..BATCH + 1 {
            r.push(&mut p, Record::OrchSummary(OrchSummary::default()));
        }
        assert!(r.has_full());
        assert_eq!(p.record_buffer_allocs, 2);
        r.seal();
        let sizes: Vec<usize> = r.drain().map(|b| b.len()).collect();
        assert_eq!(sizes, vec![BATCH, 1]);
        assert_eq!(r.total, BATCH as u64 + 1);
    }
}
