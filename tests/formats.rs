//! File-level tests of the capture formats: byte-exact round trips of the
//! spec examples, hand-built §13 captures, the real runtime captures, and
//! one-line errors.

// Helpers outside `#[test]` functions panic on purpose: this whole file is
// test code.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use swimtop::capture::formats::{
    self, Format, Generation, deps, detect, legacy_json, name_map, raw,
};
use swimtop::record::Capture;

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

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn written(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn legacy_out(c: &Capture) -> String {
    written(|w| legacy_json::write(c, w))
}

fn raw_out(c: &Capture) -> String {
    written(|w| raw::write(c, w))
}

const LEGACY: [&str; 3] = [
    "legacy_v0.perf_swimlane_20260415_101500.json",
    "legacy_v1.perf_swimlane_20260415_101500.json",
    "legacy_v2.perf_swimlane_20260415_101500.json",
];

#[test]
fn legacy_examples_round_trip_byte_for_byte() {
    for name in LEGACY {
        let path = spec(name);
        let c = legacy_json::read(&path).unwrap();
        assert_eq!(legacy_out(&c), text(&path), "{name}");
    }
}

#[test]
fn raw_examples_round_trip_byte_for_byte() {
    for l in 1..=4 {
        let path = spec(&format!("chip_swimlane_records.L{l}.json"));
        let c = raw::read(&path).unwrap();
        assert_eq!(c.runtime_level, Some(l));
        assert_eq!(raw_out(&c), text(&path), "L{l}");
    }
}

#[test]
fn level_three_is_level_four_without_the_orchestrator() {
    let mut c = raw::read(&spec("chip_swimlane_records.L4.json")).unwrap();
    c.runtime_level = Some(3);
    assert_eq!(raw_out(&c), text(&spec("chip_swimlane_records.L3.json")));
}

// ---------------------------------------------------------------------------
// The spec §13 scenario built by hand.

mod tiny_attn {
    use std::collections::BTreeMap;

    use swimtop::dfx::Level;
    use swimtop::record::*;

    /// Counter value 2·10^9 (= 40 s at 50 MHz) is design time 0.
    const ORIGIN_NS: u64 = 40_000_000_000;

    /// Design µs in hundredths (1.62 → 162) to ns.
    fn us(hundredths: u64) -> Ns {
        ORIGIN_NS + hundredths * 10
    }

    /// Cycles after the design origin to ns.
    fn cyc(c: u64) -> Ns {
        ORIGIN_NS + c * 20
    }

    pub fn info() -> DeviceInfo {
        DeviceInfo {
            source: "spec §13".into(),
            clock_hz: 50_000_000,
            core_types: vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv],
            core_to_thread: vec![0, 0, 0],
            sched_threads: 1,
            aicpu_threads: 2,
            func_names: BTreeMap::from([
                (0, "QK".to_string()),
                (1, "SF".to_string()),
                (2, "PV".to_string()),
                (3, "UP".to_string()),
            ]),
            orchestrator_name: Some("TinyAttn".into()),
            case_name: Some("TestTinyAttn_default".into()),
        }
    }

    pub const R1T0: TaskId = TaskId(4_294_967_296);

    pub fn capture(level: u8) -> Capture {
        let mut c = Capture::new(info(), Level::new(u64::from(level)).unwrap().flags());
        // core, reg, task, func, dispatch, receive, start, end, finish (µs/100)
        let table = [
            (0, 1, TaskId(0), 0, 140, 160, 162, 1162, 1180),
            (0, 2, R1T0, 2, 1790, 1810, 1814, 2614, 2630),
            (1, 1, TaskId(1), 1, 1210, 1230, 1232, 1632, 1650),
            (1, 2, R1T0, 3, 1800, 1820, 1822, 2422, 2440),
            (2, 1, TaskId(2), 1, 1220, 1240, 1242, 1742, 1760),
        ];
        for (core, reg, task_id, func_id, d, r, s, e, f) in table {
            let lifecycle = level >= 2;
            c.tasks.push(TaskRecord {
                round: 0,
                task_id,
                func_id,
                core_id: core,
                core_type: if core == 0 {
                    CoreType::Aic
                } else {
                    CoreType::Aiv
                },
                reg_task_id: reg,
                receive_ns: Some(us(r)),
                start_ns: us(s),
                end_ns: us(e),
                dispatch_ns: lifecycle.then(|| us(d)),
                finish_ns: lifecycle.then(|| us(f)),
            });
        }
        if level >= 2 {
            for (task, succ) in [
                (TaskId(0), vec![TaskId(1), TaskId(2)]),
                (TaskId(1), vec![R1T0]),
                (TaskId(2), vec![R1T0]),
            ] {
                c.fanout.push(FanoutRecord {
                    round: 0,
                    task_id: task,
                    successors: succ,
                });
            }
        }
        if level >= 3 {
            sched_phases(&mut c);
            for (i, (task, s, e)) in [
                (TaskId(0), 0, 60),
                (TaskId(1), 60, 100),
                (TaskId(2), 100, 140),
                (R1T0, 140, 200),
            ]
            .into_iter()
            .enumerate()
            {
                c.orch_phases.push(OrchPhaseRecord {
                    round: 0,
                    thread: 0,
                    kind: OrchPhase::Submit,
                    start_ns: cyc(s),
                    end_ns: cyc(e),
                    submit_idx: i as u32,
                    task_id: Some(task),
                });
            }
        }
        c.submits = submits();
        c
    }

    /// Scheduler thread 0, current kinds (each resolve recorded before its
    /// enclosing complete, as the runtime emits them).
    fn sched_phases(c: &mut Capture) {
        use SchedPhase::*;
        let z = [0, 0, 0];
        #[allow(clippy::type_complexity)] // one table row per record, as in the spec
        let rows: [(
            SchedPhase,
            u64,
            u64,
            u32,
            u32,
            Option<(u32, u32)>,
            [i16; 3],
            [i16; 3],
        ); 12] = [
            (Dispatch, 65, 75, 1, 1, Some((1, 0)), [1, 0, 0], z),
            (Resolve, 591, 597, 4, 2, None, z, z),
            (Complete, 585, 600, 4, 1, None, z, [0, 2, 0]),
            (Dispatch, 600, 615, 4, 2, Some((2, 0)), [0, 2, 0], z),
            (Resolve, 826, 830, 6, 1, None, z, z),
            (Complete, 820, 835, 6, 1, None, z, z),
            (Resolve, 881, 886, 8, 1, None, z, z),
            (Complete, 875, 890, 8, 1, None, z, [0, 0, 1]),
            (Dispatch, 890, 905, 8, 2, Some((1, 3)), [0, 0, 1], z),
            (Complete, 1215, 1230, 10, 1, None, z, z),
            (Complete, 1310, 1325, 12, 1, None, z, z),
            (Release, 1325, 1330, 12, 2, None, z, z),
        ];
        for (kind, s, e, loop_iter, tasks_processed, pops, a, b) in rows {
            c.sched_phases.push(SchedPhaseRecord {
                round: 0,
                thread: 0,
                kind,
                start_ns: cyc(s),
                end_ns: cyc(e),
                loop_iter,
                tasks_processed,
                pops,
                shared_at_start: Some(a),
                shared_at_end: Some(b),
                task_id: None,
            });
        }
    }

    fn view(
        buffer_addr: u64,
        dtype: &str,
        buffer_numel: u64,
        shape: [u32; 2],
        start_offset: u64,
    ) -> TensorView {
        TensorView {
            buffer_addr,
            version: 0,
            dtype: dtype.into(),
            buffer_numel,
            shape: shape.to_vec(),
            start_offset,
            strides: vec![shape[1], 1],
        }
    }

    fn arg(kind: ArgKind, view: Option<TensorView>) -> SubmitArg {
        SubmitArg { kind, view }
    }

    fn edge(
        pred: TaskId,
        succ: TaskId,
        arg: i32,
        source: EdgeSource,
        producer_view: Option<TensorView>,
    ) -> DepEdge {
        DepEdge {
            pred,
            succ,
            arg,
            source,
            producer_view,
        }
    }

    pub fn submits() -> Vec<SubmitRecord> {
        use ArgKind::*;
        let qk_out = |off| view(85_899_345_920, "FLOAT32", 4096, [32, 64], off);
        let sf2_out = view(80_530_661_376, "FLOAT16", 2048, [32, 64], 0);
        let submit = |task_id, kernel_ids, args, edges_in| SubmitRecord {
            round: 0,
            task_id,
            kernel_ids,
            block_num: 1,
            args,
            edges_in,
        };
        vec![
            submit(
                TaskId(0),
                [0, -1, -1],
                vec![
                    arg(
                        Input,
                        Some(view(80_530_636_800, "FLOAT16", 4096, [64, 64], 0)),
                    ),
                    arg(
                        Input,
                        Some(view(80_530_644_992, "FLOAT16", 4096, [64, 64], 0)),
                    ),
                    arg(Output, None),
                ],
                vec![],
            ),
            submit(
                TaskId(1),
                [-1, 1, -1],
                vec![arg(Input, Some(qk_out(0))), arg(Output, None)],
                vec![edge(TaskId(0), TaskId(1), 0, EdgeSource::Creator, None)],
            ),
            submit(
                TaskId(2),
                [-1, 1, -1],
                vec![
                    arg(Input, Some(qk_out(2048))),
                    arg(OutputExisting, Some(sf2_out.clone())),
                ],
                vec![edge(TaskId(0), TaskId(2), 0, EdgeSource::Creator, None)],
            ),
            submit(
                R1T0,
                [2, 3, -1],
                vec![
                    arg(
                        Input,
                        Some(view(85_899_362_304, "FLOAT16", 2048, [32, 64], 0)),
                    ),
                    arg(Input, Some(sf2_out.clone())),
                    arg(
                        Input,
                        Some(view(80_530_653_184, "FLOAT16", 4096, [64, 64], 0)),
                    ),
                    arg(
                        OutputExisting,
                        Some(view(80_530_669_568, "FLOAT32", 4096, [64, 64], 0)),
                    ),
                ],
                vec![
                    edge(TaskId(1), R1T0, 0, EdgeSource::Creator, None),
                    edge(TaskId(2), R1T0, 1, EdgeSource::Tensormap, Some(sf2_out)),
                ],
            ),
        ]
    }
}

