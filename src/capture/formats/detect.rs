//! Which generation wrote a file (spec §1.1), decided from content, never
//! from the file name (spec §1.2).

use std::fmt;
use std::path::Path;

use super::error::FormatError;
use super::json::{Scanned, TopLevel};
use super::legacy_json;

/// Every on-disk swimlane generation of the runtime (spec §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// `perf_swimlane_*.json` of main, `"version"` 1|2 = schema version.
    LegacyA,
    /// PR #500's proposal: `"version"` 0|1|2 = perf_level − 1.
    LegacyAPrime,
    /// `l2_perf_records*.json`, same body as L-A (told apart only by the
    /// `pop_hit`/`pop_miss` extras of its last weeks).
    LegacyBC,
    /// `"version"` 1–4 = level, tasks in µs.
    TasksD,
    /// `"l2_perf_level"` 1–4.
    TasksE,
    /// `"l2_swimlane_level"` with `tasks[]`.
    TasksF,
    /// `"l2_swimlane_level"` with raw cycle tuples.
    RawG,
    /// `"chip_swimlane_level"`: the current schema.
    RawH,
    /// Commit 49d74e859: `tasks[]` with no level key at all.
    Transient,
    /// The converter's Chrome/Perfetto trace (`merged_swimlane*.json`,
    /// spec §9), or swimtop's own.
    Perfetto,
    NotASwimlaneCapture,
}

