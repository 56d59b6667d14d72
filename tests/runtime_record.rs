//! `swimtop record … -- CMD` against the stand-in runtime: the level flag it
//! passes, the capture it finds and normalises, and every way a command can
//! go wrong — each said clearly, nothing left running.

// A fixture that cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

mod support;
use support::procs::{group_members, wait_for_fake_group};
use support::scratch::Scratch;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const FAKE: &str = env!("CARGO_BIN_EXE_swimtop-fake-runtime");

/// `swimtop record <pre…> -o out.json -- FAKE --argv-log argv <fake…>`.
fn record(dir: &Scratch, pre: &[&str], fake: &[&str]) -> Output {
    dir.swimtop()
        .arg("record")
        .args(pre)
        .arg("-o")
        .arg(dir.join("out/x.json"))
        .arg("--")
        .arg(FAKE)
        .args(["--argv-log", "argv", "--slow-ms", "0"])
        .args(fake)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn argv(dir: &Scratch) -> String {
    std::fs::read_to_string(dir.join("argv")).unwrap_or_default()
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn each_level_is_passed_the_runtimes_way_and_recorded() {
    for (level, flag, version) in [("1", "1", 0), ("2", "2", 1), ("3", "4", 2)] {
        let dir = Scratch::new("rt", &format!("level{level}"));
        let o = record(&dir, &["--level", level], &[]);
        assert!(o.status.success(), "level {level}: {}", stderr(&o));
        assert_eq!(
            argv(&dir).trim(),
            format!("--argv-log argv --slow-ms 0 --enable-chip-swimlane {flag}"),
            "the stand-in saw the runtime's level"
        );
        let v = json(&dir.join("out/x.json"));
        assert_eq!(v["version"], version, "level {level}");
        let err = stderr(&o);
        assert!(err.contains("» capture: "), "{err}");
        assert!(
            err.contains("[INFO] run_case:"),
            "the command's output streams: {err}"
        );
    }
}

#[test]
fn level_0_runs_without_a_flag_and_writes_nothing() {
    let dir = Scratch::new("rt", "level0");
    let o = record(&dir, &["--level", "0"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!argv(&dir).contains("swimlane"), "{}", argv(&dir));
    assert!(!dir.join("out/x.json").exists());
    assert!(stderr(&o).contains("nothing was recorded"));
}

#[test]
fn dep_gen_and_other_level_spellings_reach_the_command() {
    let dir = Scratch::new("rt", "depgen");
    let o = record(
        &dir,
        &["--level", "2", "--dep-gen", "--format", "chip"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(argv(&dir).contains("--enable-chip-swimlane 2 --enable-dep-gen"));
    assert!(
        dir.join("out/deps.json").exists(),
        "deps.json copied beside the capture"
    );
    let v = json(&dir.join("out/x.json"));
    assert_eq!(v["chip_swimlane_level"], 2);
    let dir = Scratch::new("rt", "levelarg");
    let o = record(
        &dir,
        &[
            "--level",
            "3",
            "--level-arg",
            "--enable-chip-swimlane={level}",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        argv(&dir).contains("--enable-chip-swimlane=4"),
        "{}",
        argv(&dir)
    );
}

#[test]
fn a_capture_without_a_file_line_is_found_under_outputs() {
    let dir = Scratch::new("rt", "scan");
    let o = record(&dir, &["--level", "2"], &["--no-file-line"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("/outputs/TestPagedAttention_CaseVarSeq4_"));
    // Elsewhere, with --outputs.
    let dir = Scratch::new("rt", "outputs-flag");
    let o = record(
        &dir,
        &["--level", "2", "--outputs", "elsewhere"],
        &["--no-file-line", "--outputs", "elsewhere"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn failures_say_what_happened_and_show_the_last_lines() {
    let cases: [(&[&str], &str); 4] = [
        (&["--fail-code", "3"], "the command failed: exit status 3"),
        (&["--no-capture"], "no capture was written"),
        (&["--fail-before-capture"], "exit status 1"),
        (&["--half-capture"], "did not load"),
    ];
    for (fake, want) in cases {
        let dir = Scratch::new("rt", &format!("fail{}", fake[0].trim_start_matches('-')));
        let o = record(&dir, &["--level", "2"], fake);
        assert!(!o.status.success(), "{fake:?} should fail");
        let err = stderr(&o);
        let last = err.trim_end().lines().last().unwrap_or("");
        assert!(
            last.starts_with("swimtop: error: ") && last.contains("run 1 failed: "),
            "{fake:?}: {last}"
        );
        assert!(last.contains(want), "{fake:?}: {last}");
        assert!(!dir.join("out/x.json").exists(), "nothing half-written");
        if fake[0] == "--fail-code" {
            assert!(
                err.contains("PASSED") || err.contains("FAILED"),
                "the command's last lines: {err}"
            );
        }
    }
    // The truncated capture is named with its byte offset.
    let dir = Scratch::new("rt", "half");
    let err = stderr(&record(&dir, &["--level", "2"], &["--half-capture"]));
    assert!(err.contains("chip_swimlane_records.json: byte "), "{err}");
}

#[test]
fn a_flood_of_output_does_not_stall_the_run() {
    let dir = Scratch::new("rt", "flood");
    let started = Instant::now();
    let o = record(&dir, &["--level", "2", "-q"], &["--flood", "200000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(dir.join("out/x.json").exists());
}

#[test]
fn stopping_swimtop_stops_the_command_and_everything_it_forked() {
    // SIGHUP: the terminal `record` ran in went away.
    for (ignore_sigint, signal) in [(false, "TERM"), (true, "TERM"), (false, "HUP")] {
        let dir = Scratch::new("rt", &format!("stop{ignore_sigint}{signal}"));
        let marker = format!("Stop{}{ignore_sigint}", std::process::id());
        let mut fake_args = vec!["--hang", "--grandchild", "--case", marker.as_str()];
        if ignore_sigint {
            fake_args.push("--ignore-sigint");
        }
        let mut child = dir
            .swimtop()
            .args(["record", "--level", "2", "-o"])
            .arg(dir.join("out/x.json"))
            .arg("--")
            .arg(FAKE)
            .args(&fake_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pgid = wait_for_fake_group(&marker);
        let _ = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        assert!(!status.success(), "stopped before the command finished");
        let left = group_members(pgid);
        assert!(
            left.is_empty(),
            "left running (SIG{signal}, ignore SIGINT {ignore_sigint}): {left:?}"
        );
        assert!(!dir.join("out/x.json").exists());
        // Nor a partial one under a temporary name.
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("out"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(leftovers.is_empty(), "{signal}: {leftovers:?}");
    }
}
