//! The stand-in runtime (`swimtop-fake-runtime`) from the outside: what it
//! writes per level and where, what it logs, and every fault it can be
//! ordered to commit. Other tests rely on it behaving like the real runtime.

// A fixture that cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use swimtop::capture::formats::read_capture;

const CASE_DIR_PREFIX: &str = "TestPagedAttention_CaseVarSeq4_";

fn fake() -> Command {
    Command::new(env!("CARGO_BIN_EXE_swimtop-fake-runtime"))
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!(
            "swimtop-fake-runtime-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Scratch(d.canonicalize().unwrap())
    }
    fn path(&self) -> &Path {
        &self.0
    }
    /// Runs the stand-in here (the default `./outputs` is under it).
    fn run(&self, args: &[&str]) -> Output {
        fake().args(args).current_dir(&self.0).output().unwrap()
    }
    /// The per-case directories under `outputs/`.
    fn case_dirs(&self) -> Vec<PathBuf> {
        let Ok(rd) = fs::read_dir(self.0.join("outputs")) else {
            return Vec::new();
        };
        let mut v: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
        v.sort();
        v
    }
    /// The one case directory, checked against SceneTest's name pattern.
    fn case_dir(&self) -> PathBuf {
        let dirs = self.case_dirs();
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
        let stamp = name.strip_prefix(CASE_DIR_PREFIX).unwrap_or_else(|| {
            panic!("{name} does not start with {CASE_DIR_PREFIX}");
        });
        let shape_ok = stamp.len() == 15
            && stamp
                .char_indices()
                .all(|(i, c)| if i == 8 { c == '_' } else { c.is_ascii_digit() });
        assert!(shape_ok, "timestamp {stamp} is not YYYYMMDD_HHMMSS");
        dirs[0].clone()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The path the `File: …` log line names, if any (both streams).
fn file_line(out: &Output) -> Option<PathBuf> {
    let all = text(&out.stdout) + &text(&out.stderr);
    let mut found = None;
    for line in all.lines() {
        if let Some((_, path)) = line.split_once("] File: ") {
            assert!(found.is_none(), "two File: lines");
            found = Some(PathBuf::from(path));
        }
    }
    found
}

fn records_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

// ---- what each level writes ----------------------------------------------

#[test]
fn each_level_writes_the_runtime_layout_and_content() {
    for level in 1..=4u8 {
        let s = Scratch::new(&format!("level{level}"));
        let lv = level.to_string();
        let out = s.run(&[
            "-p",
            "a2a3sim",
            "-d",
            "0",
            "--enable-chip-swimlane",
            &lv,
            "--seed",
            "7",
        ]);
        assert_exit(&out, 0);
        let dir = s.case_dir();
        let records = dir.join("chip_swimlane_records.json");
        assert!(records.is_absolute());
        assert_eq!(
            file_line(&out).as_deref(),
            Some(records.as_path()),
            "level {level}"
        );
        let out_text = text(&out.stdout);
        assert!(out_text.starts_with("argv: -p a2a3sim -d 0 --enable-chip-swimlane"));
        assert!(out_text.contains("round 4/4 100%"));
        assert!(out_text.contains("::TestPagedAttention::test_CaseVarSeq4 PASSED [100%]"));
        let err_text = text(&out.stderr);
        let export = err_text.find("=== JSON Export Complete ===").unwrap();
        assert!(export < err_text.find("] File: ").unwrap());

        // The raw file, as the runtime gates it (spec §5.8).
        let raw = records_json(&records);
        assert_eq!(raw["chip_swimlane_level"], u64::from(level));
        let aicpu = raw["aicpu_tasks"].as_array().unwrap();
        assert_eq!(aicpu.is_empty(), level == 1, "level {level} aicpu_tasks");
        assert_eq!(raw.get("aicpu_scheduler_phases").is_some(), level >= 3);
        assert_eq!(raw.get("aicpu_orchestrator_phases").is_some(), level == 4);
        assert_eq!(raw["metadata"].get("core_to_thread").is_some(), level >= 3);

        // And as swimtop reads it back.
        let c = read_capture(&records).unwrap();
        assert_eq!(c.runtime_level, Some(level));
        assert_eq!(c.tasks.len(), 704, "paged_attention, one round");
        assert_eq!(
            c.tasks.iter().all(|t| t.dispatch_ns.is_some()),
            level >= 2,
            "level {level} dispatch stamps"
        );
        assert_eq!(!c.sched_phases.is_empty(), level >= 3, "level {level}");
        assert_eq!(!c.orch_phases.is_empty(), level == 4, "level {level}");
        assert!(c.info.func_names.values().any(|n| n == "QK"));
        assert_eq!(c.info.num_cores(), 24, "block_dim 8");

        let name_map = dir.join("name_map_TestPagedAttention_CaseVarSeq4.json");
        assert!(name_map.is_file());
        assert!(!dir.join("deps.json").exists(), "no --enable-dep-gen");
    }
}

#[test]
fn dep_gen_writes_deps_json_and_names_resolve_per_task() {
    let s = Scratch::new("depgen");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "2",
        "--enable-dep-gen",
        "--seed",
        "3",
    ]);
    assert_exit(&out, 0);
    let dir = s.case_dir();
    assert!(dir.join("deps.json").is_file());
    let c = read_capture(&dir.join("chip_swimlane_records.json")).unwrap();
    assert!(!c.submits.is_empty());
    let qk = c
        .info
        .func_names
        .iter()
        .find(|(_, n)| *n == "QK")
        .map(|(id, _)| *id)
        .unwrap();
    assert!(c.tasks.iter().any(|t| t.func_id == qk), "tasks named QK");
}

