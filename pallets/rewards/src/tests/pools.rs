//! Splitting an epoch's emission into pools, zero-score epochs, the staking share.

use crate::{mock::*, EpochPools, EpochRewards, Error, Event, PoolSplit, Split, StakingPayoutDue};
use depin_primitives::EpochScore;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

#[test]
fn an_epoch_close_mints_and_splits_its_emission() {
	build_and_execute(|| {
		let (pot_before, treasury_before) = (pot(), free(TREASURY));
		close(0, 10, 20);
		System::assert_last_event(
			Event::EpochClosed {
				epoch: 0,
				emission: EMISSION,
				coverage_pool: 400_000,
				uptime_pool: 300_000,
				// No usage was settled: the data-transfer share goes to the treasury.
				data_transfer_pool: 0,
				staking_pool: 100_000,
				treasury: 200_000,
				total_score: EpochScore { uptime: 10, coverage: 20 },
				usage_units: 0,
				usage_value: 0,
			}
			.into(),
		);
		assert_eq!(pot() - pot_before, 700_000);
		assert_eq!(free(TREASURY) - treasury_before, 200_000);
		assert_eq!(StakingPayoutDue::<Test>::get(), 100_000);
		assert_eq!(
			EpochRewards::<Test>::get(0),
			Some(EpochPools {
				coverage: 400_000,
				uptime: 300_000,
				total_score: EpochScore { uptime: 10, coverage: 20 },
				settled: 0,
				data_transfer: 0,
				usage_value: 0,
			})
		);
	});
}

#[test]
fn rounding_of_the_split_goes_to_the_treasury() {
	build_and_execute(|| {
		assert_ok!(Rewards::set_pool_split(
			RuntimeOrigin::root(),
			PoolSplit {
				coverage: Perbill::from_parts(333_333_333),
				uptime: Perbill::from_parts(333_333_333),
				data_transfer: Perbill::zero(),
				staking: Perbill::from_parts(333_333_333),
				treasury: Perbill::from_parts(1),
			}
		));
		assert_ok!(Rewards::set_emission_schedule(
			RuntimeOrigin::root(),
			crate::EmissionSchedule {
				initial_per_epoch: 1_000,
				halving_interval: 0,
				start_epoch: 0,
				supply_cap: None
			}
		));
		close(0, 1, 1);
		let parts = Rewards::split_emission(1_000, &EpochScore { uptime: 1, coverage: 1 }, 0);
		assert_eq!((parts.coverage, parts.uptime, parts.staking), (333, 333, 333));
		assert_eq!(parts.treasury, 1);
		assert_eq!(parts.coverage + parts.uptime + parts.staking + parts.treasury, 1_000);
	});
}

#[test]
fn a_pool_nobody_scored_in_goes_to_the_treasury() {
	build_and_execute(|| {
		let treasury_before = free(TREASURY);
		// Heartbeats, but no beacon or witness in the whole epoch.
		close(0, 10, 0);
		let pools = EpochRewards::<Test>::get(0).unwrap();
		assert_eq!((pools.coverage, pools.uptime), (0, 300_000));
		assert_eq!(free(TREASURY) - treasury_before, 600_000);
		// Nobody at all: no division by zero, everything but staking to the treasury.
		close(1, 0, 0);
		let pools = EpochRewards::<Test>::get(1).unwrap();
		assert_eq!((pools.coverage, pools.uptime), (0, 0));
		assert_eq!(free(TREASURY) - treasury_before, 600_000 + 900_000);
		assert_eq!(pools.share(&EpochScore { uptime: 5, coverage: 5 }, 5), 0);
	});
}

#[test]
fn staking_takes_its_share_once() {
	build_and_execute(|| {
		close(0, 1, 1);
		close(1, 1, 1);
		assert_eq!(Rewards::take_staking_payout(), 200_000);
		System::assert_last_event(Event::StakingPayoutHanded { amount: 200_000 }.into());
		assert_eq!(Rewards::take_staking_payout(), 0);
		assert_eq!(crate::Totals::<Test>::get().handed_to_staking, 200_000);
	});
}

#[test]
fn the_split_must_sum_to_one_hundred_percent() {
	build_and_execute(|| {
		let mut split = Split::<Test>::get();
		split.treasury = Perbill::from_percent(11);
		assert_noop!(
			Rewards::set_pool_split(RuntimeOrigin::root(), split),
			Error::<Test>::SplitNotComplete
		);
		split.treasury = Perbill::from_percent(9);
		assert_noop!(
			Rewards::set_pool_split(RuntimeOrigin::root(), split),
			Error::<Test>::SplitNotComplete
		);
		split.treasury = Perbill::from_percent(5);
		split.staking = Perbill::from_percent(15);
		assert_noop!(
			Rewards::set_pool_split(RuntimeOrigin::signed(ALICE), split),
			DispatchError::BadOrigin
		);
		assert_ok!(Rewards::set_pool_split(RuntimeOrigin::root(), split));
		System::assert_last_event(Event::SplitSet { split }.into());
		close(0, 1, 1);
		assert_eq!(StakingPayoutDue::<Test>::get(), 150_000);
	});
}
