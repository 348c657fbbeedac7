//! Data types of service payments: the governance-set parameters, each account's credits
//! and their token backing, the credit supply, payment channels and running totals.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use depin_primitives::Credits;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, Zero},
	FixedPointNumber, FixedU128, Perbill, Rounding,
};

/// What governance sets: the credit price and the protocol's revenue share.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct ServiceParameters {
	/// Credits bought by burning one whole token (`Config::TokenUnit` plancks).
	pub credits_per_token: FixedU128,
	/// Part of the tokens burned for spent credits that is minted back to the treasury as
	/// protocol revenue when the credits are settled; the rest stays burned.
	pub revenue_share: Perbill,
}

impl ServiceParameters {
	/// Credits bought by burning `amount` plancks, `unit` plancks a token: rounded down;
	/// `None` if the arithmetic overflows.
	pub fn credits_for(&self, amount: u128, unit: u128) -> Option<Credits> {
		let denominator = unit.checked_mul(FixedU128::DIV)?;
		sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
			amount,
			self.credits_per_token.into_inner(),
			denominator,
			Rounding::Down,
		)
	}
}

/// All credits in existence (in accounts and in channels) and the tokens burned for them
/// that no settlement has accounted for yet: the sums of every [`CreditAccount`]'s and every
/// channel's credits and backing.
///
/// Only a total, for dashboards and the invariants: spent credits are valued at the backing
/// their own holder burned for them ([`backing_share`]), never at this average, so that
/// whatever governance does to the price a consumer is never paid more than it burned.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct CreditSupply<Balance> {
	/// Credits held by accounts or deposited in channels.
	pub outstanding: Credits,
	/// Tokens burned for those credits.
	pub backing: Balance,
}

/// The part of `backing` that goes with `moved` of the `credits` it backs: the holder's own
/// average price, `backing · moved / credits` rounded down, so what leaves is never worth
/// more than was burned for it; all of it when `moved` is all the credits (so no backing is
/// left behind without credits), nothing when `moved` is zero.
pub fn backing_share<Balance: AtLeast32BitUnsigned + Copy>(
	backing: Balance,
	credits: Credits,
	moved: Credits,
) -> Balance {
	if moved >= credits {
		return backing;
	}
	if moved == 0 {
		return Zero::zero();
	}
	let whole: u128 = backing.unique_saturated_into();
	// `moved < credits`, so the share is below `backing`: the division cannot overflow.
	let share = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		whole,
		moved,
		credits,
		Rounding::Down,
	)
	.unwrap_or(0);
	Balance::unique_saturated_from(share)
}

/// An account's credits not locked in a channel and the tokens burned for them: each
/// consumer's credits carry their own backing, whatever others paid.
///
/// Credits leave with their share of the backing ([`backing_share`]: the account's own
/// average price, rounded down; the last credit takes what is left) and come back with
/// theirs. An account without credits has no backing and is not stored.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct CreditAccount<Balance> {
	/// Credits held (not in a channel).
	pub credits: Credits,
	/// Tokens burned for them.
	pub backing: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> CreditAccount<Balance> {
	/// Adds `credits` backed by `backing`; `None` if the credits overflow.
	pub fn deposit(&mut self, credits: Credits, backing: Balance) -> Option<()> {
		self.credits = self.credits.checked_add(credits)?;
		self.backing = self.backing.saturating_add(backing);
		Some(())
	}

	/// Takes `credits` out with their share of the backing, which it returns; `None` (and
	/// nothing taken) if the account holds fewer.
	pub fn withdraw(&mut self, credits: Credits) -> Option<Balance> {
		let left = self.credits.checked_sub(credits)?;
		let backing = backing_share(self.backing, self.credits, credits);
		self.credits = left;
		self.backing = self.backing.saturating_sub(backing);
		Some(backing)
	}
}

pub use depin_primitives::payment::PaymentChannel;

/// Running totals of the pallet, for dashboards and the burn-and-mint accounting.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct PaymentTotals<Balance> {
	/// Tokens burned to buy credits.
	pub burned: Balance,
	/// Credits bought.
	pub credits_bought: Credits,
	/// Credits settled to providers.
	pub credits_spent: Credits,
	/// The token value of the spent credits: the backing their consumers burned for them,
	/// taken out of their channels' (and the credit supply's) backing.
	pub spent_value: Balance,
	/// Minted to the treasury as protocol revenue (a share of `spent_value`).
	pub revenue: Balance,
}
