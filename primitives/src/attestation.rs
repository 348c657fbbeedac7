//! Attestations: what devices sign to prove uptime and coverage, as the chain verifies them.
//!
//! Three kinds, each signed by the device key over `domain ‖ SCALE(payload)` where every
//! payload starts with the chain's genesis hash (see [`crate::payload`]):
//!
//! | kind | domain | signed payload |
//! |---|---|---|
//! | [`Heartbeat`] | `depin/heartbeat/v1` | `genesis ‖ device ‖ epoch ‖ slot` |
//! | [`Beacon`] | `depin/beacon/v1` | `genesis ‖ device ‖ epoch ‖ epoch randomness` |
//! | [`WitnessReport`] | `depin/witness/v1` | `genesis ‖ witness ‖ beaconer ‖ epoch ‖ beacon payload ‖ rssi ‖ snr ‖ frequency` |
//!
//! A beacon's *payload* is the beaconer's signature over the epoch's randomness: nobody can
//! compute it before the beaconer broadcasts it, and nobody can forge it afterwards, so a
//! witness that quotes it proves it heard that device in that epoch. The beacon attestation
//! is that payload itself (no second signature).

use crate::{
	device::{DeviceId, DeviceSignature},
	payload::SignedPayload,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Index of a proof-of-coverage epoch, counted from 0 at the chain's first block.
pub type EpochIndex = u32;

/// Index of an uptime slot within an epoch (`0..slots_per_epoch`).
pub type SlotIndex = u16;

/// Largest number of uptime slots an epoch may have (a device's heartbeat count in an epoch
/// fits in 7 bits of its tally byte).
pub const MAX_SLOTS_PER_EPOCH: u16 = 120;

/// Score units per point: scores are fixed-point numbers with six decimals.
pub const SCORE_UNIT: u64 = 1_000_000;

/// Devices per heartbeat bitmap page: 4096 bits, 512 bytes. A device's page is
/// `index / DEVICES_PER_PAGE` and its bit `index % DEVICES_PER_PAGE`
/// ([`crate::DeviceIndex`]).
pub const DEVICES_PER_PAGE: u32 = 4096;

/// Domain tag of heartbeats.
pub const HEARTBEAT_DOMAIN: &[u8] = b"depin/heartbeat/v1";
/// Domain tag of beacons.
pub const BEACON_DOMAIN: &[u8] = b"depin/beacon/v1";
/// Domain tag of witness reports.
pub const WITNESS_DOMAIN: &[u8] = b"depin/witness/v1";

/// "I am up in this slot": one per device per slot.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Heartbeat {
	/// The device.
	pub device: DeviceId,
	/// The epoch.
	pub epoch: EpochIndex,
	/// The slot within the epoch.
	pub slot: SlotIndex,
}

/// A challenged device's beacon for an epoch.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Beacon {
	/// The beaconing device.
	pub device: DeviceId,
	/// The epoch it was challenged in.
	pub epoch: EpochIndex,
	/// Its signature over [`BeaconPayload`]: what it broadcasts over the air.
	pub payload: DeviceSignature,
}

/// A device that heard another device's beacon over the air.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct WitnessReport {
	/// The device that heard the beacon (and signs this report).
	pub witness: DeviceId,
	/// The device that sent it.
	pub beaconer: DeviceId,
	/// The epoch of the beacon.
	pub epoch: EpochIndex,
	/// The beacon's payload as received.
	pub beacon_payload: DeviceSignature,
	/// Received signal strength, dBm (e.g. -110).
	pub rssi_dbm: i16,
	/// Signal-to-noise ratio, tenths of a dB (e.g. -75 for -7.5 dB).
	pub snr_decibels_x10: i16,
	/// Carrier frequency, kHz (e.g. 868_100 for 868.1 MHz).
	pub frequency_khz: u32,
}

/// An attestation as devices send it and as it travels in oracle batches.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum SignedAttestation {
	/// A heartbeat and the device's signature over [`HeartbeatPayload`].
	Heartbeat {
		/// What is attested.
		heartbeat: Heartbeat,
		/// The device's signature.
		signature: DeviceSignature,
	},
	/// A beacon (self-authenticating: its payload is the signature).
	Beacon(Beacon),
	/// A witness report and the witness's signature over [`WitnessPayload`].
	Witness {
		/// What is attested.
		report: WitnessReport,
		/// The witness device's signature.
		signature: DeviceSignature,
	},
}

