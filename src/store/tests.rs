//! Store-level unit tests: hand-made traces whose answers can be worked out
//! by hand.

use std::collections::BTreeMap;

use super::*;
use crate::dfx::Level;
use crate::record::{
    Capture, FanoutRecord, OrchPhase, OrchPhaseRecord, Record, SchedPhase, SchedPhaseRecord,
    SubmitRecord,
};

fn info(aic: usize, aiv: usize, threads: u16) -> DeviceInfo {
    let mut func_names = BTreeMap::new();
    func_names.insert(0, "QK".to_string());
    DeviceInfo {
        source: "test".into(),
        clock_hz: 50_000_000,
        core_types: std::iter::repeat_n(CoreType::Aic, aic)
            .chain(std::iter::repeat_n(CoreType::Aiv, aiv))
            .collect(),
        core_to_thread: vec![0; aic + aiv],
        sched_threads: threads,
        aicpu_threads: threads + 1,
        func_names,
        orchestrator_name: None,
        case_name: None,
    }
}

fn store() -> TraceStore {
    TraceStore::new(info(2, 4, 2), Level::TASK_LIFECYCLE.flags())
}

fn task(round: u32, id: u32, func: i32, core: u32, start: Ns, end: Ns) -> TaskRecord {
    TaskRecord {
        round,
        task_id: TaskId::new(0, id),
        func_id: func,
        core_id: core,
        core_type: if core < 2 {
            CoreType::Aic
        } else {
            CoreType::Aiv
        },
        reg_task_id: id,
        receive_ns: None,
        start_ns: start,
        end_ns: end,
        dispatch_ns: None,
        finish_ns: None,
    }
}

fn lifecycle(mut t: TaskRecord, dispatch: Ns, finish: Ns) -> TaskRecord {
    t.dispatch_ns = Some(dispatch);
    t.finish_ns = Some(finish);
    t
}

fn sched(thread: u16, kind: SchedPhase, start: Ns, end: Ns) -> SchedPhaseRecord {
    SchedPhaseRecord {
        round: 0,
        thread,
        kind,
        start_ns: start,
        end_ns: end,
        loop_iter: 0,
        tasks_processed: 1,
        pops: None,
        shared_at_start: None,
        shared_at_end: None,
        task_id: None,
    }
}

fn fanout(round: u32, from: u32, to: &[u32]) -> Record {
    Record::Fanout(FanoutRecord {
        round,
        task_id: TaskId::new(0, from),
        successors: to.iter().map(|&t| TaskId::new(0, t)).collect(),
    })
}

fn cells(s: &TraceStore, lane: LaneId, t0: Ns, t1: Ns, n: usize) -> Vec<(u64, u32, Option<u32>)> {
    s.window_ns(lane, t0, t1, n)
        .into_iter()
        .map(|c| (c.busy_ns, c.items, c.dominant))
        .collect()
}

#[test]
fn labels_follow_the_spec() {
    let mut s = store();
    assert_eq!(s.func_label(0), "QK");
    assert_eq!(s.func_label(-1), "task");
    assert_eq!(s.func_label(3), "func_3_d");
    assert_eq!(s.func_label(27), "func_27_ab");
    let qk = TaskRecord {
        task_id: TaskId::new(0, 12),
        ..task(0, 12, 0, 0, 0, 10)
    };
    assert_eq!(s.task_label(&qk), "QK(t12)");
    let other = TaskRecord {
        task_id: TaskId::new(1, 3),
        ..task(0, 3, 27, 0, 0, 10)
    };
    assert_eq!(s.task_label(&other), "func_27_ab(r1t3)");

    // Two rows of one id on AIV cores in one round: SPMD by the converter's rule.
    s.ingest(vec![
        Record::Task(task(0, 7, 1, 2, 0, 10)),
        Record::Task(task(0, 7, 1, 3, 0, 10)),
        // A MIX task: AIC + AIV rows, not SPMD.
        Record::Task(task(0, 8, 1, 0, 0, 10)),
        Record::Task(task(0, 8, 2, 4, 0, 10)),
    ]);
    assert_eq!(s.task_label(&task(0, 7, 1, 2, 0, 10)), "func_1_b_spmd(t7)");
    assert_eq!(s.task_label(&task(0, 8, 1, 0, 0, 10)), "func_1_b(t8)");
    // A submit record is authoritative.
    s.ingest(vec![Record::Submit(SubmitRecord {
        round: 0,
        task_id: TaskId::new(0, 8),
        kernel_ids: [1, 2, -1],
        block_num: 4,
        args: Vec::new(),
        edges_in: Vec::new(),
    })]);
    assert_eq!(s.task_label(&task(0, 8, 1, 0, 0, 10)), "func_1_b_spmd(t8)");
}

