//! Drives the real runtime: spawns the user's command with the profiling
//! level passed the runtime's own way (`--enable-chip-swimlane N`), streams
//! its output, finds the capture the run wrote (the `File:` line the runtime
//! logs after exporting, else the newest `outputs/*/chip_swimlane_records.json`
//! written since the run started) and feeds it in as a round. `--repeat`
//! runs it again for a triage loop. A failed run waits for a retry.
//!
//! The child gets its own process group, so stopping it (SIGINT, then
//! SIGTERM after a grace period, then SIGKILL) reaches whatever it forked,
//! and it is always reaped: no zombies, nothing left running.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{Receiver, Sender, bounded};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::file::Loader;
use super::{
    Device, DeviceError, ExitInfo, LogLine, LogStream, RecordSink, RunEvent, RunSummary, StopToken,
};
use crate::dfx::DfxFlags;
use crate::record::{Capture, DeviceInfo, RoundSummary, TaskId};

/// `{level}` in a level argument is replaced by the runtime's level number.
pub const DEFAULT_LEVEL_ARGS: &str = "--enable-chip-swimlane {level}";
pub const DEP_GEN_ARG: &str = "--enable-dep-gen";
/// Capture file names the runtime used over time, newest first.
pub const CAPTURE_NAMES: [&str; 3] = [
    "chip_swimlane_records.json",
    "l2_swimlane_records.json",
    "l2_perf_records.json",
];

/// What the user asked for.
pub struct RuntimeConfig {
    /// The command and its arguments, as given after `--`.
    pub command: Vec<String>,
    /// Words added for the level, each with `{level}` substituted;
    /// nothing is added at level 0.
    pub level_args: Vec<String>,
    /// Add `--enable-dep-gen` (dependency arrows and names).
    pub dep_gen: bool,
    /// Where the runtime writes `outputs/<case>_<ts>/`; default `./outputs`.
    pub outputs: PathBuf,
    /// Runs to make; `None` = until stopped.
    pub repeat: Option<u32>,
    /// SIGINT → SIGTERM → SIGKILL spacing when stopping the child.
    pub grace: Duration,
    /// Reads the capture (the formats reader, injected).
    pub load: Loader,
}

/// What the user can ask of a runtime device while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeControl {
    /// Run the failed run again.
    Retry,
}

pub struct RuntimeDevice {
    cfg: RuntimeConfig,
    control: Receiver<RuntimeControl>,
}

impl RuntimeDevice {
    /// The device and the handle that sends it `Retry`.
    pub fn new(cfg: RuntimeConfig) -> Result<(RuntimeDevice, Sender<RuntimeControl>), DeviceError> {
        if cfg.command.is_empty() {
            return Err(DeviceError::Config("no command to run after --".into()));
        }
        let (tx, rx) = bounded(8);
        Ok((RuntimeDevice { cfg, control: rx }, tx))
    }
}

/// The level words for runtime level `n` (0 = none: profiling off).
pub fn level_words(template: &[String], n: u8) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    template
        .iter()
        .map(|w| w.replace("{level}", &n.to_string()))
        .collect()
}

/// `--level-arg '--enable-chip-swimlane {level}'` → words.
pub fn parse_level_args(s: &str) -> Result<Vec<String>, String> {
    let words: Vec<String> = s.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return Err("--level-arg is empty".into());
    }
    if !words.iter().any(|w| w.contains("{level}")) {
        return Err(format!(
            "--level-arg '{s}' has no {{level}} to put the level in"
        ));
    }
    Ok(words)
}

/// Last lines kept for a failure report.
const TAIL: usize = 40;
/// Lines buffered between the pipe readers and the device.
const PIPE_LINES: usize = 8192;
/// How often the child is checked while nothing is printed.
const POLL: Duration = Duration::from_millis(50);

/// What a line of output tells about the run.
#[derive(Debug, PartialEq, Eq)]
enum Clue {
    /// `File: <path>` after `=== JSON Export Complete ===`.
    Capture(PathBuf),
    /// A percentage or a test result.
    Progress(String),
}

