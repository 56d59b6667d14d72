//! One AICPU scheduler thread: it owns a set of cores and loops
//! *complete* (poll each busy core's status register, handle FINs: stamp,
//! resolve the fanout list, retire) then *dispatch* (pop the ready queue of
//! each idle core's shape, then of each free pending slot, and write it to
//! the core). An iteration that makes no progress is idle; instead of
//! simulating every idle iteration the thread parks until the first loop
//! head that could see new work, and the stretch becomes one `idle` record.

use crate::record::{Ns, Record, SchedPhase, SchedPhaseRecord, TaskRecord};

use super::clock::stamp;
use super::cost;
use super::engine::{Gates, Link, NEVER, NONE, Park, SCHED_STREAM, TaskState, World};
use super::probe::ProbeCounts;
use super::ready::shape;
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// Not running (between rounds).
    Off,
    /// At a loop head.
    Begin,
    /// Polling `busy[poll_pos..]`.
    Poll,
    /// The read of `busy[poll_pos]` returned FIN at `now`; handle it.
    Observe,
    /// Polling done; close the complete phase.
    AfterPoll,
    /// About to pop ready queues.
    Dispatch,
    /// Spinning idle (see [`Park`]).
    Parked,
}

/// Phase-recording state of one thread; exists only with PHASE_BUFFERS.
#[derive(Debug, Default)]
struct PhaseBuf {
    /// `(pop_hit, pop_miss)` since the last dispatch record.
    pops: (u32, u32),
    /// Open idle stretch: start time and loop iteration.
    idle: Option<(Ns, u32)>,
    /// Ready-queue depths at the current iteration's start.
    at_start: [i16; 3],
}

pub struct SchedThread {
    idx: usize,
    cores: Vec<u32>,
    state: St,
    now: Ns,
    loop_iter: u32,
    iter_start: Ns,
    /// Where the next outer record starts: the end of the previous one, so
    /// a thread's records are contiguous laps as in the seed-era format.
    lap: Ns,
    busy: Vec<u32>,
    poll_pos: usize,
    done: u32,
    gates: Gates,
    phase: Option<Box<PhaseBuf>>,
    rng: Rng,
}

impl SchedThread {
    pub fn new(
        idx: usize,
        cores: Vec<u32>,
        seed: u64,
        gates: Gates,
        probe: &mut ProbeCounts,
    ) -> SchedThread {
        let phase = if gates.phases {
            probe.phase_buffer_allocs += 1;
            Some(Box::default())
        } else {
            None
        };
        SchedThread {
            idx,
            busy: Vec::with_capacity(cores.len()),
            cores,
            state: St::Off,
            now: 0,
            loop_iter: 0,
            iter_start: 0,
            lap: 0,
            poll_pos: 0,
            done: 0,
            gates,
            phase,
            rng: Rng::keyed(seed, SCHED_STREAM, idx as u64, 0),
        }
    }

    pub fn start_round(&mut self, w: &mut World, t: Ns) {
        self.state = St::Begin;
        self.now = t;
        self.loop_iter = 0;
        self.lap = t;
        if let Some(p) = self.phase.as_deref_mut() {
            *p = PhaseBuf::default();
        }
        w.wake(self.idx, t);
    }

    pub fn step(&mut self, w: &mut World) {
        let me = self.idx;
        if self.state == St::Parked {
            // Woken at a loop head: account the idle iterations in between.
            let t = w.now;
            if let Some(p) = w.parked[me].take() {
                let skipped = (t.saturating_sub(p.s1) / p.period.max(1)) as u32;
                self.loop_iter = self.loop_iter.wrapping_add(skipped);
                if let Some(ph) = self.phase.as_deref_mut() {
                    // Each skipped iteration missed once per shape it could take.
                    let shapes = p.can_take.iter().filter(|x| **x).count() as u32;
                    ph.pops.1 = ph.pops.1.wrapping_add(skipped.wrapping_mul(shapes));
                }
            }
            self.now = t;
            self.state = St::Begin;
        }
        loop {
            match self.state {
                St::Off | St::Parked => {
                    w.next[me] = NEVER;
                    return;
                }
                St::Begin => {
                    if w.round_over_at.is_some() {
                        self.close_idle(w, self.now);
                        self.state = St::Off;
                        w.next[me] = NEVER;
                        w.thread_exited(self.now);
                        return;
                    }
                    self.iter_start = self.now;
                    self.now += cost::LOOP_BASE.draw(&mut self.rng);
                    self.busy.clear();
                    for &c in &self.cores {
                        if w.cores[c as usize].occupancy() > 0 {
                            self.busy.push(c);
                        }
                    }
                    self.poll_pos = 0;
                    self.done = 0;
                    if let Some(p) = self.phase.as_deref_mut() {
                        p.at_start = w.ready.depths();
                    }
                    self.state = St::Poll;
                }
                St::Poll => {
                    self.state = St::AfterPoll;
                    while self.poll_pos < self.busy.len() {
                        let c = self.busy[self.poll_pos] as usize;
                        // Uncached MMIO reads: one at a time, ~100 ns each.
                        self.now += cost::STATUS_READ.draw(&mut self.rng);
                        if w.cores[c].head_end().is_some_and(|e| e <= self.now) {
                            self.state = St::Observe;
                            break;
                        }
                        self.poll_pos += 1;
                    }
                }
                St::Observe => {
                    if !w.may_proceed(self.now) {
                        w.next[me] = self.now;
                        return;
                    }
                    let c = self.busy[self.poll_pos];
                    self.complete_core(w, c);
                    self.poll_pos += 1;
                    self.state = St::Poll;
                }
                St::AfterPoll => {
                    if self.done > 0 {
                        self.record_complete(w);
                    }
                    self.state = St::Dispatch;
                }
                St::Dispatch => {
                    if !w.may_proceed(self.now) {
                        w.next[me] = self.now;
                        return;
                    }
                    let hits = self.dispatch(w);
                    self.loop_iter = self.loop_iter.wrapping_add(1);
                    if self.done > 0 || hits > 0 {
                        self.state = St::Begin;
                    } else {
                        self.park(w);
                        return;
                    }
                }
            }
        }
    }