#[test]
fn lanes_are_listed_orch_sched_then_cores() {
    let mut s = store();
    assert_eq!(
        s.lanes(),
        vec![
            LaneId::Sched(0),
            LaneId::Sched(1),
            LaneId::Core(0),
            LaneId::Core(1),
            LaneId::Core(2),
            LaneId::Core(3),
            LaneId::Core(4),
            LaneId::Core(5),
        ]
    );
    s.ingest(vec![
        Record::OrchPhase(OrchPhaseRecord {
            round: 0,
            thread: 0,
            kind: OrchPhase::Submit,
            start_ns: 0,
            end_ns: 5,
            submit_idx: 0,
            task_id: None,
        }),
        // A core the device info does not list still gets a lane.
        Record::Task(task(0, 1, 0, 9, 0, 10)),
    ]);
    let lanes = s.lanes();
    assert_eq!(lanes[0], LaneId::Orch(0));
    assert_eq!(lanes.last(), Some(&LaneId::Core(9)));
    assert_eq!(s.lane_label(LaneId::Core(1)), "AIC_1");
    assert_eq!(s.lane_label(LaneId::Core(9)), "AIV_9");
    assert_eq!(s.lane_label(LaneId::Sched(1)), "Sched_1");
    assert_eq!(s.lane_label(LaneId::Orch(0)), "Orch_0");
}

#[test]
fn window_on_a_hand_made_core_lane() {
    let mut s = store();
    s.ingest(vec![
        Record::Task(task(0, 1, 0, 0, 0, 30)),
        Record::Task(task(0, 2, 2, 0, 40, 50)),
        Record::Task(task(0, 3, 2, 0, 55, 60)),
        Record::Task(task(0, 4, 0, 0, 80, 80)),
    ]);
    assert_eq!(
        cells(&s, LaneId::Core(0), 0, 100, 4),
        vec![
            (25, 1, Some(0)),
            (15, 2, Some(2)),
            (5, 1, Some(2)),
            (0, 1, Some(0))
        ]
    );
    let w = s.window(LaneId::Core(0), 0, 100, 4);
    assert_eq!(w[0].busy, 1.0);
    assert!((w[1].busy - 0.6).abs() < 1e-6);
    assert_eq!(
        s.window(LaneId::Core(0), 60, 80, 2),
        vec![Cell::default(); 2]
    );
    // A lane without rows, and a core that does not exist, give empty cells.
    assert!(
        s.window(LaneId::Core(1), 0, 100, 3)
            .iter()
            .all(|c| *c == Cell::default())
    );
    assert_eq!(s.window(LaneId::Core(77), 0, 100, 3).len(), 3);
    // tasks_in: overlapping rows in start order, zero-length row included.
    let ids: Vec<u32> = s
        .tasks_in(0, 29, 81)
        .map(|r| s.task(r).task_id.local())
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4]);
    assert_eq!(s.tasks_in(0, 30, 40).count(), 0);
    assert_eq!(s.tasks_in(5, 0, 100).count(), 0);
}

