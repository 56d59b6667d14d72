//! AICPU thread lanes: scheduler and orchestrator phases.
//!
//! Each lane keeps three layers, one per [`PhaseRole`]: outer phases (which
//! never overlap on one thread, so their prefix sums give busy time), inner
//! phases such as `resolve` (time-contained in an outer one) and zero-width
//! markers. Keeping the layers apart is what stops an inner phase from being
//! counted twice in the outer busy time.

use super::bykey::ByKey;
use super::intervals::Intervals;
use super::merge::{SortedRows, insert_rows};
use crate::record::{Ns, PhaseRole, TaskId};

/// The record-specific part of a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhaseDetail {
    Sched {
        loop_iter: u32,
        tasks_processed: u32,
        pops: Option<(u32, u32)>,
        shared_at_start: Option<[i16; 3]>,
        shared_at_end: Option<[i16; 3]>,
        task_id: Option<TaskId>,
    },
    Orch {
        submit_idx: u32,
        task_id: Option<TaskId>,
    },
}

/// One phase record as a lane holds it. The thread is the lane's; the name is
/// interned (see [`super::TraceStore::phase_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseSpan {
    pub start_ns: Ns,
    pub end_ns: Ns,
    pub name: u32,
    pub role: PhaseRole,
    pub round: u32,
    /// Ingest sequence number (global across record kinds).
    pub seq: u64,
    pub detail: PhaseDetail,
}

impl PhaseSpan {
    pub fn duration_ns(&self) -> Ns {
        self.end_ns.saturating_sub(self.start_ns)
    }

    pub fn task_id(&self) -> Option<TaskId> {
        match &self.detail {
            PhaseDetail::Sched { task_id, .. } | PhaseDetail::Orch { task_id, .. } => *task_id,
        }
    }
}

type SpanKey = (Ns, Ns, u32, u32, PhaseDetail, u64);

/// The spans of one role on one thread, sorted by start.
#[derive(Debug, Clone, Default)]
pub(crate) struct PhaseLayer {
    pub spans: Vec<PhaseSpan>,
    pub iv: Intervals,
    /// Per name: the dominant phase of a cell, per-phase totals.
    pub by_name: ByKey<u32>,
    pending: Vec<PhaseSpan>,
}

impl SortedRows for PhaseLayer {
    type Row = PhaseSpan;
    type Key = SpanKey;

    fn len(&self) -> usize {
        self.spans.len()
    }
    fn key_of(s: &PhaseSpan) -> SpanKey {
        (s.start_ns, s.end_ns, s.name, s.round, s.detail, s.seq)
    }
    fn key_at(&self, i: usize) -> SpanKey {
        Self::key_of(&self.spans[i])
    }
    fn row_at(&self, i: usize) -> PhaseSpan {
        self.spans[i].clone()
    }
    fn truncate(&mut self, len: usize) {
        self.spans.truncate(len);
        self.iv.truncate(len);
        self.by_name.truncate(len);
    }
    fn push(&mut self, s: PhaseSpan) {
        self.iv.push(s.start_ns, s.end_ns);
        self.spans.push(s);
    }
}

impl PhaseLayer {
    pub(crate) fn queue(&mut self, span: PhaseSpan) {
        self.pending.push(span);
    }

    pub(crate) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let new = std::mem::take(&mut self.pending);
        let added: Vec<(u32, Ns, Ns)> =
            new.iter().map(|s| (s.name, s.start_ns, s.end_ns)).collect();
        insert_rows(self, new);
        self.iv.seal();
        let spans = &self.spans;
        self.by_name
            .merged(&self.iv, |i| spans[i].name, added.into_iter());
    }

    /// Spans overlapping `[t0, t1)`, in start order.
    pub(crate) fn overlapping(&self, t0: Ns, t1: Ns) -> impl Iterator<Item = &PhaseSpan> + '_ {
        self.iv
            .candidates(t0, t1)
            .map(move |i| &self.spans[i])
            .filter(move |s| super::intervals::overlaps(s.start_ns, s.end_ns, t0, t1))
    }

    /// Drops the spans of rounds before `round`: a prefix drain when they
    /// lead the layer (the usual case), else one linear pass.
    pub(crate) fn evict_before(&mut self, round: u32) -> u64 {
        let total = self.spans.iter().filter(|s| s.round < round).count();
        if total == 0 {
            return 0;
        }
        let prefix = self.spans.iter().take_while(|s| s.round < round).count();
        if prefix == total {
            let mut per_name: Vec<(u32, usize)> = Vec::new();
            for s in self.spans.drain(..prefix) {
                match per_name.iter_mut().find(|(k, _)| *k == s.name) {
                    Some((_, n)) => *n += 1,
                    None => per_name.push((s.name, 1)),
                }
            }
            self.iv.drain_front(prefix);
            self.iv.seal();
            let spans = &self.spans;
            self.by_name
                .drained(&self.iv, |i| spans[i].name, prefix, &per_name);
        } else {
            let old = std::mem::take(self);
            for s in old.spans.iter().filter(|s| s.round >= round) {
                SortedRows::push(self, s.clone());
            }
            self.iv.seal();
            let spans = &self.spans;
            self.by_name.rebuilt(&self.iv, |i| spans[i].name);
        }
        total as u64
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.iv.heap_bytes()
            + self.by_name.heap_bytes()
            + (self.spans.capacity() + self.pending.capacity()) * size_of::<PhaseSpan>()
    }
}

