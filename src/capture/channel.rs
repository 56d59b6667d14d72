//! What travels from the capture thread to the app. Record batches go over a
//! bounded channel (the flood); lifecycle events over a small unbounded one,
//! so a full data channel never delays or loses a round summary or an error.

use crossbeam_channel::{Receiver, Sender, TrySendError};

use super::accounting::Accounting;
use crate::device::{RecordSink, RunSummary};
use crate::dfx::DfxFlags;
use crate::record::{DeviceInfo, Record, RoundSummary};

/// A batch of records, in device order.
pub type Batch = Vec<Record>;

/// What the data channel carries. A description travels on the same channel
/// as the records so that it is always seen before the records it describes.
#[derive(Debug)]
pub enum CaptureData {
    Describe(Box<DeviceInfo>, DfxFlags),
    Records(Batch),
}

/// Lifecycle of a capture: any number of `Round`, then exactly one of
/// `Finished` or `Failed`. (The device description is known before the thread
/// starts: see `CaptureHandle::info`.)
#[derive(Debug, Clone)]
pub enum CaptureEvent {
    /// The life of a driven program's run (runtime device).
    Run(crate::device::RunEvent),
    /// What the capture lacks or what was skipped (see `RecordSink::notice`).
    Notice(String),
    Round(RoundSummary),
    Finished(RunSummary),
    /// The device failed or panicked; the message is one line for the user.
    Failed(String),
}

/// How the sender behaves when the app falls behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendPolicy {
    /// Block until the app takes the batch: file recording and replay, where
    /// nothing may be lost and back-pressure is fine.
    Lossless,
    /// Never block a live device: a batch that does not fit is dropped and counted.
    DropWhenFull,
}

/// The capture thread's end: a [`RecordSink`] over the two channels.
pub struct CaptureSender {
    pub(crate) batches: Sender<CaptureData>,
    pub(crate) events: Sender<CaptureEvent>,
    pub(crate) logs: Sender<crate::device::LogLine>,
    pub(crate) policy: SendPolicy,
    pub(crate) accounting: Accounting,
}

impl CaptureSender {
    pub fn new(
        batches: Sender<CaptureData>,
        events: Sender<CaptureEvent>,
        logs: Sender<crate::device::LogLine>,
        policy: SendPolicy,
        accounting: Accounting,
    ) -> CaptureSender {
        CaptureSender {
            batches,
            events,
            logs,
            policy,
            accounting,
        }
    }

    /// Events are rare and small; if the app is gone there is nobody to tell.
    pub fn event(&self, event: CaptureEvent) {
        let _ = self.events.send(event);
    }
}

impl RecordSink for CaptureSender {
    fn describe(&mut self, info: DeviceInfo, flags: DfxFlags) {
        // Never dropped: without it the records that follow mean nothing.
        let _ = self
            .batches
            .send(CaptureData::Describe(Box::new(info), flags));
    }

    fn batch(&mut self, records: Vec<Record>) {
        let n = records.len() as u64;
        if n == 0 {
            return;
        }
        let data = CaptureData::Records(records);
        let sent = match self.policy {
            SendPolicy::Lossless => self.batches.send(data).is_ok(),
            SendPolicy::DropWhenFull => match self.batches.try_send(data) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            },
        };
        if sent {
            self.accounting.delivered(n);
        } else {
            self.accounting.dropped(n);
        }
    }

    fn round_done(&mut self, summary: &RoundSummary) {
        self.event(CaptureEvent::Round(summary.clone()));
    }

    fn notice(&mut self, text: String) {
        self.event(CaptureEvent::Notice(text));
    }

    /// A program that floods its output must not fill memory or stall the
    /// records: lines that do not fit are dropped and counted.
    fn log(&mut self, line: crate::device::LogLine) {
        if self.logs.try_send(line).is_err() {
            self.accounting.log_dropped(1);
        }
    }

    fn run_event(&mut self, event: crate::device::RunEvent) {
        self.event(CaptureEvent::Run(event));
    }
}

/// One thing received from the capture thread.
#[derive(Debug)]
pub enum CaptureItem {
    Describe(Box<DeviceInfo>, DfxFlags),
    Batch(Batch),
    Log(crate::device::LogLine),
    Event(CaptureEvent),
}

/// The app's end.
pub struct CaptureReceiver {
    pub batches: Receiver<CaptureData>,
    pub events: Receiver<CaptureEvent>,
    pub logs: Receiver<crate::device::LogLine>,
}

impl CaptureReceiver {
    /// Blocks for the next batch or event; `None` once the thread is gone and
    /// both channels are empty. Batches are preferred, and the thread sends a
    /// round's batches before its event, so an event is only seen after every
    /// batch sent before it: a `Round` or `Finished` never overtakes records.
    pub fn recv(&self) -> Option<CaptureItem> {
        let mut batches = self.batches.clone();
        let mut logs = self.logs.clone();
        loop {
            crossbeam_channel::select_biased! {
                // A command's output first: the lines it printed before a
                // failure are shown before the failure.
                recv(logs) -> l => match l {
                    Ok(l) => return Some(CaptureItem::Log(l)),
                    Err(_) => logs = crossbeam_channel::never(),
                },
                recv(batches) -> b => match b {
                    Ok(CaptureData::Records(b)) => return Some(CaptureItem::Batch(b)),
                    Ok(CaptureData::Describe(info, flags)) => {
                        return Some(CaptureItem::Describe(info, flags));
                    }
                    // The thread ended; its last events may still be queued.
                    Err(_) => batches = crossbeam_channel::never(),
                },
                recv(self.events) -> e => return e.ok().map(CaptureItem::Event),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::record::{OrchSummary, Record};

    fn batch(n: usize) -> Vec<Record> {
        vec![Record::OrchSummary(OrchSummary::default()); n]
    }

    proptest! {
        /// Any interleaving of sends and receives, any channel size, either
        /// policy: every snapshot balances, nothing is lost from a lossless
        /// source, and what the consumer got is exactly what was delivered.
        #[test]
        fn accounting_balances_under_any_traffic(
            capacity in 1usize..6,
            lossless in any::<bool>(),
            steps in proptest::collection::vec((any::<bool>(), 0usize..50), 1..200),
        ) {
            let (tx, rx) = crossbeam_channel::bounded(capacity);
            let (etx, _erx) = crossbeam_channel::unbounded();
            let (ltx, _lrx) = crossbeam_channel::bounded(1);
            let acc = Accounting::new();
            let policy = if lossless { SendPolicy::Lossless } else { SendPolicy::DropWhenFull };
            let mut sender = CaptureSender::new(tx, etx, ltx, policy, acc.clone());
            let (mut produced, mut received) = (0u64, 0u64);
            for (send, n) in steps {
                // A lossless sender blocks on a full channel: the consumer
                // takes one first, as the app would.
                if send && !(lossless && rx.is_full()) {
                    sender.batch(batch(n));
                    produced += n as u64;
                } else if let Ok(CaptureData::Records(b)) = rx.try_recv() {
                    received += b.len() as u64;
                }
                let c = acc.snapshot();
                prop_assert!(c.balanced(), "{c:?}");
                prop_assert_eq!(c.produced, produced);
            }
            while let Ok(CaptureData::Records(b)) = rx.try_recv() {
                received += b.len() as u64;
            }
            let c = acc.snapshot();
            prop_assert_eq!(received, c.delivered);
            if lossless {
                prop_assert_eq!(c.dropped, 0);
            }
        }
    }
}