#[test]
fn phase_lanes_answer_over_outer_phases_only() {
    let mut s = TraceStore::new(info(1, 2, 1), Level::PHASE_BUFFERS.flags());
    s.ingest(vec![
        Record::SchedPhase(sched(0, SchedPhase::Complete, 0, 60)),
        Record::SchedPhase(sched(0, SchedPhase::Resolve, 10, 50)),
        Record::SchedPhase(sched(0, SchedPhase::Dispatch, 60, 100)),
        Record::SchedPhase(sched(0, SchedPhase::DummyTask, 70, 70)),
    ]);
    let complete = s.phase_name_id("complete");
    let dispatch = s.phase_name_id("dispatch");
    let resolve = s.phase_name_id("resolve");
    assert_eq!(
        cells(&s, LaneId::Sched(0), 0, 100, 2),
        vec![(50, 1, complete), (50, 2, dispatch)]
    );
    assert_eq!(
        s.phase_window_ns(LaneId::Sched(0), PhaseRole::Inner, 0, 100, 2)[0].busy_ns,
        40
    );
    assert_eq!(
        s.phase_window(LaneId::Sched(0), PhaseRole::Inner, 0, 100, 1)[0].dominant,
        resolve
    );
    assert_eq!(
        s.phase_window(LaneId::Sched(0), PhaseRole::Marker, 0, 100, 4)[2].items,
        1
    );
    let names: Vec<&str> = s
        .phases_in(LaneId::Sched(0), 55, 65)
        .map(|p| s.phase_name(p.name))
        .collect();
    assert_eq!(names, vec!["complete", "dispatch"]);
    let inner: Vec<&str> = s
        .phases_in_role(LaneId::Sched(0), PhaseRole::Inner, 0, 100)
        .map(|p| s.phase_name(p.name))
        .collect();
    assert_eq!(inner, vec!["resolve"]);
    assert_eq!(s.phases_in(LaneId::Core(0), 0, 100).count(), 0);
    assert_eq!(s.time_range(), Some((0, 100)));
}

#[test]
fn out_of_order_ingest_gives_the_same_answers() {
    let rows: Vec<TaskRecord> = (0..40u32)
        .map(|i| {
            let s = u64::from(i) * 10;
            lifecycle(
                task(0, i, (i % 3) as i32, i % 4, s, s + 7),
                s.saturating_sub(2),
                s + 9,
            )
        })
        .collect();
    let mut a = store();
    a.ingest(rows.iter().cloned().map(Record::Task).collect());
    let mut b = store();
    for chunk in rows.iter().rev().collect::<Vec<_>>().chunks(7) {
        b.ingest(chunk.iter().map(|t| Record::Task((*t).clone())).collect());
    }
    for lane in a.lanes() {
        for (t0, t1, n) in [(0, 400, 8), (13, 97, 5), (0, 3, 3)] {
            assert_eq!(a.window_ns(lane, t0, t1, n), b.window_ns(lane, t0, t1, n));
        }
    }
    let mut ca = a.to_capture().tasks;
    let mut cb = b.to_capture().tasks;
    assert_eq!(ca.len(), 40);
    // Ingest order differs by construction; the content does not.
    cb.reverse();
    assert_eq!(ca, rows);
    assert_eq!(cb, rows);
    ca.sort_by_key(|t| t.task_id);
    assert_eq!(a.time_range(), b.time_range());
    let r = a.find_task(TaskId::new(0, 17));
    assert_eq!(r.len(), 1);
    assert_eq!(a.task(r[0]), rows[17]);
}

#[test]
fn fanout_builds_successors_and_predecessors() {
    let mut s = store();
    s.ingest(vec![fanout(0, 1, &[2, 3]), fanout(0, 2, &[4])]);
    s.ingest(vec![fanout(0, 3, &[4]), fanout(1, 1, &[2, 5])]);
    let t = |n| TaskId::new(0, n);
    assert_eq!(s.successors(t(1)), &[t(2), t(3), t(5)]);
    assert_eq!(s.predecessors(t(4)), &[t(2), t(3)]);
    assert_eq!(s.predecessors(t(2)), &[t(1)]);
    assert_eq!(s.edge_count(), 5);
    assert_eq!(s.evict_rounds_before(1), 3);
    assert_eq!(s.successors(t(1)), &[t(2), t(5)]);
    assert!(s.predecessors(t(4)).is_empty());
    assert_eq!(s.edge_count(), 2);
}

