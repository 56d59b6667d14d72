//! What each key and mouse gesture does to the view, on a fixed-seed trace.

// Fixture helpers panic on purpose: a fixture that cannot be set up is a
// failed test.
#![allow(clippy::unwrap_used)]

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use support::viewer;
use swimtop::app::action::Action;
use swimtop::app::state::{Group, Row};
use swimtop::app::viewer::Viewer;
use swimtop::render::layout::{LABEL_WIDTH, ScreenLayout};
use swimtop::store::LaneId;

fn sized(mut v: Viewer) -> Viewer {
    v.resized(ScreenLayout::compute(
        ratatui::layout::Rect::new(0, 0, 120, 40),
        false,
    ));
    v
}

fn cursor_to(v: &mut Viewer, lane: LaneId) {
    let i = v.rows.iter().position(|r| *r == Row::Lane(lane)).unwrap();
    v.state.cursor_row = i;
}

fn key(v: &mut Viewer, c: char) {
    v.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

#[test]
fn zoom_halves_and_doubles_around_the_cursor() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    let before = v.state.viewport;
    let anchor = before.t0 + before.span / 4;
    v.state.cursor_ns = Some(anchor);
    v.apply(Action::ZoomIn);
    let z = v.state.viewport;
    assert_eq!(z.span, before.span / 2);
    // The anchor keeps its place on screen.
    let frac = |vp: swimtop::app::state::Viewport| (anchor - vp.t0) as f64 / vp.span as f64;
    assert!(
        (frac(z) - frac(before)).abs() < 1e-5,
        "within a ns of rounding"
    );
    v.apply(Action::ZoomOut);
    assert_eq!(v.state.viewport.span, before.span);
}

#[test]
fn pan_moves_by_an_eighth_and_pauses_following() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    v.apply(Action::TogglePause);
    assert!(v.state.following);
    let t0 = v.state.viewport.t0;
    v.apply(Action::PanLeft);
    assert!(!v.state.following, "panning anchors the view");
    assert_eq!(v.state.viewport.t0, t0 - v.state.viewport.span / 8);
}

#[test]
fn tasks_step_along_a_lane_and_dependencies_are_followed() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    cursor_to(&mut v, LaneId::Core(0));
    key(&mut v, '.');
    let first = v.selected_task().expect("a task on AIC_0");
    assert_eq!(first.core_id, 0);
    key(&mut v, '.');
    let second = v.selected_task().unwrap();
    assert!(second.start_ns > first.start_ns);
    key(&mut v, ',');
    assert_eq!(v.selected_task().unwrap().task_id, first.task_id);
    // QK → SF: `]` goes to the successor, `[` comes back.
    key(&mut v, ']');
    let succ = v.selected_task().unwrap();
    assert_ne!(succ.task_id, first.task_id);
    assert!(
        v.store
            .as_ref()
            .unwrap()
            .successors(first.task_id)
            .contains(&succ.task_id)
    );
    assert_eq!(
        v.rows[v.state.cursor_row],
        Row::Lane(LaneId::Core(succ.core_id))
    );
    key(&mut v, '[');
    assert_eq!(v.selected_task().unwrap().task_id, first.task_id);
    // Fit selection frames dispatch → finish.
    key(&mut v, 'F');
    let vp = v.state.viewport;
    assert!(vp.t0 <= first.dispatch_ns.unwrap() && vp.t1() >= first.finish_ns.unwrap());
    assert!(vp.span < 4 * (first.finish_ns.unwrap() - first.dispatch_ns.unwrap()));
    key(&mut v, 'F');
    // Up/down move the selection to the neighbouring lane.
    v.apply(Action::LaneDown);
    let moved = v.selected_task().unwrap();
    assert_eq!(moved.core_id, 1);
    // Esc clears it.
    v.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(v.state.selection.is_none());
}

#[test]
fn level_1_has_no_dependencies_to_follow_and_says_why() {
    let mut v = sized(viewer(1, 3, 1, "paged_attention"));
    cursor_to(&mut v, LaneId::Core(0));
    key(&mut v, '.');
    key(&mut v, ']');
    assert!(
        v.state.message.as_deref().unwrap().contains("level 2"),
        "{:?}",
        v.state.message
    );
}

#[test]
fn search_finds_functions_by_name_and_n_goes_on() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    key(&mut v, '/');
    for c in "sf".chars() {
        key(&mut v, c);
    }
    v.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let a = v.selected_task().expect("an SF task");
    let store = v.store.as_ref().unwrap();
    assert_eq!(store.func_label(a.func_id), "SF");
    let status = v.state.search.status.clone().unwrap();
    assert!(status.starts_with("/sf: 176 matches"), "{status}");
    key(&mut v, 'n');
    let b = v.selected_task().unwrap();
    assert!(b.start_ns > a.start_ns && v.store.as_ref().unwrap().func_label(b.func_id) == "SF");
    key(&mut v, 'N');
    assert_eq!(v.selected_task().unwrap().task_id, a.task_id);
    // An unknown name says so.
    key(&mut v, '/');
    key(&mut v, 'z');
    v.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        v.state
            .search
            .status
            .clone()
            .unwrap()
            .contains("no function matches")
    );
}

#[test]
fn groups_collapse_and_expand_under_the_cursor() {
    let mut v = sized(viewer(3, 3, 1, "paged_attention"));
    let rows = v.rows.len();
    cursor_to(&mut v, LaneId::Core(30));
    key(&mut v, 'c');
    assert!(v.state.collapsed.contains(&Group::Aiv));
    assert_eq!(v.rows.len(), rows - 48);
    assert!(matches!(
        v.rows[v.state.cursor_row],
        Row::Group {
            group: Group::Aiv,
            ..
        }
    ));
    key(&mut v, 'c');
    assert_eq!(v.rows.len(), rows);
}

