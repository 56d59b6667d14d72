//! Sorted intervals with prefix sums: the one data structure every window
//! query runs on.
//!
//! An [`Intervals`] holds `(start, end)` pairs sorted by start (then end) and
//! wrapping prefix sums of both columns. With them, the busy time of any time
//! range and the number of intervals overlapping it are a few binary searches
//! and subtractions, whatever the number of intervals.
//!
//! Busy time before `t` is `B(t) = Σ clamp(t − sᵢ, 0, eᵢ − sᵢ)`, which equals
//! `Σ_{sᵢ<t} (t − sᵢ) − Σ_{eᵢ<t} (t − eᵢ)`. Both sums are "count × t minus a
//! prefix sum" once starts and ends are each sorted. That identity holds for
//! overlapping intervals too, so messy imports are answered exactly (the
//! caller clamps the fraction). Prefix sums wrap modulo 2⁶⁴: the absolute
//! timestamps can overflow a sum, but every answer we derive (a busy time) is
//! itself below 2⁶⁴, and modular arithmetic gives it exactly.
//!
//! Counting uses an exclusive end `max(e, s + 1)`, so that a zero-length
//! interval still occupies the nanosecond it sits on and is counted by the one
//! cell that contains it.

use std::ops::Range;

use crate::record::Ns;

/// The first index in `lo..hi` where `pred` turns false (`pred` must be true
/// on a prefix of the range and false after it).
pub(crate) fn partition_point_by(
    mut lo: usize,
    mut hi: usize,
    mut pred: impl FnMut(usize) -> bool,
) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Like [`partition_point_by`] over `from..n`, but probing 1, 2, 4, … rows
/// past `from` before bisecting: a sweep over nearby boundaries touches only
/// nearby rows (cache-friendly); a jump of d rows costs about 2·log d probes.
pub(crate) fn gallop(from: usize, n: usize, mut pred: impl FnMut(usize) -> bool) -> usize {
    let mut lo = from;
    let mut step = 1usize;
    while lo < n {
        let probe = lo + (step - 1).min(n - 1 - lo);
        if pred(probe) {
            lo = probe + 1;
            step = step.saturating_mul(2);
        } else {
            return partition_point_by(lo, probe, pred);
        }
    }
    lo
}

/// Like [`gallop`] over `from..n` (`pred` true before `from`), but starting
/// at a guess of the answer: when successive searches move by similar steps
/// (evenly spaced column boundaries over evenly spread rows), guessing the
/// last step again lands within a cache line or two of the answer, where a
/// gallop from `from` would probe its way out and back.
pub(crate) fn search_near(
    from: usize,
    guess: usize,
    n: usize,
    mut pred: impl FnMut(usize) -> bool,
) -> usize {
    let g = guess.clamp(from, n);
    if g < n && pred(g) {
        return gallop(g + 1, n, pred);
    }
    // The answer is in from..=g: gallop back from g.
    let mut hi = g;
    let mut step = 1usize;
    while hi > from {
        let probe = hi.saturating_sub(step).max(from);
        if pred(probe) {
            return partition_point_by(probe + 1, hi, pred);
        }
        hi = probe;
        step = step.saturating_mul(2);
    }
    from
}

/// The exclusive end used for counting and overlap tests: a zero-length
/// interval occupies the one nanosecond at its start.
#[inline]
pub(crate) fn count_end(start: Ns, end: Ns) -> Ns {
    end.max(start.saturating_add(1))
}

/// True when `[start, end]` (with the counting end) overlaps `[t0, t1)`.
#[inline]
pub(crate) fn overlaps(start: Ns, end: Ns, t0: Ns, t1: Ns) -> bool {
    start < t1 && count_end(start, end) > t0
}

/// What one boundary evaluation yields (see [`Intervals::eval`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Probe {
    /// Busy ns before the boundary, modulo 2⁶⁴ (differences are exact).
    pub busy_before: u64,
    /// Intervals starting before the boundary.
    pub started: usize,
    /// Intervals whose counting end is at or before the boundary.
    pub ended: usize,
}

/// Search positions carried from one boundary to the next, so that a sweep
/// over increasing boundaries only searches what is left of each column.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    started: usize,
    ended_busy: usize,
    ended_count: usize,
}

