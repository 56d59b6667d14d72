//! The detail panel: everything about the selected task, times relative to
//! the trace origin, and the neighbours `[` and `]` jump to.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::lanes::selected_row;
use super::theme::Theme;
use crate::app::state::Selection;
use crate::record::{Ns, TaskId};
use crate::store::TraceStore;

/// `12.340µs` from the origin, exact to the ns.
pub fn rel_us(t: Ns, origin: Ns) -> String {
    let (sign, d) = if t >= origin {
        ("", t - origin)
    } else {
        ("-", origin - t)
    };
    format!("{sign}{}.{:03}µs", d / 1000, d % 1000)
}

fn dur_us(d: Option<Ns>) -> String {
    d.map_or_else(
        || "-".to_string(),
        |d| format!("{}.{:03}µs", d / 1000, d % 1000),
    )
}

/// Up to `max` neighbour labels, then `+N`.
fn neighbours(store: &TraceStore, ids: &[TaskId], max: usize) -> String {
    let mut parts: Vec<String> = ids
        .iter()
        .take(max)
        .map(|&id| {
            store
                .find_task(id)
                .first()
                .and_then(|&r| store.get_task(r))
                .map_or_else(|| format!("{id}"), |t| store.task_label(&t))
        })
        .collect();
    if ids.len() > max {
        parts.push(format!("+{}", ids.len() - max));
    }
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(" ")
    }
}

pub fn lines(store: &TraceStore, sel: Selection, origin: Ns) -> Vec<String> {
    let Some(t) = selected_row(store, sel) else {
        return vec![format!(
            "selected task {} on {} is no longer in memory (evicted); Esc clears the selection",
            sel.task,
            store.lane_label(crate::store::LaneId::Core(sel.core))
        )];
    };
    let mut out = vec![format!(
        "{} · func {} · {} · ring {} local {} · reg {} · round {}",
        store.task_label(&t),
        t.func_id,
        store.lane_label(crate::store::LaneId::Core(t.core_id)),
        t.task_id.ring(),
        t.task_id.local(),
        t.reg_task_id,
        t.round
    )];
    let at = |v: Option<Ns>| v.map_or_else(|| "-".to_string(), |v| rel_us(v, origin));
    out.push(format!(
        "dispatch {} → start {} → end {} → finish {}",
        at(t.dispatch_ns),
        rel_us(t.start_ns, origin),
        rel_us(t.end_ns, origin),
        at(t.finish_ns)
    ));
    let latency = t
        .dispatch_ns
        .zip(t.finish_ns)
        .map(|(d, f)| f.saturating_sub(d));
    out.push(format!(
        "exec {} · head {} · tail {} · dispatch→finish {}",
        dur_us(Some(t.exec_ns())),
        dur_us(t.head_overhead_ns()),
        dur_us(t.tail_overhead_ns()),
        dur_us(latency)
    ));
    let preds = store.predecessors(t.task_id);
    let succs = store.successors(t.task_id);
    out.push(if store.flags().task_lifecycle() {
        format!(
            "pred {}: {} · succ {}: {}  ([ ] follow)",
            preds.len(),
            neighbours(store, preds, 3),
            succs.len(),
            neighbours(store, succs, 4)
        )
    } else {
        "no fanout at this level (level 2 records it)".to_string()
    });
    out
}

pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    store: &TraceStore,
    sel: Selection,
    origin: Ns,
    theme: Theme,
) {
    let rule: String = "─".repeat(usize::from(area.width));
    for (i, line) in std::iter::once(rule)
        .chain(lines(store, sel, origin))
        .take(usize::from(area.height))
        .enumerate()
    {
        let style = if i == 0 { theme.dim() } else { theme.label() };
        buf.set_stringn(
            area.x,
            area.y + i as u16,
            &line,
            usize::from(area.width),
            style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_are_exact() {
        assert_eq!(rel_us(1_620 + 5, 5), "1.620µs");
        assert_eq!(rel_us(5, 1_005), "-1.000µs");
        assert_eq!(dur_us(None), "-");
        assert_eq!(dur_us(Some(260)), "0.260µs");
    }
}
