//! `cargo bench --bench sim_throughput`: simulated tasks per wall second and
//! recorded bytes at levels 0..3 on one seed, and the level-3 / level-1 cost.
//! Same figures as `swimtop bench`; arguments: [WORKLOAD] [ROUNDS].

use swimtop::app::bench;
use swimtop::app::cli::Speed;
use swimtop::app::config::{DEFAULT_SEED, SimSettings};

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; take only plain words as arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let sim = SimSettings {
        workload: args
            .first()
            .cloned()
            .unwrap_or_else(|| "paged_attention".into()),
        seed: DEFAULT_SEED,
        aic: 24,
        aiv: 48,
        sched_threads: 3,
        rounds: Some(args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10)),
        speed: Speed::Max,
    };
    bench::run(&sim, 3, &mut std::io::stdout().lock())?;
    Ok(())
}
