//! `deps.json` from the runtime's dep_gen replay (spec §7): the true
//! dependency graph, a superset of the seed-era per-task `fanout`.

mod graph;
mod read;
mod write;

pub use graph::{parse_graph, read_graph};
pub use read::{parse, read};
pub use write::write;

use crate::record::{CoreType, SubmitRecord, TaskId};
use crate::store::hash::IdMap;

/// What swimtop takes from a deps.json.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deps {
    /// `tasks[]` in submission order, with their args and incoming edges.
    pub submits: Vec<SubmitRecord>,
    /// Deduplicated `(pred, succ)` pairs in first-seen order: the arrows.
    pub edges: Vec<(TaskId, TaskId)>,
}

impl Deps {
    /// Kernel per subtask slot `[aic, aiv0, aiv1]` by task.
    pub fn kernel_ids(&self) -> IdMap<TaskId, [i32; 3]> {
        self.submits
            .iter()
            .map(|s| (s.task_id, s.kernel_ids))
            .collect()
    }
}

/// Spec §7.3: the func id of a row whose capture did not say, from its
/// task's `kernel_ids`: AIC → slot 0; AIV → AIV0, else AIV1; else −1.
pub fn func_id_for(kernel_ids: &[i32; 3], core_type: CoreType) -> i32 {
    let pick = |k: i32| (k >= 0).then_some(k);
    match core_type {
        CoreType::Aic => pick(kernel_ids[0]),
        CoreType::Aiv => pick(kernel_ids[1]).or_else(|| pick(kernel_ids[2])),
    }
    .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn func_ids_follow_the_slot_rule() {
        assert_eq!(func_id_for(&[2, 3, -1], CoreType::Aic), 2);
        assert_eq!(func_id_for(&[2, 3, -1], CoreType::Aiv), 3);
        assert_eq!(func_id_for(&[-1, -1, 5], CoreType::Aiv), 5);
        assert_eq!(func_id_for(&[-1, 1, -1], CoreType::Aic), -1);
    }
}
