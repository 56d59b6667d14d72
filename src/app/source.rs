//! Builds the device the user asked for from merged settings.

use std::path::Path;

use super::cli::Speed;
use super::config::SimSettings;
use crate::capture::formats::{Progress, ReadOptions};
use crate::device::DeviceError;
use crate::device::file::{FileDevice, Loader, StoreLoader};
use crate::device::sim::workload::Workload;
use crate::device::sim::{Pacing, SimConfig, SimDevice, Topology};

/// The simulated chip; `dep_gen` asks for the submit records deps.json needs.
pub fn sim_device(s: &SimSettings, dep_gen: bool) -> Result<SimDevice, DeviceError> {
    let workload = Workload::resolve(&s.workload, s.seed)?;
    SimDevice::new(SimConfig {
        workload,
        seed: s.seed,
        topology: Topology {
            aic: s.aic,
            aiv: s.aiv,
            sched_threads: s.sched_threads,
        },
        rounds: s.rounds,
        pacing: match s.speed {
            Speed::Max => Pacing::AsFastAsPossible,
            Speed::DeviceNsPerSecond(n) => Pacing::Paced {
                device_ns_per_wall_s: n,
            },
        },
        dep_gen,
    })
}

/// `--repeat`: absent = one run, bare (0) = until quit.
pub fn repeat_of(r: &super::cli::RuntimeArgs) -> Option<u32> {
    match r.repeat {
        None => Some(1),
        Some(0) => None,
        Some(n) => Some(n),
    }
}

/// Reads a capture whole, with its sibling files (a paced replay, the
/// capture of a driven run).
pub fn capture_loader(read: ReadOptions) -> Loader {
    Box::new(move |p| {
        crate::capture::formats::read_capture_with(p, &read)
            .map(|(c, stats)| (c, stats.messages()))
            .map_err(|e| e.to_string())
    })
}

/// A capture file as a device: loaded straight into a store and handed
/// over at once, or replayed at `replay` device time per second. `progress`
/// is what the loading screen watches.
pub fn file_device(
    path: &Path,
    siblings: &super::cli::SiblingArgs,
    progress: Option<Progress>,
    replay: Option<Speed>,
) -> FileDevice {
    let read = super::headless::read_options(siblings, progress);
    let whole = read.clone();
    let load_store: StoreLoader = Box::new(move |p| {
        crate::capture::load::load_store(p, &read)
            .map(|(s, stats)| (s, stats.messages()))
            .map_err(|e| e.to_string())
    });
    let dev =
        FileDevice::new(path.to_path_buf(), capture_loader(whole)).with_store_loader(load_store);
    match replay {
        Some(Speed::DeviceNsPerSecond(n)) => {
            dev.paced(n, Box::new(crate::device::RealClock::default()))
        }
        _ => dev,
    }
}

/// The real runtime's command, and the handle that asks it to retry a run.
pub fn runtime_device(
    r: &super::cli::RuntimeArgs,
    siblings: &super::cli::SiblingArgs,
) -> Result<
    (
        crate::device::runtime::RuntimeDevice,
        crossbeam_channel::Sender<crate::device::runtime::RuntimeControl>,
    ),
    DeviceError,
> {
    use crate::device::runtime::{
        DEFAULT_LEVEL_ARGS, RuntimeConfig, RuntimeDevice, parse_level_args,
    };
    let level_args = match &r.level_arg {
        Some(t) => t.0.clone(),
        None => parse_level_args(DEFAULT_LEVEL_ARGS).map_err(DeviceError::Config)?,
    };
    let load = capture_loader(super::headless::read_options(siblings, None));
    RuntimeDevice::new(RuntimeConfig {
        command: r.command.clone(),
        level_args,
        dep_gen: r.dep_gen,
        outputs: r.outputs.clone().unwrap_or_else(|| "outputs".into()),
        repeat: repeat_of(r),
        grace: std::time::Duration::from_secs(2),
        load,
    })
}
