//! What a device signs and sends, with the exact payloads the chain verifies
//! (`depin_primitives::attestation`, protocol v2): heartbeats bound to their slot's anchor,
//! a challenged device's beacon commitment and its secret's reveal, and witness reports
//! carrying the commitment and the witness's tag of the secret it heard.

use crate::radio::Reception;
use codec::Encode;
use depin_primitives::{
	attestation::{
		beacon_commitment, witness_tag, BeaconPayload, Hash32, HeartbeatPayload, WitnessPayload,
	},
	device::pair::DevicePair,
	Beacon, BeaconReveal, BeaconSecret, DeviceId, EpochIndex, Heartbeat, SignedAttestation,
	SignedPayload, SlotIndex, WitnessReport,
};
use sp_core::H256;

/// Domain of [`beacon_secret`].
const BEACON_SECRET_DOMAIN: &[u8] = b"depin-device/beacon-secret/v1";

/// "Up in `slot` of `epoch`", signed by `pair` for `device`. `anchor` is the hash of the
/// block just before the slot's first block: the chain refuses any other (`WrongSlotAnchor`).
pub fn heartbeat(
	pair: &DevicePair,
	device: DeviceId,
	genesis: &H256,
	epoch: EpochIndex,
	slot: SlotIndex,
	anchor: Hash32,
) -> SignedAttestation {
	let heartbeat = Heartbeat { device, epoch, slot, anchor };
	let signature = pair
		.sign(&HeartbeatPayload { genesis_hash: genesis, heartbeat: &heartbeat }.signing_bytes());
	SignedAttestation::Heartbeat { heartbeat, signature }
}

/// The secret a device beacons in `epoch`: `blake2_256(domain ‖ seed ‖ genesis ‖ epoch ‖
/// randomness)`. Derived from the device's secret seed, so nobody else can predict it and
/// a restarted device finds the same secret (and commitment) again.
pub fn beacon_secret(
	device_seed: &[u8; 32],
	genesis: &H256,
	epoch: EpochIndex,
	randomness: &[u8; 32],
) -> BeaconSecret {
	sp_io::hashing::blake2_256(
		&(BEACON_SECRET_DOMAIN, device_seed, genesis, epoch, randomness).encode(),
	)
}

/// A challenged device's beacon: its signed commitment to `secret` (which goes over the air
/// only) for the epoch with `randomness`. Returns the attestation and the commitment.
pub fn beacon(
	pair: &DevicePair,
	device: DeviceId,
	genesis: &H256,
	epoch: EpochIndex,
	randomness: &[u8; 32],
	secret: &BeaconSecret,
) -> (SignedAttestation, Hash32) {
	let commitment = beacon_commitment(genesis, &device, epoch, secret);
	let beacon = Beacon { device, epoch, commitment };
	let payload = BeaconPayload { genesis_hash: genesis, beacon: &beacon, randomness };
	let signature = pair.sign(&payload.signing_bytes());
	(SignedAttestation::Beacon { beacon, signature }, commitment)
}

/// `witness`'s report of having heard `beaconer`'s secret for `epoch` as `reception`: the
/// commitment it computes from the secret (the chain must hold the same) and its tag.
pub fn witness(
	pair: &DevicePair,
	witness: DeviceId,
	genesis: &H256,
	beaconer: DeviceId,
	epoch: EpochIndex,
	secret: &BeaconSecret,
	reception: Reception,
) -> SignedAttestation {
	let report = WitnessReport {
		witness,
		beaconer,
		epoch,
		commitment: beacon_commitment(genesis, &beaconer, epoch, secret),
		tag: witness_tag(secret, &witness),
		rssi_dbm: reception.rssi_dbm,
		snr_decibels_x10: reception.snr_decibels_x10,
		frequency_khz: reception.frequency_khz,
	};
	signed_witness(pair, genesis, report)
}

/// `report` signed by `pair` as it stands (whatever its commitment and tag): what
/// [`witness`] sends, and what an adversary that copies commitments and tags sends.
pub fn signed_witness(
	pair: &DevicePair,
	genesis: &H256,
	report: WitnessReport,
) -> SignedAttestation {
	let signature =
		pair.sign(&WitnessPayload { genesis_hash: genesis, report: &report }.signing_bytes());
	SignedAttestation::Witness { report, signature }
}

/// A beacon's reveal: its secret, once the epoch's witness window is over. Unsigned: only
/// the beaconer knew a secret matching its signed commitment.
pub fn reveal(device: DeviceId, epoch: EpochIndex, secret: BeaconSecret) -> SignedAttestation {
	SignedAttestation::Reveal(BeaconReveal { device, epoch, secret })
}

#[cfg(test)]
mod tests {
	use super::*;
	use depin_primitives::SignatureScheme;

	fn reception() -> Reception {
		Reception { rssi_dbm: -100, snr_decibels_x10: -50, frequency_khz: 868_100 }
	}

