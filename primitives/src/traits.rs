//! Traits through which pallets talk to each other, so no pallet reads another's storage.

use crate::{
	attestation::{EpochIndex, EpochScore},
	device::{DeviceId, DeviceKey, DeviceKind, DeviceStatus},
	location::H3Cell,
};
use sp_weights as frame_support_weight;

/// What other pallets may know about a registered device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DeviceInfo<AccountId> {
	/// The account that owns the device and receives its rewards.
	pub owner: AccountId,
	/// The key the device signs with.
	pub key: DeviceKey,
	/// What the device does.
	pub kind: DeviceKind,
	/// Its asserted location.
	pub location: H3Cell,
	/// Active, suspended or retired.
	pub status: DeviceStatus,
}

/// Read access to the device registry, implemented by `pallet-device-registry`.
pub trait DeviceInspect<AccountId> {
	/// The device, if it is registered (retired devices stay until their bond is withdrawn).
	fn device(id: &DeviceId) -> Option<DeviceInfo<AccountId>>;

	/// The H3 resolution at which [`DeviceInspect::active_devices_in_cell`] counts.
	fn density_resolution() -> u8;

	/// Active devices located in `cell` (a cell at [`DeviceInspect::density_resolution`]).
	fn active_devices_in_cell(cell: H3Cell) -> u32;

	/// The device's owner, if it is registered.
	fn owner(id: &DeviceId) -> Option<AccountId> {
		Self::device(id).map(|d| d.owner)
	}

	/// Whether the device is registered and active (earning).
	fn is_active(id: &DeviceId) -> bool {
		Self::device(id).is_some_and(|d| d.status == DeviceStatus::Active)
	}
}

/// Where proof of coverage reports scores: implemented by the rewards pallet (`()` drops
/// them). Proof of coverage never mints; it only says who earned how many score units.
pub trait ScoreSink {
	/// `device` earned `delta` more in `epoch`.
	fn note_score(device: &DeviceId, epoch: EpochIndex, delta: &EpochScore);

	/// No more score can be added to `epoch` (its grace period is over); `totals` is final.
	fn epoch_scored(epoch: EpochIndex, totals: &EpochScore);

	/// Weight of one [`ScoreSink::note_score`].
	fn note_score_weight() -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}

	/// Weight of one [`ScoreSink::epoch_scored`].
	fn epoch_scored_weight() -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}
}

impl ScoreSink for () {
	fn note_score(_: &DeviceId, _: EpochIndex, _: &EpochScore) {}
	fn epoch_scored(_: EpochIndex, _: &EpochScore) {}
}
