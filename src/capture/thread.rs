//! Spawn, stop and join the capture thread. The thread owns the device; its
//! failures (errors and panics alike) come back as [`CaptureEvent::Failed`],
//! never as a panic across threads.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, unbounded};

use super::accounting::Accounting;
use super::channel::{
    CaptureEvent, CaptureReceiver, CaptureSender, EventOrder, SendPolicy, SequencedEvent,
};
use crate::device::RecordSink;
use crate::device::{Device, StopToken};
use crate::dfx::DfxFlags;

/// Log lines of a driven program buffered for the screen.
const LOG_CAPACITY: usize = 4096;

/// Channel sizing and loss policy for one capture.
#[derive(Debug, Clone, Copy)]
pub struct CaptureConfig {
    pub policy: SendPolicy,
    /// Batches the channel holds before the policy applies.
    pub capacity: usize,
}

impl CaptureConfig {
    pub fn lossless() -> CaptureConfig {
        CaptureConfig {
            policy: SendPolicy::Lossless,
            capacity: 64,
        }
    }
    /// A live view wants the present, not a backlog: 32 batches of at most
    /// 4096 records is about 0.4 s of what the view ingests. A deeper queue
    /// only made the view lag seconds behind the device and held up to 1M
    /// records in flight (twice the default --history) when it fell behind.
    pub fn live() -> CaptureConfig {
        CaptureConfig {
            policy: SendPolicy::DropWhenFull,
            capacity: 32,
        }
    }
}

/// A running capture. Dropping it stops the device and joins the thread.
pub struct CaptureHandle {
    /// The level the device was asked to run at.
    pub flags: DfxFlags,
    pub rx: CaptureReceiver,
    pub accounting: Accounting,
    stop: StopToken,
    join: Option<JoinHandle<()>>,
}

impl CaptureHandle {
    /// Starts `device` at `flags` on its own thread.
    pub fn spawn(
        mut device: Box<dyn Device>,
        flags: DfxFlags,
        cfg: CaptureConfig,
    ) -> CaptureHandle {
        let (batch_tx, batch_rx) = bounded(cfg.capacity.max(1));
        let (event_tx, event_rx) = unbounded();
        let (log_tx, log_rx) = bounded(LOG_CAPACITY);
        let accounting = Accounting::new();
        let stop = StopToken::new();
        let mut sender =
            CaptureSender::new(batch_tx, event_tx, log_tx, cfg.policy, accounting.clone());
        let thread_stop = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("swimtop-capture".into())
            .spawn(move || {
                sender.describe(device.info(), flags);
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    device.run(flags, &mut sender, &thread_stop)
                }));
                let event = match outcome {
                    Ok(Ok(summary)) => CaptureEvent::Finished(summary),
                    Ok(Err(e)) => CaptureEvent::Failed(format!("device failed: {e}")),
                    Err(panic) => {
                        CaptureEvent::Failed(format!("device panicked: {}", panic_text(&*panic)))
                    }
                };
                sender.event(event);
            });
        let join = match spawned {
            Ok(handle) => Some(handle),
            Err(e) => {
                // No thread, no device: report it the same way a device failure is.
                let (tx, rx) = unbounded();
                let _ = tx.send(SequencedEvent::now(CaptureEvent::Failed(format!(
                    "could not start the capture thread: {e}"
                ))));
                return CaptureHandle {
                    flags,
                    rx: CaptureReceiver {
                        batches: batch_rx,
                        events: rx,
                        logs: log_rx,
                        order: EventOrder::default(),
                    },
                    accounting,
                    stop,
                    join: None,
                };
            }
        };
        CaptureHandle {
            flags,
            rx: CaptureReceiver {
                batches: batch_rx,
                events: event_rx,
                logs: log_rx,
                order: EventOrder::default(),
            },
            accounting,
            stop,
            join,
        }
    }

    /// A token that stops this capture, for code that cannot hold the handle.
    pub fn stop_token(&self) -> StopToken {
        self.stop.clone()
    }

    /// Asks the device to stop; it returns at its next check.
    pub fn stop(&self) {
        self.stop.stop();
    }

    /// Stops and waits for the thread. Batches still queued stay readable.
    pub fn join(&mut self) {
        self.stop.stop();
        // While we wait, a lossless sender may be blocked on a full channel:
        // drain it so the thread can see the stop and leave.
        if let Some(handle) = self.join.take() {
            while !handle.is_finished() {
                let _ = self
                    .rx
                    .batches
                    .recv_timeout(std::time::Duration::from_millis(5));
            }
            let _ = handle.join();
        }
    }
}

impl Drop for CaptureHandle {
    fn drop(&mut self) {
        self.join();
    }
}

