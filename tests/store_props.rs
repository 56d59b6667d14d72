//! Property tests of the trace store against brute-force models: window
//! answers, arrival-order independence, the CSR edge indexes and eviction.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use swimtop::dfx::Level;
use swimtop::record::{
    Capture, CoreType, DeviceInfo, FanoutRecord, Ns, OrchPhase, OrchPhaseRecord, OrchSummary,
    PhaseRole, Record, SchedPhase, SchedPhaseRecord, SubmitRecord, TaskId, TaskRecord,
};
use swimtop::store::{CellNs, LaneId, TraceStore};

const CORES: u32 = 4;
/// Timestamps start far from zero, as real captures do (≈ 5.5·10¹⁰ cycles).
const BASE: Ns = 1_100_000_000_000;

fn info() -> DeviceInfo {
    let mut func_names = BTreeMap::new();
    func_names.insert(1, "QK".to_string());
    DeviceInfo {
        source: "proptest".into(),
        clock_hz: 50_000_000,
        core_types: vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv, CoreType::Aiv],
        core_to_thread: vec![0, 0, 1, 1],
        sched_threads: 2,
        aicpu_threads: 3,
        func_names,
        orchestrator_name: None,
        case_name: None,
    }
}

fn new_store() -> TraceStore {
    TraceStore::new(info(), Level::PHASE_BUFFERS.flags())
}

fn task(round: u32, id: u32, func: i32, core: u32, start: Ns, end: Ns) -> TaskRecord {
    TaskRecord {
        round,
        task_id: TaskId::new((id % 3) as u8, id),
        func_id: func,
        core_id: core,
        core_type: if core == 0 {
            CoreType::Aic
        } else {
            CoreType::Aiv
        },
        reg_task_id: id,
        receive_ns: (id % 5 == 0).then(|| start.saturating_sub(3)),
        start_ns: start,
        end_ns: end,
        dispatch_ns: (id % 2 == 0).then(|| start.saturating_sub(7)),
        finish_ns: (id % 2 == 0).then_some(end + 4),
    }
}

/// A lane of non-overlapping rows: `(gap, duration, func)` steps from BASE.
fn clean_lane() -> impl Strategy<Value = Vec<(Ns, Ns, i32)>> {
    prop::collection::vec((0u64..40, 0u64..30, -1i32..3), 0..40).prop_map(|steps| {
        let mut t = BASE;
        steps
            .into_iter()
            .map(|(gap, dur, f)| {
                let s = t + gap;
                t = s + dur;
                (s, s + dur, f)
            })
            .collect()
    })
}

/// Rows that may overlap each other (a corrupt capture).
fn messy_lane() -> impl Strategy<Value = Vec<(Ns, Ns, i32)>> {
    prop::collection::vec((0u64..400, 0u64..80, -1i32..3), 0..40).prop_map(|rows| {
        rows.into_iter()
            .map(|(s, d, f)| (BASE + s, BASE + s + d, f))
            .collect()
    })
}

/// `(t0 offset, width, columns)` of a window around the lane.
fn window_spec() -> impl Strategy<Value = (Ns, Ns, usize)> {
    (0u64..500, 0u64..600, 1usize..12)
}

/// Splits `items` into consecutive batches at the given cut fractions.
fn split<T: Clone>(items: &[T], cuts: &[usize]) -> Vec<Vec<T>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (items.len() + 1)).collect();
    points.push(0);
    points.push(items.len());
    points.sort_unstable();
    points
        .windows(2)
        .map(|w| items[w[0]..w[1]].to_vec())
        .collect()
}

/// The window cell the brute-force way: per row clipped overlap and the
/// store's overlap rule (a zero-length row occupies its nanosecond).
fn brute_cell(rows: &[(Ns, Ns, i32)], a: Ns, b: Ns) -> (u64, u32, Option<u32>) {
    if b <= a {
        return (0, 0, None);
    }
    let mut busy = 0u64;
    let mut items = 0u32;
    let mut per_key: BTreeMap<i32, (u64, u32)> = BTreeMap::new();
    for &(s, e, f) in rows {
        let overlap = e.min(b).saturating_sub(s.max(a));
        let hit = s < b && e.max(s + 1) > a;
        busy += overlap;
        let k = per_key.entry(f).or_default();
        k.0 += overlap;
        if hit {
            items += 1;
            k.1 += 1;
        }
    }
    // Most busy ns, then most items, then the smaller key.
    let dominant = per_key
        .iter()
        .filter(|(_, v)| v.1 > 0)
        .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
        .map(|(&k, _)| k as u32);
    (busy, items, dominant)
}

