//! Reads R-G / R-H raw files and performs the AICore ↔ AICPU join exactly as
//! spec §5.4 describes the upstream reader.

use crate::capture::formats::progress::{Progress, decode};
use std::collections::HashMap;
use std::path::Path;

use crate::capture::formats::detect::{self, Family, Generation};
use crate::capture::formats::error::FormatError;
use crate::capture::formats::info;
use crate::capture::formats::json::{Int, cycles_to_ns};
use crate::capture::formats::stats::ReadStats;
use crate::dfx::Level;
use crate::record::{
    Capture, CoreType, DeviceInfo, HOST_ORCH_LANE, MAX_CORES, OrchPhase, OrchPhaseRecord,
    SchedPhase, SchedPhaseRecord, TaskId, TaskRecord,
};

use super::doc::{Doc, Metadata};

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
    let top = detect::scan(bytes, path)?;
    let (generation, key, value) = match detect::family(&top) {
        Family::Raw(Generation::RawG) => {
            (Generation::RawG, "l2_swimlane_level", top.l2_swimlane_level)
        }
        Family::Raw(g) => (g, "chip_swimlane_level", top.chip_swimlane_level),
        _ => {
            return Err(FormatError::not_a_capture(
                path,
                "expected a raw capture (chip_swimlane_level, or l2_swimlane_level with aicore_tasks)",
            ));
        }
    };
    let level = detect::level_key(value.as_ref(), key, path)?;
    let doc: Doc = decode(bytes, path, progress)?;
    let mut stats = ReadStats {
        generation: Some(generation),
        ..ReadStats::default()
    };
    let capture = build(&doc, level, path, &mut stats)?;
    Ok((capture, stats))
}

/// One `aicore_tasks` row, validated.
struct CoreRow {
    core: u32,
    token: u64,
    reg: u32,
    start: u64,
    end: u64,
    /// `receive_to_start_cycles`; absent in 5-column rows (before 2026-06-22).
    r2s: Option<u64>,
}

/// One `aicpu_tasks` row, validated.
struct CpuRow {
    core: u32,
    reg: u32,
    dispatch: u64,
    finish: u64,
}

