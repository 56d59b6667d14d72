//! Task id → where its rows are. A row is located by `(core, start)`, not by
//! its index: indexes shift when an early row is inserted into a lane, a
//! start does not, so the index needs no update when lanes are merged.

use std::collections::hash_map::Entry;

use super::hash::IdMap;
use crate::record::{Ns, TaskId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Loc {
    pub core: u32,
    pub start: Ns,
}

/// Almost every id has one row (MIX and SPMD tasks and re-used ids have a
/// few), so the single case stays inline and the entry is 16 bytes.
#[derive(Debug, Clone)]
enum Locs {
    One {
        core: u32,
        start: Ns,
    },
    #[expect(
        clippy::box_collection,
        reason = "a thin pointer keeps Locs at 16 bytes; an inline Vec would make every entry 32"
    )]
    Many(Box<Vec<Loc>>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskIndex {
    map: IdMap<TaskId, Locs>,
    /// Locations held in `Locs::Many` vectors (for the memory estimate).
    spilled: usize,
}

impl TaskIndex {
    pub(crate) fn add(&mut self, id: TaskId, loc: Loc) {
        match self.map.entry(id) {
            Entry::Vacant(v) => {
                v.insert(Locs::One {
                    core: loc.core,
                    start: loc.start,
                });
            }
            Entry::Occupied(mut o) => match o.get_mut() {
                Locs::One { core, start } => {
                    let first = Loc {
                        core: *core,
                        start: *start,
                    };
                    o.insert(Locs::Many(Box::new(vec![first, loc])));
                    self.spilled += 2;
                }
                Locs::Many(v) => {
                    v.push(loc);
                    self.spilled += 1;
                }
            },
        }
    }

    /// Every location recorded for `id` (possibly repeated: several rows may
    /// share a core and a start).
    pub(crate) fn get(&self, id: TaskId) -> Vec<Loc> {
        match self.map.get(&id) {
            None => Vec::new(),
            Some(&Locs::One { core, start }) => vec![Loc { core, start }],
            Some(Locs::Many(v)) => v.to_vec(),
        }
    }

    /// Forgets one location of `id` (a row that was evicted).
    pub(crate) fn remove(&mut self, id: TaskId, loc: Loc) {
        let empty = match self.map.get_mut(&id) {
            None => false,
            Some(&mut Locs::One { core, start }) => core == loc.core && start == loc.start,
            Some(Locs::Many(v)) => {
                if let Some(i) = v.iter().position(|l| *l == loc) {
                    v.swap_remove(i);
                    self.spilled -= 1;
                }
                if let [only] = v.as_slice() {
                    let only = *only;
                    self.spilled -= 1;
                    self.map.insert(
                        id,
                        Locs::One {
                            core: only.core,
                            start: only.start,
                        },
                    );
                }
                false
            }
        };
        if empty {
            self.map.remove(&id);
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
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
        let a = Loc { core: 3, start: 10 };
        let b = Loc { core: 9, start: 12 };
        ix.add(id, a);
        assert_eq!(ix.get(id), vec![a]);
        ix.add(id, b);
        ix.add(id, b);
        assert_eq!(ix.get(id).len(), 3);
        ix.remove(id, b);
        ix.remove(id, a);
        assert_eq!(ix.get(id), vec![b]);
        assert_eq!(ix.spilled, 0);
        ix.remove(id, a);
        assert_eq!(ix.len(), 1);
        ix.remove(id, b);
        assert!(ix.get(id).is_empty());
        assert_eq!(ix.len(), 0);
        assert_eq!(size_of::<Locs>(), 16);
    }
}
