//! Files the runtime writes next to raw records and the converter picks up
//! on its own (spec §7.3, §8): the unique `name_map*.json` and `deps.json`.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::stats::ReadStats;
use super::{FormatError, ReadOptions, deps, name_map};
use crate::dfx::DfxFlags;
use crate::record::{Capture, DeviceInfo, SubmitRecord, TaskId, TaskRecord};
use crate::store::hash::IdMap;

/// The name map and deps.json a capture is read with: the ones the options
/// name, else the unique sibling `name_map*.json` and the sibling
/// `deps.json`. Explicitly named files must read; problems with discovered
/// ones become warnings.
pub struct Found {
    names: Option<(PathBuf, name_map::NameMap)>,
    deps: Option<deps::Deps>,
    /// The tasks deps.json says run kernels (some run on a core), kept
    /// when its submits are taken.
    kernel_tasks: Vec<TaskId>,
}

pub fn find(path: &Path, opts: &ReadOptions, stats: &mut ReadStats) -> Result<Found, FormatError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let names = match &opts.func_names {
        Some(p) => Some((p.clone(), name_map::read(p)?)),
        None => discover_names(path, &dir, stats),
    };
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
    let kernel_tasks = deps
        .iter()
        .flat_map(|d| &d.submits)
        .filter(|s| s.kernel_ids.iter().any(|&k| k >= 0))
        .map(|s| s.task_id)
        .collect();
    Ok(Found {
        names,
        deps,
        kernel_tasks,
    })
}

impl Found {
    /// Names (and the case name, if the capture has none) into `info`.
    pub fn apply_names(&mut self, info: &mut DeviceInfo) {
        let Some((file, map)) = self.names.take() else {
            return;
        };
        info.func_names.extend(map.func_names);
        if map.orchestrator_name.is_some() {
            info.orchestrator_name = map.orchestrator_name;
        }
        if info.case_name.is_none() {
            info.case_name = name_map::case_of(&file);
        }
    }

    /// What resolves the func ids a capture does not give (spec §7.3).
    pub fn funcs(&self) -> FuncResolver {
        FuncResolver(self.deps.as_ref().map(deps::Deps::kernel_ids))
    }

    /// deps.json's submit records (its graph), taken: for a capture that
    /// has none of its own.
    pub fn take_submits(&mut self) -> Vec<SubmitRecord> {
        self.deps
            .as_mut()
            .map(|d| std::mem::take(&mut d.submits))
            .unwrap_or_default()
    }

    /// Warns about kernel tasks deps.json knows but the capture does not
    /// hold (`has` says which it holds).
    pub fn warn_missing(&self, has: impl Fn(TaskId) -> bool, stats: &mut ReadStats) {
        // Lost to a buffer rotation, or a deps.json from another run: their
        // arrows have nothing to point at. Dependency-only tasks never run
        // on a core.
        let missing: Vec<TaskId> = self
            .kernel_tasks
            .iter()
            .copied()
            .filter(|&id| !has(id))
            .collect();
        if let Some(first) = missing.first() {
            stats.warnings.push(format!(
                "deps.json names {} task(s) the capture does not hold (first {first}): \
                 their arrows are not drawn; is deps.json from this run?",
                missing.len()
            ));
        }
    }
}

/// Kernel ids by task from deps.json, when there is one.
pub struct FuncResolver(Option<IdMap<TaskId, [i32; 3]>>);

impl FuncResolver {
    /// Fills `t.func_id` if the capture did not say and deps.json does.
    pub fn resolve(&self, t: &mut TaskRecord) {
        if t.func_id < 0
            && let Some(k) = self.0.as_ref().and_then(|m| m.get(&t.task_id))
        {
            t.func_id = deps::func_id_for(k, t.core_type);
        }
    }
}

/// Fills names and resolves unknown func ids (and the submit graph, when the
/// capture has none) from the files [`find`] picked.
pub fn apply_found(capture: &mut Capture, mut found: Found, stats: &mut ReadStats) {
    found.apply_names(&mut capture.info);
    let funcs = found.funcs();
    for t in &mut capture.tasks {
        funcs.resolve(t);
    }
    let have: HashSet<TaskId> = capture.tasks.iter().map(|t| t.task_id).collect();
    found.warn_missing(|id| have.contains(&id), stats);
    if capture.submits.is_empty() {
        capture.submits = found.take_submits();
    }
}

fn discover_names(
    path: &Path,
    dir: &Path,
    stats: &mut ReadStats,
) -> Option<(PathBuf, name_map::NameMap)> {
    let maps = name_maps(dir);
    match maps.as_slice() {
        [] => None,
        [one] => match name_map::read(one) {
            Ok(map) => Some((one.clone(), map)),
            Err(e) => {
                stats.warnings.push(format!("name map skipped: {e}"));
                None
            }
        },
        many => {
            stats.warnings.push(format!(
                "{} name maps next to {} ({}); none used (--func-names picks one)",
                many.len(),
                path.display(),
                many.iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            None
        }
    }
}

/// How many tasks a capture holds and under which func ids: what
/// [`notes_of`] needs, from a capture or from a store.
#[derive(Debug, Clone, Default)]
pub struct FuncCounts {
    pub tasks: usize,
    /// Tasks with no func id.
    pub unknown: usize,
    /// The func ids (≥ 0) tasks have.
    pub funcs: BTreeSet<i32>,
}

impl FuncCounts {
    pub fn add(&mut self, func_id: i32, n: usize) {
        self.tasks += n;
        if func_id < 0 {
            self.unknown += n;
        } else {
            self.funcs.insert(func_id);
        }
    }
}

/// What the capture lacks for full labels and arrows, and how to get it.
pub fn notes(capture: &Capture) -> Vec<String> {
    let mut counts = FuncCounts::default();
    for t in &capture.tasks {
        counts.add(t.func_id, 1);
    }
    let edges = !capture.fanout.is_empty() || !capture.submits.is_empty();
    notes_of(&counts, &capture.info, capture.flags, edges)
}

/// [`notes`] from the counts: `edges` says whether fanout or submit records
/// were read.
pub fn notes_of(
    counts: &FuncCounts,
    info: &DeviceInfo,
    flags: DfxFlags,
    edges: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if counts.tasks == 0 {
        out.push("the capture holds 0 tasks".to_string());
        return out;
    }
    if counts.unknown > 0 {
        out.push(format!(
            "{} task(s) without a function id are labelled task(rXtY): \
             deps.json resolves them (run with --enable-dep-gen, or pass --deps-json FILE)",
            counts.unknown
        ));
    }
    let unnamed: Vec<i32> = counts
        .funcs
        .iter()
        .copied()
        .filter(|f| !info.func_names.contains_key(f))
        .collect();
    if !unnamed.is_empty() {
        let list: Vec<String> = unnamed.iter().take(6).map(i32::to_string).collect();
        out.push(format!(
            "no name for func {}{} (labelled func_N_x): pass --func-names name_map_<case>.json",
            list.join(", "),
            if unnamed.len() > 6 { ", …" } else { "" }
        ));
    }
    if flags.task_lifecycle() && !edges {
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
