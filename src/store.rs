//! The trace store: the in-memory model the app owns.
//!
//! Everything is integer nanoseconds. Each AICore lane keeps its task rows as
//! sorted columns (struct of arrays) with prefix sums of start and end, and
//! per function either a row-position prefix table (clean lanes) or one such
//! column per function (lanes with overlapping rows); each AICPU thread lane
//! keeps its phases in three layers (outer, inner, marker) built the same
//! way. A window query — busy fraction, item count and dominant function or
//! phase per column — is then a search and a table read per column boundary
//! on a clean lane, O(columns × (log n + keys)), and O(columns × (1 + keys) ×
//! log n) otherwise: binary searches and subtractions, however many tasks
//! fall in a column. Fanout edges live in a compact CSR
//! with a reverse index. In live mode whole rounds are evicted, oldest first,
//! and every evicted record is counted: `ingested == live + evicted`.
//!
//! Records may arrive in any order, within and across batches and lanes; the
//! lanes are sorted by content, so the answers do not depend on arrival order.
//! [`TraceStore::to_capture`] gives every live record back in ingest order.

mod bykey;
mod edges;
mod export;
pub mod hash;
mod index;
mod ingest;
mod intervals;
mod keyprefix;
mod lanes;
mod merge;
pub mod names;
mod phases;
mod query;
mod retention;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use ingest::TaskLoader;
pub use phases::{PhaseDetail, PhaseSpan};
pub use query::CellNs;

use self::edges::Edges;
use self::index::TaskIndex;
use self::intervals::overlaps;
use self::lanes::CoreLane;
use self::names::Interner;
use self::phases::{PhaseLane, PhaseLayer};
use crate::dfx::DfxFlags;
use crate::record::{
    CoreType, DeviceInfo, Ns, OrchSummary, PhaseRole, RoundSummary, SubmitRecord, TaskId,
    TaskRecord,
};

/// A lane of the swimlane view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LaneId {
    /// An AICore, by core id.
    Core(u32),
    /// An AICPU scheduler thread.
    Sched(u16),
    /// An orchestrator lane (TMR has one).
    Orch(u16),
}

/// One column of a window, ready to draw.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cell {
    /// Busy fraction, 0..=1.
    pub busy: f32,
    /// Items overlapping the cell (a zero-length item counts in the cell
    /// that holds it).
    pub items: u32,
    /// Core lanes: the func id (`func_id as u32`) with the most busy time;
    /// phase lanes: the interned phase name ([`TraceStore::phase_name`]).
    /// Ties go to the key with more items, then to the smaller key (as `i32`
    /// for functions). `None` exactly when `items == 0`.
    pub dominant: Option<u32>,
}

impl From<CellNs> for Cell {
    fn from(c: CellNs) -> Cell {
        Cell {
            busy: c.busy_fraction(),
            items: c.items,
            dominant: c.dominant,
        }
    }
}

/// A handle on one task row: cheap to copy, valid until the next `ingest`,
/// eviction or retention change (rows move when an earlier row is inserted).
/// Keep a [`TaskId`] (and core) across frames, not a `TaskRef`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskRef {
    core: u32,
    index: u32,
}

impl TaskRef {
    pub fn core(self) -> u32 {
        self.core
    }
    /// Position in the core's lane (start order).
    pub fn index(self) -> usize {
        self.index as usize
    }
}

pub struct TraceStore {
    info: DeviceInfo,
    flags: DfxFlags,
    runtime_level: Option<u8>,
    cores: BTreeMap<u32, CoreLane>,
    sched: BTreeMap<u16, PhaseLane>,
    orch: BTreeMap<u16, PhaseLane>,
    edges: Edges,
    orch_summaries: Vec<OrchSummary>,
    submits: Vec<SubmitRecord>,
    /// Largest `block_num` a submit record gave each task (SPMD labels).
    block_num: HashMap<TaskId, u32>,
    index: TaskIndex,
    phase_names: Interner,
    /// Round summaries, ascending by round.
    rounds: Vec<RoundSummary>,
    /// Live records per round.
    round_records: BTreeMap<u32, u64>,
    next_seq: u64,
    ingested: u64,
    evicted: u64,
    repaired: u64,
    task_rows: usize,
    bounds: Option<(Ns, Ns)>,
    max_live_records: Option<u64>,
}

/// A summary: a store holds up to millions of rows.
impl std::fmt::Debug for TraceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceStore")
            .field("source", &self.info.source)
            .field("flags", &self.flags)
            .field("tasks", &self.task_rows)
            .field("ingested", &self.ingested)
            .field("evicted", &self.evicted)
            .finish_non_exhaustive()
    }
}

