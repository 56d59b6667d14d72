//! Whole-frame render benchmark (television's render-cycle bench): a 1M-task
//! trace over 72 cores (24 AIC + 48 AIV) with fanout edges and level-3
//! scheduler phases on 3 threads, held by a paused [`Viewer`], drawn at
//! 200×60 into a ratatui `TestBackend`.
//!
//! For each view it prints min / median / p99 / max of N frames, for the real
//! event-loop path (`Looper::draw` into a `Terminal<TestBackend>`, which also
//! diffs against the previous frame) and for `render::draw` into a reset
//! `Buffer`; then key-to-frame latency (`Viewer::apply` + the next frame).
//! Each view also prints a hash of the frame (every cell's symbol and style),
//! so a change that alters what is drawn shows up when two runs are compared.
//!
//! Run: `cargo bench --bench render_frame [-- FRAMES]` (default 100 frames per
//! view). Targets (release): ≤ 4 ms per frame at fit-all and deep zoom,
//! ≤ 16 ms key-to-frame.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use swimtop::app::action::Action;
use swimtop::app::event_loop::Looper;
use swimtop::app::state::{Row, Viewport};
use swimtop::app::viewer::Viewer;
use swimtop::dfx::Level;
use swimtop::record::{
    CoreType, DeviceInfo, FanoutRecord, Ns, Record, SchedPhase, SchedPhaseRecord, TaskId,
    TaskRecord,
};
use swimtop::render;
use swimtop::store::LaneId;

const TASKS: u32 = 1_000_000;
const AIC: usize = 24;
const AIV: usize = 48;
const CORES: usize = AIC + AIV;
const THREADS: usize = 3;
const ROUNDS: u32 = 10;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;

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
    for (i, n) in ["QK", "SF", "PV", "UP", "MM", "RS"].into_iter().enumerate() {
        func_names.insert(i as i32, n.to_string());
    }
    DeviceInfo {
        source: "bench".into(),
        clock_hz: 50_000_000,
        core_types: std::iter::repeat_n(CoreType::Aic, AIC)
            .chain(std::iter::repeat_n(CoreType::Aiv, AIV))
            .collect(),
        core_to_thread: (0..CORES).map(|c| (c % THREADS) as i32).collect(),
        sched_threads: THREADS as u16,
        aicpu_threads: THREADS as u16 + 1,
        func_names,
        orchestrator_name: None,
        case_name: None,
    }
}

/// Records in device order (the generator of `benches/store_query.rs`, with
/// more functions and phase kinds): each task on a random core right after
/// that core's previous one (non-overlapping per core, dispatch before start,
/// finish after end), its fanout (2 successors), and every fourth task a
/// complete + dispatch phase pair on its core's scheduler thread, with an
/// idle phase in every gap long enough for one.
fn workload() -> Vec<Record> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut clock = vec![1_100_000_000_000u64; CORES];
    let mut sched_clock = [1_100_000_000_000u64; THREADS];
    let mut out = Vec::with_capacity(TASKS as usize * 2 + TASKS as usize / 2);
    for i in 0..TASKS {
        let core = rng.below(CORES as u64) as usize;
        let aic = core < AIC;
        // AIC runs the even functions, AIV the odd ones (3 each).
        let func = rng.below(3) as i32 * 2 + i32::from(!aic);
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
            let t = core % THREADS;
            let phase = |kind, s, e| {
                Record::SchedPhase(SchedPhaseRecord {
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
                })
            };
            let from = dispatch.saturating_sub(2_000);
            if from > sched_clock[t] + 500 {
                out.push(phase(SchedPhase::Idle, sched_clock[t], from));
                sched_clock[t] = from;
            }
            for kind in [SchedPhase::Complete, SchedPhase::Dispatch] {
                let s = sched_clock[t].max(from);
                let e = s + 200 + rng.below(800);
                sched_clock[t] = e;
                out.push(phase(kind, s, e));
            }
        }
    }
    out
}

