//! Witness reports: physics checks when they land, tags judged at the beacon's reveal.

use crate::{mock::*, Beacons, EpochTotals, Event, Parameters, WitnessBars};
use depin_primitives::{
	attestation::witness_tag, device::pair::DevicePair, AttestationRejection as R, EpochIndex,
	SignatureScheme, SignedAttestation,
};
use frame_support::dispatch::PostDispatchInfo;

/// A challenged beaconer (Alice's, in Paris) and a witness (Bob's, 1.1 km north).
fn pair_up(epoch: EpochIndex) -> (DevicePair, DevicePair) {
	let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
	let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
	(beaconer, heard_by)
}

/// The report inside a witness attestation.
fn report_of(attestation: &SignedAttestation) -> depin_primitives::WitnessReport {
	match attestation {
		SignedAttestation::Witness { report, .. } => report.clone(),
		_ => unreachable!("a witness report"),
	}
}

#[test]
fn an_honest_witness_scores_coverage_at_the_reveal() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let witness_id = heard_by.public().device_id();
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (2, 0));
		assert_eq!(ProofOfCoverage::activity(&witness_id, epoch), None);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let activity = ProofOfCoverage::activity(&witness_id, epoch).unwrap();
		assert_eq!(activity.witness_reports, 1);
		assert_eq!(activity.coverage, WITNESS_SCORE);
		assert_eq!(report(&heard_by, epoch).unwrap().witness_reports, 1);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
	});
}

/// Issue 17 hole 1: everything a witness farmer can read before the reveal (the beacon's
/// commitment on chain, other witnesses' reports in the pool) makes no valid tag. Under the
/// old protocol the beacon's payload was public once the beacon landed, and a report quoting
/// it was accepted from any device in range.
#[test]
fn a_witness_report_built_from_public_data_earns_nothing() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let farmer = device_challenged(false, epoch, CHARLIE, paris_north(), 2_000);
		let farmer_id = farmer.public().device_id();
		let honest = witness(&heard_by, &beaconer, epoch);
		// The farmer copies the honest report's commitment and tag, and signs it as its own;
		// a second farmer device makes up a tag.
		let copied = report_of(&honest);
		let copied = sign_witness(
			&farmer,
			depin_primitives::WitnessReport { witness: farmer_id, rssi_dbm: -120, ..copied },
		);
		let guesser = device_challenged(false, epoch, 4, paris_north(), 3_000);
		let guessed = witness_with(&guesser, &beaconer, epoch, |r| r.tag = [0xAA; 32]);
		land(vec![beacon(&beaconer, epoch), honest, copied, guessed]);
		// Nothing tells them apart before the reveal.
		assert_eq!(last_batch_counts(), (4, 0));

		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let barred_until = current_epoch() + BAR_EPOCHS + 1;
		System::assert_has_event(
			Event::BeaconRevealed {
				device: beaconer.public().device_id(),
				epoch,
				witnesses: 1,
				invalid_tags: 2,
			}
			.into(),
		);
		System::assert_has_event(
			Event::WitnessTagInvalid {
				witness: farmer_id,
				beaconer: beaconer.public().device_id(),
				epoch,
				barred_until,
				slashed: TAG_SLASH,
			}
			.into(),
		);
		// Both junk tags cost their devices a share of their bonds.
		assert_eq!(
			slashed(),
			vec![(farmer_id, TAG_SLASH), (guesser.public().device_id(), TAG_SLASH)]
		);
		assert_eq!(ProofOfCoverage::activity(&farmer_id, epoch), None);
		assert_eq!(ProofOfCoverage::activity(&guesser.public().device_id(), epoch), None);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
		assert_eq!(WitnessBars::<Test>::get(farmer_id), Some(barred_until));

		// With the secret public, a correct tag comes too late.
		let after =
			witness(&device_challenged(false, epoch, 5, paris_north(), 4_000), &beaconer, epoch);
		land(vec![after]);
		assert_eq!(rejections(), vec![(0, R::WitnessWindowClosed)]);
	});
}

