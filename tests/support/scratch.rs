//! A scratch working directory for a test that runs the binary, and the
//! binary's command in it with the environment the developer's shell could
//! leak in (level, config, test hooks, HOME) taken out.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory under the temp dir, emptied when made and removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// `<tmp>/swimtop-<kind>-<name>-<pid>`.
    pub fn new(kind: &str, name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("swimtop-{kind}-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d.canonicalize().unwrap())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }

    /// `swimtop` run in this directory, with HOME inside it.
    pub fn swimtop(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_swimtop"));
        c.current_dir(&self.0)
            .env_remove("SWIMTOP_LEVEL")
            .env_remove("SWIMTOP_CONFIG")
            .env_remove("SWIMTOP_TEST_DISK_FULL_AFTER")
            .env("HOME", self.join("home"));
        c
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
