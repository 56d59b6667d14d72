//! `swimtop-fake-runtime`: a stand-in for the real runtime's scene test
//! (`python tests/st/…/test_paged_attention.py -p a2a3sim -d 0 …`) that
//! behaves like it from the outside, for tests on machines without an NPU
//! or the runtime (spec `capture-formats.md` §12).
//!
//! What the runtime does, it does the same way:
//! - `--enable-chip-swimlane [N]` (0..=4, bare = 4, absent = 0): one round of
//!   swimtop's simulated chip (`--workload W`, default `paged_attention`;
//!   `--seed S`, default from the clock and pid; `--block-dim B`, default 8 →
//!   8 AIC + 16 AIV, 3 scheduler threads) written as
//!   `<outputs>/<Case>_<YYYYMMDD_HHMMSS>/chip_swimlane_records.json` with
//!   `"chip_swimlane_level": N`, plus `name_map_<Case>.json`.
//! - `--enable-dep-gen`: `deps.json` beside it (alone when N = 0).
//! - `--outputs DIR` (default `./outputs`), `--case Class::Case` or a label
//!   (default `TestPagedAttention_CaseVarSeq4`), `--rounds N` (> 1 turns every
//!   collector off, with SceneTest's warning), `-p`, `-d`. Any other argument
//!   is accepted and ignored. The case directory is created before the run
//!   whenever a collector is on; the timestamp is local time as `date(1)`
//!   gives it (UTC if `date` cannot run).
//! - Logs: `argv: …` first (stdout), the scene test's prints and progress
//!   (`… run_case: [scene_test.py:1180] case C round k/4 P%`) and pytest-like
//!   result lines on stdout; the C++ host log
//!   (`[mono_ns=N][T0x…][INFO] func: [file.cpp:line] msg`, including
//!   `=== JSON Export Complete ===` then `File: <abs path>`) and Python
//!   warnings (`[WARNING] …`) on stderr, as the runtime writes them. Every
//!   line is flushed.
//!
//! Faults to order (combinable): `--fail-code N`, `--fail-before-capture`,
//! `--hang`, `--ignore-sigint`, `--slow-ms N`, `--no-capture`,
//! `--no-file-line`, `--half-capture`, `--remove-capture`, `--flood N`,
//! `--grandchild`; and
//! `--argv-log FILE` appends the arguments received. Each is described where
//! it is carried out below.
//!
//! Exit codes: 0 success, 1 `--fail-before-capture`, N `--fail-code N`, 2 a
//! refused command line or a failure of the stand-in itself
//! (`fake-runtime: error: …`).

mod args;
mod log;

use std::fs;
use std::io::{BufWriter, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use swimtop::capture::formats::{Format, deps, name_map, write_capture};
use swimtop::device::sim::workload::Workload;
use swimtop::device::sim::{Pacing, SimConfig, SimDevice, Topology};
use swimtop::device::{Device, StopToken, VecSink};
use swimtop::dfx::Level;
use swimtop::record::Capture;

use args::Args;
use log::{Log, Stream};

/// Set in the re-executed process once SIGINT is ignored (`--ignore-sigint`).
const SIGINT_IGNORED_ENV: &str = "SWIMTOP_FAKE_RUNTIME_SIGINT_IGNORED";
const RECORDS_FILE: &str = "chip_swimlane_records.json";
const DEPS_FILE: &str = "deps.json";
/// Progress lines per run (`round k/4`).
const STEPS: u32 = 4;
const TEST_FILE: &str =
    "tests/st/a2a3/tensormap_and_ringbuffer/paged_attention/test_paged_attention.py";
const COLLECTOR: &str = "chip_swimlane_collector.cpp";

fn main() {
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let code = match run(&argv) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fake-runtime: error: {e}");
            2
        }
    };
    std::process::exit(code);
}

/// The whole run; returns the exit code.
fn run(argv: &[String]) -> Result<i32, String> {
    let parsed = args::parse(argv);
    if let Ok(a) = &parsed
        && a.ignore_sigint
        && std::env::var_os(SIGINT_IGNORED_ENV).is_none()
    {
        // Only returns if the exec failed.
        return Err(reexec_ignoring_sigint(argv));
    }
    let started = Instant::now();
    let log = Log::new();
    log.line(Stream::Out, &format!("argv: {}", argv.join(" ")));
    if let Some(path) = args::argv_log(argv) {
        append_line(&path, &argv.join(" "))?;
    }
    let a = parsed?;
    let run = Run::new(a, log)?;
    run.go(started)
}

