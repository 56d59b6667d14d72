//! Writing a file so that readers only ever see the old file or the
//! complete new one: write a temporary file in the same directory (same
//! filesystem, so the rename is atomic), sync it, then rename it over.
//!
//! Writing is split in two, [`stage`] and [`Staged::commit`], so a capture
//! and its sibling files can all be written before any of them replaces
//! an earlier one: a full disk halfway leaves every old file as it was.
//!
//! Test hook: `SWIMTOP_TEST_DISK_FULL_AFTER=BYTES` makes every write fail
//! with the real ENOSPC once BYTES bytes in all (over every file this
//! process writes) have gone through, so CI can show what a full disk does
//! without one. The variable is read once.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::FormatError;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// See the module comment.
pub const DISK_FULL_ENV: &str = "SWIMTOP_TEST_DISK_FULL_AFTER";

/// A file written under a temporary name, not yet renamed into place.
/// Dropping it without [`Staged::commit`] removes the temporary file.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Staged {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the temporary file over the real one.
    pub fn commit(mut self) -> Result<PathBuf, FormatError> {
        fs::rename(&self.tmp, &self.path).map_err(|e| write_error(&self.path, e))?;
        self.committed = true;
        Ok(self.path.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `body` to a synced temporary file beside `path`, creating the
/// directory if needed. On failure nothing is left behind and the error
/// names `path`.
pub fn stage(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Staged, FormatError> {
    let fail = |e| write_error(path, e);
    let (dir, name) = split(path).map_err(fail)?;
    // Caught now rather than by the rename after all the writing.
    refuse_directory(path).map_err(fail)?;
    make_dir(&dir).map_err(fail)?;
    let staged = Staged {
        tmp: temp_name(&dir, &name),
        path: path.to_path_buf(),
        committed: false,
    };
    // From here on, dropping `staged` on an error removes the temporary.
    let file = File::create(&staged.tmp).map_err(fail)?;
    let mut w = BufWriter::new(file);
    let written = match disk_budget() {
        Some(left) => body(&mut DiskFull {
            inner: &mut w,
            left,
        }),
        None => body(&mut w),
    };
    written.map_err(fail)?;
    let file = w
        .into_inner()
        .map_err(io::IntoInnerError::into_error)
        .map_err(fail)?;
    // A full disk can also surface only here (delayed allocation).
    file.sync_all().map_err(fail)?;
    Ok(staged)
}

/// Checks, before any long work, that `path` could be written: it is not a
/// directory, its directory exists or can be created, and that directory
/// accepts a new file. Leaves nothing behind (directories it had to create
/// to find out are removed again).
pub fn check_writable(path: &Path) -> Result<(), FormatError> {
    let fail = |e| write_error(path, e);
    let (dir, name) = split(path).map_err(fail)?;
    refuse_directory(path).map_err(fail)?;
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    let result = make_dir(&dir).and_then(|()| {
        let probe = temp_name(&dir, &name);
        File::create(&probe)?;
        fs::remove_file(&probe)
    });
    // Innermost first, so each is empty when it goes.
    for d in &missing {
        let _ = fs::remove_dir(d);
    }
    result.map_err(fail)
}

fn write_error(path: &Path, source: io::Error) -> FormatError {
    FormatError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The directory (`.` for a bare name) and the file name.
fn split(path: &Path) -> io::Result<(PathBuf, std::ffi::OsString)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    Ok((dir, name.to_owned()))
}

/// A directory at the output path would only fail at the rename, after
/// all the work.
fn refuse_directory(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Err(io::Error::from_raw_os_error(nix::libc::EISDIR));
    }
    Ok(())
}

/// `create_dir_all`, saying which directory it could not create. It reports
/// a regular file in the way as "File exists", which reads as if nothing
/// were wrong: that is ENOTDIR.
fn make_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir).map_err(|e| {
        let e = if e.kind() == io::ErrorKind::AlreadyExists {
            io::Error::from_raw_os_error(nix::libc::ENOTDIR)
        } else {
            e
        };
        io::Error::new(
            e.kind(),
            format!("cannot create directory {}: {e}", dir.display()),
        )
    })
}