/// Min / median / p99 (nearest rank) / max of a sample.
fn summary(mut d: Vec<Duration>) -> String {
    d.sort_unstable();
    let at = |p: usize| d[((p * d.len()).div_ceil(100)).clamp(1, d.len()) - 1];
    let ms = |x: Duration| x.as_secs_f64() * 1e3;
    format!(
        "min {:>7.3} ms  median {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms  (n={})",
        ms(d[0]),
        ms(at(50)),
        ms(at(99)),
        ms(d[d.len() - 1]),
        d.len()
    )
}

/// Hash of every cell's symbol and style: equal hashes, equal frames.
fn frame_hash(buf: &Buffer) -> u64 {
    let mut h = DefaultHasher::new();
    buf.area.hash(&mut h);
    for c in &buf.content {
        c.symbol().hash(&mut h);
        c.fg.hash(&mut h);
        c.bg.hash(&mut h);
        c.modifier.hash(&mut h);
    }
    h.finish()
}

struct Bench {
    looper: Looper,
    terminal: Terminal<TestBackend>,
    buffer: Buffer,
    frames: usize,
}

impl Bench {
    fn looper_frame(&mut self) -> Duration {
        let t = Instant::now();
        if let Err(e) = self.looper.draw(&mut self.terminal, t) {
            panic!("draw failed: {e}");
        }
        t.elapsed()
    }

    /// Compute + paint into a plain buffer, as `Looper::draw` prepares it
    /// (header model and statistics included), without the terminal diff.
    fn buffer_frame(&mut self) -> Duration {
        let t = Instant::now();
        let v = &mut self.looper.viewer;
        let header = v.prepare_frame(t);
        let view = v.view(&header);
        let area = self.buffer.area;
        self.buffer.reset();
        render::draw(&mut self.buffer, area, &view);
        t.elapsed()
    }

    /// Times N frames of the current view both ways and prints them.
    fn view(&mut self, name: &str) {
        // One frame first: the layout settles (detail panel) and caches fill.
        self.looper_frame();
        let looper: Vec<Duration> = (0..self.frames).map(|_| self.looper_frame()).collect();
        let shown = frame_hash(self.terminal.backend().buffer());
        let buffer: Vec<Duration> = (0..self.frames).map(|_| self.buffer_frame()).collect();
        let drawn = frame_hash(&self.buffer);
        println!("{name}  [frame {shown:016x}]");
        println!("    Looper::draw  {}", summary(looper));
        println!("    render::draw  {}", summary(buffer));
        if drawn != shown {
            println!("    note: render::draw frame {drawn:016x} differs from the terminal's");
        }
    }

    /// Time from applying `a` to the end of the next frame, `n` times,
    /// applying `undo` (untimed, with its own frame) in between so the view
    /// stays where it is.
    fn key(&mut self, name: &str, a: Action, undo: Option<Action>) {
        let mut d = Vec::with_capacity(self.frames);
        for _ in 0..self.frames {
            let t = Instant::now();
            self.looper.viewer.apply(a);
            if let Err(e) = self.looper.draw(&mut self.terminal, Instant::now()) {
                panic!("draw failed: {e}");
            }
            d.push(t.elapsed());
            if let Some(u) = undo {
                self.looper.viewer.apply(u);
                self.looper_frame();
            }
        }
        println!("  {name:<34} {}", summary(d));
    }

    fn viewer(&mut self) -> &mut Viewer {
        &mut self.looper.viewer
    }
}

