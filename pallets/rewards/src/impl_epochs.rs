//! Closing epochs (O(1) whatever the number of devices), expiring old ones, and the staking
//! share: how proof of coverage and staking drive this pallet.

use crate::{
	BalanceOf, Config, DeviceUsage, EpochPools, EpochRewards, EpochSplit, EpochUsage, Event,
	ExpiryCursor, ExpiryHorizon, LastClosedEpoch, Pallet, Schedule, Split, StakingPayoutDue,
	Totals, WeightInfo,
};
use depin_primitives::{
	Credits, DeviceId, DeviceIndex, EpochIndex, EpochScore, ScoreSink, UsageSink,
};
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
	weights::Weight,
};
use sp_runtime::traits::{Saturating, Zero};

/// Expired epochs removed per close at most: catches up two a close after governance
/// shortens the horizon.
const EXPIRIES_PER_CLOSE: u32 = 2;

impl<T: Config> Pallet<T> {
	/// How `emission` is split for an epoch with `total_score` and usage worth `usage_value`:
	/// shares by the split; the data-transfer share capped at the usage's value (usage never
	/// earns more than was burned for it, so paying oneself for service never profits); a
	/// pool nobody scored in, what usage did not take and the split's rounding to the
	/// treasury. The parts sum to exactly `emission`.
	pub fn split_emission(
		emission: BalanceOf<T>,
		total_score: &EpochScore,
		usage_value: BalanceOf<T>,
	) -> EpochSplit<BalanceOf<T>> {
		let split = Split::<T>::get();
		let mut coverage = split.coverage.mul_floor(emission);
		let mut uptime = split.uptime.mul_floor(emission);
		let data_transfer = split.data_transfer.mul_floor(emission).min(usage_value);
		let staking = split.staking.mul_floor(emission);
		if total_score.coverage == 0 {
			coverage = Zero::zero();
		}
		if total_score.uptime == 0 {
			uptime = Zero::zero();
		}
		let treasury = emission
			.saturating_sub(coverage)
			.saturating_sub(uptime)
			.saturating_sub(data_transfer)
			.saturating_sub(staking);
		EpochSplit { coverage, uptime, data_transfer, staking, treasury }
	}

	/// Closes `epoch`: mints its emission, fixes its pools, and expires the epoch that falls
	/// out of the horizon. Storage touched does not depend on the number of devices.
	pub(crate) fn close_epoch(epoch: EpochIndex, total_score: &EpochScore) {
		let schedule = Schedule::<T>::get();
		let issuance = T::Currency::total_issuance().saturating_add(StakingPayoutDue::<T>::get());
		let emission = schedule.capped_emission(epoch, issuance);
		let usage = EpochUsage::<T>::take(epoch).unwrap_or_default();
		let parts = Self::split_emission(emission, total_score, usage.value);

		let for_devices =
			parts.coverage.saturating_add(parts.uptime).saturating_add(parts.data_transfer);
		// The pot exists (genesis), so any amount can be minted into it.
		let minted_for_devices = T::Currency::mint_into(&Self::pot(), for_devices)
			.map_or_else(|_| Zero::zero(), |_| for_devices);
		let (coverage, uptime, data_transfer) = if minted_for_devices.is_zero() {
			(Zero::zero(), Zero::zero(), Zero::zero())
		} else {
			(parts.coverage, parts.uptime, parts.data_transfer)
		};
		let treasury = T::Currency::mint_into(&T::TreasuryAccount::get(), parts.treasury)
			.map_or_else(|_| Zero::zero(), |_| parts.treasury);
		StakingPayoutDue::<T>::mutate(|due| *due = due.saturating_add(parts.staking));
		Totals::<T>::mutate(|totals| {
			totals.minted_for_devices =
				totals.minted_for_devices.saturating_add(minted_for_devices);
			totals.minted_for_treasury = totals.minted_for_treasury.saturating_add(treasury);
		});
		EpochRewards::<T>::insert(
			epoch,
			EpochPools {
				coverage,
				uptime,
				total_score: *total_score,
				settled: Zero::zero(),
				data_transfer,
				usage_value: usage.value,
			},
		);
		LastClosedEpoch::<T>::put(epoch);
		Self::deposit_event(Event::EpochClosed {
			epoch,
			emission,
			coverage_pool: coverage,
			uptime_pool: uptime,
			data_transfer_pool: data_transfer,
			staking_pool: parts.staking,
			treasury,
			total_score: *total_score,
			usage_units: usage.units,
			usage_value: usage.value,
		});
		Self::expire_epochs(epoch);
	}

