//! The built-in simulated a2a3 chip: a discrete-event model of the
//! `tensormap_and_ringbuffer` runtime (orchestrator, task ring, tensor map,
//! scheduler threads, AICores) that honours the DFX gates exactly as the
//! device does, including what recording costs in device time.
//!
//! Submodules, one job each: `workload` (+ `template`, `random`) what runs;
//! `chip` the static layout; `aicore` one core's timing; `ring`, `ready`,
//! `tensormap` the runtime's shared structures; `orchestrator` and
//! `scheduler` the AICPU threads; `engine` the event loop; `recorder`,
//! `depgen` and `probe` what gets recorded and counted; `cost`, `clock`,
//! `rng` the numbers, the time base and the randomness.

pub mod aicore;
pub mod chip;
pub mod clock;
pub mod cost;
pub mod depgen;
pub mod engine;
pub mod orchestrator;
pub mod probe;
pub mod random;
pub mod ready;
pub mod recorder;
pub mod ring;
pub mod rng;
pub mod scheduler;
pub mod template;
pub mod tensormap;
pub mod workload;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::device::{Device, DeviceError, RealClock, RecordSink, RunSummary, StopToken, WallClock};
use crate::dfx::DfxFlags;
use crate::record::{CoreType, DeviceInfo, Ns};

use chip::Layout;
use clock::stamp;
use engine::{Engine, Gates, NEVER, Pause};
use probe::{ProbeCounts, ProbeHandle};
pub use workload::Workload;

/// The chip's shape. Default: one a2a3 die (24 AIC + 48 AIV, 3 schedulers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topology {
    pub aic: u32,
    pub aiv: u32,
    pub sched_threads: u16,
}

impl Default for Topology {
    fn default() -> Topology {
        Topology {
            aic: 24,
            aiv: 48,
            sched_threads: 3,
        }
    }
}

/// Sanity bounds on overrides (far above any real chip).
pub const MAX_AIC: u32 = 1024;
pub const MAX_AIV: u32 = 4096;
// Whatever the simulator writes, the readers must take back.
const _: () = assert!(MAX_AIC + MAX_AIV <= crate::record::MAX_CORES);
/// AICPU threads usable for scheduling (6 usable AICPUs minus the orchestrator).
pub const MAX_SCHED_THREADS: u16 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    AsFastAsPossible,
    /// Device time advances `device_ns_per_wall_s` per wall second.
    Paced {
        device_ns_per_wall_s: u64,
    },
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub workload: Workload,
    pub seed: u64,
    pub topology: Topology,
    /// `None` = endless.
    pub rounds: Option<u32>,
    pub pacing: Pacing,
    /// Emit `Record::Submit` for deps.json (level ≥ 1; no device cost).
    pub dep_gen: bool,
}

impl SimConfig {
    /// Defaults: seed 0, default topology, endless, as fast as possible, no dep_gen.
    pub fn new(workload: Workload) -> SimConfig {
        SimConfig {
            workload,
            seed: 0,
            topology: Topology::default(),
            rounds: None,
            pacing: Pacing::AsFastAsPossible,
            dep_gen: false,
        }
    }
}

/// How often a paced device wakes to catch up with wall time.
const PACED_TICK: Duration = Duration::from_millis(20);
/// Engine steps between stop checks when no output forces a pause.
const STEP_BUDGET: u32 = 4096;

pub struct SimDevice {
    cfg: SimConfig,
    layout: Layout,
    clock: Box<dyn WallClock>,
    probe: ProbeHandle,
}

impl SimDevice {
    pub fn new(cfg: SimConfig) -> Result<SimDevice, DeviceError> {
        let t = cfg.topology;
        if !(1..=MAX_AIC).contains(&t.aic) {
            return Err(DeviceError::Config(format!(
                "aic = {}: need 1..={MAX_AIC} cube cores",
                t.aic
            )));
        }
        if t.aiv > MAX_AIV {
            return Err(DeviceError::Config(format!(
                "aiv = {}: at most {MAX_AIV} vector cores",
                t.aiv
            )));
        }
        if !(1..=MAX_SCHED_THREADS).contains(&t.sched_threads) {
            return Err(DeviceError::Config(format!(
                "sched_threads = {}: need 1..={MAX_SCHED_THREADS} (the orchestrator takes one more AICPU thread)",
                t.sched_threads
            )));
        }
        if t.aiv == 0
            && let Some(f) = cfg.workload.funcs.iter().find(|f| f.core == CoreType::Aiv)
        {
            return Err(DeviceError::Config(format!(
                "aiv = 0 but workload {} runs {} on AIV cores",
                cfg.workload.name, f.name
            )));
        }
        if cfg.pacing
            == (Pacing::Paced {
                device_ns_per_wall_s: 0,
            })
        {
            return Err(DeviceError::Config(
                "paced at 0 device ns per wall second would never advance".into(),
            ));
        }
        Ok(SimDevice {
            layout: Layout::new(t),
            cfg,
            clock: Box::new(RealClock::default()),
            probe: ProbeHandle::default(),
        })
    }