/// Replaces this process (same pid) by `sh`, which ignores SIGINT and
/// execs the stand-in again: an ignored signal stays ignored across exec
/// (POSIX), so the kernel drops SIGINT while SIGTERM keeps its default
/// action. No handler, no unsafe code, and SIGTERM/SIGHUP are untouched
/// (a `ctrlc` handler cannot tell SIGINT from SIGTERM with the
/// `termination` feature swimtop enables).
fn reexec_ignoring_sigint(argv: &[String]) -> String {
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return format!("--ignore-sigint: cannot find this program: {e}"),
    };
    let err = Command::new("/bin/sh")
        .arg("-c")
        .arg("trap '' INT; exec \"$0\" \"$@\"")
        .arg(exe)
        .args(argv)
        .env(SIGINT_IGNORED_ENV, "1")
        .exec();
    format!("--ignore-sigint: cannot re-exec through /bin/sh: {err}")
}

fn append_line(path: &Path, line: &str) -> Result<(), String> {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("--argv-log {}: {e}", path.display()))?;
    writeln!(f, "{line}").map_err(|e| format!("--argv-log {}: {e}", path.display()))
}

struct Run {
    a: Args,
    log: Log,
    /// `<Class>_<case>`.
    label: String,
    /// `Class::case`.
    shown: String,
    /// Runtime numbering, after `--rounds`.
    level: u8,
    dep_gen: bool,
}

impl Run {
    fn new(a: Args, log: Log) -> Result<Run, String> {
        let label = a.case_label();
        Ok(Run {
            shown: args::display_label(&label),
            label,
            level: a.effective_level(),
            dep_gen: a.effective_dep_gen(),
            a,
            log,
        })
    }

    fn go(&self, started: Instant) -> Result<i32, String> {
        let (a, log) = (&self.a, &self.log);
        // --grandchild: first, so it is there whatever happens next.
        if a.grandchild {
            spawn_grandchild()?;
        }
        log.line(
            Stream::Out,
            "\n=== Runtime: tensormap_and_ringbuffer  Level: 2 ===",
        );
        if a.rounds > 1 {
            if a.level > 0 {
                log.py("WARNING", "chip swimlane disabled: --rounds > 1");
            }
            if a.dep_gen {
                log.py("WARNING", "dep_gen disabled: --rounds > 1");
            }
        }
        // SceneTest creates the case's directory before the run, whenever
        // any collector is on.
        let dir = if a.diagnostics_on() {
            Some(self.make_dir()?)
        } else {
            None
        };
        log.line(Stream::Out, &format!("  {} ...", self.shown));
        let cores = a.block_dim * 3;
        log.rt(
            Stream::Err,
            "INFO",
            "launch_threads",
            ("device_runner.cpp", 565),
            &format!("Launching {cores} AICore thread(s)"),
        );
        if self.level > 0 {
            log.rt(
                Stream::Err,
                "INFO",
                "initialize",
                (COLLECTOR, 102),
                "Initializing performance profiling",
            );
            log.rt(
                Stream::Err,
                "INFO",
                "initialize",
                (COLLECTOR, 449),
                "Performance profiling initialized (dynamic buffer mode)",
            );
        }

        let mut capture = None;
        for step in 1..=STEPS {
            self.progress(step);
            if step == 1 {
                // --hang: after the first progress line, before anything
                // is written; signals end it with their default action.
                if a.hang {
                    hang();
                }
                if self.level > 0 || self.dep_gen {
                    capture = Some(self.simulate()?);
                }
            }
            // --flood N: N numbered lines, odd ones on stdout, even on stderr.
            if step == 2 && a.flood > 0 {
                self.flood(a.flood);
            }
            // --slow-ms N: after every progress line.
            if a.slow_ms > 0 {
                std::thread::sleep(Duration::from_millis(a.slow_ms));
            }
        }
        log.rt(
            Stream::Err,
            "INFO",
            "run",
            ("device_runner.cpp", 623),
            "All threads completed",
        );
        // --fail-before-capture: the case directory exists (SceneTest made
        // it) but nothing is written into it.
        if a.fail_before_capture {
            log.line(
                Stream::Err,
                "RuntimeError: run_case failed before the capture was written (stand-in: --fail-before-capture)",
            );
            self.result(Some(1), started);
            return Ok(1);
        }
        if let (Some(dir), Some(capture)) = (&dir, &capture) {
            self.write(dir, capture)?;
        }
        self.result(a.fail_code, started);
        Ok(a.fail_code.unwrap_or(0))
    }

    fn make_dir(&self) -> Result<PathBuf, String> {
        let root = self
            .a
            .outputs
            .clone()
            .unwrap_or_else(|| PathBuf::from("outputs"));
        let (stamp, _local) = log::timestamp();
        let dir = root.join(format!("{}_{stamp}", self.label));
        fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the output directory {}: {e}", dir.display()))?;
        // SceneTest's paths are resolved (`Path(__file__).resolve()`).
        dir.canonicalize()
            .map_err(|e| format!("cannot resolve {}: {e}", dir.display()))
    }