#[test]
fn hand_built_capture_writes_the_legacy_examples() {
    assert_eq!(legacy_out(&tiny_attn::capture(1)), text(&spec(LEGACY[0])));
    assert_eq!(legacy_out(&tiny_attn::capture(2)), text(&spec(LEGACY[1])));
}

#[test]
fn hand_built_capture_writes_the_raw_examples() {
    assert_eq!(
        raw_out(&tiny_attn::capture(1)),
        text(&spec("chip_swimlane_records.L1.json"))
    );
    assert_eq!(
        raw_out(&tiny_attn::capture(2)),
        text(&spec("chip_swimlane_records.L2.json"))
    );
    let mut l3 = tiny_attn::capture(3);
    assert_eq!(raw_out(&l3), text(&spec("chip_swimlane_records.L4.json")));
    l3.runtime_level = Some(3);
    assert_eq!(raw_out(&l3), text(&spec("chip_swimlane_records.L3.json")));
}

#[test]
fn hand_built_submits_write_the_deps_example() {
    let c = tiny_attn::capture(2);
    assert_eq!(written(|w| deps::write(&c, w)), text(&spec("deps.json")));
}

#[test]
fn name_map_is_written_as_scene_test_does() {
    let out = written(|w| name_map::write(&tiny_attn::info(), w));
    assert_eq!(out, text(&spec("name_map_TestTinyAttn_default.json")));
    assert_eq!(
        name_map::file_name("TestTinyAttn_default"),
        "name_map_TestTinyAttn_default.json"
    );
}

