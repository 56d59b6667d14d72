//! The binary from the outside: recording at each level, determinism, the
//! invariants every recorded file must satisfy, stats, and error messages.

// Helpers outside #[test] functions panic on purpose: a test fixture that
// cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use swimtop::capture::formats::{self, deps};
use swimtop::device::sim::workload::Workload;
use swimtop::record::{Capture, TaskId};

fn swimtop() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_swimtop"));
    // Tests must not pick up the developer's config or level.
    c.env_remove("SWIMTOP_LEVEL")
        .env_remove("SWIMTOP_CONFIG")
        .env("HOME", "/nonexistent-swimtop-test-home")
        .env_remove("XDG_CONFIG_HOME");
    c
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run swimtop");
    assert!(
        out.status.success(),
        "swimtop failed: {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swimtop-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn record(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    run(swimtop().args(["record", "-q", "-o"]).arg(&out).args(args));
    out
}

#[test]
fn levels_1_2_3_write_versions_0_1_2_with_the_right_fields() {
    let dir = tempdir("levels");
    for (level, version) in [("1", 0), ("2", 1), ("3", 2)] {
        let path = record(
            &dir,
            &format!("L{level}.json"),
            &["--level", level, "--seed", "7"],
        );
        let v = json(&path);
        assert_eq!(v["version"], version, "level {level}");
        let task = &v["tasks"][0];
        let has = |k: &str| task.get(k).is_some();
        assert_eq!(has("dispatch_time_us"), level != "1", "level {level}");
        assert_eq!(has("finish_time_us"), level != "1", "level {level}");
        assert_eq!(has("fanout"), level != "1", "level {level}");
        assert_eq!(v.get("aicpu_scheduler_phases").is_some(), level == "3");
        assert_eq!(v.get("aicpu_orchestrator_phases").is_some(), level == "3");
        if level == "3" {
            let names: HashSet<&str> = v["aicpu_scheduler_phases"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|l| l.as_array().unwrap())
                .map(|r| r["phase"].as_str().unwrap())
                .collect();
            for want in ["complete", "dispatch", "idle"] {
                assert!(names.contains(want), "missing {want} in {names:?}");
            }
        }
    }
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let dir = tempdir("determinism");
    for level in ["1", "3"] {
        let a = record(
            &dir,
            &format!("a{level}.json"),
            &["--level", level, "--seed", "7"],
        );
        let b = record(
            &dir,
            &format!("b{level}.json"),
            &["--level", level, "--seed", "7"],
        );
        let c = record(
            &dir,
            &format!("c{level}.json"),
            &["--level", level, "--seed", "8"],
        );
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "level {level}"
        );
        assert_ne!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&c).unwrap(),
            "level {level}"
        );
    }
}

/// True dependencies: deps.json (chip format) or per-task fanout (swimlane).
fn edges_of(capture: &Capture, deps_path: Option<&Path>) -> Vec<(TaskId, TaskId)> {
    match deps_path {
        Some(p) => deps::read(p).unwrap().edges,
        None => capture
            .fanout
            .iter()
            .flat_map(|f| f.successors.iter().map(move |s| (f.task_id, *s)))
            .collect(),
    }
}

fn check_invariants(capture: &Capture, edges: &[(TaskId, TaskId)], tasks_expected: usize) {
    let level = capture.flags.level().get();
    // Every task of every round, exactly once.
    let ids: HashSet<TaskId> = capture.tasks.iter().map(|t| t.task_id).collect();
    assert_eq!(ids.len(), capture.tasks.len(), "duplicate task rows");
    assert_eq!(ids.len(), tasks_expected, "tasks present");
    // No task starts before its predecessors end.
    let by_id: HashMap<TaskId, _> = capture.tasks.iter().map(|t| (t.task_id, t)).collect();
    let mut checked = 0;
    for (pred, succ) in edges {
        let (Some(p), Some(s)) = (by_id.get(pred), by_id.get(succ)) else {
            continue;
        };
        assert!(
            s.start_ns >= p.end_ns,
            "{succ} starts before its predecessor {pred} ends"
        );
        checked += 1;
    }
    assert!(checked > 0 || edges.is_empty());
    // No two tasks overlap on one core.
    let mut per_core: HashMap<u32, Vec<(u64, u64)>> = HashMap::new();
    for t in &capture.tasks {
        per_core
            .entry(t.core_id)
            .or_default()
            .push((t.start_ns, t.end_ns));
    }
    for (core, mut spans) in per_core {
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[1].0 >= w[0].1, "overlap on core {core}: {:?}", w);
        }
    }
    // Lifecycle order at level >= 2; absent below.
    for t in &capture.tasks {
        assert!(t.start_ns <= t.end_ns);
        if level >= 2 {
            let (d, f) = (t.dispatch_ns.unwrap(), t.finish_ns.unwrap());
            assert!(
                d <= t.start_ns && t.end_ns <= f,
                "lifecycle order of {}",
                t.task_id
            );
        } else {
            assert!(t.dispatch_ns.is_none() && t.finish_ns.is_none());
        }
    }
}

