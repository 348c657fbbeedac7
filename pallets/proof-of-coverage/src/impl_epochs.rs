//! Epochs: turning them over in `on_initialize`, in O(1) whatever the number of devices.

use crate::{
	Config, CurrentEpoch, EpochInfo, EpochInfoOf, EpochSlots, EpochTotals, Event, Pallet,
	Parameters, PreviousEpoch, WeightInfo,
};
use codec::Encode;
use depin_primitives::{EpochIndex, ScoreSink};
use frame_support::{
	traits::{Get, Randomness},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, SaturatedConversion};

/// Domain of the subject passed to the randomness source and of the epoch randomness.
const EPOCH_RANDOMNESS_DOMAIN: &[u8] = b"depin/poc/epoch-randomness/v1";

impl<T: Config> Pallet<T> {
	/// Starts the first epoch, or the next one when the current one is over.
	pub(crate) fn on_block(now: BlockNumberFor<T>) -> Weight {
		let current = CurrentEpoch::<T>::get();
		let due = match &current {
			None => true,
			Some(epoch) => now >= epoch.start.saturating_add(epoch.length),
		};
		if !due {
			return T::WeightInfo::on_initialize_idle();
		}
		let index = current.as_ref().map_or(0, |e| e.index.saturating_add(1));
		Self::start_epoch(index, now, current);
		T::WeightInfo::on_initialize_epoch_turn()
			.saturating_add(T::ScoreSink::epoch_scored_weight())
	}

	fn start_epoch(index: EpochIndex, now: BlockNumberFor<T>, current: Option<EpochInfoOf<T>>) {
		let parameters = Parameters::<T>::get();
		let randomness = Self::epoch_randomness(index);
		let epoch = EpochInfo {
			index,
			start: now,
			length: parameters.epoch_length,
			slots: parameters.slots_per_epoch,
			randomness,
			challenge_rate: parameters.challenge_rate,
			witness_grace: parameters.witness_grace,
			uptime_needs_coverage: parameters.uptime_needs_coverage,
		};

		// The epoch before the current one leaves its grace period: its totals are final.
		if let Some(closing) = PreviousEpoch::<T>::get() {
			let totals = EpochTotals::<T>::get(closing.index);
			T::ScoreSink::epoch_scored(closing.index, &totals);
			Self::deposit_event(Event::EpochScored { epoch: closing.index, totals });
		}
		match current {
			Some(current) => PreviousEpoch::<T>::put(current),
			None => PreviousEpoch::<T>::kill(),
		}
		if let Some(expired) = index.checked_sub(T::EpochHistory::get()) {
			EpochTotals::<T>::remove(expired);
			EpochSlots::<T>::remove(expired);
		}
		EpochSlots::<T>::insert(index, epoch.slots);
		CurrentEpoch::<T>::put(&epoch);
		Self::deposit_event(Event::EpochStarted {
			epoch: index,
			start: now,
			length: epoch.length,
			randomness,
		});
	}

	/// `blake2_256(domain ‖ epoch ‖ block ‖ block randomness)`: the block randomness is BABE's
	/// VRF output of the parent block in the runtime, unknown until that block is out. Mixing the
	/// index keeps epochs distinct even where the source has nothing yet (`None`).
	fn epoch_randomness(index: EpochIndex) -> [u8; 32] {
		let (random, _) = T::Randomness::random(EPOCH_RANDOMNESS_DOMAIN);
		let block: u64 = frame_system::Pallet::<T>::block_number().saturated_into();
		sp_io::hashing::blake2_256(&(EPOCH_RANDOMNESS_DOMAIN, index, block, random).encode())
	}
}
