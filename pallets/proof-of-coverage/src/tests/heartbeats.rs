use crate::{mock::*, DeviceActivity, EpochTotals};
use depin_primitives::{
	attestation::HeartbeatPayload, AttestationRejection as R, DeviceSignature, DeviceStatus,
	EpochScore, Heartbeat, SignatureScheme, SignedAttestation, SignedPayload,
};

fn alice_device(scheme: SignatureScheme, n: u32) -> depin_primitives::device::pair::DevicePair {
	let device = pair(scheme, n);
	MockDevices::insert(&device, ALICE, paris());
	device
}

#[test]
fn heartbeat_in_its_slot_scores_uptime_in_every_scheme() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let devices: Vec<_> = SignatureScheme::ALL
			.iter()
			.enumerate()
			.map(|(i, s)| alice_device(*s, i as u32))
			.collect();
		land(devices.iter().map(|d| heartbeat(d, epoch, current_slot())).collect());
		assert_eq!(last_batch_counts(), (4, 0));
		for device in &devices {
			let activity = ProofOfCoverage::activity(&device.public().device_id(), epoch).unwrap();
			assert_eq!(activity.heartbeats(), 1);
			// Four devices in one density cell, target 4: full score.
			assert_eq!(activity.score, EpochScore { uptime: HEARTBEAT_SCORE, coverage: 0 });
		}
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 4 * HEARTBEAT_SCORE);
		assert_eq!(noted_scores().len(), 4);
	});
}

#[test]
fn a_forged_signature_is_refused_and_changes_nothing() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let impostor = pair(SignatureScheme::Ed25519, 99);
		let heartbeat =
			Heartbeat { device: device.public().device_id(), epoch, slot: current_slot() };
		let forged = impostor.sign(
			&HeartbeatPayload { genesis_hash: &genesis(), heartbeat: &heartbeat }.signing_bytes(),
		);
		let garbage = DeviceSignature::Ed25519([7u8; 64]);
		land(vec![
			SignedAttestation::Heartbeat { heartbeat: heartbeat.clone(), signature: forged },
			SignedAttestation::Heartbeat { heartbeat, signature: garbage },
		]);
		assert_eq!(rejections(), vec![(0, R::BadSignature), (1, R::BadSignature)]);
		assert_eq!(DeviceActivity::<Test>::get(device.public().device_id()), None);
		assert!(EpochTotals::<Test>::get(epoch).is_zero());
	});
}

#[test]
fn a_signature_made_for_another_chain_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Sr25519, 1);
		let heartbeat =
			Heartbeat { device: device.public().device_id(), epoch, slot: current_slot() };
		let other_genesis = sp_core::H256([1u8; 32]);
		let signature = device.sign(
			&HeartbeatPayload { genesis_hash: &other_genesis, heartbeat: &heartbeat }
				.signing_bytes(),
		);
		land(vec![SignedAttestation::Heartbeat { heartbeat, signature }]);
		assert_eq!(rejections(), vec![(0, R::BadSignature)]);
	});
}

#[test]
fn a_replayed_heartbeat_counts_once_in_the_same_batch_and_later() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let attestation = heartbeat(&device, epoch, current_slot());
		land(vec![attestation.clone(), attestation.clone()]);
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		run_to_block(System::block_number() + 1);
		land(vec![attestation]);
		assert_eq!(rejections(), vec![(0, R::Duplicate)]);
		let activity = ProofOfCoverage::activity(&device.public().device_id(), epoch).unwrap();
		assert_eq!(activity.heartbeats(), 1);
		assert_eq!(activity.score.uptime, HEARTBEAT_SCORE);
	});
}

#[test]
fn a_heartbeat_replayed_in_a_later_epoch_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let attestation = heartbeat(&device, epoch, 0);
		land(vec![attestation.clone()]);
		// One epoch later its slot is long over; two epochs later the epoch is closed.
		run_to_block(1 + EPOCH_LENGTH);
		land(vec![attestation.clone()]);
		assert_eq!(rejections(), vec![(0, R::SlotExpired)]);
		run_to_block(1 + 2 * EPOCH_LENGTH);
		land(vec![attestation]);
		assert_eq!(rejections(), vec![(0, R::WrongEpoch)]);
	});
}

