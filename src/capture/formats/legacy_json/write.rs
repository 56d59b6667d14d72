//! Writes the L-A′ versioned swimlane JSON (PR #500 layout, spec §3) byte
//! for byte as that writer printed it. Times are integer ns printed as µs
//! with three decimals relative to the spec's time base, never via f64.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::capture::formats::json::{TextOut as Out, Us};
use crate::record::{Capture, OrchSummary, SchedPhase, SchedPhaseRecord, TaskId, TaskRecord};

pub fn write(capture: &Capture, w: &mut dyn Write) -> io::Result<()> {
    let sched: Vec<&SchedPhaseRecord> = capture
        .sched_phases
        .iter()
        .filter(|r| is_legacy_sched_kind(&r.kind))
        .collect();
    let summary = aggregate(&capture.orch_summaries);
    let has_phase_data =
        !sched.is_empty() || capture.orch_phases.iter().any(|r| !r.is_host()) || summary.is_some();
    let version = capture
        .level()
        .legacy_json_version(has_phase_data)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a level-0 capture has no swimlane JSON form",
            )
        })?;
    let phases = version == 2;
    let base = time_base(capture, version, &sched, summary.as_ref());
    let rel = |ns: u64| Us(i128::from(ns) - i128::from(base));

    let mut order: Vec<&TaskRecord> = capture.tasks.iter().collect();
    order.sort_by_key(|t| t.task_id); // stable: ties keep capture order
    let mut fanout: HashMap<(u32, TaskId), &[TaskId]> = HashMap::new();
    for f in &capture.fanout {
        fanout.entry((f.round, f.task_id)).or_insert(&f.successors);
    }

    let mut out = Out::new(w);
    out.s.push_str("{\n");
    let _ = writeln!(out.s, "  \"version\": {version},");
    out.s.push_str("  \"tasks\": [\n");
    for (i, t) in order.iter().enumerate() {
        out.s.push_str("    {\n");
        let _ = writeln!(out.s, "      \"task_id\": {},", t.task_id.0);
        // The C++ field is uint32_t: an unknown id (−1) prints as 4294967295.
        let _ = writeln!(out.s, "      \"func_id\": {},", t.func_id as u32);
        let _ = writeln!(out.s, "      \"core_id\": {},", t.core_id);
        let _ = writeln!(out.s, "      \"core_type\": \"{}\",", t.core_type.as_str());
        let _ = writeln!(out.s, "      \"ring_id\": {},", t.task_id.0 >> 32);
        let _ = writeln!(out.s, "      \"start_time_us\": {},", rel(t.start_ns));
        let _ = writeln!(out.s, "      \"end_time_us\": {},", rel(t.end_ns));
        let duration = Us(i128::from(t.end_ns) - i128::from(t.start_ns));
        if version == 0 {
            let _ = writeln!(out.s, "      \"duration_us\": {duration}");
        } else {
            let stamp = |v: Option<u64>| v.map_or(Us(0), rel);
            let _ = writeln!(out.s, "      \"duration_us\": {duration},");
            let _ = writeln!(
                out.s,
                "      \"dispatch_time_us\": {},",
                stamp(t.dispatch_ns)
            );
            let _ = writeln!(out.s, "      \"finish_time_us\": {},", stamp(t.finish_ns));
            let succ = fanout
                .get(&(t.round, t.task_id))
                .copied()
                .unwrap_or_default();
            out.s.push_str("      \"fanout\": [");
            for (j, s) in succ.iter().enumerate() {
                if j > 0 {
                    out.s.push_str(", ");
                }
                let _ = write!(out.s, "{}", s.0);
            }
            out.s.push_str("],\n");
            let _ = writeln!(out.s, "      \"fanout_count\": {}", succ.len());
        }
        out.s.push_str("    }");
        if i + 1 < order.len() {
            out.s.push(',');
        }
        out.s.push('\n');
        out.maybe_flush()?;
    }
    out.s.push_str("  ]");

    if phases {
        let lists = list_count(capture, &sched);
        out.s.push_str(",\n  \"aicpu_scheduler_phases\": [\n");
        for t in 0..lists {
            let recs = sched.iter().filter(|r| usize::from(r.thread) == t);
            write_list(&mut out, t, lists, recs, |s, r| {
                let _ = write!(
                    s,
                    "{{\"start_time_us\": {}, \"end_time_us\": {}, \"phase\": \"{}\", \"loop_iter\": {}, \"tasks_processed\": {}}}",
                    rel(r.start_ns),
                    rel(r.end_ns),
                    r.kind.name(),
                    r.loop_iter,
                    r.tasks_processed
                );
            })?;
        }
        out.s.push_str("  ]");

        if let Some(s) = &summary {
            out.s.push_str(",\n  \"aicpu_orchestrator\": {\n");
            let _ = writeln!(out.s, "    \"start_time_us\": {},", rel(s.start_ns));
            let _ = writeln!(out.s, "    \"end_time_us\": {},", rel(s.end_ns));
            let _ = writeln!(out.s, "    \"submit_count\": {},", s.submit_count);
            out.s.push_str("    \"phase_us\": {\n");
            let steps = [
                ("sync", s.sync_ns),
                ("alloc", s.alloc_ns),
                ("params", s.params_ns),
                ("lookup", s.lookup_ns),
                ("heap", s.heap_ns),
                ("insert", s.insert_ns),
                ("fanin", s.fanin_ns),
                ("scope_end", s.scope_end_ns),
            ];
            for (i, (name, ns)) in steps.iter().enumerate() {
                let sep = if i + 1 < steps.len() { "," } else { "" };
                let _ = writeln!(out.s, "      \"{name}\": {}{sep}", Us(i128::from(*ns)));
            }
            out.s.push_str("    }\n  }");
        }

        if capture.orch_phases.iter().any(|r| !r.is_host()) {
            // Records sit in the list of the orchestrator's AICPU thread.
            let orch = usize::from(capture.info.orchestrator_thread());
            out.s.push_str(",\n  \"aicpu_orchestrator_phases\": [\n");
            for t in 0..lists {
                // Host records (host_build_graph) are not AICPU records.
                let recs = capture
                    .orch_phases
                    .iter()
                    .filter(|r| t == orch && !r.is_host());
                write_list(&mut out, t, lists, recs, |s, r| {
                    let _ = write!(
                        s,
                        "{{\"phase\": \"{}\", \"start_time_us\": {}, \"end_time_us\": {}, \"submit_idx\": {}, \"task_id\": {}}}",
                        r.kind.name(),
                        rel(r.start_ns),
                        rel(r.end_ns),
                        r.submit_idx,
                        r.task_id.map_or(u64::MAX, |t| t.0)
                    );
                })?;
            }
            out.s.push_str("  ]");
        }

        if !capture.info.core_to_thread.is_empty() {
            out.s.push_str(",\n  \"core_to_thread\": [");
            for (i, t) in capture.info.core_to_thread.iter().enumerate() {
                if i > 0 {
                    out.s.push_str(", ");
                }
                let _ = write!(out.s, "{t}");
            }
            out.s.push(']');
        }
    }
    out.s.push_str("\n}\n");
    out.finish()
}

