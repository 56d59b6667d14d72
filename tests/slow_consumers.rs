//! When the screen falls behind, a live source drops and counts, and a file
//! never drops: the real capture thread and event loop, with a terminal that
//! takes 40 ms to take each frame (a slow SSH link), under a simulated chip
//! running at full speed or a capture file being replayed.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, bounded, unbounded};
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use swimtop::app::event_loop::{self, Looper, Sources};
use swimtop::app::health::Health;
use swimtop::app::tui::{TuiExtras, TuiOptions, viewer_for};
use swimtop::app::viewer::CaptureStatus;
use swimtop::capture::accounting::Accounting;
use swimtop::capture::channel::CaptureData;
use swimtop::capture::formats::{self, Format, Progress, ReadOptions};
use swimtop::capture::thread::{CaptureConfig, CaptureHandle};
use swimtop::device::file::FileDevice;
use swimtop::device::sim::workload::Workload;
use swimtop::device::sim::{Pacing, SimConfig, SimDevice};
use swimtop::device::{Device, RunSummary, StopToken, VecSink};
use swimtop::dfx::{DfxFlags, Level};
use swimtop::record::Capture;

/// What the slow terminal adds to every frame.
const FRAME_STALL: Duration = Duration::from_millis(40);
/// However slow the machine, a run this long means the loop is stuck.
const GIVE_UP: Duration = Duration::from_secs(120);

struct Outcome {
    looper: Looper,
    summary: RunSummary,
    samples: Vec<Health>,
}

fn sim(rounds: u32) -> SimDevice {
    let mut cfg = SimConfig::new(Workload::resolve("paged_attention", 7).unwrap());
    cfg.seed = 7;
    cfg.rounds = Some(rounds);
    cfg.pacing = Pacing::AsFastAsPossible;
    SimDevice::new(cfg).unwrap()
}

