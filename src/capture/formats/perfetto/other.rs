//! `otherData`: what swimtop records about the capture beyond the events
//! (trace viewers ignore it; Chrome's format keeps it as string pairs), so
//! its own traces read back with the same absolute times and device.

use std::fmt::Write as _;

use super::super::json::write_str;
use super::plan::Plan;
use crate::dfx::DfxFlags;
use crate::record::CoreType;

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

/// What a swimtop trace's `otherData` says; all absent for the converter's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Other {
    pub swimtop: bool,
    pub time_base_ns: Option<u64>,
    pub clock_hz: Option<u64>,
    pub level: Option<u8>,
    pub flags: Option<DfxFlags>,
    pub core_types: Option<Vec<CoreType>>,
    pub core_to_thread: Option<Vec<i32>>,
    pub sched_threads: Option<u16>,
    pub aicpu_threads: Option<u16>,
    pub case_name: Option<String>,
    pub orchestrator_name: Option<String>,
}

impl Other {
    /// Reads the string pairs; a value that does not parse is left absent
    /// (the events still stand on their own).
    pub fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Other {
        let mut o = Other::default();
        for (k, v) in pairs {
            match k {
                "producer" => o.swimtop = v.starts_with("swimtop"),
                "time_base_ns" => o.time_base_ns = v.parse().ok(),
                "clock_hz" => o.clock_hz = v.parse().ok().filter(|&hz| hz > 0),
                "chip_swimlane_level" => o.level = v.parse().ok().filter(|l| (1..=4).contains(l)),
                "dfx_flags" => o.flags = DfxFlags::parse(v).ok(),
                "core_types" => o.core_types = list(v, CoreType::parse),
                "core_to_thread" => o.core_to_thread = list(v, |x| x.parse().ok()),
                "sched_threads" => o.sched_threads = v.parse().ok(),
                "aicpu_threads" => o.aicpu_threads = v.parse().ok(),
                "case_name" => o.case_name = Some(v.to_string()),
                "orchestrator_name" => o.orchestrator_name = Some(v.to_string()),
                _ => {}
            }
        }
        if !o.swimtop {
            // Someone else's otherData: none of these keys are ours.
            return Other::default();
        }
        o
    }
}

fn list<T>(v: &str, item: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    if v.is_empty() {
        return Some(Vec::new());
    }
    v.split(',').map(|x| item(x.trim())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_other_data_is_ignored() {
        let o = Other::from_pairs([("time_base_ns", "5")].into_iter());
        assert_eq!(o, Other::default());
        let o = Other::from_pairs(
            [
                ("producer", "swimtop 0.1.0"),
                ("time_base_ns", "40000000000"),
                ("core_types", "aic,aiv"),
                ("core_to_thread", ""),
                ("dfx_flags", "0x3"),
                ("clock_hz", "x"),
            ]
            .into_iter(),
        );
        assert_eq!(o.time_base_ns, Some(40_000_000_000));
        assert_eq!(o.core_types, Some(vec![CoreType::Aic, CoreType::Aiv]));
        assert_eq!(o.core_to_thread, Some(vec![]));
        assert_eq!(o.flags.map(|f| f.bits()), Some(3));
        assert_eq!(o.clock_hz, None);
    }
}
