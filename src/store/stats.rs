//! Summary statistics: per function (count, exec mean/p50/p99, overheads,
//! Exec%), per core (tasks, busy, utilisation) and per AICPU thread (share of
//! each phase). Computed on demand — O(rows log rows) for the percentiles —
//! not every frame.

use std::collections::BTreeMap;

use super::intervals::{Intervals, overlaps};
use super::phases::PhaseLane;
use super::{LaneId, TraceStore};
use crate::dfx::Level;
use crate::record::{CoreType, Ns};

#[derive(Debug, Clone, PartialEq)]
pub struct TraceStats {
    pub level: Level,
    /// Task rows counted (those overlapping the range, if one was given).
    pub tasks: u64,
    /// The range's width, or the whole trace's ([`TraceStore::time_range`]).
    pub span_ns: Ns,
    /// Ascending by func id.
    pub functions: Vec<FuncStats>,
    /// In lane order.
    pub cores: Vec<CoreStats>,
    /// Scheduler threads, in lane order.
    pub threads: Vec<ThreadStats>,
    /// Orchestrator lanes (`thread` = orchestrator lane index).
    pub orchestrators: Vec<ThreadStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FuncStats {
    pub func_id: i32,
    /// `QK`, `func_3_d`, `task` (spec §8 without the task part).
    pub label: String,
    pub count: u64,
    /// Exec = end − start, whole rows even when a range clips them.
    pub exec_mean_ns: f64,
    /// Nearest rank.
    pub exec_p50_ns: Ns,
    pub exec_p99_ns: Ns,
    /// Mean of start − dispatch over rows with a dispatch (signed, as the
    /// converter computes it: a pre-loaded dispatch can come after start).
    pub head_mean_ns: Option<f64>,
    /// Mean of finish − end over rows with a finish.
    pub tail_mean_ns: Option<f64>,
    /// Mean of finish − dispatch over rows with both.
    pub latency_mean_ns: Option<f64>,
    /// Σ exec / Σ latency × 100 over rows with both stamps (the converter's
    /// Exec%); `None` without such rows or when Σ latency is 0.
    pub exec_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoreStats {
    pub core: u32,
    pub core_type: CoreType,
    pub tasks: u64,
    /// Σ exec, clipped to the range when one is given.
    pub busy_ns: Ns,
    /// busy / span (above 1 only if rows overlap: a corrupt capture).
    pub utilisation: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreadStats {
    pub thread: u16,
    /// `(phase name, total ns, share)` for outer and inner phases, largest
    /// first. The share is of the thread's recorded span (first phase start
    /// to last phase end, clipped to the range); inner phases lie inside
    /// outer ones, so shares of both kinds together can pass 1.
    pub phases: Vec<(String, Ns, f64)>,
}

#[derive(Default)]
struct FuncAcc {
    exec: Vec<Ns>,
    head: (i128, u64),
    tail: (i128, u64),
    latency: (i128, u64),
    exec_with_latency: u128,
}

fn mean(acc: (i128, u64)) -> Option<f64> {
    (acc.1 > 0).then(|| acc.0 as f64 / acc.1 as f64)
}

/// Nearest-rank percentile of sorted values: the value at rank ⌈p·n/100⌉.
#[cfg(test)]
fn nearest_rank(sorted: &[Ns], p: usize) -> Ns {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// The nearest-rank p50 and p99 of unsorted values (reordered), in linear
/// time: the same values [`nearest_rank`] reads off the sorted list.
fn p50_p99(v: &mut [Ns]) -> (Ns, Ns) {
    let n = v.len();
    if n == 0 {
        return (0, 0);
    }
    let rank = |p: usize| (p * n).div_ceil(100).clamp(1, n) - 1;
    let (r50, r99) = (rank(50), rank(99));
    let (below, &mut p99, _) = v.select_nth_unstable(r99);
    // r50 <= r99: the p50 is among the values at or below the p99's place.
    let p50 = if r50 == r99 {
        p99
    } else {
        *below.select_nth_unstable(r50).1
    };
    (p50, p99)
}

fn in_range(col: &Intervals, range: Option<(Ns, Ns)>) -> (u64, u64) {
    match range {
        None => (col.total_busy(), col.len() as u64),
        Some((t0, t1)) => (col.busy(t0, t1), col.count(t0, t1) as u64),
    }
}

impl TraceStore {
    /// Statistics over the live records; `range` restricts them to rows and
    /// phases overlapping `[t0, t1)` (busy time clipped to it).
    pub fn stats(&self, range: Option<(Ns, Ns)>) -> TraceStats {
        let span_ns = match range {
            Some((t0, t1)) => t1.saturating_sub(t0),
            None => self.time_range().map_or(0, |(a, b)| b - a),
        };
        // Per function, in first-seen order (sorted below); a lane runs few
        // functions, so a short list with a last-hit hint beats a map.
        let mut funcs: Vec<(i32, FuncAcc)> = Vec::new();
        if range.is_none() {
            // Every row counts: size each function's list once.
            let mut rows: Vec<(i32, usize)> = Vec::new();
            for l in self.cores.values() {
                for (f, _, count) in l.by_func.per_key(&l.iv, None) {
                    let count = count as usize;
                    match rows.iter_mut().find(|(g, _)| *g == f) {
                        Some((_, n)) => *n += count,
                        None => rows.push((f, count)),
                    }
                }
            }
            funcs.extend(rows.into_iter().map(|(f, n)| {
                let acc = FuncAcc {
                    exec: Vec::with_capacity(n),
                    ..FuncAcc::default()
                };
                (f, acc)
            }));
        }
        let mut hit = 0;
        let mut cores = Vec::new();
        let mut tasks = 0u64;
        for lane_id in self.lanes() {
            let LaneId::Core(core) = lane_id else {
                continue;
            };
            let lane = self.cores.get(&core);
            let (busy_ns, count) = lane.map_or((0, 0), |l| in_range(&l.iv, range));
            // The rows `tasks_in` would list, read straight from the columns.
            let rows = match (lane, range) {
                (None, _) => 0..0,
                (Some(l), Some((t0, t1))) => l.iv.candidates(t0, t1),
                (Some(l), None) => 0..l.len(),
            };
            for i in rows {
                let Some(l) = lane else { break };
                let (start, end) = (l.iv.start(i), l.iv.end(i));
                if let Some((t0, t1)) = range
                    && !overlaps(start, end, t0, t1)
                {
                    continue;
                }
                let (func, dispatch, finish) = l.timing(i);
                if funcs.get(hit).is_none_or(|(f, _)| *f != func) {
                    hit = match funcs.iter().position(|(f, _)| *f == func) {
                        Some(p) => p,
                        None => {
                            funcs.push((func, FuncAcc::default()));
                            funcs.len() - 1
                        }
                    };
                }
                let acc = &mut funcs[hit].1;
                let exec = end.saturating_sub(start);
                acc.exec.push(exec);
                if let Some(d) = dispatch {
                    acc.head.0 += i128::from(start) - i128::from(d);
                    acc.head.1 += 1;
                }
                if let Some(f) = finish {
                    acc.tail.0 += i128::from(f) - i128::from(end);
                    acc.tail.1 += 1;
                }
                if let (Some(d), Some(f)) = (dispatch, finish) {
                    acc.latency.0 += i128::from(f) - i128::from(d);
                    acc.latency.1 += 1;
                    acc.exec_with_latency += u128::from(exec);
                }
            }
            tasks += count;
            cores.push(CoreStats {
                core,
                core_type: self.core_type(core),
                tasks: count,
                busy_ns,
                utilisation: if span_ns == 0 {
                    0.0
                } else {
                    busy_ns as f64 / span_ns as f64
                },
            });
        }
        funcs.sort_unstable_by_key(|(f, _)| *f);
        let functions = funcs
            .into_iter()
            .map(|(func_id, mut acc)| {
                let (p50, p99) = p50_p99(&mut acc.exec);
                let count = acc.exec.len() as u64;
                let sum: u128 = acc.exec.iter().map(|&e| u128::from(e)).sum();
                FuncStats {
                    func_id,
                    label: self.func_label(func_id),
                    count,
                    exec_mean_ns: if count == 0 {
                        0.0
                    } else {
                        sum as f64 / count as f64
                    },
                    exec_p50_ns: p50,
                    exec_p99_ns: p99,
                    head_mean_ns: mean(acc.head),
                    tail_mean_ns: mean(acc.tail),
                    latency_mean_ns: mean(acc.latency),
                    exec_pct: (acc.latency.1 > 0 && acc.latency.0 > 0)
                        .then(|| acc.exec_with_latency as f64 / acc.latency.0 as f64 * 100.0),
                }
            })
            .collect();
        let mut threads = Vec::new();
        let mut orchestrators = Vec::new();
        for lane_id in self.lanes() {
            match lane_id {
                LaneId::Sched(t) => threads.push(self.thread_stats(t, self.sched.get(&t), range)),
                LaneId::Orch(i) => {
                    orchestrators.push(self.thread_stats(i, self.orch.get(&i), range));
                }
                LaneId::Core(_) => {}
            }
        }
        TraceStats {
            level: self.flags.level(),
            tasks,
            span_ns,
            functions,
            cores,
            threads,
            orchestrators,
        }
    }

    fn thread_stats(
        &self,
        thread: u16,
        lane: Option<&PhaseLane>,
        range: Option<(Ns, Ns)>,
    ) -> ThreadStats {
        let Some(lane) = lane else {
            return ThreadStats {
                thread,
                phases: Vec::new(),
            };
        };
        let recorded = lane.bounds().map_or(0, |(lo, hi)| match range {
            None => hi - lo,
            Some((t0, t1)) => hi.min(t1).saturating_sub(lo.max(t0)),
        });
        let mut totals: BTreeMap<u32, u64> = BTreeMap::new();
        for layer in [&lane.outer, &lane.inner] {
            for (name, busy, count) in layer.by_name.per_key(&layer.iv, range) {
                if count > 0 {
                    *totals.entry(name).or_insert(0) += busy;
                }
            }
        }
        let mut phases: Vec<(String, Ns, f64)> = totals
            .into_iter()
            .map(|(name, ns)| {
                let share = if recorded == 0 {
                    0.0
                } else {
                    ns as f64 / recorded as f64
                };
                (self.phase_name(name).to_string(), ns, share)
            })
            .collect();
        phases.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ThreadStats { thread, phases }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DeviceInfo, Record, TaskId, TaskRecord};

    /// The per-function figures as first written: every row through
    /// `tasks_in` + `get_task`, exec times sorted for the percentiles.
    fn reference(s: &TraceStore, range: Option<(Ns, Ns)>) -> Vec<(i32, u64, f64, Ns, Ns)> {
        let mut funcs: BTreeMap<i32, Vec<Ns>> = BTreeMap::new();
        for lane in s.lanes() {
            let LaneId::Core(core) = lane else { continue };
            let (t0, t1) = range.unwrap_or((0, Ns::MAX));
            let rows: Vec<_> = match range {
                Some(_) => s.tasks_in(core, t0, t1).collect(),
                None => (0..s.cores.get(&core).map_or(0, |l| l.len()))
                    .map(|i| super::super::TaskRef {
                        core,
                        index: i as u32,
                    })
                    .collect(),
            };
            for r in rows {
                let t = s.task(r);
                funcs.entry(t.func_id).or_default().push(t.exec_ns());
            }
        }
        funcs
            .into_iter()
            .map(|(f, mut v)| {
                v.sort_unstable();
                let sum: u128 = v.iter().map(|&e| u128::from(e)).sum();
                let n = v.len() as u64;
                let p = |q| nearest_rank(&v, q);
                (f, n, sum as f64 / n as f64, p(50), p(99))
            })
            .collect()
    }

    #[test]
    fn function_figures_match_the_sort_everything_reference() {
        let info = DeviceInfo {
            source: "t".into(),
            clock_hz: 50_000_000,
            core_types: vec![CoreType::Aic, CoreType::Aiv, CoreType::Aiv],
            core_to_thread: vec![0; 3],
            sched_threads: 1,
            aicpu_threads: 2,
            func_names: BTreeMap::new(),
            orchestrator_name: None,
            case_name: None,
        };
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut clock = [1_000u64; 3];
        let records: Vec<Record> = (0..3_000u32)
            .map(|i| {
                let core = next(3) as usize;
                // Core 2 overlaps its own rows now and then (messy lane).
                let start = if core == 2 && next(5) == 0 {
                    clock[core].saturating_sub(next(900))
                } else {
                    clock[core] + next(300)
                };
                let end = start + next(2_000);
                clock[core] = clock[core].max(end);
                Record::Task(TaskRecord {
                    round: 0,
                    task_id: TaskId::new(0, i),
                    func_id: next(5) as i32 - 1,
                    core_id: core as u32,
                    core_type: if core == 0 {
                        CoreType::Aic
                    } else {
                        CoreType::Aiv
                    },
                    reg_task_id: i,
                    receive_ns: None,
                    start_ns: start,
                    end_ns: end,
                    dispatch_ns: (i % 3 != 0).then(|| start.saturating_sub(next(200))),
                    finish_ns: (i % 4 != 0).then(|| end + next(200)),
                })
            })
            .collect();
        let mut s = TraceStore::new(info, crate::dfx::Level::TASK_LIFECYCLE.flags());
        s.ingest(records);
        for range in [
            None,
            Some((0, Ns::MAX)),
            Some((50_000, 90_000)),
            Some((7, 8)),
        ] {
            let got: Vec<_> = s
                .stats(range)
                .functions
                .iter()
                .map(|f| {
                    (
                        f.func_id,
                        f.count,
                        f.exec_mean_ns,
                        f.exec_p50_ns,
                        f.exec_p99_ns,
                    )
                })
                .collect();
            assert_eq!(got, reference(&s, range), "{range:?}");
        }
    }

    #[test]
    fn linear_percentiles_match_the_sorted_ones() {
        let mut x = 0x1234_5678_9abc_def1u64;
        for n in (0..40).chain([99, 100, 101, 199, 200, 1_000]) {
            let mut v: Vec<Ns> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % 50
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let want = (nearest_rank(&sorted, 50), nearest_rank(&sorted, 99));
            assert_eq!(p50_p99(&mut v), want, "n = {n}");
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Ns> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), 5);
        assert_eq!(nearest_rank(&v, 99), 10);
        assert_eq!(nearest_rank(&[7], 50), 7);
        assert_eq!(nearest_rank(&[7], 99), 7);
        assert_eq!(nearest_rank(&[], 50), 0);
        let v: Vec<Ns> = (1..=200).collect();
        assert_eq!(nearest_rank(&v, 99), 198);
        assert_eq!(nearest_rank(&v, 50), 100);
    }
}