#[test]
fn eviction_removes_whole_rounds_and_counts_them() {
    let mut s = store();
    for round in 0..4u32 {
        let base = u64::from(round) * 1000;
        s.ingest(vec![
            Record::Task(TaskRecord {
                round,
                ..task(round, 1, 0, 0, base, base + 100)
            }),
            Record::Task(TaskRecord {
                round,
                ..task(round, 2, 1, 3, base + 100, base + 300)
            }),
            Record::SchedPhase(SchedPhaseRecord {
                round,
                ..sched(0, SchedPhase::Dispatch, base, base + 50)
            }),
            fanout(round, 1, &[2]),
        ]);
        s.round_done(&RoundSummary {
            round,
            start_ns: base,
            end_ns: base + 300,
            tasks: 2,
            records: 4,
            overhead_ns: 0,
        });
    }
    assert_eq!(s.live_records(), 16);
    assert_eq!(s.evict_rounds_before(2), 8);
    assert_eq!(s.evicted(), 8);
    assert_eq!(s.ingested(), s.live_records() + s.evicted());
    assert_eq!(s.task_count(), 4);
    assert_eq!(
        s.rounds().iter().map(|r| r.round).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!(s.time_range(), Some((2000, 3300)));
    assert!(s.to_capture().tasks.iter().all(|t| t.round >= 2));
    assert_eq!(s.find_task(TaskId::new(0, 1)).len(), 2);
    assert_eq!(s.evict_rounds_before(2), 0);

    // A cap evicts the oldest rounds but never the newest.
    s.set_max_live_records(Some(5));
    assert_eq!(
        s.rounds().iter().map(|r| r.round).collect::<Vec<_>>(),
        vec![3]
    );
    assert_eq!(s.live_records(), 4);
    s.set_max_live_records(Some(1));
    assert_eq!(s.live_records(), 4);
    assert_eq!(s.evict_rounds_before(u32::MAX), 4);
    assert_eq!(s.time_range(), None);
    assert_eq!(s.task_count(), 0);
    assert_eq!(s.ingested(), s.evicted());
}

#[test]
fn messy_data_never_panics_and_clamps() {
    let mut s = store();
    s.ingest(vec![
        Record::Task(task(0, 1, 0, 0, 0, 100)),
        Record::Task(task(0, 2, 1, 0, 0, 100)),
        Record::Task(task(0, 3, 1, 0, 50, 40)), // end before start
        Record::SchedPhase(sched(0, SchedPhase::Complete, 90, 10)),
    ]);
    assert_eq!(s.repaired(), 2);
    let w = s.window(LaneId::Core(0), 0, 100, 2);
    assert_eq!(w[0].busy, 1.0);
    assert_eq!(w[1].items, 3);
    assert_eq!(s.window_ns(LaneId::Core(0), 0, 100, 1)[0].busy_ns, 200);
    let stale = TaskRef { core: 0, index: 99 };
    assert_eq!(s.get_task(stale), None);
    assert_eq!(s.get_task(TaskRef { core: 42, index: 0 }), None);
}

#[test]
fn stats_on_a_tiny_trace() {
    let mut s = TraceStore::new(info(2, 0, 1), Level::PHASE_BUFFERS.flags());
    s.ingest(vec![
        Record::Task(lifecycle(task(0, 1, 0, 0, 10, 40), 0, 50)),
        Record::Task(lifecycle(task(0, 2, 0, 0, 105, 125), 100, 130)),
        Record::Task(lifecycle(task(0, 3, 0, 0, 220, 320), 200, 340)),
        Record::Task(task(0, 4, 1, 1, 0, 10)),
        Record::SchedPhase(sched(0, SchedPhase::Complete, 0, 100)),
        Record::SchedPhase(sched(0, SchedPhase::Resolve, 10, 20)),
        Record::SchedPhase(sched(0, SchedPhase::Dispatch, 100, 150)),
    ]);
    let st = s.stats(None);
    assert_eq!(st.level, Level::PHASE_BUFFERS);
    assert_eq!(st.tasks, 4);
    assert_eq!(st.span_ns, 340);
    let qk = &st.functions[0];
    assert_eq!((qk.func_id, qk.label.as_str(), qk.count), (0, "QK", 3));
    // exec 30, 20, 100 → mean 50, p50 (rank 2) 30, p99 (rank 3) 100.
    assert_eq!(qk.exec_mean_ns, 50.0);
    assert_eq!((qk.exec_p50_ns, qk.exec_p99_ns), (30, 100));
    // head 10, 5, 20; tail 10, 5, 20; latency 50, 30, 140.
    assert_eq!(qk.head_mean_ns, Some(35.0 / 3.0));
    assert_eq!(qk.tail_mean_ns, Some(35.0 / 3.0));
    assert_eq!(qk.latency_mean_ns, Some(220.0 / 3.0));
    let pct = qk.exec_pct.unwrap();
    assert!((pct - 150.0 / 220.0 * 100.0).abs() < 1e-9, "{pct}");
    let f1 = &st.functions[1];
    assert_eq!(f1.label, "func_1_b");
    assert_eq!(
        (f1.head_mean_ns, f1.latency_mean_ns, f1.exec_pct),
        (None, None, None)
    );
    assert_eq!(st.cores[0].busy_ns, 150);
    assert!((st.cores[0].utilisation - 150.0 / 340.0).abs() < 1e-12);
    assert_eq!(st.cores[1].tasks, 1);
    let th = &st.threads[0];
    assert_eq!(
        th.phases,
        vec![
            ("complete".to_string(), 100, 100.0 / 150.0),
            ("dispatch".to_string(), 50, 50.0 / 150.0),
            ("resolve".to_string(), 10, 10.0 / 150.0),
        ]
    );
    assert!(st.orchestrators.is_empty());

    // Restricted to [0, 100): rows 1 and 4; busy clipped to the range.
    let st = s.stats(Some((0, 100)));
    assert_eq!(st.tasks, 2);
    assert_eq!(st.span_ns, 100);
    assert_eq!(st.functions[0].count, 1);
    assert_eq!(st.cores[0].busy_ns, 30);
    assert!((st.cores[0].utilisation - 0.3).abs() < 1e-12);
    assert_eq!(
        st.threads[0].phases,
        vec![
            ("complete".to_string(), 100, 1.0),
            ("resolve".to_string(), 10, 0.1),
        ]
    );
}

#[test]
fn capture_round_trip_is_faithful() {
    let mut s = store();
    let mut with_receive = task(2, 9, 0, 1, 500, 600);
    with_receive.receive_ns = Some(490);
    let mut p = sched(1, SchedPhase::Other("mystery".into()), 5, 9);
    p.pops = Some((3, 1));
    p.shared_at_start = Some([1, -2, 3]);
    p.task_id = Some(TaskId::new(2, 4));
    let records = vec![
        Record::Task(lifecycle(task(0, 1, 0, 0, 10, 20), 5, 25)),
        fanout(0, 1, &[9, 9, 2]),
        Record::SchedPhase(p),
        Record::Task(with_receive),
        Record::SchedPhase(sched(0, SchedPhase::Resolve, 1, 2)),
        Record::OrchPhase(OrchPhaseRecord {
            round: 0,
            thread: 0,
            kind: OrchPhase::Other("orch_weird".into()),
            start_ns: 0,
            end_ns: 4,
            submit_idx: 3,
            task_id: Some(TaskId::new(0, 1)),
        }),
        Record::OrchSummary(crate::record::OrchSummary {
            round: 0,
            submit_count: 2,
            ..Default::default()
        }),
    ];
    let mut want = Capture::new(s.info().clone(), s.flags());
    for r in records.iter().cloned() {
        want.push(r);
    }
    s.ingest(records);
    assert_eq!(s.to_capture(), want);
    let again = TraceStore::from_capture(want.clone());
    assert_eq!(again.to_capture(), want);
    assert_eq!(again.ingested(), want.record_count() as u64);
}

#[test]
fn memory_estimate_grows_with_rows() {
    let mut s = store();
    let empty = s.memory_bytes();
    s.ingest(
        (0..1000u32)
            .map(|i| Record::Task(task(0, i, 0, 0, u64::from(i) * 10, u64::from(i) * 10 + 5)))
            .collect(),
    );
    assert!(s.memory_bytes() > empty + 1000 * 64);
}

/// Per-function columns built from a core lane's rows: the reference the
/// lane's own per-function answers must match.
fn reference_cols(s: &TraceStore, core: u32) -> intervals::Keyed<i32> {
    let lane = &s.cores[&core];
    let mut cols = intervals::Keyed::default();
    for i in 0..lane.len() {
        let r = lane.row(i);
        cols.push_sorted(r.func, r.start, r.end);
    }
    cols.seal_all();
    cols
}

/// A core lane's window through its per-function answers, and through
/// reference per-function columns.
fn both_ways(s: &TraceStore, core: u32, t0: Ns, t1: Ns, n: usize) -> (Vec<CellNs>, Vec<CellNs>) {
    let lane = &s.cores[&core];
    let key = |f: i32| f as u32;
    let tabled = lane.by_func.window(&lane.iv, key, t0, t1, n);
    let cols = reference_cols(s, core);
    let swept = query::window(
        &lane.iv,
        &cols,
        &keyprefix::KeyPrefix::default(),
        key,
        t0,
        t1,
        n,
    );
    (tabled, swept)
}

fn check_by_func(s: &TraceStore, core: u32) {
    for (t0, t1, n) in [(0, 10_000, 40), (1_234, 3_456, 77), (2_000, 2_100, 9)] {
        let (tabled, swept) = both_ways(s, core, t0, t1, n);
        assert_eq!(tabled, swept, "core {core} {t0}..{t1}/{n}");
    }
    let lane = &s.cores[&core];
    let cols = reference_cols(s, core);
    for range in [
        None,
        Some((0, 10_000)),
        Some((1_234, 3_456)),
        Some((3_000, 2_000)),
    ] {
        let want: Vec<(i32, u64, u64)> = cols
            .iter()
            .map(|(k, c)| match range {
                None => (k, c.total_busy(), c.len() as u64),
                Some((a, b)) => (k, c.busy(a, b), c.count(a, b) as u64),
            })
            .collect();
        assert_eq!(
            lane.by_func.per_key(&lane.iv, range),
            want,
            "core {core} {range:?}"
        );
    }
}

#[test]
fn per_function_answers_follow_stragglers_evictions_and_overlaps() {
    // Core 2: 4 rounds of 30 back-to-back tasks over 3 functions; core 3:
    // rounds interleaved in time (eviction takes the slow path there).
    let mut records = Vec::new();
    for round in 0..4u32 {
        for i in 0..30u32 {
            let id = round * 100 + i;
            let s = 1_000 + u64::from(round * 30 + i) * 50;
            let f = ((i * 7) % 3) as i32;
            records.push(Record::Task(task(
                round,
                id,
                f,
                2,
                s,
                s + 10 + u64::from(i % 4) * 10,
            )));
            let r3 = if i % 2 == 0 { round } else { 3 - round };
            records.push(Record::Task(task(r3, id + 1000, f - 1, 3, s, s + 25)));
        }
    }
    let mut s = store();
    // Batches in reverse order: every batch lands before what is there.
    for chunk in records.chunks(37).rev() {
        s.ingest(chunk.to_vec());
    }
    let check = |s: &TraceStore, table: bool| {
        for core in [2, 3] {
            check_by_func(s, core);
            let lane = &s.cores[&core];
            assert_eq!(lane.by_func.has_table(lane.len()), table, "core {core}");
        }
    };
    check(&s, true);
    s.evict_rounds_before(1);
    check(&s, true);
    // Overlapping rows in round 2 on both cores: per-function columns
    // answer instead, rebuilt from the rows...
    s.ingest(vec![
        Record::Task(task(2, 998, 1, 2, 5_000, 9_000)),
        Record::Task(task(2, 999, 5, 3, 4_000, 4_500)),
    ]);
    check(&s, false);
    s.ingest(vec![Record::Task(task(3, 997, 0, 2, 6_041, 6_048))]);
    check(&s, false);
    // ...until eviction takes the overlaps away.
    s.evict_rounds_before(3);
    check(&s, true);
}

#[test]
fn deps_edges_from_submits_join_the_edge_index_and_leave_with_their_round() {
    use crate::record::{DepEdge, EdgeSource, SubmitRecord};
    let submit = |round: u32, succ: u32, preds: &[u32]| {
        Record::Submit(SubmitRecord {
            round,
            task_id: TaskId::new(0, succ),
            kernel_ids: [0, -1, -1],
            block_num: 1,
            args: Vec::new(),
            edges_in: preds
                .iter()
                .map(|&p| DepEdge {
                    pred: TaskId::new(0, p),
                    succ: TaskId::new(0, succ),
                    arg: 0,
                    source: EdgeSource::Tensormap,
                    producer_view: None,
                })
                .collect(),
        })
    };
    let mut s = TraceStore::new(info(1, 0, 1), Level::new(1).unwrap().flags());
    s.ingest(vec![
        submit(0, 1, &[0]),
        submit(1, 3, &[2]),
        submit(1, 4, &[2, 3]),
    ]);
    assert_eq!(s.successors(TaskId::new(0, 0)), &[TaskId::new(0, 1)]);
    assert_eq!(
        s.successors(TaskId::new(0, 2)),
        &[TaskId::new(0, 3), TaskId::new(0, 4)]
    );
    assert_eq!(
        s.predecessors(TaskId::new(0, 4)),
        &[TaskId::new(0, 2), TaskId::new(0, 3)]
    );
    assert_eq!(s.edge_count(), 4);
    // A fanout record naming the same edge: it stays until both are gone.
    s.ingest(vec![Record::Fanout(crate::record::FanoutRecord {
        round: 1,
        task_id: TaskId::new(0, 0),
        successors: vec![TaskId::new(0, 1)],
    })]);
    assert_eq!(s.evict_rounds_before(1), 1);
    assert_eq!(
        s.successors(TaskId::new(0, 0)),
        &[TaskId::new(0, 1)],
        "fanout still names it"
    );
    assert_eq!(s.evict_rounds_before(2), 3);
    assert!(s.successors(TaskId::new(0, 0)).is_empty());
    assert_eq!(s.edge_count(), 0);
}

/// The loader gives the store `ingest` gives for the same tasks in the same
/// order: on a store that already holds rows (its lanes are taken out and
/// put back), with several rounds, ids out of order, repaired rows, and a
/// core id past any chip (kept off the loader's core table).
#[test]
fn the_loader_is_ingest_in_one_pass() {
    use crate::record::TaskSink;
    let mut tasks = Vec::new();
    for i in 0..2_000u32 {
        let core = match i % 7 {
            6 => 9_000,
            c => c,
        };
        let start = u64::from((i * 37) % 1_000) * 10;
        let end = if i % 97 == 0 {
            start.saturating_sub(5)
        } else {
            start + 7
        };
        let id = if i % 3 == 0 { 5_000 - i } else { i };
        let t = task(i % 3, id, (i % 4) as i32 - 1, core, start, end);
        tasks.push(if i % 2 == 0 {
            lifecycle(t, start.saturating_sub(3), end + 4)
        } else {
            t
        });
    }
    let (first, rest) = tasks.split_at(500);
    let records = |ts: &[TaskRecord]| ts.iter().cloned().map(Record::Task).collect::<Vec<_>>();
    let mut a = store();
    a.ingest(records(first));
    a.ingest(records(rest));
    let mut b = store();
    b.ingest(records(first));
    let mut loader = b.into_loader();
    loader.begin(&[300; 7]);
    for t in rest {
        loader.task(t.clone());
    }
    let b = loader.finish();
    assert_eq!(a.to_capture(), b.to_capture());
    assert_eq!(a.stats(None), b.stats(None));
    assert_eq!(
        (a.ingested(), a.repaired(), a.task_count()),
        (b.ingested(), b.repaired(), b.task_count())
    );
    assert_eq!(a.lanes(), b.lanes());
    assert_eq!(a.time_range(), b.time_range());
    for t in &tasks {
        assert_eq!(
            a.find_task(t.task_id),
            b.find_task(t.task_id),
            "{}",
            t.task_id
        );
    }
    let (t0, t1) = a.time_range().unwrap();
    for lane in a.lanes() {
        assert_eq!(
            a.window_ns(lane, t0, t1 + 1, 64),
            b.window_ns(lane, t0, t1 + 1, 64)
        );
    }
}