fn panic_text(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::capture::channel::CaptureItem;
    use crate::device::{DeviceError, RunSummary};
    use crate::record::{CoreType, DeviceInfo, Record, TaskId, TaskRecord};

    /// Emits `batches` batches of `per_batch` task records as fast as it can.
    struct Flood {
        batches: u64,
        per_batch: u64,
        fail: Option<&'static str>,
        panic: bool,
    }

    fn info() -> DeviceInfo {
        DeviceInfo {
            source: "flood".into(),
            clock_hz: 50_000_000,
            core_types: vec![CoreType::Aic],
            core_to_thread: vec![0],
            sched_threads: 1,
            aicpu_threads: 2,
            func_names: Default::default(),
            orchestrator_name: None,
            case_name: None,
        }
    }

    impl Device for Flood {
        fn info(&self) -> DeviceInfo {
            info()
        }
        fn run(
            &mut self,
            _flags: DfxFlags,
            sink: &mut dyn RecordSink,
            stop: &StopToken,
        ) -> Result<RunSummary, DeviceError> {
            if self.panic {
                panic!("simulated device bug");
            }
            if let Some(msg) = self.fail {
                return Err(DeviceError::Other(msg.into()));
            }
            let mut n = 0;
            for b in 0..self.batches {
                if stop.is_stopped() {
                    break;
                }
                let batch = (0..self.per_batch)
                    .map(|i| {
                        Record::Task(TaskRecord {
                            round: 0,
                            task_id: TaskId(b * self.per_batch + i),
                            func_id: 0,
                            core_id: 0,
                            core_type: CoreType::Aic,
                            reg_task_id: 1,
                            receive_ns: None,
                            start_ns: 0,
                            end_ns: 1,
                            dispatch_ns: None,
                            finish_ns: None,
                        })
                    })
                    .collect();
                sink.batch(batch);
                n += self.per_batch;
            }
            Ok(RunSummary {
                records: n,
                ..RunSummary::default()
            })
        }
    }

    /// Reads everything until the capture ends; returns (records received, summary, failure).
    fn consume(
        cap: &mut CaptureHandle,
        delay: Duration,
    ) -> (u64, Option<RunSummary>, Option<String>) {
        let mut got = 0u64;
        while let Some(item) = cap.rx.recv() {
            match item {
                CaptureItem::Batch(b) => {
                    got += b.len() as u64;
                    std::thread::sleep(delay);
                }
                CaptureItem::Event(CaptureEvent::Finished(s)) => return (got, Some(s), None),
                CaptureItem::Event(CaptureEvent::Failed(m)) => return (got, None, Some(m)),
                CaptureItem::Store(s) => got += s.ingested(),
                CaptureItem::Describe(..) | CaptureItem::Event(_) | CaptureItem::Log(_) => {}
            }
        }
        (got, None, None)
    }

    #[test]
    fn a_live_flood_into_a_slow_consumer_drops_and_counts() {
        let dev = Flood {
            batches: 2000,
            per_batch: 10,
            fail: None,
            panic: false,
        };
        let cfg = CaptureConfig {
            policy: SendPolicy::DropWhenFull,
            capacity: 2,
        };
        let mut cap = CaptureHandle::spawn(Box::new(dev), DfxFlags::AICORE_TIMING, cfg);
        let (got, finished, failed) = consume(&mut cap, Duration::from_micros(200));
        cap.join();
        assert!(failed.is_none(), "{failed:?}");
        let summary = finished.unwrap();
        let c = cap.accounting.snapshot();
        assert_eq!(
            c.produced, summary.records,
            "produced counts what the device made"
        );
        assert_eq!(
            c.delivered, got,
            "delivered counts what the consumer received"
        );
        assert!(c.dropped > 0, "a slow consumer must cause drops: {c:?}");
        assert!(c.balanced(), "{c:?}");
    }

    #[test]
    fn a_lossless_capture_never_drops() {
        let dev = Flood {
            batches: 300,
            per_batch: 10,
            fail: None,
            panic: false,
        };
        let cfg = CaptureConfig {
            policy: SendPolicy::Lossless,
            capacity: 2,
        };
        let mut cap = CaptureHandle::spawn(Box::new(dev), DfxFlags::AICORE_TIMING, cfg);
        let (got, finished, _) = consume(&mut cap, Duration::from_micros(100));
        cap.join();
        let c = cap.accounting.snapshot();
        assert_eq!(got, 3000);
        assert_eq!(finished.unwrap().records, 3000);
        assert_eq!((c.produced, c.delivered, c.dropped), (3000, 3000, 0));
    }

    #[test]
    fn device_errors_and_panics_arrive_as_messages() {
        let dev = Flood {
            batches: 0,
            per_batch: 0,
            fail: Some("workload exploded"),
            panic: false,
        };
        let mut cap = CaptureHandle::spawn(Box::new(dev), DfxFlags::empty(), CaptureConfig::live());
        let (_, _, failed) = consume(&mut cap, Duration::ZERO);
        cap.join();
        assert_eq!(failed.unwrap(), "device failed: workload exploded");

        let dev = Flood {
            batches: 0,
            per_batch: 0,
            fail: None,
            panic: true,
        };
        let mut cap = CaptureHandle::spawn(Box::new(dev), DfxFlags::empty(), CaptureConfig::live());
        let (_, _, failed) = consume(&mut cap, Duration::ZERO);
        cap.join();
        assert_eq!(failed.unwrap(), "device panicked: simulated device bug");
    }
}
