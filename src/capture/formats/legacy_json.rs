//! The `tasks[]` family in µs: the seed-era versioned swimlane JSON (L-A,
//! PR #500's L-A′, L-B/L-C, spec §3) and the transition files that followed
//! it (T-D, T-E, T-F and the transient commit, spec §4). One reader covers
//! them all, because they differ only in the level key and in which optional
//! keys are present; the writer produces L-A′ (PR #500 layout).

mod doc;
mod level;
mod read;
mod write;

pub use read::{generation, parse, parse_with_progress, parse_with_stats, read};
pub use write::write;

/// Legacy files carry times relative to their own first event. The reader
/// places that origin at 40 s (2·10^9 cycles at 50 MHz, the spec examples'
/// design zero) so every real timestamp is positive: 0 stays free to mean
/// "not stamped", and a raw export of a legacy capture needs no shift.
pub const ORIGIN_NS: u64 = 40_000_000_000;
