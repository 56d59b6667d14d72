//! Record types every layer speaks: what a device emits, what the capture
//! channel carries, what the trace store ingests and what file formats read
//! and write. Times are integer nanoseconds on the device's own clock.

use std::collections::BTreeMap;
use std::fmt;

use crate::dfx::{DfxFlags, Level};

/// Integer nanoseconds.
pub type Ns = u64;

/// A task id as the runtime packs it: `(ring_id << 32) | local_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TaskId(pub u64);

impl TaskId {
    pub fn new(ring: u8, local: u32) -> TaskId {
        TaskId((u64::from(ring) << 32) | u64::from(local))
    }
    /// The scope-nesting ring, `(id >> 32) & 0xFF` as the converter reads it.
    pub fn ring(self) -> u8 {
        ((self.0 >> 32) & 0xFF) as u8
    }
    pub fn local(self) -> u32 {
        (self.0 & 0xFFFF_FFFF) as u32
    }
    /// Accepts the value as it may appear in JSON: negative numbers are
    /// reinterpreted modulo 2^64.
    pub fn from_i64(v: i64) -> TaskId {
        TaskId(v as u64)
    }
}

impl fmt::Display for TaskId {
    /// `t<local>` on ring 0, `r<ring>t<local>` otherwise (the converter's form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ring() == 0 {
            write!(f, "t{}", self.local())
        } else {
            write!(f, "r{}t{}", self.ring(), self.local())
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CoreType {
    /// Cube core.
    Aic,
    /// Vector core.
    Aiv,
}

impl CoreType {
    pub fn as_str(self) -> &'static str {
        match self {
            CoreType::Aic => "aic",
            CoreType::Aiv => "aiv",
        }
    }
    /// Lane label prefix as upstream draws it: `AIC_3`, `AIV_17`.
    pub fn lane_prefix(self) -> &'static str {
        match self {
            CoreType::Aic => "AIC",
            CoreType::Aiv => "AIV",
        }
    }
    pub fn parse(s: &str) -> Option<CoreType> {
        match s.to_ascii_lowercase().as_str() {
            "aic" => Some(CoreType::Aic),
            "aiv" => Some(CoreType::Aiv),
            _ => None,
        }
    }
}

/// One execution of a (sub)task on one AICore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// Serving-loop round the task belongs to (0 for file captures).
    pub round: u32,
    pub task_id: TaskId,
    /// Kernel id of the subtask that ran here; −1 when the capture does not say.
    pub func_id: i32,
    pub core_id: u32,
    pub core_type: CoreType,
    /// Per-core dispatch sequence number (raw join key); 0 when unknown.
    pub reg_task_id: u32,
    /// AICore read the task id (raw captures after 2026-06-22 only).
    pub receive_ns: Option<Ns>,
    pub start_ns: Ns,
    pub end_ns: Ns,
    /// AICPU wrote the task to the core (level ≥ 2).
    pub dispatch_ns: Option<Ns>,
    /// AICPU observed completion (level ≥ 2).
    pub finish_ns: Option<Ns>,
}

impl TaskRecord {
    pub fn exec_ns(&self) -> Ns {
        self.end_ns.saturating_sub(self.start_ns)
    }
    /// start − dispatch.
    pub fn head_overhead_ns(&self) -> Option<Ns> {
        self.dispatch_ns.map(|d| self.start_ns.saturating_sub(d))
    }
    /// finish − end.
    pub fn tail_overhead_ns(&self) -> Option<Ns> {
        self.finish_ns.map(|f| f.saturating_sub(self.end_ns))
    }
}

/// The successors the scheduler found linked to a task when it observed the
/// task's completion (level ≥ 2). A subset of the true dependencies: a consumer
/// submitted after that moment is missing, as on the real runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutRecord {
    pub round: u32,
    pub task_id: TaskId,
    pub successors: Vec<TaskId>,
}

/// Where a phase kind sits on a scheduler thread's lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseRole {
    /// Never overlaps another outer phase of the same thread.
    Outer,
    /// Time-contained inside an outer phase.
    Inner,
    /// Zero-width marker drawn on its own lane.
    Marker,
}

