//! The three attestations a device signs, with the exact payloads the chain verifies
//! (`depin_primitives::attestation`).

use crate::radio::Reception;
use depin_primitives::{
	attestation::{BeaconPayload, HeartbeatPayload, WitnessPayload},
	device::pair::DevicePair,
	Beacon, DeviceId, EpochIndex, Heartbeat, SignedAttestation, SignedPayload, SlotIndex,
	WitnessReport,
};
use sp_core::H256;

/// "Up in `slot` of `epoch`", signed by `pair` for `device`.
pub fn heartbeat(
	pair: &DevicePair,
	device: DeviceId,
	genesis: &H256,
	epoch: EpochIndex,
	slot: SlotIndex,
) -> SignedAttestation {
	let heartbeat = Heartbeat { device, epoch, slot };
	let signature = pair
		.sign(&HeartbeatPayload { genesis_hash: genesis, heartbeat: &heartbeat }.signing_bytes());
	SignedAttestation::Heartbeat { heartbeat, signature }
}

/// A challenged device's beacon: its signature over the epoch's randomness, which it also
/// broadcasts over the air.
pub fn beacon(
	pair: &DevicePair,
	device: DeviceId,
	genesis: &H256,
	epoch: EpochIndex,
	randomness: &[u8; 32],
) -> Beacon {
	let payload = BeaconPayload { genesis_hash: genesis, device: &device, epoch, randomness };
	Beacon { device, epoch, payload: pair.sign(&payload.signing_bytes()) }
}

/// `witness`'s report of having received `beacon` as `reception`.
pub fn witness(
	pair: &DevicePair,
	witness: DeviceId,
	genesis: &H256,
	beacon: &Beacon,
	reception: Reception,
) -> SignedAttestation {
	let report = WitnessReport {
		witness,
		beaconer: beacon.device,
		epoch: beacon.epoch,
		beacon_payload: beacon.payload.clone(),
		rssi_dbm: reception.rssi_dbm,
		snr_decibels_x10: reception.snr_decibels_x10,
		frequency_khz: reception.frequency_khz,
	};
	let signature =
		pair.sign(&WitnessPayload { genesis_hash: genesis, report: &report }.signing_bytes());
	SignedAttestation::Witness { report, signature }
}

#[cfg(test)]
mod tests {
	use super::*;
	use depin_primitives::SignatureScheme;

	#[test]
	fn attestations_verify_against_the_device_key() {
		let genesis = H256::repeat_byte(1);
		for scheme in SignatureScheme::ALL {
			let pair = DevicePair::from_seed(scheme, [4u8; 32]);
			let key = pair.public();
			let id = key.device_id();
			let SignedAttestation::Heartbeat { heartbeat: hb, signature } =
				heartbeat(&pair, id, &genesis, 7, 2)
			else {
				panic!("a heartbeat")
			};
			let bytes = HeartbeatPayload { genesis_hash: &genesis, heartbeat: &hb }.signing_bytes();
			assert!(key.verify(&bytes, &signature));

			let b = beacon(&pair, id, &genesis, 7, &[9u8; 32]);
			let payload = BeaconPayload {
				genesis_hash: &genesis,
				device: &id,
				epoch: 7,
				randomness: &[9u8; 32],
			};
			assert!(key.verify(&payload.signing_bytes(), &b.payload));

			let other = DevicePair::from_seed(scheme, [5u8; 32]);
			let reception =
				Reception { rssi_dbm: -100, snr_decibels_x10: -50, frequency_khz: 868_100 };
			let SignedAttestation::Witness { report, signature } =
				witness(&other, other.public().device_id(), &genesis, &b, reception)
			else {
				panic!("a witness report")
			};
			assert_eq!(report.beacon_payload, b.payload);
			let bytes = WitnessPayload { genesis_hash: &genesis, report: &report }.signing_bytes();
			assert!(other.public().verify(&bytes, &signature));
			assert!(!key.verify(&bytes, &signature));
		}
	}
}
