//! The viewer: view state plus the trace store plus what the capture said,
//! and everything a key, a mouse event or a batch does to them. No terminal,
//! no threads, no clock reads (time is passed in), so every interaction is
//! testable as plain function calls.

use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::action::Action;
use super::keys;
use super::state::{
    AppState, Group, PAN_STEP, Row, Selection, StatsScope, Viewport, ZOOM_STEP, display_rows,
    group_of,
};
use crate::capture::accounting::Counts;
use crate::device::RunSummary;
use crate::dfx::DfxFlags;
use crate::record::{DeviceInfo, Ns, Record, RoundSummary, TaskRecord};
use crate::render::header::HeaderModel;
use crate::render::layout::ScreenLayout;
use crate::render::units;
use crate::store::stats::TraceStats;
use crate::store::{LaneId, TraceStore};

/// What the device is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureStatus {
    Running,
    Finished(RunSummary),
    Failed(String),
}

/// How wide the window is while following.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FollowSpan {
    /// The latest round, as `top` shows the latest interval.
    Round,
    /// What the user zoomed to.
    Fixed(Ns),
    /// Everything kept in memory (`f` while following).
    All,
}

/// Outcome of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub changed: bool,
    pub quit: bool,
}

impl Outcome {
    const CHANGED: Outcome = Outcome {
        changed: true,
        quit: false,
    };
    const NOTHING: Outcome = Outcome {
        changed: false,
        quit: false,
    };
}

struct Drag {
    x: u16,
    t0: Ns,
    moved: bool,
}

/// The statistics last computed: for which data version and range, and when.
struct StatsCache {
    version: u64,
    range: Option<(Ns, Ns)>,
    at: Instant,
    stats: TraceStats,
}

/// How often the statistics panel may be recomputed while data flows.
const STATS_REFRESH: Duration = Duration::from_millis(500);

pub struct Viewer {
    pub state: AppState,
    pub store: Option<TraceStore>,
    pub rows: Vec<Row>,
    pub source: String,
    pub requested: DfxFlags,
    pub status: CaptureStatus,
    /// First time ever seen: the ruler's zero (stable under eviction).
    pub origin: Option<Ns>,
    pub counts: Counts,
    /// Records kept in memory while following (oldest rounds evicted beyond it).
    history: Option<u64>,
    last_round: Option<RoundSummary>,
    follow_span: FollowSpan,
    /// The last frame's layout: where the mouse and page keys point.
    pub layout: ScreenLayout,
    drag: Option<Drag>,
    rate: f64,
    rate_mark: Option<(Instant, u64)>,
    stats: Option<StatsCache>,
    lanes_seen: usize,
    /// What the capture lacks or what was skipped, as the device said.
    pub notices: Vec<String>,
    /// A file being read: how far the reader has got.
    pub loading: Option<crate::capture::formats::Progress>,
    /// A driven command (the runtime device): its runs and log.
    pub runs: Option<super::runs::Runs>,
    /// The latest instant the loop told us about (for elapsed times).
    pub now: Option<Instant>,
    /// The run comparison for the statistics panel, for the rounds it saw.
    comparison: Option<(u64, Vec<String>)>,
}

impl Viewer {
    pub fn new(source: String, requested: DfxFlags, color: bool, history: Option<u64>) -> Viewer {
        Viewer {
            state: AppState::new(color),
            store: None,
            rows: Vec::new(),
            source,
            requested,
            status: CaptureStatus::Running,
            origin: None,
            counts: Counts::default(),
            history,
            last_round: None,
            follow_span: FollowSpan::Round,
            layout: ScreenLayout::default(),
            drag: None,
            rate: 0.0,
            rate_mark: None,
            stats: None,
            lanes_seen: 0,
            notices: Vec::new(),
            loading: None,
            runs: None,
            now: None,
            comparison: None,
        }
    }

    /// A driven command's run moved on.
    pub fn run_event(&mut self, e: crate::device::RunEvent, now: Instant) {
        self.now = Some(now);
        if let crate::device::RunEvent::Failed { reason, .. } = &e {
            self.state.message = Some(format!("run failed: {reason} — r retries, l shows the log"));
        }
        if let Some(r) = self.runs.as_mut() {
            r.event(e, now);
        }
    }

    pub fn log_line(&mut self, line: crate::device::LogLine) {
        if let Some(r) = self.runs.as_mut() {
            r.log_line(line);
        }
    }

