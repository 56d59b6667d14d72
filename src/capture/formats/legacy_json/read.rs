//! Reads any `tasks[]` document (L-A … T-F, transient) into a [`Capture`].

use crate::capture::formats::progress::{Progress, decode};
use std::collections::HashMap;
use std::path::Path;

use crate::capture::formats::detect::{self, Generation};
use crate::capture::formats::error::FormatError;
use crate::capture::formats::info;
use crate::capture::formats::json::{Int, TopLevel, func_id, us_to_ns};
use crate::capture::formats::stats::ReadStats;
use crate::dfx::Level;
use crate::record::{
    Capture, CoreType, FanoutRecord, OrchPhase, OrchPhaseRecord, OrchSummary, SchedPhase,
    SchedPhaseRecord, TaskId, TaskRecord,
};

use super::ORIGIN_NS;
use super::doc::{Doc, OrchSummaryRow, TaskRow};
use super::level::level_and_generation;

/// Times further than this from the file's origin are an underflowed
/// subtraction, not a measurement (10^12 µs ≈ 11.6 days; the underflow seen
/// in practice is ≈ 1.8·10^14 µs).
const MAX_REL_NS: i64 = 1_000_000_000_000_000;

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
    let doc = parse_doc_with(bytes, path, progress)?;
    let (level, generation) = level_and_generation(&top, &doc, path)?;
    let mut stats = ReadStats {
        generation: Some(generation),
        ..ReadStats::default()
    };
    let capture = Builder::new(path, level, &mut stats).build(&doc)?;
    Ok((capture, stats))
}

/// Settles the generation of a `tasks[]` document (used by detection).
pub fn generation(bytes: &[u8], path: &Path, top: &TopLevel) -> Result<Generation, FormatError> {
    let doc = parse_doc(bytes, path)?;
    level_and_generation(top, &doc, path).map(|(_, g)| g)
}

fn parse_doc(bytes: &[u8], path: &Path) -> Result<Doc, FormatError> {
    parse_doc_with(bytes, path, None)
}

fn parse_doc_with(
    bytes: &[u8],
    path: &Path,
    progress: Option<&Progress>,
) -> Result<Doc, FormatError> {
    let doc: Doc = decode(bytes, path, progress)?;
    if doc.tasks.is_none() {
        return Err(FormatError::not_a_capture(
            path,
            "expected a top-level \"tasks\" array",
        ));
    }
    Ok(doc)
}

/// µs relative to the file's origin → absolute ns; `None` when absurd.
fn abs_ns(us: f64) -> Option<u64> {
    let rel = us_to_ns(us)?;
    if rel.abs() > MAX_REL_NS || rel < -(ORIGIN_NS as i64) {
        return None;
    }
    Some((ORIGIN_NS as i64 + rel) as u64)
}

fn task_id_opt(v: Option<Int>) -> Option<TaskId> {
    v.filter(|t| t.0 != u64::MAX).map(|t| TaskId(t.0))
}

fn clamp_u32(v: Option<Int>) -> u32 {
    v.map_or(0, |x| u32::try_from(x.0).unwrap_or(u32::MAX))
}

