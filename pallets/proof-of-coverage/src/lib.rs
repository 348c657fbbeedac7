//! # Proof of coverage
//!
//! ## Overview
//!
//! Devices prove the service they deliver with signed attestations; this pallet verifies
//! every one of them on chain and turns the accepted ones into scores per device and epoch.
//! Rewards (another pallet, through [`depin_primitives::ScoreSink`]) pay out of those
//! scores; this pallet never mints.
//!
//! Attestations reach the chain through **oracles**: nodes whose `dpoc` key governance has
//! authorised. Devices post their attestations to any node's `depin_submitAttestations`
//! RPC; the node checks them and queues them in its off-chain storage; its off-chain worker
//! drains the queue into batches it signs with its oracle key and submits as *authorized*
//! transactions ([`Pallet::submit_attestations`]). The transaction pool checks only the
//! oracle's signature, its rate and the batch's order; the runtime then verifies each
//! attestation on its own, and a bad one is refused with a reason
//! ([`Event::AttestationRejected`]) while the rest of the batch stands. An oracle can delay
//! or drop attestations, never forge one: every score rests on a device signature.
//!
//! ## Terminology
//!
//! - **Epoch**: `epoch_length` blocks ([`PocParameters`]); its randomness is fixed at its
//!   first block from BABE's VRF output. Attestations are accepted for the current epoch
//!   and, as a grace period, the one before.
//! - **Slot**: an epoch has `slots_per_epoch` uptime slots; a device sends one
//!   [`depin_primitives::Heartbeat`] per slot, during the slot (plus `heartbeat_grace`
//!   blocks), bound to the slot's **anchor** (the hash of the block before the slot's first
//!   block), so it cannot be signed ahead. Bitmap pages over device indexes ([`HeartbeatPage`], one bit per device and
//!   slot) stop replays; a tally page ([`TallyPage`], one byte per device and epoch) counts
//!   them.
//! - **Challenge**: a device is challenged in an epoch iff
//!   `blake2_256(randomness ‖ device)` falls under the challenge rate
//!   ([`depin_primitives::attestation::is_challenged`]): O(1), no loop over devices.
//! - **Beacon** (commit–reveal): a challenged device broadcasts a secret over the air and
//!   commits to it on chain during the epoch's **witness window** (the epoch and the first
//!   `witness_grace` blocks of the next); **witnesses** that hear it report the commitment and
//!   a **tag** binding the secret to themselves, with RSSI, SNR and frequency; after the
//!   window the beaconer **reveals** the secret and the chain judges every tag
//!   ([`depin_primitives::attestation`]). A tag that fails bars its witness for a while.
//! - **Score**: fixed-point units ([`depin_primitives::attestation::SCORE_UNIT`] per point),
//!   split into uptime (`SCORE_UNIT` per counted heartbeat) and coverage (beacons and
//!   witnesses, scaled by the device's hex-density factor
//!   `min(1, target_density / devices in its cell)`, as Helium's HIP-17 scales proof of
//!   coverage). Uptime is not density-scaled: it is counted from bits, so a device's
//!   uptime can be read back at any time without a per-heartbeat record.
//!
//! ## Rules for a witness report
//!
//! When it lands (in the witness window): the witness is registered, active, not barred and
//! signed the report; the beaconer is registered, active and was challenged; witness and
//! beaconer have different owners; their cells are between `min_witness_distance_m` and
//! `max_witness_distance_m` apart; the frequency is in the band; the RSSI is no stronger than
//! free-space path loss allows ([`depin_primitives::radio`]); the beacon's commitment is on
//! chain and is the one the report names; the witness has not reported this beacon before,
//! and the beacon holds fewer than `max_witness_candidates` reports. At the reveal: its tag
//! must match the secret, and the first `max_witnesses_per_beacon` valid ones are credited.
//! `docs/proof-of-coverage.md` states what each rule stops and what it cannot.
//!
//! ## Cost
//!
//! A batch costs one transaction; each attestation one signature check, one read of the
//! device's registry record and its share of bookkeeping. Heartbeats write no per-device
//! record: they set a bit in a 4096-device page of their slot, and a page is written once
//! per batch (once per block if several batches touch it); a batch is charged the worst
//! case (a page per attestation) and refunded for pages it shared or found already written
//! in the block. A batch's coverage effects on a device fold into one write. Rewards hears
//! of a device once per epoch ([`depin_primitives::ScoreSink::devices_active`]), not per
//! attestation.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use depin_primitives::oracle::BatchCharge;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod charge;
mod impl_authorize;
mod impl_epochs;
mod impl_offchain;
mod impl_verify;
pub use impl_verify::ADMISSION_LEAD;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use depin_primitives::{
	AttestationRejection, DeviceId, DeviceIndex, DeviceInfo, DeviceInspect, DevicePenalty,
	EpochIndex, EpochScore, OracleId, OracleSignature, ScoreSink, SignatureScheme,
	SignedAttestation, SlotIndex,
};
use frame_support::{pallet_prelude::*, traits::Randomness, weights::Weight};
use frame_system::pallet_prelude::*;
use sp_runtime::Perbill;

