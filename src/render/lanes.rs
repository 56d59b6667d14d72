//! Lane rows: compute a row of glyphs from the store (the part worth testing
//! and benchmarking), then paint it. Zoomed out, each column shows how busy
//! the lane was (shading) and what dominated (colour) from the store's window
//! query, so the cost does not grow with the number of tasks; zoomed in,
//! tasks and phases become labelled bars with AICPU dispatch/finish marks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::layout::LABEL_WIDTH;
use super::theme::{DISPATCH_MARK, FINISH_MARK, OVERHEAD_LINE, Theme};
use crate::app::state::{Group, Row, Selection, Viewport};
use crate::record::{Ns, PhaseRole, TaskRecord};
use crate::store::{LaneId, TraceStore};

/// One screen column of a lane row.
pub type Glyph = (char, Style);

/// Bars are drawn when the lane holds at most this many items per column in view.
const BARS_PER_COLUMN: f64 = 0.5;

/// Where a drawn task sits, for arrows and mouse hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// First and one-past-last timeline column (may extend past the edges).
    pub col0: i64,
    pub col1: i64,
}

/// The first column at or after `t` (bars cover every column they touch).
pub fn col_ceil(vp: &Viewport, t: Ns, width: u16) -> i64 {
    let rel = t as i128 - vp.t0 as i128;
    let w = i128::from(width);
    let span = i128::from(vp.span.max(1));
    let q = rel * w;
    (q.div_euclid(span) + i128::from(q.rem_euclid(span) != 0)) as i64
}

/// The columns a `[start, end)` interval touches, at least one.
pub fn placed(vp: &Viewport, start: Ns, end: Ns, width: u16) -> Placed {
    let col0 = vp.col_of(start, width);
    let col1 = col_ceil(vp, end, width).max(col0 + 1);
    Placed { col0, col1 }
}

/// Everything one lane row needs from the app.
pub struct RowContext<'a> {
    pub store: &'a TraceStore,
    pub vp: Viewport,
    pub width: u16,
    pub theme: Theme,
    pub selection: Option<Selection>,
    pub collapsed: &'a std::collections::BTreeSet<Group>,
}

/// The glyphs of one row's timeline.
pub fn row_glyphs(ctx: &RowContext<'_>, row: Row) -> Vec<Glyph> {
    match row {
        Row::Lane(lane @ LaneId::Core(_)) => core_row(ctx, lane),
        Row::Lane(lane) => phase_row(ctx, lane),
        Row::Group { group, .. } => group_row(ctx, group),
    }
}

fn blank(width: u16) -> Vec<Glyph> {
    vec![(' ', Style::default()); usize::from(width)]
}

/// Shaded cells of a core lane from the window query.
fn core_cells(ctx: &RowContext<'_>, lane: LaneId, out: &mut [Glyph]) {
    let cells = ctx
        .store
        .window(lane, ctx.vp.t0, ctx.vp.t1(), usize::from(ctx.width));
    for (g, c) in out.iter_mut().zip(&cells) {
        if c.items > 0 {
            let func = c.dominant.map(|d| d as i32);
            *g = (Theme::shade(c.busy, c.items), ctx.theme.task_cell(func));
        }
    }
}

/// Whether a lane is sparse enough in view to draw bars.
fn bars_fit(count: usize, width: u16) -> bool {
    (count as f64) <= f64::from(width) * BARS_PER_COLUMN
}

