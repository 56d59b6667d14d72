//! Round trips through the trace store: file → capture → store → capture →
//! file gives the same bytes, for every sample capture, in the file's own
//! format and as a Perfetto trace; tasks, timestamps and edges survive.

// A fixture that cannot be read is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use swimtop::capture::formats::{self, Generation, deps, legacy_json, perfetto, raw};
use swimtop::record::{Capture, TaskId};
use swimtop::store::TraceStore;

fn samples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/captures");
    let mut out = Vec::new();
    for dir in [root.join("spec"), root.join("generations")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            if n.ends_with(".json") && !n.starts_with("name_map") && n != "deps.json" {
                out.push(p);
            }
        }
    }
    for e in std::fs::read_dir(root.join("real")).unwrap() {
        let d = e.unwrap().path();
        if !d.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&d).unwrap() {
            let p = f.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            if !n.starts_with("name_map") && n != "deps.json" {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn bytes(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Vec<u8> {
    let mut v = Vec::new();
    f(&mut v).unwrap();
    v
}

fn edges(c: &Capture) -> BTreeSet<(TaskId, TaskId)> {
    let mut e: BTreeSet<_> = c
        .fanout
        .iter()
        .flat_map(|f| f.successors.iter().map(move |s| (f.task_id, *s)))
        .collect();
    e.extend(
        c.submits
            .iter()
            .flat_map(|s| s.edges_in.iter().map(|d| (d.pred, d.succ))),
    );
    e
}

#[test]
fn every_sample_survives_the_store_byte_for_byte() {
    let files = samples();
    assert!(files.len() >= 16, "{files:?}");
    for path in files {
        let original = formats::read_capture(&path).unwrap();
        let generation = formats::detect::detect_file(&path).unwrap();
        let back = TraceStore::from_capture(original.clone()).to_capture();
        let name = path.display();
        assert_eq!(back.tasks, original.tasks, "{name}: tasks");
        assert_eq!(back.sched_phases, original.sched_phases, "{name}: phases");
        assert_eq!(
            back.orch_phases, original.orch_phases,
            "{name}: orchestrator"
        );
        assert_eq!(edges(&back), edges(&original), "{name}: edges");
        match generation {
            Generation::RawH | Generation::RawG => assert_eq!(
                bytes(|w| raw::write(&back, w)),
                bytes(|w| raw::write(&original, w)),
                "{name}: chip"
            ),
            Generation::Perfetto => {}
            _ => assert_eq!(
                bytes(|w| legacy_json::write(&back, w)),
                bytes(|w| legacy_json::write(&original, w)),
                "{name}: swimlane"
            ),
        }
        assert_eq!(
            bytes(|w| perfetto::write(&back, w)),
            bytes(|w| perfetto::write(&original, w)),
            "{name}: perfetto"
        );
        if !back.submits.is_empty() {
            assert_eq!(
                bytes(|w| deps::write(&back, w)),
                bytes(|w| deps::write(&original, w)),
                "{name}: deps.json"
            );
        }
    }
}

#[test]
fn deps_json_gives_arrows_in_the_store() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "assets/captures/real/paged_attention_CaseVarSeq4_L4_depgen/chip_swimlane_records.json",
    );
    let store = TraceStore::from_capture(formats::read_capture(&path).unwrap());
    // 92 distinct (pred, succ) pairs in deps.json, some through alloc tasks.
    assert_eq!(store.edge_count(), 92);
    let with_succ = store
        .lanes()
        .into_iter()
        .filter_map(|l| match l {
            swimtop::store::LaneId::Core(c) => Some(c),
            _ => None,
        })
        .flat_map(|c| store.tasks_in(c, 0, u64::MAX).collect::<Vec<_>>())
        .filter(|&r| !store.successors(store.task(r).task_id).is_empty())
        .count();
    assert!(with_succ > 30, "tasks with successors: {with_succ}");
}
