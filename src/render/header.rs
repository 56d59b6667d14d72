//! The header line: what is being watched, at which level, and whether every
//! record made it. Shared by the status-line mode and the TUI header.

use crate::capture::accounting::Counts;
use crate::dfx::DfxFlags;
use crate::record::Ns;
use crate::render::units;

/// Everything the header shows, already computed by the app.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderModel {
    pub source: String,
    pub flags: DfxFlags,
    /// Latest finished round, if any.
    pub round: Option<u32>,
    pub following: bool,
    pub counts: Counts,
    /// Records ingested per wall second, recent average.
    pub ingest_per_s: f64,
    /// Device time of the latest round and its modelled instrumentation share.
    pub round_device_ns: Option<Ns>,
    pub round_overhead_ns: Option<Ns>,
    /// The width of the visible window (TUI only).
    pub view_span_ns: Option<Ns>,
    /// How the device is doing when it is not simply running: `finished`,
    /// `device failed: …`, `loading …`.
    pub status: Option<String>,
    /// Notes about what the capture lacks (listed in the statistics panel).
    pub notes: usize,
}

/// Why a level shows less: said in the header so a missing arrow is not a bug.
pub fn level_note(flags: DfxFlags) -> Option<&'static str> {
    if flags.is_empty() || !flags.aicore_timing() {
        Some("profiling off: device progress only")
    } else if !flags.task_lifecycle() {
        Some("no dispatch/finish or fanout at L1 (--level 2)")
    } else if !flags.phase_buffers() {
        Some("no phases at L2 (--level 3)")
    } else {
        None
    }
}

/// A header field: its text, a shorter form for a terminal too narrow for
/// the line even without the fields that may go, and how much it matters
/// (0 is never dropped; on a narrow terminal the highest numbers go first).
struct Part {
    text: String,
    short: Option<String>,
    rank: u8,
}

fn part(text: impl Into<String>, rank: u8) -> Part {
    Part {
        text: text.into(),
        short: None,
        rank,
    }
}

/// What the device is and where the view is.
fn identity_parts(h: &HeaderModel, with_note: bool) -> Vec<Part> {
    let level = Part {
        short: Some(format!("L{}", h.flags.level().get())),
        ..part(h.flags.to_string(), 0)
    };
    let mut parts = vec![part(h.source.clone(), 3), level];
    if let Some(r) = h.round {
        parts.push(part(format!("round {r}"), 2));
    }
    parts.push(part(if h.following { "following" } else { "paused" }, 0));
    if let Some(s) = &h.status {
        parts.push(part(s.clone(), 0));
    }
    if with_note && let Some(note) = level_note(h.flags) {
        parts.push(part(note, 1));
    }
    if h.notes > 0 {
        let s = if h.notes == 1 { "" } else { "s" };
        parts.push(part(format!("⚠ {} note{s} (t lists)", h.notes), 1));
    }
    parts
}

/// Whether every record made it, and how fast they come.
fn flow_parts(h: &HeaderModel) -> Vec<Part> {
    let c = &h.counts;
    let mut rec = format!(
        "records {} produced · {} delivered · {} dropped",
        units::count(c.produced),
        units::count(c.delivered),
        units::count(c.dropped)
    );
    if c.evicted > 0 {
        rec.push_str(&format!(" · {} evicted", units::count(c.evicted)));
    }
    let mut parts = vec![part(rec, 0), part(units::rate(h.ingest_per_s), 1)];
    if let Some(v) = h.view_span_ns {
        parts.push(part(format!("view {}", units::duration(v)), 2));
    }
    if let Some(d) = h.round_device_ns {
        parts.push(part(format!("device {}", units::duration(d)), 3));
        if let Some(o) = h.round_overhead_ns.filter(|o| *o > 0) {
            parts.push(part(format!("dfx cost Σ{}", units::duration(o)), 4));
        }
    }
    parts
}

