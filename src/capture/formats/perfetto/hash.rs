//! A fast hasher for the id-keyed maps of a million-task trace. SipHash's
//! resistance to crafted collisions buys nothing for a local file, and it
//! costs a third of the writer's time at that size.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Mix>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Mix>>;

/// Multiply-rotate per word, with a finalising mix so that ids differing
/// only in high bits (ring numbers) still spread over buckets.
#[derive(Debug, Default, Clone, Copy)]
pub struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    fn write_u16(&mut self, v: u16) {
        self.write_u64(u64::from(v));
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }

    fn write_i32(&mut self, v: i32) {
        self.write_u64(u64::from(v as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TaskId;

    #[test]
    fn ids_spread() {
        let mut set: FastSet<TaskId> = FastSet::default();
        for ring in 0..4u8 {
            for local in 0..1000 {
                assert!(set.insert(TaskId::new(ring, local)));
            }
        }
        assert_eq!(set.len(), 4000);
        let mut names: FastMap<&str, i32> = FastMap::default();
        names.insert("QK", 0);
        names.insert("a string longer than eight bytes", 1);
        assert_eq!(names["a string longer than eight bytes"], 1);
    }
}
