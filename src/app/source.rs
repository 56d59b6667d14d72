//! Builds the device the user asked for from merged settings.

use super::cli::Speed;
use super::config::SimSettings;
use crate::device::DeviceError;
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
    let read = super::headless::read_options(siblings, None);
    let load: crate::device::file::Loader = Box::new(move |p| {
        crate::capture::formats::read_capture_with(p, &read)
            .map(|(c, stats)| (c, stats.messages()))
            .map_err(|e| e.to_string())
    });
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
