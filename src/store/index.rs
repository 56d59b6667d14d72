//! Task id → where its rows are. A row is located by `(core, start)`, not by
//! its index: indexes shift when an early row is inserted into a lane, a
//! start does not, so the index needs no update when lanes are merged.
//!
//! Two parts: a sorted list that ids arriving in order are appended to (a
//! file's tasks come sorted by id; 24 bytes an entry), and a hash map for
//! the rest (a live device's later rounds reuse ids). A million tasks in
//! the map would take a 2M-bucket table, 52 MB; in the list, 24 MB. Removed
//! list entries become tombstones, swept out once they are half the list.

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

/// A list entry; `core == GONE` marks a removed one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sorted {
    pub id: TaskId,
    pub core: u32,
    pub start: Ns,
}

impl Sorted {
    /// A placeholder that stays a tombstone unless filled.
    pub(crate) fn gone() -> Sorted {
        Sorted {
            id: TaskId(0),
            core: GONE,
            start: 0,
        }
    }
}

const GONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskIndex {
    /// Ids in ascending order (ties in arrival order).
    sorted: Vec<Sorted>,
    tombstones: usize,
    map: IdMap<TaskId, Locs>,
    /// Locations held in `Locs::Many` vectors (for the memory estimate).
    spilled: usize,
}

impl TaskIndex {
    pub(crate) fn add(&mut self, id: TaskId, loc: Loc) {
        // An id goes to the list only if it is not below the list's last
        // one: then all of an id's list entries came before its map ones,
        // and `get` returns them in arrival order.
        if self.sorted.last().is_none_or(|l| l.id <= id) && !self.map.contains_key(&id) {
            self.sorted.push(Sorted {
                id,
                core: loc.core,
                start: loc.start,
            });
            return;
        }
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

    /// The list entries of `id`, tombstones included.
    fn run(&self, id: TaskId) -> std::ops::Range<usize> {
        let lo = self.sorted.partition_point(|e| e.id < id);
        let hi = lo + self.sorted[lo..].partition_point(|e| e.id == id);
        lo..hi
    }

    /// Every location recorded for `id` (possibly repeated: several rows may
    /// share a core and a start).
    pub(crate) fn get(&self, id: TaskId) -> Vec<Loc> {
        let mut out: Vec<Loc> = self.sorted[self.run(id)]
            .iter()
            .filter(|e| e.core != GONE)
            .map(|e| Loc {
                core: e.core,
                start: e.start,
            })
            .collect();
        match self.map.get(&id) {
            None => {}
            Some(&Locs::One { core, start }) => out.push(Loc { core, start }),
            Some(Locs::Many(v)) => out.extend_from_slice(v),
        }
        out
    }

    /// True when some live row has `id`.
    pub(crate) fn contains(&self, id: TaskId) -> bool {
        self.sorted[self.run(id)].iter().any(|e| e.core != GONE) || self.map.contains_key(&id)
    }

    /// Forgets one location of `id` (a row that was evicted).
    pub(crate) fn remove(&mut self, id: TaskId, loc: Loc) {
        let run = self.run(id);
        if let Some(e) = self.sorted[run]
            .iter_mut()
            .find(|e| e.core == loc.core && e.start == loc.start)
        {
            e.core = GONE;
            self.tombstones += 1;
            if self.tombstones * 2 > self.sorted.len() {
                self.sorted.retain(|e| e.core != GONE);
                self.sorted.shrink_to_fit();
                self.tombstones = 0;
            }
            return;
        }
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

    /// Adds a run of ids in arrival order, as [`TaskIndex::add`] one by one
    /// would; an empty index takes a sorted run as its list, without a copy.
    pub(crate) fn extend(&mut self, run: Vec<Sorted>) {
        let live = || run.iter().filter(|e| e.core != GONE);
        if self.sorted.is_empty() && self.map.is_empty() && live().is_sorted_by_key(|e| e.id) {
            let gaps = live().count() < run.len();
            self.sorted = run;
            if gaps {
                self.sorted.retain(|e| e.core != GONE);
            }
            return;
        }
        for e in run.into_iter().filter(|e| e.core != GONE) {
            self.add(
                e.id,
                Loc {
                    core: e.core,
                    start: e.start,
                },
            );
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let mut ids: Vec<TaskId> = self
            .sorted
            .iter()
            .filter(|e| e.core != GONE)
            .map(|e| e.id)
            .collect();
        ids.dedup();
        ids.retain(|id| !self.map.contains_key(id));
        ids.len() + self.map.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * size_of::<Sorted>()
            + self.map.capacity() * (size_of::<TaskId>() + size_of::<Locs>() + 1)
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
        assert_eq!(size_of::<Sorted>(), 24);
    }

    /// Ids in order go to the list, the rest to the map; either way `get`
    /// answers in arrival order and `remove` finds them, and a list that is
    /// mostly tombstones is swept.
    #[test]
    fn list_and_map_answer_alike() {
        let mut ix = TaskIndex::default();
        let at = |c: u32| Loc { core: c, start: 10 };
        for i in 0..100u32 {
            ix.add(TaskId::new(0, i), at(i));
        }
        ix.add(TaskId::new(0, 99), at(7)); // equal to the last: list
        ix.add(TaskId::new(0, 5), at(8)); // below: map
        ix.add(TaskId::new(0, 99), at(9)); // list again
        assert_eq!(ix.map.len(), 1);
        assert_eq!(ix.get(TaskId::new(0, 5)), vec![at(5), at(8)]);
        assert_eq!(ix.get(TaskId::new(0, 99)), vec![at(99), at(7), at(9)]);
        assert_eq!(ix.len(), 100);
        ix.remove(TaskId::new(0, 5), at(8));
        ix.remove(TaskId::new(0, 5), at(5));
        assert!(ix.get(TaskId::new(0, 5)).is_empty());
        for i in 0..60u32 {
            ix.remove(TaskId::new(0, i), at(i));
        }
        assert!(ix.sorted.len() < 60, "swept: {}", ix.sorted.len());
        assert_eq!(ix.get(TaskId::new(0, 60)), vec![at(60)]);
        assert_eq!(ix.len(), 40);
    }
}
