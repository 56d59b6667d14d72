//! Devices produce records. Three kinds share one trait: the built-in
//! simulated a2a3 chip (`sim`), a capture file (`file`, later) and the real
//! runtime's own command (`runtime`, later).

pub mod file;
pub mod runtime;
pub mod sim;

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::dfx::DfxFlags;
use crate::record::{DeviceInfo, Ns, Record, RoundSummary};

/// Where a device hands its output. The capture thread implements it on top
/// of the bounded channel; tests implement it with a plain `Vec`.
pub trait RecordSink {
    /// What the following records come from. The capture thread sends the
    /// device's own [`Device::info`] first; a device that learns more later (a
    /// file once parsed, a runtime once its capture appears) describes again.
    fn describe(&mut self, info: DeviceInfo, flags: DfxFlags);
    /// A batch of records, in the order the device produced them.
    fn batch(&mut self, records: Vec<Record>);
    /// A whole capture already in a store (a file loaded at once, built off
    /// the app's thread). A sink that cannot take a store gets its records.
    fn store(&mut self, store: Box<crate::store::TraceStore>) {
        self.batch(store.to_capture().into_records());
    }
    /// A round (one pass of the workload) has finished.
    fn round_done(&mut self, summary: &RoundSummary);
    /// Something the user should know about the records (what a file lacks,
    /// what was skipped); not an error.
    fn notice(&mut self, _text: String) {}
    /// A line a driven program printed (the runtime device).
    fn log(&mut self, _line: LogLine) {}
    /// What a driven program is doing (started, progress, exited, failed).
    fn run_event(&mut self, _event: RunEvent) {}
}

/// Which stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    Stdout,
    Stderr,
    /// swimtop's own remarks about the run (the command line, the capture found).
    Swimtop,
}

/// One line of a driven program's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub run: u32,
    pub stream: LogStream,
    pub text: String,
}

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitInfo {
    Code(i32),
    Signal(i32),
}

impl ExitInfo {
    pub fn success(self) -> bool {
        self == ExitInfo::Code(0)
    }
}

impl std::fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitInfo::Code(c) => write!(f, "exit status {c}"),
            ExitInfo::Signal(s) => write!(f, "killed by signal {s}"),
        }
    }
}

/// The life of one run of a driven program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEvent {
    Started {
        run: u32,
        pid: u32,
        command: String,
    },
    /// A progress line the program printed (a percentage, a test result).
    Progress {
        run: u32,
        text: String,
    },
    /// The capture the run wrote, as found.
    CaptureFound {
        run: u32,
        path: std::path::PathBuf,
    },
    Exited {
        run: u32,
        exit: ExitInfo,
        elapsed: Duration,
    },
    /// The run did not give a capture: why, and the last lines it printed.
    Failed {
        run: u32,
        reason: String,
        tail: Vec<String>,
    },
    /// A failed run waits for the user: retry (`r`) or quit.
    WaitingForRetry {
        run: u32,
    },
}

/// What a whole device run produced, counted on the device side (independent
/// of the capture accounting, so the two can be checked against each other).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunSummary {
    pub rounds: u32,
    pub tasks: u64,
    pub records: u64,
    /// Device time from the first round's start to the last round's end.
    pub device_time_ns: Ns,
    /// Modelled instrumentation time charged over the whole run.
    pub overhead_ns: Ns,
    /// True when the run ended because it was asked to stop.
    pub stopped: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("workload {name}: {reason}")]
    Workload { name: String, reason: String },
    #[error("device configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Other(String),
}

pub trait Device: Send {
    /// What is known before running (a file device knows only its path).
    fn info(&self) -> DeviceInfo;
    /// Runs until the device is done or `stop` is raised. Never panics across
    /// threads: failures come back as `Err`.
    fn run(
        &mut self,
        flags: DfxFlags,
        sink: &mut dyn RecordSink,
        stop: &StopToken,
    ) -> Result<RunSummary, DeviceError>;
}

/// Records per batch when a device hands over records it already holds.
pub const HELD_BATCH: usize = 8192;

/// Hands `records` to `sink` in batches, stopping early if asked; returns
/// how many were sent.
pub fn send_in_batches(
    records: impl IntoIterator<Item = Record>,
    sink: &mut dyn RecordSink,
    stop: &StopToken,
) -> u64 {
    let mut sent = 0u64;
    let mut rest = records.into_iter();
    while !stop.is_stopped() {
        let batch: Vec<Record> = rest.by_ref().take(HELD_BATCH).collect();
        if batch.is_empty() {
            break;
        }
        sent += batch.len() as u64;
        sink.batch(batch);
    }
    sent
}

/// A stop request that sleeping code can wait on (a paced device wakes at
/// once instead of finishing its sleep).
#[derive(Debug, Clone, Default)]
pub struct StopToken {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl StopToken {
    pub fn new() -> StopToken {
        StopToken::default()
    }
    pub fn stop(&self) {
        let (lock, cv) = &*self.inner;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }
    pub fn is_stopped(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Waits up to `timeout`; returns true if stop was requested.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let (lock, cv) = &*self.inner;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        if *guard {
            return true;
        }
        let (guard, _) = cv
            .wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// Wall time as a paced device sees it; injectable so tests run in virtual time.
pub trait WallClock: Send {
    /// Time since the clock was created.
    fn elapsed(&self) -> Duration;
    /// Sleeps up to `d` (less if stopped); returns true if stop was requested.
    fn sleep(&mut self, d: Duration, stop: &StopToken) -> bool;
}

/// The real monotonic clock.
#[derive(Debug)]
pub struct RealClock {
    origin: Instant,
}

impl Default for RealClock {
    fn default() -> RealClock {
        RealClock {
            origin: Instant::now(),
        }
    }
}

impl WallClock for RealClock {
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&mut self, d: Duration, stop: &StopToken) -> bool {
        stop.wait_timeout(d)
    }
}

/// A clock that advances only when slept on: paced runs finish instantly and
/// deterministically in tests.
#[derive(Debug, Default)]
pub struct VirtualClock {
    now: Duration,
}

impl WallClock for VirtualClock {
    fn elapsed(&self) -> Duration {
        self.now
    }
    fn sleep(&mut self, d: Duration, stop: &StopToken) -> bool {
        self.now += d;
        stop.is_stopped()
    }
}

/// A sink that keeps everything in memory (tests, benches, headless tools).
#[derive(Debug, Default)]
pub struct VecSink {
    pub described: Vec<(DeviceInfo, DfxFlags)>,
    pub notices: Vec<String>,
    pub records: Vec<Record>,
    pub rounds: Vec<RoundSummary>,
    pub batches: usize,
}

impl RecordSink for VecSink {
    fn describe(&mut self, info: DeviceInfo, flags: DfxFlags) {
        self.described.push((info, flags));
    }
    fn batch(&mut self, records: Vec<Record>) {
        self.batches += 1;
        self.records.extend(records);
    }
    fn round_done(&mut self, summary: &RoundSummary) {
        self.rounds.push(summary.clone());
    }
    fn notice(&mut self, text: String) {
        self.notices.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_token_wakes_a_waiter() {
        let stop = StopToken::new();
        let s2 = stop.clone();
        let t = std::thread::spawn(move || s2.wait_timeout(Duration::from_secs(30)));
        stop.stop();
        assert!(t.join().unwrap());
        assert!(stop.is_stopped());
    }
}
