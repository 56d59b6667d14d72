//! Whole frames of a fixed trace, as text plus a style map, pinned by
//! snapshots: what the lane, bar, mark and arrow code draws must not change
//! when that code is made faster. The trace has what those paths branch on:
//! several functions (named, unnamed, negative), SPMD and MIX tasks, a core
//! with overlapping rows, fanout, scheduler and orchestrator phases.

use std::collections::{BTreeMap, BTreeSet};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use crate::app::state::{AppState, Group, Selection, StatsScope, Viewport, display_rows};
use crate::capture::accounting::Counts;
use crate::dfx::Level;
use crate::record::{
    CoreType, DeviceInfo, FanoutRecord, Ns, OrchPhase, OrchPhaseRecord, Record, SchedPhase,
    SchedPhaseRecord, SubmitRecord, TaskId, TaskRecord,
};
use crate::render::header::HeaderModel;
use crate::render::{View, draw};
use crate::store::TraceStore;

const AIC: u32 = 3;
const CORES: u32 = 8;
const T0: Ns = 1_100_000_000_000;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn info() -> DeviceInfo {
    let mut func_names = BTreeMap::new();
    func_names.insert(0, "QK".to_string());
    func_names.insert(1, "SF".to_string());
    func_names.insert(2, "PV".to_string());
    DeviceInfo {
        source: "frames".into(),
        clock_hz: 50_000_000,
        core_types: (0..CORES)
            .map(|c| {
                if c < AIC {
                    CoreType::Aic
                } else {
                    CoreType::Aiv
                }
            })
            .collect(),
        core_to_thread: (0..CORES).map(|c| (c % 2) as i32).collect(),
        sched_threads: 2,
        aicpu_threads: 3,
        func_names,
        orchestrator_name: None,
        case_name: None,
    }
}

fn task(id: u32, func: i32, core: u32, start: Ns, end: Ns) -> TaskRecord {
    TaskRecord {
        round: id / 200,
        task_id: TaskId::new(u8::from(id % 7 == 3), id),
        func_id: func,
        core_id: core,
        core_type: if core < AIC {
            CoreType::Aic
        } else {
            CoreType::Aiv
        },
        reg_task_id: id,
        receive_ns: None,
        start_ns: start,
        end_ns: end,
        dispatch_ns: (id % 5 != 4).then(|| start.saturating_sub(150 + u64::from(id % 3) * 100)),
        finish_ns: (id % 5 != 4).then_some(end + 80 + u64::from(id % 4) * 60),
    }
}

