//! The window query: one lane, a time range split into columns, and per
//! column the busy time, the number of items overlapping it and the key
//! (function or phase name) with the most busy time.
//!
//! On a lane whose rows do not overlap, each column boundary is one search of
//! the start column (from where the previous boundary's ended) and one entry
//! of the lane's per-key table ([`KeyPrefix`]). Otherwise each boundary is
//! evaluated once per column set — the lane's and one per key — by a sweep
//! whose binary searches only look at what is right of the previous boundary.
//! Cost: O(columns × (log n + keys)) or O(columns × (1 + keys) × log n),
//! independent of how many items fall in a column.

use super::intervals::{Cursor, Intervals, Keyed, Probe};
use super::keyprefix::{KeyPrefix, MAX_KEYS, Point};
use crate::record::Ns;

/// One column of a window, in integer nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellNs {
    /// The column's own range `[t0, t1)`.
    pub t0: Ns,
    pub t1: Ns,
    /// Σ over items of the overlap with `[t0, t1)`; exceeds the width only
    /// when items overlap each other (messy data).
    pub busy_ns: u64,
    /// Items overlapping the column; a zero-length item at `t` overlaps the
    /// column holding `t`.
    pub items: u32,
    /// Key with the most busy ns in the column; ties go to more items, then
    /// to the smaller key. `None` exactly when `items == 0`.
    pub dominant: Option<u32>,
}

impl CellNs {
    pub fn width_ns(&self) -> Ns {
        self.t1 - self.t0
    }

    /// Busy fraction in `0..=1` (clamped: overlapping items can sum past 1).
    pub fn busy_fraction(&self) -> f32 {
        let w = self.width_ns();
        if w == 0 {
            0.0
        } else {
            (self.busy_ns as f64 / w as f64).min(1.0) as f32
        }
    }
}

/// Column boundaries: `columns + 1` points from `t0` to `t1`, as even as
/// integers allow (columns narrower than 1 ns come out empty).
pub(crate) fn boundaries(t0: Ns, t1: Ns, columns: usize) -> Vec<Ns> {
    let span = u128::from(t1.saturating_sub(t0));
    let n = columns.max(1) as u128;
    (0..=columns)
        .map(|j| t0 + (span * j as u128 / n) as u64)
        .collect()
}

fn sweep(col: &Intervals, bounds: &[Ns]) -> Vec<Probe> {
    let mut cursor = Cursor::default();
    bounds.iter().map(|&t| col.eval(t, &mut cursor)).collect()
}

/// Busy ns and item count of column `j` from a sweep.
fn cell_of(p: &[Probe], bounds: &[Ns], j: usize) -> (u64, usize) {
    if bounds[j] >= bounds[j + 1] {
        return (0, 0);
    }
    let busy = p[j + 1].busy_before.wrapping_sub(p[j].busy_before);
    let items = p[j + 1].started.saturating_sub(p[j].ended);
    (busy, items)
}

pub(crate) fn window<K: Copy + Ord>(
    main: &Intervals,
    keyed: &Keyed<K>,
    table: &KeyPrefix<K>,
    key_id: impl Fn(K) -> u32,
    t0: Ns,
    t1: Ns,
    columns: usize,
) -> Vec<CellNs> {
    let bounds = boundaries(t0, t1, columns);
    let mut cells: Vec<CellNs> = bounds
        .windows(2)
        .map(|w| CellNs {
            t0: w[0],
            t1: w[1],
            ..CellNs::default()
        })
        .collect();
    if main.is_empty() || t1 <= t0 || columns == 0 {
        return cells;
    }
    if table.ready(main.len()) && !main.has_overlap() {
        window_clean(main, table, &key_id, &bounds, &mut cells);
        return cells;
    }
    let lane = sweep(main, &bounds);
    for (j, cell) in cells.iter_mut().enumerate() {
        let (busy, items) = cell_of(&lane, &bounds, j);
        cell.busy_ns = busy;
        cell.items = u32::try_from(items).unwrap_or(u32::MAX);
    }
    let mut keys = keyed.iter();
    let first = keys.next();
    let second = keys.next();
    match (first, second) {
        (None, _) => {}
        // One key on the lane: it dominates wherever there is anything.
        (Some((k, _)), None) => {
            for cell in cells.iter_mut().filter(|c| c.items > 0) {
                cell.dominant = Some(key_id(k));
            }
        }
        (Some(_), Some(_)) => {
            let mut best = vec![(0u64, 0usize); columns];
            for (k, col) in keyed.iter() {
                let probes = sweep(col, &bounds);
                for (j, cell) in cells.iter_mut().enumerate() {
                    if cell.items == 0 {
                        continue;
                    }
                    let (busy, items) = cell_of(&probes, &bounds, j);
                    // Keys come in ascending order, so "strictly better"
                    // leaves ties with the smaller key.
                    if items > 0 && (busy, items) > best[j] {
                        best[j] = (busy, items);
                        cell.dominant = Some(key_id(k));
                    }
                }
            }
        }
    }
    cells
}

