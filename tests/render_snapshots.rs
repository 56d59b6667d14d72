//! Whole frames from a fixed-seed run, checked as text snapshots (insta).
//! Colour does not show in the text; the tests below the snapshots check the
//! cells where colour or a glyph carries meaning.

// Fixture helpers panic on purpose: a fixture that cannot be set up is a
// failed test.
#![allow(clippy::unwrap_used)]

mod support;

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use support::{ch, frame, key, looper, viewer};

const SEED: u64 = 7;

#[test]
fn levels_at_120x40() {
    for level in [1, 2, 3] {
        let (mut l, mut t) = looper(viewer(level, SEED, 1, "paged_attention"), 120, 40);
        assert_snapshot!(format!("level{level}_120x40"), frame(&mut l, &mut t));
    }
}

#[test]
fn levels_at_80x24() {
    for level in [1, 2, 3] {
        let (mut l, mut t) = looper(viewer(level, SEED, 1, "paged_attention"), 80, 24);
        assert_snapshot!(format!("level{level}_80x24"), frame(&mut l, &mut t));
    }
}

#[test]
fn level_0_says_profiling_is_off() {
    let (mut l, mut t) = looper(viewer(0, SEED, 1, "paged_attention"), 100, 20);
    let f = frame(&mut l, &mut t);
    assert!(f.contains("profiling is off (level 0)"), "{f}");
    assert!(f.contains("the device is running: round 0 took"), "{f}");
    assert_snapshot!("level0_100x20", f);
}

/// Zoomed in on AIC_0 with its first task selected: bars, marks, arrows, detail.
fn selected(
    level: u8,
) -> (
    swimtop::app::event_loop::Looper,
    ratatui::Terminal<ratatui::backend::TestBackend>,
) {
    let (mut l, mut t) = looper(viewer(level, SEED, 1, "paged_attention"), 120, 40);
    frame(&mut l, &mut t);
    // Cursor to AIC_0 (below the Orch/Sched groups at level 3).
    let aic0 = l
        .viewer
        .rows
        .iter()
        .position(|r| *r == swimtop::app::state::Row::Lane(swimtop::store::LaneId::Core(0)))
        .unwrap();
    for _ in 0..aic0 {
        key(&mut l, KeyCode::Down);
    }
    for _ in 0..4 {
        ch(&mut l, 'w');
    }
    ch(&mut l, '.');
    ch(&mut l, '.');
    ch(&mut l, 'F');
    for _ in 0..3 {
        ch(&mut l, 's');
    }
    (l, t)
}

#[test]
fn a_selected_task_with_its_arrows_and_detail() {
    let (mut l, mut t) = selected(2);
    let f = frame(&mut l, &mut t);
    assert!(
        f.contains("dispatch ") && f.contains("→ start "),
        "detail panel: {f}"
    );
    assert!(f.contains('▶'), "an arrow reaches a successor: {f}");
    assert!(f.contains("succ "), "{f}");
    assert_snapshot!("selected_level2_120x40", f);
}

#[test]
fn stats_panel_and_help() {
    let (mut l, mut t) = looper(viewer(3, SEED, 2, "paged_attention"), 120, 40);
    ch(&mut l, 't');
    ch(&mut l, 't');
    let f = frame(&mut l, &mut t);
    assert!(f.contains("whole trace"), "{f}");
    assert_snapshot!("stats_whole_level3_120x40", f);
    ch(&mut l, 't');
    ch(&mut l, '?');
    let f = frame(&mut l, &mut t);
    assert_snapshot!("help_80x24_from_120x40", f);
    let (mut l, mut t) = looper(viewer(2, SEED, 1, "paged_attention"), 80, 24);
    ch(&mut l, '?');
    assert_snapshot!("help_80x24", frame(&mut l, &mut t));
}

#[test]
fn too_small_is_one_line() {
    let (mut l, mut t) = looper(viewer(2, SEED, 1, "paged_attention"), 10, 5);
    let f = frame(&mut l, &mut t);
    assert_eq!(f.lines().next(), Some("terminal t"));
    assert_snapshot!("too_small_10x5", f);
    let (mut l, mut t) = looper(viewer(2, SEED, 1, "paged_attention"), 39, 12);
    let f = frame(&mut l, &mut t);
    assert!(
        f.starts_with("terminal too small: 39×12, need 40×10"),
        "{f}"
    );
}

#[test]
fn monochrome_tells_phases_and_marks_apart_by_glyph() {
    let mut v = viewer(3, SEED, 1, "paged_attention");
    v.state.color = false;
    let (mut l, mut t) = looper(v, 120, 40);
    for _ in 0..6 {
        ch(&mut l, 'w');
    }
    let f = frame(&mut l, &mut t);
    let buf = t.backend().buffer();
    // No cell carries a colour.
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{f}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{f}");
    }
    // Scheduler lanes use phase glyphs (complete █, dispatch ▓, idle ·).
    let sched: String = f.lines().filter(|l| l.starts_with("Sched_")).collect();
    assert!(
        sched.contains('·') && (sched.contains('█') || sched.contains('▓')),
        "{f}"
    );
}

#[test]
fn colour_carries_the_function_and_marks_stand_out() {
    let (mut l, mut t) = selected(2);
    frame(&mut l, &mut t);
    let buf = t.backend().buffer();
    let theme = swimtop::render::theme::Theme::new(true);
    let sel = l.viewer.selected_task().unwrap();
    // The selected bar's cells have the function's colour as background.
    let want = theme.func_color(sel.func_id);
    let coloured = buf.content().iter().filter(|c| c.bg == want).count();
    assert!(coloured > 0, "selected task's function colour is on screen");
    // Dispatch and finish marks are drawn in the marker style.
    let marks: Vec<_> = buf
        .content()
        .iter()
        .filter(|c| c.symbol() == "▕" || c.symbol() == "▏")
        .collect();
    assert!(!marks.is_empty());
    assert!(marks.iter().all(|c| c.fg == theme.marker().fg.unwrap()));
}
