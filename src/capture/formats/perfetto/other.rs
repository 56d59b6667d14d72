//! `otherData`: what swimtop records about the capture beyond the events
//! (trace viewers ignore it; Chrome's format keeps it as string pairs), so
//! its own traces read back with the same absolute times and device.

use std::fmt::Write as _;

use super::super::json::write_str;
use super::plan::Plan;

/// Marks a trace as swimtop's, and names the version that wrote it.
pub const PRODUCER: &str = concat!("swimtop ", env!("CARGO_PKG_VERSION"));

pub fn write(plan: &Plan<'_>, s: &mut String) {
    let c = plan.c;
    let info = &c.info;
    let mut pairs: Vec<(&str, String)> = vec![
        ("producer", PRODUCER.to_string()),
        ("time_base_ns", plan.base.to_string()),
        ("clock_hz", info.clock_hz.to_string()),
        ("chip_swimlane_level", c.chip_swimlane_level().to_string()),
        ("dfx_flags", format!("{:#x}", c.flags.bits())),
        (
            "core_types",
            join(info.core_types.iter().map(|t| t.as_str())),
        ),
        ("core_to_thread", join(info.core_to_thread.iter())),
        ("sched_threads", info.sched_threads.to_string()),
        ("aicpu_threads", info.aicpu_threads.to_string()),
    ];
    if let Some(case) = &info.case_name {
        pairs.push(("case_name", case.clone()));
    }
    // Also in the orchestrator's process name, when there is one.
    if let Some(name) = &info.orchestrator_name {
        pairs.push(("orchestrator_name", name.clone()));
    }
    s.push('{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "\"{k}\": ");
        write_str(s, v);
    }
    s.push('}');
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let mut s = String::new();
    for (i, x) in items.enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{x}");
    }
    s
}
