//! Files the runtime writes next to raw records and the converter picks up
//! on its own (spec §7.3, §8): the unique `name_map*.json` and `deps.json`.

use std::fs;
use std::path::{Path, PathBuf};

use super::stats::ReadStats;
use super::{deps, name_map};
use crate::record::Capture;

/// Fills names from a unique sibling name map and resolves unknown func ids
/// (and the submit graph, when the capture has none) from a sibling
/// deps.json. Problems with these optional files become warnings.
pub fn apply(capture: &mut Capture, path: &Path, stats: &mut ReadStats) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let maps = name_maps(&dir);
    match maps.as_slice() {
        [] => {}
        [one] => match name_map::read(one) {
            Ok(map) => {
                capture.info.func_names.extend(map.func_names);
                if map.orchestrator_name.is_some() {
                    capture.info.orchestrator_name = map.orchestrator_name;
                }
                if capture.info.case_name.is_none() {
                    capture.info.case_name = name_map::case_of(one);
                }
            }
            Err(e) => stats.warnings.push(format!("name map skipped: {e}")),
        },
        many => stats.warnings.push(format!(
            "{} name maps next to {} ({}); none used",
            many.len(),
            path.display(),
            many.iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }

    let deps_path = dir.join("deps.json");
    if deps_path == path || !deps_path.is_file() {
        return;
    }
    match deps::read(&deps_path) {
        Ok(d) => {
            let kernels = d.kernel_ids();
            for t in capture.tasks.iter_mut().filter(|t| t.func_id < 0) {
                if let Some(k) = kernels.get(&t.task_id) {
                    t.func_id = deps::func_id_for(k, t.core_type);
                }
            }
            if capture.submits.is_empty() {
                capture.submits = d.submits;
            }
        }
        Err(e) => stats.warnings.push(format!("deps.json skipped: {e}")),
    }
}

/// `name_map*.json` files in `dir`, sorted.
fn name_maps(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("name_map") && n.ends_with(".json"))
        })
        .collect();
    out.sort();
    out
}
