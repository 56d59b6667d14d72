//! One AICore as the scheduler sees it: a running slot and a pending slot,
//! and the core's own timing (propagation, cold start, local setup, exec,
//! record write-back) once a task has been written to it.

use crate::record::{CoreType, Ns};

use super::cost;
use super::rng::Rng;

/// A task written to a core, with the times the core will run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub task: u32,
    pub reg: u32,
    pub dispatch: Ns,
    pub receive: Ns,
    pub start: Ns,
    pub end: Ns,
}

#[derive(Debug, Clone)]
pub struct Core {
    pub ty: CoreType,
    /// Per-core dispatch sequence (`reg_task_id`), from 1, across rounds.
    reg_seq: u32,
    /// Next task is the first of this round on this core.
    pub cold: bool,
    running: Option<Slot>,
    pending: Option<Slot>,
    /// When the core can pick up its next task (last end + tail work).
    free_at: Ns,
    rng: Rng,
}

/// What taking a task cost the core in instrumentation.
pub struct Accepted {
    pub slot: Slot,
    pub record_overhead: Ns,
}

impl Core {
    pub fn new(ty: CoreType, rng: Rng) -> Core {
        Core {
            ty,
            reg_seq: 0,
            cold: true,
            running: None,
            pending: None,
            free_at: 0,
            rng,
        }
    }

    /// 0 idle, 1 running, 2 running + pending.
    pub fn occupancy(&self) -> usize {
        usize::from(self.running.is_some()) + usize::from(self.pending.is_some())
    }

    /// End of the task the core runs now (the next FIN a poll can see).
    pub fn head_end(&self) -> Option<Ns> {
        self.running.map(|s| s.end)
    }

    /// The scheduler wrote `task` (kernel time `exec`) at `d`. With the
    /// swimlane on (`records`) the core writes a record after each task,
    /// which delays its next pickup.
    pub fn accept(&mut self, task: u32, exec: Ns, d: Ns, records: bool) -> Accepted {
        self.reg_seq = match self.reg_seq.wrapping_add(1) & 0x7FFF_FFFF {
            0 => 1,
            n => n,
        };
        let r = &mut self.rng;
        let mut arrive = d + cost::PROPAGATION.draw(r);
        let setup = if self.cold {
            self.cold = false;
            let extra = r
                .lognormal(cost::COLD_EXTRA_MEDIAN_NS, cost::COLD_EXTRA_SIGMA)
                .clamp(cost::COLD_EXTRA.0 as f64, cost::COLD_EXTRA.1 as f64);
            arrive += extra as Ns;
            cost::SETUP_COLD.draw(r)
        } else {
            cost::SETUP_WARM.draw(r)
        };
        // A pre-loaded task waits for the running one and its tail work.
        let receive = arrive.max(self.free_at);
        let start = receive + setup;
        let end = start + exec;
        let record_overhead = if records {
            cost::AICORE_RECORD.draw(r)
        } else {
            0
        };
        self.free_at = end + cost::PICKUP.draw(r) + record_overhead;
        let slot = Slot {
            task,
            reg: self.reg_seq,
            dispatch: d,
            receive,
            start,
            end,
        };
        if self.running.is_none() {
            self.running = Some(slot);
        } else {
            self.pending = Some(slot);
        }
        Accepted {
            slot,
            record_overhead,
        }
    }

    /// The running task if it has ended by `t`; the pending one moves up.
    pub fn take_finished(&mut self, t: Ns) -> Option<Slot> {
        let s = self.running.filter(|s| s.end <= t)?;
        self.running = self.pending.take();
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cold_then_warm_and_preload_waits_for_the_tail() {
        let mut c = Core::new(CoreType::Aic, Rng::new(1));
        let a = c.accept(0, 10_000, 1_000, true).slot;
        assert_eq!(a.reg, 1);
        assert!(a.receive >= 1_000 + cost::PROPAGATION.0 + cost::COLD_EXTRA.0);
        assert!(a.start - a.receive >= cost::SETUP_COLD.0);
        assert_eq!(a.end - a.start, 10_000);
        // Pre-load while `a` runs: picked up only after a's end + record write.
        let b = c.accept(1, 5_000, a.start + 100, true).slot;
        assert_eq!(b.reg, 2);
        assert!(b.dispatch < a.end);
        assert!(b.receive >= a.end + cost::AICORE_RECORD.0 + cost::PICKUP.0);
        assert!(b.start - b.receive <= cost::SETUP_WARM.1);
        assert_eq!(c.occupancy(), 2);
        assert_eq!(c.take_finished(a.end - 1), None);
        assert_eq!(c.take_finished(a.end), Some(a));
        assert_eq!(c.head_end(), Some(b.end));
        assert_eq!(c.take_finished(b.end + 5), Some(b));
        assert_eq!(c.occupancy(), 0);
    }

    #[test]
    fn without_records_the_switch_gap_is_only_the_pickup() {
        let mut c = Core::new(CoreType::Aiv, Rng::new(2));
        c.cold = false;
        let a = c.accept(0, 1_000, 0, false);
        assert_eq!(a.record_overhead, 0);
        let b = c.accept(1, 1_000, 10, false).slot;
        assert!(b.receive - a.slot.end <= cost::PICKUP.1);
    }
}
