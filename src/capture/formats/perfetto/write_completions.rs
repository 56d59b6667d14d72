//! `complete` arrows (a task's bars → the scheduler lane where its last
//! finish was observed) and `complete→ready` arrows (that `complete` → the
//! lane that dispatched the consumer it made ready), as the converter
//! attributes them.

use std::io;

use super::completes::{Complete, Completes, TaskDone};
use super::hash::FastMap;
use super::layout::{self, PID_SCHED, PID_SCHED_VIEW, PID_WORKER};
use super::plan::{NONE, Plan};
use super::write_flows::{EPSILON_NS, End, Flows, sched_rows, worker_rows};
use crate::record::{Ns, TaskId};

/// `complete`: each task's bars → the scheduler lane where its last row's
/// finish was observed; `complete→ready`: that `complete` → the lane that
/// dispatched the consumer it made ready.
pub fn write(plan: &Plan<'_>, f: &mut Flows<'_, '_>) -> io::Result<()> {
    let tasks = &plan.c.tasks;
    let completes = Completes::new(plan);
    let done = completes.task_done(plan);
    let mut rows = Vec::new();
    for d in &done {
        let c = d.complete;
        let at = if c.start <= d.finish && d.finish <= c.end {
            d.finish
        } else {
            c.start
        };
        let dst = || End {
            pid: PID_SCHED,
            tid: layout::sched_tid(d.thread, 0),
            ts: plan.rel(at),
            bind: None,
        };
        worker_rows(plan, d.group, &mut rows);
        for &i in &rows {
            let t = &tasks[i];
            let src = End {
                pid: PID_WORKER,
                tid: layout::core_tid(t.core_id),
                ts: plan.rel(t.end_ns) - EPSILON_NS,
                bind: Some(i as u32),
            };
            f.pair("complete", src, dst(), None)?;
        }
        sched_rows(plan, d.group, &mut rows);
        for &i in &rows {
            let Some(fin) = tasks[i].finish_ns.filter(|&x| plan.rel(x) > 0) else {
                continue;
            };
            let sv = plan.sv_id[i] != NONE;
            let src = End {
                pid: PID_SCHED_VIEW,
                tid: if sv {
                    plan.sv_tid(i)
                } else {
                    layout::core_tid(tasks[i].core_id)
                },
                ts: plan.rel(fin) - EPSILON_NS,
                bind: sv.then_some(plan.sv_id[i]),
            };
            f.pair("complete", src, dst(), None)?;
        }
    }
    ready(plan, &completes, &done, f)
}

fn ready(
    plan: &Plan<'_>,
    completes: &Completes,
    done: &[TaskDone],
    f: &mut Flows<'_, '_>,
) -> io::Result<()> {
    let tasks = &plan.c.tasks;
    let mut by_complete: FastMap<u32, Vec<TaskId>> = FastMap::default();
    for d in done {
        by_complete.entry(d.complete.idx).or_default().push(d.task);
    }
    let mut all: Vec<(Ns, u16, Complete)> = Vec::new();
    for t in 0..completes.threads() {
        for c in completes.of_thread(t) {
            all.push((c.end, t as u16, *c));
        }
    }
    all.sort_by_key(|&(end, thread, _)| (end, thread));
    // Earliest dispatch of each task and the thread that owns its core.
    let mut earliest: FastMap<TaskId, (Ns, u16)> = FastMap::default();
    for (task, rows) in plan.rows.iter() {
        let first = rows
            .iter()
            .filter_map(|&i| tasks[i as usize].dispatch_ns.map(|d| (d, i)))
            .min_by_key(|&(d, _)| d);
        if let Some((d, i)) = first
            && let Some(thread) = plan.core_thread(tasks[i as usize].core_id)
        {
            earliest.insert(task, (d, thread));
        }
    }
    let mut satisfied: FastMap<TaskId, usize> = FastMap::default();
    for (end, thread, c) in all {
        let Some(completed) = by_complete.get(&c.idx) else {
            continue;
        };
        let mut triggered = Vec::new();
        for t in completed {
            for &consumer in plan.fanout.get(t) {
                let n = satisfied.entry(consumer).or_insert(0);
                *n += 1;
                if *n == plan.fanin.get(&consumer).len() {
                    triggered.push(consumer);
                }
            }
        }
        for consumer in triggered {
            // A consumer dispatched before the complete ended would point
            // backwards; the converter skips it.
            let Some(&(d, d_thread)) = earliest.get(&consumer) else {
                continue;
            };
            if d < end {
                continue;
            }
            f.pair(
                "complete→ready",
                End {
                    pid: PID_SCHED,
                    tid: layout::sched_tid(thread, 0),
                    ts: plan.rel(end) - EPSILON_NS,
                    bind: None,
                },
                End {
                    pid: PID_SCHED,
                    tid: layout::sched_tid(d_thread, 0),
                    ts: plan.rel(d),
                    bind: None,
                },
                None,
            )?;
        }
    }
    Ok(())
}
