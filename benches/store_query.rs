//! Trace-store benchmark: ingest throughput and window-query cost on a
//! synthetic 1M-task capture over 72 cores (24 AIC + 48 AIV, 3 scheduler
//! threads), as a person reads them: plain figures, one per line.
//!
//! Run: `cargo bench --bench store_query`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use swimtop::dfx::Level;
use swimtop::record::{
    CoreType, DeviceInfo, FanoutRecord, Ns, Record, SchedPhase, SchedPhaseRecord, TaskId,
    TaskRecord,
};
use swimtop::store::{LaneId, TraceStore};

const TASKS: u32 = 1_000_000;
const AIC: usize = 24;
const AIV: usize = 48;
const CORES: usize = AIC + AIV;
const ROUNDS: u32 = 10;
const BATCH: usize = 4096;
const COLUMNS: usize = 200;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn info() -> DeviceInfo {
    let mut func_names = BTreeMap::new();
    for (i, n) in ["QK", "SF", "PV", "UP"].into_iter().enumerate() {
        func_names.insert(i as i32, n.to_string());
    }
    DeviceInfo {
        source: "bench".into(),
        clock_hz: 50_000_000,
        core_types: std::iter::repeat_n(CoreType::Aic, AIC)
            .chain(std::iter::repeat_n(CoreType::Aiv, AIV))
            .collect(),
        core_to_thread: (0..CORES).map(|c| (c % 3) as i32).collect(),
        sched_threads: 3,
        aicpu_threads: 4,
        func_names,
        orchestrator_name: None,
        case_name: None,
    }
}

/// Records in device order: each task, its fanout (2 successors) and, every
/// fourth task, a complete + dispatch phase pair on its core's thread.
fn workload() -> Vec<Record> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut clock = vec![1_100_000_000_000u64; CORES];
    let mut sched_clock = [1_100_000_000_000u64; 3];
    let mut out = Vec::with_capacity(TASKS as usize * 2 + TASKS as usize / 2);
    for i in 0..TASKS {
        let core = (rng.below(CORES as u64)) as usize;
        let aic = core < AIC;
        let func = if aic {
            rng.below(2) as i32 * 2
        } else {
            1 + rng.below(2) as i32 * 2
        };
        let dispatch = clock[core] + rng.below(400);
        let start = dispatch + 200 + rng.below(600);
        let end = start + 1_000 + rng.below(19_000);
        let finish = end + 100 + rng.below(900);
        clock[core] = end;
        let round = i / (TASKS / ROUNDS);
        out.push(Record::Task(TaskRecord {
            round,
            task_id: TaskId::new(0, i),
            func_id: func,
            core_id: core as u32,
            core_type: if aic { CoreType::Aic } else { CoreType::Aiv },
            reg_task_id: i,
            receive_ns: None,
            start_ns: start,
            end_ns: end,
            dispatch_ns: Some(dispatch),
            finish_ns: Some(finish),
        }));
        out.push(Record::Fanout(FanoutRecord {
            round,
            task_id: TaskId::new(0, i),
            successors: vec![
                TaskId::new(0, i + 1 + rng.below(50) as u32),
                TaskId::new(0, i + 64),
            ],
        }));
        if i % 4 == 0 {
            let t = core % 3;
            for kind in [SchedPhase::Complete, SchedPhase::Dispatch] {
                let s = sched_clock[t].max(dispatch.saturating_sub(2_000));
                let e = s + 200 + rng.below(800);
                sched_clock[t] = e;
                out.push(Record::SchedPhase(SchedPhaseRecord {
                    round,
                    thread: t as u16,
                    kind,
                    start_ns: s,
                    end_ns: e,
                    loop_iter: i,
                    tasks_processed: 1,
                    pops: None,
                    shared_at_start: None,
                    shared_at_end: None,
                    task_id: None,
                }));
            }
        }
    }
    out
}

fn per_sec(n: usize, d: Duration) -> String {
    format!("{:.2} M records/s", n as f64 / d.as_secs_f64() / 1e6)
}

fn ingest_in_batches(records: &[Record], shuffle_each: bool) -> (TraceStore, Duration) {
    let mut store = TraceStore::new(info(), Level::PHASE_BUFFERS.flags());
    let mut rng = Rng(7);
    let batches: Vec<Vec<Record>> = records
        .chunks(BATCH)
        .map(|c| {
            let mut b = c.to_vec();
            if shuffle_each {
                for i in (1..b.len()).rev() {
                    b.swap(i, rng.below(i as u64 + 1) as usize);
                }
            }
            b
        })
        .collect();
    let t = Instant::now();
    for b in batches {
        store.ingest(b);
    }
    (store, t.elapsed())
}