impl TraceStore {
    pub fn new(info: DeviceInfo, flags: DfxFlags) -> TraceStore {
        TraceStore {
            info,
            flags,
            runtime_level: None,
            cores: BTreeMap::new(),
            sched: BTreeMap::new(),
            orch: BTreeMap::new(),
            edges: Edges::default(),
            orch_summaries: Vec::new(),
            submits: Vec::new(),
            block_num: HashMap::new(),
            index: TaskIndex::default(),
            phase_names: Interner::with_known_phases(),
            rounds: Vec::new(),
            round_records: BTreeMap::new(),
            next_seq: 0,
            ingested: 0,
            evicted: 0,
            repaired: 0,
            task_rows: 0,
            bounds: None,
            max_live_records: None,
        }
    }

    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    pub fn flags(&self) -> DfxFlags {
        self.flags
    }

    /// The runtime's own level number when the source said so (kept for export).
    pub fn runtime_level(&self) -> Option<u8> {
        self.runtime_level
    }

    /// Replaces what the store says of the device (a file's description is
    /// complete only once its sibling files are read).
    pub fn set_info(&mut self, info: DeviceInfo, flags: DfxFlags) {
        self.info = info;
        self.flags = flags;
    }

    /// Earliest dispatch-or-start and latest finish-or-end over the live
    /// tasks (as `Capture::task_span`).
    pub fn task_span(&self) -> Option<(Ns, Ns)> {
        self.cores
            .values()
            .filter_map(CoreLane::task_span)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    }

    /// Tasks per function id over every live row.
    pub fn func_rows(&self) -> BTreeMap<i32, u64> {
        let mut out = BTreeMap::new();
        for lane in self.cores.values() {
            for (func, _, rows) in lane.by_func.per_key(&lane.iv, None) {
                *out.entry(func).or_insert(0) += rows;
            }
        }
        out
    }

    pub fn set_runtime_level(&mut self, level: Option<u8>) {
        self.runtime_level = level;
    }

    /// Round summaries of the live rounds, ascending by round.
    pub fn rounds(&self) -> &[RoundSummary] {
        &self.rounds
    }

    /// Records ever ingested (every kind; a fanout record counts once).
    pub fn ingested(&self) -> u64 {
        self.ingested
    }

    /// Records removed by eviction.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Records held now: `ingested() - evicted()`.
    pub fn live_records(&self) -> u64 {
        self.ingested - self.evicted
    }

    /// Rows that arrived with `end < start` and were stored with `end = start`.
    pub fn repaired(&self) -> u64 {
        self.repaired
    }

    /// Live per-core task rows (an SPMD or MIX task has several).
    pub fn task_count(&self) -> usize {
        self.task_rows
    }

    /// Earliest receive/start/dispatch/phase start and latest
    /// end/finish/phase end over the live records.
    pub fn time_range(&self) -> Option<(Ns, Ns)> {
        self.bounds
    }

    /// Lanes in display order: orchestrator lanes (when any orchestrator
    /// record is live), scheduler threads (those the device info declares,
    /// plus any other thread with records), then cores (the device info's,
    /// plus any other core with records), each in id order.
    pub fn lanes(&self) -> Vec<LaneId> {
        let mut out: Vec<LaneId> = self.orch.keys().map(|&i| LaneId::Orch(i)).collect();
        let threads: BTreeSet<u16> = (0..self.info.sched_threads)
            .chain(self.sched.keys().copied())
            .collect();
        out.extend(threads.into_iter().map(LaneId::Sched));
        let cores: BTreeSet<u32> = (0..self.info.num_cores() as u32)
            .chain(self.cores.keys().copied())
            .collect();
        out.extend(cores.into_iter().map(LaneId::Core));
        out
    }

    /// `Orch_0`, `Sched_1`, `AIC_3`, `AIV_17`.
    pub fn lane_label(&self, lane: LaneId) -> String {
        match lane {
            LaneId::Orch(i) if i >= crate::record::HOST_ORCH_LANE => {
                format!("Host_{}", i - crate::record::HOST_ORCH_LANE)
            }
            LaneId::Orch(i) => format!("Orch_{i}"),
            LaneId::Sched(t) => format!("Sched_{t}"),
            LaneId::Core(c) => format!("{}_{c}", self.core_type(c).lane_prefix()),
        }
    }

    /// The core's type: from the device info, else from its first row.
    pub fn core_type(&self, core: u32) -> CoreType {
        if let Some(&t) = self.info.core_types.get(core as usize) {
            return t;
        }
        self.cores
            .get(&core)
            .filter(|l| l.len() > 0)
            .map_or(CoreType::Aiv, |l| l.row(0).to_record(core).core_type)
    }

