//! The discrete-event engine. Actors (scheduler threads, the orchestrator,
//! the host that launches rounds) each keep a local clock; the engine always
//! steps the actor whose next action is earliest, ties broken by actor index.
//! An actor may run ahead privately (costs, polls of cores only it owns) but
//! touches shared state only while its clock is before every other actor's
//! next action (the *horizon*), so shared effects happen in device-time order
//! and the result does not depend on how far the engine was asked to run.

use crate::record::{Ns, Record, RoundSummary, TaskId};

use super::aicore::Core;
use super::chip::Layout;
use super::clock::{BOOT_NS, stamp};
use super::cost;
use super::depgen::SubmitTemplate;
use super::orchestrator::Orchestrator;
use super::probe::ProbeCounts;
use super::ready::ReadyQueues;
use super::recorder::Recorder;
use super::ring::TaskRing;
use super::rng::Rng;
use super::scheduler::SchedThread;
use super::workload::{MAX_RING, Workload};

/// "No link" / "no task".
pub const NONE: u32 = u32::MAX;
/// An actor with nothing scheduled.
pub const NEVER: Ns = Ns::MAX;

/// RNG stream ids: exec times are keyed by (seed, round, task) so a task gets
/// the same kernel time whatever the level or the scheduling.
pub const EXEC_STREAM: u64 = 1;
pub const CORE_STREAM: u64 = 2;
pub const SCHED_STREAM: u64 = 3;
pub const ORCH_STREAM: u64 = 4;
pub const HOST_STREAM: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    Unsubmitted,
    /// Submitted, some producer unfinished.
    Waiting,
    Ready,
    Dispatched,
    /// The scheduler observed its FIN.
    Completed,
    /// Its ring slot is free again.
    Retired,
}

#[derive(Debug, Clone, Copy)]
pub struct TaskRt {
    pub id: TaskId,
    pub state: TaskState,
    /// Unfinished producers.
    pub fanin: u32,
    /// Head of the consumer list linked onto this task (index into `links`).
    pub fanout_head: u32,
}

/// One fanout list entry (upstream's dep pool).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub consumer: u32,
    pub next: u32,
}

/// What the DFX flags let the device record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gates {
    pub aicore: bool,
    pub lifecycle: bool,
    pub phases: bool,
    pub dep_gen: bool,
}

/// A scheduler thread spinning without progress: its loop iterations start at
/// `s1 + k·period`; it notices new work at the first of them after the work
/// appears.
#[derive(Debug, Clone, Copy)]
pub struct Park {
    pub s1: Ns,
    pub period: Ns,
    /// Shapes (AIC, AIV) it has a free core slot for.
    pub can_take: [bool; 2],
}

impl Park {
    pub fn boundary(&self, t: Ns) -> Ns {
        if t <= self.s1 {
            self.s1
        } else {
            self.s1 + (t - self.s1).div_ceil(self.period) * self.period
        }
    }
}

/// Everything actors share.
pub struct World<'a> {
    pub wl: &'a Workload,
    pub seed: u64,
    pub gates: Gates,
    pub round: u32,
    pub tasks: Vec<TaskRt>,
    pub links: Vec<Link>,
    pub ready: ReadyQueues,
    pub rings: Vec<TaskRing>,
    pub cores: Vec<Core>,
    pub rec: Recorder,
    pub probe: ProbeCounts,
    pub depgen: Option<Vec<SubmitTemplate>>,
    /// Instrumentation time charged this round / over the run.
    pub overhead: Ns,
    pub overhead_total: Ns,
    pub completed: usize,
    pub completed_total: u64,
    pub orch_done_at: Option<Ns>,
    pub round_over_at: Option<Ns>,
    pub round_start: Ns,
    pub last_finish: Ns,
    pub first_start: Option<Ns>,
    /// Next action time per actor: schedulers, then orchestrator, then host.
    pub next: Vec<Ns>,
    pub parked: Vec<Option<Park>>,
    /// The orchestrator waits in `orch_alloc` for a slot of this ring.
    pub orch_wait_ring: Option<u8>,
    pub orch_actor: usize,
    host_actor: usize,
    current: usize,
    horizon: (Ns, usize),
    exited: usize,
    exit_max: Ns,
    pub finished: Vec<RoundSummary>,
    /// A round has begun and not yet closed.
    pub in_round: bool,
    /// Time of the last processed event.
    pub now: Ns,
}