/// The message of a runtime log line, without its `[mono_ns=…][T0x…][INFO]
/// func: [file.cpp:12]` prefix.
fn message(line: &str) -> &str {
    let mut t = line.trim();
    loop {
        if t.starts_with('[')
            && let Some(end) = t.find(']')
        {
            t = t[end + 1..].trim_start();
            continue;
        }
        // `func: ` right after the bracket groups, before another bracket.
        if let Some((head, rest)) = t.split_once(": ")
            && !head.contains(' ')
            && rest.trim_start().starts_with('[')
        {
            t = rest.trim_start();
            continue;
        }
        return t;
    }
}

fn clue(line: &str) -> Option<Clue> {
    if let Some(i) = line.find("File: ") {
        let path = line[i + 6..].trim();
        if path.ends_with(".json") {
            return Some(Clue::Capture(PathBuf::from(path)));
        }
    }
    let t = message(line);
    let short = |t: &str| t.chars().take(80).collect::<String>();
    for word in ["PASSED", "FAILED", "ERROR", "SKIPPED"] {
        if t.split_whitespace()
            .any(|w| w.trim_end_matches(':') == word)
        {
            return Some(Clue::Progress(short(t)));
        }
    }
    // `[ 50%]` (pytest) or a bare `50%` token.
    let pct = t
        .split(|c: char| c.is_whitespace() || c == '[' || c == ']')
        .find_map(|w| {
            let n = w.strip_suffix('%')?;
            (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some(w)
        });
    pct.map(|_| Clue::Progress(short(t)))
}

/// The newest capture under `outputs` (or in it: seed-era files were written
/// there directly) modified at or after `since`.
pub fn find_capture(outputs: &Path, since: SystemTime) -> Option<PathBuf> {
    let mut best: Option<(SystemTime, PathBuf)> = None;
    let mut consider = |p: PathBuf| {
        let Ok(m) = p.metadata().and_then(|m| m.modified()) else {
            return;
        };
        if m >= since && best.as_ref().is_none_or(|(t, _)| m > *t) {
            best = Some((m, p));
        }
    };
    let is_capture = |name: &str| {
        CAPTURE_NAMES.contains(&name)
            || (name.starts_with("perf_swimlane_") && name.ends_with(".json"))
            || (name.starts_with("l2_perf_records_") && name.ends_with(".json"))
    };
    let Ok(entries) = std::fs::read_dir(outputs) else {
        return None;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Ok(inner) = std::fs::read_dir(&p) {
                for f in inner.flatten() {
                    let name = f.file_name();
                    if is_capture(&name.to_string_lossy()) {
                        consider(f.path());
                    }
                }
            }
        } else if is_capture(&e.file_name().to_string_lossy()) {
            consider(p);
        }
    }
    best.map(|(_, p)| p)
}

/// Why `p` cannot be read as a capture: the OS's reason it is not there,
/// or what is there instead.
fn why_not_a_file(p: &Path) -> String {
    match p.metadata() {
        Err(e) => e.to_string(),
        Ok(m) if m.is_dir() => "it is a directory".to_string(),
        Ok(_) => "it is not a regular file".to_string(),
    }
}

/// Runs after the first get their number in task-id bits no runtime uses
/// (above ring and local), so the rounds of a triage loop never share ids;
/// the `rXtY` display is unchanged.
pub fn mark_run(capture: &mut Capture, run: u32) {
    let tag = |id: TaskId| TaskId(id.0 | (u64::from(run) << 40));
    for t in &mut capture.tasks {
        t.round = run;
        t.task_id = tag(t.task_id);
    }
    for f in &mut capture.fanout {
        f.round = run;
        f.task_id = tag(f.task_id);
        for s in &mut f.successors {
            *s = tag(*s);
        }
    }
    for p in &mut capture.sched_phases {
        p.round = run;
        p.task_id = p.task_id.map(tag);
    }
    for p in &mut capture.orch_phases {
        p.round = run;
        p.task_id = p.task_id.map(tag);
    }
    for s in &mut capture.orch_summaries {
        s.round = run;
    }
    for s in &mut capture.submits {
        s.round = run;
        s.task_id = tag(s.task_id);
        for e in &mut s.edges_in {
            e.pred = tag(e.pred);
            e.succ = tag(e.succ);
        }
    }
}

