//! CLI, configuration, the event loop and the non-interactive modes.

pub mod bench;
pub mod cli;
pub mod config;
pub mod headless;
pub mod logging;
pub mod source;

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
        Some(Command::Stats(args)) => headless::stats(&args, stdout)?,
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
        None => {
            let level = resolve_level(
                &cli.live.level,
                env,
                &config,
                config_path.as_deref(),
                Level::DEFAULT_LIVE,
            )?;
            let sim = sim_settings(&cli.live.sim, &config, SimDefaults::LIVE);
            headless::follow_lines(&sim, &level, stdout)?;
        }
    }
    Ok(())
}
