use crate::{mock::*, BatchCharge, DeviceActivity, EpochTotals};
use depin_primitives::{
	attestation::HeartbeatPayload, AttestationRejection as R, DeviceSignature, DeviceStatus,
	EpochScore, Heartbeat, SignatureScheme, SignedAttestation, SignedPayload,
};

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
			let report = report(device, epoch).unwrap();
			assert_eq!(report.heartbeat_slots, 1 << current_slot());
			assert_eq!(report.score, EpochScore { uptime: HEARTBEAT_SCORE, coverage: 0 });
			// Heartbeats live in bitmap pages: no per-device record is written.
			assert_eq!(DeviceActivity::<Test>::get(device.public().device_id()), None);
		}
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 4 * HEARTBEAT_SCORE);
		// Rewards hears of each device once, on its first attestation of the epoch.
		let ids: Vec<_> = devices.iter().map(|d| (d.public().device_id(), epoch)).collect();
		assert_eq!(active_devices(), ids);
	});
}

#[test]
fn a_forged_signature_is_refused_and_changes_nothing() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let impostor = pair(SignatureScheme::Ed25519, 99);
		let heartbeat = Heartbeat {
			device: device.public().device_id(),
			epoch,
			slot: current_slot(),
			anchor: slot_anchor(epoch, current_slot()),
		};
		let forged = impostor.sign(
			&HeartbeatPayload { genesis_hash: &genesis(), heartbeat: &heartbeat }.signing_bytes(),
		);
		let garbage = DeviceSignature::Ed25519([7u8; 64]);
		land(vec![
			SignedAttestation::Heartbeat { heartbeat: heartbeat.clone(), signature: forged },
			SignedAttestation::Heartbeat { heartbeat, signature: garbage },
		]);
		assert_eq!(rejections(), vec![(0, R::BadSignature), (1, R::BadSignature)]);
		assert_eq!(report(&device, epoch), None);
		assert!(EpochTotals::<Test>::get(epoch).is_zero());
		assert!(active_devices().is_empty());
	});
}

#[test]
fn a_signature_made_for_another_chain_is_refused() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = alice_device(SignatureScheme::Sr25519, 1);
		let heartbeat = Heartbeat {
			device: device.public().device_id(),
			epoch,
			slot: current_slot(),
			anchor: slot_anchor(epoch, current_slot()),
		};
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
		let report = report(&device, epoch).unwrap();
		assert_eq!(report.heartbeats(), 1);
		assert_eq!(report.score.uptime, HEARTBEAT_SCORE);
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, HEARTBEAT_SCORE);
		assert_eq!(active_devices().len(), 1);
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
		assert_eq!(report(&device, epoch).unwrap().heartbeat_slots, 0b10010);
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 2 * HEARTBEAT_SCORE);
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
		assert_eq!(report(&device, 0).unwrap().heartbeat_slots, 1 << 9);
		assert_eq!(report(&device, 1).unwrap().heartbeats(), 1);
		// Once per epoch each.
		let id = device.public().device_id();
		assert_eq!(active_devices(), vec![(id, 0), (id, 1)]);
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
fn uptime_is_not_scaled_by_density() {
	build_and_execute(|| {
		let epoch = current_epoch();
		// Eight devices in one density cell with a target of four: coverage would be halved,
		// uptime is counted in full (it is read back from bits, see the crate doc).
		let crowd: Vec<_> = (0..8).map(|n| alice_device(SignatureScheme::Ed25519, n)).collect();
		land(crowd.iter().map(|d| heartbeat(d, epoch, current_slot())).collect());
		for device in &crowd {
			assert_eq!(report(device, epoch).unwrap().score.uptime, HEARTBEAT_SCORE);
		}
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 8 * HEARTBEAT_SCORE);
	});
}

