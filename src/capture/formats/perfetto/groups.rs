//! A compact grouping: values by key in first-seen key order, with an
//! index that turns the dense task ids of a run into array reads.

use std::hash::Hash;

use super::hash::FastMap;
use crate::record::TaskId;

/// Values grouped by key: groups in first-seen key order, values in input
/// order within a group. Two flat vectors and one index.
#[derive(Debug, Clone)]
pub struct Groups<K, V> {
    keys: Vec<K>,
    /// `starts[g]..starts[g + 1]` are group `g`'s values.
    starts: Vec<usize>,
    values: Vec<V>,
    index: DenseIndex<K>,
}

/// A key that is usually a small integer within a few families (task ids:
/// a ring and a dense local id).
pub trait DenseKey: Copy + Eq + Hash {
    /// `(family, position)`, or `None` for a key to keep in a hash map.
    fn parts(self) -> Option<(usize, u32)>;
}

impl DenseKey for TaskId {
    fn parts(self) -> Option<(usize, u32)> {
        (self.0 >> 40 == 0).then(|| (usize::from(self.ring()), self.local()))
    }
}

impl DenseKey for u16 {
    fn parts(self) -> Option<(usize, u32)> {
        Some((0, u32::from(self)))
    }
}

impl DenseKey for i32 {
    fn parts(self) -> Option<(usize, u32)> {
        u32::try_from(self).ok().map(|v| (0, v))
    }
}

/// Key → group. Task ids of a run are dense per ring, so most lookups are
/// an array read that follows task order instead of a random probe into a
/// million-entry hash table (the writer's hottest cost before this).
#[derive(Debug, Clone)]
struct DenseIndex<K> {
    /// Per family: group + 1 by position (0 = absent), or empty when the
    /// family's keys are too sparse for an array.
    dense: Vec<Vec<u32>>,
    sparse: FastMap<K, usize>,
}

impl<K: DenseKey> DenseIndex<K> {
    fn new(keys: &[K]) -> DenseIndex<K> {
        let mut count: Vec<(usize, u32)> = Vec::new();
        for k in keys {
            if let Some((f, p)) = k.parts() {
                if count.len() <= f {
                    count.resize(f + 1, (0, 0));
                }
                count[f].0 += 1;
                count[f].1 = count[f].1.max(p);
            }
        }
        // An array costs at most a few slots per key.
        let dense: Vec<Vec<u32>> = count
            .iter()
            .map(|&(n, max)| {
                let len = max as usize + 1;
                if n > 0 && len <= 4 * n + 1024 {
                    vec![0u32; len]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut index = DenseIndex {
            dense,
            sparse: FastMap::default(),
        };
        for (g, k) in keys.iter().enumerate() {
            match k.parts() {
                Some((f, p)) if !index.dense[f].is_empty() => {
                    index.dense[f][p as usize] = g as u32 + 1;
                }
                _ => {
                    index.sparse.insert(*k, g);
                }
            }
        }
        index
    }

    fn get(&self, k: &K) -> Option<usize> {
        if let Some((f, p)) = k.parts()
            && let Some(arr) = self.dense.get(f)
            && !arr.is_empty()
        {
            return match arr.get(p as usize) {
                Some(&g) if g > 0 => Some(g as usize - 1),
                _ => None,
            };
        }
        self.sparse.get(k).copied()
    }
}

impl<K: DenseKey, V: Copy> Groups<K, V> {
    pub fn build(items: impl IntoIterator<Item = (K, V)>) -> Groups<K, V> {
        let mut index: FastMap<K, usize> = FastMap::default();
        let mut keys = Vec::new();
        let mut tagged = Vec::new();
        for (k, v) in items {
            let g = *index.entry(k).or_insert_with(|| {
                keys.push(k);
                keys.len() - 1
            });
            tagged.push((g, v));
        }
        let mut starts = vec![0usize; keys.len() + 1];
        for (g, _) in &tagged {
            starts[g + 1] += 1;
        }
        for g in 0..keys.len() {
            starts[g + 1] += starts[g];
        }
        let mut fill = starts.clone();
        let mut slots: Vec<Option<V>> = vec![None; tagged.len()];
        for (g, v) in tagged {
            slots[fill[g]] = Some(v);
            fill[g] += 1;
        }
        drop(index);
        Groups {
            index: DenseIndex::new(&keys),
            keys,
            starts,
            values: slots.into_iter().flatten().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn group(&self, g: usize) -> (K, &[V]) {
        (self.keys[g], self.values(g))
    }

    pub fn get(&self, k: &K) -> &[V] {
        self.find(k).map_or(&[], |g| self.values(g))
    }

    /// The group of `k`.
    pub fn find(&self, k: &K) -> Option<usize> {
        self.index.get(k)
    }

    pub fn values(&self, g: usize) -> &[V] {
        &self.values[self.starts[g]..self.starts[g + 1]]
    }

    pub fn contains(&self, k: &K) -> bool {
        self.index.get(k).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (K, &[V])> {
        (0..self.len()).map(|g| self.group(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_first_seen_order() {
        let g = Groups::build([(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')]);
        let all: Vec<(i32, Vec<char>)> = g.iter().map(|(k, v)| (k, v.to_vec())).collect();
        assert_eq!(
            all,
            vec![(3, vec!['a', 'c']), (1, vec!['b', 'e']), (2, vec!['d'])]
        );
        assert_eq!(g.get(&9), &[] as &[char]);
        assert!(g.contains(&2));
    }

    #[test]
    fn dense_and_sparse_keys_both_index() {
        let far = TaskId(u64::MAX);
        let keys = [
            TaskId::new(1, 5),
            TaskId::new(0, 0),
            TaskId::new(2, 4_000_000_000),
            far,
            TaskId::new(1, 0),
        ];
        let g = Groups::build(keys.iter().map(|&k| (k, ())));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(g.find(k), Some(i), "{k:?}");
        }
        assert_eq!(g.find(&TaskId::new(1, 1)), None);
        assert_eq!(g.find(&TaskId::new(1, 99)), None);
        assert_eq!(g.find(&TaskId::new(7, 0)), None);
        assert_eq!(g.find(&TaskId::new(2, 3)), None);
    }
}
