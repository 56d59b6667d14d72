//! The parts of a raw document serde reads (everything but the task rows,
//! which the streaming reader parses itself). Unknown keys are ignored: the
//! host_build_graph variant adds several metadata keys, and 2026-06/07
//! files carry `local_at_*` on scheduler records.

use serde::Deserialize;

use crate::capture::formats::json::Int;

#[derive(Debug, Deserialize)]
pub struct HostRow {
    #[serde(default)]
    pub submit_idx: Option<Int>,
    #[serde(default)]
    pub task_id: Option<Int>,
    #[serde(default)]
    pub start_host_ns: Option<Int>,
    #[serde(default)]
    pub end_host_ns: Option<Int>,
}

#[derive(Debug, Deserialize)]
pub struct UploadRow {
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub start_host_ns: Option<Int>,
    #[serde(default)]
    pub end_host_ns: Option<Int>,
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub clock_freq_hz: Option<Int>,
    #[serde(default)]
    pub num_cores: Option<Int>,
    #[serde(default)]
    pub core_types: Option<Vec<String>>,
    #[serde(default)]
    pub core_to_thread: Option<Vec<Int>>,
}

#[derive(Debug, Deserialize)]
pub struct SchedRow {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub start_cycles: Option<Int>,
    #[serde(default)]
    pub end_cycles: Option<Int>,
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
    pub submit_idx: Option<Int>,
    #[serde(default)]
    pub task_id: Option<Int>,
    #[serde(default)]
    pub start_cycles: Option<Int>,
    #[serde(default)]
    pub end_cycles: Option<Int>,
}
