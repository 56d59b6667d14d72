//! Small JSON pieces every format shares: lenient integers, exact µs text,
//! cycle ↔ ns conversion, string escaping and a cheap look at the top-level
//! keys of a document.

use std::fmt;
use std::io::{self, Write};

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

/// An unsigned 64-bit value as any generation wrote it: a JSON number, a
/// negative number (reinterpreted mod 2^64, spec §2.6) or a decimal string
/// (deps.json quotes every u64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Int(pub u64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Int, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer (number or decimal string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v as u64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                // Some writers print integral values as floats (`3.0`).
                if v.fract() == 0.0 && v.abs() < 1.8e19 {
                    Ok(Int(if v < 0.0 { v as i64 as u64 } else { v as u64 }))
                } else {
                    Err(E::invalid_type(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                let t = v.trim();
                t.parse::<u64>()
                    .map(Int)
                    .or_else(|_| t.parse::<i64>().map(|n| Int(n as u64)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        de.deserialize_any(V)
    }
}

impl Int {
    /// Values that must fit 32 bits (core ids, sequence numbers, counters).
    pub fn to_u32(self) -> Option<u32> {
        u32::try_from(self.0).ok()
    }
    /// A core index, below [`crate::record::MAX_CORES`].
    pub fn to_core(self) -> Option<u32> {
        self.to_u32().filter(|&c| c < crate::record::MAX_CORES)
    }
    /// What a `core_id` that [`Int::to_core`] refused should have been.
    pub fn core_id_expected() -> String {
        format!(
            "core_id: expected a core index below {}",
            crate::record::MAX_CORES
        )
    }
    /// Reinterprets as signed (−1 stays −1 whether written signed or not).
    pub fn to_i64(self) -> i64 {
        self.0 as i64
    }
}

/// A func id as written: signed (−1 = unknown), or the same value printed as
/// an unsigned 32-bit integer by the C++ writers (4294967295 = −1).
pub fn func_id(raw: Int) -> i32 {
    let signed = raw.to_i64();
    if let Ok(v) = i32::try_from(signed) {
        v
    } else if let Ok(v) = u32::try_from(raw.0) {
        v as i32
    } else {
        -1
    }
}

/// A relative time in integer ns printed as µs with exactly three decimals
/// (`1620` → `1.620`), the way the legacy writers print `%.3f` of µs, but
/// without going through floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Us(pub i128);

impl fmt::Display for Us {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:03}", abs / 1000, abs % 1000)
    }
}

/// µs (as parsed) → integer ns. The legacy files print three decimals, so the
/// value is a whole number of ns; rounding the product absorbs the binary
/// representation error of the parsed float (exact for any |µs| < 10^12).
pub fn us_to_ns(us: f64) -> Option<i64> {
    let ns = (us * 1000.0).round();
    if ns.is_finite() && ns.abs() < 9.0e18 {
        Some(ns as i64)
    } else {
        None
    }
}

/// Counter cycles → ns, rounded to the nearest ns (exact for clocks that
/// divide 10^9, such as a2a3's 50 MHz).
pub fn cycles_to_ns(cycles: u64, clock_hz: u64) -> u64 {
    let hz = u128::from(clock_hz.max(1));
    let ns = (u128::from(cycles) * 1_000_000_000 + hz / 2) / hz;
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// ns → counter cycles, rounded to the nearest cycle. For clocks up to 1 GHz
/// this inverts [`cycles_to_ns`] exactly, so raw files round-trip.
pub fn ns_to_cycles(ns: u64, clock_hz: u64) -> u64 {
    let hz = u128::from(clock_hz);
    let cycles = (u128::from(ns) * hz + 500_000_000) / 1_000_000_000;
    u64::try_from(cycles).unwrap_or(u64::MAX)
}

/// Writes `s` as a JSON string the way Python's `json.dump` does by default
/// (`ensure_ascii`: non-ASCII as `\uXXXX`, astral characters as surrogate
/// pairs), so the name map matches what SceneTest writes.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The top-level keys of a document, with the values of the few keys that
/// tell generations apart. Built in one streaming pass that skips every
/// other value without allocating it.
#[derive(Debug, Clone, Default)]
pub struct TopLevel {
    pub keys: Vec<String>,
    pub chip_swimlane_level: Option<serde_json::Value>,
    pub l2_swimlane_level: Option<serde_json::Value>,
    pub l2_perf_level: Option<serde_json::Value>,
    pub version: Option<serde_json::Value>,
}

impl TopLevel {
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }
}

/// The scan's result: an object's keys, or the kind of JSON value found
/// instead of an object.
#[derive(Debug, Clone)]
pub enum Scanned {
    Object(TopLevel),
    NotAnObject(&'static str),
}

impl<'de> Deserialize<'de> for Scanned {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Scanned, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scanned;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scanned, A::Error> {
                let mut top = TopLevel::default();
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "chip_swimlane_level" => Some(&mut top.chip_swimlane_level),
                        "l2_swimlane_level" => Some(&mut top.l2_swimlane_level),
                        "l2_perf_level" => Some(&mut top.l2_perf_level),
                        "version" => Some(&mut top.version),
                        _ => None,
                    };
                    match slot {
                        Some(slot) => *slot = Some(map.next_value()?),
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    top.keys.push(key);
                }
                Ok(Scanned::Object(top))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scanned, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scanned::NotAnObject("an array"))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("a number"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("a string"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scanned, E> {
                Ok(Scanned::NotAnObject("null"))
            }
        }
        de.deserialize_any(V)
    }
}

/// Flush the text buffer to the writer past this size.
const CHUNK: usize = 1 << 16;

/// A text buffer drained into the writer in chunks, so a million-task
/// export neither holds the whole file nor issues a syscall per field.
pub struct TextOut<'w> {
    pub s: String,
    w: &'w mut dyn Write,
}

