//! Attestations: what devices sign to prove uptime and coverage, as the chain verifies them.
//!
//! Four kinds. Three are signed by the device key over `domain ‖ SCALE(payload)` where every
//! payload starts with the chain's genesis hash (see [`crate::payload`]); the fourth, a
//! beacon's reveal, proves itself against the beacon's commitment:
//!
//! | kind | domain | signed payload |
//! |---|---|---|
//! | [`Heartbeat`] | `depin/heartbeat/v2` | `genesis ‖ device ‖ epoch ‖ slot ‖ slot anchor` |
//! | [`Beacon`] | `depin/beacon/v2` | `genesis ‖ device ‖ epoch ‖ commitment ‖ epoch randomness` |
//! | [`WitnessReport`] | `depin/witness/v2` | `genesis ‖ witness ‖ beaconer ‖ epoch ‖ commitment ‖ tag ‖ rssi ‖ snr ‖ frequency` |
//! | [`BeaconReveal`] | (none) | `device ‖ epoch ‖ secret`, checked against the commitment |
//!
//! **Heartbeats** bind the *slot anchor*: the hash of the block just before the slot's first
//! block, which nobody knows until that block is authored, so a heartbeat cannot be signed
//! ahead of its slot.
//!
//! **Beacons are commit–reveal.** A challenged device draws a secret `s` (32 bytes nobody
//! else can predict) and broadcasts it **over the air only**. On chain, during the epoch's
//! witness window, it publishes the commitment [`beacon_commitment`]`(s)`; each device that
//! heard `s` publishes a [`WitnessReport`] carrying the same commitment and its *tag*
//! [`witness_tag`]`(s, witness)`, which binds the secret to that witness. After the window
//! closes the beaconer reveals `s` ([`BeaconReveal`]): the chain checks it against the
//! commitment and every tag. Nothing published before the reveal lets a device that did not
//! hear `s` make a valid tag, and a copied tag names the device that made it, so it is
//! worthless to any other.

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
/// fits in 6 bits of its tally byte; the other two say whether it has coverage and whether
/// its heartbeats count).
pub const MAX_SLOTS_PER_EPOCH: u16 = 63;

/// Score units per point: scores are fixed-point numbers with six decimals.
pub const SCORE_UNIT: u64 = 1_000_000;

/// Devices per heartbeat bitmap page: 4096 bits, 512 bytes. A device's page is
/// `index / DEVICES_PER_PAGE` and its bit `index % DEVICES_PER_PAGE`
/// ([`crate::DeviceIndex`]).
pub const DEVICES_PER_PAGE: u32 = 4096;

/// Domain tag of heartbeats.
pub const HEARTBEAT_DOMAIN: &[u8] = b"depin/heartbeat/v2";
/// Domain tag of beacons (the beaconer's signature over its commitment).
pub const BEACON_DOMAIN: &[u8] = b"depin/beacon/v2";
/// Domain tag of witness reports.
pub const WITNESS_DOMAIN: &[u8] = b"depin/witness/v2";
/// Domain of [`beacon_commitment`].
pub const BEACON_COMMITMENT_DOMAIN: &[u8] = b"depin/beacon-commitment/v2";
/// Domain of [`witness_tag`].
pub const WITNESS_TAG_DOMAIN: &[u8] = b"depin/witness-tag/v2";

/// A beacon's secret: 32 bytes the beaconer draws for one epoch and sends over the air only,
/// revealed on chain after the epoch's witness window.
pub type BeaconSecret = [u8; 32];

/// A 32-byte hash (commitments, tags, block hashes as devices sign them).
pub type Hash32 = [u8; 32];

