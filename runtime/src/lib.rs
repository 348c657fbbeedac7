//! # DePIN runtime
//!
//! ## Overview
//!
//! The state transition function of the DePIN appchain. It composes:
//!
//! - **Consensus**: BABE block production (VRF slots, whose randomness later seeds the
//!   proof-of-coverage challenges) and GRANDPA finality, with session keys rotated by
//!   `pallet_session` and equivocations reported through `pallet_offences`.
//! - **NPoS staking**: validators and nominators bond tokens with `pallet_staking`; an
//!   on-chain sequential Phragmén election picks the validator set each era; the voter list
//!   is kept sorted by `pallet_bags_list`.
//! - **Accounts and fees**: `pallet_balances` (holds and freezes), transaction payment with a
//!   targeted fee multiplier, `pallet_utility`, `pallet_proxy` and `pallet_multisig` for
//!   owners who manage fleets of devices from several keys.
//! - **DePIN**: the device registry (`pallet_device_registry`) and proof of coverage
//!   (`pallet_proof_of_coverage`: device attestations carried by oracle batches, verified one
//!   by one, scored per epoch).
//! - **Governance**: preimages, the scheduler, referenda on four tracks (root, network
//!   parameters, treasurer, small spender) with conviction voting, and the treasury; the DePIN
//!   pallets' governance calls need the network-parameters track (see [`governance`]).
//! - **Sudo**, present in the runtime but only given a key by the `development` preset;
//!   every other chain starts without one.
//!
//! ## Terminology
//!
//! - **Session**: one BABE epoch ([`EPOCH_DURATION_IN_BLOCKS`] blocks); session keys change
//!   at session boundaries.
//! - **Era**: [`configs::SessionsPerEra`] sessions; the staking election runs once an era.
//! - **Preset**: a named genesis configuration built into the runtime
//!   (see [`genesis_config_presets`]).

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "512"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Declared before `apis`: it defines the `list_benchmarks!`/`add_benchmarks!` macros used there.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
mod depin_api;
pub mod genesis_config_presets;
pub mod governance;
mod voter_bags;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use depin_primitives::{
	AccountId, Balance, BlockNumber, Hash, Moment, Nonce, Signature, DAYS, HOURS, MICRO_UNIT,
	MILLISECS_PER_BLOCK, MILLI_UNIT, MINUTES, SLOT_DURATION, SS58_PREFIX, TOKEN_DECIMALS,
	TOKEN_SYMBOL, UNIT,
};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_staking::StakerStatus;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;
pub use sp_runtime::{Perbill, Permill};

/// Opaque types: the node uses these so it does not depend on the runtime's exact
/// extrinsic format and keeps syncing across runtime upgrades.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The keys a validator registers with `session.setKeys`: one per consensus engine.
	pub struct SessionKeys {
		/// BABE block production (sr25519).
		pub babe: Babe,
		/// GRANDPA finality voting (ed25519).
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` must grow with every runtime upgrade.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("depin"),
	impl_name: alloc::borrow::Cow::Borrowed("depin-node"),
	authoring_version: 1,
	// Version 1.0.0 of the runtime is 100; every release that changes behaviour bumps it.
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Length of a BABE epoch (= one session) in blocks: 10 minutes at 6 s blocks.
///
/// This is part of the chain's consensus parameters and cannot change after genesis.
pub const EPOCH_DURATION_IN_BLOCKS: BlockNumber = 10 * MINUTES;
/// BABE epoch length in slots (slots and blocks have the same duration).
pub const EPOCH_DURATION_IN_SLOTS: u64 = EPOCH_DURATION_IN_BLOCKS as u64;

/// The BABE epoch configuration at genesis: 1/4 primary slot probability, secondary VRF slots
/// so that every slot has an author even when no primary claim wins.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);
/// The BABE epoch configuration used by every genesis preset.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Existential deposit: the least an account can hold (1 milli-token).
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Id of the treasury's account, which receives fees and slashes (`py/trsry`, as
/// `pallet-treasury` derives it).
pub const TREASURY_PALLET_ID: frame_support::PalletId = frame_support::PalletId(*b"py/trsry");

/// The deposit for storage: a base per item plus a fee per byte.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	(items as Balance) * 100 * MILLI_UNIT + (bytes as Balance) * 100 * MICRO_UNIT
}

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;
/// The block identifier type.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order for every transaction.
///
/// `AuthorizeCall` comes first: it lets calls with a `#[pallet::authorize]` origin (the
/// oracle batches of proof-of-coverage) be validated without a signer. It and
/// `WeightReclaim` carry no data, so clients sign exactly what they signed before.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade, besides the pallets' own.
#[allow(unused_parens)]
type Migrations = (pallet_proof_of_coverage::migrations::v1::MigrateV0ToV1<Runtime>,);

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The public key behind [`Signature`].
pub type AccountPublic = <Signature as Verify>::Signer;
const _: fn() = || {
	// `AccountId` must be what the signer identifies as, or signed transactions break.
	fn same<T>(_: T, _: T) {}
	let p: Option<<AccountPublic as IdentifyAccount>::AccountId> = None;
	let a: Option<AccountId> = None;
	same(p, a);
};

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// --- system and consensus ---
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Babe = pallet_babe;
	#[runtime::pallet_index(2)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(3)]
	pub type Authorship = pallet_authorship;

	// --- accounts and fees ---
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// --- staking and validator set (session must come after staking: it calls into it) ---
	#[runtime::pallet_index(10)]
	pub type Staking = pallet_staking;
	#[runtime::pallet_index(11)]
	pub type Offences = pallet_offences;
	#[runtime::pallet_index(12)]
	pub type Historical = pallet_session::historical;
	#[runtime::pallet_index(13)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(14)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(15)]
	pub type VoterList = pallet_bags_list<Instance1>;

	// --- account tools ---
	#[runtime::pallet_index(20)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(21)]
	pub type Proxy = pallet_proxy;
	#[runtime::pallet_index(22)]
	pub type Multisig = pallet_multisig;

	// --- DePIN ---
	#[runtime::pallet_index(30)]
	pub type DeviceRegistry = pallet_device_registry;
	#[runtime::pallet_index(31)]
	pub type ProofOfCoverage = pallet_proof_of_coverage;
	#[runtime::pallet_index(32)]
	pub type Rewards = pallet_rewards;
	#[runtime::pallet_index(33)]
	pub type ServicePayments = pallet_service_payments;

	// --- governance ---
	#[runtime::pallet_index(40)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(41)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(42)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(43)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(44)]
	pub type Origins = crate::governance::origins;
	#[runtime::pallet_index(45)]
	pub type Treasury = pallet_treasury;

	// --- the development chain only: every other genesis sets no key ---
	#[runtime::pallet_index(99)]
	pub type Sudo = pallet_sudo;
}
