//! The view's state, owned by the main thread: viewport, lane cursor,
//! selection, follow/pause, collapsed groups, overlays and search. Pure data
//! and pure operations on it (given a store to look things up in), so every
//! key can be tested without a terminal.

use std::collections::BTreeSet;

use crate::record::{CoreType, Ns, TaskId};
use crate::store::{LaneId, TraceStore};

/// The visible time window `[t0, t0 + span)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub t0: Ns,
    pub span: Ns,
}

/// Narrowest window: a few ns per column is already below the 20 ns tick.
pub const MIN_SPAN_NS: Ns = 100;
/// Zoom step per key press or wheel notch.
pub const ZOOM_STEP: f64 = 2.0;
/// Pan step per key press, as a fraction of the window.
pub const PAN_STEP: f64 = 0.125;

impl Viewport {
    pub fn t1(&self) -> Ns {
        self.t0.saturating_add(self.span)
    }

    /// Scales the span by `factor` (< 1 zooms in) keeping `anchor` at the same
    /// place on screen.
    pub fn zoom(&mut self, factor: f64, anchor: Ns, max_span: Ns) {
        let old = self.span.max(1) as f64;
        let new = (old * factor)
            .round()
            .clamp(MIN_SPAN_NS as f64, max_span.max(MIN_SPAN_NS) as f64);
        let anchor = anchor.clamp(self.t0, self.t1());
        let frac = (anchor - self.t0) as f64 / old;
        self.t0 = anchor.saturating_sub((frac * new).round() as Ns);
        self.span = new as Ns;
    }

    /// Moves by `frac` of the window (negative = earlier).
    pub fn pan(&mut self, frac: f64) {
        let delta = (self.span as f64 * frac.abs()).round().max(1.0) as Ns;
        self.t0 = if frac < 0.0 {
            self.t0.saturating_sub(delta)
        } else {
            self.t0.saturating_add(delta)
        };
    }

    /// Shows `[a, b)` with a margin of `margin` of the result on each side.
    pub fn fit(a: Ns, b: Ns, margin: f64) -> Viewport {
        let inner = b.saturating_sub(a).max(MIN_SPAN_NS / 2) as f64;
        let span = (inner / (1.0 - 2.0 * margin)).round() as Ns;
        let pad = (span as f64 * margin).round() as Ns;
        Viewport {
            t0: a.saturating_sub(pad),
            span: span.max(MIN_SPAN_NS),
        }
    }

    /// Column of time `t` in a timeline `width` columns wide (may be outside).
    pub fn col_of(&self, t: Ns, width: u16) -> i64 {
        let rel = t as i128 - self.t0 as i128;
        (rel * i128::from(width) / i128::from(self.span.max(1))) as i64
    }

    /// Time at the left edge of column `col`.
    pub fn time_of_col(&self, col: i64, width: u16) -> Ns {
        let w = i128::from(width.max(1));
        let t = self.t0 as i128 + i128::from(col) * self.span as i128 / w;
        t.clamp(0, i128::from(u64::MAX)) as Ns
    }

    /// Nanoseconds per column.
    pub fn ns_per_col(&self, width: u16) -> f64 {
        self.span as f64 / f64::from(width.max(1))
    }
}

/// Collapsible groups of lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Orchestrator,
    Schedulers,
    Aic,
    Aiv,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Orchestrator => "Orch",
            Group::Schedulers => "Sched",
            Group::Aic => "AIC",
            Group::Aiv => "AIV",
        }
    }
}

/// One row of the lanes area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A group's header: `▾ AIC 24` (expanded) or `▸ AIC 24` with the group's
    /// combined activity (collapsed).
    Group {
        group: Group,
        lanes: u32,
    },
    Lane(LaneId),
}

pub fn group_of(store: &TraceStore, lane: LaneId) -> Group {
    match lane {
        LaneId::Orch(_) => Group::Orchestrator,
        LaneId::Sched(_) => Group::Schedulers,
        LaneId::Core(c) => match store.core_type(c) {
            CoreType::Aic => Group::Aic,
            CoreType::Aiv => Group::Aiv,
        },
    }
}

/// The rows in display order: each group's header, then its lanes unless
/// collapsed. AICPU thread lanes only exist where phases are recorded
/// (level 3); below that they would be empty rows.
pub fn display_rows(store: &TraceStore, collapsed: &BTreeSet<Group>) -> Vec<Row> {
    let phases = store.flags().phase_buffers();
    let lanes: Vec<LaneId> = store
        .lanes()
        .into_iter()
        .filter(|l| phases || matches!(l, LaneId::Core(_)))
        .collect();
    let mut rows = Vec::with_capacity(lanes.len() + 4);
    let mut i = 0;
    while i < lanes.len() {
        let group = group_of(store, lanes[i]);
        let mut j = i;
        while j < lanes.len() && group_of(store, lanes[j]) == group {
            j += 1;
        }
        rows.push(Row::Group {
            group,
            lanes: (j - i) as u32,
        });
        if !collapsed.contains(&group) {
            rows.extend(lanes[i..j].iter().map(|&l| Row::Lane(l)));
        }
        i = j;
    }
    rows
}

