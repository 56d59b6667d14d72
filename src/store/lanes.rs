//! One AICore lane: the task rows of a core as columns (struct of arrays),
//! sorted by start, with the interval index the window query runs on.

use super::bykey::ByKey;
use super::intervals::Intervals;
use super::merge::{SortedRows, insert_rows};
use crate::record::{CoreType, Ns, TaskId, TaskRecord};

/// Presence bits of the optional columns (absent values are stored as 0).
const HAS_RECEIVE: u8 = 1 << 0;
const HAS_DISPATCH: u8 = 1 << 1;
const HAS_FINISH: u8 = 1 << 2;
/// The row's own core type (kept per row: a corrupt file may disagree with
/// the device info, and the store gives back what it was given).
const IS_AIV: u8 = 1 << 3;

/// One task row in flat form: what travels between a record and the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskRow {
    pub start: Ns,
    pub end: Ns,
    pub dispatch: Ns,
    pub finish: Ns,
    pub receive: Ns,
    pub bits: u8,
    pub task_id: TaskId,
    pub func: i32,
    pub reg: u32,
    pub round: u32,
    pub seq: u64,
}

/// Sort key: content first so that any ingest order yields the same lane;
/// the ingest sequence last only separates exact duplicates.
pub(crate) type TaskKey = (Ns, Ns, u64, i32, u32, u32, u8, Ns, Ns, Ns, u64);

impl TaskRow {
    /// `end < start` (a corrupt row) is stored with `end = start`; the second
    /// value says whether that repair happened.
    pub(crate) fn from_record(r: &TaskRecord, seq: u64) -> (TaskRow, bool) {
        let mut bits = 0;
        if r.receive_ns.is_some() {
            bits |= HAS_RECEIVE;
        }
        if r.dispatch_ns.is_some() {
            bits |= HAS_DISPATCH;
        }
        if r.finish_ns.is_some() {
            bits |= HAS_FINISH;
        }
        if r.core_type == CoreType::Aiv {
            bits |= IS_AIV;
        }
        let row = TaskRow {
            start: r.start_ns,
            end: r.end_ns.max(r.start_ns),
            dispatch: r.dispatch_ns.unwrap_or(0),
            finish: r.finish_ns.unwrap_or(0),
            receive: r.receive_ns.unwrap_or(0),
            bits,
            task_id: r.task_id,
            func: r.func_id,
            reg: r.reg_task_id,
            round: r.round,
            seq,
        };
        (row, r.end_ns < r.start_ns)
    }

    pub(crate) fn to_record(self, core_id: u32) -> TaskRecord {
        let opt = |bit: u8, v: Ns| (self.bits & bit != 0).then_some(v);
        TaskRecord {
            round: self.round,
            task_id: self.task_id,
            func_id: self.func,
            core_id,
            core_type: if self.bits & IS_AIV != 0 {
                CoreType::Aiv
            } else {
                CoreType::Aic
            },
            reg_task_id: self.reg,
            receive_ns: opt(HAS_RECEIVE, self.receive),
            start_ns: self.start,
            end_ns: self.end,
            dispatch_ns: opt(HAS_DISPATCH, self.dispatch),
            finish_ns: opt(HAS_FINISH, self.finish),
        }
    }

    pub(crate) fn receive(&self) -> Option<Ns> {
        (self.bits & HAS_RECEIVE != 0).then_some(self.receive)
    }
    pub(crate) fn dispatch(&self) -> Option<Ns> {
        (self.bits & HAS_DISPATCH != 0).then_some(self.dispatch)
    }
    pub(crate) fn finish(&self) -> Option<Ns> {
        (self.bits & HAS_FINISH != 0).then_some(self.finish)
    }

    fn key(&self) -> TaskKey {
        (
            self.start,
            self.end,
            self.task_id.0,
            self.func,
            self.reg,
            self.round,
            self.bits,
            self.receive,
            self.dispatch,
            self.finish,
            self.seq,
        )
    }
}