    /// The columns of `lane` over `[t0, t1)`; see [`Cell`]. Scheduler and
    /// orchestrator lanes answer over their outer phases.
    /// O(columns × (log n + keys)) on a lane without overlapping rows, else
    /// O(columns × (1 + keys) × log n), where keys = functions on the core
    /// (or phase names on the thread) and n = rows on the lane.
    pub fn window(&self, lane: LaneId, t0: Ns, t1: Ns, columns: usize) -> Vec<Cell> {
        self.window_ns(lane, t0, t1, columns)
            .into_iter()
            .map(Cell::from)
            .collect()
    }

    /// [`TraceStore::window`] in integer form (exact busy ns per column).
    pub fn window_ns(&self, lane: LaneId, t0: Ns, t1: Ns, columns: usize) -> Vec<CellNs> {
        match lane {
            LaneId::Core(c) => match self.cores.get(&c) {
                Some(l) => l.by_func.window(&l.iv, |f| f as u32, t0, t1, columns),
                None => query::window(
                    &Default::default(),
                    &intervals::Keyed::<i32>::default(),
                    &keyprefix::KeyPrefix::default(),
                    |f| f as u32,
                    t0,
                    t1,
                    columns,
                ),
            },
            _ => self.phase_window_ns(lane, PhaseRole::Outer, t0, t1, columns),
        }
    }

    /// A window over one layer of a thread lane: `Inner` (e.g. `resolve`) or
    /// `Marker` (`dummy_task`, `predicated_skip`) as well as `Outer`.
    pub fn phase_window(
        &self,
        lane: LaneId,
        role: PhaseRole,
        t0: Ns,
        t1: Ns,
        columns: usize,
    ) -> Vec<Cell> {
        self.phase_window_ns(lane, role, t0, t1, columns)
            .into_iter()
            .map(Cell::from)
            .collect()
    }

    pub fn phase_window_ns(
        &self,
        lane: LaneId,
        role: PhaseRole,
        t0: Ns,
        t1: Ns,
        columns: usize,
    ) -> Vec<CellNs> {
        let empty = PhaseLayer::default();
        let layer = self.phase_lane(lane).map_or(&empty, |l| l.layer(role));
        layer.by_name.window(&layer.iv, |k| k, t0, t1, columns)
    }

