//! Fanout edges: the fanout records themselves (in ingest order, for export
//! and eviction) and two adjacency indexes, successors and predecessors.
//!
//! Each index is a compact CSR (sorted keys, offsets, targets) plus a small
//! overlay map for the ids touched since the CSR was last built. The overlay
//! is folded into a new CSR once it holds more than half as many targets as
//! the CSR, so building costs O(1) amortised per edge while queries stay a
//! hash probe and a binary search, and return one contiguous slice.
//! Adjacency lists are sorted and deduplicated: the answer does not depend on
//! the order records arrived in, and an edge repeated by several records (a
//! task id re-used by a later round) is one edge.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::record::{FanoutRecord, TaskId};

/// Below this many overlay targets the CSR is never rebuilt.
const SEAL_MIN: usize = 4096;

/// The fanout records, flattened, in ingest order.
#[derive(Debug, Clone, Default)]
pub(crate) struct FanoutLog {
    seq: Vec<u64>,
    round: Vec<u32>,
    task: Vec<TaskId>,
    /// `offsets[i]..offsets[i + 1]` are record `i`'s successors in `succ`.
    offsets: Vec<usize>,
    succ: Vec<TaskId>,
}

impl FanoutLog {
    pub(crate) fn push(&mut self, r: &FanoutRecord, seq: u64) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.seq.push(seq);
        self.round.push(r.round);
        self.task.push(r.task_id);
        self.succ.extend_from_slice(&r.successors);
        self.offsets.push(self.succ.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.seq.len()
    }

    fn successors(&self, i: usize) -> &[TaskId] {
        &self.succ[self.offsets[i]..self.offsets[i + 1]]
    }

    pub(crate) fn record(&self, i: usize) -> FanoutRecord {
        FanoutRecord {
            round: self.round[i],
            task_id: self.task[i],
            successors: self.successors(i).to_vec(),
        }
    }

    pub(crate) fn seq(&self, i: usize) -> u64 {
        self.seq[i]
    }

    /// Keeps the records for which `keep(round)` holds; returns how many went.
    fn retain_rounds(&mut self, keep: impl Fn(u32) -> bool) -> u64 {
        let old = std::mem::take(self);
        for i in 0..old.len() {
            if keep(old.round[i]) {
                self.seq.push(old.seq[i]);
                self.round.push(old.round[i]);
                self.task.push(old.task[i]);
                if self.offsets.is_empty() {
                    self.offsets.push(0);
                }
                self.succ.extend_from_slice(old.successors(i));
                self.offsets.push(self.succ.len());
            }
        }
        (old.len() - self.len()) as u64
    }

    fn heap_bytes(&self) -> usize {
        self.seq.capacity() * 8
            + self.round.capacity() * 4
            + self.task.capacity() * 8
            + self.offsets.capacity() * size_of::<usize>()
            + self.succ.capacity() * 8
    }
}

/// One direction of the edge set: id → sorted, distinct neighbour ids.
#[derive(Debug, Clone)]
pub(crate) struct Adjacency {
    keys: Vec<TaskId>,
    offsets: Vec<usize>,
    targets: Vec<TaskId>,
    /// Full lists (CSR list merged with new edges) of ids touched since the
    /// last build; they shadow the CSR.
    recent: HashMap<TaskId, Vec<TaskId>>,
    recent_len: usize,
    edges: usize,
    seal_min: usize,
}

impl Default for Adjacency {
    fn default() -> Adjacency {
        Adjacency::with_seal_min(SEAL_MIN)
    }
}

fn csr_get<'a>(
    keys: &[TaskId],
    offsets: &[usize],
    targets: &'a [TaskId],
    k: TaskId,
) -> &'a [TaskId] {
    match keys.binary_search(&k) {
        Ok(i) => &targets[offsets[i]..offsets[i + 1]],
        Err(_) => &[],
    }
}

impl Adjacency {
    pub(crate) fn with_seal_min(seal_min: usize) -> Adjacency {
        Adjacency {
            keys: Vec::new(),
            offsets: vec![0],
            targets: Vec::new(),
            recent: HashMap::new(),
            recent_len: 0,
            edges: 0,
            seal_min,
        }
    }

