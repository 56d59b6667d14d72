//! Sorted insertion shared by task lanes and phase layers: rows arrive in any
//! order, lanes stay sorted by a content key.

use super::intervals::partition_point_by;

/// A lane whose rows are kept sorted by [`SortedRows::key_of`].
pub(crate) trait SortedRows {
    type Row;
    type Key: Ord;
    fn len(&self) -> usize;
    fn key_of(row: &Self::Row) -> Self::Key;
    fn key_at(&self, i: usize) -> Self::Key;
    fn row_at(&self, i: usize) -> Self::Row;
    fn truncate(&mut self, len: usize);
    fn push(&mut self, row: Self::Row);
}

/// Inserts `new` (any order) into `lane`. Rows from the first insertion point
/// on are taken out and merged back, so appending in time order — the live
/// case — moves nothing; an early straggler costs the rows after it.
/// Returns the first index that changed.
pub(crate) fn insert_rows<L: SortedRows>(lane: &mut L, mut new: Vec<L::Row>) -> usize {
    let n = lane.len();
    if new.is_empty() {
        return n;
    }
    new.sort_unstable_by_key(L::key_of);
    let first = L::key_of(&new[0]);
    let p = if n == 0 || lane.key_at(n - 1) <= first {
        n
    } else {
        partition_point_by(0, n, |i| lane.key_at(i) <= first)
    };
    let tail: Vec<L::Row> = (p..n).map(|i| lane.row_at(i)).collect();
    lane.truncate(p);
    let (mut a, mut b) = (tail.into_iter().peekable(), new.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => L::key_of(x) <= L::key_of(y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let row = if take_a { a.next() } else { b.next() };
        if let Some(row) = row {
            lane.push(row);
        }
    }
    p
}
