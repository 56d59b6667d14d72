//! Fanout arrows drawn with line characters across lanes: from the end of a
//! task to the start of each successor. The selected task's edges always; all
//! edges in view when there are few enough to read. An edge whose successor
//! starts before its predecessor ends is drawn in the alarm style with `◀`,
//! never hidden.

use std::collections::{HashMap, HashSet};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::lanes::{col_ceil, selected_row};
use super::layout::LABEL_WIDTH;
use super::theme::Theme;
use crate::app::state::{Group, Row, Selection, Viewport, group_of};
use crate::record::{TaskId, TaskRecord};
use crate::store::{LaneId, TraceStore};

/// More edges than this in view and only the selected task's are drawn.
pub const MAX_AMBIENT_EDGES: usize = 12;
/// Tasks looked at per visible lane when collecting edges in view.
const TASKS_PER_LANE: usize = 64;

/// Where each core's row is on screen, or which edge it is beyond.
pub struct RowMap {
    index: HashMap<u32, usize>,
    groups: HashMap<Group, usize>,
    scroll: usize,
    visible: usize,
    top: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPos {
    On(u16),
    Above,
    Below,
}

impl RowMap {
    pub fn new(
        store: &TraceStore,
        rows: &[Row],
        scroll: usize,
        visible: usize,
        top: u16,
    ) -> RowMap {
        let mut index = HashMap::new();
        let mut groups = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            match r {
                Row::Lane(LaneId::Core(c)) => {
                    index.insert(*c, i);
                }
                Row::Group { group, .. } => {
                    groups.insert(*group, i);
                }
                Row::Lane(_) => {}
            }
        }
        let _ = store;
        RowMap {
            index,
            groups,
            scroll,
            visible,
            top,
        }
    }

    /// The row of a core, or of its group's header when the group is collapsed.
    pub fn pos(&self, store: &TraceStore, core: u32) -> RowPos {
        let i = self
            .index
            .get(&core)
            .or_else(|| self.groups.get(&group_of(store, LaneId::Core(core))));
        match i {
            Some(&i) if i < self.scroll => RowPos::Above,
            Some(&i) if i >= self.scroll + self.visible => RowPos::Below,
            Some(&i) => RowPos::On(self.top + (i - self.scroll) as u16),
            None => RowPos::Below,
        }
    }

    /// Cores whose own row is on screen.
    pub fn visible_cores(&self) -> Vec<u32> {
        let mut v: Vec<(usize, u32)> = self
            .index
            .iter()
            .filter(|(_, i)| **i >= self.scroll && **i < self.scroll + self.visible)
            .map(|(c, i)| (*i, *c))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, c)| c).collect()
    }
}

/// Which edges to draw and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// From the selected task.
    Out,
    /// Into the selected task.
    In,
    /// Any edge in view (few enough to read).
    Ambient,
}

fn first_row(store: &TraceStore, id: TaskId) -> Option<TaskRecord> {
    store.find_task(id).first().and_then(|&r| store.get_task(r))
}

