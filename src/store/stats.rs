//! Summary statistics: per function (count, exec mean/p50/p99, overheads,
//! Exec%), per core (tasks, busy, utilisation) and per AICPU thread (share of
//! each phase). Computed on demand — O(rows log rows) for the percentiles —
//! not every frame.

use std::collections::BTreeMap;

use super::intervals::Intervals;
use super::phases::PhaseLane;
use super::{LaneId, TaskRef, TraceStore};
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
fn nearest_rank(sorted: &[Ns], p: usize) -> Ns {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
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
        let mut funcs: BTreeMap<i32, FuncAcc> = BTreeMap::new();
        let mut cores = Vec::new();
        let mut tasks = 0u64;
        for lane_id in self.lanes() {
            let LaneId::Core(core) = lane_id else {
                continue;
            };
            let (busy_ns, count) = self
                .cores
                .get(&core)
                .map_or((0, 0), |l| in_range(&l.iv, range));
            let rows: Vec<TaskRef> = match range {
                Some((t0, t1)) => self.tasks_in(core, t0, t1).collect(),
                None => {
                    let n = self.cores.get(&core).map_or(0, |l| l.len());
                    (0..n)
                        .map(|i| TaskRef {
                            core,
                            index: i as u32,
                        })
                        .collect()
                }
            };
            for r in rows {
                let Some(t) = self.get_task(r) else {
                    continue;
                };
                let acc = funcs.entry(t.func_id).or_default();
                acc.exec.push(t.exec_ns());
                if let Some(d) = t.dispatch_ns {
                    acc.head.0 += i128::from(t.start_ns) - i128::from(d);
                    acc.head.1 += 1;
                }
                if let Some(f) = t.finish_ns {
                    acc.tail.0 += i128::from(f) - i128::from(t.end_ns);
                    acc.tail.1 += 1;
                }
                if let (Some(d), Some(f)) = (t.dispatch_ns, t.finish_ns) {
                    acc.latency.0 += i128::from(f) - i128::from(d);
                    acc.latency.1 += 1;
                    acc.exec_with_latency += u128::from(t.exec_ns());
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
        let functions = funcs
            .into_iter()
            .map(|(func_id, mut acc)| {
                acc.exec.sort_unstable();
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
                    exec_p50_ns: nearest_rank(&acc.exec, 50),
                    exec_p99_ns: nearest_rank(&acc.exec, 99),
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
            for (name, col) in layer.by_name.iter() {
                let (busy, count) = in_range(col, range);
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
