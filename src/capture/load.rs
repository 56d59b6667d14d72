//! Opens a capture file straight into a trace store, for the views and
//! `stats`. A raw capture (the runtime's current format) streams: its rows
//! are parsed into columns, joined, and handed to the store's loader one
//! task at a time, so a million tasks never exist as a record list and the
//! file is never held whole (issue target: 1M tasks in 0.5 s and 200 MB).
//! Every other generation is read whole into a [`Capture`] and ingested.
//! Both give the same store for the same file (tests/load.rs).

use std::path::Path;

use crate::capture::formats::progress::Stage;
use crate::capture::formats::raw::{self, Streamed};
use crate::capture::formats::siblings::{self, FuncCounts, FuncResolver};
use crate::capture::formats::{self, FormatError, ReadOptions, ReadStats};
use crate::record::{DeviceInfo, Record, TaskRecord, TaskSink};
use crate::store::{TaskLoader, TraceStore};

/// Records ingested at a time from a capture read whole.
const RECORD_BATCH: usize = 1 << 16;

/// Tasks into a store's loader, func ids resolved from deps.json on the way.
struct Resolving<'a> {
    loader: TaskLoader,
    funcs: &'a FuncResolver,
}

impl TaskSink for Resolving<'_> {
    fn begin(&mut self, per_core: &[u32]) {
        self.loader.begin(per_core);
    }
    fn task(&mut self, mut t: TaskRecord) {
        self.funcs.resolve(&mut t);
        self.loader.task(t);
    }
}

/// Reads `path` (any generation) with its sibling files into a store, and
/// says what was dropped, skipped or is missing.
pub fn load_store(path: &Path, opts: &ReadOptions) -> Result<(TraceStore, ReadStats), FormatError> {
    if !raw::starts_like_raw(path) {
        return load_whole(path, opts);
    }
    let progress = opts.progress.as_ref();
    let mut sibling_stats = ReadStats::default();
    // Siblings first: deps.json resolves func ids as the tasks stream in,
    // and its submits come before the tasks in a store, as they do in
    // `Capture::into_records`.
    let mut found = siblings::find(path, opts, &mut sibling_stats)?;
    let funcs = found.funcs();
    let submits = found.take_submits();
    let has_submits = !submits.is_empty();
    let mut store = TraceStore::new(
        DeviceInfo::placeholder(path.display().to_string()),
        Default::default(),
    );
    store.ingest(submits.into_iter().map(Record::Submit).collect());
    let mut sink = Resolving {
        loader: store.into_loader(),
        funcs: &funcs,
    };
    let (mut capture, read) = match raw::stream_file(path, progress, &mut sink)? {
        Streamed::Read(capture, read) => (capture, read),
        // Began like one but is not (rare): read it whole, siblings again.
        Streamed::NotRaw => return load_whole(path, opts),
    };
    let mut store = sink.loader.finish();
    if let Some(p) = progress {
        p.set(Stage::Resolving, 0, 0);
    }
    // The reader's own findings first, then the siblings', as a whole read
    // reports them.
    let mut stats = read;
    stats.warnings.extend(sibling_stats.warnings);
    found.apply_names(&mut capture.info);
    found.warn_missing(|id| store.has_task(id), &mut stats);
    let mut counts = FuncCounts::default();
    for (func, n) in store.func_rows() {
        counts.add(func, usize::try_from(n).unwrap_or(usize::MAX));
    }
    let edges = has_submits || !capture.fanout.is_empty();
    stats.notes = siblings::notes_of(&counts, &capture.info, capture.flags, edges);
    store.set_info(capture.info.clone(), capture.flags);
    // Phases and the rest after the tasks, as in `Capture::into_records`
    // (in batches: a level-3 capture has millions of phases).
    for batch in capture.into_record_batches(RECORD_BATCH) {
        store.ingest(batch);
    }
    if let Some(p) = progress {
        p.set(Stage::Done, 0, 0);
    }
    Ok((store, stats))
}

/// Any other generation: the whole capture, then the store.
fn load_whole(path: &Path, opts: &ReadOptions) -> Result<(TraceStore, ReadStats), FormatError> {
    let (capture, stats) = formats::read_capture_with(path, opts)?;
    let mut store = TraceStore::new(capture.info.clone(), capture.flags);
    for batch in capture.into_record_batches(RECORD_BATCH) {
        store.ingest(batch);
    }
    Ok((store, stats))
}
