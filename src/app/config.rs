//! Settings: built-in defaults < config file < environment < command line.
//! The level is resolved here, once, and carried as [`DfxFlags`] after that —
//! never as a boolean.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::cli::{LevelArgs, SimArgs, Speed};
use crate::dfx::{DfxError, DfxFlags, Level};

/// The config file, every key optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// 0..3, or true (= 3) / false (= 0) as older configs wrote it.
    pub level: Option<Level>,
    pub workload: Option<String>,
    pub seed: Option<u64>,
    /// Device time per wall second for the live view, e.g. "200us" or "max".
    pub speed: Option<String>,
    pub aic: Option<u32>,
    pub aiv: Option<u32>,
    pub sched_threads: Option<u16>,
}

pub const DEFAULT_CONFIG: &str = r#"# swimtop configuration. Every key is optional; the command line wins.
# Looked up at --config FILE, else $SWIMTOP_CONFIG, else
# $XDG_CONFIG_HOME/swimtop/config.toml, else ~/.config/swimtop/config.toml.

# Profiling level 0..3 (true = 3, false = 0). SWIMTOP_LEVEL overrides it.
# level = 2

# Simulated chip.
# workload = "paged_attention"   # or matmul_chain, random:500, or a path to a .json
# seed = 1
# speed = "200us"                # device time per wall second in the live view, or "max"
# aic = 24
# aiv = 48
# sched_threads = 3
"#;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config file {path}: speed: {message}")]
    Speed { path: PathBuf, message: String },
    #[error("SWIMTOP_LEVEL={value}: {source}")]
    EnvLevel { value: String, source: DfxError },
}

/// Where a config file is looked for when `--config` is not given.
pub fn default_config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("SWIMTOP_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(x) = env("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Some(Path::new(&x).join("swimtop/config.toml"));
    }
    env("HOME")
        .filter(|p| !p.is_empty())
        .map(|h| Path::new(&h).join(".config/swimtop/config.toml"))
}

/// Loads the config. An explicitly named file must exist; the default
/// location may be absent.
pub fn load(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let (path, must_exist) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_config_path(env) {
            Some(p) => {
                let named = env("SWIMTOP_CONFIG").is_some_and(|p| !p.is_empty());
                (p, named)
            }
            None => return Ok((Config::default(), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Config::default(), None));
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    let config = parse(&text, &path)?;
    Ok((config, Some(path)))
}

pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        // toml's message spans several lines with a caret; keep the first.
        message: e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_string(),
    })?;
    if let Some(s) = &config.speed {
        s.parse::<Speed>().map_err(|message| ConfigError::Speed {
            path: path.to_path_buf(),
            message,
        })?;
    }
    Ok(config)
}

/// Where the effective level came from, for the header and `--help` questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelSource {
    CommandLine,
    DfxFlags,
    Environment,
    ConfigFile(PathBuf),
    Default,
}

impl fmt::Display for LevelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelSource::CommandLine => write!(f, "--level"),
            LevelSource::DfxFlags => write!(f, "--dfx-flags"),
            LevelSource::Environment => write!(f, "SWIMTOP_LEVEL"),
            LevelSource::ConfigFile(p) => write!(f, "{}", p.display()),
            LevelSource::Default => write!(f, "default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLevel {
    pub flags: DfxFlags,
    pub source: LevelSource,
}

/// Command line > SWIMTOP_LEVEL > config file > `default`.
pub fn resolve_level(
    args: &LevelArgs,
    env: &dyn Fn(&str) -> Option<String>,
    config: &Config,
    config_path: Option<&Path>,
    default: Level,
) -> Result<ResolvedLevel, ConfigError> {
    if let Some(flags) = args.dfx_flags {
        return Ok(ResolvedLevel {
            flags,
            source: LevelSource::DfxFlags,
        });
    }
    if let Some(level) = args.level {
        return Ok(ResolvedLevel {
            flags: level.flags(),
            source: LevelSource::CommandLine,
        });
    }
    if let Some(value) = env("SWIMTOP_LEVEL").filter(|v| !v.trim().is_empty()) {
        let level = value
            .parse::<Level>()
            .map_err(|source| ConfigError::EnvLevel {
                value: value.clone(),
                source,
            })?;
        return Ok(ResolvedLevel {
            flags: level.flags(),
            source: LevelSource::Environment,
        });
    }
    if let Some(level) = config.level {
        return Ok(ResolvedLevel {
            flags: level.flags(),
            source: LevelSource::ConfigFile(config_path.map(Path::to_path_buf).unwrap_or_default()),
        });
    }
    Ok(ResolvedLevel {
        flags: default.flags(),
        source: LevelSource::Default,
    })
}

