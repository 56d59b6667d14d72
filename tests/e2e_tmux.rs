//! End to end: the real binary in a real terminal. Each test starts a private
//! tmux server with one pane running a `sh` (dash) script that records
//! `stty -a`, runs swimtop in the foreground, and records its exit status and
//! `stty -a` again. Keys go in with `send-keys`; the screen is read with
//! `capture-pane`, polled until the expected text appears (never a fixed
//! sleep). After swimtop exits, the terminal must be as it was: the same
//! `stty` modes, the main screen, the cursor shown, no mouse reporting.
//!
//! dash, not bash: an interactive bash puts the terminal back itself after a
//! job dies, which would hide a missing restore.

// Helpers outside #[test] functions panic on purpose: a fixture that cannot
// be set up, or a screen that never shows, is a failed test.
#![allow(clippy::unwrap_used)]

mod support;
use support::procs::{group_members, wait_for_fake_group};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_swimtop");
/// How long any one expected screen may take (a loaded 2-core CI machine).
const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);
/// Printed by the pane's script once swimtop has exited and `stty` is saved;
/// short enough for a 10-column pane.
const DONE: &str = "E2E-DONE";
/// `alternate_on cursor_flag mouse_*` on a pane at a shell prompt.
const RESTORED_MODES: &str = "alt=0 cursor=1 mouse=0,0,0,0,0,0";

/// A private tmux server with one pane running swimtop from a `sh` script;
/// the server, swimtop (if still alive) and the temporary directory go away
/// when this is dropped, also when the test fails.
struct Pane {
    socket: String,
    dir: PathBuf,
    /// The server's socket file, which `kill-server` leaves behind.
    socket_path: Option<PathBuf>,
}

/// How swimtop ended, as the pane's script saw it.
struct Exit {
    status: String,
    stty_before: String,
    stty_after: String,
}

impl Pane {
    /// Starts swimtop with `args` in a `width`×`height` pane.
    fn start(name: &str, width: u16, height: u16, args: &[&str]) -> Pane {
        Pane::start_after(name, width, height, "", args)
    }

