//! Command line: the live view by default, plus `record`, `stats`, `bench`
//! and `config` subcommands. Values that a config file may also set are
//! `Option`s here so that defaults < config file < command line can be merged.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

use crate::capture::formats::Format;

use crate::dfx::{DfxFlags, Level};

const LEVELS_HELP: &str = "\
Profiling levels (each adds to the one before; the cost is modelled on the device):
  0  off             nothing recorded, nothing allocated
  1  aicore-timing   AICore task start/end
  2  task-lifecycle  + AICPU dispatch/finish timestamps and fanout edges
  3  phase-buffers   + AICPU scheduler and orchestrator phase records
Level sources, strongest first: --level / --dfx-flags, SWIMTOP_LEVEL, the config
file's `level`, then 2. Config and environment may say true (= 3) or false (= 0).";

#[derive(Debug, Parser)]
#[command(
    name = "swimtop",
    version,
    about = "Live swimlanes for the Ascend a2a3 tensormap_and_ringbuffer runtime",
    long_about = "Live swimlanes for the Ascend a2a3 tensormap_and_ringbuffer runtime.\n\n\
        Without a subcommand swimtop runs the built-in simulated a2a3 chip and follows it \
        live. `record` writes a capture, `stats` summarises one, `bench` measures the cost \
        of each profiling level.",
    after_help = LEVELS_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub live: LiveArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the simulated chip as fast as possible and write a capture file.
    #[command(after_help = LEVELS_HELP)]
    Record(RecordArgs),
    /// Print per-function and per-core statistics of a capture file.
    Stats(StatsArgs),
    /// Measure simulated tasks per second and recorded bytes at levels 0..3.
    Bench(BenchArgs),
    /// Convert a capture of any generation to swimlane JSON, the runtime's
    /// chip_swimlane_records.json, or a Perfetto trace.
    Convert(ConvertArgs),
    /// Show or explain the configuration file.
    Config(ConfigArgs),
}

/// Where a capture's names and dependencies come from, when not from the
/// files beside it.
#[derive(Debug, Args, Clone, Default)]
pub struct SiblingArgs {
    /// deps.json to use (default: the one next to the capture); gives
    /// dependency arrows and resolves function ids
    #[arg(long, value_name = "FILE")]
    pub deps_json: Option<PathBuf>,
    /// Name map to use (default: the unique name_map*.json next to the
    /// capture); gives function names
    #[arg(long, value_name = "FILE")]
    pub func_names: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct ConvertArgs {
    /// A capture of any generation (swimlane JSON, chip_swimlane_records.json,
    /// a Perfetto trace)
    pub file: PathBuf,
    /// Output file (written to a temporary name, then renamed)
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: PathBuf,
    /// Output format
    #[arg(long, value_enum)]
    pub to: Format,
    #[command(flatten)]
    pub siblings: SiblingArgs,
}

/// Options every subcommand accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file [default: $SWIMTOP_CONFIG, else $XDG_CONFIG_HOME/swimtop/config.toml,
    /// else ~/.config/swimtop/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write a log to FILE (also: SWIMTOP_LOG=FILE). Nothing is logged to the screen.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// How much to record. `--chip-swimlane` and `--enable-profiling` are the
/// runtime's historical spellings of `--level`, with the same meaning.
#[derive(Debug, Args, Clone, Default)]
pub struct LevelArgs {
    /// Profiling level 0..3; a bare --level means 3 (full collection)
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        default_missing_value = "3",
        value_parser = parse_level,
        visible_aliases = ["chip-swimlane", "enable-profiling"],
        conflicts_with = "dfx_flags"
    )]
    pub level: Option<Level>,
    /// Raw DFX flag set instead of a level, e.g. 0x3 (bit 0 AICore timing, bit 1 task
    /// lifecycle, bit 2 phase buffers, bit 3 tensor dump; bit 1 needs bit 0, bit 2 needs bit 1)
    #[arg(long, value_name = "FLAGS", value_parser = parse_dfx_flags)]
    pub dfx_flags: Option<DfxFlags>,
}