impl SignedAttestation {
	/// The device that signed it (the witness, for a witness report).
	pub fn device(&self) -> DeviceId {
		match self {
			Self::Heartbeat { heartbeat, .. } => heartbeat.device,
			Self::Beacon(beacon) => beacon.device,
			Self::Witness { report, .. } => report.witness,
		}
	}

	/// The epoch it claims.
	pub fn epoch(&self) -> EpochIndex {
		match self {
			Self::Heartbeat { heartbeat, .. } => heartbeat.epoch,
			Self::Beacon(beacon) => beacon.epoch,
			Self::Witness { report, .. } => report.epoch,
		}
	}

	/// The signature the chain verifies against the device's key.
	pub fn signature(&self) -> &DeviceSignature {
		match self {
			Self::Heartbeat { signature, .. } | Self::Witness { signature, .. } => signature,
			Self::Beacon(beacon) => &beacon.payload,
		}
	}
}

/// What a device signs for a heartbeat.
#[derive(Encode)]
pub struct HeartbeatPayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The heartbeat.
	pub heartbeat: &'a Heartbeat,
}

impl<Hash: Encode> SignedPayload for HeartbeatPayload<'_, Hash> {
	const DOMAIN: &'static [u8] = HEARTBEAT_DOMAIN;
}

/// What a challenged device signs to make its beacon payload.
#[derive(Encode)]
pub struct BeaconPayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The beaconing device.
	pub device: &'a DeviceId,
	/// The epoch.
	pub epoch: EpochIndex,
	/// The epoch's randomness, fixed by the chain at the epoch's start.
	pub randomness: &'a [u8; 32],
}

impl<Hash: Encode> SignedPayload for BeaconPayload<'_, Hash> {
	const DOMAIN: &'static [u8] = BEACON_DOMAIN;
}

/// What a witness signs.
#[derive(Encode)]
pub struct WitnessPayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The report.
	pub report: &'a WitnessReport,
}

impl<Hash: Encode> SignedPayload for WitnessPayload<'_, Hash> {
	const DOMAIN: &'static [u8] = WITNESS_DOMAIN;
}

/// Why the chain (or a node's RPC, before queueing) refused an attestation.
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
)]
pub enum AttestationRejection {
	/// The signing device is not registered.
	UnknownDevice,
	/// The signing device is suspended or retired.
	DeviceNotActive,
	/// The device's signature does not verify against its registered key.
	BadSignature,
	/// The epoch is neither the current one nor the one before.
	WrongEpoch,
	/// The slot index is beyond the epoch's slots.
	SlotOutOfRange,
	/// The slot has not started yet.
	SlotNotStarted,
	/// The slot ended longer ago than the heartbeat grace allows.
	SlotExpired,
	/// Already counted (same heartbeat slot, same beacon, same witness of the same beacon).
	Duplicate,
	/// A beacon from a device that was not challenged in that epoch.
	NotChallenged,
	/// A witness of a device that is not registered or not active.
	UnknownBeaconer,
	/// A witness of a device that was not challenged in that epoch.
	BeaconerNotChallenged,
	/// The quoted beacon payload is not the beaconer's signature over the epoch randomness.
	InvalidBeaconPayload,
	/// Witness and beaconer have the same owner (or are the same device).
	SameOwner,
	/// Witness and beaconer are closer than the minimum distance.
	TooClose,
	/// Witness and beaconer are farther apart than the maximum distance.
	TooFar,
	/// The reported signal is stronger than free-space propagation allows at that distance.
	RssiTooStrong,
	/// The reported frequency is outside the allowed band.
	FrequencyOutOfBand,
	/// The beacon already has the maximum number of rewarded witnesses.
	WitnessCapReached,
}

/// A device's (or an epoch's total) score, in score units ([`SCORE_UNIT`] per point), split
/// by the reward pool it feeds.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct EpochScore {
	/// From heartbeats: feeds the uptime pool.
	pub uptime: u64,
	/// From beacons and witnesses: feeds the proof-of-coverage pool.
	pub coverage: u64,
}

