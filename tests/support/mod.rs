//! Shared fixtures: a viewer holding a fixed-seed run of the simulated chip,
//! and frames rendered into a test backend as text.

#![allow(dead_code, clippy::unwrap_used)]

pub mod procs;
pub mod scratch;

use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use swimtop::app::event_loop::{Looper, Msg};
use swimtop::app::viewer::Viewer;
use swimtop::capture::channel::CaptureEvent;
use swimtop::device::sim::workload::Workload;
use swimtop::device::sim::{Pacing, SimConfig, SimDevice, Topology};
use swimtop::device::{Device, StopToken, VecSink};
use swimtop::dfx::Level;

/// A finished run of the simulated chip at `level`, described and ingested
/// into a fresh viewer (as the live view would have it after the capture
/// finished), not following, fitted to everything.
pub fn viewer(level: u8, seed: u64, rounds: u32, workload: &str) -> Viewer {
    let flags = Level::new(u64::from(level)).unwrap().flags();
    let mut cfg = SimConfig::new(Workload::resolve(workload, seed).unwrap());
    cfg.seed = seed;
    cfg.topology = Topology::default();
    cfg.rounds = Some(rounds);
    cfg.pacing = Pacing::AsFastAsPossible;
    let mut dev = SimDevice::new(cfg).unwrap();
    let mut sink = VecSink::default();
    let summary = dev.run(flags, &mut sink, &StopToken::new()).unwrap();
    let info = dev.info();
    let mut v = Viewer::new(info.source.clone(), flags, true, None);
    v.describe(info, flags);
    let n = sink.records.len() as u64;
    // As the capture thread would have counted them: all delivered.
    v.counts = swimtop::capture::accounting::Counts {
        produced: n,
        delivered: n,
        dropped: 0,
        evicted: 0,
        log_dropped: 0,
    };
    v.ingest(sink.records);
    for r in &sink.rounds {
        v.round_done(r);
    }
    v.finished(summary);
    // A fixed state: not following, so nothing depends on arrival timing.
    v.apply(swimtop::app::action::Action::TogglePause);
    v.state.message = None;
    v.apply(swimtop::app::action::Action::FitAll);
    v
}

/// A looper around `viewer` with a `w`×`h` test terminal.
pub fn looper(viewer: Viewer, w: u16, h: u16) -> (Looper, Terminal<TestBackend>) {
    let mut l = Looper::new(viewer, 30, Instant::now());
    l.set_size(ratatui::layout::Rect::new(0, 0, w, h));
    let term = Terminal::new(TestBackend::new(w, h)).unwrap();
    (l, term)
}

/// Draws one frame and returns the screen as lines of text.
pub fn frame(l: &mut Looper, term: &mut Terminal<TestBackend>) -> String {
    l.draw(term, Instant::now()).unwrap();
    text(term.backend().buffer())
}

pub fn text(buf: &Buffer) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.y..a.y + a.height {
        let line: String = (a.x..a.x + a.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Applies a key as the loop would.
pub fn key(l: &mut Looper, code: crossterm::event::KeyCode) {
    let ev = crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE);
    l.step(Msg::Input(crossterm::event::Event::Key(ev)), Instant::now());
}

pub fn ch(l: &mut Looper, c: char) {
    key(l, crossterm::event::KeyCode::Char(c));
}

/// The capture ended with an error.
pub fn fail(l: &mut Looper, msg: &str) {
    l.step(
        Msg::Capture(CaptureEvent::Failed(msg.into())),
        Instant::now(),
    );
}