fn core_row(ctx: &RowContext<'_>, lane: LaneId) -> Vec<Glyph> {
    let LaneId::Core(core) = lane else {
        return blank(ctx.width);
    };
    let mut out = blank(ctx.width);
    core_cells(ctx, lane, &mut out);
    let (t0, t1) = (ctx.vp.t0, ctx.vp.t1());
    let limit = (f64::from(ctx.width) * BARS_PER_COLUMN) as usize + 1;
    let in_view: Vec<_> = ctx.store.tasks_in(core, t0, t1).take(limit).collect();
    let selected = ctx
        .selection
        .filter(|s| s.core == core)
        .and_then(|s| selected_row(ctx.store, s));
    if bars_fit(in_view.len(), ctx.width) {
        let tasks: Vec<TaskRecord> = in_view
            .iter()
            .filter_map(|&r| ctx.store.get_task(r))
            .collect();
        // Bars first, then marks only where no bar is, so a pre-loaded
        // dispatch never hides the task running before it.
        let mut covered = vec![false; usize::from(ctx.width)];
        for t in &tasks {
            let p = placed(&ctx.vp, t.start_ns, t.end_ns, ctx.width);
            let is_sel = ctx.selection.is_some_and(|s| s.task == t.task_id);
            let label = bar_label(ctx.store, t);
            paint_bar(
                &mut out,
                p,
                &label,
                ctx.theme.task_bar(t.func_id, is_sel),
                &mut covered,
            );
        }
        for t in &tasks {
            marks(ctx, t, &mut out, Some(&covered));
        }
    }
    // The selected task always shows, whatever the zoom.
    if let Some(t) = selected {
        let p = placed(&ctx.vp, t.start_ns, t.end_ns, ctx.width);
        let mut scratch = vec![false; usize::from(ctx.width)];
        paint_bar(
            &mut out,
            p,
            &bar_label(ctx.store, &t),
            ctx.theme.task_bar(t.func_id, true),
            &mut scratch,
        );
        marks(ctx, &t, &mut out, None);
    }
    out
}

/// The selected row, if it is still live.
pub fn selected_row(store: &TraceStore, s: Selection) -> Option<TaskRecord> {
    store
        .find_task(s.task)
        .into_iter()
        .filter(|r| r.core() == s.core)
        .find_map(|r| store.get_task(r))
}

/// `QK t12` — the converter's label without parentheses, to save a column.
fn bar_label(store: &TraceStore, t: &TaskRecord) -> String {
    format!("{} {}", store.func_label(t.func_id), t.task_id)
}

/// Fills a bar's columns with its style and the label if it fits, else the
/// function name (cut if need be), starting at the first visible column so
/// a bar that began off screen still says what it is. Bars under three
/// columns are solid blocks.
fn paint_bar(out: &mut [Glyph], p: Placed, label: &str, style: Style, covered: &mut [bool]) {
    let w = out.len() as i64;
    let (a, b) = (p.col0.max(0), p.col1.min(w));
    if a >= b {
        return;
    }
    if b - a < 3 {
        let solid = Style {
            fg: style.bg.or(style.fg),
            bg: None,
            add_modifier: style.add_modifier - Modifier::REVERSED,
            ..style
        };
        for col in a..b {
            out[col as usize] = ('█', solid);
            covered[col as usize] = true;
        }
        return;
    }
    // A task id cut short ("QK t") reads as a different task: when the
    // whole label does not fit, show the function name alone.
    let room = (b - a) as usize;
    let shown = if label.chars().count() <= room {
        label
    } else {
        label.split(' ').next().unwrap_or(label)
    };
    let mut chars = shown.chars();
    for col in a..b {
        out[col as usize] = (chars.next().unwrap_or(' '), style);
        covered[col as usize] = true;
    }
}

