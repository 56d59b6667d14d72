//! Replays every fuzz seed and every input the fuzzer ever found
//! (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) through the same
//! harness the cargo-fuzz targets use, on stable and without libFuzzer: a
//! crash found once stays fixed. `fuzz/run.sh` runs the fuzzer itself.

#![allow(clippy::unwrap_used)]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

#[test]
fn every_seed_and_regression_passes_its_target() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (target, run) in harness::TARGETS {
        let files = inputs(target);
        assert!(
            !files.is_empty(),
            "fuzz/seeds/{target}/ is empty: run fuzz/make_seeds.py"
        );
        for file in files {
            let data = fs::read(&file).unwrap();
            ran += 1;
            if let Err(panic) = panic::catch_unwind(|| run(&data)) {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{target} {}: {msg}", file.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} inputs panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The first finding (name_map, 60 s in): a key holding `\r` was printed
/// raw and split the error message in two.
#[test]
fn a_key_with_a_carriage_return_is_shown_escaped() {
    let mut regression = inputs("name_map");
    regression.retain(|p| p.ends_with("key-with-carriage-return"));
    let data = fs::read(&regression[0]).unwrap();
    let err = swimtop::capture::formats::name_map::parse(&data, Path::new("n.json")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("\\r"), "the key is shown escaped: {msg}");
    assert!(!msg.chars().any(char::is_control), "{msg}");
}