// ---------------------------------------------------------------------------
// Reading: joined values.

use swimtop::record::{CoreType, OrchPhase, SchedPhase, TaskId};

#[test]
fn raw_l2_example_joins_core_and_reg() {
    let c = formats::read_capture(&spec("chip_swimlane_records.L2.json")).unwrap();
    assert_eq!(c.tasks.len(), 5);
    assert_eq!(c.runtime_level, Some(2));
    assert_eq!(c.level().get(), 2);
    let t0 = c
        .tasks
        .iter()
        .find(|t| t.core_id == 0 && t.reg_task_id == 1)
        .unwrap();
    assert_eq!(t0.task_id, TaskId(0));
    assert_eq!(t0.start_ns, 40_000_001_620); // 2000000081 cycles at 50 MHz
    assert_eq!(t0.end_ns, 40_000_011_620);
    assert_eq!(t0.dispatch_ns, Some(40_000_001_400)); // 2000000070 cycles
    assert_eq!(t0.finish_ns, Some(40_000_011_800));
    assert_eq!(t0.receive_ns, Some(40_000_001_600));
    // Sorted by task id, ties in AICPU-row (core-major) order.
    let order: Vec<(TaskId, u32)> = c.tasks.iter().map(|t| (t.task_id, t.core_id)).collect();
    let r1t0 = tiny_attn::R1T0;
    assert_eq!(
        order,
        vec![
            (TaskId(0), 0),
            (TaskId(1), 1),
            (TaskId(2), 2),
            (r1t0, 0),
            (r1t0, 1)
        ]
    );
    // Siblings in assets/captures/spec: names and func ids from deps.json.
    assert_eq!(c.info.func_names.get(&2).map(String::as_str), Some("PV"));
    assert_eq!(c.info.orchestrator_name.as_deref(), Some("TinyAttn"));
    assert_eq!(c.info.case_name.as_deref(), Some("TestTinyAttn_default"));
    let funcs: Vec<i32> = c.tasks.iter().map(|t| t.func_id).collect();
    assert_eq!(funcs, vec![0, 1, 1, 2, 3]);
    assert_eq!(c.submits, tiny_attn::submits());
}

#[test]
fn raw_examples_read_at_every_level() {
    let c = raw::read(&spec("chip_swimlane_records.L1.json")).unwrap();
    assert_eq!(c.tasks.len(), 5);
    assert!(
        c.tasks
            .iter()
            .all(|t| t.dispatch_ns.is_none() && t.finish_ns.is_none())
    );
    assert_eq!(c.tasks[0].func_id, -1); // no siblings through raw::read
    let c = raw::read(&spec("chip_swimlane_records.L3.json")).unwrap();
    assert_eq!(c.sched_phases.len(), 12);
    assert!(c.orch_phases.is_empty());
    assert_eq!(c.info.core_to_thread, vec![0, 0, 0]);
    let first = &c.sched_phases[0];
    assert_eq!(
        (first.kind.clone(), first.pops),
        (SchedPhase::Dispatch, Some((1, 0)))
    );
    assert_eq!(first.shared_at_start, Some([1, 0, 0]));
    assert_eq!(c.sched_phases[1].kind, SchedPhase::Resolve);
    let c = raw::read(&spec("chip_swimlane_records.L4.json")).unwrap();
    assert_eq!(c.orch_phases.len(), 4);
    assert!(c.orch_phases.iter().all(|o| o.kind == OrchPhase::Submit));
    assert_eq!(c.orch_phases[3].task_id, Some(tiny_attn::R1T0));
    assert_eq!(c.orch_phases[0].start_ns, 40_000_000_000);
    assert_eq!(c.info.aicpu_threads, 4);
    assert_eq!(c.level().get(), 3);
}