/// Ends in sorted order, kept only for columns whose ends are not already
/// sorted in start order (overlapping intervals, i.e. messy data).
#[derive(Debug, Clone, Default)]
struct EndIndex {
    end: Vec<Ns>,
    pre_end: Vec<u64>,
    count_end: Vec<Ns>,
}

#[derive(Debug, Clone)]
pub(crate) struct Intervals {
    start: Vec<Ns>,
    end: Vec<Ns>,
    /// `pre_start[i] − pre_start[0]` = Σ start[..i] (wrapping); one longer
    /// than `start`. `pre_start[0]` is not always 0: dropping a prefix of
    /// rows drops the same prefix of sums, and every read subtracts the base.
    pre_start: Vec<u64>,
    /// `pre_end[i] − pre_end[0]` = Σ end[..i] (wrapping), in start order.
    pre_end: Vec<u64>,
    /// First row that starts before its predecessor ends. Without one, only
    /// the last row started before a boundary can straddle it, and a probe
    /// needs one search instead of three.
    overlap: Option<usize>,
    /// First row whose end (or counting end) is below its predecessor's: from
    /// there on the end column is not sorted and [`EndIndex`] is needed.
    disorder: Option<usize>,
    /// Upper bound of `count_end − start` over the rows (never lowered by
    /// truncation, recomputed by [`Intervals::clear`] + pushes).
    max_len: Ns,
    by_end: Option<EndIndex>,
    /// Rows changed since the last [`Intervals::seal`].
    stale: bool,
}

impl Default for Intervals {
    fn default() -> Intervals {
        Intervals {
            start: Vec::new(),
            end: Vec::new(),
            pre_start: vec![0],
            pre_end: vec![0],
            overlap: None,
            disorder: None,
            max_len: 0,
            by_end: None,
            stale: false,
        }
    }
}

impl Intervals {
    pub(crate) fn len(&self) -> usize {
        self.start.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    pub(crate) fn start(&self, i: usize) -> Ns {
        self.start[i]
    }

    pub(crate) fn end(&self, i: usize) -> Ns {
        self.end[i]
    }

    pub(crate) fn starts(&self) -> &[Ns] {
        &self.start
    }

    /// True when some row starts before its predecessor ends.
    pub(crate) fn has_overlap(&self) -> bool {
        self.overlap.is_some()
    }

    /// True when the ends are sorted in start order (always so for
    /// non-overlapping intervals).
    #[cfg(test)]
    pub(crate) fn is_monotone(&self) -> bool {
        self.disorder.is_none()
    }

    /// Appends a row; the caller keeps rows sorted by `(start, end)` and
    /// guarantees `end >= start`.
    pub(crate) fn push(&mut self, start: Ns, end: Ns) {
        debug_assert!(end >= start);
        debug_assert!(self.start.last().is_none_or(|&s| s <= start));
        if let (Some(&ps), Some(&pe)) = (self.start.last(), self.end.last()) {
            if self.overlap.is_none() && start < pe {
                self.overlap = Some(self.start.len());
            }
            if self.disorder.is_none() && (end < pe || count_end(start, end) < count_end(ps, pe)) {
                self.disorder = Some(self.start.len());
            }
        }
        let n = self.start.len();
        self.pre_start.push(self.pre_start[n].wrapping_add(start));
        self.pre_end.push(self.pre_end[n].wrapping_add(end));
        self.start.push(start);
        self.end.push(end);
        self.max_len = self.max_len.max(count_end(start, end) - start);
        self.stale = true;
    }

    /// Room for `n` more rows.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.start.reserve_exact(n);
        self.end.reserve_exact(n);
        self.pre_start.reserve_exact(n);
        self.pre_end.reserve_exact(n);
    }