/// `.NAME.tmp-PID-N` beside the target: hidden, and never the name of
/// another process's temporary.
fn temp_name(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Bytes left before the simulated disk is full, when the test hook is set.
fn disk_budget() -> Option<&'static AtomicU64> {
    static BUDGET: OnceLock<Option<AtomicU64>> = OnceLock::new();
    BUDGET
        .get_or_init(|| {
            std::env::var(DISK_FULL_ENV)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .map(AtomicU64::new)
        })
        .as_ref()
}

/// A writer on a disk with `left` bytes free: takes what fits, then fails
/// as a full disk does, with ENOSPC.
struct DiskFull<'a, W: Write + ?Sized> {
    inner: &'a mut W,
    left: &'a AtomicU64,
}

impl<W: Write + ?Sized> Write for DiskFull<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let left = self.left.load(Ordering::Relaxed);
        if left == 0 {
            return Err(io::Error::from_raw_os_error(nix::libc::ENOSPC));
        }
        let take = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.write(&buf[..take])?;
        self.left.fetch_sub(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stages and commits at once.
    fn write_file(
        path: &Path,
        body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), FormatError> {
        stage(path, body)?.commit().map(drop)
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("swimtop-atomic-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_failed_body_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("fail");
        let path = dir.join("out.json");
        write_file(&path, |w| w.write_all(b"old")).unwrap();
        let err = write_file(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("out.json: cannot write: boom"),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_full_disk_writer_takes_what_fits_then_fails_with_enospc() {
        let left = AtomicU64::new(10);
        let mut out = Vec::new();
        let mut w = DiskFull {
            inner: &mut out,
            left: &left,
        };
        w.write_all(b"0123456").unwrap();
        // A short write, then the error write_all passes on.
        assert_eq!(w.write(b"789abc").unwrap(), 3);
        let e = w.write_all(b"x").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(28));
        assert!(e.to_string().contains("No space left on device"), "{e}");
        assert_eq!(w.write(b"").unwrap(), 0);
        assert_eq!(out, b"0123456789");
        assert_eq!(left.load(Ordering::Relaxed), 0);
        // The budget is shared: a second file on the same disk gets nothing.
        let mut other = Vec::new();
        let mut w2 = DiskFull {
            inner: &mut other,
            left: &left,
        };
        assert!(w2.write_all(b"y").is_err());
        assert!(other.is_empty());
    }

    #[test]
    fn a_staged_file_replaces_nothing_until_committed() {
        let dir = scratch("stage");
        let path = dir.join("out.json");
        write_file(&path, |w| w.write_all(b"old")).unwrap();
        let staged = stage(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 2, "the temporary");
        drop(staged);
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "removed on drop");
        let staged = stage(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(staged.commit().unwrap(), path);
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn check_writable_names_the_reason_and_leaves_nothing() {
        let dir = scratch("check");
        fs::create_dir_all(&dir).unwrap();
        // Directories it had to create are gone again.
        check_writable(&dir.join("a/b/out.json")).unwrap();
        assert!(!dir.join("a").exists());
        check_writable(&dir.join("out.json")).unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);

        let e = check_writable(&dir).unwrap_err().to_string();
        assert!(e.contains("Is a directory"), "{e}");
        fs::write(dir.join("file"), b"x").unwrap();
        let e = check_writable(&dir.join("file/out.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("out.json: cannot write: cannot create directory")
                && e.ends_with("Not a directory (os error 20)"),
            "{e}"
        );
        let e = check_writable(&dir.join("file/deeper/out.json"))
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("Not a directory (os error 20)"), "{e}");
        assert_eq!(fs::read(dir.join("file")).unwrap(), b"x");
        let _ = fs::remove_dir_all(&dir);
    }
}
