//! Fanout edges: the fanout records themselves (in ingest order, for export
//! and eviction) and two adjacency indexes, successors and predecessors.
//!
//! Each index is a compact CSR (sorted keys, offsets, targets) plus a small
//! overlay for the ids touched since the CSR was last built: a map from id
//! to a span of one shared arena, so touching an id allocates nothing. The
//! overlay is folded into a new CSR once it is more than half the CSR's
//! size, so building costs O(1) amortised per edge while a query stays a
//! hash probe plus a binary search and returns one contiguous slice.
//! Adjacency lists are sorted and deduplicated: the answer does not depend on
//! the order records arrived in, and an edge repeated by several records (a
//! task id re-used by a later round) is one edge. Each edge carries how many
//! fanout entries name it, so evicting a round takes an edge away only with
//! its last mention, without rebuilding the index.

use super::hash::IdMap;
use crate::record::{FanoutRecord, TaskId};

/// Below this many overlay slots the CSR is never rebuilt.
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
        self.push_parts(seq, r.round, r.task_id, &r.successors);
    }

    fn push_parts(&mut self, seq: u64, round: u32, task: TaskId, succ: &[TaskId]) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.seq.push(seq);
        self.round.push(round);
        self.task.push(task);
        self.succ.extend_from_slice(succ);
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

    /// Drops the records of rounds before `round`: a prefix drain when they
    /// lead the log (rounds arrive in order), else one linear pass.
    fn evict_before(&mut self, round: u32) {
        let prefix = self.round.iter().take_while(|&&r| r < round).count();
        if self.round[prefix..].iter().all(|&r| r >= round) {
            let cut = self.offsets.get(prefix).copied().unwrap_or(0);
            self.seq.drain(..prefix);
            self.round.drain(..prefix);
            self.task.drain(..prefix);
            self.succ.drain(..cut);
            if !self.offsets.is_empty() {
                self.offsets.drain(..prefix);
                for o in &mut self.offsets {
                    *o -= cut;
                }
            }
            return;
        }
        let old = std::mem::take(self);
        for i in (0..old.len()).filter(|&i| old.round[i] >= round) {
            self.push_parts(old.seq[i], old.round[i], old.task[i], old.successors(i));
        }
    }

    fn heap_bytes(&self) -> usize {
        self.seq.capacity() * 8
            + self.round.capacity() * 4
            + self.task.capacity() * 8
            + self.offsets.capacity() * size_of::<usize>()
            + self.succ.capacity() * 8
    }
}

/// Where an overlay list lives in the arena.
#[derive(Debug, Clone, Copy)]
struct Span {
    off: usize,
    len: usize,
    cap: usize,
}

/// One direction of the edge set: id → sorted, distinct neighbour ids, each
/// with the number of fanout entries that name it (so eviction can take an
/// edge away only when its last record goes).
#[derive(Debug, Clone)]
pub(crate) struct Adjacency {
    keys: Vec<TaskId>,
    offsets: Vec<usize>,
    targets: Vec<TaskId>,
    counts: Vec<u32>,
    /// Ids changed since the last build → slot in `spans`: their whole list
    /// lives in `arena` (one shared vector, so touching an id allocates
    /// nothing). They shadow the CSR.
    recent: IdMap<TaskId, u32>,
    spans: Vec<Span>,
    arena: Vec<TaskId>,
    arena_counts: Vec<u32>,
    /// CSR edges whose count fell to 0 (compacted by the next seal).
    zeros: usize,
    edges: usize,
    seal_min: usize,
}

impl Default for Adjacency {
    fn default() -> Adjacency {
        Adjacency::with_seal_min(SEAL_MIN)
    }
}

impl Adjacency {
    pub(crate) fn with_seal_min(seal_min: usize) -> Adjacency {
        Adjacency {
            keys: Vec::new(),
            offsets: vec![0],
            targets: Vec::new(),
            counts: Vec::new(),
            recent: IdMap::default(),
            spans: Vec::new(),
            arena: Vec::new(),
            arena_counts: Vec::new(),
            zeros: 0,
            edges: 0,
            seal_min,
        }
    }

    fn csr_range(&self, k: TaskId) -> std::ops::Range<usize> {
        match self.keys.binary_search(&k) {
            Ok(i) => self.offsets[i]..self.offsets[i + 1],
            Err(_) => 0..0,
        }
    }

    pub(crate) fn get(&self, k: TaskId) -> &[TaskId] {
        match self.recent.get(&k) {
            Some(&slot) => {
                let sp = self.spans[slot as usize];
                &self.arena[sp.off..sp.off + sp.len]
            }
            None => &self.targets[self.csr_range(k)],
        }
    }

