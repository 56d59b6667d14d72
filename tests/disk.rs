//! Disk and permissions, from the outside: an `-o` that cannot be written
//! is refused before any work, a full disk (`SWIMTOP_TEST_DISK_FULL_AFTER`)
//! leaves the earlier files byte for byte and no temporary behind, and a
//! capture whose directory vanished is said to be gone. Every failure is
//! one line naming the file and the OS's reason.

// A fixture that cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

mod support;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::scratch::Scratch;

const FAKE: &str = env!("CARGO_BIN_EXE_swimtop-fake-runtime");
const DISK_FULL: &str = "SWIMTOP_TEST_DISK_FULL_AFTER";
const ENOSPC: &str = "No space left on device (os error 28)";

/// `swimtop record -q --level 2 --workload W -o OUT`.
fn record(cwd: &Scratch, workload: &str, out: &Path) -> Command {
    let mut c = cwd.swimtop();
    c.args(["record", "-q", "--level", "2", "--workload", workload, "-o"])
        .arg(out);
    c
}

fn convert(cwd: &Scratch, input: &Path, to: &str, out: &Path) -> Command {
    let mut c = cwd.swimtop();
    c.arg("convert")
        .arg(input)
        .args(["--to", to, "-o"])
        .arg(out);
    c
}

fn ok(cmd: &mut Command) -> Output {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The run failed with exactly one `swimtop: error:` line; returns it.
fn failed_with_one_line(o: &Output) -> String {
    assert!(!o.status.success(), "should fail: {}", stderr(o));
    let err = stderr(o);
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("swimtop: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(
        err.trim_end().lines().last(),
        Some(errors[0]),
        "the error is the last word: {err}"
    );
    errors[0].to_string()
}

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn no_temporaries(dir: &Path) {
    let left: Vec<_> = snapshot(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporaries left: {left:?}");
}

// ---------------------------------------------------------------------------
// An -o that cannot be written

/// The three kinds of unwritable output, each with what the OS says.
fn unwritable(dir: &Scratch) -> Vec<(PathBuf, String)> {
    std::fs::write(dir.join("file"), b"a regular file").unwrap();
    std::fs::create_dir_all(dir.join("adir")).unwrap();
    // Whatever this kernel says about creating a directory in /proc.
    let proc_reason = std::fs::create_dir("/proc/swimtop-no")
        .map(|()| panic!("/proc accepted a directory"))
        .unwrap_err()
        .to_string();
    vec![
        (
            dir.join("file/x.json"),
            format!(
                "cannot create directory {}: Not a directory (os error 20)",
                dir.join("file").display()
            ),
        ),
        (dir.join("adir"), "Is a directory (os error 21)".to_string()),
        (
            PathBuf::from("/proc/swimtop-no/x.json"),
            format!("cannot create directory /proc/swimtop-no: {proc_reason}"),
        ),
    ]
}

fn assert_refused(o: &Output, out: &Path, reason: &str) {
    let line = failed_with_one_line(o);
    assert_eq!(
        line,
        format!("swimtop: error: {}: cannot write: {reason}", out.display())
    );
    assert_eq!(stderr(o).lines().count(), 1, "nothing else: {}", stderr(o));
}

/// A 10-task and a 50-task capture, in directories of their own so each
/// finds its own name map.
fn small_and_big(dir: &Scratch) -> (PathBuf, PathBuf) {
    let (small, big) = (dir.join("small/in.json"), dir.join("big/in.json"));
    ok(&mut record(dir, "random:10", &small));
    ok(&mut record(dir, "random:50", &big));
    (small, big)
}

fn assert_untouched(dir: &Scratch) {
    assert_eq!(std::fs::read(dir.join("file")).unwrap(), b"a regular file");
    assert_eq!(std::fs::read_dir(dir.join("adir")).unwrap().count(), 0);
    no_temporaries(dir.path());
}

#[test]
fn record_refuses_an_unwritable_output() {
    let dir = Scratch::new("disk", "rec-unwritable");
    for (out, reason) in unwritable(&dir) {
        // Paced to 1 µs of device time per second, the run would take about
        // two minutes before finding out; refused up front, it takes none.
        let started = Instant::now();
        let o = record(&dir, "random:50", &out)
            .args(["--speed", "1us"])
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} was checked only after the run",
            out.display()
        );
        assert_refused(&o, &out, &reason);
        assert_untouched(&dir);
    }
}