#[test]
fn stats_cycle_visible_whole_off() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    key(&mut v, 't');
    let (s, _) = v.stats(std::time::Instant::now()).unwrap();
    assert_eq!(s.tasks, 704);
    key(&mut v, 't');
    assert!(v.stats(std::time::Instant::now()).is_some());
    key(&mut v, 't');
    assert!(v.stats(std::time::Instant::now()).is_none());
}

#[test]
fn mouse_wheel_zooms_drag_pans_click_selects() {
    let mut v = sized(viewer(2, 3, 1, "paged_attention"));
    let l = v.layout;
    let y = l.lanes.y
        + v.rows
            .iter()
            .position(|r| *r == Row::Lane(LaneId::Core(0)))
            .unwrap() as u16;
    let at = |kind, x: u16| MouseEvent {
        kind,
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    let span = v.state.viewport.span;
    v.mouse(at(MouseEventKind::ScrollUp, LABEL_WIDTH + 50));
    assert_eq!(v.state.viewport.span, span / 2);
    for _ in 0..3 {
        v.mouse(at(MouseEventKind::ScrollUp, LABEL_WIDTH + 50));
    }
    let t0 = v.state.viewport.t0;
    v.mouse(at(
        MouseEventKind::Down(MouseButton::Left),
        LABEL_WIDTH + 50,
    ));
    v.mouse(at(
        MouseEventKind::Drag(MouseButton::Left),
        LABEL_WIDTH + 40,
    ));
    v.mouse(at(MouseEventKind::Up(MouseButton::Left), LABEL_WIDTH + 40));
    assert!(
        v.state.viewport.t0 > t0,
        "dragging left moves later in time"
    );
    assert!(v.state.selection.is_none(), "a drag is not a click");
    // Click on a column holding a task of AIC_0.
    let store = v.store.as_ref().unwrap();
    let vp = v.state.viewport;
    let r = store
        .tasks_in(0, vp.t0, vp.t1())
        .next()
        .expect("AIC_0 busy in view");
    let task = store.get_task(r).unwrap();
    let col = vp.col_of(task.start_ns.max(vp.t0), l.timeline_width()) as u16;
    v.mouse(at(
        MouseEventKind::Down(MouseButton::Left),
        LABEL_WIDTH + col,
    ));
    v.mouse(at(MouseEventKind::Up(MouseButton::Left), LABEL_WIDTH + col));
    assert_eq!(v.selected_task().map(|t| t.core_id), Some(0));
}

#[test]
fn following_evicts_old_rounds_within_history_but_paused_keeps_everything() {
    // Feed rounds one by one as the live capture would.
    let full = viewer(2, 3, 6, "paged_attention");
    let capture = full.store.as_ref().unwrap().to_capture();
    let rounds = full.store.as_ref().unwrap().rounds().to_vec();
    let info = capture.info.clone();
    let flags = capture.flags;
    let per_round = capture.record_count() as u64 / 6;
    let feed = |following: bool| {
        let mut v = Viewer::new("t".into(), flags, true, Some(per_round * 2));
        v.describe(info.clone(), flags);
        if !following {
            v.apply(Action::TogglePause);
        }
        let mut records = capture.clone().into_records();
        records.sort_by_key(|r| r.round());
        for r in &rounds {
            let batch: Vec<_> = records
                .iter()
                .filter(|x| x.round() == r.round)
                .cloned()
                .collect();
            v.ingest(batch);
            v.round_done(r);
        }
        v
    };
    let live = feed(true);
    let s = live.store.as_ref().unwrap();
    assert!(s.evicted() > 0, "old rounds evicted while following");
    assert!(s.live_records() <= per_round * 3);
    assert_eq!(s.ingested(), s.live_records() + s.evicted());
    assert!(
        live.header().counts.evicted > 0,
        "and counted in the header"
    );
    let paused = feed(false);
    assert_eq!(
        paused.store.as_ref().unwrap().evicted(),
        0,
        "paused history is not evicted"
    );
}

#[test]
fn a_file_being_read_shows_its_progress_instead_of_lanes() {
    use swimtop::capture::formats::{Progress, Stage};
    let mut v = Viewer::new(
        "big.json".into(),
        swimtop::dfx::DfxFlags::empty(),
        false,
        None,
    );
    let p = Progress::new();
    v.loading = Some(p.clone());
    p.set(Stage::Reading, 40, 100);
    assert!(v.is_loading());
    assert_eq!(
        v.loading_text().unwrap(),
        "loading big.json: reading 40% of 100 B"
    );
    p.set(Stage::Parsing, 0, 0);
    assert_eq!(v.loading_text().unwrap(), "loading big.json: parsing…");
    let (mut l, mut t) = support::looper(v, 100, 20);
    let f = support::frame(&mut l, &mut t);
    assert!(f.contains("loading big.json: parsing…"), "{f}");
    // The capture thread describes the file's placeholder before the read
    // starts: the loading screen stays through it.
    let info = swimtop::record::DeviceInfo::placeholder("big.json".into());
    l.viewer
        .describe(info, swimtop::dfx::Level::new(1).unwrap().flags());
    assert!(l.viewer.is_loading());
    let f = support::frame(&mut l, &mut t);
    assert!(f.contains("loading big.json: parsing…"), "{f}");
    // Once the read is done, the loading screen is gone.
    p.set(Stage::Done, 0, 0);
    assert!(!l.viewer.is_loading());
    assert!(l.viewer.loading_text().is_none());
    // A read that fails ends it too (the failure is what the screen says).
    p.set(Stage::Parsing, 0, 0);
    support::fail(&mut l, "big.json: truncated file");
    assert!(!l.viewer.is_loading());
}
