//! Which `complete` record of a scheduler thread observed a task's finish:
//! the one containing the finish time, else the next one to start (the
//! converter's attribution, used for `finish_rows_attributed` and the
//! `complete` / `complete→ready` arrows).

use super::plan::Plan;
use crate::record::{Ns, SchedPhase, TaskId};

#[derive(Debug, Clone, Copy)]
pub struct Complete {
    pub start: Ns,
    pub end: Ns,
    /// Index into `Capture::sched_phases`.
    pub idx: u32,
}

/// A task's completion as the converter attributes it: its last-finishing
/// row, the owning thread and the chosen `complete` record.
#[derive(Debug, Clone, Copy)]
pub struct TaskDone {
    pub task: TaskId,
    /// The task's group in `Plan::rows`.
    pub group: u32,
    pub finish: Ns,
    pub thread: u16,
    pub complete: Complete,
}

pub struct Completes {
    /// Per scheduler list: `complete` records sorted by start.
    by_thread: Vec<Vec<Complete>>,
}

impl Completes {
    pub fn new(plan: &Plan<'_>) -> Completes {
        let mut by_thread = vec![Vec::new(); usize::from(plan.sched_lists)];
        for (i, p) in plan.c.sched_phases.iter().enumerate() {
            if p.kind == SchedPhase::Complete
                && let Some(list) = by_thread.get_mut(usize::from(p.thread))
            {
                list.push(Complete {
                    start: p.start_ns,
                    end: p.end_ns,
                    idx: i as u32,
                });
            }
        }
        for list in &mut by_thread {
            list.sort_by_key(|c| c.start);
        }
        Completes { by_thread }
    }

    pub fn threads(&self) -> usize {
        self.by_thread.len()
    }

    pub fn of_thread(&self, thread: usize) -> &[Complete] {
        self.by_thread.get(thread).map_or(&[], Vec::as_slice)
    }

    /// The record of `thread` containing `finish`, else the next to start.
    pub fn find(&self, thread: u16, finish: Ns) -> Option<Complete> {
        let list = self.by_thread.get(usize::from(thread))?;
        let after = list.partition_point(|c| c.start <= finish);
        if after > 0 {
            let prev = list[after - 1];
            if prev.start <= finish && finish <= prev.end {
                return Some(prev);
            }
        }
        list.get(after).copied()
    }

    /// Every row's finish attributed to a record: counts by record index.
    pub fn rows_attributed(&self, plan: &Plan<'_>) -> Vec<u32> {
        let mut counts = vec![0u32; plan.c.sched_phases.len()];
        for t in &plan.c.tasks {
            let (Some(f), Some(thread)) = (t.finish_ns, plan.core_thread(t.core_id)) else {
                continue;
            };
            if let Some(c) = self.find(thread, f) {
                counts[c.idx as usize] += 1;
            }
        }
        counts
    }

    /// Per task (in first-seen order): the completion of its last
    /// finishing row, when the owning thread has a `complete` to take it.
    pub fn task_done(&self, plan: &Plan<'_>) -> Vec<TaskDone> {
        let tasks = &plan.c.tasks;
        let mut out = Vec::new();
        for (g, (task, rows)) in plan.rows.iter().enumerate() {
            // The first row with the latest finish (Python's `max`).
            let mut last: Option<(Ns, u32)> = None;
            for &i in rows {
                let t = &tasks[i as usize];
                if let Some(f) = t.finish_ns
                    && last.is_none_or(|(lf, _)| f > lf)
                {
                    last = Some((f, t.core_id));
                }
            }
            let Some((finish, core)) = last else { continue };
            let Some(thread) = plan.core_thread(core) else {
                continue;
            };
            if usize::from(thread) >= self.threads() {
                continue;
            }
            if let Some(complete) = self.find(thread, finish) {
                out.push(TaskDone {
                    task,
                    group: g as u32,
                    finish,
                    thread,
                    complete,
                });
            }
        }
        out
    }
}
