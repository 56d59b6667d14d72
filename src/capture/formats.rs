//! Readers and writers for every capture format swimtop speaks
//! (spec: `shared/spec/capture-formats.md`).
//!
//! Reading detects the generation from content (spec §1.2) and normalises
//! it into a [`Capture`]; writing produces the seed-era swimlane JSON
//! (L-A′), the current raw schema (R-H) with its deps.json and name map, or
//! the converter's Perfetto trace (which is also read back).

pub mod deps;
pub mod detect;
pub mod legacy_json;
pub mod name_map;
pub mod perfetto;
pub mod raw;
pub mod stream;

mod atomic;
mod error;
mod info;
mod json;
pub mod progress;
pub(crate) mod siblings;
mod stats;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use detect::Generation;
pub use error::{FormatError, Location};
pub use progress::{Progress, Stage};
pub use stats::ReadStats;

use crate::record::Capture;

/// What `write_capture` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Seed-era versioned `perf_swimlane_*.json` (PR #500 layout).
    Swimlane,
    /// Current `chip_swimlane_records.json`, plus deps.json and a name map.
    Chip,
    /// Chrome-trace / Perfetto JSON in the converter's layout (no siblings).
    Perfetto,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Swimlane => "swimlane",
            Format::Chip => "chip",
            Format::Perfetto => "perfetto",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "swimlane" => Ok(Format::Swimlane),
            "chip" => Ok(Format::Chip),
            "perfetto" => Ok(Format::Perfetto),
            other => Err(format!(
                "'{other}' is not a format: expected swimlane, chip or perfetto"
            )),
        }
    }
}

/// How to read a capture: where its names and dependencies come from
/// (default: the unique sibling `name_map*.json` and `deps.json`), and who is
/// watching the progress.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// deps.json to use instead of the sibling one (an error if unreadable).
    pub deps_json: Option<PathBuf>,
    /// Name map to use instead of the sibling one (an error if unreadable).
    pub func_names: Option<PathBuf>,
    pub progress: Option<Progress>,
    /// Read only the graph of deps.json (kernel ids, edges), not its tensors
    /// and arguments: what viewing, statistics and Perfetto need, at a
    /// fraction of the memory. A chip export needs the whole file.
    pub deps_graph_only: bool,
}

/// Reads any swimlane capture generation, with sibling name map / deps.json.
pub fn read_capture(path: &Path) -> Result<Capture, FormatError> {
    read_capture_with_stats(path).map(|(c, _)| c)
}

/// [`read_capture`], also returning what was dropped or skipped on the way.
pub fn read_capture_with_stats(path: &Path) -> Result<(Capture, ReadStats), FormatError> {
    read_capture_with(path, &ReadOptions::default())
}

/// [`read_capture_with_stats`] with explicit sibling files and progress.
pub fn read_capture_with(
    path: &Path,
    opts: &ReadOptions,
) -> Result<(Capture, ReadStats), FormatError> {
    let progress = opts.progress.as_ref();
    let bytes = progress::read_file(path, progress).map_err(|source| FormatError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let (mut capture, mut stats) = parse_capture_with(&bytes, path, progress)?;
    drop(bytes);
    let found = siblings::find(path, opts, &mut stats)?;
    if let Some(p) = progress {
        p.set(progress::Stage::Resolving, 0, 0);
    }
    siblings::apply_found(&mut capture, found, &mut stats);
    stats.notes = siblings::notes(&capture);
    if let Some(p) = progress {
        p.set(progress::Stage::Done, 0, 0);
    }
    Ok((capture, stats))
}

/// Detects and reads a capture held in memory (no sibling files); `path`
/// only names it in errors.
pub fn parse_capture(bytes: &[u8], path: &Path) -> Result<(Capture, ReadStats), FormatError> {
    parse_capture_with(bytes, path, None)
}

fn parse_capture_with(
    bytes: &[u8],
    path: &Path,
    progress: Option<&Progress>,
) -> Result<(Capture, ReadStats), FormatError> {
    if perfetto::is_array_trace(bytes) {
        return perfetto::parse_with_stats(bytes, path);
    }
    let top = detect::scan(bytes, path)?;
    match detect::family(&top) {
        detect::Family::Raw(_) => raw::parse_with_progress(bytes, path, progress),
        detect::Family::NotACapture if detect::is_trace(&top) => {
            // Traces are parsed by their own streaming visitor: the
            // loading screen shows the stage without a percentage.
            if let Some(p) = progress {
                p.set(progress::Stage::Parsing, 0, 0);
            }
            perfetto::parse_with_stats(bytes, path)
        }
        detect::Family::NotACapture => Err(FormatError::not_a_capture(path, detect::why_not(&top))),
        _ => legacy_json::parse_with_progress(bytes, path, progress),
    }
}

/// Writes `capture` to `out` atomically in `format`; for [`Format::Chip`]
/// also `deps.json` (when the capture has submits), and for it and
/// [`Format::Swimlane`] `name_map_<case>.json` (when it has names) beside
/// it (a Perfetto trace carries its names in its labels). Returns every
/// path written, the capture file first.
///
/// Every file is written in full before any replaces an earlier one, so a
/// failure (a full disk) leaves the old capture and its siblings as they
/// were, and the error names the file that could not be written.
pub fn write_capture(
    capture: &Capture,
    out: &Path,
    format: Format,
) -> Result<Vec<PathBuf>, FormatError> {
    let mut staged = vec![match format {
        Format::Swimlane => atomic::stage(out, |w| legacy_json::write(capture, w))?,
        Format::Chip => atomic::stage(out, |w| raw::write(capture, w))?,
        Format::Perfetto => atomic::stage(out, |w| perfetto::write(capture, w))?,
    }];
    let dir = out.parent().unwrap_or_else(|| Path::new(""));
    if format == Format::Chip && !capture.submits.is_empty() {
        let p = dir.join("deps.json");
        staged.push(atomic::stage(&p, |w| deps::write(capture, w))?);
    }
    // Both generations got their names from a sibling name map (SceneTest
    // wrote one beside perf_swimlane files too), so write it for either.
    if format != Format::Perfetto && name_map::has_names(&capture.info) {
        let case = capture.info.case_name.as_deref().unwrap_or("swimtop");
        let p = dir.join(name_map::file_name(case));
        staged.push(atomic::stage(&p, |w| name_map::write(&capture.info, w))?);
    }
    let written: Vec<PathBuf> = staged.iter().map(|s| s.path().to_path_buf()).collect();
    // Siblings first: whoever sees the new capture finds its new siblings.
    // (A rename failing here, in a directory just written to, is unlikely;
    // the staged files not yet renamed are removed when dropped.)
    let capture_file = staged.remove(0);
    for s in staged {
        s.commit()?;
    }
    capture_file.commit()?;
    Ok(written)
}

/// Checks that `out` could be written: not a directory, its directory
/// there or creatable, a new file accepted there. What a command calls
/// before work that may take minutes; leaves nothing behind.
pub fn check_writable(out: &Path) -> Result<(), FormatError> {
    atomic::check_writable(out)
}