/// Earliest and latest time in a capture.
fn time_span(c: &Capture) -> Option<(u64, u64)> {
    let lo = c
        .tasks
        .iter()
        .map(|t| {
            t.dispatch_ns
                .unwrap_or(t.start_ns)
                .min(t.receive_ns.unwrap_or(t.start_ns))
        })
        .chain(c.sched_phases.iter().map(|p| p.start_ns))
        .chain(c.orch_phases.iter().map(|p| p.start_ns))
        .min()?;
    let hi = c
        .tasks
        .iter()
        .map(|t| t.finish_ns.unwrap_or(t.end_ns).max(t.end_ns))
        .chain(c.sched_phases.iter().map(|p| p.end_ns))
        .chain(c.orch_phases.iter().map(|p| p.end_ns))
        .max()?;
    Some((lo, hi))
}

/// Moves every timestamp of a capture later by `delta` ns.
pub fn shift_capture(c: &mut Capture, delta: u64) {
    let s = |t: &mut u64| *t = t.saturating_add(delta);
    for t in &mut c.tasks {
        s(&mut t.start_ns);
        s(&mut t.end_ns);
        for o in [&mut t.receive_ns, &mut t.dispatch_ns, &mut t.finish_ns] {
            if let Some(v) = o.as_mut() {
                s(v);
            }
        }
    }
    for p in &mut c.sched_phases {
        s(&mut p.start_ns);
        s(&mut p.end_ns);
    }
    for p in &mut c.orch_phases {
        s(&mut p.start_ns);
        s(&mut p.end_ns);
    }
    for o in &mut c.orch_summaries {
        s(&mut o.start_ns);
        s(&mut o.end_ns);
    }
}

/// Gap shown between runs whose clocks restarted.
const RUN_GAP_NS: u64 = 100_000;

/// Reads one pipe line by line (lossy UTF-8: a stray byte must not stop
/// the stream) into `tx`; lines that do not fit are counted, never block
/// the child.
fn pump(
    pipe: impl Read + Send + 'static,
    stream: LogStream,
    tx: Sender<(LogStream, String)>,
    lost: Arc<AtomicU64>,
) {
    let _ = std::thread::Builder::new()
        .name("swimtop-pipe".into())
        .spawn(move || {
            let mut r = BufReader::new(pipe);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                            buf.pop();
                        }
                        let line = String::from_utf8_lossy(&buf).into_owned();
                        if tx.try_send((stream, line)).is_err() {
                            lost.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        });
}

/// The exit of a reaped child.
fn exit_info(status: std::process::ExitStatus) -> ExitInfo {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => ExitInfo::Code(c),
        (None, Some(s)) => ExitInfo::Signal(s),
        (None, None) => ExitInfo::Code(-1),
    }
}

/// Stops the child and everything in its process group: SIGINT, SIGTERM
/// after `grace`, SIGKILL after another `grace`; reaps the child.
pub fn stop_child(child: &mut Child, grace: Duration) -> Option<ExitInfo> {
    let pgid = Pid::from_raw(child.id() as i32);
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGKILL] {
        if let Ok(Some(status)) = child.try_wait() {
            // The leader is gone; stragglers in its group go too.
            let _ = killpg(pgid, Signal::SIGKILL);
            return Some(exit_info(status));
        }
        let _ = killpg(pgid, signal);
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if let Ok(Some(status)) = child.try_wait() {
                let _ = killpg(pgid, Signal::SIGKILL);
                return Some(exit_info(status));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    child.wait().ok().map(exit_info)
}

/// How one run ended.
enum Outcome {
    /// Loaded; the run's summary.
    Loaded(RoundSummary),
    Failed(String),
    Stopped,
}

struct Run<'a> {
    cfg: &'a mut RuntimeConfig,
    sink: &'a mut dyn RecordSink,
    stop: &'a StopToken,
    flags: DfxFlags,
    run: u32,
    described: &'a mut bool,
    /// Where the previous run's records end: a run whose clock restarted is
    /// moved to follow it, so runs do not overlap on screen.
    last_end: &'a mut Option<u64>,
    tail: VecDeque<String>,
}

