//! A row-position table for non-overlapping lanes: one boundary of a window
//! query — busy time, item counts and every key's share — from one binary
//! search and one table entry.
//!
//! The general query ([`Intervals::eval`] plus one [`Keyed`] sweep per key)
//! reads, at each column boundary, a handful of separate arrays per key; on a
//! 1M-row trace each read is a cache miss, and those misses are the cost of a
//! zoomed-out frame. On a lane whose rows do not overlap (every clean
//! capture) only row `k − 1`, the last one started before the boundary `t`,
//! can straddle `t`. So entry `k` of this table holds everything the boundary
//! needs besides `k` itself (found by searching the start column): the end
//! and key of row `k − 1`, and per key the busy ns and row count of rows
//! `..k`. Per key `q`, with `e` the end of row `k − 1`:
//!
//! - busy before `t`: `busy_q[k] − (e − t)` if row `k − 1` has key `q` and
//!   `e > t`, else `busy_q[k]`;
//! - rows started before `t`: `count_q[k]`;
//! - rows ended by `t` (counting end): `count_q[k]`, less one if row `k − 1`
//!   has key `q` and its counting end is past `t`.
//!
//! The lane's own answers are the sums over keys. An entry is 8 bytes for
//! the end, 8 per key for busy and 4 per key (plus 4 for the key) for counts,
//! interleaved so one entry is one or two cache lines: 48 bytes with 3 keys.
//! Lanes with more than [`MAX_KEYS`] keys, or with overlapping rows, keep no
//! table and are answered the general way.
//!
//! [`Keyed`]: super::intervals::Keyed

use super::intervals::{Intervals, count_end, search_near};
use crate::record::Ns;

/// Lanes with more keys than this keep no table.
pub(crate) const MAX_KEYS: usize = 8;

#[derive(Debug, Clone)]
pub(crate) struct KeyPrefix<K> {
    /// Ascending: the table's key order (and the tie-break order).
    keys: Vec<K>,
    /// `rows + 1` entries of [`KeyPrefix::stride`] words:
    /// `[end of row i − 1, busy_0 .. busy_w, (key of row i − 1, count_0), …]`
    /// with the u32s packed two to a word, low half first. Sums wrap; only
    /// differences between entries are read, so dropping a prefix of rows
    /// needs no rebasing.
    table: Vec<u64>,
    /// Rows covered: the table is valid for rows `..rows` of the lane.
    rows: usize,
    /// The lane has had more than [`MAX_KEYS`] keys: no table until the
    /// lane is rebuilt (so a many-key lane does not rescan on every flush).
    off: bool,
}

impl<K> Default for KeyPrefix<K> {
    fn default() -> KeyPrefix<K> {
        KeyPrefix {
            keys: Vec::new(),
            table: Vec::new(),
            rows: 0,
            off: false,
        }
    }
}

/// One key's share of a boundary: busy ns before it (wrapping), rows started
/// before it and rows ended by it (wrapping counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyProbe {
    pub busy_before: u64,
    pub started: u32,
    pub ended: u32,
}

/// A boundary of a clean lane, for the lane and per key.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Point {
    /// Rows started before the boundary.
    pub started: usize,
    /// Rows whose counting end is at or before it.
    pub ended: usize,
    pub keys: [KeyProbe; MAX_KEYS],
}

impl<K: Copy + Ord> KeyPrefix<K> {
    fn width(&self) -> usize {
        self.keys.len()
    }

    /// Words per entry: the end, `w` busy sums, then `w + 1` u32s in pairs.
    fn stride(&self) -> usize {
        let w = self.width();
        1 + w + (w + 2) / 2
    }

    /// Drops the table, keeping the keys seen (and whether it is off).
    fn clear(&mut self) {
        self.table = Vec::new();
        self.rows = 0;
    }

