//! Configuration of every pallet in the runtime.
//!
//! Weights: every standard pallet uses the weights shipped with its stable2609 release
//! (`SubstrateWeight`, or for BABE/GRANDPA the pallet's own default implementation, which is
//! the one the release benchmarks), never an unmeasured `()`.

pub mod governance;

use crate::{
	deposit, AccountId, Babe, Balance, Balances, BlockNumber, Hash, Historical, Moment, Nonce,
	Offences, OriginCaller, PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, Session, SessionKeys, Staking, System,
	UncheckedExtrinsic, VoterList, DAYS, EPOCH_DURATION_IN_SLOTS, EXISTENTIAL_DEPOSIT, HOURS,
	MICRO_UNIT, MILLISECS_PER_BLOCK, MINUTES, SLOT_DURATION, SS58_PREFIX, TREASURY_PALLET_ID, UNIT,
	VERSION,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use depin_primitives::attestation::SCORE_UNIT;
use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		tokens::imbalance::ResolveTo,
		ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, InstanceFilter, Nothing, OnUnbalanced,
		VariantCountOf,
	},
	weights::{
		constants::{
			BlockExecutionWeight, ExtrinsicBaseWeight, ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND,
		},
		ConstantMultiplier, Weight,
	},
	PalletId,
};
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_device_registry::RegistryParameters;
use pallet_proof_of_coverage::PocParameters;
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{AccountIdConversion, Bounded},
	FixedPointNumber, Perbill, Perquintill,
};
use sp_staking::{EraIndex, SessionIndex};