struct Builder<'a> {
    path: &'a Path,
    level: u8,
    stats: &'a mut ReadStats,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path, level: u8, stats: &'a mut ReadStats) -> Builder<'a> {
        Builder { path, level, stats }
    }

    fn build(mut self, doc: &Doc) -> Result<Capture, FormatError> {
        let flags = Level::from_chip_swimlane_level(u64::from(self.level))
            .map_err(|e| FormatError::key(self.path, "level", e.to_string()))?
            .flags();
        let rows = doc.tasks.as_deref().unwrap_or_default();
        let mut capture = Capture::new(info::empty(self.path), flags);
        capture.runtime_level = Some(self.level);
        let mut known_types: Vec<Option<CoreType>> = Vec::new();
        let mut fanout_at: HashMap<TaskId, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let core = row.core_id.to_core().ok_or_else(|| {
                FormatError::record(self.path, "tasks", i, Int::core_id_expected())
            })?;
            let ty = CoreType::parse(&row.core_type).ok_or_else(|| {
                FormatError::record(
                    self.path,
                    "tasks",
                    i,
                    "core_type: expected \"aic\" or \"aiv\"",
                )
            })?;
            let slot = core as usize;
            if known_types.len() <= slot {
                known_types.resize(slot + 1, None);
            }
            known_types[slot].get_or_insert(ty);
            let Some(task) = self.task(row, core, ty) else {
                self.stats.dropped_rows += 1;
                continue;
            };
            if self.level >= 2 {
                add_fanout(&mut capture.fanout, &mut fanout_at, task.task_id, row);
            }
            capture.tasks.push(task);
        }
        self.phases(doc, &mut capture);
        if let Some(summary) = &doc.aicpu_orchestrator {
            match summary_record(summary) {
                Some(s) => capture.orch_summaries.push(s),
                None => self.stats.dropped_rows += 1,
            }
        }
        capture.info = self.device_info(doc, known_types)?;
        Ok(capture)
    }

    fn task(&self, row: &TaskRow, core: u32, ty: CoreType) -> Option<TaskRecord> {
        let start_ns = abs_ns(row.start_time_us)?;
        let end_ns = abs_ns(row.end_time_us)?;
        if end_ns < start_ns {
            return None;
        }
        let (mut dispatch_ns, mut finish_ns) = (None, None);
        if self.level >= 2 {
            let finish = row.finish_time_us.unwrap_or(0.0);
            let dispatch = row.dispatch_time_us.unwrap_or(0.0);
            // 0.000 means "not stamped" for finish; for dispatch it is also
            // the legitimate earliest event, which a stamped finish vouches for.
            if finish > 0.0 {
                finish_ns = Some(abs_ns(finish)?);
            }
            if dispatch > 0.0 || finish_ns.is_some() {
                dispatch_ns = Some(abs_ns(dispatch)?);
            }
        }
        Some(TaskRecord {
            round: 0,
            task_id: TaskId(row.task_id.0),
            func_id: func_id(row.func_id),
            core_id: core,
            core_type: ty,
            reg_task_id: 0,
            receive_ns: None,
            start_ns,
            end_ns,
            dispatch_ns,
            finish_ns,
        })
    }

    fn phases(&mut self, doc: &Doc, capture: &mut Capture) {
        for (t, list) in doc.aicpu_scheduler_phases.iter().flatten().enumerate() {
            for r in list {
                let (Some(start_ns), Some(end_ns)) =
                    (abs_ns(r.start_time_us), abs_ns(r.end_time_us))
                else {
                    self.stats.dropped_rows += 1;
                    continue;
                };
                if end_ns < start_ns {
                    self.stats.dropped_rows += 1;
                    continue;
                }
                let pops = (r.pop_hit.is_some() || r.pop_miss.is_some())
                    .then(|| (clamp_u32(r.pop_hit), clamp_u32(r.pop_miss)));
                capture.sched_phases.push(SchedPhaseRecord {
                    round: 0,
                    thread: info::thread_index(t),
                    kind: SchedPhase::from_name(r.phase.as_deref().unwrap_or("unknown")),
                    start_ns,
                    end_ns,
                    loop_iter: clamp_u32(r.loop_iter),
                    tasks_processed: clamp_u32(r.tasks_processed),
                    pops,
                    shared_at_start: info::depths(r.shared_at_start.as_ref()),
                    shared_at_end: info::depths(r.shared_at_end.as_ref()),
                    task_id: task_id_opt(r.task_id),
                });
            }
        }
        for r in doc.aicpu_orchestrator_phases.iter().flatten().flatten() {
            let (Some(start_ns), Some(end_ns)) = (abs_ns(r.start_time_us), abs_ns(r.end_time_us))
            else {
                self.stats.dropped_rows += 1;
                continue;
            };
            if end_ns < start_ns {
                self.stats.dropped_rows += 1;
                continue;
            }
            capture.orch_phases.push(OrchPhaseRecord {
                round: 0,
                // TMR has one orchestrator lane, whichever AICPU thread (list
                // index) ran it.
                thread: 0,
                kind: OrchPhase::from_name(r.phase.as_deref().unwrap_or("unknown")),
                start_ns,
                end_ns,
                submit_idx: clamp_u32(r.submit_idx),
                task_id: task_id_opt(r.task_id),
            });
        }
    }

    fn device_info(
        &self,
        doc: &Doc,
        mut known_types: Vec<Option<CoreType>>,
    ) -> Result<crate::record::DeviceInfo, FormatError> {
        let mut di = info::empty(self.path);
        let c2t = info::core_to_thread(doc.core_to_thread.as_ref(), self.path, "core_to_thread")?;
        if known_types.len() < c2t.len() {
            known_types.resize(c2t.len(), None);
        }
        di.core_types = info::fill_core_types(&known_types);
        di.aicpu_threads = info::thread_index(aicpu_threads(doc, &c2t));
        di.sched_threads = di.aicpu_threads - 1;
        di.core_to_thread = c2t;
        di.case_name = case_from_file_name(self.path);
        Ok(di)
    }
}