    /// Task rows of `core` overlapping `[t0, t1)`, in start order. O(log n + k)
    /// on clean lanes; on lanes with overlapping rows the scan starts one
    /// longest-row length early.
    pub fn tasks_in(&self, core: u32, t0: Ns, t1: Ns) -> impl Iterator<Item = TaskRef> + '_ {
        let lane = self.cores.get(&core);
        let range = lane.map_or(0..0, |l| l.iv.candidates(t0, t1));
        range
            .filter(move |&i| lane.is_some_and(|l| overlaps(l.iv.start(i), l.iv.end(i), t0, t1)))
            .map(move |i| TaskRef {
                core,
                index: i as u32,
            })
    }

    /// The row behind a handle.
    ///
    /// # Panics
    /// If the handle is stale (see [`TaskRef`]); use [`TraceStore::get_task`]
    /// when it may be.
    pub fn task(&self, r: TaskRef) -> TaskRecord {
        match self.get_task(r) {
            Some(t) => t,
            None => panic!("stale TaskRef {r:?}: handles do not survive ingest or eviction"),
        }
    }

    pub fn get_task(&self, r: TaskRef) -> Option<TaskRecord> {
        let lane = self.cores.get(&r.core)?;
        (r.index() < lane.len()).then(|| lane.row(r.index()).to_record(r.core))
    }

    /// The task id of a row, without building the whole record ([`None`]
    /// for a stale handle, like [`TraceStore::get_task`]).
    pub fn task_id_of(&self, r: TaskRef) -> Option<TaskId> {
        let lane = self.cores.get(&r.core)?;
        (r.index() < lane.len()).then(|| lane.task_id(r.index()))
    }

    /// Every live row of a task id (all cores, all rounds), by core then start.
    /// O(rows of the id × log n).
    /// True when a live row has the id (what `find_task` would find, without
    /// finding it).
    pub fn has_task(&self, id: TaskId) -> bool {
        self.index.contains(id)
    }

    pub fn find_task(&self, id: TaskId) -> Vec<TaskRef> {
        let mut locs = self.index.get(id);
        locs.sort_unstable();
        locs.dedup();
        let mut out = Vec::new();
        for loc in locs {
            let Some(lane) = self.cores.get(&loc.core) else {
                continue;
            };
            let starts = lane.iv.starts();
            let lo = starts.partition_point(|&s| s < loc.start);
            let hi = lo + starts[lo..].partition_point(|&s| s == loc.start);
            out.extend(
                (lo..hi)
                    .filter(|&i| lane.task_id(i) == id)
                    .map(|i| TaskRef {
                        core: loc.core,
                        index: i as u32,
                    }),
            );
        }
        out
    }

    /// Successors of a task id: sorted, distinct, merged over every live
    /// fanout record of the id and every live dep_gen edge (deps.json), all
    /// rounds. The reverse index is kept up
    /// to date by `ingest`, so both directions are plain `&self` lookups:
    /// one hash probe plus one binary search.
    pub fn successors(&self, id: TaskId) -> &[TaskId] {
        self.edges.successors(id)
    }

    /// The ids whose fanout names `id`: sorted, distinct.
    pub fn predecessors(&self, id: TaskId) -> &[TaskId] {
        self.edges.predecessors(id)
    }

    /// Distinct (task, successor) pairs.
    pub fn edge_count(&self) -> usize {
        self.edges.edge_count()
    }

    /// Outer phases of a scheduler or orchestrator lane overlapping
    /// `[t0, t1)`, in start order (empty for core lanes).
    pub fn phases_in(&self, lane: LaneId, t0: Ns, t1: Ns) -> impl Iterator<Item = &PhaseSpan> + '_ {
        self.phases_in_role(lane, PhaseRole::Outer, t0, t1)
    }

    /// Like [`TraceStore::phases_in`] for any layer (`Inner`, `Marker`).
    pub fn phases_in_role(
        &self,
        lane: LaneId,
        role: PhaseRole,
        t0: Ns,
        t1: Ns,
    ) -> impl Iterator<Item = &PhaseSpan> + '_ {
        self.phase_lane(lane)
            .into_iter()
            .flat_map(move |l| l.layer(role).overlapping(t0, t1))
    }

    /// The name behind an interned phase-name id (`""` for an unknown id).
    pub fn phase_name(&self, id: u32) -> &str {
        self.phase_names.get(id).unwrap_or("")
    }

    /// The id of a phase name, if any record (or the known-name table) has it.
    pub fn phase_name_id(&self, name: &str) -> Option<u32> {
        self.phase_names.lookup(name)
    }

    /// Spec §8: the name if the name map knows it, `task` when `func_id < 0`,
    /// else `func_<n>_<letters>`.
    pub fn func_label(&self, func_id: i32) -> String {
        names::func_label(&self.info.func_names, func_id)
    }

    /// The function ids with live rows, ascending.
    pub fn functions(&self) -> Vec<i32> {
        let ids: BTreeSet<i32> = self
            .cores
            .values()
            .flat_map(|l| l.by_func.per_key(&l.iv, None))
            .map(|(k, _, _)| k)
            .collect();
        ids.into_iter().collect()
    }

    /// `QK(r1t12)`: function label and task id, with `_spmd` for SPMD tasks.
    pub fn task_label(&self, t: &TaskRecord) -> String {
        names::task_label(
            &self.func_label(t.func_id),
            t.task_id,
            self.is_spmd(t.task_id, t.round),
        )
    }

    /// The converter's SPMD rule: a submit record said `block_num > 1`, or —
    /// without one — the id has several rows in the round, all on one core
    /// type (a MIX task spans AIC and AIV).
    pub fn is_spmd(&self, id: TaskId, round: u32) -> bool {
        if let Some(&n) = self.block_num.get(&id) {
            return n > 1;
        }
        let mut types = self
            .find_task(id)
            .into_iter()
            .filter_map(|r| self.get_task(r))
            .filter(|t| t.round == round)
            .map(|t| t.core_type);
        let Some(first) = types.next() else {
            return false;
        };
        let mut rows = 1;
        for t in types {
            if t != first {
                return false;
            }
            rows += 1;
        }
        rows > 1
    }

    /// Seed-era cumulative orchestrator summaries, in ingest order.
    pub fn orch_summaries(&self) -> &[OrchSummary] {
        &self.orch_summaries
    }

    /// dep_gen submit records, in ingest order.
    pub fn submits(&self) -> &[SubmitRecord] {
        &self.submits
    }

    /// A rough count of the heap bytes held (columns, indexes, logs).
    pub fn memory_bytes(&self) -> usize {
        self.cores.values().map(CoreLane::heap_bytes).sum::<usize>()
            + self
                .sched
                .values()
                .chain(self.orch.values())
                .map(PhaseLane::heap_bytes)
                .sum::<usize>()
            + self.edges.heap_bytes()
            + self.index.heap_bytes()
            + self.submits.capacity() * size_of::<SubmitRecord>()
            + self.orch_summaries.capacity() * size_of::<OrchSummary>()
    }

    fn phase_lane(&self, lane: LaneId) -> Option<&PhaseLane> {
        match lane {
            LaneId::Sched(t) => self.sched.get(&t),
            LaneId::Orch(i) => self.orch.get(&i),
            LaneId::Core(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
