//! Each consumer's credits carry their own backing: spent credits are valued at what their
//! consumer burned for them (rounded down), whatever the price is now or others paid, so no
//! consumer is ever paid more than it burned, even by paying its own device.

use super::{buy, open};
use crate::{
	backing_share, mock::*, Channels, CreditAccount, CreditBalances, CreditSupply, Event,
	ServiceParameters, Supply, Totals,
};
use depin_primitives::{ChannelId, Credits};
use frame_support::assert_ok;
use sp_runtime::{FixedU128, Perbill};

/// Governance sets the price to `credits_per_token` (the revenue share stays 20 %).
fn set_price(credits_per_token: u32) {
	assert_ok!(ServicePayments::set_parameters(
		RuntimeOrigin::root(),
		ServiceParameters {
			credits_per_token: FixedU128::from_u32(credits_per_token),
			revenue_share: Perbill::from_percent(20),
		}
	));
}

/// `provider` settles the receipt for `cumulative` credits on channel `id` signed by key
/// `signer`; returns the value the settlement reported.
fn settle(provider: &AccountId, signer: u8, id: ChannelId, cumulative: Credits) -> Balance {
	assert_ok!(ServicePayments::settle(
		RuntimeOrigin::signed(provider.clone()),
		id,
		receipt(&key(signer), id, cumulative)
	));
	let recorded = events();
	match recorded.last() {
		Some(Event::ChannelSettled { value, .. }) => *value,
		other => panic!("no settlement reported: {other:?}"),
	}
}

/// The backing of channel `id`'s unsettled credits.
fn channel_backing(id: ChannelId) -> Balance {
	Channels::<Test>::get(id).expect("the channel is open").backing
}

/// The attack this rule stops: a consumer who bought cheap credits before governance raised
/// the price pays its own device with them. Valued at the average backing of all credits
/// (others' dear ones included), they would pay it 55 tokens for the 10 it burned.
#[test]
fn self_dealing_after_a_price_change_pays_no_more_than_was_burned() {
	build_and_execute(|| {
		// Alice owns a device and buys 1,000 credits cheap: 10 tokens at 100 a token.
		let own_device = register(alice(), 1);
		buy(&alice(), 10);
		// Governance makes credits ten times dearer; Charlie buys 1,000 for 100 tokens.
		set_price(10);
		buy(&charlie(), 100);
		assert_eq!(ServicePayments::credits_of(&charlie()), 1_000);

		// Alice pays her own device with all her credits, signs the receipt and settles it.
		let treasury_before = treasury();
		let id = open(&alice(), own_device, 1_000, 100);
		assert_ok!(ServicePayments::settle(
			RuntimeOrigin::signed(alice()),
			id,
			receipt(&key(1), id, 1_000)
		));
		// Valued at the 10 tokens she burned, not the 55 that 1,000 of the 2,000 credits
		// backed by 110 tokens would be worth.
		System::assert_last_event(
			Event::ChannelSettled {
				channel: id,
				device: own_device,
				provider: alice(),
				credits: 1_000,
				cumulative: 1_000,
				value: 10 * UNIT,
				revenue: 2 * UNIT,
				epoch: 0,
			}
			.into(),
		);
		System::assert_has_event(
			pallet_rewards::Event::UsageRecorded {
				device: own_device,
				epoch: 0,
				units: 1_000,
				value: 10 * UNIT,
			}
			.into(),
		);
		let usage = pallet_rewards::DeviceUsage::<Test>::get(0, own_device);
		assert_eq!((usage.units, usage.value), (1_000, 10 * UNIT));
		assert_eq!(treasury() - treasury_before, 2 * UNIT);

		// The epoch closes and Alice's device claims its usage: exactly the 10 tokens back.
		set_epoch(2);
		close_epoch(0);
		assert_ok!(Rewards::claim_rewards(
			RuntimeOrigin::signed(alice()),
			vec![own_device].try_into().unwrap()
		));
		System::assert_has_event(
			pallet_rewards::Event::RewardsClaimed {
				device: own_device,
				owner: alice(),
				amount: 10 * UNIT,
			}
			.into(),
		);
		assert_eq!(free(&alice()), STARTING_BALANCE, "burned 10, paid 10: no profit");

		// Charlie's credits still carry the 100 tokens he burned, and nothing else is left.
		assert_eq!(
			ServicePayments::credit_account(&charlie()),
			CreditAccount { credits: 1_000, backing: 100 * UNIT }
		);
		assert_eq!(Supply::<Test>::get(), CreditSupply { outstanding: 1_000, backing: 100 * UNIT });
	});
}