/// We assume that ~10% of the block weight is consumed by `on_initialize` handlers.
/// This is used to limit the maximal weight of a single extrinsic.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(10);
/// Normal extrinsics (among them the oracles' batches, the chain's main work) may fill 90% of
/// a block; the rest is reserved for operational ones (and `on_idle` has what is left). Chosen
/// from measurement (`docs/performance.md`, "The block's budget"): a block at saturation is
/// built in about its charged weight, well inside its six-second slot.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(90);
/// The largest block, in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// Two seconds of compute in a six-second block.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2), u64::MAX);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: sp_version::RuntimeVersion = VERSION;
	/// 5 MiB blocks, of which normal transactions may fill 90%.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(frame_support::dispatch::DispatchClass::Normal, |m| {
			*m = NORMAL_DISPATCH_RATIO * *m
		})
		.build();
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(BlockExecutionWeight::get())
		.for_class(frame_support::dispatch::DispatchClass::all(), |weights| {
			weights.base_extrinsic = ExtrinsicBaseWeight::get();
		})
		.for_class(frame_support::dispatch::DispatchClass::Normal, |weights| {
			weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.for_class(frame_support::dispatch::DispatchClass::Operational, |weights| {
			weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			// Operational transactions have some extra reserved space, so that they
			// are included even if block reached `MAXIMUM_BLOCK_WEIGHT`.
			weights.reserved = Some(
				MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT
			);
		})
		.avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
		.build_or_panic();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = crate::Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node runs ParityDB (see docs/architecture.md), so weights use its constants.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SystemWeightInfo = frame_system::weights::SubstrateWeight<Runtime>;
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

// ---------------------------------------------------------------------------------------------
// Consensus: BABE, GRANDPA, timestamp, authorship
// ---------------------------------------------------------------------------------------------

parameter_types! {
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
	pub const ExpectedBlockTime: Moment = MILLISECS_PER_BLOCK;
	/// Equivocation reports are valid for as long as an offender can still be slashed.
	pub const ReportLongevity: u64 =
		BondingDuration::get() as u64 * SessionsPerEra::get() as u64 * EpochDuration::get();
	pub const MaxAuthorities: u32 = 100;
	pub const MaxNominators: u32 = 512;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	// Session rotation triggers the epoch change, so BABE authorities follow the session.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = MaxNominators;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = MaxNominators;
	type MaxSetIdSessionEntries = MaxSetIdSessionEntries;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

parameter_types! {
	pub const MaxSetIdSessionEntries: u32 = BondingDuration::get() * SessionsPerEra::get();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = Moment;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	// Staking gives era points to block authors.
	type EventHandler = Staking;
}

// ---------------------------------------------------------------------------------------------
// Balances and fees
// ---------------------------------------------------------------------------------------------

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

/// Transaction fees and tips go to the author of the block that includes them.
pub struct ToBlockAuthor;
impl OnUnbalanced<Credit<AccountId, Balances>> for ToBlockAuthor {
	fn on_nonzero_unbalanced(amount: Credit<AccountId, Balances>) {
		match pallet_authorship::Pallet::<Runtime>::author() {
			Some(author) => {
				// Resolving can only fail if the author account cannot exist; the credit is
				// then dropped, which burns it.
				let _ = <Balances as Balanced<AccountId>>::resolve(&author, amount);
			}
			None => drop(amount),
		}
	}
}

parameter_types! {
	/// Weight fee: 10 plancks per picosecond of ref time, so a plain transfer costs a few
	/// milli-tokens.
	pub const WeightFeePerRefTime: Balance = 10;
	/// Length fee: 10 micro-tokens per byte.
	pub const TransactionByteFee: Balance = 10 * MICRO_UNIT;
	/// Operational transactions (e.g. equivocation reports) pay 5x for their priority.
	pub const OperationalFeeMultiplier: u8 = 5;
	/// Blocks fuller than this raise fees, emptier ones lower them.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(1, 100_000);
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 1_000_000_000u128);
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ToBlockAuthor>;
	type OperationalFeeMultiplier = OperationalFeeMultiplier;
	type WeightToFee = ConstantMultiplier<Balance, WeightFeePerRefTime>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

// ---------------------------------------------------------------------------------------------
// Session, staking, elections, offences
// ---------------------------------------------------------------------------------------------

parameter_types! {
	/// Sessions in one era: one era = 6 × 10 min = 1 hour.
	pub const SessionsPerEra: SessionIndex = 6;
	/// Eras a stake stays bonded after `unbond`: 24 hours.
	pub const BondingDuration: EraIndex = 24;
	/// Eras a slash waits before it applies, so governance can cancel a wrong one.
	pub const SlashDeferDuration: EraIndex = 6;
	pub const MaxExposurePageSize: u32 = 256;
	/// Upper bound on validators the election may return.
	pub const MaxActiveValidators: u32 = 100;
	pub const MaxBackersPerWinner: u32 = 2_048;
	/// Voters and targets the on-chain election reads: bounded so the election block fits.
	pub ElectionBoundsOnChain: ElectionBounds = ElectionBoundsBuilder::default()
		.voters_count(5_000.into())
		.targets_count(1_250.into())
		.build();
	pub const HistoryDepth: u32 = 84;
	pub const MaxControllersInDeprecationBatch: u32 = 500;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	// Session keys cost no deposit: only bonded validators are elected anyway.
	type KeyDeposit = ();
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

parameter_types! {
	pub const BagThresholds: &'static [u64] = &crate::voter_bags::THRESHOLDS;
}

/// The on-chain election: sequential Phragmén over the bounded voter and target snapshots.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type Sort = ConstBool<true>;
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type MaxBackersPerWinner = MaxBackersPerWinner;
	type MaxWinnersPerPage = MaxActiveValidators;
	type Bounds = ElectionBoundsOnChain;
}

/// Sizes the staking benchmarks use.
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxNominators = ConstU32<1000>;
	type MaxValidators = ConstU32<1000>;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CurrencyBalance = Balance;
	type UnixTime = crate::Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	type HistoryDepth = HistoryDepth;
	// Slashed stakes and any unminted remainder go to the treasury, for governance to spend.
	type RewardRemainder = ResolveTo<TreasuryAccount, Balances>;
	type RuntimeEvent = RuntimeEvent;
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	type Reward = ();
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type AdminOrigin = EnsureRoot<AccountId>;
	type SessionInterface = Self;
	// Stakers are paid from the DePIN emission's staking share, not a second inflation.
	type EraPayout = EmissionEraPayout;
	type NextNewSession = Session;
	type MaxExposurePageSize = MaxExposurePageSize;
	type MaxValidatorSet = MaxActiveValidators;
	type VoterList = VoterList;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxControllersInDeprecationBatch = MaxControllersInDeprecationBatch;
	type EventListeners = ();
	type Filter = Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

impl pallet_bags_list::Config<pallet_bags_list::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Staking is the source of truth for a voter's stake.
	type ScoreProvider = Staking;
	type WeightInfo = pallet_bags_list::weights::SubstrateWeight<Runtime>;
	type BagThresholds = BagThresholds;
	type MaxAutoRebagPerBlock = ConstU32<5>;
	type Score = frame_election_provider_support::VoteWeight;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}

// ---------------------------------------------------------------------------------------------
// Utility, proxy, multisig, sudo
// ---------------------------------------------------------------------------------------------

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// What a proxy may do for the account that appointed it.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Anything the account may do.
	#[default]
	Any,
	/// Anything except moving funds (transfers and changes to who holds what).
	NonTransfer,
	/// Staking, session keys and batches of those: for a validator's or nominator's hot key.
	Staking,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => !matches!(call, RuntimeCall::Balances(..)),
			ProxyType::Staking => matches!(
				call,
				RuntimeCall::Staking(..) | RuntimeCall::Session(..) | RuntimeCall::Utility(..)
			),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		match (self, o) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, _) => true,
			_ => false,
		}
	}
}

