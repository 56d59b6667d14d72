//! Perfetto / Chrome-trace export and import (spec §9): what the upstream
//! converter shows for the spec example, exact times, round trips of every
//! example and real capture, reading the converter's own output, errors.

// Test code: helpers panic on purpose.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use swimtop::capture::formats::{self, legacy_json, perfetto};
use swimtop::dfx::Level;
use swimtop::record::{
    Capture, CoreType, DeviceInfo, FanoutRecord, Ns, SchedPhase, TaskId, TaskRecord,
};

fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/captures/spec")
        .join(name)
}

fn real(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/captures/real")
        .join(dir)
}

fn trace(c: &Capture) -> String {
    let mut out = Vec::new();
    perfetto::write(c, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn events(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    v["traceEvents"].as_array().unwrap().clone()
}

fn read_back(text: &str) -> Capture {
    perfetto::parse(text.as_bytes(), Path::new("t.json")).unwrap()
}

/// Worker View kernel slices (not the AICPU_n lanes).
fn worker_slices(ev: &[Value]) -> Vec<&Value> {
    ev.iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == 4 && e["tid"].as_u64().unwrap() < 19_000)
        .collect()
}

fn names_of(ev: &[Value], what: &str) -> BTreeSet<String> {
    ev.iter()
        .filter(|e| e["ph"] == "M" && e["name"] == what)
        .map(|e| e["args"]["name"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// The spec's TinyAttn example, as the upstream converter shows it (§13).

#[test]
fn tiny_attn_shows_what_the_converter_shows() {
    let c = formats::read_capture(&spec("chip_swimlane_records.L4.json")).unwrap();
    let text = trace(&c);
    let ev = events(&text);
    assert_eq!(
        names_of(&ev, "process_name"),
        BTreeSet::from(
            [
                "AICPU TinyAttn",
                "AICPU Scheduler",
                "Scheduler View",
                "Worker View"
            ]
            .map(String::from)
        )
    );
    let threads = names_of(&ev, "thread_name");
    for t in ["Orch_0", "Sched_0", "AIC_0", "AIV_1", "AIV_2", "AICPU_0"] {
        assert!(threads.contains(t), "{t} in {threads:?}");
    }
    let slices = worker_slices(&ev);
    let labels: Vec<&str> = slices.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        ["QK(t0)", "SF(t1)", "SF(t2)", "PV(r1t0)", "UP(r1t0)"]
    );
    let deps = ev
        .iter()
        .filter(|e| e["ph"] == "s" && e["pid"] == 4 && e["name"] == "dependency")
        .count();
    assert_eq!(deps, 6);
    // t0: receive 1.60 → end 11.62 µs from the L4 origin (design 0.00),
    // printed exactly, and its slice id is the arrow's bind id.
    assert!(
        text.contains(
            "\"name\": \"QK(t0)\", \"ph\": \"X\", \"pid\": 4, \"tid\": 10000, \"ts\": 1.6, \"dur\": 10.02}"
        ),
        "{text}"
    );
    let t0 = slices[0];
    assert_eq!(t0["args"]["event-hint"], "Task:t0, FuncId:0, CoreId:0");
    assert_eq!(t0["args"]["fanout-hint"], "2: [t1, t2]");
    assert_eq!(t0["args"]["local_setup_us"], 0.02);
    let sched: Vec<&str> = ev
        .iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == 2)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(sched[..3], ["dispatch(1)", "resolve(2)", "complete(1)"]);
    let submits: Vec<&str> = ev
        .iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == 1)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        submits,
        ["submit(t0)", "submit(t1)", "submit(t2)", "submit(r1t0)"]
    );
    // Scheduler View: dispatch 1.40 → finish 11.80.
    assert!(text.contains("\"name\": \"QK(t0)\", \"ph\": \"X\", \"pid\": 3, \"tid\": 10000, \"ts\": 1.4, \"dur\": 10.4}"));
}

