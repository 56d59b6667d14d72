//! Soak: the live pipeline of `swimtop --level N` (simulated chip at full
//! speed → capture thread → bounded dropping channel → the real event loop
//! and viewer, drawing at 30 fps into a ratatui `TestBackend`) for a long
//! time, sampling once a second: resident memory, the accounting identity
//! (produced = delivered + dropped; the store holds what it took in minus
//! what it evicted), records held against the `--history` budget, and frame
//! times.
//!
//! Run: `cargo bench --bench soak [-- --seconds 600 --level 3 --history 500k
//! --workload paged_attention --size 200x60 --csv FILE]` (defaults shown; a
//! CSV of every sample goes to target/soak-<level>.csv unless --csv says
//! otherwise). Exits 1 if the identity broke at any sample or a frame took
//! longer than 50 ms. Memory must plateau: the summary compares the
//! first and last thirds and fits a slope to the last half.
//!
//! `scripts/soak_tui.sh` does the same with the real binary in tmux.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded};
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use swimtop::app::event_loop::{self, Looper, Sources};
use swimtop::app::health::{FRAME_BUDGET, Health, peak_resident_bytes};
use swimtop::app::viewer::Viewer;
use swimtop::capture::thread::{CaptureConfig, CaptureHandle};
use swimtop::device::Device;
use swimtop::device::sim::workload::Workload;
use swimtop::device::sim::{Pacing, SimConfig, SimDevice};
use swimtop::dfx::Level;

struct Options {
    seconds: u64,
    level: Level,
    history: u64,
    workload: String,
    width: u16,
    height: u16,
    csv: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 600,
        level: Level::PHASE_BUFFERS,
        history: swimtop::app::DEFAULT_HISTORY,
        workload: "paged_attention".into(),
        width: 200,
        height: 60,
        csv: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--level" => o.level = value()?.parse().map_err(|e| format!("--level: {e}"))?,
            "--history" => {
                o.history = swimtop::app::cli::parse_count(&value()?)
                    .map_err(|e| format!("--history: {e}"))?
            }
            "--workload" => o.workload = value()?,
            "--size" => {
                let v = value()?;
                let (w, h) = v.split_once('x').ok_or("--size: expected WxH")?;
                o.width = w.parse().map_err(|e| format!("--size: {e}"))?;
                o.height = h.parse().map_err(|e| format!("--size: {e}"))?;
            }
            "--csv" => o.csv = Some(PathBuf::from(value()?)),
            // `cargo bench` passes --bench; libtest-style flags are ignored.
            s if s.starts_with("--") => {}
            s => return Err(format!("unexpected argument {s:?}")),
        }
    }
    Ok(o)
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    };
    let samples = soak(&o);
    let ok = report(&o, &samples);
    std::process::exit(if ok { 0 } else { 1 });
}

/// Runs the live pipeline for `o.seconds` and returns every 1 Hz sample.
fn soak(o: &Options) -> Vec<Health> {
    let workload = Workload::resolve(&o.workload, 1).unwrap_or_else(|e| {
        eprintln!("soak: {e}");
        std::process::exit(2);
    });
    let mut cfg = SimConfig::new(workload);
    cfg.seed = 1;
    cfg.pacing = Pacing::AsFastAsPossible;
    cfg.rounds = None;
    let device = SimDevice::new(cfg).expect("a valid simulated chip");
    let source = device.info().source;
    let flags = o.level.flags();
    let capture = CaptureHandle::spawn(Box::new(device), flags, CaptureConfig::live());

    let viewer = Viewer::new(source, flags, true, Some(o.history));
    let mut looper = Looper::new(viewer, swimtop::app::DEFAULT_FPS, Instant::now());
    let (health_tx, health_rx) = bounded(1024);
    looper.health_tx = Some(health_tx);
    let (signal_tx, signals) = bounded(1);
    let (_input_tx, input) = unbounded::<Event>();
    let mut terminal =
        Terminal::new(TestBackend::new(o.width, o.height)).expect("a test terminal never fails");

    eprintln!(
        "soak: {} at full speed, {} for {} s, history {} records, {}x{} at {} fps",
        o.workload,
        flags,
        o.seconds,
        o.history,
        o.width,
        o.height,
        swimtop::app::DEFAULT_FPS
    );
    let until = Duration::from_secs(o.seconds);
    let watcher = std::thread::spawn(move || {
        let mut samples = Vec::new();
        // Samples come from the loop's own 1 Hz tick.
        while let Ok(h) = health_rx.recv() {
            if let Err(why) = h.check() {
                eprintln!(
                    "soak: identity broken at {:.0} s: {why}",
                    h.uptime.as_secs_f64()
                );
            }
            if samples.len() % 30 == 0 {
                eprintln!("soak: {h}");
            }
            let done = h.uptime >= until;
            samples.push(h);
            if done {
                let _ = signal_tx.send(());
                break;
            }
        }
        samples
    });
    let mut capture = capture;
    event_loop::run(
        &mut terminal,
        &mut looper,
        Sources::of(&signals, &input, &capture),
        |_| {},
    )
    .expect("a test terminal never fails");
    // The loop owns the health sender: end the watcher if the loop ended first.
    looper.health_tx = None;
    capture.stop();
    capture.join();
    watcher.join().expect("the watcher thread")
}