    /// Lines of the run-to-run comparison (latest run against the one
    /// before), recomputed only when a new run came in.
    pub fn comparison(&mut self) -> &[String] {
        let (Some(runs), Some(store)) = (&self.runs, &self.store) else {
            return &[];
        };
        let n = runs.loaded.len();
        // A run's records and its round summary arrive separately: the key
        // moves with both, so a comparison made too early is made again.
        let key = (store.ingested() << 16) + ((store.rounds().len() as u64) << 8) + n as u64;
        if n >= 2 && self.comparison.as_ref().is_none_or(|(k, _)| *k != key) {
            let lines =
                super::runs::comparison_lines(store, runs.loaded[n - 2], runs.loaded[n - 1]);
            self.comparison = Some((key, lines));
        }
        self.comparison.as_ref().map_or(&[], |(_, l)| l.as_slice())
    }

    /// `exec −2.1% vs run 2` for the header, once there are two runs.
    fn trend(&self) -> Option<String> {
        let (_, lines) = self.comparison.as_ref()?;
        let first = lines.first()?;
        let (_, rest) = first.split_once(": total exec ")?;
        let runs = self.runs.as_ref()?;
        let prev = runs.loaded.get(runs.loaded.len().checked_sub(2)?)?;
        Some(format!("exec {rest} vs run {}", prev + 1))
    }

    /// A note from the device: shown at once in the footer, counted in the
    /// header, listed in the statistics panel.
    pub fn notice(&mut self, text: String) {
        self.state.message = Some(format!("note: {text}"));
        self.notices.push(text);
    }

    /// While a file is read: until its reader says it is done, or the
    /// capture ends (a failed read). Not until the first description: the
    /// capture thread describes the file's placeholder before reading starts.
    pub fn is_loading(&self) -> bool {
        matches!(self.status, CaptureStatus::Running)
            && self
                .loading
                .as_ref()
                .is_some_and(|p| p.get().0 != crate::capture::formats::Stage::Done)
    }

    /// `reading 40% of 95.2 MB`, `parsing 12% of 95.2 MB`, `parsing…`.
    pub fn loading_text(&self) -> Option<String> {
        use crate::capture::formats::Stage;
        let p = self.loading.as_ref().filter(|_| self.is_loading())?;
        let (stage, done, total) = p.get();
        Some(match stage {
            Stage::Reading | Stage::Parsing if total > 0 => format!(
                "loading {}: {} {:.0}% of {}",
                self.source,
                stage.as_str(),
                done as f64 * 100.0 / total as f64,
                units::bytes(total)
            ),
            _ => format!("loading {}: {}…", self.source, stage.as_str()),
        })
    }

    pub fn flags(&self) -> DfxFlags {
        self.store
            .as_ref()
            .map_or(self.requested, TraceStore::flags)
    }

    /// Records kept in memory while following (`--history`).
    pub fn history(&self) -> Option<u64> {
        self.history
    }

    // ---- capture side ---------------------------------------------------

    pub fn describe(&mut self, info: DeviceInfo, flags: DfxFlags) {
        self.source = info.source.clone();
        self.take_store(TraceStore::new(info, flags));
        self.rebuild_rows();
    }

    /// Takes a whole capture loaded elsewhere, in place of the store the
    /// description made (the same view as ingesting its records).
    pub fn install(&mut self, store: TraceStore) {
        self.take_store(store);
        self.shown();
    }

    /// A new store, under the history budget that applies now; what pointed
    /// into the old one is reset.
    fn take_store(&mut self, mut store: TraceStore) {
        store.set_max_live_records(self.budget(self.state.following));
        self.store = Some(store);
        self.origin = None;
        self.state.selection = None;
    }

    /// Records kept while following (`--history`); paused history is not
    /// evicted.
    fn budget(&self, following: bool) -> Option<u64> {
        if following { self.history } else { None }
    }

    /// Returns true when the lanes (not only the header) changed on screen.
    pub fn ingest(&mut self, batch: Vec<Record>) -> bool {
        let Some(store) = self.store.as_mut() else {
            return false;
        };
        store.ingest(batch);
        self.shown()
    }

    /// After the store took records: place the view, rebuild the rows if
    /// lanes appeared, follow. True when the lanes changed on screen.
    fn shown(&mut self) -> bool {
        let Some(store) = self.store.as_ref() else {
            return false;
        };
        let lanes = store.lanes().len();
        if self.origin.is_none() {
            self.origin = store.time_range().map(|r| r.0);
            if !self.state.user_zoomed {
                self.fit_initial();
            }
        }
        if lanes != self.lanes_seen {
            self.rebuild_rows();
        }
        if self.state.following {
            self.follow();
            true
        } else {
            false
        }
    }

    pub fn round_done(&mut self, r: &RoundSummary) {
        if let Some(store) = self.store.as_mut() {
            store.round_done(r);
        }
        self.last_round = Some(r.clone());
        self.follow();
    }

