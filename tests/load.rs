//! The streaming load (`capture::load::load_store`: raw rows parsed into
//! columns and handed to the store's loader) must give exactly the store
//! the whole-capture path gives (read the capture, ingest its records):
//! every record back in the same order, the same statistics, the same
//! messages. Checked on every real and spec capture and on random raw
//! documents full of duplicates, strays and inverted rows.

// A fixture that cannot be set up is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use swimtop::capture::formats::{self, ReadOptions};
use swimtop::capture::load::load_store;
use swimtop::store::TraceStore;

mod support;
use support::scratch::Scratch;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/captures")
}

fn whole(path: &Path, opts: &ReadOptions) -> Result<(TraceStore, Vec<String>), String> {
    let (capture, stats) = formats::read_capture_with(path, opts).map_err(|e| e.to_string())?;
    let mut store = TraceStore::new(capture.info.clone(), capture.flags);
    store.ingest(capture.into_records());
    Ok((store, stats.messages()))
}

fn streamed(path: &Path, opts: &ReadOptions) -> Result<(TraceStore, Vec<String>), String> {
    let (store, stats) = load_store(path, opts).map_err(|e| e.to_string())?;
    Ok((store, stats.messages()))
}

/// Both paths agree on `path`: the same error, or the same store.
fn same(path: &Path, opts: &ReadOptions) -> Result<(), TestCaseError> {
    match (whole(path, opts), streamed(path, opts)) {
        (Ok((a, ma)), Ok((b, mb))) => {
            prop_assert_eq!(ma, mb, "messages of {}", path.display());
            prop_assert_eq!(a.ingested(), b.ingested(), "{}", path.display());
            prop_assert_eq!(a.task_count(), b.task_count());
            prop_assert_eq!(
                a.to_capture(),
                b.to_capture(),
                "records of {}",
                path.display()
            );
            prop_assert_eq!(a.stats(None), b.stats(None));
            prop_assert_eq!(a.lanes(), b.lanes());
            prop_assert_eq!(a.time_range(), b.time_range());
            prop_assert_eq!(a.edge_count(), b.edge_count());
            // What the screen is drawn from: every lane's cells, whole and zoomed.
            if let Some((t0, t1)) = a.time_range() {
                let mid = t0 + (t1 - t0) / 3;
                for lane in a.lanes() {
                    for (from, to, cols) in [(t0, t1 + 1, 80), (mid, mid + 1 + (t1 - t0) / 50, 7)] {
                        prop_assert_eq!(
                            a.window_ns(lane, from, to, cols),
                            b.window_ns(lane, from, to, cols)
                        );
                    }
                }
            }
            for t in a.to_capture().tasks {
                prop_assert_eq!(a.find_task(t.task_id), b.find_task(t.task_id));
            }
        }
        (Err(a), Err(b)) => {
            // Either may word a broken document its own way; both name it.
            prop_assert!(a.contains(&path.display().to_string()), "{a}");
            prop_assert!(b.contains(&path.display().to_string()), "{b}");
            prop_assert!(!a.contains('\n') && !b.contains('\n'));
        }
        (a, b) => prop_assert!(
            false,
            "{}: whole {:?} but streamed {:?}",
            path.display(),
            a.map(|(_, m)| m),
            b.map(|(_, m)| m)
        ),
    }
    Ok(())
}

fn graph_only() -> ReadOptions {
    ReadOptions {
        deps_graph_only: true,
        ..ReadOptions::default()
    }
}

#[test]
fn every_shipped_capture_loads_the_same_both_ways() {
    let mut files = Vec::new();
    for dir in ["spec", "real"] {
        let root = assets().join(dir);
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    assert!(files.len() > 15, "{files:?}");
    let mut raw = 0;
    for f in &files {
        same(f, &graph_only()).unwrap();
        raw += usize::from(
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("chip_swimlane")),
        );
    }
    assert!(raw >= 8, "{raw} raw captures");
}

#[test]
fn deps_and_names_resolve_while_streaming() {
    let dir = assets().join("real/paged_attention_CaseVarSeq4_L4_depgen");
    let (store, stats) =
        load_store(&dir.join("chip_swimlane_records.json"), &graph_only()).unwrap();
    // Every task got its function from deps.json, named by the name map.
    let funcs = store.func_rows();
    assert!(!funcs.contains_key(&-1), "{funcs:?}");
    assert!(funcs.len() >= 3, "{funcs:?}");
    for f in funcs.keys() {
        assert!(
            !store.func_label(*f).starts_with("func_"),
            "{}",
            store.func_label(*f)
        );
    }
    assert!(store.edge_count() > 0);
    assert!(stats.messages().is_empty(), "{:?}", stats.messages());
}

/// One random raw document: rows on a few cores with repeated registers and
/// tokens (ties in the sort, later duplicates in the join), AICPU rows that
/// match nothing, rows ending before they start, 5 and 6 columns.
fn raw_doc() -> impl Strategy<Value = String> {
    let core_row = (
        0u32..5,
        0u64..40,
        0u32..12,
        0u64..5_000,
        0u64..900,
        prop::option::of(0u64..50),
    );
    let cpu_row = (0u32..6, 0u32..14, 0u64..5_000, 0u64..6_000);
    (
        prop_oneof![Just(1u8), Just(2), Just(3)],
        prop::collection::vec(core_row, 0..60),
        prop::collection::vec(cpu_row, 0..70),
        any::<bool>(),
        prop_oneof![
            Just(50_000_000u64),
            Just(1_000_000_000),
            Just(1_850_000_000)
        ],
    )
        .prop_map(|(level, core, cpu, six, clock)| {
            let rows: Vec<String> = core
                .iter()
                .map(|&(c, ring_tok, reg, start, len, r2s)| {
                    // A few tokens at the edges of the fast integer path
                    // (19 digits fit it, 20 do not).
                    let token = match ring_tok {
                        37 => 9_999_999_999_999_999_999,
                        38 => 10_000_000_000_000_000_000,
                        39 => u64::MAX,
                        _ => ((ring_tok % 3) << 32) | (ring_tok / 3),
                    };
                    // Some rows end before they start.
                    let end = if len > 800 {
                        start.saturating_sub(7)
                    } else {
                        start + len
                    };
                    match (six, r2s) {
                        (true, Some(d)) => format!("[{c},{token},{reg},{start},{end},{d}]"),
                        _ => format!("[{c},{token},{reg},{start},{end}]"),
                    }
                })
                .collect();
            let cpus: Vec<String> = cpu
                .iter()
                .map(|&(c, reg, d, f)| format!("[{c},{reg},{d},{f}]"))
                .collect();
            format!(
                "{{\"chip_swimlane_level\": {level}, \"metadata\": {{\"clock_freq_hz\": {clock}, \
                 \"num_cores\": 4, \"core_types\": [\"aic\", \"aiv\", \"aiv\", \"aic\"]}},\n\
                 \"aicore_tasks\": [{}],\n\"aicpu_tasks\": [{}]}}",
                rows.join(",\n"),
                cpus.join(", ")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_raw_documents_load_the_same_both_ways(doc in raw_doc(), cut in 0usize..400) {
        let dir = Scratch::new("load", "prop");
        let path = dir.join("chip_swimlane_records.json");
        std::fs::write(&path, &doc).unwrap();
        same(&path, &ReadOptions::default())?;
        // And a truncated copy: both refuse it.
        let cut = cut.min(doc.len().saturating_sub(1));
        std::fs::write(&path, &doc.as_bytes()[..cut]).unwrap();
        same(&path, &ReadOptions::default())?;
    }
}