/// How many AICPU threads the run had. The orchestrator is the last one:
/// its list index says so when it comes after every scheduler list (T-F
/// moved it to list 0); else core_to_thread names the schedulers; else each
/// thread has a list.
fn aicpu_threads(doc: &Doc, c2t: &[i32]) -> usize {
    let sched = doc.aicpu_scheduler_phases.as_deref().unwrap_or_default();
    let orch = doc.aicpu_orchestrator_phases.as_deref().unwrap_or_default();
    let sched_hi = sched
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let lists = sched.len().max(orch.len());
    let mut aicpu = match (orch.iter().rposition(|l| !l.is_empty()), c2t.iter().max()) {
        (Some(k), _) if k >= 1 && k + 1 > sched_hi => k + 1,
        (_, Some(&m)) if m >= 0 => m as usize + 2,
        _ if lists > 0 => lists,
        _ => usize::from(info::DEFAULT_AICPU_THREADS),
    };
    // More lists than the a2a3 maximum of 4 only come from more threads.
    if lists > usize::from(info::DEFAULT_AICPU_THREADS) {
        aicpu = aicpu.max(lists);
    }
    aicpu.max(sched_hi + 1).max(2)
}

/// One FanoutRecord per task: the first row's list as written, extended by
/// ids that other rows of the same task add (each per-core row carries its
/// own snapshot).
fn add_fanout(
    fanout: &mut Vec<FanoutRecord>,
    at: &mut HashMap<TaskId, usize>,
    task: TaskId,
    row: &TaskRow,
) {
    let Some(list) = row.fanout.as_ref().filter(|l| !l.is_empty()) else {
        return;
    };
    let Some(&idx) = at.get(&task) else {
        at.insert(task, fanout.len());
        fanout.push(FanoutRecord {
            round: 0,
            task_id: task,
            successors: list.iter().map(|s| TaskId(s.0)).collect(),
        });
        return;
    };
    let succ = &mut fanout[idx].successors;
    for s in list {
        let s = TaskId(s.0);
        if !succ.contains(&s) {
            succ.push(s);
        }
    }
}

fn summary_record(s: &OrchSummaryRow) -> Option<OrchSummary> {
    let start_ns = abs_ns(s.start_time_us)?;
    let end_ns = abs_ns(s.end_time_us)?;
    let d = |v: Option<f64>| v.and_then(us_to_ns).map_or(0, |ns| ns.max(0) as u64);
    let p = s.phase_us.as_ref();
    Some(OrchSummary {
        round: 0,
        start_ns,
        end_ns,
        submit_count: clamp_u32(s.submit_count),
        sync_ns: d(p.and_then(|p| p.sync)),
        alloc_ns: d(p.and_then(|p| p.alloc)),
        params_ns: d(p.and_then(|p| p.params)),
        lookup_ns: d(p.and_then(|p| p.lookup)),
        heap_ns: d(p.and_then(|p| p.heap)),
        insert_ns: d(p.and_then(|p| p.insert)),
        fanin_ns: d(p.and_then(|p| p.fanin)),
        scope_end_ns: d(p.and_then(|p| p.scope_end)),
    })
}