    /// Handles every FIN the poll of core `c` returned (a pre-loaded task may
    /// have finished right after the running one).
    fn complete_core(&mut self, w: &mut World, c: u32) {
        let seen = self.now;
        while let Some(slot) = w.cores[c as usize].take_finished(seen) {
            if self.done == 0 {
                self.close_idle(w, self.iter_start);
            }
            self.done += 1;
            let task = slot.task;
            let finish = if self.gates.lifecycle {
                w.probe.dispatch_finish_stamps += 1;
                let ts = stamp(self.now);
                let oh = cost::AICPU_TS_READ.draw(&mut self.rng)
                    + cost::AICPU_ROW_STORE.draw(&mut self.rng);
                self.now += w.charge(oh);
                Some(ts)
            } else {
                None
            };
            self.now += cost::FIN_BOOKKEEPING.draw(&mut self.rng);
            w.tasks[task as usize].state = TaskState::Completed;

            // resolve: walk the consumers linked onto this task.
            let r_start = self.now;
            let mut visited = 0u32;
            let mut succ = Vec::new();
            let mut l = w.tasks[task as usize].fanout_head;
            while l != NONE {
                let Link { consumer, next } = w.links[l as usize];
                l = next;
                visited += 1;
                self.now += cost::RESOLVE_PER_CONSUMER.draw(&mut self.rng);
                let ct = &mut w.tasks[consumer as usize];
                if self.gates.lifecycle {
                    succ.push(ct.id);
                }
                ct.fanin -= 1;
                if ct.fanin == 0 {
                    self.now += cost::READY_PUSH.draw(&mut self.rng);
                    w.push_ready(consumer, self.now);
                }
            }
            if visited > 0 && self.phase.is_some() {
                self.phase_record(w, SchedPhase::Resolve, r_start, visited, None);
            }

            let t = w.tasks[task as usize];
            if self.gates.lifecycle && !succ.is_empty() {
                w.probe.fanout_records += 1;
                let oh = cost::FANOUT_HEADER.draw(&mut self.rng)
                    + succ.len() as Ns * cost::FANOUT_PER_ENTRY.mean();
                self.now += w.charge(oh);
                w.emit(Record::Fanout(crate::record::FanoutRecord {
                    round: w.round,
                    task_id: t.id,
                    successors: succ,
                }));
            }
            if self.gates.aicore {
                let f = w.wl.func_of(task as usize);
                w.emit(Record::Task(TaskRecord {
                    round: w.round,
                    task_id: t.id,
                    func_id: f.id,
                    core_id: c,
                    core_type: f.core,
                    reg_task_id: slot.reg,
                    receive_ns: Some(stamp(slot.receive)),
                    start_ns: stamp(slot.start),
                    end_ns: stamp(slot.end),
                    dispatch_ns: self.gates.lifecycle.then(|| stamp(slot.dispatch)),
                    finish_ns: finish,
                }));
            }
            let freed = w.retire(t.id.ring(), self.now);
            self.now += Ns::from(freed) * cost::RETIRE.mean();
            w.task_completed(seen);
        }
    }

    fn dispatch(&mut self, w: &mut World) -> u32 {
        let mut hits = 0u32;
        let mut misses = 0u32;
        let mut empty = [false; 2];
        // Idle cores take their running slot first, then busy cores their pending slot.
        for occupancy in 0..2 {
            for i in 0..self.cores.len() {
                let c = self.cores[i];
                let core = &w.cores[c as usize];
                if core.occupancy() != occupancy {
                    continue;
                }
                let sh = shape(core.ty);
                if empty[sh] {
                    continue;
                }
                match w.ready.pop(sh) {
                    Some(task) => {
                        self.now += cost::POP_HIT.draw(&mut self.rng);
                        hits += 1;
                        self.issue(w, c, task);
                    }
                    None => {
                        self.now += cost::POP_MISS.draw(&mut self.rng);
                        misses += 1;
                        empty[sh] = true;
                    }
                }
            }
        }
        if let Some(p) = self.phase.as_deref_mut() {
            p.pops.0 += hits;
            p.pops.1 += misses;
        }
        if hits > 0 {
            if self.done == 0 {
                self.close_idle(w, self.iter_start);
            }
            if self.phase.is_some() {
                let pops = self
                    .phase
                    .as_deref_mut()
                    .map(|p| std::mem::take(&mut p.pops));
                self.phase_record(w, SchedPhase::Dispatch, self.lap, hits, pops);
            }
        }
        hits
    }

