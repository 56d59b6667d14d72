//! What the view knows about a driven program (the runtime device): its
//! runs, where each stands, its log (bounded, scrollable, searchable), and
//! the run-to-run comparison of a triage loop.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::device::runtime::RuntimeControl;
use crate::device::{ExitInfo, LogLine, LogStream, RunEvent};
use crate::record::Ns;
use crate::store::TraceStore;
use crate::store::stats::FuncStats;

/// Log lines kept for the log view; older ones are dropped and counted.
pub const LOG_KEEP: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    Running { started: Instant },
    Exited { exit: ExitInfo, elapsed: Duration },
    Failed { reason: String },
    WaitingForRetry { reason: String },
}

/// The full-screen log view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogView {
    /// Lines from the bottom (0 = follow the end).
    pub from_end: usize,
    /// Text being typed after `/`.
    pub input: Option<String>,
    pub query: Option<String>,
    /// Index of the line the last search landed on.
    pub hit: Option<usize>,
}

pub struct Runs {
    pub command: String,
    /// 0-based index of the current run.
    pub run: u32,
    /// Runs asked for (`None` = endless).
    pub repeat: Option<u32>,
    pub state: Option<RunState>,
    pub progress: Option<String>,
    pub log: VecDeque<LogLine>,
    /// Lines pushed out of `log` by newer ones.
    pub log_trimmed: u64,
    pub view: Option<LogView>,
    retry: Option<Sender<RuntimeControl>>,
    /// Runs that gave a capture, in order.
    pub loaded: Vec<u32>,
}

impl Runs {
    pub fn new(
        command: String,
        repeat: Option<u32>,
        retry: Option<Sender<RuntimeControl>>,
    ) -> Runs {
        Runs {
            command,
            run: 0,
            repeat,
            state: None,
            progress: None,
            log: VecDeque::new(),
            log_trimmed: 0,
            view: None,
            retry,
            loaded: Vec::new(),
        }
    }

    pub fn event(&mut self, e: RunEvent, now: Instant) {
        match e {
            RunEvent::Started { run, .. } => {
                self.run = run;
                self.progress = None;
                self.state = Some(RunState::Running { started: now });
            }
            RunEvent::Progress { text, .. } => self.progress = Some(text),
            RunEvent::CaptureFound { run, .. } => {
                if !self.loaded.contains(&run) {
                    self.loaded.push(run);
                }
            }
            RunEvent::Exited { exit, elapsed, .. } => {
                self.state = Some(RunState::Exited { exit, elapsed });
            }
            RunEvent::Failed { reason, .. } => self.state = Some(RunState::Failed { reason }),
            RunEvent::WaitingForRetry { .. } => {
                let reason = match &self.state {
                    Some(RunState::Failed { reason }) => reason.clone(),
                    _ => "the run failed".to_string(),
                };
                self.state = Some(RunState::WaitingForRetry { reason });
            }
        }
    }

    pub fn log_line(&mut self, line: LogLine) {
        if self.log.len() == LOG_KEEP {
            self.log.pop_front();
            self.log_trimmed += 1;
            if let Some(v) = self.view.as_mut() {
                v.hit = v.hit.and_then(|h| h.checked_sub(1));
            }
        }
        self.log.push_back(line);
    }

    /// Asks the device to run the failed run again; false if not waiting.
    pub fn retry(&mut self) -> bool {
        if !matches!(self.state, Some(RunState::WaitingForRetry { .. })) {
            return false;
        }
        let sent = self
            .retry
            .as_ref()
            .is_some_and(|tx| tx.try_send(RuntimeControl::Retry).is_ok());
        if sent {
            self.state = None;
        }
        sent
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, Some(RunState::Running { .. }))
    }

    /// `run 2/3 running 12 s ⠹ · PASSED [ 50%]`, `run 2 failed: … (r retries)`.
    pub fn status(&self, now: Instant) -> String {
        let of = self.repeat.map(|n| format!("/{n}")).unwrap_or_default();
        let run = format!("run {}{of}", self.run + 1);
        match &self.state {
            None => format!("{run} starting"),
            Some(RunState::Running { started }) => {
                let secs = now.saturating_duration_since(*started).as_secs_f64();
                const SPIN: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];
                let spin = SPIN[((secs * 4.0) as usize) % SPIN.len()];
                let mut s = format!("{run} running {secs:.0} s {spin}");
                if let Some(p) = &self.progress {
                    s.push_str(&format!(" · {p}"));
                }
                s
            }
            Some(RunState::Exited { exit, elapsed }) => {
                format!("{run} {exit} after {:.1} s", elapsed.as_secs_f64())
            }
            Some(RunState::Failed { reason }) => format!("{run} failed: {reason}"),
            Some(RunState::WaitingForRetry { reason }) => {
                format!("{run} failed: {reason} (r retries, q quits)")
            }
        }
    }

    /// Lines of the log that match the query, case-insensitively.
    fn matches(&self, q: &str) -> impl Iterator<Item = usize> + '_ {
        let q = q.to_lowercase();
        self.log
            .iter()
            .enumerate()
            .filter(move |(_, l)| l.text.to_lowercase().contains(&q))
            .map(|(i, _)| i)
    }

    /// Moves the log view to the next (or previous) match after the last hit.
    pub fn search(&mut self, forward: bool) -> Option<String> {
        let v = self.view.as_ref()?;
        let q = v.query.clone()?;
        let here = v.hit.unwrap_or(if forward { 0 } else { self.log.len() });
        let found = if forward {
            self.matches(&q).find(|&i| v.hit.is_none_or(|_| i > here))
        } else {
            self.matches(&q).filter(|&i| i < here).last()
        };
        let total = self.matches(&q).count();
        let v = self.view.as_mut()?;
        match found {
            Some(i) => {
                v.hit = Some(i);
                v.from_end = self.log.len().saturating_sub(i + 1);
                Some(format!("/{q}: line {} · {total} matches", i + 1))
            }
            None => Some(format!(
                "/{q}: no {} match ({total} in all)",
                if forward { "later" } else { "earlier" }
            )),
        }
    }
}

