//! How the live view is holding up, sampled once a second by the event
//! loop: record accounting, what the store holds, resident memory and frame
//! times. Written to the log file (`--log-file`, target `swimtop::health`),
//! summed up on exit, and read by the soak benchmark, which checks the
//! accounting identity at every sample.

use std::fmt;
use std::time::Duration;

use crate::capture::accounting::Counts;

/// Frames slower than this are counted: above it, a key press visibly lags.
pub const FRAME_BUDGET: Duration = Duration::from_millis(50);

/// How long a kind of work took, one item at a time: frames (compute and
/// paint, terminal write included) or the loop's message steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameTimes {
    pub frames: u64,
    pub total: Duration,
    pub slowest: Duration,
    /// Frames that took longer than [`FRAME_BUDGET`].
    pub over_budget: u64,
}

impl FrameTimes {
    pub fn record(&mut self, took: Duration) {
        self.frames += 1;
        self.total += took;
        self.slowest = self.slowest.max(took);
        if took > FRAME_BUDGET {
            self.over_budget += 1;
        }
    }

    pub fn mean(&self) -> Duration {
        match u32::try_from(self.frames) {
            Ok(0) => Duration::ZERO,
            Ok(n) => self.total / n,
            Err(_) => Duration::from_secs_f64(self.total.as_secs_f64() / self.frames as f64),
        }
    }
}

/// One sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// Since the view started.
    pub uptime: Duration,
    pub counts: Counts,
    /// Records the store took in (every delivered record, once received).
    pub ingested: u64,
    /// Records the store holds now.
    pub live_records: u64,
    /// The `--history` budget, if any (records).
    pub history: Option<u64>,
    /// Resident set size of the process, when the OS says.
    pub rss_bytes: Option<u64>,
    pub frames: FrameTimes,
    /// Time spent handling each message between frames.
    pub steps: FrameTimes,
    /// The device run ended (finished or failed): nothing more will arrive.
    pub capture_done: bool,
}

impl Health {
    /// What must hold at every instant, or why it does not: every produced
    /// record was delivered or dropped; the store never holds a record that
    /// was not delivered; and what it holds plus what it evicted is what it
    /// took in.
    pub fn check(&self) -> Result<(), String> {
        let c = &self.counts;
        if !c.balanced() {
            return Err(format!(
                "produced {} != delivered {} + dropped {}",
                c.produced, c.delivered, c.dropped
            ));
        }
        if self.ingested > c.delivered {
            return Err(format!(
                "the store took in {} records but only {} were delivered",
                self.ingested, c.delivered
            ));
        }
        if self.live_records + c.evicted != self.ingested {
            return Err(format!(
                "the store holds {} and evicted {} but took in {}",
                self.live_records, c.evicted, self.ingested
            ));
        }
        Ok(())
    }
}

/// `key=value` pairs, one line, for logs and scripts.
impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "uptime_s={:.1} produced={} delivered={} dropped={} ingested={} live={} evicted={} log_dropped={}",
            self.uptime.as_secs_f64(),
            c.produced,
            c.delivered,
            c.dropped,
            self.ingested,
            self.live_records,
            c.evicted,
            c.log_dropped
        )?;
        if let Some(h) = self.history {
            write!(f, " history={h}")?;
        }
        if let Some(rss) = self.rss_bytes {
            write!(f, " rss_kib={}", rss / 1024)?;
        }
        let t = &self.frames;
        write!(
            f,
            " frames={} frame_mean_us={} frame_max_us={} frames_over_50ms={} step_max_us={} steps_over_50ms={} identity={}",
            t.frames,
            t.mean().as_micros(),
            t.slowest.as_micros(),
            t.over_budget,
            self.steps.slowest.as_micros(),
            self.steps.over_budget,
            if self.check().is_ok() { "ok" } else { "BROKEN" }
        )?;
        if self.capture_done {
            f.write_str(" capture=done")?;
        }
        Ok(())
    }
}

/// Resident memory of this process (Linux: `VmRSS` in /proc/self/status).
pub fn resident_bytes() -> Option<u64> {
    status_kib("VmRSS:")
}

/// Peak resident memory of this process (Linux: `VmHWM`).
pub fn peak_resident_bytes() -> Option<u64> {
    status_kib("VmHWM:")
}

fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Health {
        Health {
            counts: Counts {
                produced: 100,
                delivered: 90,
                dropped: 10,
                evicted: 30,
                log_dropped: 0,
            },
            ingested: 80,
            live_records: 50,
            ..Health::default()
        }
    }

    #[test]
    fn frame_times_count_the_slow_ones() {
        let mut t = FrameTimes::default();
        for ms in [2, 10, 51, 49, 120] {
            t.record(Duration::from_millis(ms));
        }
        assert_eq!(t.frames, 5);
        assert_eq!(t.over_budget, 2);
        assert_eq!(t.slowest, Duration::from_millis(120));
        assert_eq!(t.mean(), Duration::from_micros(46_400));
    }

    #[test]
    fn each_broken_identity_is_named() {
        assert_eq!(sample().check(), Ok(()));
        let mut h = sample();
        h.counts.dropped = 9;
        assert!(h.check().unwrap_err().contains("produced 100"));
        let mut h = sample();
        h.ingested = 91;
        assert!(h.check().unwrap_err().contains("only 90 were delivered"));
        let mut h = sample();
        h.live_records = 49;
        assert!(h.check().unwrap_err().contains("holds 49"));
        assert!(h.to_string().ends_with("identity=BROKEN"), "{h}");
        h.capture_done = true;
        assert!(
            h.to_string().ends_with("identity=BROKEN capture=done"),
            "{h}"
        );
    }

    #[test]
    fn this_process_has_resident_memory() {
        let rss = resident_bytes().unwrap();
        assert!(rss > 1024 * 1024, "{rss}");
        assert!(peak_resident_bytes().unwrap() >= rss);
    }
}
