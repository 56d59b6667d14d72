//! Task id → where its rows are. A row is located by `(core, start)`, not by
//! its index: indexes shift when an early row is inserted into a lane, a
//! start does not, so the index needs no update when lanes are merged.

use std::collections::HashMap;

use crate::record::{Ns, TaskId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Loc {
    pub core: u32,
    pub start: Ns,
}

/// Almost every id has one row (one per round per core for MIX and SPMD
/// tasks), so the single case stays inline.
#[derive(Debug, Clone)]
enum Locs {
    One(Loc),
    Many(Vec<Loc>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskIndex {
    map: HashMap<TaskId, Locs>,
    /// Locations held in `Locs::Many` vectors (for the memory estimate).
    spilled: usize,
}

impl TaskIndex {
    pub(crate) fn add(&mut self, id: TaskId, loc: Loc) {
        match self.map.get_mut(&id) {
            None => {
                self.map.insert(id, Locs::One(loc));
            }
            Some(Locs::One(first)) => {
                let first = *first;
                self.map.insert(id, Locs::Many(vec![first, loc]));
                self.spilled += 2;
            }
            Some(Locs::Many(v)) => {
                v.push(loc);
                self.spilled += 1;
            }
        }
    }

    /// Every location recorded for `id` (possibly repeated: several rows may
    /// share a core and a start).
    pub(crate) fn get(&self, id: TaskId) -> &[Loc] {
        match self.map.get(&id) {
            None => &[],
            Some(Locs::One(l)) => std::slice::from_ref(l),
            Some(Locs::Many(v)) => v,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.spilled = 0;
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.map.capacity() * (size_of::<TaskId>() + size_of::<Locs>() + 1)
            + self.spilled * size_of::<Loc>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many_locations() {
        let mut ix = TaskIndex::default();
        let id = TaskId::new(1, 2);
        assert!(ix.get(id).is_empty());
        ix.add(id, Loc { core: 3, start: 10 });
        assert_eq!(ix.get(id), &[Loc { core: 3, start: 10 }]);
        ix.add(id, Loc { core: 9, start: 12 });
        ix.add(id, Loc { core: 9, start: 12 });
        assert_eq!(ix.get(id).len(), 3);
        ix.clear();
        assert!(ix.get(id).is_empty());
    }
}
