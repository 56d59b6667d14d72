//! Files the runtime writes next to raw records and the converter picks up
//! on its own (spec §7.3, §8): the unique `name_map*.json` and `deps.json`.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::stats::ReadStats;
use super::{FormatError, ReadOptions, deps, name_map};
use crate::record::{Capture, TaskId};

/// Fills names and resolves unknown func ids (and the submit graph, when the
/// capture has none) from the name map and deps.json the options name, else
/// from the unique sibling `name_map*.json` and the sibling `deps.json`.
/// Explicitly named files must read; problems with discovered ones become
/// warnings.
pub fn apply(
    capture: &mut Capture,
    path: &Path,
    opts: &ReadOptions,
    stats: &mut ReadStats,
) -> Result<(), FormatError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match &opts.func_names {
        Some(p) => use_names(capture, p, name_map::read(p)?),
        None => discover_names(capture, path, &dir, stats),
    }
    let read_deps = |p: &Path| {
        if opts.deps_graph_only {
            deps::read_graph(p, opts.progress.as_ref())
        } else {
            deps::read(p)
        }
    };
    let deps = match &opts.deps_json {
        Some(p) => Some(read_deps(p)?),
        None => {
            let p = dir.join("deps.json");
            if p == path || !p.is_file() {
                None
            } else {
                match read_deps(&p) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        stats.warnings.push(format!("deps.json skipped: {e}"));
                        None
                    }
                }
            }
        }
    };
    if let Some(d) = deps {
        use_deps(capture, d, stats);
    }
    Ok(())
}

fn use_names(capture: &mut Capture, file: &Path, map: name_map::NameMap) {
    capture.info.func_names.extend(map.func_names);
    if map.orchestrator_name.is_some() {
        capture.info.orchestrator_name = map.orchestrator_name;
    }
    if capture.info.case_name.is_none() {
        capture.info.case_name = name_map::case_of(file);
    }
}

fn discover_names(capture: &mut Capture, path: &Path, dir: &Path, stats: &mut ReadStats) {
    let maps = name_maps(dir);
    match maps.as_slice() {
        [] => {}
        [one] => match name_map::read(one) {
            Ok(map) => use_names(capture, one, map),
            Err(e) => stats.warnings.push(format!("name map skipped: {e}")),
        },
        many => stats.warnings.push(format!(
            "{} name maps next to {} ({}); none used (--func-names picks one)",
            many.len(),
            path.display(),
            many.iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn use_deps(capture: &mut Capture, d: deps::Deps, stats: &mut ReadStats) {
    let kernels = d.kernel_ids();
    for t in capture.tasks.iter_mut().filter(|t| t.func_id < 0) {
        if let Some(k) = kernels.get(&t.task_id) {
            t.func_id = deps::func_id_for(k, t.core_type);
        }
    }
    // Kernel tasks deps.json knows but the capture does not (lost to a
    // buffer rotation, or a deps.json from another run): their arrows have
    // nothing to point at. Dependency-only tasks never run on a core.
    let have: HashSet<TaskId> = capture.tasks.iter().map(|t| t.task_id).collect();
    let missing: Vec<TaskId> = d
        .submits
        .iter()
        .filter(|s| s.kernel_ids.iter().any(|&k| k >= 0) && !have.contains(&s.task_id))
        .map(|s| s.task_id)
        .collect();
    if let Some(first) = missing.first() {
        stats.warnings.push(format!(
            "deps.json names {} task(s) the capture does not hold (first {first}): \
             their arrows are not drawn; is deps.json from this run?",
            missing.len()
        ));
    }
    if capture.submits.is_empty() {
        capture.submits = d.submits;
    }
}

/// What the capture lacks for full labels and arrows, and how to get it.
pub fn notes(capture: &Capture) -> Vec<String> {
    let mut out = Vec::new();
    if capture.tasks.is_empty() {
        out.push("the capture holds 0 tasks".to_string());
        return out;
    }
    let unknown = capture.tasks.iter().filter(|t| t.func_id < 0).count();
    if unknown > 0 {
        out.push(format!(
            "{unknown} task(s) without a function id are labelled task(rXtY): \
             deps.json resolves them (run with --enable-dep-gen, or pass --deps-json FILE)"
        ));
    }
    let unnamed: BTreeSet<i32> = capture
        .tasks
        .iter()
        .map(|t| t.func_id)
        .filter(|&f| f >= 0 && !capture.info.func_names.contains_key(&f))
        .collect();
    if !unnamed.is_empty() {
        let list: Vec<String> = unnamed.iter().take(6).map(i32::to_string).collect();
        out.push(format!(
            "no name for func {}{} (labelled func_N_x): pass --func-names name_map_<case>.json",
            list.join(", "),
            if unnamed.len() > 6 { ", …" } else { "" }
        ));
    }
    if capture.flags.task_lifecycle() && capture.fanout.is_empty() && capture.submits.is_empty() {
        out.push(
            "no dependency arrows: current captures carry edges only in deps.json \
             (run with --enable-dep-gen, or pass --deps-json FILE)"
                .to_string(),
        );
    }
    out
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