#[test]
fn a_device_caught_with_an_invalid_tag_is_barred_for_a_while() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, farmer) = pair_up(epoch);
		let farmer_id = farmer.public().device_id();
		land(vec![
			beacon(&beaconer, epoch),
			witness_with(&farmer, &beaconer, epoch, |r| r.tag = [1; 32]),
		]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let until = WitnessBars::<Test>::get(farmer_id).unwrap();
		assert_eq!(until, current_epoch() + BAR_EPOCHS + 1);
		// Barred in the next epochs, whatever it reports.
		run_to_block(1 + u64::from(until - 1) * EPOCH_LENGTH);
		let now = current_epoch();
		let next_beaconer = device_challenged(true, now, ALICE, paris(), 10_000);
		land(vec![beacon(&next_beaconer, now), witness(&farmer, &next_beaconer, now)]);
		assert_eq!(rejections(), vec![(1, R::WitnessBarred)]);
		// Free again once the bar is over; the bar is forgotten.
		run_to_block(1 + u64::from(until) * EPOCH_LENGTH);
		let now = current_epoch();
		let next_beaconer = device_challenged(true, now, ALICE, paris(), 20_000);
		land(vec![beacon(&next_beaconer, now), witness(&farmer, &next_beaconer, now)]);
		assert_eq!(last_batch_counts(), (2, 0));
		assert_eq!(WitnessBars::<Test>::get(farmer_id), None);
	});
}

#[test]
fn a_report_must_name_the_beacons_commitment() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		// Before the beacon landed: the witness is told to send it again.
		land(vec![witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::BeaconNotCommitted)]);
		assert_eq!(
			ProofOfCoverage::precheck_attestations(&[witness(&heard_by, &beaconer, epoch)]),
			vec![Err(R::BeaconNotCommitted)]
		);
		land(vec![beacon(&beaconer, epoch)]);
		// A secret that is not the committed one (a beaconer broadcasting another than it
		// committed to) is refused, not held against the witness.
		let other = witness_with(&heard_by, &beaconer, epoch, |r| r.commitment = [3; 32]);
		land(vec![other]);
		assert_eq!(rejections(), vec![(0, R::CommitmentMismatch)]);
		land(vec![witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

#[test]
fn witness_reports_land_until_the_witness_window_closes() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let late = device_challenged(false, epoch, CHARLIE, paris_north(), 2_000);
		land(vec![beacon(&beaconer, epoch)]);
		run_to_block(1 + EPOCH_LENGTH + WITNESS_GRACE - 1);
		land(vec![witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		run_to_reveals(epoch);
		land(vec![witness(&late, &beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::WitnessWindowClosed)]);
	});
}

#[test]
fn witnessing_a_device_that_was_not_challenged_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let idle = device_challenged(false, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		land(vec![witness(&heard_by, &idle, epoch)]);
		assert_eq!(rejections(), vec![(0, R::BeaconerNotChallenged)]);
	});
}

#[test]
fn a_forged_witness_signature_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		land(vec![beacon(&beaconer, epoch)]);
		let report = report_of(&witness(&heard_by, &beaconer, epoch));
		// Someone else's signature over the honest report (e.g. an oracle inventing witnesses).
		let forged = witness(&pair(SignatureScheme::Ed25519, 77), &beaconer, epoch);
		let signature = forged.signature().unwrap().clone();
		land(vec![SignedAttestation::Witness { report, signature }]);
		assert_eq!(rejections(), vec![(0, R::BadSignature)]);
	});
}

#[test]
fn an_owner_cannot_witness_their_own_devices() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let own = device_challenged(false, epoch, ALICE, paris_north(), 1_000);
		land(vec![witness(&own, &beaconer, epoch), witness(&beaconer, &beaconer, epoch)]);
		assert_eq!(rejections(), vec![(0, R::SameOwner), (1, R::SameOwner)]);
	});
}

#[test]
fn witnesses_too_close_or_too_far_are_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		// The next cell (~20 m): a device on the same roof proves no coverage.
		let next_door = device_challenged(false, epoch, BOB, cell(48.8531, 2.3500), 1_000);
		// Lyon, 390 km: no radio of the network reaches so far.
		let lyon = device_challenged(false, epoch, CHARLIE, cell(45.7640, 4.8357), 2_000);
		// Orléans, ~110 km: beyond the 20 km maximum.
		let orleans = device_challenged(false, epoch, 4, cell(47.9030, 1.9093), 3_000);
		land(vec![
			witness(&next_door, &beaconer, epoch),
			witness(&lyon, &beaconer, epoch),
			witness(&orleans, &beaconer, epoch),
		]);
		assert_eq!(rejections(), vec![(0, R::TooClose), (1, R::TooFar), (2, R::TooFar)]);
	});
}

