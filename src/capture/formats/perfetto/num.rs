//! Trace times: µs as exact decimals from integer ns, and back.
//!
//! The converter prints Python floats (`1.6`, `10.020000000000001`). swimtop
//! prints the same quantities from integer ns without a float in between:
//! the integer µs, a point, then up to three fraction digits with trailing
//! zeros dropped but at least one kept (`1620` → `1.62`, `0` → `0.0`), which
//! is also what Python shows for those values when no rounding noise crept in.

use std::fmt::Write as _;

/// Appends `ns` as µs.
pub fn push_us(s: &mut String, ns: i128) {
    if ns < 0 {
        s.push('-');
    }
    let abs = ns.unsigned_abs();
    match u64::try_from(abs / 1000) {
        Ok(whole) => push_u64(s, whole),
        Err(_) => {
            let _ = write!(s, "{}", abs / 1000);
        }
    }
    s.push('.');
    let frac = (abs % 1000) as u32;
    // Three digits, trailing zeros dropped but one kept.
    let (hundreds, rest) = (u64::from(frac / 100), u64::from(frac % 100));
    s.push_str(pair(hundreds).get(1..).unwrap_or(""));
    if rest % 10 != 0 {
        s.push_str(pair(rest));
    } else if rest != 0 {
        s.push_str(pair(rest).get(..1).unwrap_or(""));
    }
}

/// `00` … `99`, sliced for two digits at a time.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

fn pair(v: u64) -> &'static str {
    let i = (v as usize % 100) * 2;
    PAIRS.get(i..i + 2).unwrap_or("")
}

/// Appends an unsigned integer without going through `fmt` (the writer
/// prints tens of millions of them).
pub fn push_u64(s: &mut String, mut v: u64) {
    let mut low: [&str; 10] = [""; 10];
    let mut n = 0;
    while v >= 100 {
        low[n] = pair(v);
        v /= 100;
        n += 1;
    }
    let head = pair(v);
    s.push_str(if v < 10 {
        head.get(1..).unwrap_or("")
    } else {
        head
    });
    for p in low[..n].iter().rev() {
        s.push_str(p);
    }
}

/// Appends a signed integer.
pub fn push_int(s: &mut String, v: i128) {
    if v < 0 {
        s.push('-');
    }
    match u64::try_from(v.unsigned_abs()) {
        Ok(u) => push_u64(s, u),
        Err(_) => {
            let _ = write!(s, "{}", v.unsigned_abs());
        }
    }
}

#[cfg(test)]
pub fn us(ns: i128) -> String {
    let mut s = String::new();
    push_us(&mut s, ns);
    s
}

/// A parsed µs value → ns. Exact for every value written with at most three
/// decimals while |µs| < 10^12 (about 11.5 days from the origin): the
/// rounding absorbs the binary representation error, as in the legacy
/// readers (see `json::us_to_ns`).
pub fn us_to_ns(us: f64) -> Option<i64> {
    super::super::json::us_to_ns(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimals() {
        assert_eq!(us(1620), "1.62");
        assert_eq!(us(20), "0.02");
        assert_eq!(us(0), "0.0");
        assert_eq!(us(1_600), "1.6");
        assert_eq!(us(10_020), "10.02");
        assert_eq!(us(1), "0.001");
        assert_eq!(us(100), "0.1");
        assert_eq!(us(110), "0.11");
        assert_eq!(us(101), "0.101");
        assert_eq!(us(7_000_090), "7000.09");
        for v in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            123_456_789,
            u64::MAX,
        ] {
            let mut s = String::new();
            push_u64(&mut s, v);
            assert_eq!(s, v.to_string());
        }
        assert_eq!(us(-10), "-0.01");
        assert_eq!(us(586_000), "586.0");
        assert_eq!(us(1_000_000_000_020), "1000000000.02");
        assert_eq!(us(123_456_789_012_345), "123456789012.345");
        assert_eq!(
            us(i128::MAX),
            i128::MAX.to_string()[..36].to_string() + "." + "727"
        );
        let mut s = String::new();
        push_int(&mut s, -1);
        push_u64(&mut s, u64::MAX);
        push_int(&mut s, i128::from(u64::MAX) + 1);
        assert_eq!(s, "-11844674407370955161518446744073709551616");
    }

    #[test]
    fn parse_back_exactly() {
        for ns in [
            0i128,
            1,
            20,
            1620,
            10_020,
            999_999,
            1_000_000_000_020,
            999_999_999_999_999,
        ] {
            let text = us(ns);
            let v: f64 = text.parse().unwrap();
            assert_eq!(us_to_ns(v).map(i128::from), Some(ns), "{text}");
        }
        // The converter's float noise rounds away.
        assert_eq!(us_to_ns(10.020000000000001), Some(10_020));
        assert_eq!(us_to_ns(0.5199999999999818), Some(520));
        assert_eq!(us_to_ns(-1.7763568394002505e-15), Some(0));
    }
}
