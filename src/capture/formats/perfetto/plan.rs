//! Everything the writer works out before it writes an event: the time
//! base, task rows by id, SPMD tasks, the dependency graph both ways, the
//! Scheduler View lanes and slice ids, and how many AICPU lanes there are.
//! All of it is flat vectors and id maps, linear in the capture.

use super::edges::pairs;
use super::groups::Groups;
use super::hash::{FastMap, FastSet};
use super::layout;
use crate::record::HOST_ORCH_LANE;
use crate::record::{Capture, Ns, SchedPhase, TaskId, TaskRecord};

/// The trace's time origin (spec §5.5): the earliest timestamp of any task,
/// scheduler or orchestrator record; 0 for an empty capture.
pub fn time_base(c: &Capture) -> Ns {
    let tasks = c.tasks.iter().flat_map(|t| {
        [
            t.receive_ns,
            Some(t.start_ns),
            Some(t.end_ns),
            t.dispatch_ns,
            t.finish_ns,
        ]
        .into_iter()
        .flatten()
    });
    let sched = c.sched_phases.iter().flat_map(|p| [p.start_ns, p.end_ns]);
    let orch = c.orch_phases.iter().flat_map(|p| [p.start_ns, p.end_ns]);
    tasks.chain(sched).chain(orch).min().unwrap_or(0)
}

/// No Scheduler View slice (its id and lane are unset), no task group.
pub const NONE: u32 = u32::MAX;

/// A dependency edge with each end's task group (or [`NONE`]).
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub pred: TaskId,
    pub succ: TaskId,
    pub pg: u32,
    pub sg: u32,
}

pub struct Plan<'c> {
    pub c: &'c Capture,
    pub base: Ns,
    /// Task row indices by task id, in task order ("groups" below).
    pub rows: Groups<TaskId, u32>,
    /// Per task row: its group in `rows`.
    pub row_group: Vec<u32>,
    /// SPMD logical tasks: per group, and as a set (which also holds tasks
    /// deps.json calls SPMD that have no row).
    pub spmd_g: Vec<bool>,
    pub spmd: FastSet<TaskId>,
    /// deps.json `block_num` by task (submits only).
    pub block_num: FastMap<TaskId, u32>,
    /// deps.json `kernel_ids` by task (submits only).
    pub kernels: FastMap<TaskId, [i32; 3]>,
    /// Successors by predecessor, predecessors by successor.
    pub fanout: Groups<TaskId, TaskId>,
    pub fanin: Groups<TaskId, TaskId>,
    /// The same edges, pred-grouped, with each end's group ([`NONE`] when
    /// the task has no row), so arrows need no lookups.
    pub edges: Vec<Edge>,
    /// Some task has dispatch and finish: there is a Scheduler View.
    pub has_sched_view: bool,
    /// Per task row: Scheduler View slice id and lane offset (0 = the
    /// core's base lane), or [`NONE`].
    pub sv_id: Vec<u32>,
    pub sv_lane: Vec<u32>,
    /// `Sched_t` lanes (one per AICPU thread the file would list); 0 = no
    /// AICPU Scheduler process.
    pub sched_lists: u16,
    /// Scheduler threads: the Worker View `AICPU_n` lanes of orchestrator
    /// threads start after them.
    pub sched_threads: u32,
    /// `Orch_i` lanes.
    pub orch_lists: u16,
}

