//! The stand-in's command line: the runtime's own flags it models, the
//! faults tests order, and everything else accepted and ignored (the real
//! scene tests take many flags: `-p a2a3sim`, `-d 0`, `--case X`, …).
//!
//! Hand-rolled rather than clap: unknown flags, with or without values, must
//! pass silently, and `--enable-chip-swimlane` takes an optional integer the
//! way the runtime's argparse does (`nargs="?"`, bare = 4).

use std::path::PathBuf;

/// The case SceneTest labels `<Class>_<case>`.
pub const DEFAULT_CASE: &str = "TestPagedAttention_CaseVarSeq4";
/// The case name `--case Class::` selects (the stand-in has one case per class).
pub const DEFAULT_CASE_NAME: &str = "CaseVarSeq4";
pub const DEFAULT_WORKLOAD: &str = "paged_attention";
/// `--enable-chip-swimlane` without a number.
pub const BARE_LEVEL: u8 = 4;
/// Cores per cluster side as the a2a3 sim launches them: `block_dim` AIC and
/// twice as many AIV (the runtime's sim captures show 8 → 24 cores).
pub const DEFAULT_BLOCK_DIM: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Runtime numbering 0..=4 (0 = no capture).
    pub level: u8,
    pub dep_gen: bool,
    pub workload: String,
    pub seed: Option<u64>,
    /// `--case` as given (last one wins), `None` = the default case.
    pub case: Option<String>,
    pub outputs: Option<PathBuf>,
    pub rounds: u32,
    pub block_dim: u32,
    pub platform: String,
    pub device: String,
    pub fail_code: Option<i32>,
    pub fail_before_capture: bool,
    pub hang: bool,
    pub ignore_sigint: bool,
    pub slow_ms: u64,
    pub no_capture: bool,
    pub no_file_line: bool,
    pub half_capture: bool,
    pub remove_capture: bool,
    pub flood: u64,
    pub grandchild: bool,
    pub argv_log: Option<PathBuf>,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            level: 0,
            dep_gen: false,
            workload: DEFAULT_WORKLOAD.to_string(),
            seed: None,
            case: None,
            outputs: None,
            rounds: 1,
            block_dim: DEFAULT_BLOCK_DIM,
            platform: "a2a3sim".to_string(),
            device: "0".to_string(),
            fail_code: None,
            fail_before_capture: false,
            hang: false,
            ignore_sigint: false,
            slow_ms: 0,
            no_capture: false,
            no_file_line: false,
            half_capture: false,
            remove_capture: false,
            flood: 0,
            grandchild: false,
            argv_log: None,
        }
    }
}

impl Args {
    /// What SceneTest's diagnostics switch says: any collector on. `--rounds`
    /// above 1 turns them all off (the runtime warns and runs without them).
    pub fn diagnostics_on(&self) -> bool {
        self.rounds <= 1 && (self.level > 0 || self.dep_gen)
    }

    /// The level the run actually collects at (0 when `--rounds` > 1).
    pub fn effective_level(&self) -> u8 {
        if self.rounds > 1 { 0 } else { self.level }
    }

    pub fn effective_dep_gen(&self) -> bool {
        self.rounds <= 1 && self.dep_gen
    }

    /// `<Class>_<case>` sanitised to `[A-Za-z0-9._-]` as SceneTest does. A
    /// selector `Class::Case` (or `Class::`) becomes the label SceneTest
    /// would build for it; anything else is taken as the label itself.
    pub fn case_label(&self) -> String {
        let raw = self.case.as_deref().unwrap_or(DEFAULT_CASE);
        let label = match raw.split_once("::") {
            Some((class, "")) => format!("{class}_{DEFAULT_CASE_NAME}"),
            Some((class, case)) => format!("{class}_{case}"),
            None => raw.to_string(),
        };
        sanitize(&label)
    }
}

/// SceneTest's `_sanitize_for_filename`.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `Class::case` for log lines, from a label `Class_case`.
pub fn display_label(label: &str) -> String {
    match label.split_once('_') {
        Some((class, case)) if !class.is_empty() && !case.is_empty() => format!("{class}::{case}"),
        _ => format!("TestFakeRuntime::{label}"),
    }
}

/// The value of `--argv-log`, found leniently (before, and whatever, the
/// full parse says), so even a refused command line is logged.
pub fn argv_log(argv: &[String]) -> Option<PathBuf> {
    let mut found = None;
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        if a == "--argv-log" {
            found = it.next().map(PathBuf::from);
        } else if let Some(v) = a.strip_prefix("--argv-log=") {
            found = Some(PathBuf::from(v));
        }
    }
    found
}