parameter_types! {
	// One storage item; key size 32, value size 8.
	pub const ProxyDepositBase: Balance = deposit(1, 8);
	// Additional storage item size of 33 bytes.
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	pub const AnnouncementDepositBase: Balance = deposit(1, 8);
	pub const AnnouncementDepositFactor: Balance = deposit(0, 66);
	// One storage item; key size is 32; value is size 4+4+16+32 bytes = 56 bytes.
	pub const MultisigDepositBase: Balance = deposit(1, 88);
	// Additional storage item size of 32 bytes.
	pub const MultisigDepositFactor: Balance = deposit(0, 32);
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = sp_runtime::traits::BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}

// ---------------------------------------------------------------------------------------------
// DePIN
// ---------------------------------------------------------------------------------------------

parameter_types! {
	/// The treasury's account (the same one `pallet-treasury` will use): receives registry
	/// fees and slashed device bonds.
	pub TreasuryAccount: AccountId = TREASURY_PALLET_ID.into_account_truncating();
	/// Registry parameters until governance sets others (real-network values; the dev and
	/// local presets shorten the periods).
	pub const DeviceRegistryDefaults: RegistryParameters<Balance, BlockNumber> = RegistryParameters {
		device_bond: 100 * UNIT,
		location_fee: UNIT,
		location_update_interval: HOURS,
		unbonding_period: 7 * DAYS,
		max_devices_per_owner: 10_000,
	};
}

impl pallet_device_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = crate::governance::NetworkParametersOrigin;
	type Revenue = ResolveTo<TreasuryAccount, Balances>;
	type DefaultParameters = DeviceRegistryDefaults;
	type MaxDevicesPerOwner = ConstU32<100_000>;
	type MaxMetadataLen = ConstU32<64>;
	type MaxReasonLen = ConstU32<128>;
	type MaxMakerNameLen = ConstU32<64>;
	/// Resolution 8 cells (~0.74 km²) are the coarsest a device may assert, 12 (~300 m²) the
	/// finest.
	type MinLocationResolution = ConstU8<8>;
	type MaxLocationResolution = ConstU8<12>;
	/// Density is counted in resolution 7 cells (~5.2 km²).
	type DensityResolution = ConstU8<7>;
	type WeightInfo = pallet_device_registry::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Proof-of-coverage rules until governance sets others (real-network values: hourly
	/// epochs of six 10-minute slots, so a million devices send ~1,700 heartbeats a second;
	/// the dev and local presets use 1-minute epochs).
	pub const ProofOfCoverageDefaults: PocParameters<BlockNumber> = PocParameters {
		epoch_length: HOURS,
		slots_per_epoch: 6,
		heartbeat_grace: 2 * MINUTES,
		// Two minutes of the next epoch for beacons and witness reports to land; the other 58
		// for reveals.
		witness_grace: 2 * MINUTES,
		challenge_rate: Perbill::from_percent(10),
		max_witnesses_per_beacon: 14,
		// Room for honest witnesses next to a few junk reports; each junk report bars its
		// device for a day of epochs once the reveal shows it.
		max_witness_candidates: 20,
		invalid_tag_bar_epochs: 24,
		// Each junk tag costs its device a tenth of its bond (a device that junk-tags every
		// beacon of a busy area for one epoch loses nearly all of it).
		invalid_tag_slash: Perbill::from_percent(10),
		min_witness_distance_m: 300,
		max_witness_distance_m: 50_000,
		// US915 allows 36 dBm EIRP, EU868 27 dBm: the looser bound.
		max_eirp_dbm: 36,
		rssi_margin_db: 6,
		min_frequency_khz: 400_000,
		max_frequency_khz: 6_000_000,
		target_density: 10,
		beacon_score: 10 * SCORE_UNIT,
		witness_score: 5 * SCORE_UNIT,
		// Uptime pays only where coverage is proven: a device nobody hears (a location
		// spoofer, a device with no radio) earns nothing for being on.
		uptime_needs_coverage: true,
		// One oracle may fill the normal class with dense batches (32 × 1,024 heartbeats,
		// 1.6 s of weight): the per-batch cap (a quarter block) and the class, not this
		// count, bound its weight (`docs/performance.md`, "The block's budget").
		max_batches_per_block: 32,
		batch_longevity: 10,
	};
}