/// The whole window of a non-overlapping lane from its row-position table
/// (see [`KeyPrefix`]): per boundary one search of the start column and one
/// table entry, instead of one sweep for the lane and one per key. Same
/// answers as those sweeps.
fn window_clean<K: Copy + Ord>(
    main: &Intervals,
    table: &KeyPrefix<K>,
    key_id: &impl Fn(K) -> u32,
    bounds: &[Ns],
    cells: &mut [CellNs],
) {
    let keys = table.keys();
    let w = keys.len().min(MAX_KEYS);
    // Rows started before each boundary: a binary search for the first,
    // then a forward walk over the start column, each search starting
    // where the last step says it will land.
    let (mut from, mut step) = (0, 0);
    let mut started = |t: Ns| {
        let k = if from == 0 && step == 0 {
            main.starts().partition_point(|&s| s < t)
        } else {
            KeyPrefix::<K>::started(main, t, from, from + step)
        };
        (from, step) = (k, k - from);
        k
    };
    let mut prev = Point::default();
    let mut next = Point::default();
    table.point(main, bounds[0], started(bounds[0]), &mut prev);
    for (j, cell) in cells.iter_mut().enumerate() {
        table.point(main, bounds[j + 1], started(bounds[j + 1]), &mut next);
        if bounds[j] < bounds[j + 1] {
            let mut busy = 0u64;
            let mut best = (0u64, 0u32);
            for (q, (a, b)) in prev.keys.iter().zip(&next.keys).enumerate().take(w) {
                let key_busy = b.busy_before.wrapping_sub(a.busy_before);
                let key_items = b.started.wrapping_sub(a.ended);
                busy = busy.wrapping_add(key_busy);
                // Keys are ascending, so "strictly better" leaves ties with
                // the smaller key.
                if key_items > 0 && (key_busy, key_items) > best {
                    best = (key_busy, key_items);
                    cell.dominant = Some(key_id(keys[q]));
                }
            }
            cell.busy_ns = busy;
            let items = next.started.saturating_sub(prev.ended);
            cell.items = u32::try_from(items).unwrap_or(u32::MAX);
        }
        std::mem::swap(&mut prev, &mut next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lane {
        iv: Intervals,
        keyed: Keyed<i32>,
        table: KeyPrefix<i32>,
    }

    fn lane(rows: &[(Ns, Ns, i32)]) -> Lane {
        let mut rows = rows.to_vec();
        rows.sort_unstable();
        let mut iv = Intervals::default();
        let mut keyed = Keyed::default();
        let mut pairs: Vec<(Ns, Ns)> = rows.iter().map(|&(s, e, _)| (s, e)).collect();
        iv.insert_pairs(&mut pairs);
        iv.seal();
        for &(s, e, k) in &rows {
            keyed.queue(k, s, e);
        }
        keyed.flush();
        let mut table = KeyPrefix::default();
        table.sync(&iv, |i| rows[i].2);
        Lane { iv, keyed, table }
    }

    impl Lane {
        /// The window through the per-key table (when the lane has one) and
        /// through the per-key sweeps: both must agree.
        fn window(&self, t0: Ns, t1: Ns, columns: usize) -> Vec<CellNs> {
            let key = |k: i32| k as u32;
            let swept = window(
                &self.iv,
                &self.keyed,
                &KeyPrefix::default(),
                key,
                t0,
                t1,
                columns,
            );
            let tabled = window(&self.iv, &self.keyed, &self.table, key, t0, t1, columns);
            assert_eq!(swept, tabled, "window {t0}..{t1} / {columns}");
            tabled
        }
    }

    #[test]
    fn boundaries_cover_the_range_evenly() {
        assert_eq!(boundaries(0, 100, 4), vec![0, 25, 50, 75, 100]);
        assert_eq!(boundaries(10, 13, 4), vec![10, 10, 11, 12, 13]);
        assert_eq!(boundaries(5, 5, 2), vec![5, 5, 5]);
        assert_eq!(
            boundaries(u64::MAX - 2, u64::MAX, 2),
            vec![u64::MAX - 2, u64::MAX - 1, u64::MAX]
        );
    }

    #[test]
    fn a_hand_made_lane() {
        // func 1: [0,30), func 2: [40,50) and [55,60), func 1 zero-length at 80;
        // cells [0,25) [25,50) [50,75) [75,100).
        let l = lane(&[(0, 30, 1), (40, 50, 2), (55, 60, 2), (80, 80, 1)]);
        let cells = l.window(0, 100, 4);
        let got: Vec<(u64, u32, Option<u32>)> = cells
            .iter()
            .map(|c| (c.busy_ns, c.items, c.dominant))
            .collect();
        assert_eq!(
            got,
            vec![
                (25, 1, Some(1)),
                (5 + 10, 2, Some(2)),
                (5, 1, Some(2)),
                (0, 1, Some(1)),
            ]
        );
        assert_eq!(cells[0].busy_fraction(), 1.0);
        assert!((cells[1].busy_fraction() - 0.6).abs() < 1e-6);
    }

    #[test]
    fn ties_go_to_more_items_then_the_smaller_key() {
        // Both keys busy 10 ns in [0, 20); key 5 has two items.
        let l = lane(&[(0, 10, 7), (10, 15, 5), (15, 20, 5)]);
        let cells = l.window(0, 20, 1);
        assert_eq!(cells[0].dominant, Some(5));
        let l = lane(&[(0, 10, 7), (10, 20, 5)]);
        let cells = l.window(0, 20, 1);
        assert_eq!(cells[0].dominant, Some(5));
        // Negative func ids order before positive ones.
        let l = lane(&[(0, 10, -1), (10, 20, 0)]);
        let cells = l.window(0, 20, 1);
        assert_eq!(cells[0].dominant, Some(u32::MAX));
    }

    #[test]
    fn overlapping_rows_clamp_the_fraction() {
        let l = lane(&[(0, 100, 1), (0, 100, 2)]);
        let cells = l.window(0, 100, 2);
        assert_eq!(cells[0].busy_ns, 100);
        assert_eq!(cells[0].busy_fraction(), 1.0);
        assert_eq!(cells[0].items, 2);
    }

    #[test]
    fn the_key_table_answers_like_the_per_key_sweeps() {
        // Non-overlapping lanes with zero-length rows, touching rows and
        // gaps, 1 to 5 keys; windows of every width from sub-ns columns up.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for case in 0..200 {
            let keys = 1 + case % 5;
            let mut t = 1_000 + next(50);
            let rows: Vec<(Ns, Ns, i32)> = (0..next(60))
                .map(|_| {
                    let s = t + next(3) * next(20);
                    let e = s + next(4) * next(15);
                    t = e;
                    (s, e, next(keys) as i32 - 1)
                })
                .collect();
            let l = lane(&rows);
            assert!(!l.iv.has_overlap());
            for _ in 0..20 {
                let a = 990 + next(t - 980);
                let b = a + next(t + 20 - a);
                let _ = l.window(a, b, 1 + next(40) as usize);
            }
        }
    }

    #[test]
    fn empty_inputs_give_empty_cells() {
        let l = lane(&[(0, 10, 1)]);
        assert_eq!(l.window(10, 5, 3).len(), 3);
        assert!(l.window(0, 10, 0).is_empty());
        let cells = l.window(0, 2, 4);
        assert_eq!(cells.iter().map(|c| c.items).sum::<u32>(), 2);
    }
}
