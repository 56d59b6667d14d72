//! The AICPU orchestrator thread: per round a prep, then the workload's
//! submits in order, each in the six seed-era sub-steps (spec §3.5):
//! `orch_alloc` (take a task-ring slot; blocks while the ring is full),
//! `orch_sync` (tensor-map cleanup against the watermark), `orch_lookup`
//! (producers of every read), `orch_insert` (register writes), `orch_params`
//! (copy arguments) and `orch_fanin` (link onto unfinished producers' fanout
//! lists, publish as ready when none is pending). Then `scope_end`.

use crate::record::{Ns, OrchPhase, OrchPhaseRecord, OrchSummary, Record, TaskId};

use super::clock::stamp;
use super::cost;
use super::engine::{Gates, Link, NEVER, ORCH_STREAM, TaskState, World};
use super::probe::ProbeCounts;
use super::rng::Rng;
use super::tensormap::TensorMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Off,
    /// At the start (or retry) of `orch_alloc` for task `next`.
    Alloc,
    /// Blocked in `orch_alloc` on a full ring.
    Blocked,
    /// Lookup/insert/params done; about to wire fan-in.
    Fanin,
    Done,
}

/// Cumulative sub-step time of the round (the seed-era summary); exists only
/// with PHASE_BUFFERS.
#[derive(Debug, Default)]
struct PhaseBuf {
    /// alloc, sync, lookup, insert, params, fanin.
    totals: [Ns; 6],
}

pub struct Orchestrator {
    actor: usize,
    state: St,
    now: Ns,
    /// Round-local index of the task being submitted.
    next: usize,
    /// Counts `submit_task()` calls over the whole run.
    submit_idx: u32,
    /// Start of the current submit's alloc lap.
    lap: Ns,
    /// End of alloc, sync, lookup, insert, params of the current submit.
    marks: [Ns; 5],
    producers: Vec<u32>,
    tmap: TensorMap,
    cleanup_mark: u64,
    round_start: Ns,
    phase: Option<Box<PhaseBuf>>,
    rng: Rng,
}

impl Orchestrator {
    pub fn new(
        actor: usize,
        tensors: usize,
        seed: u64,
        gates: Gates,
        probe: &mut ProbeCounts,
    ) -> Orchestrator {
        let phase = if gates.phases {
            probe.phase_buffer_allocs += 1;
            Some(Box::default())
        } else {
            None
        };
        let mut tmap = TensorMap::default();
        tmap.reset(tensors);
        Orchestrator {
            actor,
            state: St::Off,
            now: 0,
            next: 0,
            submit_idx: 0,
            lap: 0,
            marks: [0; 5],
            producers: Vec::new(),
            tmap,
            cleanup_mark: 0,
            round_start: 0,
            phase,
            rng: Rng::keyed(seed, ORCH_STREAM, 0, 0),
        }
    }

    pub fn start_round(&mut self, w: &mut World, t: Ns) {
        self.round_start = t;
        self.now = t + cost::ORCH_PREP.draw(&mut self.rng);
        self.lap = self.now;
        self.next = 0;
        self.tmap.reset(w.wl.tensors.len());
        if let Some(p) = self.phase.as_deref_mut() {
            *p = PhaseBuf::default();
        }
        self.state = St::Alloc;
        w.wake(self.actor, self.now);
    }

    /// Charges one phase-record write (it lands in the next lap).
    fn record_cost(&mut self, w: &mut World) {
        if self.phase.is_some() {
            let c = cost::PHASE_RECORD.draw(&mut self.rng);
            self.now += w.charge(c);
        }
    }

    pub fn step(&mut self, w: &mut World) {
        if self.state == St::Blocked {
            // Woken by a retirement: the spin loop saw the watermark move.
            self.now = self.now.max(w.now);
            self.state = St::Alloc;
        }
        loop {
            match self.state {
                St::Off | St::Done | St::Blocked => {
                    w.next[self.actor] = NEVER;
                    return;
                }
                St::Alloc => {
                    if !w.may_proceed(self.now) {
                        w.next[self.actor] = self.now;
                        return;
                    }
                    if self.next == w.tasks.len() {
                        self.scope_end(w);
                        continue;
                    }
                    if !self.alloc(w) {
                        self.state = St::Blocked;
                        w.next[self.actor] = NEVER;
                        return;
                    }
                    self.prepare(w);
                    self.state = St::Fanin;
                }
                St::Fanin => {
                    if !w.may_proceed(self.now) {
                        w.next[self.actor] = self.now;
                        return;
                    }
                    self.fanin(w);
                    self.state = St::Alloc;
                }
            }
        }
    }

    /// Takes a ring slot for task `next`; false when the ring is full.
    fn alloc(&mut self, w: &mut World) -> bool {
        let i = self.next;
        let ring = w.wl.tasks[i].ring;
        let r = &mut w.rings[usize::from(ring)];
        if !r.has_room() {
            w.orch_wait_ring = Some(ring);
            return false;
        }
        let local = r.alloc(i as u32);
        let t = &mut w.tasks[i];
        t.id = TaskId::new(ring, local);
        t.state = TaskState::Waiting;
        self.now += cost::ORCH_ALLOC.draw(&mut self.rng);
        self.marks[0] = self.now;
        self.record_cost(w);
        true
    }