#[test]
fn legacy_examples_read_with_their_levels() {
    let c = legacy_json::read(&spec(LEGACY[0])).unwrap();
    assert_eq!((c.tasks.len(), c.runtime_level), (5, Some(1)));
    assert!(c.tasks.iter().all(|t| t.dispatch_ns.is_none()));
    assert!(c.fanout.is_empty());

    let c = legacy_json::read(&spec(LEGACY[1])).unwrap();
    assert_eq!(c.runtime_level, Some(2));
    // Dispatch 0.000 is t0's real (earliest) dispatch, vouched for by finish.
    assert_eq!(c.tasks[0].dispatch_ns, Some(legacy_json::ORIGIN_NS));
    assert_eq!(c.tasks[0].start_ns - c.tasks[0].dispatch_ns.unwrap(), 220);
    assert_eq!(c.fanout.len(), 3);
    assert_eq!(c.fanout[0].successors, vec![TaskId(1), TaskId(2)]);

    let c = legacy_json::read(&spec(LEGACY[2])).unwrap();
    assert_eq!(c.runtime_level, Some(4));
    assert_eq!(c.level().get(), 3);
    assert_eq!(c.sched_phases.len(), 15);
    assert_eq!(c.sched_phases[0].kind, SchedPhase::Idle);
    assert_eq!(c.orch_phases.len(), 24);
    assert_eq!(c.orch_phases[0].kind, OrchPhase::Alloc);
    assert_eq!(c.orch_summaries.len(), 1);
    assert_eq!(c.orch_summaries[0].submit_count, 4);
    assert_eq!(c.orch_summaries[0].params_ns, 1_000);
    assert_eq!((c.info.aicpu_threads, c.info.orchestrator_thread()), (2, 1));
    assert_eq!(
        c.info.core_types,
        vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv]
    );
    // Time origin = the orchestrator's first submit (design 0).
    assert_eq!(c.tasks[0].start_ns - c.orch_summaries[0].start_ns, 1_620);
}

#[test]
fn deps_and_name_map_examples_read() {
    let d = deps::read(&spec("deps.json")).unwrap();
    let r1t0 = tiny_attn::R1T0;
    assert_eq!(
        d.edges,
        vec![
            (TaskId(0), TaskId(1)),
            (TaskId(0), TaskId(2)),
            (TaskId(1), r1t0),
            (TaskId(2), r1t0)
        ]
    );
    assert_eq!(d.kernel_ids()[&r1t0], [2, 3, -1]);
    assert_eq!(d.submits, tiny_attn::submits());
    let m = name_map::read(&spec("name_map_TestTinyAttn_default.json")).unwrap();
    assert_eq!(m.func_names.len(), 4);
    assert_eq!(m.func_names[&0], "QK");
    assert_eq!(m.orchestrator_name.as_deref(), Some("TinyAttn"));
}