	/// Expires up to [`EXPIRIES_PER_CLOSE`] epochs at or below `closed - horizon`: what their
	/// pools still owe goes to the treasury.
	fn expire_epochs(closed: EpochIndex) {
		let Some(last_expired) = closed.checked_sub(ExpiryHorizon::<T>::get()) else { return };
		let mut cursor = ExpiryCursor::<T>::get();
		for _ in 0..EXPIRIES_PER_CLOSE {
			if cursor > last_expired {
				break;
			}
			if let Some(pools) = EpochRewards::<T>::take(cursor) {
				let remainder = Self::to_treasury(pools.unsettled());
				Self::deposit_event(Event::EpochExpired { epoch: cursor, remainder });
			}
			cursor = cursor.saturating_add(1);
		}
		ExpiryCursor::<T>::put(cursor);
	}

	/// Moves `amount` from the pot to the treasury as expired; returns what moved.
	pub(crate) fn to_treasury(amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let moved = T::Currency::transfer(
			&Self::pot(),
			&T::TreasuryAccount::get(),
			amount,
			Preservation::Preserve,
		)
		.map_or_else(|_| Zero::zero(), |_| amount);
		Totals::<T>::mutate(|totals| totals.expired = totals.expired.saturating_add(moved));
		moved
	}

	/// Hands the staking share accrued since the last call to staking (its era payout): the
	/// runtime's `EraPayout` calls this once per era, and staking mints it for validators and
	/// nominators as they are paid.
	pub fn take_staking_payout() -> BalanceOf<T> {
		let amount = StakingPayoutDue::<T>::take();
		if !amount.is_zero() {
			Totals::<T>::mutate(|totals| {
				totals.handed_to_staking = totals.handed_to_staking.saturating_add(amount)
			});
			Self::deposit_event(Event::StakingPayoutHanded { amount });
		}
		amount
	}
}

impl<T: Config> ScoreSink for Pallet<T> {
	fn devices_active(devices: &[(DeviceId, DeviceIndex, EpochIndex)]) -> Weight {
		Self::touch_all(devices)
	}

	fn epoch_scored(epoch: EpochIndex, totals: &EpochScore) {
		Self::close_epoch(epoch, totals);
	}

	fn devices_active_weight(n: u32) -> Weight {
		Self::touch_all_dearest(n)
	}

	fn epoch_scored_weight() -> Weight {
		T::WeightInfo::close_epoch()
	}
}

impl<T: Config> UsageSink<BalanceOf<T>> for Pallet<T> {
	fn usage_settled(
		device: &DeviceId,
		index: DeviceIndex,
		epoch: EpochIndex,
		units: Credits,
		value: BalanceOf<T>,
	) {
		// Service payments report the epoch in progress, which is never closed; should a
		// clock disagree, the usage counts in the first open epoch rather than be lost.
		let epoch = match LastClosedEpoch::<T>::get() {
			Some(last) if epoch <= last => {
				frame_support::defensive!("usage reported for a closed epoch");
				last.saturating_add(1)
			}
			_ => epoch,
		};
		Self::touch(device, index, epoch);
		DeviceUsage::<T>::mutate(epoch, device, |usage| usage.add(units, value));
		EpochUsage::<T>::mutate(epoch, |usage| {
			usage.get_or_insert_with(Default::default).add(units, value)
		});
		Self::deposit_event(Event::UsageRecorded { device: *device, epoch, units, value });
	}

	fn usage_settled_weight() -> Weight {
		Self::touch_all_dearest(1).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
}
