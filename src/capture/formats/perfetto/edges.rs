//! The dependency pairs a trace draws.

use super::hash::FastSet;
use crate::record::{Capture, TaskId};

/// Deduplicated `(pred, succ)` pairs in first-seen order: from the submits
/// (deps.json, the true graph) when the capture has them, else from the
/// fanout records (the subset the scheduler saw).
pub fn pairs(c: &Capture) -> Vec<(TaskId, TaskId)> {
    let mut seen = FastSet::default();
    let mut out = Vec::new();
    let mut add = |p: TaskId, s: TaskId| {
        if seen.insert((p, s)) {
            out.push((p, s));
        }
    };
    if c.submits.is_empty() {
        for f in &c.fanout {
            for s in &f.successors {
                add(f.task_id, *s);
            }
        }
    } else {
        for s in &c.submits {
            for e in &s.edges_in {
                add(e.pred, e.succ);
            }
        }
    }
    out
}
