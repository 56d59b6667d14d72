//! What a terminal below the minimum size gets: one line, never a panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::layout::{MIN_HEIGHT, MIN_WIDTH};

pub fn text(area: Rect) -> String {
    format!(
        "terminal too small: {}×{}, need {MIN_WIDTH}×{MIN_HEIGHT} (q quits)",
        area.width, area.height
    )
}

pub fn draw(buf: &mut Buffer, area: Rect, style: Style) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    buf.set_stringn(area.x, area.y, text(area), usize::from(area.width), style);
}
