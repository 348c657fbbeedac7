//! Service payments: credit amounts, channel ids and the usage receipt a consumer signs.
//!
//! A consumer pays a provider device through a payment channel. As service is delivered the
//! consumer signs **cumulative** usage receipts off-chain ("so far I owe `cumulative`
//! credits on channel `channel`"); the provider keeps only the newest and settles it on
//! chain. The bytes the consumer's account signs are
//! ```text
//! b"depin/usage-receipt/v1" ‖ genesis_hash (32) ‖ channel (u64 LE, 8) ‖ cumulative (u128 LE, 16)
//! ```
//! 78 bytes: bound to the chain by its genesis hash and to one channel by its id, and
//! domain-separated from every other payload signed on this chain.

use crate::payload::SignedPayload;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A payment channel's id: assigned in order by the chain, never reused.
pub type ChannelId = u64;

/// An amount of service credits. Credits are bought by burning tokens and are not
/// transferable; they are spent through payment channels.
pub type Credits = u128;

/// Domain tag of [`UsageReceiptPayload`].
pub const USAGE_RECEIPT_DOMAIN: &[u8] = b"depin/usage-receipt/v1";

/// What a consumer signs: the total credits owed so far on a channel.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct UsageReceiptPayload<Hash> {
	/// The chain's genesis hash: a receipt is worthless on another chain.
	pub genesis_hash: Hash,
	/// The channel the receipt pays on.
	pub channel: ChannelId,
	/// Credits owed on the channel since it opened, in total (not since the last receipt).
	pub cumulative: Credits,
}

impl<Hash: Encode> SignedPayload for UsageReceiptPayload<Hash> {
	const DOMAIN: &'static [u8] = USAGE_RECEIPT_DOMAIN;
}

/// A usage receipt with the consumer's signature over
/// [`UsageReceiptPayload::signing_bytes`]: what a provider settles.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct UsageReceipt<Hash, Signature> {
	/// What was signed.
	pub payload: UsageReceiptPayload<Hash>,
	/// The consumer account's signature.
	pub signature: Signature,
}

/// A payment channel from a consumer to a provider device.
///
/// `Balance` is the token's balance type (the chain's [`crate::Balance`] unless told
/// otherwise).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PaymentChannel<AccountId, BlockNumber, Balance = crate::Balance> {
	/// Who pays: deposited the credits and signs the receipts.
	pub consumer: AccountId,
	/// The device that serves; its owner at settlement time settles.
	pub device: crate::DeviceId,
	/// Credits deposited in all (opening deposit and top-ups).
	pub deposit: Credits,
	/// The cumulative amount of the newest receipt settled (0 before the first).
	pub settled: Credits,
	/// The tokens the consumer burned for the credits still in the channel
	/// ([`PaymentChannel::remaining`]): their share of the consumer's own backing, moved in
	/// with them. Settling credits values them at their share of this, rounded down; the last
	/// credit settled takes what is left; closing returns it to the consumer with the credits.
	/// Zero once nothing remains.
	pub backing: Balance,
	/// The block it opened in.
	pub opened_at: BlockNumber,
	/// The last block in which usage is paid for; receipts can still be settled for a grace
	/// period after it, then the channel can be closed.
	pub expires_at: BlockNumber,
}

impl<AccountId, BlockNumber, Balance> PaymentChannel<AccountId, BlockNumber, Balance> {
	/// Credits still in the channel: deposited and not settled.
	pub fn remaining(&self) -> Credits {
		self.deposit.saturating_sub(self.settled)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn receipt_bytes_are_domain_genesis_channel_cumulative() {
		let payload =
			UsageReceiptPayload { genesis_hash: [7u8; 32], channel: 3, cumulative: 1_000 };
		let bytes = payload.signing_bytes();
		assert_eq!(bytes.len(), 22 + 32 + 8 + 16);
		assert_eq!(&bytes[..22], b"depin/usage-receipt/v1");
		assert_eq!(&bytes[22..54], &[7u8; 32]);
		assert_eq!(&bytes[54..62], &3u64.to_le_bytes());
		assert_eq!(&bytes[62..], &1_000u128.to_le_bytes());
	}

	/// The example in docs/service-payments.md.
	#[test]
	fn documented_example_bytes() {
		let payload =
			UsageReceiptPayload { genesis_hash: [1u8; 32], channel: 0, cumulative: 250_000 };
		let hex: alloc::string::String =
			payload.signing_bytes().iter().map(|b| alloc::format!("{b:02x}")).collect();
		assert_eq!(
			hex,
			alloc::format!(
				"{}{}{}{}",
				concat!("64657069", "6e2f7573", "6167652d", "72656365", "6970742f", "7631"),
				"01".repeat(32),
				"0000000000000000",
				"90d00300000000000000000000000000"
			)
		);
	}
}