impl Generation {
    /// The id the spec uses (`L-A′`, `R-H`, …).
    pub fn id(self) -> &'static str {
        match self {
            Generation::LegacyA => "L-A",
            Generation::LegacyAPrime => "L-A′",
            Generation::LegacyBC => "L-B/L-C",
            Generation::TasksD => "T-D",
            Generation::TasksE => "T-E",
            Generation::TasksF => "T-F",
            Generation::RawG => "R-G",
            Generation::RawH => "R-H",
            Generation::Transient => "transient",
            Generation::Perfetto => "Perfetto",
            Generation::NotASwimlaneCapture => "not a swimlane capture",
        }
    }

    /// Raw cycle tuples plus metadata (`chip_swimlane_records.json` family).
    pub fn is_raw(self) -> bool {
        matches!(self, Generation::RawG | Generation::RawH)
    }

    /// A `tasks[]` document in µs.
    pub fn is_tasks(self) -> bool {
        !self.is_raw() && !matches!(self, Generation::Perfetto | Generation::NotASwimlaneCapture)
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What the top-level keys alone say (the first branch of spec §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// R-G or R-H.
    Raw(Generation),
    /// T-E, T-F: the level key is authoritative.
    TasksKeyed(Generation),
    /// `"version"` + `tasks`: needs the content to settle the generation.
    TasksVersioned,
    /// `tasks` alone.
    Transient,
    NotACapture,
}

pub fn family(top: &TopLevel) -> Family {
    if top.has("chip_swimlane_level") {
        Family::Raw(Generation::RawH)
    } else if top.has("l2_swimlane_level") {
        if top.has("aicore_tasks") {
            Family::Raw(Generation::RawG)
        } else {
            Family::TasksKeyed(Generation::TasksF)
        }
    } else if top.has("l2_perf_level") {
        Family::TasksKeyed(Generation::TasksE)
    } else if top.has("version") && top.has("tasks") {
        Family::TasksVersioned
    } else if top.has("tasks") && !is_deps_json(top) {
        Family::Transient
    } else {
        Family::NotACapture
    }
}

/// deps.json also has a top-level `tasks` array; its `edges`/`tensors`
/// keys (and no level key) tell it apart from the transient generation.
fn is_deps_json(top: &TopLevel) -> bool {
    top.has("edges") || top.has("tensors")
}

/// A Chrome/Perfetto trace object: `traceEvents` and none of the capture
/// keys (its array form is told by [`super::perfetto::is_array_trace`]).
pub fn is_trace(top: &TopLevel) -> bool {
    top.has("traceEvents") && family(top) == Family::NotACapture
}

/// Why a document with these keys is not a capture (one line).
pub fn why_not(top: &TopLevel) -> String {
    if top.has("tasks") && is_deps_json(top) {
        return "this is a deps.json (dependency graph): open the swimlane records beside it"
            .to_string();
    }
    if top.has("traceEvents") {
        return "this is a Perfetto/Chrome trace (converter output), not the records it was made from"
            .to_string();
    }
    if top.has("callable_id_to_name") {
        return "this is a name map".to_string();
    }
    let mut keys: Vec<&str> = top.keys.iter().map(String::as_str).take(8).collect();
    if top.keys.len() > keys.len() {
        keys.push("…");
    }
    format!(
        "expected chip_swimlane_level, l2_swimlane_level, l2_perf_level, version or tasks at the top level, found [{}]",
        keys.join(", ")
    )
}

/// Parses just enough of `bytes` to list the top-level keys.
pub fn scan(bytes: &[u8], path: &Path) -> Result<TopLevel, FormatError> {
    match serde_json::from_slice::<Scanned>(bytes) {
        Ok(Scanned::Object(top)) => Ok(top),
        Ok(Scanned::NotAnObject(kind)) => Err(FormatError::not_a_capture(
            path,
            format!("expected a JSON object at the top level, found {kind}"),
        )),
        Err(e) => Err(FormatError::from_json(path, bytes, &e)),
    }
}

/// Spec §1.2 on a whole document. A `"version"` 1|2 file is parsed in full,
/// because only its content tells the seed-era schema from T-D.
pub fn detect(bytes: &[u8], path: &Path) -> Result<Generation, FormatError> {
    if super::perfetto::is_array_trace(bytes) {
        return Ok(Generation::Perfetto);
    }
    let top = match scan(bytes, path) {
        Ok(top) => top,
        Err(FormatError::NotACapture { .. }) => return Ok(Generation::NotASwimlaneCapture),
        Err(e) => return Err(e),
    };
    Ok(match family(&top) {
        Family::Raw(g) | Family::TasksKeyed(g) => g,
        Family::Transient => Generation::Transient,
        Family::NotACapture if is_trace(&top) => Generation::Perfetto,
        Family::NotACapture => Generation::NotASwimlaneCapture,
        Family::TasksVersioned => legacy_json::generation(bytes, path, &top)?,
    })
}

/// A level key's value (current numbering), 1..=4.
pub fn level_key(
    value: Option<&serde_json::Value>,
    key: &'static str,
    path: &Path,
) -> Result<u8, FormatError> {
    match value.and_then(serde_json::Value::as_u64) {
        Some(v @ 1..=4) => Ok(v as u8),
        _ => Err(FormatError::Unsupported {
            path: path.to_path_buf(),
            key,
            value: show(value),
            expected: "a level 1, 2, 3 or 4",
        }),
    }
}

/// A key's value as it appeared, for error messages.
pub(crate) fn show(value: Option<&serde_json::Value>) -> String {
    const MAX: usize = 60;
    let text = value.map_or_else(|| "(missing)".to_string(), |v| v.to_string());
    // A whole object or a long string pasted into a one-line error helps
    // nobody: its start says what it was.
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// [`detect`] on a file.
pub fn detect_file(path: &Path) -> Result<Generation, FormatError> {
    let bytes = std::fs::read(path).map_err(|source| FormatError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    detect(&bytes, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_of(text: &str) -> Generation {
        detect(text.as_bytes(), Path::new("t.json")).unwrap()
    }

    #[test]
    fn keys_pick_the_family() {
        assert_eq!(
            gen_of(r#"{"chip_swimlane_level": 2, "aicore_tasks": []}"#),
            Generation::RawH
        );
        assert_eq!(
            gen_of(r#"{"l2_swimlane_level": 2, "aicore_tasks": []}"#),
            Generation::RawG
        );
        assert_eq!(
            gen_of(r#"{"l2_swimlane_level": 2, "tasks": []}"#),
            Generation::TasksF
        );
        assert_eq!(
            gen_of(r#"{"l2_perf_level": 3, "tasks": []}"#),
            Generation::TasksE
        );
        assert_eq!(gen_of(r#"{"tasks": []}"#), Generation::Transient);
        assert_eq!(gen_of(r#"{"traceEvents": []}"#), Generation::Perfetto);
        assert_eq!(gen_of(r#"[{"ph": "X"}]"#), Generation::Perfetto);
        assert_eq!(
            gen_of(r#"{"tasks": [], "tensors": [], "edges": []}"#),
            Generation::NotASwimlaneCapture
        );
        assert_eq!(gen_of("[1]"), Generation::NotASwimlaneCapture);
    }

    #[test]
    fn version_needs_content() {
        assert_eq!(
            gen_of(r#"{"version": 0, "tasks": []}"#),
            Generation::LegacyAPrime
        );
        assert_eq!(gen_of(r#"{"version": 4, "tasks": []}"#), Generation::TasksD);
        // version 1 with level-1 content is T-D; with finish stamps (or no
        // tasks to say otherwise) it is seed-era.
        let td1 = r#"{"version": 1, "tasks": [{"task_id": 0, "func_id": 0, "core_id": 0,
            "core_type": "aic", "start_time_us": 1.0, "end_time_us": 2.0,
            "dispatch_time_us": 0.0, "finish_time_us": 0.0, "fanout": []}]}"#;
        assert_eq!(gen_of(td1), Generation::TasksD);
        assert_eq!(
            gen_of(r#"{"version": 1, "tasks": []}"#),
            Generation::LegacyA
        );
        assert_eq!(gen_of(r#"{"version": 2, "tasks": []}"#), Generation::TasksD);
        let v1 = r#"{"version": 1, "tasks": [{"task_id": 0, "func_id": 0, "core_id": 0,
            "core_type": "aic", "start_time_us": 1.0, "end_time_us": 2.0, "duration_us": 1.0,
            "dispatch_time_us": 0.5, "finish_time_us": 2.5, "fanout": [], "fanout_count": 0}]}"#;
        assert_eq!(gen_of(v1), Generation::LegacyA);
        let e = detect(br#"{"version": 9, "tasks": []}"#, Path::new("v.json")).unwrap_err();
        assert!(e.to_string().contains("version 9 is not supported"), "{e}");
    }
}
