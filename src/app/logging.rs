//! Logging goes to a file, never to the screen (stdout is the TUI).

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

/// Starts logging to `path` at `SWIMTOP_LOG_LEVEL` (default `info`).
pub fn init_file(path: &Path) -> anyhow::Result<()> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("log file {}", path.display()))?;
    let filter =
        EnvFilter::try_from_env("SWIMTOP_LOG_LEVEL").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .map_err(|e| anyhow::anyhow!("could not start logging: {e}"))
}