impl pallet_proof_of_coverage::Config for Runtime {
	type Devices = crate::DeviceRegistry;
	// BABE's VRF output of the parent block (BABE's own advice: the current block's output is
	// not final while it is being built): unknown until the block before the epoch is out.
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	// Rewards settle devices when they become active and close epochs when they are final.
	type ScoreSink = crate::Rewards;
	type Penalties = crate::DeviceRegistry;
	type GovernanceOrigin = crate::governance::NetworkParametersOrigin;
	type DefaultParameters = ProofOfCoverageDefaults;
	type MaxBatchSize = ConstU32<1024>;
	type MaxWitnessesPerBeacon = ConstU32<25>;
	type MaxWitnessCandidates = ConstU32<32>;
	type MaxOracles = ConstU32<100>;
	type EpochHistory = ConstU32<168>;
	type WeightInfo = pallet_proof_of_coverage::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RegistryBenchmarkHelper;
}

/// Registers devices in the real registry for proof-of-coverage benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct RegistryBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_proof_of_coverage::BenchmarkHelper<AccountId> for RegistryBenchmarkHelper {
	fn register_device(
		owner: &AccountId,
		key: depin_primitives::DeviceKey,
		location: depin_primitives::H3Cell,
		proof: depin_primitives::DeviceSignature,
	) {
		use frame_support::traits::fungible::Mutate;
		Balances::set_balance(owner, 1_000_000 * UNIT);
		crate::DeviceRegistry::register_device(
			RuntimeOrigin::signed(owner.clone()),
			key,
			depin_primitives::DeviceKind::Hotspot,
			location,
			Default::default(),
			proof,
			None,
		)
		.expect("benchmark devices register");
	}

	fn skip_device_indexes(count: u32) {
		pallet_device_registry::NextDeviceIndex::<Runtime>::mutate(|next| {
			*next = next.saturating_add(count)
		});
	}
}

/// Staking's era payout: the staking share of the epochs closed since the last era.
pub struct EmissionEraPayout;

impl sp_staking::EraPayout<Balance> for EmissionEraPayout {
	fn era_payout(_staked: Balance, _issuance: Balance, _era_millis: u64) -> (Balance, Balance) {
		(crate::Rewards::take_staking_payout(), 0)
	}
}

parameter_types! {
	/// The pot where device rewards wait to be claimed (`dpn/rwds`).
	pub const RewardsPalletId: PalletId = PalletId(*b"dpn/rwds");
	/// Emission until governance sets another: 1,000 tokens an epoch (hourly: 8.76 M a year),
	/// halving every 17,520 epochs (two years), total issuance capped at one billion tokens.
	pub const DefaultEmission: pallet_rewards::EmissionSchedule<Balance> =
		pallet_rewards::EmissionSchedule {
			initial_per_epoch: 1_000 * UNIT,
			halving_interval: 17_520,
			start_epoch: 0,
			supply_cap: Some(1_000_000_000 * UNIT),
		};
	/// Coverage 35 %, uptime 20 %, data transfer 15 %, staking 20 %, treasury 10 %.
	pub const DefaultRewardSplit: pallet_rewards::PoolSplit = pallet_rewards::PoolSplit {
		coverage: Perbill::from_percent(35),
		uptime: Perbill::from_percent(20),
		data_transfer: Perbill::from_percent(15),
		staking: Perbill::from_percent(20),
		treasury: Perbill::from_percent(10),
	};
}

