//! Every terminal size renders without panicking, with every overlay, and
//! the layout it reports matches the buffer.

// Fixture helpers panic on purpose: a fixture that cannot be set up is a
// failed test.
#![allow(clippy::unwrap_used)]

mod support;

use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use swimtop::app::state::{Selection, StatsScope};
use swimtop::app::viewer::Viewer;
use swimtop::render;

fn draw(v: &mut Viewer, w: u16, h: u16) {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    let header = v.prepare_frame(std::time::Instant::now());
    let view = v.view(&header);
    let layout = render::draw(&mut buf, area, &view);
    assert_eq!(layout.area, area);
    if !layout.too_small {
        assert!(layout.lanes.y + layout.lanes.height <= h);
        assert!(layout.footer.y < h);
    }
}

/// A viewer with everything switched on: selection, stats, help.
fn busy_viewer() -> Viewer {
    let mut v = support::viewer(3, 11, 1, "random:120");
    let t = v.store.as_ref().and_then(|s| {
        let lane = s.lanes().into_iter().find_map(|l| match l {
            swimtop::store::LaneId::Core(c) => Some(c),
            _ => None,
        })?;
        let r = s.tasks_in(lane, 0, u64::MAX).next()?;
        s.get_task(r)
    });
    if let Some(t) = t {
        v.state.selection = Some(Selection {
            task: t.task_id,
            core: t.core_id,
        });
    }
    v.state.stats = Some(StatsScope::Visible);
    v.state.help = true;
    v
}

#[test]
fn edges_of_the_size_range_render() {
    let mut v = busy_viewer();
    for w in 1..=300 {
        for h in [1, 2, 9, 10, 11, 24, 100] {
            draw(&mut v, w, h);
        }
    }
    for h in 1..=100 {
        for w in [1, 39, 40, 41, 80, 300] {
            draw(&mut v, w, h);
        }
    }
}

#[test]
fn any_size_renders() {
    // One viewer for every case: building the trace is the slow part.
    let v = std::cell::RefCell::new(busy_viewer());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
    let cases = (
        1u16..=300,
        1u16..=100,
        any::<bool>(),
        any::<bool>(),
        0u32..12,
    );
    runner
        .run(&cases, |(w, h, help, stats, zoom)| {
            let mut v = v.borrow_mut();
            v.state.help = help;
            v.state.stats = stats.then_some(StatsScope::Whole);
            v.apply(swimtop::app::action::Action::FitAll);
            for _ in 0..zoom {
                v.apply(swimtop::app::action::Action::ZoomIn);
            }
            draw(&mut v, w, h);
            Ok(())
        })
        .unwrap();
}