#[test]
fn output_is_deterministic_and_valid_json() {
    for n in 1..=4 {
        let c = formats::read_capture(&spec(&format!("chip_swimlane_records.L{n}.json"))).unwrap();
        let a = trace(&c);
        assert_eq!(a, trace(&c));
        let ev = events(&a);
        // Every flow has both ends; slice ids are unique.
        let mut ids = HashSet::new();
        for e in ev
            .iter()
            .filter(|e| e["ph"] == "X" && e.get("id").is_some())
        {
            assert!(ids.insert(e["id"].as_u64().unwrap()), "{e}");
        }
        let s = ev.iter().filter(|e| e["ph"] == "s").count();
        let f = ev.iter().filter(|e| e["ph"] == "f").count();
        assert_eq!(s, f);
    }
}

#[test]
fn level_one_has_no_scheduler_view() {
    let c = formats::read_capture(&spec("chip_swimlane_records.L1.json")).unwrap();
    let ev = events(&trace(&c));
    assert_eq!(
        names_of(&ev, "process_name"),
        BTreeSet::from(["Worker View".to_string()])
    );
    let back = read_back(&trace(&c));
    assert_eq!(back.level(), Level::AICORE_TIMING);
    assert_eq!(back.runtime_level, Some(1));
}

// ---------------------------------------------------------------------------
// Precision.

fn info(cores: usize) -> DeviceInfo {
    DeviceInfo {
        source: "test".into(),
        clock_hz: 1_000_000_000,
        core_types: (0..cores)
            .map(|i| if i == 0 { CoreType::Aic } else { CoreType::Aiv })
            .collect(),
        core_to_thread: vec![0; cores],
        sched_threads: 1,
        aicpu_threads: 2,
        func_names: BTreeMap::from([(0, "A".to_string()), (1, "B \"q\" ü".to_string())]),
        orchestrator_name: None,
        case_name: Some("t".into()),
    }
}

fn task(id: u64, func: i32, core: u32, times: [Ns; 5]) -> TaskRecord {
    let [dispatch, receive, start, end, finish] = times;
    TaskRecord {
        round: 0,
        task_id: TaskId(id),
        func_id: func,
        core_id: core,
        core_type: if core == 0 {
            CoreType::Aic
        } else {
            CoreType::Aiv
        },
        reg_task_id: 0,
        receive_ns: Some(receive),
        start_ns: start,
        end_ns: end,
        dispatch_ns: Some(dispatch),
        finish_ns: Some(finish),
    }
}

#[test]
fn nanosecond_timestamps_survive_exactly() {
    let mut c = Capture::new(info(2), Level::TASK_LIFECYCLE.flags());
    let t = 1_000_000_000_000u64;
    c.tasks
        .push(task(0, 0, 0, [t, t + 20, t + 21, t + 1_620, t + 1_641]));
    // Over 10^12 ns (16 minutes) later, still to the ns.
    let far = 2_000_000_000_000u64 + 7;
    c.tasks.push(task(
        1,
        1,
        1,
        [far, far + 1, far + 3, far + 999_999, far + 1_000_001],
    ));
    c.fanout.push(FanoutRecord {
        round: 0,
        task_id: TaskId(0),
        successors: vec![TaskId(1)],
    });
    let text = trace(&c);
    assert!(text.contains("\"ts\": 0.02, \"dur\": 1.6}"), "{text}");
    assert!(text.contains("\"local_setup_us\": 0.001"), "{text}");
    assert!(text.contains("\"ts\": 1000000000.008,"), "{text}");
    let back = read_back(&text);
    assert_eq!(back.tasks, c.tasks);
    assert_eq!(back.fanout, c.fanout);
    assert_eq!(back.info.func_names, c.info.func_names);
    assert_eq!(back.info.core_types, c.info.core_types);
    assert_eq!(back.info.case_name, c.info.case_name);
    assert_eq!(back.flags, c.flags);
    // Without swimtop's otherData the times are relative to the converter's
    // origin, still exact.
    let bare = text[..text.find(",\n\"otherData\"").unwrap()].to_string() + "}";
    let back = read_back(&bare);
    let origin = legacy_json::ORIGIN_NS;
    assert_eq!(back.tasks[1].start_ns - origin, far + 3 - t);
    assert_eq!(back.tasks[1].receive_ns, Some(far + 1 - t + origin));
}