impl pallet_rewards::Config for Runtime {
	type Currency = Balances;
	type Devices = crate::DeviceRegistry;
	type Scores = crate::ProofOfCoverage;
	type GovernanceOrigin = crate::governance::NetworkParametersOrigin;
	type PalletId = RewardsPalletId;
	type TreasuryAccount = TreasuryAccount;
	type DefaultSchedule = DefaultEmission;
	type DefaultSplit = DefaultRewardSplit;
	// Proof of coverage keeps an epoch's pages `EpochHistory` (168) epochs; an epoch expires
	// `horizon` epochs after it closes, itself two epochs after it ends: 166 keeps every
	// settlement within reach of its scores.
	type DefaultExpiryHorizon = ConstU32<166>;
	type MaxExpiryHorizon = ConstU32<166>;
	type MaxClaimDevices = ConstU32<32>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RewardsBenchmarkHelper;
}

parameter_types! {
	/// Until governance sets others: 100,000 credits per token (one credit is 10^7 plancks,
	/// 0.00001 DPIN), and 20 % of the tokens behind spent credits minted back to the treasury
	/// as protocol revenue (the other 80 % stay burned).
	pub ServiceDefaults: pallet_service_payments::ServiceParameters =
		pallet_service_payments::ServiceParameters {
			credits_per_token: sp_runtime::FixedU128::from_u32(100_000),
			revenue_share: Perbill::from_percent(20),
		};
	pub const TokenUnit: Balance = UNIT;
}

impl pallet_service_payments::Config for Runtime {
	type Currency = Balances;
	type Signature = depin_primitives::Signature;
	type Devices = crate::DeviceRegistry;
	// Usage counts in proof of coverage's epoch in progress...
	type Epochs = crate::ProofOfCoverage;
	// ...and is paid from rewards' data-transfer pool when the epoch closes.
	type Usage = crate::Rewards;
	type TreasuryAccount = TreasuryAccount;
	type GovernanceOrigin = crate::governance::NetworkParametersOrigin;
	type TokenUnit = TokenUnit;
	type DefaultParameters = ServiceDefaults;
	type MaxOpenChannels = ConstU32<64>;
	type MaxChannelLifetime = ConstU32<{ 90 * DAYS }>;
	// An hour to settle the last receipt after expiry, then the consumer can close.
	type SettlementGrace = ConstU32<{ HOURS }>;
	type WeightInfo = pallet_service_payments::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ServicePaymentsBenchmarkHelper;
}

/// Devices, an epoch and a consumer key held in the benchmark keystore, for service-payments
/// benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct ServicePaymentsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
const BENCH_CONSUMER_SEED: &[u8] = b"//BenchConsumer";

#[cfg(feature = "runtime-benchmarks")]
impl pallet_service_payments::BenchmarkHelper<AccountId, depin_primitives::Signature>
	for ServicePaymentsBenchmarkHelper
{
	fn register_device(owner: &AccountId, seed: u32) -> depin_primitives::DeviceId {
		<RewardsBenchmarkHelper as pallet_rewards::BenchmarkHelper<AccountId>>::register_device(
			owner, seed,
		)
		.0
	}

	fn start_epoch() {
		use frame_support::traits::Hooks;
		if pallet_proof_of_coverage::CurrentEpoch::<Runtime>::get().is_none() {
			let now = frame_system::Pallet::<Runtime>::block_number().max(1);
			frame_system::Pallet::<Runtime>::set_block_number(now);
			crate::ProofOfCoverage::on_initialize(now);
		}
	}

	fn consumer() -> AccountId {
		let public = sp_io::crypto::sr25519_generate(
			sp_core::crypto::key_types::ACCOUNT,
			Some(BENCH_CONSUMER_SEED.to_vec()),
		);
		public.into()
	}

	fn sign(message: &[u8]) -> depin_primitives::Signature {
		let public = sp_io::crypto::sr25519_generate(
			sp_core::crypto::key_types::ACCOUNT,
			Some(BENCH_CONSUMER_SEED.to_vec()),
		);
		sp_io::crypto::sr25519_sign(sp_core::crypto::key_types::ACCOUNT, &public, message)
			.expect("the key was just generated in the benchmark keystore")
			.into()
	}
}

