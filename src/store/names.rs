//! Names: the phase-name interner and the label rules of spec §8.

use std::collections::{BTreeMap, HashMap};

use crate::record::{OrchPhase, SchedPhase, TaskId};

/// Every phase name a known generation writes, interned first and in this
/// order, so their ids do not depend on which records arrive first.
const KNOWN_PHASES: [&str; 27] = [
    "complete",
    "dispatch",
    "idle",
    "scan",
    "poll",
    "resolve",
    "release",
    "dummy",
    "early_dispatch",
    "drain",
    "drain_prepare",
    "drain_publish",
    "async_poll",
    "dummy_task",
    "predicated_skip",
    "graph_prepare",
    "wire",
    "orch_alloc",
    "orch_sync",
    "orch_lookup",
    "orch_insert",
    "orch_params",
    "orch_fanin",
    "orch_heap",
    "orch_finalize",
    "orch_scope_end",
    "orch_submit",
];

/// Interned strings: ids are small, dense and stable for the store's life.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    /// An interner pre-seeded with every known phase name.
    pub(crate) fn with_known_phases() -> Interner {
        let mut i = Interner {
            names: Vec::new(),
            ids: HashMap::new(),
        };
        for name in KNOWN_PHASES {
            i.intern(name);
        }
        i
    }

    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(|s| &**s)
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Bijective base 26 in lowercase letters: 0 → `a`, 25 → `z`, 26 → `aa`.
pub fn bijective_base26(n: u64) -> String {
    let mut letters = Vec::new();
    let mut m = u128::from(n) + 1;
    while m > 0 {
        let rem = (m - 1) % 26;
        letters.push(b'a' + rem as u8);
        m = (m - 1) / 26;
    }
    letters.reverse();
    letters.into_iter().map(char::from).collect()
}

/// The function part of a label (spec §8): `task` for an unresolved id, the
/// name when the name map knows it, else `func_<n>_<letters>`.
pub fn func_label(names: &BTreeMap<i32, String>, func_id: i32) -> String {
    if func_id < 0 {
        "task".to_string()
    } else if let Some(name) = names.get(&func_id) {
        name.clone()
    } else {
        format!("func_{func_id}_{}", bijective_base26(func_id as u64))
    }
}

/// A full task label, `QK(r1t12)`; SPMD tasks get `_spmd` before the
/// parenthesis unless the function part already says "spmd".
pub fn task_label(func_label: &str, task_id: TaskId, spmd: bool) -> String {
    if spmd && !func_label.to_ascii_lowercase().contains("spmd") {
        format!("{func_label}_spmd({task_id})")
    } else {
        format!("{func_label}({task_id})")
    }
}

/// Scheduler kind back from its interned name (`fanout`/`prestage` were
/// interned under their current names, so this is the identity on names).
pub(crate) fn sched_kind(name: &str) -> SchedPhase {
    SchedPhase::from_name(name)
}

pub(crate) fn orch_kind(name: &str) -> OrchPhase {
    OrchPhase::from_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bijective_base26_examples() {
        let cases = [
            (0, "a"),
            (1, "b"),
            (25, "z"),
            (26, "aa"),
            (27, "ab"),
            (51, "az"),
            (52, "ba"),
            (701, "zz"),
            (702, "aaa"),
        ];
        for (n, want) in cases {
            assert_eq!(bijective_base26(n), want, "n={n}");
        }
        assert!(!bijective_base26(u64::MAX).is_empty());
    }

    #[test]
    fn func_labels_follow_spec_section_8() {
        let mut names = BTreeMap::new();
        names.insert(0, "QK".to_string());
        assert_eq!(func_label(&names, 0), "QK");
        assert_eq!(func_label(&names, -1), "task");
        assert_eq!(func_label(&BTreeMap::new(), 0), "func_0_a");
        assert_eq!(func_label(&BTreeMap::new(), 27), "func_27_ab");
        assert_eq!(func_label(&names, 3), "func_3_d");
        assert_eq!(
            task_label("func_0_a", TaskId::new(0, 0), false),
            "func_0_a(t0)"
        );
        assert_eq!(
            task_label("func_27_ab", TaskId::new(1, 3), false),
            "func_27_ab(r1t3)"
        );
        assert_eq!(task_label("QK", TaskId::new(2, 10), true), "QK_spmd(r2t10)");
        assert_eq!(
            task_label("fa_SPMD_x", TaskId::new(0, 1), true),
            "fa_SPMD_x(t1)"
        );
        assert_eq!(task_label("task", TaskId::new(0, 4), false), "task(t4)");
    }

    #[test]
    fn known_phase_ids_are_fixed_and_names_round_trip() {
        let mut a = Interner::with_known_phases();
        let b = Interner::with_known_phases();
        assert_eq!(a.lookup("resolve"), b.lookup("resolve"));
        assert_eq!(a.intern("complete"), 0);
        let n = a.len() as u32;
        assert_eq!(a.intern("mystery"), n);
        assert_eq!(a.intern("mystery"), n);
        assert_eq!(a.get(n), Some("mystery"));
        assert_eq!(a.get(n + 1), None);
        for name in KNOWN_PHASES {
            let back = if name.starts_with("orch_") {
                orch_kind(name).name().to_string()
            } else {
                sched_kind(name).name().to_string()
            };
            assert_eq!(back, name);
        }
    }
}