#[test]
fn dep_gen_alone_writes_deps_json_without_records() {
    let s = Scratch::new("depgen-only");
    let out = s.run(&["--enable-dep-gen", "--seed", "3"]);
    assert_exit(&out, 0);
    let dir = s.case_dir();
    assert!(dir.join("deps.json").is_file());
    assert!(!dir.join("chip_swimlane_records.json").exists());
    assert_eq!(file_line(&out), None);
}

#[test]
fn bare_flag_is_level_4_and_no_flag_writes_nothing() {
    let s = Scratch::new("bare");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "-p",
        "a2a3sim",
        "--case",
        "TestPagedAttention::",
    ]);
    assert_exit(&out, 0);
    let raw = records_json(&s.case_dir().join("chip_swimlane_records.json"));
    assert_eq!(raw["chip_swimlane_level"], 4);

    let s = Scratch::new("off");
    let out = s.run(&["-p", "a2a3sim", "-d", "0"]);
    assert_exit(&out, 0);
    assert!(
        !s.path().join("outputs").exists(),
        "level 0 creates nothing"
    );
    assert_eq!(file_line(&out), None);
    assert!(text(&out.stdout).contains("PASSED"));
}

#[test]
fn outputs_case_and_rounds_flags() {
    let s = Scratch::new("flags");
    let elsewhere = s.path().join("elsewhere");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "1",
        "--outputs",
        elsewhere.to_str().unwrap(),
        "--case",
        "TestBgemm::Case 1",
    ]);
    assert_exit(&out, 0);
    let dirs: Vec<_> = fs::read_dir(&elsewhere)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1);
    let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("TestBgemm_Case_1_"), "{name}");
    assert!(dirs[0].join("name_map_TestBgemm_Case_1.json").is_file());
    assert_eq!(
        file_line(&out),
        Some(dirs[0].join("chip_swimlane_records.json"))
    );

    // --rounds > 1 turns every collector off, with a warning.
    let s = Scratch::new("rounds");
    let out = s.run(&["--enable-chip-swimlane", "--rounds", "3"]);
    assert_exit(&out, 0);
    assert!(text(&out.stderr).contains("[WARNING] chip swimlane disabled: --rounds > 1"));
    assert!(s.case_dirs().is_empty());
}

#[test]
fn refused_levels_exit_2_and_unknown_flags_pass() {
    let s = Scratch::new("refused");
    let out = s.run(&["--enable-chip-swimlane", "9"]);
    assert_exit(&out, 2);
    assert!(text(&out.stderr).contains("fake-runtime: error: --enable-chip-swimlane"));
    assert!(s.case_dirs().is_empty());
    let out = s.run(&[
        "--frobnicate",
        "--level",
        "3",
        "-x",
        "y",
        "--enable-chip-swimlane=1",
    ]);
    assert_exit(&out, 0);
    assert_eq!(
        records_json(&file_line(&out).unwrap())["chip_swimlane_level"],
        1
    );
}