/// Parameters with the runtime's block number.
pub type ParametersOf<T> = PocParameters<BlockNumberFor<T>>;
/// An epoch with the runtime's block number.
pub type EpochInfoOf<T> = EpochInfo<BlockNumberFor<T>>;
/// A batch with the runtime's types.
pub type BatchOf<T> = AttestationBatch<BlockNumberFor<T>, <T as Config>::MaxBatchSize>;
/// A beacon's state with the runtime's bound on witness candidates.
pub type BeaconStateOf<T> = BeaconState<<T as Config>::MaxWitnessCandidates>;
/// An oracle's state with the runtime's block number.
pub type OracleStateOf<T> = OracleState<BlockNumberFor<T>>;
/// A heartbeat page with the runtime's block number.
pub type HeartbeatPageOf<T> = HeartbeatPage<BlockNumberFor<T>>;
/// A tally page with the runtime's block number.
pub type TallyPageOf<T> = TallyPage<BlockNumberFor<T>>;

impl<T: Config> depin_primitives::EpochScores for Pallet<T> {
	fn score(device: &DeviceId, index: DeviceIndex, epoch: EpochIndex) -> Option<EpochScore> {
		Self::score_of(device, index, epoch)
	}

	fn score_weight() -> Weight {
		Self::score_weight()
	}
}

impl<T: Config> depin_primitives::EpochClock for Pallet<T> {
	fn current_epoch() -> Option<EpochIndex> {
		CurrentEpoch::<T>::get().map(|epoch| epoch.index)
	}
}

/// Most pages `on_idle` removes in one block.
pub const MAX_PAGES_PRUNED_PER_BLOCK: u32 = 1024;

