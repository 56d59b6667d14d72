//! Reads R-G / R-H raw files and performs the AICore ↔ AICPU join exactly as
//! spec §5.4 describes the upstream reader.
//!
//! The document is streamed: the task rows are parsed straight into columns
//! and never exist as JSON values, the rest (metadata, phases, host records)
//! goes through serde one key at a time. Joined tasks are handed to a
//! [`TaskSink`] in the order the spec fixes (by task id, ties in AICPU-row
//! order), so a trace store can take them without a task list in between.

use std::io::Read;
use std::path::Path;

use crate::capture::formats::detect::{self, Generation};
use crate::capture::formats::error::FormatError;
use crate::capture::formats::info;
use crate::capture::formats::json::{Int, cycles_to_ns};
use crate::capture::formats::progress::Progress;
use crate::capture::formats::stats::ReadStats;
use crate::capture::formats::stream::Stream;
use crate::dfx::Level;
use crate::record::{
    Capture, CoreType, DeviceInfo, HOST_ORCH_LANE, MAX_CORES, Ns, OrchPhase, OrchPhaseRecord,
    SchedPhase, SchedPhaseRecord, TaskId, TaskRecord, TaskSink,
};

use super::doc::{HostRow, Metadata, OrchRow, SchedRow, UploadRow};
use super::rows::{self, CoreRows, CpuRows, JoinIndex};

pub fn read(path: &Path) -> Result<Capture, FormatError> {
    parse(&FormatError::read_file(path)?, path)
}

pub fn parse(bytes: &[u8], path: &Path) -> Result<Capture, FormatError> {
    parse_with_stats(bytes, path).map(|(c, _)| c)
}

pub fn parse_with_stats(bytes: &[u8], path: &Path) -> Result<(Capture, ReadStats), FormatError> {
    parse_with_progress(bytes, path, None)
}

/// [`parse_with_stats`] reporting how far the parse got.
pub fn parse_with_progress(
    bytes: &[u8],
    path: &Path,
    progress: Option<&Progress>,
) -> Result<(Capture, ReadStats), FormatError> {
    let mut tasks = Vec::new();
    let total = bytes.len() as u64;
    match stream(bytes, path, progress, total, &mut tasks, Commit::Raw)? {
        Streamed::Read(mut capture, stats) => {
            capture.tasks = tasks;
            Ok((*capture, stats))
        }
        Streamed::NotRaw => Err(FormatError::not_a_capture(
            path,
            "expected a raw capture (chip_swimlane_level, or l2_swimlane_level with aicore_tasks)",
        )),
    }
}

/// What [`stream`] found.
#[derive(Debug)]
pub enum Streamed {
    /// A raw capture; its tasks went to the sink (`tasks` is empty).
    Read(Box<Capture>, ReadStats),
    /// Not a raw capture (another generation, or not a capture at all):
    /// nothing went to the sink.
    NotRaw,
}

/// Whether the caller already knows the document is a raw capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Detection said so: every problem is an error of this file.
    Raw,
    /// Trying: a document that turns out not to be raw (before anything
    /// raw was seen, even a broken one) is [`Streamed::NotRaw`], for the
    /// general reader to say what it is.
    Sniff,
}

/// Reads a raw capture from `src`, giving its tasks to `sink`.
pub fn stream<R: Read>(
    src: R,
    path: &Path,
    progress: Option<&Progress>,
    total: u64,
    sink: &mut dyn TaskSink,
    commit: Commit,
) -> Result<Streamed, FormatError> {
    let mut s = Stream::new(src, path, progress, total);
    let mut parts = Parts::default();
    match walk(&mut s, &mut parts, commit) {
        Ok(()) => {}
        Err(_) if commit == Commit::Sniff && !parts.looks_raw() => return Ok(Streamed::NotRaw),
        Err(e) => return Err(e),
    }
    let Some((generation, key, value)) = parts.family() else {
        return match commit {
            Commit::Sniff => Ok(Streamed::NotRaw),
            Commit::Raw => Err(FormatError::not_a_capture(
                path,
                "expected a raw capture (chip_swimlane_level, or l2_swimlane_level with aicore_tasks)",
            )),
        };
    };
    let level = detect::level_key(value.as_ref(), key, path)?;
    let mut stats = ReadStats {
        generation: Some(generation),
        ..ReadStats::default()
    };
    let capture = build(parts, level, path, &mut stats, sink)?;
    Ok(Streamed::Read(Box::new(capture), stats))
}

