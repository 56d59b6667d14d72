//! The tensor map: which task created each tensor this round and which task
//! wrote it last. The orchestrator looks up every read to find producers and
//! registers every write; dep_gen's host replay walks the same map. Upstream
//! hashes buffer addresses; the workload interns tensors to dense ids, so a
//! table indexed by id gives the same answers.

use crate::record::EdgeSource;

use super::workload::{ArgSpec, TaskSpec};

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub struct TensorMap {
    creator: Vec<u32>,
    writer: Vec<u32>,
}

/// One producer a read depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadEdge {
    /// Consumer argument slot.
    pub arg: usize,
    pub producer: u32,
    pub source: EdgeSource,
}

impl TensorMap {
    /// Forgets the previous round (its tasks have all retired).
    pub fn reset(&mut self, tensors: usize) {
        self.creator.clear();
        self.creator.resize(tensors, NONE);
        self.writer.clear();
        self.writer.resize(tensors, NONE);
    }

    /// The producers behind a task's reads, in argument order: the creator
    /// of a created buffer (a `creator` edge) and, if someone else modified
    /// it since, its last writer (a `tensormap` edge).
    pub fn lookup(&self, task: &TaskSpec, mut each: impl FnMut(ReadEdge)) {
        for (arg, a) in task.args.iter().enumerate() {
            if !a.reads() {
                continue;
            }
            let t = a.tensor as usize;
            let (c, w) = (self.creator[t], self.writer[t]);
            if c != NONE {
                each(ReadEdge {
                    arg,
                    producer: c,
                    source: EdgeSource::Creator,
                });
            }
            if w != NONE && w != c {
                each(ReadEdge {
                    arg,
                    producer: w,
                    source: EdgeSource::Tensormap,
                });
            }
        }
    }

    /// Registers task `idx` as the last writer of its outputs.
    pub fn insert(&mut self, idx: u32, task: &TaskSpec) {
        for a in task.args.iter().filter(|a| a.writes()) {
            self.register(idx, *a);
        }
    }

    fn register(&mut self, idx: u32, a: ArgSpec) {
        let t = a.tensor as usize;
        if a.kind == crate::record::ArgKind::Output {
            self.creator[t] = idx;
        }
        self.writer[t] = idx;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ArgKind;

    fn task(args: &[(u32, ArgKind)]) -> TaskSpec {
        TaskSpec {
            func: 0,
            ring: 0,
            args: args
                .iter()
                .map(|(tensor, kind)| ArgSpec {
                    tensor: *tensor,
                    kind: *kind,
                })
                .collect(),
        }
    }

    #[test]
    fn creator_then_modifier_edges() {
        let mut m = TensorMap::default();
        m.reset(2);
        let t0 = task(&[(1, ArgKind::Input), (0, ArgKind::Output)]);
        let t1 = task(&[(0, ArgKind::Inout)]);
        let t2 = task(&[(0, ArgKind::Input), (1, ArgKind::Input)]);
        let mut got = Vec::new();
        m.lookup(&t0, |e| got.push(e));
        assert!(got.is_empty(), "external input without writer: no edge");
        m.insert(0, &t0);
        m.lookup(&t1, |e| got.push(e));
        assert_eq!(
            got,
            vec![ReadEdge {
                arg: 0,
                producer: 0,
                source: EdgeSource::Creator
            }]
        );
        m.insert(1, &t1);
        got.clear();
        m.lookup(&t2, |e| got.push(e));
        assert_eq!(
            got,
            vec![
                ReadEdge {
                    arg: 0,
                    producer: 0,
                    source: EdgeSource::Creator
                },
                ReadEdge {
                    arg: 0,
                    producer: 1,
                    source: EdgeSource::Tensormap
                },
            ]
        );
        m.reset(2);
        got.clear();
        m.lookup(&t2, |e| got.push(e));
        assert!(got.is_empty());
    }
}