#[test]
fn a_signal_stronger_than_free_space_allows_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		land(vec![beacon(&beaconer, epoch)]);
		// 1.1 km at 868 MHz: free space loses ~92 dB, so at most 36 - 92 + 6 ≈ -50 dBm.
		let too_strong = witness_with(&heard_by, &beaconer, epoch, |r| r.rssi_dbm = -30);
		land(vec![too_strong]);
		assert_eq!(rejections(), vec![(0, R::RssiTooStrong)]);
		let plausible = witness_with(&heard_by, &beaconer, epoch, |r| r.rssi_dbm = -60);
		land(vec![plausible]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

#[test]
fn frequencies_outside_the_band_are_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let low = witness_with(&heard_by, &beaconer, epoch, |r| r.frequency_khz = 0);
		let high = witness_with(&heard_by, &beaconer, epoch, |r| r.frequency_khz = u32::MAX);
		land(vec![low, high]);
		assert_eq!(rejections(), vec![(0, R::FrequencyOutOfBand), (1, R::FrequencyOutOfBand)]);
	});
}

#[test]
fn a_beacon_holds_a_bounded_list_and_rewards_its_first_valid_witnesses() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let witnesses: Vec<_> = (0..MAX_CANDIDATES + 1)
			.map(|i| device_challenged(false, epoch, 10 + i as u64, paris_north(), 1_000 * (i + 1)))
			.collect();
		// The first is junk; the next MAX_CANDIDATES - 1 heard the beacon.
		let mut reports = vec![beacon(&beaconer, epoch)];
		reports.push(witness_with(&witnesses[0], &beaconer, epoch, |r| r.tag = [0; 32]));
		reports.extend(witnesses[1..].iter().map(|w| witness(w, &beaconer, epoch)));
		land(reports);
		assert_eq!(rejections(), vec![(1 + MAX_CANDIDATES, R::WitnessListFull)]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let id = beaconer.public().device_id();
		assert_eq!(Beacons::<Test>::get(epoch, id).unwrap().witnesses, MAX_WITNESSES);
		let credited: Vec<bool> = witnesses
			.iter()
			.map(|w| ProofOfCoverage::activity(&w.public().device_id(), epoch).is_some())
			.collect();
		// Junk, then the first MAX_WITNESSES valid ones; the rest were not rewarded.
		let mut expected = vec![false];
		expected.extend((1..=MAX_CANDIDATES).map(|i| i <= MAX_WITNESSES));
		assert_eq!(credited, expected);
		let witnessed: u64 = witnesses
			.iter()
			.filter_map(|w| ProofOfCoverage::activity(&w.public().device_id(), epoch))
			.map(|a| a.coverage)
			.sum();
		// (Seven devices crowd one density cell: each earns a density-scaled share.)
		let beaconed = ProofOfCoverage::activity(&id, epoch).unwrap().coverage;
		assert_eq!(beaconed, BEACON_SCORE * 4 / 7);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, beaconed + witnessed);
	});
}

#[test]
fn crowding_a_beacons_list_with_junk_tags_costs_every_junk_device_its_bond_share() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		// The attack: devices that heard nothing fill the list first with made-up tags, so
		// the device that did hear the beacon is refused and the beacon scores nothing.
		let crowd: Vec<_> = (0..MAX_CANDIDATES)
			.map(|i| device_challenged(false, epoch, 10 + i as u64, paris_north(), 1_000 * (i + 1)))
			.collect();
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 50_000);
		let mut reports = vec![beacon(&beaconer, epoch)];
		reports.extend(
			crowd.iter().map(|d| witness_with(d, &beaconer, epoch, |r| r.tag = [0x5a; 32])),
		);
		reports.push(witness(&heard_by, &beaconer, epoch));
		land(reports);
		assert_eq!(rejections(), vec![(1 + MAX_CANDIDATES, R::WitnessListFull)]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		// It worked for this beacon, and each junk tag slashed its device and barred it.
		let id = beaconer.public().device_id();
		assert_eq!(Beacons::<Test>::get(epoch, id).unwrap().witnesses, 0);
		let expected: Vec<_> = crowd.iter().map(|d| (d.public().device_id(), TAG_SLASH)).collect();
		assert_eq!(slashed(), expected);
		for device in &crowd {
			assert!(WitnessBars::<Test>::get(device.public().device_id()).is_some());
		}
	});
}