	#[test]
	fn attestations_verify_against_the_device_key() {
		let genesis = H256::repeat_byte(1);
		for scheme in SignatureScheme::ALL {
			let pair = DevicePair::from_seed(scheme, [4u8; 32]);
			let key = pair.public();
			let id = key.device_id();
			let SignedAttestation::Heartbeat { heartbeat: hb, signature } =
				heartbeat(&pair, id, &genesis, 7, 2, [8u8; 32])
			else {
				panic!("a heartbeat")
			};
			assert_eq!(hb.anchor, [8u8; 32]);
			let bytes = HeartbeatPayload { genesis_hash: &genesis, heartbeat: &hb }.signing_bytes();
			assert!(key.verify(&bytes, &signature));
			// Another anchor is another message: the signature does not carry over.
			let moved = Heartbeat { anchor: [9u8; 32], ..hb.clone() };
			let bytes =
				HeartbeatPayload { genesis_hash: &genesis, heartbeat: &moved }.signing_bytes();
			assert!(!key.verify(&bytes, &signature));

			let secret = beacon_secret(&[4u8; 32], &genesis, 7, &[9u8; 32]);
			let (signed, commitment) = beacon(&pair, id, &genesis, 7, &[9u8; 32], &secret);
			let SignedAttestation::Beacon { beacon: b, signature } = signed else {
				panic!("a beacon")
			};
			assert_eq!(b, Beacon { device: id, epoch: 7, commitment });
			assert_eq!(commitment, beacon_commitment(&genesis, &id, 7, &secret));
			let payload =
				BeaconPayload { genesis_hash: &genesis, beacon: &b, randomness: &[9u8; 32] };
			assert!(key.verify(&payload.signing_bytes(), &signature));
			let other_epoch =
				BeaconPayload { genesis_hash: &genesis, beacon: &b, randomness: &[8u8; 32] };
			assert!(!key.verify(&other_epoch.signing_bytes(), &signature));

			let other = DevicePair::from_seed(scheme, [5u8; 32]);
			let other_id = other.public().device_id();
			let SignedAttestation::Witness { report, signature } =
				witness(&other, other_id, &genesis, id, 7, &secret, reception())
			else {
				panic!("a witness report")
			};
			assert_eq!(report.commitment, commitment);
			assert_eq!(report.tag, witness_tag(&secret, &other_id));
			assert_ne!(report.tag, witness_tag(&secret, &id));
			assert_eq!((report.witness, report.beaconer, report.epoch), (other_id, id, 7));
			assert_eq!(report.rssi_dbm, -100);
			let bytes = WitnessPayload { genesis_hash: &genesis, report: &report }.signing_bytes();
			assert!(other.public().verify(&bytes, &signature));
			assert!(!key.verify(&bytes, &signature));

			assert_eq!(
				reveal(id, 7, secret),
				SignedAttestation::Reveal(BeaconReveal { device: id, epoch: 7, secret })
			);
		}
	}

	#[test]
	fn beacon_secrets_are_per_device_epoch_and_chain() {
		let genesis = H256::repeat_byte(1);
		let secret = beacon_secret(&[4u8; 32], &genesis, 7, &[9u8; 32]);
		assert_eq!(secret, beacon_secret(&[4u8; 32], &genesis, 7, &[9u8; 32]));
		assert_ne!(secret, beacon_secret(&[5u8; 32], &genesis, 7, &[9u8; 32]));
		assert_ne!(secret, beacon_secret(&[4u8; 32], &genesis, 8, &[9u8; 32]));
		assert_ne!(secret, beacon_secret(&[4u8; 32], &genesis, 7, &[8u8; 32]));
		assert_ne!(secret, beacon_secret(&[4u8; 32], &H256::repeat_byte(2), 7, &[9u8; 32]));
		// Not the seed, and not the commitment anyone can read on chain.
		assert_ne!(secret, [4u8; 32]);
	}

	#[test]
	fn a_copied_report_keeps_the_copied_commitment_and_tag() {
		let genesis = H256::repeat_byte(1);
		let pair = DevicePair::from_seed(SignatureScheme::Ed25519, [6u8; 32]);
		let id = pair.public().device_id();
		let report = WitnessReport {
			witness: id,
			beaconer: DeviceId([2u8; 32]),
			epoch: 3,
			commitment: [4u8; 32],
			tag: [5u8; 32],
			rssi_dbm: -120,
			snr_decibels_x10: -30,
			frequency_khz: 868_100,
		};
		let SignedAttestation::Witness { report: signed, signature } =
			signed_witness(&pair, &genesis, report.clone())
		else {
			panic!("a witness report")
		};
		assert_eq!(signed, report);
		let bytes = WitnessPayload { genesis_hash: &genesis, report: &report }.signing_bytes();
		assert!(pair.public().verify(&bytes, &signature));
	}
}
