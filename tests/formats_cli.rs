//! Every capture generation from the outside: detection, `stats` and
//! `convert` on every sample, sibling overrides, and what a capture lacks
//! said as a clear one-line warning.

// A fixture that cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use swimtop::capture::formats::{self, Generation, detect};

fn swimtop() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_swimtop"));
    c.env_remove("SWIMTOP_LEVEL")
        .env_remove("SWIMTOP_CONFIG")
        .env("HOME", "/nonexistent-swimtop-test-home");
    c
}

fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/captures")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swimtop-fmtcli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every capture sample: spec examples, real runtime captures (records and
/// the converter's traces), and the synthetic generations.
fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["spec", "generations"] {
        for e in std::fs::read_dir(assets().join(dir)).unwrap() {
            out.push(e.unwrap().path());
        }
    }
    for e in std::fs::read_dir(assets().join("real")).unwrap() {
        let d = e.unwrap().path();
        if d.is_dir() {
            out.extend(std::fs::read_dir(d).unwrap().map(|f| f.unwrap().path()));
        }
    }
    out.retain(|p| {
        let n = p.file_name().unwrap().to_string_lossy();
        n.ends_with(".json") && !n.starts_with("name_map") && n != "deps.json"
    });
    out.sort();
    out
}

#[test]
fn every_generation_is_detected_with_its_level() {
    let g = assets().join("generations");
    for (file, generation, runtime_level) in [
        ("TD.l2_perf_records.json", Generation::TasksD, 3),
        ("TE.l2_perf_records.json", Generation::TasksE, 4),
        ("TF.l2_swimlane_records.json", Generation::TasksF, 2),
        ("transient.l2_perf_records.json", Generation::Transient, 2),
        ("RG.l2_swimlane_records.json", Generation::RawG, 2),
    ] {
        let path = g.join(file);
        assert_eq!(detect::detect_file(&path).unwrap(), generation, "{file}");
        let c = formats::read_capture(&path).unwrap();
        assert_eq!(c.runtime_level, Some(runtime_level), "{file}");
        assert_eq!(c.tasks.len(), 5, "{file}");
        // t0: QK on core 0, dispatch 1.40 µs → start 1.62 µs → end 11.62 µs → finish 11.80 µs.
        let t0 = c.tasks.iter().find(|t| t.task_id.0 == 0).unwrap();
        assert_eq!(t0.end_ns - t0.start_ns, 10_000, "{file}");
        assert_eq!(t0.start_ns - t0.dispatch_ns.unwrap(), 220, "{file}");
        assert_eq!(t0.finish_ns.unwrap() - t0.end_ns, 180, "{file}");
        // func ids resolve (T-F from deps.json) and names from the name map.
        assert!(c.tasks.iter().all(|t| t.func_id >= 0), "{file}");
        assert_eq!(
            c.info.func_names.get(&0).map(String::as_str),
            Some("QK"),
            "{file}"
        );
    }
    // T-D keeps fanout; T-E has phases but no idle records and orch_submit envelopes.
    let td = formats::read_capture(&g.join("TD.l2_perf_records.json")).unwrap();
    assert_eq!(
        td.fanout.iter().map(|f| f.successors.len()).sum::<usize>(),
        4
    );
    let te = formats::read_capture(&g.join("TE.l2_perf_records.json")).unwrap();
    assert_eq!(te.orch_phases.len(), 4);
    assert!(
        te.orch_phases
            .iter()
            .all(|p| p.kind.name() == "orch_submit")
    );
    assert!(te.sched_phases.iter().all(|p| p.kind.name() != "idle"));
}

#[test]
fn every_sample_prints_stats_and_converts_to_every_format() {
    let dir = scratch("convert");
    let files = samples();
    assert!(files.len() >= 20, "{files:?}");
    for (i, path) in files.iter().enumerate() {
        let tasks = formats::read_capture(path).unwrap().tasks.len();
        let out = ok(swimtop().arg("stats").arg(path));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&format!("tasks    {tasks} on")),
            "{}: {text}",
            path.display()
        );
        for to in ["swimlane", "chip", "perfetto"] {
            let sub = dir.join(format!("{i}-{to}"));
            let target = sub.join(format!("out.{to}.json"));
            ok(swimtop()
                .args(["convert", "--to", to, "-o"])
                .arg(&target)
                .arg(path));
            let back = formats::read_capture(&target).unwrap();
            assert_eq!(back.tasks.len(), tasks, "{} → {to}", path.display());
        }
    }
}

#[test]
fn sibling_files_can_be_named_explicitly() {
    let dir = scratch("siblings");
    let lonely = dir.join("chip_swimlane_records.json");
    std::fs::copy(assets().join("spec/chip_swimlane_records.L4.json"), &lonely).unwrap();
    // Alone: labels degrade and the user is told how to get names.
    let out = ok(swimtop().arg("stats").arg(&lonely));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("labelled task(rXtY)") && err.contains("--deps-json"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" task "), "{text}");
    // With deps.json and the name map named on the command line: names.
    let out = ok(swimtop()
        .arg("stats")
        .arg(&lonely)
        .arg("--deps-json")
        .arg(assets().join("spec/deps.json"))
        .arg("--func-names")
        .arg(assets().join("spec/name_map_TestTinyAttn_default.json")));
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["QK", "SF", "PV", "UP"] {
        assert!(text.contains(&format!(" {name} ")), "{name}: {text}");
    }
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A named file that is not there is an error naming it.
    let o = swimtop()
        .arg("stats")
        .arg(&lonely)
        .arg("--deps-json")
        .arg(dir.join("nope.json"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("nope.json"), "{err}");
}

