//! AICPU Scheduler (`Sched_t` lanes of outer phases, a sub-lane for
//! `resolve`, the shared ready-queue counter) and AICPU Orchestrator
//! (`Orch_i` lanes of submit bars), plus the Worker View `AICPU_n` slices
//! for dummy / predicated-skip markers and alloc calls.

use crate::record::HOST_ORCH_LANE;
use std::io;

use super::completes::Completes;
use super::groups::Groups;
use super::hash::FastSet;
use super::label::{func_label, task_label};
use super::layout::{self, PID_ORCH, PID_SCHED, PID_WORKER, TID_QUEUE};
use super::plan::Plan;
use super::write::{Anchor, Anchors, Out, meta_tail};
use crate::record::{OrchPhase, OrchPhaseRecord, SchedPhase, SchedPhaseRecord, TaskId};

/// Markers are instants on the device; the converter draws them 0.02 µs
/// wide so they stay visible.
const MARKER_MIN_NS: u64 = 20;

pub fn scheduler(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    anchors: &mut Anchors,
    next_id: &mut u32,
) -> io::Result<()> {
    if plan.sched_lists == 0 {
        return Ok(());
    }
    let phases = &plan.c.sched_phases;
    out.process(PID_SCHED, layout::SCHEDULER)?;
    let completes = Completes::new(plan);
    let attributed = completes.rows_attributed(plan);
    let by_thread = Groups::build(phases.iter().enumerate().map(|(i, p)| (p.thread, i)));
    for t in 0..plan.sched_lists {
        let records = by_thread.get(&t);
        let name = format!("Sched_{t}");
        out.thread(PID_SCHED, layout::sched_tid(t, 0), &name)?;
        if records
            .iter()
            .any(|&i| phases[i].kind == SchedPhase::Resolve)
        {
            out.thread(PID_SCHED, layout::sched_tid(t, 1), &name)?;
        }
        for &i in records {
            let p = &phases[i];
            match p.kind {
                SchedPhase::DummyTask | SchedPhase::PredicatedSkip => {
                    marker(plan, out, p, anchors, next_id)?;
                }
                _ => phase(plan, out, p, attributed[i])?,
            }
        }
    }
    out.thread(
        PID_SCHED,
        u64::from(TID_QUEUE),
        "shared_ready_queue (global)",
    )?;
    out.event(|o| {
        o.obj("args", |a| a.int("sort_index", 100));
        meta_tail(
            o,
            "thread_sort_index",
            PID_SCHED,
            Some(u64::from(TID_QUEUE)),
        );
    })
}

fn phase(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    p: &SchedPhaseRecord,
    attributed: u32,
) -> io::Result<()> {
    let name = p.kind.name();
    let (ts, end) = (plan.rel(p.start_ns), plan.rel(p.end_ns));
    let depths = p.shared_at_start.zip(p.shared_at_end);
    let sub = u8::from(p.kind == SchedPhase::Resolve);
    out.event(|o| {
        o.obj("args", |a| {
            a.str("phase", name);
            a.int("loop_iter", p.loop_iter);
            a.int("tasks_processed", p.tasks_processed);
            if let Some((s, e)) = depths {
                a.ints("shared_at_start (aic,aiv,mix)", &s);
                a.ints("shared_at_end (aic,aiv,mix)", &e);
            }
            // Not drawn by the converter: the pop counters of `dispatch`.
            if let Some((hit, miss)) = p.pops {
                a.int("pop_hit", hit);
                a.int("pop_miss", miss);
            }
            if p.kind == SchedPhase::Complete {
                a.int("finishes_processed", p.tasks_processed);
                a.int("finish_rows_attributed", attributed);
            }
        });
        o.str("cat", "scheduler");
        o.str("cname", layout::sched_colour(&p.kind));
        o.str("name", &format!("{name}({})", p.tasks_processed));
        o.str("ph", "X");
        o.int("pid", PID_SCHED);
        o.int("tid", layout::sched_tid(p.thread, sub));
        o.us("ts", ts);
        o.us("dur", end - ts);
    })?;
    // One queue-depth sample at the end of each complete / dispatch.
    if let Some((_, e)) = depths
        && matches!(p.kind, SchedPhase::Complete | SchedPhase::Dispatch)
    {
        out.event(|o| {
            o.obj("args", |a| {
                a.int("AIC", e[0]);
                a.int("AIV", e[1]);
                a.int("MIX", e[2]);
            });
            o.str("cat", "queue");
            o.str("name", "shared_ready_queue");
            o.str("ph", "C");
            o.int("pid", PID_SCHED);
            o.int("tid", TID_QUEUE);
            o.us("ts", end);
        })?;
    }
    Ok(())
}

