//! The runtime API the node uses for proof of coverage: its RPC checks attestations with
//! the chain's own rules before queueing them, and reads the current epoch.

// `decl_runtime_apis!` repeats a trait's generic bounds on every method taking a generic
// parameter, which clippy flags in the expansion.
#![allow(clippy::multiple_bound_locations)]

use crate::{
	attestation::{AttestationRejection, EpochIndex, EpochScore, SignedAttestation},
	device::DeviceId,
	location::H3Cell,
	payment::{ChannelId, Credits, PaymentChannel},
	traits::DeviceInfo,
};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::{FixedU128, Perbill};

/// The one check of an attestation the chain's state cannot make for a node: its device's
/// signature over its payload. The node's RPC makes it natively (not in the wasm runtime,
/// where a P-256 check costs about a millisecond), after every rule state can decide.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct SignatureCheck {
	/// The device's registered key.
	pub key: crate::device::DeviceKey,
	/// The bytes the device must have signed (the payload's `signing_bytes`).
	pub message: Vec<u8>,
	/// The signature the attestation carries.
	pub signature: crate::device::DeviceSignature,
}

impl SignatureCheck {
	/// Whether the signature is the key's over the message.
	pub fn verify(&self) -> bool {
		self.key.verify(&self.message, &self.signature)
	}
}

/// What the chain says of an attestation a node is asked to queue: refused with a reason, or
/// admissible once its signature (if it carries one) checks out.
pub type Admission = Result<Option<SignatureCheck>, AttestationRejection>;

/// The current epoch as nodes and devices need it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EpochSummary<BlockNumber> {
	/// Its index.
	pub index: EpochIndex,
	/// Its first block.
	pub start: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
	/// Its number of uptime slots.
	pub slots: u16,
	/// Its randomness (beacons sign it, challenges derive from it).
	pub randomness: [u8; 32],
	/// Its challenge rate, parts per billion.
	pub challenge_rate: u32,
	/// Blocks after the epoch's end during which its beacons and witness reports still land
	/// (its *witness window* ends at `start + length + witness_grace`); its beacons' reveals
	/// are accepted from that block until the end of the next epoch.
	pub witness_grace: BlockNumber,
}

/// What a device did in one epoch and the score it earned, as proof of coverage holds it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct DeviceEpochReport {
	/// The epoch.
	pub epoch: EpochIndex,
	/// Bit `s` set: the device's heartbeat for slot `s` was counted.
	pub heartbeat_slots: u128,
	/// Whether its heartbeats earn uptime: a reveal credited it with coverage in this epoch
	/// or the one before, or the epoch did not ask for it (`uptime_needs_coverage` off). Not
	/// yet: an epoch's coverage is credited by the reveals in the next one, so a device can
	/// still be located in an epoch until that one is scored.
	pub located: bool,
	/// Whether the device was challenged, its beacon's commitment landed and its reveal
	/// matched it.
	pub beacon_accepted: bool,
	/// Witnesses rewarded for the device's beacon (valid tags, credited at the reveal).
	pub beacon_witnesses: u32,
	/// Witness reports by the device credited in the epoch (their tags proved valid by the
	/// beacons' reveals).
	pub witness_reports: u32,
	/// Its score: uptime (heartbeats × `SCORE_UNIT` if located, else 0) and coverage
	/// (density-scaled).
	pub score: EpochScore,
}

impl DeviceEpochReport {
	/// Heartbeats counted.
	pub fn heartbeats(&self) -> u32 {
		self.heartbeat_slots.count_ones()
	}
}

/// The epoch in progress at a block.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EpochStatus<BlockNumber> {
	/// The epoch.
	pub epoch: EpochSummary<BlockNumber>,
	/// The block the answer is for (its number).
	pub block: BlockNumber,
}

