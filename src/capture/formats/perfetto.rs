//! Chrome-trace / Perfetto JSON (`merged_swimlane.json`, spec §9): the
//! layout the runtime's converter writes, produced from a [`Capture`] and
//! read back from the converter's files (current and legacy layouts) or
//! from swimtop's own.
//!
//! Times in a trace are µs relative to an origin. The writer prints them as
//! exact decimals computed from integer ns; the reader turns them back into
//! ns and places the origin at the time base recorded in `otherData` (files
//! swimtop wrote) or at [`legacy_json::ORIGIN_NS`](super::legacy_json::ORIGIN_NS)
//! (the converter's files, which do not say where their origin was).
//!
//! [`Capture`]: crate::record::Capture

mod completes;
mod doc;
mod edges;
mod groups;
mod hash;
mod label;
mod layout;
mod lenient;
mod num;
mod other;
mod plan;
mod read;
mod read_edges;
mod read_info;
mod read_phases;
mod read_tasks;
mod write;
mod write_completions;
mod write_flows;
mod write_phases;
mod write_tasks;

pub use label::{func_label, task_label};
pub use plan::time_base;
pub use read::{parse, parse_with_stats, read};
pub use write::write;

/// Whether `bytes` is a JSON array whose first element is an object: the
/// Chrome trace "array format" (an object with `traceEvents` is told apart
/// by its keys, see `detect`).
pub fn is_array_trace(bytes: &[u8]) -> bool {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skip_ws = |r: &mut &[u8]| {
        while let [b' ' | b'\t' | b'\n' | b'\r', tail @ ..] = *r {
            *r = tail;
        }
    };
    skip_ws(&mut rest);
    let Some(tail) = rest.strip_prefix(b"[") else {
        return false;
    };
    rest = tail;
    skip_ws(&mut rest);
    matches!(rest.first(), Some(b'{'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_traces_start_with_an_object() {
        assert!(is_array_trace(b" [ {\"ph\": \"X\"}]"));
        assert!(is_array_trace(b"\xEF\xBB\xBF[{"));
        assert!(!is_array_trace(b"[1]"));
        assert!(!is_array_trace(b"[]"));
        assert!(!is_array_trace(b"{\"traceEvents\": []}"));
        assert!(!is_array_trace(b""));
    }
}
