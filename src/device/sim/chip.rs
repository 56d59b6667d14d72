//! The static shape of the simulated chip: which cores exist, how they form
//! clusters, and which AICPU scheduler thread owns each (spec §2.3, §2.4,
//! §10.1).

use std::collections::BTreeMap;

use crate::record::{CoreType, DeviceInfo};

use super::Topology;
use super::clock::CLOCK_HZ;
use super::workload::Workload;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Index = core id: AIC `0..aic`, then AIV.
    pub core_types: Vec<CoreType>,
    /// Index = core id: owning scheduler thread.
    pub core_thread: Vec<u16>,
    /// Index = scheduler thread: its cores, ascending (AIC before AIV).
    pub thread_cores: Vec<Vec<u32>>,
}

impl Layout {
    pub fn new(t: Topology) -> Layout {
        let n = (t.aic + t.aiv) as usize;
        let mut core_types = Vec::with_capacity(n);
        let mut core_thread = Vec::with_capacity(n);
        let threads = u32::from(t.sched_threads.max(1));
        for core in 0..t.aic + t.aiv {
            let (ty, cluster) = if core < t.aic {
                (CoreType::Aic, core)
            } else {
                // AIV j sits in cluster j/2 (two AIV per cluster); extra AIV
                // beyond 2·aic wrap round the clusters.
                (CoreType::Aiv, ((core - t.aic) / 2) % t.aic.max(1))
            };
            core_types.push(ty);
            // Clusters are dealt round-robin to the scheduler threads.
            core_thread.push((cluster % threads) as u16);
        }
        let mut thread_cores = vec![Vec::new(); threads as usize];
        for (core, th) in core_thread.iter().enumerate() {
            thread_cores[usize::from(*th)].push(core as u32);
        }
        Layout {
            core_types,
            core_thread,
            thread_cores,
        }
    }

    pub fn num_cores(&self) -> usize {
        self.core_types.len()
    }
}

/// What `info()` reports for a simulated run.
pub fn device_info(t: Topology, layout: &Layout, wl: &Workload, seed: u64) -> DeviceInfo {
    let func_names: BTreeMap<i32, String> =
        wl.funcs.iter().map(|f| (f.id, f.name.clone())).collect();
    DeviceInfo {
        source: format!("sim {} seed {seed}", wl.name),
        clock_hz: CLOCK_HZ,
        core_types: layout.core_types.clone(),
        core_to_thread: layout.core_thread.iter().map(|t| i32::from(*t)).collect(),
        sched_threads: t.sched_threads,
        aicpu_threads: t.sched_threads + 1,
        func_names,
        orchestrator_name: Some(wl.name.clone()),
        case_name: Some(wl.name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_chip_follows_the_cluster_rule() {
        let l = Layout::new(Topology::default());
        assert_eq!(l.num_cores(), 72);
        assert!(l.core_types[..24].iter().all(|t| *t == CoreType::Aic));
        assert!(l.core_types[24..].iter().all(|t| *t == CoreType::Aiv));
        // Cluster 4 = {AIC 4, AIV 32, AIV 33} → thread 4 mod 3 = 1.
        assert_eq!(l.core_thread[4], 1);
        assert_eq!(l.core_thread[32], 1);
        assert_eq!(l.core_thread[33], 1);
        // Each of 3 threads owns 8 clusters = 8 AIC + 16 AIV.
        for cores in &l.thread_cores {
            assert_eq!(cores.len(), 24);
        }
    }

    #[test]
    fn odd_shapes_wrap_extra_aiv_round_the_clusters() {
        let l = Layout::new(Topology {
            aic: 2,
            aiv: 6,
            sched_threads: 2,
        });
        // AIV j → cluster (j/2) mod 2: j = 0,1 → 0; 2,3 → 1; 4,5 → 0.
        assert_eq!(l.core_thread, vec![0, 1, 0, 0, 1, 1, 0, 0]);
        let l = Layout::new(Topology {
            aic: 1,
            aiv: 0,
            sched_threads: 3,
        });
        assert_eq!(l.thread_cores, vec![vec![0], vec![], vec![]]);
    }
}
