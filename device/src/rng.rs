//! A small seeded random generator (SplitMix64): the simulation is reproducible from its
//! `--seed`, and needs nothing cryptographic (keys come from their own seeds).

/// SplitMix64: fast, 64-bit state, good enough for simulation draws.
#[derive(Clone, Debug)]
pub struct SimRng(u64);

impl SimRng {
	/// A generator whose draws are fixed by `seed`.
	pub fn new(seed: u64) -> Self {
		Self(seed)
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	/// Uniform in `[0, 1)`.
	pub fn unit(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
	}

	/// Uniform in `[low, high)`.
	pub fn range(&mut self, low: f64, high: f64) -> f64 {
		low + (high - low) * self.unit()
	}

	/// Uniform index in `0..n` (`n > 0`).
	pub fn index(&mut self, n: usize) -> usize {
		(self.next_u64() % n as u64) as usize
	}

	/// `true` with probability `p`.
	pub fn chance(&mut self, p: f64) -> bool {
		self.unit() < p
	}

	/// Standard normal draw (Box-Muller).
	pub fn gaussian(&mut self) -> f64 {
		let u1 = self.unit().max(f64::MIN_POSITIVE);
		let u2 = self.unit();
		(-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_same_seed_gives_the_same_draws() {
		let (mut a, mut b) = (SimRng::new(7), SimRng::new(7));
		for _ in 0..100 {
			assert_eq!(a.next_u64(), b.next_u64());
		}
		assert_ne!(SimRng::new(8).next_u64(), SimRng::new(7).next_u64());
	}

	#[test]
	fn gaussian_draws_have_mean_zero_and_unit_variance() {
		let mut rng = SimRng::new(1);
		let draws: Vec<f64> = (0..20_000).map(|_| rng.gaussian()).collect();
		let mean = draws.iter().sum::<f64>() / draws.len() as f64;
		let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
		assert!(mean.abs() < 0.03, "{mean}");
		assert!((var - 1.0).abs() < 0.05, "{var}");
	}
}
