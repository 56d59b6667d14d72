//! The device a trace was made from, as far as the trace says: cores and
//! their types from lane names, scheduler threads, names; swimtop's own
//! `otherData` fills in the rest exactly.

use std::collections::BTreeMap;
use std::path::Path;

use super::other::Other;
use super::read::Lanes;
use crate::capture::formats::info;
use crate::record::{CoreType, DeviceInfo, SchedPhaseRecord, TaskRecord};

pub fn device_info(
    path: &Path,
    other: &Other,
    lanes: &Lanes,
    tasks: &[TaskRecord],
    sched: &[SchedPhaseRecord],
    func_names: BTreeMap<i32, String>,
) -> DeviceInfo {
    let mut di = info::empty(path);
    let declared = other.core_types.as_ref().map_or(0, Vec::len);
    let named = lanes
        .cores
        .iter()
        .map(|(c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let used = tasks
        .iter()
        .map(|t| t.core_id as usize + 1)
        .max()
        .unwrap_or(0);
    // A trace names only cores that ran something. AIC cores are
    // `0 … block_dim−1` and the chip has `3·block_dim` (spec §2.3), so the
    // first AIV core above every AIC core gives the chip's size.
    let first_aiv = lanes
        .cores
        .iter()
        .filter(|(_, t)| *t == CoreType::Aiv)
        .map(|(c, _)| *c as usize)
        .min();
    let last_aic = lanes
        .cores
        .iter()
        .filter(|(_, t)| *t == CoreType::Aic)
        .map(|(c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let by_layout = match first_aiv {
        Some(b) if declared == 0 && b > 0 && last_aic <= b => 3 * b,
        _ => 0,
    };
    let n = declared.max(named).max(used).max(by_layout);
    let mut known: Vec<Option<CoreType>> = vec![None; n];
    for (i, ty) in other.core_types.iter().flatten().enumerate() {
        known[i] = Some(*ty);
    }
    for &(c, ty) in &lanes.cores {
        let slot = &mut known[c as usize];
        slot.get_or_insert(ty);
    }
    di.core_types = info::fill_core_types(&known);
    di.core_to_thread = other.core_to_thread.clone().unwrap_or_default();
    let by_records = sched
        .iter()
        .map(|r| usize::from(r.thread) + 1)
        .max()
        .unwrap_or(0);
    let by_map = di
        .core_to_thread
        .iter()
        .map(|&t| (i64::from(t) + 1).max(0) as usize)
        .max()
        .unwrap_or(0);
    let sched_n = by_records.max(by_map);
    let lists = usize::from(lanes.sched_lists);
    di.aicpu_threads = other.aicpu_threads.unwrap_or_else(|| {
        info::thread_index(
            usize::from(info::DEFAULT_AICPU_THREADS)
                .max(sched_n + 1)
                .max(lists),
        )
    });
    di.sched_threads = other.sched_threads.unwrap_or(if sched_n == 0 {
        di.aicpu_threads.saturating_sub(1)
    } else {
        info::thread_index(sched_n)
    });
    if let Some(hz) = other.clock_hz {
        di.clock_hz = hz;
    }
    di.func_names = func_names;
    di.orchestrator_name = lanes
        .orchestrator_name
        .clone()
        .or_else(|| other.orchestrator_name.clone());
    di.case_name = other.case_name.clone();
    di
}
