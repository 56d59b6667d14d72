//! A fast hasher for task ids. The maps keyed by [`TaskId`] are on the ingest
//! path (one probe per row and per edge); SipHash's flood resistance buys
//! nothing for ids that come from our own device or a capture file.
//!
//! [`TaskId`]: crate::record::TaskId

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate on the 64-bit value: spreads sequential ids over both the
/// low bits (bucket index) and the high bits (hashbrown's tag byte).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::*;
    use crate::record::TaskId;

    #[test]
    fn sequential_ids_spread_over_buckets_and_tags() {
        let b = BuildHasherDefault::<IdHasher>::default();
        let hashes: Vec<u64> = (0..1024u32)
            .map(|i| b.hash_one(TaskId::new(0, i)))
            .collect();
        let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        let tags: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(low.len() > 600, "{}", low.len());
        assert!(tags.len() > 100, "{}", tags.len());
    }
}