/// The selected task: a task id plus the core its row ran on (a task can
/// have rows on several cores). Survives ingest and eviction, unlike row handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub task: TaskId,
    pub core: u32,
}

/// What the statistics panel covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsScope {
    Visible,
    Whole,
}

/// The `/` prompt and its last query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Text being typed while the prompt is open.
    pub input: Option<String>,
    /// The last query run (`n`/`N` reuse it).
    pub query: Option<String>,
    /// Outcome of the last search, for the footer.
    pub status: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub viewport: Viewport,
    /// Follow the newest data (like `top`); false = paused, viewport anchored.
    pub following: bool,
    /// The user chose a zoom; until then following fits the latest round.
    pub user_zoomed: bool,
    /// Index into the display rows of the lane cursor.
    pub cursor_row: usize,
    /// First display row shown (vertical scroll).
    pub scroll_row: usize,
    /// Zoom anchor: the last place the user pointed at.
    pub cursor_ns: Option<Ns>,
    pub selection: Option<Selection>,
    pub collapsed: BTreeSet<Group>,
    pub stats: Option<StatsScope>,
    pub help: bool,
    pub search: Search,
    /// A one-line message for the footer (errors, hints), cleared by the next key.
    pub message: Option<String>,
    pub color: bool,
}

impl AppState {
    pub fn new(color: bool) -> AppState {
        AppState {
            viewport: Viewport {
                t0: 0,
                span: 1_000_000,
            },
            following: true,
            user_zoomed: false,
            cursor_row: 0,
            scroll_row: 0,
            cursor_ns: None,
            selection: None,
            collapsed: BTreeSet::new(),
            stats: None,
            help: false,
            search: Search::default(),
            message: None,
            color,
        }
    }

    /// Where zoom keys anchor: the cursor when it is in view, else the centre
    /// (or the right edge while following, so the newest data stays in view).
    pub fn zoom_anchor(&self) -> Ns {
        let v = self.viewport;
        match self.cursor_ns {
            Some(t) if t >= v.t0 && t < v.t1() => t,
            _ if self.following => v.t1(),
            _ => v.t0 + v.span / 2,
        }
    }

    /// Keeps the lane cursor inside `rows` and on screen (`visible` rows tall).
    pub fn clamp_rows(&mut self, rows: usize, visible: usize) {
        if rows == 0 {
            self.cursor_row = 0;
            self.scroll_row = 0;
            return;
        }
        self.cursor_row = self.cursor_row.min(rows - 1);
        let visible = visible.max(1);
        if self.cursor_row < self.scroll_row {
            self.scroll_row = self.cursor_row;
        } else if self.cursor_row >= self.scroll_row + visible {
            self.scroll_row = self.cursor_row + 1 - visible;
        }
        self.scroll_row = self.scroll_row.min(rows.saturating_sub(visible));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_in_place() {
        let mut v = Viewport {
            t0: 1_000,
            span: 1_000,
        };
        v.zoom(0.5, 1_250, u64::MAX);
        assert_eq!((v.t0, v.span), (1_125, 500));
        v.zoom(2.0, 1_250, u64::MAX);
        assert_eq!((v.t0, v.span), (1_000, 1_000));
        // Clamped at both ends.
        v.zoom(1e-9, 1_500, u64::MAX);
        assert_eq!(v.span, MIN_SPAN_NS);
        v.zoom(1e9, 1_500, 5_000);
        assert_eq!(v.span, 5_000);
    }

    #[test]
    fn pan_and_columns() {
        let mut v = Viewport { t0: 0, span: 800 };
        v.pan(-PAN_STEP);
        assert_eq!(v.t0, 0, "never before time zero");
        v.pan(PAN_STEP);
        assert_eq!(v.t0, 100);
        assert_eq!(v.col_of(100, 80), 0);
        assert_eq!(v.col_of(190, 80), 9);
        assert_eq!(v.col_of(50, 80), -5);
        assert_eq!(v.time_of_col(8, 80), 180);
        let f = Viewport::fit(1_000, 2_000, 0.05);
        assert!(f.t0 < 1_000 && f.t1() > 2_000);
    }

    #[test]
    fn cursor_stays_on_screen() {
        let mut s = AppState::new(true);
        s.cursor_row = 30;
        s.clamp_rows(40, 10);
        assert_eq!((s.cursor_row, s.scroll_row), (30, 21));
        s.cursor_row = 5;
        s.clamp_rows(40, 10);
        assert_eq!(s.scroll_row, 5);
        s.cursor_row = 99;
        s.clamp_rows(12, 10);
        assert_eq!((s.cursor_row, s.scroll_row), (11, 2));
    }
}