/// A short tag for a log line's stream.
pub fn stream_tag(s: LogStream) -> &'static str {
    match s {
        LogStream::Stdout => "│",
        LogStream::Stderr => "┃",
        LogStream::Swimtop => "»",
    }
}

/// One function's change from the previous run to the latest.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncDelta {
    pub label: String,
    pub exec_now: f64,
    pub exec_pct: f64,
    pub head_delta: Option<f64>,
    pub tail_delta: Option<f64>,
}

/// Per function, the latest run against the one before (rounds `b` vs `a`).
pub fn compare(store: &TraceStore, a: u32, b: u32) -> Option<(Vec<FuncDelta>, f64)> {
    let range = |r: u32| -> Option<(Ns, Ns)> {
        let s = store.rounds().iter().find(|s| s.round == r)?;
        Some((s.start_ns, s.end_ns.max(s.start_ns + 1)))
    };
    let (ra, rb) = (range(a)?, range(b)?);
    let (sa, sb) = (store.stats(Some(ra)), store.stats(Some(rb)));
    let by_func = |v: &[FuncStats], f: i32| v.iter().find(|x| x.func_id == f).cloned();
    let mut out = Vec::new();
    let (mut total_a, mut total_b) = (0.0, 0.0);
    for fb in &sb.functions {
        let Some(fa) = by_func(&sa.functions, fb.func_id) else {
            continue;
        };
        total_a += fa.exec_mean_ns * fa.count as f64;
        total_b += fb.exec_mean_ns * fb.count as f64;
        let pct = if fa.exec_mean_ns > 0.0 {
            (fb.exec_mean_ns - fa.exec_mean_ns) / fa.exec_mean_ns * 100.0
        } else {
            0.0
        };
        out.push(FuncDelta {
            label: fb.label.clone(),
            exec_now: fb.exec_mean_ns,
            exec_pct: pct,
            head_delta: fb.head_mean_ns.zip(fa.head_mean_ns).map(|(x, y)| x - y),
            tail_delta: fb.tail_mean_ns.zip(fa.tail_mean_ns).map(|(x, y)| x - y),
        });
    }
    let trend = if total_a > 0.0 {
        (total_b - total_a) / total_a * 100.0
    } else {
        0.0
    };
    Some((out, trend))
}

/// The comparison as panel lines.
pub fn comparison_lines(store: &TraceStore, a: u32, b: u32) -> Vec<String> {
    let Some((deltas, trend)) = compare(store, a, b) else {
        return Vec::new();
    };
    let sign = |v: f64| if v >= 0.0 { "+" } else { "" };
    let mut out = vec![format!(
        "run {} vs {}: total exec {}{trend:.1}%",
        b + 1,
        a + 1,
        sign(trend)
    )];
    out.push(format!(
        "{:<12} {:>9} {:>8} {:>9} {:>9}",
        "function", "exec µs", "Δ exec", "Δ head", "Δ tail"
    ));
    let us = |v: Option<f64>| {
        v.map_or_else(|| "-".to_string(), |d| format!("{}{:.2}", sign(d), d / 1e3))
    };
    for d in deltas {
        out.push(format!(
            "{:<12} {:>9.2} {:>7}% {:>9} {:>9}",
            d.label.chars().take(12).collect::<String>(),
            d.exec_now / 1e3,
            format!("{}{:.1}", sign(d.exec_pct), d.exec_pct),
            us(d.head_delta),
            us(d.tail_delta)
        ));
    }
    out
}