/// The edges to draw, as (predecessor row, successor row, kind).
pub fn edges(
    store: &TraceStore,
    map: &RowMap,
    vp: &Viewport,
    selection: Option<Selection>,
) -> Vec<(TaskRecord, TaskRecord, EdgeKind)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if let Some(sel) = selection
        && let Some(t) = selected_row(store, sel)
    {
        for &s in store.successors(t.task_id) {
            if let Some(succ) = first_row(store, s) {
                seen.insert((t.task_id, s));
                out.push((t.clone(), succ, EdgeKind::Out));
            }
        }
        for &p in store.predecessors(t.task_id) {
            if let Some(pred) = first_row(store, p) {
                seen.insert((p, t.task_id));
                out.push((pred, t.clone(), EdgeKind::In));
            }
        }
    }
    if selection.is_some() {
        return out;
    }
    // No selection: every edge among the tasks in view, if they are few.
    // Only ids are needed to decide that (no whole rows), and a sorted list
    // answers "in view?" without a tree.
    let mut seen_ids: Vec<TaskId> = Vec::new();
    for core in map.visible_cores() {
        seen_ids.extend(
            store
                .tasks_in(core, vp.t0, vp.t1())
                .take(TASKS_PER_LANE)
                .filter_map(|r| store.task_id_of(r)),
        );
    }
    let mut in_view = seen_ids.clone();
    in_view.sort_unstable();
    in_view.dedup();
    // Each id once, in the order first seen (lane by lane, in start order).
    let mut listed = vec![false; in_view.len()];
    let rows: Vec<TaskId> = seen_ids
        .into_iter()
        .filter(|id| {
            in_view
                .binary_search(id)
                .is_ok_and(|i| !std::mem::replace(&mut listed[i], true))
        })
        .collect();
    let mut ambient = Vec::new();
    for &t in &rows {
        for &s in store.successors(t) {
            if in_view.binary_search(&s).is_ok() && !seen.contains(&(t, s)) {
                ambient.push((t, s));
                if ambient.len() > MAX_AMBIENT_EDGES {
                    return out;
                }
            }
        }
    }
    for (p, s) in ambient {
        if let (Some(pred), Some(succ)) = (first_row(store, p), first_row(store, s)) {
            out.push((pred, succ, EdgeKind::Ambient));
        }
    }
    out
}