impl<'c> Plan<'c> {
    pub fn new(c: &'c Capture) -> Plan<'c> {
        let base = time_base(c);
        let rows = Groups::build(
            c.tasks
                .iter()
                .enumerate()
                .map(|(i, t)| (t.task_id, i as u32)),
        );
        let block_num: FastMap<TaskId, u32> = c
            .submits
            .iter()
            .map(|s| (s.task_id, s.block_num.max(1)))
            .collect();
        let kernels = c
            .submits
            .iter()
            .map(|s| (s.task_id, s.kernel_ids))
            .collect();
        let spmd = spmd_tasks(c, &rows, &block_num);
        let mut row_group = vec![0u32; c.tasks.len()];
        for g in 0..rows.len() {
            for &i in rows.values(g) {
                row_group[i as usize] = g as u32;
            }
        }
        let spmd_g = (0..rows.len())
            .map(|g| spmd.contains(&rows.group(g).0))
            .collect();
        let pairs = pairs(c);
        let fanout = Groups::build(pairs.iter().copied());
        let group_of = |t: &TaskId| rows.find(t).map_or(NONE, |g| g as u32);
        let mut edges = Vec::with_capacity(pairs.len());
        for (pred, succs) in fanout.iter() {
            let pg = group_of(&pred);
            edges.extend(succs.iter().map(|&succ| Edge {
                pred,
                succ,
                pg,
                sg: group_of(&succ),
            }));
        }
        // Predecessors in the order the converter lists them: by
        // predecessor first-seen, as it inverts its pred → succ map.
        let fanin = Groups::build(
            fanout
                .iter()
                .flat_map(|(p, succs)| succs.iter().map(move |s| (*s, p))),
        );
        let mut plan = Plan {
            c,
            base,
            rows,
            row_group,
            spmd_g,
            spmd,
            block_num,
            kernels,
            fanout,
            fanin,
            edges,
            has_sched_view: false,
            sv_id: Vec::new(),
            sv_lane: Vec::new(),
            sched_lists: 0,
            sched_threads: 0,
            orch_lists: 0,
        };
        plan.lay_out_sched_view();
        plan.count_aicpu_lanes();
        plan
    }

    /// ns → µs offset from the base, as an integer ns count.
    pub fn rel(&self, ns: Ns) -> i128 {
        i128::from(ns) - i128::from(self.base)
    }

    /// Where the Worker View slice starts: receive when stamped, else start.
    pub fn slice_start(t: &TaskRecord) -> Ns {
        t.receive_ns.unwrap_or(t.start_ns)
    }

    /// The converter draws a Scheduler View bar when dispatch ≥ 0 and
    /// finish > 0 in its time base.
    pub fn in_sched_view(&self, t: &TaskRecord) -> Option<(Ns, Ns)> {
        match (t.dispatch_ns, t.finish_ns) {
            (Some(d), Some(f)) if self.rel(f) > 0 && self.rel(d) >= 0 => Some((d, f)),
            _ => None,
        }
    }

    /// Core → scheduler thread, when the capture knows it (level ≥ 3 files
    /// carry `core_to_thread`).
    pub fn core_thread(&self, core: u32) -> Option<u16> {
        if !self.c.flags.phase_buffers() {
            return None;
        }
        let t = *self.c.info.core_to_thread.get(core as usize)?;
        u16::try_from(t).ok()
    }

    /// Logical subtask count on a dependency arrow: `block_num` (or the row
    /// count) for SPMD tasks, else 1. `group` is the task's, or [`NONE`].
    pub fn fan_count(&self, task: TaskId, group: u32) -> u32 {
        let spmd = match group {
            NONE => self.spmd.contains(&task),
            g => self.spmd_g[g as usize],
        };
        if !spmd {
            return 1;
        }
        match self.block_num.get(&task) {
            Some(&n) => n,
            None if group == NONE => 1,
            None => self.rows.values(group as usize).len() as u32,
        }
    }

    /// Whether task row `i` belongs to an SPMD logical task.
    pub fn spmd_row(&self, i: usize) -> bool {
        self.spmd_g[self.row_group[i] as usize]
    }

    /// Greedy lanes per core (a bar goes to the first lane whose last bar
    /// finished by its dispatch), and slice ids after the Worker View ones.
    fn lay_out_sched_view(&mut self) {
        let tasks = &self.c.tasks;
        let mut sv_id = vec![NONE; tasks.len()];
        let mut sv_lane = vec![NONE; tasks.len()];
        let mut by_core: Vec<(u32, Ns, u32)> = Vec::new();
        let mut next = tasks.len() as u32;
        for (i, t) in tasks.iter().enumerate() {
            if let Some((d, _)) = self.in_sched_view(t) {
                sv_id[i] = next;
                next += 1;
                by_core.push((t.core_id, d, i as u32));
            }
        }
        self.has_sched_view = !by_core.is_empty();
        by_core.sort_by_key(|&(core, d, _)| (core, d));
        let mut lane_end: Vec<Ns> = Vec::new();
        let mut core = None;
        for (c, d, i) in by_core {
            if core != Some(c) {
                core = Some(c);
                lane_end.clear();
            }
            let lane = match lane_end.iter().position(|&end| end <= d) {
                Some(l) => l,
                None => {
                    lane_end.push(0);
                    lane_end.len() - 1
                }
            };
            lane_end[lane] = tasks[i as usize].finish_ns.unwrap_or(d);
            sv_lane[i as usize] = lane as u32;
        }
        self.sv_id = sv_id;
        self.sv_lane = sv_lane;
    }

    fn count_aicpu_lanes(&mut self) {
        let c = self.c;
        let max_thread = c
            .sched_phases
            .iter()
            .map(|p| p.thread.saturating_add(1))
            .max();
        if c.flags.phase_buffers() || max_thread.is_some() {
            self.sched_lists = c.info.aicpu_threads.max(max_thread.unwrap_or(0));
        }
        // Scheduler threads: those cores map to, and those with records.
        let by_map = (0..c.info.core_to_thread.len() as u32)
            .filter_map(|core| self.core_thread(core))
            .map(|t| u32::from(t) + 1)
            .max();
        let by_records = max_thread.map(u32::from);
        self.sched_threads = match by_map.max(by_records) {
            Some(n) => n,
            None => u32::from(self.sched_lists),
        };
        // Host orchestration lanes are named apart (`Host_k`), not counted here.
        self.orch_lists = c
            .orch_phases
            .iter()
            .filter(|p| p.thread < HOST_ORCH_LANE)
            .map(|p| p.thread + 1)
            .max()
            .unwrap_or(0);
    }

    /// Worker View `AICPU_n` lanes: schedulers, then orchestrator threads.
    pub fn aicpu_lanes(&self) -> u32 {
        self.sched_threads + u32::from(self.orch_lists)
    }

    /// Scheduler View lane (tid) of task row `i`. A core has ten tids
    /// before the next core's; the converter would spill a tenth
    /// overlapping bar onto the next core's lane, swimtop keeps it on the
    /// core's last one (dual-slot dispatch gives two in practice).
    pub fn sv_tid(&self, i: usize) -> u64 {
        layout::core_tid(self.c.tasks[i].core_id) + u64::from(self.sv_lane[i].min(9))
    }

    /// Tasks that ran a `dummy_task` / `predicated_skip` marker.
    pub fn marker_tasks(&self, kind: &SchedPhase) -> FastSet<TaskId> {
        self.c
            .sched_phases
            .iter()
            .filter(|p| &p.kind == kind)
            .filter_map(|p| p.task_id)
            .collect()
    }
}

/// SPMD logical tasks: `block_num > 1` in deps.json (authoritative for the
/// tasks it lists), else several rows all on one core type.
fn spmd_tasks(
    c: &Capture,
    rows: &Groups<TaskId, u32>,
    block_num: &FastMap<TaskId, u32>,
) -> FastSet<TaskId> {
    let mut out: FastSet<TaskId> = block_num
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| *t)
        .collect();
    for (task, idx) in rows.iter() {
        if idx.len() <= 1 || block_num.contains_key(&task) {
            continue;
        }
        let ty = c.tasks[idx[0] as usize].core_type;
        if idx.iter().all(|&i| c.tasks[i as usize].core_type == ty) {
            out.insert(task);
        }
    }
    out
}