#[test]
fn argv_log_appends_what_was_received() {
    let s = Scratch::new("argvlog");
    let log = s.path().join("argv.log");
    let log_s = log.to_str().unwrap();
    let a = s.run(&[
        "--argv-log",
        log_s,
        "-p",
        "a2a3sim",
        "--enable-chip-swimlane",
        "2",
    ]);
    assert_exit(&a, 0);
    let b = s.run(&["--argv-log", log_s, "--enable-chip-swimlane", "--bogus"]);
    assert_exit(&b, 0);
    let lines: Vec<String> = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines,
        vec![
            format!("--argv-log {log_s} -p a2a3sim --enable-chip-swimlane 2"),
            format!("--argv-log {log_s} --enable-chip-swimlane --bogus"),
        ]
    );
    let first = text(&a.stdout).lines().next().unwrap().to_string();
    assert_eq!(first, format!("argv: {}", lines[0]));
}

// ---- faults -------------------------------------------------------------

#[test]
fn no_file_line_still_writes_the_capture() {
    let s = Scratch::new("nofileline");
    let out = s.run(&["--enable-chip-swimlane", "2", "--no-file-line"]);
    assert_exit(&out, 0);
    assert_eq!(file_line(&out), None);
    assert!(text(&out.stderr).contains("=== JSON Export Complete ==="));
    let c = read_capture(&s.case_dir().join("chip_swimlane_records.json")).unwrap();
    assert_eq!(c.runtime_level, Some(2));
}

#[test]
fn half_capture_writes_the_first_half_of_the_bytes() {
    let full = Scratch::new("full");
    assert_exit(
        &full.run(&["--enable-chip-swimlane", "3", "--seed", "11"]),
        0,
    );
    let full_len = fs::metadata(full.case_dir().join("chip_swimlane_records.json"))
        .unwrap()
        .len();

    let s = Scratch::new("half");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "3",
        "--seed",
        "11",
        "--half-capture",
    ]);
    assert_exit(&out, 0);
    let records = s.case_dir().join("chip_swimlane_records.json");
    assert_eq!(file_line(&out), Some(records.clone()));
    assert_eq!(fs::metadata(&records).unwrap().len(), full_len / 2);
    assert!(read_capture(&records).is_err(), "a cut file does not read");
}

#[test]
fn remove_capture_reports_a_file_it_has_deleted_and_exits_0() {
    let s = Scratch::new("remove");
    let out = s.run(&["--enable-chip-swimlane", "2", "--remove-capture"]);
    assert_exit(&out, 0);
    let reported = file_line(&out).unwrap();
    assert!(
        reported.ends_with("chip_swimlane_records.json"),
        "{reported:?}"
    );
    assert!(!reported.exists());
    assert!(!reported.parent().unwrap().exists(), "the case directory");
    assert!(s.path().join("outputs").is_dir(), "outputs/ itself stays");
    assert!(text(&out.stdout).contains("PASSED"));
}

#[test]
fn fail_code_exits_with_it_after_writing_everything() {
    let s = Scratch::new("failcode");
    let out = s.run(&["--enable-chip-swimlane", "1", "--fail-code", "3"]);
    assert_exit(&out, 3);
    assert!(file_line(&out).unwrap().is_file());
    assert!(text(&out.stdout).contains("::TestPagedAttention::test_CaseVarSeq4 FAILED"));
}

#[test]
fn fail_before_capture_exits_1_with_an_empty_case_dir() {
    let s = Scratch::new("failbefore");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "4",
        "--enable-dep-gen",
        "--fail-before-capture",
    ]);
    assert_exit(&out, 1);
    assert_eq!(file_line(&out), None);
    let dir = s.case_dir();
    assert_eq!(
        fs::read_dir(dir).unwrap().count(),
        0,
        "created, never written"
    );
}

#[test]
fn no_capture_runs_and_writes_nothing() {
    let s = Scratch::new("nocapture");
    let out = s.run(&[
        "--enable-chip-swimlane",
        "4",
        "--enable-dep-gen",
        "--no-capture",
    ]);
    assert_exit(&out, 0);
    assert_eq!(file_line(&out), None);
    assert!(text(&out.stderr).contains("No performance data to export"));
    assert_eq!(fs::read_dir(s.case_dir()).unwrap().count(), 0);
}

