//! Beacons: a challenged device commits to a secret during the witness window and reveals
//! it after; it scores once revealed and witnessed.

use crate::{mock::*, Beacons, EpochTotals, Event};
use depin_primitives::{
	attestation::{Beacon, BeaconPayload},
	device::pair::DevicePair,
	AttestationRejection as R, DeviceInspect, EpochIndex, EpochScore, SignedAttestation,
	SignedPayload,
};

/// A challenged beaconer (Alice's, in Paris) and a witness (Bob's, 1.1 km north).
fn pair_up(epoch: EpochIndex) -> (DevicePair, DevicePair) {
	let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
	let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
	(beaconer, heard_by)
}

#[test]
fn a_beacon_scores_once_revealed_and_witnessed() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let id = beaconer.public().device_id();
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (2, 0));
		// Nothing is credited while the secret is not revealed.
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, 0);
		assert_eq!(Beacons::<Test>::get(epoch, id).unwrap().candidates.len(), 1);

		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		System::assert_has_event(
			Event::BeaconRevealed { device: id, epoch, witnesses: 1, invalid_tags: 0 }.into(),
		);
		assert_eq!(ProofOfCoverage::activity(&id, epoch).unwrap().coverage, BEACON_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
		let state = Beacons::<Test>::get(epoch, id).unwrap();
		assert!(state.revealed && state.candidates.is_empty());
		assert_eq!(state.witnesses, 1);
		let report = report(&beaconer, epoch).unwrap();
		assert!(report.beacon_accepted);
		assert_eq!(report.beacon_witnesses, 1);
	});
}

#[test]
fn an_unwitnessed_beacon_scores_nothing_even_once_revealed() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		land(vec![beacon(&beaconer, epoch)]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		// A beacon proves the key was up, not where the device is: a location spoofer beacons
		// as well as anyone. Only a witness makes it coverage.
		assert_eq!(ProofOfCoverage::activity(&beaconer.public().device_id(), epoch), None);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, 0);
		assert_eq!(report(&beaconer, epoch).unwrap().score.coverage, 0);
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
fn a_beacon_signed_over_other_randomness_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let device = beaconer.public().device_id();
		// Signed before the epoch's randomness was known: over a guess.
		let beacon = Beacon { device, epoch, commitment: commitment(&beaconer, epoch) };
		let signature = beaconer.sign(
			&BeaconPayload { genesis_hash: &genesis(), beacon: &beacon, randomness: &[0u8; 32] }
				.signing_bytes(),
		);
		land(vec![SignedAttestation::Beacon { beacon, signature }]);
		assert_eq!(rejections(), vec![(0, R::BadSignature)]);
		assert_eq!(Beacons::<Test>::get(epoch, device), None);
	});
}

#[test]
fn a_beacon_commits_once() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		land(vec![beacon(&beaconer, epoch), beacon_committing(&beaconer, epoch, [7; 32])]);
		// The first commitment stands: a beaconer cannot swap it once witnesses rely on it.
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		let id = beaconer.public().device_id();
		assert_eq!(
			Beacons::<Test>::get(epoch, id).unwrap().commitment,
			commitment(&beaconer, epoch)
		);
	});
}

#[test]
fn beacons_land_until_the_witness_window_closes() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let late = device_challenged(true, epoch, ALICE, paris(), 0);
		let too_late = device_challenged(true, epoch, BOB, paris(), 1_000);
		let (late_beacon, too_late_beacon) = (beacon(&late, epoch), beacon(&too_late, epoch));
		// The next epoch's first WITNESS_GRACE blocks still take them.
		run_to_block(1 + EPOCH_LENGTH + WITNESS_GRACE - 1);
		land(vec![late_beacon]);
		assert_eq!(last_batch_counts(), (1, 0));
		run_to_reveals(epoch);
		land(vec![too_late_beacon.clone()]);
		assert_eq!(rejections(), vec![(0, R::WitnessWindowClosed)]);
		run_to_block(1 + 2 * EPOCH_LENGTH);
		land(vec![too_late_beacon]);
		assert_eq!(rejections(), vec![(0, R::WrongEpoch)]);
	});
}

#[test]
fn a_reveal_is_refused_while_witness_reports_can_still_land() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, _) = pair_up(epoch);
		land(vec![beacon(&beaconer, epoch)]);
		// A secret revealed now would let anyone tag it: refused in the epoch itself, in the
		// next epoch's witness grace, and by the node's RPC before it is ever queued.
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::RevealTooEarly)]);
		run_to_block(1 + EPOCH_LENGTH + WITNESS_GRACE - 1);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::RevealTooEarly)]);
		assert_eq!(
			ProofOfCoverage::precheck_attestations(&[reveal(&beaconer, epoch)]),
			vec![Err(R::RevealTooEarly)]
		);
		run_to_reveals(epoch);
		assert_eq!(
			ProofOfCoverage::precheck_attestations(&[reveal(&beaconer, epoch)]),
			vec![Ok(())]
		);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

