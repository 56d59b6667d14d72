//! The tiered profiling contract: one user-facing [`Level`] becomes a 64-bit
//! set of [`DfxFlags`] that every layer (CLI → capture → device → export) obeys.
//!
//! | level | flags                                   | legacy JSON `version` |
//! |-------|-----------------------------------------|-----------------------|
//! | 0     | none (profiling off)                    | no file               |
//! | 1     | `AICORE_TIMING`                         | 0                     |
//! | 2     | + `TASK_LIFECYCLE`                      | 1                     |
//! | 3     | + `PHASE_BUFFERS`                       | 2 (1 without phases)  |

use std::fmt;
use std::str::FromStr;

use bitflags::bitflags;
use serde::{Deserialize, Deserializer};

bitflags! {
    /// One bit per DFX feature. Bits 4.. are reserved for future features and
    /// rejected by [`DfxFlags::validate`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DfxFlags: u64 {
        /// AICore task start/end timestamps.
        const AICORE_TIMING = 1 << 0;
        /// AICPU dispatch/finish timestamps and fanout edges (needs bit 0).
        const TASK_LIFECYCLE = 1 << 1;
        /// AICPU scheduler and orchestrator phase records (needs bit 1).
        const PHASE_BUFFERS = 1 << 2;
        /// Tensor dump: reserved for the runtime; carried and shown, never captured.
        const DUMP_TENSOR = 1 << 3;
    }
}

/// Why a level or a flag set was refused. Each message is one line that names
/// the rule that was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DfxError {
    #[error(
        "level {0} is out of range: levels are 0 (off), 1 (aicore-timing), 2 (+task-lifecycle), 3 (+phase-buffers)"
    )]
    LevelOutOfRange(u64),
    #[error("'{0}' is not a level: expected 0, 1, 2, 3, true (=3) or false (=0)")]
    LevelSyntax(String),
    #[error("'{0}' is not a flag set: expected a number such as 0x3, 0b11 or 3")]
    FlagsSyntax(String),
    #[error("dfx flags {flags:#x}: bit {bit} is reserved (no feature is assigned to it)")]
    ReservedBit { flags: u64, bit: u32 },
    #[error("dfx flags {flags:#x}: bit {bit} {name} requires bit {needs} {needs_name}")]
    MissingImplied {
        flags: u64,
        bit: u32,
        name: &'static str,
        needs: u32,
        needs_name: &'static str,
    },
}

/// Feature bits in order, with the word used to show them and the bit each one implies.
const FEATURES: [(DfxFlags, &str, &str, Option<DfxFlags>); 4] = [
    (
        DfxFlags::AICORE_TIMING,
        "AICORE_TIMING",
        "aicore-timing",
        None,
    ),
    (
        DfxFlags::TASK_LIFECYCLE,
        "TASK_LIFECYCLE",
        "task-lifecycle",
        Some(DfxFlags::AICORE_TIMING),
    ),
    (
        DfxFlags::PHASE_BUFFERS,
        "PHASE_BUFFERS",
        "phase-buffers",
        Some(DfxFlags::TASK_LIFECYCLE),
    ),
    (DfxFlags::DUMP_TENSOR, "DUMP_TENSOR", "dump-tensor", None),
];

impl DfxFlags {
    /// Accepts a raw 64-bit value only if it uses assigned bits and every
    /// implication holds (bit 1 needs bit 0, bit 2 needs bit 1).
    pub fn validate(raw: u64) -> Result<DfxFlags, DfxError> {
        let unknown = raw & !DfxFlags::all().bits();
        if unknown != 0 {
            return Err(DfxError::ReservedBit {
                flags: raw,
                bit: unknown.trailing_zeros(),
            });
        }
        let flags = DfxFlags::from_bits_retain(raw);
        for (flag, name, _, implied) in FEATURES {
            if let Some(needed) = implied
                && flags.contains(flag)
                && !flags.contains(needed)
            {
                let needs_name = FEATURES.iter().find(|f| f.0 == needed).map_or("", |f| f.1);
                return Err(DfxError::MissingImplied {
                    flags: raw,
                    bit: flag.bits().trailing_zeros(),
                    name,
                    needs: needed.bits().trailing_zeros(),
                    needs_name,
                });
            }
        }
        Ok(flags)
    }

