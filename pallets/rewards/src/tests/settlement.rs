//! Lazy settlement: a device's score becomes an amount when it is next touched.

use crate::{mock::*, EpochRewards, Event, Ledgers};
use depin_primitives::DeviceInspect;
use frame_support::assert_ok;

fn ledger(device: depin_primitives::DeviceId) -> crate::DeviceLedgerOf<Test> {
	Ledgers::<Test>::get(device).unwrap_or_default()
}

#[test]
fn the_next_touch_settles_a_closed_epoch_by_score_share() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		let b = register(BOB, 2);
		touch(a, 0);
		touch(b, 0);
		set_score(a, 0, 6, 10);
		set_score(b, 0, 4, 0);
		close(0, 10, 10);
		// Closing settles nobody.
		assert_eq!(ledger(a).pending, 0);
		assert_eq!(ledger(a).unsettled.to_vec(), vec![0]);

		// Active again two epochs later: epoch 0 is settled on the way.
		close(1, 0, 0);
		touch(a, 2);
		// 400,000 · 10/10 + 300,000 · 6/10.
		System::assert_last_event(
			Event::DeviceSettled { device: a, epoch: 0, amount: 580_000 }.into(),
		);
		assert_eq!(ledger(a).pending, 580_000);
		assert_eq!(ledger(a).last_reward_epoch, 0);
		assert_eq!(ledger(a).unsettled.to_vec(), vec![2]);
		assert_eq!(EpochRewards::<Test>::get(0).unwrap().settled, 580_000);
		// B was not touched: still unsettled, but claimable.
		assert_eq!(ledger(b).pending, 0);
		assert_eq!(Rewards::claimable(&b), 120_000);
	});
}

#[test]
fn a_ledger_never_holds_more_than_two_unsettled_epochs() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		for epoch in 0..8 {
			set_score(a, epoch, 1, 0);
			touch(a, epoch);
			// A second attestation in the same epoch changes nothing.
			touch(a, epoch);
			assert!(ledger(a).unsettled.len() <= 2);
			// The epoch before the previous one closes as the next starts.
			if epoch >= 1 {
				close(epoch - 1, 1, 0);
			}
		}
		// Epochs 0..=5 were settled by touches, 6 is closed and 7 open.
		assert_eq!(ledger(a).unsettled.to_vec(), vec![6, 7]);
		let settled: Vec<u32> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::DeviceSettled { epoch, .. } => Some(epoch),
				_ => None,
			})
			.collect();
		assert_eq!(settled, vec![0, 1, 2, 3, 4, 5]);
		// Sole earner of each uptime pool: 300,000 an epoch (halving at 10 is not reached);
		// still earning, so nothing expired although the owner never claimed.
		assert_eq!(ledger(a).pending, 6 * 300_000);
		assert_eq!(ledger(a).last_reward_epoch, 5);
	});
}

#[test]
fn a_late_attestation_for_the_previous_epoch_keeps_the_order() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		touch(a, 3);
		// Epoch 2's grace period: a late heartbeat arrives after epoch 3's first one.
		touch(a, 2);
		assert_eq!(ledger(a).unsettled.to_vec(), vec![2, 3]);
	});
}

#[test]
fn a_device_active_in_some_epochs_and_idle_in_others() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		let b = register(BOB, 2);
		// A: epochs 0 and 3; B: every epoch 0..=3, same score each time. Epoch e closes when
		// e + 2 starts, before any attestation of e + 2.
		let totals = [2, 1, 1, 2];
		for epoch in 0..4 {
			if epoch >= 2 {
				close(epoch - 2, totals[(epoch - 2) as usize], 0);
			}
			set_score(b, epoch, 1, 0);
			touch(b, epoch);
			if epoch == 0 || epoch == 3 {
				set_score(a, epoch, 1, 0);
				touch(a, epoch);
			}
		}
		close(2, 1, 0);
		close(3, 2, 0);
		assert_eq!(Rewards::claimable(&a), 150_000 + 150_000);
		assert_eq!(Rewards::claimable(&b), 150_000 + 300_000 + 300_000 + 150_000);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a].try_into().unwrap()
		));
		assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(BOB), vec![b].try_into().unwrap()));
		assert_eq!(free(ALICE), STARTING_BALANCE + 300_000);
		assert_eq!(free(BOB), STARTING_BALANCE + 900_000);
	});
}

#[test]
fn rounding_dust_stays_in_the_pools_and_is_never_paid_twice() {
	build_and_execute(|| {
		let devices: Vec<_> = (0..7).map(|n| register(ALICE, n)).collect();
		for device in &devices {
			set_score(*device, 0, 1, 0);
			touch(*device, 0);
		}
		close(0, 7, 0);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			devices[..3].to_vec().try_into().unwrap()
		));
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			devices[3..6].to_vec().try_into().unwrap()
		));
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			devices[6..].to_vec().try_into().unwrap()
		));
		// 300,000 / 7 = 42,857 each, rounded down; one planck of dust stays owed.
		assert_eq!(free(ALICE), STARTING_BALANCE + 7 * 42_857);
		let pools = EpochRewards::<Test>::get(0).unwrap();
		assert_eq!(pools.unsettled(), 1);
	});
}