/// SceneTest renames files to `perf_swimlane_<YYYYMMDD>_<HHMMSS>_<case>.json`.
fn case_from_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let rest = stem.strip_prefix("perf_swimlane_")?;
    let mut parts = rest.splitn(3, '_');
    let (date, time, case) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(date, 8) && digits(time, 6) && !case.is_empty()).then(|| case.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::OrchPhase;

    #[test]
    fn case_names_come_from_scene_test_file_names() {
        let p = Path::new("x/perf_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json");
        assert_eq!(
            case_from_file_name(p).as_deref(),
            Some("TestPagedAttention_CaseVarSeq4")
        );
        assert_eq!(
            case_from_file_name(Path::new("perf_swimlane_20260415_101500.json")),
            None
        );
    }

    #[test]
    fn absurd_and_inverted_rows_are_dropped_and_counted() {
        let text = r#"{"version": 1, "tasks": [
            {"task_id": 0, "func_id": 0, "core_id": 0, "core_type": "aic",
             "start_time_us": 1.0, "end_time_us": 2.0, "dispatch_time_us": 0.0, "finish_time_us": 2.5},
            {"task_id": 1, "func_id": 0, "core_id": 1, "core_type": "aiv",
             "start_time_us": 184467440737095.5, "end_time_us": 3.0, "dispatch_time_us": 0.5, "finish_time_us": 3.5},
            {"task_id": 2, "func_id": 0, "core_id": 1, "core_type": "aiv",
             "start_time_us": 5.0, "end_time_us": 4.0, "dispatch_time_us": 0.5, "finish_time_us": 5.5}]}"#;
        let (c, stats) = parse_with_stats(text.as_bytes(), Path::new("t.json")).unwrap();
        assert_eq!(c.tasks.len(), 1);
        assert_eq!(stats.dropped_rows, 2);
        assert_eq!(c.tasks[0].dispatch_ns, Some(ORIGIN_NS));
        assert_eq!(c.tasks[0].finish_ns, Some(ORIGIN_NS + 2_500));
        assert_eq!(c.runtime_level, Some(2));
    }

    #[test]
    fn a_core_no_chip_has_is_refused() {
        let text = r#"{"version": 1, "tasks": [
            {"task_id": 0, "func_id": 0, "core_id": 70000, "core_type": "aic",
             "start_time_us": 1.0, "end_time_us": 2.0, "dispatch_time_us": 0.0, "finish_time_us": 2.5}]}"#;
        let e = parse_with_stats(text.as_bytes(), Path::new("t.json")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json: tasks[0]: core_id: expected a core index below 8192"
        );
    }

    #[test]
    fn transition_generations_read_with_their_level_keys() {
        let te = r#"{"l2_perf_level": 4, "tasks": [
            {"task_id": -1, "func_id": 4294967295, "core_id": 2, "core_type": "AIV",
             "start_time_us": 3.0, "end_time_us": 4.0, "dispatch_time_us": 2.5, "finish_time_us": 4.5}],
            "aicpu_scheduler_phases": [[{"start_time_us": 2.0, "end_time_us": 2.6, "phase": "dispatch",
              "loop_iter": 1, "tasks_processed": 1, "pop_hit": 2, "pop_miss": 7}], [], [], []],
            "aicpu_orchestrator_phases": [[{"phase": "orch_submit", "start_time_us": 0.0,
              "end_time_us": 1.0, "submit_idx": 0, "task_id": 18446744073709551615}], [], [], []],
            "core_to_thread": [0, 0, 0]}"#;
        let (c, s) = parse_with_stats(te.as_bytes(), Path::new("e.json")).unwrap();
        assert_eq!(s.generation, Some(Generation::TasksE));
        assert_eq!(c.runtime_level, Some(4));
        assert_eq!(c.tasks[0].task_id, TaskId(u64::MAX));
        assert_eq!(c.tasks[0].func_id, -1);
        assert_eq!(c.tasks[0].core_type, CoreType::Aiv);
        assert_eq!(c.sched_phases[0].pops, Some((2, 7)));
        assert_eq!(c.orch_phases[0].kind, OrchPhase::Submit);
        assert_eq!(c.orch_phases[0].task_id, None);
        assert_eq!(
            c.info.core_types,
            vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv]
        );

        let tf = te.replace("l2_perf_level\": 4", "l2_swimlane_level\": 3");
        let (c, s) = parse_with_stats(tf.as_bytes(), Path::new("f.json")).unwrap();
        assert_eq!(
            (s.generation, c.runtime_level),
            (Some(Generation::TasksF), Some(3))
        );

        let transient = r#"{"tasks": [{"task_id": 1, "func_id": 0, "core_id": 0, "core_type": "aic",
            "start_time_us": 1.0, "end_time_us": 2.0}]}"#;
        let (c, s) = parse_with_stats(transient.as_bytes(), Path::new("t.json")).unwrap();
        assert_eq!(
            (s.generation, c.runtime_level),
            (Some(Generation::Transient), Some(1))
        );
        assert_eq!(c.tasks[0].dispatch_ns, None);

        let td = r#"{"version": 3, "tasks": [], "aicpu_scheduler_phases": [[], [], [], []]}"#;
        let (c, s) = parse_with_stats(td.as_bytes(), Path::new("d.json")).unwrap();
        assert_eq!(
            (s.generation, c.runtime_level),
            (Some(Generation::TasksD), Some(3))
        );
    }
}