    pub fn finished(&mut self, s: RunSummary) {
        self.status = CaptureStatus::Finished(s);
        // A file loaded at once: show all of it.
        if self.last_round.is_none() || self.follow_span == FollowSpan::All {
            self.fit_all();
        }
    }

    pub fn failed(&mut self, msg: String) {
        self.state.message = Some(format!("device failed: {msg}"));
        self.status = CaptureStatus::Failed(msg);
    }

    /// Once a second: the ingest rate.
    pub fn tick(&mut self, now: Instant) {
        let delivered = self.counts.delivered;
        if let Some((t, n)) = self.rate_mark {
            let dt = now.saturating_duration_since(t).as_secs_f64();
            if dt > 0.0 {
                self.rate = delivered.saturating_sub(n) as f64 / dt;
            }
        }
        self.rate_mark = Some((now, delivered));
    }

    fn rebuild_rows(&mut self) {
        if let Some(store) = &self.store {
            self.rows = display_rows(store, &self.state.collapsed);
            self.lanes_seen = store.lanes().len();
        } else {
            self.rows.clear();
        }
        self.clamp_rows();
    }

    fn clamp_rows(&mut self) {
        let visible = self.layout.visible_rows();
        self.state.clamp_rows(self.rows.len(), visible);
    }

    fn range(&self) -> Option<(Ns, Ns)> {
        self.store.as_ref().and_then(TraceStore::time_range)
    }

    fn max_span(&self) -> Ns {
        self.range().map_or(Ns::MAX / 4, |(a, b)| {
            b.saturating_sub(a).saturating_mul(4).max(1_000_000)
        })
    }

    fn fit_initial(&mut self) {
        if let Some((a, b)) = self.range() {
            self.state.viewport = Viewport::fit(a, b.max(a + 200_000), 0.02);
        }
    }

    /// While following: the right edge on the newest data.
    fn follow(&mut self) {
        if !self.state.following {
            return;
        }
        let Some((a, b)) = self.range() else { return };
        let span = match self.follow_span {
            FollowSpan::Round => match &self.last_round {
                Some(r) => (r.device_time_ns() as f64 * 1.1) as Ns,
                None => ((b - a) as f64 * 1.05) as Ns,
            },
            FollowSpan::Fixed(s) => s,
            FollowSpan::All => ((b - a) as f64 / 0.96) as Ns,
        }
        .max(super::state::MIN_SPAN_NS);
        let t0 = match self.follow_span {
            FollowSpan::All => a.saturating_sub(span / 50),
            _ => (b + span / 50).saturating_sub(span),
        };
        self.state.viewport = Viewport { t0, span };
    }

    fn set_following(&mut self, on: bool) {
        if self.state.following == on {
            return;
        }
        self.state.following = on;
        // Resuming applies the budget again.
        let budget = self.budget(on);
        if let Some(store) = self.store.as_mut() {
            store.set_max_live_records(budget);
        }
        if on {
            self.follow();
            self.state.message = Some("following".into());
        } else {
            self.state.message =
                Some("paused: capture goes on, history kept (space resumes)".into());
        }
    }

    fn fit_all(&mut self) {
        if let Some((a, b)) = self.range() {
            self.state.viewport = Viewport::fit(a, b, 0.02);
        }
    }

    // ---- input ----------------------------------------------------------

    pub fn key(&mut self, ev: KeyEvent) -> Outcome {
        if ev.kind == KeyEventKind::Release {
            return Outcome::NOTHING;
        }
        if self.state.search.input.is_some() {
            return self.search_key(ev);
        }
        if self.runs.as_ref().is_some_and(|r| r.view.is_some()) {
            return self.log_key(ev);
        }
        let had_message = self.state.message.take().is_some();
        match keys::action_for(&ev) {
            Some(a) => {
                let mut o = self.apply(a);
                o.changed |= had_message;
                o
            }
            None => Outcome {
                changed: had_message,
                quit: false,
            },
        }
    }

