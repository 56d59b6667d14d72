//! Entering and leaving the full-screen terminal. One idempotent `restore`
//! is reached from every exit: the guard's `Drop`, the panic hook (restore
//! first, then the message), and the normal path; signals become a quit
//! message for the loop, which then takes the normal path.

use std::cell::Cell;
use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// True while the screen is in raw mode and on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

thread_local! {
    /// Set on the thread that owns the screen: only its panics end the UI.
    static UI_THREAD: Cell<bool> = const { Cell::new(false) };
}

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    pub terminal: Tui,
}

impl TerminalGuard {
    /// Raw mode, alternate screen, mouse capture, hidden cursor.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        UI_THREAD.with(|f| f.set(true));
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture, cursor::Hide) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: raw mode off first (so a failure below still
/// leaves a usable shell), then the main screen, mouse and cursor. Safe to
/// call any number of times from any thread; errors are ignored because the
/// terminal may already be gone (SIGHUP).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        crossterm::terminal::EndSynchronizedUpdate,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

pub fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// A panic on the UI thread restores the terminal, then prints as usual. A
/// panic elsewhere (the capture thread) must not scribble over the screen:
/// it is logged, and the thread's owner reports it as a message.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui = UI_THREAD.with(Cell::get);
            if on_ui || !is_active() {
                restore();
                tracing::error!("panic: {info}");
                previous(info);
            } else {
                tracing::error!("panic on a worker thread: {info}");
            }
        }));
    });
}
