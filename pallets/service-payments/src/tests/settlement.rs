//! Settling receipts: only the newest counts, the spend arithmetic, and every way a receipt
//! can be wrong.

use super::{buy, open};
use crate::{mock::*, Channels, Error, Event, Supply, Totals};
use depin_primitives::{ChannelId, DeviceId, DeviceStatus};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

/// Alice (key 1) holds 1,000 credits (10 tokens burned) and has channel 0 with 500 of them
/// to Bob's device 1, expiring at block 100.
fn setup() -> (DeviceId, ChannelId) {
	let device = register(bob(), 1);
	buy(&alice(), 10);
	let id = open(&alice(), device, 500, 100);
	(device, id)
}

fn settle(
	who: AccountId,
	id: ChannelId,
	cumulative: u128,
) -> frame_support::dispatch::DispatchResult {
	ServicePayments::settle(RuntimeOrigin::signed(who), id, receipt(&key(1), id, cumulative))
}

#[test]
fn the_provider_settles_the_newest_receipt() {
	build_and_execute(|| {
		let (device, id) = setup();
		set_epoch(3);
		// Alice signed receipts for 100 then 300 credits; Bob settles only the second.
		let _first = receipt(&key(1), id, 100);
		let second = receipt(&key(1), id, 300);
		let treasury_before = treasury();
		assert_ok!(ServicePayments::settle(RuntimeOrigin::signed(bob()), id, second));
		// 300 of the channel's 500 credits, backed by the 5 tokens Alice burned for them:
		// worth 3 tokens, 20 % to the treasury.
		System::assert_last_event(
			Event::ChannelSettled {
				channel: id,
				device,
				provider: bob(),
				credits: 300,
				cumulative: 300,
				value: 3 * UNIT,
				revenue: 3 * UNIT / 5,
				epoch: 3,
			}
			.into(),
		);
		assert_eq!(treasury() - treasury_before, 3 * UNIT / 5);
		let channel = Channels::<Test>::get(id).unwrap();
		assert_eq!((channel.settled, channel.backing), (300, 2 * UNIT));
		let supply = Supply::<Test>::get();
		assert_eq!((supply.outstanding, supply.backing), (700, 7 * UNIT));
		let totals = Totals::<Test>::get();
		assert_eq!(
			(totals.credits_spent, totals.spent_value, totals.revenue),
			(300, 3 * UNIT, 3 * UNIT / 5)
		);
		// Rewards counts the usage in epoch 3.
		let usage = pallet_rewards::DeviceUsage::<Test>::get(3, device);
		assert_eq!((usage.units, usage.value), (300, 3 * UNIT));
	});
}

#[test]
fn only_the_difference_to_the_last_settlement_is_spent() {
	build_and_execute(|| {
		let (_, id) = setup();
		assert_ok!(settle(bob(), id, 100));
		assert_ok!(settle(bob(), id, 250));
		assert!(matches!(
			events().last(),
			Some(Event::ChannelSettled { credits: 150, cumulative: 250, .. })
		));
		assert_eq!(Totals::<Test>::get().credits_spent, 250);
	});
}

#[test]
fn replayed_older_or_equal_receipts_fail() {
	build_and_execute(|| {
		let (_, id) = setup();
		let receipt_300 = receipt(&key(1), id, 300);
		assert_ok!(ServicePayments::settle(RuntimeOrigin::signed(bob()), id, receipt_300.clone()));
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, receipt_300),
			Error::<Test>::StaleReceipt
		);
		assert_noop!(settle(bob(), id, 100), Error::<Test>::StaleReceipt);
		assert_noop!(settle(bob(), id, 0), Error::<Test>::StaleReceipt);
	});
}

#[test]
fn a_receipt_for_another_chain_or_channel_fails() {
	build_and_execute(|| {
		let (device, id) = setup();
		let other = open(&alice(), device, 100, 100);
		let elsewhere = receipt_for(&key(1), H256::repeat_byte(0x42), id, 100);
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, elsewhere),
			Error::<Test>::WrongChain
		);
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, receipt(&key(1), other, 100)),
			Error::<Test>::WrongChannel
		);
	});
}

#[test]
fn a_forged_or_tampered_receipt_fails() {
	build_and_execute(|| {
		let (_, id) = setup();
		// Signed by the provider, not the consumer.
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, receipt(&key(2), id, 100)),
			Error::<Test>::BadReceiptSignature
		);
		// The consumer signed 100; the amount was raised afterwards.
		let mut tampered = receipt(&key(1), id, 100);
		tampered.payload.cumulative = 400;
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, tampered),
			Error::<Test>::BadReceiptSignature
		);
		// A receipt pointed at another channel after signing.
		let mut moved = receipt(&key(1), id + 1, 100);
		moved.payload.channel = id;
		assert_noop!(
			ServicePayments::settle(RuntimeOrigin::signed(bob()), id, moved),
			Error::<Test>::BadReceiptSignature
		);
	});
}

#[test]
fn only_the_devices_owner_settles_and_only_within_the_deposit() {
	build_and_execute(|| {
		let (device, id) = setup();
		assert_noop!(settle(alice(), id, 100), Error::<Test>::NotProvider);
		assert_noop!(settle(charlie(), id, 100), Error::<Test>::NotProvider);
		assert_noop!(settle(bob(), id, 501), Error::<Test>::ReceiptExceedsDeposit);
		assert_noop!(settle(bob(), 9, 100), Error::<Test>::UnknownChannel);
		// The device's new owner is the provider now.
		transfer(device, charlie());
		assert_noop!(settle(bob(), id, 100), Error::<Test>::NotProvider);
		assert_ok!(settle(charlie(), id, 100));
	});
}

#[test]
fn a_suspended_or_retired_device_cannot_settle() {
	build_and_execute(|| {
		let (device, id) = setup();
		set_status(device, DeviceStatus::Suspended);
		assert_noop!(settle(bob(), id, 100), Error::<Test>::DeviceNotActive);
		set_status(device, DeviceStatus::Retired);
		assert_noop!(settle(bob(), id, 100), Error::<Test>::DeviceNotActive);
		// The consumer gets everything back when the channel closes.
		run_to_block(100 + GRACE + 1);
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(alice()), id));
		assert_eq!(ServicePayments::credits_of(&alice()), 1_000);
		assert_eq!(ServicePayments::credit_account(&alice()).backing, 10 * UNIT);
	});
}

#[test]
fn receipts_settle_until_the_grace_period_ends() {
	build_and_execute(|| {
		let (_, id) = setup();
		run_to_block(100 + GRACE);
		assert_ok!(settle(bob(), id, 100));
		run_to_block(100 + GRACE + 1);
		assert_noop!(settle(bob(), id, 200), Error::<Test>::SettlementClosed);
	});
}

#[test]
fn no_settlement_before_the_first_epoch() {
	new_test_ext().execute_with(|| {
		let (_, id) = setup();
		clear_epoch();
		assert_noop!(settle(bob(), id, 100), Error::<Test>::EpochNotStarted);
	});
}