#[test]
fn convert_refuses_an_unwritable_output_before_reading_its_input() {
    let dir = Scratch::new("disk", "conv-unwritable");
    let input = dir.join("in.json");
    ok(&mut record(&dir, "random:50", &input));
    for (out, reason) in unwritable(&dir) {
        for to in ["swimlane", "chip", "perfetto"] {
            let o = convert(&dir, &input, to, &out).output().unwrap();
            assert_refused(&o, &out, &reason);
        }
        // Checked first: a missing input is not what stops it.
        let o = convert(&dir, &dir.join("missing.json"), "chip", &out)
            .output()
            .unwrap();
        assert_refused(&o, &out, &reason);
        assert_untouched(&dir);
    }
}

#[test]
fn record_checks_the_output_before_running_the_command() {
    let dir = Scratch::new("disk", "rt-unwritable");
    let (out, reason) = unwritable(&dir).swap_remove(0);
    let record_at = |level: &str| {
        dir.swimtop()
            .args(["record", "--level", level, "-o"])
            .arg(&out)
            .arg("--")
            .arg(FAKE)
            .args(["--argv-log", "argv"])
            .output()
            .unwrap()
    };
    let o = record_at("2");
    assert_refused(&o, &out, &reason);
    assert!(!dir.join("argv").exists(), "the command never ran");
    assert!(!dir.join("outputs").exists());
    // Level 0 writes nothing, so -o does not matter there.
    let o = record_at("0");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("argv").exists());
}

#[test]
fn an_output_in_a_new_directory_is_still_fine() {
    let dir = Scratch::new("disk", "newdir");
    let out = dir.join("a/b/x.json");
    ok(&mut record(&dir, "random:50", &out));
    assert!(out.is_file());
    no_temporaries(dir.path());
}

// ---------------------------------------------------------------------------
// A full disk

#[test]
fn a_full_disk_during_record_keeps_the_earlier_files() {
    let dir = Scratch::new("disk", "rec-full");
    let out = dir.join("out/x.json");
    // The earlier capture and its name map: smaller, other content.
    ok(&mut record(&dir, "random:10", &out));
    let before = snapshot(&dir.join("out"));
    assert_eq!(before.len(), 2, "{:?}", before.keys());

    let o = record(&dir, "random:50", &out)
        .env(DISK_FULL, "4096")
        .output()
        .unwrap();
    let line = failed_with_one_line(&o);
    assert_eq!(
        line,
        format!("swimtop: error: {}: cannot write: {ENOSPC}", out.display())
    );
    assert_eq!(
        snapshot(&dir.join("out")),
        before,
        "byte-identical, no temporary"
    );

    // With room for it, the same command replaces them: the hook, not the
    // command, made it fail.
    let o = ok(record(&dir, "random:50", &out).env(DISK_FULL, "100000000"));
    assert!(stderr(&o).contains("wrote "), "{}", stderr(&o));
    assert_ne!(snapshot(&dir.join("out")), before);
    no_temporaries(dir.path());
}

#[test]
fn a_full_disk_during_convert_keeps_the_earlier_files() {
    let dir = Scratch::new("disk", "conv-full");
    let (small, big) = small_and_big(&dir);
    let out = dir.join("out/chip_swimlane_records.json");
    ok(&mut convert(&dir, &small, "chip", &out));
    let before = snapshot(&dir.join("out"));
    assert_eq!(before.len(), 2, "records and name map: {:?}", before.keys());

    for to in ["chip", "swimlane", "perfetto"] {
        let o = convert(&dir, &big, to, &out)
            .env(DISK_FULL, "2000")
            .output()
            .unwrap();
        let line = failed_with_one_line(&o);
        assert_eq!(
            line,
            format!("swimtop: error: {}: cannot write: {ENOSPC}", out.display()),
            "--to {to}"
        );
        assert_eq!(snapshot(&dir.join("out")), before, "--to {to}");
    }
}

#[test]
fn a_full_disk_on_a_sibling_names_it_and_replaces_nothing() {
    let dir = Scratch::new("disk", "sibling-full");
    let (small, big) = small_and_big(&dir);
    // How large the new capture file is, written where there is room.
    let probe = dir.join("probe/x.json");
    ok(&mut convert(&dir, &big, "swimlane", &probe));
    let capture_len = std::fs::metadata(&probe).unwrap().len();

    let out = dir.join("out/x.json");
    ok(&mut convert(&dir, &small, "swimlane", &out));
    let before = snapshot(&dir.join("out"));
    let name_map = dir.join("out/name_map_random_50.json");
    let o = convert(&dir, &big, "swimlane", &out)
        // The capture fits; its name map, written next, does not.
        .env(DISK_FULL, (capture_len + 20).to_string())
        .output()
        .unwrap();
    let line = failed_with_one_line(&o);
    assert_eq!(
        line,
        format!(
            "swimtop: error: {}: cannot write: {ENOSPC}",
            name_map.display()
        )
    );
    assert_eq!(
        snapshot(&dir.join("out")),
        before,
        "the capture is not replaced either"
    );
}