/// One AICPU thread: its three layers.
#[derive(Debug, Clone, Default)]
pub(crate) struct PhaseLane {
    pub outer: PhaseLayer,
    pub inner: PhaseLayer,
    pub marker: PhaseLayer,
}

impl PhaseLane {
    pub(crate) fn layer(&self, role: PhaseRole) -> &PhaseLayer {
        match role {
            PhaseRole::Outer => &self.outer,
            PhaseRole::Inner => &self.inner,
            PhaseRole::Marker => &self.marker,
        }
    }

    pub(crate) fn layer_mut(&mut self, role: PhaseRole) -> &mut PhaseLayer {
        match role {
            PhaseRole::Outer => &mut self.outer,
            PhaseRole::Inner => &mut self.inner,
            PhaseRole::Marker => &mut self.marker,
        }
    }

    pub(crate) fn layers(&self) -> [&PhaseLayer; 3] {
        [&self.outer, &self.inner, &self.marker]
    }

    pub(crate) fn flush(&mut self) {
        self.outer.flush();
        self.inner.flush();
        self.marker.flush();
    }

    pub(crate) fn len(&self) -> usize {
        self.layers().iter().map(|l| l.spans.len()).sum()
    }

    pub(crate) fn evict_before(&mut self, round: u32) -> u64 {
        self.outer.evict_before(round)
            + self.inner.evict_before(round)
            + self.marker.evict_before(round)
    }

    /// Earliest start and latest end over all layers, from the interval
    /// columns (a layer's first start; its last end, or a scan of the end
    /// column when ends are out of order).
    pub(crate) fn bounds(&self) -> Option<(Ns, Ns)> {
        let mut out: Option<(Ns, Ns)> = None;
        for iv in self.layers().map(|l| &l.iv) {
            let Some(hi) = iv.max_end() else { continue };
            let lo = iv.start(0);
            out = Some(match out {
                None => (lo, hi),
                Some((a, b)) => (a.min(lo), b.max(hi)),
            });
        }
        out
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.layers().iter().map(|l| l.heap_bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: Ns, end: Ns, name: u32, role: PhaseRole) -> PhaseSpan {
        PhaseSpan {
            start_ns: start,
            end_ns: end,
            name,
            role,
            round: 0,
            seq: start,
            detail: PhaseDetail::Orch {
                submit_idx: 0,
                task_id: None,
            },
        }
    }

    #[test]
    fn inner_phases_do_not_touch_outer_busy_time() {
        let mut lane = PhaseLane::default();
        lane.layer_mut(PhaseRole::Outer)
            .queue(span(0, 100, 0, PhaseRole::Outer));
        lane.layer_mut(PhaseRole::Inner)
            .queue(span(10, 20, 5, PhaseRole::Inner));
        lane.layer_mut(PhaseRole::Marker)
            .queue(span(50, 50, 13, PhaseRole::Marker));
        lane.flush();
        assert_eq!(lane.outer.iv.busy(0, 100), 100);
        assert_eq!(lane.inner.iv.busy(0, 100), 10);
        assert_eq!(lane.marker.iv.count(50, 51), 1);
        assert_eq!(lane.bounds(), Some((0, 100)));
        let got: Vec<Ns> = lane
            .outer
            .overlapping(99, 200)
            .map(|s| s.start_ns)
            .collect();
        assert_eq!(got, vec![0]);
    }
}