    /// Forgets rows from `len` on (the lane kept its first `len` rows).
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.rows {
            return;
        }
        self.rows = len;
        let s = self.stride();
        self.table.truncate((len + 1) * s);
    }

    /// Drops the first `m` rows (the lane dropped them too).
    pub(crate) fn drain_front(&mut self, m: usize) {
        if m == 0 {
            return;
        }
        if m > self.rows {
            self.clear();
            return;
        }
        let s = self.stride();
        self.table.drain(..m * s);
        self.rows -= m;
    }

    /// After the lane dropped rows: forgets keys no row has any more, and
    /// lifts the too-many-keys switch, by starting over (the next
    /// [`KeyPrefix::sync`] rebuilds from the rows left). A long live session
    /// whose functions change keeps a narrow table this way.
    pub(crate) fn prune(&mut self) {
        let (w, s, n) = (self.width(), self.stride(), self.rows);
        let count = |i: usize, q: usize| {
            let m = 1 + q;
            (self.table[i * s + 1 + w + m / 2] >> (32 * (m % 2))) as u32
        };
        let dead = self.table.len() == (n + 1) * s
            && (0..w).any(|q| count(n, q).wrapping_sub(count(0, q)) == 0);
        if self.off || dead {
            *self = KeyPrefix::default();
        }
    }

    /// Brings the table up to the lane's `iv.len()` rows, `key(i)` giving
    /// row `i`'s key: extends it from the rows already covered, or rebuilds
    /// it when a key appears that it has no column for. Keeps nothing for an
    /// overlapping lane or one with more than [`MAX_KEYS`] keys.
    pub(crate) fn sync(&mut self, iv: &Intervals, key: impl Fn(usize) -> K) {
        let n = iv.len();
        if self.off {
            return;
        }
        if iv.has_overlap() || self.rows > n {
            self.clear();
            return;
        }
        let mut added = false;
        for i in self.rows..n {
            let k = key(i);
            if let Err(p) = self.keys.binary_search(&k) {
                self.keys.insert(p, k);
                added = true;
            }
        }
        if self.width() > MAX_KEYS {
            *self = KeyPrefix {
                off: true,
                ..KeyPrefix::default()
            };
            return;
        }
        if added {
            self.clear();
        }
        let (w, s) = (self.width(), self.stride());
        if self.rows == 0 {
            self.table.clear();
            self.table.resize(s, 0);
        }
        self.table.reserve((n - self.rows) * s);
        for i in self.rows..n {
            // Every key of these rows was added above: always Ok.
            let q = self.keys.binary_search(&key(i)).unwrap_or_else(|p| p);
            let at = i * s;
            let mut entry = [0u64; 1 + MAX_KEYS + (MAX_KEYS + 2) / 2];
            entry[..s].copy_from_slice(&self.table[at..at + s]);
            entry[0] = iv.end(i);
            entry[1 + q] = entry[1 + q].wrapping_add(iv.end(i) - iv.start(i));
            let mut halves = U32s(&mut entry[1 + w..s]);
            halves.set(0, q as u32);
            let c = halves.get(1 + q);
            halves.set(1 + q, c.wrapping_add(1));
            self.table.extend_from_slice(&entry[..s]);
        }
        self.rows = n;
    }

    /// True when the table covers all `n` rows of a lane.
    pub(crate) fn ready(&self, n: usize) -> bool {
        !self.off && self.rows == n && n > 0 && !self.keys.is_empty()
    }

    pub(crate) fn keys(&self) -> &[K] {
        &self.keys
    }

    /// Rows of `iv` started before `t`, searched from `guess`; `from` is the
    /// answer for an earlier boundary `<= t` (or 0).
    pub(crate) fn started(iv: &Intervals, t: Ns, from: usize, guess: usize) -> usize {
        let starts = iv.starts();
        search_near(from, guess, starts.len(), |i| starts[i] < t)
    }

    /// The lane and every key at boundary `t`, where `k` rows started before
    /// `t` ([`KeyPrefix::started`]). Needs [`KeyPrefix::ready`] on a
    /// non-overlapping lane. Reads one table entry, which nothing later
    /// depends on: the CPU can go on searching for the next boundary while
    /// that read misses.
    pub(crate) fn point(&self, iv: &Intervals, t: Ns, k: usize, out: &mut Point) {
        let (w, s) = (self.width(), self.stride());
        let entry = &self.table[k * s..(k + 1) * s];
        let halves = &entry[1 + w..];
        let half = |m: usize| (halves[m / 2] >> (32 * (m % 2))) as u32;
        for (q, o) in out.keys.iter_mut().enumerate().take(w) {
            let count = half(1 + q);
            *o = KeyProbe {
                busy_before: entry[1 + q],
                started: count,
                ended: count,
            };
        }
        out.started = k;
        out.ended = k;
        if k > 0 {
            // Row k − 1 started before t; it alone may reach past it.
            let (start, end) = (iv.start(k - 1), entry[0]);
            let o = &mut out.keys[half(0) as usize];
            if end > t {
                o.busy_before = o.busy_before.wrapping_sub(end - t);
            }
            if count_end(start, end) > t {
                o.ended = o.ended.wrapping_sub(1);
                out.ended = k - 1;
            }
        }
    }

    /// Per key with rows on the lane, ascending: busy ns and rows
    /// overlapping `range` (or over the whole lane), as per-key interval
    /// columns would give them. Needs [`KeyPrefix::ready`].
    pub(crate) fn per_key(&self, iv: &Intervals, range: Option<(Ns, Ns)>) -> Vec<(K, u64, u64)> {
        let (w, s) = (self.width(), self.stride());
        let n = self.rows;
        let word = |i: usize, m: usize| self.table[i * s + m];
        let count = |i: usize, q: usize| {
            let m = 1 + q;
            (word(i, 1 + w + m / 2) >> (32 * (m % 2))) as u32
        };
        let (mut a, mut b) = (Point::default(), Point::default());
        if let Some((t0, t1)) = range
            && t1 > t0
        {
            let k0 = Self::started(iv, t0, 0, 0);
            let k1 = Self::started(iv, t1, k0, k0);
            self.point(iv, t0, k0, &mut a);
            self.point(iv, t1, k1, &mut b);
        }
        (0..w)
            .filter(|&q| count(n, q).wrapping_sub(count(0, q)) > 0)
            .map(|q| {
                let (busy, rows) = match range {
                    None => (
                        word(n, 1 + q).wrapping_sub(word(0, 1 + q)),
                        count(n, q).wrapping_sub(count(0, q)),
                    ),
                    Some((t0, t1)) if t1 <= t0 => (0, 0),
                    Some(_) => (
                        b.keys[q].busy_before.wrapping_sub(a.keys[q].busy_before),
                        b.keys[q].started.wrapping_sub(a.keys[q].ended),
                    ),
                };
                (self.keys[q], busy, u64::from(rows))
            })
            .collect()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.capacity() * size_of::<u64>() + self.keys.capacity() * size_of::<K>()
    }
}

