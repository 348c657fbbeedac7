//! Opening, topping up and closing channels, and their bounds.

use super::{buy, open};
use crate::{mock::*, Channels, ConsumerChannels, CreditAccount, Error, Event, PaymentChannel};
use depin_primitives::DeviceStatus;
use frame_support::{assert_noop, assert_ok};

#[test]
fn opening_a_channel_locks_credits() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 10); // 1,000 credits
		let id = open(&alice(), device, 400, 100);
		assert_eq!(id, 0);
		// The 400 credits take the 4 tokens Alice burned for them into the channel.
		System::assert_last_event(
			Event::ChannelOpened {
				channel: 0,
				consumer: alice(),
				device,
				deposit: 400,
				backing: 4 * UNIT,
				expires_at: 100,
			}
			.into(),
		);
		assert_eq!(ServicePayments::credits_of(&alice()), 600);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 600, backing: 6 * UNIT }
		);
		assert_eq!(
			Channels::<Test>::get(0),
			Some(PaymentChannel {
				consumer: alice(),
				device,
				deposit: 400,
				settled: 0,
				backing: 4 * UNIT,
				opened_at: 1,
				expires_at: 100
			})
		);
		assert_eq!(ConsumerChannels::<Test>::get(alice()).to_vec(), vec![0]);
		// Ids are never reused.
		assert_eq!(open(&alice(), device, 100, 100), 1);
	});
}

#[test]
fn a_channel_needs_credits_a_deposit_and_an_active_device() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 1); // 100 credits
		let open_with = |deposit, device| {
			ServicePayments::open_channel(RuntimeOrigin::signed(alice()), device, deposit, 100)
		};
		assert_noop!(open_with(0, device), Error::<Test>::ZeroDeposit);
		assert_noop!(open_with(101, device), Error::<Test>::InsufficientCredits);
		assert_noop!(open_with(10, device_id(99)), Error::<Test>::UnknownDevice);
		set_status(device, DeviceStatus::Suspended);
		assert_noop!(open_with(10, device), Error::<Test>::DeviceNotActive);
		set_status(device, DeviceStatus::Retired);
		assert_noop!(open_with(10, device), Error::<Test>::DeviceNotActive);
		// Someone with no credits at all.
		assert_noop!(
			ServicePayments::open_channel(
				RuntimeOrigin::signed(charlie()),
				register(bob(), 2),
				1,
				100
			),
			Error::<Test>::InsufficientCredits
		);
	});
}

#[test]
fn the_expiry_must_be_in_the_future_and_within_the_lifetime() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 1);
		run_to_block(50);
		let open_until = |expires_at| {
			ServicePayments::open_channel(RuntimeOrigin::signed(alice()), device, 1, expires_at)
		};
		assert_noop!(open_until(50), Error::<Test>::ExpiryNotInFuture);
		assert_noop!(open_until(10), Error::<Test>::ExpiryNotInFuture);
		assert_noop!(open_until(50 + LIFETIME + 1), Error::<Test>::ExpiryTooFar);
		assert_ok!(open_until(50 + LIFETIME));
	});
}

#[test]
fn a_consumer_has_a_bounded_number_of_open_channels() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 1);
		for _ in 0..MAX_OPEN {
			open(&alice(), device, 1, 20);
		}
		assert_noop!(
			ServicePayments::open_channel(RuntimeOrigin::signed(alice()), device, 1, 20),
			Error::<Test>::TooManyChannels
		);
		// Others are not limited by Alice's channels.
		buy(&charlie(), 1);
		open(&charlie(), device, 1, 20);
		// Closing one frees a place.
		run_to_block(20 + GRACE + 1);
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(alice()), 1));
		assert_eq!(ConsumerChannels::<Test>::get(alice()).to_vec(), vec![0, 2]);
		open(&alice(), device, 1, 100);
	});
}