#[test]
fn recorded_files_satisfy_the_invariants_at_every_level() {
    let dir = tempdir("invariants");
    let rounds = 3;
    for workload in ["paged_attention", "matmul_chain", "random:300"] {
        let per_round = Workload::resolve(workload, 5).unwrap().task_count();
        for level in ["1", "2", "3"] {
            // Chip format brings deps.json: the true edges, at every level.
            let sub = dir.join(format!("{}-L{level}", workload.replace(':', "_")));
            let path = record(
                &sub,
                "chip_swimlane_records.json",
                &[
                    "--level",
                    level,
                    "--seed",
                    "5",
                    "--workload",
                    workload,
                    "--rounds",
                    "3",
                    "--format",
                    "chip",
                ],
            );
            let capture = formats::read_capture(&path).unwrap();
            assert_eq!(capture.flags.level().get().to_string(), level);
            let edges = edges_of(&capture, Some(&sub.join("deps.json")));
            assert!(!edges.is_empty(), "{workload} has dependencies");
            check_invariants(&capture, &edges, per_round * rounds);
            // Swimlane format: fanout edges at level >= 2.
            let path = record(
                &sub,
                "swimlane.json",
                &[
                    "--level",
                    level,
                    "--seed",
                    "5",
                    "--workload",
                    workload,
                    "--rounds",
                    "3",
                ],
            );
            let capture = formats::read_capture(&path).unwrap();
            let edges = edges_of(&capture, None);
            assert_eq!(edges.is_empty(), level == "1", "{workload} L{level} fanout");
            check_invariants(&capture, &edges, per_round * rounds);
        }
    }
}

#[test]
fn level_2_arrives_as_2_through_every_path() {
    let dir = tempdir("level-paths");
    let config = dir.join("config.toml");
    let config_str = dir.join("config-str.toml");
    std::fs::write(&config, "level = 2\n").unwrap();
    std::fs::write(&config_str, "level = \"2\"\n").unwrap();
    type Setup = Box<dyn Fn(&mut Command)>;
    let paths: Vec<(&str, Setup)> = vec![
        (
            "--level",
            Box::new(|c: &mut Command| {
                c.args(["--level", "2"]);
            }),
        ),
        (
            "--chip-swimlane",
            Box::new(|c: &mut Command| {
                c.args(["--chip-swimlane", "2"]);
            }),
        ),
        (
            "--enable-profiling",
            Box::new(|c: &mut Command| {
                c.args(["--enable-profiling", "2"]);
            }),
        ),
        (
            "--dfx-flags",
            Box::new(|c: &mut Command| {
                c.args(["--dfx-flags", "0x3"]);
            }),
        ),
        (
            "SWIMTOP_LEVEL",
            Box::new(|c: &mut Command| {
                c.env("SWIMTOP_LEVEL", "2");
            }),
        ),
        ("config", {
            let p = config.clone();
            Box::new(move |c: &mut Command| {
                c.arg("--config").arg(&p);
            })
        }),
        ("config string", {
            let p = config_str.clone();
            Box::new(move |c: &mut Command| {
                c.arg("--config").arg(&p);
            })
        }),
        ("SWIMTOP_CONFIG", {
            let p = config.clone();
            Box::new(move |c: &mut Command| {
                c.env("SWIMTOP_CONFIG", &p);
            })
        }),
    ];
    for (name, setup) in &paths {
        for (format, key, want) in [
            ("swimlane", "version", 1),
            ("chip", "chip_swimlane_level", 2),
        ] {
            let sub = dir.join(format!("{}-{format}", name.replace(' ', "_")));
            let out = sub.join("x.json");
            let mut cmd = swimtop();
            cmd.args(["record", "-q", "--seed", "3", "--format", format, "-o"])
                .arg(&out);
            setup(&mut cmd);
            let o = run(&mut cmd);
            let v = json(&out);
            assert_eq!(v[key], want, "{name} → {format}");
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                stderr.contains("L2 [aicore-timing|task-lifecycle]"),
                "{name}: {stderr}"
            );
            // The device obeyed level 2: lifecycle stamps, no phases.
            let capture = formats::read_capture(&out).unwrap();
            assert_eq!(capture.flags.level().get(), 2, "{name} → {format}");
            assert!(capture.tasks.iter().all(|t| t.dispatch_ns.is_some()));
            assert!(capture.sched_phases.is_empty());
        }
    }
    // Booleans coerce (true = 3) and still arrive as integers.
    let out = dir.join("bool.json");
    run(swimtop()
        .args(["record", "-q", "-o"])
        .arg(&out)
        .env("SWIMTOP_LEVEL", "true"));
    assert_eq!(json(&out)["version"], 2);
}

