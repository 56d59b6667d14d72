//! Store ⇄ capture: what goes in comes back out, each kind in ingest order,
//! so store → capture → writer is faithful.

use super::TraceStore;
use super::names::{orch_kind, sched_kind};
use super::phases::{PhaseDetail, PhaseLane};
use crate::record::{Capture, OrchPhaseRecord, Record, SchedPhaseRecord, TaskRecord};

impl TraceStore {
    /// Every live record, each kind in ingest order. Rows stored with a
    /// repair (`end < start` → `end = start`) come back repaired, and a
    /// scheduler kind comes back as `SchedPhase::from_name` of its name (so a
    /// hand-built `Other("fanout")` returns as `Resolve`, its current name).
    pub fn to_capture(&self) -> Capture {
        let mut c = Capture::new(self.info.clone(), self.flags);
        c.runtime_level = self.runtime_level;

        let mut tasks: Vec<(u64, TaskRecord)> = Vec::with_capacity(self.task_rows);
        for (&core, lane) in &self.cores {
            tasks.extend((0..lane.len()).map(|i| {
                let row = lane.row(i);
                (row.seq, row.to_record(core))
            }));
        }
        tasks.sort_unstable_by_key(|(seq, _)| *seq);
        c.tasks = tasks.into_iter().map(|(_, t)| t).collect();

        let log = &self.edges.log;
        c.fanout = (0..log.len()).map(|i| log.record(i)).collect();
        debug_assert!((1..log.len()).all(|i| log.seq(i - 1) < log.seq(i)));

        let mut sched: Vec<(u64, SchedPhaseRecord)> = Vec::new();
        for (&thread, lane) in &self.sched {
            for s in all_spans(lane) {
                if let PhaseDetail::Sched {
                    loop_iter,
                    tasks_processed,
                    pops,
                    shared_at_start,
                    shared_at_end,
                    task_id,
                } = s.detail
                {
                    sched.push((
                        s.seq,
                        SchedPhaseRecord {
                            round: s.round,
                            thread,
                            kind: sched_kind(self.phase_name(s.name)),
                            start_ns: s.start_ns,
                            end_ns: s.end_ns,
                            loop_iter,
                            tasks_processed,
                            pops,
                            shared_at_start,
                            shared_at_end,
                            task_id,
                        },
                    ));
                }
            }
        }
        sched.sort_unstable_by_key(|(seq, _)| *seq);
        c.sched_phases = sched.into_iter().map(|(_, r)| r).collect();

        let mut orch: Vec<(u64, OrchPhaseRecord)> = Vec::new();
        for (&thread, lane) in &self.orch {
            for s in all_spans(lane) {
                if let PhaseDetail::Orch {
                    submit_idx,
                    task_id,
                } = s.detail
                {
                    orch.push((
                        s.seq,
                        OrchPhaseRecord {
                            round: s.round,
                            thread,
                            kind: orch_kind(self.phase_name(s.name)),
                            start_ns: s.start_ns,
                            end_ns: s.end_ns,
                            submit_idx,
                            task_id,
                        },
                    ));
                }
            }
        }
        orch.sort_unstable_by_key(|(seq, _)| *seq);
        c.orch_phases = orch.into_iter().map(|(_, r)| r).collect();

        c.orch_summaries = self.orch_summaries.clone();
        c.submits = self.submits.clone();
        c
    }

    /// A store holding a whole capture (one batch, kinds in capture order),
    /// so `from_capture(c).to_capture() == c` for any capture a reader made.
    pub fn from_capture(capture: Capture) -> TraceStore {
        let mut store = TraceStore::new(capture.info, capture.flags);
        store.runtime_level = capture.runtime_level;
        let mut records: Vec<Record> = Vec::with_capacity(
            capture.tasks.len()
                + capture.fanout.len()
                + capture.sched_phases.len()
                + capture.orch_phases.len()
                + capture.orch_summaries.len()
                + capture.submits.len(),
        );
        records.extend(capture.tasks.into_iter().map(Record::Task));
        records.extend(capture.fanout.into_iter().map(Record::Fanout));
        records.extend(capture.sched_phases.into_iter().map(Record::SchedPhase));
        records.extend(capture.orch_phases.into_iter().map(Record::OrchPhase));
        records.extend(capture.orch_summaries.into_iter().map(Record::OrchSummary));
        records.extend(capture.submits.into_iter().map(Record::Submit));
        store.ingest(records);
        store
    }
}

fn all_spans(lane: &PhaseLane) -> impl Iterator<Item = &super::PhaseSpan> + '_ {
    lane.layers().into_iter().flat_map(|l| l.spans.iter())
}