    /// Parses `0x3`, `0b11` or `3` and validates the result.
    pub fn parse(text: &str) -> Result<DfxFlags, DfxError> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let raw = if let Some(hex) = lower.strip_prefix("0x") {
            u64::from_str_radix(&hex.replace('_', ""), 16)
        } else if let Some(bin) = lower.strip_prefix("0b") {
            u64::from_str_radix(&bin.replace('_', ""), 2)
        } else {
            lower.replace('_', "").parse::<u64>()
        }
        .map_err(|_| DfxError::FlagsSyntax(t.to_string()))?;
        DfxFlags::validate(raw)
    }

    /// The highest level whose flags are all present (DUMP_TENSOR does not count).
    pub fn level(self) -> Level {
        Level::ALL
            .iter()
            .rev()
            .copied()
            .find(|l| self.contains(l.flags()))
            .unwrap_or(Level::OFF)
    }

    /// Flag names joined with `|`, e.g. `aicore-timing|task-lifecycle`; `off` when empty.
    pub fn words(self) -> String {
        let words: Vec<&str> = FEATURES
            .iter()
            .filter(|f| self.contains(f.0))
            .map(|f| f.2)
            .collect();
        if words.is_empty() {
            "off".to_string()
        } else {
            words.join("|")
        }
    }

    pub fn aicore_timing(self) -> bool {
        self.contains(DfxFlags::AICORE_TIMING)
    }
    pub fn task_lifecycle(self) -> bool {
        self.contains(DfxFlags::TASK_LIFECYCLE)
    }
    pub fn phase_buffers(self) -> bool {
        self.contains(DfxFlags::PHASE_BUFFERS)
    }
}

impl fmt::Display for DfxFlags {
    /// `L2 [aicore-timing|task-lifecycle]`: the level and its flags in words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{} [{}]", self.level().get(), self.words())
    }
}

/// The user-facing profiling knob, 0..=3. Never a boolean: `true`/`false`
/// from old configs are coerced to 3/0 on the way in and stay integers after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Level(u8);

impl Level {
    pub const OFF: Level = Level(0);
    pub const AICORE_TIMING: Level = Level(1);
    pub const TASK_LIFECYCLE: Level = Level(2);
    pub const PHASE_BUFFERS: Level = Level(3);
    pub const ALL: [Level; 4] = [
        Level::OFF,
        Level::AICORE_TIMING,
        Level::TASK_LIFECYCLE,
        Level::PHASE_BUFFERS,
    ];
    /// `--level` without a number: full collection.
    pub const BARE: Level = Level::PHASE_BUFFERS;
    /// What the live view uses when nothing chooses a level: arrows and markers
    /// without the phase cost.
    pub const DEFAULT_LIVE: Level = Level::TASK_LIFECYCLE;

    pub fn new(n: u64) -> Result<Level, DfxError> {
        if n <= 3 {
            Ok(Level(n as u8))
        } else {
            Err(DfxError::LevelOutOfRange(n))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn flags(self) -> DfxFlags {
        match self.0 {
            0 => DfxFlags::empty(),
            1 => DfxFlags::AICORE_TIMING,
            2 => DfxFlags::AICORE_TIMING | DfxFlags::TASK_LIFECYCLE,
            _ => DfxFlags::AICORE_TIMING | DfxFlags::TASK_LIFECYCLE | DfxFlags::PHASE_BUFFERS,
        }
    }

    /// The integer the current runtime understands (`--enable-chip-swimlane N`,
    /// `chip_swimlane_level`): swimtop 3 collects scheduler *and* orchestrator
    /// phases, which is runtime level 4.
    pub fn chip_swimlane_level(self) -> u8 {
        match self.0 {
            3 => 4,
            n => n,
        }
    }

    /// Inverse of [`Level::chip_swimlane_level`] for files: runtime 3 (scheduler
    /// phases only) and 4 both need phase buffers.
    pub fn from_chip_swimlane_level(n: u64) -> Result<Level, DfxError> {
        match n {
            0..=2 => Ok(Level(n as u8)),
            3 | 4 => Ok(Level::PHASE_BUFFERS),
            _ => Err(DfxError::LevelOutOfRange(n)),
        }
    }

    /// Legacy versioned JSON (PR #500 layout): level 1 → 0, level 2 → 1,
    /// level 3 → 2 when phase data was produced, else 1.
    pub fn legacy_json_version(self, has_phase_data: bool) -> Option<u8> {
        match self.0 {
            0 => None,
            1 => Some(0),
            2 => Some(1),
            _ => Some(if has_phase_data { 2 } else { 1 }),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.flags())
    }
}

impl FromStr for Level {
    type Err = DfxError;
    /// Accepts `0..=3`, and `true`/`false` (backward-compatible coercion to 3/0).
    fn from_str(s: &str) -> Result<Level, DfxError> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" => Ok(Level::BARE),
            "false" | "off" | "no" => Ok(Level::OFF),
            other => other
                .parse::<u64>()
                .map_err(|_| DfxError::LevelSyntax(t.to_string()))
                .and_then(Level::new),
        }
    }
}

