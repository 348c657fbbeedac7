//! Data types of rewards: the emission schedule, the pool split, an epoch's pools and a
//! device's ledger.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use depin_primitives::{Credits, EpochIndex, EpochScore};
use frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, Zero},
	Perbill, Rounding,
};

/// How much is minted for each epoch: a fixed amount that halves every `halving_interval`
/// epochs, never taking total issuance above `supply_cap`.
#[derive(
	Clone,
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
pub struct EmissionSchedule<Balance> {
	/// Minted for each epoch from `start_epoch` until the first halving.
	pub initial_per_epoch: Balance,
	/// Epochs between halvings; `0` never halves.
	pub halving_interval: EpochIndex,
	/// The epoch the halvings count from (governance's change starts a new count).
	pub start_epoch: EpochIndex,
	/// Total issuance the emission never goes above; `None`: no cap.
	pub supply_cap: Option<Balance>,
}

impl<Balance: AtLeast32BitUnsigned + Copy> EmissionSchedule<Balance> {
	/// The emission of `epoch` before the cap: `initial >> halvings`, exact integer halving.
	pub fn emission(&self, epoch: EpochIndex) -> Balance {
		let elapsed = epoch.saturating_sub(self.start_epoch);
		let halvings = elapsed.checked_div(self.halving_interval).unwrap_or(0);
		self.initial_per_epoch.checked_shr(halvings).unwrap_or_else(Zero::zero)
	}

	/// The emission of `epoch`, lowered so that `issuance` plus it stays under the cap.
	pub fn capped_emission(&self, epoch: EpochIndex, issuance: Balance) -> Balance {
		let emission = self.emission(epoch);
		match self.supply_cap {
			Some(cap) => emission.min(cap.saturating_sub(issuance)),
			None => emission,
		}
	}
}

/// Shares of an epoch's emission; they sum to exactly 100 %.
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
pub struct PoolSplit {
	/// Paid to devices by coverage score (beacons and witnesses).
	pub coverage: Perbill,
	/// Paid to devices by uptime score (heartbeats).
	pub uptime: Perbill,
	/// Paid to devices by the service usage they settled, at most the tokens burned for that
	/// usage; what usage does not take goes to the treasury.
	pub data_transfer: Perbill,
	/// Handed to staking as its era payout (validators and nominators).
	pub staking: Perbill,
	/// Minted to the treasury (it also receives the rounding of the other shares).
	pub treasury: Perbill,
}

impl PoolSplit {
	/// Whether the shares sum to exactly 100 %.
	pub fn is_complete(&self) -> bool {
		[self.coverage, self.uptime, self.data_transfer, self.staking, self.treasury]
			.iter()
			.map(|share| u64::from(share.deconstruct()))
			.sum::<u64>()
			== u64::from(Perbill::one().deconstruct())
	}
}

/// One closed epoch's emission as it was split.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct EpochSplit<Balance> {
	/// Minted for devices by coverage score (0 if nobody scored coverage).
	pub coverage: Balance,
	/// Minted for devices by uptime score (0 if nobody scored uptime).
	pub uptime: Balance,
	/// Minted for devices by settled usage: the data-transfer share, capped at the usage's
	/// value (0 if nobody settled usage).
	pub data_transfer: Balance,
	/// Handed to staking.
	pub staking: Balance,
	/// Minted to the treasury: its share, what usage did not take of the data-transfer share,
	/// pools nobody scored in, and the split's rounding.
	pub treasury: Balance,
}

