//! Reading a trace back into a [`Capture`]: processes and threads are told
//! apart by name (so the converter's current and legacy layouts and
//! swimtop's own all read the same way), slices become task rows, phase
//! and orchestrator records, and dependency arrows become edges.

use std::path::Path;

use super::doc::{self, Parsed, Slice, Top};
use super::hash::FastMap;
use super::layout::{self, Process, Thread};
use super::other::Other;
use super::read_tasks::{self, Rows};
use super::{read_edges, read_info, read_phases};
use crate::capture::formats::detect::Generation;
use crate::capture::formats::error::FormatError;
use crate::capture::formats::legacy_json;
use crate::capture::formats::stats::ReadStats;
use crate::dfx::DfxFlags;
use crate::record::{Capture, CoreType, FanoutRecord, Ns, TaskId};

pub fn read(path: &Path) -> Result<Capture, FormatError> {
    parse(&FormatError::read_file(path)?, path)
}

pub fn parse(bytes: &[u8], path: &Path) -> Result<Capture, FormatError> {
    parse_with_stats(bytes, path).map(|(c, _)| c)
}

pub fn parse_with_stats(bytes: &[u8], path: &Path) -> Result<(Capture, ReadStats), FormatError> {
    let (top, parsed) = doc::parse(bytes).map_err(|e| FormatError::from_json(path, bytes, &e))?;
    let expected =
        "expected a Chrome/Perfetto trace: an object with traceEvents or an array of events";
    match top {
        Top::Trace => {}
        Top::ObjectWithoutEvents => {
            return Err(FormatError::not_a_capture(
                path,
                format!("{expected}, found an object without traceEvents"),
            ));
        }
        Top::Other(kind) => {
            return Err(FormatError::not_a_capture(
                path,
                format!("{expected}, found {kind}"),
            ));
        }
    }
    if parsed.events == 0 {
        return Err(FormatError::key(
            path,
            "traceEvents",
            "the trace holds no events",
        ));
    }
    let mut stats = ReadStats {
        generation: Some(Generation::Perfetto),
        dropped_rows: parsed.skipped,
        ..ReadStats::default()
    };
    let capture = build(&parsed, path, &mut stats)?;
    Ok((capture, stats))
}

/// Where each slice belongs, from the metadata events.
pub struct Lanes {
    processes: FastMap<i64, Process>,
    threads: FastMap<(i64, i64), Thread>,
    pub orchestrator_name: Option<String>,
    /// `Sched_t` lanes named (the converter names one per phase list).
    pub sched_lists: u16,
    /// Core lanes named, with their type.
    pub cores: Vec<(u32, CoreType)>,
}

impl Lanes {
    fn new(p: &Parsed) -> Lanes {
        let mut processes = FastMap::default();
        let mut orchestrator_name = None;
        for (pid, name) in &p.processes {
            processes.insert(*pid, layout::process_of(name));
            if let Some(n) = layout::orchestrator_name(name) {
                orchestrator_name = Some(n.to_string());
            }
        }
        let mut threads = FastMap::default();
        let mut sched_lists = 0;
        let mut cores = Vec::new();
        for (pid, tid, name) in &p.threads {
            let t = layout::thread_of(name);
            match t {
                Thread::Sched(s) => sched_lists = sched_lists.max(s.saturating_add(1)),
                Thread::Core(c, ty) => cores.push((c, ty)),
                _ => {}
            }
            threads.insert((*pid, *tid), t);
        }
        Lanes {
            processes,
            threads,
            orchestrator_name,
            sched_lists,
            cores,
        }
    }

    pub fn process(&self, pid: i64) -> Process {
        self.processes.get(&pid).copied().unwrap_or(Process::Other)
    }

    pub fn has(&self, p: Process) -> bool {
        self.processes.values().any(|&x| x == p)
    }

    /// A slice's lane: its thread name, else what its tid means in the
    /// converter's numbering (unnamed Scheduler View overflow lanes).
    pub fn thread(&self, s: &Slice) -> Thread {
        if let Some(t) = self.threads.get(&(s.pid, s.tid))
            && *t != Thread::Other
        {
            return *t;
        }
        match (self.process(s.pid), s.tid) {
            (Process::Worker | Process::SchedView, 10_000..=18_999) => Thread::Core(
                ((s.tid - 10_000) / 10) as u32,
                CoreType::Aiv, // placeholder type; the row's own hint decides
            ),
            (Process::Worker, 19_000..=19_999) => Thread::Aicpu((s.tid - 19_000) as u32),
            (Process::Scheduler, 30_000..=39_999) => Thread::Sched(((s.tid - 30_000) / 10) as u16),
            (Process::Scheduler, 3_000..=3_998) => Thread::Sched((s.tid - 3_000) as u16),
            (Process::Orchestrator, 4_000..=4_999) => Thread::Orch((s.tid - 4_000) as u16),
            _ => Thread::Other,
        }
    }

