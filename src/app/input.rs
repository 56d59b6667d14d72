//! The input thread: crossterm's `read` cannot be interrupted, so the thread
//! polls with a short timeout and checks a stop flag, forwarding only what
//! the view uses (key presses, mouse, resizes). It ends when told to or when
//! nobody listens any more.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};
use crossterm::event::{self, Event, KeyEventKind};

/// How long one poll may block; bounds how late the thread sees `stop`.
const POLL: Duration = Duration::from_millis(100);
/// How long `stop` waits for the thread. On a hung-up terminal crossterm's
/// `poll` never returns (it re-reads the dead tty in a loop, crossterm#793),
/// so past this the thread is left to end with the process instead of
/// holding the exit up forever.
const JOIN_WAIT: Duration = Duration::from_millis(500);

pub struct InputThread {
    pub events: Receiver<Event>,
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<()>>,
}

impl InputThread {
    pub fn spawn() -> std::io::Result<InputThread> {
        let (tx, rx) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
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
                    if wanted && tx.send(ev).is_err() {
                        break;
                    }
                }
            })?;
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

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop();
    }
}