/// A raw capture file read through a buffer (the file is never held whole).
pub fn stream_file(
    path: &Path,
    progress: Option<&Progress>,
    sink: &mut dyn TaskSink,
) -> Result<Streamed, FormatError> {
    let read_err = |source| FormatError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    stream(file, path, progress, total, sink, Commit::Sniff)
}

/// A cheap look at a file's first key: true when it is one a raw capture
/// starts with (the writers put the level key first, some tools
/// `metadata`). Says whether [`stream_file`] is worth trying first.
pub fn starts_like_raw(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut s = Stream::new(file, path, None, 0);
    if s.expect(b'{', "{").is_err() {
        return false;
    }
    matches!(
        s.key().as_deref(),
        Ok("chip_swimlane_level"
            | "l2_swimlane_level"
            | "metadata"
            | "aicore_tasks"
            | "aicpu_tasks")
    )
}

/// The top-level keys, as read.
#[derive(Default)]
struct Parts {
    chip_level: Option<Option<serde_json::Value>>,
    l2_level: Option<Option<serde_json::Value>>,
    metadata: Option<Option<Metadata>>,
    core: Option<CoreRows>,
    cpu: Option<CpuRows>,
    sched: Option<Option<Vec<Vec<SchedRow>>>>,
    orch: Option<Option<Vec<Vec<OrchRow>>>>,
    /// host_build_graph: submits timed on the host clock (ns).
    host: Option<Option<Vec<Vec<HostRow>>>>,
    /// host_build_graph: host → device uploads (host ns).
    uploads: Option<Option<Vec<UploadRow>>>,
}

impl Parts {
    /// Something only a raw capture has was seen.
    fn looks_raw(&self) -> bool {
        self.chip_level.is_some() || self.core.is_some()
    }

    /// The generation and its level key, as spec §1.2 decides it.
    fn family(&self) -> Option<(Generation, &'static str, Option<serde_json::Value>)> {
        if let Some(v) = &self.chip_level {
            Some((Generation::RawH, "chip_swimlane_level", v.clone()))
        } else if let (Some(v), Some(_)) = (&self.l2_level, &self.core) {
            Some((Generation::RawG, "l2_swimlane_level", v.clone()))
        } else {
            None
        }
    }
}

/// Reads the top-level object into `parts`. Sniffing, a key only another
/// family has (`tasks`, `traceEvents`, …) ends the walk early.
fn walk<R: Read>(
    s: &mut Stream<'_, R>,
    parts: &mut Parts,
    commit: Commit,
) -> Result<(), FormatError> {
    let path = s.path();
    s.expect(b'{', "'{' (a raw capture is a JSON object)")?;
    if !s.empty(b'}')? {
        loop {
            let key = s.key()?;
            fn once<T>(
                slot: &mut Option<T>,
                key: &str,
                path: &Path,
                read: impl FnOnce() -> Result<T, FormatError>,
            ) -> Result<(), FormatError> {
                if slot.is_some() {
                    return Err(FormatError::key(path, key, "appears twice"));
                }
                *slot = Some(read()?);
                Ok(())
            }
            match key.as_str() {
                "chip_swimlane_level" => once(&mut parts.chip_level, &key, path, || s.value())?,
                "l2_swimlane_level" => once(&mut parts.l2_level, &key, path, || s.value())?,
                "metadata" => once(&mut parts.metadata, &key, path, || s.value())?,
                "aicore_tasks" => once(&mut parts.core, &key, path, || rows::read_core(s))?,
                "aicpu_tasks" => once(&mut parts.cpu, &key, path, || rows::read_cpu(s))?,
                "aicpu_scheduler_phases" => once(&mut parts.sched, &key, path, || s.lists())?,
                "aicpu_orchestrator_phases" => once(&mut parts.orch, &key, path, || s.lists())?,
                "host_orchestrator_phases" => once(&mut parts.host, &key, path, || s.lists())?,
                "host_device_uploads" => once(&mut parts.uploads, &key, path, || s.value())?,
                other => {
                    if commit == Commit::Sniff
                        && matches!(other, "tasks" | "version" | "l2_perf_level" | "traceEvents")
                        && !parts.looks_raw()
                    {
                        // Another family: let the general reader have it.
                        return Err(s.error("not a raw capture"));
                    }
                    s.skip_value()?;
                }
            }
            if !s.more(b'}', "',' or '}' after a value")? {
                break;
            }
        }
    }
    s.finish()
}