    pub(crate) fn get(&self, k: TaskId) -> &[TaskId] {
        match self.recent.get(&k) {
            Some(v) => v,
            None => csr_get(&self.keys, &self.offsets, &self.targets, k),
        }
    }

    /// Adds `k → t`; returns true when the edge is new.
    pub(crate) fn add(&mut self, k: TaskId, t: TaskId) -> bool {
        let list = match self.recent.entry(k) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let old = csr_get(&self.keys, &self.offsets, &self.targets, k).to_vec();
                self.recent_len += old.len();
                v.insert(old)
            }
        };
        match list.binary_search(&t) {
            Ok(_) => false,
            Err(i) => {
                list.insert(i, t);
                self.recent_len += 1;
                self.edges += 1;
                true
            }
        }
    }

    /// Folds the overlay into the CSR when it has grown large enough.
    pub(crate) fn maybe_seal(&mut self) {
        if self.recent_len > self.seal_min.max(self.targets.len() / 2) {
            self.seal();
        }
    }

    /// Rebuilds the CSR from itself and the overlay.
    pub(crate) fn seal(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let recent = std::mem::take(&mut self.recent);
        let mut new_keys: Vec<TaskId> = recent.keys().copied().collect();
        new_keys.sort_unstable();
        let total = self.targets.len() + self.recent_len;
        let mut keys = Vec::with_capacity(self.keys.len() + new_keys.len());
        let mut offsets = Vec::with_capacity(keys.capacity() + 1);
        let mut targets = Vec::with_capacity(total);
        offsets.push(0);
        let (mut i, mut j) = (0, 0);
        // Merge the two sorted key lists; an overlay list replaces the CSR's.
        while i < self.keys.len() || j < new_keys.len() {
            let old = self.keys.get(i).copied();
            let new = new_keys.get(j).copied();
            let (k, list): (TaskId, &[TaskId]) = match (old, new) {
                (Some(a), Some(b)) if a < b => {
                    i += 1;
                    (a, &self.targets[self.offsets[i - 1]..self.offsets[i]])
                }
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                    (b, recent.get(&b).map_or(&[][..], Vec::as_slice))
                }
                (_, Some(b)) => {
                    j += 1;
                    (b, recent.get(&b).map_or(&[][..], Vec::as_slice))
                }
                (Some(a), None) => {
                    i += 1;
                    (a, &self.targets[self.offsets[i - 1]..self.offsets[i]])
                }
                (None, None) => break,
            };
            if !list.is_empty() {
                keys.push(k);
                targets.extend_from_slice(list);
                offsets.push(targets.len());
            }
        }
        self.keys = keys;
        self.offsets = offsets;
        self.targets = targets;
        self.recent_len = 0;
    }

    pub(crate) fn clear(&mut self) {
        *self = Adjacency::with_seal_min(self.seal_min);
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.edges
    }

    fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.offsets.capacity() * size_of::<usize>()
            + self.targets.capacity() * 8
            + self.recent.capacity() * (8 + size_of::<Vec<TaskId>>())
            + self.recent_len * 8
    }
}

/// The fanout records and both directions of the edge set they describe.
#[derive(Debug, Clone, Default)]
pub(crate) struct Edges {
    pub log: FanoutLog,
    fwd: Adjacency,
    rev: Adjacency,
}

impl Edges {
    pub(crate) fn add(&mut self, r: &FanoutRecord, seq: u64) {
        self.log.push(r, seq);
        self.link(r.task_id, &r.successors);
    }

    fn link(&mut self, pred: TaskId, succs: &[TaskId]) {
        for &s in succs {
            if self.fwd.add(pred, s) {
                self.rev.add(s, pred);
            }
        }
    }

    /// End of an ingest batch: maybe rebuild the CSRs.
    pub(crate) fn finish_batch(&mut self) {
        self.fwd.maybe_seal();
        self.rev.maybe_seal();
    }

    pub(crate) fn successors(&self, id: TaskId) -> &[TaskId] {
        self.fwd.get(id)
    }

