use crate::{mock::*, EpochTotals};
use depin_primitives::{
	attestation::{Beacon, BeaconPayload},
	AttestationRejection as R, DeviceInspect, EpochScore, SignedAttestation, SignedPayload,
};

#[test]
fn an_unwitnessed_beacon_is_accepted_but_scores_nothing() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		land(vec![beacon(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		// A beacon proves the key signed this epoch's randomness, not where the device is:
		// a location spoofer beacons as well as anyone. Only a witness makes it coverage.
		let activity = ProofOfCoverage::activity(&beaconer.public().device_id(), epoch).unwrap();
		assert!(activity.beacon.unwrap().beacon_accepted);
		assert_eq!(activity.coverage, 0);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, 0);
		assert_eq!(report(&beaconer, epoch).unwrap().score.coverage, 0);
	});
}

#[test]
fn a_witnessed_beacon_scores_coverage() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (2, 0));
		let activity = ProofOfCoverage::activity(&beaconer.public().device_id(), epoch).unwrap();
		assert_eq!(activity.coverage, BEACON_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
	});
}

#[test]
fn a_device_that_was_not_challenged_cannot_beacon() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let idle = device_challenged(false, epoch, ALICE, paris(), 0);
		land(vec![beacon(&idle, epoch)]);
		assert_eq!(rejections(), vec![(0, R::NotChallenged)]);
	});
}

#[test]
fn a_beacon_over_other_randomness_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let device = beaconer.public().device_id();
		// Signed before the epoch's randomness was known: over a guess.
		let guessed = beaconer.sign(
			&BeaconPayload {
				genesis_hash: &genesis(),
				device: &device,
				epoch,
				randomness: &[0u8; 32],
			}
			.signing_bytes(),
		);
		land(vec![SignedAttestation::Beacon(Beacon { device, epoch, payload: guessed })]);
		assert_eq!(rejections(), vec![(0, R::BadSignature)]);
		assert_eq!(ProofOfCoverage::activity(&device, epoch), None);
	});
}

#[test]
fn a_beacon_counts_once() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		land(vec![beacon(&beaconer, epoch), beacon(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		run_to_block(3);
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::Duplicate)]);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
	});
}

#[test]
fn a_beacon_for_a_closed_epoch_is_refused() {
	build_and_execute(|| {
		let beaconer = device_challenged(true, 0, ALICE, paris(), 0);
		let old = beacon(&beaconer, 0);
		run_to_block(1 + 2 * EPOCH_LENGTH);
		land(vec![old]);
		assert_eq!(rejections(), vec![(0, R::WrongEpoch)]);
	});
}

#[test]
fn rewards_hear_of_a_device_once_per_epoch_whatever_it_does() {
	build_and_execute(|| {
		use depin_primitives::EpochScores;
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		let id = beaconer.public().device_id();
		land(vec![
			beacon(&beaconer, epoch),
			heartbeat(&beaconer, epoch, current_slot()),
			witness(&heard_by, &beaconer, epoch),
		]);
		assert_eq!(last_batch_counts(), (3, 0));
		run_to_block(System::block_number() + 1);
		land(vec![heartbeat(&beaconer, epoch, current_slot())]);
		assert_eq!(active_devices().iter().filter(|(d, _)| *d == id).count(), 1);
		// What rewards reads back: two heartbeats and the beacon's coverage.
		let index = MockDevices::device(&id).unwrap().index;
		let score = ProofOfCoverage::score(&id, index, epoch).unwrap();
		assert_eq!(score, EpochScore { uptime: 2 * HEARTBEAT_SCORE, coverage: BEACON_SCORE });
		assert_eq!(score, report(&beaconer, epoch).unwrap().score);
		// An epoch without records: nothing.
		assert_eq!(ProofOfCoverage::score(&id, index, epoch + 1), None);
	});
}