    /// Keeps the first `len` rows.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.start.len() {
            return;
        }
        self.start.truncate(len);
        self.end.truncate(len);
        self.pre_start.truncate(len + 1);
        self.pre_end.truncate(len + 1);
        if self.disorder.is_some_and(|d| d >= len) {
            self.disorder = None;
        }
        if self.overlap.is_some_and(|d| d >= len) {
            self.overlap = None;
        }
        self.stale = true;
    }

    /// Drops the first `m` rows (a memmove, no re-summing).
    pub(crate) fn drain_front(&mut self, m: usize) {
        let m = m.min(self.len());
        if m == 0 {
            return;
        }
        self.start.drain(..m);
        self.end.drain(..m);
        self.pre_start.drain(..m);
        self.pre_end.drain(..m);
        // A flag index names a pair (row i against row i − 1); if that pair
        // lost a row, find the first offending pair again (compare-only pass).
        let (overlap, disorder) = (self.overlap, self.disorder);
        self.overlap = overlap.map(|i| i.saturating_sub(m));
        self.disorder = disorder.map(|i| i.saturating_sub(m));
        if overlap.is_some_and(|i| i <= m) {
            self.overlap = (1..self.len()).find(|&i| self.start[i] < self.end[i - 1]);
        }
        if disorder.is_some_and(|i| i <= m) {
            self.disorder = (1..self.len()).find(|&i| {
                self.end[i] < self.end[i - 1]
                    || count_end(self.start[i], self.end[i])
                        < count_end(self.start[i - 1], self.end[i - 1])
            });
        }
        self.stale = true;
    }

    /// Inserts pairs in any order, keeping the column sorted: the rows from
    /// the first insertion point on are merged again, so appending in time
    /// order (the live case) costs only the new rows.
    pub(crate) fn insert_pairs(&mut self, new: &mut Vec<(Ns, Ns)>) {
        if new.is_empty() {
            return;
        }
        new.sort_unstable();
        let first = new[0];
        let p = partition_point_by(0, self.len(), |i| (self.start[i], self.end[i]) <= first);
        let tail: Vec<(Ns, Ns)> = (p..self.len())
            .map(|i| (self.start[i], self.end[i]))
            .collect();
        self.truncate(p);
        let (mut a, mut b) = (tail.into_iter().peekable(), new.drain(..).peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x <= y => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => None,
            };
            match next {
                Some((s, e)) => self.push(s, e),
                None => break,
            }
        }
    }

    /// Brings the sorted-ends index up to date; queries need a sealed column.
    pub(crate) fn seal(&mut self) {
        if !self.stale {
            return;
        }
        self.stale = false;
        if self.disorder.is_none() {
            self.by_end = None;
            return;
        }
        let mut end = self.end.clone();
        end.sort_unstable();
        let mut pre_end = Vec::with_capacity(end.len() + 1);
        let mut acc = 0u64;
        pre_end.push(acc);
        for &e in &end {
            acc = acc.wrapping_add(e);
            pre_end.push(acc);
        }
        let mut count_ends: Vec<Ns> = self
            .start
            .iter()
            .zip(&self.end)
            .map(|(&s, &e)| count_end(s, e))
            .collect();
        count_ends.sort_unstable();
        self.by_end = Some(EndIndex {
            end,
            pre_end,
            count_end: count_ends,
        });
    }

    /// The latest end (`None` when empty): the last row's when ends are in
    /// order, else a scan of the end column.
    pub(crate) fn max_end(&self) -> Option<Ns> {
        match self.disorder {
            None => self.end.last().copied(),
            Some(_) => self.end.iter().copied().max(),
        }
    }

    /// Σ (end − start) over all rows.
    pub(crate) fn total_busy(&self) -> u64 {
        let n = self.len();
        let ends = self.pre_end[n].wrapping_sub(self.pre_end[0]);
        ends.wrapping_sub(self.pre_start[n].wrapping_sub(self.pre_start[0]))
    }

    /// Evaluates busy-before and the two counts at `t`. `cursor` must come from
    /// evaluations at boundaries `<= t` (or be fresh).
    pub(crate) fn eval(&self, t: Ns, cursor: &mut Cursor) -> Probe {
        debug_assert!(!self.stale, "query on an unsealed column");
        let n = self.len();
        let k = gallop(cursor.started, n, |i| self.start[i] < t);
        cursor.started = k;
        let before_start = (k as u64)
            .wrapping_mul(t)
            .wrapping_sub(self.pre_start[k].wrapping_sub(self.pre_start[0]));
        let (j, ended, pre_end) = match &self.by_end {
            // Rows before k − 1 ended by t; row k − 1 may straddle it.
            _ if self.overlap.is_none() => match k.checked_sub(1) {
                None => (0, 0, self.pre_end[0]),
                Some(last) => {
                    let (s, e) = (self.start[last], self.end[last]);
                    let j = k - usize::from(e >= t);
                    let c = k - usize::from(count_end(s, e) > t);
                    (j, c, self.pre_end[j])
                }
            },
            Some(ix) => {
                let j = gallop(cursor.ended_busy, n, |i| ix.end[i] < t);
                let c = gallop(cursor.ended_count, n, |i| ix.count_end[i] <= t);
                (j, c, ix.pre_end[j].wrapping_add(self.pre_end[0]))
            }
            None => {
                let j = gallop(cursor.ended_busy, n, |i| self.end[i] < t);
                let c = gallop(cursor.ended_count, n, |i| {
                    count_end(self.start[i], self.end[i]) <= t
                });
                (j, c, self.pre_end[j])
            }
        };
        cursor.ended_busy = j;
        cursor.ended_count = ended;
        let before_end = (j as u64)
            .wrapping_mul(t)
            .wrapping_sub(pre_end.wrapping_sub(self.pre_end[0]));
        Probe {
            busy_before: before_start.wrapping_sub(before_end),
            started: k,
            ended,
        }
    }

    /// Busy ns inside `[t0, t1)` (sum over rows of the clipped overlap).
    pub(crate) fn busy(&self, t0: Ns, t1: Ns) -> u64 {
        if t1 <= t0 {
            return 0;
        }
        let mut c = Cursor::default();
        let a = self.eval(t0, &mut c);
        let b = self.eval(t1, &mut c);
        b.busy_before.wrapping_sub(a.busy_before)
    }

    /// Rows overlapping `[t0, t1)`.
    pub(crate) fn count(&self, t0: Ns, t1: Ns) -> usize {
        if t1 <= t0 {
            return 0;
        }
        let mut c = Cursor::default();
        let a = self.eval(t0, &mut c);
        let b = self.eval(t1, &mut c);
        b.started.saturating_sub(a.ended)
    }

    /// A range of row indices that contains every row overlapping `[t0, t1)`;
    /// callers filter it with [`overlaps`]. Exact for monotone columns; for
    /// messy ones it starts `max_len` early.
    pub(crate) fn candidates(&self, t0: Ns, t1: Ns) -> Range<usize> {
        if t1 <= t0 {
            return 0..0;
        }
        let hi = self.start.partition_point(|&s| s < t1);
        let lo = if self.disorder.is_none() {
            partition_point_by(0, hi, |i| count_end(self.start[i], self.end[i]) <= t0)
        } else if t0 < self.max_len {
            0
        } else {
            let floor = t0 - self.max_len;
            self.start[..hi].partition_point(|&s| s <= floor)
        };
        lo..hi
    }

    /// Approximate heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        let words = self.start.capacity()
            + self.end.capacity()
            + self.pre_start.capacity()
            + self.pre_end.capacity()
            + self.by_end.as_ref().map_or(0, |ix| {
                ix.end.capacity() + ix.pre_end.capacity() + ix.count_end.capacity()
            });
        words * std::mem::size_of::<u64>()
    }
}