fn mib(b: u64) -> f64 {
    b as f64 / 1048576.0
}

/// Least-squares slope of (seconds, MiB), in MiB per minute.
fn slope_mib_per_min(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 { 0.0 } else { sxy / sxx * 60.0 }
}

/// Prints the figures; false if the identity broke or a frame was too slow.
fn report(o: &Options, samples: &[Health]) -> bool {
    let Some(last) = samples.last() else {
        eprintln!("soak: no sample arrived");
        return false;
    };
    let csv = o.csv.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(format!("soak-L{}.csv", o.level.get()))
    });
    if let Err(e) = write_csv(&csv, samples) {
        eprintln!("soak: cannot write {}: {e}", csv.display());
    }
    let broken = samples.iter().filter(|h| h.check().is_err()).count();
    let rss: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|h| Some((h.uptime.as_secs_f64(), mib(h.rss_bytes?))))
        .collect();
    let third = rss.len() / 3;
    let max_of = |s: &[(f64, f64)]| s.iter().map(|p| p.1).fold(0.0, f64::max);
    let at = |secs: f64| {
        rss.iter()
            .find(|p| p.0 >= secs)
            .map_or("-".to_string(), |p| format!("{:.0}", p.1))
    };
    let live_max = samples.iter().map(|h| h.live_records).max().unwrap_or(0);
    let c = &last.counts;
    let f = &last.frames;
    println!(
        "soak ({} s, {}, history {}):",
        o.seconds,
        o.level.flags(),
        o.history
    );
    println!(
        "  samples {} · identity held at {} of {} samples",
        samples.len(),
        samples.len() - broken,
        samples.len()
    );
    println!(
        "  records produced {} · delivered {} · dropped {} ({:.1} %) · ingested {} · evicted {}",
        c.produced,
        c.delivered,
        c.dropped,
        100.0 * c.dropped as f64 / c.produced.max(1) as f64,
        last.ingested,
        c.evicted
    );
    println!(
        "  records held: max {} ({:.2}× the history budget), at end {}",
        live_max,
        live_max as f64 / o.history as f64,
        last.live_records
    );
    println!(
        "  RSS MiB at 10 s {} · 60 s {} · 300 s {} · end {:.0} · peak (VmHWM) {:.0}",
        at(10.0),
        at(60.0),
        at(300.0),
        rss.last().map_or(0.0, |p| p.1),
        mib(peak_resident_bytes().unwrap_or(0))
    );
    let slope = slope_mib_per_min(&rss[rss.len() / 2..]);
    // Two minutes of samples before a trend means anything.
    let growing = rss.len() >= 120 && slope > 1.0;
    if third > 0 {
        println!(
            "  RSS max first third {:.1} MiB · last third {:.1} MiB · slope over last half {:+.3} MiB/min",
            max_of(&rss[..third]),
            max_of(&rss[rss.len() - third..]),
            slope
        );
    }
    if growing {
        println!("  memory kept growing over the last half");
    }
    println!(
        "  frames {} · mean {:.2} ms · slowest {:.2} ms · over {} ms: {}",
        f.frames,
        f.mean().as_secs_f64() * 1e3,
        f.slowest.as_secs_f64() * 1e3,
        FRAME_BUDGET.as_millis(),
        f.over_budget
    );
    println!(
        "  loop steps {} · slowest {:.2} ms · over {} ms: {} (a key waits for the step before it)",
        last.steps.frames,
        last.steps.slowest.as_secs_f64() * 1e3,
        FRAME_BUDGET.as_millis(),
        last.steps.over_budget
    );
    println!("  samples written to {}", csv.display());
    broken == 0 && f.over_budget == 0 && !growing
}

fn write_csv(path: &std::path::Path, samples: &[Health]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "uptime_s,rss_kib,produced,delivered,dropped,ingested,live,evicted,frames,frame_max_us,frames_over_50ms,step_max_us,identity_ok"
    )?;
    for h in samples {
        let c = &h.counts;
        writeln!(
            w,
            "{:.1},{},{},{},{},{},{},{},{},{},{},{},{}",
            h.uptime.as_secs_f64(),
            h.rss_bytes.map_or(0, |b| b / 1024),
            c.produced,
            c.delivered,
            c.dropped,
            h.ingested,
            h.live_records,
            c.evicted,
            h.frames.frames,
            h.frames.slowest.as_micros(),
            h.frames.over_budget,
            h.steps.slowest.as_micros(),
            h.check().is_ok()
        )?;
    }
    w.flush()
}