/// A dummy-task or predicated-skip marker on the Worker View lane of the
/// scheduler thread that drained it.
fn marker(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    p: &SchedPhaseRecord,
    anchors: &mut Anchors,
    next_id: &mut u32,
) -> io::Result<()> {
    let dummy = p.kind == SchedPhase::DummyTask;
    let name = match (dummy, p.task_id) {
        (true, Some(t)) => format!("dummy({t})"),
        (true, None) => "dummy(unknown)".to_string(),
        (false, Some(t)) => {
            let func = plan
                .kernels
                .get(&t)
                .and_then(|k| k.iter().copied().find(|&f| f >= 0))
                .unwrap_or(-1);
            task_label(func, &plan.c.info.func_names, t, plan.spmd.contains(&t))
        }
        (false, None) => format!("{}(unknown)", func_label(-1, &plan.c.info.func_names)),
    };
    let dur = p.end_ns.saturating_sub(p.start_ns).max(MARKER_MIN_NS);
    let tid = layout::aicpu_tid(u32::from(p.thread));
    let id = *next_id;
    *next_id += 1;
    out.event(|o| {
        o.obj("args", |a| {
            a.int("loop_iter", p.loop_iter);
            match p.task_id {
                Some(t) => a.int("task_id", t.0),
                None => a.null("task_id"),
            }
            a.str("event-hint", &name);
            if dummy {
                a.str("phase", p.kind.name());
            } else {
                a.bool("predicated_pass", false);
            }
        });
        o.str("cat", "event");
        o.int("id", id);
        o.str("name", &name);
        o.str("ph", "X");
        o.int("pid", PID_WORKER);
        o.int("tid", tid);
        o.us("ts", plan.rel(p.start_ns));
        o.us("dur", i128::from(dur));
    })?;
    if let Some(t) = p.task_id {
        anchors.entry(t).or_default().push(Anchor {
            tid,
            start: p.start_ns,
            end: p.start_ns + dur,
            id,
        });
    }
    Ok(())
}

pub fn orchestrator(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    anchors: &mut Anchors,
    next_id: &mut u32,
) -> io::Result<()> {
    let c = plan.c;
    if c.orch_phases.is_empty() {
        return Ok(());
    }
    let process = match &c.info.orchestrator_name {
        Some(n) => format!("AICPU {n}"),
        None => layout::ORCHESTRATOR.to_string(),
    };
    out.process(PID_ORCH, &process)?;
    for i in 0..plan.orch_lists {
        out.thread(PID_ORCH, layout::orch_tid(i), &format!("Orch_{i}"))?;
    }
    // host_build_graph: the host's own lanes, after the AICPU ones.
    let mut hosts: Vec<u16> = c
        .orch_phases
        .iter()
        .map(|p| p.thread)
        .filter(|&t| t >= HOST_ORCH_LANE)
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    for &h in &hosts {
        out.thread(
            PID_ORCH,
            layout::orch_tid(h),
            &format!("Host_{}", h - HOST_ORCH_LANE),
        )?;
    }
    let kinds = TaskKinds::new(plan);
    let by_thread = Groups::build(c.orch_phases.iter().enumerate().map(|(i, p)| (p.thread, i)));
    for i in (0..plan.orch_lists).chain(hosts) {
        for &r in by_thread.get(&i) {
            let p = &c.orch_phases[r];
            submit_bar(plan, out, p)?;
            if p.kind == OrchPhase::Submit
                && let Some(t) = p.task_id
                && kinds.is_alloc(plan, t)
            {
                let lane = plan.sched_threads + u32::from(i);
                alloc_bar(plan, out, p, t, lane, anchors, next_id)?;
            }
        }
    }
    Ok(())
}

