//! The emission schedule: halvings over many epochs, the supply cap, governance.

use crate::{mock::*, EmissionSchedule, Error, Event, Schedule, Totals};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn emission_of(epoch: u32) -> Balance {
	events()
		.into_iter()
		.find_map(|e| match e {
			Event::EpochClosed { epoch: closed, emission, .. } if closed == epoch => Some(emission),
			_ => None,
		})
		.expect("the epoch closed")
}

#[test]
fn emission_halves_every_interval_exactly() {
	build_and_execute(|| {
		let schedule = Schedule::<Test>::get();
		assert_eq!(schedule.emission(0), EMISSION);
		assert_eq!(schedule.emission(HALVING - 1), EMISSION);
		assert_eq!(schedule.emission(HALVING), EMISSION / 2);
		assert_eq!(schedule.emission(3 * HALVING + 5), EMISSION / 8);
		// 2^20 > 1,000,000: after 20 halvings nothing is minted, and no shift overflows.
		assert_eq!(schedule.emission(20 * HALVING), 0);
		assert_eq!(schedule.emission(u32::MAX), 0);

		// Closing 45 epochs mints exactly the schedule's sum.
		for epoch in 0..45 {
			close(epoch, 1, 1);
		}
		let expected: Balance = (0..45).map(|e| EMISSION >> (e / HALVING)).sum();
		let minted: Balance = (0..45).map(emission_of).sum();
		assert_eq!(minted, expected);
		let totals = Totals::<Test>::get();
		assert_eq!(
			totals.minted_for_devices
				+ totals.minted_for_treasury
				+ crate::StakingPayoutDue::<Test>::get(),
			expected
		);
	});
}

#[test]
fn a_schedule_without_halvings_stays_flat() {
	let flat = EmissionSchedule::<Balance> {
		initial_per_epoch: 7,
		halving_interval: 0,
		start_epoch: 0,
		supply_cap: None,
	};
	assert_eq!(flat.emission(0), 7);
	assert_eq!(flat.emission(1_000_000), 7);
}

#[test]
fn the_supply_cap_limits_emission_and_then_stops_it() {
	build_and_execute(|| {
		let issuance = Balances::total_issuance();
		// Room for one and a half epochs of emission.
		assert_ok!(Rewards::set_emission_schedule(
			RuntimeOrigin::root(),
			EmissionSchedule {
				initial_per_epoch: EMISSION,
				halving_interval: 0,
				start_epoch: 0,
				supply_cap: Some(issuance + EMISSION + EMISSION / 2),
			}
		));
		close(0, 1, 1);
		assert_eq!(emission_of(0), EMISSION);
		close(1, 1, 1);
		// The staking share is not minted yet but counts against the cap.
		assert_eq!(emission_of(1), EMISSION / 2);
		close(2, 1, 1);
		assert_eq!(emission_of(2), 0);
		let due = crate::StakingPayoutDue::<Test>::get();
		assert_eq!(Balances::total_issuance() + due, issuance + EMISSION + EMISSION / 2);
	});
}

#[test]
fn governance_sets_the_schedule_and_halvings_restart() {
	build_and_execute(|| {
		close_empty(0, 15);
		let schedule = EmissionSchedule {
			initial_per_epoch: 600,
			halving_interval: 2,
			start_epoch: 0,
			supply_cap: None,
		};
		assert_noop!(
			Rewards::set_emission_schedule(RuntimeOrigin::signed(ALICE), schedule.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Rewards::set_emission_schedule(RuntimeOrigin::root(), schedule.clone()));
		// Counted from the next epoch to close, whatever the caller said.
		let stored = Schedule::<Test>::get();
		assert_eq!(stored.start_epoch, 15);
		System::assert_last_event(Event::ScheduleSet { schedule: stored }.into());
		close(15, 1, 1);
		close(16, 1, 1);
		close(17, 1, 1);
		assert_eq!((emission_of(15), emission_of(16), emission_of(17)), (600, 600, 300));
	});
}

#[test]
fn horizon_is_set_by_governance_within_range() {
	build_and_execute(|| {
		assert_noop!(
			Rewards::set_expiry_horizon(RuntimeOrigin::root(), 0),
			Error::<Test>::HorizonOutOfRange
		);
		assert_noop!(
			Rewards::set_expiry_horizon(RuntimeOrigin::root(), 169),
			Error::<Test>::HorizonOutOfRange
		);
		assert_noop!(
			Rewards::set_expiry_horizon(RuntimeOrigin::signed(ALICE), 5),
			DispatchError::BadOrigin
		);
		assert_ok!(Rewards::set_expiry_horizon(RuntimeOrigin::root(), 168));
		System::assert_last_event(Event::ExpiryHorizonSet { epochs: 168 }.into());
	});
}
