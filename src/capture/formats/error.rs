//! The one error type every reader and writer returns. Each message is a
//! single line that names the file, where in it (when known) and what was
//! expected, so the CLI can print it as is.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A byte offset from the start of the file (0-based), with the line and
    /// column it corresponds to (1-based) for people with an editor open.
    Byte {
        offset: u64,
        line: usize,
        column: usize,
    },
    /// An element of a list, e.g. `aicore_tasks[12]`.
    Record { list: String, index: usize },
    /// A key path, e.g. `metadata.clock_freq_hz`.
    Key(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Byte {
                offset,
                line,
                column,
            } => write!(f, "byte {offset} (line {line} column {column})"),
            Location::Record { list, index } => write!(f, "{list}[{index}]"),
            Location::Key(key) => f.write_str(key),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// Malformed JSON, a truncated file, a wrong type or a value the schema
    /// does not allow.
    #[error("{}: {at}: {what}", path.display())]
    Invalid {
        path: PathBuf,
        at: Location,
        what: String,
    },
    /// Valid JSON, but none of the shapes any generation ever wrote.
    #[error("{}: not a swimlane capture: {why}", path.display())]
    NotACapture { path: PathBuf, why: String },
    /// A version or level key whose value no generation used.
    #[error("{}: {key} {value} is not supported: expected {expected}", path.display())]
    Unsupported {
        path: PathBuf,
        key: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl FormatError {
    /// Reads a whole file, or says which one could not be read.
    pub fn read_file(path: &Path) -> Result<Vec<u8>, FormatError> {
        std::fs::read(path).map_err(|source| FormatError::Read {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn invalid(path: &Path, at: Location, what: impl Into<String>) -> FormatError {
        FormatError::Invalid {
            path: path.to_path_buf(),
            at,
            what: one_line(&what.into()),
        }
    }

    pub fn record(path: &Path, list: &str, index: usize, what: impl Into<String>) -> FormatError {
        FormatError::invalid(
            path,
            Location::Record {
                list: printable(list),
                index,
            },
            what,
        )
    }

    pub fn key(path: &Path, key: &str, what: impl Into<String>) -> FormatError {
        FormatError::invalid(path, Location::Key(printable(key)), what)
    }

    pub fn not_a_capture(path: &Path, why: impl Into<String>) -> FormatError {
        FormatError::NotACapture {
            path: path.to_path_buf(),
            why: one_line(&why.into()),
        }
    }

    /// Turns serde_json's line/column into a byte offset of `bytes`, and its
    /// message into one that says what was expected, without the position
    /// suffix serde_json appends (the location is printed separately).
    pub fn from_json(path: &Path, bytes: &[u8], err: &serde_json::Error) -> FormatError {
        let line = err.line();
        let column = err.column();
        // An EOF error is reported at the last byte; the problem is that
        // nothing follows it.
        let offset = if err.is_eof() {
            bytes.len() as u64
        } else {
            byte_offset(bytes, line, column)
        };
        let mut what = strip_position(&err.to_string());
        if err.is_eof() {
            what = format!("truncated file: {what}");
        } else if err.is_syntax() {
            what = format!("not valid JSON: {what}");
        }
        FormatError::invalid(
            path,
            Location::Byte {
                offset,
                line,
                column,
            },
            what,
        )
    }
}

/// serde_json counts lines from 1 and columns in bytes from 1 (0 when the
/// error sits before the first byte of a line).
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> u64 {
    let mut start = 0usize;
    let mut seen = 1usize;
    if line > 1 {
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                seen += 1;
                if seen == line {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    let offset = start + column.saturating_sub(1);
    offset.min(bytes.len()) as u64
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Error messages are printed one per line; a stray newline from a source
/// message would break that.
fn one_line(s: &str) -> String {
    printable(&s.replace(['\n', '\r', '\t'], " "))
}

/// A key or list name taken from the file itself (an object key can hold
/// any character): control characters are shown escaped, so the message
/// stays one line and a terminal never interprets them.
fn printable(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_become_byte_offsets() {
        let bytes = b"{\n  \"a\": [1,\n  2,, 3]\n}";
        let err = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        let e = FormatError::from_json(Path::new("x.json"), bytes, &err);
        let msg = e.to_string();
        assert!(
            msg.starts_with("x.json: byte 17 (line 3 column 5): not valid JSON"),
            "{msg}"
        );
        assert_eq!(bytes[17], b',');
    }

    #[test]
    fn truncation_is_named() {
        let bytes = b"{\"a\": [1, 2";
        let err = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        let msg = FormatError::from_json(Path::new("t.json"), bytes, &err).to_string();
        assert!(msg.contains("truncated file"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    /// Found by the name_map fuzz target: a key holding a carriage return
    /// was printed raw, splitting the message.
    #[test]
    fn keys_from_the_file_are_escaped() {
        let msg = FormatError::key(Path::new("n.json"), "map.a\rb\u{1b}[2J", "bad").to_string();
        assert_eq!(msg, "n.json: map.a\\rb\\u{1b}[2J: bad");
        let msg = FormatError::record(Path::new("n.json"), "x\ny", 3, "bad").to_string();
        assert_eq!(msg, "n.json: x\\ny[3]: bad");
    }
}
