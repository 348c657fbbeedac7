//! A consumer pays a provider over several epochs; the provider is paid by rewards'
//! data-transfer pool; burn and mint add up.

use super::{buy, open};
use crate::{mock::*, Supply, Totals};
use frame_support::assert_ok;

#[test]
fn a_consumer_pays_a_provider_over_epochs_and_rewards_pay_by_usage() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		let issuance = Balances::total_issuance();
		let treasury_start = treasury();

		// Epoch 0: Alice burns 10 tokens for 1,000 credits and locks them all in a channel.
		set_epoch(0);
		buy(&alice(), 10);
		let id = open(&alice(), device, 1_000, 500);
		// Alice is served and signs cumulative receipts; Bob settles the newest one.
		assert_ok!(ServicePayments::settle(
			RuntimeOrigin::signed(bob()),
			id,
			receipt(&key(1), id, 200)
		));

		// Epoch 1: more service.
		set_epoch(1);
		assert_ok!(ServicePayments::settle(
			RuntimeOrigin::signed(bob()),
			id,
			receipt(&key(1), id, 600)
		));

		// Epoch 0 becomes final: its data-transfer pool is the usage's value (2 tokens),
		// well under 10 % of the emission.
		set_epoch(2);
		close_epoch(0);
		System::assert_has_event(
			pallet_rewards::Event::EpochClosed {
				epoch: 0,
				emission: EMISSION,
				coverage_pool: 0,
				uptime_pool: 0,
				data_transfer_pool: 2 * UNIT,
				staking_pool: EMISSION / 10,
				treasury: EMISSION - EMISSION / 10 - 2 * UNIT,
				total_score: Default::default(),
				usage_units: 200,
				usage_value: 2 * UNIT,
			}
			.into(),
		);
		let bob_before = free(&bob());
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(bob()),
			vec![device].try_into().unwrap()
		));
		assert_eq!(free(&bob()) - bob_before, 2 * UNIT);

		set_epoch(3);
		close_epoch(1);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(bob()),
			vec![device].try_into().unwrap()
		));
		assert_eq!(free(&bob()) - bob_before, 6 * UNIT, "paid for 600 credits of usage");

		// The channel expires; Alice gets the 400 credits she did not use.
		run_to_block(500 + GRACE + 1);
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(alice()), id));
		assert_eq!(ServicePayments::credits_of(&alice()), 400);
		assert_eq!(ServicePayments::credit_account(&alice()).backing, 4 * UNIT);

		// Burn and mint: 10 burned; 6 spent, of which 20 % minted to the treasury as revenue;
		// the 400 credits left are still backed by the 4 tokens burned for them.
		let totals = Totals::<Test>::get();
		assert_eq!(totals.burned, 10 * UNIT);
		assert_eq!(totals.spent_value, 6 * UNIT);
		assert_eq!(totals.revenue, 6 * UNIT / 5);
		assert_eq!(Supply::<Test>::get().backing, 4 * UNIT);
		assert_eq!(free(&alice()), STARTING_BALANCE - 10 * UNIT);
		let staking = pallet_rewards::StakingPayoutDue::<Test>::get();
		assert_eq!(
			Balances::total_issuance(),
			issuance - 10 * UNIT + 6 * UNIT / 5 + (2 * EMISSION - staking),
			"the burn, the revenue and two epochs' emission (staking's share is minted later)"
		);
		assert!(treasury() > treasury_start);
	});
}