    /// The overlay slot of `k`, copying its CSR list into the arena first.
    fn slot_of(&mut self, k: TaskId) -> usize {
        let next = self.spans.len() as u32;
        let slot = *self.recent.entry(k).or_insert(next);
        if slot == next {
            let r = self.csr_range(k);
            let off = self.arena.len();
            // Edges removed from the CSR (count 0) stay behind.
            for i in r.filter(|&i| self.counts[i] > 0) {
                self.arena.push(self.targets[i]);
                self.arena_counts.push(self.counts[i]);
            }
            let len = self.arena.len() - off;
            let sp = Span {
                off,
                len,
                cap: len.max(2),
            };
            self.arena.resize(sp.off + sp.cap, TaskId::default());
            self.arena_counts.resize(sp.off + sp.cap, 0);
            self.spans.push(sp);
        }
        slot as usize
    }

    /// Adds one mention of `k → t`; true when the edge is new.
    pub(crate) fn add(&mut self, k: TaskId, t: TaskId) -> bool {
        let slot = self.slot_of(k);
        let mut sp = self.spans[slot];
        let list = &self.arena[sp.off..sp.off + sp.len];
        let at = match list.binary_search(&t) {
            Ok(i) => {
                self.arena_counts[sp.off + i] += 1;
                return false;
            }
            Err(i) => i,
        };
        if sp.len == sp.cap {
            // Full: move the list to the end of the arena with twice the room.
            let off = self.arena.len();
            let cap = sp.cap * 2;
            self.arena.extend_from_within(sp.off..sp.off + sp.len);
            self.arena_counts
                .extend_from_within(sp.off..sp.off + sp.len);
            self.arena.resize(off + cap, TaskId::default());
            self.arena_counts.resize(off + cap, 0);
            sp = Span {
                off,
                len: sp.len,
                cap,
            };
        }
        let end = sp.off + sp.len;
        self.arena.copy_within(sp.off + at..end, sp.off + at + 1);
        self.arena_counts
            .copy_within(sp.off + at..end, sp.off + at + 1);
        self.arena[sp.off + at] = t;
        self.arena_counts[sp.off + at] = 1;
        sp.len += 1;
        self.spans[slot] = sp;
        self.edges += 1;
        true
    }

    /// Takes one mention of `k → t` away; true when the edge is gone. A CSR
    /// edge is only marked (count 0) and must be compacted by
    /// [`Adjacency::seal`] before the next query.
    pub(crate) fn remove(&mut self, k: TaskId, t: TaskId) -> bool {
        if let Some(&slot) = self.recent.get(&k) {
            let mut sp = self.spans[slot as usize];
            let Ok(i) = self.arena[sp.off..sp.off + sp.len].binary_search(&t) else {
                return false;
            };
            let c = &mut self.arena_counts[sp.off + i];
            *c -= 1;
            if *c > 0 {
                return false;
            }
            let end = sp.off + sp.len;
            self.arena.copy_within(sp.off + i + 1..end, sp.off + i);
            self.arena_counts
                .copy_within(sp.off + i + 1..end, sp.off + i);
            sp.len -= 1;
            self.spans[slot as usize] = sp;
        } else {
            let r = self.csr_range(k);
            let Ok(i) = self.targets[r.clone()].binary_search(&t) else {
                return false;
            };
            let c = &mut self.counts[r.start + i];
            if *c == 0 {
                return false;
            }
            *c -= 1;
            if *c > 0 {
                return false;
            }
            self.zeros += 1;
        }
        self.edges -= 1;
        true
    }

    /// Folds the overlay into the CSR when it has grown large enough.
    pub(crate) fn maybe_seal(&mut self) {
        if self.arena.len() > self.seal_min.max(self.targets.len() / 2) {
            self.seal();
        }
    }

    /// Rebuilds the CSR from itself and the overlay: a linear merge plus
    /// sorting the overlay's keys.
    pub(crate) fn seal(&mut self) {
        if self.recent.is_empty() && self.zeros == 0 {
            return;
        }
        let recent = std::mem::take(&mut self.recent);
        let spans = std::mem::take(&mut self.spans);
        let mut new_keys: Vec<(TaskId, Span)> = recent
            .into_iter()
            .map(|(k, slot)| (k, spans[slot as usize]))
            .collect();
        new_keys.sort_unstable_by_key(|(k, _)| *k);
        let total = self.targets.len() + new_keys.iter().map(|(_, sp)| sp.len).sum::<usize>();
        let mut keys = Vec::with_capacity(self.keys.len() + new_keys.len());
        let mut offsets = Vec::with_capacity(keys.capacity() + 1);
        let mut targets = Vec::with_capacity(total);
        let mut counts = Vec::with_capacity(total);
        offsets.push(0);
        let (mut i, mut j) = (0, 0);
        // Merge the two sorted key lists; an overlay list replaces the CSR's.
        loop {
            let old = self.keys.get(i).copied();
            let new = new_keys.get(j).copied();
            let (k, range, from_arena) = match (old, new) {
                (None, None) => break,
                (Some(a), Some((b, sp))) if b <= a => {
                    i += usize::from(a == b);
                    j += 1;
                    (b, sp.off..sp.off + sp.len, true)
                }
                (Some(a), _) => {
                    i += 1;
                    (a, self.offsets[i - 1]..self.offsets[i], false)
                }
                (None, Some((b, sp))) => {
                    j += 1;
                    (b, sp.off..sp.off + sp.len, true)
                }
            };
            let before = targets.len();
            if from_arena {
                targets.extend_from_slice(&self.arena[range.clone()]);
                counts.extend_from_slice(&self.arena_counts[range]);
            } else if self.zeros == 0 {
                targets.extend_from_slice(&self.targets[range.clone()]);
                counts.extend_from_slice(&self.counts[range]);
            } else {
                for i in range.filter(|&i| self.counts[i] > 0) {
                    targets.push(self.targets[i]);
                    counts.push(self.counts[i]);
                }
            }
            if targets.len() > before {
                keys.push(k);
                offsets.push(targets.len());
            }
        }
        self.keys = keys;
        self.offsets = offsets;
        self.targets = targets;
        self.counts = counts;
        self.zeros = 0;
        self.arena = Vec::new();
        self.arena_counts = Vec::new();
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.edges
    }

    fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.offsets.capacity() * size_of::<usize>()
            + self.targets.capacity() * 8
            + self.counts.capacity() * 4
            + self.recent.capacity() * (8 + 4 + 1)
            + self.spans.capacity() * size_of::<Span>()
            + self.arena.capacity() * 8
            + self.arena_counts.capacity() * 4
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
        for &s in &r.successors {
            // The reverse index holds each distinct edge once.
            if self.fwd.add(r.task_id, s) {
                self.rev.add(s, r.task_id);
            }
        }
    }

    /// One true dependency from dep_gen (a submit's incoming edge). It joins
    /// the same index as fanout, so arrows and `[`/`]` work for captures that
    /// carry deps.json instead of fanout; mentions are counted, so the edge
    /// stays while either source still names it.
    pub(crate) fn add_dependency(&mut self, pred: TaskId, succ: TaskId) {
        if self.fwd.add(pred, succ) {
            self.rev.add(succ, pred);
        }
    }

    /// Takes back one mention made by [`Edges::add_dependency`].
    pub(crate) fn remove_dependency(&mut self, pred: TaskId, succ: TaskId) {
        if self.fwd.remove(pred, succ) {
            self.rev.remove(succ, pred);
        }
    }

    /// After removing dependencies outside an ingest batch.
    pub(crate) fn reseal(&mut self) {
        self.fwd.seal();
        self.rev.seal();
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

    /// Drops the records of rounds before `round`, taking their mentions out
    /// of both indexes (an edge survives while any record still names it);
    /// O(live records + removed mentions × log degree), no hashing of the
    /// edges that stay.
    pub(crate) fn evict_before(&mut self, round: u32) -> u64 {
        let log = &self.log;
        let total = log.round.iter().filter(|&&r| r < round).count();
        if total == 0 {
            return 0;
        }
        for i in (0..log.len()).filter(|&i| log.round[i] < round) {
            let pred = log.task[i];
            for &s in log.successors(i) {
                if self.fwd.remove(pred, s) {
                    self.rev.remove(s, pred);
                }
            }
        }
        self.log.evict_before(round);
        self.fwd.seal();
        self.rev.seal();
        total as u64
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.log.heap_bytes() + self.fwd.heap_bytes() + self.rev.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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

        assert_eq!(e.evict_before(1), 1);
        assert_eq!(e.log.len(), 1);
        assert_eq!(e.log.record(0).task_id, t(2));
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
        /// With a tiny seal threshold every path (overlay, CSR, merge,
        /// relocation, removal) runs.
        #[test]
        fn adjacency_equals_a_counting_model(
            batches in prop::collection::vec(
                prop::collection::vec((any::<bool>(), 0u32..20, 0u32..20), 0..12), 1..8),
            seal_min in 0usize..6,
        ) {
            let mut a = Adjacency::with_seal_min(seal_min);
            let mut model: BTreeMap<(u32, u32), u32> = BTreeMap::new();
            for batch in batches {
                let mut removed = false;
                for (add, k, v) in batch {
                    if add {
                        let c = model.entry((k, v)).or_insert(0);
                        *c += 1;
                        prop_assert_eq!(a.add(t(k), t(v)), *c == 1);
                    } else {
                        let gone = match model.get_mut(&(k, v)) {
                            Some(c) => { *c -= 1; *c == 0 }
                            None => false,
                        };
                        if gone {
                            model.remove(&(k, v));
                        }
                        prop_assert_eq!(a.remove(t(k), t(v)), gone);
                        removed = true;
                    }
                }
                // Removals from the CSR are only marked: seal before reading.
                if removed {
                    a.seal();
                } else {
                    a.maybe_seal();
                }
                for k in 0..20 {
                    let want: Vec<TaskId> = model
                        .keys()
                        .filter(|(kk, _)| *kk == k)
                        .map(|&(_, v)| t(v))
                        .collect();
                    prop_assert_eq!(a.get(t(k)), want.as_slice());
                }
                prop_assert_eq!(a.edge_count(), model.len());
            }
            a.seal();
            prop_assert!(a.recent.is_empty());
            prop_assert_eq!(a.targets.len(), model.len());
        }
    }
}
