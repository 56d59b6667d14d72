//! Writes the current raw schema (R-H, spec §5) byte for byte as the
//! runtime's `ChipSwimlaneCollector::export_swimlane_json` prints it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::capture::formats::json::{TextOut, ns_to_cycles};
use crate::record::{Capture, CoreType, OrchPhase, OrchPhaseRecord, SchedPhase, TaskId};

use super::ORIGIN_CYCLES;

/// One task as the two row kinds need it, in cycles.
struct Row {
    core: u32,
    token: u64,
    reg: u32,
    start: u64,
    end: u64,
    r2s: u64,
    /// `None` is written as 0 ("not stamped") and never shifted.
    dispatch: Option<u64>,
    finish: Option<u64>,
}

/// An `orch_submit` envelope.
struct Envelope {
    submit_idx: u32,
    task_id: Option<TaskId>,
    start: u64,
    end: u64,
}

pub fn write(capture: &Capture, w: &mut dyn Write) -> io::Result<()> {
    let level = capture.chip_swimlane_level();
    if !(1..=4).contains(&level) {
        return Err(invalid(format!(
            "chip_swimlane_level {level} has no raw form (levels 1..=4)"
        )));
    }
    let clock = capture.info.clock_hz;
    if clock == 0 {
        return Err(invalid("the capture's clock_hz is 0".to_string()));
    }
    let cyc = |ns: u64| ns_to_cycles(ns, clock);

    let mut rows = task_rows(capture, clock);
    let sched: Vec<_> = if level >= 3 {
        capture
            .sched_phases
            .iter()
            .filter(|r| is_current_kind(&r.kind))
            .collect()
    } else {
        Vec::new()
    };
    let mut envelopes = if level >= 4 {
        envelopes(&capture.orch_phases, clock)
    } else {
        Vec::new()
    };
    let mut sched_cycles: Vec<(u64, u64)> = sched
        .iter()
        .map(|r| (cyc(r.start_ns), cyc(r.end_ns)))
        .collect();

    // A relative-time source would write its first event as 0 = "not
    // stamped": move the whole capture to a positive origin instead.
    let earliest = rows
        .iter()
        .flat_map(|r| {
            let aicpu = if level >= 2 {
                [r.dispatch, r.finish]
            } else {
                [None, None]
            };
            [Some(r.start - r.r2s), Some(r.end)]
                .into_iter()
                .chain(aicpu)
        })
        .flatten()
        .chain(sched_cycles.iter().flat_map(|(s, e)| [*s, *e]))
        .chain(envelopes.iter().flat_map(|e| [e.start, e.end]))
        .min();
    if earliest == Some(0) {
        let shift = |v: &mut u64| *v = v.saturating_add(ORIGIN_CYCLES);
        for r in &mut rows {
            shift(&mut r.start);
            shift(&mut r.end);
            r.dispatch.as_mut().map(shift);
            r.finish.as_mut().map(shift);
        }
        for (s, e) in &mut sched_cycles {
            shift(s);
            shift(e);
        }
        for e in &mut envelopes {
            shift(&mut e.start);
            shift(&mut e.end);
        }
    }

    let mut out = TextOut::new(w);
    out.s.push_str("{\n");
    let _ = writeln!(out.s, "  \"chip_swimlane_level\": {level},");
    out.s.push_str("  \"metadata\": {\n");
    let _ = writeln!(out.s, "    \"clock_freq_hz\": {clock},");
    let types = core_types(capture);
    let _ = writeln!(out.s, "    \"num_cores\": {},", types.len());
    out.s.push_str("    \"core_types\": [");
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.s.push_str(", ");
        }
        let _ = write!(out.s, "\"{}\"", t.as_str());
    }
    out.s.push(']');
    if level >= 3 && !capture.info.core_to_thread.is_empty() {
        out.s.push_str(",\n    \"core_to_thread\": [");
        for (i, t) in capture.info.core_to_thread.iter().enumerate() {
            if i > 0 {
                out.s.push_str(", ");
            }
            let _ = write!(out.s, "{t}");
        }
        out.s.push(']');
    }
    out.s.push_str("\n  },\n");

    out.s.push_str("  \"aicore_tasks\": [");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.s.push(',');
        }
        let _ = write!(
            out.s,
            "\n    [{}, {}, {}, {}, {}, {}]",
            r.core, r.token, r.reg, r.start, r.end, r.r2s
        );
        out.maybe_flush()?;
    }
    close_rows(&mut out.s, rows.is_empty());

    out.s.push_str(",\n  \"aicpu_tasks\": [");
    if level >= 2 {
        for (i, r) in rows.iter().enumerate() {
            if i > 0 {
                out.s.push(',');
            }
            let _ = write!(
                out.s,
                "\n    [{}, {}, {}, {}]",
                r.core,
                r.reg,
                r.dispatch.unwrap_or(0),
                r.finish.unwrap_or(0)
            );
            out.maybe_flush()?;
        }
    }
    close_rows(&mut out.s, level < 2 || rows.is_empty());

    if level >= 3 {
        let lists = 4usize.max(usize::from(capture.info.aicpu_threads)).max(
            sched
                .iter()
                .map(|r| usize::from(r.thread) + 1)
                .max()
                .unwrap_or(0),
        );
        out.s.push_str(",\n  \"aicpu_scheduler_phases\": [\n");
        for t in 0..lists {
            out.s.push_str("    [");
            let mut first = true;
            for (r, (start, end)) in sched.iter().zip(&sched_cycles) {
                if usize::from(r.thread) != t {
                    continue;
                }
                if !first {
                    out.s.push(',');
                }
                first = false;
                let _ = write!(
                    out.s,
                    "\n      {{\"kind\": \"{}\", \"start_cycles\": {start}, \"end_cycles\": {end}, \"loop_iter\": {}, \"tasks_processed\": {}",
                    r.kind.name(),
                    r.loop_iter,
                    r.tasks_processed
                );
                if r.kind == SchedPhase::Dispatch {
                    let (hit, miss) = r.pops.unwrap_or((0, 0));
                    let _ = write!(out.s, ", \"pop_hit\": {hit}, \"pop_miss\": {miss}");
                }
                if let Some(task) = r.task_id {
                    let _ = write!(out.s, ", \"task_id\": {}", task.0);
                }
                depth(&mut out.s, "shared_at_start", r.shared_at_start);
                depth(&mut out.s, "shared_at_end", r.shared_at_end);
                out.s.push('}');
                out.maybe_flush()?;
            }
            if !first {
                out.s.push_str("\n    ");
            }
            out.s.push(']');
            if t + 1 < lists {
                out.s.push(',');
            }
            out.s.push('\n');
        }
        out.s.push_str("  ]");

        if !envelopes.is_empty() {
            // TMR's orchestration is single-threaded: one lane.
            out.s
                .push_str(",\n  \"aicpu_orchestrator_phases\": [\n    [");
            for (i, e) in envelopes.iter().enumerate() {
                if i > 0 {
                    out.s.push(',');
                }
                let _ = write!(
                    out.s,
                    "\n      {{\"submit_idx\": {}, \"task_id\": {}, \"start_cycles\": {}, \"end_cycles\": {}}}",
                    e.submit_idx,
                    e.task_id.map_or(u64::MAX, |t| t.0),
                    e.start,
                    e.end
                );
                out.maybe_flush()?;
            }
            out.s.push_str("\n    ]\n  ]");
        }
    }
    out.s.push_str("\n}\n");
    out.finish()
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn close_rows(s: &mut String, empty: bool) {
    if !empty {
        s.push_str("\n  ");
    }
    s.push(']');
}