    /// sync, lookup, insert and params: orchestrator-private work.
    fn prepare(&mut self, w: &mut World) {
        let i = self.next;
        let wl = w.wl;
        let spec = &wl.tasks[i];
        let r = &mut self.rng;

        let retired: u64 = w.rings.iter().map(|r| r.retired()).sum();
        if retired - self.cleanup_mark >= cost::CLEANUP_INTERVAL {
            self.cleanup_mark = retired;
            self.now += cost::ORCH_CLEANUP.draw(r);
        }
        self.now += cost::ORCH_SYNC.draw(r);
        self.marks[1] = self.now;
        self.record_cost(w);

        let r = &mut self.rng;
        self.now += cost::ORCH_LOOKUP_BASE.draw(r);
        for _ in spec.args.iter().filter(|a| a.reads()) {
            self.now += cost::ORCH_LOOKUP_PER_INPUT.draw(r);
        }
        self.producers.clear();
        let (producers, tasks) = (&mut self.producers, &w.tasks);
        self.tmap.lookup(spec, |e| {
            // Stale entries (producer already retired) are dropped by the lookup.
            if tasks[e.producer as usize].state != TaskState::Retired
                && !producers.contains(&e.producer)
            {
                producers.push(e.producer);
            }
        });
        self.marks[2] = self.now;
        self.record_cost(w);

        let r = &mut self.rng;
        self.now += cost::ORCH_INSERT_BASE.draw(r);
        for _ in spec.args.iter().filter(|a| a.writes()) {
            self.now += cost::ORCH_INSERT_PER_OUTPUT.draw(r);
        }
        self.tmap.insert(i as u32, spec);
        self.marks[3] = self.now;
        self.record_cost(w);

        let r = &mut self.rng;
        self.now += cost::ORCH_PARAMS_BASE.draw(r)
            + spec.args.len() as Ns * cost::ORCH_PARAMS_PER_ARG.draw(r);
        self.marks[4] = self.now;
        self.record_cost(w);
    }

    /// Links the task onto unfinished producers; publishes it if none is left.
    fn fanin(&mut self, w: &mut World) {
        let i = self.next as u32;
        self.now += cost::ORCH_FANIN_BASE.draw(&mut self.rng);
        let mut pending = 0;
        for &p in &self.producers {
            self.now += cost::ORCH_FANIN_PER_PRODUCER.draw(&mut self.rng);
            let prod = &mut w.tasks[p as usize];
            if prod.state < TaskState::Completed {
                w.links.push(Link {
                    consumer: i,
                    next: prod.fanout_head,
                });
                prod.fanout_head = (w.links.len() - 1) as u32;
                pending += 1;
            }
        }
        w.tasks[i as usize].fanin = pending;
        if pending == 0 {
            self.now += cost::READY_PUSH.draw(&mut self.rng);
            w.push_ready(i, self.now);
        }
        let end = self.now;
        let id = w.tasks[i as usize].id;
        if self.phase.is_some() {
            self.record_submit(w, id, end);
        }
        if w.gates.dep_gen {
            let rec = w
                .depgen
                .as_ref()
                .map(|d| d[i as usize].record(w.round, id, |p| w.tasks[p as usize].id));
            if let Some(r) = rec {
                w.emit(Record::Submit(r));
            }
        }
        self.record_cost(w);
        self.lap = end;
        self.next += 1;
        self.submit_idx = self.submit_idx.wrapping_add(1);
    }

    /// The six contiguous sub-step records of one submit.
    fn record_submit(&mut self, w: &mut World, id: TaskId, end: Ns) {
        let bounds = [
            self.lap,
            self.marks[0],
            self.marks[1],
            self.marks[2],
            self.marks[3],
            self.marks[4],
            end,
        ];
        for (k, step) in OrchPhase::SUBMIT_STEPS.into_iter().enumerate() {
            w.probe.phase_code_runs += 1;
            if let Some(p) = self.phase.as_deref_mut() {
                p.totals[k] += bounds[k + 1] - bounds[k];
            }
            w.emit(Record::OrchPhase(OrchPhaseRecord {
                round: w.round,
                thread: 0,
                kind: step,
                start_ns: stamp(bounds[k]),
                end_ns: stamp(bounds[k + 1]),
                submit_idx: self.submit_idx,
                task_id: Some(id),
            }));
        }
    }

    fn scope_end(&mut self, w: &mut World) {
        let start = self.now;
        self.now += cost::SCOPE_END_BASE.draw(&mut self.rng)
            + w.tasks.len() as Ns * cost::SCOPE_END_PER_TASK;
        if let Some(p) = self.phase.as_deref() {
            w.probe.phase_code_runs += 1;
            let t = p.totals;
            w.emit(Record::OrchSummary(OrchSummary {
                round: w.round,
                start_ns: stamp(self.round_start),
                end_ns: stamp(self.now),
                submit_count: w.tasks.len() as u32,
                sync_ns: t[1],
                alloc_ns: t[0],
                params_ns: t[4],
                lookup_ns: t[2],
                heap_ns: 0,
                insert_ns: t[3],
                fanin_ns: t[5],
                scope_end_ns: self.now - start,
            }));
            let c = cost::ORCH_SUMMARY_RECORD.draw(&mut self.rng);
            self.now += w.charge(c);
        }
        self.state = St::Done;
        w.orchestrator_done(self.now);
    }
}
