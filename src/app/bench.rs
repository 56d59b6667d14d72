//! `swimtop bench` (and `cargo bench --bench sim_throughput`): what each
//! profiling level costs, on the same seed, through the real pipeline
//! (device → capture thread → channel → trace store → writers).

use std::io::Write;
use std::time::{Duration, Instant};

use super::config::SimSettings;
use super::headless::collect;
use super::source::sim_device;
use crate::capture::formats::{legacy_json, raw};
use crate::capture::thread::{CaptureConfig, CaptureHandle};
use crate::device::RunSummary;
use crate::dfx::Level;
use crate::render::units;

/// One level's best run.
#[derive(Debug, Clone)]
pub struct LevelFigures {
    pub level: Level,
    pub tasks: u64,
    pub records: u64,
    pub wall: Duration,
    pub swimlane_bytes: u64,
    pub chip_bytes: u64,
    pub device_time_ns: u64,
    pub overhead_ns: u64,
}

impl LevelFigures {
    pub fn tasks_per_s(&self) -> f64 {
        self.tasks as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    pub fn wall_per_task_ns(&self) -> f64 {
        self.wall.as_nanos() as f64 / self.tasks.max(1) as f64
    }
}

/// Counts bytes instead of keeping them.
#[derive(Default)]
struct ByteCounter(u64);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_level(sim: &SimSettings, level: Level) -> anyhow::Result<(LevelFigures, RunSummary)> {
    let device = sim_device(sim, false)?;
    let started = Instant::now();
    let mut handle =
        CaptureHandle::spawn(Box::new(device), level.flags(), CaptureConfig::lossless());
    let collected = collect(&mut handle, |_, _, _| {}, |_| {})?;
    let wall = started.elapsed();
    let (mut swimlane, mut chip) = (ByteCounter::default(), ByteCounter::default());
    if level > Level::OFF {
        let capture = collected.store.to_capture();
        legacy_json::write(&capture, &mut swimlane)?;
        raw::write(&capture, &mut chip)?;
    }
    let s = &collected.summary;
    Ok((
        LevelFigures {
            level,
            tasks: s.tasks,
            records: collected.counts.delivered,
            wall,
            swimlane_bytes: swimlane.0,
            chip_bytes: chip.0,
            device_time_ns: s.device_time_ns,
            overhead_ns: s.overhead_ns,
        },
        s.clone(),
    ))
}

/// Runs levels 0..3 `repeat` times each (best wall time kept) and prints a table.
pub fn run(
    sim: &SimSettings,
    repeat: u32,
    out: &mut dyn Write,
) -> anyhow::Result<Vec<LevelFigures>> {
    writeln!(
        out,
        "swimtop bench: workload {} · seed {} · {} AIC + {} AIV · {} scheduler threads · {} round(s) · best of {}",
        sim.workload,
        sim.seed,
        sim.aic,
        sim.aiv,
        sim.sched_threads,
        sim.rounds.unwrap_or(1),
        repeat.max(1)
    )?;
    writeln!(
        out,
        "wall = device → capture thread → channel → trace store; bytes = the file each format would write; \
         dfx cost Σ = modelled instrumentation time summed over cores and AICPU threads"
    )?;
    writeln!(
        out,
        "{:<48} {:>7} {:>9} {:>10} {:>8} {:>10} {:>10} {:>11} {:>12}",
        "level",
        "tasks",
        "wall",
        "tasks/s",
        "records",
        "swimlane",
        "chip",
        "device time",
        "dfx cost Σ"
    )?;
    let mut figures = Vec::new();
    for level in Level::ALL {
        let mut best: Option<LevelFigures> = None;
        for _ in 0..repeat.max(1) {
            let (f, _) = run_level(sim, level)?;
            if best.as_ref().is_none_or(|b| f.wall < b.wall) {
                best = Some(f);
            }
        }
        let Some(f) = best else { continue };
        let dash_if_off = |b: u64| {
            if level == Level::OFF {
                "-".to_string()
            } else {
                units::bytes(b)
            }
        };
        writeln!(
            out,
            "{:<48} {:>7} {:>9} {:>10} {:>8} {:>10} {:>10} {:>11} {:>12}",
            level.to_string(),
            f.tasks,
            format!("{:.1} ms", f.wall.as_secs_f64() * 1e3),
            units::rate(f.tasks_per_s()),
            units::count(f.records),
            dash_if_off(f.swimlane_bytes),
            dash_if_off(f.chip_bytes),
            units::duration(f.device_time_ns),
            units::duration(f.overhead_ns)
        )?;
        figures.push(f);
    }
    if let (Some(l1), Some(l3)) = (figures.get(1), figures.get(3)) {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        writeln!(
            out,
            "level-3 / level-1 cost: wall per task ×{:.2} · device time ×{:.3} · records ×{:.2} · swimlane bytes ×{:.2} · chip bytes ×{:.2}",
            ratio(l3.wall_per_task_ns(), l1.wall_per_task_ns()),
            ratio(l3.device_time_ns as f64, l1.device_time_ns as f64),
            ratio(l3.records as f64, l1.records as f64),
            ratio(l3.swimlane_bytes as f64, l1.swimlane_bytes as f64),
            ratio(l3.chip_bytes as f64, l1.chip_bytes as f64),
        )?;
    }
    Ok(figures)
}
