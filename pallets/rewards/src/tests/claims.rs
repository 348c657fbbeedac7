//! Claims: who is paid, errors, paging through an owner's devices.

use crate::{mock::*, Error, Event, Ledgers};
use frame_support::{assert_noop, assert_ok};

fn earned(owner: AccountId, n: u32) -> depin_primitives::DeviceId {
	let device = register(owner, n);
	set_score(device, 0, 1, 0);
	touch(device, 0);
	device
}

#[test]
fn the_owner_is_paid_exactly_the_claimed_amount() {
	build_and_execute(|| {
		let a = earned(ALICE, 1);
		close(0, 1, 0);
		let before = free(ALICE);
		let post =
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), vec![a].try_into().unwrap());
		// A claim that pays is free.
		assert_eq!(post.unwrap().pays_fee, frame_support::dispatch::Pays::No);
		let amount = events()
			.into_iter()
			.find_map(|e| match e {
				Event::RewardsClaimed { device, owner, amount }
					if device == a && owner == ALICE =>
				{
					Some(amount)
				}
				_ => None,
			})
			.expect("claimed");
		assert_eq!(amount, 300_000);
		assert_eq!(free(ALICE) - before, amount);
		// Nothing left: the ledger is gone and a second claim has nothing.
		assert_eq!(Ledgers::<Test>::get(a), None);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), vec![a].try_into().unwrap()),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn claims_cover_several_epochs_and_devices() {
	build_and_execute(|| {
		let a = earned(ALICE, 1);
		let b = earned(ALICE, 2);
		close(0, 2, 0);
		set_score(a, 2, 3, 0);
		touch(a, 2);
		close(1, 0, 0);
		close(2, 3, 0);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a, b].try_into().unwrap()
		));
		assert_eq!(free(ALICE), STARTING_BALANCE + 150_000 + 300_000 + 150_000);
	});
}

#[test]
fn only_the_owner_claims_and_unknown_devices_are_refused() {
	build_and_execute(|| {
		let a = earned(ALICE, 1);
		close(0, 1, 0);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(BOB), vec![a].try_into().unwrap()),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Rewards::claim_rewards(
				RuntimeOrigin::signed(ALICE),
				vec![device_id(77)].try_into().unwrap()
			),
			Error::<Test>::UnknownDevice
		);
		// One bad device spoils the claim: nothing is paid.
		let b = earned(BOB, 2);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), vec![a, b].try_into().unwrap()),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), Default::default()),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn unclaimed_rewards_travel_with_a_transferred_device() {
	build_and_execute(|| {
		let a = earned(ALICE, 1);
		close(0, 1, 0);
		close(1, 0, 0);
		// Settled while Alice owns it...
		touch(a, 2);
		assert_eq!(Ledgers::<Test>::get(a).unwrap().pending, 300_000);
		// ...then sold to Bob before Alice claimed: the buyer is paid, the seller cannot claim.
		transfer(a, BOB);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), vec![a].try_into().unwrap()),
			Error::<Test>::NotOwner
		);
		assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(BOB), vec![a].try_into().unwrap()));
		assert_eq!(free(BOB), STARTING_BALANCE + 300_000);
		assert_eq!(free(ALICE), STARTING_BALANCE);
	});
}

#[test]
fn a_retired_device_still_claims_while_registered() {
	build_and_execute(|| {
		let a = earned(ALICE, 1);
		close(0, 1, 0);
		// Retirement changes the status, not the registration: the claim works.
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(ALICE),
			vec![a].try_into().unwrap()
		));
		assert_eq!(free(ALICE), STARTING_BALANCE + 300_000);
		// Once the bond is withdrawn the device is gone and cannot claim.
		let b = earned(ALICE, 2);
		close(1, 1, 0);
		deregister(b);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), vec![b].try_into().unwrap()),
			Error::<Test>::UnknownDevice
		);
	});
}

#[test]
fn claim_all_pages_through_an_owners_devices() {
	build_and_execute(|| {
		let devices: Vec<_> = (0..5).map(|n| earned(ALICE, n)).collect();
		close(0, 5, 0);
		assert_ok!(Rewards::claim_all(RuntimeOrigin::signed(ALICE), None));
		let next = match events().last() {
			Some(Event::ClaimPageProcessed { owner: ALICE, devices: 3, amount: 180_000, next }) => {
				*next
			}
			other => panic!("unexpected {other:?}"),
		};
		assert!(next.is_some());
		assert_ok!(Rewards::claim_all(RuntimeOrigin::signed(ALICE), next));
		System::assert_last_event(
			Event::ClaimPageProcessed { owner: ALICE, devices: 2, amount: 120_000, next: None }
				.into(),
		);
		assert_eq!(free(ALICE), STARTING_BALANCE + 300_000);
		assert!(devices.iter().all(|d| Ledgers::<Test>::get(d).is_none()));
		// An owner without devices: an empty page, not an error.
		assert_ok!(Rewards::claim_all(RuntimeOrigin::signed(CHARLIE), None));
	});
}