impl<'w> TextOut<'w> {
    pub fn new(w: &'w mut dyn Write) -> TextOut<'w> {
        TextOut {
            s: String::with_capacity(CHUNK * 2),
            w,
        }
    }
    pub fn maybe_flush(&mut self) -> io::Result<()> {
        if self.s.len() >= CHUNK {
            self.w.write_all(self.s.as_bytes())?;
            self.s.clear();
        }
        Ok(())
    }
    pub fn finish(mut self) -> io::Result<()> {
        self.w.write_all(self.s.as_bytes())?;
        self.s.clear();
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_accept_numbers_strings_and_negatives() {
        let v: Vec<Int> = serde_json::from_str(r#"[1, "2", -1, "-1", 3.0]"#).unwrap();
        assert_eq!(
            v,
            vec![Int(1), Int(2), Int(u64::MAX), Int(u64::MAX), Int(3)]
        );
        assert!(serde_json::from_str::<Int>("1.5").is_err());
        assert!(serde_json::from_str::<Int>("\"x\"").is_err());
        assert_eq!(func_id(Int(4_294_967_295)), -1);
        assert_eq!(func_id(Int(u64::MAX)), -1);
        assert_eq!(func_id(Int(7)), 7);
    }

    #[test]
    fn microseconds_print_exactly() {
        assert_eq!(Us(1620).to_string(), "1.620");
        assert_eq!(Us(0).to_string(), "0.000");
        assert_eq!(Us(-20).to_string(), "-0.020");
        assert_eq!(Us(123_456_789_012).to_string(), "123456789.012");
        assert_eq!(us_to_ns(1.62), Some(1620));
        assert_eq!(us_to_ns(8829.9), Some(8_829_900));
        assert_eq!(us_to_ns(f64::NAN), None);
    }

    #[test]
    fn cycles_round_trip() {
        assert_eq!(cycles_to_ns(2_000_000_081, 50_000_000), 40_000_001_620);
        assert_eq!(ns_to_cycles(40_000_001_620, 50_000_000), 2_000_000_081);
        for hz in [
            50_000_000u64,
            1_000_000_000,
            19_200_000,
            24_000_000,
            999_999_937,
        ] {
            for c in [0u64, 1, 7, 12_345, 55_561_619_181, u64::from(u32::MAX) * 3] {
                assert_eq!(ns_to_cycles(cycles_to_ns(c, hz), hz), c, "{c} @ {hz}");
            }
        }
    }

    #[test]
    fn strings_escape_like_python() {
        let mut s = String::new();
        write_str(&mut s, "a\"b\\c\nü😀");
        assert_eq!(s, r#""a\"b\\c\n\u00fc\ud83d\ude00""#);
    }

    #[test]
    fn scan_reports_keys_and_level_values() {
        let s: Scanned =
            serde_json::from_str(r#"{"version": 2, "tasks": [{"a": 1}], "x": null}"#).unwrap();
        let Scanned::Object(top) = s else {
            panic!("object expected")
        };
        assert_eq!(top.keys, vec!["version", "tasks", "x"]);
        assert_eq!(top.version, Some(serde_json::json!(2)));
        assert!(top.has("tasks"));
        let s: Scanned = serde_json::from_str("[1, 2]").unwrap();
        assert!(matches!(s, Scanned::NotAnObject("an array")));
    }
}
