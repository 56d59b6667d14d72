//! Log lines in the runtime's three voices, each flushed as written (swimtop
//! streams them live):
//! - the C++ host log (`host_log.cpp`, on stderr):
//!   `[mono_ns=N][T0x<tid>][INFO] func: [file.cpp:line] message`;
//! - Python's `logging` as `simpler_setup.log_config` sets it up (stderr):
//!   `[WARNING] message`;
//! - the scene test's own `print`s and pytest-like result lines (stdout).
//!
//! Write errors (a reader that went away) are ignored, as the runtime's
//! logger does.

use std::io::{self, Write};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

pub struct Log {
    start: Instant,
    /// CLOCK_MONOTONIC at `start`, as far as std can tell (the uptime).
    mono0_ns: u64,
    /// What the runtime prints as the thread id (`pthread_self`, hex).
    tid: u64,
}

impl Log {
    pub fn new() -> Log {
        Log {
            start: Instant::now(),
            mono0_ns: uptime_ns().unwrap_or(0),
            tid: 0x7f00_0000_0000 | (u64::from(std::process::id()) << 12) | 0x740,
        }
    }

    pub fn mono_ns(&self) -> u64 {
        let elapsed = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.mono0_ns.saturating_add(elapsed)
    }

    /// A C++ host-log line.
    pub fn rt(&self, stream: Stream, level: &str, func: &str, at: (&str, u32), msg: &str) {
        let line = format!(
            "[mono_ns={}][T0x{:x}][{level}] {func}: [{}:{}] {msg}",
            self.mono_ns(),
            self.tid,
            at.0,
            at.1
        );
        self.line(stream, &line);
    }

    /// A Python `logging` line.
    pub fn py(&self, level: &str, msg: &str) {
        self.line(Stream::Err, &format!("[{level}] {msg}"));
    }

    /// One line as it is, flushed.
    pub fn line(&self, stream: Stream, text: &str) {
        let mut buf = String::with_capacity(text.len() + 1);
        buf.push_str(text);
        buf.push('\n');
        let _ = match stream {
            Stream::Out => write_flush(&mut io::stdout().lock(), &buf),
            Stream::Err => write_flush(&mut io::stderr().lock(), &buf),
        };
    }
}

fn write_flush(w: &mut dyn Write, text: &str) -> io::Result<()> {
    w.write_all(text.as_bytes())?;
    w.flush()
}

/// Seconds since boot from `/proc/uptime` (close to CLOCK_MONOTONIC).
fn uptime_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs: f64 = text.split_whitespace().next()?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some((secs * 1e9) as u64)
}

/// `YYYYMMDD_HHMMSS` in local time as `date(1)` tells it (honours `TZ` and
/// `/etc/localtime`, like Python's `datetime.now()`), or in UTC when `date`
/// cannot be run. The flag says which.
pub fn timestamp() -> (String, bool) {
    let local = std::process::Command::new("date")
        .arg("+%Y%m%d_%H%M%S")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| {
            s.len() == 15
                && s.char_indices()
                    .all(|(i, c)| if i == 8 { c == '_' } else { c.is_ascii_digit() })
        });
    match local {
        Some(s) => (s, true),
        None => (utc_timestamp(), false),
    }
}

fn utc_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}_{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_689), (2026, 8, 24));
    }

    #[test]
    fn timestamps_have_the_scene_test_shape() {
        let (t, _) = timestamp();
        assert_eq!(t.len(), 15, "{t}");
        assert_eq!(utc_timestamp().len(), 15);
    }
}