/// Dispatch and finish marks with the head and tail overhead between them
/// and the bar. `covered` = columns to leave alone (other bars); `None` draws
/// over anything (the selected task).
fn marks(ctx: &RowContext<'_>, t: &TaskRecord, out: &mut [Glyph], covered: Option<&[bool]>) {
    let p = placed(&ctx.vp, t.start_ns, t.end_ns, ctx.width);
    let w = out.len() as i64;
    let free = |c: i64| c >= 0 && c < w && covered.is_none_or(|m| !m[c as usize]);
    if let Some(d) = t.dispatch_ns {
        let dc = ctx.vp.col_of(d, ctx.width);
        if dc < p.col0 {
            for c in dc + 1..p.col0 {
                if free(c) {
                    out[c as usize] = (OVERHEAD_LINE, ctx.theme.overhead());
                }
            }
            if free(dc) {
                out[dc as usize] = (DISPATCH_MARK, ctx.theme.marker());
            }
        }
    }
    if let Some(f) = t.finish_ns {
        let fc = ctx.vp.col_of(f, ctx.width);
        if fc >= p.col1 {
            for c in p.col1..fc {
                if free(c) {
                    out[c as usize] = (OVERHEAD_LINE, ctx.theme.overhead());
                }
            }
            if free(fc) {
                out[fc as usize] = (FINISH_MARK, ctx.theme.marker());
            }
        }
    }
}

fn phase_row(ctx: &RowContext<'_>, lane: LaneId) -> Vec<Glyph> {
    let mut out = blank(ctx.width);
    let (t0, t1) = (ctx.vp.t0, ctx.vp.t1());
    let cells = ctx.store.window(lane, t0, t1, usize::from(ctx.width));
    for (g, c) in out.iter_mut().zip(&cells) {
        if c.items > 0 {
            let name = c.dominant.map_or("", |d| ctx.store.phase_name(d));
            let ch = if ctx.theme.color {
                Theme::shade(c.busy, c.items)
            } else {
                ctx.theme.phase_glyph(name)
            };
            *g = (ch, ctx.theme.phase_cell(name));
        }
    }
    let limit = (f64::from(ctx.width) * BARS_PER_COLUMN) as usize + 1;
    let spans: Vec<_> = ctx.store.phases_in(lane, t0, t1).take(limit).collect();
    if bars_fit(spans.len(), ctx.width) {
        let mut covered = vec![false; usize::from(ctx.width)];
        for s in spans {
            let name = ctx.store.phase_name(s.name);
            let p = placed(&ctx.vp, s.start_ns, s.end_ns, ctx.width);
            let label = match s.task_id() {
                Some(id) if matches!(lane, LaneId::Orch(_)) => {
                    format!("{} {id}", name.trim_start_matches("orch_"))
                }
                _ => name.to_string(),
            };
            let style = ctx.theme.phase_bar(name);
            // Phases are short and many: a clipped name ("comp") reads as
            // noise, so a bar shows its name only when the whole name fits.
            let shown = p.col1.min(ctx.width.into()) - p.col0.max(0);
            let label = if label.chars().count() as i64 <= shown {
                label
            } else {
                String::new()
            };
            if ctx.theme.color {
                paint_bar(&mut out, p, &label, style, &mut covered);
            } else {
                // Without colour the glyph tells the phase; the label still helps.
                let glyph = ctx.theme.phase_glyph(name);
                let (a, b) = (p.col0.max(0), p.col1.min(out.len() as i64));
                let mut chars = label.chars();
                let fits = b - a >= label.chars().count() as i64 + 2;
                for col in a..b {
                    let ch = if fits && col > a {
                        chars.next().unwrap_or(glyph)
                    } else {
                        glyph
                    };
                    out[col as usize] = (ch, style);
                }
            }
        }
        inner_phases(ctx, lane, &mut out);
    }
    phase_markers(ctx, lane, &mut out);
    out
}

