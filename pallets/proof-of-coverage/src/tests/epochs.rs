use crate::{mock::*, CurrentEpoch, EpochTotals, Event, Parameters, PreviousEpoch};
use depin_primitives::{EpochScore, SignatureScheme};
use frame_support::weights::Weight;

#[test]
fn the_first_block_starts_epoch_zero_and_epochs_turn_every_epoch_length() {
	build_and_execute(|| {
		let first = CurrentEpoch::<Test>::get().unwrap();
		assert_eq!(
			(first.index, first.start, first.length, first.slots),
			(0, 1, EPOCH_LENGTH, SLOTS)
		);
		assert_eq!(PreviousEpoch::<Test>::get(), None);
		run_to_block(EPOCH_LENGTH);
		assert_eq!(current_epoch(), 0);
		run_to_block(EPOCH_LENGTH + 1);
		let second = CurrentEpoch::<Test>::get().unwrap();
		assert_eq!((second.index, second.start), (1, EPOCH_LENGTH + 1));
		assert_eq!(PreviousEpoch::<Test>::get(), Some(first.clone()));
		assert_ne!(second.randomness, first.randomness);
		System::assert_has_event(
			Event::EpochStarted {
				epoch: 1,
				start: EPOCH_LENGTH + 1,
				length: EPOCH_LENGTH,
				randomness: second.randomness,
			}
			.into(),
		);
		run_to_block(5 * EPOCH_LENGTH + 1);
		assert_eq!(current_epoch(), 5);
	});
}

#[test]
fn new_epoch_length_and_slots_apply_from_the_next_epoch() {
	build_and_execute(|| {
		let mut parameters = Parameters::<Test>::get();
		parameters.epoch_length = 20;
		parameters.slots_per_epoch = 4;
		assert_ok_root_set(parameters);
		assert_eq!(CurrentEpoch::<Test>::get().unwrap().length, EPOCH_LENGTH);
		run_to_block(EPOCH_LENGTH + 1);
		let epoch = CurrentEpoch::<Test>::get().unwrap();
		assert_eq!((epoch.length, epoch.slots), (20, 4));
		// Slot s of 4 covers blocks start + 5s .. start + 5s + 5.
		assert_eq!(epoch.slot_bounds(1), (EPOCH_LENGTH + 6, EPOCH_LENGTH + 11));
		run_to_block(EPOCH_LENGTH + 20);
		assert_eq!(current_epoch(), 1);
		run_to_block(EPOCH_LENGTH + 21);
		assert_eq!(current_epoch(), 2);
	});
}

fn assert_ok_root_set(parameters: crate::ParametersOf<Test>) {
	frame_support::assert_ok!(ProofOfCoverage::set_parameters(RuntimeOrigin::root(), parameters));
}

#[test]
fn an_epochs_totals_are_handed_to_rewards_when_its_grace_ends() {
	build_and_execute(|| {
		let device = pair(SignatureScheme::Ed25519, 1);
		MockDevices::insert(&device, ALICE, paris());
		land(vec![heartbeat(&device, 0, current_slot())]);
		assert_eq!(active_devices(), vec![(device.public().device_id(), 0)]);
		// Epoch 1 starts: epoch 0 is still open to late attestations.
		run_to_block(EPOCH_LENGTH + 1);
		assert!(scored_epochs().is_empty());
		// Epoch 2 starts: epoch 0 is final.
		run_to_block(2 * EPOCH_LENGTH + 1);
		let expected = EpochScore { uptime: HEARTBEAT_SCORE, coverage: 0 };
		assert_eq!(scored_epochs(), vec![(0, expected)]);
		System::assert_has_event(Event::EpochScored { epoch: 0, totals: expected }.into());
		run_to_block(3 * EPOCH_LENGTH + 1);
		assert_eq!(scored_epochs(), vec![(0, expected), (1, EpochScore::default())]);
	});
}

#[test]
fn old_epoch_totals_are_pruned_one_per_epoch() {
	build_and_execute(|| {
		let device = pair(SignatureScheme::Ed25519, 1);
		MockDevices::insert(&device, ALICE, paris());
		land(vec![heartbeat(&device, 0, current_slot())]);
		// EpochHistory is 4: epoch 0's total is kept through epoch 3, gone when 4 starts.
		run_to_block(3 * EPOCH_LENGTH + 1);
		assert_eq!(EpochTotals::<Test>::get(0).uptime, HEARTBEAT_SCORE);
		run_to_block(4 * EPOCH_LENGTH + 1);
		assert_eq!(EpochTotals::<Test>::get(0).uptime, 0);
	});
}

