//! Taking records in: every record gets a sequence number and is queued on
//! its lane; at the end of the batch each touched lane merges its queue once.

use std::collections::{BTreeMap, BTreeSet};

use super::TraceStore;
use super::index::{Loc, Sorted};
use super::lanes::{CoreLane, TaskRow};
use super::phases::{PhaseDetail, PhaseSpan};
use crate::record::{
    MAX_CORES, Ns, OrchPhaseRecord, PhaseRole, Record, RoundSummary, SchedPhaseRecord, TaskRecord,
    TaskSink,
};

/// A lane being loaded merges its queue once this many rows wait: the
/// queue holds 88-byte rows, the columns about half that, and a chip has
/// dozens of lanes.
const LOAD_FLUSH_ROWS: usize = 256;

/// Lanes that received rows in the current batch.
#[derive(Default)]
struct Touched {
    cores: Vec<u32>,
    sched: BTreeSet<u16>,
    orch: BTreeSet<u16>,
}

impl TraceStore {
    /// Takes one batch. Records may come in any order across and within
    /// lanes; cost is O(batch log batch) plus, per lane that received a row
    /// earlier than its last one, the rows after that point.
    pub fn ingest(&mut self, records: Vec<Record>) {
        let mut touched = Touched::default();
        for record in records {
            let seq = self.next_seq;
            self.next_seq += 1;
            self.ingested += 1;
            *self.round_records.entry(record.round()).or_insert(0) += 1;
            match record {
                Record::Task(t) => self.queue_task(&t, seq, &mut touched),
                Record::Fanout(f) => self.edges.add(&f, seq),
                Record::SchedPhase(p) => self.queue_sched(&p, seq, &mut touched),
                Record::OrchPhase(p) => self.queue_orch(&p, seq, &mut touched),
                Record::OrchSummary(s) => self.orch_summaries.push(s),
                Record::Submit(s) => {
                    let n = self.block_num.entry(s.task_id).or_insert(0);
                    *n = (*n).max(s.block_num);
                    for e in &s.edges_in {
                        self.edges.add_dependency(e.pred, e.succ);
                    }
                    self.submits.push(s);
                }
            }
        }
        for core in touched.cores {
            if let Some(lane) = self.cores.get_mut(&core) {
                lane.flush();
            }
        }
        for t in touched.sched {
            if let Some(lane) = self.sched.get_mut(&t) {
                lane.flush();
            }
        }
        for i in touched.orch {
            if let Some(lane) = self.orch.get_mut(&i) {
                lane.flush();
            }
        }
        self.edges.finish_batch();
        self.enforce_retention();
    }

    /// Takes a whole capture's tasks one by one, as a reader joins them (see
    /// [`TaskSink`]): the same rows, sequence numbers and indexes as
    /// [`TraceStore::ingest`] of the same tasks in the same order, without
    /// a record list in between. Call [`TaskLoader::finish`] at the end.
    pub fn into_loader(self) -> TaskLoader {
        TaskLoader {
            first_seq: self.next_seq,
            store: self,
            lanes: Vec::new(),
            far: BTreeMap::new(),
            existed: BTreeSet::new(),
            rounds: Vec::new(),
        }
    }

    /// Records a finished round (replacing an earlier summary of the same
    /// round) and applies the retention limit.
    pub fn round_done(&mut self, summary: &RoundSummary) {
        match self
            .rounds
            .binary_search_by_key(&summary.round, |r| r.round)
        {
            Ok(i) => self.rounds[i] = summary.clone(),
            Err(i) => self.rounds.insert(i, summary.clone()),
        }
        self.enforce_retention();
    }

    pub(super) fn widen_bounds(&mut self, lo: Ns, hi: Ns) {
        self.bounds = Some(match self.bounds {
            None => (lo, hi),
            Some((a, b)) => (a.min(lo), b.max(hi)),
        });
    }

    /// Returns the task's lane queue length. `index`: add it to the task
    /// index now (a loader adds its tasks at the end, in one run).
    fn queue_task(&mut self, t: &TaskRecord, seq: u64, touched: &mut Touched) {
        let row = self.task_row(t, seq);
        self.index.add(
            row.task_id,
            Loc {
                core: t.core_id,
                start: row.start,
            },
        );
        let lane = self.cores.entry(t.core_id).or_default();
        if !lane.has_pending() {
            touched.cores.push(t.core_id);
        }
        lane.queue(row);
    }

    /// A task's row, and what the store counts of it (repairs, bounds,
    /// rows); the caller queues it on its lane.
    fn task_row(&mut self, t: &TaskRecord, seq: u64) -> TaskRow {
        let (row, repaired) = TaskRow::from_record(t, seq);
        if repaired {
            self.repaired += 1;
        }
        let (lo, hi) = task_bounds(&row);
        self.widen_bounds(lo, hi);
        self.task_rows += 1;
        row
    }

    fn queue_sched(&mut self, p: &SchedPhaseRecord, seq: u64, touched: &mut Touched) {
        let role = p.kind.role();
        let span = PhaseSpan {
            start_ns: p.start_ns,
            end_ns: self.repair(p.start_ns, p.end_ns),
            name: self.phase_names.intern(p.kind.name()),
            role,
            round: p.round,
            seq,
            detail: PhaseDetail::Sched {
                loop_iter: p.loop_iter,
                tasks_processed: p.tasks_processed,
                pops: p.pops,
                shared_at_start: p.shared_at_start,
                shared_at_end: p.shared_at_end,
                task_id: p.task_id,
            },
        };
        self.widen_bounds(span.start_ns, span.end_ns);
        let lane = self.sched.entry(p.thread).or_default();
        lane.layer_mut(role).queue(span);
        touched.sched.insert(p.thread);
    }

