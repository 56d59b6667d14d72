//! Replays a capture file as a device: the records arrive through the same
//! capture thread and channel as a live device's, so the same view shows
//! them. The file is parsed on the capture thread (the screen is up at once);
//! the parser is injected so this module does not depend on the formats.
//! Replay is instant, or paced so the live view can be reviewed as it
//! happened: each record is released when device time reaches the moment the
//! device would have had it (a task at its finish, a phase at its end).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use super::{Device, DeviceError, RealClock, RecordSink, RunSummary, StopToken, WallClock};
use crate::dfx::DfxFlags;
use crate::record::{Capture, DeviceInfo, Ns, Record, RoundSummary, TaskId};
use crate::store::TraceStore;

/// Parses a capture file: the capture and what the user should know about it
/// (skipped rows, missing names); an error message is shown as is.
pub type Loader = Box<dyn FnMut(&std::path::Path) -> Result<(Capture, Vec<String>), String> + Send>;

/// Loads a file straight into a store: how a file is replayed at once (a
/// million tasks never travel as records).
pub type StoreLoader =
    Box<dyn FnMut(&std::path::Path) -> Result<(TraceStore, Vec<String>), String> + Send>;

/// Wall time between batches of a paced replay.
const TICK: Duration = Duration::from_millis(20);

pub struct FileDevice {
    path: PathBuf,
    load: Loader,
    /// For an instant replay, when given.
    load_store: Option<StoreLoader>,
    /// Device ns per wall second; `None` = all at once.
    pace: Option<u64>,
    clock: Box<dyn WallClock>,
}

impl FileDevice {
    pub fn new(path: PathBuf, load: Loader) -> FileDevice {
        FileDevice {
            path,
            load,
            load_store: None,
            pace: None,
            clock: Box::new(RealClock::default()),
        }
    }

    /// Replays at once through `load` instead (a paced replay still reads
    /// records).
    pub fn with_store_loader(mut self, load: StoreLoader) -> FileDevice {
        self.load_store = Some(load);
        self
    }

    /// Replays at `device_ns_per_wall_s` instead of all at once.
    pub fn paced(mut self, device_ns_per_wall_s: u64, clock: Box<dyn WallClock>) -> FileDevice {
        self.pace = Some(device_ns_per_wall_s.max(1));
        self.clock = clock;
        self
    }
}

/// When the device would have had each record: dep_gen submits first, a task
/// at its finish (or end), its fanout with it, a phase at its end.
fn observed_at(records: &[Record]) -> Vec<Ns> {
    let mut done: HashMap<TaskId, Ns> = HashMap::new();
    for r in records {
        if let Record::Task(t) = r {
            let at = t.finish_ns.unwrap_or(t.end_ns);
            let e = done.entry(t.task_id).or_insert(at);
            *e = (*e).max(at);
        }
    }
    records
        .iter()
        .map(|r| match r {
            Record::Submit(_) => 0,
            Record::Task(t) => t.finish_ns.unwrap_or(t.end_ns),
            Record::Fanout(f) => done.get(&f.task_id).copied().unwrap_or(0),
            Record::SchedPhase(p) => p.end_ns,
            Record::OrchPhase(p) => p.end_ns,
            Record::OrchSummary(s) => s.end_ns,
        })
        .collect()
}

impl Device for FileDevice {
    /// Before parsing, all that is known is the path.
    fn info(&self) -> DeviceInfo {
        DeviceInfo::placeholder(self.path.display().to_string())
    }

