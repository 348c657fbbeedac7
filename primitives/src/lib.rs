//! # DePIN primitives
//!
//! ## Overview
//!
//! Types that the runtime, the node and the device tools must agree on byte for byte.
//! This crate is `no_std` so the runtime can use it; the node and the device simulator
//! use the same definitions with `std`.
//!
//! ## Terminology
//!
//! - **Account**: an sr25519 (or ed25519/ecdsa through [`Signature`]) key that signs
//!   transactions: a hardware owner, a consumer, a validator or a token holder.
//! - **Unit**: one whole token, [`UNIT`] plancks; the chain's smallest amount is one planck.
//! - **Block time**: the target slot duration of BABE, [`MILLISECS_PER_BLOCK`].
//! - **Device key**: the key a piece of hardware signs with, in one of four schemes
//!   ([`device::DeviceKey`]); its hash is the device's [`device::DeviceId`].
//! - **Signed payload**: `domain ‖ SCALE(payload)`, bound to the genesis hash
//!   ([`payload`]); one definition for runtime, node and device tools.
//! - **Cell**: an H3 hexagon index ([`location::H3Cell`]) where a device says it is.
//! - **Attestation**: a device-signed heartbeat, beacon or witness report
//!   ([`attestation`]), carried on chain by an **oracle** ([`oracle`]) in signed batches.
//! - **Epoch**: the proof-of-coverage period over which scores accrue and rewards are paid.
//! - **Credits**: non-transferable service credits bought by burning tokens, spent through
//!   payment channels with consumer-signed usage receipts ([`payment`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod api;
pub mod attestation;
pub mod device;
pub mod location;
pub mod oracle;
pub mod payload;
pub mod payment;
pub mod radio;
pub mod traits;

pub use attestation::{
	AttestationRejection, Beacon, BeaconReveal, BeaconSecret, EpochIndex, EpochScore, Heartbeat,
	SignedAttestation, SlotIndex, WitnessReport,
};
pub use device::{
	DeviceId, DeviceIndex, DeviceKey, DeviceKind, DeviceSignature, DeviceStatus, SignatureScheme,
};
pub use location::H3Cell;
pub use oracle::{OracleId, OracleSignature};
pub use payload::{MakerCertificatePayload, RegistrationPayload, SignedPayload};
pub use payment::{ChannelId, Credits, UsageReceipt, UsageReceiptPayload};
pub use traits::{
	DeviceInfo, DeviceInspect, DevicePenalty, EpochClock, EpochScores, ScoreSink, UsageSink,
};

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// Signature scheme of user transactions (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;

/// An account on chain: the public key behind [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance, in plancks.
pub type Balance = u128;

/// A block's number.
pub type BlockNumber = u32;

/// A transaction index of an account.
pub type Nonce = u32;

/// The hash type used by blocks and storage.
pub type Hash = sp_core::H256;

/// Milliseconds, as returned by `pallet_timestamp`.
pub type Moment = u64;

/// Number of decimals of the native token.
pub const TOKEN_DECIMALS: u8 = 12;
/// Ticker symbol of the native token.
pub const TOKEN_SYMBOL: &str = "DPIN";
/// SS58 address prefix (42: the generic Substrate prefix until one is registered).
pub const SS58_PREFIX: u16 = 42;

/// One whole token in plancks.
pub const UNIT: Balance = 10u128.pow(TOKEN_DECIMALS as u32);
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of a token.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;

/// Target block time. BABE slots have this length.
pub const MILLISECS_PER_BLOCK: Moment = 6_000;
/// Slot duration, the same as the block time.
pub const SLOT_DURATION: Moment = MILLISECS_PER_BLOCK;

/// Blocks in one minute at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks in one hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks in one day.
pub const DAYS: BlockNumber = HOURS * 24;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn time_constants_agree_with_block_time() {
		assert_eq!(MINUTES, 10);
		assert_eq!(HOURS, 600);
		assert_eq!(DAYS, 14_400);
	}

	#[test]
	fn unit_has_token_decimals() {
		assert_eq!(UNIT, 1_000_000_000_000);
		assert_eq!(MILLI_UNIT * 1_000, UNIT);
		assert_eq!(MICRO_UNIT * 1_000_000, UNIT);
	}
}
