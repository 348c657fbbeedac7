//! A test runtime: System, Balances, the real rewards pallet (so settled usage is paid from
//! its data-transfer pool) and service payments, with a registry and an epoch clock kept in
//! memory.

use crate::{self as pallet_service_payments, ServiceParameters};
use core::cell::RefCell;
use depin_primitives::{
	payment::UsageReceiptPayload, ChannelId, Credits, DeviceId, DeviceIndex, DeviceInfo,
	DeviceInspect, DeviceKey, DeviceKind, DeviceStatus, EpochClock, EpochIndex, EpochScore,
	EpochScores, H3Cell, ScoreSink, SignedPayload, UsageReceipt,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use pallet_rewards::{EmissionSchedule, PoolSplit};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	traits::IdentityLookup, AccountId32, BuildStorage, FixedU128, MultiSignature, Perbill,
};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;
pub type Balance = u128;

/// Plancks in a token in this runtime.
pub const UNIT: Balance = 1_000_000;
/// 100 credits per token: one credit is 10,000 plancks.
pub const CREDITS_PER_TOKEN: u128 = 100;
pub const ED: Balance = 10;
pub const STARTING_BALANCE: Balance = 1_000 * UNIT;
pub const EMISSION: Balance = 10_000 * UNIT;
pub const MAX_OPEN: u32 = 3;
pub const LIFETIME: u64 = 1_000;
pub const GRACE: u64 = 10;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_rewards,
		ServicePayments: pallet_service_payments,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

use frame_support::traits::ConstU128;

thread_local! {
	static DEVICES: RefCell<BTreeMap<DeviceId, DeviceInfo<AccountId>>> = const { RefCell::new(BTreeMap::new()) };
	static EPOCH: RefCell<Option<EpochIndex>> = const { RefCell::new(None) };
}

/// The registry as the pallets see it.
pub struct MockDevices;

impl DeviceInspect<AccountId> for MockDevices {
	fn device(id: &DeviceId) -> Option<DeviceInfo<AccountId>> {
		DEVICES.with(|d| d.borrow().get(id).cloned())
	}
	fn devices_of(owner: &AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId> {
		DEVICES.with(|d| {
			d.borrow()
				.iter()
				.filter(|(id, info)| info.owner == *owner && after.is_none_or(|a| **id > a))
				.take(limit as usize)
				.map(|(id, _)| *id)
				.collect()
		})
	}
	fn density_resolution() -> u8 {
		7
	}
	fn active_devices_in_cell(_: H3Cell) -> u32 {
		0
	}
}

/// Proof of coverage's clock.
pub struct MockClock;

impl EpochClock for MockClock {
	fn current_epoch() -> Option<EpochIndex> {
		EPOCH.with(|e| *e.borrow())
	}
}

/// No device scores coverage or uptime here: rewards pay by usage only.
pub struct NoScores;

impl EpochScores for NoScores {
	fn score(_: &DeviceId, _: DeviceIndex, _: EpochIndex) -> Option<EpochScore> {
		Some(EpochScore::default())
	}
	fn score_weight() -> Weight {
		Weight::zero()
	}
}

parameter_types! {
	pub const RewardsPalletId: PalletId = PalletId(*b"dpn/rwds");
	pub TreasuryAccount: AccountId = AccountId32::new([0xee; 32]);
	pub const DefaultSchedule: EmissionSchedule<Balance> = EmissionSchedule {
		initial_per_epoch: EMISSION,
		halving_interval: 0,
		start_epoch: 0,
		supply_cap: None,
	};
	pub const DefaultSplit: PoolSplit = PoolSplit {
		coverage: Perbill::from_percent(40),
		uptime: Perbill::from_percent(30),
		data_transfer: Perbill::from_percent(10),
		staking: Perbill::from_percent(10),
		treasury: Perbill::from_percent(10),
	};
	pub const TokenUnit: Balance = UNIT;
	pub DefaultParameters: ServiceParameters = ServiceParameters {
		credits_per_token: FixedU128::from_u32(CREDITS_PER_TOKEN as u32),
		revenue_share: Perbill::from_percent(20),
	};
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type Devices = MockDevices;
	type Scores = NoScores;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = RewardsPalletId;
	type TreasuryAccount = TreasuryAccount;
	type DefaultSchedule = DefaultSchedule;
	type DefaultSplit = DefaultSplit;
	type DefaultExpiryHorizon = ConstU32<4>;
	type MaxExpiryHorizon = ConstU32<168>;
	type MaxClaimDevices = ConstU32<8>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RewardsBenchmarks;
}

impl pallet_service_payments::Config for Test {
	type Currency = Balances;
	type Signature = MultiSignature;
	type Devices = MockDevices;
	type Epochs = MockClock;
	type Usage = Rewards;
	type TreasuryAccount = TreasuryAccount;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type TokenUnit = TokenUnit;
	type DefaultParameters = DefaultParameters;
	type MaxOpenChannels = ConstU32<MAX_OPEN>;
	type MaxChannelLifetime = ConstU64<LIFETIME>;
	type SettlementGrace = ConstU64<GRACE>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Benchmarks;
}

/// Rewards' benchmarks are not run here; its helper only has to exist.
#[cfg(feature = "runtime-benchmarks")]
pub struct RewardsBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId> for RewardsBenchmarks {
	fn register_device(owner: &AccountId, seed: u32) -> (DeviceId, DeviceIndex) {
		(register(owner.clone(), seed), seed)
	}
	fn set_score(_: &DeviceId, _: DeviceIndex, _: EpochIndex, _: EpochScore) {}
	fn add_devices(_: u32) {}
}

/// Devices, the clock and a consumer key for this pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct Benchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, MultiSignature> for Benchmarks {
	fn register_device(owner: &AccountId, seed: u32) -> DeviceId {
		register(owner.clone(), seed)
	}
	fn start_epoch() {
		set_epoch(0);
	}
	fn consumer() -> AccountId {
		account(&key(200))
	}
	fn sign(message: &[u8]) -> MultiSignature {
		MultiSignature::Sr25519(key(200).sign(message))
	}
}

