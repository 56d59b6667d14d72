//! A streaming JSON reader over any [`Read`]: what lets a raw capture of a
//! million tasks be read without holding the file, and its integer rows be
//! parsed without serde building a `Vec` per row.
//!
//! It is deliberately small: the caller walks the structure (`{`, keys,
//! `[`, rows), reads plain integers on a fast path, and hands anything else
//! (a float, a decimal string, a whole metadata object) to serde as the
//! exact bytes of that value, so every value means what serde says it means.
//! Positions are tracked as they pass (byte offset, line, column), so errors
//! point into the file like [`FormatError::from_json`] does.

use std::io::{self, Read};
use std::path::Path;

use serde::de::DeserializeOwned;

use super::error::{FormatError, Location};
use super::json::Int;
use super::progress::{Progress, Stage};

const CHUNK: usize = 1 << 18;

/// Where a value started, to place serde's errors inside it in the file.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    offset: u64,
    line: usize,
    column: usize,
}

pub struct Stream<'a, R> {
    src: R,
    path: &'a Path,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// Line of `pos` (1-based) and the file offset its line starts at.
    line: usize,
    line_start: u64,
    eof: bool,
    progress: Option<&'a Progress>,
}

impl<'a, R: Read> Stream<'a, R> {
    /// `total` is the size for the progress bar (0 = unknown).
    pub fn new(src: R, path: &'a Path, progress: Option<&'a Progress>, total: u64) -> Self {
        if let Some(p) = progress {
            p.set(Stage::Parsing, 0, total);
        }
        Stream {
            src,
            path,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            base: 0,
            line: 1,
            line_start: 0,
            eof: false,
            progress,
        }
    }