    /// Ignores the requested flags: a file holds what it holds, and says so
    /// in its description.
    fn run(
        &mut self,
        _flags: DfxFlags,
        sink: &mut dyn RecordSink,
        stop: &StopToken,
    ) -> Result<RunSummary, DeviceError> {
        if self.pace.is_none()
            && let Some(load) = self.load_store.as_mut()
        {
            let (store, notices) = load(&self.path).map_err(DeviceError::Other)?;
            return Ok(self.send_store(store, notices, sink));
        }
        let (capture, notices) = (self.load)(&self.path).map_err(DeviceError::Other)?;
        let mut info = capture.info.clone();
        info.source = self.path.display().to_string();
        let flags = capture.flags;
        let tasks = capture.tasks.len() as u64;
        let (start, end) = capture.task_span().unwrap_or((0, 0));
        sink.describe(info, flags);
        for n in notices {
            sink.notice(n);
        }
        let mut records: Vec<Record> = capture.into_records();
        let total = records.len() as u64;
        let sent = match self.pace {
            None => super::send_in_batches(records, sink, stop),
            Some(speed) => {
                let at = observed_at(&records);
                let mut order: Vec<usize> = (0..records.len()).collect();
                order.sort_by_key(|&i| (at[i], i));
                let mut slots: Vec<Option<Record>> = records.drain(..).map(Some).collect();
                let timed: Vec<(Ns, Record)> = order
                    .into_iter()
                    .filter_map(|i| slots[i].take().map(|r| (at[i], r)))
                    .collect();
                send_paced(timed, start, speed, self.clock.as_mut(), sink, stop)
            }
        };
        let stopped = sent < total;
        if !stopped {
            sink.round_done(&RoundSummary {
                round: 0,
                start_ns: start,
                end_ns: end,
                tasks,
                records: total,
                overhead_ns: 0,
            });
        }
        Ok(RunSummary {
            rounds: u32::from(!stopped),
            tasks,
            records: sent,
            device_time_ns: end.saturating_sub(start),
            overhead_ns: 0,
            stopped,
        })
    }
}

impl FileDevice {
    /// An instant replay from a loaded store: one message, and the same
    /// description, notices and round summary as records would have had.
    fn send_store(
        &self,
        store: TraceStore,
        notices: Vec<String>,
        sink: &mut dyn RecordSink,
    ) -> RunSummary {
        let mut info = store.info().clone();
        info.source = self.path.display().to_string();
        let tasks = store.task_count() as u64;
        let records = store.ingested();
        let (start, end) = store.task_span().unwrap_or((0, 0));
        sink.describe(info, store.flags());
        for n in notices {
            sink.notice(n);
        }
        sink.store(Box::new(store));
        sink.round_done(&RoundSummary {
            round: 0,
            start_ns: start,
            end_ns: end,
            tasks,
            records,
            overhead_ns: 0,
        });
        RunSummary {
            rounds: 1,
            tasks,
            records,
            device_time_ns: end.saturating_sub(start),
            overhead_ns: 0,
            stopped: false,
        }
    }
}