    /// Keys while the full-screen log is open: scroll, search, close.
    fn log_key(&mut self, ev: KeyEvent) -> Outcome {
        let Some(runs) = self.runs.as_mut() else {
            return Outcome::NOTHING;
        };
        let len = runs.log.len();
        let page = self.layout.area.height.saturating_sub(4).max(1) as usize;
        let Some(v) = runs.view.as_mut() else {
            return Outcome::NOTHING;
        };
        if let Some(input) = v.input.as_mut() {
            match ev.code {
                KeyCode::Esc => v.input = None,
                KeyCode::Enter => {
                    let q = std::mem::take(input);
                    v.input = None;
                    if !q.is_empty() {
                        v.query = Some(q);
                        v.hit = None;
                        self.state.message = runs.search(true);
                    }
                }
                KeyCode::Backspace => {
                    input.pop();
                }
                KeyCode::Char(c) => input.push(c),
                _ => return Outcome::NOTHING,
            }
            return Outcome::CHANGED;
        }
        let ctrl_c = ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            _ if ctrl_c => {
                return Outcome {
                    changed: false,
                    quit: true,
                };
            }
            KeyCode::Char('q') => {
                return Outcome {
                    changed: false,
                    quit: true,
                };
            }
            KeyCode::Esc | KeyCode::Char('l') => runs.view = None,
            KeyCode::Up | KeyCode::Char('k') => {
                v.from_end = (v.from_end + 1).min(len.saturating_sub(1))
            }
            KeyCode::Down | KeyCode::Char('j') => v.from_end = v.from_end.saturating_sub(1),
            KeyCode::PageUp => v.from_end = (v.from_end + page).min(len.saturating_sub(1)),
            KeyCode::PageDown => v.from_end = v.from_end.saturating_sub(page),
            KeyCode::Char('g') | KeyCode::Home => v.from_end = len.saturating_sub(1),
            KeyCode::Char('G') | KeyCode::End => v.from_end = 0,
            KeyCode::Char('/') => v.input = Some(String::new()),
            KeyCode::Char('n') => self.state.message = runs.search(true),
            KeyCode::Char('N') => self.state.message = runs.search(false),
            KeyCode::Char('r') => {
                if !runs.retry() {
                    self.state.message = Some("nothing to retry: no run is waiting".into());
                }
            }
            _ => return Outcome::NOTHING,
        }
        Outcome::CHANGED
    }

    fn search_key(&mut self, ev: KeyEvent) -> Outcome {
        let input = self.state.search.input.get_or_insert_with(String::new);
        match ev.code {
            KeyCode::Esc => self.state.search.input = None,
            KeyCode::Enter => {
                let q = std::mem::take(input);
                self.state.search.input = None;
                if !q.is_empty() {
                    self.state.search.query = Some(q);
                    self.search(true, true);
                }
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char('c') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                return Outcome {
                    changed: true,
                    quit: true,
                };
            }
            KeyCode::Char(c) => input.push(c),
            _ => return Outcome::NOTHING,
        }
        Outcome::CHANGED
    }

    pub fn apply(&mut self, action: Action) -> Outcome {
        let vp = self.state.viewport;
        match action {
            Action::Quit => {
                return Outcome {
                    changed: false,
                    quit: true,
                };
            }
            Action::ZoomIn | Action::ZoomOut => {
                let f = if action == Action::ZoomIn {
                    1.0 / ZOOM_STEP
                } else {
                    ZOOM_STEP
                };
                let anchor = self.state.zoom_anchor();
                let max = self.max_span();
                self.state.viewport.zoom(f, anchor, max);
                self.state.user_zoomed = true;
                if self.state.following {
                    self.follow_span = FollowSpan::Fixed(self.state.viewport.span);
                    self.follow();
                }
            }
            Action::PanLeft | Action::PanRight => {
                self.set_following(false);
                let dir = if action == Action::PanLeft { -1.0 } else { 1.0 };
                self.state.viewport.pan(dir * PAN_STEP);
            }
            Action::LaneUp => self.move_lane(-1),
            Action::LaneDown => self.move_lane(1),
            Action::PageUp => self.move_lane(-(self.layout.visible_rows().max(1) as i64)),
            Action::PageDown => self.move_lane(self.layout.visible_rows().max(1) as i64),
            Action::FitAll => {
                self.fit_all();
                self.state.user_zoomed = true;
                if self.state.following {
                    self.follow_span = FollowSpan::All;
                }
            }
            Action::FitSelection => match self.selected_task() {
                Some(t) => {
                    self.set_following(false);
                    let a = t.dispatch_ns.unwrap_or(t.start_ns).min(t.start_ns);
                    let b = t.finish_ns.unwrap_or(t.end_ns).max(t.end_ns);
                    self.state.viewport = Viewport::fit(a, b, 0.15);
                    self.state.user_zoomed = true;
                }
                None => {
                    self.state.message = Some("no task selected (. , or click selects one)".into())
                }
            },
            Action::NextTask => self.step_task(true),
            Action::PrevTask => self.step_task(false),
            Action::Predecessor => self.follow_edge(false),
            Action::Successor => self.follow_edge(true),
            Action::Search => self.state.search.input = Some(String::new()),
            Action::SearchNext => self.search(true, false),
            Action::SearchPrev => self.search(false, false),
            Action::TogglePause => {
                let on = !self.state.following;
                self.set_following(on);
            }
            Action::GoStart => {
                if let Some((a, _)) = self.range() {
                    self.set_following(false);
                    self.state.viewport.t0 = a.saturating_sub(vp.span / 50);
                }
            }
            Action::GoEnd => {
                if let Some((_, b)) = self.range() {
                    self.state.viewport.t0 = (b + vp.span / 50).saturating_sub(vp.span);
                }
            }
            Action::ToggleCollapse => self.toggle_collapse(),
            Action::ToggleStats => {
                self.state.stats = match self.state.stats {
                    None => Some(StatsScope::Visible),
                    Some(StatsScope::Visible) => Some(StatsScope::Whole),
                    Some(StatsScope::Whole) => None,
                };
                self.stats = None;
            }
            Action::ToggleHelp => self.state.help = !self.state.help,
            Action::ToggleLog => match self.runs.as_mut() {
                Some(r) => r.view = Some(super::runs::LogView::default()),
                None => {
                    self.state.message =
                        Some("no command log: run a command with swimtop -- CMD".into());
                }
            },
            Action::Retry => {
                let retried = self.runs.as_mut().is_some_and(super::runs::Runs::retry);
                self.state.message = Some(if retried {
                    "retrying the failed run".into()
                } else {
                    "nothing to retry: no run is waiting".into()
                });
            }
            Action::Cancel => {
                if self.state.help {
                    self.state.help = false;
                } else if self.state.stats.is_some() {
                    self.state.stats = None;
                } else if self.state.search.status.is_some() {
                    self.state.search.status = None;
                } else {
                    self.state.selection = None;
                }
            }
        }
        Outcome::CHANGED
    }

    fn cursor_core(&self) -> Option<u32> {
        match self.rows.get(self.state.cursor_row) {
            Some(Row::Lane(LaneId::Core(c))) => Some(*c),
            _ => None,
        }
    }

    pub fn selected_task(&self) -> Option<TaskRecord> {
        let store = self.store.as_ref()?;
        crate::render::lanes::selected_row(store, self.state.selection?)
    }

    fn move_lane(&mut self, delta: i64) {
        let n = self.rows.len();
        if n == 0 {
            return;
        }
        let cur = self.state.cursor_row as i64;
        self.state.cursor_row = (cur + delta).clamp(0, n as i64 - 1) as usize;
        self.clamp_rows();
        // The selection moves with the cursor: the task nearest the cursor time.
        if self.state.selection.is_some()
            && let Some(core) = self.cursor_core()
        {
            let at = self
                .selected_task()
                .map(|t| t.start_ns)
                .or(self.state.cursor_ns)
                .unwrap_or(self.state.viewport.t0);
            if let Some(t) = self.nearest_task(core, at) {
                self.state.selection = Some(Selection {
                    task: t.task_id,
                    core,
                });
                self.state.cursor_ns = Some(t.start_ns);
            }
        }
    }

    /// The task on `core` closest to `at` within the visible window.
    fn nearest_task(&self, core: u32, at: Ns) -> Option<TaskRecord> {
        let store = self.store.as_ref()?;
        let vp = self.state.viewport;
        store
            .tasks_in(core, vp.t0, vp.t1())
            .filter_map(|r| store.get_task(r))
            .min_by_key(|t| {
                if at < t.start_ns {
                    t.start_ns - at
                } else {
                    at.saturating_sub(t.end_ns)
                }
            })
    }

    /// Selects `t`: cursor to its lane (expanding a collapsed group), time
    /// cursor to its start, and the window moved if it is not in view.
    fn select(&mut self, t: &TaskRecord) {
        self.state.selection = Some(Selection {
            task: t.task_id,
            core: t.core_id,
        });
        self.state.cursor_ns = Some(t.start_ns);
        if let Some(store) = &self.store {
            let group = group_of(store, LaneId::Core(t.core_id));
            if self.state.collapsed.remove(&group) {
                self.rebuild_rows();
            }
        }
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| *r == Row::Lane(LaneId::Core(t.core_id)))
        {
            self.state.cursor_row = i;
            self.clamp_rows();
        }
        let vp = self.state.viewport;
        if t.start_ns < vp.t0 || t.end_ns > vp.t1() {
            self.set_following(false);
            let mid = t.start_ns / 2 + t.end_ns / 2;
            self.state.viewport.t0 = mid.saturating_sub(vp.span / 2);
        }
    }

    fn step_task(&mut self, forward: bool) {
        let Some(core) = self.cursor_core() else {
            self.state.message =
                Some("move the cursor to an AIC/AIV lane (↑ ↓) to step through its tasks".into());
            return;
        };
        let Some(store) = self.store.as_ref() else {
            return;
        };
        let sel = self.selected_task().filter(|t| t.core_id == core);
        let vp = self.state.viewport;
        let found = if forward {
            let from = sel.as_ref().map_or(vp.t0, |t| t.start_ns);
            let strict = sel.is_some();
            store
                .tasks_in(core, from, Ns::MAX)
                .filter_map(|r| store.get_task(r))
                .find(|t| {
                    if strict {
                        t.start_ns > from
                    } else {
                        t.start_ns >= from
                    }
                })
        } else {
            let before = sel.as_ref().map_or(vp.t1(), |t| t.start_ns);
            prev_task(store, core, before, vp.span)
        };
        match found {
            Some(t) => {
                if self.state.following {
                    self.set_following(false);
                }
                self.select(&t);
            }
            None => {
                self.state.message = Some(format!(
                    "no {} task on {}",
                    if forward { "later" } else { "earlier" },
                    store.lane_label(LaneId::Core(core))
                ));
            }
        }
    }

    fn follow_edge(&mut self, to_successor: bool) {
        let Some(t) = self.selected_task() else {
            self.state.message = Some("select a task first (. , or click)".into());
            return;
        };
        let Some(store) = self.store.as_ref() else {
            return;
        };
        let ids = if to_successor {
            store.successors(t.task_id)
        } else {
            store.predecessors(t.task_id)
        };
        let rows = ids
            .iter()
            .filter_map(|&id| store.find_task(id).first().and_then(|&r| store.get_task(r)));
        // The successor that can start first; the predecessor that gated it.
        let next = if to_successor {
            rows.min_by_key(|r| (r.start_ns, r.core_id))
        } else {
            rows.max_by_key(|r| (r.end_ns, r.core_id))
        };
        match next {
            Some(n) => self.select(&n),
            None => {
                let what = if !store.flags().task_lifecycle() {
                    "no fanout at this level (level 2 records it)".to_string()
                } else if to_successor {
                    format!("{} has no successors in memory", store.task_label(&t))
                } else {
                    format!("{} has no predecessors in memory", store.task_label(&t))
                };
                self.state.message = Some(what);
            }
        }
    }

    fn toggle_collapse(&mut self) {
        let Some(store) = &self.store else { return };
        let group = match self.rows.get(self.state.cursor_row) {
            Some(Row::Group { group, .. }) => *group,
            Some(Row::Lane(l)) => group_of(store, *l),
            None => return,
        };
        if !self.state.collapsed.remove(&group) {
            self.state.collapsed.insert(group);
        }
        self.rebuild_rows();
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| matches!(r, Row::Group { group: g, .. } if *g == group))
        {
            self.state.cursor_row = i;
            self.clamp_rows();
        }
    }

    /// Finds the next (or previous) task whose function label contains the
    /// query (case-insensitive) after (before) the time cursor.
    fn search(&mut self, forward: bool, count: bool) {
        let Some(q) = self.state.search.query.clone() else {
            self.state.message = Some("no search yet: / starts one".into());
            return;
        };
        let Some(store) = self.store.as_ref() else {
            return;
        };
        let needle = q.to_lowercase();
        let funcs: Vec<i32> = store
            .functions()
            .into_iter()
            .filter(|&f| store.func_label(f).to_lowercase().contains(&needle))
            .collect();
        if funcs.is_empty() {
            self.state.search.status = Some(format!("/{q}: no function matches"));
            return;
        }
        let from = self
            .selected_task()
            .map(|t| t.start_ns)
            .or(self.state.cursor_ns)
            .unwrap_or(self.state.viewport.t0);
        let cores: Vec<u32> = store
            .lanes()
            .into_iter()
            .filter_map(|l| match l {
                LaneId::Core(c) => Some(c),
                _ => None,
            })
            .collect();
        let matches = |t: &TaskRecord| funcs.contains(&t.func_id);
        let mut best: Option<TaskRecord> = None;
        for &c in &cores {
            let cand = if forward {
                store
                    .tasks_in(c, from, Ns::MAX)
                    .filter_map(|r| store.get_task(r))
                    .find(|t| t.start_ns > from && matches(t))
            } else {
                prev_task_where(store, c, from, self.state.viewport.span, &matches)
            };
            if let Some(t) = cand {
                let better = match &best {
                    None => true,
                    Some(b) if forward => (t.start_ns, t.core_id) < (b.start_ns, b.core_id),
                    Some(b) => (t.start_ns, t.core_id) > (b.start_ns, b.core_id),
                };
                if better {
                    best = Some(t);
                }
            }
        }
        let total = count.then(|| {
            cores
                .iter()
                .map(|&c| {
                    store
                        .tasks_in(c, 0, Ns::MAX)
                        .filter_map(|r| store.get_task(r))
                        .filter(|t| matches(t))
                        .count()
                })
                .sum::<usize>()
        });
        match best {
            Some(t) => {
                let label = store.task_label(&t);
                self.state.search.status = Some(match total {
                    Some(n) => format!("/{q}: {n} matches · at {label} (n next, N previous)"),
                    None => format!("/{q}: at {label}"),
                });
                self.set_following(false);
                self.select(&t);
            }
            None => {
                self.state.search.status = Some(format!(
                    "/{q}: no {} match",
                    if forward { "later" } else { "earlier" }
                ));
            }
        }
    }

    pub fn mouse(&mut self, ev: MouseEvent) -> Outcome {
        let l = self.layout;
        let col = l.timeline_col_at(ev.column);
        let width = l.timeline_width();
        match ev.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let Some(col) = col else {
                    return Outcome::NOTHING;
                };
                let anchor = self.state.viewport.time_of_col(i64::from(col), width);
                self.state.cursor_ns = Some(anchor);
                let f = if ev.kind == MouseEventKind::ScrollUp {
                    1.0 / ZOOM_STEP
                } else {
                    ZOOM_STEP
                };
                let max = self.max_span();
                self.state.viewport.zoom(f, anchor, max);
                self.state.user_zoomed = true;
                if self.state.following {
                    self.follow_span = FollowSpan::Fixed(self.state.viewport.span);
                    self.follow();
                }
                Outcome::CHANGED
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.drag = Some(Drag {
                    x: ev.column,
                    t0: self.state.viewport.t0,
                    moved: false,
                });
                Outcome::NOTHING
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                let Some(d) = self.drag.as_mut() else {
                    return Outcome::NOTHING;
                };
                let dx = i64::from(ev.column) - i64::from(d.x);
                if dx == 0 {
                    return Outcome::NOTHING;
                }
                d.moved = true;
                let shift =
                    (dx.unsigned_abs() as f64 * self.state.viewport.ns_per_col(width)) as Ns;
                let t0 = if dx > 0 {
                    d.t0.saturating_sub(shift)
                } else {
                    d.t0.saturating_add(shift)
                };
                self.set_following(false);
                self.state.viewport.t0 = t0;
                Outcome::CHANGED
            }
            MouseEventKind::Up(MouseButton::Left) => {
                let clicked = self.drag.take().is_some_and(|d| !d.moved);
                if clicked {
                    self.click(ev.column, ev.row)
                } else {
                    Outcome::NOTHING
                }
            }
            _ => Outcome::NOTHING,
        }
    }

    fn click(&mut self, x: u16, y: u16) -> Outcome {
        let Some(line) = self.layout.lane_line_at(y) else {
            return Outcome::NOTHING;
        };
        let i = self.state.scroll_row + line;
        let Some(&row) = self.rows.get(i) else {
            return Outcome::NOTHING;
        };
        self.state.cursor_row = i;
        let width = self.layout.timeline_width();
        let Some(col) = self.layout.timeline_col_at(x) else {
            // A click on a group's label folds it.
            if matches!(row, Row::Group { .. }) {
                self.toggle_collapse();
            }
            return Outcome::CHANGED;
        };
        let vp = self.state.viewport;
        let t = vp.time_of_col(i64::from(col), width);
        self.state.cursor_ns = Some(t);
        if let (Row::Lane(LaneId::Core(core)), Some(store)) = (row, self.store.as_ref()) {
            let npc = vp.ns_per_col(width).ceil() as Ns;
            // The task in the clicked column, else one within a column of it.
            let hit = store
                .tasks_in(core, t, t + npc.max(1))
                .chain(store.tasks_in(core, t.saturating_sub(npc), t + 2 * npc.max(1)))
                .filter_map(|r| store.get_task(r))
                .next();
            match hit {
                Some(task) => {
                    self.state.selection = Some(Selection {
                        task: task.task_id,
                        core,
                    });
                    self.state.cursor_ns = Some(task.start_ns);
                }
                None => self.state.selection = None,
            }
        }
        Outcome::CHANGED
    }

    /// Layout the next frame will use at `area`.
    pub fn layout_for(&self, area: ratatui::layout::Rect) -> ScreenLayout {
        ScreenLayout::with_log(area, self.state.selection.is_some(), self.runs.is_some())
    }

    /// A new terminal size: remember the layout the next frame will use.
    pub fn resized(&mut self, layout: ScreenLayout) {
        self.layout = layout;
        self.clamp_rows();
    }

    // ---- for the frame --------------------------------------------------

    pub fn header(&self) -> HeaderModel {
        let evicted = self.store.as_ref().map_or(0, TraceStore::evicted);
        HeaderModel {
            source: self.source.clone(),
            flags: self.flags(),
            round: self.last_round.as_ref().map(|r| r.round),
            following: self.state.following,
            counts: Counts {
                evicted,
                ..self.counts
            },
            ingest_per_s: self.rate,
            round_device_ns: self.last_round.as_ref().map(RoundSummary::device_time_ns),
            round_overhead_ns: self.last_round.as_ref().map(|r| r.overhead_ns),
            view_span_ns: Some(self.state.viewport.span),
            notes: self.notices.len(),
            status: match (&self.status, &self.runs) {
                (_, Some(r)) => {
                    let mut s = r.status(self.now.unwrap_or_else(Instant::now));
                    if let Some(t) = self.trend() {
                        s.push_str(&format!(" · {t}"));
                    }
                    Some(s)
                }
                (CaptureStatus::Running, None) => None,
                (CaptureStatus::Finished(s), None) if s.stopped => Some("stopped".into()),
                (CaptureStatus::Finished(s), None) => Some(format!(
                    "finished: {} round(s), {} tasks",
                    s.rounds,
                    units::count(s.tasks)
                )),
                (CaptureStatus::Failed(m), None) => Some(format!("device failed: {m}")),
            },
        }
    }

    /// The statistics for the panel, recomputed when the data or the range
    /// changed (at most every `STATS_REFRESH` while data keeps flowing).
    pub fn stats(&mut self, now: Instant) -> Option<(&TraceStats, StatsScope)> {
        let scope = self.state.stats?;
        let store = self.store.as_ref()?;
        let version = store.ingested() + store.evicted();
        let range = match scope {
            StatsScope::Visible => Some((self.state.viewport.t0, self.state.viewport.t1())),
            StatsScope::Whole => None,
        };
        // A range the user moved to is answered at once; data flowing in (or
        // a window sliding with it while following) at most every STATS_REFRESH.
        let stale = match &self.stats {
            None => true,
            Some(c) => {
                let due = now.saturating_duration_since(c.at) >= STATS_REFRESH;
                (c.range != range && (!self.state.following || due))
                    || (c.version != version && due)
            }
        };
        if stale {
            self.stats = Some(StatsCache {
                version,
                range,
                at: now,
                stats: store.stats(range),
            });
        }
        self.cached_stats()
    }

    /// The statistics last computed, if the panel is open.
    pub fn cached_stats(&self) -> Option<(&TraceStats, StatsScope)> {
        let scope = self.state.stats?;
        self.stats.as_ref().map(|c| (&c.stats, scope))
    }

    /// Brings what a frame shows up to date (statistics) and returns the
    /// header; then [`Viewer::view`] borrows everything for drawing.
    pub fn prepare_frame(&mut self, now: Instant) -> HeaderModel {
        self.now = Some(now);
        let _ = self.stats(now);
        // Cached per run: the header's trend needs it even with the panel shut.
        let _ = self.comparison();
        self.header()
    }

    /// Everything a frame draws, borrowed from the viewer.
    pub fn view<'a>(&'a self, header: &'a HeaderModel) -> crate::render::View<'a> {
        crate::render::View {
            state: &self.state,
            store: self.store.as_ref(),
            rows: &self.rows,
            header,
            stats: self.cached_stats(),
            origin: self.origin.unwrap_or(0),
            hint: self.hint(),
            notes: &self.notices,
            loading: self.loading_text(),
            log: self.runs.as_ref().map(|r| crate::render::log::LogPanel {
                lines: &r.log,
                view: r.view.as_ref(),
                trimmed: r.log_trimmed,
                dropped: self.counts.log_dropped,
            }),
            extra_stats: match (&self.comparison, self.state.stats) {
                (Some((_, lines)), Some(_)) => lines,
                _ => &[],
            },
        }
    }

    pub fn hint(&self) -> &'static str {
        "? help · q quit · space pause · w/s zoom · a/d pan · ↑↓ lanes · . , tasks · [ ] deps · / search · t stats"
    }

    pub fn group_collapsed(&self, g: Group) -> bool {
        self.state.collapsed.contains(&g)
    }
}

/// The last task on `core` starting before `before`, looking back in growing windows.
fn prev_task(store: &TraceStore, core: u32, before: Ns, span: Ns) -> Option<TaskRecord> {
    prev_task_where(store, core, before, span, &|_| true)
}

/// Like [`prev_task`] for tasks that satisfy `pred`.
fn prev_task_where(
    store: &TraceStore,
    core: u32,
    before: Ns,
    span: Ns,
    pred: &dyn Fn(&TaskRecord) -> bool,
) -> Option<TaskRecord> {
    let mut w = span.max(1_000);
    loop {
        let lo = before.saturating_sub(w);
        let found = store
            .tasks_in(core, lo, before)
            .filter_map(|r| store.get_task(r))
            .filter(|t| t.start_ns < before && pred(t))
            .last();
        if found.is_some() || lo == 0 {
            return found;
        }
        w = w.saturating_mul(4);
    }
}
