//! Worker View (receive→end kernel bars per core) and Scheduler View
//! (dispatch→finish bars per core, overlaps pushed to extra lanes).

use std::io;

use super::hash::FastSet;
use super::label::{push_task_label, push_tdisp};
use super::layout::{self, PID_SCHED_VIEW, PID_WORKER};
use super::num::{push_int, push_u64};
use super::plan::{NONE, Plan};
use super::write::Out;
use crate::record::{TaskId, TaskRecord};

/// Slice ids used by both views: Worker View slices are numbered by task
/// row, Scheduler View ones follow.
pub fn slice_count(plan: &Plan<'_>) -> u32 {
    let sv = plan.sv_id.iter().filter(|&&id| id != NONE).count();
    (plan.c.tasks.len() + sv) as u32
}

pub fn write(plan: &Plan<'_>, out: &mut Out<'_>) -> io::Result<()> {
    let tasks = &plan.c.tasks;
    out.process(PID_WORKER, layout::WORKER_VIEW)?;
    if plan.has_sched_view {
        out.process(PID_SCHED_VIEW, layout::SCHED_VIEW)?;
    }
    // One lane per core that ran something, named after the first task's
    // core type on it.
    let mut cores: Vec<(u32, usize)> = Vec::new();
    let mut seen = FastSet::default();
    for (i, t) in tasks.iter().enumerate() {
        if seen.insert(t.core_id) {
            cores.push((t.core_id, i));
        }
    }
    cores.sort_unstable();
    for &(core, i) in &cores {
        out.thread(PID_WORKER, layout::core_tid(core), &lane_name(&tasks[i]))?;
    }
    for n in 0..plan.aicpu_lanes() {
        out.thread(PID_WORKER, layout::aicpu_tid(n), &format!("AICPU_{n}"))?;
    }
    let mut b = Buffers::default();
    for (i, t) in tasks.iter().enumerate() {
        b.label(plan, i);
        worker_slice(plan, out, i, t, &mut b)?;
    }
    if !plan.has_sched_view {
        return Ok(());
    }
    // Per core: lanes used and the first task with a bar (names the lane).
    let mut used: std::collections::BTreeMap<u32, (u32, usize)> = Default::default();
    for (i, t) in tasks.iter().enumerate() {
        if plan.sv_lane[i] != NONE {
            let e = used.entry(t.core_id).or_insert((0, i));
            e.0 = e.0.max(plan.sv_lane[i] + 1);
        }
    }
    for (core, (lanes, first)) in used {
        let name = lane_name(&tasks[first]);
        for lane in 0..lanes.min(10) {
            out.thread(
                PID_SCHED_VIEW,
                layout::core_tid(core) + u64::from(lane),
                &name,
            )?;
        }
    }
    for (i, t) in tasks.iter().enumerate() {
        if plan.sv_id[i] != NONE {
            b.label(plan, i);
            sched_view_slice(plan, out, i, t, &mut b)?;
        }
    }
    Ok(())
}

fn lane_name(t: &TaskRecord) -> String {
    format!("{}_{}", t.core_type.lane_prefix(), t.core_id)
}

/// Text reused from slice to slice (no allocation per task).
#[derive(Default)]
struct Buffers {
    label: String,
    hint: String,
    list: String,
}

impl Buffers {
    fn label(&mut self, plan: &Plan<'_>, i: usize) {
        let t = &plan.c.tasks[i];
        self.label.clear();
        push_task_label(
            &mut self.label,
            t.func_id,
            &plan.c.info.func_names,
            t.task_id,
            plan.spmd_row(i),
        );
        self.hint.clear();
        self.hint.push_str("Task:");
        push_tdisp(&mut self.hint, t.task_id);
        self.hint.push_str(", FuncId:");
        push_int(&mut self.hint, i128::from(t.func_id));
        self.hint.push_str(", CoreId:");
        push_u64(&mut self.hint, u64::from(t.core_id));
    }

    /// `<n>: [t1, r1t0]`, the converter's degree-first list.
    fn list(&mut self, ids: &[TaskId]) -> &str {
        let s = &mut self.list;
        s.clear();
        push_u64(s, ids.len() as u64);
        s.push_str(": [");
        for (k, id) in ids.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            push_tdisp(s, *id);
        }
        s.push(']');
        s
    }
}

fn worker_slice(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    i: usize,
    t: &TaskRecord,
    b: &mut Buffers,
) -> io::Result<()> {
    let ts = plan.rel(Plan::slice_start(t));
    let dur = plan.rel(t.end_ns) - ts;
    out.event(|o| {
        o.obj("args", |a| {
            a.str("event-hint", &b.hint);
            a.str("fanout-hint", b.list(plan.fanout.get(&t.task_id)));
            a.str("fanin-hint", b.list(plan.fanin.get(&t.task_id)));
            a.us("duration-us", dur);
            a.us(
                "kernel-duration-us",
                plan.rel(t.end_ns) - plan.rel(t.start_ns),
            );
            // The converter writes 0.0 when it has no receive stamp; swimtop
            // leaves the key out, so a reader can tell "not stamped" apart.
            if let Some(r) = t.receive_ns {
                a.us("local_setup_us", plan.rel(t.start_ns) - plan.rel(r));
            }
            a.int("taskId", t.task_id.0);
        });
        o.str("cat", "event");
        o.int("id", i);
        o.str("name", &b.label);
        o.str("ph", "X");
        o.int("pid", PID_WORKER);
        o.int("tid", layout::core_tid(t.core_id));
        o.us("ts", ts);
        o.us("dur", dur);
    })
}

fn sched_view_slice(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    i: usize,
    t: &TaskRecord,
    b: &mut Buffers,
) -> io::Result<()> {
    let Some((d, f)) = plan.in_sched_view(t) else {
        return Ok(());
    };
    let (d, f) = (plan.rel(d), plan.rel(f));
    out.event(|o| {
        o.obj("args", |a| {
            a.str("event-hint", &b.hint);
            a.us("dispatch-time-us", d);
            a.us("finish-time-us", f);
            a.us("aicpu-duration-us", f - d);
            a.int("taskId", t.task_id.0);
        });
        o.str("cat", "event");
        o.int("id", plan.sv_id[i]);
        o.str("name", &b.label);
        o.str("ph", "X");
        o.int("pid", PID_SCHED_VIEW);
        o.int("tid", plan.sv_tid(i));
        o.us("ts", d);
        o.us("dur", f - d);
    })
}
