//! Traits through which pallets talk to each other, so no pallet reads another's storage.

use crate::{
	attestation::{EpochIndex, EpochScore},
	device::{DeviceId, DeviceIndex, DeviceKey, DeviceKind, DeviceStatus},
	location::H3Cell,
};
use alloc::vec::Vec;
use sp_weights as frame_support_weight;

/// What other pallets (and dApps, through `DepinApi`) may know about a registered device.
#[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub struct DeviceInfo<AccountId> {
	/// Its registration index (dense, never reused).
	pub index: DeviceIndex,
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

	/// Up to `limit` devices of `owner`, in a fixed order, starting after `after` (from the
	/// first when `None`): for paging through an owner's devices.
	fn devices_of(owner: &AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId>;

	/// The device's owner, if it is registered.
	fn owner(id: &DeviceId) -> Option<AccountId> {
		Self::device(id).map(|d| d.owner)
	}

	/// Whether the device is registered and active (earning).
	fn is_active(id: &DeviceId) -> bool {
		Self::device(id).is_some_and(|d| d.status == DeviceStatus::Active)
	}
}

/// Penalties proof of coverage imposes on a device that proved itself dishonest (implemented
/// by `pallet-device-registry`, which holds the bonds; `()` imposes none).
pub trait DevicePenalty {
	/// Takes `share` of `device`'s bond (as it stands) to the treasury: its witness tag
	/// failed a reveal, proof that it reported a beacon it never heard. Does nothing for an
	/// unknown device or an empty bond.
	/// Its cost is measured inside proof of coverage's `reveals_invalid` benchmark (with the
	/// runtime's registry), so it has no weight function of its own.
	fn slash_bond(device: &DeviceId, share: sp_runtime::Perbill);
}

impl DevicePenalty for () {
	fn slash_bond(_: &DeviceId, _: sp_runtime::Perbill) {}
}

/// Where proof of coverage reports scores: implemented by the rewards pallet (`()` ignores
/// them). Proof of coverage never mints; it only says who earned how much.
///
/// It does not push every attestation's score: that would cost a write per device per
/// attestation, more than the signature check. Instead it says once per device and epoch
/// (in one call per batch, so what the devices share is read once) that the device became
/// active (the moment rewards may settle the device's earlier
/// epochs), and once per epoch that the epoch's totals are final; a device's score is read
/// from proof of coverage when rewards needs it.
pub trait ScoreSink {
	/// Each `(device, index, epoch)` had its first attestation of `epoch` accepted. Called
	/// once per batch with every device the batch made active (at most once per device and
	/// epoch), before proof of coverage writes anything of those epochs for them, so each
	/// device's record of the epoch two back (same parity) is still readable through
	/// [`EpochScores`]. Returns the weight it used, at most
	/// [`ScoreSink::devices_active_weight`] of the number of devices.
	fn devices_active(
		devices: &[(DeviceId, DeviceIndex, EpochIndex)],
	) -> frame_support_weight::Weight;

	/// No more score can be added to `epoch` (its grace period is over); `totals` is final.
	fn epoch_scored(epoch: EpochIndex, totals: &EpochScore);

	/// Weight of one [`ScoreSink::devices_active`] with `n` devices, in its dearest case: a
	/// fixed part shared by the call (charged once per batch) and a part per device.
	fn devices_active_weight(n: u32) -> frame_support_weight::Weight;

	/// Weight of one [`ScoreSink::epoch_scored`].
	fn epoch_scored_weight() -> frame_support_weight::Weight;
}

impl ScoreSink for () {
	fn devices_active(_: &[(DeviceId, DeviceIndex, EpochIndex)]) -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}
	fn epoch_scored(_: EpochIndex, _: &EpochScore) {}
	fn devices_active_weight(_: u32) -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}
	fn epoch_scored_weight() -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}
}

/// A device's score in an epoch, read from proof of coverage (implemented by
/// `pallet-proof-of-coverage`).
pub trait EpochScores {
	/// `device`'s (registration `index`) score in `epoch`: final once the epoch is scored,
	/// `None` once the chain no longer keeps the epoch's records.
	fn score(device: &DeviceId, index: DeviceIndex, epoch: EpochIndex) -> Option<EpochScore>;

	/// Weight of one [`EpochScores::score`].
	fn score_weight() -> frame_support_weight::Weight;
}

/// The proof-of-coverage clock, for pallets that book things by epoch (implemented by
/// `pallet-proof-of-coverage`).
pub trait EpochClock {
	/// The epoch in progress; `None` before the first epoch starts.
	fn current_epoch() -> Option<EpochIndex>;
}

/// Where service payments report settled usage: implemented by the rewards pallet, whose
/// data-transfer pool pays devices by it (`()` ignores it).
///
/// Usage is reported in the epoch it is settled in, which is always still open in rewards
/// (an epoch closes only after its grace period).
pub trait UsageSink<Balance> {
	/// `device` (registration `index`) was paid `units` credits in `epoch`, worth `value`
	/// tokens (what was burned to buy those credits).
	fn usage_settled(
		device: &DeviceId,
		index: DeviceIndex,
		epoch: EpochIndex,
		units: crate::Credits,
		value: Balance,
	);

	/// Weight of one [`UsageSink::usage_settled`].
	fn usage_settled_weight() -> frame_support_weight::Weight {
		frame_support_weight::Weight::zero()
	}
}

impl<Balance> UsageSink<Balance> for () {
	fn usage_settled(_: &DeviceId, _: DeviceIndex, _: EpochIndex, _: crate::Credits, _: Balance) {}
}
