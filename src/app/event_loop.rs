//! The event loop. [`Looper::step`] applies one message at a given instant
//! and [`Looper::draw_due`] says whether a frame is owed, so tests drive the
//! loop with scripted messages and a fake clock; [`run`] is the thin real
//! loop: one biased `select!` over signals, input, capture and the next
//! deadline, redrawing only when something visible changed, at most `fps`
//! times a second, and never letting a flood of records starve the keys.

use std::io;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select_biased};
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;

use super::health::{self, FrameTimes, Health};
use super::viewer::{CaptureStatus, Viewer};
use crate::capture::accounting::Accounting;
use crate::capture::channel::{Batch, CaptureData, CaptureEvent, EventOrder, SequencedEvent};
use crate::capture::thread::CaptureHandle;
use crate::dfx::DfxFlags;
use crate::record::DeviceInfo;
use crate::render;
use crate::render::header::header_lines;
use crate::render::layout::ScreenLayout;

/// One thing that happened.
#[derive(Debug)]
pub enum Msg {
    /// SIGINT, SIGTERM or SIGHUP.
    Signal,
    Input(Event),
    Describe(Box<DeviceInfo>, DfxFlags),
    Batch(Batch),
    /// A whole capture, loaded off this thread.
    Store(Box<crate::store::TraceStore>),
    Capture(CaptureEvent),
    /// A line the driven command printed.
    Log(crate::device::LogLine),
    /// The deadline passed (frame due, or the 1 Hz tick).
    Tick,
}

/// Budget for draining queued batches before looking at input again.
const DRAIN_BUDGET: Duration = Duration::from_millis(5);
const TICK: Duration = Duration::from_secs(1);
/// How often a loading screen is redrawn.
const LOADING_REDRAW: Duration = Duration::from_millis(200);

pub struct Looper {
    pub viewer: Viewer,
    frame: Duration,
    dirty: bool,
    last_draw: Option<Instant>,
    next_tick: Instant,
    /// Header text of the last frame: a paused view redraws for the header
    /// only when its text changed, at the tick.
    shown_header: [String; 2],
    pub quit: bool,
    /// Frames drawn, for tests and the exit summary.
    pub frames: u64,
    /// How long those frames took (wall clock, whatever `now` says).
    pub frame_times: FrameTimes,
    /// How long handling each message took (ingest, eviction, keys): a key
    /// waits for the step before it as much as for a frame.
    pub step_times: FrameTimes,
    size: Rect,
    started: Instant,
    /// Where each 1 Hz health sample goes besides the log (the soak
    /// benchmark); a full or closed channel only loses samples.
    pub health_tx: Option<Sender<Health>>,
}