/// `blake2_256("depin/beacon-commitment/v2" ‖ genesis ‖ beaconer ‖ epoch ‖ secret)`: what a
/// beacon publishes during the witness window, and what a witness computes from the secret
/// it heard (so it knows it heard the beacon the chain holds).
pub fn beacon_commitment<Hash: Encode>(
	genesis_hash: &Hash,
	beaconer: &DeviceId,
	epoch: EpochIndex,
	secret: &BeaconSecret,
) -> Hash32 {
	let mut bytes = alloc::vec::Vec::with_capacity(BEACON_COMMITMENT_DOMAIN.len() + 100);
	bytes.extend_from_slice(BEACON_COMMITMENT_DOMAIN);
	(genesis_hash, beaconer, epoch, secret).encode_to(&mut bytes);
	sp_io::hashing::blake2_256(&bytes)
}

/// `blake2_256("depin/witness-tag/v2" ‖ secret ‖ witness)`: proof that `witness` knew the
/// beacon's secret before it was revealed. Only a device that heard the secret can make it,
/// and it names the witness, so it is worth nothing to another device.
pub fn witness_tag(secret: &BeaconSecret, witness: &DeviceId) -> Hash32 {
	let mut bytes = [0u8; 20 + 64];
	bytes[..20].copy_from_slice(WITNESS_TAG_DOMAIN);
	bytes[20..52].copy_from_slice(secret);
	bytes[52..].copy_from_slice(&witness.0);
	sp_io::hashing::blake2_256(&bytes)
}

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
	/// The slot anchor: the hash of the block just before the slot's first block. Unknown
	/// until that block is authored, so the heartbeat cannot have been signed earlier.
	pub anchor: Hash32,
}

/// A challenged device's beacon for an epoch: its commitment to the secret it broadcasts.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Beacon {
	/// The beaconing device.
	pub device: DeviceId,
	/// The epoch it was challenged in.
	pub epoch: EpochIndex,
	/// [`beacon_commitment`] of its secret.
	pub commitment: Hash32,
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
	/// [`beacon_commitment`] of the secret heard: must equal the beacon's on chain.
	pub commitment: Hash32,
	/// [`witness_tag`] of the secret heard and this witness.
	pub tag: Hash32,
	/// Received signal strength, dBm (e.g. -110).
	pub rssi_dbm: i16,
	/// Signal-to-noise ratio, tenths of a dB (e.g. -75 for -7.5 dB).
	pub snr_decibels_x10: i16,
	/// Carrier frequency, kHz (e.g. 868_100 for 868.1 MHz).
	pub frequency_khz: u32,
}

/// A beaconer's secret, revealed after the witness window: checked against its commitment
/// and then against every witness tag. Needs no signature: only the beaconer knew a secret
/// matching its signed commitment until now.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct BeaconReveal {
	/// The beaconing device.
	pub device: DeviceId,
	/// The epoch of the beacon.
	pub epoch: EpochIndex,
	/// The secret it broadcast.
	pub secret: BeaconSecret,
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
	/// A beacon's commitment and the beaconer's signature over [`BeaconPayload`].
	Beacon {
		/// What is attested.
		beacon: Beacon,
		/// The beaconer's signature.
		signature: DeviceSignature,
	},
	/// A witness report and the witness's signature over [`WitnessPayload`].
	Witness {
		/// What is attested.
		report: WitnessReport,
		/// The witness device's signature.
		signature: DeviceSignature,
	},
	/// A beacon's secret, after its epoch's witness window.
	Reveal(BeaconReveal),
}

impl SignedAttestation {
	/// The device it speaks for (the witness, for a witness report; the beaconer, for a
	/// reveal).
	pub fn device(&self) -> DeviceId {
		match self {
			Self::Heartbeat { heartbeat, .. } => heartbeat.device,
			Self::Beacon { beacon, .. } => beacon.device,
			Self::Witness { report, .. } => report.witness,
			Self::Reveal(reveal) => reveal.device,
		}
	}

	/// The epoch it claims.
	pub fn epoch(&self) -> EpochIndex {
		match self {
			Self::Heartbeat { heartbeat, .. } => heartbeat.epoch,
			Self::Beacon { beacon, .. } => beacon.epoch,
			Self::Witness { report, .. } => report.epoch,
			Self::Reveal(reveal) => reveal.epoch,
		}
	}