#[test]
fn slow_ms_stretches_the_run() {
    let s = Scratch::new("slow");
    let t = Instant::now();
    let out = s.run(&["--slow-ms", "60"]);
    assert_exit(&out, 0);
    assert!(
        t.elapsed() >= Duration::from_millis(240),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn flood_lines_all_arrive_on_both_streams() {
    let s = Scratch::new("flood");
    let t = Instant::now();
    let out = s.run(&["--enable-chip-swimlane", "1", "--flood", "20000"]);
    let took = t.elapsed();
    assert_exit(&out, 0);
    assert!(took < Duration::from_secs(3), "{took:?}");
    let mut seen = HashSet::new();
    let mut per_stream = [0usize; 2];
    for (i, stream) in [&out.stdout, &out.stderr].into_iter().enumerate() {
        for line in text(stream).lines() {
            if let Some((_, n)) = line.split_once("flood line ") {
                let n: u32 = n.strip_suffix("/20000").unwrap().parse().unwrap();
                assert!(seen.insert(n), "line {n} twice");
                per_stream[i] += 1;
            }
        }
    }
    assert_eq!(seen.len(), 20_000);
    assert!(per_stream[0] > 0 && per_stream[1] > 0, "{per_stream:?}");
    assert!(file_line(&out).unwrap().is_file(), "and the run goes on");
}

// ---- signals and processes ----------------------------------------------

/// A running stand-in whose stdout lines arrive on a channel.
struct Live {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Live {
    fn spawn(dir: &Path, args: &[&str]) -> Live {
        let mut child = fake()
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Live { child, lines }
    }

    fn wait_for_line(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    seen.push(line);
                    if hit {
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no line with {needle:?}; saw {seen:?}");
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success(), "kill {sig}");
    }

    fn wait_timeout(&mut self, d: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + d;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn hang_ends_on_sigterm_and_on_sigint() {
    let s = Scratch::new("hang");
    for (sig, num) in [("-TERM", 15), ("-INT", 2)] {
        let mut live = Live::spawn(s.path(), &["--enable-chip-swimlane", "2", "--hang"]);
        live.wait_for_line("round 1/4");
        assert_eq!(live.wait_timeout(Duration::from_millis(200)), None, "hangs");
        live.signal(sig);
        let st = live
            .wait_timeout(Duration::from_secs(5))
            .expect("ended by the signal");
        assert_eq!(st.signal(), Some(num));
    }
    // One run per signal; they may straddle a second, hence two directories.
    let dirs = s.case_dirs();
    assert!(!dirs.is_empty(), "the case directory comes before the run");
    for dir in dirs {
        let files = fs::read_dir(dir).unwrap().count();
        assert_eq!(files, 0, "hung before the capture");
    }
}

#[test]
fn ignore_sigint_survives_sigint_but_not_sigterm() {
    let s = Scratch::new("ignoresigint");
    let mut live = Live::spawn(
        s.path(),
        &["--enable-chip-swimlane", "2", "--hang", "--ignore-sigint"],
    );
    let seen = live.wait_for_line("round 1/4");
    assert_eq!(
        seen.iter().filter(|l| l.starts_with("argv: ")).count(),
        1,
        "one argv line despite the re-exec: {seen:?}"
    );
    live.signal("-INT");
    assert_eq!(
        live.wait_timeout(Duration::from_millis(300)),
        None,
        "SIGINT is ignored"
    );
    live.signal("-TERM");
    let st = live
        .wait_timeout(Duration::from_secs(5))
        .expect("SIGTERM ends it");
    assert_eq!(st.signal(), Some(15));
}

/// `(pid, comm)` of every process whose process group is `pgid`.
fn group_members(pgid: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for e in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp …`; comm may hold spaces and parens.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if rest.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid) {
            out.push((pid, comm));
        }
    }
    out
}

#[test]
fn grandchild_sleep_stays_in_the_process_group() {
    let s = Scratch::new("grandchild");
    // Files, not pipes: the grandchild keeps the stand-in's stdout open.
    let log = fs::File::create(s.path().join("out.log")).unwrap();
    let mut child = fake()
        .args(["--enable-chip-swimlane", "1", "--grandchild"])
        .current_dir(s.path())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = child.id();
    let st = child.wait().unwrap();
    let members = group_members(pgid);
    // Clean up before asserting.
    for (pid, _) in &members {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    assert!(st.success(), "{st:?}");
    assert!(
        members.iter().any(|(_, comm)| comm == "sleep"),
        "group {pgid}: {members:?}"
    );
}