/// Devices and scores for rewards benchmarks, in the real registry and proof of coverage.
#[cfg(feature = "runtime-benchmarks")]
pub struct RewardsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId> for RewardsBenchmarkHelper {
	fn register_device(
		owner: &AccountId,
		seed: u32,
	) -> (depin_primitives::DeviceId, depin_primitives::DeviceIndex) {
		use depin_primitives::{
			device::p256_sign, DeviceInspect, RegistrationPayload, SignedPayload,
		};
		use frame_support::traits::fungible::Mutate;
		// A P-256 key (signed in pure Rust: no keystore needed in the runtime).
		let mut secret = [7u8; 32];
		secret[..4].copy_from_slice(&seed.to_le_bytes());
		let (key, _) = p256_sign(&secret, b"").expect("valid scalar");
		let genesis = crate::ProofOfCoverage::genesis_hash();
		let message =
			RegistrationPayload { genesis_hash: &genesis, owner, key: &key, registrations: 0 }
				.signing_bytes();
		let (_, proof) = p256_sign(&secret, &message).expect("valid scalar");
		Balances::set_balance(owner, 1_000_000 * UNIT);
		crate::DeviceRegistry::register_device(
			RuntimeOrigin::signed(owner.clone()),
			key.clone(),
			depin_primitives::DeviceKind::Hotspot,
			depin_primitives::H3Cell(0x8c1fb46624125ff),
			Default::default(),
			proof,
			None,
		)
		.expect("benchmark devices register");
		let id = key.device_id();
		let index = crate::DeviceRegistry::device(&id).expect("registered").index;
		(id, index)
	}

	fn set_score(
		device: &depin_primitives::DeviceId,
		index: depin_primitives::DeviceIndex,
		epoch: depin_primitives::EpochIndex,
		score: depin_primitives::EpochScore,
	) {
		use depin_primitives::attestation::SCORE_UNIT;
		use pallet_proof_of_coverage::{locate, DeviceActivity, TallyPage, TallyPages};
		let (page, at) = locate(index);
		TallyPages::<Runtime>::mutate(epoch, page, |tally| {
			let tally = tally.get_or_insert_with(|| TallyPage::new(0));
			// Located: its heartbeats earn.
			tally.mark_located(at);
			for _ in 0..(score.uptime / SCORE_UNIT).min(100) {
				tally.add_heartbeat(at);
			}
			if score.coverage > 0 {
				tally.mark_coverage(at);
			}
		});
		DeviceActivity::<Runtime>::mutate(device, |record| {
			let record = record.get_or_insert_with(Default::default);
			record.get_mut(epoch).coverage = score.coverage;
		});
	}

	fn add_devices(count: u32) {
		// Registry records written directly: what matters is the size of the state.
		let start = pallet_device_registry::NextDeviceIndex::<Runtime>::get();
		let template = |index: u32| pallet_device_registry::DeviceRecord {
			index,
			owner: AccountId::from([0xaa; 32]),
			key: depin_primitives::DeviceKey::Ed25519([0; 32]),
			kind: depin_primitives::DeviceKind::Hotspot,
			location: depin_primitives::H3Cell(0x8c1fb46624125ff),
			metadata: Default::default(),
			maker: None,
			bond: UNIT,
			state: pallet_device_registry::DeviceState::Active,
			registered_at: 0,
			location_updated_at: 0,
		};
		for index in start..start.saturating_add(count) {
			let mut id = [0x77u8; 32];
			id[..4].copy_from_slice(&index.to_le_bytes());
			pallet_device_registry::Devices::<Runtime>::insert(
				depin_primitives::DeviceId(id),
				template(index),
			);
		}
		pallet_device_registry::NextDeviceIndex::<Runtime>::put(start.saturating_add(count));
	}
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

// ---------------------------------------------------------------------------------------------
// Transactions created by the runtime itself (equivocation reports, off-chain workers)
// ---------------------------------------------------------------------------------------------

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = crate::TxExtension;

	fn create_transaction(call: RuntimeCall, extension: crate::TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Oracle batches are general (unsigned) transactions whose `AuthorizeCall` checks the
/// oracle's signature; the other extensions see no signer and charge nothing.
impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> crate::TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(sp_runtime::generic::Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}