#[test]
fn every_example_is_detected() {
    let cases = [
        (LEGACY[0], Generation::LegacyAPrime),
        (LEGACY[1], Generation::LegacyA),
        (LEGACY[2], Generation::LegacyA),
        ("chip_swimlane_records.L1.json", Generation::RawH),
        ("chip_swimlane_records.L4.json", Generation::RawH),
        ("deps.json", Generation::NotASwimlaneCapture),
        (
            "name_map_TestTinyAttn_default.json",
            Generation::NotASwimlaneCapture,
        ),
    ];
    for (name, generation) in cases {
        assert_eq!(
            detect::detect_file(&spec(name)).unwrap(),
            generation,
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------
// Real runtime captures (assets/captures/real, README there).

const REAL_RAW: [(&str, u8); 4] = [
    ("paged_attention_CaseVarSeq4_L1", 1),
    ("paged_attention_CaseVarSeq4_L2", 2),
    ("paged_attention_CaseVarSeq4_L3", 3),
    ("paged_attention_CaseVarSeq4_L4_depgen", 4),
];

#[test]
fn real_raw_captures_read() {
    for (dir, level) in REAL_RAW {
        let path = real(dir).join("chip_swimlane_records.json");
        let (c, stats) = formats::read_capture_with_stats(&path).unwrap();
        assert_eq!(c.tasks.len(), 64, "{dir}");
        assert_eq!(c.runtime_level, Some(level));
        assert_eq!(stats.unmatched_aicpu_rows + stats.dropped_rows, 0);
        assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
        assert_eq!(c.info.num_cores(), 24);
        assert_eq!(
            c.info
                .core_types
                .iter()
                .filter(|t| **t == CoreType::Aic)
                .count(),
            8
        );
        // 6-column rows: every task has a receive time before its start.
        assert!(
            c.tasks
                .iter()
                .all(|t| t.receive_ns.is_some_and(|r| r <= t.start_ns))
        );
        assert_eq!(
            c.tasks.iter().all(|t| t.dispatch_ns.is_some()),
            level >= 2,
            "{dir}"
        );
        assert_eq!(c.info.func_names.len(), 4);
        // func ids resolve only where deps.json is present.
        assert_eq!(c.tasks.iter().all(|t| t.func_id >= 0), level == 4, "{dir}");
        assert_eq!(
            c.info.case_name.as_deref(),
            Some("TestPagedAttention_CaseVarSeq4")
        );
        if level >= 3 {
            assert_eq!(c.info.core_to_thread.len(), 24);
            assert_eq!((c.info.sched_threads, c.info.aicpu_threads), (3, 4));
            assert!(
                c.sched_phases
                    .iter()
                    .all(|p| p.shared_at_start.is_some() && p.shared_at_end.is_some())
            );
        }
    }
    let text = text(&real("paged_attention_CaseVarSeq4_L1").join("chip_swimlane_records.json"));
    assert!(text.contains("\"aicpu_tasks\": []"));
    let c = formats::read_capture(
        &real("paged_attention_CaseVarSeq4_L4_depgen").join("chip_swimlane_records.json"),
    )
    .unwrap();
    assert_eq!(c.orch_phases.len(), 68);
    assert_eq!(c.submits.len(), 64);
    let d = deps::read(&real("paged_attention_CaseVarSeq4_L4_depgen").join("deps.json")).unwrap();
    assert_eq!(d.edges.len(), 92);
}

#[test]
fn real_captures_write_back_exactly() {
    // The runtime wrote L1, L3 and L4 in an order the join preserves; L2's
    // core 2 has AICPU rows in completion order (a pre-loaded task finished
    // first), which the task-id sort of spec §5.4 cannot keep.
    for (dir, _) in REAL_RAW {
        let path = real(dir).join("chip_swimlane_records.json");
        let c = raw::read(&path).unwrap();
        let out = raw_out(&c);
        if dir.ends_with("_L2") {
            assert_ne!(out, text(&path));
            let again = raw::parse(out.as_bytes(), &path).unwrap();
            assert_eq!(again, c);
        } else {
            assert_eq!(out, text(&path), "{dir}");
        }
    }
    let path = real("legacy_paged_attention_CaseVarSeq4")
        .join("perf_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json");
    assert_eq!(legacy_out(&legacy_json::read(&path).unwrap()), text(&path));
}

#[test]
fn real_legacy_capture_reads() {
    let path = real("legacy_paged_attention_CaseVarSeq4")
        .join("perf_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json");
    assert_eq!(detect::detect_file(&path).unwrap(), Generation::LegacyA);
    let c = formats::read_capture(&path).unwrap();
    assert_eq!(c.tasks.len(), 64);
    assert_eq!(c.runtime_level, Some(4));
    let present: std::collections::HashSet<TaskId> = c.tasks.iter().map(|t| t.task_id).collect();
    let edges: usize = c
        .fanout
        .iter()
        .map(|f| f.successors.iter().filter(|s| present.contains(s)).count())
        .sum();
    assert_eq!(edges, 76);
    assert_eq!(c.info.num_cores(), 72);
    assert_eq!((c.info.aicpu_threads, c.info.orchestrator_thread()), (4, 3));
    assert_eq!(c.orch_phases.len(), 396);
    assert_eq!(c.info.func_names[&1], "PV");
    assert_eq!(
        c.info.case_name.as_deref(),
        Some("TestPagedAttention_CaseVarSeq4")
    );
    // The converter's Perfetto output beside it reads as the same run.
    let merged = real("legacy_paged_attention_CaseVarSeq4")
        .join("merged_swimlane_20261124_064023_TestPagedAttention_CaseVarSeq4.json");
    assert_eq!(detect::detect_file(&merged).unwrap(), Generation::Perfetto);
    assert_eq!(formats::read_capture(&merged).unwrap().tasks.len(), 64);
}

// ---------------------------------------------------------------------------
// Errors: one line, naming the file.

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swimtop-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read_error(name: &str, content: &[u8]) -> String {
    let dir = scratch(name);
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let e = formats::read_capture(&path).unwrap_err().to_string();
    assert!(!e.contains('\n'), "{e}");
    assert!(e.starts_with(&path.display().to_string()), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
    e
}

#[test]
fn unknown_version_is_refused() {
    let e = read_error("v7.json", br#"{"version": 7, "tasks": []}"#);
    assert!(
        e.ends_with("version 7 is not supported: expected 0, 1, 2, 3 or 4"),
        "{e}"
    );
}

#[test]
fn level_out_of_range_is_refused() {
    let text = text(&spec("chip_swimlane_records.L1.json"))
        .replace("\"chip_swimlane_level\": 1", "\"chip_swimlane_level\": 9");
    let e = read_error("l9.json", text.as_bytes());
    assert!(
        e.contains("chip_swimlane_level 9 is not supported: expected a level 1, 2, 3 or 4"),
        "{e}"
    );
    let e = read_error("l0.json", br#"{"l2_perf_level": 0, "tasks": []}"#);
    assert!(e.contains("l2_perf_level 0 is not supported"), "{e}");
}

#[test]
fn truncated_file_names_the_offset() {
    let full = std::fs::read(spec("chip_swimlane_records.L2.json")).unwrap();
    let e = read_error("cut.json", &full[..full.len() / 2]);
    assert!(e.contains(&format!("byte {}", full.len() / 2)), "{e}");
    assert!(e.contains("truncated file"), "{e}");
}

#[test]
fn wrong_types_say_what_was_expected() {
    let text = text(&spec(LEGACY[1])).replacen(
        "\"start_time_us\": 0.220",
        "\"start_time_us\": \"soon\"",
        1,
    );
    let e = read_error("types.json", text.as_bytes());
    assert!(
        e.contains("invalid type: string \"soon\", expected f64"),
        "{e}"
    );
    assert!(e.contains("(line 10 column"), "{e}");
    let e = read_error(
        "meta.json",
        br#"{"chip_swimlane_level": 2, "metadata": "x", "aicore_tasks": []}"#,
    );
    assert!(e.contains("expected struct Metadata"), "{e}");
    let e = read_error(
        "ct.json",
        br#"{"version": 0, "tasks": [{"task_id": 0, "func_id": 0, "core_id": 0,
        "core_type": "npu", "start_time_us": 0.0, "end_time_us": 1.0}]}"#,
    );
    assert!(
        e.contains("tasks[0]: core_type: expected \"aic\" or \"aiv\""),
        "{e}"
    );
}

#[test]
fn not_json_and_not_captures() {
    let e = read_error("junk.json", b"hello");
    assert!(
        e.contains("byte 0 (line 1 column 1): not valid JSON"),
        "{e}"
    );
    let e = read_error("list.json", b"[1, 2, 3]");
    assert!(
        e.contains(
            "not a swimlane capture: expected a JSON object at the top level, found an array"
        ),
        "{e}"
    );
    let e = read_error("other.json", br#"{"name": "x", "rows": []}"#);
    assert!(
        e.contains("not a swimlane capture: expected chip_swimlane_level"),
        "{e}"
    );
    assert!(e.contains("found [name, rows]"), "{e}");
    let missing = formats::read_capture(Path::new("/nonexistent/c.json"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("/nonexistent/c.json: cannot read:"),
        "{missing}"
    );
}

// ---------------------------------------------------------------------------
// write_capture

#[test]
fn chip_export_writes_records_deps_and_names_atomically() {
    let dir = scratch("chip");
    let out = dir.join("nested/run/chip_swimlane_records.json");
    let c = tiny_attn::capture(3);
    let paths = formats::write_capture(&c, &out, Format::Chip).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "chip_swimlane_records.json",
            "deps.json",
            "name_map_TestTinyAttn_default.json"
        ]
    );
    assert_eq!(
        text(&paths[0]),
        text(&spec("chip_swimlane_records.L4.json"))
    );
    assert_eq!(text(&paths[1]), text(&spec("deps.json")));
    assert_eq!(
        text(&paths[2]),
        text(&spec("name_map_TestTinyAttn_default.json"))
    );
    // Only the three files: no temporary left behind.
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 3);
    // Reading it back picks the siblings up again.
    let back = formats::read_capture(&out).unwrap();
    assert_eq!(back.info.func_names, c.info.func_names);
    assert_eq!(back.submits, c.submits);
    assert_eq!(
        back.tasks.iter().map(|t| t.func_id).collect::<Vec<_>>(),
        vec![0, 1, 1, 2, 3]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn swimlane_export_writes_the_file_and_its_name_map() {
    let dir = scratch("swimlane");
    let out = dir.join("perf_swimlane_20260415_101500.json");
    let paths = formats::write_capture(&tiny_attn::capture(2), &out, Format::Swimlane).unwrap();
    let name_map = dir.join("name_map_TestTinyAttn_default.json");
    assert_eq!(paths, vec![out.clone(), name_map.clone()]);
    assert_eq!(text(&out), text(&spec(LEGACY[1])));
    assert_eq!(
        text(&name_map),
        text(&spec("name_map_TestTinyAttn_default.json"))
    );
    // Reading it back finds the names again.
    let back = formats::read_capture(&out).unwrap();
    assert_eq!(back.info.func_names.get(&0).map(String::as_str), Some("QK"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_paths_are_named() {
    let dir = scratch("unwritable");
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = blocker.join("out.json");
    let e = formats::write_capture(&tiny_attn::capture(2), &out, Format::Chip)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("{}: cannot write:", out.display())),
        "{e}"
    );
    assert!(!e.contains('\n'));
    let e = formats::write_capture(
        &tiny_attn::capture(0),
        &dir.join("l0.json"),
        Format::Swimlane,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("level-0 capture"), "{e}");
    assert!(!dir.join("l0.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn formats_have_cli_names() {
    use clap::ValueEnum;
    let names: Vec<String> = Format::value_variants()
        .iter()
        .map(|f| f.to_possible_value().unwrap().get_name().to_string())
        .collect();
    assert_eq!(names, ["swimlane", "chip", "perfetto"]);
    assert_eq!("chip".parse::<Format>().unwrap(), Format::Chip);
}

// ---------------------------------------------------------------------------
// Properties.

mod props {
    use std::collections::{BTreeMap, HashMap};
    use std::path::Path;

    use proptest::prelude::*;
    use serde_json::{Value, json};
    use swimtop::capture::formats::{self, deps, detect, legacy_json, name_map, raw};
    use swimtop::dfx::Level;
    use swimtop::record::*;

    fn any_kind() -> impl Strategy<Value = SchedPhase> {
        prop_oneof![
            Just(SchedPhase::Complete),
            Just(SchedPhase::Dispatch),
            Just(SchedPhase::Idle),
            Just(SchedPhase::Scan),
            Just(SchedPhase::Resolve),
            Just(SchedPhase::Release),
            Just(SchedPhase::DummyTask),
            Just(SchedPhase::EarlyDispatch),
            Just(SchedPhase::Other("mystery".into())),
        ]
    }

    fn any_orch_kind() -> impl Strategy<Value = OrchPhase> {
        prop_oneof![
            Just(OrchPhase::Submit),
            Just(OrchPhase::Alloc),
            Just(OrchPhase::Sync),
            Just(OrchPhase::Lookup),
            Just(OrchPhase::Fanin),
        ]
    }

    /// (task local, ring, core, func, start, duration, head, tail, receive gap)
    type TaskSeed = (u32, u8, usize, i32, u64, u64, u64, u64, Option<u64>);
    /// (kind, thread, start, duration, loop_iter, processed, pops, shared, task)
    type PhaseSeed = (
        SchedPhase,
        u16,
        u64,
        u64,
        u32,
        u32,
        Option<(u32, u32)>,
        Option<[i16; 3]>,
        Option<u32>,
    );
    type OrchSeed = (OrchPhase, u32, Option<u32>, u64, u64);

    fn task_seed() -> impl Strategy<Value = TaskSeed> {
        (
            0u32..6,
            0u8..3,
            0usize..64,
            -1i32..6,
            0u64..2_000_000_000,
            1u64..5_000_000,
            0u64..100_000,
            0u64..100_000,
            proptest::option::of(0u64..10_000),
        )
    }

    fn phase_seed() -> impl Strategy<Value = PhaseSeed> {
        (
            any_kind(),
            0u16..8,
            0u64..2_000_000_000,
            0u64..1_000_000,
            0u32..100,
            0u32..10,
            proptest::option::of((0u32..10, 0u32..10)),
            proptest::option::of([-3i16..20, -3i16..20, -3i16..20]),
            proptest::option::of(0u32..6),
        )
    }

    fn orch_seed() -> impl Strategy<Value = OrchSeed> {
        (
            any_orch_kind(),
            0u32..6,
            proptest::option::of(0u32..6),
            0u64..2_000_000_000,
            0u64..1_000_000,
        )
    }

    prop_compose! {
        fn arb_capture()(
            level in 1u8..=3,
            pin_runtime_level in any::<bool>(),
            cores in 1usize..=7,
            aicpu in 2u16..=6,
            c2t_seed in proptest::option::of(proptest::collection::vec(0u16..8, 7)),
            clock in prop_oneof![Just(50_000_000u64), Just(1_000_000_000), Just(24_000_000)],
            known_regs in any::<bool>(),
            tasks in proptest::collection::vec(task_seed(), 0..16),
            phases in proptest::collection::vec(phase_seed(), 0..16),
            orch in proptest::collection::vec(orch_seed(), 0..10),
            summaries in proptest::collection::vec((0u64..2_000_000_000, 0u64..1_000_000, 0u32..9, 0u64..10_000), 0..3),
            fanout in proptest::collection::vec((0u32..6, proptest::collection::vec((0u32..6, 0u8..2), 0..4)), 0..5),
        ) -> Capture {
            build(level, pin_runtime_level, cores, aicpu, c2t_seed, clock, known_regs, tasks, phases, orch, summaries, fanout)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        level: u8,
        pin_runtime_level: bool,
        cores: usize,
        aicpu: u16,
        c2t_seed: Option<Vec<u16>>,
        clock: u64,
        known_regs: bool,
        tasks: Vec<TaskSeed>,
        phases: Vec<PhaseSeed>,
        orch: Vec<OrchSeed>,
        summaries: Vec<(u64, u64, u32, u64)>,
        fanout: Vec<(u32, Vec<(u32, u8)>)>,
    ) -> Capture {
        let sched = aicpu - 1;
        let core_types: Vec<CoreType> = (0..cores)
            .map(|i| {
                if i * 3 < cores {
                    CoreType::Aic
                } else {
                    CoreType::Aiv
                }
            })
            .collect();
        let info = DeviceInfo {
            source: "proptest".into(),
            clock_hz: clock,
            core_types: core_types.clone(),
            core_to_thread: c2t_seed
                .map(|v| {
                    v.iter()
                        .take(cores)
                        .map(|t| i32::from(*t % sched))
                        .collect()
                })
                .unwrap_or_default(),
            sched_threads: sched,
            aicpu_threads: aicpu,
            func_names: BTreeMap::new(),
            orchestrator_name: None,
            case_name: None,
        };
        let mut c = Capture::new(info, Level::new(u64::from(level)).unwrap().flags());
        if pin_runtime_level && level == 3 {
            c.runtime_level = Some(3);
        }
        let mut next_reg: HashMap<u32, u32> = HashMap::new();
        for (local, ring, core, func_id, start, dur, head, tail, gap) in tasks {
            let core_id = (core % cores) as u32;
            let reg = next_reg.entry(core_id).or_insert(0);
            *reg += 1;
            let end = start + dur;
            c.tasks.push(TaskRecord {
                round: 0,
                task_id: TaskId::new(ring, local),
                func_id,
                core_id,
                core_type: core_types[core_id as usize],
                reg_task_id: if known_regs { *reg } else { 0 },
                receive_ns: gap.map(|g| start.saturating_sub(g)),
                start_ns: start,
                end_ns: end,
                dispatch_ns: (level >= 2).then(|| start.saturating_sub(head)),
                finish_ns: (level >= 2).then_some(end + tail),
            });
        }
        if level >= 2 {
            for (local, succ) in fanout {
                c.fanout.push(FanoutRecord {
                    round: 0,
                    task_id: TaskId::new(0, local),
                    successors: succ.into_iter().map(|(l, r)| TaskId::new(r, l)).collect(),
                });
            }
        }
        if level >= 3 {
            for (kind, thread, start, dur, loop_iter, tasks_processed, pops, shared, task) in phases
            {
                c.sched_phases.push(SchedPhaseRecord {
                    round: 0,
                    thread: thread % sched,
                    kind,
                    start_ns: start,
                    end_ns: start + dur,
                    loop_iter,
                    tasks_processed,
                    pops,
                    shared_at_start: shared,
                    shared_at_end: shared.map(|[a, b, c]| [c, b, a]),
                    task_id: task.map(|t| TaskId::new(0, t)),
                });
            }
            for (kind, submit_idx, task, start, dur) in orch {
                c.orch_phases.push(OrchPhaseRecord {
                    round: 0,
                    thread: 0,
                    kind,
                    start_ns: start,
                    end_ns: start + dur,
                    submit_idx,
                    task_id: task.map(|t| TaskId::new(1, t)),
                });
            }
            for (start, dur, submit_count, step) in summaries {
                c.orch_summaries.push(OrchSummary {
                    round: 0,
                    start_ns: start,
                    end_ns: start + dur,
                    submit_count,
                    sync_ns: step,
                    alloc_ns: step * 2,
                    params_ns: step + 1,
                    lookup_ns: 0,
                    heap_ns: 0,
                    insert_ns: step,
                    fanin_ns: 3,
                    scope_end_ns: step / 2,
                });
            }
        }
        c
    }

    fn legacy(c: &Capture) -> Vec<u8> {
        let mut out = Vec::new();
        legacy_json::write(c, &mut out).unwrap();
        out
    }

    fn chip(c: &Capture) -> Vec<u8> {
        let mut out = Vec::new();
        raw::write(c, &mut out).unwrap();
        out
    }

    /// Random JSON built from the schemas' own key names, so the readers'
    /// semantic code (not just the parser) sees odd shapes.
    fn arb_json() -> impl Strategy<Value = Value> {
        let keys = prop_oneof![
            Just("chip_swimlane_level"),
            Just("l2_swimlane_level"),
            Just("l2_perf_level"),
            Just("version"),
            Just("tasks"),
            Just("metadata"),
            Just("clock_freq_hz"),
            Just("core_types"),
            Just("core_to_thread"),
            Just("aicore_tasks"),
            Just("aicpu_tasks"),
            Just("aicpu_scheduler_phases"),
            Just("aicpu_orchestrator_phases"),
            Just("aicpu_orchestrator"),
            Just("task_id"),
            Just("core_id"),
            Just("core_type"),
            Just("start_time_us"),
            Just("end_time_us"),
            Just("finish_time_us"),
            Just("fanout"),
            Just("kind"),
            Just("phase"),
            Just("start_cycles"),
            Just("end_cycles"),
            Just("edges"),
            Just("pred"),
            Just("succ"),
            Just("callable_id_to_name"),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0u64..6).prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            (-1e20f64..1e20).prop_map(|f| json!(f)),
            prop_oneof![Just("aic"), Just("aiv"), Just("12"), Just("x"), Just("-1")]
                .prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    fn read_everything(bytes: &[u8]) {
        let p = Path::new("fuzz.json");
        let _ = formats::parse_capture(bytes, p);
        let _ = detect::detect(bytes, p);
        let _ = legacy_json::parse(bytes, p);
        let _ = raw::parse(bytes, p);
        let _ = deps::parse(bytes, p);
        let _ = name_map::parse(bytes, p);
    }

    const EXAMPLES: [&str; 9] = [
        "chip_swimlane_records.L1.json",
        "chip_swimlane_records.L2.json",
        "chip_swimlane_records.L3.json",
        "chip_swimlane_records.L4.json",
        "deps.json",
        "legacy_v0.perf_swimlane_20260415_101500.json",
        "legacy_v1.perf_swimlane_20260415_101500.json",
        "legacy_v2.perf_swimlane_20260415_101500.json",
        "name_map_TestTinyAttn_default.json",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            read_everything(&bytes);
        }

        #[test]
        fn schema_shaped_json_never_panics(v in arb_json()) {
            let text = serde_json::to_vec(&v).unwrap();
            read_everything(&text);
            // Also as a whole raw / tasks document around it.
            for wrap in [json!({"chip_swimlane_level": 3, "metadata": {"clock_freq_hz": 7}, "aicore_tasks": v.clone()}),
                         json!({"version": 2, "tasks": v.clone(), "aicpu_scheduler_phases": v.clone()})] {
                read_everything(&serde_json::to_vec(&wrap).unwrap());
            }
        }

        #[test]
        fn truncated_examples_error_without_panicking(which in 0usize..EXAMPLES.len(), cut in 0.0f64..1.0) {
            let bytes = std::fs::read(super::spec(EXAMPLES[which])).unwrap();
            let n = ((bytes.len() as f64) * cut) as usize;
            read_everything(&bytes[..n]);
            // A prefix that ends before the closing brace is never accepted.
            let body_end = bytes.iter().rposition(|b| *b == b'}').unwrap();
            if n <= body_end {
                prop_assert!(formats::parse_capture(&bytes[..n], Path::new("cut.json")).is_err());
            }
        }

        #[test]
        fn legacy_write_read_write_is_stable(c in arb_capture()) {
            let first = legacy(&c);
            let back = legacy_json::parse(&first, Path::new("p.json")).unwrap();
            let second = legacy(&back);
            prop_assert_eq!(String::from_utf8(first).unwrap(), String::from_utf8(second).unwrap());
        }

        #[test]
        fn raw_write_read_write_is_stable(c in arb_capture()) {
            let first = chip(&c);
            let back = raw::parse(&first, Path::new("p.json")).unwrap();
            prop_assert_eq!(back.tasks.len(), c.tasks.len());
            let second = chip(&back);
            prop_assert_eq!(String::from_utf8(first).unwrap(), String::from_utf8(second).unwrap());
        }

        #[test]
        fn legacy_written_files_are_detected_at_their_level(c in arb_capture()) {
            let first = legacy(&c);
            let (back, _) = formats::parse_capture(&first, Path::new("p.json")).unwrap();
            // Content can only say less than the flags (no tasks, no phases).
            prop_assert!(back.level() <= c.level());
        }
    }
}
