//! An error as the one line `swimtop: error: …` prints.
//!
//! Library errors put their cause in their own message (`out.json: cannot
//! write: No space left on device (os error 28)`) so they read well alone,
//! and also expose it as their `source()`; printing anyhow's whole chain
//! would then say the reason twice.

/// The error and its causes joined by `: `, each cause left out when the
/// message before it already ends with it.
pub fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::formats::FormatError;

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        let e = anyhow::Error::new(FormatError::Write {
            path: "out.json".into(),
            source: std::io::Error::from_raw_os_error(28),
        });
        assert_eq!(
            error_line(&e),
            "out.json: cannot write: No space left on device (os error 28)"
        );
        let e = anyhow::Error::new(std::io::Error::from_raw_os_error(2)).context("reading x");
        assert_eq!(
            error_line(&e),
            "reading x: No such file or directory (os error 2)"
        );
    }
}
