//! What travels from the capture thread to the app. Record batches go over a
//! bounded channel (the flood); lifecycle events over a small unbounded one,
//! so a full data channel never delays or loses a round summary or an error.
//!
//! Each event carries how many data messages were sent before it. The app
//! takes events first but holds one until that many data messages are in:
//! an event never overtakes the records sent before it, and a flood of
//! records never starves the events. (Preferring batches instead starved
//! round summaries under a full-speed device: they queued without bound,
//! 5 MiB a minute in the live view, and `--lines`, which evicts on round
//! summaries, grew 300 MB a second.)

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
    /// A whole capture, loaded into a store on the capture thread.
    Store(Box<crate::store::TraceStore>),
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

/// An event and the number of data messages ([`CaptureData`]) sent before
/// it: it may be acted on once that many have been received.
#[derive(Debug, Clone)]
pub struct SequencedEvent {
    pub after: u64,
    pub event: CaptureEvent,
}

impl SequencedEvent {
    /// An event that waits for nothing (tests, a capture that never started).
    pub fn now(event: CaptureEvent) -> SequencedEvent {
        SequencedEvent { after: 0, event }
    }
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
    pub(crate) events: Sender<SequencedEvent>,
    pub(crate) logs: Sender<crate::device::LogLine>,
    pub(crate) policy: SendPolicy,
    pub(crate) accounting: Accounting,
    /// Data messages the channel accepted so far.
    sent: u64,
}

impl CaptureSender {
    pub fn new(
        batches: Sender<CaptureData>,
        events: Sender<SequencedEvent>,
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
            sent: 0,
        }
    }

    /// Events are rare and small; if the app is gone there is nobody to tell.
    pub fn event(&self, event: CaptureEvent) {
        let _ = self.events.send(SequencedEvent {
            after: self.sent,
            event,
        });
    }
}

