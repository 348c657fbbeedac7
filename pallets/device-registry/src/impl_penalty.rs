//! Slashing bonds: by governance (`slash_device`) and, through [`DevicePenalty`], by proof of
//! coverage when a device proves itself dishonest.

use crate::{Config, DeviceRecordOf, Devices, Event, HoldReason, Pallet};
use depin_primitives::{DeviceId, DevicePenalty};
use frame_support::traits::{fungible::BalancedHold, Imbalance, OnUnbalanced};
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// Slashes `amount` (at most the bond) of `device`'s bond, `record`, to `Config::Revenue`
	/// and writes the record back. Emits `DeviceSlashed`.
	pub(crate) fn do_slash(
		device: &DeviceId,
		mut record: DeviceRecordOf<T>,
		amount: crate::BalanceOf<T>,
	) {
		let amount = amount.min(record.bond);
		let (credit, _missing) =
			T::Currency::slash(&HoldReason::DeviceBond.into(), &record.owner, amount);
		let slashed = credit.peek();
		T::Revenue::on_unbalanced(credit);
		record.bond = record.bond.saturating_sub(slashed);
		let (owner, remaining_bond) = (record.owner.clone(), record.bond);
		Devices::<T>::insert(device, record);
		Self::deposit_event(Event::DeviceSlashed {
			device: *device,
			owner,
			amount: slashed,
			remaining_bond,
		});
	}
}

impl<T: Config> DevicePenalty for Pallet<T> {
	fn slash_bond(device: &DeviceId, share: Perbill) {
		let Some(record) = Devices::<T>::get(device) else { return };
		let amount = share.mul_floor(record.bond);
		if amount.is_zero() {
			return;
		}
		Self::do_slash(device, record, amount);
	}
}