#[test]
fn a_score_above_the_total_cannot_take_more_than_the_pool() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		let b = register(BOB, 2);
		// A faulty score source says both earned everything.
		set_score(a, 0, 10, 10);
		set_score(b, 0, 10, 10);
		touch(a, 0);
		touch(b, 0);
		close(0, 10, 10);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a].try_into().unwrap()
		));
		// The pools are empty: Bob's inflated share finds nothing left.
		frame_support::assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(BOB), vec![b].try_into().unwrap()),
			crate::Error::<Test>::NothingToClaim
		);
		assert_eq!(free(ALICE) + free(BOB), 2 * STARTING_BALANCE + 700_000);
	});
}

/// Proof of coverage reuses a device's coverage record of `e - 2` for `e`, right after it
/// touches the device for `e`. A device active in `e - 3` and `e - 2`, then silent, then
/// active in `e`: one settlement per touch (the old rule) left `e - 2` unsettled while its
/// record was overwritten, so its coverage paid nothing. Every epoch up to `e - 2` is
/// settled at the touch now.
#[test]
fn a_touch_settles_every_epoch_whose_coverage_record_is_reused() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		set_score(a, 0, 0, 10);
		set_score(a, 1, 0, 10);
		touch(a, 0);
		touch(a, 1);
		close(0, 0, 10);
		close(1, 0, 10);
		System::reset_events();
		touch(a, 3);
		let settled: Vec<u32> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::DeviceSettled { epoch, .. } => Some(epoch),
				_ => None,
			})
			.collect();
		assert_eq!(settled, vec![0, 1]);
		assert_eq!(ledger(a).unsettled.to_vec(), vec![3]);
	});
}

/// A batch's devices made active, touched one by one and all together.
fn settle_three(together: bool) -> (Vec<crate::DeviceLedgerOf<Test>>, Vec<Event<Test>>, Balance) {
	let devices: Vec<_> = (1..=3).map(|n| register(ALICE, n)).collect();
	for (n, device) in devices.iter().enumerate() {
		set_score(*device, 0, n as u64 + 1, 0);
		touch(*device, 0);
	}
	close(0, 6, 0);
	close(1, 0, 0);
	let _ = System::events();
	System::reset_events();
	let batch: Vec<_> = devices
		.iter()
		.map(|d| (*d, MockDevices::device(d).map_or(0, |info| info.index), 2))
		.collect();
	if together {
		let used = <Rewards as depin_primitives::ScoreSink>::devices_active(&batch);
		// Three settlements: charged for them, within the dearest case of three devices.
		assert_eq!(used, Rewards::touch_all_weight(3, 3, 1));
		assert!(used.all_gt(Rewards::touch_all_weight(3, 0, 0)));
		assert!(used.all_lte(<Rewards as depin_primitives::ScoreSink>::devices_active_weight(3)));
	} else {
		for one in &batch {
			<Rewards as depin_primitives::ScoreSink>::devices_active(core::slice::from_ref(one));
		}
	}
	let pools = EpochRewards::<Test>::get(0).unwrap().settled;
	(devices.iter().map(|d| ledger(*d)).collect(), events(), pools)
}

#[test]
fn devices_touched_together_settle_as_if_touched_one_by_one() {
	let one_by_one = new_test_ext().execute_with(|| settle_three(false));
	let together = new_test_ext().execute_with(|| settle_three(true));
	assert_eq!(one_by_one, together);
	// Each settled epoch 0 by its share: 300,000 · 1/6, 2/6, 3/6.
	let (ledgers, events, settled) = together;
	assert_eq!(
		ledgers.iter().map(|l| l.pending).collect::<Vec<_>>(),
		vec![50_000, 100_000, 150_000]
	);
	assert_eq!(settled, 300_000);
	assert_eq!(events.len(), 3);
}

#[test]
fn a_batch_of_new_devices_with_nothing_to_settle_costs_only_their_touches() {
	build_and_execute(|| {
		let devices: Vec<_> = (1..=4).map(|n| register(ALICE, n)).collect();
		let batch: Vec<_> = devices
			.iter()
			.map(|d| (*d, MockDevices::device(d).map_or(0, |info| info.index), 0))
			.collect();
		let used = <Rewards as depin_primitives::ScoreSink>::devices_active(&batch);
		assert_eq!(used, Rewards::touch_all_weight(4, 0, 0));
		assert!(used.all_lte(<Rewards as depin_primitives::ScoreSink>::devices_active_weight(4)));
		assert!(devices.iter().all(|d| ledger(*d).unsettled.to_vec() == vec![0]));
	});
}