/// Draws one arrow into the timeline part of `lanes`.
#[allow(clippy::too_many_arguments)]
pub fn draw_arrow(
    buf: &mut Buffer,
    lanes: Rect,
    vp: &Viewport,
    store: &TraceStore,
    map: &RowMap,
    pred: &TaskRecord,
    succ: &TaskRecord,
    style: Style,
    theme: Theme,
) {
    let width = lanes.width.saturating_sub(LABEL_WIDTH);
    if width == 0 {
        return;
    }
    let x0 = lanes.x + LABEL_WIDTH;
    let max_x = i64::from(width) - 1;
    let backwards = succ.start_ns < pred.end_ns;
    let style = if backwards {
        theme.arrow_backwards()
    } else {
        style
    };
    let xa = col_ceil(vp, pred.end_ns, width).clamp(0, max_x);
    let xb = (vp.col_of(succ.start_ns, width) - 1).clamp(0, max_x);
    let (top, bottom) = (lanes.y, lanes.y + lanes.height.saturating_sub(1));
    let (ya, a_clip) = match map.pos(store, pred.core_id) {
        RowPos::On(y) => (y, None),
        RowPos::Above => (top, Some('↑')),
        RowPos::Below => (bottom, Some('↓')),
    };
    let (yb, b_clip) = match map.pos(store, succ.core_id) {
        RowPos::On(y) => (y, None),
        RowPos::Above => (top, Some('↑')),
        RowPos::Below => (bottom, Some('↓')),
    };
    if a_clip.is_some() && a_clip == b_clip {
        return; // both ends beyond the same edge: nothing to show
    }
    let mut put = |x: i64, y: u16, ch: char| {
        if let Some(cell) = buf.cell_mut((x0 + x as u16, y)) {
            cell.set_char(ch).set_style(style);
        }
    };
    let head = if backwards { '◀' } else { '▶' };
    // The vertical run sits just left of the successor, where its head goes.
    let x = xb;
    if ya == yb {
        for cx in xa.min(x)..x.max(xa) {
            put(cx, ya, '─');
        }
    } else {
        let down = yb > ya;
        if !backwards {
            for cx in xa..x {
                put(cx, ya, '─');
            }
        }
        put(
            x,
            ya,
            match (down, backwards) {
                (true, false) => '┐',
                (false, false) => '┘',
                (true, true) => '┌',
                (false, true) => '└',
            },
        );
        let (lo, hi) = if down { (ya + 1, yb) } else { (yb + 1, ya) };
        for y in lo..hi {
            put(x, y, '│');
        }
    }
    match b_clip {
        Some(c) => put(x, yb, c),
        None => put(x, yb, head),
    }
    if let Some(c) = a_clip {
        put(x, ya, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dfx::Level;
    use crate::record::{CoreType, DeviceInfo, FanoutRecord, Record};

    fn store() -> TraceStore {
        let info = DeviceInfo {
            source: "t".into(),
            clock_hz: 50_000_000,
            core_types: vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv],
            core_to_thread: vec![0, 0, 0],
            sched_threads: 1,
            aicpu_threads: 2,
            func_names: Default::default(),
            orchestrator_name: None,
            case_name: None,
        };
        let mut s = TraceStore::new(info, Level::new(2).unwrap().flags());
        let task = |id: u64, core: u32, start: u64, end: u64| {
            Record::Task(TaskRecord {
                round: 0,
                task_id: TaskId(id),
                func_id: 0,
                core_id: core,
                core_type: if core == 0 {
                    CoreType::Aic
                } else {
                    CoreType::Aiv
                },
                reg_task_id: 1,
                receive_ns: None,
                start_ns: start,
                end_ns: end,
                dispatch_ns: Some(start),
                finish_ns: Some(end),
            })
        };
        s.ingest(vec![
            task(0, 0, 0, 100),
            task(1, 2, 200, 300),
            // Goes back in time: starts before t0 ends.
            task(2, 1, 50, 150),
            Record::Fanout(FanoutRecord {
                round: 0,
                task_id: TaskId(0),
                successors: vec![TaskId(1), TaskId(2)],
            }),
        ]);
        s
    }

    fn screen(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn arrows_route_down_to_the_successor_and_mark_backward_edges() {
        let s = store();
        let rows = vec![
            Row::Lane(LaneId::Core(0)),
            Row::Lane(LaneId::Core(1)),
            Row::Lane(LaneId::Core(2)),
        ];
        let area = Rect::new(0, 0, LABEL_WIDTH + 30, 3);
        let map = RowMap::new(&s, &rows, 0, 3, 0);
        let vp = Viewport { t0: 0, span: 300 };
        let sel = Selection {
            task: TaskId(0),
            core: 0,
        };
        let es = edges(&s, &map, &vp, Some(sel));
        assert_eq!(es.len(), 2);
        let mut buf = Buffer::empty(area);
        let theme = Theme::new(false);
        for (p, q, _) in &es {
            draw_arrow(&mut buf, area, &vp, &s, &map, p, q, theme.arrow(), theme);
        }
        let lines = screen(&buf);
        let tl: Vec<Vec<char>> = lines
            .iter()
            .map(|l| l.chars().skip(usize::from(LABEL_WIDTH)).collect())
            .collect();
        let row0: String = tl[0][..20].iter().collect();
        // t0 ends at column 10; t1 starts at column 20 on row 2: right, down, in.
        assert_eq!(row0, "    ┌     ─────────┐", "{lines:?}");
        assert_eq!(tl[1][19], '│', "{lines:?}");
        assert_eq!(tl[2][19], '▶', "{lines:?}");
        // t2 starts (column 5) before t0 ends: marked with ◀, not hidden.
        assert_eq!(tl[1][4], '◀', "{lines:?}");
    }

    #[test]
    fn rows_off_screen_are_clipped_to_an_edge() {
        let s = store();
        let rows = vec![
            Row::Lane(LaneId::Core(0)),
            Row::Lane(LaneId::Core(1)),
            Row::Lane(LaneId::Core(2)),
        ];
        let map = RowMap::new(&s, &rows, 1, 1, 5);
        assert_eq!(map.pos(&s, 0), RowPos::Above);
        assert_eq!(map.pos(&s, 1), RowPos::On(5));
        assert_eq!(map.pos(&s, 2), RowPos::Below);
    }
}
