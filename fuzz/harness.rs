//! What each fuzz target does with its input, shared by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/*.rs`, nightly, libFuzzer) and by the
//! regression test `tests/fuzz_regressions.rs` (stable, no fuzzer), which
//! replays `fuzz/seeds/**` and `fuzz/regressions/**` through the same code.
//!
//! The promise under test: any bytes give a one-line `FormatError` or a
//! capture, never a panic, a runaway allocation or a hang; and whatever a
//! reader accepts, what a user does next with it (write it back in every
//! format, read that back, open it in the store and ask for statistics)
//! does not panic either.

use std::path::Path;

use swimtop::capture::formats::{self, FormatError, ReadStats, deps, detect, name_map};
use swimtop::record::Capture;
use swimtop::store::TraceStore;

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs`,
/// `fuzz/seeds/<name>/` and `fuzz/regressions/<name>/`.
pub const TARGETS: [(&str, Target); 7] = [
    ("detect", detect),
    ("legacy_json", legacy_json),
    ("raw", raw),
    ("deps_json", deps_json),
    ("name_map", name_map),
    ("perfetto", perfetto),
    ("levels", levels),
];

/// The fake path every reader is given: it only names the file in errors.
const PATH: &str = "fuzz/input.json";

fn path() -> &'static Path {
    Path::new(PATH)
}

/// Content detection alone, then detection and dispatch to a reader.
pub fn detect(data: &[u8]) {
    if let Ok(top) = detect::scan(data, path()) {
        let _ = detect::family(&top);
        let _ = detect::is_trace(&top);
        let _ = detect::why_not(&top);
    }
    if let Err(e) = detect::detect(data, path()) {
        one_line(&e);
    }
    let _ = formats::perfetto::is_array_trace(data);
    read(formats::parse_capture(data, path()));
}

pub fn legacy_json(data: &[u8]) {
    read(formats::legacy_json::parse_with_stats(data, path()));
}

pub fn raw(data: &[u8]) {
    read(formats::raw::parse_with_stats(data, path()));
}

pub fn perfetto(data: &[u8]) {
    read(formats::perfetto::parse_with_stats(data, path()));
}

/// Both deps.json readers: the whole file and the graph only (not named
/// `deps`: Cargo forbids that binary name, it is one of its build folders).
pub fn deps_json(data: &[u8]) {
    match deps::parse(data, path()) {
        Ok(d) => {
            let _ = d.kernel_ids();
        }
        Err(e) => one_line(&e),
    }
    match deps::parse_graph(data, path(), None) {
        Ok(d) => {
            let _ = d.kernel_ids();
        }
        Err(e) => one_line(&e),
    }
}

pub fn name_map(data: &[u8]) {
    if let Err(e) = name_map::parse(data, Path::new("fuzz/name_map_fuzz.json")) {
        one_line(&e);
    }
}

/// The level and flag parsers (`--level`, `--dfx-flags`, `SWIMTOP_LEVEL`)
/// and the config file parser, on UTF-8 input; the raw bytes also as the
/// numbers those parsers validate.
pub fn levels(data: &[u8]) {
    use swimtop::dfx::{DfxFlags, Level};
    let mut word = [0u8; 8];
    let n = data.len().min(8);
    word[..n].copy_from_slice(&data[..n]);
    let raw = u64::from_le_bytes(word);
    if let Ok(f) = DfxFlags::validate(raw) {
        let _ = (f.level(), f.words(), f.to_string());
    }
    if let Ok(l) = Level::from_chip_swimlane_level(raw) {
        let _ = (
            l.flags(),
            l.chip_swimlane_level(),
            l.legacy_json_version(true),
        );
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = DfxFlags::parse(text) {
        let _ = (f.level(), f.words(), f.to_string());
    }
    if let Ok(l) = text.parse::<Level>() {
        let _ = (
            l.flags(),
            l.chip_swimlane_level(),
            l.legacy_json_version(false),
        );
    }
    let _ = swimtop::app::config::parse(text, Path::new("fuzz/config.toml"));
}

/// What a reader returned: an error must be one line; a capture is written
/// back in every format, the capture output read back, and the capture
/// opened in the store for statistics.
fn read(result: Result<(Capture, ReadStats), FormatError>) {
    let (capture, stats) = match result {
        Ok(ok) => ok,
        Err(e) => return one_line(&e),
    };
    let _ = stats.messages();
    let mut out = Vec::new();
    for write in [
        formats::legacy_json::write,
        formats::raw::write,
        formats::perfetto::write,
    ] {
        out.clear();
        if write(&capture, &mut out).is_ok() {
            // What swimtop writes, swimtop must read (or refuse) calmly.
            if let Err(e) = formats::parse_capture(&out, path()) {
                one_line(&e);
            }
        }
    }
    out.clear();
    if deps::write(&capture, &mut out).is_ok() {
        if let Err(e) = deps::parse(&out, path()) {
            one_line(&e);
        }
    }
    out.clear();
    let _ = name_map::write(&capture.info, &mut out);
    let store = TraceStore::from_capture(capture);
    let _ = store.stats(None);
}

fn one_line(e: &FormatError) {
    let msg = e.to_string();
    // One line, and nothing a terminal would act on (the message is
    // printed as is, and shown in the TUI).
    assert!(
        !msg.chars().any(char::is_control),
        "a FormatError holds a control character: {msg:?}"
    );
}
