//! Lenient leaf values for the trace reader: a value of an unexpected
//! type becomes "absent" instead of failing the file, since foreign traces
//! put all sorts of things in `args`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::num::us_to_ns;

// Visitor boilerplate for lenient values: every kind of value a visitor
// does not want becomes `$none` (maps and sequences are drained first).

macro_rules! drain_compound {
    ($none:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($none)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($none)
        }
    };
}

macro_rules! none_bool_unit {
    ($none:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

macro_rules! none_numbers {
    ($none:expr) => {
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

macro_rules! none_str {
    ($none:expr) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

/// Everything but maps and sequences.
macro_rules! scalars {
    ($none:expr) => {
        $crate::capture::formats::perfetto::lenient::none_bool_unit!($none);
        $crate::capture::formats::perfetto::lenient::none_numbers!($none);
        $crate::capture::formats::perfetto::lenient::none_str!($none);
    };
}
pub(super) use scalars;
pub(super) use {none_bool_unit, none_numbers, none_str};

/// A string (borrowed when unescaped), or nothing for any other value.
pub struct Text<'de>(pub Option<Cow<'de, str>>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            drain_compound!(Text(None));
            none_bool_unit!(Text(None));
            none_numbers!(Text(None));
        }
        d.deserialize_any(V)
    }
}

/// A number, or a string holding one, as an exact integer or a float.
#[derive(Debug, Clone, Copy, Default)]
pub enum Num {
    #[default]
    None,
    Int(i128),
    Float(f64),
}

impl Num {
    pub fn int(self) -> Option<i128> {
        match self {
            Num::Int(v) => Some(v),
            Num::Float(f) if f.fract() == 0.0 && f.abs() < 1.8e19 => Some(f as i128),
            _ => None,
        }
    }
    pub fn u64(self) -> Option<u64> {
        self.int().and_then(|v| u64::try_from(v).ok())
    }
    pub fn i64(self) -> Option<i64> {
        self.int().and_then(|v| i64::try_from(v).ok())
    }
    /// µs → ns.
    pub fn ns(self) -> Option<i64> {
        match self {
            Num::Int(v) => i64::try_from(v).ok()?.checked_mul(1000),
            Num::Float(f) => us_to_ns(f),
            Num::None => None,
        }
    }
    /// An id: a number, or a string (hex `0x…`, decimal, else hashed).
    pub fn id(self) -> Option<u64> {
        self.int().map(|v| v as u64)
    }
}

impl<'de> de::Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num::Int(i128::from(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Int(i128::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(if v.is_finite() {
                    Num::Float(v)
                } else {
                    Num::None
                })
            }
            fn visit_str<E>(self, v: &str) -> Result<Num, E> {
                let t = v.trim();
                Ok(if let Ok(i) = t.parse::<i128>() {
                    Num::Int(i)
                } else if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    u64::from_str_radix(h, 16)
                        .map_or(Num::Int(i128::from(fnv(t))), |x| Num::Int(i128::from(x)))
                } else if let Ok(f) = t.parse::<f64>().map(|f| f.is_finite().then_some(f)) {
                    f.map_or(Num::None, Num::Float)
                } else {
                    // A string id ("abc"): any stable number will do.
                    Num::Int(i128::from(fnv(t)))
                })
            }
            drain_compound!(Num::None);
            none_bool_unit!(Num::None);
        }
        d.deserialize_any(V)
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `[aic, aiv, mix]`, or nothing.
pub struct Depths(pub Option<[i16; 3]>);

impl<'de> de::Deserialize<'de> for Depths {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Depths;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Depths, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = seq.next_element::<Num>()? {
                    v.push(n.i64());
                }
                let c = |x: Option<i64>| {
                    x.map(|x| x.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16)
                };
                Ok(Depths(match v.as_slice() {
                    [a, b, m] => c(*a).zip(c(*b)).zip(c(*m)).map(|((a, b), m)| [a, b, m]),
                    _ => None,
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Depths, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Depths(None))
            }
            scalars!(Depths(None));
        }
        d.deserialize_any(V)
    }
}

pub struct Bool(pub Option<bool>);

impl<'de> de::Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(Some(v)))
            }
            fn visit_unit<E>(self) -> Result<Bool, E> {
                Ok(Bool(None))
            }
            drain_compound!(Bool(None));
            none_numbers!(Bool(None));
            none_str!(Bool(None));
        }
        d.deserialize_any(V)
    }
}