    fn queue_orch(&mut self, p: &OrchPhaseRecord, seq: u64, touched: &mut Touched) {
        let span = PhaseSpan {
            start_ns: p.start_ns,
            end_ns: self.repair(p.start_ns, p.end_ns),
            name: self.phase_names.intern(p.kind.name()),
            role: PhaseRole::Outer,
            round: p.round,
            seq,
            detail: PhaseDetail::Orch {
                submit_idx: p.submit_idx,
                task_id: p.task_id,
            },
        };
        self.widen_bounds(span.start_ns, span.end_ns);
        let lane = self.orch.entry(p.thread).or_default();
        lane.outer.queue(span);
        touched.orch.insert(p.thread);
    }

    /// A phase ending before it starts is stored as zero-length (and counted).
    fn repair(&mut self, start: Ns, end: Ns) -> Ns {
        if end < start {
            self.repaired += 1;
            start
        } else {
            end
        }
    }
}

/// See [`TraceStore::into_loader`].
pub struct TaskLoader {
    store: TraceStore,
    /// The lanes being loaded, by core id, out of the store's map until
    /// [`TaskLoader::finish`]: a map lookup per task was a tenth of a load.
    lanes: Vec<Option<CoreLane>>,
    /// Lanes of core ids no chip has (past `MAX_CORES`): not worth a slot.
    far: BTreeMap<u32, CoreLane>,
    /// Cores whose lanes were in the store before: put back even if empty
    /// (a lane reserved but never given a task is not).
    existed: BTreeSet<u32>,
    /// Tasks per round, counted here for the same reason (rounds are few).
    rounds: Vec<(u32, u64)>,
    /// Sequence number of the first task loaded.
    first_seq: u64,
}

impl TaskLoader {
    /// The lane of `core`, taken out of the store on first use.
    fn lane(&mut self, core: u32) -> &mut CoreLane {
        let cores = &mut self.store.cores;
        let existed = &mut self.existed;
        let take = || match cores.remove(&core) {
            Some(lane) => {
                existed.insert(core);
                lane
            }
            None => CoreLane::default(),
        };
        if core >= MAX_CORES {
            return self.far.entry(core).or_insert_with(take);
        }
        let i = core as usize;
        if i >= self.lanes.len() {
            self.lanes.resize_with(i + 1, || None);
        }
        self.lanes[i].get_or_insert_with(take)
    }
}

impl TaskSink for TaskLoader {
    fn begin(&mut self, per_core: &[u32]) {
        for (core, &n) in per_core.iter().enumerate() {
            if n > 0 {
                let core = u32::try_from(core).unwrap_or(u32::MAX);
                self.lane(core).reserve(n as usize);
            }
        }
    }

    fn task(&mut self, t: TaskRecord) {
        let s = &mut self.store;
        let seq = s.next_seq;
        s.next_seq += 1;
        s.ingested += 1;
        let row = s.task_row(&t, seq);
        match self.rounds.iter_mut().find(|r| r.0 == t.round) {
            Some(r) => r.1 += 1,
            None => self.rounds.push((t.round, 1)),
        }
        let lane = self.lane(t.core_id);
        lane.queue(row);
        if lane.pending_len() >= LOAD_FLUSH_ROWS {
            lane.merge_pending();
        }
    }
}

impl TaskLoader {
    /// Merges what is still queued, indexes the tasks and applies the
    /// retention limit. The index is built here, once the reader's own
    /// buffers are gone, from the lanes, in arrival (sequence) order.
    pub fn finish(self) -> TraceStore {
        let TaskLoader {
            mut store,
            lanes,
            far,
            existed,
            rounds,
            first_seq,
        } = self;
        let n = usize::try_from(store.next_seq - first_seq).unwrap_or(0);
        let mut run = vec![Sorted::gone(); n];
        let lanes = lanes
            .into_iter()
            .enumerate()
            .filter_map(|(core, lane)| Some((u32::try_from(core).ok()?, lane?)))
            .chain(far);
        for (core, mut lane) in lanes {
            lane.seal_loaded();
            if lane.len() == 0 && !existed.contains(&core) {
                continue;
            }
            for i in 0..lane.len() {
                let Some(slot) = lane
                    .seq(i)
                    .checked_sub(first_seq)
                    .and_then(|k| run.get_mut(usize::try_from(k).ok()?))
                else {
                    continue; // a row from before the loader
                };
                *slot = Sorted {
                    id: lane.task_id(i),
                    core,
                    start: lane.iv.start(i),
                };
            }
            store.cores.insert(core, lane);
        }
        store.index.extend(run);
        for (round, k) in rounds {
            *store.round_records.entry(round).or_insert(0) += k;
        }
        store.enforce_retention();
        store
    }
}

/// Earliest receive/start/dispatch and latest end/finish of a row.
pub(super) fn task_bounds(row: &TaskRow) -> (Ns, Ns) {
    let mut lo = row.start;
    if let Some(r) = row.receive() {
        lo = lo.min(r);
    }
    if let Some(d) = row.dispatch() {
        lo = lo.min(d);
    }
    let hi = row.finish().map_or(row.end, |f| f.max(row.end));
    (lo, hi)
}
