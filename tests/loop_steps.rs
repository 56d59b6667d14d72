//! The event loop without threads or wall time: scripted messages, a fake
//! clock, and a test backend that counts frames. Proves redraw-on-change,
//! the frame-rate cap, and that a flood of records never starves the keys.

// Fixture helpers panic on purpose: a fixture that cannot be set up is a
// failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use support::{looper, viewer};
use swimtop::app::event_loop::{self, Msg, Sources};
use swimtop::capture::accounting::{Accounting, Counts};
use swimtop::capture::channel::CaptureData;
use swimtop::record::{CoreType, Record, TaskId, TaskRecord};

fn press(c: char) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn task(id: u64, t: u64) -> Record {
    Record::Task(TaskRecord {
        round: 9,
        task_id: TaskId(id),
        func_id: 0,
        core_id: 0,
        core_type: CoreType::Aic,
        reg_task_id: 1,
        receive_ns: None,
        start_ns: t,
        end_ns: t + 10,
        dispatch_ns: Some(t),
        finish_ns: Some(t + 11),
    })
}

#[test]
fn draws_only_when_something_changed_and_at_most_fps_times_a_second() {
    let (mut l, mut term) = looper(viewer(2, 5, 1, "paged_attention"), 100, 30);
    let t0 = Instant::now();
    assert!(l.draw_due(t0), "the first frame is owed");
    l.draw(&mut term, t0).unwrap();
    assert!(
        !l.draw_due(t0 + Duration::from_secs(5)),
        "nothing changed: no frame"
    );

    // Paused: a batch changes only the header, which waits for the tick.
    let far = 10_000_000_000_000;
    l.step(Msg::Batch(vec![task(1_000_000, far)]), t0);
    assert!(!l.draw_due(t0 + Duration::from_millis(100)));

    // A key is drawn, but not before the frame interval since the last frame.
    l.step(press('w'), t0);
    assert!(!l.draw_due(t0), "capped");
    let frame = Duration::from_secs_f64(1.0 / 30.0);
    assert_eq!(l.deadline(t0), t0 + frame);
    assert!(l.draw_due(t0 + frame));
    l.draw(&mut term, t0 + frame).unwrap();

    // A burst of 100 keys over 100 ms of fake time is drawn 30 times a second.
    let start = l.frames;
    for i in 0..100u32 {
        let now = t0 + frame + Duration::from_millis(u64::from(i));
        l.step(press(if i % 2 == 0 { 'w' } else { 's' }), now);
        if l.draw_due(now) {
            l.draw(&mut term, now).unwrap();
        }
    }
    let drawn = l.frames - start;
    // The frame at the start of the burst was just drawn: two more fit in 99 ms.
    assert_eq!(drawn, 2, "99 ms at 30 fps after a frame");

    // The 1 Hz tick redraws a paused view only if the header text changed.
    let later = t0 + Duration::from_secs(3);
    l.step(Msg::Tick, later);
    if l.draw_due(later) {
        l.draw(&mut term, later).unwrap();
    }
    let before = l.frames;
    l.step(Msg::Tick, later + Duration::from_secs(1));
    assert!(
        !l.draw_due(later + Duration::from_secs(2)),
        "same header: no frame"
    );
    l.viewer.counts = Counts {
        produced: 99,
        delivered: 99,
        dropped: 0,
        evicted: 0,
        log_dropped: 0,
    };
    l.step(Msg::Tick, later + Duration::from_secs(2));
    assert!(
        l.draw_due(later + Duration::from_secs(2)),
        "header changed: frame"
    );
    assert_eq!(l.frames, before);
}

#[test]
fn following_redraws_on_new_records() {
    let mut v = viewer(2, 5, 1, "paged_attention");
    v.apply(swimtop::app::action::Action::TogglePause);
    assert!(v.state.following);
    let (mut l, mut term) = looper(v, 100, 30);
    let t0 = Instant::now();
    l.draw(&mut term, t0).unwrap();
    l.step(Msg::Batch(vec![task(1_000_000, 10_000_000_000_000)]), t0);
    assert!(l.draw_due(t0 + Duration::from_millis(40)));
}

#[test]
fn a_flood_of_records_never_starves_the_keyboard() {
    let (mut l, mut term) = looper(viewer(2, 5, 1, "paged_attention"), 100, 30);
    let (sig_tx, sig_rx) = bounded::<()>(1);
    let (in_tx, in_rx) = unbounded();
    let (data_tx, data_rx) = unbounded();
    let (_ev_tx, ev_rx) = unbounded();
    let accounting = Accounting::new();
    // Far more queued batches than the loop can ingest in a few ms each turn.
    let mut t = 20_000_000_000_000u64;
    for b in 0..2_000u64 {
        let batch: Vec<Record> = (0..500)
            .map(|i| {
                t += 20;
                task(b * 1_000 + i + 10_000_000, t)
            })
            .collect();
        data_tx.send(CaptureData::Records(batch)).unwrap();
    }
    in_tx
        .send(Event::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        )))
        .unwrap();
    let started = Instant::now();
    event_loop::run(
        &mut term,
        &mut l,
        Sources {
            signals: &sig_rx,
            input: &in_rx,
            data: &data_rx,
            events: &ev_rx,
            logs: &crossbeam_channel::never(),
            accounting: &accounting,
        },
        |_| {},
    )
    .unwrap();
    assert!(l.quit);
    assert!(
        data_rx.len() > 1_000,
        "quit was handled while {} batches were still queued",
        data_rx.len()
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(sig_tx);
}

#[test]
fn a_signal_quits() {
    let (mut l, mut term) = looper(viewer(1, 5, 1, "paged_attention"), 80, 24);
    let (sig_tx, sig_rx) = bounded::<()>(1);
    let (_in_tx, in_rx) = unbounded();
    let (_d, data_rx) = unbounded();
    let (_e, ev_rx) = unbounded();
    sig_tx.send(()).unwrap();
    event_loop::run(
        &mut term,
        &mut l,
        Sources {
            signals: &sig_rx,
            input: &in_rx,
            data: &data_rx,
            events: &ev_rx,
            logs: &crossbeam_channel::never(),
            accounting: &Accounting::new(),
        },
        |_| {},
    )
    .unwrap();
    assert!(l.quit);
}

#[test]
fn a_failed_device_is_shown_and_the_view_stays_up() {
    let (mut l, mut term) = looper(viewer(2, 5, 1, "paged_attention"), 120, 30);
    support::fail(&mut l, "workload exploded");
    let f = support::frame(&mut l, &mut term);
    assert!(f.contains("device failed: workload exploded"), "{f}");
    assert!(!l.quit);
}
