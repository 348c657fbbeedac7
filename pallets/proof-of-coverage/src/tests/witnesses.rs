use crate::{mock::*, EpochTotals, Parameters};
use depin_primitives::{
	device::pair::DevicePair, AttestationRejection as R, DeviceSignature, EpochIndex,
	SignatureScheme,
};
use frame_support::dispatch::PostDispatchInfo;

/// A challenged beaconer (Alice's, in Paris) and a witness (Bob's, 1.1 km north).
fn pair_up(epoch: EpochIndex) -> (DevicePair, DevicePair) {
	let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
	let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
	(beaconer, heard_by)
}

#[test]
fn an_honest_witness_scores_coverage() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (2, 0));
		let witness_activity =
			ProofOfCoverage::activity(&heard_by.public().device_id(), epoch).unwrap();
		assert_eq!(witness_activity.witness_reports, 1);
		assert_eq!(witness_activity.coverage, WITNESS_SCORE);
		let record = ProofOfCoverage::activity(&beaconer.public().device_id(), epoch)
			.unwrap()
			.beacon
			.unwrap();
		assert_eq!(record.witnesses.to_vec(), vec![heard_by.public().device_id()]);
		// The witnessed beacon scores its device.
		let beaconer_activity =
			ProofOfCoverage::activity(&beaconer.public().device_id(), epoch).unwrap();
		assert_eq!(beaconer_activity.coverage, BEACON_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + WITNESS_SCORE);
	});
}

#[test]
fn a_beacon_scores_once_however_many_witnesses_and_in_whatever_order() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, first) = pair_up(epoch);
		let second = device_challenged(false, epoch, CHARLIE, paris_north(), 2_000);
		land(vec![beacon(&beaconer, epoch)]);
		run_to_block(System::block_number() + 1);
		land(vec![witness(&first, &beaconer, epoch), witness(&second, &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (2, 0));
		let id = beaconer.public().device_id();
		assert_eq!(ProofOfCoverage::activity(&id, epoch).unwrap().coverage, BEACON_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).coverage, BEACON_SCORE + 2 * WITNESS_SCORE);
	});
}

#[test]
fn a_witness_may_land_before_the_beacon_and_the_payload_is_checked_once() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, first) = pair_up(epoch);
		let second = device_challenged(false, epoch, CHARLIE, paris_north(), 2_000);
		let (batch, signature) = signed_batch(
			0,
			vec![
				witness(&first, &beaconer, epoch),
				witness(&second, &beaconer, epoch),
				beacon(&beaconer, epoch),
			],
		);
		let charged = ProofOfCoverage::batch_weight(&batch.attestations);
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (3, 0));
		// The second witness and the beacon itself reuse the first check of the payload.
		let saved = ProofOfCoverage::verify_weight(SignatureScheme::Ed25519) * 2;
		// One tally page for the three devices: charged 5 reads and writes (two per witness,
		// for its page and the beaconer's, one for the beacon), used 1.
		assert_eq!(post.actual_weight, Some(charged - saved - page_ops(4, 4)));
		// The beacon scored once, with its first witness, whatever the order.
		let beaconer_activity =
			ProofOfCoverage::activity(&beaconer.public().device_id(), epoch).unwrap();
		assert_eq!(beaconer_activity.coverage, BEACON_SCORE);
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
fn a_fabricated_beacon_payload_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		// The witness never heard the beacon and makes one up, or signs it itself.
		let made_up = witness_with(&heard_by, &beaconer, epoch, |r| {
			r.beacon_payload = DeviceSignature::Ed25519([9u8; 64])
		});
		let self_signed = witness_with(&heard_by, &beaconer, epoch, |r| {
			r.beacon_payload = beacon_payload(&heard_by, epoch)
		});
		land(vec![made_up, self_signed]);
		assert_eq!(rejections(), vec![(0, R::InvalidBeaconPayload), (1, R::InvalidBeaconPayload)]);
		assert_eq!(ProofOfCoverage::activity(&heard_by.public().device_id(), epoch), None);
	});
}

#[test]
fn a_forged_witness_signature_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let depin_primitives::SignedAttestation::Witness { report, .. } =
			witness(&heard_by, &beaconer, epoch)
		else {
			unreachable!()
		};
		// Someone else's signature over the honest report (e.g. an oracle inventing witnesses).
		let forged = witness(&pair(SignatureScheme::Ed25519, 77), &beaconer, epoch);
		let signature = forged.signature().clone();
		land(vec![depin_primitives::SignedAttestation::Witness { report, signature }]);
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
fn only_the_first_witnesses_of_a_beacon_are_rewarded() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let witnesses: Vec<_> = (0..MAX_WITNESSES + 1)
			.map(|i| device_challenged(false, epoch, 10 + i as u64, paris_north(), 1_000 * (i + 1)))
			.collect();
		land(witnesses.iter().map(|w| witness(w, &beaconer, epoch)).collect());
		assert_eq!(rejections(), vec![(MAX_WITNESSES, R::WitnessCapReached)]);
		// Governance raising the cap lets the next one in.
		let mut parameters = Parameters::<Test>::get();
		parameters.max_witnesses_per_beacon = MAX_WITNESSES + 1;
		Parameters::<Test>::put(parameters);
		land(vec![witness(&witnesses[MAX_WITNESSES as usize], &beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

#[test]
fn a_witness_counts_once_per_beacon() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let (beaconer, heard_by) = pair_up(epoch);
		let report = witness(&heard_by, &beaconer, epoch);
		land(vec![report.clone(), report.clone()]);
		assert_eq!(rejections(), vec![(1, R::Duplicate)]);
		// Re-signed with another RSSI: still the same beacon.
		land(vec![witness_with(&heard_by, &beaconer, epoch, |r| r.rssi_dbm = -101)]);
		assert_eq!(rejections(), vec![(0, R::Duplicate)]);
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
		// A report about an unregistered key: the payload cannot even be checked.
		let about_unknown = witness_with(&heard_by, &suspended, epoch, |r| {
			r.beaconer = unknown.public().device_id()
		});
		land(vec![about_unknown, witness(&heard_by, &suspended, epoch)]);
		assert_eq!(rejections(), vec![(0, R::UnknownBeaconer), (1, R::UnknownBeaconer)]);
	});
}