/// Inner phases (`resolve` inside `complete`, drain steps inside `drain`)
/// drawn over their outer bar once bars are shown: the part of a completion
/// spent releasing dependents is visible in place.
fn inner_phases(ctx: &RowContext<'_>, lane: LaneId, out: &mut [Glyph]) {
    let (t0, t1) = (ctx.vp.t0, ctx.vp.t1());
    let limit = (f64::from(ctx.width) * BARS_PER_COLUMN) as usize + 1;
    let spans: Vec<_> = ctx
        .store
        .phases_in_role(lane, PhaseRole::Inner, t0, t1)
        .take(limit)
        .collect();
    if !bars_fit(spans.len(), ctx.width) {
        return;
    }
    for s in spans {
        let name = ctx.store.phase_name(s.name);
        let p = placed(&ctx.vp, s.start_ns, s.end_ns, ctx.width);
        let (a, b) = (p.col0.max(0), p.col1.min(out.len() as i64));
        let fits = b - a >= name.chars().count() as i64;
        let mut chars = name.chars();
        for col in a..b {
            let ch = if fits {
                chars.next().unwrap_or(' ')
            } else {
                ctx.theme.phase_glyph(name)
            };
            out[col as usize] = (ch, ctx.theme.phase_bar(name));
        }
    }
}

/// Zero-width markers (a dependency-only task, a predicated skip) as `◆`
/// at their time, at any zoom: each one is a task the scheduler handled.
fn phase_markers(ctx: &RowContext<'_>, lane: LaneId, out: &mut [Glyph]) {
    let (t0, t1) = (ctx.vp.t0, ctx.vp.t1());
    for s in ctx
        .store
        .phases_in_role(lane, PhaseRole::Marker, t0, t1)
        .take(usize::from(ctx.width) * 2)
    {
        let c = ctx.vp.col_of(s.start_ns, ctx.width);
        if c >= 0 && (c as usize) < out.len() {
            out[c as usize] = ('◆', ctx.theme.phase_cell(ctx.store.phase_name(s.name)));
        }
    }
}

/// Expanded: a faint rule. Collapsed: the members' combined activity.
fn group_row(ctx: &RowContext<'_>, group: Group) -> Vec<Glyph> {
    if !ctx.collapsed.contains(&group) {
        return vec![('─', ctx.theme.dim()); usize::from(ctx.width)];
    }
    let members: Vec<LaneId> = ctx
        .store
        .lanes()
        .into_iter()
        .filter(|&l| crate::app::state::group_of(ctx.store, l) == group)
        .collect();
    let n = usize::from(ctx.width);
    let mut busy = vec![0f32; n];
    let mut items = vec![0u32; n];
    // Per column: the dominant key of the member busiest there.
    let mut best: Vec<(f32, Option<u32>)> = vec![(0.0, None); n];
    for &lane in &members {
        for (j, c) in ctx
            .store
            .window(lane, ctx.vp.t0, ctx.vp.t1(), n)
            .iter()
            .enumerate()
        {
            busy[j] += c.busy;
            items[j] += c.items;
            if c.items > 0 && (best[j].1.is_none() || c.busy > best[j].0) {
                best[j] = (c.busy, c.dominant);
            }
        }
    }
    let k = members.len().max(1) as f32;
    (0..n)
        .map(|j| {
            if items[j] == 0 {
                return (' ', Style::default());
            }
            let style = match (group, best[j].1) {
                (Group::Aic | Group::Aiv, d) => ctx.theme.task_cell(d.map(|d| d as i32)),
                (_, Some(d)) => ctx.theme.phase_cell(ctx.store.phase_name(d)),
                (_, None) => Style::default(),
            };
            (Theme::shade(busy[j] / k, items[j]), style)
        })
        .collect()
}

/// The label column of a row.
pub fn row_label(store: &TraceStore, row: Row, collapsed: bool) -> String {
    match row {
        Row::Group { group, lanes } => {
            let arrow = if collapsed { '▸' } else { '▾' };
            format!("{arrow} {} {lanes}", group.title())
        }
        Row::Lane(lane) => store.lane_label(lane),
    }
}