fn build(
    parts: Parts,
    level: u8,
    path: &Path,
    stats: &mut ReadStats,
    sink: &mut dyn TaskSink,
) -> Result<Capture, FormatError> {
    let meta = parts.metadata.flatten().ok_or_else(|| {
        FormatError::key(path, "metadata", "expected an object with clock_freq_hz")
    })?;
    let clock = meta
        .clock_freq_hz
        .map(|c| c.0)
        .filter(|c| *c > 0)
        .ok_or_else(|| {
            FormatError::key(
                path,
                "metadata.clock_freq_hz",
                "expected a positive integer",
            )
        })?;
    let core_rows = parts.core.unwrap_or_default();
    let cpu_rows = parts.cpu.unwrap_or_default();
    let sched = parts.sched.flatten().unwrap_or_default();
    let orch = parts.orch.flatten().unwrap_or_default();
    let mut info = device_info(&sched, &meta, path, core_rows.cores_used())?;
    info.clock_hz = clock;
    let ns = |c: u64| cycles_to_ns(c, clock);

    let flags = Level::from_chip_swimlane_level(u64::from(level))
        .map_err(|e| FormatError::key(path, "level", e.to_string()))?
        .flags();
    let mut capture = Capture::new(info, flags);
    capture.runtime_level = Some(level);

    let device_start = emit_tasks(
        &core_rows,
        cpu_rows,
        level,
        &capture.info.core_types,
        clock,
        stats,
        sink,
    );
    drop(core_rows);

    // Each list is freed as it is converted (level 3: millions of rows).
    for (t, list) in sched.into_iter().enumerate() {
        for r in list {
            let (start, end) = (cyc(r.start_cycles), cyc(r.end_cycles));
            if end < start {
                stats.dropped_rows += 1;
                continue;
            }
            let pops = (r.pop_hit.is_some() || r.pop_miss.is_some())
                .then(|| (clamp_u32(r.pop_hit), clamp_u32(r.pop_miss)));
            capture.sched_phases.push(SchedPhaseRecord {
                round: 0,
                thread: info::thread_index(t),
                kind: SchedPhase::from_name(r.kind.as_deref().unwrap_or("unknown")),
                start_ns: ns(start),
                end_ns: ns(end),
                loop_iter: clamp_u32(r.loop_iter),
                tasks_processed: clamp_u32(r.tasks_processed),
                pops,
                shared_at_start: info::depths(r.shared_at_start.as_ref()),
                shared_at_end: info::depths(r.shared_at_end.as_ref()),
                task_id: task_id_opt(r.task_id),
            });
        }
    }
    for (t, list) in orch.into_iter().enumerate() {
        for r in list {
            let (start, end) = (cyc(r.start_cycles), cyc(r.end_cycles));
            if end < start {
                stats.dropped_rows += 1;
                continue;
            }
            capture.orch_phases.push(OrchPhaseRecord {
                round: 0,
                thread: info::thread_index(t),
                kind: OrchPhase::Submit,
                start_ns: ns(start),
                end_ns: ns(end),
                submit_idx: clamp_u32(r.submit_idx),
                task_id: task_id_opt(r.task_id),
            });
        }
    }
    let device_start = capture
        .sched_phases
        .iter()
        .map(|p| p.start_ns)
        .chain(device_start)
        .min();
    host_records(
        parts.host.flatten().unwrap_or_default(),
        parts.uploads.flatten().unwrap_or_default(),
        device_start,
        &mut capture,
        stats,
    );
    Ok(capture)
}