impl Looper {
    pub fn new(viewer: Viewer, fps: u32, now: Instant) -> Looper {
        Looper {
            viewer,
            frame: Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240))),
            dirty: true,
            last_draw: None,
            next_tick: now + TICK,
            shown_header: Default::default(),
            quit: false,
            frames: 0,
            frame_times: FrameTimes::default(),
            step_times: FrameTimes::default(),
            size: Rect::default(),
            started: now,
            health_tx: None,
        }
    }

    /// How the view is holding up right now.
    pub fn health(&self, now: Instant) -> Health {
        let store = self.viewer.store.as_ref();
        let mut counts = self.viewer.counts;
        counts.evicted = store.map_or(0, |s| s.evicted());
        Health {
            uptime: now.saturating_duration_since(self.started),
            counts,
            ingested: store.map_or(0, |s| s.ingested()),
            live_records: store.map_or(0, |s| s.live_records()),
            history: self.viewer.history(),
            rss_bytes: health::resident_bytes(),
            frames: self.frame_times,
            steps: self.step_times,
            capture_done: !matches!(self.viewer.status, CaptureStatus::Running),
        }
    }

    fn sample_health(&self, now: Instant) {
        let h = self.health(now);
        tracing::info!(target: "swimtop::health", "{h}");
        if let Some(tx) = &self.health_tx {
            let _ = tx.try_send(h);
        }
    }

    pub fn set_size(&mut self, size: Rect) {
        if size != self.size {
            self.size = size;
            let layout = self.viewer.layout_for(size);
            self.viewer.resized(layout);
            self.dirty = true;
        }
    }

    /// [`Looper::step`], timed into `step_times`.
    pub fn timed_step(&mut self, msg: Msg, now: Instant) {
        let began = Instant::now();
        self.step(msg, now);
        self.step_times.record(began.elapsed());
    }

    /// Applies one message.
    pub fn step(&mut self, msg: Msg, now: Instant) {
        match msg {
            Msg::Signal => self.quit = true,
            Msg::Input(Event::Key(k)) => {
                let o = self.viewer.key(k);
                self.quit |= o.quit;
                self.dirty |= o.changed;
            }
            Msg::Input(Event::Mouse(m)) => {
                self.dirty |= self.viewer.mouse(m).changed;
            }
            Msg::Input(Event::Resize(w, h)) => self.set_size(Rect::new(0, 0, w, h)),
            Msg::Input(_) => {}
            Msg::Describe(info, flags) => {
                self.viewer.describe(*info, flags);
                self.dirty = true;
            }
            // While paused only the header changes: left to the tick.
            Msg::Batch(b) => self.dirty |= self.viewer.ingest(b),
            Msg::Store(s) => {
                self.viewer.install(*s);
                self.dirty = true;
            }
            Msg::Capture(CaptureEvent::Round(r)) => {
                self.viewer.round_done(&r);
                self.dirty |= self.viewer.state.following;
            }
            Msg::Log(line) => {
                self.viewer.log_line(line);
                // The tail is on screen: show new output at the frame cap.
                self.dirty = true;
            }
            Msg::Capture(CaptureEvent::Run(e)) => {
                self.viewer.run_event(e, now);
                self.dirty = true;
            }
            Msg::Capture(CaptureEvent::Notice(n)) => {
                self.viewer.notice(n);
                self.dirty = true;
            }
            Msg::Capture(CaptureEvent::Finished(s)) => {
                self.viewer.finished(s);
                self.dirty = true;
            }
            Msg::Capture(CaptureEvent::Failed(m)) => {
                self.viewer.failed(m);
                self.dirty = true;
            }
            Msg::Tick => {
                // A loading screen and a running command's elapsed time and
                // spinner move on their own: redraw them a few times a second.
                if (self.viewer.is_loading()
                    || self.viewer.runs.as_ref().is_some_and(|r| r.is_running()))
                    && self.last_draw.is_none_or(|t| now >= t + LOADING_REDRAW)
                {
                    self.dirty = true;
                }
                if now >= self.next_tick {
                    self.viewer.tick(now);
                    self.sample_health(now);
                    self.next_tick = now + TICK;
                    if header_lines(&self.viewer.header(), self.size.width) != self.shown_header {
                        self.dirty = true;
                    }
                }
            }
        }
    }

    /// A frame is owed and the frame-rate cap allows it.
    pub fn draw_due(&self, now: Instant) -> bool {
        self.dirty && self.last_draw.is_none_or(|t| now >= t + self.frame)
    }

    /// When the loop must wake up even if nothing arrives.
    pub fn deadline(&self, now: Instant) -> Instant {
        let mut d = self.next_tick;
        if self.viewer.is_loading() || self.viewer.runs.as_ref().is_some_and(|r| r.is_running()) {
            d = d.min(self.last_draw.map_or(now, |t| t + LOADING_REDRAW));
        }
        if self.dirty {
            let frame_at = self.last_draw.map_or(now, |t| t + self.frame);
            d = d.min(frame_at);
        }
        d.max(now)
    }

    /// Draws a frame (compute, then paint) and records what was shown.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>, now: Instant) -> io::Result<()> {
        let began = Instant::now();
        let header = self.viewer.prepare_frame(now);
        let view = self.viewer.view(&header);
        let mut layout = ScreenLayout::default();
        terminal
            .draw(|frame| {
                let area = frame.area();
                layout = render::draw(frame.buffer_mut(), area, &view);
            })
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.viewer.resized(layout);
        self.size = layout.area;
        self.shown_header = header_lines(&header, self.size.width);
        self.dirty = false;
        self.last_draw = Some(now);
        self.frames += 1;
        self.frame_times.record(began.elapsed());
        Ok(())
    }
}

