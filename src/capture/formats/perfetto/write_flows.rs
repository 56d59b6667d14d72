//! Flow (arrow) events, in the converter's order (spec §9.3): dependency
//! arrows in Worker View and Scheduler View, then `complete`,
//! `complete→ready`, `dispatch` and `submit→dispatch`.

use std::io;

use super::hash::FastMap;
use super::layout::{self, PID_ORCH, PID_SCHED, PID_SCHED_VIEW, PID_WORKER};
use super::plan::{NONE, Plan};
use super::write::{Anchors, Out};
use super::write_completions;
use crate::record::{Ns, OrchPhase, OrchPhaseRecord, TaskId};

/// Arrows leave a bar this far before its end so they bind to it.
pub const EPSILON_NS: i128 = 10;

pub fn write(plan: &Plan<'_>, anchors: &Anchors, out: &mut Out<'_>) -> io::Result<()> {
    let mut f = Flows { out, next: 0 };
    worker_dependencies(plan, anchors, &mut f)?;
    if plan.has_sched_view {
        sched_view_dependencies(plan, &mut f)?;
    }
    let knows_threads = plan.c.flags.phase_buffers() && !plan.c.info.core_to_thread.is_empty();
    if plan.sched_lists > 0 && knows_threads {
        write_completions::write(plan, &mut f)?;
    }
    if plan.sched_lists > 0 && plan.has_sched_view {
        dispatches(plan, &mut f)?;
        if !plan.c.orch_phases.is_empty() {
            submits_to_dispatch(plan, &mut f)?;
        }
    }
    Ok(())
}

/// One end of an arrow.
pub struct End {
    pub pid: u32,
    pub tid: u64,
    pub ts: i128,
    pub bind: Option<u32>,
}

pub struct Flows<'a, 'w> {
    out: &'a mut Out<'w>,
    next: u64,
}

impl Flows<'_, '_> {
    /// An `s`/`f` pair; `counts` = (input_task_count, output_task_count)
    /// on dependency arrows.
    pub fn pair(
        &mut self,
        name: &str,
        s: End,
        f: End,
        counts: Option<(u32, u32)>,
    ) -> io::Result<()> {
        let id = self.next;
        self.next += 1;
        for (end, ph) in [(s, "s"), (f, "f")] {
            self.out.event(|o| {
                o.str("cat", "flow");
                o.int("id", id);
                o.str("name", name);
                o.str("ph", ph);
                o.int("pid", end.pid);
                o.int("tid", end.tid);
                o.us("ts", end.ts);
                if ph == "f" {
                    o.str("bp", "e");
                }
                if let Some((input, output)) = counts {
                    o.int("input_task_count", input);
                    o.int("output_task_count", output);
                }
                if let Some(b) = end.bind {
                    o.int("bind_id", b);
                }
            })?;
        }
        Ok(())
    }
}

/// An arrow endpoint in Worker View: a kernel row or an AICPU-lane slice.
#[derive(Debug, Clone, Copy)]
struct Pt {
    tid: u64,
    start: Ns,
    end: Ns,
    id: u32,
}

/// The rows of task group `g` its arrows attach to: for an SPMD task, per
/// function the row whose visible bar starts first (ties: the smaller
/// core); for other tasks every row.
fn anchor_rows(plan: &Plan<'_>, g: u32, start: impl Fn(usize) -> Option<Ns>, out: &mut Vec<usize>) {
    out.clear();
    let tasks = &plan.c.tasks;
    let rows = plan.rows.values(g as usize).iter().map(|&i| i as usize);
    if !plan.spmd_g[g as usize] {
        out.extend(rows);
        return;
    }
    let mut best: Vec<(i32, usize)> = Vec::new();
    // `None` sorts after every time, as the converter's infinity does.
    let key = |i: usize| (start(i).is_none(), start(i), tasks[i].core_id);
    for i in rows {
        let func = tasks[i].func_id;
        match best.iter_mut().find(|(f, _)| *f == func) {
            Some(slot) if key(i) < key(slot.1) => slot.1 = i,
            Some(_) => {}
            None => best.push((func, i)),
        }
    }
    out.extend(best.into_iter().map(|(_, i)| i));
}

pub fn worker_rows(plan: &Plan<'_>, g: u32, out: &mut Vec<usize>) {
    anchor_rows(plan, g, |i| Some(Plan::slice_start(&plan.c.tasks[i])), out);
}

pub fn sched_rows(plan: &Plan<'_>, g: u32, out: &mut Vec<usize>) {
    anchor_rows(
        plan,
        g,
        |i| plan.in_sched_view(&plan.c.tasks[i]).map(|(d, _)| d),
        out,
    );
}

/// Worker View endpoints of a task: its kernel rows (group `g`), else its
/// AICPU-lane slices.
fn worker_pts(
    plan: &Plan<'_>,
    anchors: &Anchors,
    task: TaskId,
    g: u32,
    rows: &mut Vec<usize>,
    out: &mut Vec<Pt>,
) {
    out.clear();
    if g == NONE {
        if let Some(a) = anchors.get(&task) {
            out.extend(a.iter().map(|a| Pt {
                tid: a.tid,
                start: a.start,
                end: a.end,
                id: a.id,
            }));
        }
        return;
    }
    worker_rows(plan, g, rows);
    out.extend(rows.iter().map(|&i| {
        let t = &plan.c.tasks[i];
        Pt {
            tid: layout::core_tid(t.core_id),
            start: Plan::slice_start(t),
            end: t.end_ns,
            id: i as u32,
        }
    }));
}

