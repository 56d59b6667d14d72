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
    /// What the capture lacks and how to get it (names, dependencies), for
    /// the header and for `stats`.
    pub notes: Vec<String>,
}

impl ReadStats {
    /// One line per thing dropped, skipped or missing, for the user.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.dropped_rows > 0 {
            out.push(format!(
                "{} rows dropped (end before start, or times far outside the run)",
                self.dropped_rows
            ));
        }
        if self.unmatched_aicpu_rows > 0 {
            out.push(format!(
                "{} AICPU rows without an AICore row dropped (AICore buffer lost to rotation)",
                self.unmatched_aicpu_rows
            ));
        }
        out.extend(self.warnings.iter().cloned());
        out.extend(self.notes.iter().cloned());
        out
    }
}
