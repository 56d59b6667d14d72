//! Opening big captures: wall time, peak memory and MB/s parsed, each run in
//! a fresh process so its peak is its own.
//!
//! Run: `cargo bench --bench load [-- --tasks 1000000 --deps-tasks 110000
//! --runs 3 --dir DIR]`. It makes its files with the real `swimtop record
//! --format chip` (level 2), once, under target/bench-load:
//!
//! - `chip`: `--tasks` tasks, the capture alone. (The simulator's chip
//!   export always writes deps.json beside it; for this file that is 0.7 GB
//!   for 1M tasks, so it is set aside as deps.json.aside: the target is
//!   about the capture, and deps.json has its own case.)
//! - `dep-gen`: `--deps-tasks` tasks with their deps.json, about 85 MB, the
//!   size the runtime writes for 65k paged-attention tasks.
//!
//! Each file is measured three ways:
//!
//! - `stats`: the real binary, `swimtop stats FILE`, start to exit;
//! - `first frame`: the view's path in this binary — the file device on
//!   the capture thread loads the store and hands it over, the viewer
//!   installs it, one 200x60 frame is drawn (into a `TestBackend`) — from
//!   spawn to that frame;
//! - `whole read`: the path every generation but raw takes (whole file,
//!   `Capture`, records, ingest), for comparison.
//!
//! The target for a 1M-task capture on a 2-core machine: stats or
//! first frame in <= 0.5 s and <= 200 MB peak.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use swimtop::app::event_loop::{Looper, Msg};
use swimtop::app::source::file_device;
use swimtop::app::viewer::Viewer;
use swimtop::capture::channel::CaptureItem;
use swimtop::capture::formats::{self, ReadOptions};
use swimtop::capture::thread::{CaptureConfig, CaptureHandle};
use swimtop::device::Device;
use swimtop::store::TraceStore;

const SWIMTOP: &str = env!("CARGO_BIN_EXE_swimtop");

struct Options {
    tasks: u64,
    deps_tasks: u64,
    runs: usize,
    dir: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        tasks: 1_000_000,
        deps_tasks: 110_000,
        runs: 3,
        dir: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--tasks" => o.tasks = value()?.parse().map_err(|e| format!("--tasks: {e}"))?,
            "--deps-tasks" => {
                o.deps_tasks = value()?.parse().map_err(|e| format!("--deps-tasks: {e}"))?;
            }
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--dir" => o.dir = Some(PathBuf::from(value()?)),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn main() {
    // A measured run in a child process (see `measure`).
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__child") {
        std::process::exit(child(&args[2..]));
    }
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&o) {
        eprintln!("load: {e}");
        std::process::exit(1);
    }
}

fn run(o: &Options) -> Result<(), String> {
    let dir = o.dir.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("bench-load")
    });
    let big = make_capture(&dir.join(format!("chip-{}", o.tasks)), o.tasks, false)?;
    let deps = make_capture(
        &dir.join(format!("depgen-{}", o.deps_tasks)),
        o.deps_tasks,
        true,
    )?;
    for (file, label, with) in [(&big, "chip", false), (&deps, "dep-gen", true)] {
        let tasks = if with { o.deps_tasks } else { o.tasks };
        let aside = if with { "" } else { " (deps.json set aside)" };
        eprintln!("load: {label} = {} · {tasks} tasks{aside}", file.display());
    }
    println!(
        "{:<34} {:>13} {:>10} {:>10} {:>10}",
        "file · path", "size", "wall s", "peak MiB", "MB/s"
    );
    for (file, label) in [(&big, "chip"), (&deps, "dep-gen")] {
        let size = std::fs::metadata(file).map_err(|e| e.to_string())?.len() + sibling_bytes(file);
        for what in ["stats", "first frame", "whole read"] {
            let mut best: Option<(f64, u64)> = None;
            for _ in 0..o.runs {
                let (secs, peak) = measure(what, file)?;
                best = Some(match best {
                    Some((s, p)) => (s.min(secs), p.max(peak)),
                    None => (secs, peak),
                });
            }
            let Some((secs, peak)) = best else { continue };
            println!(
                "{:<34} {:>10.1} MB {:>10.3} {:>10.0} {:>10.0}",
                format!("{label} · {what}"),
                size as f64 / 1e6,
                secs,
                peak as f64 / 1048576.0,
                size as f64 / 1e6 / secs
            );
        }
    }
    println!(
        "(wall: best of {} runs; peak: highest resident set of any run; size and MB/s count the \
         capture and its deps.json / name map)",
        o.runs
    );
    Ok(())
}

