//! Building [`DeviceInfo`] from what a file says, filling gaps the way the
//! chip is laid out (spec §2.3, §2.4).

use std::path::Path;

use super::error::FormatError;
use super::json::Int;
use crate::record::{CoreType, DeviceInfo, MAX_AICPU_THREADS};

/// `metadata.core_to_thread` / `core_to_thread`: each core's scheduler
/// thread, −1 for none; an index no chip has is refused (a thread count of
/// 2^33 once overflowed the arithmetic after it: fuzz finding).
pub fn core_to_thread(
    values: Option<&Vec<Int>>,
    path: &Path,
    key: &str,
) -> Result<Vec<i32>, FormatError> {
    const MAX: i64 = MAX_AICPU_THREADS as i64;
    values
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| match v.to_i64() {
            t @ -1..MAX => Ok(t as i32),
            other => Err(FormatError::key(
                path,
                &format!("{key}[{i}]"),
                format!("expected a thread index below {MAX} (or -1), found {other}"),
            )),
        })
        .collect()
}

/// a2a3's system counter (spec §2.2); legacy files do not record it.
pub const A2A3_CLOCK_HZ: u64 = 50_000_000;

/// The runtime's default `aicpu_thread_num` (three schedulers + orchestrator).
pub const DEFAULT_AICPU_THREADS: u16 = 4;

/// Cores `0 … block_dim−1` are AIC and the rest AIV, with
/// `num_cores = 3 × block_dim`. Used only for cores a file never mentions.
pub fn layout_core_type(core: usize, num_cores: usize) -> CoreType {
    if num_cores % 3 == 0 && core < num_cores / 3 {
        CoreType::Aic
    } else {
        CoreType::Aiv
    }
}

/// `known[i]` where given, the chip layout elsewhere.
pub fn fill_core_types(known: &[Option<CoreType>]) -> Vec<CoreType> {
    let n = known.len();
    known
        .iter()
        .enumerate()
        .map(|(i, t)| t.unwrap_or_else(|| layout_core_type(i, n)))
        .collect()
}

/// A DeviceInfo with nothing known yet but where it came from.
pub fn empty(path: &Path) -> DeviceInfo {
    DeviceInfo {
        source: path.display().to_string(),
        clock_hz: A2A3_CLOCK_HZ,
        core_types: Vec::new(),
        core_to_thread: Vec::new(),
        sched_threads: DEFAULT_AICPU_THREADS - 1,
        aicpu_threads: DEFAULT_AICPU_THREADS,
        func_names: Default::default(),
        orchestrator_name: None,
        case_name: None,
    }
}

/// Thread indices beyond u16 never occur; clamp rather than fail.
pub fn thread_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// `[aic, aiv, mix]` ready-queue depths, kept only when the shape is right.
pub fn depths(v: Option<&Vec<i64>>) -> Option<[i16; 3]> {
    let v = v?;
    if v.len() != 3 {
        return None;
    }
    let c = |x: i64| x.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
    Some([c(v[0]), c(v[1]), c(v[2])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_fills_unknown_cores() {
        let t = fill_core_types(&[None, Some(CoreType::Aic), None]);
        assert_eq!(t, vec![CoreType::Aic, CoreType::Aic, CoreType::Aiv]);
        assert_eq!(layout_core_type(7, 24), CoreType::Aic);
        assert_eq!(layout_core_type(8, 24), CoreType::Aiv);
    }
}