/// A device's rewards: settled and not claimed, and what a claim would pay now.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct DeviceRewards<Balance> {
	/// Settled into the device's ledger and not claimed.
	pub pending: Balance,
	/// What a claim would pay now: pending plus its closed epochs not settled yet (rewards
	/// about to expire excluded).
	pub claimable: Balance,
	/// Epochs the device was active in and that are not settled yet.
	pub unsettled_epochs: Vec<EpochIndex>,
}

/// An owner's rewards over one page of their devices.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct OwnerRewards<Balance> {
	/// Devices in the page.
	pub devices: u32,
	/// Their pending rewards in all.
	pub pending: Balance,
	/// What claiming for all of them would pay now.
	pub claimable: Balance,
	/// Where the next page starts, if this one was full.
	pub next: Option<DeviceId>,
}

/// Active devices in a cell and around it, counted at the registry's density resolution.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct CellCoverage {
	/// The cell asked about, at the density resolution (the asked cell's ancestor there).
	pub cell: H3Cell,
	/// The density resolution.
	pub resolution: u8,
	/// Active devices located in `cell`.
	pub active_devices: u32,
	/// `cell`'s parent, one resolution coarser.
	pub parent: Option<H3Cell>,
	/// Active devices in all of the parent's cells at the density resolution.
	pub parent_active_devices: u32,
}

/// An active device in a cell and its score in an epoch.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct CellDevice {
	/// The device.
	pub device: DeviceId,
	/// Its score in the epoch asked about; `None` if the chain records nothing for it.
	pub score: Option<EpochScore>,
}

/// A closed epoch's pools, as rewards fixed them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ClosedEpoch<Balance> {
	/// The epoch.
	pub epoch: EpochIndex,
	/// The coverage pool.
	pub coverage_pool: Balance,
	/// The uptime pool.
	pub uptime_pool: Balance,
	/// The data-transfer pool.
	pub data_transfer_pool: Balance,
	/// Paid into device ledgers so far.
	pub settled: Balance,
	/// The epoch's total score.
	pub total_score: EpochScore,
	/// The value of the service usage settled in it.
	pub usage_value: Balance,
}

/// The economic parameters in force: what governance can change.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EconomicParameters<Balance, BlockNumber> {
	/// Minted for the next epoch to close (after halvings, before the supply cap).
	pub emission_per_epoch: Balance,
	/// Minted per epoch before the first halving.
	pub initial_emission_per_epoch: Balance,
	/// Epochs between halvings (0: never).
	pub halving_interval: EpochIndex,
	/// The epoch halvings count from.
	pub halving_start_epoch: EpochIndex,
	/// Total issuance the emission never exceeds.
	pub supply_cap: Option<Balance>,
	/// Coverage share of the emission.
	pub coverage_share: Perbill,
	/// Uptime share.
	pub uptime_share: Perbill,
	/// Data-transfer share.
	pub data_transfer_share: Perbill,
	/// Staking share.
	pub staking_share: Perbill,
	/// Treasury share.
	pub treasury_share: Perbill,
	/// Epochs after which rewards expire.
	pub expiry_horizon: EpochIndex,
	/// The bond held per registered device.
	pub device_bond: Balance,
	/// Blocks per epoch.
	pub epoch_length: BlockNumber,
	/// Uptime slots per epoch.
	pub slots_per_epoch: u16,
	/// Share of devices challenged to beacon each epoch.
	pub challenge_rate: Perbill,
	/// Most witnesses rewarded per beacon.
	pub max_witnesses_per_beacon: u32,
	/// Service credits per token burned.
	pub credits_per_token: FixedU128,
	/// Share of spent credits' value minted to the treasury.
	pub revenue_share: Perbill,
}