impl EpochScore {
	/// Adds `other`, saturating.
	pub fn saturating_accrue(&mut self, other: &EpochScore) {
		self.uptime = self.uptime.saturating_add(other.uptime);
		self.coverage = self.coverage.saturating_add(other.coverage);
	}

	/// Whether both parts are zero.
	pub fn is_zero(&self) -> bool {
		self.uptime == 0 && self.coverage == 0
	}
}

/// Whether `device` is challenged in an epoch with `randomness` and challenge `rate`
/// (parts per billion): `blake2_256(randomness ‖ device)` read as a number, below the rate.
/// O(1) and the same everywhere: runtime, node and devices compute it alike.
pub fn is_challenged(randomness: &[u8; 32], device: &DeviceId, rate_per_billion: u32) -> bool {
	let mut input = [0u8; 64];
	input[..32].copy_from_slice(randomness);
	input[32..].copy_from_slice(&device.0);
	let hash = sp_io::hashing::blake2_256(&input);
	let draw = u32::from_le_bytes([hash[0], hash[1], hash[2], hash[3]]);
	// draw is uniform in [0, 2^32); challenged with probability rate / 10^9.
	(u64::from(draw) * 1_000_000_000) < (u64::from(rate_per_billion) << 32)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn heartbeat_bytes_are_domain_genesis_device_epoch_slot() {
		let genesis = [1u8; 32];
		let heartbeat = Heartbeat { device: DeviceId([2u8; 32]), epoch: 7, slot: 3 };
		let bytes =
			HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }.signing_bytes();
		assert_eq!(&bytes[..18], b"depin/heartbeat/v1");
		assert_eq!(&bytes[18..50], &genesis);
		assert_eq!(&bytes[50..82], &[2u8; 32]);
		assert_eq!(&bytes[82..86], &7u32.to_le_bytes());
		assert_eq!(&bytes[86..88], &3u16.to_le_bytes());
		assert_eq!(bytes.len(), 88);
	}

	#[test]
	fn beacon_bytes_bind_the_randomness() {
		let genesis = [1u8; 32];
		let device = DeviceId([2u8; 32]);
		let bytes = BeaconPayload {
			genesis_hash: &genesis,
			device: &device,
			epoch: 9,
			randomness: &[5u8; 32],
		}
		.signing_bytes();
		assert_eq!(&bytes[..15], b"depin/beacon/v1");
		assert_eq!(&bytes[15..47], &genesis);
		assert_eq!(&bytes[47..79], &[2u8; 32]);
		assert_eq!(&bytes[79..83], &9u32.to_le_bytes());
		assert_eq!(&bytes[83..], &[5u8; 32]);
	}

	#[test]
	fn heartbeat_attestation_is_small() {
		let attestation = SignedAttestation::Heartbeat {
			heartbeat: Heartbeat { device: DeviceId([0; 32]), epoch: 0, slot: 0 },
			signature: DeviceSignature::Ed25519([0; 64]),
		};
		// variant + device + epoch + slot + scheme + signature.
		assert_eq!(attestation.encode().len(), 1 + 32 + 4 + 2 + 1 + 64);
	}

	#[test]
	fn challenge_rate_is_respected() {
		let randomness = [42u8; 32];
		let devices: Vec<DeviceId> =
			(0u32..10_000).map(|i| DeviceId(sp_io::hashing::blake2_256(&i.encode()))).collect();
		let count = |rate| devices.iter().filter(|d| is_challenged(&randomness, d, rate)).count();
		assert_eq!(count(0), 0);
		assert_eq!(count(1_000_000_000), 10_000);
		let quarter = count(250_000_000);
		assert!((2_300..=2_700).contains(&quarter), "{quarter}");
		// Another epoch's randomness challenges other devices.
		let other: Vec<bool> =
			devices.iter().map(|d| is_challenged(&[43u8; 32], d, 250_000_000)).collect();
		let same: Vec<bool> =
			devices.iter().map(|d| is_challenged(&randomness, d, 250_000_000)).collect();
		assert_ne!(other, same);
	}
}