/// Scheduler phase kinds, current and legacy (spec §6.1). Unknown names are
/// kept as opaque strings, never rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchedPhase {
    Complete,
    Dispatch,
    /// Legacy: one loop iteration (or a run of them) that made no progress.
    Idle,
    Scan,
    Poll,
    Resolve,
    Release,
    Dummy,
    EarlyDispatch,
    Drain,
    DrainPrepare,
    DrainPublish,
    AsyncPoll,
    DummyTask,
    PredicatedSkip,
    GraphPrepare,
    Wire,
    Other(Box<str>),
}

impl SchedPhase {
    pub fn name(&self) -> &str {
        match self {
            SchedPhase::Complete => "complete",
            SchedPhase::Dispatch => "dispatch",
            SchedPhase::Idle => "idle",
            SchedPhase::Scan => "scan",
            SchedPhase::Poll => "poll",
            SchedPhase::Resolve => "resolve",
            SchedPhase::Release => "release",
            SchedPhase::Dummy => "dummy",
            SchedPhase::EarlyDispatch => "early_dispatch",
            SchedPhase::Drain => "drain",
            SchedPhase::DrainPrepare => "drain_prepare",
            SchedPhase::DrainPublish => "drain_publish",
            SchedPhase::AsyncPoll => "async_poll",
            SchedPhase::DummyTask => "dummy_task",
            SchedPhase::PredicatedSkip => "predicated_skip",
            SchedPhase::GraphPrepare => "graph_prepare",
            SchedPhase::Wire => "wire",
            SchedPhase::Other(s) => s,
        }
    }

    /// Parses a name as any generation wrote it; `fanout` and `prestage` are
    /// the old names of `resolve` and `early_dispatch`.
    pub fn from_name(name: &str) -> SchedPhase {
        match name {
            "complete" => SchedPhase::Complete,
            "dispatch" => SchedPhase::Dispatch,
            "idle" => SchedPhase::Idle,
            "scan" => SchedPhase::Scan,
            "poll" => SchedPhase::Poll,
            "resolve" | "fanout" => SchedPhase::Resolve,
            "release" => SchedPhase::Release,
            "dummy" => SchedPhase::Dummy,
            "early_dispatch" | "prestage" => SchedPhase::EarlyDispatch,
            "drain" => SchedPhase::Drain,
            "drain_prepare" => SchedPhase::DrainPrepare,
            "drain_publish" => SchedPhase::DrainPublish,
            "async_poll" => SchedPhase::AsyncPoll,
            "dummy_task" => SchedPhase::DummyTask,
            "predicated_skip" => SchedPhase::PredicatedSkip,
            "graph_prepare" => SchedPhase::GraphPrepare,
            "wire" => SchedPhase::Wire,
            other => SchedPhase::Other(other.into()),
        }
    }

    pub fn role(&self) -> PhaseRole {
        match self {
            SchedPhase::Resolve | SchedPhase::DrainPrepare | SchedPhase::DrainPublish => {
                PhaseRole::Inner
            }
            SchedPhase::DummyTask | SchedPhase::PredicatedSkip => PhaseRole::Marker,
            _ => PhaseRole::Outer,
        }
    }
}

/// One record of an AICPU scheduler thread (level ≥ 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedPhaseRecord {
    pub round: u32,
    /// AICPU scheduler thread index.
    pub thread: u16,
    pub kind: SchedPhase,
    pub start_ns: Ns,
    pub end_ns: Ns,
    pub loop_iter: u32,
    pub tasks_processed: u32,
    /// `(pop_hit, pop_miss)` on dispatch records.
    pub pops: Option<(u32, u32)>,
    /// Shared ready-queue depth `[aic, aiv, mix]` at phase start / end.
    pub shared_at_start: Option<[i16; 3]>,
    pub shared_at_end: Option<[i16; 3]>,
    /// Dummy / predicated-skip / graph-prepare records name a task.
    pub task_id: Option<TaskId>,
}

/// Orchestrator phases: the six per-submit sub-steps of the seed era, or the
/// single `orch_submit` envelope of the current runtime.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrchPhase {
    Alloc,
    Sync,
    Lookup,
    Insert,
    Params,
    Fanin,
    Heap,
    Finalize,
    ScopeEnd,
    Submit,
    Other(Box<str>),
}