/// Runs `device` through the capture thread and the event loop until every
/// delivered record is in the store and the run has ended. Every frame
/// stalls the loop; the first one until `backed_up` says the queue is full.
fn run(
    device: Box<dyn Device>,
    flags: DfxFlags,
    cfg: CaptureConfig,
    history: u64,
    extras: TuiExtras,
    backed_up: fn(&Receiver<CaptureData>, &Accounting) -> bool,
) -> Outcome {
    let opts = TuiOptions {
        fps: 30,
        history: Some(history),
        color: true,
        panic_after_frames: None,
    };
    let viewer = viewer_for(device.info().source, flags, &opts, extras);
    let mut capture = CaptureHandle::spawn(device, flags, cfg);
    let mut looper = Looper::new(viewer, opts.fps, Instant::now());
    let (health_tx, health_rx) = unbounded();
    looper.health_tx = Some(health_tx);
    let (signal_tx, signals) = bounded(1);
    let (_input_tx, input) = unbounded::<Event>();
    let watcher = std::thread::spawn(move || {
        let mut samples: Vec<Health> = Vec::new();
        let started = Instant::now();
        while let Ok(h) = health_rx.recv_timeout(GIVE_UP) {
            let settled = h.capture_done && h.ingested == h.counts.delivered;
            samples.push(h);
            if settled || started.elapsed() > GIVE_UP {
                break;
            }
        }
        let _ = signal_tx.send(());
        samples
    });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let accounting = capture.accounting.clone();
    let capture_rx = capture.rx.batches.clone();
    let mut first = true;
    event_loop::run(
        &mut terminal,
        &mut looper,
        Sources::of(&signals, &input, &capture),
        |begin| {
            if begin {
                return;
            }
            std::thread::sleep(FRAME_STALL);
            if std::mem::take(&mut first) {
                // The first frame freezes until the queue is full and the
                // device has had to act on it: the worst case, made certain
                // rather than left to the machine's speed.
                let until = Instant::now() + GIVE_UP;
                while !backed_up(&capture_rx, &accounting) && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        },
    )
    .unwrap();
    looper.health_tx = None;
    capture.stop();
    capture.join();
    let samples = watcher.join().unwrap();
    let summary = match &looper.viewer.status {
        CaptureStatus::Finished(s) => s.clone(),
        other => panic!("the run did not finish: {other:?}"),
    };
    Outcome {
        looper,
        summary,
        samples,
    }
}

#[test]
fn a_live_chip_into_a_slow_screen_drops_and_counts_every_record() {
    let history = 5_000;
    let o = run(
        Box::new(sim(40)),
        Level::TASK_LIFECYCLE.flags(),
        // A short queue, as a busy screen would leave it.
        CaptureConfig {
            capacity: 4,
            ..CaptureConfig::live()
        },
        history,
        TuiExtras::default(),
        // A live device drops once the queue is full.
        |_, acc| acc.snapshot().dropped > 0,
    );
    let last = o.samples.last().unwrap();
    let c = last.counts;
    assert!(
        last.capture_done && last.ingested == c.delivered,
        "the loop never caught up: {last}"
    );
    for h in &o.samples {
        assert_eq!(h.check(), Ok(()), "identity broken at a sample: {h}");
    }
    assert_eq!(
        c.produced, o.summary.records,
        "every record the chip made is counted"
    );
    assert!(
        c.dropped > 0,
        "a screen this slow must make a live source drop: {last}"
    );
    assert!(c.delivered > 0, "{last}");
    let store = o.looper.viewer.store.as_ref().unwrap();
    assert_eq!(store.ingested(), c.delivered, "nothing delivered was lost");
    assert!(store.evicted() > 0, "following evicts beyond --history");
    // Eviction is by whole rounds and keeps the newest one.
    let per_round = o.summary.records / u64::from(o.summary.rounds);
    assert!(
        store.live_records() <= history + per_round,
        "{} records held for a budget of {history}",
        store.live_records()
    );
    // What the header and the exit summary show.
    let shown = o.looper.viewer.header().counts;
    assert_eq!((shown.dropped, shown.produced), (c.dropped, c.produced));
}

#[test]
fn a_file_into_a_slow_screen_is_never_dropped_nor_evicted() {
    // Five rounds of a level-3 run: far more records than the budget below,
    // which must not apply to a file.
    let flags = Level::PHASE_BUFFERS.flags();
    let mut dev = sim(5);
    let mut sink = VecSink::default();
    dev.run(flags, &mut sink, &StopToken::new()).unwrap();
    let mut capture = Capture::new(dev.info(), flags);
    for r in sink.records {
        capture.push(r);
    }
    let dir = std::env::temp_dir().join(format!("swimtop-slow-{}", std::process::id()));
    let path: PathBuf = dir.join("capture.json");
    formats::write_capture(&capture, &path, Format::Chip).unwrap();
    // What the file holds, as the reader gives it.
    let on_disk = formats::read_capture(&path).unwrap();
    let records = on_disk.record_count() as u64;
    let tasks = on_disk.tasks.len();

    let history = 1_000;
    assert!(records > 10 * history, "{records}");
    let load: swimtop::device::file::Loader = Box::new(|p| {
        formats::read_capture_with(p, &ReadOptions::default())
            .map(|(c, stats)| (c, stats.messages()))
            .map_err(|e| e.to_string())
    });
    let o = run(
        Box::new(FileDevice::new(path, load)),
        flags,
        CaptureConfig {
            capacity: 2,
            ..CaptureConfig::lossless()
        },
        history,
        TuiExtras {
            loading: Some(Progress::new()),
            runs: None,
        },
        // A file's sender blocks on a full queue instead.
        |rx, _| rx.is_full(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    let c = o.samples.last().unwrap().counts;
    assert_eq!(c.dropped, 0, "a file never drops");
    assert_eq!(c.produced, o.summary.records);
    let store = o.looper.viewer.store.as_ref().unwrap();
    assert_eq!(store.evicted(), 0, "a file is kept whole");
    assert_eq!(store.ingested(), records, "every record of the file");
    assert_eq!(store.task_count(), tasks);
}
