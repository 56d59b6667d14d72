//! The two task row lists of a raw capture, parsed straight from the stream
//! into columns (about 40 bytes a row, no allocation per row), and the
//! `(core_id, reg_task_id)` join between them (spec §5.4).

use std::collections::HashMap;
use std::io::Read;

use crate::capture::formats::error::FormatError;
use crate::capture::formats::json::Int;
use crate::capture::formats::stream::Stream;

/// `aicore_tasks`, validated.
#[derive(Debug, Default)]
pub struct CoreRows {
    pub core: Vec<u32>,
    pub token: Vec<u64>,
    pub reg: Vec<u32>,
    pub start: Vec<u64>,
    pub end: Vec<u64>,
    /// `receive_to_start_cycles`; meaningful where `has_r2s` is set (absent
    /// in 5-column rows, written before 2026-06-22).
    pub r2s: Vec<u64>,
    pub has_r2s: Vec<bool>,
}

impl CoreRows {
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// One more than the highest core a row names (0 without rows).
    pub fn cores_used(&self) -> usize {
        self.core.iter().max().map_or(0, |&c| c as usize + 1)
    }
}

/// `aicpu_tasks`, validated.
#[derive(Debug, Default)]
pub struct CpuRows {
    pub core: Vec<u32>,
    pub reg: Vec<u32>,
    pub dispatch: Vec<u64>,
    pub finish: Vec<u64>,
}

impl CpuRows {
    pub fn len(&self) -> usize {
        self.core.len()
    }
}

const CORE_COLUMNS: &str =
    "[core_id, task_id, reg_task_id, start_cycles, end_cycles, receive_to_start_cycles]";
const CPU_COLUMNS: &str = "[core_id, reg_task_id, dispatch_cycles, finish_cycles]";

/// Reads `[[…], …]` (or `null`, as no rows) calling `row` with each row's
/// values (at most 6 kept) and how many it had.
fn rows<R: Read>(
    s: &mut Stream<'_, R>,
    list: &str,
    mut row: impl FnMut(usize, &[Int; 6], usize) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    match s.ws()? {
        Some(b'n') => {
            s.value::<Option<()>>()?;
            return Ok(());
        }
        Some(b'[') => {}
        _ => return Err(s.error(format!("{list}: expected a list of rows"))),
    }
    s.expect(b'[', "'['")?;
    let mut vals = [Int(0); 6];
    let mut plain = [0u64; 6];
    let mut i = 0usize;
    s.items("',' or ']' after a row", |s| {
        // Rows sit one per line: the newline goes through `ws`, which counts
        // lines, the row itself through the fast path.
        s.ws()?;
        let n = match s.plain_row(&mut plain) {
            Some(n) => {
                for (v, &p) in vals.iter_mut().zip(&plain[..n]) {
                    *v = Int(p);
                }
                n
            }
            None => {
                if s.ws()? != Some(b'[') {
                    return Err(match s.peek()? {
                        None => s.error(format!("truncated file: {list}[{i}] expected")),
                        Some(_) => {
                            s.error(format!("{list}[{i}]: expected a row (a list of integers)"))
                        }
                    });
                }
                s.expect(b'[', "'['")?;
                let mut n = 0usize;
                s.items("',' or ']' in a row", |s| {
                    let v = if n < vals.len() {
                        s.int().map(|v| vals[n] = v)
                    } else {
                        s.skip_value()
                    };
                    v.map_err(|e| in_row(e, list, i))?;
                    n += 1;
                    Ok(())
                })?;
                n
            }
        };
        row(i, &vals, n)?;
        i += 1;
        Ok(())
    })
}

/// Says which row a value error is in.
fn in_row(e: FormatError, list: &str, i: usize) -> FormatError {
    match e {
        FormatError::Invalid { path, at, what } if !what.starts_with("truncated") => {
            FormatError::invalid(&path, at, format!("{list}[{i}]: {what}"))
        }
        other => other,
    }
}

