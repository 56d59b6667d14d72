//! A tiny deterministic random number generator (splitmix64) with the few
//! distributions the model needs. Written here so a seed means the same thing
//! on every build (no external crate whose algorithm could change).

/// splitmix64: one 64-bit state word, full period, good enough statistics for
/// a simulator and trivially seekable by key.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 output function; also used to hash keys into seeds.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: mix(seed) }
    }

    /// An independent stream for `(seed, stream, a, b)`: the same key always
    /// yields the same sequence, whatever else was drawn before.
    pub fn keyed(seed: u64, stream: u64, a: u64, b: u64) -> Rng {
        let mut h = mix(seed ^ GOLDEN);
        for k in [stream, a, b] {
            h = mix(h ^ k.wrapping_mul(GOLDEN));
        }
        Rng { state: h }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `[lo, hi]` (inclusive); `lo` when the range is empty.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo + 1;
        // Multiply-shift maps 64 random bits onto the span without a modulo bias
        // worth caring about at these span sizes.
        lo + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as u64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal by Box–Muller (one value per call; simplicity over speed).
    pub fn std_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: keeps ln finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.std_normal()
    }

    /// Lognormal given its median (= e^mu) and the sigma of the underlying normal.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.std_normal()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_stream_and_keys_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::keyed(7, 1, 2, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = Rng::keyed(7, 1, 2, 3);
        let mut y = Rng::keyed(7, 1, 2, 4);
        let mut z = Rng::keyed(8, 1, 2, 3);
        let (vx, vy, vz) = (x.next_u64(), y.next_u64(), z.next_u64());
        assert_ne!(vx, vy);
        assert_ne!(vx, vz);
    }

    #[test]
    fn distributions_have_the_right_shape() {
        let mut r = Rng::new(42);
        let n = 20_000;
        let mut sum = 0.0;
        let mut sq = 0.0;
        for _ in 0..n {
            let v = r.normal(10.0, 2.0);
            sum += v;
            sq += v * v;
        }
        let mean = sum / n as f64;
        let sd = (sq / n as f64 - mean * mean).sqrt();
        assert!((mean - 10.0).abs() < 0.1, "mean {mean}");
        assert!((sd - 2.0).abs() < 0.1, "sd {sd}");

        let mut logs: Vec<f64> = (0..n).map(|_| r.lognormal(5.0, 0.5)).collect();
        logs.sort_by(f64::total_cmp);
        let median = logs[n / 2];
        assert!((median - 5.0).abs() < 0.2, "median {median}");
        assert!(logs.iter().all(|v| *v > 0.0));

        for _ in 0..1000 {
            let v = r.range(95, 105);
            assert!((95..=105).contains(&v));
            let u = r.uniform(1.0, 2.0);
            assert!((1.0..2.0).contains(&u));
        }
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(r.range(6, 5), 6);
    }
}