#[test]
fn a_top_up_adds_credits_and_may_extend_the_expiry() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 10);
		let id = open(&alice(), device, 100, 100);
		assert_ok!(ServicePayments::top_up(RuntimeOrigin::signed(alice()), id, 50, None));
		// The 50 credits bring their half token of backing.
		System::assert_last_event(
			Event::ChannelToppedUp {
				channel: id,
				added: 50,
				deposit: 150,
				backing: 3 * UNIT / 2,
				expires_at: 100,
			}
			.into(),
		);
		assert_ok!(ServicePayments::top_up(RuntimeOrigin::signed(alice()), id, 0, Some(500)));
		System::assert_last_event(
			Event::ChannelToppedUp {
				channel: id,
				added: 0,
				deposit: 150,
				backing: 3 * UNIT / 2,
				expires_at: 500,
			}
			.into(),
		);
		assert_eq!(ServicePayments::credits_of(&alice()), 850);
		assert_eq!(Channels::<Test>::get(id).unwrap().expires_at, 500);
	});
}

#[test]
fn top_up_errors() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 1);
		let id = open(&alice(), device, 50, 100);
		let top_up = |who: AccountId, id, credits, extend_to| {
			ServicePayments::top_up(RuntimeOrigin::signed(who), id, credits, extend_to)
		};
		assert_noop!(top_up(alice(), 7, 1, None), Error::<Test>::UnknownChannel);
		assert_noop!(top_up(bob(), id, 1, None), Error::<Test>::NotConsumer);
		assert_noop!(top_up(alice(), id, 51, None), Error::<Test>::InsufficientCredits);
		assert_noop!(top_up(alice(), id, 0, None), Error::<Test>::ZeroDeposit);
		assert_noop!(top_up(alice(), id, 1, Some(99)), Error::<Test>::ExpiryEarlier);
		assert_noop!(top_up(alice(), id, 1, Some(1 + LIFETIME + 1)), Error::<Test>::ExpiryTooFar);
		run_to_block(101);
		assert_noop!(top_up(alice(), id, 1, Some(200)), Error::<Test>::ChannelExpired);
	});
}

#[test]
fn closing_refunds_what_was_not_settled_after_the_grace_period() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 10);
		let id = open(&alice(), device, 400, 100);
		assert_ok!(ServicePayments::settle(
			RuntimeOrigin::signed(bob()),
			id,
			receipt(&key(1), id, 150)
		));
		// Not before the grace period after expiry is over.
		run_to_block(100 + GRACE);
		assert_noop!(
			ServicePayments::close(RuntimeOrigin::signed(alice()), id),
			Error::<Test>::ChannelStillOpen
		);
		run_to_block(100 + GRACE + 1);
		// Anyone may close: the refund goes to the consumer, with the 2.5 tokens left of the
		// 4 burned for the deposit (150 credits were spent at 1.5 tokens).
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(charlie()), id));
		System::assert_last_event(
			Event::ChannelClosed {
				channel: id,
				consumer: alice(),
				refunded: 250,
				backing: 5 * UNIT / 2,
			}
			.into(),
		);
		assert_eq!(ServicePayments::credits_of(&alice()), 600 + 250);
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 850, backing: 6 * UNIT + 5 * UNIT / 2 }
		);
		assert_eq!(Channels::<Test>::get(id), None);
		assert!(!ConsumerChannels::<Test>::contains_key(alice()));
		assert_noop!(
			ServicePayments::close(RuntimeOrigin::signed(alice()), id),
			Error::<Test>::UnknownChannel
		);
	});
}

#[test]
fn a_fully_settled_channel_refunds_nothing() {
	build_and_execute(|| {
		let device = register(bob(), 1);
		buy(&alice(), 1);
		let id = open(&alice(), device, 100, 10);
		assert_ok!(ServicePayments::settle(
			RuntimeOrigin::signed(bob()),
			id,
			receipt(&key(1), id, 100)
		));
		run_to_block(10 + GRACE + 1);
		assert_ok!(ServicePayments::close(RuntimeOrigin::signed(bob()), id));
		System::assert_last_event(
			Event::ChannelClosed { channel: id, consumer: alice(), refunded: 0, backing: 0 }.into(),
		);
		assert_eq!(ServicePayments::credits_of(&alice()), 0);
		assert!(!crate::CreditBalances::<Test>::contains_key(alice()));
	});
}