    /// Like [`Pane::start`], with `prelude` run by the script first.
    fn start_after(name: &str, width: u16, height: u16, prelude: &str, args: &[&str]) -> Pane {
        require_tmux();
        let socket = format!("swimtop-e2e-{}-{name}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        let mut pane = Pane {
            socket,
            dir,
            socket_path: None,
        };
        let script = pane.dir.join("run.sh");
        std::fs::write(&script, format!("{prelude}\n{}", pane.script(args))).unwrap();
        pane.tmux(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            // Two words: tmux runs them directly, no default-shell in between.
            "sh",
            script.to_str().unwrap(),
        ]);
        let path = pane.tmux(&["display-message", "-p", "#{socket_path}"]);
        pane.socket_path = Some(PathBuf::from(path.trim()));
        pane
    }

    /// The pane's script: dash, the developer's config kept out, `stty -a`
    /// before and after, swimtop in the foreground (a background job of a
    /// non-interactive shell would get /dev/null as stdin) with its pid
    /// written by the `sh -c` that execs it.
    fn script(&self, args: &[&str]) -> String {
        let f = |name: &str| quote(self.dir.join(name).to_str().unwrap());
        let cmd: Vec<String> = std::iter::once(BIN)
            .chain(args.iter().copied())
            .map(quote)
            .collect();
        format!(
            "unset SWIMTOP_LEVEL SWIMTOP_CONFIG SWIMTOP_LOG XDG_CONFIG_HOME NO_COLOR TMUX\n\
             HOME={home}; export HOME\n\
             stty -a > {before}\n\
             sh -c 'echo $$ > \"$0.tmp\" && mv \"$0.tmp\" \"$0\" && exec \"$@\"' {pid} {cmd}\n\
             echo $? > {status}.tmp && mv {status}.tmp {status}\n\
             stty -a > {after}\n\
             echo {DONE}\n\
             exec sleep 600\n",
            home = f("home"),
            before = f("stty.before"),
            pid = f("pid"),
            cmd = cmd.join(" "),
            status = f("status"),
            after = f("stty.after"),
        )
    }

    /// Runs a tmux command on this pane's server; fails the test if tmux does.
    fn tmux(&self, args: &[&str]) -> String {
        let out = self.tmux_output(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn tmux_output(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            // The server's environment becomes the pane's: no developer config.
            .env("HOME", self.dir.join("home"))
            .env("SHELL", "/bin/sh")
            .env_remove("TMUX")
            .env_remove("SWIMTOP_LEVEL")
            .env_remove("SWIMTOP_CONFIG")
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Polls the screen until `ok` holds; fails with the last screen after
    /// [`DEADLINE`].
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "timed out after {DEADLINE:?} waiting for {what}; last screen:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }

    fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    fn wait_for_lanes(&self) -> String {
        self.wait_for("lanes with tasks", has_lanes)
    }

    /// `send-keys` with tmux key names (`Down`, `Escape`, `C-c`, `w`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn resize(&self, width: u16, height: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// swimtop's pid, once the script has written it.
    fn pid(&self) -> u32 {
        let path = self.dir.join("pid");
        let until = Instant::now() + DEADLINE;
        loop {
            if let Ok(s) = std::fs::read_to_string(&path) {
                return s.trim().parse().unwrap();
            }
            assert!(Instant::now() < until, "swimtop never started");
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the script to print [`DONE`] (swimtop exited, `stty` saved,
    /// and the shell's output visible again), then reads what it recorded.
    fn wait_exit(&self) -> Exit {
        self.wait_for(&format!("{DONE} after swimtop exits"), |s| {
            s.lines().any(|l| l.trim() == DONE)
        });
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap();
        Exit {
            status: read("status").trim().to_string(),
            stty_before: read("stty.before"),
            stty_after: read("stty.after"),
        }
    }

    /// The pane's terminal modes as tmux tracks them.
    fn modes(&self) -> String {
        self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "e2e",
            "alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag},\
             #{mouse_button_flag},#{mouse_standard_flag},#{mouse_sgr_flag},\
             #{mouse_utf8_flag},#{mouse_all_flag}",
        ])
        .trim()
        .to_string()
    }

    /// swimtop exited with status 0 and left the terminal as it found it.
    fn assert_clean_exit(&self) {
        let exit = self.wait_exit();
        let screen = self.screen();
        assert_eq!(exit.status, "0", "exit status; screen:\n{screen}");
        assert_eq!(
            stty_modes(&exit.stty_after),
            stty_modes(&exit.stty_before),
            "stty -a after swimtop differs from before"
        );
        let words: Vec<&str> = exit.stty_after.split_whitespace().collect();
        for mode in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(
                words.contains(&mode),
                "{mode} off after exit: {}",
                exit.stty_after
            );
        }
        assert_eq!(self.modes(), RESTORED_MODES, "screen:\n{screen}");
        assert!(
            !screen.contains("AIC_") && !screen.contains("swimtop keys"),
            "swimtop's screen is still showing:\n{screen}"
        );
        assert!(process_gone(self.pid()), "swimtop still running after exit");
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        // A failed test must not leave swimtop behind (it would outlive the
        // server if the hang-up did not end it).
        if let Some(pid) = std::fs::read_to_string(self.dir.join("pid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            && !process_gone(pid)
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = self.tmux_output(&["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The tests need tmux: say so rather than pass without running.
fn require_tmux() {
    if let Err(e) = Command::new("tmux").arg("-V").output() {
        panic!(
            "tmux is needed by the end-to-end tests and could not be run ({e}); \
             install it (`apt-get install tmux`; .ci/run does this)"
        );
    }
}

/// Single-quoted for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `stty -a` without the window size, which a resize legitimately changes.
fn stty_modes(stty: &str) -> Vec<String> {
    stty.split([';', '\n'])
        .map(str::trim)
        .filter(|f| !f.is_empty() && !f.starts_with("rows ") && !f.starts_with("columns "))
        .map(String::from)
        .collect()
}

/// No such process, or one that has exited and waits to be reaped.
fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S …`: the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
    }
}

fn wait_until_gone(pid: u32) {
    let until = Instant::now() + DEADLINE;
    while !process_gone(pid) {
        assert!(Instant::now() < until, "swimtop (pid {pid}) still running");
        std::thread::sleep(POLL);
    }
}

fn send_signal(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} {pid} failed");
}

/// The AIC_0 lane is listed and has something drawn on it (shading or a
/// task label).
fn has_lanes(screen: &str) -> bool {
    screen.lines().any(|l| {
        l.starts_with("AIC_0 ")
            && l.chars()
                .skip(10)
                .any(|c| "░▒▓█".contains(c) || c.is_ascii_alphabetic())
    })
}

/// Some field of the header's first line satisfies `ok`.
fn header_field(screen: &str, ok: impl Fn(&str) -> bool) -> bool {
    screen
        .lines()
        .next()
        .is_some_and(|l| l.split(" │ ").any(|f| ok(f.trim())))
}

/// The header's state field, e.g. `following` or `paused`.
fn header_says(screen: &str, field: &str) -> bool {
    header_field(screen, |f| f == field)
}

/// The header's `view 819.9 µs` field in ns.
fn view_span_ns(screen: &str) -> Option<f64> {
    let field = screen
        .lines()
        .take(2)
        .flat_map(|l| l.split(" │ "))
        .find_map(|f| f.trim().strip_prefix("view "))?;
    let (num, unit) = field.split_once(' ')?;
    let scale = match unit {
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(num.parse::<f64>().ok()? * scale)
}

fn capture_file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(
            "assets/captures/real/paged_attention_CaseVarSeq4_L4_depgen/chip_swimlane_records.json",
        )
        .to_str()
        .unwrap()
        .to_string()
}

fn live_args(seed: &str) -> [&str; 6] {
    ["--seed", seed, "--level", "2", "--speed", "1ms"]
}

#[test]
fn keys_zoom_select_pause_help_then_q_restores_the_terminal() {
    let pane = Pane::start("keys", 100, 30, &live_args("3"));
    // Until the first round is done the window widens with the data; after,
    // it is the last round's length, steady enough to see a zoom in.
    let screen = pane.wait_for("lanes and a finished round", |s| {
        has_lanes(s) && header_field(s, |f| f.starts_with("round "))
    });
    let before = view_span_ns(&screen).unwrap_or_else(|| panic!("no view span:\n{screen}"));

    pane.keys(&["w"]);
    pane.wait_for("the view span to shrink after w", |s| {
        view_span_ns(s).is_some_and(|v| v < before * 0.75)
    });

    pane.keys(&["Space"]);
    pane.wait_for("paused in the header", |s| header_says(s, "paused"));

    // The cursor starts on the AIC group's row: down to AIC_0, then its
    // first task in view.
    pane.keys(&["Down", "."]);
    pane.wait_for("the detail panel", |s| {
        s.lines()
            .any(|l| l.starts_with("dispatch ") && l.contains("→ start"))
    });
    pane.keys(&["?"]);
    pane.wait_for_text("swimtop keys");
    pane.keys(&["Escape"]);
    pane.wait_for("the help to close", |s| !s.contains("swimtop keys"));
    assert!(header_says(&pane.screen(), "paused"));

    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

#[test]
fn ctrl_c_key_quits_with_status_0() {
    let pane = Pane::start("ctrl-c", 100, 30, &live_args("5"));
    pane.wait_for_lanes();
    pane.keys(&["C-c"]);
    pane.assert_clean_exit();
}

/// SIGTERM, SIGHUP and SIGINT from outside quit through the normal path.
fn signal_quits_cleanly(signal: &str) {
    let pane = Pane::start(&signal.to_lowercase(), 100, 30, &live_args("7"));
    pane.wait_for_lanes();
    let pid = pane.pid();
    send_signal(pid, signal);
    pane.assert_clean_exit();
    let alive = Command::new("sh")
        .args(["-c", &format!("kill -0 {pid} 2>/dev/null")])
        .status()
        .unwrap()
        .success();
    assert!(!alive, "kill -0 {pid} still succeeds");
}

#[test]
fn sigterm_quits_with_status_0() {
    signal_quits_cleanly("TERM");
}

#[test]
fn sighup_quits_with_status_0() {
    signal_quits_cleanly("HUP");
}

#[test]
fn sigint_quits_with_status_0() {
    signal_quits_cleanly("INT");
}

/// The terminal window closes: the pane's shell gets the hang-up and dies,
/// the kernel sends SIGHUP to swimtop, whose terminal is gone. It must exit
/// rather than wait on its input thread.
#[test]
fn closing_the_pane_ends_swimtop() {
    let pane = Pane::start("close", 100, 30, &live_args("9"));
    pane.wait_for_lanes();
    let pid = pane.pid();
    pane.tmux(&["kill-pane", "-t", "e2e"]);
    wait_until_gone(pid);
}

/// The same when the shell keeps the hang-up to itself (it traps SIGHUP and
/// lives on): swimtop gets no signal, has nothing to redraw (a loaded
/// file), and must still notice that its terminal is gone.
#[test]
fn closing_the_pane_ends_swimtop_without_a_sighup() {
    let pane = Pane::start_after(
        "close-quiet",
        100,
        30,
        "trap 'echo hup' HUP",
        &[&capture_file()],
    );
    pane.wait_for_lanes();
    let pid = pane.pid();
    pane.tmux(&["kill-pane", "-t", "e2e"]);
    wait_until_gone(pid);
}

#[test]
fn tiny_pane_says_too_small_and_survives_resizes() {
    let pane = Pane::start("tiny", 10, 5, &live_args("11"));
    // As much of "terminal too small: …" as fits in 10 columns.
    let tiny = |s: &str| {
        s.lines()
            .next()
            .is_some_and(|l| l.starts_with("terminal t"))
    };
    pane.wait_for("the too-small line", tiny);
    pane.resize(100, 30);
    pane.wait_for_lanes();
    pane.resize(10, 5);
    pane.wait_for("the too-small line again", tiny);
    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

#[test]
fn capture_file_opens_finished_with_names() {
    let pane = Pane::start("file", 100, 30, &[&capture_file()]);
    pane.wait_for("finished in the header and QK on a lane", |s| {
        header_field(s, |f| f.starts_with("finished"))
            && s.lines().skip(3).any(|l| l.contains("QK"))
    });
    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

/// A panic on the UI thread restores the terminal first and then prints its
/// message where the user can read it (on the normal screen).
#[test]
fn a_panic_restores_the_terminal_then_prints_the_message() {
    let pane = Pane::start_after(
        "panic",
        100,
        30,
        "SWIMTOP_TEST_PANIC_AFTER_FRAMES=3; export SWIMTOP_TEST_PANIC_AFTER_FRAMES",
        &live_args("9"),
    );
    let exit = pane.wait_exit();
    assert_eq!(exit.status, "101", "a panic exits with Rust's panic status");
    assert_eq!(
        stty_modes(&exit.stty_after),
        stty_modes(&exit.stty_before),
        "stty -a after the panic differs from before"
    );
    assert_eq!(pane.modes(), RESTORED_MODES);
    let screen = pane.wait_for_text("test panic after 3 frames");
    assert!(!screen.contains("AIC_"), "the view is gone:\n{screen}");
}

// ---- driving a command (the stand-in runtime) -------------------------------

const FAKE: &str = env!("CARGO_BIN_EXE_swimtop-fake-runtime");

/// Args for `swimtop --level 2 [swimtop_args] -- FAKE [fake_args]`, with both
/// writing and looking under a scratch outputs directory.
fn driving(outputs: &Path, swimtop_args: &[&str], fake_args: &[&str]) -> Vec<String> {
    let out = outputs.to_str().unwrap().to_string();
    let mut v: Vec<String> = vec![
        "--level".into(),
        "2".into(),
        "--outputs".into(),
        out.clone(),
    ];
    v.extend(swimtop_args.iter().map(|s| s.to_string()));
    v.extend(["--".into(), FAKE.into(), "--outputs".into(), out]);
    v.extend(fake_args.iter().map(|s| s.to_string()));
    v
}

fn outputs_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swimtop-e2e-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn start_driving(name: &str, swimtop_args: &[&str], fake_args: &[&str]) -> (Pane, PathBuf) {
    let out = outputs_dir(name);
    let args = driving(&out, swimtop_args, fake_args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (Pane::start(name, 120, 40, &args), out)
}

/// A driven command that hangs, ignores SIGINT and forks a grandchild; its
/// case name `marker` finds its process group.
fn start_hanging_family(name: &str, marker: &str) -> (Pane, PathBuf) {
    start_driving(
        name,
        &[],
        &[
            "--hang",
            "--grandchild",
            "--ignore-sigint",
            "--case",
            marker,
        ],
    )
}

#[test]
fn a_commands_output_streams_live_and_its_capture_fills_the_lanes() {
    let (pane, out) = start_driving("drive", &[], &["--slow-ms", "700"]);
    // Output arrives while the command still runs, before any capture: its
    // progress lines reach the header, its output the log pane.
    let screen = pane.wait_for("progress output while running", |s| {
        header_field(s, |f| f.contains("running") && f.contains("round 1/4"))
            && s.contains("command output")
    });
    assert!(
        !has_lanes(&screen) || !screen.contains("AIC_0"),
        "no lanes before the capture:\n{screen}"
    );
    pane.wait_for("lanes from the capture and a clean exit", |s| {
        has_lanes(s) && header_field(s, |f| f.contains("exit status 0"))
    });
    pane.keys(&["q"]);
    pane.assert_clean_exit();
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_failing_command_shows_its_status_and_last_lines_and_can_be_retried() {
    let argv = std::env::temp_dir().join(format!("swimtop-e2e-argv-{}", std::process::id()));
    let _ = std::fs::remove_file(&argv);
    let argv_s = argv.to_str().unwrap().to_string();
    let (pane, out) = start_driving(
        "failing",
        &[],
        &["--fail-code", "3", "--argv-log", argv_s.as_str()],
    );
    let screen = pane.wait_for("the failure in the header", |s| {
        header_field(s, |f| f.contains("exit status 3 (r retries, q quits)"))
    });
    let tail = screen.split("── command output").nth(1).unwrap_or("");
    assert!(
        tail.to_lowercase().contains("failed"),
        "the log tail shows the command's last lines:\n{screen}"
    );
    // The lanes of the capture it did write are there, and swimtop stays up.
    assert!(has_lanes(&screen), "{screen}");
    let runs = || {
        std::fs::read_to_string(&argv)
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(runs(), 1);
    // The whole log is there to read.
    pane.keys(&["l"]);
    pane.wait_for_text("command log ·");
    // One key at a time: Escape then r at once reads as Alt-r.
    pane.keys(&["Escape"]);
    pane.wait_for("the log to close", |s| !s.contains("command log ·"));
    pane.keys(&["r"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while runs() < 2 {
        assert!(Instant::now() < deadline, "r did not run the command again");
        std::thread::sleep(Duration::from_millis(50));
    }
    pane.wait_for("the retry to fail again", |s| {
        header_field(s, |f| f.contains("exit status 3 (r retries"))
    });
    pane.keys(&["q"]);
    pane.assert_clean_exit();
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_file(&argv);
}

#[test]
fn ctrl_c_stops_the_command_and_everything_it_forked() {
    let marker = format!("CtrlC{}", std::process::id());
    let (pane, out) = start_hanging_family("ctrlc-child", &marker);
    pane.wait_for("the command running", |s| {
        header_field(s, |f| f.contains("running"))
    });
    let pgid = wait_for_fake_group(&marker);
    pane.keys(&["C-c"]);
    pane.assert_clean_exit();
    let left = group_members(pgid);
    assert!(left.is_empty(), "left running after Ctrl-C: {left:?}");
    let _ = std::fs::remove_dir_all(out);
}

/// The terminal disappears while a command runs (the SSH session drops):
/// swimtop exits and takes the command and everything it forked with it.
#[test]
fn closing_the_pane_while_driving_leaves_no_process_behind() {
    let marker = format!("Hup{}", std::process::id());
    let (pane, out) = start_hanging_family("hup-child", &marker);
    let pgid = wait_for_fake_group(&marker);
    let pid = pane.pid();
    pane.tmux(&["kill-pane", "-t", "e2e"]);
    wait_until_gone(pid);
    let left = group_members(pgid);
    assert!(
        left.is_empty(),
        "left running after the pane closed: {left:?}"
    );
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn repeat_3_shows_three_rounds_and_the_delta_between_the_last_two() {
    let (pane, out) = start_driving("repeat", &["--repeat", "3", "--dep-gen"], &[]);
    pane.wait_for("the third run done", |s| {
        header_field(s, |f| f.contains("run 3/3 exit status 0"))
    });
    let screen = pane.wait_for("the trend against run 2", |s| {
        header_field(s, |f| f.contains("vs run 2")) || s.contains("vs run 2")
    });
    let _ = screen;
    pane.keys(&["t"]);
    let screen = pane.wait_for_text("run 3 vs 2: total exec");
    for f in ["QK", "SF", "PV", "UP"] {
        assert!(
            screen
                .lines()
                .any(|l| l.contains(&format!("│{f} ")) && l.contains('%')),
            "delta for {f}:\n{screen}"
        );
    }
    pane.keys(&["q"]);
    pane.assert_clean_exit();
    let _ = std::fs::remove_dir_all(out);
}

/// A storm of resizes, 1×1 up to 500×200, while the chip runs at full speed:
/// the view keeps up, still answers keys, and exits cleanly.
#[test]
fn a_resize_storm_leaves_the_view_working() {
    let log = std::env::temp_dir().join(format!("swimtop-e2e-storm-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let pane = Pane::start(
        "storm",
        100,
        30,
        &[
            "--seed",
            "13",
            "--level",
            "3",
            "--speed",
            "max",
            "--log-file",
            log.to_str().unwrap(),
        ],
    );
    pane.wait_for_lanes();
    // A fixed pseudo-random walk over sizes, extremes included.
    let mut x: u32 = 12345;
    let mut sizes = vec![(1, 1), (500, 200), (1, 200), (500, 1), (40, 10), (39, 9)];
    for _ in 0..60 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        sizes.push((1 + (x >> 8) % 500, 1 + (x >> 20) % 200));
    }
    for (w, h) in sizes {
        pane.resize(w as u16, h as u16);
    }
    pane.resize(100, 30);
    pane.wait_for_lanes();
    pane.keys(&["?"]);
    pane.wait_for_text("swimtop keys");
    // Once a second the loop logs its health; at full speed it drops, and
    // the identity must hold all the same.
    let deadline = Instant::now() + Duration::from_secs(20);
    let health = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text.lines().rev().find(|l| l.contains("swimtop::health")) {
            break line.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no health line in {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.contains("identity=ok"), "{health}");
    assert!(health.contains(" rss_kib="), "{health}");
    pane.keys(&["q"]);
    pane.assert_clean_exit();
    let _ = std::fs::remove_file(&log);
}

/// A command that floods its output does not starve the keyboard: the view
/// answers a key while the flood runs, and the flood is counted, not lost
/// silently.
#[test]
fn a_flooding_command_keeps_the_view_responsive() {
    let (pane, out) = start_driving("flood", &[], &["--flood", "400000"]);
    pane.wait_for("the flood on screen", |s| s.contains("flood line"));
    pane.keys(&["?"]);
    pane.wait_for_text("swimtop keys");
    pane.keys(&["Escape"]);
    pane.wait_for("the run to end with its capture", |s| {
        has_lanes(s) && header_field(s, |f| f.contains("exit status 0"))
    });
    pane.keys(&["q"]);
    pane.assert_clean_exit();
    let _ = std::fs::remove_dir_all(out);
}