#[test]
fn slots_must_be_current_or_within_grace() {
	build_and_execute(|| {
		// Block 1 starts epoch 0: 10 blocks, 10 slots, one block each.
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Ed25519, 1);
		run_to_block(5);
		assert_eq!(current_slot(), 4);
		land(vec![
			heartbeat(&device, epoch, 5), // future: cannot be signed ahead and counted early
			heartbeat(&device, epoch, 10), // beyond the epoch's slots
			heartbeat(&device, epoch, 0), // ended at block 2, grace 3: until block 4
			heartbeat(&device, epoch, 1), // ended at block 3, grace until block 5: still in
			heartbeat(&device, epoch, 4), // now
		]);
		assert_eq!(
			rejections(),
			vec![(0, R::SlotNotStarted), (1, R::SlotOutOfRange), (2, R::SlotExpired)]
		);
		let activity = ProofOfCoverage::activity(&device.public().device_id(), epoch).unwrap();
		assert_eq!(activity.heartbeat_slots, 0b10010);
	});
}

#[test]
fn the_previous_epochs_last_slots_land_during_grace() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		run_to_block(10);
		let late = heartbeat(&device, 0, 9);
		run_to_block(12); // epoch 1 started at block 11
		assert_eq!(current_epoch(), 1);
		land(vec![late, heartbeat(&device, 1, current_slot())]);
		assert_eq!(last_batch_counts(), (2, 0));
		assert_eq!(
			ProofOfCoverage::activity(&device.public().device_id(), 0).unwrap().heartbeats(),
			1
		);
		assert_eq!(
			ProofOfCoverage::activity(&device.public().device_id(), 1).unwrap().heartbeats(),
			1
		);
	});
}

#[test]
fn unknown_and_inactive_devices_earn_nothing() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let unknown = pair(SignatureScheme::Ed25519, 1);
		let suspended = alice_device(SignatureScheme::Ed25519, 2);
		let retired = alice_device(SignatureScheme::Ed25519, 3);
		MockDevices::set_status(&suspended.public().device_id(), DeviceStatus::Suspended);
		MockDevices::set_status(&retired.public().device_id(), DeviceStatus::Retired);
		let slot = current_slot();
		land(vec![
			heartbeat(&unknown, epoch, slot),
			heartbeat(&suspended, epoch, slot),
			heartbeat(&retired, epoch, slot),
		]);
		assert_eq!(
			rejections(),
			vec![(0, R::UnknownDevice), (1, R::DeviceNotActive), (2, R::DeviceNotActive)]
		);
	});
}

#[test]
fn crowded_cells_earn_less_per_device() {
	build_and_execute(|| {
		let epoch = current_epoch();
		// Eight devices in one density cell with a target of four: each earns half.
		let crowd: Vec<_> = (0..8).map(|n| alice_device(SignatureScheme::Ed25519, n)).collect();
		// One alone far away (Lyon) earns in full.
		let alone = pair(SignatureScheme::Ed25519, 100);
		MockDevices::insert(&alone, BOB, cell(45.7640, 4.8357));
		let slot = current_slot();
		let mut batch: Vec<_> = crowd.iter().map(|d| heartbeat(d, epoch, slot)).collect();
		batch.push(heartbeat(&alone, epoch, slot));
		land(batch);
		let score = |d: &depin_primitives::device::pair::DevicePair| {
			ProofOfCoverage::activity(&d.public().device_id(), epoch).unwrap().score.uptime
		};
		assert_eq!(score(&crowd[0]), HEARTBEAT_SCORE / 2);
		assert_eq!(score(&alone), HEARTBEAT_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 4 * HEARTBEAT_SCORE + HEARTBEAT_SCORE);
	});
}
