//! Scheduler and orchestrator records from their slices: `AICPU Scheduler`
//! phases, `AICPU_n` markers and orchestrator submit bars.

use super::doc::Slice;
use super::layout::Thread;
use super::read::{Clock, Lanes};
use crate::record::{OrchPhase, OrchPhaseRecord, SchedPhase, SchedPhaseRecord, TaskId};

/// `u64` → `u32`, saturating (counters never get that large).
pub fn small(v: Option<u64>) -> u32 {
    v.map_or(0, |x| u32::try_from(x).unwrap_or(u32::MAX))
}

/// A phase record's `task_id`: −1 (any negative) means none.
pub fn task_arg(v: Option<i128>) -> Option<TaskId> {
    v.and_then(|x| u64::try_from(x).ok()).map(TaskId)
}

/// A slice's own task: `task_id`, else `taskId`, the hint, the label.
pub fn slice_task(s: &Slice) -> Option<TaskId> {
    task_arg(s.args.task_id)
        .or(s.args.task_id_arg.map(TaskId))
        .or(s.args.hint_task)
        .or_else(|| super::label::split(&s.name).1)
}

/// A dummy-task / predicated-skip marker on an `AICPU_n` lane.
pub fn marker(s: &Slice, n: u32, clock: Clock) -> Option<SchedPhaseRecord> {
    let kind = if s.args.phase.as_deref() == Some("dummy_task") {
        SchedPhase::DummyTask
    } else if s.args.predicated_pass == Some(false) {
        SchedPhase::PredicatedSkip
    } else {
        return None;
    };
    Some(SchedPhaseRecord {
        round: 0,
        thread: u16::try_from(n).unwrap_or(u16::MAX),
        kind,
        start_ns: clock.at(s.ts),
        end_ns: clock.at(s.ts.saturating_add(s.dur)),
        loop_iter: small(s.args.loop_iter),
        tasks_processed: 1,
        pops: None,
        shared_at_start: None,
        shared_at_end: None,
        task_id: slice_task(s),
    })
}

pub fn alloc_task(s: &Slice) -> Option<TaskId> {
    (s.args.phase.as_deref() == Some("alloc"))
        .then(|| slice_task(s))
        .flatten()
}

pub fn phase(s: &Slice, lanes: &Lanes, clock: Clock) -> Option<SchedPhaseRecord> {
    let Thread::Sched(thread) = lanes.thread(s) else {
        return None;
    };
    let (base, _) = super::label::split(&s.name);
    let name = s.args.phase.as_deref().unwrap_or(base);
    if name.is_empty() {
        return None;
    }
    let counted = s
        .name
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|n| n.parse::<u64>().ok());
    let pops = (s.args.pop_hit.is_some() || s.args.pop_miss.is_some())
        .then(|| (small(s.args.pop_hit), small(s.args.pop_miss)));
    Some(SchedPhaseRecord {
        round: 0,
        thread,
        kind: SchedPhase::from_name(name),
        start_ns: clock.at(s.ts),
        end_ns: clock.at(s.ts.saturating_add(s.dur)),
        loop_iter: small(s.args.loop_iter),
        tasks_processed: small(s.args.tasks_processed.or(counted)),
        pops,
        shared_at_start: s.args.shared_at_start,
        shared_at_end: s.args.shared_at_end,
        task_id: task_arg(s.args.task_id),
    })
}

pub fn orch_phase(s: &Slice, lanes: &Lanes, clock: Clock) -> Option<OrchPhaseRecord> {
    let Thread::Orch(thread) = lanes.thread(s) else {
        return None;
    };
    // Only bars that say which phase they are: the legacy summary bar
    // (`Orchestrator(<n> tasks)`) has no per-submit meaning.
    let phase = s.args.phase.as_deref()?;
    let task_id = match s.args.task_id {
        Some(v) => task_arg(Some(v)),
        None => super::label::split(&s.name).1,
    };
    Some(OrchPhaseRecord {
        round: 0,
        thread,
        kind: OrchPhase::from_name(phase),
        start_ns: clock.at(s.ts),
        end_ns: clock.at(s.ts.saturating_add(s.dur)),
        submit_idx: small(s.args.submit_idx),
        task_id,
    })
}