/// Paints one row (label + timeline) at screen line `y`.
pub fn paint_row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    label: &str,
    label_style: Style,
    glyphs: &[Glyph],
) {
    let lw = usize::from(LABEL_WIDTH.min(area.width));
    let mut text: String = label.chars().take(lw.saturating_sub(1)).collect();
    while text.chars().count() < lw {
        text.push(' ');
    }
    buf.set_stringn(area.x, y, &text, lw, label_style);
    let x0 = area.x + LABEL_WIDTH;
    for (i, (ch, style)) in glyphs.iter().enumerate() {
        let x = x0 + i as u16;
        if x >= area.x + area.width {
            break;
        }
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_char(*ch).set_style(*style);
        }
    }
}

#[cfg(test)]
mod frame_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(kind: &str, start: u64, end: u64) -> crate::record::Record {
        crate::record::Record::SchedPhase(crate::record::SchedPhaseRecord {
            round: 0,
            thread: 0,
            kind: crate::record::SchedPhase::from_name(kind),
            start_ns: start,
            end_ns: end,
            loop_iter: 0,
            tasks_processed: 1,
            pops: None,
            shared_at_start: None,
            shared_at_end: None,
            task_id: None,
        })
    }

    #[test]
    fn scheduler_lanes_show_inner_phases_and_markers() {
        let info = crate::record::DeviceInfo {
            source: "t".into(),
            clock_hz: 50_000_000,
            core_types: vec![crate::record::CoreType::Aic],
            core_to_thread: vec![0],
            sched_threads: 1,
            aicpu_threads: 2,
            func_names: Default::default(),
            orchestrator_name: None,
            case_name: None,
        };
        let mut store = TraceStore::new(info, crate::dfx::Level::new(3).unwrap().flags());
        store.ingest(vec![
            phase("resolve", 20, 100),
            phase("complete", 0, 120),
            phase("dummy_task", 150, 150),
            phase("dispatch", 120, 200),
        ]);
        let collapsed = std::collections::BTreeSet::new();
        let ctx = RowContext {
            store: &store,
            vp: Viewport { t0: 0, span: 200 },
            width: 20,
            theme: Theme::new(false),
            selection: None,
            collapsed: &collapsed,
        };
        let row: String = phase_row(&ctx, LaneId::Sched(0))
            .iter()
            .map(|g| g.0)
            .collect();
        // complete 0..12 (its own name mostly covered), resolve 2..10 named
        // over it, dispatch 12..20 (glyph ▓ without colour), ◆ at 15.
        assert_eq!(row, "█cresolve ██▓▓▓◆▓▓▓▓", "{row}");
    }

    #[test]
    fn placement_covers_every_touched_column() {
        let vp = Viewport { t0: 0, span: 100 };
        assert_eq!(placed(&vp, 0, 10, 10), Placed { col0: 0, col1: 1 });
        assert_eq!(placed(&vp, 5, 15, 10), Placed { col0: 0, col1: 2 });
        assert_eq!(placed(&vp, 50, 50, 10), Placed { col0: 5, col1: 6 });
        assert_eq!(placed(&vp, 150, 170, 10), Placed { col0: 15, col1: 17 });
    }

    #[test]
    fn bars_carry_labels_and_small_bars_stay_visible() {
        let mut out = blank(12);
        let mut cov = vec![false; 12];
        paint_bar(
            &mut out,
            Placed { col0: 1, col1: 9 },
            "QK t12",
            Style::default(),
            &mut cov,
        );
        let s: String = out.iter().map(|g| g.0).collect();
        assert_eq!(s, " QK t12     ");
        let mut out = blank(4);
        paint_bar(
            &mut out,
            Placed { col0: 2, col1: 3 },
            "QK t12",
            Style::default(),
            &mut cov,
        );
        assert_eq!(out[2].0, '█');
        // Off-screen starts are clipped and the label starts where the bar shows.
        let mut out = blank(6);
        paint_bar(
            &mut out,
            Placed { col0: -5, col1: 4 },
            "abcdef",
            Style::default(),
            &mut cov,
        );
        assert_eq!(out.iter().map(|g| g.0).collect::<String>(), "abcd  ");
    }
}