/// What a closed epoch owes devices, kept until it expires.
#[derive(
	Clone,
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
pub struct EpochPools<Balance> {
	/// The coverage pool.
	pub coverage: Balance,
	/// The uptime pool.
	pub uptime: Balance,
	/// The epoch's final total score.
	pub total_score: EpochScore,
	/// Paid out of the pools into device ledgers so far.
	pub settled: Balance,
	/// The data-transfer pool.
	pub data_transfer: Balance,
	/// The value of all usage settled in the epoch: the data-transfer pool is shared by it.
	pub usage_value: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> EpochPools<Balance> {
	/// The share of a device with `score` and usage worth `usage_value`: `pool · part /
	/// total` for each pool, rounded down, so shares never add up to more than the pools.
	pub fn share(&self, score: &EpochScore, usage_value: Balance) -> Balance {
		let part = |pool: Balance, part: u128, total: u128| -> Balance {
			if total == 0 || part == 0 {
				return Zero::zero();
			}
			let pool: u128 = pool.unique_saturated_into();
			let amount = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
				pool,
				part.min(total),
				total,
				Rounding::Down,
			)
			.unwrap_or(0);
			Balance::unique_saturated_from(amount)
		};
		let total = &self.total_score;
		part(self.coverage, score.coverage.into(), total.coverage.into())
			.saturating_add(part(self.uptime, score.uptime.into(), total.uptime.into()))
			.saturating_add(part(
				self.data_transfer,
				usage_value.unique_saturated_into(),
				self.usage_value.unique_saturated_into(),
			))
	}

	/// What a device is paid now: its share, never more than the pools still owe (whatever a
	/// score source reports).
	pub fn payable(&self, score: &EpochScore, usage_value: Balance) -> Balance {
		self.share(score, usage_value).min(self.unsettled())
	}

	/// All the pools paid to devices.
	pub fn for_devices(&self) -> Balance {
		self.coverage.saturating_add(self.uptime).saturating_add(self.data_transfer)
	}

	/// What the pools still owe devices.
	pub fn unsettled(&self) -> Balance {
		self.for_devices().saturating_sub(self.settled)
	}
}

/// A device's rewards: settled amounts not yet claimed, and the epochs it was active in that
/// are not settled yet (at most two: the open one and the one in its grace period).
#[derive(
	Clone,
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
pub struct DeviceLedger<Balance> {
	/// Settled and not yet claimed; paid to whoever owns the device when it is claimed.
	pub pending: Balance,
	/// The newest epoch whose reward is in `pending` (meaningless while `pending` is zero):
	/// `pending` expires `expiry_horizon` epochs after it, so a device that keeps earning
	/// never loses what it earned, and rewards left behind by a device that went quiet go
	/// to the treasury.
	pub last_reward_epoch: EpochIndex,
	/// Epochs the device was active in and that are not settled yet, oldest first.
	pub unsettled: BoundedVec<EpochIndex, ConstU32<2>>,
}

impl<Balance: Zero> DeviceLedger<Balance> {
	/// Nothing pending and nothing to settle: the ledger can go.
	pub fn is_empty(&self) -> bool {
		self.pending.is_zero() && self.unsettled.is_empty()
	}
}

/// Service usage a device settled in an epoch (or all devices' usage in it).
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
pub struct DataTransferUsage<Balance> {
	/// Credits paid.
	pub units: Credits,
	/// What was burned for those credits: the most the usage can earn.
	pub value: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> DataTransferUsage<Balance> {
	/// This usage plus `units` worth `value`.
	pub fn add(&mut self, units: Credits, value: Balance) {
		self.units = self.units.saturating_add(units);
		self.value = self.value.saturating_add(value);
	}
}

/// Running totals of what the pallet minted and where it went.
#[derive(
	Clone,
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
pub struct RewardTotals<Balance> {
	/// Minted into the pot for devices (coverage, uptime and data-transfer pools).
	pub minted_for_devices: Balance,
	/// Minted to the treasury at epoch close.
	pub minted_for_treasury: Balance,
	/// Handed to staking as era payouts (minted by staking when stakers are paid).
	pub handed_to_staking: Balance,
	/// Claimed by owners.
	pub claimed: Balance,
	/// Moved from the pot to the treasury by expiry (unclaimed or unsettled too long).
	pub expired: Balance,
}