/// The rows of one core, sorted by [`TaskKey`]. Start and end live in `iv`
/// (shared with the window query); the rest are parallel columns.
#[derive(Debug, Clone, Default)]
pub(crate) struct CoreLane {
    pub iv: Intervals,
    dispatch: Vec<Ns>,
    finish: Vec<Ns>,
    receive: Vec<Ns>,
    bits: Vec<u8>,
    task_id: Vec<TaskId>,
    func: Vec<i32>,
    reg: Vec<u32>,
    round: Vec<u32>,
    seq: Vec<u64>,
    /// Per function: the dominant function of a cell, function totals.
    pub by_func: ByKey<i32>,
    pending: Vec<TaskRow>,
}

impl SortedRows for CoreLane {
    type Row = TaskRow;
    type Key = TaskKey;

    fn len(&self) -> usize {
        self.iv.len()
    }
    fn key_of(row: &TaskRow) -> TaskKey {
        row.key()
    }
    fn key_at(&self, i: usize) -> TaskKey {
        self.row(i).key()
    }
    fn row_at(&self, i: usize) -> TaskRow {
        self.row(i)
    }
    fn truncate(&mut self, len: usize) {
        self.iv.truncate(len);
        self.by_func.truncate(len);
        self.dispatch.truncate(len);
        self.finish.truncate(len);
        self.receive.truncate(len);
        self.bits.truncate(len);
        self.task_id.truncate(len);
        self.func.truncate(len);
        self.reg.truncate(len);
        self.round.truncate(len);
        self.seq.truncate(len);
    }
    fn push(&mut self, r: TaskRow) {
        self.iv.push(r.start, r.end);
        self.dispatch.push(r.dispatch);
        self.finish.push(r.finish);
        self.receive.push(r.receive);
        self.bits.push(r.bits);
        self.task_id.push(r.task_id);
        self.func.push(r.func);
        self.reg.push(r.reg);
        self.round.push(r.round);
        self.seq.push(r.seq);
    }
}

impl CoreLane {
    pub(crate) fn len(&self) -> usize {
        self.iv.len()
    }

    pub(crate) fn row(&self, i: usize) -> TaskRow {
        TaskRow {
            start: self.iv.start(i),
            end: self.iv.end(i),
            dispatch: self.dispatch[i],
            finish: self.finish[i],
            receive: self.receive[i],
            bits: self.bits[i],
            task_id: self.task_id[i],
            func: self.func[i],
            reg: self.reg[i],
            round: self.round[i],
            seq: self.seq[i],
        }
    }

    /// What the statistics read of row `i` besides start and end: function,
    /// dispatch and finish.
    pub(crate) fn timing(&self, i: usize) -> (i32, Option<Ns>, Option<Ns>) {
        let b = self.bits[i];
        (
            self.func[i],
            (b & HAS_DISPATCH != 0).then(|| self.dispatch[i]),
            (b & HAS_FINISH != 0).then(|| self.finish[i]),
        )
    }

    pub(crate) fn task_id(&self, i: usize) -> TaskId {
        self.task_id[i]
    }

    pub(crate) fn seq(&self, i: usize) -> u64 {
        self.seq[i]
    }

    /// Queues a row; nothing is visible until [`CoreLane::flush`].
    pub(crate) fn queue(&mut self, row: TaskRow) {
        self.pending.push(row);
    }

    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Room for `n` more rows in every column (a file being loaded knows
    /// its rows per core): no doubling, no slack.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.iv.reserve(n);
        self.dispatch.reserve_exact(n);
        self.finish.reserve_exact(n);
        self.receive.reserve_exact(n);
        self.bits.reserve_exact(n);
        self.task_id.reserve_exact(n);
        self.func.reserve_exact(n);
        self.reg.reserve_exact(n);
        self.round.reserve_exact(n);
        self.seq.reserve_exact(n);
    }

    /// Merges queued rows into the columns and seals the indexes.
    pub(crate) fn flush(&mut self) {
        let new = std::mem::take(&mut self.pending);
        let added: Vec<(i32, Ns, Ns)> = new.iter().map(|r| (r.func, r.start, r.end)).collect();
        insert_rows(self, new);
        self.iv.seal();
        let func = &self.func;
        self.by_func
            .merged(&self.iv, |i| func[i], added.into_iter());
    }