fn depth(s: &mut String, key: &str, v: Option<[i16; 3]>) {
    let [a, b, c] = v.unwrap_or([0, 0, 0]);
    let _ = write!(s, ", \"{key}\": [{a},{b},{c}]");
}

/// Kinds the current runtime writes; retired ones (`idle`, `scan`, `poll`,
/// `wire`) are dropped, unknown names pass through as they were read.
fn is_current_kind(kind: &SchedPhase) -> bool {
    !matches!(
        kind,
        SchedPhase::Idle | SchedPhase::Scan | SchedPhase::Poll | SchedPhase::Wire
    )
}

/// Index = core id: the device's table, extended over any core a task names.
fn core_types(capture: &Capture) -> Vec<CoreType> {
    let known = capture.info.core_types.len();
    let mut types = capture.info.core_types.clone();
    for t in &capture.tasks {
        let i = t.core_id as usize;
        if i >= known {
            if i >= types.len() {
                types.resize(i + 1, CoreType::Aiv);
            }
            types[i] = t.core_type;
        }
    }
    types
}

/// Tasks as rows grouped by core ascending, in `reg_task_id` (then start)
/// order within a core. A core with any unknown (0) sequence number is
/// renumbered from 1 in start order, so every row joins to its AICPU row.
fn task_rows(capture: &Capture, clock: u64) -> Vec<Row> {
    let cyc = |ns: u64| ns_to_cycles(ns, clock);
    let mut by_core: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, t) in capture.tasks.iter().enumerate() {
        by_core.entry(t.core_id).or_default().push(i);
    }
    let mut rows = Vec::with_capacity(capture.tasks.len());
    for (core, mut idx) in by_core {
        let tasks = &capture.tasks;
        let renumber = idx.iter().any(|&i| tasks[i].reg_task_id == 0);
        if renumber {
            idx.sort_by_key(|&i| tasks[i].start_ns);
        } else {
            idx.sort_by_key(|&i| (tasks[i].reg_task_id, tasks[i].start_ns));
        }
        for (n, i) in idx.into_iter().enumerate() {
            let t = &tasks[i];
            let start = cyc(t.start_ns);
            let receive = t.receive_ns.map_or(start, cyc).min(start);
            rows.push(Row {
                core,
                token: t.task_id.0,
                reg: if renumber {
                    u32::try_from(n + 1).unwrap_or(u32::MAX)
                } else {
                    t.reg_task_id
                },
                start,
                end: cyc(t.end_ns),
                r2s: start - receive,
                dispatch: t.dispatch_ns.map(cyc),
                finish: t.finish_ns.map(cyc),
            });
        }
    }
    rows
}

/// One envelope per submit: consecutive sub-step records of one
/// `submit_idx` merge from the first start to the last end; `orch_submit`
/// records pass through.
fn envelopes(records: &[OrchPhaseRecord], clock: u64) -> Vec<Envelope> {
    let cyc = |ns: u64| ns_to_cycles(ns, clock);
    let mut out: Vec<Envelope> = Vec::new();
    let mut open = false; // the last envelope came from sub-steps
    // Host orchestration (host_build_graph) is on the host clock and not an
    // AICPU lane: it has no place in this schema's cycle-based lists.
    for r in records.iter().filter(|r| !r.is_host()) {
        let is_submit = r.kind == OrchPhase::Submit;
        if !is_submit
            && open
            && let Some(last) = out.last_mut()
            && last.submit_idx == r.submit_idx
        {
            last.start = last.start.min(cyc(r.start_ns));
            last.end = last.end.max(cyc(r.end_ns));
            continue;
        }
        out.push(Envelope {
            submit_idx: r.submit_idx,
            task_id: r.task_id,
            start: cyc(r.start_ns),
            end: cyc(r.end_ns),
        });
        open = !is_submit;
    }
    out
}