#[test]
fn devices_far_apart_in_registration_order_use_their_own_pages() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let first = alice_device(SignatureScheme::Ed25519, 1);
		skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE * 3);
		let far = alice_device(SignatureScheme::Ed25519, 2);
		land(vec![
			heartbeat(&first, epoch, current_slot()),
			heartbeat(&far, epoch, current_slot()),
		]);
		assert_eq!(last_batch_counts(), (2, 0));
		let page = |index| crate::HeartbeatPages::<Test>::get(epoch, (current_slot(), index));
		assert_eq!(page(0).unwrap().count(), 1);
		assert_eq!(page(3).unwrap().count(), 1);
		assert_eq!(page(1), None);
		let tally = |index| crate::TallyPages::<Test>::get(epoch, index);
		assert_eq!(tally(0).unwrap().heartbeats(0), 1);
		// Index 1 + 3 · 4096: page 3, position 1.
		assert_eq!(tally(3).unwrap().heartbeats(1), 1);
		assert_eq!(report(&first, epoch).unwrap().heartbeats(), 1);
		assert_eq!(report(&far, epoch).unwrap().heartbeats(), 1);
	});
}

#[test]
fn a_batch_is_charged_its_pages_anchors_and_activations_not_the_worst_case() {
	build_and_execute(|| {
		use frame_support::dispatch::PostDispatchInfo;
		let epoch = current_epoch();
		let slot = current_slot();
		let devices: Vec<_> = (0..6).map(|n| alice_device(SignatureScheme::Ed25519, n)).collect();
		let beats = |range: core::ops::Range<usize>| -> Vec<_> {
			devices[range].iter().map(|d| heartbeat(d, epoch, slot)).collect()
		};

		// Three devices of one page, all new in the epoch: one slot page, one tally page,
		// one anchor, three activations; charged exactly that, nothing to refund.
		let (batch, signature) = signed_batch(beats(0..3));
		assert_eq!(batch.charge, BatchCharge { activations: 3, pages: 2, anchors: 1 });
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		let worst = ProofOfCoverage::batch_weight(&batch.attestations, &BatchCharge::worst_case(3));
		assert!(charged.ref_time() < worst.ref_time());
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(post.actual_weight, Some(charged));

		// Same block, same pages: in the block's overlay, no database access for them.
		let (batch, signature) = signed_batch(beats(3..6));
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(post.actual_weight, Some(charged - page_ops(2, 2)));
		assert_eq!(EpochTotals::<Test>::get(epoch).uptime, 6 * HEARTBEAT_SCORE);

		// Next block, next slot: the devices are active already, so no activation is charged.
		run_to_block(System::block_number() + 1);
		let slot = current_slot();
		let (batch, signature) =
			signed_batch(devices[..3].iter().map(|d| heartbeat(d, epoch, slot)).collect());
		assert_eq!(batch.charge, BatchCharge { activations: 0, pages: 2, anchors: 1 });
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		let calls = sink_calls();
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (3, 0));
		// The score sink is not called, and its fixed part is refunded.
		assert_eq!(sink_calls(), calls);
		assert_eq!(
			post.actual_weight,
			Some(
				charged - frame_support::weights::Weight::from_parts(DEVICES_ACTIVE_BASE_WEIGHT, 0)
			)
		);
	});
}

#[test]
fn the_score_sink_hears_of_a_batchs_new_devices_in_one_call() {
	build_and_execute(|| {
		// Without it, rewards' fixed part (the clock, the pools, the treasury transfer) is
		// paid once per device: 3 ms a device with the recording sink's figures.
		let epoch = current_epoch();
		let devices: Vec<_> = (0..5).map(|n| alice_device(SignatureScheme::Ed25519, n)).collect();
		let calls = sink_calls();
		let (batch, signature) =
			signed_batch(devices.iter().map(|d| heartbeat(d, epoch, current_slot())).collect());
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		// The five activations are charged each device's part; the fixed part is in every
		// batch's charge once (and refunded when nothing is made active).
		let without = ProofOfCoverage::batch_weight(
			&batch.attestations,
			&BatchCharge { activations: 0, ..batch.charge },
		);
		let each = ProofOfCoverage::activation_weight();
		assert_eq!(charged - without, each * 5);
		assert_eq!(
			ProofOfCoverage::activations_base_weight().ref_time(),
			DEVICES_ACTIVE_BASE_WEIGHT
		);
		let post: frame_support::dispatch::PostDispatchInfo =
			submit(batch, signature).unwrap().unwrap();
		assert_eq!(sink_calls(), calls + 1);
		assert_eq!(active_devices().len(), 5);
		// The recording sink reports its dearest case: all of the charge is used.
		assert_eq!(post.actual_weight, Some(charged));
	});
}

