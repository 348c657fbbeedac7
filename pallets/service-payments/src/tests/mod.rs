mod backing;
mod channels;
mod credits;
mod flow;
mod settlement;

use crate::mock::*;
use depin_primitives::{ChannelId, Credits, DeviceId};
use frame_support::assert_ok;

/// `consumer` burns `tokens` whole tokens for credits.
fn buy(consumer: &AccountId, tokens: Balance) {
	assert_ok!(ServicePayments::buy_credits(
		RuntimeOrigin::signed(consumer.clone()),
		tokens * UNIT,
		None
	));
}

/// `consumer` opens a channel to `device` with `deposit` credits, expiring at `expires_at`;
/// returns its id.
fn open(consumer: &AccountId, device: DeviceId, deposit: Credits, expires_at: u64) -> ChannelId {
	let id = crate::NextChannelId::<Test>::get();
	assert_ok!(ServicePayments::open_channel(
		RuntimeOrigin::signed(consumer.clone()),
		device,
		deposit,
		expires_at
	));
	id
}
