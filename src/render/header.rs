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
}

/// Why a level shows less: said in the header so a missing arrow is not a bug.
pub fn level_note(flags: DfxFlags) -> Option<&'static str> {
    if flags.is_empty() || !flags.aicore_timing() {
        Some("profiling off: device progress only")
    } else if !flags.task_lifecycle() {
        Some("level 1: no dispatch/finish marks or fanout (use --level 2)")
    } else if !flags.phase_buffers() {
        Some("no scheduler phases (use --level 3)")
    } else {
        None
    }
}

/// One line, fields separated by `│`.
pub fn header_text(h: &HeaderModel) -> String {
    let mut parts = vec![h.source.clone(), h.flags.to_string()];
    if let Some(r) = h.round {
        parts.push(format!("round {r}"));
    }
    parts.push(if h.following { "following" } else { "paused" }.to_string());
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
    parts.push(rec);
    parts.push(units::rate(h.ingest_per_s));
    if let Some(d) = h.round_device_ns {
        let mut s = format!("device {}", units::duration(d));
        if let Some(o) = h.round_overhead_ns.filter(|o| *o > 0) {
            s.push_str(&format!(" · dfx cost Σ{}", units::duration(o)));
        }
        parts.push(s);
    }
    parts.join(" │ ")
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
            },
            ingest_per_s: 2500.0,
            round_device_ns: Some(812_400),
            round_overhead_ns: Some(12_100),
        };
        assert_eq!(
            header_text(&h),
            "sim paged_attention seed 7 │ L2 [aicore-timing|task-lifecycle] │ round 3 │ following │ \
             records 12.0k produced · 11.0k delivered · 1000 dropped │ 2500/s │ device 812.4 µs · dfx cost Σ12.10 µs"
        );
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