#[test]
fn a_heartbeat_past_its_batch_charge_is_refused_before_its_work() {
	build_and_execute(|| {
		use frame_support::dispatch::PostDispatchInfo;
		use sp_runtime::RuntimeAppPublic;
		// The attack without the rule: an oracle declares a tiny charge, its batch is
		// charged next to nothing, and the block does the pages, anchors and score-sink work
		// of every heartbeat for free, past the block's weight limit.
		let epoch = current_epoch();
		let two_pages_apart = |n: u32| {
			let near = alice_device(SignatureScheme::Ed25519, 2 * n);
			skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE * 3);
			let far = alice_device(SignatureScheme::Ed25519, 2 * n + 1);
			skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE * 3);
			vec![heartbeat(&near, epoch, current_slot()), heartbeat(&far, epoch, current_slot())]
		};
		let mut last = Vec::new();
		type Shorten = fn(BatchCharge) -> BatchCharge;
		let cases: [(Shorten, Vec<(u32, R)>); 3] = [
			(
				|c: BatchCharge| BatchCharge { anchors: 0, ..c },
				vec![(0, R::OverCharge), (1, R::OverCharge)],
			),
			(|c: BatchCharge| BatchCharge { pages: 3, ..c }, vec![(1, R::OverCharge)]),
			(|c: BatchCharge| BatchCharge { activations: 1, ..c }, vec![(1, R::OverCharge)]),
		];
		for (n, (short, expected)) in cases.into_iter().enumerate() {
			let beats = two_pages_apart(n as u32);
			let honest = ProofOfCoverage::charge_of(&beats);
			assert_eq!(honest, BatchCharge { activations: 2, pages: 4, anchors: 1 });
			let (mut batch, _) = signed_batch(beats.clone());
			batch.charge = short(honest);
			let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
			let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
			let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
			assert_eq!(rejections(), expected, "charge {:?}", short(honest));
			// Never more work than paid for.
			assert!(post.actual_weight.unwrap().all_lte(charged));
			last = beats;
		}
		// A refused one lands later in a batch that pays for it.
		land(vec![last[1].clone()]);
		assert_eq!(rejections(), vec![]);
		assert_eq!(
			ProofOfCoverage::device_report(&last[1].device(), epoch).unwrap().heartbeats(),
			1
		);
	});
}

#[test]
fn the_charge_is_signed_and_capped_at_the_worst_case() {
	build_and_execute(|| {
		let beats = vec![heartbeat(
			&alice_device(SignatureScheme::Ed25519, 0),
			current_epoch(),
			current_slot(),
		)];
		// A relay that lowers the charge (so the heartbeats are refused) breaks the oracle's
		// signature.
		let (mut batch, signature) = signed_batch(beats.clone());
		batch.charge.pages = 0;
		let call =
			RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature });
		use frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
		assert_eq!(
			call.authorize(TransactionSource::External).unwrap().map(|_| ()),
			Err(frame_support::pallet_prelude::InvalidTransaction::BadProof.into())
		);
		// Counts above the worst case are charged as the worst case.
		let huge = BatchCharge { activations: u32::MAX, pages: u32::MAX, anchors: u32::MAX };
		assert_eq!(
			ProofOfCoverage::batch_weight(&beats, &huge),
			ProofOfCoverage::batch_weight(&beats, &BatchCharge::worst_case(1))
		);
	});
}

