//! Data types of service payments: the governance-set parameters, the credit supply and its
//! token backing, payment channels and running totals.

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
/// that no settlement has accounted for yet.
///
/// Spending `c` credits accounts for `backing · c / outstanding` tokens: the average price
/// paid, so that whatever governance does to the price, the revenue minted for spent credits
/// never exceeds what was burned for them.
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

impl<Balance: AtLeast32BitUnsigned + Copy> CreditSupply<Balance> {
	/// The token value of `credits` of the outstanding ones, rounded down.
	pub fn value_of(&self, credits: Credits) -> Balance {
		if self.outstanding == 0 || credits == 0 {
			return Zero::zero();
		}
		let backing: u128 = self.backing.unique_saturated_into();
		let value = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
			backing,
			credits.min(self.outstanding),
			self.outstanding,
			Rounding::Down,
		)
		.unwrap_or(0);
		Balance::unique_saturated_from(value)
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
	/// The token value of the spent credits (taken out of the credit supply's backing).
	pub spent_value: Balance,
	/// Minted to the treasury as protocol revenue (a share of `spent_value`).
	pub revenue: Balance,
}
