//! `cargo bench --bench formats_io [TASKS]`: seconds and bytes to write and
//! read a synthetic level-2 capture (72 cores, one fanout edge per task) in
//! every format swimtop writes. Default sizes: 200k and 1M tasks.

use std::io::BufWriter;
use std::time::Instant;

use swimtop::capture::formats::{self, Format};
use swimtop::dfx::Level;
use swimtop::record::{Capture, CoreType, DeviceInfo, FanoutRecord, TaskId, TaskRecord};

fn synthetic(n: usize) -> Capture {
    let cores = 72usize;
    let info = DeviceInfo {
        source: "synthetic".into(),
        clock_hz: 50_000_000,
        core_types: (0..cores)
            .map(|i| if i < 24 { CoreType::Aic } else { CoreType::Aiv })
            .collect(),
        core_to_thread: (0..cores).map(|i| (i % 3) as i32).collect(),
        sched_threads: 3,
        aicpu_threads: 4,
        func_names: (0..4).map(|f| (f, format!("F{f}"))).collect(),
        orchestrator_name: Some("synthetic".into()),
        case_name: Some("synthetic".into()),
    };
    let mut c = Capture::new(info, Level::TASK_LIFECYCLE.flags());
    let mut clock = vec![40_000_000_000u64; cores];
    let mut reg = vec![0u32; cores];
    for i in 0..n {
        let core = (i * 7) % cores;
        let t0 = clock[core];
        reg[core] += 1;
        let id = TaskId::new((i % 4) as u8, (i / 4) as u32);
        c.tasks.push(TaskRecord {
            round: 0,
            task_id: id,
            func_id: (i % 4) as i32,
            core_id: core as u32,
            core_type: c.info.core_types[core],
            reg_task_id: reg[core],
            receive_ns: Some(t0 + 200),
            start_ns: t0 + 240,
            end_ns: t0 + 3_240,
            dispatch_ns: Some(t0),
            finish_ns: Some(t0 + 3_400),
        });
        clock[core] = t0 + 3_500;
        if i >= 8 {
            let p = c.tasks[i - 8].task_id;
            c.fanout.push(FanoutRecord {
                round: 0,
                task_id: p,
                successors: vec![id],
            });
        }
    }
    c
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![200_000, 1_000_000]
    } else {
        sizes
    };
    let dir = std::env::temp_dir().join(format!("swimtop-formats-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "{:>9} {:<9} {:>9} {:>11} {:>9}",
        "tasks", "format", "write s", "size", "read s"
    );
    for n in sizes {
        let c = synthetic(n);
        for (format, name) in [
            (Format::Swimlane, "swimlane.json"),
            (Format::Chip, "chip_swimlane_records.json"),
            (Format::Perfetto, "merged_swimlane.json"),
        ] {
            let sub = dir.join(format.name());
            std::fs::create_dir_all(&sub)?;
            let path = sub.join(name);
            let t = Instant::now();
            match format {
                Format::Perfetto => {
                    let mut w = BufWriter::new(std::fs::File::create(&path)?);
                    formats::perfetto::write(&c, &mut w)?;
                }
                _ => {
                    formats::write_capture(&c, &path, format)?;
                }
            }
            let write_s = t.elapsed().as_secs_f64();
            let size = std::fs::metadata(&path)?.len();
            let t = Instant::now();
            let back = formats::read_capture(&path)?;
            let read_s = t.elapsed().as_secs_f64();
            assert_eq!(back.tasks.len(), n);
            println!(
                "{n:>9} {:<9} {write_s:>9.2} {:>8.1} MB {read_s:>9.2}",
                format.name(),
                size as f64 / 1e6
            );
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