impl World<'_> {
    /// May the running actor act on shared state at `t`?
    pub fn may_proceed(&self, t: Ns) -> bool {
        (t, self.current) < self.horizon
    }

    /// Sets another actor's next action (a wake-up) and keeps the running
    /// actor's horizon honest.
    pub fn wake(&mut self, actor: usize, t: Ns) {
        if t < self.next[actor] {
            self.next[actor] = t;
            if actor != self.current && (t, actor) < self.horizon {
                self.horizon = (t, actor);
            }
        }
    }

    pub fn charge(&mut self, ns: Ns) -> Ns {
        self.overhead += ns;
        ns
    }

    pub fn emit(&mut self, r: Record) {
        self.rec.push(&mut self.probe, r);
    }

    pub fn exec_ns(&self, task: u32) -> Ns {
        let mut rng = Rng::keyed(
            self.seed,
            EXEC_STREAM,
            u64::from(self.round),
            u64::from(task),
        );
        self.wl.func_of(task as usize).exec.sample(&mut rng)
    }

    /// A task became ready at `t`: queue it and wake parked threads that could take it.
    pub fn push_ready(&mut self, task: u32, t: Ns) {
        self.tasks[task as usize].state = TaskState::Ready;
        let shape = super::ready::shape(self.wl.func_of(task as usize).core);
        self.ready.push(shape, task);
        for th in 0..self.parked.len() {
            if let Some(p) = self.parked[th].filter(|p| p.can_take[shape]) {
                self.wake(th, p.boundary(t));
            }
        }
    }

    /// Retires finished tasks of `ring` in order; wakes a blocked orchestrator.
    pub fn retire(&mut self, ring: u8, t: Ns) -> u32 {
        let tasks = &mut self.tasks;
        let n = self.rings[usize::from(ring)].retire(|i| {
            let task = &mut tasks[i as usize];
            let done = task.state == TaskState::Completed;
            if done {
                task.state = TaskState::Retired;
            }
            done
        });
        if n > 0 && self.orch_wait_ring == Some(ring) && self.rings[usize::from(ring)].has_room() {
            self.orch_wait_ring = None;
            // The blocked orchestrator re-reads the watermark within one spin.
            let spin = cost::ORCH_SPIN.mean();
            self.wake(self.orch_actor, t + spin);
        }
        n
    }

    pub fn task_completed(&mut self, t: Ns) {
        self.completed += 1;
        self.completed_total += 1;
        self.last_finish = self.last_finish.max(t);
        self.check_round_over(t);
    }

    pub fn orchestrator_done(&mut self, t: Ns) {
        self.orch_done_at = Some(t);
        self.check_round_over(t);
    }

    fn check_round_over(&mut self, t: Ns) {
        if self.round_over_at.is_none()
            && self.orch_done_at.is_some()
            && self.completed == self.tasks.len()
        {
            self.round_over_at = Some(t);
            // Every spinning thread notices at its next loop head and exits.
            for th in 0..self.parked.len() {
                if let Some(p) = self.parked[th] {
                    self.wake(th, p.boundary(t));
                }
            }
        }
    }

    /// A scheduler thread left its loop; the last one closes the round.
    pub fn thread_exited(&mut self, t: Ns) {
        self.exited += 1;
        self.exit_max = self.exit_max.max(t);
        if self.exited < self.parked.len() {
            return;
        }
        let end = self.exit_max.max(self.orch_done_at.unwrap_or(0));
        self.finished.push(RoundSummary {
            round: self.round,
            start_ns: stamp(self.round_start),
            end_ns: stamp(self.last_finish),
            tasks: self.tasks.len() as u64,
            records: self.rec.round_records,
            overhead_ns: self.overhead,
        });
        self.overhead_total += self.overhead;
        self.in_round = false;
        // The host decides whether another round follows; it acts after `end`.
        self.next[self.host_actor] = end;
    }

    fn begin_round(&mut self, round: u32, t: Ns) {
        self.round = round;
        self.in_round = true;
        for task in &mut self.tasks {
            *task = TaskRt {
                id: TaskId(0),
                state: TaskState::Unsubmitted,
                fanin: 0,
                fanout_head: NONE,
            };
        }
        self.links.clear();
        self.ready.clear();
        self.rings.iter_mut().for_each(TaskRing::reset_round);
        self.cores.iter_mut().for_each(|c| c.cold = true);
        self.overhead = 0;
        self.completed = 0;
        self.orch_done_at = None;
        self.round_over_at = None;
        self.round_start = t;
        self.first_start.get_or_insert(t);
        self.exited = 0;
        self.exit_max = t;
        self.rec.round_records = 0;
        self.orch_wait_ring = None;
        self.parked.iter_mut().for_each(|p| *p = None);
    }
}

/// Why [`Engine::advance`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// The next event lies after the requested limit.
    Limit,
    /// A full batch or a finished round waits for the sink.
    Output,
    /// The step budget ran out (time to check for a stop request).
    Budget,
    /// All requested rounds are done.
    Finished,
}

