//! Which level (current numbering) and generation a `tasks[]` document is:
//! `"version"` meant three different things over time (spec §1.2).

use std::path::Path;

use crate::capture::formats::detect::{self, Family, Generation};
use crate::capture::formats::error::FormatError;
use crate::capture::formats::json::TopLevel;

use super::doc::Doc;

/// The effective level in current numbering (1..=4) and the generation.
pub fn level_and_generation(
    top: &TopLevel,
    doc: &Doc,
    path: &Path,
) -> Result<(u8, Generation), FormatError> {
    match detect::family(top) {
        Family::TasksKeyed(g) => {
            let (key, value) = match g {
                Generation::TasksE => ("l2_perf_level", &top.l2_perf_level),
                _ => ("l2_swimlane_level", &top.l2_swimlane_level),
            };
            Ok((detect::level_key(value.as_ref(), key, path)?, g))
        }
        Family::TasksVersioned => {
            let version = version_key(top.version.as_ref(), path)?;
            let content = doc.content_level();
            Ok(match version {
                0 => (1, Generation::LegacyAPrime),
                3 | 4 => (version, Generation::TasksD),
                // "version" 1|2: a seed-era schema version when the content
                // carries that version's data (v1 = AICPU lifecycle, v2 =
                // phases); otherwise T-D's level of the same number. A v1
                // file without tasks cannot show either: the seed-era
                // meaning (level 2) is the one that was written for years.
                v => {
                    let no_tasks = doc.tasks.as_ref().is_none_or(Vec::is_empty);
                    let seed_era = content >= if v == 1 { 2 } else { 3 } || (v == 1 && no_tasks);
                    let g = match (seed_era, doc.has_pop_counts()) {
                        (false, _) => Generation::TasksD,
                        (true, true) => Generation::LegacyBC,
                        (true, false) => Generation::LegacyA,
                    };
                    (if seed_era { content.max(v + 1) } else { v }, g)
                }
            })
        }
        Family::Transient => Ok((doc.content_level(), Generation::Transient)),
        Family::Raw(_) | Family::NotACapture => Err(FormatError::not_a_capture(
            path,
            "expected a \"tasks\" document (version, l2_perf_level or l2_swimlane_level)",
        )),
    }
}

fn version_key(value: Option<&serde_json::Value>, path: &Path) -> Result<u8, FormatError> {
    match value.and_then(serde_json::Value::as_u64) {
        Some(v @ 0..=4) => Ok(v as u8),
        _ => Err(FormatError::Unsupported {
            path: path.to_path_buf(),
            key: "version",
            value: detect::show(value),
            expected: "0, 1, 2, 3 or 4",
        }),
    }
}