/// One [`Intervals`] per key (function id on core lanes, phase name on phase
/// lanes), so the dominant key of a cell is found with the same prefix-sum
/// arithmetic. Keys are few per lane, kept sorted in a small vector.
#[derive(Debug, Clone)]
pub(crate) struct Keyed<K> {
    keys: Vec<K>,
    cols: Vec<Intervals>,
    /// Rows waiting for [`Keyed::flush`], per key.
    pending: Vec<Vec<(Ns, Ns)>>,
}

impl<K> Default for Keyed<K> {
    fn default() -> Keyed<K> {
        Keyed {
            keys: Vec::new(),
            cols: Vec::new(),
            pending: Vec::new(),
        }
    }
}

impl<K: Copy + Ord> Keyed<K> {
    /// Queues a row under `key`; nothing is visible until [`Keyed::flush`].
    pub(crate) fn queue(&mut self, key: K, start: Ns, end: Ns) {
        let i = match self.keys.binary_search(&key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key);
                self.cols.insert(i, Intervals::default());
                self.pending.insert(i, Vec::new());
                i
            }
        };
        self.pending[i].push((start, end));
    }

    /// Merges queued rows and seals every column.
    pub(crate) fn flush(&mut self) {
        for (col, pending) in self.cols.iter_mut().zip(self.pending.iter_mut()) {
            col.insert_pairs(pending);
            col.seal();
        }
    }

    /// Appends a row directly: rows must come in `(start, end)` order per
    /// key (as a sorted lane's rows do). Call [`Keyed::seal_all`] after.
    pub(crate) fn push_sorted(&mut self, key: K, start: Ns, end: Ns) {
        let i = match self.keys.binary_search(&key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key);
                self.cols.insert(i, Intervals::default());
                self.pending.insert(i, Vec::new());
                i
            }
        };
        self.cols[i].push(start, end);
    }

    /// Drops the first `m` rows of `key`'s column.
    pub(crate) fn drain_front(&mut self, key: K, m: usize) {
        if let Ok(i) = self.keys.binary_search(&key) {
            self.cols[i].drain_front(m);
        }
    }

    pub(crate) fn seal_all(&mut self) {
        for col in &mut self.cols {
            col.seal();
        }
    }

    /// Columns in ascending key order (the order ties are broken in).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (K, &Intervals)> + '_ {
        self.keys
            .iter()
            .copied()
            .zip(self.cols.iter())
            .filter(|(_, c)| !c.is_empty())
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.cols.iter().map(Intervals::heap_bytes).sum::<usize>()
            + self.keys.capacity() * std::mem::size_of::<K>()
            + self.cols.capacity() * std::mem::size_of::<Intervals>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(rows: &[(Ns, Ns)]) -> Intervals {
        let mut iv = Intervals::default();
        let mut v = rows.to_vec();
        iv.insert_pairs(&mut v);
        iv.seal();
        iv
    }

    fn brute_busy(rows: &[(Ns, Ns)], a: Ns, b: Ns) -> u64 {
        rows.iter()
            .map(|&(s, e)| e.min(b).saturating_sub(s.max(a)))
            .sum()
    }

    fn brute_count(rows: &[(Ns, Ns)], a: Ns, b: Ns) -> usize {
        if b <= a {
            return 0;
        }
        rows.iter().filter(|&&(s, e)| overlaps(s, e, a, b)).count()
    }

    #[test]
    fn busy_and_count_on_a_clean_lane() {
        let rows = [(10, 20), (20, 25), (30, 30), (40, 100)];
        let iv = build(&rows);
        assert!(iv.is_monotone());
        for (a, b) in [
            (0, 200),
            (15, 22),
            (25, 30),
            (30, 31),
            (29, 30),
            (50, 60),
            (0, 10),
        ] {
            assert_eq!(iv.busy(a, b), brute_busy(&rows, a, b), "busy {a}..{b}");
            assert_eq!(iv.count(a, b), brute_count(&rows, a, b), "count {a}..{b}");
        }
        // The zero-length row at 30 is counted by the cell that holds it only.
        assert_eq!(iv.count(30, 31), 1);
        assert_eq!(iv.count(31, 40), 0);
        assert_eq!(iv.total_busy(), 10 + 5 + 60);
        assert_eq!(iv.max_end(), Some(100));
        assert_eq!(Intervals::default().max_end(), None);
    }

    #[test]
    fn overlapping_rows_are_still_exact() {
        let rows = [(0, 100), (10, 20), (15, 16), (50, 50), (60, 200)];
        let iv = build(&rows);
        assert!(!iv.is_monotone());
        assert_eq!(iv.max_end(), Some(200));
        for a in (0..210).step_by(7) {
            for b in (a..220).step_by(11) {
                assert_eq!(iv.busy(a, b), brute_busy(&rows, a, b), "busy {a}..{b}");
                assert_eq!(iv.count(a, b), brute_count(&rows, a, b), "count {a}..{b}");
                let cand = iv.candidates(a, b);
                let found = cand
                    .filter(|&i| overlaps(iv.start(i), iv.end(i), a, b))
                    .count();
                assert_eq!(found, brute_count(&rows, a, b), "candidates {a}..{b}");
            }
        }
    }

    #[test]
    fn huge_absolute_timestamps_do_not_overflow_answers() {
        let base = u64::MAX / 4;
        let rows: Vec<(Ns, Ns)> = (0..10)
            .map(|i| (base + i * 100, base + i * 100 + 50))
            .collect();
        let iv = build(&rows);
        assert_eq!(iv.busy(base, base + 1000), 500);
        assert_eq!(iv.busy(base + 25, base + 125), 25 + 25);
        assert_eq!(iv.total_busy(), 500);
    }

    #[test]
    fn out_of_order_inserts_merge_and_truncation_restores_order() {
        let mut iv = Intervals::default();
        iv.insert_pairs(&mut vec![(50, 60), (70, 80)]);
        iv.insert_pairs(&mut vec![(10, 20), (65, 66)]);
        iv.seal();
        assert_eq!(iv.starts(), &[10, 50, 65, 70]);
        assert!(iv.is_monotone());
        iv.insert_pairs(&mut vec![(0, 1000)]);
        iv.seal();
        assert!(!iv.is_monotone());
        assert_eq!(iv.busy(0, 100), 100 + 10 + 10 + 1 + 10);
        iv.truncate(0);
        iv.insert_pairs(&mut vec![(1, 2)]);
        iv.seal();
        assert!(iv.is_monotone());
        assert_eq!(iv.busy(0, 100), 1);
    }

    #[test]
    fn draining_a_prefix_keeps_answers_exact() {
        let rows = [
            (0, 100),
            (10, 20),
            (150, 160),
            (170, 180),
            (200, 200),
            (210, 220),
        ];
        for m in 0..=rows.len() {
            let mut iv = build(&rows);
            iv.drain_front(m);
            iv.seal();
            let rest = &rows[m..];
            assert_eq!(iv.is_monotone(), build(rest).is_monotone(), "m={m}");
            assert_eq!(iv.total_busy(), brute_busy(rest, 0, 1000), "m={m}");
            for (a, b) in [(0, 300), (15, 155), (155, 205), (200, 201), (0, 5)] {
                assert_eq!(iv.busy(a, b), brute_busy(rest, a, b), "m={m} {a}..{b}");
                assert_eq!(iv.count(a, b), brute_count(rest, a, b), "m={m} {a}..{b}");
            }
        }
    }

    #[test]
    fn gallop_finds_the_partition_point() {
        let v: Vec<u64> = (0..100).map(|i| i / 3).collect();
        for from in [0, 1, 5, 50, 99, 100] {
            for t in 0..40 {
                let want = v.partition_point(|&x| x < t).max(from);
                assert_eq!(
                    gallop(from, v.len(), |i| v[i] < t),
                    want,
                    "from {from} t {t}"
                );
            }
        }
        assert_eq!(gallop(0, 0, |_| true), 0);
    }

    #[test]
    fn searching_near_a_guess_finds_the_partition_point() {
        let v: Vec<u64> = (0..100).map(|i| i / 3).collect();
        for from in [0, 1, 5, 50, 99, 100] {
            for guess in [0, 3, 17, 60, 99, 100, 500] {
                for t in 0..40 {
                    let want = v.partition_point(|&x| x < t).max(from);
                    let got = search_near(from, guess, v.len(), |i| v[i] < t);
                    assert_eq!(got, want, "from {from} guess {guess} t {t}");
                }
            }
        }
        assert_eq!(search_near(0, 5, 0, |_| true), 0);
    }

    #[test]
    fn cursor_sweep_equals_fresh_evaluations() {
        let rows = [(0, 5), (3, 9), (9, 9), (12, 30), (14, 15)];
        let iv = build(&rows);
        let mut c = Cursor::default();
        for t in 0..40 {
            let swept = iv.eval(t, &mut c);
            let fresh = iv.eval(t, &mut Cursor::default());
            assert_eq!(swept, fresh, "t={t}");
        }
    }

    #[test]
    fn keyed_columns_list_keys_in_order() {
        let mut k: Keyed<i32> = Keyed::default();
        k.queue(3, 0, 10);
        k.queue(-1, 5, 6);
        k.queue(3, 20, 30);
        k.flush();
        let got: Vec<(i32, u64)> = k.iter().map(|(key, c)| (key, c.total_busy())).collect();
        assert_eq!(got, vec![(-1, 1), (3, 20)]);
    }
}