// ---------------------------------------------------------------------------
// A capture directory that disappears

#[test]
fn a_capture_that_vanished_is_said_to_be_gone() {
    let dir = Scratch::new("disk", "vanished");
    let o = dir
        .swimtop()
        .args(["record", "--level", "2", "-o", "out.json", "--"])
        .arg(FAKE)
        .arg("--remove-capture")
        .output()
        .unwrap();
    let line = failed_with_one_line(&o);
    // The path the command reported, as it reported it.
    let err = stderr(&o);
    let reported = err
        .lines()
        .find_map(|l| l.split_once("File: ").map(|(_, p)| p.trim().to_string()))
        .unwrap_or_else(|| panic!("no File: line in {err}"));
    assert!(
        reported.ends_with("/chip_swimlane_records.json"),
        "{reported}"
    );
    assert_eq!(
        line,
        format!(
            "swimtop: error: device failed: run 1 failed: the capture the command reported ({reported}) \
             is gone: No such file or directory (os error 2)"
        )
    );
    assert!(!dir.join("out.json").exists());
    no_temporaries(dir.path());
}

/// The live view's side of the same run: the device reports the failure
/// and waits for `r` instead of ending, and the view says why.
#[test]
fn the_live_view_shows_a_vanished_capture_and_stays_up() {
    use swimtop::app::runs::Runs;
    use swimtop::app::viewer::Viewer;
    use swimtop::device::runtime::{
        DEFAULT_LEVEL_ARGS, RuntimeConfig, RuntimeDevice, parse_level_args,
    };
    use swimtop::device::{Device, RecordSink, RunEvent, StopToken};
    use swimtop::dfx::{DfxFlags, Level};
    use swimtop::record::DeviceInfo;

    struct Events(std::sync::mpsc::Sender<RunEvent>);
    impl RecordSink for Events {
        fn describe(&mut self, _: DeviceInfo, _: DfxFlags) {}
        fn batch(&mut self, _: Vec<swimtop::record::Record>) {}
        fn round_done(&mut self, _: &swimtop::record::RoundSummary) {}
        fn run_event(&mut self, e: RunEvent) {
            let _ = self.0.send(e);
        }
    }

    let dir = Scratch::new("disk", "vanished-live");
    let outputs = dir.join("outputs");
    let load: swimtop::device::file::Loader = Box::new(|p| {
        swimtop::capture::formats::read_capture_with(p, &Default::default())
            .map(|(c, stats)| (c, stats.messages()))
            .map_err(|e| e.to_string())
    });
    let (mut device, retry) = RuntimeDevice::new(RuntimeConfig {
        command: vec![
            FAKE.to_string(),
            "--remove-capture".to_string(),
            "--outputs".to_string(),
            outputs.display().to_string(),
        ],
        level_args: parse_level_args(DEFAULT_LEVEL_ARGS).unwrap(),
        dep_gen: false,
        outputs,
        repeat: Some(1),
        grace: Duration::from_secs(2),
        load,
    })
    .unwrap();
    let flags = Level::new(2).unwrap().flags();
    let stop = StopToken::new();
    let (tx, rx) = std::sync::mpsc::channel();
    let device_stop = stop.clone();
    let thread = std::thread::spawn(move || device.run(flags, &mut Events(tx), &device_stop));

    let mut viewer = Viewer::new("runtime".into(), flags, false, None);
    viewer.runs = Some(Runs::new("fake".into(), Some(1), Some(retry)));
    let waiting = |rx: &std::sync::mpsc::Receiver<RunEvent>, viewer: &mut Viewer| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let e = rx.recv_timeout(left).expect("the run never failed");
            let done = matches!(e, RunEvent::WaitingForRetry { .. });
            viewer.run_event(e, Instant::now());
            if done {
                return;
            }
        }
    };
    waiting(&rx, &mut viewer);
    let message = viewer.state.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("run failed: the capture the command reported (")
            && message.contains("/chip_swimlane_records.json) is gone: No such file"),
        "{message}"
    );
    let status = viewer.runs.as_ref().unwrap().status(Instant::now());
    assert!(
        status.contains("is gone") && status.ends_with("(r retries, q quits)"),
        "{status}"
    );
    // Still up: `r` runs it again (and it fails the same way again).
    assert!(viewer.runs.as_mut().unwrap().retry());
    waiting(&rx, &mut viewer);
    assert!(!thread.is_finished(), "the device waits for the user");
    stop.stop();
    let summary = thread.join().unwrap().unwrap();
    assert!(summary.stopped);
    assert_eq!(summary.rounds, 0);
}
