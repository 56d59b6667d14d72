//! The full-screen view: terminal in, input thread and capture thread up,
//! loop, and everything put back in reverse order whatever happens.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, bounded};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use super::event_loop::{self, Looper, Sources};
use super::health::{FRAME_BUDGET, FrameTimes};
use super::input::InputThread;
use super::terminal::{self, TerminalGuard};
use super::viewer::{CaptureStatus, Viewer};
use crate::capture::accounting::Counts;
use crate::capture::thread::{CaptureConfig, CaptureHandle};
use crate::device::Device;
use crate::dfx::DfxFlags;
use crate::render::units;

/// What a source brings besides its device.
#[derive(Default)]
pub struct TuiExtras {
    /// A file being read: its progress, for the loading screen.
    pub loading: Option<crate::capture::formats::Progress>,
    /// A driven command: its runs and log.
    pub runs: Option<super::runs::Runs>,
}

#[derive(Debug, Clone, Copy)]
pub struct TuiOptions {
    pub fps: u32,
    /// Records kept in memory while following.
    pub history: Option<u64>,
    pub color: bool,
    /// Panic on the UI thread after this many frames: how the end-to-end
    /// tests prove the panic path restores the terminal
    /// (`SWIMTOP_TEST_PANIC_AFTER_FRAMES`).
    pub panic_after_frames: Option<u64>,
}

/// What to say after the screen is restored.
#[derive(Debug)]
pub struct TuiSummary {
    pub frames: FrameTimes,
    pub steps: FrameTimes,
    /// Peak resident memory of the process, when the OS says.
    pub peak_rss: Option<u64>,
    pub counts: Counts,
    pub failure: Option<String>,
}

/// SIGINT, SIGTERM and SIGHUP become one message; the handler can only be
/// installed once per process, so the channel lives for the process.
pub fn signals() -> Receiver<()> {
    static CHANNEL: OnceLock<(Sender<()>, Receiver<()>)> = OnceLock::new();
    let (tx, rx) = CHANNEL.get_or_init(|| bounded(4));
    let tx = tx.clone();
    // An error means a handler is already installed (a second view in one
    // process), which already feeds this channel.
    let _ = ctrlc::set_handler(move || {
        let _ = tx.try_send(());
    });
    rx.clone()
}

/// The viewer a source gets. A file is kept whole: its rounds are what the
/// user came to see, and it is in memory already; `--history` bounds only
/// what a live source keeps (the simulated chip, a driven command's runs).
pub fn viewer_for(source: String, flags: DfxFlags, opts: &TuiOptions, extras: TuiExtras) -> Viewer {
    let history = if extras.loading.is_some() {
        None
    } else {
        opts.history
    };
    let mut viewer = Viewer::new(source, flags, opts.color, history);
    viewer.loading = extras.loading;
    viewer.runs = extras.runs;
    viewer
}

pub fn run(
    device: Box<dyn Device>,
    flags: DfxFlags,
    capture_cfg: CaptureConfig,
    opts: TuiOptions,
    extras: TuiExtras,
) -> anyhow::Result<TuiSummary> {
    let source = device.info().source;
    let signals = signals();
    let mut guard = TerminalGuard::enter().context("cannot take over the terminal")?;
    let mut input = InputThread::spawn().context("cannot start the input thread")?;
    let mut capture = CaptureHandle::spawn(device, flags, capture_cfg);
    let viewer = viewer_for(source, flags, &opts, extras);
    let mut looper = Looper::new(viewer, opts.fps, Instant::now());
    let mut frames_drawn = 0u64;
    let result = event_loop::run(
        &mut guard.terminal,
        &mut looper,
        Sources::of(&signals, &input.events, &capture),
        |begin| {
            if !begin && let Some(n) = opts.panic_after_frames {
                frames_drawn += 1;
                assert!(
                    frames_drawn < n,
                    "test panic after {n} frames (SWIMTOP_TEST_PANIC_AFTER_FRAMES)"
                );
            }
            // Whole frames or nothing: no tearing over a slow SSH link.
            let mut out = io::stdout();
            let _ = if begin {
                execute!(out, BeginSynchronizedUpdate)
            } else {
                execute!(out, EndSynchronizedUpdate)
            };
            let _ = out.flush();
        },
    );
    // A driven command is stopped before the screen goes (it may take a
    // grace period or two): say so on the screen the user is looking at.
    if looper.viewer.runs.is_some() {
        capture.stop();
        looper.viewer.state.message = Some("stopping the command (SIGINT, then SIGTERM)…".into());
        looper.viewer.state.help = false;
        if let Some(r) = looper.viewer.runs.as_mut() {
            r.view = None;
        }
        let _ = looper.draw(&mut guard.terminal, Instant::now());
        capture.join();
    }
    // Restore first, so anything below that fails is seen on a sane terminal.
    drop(guard);
    terminal::restore();
    input.stop();
    capture.stop();
    capture.join();
    let counts = Counts {
        evicted: looper.viewer.store.as_ref().map_or(0, |s| s.evicted()),
        ..capture.accounting.snapshot()
    };
    result.context("terminal error")?;
    Ok(TuiSummary {
        frames: looper.frame_times,
        steps: looper.step_times,
        peak_rss: super::health::peak_resident_bytes(),
        counts,
        failure: match &looper.viewer.status {
            CaptureStatus::Failed(m) => Some(m.clone()),
            _ => None,
        },
    })
}

impl TuiSummary {
    /// Two lines: what happened to the records, and how the screen kept up.
    pub fn line(&self) -> String {
        let c = &self.counts;
        let f = &self.frames;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let mut text = format!(
            "swimtop: records {} produced · {} delivered · {} dropped · {} evicted\n\
             swimtop: frames {} · mean {:.1} ms · slowest {:.1} ms · {} over {} ms · slowest step {:.1} ms",
            units::count(c.produced),
            units::count(c.delivered),
            units::count(c.dropped),
            units::count(c.evicted),
            f.frames,
            ms(f.mean()),
            ms(f.slowest),
            f.over_budget,
            FRAME_BUDGET.as_millis(),
            ms(self.steps.slowest)
        );
        if let Some(peak) = self.peak_rss {
            text.push_str(&format!(
                " · peak memory {:.0} MiB",
                peak as f64 / 1048576.0
            ));
        }
        text
    }
}