    pub fn path(&self) -> &'a Path {
        self.path
    }

    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub fn mark(&self) -> Mark {
        let offset = self.offset();
        Mark {
            offset,
            line: self.line,
            column: (offset - self.line_start) as usize + 1,
        }
    }

    /// An error at the current position.
    pub fn error(&self, what: impl Into<String>) -> FormatError {
        let m = self.mark();
        FormatError::invalid(
            self.path,
            Location::Byte {
                offset: m.offset,
                line: m.line,
                column: m.column,
            },
            what,
        )
    }

    fn refill(&mut self) -> Result<bool, FormatError> {
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.src.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    if let Some(p) = self.progress {
                        p.advance(self.base + n as u64);
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(FormatError::Read {
                        path: self.path.to_path_buf(),
                        source,
                    });
                }
            }
        }
    }

    /// The next byte, not consumed; `None` at the end of the input.
    #[inline]
    pub fn peek(&mut self) -> Result<Option<u8>, FormatError> {
        if self.pos == self.end && !self.refill()? {
            return Ok(None);
        }
        Ok(Some(self.buf[self.pos]))
    }

    #[inline]
    fn bump(&mut self) {
        self.pos += 1;
    }

    fn truncated(&self, expected: &str) -> FormatError {
        self.error(format!("truncated file: expected {expected}"))
    }

    /// The next byte, consumed; the end of the input is a truncated file.
    #[inline]
    fn next_byte(&mut self, expected: &str) -> Result<u8, FormatError> {
        match self.peek()? {
            Some(b) => {
                self.bump();
                Ok(b)
            }
            None => Err(self.truncated(expected)),
        }
    }

    /// Skips whitespace; returns the next byte (not consumed).
    #[inline]
    pub fn ws(&mut self) -> Result<Option<u8>, FormatError> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\t' | b'\r') => self.bump(),
                Some(b'\n') => {
                    self.bump();
                    self.line += 1;
                    self.line_start = self.offset();
                }
                other => return Ok(other),
            }
        }
    }

    /// Whitespace, then `byte`.
    pub fn expect(&mut self, byte: u8, expected: &str) -> Result<(), FormatError> {
        match self.ws()? {
            Some(b) if b == byte => {
                self.bump();
                Ok(())
            }
            Some(_) => Err(self.error(format!("not valid JSON: expected {expected}"))),
            None => Err(self.truncated(expected)),
        }
    }

    /// After an element of a list or object: `true` for `,` (another
    /// follows), `false` for `close`.
    pub fn more(&mut self, close: u8, expected: &str) -> Result<bool, FormatError> {
        match self.ws()? {
            Some(b',') => {
                self.bump();
                Ok(true)
            }
            Some(b) if b == close => {
                self.bump();
                Ok(false)
            }
            Some(_) => Err(self.error(format!("not valid JSON: expected {expected}"))),
            None => Err(self.truncated(expected)),
        }
    }

    /// After `[` or `{`: `true` if the list or object is empty (and closed).
    pub fn empty(&mut self, close: u8) -> Result<bool, FormatError> {
        if self.ws()? == Some(close) {
            self.bump();
            return Ok(true);
        }
        Ok(false)
    }

    /// An object key and its `:`. Keys with escapes are decoded by serde.
    pub fn key(&mut self) -> Result<String, FormatError> {
        if self.ws()? != Some(b'"') {
            return Err(match self.peek()? {
                None => self.truncated("a key"),
                Some(_) => self.error("not valid JSON: expected a key (a string)"),
            });
        }
        let at = self.mark();
        let mut raw = Vec::with_capacity(32);
        self.string_into(&mut raw)?;
        let key = if raw.contains(&b'\\') || !raw.is_ascii() {
            self.decode::<String>(&raw, at)?
        } else {
            String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned()
        };
        self.expect(b':', "':' after a key")?;
        Ok(key)
    }

    /// Copies a string, quotes included, into `out`. Escapes are kept as
    /// written (serde decodes and checks them when the value is decoded).
    fn string_into(&mut self, out: &mut Vec<u8>) -> Result<(), FormatError> {
        out.push(self.next_byte("a string")?);
        loop {
            let start = self.pos;
            // Copy the run up to the next quote or backslash in one go.
            while self.pos < self.end && !matches!(self.buf[self.pos], b'"' | b'\\') {
                self.pos += 1;
            }
            out.extend_from_slice(&self.buf[start..self.pos]);
            match self.peek()? {
                None => return Err(self.truncated("the end of a string")),
                Some(b'"') => {
                    self.bump();
                    out.push(b'"');
                    return Ok(());
                }
                Some(b'\\') => {
                    self.bump();
                    out.push(b'\\');
                    out.push(self.next_byte("an escaped character")?);
                }
                Some(_) => {} // refilled: carry on
            }
        }
    }

    /// Copies one whole JSON value (any type) into `out`, verbatim, checking
    /// only that brackets and strings close; serde checks the rest when it
    /// decodes it. `out` may already hold the value's first bytes.
    pub fn value_into(&mut self, out: &mut Vec<u8>) -> Result<(), FormatError> {
        let mut depth = 0usize;
        if out.is_empty() {
            self.ws()?;
        }
        loop {
            let Some(b) = self.peek()? else {
                if depth == 0 && !out.is_empty() && out[0] != b'"' {
                    return Ok(()); // a number or literal ends the input
                }
                return Err(self.truncated("the rest of a value"));
            };
            match b {
                b'"' => self.string_into(out)?,
                b'[' | b'{' => {
                    self.bump();
                    out.push(b);
                    depth += 1;
                }
                b']' | b'}' if depth > 0 => {
                    self.bump();
                    out.push(b);
                    depth -= 1;
                }
                b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                    if out.is_empty() {
                        return Err(self.error("not valid JSON: expected a value"));
                    }
                    return Ok(());
                }
                b'\n' => {
                    self.bump();
                    out.push(b);
                    self.line += 1;
                    self.line_start = self.offset();
                }
                _ => {
                    // A run of bytes that need no attention, copied at once.
                    let start = self.pos;
                    let stop: fn(u8) -> bool = if depth == 0 {
                        |c| {
                            matches!(
                                c,
                                b'"' | b'['
                                    | b']'
                                    | b'{'
                                    | b'}'
                                    | b','
                                    | b' '
                                    | b'\t'
                                    | b'\r'
                                    | b'\n'
                            )
                        }
                    } else {
                        |c| matches!(c, b'"' | b'[' | b']' | b'{' | b'}' | b'\n')
                    };
                    self.pos += 1;
                    while self.pos < self.end && !stop(self.buf[self.pos]) {
                        self.pos += 1;
                    }
                    out.extend_from_slice(&self.buf[start..self.pos]);
                }
            }
            if depth == 0 && matches!(out.last(), Some(b'"' | b']' | b'}')) {
                return Ok(());
            }
        }
    }

    /// Skips one whole value, checked by serde. A list is skipped element
    /// by element, so a long one (deps.json's tensors) is never held.
    pub fn skip_value(&mut self) -> Result<(), FormatError> {
        let mut raw = Vec::new();
        if self.ws()? == Some(b'[') {
            self.expect(b'[', "'['")?;
            return self.items("',' or ']' in a list", |s| {
                s.value_in::<serde::de::IgnoredAny>(&mut raw).map(|_| ())
            });
        }
        self.value_in::<serde::de::IgnoredAny>(&mut raw).map(|_| ())
    }

    /// After a list's `[`: calls `each` for every element, up to and with
    /// the `]`. `between` says what may follow an element, for the error.
    pub fn items(
        &mut self,
        between: &str,
        mut each: impl FnMut(&mut Self) -> Result<(), FormatError>,
    ) -> Result<(), FormatError> {
        if self.empty(b']')? {
            return Ok(());
        }
        loop {
            each(self)?;
            if !self.more(b']', between)? {
                return Ok(());
            }
        }
    }

    /// Reads one whole value into `T` through serde.
    pub fn value<T: DeserializeOwned>(&mut self) -> Result<T, FormatError> {
        self.value_in(&mut Vec::new())
    }

    /// [`Stream::value`] copying the value's bytes through `raw` (cleared
    /// first), so a long list of small values reuses one buffer.
    pub fn value_in<T: DeserializeOwned>(&mut self, raw: &mut Vec<u8>) -> Result<T, FormatError> {
        self.ws()?;
        let at = self.mark();
        raw.clear();
        self.value_into(raw)?;
        self.decode(raw, at)
    }

    /// A list of lists of `T` (or `null`), each element decoded on its own:
    /// a level-3 capture's phase lists are hundreds of MB, never copied
    /// whole.
    pub fn lists<T: DeserializeOwned>(&mut self) -> Result<Option<Vec<Vec<T>>>, FormatError> {
        if self.ws()? == Some(b'n') {
            return self.value::<Option<Vec<Vec<T>>>>();
        }
        self.expect(b'[', "'[' (a list of lists)")?;
        let mut out = Vec::new();
        let mut raw = Vec::new();
        self.items("',' or ']' after a list", |s| {
            if s.ws()? != Some(b'[') {
                // Not a list: serde says what it is.
                out.push(s.value_in::<Vec<T>>(&mut raw)?);
                return Ok(());
            }
            s.expect(b'[', "'['")?;
            let mut list = Vec::new();
            s.items("',' or ']' in a list", |s| {
                list.push(s.value_in(&mut raw)?);
                Ok(())
            })?;
            out.push(list);
            Ok(())
        })?;
        Ok(Some(out))
    }

    /// serde over the verbatim bytes of one value that started at `at`;
    /// its errors are placed in the file.
    pub fn decode<T: DeserializeOwned>(&self, raw: &[u8], at: Mark) -> Result<T, FormatError> {
        serde_json::from_slice(raw).map_err(|e| {
            // Where in the value, then where the value is in the file.
            let (mut inner, mut line, mut column, mut what) =
                match FormatError::from_json(self.path, raw, &e) {
                    FormatError::Invalid {
                        at:
                            Location::Byte {
                                offset,
                                line,
                                column,
                            },
                        what,
                        ..
                    } => (offset, line.max(1), column, what),
                    other => return other,
                };
            // The stream already saw the value end (a truncated file fails
            // before this): an "EOF" here is a value cut short, e.g. `nul`.
            if e.is_eof() {
                what = what.replacen("truncated file: ", "not valid JSON: ", 1);
                (inner, line, column) = (0, 1, 1);
            }
            FormatError::invalid(
                self.path,
                Location::Byte {
                    offset: at.offset + inner,
                    line: at.line + line - 1,
                    column: if line == 1 {
                        at.column + column.saturating_sub(1)
                    } else {
                        column
                    },
                },
                what,
            )
        })
    }

    /// An integer as [`Int`] reads it. Plain decimal integers (all a writer
    /// normally prints) are parsed here; anything else — a float, an
    /// exponent, a string, a number past 64 bits — goes to serde, which
    /// decides as [`Int`] always has.
    #[inline]
    pub fn int(&mut self) -> Result<Int, FormatError> {
        let first = self.ws()?;
        let negative = first == Some(b'-');
        if !(negative || first.is_some_and(|b| b.is_ascii_digit())) {
            return self.value::<Int>();
        }
        let at = self.mark();
        if negative {
            self.bump();
        }
        let mut v: u64 = 0;
        let mut digits = 0usize;
        let mut text = [0u8; 20];
        let mut n = usize::from(negative);
        text[0] = b'-';
        // Up to 19 digits always fit a u64; a 20th goes the slow way.
        'digits: loop {
            while self.pos < self.end {
                let d = self.buf[self.pos].wrapping_sub(b'0');
                if d > 9 || digits == 19 {
                    break 'digits;
                }
                v = v * 10 + u64::from(d);
                text[n] = self.buf[self.pos];
                n += 1;
                digits += 1;
                self.pos += 1;
            }
            if self.peek()?.is_none() {
                break;
            }
        }
        let next = self.peek()?;
        let fits = !negative || v <= i64::MAX as u64;
        if digits == 0 || !fits || matches!(next, Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            // Rare: let serde read the whole number as written.
            let mut raw = text[..n].to_vec();
            self.value_into(&mut raw)?;
            return self.decode(&raw, at);
        }
        Ok(Int(if negative {
            (v as i64).wrapping_neg() as u64
        } else {
            v
        }))
    }

    /// A whole row of plain integers, `[a, b, …]` (at most `out.len()`
    /// values, each below 10^19, on one line), read straight off the
    /// buffer; returns how many. Anything else — a row near the end of the
    /// buffer, a sign, a float, a newline — returns `None` having consumed
    /// nothing, for the general path to read. Almost every row of a capture
    /// is read here: this is the loop a million-task file spends its time in.
    #[inline]
    pub fn plain_row(&mut self, out: &mut [u64]) -> Option<usize> {
        let (n, used) = plain_row(&self.buf[self.pos..self.end], out)?;
        self.pos += used;
        Some(n)
    }

    /// After the top-level value: only whitespace may follow.
    pub fn finish(&mut self) -> Result<(), FormatError> {
        match self.ws()? {
            None => Ok(()),
            Some(_) => Err(self.error("not valid JSON: trailing characters after the document")),
        }
    }
}

