//! Human units for times, counts and rates (ns/µs/ms/s; k/M).

use crate::record::Ns;

/// `20 ns`, `1.62 µs`, `812.4 µs`, `12.31 ms`, `3.200 s`: three significant
/// digits or more, unit chosen by magnitude.
pub fn duration(ns: Ns) -> String {
    let v = ns as f64;
    if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 1_000_000 {
        format!("{} µs", sig3(v / 1e3))
    } else if ns < 1_000_000_000 {
        format!("{} ms", sig3(v / 1e6))
    } else {
        format!("{:.3} s", v / 1e9)
    }
}

/// Like [`duration`] for a float (means), keeping sub-ns out.
pub fn duration_f(ns: f64) -> String {
    if !ns.is_finite() || ns < 0.0 {
        return "-".to_string();
    }
    duration(ns.round() as Ns)
}

/// Microseconds with two decimals, as the upstream statistics table prints them.
pub fn micros(ns: f64) -> String {
    format!("{:.2}", ns / 1e3)
}

fn sig3(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.1}")
    } else if v >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// `999`, `12.3k`, `4.56M`, `7.89G`.
pub fn count(n: u64) -> String {
    let v = n as f64;
    if n < 10_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}k", v / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.2}M", v / 1e6)
    } else {
        format!("{:.2}G", v / 1e9)
    }
}

/// `812 B`, `1.5 KiB`, `23.4 MiB`.
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", v / 1024.0)
    } else if n < 1024 * 1024 * 1024 {
        format!("{:.1} MiB", v / (1024.0 * 1024.0))
    } else {
        format!("{:.2} GiB", v / (1024.0 * 1024.0 * 1024.0))
    }
}

/// Records (or tasks) per second.
pub fn rate(per_s: f64) -> String {
    if !per_s.is_finite() || per_s <= 0.0 {
        return "0/s".to_string();
    }
    format!("{}/s", count(per_s.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_readable_units() {
        assert_eq!(duration(20), "20 ns");
        assert_eq!(duration(1_620), "1.620 µs");
        assert_eq!(duration(812_400), "812.4 µs");
        assert_eq!(duration(12_310_000), "12.31 ms");
        assert_eq!(duration(3_200_000_000), "3.200 s");
        assert_eq!(duration_f(f64::NAN), "-");
    }

    #[test]
    fn counts_and_bytes() {
        assert_eq!(count(999), "999");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(4_560_000), "4.56M");
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(rate(0.0), "0/s");
        assert_eq!(rate(1234.4), "1234/s");
    }
}