impl<'de> Deserialize<'de> for Level {
    /// Config files may say `level = 2`, `level = true` or `level = "2"`.
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Level, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Int(i64),
            Text(String),
        }
        let level = match Raw::deserialize(de)? {
            Raw::Bool(b) => Ok(if b { Level::BARE } else { Level::OFF }),
            Raw::Int(n) if n < 0 => Err(DfxError::LevelSyntax(n.to_string())),
            Raw::Int(n) => Level::new(n as u64),
            Raw::Text(t) => t.parse(),
        };
        level.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_the_design_table() {
        assert_eq!(Level::OFF.flags(), DfxFlags::empty());
        assert_eq!(Level::new(1).unwrap().flags().bits(), 0b001);
        assert_eq!(Level::new(2).unwrap().flags().bits(), 0b011);
        assert_eq!(Level::new(3).unwrap().flags().bits(), 0b111);
        for l in Level::ALL {
            assert_eq!(l.flags().level(), l, "round trip of {l:?}");
        }
    }

    #[test]
    fn flags_map_back_to_the_highest_level_they_satisfy() {
        let f = DfxFlags::validate(0b1011).unwrap();
        assert_eq!(f.level(), Level::TASK_LIFECYCLE);
        assert_eq!(DfxFlags::DUMP_TENSOR.level(), Level::OFF);
        assert_eq!(DfxFlags::parse("0x3").unwrap().level().get(), 2);
    }

    #[test]
    fn broken_implications_and_reserved_bits_are_rejected_with_the_rule() {
        let e = DfxFlags::parse("0x2").unwrap_err().to_string();
        assert!(
            e.contains("bit 1 TASK_LIFECYCLE requires bit 0 AICORE_TIMING"),
            "{e}"
        );
        let e = DfxFlags::parse("0x5").unwrap_err().to_string();
        assert!(
            e.contains("bit 2 PHASE_BUFFERS requires bit 1 TASK_LIFECYCLE"),
            "{e}"
        );
        let e = DfxFlags::parse("0x13").unwrap_err().to_string();
        assert!(e.contains("bit 4 is reserved"), "{e}");
        let e = DfxFlags::parse("banana").unwrap_err().to_string();
        assert!(e.contains("not a flag set"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn level_parsing_accepts_booleans_and_rejects_out_of_range() {
        assert_eq!("2".parse::<Level>().unwrap().get(), 2);
        assert_eq!("true".parse::<Level>().unwrap().get(), 3);
        assert_eq!("false".parse::<Level>().unwrap().get(), 0);
        let e = "7".parse::<Level>().unwrap_err().to_string();
        assert!(e.starts_with("level 7 is out of range"), "{e}");
    }

    #[test]
    fn config_values_coerce_booleans_but_keep_integers() {
        let l: Level = serde_json::from_str("true").unwrap();
        assert_eq!(l.get(), 3);
        let l: Level = serde_json::from_str("false").unwrap();
        assert_eq!(l.get(), 0);
        let l: Level = serde_json::from_str("2").unwrap();
        assert_eq!(l.get(), 2);
        let l: Level = serde_json::from_str("\"2\"").unwrap();
        assert_eq!(l.get(), 2);
        assert!(serde_json::from_str::<Level>("9").is_err());
    }

    #[test]
    fn flags_are_shown_in_words() {
        assert_eq!(
            Level::new(2).unwrap().to_string(),
            "L2 [aicore-timing|task-lifecycle]"
        );
        assert_eq!(Level::OFF.to_string(), "L0 [off]");
        assert_eq!(
            DfxFlags::validate(0b1001).unwrap().to_string(),
            "L1 [aicore-timing|dump-tensor]"
        );
    }

    #[test]
    fn runtime_level_numbering() {
        let got: Vec<u8> = Level::ALL.iter().map(|l| l.chip_swimlane_level()).collect();
        assert_eq!(got, vec![0, 1, 2, 4]);
        assert_eq!(
            Level::from_chip_swimlane_level(4).unwrap(),
            Level::PHASE_BUFFERS
        );
        assert_eq!(Level::from_chip_swimlane_level(2).unwrap().get(), 2);
        assert_eq!(Level::new(1).unwrap().legacy_json_version(false), Some(0));
        assert_eq!(Level::new(3).unwrap().legacy_json_version(false), Some(1));
        assert_eq!(Level::new(3).unwrap().legacy_json_version(true), Some(2));
        assert_eq!(Level::OFF.legacy_json_version(true), None);
    }
}
