//! Replays a capture file as a device: the records arrive through the same
//! capture thread and channel as a live device's, so the same view shows
//! them. The file is parsed on the capture thread (the screen is up at once);
//! the parser is injected so this module does not depend on the formats.

use std::path::PathBuf;

use super::{Device, DeviceError, RecordSink, RunSummary, StopToken};
use crate::dfx::DfxFlags;
use crate::record::{Capture, DeviceInfo, Record, RoundSummary};

/// Parses a capture file; the message is shown to the user as is.
pub type Loader = fn(&std::path::Path) -> Result<Capture, String>;

/// Records per batch when replaying.
const BATCH: usize = 8192;

pub struct FileDevice {
    path: PathBuf,
    load: Loader,
}

impl FileDevice {
    pub fn new(path: PathBuf, load: Loader) -> FileDevice {
        FileDevice { path, load }
    }
}

impl Device for FileDevice {
    /// Before parsing, all that is known is the path.
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            source: self.path.display().to_string(),
            clock_hz: 50_000_000,
            core_types: Vec::new(),
            core_to_thread: Vec::new(),
            sched_threads: 0,
            aicpu_threads: 0,
            func_names: Default::default(),
            orchestrator_name: None,
            case_name: None,
        }
    }

    /// Ignores the requested flags: a file holds what it holds, and says so
    /// in its description.
    fn run(
        &mut self,
        _flags: DfxFlags,
        sink: &mut dyn RecordSink,
        stop: &StopToken,
    ) -> Result<RunSummary, DeviceError> {
        let capture = (self.load)(&self.path).map_err(DeviceError::Other)?;
        let mut info = capture.info.clone();
        info.source = self.path.display().to_string();
        let flags = capture.flags;
        let tasks = capture.tasks.len() as u64;
        let (start, end) = capture
            .tasks
            .iter()
            .map(|t| {
                (
                    t.dispatch_ns.unwrap_or(t.start_ns).min(t.start_ns),
                    t.finish_ns.unwrap_or(t.end_ns).max(t.end_ns),
                )
            })
            .fold((u64::MAX, 0), |(a, b), (s, e)| (a.min(s), b.max(e)));
        sink.describe(info, flags);
        let records: Vec<Record> = capture.into_records();
        let total = records.len() as u64;
        let mut sent = 0u64;
        let mut rest = records.into_iter();
        loop {
            if stop.is_stopped() {
                return Ok(RunSummary {
                    rounds: 0,
                    tasks,
                    records: sent,
                    stopped: true,
                    ..RunSummary::default()
                });
            }
            let batch: Vec<Record> = rest.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            sent += batch.len() as u64;
            sink.batch(batch);
        }
        let span = end.saturating_sub(start.min(end));
        sink.round_done(&RoundSummary {
            round: 0,
            start_ns: start.min(end),
            end_ns: end,
            tasks,
            records: total,
            overhead_ns: 0,
        });
        Ok(RunSummary {
            rounds: 1,
            tasks,
            records: total,
            device_time_ns: span,
            overhead_ns: 0,
            stopped: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::VecSink;
    use crate::dfx::Level;
    use crate::record::{CoreType, TaskId, TaskRecord};

    fn tiny(_: &std::path::Path) -> Result<Capture, String> {
        let mut info = FileDevice::new("x".into(), tiny).info();
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
        Ok(c)
    }

    fn broken(p: &std::path::Path) -> Result<Capture, String> {
        Err(format!("{}: not a capture", p.display()))
    }

    #[test]
    fn replays_every_record_after_describing_the_file() {
        let mut dev = FileDevice::new("cap.json".into(), tiny);
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
        assert_eq!(sink.rounds.len(), 1);
    }

    #[test]
    fn a_bad_file_is_an_error_not_a_panic() {
        let mut dev = FileDevice::new("bad.json".into(), broken);
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
