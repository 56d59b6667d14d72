//! Where things sit in the converter's trace (spec §9.1): process ids and
//! names, thread ids and names, slice colours.

use crate::record::{OrchPhase, SchedPhase};

pub const PID_ORCH: u32 = 1;
pub const PID_SCHED: u32 = 2;
pub const PID_SCHED_VIEW: u32 = 3;
pub const PID_WORKER: u32 = 4;

pub const WORKER_VIEW: &str = "Worker View";
pub const SCHED_VIEW: &str = "Scheduler View";
pub const SCHEDULER: &str = "AICPU Scheduler";
pub const ORCHESTRATOR: &str = "AICPU Orchestrator";

/// Pseudo-thread of the global ready-queue counter.
pub const TID_QUEUE: u32 = 3999;

/// A core's lane; Scheduler View overflow lanes follow at +1, +2, ….
pub fn core_tid(core: u32) -> u64 {
    10_000 + 10 * u64::from(core)
}

/// Scheduler thread `t`'s lane (`sub` 0) and its `resolve` sub-lane (1).
pub fn sched_tid(thread: u16, sub: u8) -> u64 {
    30_000 + 10 * u64::from(thread) + u64::from(sub)
}

pub fn orch_tid(index: u16) -> u64 {
    4_000 + u64::from(index)
}

/// Worker View lane of AICPU thread `n` (dummy / predicated-skip markers,
/// alloc bars).
pub fn aicpu_tid(n: u32) -> u64 {
    19_000 + u64::from(n)
}

/// Scheduler phase kinds the current converter draws on the `Sched_t`
/// lanes. swimtop also draws the kinds it does not know or that retired
/// (`idle`, `scan`, `poll`, `wire`, …) rather than drop what the capture
/// holds; the legacy converter drew `idle` and `scan` too.
pub fn sched_colour(kind: &SchedPhase) -> &'static str {
    match kind {
        SchedPhase::Complete => "good",
        SchedPhase::Dispatch => "terrible",
        SchedPhase::AsyncPoll => "yellow",
        SchedPhase::Release => "olive",
        SchedPhase::Dummy | SchedPhase::DummyTask => "grey",
        SchedPhase::EarlyDispatch | SchedPhase::GraphPrepare => "rail_animation",
        SchedPhase::Drain => "cq_build_running",
        SchedPhase::DrainPrepare => "cq_build_attempt_runnable",
        SchedPhase::DrainPublish => "cq_build_attempt_passed",
        SchedPhase::Resolve => "vsync_highlight_color",
        // Legacy converter colours.
        SchedPhase::Idle => "yellow",
        SchedPhase::Scan => "thread_state_running",
        _ => "generic_work",
    }
}

pub fn orch_colour(kind: &OrchPhase) -> &'static str {
    match kind {
        OrchPhase::Submit | OrchPhase::Fanin => "rail_animation",
        OrchPhase::Sync => "thread_state_iowait",
        OrchPhase::Alloc => "terrible",
        OrchPhase::Params => "good",
        OrchPhase::Lookup => "thread_state_running",
        OrchPhase::Insert => "olive",
        _ => "generic_work",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_follow_the_converter() {
        assert_eq!(core_tid(7), 10_070);
        assert_eq!(sched_tid(1, 1), 30_011);
        assert_eq!(orch_tid(0), 4_000);
        assert_eq!(aicpu_tid(3), 19_003);
    }
}