    /// Whether the thread was named (the type of a named core lane is real).
    pub fn named(&self, s: &Slice) -> bool {
        self.threads
            .get(&(s.pid, s.tid))
            .is_some_and(|t| *t != Thread::Other)
    }
}

/// Trace-relative ns → absolute ns on the capture's clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: i128,
}

impl Clock {
    pub fn at(&self, rel: i64) -> Ns {
        let v = self.origin + i128::from(rel);
        u64::try_from(v.max(0)).unwrap_or(u64::MAX)
    }
}

fn build(p: &Parsed, path: &Path, stats: &mut ReadStats) -> Result<Capture, FormatError> {
    let lanes = Lanes::new(p);
    let known = [
        Process::Worker,
        Process::SchedView,
        Process::Scheduler,
        Process::Orchestrator,
    ];
    if !known.iter().any(|&k| lanes.has(k)) {
        return Err(FormatError::not_a_capture(
            path,
            format!(
                "none of the {} trace events belongs to a swimlane process (Worker View, Scheduler View, AICPU Scheduler, AICPU Orchestrator)",
                p.events
            ),
        ));
    }
    let other = Other::from_pairs(p.other.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let clock = Clock {
        origin: i128::from(other.time_base_ns.unwrap_or(legacy_json::ORIGIN_NS)),
    };

    let mut rows = Rows::default();
    let mut sched = Vec::new();
    let mut orch = Vec::new();
    for s in &p.slices {
        match lanes.process(s.pid) {
            Process::Worker => match lanes.thread(s) {
                Thread::Aicpu(n) => {
                    if let Some(r) = read_phases::marker(s, n, clock) {
                        rows.anchor(s, r.task_id);
                        sched.push(r);
                    } else if let Some(t) = read_phases::alloc_task(s) {
                        rows.anchor(s, Some(t));
                    }
                }
                _ => rows.worker(s, &lanes, clock, stats),
            },
            Process::SchedView => rows.sched_view(s, &lanes, clock),
            Process::Scheduler => {
                if let Some(r) = read_phases::phase(s, &lanes, clock) {
                    sched.push(r);
                }
            }
            Process::Orchestrator => {
                if let Some(r) = read_phases::orch_phase(s, &lanes, clock) {
                    orch.push(r);
                }
            }
            Process::Other => {}
        }
    }
    let edges = read_edges::pairs(p, &rows);
    let (tasks, func_names) = read_tasks::finish(rows, stats);

    let has_sched_view = lanes.has(Process::SchedView);
    let has_sched = lanes.has(Process::Scheduler);
    let has_orch = lanes.has(Process::Orchestrator);
    let flags = other.flags.unwrap_or_else(|| {
        let mut f = DfxFlags::AICORE_TIMING;
        if has_sched_view || has_sched || has_orch {
            f |= DfxFlags::TASK_LIFECYCLE;
        }
        if has_sched || has_orch {
            f |= DfxFlags::PHASE_BUFFERS;
        }
        f
    });
    let level = other.level.unwrap_or(if has_orch {
        4
    } else if has_sched {
        3
    } else if has_sched_view {
        2
    } else {
        1
    });

    let info = read_info::device_info(path, &other, &lanes, &tasks, &sched, func_names);
    let mut capture = Capture::new(info, flags);
    capture.runtime_level = Some(level);
    for t in tasks {
        let mut t = t;
        t.core_type = capture
            .info
            .core_types
            .get(t.core_id as usize)
            .copied()
            .unwrap_or(CoreType::Aiv);
        capture.tasks.push(t);
    }
    capture.sched_phases = sched;
    capture.orch_phases = orch;
    capture.fanout = fanout_records(&edges);
    Ok(capture)
}

fn fanout_records(edges: &[(TaskId, TaskId)]) -> Vec<FanoutRecord> {
    super::groups::Groups::build(edges.iter().copied())
        .iter()
        .map(|(task_id, succ)| FanoutRecord {
            round: 0,
            task_id,
            successors: succ.to_vec(),
        })
        .collect()
}