pub fn read_core<R: Read>(s: &mut Stream<'_, R>) -> Result<CoreRows, FormatError> {
    let path = s.path();
    let mut out = CoreRows::default();
    rows(s, "aicore_tasks", |i, v, n| {
        let bad = |what: &str| FormatError::record(path, "aicore_tasks", i, what);
        if n != 5 && n != 6 {
            return Err(bad(&format!(
                "expected 5 or 6 columns {CORE_COLUMNS}, found {n}"
            )));
        }
        out.core.push(
            v[0].to_core()
                .ok_or_else(|| bad(&Int::core_id_expected()))?,
        );
        out.token.push(v[1].0);
        out.reg.push(
            v[2].to_u32()
                .ok_or_else(|| bad("reg_task_id: expected a u32"))?,
        );
        out.start.push(v[3].0);
        out.end.push(v[4].0);
        out.r2s.push(if n == 6 { v[5].0 } else { 0 });
        out.has_r2s.push(n == 6);
        Ok(())
    })?;
    Ok(out)
}

pub fn read_cpu<R: Read>(s: &mut Stream<'_, R>) -> Result<CpuRows, FormatError> {
    let path = s.path();
    let mut out = CpuRows::default();
    rows(s, "aicpu_tasks", |i, v, n| {
        let bad = |what: &str| FormatError::record(path, "aicpu_tasks", i, what);
        if n != 4 {
            return Err(bad(&format!("expected 4 columns {CPU_COLUMNS}, found {n}")));
        }
        out.core.push(
            v[0].to_core()
                .ok_or_else(|| bad(&Int::core_id_expected()))?,
        );
        out.reg.push(
            v[1].to_u32()
                .ok_or_else(|| bad("reg_task_id: expected a u32"))?,
        );
        out.dispatch.push(v[2].0);
        out.finish.push(v[3].0);
        Ok(())
    })?;
    Ok(out)
}

/// `(core_id, reg_task_id)` → AICore row; a later duplicate wins, as in the
/// upstream dict. `reg_task_id` counts a core's dispatches, so per core a
/// table indexed by it is dense and small; a core whose ids are not (a
/// corrupt or hand-made file) gets a hash map instead.
pub struct JoinIndex {
    /// Per core: row + 1 by reg_task_id (0 = none).
    dense: Vec<Vec<u32>>,
    sparse: HashMap<(u32, u32), u32>,
}

impl JoinIndex {
    pub fn new(rows: &CoreRows) -> JoinIndex {
        let cores = rows.cores_used();
        let mut count = vec![0usize; cores];
        let mut max_reg = vec![0usize; cores];
        for (&c, &r) in rows.core.iter().zip(&rows.reg) {
            count[c as usize] += 1;
            max_reg[c as usize] = max_reg[c as usize].max(r as usize);
        }
        let dense_ok: Vec<bool> = (0..cores)
            .map(|c| max_reg[c] <= 4 * count[c] + 1024)
            .collect();
        let mut dense: Vec<Vec<u32>> = (0..cores)
            .map(|c| {
                if dense_ok[c] && count[c] > 0 {
                    vec![0; max_reg[c] + 1]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut sparse = HashMap::new();
        for (j, (&c, &r)) in rows.core.iter().zip(&rows.reg).enumerate() {
            let j = u32::try_from(j).unwrap_or(u32::MAX - 1);
            if dense_ok[c as usize] {
                dense[c as usize][r as usize] = j + 1;
            } else {
                sparse.insert((c, r), j);
            }
        }
        JoinIndex { dense, sparse }
    }

    pub fn get(&self, core: u32, reg: u32) -> Option<usize> {
        match self.dense.get(core as usize) {
            Some(d) if !d.is_empty() => d
                .get(reg as usize)
                .and_then(|&j| j.checked_sub(1))
                .map(|j| j as usize),
            _ => self.sparse.get(&(core, reg)).map(|&j| j as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_cores_find_the_last_duplicate() {
        let mut rows = CoreRows::default();
        for (c, r) in [(0, 1), (0, 2), (0, 1), (1, 4_000_000_000), (1, 3)] {
            rows.core.push(c);
            rows.reg.push(r);
        }
        let ix = JoinIndex::new(&rows);
        assert_eq!(ix.get(0, 1), Some(2));
        assert_eq!(ix.get(0, 2), Some(1));
        assert_eq!(ix.get(0, 3), None);
        assert_eq!(ix.get(1, 4_000_000_000), Some(3));
        assert_eq!(ix.get(1, 3), Some(4));
        assert_eq!(ix.get(7, 1), None);
    }
}