#[test]
fn governance_bounds_the_candidate_list() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let mut parameters = Parameters::<Test>::get();
		parameters.max_witness_candidates = MAX_WITNESSES;
		Parameters::<Test>::put(parameters);
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let witnesses: Vec<_> = (0..MAX_WITNESSES + 1)
			.map(|i| device_challenged(false, epoch, 10 + i as u64, paris_north(), 1_000 * (i + 1)))
			.collect();
		let mut reports = vec![beacon(&beaconer, epoch)];
		reports.extend(witnesses.iter().map(|w| witness(w, &beaconer, epoch)));
		land(reports);
		assert_eq!(rejections(), vec![(1 + MAX_WITNESSES, R::WitnessListFull)]);
	});
}

#[test]
fn a_witness_counts_once_per_beacon() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let report = witness(&heard_by, &beaconer, epoch);
		land(vec![beacon(&beaconer, epoch), report.clone(), report.clone()]);
		assert_eq!(rejections(), vec![(2, R::Duplicate)]);
		// Re-signed with another RSSI: still the same beacon.
		land(vec![witness_with(&heard_by, &beaconer, epoch, |r| r.rssi_dbm = -101)]);
		assert_eq!(rejections(), vec![(0, R::Duplicate)]);
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(
			ProofOfCoverage::activity(&heard_by.public().device_id(), epoch)
				.unwrap()
				.witness_reports,
			1
		);
	});
}

#[test]
fn witnessing_an_unknown_or_suspended_beaconer_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		let unknown = pair(SignatureScheme::Ed25519, 5_000);
		let suspended = device_challenged(true, epoch, ALICE, paris(), 0);
		MockDevices::set_status(
			&suspended.public().device_id(),
			depin_primitives::DeviceStatus::Suspended,
		);
		let about_unknown = witness_with(&heard_by, &suspended, epoch, |r| {
			r.beaconer = unknown.public().device_id()
		});
		land(vec![about_unknown, witness(&heard_by, &suspended, epoch)]);
		assert_eq!(rejections(), vec![(0, R::UnknownBeaconer), (1, R::UnknownBeaconer)]);
	});
}

#[test]
fn a_tag_names_its_witness() {
	let secret = [5u8; 32];
	let a = pair(SignatureScheme::Ed25519, 1).public().device_id();
	let b = pair(SignatureScheme::Ed25519, 2).public().device_id();
	assert_ne!(witness_tag(&secret, &a), witness_tag(&secret, &b));
}

/// Issue 17 hole 6: a witness that completed a beacon made two devices active but was
/// charged the score sink once. A reveal is charged one activation for its beaconer and one
/// per candidate; the batch's charge covers every device the sink hears of.
#[test]
fn the_charge_covers_every_device_a_batch_activates() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let witnesses: Vec<_> = (0..MAX_WITNESSES)
			.map(|i| device_challenged(false, epoch, 10 + i as u64, paris_north(), 1_000 * (i + 1)))
			.collect();
		let mut reports = vec![beacon(&beaconer, epoch)];
		reports.extend(witnesses.iter().map(|w| witness(w, &beaconer, epoch)));
		land(reports);
		run_to_reveals(epoch);
		let fresh = device_challenged(false, current_epoch(), CHARLIE, paris(), 9_000);
		let batch =
			vec![heartbeat(&fresh, current_epoch(), current_slot()), reveal(&beaconer, epoch)];
		let before = active_devices().len();
		let (batch, signature) = signed_batch(batch);
		// The reveal's beaconer and candidates, and the heartbeat's device in the charge.
		let charged_activations: u64 =
			batch.attestations.iter().map(ProofOfCoverage::activations_charged).sum::<u64>()
				+ u64::from(batch.charge.activations);
		assert_eq!(batch.charge.activations, 1);
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		let activated = (active_devices().len() - before) as u64;
		// The heartbeat's device, the beaconer and its three witnesses.
		assert_eq!(activated, 2 + u64::from(MAX_WITNESSES));
		assert!(activated <= charged_activations);
		let actual = post.actual_weight.unwrap();
		assert!(actual.all_lte(charged));
		assert!(actual.ref_time() >= activated * DEVICE_ACTIVE_WEIGHT);
		// The activations not made are refunded exactly.
		let sink_charge = DEVICE_ACTIVE_WEIGHT * charged_activations;
		assert!(
			charged.ref_time() - actual.ref_time()
				>= sink_charge - activated * DEVICE_ACTIVE_WEIGHT
		);
	});
}
