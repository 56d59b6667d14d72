//! The driven command's output: a tail under the lanes while it runs, and a
//! full-screen view to scroll and search (`l`).

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::Theme;
use crate::app::runs::{LogView, stream_tag};
use crate::device::{LogLine, LogStream};

/// What a frame needs of the log.
pub struct LogPanel<'a> {
    pub lines: &'a VecDeque<LogLine>,
    pub view: Option<&'a LogView>,
    /// Lines pushed out of the kept window, and lines never shown because
    /// the command printed faster than they could be read.
    pub trimmed: u64,
    pub dropped: u64,
}

fn style(theme: Theme, l: &LogLine) -> ratatui::style::Style {
    match l.stream {
        LogStream::Stdout => theme.label(),
        LogStream::Stderr => theme.warn(),
        LogStream::Swimtop => theme.group(),
    }
}

fn text(l: &LogLine) -> String {
    format!("{} {}", stream_tag(l.stream), l.text)
}

/// The tail: a rule with counts, then the command's own last lines
/// (swimtop's remarks are in the header and the full log).
pub fn draw_tail(buf: &mut Buffer, area: Rect, p: &LogPanel<'_>, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let mut rule = format!(
        "── command output ({} lines",
        p.lines.len() as u64 + p.trimmed
    );
    if p.dropped > 0 {
        rule.push_str(&format!(", {} not shown", p.dropped));
    }
    rule.push_str("; l opens it) ");
    while rule.chars().count() < usize::from(area.width) {
        rule.push('─');
    }
    buf.set_stringn(area.x, area.y, &rule, usize::from(area.width), theme.dim());
    let rows = usize::from(area.height - 1);
    let own: Vec<&LogLine> = p
        .lines
        .iter()
        .rev()
        .filter(|l| l.stream != LogStream::Swimtop)
        .take(rows)
        .collect();
    for (i, l) in own.into_iter().rev().enumerate() {
        buf.set_stringn(
            area.x,
            area.y + 1 + i as u16,
            text(l),
            usize::from(area.width),
            style(theme, l),
        );
    }
}

/// The whole log over the screen, scrolled, with the search hit marked.
pub fn draw_full(buf: &mut Buffer, area: Rect, p: &LogPanel<'_>, theme: Theme) {
    let Some(v) = p.view else { return };
    if area.width < 10 || area.height < 4 {
        return;
    }
    Clear.render(area, buf);
    let title = match &v.input {
        Some(q) => format!(" command log · /{q}▏ "),
        None => " command log · ↑↓ PgUp PgDn g G scroll · / search · n N · Esc closes ".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    let rows = usize::from(inner.height);
    let end = p.lines.len().saturating_sub(v.from_end);
    let start = end.saturating_sub(rows);
    for (i, (n, l)) in p
        .lines
        .iter()
        .enumerate()
        .skip(start)
        .take(end - start)
        .enumerate()
    {
        let mut s = style(theme, l);
        if v.hit == Some(n) {
            s = theme.cursor_label();
        }
        buf.set_stringn(
            inner.x,
            inner.y + i as u16,
            text(l),
            usize::from(inner.width),
            s,
        );
    }
}