fn build(doc: &Doc, level: u8, path: &Path, stats: &mut ReadStats) -> Result<Capture, FormatError> {
    let meta = doc.metadata.as_ref().ok_or_else(|| {
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
    let core_rows = aicore_rows(doc, path)?;
    let cpu_rows = aicpu_rows(doc, path)?;
    let mut info = device_info(doc, meta, path, &core_rows)?;
    info.clock_hz = clock;
    let ns = |c: u64| cycles_to_ns(c, clock);
    let stamp = |c: u64| (c != 0).then(|| ns(c));

    let flags = Level::from_chip_swimlane_level(u64::from(level))
        .map_err(|e| FormatError::key(path, "level", e.to_string()))?
        .flags();
    let mut capture = Capture::new(info, flags);
    capture.runtime_level = Some(level);

    let types = capture.info.core_types.clone();
    // device_info covers every core a row names; `aiv` is upstream's default.
    let core_type = |core: u32| types.get(core as usize).copied().unwrap_or(CoreType::Aiv);
    let task = |a: &CoreRow, dispatch: Option<u64>, finish: Option<u64>| TaskRecord {
        round: 0,
        task_id: TaskId(a.token),
        func_id: -1,
        core_id: a.core,
        core_type: core_type(a.core),
        reg_task_id: a.reg,
        receive_ns: a.r2s.map(|d| ns(a.start.saturating_sub(d))),
        start_ns: ns(a.start),
        end_ns: ns(a.end),
        dispatch_ns: dispatch,
        finish_ns: finish,
    };
    let mut tasks = Vec::new();
    if !cpu_rows.is_empty() {
        // Later duplicates of a key win, as in the upstream dict.
        let by_key: HashMap<(u32, u32), &CoreRow> =
            core_rows.iter().map(|r| ((r.core, r.reg), r)).collect();
        for c in &cpu_rows {
            match by_key.get(&(c.core, c.reg)) {
                Some(a) => tasks.push(task(a, stamp(c.dispatch), stamp(c.finish))),
                None => stats.unmatched_aicpu_rows += 1,
            }
        }
    } else if level == 1 {
        tasks.extend(core_rows.iter().map(|a| task(a, None, None)));
    }
    let before = tasks.len();
    tasks.retain(|t| t.end_ns >= t.start_ns);
    stats.dropped_rows += before - tasks.len();
    tasks.sort_by_key(|t| t.task_id); // stable: ties keep AICPU-row order
    capture.tasks = tasks;

    for (t, list) in doc.aicpu_scheduler_phases.iter().flatten().enumerate() {
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
    for (t, list) in doc.aicpu_orchestrator_phases.iter().flatten().enumerate() {
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
    host_records(doc, &mut capture, stats);
    Ok(capture)
}

/// host_build_graph: the host's submits and uploads on their own lanes.
/// They are timed on the host clock; without a calibrated anchor (not read
/// here) the converter's fail-soft layout is used: the host block ends where
/// the device's first record starts, its own spacing kept, since host
/// orchestration precedes the device. Said as a warning so nobody reads a
/// cross-domain gap off the screen.
fn host_records(doc: &Doc, capture: &mut Capture, stats: &mut ReadStats) {
    let mut rows: Vec<(u16, OrchPhase, u64, u64, u32, Option<TaskId>)> = Vec::new();
    for (i, list) in doc.host_orchestrator_phases.iter().flatten().enumerate() {
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
    for r in doc.host_device_uploads.iter().flatten() {
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
    let device_start = capture
        .tasks
        .iter()
        .map(|t| {
            t.receive_ns
                .unwrap_or(t.start_ns)
                .min(t.dispatch_ns.unwrap_or(u64::MAX))
        })
        .chain(capture.sched_phases.iter().map(|p| p.start_ns))
        .min()
        .unwrap_or(host_end);
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

fn aicore_rows(doc: &Doc, path: &Path) -> Result<Vec<CoreRow>, FormatError> {
    let rows = doc.aicore_tasks.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let bad = |what: &str| FormatError::record(path, "aicore_tasks", i, what);
        if row.len() != 5 && row.len() != 6 {
            return Err(bad(&format!(
                "expected 5 or 6 columns [core_id, task_id, reg_task_id, start_cycles, end_cycles, receive_to_start_cycles], found {}",
                row.len()
            )));
        }
        out.push(CoreRow {
            core: row[0]
                .to_core()
                .ok_or_else(|| bad(&Int::core_id_expected()))?,
            token: row[1].0,
            reg: row[2]
                .to_u32()
                .ok_or_else(|| bad("reg_task_id: expected a u32"))?,
            start: row[3].0,
            end: row[4].0,
            r2s: row.get(5).map(|d| d.0),
        });
    }
    Ok(out)
}

fn aicpu_rows(doc: &Doc, path: &Path) -> Result<Vec<CpuRow>, FormatError> {
    let rows = doc.aicpu_tasks.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let bad = |what: &str| FormatError::record(path, "aicpu_tasks", i, what);
        if row.len() != 4 {
            return Err(bad(&format!(
                "expected 4 columns [core_id, reg_task_id, dispatch_cycles, finish_cycles], found {}",
                row.len()
            )));
        }
        out.push(CpuRow {
            core: row[0]
                .to_core()
                .ok_or_else(|| bad(&Int::core_id_expected()))?,
            reg: row[1]
                .to_u32()
                .ok_or_else(|| bad("reg_task_id: expected a u32"))?,
            dispatch: row[2].0,
            finish: row[3].0,
        });
    }
    Ok(out)
}

fn device_info(
    doc: &Doc,
    meta: &Metadata,
    path: &Path,
    rows: &[CoreRow],
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
    let used = rows.iter().map(|r| r.core as usize + 1).max().unwrap_or(0);
    types.resize(declared.max(types.len()).max(used), CoreType::Aiv);
    di.core_types = types;
    di.core_to_thread = info::core_to_thread(
        meta.core_to_thread.as_ref(),
        path,
        "metadata.core_to_thread",
    )?;
    // Schedulers: the lists that hold records, or the threads cores map to.
    let by_lists = doc
        .aicpu_scheduler_phases
        .as_deref()
        .unwrap_or_default()
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
    // The file has one list per AICPU thread the platform allows (a2a3: 4).
    let lists = doc.aicpu_scheduler_phases.as_ref().map_or(0, Vec::len);
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