pub struct Engine<'a> {
    pub w: World<'a>,
    scheds: Vec<SchedThread>,
    orch: Orchestrator,
    rounds: Option<u32>,
    next_round: u32,
    launch_pending: bool,
    host_rng: Rng,
}

impl<'a> Engine<'a> {
    pub fn new(
        wl: &'a Workload,
        seed: u64,
        layout: &Layout,
        gates: Gates,
        rounds: Option<u32>,
    ) -> Engine<'a> {
        let threads = layout.thread_cores.len();
        let mut probe = ProbeCounts::default();
        let scheds: Vec<SchedThread> = (0..threads)
            .map(|i| SchedThread::new(i, layout.thread_cores[i].clone(), seed, gates, &mut probe))
            .collect();
        let orch = Orchestrator::new(threads, wl.tensors.len(), seed, gates, &mut probe);
        let cores = layout
            .core_types
            .iter()
            .enumerate()
            .map(|(i, ty)| Core::new(*ty, Rng::keyed(seed, CORE_STREAM, i as u64, 0)))
            .collect();
        let depgen = gates.dep_gen.then(|| super::depgen::build(wl));
        let mut next = vec![NEVER; threads + 2];
        // Nothing happens before the host launches round 0.
        next[threads + 1] = if rounds == Some(0) { NEVER } else { BOOT_NS };
        let w = World {
            wl,
            seed,
            gates,
            round: 0,
            tasks: vec![
                TaskRt {
                    id: TaskId(0),
                    state: TaskState::Unsubmitted,
                    fanin: 0,
                    fanout_head: NONE,
                };
                wl.tasks.len()
            ],
            links: Vec::new(),
            ready: ReadyQueues::default(),
            rings: (0..=MAX_RING)
                .map(|_| TaskRing::new(wl.ring_window))
                .collect(),
            cores,
            rec: Recorder::default(),
            probe,
            depgen,
            overhead: 0,
            overhead_total: 0,
            completed: 0,
            completed_total: 0,
            orch_done_at: None,
            round_over_at: None,
            round_start: BOOT_NS,
            last_finish: BOOT_NS,
            first_start: None,
            next,
            parked: vec![None; threads],
            orch_wait_ring: None,
            orch_actor: threads,
            host_actor: threads + 1,
            current: 0,
            horizon: (NEVER, usize::MAX),
            exited: 0,
            exit_max: BOOT_NS,
            finished: Vec::new(),
            in_round: false,
            now: BOOT_NS,
        };
        Engine {
            w,
            scheds,
            orch,
            rounds,
            next_round: 0,
            launch_pending: false,
            host_rng: Rng::keyed(seed, HOST_STREAM, 0, 0),
        }
    }

    /// Steps actors until the next action lies after `limit`, output is
    /// waiting, `budget` steps were taken, or the run is over.
    pub fn advance(&mut self, limit: Ns, budget: u32) -> Pause {
        for _ in 0..budget {
            if self.w.rec.has_full() || !self.w.finished.is_empty() {
                return Pause::Output;
            }
            let (mut a, mut t) = (0, NEVER);
            let (mut b, mut u) = (usize::MAX, NEVER);
            for (i, n) in self.w.next.iter().enumerate() {
                if *n < t {
                    (b, u) = (a, t);
                    (a, t) = (i, *n);
                } else if *n < u {
                    (b, u) = (i, *n);
                }
            }
            if t == NEVER {
                return Pause::Finished;
            }
            if t > limit {
                return Pause::Limit;
            }
            // Never act past `limit` either: paced runs stop exactly there.
            let cap = (limit.saturating_add(1), 0);
            self.w.horizon = if (u, b) < cap { (u, b) } else { cap };
            self.w.current = a;
            self.w.now = t;
            let threads = self.scheds.len();
            if a < threads {
                self.scheds[a].step(&mut self.w);
            } else if a == threads {
                self.orch.step(&mut self.w);
            } else {
                self.host_step(t);
            }
        }
        Pause::Budget
    }

    /// The host between rounds: launch the next one, or end the run.
    fn host_step(&mut self, t: Ns) {
        let host = self.w.host_actor;
        self.w.next[host] = NEVER;
        if self.next_round > 0 {
            if self.rounds.is_some_and(|n| self.next_round >= n) {
                return;
            }
            // Back from the previous round: wait out the launch gap first.
            if !self.launch_pending {
                self.launch_pending = true;
                self.w.next[host] = t + cost::LAUNCH_GAP.draw(&mut self.host_rng);
                return;
            }
        }
        self.launch_pending = false;
        let round = self.next_round;
        self.next_round += 1;
        self.w.begin_round(round, t);
        self.orch.start_round(&mut self.w, t);
        for s in &mut self.scheds {
            let start = t + cost::THREAD_START.draw(&mut self.host_rng);
            s.start_round(&mut self.w, start);
        }
    }
}