#[test]
fn a_reveal_must_match_the_commitment_and_counts_once() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let uncommitted = device_challenged(true, epoch, CHARLIE, paris(), 2_000);
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		run_to_reveals(epoch);
		let wrong = SignedAttestation::Reveal(depin_primitives::BeaconReveal {
			device: beaconer.public().device_id(),
			epoch,
			secret: [1; 32],
		});
		land(vec![wrong, reveal(&uncommitted, epoch)]);
		assert_eq!(rejections(), vec![(0, R::InvalidReveal), (1, R::BeaconNotCommitted)]);
		// A wrong reveal judges nobody: the witness is still waiting.
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, 0);
		land(vec![reveal(&beaconer, epoch), reveal(&beaconer, epoch)]);
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
		// After the grace epoch the beacon can no longer be revealed.
		run_to_block(1 + 2 * EPOCH_LENGTH);
		land(vec![reveal(&uncommitted, epoch)]);
		assert_eq!(rejections(), vec![(0, R::WrongEpoch)]);
	});
}

#[test]
fn rewards_hear_of_a_device_once_per_epoch_whatever_it_does() {
	build_and_execute(|| {
		use depin_primitives::EpochScores;
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let id = beaconer.public().device_id();
		land(vec![
			beacon(&beaconer, epoch),
			heartbeat(&beaconer, epoch, current_slot()),
			witness(&heard_by, &beaconer, epoch),
		]);
		assert_eq!(last_batch_counts(), (3, 0));
		run_to_block(System::block_number() + 1);
		land(vec![heartbeat(&beaconer, epoch, current_slot())]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(active_devices().iter().filter(|(d, _)| *d == id).count(), 1);
		// What rewards reads back: two heartbeats and the beacon's coverage.
		let index = MockDevices::device(&id).unwrap().index;
		let score = ProofOfCoverage::score(&id, index, epoch).unwrap();
		assert_eq!(score, EpochScore { uptime: 2 * HEARTBEAT_SCORE, coverage: BEACON_SCORE });
		assert_eq!(score, report(&beaconer, epoch).unwrap().score);
		// An epoch it did nothing in scores nothing (the reveal located it there already: its
		// heartbeats of `epoch + 1` would earn), and has no report.
		assert_eq!(ProofOfCoverage::score(&id, index, epoch + 1), Some(EpochScore::default()));
		assert_eq!(report(&beaconer, epoch + 1), None);
		// An epoch without records: nothing.
		assert_eq!(ProofOfCoverage::score(&id, index, epoch + 2), None);
	});
}

/// Issue 17 hole 3: a device's coverage record of epoch `e` shares its slot with `e + 2`.
/// A beacon or witness landing in `e + 2` before the device's first heartbeat of `e + 2`
/// overwrote `e`'s record before rewards settled it, so `e`'s coverage paid nothing. Now
/// beacons and witness reports write no coverage record (they are judged at the reveal), and
/// the first credit of `e + 2` tells rewards before anything is written.
#[test]
fn coverage_of_an_epoch_is_read_before_its_record_is_reused() {
	build_and_execute(|| {
		// Every device is challenged from epoch 1 on.
		let mut parameters = crate::Parameters::<Test>::get();
		parameters.challenge_rate = sp_runtime::Perbill::one();
		crate::Parameters::<Test>::put(parameters);
		run_to_block(1 + EPOCH_LENGTH);
		let epoch = current_epoch();
		let beaconer = pair(depin_primitives::SignatureScheme::Ed25519, 1);
		let heard_by = pair(depin_primitives::SignatureScheme::Ed25519, 2);
		MockDevices::insert(&beaconer, ALICE, paris());
		MockDevices::insert(&heard_by, BOB, paris_north());
		let id = beaconer.public().device_id();
		let index = MockDevices::device(&id).unwrap().index;
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let earned = ProofOfCoverage::score_of(&id, index, epoch).unwrap();
		assert_eq!(earned.coverage, BEACON_SCORE);

		// Two epochs later: beacon and witness land before any heartbeat of the device.
		let later = epoch + 2;
		run_to_block(1 + u64::from(later) * EPOCH_LENGTH);
		land(vec![beacon(&beaconer, later), witness(&heard_by, &beaconer, later)]);
		assert_eq!(last_batch_counts(), (2, 0));
		assert_eq!(ProofOfCoverage::score_of(&id, index, epoch), Some(earned));
		// Its credit at the reveal is the first moment rewards hears of it in `later`: what it
		// reads of `epoch` then is the whole coverage.
		run_to_reveals(later);
		land(vec![reveal(&beaconer, later)]);
		assert_eq!(settled_score(&id, epoch), Some(Some(earned)));
		assert_eq!(ProofOfCoverage::activity(&id, later).unwrap().coverage, BEACON_SCORE);
	});
}