/// Releases `(time, record)` pairs (sorted by time) as device time, starting
/// at `start`, advances `speed` ns per wall second.
fn send_paced(
    timed: Vec<(Ns, Record)>,
    start: Ns,
    speed: u64,
    clock: &mut dyn WallClock,
    sink: &mut dyn RecordSink,
    stop: &StopToken,
) -> u64 {
    let wall0 = clock.elapsed();
    let mut sent = 0u64;
    let mut rest = timed.into_iter().peekable();
    while rest.peek().is_some() {
        let wall = clock.elapsed().saturating_sub(wall0).as_nanos();
        let ahead = wall * u128::from(speed) / 1_000_000_000;
        let now = start.saturating_add(Ns::try_from(ahead).unwrap_or(Ns::MAX));
        let mut batch = Vec::new();
        while let Some((_, r)) = rest.next_if(|(t, _)| *t <= now) {
            batch.push(r);
        }
        if !batch.is_empty() {
            sent += batch.len() as u64;
            sink.batch(batch);
        }
        if rest.peek().is_none() || clock.sleep(TICK, stop) {
            break;
        }
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::VecSink;
    use crate::dfx::Level;
    use crate::record::{CoreType, TaskId, TaskRecord};

    fn tiny(_: &std::path::Path) -> Result<(Capture, Vec<String>), String> {
        let mut info = FileDevice::new("x".into(), Box::new(tiny)).info();
        info.core_types = vec![CoreType::Aic];
        let mut c = Capture::new(info, Level::new(1).map_err(|e| e.to_string())?.flags());
        for i in 0..10_000u64 {
            c.tasks.push(TaskRecord {
                round: 0,
                task_id: TaskId(i),
                func_id: 0,
                core_id: 0,
                core_type: CoreType::Aic,
                reg_task_id: i as u32 + 1,
                receive_ns: None,
                start_ns: i * 10,
                end_ns: i * 10 + 5,
                dispatch_ns: None,
                finish_ns: None,
            });
        }
        Ok((c, vec!["no names: pass --func-names".to_string()]))
    }

    fn broken(p: &std::path::Path) -> Result<(Capture, Vec<String>), String> {
        Err(format!("{}: not a capture", p.display()))
    }

    #[test]
    fn replays_every_record_after_describing_the_file() {
        let mut dev = FileDevice::new("cap.json".into(), Box::new(tiny));
        let mut sink = VecSink::default();
        let s = dev
            .run(DfxFlags::empty(), &mut sink, &StopToken::new())
            .unwrap();
        assert_eq!(sink.described.len(), 1);
        assert_eq!(sink.described[0].0.source, "cap.json");
        assert_eq!(sink.described[0].1, Level::new(1).unwrap().flags());
        assert_eq!(sink.records.len(), 10_000);
        assert_eq!(s.records, 10_000);
        assert!(sink.batches >= 2, "replayed in batches");
        assert_eq!(
            sink.notices,
            vec!["no names: pass --func-names".to_string()]
        );
        assert_eq!(sink.rounds.len(), 1);
    }

    #[test]
    fn paced_replay_releases_records_in_device_time_order() {
        use crate::device::VirtualClock;
        // 10 000 tasks 10 ns apart = 100 µs of device time; at 1 ms per wall
        // second the replay takes 0.1 s of (virtual) wall time in 20 ms ticks.
        let mut dev = FileDevice::new("cap.json".into(), Box::new(tiny))
            .paced(1_000_000, Box::new(VirtualClock::default()));
        let mut sink = VecSink::default();
        let s = dev
            .run(DfxFlags::empty(), &mut sink, &StopToken::new())
            .unwrap();
        assert_eq!(s.records, 10_000);
        assert_eq!(sink.records.len(), 10_000);
        assert!(
            (5..=7).contains(&sink.batches),
            "about 0.1 s / 20 ms ticks: {}",
            sink.batches
        );
        let ends: Vec<u64> = sink
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Task(t) => Some(t.end_ns),
                _ => None,
            })
            .collect();
        assert!(
            ends.windows(2).all(|w| w[0] <= w[1]),
            "released in time order"
        );
        assert_eq!(sink.rounds.len(), 1);
    }

    #[test]
    fn a_stopped_replay_says_so() {
        let stop = StopToken::new();
        stop.stop();
        let mut dev = FileDevice::new("cap.json".into(), Box::new(tiny))
            .paced(1_000, Box::new(crate::device::VirtualClock::default()));
        let mut sink = VecSink::default();
        let s = dev.run(DfxFlags::empty(), &mut sink, &stop).unwrap();
        assert!(s.stopped);
        assert!(s.records < 10_000);
        assert!(sink.rounds.is_empty());
    }

    /// The same capture as a store: one hand-over, and the same
    /// description, notices, records, round summary and run summary as the
    /// records path; a paced replay still goes through records.
    #[test]
    fn a_store_replays_like_its_records() {
        let as_store: StoreLoader = Box::new(|p| {
            let (c, notices) = tiny(p)?;
            let mut store = TraceStore::new(c.info.clone(), c.flags);
            store.ingest(c.into_records());
            Ok((store, notices))
        });
        let mut dev =
            FileDevice::new("cap.json".into(), Box::new(tiny)).with_store_loader(as_store);
        let mut by_store = VecSink::default();
        let s = dev
            .run(DfxFlags::empty(), &mut by_store, &StopToken::new())
            .unwrap();
        let mut dev = FileDevice::new("cap.json".into(), Box::new(tiny));
        let mut by_records = VecSink::default();
        let r = dev
            .run(DfxFlags::empty(), &mut by_records, &StopToken::new())
            .unwrap();
        assert_eq!(by_store.batches, 1, "one hand-over");
        assert_eq!(by_store.described, by_records.described);
        assert_eq!(by_store.notices, by_records.notices);
        assert_eq!(by_store.records, by_records.records);
        assert_eq!(by_store.rounds, by_records.rounds);
        assert_eq!(
            (s.rounds, s.tasks, s.records, s.device_time_ns),
            (r.rounds, r.tasks, r.records, r.device_time_ns)
        );
        let broken_store: StoreLoader = Box::new(|p| Err(format!("{}: cut short", p.display())));
        let mut dev = FileDevice::new("cap.json".into(), Box::new(tiny))
            .with_store_loader(broken_store)
            .paced(1_000_000, Box::new(crate::device::VirtualClock::default()));
        let mut sink = VecSink::default();
        dev.run(DfxFlags::empty(), &mut sink, &StopToken::new())
            .unwrap();
        assert_eq!(sink.records.len(), 10_000, "paced: records, not the store");
    }

    #[test]
    fn a_bad_file_is_an_error_not_a_panic() {
        let mut dev = FileDevice::new("bad.json".into(), Box::new(broken));
        let e = dev
            .run(
                DfxFlags::empty(),
                &mut VecSink::default(),
                &StopToken::new(),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "bad.json: not a capture");
    }
}
