//! The task ring of one scope depth: a bounded window of task slots the
//! orchestrator allocates in order and the schedulers free in order, by
//! advancing the `last_task_alive` watermark over finished tasks
//! (spec §10.2, RUNTIME_LOGIC §4–5).

use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct TaskRing {
    window: u32,
    /// Next local id; ids keep counting across rounds.
    next_local: u32,
    /// Allocated, not yet retired tasks (round-local indices), oldest first.
    live: VecDeque<u32>,
    /// Tasks retired since the device started (the watermark's distance).
    retired: u64,
}

impl TaskRing {
    pub fn new(window: u32) -> TaskRing {
        TaskRing {
            window: window.max(2),
            next_local: 0,
            live: VecDeque::new(),
            retired: 0,
        }
    }

    /// Upstream keeps one slot free to tell full from empty:
    /// full when `active ≥ window − 1`.
    pub fn has_room(&self) -> bool {
        self.live.len() < (self.window - 1) as usize
    }

    pub fn active(&self) -> usize {
        self.live.len()
    }

    /// Takes a slot for `task`; returns its local id.
    pub fn alloc(&mut self, task: u32) -> u32 {
        let local = self.next_local;
        self.next_local = self.next_local.wrapping_add(1);
        self.live.push_back(task);
        local
    }

    /// Advances the watermark over the oldest tasks for which `finished`
    /// holds, in order; returns how many slots were freed.
    pub fn retire(&mut self, mut finished: impl FnMut(u32) -> bool) -> u32 {
        let mut n = 0;
        while let Some(&t) = self.live.front() {
            if !finished(t) {
                break;
            }
            self.live.pop_front();
            n += 1;
        }
        self.retired += u64::from(n);
        n
    }

    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// A new round: nothing is live (the previous round drained).
    pub fn reset_round(&mut self) {
        self.live.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_at_window_minus_one_and_retires_in_order() {
        let mut r = TaskRing::new(4);
        assert_eq!(r.alloc(0), 0);
        assert_eq!(r.alloc(1), 1);
        assert!(r.has_room());
        assert_eq!(r.alloc(2), 2);
        assert!(!r.has_room());
        // Task 1 finished but 0 did not: the watermark cannot pass 0.
        assert_eq!(r.retire(|t| t == 1), 0);
        assert!(!r.has_room());
        assert_eq!(r.retire(|t| t <= 1), 2);
        assert_eq!(r.active(), 1);
        assert_eq!(r.retired(), 2);
        r.reset_round();
        assert_eq!(r.alloc(0), 3, "local ids continue across rounds");
    }
}