    fn progress(&self, step: u32) {
        self.log.rt(
            Stream::Out,
            "INFO",
            "run_case",
            ("scene_test.py", 1180),
            &format!(
                "case {} round {step}/{STEPS} {}%",
                self.shown,
                step * 100 / STEPS
            ),
        );
    }

    fn flood(&self, n: u64) {
        for i in 1..=n {
            let stream = if i % 2 == 0 { Stream::Err } else { Stream::Out };
            self.log.rt(
                stream,
                "DEBUG",
                "flood",
                ("fake_runtime.rs", 1),
                &format!("flood line {i}/{n}"),
            );
        }
    }

    /// One round of swimtop's simulated chip at the runtime's level (level 1
    /// when only dep_gen is on: dep_gen needs AICore timing in the sim).
    fn simulate(&self) -> Result<Capture, String> {
        let a = &self.a;
        let seed = a.seed.unwrap_or_else(run_seed);
        let workload = Workload::resolve(&a.workload, seed).map_err(|e| e.to_string())?;
        let mut cfg = SimConfig::new(workload);
        cfg.seed = seed;
        cfg.topology = Topology {
            aic: a.block_dim,
            aiv: a.block_dim * 2,
            sched_threads: 3,
        };
        cfg.rounds = Some(1);
        cfg.pacing = Pacing::AsFastAsPossible;
        cfg.dep_gen = self.dep_gen;
        let level = Level::from_chip_swimlane_level(u64::from(self.level.max(1)))
            .map_err(|e| e.to_string())?;
        let flags = level.flags();
        let mut dev = SimDevice::new(cfg).map_err(|e| e.to_string())?;
        let mut sink = VecSink::default();
        dev.run(flags, &mut sink, &StopToken::new())
            .map_err(|e| format!("simulated chip: {e}"))?;
        let mut info = dev.info();
        info.case_name = Some(self.label.clone());
        let mut capture = Capture::new(info, flags);
        capture.runtime_level = Some(self.level.max(1));
        for r in sink.records {
            capture.push(r);
        }
        Ok(capture)
    }

    /// What the collectors and SceneTest write after the run.
    fn write(&self, dir: &Path, capture: &Capture) -> Result<(), String> {
        let (a, log) = (&self.a, &self.log);
        let records = dir.join(RECORDS_FILE);
        // --no-capture: the collector found nothing (as with a runtime built
        // without DFX): no file, its warning, exit 0.
        if a.no_capture {
            if self.level > 0 {
                log.rt(
                    Stream::Err,
                    "WARN",
                    "export_swimlane_json",
                    (COLLECTOR, 965),
                    "Warning: No performance data to export.",
                );
                log.py(
                    "WARNING",
                    &format!(
                        "[{}] {} not produced; skipping conversion",
                        self.label,
                        records.display()
                    ),
                );
            }
            return Ok(());
        }
        if !self.dep_gen {
            // A same-second earlier run of this case may have left one.
            let _ = fs::remove_file(dir.join(DEPS_FILE));
        }
        if self.level == 0 {
            // dep_gen alone: deps.json and the name map, no records file.
            self.write_deps_only(dir, capture)?;
            self.depgen_done();
            return Ok(());
        }
        if self.level >= 3 {
            self.phase_lines(capture);
        }
        log.rt(
            Stream::Err,
            "INFO",
            "export_swimlane_json",
            (COLLECTOR, 1122),
            &format!("  aicore_tasks: {} records", capture.tasks.len()),
        );
        let aicpu = if self.level >= 2 {
            capture.tasks.len()
        } else {
            0
        };
        log.rt(
            Stream::Err,
            "INFO",
            "export_swimlane_json",
            (COLLECTOR, 1139),
            &format!("  aicpu_tasks: {aicpu} records"),
        );
        write_capture(capture, &records, Format::Chip).map_err(|e| e.to_string())?;
        // --half-capture: the first half of the bytes, siblings whole.
        if a.half_capture {
            truncate_half(&records)?;
        }
        log.rt(
            Stream::Err,
            "INFO",
            "export_swimlane_json",
            (COLLECTOR, 1275),
            "=== JSON Export Complete ===",
        );
        // --remove-capture: the case directory disappears (a cleanup step,
        // a tmp reaper) and the run still exits 0. It goes just before
        // the `File:` line rather than after it: swimtop loads the capture
        // as soon as that line arrives, and a race it sometimes wins (and
        // rightly keeps the capture) would make an unreliable test.
        if a.remove_capture {
            fs::remove_dir_all(dir)
                .map_err(|e| format!("--remove-capture: cannot remove {}: {e}", dir.display()))?;
        }
        // --no-file-line: swimtop must find the file by scanning outputs/.
        if !a.no_file_line {
            log.rt(
                Stream::Err,
                "INFO",
                "export_swimlane_json",
                (COLLECTOR, 1276),
                &format!("File: {}", records.display()),
            );
        }
        if self.dep_gen {
            self.depgen_done();
        }
        Ok(())
    }

