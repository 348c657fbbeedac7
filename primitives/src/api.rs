//! The runtime API the node uses for proof of coverage: its RPC checks attestations with
//! the chain's own rules before queueing them, and reads the current epoch.

use crate::{
	attestation::{AttestationRejection, EpochIndex, EpochScore, SignedAttestation},
	device::DeviceId,
};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// The current epoch as nodes and devices need it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EpochSummary<BlockNumber> {
	/// Its index.
	pub index: EpochIndex,
	/// Its first block.
	pub start: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
	/// Its number of uptime slots.
	pub slots: u16,
	/// Its randomness (beacons sign it, challenges derive from it).
	pub randomness: [u8; 32],
	/// Its challenge rate, parts per billion.
	pub challenge_rate: u32,
}

/// What a device did in one epoch and the score it earned, as proof of coverage holds it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct DeviceEpochReport {
	/// The epoch.
	pub epoch: EpochIndex,
	/// Bit `s` set: the device's heartbeat for slot `s` was counted.
	pub heartbeat_slots: u128,
	/// Whether the device was challenged and its beacon accepted.
	pub beacon_accepted: bool,
	/// Witnesses rewarded for the device's beacon.
	pub beacon_witnesses: u32,
	/// Witness reports by the device accepted in the epoch.
	pub witness_reports: u32,
	/// Its score: uptime (heartbeats × `SCORE_UNIT`) and coverage (density-scaled).
	pub score: EpochScore,
}

impl DeviceEpochReport {
	/// Heartbeats counted.
	pub fn heartbeats(&self) -> u32 {
		self.heartbeat_slots.count_ones()
	}
}

sp_api::decl_runtime_apis! {
	/// Proof-of-coverage queries.
	#[api_version(2)]
	pub trait ProofOfCoverageApi<BlockNumber: Codec> {
		/// For each attestation, what the chain would say now of its signer, signature and
		/// epoch (not of replays or witness geometry, which depend on the batch it lands in).
		fn precheck_attestations(
			attestations: Vec<SignedAttestation>,
		) -> Vec<Result<(), AttestationRejection>>;

		/// The current epoch, once the first block has started it.
		fn current_epoch() -> Option<EpochSummary<BlockNumber>>;

		/// What `device` did in `epoch` and its score, while the chain keeps the epoch's
		/// records (the current and previous epoch for coverage; `EpochHistory` epochs for
		/// heartbeats); `None` if the device is unknown or did nothing in it.
		#[api_version(2)]
		fn device_report(device: DeviceId, epoch: EpochIndex) -> Option<DeviceEpochReport>;
	}
}
