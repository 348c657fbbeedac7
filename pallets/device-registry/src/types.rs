//! Data types stored by the device registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use depin_primitives::{DeviceIndex, DeviceKey, DeviceKind, DeviceSignature, DeviceStatus, H3Cell};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Index of a maker (manufacturer) in [`crate::Makers`].
pub type MakerId = u32;

/// Free-form facts an owner declares about a device. Each field holds at most
/// `MaxLen` bytes (UTF-8 by convention; the chain does not interpret them).
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxLen))]
pub struct DeviceMetadata<MaxLen: Get<u32>> {
	/// Hardware model, e.g. `b"RAK7268"`.
	pub model: BoundedVec<u8, MaxLen>,
	/// Firmware version, e.g. `b"2.1.4"`.
	pub firmware: BoundedVec<u8, MaxLen>,
	/// A URI or IPFS CID with more about the device (photos, datasheet).
	pub uri: BoundedVec<u8, MaxLen>,
}

impl<MaxLen: Get<u32>> Default for DeviceMetadata<MaxLen> {
	fn default() -> Self {
		Self { model: Default::default(), firmware: Default::default(), uri: Default::default() }
	}
}

/// Where a device is in its life, with what each state needs to remember.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum DeviceState<BlockNumber, Reason> {
	/// Registered and earning.
	Active,
	/// Stopped by governance since block `since`, for `reason`.
	Suspended {
		/// Why governance suspended the device.
		reason: Reason,
		/// Block of the suspension.
		since: BlockNumber,
	},
	/// Retired by its owner; the bond can be withdrawn from block `unbonds_at`.
	Retired {
		/// First block at which `withdraw_bond` succeeds.
		unbonds_at: BlockNumber,
	},
}

impl<BlockNumber, Reason> DeviceState<BlockNumber, Reason> {
	/// The state as other pallets see it.
	pub fn status(&self) -> DeviceStatus {
		match self {
			Self::Active => DeviceStatus::Active,
			Self::Suspended { .. } => DeviceStatus::Suspended,
			Self::Retired { .. } => DeviceStatus::Retired,
		}
	}
}

/// Everything the chain records about a device.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct DeviceRecord<AccountId, Balance, BlockNumber, Metadata, Reason> {
	/// Its registration index: dense, fixed for life, never reused.
	pub index: DeviceIndex,
	/// The account that owns the device, pays its bond and receives its rewards.
	pub owner: AccountId,
	/// The key the device signs with; the device id is its hash.
	pub key: DeviceKey,
	/// What the device does.
	pub kind: DeviceKind,
	/// Asserted location.
	pub location: H3Cell,
	/// Model, firmware, URI.
	pub metadata: Metadata,
	/// The maker that certified the key, if any.
	pub maker: Option<MakerId>,
	/// Amount held from the owner for this device (it may shrink by slashing).
	pub bond: Balance,
	/// Active, suspended or retired.
	pub state: DeviceState<BlockNumber, Reason>,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// Block of the last location assertion (registration counts as one).
	pub location_updated_at: BlockNumber,
}

/// A manufacturer whose certificates onboard devices.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Maker<Balance, Name> {
	/// Display name.
	pub name: Name,
	/// The key that signs maker certificates.
	pub key: DeviceKey,
	/// Paid by the owner (to the treasury) for each device registered with this maker's
	/// certificate.
	pub onboarding_fee: Balance,
	/// Devices onboarded with this maker's certificate so far.
	pub devices_onboarded: u32,
}

/// A maker's signature over a device key (see
/// [`depin_primitives::MakerCertificatePayload`]).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct MakerCertificate {
	/// The certifying maker.
	pub maker: MakerId,
	/// The maker key's signature.
	pub signature: DeviceSignature,
}

/// Economic parameters of the registry, changed by governance without a runtime upgrade.
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
#[serde(rename_all = "camelCase")]
pub struct RegistryParameters<Balance, BlockNumber> {
	/// Held from the owner for each newly registered device.
	pub device_bond: Balance,
	/// Paid (to the treasury) for each `update_location`.
	pub location_fee: Balance,
	/// Minimum number of blocks between two location assertions of a device.
	pub location_update_interval: BlockNumber,
	/// Blocks between `retire_device` and `withdraw_bond`; the bond stays slashable meanwhile.
	pub unbonding_period: BlockNumber,
	/// Devices one account may own (at most the runtime's `MaxDevicesPerOwner`).
	pub max_devices_per_owner: u32,
}
