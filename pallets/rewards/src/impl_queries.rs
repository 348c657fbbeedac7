//! Read-only answers for the runtime API (`DepinApi`): a device's and an owner's rewards, a
//! closed epoch's pools.

use crate::{BalanceOf, Config, EpochRewards, Ledgers, Pallet};
use depin_primitives::{
	api::{ClosedEpoch, DeviceRewards, OwnerRewards},
	DeviceId, DeviceInspect, EpochIndex,
};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// `device`'s pending and claimable rewards; `None` if it is not registered.
	pub fn device_rewards(device: &DeviceId) -> Option<DeviceRewards<BalanceOf<T>>> {
		T::Devices::device(device)?;
		let ledger = Ledgers::<T>::get(device).unwrap_or_default();
		Some(DeviceRewards {
			pending: ledger.pending,
			claimable: Self::claimable(device),
			unsettled_epochs: ledger.unsettled.into_inner(),
		})
	}

	/// The rewards of up to `limit` of `owner`'s devices after `after`.
	pub fn owner_rewards(
		owner: &T::AccountId,
		after: Option<DeviceId>,
		limit: u32,
	) -> OwnerRewards<BalanceOf<T>> {
		let page = T::Devices::devices_of(owner, after, limit);
		let (mut pending, mut claimable) = (BalanceOf::<T>::zero(), BalanceOf::<T>::zero());
		for device in &page {
			if let Some(ledger) = Ledgers::<T>::get(device) {
				pending = pending.saturating_add(ledger.pending);
			}
			claimable = claimable.saturating_add(Self::claimable(device));
		}
		let next = if page.len() as u32 == limit { page.last().copied() } else { None };
		OwnerRewards { devices: page.len() as u32, pending, claimable, next }
	}

	/// `epoch`'s pools, while it is closed and not expired.
	pub fn closed_epoch(epoch: EpochIndex) -> Option<ClosedEpoch<BalanceOf<T>>> {
		EpochRewards::<T>::get(epoch).map(|pools| ClosedEpoch {
			epoch,
			coverage_pool: pools.coverage,
			uptime_pool: pools.uptime,
			data_transfer_pool: pools.data_transfer,
			settled: pools.settled,
			total_score: pools.total_score,
			usage_value: pools.usage_value,
		})
	}
}
