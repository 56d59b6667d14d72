//! The cost model: how long each piece of device work takes, in ns, as
//! inclusive `(lo, hi)` uniform ranges. Numbers come from upstream
//! measurements on a2a3 silicon (spec §10.3–10.4); where upstream gives no
//! figure the value is an estimate of the same order as its neighbours and
//! says so.

use crate::record::Ns;

use super::rng::Rng;

/// An inclusive uniform range of nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub Ns, pub Ns);

impl Span {
    pub fn draw(self, rng: &mut Rng) -> Ns {
        rng.range(self.0, self.1)
    }
    pub fn mean(self) -> Ns {
        (self.0 + self.1) / 2
    }
}

// ---- AICore -------------------------------------------------------------

/// AICPU register write → AICore sees the task: ~140 ns E2E
/// (`docs/hardware/mmio-performance.md`); warm dispatch→start 0.16–0.34 µs
/// (`2026-06-aicore-cold-start-warmup.md`).
pub const PROPAGATION: Span = Span(150, 330);
/// Warm local setup, receive → start: 0–0.02 µs (cold-start investigation).
pub const SETUP_WARM: Span = Span(0, 20);
/// Cold first task per core: local setup 0.5–1 µs (same source).
pub const SETUP_COLD: Span = Span(500, 1000);
/// Cold first task per core: extra head latency, bimodal p50 ≈1.8 µs, max
/// ≈5.3 µs (NoC routing). Drawn lognormal and clamped to this range.
pub const COLD_EXTRA_MEDIAN_NS: f64 = 1500.0;
pub const COLD_EXTRA_SIGMA: f64 = 0.9;
pub const COLD_EXTRA: Span = Span(50, 5300);
/// AICore loop-around before it can pick up the next task (estimate; the
/// switch gap "vanishes" with the swimlane off).
pub const PICKUP: Span = Span(40, 80);
/// AICore swimlane record write-back (`dcci + dsb`) plus the receive counter
/// read: prev_tail p50 0.50 µs, p90 0.66 µs
/// (`2026-07-aicore-swimlane-switch-overhead-and-ack-gate.md`). Level ≥ 1 only.
pub const AICORE_RECORD: Span = Span(420, 660);

// ---- AICPU scheduler ----------------------------------------------------

/// Loop head bookkeeping per scheduler iteration (estimate: an idle loop over
/// few cores must stay well under the ~1.24 µs/loop seen with many busy cores).
pub const LOOP_BASE: Span = Span(70, 90);
/// One uncached read of a core's COND register: 95–105 ns, reads do not
/// pipeline (`docs/hardware/mmio-performance.md`).
pub const STATUS_READ: Span = Span(95, 105);
/// Per FIN: subtask accounting, fanout lock, state → COMPLETED (estimate).
pub const FIN_BOOKKEEPING: Span = Span(50, 70);
/// Per consumer visited in resolve: one atomic on its fan-in (estimate).
pub const RESOLVE_PER_CONSUMER: Span = Span(25, 35);
/// Push onto a lock-free ready queue (Vyukov MPMC, one CAS; estimate).
pub const READY_PUSH: Span = Span(25, 35);
/// Advance `last_task_alive` by one slot (estimate).
pub const RETIRE: Span = Span(10, 20);
/// Ready-queue pop that found work / found none (estimate).
pub const POP_HIT: Span = Span(25, 35);
pub const POP_MISS: Span = Span(10, 15);
/// Build the dispatch payload for a core (estimate).
pub const PAYLOAD_BUILD: Span = Span(40, 50);
/// Posted MMIO store in a burst: ~5 ns (`docs/hardware/mmio-performance.md`).
pub const REGISTER_WRITE: Span = Span(5, 5);

// ---- AICPU orchestrator (seed-era sub-steps, spec §3.5) ------------------
// Sized so one submit costs ≈0.6–1.3 µs, as in the spec's example (0.8–1.2 µs
// per submit with phase recording on).

pub const ORCH_ALLOC: Span = Span(80, 100);
pub const ORCH_SYNC: Span = Span(40, 50);
/// Tensor-map cleanup when the watermark moved ≥ `CLEANUP_INTERVAL` tasks.
pub const ORCH_CLEANUP: Span = Span(150, 250);
pub const CLEANUP_INTERVAL: u64 = 64;
pub const ORCH_LOOKUP_BASE: Span = Span(25, 35);
pub const ORCH_LOOKUP_PER_INPUT: Span = Span(45, 65);
pub const ORCH_INSERT_BASE: Span = Span(25, 35);
pub const ORCH_INSERT_PER_OUTPUT: Span = Span(55, 75);
pub const ORCH_PARAMS_BASE: Span = Span(100, 120);
pub const ORCH_PARAMS_PER_ARG: Span = Span(15, 20);
pub const ORCH_FANIN_BASE: Span = Span(35, 45);
/// Per producer: take its fanout lock, check COMPLETED, maybe link.
pub const ORCH_FANIN_PER_PRODUCER: Span = Span(65, 85);
/// The orchestrator re-reads `last_task_alive` this often while blocked.
pub const ORCH_SPIN: Span = Span(30, 50);
/// Per-round prep before the first submit (config, arena, ring reset):
/// ≈22 ms for a 3.5k-task qwen3 step upstream (`docs/dfx/device-phases.md`),
/// scaled down to a small graph.
pub const ORCH_PREP: Span = Span(20_000, 40_000);
/// `scope_end`: fixed part plus per task of the round.
pub const SCOPE_END_BASE: Span = Span(50, 70);
pub const SCOPE_END_PER_TASK: Ns = 2;

// ---- Instrumentation (charged only when the DFX gate records) -----------

/// AICPU `get_sys_cnt` read (estimate, tens of ns).
pub const AICPU_TS_READ: Span = Span(15, 25);
/// Store one AICPU task row (dispatch or finish slot).
pub const AICPU_ROW_STORE: Span = Span(10, 20);
/// A fanout record: header plus one copy per successor (≤128 upstream).
pub const FANOUT_HEADER: Span = Span(15, 25);
pub const FANOUT_PER_ENTRY: Span = Span(8, 12);
/// One phase record (counter read + store), scheduler or orchestrator.
pub const PHASE_RECORD: Span = Span(35, 45);
/// The per-round orchestrator summary write.
pub const ORCH_SUMMARY_RECORD: Span = Span(80, 120);

// ---- Host / round ------------------------------------------------------

/// Between rounds: host launch of the next kernel (tens of µs).
pub const LAUNCH_GAP: Span = Span(25_000, 60_000);
/// Scheduler thread start stagger after the round begins (cross-thread first
/// dispatch stagger median ≈1.9 µs, batched-publish investigation).
pub const THREAD_START: Span = Span(500, 3_000);
