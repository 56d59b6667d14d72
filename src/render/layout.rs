//! Where everything goes on the screen. Pure and cheap, so the event loop can
//! map a mouse position to a lane and a time with the same answer the last
//! frame was drawn with.

use ratatui::layout::Rect;

/// Below this the screen shows one "too small" line instead of the view.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// Lane labels: `AIV_71`, `Sched_2`, `▾ AIV 48`.
pub const LABEL_WIDTH: u16 = 10;
pub const HEADER_ROWS: u16 = 2;
pub const DETAIL_ROWS: u16 = 5;
/// The driven command's latest output: a rule and four lines.
pub const LOG_ROWS: u16 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScreenLayout {
    pub area: Rect,
    pub too_small: bool,
    pub header: Rect,
    pub ruler: Rect,
    /// Labels and timeline, one display row per line.
    pub lanes: Rect,
    pub detail: Rect,
    /// The driven command's output tail (empty without one).
    pub log: Rect,
    pub footer: Rect,
}

impl ScreenLayout {
    pub fn compute(area: Rect, detail: bool) -> ScreenLayout {
        ScreenLayout::with_log(area, detail, false)
    }

    /// [`ScreenLayout::compute`] with room for a command's log tail.
    pub fn with_log(area: Rect, detail: bool, log: bool) -> ScreenLayout {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return ScreenLayout {
                area,
                too_small: true,
                ..ScreenLayout::default()
            };
        }
        let detail_rows = if detail && area.height >= 16 {
            DETAIL_ROWS
        } else {
            0
        };
        let x = area.x;
        let w = area.width;
        let mut y = area.y;
        let header = Rect::new(x, y, w, HEADER_ROWS);
        y += HEADER_ROWS;
        let ruler = Rect::new(x, y, w, 1);
        y += 1;
        let log_rows = if log && area.height >= 20 {
            LOG_ROWS
        } else {
            0
        };
        let fixed = HEADER_ROWS + 1 + detail_rows + log_rows + 1;
        let lanes = Rect::new(x, y, w, area.height - fixed);
        y += lanes.height;
        let detail = Rect::new(x, y, w, detail_rows);
        y += detail_rows;
        let log = Rect::new(x, y, w, log_rows);
        y += log_rows;
        let footer = Rect::new(x, y, w, 1);
        ScreenLayout {
            area,
            too_small: false,
            header,
            ruler,
            lanes,
            detail,
            log,
            footer,
        }
    }

    pub fn timeline_x(&self) -> u16 {
        self.lanes.x + LABEL_WIDTH
    }

    /// Columns of time on each lane row.
    pub fn timeline_width(&self) -> u16 {
        self.lanes.width.saturating_sub(LABEL_WIDTH)
    }

    pub fn visible_rows(&self) -> usize {
        usize::from(self.lanes.height)
    }

    /// Screen line `y` → offset among the visible lane rows.
    pub fn lane_line_at(&self, y: u16) -> Option<usize> {
        (!self.too_small && y >= self.lanes.y && y < self.lanes.y + self.lanes.height)
            .then(|| usize::from(y - self.lanes.y))
    }

    /// Screen column `x` → timeline column.
    pub fn timeline_col_at(&self, x: u16) -> Option<u16> {
        let x0 = self.timeline_x();
        (!self.too_small && x >= x0 && x < x0 + self.timeline_width()).then(|| x - x0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_up_and_small_screens_are_flagged() {
        for (w, h, detail) in [
            (80, 24, false),
            (80, 24, true),
            (250, 70, true),
            (40, 10, true),
        ] {
            let l = ScreenLayout::compute(Rect::new(0, 0, w, h), detail);
            assert!(!l.too_small);
            let total = l.header.height
                + l.ruler.height
                + l.lanes.height
                + l.detail.height
                + l.log.height
                + 1;
            assert_eq!(total, h, "{w}x{h}");
            assert_eq!(l.footer.y, h - 1);
            assert_eq!(l.timeline_width(), w - LABEL_WIDTH);
        }
        assert!(ScreenLayout::compute(Rect::new(0, 0, 39, 30), false).too_small);
        assert!(ScreenLayout::compute(Rect::new(0, 0, 10, 5), false).too_small);
        let l = ScreenLayout::compute(Rect::new(0, 0, 80, 24), false);
        assert_eq!(l.lane_line_at(l.lanes.y), Some(0));
        assert_eq!(l.lane_line_at(0), None);
        assert_eq!(l.timeline_col_at(LABEL_WIDTH), Some(0));
        assert_eq!(l.timeline_col_at(3), None);
    }
}