impl OrchPhase {
    /// The six sub-steps of one submit, in the order TMR runs them.
    pub const SUBMIT_STEPS: [OrchPhase; 6] = [
        OrchPhase::Alloc,
        OrchPhase::Sync,
        OrchPhase::Lookup,
        OrchPhase::Insert,
        OrchPhase::Params,
        OrchPhase::Fanin,
    ];

    pub fn name(&self) -> &str {
        match self {
            OrchPhase::Alloc => "orch_alloc",
            OrchPhase::Sync => "orch_sync",
            OrchPhase::Lookup => "orch_lookup",
            OrchPhase::Insert => "orch_insert",
            OrchPhase::Params => "orch_params",
            OrchPhase::Fanin => "orch_fanin",
            OrchPhase::Heap => "orch_heap",
            OrchPhase::Finalize => "orch_finalize",
            OrchPhase::ScopeEnd => "orch_scope_end",
            OrchPhase::Submit => "orch_submit",
            OrchPhase::Other(s) => s,
        }
    }

    pub fn from_name(name: &str) -> OrchPhase {
        match name {
            "orch_alloc" => OrchPhase::Alloc,
            "orch_sync" => OrchPhase::Sync,
            "orch_lookup" => OrchPhase::Lookup,
            "orch_insert" => OrchPhase::Insert,
            "orch_params" => OrchPhase::Params,
            "orch_fanin" => OrchPhase::Fanin,
            "orch_heap" => OrchPhase::Heap,
            "orch_finalize" => OrchPhase::Finalize,
            "orch_scope_end" => OrchPhase::ScopeEnd,
            "orch_submit" => OrchPhase::Submit,
            other => OrchPhase::Other(other.into()),
        }
    }
}

/// Core indices a capture may use: far above any Ascend chip (a2a3 has 24
/// AIC + 48 AIV) and above the simulator's own limits. Readers refuse a larger index as corrupt: per-core tables
/// are sized by the largest index, so one stray `core_id` of 4e9 (or
/// `num_cores` of 25M, which the fuzzer wrote) would otherwise take
/// gigabytes and minutes before anything is shown.
pub const MAX_CORES: u32 = 8192;

/// AICPU thread indices a capture may use (a2a3 has 4 scheduler lists and
/// at most 7 AICPU threads); `core_to_thread` beyond it is corrupt.
pub const MAX_AICPU_THREADS: u32 = 64;

/// Orchestrator lanes from this index on hold host-side records (the
/// host_build_graph runtime orchestrates on the host): shown as `Host_N`.
pub const HOST_ORCH_LANE: u16 = 1000;

/// One orchestrator record (level ≥ 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchPhaseRecord {
    pub round: u32,
    /// Orchestrator lane (TMR has exactly one); [`HOST_ORCH_LANE`] and up
    /// are host orchestration lanes.
    pub thread: u16,
    pub kind: OrchPhase,
    pub start_ns: Ns,
    pub end_ns: Ns,
    /// Counts `submit_task()` calls from 0.
    pub submit_idx: u32,
    /// The task being submitted; `None` when the capture says −1.
    pub task_id: Option<TaskId>,
}

impl OrchPhaseRecord {
    /// A host-side record (host_build_graph), on the host clock.
    pub fn is_host(&self) -> bool {
        self.thread >= HOST_ORCH_LANE
    }
}

/// The seed-era cumulative orchestrator summary (`aicpu_orchestrator`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrchSummary {
    pub round: u32,
    pub start_ns: Ns,
    pub end_ns: Ns,
    pub submit_count: u32,
    /// Cumulative ns per sub-step: sync, alloc, params, lookup, heap, insert, fanin, scope_end.
    pub sync_ns: Ns,
    pub alloc_ns: Ns,
    pub params_ns: Ns,
    pub lookup_ns: Ns,
    pub heap_ns: Ns,
    pub insert_ns: Ns,
    pub fanin_ns: Ns,
    pub scope_end_ns: Ns,
}

