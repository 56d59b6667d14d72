//! `random:N`: a seeded random DAG of N tasks per round. Each task runs a
//! random function of a small default AIC/AIV set, reads 0–3 distinct recent
//! tensors (an external input when it reads nothing produced yet) and writes
//! one new tensor, so the graph is a DAG by construction.

use crate::record::CoreType;

use super::rng::Rng;
use super::workload::{Builder, Dist, Family, Func, MAX_RANDOM_TASKS, Workload};

/// How far back a task may reach for its inputs (keeps the graph local, like
/// real layer-by-layer orchestrations).
const RECENT: usize = 24;
const INPUTS: usize = 8;
const RING_WINDOW: u32 = 512;
/// Stream id so the graph does not correlate with exec-time draws.
const STREAM: u64 = 0x5241_4e44; // "RAND"

fn default_funcs() -> Vec<Func> {
    let f = |id: i32, name: &str, core: CoreType, exec: Dist| Func {
        id,
        name: name.to_string(),
        core,
        exec,
    };
    vec![
        f(
            0,
            "matmul",
            CoreType::Aic,
            Dist::Lognormal {
                median: 8.0,
                sigma: 0.3,
            },
        ),
        f(
            1,
            "conv",
            CoreType::Aic,
            Dist::Lognormal {
                median: 12.0,
                sigma: 0.25,
            },
        ),
        f(
            2,
            "add",
            CoreType::Aiv,
            Dist::Uniform { min: 2.0, max: 4.0 },
        ),
        f(
            3,
            "gelu",
            CoreType::Aiv,
            Dist::Normal { mean: 4.0, sd: 0.5 },
        ),
        f(
            4,
            "rmsnorm",
            CoreType::Aiv,
            Dist::Lognormal {
                median: 5.0,
                sigma: 0.2,
            },
        ),
    ]
}

pub fn generate(n: usize, seed: u64) -> Result<Workload, String> {
    if !(1..=MAX_RANDOM_TASKS).contains(&n) {
        return Err(format!(
            "task count {n} out of range 1..={MAX_RANDOM_TASKS}"
        ));
    }
    let funcs = default_funcs();
    let nfuncs = funcs.len() as u64;
    let families = vec![
        Family {
            name: "in".into(),
            dtype: "FLOAT16",
            elem_bytes: 2,
            shape: vec![64, 128],
            external: true,
        },
        Family {
            name: "t".into(),
            dtype: "FLOAT16",
            elem_bytes: 2,
            shape: vec![64, 128],
            external: false,
        },
    ];
    let mut b = Builder::new(funcs, families);
    let mut rng = Rng::keyed(seed, STREAM, n as u64, 0);
    let mut names: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let func = rng.range(0, nfuncs - 1) as u16;
        let k = rng.range(0, 3) as usize;
        let lo = i.saturating_sub(RECENT);
        let mut picks: Vec<usize> = Vec::with_capacity(k);
        if i > 0 {
            for _ in 0..k {
                let j = rng.range(lo as u64, (i - 1) as u64) as usize;
                if !picks.contains(&j) {
                    picks.push(j);
                }
            }
        }
        let input = format!("in.{}", i % INPUTS);
        let mut reads: Vec<&str> = picks.iter().map(|j| names[*j].as_str()).collect();
        if reads.is_empty() {
            reads.push(&input);
        }
        let out = format!("t.{i}");
        b.task(func, 0, &reads, &[&out])?;
        names.push(out);
    }
    Ok(b.finish(
        format!("random:{n}"),
        format!("seeded random DAG of {n} tasks per round"),
        RING_WINDOW,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ArgKind;

    #[test]
    fn same_seed_same_graph_and_every_task_writes_once() {
        let a = generate(300, 5).unwrap();
        let b = generate(300, 5).unwrap();
        let c = generate(300, 6).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.tasks, c.tasks);
        for t in &a.tasks {
            let outs = t.args.iter().filter(|a| a.kind == ArgKind::Output).count();
            assert_eq!(outs, 1);
            assert!((2..=4).contains(&t.args.len()));
        }
        assert!(generate(0, 1).is_err());
    }
}