/// The seed-era scheduler knew only these kinds; inner and later kinds
/// (`resolve`, `release`, …) are not part of this generation.
fn is_legacy_sched_kind(kind: &SchedPhase) -> bool {
    matches!(
        kind,
        SchedPhase::Complete | SchedPhase::Dispatch | SchedPhase::Idle | SchedPhase::Scan
    )
}

/// One list per AICPU thread: at least the a2a3 maximum of 4.
fn list_count(capture: &Capture, sched: &[&SchedPhaseRecord]) -> usize {
    let max_thread = sched
        .iter()
        .map(|r| usize::from(r.thread) + 1)
        .max()
        .unwrap_or(0);
    4usize
        .max(usize::from(capture.info.aicpu_threads))
        .max(max_thread)
}

/// `    [` … `    ]` with one record per line, as the C++ writer prints it
/// (an empty list still spans two lines).
fn write_list<T>(
    out: &mut Out<'_>,
    index: usize,
    lists: usize,
    recs: impl Iterator<Item = T>,
    mut one: impl FnMut(&mut String, T),
) -> io::Result<()> {
    out.s.push_str("    [\n");
    let mut first = true;
    for r in recs {
        if !first {
            out.s.push_str(",\n");
        }
        out.s.push_str("      ");
        one(&mut out.s, r);
        first = false;
        out.maybe_flush()?;
    }
    if !first {
        out.s.push('\n');
    }
    out.s.push_str("    ]");
    if index + 1 < lists {
        out.s.push(',');
    }
    out.s.push('\n');
    Ok(())
}

/// Spec §3.3: the minimum over task starts, dispatches (v1+), and — only
/// when phase data is written — phase record starts and the orchestrator
/// summary start. Finish and end never lower it. Absence in the model is
/// `None`, so every present value counts (0 included: a sim capture may
/// start its clock at 0).
fn time_base(
    capture: &Capture,
    version: u8,
    sched: &[&SchedPhaseRecord],
    summary: Option<&OrchSummary>,
) -> u64 {
    let mut base = u64::MAX;
    for t in &capture.tasks {
        base = base.min(t.start_ns);
        if version >= 1
            && let Some(d) = t.dispatch_ns
        {
            base = base.min(d);
        }
    }
    if version == 2 {
        for r in sched {
            base = base.min(r.start_ns);
        }
        for r in capture.orch_phases.iter().filter(|r| !r.is_host()) {
            base = base.min(r.start_ns);
        }
        if let Some(s) = summary {
            base = base.min(s.start_ns);
        }
    }
    if base == u64::MAX { 0 } else { base }
}

/// The seed-era summary is one object per run: merge several (e.g. one per
/// round) into first start, last end and summed counters.
fn aggregate(summaries: &[OrchSummary]) -> Option<OrchSummary> {
    let first = summaries.first()?;
    let mut acc = first.clone();
    for s in &summaries[1..] {
        acc.start_ns = acc.start_ns.min(s.start_ns);
        acc.end_ns = acc.end_ns.max(s.end_ns);
        acc.submit_count = acc.submit_count.saturating_add(s.submit_count);
        acc.sync_ns = acc.sync_ns.saturating_add(s.sync_ns);
        acc.alloc_ns = acc.alloc_ns.saturating_add(s.alloc_ns);
        acc.params_ns = acc.params_ns.saturating_add(s.params_ns);
        acc.lookup_ns = acc.lookup_ns.saturating_add(s.lookup_ns);
        acc.heap_ns = acc.heap_ns.saturating_add(s.heap_ns);
        acc.insert_ns = acc.insert_ns.saturating_add(s.insert_ns);
        acc.fanin_ns = acc.fanin_ns.saturating_add(s.fanin_ns);
        acc.scope_end_ns = acc.scope_end_ns.saturating_add(s.scope_end_ns);
    }
    Some(acc)
}