/// The simulated chip's settings after merging; plain data, turned into a
/// device configuration by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSettings {
    pub workload: String,
    pub seed: u64,
    pub aic: u32,
    pub aiv: u32,
    pub sched_threads: u16,
    /// `None` = endless.
    pub rounds: Option<u32>,
    pub speed: Speed,
}

pub const DEFAULT_WORKLOAD: &str = "paged_attention";
pub const DEFAULT_SEED: u64 = 1;
/// Slow enough to watch a paged-attention round build up over a few seconds.
pub const DEFAULT_LIVE_SPEED: Speed = Speed::DeviceNsPerSecond(200_000);

/// What differs between the live view and a recording when nothing is said.
#[derive(Debug, Clone, Copy)]
pub struct SimDefaults {
    pub rounds: Option<u32>,
    pub speed: Speed,
}

impl SimDefaults {
    pub const LIVE: SimDefaults = SimDefaults {
        rounds: None,
        speed: DEFAULT_LIVE_SPEED,
    };
    pub const RECORD: SimDefaults = SimDefaults {
        rounds: Some(1),
        speed: Speed::Max,
    };
    /// Enough rounds that per-level differences are not lost in one round's jitter.
    pub const BENCH: SimDefaults = SimDefaults {
        rounds: Some(10),
        speed: Speed::Max,
    };
}