fn main() {
    // `cargo bench` passes `--bench`; take only plain numbers as arguments.
    let frames: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100)
        .max(1);
    println!(
        "render_frame: {TASKS} tasks over {CORES} cores, {THREADS} scheduler threads, {WIDTH}x{HEIGHT}, {frames} frames per view"
    );
    let t = Instant::now();
    let records = workload();
    let n = records.len();
    let flags = Level::PHASE_BUFFERS.flags();
    let mut viewer = Viewer::new("bench".into(), flags, true, None);
    viewer.describe(info(), flags);
    viewer.ingest(records);
    viewer.apply(Action::TogglePause);
    let Some(store) = viewer.store.as_ref() else {
        return;
    };
    let Some((lo, hi)) = store.time_range() else {
        return;
    };
    println!(
        "  {n} records generated and ingested in {:.2?}: {} task rows, {} edges, {} lanes, {} display rows",
        t.elapsed(),
        store.task_count(),
        store.edge_count(),
        store.lanes().len(),
        viewer.rows.len()
    );
    let mid = lo + (hi - lo) / 2;
    let core_row = |v: &Viewer, core: u32| {
        v.rows
            .iter()
            .position(|r| *r == Row::Lane(LaneId::Core(core)))
            .unwrap_or(0)
    };
    let mut b = Bench {
        looper: Looper::new(viewer, 30, Instant::now()),
        terminal: match Terminal::new(TestBackend::new(WIDTH, HEIGHT)) {
            Ok(t) => t,
            Err(e) => panic!("terminal: {e}"),
        },
        buffer: Buffer::empty(Rect::new(0, 0, WIDTH, HEIGHT)),
        frames,
    };
    b.looper.set_size(Rect::new(0, 0, WIDTH, HEIGHT));
    let at = |b: &mut Bench, span: Ns| {
        b.viewer().state.viewport = Viewport {
            t0: mid - span / 2,
            span,
        };
    };

    println!("frames (compute + draw of the whole screen):");
    b.viewer().apply(Action::FitAll);
    b.view("  fit-all (whole trace)");
    at(&mut b, (hi - lo) / 100);
    b.view(&format!("  medium zoom ({} µs)", (hi - lo) / 100 / 1000));
    at(&mut b, 50_000);
    b.view("  deep zoom (50 µs, bars and labels)");
    // Cursor on a core lane, then the first task in view on it.
    let row = core_row(b.viewer(), 30);
    b.viewer().state.cursor_row = row;
    b.viewer().apply(Action::NextTask);
    b.view("  deep zoom, task selected (arrows + detail)");
    b.viewer().apply(Action::Cancel);
    b.viewer().apply(Action::FitAll);
    let aiv = core_row(b.viewer(), AIC as u32);
    b.viewer().state.cursor_row = aiv;
    b.viewer().apply(Action::ToggleCollapse);
    b.view("  fit-all, AIV group collapsed");
    b.viewer().apply(Action::ToggleCollapse);

    println!("statistics panel (first computation, then cached frames):");
    b.viewer().apply(Action::FitAll);
    b.viewer().apply(Action::ToggleStats);
    let t = Instant::now();
    let tasks = b.viewer().stats(t).map_or(0, |(s, _)| s.tasks);
    println!(
        "  first stats, visible range at fit-all:   {:>8.2?} ({tasks} tasks)",
        t.elapsed()
    );
    b.view("  fit-all + stats (visible range)");
    b.viewer().apply(Action::ToggleStats);
    let t = Instant::now();
    let tasks = b.viewer().stats(t).map_or(0, |(s, _)| s.tasks);
    println!(
        "  first stats, whole trace:                {:>8.2?} ({tasks} tasks)",
        t.elapsed()
    );
    b.view("  fit-all + stats (whole trace)");
    at(&mut b, 50_000);
    b.viewer().apply(Action::ToggleStats);
    b.viewer().apply(Action::ToggleStats);
    let t = Instant::now();
    let tasks = b.viewer().stats(t).map_or(0, |(s, _)| s.tasks);
    println!(
        "  first stats, visible range at 50 µs:     {:>8.2?} ({tasks} tasks)",
        t.elapsed()
    );
    b.view("  deep zoom + stats (visible range)");
    b.viewer().apply(Action::Cancel);

    println!("key to frame (apply + next frame):");
    b.viewer().apply(Action::FitAll);
    b.key("ZoomIn at fit-all", Action::ZoomIn, Some(Action::ZoomOut));
    b.key(
        "PanRight at fit-all",
        Action::PanRight,
        Some(Action::PanLeft),
    );
    at(&mut b, 50_000);
    b.key("ZoomIn at 50 µs", Action::ZoomIn, Some(Action::ZoomOut));
    b.key("PanRight at 50 µs", Action::PanRight, Some(Action::PanLeft));
    let row = core_row(b.viewer(), 30);
    b.viewer().state.cursor_row = row;
    b.key("NextTask at 50 µs (walks on)", Action::NextTask, None);
    b.key(
        "ZoomIn at 50 µs, task selected",
        Action::ZoomIn,
        Some(Action::ZoomOut),
    );
}