    /// Writes `task` to core `c`.
    fn issue(&mut self, w: &mut World, c: u32, task: u32) {
        self.now += cost::PAYLOAD_BUILD.draw(&mut self.rng);
        if self.gates.lifecycle {
            w.probe.dispatch_finish_stamps += 1;
            let t = cost::AICPU_TS_READ.draw(&mut self.rng);
            self.now += w.charge(t);
        }
        self.now += cost::REGISTER_WRITE.draw(&mut self.rng);
        let exec = w.exec_ns(task);
        let acc = w.cores[c as usize].accept(task, exec, self.now, self.gates.aicore);
        if self.gates.aicore {
            // receive, start and end counter reads on the core.
            w.probe.aicore_stamps += 3;
            w.charge(acc.record_overhead);
        }
        w.tasks[task as usize].state = TaskState::Dispatched;
    }

    /// Spins idle from `now`: park until the first loop head that can see a
    /// FIN of an owned core or (via [`World::push_ready`]) new ready work.
    fn park(&mut self, w: &mut World) {
        if let Some(p) = self.phase.as_deref_mut() {
            // The stretch starts where the last record ended (contiguous laps).
            p.idle
                .get_or_insert((self.lap, self.loop_iter.wrapping_sub(1)));
        }
        let mut can_take = [false; 2];
        for &c in &self.cores {
            let core = &w.cores[c as usize];
            if core.occupancy() < 2 {
                can_take[shape(core.ty)] = true;
            }
        }
        let shapes = can_take.iter().filter(|x| **x).count() as Ns;
        let read = cost::STATUS_READ.mean();
        let head = cost::LOOP_BASE.mean();
        let period = head + self.busy.len() as Ns * read + shapes * cost::POP_MISS.mean();
        let park = Park {
            s1: self.now,
            period: period.max(1),
            can_take,
        };
        let mut wake = NEVER;
        for (i, &c) in self.busy.iter().enumerate() {
            if let Some(end) = w.cores[c as usize].head_end() {
                // This core's read returns `head + (i+1)·read` into an iteration.
                let offset = head + (i as Ns + 1) * read;
                wake = wake.min(park.boundary(end.saturating_sub(offset)));
            }
        }
        if w.round_over_at.is_some() {
            wake = park.s1;
        }
        w.parked[self.idx] = Some(park);
        w.next[self.idx] = wake;
        self.state = St::Parked;
    }

    /// Ends an open idle stretch at `end` with one coalesced record.
    fn close_idle(&mut self, w: &mut World, end: Ns) {
        let Some((start, iter)) = self.phase.as_deref_mut().and_then(|p| p.idle.take()) else {
            return;
        };
        w.probe.phase_code_runs += 1;
        w.emit(Record::SchedPhase(SchedPhaseRecord {
            round: w.round,
            thread: self.idx as u16,
            kind: SchedPhase::Idle,
            start_ns: stamp(start),
            end_ns: stamp(end),
            loop_iter: iter,
            tasks_processed: 0,
            pops: None,
            shared_at_start: Some([0; 3]),
            shared_at_end: Some([0; 3]),
            task_id: None,
        }));
        self.lap = end;
        let c = cost::PHASE_RECORD.draw(&mut self.rng);
        self.now += w.charge(c);
    }

    fn record_complete(&mut self, w: &mut World) {
        if self.phase.is_some() {
            self.phase_record(w, SchedPhase::Complete, self.lap, self.done, None);
        }
    }

    /// Writes a `complete`, `dispatch` or `resolve` record ending now.
    fn phase_record(
        &mut self,
        w: &mut World,
        kind: SchedPhase,
        start: Ns,
        n: u32,
        pops: Option<(u32, u32)>,
    ) {
        let Some(p) = self.phase.as_deref() else {
            return;
        };
        w.probe.phase_code_runs += 1;
        let inner = kind == SchedPhase::Resolve;
        let (at_start, at_end) = if inner {
            ([0; 3], [0; 3])
        } else {
            (p.at_start, w.ready.depths())
        };
        w.emit(Record::SchedPhase(SchedPhaseRecord {
            round: w.round,
            thread: self.idx as u16,
            kind,
            start_ns: stamp(start),
            end_ns: stamp(self.now),
            loop_iter: self.loop_iter,
            tasks_processed: n,
            pops,
            shared_at_start: Some(at_start),
            shared_at_end: Some(at_end),
            task_id: None,
        }));
        if !inner {
            self.lap = self.now;
            if let Some(p) = self.phase.as_deref_mut() {
                p.at_start = at_end;
            }
        }
        let c = cost::PHASE_RECORD.draw(&mut self.rng);
        self.now += w.charge(c);
    }
}
