//! Bag thresholds of the staking voter list (`pallet_bags_list`).
//!
//! Voters are kept in bags by stake so the election can read the top of the list without
//! sorting everyone. Each bag's upper bound is 25% above the previous one, from 0.01 token
//! (in vote weight units) up to `u64::MAX`. The list is computed at compile time with integer
//! arithmetic, so it is exact and identical on every node.

use frame_election_provider_support::VoteWeight;

/// Upper bound of the first bag: 0.01 token in vote weight.
const FIRST: VoteWeight = 10_000_000_000;

/// Next threshold: +25%, saturating at `u64::MAX`.
const fn next(t: VoteWeight) -> VoteWeight {
	t.saturating_add(t / 4)
}

/// Number of bags from [`FIRST`] until the threshold saturates at `u64::MAX` (inclusive).
const fn count() -> usize {
	let mut n = 1;
	let mut t = FIRST;
	while t < VoteWeight::MAX {
		t = next(t);
		n += 1;
	}
	n
}

/// Number of bags.
pub const BAG_COUNT: usize = count();

/// Bag upper bounds, strictly increasing, the last one `u64::MAX`.
pub const THRESHOLDS: [VoteWeight; BAG_COUNT] = {
	let mut out = [0; BAG_COUNT];
	let mut t = FIRST;
	let mut i = 0;
	while i < BAG_COUNT {
		out[i] = t;
		t = next(t);
		i += 1;
	}
	out
};

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn thresholds_strictly_increase_to_max() {
		assert!(THRESHOLDS.windows(2).all(|w| w[0] < w[1]));
		assert_eq!(THRESHOLDS[0], FIRST);
		assert_eq!(*THRESHOLDS.last().unwrap(), VoteWeight::MAX);
		// A bag count a node can iterate cheaply; below bags-list's 200 recommended upper bound.
		const { assert!(BAG_COUNT > 50 && BAG_COUNT < 200) };
	}
}