/// What the loop listens to.
pub struct Sources<'a> {
    pub signals: &'a Receiver<()>,
    pub input: &'a Receiver<Event>,
    pub data: &'a Receiver<CaptureData>,
    pub events: &'a Receiver<SequencedEvent>,
    pub logs: &'a Receiver<crate::device::LogLine>,
    pub accounting: &'a Accounting,
}

impl<'a> Sources<'a> {
    pub fn of(
        signals: &'a Receiver<()>,
        input: &'a Receiver<Event>,
        capture: &'a CaptureHandle,
    ) -> Sources<'a> {
        Sources {
            signals,
            input,
            data: &capture.rx.batches,
            events: &capture.rx.events,
            logs: &capture.rx.logs,
            accounting: &capture.accounting,
        }
    }
}

fn data_msg(d: CaptureData) -> Msg {
    match d {
        CaptureData::Records(b) => Msg::Batch(b),
        CaptureData::Store(s) => Msg::Store(s),
        CaptureData::Describe(i, f) => Msg::Describe(i, f),
    }
}

/// Runs until quit. `before_draw`/`after_draw` wrap each frame (synchronized
/// update on a real terminal).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    looper: &mut Looper,
    src: Sources<'_>,
    mut around_draw: impl FnMut(bool),
) -> io::Result<()> {
    if let Ok(size) = terminal.size() {
        looper.set_size(Rect::new(0, 0, size.width, size.height));
    }
    let mut data = src.data.clone();
    let mut events = src.events.clone();
    let mut logs = src.logs.clone();
    // Events before records, but never ahead of the records sent before them.
    let mut order = EventOrder::default();
    loop {
        let now = Instant::now();
        if looper.draw_due(now) {
            around_draw(true);
            let r = looper.draw(terminal, now);
            around_draw(false);
            r?;
        }
        if looper.quit {
            return Ok(());
        }
        if let Some(e) = order.ready() {
            looper.timed_step(Msg::Capture(e), Instant::now());
            continue;
        }
        looper.viewer.counts = src.accounting.snapshot();
        let deadline = crossbeam_channel::at(looper.deadline(Instant::now()));
        let take_events = if order.holding() {
            crossbeam_channel::never()
        } else {
            events.clone()
        };
        let msg = select_biased! {
            recv(src.signals) -> _ => Msg::Signal,
            recv(src.input) -> e => match e {
                Ok(e) => Msg::Input(e),
                // The input thread ended: the terminal is gone.
                Err(_) => Msg::Signal,
            },
            recv(take_events) -> e => match e {
                Ok(e) => order.arrived(e).map_or(Msg::Tick, Msg::Capture),
                Err(_) => { events = crossbeam_channel::never(); Msg::Tick }
            },
            recv(data) -> d => match d {
                Ok(d) => {
                    order.data_received();
                    data_msg(d)
                }
                // The sender is gone and every record is in.
                Err(_) => {
                    data = crossbeam_channel::never();
                    order.release().map_or(Msg::Tick, Msg::Capture)
                }
            },
            recv(logs) -> l => match l {
                Ok(l) => Msg::Log(l),
                Err(_) => { logs = crossbeam_channel::never(); Msg::Tick }
            },
            recv(deadline) -> _ => Msg::Tick,
        };
        let was_batch = matches!(msg, Msg::Batch(_) | Msg::Log(_));
        let now = Instant::now();
        looper.timed_step(msg, now);
        if was_batch {
            // Coalesce a flood: take what is queued, but only for a few ms so
            // keys stay responsive.
            let until = now + DRAIN_BUDGET;
            while Instant::now() < until {
                if order.ready_now() {
                    break;
                }
                match src.data.try_recv() {
                    Ok(d) => {
                        order.data_received();
                        looper.timed_step(data_msg(d), Instant::now());
                    }
                    Err(_) => match src.logs.try_recv() {
                        Ok(l) => looper.timed_step(Msg::Log(l), Instant::now()),
                        Err(_) => break,
                    },
                }
            }
        }
        looper.timed_step(Msg::Tick, Instant::now());
    }
}
