//! The shared ready queues, one per resource shape (upstream: lock-free MPMC
//! queues for MIX, AIC, AIV). The simulated workloads have no MIX tasks, so
//! its depth is always 0.

use std::collections::VecDeque;

use crate::record::CoreType;

pub fn shape(ty: CoreType) -> usize {
    match ty {
        CoreType::Aic => 0,
        CoreType::Aiv => 1,
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReadyQueues {
    q: [VecDeque<u32>; 2],
}

impl ReadyQueues {
    pub fn push(&mut self, shape: usize, task: u32) {
        self.q[shape].push_back(task);
    }

    pub fn pop(&mut self, shape: usize) -> Option<u32> {
        self.q[shape].pop_front()
    }

    /// `[aic, aiv, mix]`, as the phase records snapshot them.
    pub fn depths(&self) -> [i16; 3] {
        let d = |q: &VecDeque<u32>| i16::try_from(q.len()).unwrap_or(i16::MAX);
        [d(&self.q[0]), d(&self.q[1]), 0]
    }

    pub fn clear(&mut self) {
        self.q.iter_mut().for_each(VecDeque::clear);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_per_shape_with_depths() {
        let mut r = ReadyQueues::default();
        r.push(shape(CoreType::Aiv), 7);
        r.push(shape(CoreType::Aiv), 8);
        r.push(shape(CoreType::Aic), 9);
        assert_eq!(r.depths(), [1, 2, 0]);
        assert_eq!(r.pop(1), Some(7));
        assert_eq!(r.pop(0), Some(9));
        assert_eq!(r.pop(0), None);
        r.clear();
        assert_eq!(r.depths(), [0, 0, 0]);
    }
}