/// Parses the arguments after the program name.
pub fn parse(argv: &[String]) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    while i < argv.len() {
        let token = &argv[i];
        i += 1;
        let (name, inline) = match token.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (token.as_str(), None),
        };
        // Takes the flag's value: inline `--x=v`, else the next argument.
        let mut value = |what: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            let v = argv
                .get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs {what}"))?;
            i += 1;
            Ok(v)
        };
        match name {
            "--enable-chip-swimlane" => {
                let text = match inline.clone() {
                    Some(v) => Some(v),
                    // argparse `nargs="?"`: the next argument is the level
                    // only when it is a number.
                    None => match argv.get(i) {
                        Some(next) if next.parse::<i64>().is_ok() => {
                            i += 1;
                            Some(next.clone())
                        }
                        _ => None,
                    },
                };
                a.level = match text {
                    None => BARE_LEVEL,
                    Some(t) => match t.trim().parse::<u8>() {
                        Ok(n) if n <= 4 => n,
                        _ => {
                            return Err(format!(
                                "--enable-chip-swimlane: invalid choice '{t}' (choose from 0, 1, 2, 3, 4)"
                            ));
                        }
                    },
                };
            }
            "--enable-dep-gen" => a.dep_gen = true,
            "--workload" => a.workload = value("a workload name or .json path")?,
            "--seed" => a.seed = Some(number(name, &value("a number")?)?),
            "--case" => a.case = Some(value("a case name")?),
            "--outputs" => a.outputs = Some(PathBuf::from(value("a directory")?)),
            "--rounds" => a.rounds = number(name, &value("a number")?)?,
            "--block-dim" => {
                let n: u32 = number(name, &value("a number")?)?;
                if !(1..=64).contains(&n) {
                    return Err(format!("--block-dim {n}: need 1..=64"));
                }
                a.block_dim = n;
            }
            "-p" | "--platform" => a.platform = value("a platform")?,
            "-d" | "--device" => a.device = value("a device id")?,
            "--fail-code" => a.fail_code = Some(number(name, &value("an exit code")?)?),
            "--fail-before-capture" => a.fail_before_capture = true,
            "--hang" => a.hang = true,
            "--ignore-sigint" => a.ignore_sigint = true,
            "--slow-ms" => a.slow_ms = number(name, &value("milliseconds")?)?,
            "--no-capture" => a.no_capture = true,
            "--no-file-line" => a.no_file_line = true,
            "--half-capture" => a.half_capture = true,
            "--remove-capture" => a.remove_capture = true,
            "--flood" => a.flood = number(name, &value("a line count")?)?,
            "--grandchild" => a.grandchild = true,
            "--argv-log" => a.argv_log = Some(PathBuf::from(value("a file")?)),
            // Anything else is some flag of the real scripts, or its value.
            _ => {}
        }
    }
    Ok(a)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{flag}: '{text}' is not a valid number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Args, String> {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&v)
    }

    #[test]
    fn levels_follow_the_runtime_flag() {
        assert_eq!(p(&[]).map(|a| a.level), Ok(0));
        assert_eq!(p(&["--enable-chip-swimlane"]).map(|a| a.level), Ok(4));
        assert_eq!(
            p(&["--enable-chip-swimlane", "-p", "a2a3sim"]).map(|a| (a.level, a.platform)),
            Ok((4, "a2a3sim".to_string()))
        );
        assert_eq!(p(&["--enable-chip-swimlane", "2"]).map(|a| a.level), Ok(2));
        assert_eq!(p(&["--enable-chip-swimlane=3"]).map(|a| a.level), Ok(3));
        assert!(p(&["--enable-chip-swimlane", "7"]).is_err());
    }

    #[test]
    fn unknown_flags_are_ignored_and_values_checked() {
        let a = p(&[
            "-p",
            "a2a3sim",
            "-d",
            "0",
            "--frobnicate",
            "x",
            "--slow-ms",
            "5",
        ]);
        assert_eq!(a.map(|a| a.slow_ms), Ok(5));
        assert!(p(&["--flood"]).is_err());
        assert!(p(&["--fail-code", "x"]).is_err());
    }

    #[test]
    fn case_labels_follow_scene_test() {
        let label = |c: &str| {
            p(&["--case", c])
                .map(|a| a.case_label())
                .unwrap_or_default()
        };
        assert_eq!(p(&[]).map(|a| a.case_label()), Ok(DEFAULT_CASE.to_string()));
        assert_eq!(label("TestFoo::CaseBar"), "TestFoo_CaseBar");
        assert_eq!(label("TestFoo::"), "TestFoo_CaseVarSeq4");
        assert_eq!(label("a b/c"), "a_b_c");
        assert_eq!(display_label("TestFoo_CaseBar"), "TestFoo::CaseBar");
    }

    #[test]
    fn rounds_above_one_turn_diagnostics_off() {
        let a = p(&["--enable-chip-swimlane", "--rounds", "3"]);
        assert_eq!(
            a.map(|a| (a.effective_level(), a.diagnostics_on())),
            Ok((0, false))
        );
    }
}
