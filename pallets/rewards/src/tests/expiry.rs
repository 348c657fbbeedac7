//! Expiry: unclaimed rewards and unsettled pools go to the treasury after the horizon,
//! without a loop over devices.

use crate::{mock::*, EpochRewards, Event, ExpiryCursor, Ledgers, Totals};
use depin_primitives::DeviceInspect;
use frame_support::assert_ok;

#[test]
fn what_an_epoch_still_owes_expires_with_it() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		set_score(a, 0, 1, 0);
		touch(a, 0);
		close(0, 2, 0); // half of the uptime pool is nobody's: a score that never settles
		let treasury = free(TREASURY);
		close_empty(1, HORIZON);
		assert!(EpochRewards::<Test>::get(0).is_some());
		// Epoch 0 + HORIZON closes: epoch 0 expires, its whole unsettled pool to the treasury.
		close(HORIZON, 0, 0);
		System::assert_has_event(Event::EpochExpired { epoch: 0, remainder: 300_000 }.into());
		assert_eq!(EpochRewards::<Test>::get(0), None);
		assert_eq!(ExpiryCursor::<Test>::get(), 1);
		assert_eq!(Totals::<Test>::get().expired, 300_000);
		// The device can no longer settle it.
		assert_eq!(Rewards::claimable(&a), 0);
		assert!(free(TREASURY) >= treasury + 300_000);
	});
}

#[test]
fn settled_but_unclaimed_rewards_expire_at_the_next_touch() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		set_score(a, 0, 1, 0);
		touch(a, 0);
		close(0, 1, 0);
		close(1, 0, 0);
		touch(a, 2); // settles epoch 0: 300,000 pending
		close_empty(2, HORIZON + 1);
		// Epoch 0 + HORIZON is closed: Alice's next attestation finds the amount expired.
		touch(a, HORIZON + 2);
		System::assert_has_event(Event::RewardsExpired { device: a, amount: 300_000 }.into());
		assert_eq!(Ledgers::<Test>::get(a).unwrap().pending, 0);
		assert_eq!(Totals::<Test>::get().expired, 300_000);
	});
}

#[test]
fn claiming_in_time_is_paid_in_full() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		set_score(a, 0, 1, 0);
		touch(a, 0);
		close_empty(0, 0);
		close(0, 1, 0);
		close_empty(1, HORIZON);
		// Epoch HORIZON - 1 closed: epoch 0 has not expired yet.
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a].try_into().unwrap()
		));
		assert_eq!(free(ALICE), STARTING_BALANCE + 300_000);
	});
}

#[test]
fn the_idle_sweep_reaches_devices_nobody_touches() {
	build_and_execute(|| {
		let gone = register(ALICE, 1);
		let idle_device = register(BOB, 2);
		for device in [gone, idle_device] {
			set_score(device, 0, 1, 0);
			touch(device, 0);
		}
		close(0, 2, 0);
		close(1, 0, 0);
		// Gone's owner withdrew the bond after a settlement: nobody can claim for it.
		touch(gone, 2);
		deregister(gone);
		close_empty(2, HORIZON + 1);
		// The sweep expires gone's pending and drops idle_device's expired epoch 0.
		idle();
		System::assert_has_event(Event::RewardsExpired { device: gone, amount: 150_000 }.into());
		assert_eq!(Ledgers::<Test>::get(gone).unwrap().unsettled.to_vec(), vec![2]);
		assert_eq!(Ledgers::<Test>::get(idle_device), None);
		// Its unsettled epoch-0 share went to the treasury with the epoch.
		System::assert_has_event(Event::EpochExpired { epoch: 0, remainder: 150_000 }.into());
		// A sweep with no weight does nothing.
		assert_eq!(
			<Rewards as frame_support::traits::Hooks<u64>>::on_idle(
				1,
				frame_support::weights::Weight::zero()
			),
			frame_support::weights::Weight::zero()
		);
	});
}

#[test]
fn a_shorter_horizon_catches_up_two_epochs_a_close() {
	build_and_execute(|| {
		for epoch in 0..6 {
			close(epoch, 1, 0);
		}
		assert_ok!(Rewards::set_expiry_horizon(RuntimeOrigin::root(), 1));
		close(6, 1, 0);
		assert_eq!(ExpiryCursor::<Test>::get(), 4);
		close(7, 1, 0);
		assert_eq!(ExpiryCursor::<Test>::get(), 6);
		close(8, 1, 0);
		assert_eq!(ExpiryCursor::<Test>::get(), 8);
		assert_eq!(EpochRewards::<Test>::iter_keys().count(), 1);
	});
}

#[test]
fn what_a_batch_of_touches_expires_moves_to_the_treasury_once_and_in_full() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		let b = register(BOB, 2);
		for device in [a, b] {
			set_score(device, 0, 1, 0);
			touch(device, 0);
		}
		close(0, 2, 0);
		close(1, 0, 0);
		touch(a, 2);
		touch(b, 2); // epoch 0 settled: 150,000 pending each
		close_empty(2, HORIZON + 1);
		let (treasury, pot_before) = (free(TREASURY), pot());
		let index = |d| MockDevices::device(&d).map_or(0, |info| info.index);
		<Rewards as depin_primitives::ScoreSink>::devices_active(&[
			(a, index(a), HORIZON + 2),
			(b, index(b), HORIZON + 2),
		]);
		System::assert_has_event(Event::RewardsExpired { device: a, amount: 150_000 }.into());
		System::assert_has_event(Event::RewardsExpired { device: b, amount: 150_000 }.into());
		assert_eq!(free(TREASURY), treasury + 300_000);
		assert_eq!(pot(), pot_before - 300_000);
		assert_eq!(Totals::<Test>::get().expired, 300_000);
		assert_eq!(Ledgers::<Test>::get(a).unwrap().pending, 0);
	});
}
