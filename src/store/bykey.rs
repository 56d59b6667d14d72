//! A lane's per-key answers (busy time and rows per function, or per phase
//! name): the row-position table ([`KeyPrefix`]) when the lane is clean,
//! else one interval column per key ([`Keyed`]). A lane holds one or the
//! other, never both: the table is what clean lanes are queried with, and
//! the per-key columns would cost another 32 bytes a row for nothing.
//! Overlapping rows (or more than [`MAX_KEYS`](super::keyprefix::MAX_KEYS)
//! keys) switch a lane to the columns, rebuilt from its rows; an eviction
//! that leaves it clean switches it back.

use super::intervals::{Intervals, Keyed};
use super::keyprefix::KeyPrefix;
use super::query::{self, CellNs};
use crate::record::Ns;

#[derive(Debug, Clone)]
pub(crate) struct ByKey<K> {
    table: KeyPrefix<K>,
    cols: Keyed<K>,
    /// `cols` holds every row of the lane. False while the table answers
    /// (then `cols` is empty).
    cols_live: bool,
}

impl<K> Default for ByKey<K> {
    fn default() -> ByKey<K> {
        ByKey {
            table: KeyPrefix::default(),
            cols: Keyed::default(),
            cols_live: true,
        }
    }
}

impl<K: Copy + Ord> ByKey<K> {
    /// The lane kept its first `len` rows (it is merging new ones in).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.table.truncate(len);
    }

    /// The lane merged `new` rows: it now has `iv.len()` rows, row `i` under
    /// `key(i)`.
    pub(crate) fn merged(
        &mut self,
        iv: &Intervals,
        key: impl Fn(usize) -> K,
        new: impl Iterator<Item = (K, Ns, Ns)>,
    ) {
        self.table.sync(iv, &key);
        if self.table.ready(iv.len()) {
            self.drop_cols();
        } else if self.cols_live {
            for (k, s, e) in new {
                self.cols.queue(k, s, e);
            }
            self.cols.flush();
        } else {
            self.rebuild_cols(iv, key);
        }
    }

    /// The lane dropped its first `m` rows, `per_key` of them under each key.
    pub(crate) fn drained(
        &mut self,
        iv: &Intervals,
        key: impl Fn(usize) -> K,
        m: usize,
        per_key: &[(K, usize)],
    ) {
        self.table.drain_front(m);
        self.table.prune();
        if self.cols_live {
            for &(k, n) in per_key {
                self.cols.drain_front(k, n);
            }
            self.cols.seal_all();
        }
        self.settle(iv, key);
    }

    /// The lane was rebuilt from its kept rows (and this from default).
    pub(crate) fn rebuilt(&mut self, iv: &Intervals, key: impl Fn(usize) -> K) {
        self.cols_live = false;
        self.settle(iv, key);
    }

    fn settle(&mut self, iv: &Intervals, key: impl Fn(usize) -> K) {
        self.table.sync(iv, &key);
        if self.table.ready(iv.len()) {
            self.drop_cols();
        } else if !self.cols_live {
            self.rebuild_cols(iv, key);
        }
    }

    fn drop_cols(&mut self) {
        if self.cols_live {
            self.cols = Keyed::default();
            self.cols_live = false;
        }
    }

    /// Every row into per-key columns; lane order is each key's order too.
    fn rebuild_cols(&mut self, iv: &Intervals, key: impl Fn(usize) -> K) {
        self.cols = Keyed::default();
        for i in 0..iv.len() {
            self.cols.push_sorted(key(i), iv.start(i), iv.end(i));
        }
        self.cols.seal_all();
        self.cols_live = true;
    }

    /// The lane's window (see [`query::window`]): from the table when it has
    /// one, else from the per-key columns.
    pub(crate) fn window(
        &self,
        iv: &Intervals,
        key_id: impl Fn(K) -> u32,
        t0: Ns,
        t1: Ns,
        columns: usize,
    ) -> Vec<CellNs> {
        query::window(iv, &self.cols, &self.table, key_id, t0, t1, columns)
    }

    /// Per key with rows on the lane, ascending: busy ns and rows
    /// overlapping `range` (or over the whole lane). Keys with no rows in
    /// the range are listed with zeros.
    pub(crate) fn per_key(&self, iv: &Intervals, range: Option<(Ns, Ns)>) -> Vec<(K, u64, u64)> {
        if self.cols_live {
            return self
                .cols
                .iter()
                .map(|(k, col)| {
                    let (busy, count) = match range {
                        None => (col.total_busy(), col.len() as u64),
                        Some((t0, t1)) => (col.busy(t0, t1), col.count(t0, t1) as u64),
                    };
                    (k, busy, count)
                })
                .collect();
        }
        self.table.per_key(iv, range)
    }

    /// True when the per-key table answers for this lane.
    #[cfg(test)]
    pub(crate) fn has_table(&self, rows: usize) -> bool {
        self.table.ready(rows) && !self.cols_live
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.heap_bytes() + self.cols.heap_bytes()
    }
}
