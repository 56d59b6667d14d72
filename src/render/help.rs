//! The help overlay, generated from the key table that also drives dispatch.
//! Laid out in as many columns as the screen needs.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::{DISPATCH_MARK, FINISH_MARK, OVERHEAD_LINE, SHADES, Theme};
use crate::app::keys::{BINDINGS, MOUSE_HELP, Section};

/// Help entries in order; a line ending in `:` is a section title.
pub fn lines() -> Vec<String> {
    let mut out = Vec::new();
    for section in [Section::Navigate, Section::Select, Section::View] {
        out.push(format!("{}:", section.title()));
        for b in BINDINGS.iter().filter(|b| b.section == section) {
            out.push(format!(" {:<6} {}", b.label, b.help));
        }
    }
    out.push("Mouse:".to_string());
    for (k, h) in MOUSE_HELP {
        out.push(format!(" {k:<6} {h}"));
    }
    out.push("Legend:".to_string());
    out.push(format!(" {DISPATCH_MARK}      AICPU dispatch"));
    out.push(format!(" {OVERHEAD_LINE}      head / tail overhead"));
    out.push(format!(" {FINISH_MARK}      AICPU finish"));
    out.push(format!(
        " {}   busier (colour = function)",
        SHADES.iter().collect::<String>()
    ));
    out.push(" ┐│▶    fanout to a successor".to_string());
    out.push(" ◀      red: successor starts first".to_string());
    out
}

pub fn draw(buf: &mut Buffer, area: Rect, theme: Theme) {
    let text = lines();
    let col_w = text.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 2;
    let max_rows = area.height.saturating_sub(2).max(1);
    let columns = (text.len() as u16).div_ceil(max_rows).max(1);
    let rows = (text.len() as u16).div_ceil(columns);
    let w = (col_w * columns + 2).min(area.width);
    let h = (rows + 2).min(area.height);
    if w < 10 || h < 3 {
        return;
    }
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" swimtop keys (? or Esc closes) ");
    let inner = block.inner(rect);
    block.render(rect, buf);
    for (i, line) in text.iter().enumerate() {
        let (c, r) = (i as u16 / rows, i as u16 % rows);
        let x = inner.x + c * col_w;
        if r >= inner.height || x >= inner.x + inner.width {
            continue;
        }
        let style = if line.ends_with(':') {
            theme.group()
        } else {
            theme.label()
        };
        let room = usize::from((inner.x + inner.width - x).min(col_w));
        buf.set_stringn(x, inner.y + r, line, room, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binding_is_in_the_help() {
        let text = lines().join("\n");
        for b in BINDINGS {
            assert!(text.contains(b.help), "{}", b.help);
            assert!(text.contains(b.label), "{}", b.label);
        }
    }

    #[test]
    fn help_fits_an_80x24_terminal_whole() {
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        draw(&mut buf, area, Theme::new(false));
        let screen: String = (0..24)
            .map(|y| {
                (0..80)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        for line in lines() {
            assert!(screen.contains(line.trim()), "missing {line:?}\n{screen}");
        }
    }
}