/// The sr25519 key of test account `n`.
pub fn key(n: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[n; 32])
}

/// The account of a key.
pub fn account(pair: &sr25519::Pair) -> AccountId {
	pair.public().into()
}

/// Test account `n` (funded for n in 1..=4).
pub fn who(n: u8) -> AccountId {
	account(&key(n))
}

pub fn alice() -> AccountId {
	who(1)
}
pub fn bob() -> AccountId {
	who(2)
}
pub fn charlie() -> AccountId {
	who(3)
}

/// A device id from a number.
pub fn device_id(n: u32) -> DeviceId {
	let mut id = [0u8; 32];
	id[..4].copy_from_slice(&n.to_be_bytes());
	DeviceId(id)
}

/// Registers device `n` for `owner`, active.
pub fn register(owner: AccountId, n: u32) -> DeviceId {
	let id = device_id(n);
	DEVICES.with(|d| {
		d.borrow_mut().insert(
			id,
			DeviceInfo {
				index: n,
				owner,
				key: DeviceKey::Ed25519([0; 32]),
				kind: DeviceKind::Hotspot,
				location: H3Cell(0),
				status: DeviceStatus::Active,
			},
		)
	});
	id
}

/// Sets a device's status (as suspension or retirement in the registry would).
pub fn set_status(device: DeviceId, status: DeviceStatus) {
	DEVICES.with(|d| d.borrow_mut().get_mut(&device).expect("registered").status = status);
}

/// Moves a device to a new owner (as an accepted transfer would).
pub fn transfer(device: DeviceId, owner: AccountId) {
	DEVICES.with(|d| d.borrow_mut().get_mut(&device).expect("registered").owner = owner);
}

/// Proof of coverage's clock shows `epoch`.
pub fn set_epoch(epoch: EpochIndex) {
	EPOCH.with(|e| *e.borrow_mut() = Some(epoch));
}

/// The clock before the first epoch.
pub fn clear_epoch() {
	EPOCH.with(|e| *e.borrow_mut() = None);
}

/// Proof of coverage reports `epoch` final (nobody scored): rewards close it.
pub fn close_epoch(epoch: EpochIndex) {
	<Rewards as ScoreSink>::epoch_scored(epoch, &EpochScore::default());
}

/// A receipt for `cumulative` credits on `channel`, signed by `signer` for `genesis`.
pub fn receipt_for(
	signer: &sr25519::Pair,
	genesis: H256,
	channel: ChannelId,
	cumulative: Credits,
) -> UsageReceipt<H256, MultiSignature> {
	let payload = UsageReceiptPayload { genesis_hash: genesis, channel, cumulative };
	let signature = MultiSignature::Sr25519(signer.sign(&payload.signing_bytes()));
	UsageReceipt { payload, signature }
}

/// A receipt signed by `signer` for this chain.
pub fn receipt(
	signer: &sr25519::Pair,
	channel: ChannelId,
	cumulative: Credits,
) -> UsageReceipt<H256, MultiSignature> {
	receipt_for(signer, ServicePayments::genesis_hash(), channel, cumulative)
}

pub fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

pub fn treasury() -> Balance {
	free(&TreasuryAccount::get())
}

pub fn events() -> Vec<pallet_service_payments::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ServicePayments(event) => Some(event),
			_ => None,
		})
		.collect()
}

pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	DEVICES.with(|d| d.borrow_mut().clear());
	EPOCH.with(|e| *e.borrow_mut() = Some(0));
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=4).map(|n| (who(n), STARTING_BALANCE)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_rewards::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	pallet_service_payments::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks both pallets' invariants and that total issuance moved by
/// exactly what rewards minted and the treasury's revenue, minus what was burned.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		test();
		ServicePayments::do_try_state().expect("service-payments invariants hold");
		Rewards::do_try_state().expect("rewards invariants hold");
		let rewards = pallet_rewards::Totals::<Test>::get();
		let payments = crate::Totals::<Test>::get();
		assert_eq!(
			Balances::total_issuance() + payments.burned,
			issuance + rewards.minted_for_devices + rewards.minted_for_treasury + payments.revenue,
			"issuance moved by exactly what was minted and burned"
		);
	});
}