/// How a task uses a tensor argument (the runtime's arg directions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Input,
    /// A buffer the runtime creates for the task.
    Output,
    Inout,
    OutputExisting,
}

impl ArgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArgKind::Input => "INPUT",
            ArgKind::Output => "OUTPUT",
            ArgKind::Inout => "INOUT",
            ArgKind::OutputExisting => "OUTPUT_EXISTING",
        }
    }
}

/// A strided view of a buffer, as dep_gen describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorView {
    pub buffer_addr: u64,
    pub version: u32,
    pub dtype: String,
    pub buffer_numel: u64,
    pub shape: Vec<u32>,
    pub start_offset: u64,
    pub strides: Vec<u32>,
}

impl TensorView {
    /// FNV-1a-64 over the little-endian `buffer_addr` then `version` (dep_gen's id).
    pub fn tensor_id(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .buffer_addr
            .to_le_bytes()
            .iter()
            .chain(self.version.to_le_bytes().iter())
        {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitArg {
    pub kind: ArgKind,
    /// `None` for `Output` (the runtime creates the buffer).
    pub view: Option<TensorView>,
}

/// Why an edge exists (deps.json `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeSource {
    /// The consumer reads a buffer the producer created (OUTPUT).
    Creator,
    /// The tensor map found the producer as the last writer of the region.
    Tensormap,
    Explicit,
}

impl EdgeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeSource::Creator => "creator",
            EdgeSource::Tensormap => "tensormap",
            EdgeSource::Explicit => "explicit",
        }
    }
}

/// One true dependency, as the host-side dep_gen replay computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepEdge {
    pub pred: TaskId,
    pub succ: TaskId,
    /// Consumer argument slot; −1 for explicit edges.
    pub arg: i32,
    pub source: EdgeSource,
    /// The producer's view of the tensor (tensormap edges only).
    pub producer_view: Option<TensorView>,
}

/// One `submit_task()` as dep_gen sees it: not a DFX tier (no device cost),
/// produced only when dependency generation is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitRecord {
    pub round: u32,
    pub task_id: TaskId,
    /// Kernel per subtask slot `[aic, aiv0, aiv1]`, −1 = inactive.
    pub kernel_ids: [i32; 3],
    pub block_num: u32,
    pub args: Vec<SubmitArg>,
    /// Edges into this task, in argument order.
    pub edges_in: Vec<DepEdge>,
}

/// Everything a device can emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Task(TaskRecord),
    Fanout(FanoutRecord),
    SchedPhase(SchedPhaseRecord),
    OrchPhase(OrchPhaseRecord),
    OrchSummary(OrchSummary),
    Submit(SubmitRecord),
}

impl Record {
    pub fn round(&self) -> u32 {
        match self {
            Record::Task(r) => r.round,
            Record::Fanout(r) => r.round,
            Record::SchedPhase(r) => r.round,
            Record::OrchPhase(r) => r.round,
            Record::OrchSummary(r) => r.round,
            Record::Submit(r) => r.round,
        }
    }
}

/// Static facts about the device a capture came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Human description: `sim paged_attention seed 7`, or a file path.
    pub source: String,
    /// System counter frequency (a2a3: 50 MHz).
    pub clock_hz: u64,
    /// Index = core id.
    pub core_types: Vec<CoreType>,
    /// Index = core id; scheduler thread owning the core, −1 = unassigned.
    pub core_to_thread: Vec<i32>,
    pub sched_threads: u16,
    /// AICPU threads in all: schedulers plus the orchestrator.
    pub aicpu_threads: u16,
    /// Function names by func id.
    pub func_names: BTreeMap<i32, String>,
    pub orchestrator_name: Option<String>,
    /// Case / workload label used in file names (`name_map_<case>.json`).
    pub case_name: Option<String>,
}

impl DeviceInfo {
    /// What a device knows before it has seen anything: a name. Cores,
    /// threads and names come when it describes itself.
    pub fn placeholder(source: String) -> DeviceInfo {
        DeviceInfo {
            source,
            clock_hz: 50_000_000,
            core_types: Vec::new(),
            core_to_thread: Vec::new(),
            sched_threads: 0,
            aicpu_threads: 0,
            func_names: BTreeMap::new(),
            orchestrator_name: None,
            case_name: None,
        }
    }