/// Rows longer than this take the general path.
const ROW_ROOM: usize = 160;

/// [`Stream::plain_row`] on a slice: `(values, bytes used)`.
fn plain_row(b: &[u8], out: &mut [u64]) -> Option<(usize, usize)> {
    let b = b.get(..ROW_ROOM)?;
    let mut k = 0usize;
    let mut n = 0usize;
    let skip = |k: &mut usize| {
        while *k < b.len() && matches!(b[*k], b' ' | b'\t') {
            *k += 1;
        }
    };
    skip(&mut k);
    if b.get(k) != Some(&b'[') {
        return None;
    }
    k += 1;
    skip(&mut k);
    if b.get(k) == Some(&b']') {
        return Some((0, k + 1));
    }
    loop {
        let first = k;
        let mut v = 0u64;
        while let Some(&c) = b.get(k) {
            if !c.is_ascii_digit() {
                break;
            }
            // 19 digits always fit a u64; a 20th may not.
            if k - first == 19 {
                return None;
            }
            v = v * 10 + u64::from(c - b'0');
            k += 1;
        }
        if k == first || n == out.len() {
            return None;
        }
        out[n] = v;
        n += 1;
        skip(&mut k);
        match b.get(k) {
            Some(b',') => {
                k += 1;
                skip(&mut k);
            }
            Some(b']') => return Some((n, k + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rows_and_what_is_left_to_the_general_path() {
        let pad = " ".repeat(ROW_ROOM);
        let mut out = [0u64; 6];
        let row = |t: &str, out: &mut [u64; 6]| plain_row(format!("{t}{pad}").as_bytes(), out);
        assert_eq!(row("[1, 22,333]", &mut out), Some((3, 11)));
        assert_eq!(out[..3], [1, 22, 333]);
        assert_eq!(row(" [ ] ", &mut out), Some((0, 4)));
        for t in [
            "[1, -2]",
            "[1.5]",
            "[1,\n2]",
            "[\"3\"]",
            "[1,2,3,4,5,6,7]",
            "[1,]",
            "x",
            "[99999999999999999999]",
        ] {
            assert_eq!(row(t, &mut out), None, "{t}");
        }
        // Too close to the end of the buffer: the general path reads it.
        assert_eq!(plain_row(b"[1, 2]", &mut out), None);
    }

    fn stream(text: &str) -> Stream<'static, &[u8]> {
        Stream::new(text.as_bytes(), Path::new("s.json"), None, 0)
    }

    #[test]
    fn integers_fast_and_slow() {
        let mut s = stream(" 12, -1 ,3.0, \"42\", 18446744073709551615, 1e2, 7");
        let mut got = Vec::new();
        loop {
            got.push(s.int().unwrap().0);
            if !s.more(b']', "',' or ']'").unwrap_or(false) {
                break;
            }
        }
        assert_eq!(got, vec![12, u64::MAX, 3, 42, u64::MAX, 100, 7]);
    }

    #[test]
    fn integers_that_are_not() {
        for (text, want) in [
            ("1.5", "invalid type: floating point `1.5`"),
            ("null", "invalid type: null"),
            ("\"x\"", "invalid value: string \"x\""),
            ("12", ""),
        ] {
            let r = stream(text).int();
            match r {
                Ok(v) => assert_eq!((text, v.0), ("12", 12)),
                Err(e) => assert!(e.to_string().contains(want), "{text}: {e}"),
            }
        }
    }

    #[test]
    fn values_and_positions_across_refills() {
        // Longer than one buffer, so tokens straddle refills.
        let long = "x".repeat(CHUNK + 17);
        let text = format!("{{\n \"a\": \"{long}\",\n \"b\": [1, {{\"c\": [2]}}],\n \"d\": nul}}");
        let mut s = stream(&text);
        s.expect(b'{', "{").unwrap();
        assert_eq!(s.key().unwrap(), "a");
        let a: String = s.value().unwrap();
        assert_eq!(a.len(), CHUNK + 17);
        assert!(s.more(b'}', ",").unwrap());
        assert_eq!(s.key().unwrap(), "b");
        s.skip_value().unwrap();
        assert!(s.more(b'}', ",").unwrap());
        assert_eq!(s.key().unwrap(), "d");
        let e = s.skip_value().unwrap_err().to_string();
        let at = text.find("nul}").unwrap();
        assert!(
            e.starts_with(&format!("s.json: byte {at} (line 4 column 7): ")),
            "{e}"
        );
    }

    #[test]
    fn truncation_and_garbage_are_named() {
        let e = stream("[1, 2").more(b']', "x").unwrap_err().to_string();
        assert!(e.contains("not valid JSON"), "{e}");
        let mut s = stream("[1, 2");
        s.expect(b'[', "[").unwrap();
        s.int().unwrap();
        assert!(s.more(b']', "',' or ']'").unwrap());
        s.int().unwrap();
        let e = s.more(b']', "',' or ']'").unwrap_err().to_string();
        assert_eq!(
            e,
            "s.json: byte 5 (line 1 column 6): truncated file: expected ',' or ']'"
        );
        let mut s = stream("{} x");
        s.expect(b'{', "{").unwrap();
        assert!(s.empty(b'}').unwrap());
        assert!(s.finish().unwrap_err().to_string().contains("trailing"));
        let e = stream("\"ab").key().unwrap_err().to_string();
        assert!(e.contains("truncated file"), "{e}");
    }

    #[test]
    fn lists_of_lists_element_by_element() {
        let got: Option<Vec<Vec<u32>>> = stream("[[1, 2], [], [3]]").lists().unwrap();
        assert_eq!(got, Some(vec![vec![1, 2], vec![], vec![3]]));
        assert_eq!(stream("null").lists::<u32>().unwrap(), None);
        assert_eq!(stream(" [ ] ").lists::<u32>().unwrap(), Some(vec![]));
        let e = stream("[[1], 7]").lists::<u32>().unwrap_err().to_string();
        assert!(
            e.ends_with("invalid type: integer `7`, expected a sequence"),
            "{e}"
        );
        let e = stream("[[1, \"x\"]]")
            .lists::<u32>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid type: string \"x\""), "{e}");
    }

    #[test]
    fn escaped_keys_are_decoded() {
        let mut s = stream(r#""aicore\u005ftasks" : 1"#);
        assert_eq!(s.key().unwrap(), "aicore_tasks");
        assert_eq!(s.int().unwrap().0, 1);
    }
}
