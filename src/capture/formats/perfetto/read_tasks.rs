//! Task rows from Worker View and Scheduler View slices: identity, core,
//! times, the dispatch/finish join, and function ids and names from labels.

use std::collections::{BTreeMap, BTreeSet};

use super::doc::Slice;
use super::hash::FastMap;
use super::label::{self, Base};
use super::layout::Thread;
use super::read::{Clock, Lanes};
use crate::capture::formats::stats::ReadStats;
use crate::record::{CoreType, Ns, TaskId, TaskRecord};

/// A kernel bar in Worker View.
struct WorkerRow {
    task: TaskId,
    core: u32,
    /// From a named lane; unnamed lanes do not say.
    ty: Option<CoreType>,
    receive: Option<Ns>,
    start: Ns,
    end: Ns,
    /// `FuncId:` of the event hint.
    func: Option<i32>,
    /// The label without `(<task>)`.
    base: String,
}

/// A dispatch→finish bar in Scheduler View.
struct SchedRow {
    task: TaskId,
    core: u32,
    dispatch: Ns,
    finish: Ns,
}

/// A slice an arrow can end on, for arrows without `bind_id`.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    pub ts: i64,
    pub end: i64,
    pub task: TaskId,
}

#[derive(Default)]
pub struct Rows {
    worker: Vec<WorkerRow>,
    sched: Vec<SchedRow>,
    /// Slice id → the task it draws (`bind_id` targets).
    pub by_id: FastMap<u64, TaskId>,
    /// Task slices per lane, in file order.
    pub by_lane: FastMap<(i64, i64), Vec<Node>>,
}

/// The task a bar draws: `taskId`, else the hint, else the label.
fn bar_task(s: &Slice) -> Option<TaskId> {
    s.args
        .task_id_arg
        .map(TaskId)
        .or(s.args.hint_task)
        .or_else(|| label::split(&s.name).1)
}

/// The core of a bar: a named core lane, else the hint, else the tid.
fn bar_core(s: &Slice, lanes: &Lanes) -> Option<(u32, Option<CoreType>)> {
    match lanes.thread(s) {
        Thread::Core(c, ty) if lanes.named(s) => Some((c, Some(ty))),
        Thread::Core(c, _) => Some((s.args.hint_core.unwrap_or(c), None)),
        _ => s.args.hint_core.map(|c| (c, None)),
    }
}

impl Rows {
    /// Registers a slice arrows may end on.
    pub fn anchor(&mut self, s: &Slice, task: Option<TaskId>) {
        let Some(task) = task else { return };
        if let Some(id) = s.id {
            self.by_id.insert(id, task);
        }
        self.by_lane.entry((s.pid, s.tid)).or_default().push(Node {
            ts: s.ts,
            end: s.ts.saturating_add(s.dur),
            task,
        });
    }

    pub fn worker(&mut self, s: &Slice, lanes: &Lanes, clock: Clock, stats: &mut ReadStats) {
        let (Some(task), Some((core, ty))) = (bar_task(s), bar_core(s, lanes)) else {
            return;
        };
        let ts = clock.at(s.ts);
        let end = clock.at(s.ts.saturating_add(s.dur));
        // The bar starts at receive when that was stamped (the converter
        // then gives the receive→start gap), else at the kernel start.
        let (receive, start) = match s.args.local_setup_ns {
            Some(ls) => (Some(ts), clock.at(s.ts.saturating_add(ls))),
            None => (None, ts),
        };
        if end < start {
            stats.dropped_rows += 1;
            return;
        }
        self.anchor(s, Some(task));
        self.worker.push(WorkerRow {
            task,
            core,
            ty,
            receive,
            start,
            end,
            func: s.args.hint_func,
            base: label::split(&s.name).0.to_string(),
        });
    }

    pub fn sched_view(&mut self, s: &Slice, lanes: &Lanes, clock: Clock) {
        let (Some(task), Some((core, _))) = (bar_task(s), bar_core(s, lanes)) else {
            return;
        };
        self.anchor(s, Some(task));
        self.sched.push(SchedRow {
            task,
            core,
            dispatch: clock.at(s.ts),
            finish: clock.at(s.ts.saturating_add(s.dur)),
        });
    }
}

/// The task records (Worker View order) and the function names seen.
pub fn finish(rows: Rows, stats: &mut ReadStats) -> (Vec<TaskRecord>, BTreeMap<i32, String>) {
    let w = &rows.worker;
    let spmd = spmd_tasks(w);
    let (funcs, names) = func_ids(w, &spmd);
    let mut tasks: Vec<TaskRecord> = w
        .iter()
        .zip(funcs)
        .map(|(r, func_id)| TaskRecord {
            round: 0,
            task_id: r.task,
            func_id,
            core_id: r.core,
            core_type: r.ty.unwrap_or(CoreType::Aiv),
            reg_task_id: 0,
            receive_ns: r.receive,
            start_ns: r.start,
            end_ns: r.end,
            dispatch_ns: None,
            finish_ns: None,
        })
        .collect();
    // Pair each (task, core)'s Scheduler View bars with its kernel bars in
    // time order: a task dispatched twice to one core has two of each.
    let mut kernels: FastMap<(TaskId, u32), Vec<usize>> = FastMap::default();
    for (i, r) in w.iter().enumerate() {
        kernels.entry((r.task, r.core)).or_default().push(i);
    }
    let mut bars: FastMap<(TaskId, u32), Vec<usize>> = FastMap::default();
    for (i, r) in rows.sched.iter().enumerate() {
        bars.entry((r.task, r.core)).or_default().push(i);
    }
    for (key, mut b) in bars {
        let Some(k) = kernels.get_mut(&key) else {
            stats.unmatched_aicpu_rows += b.len();
            continue;
        };
        k.sort_by_key(|&i| (w[i].start, i));
        b.sort_by_key(|&i| (rows.sched[i].dispatch, i));
        stats.unmatched_aicpu_rows += b.len().saturating_sub(k.len());
        for (&ki, &bi) in k.iter().zip(&b) {
            tasks[ki].dispatch_ns = Some(rows.sched[bi].dispatch);
            tasks[ki].finish_ns = Some(rows.sched[bi].finish);
        }
    }
    (tasks, names)
}