    pub(crate) fn predecessors(&self, id: TaskId) -> &[TaskId] {
        self.rev.get(id)
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.fwd.edge_count()
    }

    /// Drops the records whose round fails `keep` and rebuilds both indexes
    /// from what is left (an edge survives while any record still names it).
    pub(crate) fn retain_rounds(&mut self, keep: impl Fn(u32) -> bool) -> u64 {
        let gone = self.log.retain_rounds(keep);
        if gone > 0 {
            self.fwd.clear();
            self.rev.clear();
            for i in 0..self.log.len() {
                let (pred, succ) = (
                    self.log.task[i],
                    self.log.offsets[i]..self.log.offsets[i + 1],
                );
                for k in succ {
                    let s = self.log.succ[k];
                    if self.fwd.add(pred, s) {
                        self.rev.add(s, pred);
                    }
                }
            }
            self.fwd.seal();
            self.rev.seal();
        }
        gone
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.log.heap_bytes() + self.fwd.heap_bytes() + self.rev.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;

    fn t(n: u32) -> TaskId {
        TaskId::new(0, n)
    }

    #[test]
    fn successors_and_predecessors_are_sorted_and_distinct() {
        let mut e = Edges::default();
        e.add(
            &FanoutRecord {
                round: 0,
                task_id: t(1),
                successors: vec![t(5), t(3), t(5)],
            },
            0,
        );
        e.add(
            &FanoutRecord {
                round: 1,
                task_id: t(2),
                successors: vec![t(3)],
            },
            1,
        );
        e.finish_batch();
        assert_eq!(e.successors(t(1)), &[t(3), t(5)]);
        assert_eq!(e.predecessors(t(3)), &[t(1), t(2)]);
        assert_eq!(e.predecessors(t(9)), &[] as &[TaskId]);
        assert_eq!(e.edge_count(), 3);
        // The log keeps the record exactly, duplicates and order included.
        assert_eq!(e.log.record(0).successors, vec![t(5), t(3), t(5)]);

        assert_eq!(e.retain_rounds(|r| r >= 1), 1);
        assert_eq!(e.successors(t(1)), &[] as &[TaskId]);
        assert_eq!(e.predecessors(t(3)), &[t(2)]);
        assert_eq!(e.edge_count(), 1);
    }

    #[test]
    fn sealing_moves_the_overlay_into_the_csr() {
        let mut a = Adjacency::with_seal_min(2);
        a.add(t(1), t(2));
        a.add(t(1), t(3));
        a.add(t(4), t(1));
        a.maybe_seal();
        assert!(a.recent.is_empty());
        assert_eq!(a.keys, vec![t(1), t(4)]);
        assert_eq!(a.offsets, vec![0, 2, 3]);
        a.add(t(1), t(0));
        assert_eq!(a.get(t(1)), &[t(0), t(2), t(3)]);
        a.seal();
        assert_eq!(a.get(t(1)), &[t(0), t(2), t(3)]);
        assert_eq!(a.get(t(4)), &[t(1)]);
        assert_eq!(a.edge_count(), 4);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// With a tiny seal threshold every path (overlay, CSR, merge) runs.
        #[test]
        fn adjacency_equals_a_map_model(
            batches in prop::collection::vec(
                prop::collection::vec((0u32..20, 0u32..20), 0..12), 1..8),
            seal_min in 0usize..6,
        ) {
            let mut a = Adjacency::with_seal_min(seal_min);
            let mut model: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for batch in batches {
                for (k, v) in batch {
                    let fresh = model.entry(k).or_default().insert(v);
                    prop_assert_eq!(a.add(t(k), t(v)), fresh);
                }
                a.maybe_seal();
                for k in 0..20 {
                    let want: Vec<TaskId> = model.get(&k)
                        .map(|s| s.iter().map(|&v| t(v)).collect())
                        .unwrap_or_default();
                    prop_assert_eq!(a.get(t(k)), want.as_slice());
                }
                prop_assert_eq!(a.edge_count(), model.values().map(BTreeSet::len).sum::<usize>());
            }
        }
    }
}
