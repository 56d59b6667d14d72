//! CLI, configuration, the event loop and the non-interactive modes.

pub mod action;
pub mod bench;
pub mod cli;
pub mod config;
pub mod error_line;
pub mod event_loop;
pub mod headless;
pub mod health;
pub mod input;
pub mod keys;
pub mod logging;
pub mod runs;
pub mod source;
pub mod state;
pub mod terminal;
pub mod tui;
pub mod viewer;

use std::io::Write;

use cli::{Cli, Command};
use config::{SimDefaults, resolve_level, sim_settings};

use crate::dfx::Level;

/// Runs what the command line asks for. `env` is injected so tests can run
/// every path without touching the process environment.
pub fn run(
    cli: Cli,
    env: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<()> {
    let (config, config_path) = config::load(cli.global.config.as_deref(), env)?;
    match cli.command {
        Some(Command::Record(args)) => {
            let level = resolve_level(
                &args.level,
                env,
                &config,
                config_path.as_deref(),
                Level::DEFAULT_LIVE,
            )?;
            let sim = sim_settings(&args.sim, &config, SimDefaults::RECORD);
            headless::record(&args, &sim, &level, stderr)?;
        }
        Some(Command::Stats(args)) => headless::stats(&args, stdout, stderr)?,
        Some(Command::Convert(args)) => headless::convert(&args, stderr)?,
        Some(Command::Bench(args)) => {
            let sim = sim_settings(&args.sim, &config, SimDefaults::BENCH);
            bench::run(&sim, args.repeat, stdout)?;
        }
        Some(Command::Config(args)) => {
            if args.print_default {
                write!(stdout, "{}", config::DEFAULT_CONFIG)?;
            } else {
                match &config_path {
                    Some(p) => writeln!(stdout, "config file: {} (loaded)", p.display())?,
                    None => writeln!(
                        stdout,
                        "config file: none found (looked at {}); `swimtop config --print-default` prints one",
                        config::default_config_path(env).map_or_else(
                            || "nothing: HOME is unset".to_string(),
                            |p| p.display().to_string()
                        )
                    )?,
                }
                writeln!(stdout, "{config:#?}")?;
            }
        }
        None => live(
            cli.live,
            &config,
            config_path.as_deref(),
            env,
            stdout,
            stderr,
        )?,
    }
    Ok(())
}

/// Records kept while following when `--history` is not given (≈ 90 MB).
pub const DEFAULT_HISTORY: u64 = 500_000;
pub const DEFAULT_FPS: u32 = 30;

/// The default job: the full-screen view of the simulated chip or of a file;
/// one status line per round when there is no terminal (or `--lines`).
fn live(
    args: cli::LiveArgs,
    config: &config::Config,
    config_path: Option<&std::path::Path>,
    env: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;

    let level = resolve_level(&args.level, env, config, config_path, Level::DEFAULT_LIVE)?;
    let sim = sim_settings(&args.sim, config, SimDefaults::LIVE);
    let on_terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let driving = !args.runtime.command.is_empty();
    if driving && args.file.is_some() {
        anyhow::bail!("give either a capture FILE or a command after --, not both");
    }
    if driving && (args.view.lines || !on_terminal) {
        anyhow::bail!(
            "driving a command live needs a terminal; `swimtop record --level N -o FILE -- CMD …` runs it headless"
        );
    }
    if args.view.lines || !on_terminal {
        if let Some(file) = &args.file {
            anyhow::bail!(
                "{} opens in the full-screen view, which needs a terminal; `swimtop stats {}` prints a summary",
                file.display(),
                file.display()
            );
        }
        return headless::follow_lines(&sim, &level, stdout);
    }
    let no_color = args.view.no_color || env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let opts = tui::TuiOptions {
        fps: args.view.fps.unwrap_or(DEFAULT_FPS),
        history: Some(args.view.history.unwrap_or(DEFAULT_HISTORY)),
        color: !no_color,
        panic_after_frames: env("SWIMTOP_TEST_PANIC_AFTER_FRAMES").and_then(|v| v.parse().ok()),
    };
    let progress = crate::capture::formats::Progress::new();
    let mut extras = tui::TuiExtras::default();
    let (device, capture_cfg): (Box<dyn crate::device::Device>, _) = match &args.file {
        _ if driving => {
            let (dev, retry) = source::runtime_device(&args.runtime, &args.siblings)?;
            extras.runs = Some(runs::Runs::new(
                args.runtime.command.join(" "),
                source::repeat_of(&args.runtime),
                Some(retry),
            ));
            (
                Box::new(dev),
                crate::capture::thread::CaptureConfig::lossless(),
            )
        }
        Some(path) => {
            let dev =
                source::file_device(path, &args.siblings, Some(progress.clone()), args.replay);
            (
                Box::new(dev),
                crate::capture::thread::CaptureConfig::lossless(),
            )
        }
        None => (
            Box::new(source::sim_device(&sim, false)?),
            crate::capture::thread::CaptureConfig::live(),
        ),
    };
    if args.file.is_some() {
        extras.loading = Some(progress);
    }
    let summary = tui::run(device, level.flags, capture_cfg, opts, extras)?;
    writeln!(stderr, "{}", summary.line())?;
    if let Some(f) = summary.failure {
        anyhow::bail!("device failed: {f}");
    }
    Ok(())
}
