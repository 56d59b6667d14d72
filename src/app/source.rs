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
