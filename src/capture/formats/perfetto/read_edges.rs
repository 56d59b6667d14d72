//! Dependency edges from `dependency` / `hb_violation` arrows: each `s`/`f`
//! pair (same `id`) joins the slice its start is bound to and the slice its
//! end is bound to (`bind_id`, else the task slice enclosing the arrow's
//! timestamp on its lane, as legacy traces need).

use super::doc::{Flow, Parsed};
use super::hash::{FastMap, FastSet};
use super::read_tasks::{Node, Rows};
use crate::record::TaskId;

/// Deduplicated `(pred, succ)` pairs in the order their arrows appear.
pub fn pairs(p: &Parsed, rows: &Rows) -> Vec<(TaskId, TaskId)> {
    let mut ends: FastMap<u64, (Option<&Flow>, Option<&Flow>)> = FastMap::default();
    let mut order = Vec::new();
    for f in &p.flows {
        let e = ends.entry(f.id).or_insert_with(|| {
            order.push(f.id);
            (None, None)
        });
        let slot = if f.start { &mut e.0 } else { &mut e.1 };
        slot.get_or_insert(f);
    }
    let mut finder = Finder { rows, sorted: None };
    let mut seen = FastSet::default();
    let mut out = Vec::new();
    for id in order {
        let (Some(s), Some(f)) = ends[&id] else {
            continue;
        };
        let (Some(pred), Some(succ)) = (finder.task(s), finder.task(f)) else {
            continue;
        };
        if seen.insert((pred, succ)) {
            out.push((pred, succ));
        }
    }
    out
}

struct Finder<'r> {
    rows: &'r Rows,
    /// Task slices per lane sorted by start, built on first need.
    sorted: Option<FastMap<(i64, i64), Vec<Node>>>,
}

impl Finder<'_> {
    fn task(&mut self, f: &Flow) -> Option<TaskId> {
        if let Some(t) = f.bind.and_then(|b| self.rows.by_id.get(&b)) {
            return Some(*t);
        }
        let sorted = self.sorted.get_or_insert_with(|| {
            let mut m = self.rows.by_lane.clone();
            for v in m.values_mut() {
                v.sort_by_key(|n| n.ts);
            }
            m
        });
        let lane = sorted.get(&(f.pid, f.tid))?;
        let after = lane.partition_point(|n| n.ts <= f.ts);
        // The latest-starting slice that still covers the time; a few steps
        // back cover overlapping bars.
        lane[..after]
            .iter()
            .rev()
            .take(8)
            .find(|n| f.ts <= n.end)
            .map(|n| n.task)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::record::TaskId;

    /// The legacy layout: arrows without `bind_id`, leaving the
    /// predecessor 0.01 µs before its end and entering the successor at
    /// its start.
    #[test]
    fn arrows_without_bind_ids_land_on_enclosing_slices() {
        let text = r#"[
          {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "AICore View"}},
          {"ph": "M", "name": "thread_name", "pid": 1, "tid": 10000, "args": {"name": "AIC_0"}},
          {"ph": "M", "name": "thread_name", "pid": 1, "tid": 10010, "args": {"name": "AIV_1"}},
          {"ph": "X", "pid": 1, "tid": 10000, "ts": 1.0, "dur": 4.0, "name": "A(t0)"},
          {"ph": "X", "pid": 1, "tid": 10000, "ts": 6.0, "dur": 1.0, "name": "A(t2)"},
          {"ph": "X", "pid": 1, "tid": 10010, "ts": 5.5, "dur": 2.0, "name": "B(t1)"},
          {"ph": "s", "name": "dependency", "id": 0, "pid": 1, "tid": 10000, "ts": 4.99},
          {"ph": "f", "name": "dependency", "id": 0, "pid": 1, "tid": 10010, "ts": 5.5, "bp": "e"},
          {"ph": "s", "name": "dependency", "id": 1, "pid": 1, "tid": 10010, "ts": 7.49},
          {"ph": "f", "name": "hb_violation", "id": 1, "pid": 1, "tid": 10000, "ts": 6.0, "bp": "e"},
          {"ph": "s", "name": "dependency", "id": 2, "pid": 1, "tid": 10000, "ts": 5.5},
          {"ph": "f", "name": "dependency", "id": 2, "pid": 1, "tid": 10010, "ts": 9.0}
        ]"#;
        let c = super::super::parse(text.as_bytes(), Path::new("l.json")).unwrap();
        let pairs: Vec<(TaskId, TaskId)> = c
            .fanout
            .iter()
            .flat_map(|f| f.successors.iter().map(move |s| (f.task_id, *s)))
            .collect();
        // The third arrow touches no slice at either end and is dropped.
        assert_eq!(pairs, vec![(TaskId(0), TaskId(1)), (TaskId(1), TaskId(2))]);
        assert!(c.tasks.iter().all(|t| t.receive_ns.is_none()));
    }
}
