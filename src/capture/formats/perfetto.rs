//! Chrome-trace / Perfetto JSON (`merged_swimlane.json`, spec §9): the
//! layout the runtime's converter writes, produced from a [`Capture`].
//!
//! Times in a trace are µs relative to an origin (spec §5.5). The writer
//! prints them as exact decimals computed from integer ns, never through a
//! float.
//!
//! [`Capture`]: crate::record::Capture

mod completes;
mod edges;
mod groups;
mod hash;
mod label;
mod layout;
mod num;
mod other;
mod plan;
mod write;
mod write_completions;
mod write_flows;
mod write_phases;
mod write_tasks;

pub use label::{func_label, task_label};
pub use plan::time_base;
pub use write::write;