fn submit_bar(plan: &Plan<'_>, out: &mut Out<'_>, p: &OrchPhaseRecord) -> io::Result<()> {
    let phase = p.kind.name();
    let shown = phase.strip_prefix("orch_").unwrap_or(phase);
    let name = match p.task_id {
        Some(t) => format!("{shown}({t})"),
        None => format!("{shown}({})", p.submit_idx),
    };
    let ts = plan.rel(p.start_ns);
    out.event(|o| {
        o.obj("args", |a| {
            a.str("phase", phase);
            a.int("submit_idx", p.submit_idx);
            match p.task_id {
                Some(t) => a.int("task_id", t.0),
                None => a.int("task_id", -1),
            }
        });
        o.str("cat", "orchestrator");
        o.str("cname", layout::orch_colour(&p.kind));
        o.str("name", &name);
        o.str("ph", "X");
        o.int("pid", PID_ORCH);
        o.int("tid", layout::orch_tid(p.thread));
        o.us("ts", ts);
        o.us("dur", plan.rel(p.end_ns) - ts);
    })
}

fn alloc_bar(
    plan: &Plan<'_>,
    out: &mut Out<'_>,
    p: &OrchPhaseRecord,
    task: TaskId,
    lane: u32,
    anchors: &mut Anchors,
    next_id: &mut u32,
) -> io::Result<()> {
    let name = format!("alloc({task})");
    let dur = p.end_ns.saturating_sub(p.start_ns).max(MARKER_MIN_NS);
    let tid = layout::aicpu_tid(lane);
    let id = *next_id;
    *next_id += 1;
    out.event(|o| {
        o.obj("args", |a| {
            a.str("phase", "alloc");
            a.int("task_id", task.0);
            a.str("event-hint", &name);
        });
        o.str("cat", "event");
        o.str("cname", "olive");
        o.int("id", id);
        o.str("name", &name);
        o.str("ph", "X");
        o.int("pid", PID_WORKER);
        o.int("tid", tid);
        o.us("ts", plan.rel(p.start_ns));
        o.us("dur", i128::from(dur));
    })?;
    anchors.entry(task).or_default().push(Anchor {
        tid,
        start: p.start_ns,
        end: p.start_ns + dur,
        id,
    });
    Ok(())
}

/// Tells kernel tasks, dummies and predicated skips from `alloc_tensors()`
/// calls, which only the orchestrator records (spec §7.3 node kinds).
struct TaskKinds {
    dummies: FastSet<TaskId>,
    skipped: FastSet<TaskId>,
}

impl TaskKinds {
    fn new(plan: &Plan<'_>) -> TaskKinds {
        TaskKinds {
            dummies: plan.marker_tasks(&SchedPhase::DummyTask),
            skipped: plan.marker_tasks(&SchedPhase::PredicatedSkip),
        }
    }

    fn is_alloc(&self, plan: &Plan<'_>, t: TaskId) -> bool {
        // deps.json, when it lists the task, says what it is; else what ran.
        let (regular, dummy) = match plan.kernels.get(&t) {
            Some(k) => {
                let dummy = k.iter().all(|&f| f < 0);
                (!dummy, dummy)
            }
            None => (plan.rows.contains(&t), self.dummies.contains(&t)),
        };
        !regular && !dummy && !self.skipped.contains(&t)
    }
}
