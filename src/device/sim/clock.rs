//! The device time base. The model runs in integer nanoseconds (fine enough
//! for 5 ns register writes to accumulate honestly); every time the device
//! *records* it reads the 50 MHz system counter, so every emitted timestamp
//! is a whole number of 20 ns ticks (spec §2.2).

use crate::record::Ns;

/// a2a3 system counter frequency (`PLATFORM_PROF_SYS_CNT_FREQ`).
pub const CLOCK_HZ: u64 = 50_000_000;
/// One counter tick.
pub const TICK_NS: Ns = 1_000_000_000 / CLOCK_HZ;
/// The counter is not zero at boot: real captures read ≈5.5·10^10 cycles
/// (spec §15). A fixed value keeps runs reproducible.
pub const BOOT_CYCLES: u64 = 55_012_345_000;
/// Device time when the first round starts.
pub const BOOT_NS: Ns = BOOT_CYCLES * TICK_NS;

/// What a counter read at model time `t` returns, in ns: the tick in progress.
/// Monotone, so every `a ≤ b` in the model stays `stamp(a) ≤ stamp(b)`.
pub fn stamp(t: Ns) -> Ns {
    t / TICK_NS * TICK_NS
}

/// Microseconds (as workloads and cost tables write them) to model ns.
pub fn us_to_ns(us: f64) -> Ns {
    if us.is_finite() && us > 0.0 {
        (us * 1000.0).round() as Ns
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_whole_ticks_and_monotone() {
        assert_eq!(TICK_NS, 20);
        assert_eq!(stamp(BOOT_NS + 39), BOOT_NS + 20);
        assert_eq!(stamp(BOOT_NS), BOOT_NS);
        assert_eq!(BOOT_NS % TICK_NS, 0);
        let mut last = 0;
        for t in (BOOT_NS..BOOT_NS + 200).step_by(7) {
            let s = stamp(t);
            assert_eq!(s % TICK_NS, 0);
            assert!(s <= t && s >= last);
            last = s;
        }
        assert_eq!(us_to_ns(1.5), 1500);
        assert_eq!(us_to_ns(-1.0), 0);
        assert_eq!(us_to_ns(f64::NAN), 0);
    }
}