/// The trace and the time its SPMD/MIX/overlap corner starts at.
fn trace() -> (TraceStore, Ns) {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut clock = vec![T0; CORES as usize];
    let mut sched = [T0; 2];
    let mut records = Vec::new();
    let mut ids = Vec::new();
    for i in 0..400u32 {
        let core = rng.below(u64::from(CORES)) as u32;
        let func = match rng.below(10) {
            0 => -1,
            1 => 3,
            n => (n % 3) as i32,
        };
        let start = clock[core as usize] + 200 + rng.below(600);
        let end = start + 300 + rng.below(2_500);
        clock[core as usize] = end;
        let t = task(i, func, core, start, end);
        ids.push(t.task_id);
        records.push(Record::Task(t));
        let th = (core % 2) as usize;
        let s = sched[th].max(start.saturating_sub(500));
        let kind = match i % 3 {
            0 => SchedPhase::Complete,
            1 => SchedPhase::Dispatch,
            _ => SchedPhase::Scan,
        };
        let e = s + 50 + rng.below(300);
        sched[th] = e;
        records.push(Record::SchedPhase(SchedPhaseRecord {
            round: i / 200,
            thread: th as u16,
            kind,
            start_ns: s,
            end_ns: e,
            loop_iter: i,
            tasks_processed: 1,
            pops: None,
            shared_at_start: None,
            shared_at_end: None,
            task_id: Some(TaskId::new(0, i)),
        }));
        if i % 3 == 0 {
            let s = T0 + u64::from(i) * 700;
            records.push(Record::OrchPhase(OrchPhaseRecord {
                round: i / 200,
                thread: 0,
                kind: if i % 2 == 0 {
                    OrchPhase::Alloc
                } else {
                    OrchPhase::Submit
                },
                start_ns: s,
                end_ns: s + 200 + rng.below(400),
                submit_idx: i,
                task_id: Some(TaskId::new(0, i)),
            }));
        }
    }
    // Fanout: a near successor and a far one, some backwards in time.
    for (i, &id) in ids.iter().enumerate() {
        let near = ids[(i + 1 + rng.below(6) as usize) % ids.len()];
        let far = ids[(i + 40) % ids.len()];
        records.push(Record::Fanout(FanoutRecord {
            round: i as u32 / 200,
            task_id: id,
            successors: if i % 9 == 5 {
                vec![near]
            } else {
                vec![near, far]
            },
        }));
    }
    // SPMD by submit record, SPMD by rows (two AIV rows), MIX (AIC + AIV),
    // and a core whose rows overlap (a corrupt capture).
    let mid = clock.iter().max().copied().unwrap_or(T0) + 5_000;
    records.push(Record::Submit(SubmitRecord {
        round: 0,
        task_id: ids[150],
        kernel_ids: [-1, 1, -1],
        block_num: 4,
        args: Vec::new(),
        edges_in: Vec::new(),
    }));
    for (id, core) in [(600, 4), (600, 6), (601, 1), (601, 5)] {
        records.push(Record::Task(task(id, 2, core, mid, mid + 900)));
    }
    for k in 0..6u64 {
        let s = mid + 3_000 + k * 700;
        records.push(Record::Task(task(950 + k as u32, 1, 7, s, s + 1_500)));
    }
    let mut store = TraceStore::new(info(), Level::PHASE_BUFFERS.flags());
    store.ingest(records);
    (store, mid)
}

/// The frame as text, then one style letter per cell (`.` = default) and
/// the legend of letters.
fn frame_text(buf: &Buffer) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut legend: Vec<(Color, Color, Modifier)> = Vec::new();
    let mut text = String::new();
    let mut styles = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            text.push_str(c.symbol());
            let key = (c.fg, c.bg, c.modifier);
            if key == (Color::Reset, Color::Reset, Modifier::empty()) {
                styles.push('.');
                continue;
            }
            let i = legend.iter().position(|&k| k == key).unwrap_or_else(|| {
                legend.push(key);
                legend.len() - 1
            });
            styles.push(char::from(LETTERS[i % LETTERS.len()]));
        }
        text.push('\n');
        styles.push('\n');
    }
    let legend: String = legend
        .iter()
        .enumerate()
        .map(|(i, (fg, bg, m))| {
            format!(
                "{} = fg {fg:?} bg {bg:?} {m:?}\n",
                char::from(LETTERS[i % LETTERS.len()])
            )
        })
        .collect();
    format!("{text}\n{styles}\n{legend}")
}

#[derive(Clone, Copy)]
struct Setup {
    viewport: Viewport,
    selection: Option<Selection>,
    collapsed: &'static [Group],
    color: bool,
    stats: Option<StatsScope>,
    cursor_row: usize,
}