    pub fn num_cores(&self) -> usize {
        self.core_types.len()
    }
    /// The orchestrator is the last AICPU thread.
    pub fn orchestrator_thread(&self) -> u16 {
        self.aicpu_threads.saturating_sub(1)
    }
    /// `AIC_3` / `AIV_27`.
    pub fn core_label(&self, core: u32) -> String {
        let ty = self
            .core_types
            .get(core as usize)
            .copied()
            .unwrap_or(CoreType::Aiv);
        format!("{}_{}", ty.lane_prefix(), core)
    }
}

/// What one device round (one pass of the workload) produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundSummary {
    pub round: u32,
    /// Device time the round began and ended (orchestrator start → last finish).
    pub start_ns: Ns,
    pub end_ns: Ns,
    pub tasks: u64,
    /// Records the device emitted for this round.
    pub records: u64,
    /// Modelled device time spent on instrumentation (all threads and cores).
    pub overhead_ns: Ns,
}

impl RoundSummary {
    pub fn device_time_ns(&self) -> Ns {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// Receives tasks one at a time as a reader makes them: a `Vec` for a
/// [`Capture`], or a trace store's bulk builder, which puts them straight
/// into its columns (a million tasks never exist as records at once).
pub trait TaskSink {
    /// Before the first task: at most `per_core[c]` tasks will come for core
    /// `c` (a sizing hint).
    fn begin(&mut self, _per_core: &[u32]) {}
    fn task(&mut self, t: TaskRecord);
}

impl TaskSink for Vec<TaskRecord> {
    fn begin(&mut self, per_core: &[u32]) {
        self.reserve(per_core.iter().map(|&n| n as usize).sum());
    }
    fn task(&mut self, t: TaskRecord) {
        self.push(t);
    }
}

/// A whole capture in normalised form: what readers produce and writers
/// consume (spec §2.6). Order of each vector is the order of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub info: DeviceInfo,
    /// What was collected, in swimtop's flag vocabulary.
    pub flags: DfxFlags,
    /// The level as the runtime numbers it (1..=4) when the source said so.
    pub runtime_level: Option<u8>,
    pub tasks: Vec<TaskRecord>,
    pub fanout: Vec<FanoutRecord>,
    pub sched_phases: Vec<SchedPhaseRecord>,
    pub orch_phases: Vec<OrchPhaseRecord>,
    pub orch_summaries: Vec<OrchSummary>,
    pub submits: Vec<SubmitRecord>,
}

impl Capture {
    pub fn new(info: DeviceInfo, flags: DfxFlags) -> Capture {
        Capture {
            info,
            flags,
            runtime_level: None,
            tasks: Vec::new(),
            fanout: Vec::new(),
            sched_phases: Vec::new(),
            orch_phases: Vec::new(),
            orch_summaries: Vec::new(),
            submits: Vec::new(),
        }
    }

    pub fn level(&self) -> Level {
        self.flags.level()
    }

    /// The runtime's numbering for this capture (what a `chip` export writes).
    pub fn chip_swimlane_level(&self) -> u8 {
        self.runtime_level
            .unwrap_or_else(|| self.level().chip_swimlane_level())
    }

    pub fn push(&mut self, record: Record) {
        match record {
            Record::Task(r) => self.tasks.push(r),
            Record::Fanout(r) => self.fanout.push(r),
            Record::SchedPhase(r) => self.sched_phases.push(r),
            Record::OrchPhase(r) => self.orch_phases.push(r),
            Record::OrchSummary(r) => self.orch_summaries.push(r),
            Record::Submit(r) => self.submits.push(r),
        }
    }