fn ingest_lane(store: &mut TraceStore, rows: &[(Ns, Ns, i32)], cuts: &[usize]) {
    let records: Vec<Record> = rows
        .iter()
        .enumerate()
        .map(|(i, &(s, e, f))| Record::Task(task(0, i as u32, f, 2, s, e)))
        .collect();
    for batch in split(&records, cuts) {
        store.ingest(batch);
    }
}

fn check_window(store: &TraceStore, rows: &[(Ns, Ns, i32)], spec: (Ns, Ns, usize)) {
    let (off, width, columns) = spec;
    let t0 = BASE - 50 + off;
    let t1 = t0 + width;
    let cells: Vec<CellNs> = store.window_ns(LaneId::Core(2), t0, t1, columns);
    let fractions = store.window(LaneId::Core(2), t0, t1, columns);
    assert_eq!(cells.len(), columns);
    assert_eq!(cells[0].t0, t0);
    assert_eq!(cells[columns - 1].t1, t1);
    for (c, f) in cells.iter().zip(&fractions) {
        let (busy, items, dominant) = brute_cell(rows, c.t0, c.t1);
        assert_eq!(c.busy_ns, busy, "busy of [{}, {})", c.t0, c.t1);
        assert_eq!(c.items, items, "items of [{}, {})", c.t0, c.t1);
        assert_eq!(c.dominant, dominant, "dominant of [{}, {})", c.t0, c.t1);
        let want = if c.t1 > c.t0 {
            (busy as f64 / (c.t1 - c.t0) as f64).min(1.0)
        } else {
            0.0
        };
        assert!(
            (f64::from(f.busy) - want).abs() < 1e-5,
            "{} vs {want}",
            f.busy
        );
        assert_eq!(f.items, items);
    }
    let listed: Vec<(Ns, Ns)> = store
        .tasks_in(2, t0, t1)
        .map(|r| {
            let t = store.task(r);
            (t.start_ns, t.end_ns)
        })
        .collect();
    let mut want: Vec<(Ns, Ns)> = rows
        .iter()
        .filter(|&&(s, e, _)| t1 > t0 && s < t1 && e.max(s + 1) > t0)
        .map(|&(s, e, _)| (s, e))
        .collect();
    want.sort_unstable();
    assert_eq!(listed, want);
}

/// Any record of rounds 0..4, on a few lanes and ids (so ids, rounds and
/// lanes collide often).
fn any_record() -> impl Strategy<Value = Record> {
    let round = 0u32..4;
    let t = (
        round.clone(),
        0u32..12,
        -1i32..3,
        0u32..CORES,
        0u64..300,
        0u64..40,
    )
        .prop_map(|(r, id, f, core, s, d)| {
            Record::Task(task(r, id, f, core, BASE + s, BASE + s + d))
        });
    let fan = (
        round.clone(),
        0u32..12,
        prop::collection::vec(0u32..12, 0..4),
    )
        .prop_map(|(r, id, succ)| {
            Record::Fanout(FanoutRecord {
                round: r,
                task_id: TaskId::new(0, id),
                successors: succ.into_iter().map(|s| TaskId::new(0, s)).collect(),
            })
        });
    let kinds = prop::sample::select(vec![
        SchedPhase::Complete,
        SchedPhase::Dispatch,
        SchedPhase::Resolve,
        SchedPhase::DummyTask,
        SchedPhase::Release,
    ]);
    let sched =
        (round.clone(), 0u16..3, kinds, 0u64..300, 0u64..30).prop_map(|(r, thread, kind, s, d)| {
            Record::SchedPhase(SchedPhaseRecord {
                round: r,
                thread,
                kind,
                start_ns: BASE + s,
                end_ns: BASE + s + d,
                loop_iter: (s % 7) as u32,
                tasks_processed: (d % 3) as u32,
                pops: (d % 2 == 0).then_some((1, 2)),
                shared_at_start: None,
                shared_at_end: Some([1, 0, -1]),
                task_id: None,
            })
        });
    let orch = (round.clone(), 0u64..300, 0u64..20, 0u32..9).prop_map(|(r, s, d, idx)| {
        Record::OrchPhase(OrchPhaseRecord {
            round: r,
            thread: 0,
            kind: OrchPhase::Submit,
            start_ns: BASE + s,
            end_ns: BASE + s + d,
            submit_idx: idx,
            task_id: Some(TaskId::new(0, idx)),
        })
    });
    let summary = round.clone().prop_map(|r| {
        Record::OrchSummary(OrchSummary {
            round: r,
            submit_count: r,
            ..OrchSummary::default()
        })
    });
    let submit = (round, 0u32..12, 1u32..3).prop_map(|(r, id, blocks)| {
        Record::Submit(SubmitRecord {
            round: r,
            task_id: TaskId::new(0, id),
            kernel_ids: [0, -1, -1],
            block_num: blocks,
            args: Vec::new(),
            edges_in: Vec::new(),
        })
    });
    prop_oneof![4 => t, 2 => fan, 2 => sched, 1 => orch, 1 => summary, 1 => submit]
}

