//! The `tasks[]` document as serde sees it. Every generation's keys are
//! optional here; unknown keys (`ring_id`, `duration_us`, `fanout_count`,
//! `kernel_ready_time_us`, …) are ignored because they are derived or retired.

use serde::Deserialize;

use crate::capture::formats::json::Int;

#[derive(Debug, Deserialize)]
pub struct Doc {
    #[serde(default)]
    pub tasks: Option<Vec<TaskRow>>,
    #[serde(default)]
    pub aicpu_scheduler_phases: Option<Vec<Vec<SchedRow>>>,
    #[serde(default)]
    pub aicpu_orchestrator: Option<OrchSummaryRow>,
    #[serde(default)]
    pub aicpu_orchestrator_phases: Option<Vec<Vec<OrchRow>>>,
    #[serde(default)]
    pub core_to_thread: Option<Vec<Int>>,
}

#[derive(Debug, Deserialize)]
pub struct TaskRow {
    pub task_id: Int,
    /// Required by every converter, but T-F writes −1 and a missing key must
    /// not cost the whole file.
    #[serde(default = "unknown_func")]
    pub func_id: Int,
    pub core_id: Int,
    pub core_type: String,
    pub start_time_us: f64,
    pub end_time_us: f64,
    #[serde(default)]
    pub dispatch_time_us: Option<f64>,
    #[serde(default)]
    pub finish_time_us: Option<f64>,
    #[serde(default)]
    pub fanout: Option<Vec<Int>>,
}

fn unknown_func() -> Int {
    Int(u64::MAX)
}

#[derive(Debug, Deserialize)]
pub struct SchedRow {
    pub start_time_us: f64,
    pub end_time_us: f64,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub loop_iter: Option<Int>,
    #[serde(default)]
    pub tasks_processed: Option<Int>,
    #[serde(default)]
    pub pop_hit: Option<Int>,
    #[serde(default)]
    pub pop_miss: Option<Int>,
    #[serde(default)]
    pub task_id: Option<Int>,
    #[serde(default)]
    pub shared_at_start: Option<Vec<i64>>,
    #[serde(default)]
    pub shared_at_end: Option<Vec<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct OrchRow {
    #[serde(default)]
    pub phase: Option<String>,
    pub start_time_us: f64,
    pub end_time_us: f64,
    #[serde(default)]
    pub submit_idx: Option<Int>,
    #[serde(default)]
    pub task_id: Option<Int>,
}

#[derive(Debug, Deserialize)]
pub struct OrchSummaryRow {
    pub start_time_us: f64,
    pub end_time_us: f64,
    #[serde(default)]
    pub submit_count: Option<Int>,
    #[serde(default)]
    pub phase_us: Option<PhaseUs>,
}

/// Cumulative µs per orchestrator sub-step (not offsets).
#[derive(Debug, Default, Deserialize)]
pub struct PhaseUs {
    #[serde(default)]
    pub sync: Option<f64>,
    #[serde(default)]
    pub alloc: Option<f64>,
    #[serde(default)]
    pub params: Option<f64>,
    #[serde(default)]
    pub lookup: Option<f64>,
    #[serde(default)]
    pub heap: Option<f64>,
    #[serde(default)]
    pub insert: Option<f64>,
    #[serde(default)]
    pub fanin: Option<f64>,
    #[serde(default)]
    pub scope_end: Option<f64>,
}

impl Doc {
    /// Spec §1.2's effective level (current numbering) from content alone.
    pub fn content_level(&self) -> u8 {
        if any_record(&self.aicpu_orchestrator_phases) || self.aicpu_orchestrator.is_some() {
            return 4;
        }
        if any_record(&self.aicpu_scheduler_phases) {
            return 3;
        }
        let lifecycle = self.tasks.iter().flatten().any(|t| {
            t.finish_time_us.is_some_and(|f| f > 0.0)
                || t.fanout.as_ref().is_some_and(|f| !f.is_empty())
        });
        if lifecycle { 2 } else { 1 }
    }

    /// `pop_hit`/`pop_miss` on scheduler records appeared on 2026-05-15,
    /// inside the L-C window: the one content hint that separates L-B/L-C
    /// from L-A.
    pub fn has_pop_counts(&self) -> bool {
        self.aicpu_scheduler_phases
            .iter()
            .flatten()
            .flatten()
            .any(|r| r.pop_hit.is_some() || r.pop_miss.is_some())
    }
}

fn any_record<T>(lists: &Option<Vec<Vec<T>>>) -> bool {
    lists
        .as_ref()
        .is_some_and(|l| l.iter().any(|x| !x.is_empty()))
}