#[test]
fn spent_credits_are_valued_at_their_buyers_own_price() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// Alice: 1,000 credits for 10 tokens (10,000 plancks a credit), 500 in a channel.
		buy(&alice(), 10);
		let alices = open(&alice(), device, 500, 100);
		// The price doubles: Charlie's 10 tokens buy 2,000 credits (5,000 plancks a credit).
		set_price(200);
		buy(&charlie(), 10);
		assert_eq!(ServicePayments::credits_of(&charlie()), 2_000);

		// Alice's 300 credits are worth the 3 tokens she paid (the average of all 3,000
		// credits, backed by 20 tokens, would say 2).
		assert_eq!(settle(&bob(), 1, alices, 300), 3 * UNIT);
		// Charlie's 2,000 are worth his 10 tokens (the average would now say 13.3).
		let charlies = open(&charlie(), device, 2_000, 100);
		assert_eq!(settle(&bob(), 3, charlies, 2_000), 10 * UNIT);
		// The rest of Alice's channel: 200 credits, 2 tokens.
		assert_eq!(settle(&bob(), 1, alices, 500), 2 * UNIT);

		// 15 of the 20 tokens burned were spent, each consumer's at its own price; the 5 left
		// back Alice's 500 credits.
		let totals = Totals::<Test>::get();
		assert_eq!((totals.credits_spent, totals.spent_value), (2_500, 15 * UNIT));
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 500, backing: 5 * UNIT }
		);
		assert_eq!(Supply::<Test>::get(), CreditSupply { outstanding: 500, backing: 5 * UNIT });
		let usage = pallet_rewards::DeviceUsage::<Test>::get(0, device);
		assert_eq!((usage.units, usage.value), (2_500, 15 * UNIT));
	});
}

#[test]
fn rounding_never_values_credits_above_what_was_burned() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// 1,000,007 plancks buy 100 credits (10,000.07 plancks each).
		assert_ok!(ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), 1_000_007, None));
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 100, backing: 1_000_007 }
		);
		// 33 credits take 330,002 plancks (330,002.31 rounded down) into a channel...
		let first = open(&alice(), device, 33, 100);
		assert_eq!(channel_backing(first), 330_002);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 67, backing: 670_005 }
		);
		// ...and the last 67 take all that is left: the account is gone.
		let second = open(&alice(), device, 67, 100);
		assert_eq!(channel_backing(second), 670_005);
		assert!(!CreditBalances::<Test>::contains_key(alice()));

		// Many small settlements of odd amounts: one credit at a time on the first channel,
		// three at a time on the second (the last one settling a single credit).
		let mut spent = 0;
		for (id, deposit, backing, step) in [(first, 33, 330_002, 1), (second, 67, 670_005, 3)] {
			let mut settled: Credits = 0;
			let mut channel_spent: Balance = 0;
			while settled < deposit {
				settled = (settled + step).min(deposit);
				channel_spent += settle(&bob(), 1, id, settled);
				// Never above the channel's own average price for what was settled so far.
				assert!(channel_spent * deposit <= backing * settled, "valued above the price");
				assert!(spent + channel_spent <= 1_000_007, "valued above what was burned");
			}
			assert_eq!(channel_spent, backing, "the last credits take what is left");
			assert_eq!(channel_backing(id), 0);
			spent += channel_spent;
		}

		// In all exactly what was burned, never more: as reported to rewards and spent.
		assert_eq!(spent, 1_000_007);
		let usage = pallet_rewards::DeviceUsage::<Test>::get(0, device);
		assert_eq!((usage.units, usage.value), (100, 1_000_007));
		let totals = Totals::<Test>::get();
		assert_eq!((totals.burned, totals.spent_value), (1_000_007, 1_000_007));
		assert_eq!(Supply::<Test>::get(), CreditSupply { outstanding: 0, backing: 0 });
	});
}

#[test]
fn credits_leave_an_account_with_their_share_and_the_last_take_the_rest() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// 30,001 plancks buy 3 credits.
		assert_ok!(ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), 30_001, None));
		let backings: Vec<Balance> =
			(0..3).map(|_| channel_backing(open(&alice(), device, 1, 100))).collect();
		// 10,000.33 and 10,000.5 rounded down, then the last credit takes what is left.
		assert_eq!(backings, vec![10_000, 10_000, 10_001]);
		assert!(!CreditBalances::<Test>::contains_key(alice()));
		assert_eq!(Supply::<Test>::get(), CreditSupply { outstanding: 3, backing: 30_001 });
	});
}

#[test]
fn a_top_up_at_another_price_values_the_channel_at_its_consumers_blended_price() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// Alice locks 1,000 credits bought at 100 a token (10 tokens).
		buy(&alice(), 10);
		let id = open(&alice(), device, 1_000, 100);
		// Credits get dearer, 50 a token: Alice buys 500 more for 10 tokens.
		set_price(50);
		buy(&alice(), 10);
		// Then cheaper than ever, 1,000 a token: Charlie buys 1,000 for one token.
		set_price(1_000);
		buy(&charlie(), 1);

		// The top-up brings the 10 tokens Alice burned for the 500: 1,500 credits backed by 20.
		assert_ok!(ServicePayments::top_up(RuntimeOrigin::signed(alice()), id, 500, None));
		System::assert_last_event(
			Event::ChannelToppedUp {
				channel: id,
				added: 500,
				deposit: 1_500,
				backing: 20 * UNIT,
				expires_at: 100,
			}
			.into(),
		);
		// 300 credits are worth 4 tokens at Alice's blended price (20 for 1,500), not the
		// 2.52 of all 2,500 credits backed by 21 tokens, Charlie's cheap ones included.
		assert_eq!(settle(&bob(), 1, id, 300), 4 * UNIT);
		assert_eq!(settle(&bob(), 1, id, 1_500), 16 * UNIT);
		assert_eq!(Totals::<Test>::get().spent_value, 20 * UNIT);

		// Charlie's 1,000 credits still carry his one token.
		assert_eq!(
			ServicePayments::credit_account(&charlie()),
			CreditAccount { credits: 1_000, backing: UNIT }
		);
		assert_eq!(Supply::<Test>::get(), CreditSupply { outstanding: 1_000, backing: UNIT });
	});
}