#[test]
fn challenges_follow_the_rate_and_change_with_each_epoch() {
	build_and_execute(|| {
		let devices: Vec<_> =
			(0..400).map(|n| pair(SignatureScheme::Ed25519, n).public().device_id()).collect();
		let challenged = |epoch| {
			devices.iter().filter(|d| ProofOfCoverage::is_challenged(d, epoch).unwrap()).count()
		};
		let first = challenged(0);
		assert!((150..=250).contains(&first), "50% of 400, got {first}");
		run_to_block(EPOCH_LENGTH + 1);
		let in_0: Vec<bool> =
			devices.iter().map(|d| ProofOfCoverage::is_challenged(d, 0).unwrap()).collect();
		let in_1: Vec<bool> =
			devices.iter().map(|d| ProofOfCoverage::is_challenged(d, 1).unwrap()).collect();
		assert_ne!(in_0, in_1);
		// Closed epochs are not answered.
		run_to_block(2 * EPOCH_LENGTH + 1);
		assert_eq!(ProofOfCoverage::is_challenged(&devices[0], 0), None);
	});
}

#[test]
fn an_old_epochs_activity_is_replaced_not_accumulated() {
	build_and_execute(|| {
		// Every device is challenged from epoch 1 on.
		let mut parameters = Parameters::<Test>::get();
		parameters.challenge_rate = sp_runtime::Perbill::one();
		Parameters::<Test>::put(parameters);
		run_to_block(1 + EPOCH_LENGTH);
		let beaconer = pair(depin_primitives::SignatureScheme::Ed25519, 1);
		let heard_by = pair(depin_primitives::SignatureScheme::Ed25519, 2);
		MockDevices::insert(&beaconer, ALICE, paris());
		MockDevices::insert(&heard_by, BOB, paris_north());
		let id = beaconer.public().device_id();
		for epoch in [1, 3] {
			run_to_block(1 + u64::from(epoch) * EPOCH_LENGTH);
			land(vec![beacon(&beaconer, epoch), witness(&heard_by, &beaconer, epoch)]);
			run_to_reveals(epoch);
			land(vec![reveal(&beaconer, epoch)]);
		}
		// Epoch 3 reuses epoch 1's place in the record.
		let record = crate::DeviceActivity::<Test>::get(id).unwrap();
		assert_eq!(record.by_parity[1].as_ref().unwrap().epoch, 3);
		assert_eq!(ProofOfCoverage::activity(&id, 3).unwrap().coverage, BEACON_SCORE);
		assert_eq!(ProofOfCoverage::activity(&id, 1), None);
	});
}

#[test]
fn bitmap_pages_of_old_epochs_are_pruned_when_idle() {
	build_and_execute(|| {
		let device = pair(SignatureScheme::Ed25519, 1);
		MockDevices::insert(&device, ALICE, paris());
		land(vec![heartbeat(&device, 0, current_slot())]);
		let pages = || {
			crate::HeartbeatPages::<Test>::iter_prefix(0).count()
				+ crate::TallyPages::<Test>::iter_prefix(0).count()
		};
		assert_eq!(pages(), 2);
		// EpochHistory is 4: epoch 0's pages are kept through epoch 3.
		run_to_block(3 * EPOCH_LENGTH + 1);
		assert_eq!(ProofOfCoverage::prune_pages(Weight::MAX), page_ops(2, 0));
		assert_eq!(report(&device, 0).unwrap().heartbeats(), 1);
		run_to_block(4 * EPOCH_LENGTH + 1);
		// Too little weight left: nothing happens.
		assert_eq!(ProofOfCoverage::prune_pages(Weight::zero()), Weight::zero());
		assert_eq!(pages(), 2);
		ProofOfCoverage::prune_pages(Weight::MAX);
		assert_eq!(pages(), 0);
		assert_eq!(crate::PagesKeptFrom::<Test>::get(), 1);
		System::assert_has_event(Event::EpochPagesPruned { epoch: 0 }.into());
		assert_eq!(report(&device, 0), None);
		// Nothing left to prune until epoch 5 starts.
		assert_eq!(ProofOfCoverage::prune_pages(Weight::MAX), page_ops(2, 0));
	});
}