    fn phase_lines(&self, capture: &Capture) {
        let log = &self.log;
        let threads = capture.info.sched_threads;
        let orch = capture.info.orchestrator_thread();
        log.rt(
            Stream::Err,
            "INFO",
            "read_phase_header_metadata",
            (COLLECTOR, 866),
            &format!(
                "Collecting phase metadata: scheduler threads 0-{}, orchestrator thread {orch}",
                threads.saturating_sub(1)
            ),
        );
        for t in 0..threads {
            let n = capture
                .sched_phases
                .iter()
                .filter(|r| r.thread == t)
                .count();
            log.rt(
                Stream::Err,
                "INFO",
                "read_phase_header_metadata",
                (COLLECTOR, 870),
                &format!("  Sched thread {t}: {n} records"),
            );
        }
        if self.level >= 4 {
            log.rt(
                Stream::Err,
                "INFO",
                "read_phase_header_metadata",
                (COLLECTOR, 875),
                &format!(
                    "  Orch thread {orch}: {} records",
                    capture.orch_phases.len()
                ),
            );
        }
        log.rt(
            Stream::Err,
            "INFO",
            "read_phase_header_metadata",
            (COLLECTOR, 890),
            "Phase metadata collection complete: has_phase_data=yes",
        );
    }

    fn write_deps_only(&self, dir: &Path, capture: &Capture) -> Result<(), String> {
        write_with(&dir.join(DEPS_FILE), |w| deps::write(capture, w))?;
        if name_map::has_names(&capture.info) {
            let path = dir.join(name_map::file_name(&self.label));
            write_with(&path, |w| name_map::write(&capture.info, w))?;
        }
        Ok(())
    }

    fn depgen_done(&self) {
        self.log.rt(
            Stream::Err,
            "INFO",
            "finalize",
            ("dep_gen_collector.cpp", 317),
            "DepGen collector finalized",
        );
    }

    /// The scene test's own result line, then pytest's.
    fn result(&self, fail: Option<i32>, started: Instant) {
        let log = &self.log;
        let failed = fail.is_some_and(|c| c != 0);
        let (class, case) = self
            .shown
            .split_once("::")
            .unwrap_or(("TestFakeRuntime", self.shown.as_str()));
        let secs = started.elapsed().as_secs_f64();
        if failed {
            log.line(
                Stream::Out,
                &format!(
                    "  {} FAILED: AssertionError: output mismatch (stand-in: exit {})",
                    self.shown,
                    fail.unwrap_or(1)
                ),
            );
            log.line(
                Stream::Out,
                &format!("{TEST_FILE}::{class}::test_{case} FAILED [100%]"),
            );
            log.line(
                Stream::Out,
                &format!("==================== 1 failed in {secs:.2}s ===================="),
            );
        } else {
            log.line(Stream::Out, &format!("  {} PASSED", self.shown));
            log.line(
                Stream::Out,
                &format!("{TEST_FILE}::{class}::test_{case} PASSED [100%]"),
            );
            log.line(
                Stream::Out,
                &format!("==================== 1 passed in {secs:.2}s ===================="),
            );
        }
    }
}

/// A seed that differs from run to run (time and pid).
fn run_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64 ^ d.as_secs());
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// Sleeps until a signal ends the process.
fn hang() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// `sleep 1000` in this process's group, with this process's stdout and
/// stderr (as a helper a real test spawns would have), never waited for.
fn spawn_grandchild() -> Result<(), String> {
    let child = Command::new("sleep")
        .arg("1000")
        .stdin(Stdio::null())
        .env_remove(SIGINT_IGNORED_ENV)
        .spawn()
        .map_err(|e| format!("--grandchild: cannot spawn sleep: {e}"))?;
    // Deliberately left running: it outlives this process.
    std::mem::forget(child);
    Ok(())
}

fn truncate_half(path: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("--half-capture {}: {e}", path.display());
    let f = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(fail)?;
    let len = f.metadata().map_err(fail)?.len();
    f.set_len(len / 2).map_err(fail)
}

fn write_with(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut w = BufWriter::new(fs::File::create(path).map_err(fail)?);
    body(&mut w).map_err(fail)?;
    w.flush().map_err(fail)
}