sp_api::decl_runtime_apis! {
	/// What dApps, explorers and dashboards read: devices, epochs, scores, rewards, coverage,
	/// service credits and channels, and the economic parameters. Answers are at the block
	/// the call is made at.
	pub trait DepinApi<AccountId: Codec, Balance: Codec, BlockNumber: Codec> {
		/// The device, if registered.
		fn device(device: DeviceId) -> Option<DeviceInfo<AccountId>>;

		/// Up to `limit` devices of `owner` after `after` (from the first with `None`).
		fn devices_of(owner: AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId>;

		/// The epoch in progress, once the first block started it.
		fn current_epoch() -> Option<EpochStatus<BlockNumber>>;

		/// What `device` did in `epoch` and its score (see `ProofOfCoverageApi::device_report`).
		fn device_score(device: DeviceId, epoch: EpochIndex) -> Option<DeviceEpochReport>;

		/// Whether `device` is challenged in `epoch` (the current or previous epoch only).
		fn is_challenged(device: DeviceId, epoch: EpochIndex) -> Option<bool>;

		/// The device's rewards; `None` if it is not registered.
		fn device_rewards(device: DeviceId) -> Option<DeviceRewards<Balance>>;

		/// An owner's rewards over up to `limit` of their devices after `after`.
		fn owner_rewards(owner: AccountId, after: Option<DeviceId>, limit: u32) -> OwnerRewards<Balance>;

		/// A closed epoch's pools, until it expires.
		fn closed_epoch(epoch: EpochIndex) -> Option<ClosedEpoch<Balance>>;

		/// The last epoch closed.
		fn last_closed_epoch() -> Option<EpochIndex>;

		/// Active devices in `cell` (any resolution at or finer than the density resolution)
		/// and around it; `None` for an invalid or too coarse cell.
		fn cell_coverage(cell: H3Cell) -> Option<CellCoverage>;

		/// Up to `limit` active devices in `cell`'s ancestor at the density resolution, after
		/// `after`, each with its score in `epoch`; `None` for an invalid or too coarse cell.
		fn cell_devices(
			cell: H3Cell,
			epoch: EpochIndex,
			after: Option<DeviceId>,
			limit: u32,
		) -> Option<Vec<CellDevice>>;

		/// An account's service credits not locked in a channel.
		fn credits(account: AccountId) -> Credits;

		/// A payment channel.
		fn channel(channel: ChannelId) -> Option<PaymentChannel<AccountId, BlockNumber>>;

		/// The economic parameters in force.
		fn economic_parameters() -> EconomicParameters<Balance, BlockNumber>;
	}

	/// Proof-of-coverage queries.
	#[api_version(3)]
	pub trait ProofOfCoverageApi<BlockNumber: Codec> {
		/// For each attestation, what the chain would say now of its signer, signature and
		/// epoch (not of replays or witness geometry, which depend on the batch it lands in).
		fn precheck_attestations(
			attestations: Vec<SignedAttestation>,
		) -> Vec<Result<(), AttestationRejection>>;

		/// The current epoch, once the first block has started it.
		fn current_epoch() -> Option<EpochSummary<BlockNumber>>;

		/// What `device` did in `epoch` and its score, while the chain keeps the epoch's
		/// records (the current and previous epoch for coverage; `EpochHistory` epochs for
		/// heartbeats); `None` if the device is unknown or did nothing in it.
		fn device_report(device: DeviceId, epoch: EpochIndex) -> Option<DeviceEpochReport>;

		/// For each attestation, every rule the chain applies that its state can decide, for a
		/// batch landing in the next block: epoch, slot range and window, slot anchor, signer
		/// registered and active, heartbeat already counted, beaconer challenged, beacon
		/// already committed, witness geometry, bar and window, beacon state, reveal window
		/// and commitment. An admissible one comes with the signature check the node makes
		/// itself (`None`: a reveal, which carries none). No signature is checked here.
		fn admit_attestations(attestations: Vec<SignedAttestation>) -> Vec<Admission>;

		/// Whether `oracle` is an authorised oracle key.
		fn is_oracle(oracle: crate::oracle::OracleId) -> bool;
	}
}