/// Issue 17 hole 2: heartbeat bytes were all predictable (genesis, device, epoch, slot), so a
/// key could sign a year of them once and a script post them with the hardware switched off.
/// A heartbeat binds the hash of the block before its slot now, which nobody knows earlier.
#[test]
fn a_heartbeat_signed_before_its_slot_is_refused() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let epoch = current_epoch();
		// Signed at block 1 for slot 4 (blocks 5..6): the best a pre-signer can bind is a guess
		// or the hash of a block it has already seen.
		let slot = 4;
		let guessed = heartbeat_anchored(&device, epoch, slot, [0u8; 32]);
		let stale = heartbeat_anchored(&device, epoch, slot, System::block_hash(0).0);
		run_to_block(5);
		assert_eq!(current_slot(), slot);
		assert_eq!(
			ProofOfCoverage::precheck_attestations(&[guessed.clone(), stale.clone()]),
			vec![Err(R::WrongSlotAnchor), Err(R::WrongSlotAnchor)]
		);
		land(vec![guessed, stale]);
		assert_eq!(rejections(), vec![(0, R::WrongSlotAnchor), (1, R::WrongSlotAnchor)]);
		assert_eq!(report(&device, epoch), None);
		// Signed once the slot's anchor exists (the block before the slot), it counts.
		assert_eq!(slot_anchor(epoch, slot), block_hash_of(4).0);
		land(vec![heartbeat(&device, epoch, slot)]);
		assert_eq!(last_batch_counts(), (1, 0));
		assert_eq!(report(&device, epoch).unwrap().heartbeats(), 1);
	});
}

#[test]
fn a_heartbeat_for_the_next_blocks_slot_can_be_signed_one_block_ahead() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let epoch = current_epoch();
		run_to_block(4);
		// At block 4 a device knows block 4's hash (the node told it), the anchor of slot 4.
		let early = heartbeat_anchored(&device, epoch, 4, block_hash_of(4).0);
		// The runtime cannot check the anchor until block 4's hash is in the state: the RPC
		// lets it through, the chain judges it in block 5.
		assert_eq!(
			ProofOfCoverage::precheck_attestations(core::slice::from_ref(&early)),
			vec![Ok(())]
		);
		run_to_block(5);
		land(vec![early]);
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

/// The chain answers a zero hash for a block it no longer keeps: a zero anchor never counts.
#[test]
fn a_zero_anchor_never_counts() {
	build_and_execute(|| {
		let device = alice_device(SignatureScheme::Ed25519, 1);
		let epoch = current_epoch();
		run_to_block(5);
		// As if block 4's hash were no longer kept.
		frame_system::BlockHash::<Test>::remove(4);
		land(vec![heartbeat_anchored(&device, epoch, 4, [0u8; 32])]);
		assert_eq!(rejections(), vec![(0, R::WrongSlotAnchor)]);
	});
}

#[test]
fn a_device_registered_after_the_batch_was_counted_is_still_paid_for() {
	build_and_execute(|| {
		// The node admits a new device's first heartbeat at the best block; the worker, a
		// block behind, counts the batch where the device is not registered yet. Without the
		// rule it paid for the anchor only, and the heartbeat was refused `OverCharge` where
		// the batch landed (the device registered there): lost.
		let device = pair(SignatureScheme::Ed25519, 40);
		let beat = heartbeat(&device, current_epoch(), current_slot());
		let (batch, signature) = signed_batch(vec![beat]);
		assert_eq!(batch.charge, BatchCharge { activations: 1, pages: 2, anchors: 1 });
		MockDevices::insert(&device, ALICE, paris());
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (1, 0));
		assert_eq!(EpochTotals::<Test>::get(current_epoch()).uptime, HEARTBEAT_SCORE);
	});
}