/// How benchmarks put devices in the registry (only with `runtime-benchmarks`).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers `key` for `owner` at `location` (an active device), funding `owner` as
	/// needed; `proof` is the key's registration signature for `owner`.
	fn register_device(
		owner: &AccountId,
		key: depin_primitives::DeviceKey,
		location: depin_primitives::H3Cell,
		proof: depin_primitives::DeviceSignature,
	);

	/// Makes the registry skip `count` device indexes, so the next device registered lands
	/// in another bitmap page (the worst case benchmarks measure).
	fn skip_device_indexes(count: u32);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::offchain::CreateAuthorizedTransaction;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of proof of coverage.
	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>> + TryInto<Event<Self>>>
		+ CreateAuthorizedTransaction<Call<Self>>
	{
		/// The device registry, read through its trait.
		type Devices: DeviceInspect<Self::AccountId>;

		/// Fresh randomness each block (BABE's VRF output of the parent block); `None` early
		/// in a chain's life.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Receives scores (the rewards pallet).
		type ScoreSink: ScoreSink;

		/// Slashes the bonds of devices whose witness tags fail a reveal (the registry).
		type Penalties: DevicePenalty;

		/// Origin that authorises oracles and sets parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Parameters in force until governance first sets them.
		type DefaultParameters: Get<ParametersOf<Self>>;

		/// Most attestations in one batch.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;

		/// Hard bound on `max_witnesses_per_beacon` (witnesses rewarded per beacon).
		#[pallet::constant]
		type MaxWitnessesPerBeacon: Get<u32>;

		/// Hard bound on `max_witness_candidates` (the witness reports a beacon holds until
		/// its reveal), at least `MaxWitnessesPerBeacon`.
		#[pallet::constant]
		type MaxWitnessCandidates: Get<u32>;

		/// Most authorised oracles.
		#[pallet::constant]
		type MaxOracles: Get<u32>;

		/// Epochs whose totals are kept in [`EpochTotals`] (at least 2).
		#[pallet::constant]
		type EpochHistory: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Registers devices for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	#[pallet::type_value]
	pub fn DefaultParametersValue<T: Config>() -> ParametersOf<T> {
		T::DefaultParameters::get()
	}

	/// Rules in force.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ParametersOf<T>, ValueQuery, DefaultParametersValue<T>>;

	/// The current epoch (absent before the chain's first block).
	#[pallet::storage]
	pub type CurrentEpoch<T: Config> = StorageValue<_, EpochInfoOf<T>, OptionQuery>;

	/// The epoch before the current one, still open to late attestations.
	#[pallet::storage]
	pub type PreviousEpoch<T: Config> = StorageValue<_, EpochInfoOf<T>, OptionQuery>;

	/// Total score of each of the last `EpochHistory` epochs.
	#[pallet::storage]
	pub type EpochTotals<T: Config> =
		StorageMap<_, Twox64Concat, EpochIndex, EpochScore, ValueQuery>;

	/// Each device's coverage activity (beacon, witnesses, coverage score) in the current and
	/// previous epoch.
	#[pallet::storage]
	pub type DeviceActivity<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, ActivityRecord, OptionQuery>;

	/// Each challenged device's beacon per epoch: its commitment, the witness reports waiting
	/// for its reveal (at most `max_witness_candidates`), and after the reveal how many
	/// witnesses it credited. One entry per accepted beacon (a challenged, active device's
	/// signed commitment); kept for `EpochHistory` epochs.
	#[pallet::storage]
	pub type Beacons<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		DeviceId,
		BeaconStateOf<T>,
		OptionQuery,
	>;

	/// Devices barred from witnessing until (not including) an epoch, because one of their
	/// tags failed a reveal. At most one entry per registered device; an entry is removed by
	/// the device's first witness report after its bar ended.
	#[pallet::storage]
	pub type WitnessBars<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, EpochIndex, OptionQuery>;

	/// Per epoch, slot and page of 4096 device indexes: whose heartbeats were counted (one
	/// bit per device). Kept for `EpochHistory` epochs.
	#[pallet::storage]
	pub type HeartbeatPages<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Twox64Concat,
		(SlotIndex, PageIndex),
		HeartbeatPageOf<T>,
		OptionQuery,
	>;

	/// Per epoch and page of 4096 device indexes: each device's heartbeat count and whether it
	/// has coverage activity (one byte per device). Kept for `EpochHistory` epochs.
	#[pallet::storage]
	pub type TallyPages<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Twox64Concat,
		PageIndex,
		TallyPageOf<T>,
		OptionQuery,
	>;

	/// Uptime slots of each of the last `EpochHistory` epochs (to read a device's heartbeats
	/// after the epoch ended).
	#[pallet::storage]
	pub type EpochSlots<T: Config> =
		StorageMap<_, Twox64Concat, EpochIndex, SlotIndex, OptionQuery>;

	/// Epochs below this one have no [`HeartbeatPages`], [`TallyPages`] or [`Beacons`] left;
	/// `on_idle` prunes up to `EpochHistory` epochs back.
	#[pallet::storage]
	pub type PagesKeptFrom<T: Config> = StorageValue<_, EpochIndex, ValueQuery>;

	/// Authorised oracles and their batch bookkeeping.
	#[pallet::storage]
	pub type Oracles<T: Config> =
		StorageMap<_, Blake2_128Concat, OracleId, OracleStateOf<T>, OptionQuery>;

	/// Number of entries in [`Oracles`].
	#[pallet::storage]
	pub type OracleCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Authorisations granted so far (at genesis and by `add_oracle`): the next one gets this
	/// number, so no two authorisations, even of one key, share one.
	#[pallet::storage]
	pub type OracleAuthorisations<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Genesis state: authorised oracles and parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Oracles authorised from the start (the validators' `dpoc` keys).
		pub oracles: Vec<OracleId>,
		/// Parameters; `None` keeps `Config::DefaultParameters`.
		pub parameters: Option<ParametersOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				assert!(
					Pallet::<T>::check_parameters(parameters).is_ok(),
					"invalid proof-of-coverage parameters"
				);
				Parameters::<T>::put(parameters);
			}
			assert!(self.oracles.len() as u32 <= T::MaxOracles::get(), "too many oracles");
			for oracle in &self.oracles {
				if !Oracles::<T>::contains_key(oracle) {
					Pallet::<T>::authorise(oracle);
				}
			}
		}
	}

	/// What happened in proof of coverage.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A new epoch started; its randomness decides who is challenged.
		EpochStarted {
			/// The epoch.
			epoch: EpochIndex,
			/// Its first block.
			start: BlockNumberFor<T>,
			/// Its length in blocks.
			length: BlockNumberFor<T>,
			/// Its randomness.
			randomness: [u8; 32],
		},
		/// An epoch's grace period ended: its totals are final and were handed to rewards.
		EpochScored {
			/// The epoch.
			epoch: EpochIndex,
			/// Its total score.
			totals: EpochScore,
		},
		/// An oracle's batch was processed.
		BatchProcessed {
			/// The oracle.
			oracle: OracleId,
			/// Attestations accepted and scored.
			accepted: u32,
			/// Attestations refused (each has an `AttestationRejected` event).
			rejected: u32,
		},
		/// One attestation of a batch was refused; the rest of the batch stands.
		AttestationRejected {
			/// The oracle that carried it.
			oracle: OracleId,
			/// Its position in the batch.
			index: u32,
			/// The device that signed it.
			device: DeviceId,
			/// Why.
			reason: AttestationRejection,
		},
		/// Governance authorised an oracle.
		OracleAdded {
			/// The oracle key.
			oracle: OracleId,
		},
		/// Governance withdrew an oracle's authorisation.
		OracleRemoved {
			/// The oracle key.
			oracle: OracleId,
		},
		/// An epoch older than `EpochHistory` had its last heartbeat pages, tally pages and
		/// beacons removed.
		EpochPagesPruned {
			/// The epoch.
			epoch: EpochIndex,
		},
		/// A beacon's secret was revealed and its witness reports judged.
		BeaconRevealed {
			/// The beaconer.
			device: DeviceId,
			/// The beacon's epoch.
			epoch: EpochIndex,
			/// Witnesses credited (valid tags, up to `max_witnesses_per_beacon`).
			witnesses: u32,
			/// Witness reports whose tag did not match the secret.
			invalid_tags: u32,
		},
		/// A witness report's tag did not match its beacon's revealed secret although its
		/// commitment did: the witness never heard the beacon. It may not witness until
		/// `barred_until`.
		WitnessTagInvalid {
			/// The witness.
			witness: DeviceId,
			/// The beaconer whose beacon it claimed to hear.
			beaconer: DeviceId,
			/// The beacon's epoch.
			epoch: EpochIndex,
			/// The first epoch in which it may witness again.
			barred_until: EpochIndex,
			/// Share of its bond slashed to the treasury (`invalid_tag_slash`; the registry's
			/// `DeviceSlashed` says how much).
			slashed: Perbill,
		},
		/// Governance set new parameters.
		ParametersSet {
			/// The parameters now in force.
			parameters: ParametersOf<T>,
		},
	}

	/// Errors of governance calls (attestations are refused through events, not errors).
	#[pallet::error]
	pub enum Error<T> {
		/// The oracle is already authorised.
		OracleAlreadyAuthorised,
		/// The oracle is not authorised.
		UnknownOracle,
		/// `MaxOracles` oracles are authorised already.
		TooManyOracles,
		/// Parameters out of range: epoch length 0, slots not in `1..=63` or above the epoch
		/// length, a slot plus its heartbeat grace not shorter than the block hashes the chain
		/// keeps (`BlockHashCount`: heartbeat anchors), a witness grace not below the epoch
		/// length, witnesses per beacon above
		/// `MaxWitnessesPerBeacon` or above the witness candidates, witness candidates above
		/// `MaxWitnessCandidates`, min distance above max, an empty frequency band, zero
		/// batches per block or zero target density.
		InvalidParameters,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::on_block(now)
		}

		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_pages(remaining)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_oracle(now);
		}

		fn integrity_test() {
			assert!(T::EpochHistory::get() >= 2, "EpochHistory must keep at least 2 epochs");
			assert!(T::MaxBatchSize::get() > 0, "MaxBatchSize must be positive");
			assert!(
				T::MaxWitnessesPerBeacon::get() <= T::MaxWitnessCandidates::get(),
				"MaxWitnessCandidates must hold at least MaxWitnessesPerBeacon"
			);
			assert!(
				Self::check_parameters(&T::DefaultParameters::get()).is_ok(),
				"DefaultParameters out of range"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Lands an oracle's batch of device attestations.
		///
		/// Not signed by an account: authorized by the oracle's signature over the batch
		/// ([`depin_primitives::oracle::OracleBatchPayload`]: genesis, oracle, authorisation,
		/// sequence, block, hash of the attestations), checked in the transaction pool
		/// together with the oracle's authorisation, the batch's freshness and order, the
		/// per-batch weight cap and the oracle's rate (`max_batches_per_block`).
		/// Each attestation is then verified on its own; a refused one emits
		/// `AttestationRejected` with the reason, the others are scored. Emits
		/// `BatchProcessed`.
		///
		/// Weight: per attestation, its kind's measured cost with the signature scheme it
		/// carries; for the heartbeats, what the batch's [`BatchCharge`] declares (pages,
		/// anchors, devices made active: a heartbeat past it is refused with `OverCharge`);
		/// for reveals, the score sink's cost for each device they may make active. Refunded
		/// for what did not run (signature checks of attestations refused before them,
		/// candidates a reveal did not hold, pages already in the block's overlay, declared
		/// work not used).
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::batch_weight(&batch.attestations, &batch.charge))]
		#[pallet::authorize(Pallet::<T>::authorize_batch)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_batch(batch.attestations.len() as u32))]
		pub fn submit_attestations(
			origin: OriginFor<T>,
			batch: BatchOf<T>,
			signature: OracleSignature,
		) -> DispatchResultWithPostInfo {
			frame_system::ensure_authorized(origin)?;
			// The signature was checked by `authorize_batch`; it only travels with the call.
			let _ = signature;
			let charged = Self::batch_weight(&batch.attestations, &batch.charge);
			let unused = Self::land_batch(batch);
			Ok(Some(charged.saturating_sub(unused)).into())
		}

		/// Authorises `oracle` to submit batches (governance).
		///
		/// Emits `OracleAdded`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_oracle())]
		pub fn add_oracle(origin: OriginFor<T>, oracle: OracleId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!Oracles::<T>::contains_key(&oracle), Error::<T>::OracleAlreadyAuthorised);
			ensure!(OracleCount::<T>::get() < T::MaxOracles::get(), Error::<T>::TooManyOracles);
			Self::authorise(&oracle);
			Self::deposit_event(Event::OracleAdded { oracle });
			Ok(())
		}

		/// Withdraws `oracle`'s authorisation (governance). Its batches still in the pool
		/// become invalid.
		///
		/// Emits `OracleRemoved`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_oracle())]
		pub fn remove_oracle(origin: OriginFor<T>, oracle: OracleId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Oracles::<T>::take(&oracle).is_some(), Error::<T>::UnknownOracle);
			OracleCount::<T>::mutate(|n| *n = n.saturating_sub(1));
			Self::deposit_event(Event::OracleRemoved { oracle });
			Ok(())
		}

		/// Sets the parameters (governance). Epoch length, slots and challenge rate take
		/// effect at the next epoch; the rest at once.
		///
		/// Emits `ParametersSet`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check_parameters(&parameters)?;
			Parameters::<T>::put(&parameters);
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every signed payload is bound to.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// Whether `parameters` are in range (see [`Error::InvalidParameters`]).
	pub fn check_parameters(parameters: &ParametersOf<T>) -> DispatchResult {
		use sp_runtime::traits::UniqueSaturatedInto;
		let length: u64 = parameters.epoch_length.unique_saturated_into();
		let ok = length > 0
			&& (1..=depin_primitives::attestation::MAX_SLOTS_PER_EPOCH)
				.contains(&parameters.slots_per_epoch)
			&& u64::from(parameters.slots_per_epoch) <= length
			&& UniqueSaturatedInto::<u64>::unique_saturated_into(parameters.witness_grace) < length
			// A heartbeat's anchor must still be kept by the chain when it lands.
			&& length
				.div_ceil(u64::from(parameters.slots_per_epoch.max(1)))
				.saturating_add(parameters.heartbeat_grace.unique_saturated_into())
				< UniqueSaturatedInto::<u64>::unique_saturated_into(
					<T as frame_system::Config>::BlockHashCount::get(),
				)
			&& parameters.max_witnesses_per_beacon <= T::MaxWitnessesPerBeacon::get()
			&& parameters.max_witnesses_per_beacon <= parameters.max_witness_candidates
			&& parameters.max_witness_candidates <= T::MaxWitnessCandidates::get()
			&& parameters.min_witness_distance_m <= parameters.max_witness_distance_m
			&& parameters.min_frequency_khz > 0
			&& parameters.min_frequency_khz <= parameters.max_frequency_khz
			&& parameters.max_batches_per_block > 0
			&& parameters.target_density > 0;
		ensure!(ok, Error::<T>::InvalidParameters);
		Ok(())
	}

	/// Authorises `oracle` under a new authorisation number, its batch count from 0.
	fn authorise(oracle: &OracleId) {
		let authorisation = OracleAuthorisations::<T>::mutate(|next| {
			let this = *next;
			*next = next.saturating_add(1);
			this
		});
		Oracles::<T>::insert(oracle, OracleStateOf::<T> { authorisation, ..Default::default() });
		OracleCount::<T>::mutate(|n| *n = n.saturating_add(1));
	}

	/// Measured weight of one signature verification in `scheme`.
	pub fn verify_weight(scheme: SignatureScheme) -> Weight {
		match scheme {
			SignatureScheme::Ed25519 => T::WeightInfo::verify_ed25519(),
			SignatureScheme::Sr25519 => T::WeightInfo::verify_sr25519(),
			SignatureScheme::EcdsaSecp256k1 => T::WeightInfo::verify_ecdsa_secp256k1(),
			SignatureScheme::EcdsaP256 => T::WeightInfo::verify_ecdsa_p256(),
		}
	}

	/// Extra cost of a `scheme` signature over the Ed25519 one the kind benchmarks use.
	fn scheme_surcharge(scheme: SignatureScheme) -> Weight {
		Self::verify_weight(scheme).saturating_sub(T::WeightInfo::verify_ed25519())
	}

	/// Devices an attestation may make active in an epoch besides those its batch's
	/// [`BatchCharge`] pays for (each costs [`Pallet::activation_weight`]): a heartbeat
	/// none (its activation is in the charge); a beacon or a witness report none (nothing is
	/// credited before the reveal); a reveal its beaconer and every witness it credits.
	pub fn activations_charged(attestation: &SignedAttestation) -> u64 {
		match attestation {
			SignedAttestation::Heartbeat { .. }
			| SignedAttestation::Beacon { .. }
			| SignedAttestation::Witness { .. } => 0,
			SignedAttestation::Reveal(_) => 1 + u64::from(T::MaxWitnessCandidates::get()),
		}
	}

	/// Weight of judging one witness candidate at a reveal, the dearer of its two measured
	/// outcomes: a valid tag credited (the witness's registry record, its activity record,
	/// its tally pages of the beacon's epoch and the next, its density cell) or an invalid
	/// one (a bar written, an event). A valid tag past `max_witnesses_per_beacon` costs less
	/// than either (the tag's hash only).
	pub fn reveal_candidate_weight() -> Weight {
		let credited = T::WeightInfo::reveals(1).saturating_sub(T::WeightInfo::reveals(0));
		let invalid =
			T::WeightInfo::reveals_invalid(1).saturating_sub(T::WeightInfo::reveals_invalid(0));
		credited.max(invalid)
	}

	/// Weight of one heartbeat on its own: its device's record, its signature check (Ed25519)
	/// and its bits, on pages already read, its device already active (`heartbeats_active`).
	pub fn heartbeat_weight() -> Weight {
		T::WeightInfo::heartbeats_active(1).saturating_sub(T::WeightInfo::heartbeats_active(0))
	}

	/// Weight of one bitmap page a batch reads and writes (a heartbeat page or a tally page):
	/// half of what a heartbeat on pages of its own costs more than one on a shared page.
	pub fn page_weight() -> Weight {
		let own = T::WeightInfo::heartbeats(1).saturating_sub(T::WeightInfo::heartbeats(0));
		let shared = T::WeightInfo::heartbeats_one_page(1)
			.saturating_sub(T::WeightInfo::heartbeats_one_page(0));
		own.saturating_sub(shared) / 2
	}

	/// Weight of reading one slot anchor (a block hash).
	pub fn anchor_weight() -> Weight {
		T::DbWeight::get().reads(1)
	}

	/// Weight of one device made active (by a heartbeat, or credited by a reveal): the score
	/// sink's part per device of `devices_active` (its dearest case: the rewards ledger a first
	/// attestation of the epoch touches, the epochs it settles), plus the reads of the
	/// device's two tally pages it settles from (the sink's benchmark has every device in one
	/// page, so it counts them once in its fixed part; a batch may span pages).
	pub fn activation_weight() -> Weight {
		T::ScoreSink::devices_active_weight(1)
			.saturating_sub(T::ScoreSink::devices_active_weight(0))
			.saturating_add(T::DbWeight::get().reads(2))
	}

	/// Weight of the score sink's one call per batch, shared by the devices it makes active
	/// (the clock, the pools it settles from, one transfer of what expired): charged to every
	/// batch, refunded to a batch that made no device active.
	pub fn activations_base_weight() -> Weight {
		T::ScoreSink::devices_active_weight(0)
	}

	/// Weight of what `charge` pays for.
	pub fn charge_weight(charge: &BatchCharge) -> Weight {
		Self::activation_weight()
			.saturating_mul(u64::from(charge.activations))
			.saturating_add(Self::page_weight().saturating_mul(u64::from(charge.pages)))
			.saturating_add(Self::anchor_weight().saturating_mul(u64::from(charge.anchors)))
	}

	/// Weight of one attestation in a batch on its own (worst case: every signature checked,
	/// every device it may activate reported to the score sink), without what the batch's
	/// [`BatchCharge`] pays for.
	pub fn attestation_weight(attestation: &SignedAttestation) -> Weight {
		let db = T::DbWeight::get();
		let own =
			match attestation {
				SignedAttestation::Heartbeat { signature, .. } => Self::heartbeat_weight()
					.saturating_add(Self::scheme_surcharge(signature.scheme())),
				SignedAttestation::Beacon { signature, .. } => T::WeightInfo::beacons(1)
					.saturating_sub(T::WeightInfo::beacons(0))
					.saturating_add(Self::scheme_surcharge(signature.scheme())),
				// Plus the witness's bar record.
				SignedAttestation::Witness { signature, .. } => T::WeightInfo::witnesses(1)
					.saturating_sub(T::WeightInfo::witnesses(0))
					.saturating_add(Self::scheme_surcharge(signature.scheme()))
					.saturating_add(db.reads(1)),
				// The reveal with no candidate (the beacon's record and the beaconer's), every
				// candidate the beacon may hold, and the beaconer's credit (as a witness's).
				SignedAttestation::Reveal(_) => T::WeightInfo::reveals(0)
					.saturating_sub(T::WeightInfo::heartbeats(0))
					.saturating_add(Self::reveal_candidate_weight().saturating_mul(
						u64::from(T::MaxWitnessCandidates::get()).saturating_add(1),
					)),
			};
		own.saturating_add(
			Self::activation_weight().saturating_mul(Self::activations_charged(attestation)),
		)
	}

	/// Heartbeats among `attestations`.
	pub fn heartbeat_count(attestations: &[SignedAttestation]) -> u32 {
		attestations.iter().filter(|a| matches!(a, SignedAttestation::Heartbeat { .. })).count()
			as u32
	}

	/// Weight of a batch of `attestations` with `charge`: the fixed part, each attestation's
	/// own weight, and what the charge pays for (capped at its heartbeats' worst case). See
	/// `BatchContext::commit` for the refunds.
	pub fn batch_weight(attestations: &[SignedAttestation], charge: &BatchCharge) -> Weight {
		let charge = charge.capped(Self::heartbeat_count(attestations));
		attestations
			.iter()
			.fold(
				T::WeightInfo::heartbeats_active(0).saturating_add(Self::activations_base_weight()),
				|total, attestation| total.saturating_add(Self::attestation_weight(attestation)),
			)
			.saturating_add(Self::charge_weight(&charge))
	}

	/// A device's coverage activity in `epoch` (beacon, witness reports, coverage), if
	/// it is still stored.
	pub fn activity(device: &DeviceId, epoch: EpochIndex) -> Option<EpochActivity> {
		DeviceActivity::<T>::get(device).and_then(|record| record.get(epoch).cloned())
	}

	/// Bit `s` set: `device`'s heartbeat for slot `s` of `epoch` was counted.
	pub fn heartbeat_slots(device: &DeviceInfo<T::AccountId>, epoch: EpochIndex) -> u128 {
		let slots = EpochSlots::<T>::get(epoch).unwrap_or(0);
		let (page, at) = locate(device.index);
		(0..slots.min(depin_primitives::attestation::MAX_SLOTS_PER_EPOCH)).fold(
			0u128,
			|bits, slot| {
				let counted =
					HeartbeatPages::<T>::get(epoch, (slot, page)).is_some_and(|p| p.get(at));
				bits | (u128::from(counted) << slot)
			},
		)
	}

	/// What `device` did in `epoch` and its score (see
	/// [`depin_primitives::api::DeviceEpochReport`]); `None` if the device is unknown or did
	/// nothing the chain still records.
	pub fn device_report(
		device: &DeviceId,
		epoch: EpochIndex,
	) -> Option<depin_primitives::api::DeviceEpochReport> {
		let info = T::Devices::device(device)?;
		let heartbeat_slots = Self::heartbeat_slots(&info, epoch);
		let activity = Self::activity(device, epoch);
		let beacon = Beacons::<T>::get(epoch, device);
		if heartbeat_slots == 0 && activity.is_none() && beacon.is_none() {
			return None;
		}
		let activity = activity.unwrap_or_else(|| EpochActivity::new(epoch));
		let (page, at) = locate(info.index);
		let located = TallyPages::<T>::get(epoch, page).is_some_and(|tally| tally.is_located(at));
		let uptime = if located {
			u64::from(heartbeat_slots.count_ones())
				.saturating_mul(depin_primitives::attestation::SCORE_UNIT)
		} else {
			0
		};
		Some(depin_primitives::api::DeviceEpochReport {
			epoch,
			heartbeat_slots,
			located,
			beacon_accepted: beacon.as_ref().is_some_and(|b| b.revealed),
			beacon_witnesses: beacon.as_ref().map_or(0, |b| b.witnesses),
			witness_reports: activity.witness_reports,
			score: EpochScore { uptime, coverage: activity.coverage },
		})
	}

	/// `device`'s (at registration `index`) score in `epoch` from its tally byte (and, if it
	/// has coverage, its activity record): one or two reads whatever the number of slots.
	/// `None` once the epoch's pages are pruned (older than `EpochHistory`).
	pub fn score_of(
		device: &DeviceId,
		index: DeviceIndex,
		epoch: EpochIndex,
	) -> Option<EpochScore> {
		if epoch < PagesKeptFrom::<T>::get() {
			return None;
		}
		let (page, at) = locate(index);
		let tally = TallyPages::<T>::get(epoch, page)?;
		let uptime = u64::from(tally.earning_heartbeats(at))
			.saturating_mul(depin_primitives::attestation::SCORE_UNIT);
		let coverage = if tally.has_coverage(at) {
			Self::activity(device, epoch).map_or(0, |activity| activity.coverage)
		} else {
			0
		};
		Some(EpochScore { uptime, coverage })
	}

	/// Weight of [`Pallet::score_of`] (a tally page and an activity record).
	pub fn score_weight() -> Weight {
		T::WeightInfo::device_score()
	}

	/// Removes the pages of epochs older than `EpochHistory`, as many as `remaining` weight
	/// allows (at most one epoch per block).
	pub(crate) fn prune_pages(remaining: Weight) -> Weight {
		let check = T::DbWeight::get().reads(2);
		if remaining.any_lt(check) {
			return Weight::zero();
		}
		let Some(current) = CurrentEpoch::<T>::get() else { return check };
		let keep_from = current.index.saturating_sub(T::EpochHistory::get().saturating_sub(1));
		let epoch = PagesKeptFrom::<T>::get();
		if epoch >= keep_from {
			return check;
		}
		let per_page = T::WeightInfo::prune_pages(1).saturating_sub(T::WeightInfo::prune_pages(0));
		let base = check.saturating_add(T::WeightInfo::prune_pages(0));
		let limit = remaining
			.saturating_sub(base)
			.ref_time()
			.checked_div(per_page.ref_time().max(1))
			.unwrap_or(0)
			.min(u64::from(MAX_PAGES_PRUNED_PER_BLOCK)) as u32;
		if limit == 0 {
			return check;
		}
		let heartbeats = HeartbeatPages::<T>::clear_prefix(epoch, limit, None);
		let mut loops = heartbeats.loops;
		if heartbeats.maybe_cursor.is_none() {
			let tallies = TallyPages::<T>::clear_prefix(epoch, limit.saturating_sub(loops), None);
			loops = loops.saturating_add(tallies.loops);
			if tallies.maybe_cursor.is_none() {
				let beacons = Beacons::<T>::clear_prefix(epoch, limit.saturating_sub(loops), None);
				loops = loops.saturating_add(beacons.loops);
				if beacons.maybe_cursor.is_none() {
					PagesKeptFrom::<T>::put(epoch.saturating_add(1));
					Self::deposit_event(Event::EpochPagesPruned { epoch });
				}
			}
		}
		base.saturating_add(per_page.saturating_mul(u64::from(loops)))
	}

	/// Whether `device` is challenged in the current or previous epoch `epoch`.
	pub fn is_challenged(device: &DeviceId, epoch: EpochIndex) -> Option<bool> {
		Self::epoch_info(epoch).map(|info| {
			depin_primitives::attestation::is_challenged(
				&info.randomness,
				device,
				info.challenge_rate.deconstruct(),
			)
		})
	}

	/// The current or previous epoch with index `epoch`.
	pub fn epoch_info(epoch: EpochIndex) -> Option<EpochInfoOf<T>> {
		CurrentEpoch::<T>::get()
			.filter(|e| e.index == epoch)
			.or_else(|| PreviousEpoch::<T>::get().filter(|e| e.index == epoch))
	}

	/// The pallet's invariants: the oracle count matches, the current epoch follows the
	/// previous one; every tally byte counts exactly the device's heartbeat bits; in each open
	/// epoch the devices' coverage sums to the coverage total and the tallies to the uptime
	/// total; no pages remain below `PagesKeptFrom`.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use depin_primitives::attestation::{DEVICES_PER_PAGE, SCORE_UNIT};
		ensure!(
			Oracles::<T>::iter_keys().count() as u32 == OracleCount::<T>::get(),
			"OracleCount does not match Oracles"
		);
		if let (Some(current), Some(previous)) =
			(CurrentEpoch::<T>::get(), PreviousEpoch::<T>::get())
		{
			ensure!(previous.index + 1 == current.index, "previous epoch is not current - 1");
		}
		let mut coverage = BTreeMap::<EpochIndex, u64>::new();
		for (_, record) in DeviceActivity::<T>::iter() {
			for activity in record.by_parity.iter().flatten() {
				let sum = coverage.entry(activity.epoch).or_default();
				*sum = sum.saturating_add(activity.coverage);
			}
		}
		let kept_from = PagesKeptFrom::<T>::get();
		// Heartbeat bits per (epoch, page, position), to compare with the tallies.
		let mut counted =
			BTreeMap::<(EpochIndex, PageIndex), [u8; DEVICES_PER_PAGE as usize]>::new();
		for (epoch, (_, page), bits) in HeartbeatPages::<T>::iter() {
			ensure!(epoch >= kept_from, "heartbeat page of a pruned epoch");
			let counts = counted.entry((epoch, page)).or_insert([0; DEVICES_PER_PAGE as usize]);
			for (at, count) in counts.iter_mut().enumerate() {
				*count += u8::from(bits.get(at));
			}
		}
		let mut uptime = BTreeMap::<EpochIndex, u64>::new();
		for (epoch, page, tally) in TallyPages::<T>::iter() {
			ensure!(epoch >= kept_from, "tally page of a pruned epoch");
			let sum = uptime.entry(epoch).or_default();
			*sum = sum.saturating_add(tally.earning_total() * SCORE_UNIT);
			let counts = counted.remove(&(epoch, page)).unwrap_or([0; DEVICES_PER_PAGE as usize]);
			for (at, count) in counts.iter().enumerate() {
				ensure!(tally.heartbeats(at) == *count, "a tally differs from the heartbeat bits");
			}
		}
		ensure!(counted.is_empty(), "heartbeats counted in a page without a tally");
		for (epoch, _, beacon) in Beacons::<T>::iter() {
			ensure!(epoch >= kept_from, "beacon of a pruned epoch");
			ensure!(
				!beacon.revealed || beacon.candidates.is_empty(),
				"a revealed beacon still holds candidates"
			);
			ensure!(
				beacon.witnesses <= T::MaxWitnessesPerBeacon::get(),
				"a beacon credited more witnesses than the bound"
			);
		}
		for epoch in [CurrentEpoch::<T>::get(), PreviousEpoch::<T>::get()].into_iter().flatten() {
			let totals = EpochTotals::<T>::get(epoch.index);
			ensure!(
				coverage.get(&epoch.index).copied().unwrap_or(0) == totals.coverage,
				"device coverage does not sum to the epoch total"
			);
			ensure!(
				uptime.get(&epoch.index).copied().unwrap_or(0) == totals.uptime,
				"heartbeat bits do not sum to the epoch's uptime total"
			);
		}
		Ok(())
	}
}