/// Joins the rows and gives the tasks to `sink` sorted by task id (stable:
/// ties keep AICPU-row order), the order spec §5.4 fixes. Returns the
/// earliest receive/start/dispatch (where the device's record begins).
fn emit_tasks(
    core: &CoreRows,
    cpu: CpuRows,
    level: u8,
    types: &[CoreType],
    clock: u64,
    stats: &mut ReadStats,
    sink: &mut dyn TaskSink,
) -> Option<Ns> {
    // a2a3's 50 MHz divides 10^9: then a cycle is a whole number of ns and
    // the 128-bit division of the general conversion is not needed.
    let per_cycle = (1_000_000_000 % clock == 0).then(|| 1_000_000_000 / clock);
    let ns = |c: u64| {
        per_cycle
            .and_then(|p| c.checked_mul(p))
            .unwrap_or_else(|| cycles_to_ns(c, clock))
    };
    let stamp = |c: u64| (c != 0).then(|| ns(c));
    // device_info covers every core a row names; `aiv` is upstream's default.
    let core_type = |core: u32| types.get(core as usize).copied().unwrap_or(CoreType::Aiv);
    // (task id, AICore row, AICPU row) of every task kept, then sorted.
    let mut order: Vec<(u64, u32, u32)> = Vec::new();
    let keep = |j: usize| core.end[j] >= core.start[j];
    if cpu.len() > 0 {
        let index = JoinIndex::new(core);
        order.reserve(cpu.len());
        for i in 0..cpu.len() {
            match index.get(cpu.core[i], cpu.reg[i]) {
                Some(j) if keep(j) => order.push((core.token[j], j as u32, i as u32)),
                Some(_) => stats.dropped_rows += 1,
                None => stats.unmatched_aicpu_rows += 1,
            }
        }
    } else if level == 1 {
        order.reserve(core.len());
        for j in 0..core.len() {
            if keep(j) {
                order.push((core.token[j], j as u32, j as u32));
            } else {
                stats.dropped_rows += 1;
            }
        }
    }
    // Only the stamps are needed from here: the join columns can go.
    let joined = cpu.len() > 0;
    let CpuRows {
        dispatch, finish, ..
    } = cpu;
    // Unique third fields make the unstable sort stable by (id, row).
    order.sort_unstable();
    let mut per_core = vec![0u32; core.cores_used()];
    for &(_, j, _) in &order {
        per_core[core.core[j as usize] as usize] += 1;
    }
    sink.begin(&per_core);
    let mut first: Option<Ns> = None;
    for (token, j, i) in order {
        let (j, i) = (j as usize, i as usize);
        let (dispatch, finish) = if joined {
            (stamp(dispatch[i]), stamp(finish[i]))
        } else {
            (None, None)
        };
        let start = core.start[j];
        let t = TaskRecord {
            round: 0,
            task_id: TaskId(token),
            func_id: -1,
            core_id: core.core[j],
            core_type: core_type(core.core[j]),
            reg_task_id: core.reg[j],
            receive_ns: core.has_r2s[j].then(|| ns(start.saturating_sub(core.r2s[j]))),
            start_ns: ns(start),
            end_ns: ns(core.end[j]),
            dispatch_ns: dispatch,
            finish_ns: finish,
        };
        let lo = t
            .receive_ns
            .unwrap_or(t.start_ns)
            .min(t.dispatch_ns.unwrap_or(u64::MAX));
        first = Some(first.map_or(lo, |f| f.min(lo)));
        sink.task(t);
    }
    first
}