	/// The signature the chain verifies against the device's key (none for a reveal).
	pub fn signature(&self) -> Option<&DeviceSignature> {
		match self {
			Self::Heartbeat { signature, .. }
			| Self::Beacon { signature, .. }
			| Self::Witness { signature, .. } => Some(signature),
			Self::Reveal(_) => None,
		}
	}
}

/// What a device signs for a heartbeat.
#[derive(Encode)]
pub struct HeartbeatPayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The heartbeat (device, epoch, slot, slot anchor).
	pub heartbeat: &'a Heartbeat,
}

impl<Hash: Encode> SignedPayload for HeartbeatPayload<'_, Hash> {
	const DOMAIN: &'static [u8] = HEARTBEAT_DOMAIN;
}

/// What a challenged device signs to publish its beacon's commitment.
#[derive(Encode)]
pub struct BeaconPayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The beacon (device, epoch, commitment).
	pub beacon: &'a Beacon,
	/// The epoch's randomness, fixed by the chain at the epoch's start: a beacon cannot be
	/// signed before its epoch.
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
	/// Already counted (same heartbeat slot, same beacon, same witness of the same beacon,
	/// a beacon already revealed).
	Duplicate,
	/// A beacon from a device that was not challenged in that epoch.
	NotChallenged,
	/// A witness of a device that is not registered or not active.
	UnknownBeaconer,
	/// A witness of a device that was not challenged in that epoch.
	BeaconerNotChallenged,
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
	/// The heartbeat's anchor is not the hash of the block before its slot: it was signed
	/// before the slot began (pre-signed), or on another fork.
	WrongSlotAnchor,
	/// The epoch's witness window is over: no more beacons or witness reports for it.
	WitnessWindowClosed,
	/// A witness report of a beacon whose commitment is not on chain (yet): send it again
	/// once the beacon has landed.
	BeaconNotCommitted,
	/// The witness report's commitment is not the beacon's: it heard another secret.
	CommitmentMismatch,
	/// The beacon already holds `max_witness_candidates` witness reports.
	WitnessListFull,
	/// The witness made an invalid tag recently and may not witness until its bar ends.
	WitnessBarred,
	/// A reveal before its epoch's witness window closed (it would leak the secret).
	RevealTooEarly,
	/// The revealed secret does not match the beacon's commitment.
	InvalidReveal,
	/// The batch's declared charge ([`crate::oracle::BatchCharge`]) is used up: this
	/// heartbeat would touch a page or an anchor, or make its device active, beyond what the
	/// batch paid for. The oracle under-counted; a later batch can carry it.
	OverCharge,
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
	fn heartbeat_bytes_are_domain_genesis_device_epoch_slot_anchor() {
		let genesis = [1u8; 32];
		let heartbeat =
			Heartbeat { device: DeviceId([2u8; 32]), epoch: 7, slot: 3, anchor: [9u8; 32] };
		let bytes =
			HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }.signing_bytes();
		assert_eq!(&bytes[..18], b"depin/heartbeat/v2");
		assert_eq!(&bytes[18..50], &genesis);
		assert_eq!(&bytes[50..82], &[2u8; 32]);
		assert_eq!(&bytes[82..86], &7u32.to_le_bytes());
		assert_eq!(&bytes[86..88], &3u16.to_le_bytes());
		assert_eq!(&bytes[88..120], &[9u8; 32]);
		assert_eq!(bytes.len(), 120);
	}

	#[test]
	fn beacon_bytes_bind_the_commitment_and_the_randomness() {
		let genesis = [1u8; 32];
		let beacon = Beacon { device: DeviceId([2u8; 32]), epoch: 9, commitment: [6u8; 32] };
		let bytes =
			BeaconPayload { genesis_hash: &genesis, beacon: &beacon, randomness: &[5u8; 32] }
				.signing_bytes();
		assert_eq!(&bytes[..15], b"depin/beacon/v2");
		assert_eq!(&bytes[15..47], &genesis);
		assert_eq!(&bytes[47..79], &[2u8; 32]);
		assert_eq!(&bytes[79..83], &9u32.to_le_bytes());
		assert_eq!(&bytes[83..115], &[6u8; 32]);
		assert_eq!(&bytes[115..], &[5u8; 32]);
		assert_eq!(bytes.len(), 147);
	}

	#[test]
	fn witness_bytes_carry_commitment_and_tag() {
		let genesis = [1u8; 32];
		let report = WitnessReport {
			witness: DeviceId([2u8; 32]),
			beaconer: DeviceId([3u8; 32]),
			epoch: 4,
			commitment: [5u8; 32],
			tag: [6u8; 32],
			rssi_dbm: -100,
			snr_decibels_x10: -75,
			frequency_khz: 868_100,
		};
		let bytes = WitnessPayload { genesis_hash: &genesis, report: &report }.signing_bytes();
		assert_eq!(&bytes[..16], b"depin/witness/v2");
		assert_eq!(&bytes[16..48], &genesis);
		assert_eq!(&bytes[48..80], &[2u8; 32]);
		assert_eq!(&bytes[80..112], &[3u8; 32]);
		assert_eq!(&bytes[112..116], &4u32.to_le_bytes());
		assert_eq!(&bytes[116..148], &[5u8; 32]);
		assert_eq!(&bytes[148..180], &[6u8; 32]);
		assert_eq!(&bytes[180..182], &(-100i16).to_le_bytes());
		assert_eq!(&bytes[182..184], &(-75i16).to_le_bytes());
		assert_eq!(&bytes[184..188], &868_100u32.to_le_bytes());
		assert_eq!(bytes.len(), 188);
	}

	#[test]
	fn commitment_and_tag_are_hashes_of_their_documented_bytes() {
		let genesis = [1u8; 32];
		let beaconer = DeviceId([2u8; 32]);
		let secret = [7u8; 32];
		let mut bytes = b"depin/beacon-commitment/v2".to_vec();
		bytes.extend_from_slice(&genesis);
		bytes.extend_from_slice(&beaconer.0);
		bytes.extend_from_slice(&3u32.to_le_bytes());
		bytes.extend_from_slice(&secret);
		assert_eq!(
			beacon_commitment(&genesis, &beaconer, 3, &secret),
			sp_io::hashing::blake2_256(&bytes)
		);
		let witness = DeviceId([8u8; 32]);
		let mut bytes = b"depin/witness-tag/v2".to_vec();
		bytes.extend_from_slice(&secret);
		bytes.extend_from_slice(&witness.0);
		assert_eq!(witness_tag(&secret, &witness), sp_io::hashing::blake2_256(&bytes));
		// A tag names its witness: another device's tag of the same secret differs.
		assert_ne!(witness_tag(&secret, &witness), witness_tag(&secret, &beaconer));
		assert_ne!(witness_tag(&secret, &witness), witness_tag(&[0u8; 32], &witness));
	}

	#[test]
	fn attestation_sizes() {
		let heartbeat = SignedAttestation::Heartbeat {
			heartbeat: Heartbeat { device: DeviceId([0; 32]), epoch: 0, slot: 0, anchor: [0; 32] },
			signature: DeviceSignature::Ed25519([0; 64]),
		};
		// variant + device + epoch + slot + anchor + scheme + signature.
		assert_eq!(heartbeat.encode().len(), 1 + 32 + 4 + 2 + 32 + 1 + 64);
		let reveal = SignedAttestation::Reveal(BeaconReveal {
			device: DeviceId([0; 32]),
			epoch: 0,
			secret: [0; 32],
		});
		assert_eq!(reveal.encode().len(), 1 + 32 + 4 + 32);
		assert!(reveal.signature().is_none());
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