impl Run<'_> {
    fn say(&mut self, text: String) {
        self.sink.log(LogLine {
            run: self.run,
            stream: LogStream::Swimtop,
            text,
        });
    }

    fn execute(&mut self) -> Outcome {
        let level = self.flags.level().chip_swimlane_level();
        let mut args: Vec<String> = self.cfg.command[1..].to_vec();
        args.extend(level_words(&self.cfg.level_args, level));
        if self.cfg.dep_gen && level > 0 {
            args.push(DEP_GEN_ARG.to_string());
        }
        let shown = std::iter::once(self.cfg.command[0].clone())
            .chain(args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        // Whole seconds, one back: file times may be coarser than ours.
        let since = SystemTime::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let started = Instant::now();
        let spawned = {
            use std::os::unix::process::CommandExt;
            Command::new(&self.cfg.command[0])
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                // Python children print as they go instead of at exit.
                .env("PYTHONUNBUFFERED", "1")
                .process_group(0)
                .spawn()
        };
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(format!("cannot start {}: {e}", self.cfg.command[0])),
        };
        self.say(format!("$ {shown}"));
        self.sink.run_event(RunEvent::Started {
            run: self.run,
            pid: child.id(),
            command: shown,
        });
        let (tx, rx) = bounded(PIPE_LINES);
        let lost = Arc::new(AtomicU64::new(0));
        if let Some(out) = child.stdout.take() {
            pump(out, LogStream::Stdout, tx.clone(), lost.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump(err, LogStream::Stderr, tx, lost.clone());
        }
        let mut reported_path: Option<PathBuf> = None;
        let mut loaded: Option<RoundSummary> = None;
        let exit = loop {
            if self.stop.is_stopped() {
                self.say("stopping the command (SIGINT, then SIGTERM, then SIGKILL)".into());
                let exit = stop_child(&mut child, self.cfg.grace);
                if let Some(e) = exit {
                    self.say(format!("command ended: {e}"));
                }
                return Outcome::Stopped;
            }
            match rx.recv_timeout(POLL) {
                Ok((stream, text)) => {
                    match clue(&text) {
                        Some(Clue::Capture(p)) => reported_path = Some(p),
                        Some(Clue::Progress(t)) => self.sink.run_event(RunEvent::Progress {
                            run: self.run,
                            text: t,
                        }),
                        None => {}
                    }
                    if self.tail.len() == TAIL {
                        self.tail.pop_front();
                    }
                    self.tail.push_back(text.clone());
                    self.sink.log(LogLine {
                        run: self.run,
                        stream,
                        text,
                    });
                    // The runtime logs the path after the file is complete:
                    // the lanes can fill before the command exits.
                    if loaded.is_none()
                        && let Some(p) = reported_path.clone()
                    {
                        match self.load(&p) {
                            Ok(s) => loaded = Some(s),
                            Err(e) => self
                                .say(format!("capture at {} not readable yet: {e}", p.display())),
                        }
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        // Pipes close with the child (or its group): drain
                        // what is left, then stop.
                        while let Ok((stream, text)) = rx.recv_timeout(Duration::from_millis(20)) {
                            if let Some(Clue::Capture(p)) = clue(&text) {
                                reported_path = Some(p);
                            }
                            self.tail.push_back(text.clone());
                            if self.tail.len() > TAIL {
                                self.tail.pop_front();
                            }
                            self.sink.log(LogLine {
                                run: self.run,
                                stream,
                                text,
                            });
                        }
                        break exit_info(status);
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    // Both pipes closed: the child is ending.
                    match child.wait() {
                        Ok(status) => break exit_info(status),
                        Err(e) => {
                            return Outcome::Failed(format!("cannot wait for the command: {e}"));
                        }
                    }
                }
            }
        };
        // Anything it left behind in its group (a forked helper) goes too.
        let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let lost = lost.load(Ordering::Relaxed);
        if lost > 0 {
            self.say(format!(
                "{lost} output lines not shown (the command printed faster than they could be read)"
            ));
        }
        self.sink.run_event(RunEvent::Exited {
            run: self.run,
            exit,
            elapsed: started.elapsed(),
        });
        self.say(format!(
            "command ended: {exit} after {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        if loaded.is_none() && level > 0 {
            // A `File:` line whose file is no longer there (the directory
            // was cleaned up, or removed by the command itself).
            let gone = reported_path.clone().filter(|p| !p.is_file());
            let found = reported_path
                .filter(|p| p.is_file())
                .or_else(|| find_capture(&self.cfg.outputs, since))
                // Absolute, so the path in the log can be copied and used.
                .map(|p| p.canonicalize().unwrap_or(p));
            match found {
                Some(p) => match self.load(&p) {
                    Ok(s) => loaded = Some(s),
                    Err(e) => {
                        return Outcome::Failed(format!(
                            "the capture {} did not load: {e}",
                            p.display()
                        ));
                    }
                },
                None if exit.success() => {
                    return Outcome::Failed(match gone {
                        Some(p) => format!(
                            "the capture the command reported ({}) is gone: {}",
                            p.display(),
                            why_not_a_file(&p)
                        ),
                        None => format!(
                            "no capture was written: no `File:` line in the output and no new capture under {}",
                            self.cfg.outputs.display()
                        ),
                    });
                }
                None => {}
            }
        }
        if !exit.success() {
            return Outcome::Failed(format!("the command failed: {exit}"));
        }
        match loaded {
            Some(s) => Outcome::Loaded(s),
            // Level 0: the command ran untraced; its time is the result.
            None => Outcome::Loaded(RoundSummary {
                round: self.run,
                ..RoundSummary::default()
            }),
        }
    }

    /// Reads the capture and feeds it in as this run's round.
    fn load(&mut self, path: &Path) -> Result<RoundSummary, String> {
        let (mut capture, notices) = (self.cfg.load)(path)?;
        self.sink.run_event(RunEvent::CaptureFound {
            run: self.run,
            path: path.to_path_buf(),
        });
        self.say(format!(
            "capture: {} ({} tasks)",
            path.display(),
            capture.tasks.len()
        ));
        mark_run(&mut capture, self.run);
        if let (Some(prev), Some((lo, _))) = (*self.last_end, time_span(&capture))
            && lo <= prev
        {
            let delta = prev + RUN_GAP_NS - lo;
            shift_capture(&mut capture, delta);
            self.say(format!(
                "run {}'s timestamps start before run {} ended (the counter restarted): shown {:.3} ms later",
                self.run + 1,
                self.run,
                delta as f64 / 1e6
            ));
        }
        *self.last_end = time_span(&capture).map(|(_, hi)| hi).or(*self.last_end);
        if !*self.described {
            let mut info: DeviceInfo = capture.info.clone();
            info.source = format!("runtime: {}", self.cfg.command.join(" "));
            self.sink.describe(info, capture.flags);
            *self.described = true;
        }
        if self.run == 0 {
            for n in notices {
                self.sink.notice(n);
            }
        }
        let span = capture.task_span().unwrap_or((0, 0));
        let tasks = capture.tasks.len() as u64;
        // Batch by batch: a million-task capture is never also a record list.
        let records = super::send_in_batches(
            capture.into_record_iter(),
            &mut *self.sink,
            &StopToken::new(),
        );
        let summary = RoundSummary {
            round: self.run,
            start_ns: span.0.min(span.1),
            end_ns: span.1,
            tasks,
            records,
            overhead_ns: 0,
        };
        self.sink.round_done(&summary);
        Ok(summary)
    }
}

impl Device for RuntimeDevice {
    fn info(&self) -> DeviceInfo {
        DeviceInfo::placeholder(format!("runtime: {}", self.cfg.command.join(" ")))
    }

    fn run(
        &mut self,
        flags: DfxFlags,
        sink: &mut dyn RecordSink,
        stop: &StopToken,
    ) -> Result<RunSummary, DeviceError> {
        let mut summary = RunSummary::default();
        let mut described = false;
        let mut last_end = None;
        let mut run = 0u32;
        while self.cfg.repeat.is_none_or(|n| run < n) {
            let outcome = Run {
                cfg: &mut self.cfg,
                sink: &mut *sink,
                stop,
                flags,
                run,
                described: &mut described,
                last_end: &mut last_end,
                tail: VecDeque::new(),
            }
            .execute_reporting();
            match outcome {
                Outcome::Loaded(r) => {
                    summary.rounds += 1;
                    summary.tasks += r.tasks;
                    summary.records += r.records;
                    summary.device_time_ns += r.device_time_ns();
                    run += 1;
                }
                Outcome::Stopped => {
                    summary.stopped = true;
                    return Ok(summary);
                }
                Outcome::Failed(reason) => {
                    // Wait for the user: retry this run, or quit.
                    sink.run_event(RunEvent::WaitingForRetry { run });
                    loop {
                        if stop.is_stopped() {
                            summary.stopped = true;
                            return Ok(summary);
                        }
                        match self.control.recv_timeout(POLL) {
                            Ok(RuntimeControl::Retry) => break,
                            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                            // Nobody can ask for a retry (headless): give up.
                            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                                return Err(DeviceError::Other(format!(
                                    "run {} failed: {reason}",
                                    run + 1
                                )));
                            }
                        }
                    }
                }
            }
        }
        Ok(summary)
    }
}

impl Run<'_> {
    /// [`Run::execute`], reporting a failure with the last lines printed.
    fn execute_reporting(mut self) -> Outcome {
        let outcome = self.execute();
        if let Outcome::Failed(reason) = &outcome {
            self.say(format!("run {} failed: {reason}", self.run + 1));
            self.sink.run_event(RunEvent::Failed {
                run: self.run,
                reason: reason.clone(),
                tail: self.tail.iter().cloned().collect(),
            });
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_words_follow_the_runtime_numbering() {
        let t = parse_level_args(DEFAULT_LEVEL_ARGS).unwrap();
        assert_eq!(level_words(&t, 4), ["--enable-chip-swimlane", "4"]);
        assert!(level_words(&t, 0).is_empty());
        let t = parse_level_args("--perf-level={level}").unwrap();
        assert_eq!(level_words(&t, 2), ["--perf-level=2"]);
        assert!(parse_level_args("--enable-profiling").is_err());
        assert!(parse_level_args("  ").is_err());
    }

    #[test]
    fn output_lines_give_clues() {
        let line = "[mono_ns=1][T0x1][INFO] export_swimlane_json: [chip_swimlane_collector.cpp:1262] File: /a/outputs/X_1/chip_swimlane_records.json";
        assert_eq!(
            clue(line),
            Some(Clue::Capture(PathBuf::from(
                "/a/outputs/X_1/chip_swimlane_records.json"
            )))
        );
        assert!(matches!(
            clue("tests/st/x.py::T::test_a PASSED [ 50%]"),
            Some(Clue::Progress(_))
        ));
        assert!(matches!(clue("round 1/4 25%"), Some(Clue::Progress(_))));
        assert_eq!(
            clue("[mono_ns=9][T0x7f][INFO] run_case: [scene_test.py:1180] case T::C round 1/4 25%"),
            Some(Clue::Progress("case T::C round 1/4 25%".into()))
        );
        assert_eq!(clue("nothing to see"), None);
        assert_eq!(clue("50 % done"), None);
    }

    #[test]
    fn later_runs_get_their_own_task_ids() {
        let mut c = Capture::new(DeviceInfo::placeholder(String::new()), DfxFlags::empty());
        c.fanout.push(crate::record::FanoutRecord {
            round: 0,
            task_id: TaskId::new(2, 5),
            successors: vec![TaskId::new(2, 6)],
        });
        mark_run(&mut c, 3);
        let f = &c.fanout[0];
        assert_eq!(f.round, 3);
        assert_eq!(f.task_id.to_string(), "r2t5", "display unchanged");
        assert_ne!(f.task_id, TaskId::new(2, 5), "but distinct from run 0's");
        assert_eq!(f.successors[0].0 >> 40, 3);
    }

    #[test]
    fn the_newest_capture_since_the_run_started_is_found() {
        let dir = std::env::temp_dir().join(format!("swimtop-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("Old_1")).unwrap();
        std::fs::create_dir_all(dir.join("New_2")).unwrap();
        std::fs::write(dir.join("Old_1/chip_swimlane_records.json"), "{}").unwrap();
        let since = SystemTime::now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(find_capture(&dir, since), None, "written before the run");
        std::fs::write(dir.join("New_2/chip_swimlane_records.json"), "{}").unwrap();
        std::fs::write(dir.join("New_2/deps.json"), "{}").unwrap();
        assert_eq!(
            find_capture(&dir, since),
            Some(dir.join("New_2/chip_swimlane_records.json"))
        );
        assert_eq!(find_capture(&dir.join("missing"), since), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