#[test]
fn late_successors_are_happens_before_violations() {
    let mut c = Capture::new(info(2), Level::TASK_LIFECYCLE.flags());
    c.tasks.push(task(0, 0, 0, [100, 110, 120, 500, 520]));
    // Starts (and is dispatched) before its predecessor ends / finishes.
    c.tasks.push(task(1, 1, 1, [300, 310, 320, 900, 950]));
    c.fanout.push(FanoutRecord {
        round: 0,
        task_id: TaskId(0),
        successors: vec![TaskId(1)],
    });
    let text = trace(&c);
    let ev = events(&text);
    let flows: Vec<(u64, &str)> = ev
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| (e["pid"].as_u64().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(flows, [(4, "hb_violation"), (3, "hb_violation")]);
    // Still an edge when read back.
    assert_eq!(read_back(&text).fanout, c.fanout);
}

// ---------------------------------------------------------------------------
// Round trips: capture → trace → capture.

/// (task, core, start, end, dispatch, finish), times relative to a base.
type Row = (u64, u32, i64, i64, Option<i64>, Option<i64>);

/// Tasks with and without the AICPU side, order-independent.
fn task_set(c: &Capture, base: Ns, lifecycle: bool) -> Vec<Row> {
    let r = |t: Ns| t as i64 - base as i64;
    let mut v: Vec<_> = c
        .tasks
        .iter()
        .map(|t| {
            (
                t.task_id.0,
                t.core_id,
                r(t.start_ns),
                r(t.end_ns),
                t.dispatch_ns.filter(|_| lifecycle).map(r),
                t.finish_ns.filter(|_| lifecycle).map(r),
            )
        })
        .collect();
    v.sort_unstable();
    v
}

fn func_names(c: &Capture) -> BTreeMap<(u64, u32, Ns), Option<String>> {
    c.tasks
        .iter()
        .map(|t| {
            (
                (t.task_id.0, t.core_id, t.start_ns),
                c.info.func_names.get(&t.func_id).cloned(),
            )
        })
        .collect()
}

/// Tasks that have a bar an arrow can attach to: kernel rows, orchestrator
/// submits (alloc bars) and dummy / predicated-skip markers.
fn nodes(c: &Capture) -> HashSet<TaskId> {
    c.tasks
        .iter()
        .map(|t| t.task_id)
        .chain(c.orch_phases.iter().filter_map(|p| p.task_id))
        .chain(
            c.sched_phases
                .iter()
                .filter(|p| matches!(p.kind, SchedPhase::DummyTask | SchedPhase::PredicatedSkip))
                .filter_map(|p| p.task_id),
        )
        .collect()
}

/// The dependency pairs a capture holds between tasks that have bars.
fn expected_pairs(c: &Capture) -> BTreeSet<(TaskId, TaskId)> {
    let n = nodes(c);
    let all: Vec<(TaskId, TaskId)> = if c.submits.is_empty() {
        c.fanout
            .iter()
            .flat_map(|f| f.successors.iter().map(move |s| (f.task_id, *s)))
            .collect()
    } else {
        c.submits
            .iter()
            .flat_map(|s| s.edges_in.iter().map(|e| (e.pred, e.succ)))
            .collect()
    };
    all.into_iter()
        .filter(|(p, s)| n.contains(p) && n.contains(s))
        .collect()
}

fn read_pairs(c: &Capture) -> BTreeSet<(TaskId, TaskId)> {
    c.fanout
        .iter()
        .flat_map(|f| f.successors.iter().map(move |s| (f.task_id, *s)))
        .collect()
}

fn round_trip(path: &Path) {
    let c = formats::read_capture(path).unwrap();
    let text = trace(&c);
    let back = read_back(&text);
    let what = path.display();
    let lifecycle = c.flags.task_lifecycle();
    assert_eq!(back.tasks.len(), c.tasks.len(), "{what}");
    assert_eq!(
        task_set(&back, 0, lifecycle),
        task_set(&c, 0, lifecycle),
        "{what}"
    );
    assert_eq!(func_names(&back), func_names(&c), "{what}");
    assert_eq!(read_pairs(&back), expected_pairs(&c), "{what}");
    assert_eq!(back.flags, c.flags, "{what}");
    assert_eq!(back.runtime_level, Some(c.chip_swimlane_level()), "{what}");
    assert_eq!(back.info.core_types, c.info.core_types, "{what}");
    assert_eq!(
        back.info.orchestrator_name, c.info.orchestrator_name,
        "{what}"
    );
    assert_eq!(back.orch_phases.len(), c.orch_phases.len(), "{what}");
    let receive = |c: &Capture| {
        c.tasks
            .iter()
            .map(|t| t.receive_ns)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(receive(&back), receive(&c), "{what}");
    // Every scheduler record comes back (markers as the converter widens them).
    assert_eq!(back.sched_phases.len(), c.sched_phases.len(), "{what}");
    for (a, b) in back.sched_phases.iter().zip(&c.sched_phases) {
        assert_eq!(
            (&a.kind, a.thread, a.start_ns),
            (&b.kind, b.thread, b.start_ns),
            "{what}"
        );
        assert_eq!(
            (a.loop_iter, a.tasks_processed, a.task_id),
            (b.loop_iter, b.tasks_processed, b.task_id),
            "{what}"
        );
        assert_eq!(
            (a.shared_at_start, a.shared_at_end),
            (b.shared_at_start, b.shared_at_end),
            "{what}"
        );
    }
    // Writing what was read gives the same trace again.
    assert_eq!(trace(&back), text, "{what}");
}

#[test]
fn spec_examples_round_trip() {
    for n in 1..=4 {
        round_trip(&spec(&format!("chip_swimlane_records.L{n}.json")));
    }
    for v in 0..=2 {
        round_trip(&spec(&format!(
            "legacy_v{v}.perf_swimlane_20260415_101500.json"
        )));
    }
}

const REAL: [&str; 4] = [
    "paged_attention_CaseVarSeq4_L1",
    "paged_attention_CaseVarSeq4_L2",
    "paged_attention_CaseVarSeq4_L3",
    "paged_attention_CaseVarSeq4_L4_depgen",
];

const LEGACY_DIR: &str = "legacy_paged_attention_CaseVarSeq4";
const LEGACY_CAPTURE: &str = "perf_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json";
const LEGACY_MERGED: &str = "merged_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json";

#[test]
fn real_captures_round_trip() {
    for dir in REAL {
        round_trip(&real(dir).join("chip_swimlane_records.json"));
    }
    round_trip(&real(LEGACY_DIR).join(LEGACY_CAPTURE));
}

// ---------------------------------------------------------------------------
// The converter's own output.

#[test]
fn converter_output_reads_like_the_capture_it_came_from() {
    for (level, dir) in REAL.iter().enumerate() {
        let raw = formats::read_capture(&real(dir).join("chip_swimlane_records.json")).unwrap();
        let merged = perfetto::read(&real(dir).join("merged_swimlane.json")).unwrap();
        assert_eq!(merged.tasks.len(), 64, "{dir}");
        // The converter's origin is §5.5's base; the reader puts it at 40 s.
        let lifecycle = level >= 1;
        assert_eq!(
            task_set(&merged, legacy_json::ORIGIN_NS, lifecycle),
            task_set(&raw, perfetto::time_base(&raw), lifecycle),
            "{dir}"
        );
        assert_eq!(merged.runtime_level, Some(level as u8 + 1), "{dir}");
        assert_eq!(merged.info.core_types, raw.info.core_types, "{dir}");
        assert_eq!(merged.info.sched_threads, 3, "{dir}");
    }
    let dir = real(REAL[3]);
    let raw = formats::read_capture(&dir.join("chip_swimlane_records.json")).unwrap();
    let merged = perfetto::read(&dir.join("merged_swimlane.json")).unwrap();
    let names: BTreeSet<&str> = merged
        .info
        .func_names
        .values()
        .map(String::as_str)
        .collect();
    assert_eq!(names, BTreeSet::from(["QK", "SF", "PV", "UP"]));
    assert_eq!(func_names(&merged).len(), 64);
    for t in &merged.tasks {
        assert!(merged.info.func_names.contains_key(&t.func_id), "{t:?}");
    }
    // deps.json's whole pair set, alloc calls' creator edges included.
    let deps: BTreeSet<(TaskId, TaskId)> = raw
        .submits
        .iter()
        .flat_map(|s| s.edges_in.iter().map(|e| (e.pred, e.succ)))
        .collect();
    assert_eq!(deps.len(), 92);
    assert_eq!(read_pairs(&merged), deps);
    assert_eq!(merged.orch_phases.len(), raw.orch_phases.len());
    assert_eq!(merged.sched_phases.len(), raw.sched_phases.len());
}

/// Numbers as the converter meant them: floats (µs) to integer ns, so its
/// rounding noise (`10.020000000000001`) compares equal to exact text.
fn normalised(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            Value::from((n.as_f64().unwrap() * 1000.0).round() as i64)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalised).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                // swimtop's additions, not drawn by the converter.
                .filter(|(k, _)| !matches!(k.as_str(), "pop_hit" | "pop_miss"))
                .map(|(k, v)| (k.clone(), normalised(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn writes_what_the_converter_wrote() {
    for dir in REAL {
        let c = formats::read_capture(&real(dir).join("chip_swimlane_records.json")).unwrap();
        let ours = events(&trace(&c));
        let theirs =
            events(&std::fs::read_to_string(real(dir).join("merged_swimlane.json")).unwrap());
        assert_eq!(ours.len(), theirs.len(), "{dir}");
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(normalised(a), normalised(b), "{dir}: event {i}");
        }
    }
}

#[test]
fn legacy_converter_output_reads_too() {
    let dir = real(LEGACY_DIR);
    let legacy = formats::read_capture(&dir.join(LEGACY_CAPTURE)).unwrap();
    let merged = perfetto::read(&dir.join(LEGACY_MERGED)).unwrap();
    assert_eq!(merged.tasks.len(), 64);
    assert_eq!(
        task_set(&merged, legacy_json::ORIGIN_NS, true),
        task_set(&legacy, perfetto::time_base(&legacy), true)
    );
    assert_eq!(func_names(&merged), func_names(&legacy));
    assert_eq!(read_pairs(&merged), expected_pairs(&legacy));
    assert_eq!(read_pairs(&merged).len(), 76);
    assert_eq!(merged.orch_phases.len(), legacy.orch_phases.len());
    assert!(merged.tasks.iter().all(|t| t.receive_ns.is_none()));
}

// ---------------------------------------------------------------------------
// Errors.

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swimtop-perfetto-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read_error(name: &str, content: &[u8]) -> String {
    let dir = scratch(name);
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let e = perfetto::read(&path).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains(name), "{e}");
    e
}

#[test]
fn bad_files_give_one_line_errors() {
    let good = trace(&formats::read_capture(&spec("chip_swimlane_records.L2.json")).unwrap());
    let cut = &good.as_bytes()[..good.len() / 2];
    let e = read_error("cut.json", cut);
    assert!(
        e.contains("truncated file") && e.contains(&format!("byte {}", cut.len())),
        "{e}"
    );
    let e = read_error("text.json", b"%PDF-1.4");
    assert!(e.contains("byte 0") && e.contains("not valid JSON"), "{e}");
    let e = read_error("empty.json", br#"{"traceEvents": []}"#);
    assert!(e.contains("traceEvents") && e.contains("no events"), "{e}");
    let e = read_error("obj.json", br#"{"events": [1]}"#);
    assert!(
        e.contains("not a swimlane capture") && e.contains("without traceEvents"),
        "{e}"
    );
    let e = read_error("num.json", b"42");
    assert!(e.contains("found a number"), "{e}");
    let e = read_error(
        "foreign.json",
        br#"[{"ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 1, "name": "main"}]"#,
    );
    assert!(e.contains("none of the 1 trace events"), "{e}");
    let e = read_error("garbage.json", b"{\"traceEvents\": [{\"ph\": \"X\"} x]}");
    assert!(e.contains("byte 29") && e.contains("not valid JSON"), "{e}");
}

#[test]
fn unknown_events_and_odd_values_are_ignored() {
    let text = r#"[
      {"ph": "M", "name": "process_name", "pid": 4, "args": {"name": "Worker View"}},
      {"ph": "M", "name": "thread_name", "pid": 4, "tid": 10000, "args": {"name": "AIC_0"}},
      {"ph": "C", "name": "x", "pid": 4, "args": {"v": 1}},
      {"ph": "X", "pid": 4, "tid": 10000, "ts": "oops", "dur": 1, "name": "A(t1)"},
      {"ph": "X", "pid": 4, "tid": 10000, "ts": 5, "dur": 2, "name": "A(t2)", "args": {"taskId": [1], "phase": 3}},
      {"ph": "X", "pid": 4, "tid": 10000, "ts": 9, "dur": 1, "name": "no task"},
      17, null, ["x"]
    ]"#;
    let c = read_back(text);
    assert_eq!(c.tasks.len(), 1);
    let t = &c.tasks[0];
    assert_eq!(
        (t.task_id, t.core_id, t.core_type),
        (TaskId(2), 0, CoreType::Aic)
    );
    assert_eq!(t.end_ns - t.start_ns, 2_000);
    assert_eq!(c.info.func_names[&t.func_id], "A");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = perfetto::parse(&bytes, Path::new("p.json"));
        }

        #[test]
        fn json_shaped_noise_never_panics(s in r#"[\[\]{}",:0-9a-zA-Z_ .\-]{0,200}"#) {
            let _ = perfetto::parse(s.as_bytes(), Path::new("p.json"));
            let wrapped = format!("{{\"traceEvents\": [{s}]}}");
            let _ = perfetto::parse(wrapped.as_bytes(), Path::new("p.json"));
        }

        #[test]
        fn truncations_are_errors_not_panics(cut in 0usize..10_000) {
            let c = formats::read_capture(&spec("chip_swimlane_records.L4.json")).unwrap();
            let text = trace(&c);
            let cut = cut % text.len();
            let r = perfetto::parse(&text.as_bytes()[..cut], Path::new("p.json"));
            prop_assert!(r.is_err());
        }
    }
}

#[test]
fn read_and_write_capture_know_perfetto() {
    let dir = scratch("integration");
    let c = formats::read_capture(&spec("chip_swimlane_records.L4.json")).unwrap();
    let out = dir.join("merged_swimlane.json");
    let written = formats::write_capture(&c, &out, formats::Format::Perfetto).unwrap();
    assert_eq!(written, vec![out.clone()]);
    assert_eq!(
        formats::detect::detect_file(&out).unwrap(),
        formats::Generation::Perfetto
    );
    let back = formats::read_capture(&out).unwrap();
    assert_eq!(back.tasks, read_back(&trace(&c)).tasks);
    // The array form reads too.
    let text = trace(&c);
    let body = &text[text.find('[').unwrap()..text.find("\n],").unwrap() + 2];
    let arr = dir.join("array.json");
    std::fs::write(&arr, body).unwrap();
    assert_eq!(formats::read_capture(&arr).unwrap().tasks.len(), 5);
    assert_eq!(
        "perfetto".parse::<formats::Format>().unwrap(),
        formats::Format::Perfetto
    );
    let _ = std::fs::remove_dir_all(&dir);
}
