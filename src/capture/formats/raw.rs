//! The current raw schema `chip_swimlane_records.json` (R-H) and its
//! predecessor `l2_swimlane_records.json` (R-G): cycle tuples plus metadata,
//! joined by the reader (spec §5).

mod doc;
mod read;
mod rows;
mod write;

pub use read::{
    Commit, Streamed, parse, parse_with_progress, parse_with_stats, read, starts_like_raw, stream,
    stream_file,
};
pub use write::write;

/// When a capture's clock starts at 0 (a relative-time source such as the
/// simulator), its raw export is shifted by this many cycles so that no real
/// timestamp is written as 0, which means "not stamped". 2·10^9 cycles is the
/// spec examples' design zero.
pub const ORIGIN_CYCLES: u64 = 2_000_000_000;