/// Bytes of the sibling files a read also parses (deps.json, name map).
fn sibling_bytes(file: &Path) -> u64 {
    let Some(dir) = file.parent() else { return 0 };
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p != file && p.extension().is_some_and(|x| x == "json"))
                .filter_map(|p| p.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// `swimtop record --format chip` at level 2 into `dir` (kept for the
/// next run: the directory is named by its task count). Without `deps`,
/// the deps.json the export writes is renamed out of the way.
fn make_capture(dir: &Path, tasks: u64, deps: bool) -> Result<PathBuf, String> {
    let file = dir.join("chip_swimlane_records.json");
    let stamp = dir.join("made-by-bench");
    if file.is_file() && stamp.is_file() {
        eprintln!("load: reusing {}", file.display());
        return Ok(file);
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Rounds of a random DAG: a million tasks in one DAG is mostly waiting
    // on its orchestrator; five rounds of 200k make the same file sooner.
    let rounds = if tasks >= 400_000 { 5 } else { 1 };
    let per_round = tasks / rounds;
    let mut cmd = Command::new(SWIMTOP);
    cmd.args([
        "record", "-q", "--level", "2", "--seed", "7", "--format", "chip",
    ])
    .arg("--workload")
    .arg(format!("random:{per_round}"))
    .arg("--rounds")
    .arg(rounds.to_string())
    .arg("-o")
    .arg(&file);
    eprintln!("load: making {} ({tasks} tasks)…", file.display());
    let t = Instant::now();
    let out = cmd.output().map_err(|e| format!("{SWIMTOP}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "swimtop record failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    eprintln!("load: made in {:.1} s", t.elapsed().as_secs_f64());
    if !deps {
        let d = dir.join("deps.json");
        if d.is_file() {
            std::fs::rename(&d, dir.join("deps.json.aside")).map_err(|e| e.to_string())?;
        }
    }
    std::fs::write(&stamp, b"").map_err(|e| e.to_string())?;
    Ok(file)
}

/// Runs `what` on `file` in a fresh process; its wall time and peak RSS.
fn measure(what: &str, file: &Path) -> Result<(f64, u64), String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(me)
        .arg("__child")
        .arg(what)
        .arg(file)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{what} {}: {}{}",
            file.display(),
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut parts = text.split_whitespace();
    let secs = parts.next().and_then(|s| s.parse().ok());
    let peak = parts.next().and_then(|s| s.parse().ok());
    secs.zip(peak)
        .ok_or_else(|| format!("{what}: unreadable child output {text:?}"))
}

/// In the child: does `what`, prints "seconds peak_bytes".
fn child(args: &[String]) -> i32 {
    let (Some(what), Some(file)) = (args.first(), args.get(1)) else {
        return 2;
    };
    let file = Path::new(file);
    let result = match what.as_str() {
        "stats" => stats_binary(file),
        "first frame" => first_frame(file).map(|secs| (secs, own_peak())),
        "whole read" => whole_read(file).map(|secs| (secs, own_peak())),
        _ => Err(format!("unknown measurement {what}")),
    };
    match result {
        Ok((secs, peak)) => {
            println!("{secs} {peak}");
            0
        }
        Err(e) => {
            println!("{e}");
            1
        }
    }
}

fn own_peak() -> u64 {
    swimtop::app::health::peak_resident_bytes().unwrap_or(0)
}

/// The real binary; this process has no other child, so the children's
/// peak is its own.
fn stats_binary(file: &Path) -> Result<(f64, u64), String> {
    let t = Instant::now();
    let out = Command::new(SWIMTOP)
        .arg("stats")
        .arg(file)
        .output()
        .map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| e.to_string())?;
    // Linux reports kilobytes.
    Ok((secs, u64::try_from(usage.max_rss()).unwrap_or(0) * 1024))
}

/// The view's path, up to the first frame that shows the loaded capture.
fn first_frame(file: &Path) -> Result<f64, String> {
    let t = Instant::now();
    // The app's own file device (src/app/source.rs).
    let device = file_device(file, &Default::default(), None, None);
    let source = device.info().source;
    let flags = swimtop::dfx::Level::TASK_LIFECYCLE.flags();
    let mut capture = CaptureHandle::spawn(Box::new(device), flags, CaptureConfig::lossless());
    let viewer = Viewer::new(source, flags, true, None);
    let mut looper = Looper::new(viewer, swimtop::app::DEFAULT_FPS, Instant::now());
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).map_err(|e| e.to_string())?;
    looper.step(Msg::Input(Event::Resize(200, 60)), Instant::now());
    // The same messages, in the same order, as the event loop would apply.
    loop {
        let Some(item) = capture.rx.recv() else {
            return Err("the capture thread ended without finishing".into());
        };
        let done = matches!(
            &item,
            CaptureItem::Event(swimtop::capture::channel::CaptureEvent::Finished(_))
        );
        if let CaptureItem::Event(swimtop::capture::channel::CaptureEvent::Failed(m)) = &item {
            return Err(m.clone());
        }
        looper.step(
            match item {
                CaptureItem::Describe(i, f) => Msg::Describe(i, f),
                CaptureItem::Batch(b) => Msg::Batch(b),
                CaptureItem::Store(s) => Msg::Store(s),
                CaptureItem::Log(l) => Msg::Log(l),
                CaptureItem::Event(e) => Msg::Capture(e),
            },
            Instant::now(),
        );
        if done {
            break;
        }
    }
    looper
        .draw(&mut terminal, Instant::now())
        .map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    // The frame must show the capture: its lanes, not a loading screen.
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    if !screen.contains("AIC_0") {
        return Err("the first frame after loading shows no lanes".into());
    }
    capture.stop();
    capture.join();
    Ok(secs)
}

/// Whole file → Capture → records → store: the general path.
fn whole_read(file: &Path) -> Result<f64, String> {
    let t = Instant::now();
    let (capture, _) = formats::read_capture_with(
        file,
        &ReadOptions {
            deps_graph_only: true,
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let mut store = TraceStore::new(capture.info.clone(), capture.flags);
    store.ingest(capture.into_records());
    let _ = store.stats(None);
    Ok(t.elapsed().as_secs_f64())
}