/// host_build_graph: the host's submits and uploads on their own lanes.
/// They are timed on the host clock; without a calibrated anchor (not read
/// here) the converter's fail-soft layout is used: the host block ends where
/// the device's first record starts, its own spacing kept, since host
/// orchestration precedes the device. Said as a warning so nobody reads a
/// cross-domain gap off the screen.
fn host_records(
    host: Vec<Vec<HostRow>>,
    uploads: Vec<UploadRow>,
    device_start: Option<Ns>,
    capture: &mut Capture,
    stats: &mut ReadStats,
) {
    let mut rows: Vec<(u16, OrchPhase, u64, u64, u32, Option<TaskId>)> = Vec::new();
    for (i, list) in host.iter().enumerate() {
        let lane =
            HOST_ORCH_LANE.saturating_add(u16::try_from(i).unwrap_or(u16::MAX - HOST_ORCH_LANE));
        for r in list {
            rows.push((
                lane,
                OrchPhase::Submit,
                cyc(r.start_host_ns),
                cyc(r.end_host_ns),
                clamp_u32(r.submit_idx),
                task_id_opt(r.task_id),
            ));
        }
    }
    for r in &uploads {
        let name = format!("host_{}", r.phase.as_deref().unwrap_or("upload"));
        rows.push((
            HOST_ORCH_LANE,
            OrchPhase::Other(name.into()),
            cyc(r.start_host_ns),
            cyc(r.end_host_ns),
            0,
            None,
        ));
    }
    rows.retain(|r| {
        let ok = r.3 >= r.2;
        if !ok {
            stats.dropped_rows += 1;
        }
        ok
    });
    let Some(host_end) = rows.iter().map(|r| r.3).max() else {
        return;
    };
    let device_start = device_start.unwrap_or(host_end);
    for (thread, kind, start, end, submit_idx, task_id) in rows {
        let place = |h: u64| device_start.saturating_sub(host_end - h);
        capture.orch_phases.push(OrchPhaseRecord {
            round: 0,
            thread,
            kind,
            start_ns: place(start),
            end_ns: place(end),
            submit_idx,
            task_id,
        });
    }
    stats.warnings.push(
        "host orchestration records are on the host clock: shown on Host lanes ending where \
         the device starts (no calibrated clock anchor is applied)"
            .to_string(),
    );
}

fn cyc(v: Option<Int>) -> u64 {
    v.map_or(0, |x| x.0)
}

fn clamp_u32(v: Option<Int>) -> u32 {
    v.map_or(0, |x| u32::try_from(x.0).unwrap_or(u32::MAX))
}

/// −1 (or its u64 reinterpretation) means "no task".
fn task_id_opt(v: Option<Int>) -> Option<TaskId> {
    v.filter(|t| t.0 != u64::MAX).map(|t| TaskId(t.0))
}