const SEP: &str = " │ ";

/// Joins parts, dropping the least important until the line fits `width`;
/// if what must stay is still too wide, its short forms are used, and a line
/// that still does not fit ends in `…` rather than mid-word at the edge.
fn fit(mut parts: Vec<Part>, width: usize) -> String {
    let join = |parts: &[Part]| {
        parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(SEP)
    };
    loop {
        let text = join(&parts);
        if text.chars().count() <= width {
            return text;
        }
        let Some(worst) = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.rank > 0)
            .max_by_key(|(i, p)| (p.rank, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(worst);
    }
    for p in &mut parts {
        if let Some(short) = p.short.take() {
            p.text = short;
        }
    }
    let text = join(&parts);
    if text.chars().count() <= width {
        return text;
    }
    let cut: String = text.chars().take(width.saturating_sub(1)).collect();
    if width == 0 {
        return cut;
    }
    format!("{}…", cut.trim_end())
}

/// One line, fields separated by `│` (the status-line mode).
pub fn header_text(h: &HeaderModel) -> String {
    let mut parts = identity_parts(h, false);
    parts.extend(flow_parts(h));
    fit(parts, usize::MAX)
}

/// The TUI's two header lines for a terminal `width` columns wide.
pub fn header_lines(h: &HeaderModel, width: u16) -> [String; 2] {
    let w = usize::from(width);
    [fit(identity_parts(h, true), w), fit(flow_parts(h), w)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dfx::Level;

    #[test]
    fn header_names_level_in_words_and_all_counters() {
        let h = HeaderModel {
            source: "sim paged_attention seed 7".into(),
            flags: Level::new(2).unwrap().flags(),
            round: Some(3),
            following: true,
            counts: Counts {
                produced: 12_000,
                delivered: 11_000,
                dropped: 1_000,
                evicted: 0,
                log_dropped: 0,
            },
            ingest_per_s: 2500.0,
            round_device_ns: Some(812_400),
            round_overhead_ns: Some(12_100),
            view_span_ns: None,
            status: None,
            notes: 0,
        };
        assert_eq!(
            header_text(&h),
            "sim paged_attention seed 7 │ L2 [aicore-timing|task-lifecycle] │ round 3 │ following │ \
             records 12.0k produced · 11.0k delivered · 1000 dropped │ 2500/s │ device 812.4 µs │ dfx cost Σ12.10 µs"
        );
        // Narrow: the level, the state, why the level shows less and the
        // counters survive; the rest goes.
        let [a, b] = header_lines(&h, 80);
        assert_eq!(
            a,
            "L2 [aicore-timing|task-lifecycle] │ following │ no phases at L2 (--level 3)"
        );
        assert!(b.starts_with("records 12.0k produced"), "{b}");
        assert!(b.chars().count() <= 80);
        let [a, _] = header_lines(&h, 50);
        assert_eq!(a, "L2 [aicore-timing|task-lifecycle] │ following");
        // Narrower than what must stay: the level's short form, then a cut
        // that says so.
        let [a, _] = header_lines(&h, 30);
        assert_eq!(a, "L2 │ following");
        let long = HeaderModel {
            status: Some("finished: 1 round(s), 64 tasks".into()),
            ..h.clone()
        };
        let [a, _] = header_lines(&long, 40);
        assert_eq!(a, "L2 │ following │ finished: 1 round(s),…");
        assert!(a.chars().count() <= 40);
    }

    #[test]
    fn notes_explain_what_a_level_lacks() {
        assert!(level_note(Level::OFF.flags()).unwrap().contains("off"));
        assert!(
            level_note(Level::new(1).unwrap().flags())
                .unwrap()
                .contains("no dispatch")
        );
        assert!(
            level_note(Level::new(2).unwrap().flags())
                .unwrap()
                .contains("phases")
        );
        assert_eq!(level_note(Level::new(3).unwrap().flags()), None);
    }
}
