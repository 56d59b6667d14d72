//! The input thread: crossterm's `read` cannot be interrupted, so the thread
//! polls with a short timeout and checks a stop flag, forwarding only what
//! the view uses (key presses, mouse, resizes). It ends when told to or when
//! nobody listens any more. A watchdog closes the channel if the terminal
//! hangs up, which the input thread itself cannot report.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use crossterm::event::{self, Event, KeyEventKind};

/// How long one poll may block; bounds how late the thread sees `stop`.
const POLL: Duration = Duration::from_millis(100);
/// How long `stop` waits for the thread. On a hung-up terminal crossterm's
/// `poll` never returns (it re-reads the dead tty in a loop, crossterm#793),
/// so past this the thread is left to end with the process instead of
/// holding the exit up forever.
const JOIN_WAIT: Duration = Duration::from_millis(500);
/// How often the watchdog checks that stdin is still a terminal.
const WATCH: Duration = Duration::from_millis(250);

/// The events' sender, shared with the watchdog so it can close the channel.
type SharedSender = Arc<Mutex<Option<Sender<Event>>>>;

pub struct InputThread {
    pub events: Receiver<Event>,
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<()>>,
}

impl InputThread {
    pub fn spawn() -> std::io::Result<InputThread> {
        let (tx, rx) = unbounded();
        let tx: SharedSender = Arc::new(Mutex::new(Some(tx)));
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let input_tx = tx.clone();
        let join = std::thread::Builder::new()
            .name("swimtop-input".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    match event::poll(POLL) {
                        Ok(false) => continue,
                        Ok(true) => {}
                        // The terminal is gone (hang-up): nothing more will come.
                        Err(_) => break,
                    }
                    let ev = match event::read() {
                        Ok(ev) => ev,
                        Err(_) => break,
                    };
                    let wanted = match &ev {
                        Event::Key(k) => k.kind != KeyEventKind::Release,
                        Event::Mouse(_) | Event::Resize(..) => true,
                        _ => false,
                    };
                    if wanted && !forward(&input_tx, ev) {
                        break;
                    }
                }
                close(&input_tx);
            })?;
        if let Err(e) = watch_terminal(stop.clone(), tx) {
            stop.store(true, Ordering::Relaxed);
            return Err(e);
        }
        Ok(InputThread {
            events: rx,
            stop,
            join: Some(join),
        })
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(j) = self.join.take() {
            let until = Instant::now() + JOIN_WAIT;
            while !j.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
            if j.is_finished() {
                let _ = j.join();
            }
        }
    }
}

/// Sends unless the channel was closed; false when nobody will get `ev`.
fn forward(tx: &SharedSender, ev: Event) -> bool {
    tx.lock()
        .ok()
        .and_then(|tx| tx.as_ref().map(|tx| tx.send(ev).is_ok()))
        .unwrap_or(false)
}

/// Drops the sender: the loop sees the channel close (the terminal gone).
fn close(tx: &SharedSender) {
    if let Ok(mut tx) = tx.lock() {
        tx.take();
    }
}

/// Once the terminal hangs up, crossterm's `poll` never returns (see
/// [`JOIN_WAIT`]), so the input thread cannot say so. SIGHUP usually does;
/// when the parent keeps the hang-up to itself nothing would, and a view
/// with nothing to redraw (a loaded file) would wait forever while that
/// thread spins. This thread notices stdin stop being a terminal (on a
/// hung-up tty every ioctl fails) and closes the events channel, which the
/// loop takes as the terminal gone. It is not joined: it sees `stop` within
/// [`WATCH`] and ends.
fn watch_terminal(stop: Arc<AtomicBool>, tx: SharedSender) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("swimtop-tty-watch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(WATCH);
                if !std::io::stdin().is_terminal() {
                    close(&tx);
                    return;
                }
            }
        })
        .map(drop)
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop();
    }
}
