//! Pure drawing: state and store in, a filled buffer and the layout out. No
//! I/O, no clock reads, no locks, no state changes here; what the event loop
//! needs back (where things were drawn) is returned as a value.

pub mod arrows;
pub mod detail;
pub mod header;
pub mod help;
pub mod lanes;
pub mod layout;
pub mod log;
pub mod ruler;
pub mod stats;
pub mod theme;
pub mod too_small;
pub mod units;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::state::{AppState, Row, StatsScope};
use crate::record::Ns;
use crate::store::TraceStore;
use crate::store::stats::TraceStats;
use arrows::{EdgeKind, RowMap};
use header::{HeaderModel, header_lines};
use lanes::{RowContext, paint_row, row_glyphs, row_label};
use layout::ScreenLayout;
use theme::Theme;

/// Everything one frame shows, borrowed from the app.
pub struct View<'a> {
    pub state: &'a AppState,
    pub store: Option<&'a TraceStore>,
    /// Display rows (groups and lanes) of the store.
    pub rows: &'a [Row],
    pub header: &'a HeaderModel,
    pub stats: Option<(&'a TraceStats, StatsScope)>,
    /// Time zero of the ruler and of times in the detail panel.
    pub origin: Ns,
    /// What the footer says when there is no prompt or message.
    pub hint: &'a str,
    /// Notes about the capture, listed under the statistics.
    pub notes: &'a [String],
    /// Shown instead of lanes while a file is read.
    pub loading: Option<String>,
    /// A driven command's output.
    pub log: Option<log::LogPanel<'a>>,
    /// More statistics lines (the run-to-run comparison).
    pub extra_stats: &'a [String],
}

/// Draws a whole frame into `buf` over `area`.
pub fn draw(buf: &mut Buffer, area: Rect, v: &View<'_>) -> ScreenLayout {
    let theme = Theme::new(v.state.color);
    let has_detail = v.state.selection.is_some() && v.store.is_some();
    let layout = ScreenLayout::with_log(area, has_detail, v.log.is_some());
    if layout.too_small {
        too_small::draw(buf, area, theme.warn());
        return layout;
    }
    draw_header(buf, &layout, v, theme);
    ruler::draw(buf, layout.ruler, &v.state.viewport, v.origin, theme.dim());
    match v.store {
        // A file being read has only its placeholder described: say how far.
        Some(store) if v.loading.is_none() && v.header.flags.aicore_timing() => {
            draw_lanes(buf, &layout, v, store, theme);
            if let Some(sel) = v.state.selection {
                detail::draw(buf, layout.detail, store, sel, v.origin, theme);
            }
        }
        _ => draw_no_lanes(buf, &layout, v, theme),
    }
    if let Some(l) = &v.log {
        log::draw_tail(buf, layout.log, l, theme);
    }
    draw_footer(buf, &layout, v, theme);
    if let Some((stats, scope)) = v.stats {
        stats::draw(
            buf,
            layout.lanes,
            stats,
            scope,
            v.notes,
            v.extra_stats,
            theme,
        );
    }
    if let Some(l) = &v.log {
        log::draw_full(buf, area, l, theme);
    }
    if v.state.help {
        help::draw(buf, area, theme);
    }
    layout
}

fn draw_header(buf: &mut Buffer, layout: &ScreenLayout, v: &View<'_>, theme: Theme) {
    let r = layout.header;
    let lines = header_lines(v.header, r.width);
    for (i, line) in lines.iter().enumerate() {
        let y = r.y + i as u16;
        let blank: String = " ".repeat(usize::from(r.width));
        buf.set_stringn(r.x, y, &blank, usize::from(r.width), theme.header());
        buf.set_stringn(r.x, y, line, usize::from(r.width), theme.header());
    }
}

/// Level 0, nothing described yet, or a file still being read: say why
/// there are no lanes.
fn draw_no_lanes(buf: &mut Buffer, layout: &ScreenLayout, v: &View<'_>, theme: Theme) {
    let r = layout.lanes;
    let mut lines = Vec::new();
    if let Some(l) = &v.loading {
        lines.push(l.clone());
    } else if v.store.is_none() {
        lines.push("waiting for the device to describe itself…".to_string());
    } else {
        lines.push(
            "profiling is off (level 0): nothing is recorded, nothing is allocated.".to_string(),
        );
        lines.push(match (v.header.round, v.header.round_device_ns) {
            (Some(round), Some(d)) => format!(
                "the device is running: round {round} took {} of device time.",
                units::duration(d)
            ),
            _ => "the device is running; no round has finished yet.".to_string(),
        });
        lines.push("run with --level 1 for AICore lanes, --level 2 for dispatch/finish and fanout, --level 3 for phases.".to_string());
    }
    for (i, line) in lines.iter().enumerate() {
        let y = r.y + 1 + i as u16;
        if y >= r.y + r.height {
            break;
        }
        buf.set_stringn(
            r.x + 2,
            y,
            line,
            usize::from(r.width.saturating_sub(2)),
            theme.warn(),
        );
    }
}

fn draw_lanes(
    buf: &mut Buffer,
    layout: &ScreenLayout,
    v: &View<'_>,
    store: &TraceStore,
    theme: Theme,
) {
    let st = v.state;
    let area = layout.lanes;
    let width = layout.timeline_width();
    let ctx = RowContext {
        store,
        vp: st.viewport,
        width,
        theme,
        selection: st.selection,
        collapsed: &st.collapsed,
    };
    let visible = layout.visible_rows();
    for (line, (i, row)) in v
        .rows
        .iter()
        .enumerate()
        .skip(st.scroll_row)
        .take(visible)
        .enumerate()
    {
        let y = area.y + line as u16;
        let collapsed = matches!(row, Row::Group { group, .. } if st.collapsed.contains(group));
        let label = row_label(store, *row, collapsed);
        let label_style = if i == st.cursor_row {
            theme.cursor_label()
        } else if matches!(row, Row::Group { .. }) {
            theme.group()
        } else {
            theme.label()
        };
        let glyphs = row_glyphs(&ctx, *row);
        paint_row(buf, area, y, &label, label_style, &glyphs);
    }
    if !store.flags().task_lifecycle() {
        return;
    }
    let map = RowMap::new(store, v.rows, st.scroll_row, visible, area.y);
    for (pred, succ, kind) in arrows::edges(store, &map, &st.viewport, st.selection) {
        let style = match kind {
            EdgeKind::Out => theme.arrow(),
            EdgeKind::In => theme.arrow_in(),
            EdgeKind::Ambient => theme.dim(),
        };
        arrows::draw_arrow(
            buf,
            area,
            &st.viewport,
            store,
            &map,
            &pred,
            &succ,
            style,
            theme,
        );
    }
}

fn draw_footer(buf: &mut Buffer, layout: &ScreenLayout, v: &View<'_>, theme: Theme) {
    let r = layout.footer;
    let (text, style) = if let Some(input) = &v.state.search.input {
        (
            format!("/{input}▏  (Enter search · Esc cancel)"),
            theme.label(),
        )
    } else if let Some(m) = &v.state.message {
        (m.clone(), theme.warn())
    } else if let Some(s) = &v.state.search.status {
        (format!("{s}  ·  {}", v.hint), theme.dim())
    } else {
        (v.hint.to_string(), theme.dim())
    };
    buf.set_stringn(r.x, r.y, &text, usize::from(r.width), style);
}