/// The simulated chip and its workload.
#[derive(Debug, Args, Clone, Default)]
pub struct SimArgs {
    /// Workload: a built-in name (paged_attention, matmul_chain), a path to a workload
    /// .json, or random:N for a seeded random DAG of N tasks [default: paged_attention]
    #[arg(long, short = 'w', value_name = "W")]
    pub workload: Option<String>,
    /// Seed of the simulation; the same seed gives the same trace [default: 1]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// AIC (cube) cores [default: 24]
    #[arg(long, value_name = "N")]
    pub aic: Option<u32>,
    /// AIV (vector) cores [default: 48]
    #[arg(long, value_name = "N")]
    pub aiv: Option<u32>,
    /// AICPU scheduler threads (one more thread runs the orchestrator) [default: 3]
    #[arg(long, value_name = "N")]
    pub sched_threads: Option<u16>,
    /// Rounds of the workload to run [default: endless live, 1 when recording]
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
    /// Device time per wall-clock second, e.g. 200us, 1ms, or max (as fast as possible)
    /// [default: 200us live, max when recording]
    #[arg(long, value_name = "SPEED")]
    pub speed: Option<Speed>,
}

/// Driving the real runtime: the command after `--` and how to talk to it.
#[derive(Debug, Args, Clone, Default)]
pub struct RuntimeArgs {
    /// The runtime's own command (a scene test or example), run with the level
    /// passed its way, e.g. -- python tests/st/.../test_paged_attention.py -p a2a3sim -d 0
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// How the level is passed to CMD; {level} becomes the runtime's level
    /// number (1, 2, or 4 for swimtop level 3) [default: --enable-chip-swimlane {level}]
    #[arg(long, value_name = "TEMPLATE", value_parser = parse_level_arg, allow_hyphen_values = true)]
    pub level_arg: Option<LevelArgTemplate>,
    /// Also pass --enable-dep-gen, so the run writes deps.json (arrows, names)
    #[arg(long)]
    pub dep_gen: bool,
    /// Where the runtime writes outputs/<case>_<time>/ [default: ./outputs]
    #[arg(long, value_name = "DIR")]
    pub outputs: Option<PathBuf>,
    /// Run CMD this many times, each run a round (bare --repeat: until quit)
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "0")]
    pub repeat: Option<u32>,
}

/// The default job: follow the simulated chip live, or open a capture file.
#[derive(Debug, Args, Clone, Default)]
pub struct LiveArgs {
    /// A capture file to open instead of the simulated chip (swimlane JSON or
    /// chip_swimlane_records.json)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Replay FILE paced at this device time per wall second (e.g. 100us, 1ms)
    /// instead of showing it all at once, to review a run as it happened
    #[arg(long, value_name = "SPEED", requires = "file")]
    pub replay: Option<Speed>,
    #[command(flatten)]
    pub siblings: SiblingArgs,
    #[command(flatten)]
    pub level: LevelArgs,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub view: ViewArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// How the live view draws.
#[derive(Debug, Args, Clone, Default)]
pub struct ViewArgs {
    /// Most frames per second [default: 30]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=240))]
    pub fps: Option<u32>,
    /// Records kept in memory while following a live source; older rounds
    /// are evicted and counted (e.g. 500k, 2M). A capture FILE is always
    /// kept whole [default: 500k]
    #[arg(long, value_name = "RECORDS", value_parser = parse_count)]
    pub history: Option<u64>,
    /// No colours (also when NO_COLOR is set); glyphs still tell markers and phases apart
    #[arg(long)]
    pub no_color: bool,
    /// Print one status line per round instead of the full-screen view
    /// (the default when stdout is not a terminal)
    #[arg(long)]
    pub lines: bool,
}

#[derive(Debug, Args, Clone)]
pub struct RecordArgs {
    #[command(flatten)]
    pub level: LevelArgs,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output file (written to a temporary name, then renamed: never left half-written)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Output format: swimlane (versioned JSON, version 0/1/2 for levels 1/2/3),
    /// chip (the runtime's chip_swimlane_records.json with deps.json and a name
    /// map beside it), or perfetto (a trace for ui.perfetto.dev)
    #[arg(long, value_enum, default_value_t = Format::Swimlane)]
    pub format: Format,
    /// No progress line on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Args, Clone)]
pub struct StatsArgs {
    /// A capture of any generation (swimlane JSON, chip_swimlane_records.json,
    /// a Perfetto trace)
    pub file: PathBuf,
    #[command(flatten)]
    pub siblings: SiblingArgs,
    /// Print comma-separated values for scripts
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print one JSON document for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Times each level is run; the best run is reported
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub repeat: u32,
}

#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// Print a commented default configuration file
    #[arg(long)]
    pub print_default: bool,
}

/// Device time per wall second, or as fast as possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    Max,
    DeviceNsPerSecond(u64),
}

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Speed, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "max" || t == "0" {
            return Ok(Speed::Max);
        }
        let ns = parse_duration_ns(&t).ok_or_else(|| {
            format!("'{s}' is not a speed: expected device time per second such as 200us, 1ms, 1.5ms, or max")
        })?;
        if ns == 0 {
            return Ok(Speed::Max);
        }
        Ok(Speed::DeviceNsPerSecond(ns))
    }
}