impl RecordSink for CaptureSender {
    fn describe(&mut self, info: DeviceInfo, flags: DfxFlags) {
        // Never dropped: without it the records that follow mean nothing.
        if self
            .batches
            .send(CaptureData::Describe(Box::new(info), flags))
            .is_ok()
        {
            self.sent += 1;
        }
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
            self.sent += 1;
            self.accounting.delivered(n);
        } else {
            self.accounting.dropped(n);
        }
    }

    fn store(&mut self, store: Box<crate::store::TraceStore>) {
        let n = store.ingested();
        let data = CaptureData::Store(store);
        let sent = match self.policy {
            SendPolicy::Lossless => self.batches.send(data).is_ok(),
            SendPolicy::DropWhenFull => self.batches.try_send(data).is_ok(),
        };
        if sent {
            self.sent += 1;
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
    Store(Box<crate::store::TraceStore>),
    Log(crate::device::LogLine),
    Event(CaptureEvent),
}

/// The app's end.
pub struct CaptureReceiver {
    pub batches: Receiver<CaptureData>,
    pub events: Receiver<SequencedEvent>,
    pub logs: Receiver<crate::device::LogLine>,
    pub order: EventOrder,
}

/// Holds back an event until the data sent before it has been received
/// (see the module comment). One per receiving loop.
#[derive(Debug, Default)]
pub struct EventOrder {
    received: u64,
    held: Option<SequencedEvent>,
}

impl EventOrder {
    /// A data message was received.
    pub fn data_received(&mut self) {
        self.received += 1;
    }

    /// Whether an event is held back (then take data, not events).
    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// Takes an event just received: returns it if it may be acted on now,
    /// or holds it.
    pub fn arrived(&mut self, e: SequencedEvent) -> Option<CaptureEvent> {
        debug_assert!(self.held.is_none(), "one event is held at a time");
        if e.after <= self.received {
            Some(e.event)
        } else {
            self.held = Some(e);
            None
        }
    }

    /// A held event may be acted on now: stop draining data and take it.
    pub fn ready_now(&self) -> bool {
        self.held.as_ref().is_some_and(|e| e.after <= self.received)
    }

    /// The held event, once the data before it is in.
    pub fn ready(&mut self) -> Option<CaptureEvent> {
        if self.held.as_ref()?.after <= self.received {
            self.held.take().map(|e| e.event)
        } else {
            None
        }
    }

    /// The held event whatever the data says (the sender is gone and the
    /// data channel is empty: nothing more can come before it).
    pub fn release(&mut self) -> Option<CaptureEvent> {
        self.held.take().map(|e| e.event)
    }
}

impl CaptureReceiver {
    /// Blocks for the next batch or event; `None` once the thread is gone and
    /// every channel is empty. Events come as soon as the batches sent
    /// before them are in: a `Round` or `Finished` never overtakes records,
    /// and records never starve events.
    pub fn recv(&mut self) -> Option<CaptureItem> {
        let mut logs = self.logs.clone();
        let mut batches = self.batches.clone();
        let events = self.events.clone();
        loop {
            if let Some(e) = self.order.ready() {
                return Some(CaptureItem::Event(e));
            }
            let take_events = if self.order.holding() {
                crossbeam_channel::never()
            } else {
                events.clone()
            };
            crossbeam_channel::select_biased! {
                // A command's output first: the lines it printed before a
                // failure are shown before the failure.
                recv(logs) -> l => match l {
                    Ok(l) => return Some(CaptureItem::Log(l)),
                    Err(_) => logs = crossbeam_channel::never(),
                },
                recv(take_events) -> e => match e {
                    Ok(e) => {
                        if let Some(e) = self.order.arrived(e) {
                            return Some(CaptureItem::Event(e));
                        }
                    }
                    // The thread is gone and its last event (`Finished` or
                    // `Failed`) was taken: nothing more is owed.
                    Err(_) => return None,
                },
                recv(batches) -> b => match b {
                    Ok(d) => {
                        self.order.data_received();
                        return Some(match d {
                            CaptureData::Records(b) => CaptureItem::Batch(b),
                            CaptureData::Store(s) => CaptureItem::Store(s),
                            CaptureData::Describe(info, flags) => CaptureItem::Describe(info, flags),
                        });
                    }
                    // The thread ended and every batch is in.
                    Err(_) => {
                        batches = crossbeam_channel::never();
                        if let Some(e) = self.order.release() {
                            return Some(CaptureItem::Event(e));
                        }
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::record::{OrchSummary, Record, RoundSummary};

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

        /// Any interleaving of record batches (some dropped on a full
        /// channel), round summaries and receives: each summary reaches the
        /// app exactly when the batches sent before it are in — never
        /// earlier (no overtaking) and never later (a flood does not starve
        /// it, which once let round summaries pile up without bound).
        #[test]
        fn events_arrive_right_after_the_records_sent_before_them(
            capacity in 1usize..5,
            steps in proptest::collection::vec(0u8..3, 1..200),
        ) {
            let (tx, rx) = crossbeam_channel::bounded(capacity);
            let (etx, erx) = crossbeam_channel::unbounded();
            let (ltx, lrx) = crossbeam_channel::bounded(1);
            let mut sender =
                CaptureSender::new(tx, etx, ltx, SendPolicy::DropWhenFull, Accounting::new());
            let mut app = CaptureReceiver {
                batches: rx,
                events: erx,
                logs: lrx,
                order: EventOrder::default(),
            };
            // Batch `id` holds `id` records. Each accepted batch is tagged
            // with the number of summaries sent before it.
            let (mut next_id, mut rounds) = (1usize, 0u32);
            let mut accepted: Vec<(u32, usize)> = Vec::new();
            let mut got: Vec<usize> = Vec::new();
            for step in steps {
                match step {
                    0 => {
                        let before = sender.sent;
                        sender.batch(batch(next_id));
                        if sender.sent > before {
                            accepted.push((rounds, next_id));
                        }
                        next_id += 1;
                    }
                    1 => {
                        sender.round_done(&RoundSummary {
                            round: rounds,
                            ..RoundSummary::default()
                        });
                        rounds += 1;
                    }
                    _ => {
                        // Only what is there: recv blocks otherwise.
                        if app.batches.is_empty() && app.events.is_empty() && !app.order.ready_now() {
                            continue;
                        }
                        match app.recv() {
                            Some(CaptureItem::Batch(b)) => got.push(b.len()),
                            Some(CaptureItem::Event(CaptureEvent::Round(r))) => {
                                let before: Vec<usize> = accepted
                                    .iter()
                                    .filter(|(tag, _)| *tag <= r.round)
                                    .map(|(_, id)| *id)
                                    .collect();
                                prop_assert_eq!(&got, &before, "at round {}", r.round);
                            }
                            other => prop_assert!(false, "unexpected {:?}", other),
                        }
                    }
                }
            }
        }
    }
}