/// u32s packed two to a word, low half first.
struct U32s<'a>(&'a mut [u64]);

impl U32s<'_> {
    fn get(&self, m: usize) -> u32 {
        (self.0[m / 2] >> (32 * (m % 2))) as u32
    }
    fn set(&mut self, m: usize, v: u32) {
        let shift = 32 * (m % 2);
        let word = &mut self.0[m / 2];
        *word = (*word & !(0xffff_ffffu64 << shift)) | (u64::from(v) << shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(rows: &[(Ns, Ns)]) -> Intervals {
        let mut iv = Intervals::default();
        iv.insert_pairs(&mut rows.to_vec());
        iv.seal();
        iv
    }

    #[test]
    fn packed_halves_keep_their_neighbours() {
        let mut words = [0u64; 2];
        let mut h = U32s(&mut words);
        h.set(0, 7);
        h.set(1, u32::MAX);
        h.set(2, 9);
        h.set(1, 5);
        assert_eq!((h.get(0), h.get(1), h.get(2), h.get(3)), (7, 5, 9, 0));
    }

    #[test]
    fn a_point_on_a_hand_made_lane() {
        // key 1: [10, 20) and the zero-length row at 30; key 4: [20, 25).
        let rows = [(10, 20), (20, 25), (30, 30)];
        let keys = [1, 4, 1];
        let iv = lane(&rows);
        let mut t = KeyPrefix::default();
        t.sync(&iv, |i| keys[i]);
        assert!(t.ready(3));
        assert_eq!(t.keys(), &[1, 4]);
        let at = |x: Ns| {
            let mut p = Point::default();
            t.point(&iv, x, KeyPrefix::<i32>::started(&iv, x, 0, 0), &mut p);
            (p.started, p.ended, p.keys[0], p.keys[1])
        };
        let kp = |busy_before, started, ended| KeyProbe {
            busy_before,
            started,
            ended,
        };
        assert_eq!(at(10), (0, 0, kp(0, 0, 0), kp(0, 0, 0)));
        assert_eq!(at(15), (1, 0, kp(5, 1, 0), kp(0, 0, 0)));
        assert_eq!(at(22), (2, 1, kp(10, 1, 1), kp(2, 1, 0)));
        // The zero-length row occupies [30, 31) for counting.
        assert_eq!(at(31), (3, 3, kp(10, 2, 2), kp(5, 1, 1)));
        assert_eq!(at(30), (2, 2, kp(10, 1, 1), kp(5, 1, 1)));
    }

    #[test]
    fn many_keys_or_overlaps_keep_no_table() {
        let rows: Vec<(Ns, Ns)> = (0..20).map(|i| (i * 10, i * 10 + 5)).collect();
        let iv = lane(&rows);
        let mut t = KeyPrefix::default();
        t.sync(&iv, |i| i as u32);
        assert!(!t.ready(20));
        assert_eq!(t.heap_bytes(), 0);
        // Off for good: later syncs do not rescan the lane.
        t.sync(&iv, |_| 0);
        assert!(!t.ready(20));
        let iv = lane(&[(0, 10), (5, 6)]);
        let mut t = KeyPrefix::default();
        t.sync(&iv, |_| 0u32);
        assert!(!t.ready(2));
    }

    #[test]
    fn pruning_forgets_keys_without_rows_and_lifts_the_switch() {
        let rows: Vec<(Ns, Ns)> = (0..20).map(|i| (i * 10, i * 10 + 5)).collect();
        let iv = lane(&rows);
        // Keys 0..9 on the first ten rows, key 0 on the rest: too many.
        let key = |i: usize| if i < 10 { i as u32 } else { 0 };
        let mut t = KeyPrefix::default();
        t.sync(&iv, key);
        assert!(!t.ready(20));
        // The first ten rows go: one key left.
        let mut rest = lane(&rows);
        rest.drain_front(10);
        rest.seal();
        t.drain_front(10);
        t.prune();
        t.sync(&rest, |i| key(i + 10));
        assert!(t.ready(10));
        assert_eq!(t.keys(), &[0]);
        // Nothing to prune on a lane whose keys all have rows.
        let before = t.table.clone();
        t.prune();
        assert_eq!(t.table, before);
    }

    #[test]
    fn truncating_and_draining_follow_the_lane() {
        let rows: Vec<(Ns, Ns)> = (0..10).map(|i| (i * 10, i * 10 + 4)).collect();
        let keys = |i: usize| (i % 3) as i32;
        let iv = lane(&rows);
        let mut t = KeyPrefix::default();
        t.sync(&iv, keys);
        let mut fresh = KeyPrefix::default();
        t.truncate(4);
        t.sync(&iv, keys);
        fresh.sync(&iv, keys);
        assert_eq!(t.table, fresh.table);
        // Drained: entries are the old ones shifted, and differences agree.
        t.drain_front(3);
        let mut rest = lane(&rows);
        rest.drain_front(3);
        rest.seal();
        t.sync(&rest, |i| keys(i + 3));
        assert!(t.ready(7));
        let (mut a, mut b) = (Point::default(), Point::default());
        t.point(
            &rest,
            35,
            KeyPrefix::<i32>::started(&rest, 35, 0, 0),
            &mut a,
        );
        t.point(
            &rest,
            95,
            KeyPrefix::<i32>::started(&rest, 95, 0, 3),
            &mut b,
        );
        let busy: u64 = (0..3)
            .map(|q| b.keys[q].busy_before.wrapping_sub(a.keys[q].busy_before))
            .sum();
        assert_eq!(busy, rest.busy(35, 95));
        assert_eq!(b.started - a.ended, rest.count(35, 95));
    }
}
