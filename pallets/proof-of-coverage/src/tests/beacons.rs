use crate::{mock::*, EpochTotals};
use depin_primitives::{
	attestation::{Beacon, BeaconPayload},
	AttestationRejection as R, SignedAttestation, SignedPayload,
};

#[test]
fn a_challenged_devices_beacon_scores_coverage() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		land(vec![beacon(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		let activity = ProofOfCoverage::activity(&beaconer.public().device_id(), epoch).unwrap();
		assert!(activity.beacon.unwrap().beacon_accepted);
		assert_eq!(activity.coverage, BEACON_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE);
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
		land(vec![beacon(&beaconer, epoch), beacon(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		run_to_block(3);
		land(vec![beacon(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::Duplicate)]);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE);
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