/// Pred bar start → succ bar start; `hb_violation` when the predecessor
/// ends after the successor's bar starts.
fn worker_dependencies(
    plan: &Plan<'_>,
    anchors: &Anchors,
    f: &mut Flows<'_, '_>,
) -> io::Result<()> {
    let (mut rows, mut from, mut to) = (Vec::new(), Vec::new(), Vec::new());
    let mut current = None;
    for e in &plan.edges {
        if current != Some(e.pred) {
            current = Some(e.pred);
            worker_pts(plan, anchors, e.pred, e.pg, &mut rows, &mut from);
        }
        if from.is_empty() {
            continue;
        }
        worker_pts(plan, anchors, e.succ, e.sg, &mut rows, &mut to);
        let counts = (plan.fan_count(e.succ, e.sg), plan.fan_count(e.pred, e.pg));
        for p in &from {
            for s in &to {
                let name = if p.end > s.start {
                    "hb_violation"
                } else {
                    "dependency"
                };
                f.pair(
                    name,
                    End {
                        pid: PID_WORKER,
                        tid: p.tid,
                        ts: plan.rel(p.start),
                        bind: Some(p.id),
                    },
                    End {
                        pid: PID_WORKER,
                        tid: s.tid,
                        ts: plan.rel(s.start),
                        bind: Some(s.id),
                    },
                    Some(counts),
                )?;
            }
        }
    }
    Ok(())
}

/// The same arrows between dispatch→finish bars; `hb_violation` when the
/// predecessor finishes after the successor is dispatched.
fn sched_view_dependencies(plan: &Plan<'_>, f: &mut Flows<'_, '_>) -> io::Result<()> {
    let tasks = &plan.c.tasks;
    let end = |i: usize, d: Ns| End {
        pid: PID_SCHED_VIEW,
        tid: plan.sv_tid(i),
        ts: plan.rel(d),
        bind: Some(plan.sv_id[i]),
    };
    let (mut from, mut to) = (Vec::new(), Vec::new());
    let mut current = None;
    for e in &plan.edges {
        if e.pg == NONE || e.sg == NONE {
            continue;
        }
        if current != Some(e.pred) {
            current = Some(e.pred);
            sched_rows(plan, e.pg, &mut from);
        }
        sched_rows(plan, e.sg, &mut to);
        let counts = (plan.fan_count(e.succ, e.sg), plan.fan_count(e.pred, e.pg));
        for &p in &from {
            for &s in &to {
                let (Some((pd, pf)), Some((sd, _))) =
                    (plan.in_sched_view(&tasks[p]), plan.in_sched_view(&tasks[s]))
                else {
                    continue;
                };
                let name = if pf > sd {
                    "hb_violation"
                } else {
                    "dependency"
                };
                f.pair(name, end(p, pd), end(s, sd), Some(counts))?;
            }
        }
    }
    Ok(())
}

/// Scheduler lane at dispatch → the kernel's start, and → the Scheduler
/// View bar. Needs `core_to_thread` (the converter's vote over dispatch
/// records for files without it is not reproduced).
fn dispatches(plan: &Plan<'_>, f: &mut Flows<'_, '_>) -> io::Result<()> {
    for (i, t) in plan.c.tasks.iter().enumerate() {
        let (Some(d), Some(thread)) = (t.dispatch_ns, plan.core_thread(t.core_id)) else {
            continue;
        };
        let from = || End {
            pid: PID_SCHED,
            tid: layout::sched_tid(thread, 0),
            ts: plan.rel(d),
            bind: None,
        };
        let core = End {
            pid: PID_WORKER,
            tid: layout::core_tid(t.core_id),
            ts: plan.rel(t.start_ns),
            bind: None,
        };
        f.pair("dispatch", from(), core, None)?;
        let sv = plan.sv_id[i] != NONE;
        let bar = End {
            pid: PID_SCHED_VIEW,
            tid: if sv {
                plan.sv_tid(i)
            } else {
                layout::core_tid(t.core_id)
            },
            ts: plan.rel(d),
            bind: sv.then_some(plan.sv_id[i]),
        };
        f.pair("dispatch", from(), bar, None)?;
    }
    Ok(())
}

/// The end of a task's `orch_submit` (legacy: `orch_fanin`, else
/// `orch_params`) → the scheduler lane at its dispatch.
fn submits_to_dispatch(plan: &Plan<'_>, f: &mut Flows<'_, '_>) -> io::Result<()> {
    let mut by_task: FastMap<TaskId, (&OrchPhaseRecord, &'static str)> = FastMap::default();
    let mut order: Vec<usize> = (0..plan.c.orch_phases.len()).collect();
    order.sort_by_key(|&i| plan.c.orch_phases[i].thread);
    for i in order {
        let p = &plan.c.orch_phases[i];
        let Some(t) = p.task_id else { continue };
        let existing = by_task.get(&t).map(|e| e.1);
        let name = match p.kind {
            OrchPhase::Submit if existing != Some("submit→dispatch") => "submit→dispatch",
            OrchPhase::Fanin if existing.is_none() => "fanin→dispatch",
            OrchPhase::Params if existing.is_none() => "params→dispatch",
            _ => continue,
        };
        by_task.insert(t, (p, name));
    }
    if by_task.is_empty() {
        return Ok(());
    }
    for t in &plan.c.tasks {
        let (Some(d), Some(thread)) = (t.dispatch_ns, plan.core_thread(t.core_id)) else {
            continue;
        };
        let Some(&(p, name)) = by_task.get(&t.task_id) else {
            continue;
        };
        f.pair(
            name,
            End {
                pid: PID_ORCH,
                tid: layout::orch_tid(p.thread),
                ts: plan.rel(p.end_ns),
                bind: None,
            },
            End {
                pid: PID_SCHED,
                tid: layout::sched_tid(thread, 0),
                ts: plan.rel(d),
                bind: None,
            },
            None,
        )?;
    }
    Ok(())
}
