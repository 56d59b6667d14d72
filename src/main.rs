//! Thin entry point: parse, start logging, run, map errors to an exit code.

use std::process::ExitCode;

use clap::Parser;
use swimtop::app::{self, cli::Cli, logging};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |k: &str| std::env::var(k).ok();
    let log_file = cli
        .global
        .log_file
        .clone()
        .or_else(|| env("SWIMTOP_LOG").filter(|s| !s.is_empty()).map(Into::into));
    if let Some(path) = log_file
        && let Err(e) = logging::init_file(&path)
    {
        eprintln!("swimtop: error: {}", app::error_line::error_line(&e));
        return ExitCode::FAILURE;
    }
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    match app::run(cli, &env, &mut stdout, &mut stderr) {
        Ok(()) => ExitCode::SUCCESS,
        // `swimtop stats x | head` closes the pipe early: not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let line = app::error_line::error_line(&e);
            tracing::error!("{line}");
            eprintln!("swimtop: error: {line}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
