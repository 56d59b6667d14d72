//! What a reader noticed but did not fail on (spec §2.6: drop and count).

use super::detect::Generation;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// The generation the file was read as.
    pub generation: Option<Generation>,
    /// Rows and phase records dropped for `end < start` or for times absurdly
    /// far from the run (an AICore half that never arrived underflows).
    pub dropped_rows: usize,
    /// AICPU rows without an AICore row of the same `(core_id, reg_task_id)`
    /// (the AICore buffer was lost to rotation, spec §5.4).
    pub unmatched_aicpu_rows: usize,
    /// Problems with optional sibling files (name map, deps.json) that were
    /// skipped rather than failing the capture.
    pub warnings: Vec<String>,
}
