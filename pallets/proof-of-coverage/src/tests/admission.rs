//! What a node's RPC may queue: every rule the chain's state decides, applied before any
//! signature is checked, with the signature left to the node (`admit_attestations`). Each
//! test is a flood that the older precheck (signer, signature and epoch only) let into the
//! queue.

use crate::mock::*;
use depin_primitives::{AttestationRejection as R, SignatureScheme, SignedAttestation};

/// Admissions reduced to what the node does next: refuse, or check a signature (`true`),
/// or queue at once (`false`, a reveal).
fn admit(attestations: &[SignedAttestation]) -> Vec<Result<bool, R>> {
	ProofOfCoverage::admit_attestations(attestations)
		.into_iter()
		.map(|admission| admission.map(|check| check.is_some()))
		.collect()
}

#[test]
fn heartbeats_for_slots_that_cannot_land_are_refused_before_any_signature_check() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let epoch = current_epoch();
		run_to_block(5);
		let slot = current_slot();
		// One device signing endless distinct heartbeats: any slot number it likes.
		let out_of_range = heartbeat_anchored(&device, epoch, 9_999, [7; 32]);
		// Slot 8 starts at block 9; the next batch lands in block 7 at the earliest.
		let too_early = heartbeat_anchored(&device, epoch, 8, [7; 32]);
		// Slot 0 (block 1) and its grace (3 blocks) ended before block 6.
		let expired = heartbeat(&device, epoch, 0);
		// The next block's slot may be signed now (its anchor is this block's hash).
		let next = heartbeat_anchored(&device, epoch, slot + 1, block_hash_of(5).0);
		assert_eq!(
			admit(&[out_of_range, too_early, expired, heartbeat(&device, epoch, slot), next]),
			vec![
				Err(R::SlotOutOfRange),
				Err(R::SlotNotStarted),
				Err(R::SlotExpired),
				Ok(true),
				Ok(true)
			]
		);
	});
}

#[test]
fn a_heartbeat_that_could_land_only_in_the_next_block_is_refused_not_queued_to_be_lost() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let epoch = current_epoch();
		run_to_block(5);
		// Slot 2 is block 3; with its grace (3 blocks) a batch may carry it up to block 6.
		// This block's worker may have drained the queue already: the batch the heartbeat
		// joins is signed at block 6 and lands in block 7. Without the rule it was answered
		// `queued`, then refused on chain, `SlotExpired`: lost.
		let last_chance = heartbeat(&device, epoch, 2);
		assert_eq!(crate::ADMISSION_LEAD, 2);
		assert_eq!(
			admit(&[last_chance.clone(), heartbeat(&device, epoch, 3)]),
			vec![Err(R::SlotExpired), Ok(true)]
		);
		// The slot starting in block 7 is not taken yet: the batch may land in block 6.
		let early = heartbeat_anchored(&device, epoch, 6, [7; 32]);
		assert_eq!(admit(&[early]), vec![Err(R::SlotNotStarted)]);
		// The chain itself still takes it in block 6.
		run_to_block(6);
		land(vec![last_chance]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

#[test]
fn a_heartbeat_already_counted_is_refused_before_its_signature_check() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let beat = heartbeat(&device, current_epoch(), current_slot());
		land(vec![beat.clone()]);
		// Resent (by anyone who saw it in a block) after it landed: nothing to queue.
		assert_eq!(admit(&[beat]), vec![Err(R::Duplicate)]);
	});
}

#[test]
fn a_forged_p256_attestation_costs_the_runtime_no_signature_check() {
	build_and_execute(|| {
		// The attack without the rule: heartbeats naming a registered P-256 device with random
		// signatures cost about a millisecond of wasm each, before anything else.
		let device = alice_device(SignatureScheme::EcdsaP256, 1);
		let SignedAttestation::Heartbeat { heartbeat: body, .. } =
			heartbeat(&device, current_epoch(), current_slot())
		else {
			unreachable!()
		};
		let forged = SignedAttestation::Heartbeat {
			heartbeat: body,
			signature: depin_primitives::DeviceSignature::EcdsaP256([9; 64]),
		};
		// The runtime passes it through unverified: the check comes back for the node,
		// which makes it natively and refuses it.
		let admission = ProofOfCoverage::admit_attestations(core::slice::from_ref(&forged));
		let check = admission[0].clone().expect("every rule state decides passes").unwrap();
		assert_eq!(check.key, device.public());
		assert!(!check.verify());
		// Called through the older precheck, the same attestation is refused, in wasm.
		assert_eq!(ProofOfCoverage::precheck_attestations(&[forged]), vec![Err(R::BadSignature)]);
	});
}

#[test]
fn beacons_and_witness_reports_with_made_up_fields_are_refused_before_any_signature_check() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let unchallenged = device_challenged(false, epoch, ALICE, paris(), 0);
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 100);
		land(vec![beacon(&beaconer, epoch)]);
		// A witness signing reports with random fields: band, distance, RSSI, commitment.
		let off_band = witness_with(&heard_by, &beaconer, epoch, |r| r.frequency_khz = 1);
		let too_strong = witness_with(&heard_by, &beaconer, epoch, |r| r.rssi_dbm = 20);
		let other_commitment =
			witness_with(&heard_by, &beaconer, epoch, |r| r.commitment = [3; 32]);
		let not_a_beaconer = witness(&heard_by, &unchallenged, epoch);
		assert_eq!(
			admit(&[
				beacon(&unchallenged, epoch),
				beacon(&beaconer, epoch),
				off_band,
				too_strong,
				other_commitment,
				not_a_beaconer,
				witness(&heard_by, &beaconer, epoch),
			]),
			vec![
				Err(R::NotChallenged),
				Err(R::Duplicate),
				Err(R::FrequencyOutOfBand),
				Err(R::RssiTooStrong),
				Err(R::CommitmentMismatch),
				Err(R::BeaconerNotChallenged),
				Ok(true),
			]
		);
		// Once reported, the same witness's second report of that beacon cannot land.
		land(vec![witness(&heard_by, &beaconer, epoch)]);
		assert_eq!(admit(&[witness(&heard_by, &beaconer, epoch)]), vec![Err(R::Duplicate)]);
	});
}

#[test]
fn a_reveal_carries_no_signature_and_is_admitted_only_in_its_window() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		land(vec![beacon(&beaconer, epoch)]);
		assert_eq!(admit(&[reveal(&beaconer, epoch)]), vec![Err(R::RevealTooEarly)]);
		run_to_reveals(epoch);
		assert_eq!(admit(&[reveal(&beaconer, epoch)]), vec![Ok(false)]);
	});
}
