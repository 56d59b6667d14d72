//! The time ruler: ticks at 1-2-5 steps whose spacing adapts to the zoom,
//! labelled in ns/µs/ms/s relative to the trace origin.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::layout::LABEL_WIDTH;
use crate::app::state::Viewport;
use crate::record::Ns;

/// Columns between ticks, at least.
const MIN_TICK_COLS: f64 = 14.0;

/// The tick step: the smallest 1·10^k, 2·10^k or 5·10^k ns that keeps ticks
/// at least `MIN_TICK_COLS` apart.
pub fn tick_step(vp: &Viewport, width: u16) -> Ns {
    let min_ns = vp.ns_per_col(width) * MIN_TICK_COLS;
    let mut step: Ns = 1;
    loop {
        for m in [1, 2, 5] {
            let s = step.saturating_mul(m);
            if s as f64 >= min_ns {
                return s;
            }
        }
        if step > Ns::MAX / 10 {
            return Ns::MAX;
        }
        step *= 10;
    }
}

/// A tick label: the shortest exact form in the step's unit.
pub fn tick_label(rel_ns: Ns, step: Ns) -> String {
    let (div, unit) = if step >= 1_000_000_000 {
        (1e9, "s")
    } else if step >= 1_000_000 {
        (1e6, "ms")
    } else if step >= 1_000 {
        (1e3, "µs")
    } else {
        (1.0, "ns")
    };
    let v = rel_ns as f64 / div;
    // Enough decimals to tell neighbouring ticks apart.
    let step_units = step as f64 / div;
    let decimals = if step_units >= 1.0 {
        0
    } else {
        (-step_units.log10()).ceil() as usize
    };
    format!("{v:.decimals$}{unit}")
}

/// Draws the ruler line: the origin label in the label column, then ticks.
pub fn draw(buf: &mut Buffer, area: Rect, vp: &Viewport, origin: Ns, style: Style) {
    if area.width <= LABEL_WIDTH || area.height == 0 {
        return;
    }
    let width = area.width - LABEL_WIDTH;
    let step = tick_step(vp, width);
    buf.set_stringn(area.x, area.y, "time", usize::from(LABEL_WIDTH), style);
    if step == Ns::MAX {
        return;
    }
    let rel0 = vp.t0.saturating_sub(origin);
    let first = rel0.div_ceil(step).saturating_mul(step);
    let mut rel = first;
    let x0 = area.x + LABEL_WIDTH;
    let mut next_free: u16 = 0;
    while rel <= rel0 + vp.span {
        let col = vp.col_of(origin + rel, width);
        if col >= 0 && col < i64::from(width) {
            let col = col as u16;
            if col >= next_free {
                let text = format!("┊{}", tick_label(rel, step));
                let room = usize::from(width - col);
                buf.set_stringn(x0 + col, area.y, &text, room, style);
                next_free = col + text.chars().count() as u16 + 1;
            }
        }
        rel = rel.saturating_add(step);
        if rel == Ns::MAX {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_zoom() {
        let vp = Viewport {
            t0: 0,
            span: 1_000_000,
        };
        // 1 ms over 100 columns = 10 µs per column → ≥ 140 µs → 200 µs.
        assert_eq!(tick_step(&vp, 100), 200_000);
        let vp = Viewport { t0: 0, span: 1_000 };
        assert_eq!(tick_step(&vp, 100), 200);
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(tick_label(200_000, 200_000), "200µs");
        assert_eq!(tick_label(1_200_000, 200_000), "1200µs");
        assert_eq!(tick_label(3_000_000, 1_000_000), "3ms");
        assert_eq!(tick_label(400, 200), "400ns");
        assert_eq!(tick_label(2_500_000_000, 500_000_000), "2500ms");
        assert_eq!(tick_label(3_000_000_000, 1_000_000_000), "3s");
    }

    #[test]
    fn ruler_draws_ticks_with_units() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 1));
        let vp = Viewport {
            t0: 1_000_000,
            span: 700_000,
        };
        draw(
            &mut buf,
            Rect::new(0, 0, 80, 1),
            &vp,
            1_000_000,
            Style::default(),
        );
        let line: String = (0..80).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert!(line.starts_with("time"), "{line}");
        assert!(line.contains("┊0µs"), "{line}");
        assert!(line.contains("┊200µs"), "{line}");
    }
}
