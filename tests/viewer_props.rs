//! Any sequence of keys, mouse gestures and resizes on a fixed trace never
//! panics and keeps the view valid: the window inside the time it may show,
//! the lane cursor on a row, the scroll within the rows, a selection that
//! names a task the store holds, and every frame drawable.

mod support;

use std::time::Instant;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use proptest::prelude::*;
use ratatui::layout::Rect;
use swimtop::app::event_loop::Msg;
use swimtop::app::state::MIN_SPAN_NS;

/// What a user can do, as proptest generates it.
#[derive(Debug, Clone)]
enum Input {
    Key(char),
    Special(u8),
    Mouse(u8, u16, u16),
    Resize(u16, u16),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        // Every key the table binds, plus search text.
        6 => proptest::sample::select(
            "wsadfFgG.,[]/nN ctl?rqhjkSQ+-=x".chars().collect::<Vec<_>>()
        )
        .prop_map(Input::Key),
        3 => (0u8..10).prop_map(Input::Special),
        3 => (0u8..6, 0u16..320, 0u16..110).prop_map(|(k, x, y)| Input::Mouse(k, x, y)),
        1 => (1u16..=320, 1u16..=110).prop_map(|(w, h)| Input::Resize(w, h)),
    ]
}

fn to_msg(i: &Input) -> Msg {
    let key = |code| Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    match *i {
        // `q` would end the script early: the loop's quit flag is checked below.
        Input::Key(c) => key(KeyCode::Char(c)),
        Input::Special(n) => key(match n {
            0 => KeyCode::Up,
            1 => KeyCode::Down,
            2 => KeyCode::Left,
            3 => KeyCode::Right,
            4 => KeyCode::PageUp,
            5 => KeyCode::PageDown,
            6 => KeyCode::Home,
            7 => KeyCode::End,
            8 => KeyCode::Esc,
            _ => KeyCode::Enter,
        }),
        Input::Mouse(k, x, y) => Msg::Input(Event::Mouse(MouseEvent {
            kind: match k {
                0 => MouseEventKind::ScrollUp,
                1 => MouseEventKind::ScrollDown,
                2 => MouseEventKind::Down(MouseButton::Left),
                3 => MouseEventKind::Drag(MouseButton::Left),
                4 => MouseEventKind::Up(MouseButton::Left),
                _ => MouseEventKind::Moved,
            },
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })),
        Input::Resize(w, h) => Msg::Input(Event::Resize(w, h)),
    }
}

#[test]
fn any_input_sequence_keeps_the_view_valid() {
    let base = support::viewer(3, 9, 2, "paged_attention");
    let capture = base.store.as_ref().unwrap().to_capture();
    let rounds = base.store.as_ref().unwrap().rounds().to_vec();
    let config = ProptestConfig {
        cases: 40,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    runner
        .run(&proptest::collection::vec(input(), 1..80), |script| {
            // A fresh viewer per case, holding the same trace.
            let mut v = swimtop::app::viewer::Viewer::new(
                "props".into(),
                capture.flags,
                true,
                Some(100_000),
            );
            v.describe(capture.info.clone(), capture.flags);
            v.ingest(capture.clone().into_records());
            for r in &rounds {
                v.round_done(r);
            }
            let (mut l, mut term) = support::looper(v, 120, 40);
            let mut size = (120u16, 40u16);
            for i in &script {
                if let Input::Resize(w, h) = i {
                    size = (*w, *h);
                    term.backend_mut().resize(*w, *h);
                }
                l.step(to_msg(i), Instant::now());
                l.quit = false;
                l.draw(&mut term, Instant::now()).unwrap();
                let v = &l.viewer;
                let vp = v.state.viewport;
                prop_assert!(vp.span >= MIN_SPAN_NS, "span {} after {:?}", vp.span, i);
                prop_assert!(vp.t0.checked_add(vp.span).is_some(), "window overflows");
                if !v.rows.is_empty() {
                    prop_assert!(
                        v.state.cursor_row < v.rows.len(),
                        "cursor {} of {}",
                        v.state.cursor_row,
                        v.rows.len()
                    );
                    prop_assert!(v.state.scroll_row <= v.state.cursor_row);
                }
                if let Some(sel) = v.state.selection {
                    let store = v.store.as_ref().unwrap();
                    prop_assert!(
                        store
                            .find_task(sel.task)
                            .iter()
                            .any(|r| r.core() == sel.core),
                        "selection names a task the store holds"
                    );
                }
                prop_assert_eq!(l.viewer.layout.area, Rect::new(0, 0, size.0, size.1));
            }
            Ok(())
        })
        .unwrap();
}