pub fn sim_settings(args: &SimArgs, config: &Config, defaults: SimDefaults) -> SimSettings {
    let config_speed = config
        .speed
        .as_deref()
        .and_then(|s| s.parse::<Speed>().ok());
    SimSettings {
        workload: args
            .workload
            .clone()
            .or_else(|| config.workload.clone())
            .unwrap_or_else(|| DEFAULT_WORKLOAD.to_string()),
        seed: args.seed.or(config.seed).unwrap_or(DEFAULT_SEED),
        aic: args.aic.or(config.aic).unwrap_or(24),
        aiv: args.aiv.or(config.aiv).unwrap_or(48),
        sched_threads: args.sched_threads.or(config.sched_threads).unwrap_or(3),
        rounds: args.rounds.or(defaults.rounds),
        // A recording is always as fast as possible unless the command line says otherwise.
        speed: args.speed.unwrap_or(if defaults.rounds.is_some() {
            defaults.speed
        } else {
            config_speed.unwrap_or(defaults.speed)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn precedence_is_cli_then_env_then_config_then_default() {
        let cfg = Config {
            level: Some(Level::new(1).unwrap()),
            ..Config::default()
        };
        let p = Path::new("/etc/x.toml");
        let none = LevelArgs::default();
        let cli = LevelArgs {
            level: Some(Level::new(3).unwrap()),
            dfx_flags: None,
        };
        let env = env_of(&[("SWIMTOP_LEVEL", "2")]);
        let noenv = env_of(&[]);
        let r = resolve_level(&cli, &env, &cfg, Some(p), Level::DEFAULT_LIVE).unwrap();
        assert_eq!(
            (r.flags.level().get(), r.source),
            (3, LevelSource::CommandLine)
        );
        let r = resolve_level(&none, &env, &cfg, Some(p), Level::DEFAULT_LIVE).unwrap();
        assert_eq!(
            (r.flags.level().get(), r.source),
            (2, LevelSource::Environment)
        );
        let r = resolve_level(&none, &noenv, &cfg, Some(p), Level::DEFAULT_LIVE).unwrap();
        assert_eq!(r.flags.level().get(), 1);
        assert_eq!(r.source, LevelSource::ConfigFile(p.to_path_buf()));
        let r =
            resolve_level(&none, &noenv, &Config::default(), None, Level::DEFAULT_LIVE).unwrap();
        assert_eq!((r.flags.level().get(), r.source), (2, LevelSource::Default));
    }

    #[test]
    fn booleans_coerce_and_integers_survive_every_source() {
        let p = Path::new("c.toml");
        for (text, want) in [
            ("level = true", 3),
            ("level = false", 0),
            ("level = 2", 2),
            ("level = \"2\"", 2),
        ] {
            let cfg = parse(text, p).unwrap();
            let r = resolve_level(
                &LevelArgs::default(),
                &env_of(&[]),
                &cfg,
                Some(p),
                Level::OFF,
            )
            .unwrap();
            assert_eq!(r.flags.level().get(), want, "{text}");
        }
        for (value, want) in [("true", 3), ("false", 0), ("2", 2)] {
            let pairs: &'static [(&str, &str)] =
                Box::leak(vec![("SWIMTOP_LEVEL", value)].into_boxed_slice());
            let r = resolve_level(
                &LevelArgs::default(),
                &env_of(pairs),
                &Config::default(),
                None,
                Level::OFF,
            )
            .unwrap();
            assert_eq!(r.flags.level().get(), want, "{value}");
        }
    }

    #[test]
    fn bad_config_and_env_values_are_one_line_errors() {
        let e = parse("level = 9", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config file c.toml:"), "{e}");
        assert!(e.contains("out of range"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = parse("colour = 1", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field"), "{e}");
        let e = parse("speed = \"warp\"", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a speed"), "{e}");
        let r = resolve_level(
            &LevelArgs::default(),
            &env_of(&[("SWIMTOP_LEVEL", "5")]),
            &Config::default(),
            None,
            Level::OFF,
        );
        assert!(
            r.unwrap_err()
                .to_string()
                .starts_with("SWIMTOP_LEVEL=5: level 5")
        );
    }

    #[test]
    fn the_default_config_parses_and_sets_nothing() {
        assert_eq!(
            parse(DEFAULT_CONFIG, Path::new("d")).unwrap(),
            Config::default()
        );
        // Uncomment the `# key = value` lines: the example values must be valid too.
        let is_setting = |r: &str| {
            r.split_once(" = ")
                .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        };
        let uncommented: String = DEFAULT_CONFIG
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|r| is_setting(r)).unwrap_or(l))
            .map(|l| format!("{}\n", l.split("   #").next().unwrap_or(l)))
            .collect();
        let cfg = parse(&uncommented, Path::new("d")).unwrap();
        assert_eq!(cfg.level, Some(Level::new(2).unwrap()));
        assert_eq!(cfg.aiv, Some(48));
    }

    #[test]
    fn missing_default_file_is_fine_but_a_named_one_is_not() {
        let env = env_of(&[("HOME", "/nonexistent-home-for-test")]);
        let (cfg, path) = load(None, &env).unwrap();
        assert_eq!((cfg, path), (Config::default(), None));
        let e = load(Some(Path::new("/nonexistent/swimtop.toml")), &env).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("config file /nonexistent/swimtop.toml:")
        );
    }

    #[test]
    fn recording_defaults_to_one_round_as_fast_as_possible() {
        let cfg = Config {
            speed: Some("50us".into()),
            seed: Some(9),
            ..Config::default()
        };
        let s = sim_settings(&SimArgs::default(), &cfg, SimDefaults::RECORD);
        assert_eq!((s.rounds, s.speed, s.seed), (Some(1), Speed::Max, 9));
        let s = sim_settings(&SimArgs::default(), &cfg, SimDefaults::LIVE);
        assert_eq!(
            (s.rounds, s.speed),
            (None, Speed::DeviceNsPerSecond(50_000))
        );
    }
}
