//! The statistics panel: per function, per core type, per scheduler thread,
//! over the visible range or the whole trace. The numbers are computed by the
//! app (on demand, cached); this only lays them out.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::Theme;
use super::units;
use crate::app::state::StatsScope;
use crate::record::CoreType;
use crate::store::stats::TraceStats;

/// Cores per line of the utilisation strip.
const UTIL_PER_LINE: usize = 48;

/// `·` for an idle core, then `▁` … `█` by eighths of utilisation.
pub fn util_glyph(u: f64) -> char {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if u <= 0.0 {
        return '·';
    }
    BARS[((u * 8.0).ceil() as usize).clamp(1, 8) - 1]
}

fn us(ns: f64) -> String {
    units::micros(ns)
}

fn opt_us(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), us)
}

/// The panel's text, one entry per line.
pub fn lines(s: &TraceStats, scope: StatsScope) -> Vec<String> {
    let mut out = vec![format!(
        "{} · {} tasks over {}",
        match scope {
            StatsScope::Visible => "visible range",
            StatsScope::Whole => "whole trace",
        },
        s.tasks,
        units::duration(s.span_ns)
    )];
    out.push(format!(
        "{:<12} {:>6} {:>9} {:>8} {:>8} {:>7} {:>7} {:>6}",
        "function", "count", "exec µs", "p50", "p99", "head", "tail", "exec%"
    ));
    for f in &s.functions {
        out.push(format!(
            "{:<12} {:>6} {:>9} {:>8} {:>8} {:>7} {:>7} {:>6}",
            f.label.chars().take(12).collect::<String>(),
            f.count,
            us(f.exec_mean_ns),
            us(f.exec_p50_ns as f64),
            us(f.exec_p99_ns as f64),
            opt_us(f.head_mean_ns),
            opt_us(f.tail_mean_ns),
            f.exec_pct
                .map_or_else(|| "-".to_string(), |p| format!("{p:.1}"))
        ));
    }
    for ty in [CoreType::Aic, CoreType::Aiv] {
        let cores: Vec<_> = s.cores.iter().filter(|c| c.core_type == ty).collect();
        if cores.is_empty() {
            continue;
        }
        let mean = cores.iter().map(|c| c.utilisation).sum::<f64>() / cores.len() as f64;
        let busiest = cores
            .iter()
            .max_by(|a, b| a.utilisation.total_cmp(&b.utilisation));
        let idle = cores.iter().filter(|c| c.tasks == 0).count();
        out.push(format!(
            "{} ×{}: util mean {:.1}%{} · {} idle",
            ty.lane_prefix(),
            cores.len(),
            mean * 100.0,
            busiest.map_or_else(String::new, |b| format!(
                " · max {:.1}% ({}_{})",
                b.utilisation * 100.0,
                ty.lane_prefix(),
                b.core
            )),
            idle
        ));
        // Every core's utilisation, one glyph each in core order: too many
        // cores for a row apiece, but the shape (which cores carry the load)
        // is what matters.
        for chunk in cores.chunks(UTIL_PER_LINE) {
            let first = chunk.first().map_or(0, |c| c.core);
            out.push(format!(
                "  {:<7}{}",
                format!("{}_{first}", ty.lane_prefix()),
                chunk
                    .iter()
                    .map(|c| util_glyph(c.utilisation))
                    .collect::<String>()
            ));
        }
    }
    for (lane, threads) in [("Sched", &s.threads), ("Orch", &s.orchestrators)] {
        for t in threads.iter().filter(|t| !t.phases.is_empty()) {
            let shares: Vec<String> = t
                .phases
                .iter()
                .take(4)
                .map(|(n, _, share)| format!("{n} {:.0}%", share * 100.0))
                .collect();
            out.push(format!("{lane}_{}: {}", t.thread, shares.join(" · ")));
        }
    }
    out
}

/// A bordered box at the right of `area`, as wide as its text allows.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    s: &TraceStats,
    scope: StatsScope,
    notes: &[String],
    extra: &[String],
    theme: Theme,
) {
    let mut text = lines(s, scope);
    text.extend(extra.iter().cloned());
    text.extend(notes.iter().map(|n| format!("note: {n}")));
    let want_w = text.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 2;
    let w = want_w.min(area.width);
    let h = (text.len() as u16 + 2).min(area.height);
    if w < 10 || h < 3 {
        return;
    }
    let rect = Rect::new(area.x + area.width - w, area.y, w, h);
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" statistics (t) ")
        .border_style(theme.dim());
    let inner = block.inner(rect);
    block.render(rect, buf);
    for (i, line) in text.iter().take(usize::from(inner.height)).enumerate() {
        buf.set_stringn(
            inner.x,
            inner.y + i as u16,
            line,
            usize::from(inner.width),
            theme.label(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_glyphs_rise_with_load() {
        assert_eq!(util_glyph(0.0), '·');
        assert_eq!(util_glyph(0.01), '▁');
        assert_eq!(util_glyph(0.5), '▄');
        assert_eq!(util_glyph(1.0), '█');
        assert_eq!(util_glyph(1.7), '█');
    }
}
