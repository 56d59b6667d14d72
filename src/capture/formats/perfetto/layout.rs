//! Where things sit in the converter's trace (spec §9.1): process ids and
//! names, thread ids and names, slice colours. Shared by writer and reader.

use crate::record::{CoreType, OrchPhase, SchedPhase};

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

/// What a process holds, from its name (current and legacy layouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// `Worker View`, legacy `AICore View`.
    Worker,
    /// `Scheduler View`, legacy `AICPU View`.
    SchedView,
    Scheduler,
    /// `AICPU Orchestrator`, `AICPU <orchestrator_name>`, `Host Orchestrator`.
    Orchestrator,
    Other,
}

pub fn process_of(name: &str) -> Process {
    match name {
        WORKER_VIEW | "AICore View" => Process::Worker,
        SCHED_VIEW | "AICPU View" => Process::SchedView,
        SCHEDULER => Process::Scheduler,
        ORCHESTRATOR | "Host Orchestrator" => Process::Orchestrator,
        n if n.starts_with("AICPU ") => Process::Orchestrator,
        _ => Process::Other,
    }
}

/// The orchestrator's name when the process is `AICPU <name>`.
pub fn orchestrator_name(process: &str) -> Option<&str> {
    match process.strip_prefix("AICPU ") {
        Some(n) if process_of(process) == Process::Orchestrator && process != ORCHESTRATOR => {
            Some(n)
        }
        _ => None,
    }
}

/// What a thread is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    Core(u32, CoreType),
    Sched(u16),
    Orch(u16),
    Aicpu(u32),
    Other,
}

pub fn thread_of(name: &str) -> Thread {
    let num = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.parse::<u32>().ok())
    };
    // An AICPU thread number no chip has is not a thread lane.
    let small = |prefix: &str| {
        num(prefix)
            .filter(|&n| n < crate::record::MAX_AICPU_THREADS)
            .and_then(|n| u16::try_from(n).ok())
    };
    // A core number no chip has is not a core lane (see MAX_CORES).
    let core = |prefix: &str| num(prefix).filter(|&c| c < crate::record::MAX_CORES);
    if let Some(c) = core("AIC_") {
        Thread::Core(c, CoreType::Aic)
    } else if let Some(c) = core("AIV_") {
        Thread::Core(c, CoreType::Aiv)
    } else if let Some(t) = small("Sched_") {
        Thread::Sched(t)
    } else if let Some(i) = small("Orch_") {
        Thread::Orch(i)
    } else if let Some(i) = small("Host_") {
        Thread::Orch(crate::record::HOST_ORCH_LANE.saturating_add(i))
    } else if let Some(n) = num("AICPU_") {
        Thread::Aicpu(n)
    } else {
        Thread::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify() {
        assert_eq!(process_of("AICore View"), Process::Worker);
        assert_eq!(process_of("AICPU View"), Process::SchedView);
        assert_eq!(process_of("AICPU TinyAttn"), Process::Orchestrator);
        assert_eq!(orchestrator_name("AICPU TinyAttn"), Some("TinyAttn"));
        assert_eq!(orchestrator_name(ORCHESTRATOR), None);
        assert_eq!(orchestrator_name(SCHEDULER), None);
        assert_eq!(thread_of("AIV_17"), Thread::Core(17, CoreType::Aiv));
        assert_eq!(thread_of("AIC_8191"), Thread::Core(8191, CoreType::Aic));
        assert_eq!(thread_of("AIC_8192"), Thread::Other, "no chip has it");
        assert_eq!(thread_of("Sched_63"), Thread::Sched(63));
        assert_eq!(thread_of("Sched_65535"), Thread::Other, "no chip has it");
        assert_eq!(thread_of("Sched_2"), Thread::Sched(2));
        assert_eq!(thread_of("AICPU_3"), Thread::Aicpu(3));
        assert_eq!(thread_of("shared_ready_queue (global)"), Thread::Other);
        assert_eq!(core_tid(7), 10_070);
        assert_eq!(sched_tid(1, 1), 30_011);
    }
}