#[test]
fn chip_output_follows_the_current_schema_with_siblings() {
    let dir = tempdir("chip");
    let path = record(
        &dir,
        "chip_swimlane_records.json",
        &["--level", "3", "--seed", "7", "--format", "chip"],
    );
    let v = json(&path);
    // Top-level keys in the runtime writer's order (serde_json sorts keys, so
    // look at the text).
    let text = std::fs::read_to_string(&path).unwrap();
    let top_keys = [
        "chip_swimlane_level",
        "metadata",
        "aicore_tasks",
        "aicpu_tasks",
        "aicpu_scheduler_phases",
        "aicpu_orchestrator_phases",
    ];
    let at: Vec<usize> = top_keys
        .iter()
        .map(|k| text.find(&format!("\n  \"{k}\": ")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "key order {at:?}");
    assert_eq!(v.as_object().unwrap().len(), top_keys.len());
    assert_eq!(v["chip_swimlane_level"], 4);
    let md = &v["metadata"];
    assert_eq!(md["clock_freq_hz"], 50_000_000);
    let n = md["num_cores"].as_u64().unwrap() as usize;
    assert_eq!(n, 72);
    assert_eq!(md["core_types"].as_array().unwrap().len(), n);
    assert_eq!(md["core_to_thread"].as_array().unwrap().len(), n);
    for row in v["aicore_tasks"].as_array().unwrap() {
        let row = row.as_array().unwrap();
        assert_eq!(row.len(), 6);
        assert!(row.iter().all(|x| x.as_u64().is_some()));
        assert!(row[3].as_u64() <= row[4].as_u64());
    }
    for row in v["aicpu_tasks"].as_array().unwrap() {
        assert_eq!(row.as_array().unwrap().len(), 4);
    }
    let sched = v["aicpu_scheduler_phases"].as_array().unwrap();
    assert!(sched.len() >= 4);
    for rec in sched.iter().flat_map(|l| l.as_array().unwrap()) {
        let kind = rec["kind"].as_str().unwrap();
        assert!(
            ["complete", "dispatch", "resolve", "release"].contains(&kind),
            "{kind}"
        );
        assert_eq!(rec["shared_at_start"].as_array().unwrap().len(), 3);
        assert!(rec["start_cycles"].as_u64() <= rec["end_cycles"].as_u64());
    }
    let orch = v["aicpu_orchestrator_phases"].as_array().unwrap();
    assert_eq!(orch.len(), 1);
    assert!(!orch[0].as_array().unwrap().is_empty());
    for line in text.lines().filter(|l| l.contains("\"submit_idx\"")) {
        assert!(line.trim_start().starts_with("{\"submit_idx\": "), "{line}");
        let (a, b, c) = (
            line.find("\"task_id\"").unwrap(),
            line.find("\"start_cycles\"").unwrap(),
            line.find("\"end_cycles\"").unwrap(),
        );
        assert!(a < b && b < c, "{line}");
    }
    // deps.json and the name map beside it resolve names and arrows.
    assert!(dir.join("deps.json").exists());
    let name_map = dir.join("name_map_paged_attention.json");
    assert!(name_map.exists());
    let capture = formats::read_capture(&path).unwrap();
    assert!(
        capture.tasks.iter().all(|t| t.func_id >= 0),
        "func ids resolved from deps.json"
    );
    assert_eq!(
        capture.info.func_names.get(&0).map(String::as_str),
        Some("QK")
    );
}

#[test]
fn stats_prints_the_table_with_dashes_where_the_level_lacks_data() {
    let dir = tempdir("stats");
    let l1 = record(&dir, "L1.json", &["--level", "1", "--seed", "7"]);
    let l2 = record(&dir, "L2.json", &["--level", "2", "--seed", "7"]);
    let out = run(swimtop().arg("stats").arg(&l1));
    let text = String::from_utf8(out.stdout).unwrap();
    let qk = text
        .lines()
        .find(|l| l.contains(" func_0_a ") || l.contains(" QK "))
        .unwrap();
    assert!(qk.trim_end().ends_with('-'), "level 1 has no exec %: {qk}");
    assert!(text.contains("AIC_0"), "{text}");
    let out = run(swimtop().arg("stats").arg(&l2));
    let text = String::from_utf8(out.stdout).unwrap();
    let qk = text
        .lines()
        .find(|l| l.contains(" func_0_a ") || l.contains(" QK "))
        .unwrap();
    assert!(qk.trim_end().ends_with('%'), "level 2 has exec %: {qk}");
    assert!(!qk.contains(" - "), "level 2 has head/tail: {qk}");
    // Script forms.
    let out = run(swimtop().args(["stats", "--json"]).arg(&l2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["level"], 2);
    assert!(v["functions"][0]["head_mean_ns"].as_f64().is_some());
    let out = run(swimtop().args(["stats", "--csv"]).arg(&l1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("kind,id,name,count"));
    assert!(text.lines().any(|l| l.starts_with("core,0,aic,")));
}

#[test]
fn level_0_records_nothing_and_says_so() {
    let dir = tempdir("level0");
    let out = dir.join("L0.json");
    let o = run(swimtop().args(["record", "--level", "0", "-o"]).arg(&out));
    assert!(!out.exists());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("profiling is off"), "{stderr}");
}

#[test]
fn bad_input_is_a_one_line_error() {
    let dir = tempdir("errors");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--level".into(), "7".into()],
            "level 7 is out of range",
        ),
        (
            vec!["--dfx-flags".into(), "0x2".into()],
            "bit 1 TASK_LIFECYCLE requires bit 0",
        ),
        (
            vec!["--dfx-flags".into(), "0x30".into()],
            "bit 4 is reserved",
        ),
        (
            vec![
                "record".into(),
                "--workload".into(),
                "nope".into(),
                "-o".into(),
                dir.join("x.json").display().to_string(),
            ],
            "nope",
        ),
    ];
    for (args, want) in cases {
        let o = swimtop().args(&args).output().unwrap();
        assert!(!o.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    // Conflicting level sources.
    let o = swimtop()
        .args(["--level", "2", "--dfx-flags", "0x3"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with"));
    // A file that is not a capture, a truncated one, an unknown version.
    let foreign = dir.join("foreign.json");
    std::fs::write(&foreign, "{\"hello\": 1}").unwrap();
    let truncated = dir.join("truncated.json");
    std::fs::write(&truncated, "{\"version\": 1, \"tasks\": [{\"task_id\": 1, ").unwrap();
    let unknown = dir.join("unknown.json");
    std::fs::write(
        &unknown,
        "{\"chip_swimlane_level\": 9, \"metadata\": {}, \"aicore_tasks\": []}",
    )
    .unwrap();
    for f in [&foreign, &truncated, &unknown] {
        let o = swimtop().arg("stats").arg(f).output().unwrap();
        assert!(!o.status.success());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&f.display().to_string()),
            "names the file: {stderr}"
        );
    }
    // SWIMTOP_LEVEL that is not a level.
    let o = swimtop()
        .env("SWIMTOP_LEVEL", "lots")
        .args(["record", "-o"])
        .arg(dir.join("y.json"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("SWIMTOP_LEVEL=lots"));
}

#[test]
fn help_answers_the_level_question() {
    let o = run(swimtop().arg("--help"));
    let text = String::from_utf8(o.stdout).unwrap();
    for want in [
        "--level",
        "--dfx-flags",
        "--chip-swimlane",
        "phase-buffers",
        "SWIMTOP_LEVEL",
        "record",
        "stats",
        "bench",
    ] {
        assert!(text.contains(want), "--help lacks {want}");
    }
}