/// `250ns`, `200us`/`200µs`, `1.5ms`, `2s` → nanoseconds.
pub fn parse_duration_ns(t: &str) -> Option<u64> {
    let t = t.trim();
    let (num, scale) = [
        ("ns", 1.0),
        ("us", 1e3),
        ("µs", 1e3),
        ("ms", 1e6),
        ("s", 1e9),
    ]
    .iter()
    .find_map(|(suffix, scale)| t.strip_suffix(suffix).map(|n| (n, *scale)))?;
    let v: f64 = num.trim().parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some((v * scale).round() as u64)
}

/// The words that pass a level to a driven command, `{level}` inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelArgTemplate(pub Vec<String>);

fn parse_level_arg(s: &str) -> Result<LevelArgTemplate, String> {
    crate::device::runtime::parse_level_args(s).map(LevelArgTemplate)
}

/// `500000`, `500k`, `2M`.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = match t.strip_suffix('k') {
        Some(n) => (n, 1_000.0),
        None => match t.strip_suffix('m') {
            Some(n) => (n, 1_000_000.0),
            None => (t.as_str(), 1.0),
        },
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 1.0)
        .map(|v| (v * mult).round() as u64)
        .ok_or_else(|| format!("'{s}' is not a record count: expected e.g. 500000, 500k or 2M"))
}

fn parse_level(s: &str) -> Result<Level, String> {
    // On the command line a level is a number; booleans belong to old configs.
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("'{s}' is not a level: expected 0, 1, 2 or 3"))
        .and_then(|n| Level::new(n).map_err(|e| e.to_string()))
}

fn parse_dfx_flags(s: &str) -> Result<DfxFlags, String> {
    DfxFlags::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("swimtop").chain(args.iter().copied()))
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_level_means_three_and_aliases_mean_the_same() {
        assert_eq!(
            parse(&["--level"]).unwrap().live.level.level,
            Some(Level::BARE)
        );
        for flag in ["--level", "--chip-swimlane", "--enable-profiling"] {
            let cli = parse(&[flag, "2"]).unwrap();
            assert_eq!(cli.live.level.level.unwrap().get(), 2, "{flag}");
            let cli = parse(&[flag]).unwrap();
            assert_eq!(cli.live.level.level.unwrap().get(), 3, "{flag}");
        }
        let cli = parse(&["record", "--chip-swimlane", "1", "-o", "x.json"]).unwrap();
        match cli.command {
            Some(Command::Record(r)) => assert_eq!(r.level.level.unwrap().get(), 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_levels_and_flag_sets_are_refused_with_the_rule() {
        let e = parse(&["--level", "7"]).unwrap_err().to_string();
        assert!(e.contains("level 7 is out of range"), "{e}");
        let e = parse(&["--dfx-flags", "0x2"]).unwrap_err().to_string();
        assert!(
            e.contains("bit 1 TASK_LIFECYCLE requires bit 0 AICORE_TIMING"),
            "{e}"
        );
        let e = parse(&["--dfx-flags", "0x10"]).unwrap_err().to_string();
        assert!(e.contains("bit 4 is reserved"), "{e}");
        assert_eq!(
            parse(&["--dfx-flags", "0x3"])
                .unwrap()
                .live
                .level
                .dfx_flags
                .unwrap()
                .bits(),
            3
        );
        let e = parse(&["--level", "2", "--dfx-flags", "0x3"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn counts_parse() {
        assert_eq!(parse_count("500k").unwrap(), 500_000);
        assert_eq!(parse_count("2M").unwrap(), 2_000_000);
        assert_eq!(parse_count("1234").unwrap(), 1234);
        assert!(parse_count("lots").is_err());
        assert!(parse_count("0").is_err());
    }

    #[test]
    fn speeds_parse() {
        assert_eq!("max".parse::<Speed>().unwrap(), Speed::Max);
        assert_eq!(
            "200us".parse::<Speed>().unwrap(),
            Speed::DeviceNsPerSecond(200_000)
        );
        assert_eq!(
            "1.5ms".parse::<Speed>().unwrap(),
            Speed::DeviceNsPerSecond(1_500_000)
        );
        assert!("fast".parse::<Speed>().is_err());
        assert!("-1ms".parse::<Speed>().is_err());
    }
}
