//! [`DeviceInspect`]: how other pallets read the registry.

use crate::{CellDeviceCount, Config, Devices, Pallet};
use alloc::vec::Vec;
use depin_primitives::{DeviceId, DeviceInfo, DeviceInspect, H3Cell};
use frame_support::traits::Get;

impl<T: Config> DeviceInspect<T::AccountId> for Pallet<T> {
	fn device(id: &DeviceId) -> Option<DeviceInfo<T::AccountId>> {
		Devices::<T>::get(id).map(|record| DeviceInfo {
			index: record.index,
			owner: record.owner,
			key: record.key,
			kind: record.kind,
			location: record.location,
			status: record.state.status(),
		})
	}

	fn devices_of(owner: &T::AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId> {
		Pallet::<T>::devices_of(owner, after, limit)
	}

	fn density_resolution() -> u8 {
		T::DensityResolution::get()
	}

	fn active_devices_in_cell(cell: H3Cell) -> u32 {
		CellDeviceCount::<T>::get(cell).unwrap_or(0)
	}
}
