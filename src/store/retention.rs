//! Bounded memory: whole rounds are evicted, oldest first, and every record
//! that goes is counted, so `ingested == live + evicted` always holds.
//!
//! Old rounds normally lead every lane and the fanout log, so eviction drains
//! prefixes (memmoves) and takes the evicted rows and edge mentions out of
//! the indexes one by one; the edge CSR and the time range are then rebuilt
//! in one linear pass. Nothing is re-sorted or re-hashed wholesale.

use super::TraceStore;
use super::index::Loc;

impl TraceStore {
    /// Removes every record of the rounds before `round` (every kind, and
    /// their round summaries); returns how many records went.
    pub fn evict_rounds_before(&mut self, round: u32) -> u64 {
        let keep = |r: u32| r >= round;
        self.rounds.retain(|s| keep(s.round));
        if !self.round_records.range(..round).any(|(_, &n)| n > 0) {
            return 0;
        }
        let mut gone = 0;
        for (&core, lane) in self.cores.iter_mut() {
            let index = &mut self.index;
            let evicted_rows = lane.evict_before(round, |row| {
                index.remove(
                    row.task_id,
                    Loc {
                        core,
                        start: row.start,
                    },
                );
            });
            self.task_rows -= evicted_rows as usize;
            gone += evicted_rows;
        }
        self.cores.retain(|_, l| l.len() > 0);
        for lane in self.sched.values_mut().chain(self.orch.values_mut()) {
            gone += lane.evict_before(round);
        }
        self.sched.retain(|_, l| l.len() > 0);
        self.orch.retain(|_, l| l.len() > 0);
        gone += self.edges.evict_before(round);
        let before = self.orch_summaries.len() + self.submits.len();
        for s in self.submits.iter().filter(|s| !keep(s.round)) {
            for e in &s.edges_in {
                self.edges.remove_dependency(e.pred, e.succ);
            }
        }
        self.edges.reseal();
        self.orch_summaries.retain(|s| keep(s.round));
        self.submits.retain(|s| keep(s.round));
        gone += (before - self.orch_summaries.len() - self.submits.len()) as u64;
        self.block_num.clear();
        for s in &self.submits {
            let n = self.block_num.entry(s.task_id).or_insert(0);
            *n = (*n).max(s.block_num);
        }
        let kept = self.round_records.split_off(&round);
        // Per-round counts and the records actually removed must agree, or
        // `ingested == live + evicted` would drift.
        debug_assert_eq!(gone, self.round_records.values().sum::<u64>());
        self.round_records = kept;
        self.evicted += gone;
        self.recompute_bounds();
        gone
    }

    /// Caps the live records: after each batch and each finished round, the
    /// oldest rounds are evicted until the store is within the cap. The newest
    /// round is never evicted, so a single huge round can exceed the cap.
    /// `None` (the default, right for files) keeps everything.
    pub fn set_max_live_records(&mut self, max: Option<u64>) {
        self.max_live_records = max;
        self.enforce_retention();
    }

    pub fn max_live_records(&self) -> Option<u64> {
        self.max_live_records
    }

    pub(super) fn enforce_retention(&mut self) {
        let Some(max) = self.max_live_records else {
            return;
        };
        let mut live = self.live_records();
        if live <= max {
            return;
        }
        let Some(&newest) = self.round_records.keys().next_back() else {
            return;
        };
        // One eviction for however many rounds must go.
        let mut cut = None;
        for (&r, &n) in &self.round_records {
            if r == newest || live <= max {
                break;
            }
            live -= n;
            cut = Some(r);
        }
        if let Some(r) = cut {
            self.evict_rounds_before(r + 1);
        }
    }

    /// The time range from the lanes (one linear pass over the columns).
    fn recompute_bounds(&mut self) {
        let mut bounds: Option<(u64, u64)> = None;
        let mut widen = |lo: u64, hi: u64| {
            bounds = Some(bounds.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        for lane in self.cores.values() {
            if let Some((lo, hi)) = lane.bounds() {
                widen(lo, hi);
            }
        }
        for lane in self.sched.values().chain(self.orch.values()) {
            if let Some((lo, hi)) = lane.bounds() {
                widen(lo, hi);
            }
        }
        self.bounds = bounds;
    }
}