/// A capture with each kind sorted by its debug text: equal for two stores
/// that hold the same records in different ingest orders.
fn canonical(mut c: Capture) -> Capture {
    fn sort<T: std::fmt::Debug>(v: &mut [T]) {
        v.sort_by_cached_key(|x| format!("{x:?}"));
    }
    sort(&mut c.tasks);
    sort(&mut c.fanout);
    sort(&mut c.sched_phases);
    sort(&mut c.orch_phases);
    sort(&mut c.orch_summaries);
    sort(&mut c.submits);
    c
}

/// Every answer a reader of the store can get, minus ingest sequence numbers.
fn answers(s: &TraceStore) -> Vec<String> {
    let mut out = vec![
        format!("{:?}", s.lanes()),
        format!("{:?} {} {}", s.time_range(), s.task_count(), s.edge_count()),
        format!("{:?}", s.stats(None)),
        format!("{:?}", s.stats(Some((BASE + 40, BASE + 200)))),
        format!("{:?}", canonical(s.to_capture())),
    ];
    for lane in s.lanes() {
        for (t0, t1, n) in [
            (BASE, BASE + 400, 9),
            (BASE + 17, BASE + 90, 5),
            (0, BASE * 2, 3),
        ] {
            out.push(format!("{lane:?} {:?}", s.window_ns(lane, t0, t1, n)));
            for role in [PhaseRole::Inner, PhaseRole::Marker] {
                out.push(format!("{:?}", s.phase_window_ns(lane, role, t0, t1, n)));
            }
            let phases: Vec<_> = s
                .phases_in(lane, t0, t1)
                .map(|p| {
                    (
                        p.start_ns,
                        p.end_ns,
                        s.phase_name(p.name),
                        p.round,
                        p.detail,
                    )
                })
                .collect();
            out.push(format!("{phases:?}"));
            if let LaneId::Core(c) = lane {
                let rows: Vec<TaskRecord> = s.tasks_in(c, t0, t1).map(|r| s.task(r)).collect();
                out.push(format!("{rows:?}"));
            }
        }
    }
    for id in 0..12 {
        let id = TaskId::new(0, id);
        out.push(format!(
            "{:?} {:?} {:?}",
            s.successors(id),
            s.predecessors(id),
            s.find_task(id)
                .into_iter()
                .map(|r| s.task(r))
                .collect::<Vec<_>>()
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn window_matches_brute_force_on_clean_lanes(
        rows in clean_lane(),
        cuts in prop::collection::vec(0usize..64, 0..4),
        specs in prop::collection::vec(window_spec(), 1..4),
    ) {
        let mut store = new_store();
        ingest_lane(&mut store, &rows, &cuts);
        for spec in specs {
            check_window(&store, &rows, spec);
        }
    }

    #[test]
    fn window_matches_brute_force_on_overlapping_lanes(
        rows in messy_lane(),
        cuts in prop::collection::vec(0usize..64, 0..4),
        specs in prop::collection::vec(window_spec(), 1..4),
    ) {
        let mut store = new_store();
        ingest_lane(&mut store, &rows, &cuts);
        for spec in specs {
            check_window(&store, &rows, spec);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn answers_do_not_depend_on_batching_or_order(
        records in prop::collection::vec(any_record(), 0..50),
        shuffle_seed in any::<u64>(),
        cuts in prop::collection::vec(0usize..64, 0..5),
    ) {
        let mut one = new_store();
        one.ingest(records.clone());
        // A deterministic shuffle from the generated seed.
        let mut shuffled = records.clone();
        let mut seed = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let mut many = new_store();
        for batch in split(&shuffled, &cuts) {
            many.ingest(batch);
        }
        prop_assert_eq!(answers(&one), answers(&many));
        // Ingest order is the documented order of to_capture.
        let mut want = Capture::new(info(), Level::PHASE_BUFFERS.flags());
        for r in records {
            want.push(r);
        }
        prop_assert_eq!(one.to_capture(), want);
    }

    #[test]
    fn csr_equals_a_map_model(
        fans in prop::collection::vec(
            (0u32..4, 0u32..15, prop::collection::vec(0u32..15, 0..6)), 0..60),
        cuts in prop::collection::vec(0usize..64, 0..5),
        evictions in prop::collection::vec(1u32..5, 0..3),
    ) {
        let records: Vec<Record> = fans
            .iter()
            .map(|(r, id, succ)| Record::Fanout(FanoutRecord {
                round: *r,
                task_id: TaskId::new(0, *id),
                successors: succ.iter().map(|&s| TaskId::new(0, s)).collect(),
            }))
            .collect();
        let mut store = new_store();
        for batch in split(&records, &cuts) {
            store.ingest(batch);
        }
        let model = |min_round: u32| {
            let mut succ: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            let mut pred: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for (r, id, ss) in &fans {
                if *r < min_round {
                    continue;
                }
                for &s in ss {
                    succ.entry(*id).or_default().insert(s);
                    pred.entry(s).or_default().insert(*id);
                }
            }
            (succ, pred)
        };
        let mut floor = 0;
        for before in std::iter::once(0).chain(evictions) {
            store.evict_rounds_before(before);
            floor = floor.max(before);
            let (succ, pred) = model(floor);
            let ids = |m: &BTreeMap<u32, BTreeSet<u32>>, k: u32| -> Vec<TaskId> {
                m.get(&k).map(|s| s.iter().map(|&v| TaskId::new(0, v)).collect()).unwrap_or_default()
            };
            for k in 0..15 {
                let (want_succ, want_pred) = (ids(&succ, k), ids(&pred, k));
                prop_assert_eq!(store.successors(TaskId::new(0, k)), want_succ.as_slice());
                prop_assert_eq!(store.predecessors(TaskId::new(0, k)), want_pred.as_slice());
            }
            prop_assert_eq!(store.edge_count(), succ.values().map(BTreeSet::len).sum::<usize>());
        }
    }

    #[test]
    fn eviction_removes_exactly_the_old_rounds(
        records in prop::collection::vec(any_record(), 0..60),
        cuts in prop::collection::vec(0usize..64, 0..4),
        evictions in prop::collection::vec(0u32..5, 1..4),
    ) {
        let mut store = new_store();
        for batch in split(&records, &cuts) {
            store.ingest(batch);
        }
        let mut floor = 0;
        for before in evictions {
            let gone = store.evict_rounds_before(before);
            let expected_gone = records
                .iter()
                .filter(|r| r.round() >= floor && r.round() < before)
                .count() as u64;
            prop_assert_eq!(gone, expected_gone);
            floor = floor.max(before);
            prop_assert_eq!(store.ingested(), store.live_records() + store.evicted());
            prop_assert_eq!(store.ingested(), records.len() as u64);
            let mut want = Capture::new(info(), Level::PHASE_BUFFERS.flags());
            for r in records.iter().filter(|r| r.round() >= floor) {
                want.push(r.clone());
            }
            prop_assert_eq!(store.live_records(), want.record_count() as u64);
            prop_assert_eq!(store.to_capture(), want.clone());
            // The indexes were rebuilt from what is left.
            let mut fresh = new_store();
            fresh.ingest(records.iter().filter(|r| r.round() >= floor).cloned().collect());
            prop_assert_eq!(answers(&store), answers(&fresh));
        }
    }
}