    /// Every record as one batch, for a store or a sink: device description
    /// first (submits), then what the device measured.
    /// Every record, each kind in its own order: submits (what deps.json
    /// says before anything runs), tasks, fanout, scheduler phases,
    /// orchestrator phases, summaries. The order a store takes them in.
    pub fn into_record_iter(self) -> impl Iterator<Item = Record> {
        self.submits
            .into_iter()
            .map(Record::Submit)
            .chain(self.tasks.into_iter().map(Record::Task))
            .chain(self.fanout.into_iter().map(Record::Fanout))
            .chain(self.sched_phases.into_iter().map(Record::SchedPhase))
            .chain(self.orch_phases.into_iter().map(Record::OrchPhase))
            .chain(self.orch_summaries.into_iter().map(Record::OrchSummary))
    }

    /// [`Capture::into_record_iter`] a batch of at most `n` at a time, so a
    /// capture of millions of phases is never copied whole into records.
    pub fn into_record_batches(self, n: usize) -> impl Iterator<Item = Vec<Record>> {
        let n = n.max(1);
        let mut all = self.into_record_iter().peekable();
        std::iter::from_fn(move || {
            all.peek()?;
            Some(all.by_ref().take(n).collect())
        })
    }

    pub fn into_records(self) -> Vec<Record> {
        self.into_record_iter().collect()
    }

    /// Earliest dispatch-or-start and latest finish-or-end over the tasks.
    pub fn task_span(&self) -> Option<(Ns, Ns)> {
        let lo = self
            .tasks
            .iter()
            .map(|t| t.dispatch_ns.unwrap_or(t.start_ns).min(t.start_ns))
            .min()?;
        let hi = self
            .tasks
            .iter()
            .map(|t| t.finish_ns.unwrap_or(t.end_ns).max(t.end_ns))
            .max()?;
        Some((lo, hi))
    }

    pub fn record_count(&self) -> usize {
        self.tasks.len()
            + self.fanout.len()
            + self.sched_phases.len()
            + self.orch_phases.len()
            + self.orch_summaries.len()
            + self.submits.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_batches_are_the_records_cut_up() {
        let mut c = Capture::new(DeviceInfo::placeholder("x".into()), DfxFlags::empty());
        for i in 0..5u32 {
            c.fanout.push(FanoutRecord {
                round: i,
                task_id: TaskId(u64::from(i)),
                successors: vec![],
            });
            c.orch_summaries.push(OrchSummary::default());
        }
        let whole = c.clone().into_records();
        let batches: Vec<Vec<Record>> = c.into_record_batches(3).collect();
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [3, 3, 3, 1]
        );
        assert_eq!(batches.concat(), whole);
    }

    #[test]
    fn task_id_display_follows_the_converter() {
        assert_eq!(TaskId(0).to_string(), "t0");
        assert_eq!(TaskId(4_294_967_296).to_string(), "r1t0");
        assert_eq!(TaskId::new(2, 12).to_string(), "r2t12");
        assert_eq!(TaskId::from_i64(-1).0, u64::MAX);
        assert_eq!(TaskId(8_589_934_604).ring(), 2);
        assert_eq!(TaskId(8_589_934_604).local(), 12);
    }

    #[test]
    fn phase_names_round_trip_and_accept_old_names() {
        for name in [
            "complete",
            "dispatch",
            "idle",
            "resolve",
            "release",
            "drain_publish",
        ] {
            assert_eq!(SchedPhase::from_name(name).name(), name);
        }
        assert_eq!(SchedPhase::from_name("fanout"), SchedPhase::Resolve);
        assert_eq!(SchedPhase::from_name("prestage"), SchedPhase::EarlyDispatch);
        assert_eq!(SchedPhase::from_name("mystery").name(), "mystery");
        assert_eq!(SchedPhase::Resolve.role(), PhaseRole::Inner);
        for step in OrchPhase::SUBMIT_STEPS {
            assert_eq!(OrchPhase::from_name(step.name()), step);
        }
    }

    #[test]
    fn tensor_id_matches_the_spec_example() {
        // deps.json example: buffer 85899345920 version 0 → 16775948354400983553.
        let v = TensorView {
            buffer_addr: 85_899_345_920,
            version: 0,
            dtype: "FLOAT32".into(),
            buffer_numel: 4096,
            shape: vec![32, 64],
            start_offset: 0,
            strides: vec![64, 1],
        };
        assert_eq!(v.tensor_id(), 16_775_948_354_400_983_553);
    }
}