#[test]
fn closing_refunds_credits_with_their_backing() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// Alice holds 1,500 credits for 20 tokens: 1,000 at 100 a token, 500 at 50.
		buy(&alice(), 10);
		set_price(50);
		buy(&alice(), 10);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 1_500, backing: 20 * UNIT }
		);
		// 600 of them take 8 tokens into a channel.
		let id = open(&alice(), device, 600, 100);
		System::assert_last_event(
			Event::ChannelOpened {
				channel: id,
				consumer: alice(),
				device,
				deposit: 600,
				backing: 8 * UNIT,
				expires_at: 100,
			}
			.into(),
		);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 900, backing: 12 * UNIT }
		);

		// 150 are spent (2 tokens); the channel closes with 450 credits and 6 tokens.
		assert_eq!(settle(&bob(), 1, id, 150), 2 * UNIT);
		run_to_block(100 + GRACE + 1);
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(alice()), id));
		System::assert_last_event(
			Event::ChannelClosed {
				channel: id,
				consumer: alice(),
				refunded: 450,
				backing: 6 * UNIT,
			}
			.into(),
		);
		// They are back in Alice's account with what she paid for them...
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 1_350, backing: 18 * UNIT }
		);
		// ...and worth exactly that when spent.
		let again = open(&alice(), device, 1_350, 200);
		assert_eq!(settle(&bob(), 1, again, 1_350), 18 * UNIT);
		let totals = Totals::<Test>::get();
		assert_eq!((totals.burned, totals.spent_value), (20 * UNIT, 20 * UNIT));
	});
}

#[test]
fn two_consumers_prices_never_mix() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		// Alice pays 10,000 plancks a credit, Charlie 2,500.
		buy(&alice(), 10); // 1,000 credits
		set_price(400);
		buy(&charlie(), 10); // 4,000 credits
		let alices = open(&alice(), device, 1_000, 100);
		let charlies = open(&charlie(), device, 1_000, 100);
		assert_eq!((channel_backing(alices), channel_backing(charlies)), (10 * UNIT, 5 * UNIT / 2));

		// Bob's device serves each of them 500 credits: each is worth what its consumer paid.
		assert_eq!(settle(&bob(), 1, alices, 500), 5 * UNIT);
		assert_eq!(settle(&bob(), 3, charlies, 500), 5 * UNIT / 4);
		let usage = pallet_rewards::DeviceUsage::<Test>::get(0, device);
		assert_eq!((usage.units, usage.value), (1_000, 5 * UNIT + 5 * UNIT / 4));
		assert_eq!((channel_backing(alices), channel_backing(charlies)), (5 * UNIT, 5 * UNIT / 4));
		assert_eq!(
			ServicePayments::credit_account(&charlie()),
			CreditAccount { credits: 3_000, backing: 15 * UNIT / 2 }
		);
		assert!(!CreditBalances::<Test>::contains_key(alice()));

		// Alice buying again at yet another price changes neither channel's value.
		set_price(1);
		buy(&alice(), 100); // 100 credits for 100 tokens
		assert_eq!(settle(&bob(), 3, charlies, 1_000), 5 * UNIT / 4);
		assert_eq!(settle(&bob(), 1, alices, 1_000), 5 * UNIT);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 100, backing: 100 * UNIT }
		);
		assert_eq!(
			Supply::<Test>::get(),
			CreditSupply { outstanding: 3_100, backing: 15 * UNIT / 2 + 100 * UNIT }
		);
	});
}

#[test]
fn a_share_of_backing_rounds_down_and_never_overflows() {
	assert_eq!(backing_share(10u128, 3, 0), 0);
	assert_eq!(backing_share(10u128, 3, 1), 3);
	assert_eq!(backing_share(10u128, 3, 2), 6);
	assert_eq!(backing_share(10u128, 3, 3), 10, "the last credits take it all");
	assert_eq!(backing_share(0u128, 3, 2), 0);
	assert_eq!(backing_share(u128::MAX, u128::MAX, u128::MAX - 1), u128::MAX - 1);
	assert_eq!(backing_share(u128::MAX, 3, 2), u128::MAX / 3 * 2);
}