    pub fn with_clock(mut self, clock: Box<dyn WallClock>) -> SimDevice {
        self.clock = clock;
        self
    }

    /// Instrumentation counters of the last (or current) run.
    pub fn probe(&self) -> ProbeCounts {
        self.probe.get()
    }

    /// A handle that stays readable after the device moved to another thread.
    pub fn probe_handle(&self) -> ProbeHandle {
        self.probe.clone()
    }

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
}

/// Hands finished batches and rounds to the sink, in device order.
fn deliver(
    eng: &mut Engine,
    sink: &mut dyn RecordSink,
    probe: &ProbeHandle,
    out: &mut RunSummary,
    last_end: &mut Ns,
) {
    let w = &mut eng.w;
    if !w.finished.is_empty() {
        // All of a round's records go out before its summary.
        w.rec.seal();
    }
    for batch in w.rec.drain() {
        out.records += batch.len() as u64;
        sink.batch(batch);
    }
    for s in w.finished.drain(..) {
        out.rounds += 1;
        *last_end = s.end_ns;
        sink.round_done(&s);
    }
    probe.publish(&w.probe);
}

impl Device for SimDevice {
    fn info(&self) -> DeviceInfo {
        chip::device_info(
            self.cfg.topology,
            &self.layout,
            &self.cfg.workload,
            self.cfg.seed,
        )
    }

    fn run(
        &mut self,
        flags: DfxFlags,
        sink: &mut dyn RecordSink,
        stop: &StopToken,
    ) -> Result<RunSummary, DeviceError> {
        let flags =
            DfxFlags::validate(flags.bits()).map_err(|e| DeviceError::Config(e.to_string()))?;
        let gates = Gates {
            aicore: flags.aicore_timing(),
            lifecycle: flags.task_lifecycle(),
            phases: flags.phase_buffers(),
            dep_gen: self.cfg.dep_gen && flags.aicore_timing(),
        };
        let cfg = &self.cfg;
        let mut eng = Engine::new(&cfg.workload, cfg.seed, &self.layout, gates, cfg.rounds);
        let mut out = RunSummary::default();
        let mut last_end: Ns = 0;
        self.probe.publish(&eng.w.probe);
        match cfg.pacing {
            Pacing::AsFastAsPossible => loop {
                let p = eng.advance(NEVER, STEP_BUDGET);
                deliver(&mut eng, sink, &self.probe, &mut out, &mut last_end);
                if p == Pause::Finished {
                    break;
                }
                if stop.is_stopped() {
                    out.stopped = true;
                    break;
                }
            },
            Pacing::Paced {
                device_ns_per_wall_s,
            } => {
                let dev0 = eng.w.now;
                let wall0 = self.clock.elapsed();
                'ticks: loop {
                    let wall = self.clock.elapsed().saturating_sub(wall0).as_nanos();
                    let ahead = wall * u128::from(device_ns_per_wall_s) / 1_000_000_000;
                    let target = dev0.saturating_add(Ns::try_from(ahead).unwrap_or(Ns::MAX));
                    loop {
                        let p = eng.advance(target, STEP_BUDGET);
                        deliver(&mut eng, sink, &self.probe, &mut out, &mut last_end);
                        match p {
                            Pause::Finished => break 'ticks,
                            Pause::Limit => break,
                            Pause::Output | Pause::Budget => {}
                        }
                        if stop.is_stopped() {
                            out.stopped = true;
                            break 'ticks;
                        }
                    }
                    // Everything up to `target` is observable now.
                    eng.w.rec.seal();
                    deliver(&mut eng, sink, &self.probe, &mut out, &mut last_end);
                    if stop.is_stopped() || self.clock.sleep(PACED_TICK, stop) {
                        out.stopped = true;
                        break;
                    }
                }
            }
        }
        eng.w.rec.seal();
        deliver(&mut eng, sink, &self.probe, &mut out, &mut last_end);
        let w = &eng.w;
        if !out.stopped && cfg.rounds.is_some_and(|n| out.rounds < n) {
            // Every actor went quiet with work left: a model bug, never a hang.
            return Err(DeviceError::Other(format!(
                "sim stalled in round {}: {} of {} tasks finished",
                w.round,
                w.completed,
                w.tasks.len()
            )));
        }
        let end = if w.in_round {
            last_end.max(stamp(w.now))
        } else {
            last_end
        };
        out.tasks = w.completed_total;
        out.device_time_ns = w.first_start.map_or(0, |s| end.saturating_sub(stamp(s)));
        out.overhead_ns = w.overhead_total + if w.in_round { w.overhead } else { 0 };
        Ok(out)
    }
}