/// Tasks the converter would call SPMD (several rows, one core type): their
/// labels may carry an inserted `_spmd`.
fn spmd_tasks(w: &[WorkerRow]) -> BTreeSet<TaskId> {
    let mut seen: FastMap<TaskId, (usize, Option<CoreType>, bool)> = FastMap::default();
    for r in w {
        let e = seen.entry(r.task).or_insert((0, r.ty, true));
        e.0 += 1;
        e.2 &= e.1 == r.ty;
    }
    seen.into_iter()
        .filter(|(_, (n, _, same))| *n > 1 && *same)
        .map(|(t, _)| t)
        .collect()
}

/// Per row its func id, and the names by id. The hint's `FuncId` is
/// authoritative; a name without one gets the next unused id, in
/// first-seen order.
fn func_ids(w: &[WorkerRow], spmd: &BTreeSet<TaskId>) -> (Vec<i32>, BTreeMap<i32, String>) {
    let bases: Vec<Base<'_>> = w
        .iter()
        .map(|r| label::parse_base(&r.base, spmd.contains(&r.task)))
        .collect();
    let hint = |r: &WorkerRow, b: &Base<'_>| match (r.func, b) {
        // `FuncId:-1` beside a name: trust the name.
        (Some(f), Base::Name(_)) if f < 0 => None,
        (f, _) => f,
    };
    let mut names = BTreeMap::new();
    let mut by_name: FastMap<&str, i32> = FastMap::default();
    let mut used = BTreeSet::new();
    for (r, b) in w.iter().zip(&bases) {
        let id = match (hint(r, b), b) {
            (Some(f), Base::Name(n)) if f >= 0 => {
                by_name.entry(n).or_insert(f);
                names.entry(f).or_insert_with(|| (*n).to_string());
                Some(f)
            }
            (Some(f), _) => Some(f),
            (None, Base::Id(f)) => Some(*f),
            _ => None,
        };
        if let Some(f) = id.filter(|f| *f >= 0) {
            used.insert(f);
        }
    }
    let mut next = 0;
    let mut out = Vec::with_capacity(w.len());
    for (r, b) in w.iter().zip(&bases) {
        let f = match (hint(r, b), b) {
            (Some(f), _) => f,
            (None, Base::Unknown) => -1,
            (None, Base::Id(f)) => *f,
            (None, Base::Name(n)) => *by_name.entry(n).or_insert_with(|| {
                while used.contains(&next) {
                    next += 1;
                }
                used.insert(next);
                names.insert(next, (*n).to_string());
                next
            }),
        };
        out.push(f);
    }
    (out, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(task: u64, func: Option<i32>, base: &str, ty: CoreType) -> WorkerRow {
        WorkerRow {
            task: TaskId(task),
            core: 0,
            ty: Some(ty),
            receive: None,
            start: 0,
            end: 1,
            func,
            base: base.to_string(),
        }
    }

    #[test]
    fn func_ids_prefer_the_hint_then_name_order() {
        let w = vec![
            row(0, None, "B", CoreType::Aic),
            row(1, Some(0), "A", CoreType::Aic),
            row(2, None, "func_5_f", CoreType::Aiv),
            row(3, None, "C", CoreType::Aiv),
            row(4, None, "B", CoreType::Aiv),
            row(5, Some(-1), "D", CoreType::Aiv),
            row(6, None, "task", CoreType::Aiv),
        ];
        let (ids, names) = func_ids(&w, &BTreeSet::new());
        assert_eq!(ids, vec![1, 0, 5, 2, 1, 3, -1]);
        let n: Vec<(i32, &str)> = names.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(n, vec![(0, "A"), (1, "B"), (2, "C"), (3, "D")]);
    }

    #[test]
    fn spmd_suffixes_are_dropped_for_spmd_tasks_only() {
        let w = vec![
            row(1, Some(0), "QK_spmd", CoreType::Aiv),
            row(1, Some(0), "QK_spmd", CoreType::Aiv),
            row(2, Some(1), "X_spmd", CoreType::Aic),
            row(3, Some(2), "MIX", CoreType::Aic),
            row(3, Some(3), "MIX", CoreType::Aiv),
        ];
        let spmd = spmd_tasks(&w);
        assert_eq!(spmd, BTreeSet::from([TaskId(1)]));
        let (_, names) = func_ids(&w, &spmd);
        assert_eq!(names[&0], "QK");
        assert_eq!(names[&1], "X_spmd");
    }
}