fn render(store: &TraceStore, s: &Setup, w: u16, h: u16) -> String {
    let mut state = AppState::new(s.color);
    state.viewport = s.viewport;
    state.selection = s.selection;
    state.following = false;
    state.cursor_row = s.cursor_row;
    state.collapsed = s.collapsed.iter().copied().collect::<BTreeSet<Group>>();
    let rows = display_rows(store, &state.collapsed);
    let header = HeaderModel {
        source: "frames".into(),
        flags: store.flags(),
        round: Some(1),
        following: false,
        counts: Counts::default(),
        ingest_per_s: 0.0,
        round_device_ns: None,
        round_overhead_ns: None,
        view_span_ns: Some(s.viewport.span),
        status: None,
        notes: 0,
    };
    let stats = s.stats.map(|scope| {
        let range = match scope {
            StatsScope::Visible => Some((s.viewport.t0, s.viewport.t1())),
            StatsScope::Whole => None,
        };
        (store.stats(range), scope)
    });
    let view = View {
        state: &state,
        store: Some(store),
        rows: &rows,
        header: &header,
        stats: stats.as_ref().map(|(st, scope)| (st, *scope)),
        origin: T0,
        hint: "hint",
        notes: &[],
        loading: None,
        log: None,
        extra_stats: &[],
    };
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(&mut buf, area, &view);
    frame_text(&buf)
}

#[test]
fn frames_of_a_fixed_trace() {
    let (store, mid) = trace();
    let Some((lo, hi)) = store.time_range() else {
        panic!("empty trace");
    };
    let sel = |task: u32, core: u32| {
        let id = store
            .tasks_in(core, lo, hi)
            .map(|r| store.task(r))
            .find(|t| t.task_id.local() == task)
            .map(|t| t.task_id);
        id.map(|task| Selection { task, core })
    };
    let some_task = store.task(store.tasks_in(5, lo + 50_000, hi).next().expect("a task"));
    let deep = Viewport {
        t0: some_task.start_ns - 4_000,
        span: 12_000,
    };
    let base = Setup {
        viewport: Viewport::fit(lo, hi, 0.02),
        selection: None,
        collapsed: &[],
        color: true,
        stats: None,
        cursor_row: 3,
    };
    let cases = [
        ("fit_all", Setup { ..base }),
        (
            "medium",
            Setup {
                viewport: Viewport {
                    t0: lo + (hi - lo) / 3,
                    span: (hi - lo) / 8,
                },
                ..base
            },
        ),
        (
            "deep",
            Setup {
                viewport: deep,
                ..base
            },
        ),
        (
            "deep_selected",
            Setup {
                viewport: deep,
                selection: sel(some_task.task_id.local(), 5),
                ..base
            },
        ),
        (
            "deep_selected_mono",
            Setup {
                viewport: deep,
                selection: sel(some_task.task_id.local(), 5),
                color: false,
                ..base
            },
        ),
        (
            "spmd_mix_and_overlaps",
            Setup {
                viewport: Viewport {
                    t0: mid - 1_000,
                    span: 9_000,
                },
                selection: sel(600, 4),
                ..base
            },
        ),
        (
            "collapsed_medium",
            Setup {
                viewport: Viewport {
                    t0: lo + (hi - lo) / 3,
                    span: (hi - lo) / 8,
                },
                collapsed: &[Group::Aiv, Group::Schedulers],
                ..base
            },
        ),
        (
            "stats_fit_all",
            Setup {
                stats: Some(StatsScope::Visible),
                ..base
            },
        ),
    ];
    // Few tasks in view: every edge among them is drawn (ambient arrows).
    let ambient = Setup {
        viewport: Viewport {
            t0: some_task.start_ns - 1_500,
            span: 4_000,
        },
        ..base
    };
    insta::assert_snapshot!("ambient_edges", render(&store, &ambient, 110, 34));
    for (name, setup) in &cases {
        insta::assert_snapshot!(*name, render(&store, setup, 110, 34));
    }
    // Selected but off screen, and a selection that is not live any more.
    let far = Setup {
        viewport: Viewport {
            t0: lo,
            span: 3_000,
        },
        selection: sel(some_task.task_id.local(), 5),
        ..base
    };
    insta::assert_snapshot!("selected_off_screen", render(&store, &far, 80, 24));
    let gone = Setup {
        selection: Some(Selection {
            task: TaskId::new(9, 9),
            core: 2,
        }),
        ..far
    };
    insta::assert_snapshot!("selection_gone", render(&store, &gone, 80, 24));
}
