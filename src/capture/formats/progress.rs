//! How far a read has got, for a loading screen: shared atomics the reader
//! updates and anyone may poll. Cheap enough to update per 64 KiB.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Parsing,
    /// Sibling files, joins, sorting.
    Resolving,
    Done,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reading => "reading",
            Stage::Parsing => "parsing",
            Stage::Resolving => "resolving names and dependencies",
            Stage::Done => "done",
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

/// Cheap to clone; every clone sees the same counters.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Inner>);

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }

    pub fn set(&self, stage: Stage, done: u64, total: u64) {
        self.0.total.store(total, Ordering::Relaxed);
        self.0.done.store(done, Ordering::Relaxed);
        self.0.stage.store(stage as u8, Ordering::Relaxed);
    }

    pub fn advance(&self, done: u64) {
        self.0.done.store(done, Ordering::Relaxed);
    }

    /// `(stage, bytes done, bytes in all)`; `total` 0 = unknown.
    pub fn get(&self) -> (Stage, u64, u64) {
        let stage = match self.0.stage.load(Ordering::Relaxed) {
            0 => Stage::Reading,
            1 => Stage::Parsing,
            2 => Stage::Resolving,
            _ => Stage::Done,
        };
        (
            stage,
            self.0.done.load(Ordering::Relaxed),
            self.0.total.load(Ordering::Relaxed),
        )
    }
}

/// Reads a file in chunks, reporting bytes read.
pub fn read_file(path: &std::path::Path, progress: Option<&Progress>) -> std::io::Result<Vec<u8>> {
    let Some(p) = progress else {
        return std::fs::read(path);
    };
    let mut f = std::fs::File::open(path)?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    p.set(Stage::Reading, 0, total);
    let mut out = Vec::with_capacity(total as usize);
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
        p.advance(out.len() as u64);
    }
    Ok(out)
}

/// A reader over bytes already in memory that reports how far a parser got.
pub struct Counting<'a> {
    bytes: &'a [u8],
    pos: usize,
    progress: &'a Progress,
}

impl<'a> Counting<'a> {
    pub fn new(bytes: &'a [u8], progress: &'a Progress) -> Counting<'a> {
        progress.set(Stage::Parsing, 0, bytes.len() as u64);
        Counting {
            bytes,
            pos: 0,
            progress,
        }
    }
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.bytes.len() - self.pos);
        buf[..n].copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        self.progress.advance(self.pos as u64);
        Ok(n)
    }
}

/// A file read through a buffer, counting bytes handed to the parser.
struct CountingFile<'a> {
    file: std::fs::File,
    pos: u64,
    progress: Option<&'a Progress>,
}

impl Read for CountingFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.pos += n as u64;
        if let Some(p) = self.progress {
            p.advance(self.pos);
        }
        Ok(n)
    }
}

/// Deserializes a file into `T` without holding the file in memory (for
/// big sidecar files such as a deps.json of most of a gigabyte). An error's
/// byte offset is worked out by reading the file again: errors are rare,
/// memory is not.
pub fn decode_file<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    progress: Option<&Progress>,
) -> Result<T, super::FormatError> {
    let read_err = |source| super::FormatError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    if let Some(p) = progress {
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        p.set(Stage::Parsing, 0, total);
    }
    let reader = std::io::BufReader::with_capacity(
        1 << 20,
        CountingFile {
            file,
            pos: 0,
            progress,
        },
    );
    serde_json::from_reader(reader).map_err(|e| {
        if e.is_io() {
            return read_err(std::io::Error::other(e.to_string()));
        }
        let bytes = std::fs::read(path).unwrap_or_default();
        super::FormatError::from_json(path, &bytes, &e)
    })
}

/// Deserializes `bytes` into `T`, reporting progress when asked (at some
/// cost: serde's reader path is about 1.5× slower than its slice path, so the
/// slice path is used whenever nobody is watching).
pub fn decode<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    path: &std::path::Path,
    progress: Option<&Progress>,
) -> Result<T, super::FormatError> {
    let r = match progress {
        None => serde_json::from_slice(bytes),
        Some(p) => serde_json::from_reader(std::io::BufReader::with_capacity(
            1 << 16,
            Counting::new(bytes, p),
        )),
    };
    r.map_err(|e| super::FormatError::from_json(path, bytes, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_reports_what_was_consumed() {
        let p = Progress::new();
        let data = vec![7u8; 1000];
        let mut r = Counting::new(&data, &p);
        let mut buf = [0u8; 300];
        r.read_exact(&mut buf).unwrap();
        assert_eq!(p.get(), (Stage::Parsing, 300, 1000));
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(p.get().1, 1000);
    }
}