    /// Merges queued rows into the columns only, for a lane being loaded:
    /// its per-function index (as big as a third of the lane) is built once,
    /// by [`CoreLane::seal_loaded`], after the reader's buffers are gone.
    pub(crate) fn merge_pending(&mut self) {
        let new = std::mem::take(&mut self.pending);
        insert_rows(self, new);
    }

    /// Seals a lane filled by [`CoreLane::merge_pending`].
    pub(crate) fn seal_loaded(&mut self) {
        self.merge_pending();
        self.iv.seal();
        self.by_func = ByKey::default();
        let func = &self.func;
        self.by_func.rebuilt(&self.iv, |i| func[i]);
    }

    /// Drops the rows of rounds before `round`, handing each to `dropped`;
    /// returns how many went. Old rounds are normally a prefix of the lane
    /// (rounds run one after another on a core): then every column drops a
    /// prefix, a memmove. Otherwise one linear pass rebuilds the lane — the
    /// kept rows are already in order, and so are each function's.
    pub(crate) fn evict_before(&mut self, round: u32, mut dropped: impl FnMut(&TaskRow)) -> u64 {
        let total = self.round.iter().filter(|&&r| r < round).count();
        if total == 0 {
            return 0;
        }
        let prefix = self.round.iter().take_while(|&&r| r < round).count();
        if prefix == total {
            let mut per_func: Vec<(i32, usize)> = Vec::new();
            for i in 0..prefix {
                let r = self.row(i);
                dropped(&r);
                match per_func.iter_mut().find(|(f, _)| *f == r.func) {
                    Some((_, n)) => *n += 1,
                    None => per_func.push((r.func, 1)),
                }
            }
            self.iv.drain_front(prefix);
            self.dispatch.drain(..prefix);
            self.finish.drain(..prefix);
            self.receive.drain(..prefix);
            self.bits.drain(..prefix);
            self.task_id.drain(..prefix);
            self.func.drain(..prefix);
            self.reg.drain(..prefix);
            self.round.drain(..prefix);
            self.seq.drain(..prefix);
            self.iv.seal();
            let func = &self.func;
            self.by_func
                .drained(&self.iv, |i| func[i], prefix, &per_func);
        } else {
            let old = std::mem::take(self);
            for i in 0..old.len() {
                let r = old.row(i);
                if r.round >= round {
                    SortedRows::push(self, r);
                } else {
                    dropped(&r);
                }
            }
            self.iv.seal();
            let func = &self.func;
            self.by_func.rebuilt(&self.iv, |i| func[i]);
        }
        total as u64
    }

    /// Earliest start/dispatch and latest end/finish over the rows (what
    /// `Capture::task_span` says of the same tasks).
    pub(crate) fn task_span(&self) -> Option<(Ns, Ns)> {
        self.span(false)
    }

    /// Earliest receive/start/dispatch and latest end/finish over the rows,
    /// read straight from the columns.
    pub(crate) fn bounds(&self) -> Option<(Ns, Ns)> {
        self.span(true)
    }

    fn span(&self, with_receive: bool) -> Option<(Ns, Ns)> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        // Rows are sorted by start: the first start is the earliest.
        let (mut lo, mut hi) = (self.iv.start(0), 0);
        for i in 0..n {
            let b = self.bits[i];
            if with_receive && b & HAS_RECEIVE != 0 {
                lo = lo.min(self.receive[i]);
            }
            if b & HAS_DISPATCH != 0 {
                lo = lo.min(self.dispatch[i]);
            }
            hi = hi.max(self.iv.end(i));
            if b & HAS_FINISH != 0 {
                hi = hi.max(self.finish[i]);
            }
        }
        Some((lo, hi))
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.iv.heap_bytes()
            + self.by_func.heap_bytes()
            + (self.dispatch.capacity() + self.finish.capacity() + self.receive.capacity())
                * size_of::<Ns>()
            + self.bits.capacity()
            + self.task_id.capacity() * size_of::<TaskId>()
            + (self.func.capacity() + self.reg.capacity() + self.round.capacity())
                * size_of::<u32>()
            + self.seq.capacity() * size_of::<u64>()
            + self.pending.capacity() * size_of::<TaskRow>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(task: u32, func: i32, start: Ns, end: Ns) -> TaskRecord {
        TaskRecord {
            round: 0,
            task_id: TaskId::new(0, task),
            func_id: func,
            core_id: 3,
            core_type: CoreType::Aiv,
            reg_task_id: task,
            receive_ns: None,
            start_ns: start,
            end_ns: end,
            dispatch_ns: Some(start.saturating_sub(5)),
            finish_ns: Some(end + 5),
        }
    }