#[test]
fn what_a_capture_lacks_is_a_clear_warning_not_a_failure() {
    let dir = scratch("lacks");
    // deps.json naming a kernel task the capture does not hold.
    let a = dir.join("a");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::copy(
        assets().join("spec/chip_swimlane_records.L2.json"),
        a.join("chip_swimlane_records.json"),
    )
    .unwrap();
    let deps = std::fs::read_to_string(assets().join("spec/deps.json")).unwrap();
    let extra = deps.replacen(
        "{\"tasks\":[\n",
        "{\"tasks\":[\n{\"task_id\":\"77\",\"scope\":\"auto\",\"early_dispatch\":false,\"kernel_ids\":[0,-1,-1],\"block_num\":1,\"args\":[]},\n",
        1,
    );
    std::fs::write(a.join("deps.json"), extra).unwrap();
    let out = ok(swimtop()
        .arg("stats")
        .arg(a.join("chip_swimlane_records.json")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("deps.json names 1 task(s) the capture does not hold (first t77)"),
        "{err}"
    );

    // A name map without func 3: that function is labelled func_3_d, and said so.
    let b = dir.join("b");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(
        assets().join("spec/chip_swimlane_records.L4.json"),
        b.join("chip_swimlane_records.json"),
    )
    .unwrap();
    std::fs::copy(assets().join("spec/deps.json"), b.join("deps.json")).unwrap();
    std::fs::write(
        b.join("name_map_Partial.json"),
        "{\"level\": 2, \"orchestrator_name\": null, \"callable_id_to_name\": {\"0\": \"QK\", \"1\": \"SF\", \"2\": \"PV\"}}",
    )
    .unwrap();
    let out = ok(swimtop()
        .arg("stats")
        .arg(b.join("chip_swimlane_records.json")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no name for func 3"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("func_3_d"));

    // A capture of 0 tasks.
    let empty = dir.join("empty.json");
    std::fs::write(
        &empty,
        "{\"chip_swimlane_level\": 1, \"metadata\": {\"clock_freq_hz\": 50000000, \"num_cores\": 3, \"core_types\": [\"aic\", \"aiv\", \"aiv\"]}, \"aicore_tasks\": [], \"aicpu_tasks\": []}",
    )
    .unwrap();
    let out = ok(swimtop().arg("stats").arg(&empty));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the capture holds 0 tasks"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("tasks    0 on 3 cores"));
}

#[test]
fn convert_reports_what_it_wrote_and_refuses_bad_input_in_one_line() {
    let dir = scratch("convert-errors");
    let out = ok(swimtop()
        .args(["convert", "--to", "chip", "-o"])
        .arg(dir.join("x/chip_swimlane_records.json"))
        .arg(assets().join("spec/legacy_v2.perf_swimlane_20260415_101500.json")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrote ") && err.contains("chip, L3"), "{err}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("x/chip_swimlane_records.json")).unwrap())
            .unwrap();
    assert_eq!(v["chip_swimlane_level"], 4, "legacy v2 = current level 4");
    let truncated = dir.join("t.json");
    std::fs::write(
        &truncated,
        "{\"chip_swimlane_level\": 2, \"metadata\": {\"clock",
    )
    .unwrap();
    for args in [
        vec!["stats"],
        vec![
            "convert",
            "--to",
            "perfetto",
            "-o",
            "/tmp/swimtop-never.json",
        ],
    ] {
        let o = swimtop().args(&args).arg(&truncated).output().unwrap();
        assert!(!o.status.success());
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
        assert!(e.contains("t.json"), "{e}");
    }
    assert!(!Path::new("/tmp/swimtop-never.json").exists());
}

#[test]
fn host_build_graph_capture_shows_its_host_records_on_their_own_lane() {
    let path = assets().join("generations/hbg.chip_swimlane_records.json");
    let (c, stats) = formats::read_capture_with(&path, &formats::ReadOptions::default()).unwrap();
    assert_eq!(c.tasks.len(), 5);
    let host: Vec<_> = c.orch_phases.iter().filter(|p| p.is_host()).collect();
    assert_eq!(host.len(), 5, "4 submits and 1 upload");
    // The host block ends where the device's first record starts.
    let device_start = c.sched_phases.iter().map(|p| p.start_ns).min().unwrap();
    assert_eq!(host.iter().map(|p| p.end_ns).max(), Some(device_start));
    assert!(stats.warnings.iter().any(|w| w.contains("host clock")));
    let store = swimtop::store::TraceStore::from_capture(c.clone());
    let labels: Vec<String> = store
        .lanes()
        .into_iter()
        .map(|l| store.lane_label(l))
        .collect();
    assert!(labels.contains(&"Host_0".to_string()), "{labels:?}");
    // A Perfetto trace keeps the lane; the chip schema leaves host records out.
    let mut trace = Vec::new();
    formats::perfetto::write(&c, &mut trace).unwrap();
    let text = String::from_utf8(trace.clone()).unwrap();
    assert!(text.contains("\"Host_0\""));
    let back = formats::perfetto::parse(&trace, Path::new("t.json")).unwrap();
    assert_eq!(back.orch_phases.iter().filter(|p| p.is_host()).count(), 5);
    let mut chip = Vec::new();
    formats::raw::write(&c, &mut chip).unwrap();
    assert!(
        !String::from_utf8(chip)
            .unwrap()
            .contains("aicpu_orchestrator_phases")
    );
}