fn time_frames(store: &TraceStore, t0: Ns, t1: Ns, repeats: u32) -> (Duration, u64) {
    let lanes: Vec<LaneId> = store.lanes();
    let mut items = 0u64;
    let t = Instant::now();
    for _ in 0..repeats {
        for &lane in &lanes {
            let cells = store.window(black_box(lane), t0, t1, COLUMNS);
            items += cells.iter().map(|c| u64::from(c.items)).sum::<u64>();
        }
    }
    (t.elapsed() / repeats, items / u64::from(repeats))
}

fn main() {
    println!("store_query: {TASKS} tasks over {CORES} cores, {ROUNDS} rounds");
    let t = Instant::now();
    let records = workload();
    println!(
        "  workload generated: {} records in {:.2?}",
        records.len(),
        t.elapsed()
    );

    // Per kind, to see where ingest time and memory go.
    for (name, pick) in [("task", 0), ("fanout", 1), ("sched phase", 2)] {
        let only: Vec<Record> = records
            .iter()
            .filter(|r| match pick {
                0 => matches!(r, Record::Task(_)),
                1 => matches!(r, Record::Fanout(_)),
                _ => matches!(r, Record::SchedPhase(_)),
            })
            .cloned()
            .collect();
        let (store, d) = ingest_in_batches(&only, false);
        println!(
            "  {name} records only: {:>7} in {:>8.2?}  {}  ~{} bytes/record held",
            only.len(),
            d,
            per_sec(only.len(), d),
            store.memory_bytes() / only.len().max(1)
        );
    }
    // Ingest: live-like batches in device order, batches shuffled inside
    // (stragglers on every lane), and a whole file in one batch.
    let (_, d) = ingest_in_batches(&records, false);
    println!(
        "ingest, {BATCH}-record batches in order:    {:>8.2?}  {}",
        d,
        per_sec(records.len(), d)
    );
    let (_, d) = ingest_in_batches(&records, true);
    println!(
        "ingest, {BATCH}-record batches shuffled:    {:>8.2?}  {}",
        d,
        per_sec(records.len(), d)
    );
    let mut store = TraceStore::new(info(), Level::PHASE_BUFFERS.flags());
    let one = records.clone();
    let t = Instant::now();
    store.ingest(one);
    let d = t.elapsed();
    println!(
        "ingest, one batch (file load):            {:>8.2?}  {}",
        d,
        per_sec(records.len(), d)
    );
    println!(
        "  store: {} task rows, {} edges, {} lanes, ~{} MiB held ({} bytes/record)",
        store.task_count(),
        store.edge_count(),
        store.lanes().len(),
        store.memory_bytes() / (1 << 20),
        store.memory_bytes() / records.len()
    );

    // Window queries: every lane × 200 columns, at several zooms centred on
    // the middle of the trace.
    let Some((lo, hi)) = store.time_range() else {
        return;
    };
    let span = hi - lo;
    let mid = lo + span / 2;
    println!(
        "window: {} lanes x {COLUMNS} columns per frame (mean of repeats)",
        store.lanes().len()
    );
    for zoom in [1u64, 10, 100, 1_000, 10_000, 100_000] {
        let w = span / zoom;
        let (t0, t1) = (mid - w / 2, mid - w / 2 + w);
        let (d, items) = time_frames(&store, t0, t1, 20);
        println!(
            "  span/{zoom:<7} ({:>12} ns wide): {:>9.2?} per frame, {:>7.2?} per lane, {items:>8} items in view",
            w,
            d,
            d / store.lanes().len() as u32
        );
    }

    // What a zoomed-in frame also does: list the bars and look up arrows.
    let w = span / 1_000;
    let (t0, t1) = (mid, mid + w);
    let t = Instant::now();
    let mut bars = 0usize;
    let mut arrows = 0usize;
    for core in 0..CORES as u32 {
        for r in store.tasks_in(core, t0, t1) {
            let task = store.task(r);
            bars += 1;
            for &s in store.successors(task.task_id) {
                arrows += store.find_task(s).len();
            }
            arrows += store.predecessors(task.task_id).len();
        }
    }
    println!(
        "tasks_in + successors + find_task at span/1000: {:.2?} ({bars} bars, {arrows} arrow ends)",
        t.elapsed()
    );

    let t = Instant::now();
    let stats = black_box(store.stats(None));
    println!(
        "stats(None): {:.2?} ({} functions)",
        t.elapsed(),
        stats.functions.len()
    );
    let t = Instant::now();
    let stats = black_box(store.stats(Some((t0, t1))));
    println!(
        "stats(span/1000): {:.2?} ({} tasks)",
        t.elapsed(),
        stats.tasks
    );

    let t = Instant::now();
    let gone = store.evict_rounds_before(1);
    println!(
        "evict one round: {:.2?} ({gone} records; live {} = ingested {} - evicted {})",
        t.elapsed(),
        store.live_records(),
        store.ingested(),
        store.evicted()
    );
    let t = Instant::now();
    let capture = store.to_capture();
    println!(
        "to_capture: {:.2?} ({} records)",
        t.elapsed(),
        capture.record_count()
    );
}