    #[test]
    fn rows_round_trip_through_the_columns() {
        let r = rec(7, 2, 100, 150);
        let (row, repaired) = TaskRow::from_record(&r, 9);
        assert!(!repaired);
        assert_eq!(row.to_record(3), r);
        let mut lane = CoreLane::default();
        lane.queue(row);
        lane.flush();
        assert_eq!(lane.row(0).to_record(3), r);
    }

    #[test]
    fn out_of_order_batches_end_up_sorted() {
        let mut lane = CoreLane::default();
        for (seq, (s, e)) in [(50, 60), (10, 20), (30, 40)].into_iter().enumerate() {
            lane.queue(TaskRow::from_record(&rec(seq as u32, 0, s, e), seq as u64).0);
        }
        lane.flush();
        lane.queue(TaskRow::from_record(&rec(9, 1, 0, 5), 9).0);
        lane.queue(TaskRow::from_record(&rec(8, 1, 70, 75), 8).0);
        lane.flush();
        assert_eq!(lane.iv.starts(), &[0, 10, 30, 50, 70]);
        assert_eq!(lane.task_id(0), TaskId::new(0, 9));
        let funcs: Vec<i32> = lane
            .by_func
            .per_key(&lane.iv, None)
            .iter()
            .map(|k| k.0)
            .collect();
        assert_eq!(funcs, vec![0, 1]);
    }

    #[test]
    fn eviction_of_interleaved_rounds_takes_the_slow_path() {
        let mut lane = CoreLane::default();
        for i in 0..10u32 {
            let mut r = rec(i, (i % 3) as i32, u64::from(i) * 10, u64::from(i) * 10 + 5);
            r.round = i % 2;
            lane.queue(TaskRow::from_record(&r, u64::from(i)).0);
        }
        lane.flush();
        assert_eq!(lane.evict_before(1, |_| {}), 5);
        assert_eq!(lane.iv.starts(), &[10, 30, 50, 70, 90]);
        let rows: u64 = lane
            .by_func
            .per_key(&lane.iv, None)
            .iter()
            .map(|k| k.2)
            .sum();
        assert_eq!(rows, 5);
        // dispatch = start − 5, finish = end + 5.
        assert_eq!(lane.bounds(), Some((5, 100)));
    }

    #[test]
    fn inverted_rows_are_repaired_and_reported() {
        let (row, repaired) = TaskRow::from_record(&rec(1, 0, 100, 90), 0);
        assert!(repaired);
        assert_eq!(row.end, 100);
    }

    #[test]
    fn eviction_drops_rows_and_rebuilds_the_index() {
        let mut lane = CoreLane::default();
        for i in 0..10u32 {
            let mut r = rec(i, (i % 2) as i32, u64::from(i) * 10, u64::from(i) * 10 + 5);
            r.round = i / 5;
            lane.queue(TaskRow::from_record(&r, u64::from(i)).0);
        }
        lane.flush();
        let mut dropped = Vec::new();
        assert_eq!(lane.evict_before(1, |r| dropped.push(r.task_id)), 5);
        assert_eq!(dropped.len(), 5);
        assert_eq!(lane.evict_before(1, |_| {}), 0);
        assert_eq!(
            lane.by_func
                .per_key(&lane.iv, None)
                .iter()
                .map(|k| k.1)
                .sum::<u64>(),
            25
        );
        assert_eq!(lane.len(), 5);
        assert_eq!(lane.iv.busy(0, 1000), 25);
        assert_eq!(lane.iv.starts()[0], 50);
    }
}
