//! The data-transfer pool: paid to devices by the service usage they settled, never more
//! than what was burned for it.

use crate::{mock::*, DeviceUsage, EpochRewards, EpochUsage, Event, Ledgers};
use depin_primitives::EpochScore;
use frame_support::assert_ok;

#[test]
fn settled_usage_is_recorded_for_the_epoch_and_touches_the_device() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		usage(a, 0, 500, 2_000);
		System::assert_last_event(
			Event::UsageRecorded { device: a, epoch: 0, units: 500, value: 2_000 }.into(),
		);
		usage(a, 0, 100, 400);
		let recorded = DeviceUsage::<Test>::get(0, a);
		assert_eq!((recorded.units, recorded.value), (600, 2_400));
		let total = EpochUsage::<Test>::get(0).unwrap();
		assert_eq!((total.units, total.value), (600, 2_400));
		// Usage alone makes the epoch one to settle for the device.
		assert_eq!(Ledgers::<Test>::get(a).unwrap().unsettled.to_vec(), vec![0]);
	});
}

#[test]
fn the_data_transfer_pool_is_shared_by_usage_value() {
	build_and_execute(|| {
		let (a, b) = (register(ALICE, 1), register(BOB, 2));
		// 10 % of the emission is 100,000; usage worth 300,000 in all takes all of it.
		usage(a, 0, 3_000, 200_000);
		usage(b, 0, 1_000, 100_000);
		let treasury = free(TREASURY);
		close(0, 0, 0);
		System::assert_has_event(
			Event::EpochClosed {
				epoch: 0,
				emission: EMISSION,
				coverage_pool: 0,
				uptime_pool: 0,
				data_transfer_pool: 100_000,
				staking_pool: 100_000,
				// Its 10 % and the unscored coverage and uptime pools.
				treasury: 800_000,
				total_score: EpochScore::default(),
				usage_units: 4_000,
				usage_value: 300_000,
			}
			.into(),
		);
		assert_eq!(free(TREASURY) - treasury, 800_000);
		assert_eq!(EpochUsage::<Test>::get(0), None, "taken at close");
		// A device with usage and no score is paid by usage: 100,000 · 2/3 and · 1/3.
		assert_eq!(Rewards::claimable(&a), 66_666);
		assert_eq!(Rewards::claimable(&b), 33_333);
		let before = free(ALICE);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a].try_into().unwrap()
		));
		assert_eq!(free(ALICE) - before, 66_666);
		assert_eq!(DeviceUsage::<Test>::get(0, a).value, 0, "taken when settled");
	});
}

#[test]
fn usage_never_earns_more_than_was_burned_for_it() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		// Burned 1,000 for the credits: the pool for devices is 1,000, not 100,000.
		usage(a, 0, 10, 1_000);
		let treasury = free(TREASURY);
		close(0, 1, 1);
		let pools = EpochRewards::<Test>::get(0).unwrap();
		assert_eq!((pools.data_transfer, pools.usage_value), (1_000, 1_000));
		// The 10 % treasury share plus the 99,000 usage did not take.
		assert_eq!(free(TREASURY) - treasury, 100_000 + 99_000);
		assert_eq!(Rewards::claimable(&a), 1_000);
	});
}

#[test]
fn scores_and_usage_add_up_in_one_settlement() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		set_score(a, 0, 1, 1);
		touch(a, 0);
		usage(a, 0, 10, 500_000);
		close(0, 2, 1);
		close(1, 0, 0);
		touch(a, 2);
		// Coverage 400,000 · 1/1 + uptime 300,000 · 1/2 + data transfer 100,000 · 1/1.
		System::assert_has_event(
			Event::DeviceSettled { device: a, epoch: 0, amount: 650_000 }.into(),
		);
	});
}

#[test]
fn usage_of_an_expired_epoch_is_swept() {
	build_and_execute(|| {
		let a = register(ALICE, 1);
		usage(a, 0, 10, 1_000);
		close_empty(0, HORIZON + 1);
		// Epoch 0 expired before anyone settled it: the sweep drops the device's usage.
		assert_eq!(DeviceUsage::<Test>::get(0, a).units, 10);
		idle();
		assert_eq!(DeviceUsage::<Test>::get(0, a).units, 0);
		assert!(!DeviceUsage::<Test>::contains_key(0, a));
	});
}