fn device_info(
    sched: &[Vec<SchedRow>],
    meta: &Metadata,
    path: &Path,
    used: usize,
) -> Result<DeviceInfo, FormatError> {
    let mut di = info::empty(path);
    let mut types = Vec::new();
    for (i, s) in meta.core_types.iter().flatten().enumerate() {
        types.push(CoreType::parse(s).ok_or_else(|| {
            FormatError::key(
                path,
                &format!("metadata.core_types[{i}]"),
                "expected \"aic\" or \"aiv\"",
            )
        })?);
    }
    let declared = match meta.num_cores {
        None => types.len(),
        Some(n) => n.to_core().map(|n| n as usize).ok_or_else(|| {
            FormatError::key(
                path,
                "metadata.num_cores",
                format!("expected a core count below {MAX_CORES}, found {}", n.0),
            )
        })?,
    };
    types.resize(declared.max(types.len()).max(used), CoreType::Aiv);
    di.core_types = types;
    di.core_to_thread = info::core_to_thread(
        meta.core_to_thread.as_ref(),
        path,
        "metadata.core_to_thread",
    )?;
    // The file has one list per AICPU thread the platform allows (a2a3: 4).
    let lists = sched.len();
    // Schedulers: the lists that hold records, or the threads cores map to.
    let by_lists = sched
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let by_map = di
        .core_to_thread
        .iter()
        .copied()
        .max()
        .map_or(0, |m| (m + 1).max(0) as usize); // m < MAX_AICPU_THREADS
    let sched = by_lists.max(by_map);
    di.aicpu_threads = info::thread_index(4usize.max(sched + 1).max(lists));
    di.sched_threads = if sched == 0 {
        di.aicpu_threads - 1
    } else {
        info::thread_index(sched)
    };
    Ok(di)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<(Capture, ReadStats), FormatError> {
        parse_with_stats(text.as_bytes(), Path::new("r.json"))
    }

    #[test]
    fn join_drops_unmatched_aicpu_rows_and_later_duplicates_win() {
        let text = r#"{"chip_swimlane_level": 2,
          "metadata": {"clock_freq_hz": 50000000, "num_cores": 2, "core_types": ["aic", "aiv"]},
          "aicore_tasks": [[0, 5, 1, 100, 200], [0, 6, 1, 300, 400], [1, 7, 1, 100, 150]],
          "aicpu_tasks": [[0, 1, 90, 410], [1, 2, 95, 160]]}"#;
        let (c, s) = read_str(text).unwrap();
        assert_eq!(c.tasks.len(), 1);
        assert_eq!(c.tasks[0].task_id, TaskId(6));
        assert_eq!(c.tasks[0].receive_ns, None);
        assert_eq!(c.tasks[0].dispatch_ns, Some(1800));
        assert_eq!(s.unmatched_aicpu_rows, 1);
    }

    #[test]
    fn level_two_without_aicpu_rows_has_no_tasks() {
        let text = r#"{"chip_swimlane_level": 2, "metadata": {"clock_freq_hz": 1000000000},
          "aicore_tasks": [[0, 5, 1, 100, 200, 3]], "aicpu_tasks": []}"#;
        assert!(read_str(text).unwrap().0.tasks.is_empty());
        let l1 = text.replace("\"chip_swimlane_level\": 2", "\"chip_swimlane_level\": 1");
        let (c, _) = read_str(&l1).unwrap();
        assert_eq!(c.tasks.len(), 1);
        assert_eq!(c.tasks[0].receive_ns, Some(97));
        assert_eq!(c.info.core_types, vec![CoreType::Aiv]);
    }

    #[test]
    fn bad_rows_name_their_index() {
        let text = r#"{"chip_swimlane_level": 1, "metadata": {"clock_freq_hz": 50000000},
          "aicore_tasks": [[0, 5, 1, 100, 200, 3], [0, 5, 1]], "aicpu_tasks": []}"#;
        let e = read_str(text).unwrap_err().to_string();
        assert!(
            e.starts_with("r.json: aicore_tasks[1]: expected 5 or 6 columns"),
            "{e}"
        );
        let text = r#"{"chip_swimlane_level": 1, "metadata": {}, "aicore_tasks": []}"#;
        let e = read_str(text).unwrap_err().to_string();
        assert!(
            e.contains("metadata.clock_freq_hz: expected a positive integer"),
            "{e}"
        );
    }

    /// Found by the raw fuzz target (a 15 s timeout): a file claiming 25M
    /// cores, or naming core 4e9, sized per-core tables by it; and a core
    /// mapped to thread 2^33.
    #[test]
    fn core_counts_and_indices_no_chip_has_are_refused() {
        let text = r#"{"chip_swimlane_level": 1,
          "metadata": {"clock_freq_hz": 50000000, "num_cores": 24777777},
          "aicore_tasks": [[0, 5, 1, 100, 200, 3]]}"#;
        let e = read_str(text).unwrap_err().to_string();
        assert_eq!(
            e,
            "r.json: metadata.num_cores: expected a core count below 8192, found 24777777"
        );
        let text = r#"{"chip_swimlane_level": 1, "metadata": {"clock_freq_hz": 50000000},
          "aicore_tasks": [[4000000000, 5, 1, 100, 200, 3]]}"#;
        let e = read_str(text).unwrap_err().to_string();
        assert_eq!(
            e,
            "r.json: aicore_tasks[0]: core_id: expected a core index below 8192"
        );
        // Found next (an add overflow): a thread index of 2^33.
        let text = r#"{"chip_swimlane_level": 1,
          "metadata": {"clock_freq_hz": 50000000, "core_to_thread": [0, -1, 8589934634]},
          "aicore_tasks": [[0, 5, 1, 100, 200, 3]]}"#;
        let e = read_str(text).unwrap_err().to_string();
        assert_eq!(
            e,
            "r.json: metadata.core_to_thread[2]: expected a thread index below 64 (or -1), found 8589934634"
        );
        let ok = text.replace("8589934634", "63");
        assert_eq!(read_str(&ok).unwrap().0.info.sched_threads, 64);
        let text = r#"{"chip_swimlane_level": 1, "metadata": {"clock_freq_hz": 50000000},
          "aicore_tasks": [[4000000000, 5, 1, 100, 200, 3]]}"#;
        let ok = text.replace("4000000000", "8191");
        assert_eq!(read_str(&ok).unwrap().0.info.core_types.len(), 8192);
    }

    #[test]
    fn host_build_graph_variant_stays_loadable() {
        let text = r#"{"chip_swimlane_level": 3,
          "metadata": {"clock_freq_hz": 50000000, "num_cores": 1, "core_types": ["aic"],
            "orchestrator_source": "host", "host_capture": {"status": "complete"},
            "clock_anchors": {"samples": []}, "core_to_thread": [0]},
          "aicore_tasks": [[0, 4294968320, 1, 100, 200, 0]],
          "aicpu_tasks": [[0, 1, 90, 210]],
          "aicpu_scheduler_phases": [[{"kind": "graph_prepare", "start_cycles": 80, "end_cycles": 85,
            "loop_iter": 0, "tasks_processed": 3, "task_id": 4294968320,
            "local_at_start": [1,2,3], "shared_at_start": [0,0,0], "shared_at_end": [0,0,0]}]],
          "host_orchestrator_phases": [[{"submit_idx": 0, "task_id": 1, "start_host_ns": 5, "end_host_ns": 9}]],
          "host_device_uploads": [{"phase": "upload", "start_host_ns": 1, "end_host_ns": 2, "detail": 0}]}"#;
        let (c, _) = read_str(text).unwrap();
        assert_eq!(c.tasks.len(), 1);
        assert_eq!(c.sched_phases[0].kind, SchedPhase::GraphPrepare);
        assert_eq!(c.sched_phases[0].task_id, Some(TaskId(4_294_968_320)));
        assert_eq!((c.info.sched_threads, c.info.aicpu_threads), (1, 4));
        // Host records on their own lane, ending where the device starts
        // (the graph_prepare record at 80 cycles = 1600 ns), host spacing kept.
        assert_eq!(c.orch_phases.len(), 2);
        let submit = &c.orch_phases[0];
        assert_eq!(
            (submit.thread, submit.kind.name()),
            (HOST_ORCH_LANE, "orch_submit")
        );
        assert_eq!((submit.start_ns, submit.end_ns), (1600 - 4, 1600));
        assert_eq!(submit.task_id, Some(TaskId(1)));
        let upload = &c.orch_phases[1];
        assert_eq!(upload.kind.name(), "host_upload");
        assert_eq!((upload.start_ns, upload.end_ns), (1600 - 8, 1600 - 7));
    }

    /// Detection goes by the level key wherever it is (spec §1.2): a key
    /// of another family before it does not make a raw file something else.
    #[test]
    fn keys_in_any_order_and_foreign_keys_once_detected() {
        let text = r#"{"tasks": [], "aicpu_tasks": [[0, 1, 90, 210]],
          "aicore_tasks": [[0, 5, 1, 100, 200]], "metadata": {"clock_freq_hz": 50000000},
          "chip_swimlane_level": 2}"#;
        let (c, _) = read_str(text).unwrap();
        assert_eq!(c.tasks.len(), 1);
        assert_eq!(c.tasks[0].finish_ns, Some(4200));
        let mut sink = Vec::new();
        let sniffed = stream(
            text.as_bytes(),
            Path::new("r.json"),
            None,
            0,
            &mut sink,
            Commit::Sniff,
        );
        assert!(matches!(sniffed, Ok(Streamed::NotRaw)), "{sniffed:?}");
        assert!(sink.is_empty());
        let twice = r#"{"chip_swimlane_level": 1, "chip_swimlane_level": 1}"#;
        assert_eq!(
            read_str(twice).unwrap_err().to_string(),
            "r.json: chip_swimlane_level: appears twice"
        );
    }

    #[test]
    fn r_g_uses_the_old_key_and_five_columns() {
        let text = r#"{"l2_swimlane_level": 2, "metadata": {"clock_freq_hz": 50000000},
          "aicore_tasks": [[0, 7, 1, 100, 200]], "aicpu_tasks": [[0, 1, 0, 250]]}"#;
        let (c, s) = read_str(text).unwrap();
        assert_eq!(s.generation, Some(Generation::RawG));
        assert_eq!(c.tasks[0].dispatch_ns, None); // 0 = not stamped
        assert_eq!(c.tasks[0].finish_ns, Some(5000));
        assert_eq!(c.tasks[0].receive_ns, None);
    }
}
